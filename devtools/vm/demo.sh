#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Demo: two QEMU 11 guests talk to each other through DPDK.  dpdk-testpmd
# serves two emulated Intel AVFs over vfio-user (net_avfbe0's, emu_iavf1) and forwards
# between their data-path ports (net_avfbe0 <-> net_avfbe1); each guest
# drives its AVF with the stock Linux iavf driver.  Shows the guests' links,
# pings, a TCP transfer and iperf3 throughput, and testpmd's port statistics.
#
# usage: devtools/vm/demo.sh [BUILD_DIR]    (as root, after devtools/build.sh
#        BUILD_DIR and devtools/vm/setup.sh; BUILD_DIR defaults to "build")
#
# Exit status 0 when everything worked; otherwise 1 and the logs are kept.

set -o pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
GS=$TOP/devtools/vm/guest-scripts
# shellcheck source-path=SCRIPTDIR
. "$TOP/devtools/vm/vm2vm.sh"

say() {
	echo "==> $*"
}
failed() {
	echo "demo FAILED: $*"
	VM2VM_KEEP=1
	echo "logs: $VM2VM_DIR (testpmd.log, vm0.console, vm1.console)"
	exit 1
}
# show NAME ERE SED: the console lines of guest NAME matching ERE, edited.
show() {
	grep -aE "$2" "$(vm2vm_console "$1")" | sed -E "$3" | sed "s/^/    $1  /"
}

case ${1:-} in -h | --help) sed -n 's/^# usage: //p; s/^#        /        /p' "$0"; exit 0 ;; esac
[ "$(id -u)" = 0 ] || { echo "error: the demo needs root (QEMU runs chrooted)" >&2; exit 1; }
"$TOP/devtools/vm/setup.sh" >/dev/null || { echo "error: devtools/vm/setup.sh failed" >&2; exit 1; }
vm2vm_init "${1:-build}" || exit 1
t0=$(date +%s)

say "starting DPDK: two emulated AVFs served over vfio-user, io forwarding between their ports"
vm2vm_start_testpmd || failed "testpmd did not start"
echo "    dpdk-testpmd ${VM2VM_TP_ARGS[*]}"
vm2vm_tp_cmd 10 start 'forwards packets' >/dev/null || failed "testpmd: start"

say "booting two QEMU 11 guests (stock Linux iavf driver), one emulated AVF each"
echo "    qemu-system-x86_64 ... -device '{\"driver\":\"vfio-user-pci\",\"socket\":{\"path\":\"$(vm2vm_sock 0)\",\"type\":\"unix\"}}'"
echo "    qemu-system-x86_64 ... -device '{\"driver\":\"vfio-user-pci\",\"socket\":{\"path\":\"$(vm2vm_sock 1)\",\"type\":\"unix\"}}'"
s0=$(vm2vm_guest_script vm0 10.0.0.1 10.0.0.2 "$GS/vm2vm-server.sh" VM2VM_MIB=64)
s1=$(vm2vm_guest_script vm1 10.0.0.2 10.0.0.1 "$GS/vm2vm-client.sh" VM2VM_PHASE=full \
	VM2VM_MIB=64 VM2VM_IPERF=5 VM2VM_QUIT=1)
vm2vm_start_guest vm0 0 "$s0" 400
vm2vm_start_guest vm1 1 "$s1" 400
rc0=0
rc1=0
vm2vm_wait_guest vm1 420 || rc1=$?
vm2vm_wait_guest vm0 60 || rc0=$?

say "the guests' network interfaces (iavf, 8086:1889)"
for g in vm0 vm1; do
	show "$g" '^VM2VM DMESG .*iavf .*(MAC address|NIC Link is Up)' 's/^VM2VM DMESG \[ *[0-9.]*\] //'
	show "$g" '^VM2VM (LINK|ADDR)' 's/^VM2VM (LINK|ADDR) *//' | head -n 2
	echo "    $g  offloads: $(grep -a '^VM2VM OFFLOAD' "$(vm2vm_console "$g")" |
		sed -E 's/^VM2VM OFFLOAD [^ ]* //; s/-offload//; s/: /=/' | paste -sd' ')"
done

say "ping (56 bytes; 1472: full 1500-byte frames; 4000 and 8000: IP fragments)"
show vm1 '^VM2VM PING .*transmitted' 's/^VM2VM PING //'
show vm0 '^VM2VM PING .*transmitted' 's/^VM2VM PING //'

say "TCP: 64 MiB of random data each way with nc (guest offloads on), MD5 at both ends"
show vm1 '^VM2VM XFER ' 's/^VM2VM XFER full //'
say "iperf3, 5 s each way"
show vm1 '^VM2VM IPERF .*receiver' 's/^VM2VM IPERF vm1 reverse:.* ([0-9.]+ Mbits\/sec).*/10.0.0.1 -> 10.0.0.2: \1/; s/^VM2VM IPERF vm1:.* ([0-9.]+ Mbits\/sec).*/10.0.0.2 -> 10.0.0.1: \1/'

say "testpmd: show port stats all"
vm2vm_tp_alive || failed "testpmd exited"
vm2vm_port_stats | grep -E 'NIC statistics|packets|errors|bytes' | sed 's/^ */    /'

say "what the guests' checks say"
nchecks=0
nfail=0
for g in vm0 vm1; do
	c=$(grep -ac '^CHECK ' "$(vm2vm_console "$g")")
	f=$(grep -ac '^CHECK FAIL' "$(vm2vm_console "$g")")
	nchecks=$((nchecks + c))
	nfail=$((nfail + f))
	grep -a '^CHECK FAIL' "$(vm2vm_console "$g")" | sed "s/^/    $g  /"
done
echo "    $nchecks checks in the guests, $nfail failed (run-guest status: vm0 $rc0, vm1 $rc1)"
if [ "$nfail" != 0 ] || [ "$rc0" != 0 ] || [ "$rc1" != 0 ] || [ "$nchecks" -lt 20 ]; then
	failed "see the lines above"
fi
vm2vm_stop_testpmd
say "demo passed in $(($(date +%s) - t0)) s"
