#!/usr/bin/env bash
# bench/clusters.sh WORK PG_MAJOR: make bench's measurements, as the
# unprivileged user for bench/run.sh.  Builds the load generators and the
# helpers, makes two clusters a and b, then runs each part:
#   rounds.sh     connections and probes side by side (with the library,
#                 without, and with nothing on either side), huge pages off
#                 and (BENCH_HUGE=on) on;
#   faults.sh     page faults per probe, by perf stat;
#   callgrind.sh  instructions, the hook, the classifier, shared memory;
#   views.sh      the views over 5,000 and 100,000 events (its own cluster);
# and report.sh writes $work/RESULTS.md.  Settings: bench/lib.sh.
set -euo pipefail
work=$1
bin=/usr/lib/postgresql/$2/bin
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
began=$(date +%s)

cd "$work"
gcc -O2 -o flood bench/flood.c
gcc -O2 -I"$(pg_config --includedir)" -o connect bench/connect.c -L"$(pg_config --libdir)" -lpq
gcc -std=c99 -O2 -I. -o bench_classify bench/bench_classify.c classify/*.c pd_text.c pd_scan.c pd_labels.c
make -s -C bench -f Makefile.hookbench PG_CONFIG="$bin/pg_config" >/dev/null

trap 'stop_cluster a; stop_cluster b' EXIT
init_cluster a 29601
init_cluster b 29602
: >"$work/values"

step() { echo "bench: $1 ($(( ($(date +%s) - began) / 60 )) min so far)" >&2; }
step "side-by-side rounds"
bash "$here/rounds.sh" "$work" "$2"
step "page faults per probe"
bash "$here/faults.sh" "$work" "$2"
step "instructions, hook, classifier"
bash "$here/callgrind.sh" "$work" "$2"
stop_cluster a
stop_cluster b
step "views"
bash "$here/views.sh" "$work" "$2"

export RUN_SECONDS=$(($(date +%s) - began))
export SECONDS_EACH=$BENCH_SECONDS SLICE_MS=$BENCH_SLICE_MS CLIENTS=$BENCH_CLIENTS
export HUGE_NOTE=${BENCH_HUGE_NOTE:-}
bash "$here/report.sh" "$work" "$2"
step "done"
cat "$work/RESULTS.md"
