#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Instructions per packet of the host side of vhost-user, the counterpart
# of callgrind-avfbe.sh: the inclusive instruction count (Ir) of net_vhost's
# rx and tx bursts (eth_vhost_rx, which calls rte_vhost_dequeue_burst, and
# eth_vhost_tx, which calls rte_vhost_enqueue_burst), divided by the
# packets they moved.
#
# Shape (PVP-like, see vhost-lib.sh): testpmd "host" with net_vhost under
# valgrind --tool=callgrind, io forwarding port 0 -> port 0; testpmd
# "guest" with net_virtio_user on the other CPU, not under valgrind, loads
# 32 x VB_INJECT (default 4 x 32 = 128) frames into its Tx ring and
# forwards every frame it gets back. The host under callgrind is the slow
# side, so its rx bursts find full rings. Each case is one host process
# and three phases, each a callgrind dump (callgrind_control -d):
#   1 idle   both forward, no packet: every eth_vhost_rx call is empty;
#            their mean Ir is the empty-poll cost rx_empty_ir
#   2 loop   the guest loads its ring, then the host starts; they loop the
#            frames until the guest got at least PACKETS back, then the
#            host stops (the exact count comes from its forward statistics)
#   3 full   the guest sends (txonly) and never reads its Rx ring: once the
#            ring is full every eth_vhost_tx call finds no guest buffer;
#            tx_empty_ir is their mean Ir (the few frames that did go in
#            are taken out at the loop's tx Ir/pkt)
# testpmd's io forwarding calls tx once per non-empty rx burst (no retry),
# so in the loop the empty rx calls are rx calls - tx calls; their Ir
# (count x rx_empty_ir) is taken out of the rx figure, and the loop has no
# empty tx call (the script checks no frame was dropped). Calls/pkt count
# every burst call of the loop, empty ones too (as callgrind-avfbe.sh).
#
# Cases: ring split|packed x frame 64|1518 x offloads none|linux, the
# offload rows as vhost-lib.sh describes (linux: the guest negotiates
# mrg_rxbuf, CSUM, GUEST_CSUM, HOST_TSO4/6, GUEST_TSO4/6 and asks for a UDP
# checksum in every packet; net_vhost tso=1,legacy-ol-flags=1). The
# script checks the features net_vhost negotiated, that every packet of
# the linux row carried a checksum request and none of the none row did,
# and that the frames had the size asked.
#
# usage: devtools/bench/callgrind-vhost.sh [-p PACKETS] [-b BUILD_DIR]
#   -p PACKETS    packets the loop forwards at least, per case (default 20000)
#   -b BUILD_DIR  meson build directory (default build)
#   VB_CASES="split-64-none ..." in the environment: only these cases
# Profiles, logs and the summary: out/bench/callgrind-vhost/
#   summary.tsv  backend ring frame offloads packets rx_ir_pkt tx_ir_pkt
#                rxtx_ir_pkt rx_empty_ir tx_empty_ir rx_calls_pkt tx_calls_pkt
# No hugepages are needed (--no-huge, memfd-backed memory); the linux row
# needs root (a network namespace and a tap interface for the guest).

set -e -o pipefail
# shellcheck source=devtools/bench/vhost-lib.sh
. "$(dirname "$0")/vhost-lib.sh"

usage() {
	die "usage: devtools/bench/callgrind-vhost.sh [-p PACKETS] [-b BUILD_DIR]"
}

pkts=20000
build="build"
while getopts p:b: opt; do
	case $opt in
	p) pkts=$OPTARG ;;
	b) build=$OPTARG ;;
	*) usage ;;
	esac
