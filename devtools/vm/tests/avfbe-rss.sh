#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vm-test-kernels: all (Linux iavf guests: run on every guest kernel)
#
# Device RSS with a real guest: the receiving guest (Linux iavf, 4 vCPUs,
# so 4 queue pairs with RSS programmed by the driver) gets 8 TCP streams
# from a 1-vCPU guest through testpmd (io forwarding, 4 queues per port).
# net_avfbe (rss=device, the default) puts each frame on the guest queue
# the guest's own lookup table gives for the Toeplitz hash of the frame
# under the guest's own key.  The guest reports its key, its table
# (ethtool -x) and its per-queue receive counters (ethtool -S) before and
# after; the client guest reports the streams' ports.  Checks:
#  - every queue the Toeplitz computation assigns a stream to received
#    traffic (at least 1000 packets);
#  - queues no stream is assigned to stayed nearly idle (under 2 % of the
#    packets: pings, iperf3's and the harness's control connections);
#  - the streams moved data, the guests' kernels logged no iavf error.
#
# usage: devtools/vm/tests/avfbe-rss.sh [--build DIR]
#        (as root; DIR defaults to $BUILD or "build"; KEEP_LOGS=1 keeps the
#        logs)
#
# Prints one "PASS <check>" or "FAIL <check>" line per check, then
# "PASS avfbe-rss" (exit 0) or "FAIL avfbe-rss" (exit 1).

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

vt_begin avfbe-rss

vt_forward 4

s0=$(vm2vm_guest_script vm0 10.0.0.1 10.0.0.2 "$GS/vm2vm-server.sh")
vm2vm_start_guest vm0 0 "$s0" 600 --qemu-arg -smp --qemu-arg 4
s1=$(vm2vm_guest_script vm1 10.0.0.2 10.0.0.1 "$GS/vm2vm-client.sh" \
	VM2VM_PHASE=rss VM2VM_IPERF=5 VM2VM_QUIT=1)
vm2vm_start_guest vm1 1 "$s1" 600
rc=0
vm2vm_wait_guest vm1 600 || rc=$?
guest_checks vm1
check "vm1: guest script passed (run-guest status $rc)" test "$rc" = 0
rc=0
vm2vm_wait_guest vm0 120 || rc=$?
guest_checks vm0
check "vm0 (4 vCPUs): guest script passed (run-guest status $rc)" test "$rc" = 0
grep -aE '^VM2VM IPERF' "$(vm2vm_console vm1)" | sed 's/^VM2VM /  [vm1] /'

# The Toeplitz computation of the streams under the guest's key and table,
# against the guest's per-queue counters.
out=$(grep -aE '^VM2VM (RSS|FLOW) ' "$(vm2vm_console vm0)" "$(vm2vm_console vm1)" |
	sed 's/^[^:]*://' | /usr/bin/python3 -c '
import sys

def toeplitz(key, data):
    k = int.from_bytes(key, "big")
    kbits = len(key) * 8
    h = 0
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                pos = i * 8 + b
                h ^= (k >> (kbits - 32 - pos)) & 0xffffffff
    return h

def ip4(s):
    return bytes(int(x) for x in s.split("."))

rss = {}
flows = []
for line in sys.stdin:
    f = line.split()
    if f[1] == "RSS":
        rss[(f[2], f[3])] = f[4:]
    elif f[1] == "FLOW":
        flows.append((f[2], f[3]))
try:
    key = bytes(int(x, 16) for x in rss[("before", "KEY")][0].split(":"))
    lut = [int(x) for x in rss[("before", "LUT")]]
    before = dict(x.split("=") for x in rss[("before", "RXQ")])
    after = dict(x.split("=") for x in rss[("after", "RXQ")])
except (KeyError, IndexError, ValueError) as e:
    print("ERROR the guests did not report their RSS state or flows (%s)" % e)
    sys.exit(0)
delta = {int(q): int(after[q]) - int(before.get(q, 0)) for q in after}
total = sum(delta.values())
want = {}
for src, dst in flows:
    sip, sport = src.rsplit(":", 1)
    dip, dport = dst.rsplit(":", 1)
    data = ip4(sip) + ip4(dip) + int(sport).to_bytes(2, "big") + \
        int(dport).to_bytes(2, "big")
    h = toeplitz(key, data)
    q = lut[h & (len(lut) - 1)]
    want.setdefault(q, []).append(sport)
    print("FLOW %s -> %s hash %08x entry %d queue %d" %
          (src, dst, h, h & (len(lut) - 1), q))
print("KEY %s LUT %d entries over queues %s" %
      (rss[("before", "KEY")][0], len(lut), sorted(set(lut))))
# the queues the table of the guest spreads over (ethtool -S lists 16)
queues = sorted(set(lut) | set(want))
for q in queues:
    print("QUEUE %d packets %d streams %s" %
          (q, delta.get(q, 0), ",".join(want.get(q, [])) or "-"))
print("STREAMS %d TOTAL %d" % (len(flows), total))
for q in queues:
    delta.setdefault(q, 0)
    if q in want:
        print("CHECK %d %s queue %d: streams %s (Toeplitz) -> %d packets" %
              (delta[q] >= 1000, "busy", q, ",".join(want[q]), delta[q]))
    else:
        print("CHECK %d %s queue %d: no stream (Toeplitz) -> %d of %d packets" %
              (delta[q] * 50 < total, "idle", q, delta[q], total))
')
echo "$out" | grep -E '^(FLOW|KEY|QUEUE|STREAMS|ERROR)' | sed 's/^/  /'
check "guest reported key, table and queue counters; 8 streams seen" \
	sh -c "! echo \"\$1\" | grep -q '^ERROR' && echo \"\$1\" | grep -qE '^STREAMS 8 '" - "$out"
while read -r ok what; do
	[ -n "$what" ] || continue
	check "iavf 4 queues, RSS by the guest's key and table: $what" test "$ok" = 1
done < <(echo "$out" | sed -n 's/^CHECK //p')
vm2vm_tp_alive || fail "testpmd died"
finish
