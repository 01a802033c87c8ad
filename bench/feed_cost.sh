#!/usr/bin/env bash
# Runs as the unprivileged user for bench/run.sh feed (make bench-feed):
#
# 1. What the ban feed costs per probe: two clusters, both with probe_detect
#    preloaded and server_log = annotated, flooded with probes side by side;
#    each round has three phases of SECONDS_EACH: the feed on A only, on B
#    only (probe_detect.ban_feed is a reload away), and on neither (the
#    control).  The ratio is the geometric mean over the rounds of
#    sqrt(A_on/B_off * B_on/A_off), so a difference between the clusters
#    cancels; the control's A/B shows what the method can see.  CPU per probe
#    is the postmaster's reaped children's CPU (clock ticks) per probe.  As
#    the feed's share is below what two clusters side by side can resolve,
#    its system calls are also timed alone (bench/feed_syscalls.c) and set
#    against a probe's CPU.
# 2. What a Prometheus scrape costs (the queries of
#    contrib/prometheus/probe_detect_queries.yaml) with the ring empty and
#    with it full (EVENTS slots), against the 1.0 queries, which read the
#    events.
#
# Writes $work/RESULTS-feed.md.
set -euo pipefail
work=$1
bin=/usr/lib/postgresql/$2/bin
export PATH=$bin:$PATH
ROUNDS=${BENCH_ROUNDS:-8}
SECONDS_EACH=${BENCH_SECONDS:-5}
EVENTS=${BENCH_EVENTS:-100000}
A=29631
B=29632

