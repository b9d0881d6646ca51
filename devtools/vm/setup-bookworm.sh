#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build (once) and cache a Debian bookworm root with what users run: Debian's
# own DPDK 22.11 (dpdk-dev: dpdk-testpmd; the librte-*23 PMD packages), Open
# vSwitch with DPDK (openvswitch-switch-dpdk) and the tools that build the
# plugin package (devtools/deb/build.sh: libdpdk-dev, debhelper, meson).
# Idempotent: every stage leaves a stamp in the root, a cached run takes
# well under a second.
#
# usage: devtools/vm/setup-bookworm.sh     (as root; EMU_CACHE, default /var/cache/dpdk-emu)
# Result: $EMU_CACHE/vm/bookworm, log in $EMU_CACHE/vm/setup-bookworm.log.
# The root's DPDK is the version of the source the project builds on
# (devtools/dpdk-source.sh), checked here.

set -e -o pipefail
. "$(dirname "$0")/lib/vm-common.sh"
. "$VM_HERE/lib/setup-common.sh"

# Runtime: OVS with DPDK, testpmd, the PMDs a vdev port needs.  Build: the
# plugin package's Build-Depends (devtools/deb/debian/control).
BW_PACKAGES="openvswitch-switch-dpdk dpdk-dev librte-mempool-ring23 librte-bus-vdev23
	libdpdk-dev build-essential debhelper meson ninja-build pkg-config dpkg-dev fakeroot
	iproute2 procps"

setup_begin setup-bookworm "$BW_STAMPS"

# --- stage 1: the bookworm root ---------------------------------------------
setup_debootstrap bookworm "$BW_ROOT"

# --- stage 2: packages --------------------------------------------------------
want="$(echo $BW_PACKAGES)"
if ! stamp_ok packages "$want"; then
	need_space "$VM_DIR" 1024
	log "installing Open vSwitch with DPDK, Debian's DPDK and the build tools into the root"
	cp -L /etc/resolv.conf "$BW_ROOT/etc/resolv.conf" 2>/dev/null || true
	# No daemon starts in the root (no systemd there; the tests start OVS by hand).
	printf '#!/bin/sh\nexit 101\n' >"$BW_ROOT/usr/sbin/policy-rc.d"
	chmod 755 "$BW_ROOT/usr/sbin/policy-rc.d"
	run_net "apt-get update (bookworm root)" bw_chroot apt-get update -q
	# shellcheck disable=SC2086
	run_net "apt-get install $want (bookworm root)" \
		bw_chroot apt-get install -y -q --no-install-recommends $BW_PACKAGES
	bw_chroot apt-get clean >>"$LOG" 2>&1 || true
	stamp_set packages "$want"
fi

# The root's DPDK must be the source the plugins are built from.
have=$(bw_chroot dpkg-query -W -f='${Version}' librte-ethdev23)
src=$(cat "$EMU_CACHE/dpdk/current/.debian-version" 2>/dev/null || true)
[ -z "$src" ] || [ "$src" = "$have" ] ||
	die "the bookworm root has DPDK $have, the cached source is $src: run devtools/dpdk-source.sh and 'chroot $BW_ROOT apt-get update && apt-get upgrade' (or delete $BW_ROOT), then re-run"
log "bookworm root ready in $(($(date +%s) - SETUP_T0)) s: DPDK $have, $(bw_chroot dpkg-query -W -f='openvswitch-switch-dpdk ${Version}' openvswitch-switch-dpdk)"
