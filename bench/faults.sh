#!/usr/bin/env bash
# bench/faults.sh WORK PG_MAJOR: page faults per probe, counted by
# "perf stat -e page-faults,minor-faults" attached to each postmaster (the
# counters are inherited by every child forked while it runs), with and
# without the library, and with nothing on either side (the control).
# Clusters a and b as rounds.sh leaves them.  Every measurement restarts
# both clusters (a new address-space layout each time: a probe child's
# faults depend on it) and floods them in turn (bench/flood.c, 2 senders,
# 250 ms slices) for BENCH_FAULT_SECONDS.  Without a working perf, the same
# from /proc (the postmaster's and its reaped children's counts).
#
# Appends to $work/faults.dat: huge lib with n_with n_without faults_with
# faults_without source (perf:all, perf:u if perf sees only user mode, or proc)
set -euo pipefail
work=$1
bin=/usr/lib/postgresql/$2/bin
. "$(dirname "$0")/lib.sh"
STARTS=$BENCH_FAULT_STARTS
SECONDS_EACH=$BENCH_FAULT_SECONDS
HUGE=$BENCH_HUGE
A=29601
B=29602
huges="off"
[ "$HUGE" = on ] && huges="off on"
cd "$work"
: >"$work/faults.dat"

# Can perf count this user's processes, kernel-mode faults included?
# (kernel.perf_event_paranoid <= 1, or root; bench/run.sh sees to it.)
source=proc
if command -v perf >/dev/null && perf stat -e page-faults -x, -o "$work/perf.try" true 2>/dev/null; then
	if grep -q 'page-faults:u' "$work/perf.try"; then
		source=perf:u
	else
		source=perf:all
	fi
fi

# perf_start CLUSTER FILE: perf stat on CLUSTER's postmaster, in the
# background (pid in $perf_pid: this shell's child, so that wait works)
perf_start()
{
	perf stat -e page-faults,minor-faults -x, -o "$2" -p "$(postmaster_of "$1")" >/dev/null 2>&1 &
	perf_pid=$!
}
perf_value()
{
	awk -F, '$3 ~ /^page-faults/ {print $1; exit}' "$1"
}

for start in $(seq "$STARTS"); do
	for huge in $huges; do
		for lib in probe_detect none; do
			for with in a b; do
				without=$([ "$with" = a ] && echo b || echo a)
				configure "$with" "$lib" "$huge"
				configure "$without" none "$huge"
				restart a
				restart b
				sql $A 'SELECT 1' >/dev/null
				sql $B 'SELECT 1' >/dev/null
				fw=$(faults_of "$with")
				fo=$(faults_of "$without")
				if [ "$source" != proc ]; then
					perf_start "$with" "$work/perf.with"
					pw=$perf_pid
					perf_start "$without" "$work/perf.without"
					po=$perf_pid
					sleep 0.5		# perf attached
				fi
				out=$(./flood -t 250 "$A,$B" 2 "$SECONDS_EACH")
				if [ "$with" = a ]; then
					nw=${out% *}; nwo=${out#* }
				else
					nwo=${out% *}; nw=${out#* }
				fi
				sleep 0.3			# the last children reaped
				if [ "$source" != proc ]; then
					kill -INT "$pw" "$po"
					wait "$pw" "$po" || true
					fw=$(perf_value "$work/perf.with")
					fo=$(perf_value "$work/perf.without")
				else
					fw=$(($(faults_of "$with") - fw))
					fo=$(($(faults_of "$without") - fo))
				fi
				echo "$huge $lib $with $nw $nwo $fw $fo $source" >>"$work/faults.dat"
			done
		done
	done
done
