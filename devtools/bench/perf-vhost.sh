#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Throughput of the host side of vhost-user, the counterpart of
# avfbe-perf.sh: the vhost-user pair of vhost-lib.sh without valgrind,
# testpmd "host" (net_vhost, io forwarding port 0 -> port 0) on CPU 0 and
# testpmd "guest" (net_virtio_user, io forwarding) on CPU 1, no offloads
# (mrg_rxbuf=0). The guest loads 32 x VB_INJECT (default 128) frames with
# tx_first, the host starts, and the frames go round guest -> host ->
# guest. After 0.5 s the guest's "show port stats" starts a measurement,
# SECONDS later a second one gives the rate at which the guest received
# frames (testpmd's Rx-pps, timed with the TSC) = the rate at which the
# host forwarded them. Gbit/s counts frame bytes (no preamble, gap or
# CRC), as avfbe_perf_autotest does.
#
# Shape: two processes, each polling on its own CPU; the host copies each
# frame out of the guest's Tx buffer into an mbuf and into a guest Rx
# buffer, the guest forwards the mbufs it receives without touching them.
#
# usage: devtools/bench/perf-vhost.sh [-n RUNS] [-t SECONDS] [-b BUILD_DIR]
#        devtools/bench/perf-vhost.sh [-t SECONDS] [-b BUILD_DIR] -1 RING FRAME
#   -n RUNS       runs per case (default 5); the cases split/packed x 64/1518
#                 are interleaved run by run
#   -t SECONDS    measured time per run (default 3)
#   -b BUILD_DIR  meson build directory (default build)
#   -1 RING FRAME one run of one case (RING split|packed, FRAME 64|1518):
#                 print "FIGURE UNIT" (Mpps at 64, Gbit/s at 1518) and
#                 nothing else on stdout, so that a caller can interleave
#                 runs of several backends (compare.sh)
# Logs: out/bench/perf-vhost/ (VB_LOGDIR overrides it; the one-run mode
# keeps the logs of its last run there); summary.tsv there:
#   backend ring frame runs median min max unit
# No hugepages are needed (--no-huge, memfd-backed memory).

set -e -o pipefail
# shellcheck source=devtools/bench/vhost-lib.sh
. "$(dirname "$0")/vhost-lib.sh"

usage() {
	die "usage: devtools/bench/perf-vhost.sh [-n RUNS] [-t SECONDS] [-b BUILD_DIR] [-1 RING FRAME]"
}

runs=5
secs=3
build="build"
once=
while getopts n:t:b:1: opt; do
	case $opt in
	n) runs=$OPTARG ;;
	t) secs=$OPTARG ;;
	b) build=$OPTARG ;;
	1) once=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
if [ -n "$once" ]; then
	[ $# = 1 ] || usage
	once_frame=$1
	vb_check_case "$once" "$once_frame" none
else
	[ $# = 0 ] || usage
fi
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
[[ $secs =~ ^[1-9][0-9]*$ ]] || usage

cd "$EMU_TOP"
vb_setup "$build" perf-vhost
logs=${VB_LOGDIR:-$EMU_TOP/out/bench/perf-vhost}

# one_run RING FRAME TAG: one measurement; fig gets "FIGURE UNIT".
one_run() {
	local ring=$1 frame=$2 tag=$3 ans n pps drop
	vb_sock=$vb_run/$tag.sock
	vb_start_host none "pfvh-$$" "$logs/$tag-host.log"
	vb_start_guest "$ring" "$frame" none "pfvh-$$" "$logs/$tag-guest.log"
	vb_check_features "$(vb_features "$logs/$tag-host.log")" "$ring" none
	vb_load "$ring" "$frame" none
	vb_cmd host start >/dev/null
	sleep 0.5
	ans=$(vb_cmd guest "show port stats 0")
	n=$(vb_stat "$ans" RX-packets)
	[ "${n:-0}" -gt 0 ] ||
		die "$tag: no frame came back to the guest in 0.5 s (see $logs/$tag-host.log)"
	sleep "$secs"
	ans=$(vb_cmd guest "show port stats 0")
	pps=$(vb_stat "$ans" Rx-pps)
	ans=$(vb_cmd host stop)
	drop=$(vb_stat "$ans" TX-dropped)
	vb_cmd guest stop >/dev/null
	# the figures are taken: a slow teardown does not void them
	vb_quit guest late-ok
	vb_quit host late-ok
	[ "${pps:-0}" -gt 0 ] ||
		die "$tag: the guest measured no Rx rate (see $logs/$tag-guest.log)"
	# a frame the host could not put in the guest's ring is lost to the loop
	[ "${drop:-1}" = 0 ] ||
		die "$tag: the host dropped ${drop:-?} frames (guest Rx ring full?), see $logs/$tag-host.log"
	fig=$(awk -v pps="$pps" -v f="$frame" 'BEGIN {
		if (f == 64)
			printf "%.3f Mpps\n", pps / 1e6
		else
			printf "%.3f Gbit/s\n", pps * f * 8 / 1e9 }')
}

mkdir -p "$logs"
if [ -n "$once" ]; then
	one_run "$once" "$once_frame" "once-$once-$once_frame"
	echo "$fig"
	exit 0
fi

rm -rf "$logs"
mkdir -p "$logs"
results=$logs/results.txt
: >"$results"
log "vhost-user throughput: $runs runs per case, $secs s each, $vb_testpmd"
for run in $(seq 1 "$runs"); do
	for frame in 64 1518; do
		for ring in split packed; do
			one_run "$ring" "$frame" "$ring-$frame-$run"
			echo "run=$run ring=$ring frame=$frame $fig" | tee -a "$results"
		done
	done
done

/usr/bin/python3 - "$results" "$logs/summary.tsv" <<'PYEOF'
import statistics
import sys

cases = {}
for line in open(sys.argv[1]):
    f = line.split()
    kv = dict(x.split('=', 1) for x in f[:3])
    cases.setdefault((kv['ring'], int(kv['frame']), f[4]), []).append(float(f[3]))
with open(sys.argv[2], 'w') as out:
    out.write('backend\tring\tframe\truns\tmedian\tmin\tmax\tunit\n')
    print('\nnet_vhost <-> net_virtio_user, io forwarding both sides, %s' %
          'median [min-max] n')
    for (ring, frame, unit), v in sorted(cases.items(), key=lambda c: (c[0][1], c[0][0])):
        out.write('vhost\t%s\t%d\t%d\t%.3f\t%.3f\t%.3f\t%s\n' %
                  (ring, frame, len(v), statistics.median(v), min(v), max(v), unit))
        print('%-6s %5d  %8.3f [%.3f-%.3f] n=%d %s' %
              (ring, frame, statistics.median(v), min(v), max(v), len(v), unit))
PYEOF
