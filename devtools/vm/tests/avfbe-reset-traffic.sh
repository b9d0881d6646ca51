#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vm-test-kernels: all (Linux iavf guests: run on every guest kernel)
#
# Resets under traffic with real guests: the client guest (Linux iavf,
# 2 vCPUs, so 2 queue pairs) streams 64 MiB over TCP to the server guest
# through testpmd (io forwarding between net_avfbe0 and net_avfbe1), paced
# so that it runs through the whole phase, while it resets its own device
# 20 times: MTU changes (1400/1500) and queue count changes (ethtool -L)
# make the driver reset the VF (RESET_VF), and a PCI function reset
# through sysfs resets the function.  Checks:
#  - the link comes back after every reset, and the device model counted
#    at least 20 resets of the client's device (telemetry);
#  - the stream's size and MD5 match at both ends, and it was still
#    running when the last reset was done;
#  - no bad-descriptor drop on the host (a stale tail consumed after a
#    reset would show as one), no invalid or oversize frame beyond the
#    MTU changes, no iavf error in the guests' kernels (the "Hardware reset
#    detected" of the function resets excepted).
#
# usage: devtools/vm/tests/avfbe-reset-traffic.sh [--build DIR] [--resets N]
#        (as root; DIR defaults to $BUILD or "build"; KEEP_LOGS=1 keeps the
#        logs)
#
# Prints one "PASS <check>" or "FAIL <check>" line per check, then
# "PASS avfbe-reset-traffic [...]" (exit 0) or "FAIL ..." (exit 1).

set -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
GS=$TOP/devtools/vm/guest-scripts
# shellcheck source-path=SCRIPTDIR/..
. "$TOP/devtools/vm/vm2vm.sh"
# shellcheck source=../lib/vm2vm-test.sh
. "$TOP/devtools/vm/lib/vm2vm-test.sh"

BUILD=${BUILD:-build}
RESETS=20
vm_args "build=BUILD resets=RESETS" "$@"
[[ $RESETS =~ ^[1-9][0-9]*$ ]] || { echo "--resets: a number, not '$RESETS'" >&2; exit 2; }

vt_begin avfbe-reset-traffic
VT_REPORTS='(RESET .*link back|RESETS-|XFER .*(bytes in|received))'

vt_forward 2

s0=$(vm2vm_guest_script vm0 10.0.0.1 10.0.0.2 "$GS/vm2vm-server.sh" \
	VM2VM_MIB=1 VM2VM_TIMEOUT=400)
vm2vm_start_guest vm0 0 "$s0" 900
s1=$(vm2vm_guest_script vm1 10.0.0.2 10.0.0.1 "$GS/vm2vm-client.sh" \
	VM2VM_PHASE=resets VM2VM_RESETS="$RESETS" VM2VM_MIB=64 \
	VM2VM_TIMEOUT=400 VM2VM_QUIT=1 "VM2VM_RESETS_OK='Hardware reset detected'")
vm2vm_start_guest vm1 1 "$s1" 900 --qemu-arg -smp --qemu-arg 2
rc=0
vm2vm_wait_guest vm1 900 || rc=$?
guest_checks vm1
check "vm1 (2 vCPUs, resets): guest script passed (run-guest status $rc)" test "$rc" = 0
rc=0
vm2vm_wait_guest vm0 120 || rc=$?
guest_checks vm0
check "vm0: guest script passed (run-guest status $rc)" test "$rc" = 0

c1=$(vm2vm_console vm1)
n=$(grep -acE '^VM2VM RESET [0-9]+ .*: link back' "$c1")
check "the link came back after each of the $RESETS resets ($n)" test "$n" = "$RESETS"
# vm1's device is emudev 1 (telemetry /emu_iavf/info,1: resets by cause)
vfr=$(vm2vm_tel /emu_iavf/info,1 resets vf_reset)
flr=$(vm2vm_tel /emu_iavf/info,1 resets function_level_reset)
stale=$(vm2vm_tel /emu_iavf/info,1 stale_tails)
echo "  vm1's device: $vfr VF resets (RESET_VF), $flr function level resets, $stale stale tail writes dropped"
check "the device model saw >= $RESETS resets of vm1's device ($vfr + $flr)" \
	test "$((${vfr:-0} + ${flr:-0}))" -ge "$RESETS"
# the stream's report comes after the last reset: it ran through all
order=$(grep -aoE '^VM2VM (RESETS-END|XFER resets .* bytes in)' "$c1" | cut -c7-16 | tr '\n' ' ')
check "the stream ran through all resets (order: $order)" \
	test "$order" = "RESETS-END XFER reset "
x=$(vm2vm_tp_cmd 10 "show port xstats all")
bad=$(echo "$x" | grep -E '(bad_desc_drops|bad_tail|invalid_drops|no_fit_drops): *[1-9]' || true)
check "xstats: no bad descriptors, bad tails, invalid frames${bad:+: $(echo "$bad" | tr -s ' \n' ' ')}" test -z "$bad"
echo "$x" | grep -E '(oversize_drops|no_guest_buffer):' | grep -vE ': *0$' | sed 's/^ */  /' || true
vm2vm_tp_alive || fail "testpmd died"
finish
