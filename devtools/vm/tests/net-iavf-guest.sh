#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vm-test-kernels: trixie (a DPDK net_iavf guest: the kernel only hosts VFIO)
#
# DPDK's own net_iavf as the guest driver: Debian trixie's dpdk-testpmd
# (24.11, added to the guest by devtools/vm/setup-dpdk.sh) drives the
# emulated AVF through vfio-pci behind an emulated IOMMU (QEMU intel-iommu,
# caching-mode=on; the guest kernel has no VFIO no-IOMMU mode). testpmd is
# started and quit 3 times in one boot (1, 2, 1 queue pairs): every quit
# sends RESET_VF and tears its admin queue down while its interrupt thread
# may still walk the ARQ, the sequence that crashed the second run when the
# reset acted inside the RESET_VF write.
#
# Each run, with exact counts: the guest's --tx-first burst (32 packets a
# queue) reaches the host's rxonly port (2 queues); the host then sends 2
# bursts of 32 on each queue (start tx_first 2), which device RSS puts on
# the guest queues its RSS table names (all of them, also with 1 guest
# queue), the guest echoes them (io forwarding) and the host counts them
# back.
#
# usage: devtools/vm/tests/net-iavf-guest.sh [--build DIR]
#        (as root; DIR defaults to $BUILD or "build"; KEEP_LOGS=1 keeps the logs)

set -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
GS=$TOP/devtools/vm/guest-scripts
# shellcheck source-path=SCRIPTDIR/..
. "$TOP/devtools/vm/vm2vm.sh"
# shellcheck source=../lib/vm2vm-test.sh
. "$TOP/devtools/vm/lib/vm2vm-test.sh"
# shellcheck source-path=SCRIPTDIR/..
. "$TOP/devtools/vm/lib/vm-common.sh"

BUILD=${BUILD:-build}
vm_args "build=BUILD" "$@"

QUEUES=(1 2 1)
BURST=32
HOST_BURSTS=2
vt_begin net-iavf-guest net_iavf


# port0 FIELD: a counter of host port 0 (net_avfbe0, the guest's).
port0() {
	vm2vm_tp_cmd 10 "show port stats 0" |
		sed -n "s/.*$1: *\([0-9]*\).*/\1/p" | head -n 1
}

# wait_port0 FIELD VALUE SEC: until port 0's FIELD reaches VALUE.
wait_port0() {
	local n=$(($3 * 2)) v
	while [ "$n" -gt 0 ]; do
		v=$(port0 "$1")
		[ "${v:-0}" -ge "$2" ] && return 0
		kill -0 "${VM2VM_GPID[vm0]}" 2>/dev/null || return 1
		sleep 0.5
		n=$((n - 1))
	done
	return 1
}

[ "$(id -u)" = 0 ] || abort "setup: needs root (QEMU runs chrooted)"
"$TOP/devtools/vm/setup-dpdk.sh" >/dev/null || abort "setup: devtools/vm/setup-dpdk.sh failed"
vm2vm_init "$BUILD" || abort "setup: no run directory"
vm2vm_start_testpmd || abort "testpmd: did not start"
# as many host queues as the guest uses at most: each polls its guest queue
HQ=2
for c in "port stop all" "port config all rxq $HQ" "port config all txq $HQ" \
		"port start all" "set fwd rxonly" start; do
	vm2vm_tp_cmd 30 "$c" >/dev/null || abort "testpmd: $c"
done

script=$(vm2vm_guest_script vm0 10.0.0.1 10.0.0.2 "$GS/net-iavf-testpmd.sh" \
	"NETIAVF_RUNS=${#QUEUES[@]}" "NETIAVF_QUEUES='${QUEUES[*]}'" \
	"NETIAVF_EXPECT='$(for q in "${QUEUES[@]}"; do echo -n "$((HOST_BURSTS * BURST * HQ)) "; done)'")
vm2vm_start_guest vm0 0 "$script" 3600 --mem 1024 \
	--initrd-extra "$VM_ROOT$VM_OUT/dpdk-$VM_KERNEL.cpio" \
	--append "intel_iommu=on iommu=pt" \
	--qemu-arg -device --qemu-arg intel-iommu,caching-mode=on \
	--qemu-arg -cpu --qemu-arg max --qemu-arg -smp --qemu-arg 2

