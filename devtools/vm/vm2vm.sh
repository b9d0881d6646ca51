#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Two real guests joined through DPDK: dpdk-testpmd serves two emulated AVFs
# over vfio-user and forwards between their data-path ports (net_avfbe0 <->
# net_avfbe1, io forwarding); net_avfbe0 creates its AVF from one devargs
# string, net_avfbe1 serves the emu_iavf1 vdev's. Two QEMU 11 guests, one
# NIC each, drive them with the stock Linux iavf driver.
#
# Sourced by devtools/vm/tests/avfbe-vm2vm.sh and devtools/vm/demo.sh, which
# call the vm2vm_* functions below.  Run directly, it boots two guests, runs
# one script in each (the guest scripts get VM2VM_NAME, VM2VM_IP, VM2VM_PEER
# set, the second one also VM2VM_QUIT=1, and
# devtools/vm/guest-scripts/vm2vm-lib.sh prepended), prints their consoles and
# testpmd's port statistics; e.g. with guest-scripts/vm2vm-server.sh and
# guest-scripts/vm2vm-client.sh:
#
# usage: devtools/vm/vm2vm.sh [--build DIR] [--keep] SCRIPT0 SCRIPT1
#        (as root; DIR defaults to $BUILD or "build")
#
# Everything runs under timeouts; testpmd, the guests and the sockets are
# removed on exit, whatever happens.
#
# CPU: testpmd's forwarding lcore busy-polls a core, and each TCG guest
# wants a core while it runs.  VM2VM_CPUS chooses the layout:
#   nice    (default) "-l 0-1", testpmd at nice 19, guests unpinned: the
#           poller only gets the CPU time the guests leave
#   split   "-l 0-1", guests unpinned: three busy threads share two cores
#   pinned  testpmd on core 0 ("--lcores 0@0,1@0"), both guests on core 1
# Measured on two shared cores (iperf3 5 s each way / 64 MiB nc transfers
# each way / demo wall time): nice 1329-1735 Mbit/s / 197-257 Mbit/s / 49 s;
# split 817-1251 / 111-199 / 56-60 s; pinned 767-1313 / 120-165 / 61-67 s.
#
# VM2VM_BACKEND=vhost (for comparisons, devtools/bench/vm-avfbe-vs-vhost.sh)
# puts virtio-net in place of the emulated AVFs: testpmd forwards between two
# net_vhost ports (vhost-user servers, "net_vhostN,iface=SOCK,tso=1" plus
# VM2VM_VHOST_DEVARGS) and each guest gets "-chardev socket -netdev
# vhost-user -device virtio-net-pci" on one of them (its RAM is already a
# shared memfd); the guests' driver is virtio_net.  VM2VM_BACKEND=mixed
# serves device 0 (vm0, iavf) through net_avfbe0 and device 1 (vm1,
# virtio_net) through net_vhost1: traffic from vm0 is AVF to virtio-net,
# from vm1 virtio-net to AVF.

VM2VM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VM2VM_GUEST_SCRIPTS=$VM2VM_TOP/devtools/vm/guest-scripts

VM2VM_BUILD=${BUILD:-build}
VM2VM_CPUS=${VM2VM_CPUS:-nice}	# nice | split | pinned
VM2VM_BACKEND=${VM2VM_BACKEND:-avfbe}	# avfbe | vhost | mixed
# Added to each net_vhost port's devargs.  legacy-ol-flags=1: the vhost
# library marks a guest's GSO packet for TSO (RTE_MBUF_F_TX_TCP_SEG and
# the header lengths) as it dequeues it, so that the other port hands it to
# its guest whole (virtio-net header with gso_type); without it the packet
# gets Rx flags only (RX_LRO) and reaches the other guest as one 64 KiB
# frame without a GSO header.
VM2VM_VHOST_DEVARGS=${VM2VM_VHOST_DEVARGS-,legacy-ol-flags=1}
VM2VM_DIR=		# per-run directory: sockets, logs, scripts
VM2VM_TP_PID=		# testpmd
VM2VM_TP_LOG=
VM2VM_TP_ARGS=()	# testpmd's arguments
VM2VM_TP_PREFIX=	# testpmd's --file-prefix
VM2VM_KEEP=		# non-empty: keep VM2VM_DIR on exit
# Another testpmd: VM2VM_TP_BIN (its path, as the wrapper sees it) run
# through the command VM2VM_TP_WRAP (an array), e.g. Debian's own testpmd in
# the bookworm root: VM2VM_TP_WRAP=("${BW_NS[@]}" chroot "$BW_ROOT")
# VM2VM_TP_BIN=dpdk-testpmd (devtools/vm/tests/debian-testpmd.sh).
VM2VM_TP_BIN=${VM2VM_TP_BIN:-}
[ -n "${VM2VM_TP_WRAP+x}" ] || VM2VM_TP_WRAP=()
declare -A VM2VM_GPID	# guest name -> run-guest pid
declare -A VM2VM_GLOG	# guest name -> console log

