#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vm-test-kernels: all (Linux iavf guests: run on every guest kernel)
#
# End-to-end test of the net_avfbe data path with two real guests: testpmd
# serves two emulated AVFs over vfio-user and io-forwards between their
# net_avfbe ports; two QEMU 11 guests (10.0.0.1 and 10.0.0.2) drive them with
# the stock Linux iavf driver, default offloads (TSO, checksum) on.
#
#  1. both guests up: pings both ways (56, 1472, 4000 and 8000 bytes of data,
#     the last two fragmented), 64 MiB TCP transfers both ways checked with
#     MD5 at both ends, iperf3 both ways;
#  2. the client guest powers off and boots again on the same socket (a
#     reboot): pings and transfers again;
#  3. its QEMU is killed (SIGKILL) in the middle of an iperf3 run, then
#     started again: pings and transfers again;
#  the server guest runs through all of it.  testpmd must stay up, its file
#  descriptor count must be the same at the same points of each cycle, its
#  port statistics must show traffic both ways and no bad descriptors.
#  Telemetry (DPDK's usertools/dpdk-telemetry.py) must report both devices
#  active with their guests' queues while both guests are up, and the
#  ports' counters testpmd shows at the end.
#
# usage: devtools/vm/tests/avfbe-vm2vm.sh [--build DIR] [--mib N]
#        (as root; DIR defaults to $BUILD or "build"; KEEP_LOGS=1 keeps the
#        logs; VM2VM_CPUS=split|pinned: other CPU layouts, see vm2vm.sh)
#
# Prints one "PASS <check>" or "FAIL <check>" line per check, then
# "PASS avfbe-vm2vm" (exit 0) or "FAIL avfbe-vm2vm" (exit 1).  On failure the
# logs (testpmd, consoles) are kept and named.

set -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
GS=$TOP/devtools/vm/guest-scripts
# shellcheck source-path=SCRIPTDIR/..
. "$TOP/devtools/vm/vm2vm.sh"
# shellcheck source=../lib/vm2vm-test.sh
. "$TOP/devtools/vm/lib/vm2vm-test.sh"

BUILD=${BUILD:-build}
MIB=64
vm_args "build=BUILD mib=MIB" "$@"
[[ $MIB =~ ^[1-9][0-9]*$ ]] || { echo "--mib: a number of MiB, not '$MIB'" >&2; exit 2; }

vt_begin avfbe-vm2vm
VT_REPORTS='(LINK|PING .*transmitted|XFER .* bytes in|IPERF|STATS)'



# run_client NAME PHASE TIMEOUT: boot the client guest on device 1.
run_client() {
	local s
	s=$(vm2vm_guest_script "$1" 10.0.0.2 10.0.0.1 "$GS/vm2vm-client.sh" \
		"VM2VM_PHASE=$2" "VM2VM_MIB=$MIB" ${4:+VM2VM_QUIT=1})
	vm2vm_start_guest "$1" 1 "$s" "$3"
}

# wait_client NAME TIMEOUT: wait for the client guest's script to pass.
wait_client() {
	local rc=0
	vm2vm_wait_guest "$1" "$2" || rc=$?
	guest_checks "$1"
	grep -aq '^CHECKS: ' "$(vm2vm_console "$1")" || { fail "$1: the guest's checks did not complete"; rc=1; }
	check "$1: guest script passed (run-guest status $rc)" test "$rc" = 0
	[ "$rc" = 0 ]
}

# fd_at LABEL: record and print testpmd's open file descriptor count.
declare -A FDS
fd_at() {
	FDS[$1]=$(vm2vm_fd_count)
	echo "  testpmd fds $1: ${FDS[$1]}"
}

# port1_rx: RX-packets of net_avfbe1 (what the client guest sent).
port1_rx() {
	vm2vm_port_stats | sed -n 's/.*RX-packets: *\([0-9]*\).*/\1/p' | sed -n 2p
}

tp_alive() {
	check "testpmd still running ($1)" vm2vm_tp_alive || finish
}

# server_alive: the server guest must run through all client phases.
server_alive() {
	kill -0 "${VM2VM_GPID[vm0]}" 2>/dev/null && return 0
	guest_checks vm0
	abort "vm0 (the server guest) ended before the clients were done"
}

[ "$(id -u)" = 0 ] || abort "setup: needs root (QEMU runs chrooted)"
"$TOP/devtools/vm/setup.sh" >/dev/null || abort "setup: devtools/vm/setup.sh failed"
vm2vm_init "$BUILD" || abort "setup: no run directory"
vm2vm_start_testpmd || abort "testpmd: did not start with net_avfbe0 (path=), emu_iavf1 and net_avfbe1"
vm2vm_tp_cmd 10 start 'forwards packets' >/dev/null || abort "testpmd: start"
pass "testpmd: io forwarding net_avfbe0 <-> net_avfbe1, sockets $(vm2vm_sock 0) $(vm2vm_sock 1) (CPUs: $VM2VM_CPUS)"
fd_at "no guest"

