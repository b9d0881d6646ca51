#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vm-test-kernels: all (Linux iavf guests: run on every guest kernel)
#
# VLAN offload with real guests: two Linux iavf guests talk over 802.1Q
# VLAN 100 subinterfaces (8021q) through testpmd (io forwarding between
# net_avfbe0 and net_avfbe1).  The device grants VIRTCHNL_VF_OFFLOAD_VLAN,
# so the guests' drivers hand the tag to the device (IL2TAG1 on transmit),
# add VLAN 100 as a filter (ADD_VLAN) and take received tags from the
# descriptor (stripping on, the default).  Checks:
#  - the guests report rx-vlan-offload, tx-vlan-offload and rx-vlan-filter
#    on; pings, 16 MiB TCP transfers each way (MD5 at both ends) and iperf3
#    over VLAN 100;
#  - the port counted the guests' tag insertions (rx vlan_insert_packets)
#    and the tags it stripped to the guests' descriptors (tx
#    vlan_strip_packets);
#  - ARP broadcasts of the client on VLAN 200, which the server never
#    added, are filtered and counted at the server's device (tx
#    vlan_filtered of net_avfbe0);
#  - no bad descriptors, no iavf error in the guests' kernels.
#
# usage: devtools/vm/tests/avfbe-vlan.sh [--build DIR]
#        (as root; DIR defaults to $BUILD or "build"; KEEP_LOGS=1 keeps the
#        logs)
#
# Prints one "PASS <check>" or "FAIL <check>" line per check, then
# "PASS avfbe-vlan [...]" (exit 0) or "FAIL avfbe-vlan [...]" (exit 1).

set -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
GS=$TOP/devtools/vm/guest-scripts
# shellcheck source-path=SCRIPTDIR/..
. "$TOP/devtools/vm/vm2vm.sh"
# shellcheck source=../lib/vm2vm-test.sh
. "$TOP/devtools/vm/lib/vm2vm-test.sh"

BUILD=${BUILD:-build}
vm_args "build=BUILD" "$@"

vt_begin avfbe-vlan
VT_REPORTS='(OFFLOAD .*vlan|XFER .* bytes in|IPERF .*receiver|PING VLAN)'

# xstat NAME: the sum of testpmd's extended statistics NAME over all ports
# and queues ("show port xstats all"); NAME is a regular expression.
xstat_sum() {
	echo "$1" | sed -n "s/^ *$2: *\\([0-9]*\\)$/\\1/p" | awk '{ s += $1 } END { print s + 0 }'
}

vt_forward 1

s0=$(vm2vm_guest_script vm0 10.0.0.1 10.0.0.2 "$GS/vm2vm-server.sh" \
	VM2VM_VLAN=100 VM2VM_MIB=16)
vm2vm_start_guest vm0 0 "$s0" 600
s1=$(vm2vm_guest_script vm1 10.0.0.2 10.0.0.1 "$GS/vm2vm-client.sh" \
	VM2VM_VLAN=100 VM2VM_VLAN_OTHER=200 VM2VM_PHASE=vlan VM2VM_MIB=16 \
	VM2VM_IPERF=3 VM2VM_QUIT=1)
vm2vm_start_guest vm1 1 "$s1" 600
rc=0
vm2vm_wait_guest vm1 600 || rc=$?
guest_checks vm1
check "vm1: guest script passed (run-guest status $rc)" test "$rc" = 0
rc=0
vm2vm_wait_guest vm0 120 || rc=$?
guest_checks vm0
check "vm0: guest script passed (run-guest status $rc)" test "$rc" = 0

x0=$(vm2vm_tp_cmd 10 "show port xstats 0")
x1=$(vm2vm_tp_cmd 10 "show port xstats 1")
for p in 0 1; do
	x=$x0
	[ "$p" = 0 ] || x=$x1
	ins=$(xstat_sum "$x" 'rx_q[0-9]*_vlan_insert_packets')
	strip=$(xstat_sum "$x" 'tx_q[0-9]*_vlan_strip_packets')
	echo "  port $p: guest tag insertions $ins, tags stripped to the guest's descriptors $strip"
	check "port $p: the guest's driver had the device insert its tags ($ins)" test "$ins" -gt 1000
	check "port $p: tags stripped to the guest's Rx descriptors ($strip)" test "$strip" -gt 1000
done
filt=$(xstat_sum "$x0" 'tx_q[0-9]*_vlan_filtered')
check "VLAN 200 (never added by vm0): $filt frames filtered at vm0's device" test "$filt" -gt 0
filt1=$(xstat_sum "$x1" 'tx_q[0-9]*_vlan_filtered')
check "VLAN 100 (added by both): nothing filtered at vm1's device ($filt1)" test "$filt1" = 0
bad=$(echo "$x0$x1" | grep -E '(bad_desc_drops|bad_tail|invalid_drops|vlan_nombuf_drops): *[1-9]' || true)
check "xstats: no bad descriptors or dropped frames${bad:+: $(echo "$bad" | tr -s ' \n' ' ')}" test -z "$bad"
vm2vm_tp_alive || fail "testpmd died"
finish
