#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=dash
#
# Runs inside the harness root.  Builds the guest's initramfs (uncompressed
# newc cpio: unpacking it costs the TCG guest nothing) from
#  - busybox-static with every applet linked into /bin,
#  - iperf3 and ethtool with the shared libraries ldd reports,
#  - the listed kernel modules and their dependencies (modules.dep order),
#    decompressed so busybox insmod can load them,
#  - the harness files from SRC: init, harness-lib.sh, pci-list.
#
# usage: KV=<kernel version> sh build-initramfs.sh SRC OUT MODULE...

set -e
SRC=$1
OUT=$2
shift 2
MODDIR=$KDIR/usr/lib/modules/$KV
[ -f "$MODDIR/modules.dep" ] || { echo "build-initramfs: no $MODDIR/modules.dep" >&2; exit 1; }

S=$(mktemp -d /tmp/dpdk-emu-initramfs.XXXXXX)
trap 'rm -rf "$S"' EXIT
mkdir -p "$S/bin" "$S/lib/modules" "$S/lib64" "$S/usr" "$S/etc" "$S/proc" \
	"$S/sys" "$S/dev" "$S/tmp" "$S/root" "$S/harness"
ln -s bin "$S/sbin"
ln -s ../bin "$S/usr/bin"
ln -s ../bin "$S/usr/sbin"
chmod 1777 "$S/tmp"
# The kernel opens /dev/console for init before devtmpfs is mounted.
mknod -m 600 "$S/dev/console" c 5 1
mknod -m 666 "$S/dev/null" c 1 3

cp /usr/bin/busybox "$S/bin/busybox"
for a in $(/usr/bin/busybox --list); do
	[ -e "$S/bin/$a" ] || ln -s busybox "$S/bin/$a"
done

# copy_elf PROGRAM: the binary into /bin, its libraries at their own paths.
copy_elf() {
	p=$(command -v "$1") || { echo "build-initramfs: $1 is not installed in the root" >&2; exit 1; }
	rm -f "$S/bin/$1"
	cp -L "$p" "$S/bin/$1"
	ldd "$p" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$S$lib" ] && continue
		mkdir -p "$S${lib%/*}"
		cp -L "$lib" "$S$lib"
	done
}
copy_elf iperf3
copy_elf ethtool
# glibc dlopen()s libgcc_s for pthread_cancel (iperf3 uses it); ldd cannot see it.
p=$(ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ { print $NF; exit }')
[ -n "$p" ] || { echo "build-initramfs: libgcc_s.so.1 is not installed in the root" >&2; exit 1; }
mkdir -p "$S${p%/*}"
cp -L "$p" "$S$p"

# Modules with their dependencies, dependencies first (modules.dep lists a
# module's dependencies after the colon).
: >"$S/lib/modules/load-order"
resolve() {
	local line path d n
	line=$(grep -E "(^|/)$1\.ko(\.xz|\.zst|\.gz)?:" "$MODDIR/modules.dep") ||
		{ echo "build-initramfs: no module $1 in $MODDIR" >&2; exit 1; }
	for d in ${line#*:}; do
		n=${d##*/}
		resolve "${n%%.ko*}"
	done
	grep -qx "$1" "$S/lib/modules/load-order" && return 0
	path=$MODDIR/${line%%:*}
	case $path in
	*.xz) xz -dc "$path" >"$S/lib/modules/$1.ko" ;;
	*.zst) zstd -dcq "$path" >"$S/lib/modules/$1.ko" ;;
	*.gz) gzip -dc "$path" >"$S/lib/modules/$1.ko" ;;
	*) cp "$path" "$S/lib/modules/$1.ko" ;;
	esac
	echo "$1" >>"$S/lib/modules/load-order"
}
for m in "$@"; do
	resolve "$m"
done
echo "modules (load order): $(tr '\n' ' ' <"$S/lib/modules/load-order")"

install -m 755 "$SRC/init" "$S/init"
install -m 644 "$SRC/harness-lib.sh" "$S/bin/harness-lib.sh"
install -m 755 "$SRC/pci-list" "$S/bin/pci-list"
echo "root:x:0:0:root:/root:/bin/sh" >"$S/etc/passwd"
echo "root:x:0:" >"$S/etc/group"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$S/etc/hosts"

(cd "$S" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
ls -l "$OUT"
