# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers of the vhost benchmarks (sourced, not executed): the vhost-user
# pair the scripts measure, two dpdk-testpmd processes driven through
# FIFOs:
#
#   host:  --vdev net_vhost0,iface=SOCK          io forwarding, port 0 -> port 0
#   guest: --vdev net_virtio_user0,path=SOCK     io (or csum) forwarding,
#          port 0 -> port 0; vb_load puts 32 x VB_INJECT frames in its Tx
#          ring, which then go round guest -> host -> guest for ever
#
# The host runs on CPU 0, the guest on CPU 1 (both lcores of a process on
# one CPU: the main lcore only waits for commands). Both run without
# hugepages: with --no-huge, EAL backs the memory with a memfd, which
# virtio-user hands to the vhost-user backend like a hugepage file. Both
# run with --no-flush-rx: by default testpmd empties the Rx queues when
# forwarding starts, which would drop the frames the guest loaded.
#
# Cases: RING split|packed, FRAME (bytes, without CRC), OFFLOADS:
#   none   virtio-user mrg_rxbuf=0, no checksum or TSO feature negotiated;
#          net_vhost with its defaults
#   linux  what a Linux virtio-net guest negotiates and uses: mrg_rxbuf=1,
#          CSUM and HOST_TSO4/6 (testpmd --tx-offloads: TCP, UDP checksum,
#          TSO), GUEST_CSUM and GUEST_TSO4/6 (--rx-offloads: TCP, UDP
#          checksum, LRO); the guest forwards with testpmd's csum engine,
#          so every packet it sends asks for a UDP checksum
#          (VIRTIO_NET_HDR_F_NEEDS_CSUM), as Linux does for CHECKSUM_PARTIAL
#          skbs (vb_load says how the first frames get their checksum; the
#          guest has a tap port for it). net_vhost runs with tso=1 (HOST_TSO4/6
#          offered) and legacy-ol-flags=1: its rx burst turns the guest's
#          checksum request into mbuf Tx offload flags (l2_len, l3_len,
#          RTE_MBUF_F_TX_UDP_CKSUM), so that io forwarding hands the
#          request back to the guest (NEEDS_CSUM on the way in too) as a
#          switch between two virtio guests does. With the default
#          (compliant) flags the rx burst reports RTE_MBUF_F_RX_L4_CKSUM_NONE
#          and io forwarding would drop the request: the guest would get
#          packets with a partial checksum and no flag.

# shellcheck source=devtools/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

# Bursts of 32 frames the guest loads into the loop (vb_load): 4 x 32 = 128,
# half its ring, gives the highest rates here; 1 x 32 leaves a side idle.
VB_INJECT=${VB_INJECT:-4}

declare -A vb_pid vb_fd vb_log
vb_run=
vb_sock=
vb_negotiated=0

# vb_setup BUILD_DIR TAG: check the build, make the run directory, install
# the traps. Sets vb_testpmd and vb_run.
vb_setup() {
	local build=$1 tag=$2
	vb_testpmd=$build/subprojects/dpdk/app/dpdk-testpmd
	[ -x "$vb_testpmd" ] ||
		die "$vb_testpmd not found: build it first (devtools/build.sh $build)"
	if ! grep -aq net_virtio_user "$vb_testpmd" ||
		! grep -aq eth_vhost_rx "$vb_testpmd"; then
		die "$vb_testpmd has no net_vhost or net_virtio_user: build DPDK with drivers net/vhost and net/virtio"
	fi
	[ "$(nproc)" -ge 2 ] || die "the benchmark needs 2 CPUs (host on CPU 0, guest on CPU 1)"
	vb_run=$(mktemp -d "/tmp/bench-$tag.XXXXXX")
	trap vb_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# a write to the FIFO of a testpmd that died fails (vb_send says so)
	trap '' PIPE
}

# vb_cleanup: stop what still runs (by pid), remove the run directory.
vb_cleanup() {
	local who
	for who in guest host; do
		vb_kill "$who"
	done
	[ -n "$vb_run" ] && rm -rf "$vb_run"
	return 0
}

# vb_kill WHO: end WHO's testpmd if it runs (SIGTERM, then SIGKILL).
vb_kill() {
	local pid=${vb_pid[$1]:-}
	[ -n "$pid" ] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	[ -n "${vb_fd[$1]:-}" ] && eval "exec ${vb_fd[$1]}>&-"
	vb_pid[$1]=
	vb_fd[$1]=
}

