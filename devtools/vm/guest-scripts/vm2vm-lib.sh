# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=dash disable=SC2154
#
# Guest side of devtools/vm/vm2vm.sh (busybox sh).  vm2vm.sh prepends
# VM2VM_NAME, VM2VM_IP, VM2VM_PEER and VM2VM_DRIVER (the guest driver of the
# NIC: iavf, or virtio_net for vhost-user; the caller's variables too) and
# appends the guest's own script.
#
# Two roles:
# - the *server* guest (vm2vm_serve) answers requests of its peer on TCP
#   port 7000, one line each: "hello", "ping" (ping the caller back),
#   "recv PORT" (receive a stream on PORT, reply with its size and MD5),
#   "send PORT" (send the data file to the caller's PORT), "quit";
# - the *client* guest drives the tests with vm2vm_call and the helpers below.
# Console lines for the host: "VM2VM <what> ..." and harness "CHECK" lines.

# shellcheck source=../guest/harness-lib.sh
. /bin/harness-lib.sh

VM2VM_CTL_PORT=7000
# iperf3 servers of the server guest: one per direction, because an iperf3
# server serves one test at a time and refuses ("the server is busy", or a
# reset control connection) a client that connects before it has finished
# closing the previous test.
VM2VM_IPERF_PORT=5201
VM2VM_IPERF_REV_PORT=5202
VM2VM_DATA=/tmp/vm2vm-data.bin
# While this file exists, vm2vm_send paces its stream (vm2vm_paced_data).
VM2VM_PACE_FLAG=/tmp/vm2vm-pace
VM2VM_HOLD=/tmp/vm2vm-hold
# Longest a transfer, an iperf3 run or a request may take (seconds).
VM2VM_TIMEOUT=${VM2VM_TIMEOUT:-120}
VM2VM_DRIVER=${VM2VM_DRIVER:-iavf}
# Lines iavf (or virtio_net, or the stack) prints when the device misbehaves.
VM2VM_BAD='Failed to communicate|Admin queue timeout|Reset never finished|Never saw reset|PF returned error|Unable to|timed out|Failed to|init failed|Invalid|NETDEV WATCHDOG|Tx Unit Hang|Hardware reset detected|hung'
IFC=

vm2vm_msg() {
	echo "VM2VM $*"
}

# vm2vm_now: seconds since boot, with hundredths.
vm2vm_now() {
	cut -d' ' -f1 /proc/uptime
}

# vm2vm_vlan_add IFC VID IP: IFC up, an 802.1Q subinterface IFC.VID with
# IP/24 on it, up.
vm2vm_vlan_add() {
	ip link set "$1" up &&
		ip link add link "$1" name "$1.$2" type vlan id "$2" &&
		ip addr add "$3/24" dev "$1.$2" && ip link set "$1.$2" up
}

# vm2vm_up: find the interface of VM2VM_DRIVER, give it VM2VM_IP (with
# VM2VM_VLAN set: to its 802.1Q subinterface of that VLAN id, so that all
# the tests run tagged), bring it up, wait for carrier; sets IFC (the NIC).
vm2vm_up() {
	local dev conf
	IFC=$(harness_wait_iface 60 "$VM2VM_DRIVER") || IFC=
	harness_check "$VM2VM_DRIVER interface present" test -n "$IFC"
	[ -n "$IFC" ] || return 1
	# No router on this link: stop IPv6 router solicitations, which Linux
	# repeats without end (4 s, 8 s, 16 s, ... apart), so that no packet
	# goes out after the counters a test compares at the end were read
	# ("default": for the VLAN subinterfaces made later).
	for conf in /proc/sys/net/ipv6/conf/default "/proc/sys/net/ipv6/conf/$IFC"; do
		[ ! -w "$conf/router_solicitations" ] ||
			echo 0 >"$conf/router_solicitations"
	done
	dev=$IFC
	if [ -n "${VM2VM_VLAN:-}" ]; then
		dev=$IFC.$VM2VM_VLAN
		harness_check "$dev: VLAN $VM2VM_VLAN subinterface (8021q)" \
			vm2vm_vlan_add "$IFC" "$VM2VM_VLAN" "$VM2VM_IP"
		ethtool -k "$IFC" | grep -E '^(rx-vlan-offload|tx-vlan-offload|rx-vlan-filter):' |
			while read -r l; do vm2vm_msg "OFFLOAD $IFC $l"; done
		for o in rx-vlan-offload tx-vlan-offload rx-vlan-filter; do
			harness_check "$IFC: $o on (VLAN offload granted)" \
				sh -c "ethtool -k $IFC | grep -q '^$o: on'"
		done
	else
		ip addr add "$VM2VM_IP/24" dev "$IFC"
	fi
	harness_check "$IFC: carrier up" harness_wait_link 30 "$IFC"
	grep -qx 1 "/sys/class/net/$IFC/carrier" || return 1
	vm2vm_msg "LINK $(ip link show "$IFC" | head -n 1)"
	vm2vm_msg "ADDR $(ip -4 addr show "$dev" | grep inet)"
	# The guest's default offloads stay on: what goes through the PMD is
	# TSO'd and checksum-offloaded traffic.
	ethtool -k "$IFC" | grep -E '^(rx-checksumming|tx-checksumming|scatter-gather|tcp-segmentation-offload|generic-receive-offload):' |
		while read -r l; do vm2vm_msg "OFFLOAD $IFC $l"; done
	harness_check "$IFC: TSO on" sh -c "ethtool -k $IFC | grep -q '^tcp-segmentation-offload: on'"
	harness_check "$IFC: tx checksum offload on" sh -c "ethtool -k $IFC | grep -q '^tx-checksumming: on'"
}

