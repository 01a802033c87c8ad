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
# the Unix socket trusted for the demo itself, TCP logins need a password
printf 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n' >"$data/pg_hba.conf"
cat >>"$data/postgresql.conf" <<CONF
shared_preload_libraries = 'probe_detect'
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
log_connections = on
CONF
"$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w start >/dev/null
psql=("$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres)
"${psql[@]}" -c 'CREATE EXTENSION probe_detect'
"${psql[@]}" -c "CREATE ROLE alice LOGIN PASSWORD 'alicepw'"

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
echo "  three wrong passwords for alice"
for pw in 123456 password alice2024; do
	"$bin/psql" -X -q "host=127.0.0.1 port=$port user=alice dbname=postgres password=$pw sslmode=disable" \
		-c 'SELECT 1' >/dev/null 2>&1 || true
done

echo
echo "== what the server log says"
grep -E 'invalid length|unsupported frontend|incomplete startup|authentication failed' "$dir/server.log" |
	sed 's/^/  /' | cut -c1-110
echo
echo "== what probe_detect says"
"${psql[@]}" -P pager=off <<'SQL'
SELECT event_id, kind, protocol_version AS version, left(raw_ascii, 28) AS raw_ascii,
       protocol, tool
  FROM probe_detect_events;
SELECT client_addr, events, protocols, auth_failures, users_tried, verdict
  FROM probe_detect_sources;
SELECT * FROM probe_detect_stats;
SELECT * FROM probe_detect_decode('65363.19778');
SQL
echo "== what probe_detect_logscan makes of the server log alone (for servers without the module)"
"$bin/probe_detect_logscan" --report=sources "$dir/server.log" | sed 's/^/  /'
