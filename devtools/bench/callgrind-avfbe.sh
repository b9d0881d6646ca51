#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Instructions per packet of the net_avfbe bursts, measured with callgrind:
# avfbe_perf_autotest moves a fixed number of packets (AVFBE_PERF_PKTS) for
# each doorbell mode and frame size under valgrind --tool=callgrind, and the
# inclusive instruction count (Ir) of avfbe_rx_burst and avfbe_tx_burst is
# divided by the packets moved. Unlike timings these counts repeat on a
# noisy machine. The inclusive counts contain the calls that moved nothing
# too (both lcores yield when idle, so there are few): their numbers are
# printed, "rx empty" (rx_burst found no packet) and "tx none" (tx_burst
# found no guest buffer, the forwarding loop retries).
#
# usage: devtools/bench/callgrind-avfbe.sh [-p PACKETS] [-b BUILD_DIR] [-f]
#   -p PACKETS    packets per case (default 20000)
#   -b BUILD_DIR  meson build directory (default build-perf)
#   -f            also list the self cost per packet of each function
#                 the bursts call
# Profiles and logs: out/bench/callgrind/

set -e -o pipefail
. "$(dirname "$0")/../lib/common.sh"

usage() {
	die "usage: devtools/bench/callgrind-avfbe.sh [-p PACKETS] [-b BUILD_DIR] [-f]"
}

pkts=20000
build="build-perf"
funcs=0
while getopts p:b:f opt; do
	case $opt in
	p) pkts=$OPTARG ;;
	b) build=$OPTARG ;;
	f) funcs=1 ;;
	*) usage ;;
	esac
done
[[ $pkts =~ ^[1-9][0-9]*$ ]] || usage

cd "$EMU_TOP"
test_bin=$build/subprojects/dpdk/app/test/dpdk-test
[ -x "$test_bin" ] ||
	die "$test_bin not found: build it first (meson setup $build && ninja -C $build)"
if ! command -v valgrind >/dev/null ||
	! command -v callgrind_annotate >/dev/null; then
	die "valgrind is not installed (apt-get install valgrind)"
fi

out=$EMU_TOP/out/bench/callgrind
rm -rf "$out"
mkdir -p "$out"

# inclusive_ir PROFILE FUNCTION: inclusive Ir of FUNCTION (0 if absent).
inclusive_ir() {
	callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
		awk -v fn="$2" 'BEGIN { ir = 0 }
			!found && $0 ~ ":" fn " " { gsub(",", "", $1); ir = $1; found = 1 }
			END { print ir }'
}

log "callgrind, $pkts packets per case, $test_bin"
printf '%-8s %5s %8s %9s %9s %15s %15s\n' doorbell frame packets \
	"rx empty" "tx none" "rx_burst Ir/pkt" "tx_burst Ir/pkt" \
	>"$out/summary.txt"
for mode in shared trapped; do
	for frame in 64 1518; do
		prof=$out/callgrind.out.$mode-$frame
		logf=$out/$mode-$frame.log
		if ! AVFBE_PERF_DOORBELL=$mode AVFBE_PERF_FRAME=$frame \
			AVFBE_PERF_PKTS=$pkts DPDK_TEST=avfbe_perf_autotest \
			timeout 900 valgrind --tool=callgrind \
			--callgrind-out-file="$prof" "$test_bin" -l 0-1 \
			--no-huge -m 1024 --no-pci \
			--file-prefix="avfbe-cg-$$" >"$logf" 2>&1 ||
			! grep -q '^Test OK' "$logf"; then
			grep -E 'check failed|Failed|error' "$logf" >&2 || true
			die "$mode/$frame failed under callgrind, see $logf"
		fi
		line=$(grep '^avfbe_perf: ' "$logf")
		moved=$(sed -n 's/.* packets=\([0-9]*\).*/\1/p' <<<"$line")
		idle=$(sed -n 's/.* idle_polls=\([0-9]*\).*/\1/p' <<<"$line")
		full=$(sed -n 's/.* tx_full_calls=\([0-9]*\).*/\1/p' <<<"$line")
		[ "$moved" = "$pkts" ] || die "$mode/$frame moved $moved packets, not $pkts"
		rx=$(inclusive_ir "$prof" avfbe_rx_burst)
		tx=$(inclusive_ir "$prof" avfbe_tx_burst)
		if [ "$rx" -eq 0 ] || [ "$tx" -eq 0 ]; then
			die "no avfbe_rx_burst/avfbe_tx_burst in $prof (stripped binary?)"
		fi
		awk -v m="$mode" -v f="$frame" -v n="$moved" -v i="$idle" \
			-v z="$full" -v rx="$rx" -v tx="$tx" 'BEGIN {
			printf "%-8s %5s %8s %9s %9s %15.1f %15.1f\n",
				m, f, n, i, z, rx / n, tx / n }' >>"$out/summary.txt"
		if [ "$funcs" = 1 ]; then
			echo "-- $mode/$frame: self Ir per packet" >>"$out/functions.txt"
			callgrind_annotate --threshold=100 "$prof" 2>/dev/null |
				awk -v n="$moved" '
				/avfbe_|rte_iavf_emu_|rte_net_get_ptype|rte_pktmbuf_read/ {
					ir = $1; gsub(",", "", ir); f = $0
					sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", f)
					sub(/ .*/, "", f); sub(/^[^:]*:/, "", f)
					if (ir / n >= 1) printf "%8.1f  %s\n", ir / n, f }' |
				head -20 >>"$out/functions.txt"
		fi
	done
done
echo
cat "$out/summary.txt"
if [ "$funcs" = 1 ]; then
	echo
	cat "$out/functions.txt"
fi
