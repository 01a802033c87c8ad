#!/usr/bin/env bash
# Runs every probe_detect test on a machine that make setup (setup.sh) has
# prepared, as "make test" does:
# C unit tests, the libFuzzer harness, pg_regress with and without the
# module preloaded, and the TAP tests.  Ends with "N passed, N failed".
#
# As root the suites run as an unprivileged user in a copy of the tree
# (PostgreSQL refuses to run as root).  FUZZ_SECONDS sets the fuzzing time.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

export PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config

if [ "$(id -u)" = 0 ]; then
	work=$(mktemp -d /tmp/probe_detect-test.XXXXXX)
	cp -a . "$work/src"
	chown -R "$TEST_USER" "$work"
	work="$work/src"
else
	work=$(pwd)
fi
logs=$(mktemp -d /tmp/probe_detect-logs.XXXXXX)
chmod 777 "$logs"

passed=0
failed=0
summary=()

# run_suite NAME COMMAND...: runs in $work as the test user, output teed.
run_suite()
{
	local name=$1
	shift
	echo "=== $name"
	(cd "$work" && as_pg_user env PG_CONFIG="$PG_CONFIG" "$@") 2>&1 | tee "$logs/$name.log"
	return "${PIPESTATUS[0]}"
}

add()
{
	local name=$1 p=$2 f=$3
	passed=$((passed + p))
	failed=$((failed + f))
	summary+=("$(printf '%-22s %4d passed, %d failed' "$name" "$p" "$f")")
}

# C unit tests: each program prints its own "N passed, N failed".
run_suite unit make -s unit
unit_rc=$?
read -r up uf < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/unit.log" |
	awk '{p += $1; f += $3} END {print p + 0, f + 0}')
if [ "$up" -eq 0 ] || { [ "$unit_rc" -ne 0 ] && [ "$uf" -eq 0 ]; }; then
	uf=$((uf + 1))				# a program that did not report
fi
add unit "$up" "$uf"

# libFuzzer with ASan and UBSan for a fixed time: one test.
if run_suite fuzz make -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}"; then
	add fuzz 1 0
else
	add fuzz 0 1
fi

# pg_regress, preloaded and not.
for suite in regress-preload regress-nopreload; do
	run_suite "$suite" make -s "$suite"
	read -r p f < <(count_regress "$logs/$suite.log")
	add "$suite" "$p" "$f"
	[ "$f" -eq 0 ] || cat "$work"/results*/regression.diffs "$work"/regression.diffs 2>/dev/null | head -100
done

# TAP: count assertions.
run_suite tap make -s tap
log="$logs/tap.log"
read -r p f _ < <(count_tap "$log")
add tap "$p" "$f"
if ! grep -q '^Result: PASS' "$log"; then
	for f in "$work"/tmp_check/log/regress_log_*; do
		[ -e "$f" ] && { echo "--- $f"; grep -B3 -A8 'not ok' "$f" | head -60; }
	done
fi

# The same TAP tests against the module built with UBSan.
echo "=== tap-ubsan"
bash scripts/sanitize.sh "$work" 2>&1 | tee "$logs/tap-ubsan.log"
asan_rc=${PIPESTATUS[0]}
log="$logs/tap-ubsan.log"
read -r p f _ < <(count_tap "$log")
reports=$(grep -c '^sanitizer reports:' "$log" || true)
extra=0
[ "$asan_rc" -ne 0 ] && [ "$f" -eq 0 ] && [ "$reports" -eq 0 ] && extra=1
add tap-ubsan "$p" $((f + reports + extra))

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "logs: $logs"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
