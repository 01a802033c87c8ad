#!/usr/bin/env bash
# Runs as the unprivileged user: makes the cluster in $1, probes it, prints.
set -euo pipefail
dir=$1
bin=/usr/lib/postgresql/$2/bin
data=$dir/data
port=${PD_DEMO_PORT:-54329}

cleanup()
{
	"$bin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

"$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
cat >>"$data/postgresql.conf" <<CONF
shared_preload_libraries = 'probe_detect'
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
CONF
"$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w start >/dev/null
psql=("$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres)
"${psql[@]}" -c 'CREATE EXTENSION probe_detect'

echo "== probing 127.0.0.1:$port"
# raw bytes through bash's /dev/tcp: send, then wait for the server to hang up
send()
{
	timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; printf '$1' >&3; cat <&3 >/dev/null" || true
}
echo "  nmap -sV (about 7 s)"
nmap -sV -Pn -n -p "$port" 127.0.0.1 | grep -E "^$port/tcp" || true
echo "  curl http://"
curl -s -m 5 "http://127.0.0.1:$port/admin/login.php" >/dev/null || true
echo "  curl https://"
curl -s -k -m 5 "https://127.0.0.1:$port/" >/dev/null || true
echo "  ssh"
timeout 10 ssh -o BatchMode=yes -o ConnectTimeout=5 -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -p "$port" scanner@127.0.0.1 true >/dev/null 2>&1 || true
echo "  redis PING, an SMB2 header, protocol 2.0"
send '*1\r\n$4\r\nPING\r\n'
send '\x00\x00\x00\x08\xfeSMB'
send '\x00\x00\x00\x08\x00\x02\x00\x00'

echo
echo "== what the server log says"
grep -E 'invalid length|unsupported frontend|incomplete startup' "$dir/server.log" |
	sed 's/^/  /' | cut -c1-110
echo
echo "== what probe_detect says"
"${psql[@]}" -P pager=off <<'SQL'
SELECT event_id, client_addr, client_port, kind, protocol_version,
       left(raw_ascii, 48) AS raw_ascii
  FROM probe_detect_events;
SELECT * FROM probe_detect_stats;
SELECT * FROM probe_detect_decode('65363.19778');
SQL
