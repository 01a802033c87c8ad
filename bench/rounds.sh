#!/usr/bin/env bash
# bench/rounds.sh WORK BINDIR: the side-by-side rounds of make bench, as the
# unprivileged user, on clusters a and b (already made by clusters.sh).
#
# One cycle is a round for every combination of library (probe_detect, the
# "nothing" control, auth_delay if BENCH_AUTH_DELAY=1), huge_pages (off, and
# on if BENCH_HUGE=on) and side (the library on a, then on b), so every
# configuration is measured in every stretch of the run and the two rounds
# of a pair are a minute apart at most.  A round restarts both clusters,
# always a first (a start draws the address-space layout, which lasts the
# postmaster's life, and the cluster restarted first runs slower: a bias
# tied to the cluster, which the pair cancels), then measures connections
# (bench/connect.c) and probes (bench/flood.c) for BENCH_SECONDS each, the
# two clusters loaded in turn in slices of BENCH_SLICE_MS.
#
# Appends to $work/rounds.dat one line per round and measure:
#   cycle huge lib with measure n_with n_without cpu_with cpu_without
#   faults_with faults_without lost
# "with" is the side the library is on (for none, the side it would be on);
# cpu in clock ticks, faults minor + major, both from /proc, postmaster and
# reaped children; lost is the probes sent to probe_detect's side that its
# events_total did not count (- otherwise).
set -euo pipefail
work=$1
bin=/usr/lib/postgresql/$2/bin
. "$(dirname "$0")/lib.sh"
CYCLES=$BENCH_CYCLES
SECONDS_EACH=$BENCH_SECONDS
SLICE_MS=$BENCH_SLICE_MS
CLIENTS=$BENCH_CLIENTS
HUGE=$BENCH_HUGE
A=29601
B=29602

libs="probe_detect none"
[ "$BENCH_AUTH_DELAY" = 1 ] && libs="$libs auth_delay"
huges="off"
[ "$HUGE" = on ] && huges="off on"

# every probe recorded: an event, or a repeat folded into one
recorded="SELECT events_total + coalesce((SELECT sum(value) FROM probe_detect_counters
	WHERE counter = 'repeats'), 0) FROM probe_detect_stats"

cd "$work"
: >"$work/rounds.dat"

# one_round CYCLE HUGE LIB WITH
one_round()
{
	local cycle=$1 huge=$2 lib=$3 with=$4 without pw m out before after
	local cw co fw fo nw nwo lost
	without=$([ "$with" = a ] && echo b || echo a)
	pw=$([ "$with" = a ] && echo $A || echo $B)
	configure "$with" "$lib" "$huge"
	configure "$without" none "$huge"
	restart a
	restart b
	# the first connection after a start rebuilds the relation cache's init
	# file: not what a connection costs
	sql $A 'SELECT 1' >/dev/null
	sql $B 'SELECT 1' >/dev/null
	for m in conn flood; do
		before=""
		if [ "$lib" = probe_detect ] && [ $m = flood ]; then
			before=$(sql "$pw" "$recorded")
		fi
		cw=$(cpu_of "$with")
		co=$(cpu_of "$without")
		fw=$(faults_of "$with")
		fo=$(faults_of "$without")
		# which cluster gets the first slice (it starts on an idle machine)
		# goes with the cycle, not with the library: within a pair it is the
		# same cluster, a bias the pair cancels
		if [ $((cycle % 2)) = 1 ]; then
			out=$(run_measure $m "$A,$B")
		else
			out=$(run_measure $m "$B,$A" | awk '{print $2, $1}')
		fi
		if [ "$with" = a ]; then
			nw=${out% *}
			nwo=${out#* }
		else
			nwo=${out% *}
			nw=${out#* }
		fi
		sleep 0.3			# the last children reaped
		cw=$(($(cpu_of "$with") - cw))
		co=$(($(cpu_of "$without") - co))
		fw=$(($(faults_of "$with") - fw))
		fo=$(($(faults_of "$without") - fo))
		lost=-
		if [ -n "$before" ]; then
			after=$(sql "$pw" "$recorded")
			lost=$((nw - (after - before)))
		fi
		echo "$cycle $huge $lib $with $m $nw $nwo $cw $co $fw $fo $lost" >>"$work/rounds.dat"
	done
}

# run_measure MEASURE PORT1,PORT2: "N1 N2"
run_measure()
{
	case $1 in
		conn) ./connect -t "$SLICE_MS" "$2" "$CLIENTS" "$SECONDS_EACH" ;;
		flood) ./flood -t "$SLICE_MS" "$2" "$CLIENTS" "$SECONDS_EACH" ;;
	esac
}

for cycle in $(seq "$CYCLES"); do
	for huge in $huges; do
		for lib in $libs; do
			for with in a b; do
				one_round "$cycle" "$huge" "$lib" "$with"
			done
		done
	done
	echo "rounds: cycle $cycle of $CYCLES done" >&2
done
