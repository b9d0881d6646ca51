#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# net_avfbe against net_vhost, host side, on this machine:
#
# 1 instructions per packet (callgrind): runs callgrind-avfbe.sh and
#   callgrind-vhost.sh, reads their summary.tsv files and prints, per
#   offload row (none, linux) and frame size, the rx, tx and rx+tx Ir/pkt
#   (empty calls taken out), the Ir of an empty call, the burst calls per
#   packet and the ratios of rx+tx Ir/pkt avfbe / vhost packed and
#   avfbe / vhost split;
# 2 throughput: runs interleaved (avfbe, vhost packed, vhost split, for
#   64 then 1518 bytes, RUNS times) and prints median [min-max] n per
#   backend and the ratio of the medians. An avfbe run is
#   avfbe_perf_autotest with the shared doorbell page and no offloads
#   (its p2g rate: frames the guest model got back per second); a vhost
#   run is perf-vhost.sh -1 (frames the virtio-user guest got back).
#
# The shapes differ. avfbe: one dpdk-test process, the AVF guest-driver
# model on lcore 1 (keeps its Tx ring full and Rx ring posted) and the
# net_avfbe port forwarding rx_burst -> tx_burst on lcore 0; the port
# copies both ways. Under callgrind both lcores run under valgrind and
# exactly PACKETS frames move. vhost: two testpmd processes, virtio-user
# (the guest) polling on CPU 1 with io forwarding, net_vhost on CPU 0
# with io forwarding; the vhost library copies both ways, the guest does
# not copy. Under callgrind only net_vhost's process runs under valgrind
# and at least PACKETS frames move (exact counts are used).
#
# usage: devtools/bench/compare.sh [-n RUNS] [-p PACKETS] [-t SECONDS]
#                                  [-b BUILD_DIR] [--no-callgrind|--no-throughput]
#   -n RUNS        throughput runs per backend and frame size (default 5)
#   -p PACKETS     packets per callgrind case (default 20000)
#   -t SECONDS     measured time of a throughput run (default 3)
#   -b BUILD_DIR   meson build directory (default build)
# Output: out/bench/compare/ (callgrind.txt, throughput.txt, throughput.tsv
# and the logs of the throughput runs); the callgrind scripts keep theirs
# in out/bench/callgrind/ and out/bench/callgrind-vhost/.

set -e -o pipefail
# shellcheck source=devtools/lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

usage() {
	die "usage: devtools/bench/compare.sh [-n RUNS] [-p PACKETS] [-t SECONDS] [-b BUILD_DIR] [--no-callgrind|--no-throughput]"
}

runs=5
pkts=20000
secs=3
build="build"
do_cg=1
do_tp=1
while [ $# -gt 0 ]; do
	case $1 in
	-n | -p | -t | -b)
		[ $# -ge 2 ] || usage
		case $1 in
		-n) runs=$2 ;;
		-p) pkts=$2 ;;
		-t) secs=$2 ;;
		-b) build=$2 ;;
		esac
		shift 2
		;;
	--no-callgrind) do_cg=0; shift ;;
	--no-throughput) do_tp=0; shift ;;
	*) usage ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
[[ $pkts =~ ^[1-9][0-9]*$ ]] || usage
[[ $secs =~ ^[1-9][0-9]*$ ]] || usage
[ "$do_cg" = 1 ] || [ "$do_tp" = 1 ] || usage

cd "$EMU_TOP"
bench=$EMU_TOP/devtools/bench
out=$EMU_TOP/out/bench/compare
mkdir -p "$out"

SHAPES="shapes: avfbe = one process, the AVF guest-driver model (lcore 1) and the
  net_avfbe port forwarding (lcore 0), the port copies both ways; vhost = two
  testpmd processes, virtio-user polling on CPU 1 (io forwarding, no copy) and
  net_vhost on CPU 0 (io forwarding, the vhost library copies both ways)"

if [ "$do_cg" = 1 ]; then
	"$bench/callgrind-avfbe.sh" -p "$pkts" -b "$build"
	"$bench/callgrind-vhost.sh" -p "$pkts" -b "$build"
	avf=$EMU_TOP/out/bench/callgrind/summary.tsv
	[ -f "$avf" ] || avf=$EMU_TOP/out/bench/callgrind/summary.txt
	[ -f "$avf" ] || die "callgrind-avfbe.sh left no summary.tsv or summary.txt in out/bench/callgrind/"
	vh=$EMU_TOP/out/bench/callgrind-vhost/summary.tsv
	[ -f "$vh" ] || die "callgrind-vhost.sh left no out/bench/callgrind-vhost/summary.tsv"
	/usr/bin/python3 - "$avf" "$vh" "$SHAPES" >"$out/callgrind.txt" <<'PYEOF'