# vb_alive WHO: WHO's testpmd runs (not a zombie).
vb_alive() {
	local pid=${vb_pid[$1]:-}
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		! grep -q '^State:[[:space:]]*[ZX]' "/proc/$pid/status" 2>/dev/null
}

# vb_dead WHO WHEN: WHO's testpmd is gone; die with the end of its log.
vb_dead() {
	local rc=0
	wait "${vb_pid[$1]}" 2>/dev/null || rc=$?
	vb_pid[$1]=
	tail -n 25 "${vb_log[$1]}" | sed 's/^/    | /' >&2
	if [ "$rc" -gt 128 ]; then
		die "$1 testpmd crashed $2 (signal $((rc - 128))); log: ${vb_log[$1]}"
	fi
	die "$1 testpmd exited $2 (status $rc); log: ${vb_log[$1]}"
}

# vb_start WHO LOG COMMAND...: start COMMAND (an interactive testpmd, maybe
# under valgrind) with its stdin on a FIFO and its stdout line-buffered in
# LOG, then wait (TIMEOUT s, default 120) for its first prompt.
vb_start() {
	local who=$1 log=$2 fifo fd
	shift 2
	fifo=$vb_run/$who.fifo
	rm -f "$fifo"
	mkfifo "$fifo"
	vb_log[$who]=$log
	: >"$log"
	stdbuf -oL "$@" <"$fifo" >"$log" 2>&1 &
	vb_pid[$who]=$!
	exec {fd}>"$fifo"
	vb_fd[$who]=$fd
	for _ in $(seq "$((${VB_START_TIMEOUT:-120} * 10))"); do
		if grep -aq 'testpmd> ' "$log"; then
			! grep -aE 'Fail to (configure|start)|Start ports failed' "$log" >&2 ||
				die "$who testpmd could not start its port: see $log"
			return 0
		fi
		vb_alive "$who" || vb_dead "$who" "while starting"
		sleep 0.1
	done
	die "$who testpmd gave no prompt in ${VB_START_TIMEOUT:-120} s: see $log"
}

# vb_send WHO CMD: write CMD to WHO's FIFO; die if WHO is gone.
vb_send() {
	local fd=${vb_fd[$1]}
	if ! vb_alive "$1" || ! { echo "$2" >&"$fd"; } 2>/dev/null; then
		vb_dead "$1" "before \"$2\""
	fi
}

# vb_cmd WHO CMD [TIMEOUT]: send CMD to WHO's prompt, wait (TIMEOUT s,
# default 60) for the next prompt, print what testpmd answered.
vb_cmd() {
	local who=$1 log=${vb_log[$1]} from
	from=$(($(stat -c %s "$log") + 1))
	vb_send "$who" "$2"
	for _ in $(seq "$((${3:-60} * 20))"); do
		tail -c "+$from" "$log" | grep -aq 'testpmd> ' && break
		vb_alive "$who" || vb_dead "$who" "after \"$2\""
		sleep 0.05
	done
	tail -c "+$from" "$log" | grep -aq 'testpmd> ' ||
		die "$who testpmd did not answer \"$2\" in ${3:-60} s: see $log"
	tail -c "+$from" "$log" | sed 's/testpmd> //g'
}

# vb_quit WHO [late-ok]: quit WHO's testpmd (60 s at most, valgrind writes
# its profile then), die if it failed. With late-ok (a run whose figures
# were taken before the quit), a testpmd that said "Bye..." but is still
# tearing down after 60 s is killed with a warning instead.
vb_quit() {
	local who=$1 rc=0
	vb_send "$who" quit
	for _ in $(seq 600); do
		vb_alive "$who" || break
		sleep 0.1
	done
	if vb_alive "$who"; then
		if [ "${2:-}" = late-ok ] && grep -aq '^Bye' "${vb_log[$who]}"; then
			echo "warning: $who testpmd said Bye but was still running after 60 s: killed (see ${vb_log[$who]})" >&2
			kill -9 "${vb_pid[$who]}" 2>/dev/null || true
			wait "${vb_pid[$who]}" 2>/dev/null || true
			eval "exec ${vb_fd[$who]}>&-"
			vb_pid[$who]=
			vb_fd[$who]=
			return 0
		fi
		die "$who testpmd did not quit in 60 s: see ${vb_log[$who]}"
	fi
	wait "${vb_pid[$who]}" 2>/dev/null || rc=$?
	eval "exec ${vb_fd[$who]}>&-"
	vb_pid[$who]=
	vb_fd[$who]=
	[ "$rc" = 0 ] || vb_dead "$who" "on quit"
	return 0
}

