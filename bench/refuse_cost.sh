#!/usr/bin/env bash
# Runs as the unprivileged user for bench/run.sh (or make bench-refuse):
# what a login costs with refusing on and server_log = annotated, with the
# ring empty on one cluster and full of 8 kB events on the other (100,000
# slots filled from the address that logs in), side by side in one run; and
# how long the views take over the full ring.  Writes $work/RESULTS-refuse.md.
#
# Both rings are filled first, so that no side pays for touching shared
# memory for the first time; "empty" is a full ring after
# probe_detect_reset(), which hides every event.  In the first half B is
# full and A empty, in the second the other way round (A refilled, B
# reset): the ratio is the geometric mean of the halves, so a difference
# between the clusters themselves cancels.
set -euo pipefail
work=$1
bin=/usr/lib/postgresql/$2/bin
export PATH=$bin:$PATH
ROUNDS=${BENCH_ROUNDS:-8}
SECONDS_EACH=${BENCH_SECONDS:-5}
FAILS=${BENCH_FAILS:-40}
EVENTS=${BENCH_EVENTS:-100000}
A=29621
B=29622

cd "$work"
gcc -O2 -o flood bench/flood.c
cleanup()
{
	pg_ctl -D "$work/ra" -m immediate stop >/dev/null 2>&1 || true
	pg_ctl -D "$work/rb" -m immediate stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

for c in ra rb; do
	rm -rf "$work/$c"
	initdb -D "$work/$c" -A trust -U postgres >/dev/null
	cat >>"$work/$c/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $([ $c = ra ] && echo $A || echo $B)
unix_socket_directories = '$work'
max_connections = 100
shared_preload_libraries = 'probe_detect'
probe_detect.max_events = $EVENTS
probe_detect.capture_bytes = 8192
probe_detect.refuse_after = 1000000
probe_detect.server_log = annotated
probe_detect.save = off
password_encryption = 'scram-sha-256'
CONF
	printf 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n' >"$work/$c/pg_hba.conf"
	pg_ctl -D "$work/$c" -l "$work/$c.log" -w start >/dev/null
	psql -X -q -h "$work" -p "$([ $c = ra ] && echo $A || echo $B)" -U postgres -d postgres \
		-c "CREATE EXTENSION probe_detect" -c "CREATE ROLE alice LOGIN PASSWORD 'alicepw'"
	pgbench -i -q -s 1 -h "$work" -p "$([ $c = ra ] && echo $A || echo $B)" -U postgres postgres >/dev/null 2>&1
	psql -X -q -h "$work" -p "$([ $c = ra ] && echo $A || echo $B)" -U postgres -d postgres \
		-c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO alice"
done

# fill PORT: 8 kB probes from 127.0.0.1 until every slot holds one
fill()
{
	while [ "$(psql -X -At -h "$work" -p "$1" -U postgres -d postgres -c 'SELECT events_total FROM probe_detect_stats')" -lt "$EVENTS" ]; do
		./flood "$1" 4 20 8192 >/dev/null
	done
}
empty()
{
	psql -X -q -At -h "$work" -p "$1" -U postgres -d postgres -c 'SELECT probe_detect_reset()' >/dev/null
}
fill_start=$(date +%s)
fill $B
fill_s=$(( $(date +%s) - fill_start ))
fill $A
empty $A
full=$(psql -X -At -h "$work" -p $B -U postgres -d postgres -c \
	"SELECT count(*) || ' events, ' || pg_size_pretty(sum(length(raw_bytes))::bigint) || ' of payload' FROM probe_detect_events")

# One round: logins (pgbench -C, SCRAM, on both clusters at once) and
# failed logins (psql with a wrong password, one cluster after the other,
# in alternating order), appended as "conn_a conn_b fail_us_a fail_us_b".
fails_us()
{
	local port=$1 t0 t1
	t0=$(date +%s%N)
	for _ in $(seq "$FAILS"); do
		PGPASSWORD=wrong psql -X -At -w -h 127.0.0.1 -p "$port" -U alice -d postgres \
			-c 'SELECT 1' >/dev/null 2>&1 || true
	done
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000 / FAILS ))
}
: >"$work/refuse_rounds"
round()
{
	local r=$1 na nb fa fb
	PGPASSWORD=alicepw pgbench -n -C -S -c 2 -j 2 -T "$SECONDS_EACH" -h 127.0.0.1 -p $A -U alice postgres \
		>"$work/out_a" 2>/dev/null &
	PGPASSWORD=alicepw pgbench -n -C -S -c 2 -j 2 -T "$SECONDS_EACH" -h 127.0.0.1 -p $B -U alice postgres \
		>"$work/out_b" 2>/dev/null
	wait
	na=$(awk '/actually processed:/ {print $NF; exit}' "$work/out_a" | cut -d/ -f1)
	nb=$(awk '/actually processed:/ {print $NF; exit}' "$work/out_b" | cut -d/ -f1)
	if [ $((r % 2)) = 1 ]; then
		fa=$(fails_us $A); fb=$(fails_us $B)
	else
		fb=$(fails_us $B); fa=$(fails_us $A)
	fi
	echo "$na $nb $fa $fb" >>"$work/refuse_rounds"
}
HALF=$(( (ROUNDS + 1) / 2 ))
for r in $(seq "$HALF"); do round "$r"; done		# A empty, B full

