#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Adds Debian trixie's DPDK to the guest harness, for tests whose guest
# drives the emulated AVF with DPDK's net_iavf instead of Linux iavf:
# installs the DPDK runtime libraries dpdk-testpmd needs into the harness
# root, extracts dpdk-testpmd from the dpdk-dev package (which cannot be
# installed there: its -dev dependencies conflict with trixie-backports'
# QEMU), and builds $EMU_CACHE/vm/root/harness/out/dpdk-$VM_KERNEL.cpio
# (testpmd, its libraries, the net_iavf PMD, the VFIO modules of the guest
# kernel VM_KERNEL), which run-guest.sh
# --initrd-extra appends to the harness initramfs. Runs devtools/vm/setup.sh
# first. A second run with nothing changed takes well under a second.
#
# usage: devtools/vm/setup-dpdk.sh        (as root)

set -e -o pipefail
# shellcheck source=devtools/vm/lib/vm-common.sh
. "$(dirname "$0")/lib/vm-common.sh"
# shellcheck source=devtools/vm/lib/setup-common.sh
. "$VM_HERE/lib/setup-common.sh"

setup_begin setup-dpdk "$VM_STAMPS"
"$VM_HERE/setup.sh"
kv=$(vm_kernel_version)
CPIO=$VM_OUT/dpdk-$VM_KERNEL.cpio

# DPDK runtime libraries dpdk-testpmd links (24.11: ABI 25), the PMDs.
LIBS="eal kvargs log telemetry ring mempool mbuf net meter ethdev pci cmdline
hash rcu timer security cryptodev crypto-scheduler reorder bus-vdev bus-pci
bitratestats metrics latencystats bpf gro gso ip-frag pdump pcapng sched
eventdev dmadev net-bnxt net-i40e net-ixgbe net-ice net-iavf common-iavf
net-bond bus-dpaa common-dpaax mempool-dpaa net-dpaa net-mlx5 common-mlx5
bus-auxiliary mempool-ring"
pkgs=""
for l in $LIBS; do
	case $l in
	*mlx5) pkgs="$pkgs librte-$l-25" ;;
	*) pkgs="$pkgs librte-${l}25" ;;
	esac
done
want="$(echo "$pkgs" | sha256sum | cut -d' ' -f1) $(sha256sum <"$VM_HERE/in-root/build-dpdk-cpio.sh" | cut -d' ' -f1) $kv"
if stamp_ok "dpdk-$VM_KERNEL" "$want" && [ -f "$VM_ROOT$CPIO" ]; then
	log "DPDK archive up to date ($(($(stat -c %s "$VM_ROOT$CPIO") / 1024)) KiB)"
	exit 0
fi

log "installing the DPDK runtime libraries into the root"
# shellcheck disable=SC2086 # one word per package
run_net "apt-get install of the DPDK libraries (root)" \
	vm_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends $pkgs libjansson4 libpcap0.8t64
log "extracting dpdk-testpmd from dpdk-dev"
run_net "getting dpdk-testpmd from dpdk-dev (root)" vm_chroot sh -c 'set -e
	rm -rf /harness/dpdk-dev /tmp/dpdk-dev-deb
	mkdir -p /harness/dpdk-dev /tmp/dpdk-dev-deb; cd /tmp/dpdk-dev-deb
	apt-get download -q dpdk-dev
	dpkg-deb -x dpdk-dev_*.deb /harness/dpdk-dev
	rm -rf /tmp/dpdk-dev-deb'
log "building $CPIO"
mkdir -p "$VM_ROOT$VM_HARNESS/guest"
cp "$VM_HERE/in-root/build-dpdk-cpio.sh" "$VM_ROOT$VM_HARNESS/guest/"
mark=$(wc -l <"$LOG")
run "building $CPIO" vm_chroot env KV="$kv" KDIR="$(vm_kernel_dir "$VM_KERNEL")" \
	sh "$VM_HARNESS/guest/build-dpdk-cpio.sh" "$CPIO" vfio-pci vfio_iommu_type1
stamp_set "dpdk-$VM_KERNEL" "$want"
log "DPDK archive ready ($(($(stat -c %s "$VM_ROOT$CPIO") / 1024)) KiB): $(tail -n +"$mark" "$LOG" | grep -a 'modules (load order)')"
