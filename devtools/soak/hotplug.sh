#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Hot-plug soak. A running testpmd attaches a net_avfbe port given in one
# devargs string (it creates its emulated AVF and socket), starts it, stops
# it and detaches it again, CYCLES times, as an application or Open vSwitch
# does with rte_dev_probe()/rte_dev_remove(); every other cycle closes the
# port first (rte_eth_dev_close()) and then detaches the device by name. After each attach the socket must exist, after
# each detach it must be gone.
#
# Figures: cycles, testpmd's fd count and RSS at the baseline (after the
# first cycle) and at the end (fds must be the baseline again, RSS growth
# below 1 MiB), time taken.
#
# usage: devtools/soak/hotplug.sh [-b BUILD_DIR] [CYCLES]
#   CYCLES        attach/detach cycles (default 50)
#   -b BUILD_DIR  meson build directory (default build)
# Logs: out/soak/hotplug/

set -e -o pipefail
# shellcheck source=devtools/soak/lib.sh
. "$(dirname "$0")/lib.sh"

soak_args "devtools/soak/hotplug.sh [-b BUILD_DIR] [CYCLES]" 50 "$@"
cycles=$soak_count
build=$soak_build
cd "$EMU_TOP"
soak_build_check "$build" app/dpdk-testpmd
testpmd=$build/subprojects/dpdk/app/dpdk-testpmd

logs=$EMU_TOP/out/soak/hotplug
rm -rf "$logs"
mkdir -p "$logs"
tp_log=$logs/testpmd.log
run=$(mktemp -d /tmp/soak-hotplug.XXXXXX)
sock0=$run/avf0.sock
sock=$run/hot.sock
tp_pid=

soak_tp_traps

# expect CMD PATTERN: CMD's answer must match the ERE PATTERN.
expect() {
	local out
	out=$(tp_cmd "$1")
	grep -aqE "$2" <<<"$out" ||
		die "'$1' did not answer /$2/:$(echo; echo "$out" | tail -n 8)"
}

# one_cycle N: attach, start, stop, (close,) detach the port.
one_cycle() {
	expect "port attach net_avfbe1,path=$sock,queues=2" 'Port 1 is attached'
	[ -S "$sock" ] || die "cycle $1: no socket after the attach"
	expect "port start 1" 'Done'
	expect "port stop 1" 'Done'
	if [ $(($1 % 2)) = 0 ]; then
		expect "port detach 1" 'Device is detached'
	else
		# a closed port is released: the device is named instead
		expect "port close 1" 'Done'
		expect "device detach net_avfbe1" 'Device net_avfbe1 is detached'
	fi
	[ ! -e "$sock" ] || die "cycle $1: socket left after the detach"
}

start=$(date +%s)
log "testpmd (log: $tp_log)"
mkfifo "$run/testpmd.in"
# Held open read-write: testpmd never sees the end of its input.
exec 8<>"$run/testpmd.in"
stdbuf -oL -eL "$testpmd" --lcores '0@(0-1),1@(0-1)' --no-huge -m 1024 \
	--no-pci --file-prefix="soak-hotplug-$$" --vdev "net_avfbe0,path=$sock0" \
	-- -i --port-topology=loop --forward-mode=io --no-mlockall \
	<&8 >"$tp_log" 2>&1 &
tp_pid=$!
for _ in $(seq 300); do
	[ -S "$sock0" ] && grep -aq 'testpmd> ' "$tp_log" && break
	tp_alive || die "testpmd did not start: see $tp_log"
	sleep 0.1
done
grep -aq 'testpmd> ' "$tp_log" || die "testpmd did not come up in 30 s: see $tp_log"

one_cycle 1
soak_settle "$tp_pid"
fds0=$(soak_fd_count "$tp_pid")
rss0=$(soak_rss_kib "$tp_pid")
log "baseline after the first cycle: testpmd fds $fds0, RSS $rss0 KiB"
for i in $(seq 2 "$cycles"); do
	one_cycle "$i"
done
soak_settle "$tp_pid"
fds1=$(soak_fd_count "$tp_pid")
rss1=$(soak_rss_kib "$tp_pid")
tp_quit
elapsed=$(($(date +%s) - start))
rss_growth=$((rss1 - rss0))

echo
echo "net_avfbe hot-plug soak ($cycles cycles, $elapsed s)"
echo "  testpmd fds     baseline $fds0, end $fds1"
echo "  testpmd RSS     baseline $rss0 KiB, end $rss1 KiB, growth $rss_growth KiB (limit < $SOAK_RSS_LIMIT_KIB)"
echo "  testpmd exit    status $tp_rc"
echo "  logs            $logs"
[ "$fds1" = "$fds0" ] || soak_fail "testpmd's fd count went from $fds0 to $fds1"
[ "$rss_growth" -lt "$SOAK_RSS_LIMIT_KIB" ] ||
	soak_fail "testpmd's RSS grew by $rss_growth KiB"
[ "$tp_rc" = 0 ] || soak_fail "testpmd exited with status $tp_rc"
[ -z "$SOAK_FAILED" ]
