#!/usr/bin/env bash
# Runs as the unprivileged user for bench/run.sh: builds the helpers, starts
# two clusters A and B, measures them side by side with probe_detect (then
# auth_delay, for reference) preloaded on one and then the other, and then
# measures probe_detect's own costs on A.
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
include_if_exists = 'preload.conf'
CONF
	pg_ctl -D "$work/$c" -l "$work/$c.log" -w start >/dev/null
	pgbench -i -q -s 1 -h "$work" -p $port -U postgres postgres >/dev/null 2>&1
done

# preload CLUSTER LIBRARY: restart CLUSTER with LIBRARY preloaded ('' for none)
preload()
{
	if [ -n "$2" ]; then
		echo "shared_preload_libraries = '$2'" >"$work/$1/preload.conf"
	else
		: >"$work/$1/preload.conf"
	fi
	pg_ctl -D "$work/$1" -l "$work/$1.log" -m fast -w restart >/dev/null
}

# side_by_side LIBRARY WITH: LIBRARY preloaded on cluster WITH (a or b) and
# nothing on the other; ROUNDS rounds in which both clusters are loaded at the
# same time, so both see the same machine (2 cores, other tenants) at the same
# moment.  Appends "with without" per round to $work/conn_LIBRARY and
# $work/flood_LIBRARY, and for probe_detect the probes sent to WITH that are
# missing from its events_total.
lost=0
sent_total=0
side_by_side()
{
	local lib=$1 with=$2 without pw pwo tw two fw fwo got
	without=$([ "$with" = a ] && echo b || echo a)
	pw=$([ "$with" = a ] && echo $A || echo $B)
	pwo=$([ "$with" = a ] && echo $B || echo $A)
	preload "$with" "$lib"
	preload "$without" ""
	if [ "$lib" = probe_detect ]; then
		psql -X -q -At -h "$work" -p $pw -U postgres -d postgres \
			-c 'CREATE EXTENSION IF NOT EXISTS probe_detect'
	fi
	for r in $(seq "$ROUNDS"); do
		# real clients: new connections per second (pgbench -C, select-only)
		pgbench -n -C -S -c 2 -j 2 -T "$SECONDS_EACH" -h 127.0.0.1 -p $pw -U postgres postgres \
			>"$work/pgb_w" 2>/dev/null &
		pgbench -n -C -S -c 2 -j 2 -T "$SECONDS_EACH" -h 127.0.0.1 -p $pwo -U postgres postgres \
			>"$work/pgb_wo" 2>/dev/null
		wait
		tw=$(awk '/^tps/ {print $3; exit}' "$work/pgb_w")
		two=$(awk '/^tps/ {print $3; exit}' "$work/pgb_wo")
		echo "$tw $two" >>"$work/conn_$lib"

		# probes per second absorbed: 2 compiled senders per cluster
		if [ "$lib" = probe_detect ]; then
			psql -X -q -At -h "$work" -p $pw -U postgres -d postgres \
				-c 'SELECT probe_detect_reset()' >/dev/null
		fi
		./flood $pw 2 "$SECONDS_EACH" >"$work/flood_w" &
		./flood $pwo 2 "$SECONDS_EACH" >"$work/flood_wo"
		wait
		fw=$(cat "$work/flood_w")
		fwo=$(cat "$work/flood_wo")
		echo "$(echo "$fw $SECONDS_EACH" | awk '{print $1 / $2}') $(echo "$fwo $SECONDS_EACH" | awk '{print $1 / $2}')" \
			>>"$work/flood_$lib"
		if [ "$lib" = probe_detect ]; then
			got=$(psql -X -q -At -h "$work" -p $pw -U postgres -d postgres \
				-c 'SELECT events_total FROM probe_detect_stats')
			sent_total=$((sent_total + fw))
			lost=$((lost + fw - got))
		fi
	done
	echo "$lib on $with: connections $(tail -n "$ROUNDS" "$work/conn_$lib" | paste -sd,)" \
		"probes $(tail -n "$ROUNDS" "$work/flood_$lib" | paste -sd,)" >>"$work/rounds"
}

# with/without for LIBRARY and a measure (conn or flood): the ratio of the
# sums in each half (LIBRARY on a, then on b), combined as a geometric mean so
# that a difference between the two clusters themselves cancels out.
ratio_of()
{
	awk -v n="$ROUNDS" 'NR <= n {w1 += $1; o1 += $2} NR > n {w2 += $1; o2 += $2}
		END {printf "%.3f", sqrt((w1 / o1) * (w2 / o2))}' "$work/$2_$1"
}
mean_of()
{
	awk -v col="$3" '{s += $col} END {printf "%.1f", s / NR}' "$work/$2_$1"
}

: >"$work/rounds"
for lib in probe_detect auth_delay; do
	: >"$work/conn_$lib"
	: >"$work/flood_$lib"
	side_by_side $lib a
	side_by_side $lib b
done
preload a probe_detect
preload b ""
psqlA=(psql -X -q -At -h "$work" -p $A -U postgres -d postgres)

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

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
{
	echo "# probe_detect benchmarks"
	echo
	echo "Measured by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores ($cpu),"
	echo "$(free -g | awk '/Mem:/ {print $2}') GiB, $(postgres --version), $(uname -sr)."
	echo "Two clusters of the same build on loopback, loaded at the same time in each"
	echo "round ($ROUNDS rounds of $SECONDS_EACH s with the library preloaded on one cluster, then"
	echo "$ROUNDS with it on the other); with/without is the geometric mean of the two halves'"
	echo "ratios of sums, so that a difference between the clusters themselves cancels."
	echo "auth_delay (PostgreSQL's contrib, one small hook) is the same measurement for"
	echo "a library that does next to nothing: the cost of preloading any library."
	echo
	echo "| measure | with probe_detect | without | ratio | auth_delay, same measure | target |"
	echo "| --- | --- | --- | --- | --- | --- |"
	echo "| new connections per second, pgbench -C -S, 2 clients per cluster | $(mean_of probe_detect conn 1) | $(mean_of probe_detect conn 2) | $(ratio_of probe_detect conn) | $(ratio_of auth_delay conn) | >= 0.99 |"
	echo "| probes per second absorbed, 2 senders of 6 real probes per cluster | $(mean_of probe_detect flood 1) | $(mean_of probe_detect flood 2) | $(ratio_of probe_detect flood) | $(ratio_of auth_delay flood) | >= 0.98 |"
	echo
	echo "Per round (with without):"
	echo
	sed 's/^/- /' "$work/rounds"
	echo
	echo "Every probe accounted for: $sent_total probes sent to the cluster with probe_detect, $lost missing from \`events_total\`"
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
