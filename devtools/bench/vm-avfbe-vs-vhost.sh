#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# VM-level throughput comparison: two Linux guests (QEMU 11, TCG) joined by
# one dpdk-testpmd in io forwarding, iperf3 TCP both ways, through
#   avfbe  the emulated AVF: guests' iavf driver, vfio-user-pci, emu_iavf and
#          two net_avfbe ports (net_avfbe0,path=SOCK; emu_iavf1 + net_avfbe1),
#          as devtools/vm/tests/avfbe-vm2vm.sh runs them;
#   vhost  virtio-net: guests' virtio_net driver, "-chardev socket -netdev
#          vhost-user -device virtio-net-pci", two net_vhost ports
#          (net_vhostN,iface=SOCK,tso=1,legacy-ol-flags=1);
#   mixed  (only with -B) vm0 on the emulated AVF through net_avfbe0, vm1 on
#          virtio-net through net_vhost1: vm0->vm1 is an iavf sender and a
#          virtio receiver, vm1->vm0 the other way round: it shows how
#          much of the avfbe/vhost difference is the sender's and how much
#          the receiver's.
# Everything else is the same: QEMU, guest kernel and initramfs, testpmd
# binary and CPU layout (devtools/vm/vm2vm.sh, VM2VM_CPUS), guest CPU
# (qemu64, one vCPU) and memory (512 MiB memfd, share=on), guest offloads
# (TSO and checksum on, checked in the guests), iperf3 settings (one TCP
# stream, -t SECONDS, then -R; the client guest vm1 is 10.0.0.2, the server
# guest vm0 10.0.0.1).  Runs are interleaved (a pair of avfbe guests boots,
# is measured and shut down, then a vhost pair, and so on), so that a noisy
# neighbour hurts both alike.
#
# Structural difference: a guest's TSO frame (up to 64 KiB) crosses
# net_avfbe as one mbuf chain, and the port towards the other guest cuts it
# into MSS-sized segments in software (plus checksums) while copying them
# into the guest's receive buffers; the receiving iavf guest gets 1500-byte
# frames.  net_vhost hands the GSO packet to the other guest whole, with a
# virtio-net header (gso_type, csum_start): nobody segments it.
#
# usage: devtools/bench/vm-avfbe-vs-vhost.sh [-n RUNS] [-t SECONDS] [-b BUILD_DIR] [-B BACKENDS]
#   -n RUNS       runs per backend (default 5)
#   -t SECONDS    iperf3 time per direction (default 10)
#   -b BUILD_DIR  meson build directory with dpdk-testpmd (default build)
#   -B BACKENDS   the backends to run, interleaved in this order, from
#                 avfbe, vhost and mixed (default "avfbe vhost"; one alone,
#                 e.g. to try other VM2VM_VHOST_DEVARGS, see
#                 devtools/vm/vm2vm.sh)
# As root.  Prints every run's figures (with the client guest's NIC
# interrupts and packets while it sent and while it received: how many
# frames each interrupt brings), then per direction the median
# [min-max] and n of each backend and, when vhost ran, the ratio of each
# other backend's median to vhost's.
# A run that fails (a guest check such as carrier or TSO, an iperf3 error, a
# guest that did not finish) is reported with its reason and not counted; a
# lost ping (the guests ping each other before iperf3) is only a note.
# Output: out/bench/vm/summary.tsv (backend direction runs median min max
# unit), runs.tsv (every figure), <backend>-<run>/ (consoles, testpmd log).
# Exit status 0 when every run gave its figures.

set -e -o pipefail
# shellcheck source=../vm/lib/vm-common.sh
. "$(dirname "$0")/../vm/lib/vm-common.sh"
# shellcheck source=../vm/vm2vm.sh
. "$EMU_TOP/devtools/vm/vm2vm.sh"

usage() {
	die "usage: devtools/bench/vm-avfbe-vs-vhost.sh [-n RUNS] [-t SECONDS] [-b BUILD_DIR] [-B \"avfbe vhost mixed\"]"
}

runs=5
secs=10
build=build
backends="avfbe vhost"
while getopts n:t:b:B: opt; do
	case $opt in
	n) runs=$OPTARG ;;
	t) secs=$OPTARG ;;
	b) build=$OPTARG ;;
	B) backends=$OPTARG ;;
	*) usage ;;
	esac
done
backends=${backends//,/ }
for b in $backends; do
	case $b in avfbe | vhost | mixed) ;; *) usage ;; esac
done
[ -n "${backends// /}" ] || usage
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
[[ $secs =~ ^[1-9][0-9]*$ ]] || usage