# vm2vm_ping DESC COUNT SIZE HOST: ping, print the summary; passes on 0% loss.
vm2vm_ping() {
	local desc=$1 count=$2 size=$3 host=$4 out
	out=/tmp/vm2vm-ping.out
	ping -c "$count" -s "$size" -W 3 -i 0.2 "$host" >"$out" 2>&1
	grep -E 'transmitted|round-trip' "$out" | while read -r l; do
		vm2vm_msg "PING $desc size=$size: $l"
	done
	harness_check "$desc: ping -s $size $host, 0% loss" grep -q ' 0% packet loss' "$out"
}

# vm2vm_pings HOST [WHY]: normal, MTU-sized (1472 bytes of data: 1500-byte
# IP packets, not fragmented) and fragmented pings.
vm2vm_pings() {
	local host=$1 tag="$VM2VM_NAME->$1${2:+ (for $2)}" s
	vm2vm_ping "$tag" 10 56 "$host"
	for s in 1472 4000 8000; do
		vm2vm_ping "$tag" 4 "$s" "$host"
	done
}

# vm2vm_make_data MIB: the data file the guest sends (random, fresh for
# each run; both ends report its MD5 and the host compares them).
vm2vm_make_data() {
	local t0 t1
	t0=$(vm2vm_now)
	dd if=/dev/urandom of="$VM2VM_DATA" bs=1048576 count="$1" 2>/dev/null
	echo "$(wc -c <"$VM2VM_DATA") $(md5sum "$VM2VM_DATA" | cut -d' ' -f1)" >"$VM2VM_DATA.sum"
	t1=$(vm2vm_now)
	vm2vm_msg "DATA $1 MiB generated in $(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }') s"
}

# vm2vm_recv PORT: receive one stream on PORT into a file, then print
# "<bytes> <md5> <seconds spent hashing>" (the caller subtracts the hashing
# time from the transfer time).  The listener's stdin never ends (a FIFO
# opened read-write), so nc only stops when the sender closes.
vm2vm_recv() {
	local t0 t1 sum
	[ -p "$VM2VM_HOLD" ] || mkfifo "$VM2VM_HOLD"
	timeout "$VM2VM_TIMEOUT" nc -l -p "$1" 0<>"$VM2VM_HOLD" >/tmp/vm2vm-rx.bin
	t0=$(vm2vm_now)
	sum="$(wc -c </tmp/vm2vm-rx.bin) $(md5sum /tmp/vm2vm-rx.bin | cut -d' ' -f1)"
	t1=$(vm2vm_now)
	rm -f /tmp/vm2vm-rx.bin
	echo "$sum $(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')"
}

# vm2vm_paced_data: the data file on stdout in 256 KiB pieces, 0.3 s
# apart while VM2VM_PACE_FLAG exists, at full speed after.
vm2vm_paced_data() {
	local i=0 n
	n=$(($(wc -c <"$VM2VM_DATA") / 262144))
	while [ "$i" -lt "$n" ]; do
		dd if="$VM2VM_DATA" bs=262144 skip="$i" count=1 2>/dev/null
		[ ! -e "$VM2VM_PACE_FLAG" ] || sleep 0.3
		i=$((i + 1))
	done
	dd if="$VM2VM_DATA" bs=262144 skip="$n" 2>/dev/null
}

