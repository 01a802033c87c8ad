#!/usr/bin/env bash
# Runs as the unprivileged user for bench/run.sh: builds the helpers, starts
# two clusters A and B, measures them side by side with probe_detect (then
# auth_delay, for reference) preloaded on one and then the other, and then
# measures probe_detect's own costs on A.
set -euo pipefail
work=$1
bin=/usr/lib/postgresql/$2/bin
export PATH=$bin:$PATH
ROUNDS=${BENCH_ROUNDS:-16}
SECONDS_EACH=${BENCH_SECONDS:-6}
A=29601	# outside the ephemeral port range: the floods use thousands of those
B=29602

cd "$work"
gcc -O2 -o flood bench/flood.c
gcc -std=c99 -O2 -I. -o bench_classify bench/bench_classify.c classify/*.c pd_text.c pd_scan.c
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
	if [ -n "$2" ] && [ "$2" != none ]; then
		echo "shared_preload_libraries = '$2'" >"$work/$1/preload.conf"
	else
		: >"$work/$1/preload.conf"
	fi
	pg_ctl -D "$work/$1" -l "$work/$1.log" -m fast -w restart >/dev/null
}

# What a cluster has used so far: CPU in clock ticks and minor page faults,
# the postmaster's own and those of every child it has reaped, from /proc.
cpu_of()
{
	awk '{print $14 + $15 + $16 + $17}' "/proc/$(head -1 "$work/$1/postmaster.pid")/stat"
}
faults_of()
{
	awk '{print $10 + $11}' "/proc/$(head -1 "$work/$1/postmaster.pid")/stat"
}

# both MEASURE WITH_PORT WITHOUT_PORT: one round of MEASURE (conn or flood)
# on both clusters at the same time; prints "count_with count_without".  The
# one started first also ends first and has the machine to itself for a
# moment, so rounds alternate which one that is (the caller passes the order).
both()
{
	local first=$2 second=$3 n1 n2
	case $1 in
		conn)
			pgbench -n -C -S -c 2 -j 2 -T "$SECONDS_EACH" -h 127.0.0.1 -p "$first" -U postgres postgres \
				>"$work/out1" 2>/dev/null &
			pgbench -n -C -S -c 2 -j 2 -T "$SECONDS_EACH" -h 127.0.0.1 -p "$second" -U postgres postgres \
				>"$work/out2" 2>/dev/null
			wait
			n1=$(awk '/actually processed:/ {print $NF; exit}' "$work/out1" | cut -d/ -f1)
			n2=$(awk '/actually processed:/ {print $NF; exit}' "$work/out2" | cut -d/ -f1)
			;;
		flood)
			./flood "$first" 2 "$SECONDS_EACH" >"$work/out1" &
			./flood "$second" 2 "$SECONDS_EACH" >"$work/out2"
			wait
			n1=$(cat "$work/out1")
			n2=$(cat "$work/out2")
			;;
	esac
	echo "$n1 $n2"
}

# side_by_side LIBRARY WITH: LIBRARY preloaded on cluster WITH (a or b) and
# nothing on the other, ROUNDS rounds in which both clusters are loaded at
# the same time, so that both see the same machine (2 cores, other tenants)
# at the same moment.  Appends "with without cpu_with cpu_without
# faults_with faults_without" per round (counts, clock ticks, page faults) to $work/conn_LIBRARY and $work/flood_LIBRARY; for
# probe_detect, also counts the probes missing from events_total.
lost=0
sent_total=0
side_by_side()
{
	local lib=$1 with=$2 without pw pwo m r cw co fw fo n got
	without=$([ "$with" = a ] && echo b || echo a)
	pw=$([ "$with" = a ] && echo $A || echo $B)
	pwo=$([ "$with" = a ] && echo $B || echo $A)
	# Both clusters are restarted before every round, always in the order
	# a, b.  Every start draws a new address-space layout (ASLR), and with it
	# how many 64 kB fault-around windows a child's code falls into: a probe
	# child takes 386.5 to 390.8 page faults depending on the start alone, a
	# difference that lasts the postmaster's life, so one start per half
	# would measure the layout as much as the library.  And the cluster
	# restarted first runs 0.6-2.5% slower (nothing preloaded on either: a/b
	# 0.975 and 0.986 with a restarted first, 1.020 and 1.006 with b first);
	# tied to the cluster, not to the library, that cancels in the geometric
	# mean of the two halves.
	restart_both()
	{
		if [ "$with" = a ]; then
			preload a "$lib"
			preload b ""
		else
			preload a ""
			preload b "$lib"
		fi
	}
	restart_both
	if [ "$lib" = probe_detect ]; then
		psql -X -q -At -h "$work" -p $pw -U postgres -d postgres \
			-c 'CREATE EXTENSION IF NOT EXISTS probe_detect'
	fi
	for r in $(seq "$ROUNDS"); do
		[ "$r" = 1 ] || restart_both
		for m in conn flood; do
			if [ "$lib" = probe_detect ] && [ $m = flood ]; then
				psql -X -q -At -h "$work" -p $pw -U postgres -d postgres \
					-c 'SELECT probe_detect_reset()' >/dev/null
			fi
			cw=$(cpu_of "$with")
			co=$(cpu_of "$without")
			fw=$(faults_of "$with")
			fo=$(faults_of "$without")
			if [ $((r % 2)) = 1 ]; then
				n=$(both $m $pw $pwo)
			else
				n=$(both $m $pwo $pw | awk '{print $2, $1}')
			fi
			sleep 0.5			# the last children reaped
			echo "$n $(($(cpu_of "$with") - cw)) $(($(cpu_of "$without") - co))" \
				"$(($(faults_of "$with") - fw)) $(($(faults_of "$without") - fo))" >>"$work/${m}_$lib"
			if [ "$lib" = probe_detect ] && [ $m = flood ]; then
				got=$(psql -X -q -At -h "$work" -p $pw -U postgres -d postgres \
					-c 'SELECT events_total FROM probe_detect_stats')
				sent_total=$((sent_total + ${n%% *}))
				lost=$((lost + ${n%% *} - got))
			fi
		done
	done
}

# Ratios with/without for LIBRARY and a measure (conn or flood), from the
# sums over each half (LIBRARY on a, then on b), combined as a geometric mean
# so that a difference between the two clusters themselves cancels out:
# events per second, and CPU time per event.
ratio_of()
{
	awk -v n="$ROUNDS" 'NR <= n {w1 += $1; o1 += $2} NR > n {w2 += $1; o2 += $2}
		END {printf "%.3f", sqrt((w1 / o1) * (w2 / o2))}' "$work/$2_$1"
}
cpu_ratio_of()
{
	awk -v n="$ROUNDS" 'NR <= n {w1 += $1; o1 += $2; cw1 += $3; co1 += $4}
		NR > n {w2 += $1; o2 += $2; cw2 += $3; co2 += $4}
		END {printf "%.3f", sqrt((cw1 / w1) / (co1 / o1) * (cw2 / w2) / (co2 / o2))}' "$work/$2_$1"
}
faults_per_event_of()
{
	awk -v col="$3" '{n += $col; f += $(col + 4)} END {printf "%.0f", f / n}' "$work/$2_$1"
}
rate_of()
{
	awk -v col="$3" -v s="$SECONDS_EACH" '{n += $col} END {printf "%.1f", n / NR / s}' "$work/$2_$1"
}
us_per_event_of()
{
	local hz
	hz=$(getconf CLK_TCK)
	awk -v col="$3" -v hz="$hz" '{n += $col; c += $(col + 2)} END {printf "%.0f", c / hz * 1e6 / n}' "$work/$2_$1"
}

for lib in probe_detect auth_delay none; do
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
child_ir=""
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
		local pid
		pid=$("${psqlA[@]}" -c "SELECT pg_backend_pid(); SELECT pd_hookbench($1, $2)" | head -1)
		sleep 1
		for f in "$work"/cg/cg."$pid"*; do
			callgrind_dump=$(callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
				awk '/pd_hookbench/ {gsub(",", "", $1); print $1; exit}')
			[ -n "$callgrind_dump" ] && awk -v i="$callgrind_dump" -v n="$1" 'BEGIN {printf "%.0f", i / n}'
		done
	}
	# the first connection after a start rebuilds the relation cache's init
	# file: not what a connection costs, so one of each first
	for port in $A $B; do
		psql -X -q -At -h "$work" -p $port -U postgres -d postgres -c 'SELECT 1' >/dev/null
	done
	sleep 2
	hook_other_ir=$(ir_per_call 100000 false)
	hook_probe_ir=$(ir_per_call 2000 true)

	# mean instructions per child forked while CMD runs against PORT
	ir_per_child()
	{
		local port=$1 before
		shift
		before=$(ls "$work/cg")
		"$@" >/dev/null 2>&1
		sleep 3
		for f in $(ls "$work/cg" | grep -vxF "$before"); do
			awk '/^(summary|totals):/ {print $2; exit}' "$work/cg/$f"
		done | awk '{s += $1; n++} END {printf "%.0f %d", s / n, n}'
	}
	conn_ir_a=$(ir_per_child $A pgbench -n -C -S -c 1 -t 10 -h 127.0.0.1 -p $A -U postgres postgres)
	conn_ir_b=$(ir_per_child $B pgbench -n -C -S -c 1 -t 10 -h 127.0.0.1 -p $B -U postgres postgres)
	probe_ir_a=$(ir_per_child $A ./flood $A 1 3)
	probe_ir_b=$(ir_per_child $B ./flood $B 1 3)
	child_ir=yes
	for c in a b; do
		pg_ctl -D "$work/$c" -m fast -t 300 stop >/dev/null
		pg_ctl -D "$work/$c" -l "$work/$c.log" -w start >/dev/null
	done
fi

# 4. The classifier, in nanoseconds and in instructions (callgrind).
classify=$(./bench_classify unit/captures.tsv)
instr=""
if command -v valgrind >/dev/null; then
	BENCH_ROUNDS=200 valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
		./bench_classify unit/captures.tsv >/dev/null 2>&1 || true
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
	echo "Two clusters of the same build on loopback, A and B, loaded at the same time in"
	echo "each round: $ROUNDS rounds of $SECONDS_EACH s per measure with the library preloaded on A, then"
	echo "$ROUNDS with it on B, so that a difference between the clusters cancels out"
	echo "(geometric mean of the two halves). Both clusters are restarted (A, then B) before"
	echo "every round, so that each round has new address-space layouts (ASLR), and rounds"
	echo "alternate which cluster's load starts first. Two figures per measure: events per"
	echo "second, and CPU time per event (postmaster and reaped children, from /proc)."
	echo "auth_delay (PostgreSQL's contrib,"
	echo "one small hook) is the cost of preloading any library; \"nothing\" runs the same"
	echo "procedure with no library on either side: the method's own noise."
	echo
	echo "| measure | with probe_detect | without | ratio (target) | CPU per event, with / without | auth_delay: ratio, CPU | nothing: ratio, CPU |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	echo "| new connections per second, pgbench -C -S, 2 clients per cluster | $(rate_of probe_detect conn 1) | $(rate_of probe_detect conn 2) | $(ratio_of probe_detect conn) (>= 0.99) | $(us_per_event_of probe_detect conn 1) / $(us_per_event_of probe_detect conn 2) us = $(cpu_ratio_of probe_detect conn) | $(ratio_of auth_delay conn), $(cpu_ratio_of auth_delay conn) | $(ratio_of none conn), $(cpu_ratio_of none conn) |"
	echo "| probes per second absorbed, 2 senders of 6 real probes per cluster | $(rate_of probe_detect flood 1) | $(rate_of probe_detect flood 2) | $(ratio_of probe_detect flood) (>= 0.98) | $(us_per_event_of probe_detect flood 1) / $(us_per_event_of probe_detect flood 2) us = $(cpu_ratio_of probe_detect flood) | $(ratio_of auth_delay flood), $(cpu_ratio_of auth_delay flood) | $(ratio_of none flood), $(cpu_ratio_of none flood) |"
	echo
	echo "Page faults per event (minor, postmaster and children): connections $(faults_per_event_of probe_detect conn 1) with probe_detect,"
	echo "$(faults_per_event_of probe_detect conn 2) without; probes $(faults_per_event_of probe_detect flood 1) with, $(faults_per_event_of probe_detect flood 2) without."
	echo
	echo "Per round, \"with without ticks_with ticks_without faults_with faults_without\":"
	echo
	for lib in probe_detect auth_delay none; do
		for m in conn flood; do
			echo "- $lib, $m: $(paste -sd, "$work/${m}_$lib")"
		done
	done
	echo
	echo "Every probe accounted for: $sent_total probes sent to the cluster with probe_detect, $lost missing from \`events_total\`"
	echo "(which counts every event recorded, overwritten or not)."
	echo
	echo "| cost | value |"
	echo "| --- | --- |"
	if [ -n "$child_ir" ]; then
		echo "| a whole connection (pgbench -C -S; backend from fork to exit), instructions (callgrind) | ${conn_ir_a% *} with probe_detect, ${conn_ir_b% *} without ($(awk -v a="${conn_ir_a% *}" -v b="${conn_ir_b% *}" 'BEGIN {printf "%+.2f%%", (a / b - 1) * 100}'); means of ${conn_ir_a#* } and ${conn_ir_b#* } backends) |"
		echo "| a whole probe's child (the six flood probes, fork to exit), instructions (callgrind) | ${probe_ir_a% *} with probe_detect, ${probe_ir_b% *} without ($(awk -v a="${probe_ir_a% *}" -v b="${probe_ir_b% *}" 'BEGIN {printf "%+.2f%%", (a / b - 1) * 100}'); means of ${probe_ir_a#* } and ${probe_ir_b#* } children) |"
	fi
	echo "| log hook, message that is not ours | $hook_other ns per call (best of 5 x 1,000,000); ${hook_other_ir:-?} instructions (callgrind) |"
	echo "| log hook, recorded probe (match, classify, ring write) | $hook_probe ns per call (best of 5 x 20,000; $hook_events events); ${hook_probe_ir:-?} instructions (callgrind) |"
	echo "| classifier, 256-byte payloads | $(echo "$classify" | sed -n 2p | sed 's/classifier: //') |"
	echo "| classifier, adversarial 8 kB | $(echo "$classify" | sed -n 3p | sed 's/classifier: //') |"
	echo "| classifier instructions (callgrind, mean per call) | ${instr:-not measured (no valgrind)} |"
	echo "| shared memory per configured event (capture_bytes 256) | $per_event bytes ($shm_a bytes for the default 5,000) |"
} >"$work/RESULTS.md"
cat "$work/RESULTS.md"
