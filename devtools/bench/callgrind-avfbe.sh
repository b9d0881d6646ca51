#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Instructions per packet of the net_avfbe bursts, measured with callgrind:
# avfbe_perf_autotest moves a fixed number of packets (AVFBE_PERF_PKTS)
# through the AVF guest-driver model for each doorbell mode, guest
# offload set (none; linux: RSS and UDP checksum offload, as Linux iavf)
# and frame size under valgrind --tool=callgrind, and the inclusive
# instruction count (Ir) of avfbe_rx_burst and avfbe_tx_burst is divided
# by the packets moved. Unlike timings these counts repeat on a noisy
# machine.
#
# Calls that moved nothing are taken out: a separate run per doorbell
# mode (AVFBE_PERF_EMPTY) measures the Ir of an rx_burst on an idle ring
# and of a tx_burst refused for lack of guest buffers; the traffic runs
# count such calls and their cost is subtracted (a run with more than one
# such call per two packets is taken again, best of three).
# Both costs are printed ("empty Ir"). The guest model also counts the
# vfio-user messages it sent while the packets moved (msgs/pkt).
#
# usage: devtools/bench/callgrind-avfbe.sh [-p PACKETS] [-b BUILD_DIR] [-f]
#   -p PACKETS    packets per case (default 20000)
#   -b BUILD_DIR  meson build directory (default build)
#   -f            also list the self cost per packet of each function
#                 the bursts call
# Profiles and logs: out/bench/callgrind/; summary.tsv there has one line
# per case (backend mode frame offloads packets rx_ir_pkt tx_ir_pkt
# rxtx_ir_pkt rx_empty_ir tx_empty_ir rx_calls_pkt tx_calls_pkt
# msgs_per_pkt).

set -e -o pipefail
. "$(dirname "$0")/../lib/common.sh"

usage() {
	die "usage: devtools/bench/callgrind-avfbe.sh [-p PACKETS] [-b BUILD_DIR] [-f]"
}

pkts=20000
build="build"
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

# run_case NAME ENV...: dpdk-test avfbe_perf_autotest under callgrind.
run_case() {
	local name=$1
	shift
	if ! env "$@" DPDK_TEST=avfbe_perf_autotest \
		timeout 900 valgrind --tool=callgrind \
		--callgrind-out-file="$out/callgrind.out.$name" "$test_bin" \
		-l 0-1 --no-huge -m 1024 --no-pci \
		--file-prefix="avfbe-cg-$$" >"$out/$name.log" 2>&1 ||
		! grep -q '^Test OK' "$out/$name.log"; then
		grep -E 'check failed|Failed|error' "$out/$name.log" >&2 || true
		die "$name failed under callgrind, see $out/$name.log"
	fi
}

# field LINE KEY: value of KEY=value in LINE.
field() {
	sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"
}

empty_calls=100000
log "callgrind, $pkts packets per case, $empty_calls empty calls, $test_bin"
declare -A rx_empty tx_empty
for mode in shared trapped; do
	run_case "$mode-empty" AVFBE_PERF_DOORBELL=$mode \
		AVFBE_PERF_EMPTY=$empty_calls
	prof=$out/callgrind.out.$mode-empty
	line=$(grep '^avfbe_perf_empty: ' "$out/$mode-empty.log")
	[ "$(field "$line" rx_calls)" = "$empty_calls" ] ||
		die "$mode-empty: no avfbe_perf_empty line"
	rx=$(inclusive_ir "$prof" avfbe_rx_burst)
	tx=$(inclusive_ir "$prof" avfbe_tx_burst)
	[ "$rx" -gt 0 ] && [ "$tx" -gt 0 ] ||
		die "no avfbe_rx_burst/avfbe_tx_burst in $prof (stripped binary?)"
	# the tx figure includes filling the guest ring first (printed)
	rx_empty[$mode]=$(awk -v ir="$rx" -v n="$empty_calls" \
		'BEGIN { printf "%.1f", ir / n }')
	tx_empty[$mode]=$(awk -v ir="$tx" -v n="$empty_calls" \
		'BEGIN { printf "%.1f", ir / n }')