import sys


def tsv(path):
    lines = [l.rstrip('\n').split('\t') for l in open(path) if l.strip()]
    return [dict(zip(lines[0], l)) for l in lines[1:]]


def old_txt(path):
    # callgrind-avfbe.sh before summary.tsv: doorbell frame packets
    # "rx empty" "tx none" rx_burst Ir/pkt tx_burst Ir/pkt, no offload
    # rows, empty calls counted but not taken out
    rows = []
    for l in open(path):
        f = l.split()
        if len(f) != 7 or f[0] == 'doorbell':
            continue
        rows.append({'backend': 'avfbe', 'mode': f[0], 'frame': f[1],
                     'offloads': 'none', 'packets': f[2],
                     'rx_ir_pkt': f[5], 'tx_ir_pkt': f[6],
                     'rxtx_ir_pkt': '%.1f' % (float(f[5]) + float(f[6])),
                     'rx_empty_ir': '-', 'tx_empty_ir': '-',
                     'rx_calls_pkt': '-', 'tx_calls_pkt': '-',
                     'note': 'empties (%s rx, %s tx) not taken out' % (f[3], f[4])})
    return rows


avf_path, vh_path, shapes = sys.argv[1:4]
if avf_path.endswith('.tsv'):
    avf = tsv(avf_path)
    src = avf_path
else:
    avf = old_txt(avf_path)
    src = avf_path + ' (older format: no offload rows, no empty costs)'
if not avf:
    sys.exit('error: no avfbe row in ' + avf_path)
vh = tsv(vh_path)
if not vh:
    sys.exit('error: no vhost row in ' + vh_path)
vhost = {(r['ring'], r['frame'], r['offloads']): r for r in vh}

print('Ir per packet of the host-side bursts (callgrind, empty calls taken out)')
print('avfbe: %s\nvhost: %s' % (src, vh_path))
hdr = '%-5s %5s %-13s %8s %7s %7s %7s %15s %13s %9s %9s'


def num(v, fmt):
    try:
        return fmt % float(v)
    except ValueError:
        return v


def pair(r, a, b, fmt):
    return num(r[a], fmt) + '/' + num(r[b], fmt)


print(hdr % ('ol', 'frame', 'backend', 'packets', 'rx', 'tx', 'rx+tx',
             'empty rx/tx', 'calls rx/tx', 'avf/pack', 'avf/split'))
for ol in ('none', 'linux'):
    for frame in ('64', '1518'):
        rows = [r for r in avf if r['offloads'] == ol and r['frame'] == frame]
        vp = vhost.get(('packed', frame, ol))
        vs = vhost.get(('split', frame, ol))
        if not rows and not vp and not vs:
            continue
        for r in rows:
            ratio = []
            for v in (vp, vs):
                ratio.append('%.2f' % (float(r['rxtx_ir_pkt']) /
                                       float(v['rxtx_ir_pkt'])) if v else '-')
            print(hdr % (ol, frame, 'avfbe ' + r['mode'], r['packets'],
                         r['rx_ir_pkt'], r['tx_ir_pkt'], r['rxtx_ir_pkt'],
                         pair(r, 'rx_empty_ir', 'tx_empty_ir', '%.1f'),
                         pair(r, 'rx_calls_pkt', 'tx_calls_pkt', '%.3f'),
                         ratio[0], ratio[1]) +
                  ('  (%s)' % r['note'] if 'note' in r else ''))
        for name, v in (('vhost packed', vp), ('vhost split', vs)):
            if v:
                print((hdr % (ol, frame, name, v['packets'], v['rx_ir_pkt'],
                              v['tx_ir_pkt'], v['rxtx_ir_pkt'],
                              pair(v, 'rx_empty_ir', 'tx_empty_ir', '%.1f'),
                              pair(v, 'rx_calls_pkt', 'tx_calls_pkt', '%.3f'),
                              '', '')).rstrip())
print('rx, tx: Ir/pkt of rx_burst / tx_burst (avfbe_rx_burst, avfbe_tx_burst;'
      ' eth_vhost_rx, eth_vhost_tx);\nempty: Ir of a call that moved nothing;'
      ' calls: burst calls per packet, empty ones too;\navf/pack, avf/split:'
      ' rx+tx of avfbe / rx+tx of vhost packed, split')
print(shapes)
PYEOF
	echo
	cat "$out/callgrind.txt"
fi

