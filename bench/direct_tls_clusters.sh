#!/usr/bin/env bash
# Runs as the unprivileged user inside the chroot for bench/direct_tls.sh:
# two clusters A and B (ssl = off), probe_detect preloaded on one and then
# the other, both restarted before every round (always A first: see
# bench/clusters.sh for why), pgbench -C -S over TCP with libpq's default
# sslmode=prefer on both at once.  Every such connection sends an
# SSLRequest, which with trace_connection_negotiation on is one LOG message
# that probe_detect hides.  A second run with nothing on either side is the
# method's own noise.
set -euo pipefail
work=$1
bin=/usr/lib/postgresql/$2/bin
export PATH=$bin:$PATH
ROUNDS=${BENCH_ROUNDS:-8}
SECONDS_EACH=${BENCH_SECONDS:-5}
A=29611
B=29612
rm -rf "$work" && mkdir -p "$work"

cleanup()
{
	pg_ctl -D "$work/a" -m immediate stop >/dev/null 2>&1 || true
	pg_ctl -D "$work/b" -m immediate stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

for c in a b; do
	initdb -D "$work/$c" -A trust -U postgres >/dev/null
	cat >>"$work/$c/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $([ $c = a ] && echo $A || echo $B)
unix_socket_directories = '$work'
max_connections = 100
ssl = off
include_if_exists = 'preload.conf'
CONF
done

preload()
{
	if [ "$2" = probe_detect ]; then
		echo "shared_preload_libraries = 'probe_detect'" >"$work/$1/preload.conf"
	else
		: >"$work/$1/preload.conf"
	fi
	pg_ctl -D "$work/$1" -l "$work/$1.log" -m fast -w restart >/dev/null 2>&1 ||
		pg_ctl -D "$work/$1" -l "$work/$1.log" -w start >/dev/null
}
cpu_of()
{
	awk '{print $14 + $15 + $16 + $17}' "/proc/$(head -1 "$work/$1/postmaster.pid")/stat"
}

# round WITH: both restarted, then pgbench on both at once; appends
# "conn_with conn_without cpu_with cpu_without" to $work/$LIB
round()
{
	local lib=$1 with=$2 r=$3 pw pwo cw co n1 n2
	if [ "$with" = a ]; then preload a "$lib"; preload b none; pw=$A; pwo=$B
	else preload a none; preload b "$lib"; pw=$B; pwo=$A; fi
	cw=$(cpu_of "$with")
	co=$(cpu_of "$([ "$with" = a ] && echo b || echo a)")
	# alternate which one starts first
	if [ $((r % 2)) = 1 ]; then set -- "$pw" "$pwo"; else set -- "$pwo" "$pw"; fi
	PGSSLMODE=prefer pgbench -n -C -S -c 2 -j 2 -T "$SECONDS_EACH" -h 127.0.0.1 -p "$1" -U postgres postgres >"$work/out_$1" 2>/dev/null &
	PGSSLMODE=prefer pgbench -n -C -S -c 2 -j 2 -T "$SECONDS_EACH" -h 127.0.0.1 -p "$2" -U postgres postgres >"$work/out_$2" 2>/dev/null
	wait
	sleep 0.5
	n1=$(awk '/actually processed:/ {print $NF; exit}' "$work/out_$pw" | cut -d/ -f1)
	n2=$(awk '/actually processed:/ {print $NF; exit}' "$work/out_$pwo" | cut -d/ -f1)
	echo "$n1 $n2 $(($(cpu_of "$with") - cw)) $(($(cpu_of "$([ "$with" = a ] && echo b || echo a)") - co))" >>"$work/$lib"
}

for c in a b; do
	pg_ctl -D "$work/$c" -l "$work/$c.log" -w start >/dev/null
	pgbench -i -q -s 1 -h "$work" -p "$([ $c = a ] && echo $A || echo $B)" -U postgres postgres >/dev/null 2>&1
done
for lib in probe_detect none; do
	: >"$work/$lib"
	for with in a b; do
		for r in $(seq "$ROUNDS"); do round "$lib" "$with" "$r"; done
	done
done

# geometric mean of the two halves' ratios: a difference between A and B cancels
ratio() { awk -v n="$ROUNDS" 'NR <= n {w1 += $1; o1 += $2} NR > n {w2 += $1; o2 += $2} END {printf "%.3f", sqrt((w1 / o1) * (w2 / o2))}' "$work/$1"; }
cpu() { awk -v n="$ROUNDS" 'NR <= n {w1 += $1; o1 += $2; cw1 += $3; co1 += $4} NR > n {w2 += $1; o2 += $2; cw2 += $3; co2 += $4} END {printf "%.3f", sqrt((cw1 / w1) / (co1 / o1) * (cw2 / w2) / (co2 / o2))}' "$work/$1"; }
rate() { awk -v c="$2" -v s="$SECONDS_EACH" '{n += $c} END {printf "%.1f", n / NR / s}' "$work/$1"; }

# the trace lines really are there, and hidden: count what a cluster with
# probe_detect logged about SSLRequests
preload a probe_detect
PGSSLMODE=prefer psql -X -At -h 127.0.0.1 -p $A -U postgres -c 'SHOW trace_connection_negotiation' >"$work/trace"
hidden=$(grep -c 'SSLRequest' "$work/a.log" || true)

{
	echo "# probe_detect on PostgreSQL $(postgres -V | sed 's/.*) //'): direct TLS capture, cost to real clients"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $ROUNDS rounds of ${SECONDS_EACH} s per half, both clusters"
	echo "restarted before every round; pgbench -n -C -S -c 2 over TCP, sslmode=prefer (an SSLRequest per"
	echo "connection, rejected: ssl = off), on both clusters at once. With probe_detect,"
	echo "trace_connection_negotiation = $(cat "$work/trace") and the server log had $hidden SSLRequest lines."
	echo
	echo "| preloaded on one side | connections/s with | without | ratio | CPU per connection, with/without |"
	echo "| --- | --- | --- | --- | --- |"
	echo "| probe_detect | $(rate probe_detect 1) | $(rate probe_detect 2) | $(ratio probe_detect) | $(cpu probe_detect) |"
	echo "| nothing (the method's noise) | $(rate none 1) | $(rate none 2) | $(ratio none) | $(cpu none) |"
} >"$work/RESULTS.md"