# vb_start_host OFFLOADS PREFIX LOG [WRAPPER...]: start the host testpmd
# (net_vhost on the socket vb_sock), under WRAPPER (e.g. valgrind) if given.
vb_start_host() {
	local ol=$1 prefix=$2 log=$3 devargs="net_vhost0,iface=$vb_sock,queues=1"
	shift 3
	[ "$ol" = linux ] && devargs="$devargs,tso=1,legacy-ol-flags=1"
	vb_start host "$log" "$@" "$vb_testpmd" --lcores 0@0,1@0 --no-huge -m 1024 \
		--no-pci --file-prefix="$prefix-host" --vdev "$devargs" -- -i \
		--forward-mode=io --nb-cores=1 --no-flush-rx --total-num-mbufs=8192
	vb_negotiated=0
}

# vb_start_guest RING FRAME OFFLOADS PREFIX LOG: start the guest testpmd
# (net_virtio_user on vb_sock) and wait until the device is up on the host.
vb_start_guest() {
	local ring=$1 frame=$2 ol=$3 prefix=$4 log=$5 packed=0
	local vdev="net_virtio_user0,path=$vb_sock,queues=1"
	local -a args
	[ "$ring" = packed ] && packed=1
	# shellcheck disable=SC2054 # the commas belong to --lcores
	args=(--lcores 0@1,1@1 --no-huge -m 1024 --no-pci
		--file-prefix="$prefix-guest")
	if [ "$ol" = none ]; then
		vb_start guest "$log" "$vb_testpmd" "${args[@]}" \
			--vdev "$vdev,packed_vq=$packed,mrg_rxbuf=0" -- -i \
			--forward-mode=io --nb-cores=1 --no-flush-rx \
			--total-num-mbufs=8192 --txpkts="$frame"
		vb_wait_ready
		return 0
	fi
	# Tx UDP, TCP checksum (0xc) and TSO (0x20) -> CSUM, HOST_TSO4/6; Rx
	# UDP, TCP checksum (0xc) -> GUEST_CSUM (--enable-rx-cksum would ask
	# for IPv4 too, which virtio has not). Port 1, net_tap, brings the
	# first packets in (vb_load); it has no LRO, so LRO (-> GUEST_TSO4/6)
	# is set on port 0 alone, which renegotiates.
	# shellcheck disable=SC2016 # expanded by the shell in the namespace
	vb_start guest "$log" unshare -n /bin/sh -c \
		'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 &&
		echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6 &&
		exec "$0" "$@"' "$vb_testpmd" "${args[@]}" \
		--vdev "$vdev,packed_vq=$packed,mrg_rxbuf=1" \
		--vdev net_tap0,iface=vbtap0 -- -i --forward-mode=csum \
		--nb-cores=1 --no-flush-rx --total-num-mbufs=8192 \
		--txpkts="$frame" --tx-offloads=0x2c --rx-offloads=0xc
	vb_wait_ready
	vb_cmd guest "port stop 0" >/dev/null
	vb_cmd guest "port config 0 rx_offload tcp_lro on" >/dev/null
	vb_cmd guest "port start 0" >/dev/null
	vb_wait_ready
}

# vb_load RING FRAME OFFLOADS: with the host stopped, put 32 x VB_INJECT
# frames of FRAME bytes in the guest's Tx ring and leave the guest
# forwarding port 0 -> port 0 (the host then starts the loop).
#   none:  tx_first (testpmd's txonly frames: UDP, checksum 0)
#   linux: testpmd's csum engine offloads only UDP checksums that are not
#          0, which txonly frames have: the guest runs in its own network
#          namespace (IPv6 off, so that the kernel sends nothing) with a
#          net_tap port 1, the frames (UDP with a valid checksum) are sent
#          into its interface from a packet socket and forwarded 1 -> 0 by
#          the csum engine, which turns their checksum into a request
#          (NEEDS_CSUM); from then on each side hands the request on.
vb_load() {
	local frame=$2 ol=$3 want=$((32 * VB_INJECT)) ans n
	if [ "$ol" = none ]; then
		vb_cmd guest "start tx_first $VB_INJECT" >/dev/null
		return 0
	fi
	vb_cmd guest start >/dev/null
	nsenter -t "${vb_pid[guest]}" -n ip link set dev vbtap0 mtu 9000 ||
		die "cannot set the MTU of vbtap0 in the guest's network namespace"
	nsenter -t "${vb_pid[guest]}" -n /usr/bin/python3 - vbtap0 "$frame" \
		"$want" <<'PYEOF' || die "cannot send the first frames into vbtap0"
import socket
import struct
import sys

ifname, frame, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


src, dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
ulen = frame - 14 - 20
udp = struct.pack('!HHHH', 1024, 1024, ulen, 0) + bytes(range(256)) * 8
udp = udp[:ulen]
c = csum(src + dst + struct.pack('!BBH', 0, 17, ulen) + udp) or 0xffff
udp = udp[:6] + struct.pack('!H', c) + udp[8:]
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + ulen, 0, 0, 64, 17, 0,
                 src, dst)
ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
pkt = bytes.fromhex('020000000002020000000001') + b'\x08\x00' + ip + udp
assert len(pkt) == frame
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
for _ in range(count):
    s.send(pkt)