# vm2vm_send HOST PORT: send the data file (retries for 30 s while the
# listener is not there yet); prints "<bytes> <md5>".  While
# VM2VM_PACE_FLAG exists, the stream is paced by vm2vm_paced_data.
vm2vm_send() {
	local end=$(($(cut -d. -f1 /proc/uptime) + 30))
	until if [ -e "$VM2VM_PACE_FLAG" ]; then
		vm2vm_paced_data | timeout "$VM2VM_TIMEOUT" nc "$1" "$2" 2>/dev/null
	else
		timeout "$VM2VM_TIMEOUT" nc "$1" "$2" <"$VM2VM_DATA" 2>/dev/null
	fi; do
		[ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ] || return 1
		sleep 0.2
	done
	cat "$VM2VM_DATA.sum"
}

# vm2vm_call REQUEST: send one request to the server guest, print its reply.
vm2vm_call() {
	echo "$*" | timeout $((VM2VM_TIMEOUT + 30)) nc "$VM2VM_PEER" "$VM2VM_CTL_PORT" 2>/dev/null
}

# vm2vm_wait_peer TIMEOUT: wait until the server guest answers "hello".
vm2vm_wait_peer() {
	local end=$(($(cut -d. -f1 /proc/uptime) + $1))
	while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do
		echo "hello $VM2VM_NAME" | timeout 5 nc "$VM2VM_PEER" "$VM2VM_CTL_PORT" 2>/dev/null |
			grep -q '^hello ok' && return 0
		sleep 0.5
	done
	return 1
}

# vm2vm_xfer_to_peer TAG: send the data file to the server guest, which
# reports what it received; check size and MD5, print the throughput.
vm2vm_xfer_to_peer() {
	local tag=$1 t0 t1 tx rx
	vm2vm_call "recv 5001" >/tmp/vm2vm-reply &
	local cpid=$!
	t0=$(vm2vm_now)
	tx=$(vm2vm_send "$VM2VM_PEER" 5001) || tx="0 -"
	wait "$cpid"
	t1=$(vm2vm_now)
	rx=$(sed -n 's/^recv //p' /tmp/vm2vm-reply)
	vm2vm_xfer_report "$tag" "$VM2VM_NAME->$VM2VM_PEER" "$t0" "$t1" "$tx" "$rx"
}

# vm2vm_xfer_from_peer TAG: the server guest sends its data file to us.
vm2vm_xfer_from_peer() {
	local tag=$1 t0 t1 tx rx
	vm2vm_recv 5002 >/tmp/vm2vm-rx &
	local rpid=$!
	t0=$(vm2vm_now)
	tx=$(vm2vm_call "send 5002" | sed -n 's/^send //p')
	wait "$rpid"
	t1=$(vm2vm_now)
	rx=$(cat /tmp/vm2vm-rx)
	vm2vm_xfer_report "$tag" "$VM2VM_PEER->$VM2VM_NAME" "$t0" "$t1" "$tx" "$rx"
}

# vm2vm_xfer_report TAG DIRECTION T0 T1 "TXBYTES TXMD5" "RXBYTES RXMD5 HASHSECS"
vm2vm_xfer_report() {
	local tag=$1 dir=$2 t0=$3 t1=$4 tx=$5 rx=$6 bytes secs
	# shellcheck disable=SC2086 # split into bytes, md5, seconds
	set -- $rx
	bytes=${1:-0}
	rx="$1 $2"
	vm2vm_msg "XFER $tag $dir sent: ${tx:-none}"
	vm2vm_msg "XFER $tag $dir received: ${rx:-none}"
	secs=$(echo "$t0 $t1 ${3:-0}" | awk '{ printf "%.2f", $2 - $1 - $3 }')
	vm2vm_msg "XFER $tag $dir $bytes bytes in $secs s: $(echo "$bytes $secs" |
		awk '{ printf "%.1f Mbit/s", ($2 > 0) ? ($1 * 8 / $2 / 1e6) : 0 }')"
	harness_check "$tag: TCP $dir: sizes and MD5 match at both ends" \
		test -n "$tx" -a "$tx" = "$rx" -a "${tx%% *}" != 0
}

