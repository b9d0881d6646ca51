# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034
# Host-side helpers shared by the devtools/vm scripts (sourced, not executed).
#
# Bind mounts: every command that needs the root's /proc, /sys, /dev,
# /dev/pts and /tmp runs in a private mount namespace of its own
# (unshare -m) and binds them there.  The binds are never visible in the
# host's mount table and vanish with the last process of the namespace, even
# on SIGKILL, so several guests can run at once without a reference count and
# an "rm -rf" of the cache can never walk into the host's /dev or /tmp.

VM_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$VM_HERE/../lib/common.sh"

VM_DIR=$EMU_CACHE/vm
VM_ROOT=$VM_DIR/root
# Inside the root: kernel tree, built artefacts and stage stamps.
VM_HARNESS=/harness
VM_STAMPS=$VM_ROOT$VM_HARNESS/stamps
VM_OUT=$VM_HARNESS/out
# Held shared by every running guest, exclusively by a setup that replaces the root.
VM_GUESTS_LOCK=$VM_DIR/guests.lock

# The guest kernel: trixie (Debian 13's kernel, 6.12) or backports
# (trixie-backports, 7.x).  setup.sh installs both; VM_KERNEL picks the one a
# guest boots.  Each has its own modules tree, vmlinux and initramfs.
VM_KERNELS="trixie backports"
VM_KERNEL=${VM_KERNEL:-trixie}
case " $VM_KERNELS " in
*" $VM_KERNEL "*) ;;
*) die "VM_KERNEL=$VM_KERNEL: use one of: $VM_KERNELS" ;;
esac
# vm_args SPEC ARG...: a test script's options.  SPEC lists NAME=VAR words:
# "--NAME VALUE" and "--NAME=VALUE" set VAR (defaults are the caller's);
# a word +NAME=VAR is a flag: "--NAME" sets VAR to 1.  --help prints the
# script's "# usage:" block (up to its first empty comment line).  Anything
# else is an error.
vm_args() {
	local spec=$1 opt name set
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		-h | --help)
			sed -n '/^# usage: /,/^#*$/{/^#*$/d; s/^# usage: //; s/^#//; p}' "$0"
			exit 0 ;;
		esac
		set=
		for opt in $spec; do
			name=${opt%%=*}
			case $name:$1 in
			+*:--"${name#+}")
				printf -v "${opt#*=}" '%s' 1
				set=1
				break ;;
			+*:--"${name#+}"=*)
				echo "${1%%=*} takes no value (see --help)" >&2
				exit 2 ;;
			+*:*) ;;
			*:--"$name")
				[ $# -ge 2 ] || { echo "$1 needs a value (see --help)" >&2; exit 2; }
				printf -v "${opt#*=}" '%s' "$2"
				set=2
				break ;;
			*:--"$name"=*)
				printf -v "${opt#*=}" '%s' "${1#*=}"
				set=1
				break ;;
			esac
		done
		[ -n "$set" ] || { echo "unknown argument '$1' (see --help)" >&2; exit 2; }
		shift "$set"
	done
}

# vm_kernel_dir FLAVOUR: the unpacked kernel packages, inside the root.
vm_kernel_dir() {
	echo "$VM_HARNESS/kernel-$1"
}
# vm_vmlinux FLAVOUR: its uncompressed kernel image, inside the root.
vm_vmlinux() {
	echo "$VM_OUT/vmlinux-$1"
}
# vm_kernel_version [FLAVOUR]: its version (uname -r), once set up.
vm_kernel_version() {
	cat "$VM_STAMPS/kernel-${1:-$VM_KERNEL}" 2>/dev/null || echo "(not set up)"
}
# vm_guest_desc DRIVER: what a guest test ran on, for its verdict line.
vm_guest_desc() {
	echo "$1 guest, Linux $(vm_kernel_version)"
}

# Files whose content goes into the initramfs or decides how it is built.
VM_INITRAMFS_SOURCES=("$VM_HERE/guest/init" "$VM_HERE/guest/harness-lib.sh"
	"$VM_HERE/guest/pci-list" "$VM_HERE/in-root/build-initramfs.sh")