rx_base=0
tx_base=0
for i in "${!QUEUES[@]}"; do
	run=$((i + 1))
	q=${QUEUES[$i]}
	vm2vm_wait_console vm0 600 "^NETIAVF run=$run queues" ||
		abort "run $run: the guest did not start testpmd"
	# the guest's --tx-first burst: 32 packets per queue
	want=$((rx_base + q * BURST))
	wait_port0 RX-packets "$want" 900 ||
		abort "run $run: net_iavf's tx-first burst did not arrive (port 0 RX $(port0 RX-packets), want $want)"
	vm2vm_tp_cmd 10 stop >/dev/null
	vm2vm_tp_cmd 10 "start tx_first $HOST_BURSTS" >/dev/null ||
		abort "run $run: host start tx_first"
	# tx_first: HOST_BURSTS bursts on each host queue; device RSS
	# (rss=device) puts them all on the queues the guest's RSS table
	# names, also those sent on a host queue beyond the guest's q
	sent=$((HOST_BURSTS * BURST * HQ))
	want=$((want + sent))
	wait_port0 RX-packets "$want" 120 ||
		fail "run $run: echo of the host's bursts incomplete (port 0 RX $(port0 RX-packets), want $want)"
	vm2vm_wait_console vm0 600 "^NETIAVF run=$run rc=" ||
		abort "run $run: the guest's testpmd did not quit"
	line=$(grep -a "^NETIAVF run=$run rc=" "$(vm2vm_console vm0)")
	g_rx=$(sed -n 's/.* rx=\([0-9]*\).*/\1/p' <<<"$line")
	g_tx=$(sed -n 's/.* tx=\([0-9]*\).*/\1/p' <<<"$line")
	h_rx=$(port0 RX-packets)
	h_tx=$(port0 TX-packets)
	echo "  run $run ($q queue pairs): guest rx ${g_rx:-?} tx ${g_tx:-?}; host port 0 rx $((h_rx - rx_base)) tx $((h_tx - tx_base)) ($line)"
	check "net_iavf run $run: testpmd quit cleanly (Bye, no segfault)" \
		grep -aq "bye=1 segv=0" <<<"$line"
	check "net_iavf run $run ($q queue pairs): host sent $sent packets, the guest received exactly them" \
		test "$((h_tx - tx_base))" = "$sent" -a "${g_rx:-x}" = "$sent"
	check "net_iavf run $run ($q queue pairs): guest sent $((q * BURST)) + $sent packets, the host received exactly them" \
		test "${g_tx:-x}" = "$((q * BURST + sent))" -a "$((h_rx - rx_base))" = "${g_tx:-y}"
	rx_base=$h_rx
	tx_base=$h_tx
	vm2vm_tp_cmd 10 stop >/dev/null
	vm2vm_tp_cmd 10 start >/dev/null
done

rc=0
vm2vm_wait_guest vm0 300 || rc=$?
while read -r line; do
	case $line in
	"CHECK ok: "*) pass "vm0: ${line#CHECK ok: }" ;;
	"CHECK FAIL: "*) fail "vm0: ${line#CHECK FAIL: }" ;;
	esac
done < <(grep -a '^CHECK ' "$(vm2vm_console vm0)" || true)
grep -a '^NETIAVF log: ' "$(vm2vm_console vm0)" | sed 's/^/  /'
check "vm0: guest script passed (run-guest status $rc)" test "$rc" = 0
check "net_iavf: no 'not supported yet' (stale ARQ slots) in the guest's testpmd logs" \
	sh -c "! grep -aq 'not supported yet' '$(vm2vm_console vm0)'"
# QEMU warns "Could not enable error recovery" for every vfio-user device
qemu_vfio_errors() {
	grep -ahi 'vfio' "$VM2VM_DIR/vm0.run-guest.err" "$(vm2vm_console vm0)" |
		grep -aiE 'error|fail|= -[0-9]' | grep -av 'Could not enable error recovery'
}
check "QEMU: no vfio error lines ($(qemu_vfio_errors | wc -l))" \
	test -z "$(qemu_vfio_errors)"
check "testpmd (host) still running" vm2vm_tp_alive
vm2vm_stop_testpmd
finish
