#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build (once) and cache the real-guest harness: a Debian trixie root with
# QEMU 11.x (trixie-backports) that runs the guests, the trixie kernel as an
# uncompressed vmlinux (PVH entry) and a busybox initramfs with iavf,
# virtio_net, iperf3 and ethtool.  Idempotent: every stage leaves a stamp in the root, a run with
# everything in place takes seconds.  The initramfs is rebuilt when the guest
# files (devtools/vm/guest/*, in-root/build-initramfs.sh) change.
#
# usage: devtools/vm/setup.sh          (as root; EMU_CACHE, default /var/cache/dpdk-emu)
# Result: $EMU_CACHE/vm/root, log in $EMU_CACHE/vm/setup.log.

set -e -o pipefail
. "$(dirname "$0")/lib/vm-common.sh"

# Packages installed into the root.  The guest-side ones are copied into the
# initramfs with their libraries.
ROOT_PACKAGES="busybox-static cpio kmod zstd xz-utils iperf3 ethtool"
ROOT_SPACE_MIB=2048

need_root
mkdir -p "$VM_DIR"
LOG=$VM_DIR/setup.log

exec 8>"$VM_DIR/setup.lock"
if ! flock -n 8; then
	log "another setup.sh is running, waiting for it"
	flock 8
fi
# Keep the verbose output of earlier runs (a cached run must not wipe the
# log of the build), within reason.
[ ! -f "$LOG" ] || [ "$(stat -c %s "$LOG")" -lt 10485760 ] || mv -f "$LOG" "$LOG.old"
echo "=== devtools/vm/setup.sh $(date -u '+%F %T') UTC" >>"$LOG"

# run DESCRIPTION CMD...: run CMD with its output in the log; on failure say
# what failed and where to look.  run_net: the same for commands that download.
run() {
	local what=$1
	shift
	echo "+ $*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 </dev/null ||
		die "$what failed (details in $LOG): fix the cause shown there, then re-run devtools/vm/setup.sh"
}

run_net() {
	local what=$1
	shift
	echo "+ $*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 </dev/null ||
		die "$what failed (details in $LOG): check the network, apt proxy and Debian archive reachability, then re-run devtools/vm/setup.sh"
}

stamp_ok() {
	[ -f "$VM_STAMPS/$1" ] && [ "$(cat "$VM_STAMPS/$1")" = "$2" ]
}

stamp_set() {
	mkdir -p "$VM_STAMPS"
	echo "$2" >"$VM_STAMPS/$1"
}

t0=$(date +%s)

# --- host tools -----------------------------------------------------------
if ! command -v debootstrap >/dev/null; then
	log "installing debootstrap on the host"
	run_net "apt-get update (host)" apt-get update -q
	run_net "apt-get install debootstrap (host)" apt-get install -y -q debootstrap
fi

# --- stage 1: the trixie root ----------------------------------------------
if ! stamp_ok debootstrap trixie-minbase; then
	# A root without the stamp is a leftover of a failed run: start again, but
	# never while a guest is using it.
	exec 7>"$VM_GUESTS_LOCK"
	flock -n 7 || { log "waiting for running guests to finish"; flock 7; }
	need_space "$VM_DIR" "$ROOT_SPACE_MIB"
	log "creating the Debian trixie root in $VM_ROOT (debootstrap, about a minute)"
	vm_safe_rm "$VM_ROOT"
	# In a private mount namespace: whatever debootstrap mounts dies with it.
	# No mirror argument: debootstrap's default archive is used.
	run_net "debootstrap --variant=minbase trixie" \
		unshare --mount --propagation private debootstrap --variant=minbase trixie "$VM_ROOT"
	stamp_set debootstrap trixie-minbase
	exec 7>&-
fi

