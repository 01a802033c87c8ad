#!/usr/bin/env bash
# The module built with UndefinedBehaviorSanitizer (and bounds checks) and
# run under the TAP tests that drive every path: capture, ring floods, the
# classifier, authentication, operator controls, refusing.  Any report fails
# the run (a report aborts the process, and the tests look for crashes).
# Called by scripts/test.sh as root (it installs the instrumented build, runs,
# then reinstalls the normal one) or by a user who may install with sudo.
#
# AddressSanitizer is not used here: Debian's postgres binary is not built
# with it, and preloading libasan into it deadlocks in glibc's
# bindtextdomain() at start-up (seen with gcc 12 / glibc 2.36).  The code
# that parses network bytes runs under ASan in the libFuzzer harnesses.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}

work=$1						# a writable copy of the tree, owned by the test user
reports=$(mktemp -d /tmp/probe_detect-ubsan.XXXXXX)
chmod 777 "$reports"
san="-fsanitize=undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

# the instrumented build, installed in place of the normal one
(cd "$work" && as_pg_user make -s clean >/dev/null &&
	as_pg_user make -s PG_CONFIG="$PG_CONFIG" with_llvm=no \
		PG_CFLAGS="-Wall -Wextra -Werror $san" SHLIB_LINK="$san" >/dev/null) || exit 1
(cd "$work" && as_root make -s PG_CONFIG="$PG_CONFIG" with_llvm=no install >/dev/null) || exit 1

(cd "$work" && as_pg_user env \
	UBSAN_OPTIONS="print_stacktrace=1:log_path=$reports/ubsan" \
	make -s PG_CONFIG="$PG_CONFIG" tap \
	PROVE_TESTS="t/001_capture.pl t/002_ring.pl t/005_classify.pl t/006_auth.pl t/007_controls.pl t/010_refuse.pl")
rc=$?

# back to the normal build
(cd "$work" && as_pg_user make -s clean >/dev/null && as_pg_user make -s PG_CONFIG="$PG_CONFIG" >/dev/null &&
	as_root make -s PG_CONFIG="$PG_CONFIG" install >/dev/null)

if ls "$reports"/* >/dev/null 2>&1; then
	echo "sanitizer reports:"
	head -60 "$reports"/*
	rc=1
else
	echo "no sanitizer report"
fi
rm -rf "$reports"
exit $rc
