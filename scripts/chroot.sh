#!/usr/bin/env bash
# A Debian chroot with one PostgreSQL major's own server packages, for the
# version matrix (scripts/matrix.sh).  Run as root.
#
#   chroot.sh setup MAJOR     build the chroot unless a complete one is cached
#   chroot.sh run MAJOR CMD   run CMD (a shell command) inside it as root,
#                             with /proc, /sys and /dev mounted for the call
#   chroot.sh dir MAJOR       print where it lives
#
# Each major comes from the Debian release that ships it; 19 is sid with
# PostgreSQL's own packages from experimental.  Chroots are cached under
# $PD_CHROOT_ROOT (default /var/cache/probe_detect) and rebuilt when the
# recipe below changes or the last setup did not finish.
set -euo pipefail

MIRROR=${PD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
ROOT=${PD_CHROOT_ROOT:-/var/cache/probe_detect}

release_of()
{
	case $1 in
		13) echo bullseye ;;
		15) echo bookworm ;;
		17) echo trixie ;;
		18) echo sid ;;
		19) echo sid ;;
		*) echo "no Debian release ships PostgreSQL $1" >&2; return 1 ;;
	esac
}

# What the tests need inside: the server and its headers (libpq-be.h needs
# gssapi.h, and on bullseye openssl headers), a compiler, the TAP modules,
# zlib (probe_detect_logscan reads gzip-compressed logs), and the real
# clients the TAP tests send.
packages_of()
{
	local major=$1 pg
	if [ "$major" = 19 ]; then
		pg="postgresql-19/experimental postgresql-server-dev-19/experimental libpq-dev/experimental libpq5/experimental postgresql-client-19/experimental"
	else
		pg="postgresql-$major postgresql-server-dev-$major"
	fi
	echo "$pg libkrb5-dev libssl-dev zlib1g-dev make gcc libc6-dev perl libipc-run-perl util-linux procps nmap curl openssl openssh-client ca-certificates"
}

dir_of()
{
	echo "$ROOT/pg$1-$(release_of "$1")"
}

# A stamp of the recipe: a changed package list rebuilds the chroot.
stamp_of()
{
	echo "v1 $(release_of "$1") $(packages_of "$1")" | md5sum | cut -c1-12
}

mounted=()
mount_all()
{
	local d=$1
	mount -t proc proc "$d/proc"
	mounted=("$d/proc")
	mount --rbind /sys "$d/sys" && mount --make-rslave "$d/sys"
	mounted+=("$d/sys")
	mount --rbind /dev "$d/dev" && mount --make-rslave "$d/dev"
	mounted+=("$d/dev")
	cp -L /etc/resolv.conf "$d/etc/resolv.conf" 2>/dev/null || true
}

# Refuse to delete a directory with anything mounted under it: with /dev
# bind-mounted, rm -rf would empty the host's /dev.
safe_rm()
{
	local d
	d=$(realpath -m "$1")
	if awk -v d="$d" '$2 == d || index($2, d "/") == 1 {found = 1} END {exit !found}' /proc/mounts; then
		echo "chroot: $d still has mounts under it; not removing it" >&2
		return 1
	fi
	rm -rf "$d"
}

umount_all()
{
	local m
	for m in "${mounted[@]}"; do
		umount -R -l "$m" 2>/dev/null || true
	done
	mounted=()
}

setup()
{
	local major=$1 release dir stamp
	release=$(release_of "$major")
	dir=$(dir_of "$major")
	stamp=$(stamp_of "$major")
	if [ -f "$dir/.probe_detect-ready" ] && [ "$(cat "$dir/.probe_detect-ready")" = "$stamp" ]; then
		echo "chroot: $dir is ready (cached)"
		return 0
	fi
	if ! command -v debootstrap >/dev/null; then
		# make test may be running apt on the host at the same time: wait for its lock
		local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=900)
		"${apt[@]}" install -y --no-install-recommends debootstrap >/dev/null 2>&1 ||
			{ "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends debootstrap >/dev/null; }
	fi
	safe_rm "$dir.tmp"
	mkdir -p "$ROOT"
	echo "chroot: debootstrap $release into $dir"
	debootstrap --variant=minbase "$release" "$dir.tmp" "$MIRROR" >"$ROOT/debootstrap-pg$major.log" 2>&1 || {
		tail -20 "$ROOT/debootstrap-pg$major.log" >&2
		return 1
	}
	# No service starts, no "main" cluster, sid's Release may be stale.
	printf '#!/bin/sh\nexit 101\n' >"$dir.tmp/usr/sbin/policy-rc.d"
	chmod 755 "$dir.tmp/usr/sbin/policy-rc.d"
	mkdir -p "$dir.tmp/etc/postgresql-common/createcluster.d"
	echo 'create_main_cluster = false' >"$dir.tmp/etc/postgresql-common/createcluster.d/probe_detect.conf"
	printf 'Acquire::Check-Valid-Until "false";\nAPT::Install-Recommends "false";\n' \
		>"$dir.tmp/etc/apt/apt.conf.d/90probe_detect"
	if [ "$major" = 19 ]; then
		echo "deb $MIRROR experimental main" >"$dir.tmp/etc/apt/sources.list.d/experimental.list"
	fi
	trap umount_all EXIT
	mount_all "$dir.tmp"
	# shellcheck disable=SC2046
	chroot "$dir.tmp" /bin/sh -c "export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq &&
		apt-get install -y -qq $(packages_of "$major") >/dev/null &&
		apt-get clean" >"$ROOT/apt-pg$major.log" 2>&1 || {
		tail -30 "$ROOT/apt-pg$major.log" >&2
		umount_all
		return 1
	}
	chroot "$dir.tmp" useradd --create-home --shell /bin/bash pdtest
	umount_all
	trap - EXIT
	safe_rm "$dir" || return 1
	echo "$stamp" >"$dir.tmp/.probe_detect-ready"
	mv "$dir.tmp" "$dir"
	echo "chroot: $dir is ready"
}

run()
{
	local major=$1 dir
	shift
	dir=$(dir_of "$major")
	trap umount_all EXIT
	mount_all "$dir"
	local rc=0
	chroot "$dir" /bin/bash -c "$*" || rc=$?
	umount_all
	trap - EXIT
	return $rc
}

cmd=${1:-}
shift || true
case $cmd in
	setup)
		# one setup per chroot at a time; a second caller waits, then finds it cached
		mkdir -p "$ROOT"
		exec 9>"$ROOT/.lock-pg$1"
		flock 9
		setup "$@"
		;;
	run) run "$@" ;;
	dir) dir_of "$@" ;;
	*) echo "usage: $0 setup|run|dir MAJOR [CMD]" >&2; exit 2 ;;
esac