# The views over the full ring: the best of three, in ms.
view_ms()
{
	local best=999999999 t0 t1 i
	for i in 1 2 3; do
		t0=$(date +%s%N)
		psql -X -At -h "$work" -p $B -U postgres -d postgres -c "$1" >/dev/null
		t1=$(date +%s%N)
		best=$(( (t1 - t0) / 1000000 < best ? (t1 - t0) / 1000000 : best ))
	done
	echo "$best"
}
v_events=$(view_ms 'SELECT count(*) FROM probe_detect_events')
v_sources=$(view_ms 'SELECT count(*) FROM probe_detect_sources')
v_stats=$(view_ms 'SELECT * FROM probe_detect_stats')
v_refused=$(view_ms 'SELECT count(*) FROM probe_detect_refused')
v_empty=$(view_ms 'SELECT 1')

# second half: A full, B empty
fill $A
empty $B
for r in $(seq "$HALF"); do round "$r"; done

# full/empty per half (columns: empty then full), geometric mean
ratio()
{
	awk -v a="$1" -v b="$2" -v n="$HALF" '
		NR <= n {e1 += $a; f1 += $b}
		NR > n {f2 += $a; e2 += $b}
		END {printf "%.3f", sqrt((f1 / e1) * (f2 / e2))}' "$work/refuse_rounds"
}
mean_of()
{
	# mean per round of the empty (which = e) or full (f) side, column pair a b
	awk -v a="$1" -v b="$2" -v n="$HALF" -v w="$3" -v s="$4" '
		NR <= n {x += (w == "e" ? $a : $b)}
		NR > n {x += (w == "e" ? $b : $a)}
		END {printf "%.1f", x / NR / s}' "$work/refuse_rounds"
}
{
	echo "# probe_detect: a login's cost with refusing on and an empty or a full ring"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(postgres -V | sed 's/.*) //'), $(nproc) cores. Both clusters: refuse_after ="
	echo "1000000 (on, never reached), server_log = annotated, max_events = $EVENTS, capture_bytes = 8192,"
	echo "SCRAM logins over TCP from 127.0.0.1. A full ring: 8 kB probes from 127.0.0.1 itself"
	echo "($full, in $fill_s s). Both rings filled first; \"empty\" is a filled ring after probe_detect_reset()."
	echo "$HALF rounds with A empty and B full, then $HALF the other way round (A refilled, B reset); each round:"
	echo "pgbench -n -C -S -c 2 for ${SECONDS_EACH} s on both at once, then $FAILS failed logins (psql, wrong password) on"
	echo "each in alternating order. Ratios: geometric mean of the two halves."
	echo
	echo "| measure | ring empty | ring full | full/empty |"
	echo "| --- | --- | --- | --- |"
	echo "| logins/s | $(mean_of 1 2 e "$SECONDS_EACH") | $(mean_of 1 2 f "$SECONDS_EACH") | $(ratio 1 2) |"
	echo "| failed login (psql, incl. its start-up), µs | $(mean_of 3 4 e 1) | $(mean_of 3 4 f 1) | $(ratio 3 4) |"
	echo
	echo "The views over a full ring (psql -c, best of three, ms, including psql's own start: SELECT 1 takes ${v_empty} ms):"
	echo
	echo "| query | ms |"
	echo "| --- | --- |"
	echo "| SELECT count(*) FROM probe_detect_events | $v_events |"
	echo "| SELECT count(*) FROM probe_detect_sources | $v_sources |"
	echo "| SELECT * FROM probe_detect_stats | $v_stats |"
	echo "| SELECT count(*) FROM probe_detect_refused | $v_refused |"
} >"$work/RESULTS-refuse.md"
cat "$work/RESULTS-refuse.md"