done

printf 'backend\tmode\tframe\toffloads\tpackets\trx_ir_pkt\ttx_ir_pkt\trxtx_ir_pkt\trx_empty_ir\ttx_empty_ir\trx_calls_pkt\ttx_calls_pkt\tmsgs_per_pkt\n' \
	>"$out/summary.tsv"
: >"$out/functions.txt"
for ol in none linux; do
for mode in shared trapped; do
	for frame in 64 1518; do
		name=$mode-$ol-$frame
		# An empty call may also be a trylock that lost to the control
		# thread (trapped doorbells), cheaper than the measured empty
		# cost: a run with many of them is taken again (best of 3).
		for try in 1 2 3; do
			run_case "$name" AVFBE_PERF_DOORBELL=$mode \
				AVFBE_PERF_FRAME=$frame AVFBE_PERF_OFFLOADS=$ol \
				AVFBE_PERF_PKTS=$pkts
			line=$(grep '^avfbe_perf: ' "$out/$name.log")
			empty=$(( $(field "$line" idle_polls) + \
				$(field "$line" tx_full_calls) ))
			if [ "$try" = 1 ] || [ "$empty" -lt "$best" ]; then
				best=$empty
				cp "$out/$name.log" "$out/$name.best.log"
				cp "$out/callgrind.out.$name" "$out/callgrind.best"
			fi
			[ $((empty * 2)) -gt "$pkts" ] || break
		done
		mv "$out/$name.best.log" "$out/$name.log"
		mv "$out/callgrind.best" "$out/callgrind.out.$name"
		prof=$out/callgrind.out.$name
		line=$(grep '^avfbe_perf: ' "$out/$name.log")
		moved=$(field "$line" packets)
		[ "$moved" = "$pkts" ] || die "$name moved $moved packets, not $pkts"
		rx=$(inclusive_ir "$prof" avfbe_rx_burst)
		tx=$(inclusive_ir "$prof" avfbe_tx_burst)
		if [ "$rx" -eq 0 ] || [ "$tx" -eq 0 ]; then
			die "no avfbe_rx_burst/avfbe_tx_burst in $prof (stripped binary?)"
		fi
		awk -v m="$mode" -v f="$frame" -v o="$ol" -v n="$moved" \
			-v idle="$(field "$line" idle_polls)" \
			-v full="$(field "$line" tx_full_calls)" \
			-v rxc="$(field "$line" rx_calls)" \
			-v txc="$(field "$line" tx_calls)" \
			-v msgs="$(( $(field "$line" msgs_region_read) + \
				$(field "$line" msgs_region_write) ))" \
			-v rx="$rx" -v tx="$tx" -v re="${rx_empty[$mode]}" \
			-v te="${tx_empty[$mode]}" 'BEGIN {
			r = (rx - idle * re) / n; t = (tx - full * te) / n
			printf "avfbe\t%s\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.3f\t%.3f\t%.4f\n",
				m, f, o, n, r, t, r + t, re, te, rxc / n,
				txc / n, msgs / n }' >>"$out/summary.tsv"
		if [ "$funcs" = 1 ]; then
			echo "-- $name: self Ir per packet" >>"$out/functions.txt"
			callgrind_annotate --threshold=100 "$prof" 2>/dev/null |
				awk -v n="$moved" '
				/avfbe_|rte_iavf_emu_|rte_net_|rte_pktmbuf_|rte_mempool|memcpy|memmove/ {
					ir = $1; gsub(",", "", ir); f = $0
					sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", f)
					sub(/ .*/, "", f); sub(/^[^:]*:/, "", f)
					if (ir / n >= 1) printf "%8.1f  %s\n", ir / n, f }' |
				head -20 >>"$out/functions.txt"
		fi
	done
done
done
echo
echo "net_avfbe, host side, Ir per packet (callgrind, empty calls taken out;"
echo "empty Ir: cost of one rx_burst on an idle ring / one refused tx_burst)"
column -t -s "$(printf '\t')" "$out/summary.tsv"
if [ "$funcs" = 1 ]; then
	echo
	cat "$out/functions.txt"
fi
