#!/usr/bin/env bash
# eval/run.sh: the classifier's evaluation end to end (make eval; root).
#   1. install the programs (apt-get, idempotent: eval/packages.txt) and
#      build the small clients of eval/clients/ into the scratch dir;
#   2. capture: each program of eval/tools.tsv against a silent loopback
#      listener, into eval/corpus.tsv (skipped with EVAL_CAPTURE=0);
#   3. a throwaway PostgreSQL 15 cluster as the unprivileged user, with
#      probe_detect preloaded, on 127.0.0.1 only;
#   4. live and replay against it (eval/run.py), into eval/results.tsv;
#   5. eval/score.pl writes eval/RESULTS.md.
# EVAL_ONLY=name,name limits the rows; EVAL_INSTALL=0 skips apt; EVAL_SERVER=0
# stops after the capture.  Not CI.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

EVAL=$PWD/eval
W=${EVAL_WORK:-/tmp/pd-eval}
PORT=${EVAL_PORT:-55432}			# named by no nmap probe
CAPTURE_PORT=${EVAL_CAPTURE_PORT:-55440}
bin=/usr/lib/postgresql/$PG_MAJOR/bin
only=()
[ -n "${EVAL_ONLY:-}" ] && only=(--only "$EVAL_ONLY")

[ "$(id -u)" = 0 ] || { echo "eval/run.sh: run as root (it installs packages)" >&2; exit 1; }

# 1. programs
if [ "${EVAL_INSTALL:-1}" = 1 ]; then
	grep -v '^#' "$EVAL/packages.txt" | xargs env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends >"$W.apt.log" 2>&1 ||
		{ tail -20 "$W.apt.log"; exit 1; }
fi
mkdir -p "$W/home" "$W/ii" "$W/aria2" "$W/node"
printf 'alice\npostgres\nroot\n' >"$W/users.txt"
printf 'wrongpw\nadmin\n' >"$W/pass.txt"
for c in gohttp gopgx gopq; do
	[ -x "$W/$c" ] || GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$W/gocache" \
		go build -o "$W/$c" "$EVAL/clients/$c.go"
done
# node-postgres is not packaged for the nodejs this host has: from npm
[ -d "$W/node/node_modules/pg" ] ||
	(cd "$W/node" && npm install --silent --no-audit --no-fund pg@8 >/dev/null)
# rdesktop and xfreerdp need an X display
if ! [ -e /tmp/.X11-unix/X99 ]; then
	Xvfb :99 -nolisten tcp >/dev/null 2>&1 &
	echo $! >"$W/xvfb.pid"
	sleep 1
fi

# 2. capture
if [ "${EVAL_CAPTURE:-1}" = 1 ]; then
	python3 "$EVAL/run.py" capture --work "$W" --port "$CAPTURE_PORT" \
		--jobs "${EVAL_JOBS:-3}" "${only[@]}" | tee "$W/capture.log"
fi

[ "${EVAL_SERVER:-1}" = 1 ] || exit 0

# 3. the server, as the unprivileged user
id "$TEST_USER" >/dev/null 2>&1 || useradd -m "$TEST_USER"
S=$W/pg
rm -rf "$S"
mkdir -p "$S"
chown "$TEST_USER" "$S"
stop_server()
{
	as_pg_user "$bin/pg_ctl" -D "$S/data" -m immediate stop >/dev/null 2>&1 || true
	[ -f "$W/xvfb.pid" ] && kill "$(cat "$W/xvfb.pid")" 2>/dev/null && rm -f "$W/xvfb.pid"
	return 0
}
trap stop_server EXIT
as_pg_user "$bin/initdb" -D "$S/data" -A trust -U postgres >/dev/null
# the harness over the Unix socket; TCP logins need a password
printf '%s\n' 'local all all trust' \
	'host all all 127.0.0.1/32 scram-sha-256' \
	'host replication alice 127.0.0.1/32 scram-sha-256' >"$S/data/pg_hba.conf"
cat >>"$S/data/postgresql.conf" <<CONF
shared_preload_libraries = 'probe_detect'
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$S'
max_connections = 100
log_min_messages = info
authentication_timeout = 10s
CONF
as_pg_user "$bin/pg_ctl" -D "$S/data" -l "$S/server.log" -w start >/dev/null
psql=(psql -X -q -h "$S" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
"${psql[@]}" -c 'CREATE EXTENSION probe_detect' \
	-c "CREATE ROLE alice LOGIN REPLICATION PASSWORD 'alicepw'" \
	-c 'CREATE DATABASE evaldb OWNER alice' \
	-c 'GRANT pg_read_all_settings, pg_read_all_stats TO alice'
echo "probe_detect $("${psql[@]}" -Atc "SELECT extversion FROM pg_extension WHERE extname = 'probe_detect'") on 127.0.0.1:$PORT"

# 4. live and replay
rm -f "$EVAL/results.tsv"
for mode in live replay; do
	python3 "$EVAL/run.py" "$mode" --work "$W" --port "$PORT" --data "$S/data" \
		--socket-dir "$S" "${only[@]}" | tee "$W/$mode.log"
done

# 5. figures
perl "$EVAL/score.pl" "$EVAL/tools.tsv" "$EVAL/results.tsv" "$EVAL/corpus.tsv" >"$EVAL/RESULTS.md"
sed -n '1,/^## Misses/p' "$EVAL/RESULTS.md"
