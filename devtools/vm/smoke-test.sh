#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Smoke test of the real-guest harness: runs setup.sh, boots a guest without
# devices and checks, from the host side, that the guest kernel is the one
# setup.sh installed, that iavf and virtio_net loaded and that the guest
# tools the tests rely on work (ip, ping, iperf3, md5sum, sha256sum, nc,
# devmem, ethtool, dmesg, pci-list).  Prints "PASS vm-smoke" or
# "FAIL vm-smoke: <reason>".
#
# usage: devtools/vm/smoke-test.sh      (as root)

set -e -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/vm-common.sh"

TMPD=$(mktemp -d /tmp/dpdk-emu-vm-smoke.XXXXXX)
KEEP=
trap '[ -n "$KEEP" ] || rm -rf "$TMPD"' EXIT

failed() {
	KEEP=1
	echo "FAIL vm-smoke: $*"
	exit 1
}

"$HERE/setup.sh" || failed "setup.sh failed (exit status $?)"

# Data the guest hashes; the host computes the expected sums itself.
PAYLOAD="dpdk-emu vm smoke $$ $(date +%s)"
cat >"$TMPD/guest.sh" <<GUEST
. /bin/harness-lib.sh
payload='$PAYLOAD'
GUEST
cat >>"$TMPD/guest.sh" <<'GUEST'
echo "SMOKE kernel $(uname -r)"
echo "SMOKE md5 $(printf %s "$payload" | md5sum | cut -d' ' -f1)"
echo "SMOKE sha256 $(printf %s "$payload" | sha256sum | cut -d' ' -f1)"
echo "SMOKE iperf3 $(iperf3 --version | head -n 1)"
echo "SMOKE ethtool $(ethtool --version)"
harness_check "iavf module loaded" grep -q '^iavf ' /proc/modules
harness_check "iavf PCI driver registered" test -d /sys/bus/pci/drivers/iavf
harness_check "virtio_net driver registered" test -d /sys/bus/virtio/drivers/virtio_net
harness_check "lo has 127.0.0.1" sh -c 'ip addr show dev lo | grep -q "inet 127.0.0.1/8"'
harness_check "ping 127.0.0.1" ping -c 1 -W 2 127.0.0.1
harness_check "iperf3 transfer over lo" sh -c '
	iperf3 -s -1 -D -p 5201 && sleep 0.5 &&
	iperf3 -c 127.0.0.1 -p 5201 -t 1 -f m | grep -E "^\[.*receiver$"'
harness_check "nc transfer over lo" sh -c '
	nc -l -p 5002 >/tmp/nc.out & sleep 0.3
	echo "$1" | nc -w 2 127.0.0.1 5002; wait
	grep -qx "$1" /tmp/nc.out' - "$payload"
harness_check "devmem reads the HPET vendor id" sh -c 'devmem 0xfed00000 32 | grep -qi "^0x8086"'
harness_check "dmesg readable" harness_dmesg '^\[ *[0-9.]+\] Linux version'
harness_check "pci-list shows the q35 host bridge" sh -c 'pci-list | grep -q "vendor=0x8086 device=0x29c0 class=0x060000"'
harness_checks_done
GUEST

grc=0
"$HERE/run-guest.sh" --name vm-smoke --timeout 120 --script "$TMPD/guest.sh" \
	--log "$TMPD/console.log" >/dev/null 2>"$TMPD/run-guest.err" || grc=$?
LOGMSG="console in $TMPD/console.log, run-guest messages in $TMPD/run-guest.err"
[ "$grc" = 0 ] || failed "run-guest.sh exit status $grc ($LOGMSG)"

expect() {
	grep -qxF -- "$1" "$TMPD/console.log" || failed "no line '$1' in the guest console ($LOGMSG)"
}
expect_re() {
	grep -qxE -- "$1" "$TMPD/console.log" || failed "no line matching '$1' in the guest console ($LOGMSG)"
}

kv=$(vm_kernel_version)
expect "SMOKE kernel $kv"
for m in libie libeth iavf failover net_failover virtio_net; do
	expect "HARNESS: insmod $m ok"
done
expect "SMOKE md5 $(printf %s "$PAYLOAD" | md5sum | cut -d' ' -f1)"
expect "SMOKE sha256 $(printf %s "$PAYLOAD" | sha256sum | cut -d' ' -f1)"
expect_re "SMOKE iperf3 iperf 3\.[0-9.]+.*"
expect_re "SMOKE ethtool ethtool version [0-9.]+"
for c in "iavf module loaded" "iavf PCI driver registered" "virtio_net driver registered" \
	"lo has 127.0.0.1" "ping 127.0.0.1" \
	"iperf3 transfer over lo" "nc transfer over lo" "devmem reads the HPET vendor id" \
	"dmesg readable" "pci-list shows the q35 host bridge"; do
	expect "CHECK ok: $c"
done
! grep -q '^CHECK FAIL' "$TMPD/console.log" || failed "$(grep -m1 '^CHECK FAIL' "$TMPD/console.log") ($LOGMSG)"
expect "CHECKS: 10 run, 0 failed"
expect "HARNESS-RESULT rc=0"
echo "PASS vm-smoke [Linux $kv] ($(sed -n 's/^run-guest\[vm-smoke\]: guest done in \([0-9.]* s\).*/\1/p' "$TMPD/run-guest.err"))"