# --- stage 2: packages in the root -------------------------------------------
if ! stamp_ok packages "qemu-system-x86(trixie-backports) $ROOT_PACKAGES"; then
	need_space "$VM_DIR" 1024
	log "installing QEMU from trixie-backports and the guest tools into the root"
	# trixie-backports: the archive line debootstrap wrote, with the suite renamed.
	sed -n 's/^deb \([^ ]*\) trixie main$/deb \1 trixie-backports main/p' \
		"$VM_ROOT/etc/apt/sources.list" >"$VM_ROOT/etc/apt/sources.list.d/trixie-backports.list"
	[ -s "$VM_ROOT/etc/apt/sources.list.d/trixie-backports.list" ] ||
		die "cannot derive the trixie-backports line from $VM_ROOT/etc/apt/sources.list: remove $VM_ROOT (devtools/vm/umount.sh first) and re-run"
	cp -L /etc/resolv.conf "$VM_ROOT/etc/resolv.conf" 2>/dev/null || true
	export DEBIAN_FRONTEND=noninteractive
	run_net "apt-get update (root)" vm_chroot apt-get update -q
	run_net "apt-get install -t trixie-backports qemu-system-x86 (root)" \
		vm_chroot apt-get install -y -q --no-install-recommends -t trixie-backports qemu-system-x86
	# shellcheck disable=SC2086
	run_net "apt-get install $ROOT_PACKAGES (root)" \
		vm_chroot apt-get install -y -q --no-install-recommends $ROOT_PACKAGES
	run "apt-get clean (root)" vm_chroot apt-get clean
	qv=$(vm_chroot qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9.]*\).*/\1/p')
	case $qv in
	11.*) ;;
	*) die "the root's QEMU is '$qv', 11.x is needed for vfio-user-pci: check trixie-backports in $VM_ROOT/etc/apt/sources.list.d" ;;
	esac
	stamp_set packages "qemu-system-x86(trixie-backports) $ROOT_PACKAGES"
fi

# --- stage 3: the guest kernel ----------------------------------------------
if [ ! -f "$VM_STAMPS/kernel" ] || [ ! -f "$VM_ROOT$VM_OUT/vmlinux" ]; then
	log "fetching the current trixie kernel (linux-image-amd64)"
	kpkg=$(vm_chroot apt-cache depends linux-image-amd64 |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1)
	[ -n "$kpkg" ] || die "cannot resolve linux-image-amd64 in the root (details in $LOG): run 'chroot $VM_ROOT apt-cache depends linux-image-amd64' to see why"
	rm -rf "$VM_ROOT$VM_HARNESS/debs" "$VM_ROOT$VM_HARNESS/kernel"
	mkdir -p "$VM_ROOT$VM_HARNESS/debs" "$VM_ROOT$VM_OUT"
	run_net "apt-get download $kpkg (root)" \
		vm_chroot sh -c "cd $VM_HARNESS/debs && apt-get download $kpkg"
	run "unpacking $kpkg" vm_chroot sh -c "dpkg-deb -x $VM_HARNESS/debs/${kpkg}_*.deb $VM_HARNESS/kernel"
	kv=${kpkg#linux-image-}
	run "depmod $kv" vm_chroot depmod -b "$VM_HARNESS/kernel/usr" "$kv"
	cp "$VM_HERE/in-root/extract-vmlinux.sh" "$VM_ROOT$VM_HARNESS/"
	run "extracting vmlinux from vmlinuz-$kv" vm_chroot sh "$VM_HARNESS/extract-vmlinux.sh" \
		"$VM_HARNESS/kernel/boot/vmlinuz-$kv" "$VM_OUT/vmlinux"
	rm -rf "$VM_ROOT$VM_HARNESS/debs"
	rm -f "$VM_STAMPS/initramfs" "$VM_ROOT$VM_OUT"/initramfs-*.cpio
	stamp_set kernel "$kv"
fi
kv=$(cat "$VM_STAMPS/kernel")

# --- stage 4: the initramfs --------------------------------------------------
# Named by the hash of its sources (vm_initramfs): trees with other guest
# files keep theirs.  Built for the kernel of the stamp (a new kernel removes
# them all, above).
initramfs=$(vm_initramfs)
if [ ! -f "$VM_ROOT$initramfs" ]; then
	log "building the guest initramfs (modules: $VM_INITRAMFS_MODULES)"
	need_space "$VM_DIR" 200
	rm -rf "$VM_ROOT$VM_HARNESS/guest"
	mkdir -p "$VM_ROOT$VM_HARNESS/guest"
	cp "$VM_HERE"/guest/* "$VM_HERE/in-root/build-initramfs.sh" "$VM_ROOT$VM_HARNESS/guest/"
	# shellcheck disable=SC2086 # one argument per module
	run "building the initramfs" vm_chroot env KV="$kv" \
		sh "$VM_HARNESS/guest/build-initramfs.sh" "$VM_HARNESS/guest" "$initramfs" $VM_INITRAMFS_MODULES
fi
# The most recently set up four stay (every test runs setup.sh first).
touch "$VM_ROOT$initramfs"
# shellcheck disable=SC2012 # names without blanks
ls -t "$VM_ROOT$VM_OUT"/initramfs-*.cpio | tail -n +5 | xargs -r rm -f

qv=$(vm_chroot qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p')
log "ready in $(($(date +%s) - t0)) s: QEMU $qv, guest kernel $kv, initramfs ${initramfs##*/} $(($(stat -c %s "$VM_ROOT$initramfs") / 1024)) KiB"
