#!/usr/bin/env bash
# The demo: a throwaway cluster on loopback with probe_detect preloaded, real
# probes sent at it (nmap -sV, curl, ssh, a raw SMB negotiate, redis, TLS),
# and what probe_detect made of them.  Everything is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

dir=$(mktemp -d /tmp/probe_detect-demo.XXXXXX)
if [ "$(id -u)" = 0 ]; then
	chown "$TEST_USER" "$dir"
fi
as_pg_user bash scripts/demo-cluster.sh "$dir" "$PG_MAJOR"