cd "$work"
gcc -O2 -o flood bench/flood.c
gcc -std=c99 -O2 -o feed_syscalls bench/feed_syscalls.c
cleanup()
{
	pg_ctl -D "$work/fa" -m immediate stop >/dev/null 2>&1 || true
	pg_ctl -D "$work/fb" -m immediate stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

port_of() { [ "$1" = fa ] && echo $A || echo $B; }
sql() { psql -X -q -At -h "$work" -p "$1" -U postgres -d postgres -c "$2"; }

for c in fa fb; do
	rm -rf "$work/$c"
	initdb -D "$work/$c" -A trust -U postgres >/dev/null
	cat >>"$work/$c/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $(port_of $c)
unix_socket_directories = '$work'
max_connections = 100
shared_preload_libraries = 'probe_detect'
probe_detect.max_events = $EVENTS
probe_detect.server_log = annotated
probe_detect.save = off
include_if_exists = 'feed.conf'
CONF
	: >"$work/$c/feed.conf"
	pg_ctl -D "$work/$c" -l "$work/$c.log" -w start >/dev/null
	sql "$(port_of $c)" "CREATE EXTENSION probe_detect"
done

# feed CLUSTER on|off: set probe_detect.ban_feed by a reload
feed()
{
	if [ "$2" = on ]; then
		echo "probe_detect.ban_feed = 'probe_detect.ban'" >"$work/$1/feed.conf"
	else
		: >"$work/$1/feed.conf"
	fi
	pg_ctl -D "$work/$1" reload >/dev/null
	local want; want=$([ "$2" = on ] && echo probe_detect.ban || echo '')
	until [ "$(sql "$(port_of "$1")" 'SHOW probe_detect.ban_feed')" = "$want" ]; do sleep 0.1; done
}
cpu_of() { awk '{print $14 + $15 + $16 + $17}' "/proc/$(head -1 "$work/$1/postmaster.pid")/stat"; }

# phase: both clusters flooded at once; prints "n_a n_b cpu_a cpu_b"
phase()
{
	local ca cb
	ca=$(cpu_of fa); cb=$(cpu_of fb)
	./flood $A 2 "$SECONDS_EACH" >"$work/oa" &
	./flood $B 2 "$SECONDS_EACH" >"$work/ob"
	wait
	echo "$(cat "$work/oa") $(cat "$work/ob") $(( $(cpu_of fa) - ca )) $(( $(cpu_of fb) - cb ))"
}

: >"$work/rounds"
for r in $(seq 1 "$ROUNDS"); do
	feed fa on; feed fb off
	p1=$(phase)
	feed fa off; feed fb on
	p2=$(phase)
	feed fb off
	p3=$(phase)
	echo "$p1 $p2 $p3" >>"$work/rounds"
	echo "round $r: $p1 | $p2 | $p3" >&2
done
lines=$(( $(wc -l <"$work/fa/probe_detect.ban") + $(wc -l <"$work/fb/probe_detect.ban") ))

# The ratios, by awk: columns are, per phase, n_a n_b cpu_a cpu_b.
read -r ratio cpu_ratio control cpu_control per_round <<<"$(awk '
	{
		# phase 1: a on, b off; phase 2: a off, b on; phase 3: both off
		on_a = $1; off_b = $2; off_a = $5; on_b = $6
		s += log(sqrt((on_a / off_b) * (on_b / off_a)))
		sc += log(sqrt((($3 / $1) / ($4 / $2)) * (($8 / $6) / ($7 / $5))))
		c += log($9 / $10)
		cc += log(($11 / $9) / ($12 / $10))
		n++
		rounds = rounds sprintf("%.3f ", sqrt((on_a / off_b) * (on_b / off_a)))
	}
	END { printf "%.3f %.3f %.3f %.3f %s\n", exp(s / n), exp(sc / n), exp(c / n), exp(cc / n), rounds }
' "$work/rounds")"
probes=$(awk '{ s += $1 + $2 + $5 + $6 + $9 + $10 } END { print s }' "$work/rounds")
# a probe's CPU with the feed off (ms), and the feed's system calls alone (us)
cpu_ms=$(awk '{ t += $4 + $7 + $11 + $12; n += $2 + $5 + $9 + $10 } END { printf "%.3f", t * 10 / n }' "$work/rounds")
syscall_us=$(./feed_syscalls "$work/fa/feed_syscalls.test" 100000)
share=$(awk -v u="$syscall_us" -v m="$cpu_ms" 'BEGIN { printf "%.2f", 100 * u / (m * 1000) }')
feed_probes=$(awk '{ s += $1 + $6 } END { print s }' "$work/rounds")

# 2. scrape cost: the shipped queries, and 1.0's, empty and full ring
scrape_new="SELECT ring_size, events_total, events_overwritten, events_total - events_overwritten FROM probe_detect_stats;
SELECT label, value FROM probe_detect_counters WHERE counter = 'events_by_kind';
SELECT label, value FROM probe_detect_counters WHERE counter = 'events_by_protocol';
SELECT label, value FROM probe_detect_counters WHERE counter = 'events_by_tool';
SELECT value FROM probe_detect_counters WHERE counter = 'guessing_logins';
SELECT label, value FROM probe_detect_counters WHERE counter = 'ban_feed_records' UNION ALL SELECT 'error', value FROM probe_detect_counters WHERE counter = 'ban_feed_errors';
SELECT count(*) FROM probe_detect_refused;"
scrape_old="SELECT ring_size, events_total, events_overwritten, (SELECT count(*) FROM probe_detect_events), (SELECT count(*) FROM probe_detect_events)::float8 / ring_size FROM probe_detect_stats;
SELECT kind, coalesce(protocol, 'unknown'), coalesce(tool, 'unknown'), count(*) FROM probe_detect_events GROUP BY 1, 2, 3;
SELECT coalesce(verdict, 'none'), count(*), coalesce(sum(auth_failures), 0) FROM probe_detect_sources GROUP BY 1;
SELECT count(*) FROM probe_detect_refused;"
# ms per scrape: N scrapes in one session, timed by the server
scrape_ms()
{
	local port=$1 queries=$2 n=$3
	{
		echo "SELECT clock_timestamp() AS t0 \\gset"
		for _ in $(seq 1 "$n"); do echo "$queries"; done
		echo "SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000 / $n, 3);"
	} | psql -X -q -At -h "$work" -p "$port" -U postgres -d postgres | tail -1
}
sql $B 'SELECT probe_detect_reset()' >/dev/null
new_empty=$(scrape_ms $B "$scrape_new" 200)
old_empty=$(scrape_ms $B "$scrape_old" 200)
fill_start=$(date +%s)
while [ "$(sql $A 'SELECT events_total - events_overwritten FROM probe_detect_stats')" -lt "$EVENTS" ]; do
	./flood $A 4 20 >/dev/null
done
fill_s=$(( $(date +%s) - fill_start ))
new_full=$(scrape_ms $A "$scrape_new" 200)
old_full=$(scrape_ms $A "$scrape_old" 3)

cat >"$work/RESULTS-feed.md" <<EOF
# The ban feed's cost per probe, and a scrape's cost at any ring size

Measured by \`make bench-feed\` (bench/feed_cost.sh) on $(date -u +%Y-%m-%d), PostgreSQL
$(postgres --version | awk '{print $3}'), $(nproc) cores: two clusters, both with probe_detect
preloaded and \`server_log = annotated\`, flooded with probes (bench/flood.c, 2
processes each) side by side, $ROUNDS rounds of three ${SECONDS_EACH}-second phases: the feed on
A only, on B only (a reload apart), on neither.

| Measure | Ratio, feed on / feed off | Control (both off, A / B) |
| --- | --- | --- |
| Probes absorbed per second | $ratio | $control |
| CPU per probe (postmaster's children) | $cpu_ratio | $cpu_control |

Per round (probes, on / off): $per_round
$probes probes in all, $feed_probes of them with the feed on; the feeds hold $lines lines (one
per probe: none lost).

The control shows what two clusters side by side can resolve here, and the feed's cost is
below it. Timed alone, the feed's system calls (open with O_APPEND, one write, close;
bench/feed_syscalls.c, 100,000 records in the data directory's file system) take
${syscall_us} µs per record, against ${cpu_ms} ms of CPU per probe with the feed off
(the postmaster's children, clock ticks per probe): ${share}% of a probe.

## A scrape (contrib/prometheus/probe_detect_queries.yaml), ms

| Ring | 1.1 queries (counters) | 1.0 queries (read the events) |
| --- | --- | --- |
| empty (reset) | $new_empty | $old_empty |
| full, $EVENTS events of 256 bytes | $new_full | $old_full |

Filling the ring took ${fill_s} s. The 1.1 queries read the counters, the ring's two
counters and the refusal table, never the events.
EOF
cat "$work/RESULTS-feed.md"