done
[ $OPTIND -gt $# ] || usage
[[ $pkts =~ ^[1-9][0-9]*$ ]] || usage

cd "$EMU_TOP"
for tool in valgrind callgrind_control; do
	command -v $tool >/dev/null ||
		die "$tool is not installed (apt-get install valgrind)"
done
vb_setup "$build" callgrind-vhost

out=$EMU_TOP/out/bench/callgrind-vhost
rm -rf "$out"
mkdir -p "$out"

# cg_counts FILE: calls and inclusive Ir of eth_vhost_rx and eth_vhost_tx in
# a callgrind dump, how often they called the vhost library bursts, and the
# calls of the vhost library's parse_headers (legacy offload flags: one per
# packet with a checksum request): "rx_calls rx_ir deq_calls tx_calls tx_ir
# enq_calls parse_calls".
cg_counts() {
	/usr/bin/python3 - "$1" <<'PYEOF'
import re
import sys

names = {}


def name(spec):
    m = re.match(r'\((\d+)\)(?: (.*))?$', spec)
    if not m:
        return spec
    if m.group(2) is not None:
        names[m.group(1)] = m.group(2)
    return names.get(m.group(1), '?')


calls = {}
incl = {}
edges = {}
fn = cfn = None
pending = 0
evi = 0
for line in open(sys.argv[1], errors='replace'):
    if pending:
        f = line.split()
        ir = int(f[1 + evi]) if len(f) > 1 + evi else 0
        calls[cfn] = calls.get(cfn, 0) + pending
        incl[cfn] = incl.get(cfn, 0) + ir
        edges[(fn, cfn)] = edges.get((fn, cfn), 0) + pending
        pending = 0
    elif line.startswith('events:'):
        evi = line.split()[1:].index('Ir')
    elif line.startswith('fn='):
        fn = name(line[3:].rstrip('\n'))
    elif line.startswith('cfn='):
        cfn = name(line[4:].rstrip('\n'))
    elif line.startswith('calls='):
        pending = int(line[6:].split()[0])
print(calls.get('eth_vhost_rx', 0), incl.get('eth_vhost_rx', 0),
      edges.get(('eth_vhost_rx', 'rte_vhost_dequeue_burst'), 0),
      calls.get('eth_vhost_tx', 0), incl.get('eth_vhost_tx', 0),
      edges.get(('eth_vhost_tx', 'rte_vhost_enqueue_burst'), 0),
      sum(n for f, n in calls.items() if f.startswith('parse_headers')))
PYEOF
}

# cg_dump PROFILE PART: dump the host's counters (they restart at 0) into
# PROFILE.PART.
cg_dump() {
	callgrind_control -d "${vb_pid[host]}" >>"$out/callgrind_control.log" 2>&1 ||
		die "callgrind_control -d ${vb_pid[host]} failed (is vgdb usable? see ${vb_log[host]})"
	for _ in $(seq 600); do
		tail -n 1 "$1.$2" 2>/dev/null | grep -q '^totals:' && return 0
		sleep 0.1
	done
	die "callgrind wrote no $1.$2 in 60 s: see ${vb_log[host]}"
}

# fwd_stats TEXT: "rx tx tx_dropped" of a testpmd "stop" answer (port 0).
fwd_stats() {
	echo "$(vb_stat "$1" RX-packets) $(vb_stat "$1" TX-packets) $(vb_stat "$1" TX-dropped)"
}

# cg_case RING FRAME OFFLOADS: measure one case, append its row.
cg_case() {
	local ring=$1 frame=$2 ol=$3 tag=$1-$2-$3 prof hlog ans rx tx drop
	local n rc1 ir1 dq1 tc1 rc2 ir2 dq2 tc2 ti2 eq2 ph2 tc3 ti3
	local r3 e3 d3 t0 last feat bytes
	prof=$out/callgrind.out.$tag
	hlog=$out/$tag-host.log
	vb_sock=$vb_run/$tag.sock
	log "$tag"
	vb_start_host "$ol" "cgvh-$$" "$hlog" valgrind --tool=callgrind \
		--vgdb=yes --callgrind-out-file="$prof"
	vb_start_guest "$ring" "$frame" "$ol" "cgvh-$$" "$out/$tag-guest.log"
	feat=$(vb_features "$hlog")
	vb_check_features "$feat" "$ring" "$ol"
	sleep 0.5

	# 1 idle: empty polls only
	vb_cmd host start >/dev/null
	vb_cmd guest start >/dev/null
	sleep 1
	ans=$(vb_cmd host stop)
	read -r rx tx drop <<<"$(fwd_stats "$ans")"
	[ "$rx" = 0 ] || die "$tag: the host received $rx packets while the guest sent none (see $hlog)"
	vb_cmd guest stop >/dev/null
	cg_dump "$prof" 1

	# 2 loop: at least $pkts packets. The guest loads its Tx ring before
	# the host starts and the host stops while packets still flow: few
	# empty polls.
	vb_load "$ring" "$frame" "$ol"
	vb_cmd host start >/dev/null
	t0=$SECONDS
	last=0
	while :; do
		ans=$(vb_cmd guest "show port stats 0")
		n=$(vb_stat "$ans" RX-packets)
		[ -n "$n" ] || die "$tag: no RX-packets in the guest's port stats (see ${vb_log[guest]})"
		[ "$n" -ge "$pkts" ] && break
		if [ "$n" -gt "$last" ]; then
			last=$n
			t0=$SECONDS
		fi
		[ $((SECONDS - t0)) -lt 60 ] ||
			die "$tag: the guest got no packet back for 60 s ($n in all, $pkts wanted): see $hlog"
		sleep 0.05
	done
	ans=$(vb_cmd host stop)
	vb_cmd guest stop >/dev/null
	read -r rx tx drop <<<"$(fwd_stats "$ans")"
	if [ -z "$rx" ] || [ -z "$tx" ] || [ -z "$drop" ]; then
		die "$tag: no forward statistics in the host's answer to stop (see $hlog)"
	fi
	if [ "$rx" -lt "$pkts" ] || [ "$tx" != "$rx" ] || [ "$drop" != 0 ]; then
		die "$tag: the host received $rx, sent $tx, dropped $drop packets; $pkts or more, none dropped wanted (see $hlog)"
	fi
	bytes=$(vb_stat "$(vb_cmd host "show port stats 0")" RX-bytes)
	[ "$bytes" = $((rx * frame)) ] ||
		die "$tag: the host received $rx packets, $bytes bytes: not all of $frame bytes (see $hlog)"
	cg_dump "$prof" 2

	# 3 full: the guest's Rx ring full, tx finds no buffer
	vb_cmd guest "set fwd txonly" >/dev/null
	vb_cmd guest start >/dev/null
	vb_cmd host start >/dev/null
	sleep 1
	ans=$(vb_cmd host stop)
	read -r r3 e3 d3 <<<"$(fwd_stats "$ans")"
	vb_cmd guest stop >/dev/null
	cg_dump "$prof" 3
	vb_quit guest
	vb_quit host

	read -r rc1 ir1 dq1 tc1 _ <<<"$(cg_counts "$prof.1")"
	read -r rc2 ir2 dq2 tc2 ti2 eq2 ph2 <<<"$(cg_counts "$prof.2")"
	read -r _ _ _ tc3 ti3 _ <<<"$(cg_counts "$prof.3")"
	if [ "$rc1" = 0 ] || [ "$rc2" = 0 ] || [ "$tc2" = 0 ] || [ "$tc3" = 0 ]; then
		die "$tag: eth_vhost_rx/eth_vhost_tx not in the profiles $prof.[123] (rx calls $rc1 $rc2, tx calls $tc2 $tc3): stripped testpmd, or the host did not forward?"
	fi
	# every call reached the vhost library: the device was up throughout
	if [ "$dq1" != "$rc1" ] || [ "$dq2" != "$rc2" ] || [ "$eq2" != "$tc2" ]; then
		die "$tag: of $rc1/$rc2 eth_vhost_rx calls $dq1/$dq2 reached rte_vhost_dequeue_burst, of $tc2 eth_vhost_tx calls $eq2 rte_vhost_enqueue_burst: the queues were not enabled all along (see $hlog)"
	fi
	[ "$tc1" = 0 ] || die "$tag: $tc1 eth_vhost_tx calls while idle"
	[ "$tc2" -le "$rc2" ] || die "$tag: more tx ($tc2) than rx ($rc2) calls in the loop"
	# with offloads every packet the host dequeued asked for a checksum
	# (the vhost library parsed its headers), without none did
	if nm "$vb_testpmd" 2>/dev/null | grep -q ' parse_headers'; then
		if [ "$ol" = linux ] && [ "$ph2" -lt "$rx" ]; then
			die "$tag: $ph2 of $rx packets from the guest asked for a checksum: the guest does not use the offload (see ${vb_log[guest]})"
		fi
		if [ "$ol" = none ] && [ "$ph2" != 0 ]; then
			die "$tag: $ph2 packets from the guest asked for a checksum without offloads"
		fi
	fi
	if [ "${r3:-0}" = 0 ] || [ "${d3:-0}" = 0 ] || [ -z "$e3" ]; then
		die "$tag: in the full-ring phase the host received $r3 and dropped $d3 packets: the guest's Rx ring never filled (see $hlog)"
	fi
	[ $((tc3 - (e3 + 31) / 32)) -ge 100 ] ||
		die "$tag: only $tc3 tx calls in the full-ring phase, too few to measure an empty one"
	/usr/bin/python3 - "$ring" "$frame" "$ol" "$rx" "$rc1" "$ir1" "$rc2" "$ir2" \
		"$tc2" "$ti2" "$tc3" "$ti3" "$e3" "$feat" >>"$out/cases.txt" <<'PYEOF'
import math
import sys

ring, frame, ol = sys.argv[1:4]
pkts, rc1, ir1, rc2, ir2, tc2, ti2, tc3, ti3, e3 = map(int, sys.argv[4:14])
rx_empty = ir1 / rc1
empties = rc2 - tc2
rx = (ir2 - empties * rx_empty) / pkts
tx = ti2 / pkts
tx_empty = (ti3 - e3 * tx) / (tc3 - math.ceil(e3 / 32))
print(ring, frame, ol, pkts, '%.1f' % rx, '%.1f' % tx, '%.1f' % (rx + tx),
      '%.1f' % rx_empty, '%.1f' % tx_empty, '%.4f' % (rc2 / pkts),
      '%.4f' % (tc2 / pkts), empties, sys.argv[14])
PYEOF
}

cases=${VB_CASES:-"split-64-none split-1518-none packed-64-none packed-1518-none
	split-64-linux split-1518-linux packed-64-linux packed-1518-linux"}
log "callgrind, at least $pkts packets per case, $vb_testpmd"
: >"$out/cases.txt"
for c in $cases; do
	IFS=- read -r ring frame ol <<<"$c"
	vb_check_case "$ring" "$frame" "$ol"
	cg_case "$ring" "$frame" "$ol"
done

{
	printf 'backend\tring\tframe\toffloads\tpackets\trx_ir_pkt\ttx_ir_pkt\trxtx_ir_pkt\trx_empty_ir\ttx_empty_ir\trx_calls_pkt\ttx_calls_pkt\n'
	awk -v OFS='\t' '{ print "vhost", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$out/cases.txt"
} >"$out/summary.tsv"
{
	echo "net_vhost, host side of vhost-user (virtio-user guest): Ir per packet of"
	echo "eth_vhost_rx / eth_vhost_tx, inclusive, empty calls taken out"
	echo "(empty Ir: one rx call on an empty ring / one tx call that found no guest buffer)"
	printf '%-6s %5s %5s %8s %8s %8s %8s %8s %8s %8s %8s %7s %s\n' ring frame \
		ol packets "rx Ir" "tx Ir" "rx+tx" "rx empt" "tx empt" \
		"rx c/pk" "tx c/pk" "empties" features
	awk '{ printf "%-6s %5s %5s %8s %8s %8s %8s %8s %8s %8s %8s %7s %s\n",
		$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 }' "$out/cases.txt"
	echo "c/pk: burst calls per packet (empty ones too); empties: empty rx calls in the loop"
} >"$out/summary.txt"
echo
cat "$out/summary.txt"