# Kernel modules in the initramfs (with their dependencies; /init loads them
# all): iavf for the emulated AVF, virtio_net for vhost-user NICs (the
# trixie kernel has virtio, virtio_ring and virtio_pci built in), 8021q for
# VLAN subinterfaces.
VM_INITRAMFS_MODULES="iavf virtio_net 8021q"

vm_initramfs_sources_hash() {
	{
		cat "${VM_INITRAMFS_SOURCES[@]}"
		echo "modules: $VM_INITRAMFS_MODULES"
	} | sha256sum | cut -d' ' -f1
}

# vm_initramfs [FLAVOUR]: the initramfs of this tree's guest files for the
# kernel FLAVOUR (default VM_KERNEL), inside the root.  One file per content
# hash, so that work trees with different guest files share the cache
# without rebuilding each other's (setup.sh keeps the most recently set up
# ones).
vm_initramfs() {
	echo "$VM_OUT/initramfs-${1:-$VM_KERNEL}-$(vm_initramfs_sources_hash | cut -c1-16).cpio"
}

# Mount points under DIR in this mount namespace, deepest first.
vm_mounts_under() {
	local dir=$1
	awk -v d="$dir/" '{ p = $5; gsub(/\\040/, " ", p); if (index(p "/", d) == 1) print p }' \
		/proc/self/mountinfo | sort -r
}

# Unmount everything mounted under DIR (left by older tools or a crashed
# debootstrap run outside a namespace).  Fails if something stays mounted.
vm_umount_under() {
	local dir=$1 m
	for m in $(vm_mounts_under "$dir"); do
		umount "$m" 2>/dev/null || umount -l "$m" ||
			die "cannot unmount $m: stop the processes using it (fuser -vm $m), then re-run"
	done
	[ -z "$(vm_mounts_under "$dir")" ] ||
		die "mounts remain under $dir: unmount them (devtools/vm/umount.sh) before deleting it"
}

# Delete DIR, but only after making sure nothing is mounted below it.
vm_safe_rm() {
	local dir=$1
	[ -e "$dir" ] || return 0
	case $dir in
	"$VM_DIR"/*) ;;
	*) die "internal error: refusing to delete $dir (outside $VM_DIR)" ;;
	esac
	vm_umount_under "$dir"
	rm -rf --one-file-system "$dir"
}

# The script that binds /proc /sys /dev /dev/pts /dev/shm /tmp from the host
# into the root given as its first argument, then execs the rest.
# shellcheck disable=SC2016
VM_NS_BIND='
	r=$1
	shift
	for d in proc sys dev dev/pts dev/shm tmp; do
		[ -d "/$d" ] || continue
		mkdir -p "$r/$d"
		mount --bind "/$d" "$r/$d" || { echo "cannot bind /$d into $r" >&2; exit 125; }
	done
	exec "$@"'

# VM_NS CMD...: run CMD (a program on the host) in a private mount namespace
# in which the root has /proc /sys /dev /dev/pts /dev/shm /tmp bound from the
# host.  An array, so it can follow "timeout" or "exec".
VM_NS=(unshare --mount --propagation private /bin/sh -c "$VM_NS_BIND" vm-ns "$VM_ROOT")

# The Debian bookworm root (devtools/vm/setup-bookworm.sh): Debian's own DPDK
# 22.11 (dpdk-dev's testpmd), Open vSwitch with DPDK and the build tools of
# the plugin package.  BW_NS is VM_NS for it.
BW_ROOT=$VM_DIR/bookworm
BW_STAMPS=$BW_ROOT$VM_HARNESS/stamps
BW_NS=(unshare --mount --propagation private /bin/sh -c "$VM_NS_BIND" vm-ns "$BW_ROOT")

# bw_chroot CMD...: run CMD inside the bookworm root.
bw_chroot() {
	"${BW_NS[@]}" chroot "$BW_ROOT" "$@"
}

vm_in_ns() {
	"${VM_NS[@]}" "$@"
}

# vm_chroot CMD...: run CMD inside the root (binds as for vm_in_ns).
vm_chroot() {
	vm_in_ns chroot "$VM_ROOT" "$@"
}
