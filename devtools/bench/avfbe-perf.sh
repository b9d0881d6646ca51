#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run the net_avfbe performance test (avfbe_perf_autotest) N times, the two
# doorbell modes interleaved (shared, trapped, shared, ...) so that a noisy
# neighbour hurts both alike, print every run's figures and the medians.
#
# usage: devtools/bench/avfbe-perf.sh [-n RUNS] [-t MS] [-b BUILD_DIR]
#   -n RUNS       runs per doorbell mode (default 5)
#   -t MS         measured time per frame size and run (default 1000)
#   -b BUILD_DIR  meson build directory (default build-perf)
# Logs: out/bench/avfbe-perf/<mode>-<run>.log

set -e -o pipefail
. "$(dirname "$0")/../lib/common.sh"

usage() {
	die "usage: devtools/bench/avfbe-perf.sh [-n RUNS] [-t MS] [-b BUILD_DIR]"
}

runs=5
ms=1000
build="build-perf"
while getopts n:t:b: opt; do
	case $opt in
	n) runs=$OPTARG ;;
	t) ms=$OPTARG ;;
	b) build=$OPTARG ;;
	*) usage ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
[[ $ms =~ ^[1-9][0-9]*$ ]] || usage

cd "$EMU_TOP"
test_bin=$build/subprojects/dpdk/app/test/dpdk-test
[ -x "$test_bin" ] ||
	die "$test_bin not found: build it first (meson setup $build && ninja -C $build)"
[ "$(nproc)" -ge 2 ] || die "the test needs 2 CPUs (lcores 0 and 1)"

logs=$EMU_TOP/out/bench/avfbe-perf
rm -rf "$logs"
mkdir -p "$logs"
results=$logs/results.txt
: >"$results"

log "avfbe_perf_autotest: $runs runs per doorbell mode, $ms ms per case, $test_bin"
for run in $(seq 1 "$runs"); do
	for mode in shared trapped; do
		out=$logs/$mode-$run.log
		if ! AVFBE_PERF_DOORBELL=$mode AVFBE_PERF_MS=$ms \
			DPDK_TEST=avfbe_perf_autotest timeout 300 "$test_bin" \
			-l 0-1 --no-huge -m 1024 --no-pci \
			--file-prefix="avfbe-bench-$$" >"$out" 2>&1 ||
			! grep -q '^Test OK' "$out"; then
			grep -E 'check failed|Failed|error' "$out" >&2 || true
			die "run $run ($mode) failed, see $out"
		fi
		grep '^avfbe_perf: ' "$out" | sed "s/^avfbe_perf: /run=$run /" |
			tee -a "$results"
	done
done

/usr/bin/python3 - "$results" <<'EOF'
import statistics
import sys

FIELDS = [('g2p_mpps', 'g->p Mpps', '%9.3f'), ('p2g_mpps', 'p->g Mpps', '%9.3f'),
          ('g2p_gbps', 'g->p Gbit/s', '%11.3f'), ('p2g_gbps', 'p->g Gbit/s', '%11.3f'),
          ('rx_cycles_per_pkt', 'rx cyc/pkt', '%10.1f'),
          ('tx_cycles_per_pkt', 'tx cyc/pkt', '%10.1f')]
cases = {}
for line in open(sys.argv[1]):
    kv = dict(f.split('=', 1) for f in line.split())
    key = (kv['doorbell'], int(kv['frame']))
    cases.setdefault(key, []).append(kv)

print('\nmedians over %d runs (min-max in brackets for Mpps)' %
      max(len(v) for v in cases.values()))
print('%-8s %5s ' % ('doorbell', 'frame') +
      ' '.join('%*s' % (len(fmt % 0), title) for _, title, fmt in FIELDS))
for (db, frame), runs in sorted(cases.items()):
    cols = []
    for name, _, fmt in FIELDS:
        vals = [float(r[name]) for r in runs]
        cols.append(fmt % statistics.median(vals))
    g2p = [float(r['g2p_mpps']) for r in runs]
    print('%-8s %5d ' % (db, frame) + ' '.join(cols) +
          '   [%.3f-%.3f]' % (min(g2p), max(g2p)))
EOF
