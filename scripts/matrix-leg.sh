#!/usr/bin/env bash
# One leg of the version matrix, run as root inside that version's chroot
# (scripts/matrix.sh copies the tree to /home/pdtest/src and calls this):
# builds and installs the module against Debian's own PostgreSQL MAJOR, then
# runs pg_regress (preloaded and not) and the TAP tests as the unprivileged
# user.  Prints one "result SUITE P passed, F failed, S skipped" line per
# suite (S: test files skipped whole, such as valgrind's where it is absent).
set -uo pipefail
major=$1
cd "$(dirname "$0")/.."
. scripts/common.sh
export PG_CONFIG=/usr/lib/postgresql/$major/bin/pg_config
logs=/home/pdtest/logs
rm -rf "$logs" && mkdir -p "$logs" && chown "$TEST_USER" "$logs"

echo "=== PostgreSQL $("$PG_CONFIG" --version | sed 's/^PostgreSQL //') ($(. /etc/os-release; echo "$PRETTY_NAME"))"
if ! { as_pg_user make -s PG_CONFIG="$PG_CONFIG" && make -s PG_CONFIG="$PG_CONFIG" install; } \
	>"$logs/build.log" 2>&1; then
	cat "$logs/build.log"
	echo "result build 0 passed, 1 failed, 0 skipped"
	exit 1
fi
grep -E 'warning|error' "$logs/build.log" || true
echo "result build 1 passed, 0 failed, 0 skipped"

rc=0
for suite in regress-preload regress-nopreload; do
	as_pg_user make -s PG_CONFIG="$PG_CONFIG" "$suite" >"$logs/$suite.log" 2>&1
	read -r p f < <(count_regress "$logs/$suite.log")
	if [ "$f" -ne 0 ]; then
		tail -20 "$logs/$suite.log"
		cat results*/regression.diffs regression.diffs 2>/dev/null | head -150
		rc=1
	fi
	echo "result $suite $p passed, $f failed, 0 skipped"
done

# TAP: every script; PROVE_TESTS may narrow it.
as_pg_user make -s PG_CONFIG="$PG_CONFIG" tap ${PROVE_TESTS:+PROVE_TESTS="$PROVE_TESTS"} \
	>"$logs/tap.log" 2>&1
read -r p f s < <(count_tap "$logs/tap.log")
grep -E '^t/|^Files=|^Result' "$logs/tap.log"
if [ "$f" -ne 0 ]; then
	for l in tmp_check/log/regress_log_*; do
		[ -e "$l" ] && grep -q 'not ok' "$l" && {
			echo "--- $l"
			grep -B5 -A12 'not ok' "$l" | head -80
		}
	done
	rc=1
fi
echo "result tap $p passed, $f failed, $s skipped"
exit $rc
