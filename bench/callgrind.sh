#!/usr/bin/env bash
# bench/callgrind.sh WORK PG_MAJOR: the costs counted rather than timed, on
# clusters a (probe_detect preloaded) and b (nothing) as clusters.sh leaves
# them: the log hook per call (bench/pd_hookbench.c, inside a backend of a),
# in ns and, under callgrind, in instructions; the instructions of a whole
# connection's backend and of a whole probe's child, fork to exit, with and
# without the library; the classifier (bench/bench_classify.c) in ns and in
# instructions; shared memory per configured event.  Appends "key value"
# lines to $work/values.
set -euo pipefail
work=$1
bin=/usr/lib/postgresql/$2/bin
. "$(dirname "$0")/lib.sh"
A=29601
B=29602
cd "$work"
val() { echo "$1 $2" >>"$work/values"; }

configure a probe_detect off
configure b none off
restart a
restart b
psqlA=(psql -X -q -At -h "$work" -p $A -U postgres -d postgres)

# The log hook, per call, inside a backend of cluster a.
"${psqlA[@]}" -c "CREATE FUNCTION pd_hookbench(int, bool) RETURNS float8 AS '$work/bench/pd_hookbench.so' LANGUAGE C STRICT"
"${psqlA[@]}" -c 'SELECT probe_detect_reset()' >/dev/null
val hook_other "$("${psqlA[@]}" -c 'SELECT round(min(pd_hookbench(1000000, false))::numeric, 1) FROM generate_series(1, 5)')"
val hook_probe "$("${psqlA[@]}" -c 'SELECT round(min(pd_hookbench(20000, true))::numeric, 0) FROM generate_series(1, 5)')"
val hook_events "$("${psqlA[@]}" -c "SELECT events_total + coalesce((SELECT sum(value) FROM probe_detect_counters
	WHERE counter = 'repeats'), 0) FROM probe_detect_stats")"

# The same hook calls counted in instructions: both clusters restarted under
# callgrind (pg_ctl -p with a wrapper; callgrind follows the forks), one
# backend per case; inclusive instructions of pd_hookbench() / calls.
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
	# each child's count starts where the child does (--zero-before): what a
	# connection or a probe costs, not what the postmaster had done before
	mkdir -p "$work/cg"
	printf '#!/bin/sh\nexec valgrind --tool=callgrind --zero-before=InitPostmasterChild --callgrind-out-file=%s/cg/cg.%%p %s/postgres "$@"\n' \
		"$work" "$bin" >"$work/cg/postgres"
	chmod +x "$work/cg/postgres"
	for c in a b; do
		pg_ctl -D "$work/$c" -m fast stop >/dev/null
		pg_ctl -D "$work/$c" -p "$work/cg/postgres" -o "-c autovacuum=off" \
			-l "$work/$c-cg.log" -t 300 -w start >/dev/null
	done
	ir_per_call()
	{
		# $1 = n, $2 = probe: the backend's pd_hookbench inclusive Ir / n
		local pid f ir
		pid=$("${psqlA[@]}" -c "SELECT pg_backend_pid(); SELECT pd_hookbench($1, $2)" | head -1)
		sleep 1
		for f in "$work"/cg/cg."$pid"*; do
			ir=$(callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
				awk '/pd_hookbench/ {gsub(",", "", $1); print $1; exit}')
			[ -n "$ir" ] && awk -v i="$ir" -v n="$1" 'BEGIN {printf "%.0f", i / n}'
		done
	}
	# the first connection after a start rebuilds the relation cache's init
	# file: not what a connection costs, so one of each first
	sql $A 'SELECT 1' >/dev/null
	sql $B 'SELECT 1' >/dev/null
	sleep 2
	val hook_other_ir "$(ir_per_call 100000 false)"
	val hook_probe_ir "$(ir_per_call 2000 true)"

	# mean instructions per child forked while CMD runs: "mean children"
	ir_per_child()
	{
		local before f
		before=$(ls "$work/cg")
		"$@" >/dev/null 2>&1
		sleep 3
		for f in $(ls "$work/cg" | grep -vxF "$before"); do
			awk '/^(summary|totals):/ {print $2; exit}' "$work/cg/$f"
		done | awk '{s += $1; n++} END {printf "%.0f %d", s / n, n}'
	}
	val conn_ir_with "$(ir_per_child pgbench -n -C -S -c 1 -t 10 -h 127.0.0.1 -p $A -U postgres postgres)"
	val conn_ir_without "$(ir_per_child pgbench -n -C -S -c 1 -t 10 -h 127.0.0.1 -p $B -U postgres postgres)"
	val probe_ir_with "$(ir_per_child ./flood $A 1 3)"
	val probe_ir_without "$(ir_per_child ./flood $B 1 3)"
	for c in a b; do
		pg_ctl -D "$work/$c" -m fast -t 300 stop >/dev/null
		pg_ctl -D "$work/$c" -l "$work/$c.log" -w start >/dev/null
	done
fi

# The classifier, in nanoseconds and in instructions (callgrind).
./bench_classify unit/captures.tsv >"$work/classify.out"
val classify_256 "$(sed -n 2p "$work/classify.out" | sed 's/classifier: //')"
val classify_8k "$(sed -n 3p "$work/classify.out" | sed 's/classifier: //')"
if command -v valgrind >/dev/null; then
	BENCH_ROUNDS=200 valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
		./bench_classify unit/captures.tsv >/dev/null 2>&1 || true
	instr=$(callgrind_annotate --inclusive=yes "$work/cg.out" 2>/dev/null |
		awk '/pd_classify \[/ || / pd_classify$/ || /:pd_classify / {gsub(",", "", $1); print $1; exit}')
	calls=$((200 * 128 + 20))	# 128 payloads a round, then 200 / 10 of 8 kB
	[ -n "$instr" ] && val classify_ir "$(awk -v i="$instr" -v c="$calls" 'BEGIN {printf "%.0f", i / c}')"
fi

# Shared memory per configured event.
shm=$("${psqlA[@]}" -c "SELECT size FROM pg_shmem_allocations WHERE name = 'probe_detect'")
val shm "$shm"
val shm_per_event "$(awk -v s="$shm" 'BEGIN {printf "%.1f", (s - 40) / 5000}')"
