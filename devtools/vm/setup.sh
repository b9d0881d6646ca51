#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build (once) and cache the real-guest harness: a Debian trixie root with
# QEMU 11.x (trixie-backports) that runs the guests, two guest kernels as
# uncompressed vmlinux (PVH entry) -- trixie's (6.12) and trixie-backports'
# (7.x), picked with VM_KERNEL=trixie|backports -- and per kernel a busybox
# initramfs with iavf, virtio_net, 8021q, iperf3 and ethtool.  Idempotent:
# every stage leaves a stamp in the root, a run with everything in place
# takes seconds.  The initramfs is rebuilt when the guest files
# (devtools/vm/guest/*, in-root/build-initramfs.sh) change.
#
# usage: devtools/vm/setup.sh          (as root; EMU_CACHE, default /var/cache/dpdk-emu)
# Result: $EMU_CACHE/vm/root, log in $EMU_CACHE/vm/setup.log.

set -e -o pipefail
. "$(dirname "$0")/lib/vm-common.sh"
. "$VM_HERE/lib/setup-common.sh"

# Packages installed into the root.  The guest-side ones are copied into the
# initramfs with their libraries.
ROOT_PACKAGES="busybox-static cpio kmod zstd xz-utils iperf3 ethtool"

setup_begin setup "$VM_STAMPS"

# --- stage 1: the trixie root ----------------------------------------------
if ! stamp_ok debootstrap trixie-minbase; then
	# Never replace the root while a guest is using it.
	exec 7>"$VM_GUESTS_LOCK"
	flock -n 7 || { log "waiting for running guests to finish"; flock 7; }
	setup_debootstrap trixie "$VM_ROOT"
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

# --- stage 3: the guest kernels ---------------------------------------------
# install_kernel FLAVOUR SUITE: the current linux-image-amd64 of SUITE,
# unpacked (not installed) into vm_kernel_dir FLAVOUR, its modules indexed
# and its vmlinux extracted.  Newer kernels split the image package: the
# image depends on linux-binary-KV (vmlinuz) and linux-base-KV, the modules
# are in linux-modules-KV; all that exist are unpacked.
install_kernel() {
	local flavour=$1 suite=$2 kpkg kv kdir p pkgs vmlinuz
	kpkg=$(vm_chroot apt-cache depends -t "$suite" linux-image-amd64 |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1)
	[ -n "$kpkg" ] || die "cannot resolve linux-image-amd64 of $suite in the root: run 'chroot $VM_ROOT apt-cache depends -t $suite linux-image-amd64' to see why"
	kv=${kpkg#linux-image-}
	if [ "$(cat "$VM_STAMPS/kernel-$flavour" 2>/dev/null)" = "$kv" ] &&
	   [ -f "$VM_ROOT$(vm_vmlinux "$flavour")" ]; then
		return 0
	fi
	log "fetching the $suite kernel $kv"
	kdir=$(vm_kernel_dir "$flavour")
	pkgs=$kpkg
	for p in linux-binary-$kv linux-base-$kv linux-modules-$kv; do
		vm_chroot apt-cache show "$p" >/dev/null 2>&1 && pkgs="$pkgs $p"
	done
	rm -rf "$VM_ROOT$VM_HARNESS/debs" "$VM_ROOT$kdir"
	mkdir -p "$VM_ROOT$VM_HARNESS/debs" "$VM_ROOT$VM_OUT"
	run_net "apt-get download $pkgs (root)" \
		vm_chroot sh -c "cd $VM_HARNESS/debs && apt-get download -t $suite $pkgs"
	for p in $pkgs; do
		run "unpacking $p" vm_chroot sh -c "dpkg-deb -x $VM_HARNESS/debs/${p}_*.deb $kdir"
	done
	run "depmod $kv" vm_chroot depmod -b "$kdir/usr" "$kv"
	vmlinuz=$kdir/boot/vmlinuz-$kv
	[ -f "$VM_ROOT$vmlinuz" ] || vmlinuz=$kdir/usr/lib/modules/$kv/vmlinuz
	[ -f "$VM_ROOT$vmlinuz" ] || die "no vmlinuz in $pkgs (unpacked in $VM_ROOT$kdir)"
	cp "$VM_HERE/in-root/extract-vmlinux.sh" "$VM_ROOT$VM_HARNESS/"
	run "extracting vmlinux from $vmlinuz" vm_chroot sh "$VM_HARNESS/extract-vmlinux.sh" \
		"$vmlinuz" "$(vm_vmlinux "$flavour")"
	rm -rf "$VM_ROOT$VM_HARNESS/debs"
	rm -f "$VM_ROOT$VM_OUT"/initramfs-"$flavour"-*.cpio
	stamp_set "kernel-$flavour" "$kv"
}
# Layout of earlier versions of this script (one kernel): removed.
rm -rf "$VM_ROOT$VM_HARNESS/kernel" "$VM_ROOT$VM_OUT/vmlinux" "$VM_STAMPS/kernel" \
	"$VM_STAMPS/initramfs" "$VM_ROOT$VM_OUT"/initramfs-????????????????.cpio \
	"$VM_ROOT$VM_OUT/initramfs.cpio" "$VM_STAMPS/dpdk" "$VM_ROOT$VM_OUT/dpdk.cpio"
install_kernel trixie trixie
install_kernel backports trixie-backports

# --- stage 4: the initramfs, one per kernel -------------------------------
# Named by the kernel and the hash of its sources (vm_initramfs): trees with
# other guest files keep theirs.  A new kernel removes its own (above).
for flavour in $VM_KERNELS; do
	initramfs=$(vm_initramfs "$flavour")
	kv=$(vm_kernel_version "$flavour")
	if [ ! -f "$VM_ROOT$initramfs" ]; then
		log "building the $kv guest initramfs (modules: $VM_INITRAMFS_MODULES)"
		need_space "$VM_DIR" 200
		rm -rf "$VM_ROOT$VM_HARNESS/guest"
		mkdir -p "$VM_ROOT$VM_HARNESS/guest"
		cp "$VM_HERE"/guest/* "$VM_HERE/in-root/build-initramfs.sh" "$VM_ROOT$VM_HARNESS/guest/"
		# shellcheck disable=SC2086 # one argument per module
		run "building the $kv initramfs" vm_chroot env KV="$kv" \
			KDIR="$(vm_kernel_dir "$flavour")" \
			sh "$VM_HARNESS/guest/build-initramfs.sh" "$VM_HARNESS/guest" "$initramfs" $VM_INITRAMFS_MODULES
	fi
	# The most recently set up four per kernel stay (every test runs setup.sh first).
	touch "$VM_ROOT$initramfs"
	# shellcheck disable=SC2012 # names without blanks
	ls -t "$VM_ROOT$VM_OUT"/initramfs-"$flavour"-*.cpio | tail -n +5 | xargs -r rm -f
done

qv=$(vm_chroot qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p')
log "ready in $(($(date +%s) - SETUP_T0)) s: QEMU $qv, guest kernels $(vm_kernel_version trixie) (trixie) and $(vm_kernel_version backports) (backports)"