vm2vm_log() {
	echo "vm2vm: $*" >&2
}

# vm2vm_init BUILD_DIR: create the run directory and the cleanup trap.
vm2vm_init() {
	VM2VM_BUILD=${1:-$VM2VM_BUILD}
	case $VM2VM_BUILD in /*) ;; *) VM2VM_BUILD=$VM2VM_TOP/$VM2VM_BUILD ;; esac
	VM2VM_DIR=$(mktemp -d /tmp/vm2vm.XXXXXX) || return 1
	chmod 755 "$VM2VM_DIR"
	VM2VM_TP_LOG=$VM2VM_DIR/testpmd.log
	trap vm2vm_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# vm2vm_backend N: how device N is served, avfbe or vhost (VM2VM_BACKEND;
# with "mixed" device 0 is avfbe, device 1 vhost).
vm2vm_backend() {
	case $VM2VM_BACKEND in
	mixed) if [ "$1" = 0 ]; then echo avfbe; else echo vhost; fi ;;
	*) echo "$VM2VM_BACKEND" ;;
	esac
}

# vm2vm_sock N: the vfio-user socket of emulated device N (the vhost-user
# socket of net_vhostN when it is served by vhost).
vm2vm_sock() {
	case $(vm2vm_backend "$1") in
	vhost) echo "$VM2VM_DIR/vhost$1.sock" ;;
	*) echo "$VM2VM_DIR/avf$1.sock" ;;
	esac
}

# vm2vm_guest_driver [N]: the driver of the guest NIC on device N (default 0).
vm2vm_guest_driver() {
	case $(vm2vm_backend "${1:-0}") in
	vhost) echo virtio_net ;;
	*) echo iavf ;;
	esac
}

# vm2vm_start_testpmd [EAL/testpmd argument]...: start testpmd with the two
# emulated devices and their ports, io forwarding, interactive through a
# FIFO; wait for both sockets and the prompt.  Extra arguments go before
# "--" (EAL options such as --log-level).
# shellcheck disable=SC2120 # the arguments are optional
vm2vm_start_testpmd() {
	local tp=${VM2VM_TP_BIN:-$VM2VM_BUILD/subprojects/dpdk/app/dpdk-testpmd} lcores prio ports _
	[ -n "$VM2VM_TP_BIN" ] || [ -x "$tp" ] ||
		{ vm2vm_log "no $tp: build first (devtools/build.sh)"; return 1; }
	prio=()
	# shellcheck disable=SC2054 # commas inside an argument
	case $VM2VM_CPUS in
	pinned) lcores=(--lcores 0@0,1@0) ;;
	split) lcores=(-l 0-1) ;;
	nice) lcores=(-l 0-1); prio=(nice -n 19) ;;
	*) vm2vm_log "VM2VM_CPUS: split, pinned or nice, not '$VM2VM_CPUS'"; return 1 ;;
	esac
	# Port 0 is given in one devargs string (it creates its emulated AVF),
	# port 1 as an emu_iavf vdev plus the port.
	# shellcheck disable=SC2054 # commas inside arguments
	case $VM2VM_BACKEND in
	avfbe)
		ports=(--vdev "net_avfbe0,path=$(vm2vm_sock 0)"
			--vdev "emu_iavf1,path=$(vm2vm_sock 1),id=1"
			--vdev net_avfbe1,id=1,avf_emu_id=1) ;;
	vhost)
		ports=(--vdev "net_vhost0,iface=$(vm2vm_sock 0),tso=1$VM2VM_VHOST_DEVARGS"
			--vdev "net_vhost1,iface=$(vm2vm_sock 1),tso=1$VM2VM_VHOST_DEVARGS") ;;
	mixed)
		ports=(--vdev "net_avfbe0,path=$(vm2vm_sock 0)"
			--vdev "net_vhost1,iface=$(vm2vm_sock 1),tso=1$VM2VM_VHOST_DEVARGS") ;;
	*) vm2vm_log "VM2VM_BACKEND: avfbe, vhost or mixed, not '$VM2VM_BACKEND'"; return 1 ;;
	esac
	mkfifo "$VM2VM_DIR/testpmd.in"
	# Held open read-write: testpmd never sees end of input.
	exec 8<>"$VM2VM_DIR/testpmd.in"
	# --no-mlockall: testpmd must not lock (and so populate) the guests'
	# memory it maps.
	VM2VM_TP_PREFIX=vm2vm-$$-${VM2VM_DIR##*.}
	VM2VM_TP_ARGS=("${lcores[@]}" --no-huge -m 1024 --no-pci
		--file-prefix="$VM2VM_TP_PREFIX" "${ports[@]}"
		"$@" -- -i --forward-mode=io --no-mlockall)
	# Line-buffered, so that command output is in the log when the next
	# prompt is.
	"${prio[@]}" "${VM2VM_TP_WRAP[@]}" stdbuf -oL -eL "$tp" "${VM2VM_TP_ARGS[@]}" \
		<&8 >"$VM2VM_TP_LOG" 2>&1 &
	VM2VM_TP_PID=$!
	for _ in $(seq 300); do
		[ -S "$(vm2vm_sock 0)" ] && [ -S "$(vm2vm_sock 1)" ] &&
			grep -aq 'testpmd> ' "$VM2VM_TP_LOG" && break
		kill -0 "$VM2VM_TP_PID" 2>/dev/null || break
		sleep 0.1
	done
	if ! [ -S "$(vm2vm_sock 0)" ] || ! [ -S "$(vm2vm_sock 1)" ] ||
			! grep -aq 'testpmd> ' "$VM2VM_TP_LOG"; then
		vm2vm_log "testpmd did not come up; its log:"
		tail -n 30 "$VM2VM_TP_LOG" >&2
		return 1
	fi
}

# vm2vm_tp_alive: testpmd still running.
vm2vm_tp_alive() {
	[ -n "$VM2VM_TP_PID" ] && kill -0 "$VM2VM_TP_PID" 2>/dev/null
}

# vm2vm_tp_cmd TIMEOUT CMD [END_ERE]: send CMD to testpmd, print its output
# (what testpmd logged after CMD, up to END_ERE or the next prompt).
vm2vm_tp_cmd() {
	local t=$1 cmd=$2 end=${3:-} from n
	vm2vm_tp_alive || { vm2vm_log "testpmd is not running"; return 1; }
	from=$(($(stat -c %s "$VM2VM_TP_LOG") + 1))
	echo "$cmd" >&8
	n=$((t * 10))
	while [ "$n" -gt 0 ]; do
		if [ -n "$end" ]; then
			tail -c "+$from" "$VM2VM_TP_LOG" | grep -aEq "$end" && break
		else
			tail -c "+$from" "$VM2VM_TP_LOG" | grep -aq 'testpmd> ' && break
		fi
		vm2vm_tp_alive || break
		sleep 0.1
		n=$((n - 1))
	done
	tail -c "+$from" "$VM2VM_TP_LOG" | sed 's/testpmd> //g'
	[ "$n" -gt 0 ]
}

# vm2vm_tel CMD [KEY]...: one telemetry command of testpmd, read with
# DPDK's usertools/dpdk-telemetry.py; prints the reply's value at KEY/KEY/...
# (JSON for lists and objects), fails when there is none.
vm2vm_tel() {
	local cmd=$1
	shift
	printf '%s\n' "$cmd" | /usr/bin/python3 \
		"$VM2VM_TOP/subprojects/dpdk/usertools/dpdk-telemetry.py" \
		-f "$VM2VM_TP_PREFIX" 2>/dev/null | tail -n 1 |
		/usr/bin/python3 -c '
import json, sys
v = json.loads(sys.stdin.read())[sys.argv[1].split(",")[0]]
for k in sys.argv[2:]:
    v = v[k]
print(v if isinstance(v, str) else json.dumps(v))' "$cmd" "$@"
}

# vm2vm_port_stats: testpmd's "show port stats all".
vm2vm_port_stats() {
	vm2vm_tp_cmd 10 "show port stats all" | grep -av '^[[:space:]]*$'
}

# vm2vm_fd_count: number of open file descriptors of testpmd.
vm2vm_fd_count() {
	vm2vm_tp_alive || { echo -; return 1; }
	find "/proc/$VM2VM_TP_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

# vm2vm_guest_script NAME IP PEER_IP SCRIPT [VAR=VALUE]...: compose the
# script a guest runs: its parameters, the shared guest library, SCRIPT.
# vm2vm_start_guest adds VM2VM_DRIVER, the driver of the device it boots on.
vm2vm_guest_script() {
	local name=$1 ip=$2 peer=$3 script=$4 out=$VM2VM_DIR/$1.script.sh v
	shift 4
	{
		echo "VM2VM_NAME=$name"
		echo "VM2VM_IP=$ip"
		echo "VM2VM_PEER=$peer"
		for v in "$@"; do
			echo "$v"
		done
		cat "$VM2VM_GUEST_SCRIPTS/vm2vm-lib.sh" "$script"
	} >"$out"
	echo "$out"
}

# vm2vm_start_guest NAME DEV SCRIPT TIMEOUT [run-guest option]...: boot a
# guest on emulated device DEV (net_vhostDEV's socket when vhost serves
# it) in the background, console in
# $VM2VM_DIR/NAME.console.  The script is the output of vm2vm_guest_script.
vm2vm_start_guest() {
	local name=$1 dev=$2 script=$3 t=$4 pin=() nic=()
	shift 4
	VM2VM_GLOG[$name]=$VM2VM_DIR/$name.console
	: >"${VM2VM_GLOG[$name]}"
	[ "$VM2VM_CPUS" = pinned ] && pin=(taskset -c 1)
	# the guest finds its NIC by the driver of device DEV
	sed -i "1i VM2VM_DRIVER=$(vm2vm_guest_driver "$dev")" "$script"
	case $(vm2vm_backend "$dev") in
	vhost)
		# A MAC address per device (QEMU's default is the same for all).
		nic=(--qemu-arg -chardev --qemu-arg "socket,id=vu$dev,path=$(vm2vm_sock "$dev")"
			--qemu-arg -netdev --qemu-arg "vhost-user,id=net$dev,chardev=vu$dev"
			--qemu-arg -device
			--qemu-arg "virtio-net-pci,netdev=net$dev,mac=52:54:00:00:00:$((10 + dev))") ;;
	*) nic=(--sock "$(vm2vm_sock "$dev")") ;;
	esac
	"${pin[@]}" "$VM2VM_TOP/devtools/vm/run-guest.sh" --name "$name" \
		"${nic[@]}" --script "$script" --timeout "$t" \
		--log "${VM2VM_GLOG[$name]}" "$@" \
		>/dev/null 2>"$VM2VM_DIR/$name.run-guest.err" &
	VM2VM_GPID[$name]=$!
}

# vm2vm_console NAME: the console log of a guest.
vm2vm_console() {
	echo "${VM2VM_GLOG[$1]}"
}

# vm2vm_wait_console NAME TIMEOUT ERE: wait until the console of NAME has a
# line matching ERE (fails on timeout or when the guest ended first).
vm2vm_wait_console() {
	local name=$1 n=$(($2 * 10)) ere=$3
	while [ "$n" -gt 0 ]; do
		grep -aEq "$ere" "${VM2VM_GLOG[$name]}" 2>/dev/null && return 0
		kill -0 "${VM2VM_GPID[$name]}" 2>/dev/null || break
		sleep 0.1
		n=$((n - 1))
	done
	grep -aEq "$ere" "${VM2VM_GLOG[$name]}" 2>/dev/null
}

# vm2vm_wait_guest NAME TIMEOUT: wait for run-guest to end; returns its status
# (124 on our timeout too, after stopping it).
vm2vm_wait_guest() {
	local name=$1 n=$(($2 * 10)) pid=${VM2VM_GPID[$1]} rc=0
	[ -n "$pid" ] || return 125
	while [ "$n" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		vm2vm_stop_guest "$name"
		return 124
	fi
	wait "$pid" || rc=$?
	VM2VM_GPID[$name]=
	return "$rc"
}

# vm2vm_descendants PID: PID's descendant processes, one a line.
vm2vm_descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$c"
		vm2vm_descendants "$c"
	done
}

# vm2vm_qemu_pid NAME: the QEMU process of a running guest.
vm2vm_qemu_pid() {
	local p
	for p in $(vm2vm_descendants "${VM2VM_GPID[$1]}"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = qemu-system-x86 ] && { echo "$p"; return 0; }
	done
	return 1
}

# vm2vm_kill_qemu NAME: SIGKILL the guest's QEMU (no shutdown, no
# vfio-user goodbye) and reap run-guest.
vm2vm_kill_qemu() {
	local q
	q=$(vm2vm_qemu_pid "$1") || { vm2vm_log "no QEMU process for $1"; return 1; }
	kill -KILL "$q"
	vm2vm_wait_guest "$1" 20 || true
}

# vm2vm_stop_guest NAME: stop a guest's run-guest (it stops QEMU).
vm2vm_stop_guest() {
	local pid=${VM2VM_GPID[$1]} _
	[ -n "$pid" ] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		# run-guest's own cleanup did not run: stop its QEMU.
		local q
		for q in $(vm2vm_descendants "$pid"); do
			kill -KILL "$q" 2>/dev/null || true
		done
	fi
	wait "$pid" 2>/dev/null || true
	VM2VM_GPID[$1]=
}

# vm2vm_stop_testpmd: "quit", then TERM and KILL if it does not exit.
vm2vm_stop_testpmd() {
	local _
	[ -n "$VM2VM_TP_PID" ] || return 0
	if kill -0 "$VM2VM_TP_PID" 2>/dev/null; then
		echo quit >&8 2>/dev/null || true
		for _ in $(seq 100); do
			kill -0 "$VM2VM_TP_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -TERM "$VM2VM_TP_PID" 2>/dev/null || true
		for _ in $(seq 30); do
			kill -0 "$VM2VM_TP_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$VM2VM_TP_PID" 2>/dev/null || true
	fi
	wait "$VM2VM_TP_PID" 2>/dev/null || true
	VM2VM_TP_PID=
	exec 8>&- 2>/dev/null || true
}

vm2vm_cleanup() {
	local g
	for g in "${!VM2VM_GPID[@]}"; do
		vm2vm_stop_guest "$g"
	done
	vm2vm_stop_testpmd
	[ -n "$VM2VM_DIR" ] || return 0
	rm -f "$VM2VM_DIR"/*.sock "$VM2VM_DIR/testpmd.in"
	if [ -n "$VM2VM_KEEP" ]; then
		vm2vm_log "logs kept in $VM2VM_DIR"
	else
		rm -rf "$VM2VM_DIR"
	fi
}

# Run directly: two guests, one script each.
vm2vm_main() {
	local s0 s1 rc0=0 rc1=0
	while [ $# -gt 0 ]; do
		case $1 in
		--build) VM2VM_BUILD=$2; shift 2 ;;
		--build=*) VM2VM_BUILD=${1#*=}; shift ;;
		--keep) VM2VM_KEEP=1; shift ;;
		-h | --help) sed -n 's/^# usage: //p; s/^#        /        /p' "$0"; return 0 ;;
		-*) vm2vm_log "unknown option '$1' (see --help)"; return 2 ;;
		*) break ;;
		esac
	done
	[ $# = 2 ] || { vm2vm_log "two guest scripts are needed (see --help)"; return 2; }
	[ "$(id -u)" = 0 ] || { vm2vm_log "needs root"; return 1; }
	vm2vm_init "$VM2VM_BUILD" || return 1
	"$VM2VM_TOP/devtools/vm/setup.sh" >/dev/null || return 1
	# shellcheck disable=SC2119 # no extra testpmd arguments
	vm2vm_start_testpmd || return 1
	vm2vm_tp_cmd 10 start 'forwards packets' >/dev/null
	s0=$(vm2vm_guest_script vm0 10.0.0.1 10.0.0.2 "$1")
	s1=$(vm2vm_guest_script vm1 10.0.0.2 10.0.0.1 "$2" VM2VM_QUIT=1)
	vm2vm_start_guest vm0 0 "$s0" 600
	vm2vm_start_guest vm1 1 "$s1" 600
	vm2vm_wait_guest vm0 620 || rc0=$?
	vm2vm_wait_guest vm1 620 || rc1=$?
	echo "== vm0 (rc=$rc0)"
	cat "$(vm2vm_console vm0)"
	echo "== vm1 (rc=$rc1)"
	cat "$(vm2vm_console vm1)"
	echo "== testpmd"
	vm2vm_port_stats
	[ "$rc0" = 0 ] && [ "$rc1" = 0 ]
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	vm2vm_main "$@"
	exit
fi