need_root
cd "$EMU_TOP"
case $build in /*) ;; *) build=$EMU_TOP/$build ;; esac
tp=$build/subprojects/dpdk/app/dpdk-testpmd
[ -x "$tp" ] || die "$tp not found: build first (devtools/build.sh)"
[ -e "$build/subprojects/dpdk/drivers/librte_net_vhost.so" ] ||
	[ -e "$build/subprojects/dpdk/drivers/librte_net_vhost.a" ] ||
	die "$build has no net_vhost driver (drivers/net/vhost): it is needed for the comparison"
"$EMU_TOP/devtools/vm/setup.sh" >/dev/null || die "devtools/vm/setup.sh failed (see its log)"

OUT=$EMU_TOP/out/bench/vm
rm -rf "$OUT"
mkdir -p "$OUT"
RESULTS=$OUT/runs.tsv
printf 'run\tbackend\tdirection\tmbps\n' >"$RESULTS"
GS=$EMU_TOP/devtools/vm/guest-scripts
# Boot, pings both ways, two iperf3 runs, slow TCG guests on a loaded host.
GUEST_TIMEOUT=$((300 + 4 * secs))
DIRS=("vm1->vm0" "vm0->vm1")
nfailed=0

# stat_sum STATS FIELD: testpmd's counter FIELD (e.g. RX-bytes), summed
# over the ports.
stat_sum() {
	echo "$1" | sed -n "s/.*$2: *\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'
}

# avg BYTES PACKETS: bytes per packet.
avg() {
	awk -v b="$1" -v p="$2" 'BEGIN { if (p > 0) printf "%.0f", b / p; else printf "-" }'
}

# iperf_mbps CONSOLE TAG: the receiver's Mbit/s of the client's iperf3 run
# TAG ("vm1" or "vm1 reverse").
iperf_mbps() {
	grep -a "^VM2VM IPERF $2: " "$1" | grep -a 'receiver$' |
		sed -n 's/.* \([0-9.][0-9.]*\) Mbits\/sec.*/\1/p' | tail -n 1
}

# nic_counts CONSOLE TAG: the client's NIC counts over its iperf3 run TAG
# (interrupts of its queue vectors, packets), from its "IRQS" line.
nic_counts() {
	grep -a "^VM2VM IRQS $2: " "$1" | tail -n 1 |
		sed -n 's/^[^:]*: \([0-9]*\) interrupts, \([0-9]*\) rx packets, \([0-9]*\) tx packets$/\1 interrupts, \2 rx, \3 tx packets/p'
}

# guest_status RC ERRFILE: what run-guest's exit status RC means.
guest_status() {
	case $1 in
	124) echo "did not power off in time (timeout)" ;;
	125) echo "QEMU or the guest failed: $(tail -n 1 "$2" 2>/dev/null | sed 's/^run-guest\[[^]]*\]: //')" ;;
	*) echo "guest script exit status $1" ;;
	esac
}

# judge DIR RC0 RC1: read the guests' consoles in DIR (run-guest statuses
# RC0 of vm0, RC1 of vm1); sets mbps (the two directions' figures), adds the
# reasons not to count the run to why and the remarks that do not affect
# the figures (lost pings) to notes.
judge() {
	local dir=$1 rc0=$2 rc1=$3 c line nfail=0 i
	mbps=("$(iperf_mbps "$dir/vm1.console" vm1)" "$(iperf_mbps "$dir/vm1.console" "vm1 reverse")")
	for c in vm0 vm1; do
		while read -r line; do
			nfail=$((nfail + 1))
			line=${line#CHECK FAIL: }
			case $line in
			*": ping -s "*", 0% loss" | *" pinged us back "*) notes+=("$c: check failed: $line") ;;
			*) why+=("$c: check failed: $line") ;;
			esac
		done < <(grep -a '^CHECK FAIL: ' "$dir/$c.console" || true)
		while read -r line; do
			why+=("$c: iperf3: ${line#VM2VM IPERF }")
		done < <(grep -a '^VM2VM IPERF .*error' "$dir/$c.console" || true)
	done
	# Status 1: failed checks, named above.
	if [ "$rc1" != 0 ] && { [ "$rc1" != 1 ] || [ "$nfail" = 0 ]; }; then
		why+=("vm1 (client): $(guest_status "$rc1" "$dir/vm1.run-guest.err")")
	fi
	if [ "$rc0" != 0 ] && { [ "$rc0" != 1 ] || [ "$nfail" = 0 ]; }; then
		why+=("vm0 (server): $(guest_status "$rc0" "$dir/vm0.run-guest.err")")
	fi
	for i in 0 1; do
		[ -n "${mbps[$i]}" ] || why+=("${DIRS[$i]}: no iperf3 receiver figure")
	done
}

