#!/usr/bin/env bash
# bench/views.sh WORK PG_MAJOR: how long the views take over 5,000 and
# 100,000 events (BENCH_VIEW_EVENTS).  A cluster of its own (v) with probe_detect.max_events =
# 100000 and repeat_window = 0 (every probe its own event), filled by
# bench/flood.c with all its probe kinds from 2,000 loopback addresses,
# then each query timed by psql (\timing: the server's work and one round
# trip), best of 3, at 5,000 events and again at 100,000.  Writes
# $work/views.dat: events query ms, and $work/views_mix.dat (what the ring
# held: protocol and count).
set -euo pipefail
work=$1
bin=/usr/lib/postgresql/$2/bin
. "$(dirname "$0")/lib.sh"
V=29603
cd "$work"
: >"$work/views.dat"

init_cluster v $V "probe_detect.max_events = 100000
probe_detect.repeat_window = 0
huge_pages = off"
configure v probe_detect off
restart v
trap 'stop_cluster v' EXIT

recorded()
{
	sql $V 'SELECT events_total FROM probe_detect_stats'
}

# fill N: flood until the ring has recorded at least N events
fill()
{
	local have
	have=$(recorded)
	while [ "$have" -lt "$1" ]; do
		# about 1 s per 1,000 events missing (a little less than the
		# flood's rate, so the count ends close above N), 0.2 to 20 s
		./flood -k 13 -a 2000 $V 4 "$(awk -v m=$(($1 - have)) 'BEGIN {s = m / 1000; print (s < 0.2 ? 0.2 : (s > 20 ? 20 : s))}')" >/dev/null
		have=$(recorded)
	done
}

# best_ms QUERY: the best of three, in ms, as psql's \timing reports it
best_ms()
{
	local i
	for i in 1 2 3; do
		psql -X -q -h "$work" -p $V -U postgres -d postgres -c '\timing on' -c "$1" |
			awk '/^Time: / {print $2}'
	done | sort -g | head -1
}

queries=(
	'SELECT count(*) FROM probe_detect_events'
	'SELECT count(*) FROM probe_detect_sources'
	'SELECT count(*) FROM probe_detect_counters'
	'SELECT * FROM probe_detect_stats'
)
for target in $BENCH_VIEW_EVENTS; do
	fill $target
	n=$(sql $V 'SELECT count(*) FROM probe_detect_events')
	for q in "${queries[@]}"; do
		echo "$n	$q	$(best_ms "$q")" >>"$work/views.dat"
	done
	if [ "$target" = "${BENCH_VIEW_EVENTS##* }" ]; then
		sql $V "SELECT coalesce(protocol, '(none)') || ' ' || count(*) FROM probe_detect_events
			GROUP BY protocol ORDER BY count(*) DESC" >"$work/views_mix.dat"
		sql $V 'SELECT count(*) FROM probe_detect_sources' >"$work/views_sources.dat"
	fi
done
