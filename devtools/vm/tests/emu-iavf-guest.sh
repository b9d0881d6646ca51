#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vm-test-kernels: all (Linux iavf guests: run on every guest kernel)
#
# End-to-end test of the emu_iavf device model with its real peer: a DPDK
# process serves an emulated AVF over vfio-user, a QEMU 11 guest drives it
# with the stock Linux iavf driver.  Checked: probe (no admin queue error or
# timeout, MAC from the device), carrier after "ip link set up", down/up
# cycles, driver unbind/bind, a PCI function reset through sysfs, and that
# the guest powers off quickly (iavf shutdown talks to the device).
#
# usage: devtools/vm/tests/emu-iavf-guest.sh [--build DIR] [--doorbell shared|trapped]
#        (as root; DIR defaults to $BUILD or "build"; KEEP_LOGS=1 keeps the logs)
#
# Prints one "PASS <check>" or "FAIL <check>" line per check, then
# "PASS emu-iavf-guest" (exit 0) or "FAIL emu-iavf-guest" (exit 1).
# On failure the server and console logs are kept and named.

set -e -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
# shellcheck source=devtools/vm/lib/vm-common.sh
. "$TOP/devtools/vm/lib/vm-common.sh"
verdict() { echo "emu-iavf-guest [$(vm_guest_desc iavf)]"; }

BUILD=${BUILD:-build}
DOORBELL=shared
vm_args "build=BUILD doorbell=DOORBELL" "$@"
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac

MAC=02:45:4d:55:00:00		# emu_iavf default for emudev id 0
TMPD=$(mktemp -d /tmp/emu-iavf-guest.XXXXXX)
SOCK=$TMPD/avf0.sock
SERVER_LOG=$TMPD/server.log
CONSOLE=$TMPD/console.log
SPID=
GPID=
NFAIL=0
KEEP=${KEEP_LOGS:+1}	# KEEP_LOGS=1 keeps the logs of a passing run