# measure BACKEND RUN: one pair of guests; appends its figures to RESULTS or
# prints why there are none.
measure() {
	local backend=$1 run=$2 dir s0 s1 rc0=0 rc1=0 why=() notes=() stats xstats msgs='' f r i
	local -a mbps=()
	dir=$OUT/$backend-$run
	mkdir -p "$dir"
	# shellcheck disable=SC2034 # vm2vm.sh's
	VM2VM_BACKEND=$backend
	vm2vm_init "$build" || die "cannot create a run directory under /tmp"
	if ! vm2vm_start_testpmd >"$dir/testpmd-start.err" 2>&1 ||
			! vm2vm_tp_cmd 10 start 'forwards packets' >/dev/null; then
		why+=("testpmd did not start ($(tail -n 3 "$dir/testpmd-start.err" | tr '\n' ' '))")
	else
		s0=$(vm2vm_guest_script vm0 10.0.0.1 10.0.0.2 "$GS/vm2vm-server.sh" VM2VM_MIB=1)
		s1=$(vm2vm_guest_script vm1 10.0.0.2 10.0.0.1 "$GS/vm2vm-client.sh" \
			VM2VM_PHASE=iperf "VM2VM_IPERF=$secs" VM2VM_MIB=1 VM2VM_QUIT=1)
		vm2vm_start_guest vm0 0 "$s0" "$GUEST_TIMEOUT"
		vm2vm_start_guest vm1 1 "$s1" "$GUEST_TIMEOUT"
		vm2vm_wait_guest vm1 $((GUEST_TIMEOUT + 20)) || rc1=$?
		vm2vm_wait_guest vm0 60 || rc0=$?
		stats=$(vm2vm_port_stats) || stats=
		xstats=$(vm2vm_tp_cmd 10 "show port xstats all") || xstats=
		# vfio-user messages device 0 served over the whole run (boot
		# included): trapped accesses show up here
		[ "$backend" = vhost ] ||
			msgs=$(vm2vm_tel "/vfio_user/info,0" commands | /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin)
print("%d (%s)" % (sum(c.values()), ", ".join("%s %d" % (k, v) for k, v in sorted(c.items()) if v)))') || msgs=
		vm2vm_tp_alive || why+=("testpmd died (log: $dir/testpmd.log)")
		echo "$stats" >"$dir/port-stats.txt"
		echo "$xstats" >"$dir/port-xstats.txt"
	fi
	vm2vm_stop_testpmd
	cp "$VM2VM_DIR"/*.console "$VM2VM_DIR"/*.err "$VM2VM_TP_LOG" "$dir/" 2>/dev/null || true
	vm2vm_cleanup
	VM2VM_DIR=

	[ ! -f "$dir/vm1.console" ] || judge "$dir" "$rc0" "$rc1"
	if [ ${#why[@]} -gt 0 ]; then
		nfailed=$((nfailed + 1))
		echo "run $run/$runs $backend: FAILED, not counted (logs: $dir):"
		for r in "${why[@]}"; do
			echo "    $r"
		done
		return 0
	fi
	for i in 0 1; do
		printf '%s\t%s\t%s\t%s\n' "$run" "$backend" "${DIRS[$i]}" "${mbps[$i]}" >>"$RESULTS"
	done
	# Bytes per packet testpmd saw: what the guests sent (RX) and what the
	# ports passed to the guests (TX), over both ports.
	f="from guests $(avg "$(stat_sum "$stats" RX-bytes)" "$(stat_sum "$stats" RX-packets)") B/pkt"
	f="$f, to guests $(avg "$(stat_sum "$stats" TX-bytes)" "$(stat_sum "$stats" TX-packets)") B/pkt"
	if [ "$backend" != vhost ]; then
		# net_avfbe's counters: TSO frames its guest sent, segments it
		# cut for its guest (with mixed, of the virtio guest's GSO packets)
		f="$f; AVF guests sent $(stat_sum "$xstats" 'rx_q[0-9]*_tso_packets') TSO frames,"
		f="$f got $(stat_sum "$xstats" 'tx_q[0-9]*_sw_tso_segments') segments cut in software"
	fi
	printf 'run %d/%d %-5s  %s %8.1f Mbit/s  %s %8.1f Mbit/s  (testpmd: %s)\n' \
		"$run" "$runs" "$backend" "${DIRS[0]}" "${mbps[0]}" "${DIRS[1]}" "${mbps[1]}" "$f"
	printf '    vm1 (%s) sending: %s; receiving: %s\n' "$(vm2vm_guest_driver 1)" \
		"$(nic_counts "$dir/vm1.console" vm1)" "$(nic_counts "$dir/vm1.console" "vm1 reverse")"
	[ -z "$msgs" ] || echo "    vfio-user messages of vm0's AVF, whole run: $msgs"
	for r in "${notes[@]}"; do
		echo "    note (figures counted): $r"
	done
}

qv=$(vm_chroot qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p')
log "two TCG guests, iperf3 TCP ${secs} s each way: net_avfbe (emulated AVF, iavf) vs net_vhost (virtio-net), $runs runs each, interleaved"
log "same for both: QEMU $qv (TCG, -cpu qemu64, 1 vCPU, 512 MiB memfd share=on), guest kernel $(vm_kernel_version), $tp in io forwarding (CPU layout: $VM2VM_CPUS), guest TSO/checksum offloads on"
log "avfbe: net_avfbe0,path=SOCK + emu_iavf1/net_avfbe1 <-> vfio-user-pci; vhost: net_vhostN,iface=SOCK,tso=1$VM2VM_VHOST_DEVARGS <-> vhost-user virtio-net-pci"
case " $backends " in
*" mixed "*) log "mixed: vm0 (iavf) on net_avfbe0, vm1 (virtio_net) on net_vhost1: vm0->vm1 is AVF to virtio-net, vm1->vm0 virtio-net to AVF" ;;
esac
for run in $(seq 1 "$runs"); do
	for backend in $backends; do
		measure "$backend" "$run"
	done
done

echo
echo "Structural difference: with avfbe a guest's TSO frame (up to 64 KiB) crosses testpmd"
echo "as one mbuf chain and the port towards the other guest segments it (and computes"
echo "the checksums) in software while copying into 1500-byte iavf receive buffers;"
echo "with vhost the GSO packet reaches the other guest whole (virtio-net header with"
echo "gso_type/csum_start, legacy-ol-flags=1 carries the request across testpmd)."
echo
/usr/bin/python3 - "$RESULTS" "$OUT/summary.tsv" "$backends" "${DIRS[@]}" <<'EOF'
import statistics
import sys

results, summary, backends, dirs = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4:]
figs = {}
with open(results) as f:
    next(f)
    for line in f:
        run, backend, direction, mbps = line.split('\t')
        figs.setdefault((backend, direction), []).append(float(mbps))

med = {}
with open(summary, 'w') as out:
    out.write('backend\tdirection\truns\tmedian\tmin\tmax\tunit\n')
    for backend in backends:
        for d in dirs:
            v = figs.get((backend, d), [])
            if v:
                med[(backend, d)] = statistics.median(v)
                out.write('%s\t%s\t%d\t%.1f\t%.1f\t%.1f\tMbit/s\n' %
                          (backend, d, len(v), med[(backend, d)], min(v), max(v)))
            else:
                out.write('%s\t%s\t0\t-\t-\t-\tMbit/s\n' % (backend, d))

def cell(backend, d):
    v = figs.get((backend, d), [])
    if not v:
        return 'no figures'
    return '%.1f [%.1f-%.1f] n=%d' % (statistics.median(v), min(v), max(v), len(v))

title = {'avfbe': 'avfbe (emulated AVF)', 'vhost': 'vhost (virtio-net)',
         'mixed': 'mixed (vm0 AVF, vm1 virtio)'}
others = [b for b in backends if b != 'vhost'] if 'vhost' in backends else []
print('iperf3 TCP receiver Mbit/s, median [min-max] n')
print(('%-10s ' % 'direction' +
       ' '.join('%-32s' % title[b] for b in backends) +
       ''.join(' %-12s' % (b + '/vhost') for b in others)).rstrip())
for d in dirs:
    v = med.get(('vhost', d))
    line = '%-10s ' % d + ' '.join('%-32s' % cell(b, d) for b in backends)
    for b in others:
        a = med.get((b, d))
        line += ' %-12s' % ('%.2f' % (a / v) if a is not None and v else '-')
    print(line.rstrip())
EOF
echo "summary: $OUT/summary.tsv, every figure: $RESULTS"
if [ "$nfailed" -gt 0 ]; then
	echo "$nfailed run(s) failed and are not counted (reasons above)"
	exit 1
fi
