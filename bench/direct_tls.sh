#!/usr/bin/env bash
# make bench-direct-tls: what capturing direct TLS costs a real client on
# PostgreSQL 17+, where probe_detect turns trace_connection_negotiation on
# and hides its lines.  Debian's own 17 in the matrix's chroot
# (scripts/chroot.sh), two clusters side by side, as in make bench.  Not a
# test: nothing passes or fails.  Writes bench/RESULTS-17.md.  Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
MAJOR=${BENCH_MAJOR:-17}
bash scripts/chroot.sh setup "$MAJOR"
dir=$(bash scripts/chroot.sh dir "$MAJOR")
rm -rf "$dir/home/pdtest/bench"
mkdir -p "$dir/home/pdtest/bench"
tar -c --exclude=.git --exclude='*.o' --exclude='*.so' --exclude=tmp_check . |
	tar -x -C "$dir/home/pdtest/bench"
chroot "$dir" chown -R pdtest: /home/pdtest/bench
bash scripts/chroot.sh run "$MAJOR" "cd /home/pdtest/bench &&
	runuser -u pdtest -- make -s PG_CONFIG=/usr/lib/postgresql/$MAJOR/bin/pg_config >/dev/null &&
	make -s PG_CONFIG=/usr/lib/postgresql/$MAJOR/bin/pg_config install >/dev/null &&
	runuser -u pdtest -- env BENCH_ROUNDS='${BENCH_ROUNDS:-8}' BENCH_SECONDS='${BENCH_SECONDS:-5}' \
		bash bench/direct_tls_clusters.sh /home/pdtest/bench/work $MAJOR"
cp "$dir/home/pdtest/bench/work/RESULTS.md" "bench/RESULTS-$MAJOR.md"
cat "bench/RESULTS-$MAJOR.md"
echo "written: bench/RESULTS-$MAJOR.md"