cleanup() {
	[ -z "$GPID" ] || kill "$GPID" 2>/dev/null || true
	if [ -n "$SPID" ]; then
		kill -TERM "$SPID" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$SPID" 2>/dev/null || break
			sleep 0.3
		done
		kill -KILL "$SPID" 2>/dev/null || true
	fi
	{ exec 3>&-; } 2>/dev/null || true
	if [ -n "$KEEP" ]; then
		echo "logs kept: server $SERVER_LOG, console $CONSOLE" >&2
	else
		rm -rf "$TMPD"
	fi
}
trap cleanup EXIT

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; NFAIL=$((NFAIL + 1)); KEEP=1; }
check() {	# check NAME CMD...
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
abort() {
	fail "$*"
	echo "FAIL $(verdict)"
	exit 1
}

[ "$(id -u)" = 0 ] || abort "setup: needs root (QEMU runs chrooted)"
"$TOP/devtools/vm/setup.sh" >/dev/null || abort "setup: devtools/vm/setup.sh failed"

# The server: dpdk-testpmd (with a null port) or, if testpmd is not built,
# dpdk-test's prompt.  Both keep running while their stdin stays open.
APP=$BUILD/subprojects/dpdk/app
if [ -x "$APP/dpdk-testpmd" ]; then
	SERVER=("$APP/dpdk-testpmd")
	SERVER_TAIL=(--vdev net_null0 -- -i)
elif [ -x "$APP/test/dpdk-test" ]; then
	SERVER=("$APP/test/dpdk-test")
	SERVER_TAIL=()
else
	abort "setup: neither dpdk-testpmd nor dpdk-test in $APP (build first)"
fi
mkfifo "$TMPD/stdin"
exec 3<>"$TMPD/stdin"
"${SERVER[@]}" --no-huge -m 1024 --no-pci --file-prefix=emu-iavf-guest-$$ \
	--log-level=pmd.emu.iavf:info \
	--vdev "emu_iavf0,path=$SOCK,id=0,queues=4,doorbell=$DOORBELL" \
	"${SERVER_TAIL[@]}" <&3 >"$SERVER_LOG" 2>&1 &
SPID=$!
for _ in $(seq 100); do
	[ -S "$SOCK" ] && break
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1
done
[ -S "$SOCK" ] || abort "server: no vfio-user socket (see $SERVER_LOG)"
pass "server: emu_iavf0 listening on $SOCK (doorbell=$DOORBELL)"

cat >"$TMPD/guest.sh" <<GUEST
MAC=$MAC
GUEST
cat >>"$TMPD/guest.sh" <<'GUEST'
. /bin/harness-lib.sh
# Lines the driver prints when the device misbehaves.
BAD='Failed to communicate|Admin queue timeout|Reset never finished|Never saw reset|PF returned error|Unable to|timed out|Failed to|init failed|Invalid'

carrier_is() { [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = "$2" ]; }
iface_gone() { [ -z "$(harness_iface_of iavf)" ]; }

ifc=$(harness_wait_iface 20 iavf) || ifc=
harness_check "iavf probed the device" test -n "$ifc"
[ -n "$ifc" ] || { harness_checks_done; exit 1; }
bdf=$(basename "$(readlink "/sys/class/net/$ifc/device")")
echo "GUEST iface=$ifc bdf=$bdf"
harness_dmesg 'iavf .*(MAC address|Queue pair count|Link)'
harness_check "dmesg: MAC address read from the device" harness_dmesg "iavf $bdf: MAC address: $MAC"
harness_check "ip link: permanent MAC" sh -c "ip link show $ifc | grep -q 'link/ether $MAC'"
harness_check "device: 8086:1889 class 0x020000" sh -c \
	"grep -qx 0x8086 /sys/bus/pci/devices/$bdf/vendor && grep -qx 0x1889 /sys/bus/pci/devices/$bdf/device && grep -qx 0x020000 /sys/bus/pci/devices/$bdf/class"
harness_check "PCI reset method offered" grep -q flr "/sys/bus/pci/devices/$bdf/reset_method"

harness_dmesg_mark
harness_check "carrier after ip link set up" harness_wait_link 10 "$ifc"
harness_check "dmesg: NIC Link is Up" harness_dmesg_new 'NIC Link is Up'
harness_check "ip link: LOWER_UP" sh -c "ip link show $ifc | grep -q LOWER_UP"
# Admin queue replies raise MSI-X vector 0 ("mbx") once the driver enabled it.
harness_check "MSI-X vector 0 (mailbox) interrupts delivered" sh -c \
	"grep 'iavf-$bdf:mbx' /proc/interrupts | awk '{ for (i = 2; i <= NF && \$i ~ /^[0-9]+\$/; i++) n += \$i } END { exit !(n > 0) }'"
grep iavf /proc/interrupts

for i in 1 2 3; do
	ip link set "$ifc" down
	harness_check "down/up $i: carrier lost" harness_wait 5 sh -c "! grep -qx 1 /sys/class/net/$ifc/carrier"
	harness_check "down/up $i: carrier back" harness_wait_link 10 "$ifc"
done
sleep 3	# a watchdog period: GET_STATS and ARQ polling
harness_check "no driver errors after probe and link cycles" sh -c "! dmesg | grep iavf | grep -E '$BAD'"

harness_dmesg_mark
echo "$bdf" >/sys/bus/pci/drivers/iavf/unbind
harness_check "unbind: interface removed" harness_wait 10 iface_gone
echo "$bdf" >/sys/bus/pci/drivers/iavf/bind
ifc=$(harness_wait_iface 20 iavf) || ifc=
harness_check "bind: interface back" test -n "$ifc"
[ -n "$ifc" ] || { harness_checks_done; exit 1; }
harness_check "bind: carrier after ip link set up" harness_wait_link 10 "$ifc"
harness_check "bind: no driver errors" sh -c ". /bin/harness-lib.sh; ! harness_dmesg_new iavf | grep -E '$BAD'"
harness_dmesg_new 'iavf'

harness_dmesg_mark
harness_check "PCI reset: sysfs reset accepted" sh -c "echo 1 >/sys/bus/pci/devices/$bdf/reset"
# iavf has no reset hooks: its watchdog finds ARQLEN.ENABLE clear (every 2 s)
# and runs its reset task, which re-initialises and re-enables the queues.
harness_check "PCI reset: driver detected the reset" harness_wait 10 sh -c \
	". /bin/harness-lib.sh; harness_dmesg_new 'Hardware reset detected'"
harness_check "PCI reset: link up again after re-init" harness_wait 20 sh -c \
	". /bin/harness-lib.sh; harness_dmesg_new 'NIC Link is Up'"
harness_check "PCI reset: carrier back" harness_wait 5 carrier_is "$ifc" 1
harness_check "PCI reset: no driver errors" sh -c ". /bin/harness-lib.sh; ! harness_dmesg_new iavf | grep -E '$BAD'"
harness_dmesg_new 'iavf'
ip link show "$ifc"
harness_checks_done
GUEST

# Boot; note when the script ended to time the shutdown.
"$TOP/devtools/vm/run-guest.sh" --name emu-iavf --sock "$SOCK" --timeout 180 \
	--script "$TMPD/guest.sh" --log "$CONSOLE" >/dev/null 2>"$TMPD/run-guest.err" &
GPID=$!
t_result=
while kill -0 "$GPID" 2>/dev/null; do
	if [ -z "$t_result" ] && grep -aq 'HARNESS-RESULT rc=' "$CONSOLE" 2>/dev/null; then
		t_result=$(date +%s.%N)
	fi
	sleep 0.05
done
grc=0
wait "$GPID" || grc=$?
GPID=
t_end=$(date +%s.%N)

# Per-check lines of the guest.
while read -r line; do
	case $line in
	"CHECK ok: "*) pass "guest: ${line#CHECK ok: }" ;;
	"CHECK FAIL: "*) fail "guest: ${line#CHECK FAIL: }" ;;
	esac
done < <(grep -a '^CHECK ' "$CONSOLE" || true)
check "guest: script finished with rc=0 (run-guest status $grc)" test "$grc" = 0
grep -aq '^CHECKS: ' "$CONSOLE" || fail "guest: checks did not complete"

if [ -n "$t_result" ]; then
	shut=$(echo "$t_end $t_result" | awk '{ printf "%.2f", $1 - $2 }')
	check "guest: poweroff ${shut} s after the script (< 2 s)" \
		awk -v s="$shut" 'BEGIN { exit !(s < 2.0) }'
else
	fail "guest: no HARNESS-RESULT line"
fi

# Server side: the real driver must not have tripped any bad-input check.
check "server: still running" kill -0 "$SPID"
check "server: no bad input counted" sh -c "! grep -q 'bad .*occurrence' '$SERVER_LOG'"
check "server: VF reset (RESET_VF at unbind) seen" grep -q 'emu_iavf0: VF reset' "$SERVER_LOG"
check "server: function level reset (sysfs reset) seen" grep -q 'emu_iavf0: function level reset' "$SERVER_LOG"

if [ "$NFAIL" = 0 ]; then
	echo "PASS $(verdict)"
	exit 0
fi
echo "console:" >&2
grep -a -E 'iavf|HARNESS|CHECK' "$CONSOLE" | tail -40 >&2 || true
echo "FAIL $(verdict) ($NFAIL failed)"
exit 1
