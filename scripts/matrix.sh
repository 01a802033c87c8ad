#!/usr/bin/env bash
# The version matrix: the module built, installed and tested (pg_regress and
# TAP) against Debian's own server packages for every other PostgreSQL major
# Debian ships, each in a chroot of its release (scripts/chroot.sh).  The
# host's own major (15, bookworm) is what "make test" runs.  Run as root.
#
#   scripts/matrix.sh [MAJOR...]      default: 13 17 18 19
#   scripts/matrix.sh --prepare [MAJOR...]   only set the chroots up
#
# Ends with "N passed, N failed".  A chroot that cannot be set up (a mirror
# or a dependency problem, not ours) is reported as SKIPPED with its reason
# and fails nothing; a build or test failure on any version fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

prepare_only=false
if [ "${1:-}" = --prepare ]; then
	prepare_only=true
	shift
fi
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(${PD_MATRIX_MAJORS:-13 17 18 19})

if [ "$(id -u)" != 0 ]; then
	echo "matrix: needs root (debootstrap and chroot)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

logs=$(mktemp -d /tmp/probe_detect-matrix.XXXXXX)

# Set every chroot up at once: the time goes to the mirror, not the CPU.
declare -A setup_rc
for m in "${majors[@]}"; do
	bash scripts/chroot.sh setup "$m" >"$logs/setup-$m.log" 2>&1 &
	setup_pid[$m]=$!
done
for m in "${majors[@]}"; do
	wait "${setup_pid[$m]}"
	setup_rc[$m]=$?
	sed "s/^/[pg$m] /" "$logs/setup-$m.log"
done
if $prepare_only; then
	for m in "${majors[@]}"; do
		[ "${setup_rc[$m]}" -eq 0 ] || exit 1
	done
	exit 0
fi

passed=0
failed=0
summary=()
for m in "${majors[@]}"; do
	start=$(date +%s)
	if [ "${setup_rc[$m]}" -ne 0 ]; then
		reason=$(grep -E 'E: |W: |Err|Failure|failed|Couldn|Unable' "$logs/setup-$m.log" | tail -3 | tr '\n' ' ')
		summary+=("$(printf 'pg%-3s SKIPPED: the chroot could not be set up: %s' "$m" "${reason:-see $logs/setup-$m.log}")")
		echo "!!! PostgreSQL $m SKIPPED: its chroot could not be set up: $reason"
		continue
	fi
	dir=$(bash scripts/chroot.sh dir "$m")
	# a fresh copy of the tree, without build products or test output
	rm -rf "$dir/home/pdtest/src"
	mkdir -p "$dir/home/pdtest/src"
	tar -c --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
		--exclude=tmp_check --exclude=tmp_check_nopreload --exclude=results \
		--exclude=results_nopreload --exclude=log . | tar -x -C "$dir/home/pdtest/src"
	chroot "$dir" chown -R pdtest: /home/pdtest/src
	echo "=== matrix: PostgreSQL $m in $dir"
	bash scripts/chroot.sh run "$m" \
		"cd /home/pdtest/src && PROVE_TESTS='${PROVE_TESTS:-}' bash scripts/matrix-leg.sh $m" \
		2>&1 | tee "$logs/leg-$m.log"
	p=$(awk '/^result /{s+=$3} END {print s+0}' "$logs/leg-$m.log")
	f=$(awk '/^result /{s+=$5} END {print s+0}' "$logs/leg-$m.log")
	s=$(awk '/^result /{s+=$7} END {print s+0}' "$logs/leg-$m.log")
	# a leg that reported nothing (crashed chroot, killed run) failed
	grep -q '^result tap ' "$logs/leg-$m.log" || f=$((f + 1))
	passed=$((passed + p))
	failed=$((failed + f))
	summary+=("$(printf 'pg%-3s %-40s %4d passed, %d failed, %d test files skipped, %d s' "$m" \
		"$(grep -m1 '^=== PostgreSQL' "$logs/leg-$m.log" | sed 's/^=== //' | cut -c1-40)" \
		"$p" "$f" "$s" $(( $(date +%s) - start )))")
done

echo
echo "=== matrix summary"
printf '%s\n' "${summary[@]}"
echo "logs: $logs"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