# The server guest stays up through all phases (it ends when the last client
# says "quit").
s0=$(vm2vm_guest_script vm0 10.0.0.1 10.0.0.2 "$GS/vm2vm-server.sh" "VM2VM_MIB=$MIB")
vm2vm_start_guest vm0 0 "$s0" 900

# telemetry_up: both guests have their devices up; what telemetry says of
# the emulated AVFs and their vfio-user devices.
telemetry_up() {
	local e v bad
	check "telemetry: /emu_iavf/list is both devices ($(vm2vm_tel /emu_iavf/list))" \
		test "$(vm2vm_tel /emu_iavf/list)" = "[0, 1]"
	for e in 0 1; do
		check "telemetry: emu_iavf $e reset state vf_active, virtchnl 1.1, client connected, link up" \
			test "$(vm2vm_tel "/emu_iavf/info,$e" reset_state)" = vf_active \
			-a "$(vm2vm_tel "/emu_iavf/info,$e" virtchnl_version)" = 1.1 \
			-a "$(vm2vm_tel "/emu_iavf/info,$e" client_connected)" = 1 \
			-a "$(vm2vm_tel "/emu_iavf/info,$e" link_up)" = 1
		check "telemetry: emu_iavf $e has its guest's queues enabled ($(vm2vm_tel "/emu_iavf/info,$e" rx_queues_enabled) rx, $(vm2vm_tel "/emu_iavf/info,$e" tx_queues_enabled) tx)" \
			test "$(vm2vm_tel "/emu_iavf/info,$e" rx_queues_enabled)" -ge 1 \
			-a "$(vm2vm_tel "/emu_iavf/info,$e" tx_queues_enabled)" -ge 1
		bad=$(vm2vm_tel "/emu_iavf/info,$e" bad_inputs)
		check "telemetry: emu_iavf $e counted no bad guest input ($bad)" \
			test -z "$(echo "$bad" | grep -oE '[1-9][0-9]*')"
		v=$(vm2vm_tel "/emu_iavf/info,$e" vfio_user_id)
		check "telemetry: vfio_user $v (emu_iavf $e): client negotiated, $(vm2vm_tel "/vfio_user/info,$v" dma_maps) DMA maps, $(vm2vm_tel "/vfio_user/info,$v" commands REGION_WRITE) REGION_WRITEs" \
			test "$(vm2vm_tel "/vfio_user/info,$v" client_negotiated)" = 1 \
			-a "$(vm2vm_tel "/vfio_user/info,$v" dma_maps)" -ge 1 \
			-a "$(vm2vm_tel "/vfio_user/info,$v" commands REGION_WRITE)" -ge 1
	done
}

echo "== phase 1: both guests up, pings, TCP transfers, iperf3 ($(elapsed))"
run_client vm1-boot full 300
vm2vm_wait_console vm1-boot 240 '^VM2VM UP' || true
fd_at "both guests up (1)"
telemetry_up
wait_client vm1-boot 300 ||
	abort "phase 1 failed: the reboot and kill phases are not run"
tp_alive "after phase 1"
server_alive
sleep 1
fd_at "client powered off (1)"

echo "== phase 2: client guest rebooted ($(elapsed))"
run_client vm1-reboot again 200
vm2vm_wait_console vm1-reboot 200 '^VM2VM UP' || true
fd_at "both guests up (2)"
wait_client vm1-reboot 200
tp_alive "after the reboot"
server_alive
sleep 1
fd_at "client powered off (2)"

echo "== phase 3: client QEMU killed with SIGKILL during iperf3, then restarted ($(elapsed))"
run_client vm1-kill kill 200
if vm2vm_wait_console vm1-kill 150 '^VM2VM KILL-ME'; then
	fd_at "both guests up (3)"
	p1=$(port1_rx)
	sleep 2
	p2=$(port1_rx)
	check "vm1-kill: iperf3 traffic flowing when QEMU is killed (net_avfbe1 RX-packets $p1 -> $p2)" \
		test "${p2:-0}" -gt "${p1:-0}"
	q=$(vm2vm_qemu_pid vm1-kill) || q=
	check "vm1-kill: QEMU pid found" test -n "$q"
	[ -z "$q" ] || kill -KILL "$q"
	vm2vm_wait_guest vm1-kill 30 >/dev/null 2>&1 || true
	guest_checks vm1-kill
else
	fail "vm1-kill: the guest did not reach the kill point"
	vm2vm_stop_guest vm1-kill