# vm2vm_nic_counts: "interrupts rx_packets tx_packets" of the guest's NIC:
# the interrupts of its queue vectors (iavf: IFC-TxRx-N; virtio: the
# device's input and output queues), summed over the CPUs.
vm2vm_nic_counts() {
	local dev st=/sys/class/net/$IFC/statistics
	dev=$(basename "$(readlink -f "/sys/class/net/$IFC/device")")
	awk -v a="$IFC-TxRx-" -v b="$dev-input." -v c="$dev-output." '
		NR == 1 { ncpu = NF; next }
		index($0, a) || index($0, b) || index($0, c) {
			for (i = 2; i <= ncpu + 1; i++) n += $i
		}
		END { printf "%d", n }' /proc/interrupts
	echo " $(cat "$st/rx_packets") $(cat "$st/tx_packets")"
}

# vm2vm_iperf SECONDS: iperf3 to the server guest, both directions.  After
# each, "IRQS" says how many interrupts and packets the guest's NIC had.
vm2vm_iperf() {
	local out=/tmp/vm2vm-iperf.out mode port c0 c1
	for mode in "" -R; do
		port=$VM2VM_IPERF_PORT
		[ -z "$mode" ] || port=$VM2VM_IPERF_REV_PORT
		c0=$(vm2vm_nic_counts)
		timeout "$VM2VM_TIMEOUT" iperf3 -c "$VM2VM_PEER" -p "$port" \
			-t "$1" -f m --connect-timeout 5000 $mode >"$out" 2>&1
		c1=$(vm2vm_nic_counts)
		grep -E 'sender|receiver|error' "$out" | while read -r l; do
			vm2vm_msg "IPERF $VM2VM_NAME${mode:+ reverse}: $l"
		done
		echo "$c0 $c1" | {
			read -r i0 r0 t0 i1 r1 t1
			vm2vm_msg "IRQS $VM2VM_NAME${mode:+ reverse}: $((i1 - i0)) interrupts, $((r1 - r0)) rx packets, $((t1 - t0)) tx packets"
		}
		harness_check "iperf3 -c $VM2VM_PEER $mode" grep -q receiver "$out"
	done
}

# vm2vm_resets N: N resets of the guest's own device, in turn an MTU
# change (1400/1500), a queue count change (ethtool -L, 1 or 2 combined
# channels: the guest needs 2 vCPUs) and a PCI function reset through
# sysfs; after each, the carrier must come back within 30 s.  Prints
# "VM2VM RESET i kind: link back in S s".
vm2vm_resets() {
	local i=1 kind t0 t1 bdf mtu=1400 ch=1
	bdf=$(basename "$(readlink -f "/sys/class/net/$IFC/device")")
	while [ "$i" -le "$1" ]; do
		t0=$(vm2vm_now)
		case $((i % 3)) in
		1)
			kind="MTU $mtu"
			ip link set "$IFC" mtu "$mtu"
			mtu=$((2900 - mtu)) ;;
		2)
			kind="ethtool -L $IFC combined $ch"
			ethtool -L "$IFC" combined "$ch"
			ch=$((3 - ch)) ;;
		0)
			kind="PCI function reset (sysfs)"
			echo 1 >"/sys/bus/pci/devices/$bdf/reset" ;;
		esac
		# the driver drops the carrier while it resets
		harness_wait 3 sh -c "! grep -qx 1 /sys/class/net/$IFC/carrier"
		if harness_wait 30 grep -qx 1 "/sys/class/net/$IFC/carrier"; then
			t1=$(vm2vm_now)
			vm2vm_msg "RESET $i $kind: link back in $(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }') s"
			harness_check "reset $i ($kind): link back" true
		else
			harness_check "reset $i ($kind): link back within 30 s" false
		fi
		i=$((i + 1))
	done
}

