#!/usr/bin/env bash
# make bench-logscan: probe_detect_logscan's throughput against grep -c on
# the same gigabyte of server log, side by side in one run (each measured
# ROUNDS times, interleaved; the best of each is compared, as the page cache
# holds the file after the first read).  Not a test: writes
# bench/RESULTS-logscan.md.  SIZE_MB (default 1024) sets the log's size.
set -euo pipefail
cd "$(dirname "$0")/.."

size_mb=${SIZE_MB:-1024}
rounds=${ROUNDS:-3}
prog=logscan/probe_detect_logscan
[ -x "$prog" ] || { echo "build first: make" >&2; exit 1; }
work=$(mktemp -d /tmp/probe_detect-logscan-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# A busy server's log, Debian's prefix, log_connections on: per hundred
# lines, connections, statements, errors, checkpoints, and one probe or
# failed login.  Every client line carries its address.
perl -e '
	my ($size) = @ARGV;
	my @noise = (
		"[%d] [unknown]\@[unknown] LOG:  connection received: host=10.0.%d.%d port=%d",
		"[%d] app\@appdb LOG:  connection authorized: user=app database=appdb application_name=psql",
		"[%d] app\@appdb LOG:  duration: 0.512 ms  statement: SELECT id, name FROM accounts WHERE id = %d",
		"[%d] app\@appdb ERROR:  duplicate key value violates unique constraint \"accounts_pkey\"",
		"[%d] app\@appdb DETAIL:  Key (id)=(%d) already exists.",
		"[%d] app\@appdb STATEMENT:  INSERT INTO accounts VALUES (%d, \x27x\x27)",
		"[%d] LOG:  checkpoint starting: time",
		"[%d] app\@appdb LOG:  disconnection: session time: 0:00:00.010 user=app database=appdb host=10.0.0.5 port=%d",
	);
	my @probe = (
		"[%d] [unknown]\@[unknown] LOG:  invalid length of startup packet",
		"[%d] [unknown]\@[unknown] FATAL:  unsupported frontend protocol 65363.19778: server supports 3.0 to 3.0",
		"[%d] postgres\@postgres FATAL:  password authentication failed for user \"postgres\"",
	);
	my ($n, $bytes, $t) = (0, 0, 1764403200);
	my $out = "";
	while ($bytes < $size * 1024 * 1024) {
		$n++;
		my @tm = gmtime($t + int($n / 500));
		my $ts = sprintf("%04d-%02d-%02d %02d:%02d:%02d.%03d UTC ", $tm[5] + 1900, $tm[4] + 1, $tm[3], $tm[2], $tm[1], $tm[0], $n % 1000);
		my $fmt = $n % 100 == 0 ? $probe[($n / 100) % 3] : $noise[$n % 8];
		my $line = $ts . sprintf($fmt, 1000 + $n % 30000, $n % 250, $n % 250, 1024 + $n % 60000) . "\n";
		$out .= $line;
		if (length($out) > 1 << 20) { print $out; $bytes += length($out); $out = ""; }
	}
	print $out;
' "$size_mb" > "$work/postgresql.log"
bytes=$(stat -c %s "$work/postgresql.log")
lines=$(wc -l < "$work/postgresql.log")
gzip -1 -c "$work/postgresql.log" > "$work/postgresql.log.gz"

best()
{
	# best of $rounds wall-clock seconds of "$@" (output discarded)
	local b=
	for _ in $(seq "$rounds"); do
		local s e
		s=$(date +%s.%N)
		"$@" > "$work/out"	# not /dev/null: grep stops at its first match then
		e=$(date +%s.%N)
		b=$(echo "$s $e ${b:-999999}" | awk '{d = $2 - $1; print (d < $3 ? d : $3)}')
	done
	echo "$b"
}

cat "$work/postgresql.log" > /dev/null	# into the page cache
g=$(best grep -c FATAL "$work/postgresql.log")
l=$(best "$prog" --report=summary "$work/postgresql.log")
gz_g=$(best sh -c "zcat '$work/postgresql.log.gz' | grep -c FATAL")
gz_l=$(best "$prog" --report=summary "$work/postgresql.log.gz")
# cold: what the disk gives (root only: the page cache is dropped first)
cold()
{
	sync
	echo 3 > /proc/sys/vm/drop_caches
	local s e
	s=$(date +%s.%N)
	"$@" > "$work/out"
	e=$(date +%s.%N)
	echo "$s $e" | awk '{print $2 - $1}'
}
cold_rows=
if [ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ]; then
	c_cat=$(cold sh -c "cat '$work/postgresql.log' > /dev/null")
	c_g=$(cold grep -c FATAL "$work/postgresql.log")
	c_l=$(cold "$prog" --report=summary "$work/postgresql.log")
	cold_rows=$(awk -v c="$c_cat" -v g="$c_g" -v l="$c_l" -v b="$bytes" 'BEGIN {
		printf "| plain, page cache dropped (cat: %.2f s, %.0f MB/s) | %.2f s | %.2f s | %.2f | %.0f |\n", c, b / 1048576 / c, g, l, l / g, b / 1048576 / l }')
fi
events=$("$prog" --report=summary --format=json "$work/postgresql.log" | grep -o '"events":[0-9]*' | head -1)

{
	echo "# probe_detect_logscan against grep -c, one run"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; a synthetic log of $((bytes / 1048576)) MB, $lines lines"
	echo "(Debian's prefix, 1% probes and failed logins: $events); best of $rounds, page cache warm."
	echo
	echo "| input | grep -c FATAL | probe_detect_logscan --report=summary | ratio (logscan / grep) | logscan MB/s |"
	echo "| --- | --- | --- | --- | --- |"
	awk -v g="$g" -v l="$l" -v b="$bytes" 'BEGIN { printf "| plain | %.2f s | %.2f s | %.2f | %.0f |\n", g, l, l / g, b / 1048576 / l }'
	awk -v g="$gz_g" -v l="$gz_l" -v b="$bytes" 'BEGIN { printf "| gzip -1 (zcat \\| grep -c) | %.2f s | %.2f s | %.2f | %.0f |\n", g, l, l / g, b / 1048576 / l }'
	if [ -n "$cold_rows" ]; then
		echo "$cold_rows"
		echo
		echo "The last row is one run of each, in the order cat (to /dev/null), grep, logscan, each after"
		echo "the page cache was dropped: cat's rate is the disk's, as a program that only reads sees it."
	fi
} > bench/RESULTS-logscan.md
cat bench/RESULTS-logscan.md
