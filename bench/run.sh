#!/usr/bin/env bash
# make bench: probe_detect's cost, measured side by side in one run, with and
# without the module, on two throwaway clusters on loopback.  Not a test:
# nothing here passes or fails.  Writes bench/RESULTS.md and (a login's cost
# with refusing on, empty ring against full) bench/RESULTS-refuse.md;
# "bash bench/run.sh refuse" (make bench-refuse) runs only the latter;
# "bash bench/run.sh feed" (make bench-feed) only the ban feed's cost per
# probe and a scrape's cost (bench/RESULTS-feed.md).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

export PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
work=$(mktemp -d /tmp/probe_detect-bench.XXXXXX)
cp -a bench unit classify pd_*.c pd_*.h "$work/"
if [ "$(id -u)" = 0 ]; then chown -R "$TEST_USER" "$work"; fi
if [ "${1:-}" = feed ]; then
	as_pg_user bash bench/feed_cost.sh "$work" "$PG_MAJOR"
	cp "$work/RESULTS-feed.md" bench/RESULTS-feed.md
	echo "written: bench/RESULTS-feed.md"
	rm -rf "$work"
	exit 0
fi
if [ "${1:-}" != refuse ]; then
	as_pg_user bash bench/clusters.sh "$work" "$PG_MAJOR"
	cp "$work/RESULTS.md" bench/RESULTS.md
	echo "written: bench/RESULTS.md"
fi
as_pg_user bash bench/refuse_cost.sh "$work" "$PG_MAJOR"
cp "$work/RESULTS-refuse.md" bench/RESULTS-refuse.md
echo "written: bench/RESULTS-refuse.md"
rm -rf "$work"
