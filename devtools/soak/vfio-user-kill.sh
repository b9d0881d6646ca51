#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Client kill soak. testpmd serves an emulated AVF (emu_iavf0 and its port
# net_avfbe0, io forwarding, the port looped onto itself) while CYCLES
# clients are SIGKILLed at random points of a Linux-iavf-like life: attach,
# DMA_MAP of a sealed memfd, PCI set-up, SET_IRQS (MSI-X eventfds), probe
# (admin queue, virtchnl), open (queues enabled), traffic, close, remove,
# detach. dpdk-test's emu_soak_kill_autotest forks the clients; they run
# the AVF guest model on the vfio-user client API. testpmd must be alive
# after every cycle, and a last, well-behaved client
# (emu_soak_client_autotest) must complete a whole life with every frame
# looped back.
#
# Figures: cycles, crashes (must be 0), testpmd's fd count at the baseline
# (after the first cycle) and at the end (must be the baseline again), its
# RSS growth (must stay below 1 MiB), time taken.
#
# usage: devtools/soak/vfio-user-kill.sh [-b BUILD_DIR] [CYCLES]
#   CYCLES        clients killed (default 1000)
#   -b BUILD_DIR  meson build directory (default build)
# Environment: EMU_SOAK_SEED=n (random seed, printed), EMU_SOAK_CHECK_EVERY=n
# (one client in n is not killed and must complete; default 50).
# Logs: out/soak/vfio-user-kill/

set -e -o pipefail
# shellcheck source=devtools/soak/lib.sh
. "$(dirname "$0")/lib.sh"

soak_args "devtools/soak/vfio-user-kill.sh [-b BUILD_DIR] [CYCLES]" 1000 "$@"
cycles=$soak_count
build=$soak_build
cd "$EMU_TOP"
soak_build_check "$build" app/dpdk-testpmd app/test/dpdk-test
testpmd=$build/subprojects/dpdk/app/dpdk-testpmd
dpdk_test=$build/subprojects/dpdk/app/test/dpdk-test

logs=$EMU_TOP/out/soak/vfio-user-kill
rm -rf "$logs"
mkdir -p "$logs"
tp_log=$logs/testpmd.log
run=$(mktemp -d /tmp/soak-kill.XXXXXX)
sock=$run/avf0.sock
tp_pid=

soak_tp_traps

# client_cmd TEST LOG [VAR=VALUE]...: one dpdk-test process, a client of
# testpmd's device; its figures are echoed as they come. Returns its status.
client_cmd() {
	local t=$1 log=$2 rc
	shift 2
	set +e
	env "$@" EMU_SOAK_PATH="$sock" DPDK_TEST="$t" \
		timeout --kill-after=10 $((cycles * 3 + 300)) \
		"$dpdk_test" --lcores '0@(0-1)' --no-huge -m 128 --no-pci \
		--file-prefix="soak-kill-client-$$" --log-level=lib.eal:warning \
		2>&1 | tee "$log" | grep -a --line-buffered '^emu_soak_' |
		sed -u 's/^emu_soak_[a-z]*: /  /'
	rc=${PIPESTATUS[0]}
	set -e
	return "$rc"
}

start=$(date +%s)
log "testpmd serving $sock (log: $tp_log)"
mkfifo "$run/testpmd.in"
# Held open read-write: testpmd never sees the end of its input.
exec 8<>"$run/testpmd.in"
# Both lcores and the control threads float over the machine's CPUs; the
# forwarding lcore polls. --no-mlockall: testpmd must not lock (and so
# populate) the guest memory it maps.
stdbuf -oL -eL "$testpmd" --lcores '0@(0-1),1@(0-1)' --no-huge -m 1024 \
	--no-pci --file-prefix="soak-kill-$$" \
	--vdev "emu_iavf0,path=$sock,id=0" --vdev net_avfbe0,id=0,avf_emu_id=0 \
	-- -i --port-topology=loop --forward-mode=io --no-mlockall \
	<&8 >"$tp_log" 2>&1 &
tp_pid=$!
for _ in $(seq 300); do
	[ -S "$sock" ] && grep -aq 'testpmd> ' "$tp_log" && break
	tp_alive || tp_dead "at start-up"
	sleep 0.1
done
if ! [ -S "$sock" ] || ! grep -aq 'testpmd> ' "$tp_log"; then
	die "testpmd did not come up in 30 s (no socket or no prompt): see $tp_log"
fi
tp_cmd start >/dev/null

# The first cycle (after a calibration client that is not killed) sets
# the baseline: whatever a client leaves allocated once is in it.
log "first cycle"
client_cmd emu_soak_kill_autotest "$logs/kill-1.log" EMU_SOAK_CYCLES=1 \
	EMU_SOAK_SERVER_PID="$tp_pid" ||
	{ tp_alive || tp_dead "in the first cycle"; die "the first cycle failed: see $logs/kill-1.log"; }