if [ "$do_tp" = 1 ]; then
	test_bin=$build/subprojects/dpdk/app/test/dpdk-test
	[ -x "$test_bin" ] ||
		die "$test_bin not found: build it first (devtools/build.sh $build)"
	[ "$(nproc)" -ge 2 ] || die "the throughput runs need 2 CPUs"
	tp=$out/throughput
	rm -rf "$tp"
	mkdir -p "$tp"
	results=$out/throughput-runs.txt
	: >"$results"
	log "throughput: $runs interleaved runs per backend and frame size, $secs s each"
	for run in $(seq 1 "$runs"); do
		for frame in 64 1518; do
			lg=$tp/avfbe-$frame-$run.log
			if ! AVFBE_PERF_DOORBELL=shared AVFBE_PERF_FRAME=$frame \
				AVFBE_PERF_MS=$((secs * 1000)) \
				DPDK_TEST=avfbe_perf_autotest timeout 300 "$test_bin" \
				-l 0-1 --no-huge -m 1024 --no-pci \
				--file-prefix="cmp-avfbe-$$" >"$lg" 2>&1 ||
				! grep -q '^Test OK' "$lg"; then
				grep -E 'check failed|Failed|error' "$lg" >&2 || true
				die "avfbe run $run ($frame B) failed, see $lg"
			fi
			line=$(grep '^avfbe_perf: ' "$lg" | tail -n 1)
			if [ "$frame" = 64 ]; then
				fig="$(sed -n 's/.* p2g_mpps=\([0-9.]*\).*/\1/p' <<<"$line") Mpps"
			else
				fig="$(sed -n 's/.* p2g_gbps=\([0-9.]*\).*/\1/p' <<<"$line") Gbit/s"
			fi
			[[ $fig =~ ^[0-9.]+\  ]] ||
				die "no p2g rate in the avfbe_perf line of $lg"
			echo "run=$run frame=$frame backend=avfbe-shared $fig" | tee -a "$results"
			for ring in packed split; do
				fig=$(VB_LOGDIR=$tp "$bench/perf-vhost.sh" -t "$secs" \
					-b "$build" -1 "$ring" "$frame") ||
					die "vhost $ring run $run ($frame B) failed (logs: $tp/once-$ring-$frame-*)"
				echo "run=$run frame=$frame backend=vhost-$ring $fig" | tee -a "$results"
			done
		done
	done
	/usr/bin/python3 - "$results" "$out/throughput.tsv" "$SHAPES" \
		>"$out/throughput.txt" <<'PYEOF'
import statistics
import sys

runs = {}
by_run = {}
for line in open(sys.argv[1]):
    f = line.split()
    kv = dict(x.split('=', 1) for x in f[:3])
    runs.setdefault((int(kv['frame']), kv['backend'], f[4]), []).append(float(f[3]))
    by_run[(int(kv['run']), int(kv['frame']), kv['backend'])] = float(f[3])
print('throughput, interleaved runs: median [min-max] n')
with open(sys.argv[2], 'w') as tsv:
    tsv.write('backend\tvariant\tframe\truns\tmedian\tmin\tmax\tunit\n')
    for frame in (64, 1518):
        med = {}
        for backend in ('avfbe-shared', 'vhost-packed', 'vhost-split'):
            for (fr, b, unit), v in runs.items():
                if fr != frame or b != backend:
                    continue
                med[b] = statistics.median(v)
                print('%5d B  %-13s %8.3f [%.3f-%.3f] n=%d %s' %
                      (frame, b, med[b], min(v), max(v), len(v), unit))
                be, var = b.split('-')
                tsv.write('%s\t%s\t%d\t%d\t%.3f\t%.3f\t%.3f\t%s\n' %
                          (be, var, frame, len(v), med[b], min(v), max(v), unit))
        for ring in ('packed', 'split'):
            v = med.get('vhost-' + ring)
            if v and 'avfbe-shared' in med:
                print('%5d B  ratio of medians avfbe / vhost %s: %.2f' %
                      (frame, ring, med['avfbe-shared'] / v))
                # the runs of one round are seconds apart: their ratio
                # shares the machine's level of the moment
                pr = [by_run[(r, frame, 'avfbe-shared')] /
                      by_run[(r, frame, 'vhost-' + ring)]
                      for (r, fr, b) in by_run
                      if fr == frame and b == 'avfbe-shared' and
                      (r, frame, 'vhost-' + ring) in by_run and
                      by_run[(r, frame, 'vhost-' + ring)] > 0]
                if pr:
                    print('%5d B  median of the per-round ratios avfbe / vhost %s:'
                          ' %.2f [%.2f-%.2f] n=%d' %
                          (frame, ring, statistics.median(pr), min(pr),
                           max(pr), len(pr)))
print('avfbe: frames the guest model got back per second (p2g), shared doorbell;'
      '\nvhost: frames the virtio-user guest got back per second;'
      ' Gbit/s counts frame bytes')
print(sys.argv[3])
PYEOF
	echo
	cat "$out/throughput.txt"
fi
