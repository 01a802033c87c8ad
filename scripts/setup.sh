#!/usr/bin/env bash
# Installs everything probe_detect needs to build, test and demo on Debian 12,
# then builds and installs the module.  Idempotent: installs only what is
# missing.  As root it installs directly; as another user it uses sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

packages=(
	make gcc clang libclang-rt-14-dev
	"postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR" libkrb5-dev zlib1g-dev
	libipc-run-perl
	nmap curl openssh-client openssl fail2ban prometheus-postgres-exporter hydra
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	# Debian's server package would create and start a "main" cluster on
	# port 5432; we only want the binaries.
	if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
		as_root mkdir -p /etc/postgresql-common/createcluster.d
		echo 'create_main_cluster = false' |
			as_root tee /etc/postgresql-common/createcluster.d/probe_detect.conf >/dev/null
	fi
	# the matrix (make matrix) may be installing debootstrap: wait for the lock
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq -o DPkg::Lock::Timeout=900
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=900 \
		--no-install-recommends "${missing[@]}" >/dev/null
fi

# PostgreSQL refuses to run as root: tests and the demo run as $TEST_USER.
if [ "$(id -u)" = 0 ] && ! id "$TEST_USER" >/dev/null 2>&1; then
	useradd --create-home --shell /bin/bash "$TEST_USER"
fi

export PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
make -s PG_CONFIG="$PG_CONFIG" >/dev/null
as_root make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
echo "setup: probe_detect built and installed for PostgreSQL $PG_MAJOR"
