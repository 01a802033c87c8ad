#!/usr/bin/env bash
# eval/flood.sh: the issue's scenario, in real time.  A throwaway cluster
# with a small ring (probe_detect.max_events = 500, everything else at its
# default) on 127.0.0.1, a password line for TCP; five sources probe it once
# each (127.0.0.2-6: SMB1, HTTP, TLS, SSH, a failed login), then for ten
# minutes pg_isready checks it every second while hydra (if installed)
# guesses passwords and a directory brute-forcer sends 2,000
# paths.  Prints probe_detect_sources, the stats and the counters: every
# source is still there, with its counts.  Run as root (the cluster runs as
# the test user); about 11 minutes.  FLOOD_SECONDS shortens it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

W=${FLOOD_WORK:-/tmp/pd-flood}
PORT=${FLOOD_PORT:-55462}	# clear of eval/run.sh's ports
SECONDS_TOTAL=${FLOOD_SECONDS:-600}
bin=$(${PG_CONFIG:-pg_config} --bindir)

rm -rf "$W"
mkdir -p "$W"
chown "$TEST_USER" "$W"
as_pg_user "$bin/initdb" -D "$W/data" -A trust >/dev/null
cat >>"$W/data/postgresql.conf" <<EOF
shared_preload_libraries = 'probe_detect'
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$W'
probe_detect.max_events = 500
EOF
printf 'local all all trust\nhost all all 127.0.0.0/8 password\n' >"$W/data/pg_hba.conf"
as_pg_user "$bin/pg_ctl" -D "$W/data" -l "$W/log" -w start >/dev/null
trap 'as_pg_user "$bin/pg_ctl" -D "$W/data" -m fast stop >/dev/null' EXIT
psql_q() { as_pg_user "$bin/psql" -h "$W" -p "$PORT" -d postgres -X -q "$@"; }
psql_q -c "CREATE EXTENSION probe_detect" -c "CREATE ROLE alice LOGIN PASSWORD 'alicepw'"

# five sources, once each
perl -MIO::Socket::IP -e '
	my $port = shift;
	my @p = ("\0\0\0\xa4\xffSMBr" . ("\0" x 159), "GET / HTTP/1.0\r\n\r\n",
		"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", "SSH-2.0-OpenSSH_9.2\r\n",
		pack("NN", 20, 0x30000) . "user\0alice\0\0");
	for my $i (0 .. 4) {
		my $s = IO::Socket::IP->new(PeerHost => "127.0.0.1", PeerPort => $port,
			LocalHost => "127.0.0." . ($i + 2)) or die $@;
		syswrite($s, $p[$i]);
		if ($i == 4) { sysread($s, my $r, 100); syswrite($s, "p\0\0\0\x0awrong\0") }
		sysread($s, my $b, 4096); close $s;
	}' "$PORT"

# the health check, every second, in the background
(
	end=$((SECONDS + SECONDS_TOTAL))
	while [ $SECONDS -lt $end ]; do
		env -u PGAPPNAME "$bin/pg_isready" -q -h 127.0.0.1 -p "$PORT" || true
		sleep 1
	done
) &
checker=$!

printf 'word%d\n' $(seq 1 2000) >"$W/words"
# (Debian 12's ncrack 0.7 is no use here: its psql module connects and
# then waits for the server to speak first, strace shows, and never logs in.)
if command -v hydra >/dev/null; then
	# its postgres module gives libpq no port: PGPORT does
	echo "hydra: $(PGPORT=$PORT timeout 300 hydra -l alice -P "$W/words" -s "$PORT" -t 4 127.0.0.1 postgres 2>&1 | grep -o '[0-9]* login tries' | head -1)"
fi
perl -MIO::Socket::IP -e '
	my $port = shift;
	for my $i (1 .. 2000) {
		my $s = IO::Socket::IP->new(PeerHost => "127.0.0.1", PeerPort => $port,
			LocalHost => "127.0.0.10") or die $@;
		syswrite($s, "GET /dir$i HTTP/1.1\r\nHost: x\r\nUser-Agent: gobuster/3.5\r\n\r\n");
		sysread($s, my $b, 4096); close $s;
	}' "$PORT"
echo "brute-forcer: 2000 paths"
wait "$checker"

psql_q -c "SELECT client_addr, events, auth_failures, kinds, protocols, tools, verdict FROM probe_detect_sources"
psql_q -c "SELECT * FROM probe_detect_stats"
psql_q -c "SELECT counter, label, value FROM probe_detect_counters WHERE value > 0 AND counter IN ('events_by_kind', 'repeats', 'health_checks', 'ring_writes', 'ring_overwrites', 'guessing_logins') ORDER BY 1, 2"
psql_q -c "SELECT client_addr, kind, occurrences, seen_at, last_seen, protocol, tool, user_name FROM probe_detect_events ORDER BY occurrences DESC LIMIT 10"