PYEOF
	for _ in $(seq 100); do
		ans=$(vb_cmd guest "show port stats 0")
		n=$(vb_stat "$ans" TX-packets)
		[ "${n:-0}" -ge "$want" ] && break
		sleep 0.1
	done
	[ "${n:-0}" = "$want" ] ||
		die "the guest sent $n of the $want frames from vbtap0 to net_vhost (see ${vb_log[guest]})"
	vb_cmd guest stop >/dev/null
	vb_cmd guest "set portlist 0" >/dev/null
	vb_cmd guest start >/dev/null
}

# vb_check_case RING FRAME OFFLOADS: the arguments are a known case.
vb_check_case() {
	case $1 in split | packed) ;; *) die "ring $1: split or packed" ;; esac
	case $2 in 64 | 1518) ;; *) die "frame $2: 64 or 1518" ;; esac
	case $3 in none | linux) ;; *) die "offloads $3: none or linux" ;; esac
}

# vb_features HOSTLOG: the last feature set net_vhost negotiated (hex).
vb_features() {
	grep -a 'negotiated Virtio features' "$1" | tail -n 1 |
		sed -n 's/.*features: \(0x[0-9a-fA-F]*\).*/\1/p'
}

# vb_check_features FEATURES RING OFFLOADS: the guest negotiated what the
# case wants; die otherwise.
vb_check_features() {
	local f=$1 ring=$2 ol=$3 bit want name
	[ -n "$f" ] || die "net_vhost logged no negotiated features: did the guest connect? (see ${vb_log[host]})"
	# bit:name:wanted with none:wanted with linux
	for bit in 0:CSUM:0:1 1:GUEST_CSUM:0:1 7:GUEST_TSO4:0:1 11:HOST_TSO4:0:1 \
		15:MRG_RXBUF:0:1 34:RING_PACKED:x:x; do
		IFS=: read -r bit name want wantl <<<"$bit"
		[ "$ol" = linux ] && want=$wantl
		[ "$name" = RING_PACKED ] && { [ "$ring" = packed ] && want=1 || want=0; }
		if [ $(((f >> bit) & 1)) != "$want" ]; then
			die "features $f: VIRTIO_NET_F_$name is $(((f >> bit) & 1)), the $ring/$ol case wants $want (see ${vb_log[host]} and ${vb_log[guest]})"
		fi
	done
}

# vb_wait_ready: wait (60 s) until net_vhost reports a feature negotiation
# newer than the one the last call saw, then the device ready and its port
# up after the last negotiation (the guest resets the device when it
# reconfigures its port).
vb_wait_ready() {
	local log=${vb_log[host]}
	for _ in $(seq 600); do
		if [ "$(grep -ac 'negotiated Virtio features' "$log")" -gt "$vb_negotiated" ] &&
			awk '/negotiated Virtio features/ { r = 0 }
			/virtio is now ready for processing/ { r = 1 }
			/link state change event/ && r == 1 { r = 2 }
			END { exit r != 2 }' "$log"; then
			vb_negotiated=$(grep -ac 'negotiated Virtio features' "$log")
			return 0
		fi
		vb_alive host || vb_dead host "while the guest connected"
		vb_alive guest || vb_dead guest "while connecting"
		sleep 0.1
	done
	die "net_vhost did not report the device ready in 60 s: see $log"
}

# vb_stat TEXT KEY: the first number after "KEY:" in TEXT (a testpmd answer).
vb_stat() {
	grep -ao "$2: *[0-9]*" <<<"$1" | head -n 1 | grep -o '[0-9]*$'
}
