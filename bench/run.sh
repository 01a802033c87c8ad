#!/usr/bin/env bash
# make bench: probe_detect's cost, measured side by side in one run, with and
# without the module, on throwaway clusters on loopback.  Not a test:
# nothing here passes or fails.  Writes bench/RESULTS.md (bench/clusters.sh;
# the method is in docs/benchmarks.md).  Other entry points:
# "bash bench/run.sh refuse" (make bench-refuse): a login's cost with
# refusing on, empty ring against full (bench/RESULTS-refuse.md);
# "bash bench/run.sh feed" (make bench-feed): the ban feed's cost per probe
# and a scrape's cost (bench/RESULTS-feed.md).
#
# Settings for make bench, from the environment (defaults in bench/lib.sh;
# the defaults take about 27 minutes on 2 cores):
#   BENCH_CYCLES (16)       cycles of rounds: each cycle runs a pair of
#                           rounds per configuration (probe_detect, nothing,
#                           auth_delay, times huge_pages off and on)
#   BENCH_SECONDS (4)       seconds per measure and round, both clusters
#   BENCH_SLICE_MS (100)    the clusters' turns within a round
#   BENCH_CLIENTS (4)       connecting clients, and probe senders
#   BENCH_AUTH_DELAY (0)    1 adds auth_delay (any library's cost) to the rounds
#   BENCH_HUGE (on)         off skips huge_pages = on (and reserving huge pages)
#   BENCH_FAULT_STARTS (6), BENCH_FAULT_SECONDS (2): perf stat's fault rounds
#   BENCH_VIEW_EVENTS ("5000 100000"): the views are timed at these counts
# Short, to check the scripts (3 minutes): BENCH_CYCLES=2 BENCH_SECONDS=2
# BENCH_FAULT_STARTS=1 BENCH_VIEW_EVENTS="500 2000"
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

export PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
bin=/usr/lib/postgresql/$PG_MAJOR/bin
work=$(mktemp -d /tmp/probe_detect-bench.XXXXXX)
cp -a bench unit classify pd_*.c pd_*.h "$work/"
if [ "$(id -u)" = 0 ]; then chown -R "$TEST_USER" "$work"; fi
if [ "${1:-}" = feed ] || [ "${1:-}" = refuse ]; then
	as_pg_user bash "bench/${1}_cost.sh" "$work" "$PG_MAJOR"
	cp "$work/RESULTS-$1.md" "bench/RESULTS-$1.md"
	echo "written: bench/RESULTS-$1.md"
	rm -rf "$work"
	exit 0
fi

# Root's part, undone on the way out: huge pages reserved for the two
# clusters, and perf allowed to count the kernel-mode page faults of the
# unprivileged user's processes (kernel.perf_event_paranoid 1).
restore=()
cleanup()
{
	local rc=$? i f
	if [ $rc != 0 ]; then
		for f in "$work"/*.log; do
			[ -f "$f" ] && { echo "== $f"; tail -5 "$f"; }
		done
	fi
	# a cluster left running by an interrupted run: an immediate shutdown
	for f in "$work"/*/postmaster.pid; do
		[ -f "$f" ] && kill -QUIT "$(head -1 "$f")" 2>/dev/null
	done
	sleep 1
	for ((i = ${#restore[@]} - 1; i >= 0; i--)); do
		eval "${restore[$i]}" || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

huge=${BENCH_HUGE:-on}
note=""
if [ "$huge" = on ]; then
	# What one cluster needs in huge pages (the server says, for the module
	# preloaded with its defaults); the bench runs two at once.
	probe=$(mktemp -d /tmp/probe_detect-hp.XXXXXX)
	chown "$TEST_USER" "$probe"
	as_pg_user "$bin/initdb" -D "$probe/d" -A trust -U postgres >/dev/null
	per=$(as_pg_user "$bin/postgres" -D "$probe/d" -C shared_memory_size_in_huge_pages \
		-c shared_preload_libraries=probe_detect 2>/dev/null || echo 0)
	rm -rf "$probe"
	need=$((2 * per + per / 5 + 4))		# two clusters, 20% and 4 pages spare
	# pages free for us: free and not reserved by a mapping already made
	# (another server with huge_pages = try may hold some, even surplus ones)
	avail()
	{
		awk '/^HugePages_Free:/ {f = $2} /^HugePages_Rsvd:/ {r = $2} END {print f - r}' /proc/meminfo
	}
	if [ "$per" -le 0 ]; then
		note="huge_pages = on was not measured: the server did not say how many huge pages it needs."
	elif [ "$(id -u)" != 0 ] && [ "$(avail)" -lt "$need" ]; then
		note="huge_pages = on was not measured: $need huge pages are needed, $(avail) are free, and only root can reserve more."
	else
		if [ "$(avail)" -lt "$need" ]; then
			before=$(cat /proc/sys/vm/nr_hugepages)
			restore+=("echo $before >/proc/sys/vm/nr_hugepages")
			# every page in use or reserved now, and ours
			echo $(($(awk '/^HugePages_Total:/ {print $2}' /proc/meminfo) - $(avail) + need)) \
				>/proc/sys/vm/nr_hugepages
		fi
		size=$(awk '/^Hugepagesize:/ {print $2 " " $3}' /proc/meminfo)
		if [ "$(avail)" -lt "$need" ]; then
			note="huge_pages = on was not measured: $need huge pages of $size were needed, the kernel could reserve only $(avail)."
		else
			note="Huge pages: $need of $size reserved for the run ($per per cluster), vm.nr_hugepages restored afterwards."
		fi
	fi
	case $note in
		*"not measured"*) huge=off ;;
	esac
else
	note="huge_pages = on was not measured (BENCH_HUGE=off)."
fi
if [ "$(id -u)" = 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -gt 1 ]; then
	restore+=("echo $(cat /proc/sys/kernel/perf_event_paranoid) >/proc/sys/kernel/perf_event_paranoid")
	echo 1 >/proc/sys/kernel/perf_event_paranoid
fi
if ! command -v perf >/dev/null && [ "$(id -u)" = 0 ]; then
	# Debian's perf, for the page-fault counts (without it, /proc's)
	apt-get install -y -q linux-perf >/dev/null 2>&1 || true
fi

as_pg_user env BENCH_HUGE="$huge" BENCH_HUGE_NOTE="$note" bash "$work/bench/clusters.sh" "$work" "$PG_MAJOR"
cp "$work/RESULTS.md" bench/RESULTS.md
echo "written: bench/RESULTS.md"
