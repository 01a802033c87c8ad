#!/usr/bin/env bash
# Runs as the unprivileged user for bench/run.sh: builds the helpers, starts
# cluster A (probe_detect preloaded) and cluster B (not), and measures.
set -euo pipefail
work=$1
bin=/usr/lib/postgresql/$2/bin
export PATH=$bin:$PATH
ROUNDS=${BENCH_ROUNDS:-6}
SECONDS_EACH=${BENCH_SECONDS:-8}
A=55601
B=55602

cd "$work"
gcc -O2 -o flood bench/flood.c
gcc -std=c99 -O2 -I. -o bench_classify bench/bench_classify.c pd_classify.c pd_nmap_table.c pd_scan.c
make -s -C bench -f Makefile.hookbench PG_CONFIG="$bin/pg_config" >/dev/null

cleanup()
{
	pg_ctl -D "$work/a" -m immediate stop >/dev/null 2>&1 || true
	pg_ctl -D "$work/b" -m immediate stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

for c in a b; do
	initdb -D "$work/$c" -A trust -U postgres >/dev/null
	port=$([ $c = a ] && echo $A || echo $B)
	cat >>"$work/$c/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
max_connections = 100
CONF
done
cat >>"$work/a/postgresql.conf" <<CONF
shared_preload_libraries = 'probe_detect'
CONF
pg_ctl -D "$work/a" -l "$work/a.log" -w start >/dev/null
pg_ctl -D "$work/b" -l "$work/b.log" -w start >/dev/null
psqlA=(psql -X -q -At -h "$work" -p $A -U postgres -d postgres)
"${psqlA[@]}" -c 'CREATE EXTENSION probe_detect'
pgbench -i -q -s 1 -h "$work" -p $A -U postgres postgres >/dev/null 2>&1
pgbench -i -q -s 1 -h "$work" -p $B -U postgres postgres >/dev/null 2>&1

median()
{
	sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# 1. Real clients: new connections per second (pgbench -C, select-only).
: >"$work/conn_a"
: >"$work/conn_b"
# ABBA order: neither cluster always goes first
order()
{
	if [ $(($1 % 2)) = 1 ]; then echo a b; else echo b a; fi
}
for r in $(seq "$ROUNDS"); do
	for c in $(order "$r"); do
		port=$([ $c = a ] && echo $A || echo $B)
		pgbench -n -C -S -c 2 -j 2 -T "$SECONDS_EACH" -h 127.0.0.1 -p $port -U postgres postgres 2>/dev/null |
			awk '/^tps/ {print $3; exit}' >>"$work/conn_$c"
	done
done
conn_a=$(median <"$work/conn_a")
conn_b=$(median <"$work/conn_b")

# 2. Probes per second the server absorbs, and every probe accounted for.
: >"$work/flood_a"
: >"$work/flood_b"
lost=0
sent_total=0
for r in $(seq "$ROUNDS"); do
	for c in $(order "$r"); do
		port=$([ $c = a ] && echo $A || echo $B)
		[ $c = a ] && "${psqlA[@]}" -c 'SELECT probe_detect_reset()' >/dev/null
		sent=$(./flood $port 4 "$SECONDS_EACH")
		echo "$sent $SECONDS_EACH" | awk '{print $1 / $2}' >>"$work/flood_$c"
		if [ $c = a ]; then
			got=$("${psqlA[@]}" -c 'SELECT events_total FROM probe_detect_stats')
			sent_total=$((sent_total + sent))
			lost=$((lost + sent - got))
		fi
	done
done
flood_a=$(median <"$work/flood_a")
flood_b=$(median <"$work/flood_b")

# 3. The log hook, per call, inside a backend of cluster A.
"${psqlA[@]}" -c "CREATE FUNCTION pd_hookbench(int, bool) RETURNS float8 AS '$work/bench/pd_hookbench.so' LANGUAGE C STRICT"
"${psqlA[@]}" -c 'SELECT probe_detect_reset()' >/dev/null
hook_other=$("${psqlA[@]}" -c 'SELECT round(min(pd_hookbench(1000000, false))::numeric, 1) FROM generate_series(1, 5)')
hook_probe=$("${psqlA[@]}" -c 'SELECT round(min(pd_hookbench(20000, true))::numeric, 0) FROM generate_series(1, 5)')
hook_events=$("${psqlA[@]}" -c 'SELECT events_total FROM probe_detect_stats')

# 3b. The same hook calls counted in instructions: A restarted under
# callgrind (pg_ctl -p with a wrapper; callgrind follows the forks), one
# backend per case; inclusive instructions of pd_hookbench() / calls.
hook_other_ir=""
hook_probe_ir=""
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
	pg_ctl -D "$work/a" -m fast stop >/dev/null
	mkdir -p "$work/cg"
	printf '#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file=%s/cg/cg.%%p %s/postgres "$@"\n' \
		"$work" "$bin" >"$work/cg/postgres"
	chmod +x "$work/cg/postgres"
	pg_ctl -D "$work/a" -p "$work/cg/postgres" -l "$work/a-cg.log" -t 300 -w start >/dev/null
	ir_per_call()
	{
		# $1 = n, $2 = probe: the backend's pd_hookbench inclusive Ir / n
		local pid
		pid=$("${psqlA[@]}" -c "SELECT pg_backend_pid(); SELECT pd_hookbench($1, $2)" | head -1)
		sleep 1
		for f in "$work"/cg/cg."$pid"*; do
			callgrind_dump=$(callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
				awk '/pd_hookbench/ {gsub(",", "", $1); print $1; exit}')
			[ -n "$callgrind_dump" ] && awk -v i="$callgrind_dump" -v n="$1" 'BEGIN {printf "%.0f", i / n}'
		done
	}
	hook_other_ir=$(ir_per_call 100000 false)
	hook_probe_ir=$(ir_per_call 2000 true)
	pg_ctl -D "$work/a" -m fast -t 300 stop >/dev/null
	pg_ctl -D "$work/a" -l "$work/a.log" -w start >/dev/null
fi

# 4. The classifier, in nanoseconds and in instructions (callgrind).
classify=$(./bench_classify test/captures.tsv)
instr=""
if command -v valgrind >/dev/null; then
	BENCH_ROUNDS=200 valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
		./bench_classify test/captures.tsv >/dev/null 2>&1 || true
	instr=$(callgrind_annotate --inclusive=yes "$work/cg.out" 2>/dev/null |
		awk '/pd_classify \[/ || / pd_classify$/ || /:pd_classify / {gsub(",", "", $1); print $1; exit}')
	calls=$((200 * 128 + 20))
	[ -n "$instr" ] && instr=$(awk -v i="$instr" -v c="$calls" 'BEGIN {printf "%.0f", i / c}')
fi

# 5. Shared memory per configured event.
shm_a=$("${psqlA[@]}" -c "SELECT size FROM pg_shmem_allocations WHERE name = 'probe_detect'")
per_event=$(awk -v s="$shm_a" 'BEGIN {printf "%.1f", (s - 40) / 5000}')

ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'
}
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
{
	echo "# probe_detect benchmarks"
	echo
	echo "Measured by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores ($cpu),"
	echo "$(free -g | awk '/Mem:/ {print $2}') GiB, $(postgres --version), $(uname -sr)."
	echo "A and B are two clusters of the same build on loopback, measured in"
	echo "alternating rounds ($ROUNDS rounds of $SECONDS_EACH s each, ABBA order; medians); A has probe_detect preloaded."
	echo "Per-round figures: connections A $(paste -sd' ' "$work/conn_a"), B $(paste -sd' ' "$work/conn_b");"
	echo "probes A $(paste -sd' ' "$work/flood_a"), B $(paste -sd' ' "$work/flood_b")."
	echo
	echo "| measure | with probe_detect (A) | without (B) | ratio A/B | target |"
	echo "| --- | --- | --- | --- | --- |"
	echo "| new connections per second, pgbench -C -S, 2 clients | $conn_a | $conn_b | $(ratio "$conn_a" "$conn_b") | >= 0.99 |"
	echo "| probes per second absorbed, 4 senders of 6 real probes | $flood_a | $flood_b | $(ratio "$flood_a" "$flood_b") | >= 0.98 |"
	echo
	echo "Every probe accounted for: $sent_total probes sent to A, $lost missing from \`events_total\`"
	echo "(which counts every event recorded, overwritten or not)."
	echo
	echo "| cost | value |"
	echo "| --- | --- |"
	echo "| log hook, message that is not ours | $hook_other ns per call (best of 5 x 1,000,000); ${hook_other_ir:-?} instructions (callgrind) |"
	echo "| log hook, recorded probe (match, classify, ring write) | $hook_probe ns per call (best of 5 x 20,000; $hook_events events); ${hook_probe_ir:-?} instructions (callgrind) |"
	echo "| classifier, 256-byte payloads | $(echo "$classify" | sed -n 2p | sed 's/classifier: //') |"
	echo "| classifier, adversarial 8 kB | $(echo "$classify" | sed -n 3p | sed 's/classifier: //') |"
	echo "| classifier instructions (callgrind, mean per call) | ${instr:-not measured (no valgrind)} |"
	echo "| shared memory per configured event (capture_bytes 256) | $per_event bytes ($shm_a bytes for the default 5,000) |"
} >"$work/RESULTS.md"
cat "$work/RESULTS.md"
