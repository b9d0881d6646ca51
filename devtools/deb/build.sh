#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the plugin package dpdk-emu-avf_<version>_amd64.deb: librte_vfio_user,
# librte_emudev, librte_emu_iavf and librte_net_iavf_be as shared objects for
# Debian bookworm's own DPDK 22.11 (ABI 23).  dpkg-buildpackage runs in the
# cached bookworm root (devtools/vm/setup-bookworm.sh) against its libdpdk-dev,
# with Debian's flags (debian/rules); the driver-SDK headers libdpdk-dev lacks
# (ethdev_driver.h, ethdev_vdev.h, bus_vdev_driver.h, bus_driver.h,
# dev_driver.h) and drivers/common/iavf's headers come from the same DPDK
# source (devtools/dpdk-source.sh), whose Debian version must be the root's.
#
# usage: devtools/deb/build.sh [--install]     (as root)
#   --install   also install the package into the bookworm root (apt resolves
#               its dependencies there), as a user would on a bookworm machine
# Prints the path of the .deb (out/deb/) on its last line.  Nothing is built
# (or installed) again while the package's inputs are unchanged (their hash
# is kept in out/deb/.inputs and in the root).  Build log: out/deb/build.log.

set -e -o pipefail
. "$(dirname "$0")/../vm/lib/vm-common.sh"

install=
case ${1:-} in
--install) install=1 ;;
"") ;;
*) die "usage: devtools/deb/build.sh [--install]" ;;
esac

need_root
"$EMU_TOP/devtools/vm/setup-bookworm.sh" >&2
src=$("$EMU_TOP/devtools/dpdk-source.sh")
src_ver=$(cat "$src/.debian-version")
root_ver=$(bw_chroot dpkg-query -W -f='${Version}' librte-ethdev23)
[ "$src_ver" = "$root_ver" ] ||
	die "the DPDK source is $src_ver but the bookworm root has $root_ver: update the root (chroot $BW_ROOT apt-get update && apt-get upgrade), then re-run"

proj_ver=$(sed -n "s/^ *version: '\([^']*\)',/\1/p" "$EMU_TOP/meson.build" | head -n 1)
upstream=${src_ver%%-*}
version=$proj_ver+dpdk$upstream
out=$EMU_TOP/out/deb
mkdir -p "$out"
LOG=$out/build.log

# build_deb: assemble the package source in the root, dpkg-buildpackage.
build_deb() {
	work=$VM_HARNESS/deb
	pkg=$work/dpdk-emu-$version
	rm -rf "$BW_ROOT$work"
	mkdir -p "$BW_ROOT$pkg/sdk" "$BW_ROOT$pkg/drivers/common/iavf"

	# The patchset at its DPDK paths, the package's meson.build and debian/.
	place() {
		mkdir -p "$BW_ROOT$pkg/$2"
		cp -a "$EMU_TOP/$1/." "$BW_ROOT$pkg/$2/"
	}
	place lib/librte_vfio_user lib/vfio_user
	place lib/librte_emudev lib/emudev
	place drivers/emu/iavf drivers/emu/iavf
	place drivers/net/iavf_be drivers/net/iavf_be
	cp "$EMU_TOP/devtools/deb/meson.build" "$BW_ROOT$pkg/"
	cp -a "$EMU_TOP/devtools/deb/debian" "$BW_ROOT$pkg/"
	# From the DPDK source Debian's packages are built from.
	for h in lib/ethdev/ethdev_driver.h lib/ethdev/ethdev_vdev.h \
			drivers/bus/vdev/bus_vdev_driver.h lib/eal/include/bus_driver.h \
			lib/eal/include/dev_driver.h; do
		[ -f "$src/$h" ] || die "$src has no $h: is it DPDK 22.11? (devtools/dpdk-source.sh)"
		cp "$src/$h" "$BW_ROOT$pkg/sdk/"
	done
	cp "$src/drivers/version.map" "$BW_ROOT$pkg/sdk/driver-version.map"
	cp "$src"/drivers/common/iavf/*.h "$BW_ROOT$pkg/drivers/common/iavf/"
	cat >"$BW_ROOT$pkg/debian/changelog" <<EOF
dpdk-emu ($version) bookworm; urgency=medium

  * Built against Debian's dpdk $src_ver.

 -- DPDK device emulation authors <dpdk-emu@localhost>  $(date -R)
EOF

	log "building dpdk-emu-avf $version in the bookworm root (dpkg-buildpackage, log: $LOG)" >&2
	if ! bw_chroot sh -c "cd $pkg && dpkg-buildpackage -b -us -uc" >"$LOG" 2>&1 </dev/null; then
		grep -E 'error:|Error:|ERROR:' "$LOG" | head -n 20 >&2
		die "dpkg-buildpackage failed: see $LOG"
	fi
	cp "$BW_ROOT$work/$deb" "$out/"
	rm -rf "$BW_ROOT$work"
}

deb=dpdk-emu-avf_${version}_amd64.deb

# Everything the package is made of: skip the build when nothing changed.
inputs=$( (cd "$EMU_TOP" && find lib/librte_vfio_user lib/librte_emudev drivers/emu/iavf \
	drivers/net/iavf_be devtools/deb -type f ! -name '*.pyc' | LC_ALL=C sort |
	xargs sha256sum; echo "$src_ver") | sha256sum | cut -d' ' -f1)
if [ -f "$out/$deb" ] && [ "$(cat "$out/.inputs" 2>/dev/null)" = "$inputs" ]; then
	log "dpdk-emu-avf $version is up to date ($out/$deb)" >&2
else
	build_deb
	echo "$inputs" >"$out/.inputs"
fi
if [ -n "$install" ] && { [ "$(cat "$BW_STAMPS/dpdk-emu-avf" 2>/dev/null)" != "$inputs" ] ||
		[ "$(bw_chroot dpkg-query -W -f='${Version}' dpdk-emu-avf 2>/dev/null)" != "$version" ]; }; then
	log "installing $deb into the bookworm root" >&2
	mkdir -p "$BW_ROOT$VM_HARNESS/debs"
	cp "$out/$deb" "$BW_ROOT$VM_HARNESS/debs/"
	bw_chroot apt-get install -y -q --no-install-recommends --reinstall \
		"$VM_HARNESS/debs/$deb" >>"$LOG" 2>&1 </dev/null ||
		die "apt-get install $deb in the bookworm root failed: see $LOG"
	echo "$inputs" >"$BW_STAMPS/dpdk-emu-avf"
fi
echo "$out/$deb"
