#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=dash
#
# Runs inside the harness root.  Builds a second initramfs archive (newc
# cpio, appended to the harness one by run-guest.sh --initrd-extra) with
# Debian's DPDK for a net_iavf guest:
#  - dpdk-testpmd (extracted from the dpdk-dev package into
#    /harness/dpdk-dev: the package itself cannot be installed next to
#    trixie-backports' QEMU) and the shared libraries ldd reports,
#  - the PMD directory with the drivers a net_iavf port needs (bus_pci,
#    net_iavf, mempool_ring) and their libraries,
#  - the VFIO modules and their dependencies in /lib/modules/dpdk-load-order
#    (the harness init loads only its own list).
#
# usage: KV=<kernel version> KDIR=<unpacked kernel> sh build-dpdk-cpio.sh OUT MODULE...

set -e
OUT=$1
shift
MODDIR=$KDIR/usr/lib/modules/$KV
TESTPMD=/harness/dpdk-dev/usr/bin/dpdk-testpmd
[ -f "$MODDIR/modules.dep" ] || { echo "build-dpdk-cpio: no $MODDIR/modules.dep" >&2; exit 1; }
[ -x "$TESTPMD" ] || { echo "build-dpdk-cpio: no $TESTPMD" >&2; exit 1; }
# shellcheck disable=SC2012 # one directory, a plain name
PMDS=$(ls -d /usr/lib/x86_64-linux-gnu/dpdk/pmds-* | tail -n 1)
[ -d "$PMDS" ] || { echo "build-dpdk-cpio: no DPDK PMD directory" >&2; exit 1; }

S=$(mktemp -d /tmp/dpdk-emu-dpdk-cpio.XXXXXX)
trap 'rm -rf "$S"' EXIT
mkdir -p "$S/bin" "$S/lib/modules" "$S/dev/hugepages" "$S/var/run"
mkdir -p "$S$PMDS"

# copy_libs FILE: the libraries ldd reports for FILE, at their own paths.
copy_libs() {
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$S$lib" ] && continue
		mkdir -p "$S${lib%/*}"
		cp -L "$lib" "$S$lib"
	done
	if ldd "$1" | grep -q 'not found'; then
		echo "build-dpdk-cpio: $1: $(ldd "$1" | grep 'not found' | tr -d '\t' | tr '\n' ' ')" >&2
		exit 1
	fi
}

cp -L "$TESTPMD" "$S/bin/dpdk-testpmd"
copy_libs "$TESTPMD"
# EAL loads every driver in the PMD directory: only these go there.
# EAL takes the names ending in .so or .so.<ABI version> (25.0).
for d in bus_pci net_iavf common_iavf mempool_ring; do
	for f in "$PMDS/librte_$d".so*; do
		[ -e "$f" ] || { echo "build-dpdk-cpio: no $f" >&2; exit 1; }
		# links stay links: one file, loaded once (ldd's copy or dlopen's)
		r=$(readlink -f "$f")
		mkdir -p "$S${r%/*}"
		[ -e "$S$r" ] || cp "$r" "$S$r"
		[ "$r" = "$f" ] || cp -P "$f" "$S$f"
		copy_libs "$f"
	done
done

# Modules, dependencies first (as build-initramfs.sh).
: >"$S/lib/modules/dpdk-load-order"
resolve() {
	local line path d n
	line=$(grep -E "(^|/)$1\.ko(\.xz|\.zst|\.gz)?:" "$MODDIR/modules.dep") ||
		{ echo "build-dpdk-cpio: no module $1 in $MODDIR" >&2; exit 1; }
	for d in ${line#*:}; do
		n=${d##*/}
		resolve "${n%%.ko*}"
	done
	grep -qx "$1" "$S/lib/modules/dpdk-load-order" && return 0
	path=$MODDIR/${line%%:*}
	case $path in
	*.xz) xz -dc "$path" >"$S/lib/modules/$1.ko" ;;
	*.zst) zstd -dcq "$path" >"$S/lib/modules/$1.ko" ;;
	*.gz) gzip -dc "$path" >"$S/lib/modules/$1.ko" ;;
	*) cp "$path" "$S/lib/modules/$1.ko" ;;
	esac
	echo "$1" >>"$S/lib/modules/dpdk-load-order"
}
for m in "$@"; do
	resolve "$m"
done
echo "modules (load order): $(tr '\n' ' ' <"$S/lib/modules/dpdk-load-order")"

(cd "$S" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
ls -l "$OUT"