tp_alive || tp_dead "in the first cycle"
soak_settle "$tp_pid"
fds0=$(soak_fd_count "$tp_pid")
rss0=$(soak_rss_kib "$tp_pid")
log "baseline: testpmd fds $fds0, RSS $rss0 KiB"

rc=0
if [ "$cycles" -gt 1 ]; then
	log "$((cycles - 1)) more cycles"
	client_cmd emu_soak_kill_autotest "$logs/kill-2.log" \
		EMU_SOAK_CYCLES=$((cycles - 1)) EMU_SOAK_SERVER_PID="$tp_pid" || rc=$?
fi
tp_alive || tp_dead "during the soak"
[ "$rc" = 0 ] || soak_fail "the kill cycles failed (status $rc): see $logs/kill-2.log"
soak_settle "$tp_pid"
fds1=$(soak_fd_count "$tp_pid")
rss1=$(soak_rss_kib "$tp_pid")

log "a last, well-behaved client"
client_cmd emu_soak_client_autotest "$logs/client.log" || true
tp_alive || tp_dead "with the last client"
grep -aq '^Test OK' "$logs/client.log" ||
	soak_fail "the last client did not complete a full init with traffic: see $logs/client.log"
soak_settle "$tp_pid"
fds2=$(soak_fd_count "$tp_pid")
stats=$(tp_cmd "show port stats 0")
tp_quit
elapsed=$(($(date +%s) - start))

# Figures, summed over the two runs of the kill command.
cat "$logs"/kill-*.log >"$run/all.log"
sum() {
	soak_sum "$run/all.log" 'emu_soak_kill: cycles=' "$1"
}
points=
for p in start attach dma_map pci_setup set_irqs probe open traffic close remove detach exited; do
	points="$points $p=$(soak_sum "$run/all.log" 'emu_soak_kill: killed_in' "$p")"
done
done_cycles=$(sum cycles)
client_crashes=$(sum client_crashes)
client_errors=$(sum client_errors)
hangs=$(sum hangs)
rss_growth=$((rss1 - rss0))
server_crashes=0
[ "$tp_rc" = 0 ] || server_crashes=1

echo
echo "vfio-user client kill soak ($cycles cycles, $elapsed s)"
echo "  cycles          $done_cycles: killed $(sum killed), finished before the kill $(sum exited_before_kill), not killed on purpose $(sum checks)"
echo "  killed in      $points"
echo "  crashes         testpmd $server_crashes, clients $client_crashes (client errors $client_errors, hangs $hangs)"
echo "  testpmd fds     baseline $fds0, end $fds1, after the last client $fds2"
echo "  testpmd RSS     baseline $rss0 KiB, end $rss1 KiB, growth $rss_growth KiB (limit < $SOAK_RSS_LIMIT_KIB)"
echo "  frames          looped back $(sum frames_back) of $(sum frames_sent) sent by the killed clients; last client: $(soak_figure "$logs/client.log" 'emu_soak_client: result' frames_back) of $(soak_figure "$logs/client.log" 'emu_soak_client: result' frames_sent)"
echo "  testpmd port 0  $(echo "$stats" | grep -aoE '(RX|TX)-packets: *[0-9]+' | tr -s ' ' | paste -sd ' ')"
echo "  time            $elapsed s"
echo "  logs            $logs"

[ "$done_cycles" = "$cycles" ] || soak_fail "$done_cycles of $cycles cycles done"
[ "$server_crashes" = 0 ] || soak_fail "testpmd exited with status $tp_rc at quit"
[ "$client_crashes" = 0 ] || soak_fail "$client_crashes clients crashed on their own (see $logs/kill-*.log)"
[ "$client_errors" = 0 ] || soak_fail "$client_errors clients failed a step the server should have served (see $logs/kill-*.log)"
[ "$hangs" = 0 ] || soak_fail "$hangs clients hung (see $logs/kill-*.log)"
[ "$fds1" = "$fds0" ] || soak_fail "testpmd fds $fds1 at the end, $fds0 at the baseline: a killed client's fds leak"
[ "$fds2" = "$fds0" ] || soak_fail "testpmd fds $fds2 after the last client, $fds0 at the baseline"
[ "$rss_growth" -lt "$SOAK_RSS_LIMIT_KIB" ] ||
	soak_fail "testpmd RSS grew by $rss_growth KiB (limit < $SOAK_RSS_LIMIT_KIB KiB)"
grep -aqE 'PANIC|Segmentation fault|Aborted' "$tp_log" &&
	soak_fail "testpmd log reports a crash: see $tp_log"
[ -z "$SOAK_FAILED" ] || exit 1
echo "PASS"