# vm2vm_final_checks: what the guest's kernel says about the device.
# VM2VM_SETTLE: seconds to wait first, so that the last packets of the
# test (TCP closes) are counted before the STATS line.
vm2vm_final_checks() {
	local what
	[ -z "$VM2VM_SETTLE" ] || sleep "$VM2VM_SETTLE"
	harness_check "$IFC: carrier still up" grep -qx 1 "/sys/class/net/$IFC/carrier"
	harness_check "ip link: $IFC UP, LOWER_UP" sh -c "ip link show $IFC | grep -q 'UP,LOWER_UP'"
	vm2vm_msg "LINK $(ip link show "$IFC" | head -n 1)"
	vm2vm_msg "STATS $IFC rx_packets=$(cat "/sys/class/net/$IFC/statistics/rx_packets")" \
		"tx_packets=$(cat "/sys/class/net/$IFC/statistics/tx_packets")" \
		"rx_errors=$(cat "/sys/class/net/$IFC/statistics/rx_errors")" \
		"tx_errors=$(cat "/sys/class/net/$IFC/statistics/tx_errors")" \
		"rx_dropped=$(cat "/sys/class/net/$IFC/statistics/rx_dropped")"
	[ ! -r "/proc/net/dev_snmp6/$IFC" ] ||
		vm2vm_msg "ICMP6 $IFC $(grep -E '^Icmp6OutRouterSolicits' "/proc/net/dev_snmp6/$IFC" | tr -s ' \t' '=')"
	dmesg | grep -E "$VM2VM_DRIVER|NETDEV" | tail -n 20 | while read -r l; do vm2vm_msg "DMESG $l"; done
	what=", resets"
	[ -z "$VM2VM_RESETS_OK" ] || what=" (resets expected)"
	harness_check "dmesg: no $VM2VM_DRIVER errors$what or tx timeouts" \
		sh -c "! dmesg | grep -E '$VM2VM_DRIVER|NETDEV|eth' | grep -vE '${VM2VM_RESETS_OK:-^\$}' | grep -E '$VM2VM_BAD'"
}

# vm2vm_rss_report TAG: the guest's RSS state as its driver programmed it
# and its per-queue receive counters, for the host to check:
#   VM2VM RSS TAG KEY xx:xx:...    VM2VM RSS TAG LUT q q q ...
#   VM2VM RSS TAG RXQ n0 n1 ...    (rx-N.packets of ethtool -S)
vm2vm_rss_report() {
	local ifc
	ifc=$(harness_iface_of "$VM2VM_DRIVER" | head -n 1)
	echo "VM2VM RSS $1 KEY $(ethtool -x "$ifc" | sed -n '/RSS hash key/{n;p;}')"
	echo "VM2VM RSS $1 LUT $(ethtool -x "$ifc" |
		awk '/^ *[0-9]+:/ { $1 = ""; printf "%s", $0 }')"
	echo "VM2VM RSS $1 RXQ $(ethtool -S "$ifc" |
		sed -n 's/^ *rx-\([0-9]*\)\.packets: *\([0-9]*\)$/\1=\2/p' | tr '\n' ' ')"
}

# The server's request handler: run by "nc -ll -e" with the connection as
# stdin/stdout; its console output goes to /dev/console.
vm2vm_ctl() {
	local req arg peer
	read -r req arg
	peer=$VM2VM_PEER
	case $req in
	hello)
		echo "VM2VM REQUEST hello from $arg" >/dev/console
		echo "hello ok" ;;
	ping)
		echo "VM2VM REQUEST ping back from $arg" >/dev/console
		vm2vm_pings "$peer" "$arg" >/dev/console 2>&1
		echo "ping done, $HARNESS_FAILS failed" ;;
	recv)
		echo "recv $(vm2vm_recv "$arg")" ;;
	send)
		echo "send $(vm2vm_send "$peer" "$arg")" ;;
	rss)
		vm2vm_rss_report "$arg" >/dev/console
		echo "rss ok" ;;
	quit)
		echo "VM2VM REQUEST quit" >/dev/console
		kill "$(cat /tmp/vm2vm-ctl.pid)"
		echo "quit ok" ;;
	*)
		echo "error: unknown request '$req'" ;;
	esac
}

# vm2vm_serve: answer requests until "quit".
vm2vm_serve() {
	printf '#!/bin/sh\nexec /bin/sh /harness/script.sh ctl\n' >/root/vm2vm-ctl.sh
	chmod +x /root/vm2vm-ctl.sh
	nc -ll -p "$VM2VM_CTL_PORT" -e /root/vm2vm-ctl.sh &
	echo $! >/tmp/vm2vm-ctl.pid
	vm2vm_msg "SERVING on port $VM2VM_CTL_PORT"
	wait "$(cat /tmp/vm2vm-ctl.pid)" 2>/dev/null
	return 0
}

if [ "${1:-}" = ctl ]; then
	vm2vm_ctl
	exit 0
fi
