#!/usr/bin/env bash
# bench/report.sh WORK PG_MAJOR: writes $work/RESULTS.md from what
# rounds.sh, faults.sh, callgrind.sh and views.sh left in $work.
set -euo pipefail
work=$1
bin=/usr/lib/postgresql/$2/bin
export PATH=$bin:$PATH
cd "$work"
here=$(dirname "$0")

awk -f "$here/summary.awk" rounds.dat >summary.dat
v() { awk -v k="$1" '$1 == k {sub(/^[^ ]+ /, ""); print; exit}' values; }
# s HUGE LIB MEASURE FIELD: one field of summary.awk's line (4 pairs, 5 rate
# ratio, 6 its SE, 7 CPU ratio, 8 its SE, 9/10 faults per event with/without,
# 11/12 events per round with/without, 13 probes checked, 14 lost)
s() { awk -v h="$1" -v l="$2" -v m="$3" -v f="$4" '$1 == h && $2 == l && $3 == m {print $f; exit}' summary.dat; }
# ratio HUGE LIB MEASURE: "0.997 ± 0.002"
ratio() { printf '%.3f ± %.3f' "$(s "$1" "$2" "$3" 5)" "$(s "$1" "$2" "$3" 6)"; }
cpu_ratio() { printf '%.3f ± %.3f' "$(s "$1" "$2" "$3" 7)" "$(s "$1" "$2" "$3" 8)"; }
# us HUGE LIB MEASURE SIDE: CPU microseconds per event, with (1) or without (2)
us()
{
	awk -v h="$1" -v l="$2" -v m="$3" -v side="$4" -v hz="$(getconf CLK_TCK)" '
		$2 == h && $3 == l && $5 == m {n += $(5 + side); c += $(7 + side)}
		END {printf "%.0f", c / hz * 1e6 / n}' rounds.dat
}
rate() { awk -v h="$1" -v l="$2" -v m="$3" -v side="$4" -v t="$SECONDS_EACH" '
		$2 == h && $3 == l && $5 == m {n += $(5 + side); r++}
		END {printf "%.0f", n / r / (t / 2)}' rounds.dat; }
# verdict VALUE OP TARGET
verdict() { awk -v x="$1" -v op="$2" -v t="$3" 'BEGIN {ok = op == ">=" ? x >= t : op == "<=" ? x <= t : (x >= 1 - t && x <= 1 + t); print ok ? "met" : "NOT met"}'; }
within() { awk -v x="$1" 'BEGIN {print (x >= 0.995 && x <= 1.005) ? "within 0.5%" : "NOT within 0.5%"}'; }
libs=$(awk '{print $3}' rounds.dat | sort -u)
huges=$(awk '{print $2}' rounds.dat | sort -u)
pairs=$(s off probe_detect conn 4)

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
{
	echo "# probe_detect benchmarks"
	echo
	echo "Measured by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC') in $((RUN_SECONDS / 60)) minutes: $(nproc) cores ($cpu),"
	echo "$(free -g | awk '/Mem:/ {print $2}') GiB, $(postgres --version), $(uname -sr)."
	echo "Method: [docs/benchmarks.md](../docs/benchmarks.md). Two clusters of the same build on loopback, a and b,"
	echo "restarted before every round and loaded in turn, $SLICE_MS ms each, $CLIENTS clients, $SECONDS_EACH s per"
	echo "measure and round ($((SECONDS_EACH / 2)) s each cluster); a pair is two rounds, the library on a then on b,"
	echo "and its ratio the geometric mean of the two. $pairs pairs per configuration, every configuration in"
	echo "every cycle. Ratio = with / without, the geometric mean over the pairs ± its standard error."
	echo "\"Nothing\" is the same procedure with nothing preloaded on either side: the method's own error."
	echo "$HUGE_NOTE"
	echo
	echo "| measure | huge_pages | per second, with / without | ratio (target) | nothing | CPU per event, with / without | CPU ratio (target) | nothing |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
	for h in $huges; do
		for m in conn flood; do
			if [ $m = conn ]; then
				name="new connections (connect + 1 select + disconnect)"; target=0.995
			else
				name="probes absorbed (6 real probes)"; target=0.99
			fi
			r=$(s "$h" probe_detect $m 5)
			c=$(s "$h" probe_detect $m 7)
			echo "| $name | $h | $(rate "$h" probe_detect $m 1) / $(rate "$h" probe_detect $m 2) |" \
				"$(ratio "$h" probe_detect $m) (>= $target: $(verdict "$r" '>=' $target)) |" \
				"$(ratio "$h" none $m) ($(within "$(s "$h" none $m 5)")) |" \
				"$(us "$h" probe_detect $m 1) / $(us "$h" probe_detect $m 2) us |" \
				"$(cpu_ratio "$h" probe_detect $m) (within 1%: $(verdict "$c" within 0.01)) |" \
				"$(cpu_ratio "$h" none $m) ($(within "$(s "$h" none $m 7)")) |"
		done
	done
	if echo "$libs" | grep -qx auth_delay; then
		echo
		echo "auth_delay (PostgreSQL's contrib, one small hook: what preloading any library costs), same rounds:"
		for h in $huges; do
			echo "huge_pages = $h: connections $(ratio "$h" auth_delay conn), CPU $(cpu_ratio "$h" auth_delay conn);" \
				"probes $(ratio "$h" auth_delay flood), CPU $(cpu_ratio "$h" auth_delay flood)."
		done
	fi
	echo
	echo "Every probe accounted for: $(awk '$3 == "probe_detect" && $5 == "flood" {n += $6; l += $12} END {print n " probes sent to the side with probe_detect, " l}' rounds.dat)"
	echo "missing from \`events_total\` + \`repeats\` (every probe recorded: an event, or a repeat folded into one)."
	echo
	echo "## Page faults per event"
	echo
	echo "Target: at most +2 per probe. In the rounds above (/proc: the postmaster's and its reaped children's"
	echo "minor and major faults), and counted apart by \`perf stat -e page-faults\` attached to each postmaster"
	echo "(inherited by the children) in $(awk 'END {print NR}' faults.dat) further restarts, probes only"
	echo "(source: $(awk '{print $8; exit}' faults.dat); perf:u would be user-mode faults only)."
	echo
	echo "| events | huge_pages | rounds (/proc): with / without = difference | nothing: difference | perf stat: with / without = difference | nothing: difference |"
	echo "| --- | --- | --- | --- | --- | --- |"
	for h in $huges; do
		for m in conn flood; do
			pf=$(awk -v h="$h" -v l=probe_detect '$1 == h && $2 == l {n1 += $4; n2 += $5; f1 += $6; f2 += $7}
				END {if (n1) printf "%.1f / %.1f = %+.1f", f1 / n1, f2 / n2, f1 / n1 - f2 / n2}' faults.dat)
			pn=$(awk -v h="$h" -v l=none '$1 == h && $2 == l {n1 += $4; n2 += $5; f1 += $6; f2 += $7}
				END {if (n1) printf "%+.1f", f1 / n1 - f2 / n2}' faults.dat)
			fw=$(s "$h" probe_detect $m 9)
			fo=$(s "$h" probe_detect $m 10)
			d=$(awk -v a="$fw" -v b="$fo" 'BEGIN {printf "%+.1f", a - b}')
			dn=$(awk -v a="$(s "$h" none $m 9)" -v b="$(s "$h" none $m 10)" 'BEGIN {printf "%+.1f", a - b}')
			if [ $m = conn ]; then
				echo "| a connection | $h | $fw / $fo = $d | $dn | | |"
			else
				echo "| a probe | $h | $fw / $fo = $d ($(verdict "${d#+}" '<=' 2)) | $dn | ${pf:-not measured} | ${pn:-} |"
			fi
		done
	done
	echo
	echo "## Counted: instructions, the hook, the classifier"
	echo
	echo "| cost | value |"
	echo "| --- | --- |"
	if [ -n "$(v conn_ir_with)" ]; then
		set -- $(v conn_ir_with) $(v conn_ir_without) $(v probe_ir_with) $(v probe_ir_without)
		echo "| a whole connection (pgbench -C -S; backend from fork to exit), instructions (callgrind) | $1 with probe_detect, $3 without ($(awk -v a="$1" -v b="$3" 'BEGIN {printf "%+.2f%%", (a / b - 1) * 100}'); means of $2 and $4 backends) |"
		d=$(awk -v a="$5" -v b="$7" 'BEGIN {printf "%+.2f", (a / b - 1) * 100}')
		echo "| a whole probe's child (the six flood probes, fork to exit), instructions (callgrind) | $5 with probe_detect, $7 without ($d%, target <= +0.2%: $(verdict "${d#+}" '<=' 0.2); means of $6 and $8 children) |"
	else
		echo "| instructions (callgrind) | not measured (no valgrind) |"
	fi
	echo "| log hook, message that is not ours | $(v hook_other) ns per call (best of 5 x 1,000,000); $(v hook_other_ir) instructions (callgrind) |"
	echo "| log hook, recorded probe | $(v hook_probe) ns per call (best of 5 x 20,000; $(v hook_events) probes recorded); $(v hook_probe_ir) instructions (callgrind) |"
	echo "| classifier, 256-byte payloads | $(v classify_256) |"
	echo "| classifier, adversarial 8 kB | $(v classify_8k) |"
	echo "| classifier instructions (callgrind, mean per call) | $(v classify_ir) |"
	echo "| shared memory per configured event (capture_bytes 256) | $(v shm_per_event) bytes ($(v shm) bytes for the default 5,000) |"
	echo
	echo "## The views"
	echo
	echo "A cluster of its own, probe_detect.max_events = 100000, repeat_window = 0, huge_pages = off, filled by"
	echo "bench/flood.c (13 probe kinds from 2,000 loopback addresses; $(cat views_sources.dat) sources). Milliseconds,"
	echo "psql's \\timing (the server's work and one round trip), best of 3."
	echo
	echo "| query | $(awk -F'\t' '{print $1}' views.dat | uniq | sed 's/$/ events/' | paste -sd'|' | sed 's/|/ | /g') |"
	echo "| --- |$(awk -F'\t' '{print $1}' views.dat | uniq | sed 's/.*/ --- |/' | paste -sd'\0')"
	awk -F'\t' '{t[$2] = t[$2] " | " $3; if (!($2 in o)) {o[$2] = ++n; q[n] = $2}}
		END {for (i = 1; i <= n; i++) print "| `" q[i] "`" t[q[i]] " |"}' views.dat
	echo
	echo "What the ring held at $(awk -F'\t' 'END {print $1}' views.dat) events, by protocol as the view reads it: $(paste -sd, views_mix.dat | sed 's/,/, /g')."
	echo
	echo "## Every round"
	echo
	echo "\`cycle huge_pages library with measure n_with n_without ticks_with ticks_without faults_with faults_without lost\`"
	echo "(ticks: CPU in 1/$(getconf CLK_TCK) s; lost: probes missing from the counts, probe_detect's flood rounds only):"
	echo
	echo '```'
	cat rounds.dat
	echo '```'
	echo
	echo "Fault rounds (\`huge_pages library with probes_with probes_without faults_with faults_without source\`):"
	echo
	echo '```'
	cat faults.dat
	echo '```'
} >"$work/RESULTS.md"