fi
sleep 2
tp_alive "after SIGKILL of a QEMU"
check "testpmd: saw the client disconnect 3 times (poweroff, poweroff, SIGKILL)" \
	test "$(grep -ac "$(vm2vm_sock 1): client disconnected" "$VM2VM_TP_LOG")" = 3
fd_at "client QEMU killed (3)"
server_alive
run_client vm1-restart again 200 quit
vm2vm_wait_console vm1-restart 200 '^VM2VM UP' || true
fd_at "both guests up (4)"
wait_client vm1-restart 200
tp_alive "after the restart"

echo "== the server guest ($(elapsed))"
rc=0
vm2vm_wait_guest vm0 120 || rc=$?
guest_checks vm0
check "vm0: guest script passed (run-guest status $rc)" test "$rc" = 0
grep -aq '^CHECKS: ' "$(vm2vm_console vm0)" || fail "vm0: the guest's checks did not complete"
check "vm0: served all the client boots" test "$(grep -ac '^VM2VM REQUEST hello' "$(vm2vm_console vm0)")" -ge 4
sleep 1
fd_at "no guest (end)"

echo "== testpmd ($(elapsed))"
tp_alive "end"
stats=$(vm2vm_port_stats)
printf '%s\n' "$stats" | sed 's/^/  /'
# "RX-packets: N ... " of port 0 and port 1, in order.
mapfile -t rxp < <(echo "$stats" | sed -n 's/.*RX-packets: *\([0-9]*\).*/\1/p')
mapfile -t txp < <(echo "$stats" | sed -n 's/.*TX-packets: *\([0-9]*\).*/\1/p')
check "port stats: net_avfbe0 received from vm0 (${rxp[0]:-?} packets) and sent to it (${txp[0]:-?})" \
	test "${rxp[0]:-0}" -gt 1000 -a "${txp[0]:-0}" -gt 1000
check "port stats: net_avfbe1 received from vm1 (${rxp[1]:-?} packets) and sent to it (${txp[1]:-?})" \
	test "${rxp[1]:-0}" -gt 1000 -a "${txp[1]:-0}" -gt 1000
xstats=$(vm2vm_tp_cmd 10 "show port xstats all")
bad=$(echo "$xstats" | grep -E '(bad_desc_drops|bad_tail|invalid_drops|oversize_drops): *[1-9]' || true)
check "xstats: no bad descriptors, bad tails, invalid or oversize packets${bad:+: $(echo "$bad" | tr -s ' \n' ' ')}" test -z "$bad"
echo "$xstats" | grep -E '(tso_packets|csum_offload_packets|sw_tso_segments|sw_csum_packets|no_guest_buffer|mbuf_alloc_stalls):' |
	sed 's/^ */  /'
tso=$(echo "$xstats" | sed -n 's/.*rx_q0_tso_packets: *\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
check "xstats: the guests sent TSO packets through the PMD ($tso)" test "$tso" -gt 0
for p in 0 1; do
	check "telemetry: /ethdev/stats,$p matches testpmd's port $p counters ($(vm2vm_tel "/ethdev/stats,$p" ipackets) rx, $(vm2vm_tel "/ethdev/stats,$p" opackets) tx)" \
		test "$(vm2vm_tel "/ethdev/stats,$p" ipackets)" = "${rxp[$p]:-x}" \
		-a "$(vm2vm_tel "/ethdev/stats,$p" opackets)" = "${txp[$p]:-x}"
done

echo "  testpmd fd counts:"
for k in "no guest" "both guests up (1)" "client powered off (1)" "both guests up (2)" \
		"client powered off (2)" "both guests up (3)" "client QEMU killed (3)" \
		"both guests up (4)" "no guest (end)"; do
	echo "    $k: ${FDS[$k]:--}"
done
check "fds: same with both guests up across boot, reboot, kill, restart" \
	test -n "${FDS[both guests up (1)]}" -a "${FDS[both guests up (1)]}" = "${FDS[both guests up (2)]}" \
	-a "${FDS[both guests up (2)]}" = "${FDS[both guests up (3)]}" \
	-a "${FDS[both guests up (3)]}" = "${FDS[both guests up (4)]}"
check "fds: same with one guest after poweroff, poweroff, SIGKILL" \
	test -n "${FDS[client powered off (1)]}" -a "${FDS[client powered off (1)]}" = "${FDS[client powered off (2)]}" \
	-a "${FDS[client powered off (2)]}" = "${FDS[client QEMU killed (3)]}"
check "fds: back to the count before any guest" test "${FDS[no guest]}" = "${FDS[no guest (end)]}"

vm2vm_stop_testpmd
check "testpmd: quit cleanly" grep -aq 'Bye' "$VM2VM_TP_LOG"
finish
