#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Reset soak. One dpdk-test process (emu_soak_reset_autotest) holds an
# emulated AVF (emu_iavf), its port (net_avfbe) and the AVF guest model. A
# worker lcore moves traffic both ways (guest Tx -> port rx_burst -> port
# tx_burst -> guest Rx) while the main lcore resets the device RESETS
# times: a quarter VF resets (virtchnl RESET_VF, the kernel's reset task),
# a quarter function level resets (PCI AF FLR), a quarter vfio-user
# DEVICE_RESET, the rest all kinds mixed. Half the resets come while the
# guest's data path still runs. After each one the guest is initialised
# again and traffic must resume (256 frames looped back within 5 s).
#
# Figures: resets done, crashes (must be 0), traffic before and after,
# frames moved, bad frames at the guest (must be 0) and the port's
# bad-descriptor counters, fd count (must be back to the baseline), RSS
# growth (must stay below 1 MiB) and heap in use (malloc and rte_malloc,
# back to the baseline within 4 KiB), measured after a warm-up (one reset
# of each kind) and at the end.
#
# usage: devtools/soak/reset-under-traffic.sh [-b BUILD_DIR] [RESETS]
#   RESETS        resets (default 1000)
#   -b BUILD_DIR  meson build directory (default build)
# Environment: EMU_SOAK_SEED=n (random seed, printed).
# Log: out/soak/reset-under-traffic/reset.log

set -e -o pipefail
# shellcheck source=devtools/soak/lib.sh
. "$(dirname "$0")/lib.sh"

soak_args "devtools/soak/reset-under-traffic.sh [-b BUILD_DIR] [RESETS]" 1000 "$@"
resets=$soak_count
build=$soak_build
cd "$EMU_TOP"
soak_build_check "$build" app/test/dpdk-test
dpdk_test=$build/subprojects/dpdk/app/test/dpdk-test
logs=$EMU_TOP/out/soak/reset-under-traffic
rm -rf "$logs"
mkdir -p "$logs"
out=$logs/reset.log

start=$(date +%s)
log "$resets resets under traffic (log: $out)"
set +e
# Two lcores floating over the machine's CPUs: the worker polls.
EMU_SOAK_RESETS=$resets DPDK_TEST=emu_soak_reset_autotest \
	timeout --kill-after=10 $((resets / 5 + 300)) \
	"$dpdk_test" --lcores '0@(0-1),1@(0-1)' --no-huge -m 512 --no-pci \
	--file-prefix="soak-reset-$$" --log-level=lib.eal:warning 2>&1 |
	tee "$out" | grep -a --line-buffered '^emu_soak_reset: [0-9wb]' |
	sed -u 's/^emu_soak_reset: /  /'
rc=${PIPESTATUS[0]}
set -e
elapsed=$(($(date +%s) - start))

fig() {
	soak_figure "$out" "emu_soak_reset: $1" "$2"
}
crashes=0
case $rc in
0) ;;
124|137) soak_fail "the soak hung: killed after its time limit; see $out" ;;
*)
	if [ "$rc" -gt 128 ]; then
		crashes=1
		soak_fail "dpdk-test crashed (signal $((rc - 128))); see $out"
	else
		grep -a 'check failed' "$out" >&2 || true
		soak_fail "dpdk-test failed (status $rc); see $out"
	fi
	;;
esac
grep -aq '^Test OK' "$out" || [ -n "$SOAK_FAILED" ] ||
	soak_fail "dpdk-test did not report Test OK; see $out"

done_resets=$(fig resets= resets)
fds0=$(fig fds_baseline= fds_baseline)
fds1=$(fig fds_baseline= fds_end)
rss_growth=$(fig fds_baseline= rss_growth_kib)
heap_growth=$(($(fig fds_baseline= malloc_end) - $(fig fds_baseline= malloc_baseline)))
rte_growth=$(($(fig fds_baseline= rte_malloc_end) - $(fig fds_baseline= rte_malloc_baseline)))
heap_limit=4096
bad=
for k in rx_q0_bad_desc_drops tx_q0_bad_desc_drops rx_q0_bad_tail tx_q0_bad_tail \
		tx_q0_invalid_drops tx_q0_no_fit_drops tx_q0_oversize_drops \
		tx_q0_mac_filtered ierrors oerrors rx_nombuf; do
	bad="$bad $k=$(fig guest_bad_len= "$k")"
done

echo
echo "reset under traffic soak ($resets resets, $elapsed s)"
echo "  resets          ${done_resets:-0}: VF reset $(fig resets= vf_reset), FLR $(fig resets= flr), DEVICE_RESET $(fig resets= device_reset); $(fig resets= late) with the guest's data path running"
echo "  reset time      $(fig resets= reset_ms_avg) ms on average, $(fig resets= reset_ms_max) ms at most (reset and guest re-init); traffic back after $(fig resets= resume_ms_avg) ms on average, $(fig resets= resume_ms_max) ms at most"
echo "  crashes         $crashes"
echo "  traffic         $(fig frames_per_s_before= frames_per_s_before) frames/s looped back before the soak, $(fig frames_per_s_before= frames_per_s_after) after"
echo "  frames          guest sent $(fig frames_per_s_before= guest_tx), received $(fig frames_per_s_before= guest_rx); port rx $(fig frames_per_s_before= port_rx), tx $(fig frames_per_s_before= port_tx); lost in resets $(fig frames_per_s_before= lost_in_resets), stale after a reset $(fig frames_per_s_before= stale_after_reset)"
echo "  guest bad       length $(fig guest_bad_len= guest_bad_len), error bits $(fig guest_bad_len= guest_bad_err), data $(fig guest_bad_len= guest_bad_data), order $(fig guest_bad_len= guest_bad_seq)"
echo "  port counters  $bad"
echo "  fds             baseline $fds0, end $fds1"
echo "  RSS             baseline $(fig fds_baseline= rss_baseline_kib) KiB, end $(fig fds_baseline= rss_end_kib) KiB, growth $rss_growth KiB (limit < $SOAK_RSS_LIMIT_KIB)"
echo "  heap in use     malloc $(fig fds_baseline= malloc_baseline) B at the baseline, growth $heap_growth B; rte_malloc $(fig fds_baseline= rte_malloc_baseline) B, growth $rte_growth B (limit < $heap_limit)"
echo "  time            $elapsed s"
echo "  log             $out"

if [ "$rc" = 0 ]; then
	[ "$done_resets" = "$resets" ] ||
		soak_fail "${done_resets:-0} of $resets resets done"
	if [ -z "$fds0" ] || [ "$fds1" != "$fds0" ]; then
		soak_fail "fds ${fds1:-?} at the end, ${fds0:-?} at the baseline: a reset leaks file descriptors"
	fi
	if [ -z "$rss_growth" ] || [ "$rss_growth" -ge "$SOAK_RSS_LIMIT_KIB" ]; then
		soak_fail "RSS grew by ${rss_growth:-?} KiB (limit < $SOAK_RSS_LIMIT_KIB KiB)"
	fi
	[ "$heap_growth" -lt "$heap_limit" ] ||
		soak_fail "malloc heap in use grew by $heap_growth B (limit < $heap_limit B): a leak"
	[ "$rte_growth" -lt "$heap_limit" ] ||
		soak_fail "rte_malloc heap in use grew by $rte_growth B (limit < $heap_limit B): a leak"
fi
[ -z "$SOAK_FAILED" ] || exit 1
echo "PASS"
