#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vm-test-kernels: all (Linux iavf guests: run on every guest kernel)
#
# Open vSwitch with DPDK serving two VMs through net_avfbe ports: Debian
# bookworm's openvswitch-switch-dpdk 3.1 (DPDK 22.11) in the bookworm root
# (devtools/vm/setup-bookworm.sh), with the plugin package installed
# (devtools/deb/build.sh --install), started by hand (no systemd) in a network
# namespace of its own.  A netdev bridge br0 gets two type=dpdk ports whose
# options:dpdk-devargs are one net_avfbe string each; one flow, NORMAL.  Two
# QEMU 11 guests (Linux iavf, 10.0.0.1 and 10.0.0.2) drive them:
#
#  1. pings both ways (56, 1472, 4000, 8000 bytes), 64 MiB of TCP data each
#     way, MD5 checked at both ends;
#  2. the client guest powers off; its port is deleted (the socket must go)
#     and added again with the same devargs while the guest reboots; the
#     guest boots again on the same socket: pings and transfers again;
#  3. ovs-ofctl dump-ports: each port's rx/tx packets equal the packets its
#     guest sent/received (the guests' iavf counters, read 3 s after their
#     last transfer).
#
# usage: devtools/vm/tests/ovs-dpdk.sh [--mib N] [--hugepages]
#        (as root; KEEP_LOGS=1 keeps the logs)
#   --hugepages  reserve 512 x 2 MiB hugepages for the run (released after)
#                and start OVS with dpdk-socket-mem=512 instead of --no-huge
#
# The guests boot with no_timer_check: on a loaded host the kernel's
# IO-APIC timer check can fail under TCG ("IO-APIC + timer doesn't work").
#
# Prints one "PASS <check>" or "FAIL <check>" line per check, then
# "PASS ovs-dpdk" (exit 0) or "FAIL ovs-dpdk" (exit 1).

set -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
GS=$TOP/devtools/vm/guest-scripts
# shellcheck source-path=SCRIPTDIR/..
. "$TOP/devtools/vm/lib/vm-common.sh"
# shellcheck source-path=SCRIPTDIR/..
. "$TOP/devtools/vm/vm2vm.sh"
# shellcheck source=../lib/vm2vm-test.sh
. "$TOP/devtools/vm/lib/vm2vm-test.sh"

MIB=64
HUGE=
vm_args "mib=MIB +hugepages=HUGE" "$@"
[[ $MIB =~ ^[1-9][0-9]*$ ]] || { echo "--mib: a number of MiB, not '$MIB'" >&2; exit 2; }

vt_begin ovs-dpdk
VT_REPORTS='(PING .*transmitted|XFER .* bytes in|STATS|ICMP6)'
OVS=			# OVS_RUNDIR (= DBDIR, LOGDIR) of this run
# finish names the daemons' logs too
vt_extra_logs() {
	[ -z "$OVS" ] || echo "OVS logs: $OVS/ovs-vswitchd.log $OVS/ovsdb-server.log"
}
HP_BEFORE=		# nr_hugepages before --hugepages reserved ours


# ovs CMD...: an OVS command in the bookworm root, for this run's daemons.
ovs() {
	bw_chroot env OVS_RUNDIR="$OVS" OVS_DBDIR="$OVS" OVS_LOGDIR="$OVS" "$@"
}
vsctl() {
	ovs ovs-vsctl --db="unix:$OVS/db.sock" --timeout=60 "$@"
}

# ovs_start: ovsdb-server and ovs-vswitchd (the DPDK build), by hand as a
# user without systemd does, in a network namespace of their own (the
# bridge's internal port never shows on the host).  The daemons detach and
# keep the namespaces.  userspace-tso-enable=true: without it OVS 3.1 drops
# every packet that asks for a TCP/UDP checksum offload (what the guests
# send; coverage counter netdev_send_prepare_drops).  ovs-vswitchd runs at
# nice 19 and its PMD thread sleeps up to 1 ms when idle (pmd-maxsleep): it
# busy-polls a core the TCG guests need.
ovs_start() {
	local extra
	OVS=$VM2VM_DIR/ovs
	mkdir -p "$OVS"
	ovs update-alternatives --set ovs-vswitchd \
		/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk >/dev/null || return 1
	ovs ovsdb-tool create "$OVS/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
	# -m 2048: OVS's first mbuf pool asks for 262144 mbufs; with -m 1024
	# DPDK 22.11 may fail it with ENOBUFS, which OVS does not retry smaller.
	if [ -n "$HUGE" ]; then
		extra="--no-pci --file-prefix=ovs-$$"
	else
		extra="--no-huge -m 2048 --legacy-mem --no-pci --file-prefix=ovs-$$"
	fi
	# shellcheck disable=SC2016 # expanded by the shell in the root
	nice -n 19 unshare --net "${BW_NS[@]}" chroot "$BW_ROOT" \
		env OVS_RUNDIR="$OVS" OVS_DBDIR="$OVS" OVS_LOGDIR="$OVS" sh -ec '
		ovs=$1 extra=$2 mem=$3
		ovsdb-server "$ovs/conf.db" --remote="punix:$ovs/db.sock" \
			--pidfile="$ovs/ovsdb-server.pid" --log-file="$ovs/ovsdb-server.log" --detach
		ovs-vsctl --db="unix:$ovs/db.sock" --no-wait init
		ovs-vsctl --db="unix:$ovs/db.sock" --no-wait set Open_vSwitch . \
			other_config:dpdk-init=true other_config:dpdk-extra="$extra" \
			other_config:userspace-tso-enable=true other_config:pmd-maxsleep=1000 \
			${mem:+other_config:dpdk-socket-mem=$mem}
		ovs-vswitchd "unix:$ovs/db.sock" --pidfile="$ovs/ovs-vswitchd.pid" \
			--log-file="$ovs/ovs-vswitchd.log" --detach
		' ovs-start "$OVS" "$extra" "${HUGE:+512}" >"$VM2VM_DIR/ovs-start.log" 2>&1
}

ovs_pid() {
	cat "$OVS/$1.pid" 2>/dev/null
}

# shellcheck disable=SC2317 # called through check
ovs_alive() {
	local p
	p=$(ovs_pid ovs-vswitchd) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null
}

# ovs_stop: TERM the two daemons (by their pid files), KILL after 10 s.
ovs_stop() {
	local d p _
	[ -n "$OVS" ] || return 0
	for d in ovs-vswitchd ovsdb-server; do
		p=$(ovs_pid "$d") || continue
		[ -n "$p" ] || continue
		kill -TERM "$p" 2>/dev/null || continue
		for _ in $(seq 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
	done
}

# shellcheck disable=SC2317 # called from the EXIT trap
hugepages_release() {
	[ -z "$HP_BEFORE" ] || echo "$HP_BEFORE" >/proc/sys/vm/nr_hugepages
}

# shellcheck disable=SC2317 # the EXIT trap
cleanup() {
	ovs_stop
	hugepages_release
	vm2vm_cleanup
}


# run_client NAME TIMEOUT [quit]: boot the client guest on port 2's socket.
run_client() {
	local s
	s=$(vm2vm_guest_script "$1" 10.0.0.2 10.0.0.1 "$GS/vm2vm-client.sh" \
		VM2VM_PHASE=again "VM2VM_MIB=$MIB" VM2VM_SETTLE=3 ${3:+VM2VM_QUIT=1})
	vm2vm_start_guest "$1" 1 "$s" "$2" --append no_timer_check
}

# wait_client NAME TIMEOUT: wait for the client guest's script to pass.
wait_client() {
	local rc=0
	vm2vm_wait_guest "$1" "$2" || rc=$?
	guest_checks "$1"
	check "$1: 64 MiB each way, MD5 matched at both ends, through OVS" \
		test "$(grep -ac '^CHECK ok: again: TCP .*sizes and MD5 match' "$(vm2vm_console "$1")")" = 2
	check "$1: guest script passed (run-guest status $rc)" test "$rc" = 0
}

# add_port N: port avfN, OpenFlow port N+1, its socket avfN.sock.  The
# device offers 4 queue pairs (the default); the 1-vCPU guests enable one
# and point their RSS table at it.  OVS transmits on queue 1 from its PMD
# thread: device RSS (rss=device, the default) puts those packets on the
# guest queue the guest's table names.
add_port() {
	vsctl add-port br0 "avf$1" -- set Interface "avf$1" type=dpdk \
		ofport_request=$(($1 + 1)) "options:dpdk-devargs=net_avfbe$1,path=$(vm2vm_sock "$1")"
}

# wait_sock N [gone]: wait up to 30 s for socket N to appear (or to go).
wait_sock() {
	local _
	for _ in $(seq 300); do
		if [ -n "${2:-}" ]; then [ -e "$(vm2vm_sock "$1")" ] || return 0
		else [ -S "$(vm2vm_sock "$1")" ] && return 0
		fi
		sleep 0.1
	done
	return 1
}

# guest_stat NAME FIELD: FIELD (rx_packets, tx_packets) of the guest's
# last STATS line.
guest_stat() {
	grep -a '^VM2VM STATS' "$(vm2vm_console "$1")" | tail -n 1 |
		sed -n "s/.* $2=\([0-9]*\).*/\1/p"
}

# ofport_stat PORT rx|tx: packets of an OpenFlow port (ovs-ofctl dump-ports).
ofport_stat() {
	echo "$DUMP" | awk -v p="$1" -v d="$2" '
		$1 == "port" { cur = $2; sub(/:$/, "", cur); line = $0; sub(/^ *port *[^ ]* */, "", line) }
		$1 != "port" { line = $0 }
		cur == p && line ~ "^ *" d " pkts=" { sub(/.*pkts=/, "", line); sub(/,.*/, "", line); print line }'
}

[ "$(id -u)" = 0 ] || abort "setup: needs root (the roots are chrooted into)"
"$TOP/devtools/vm/setup.sh" >/dev/null ||
	abort "setup: devtools/vm/setup.sh (the guests' trixie root) failed: run it to see why"
deb=$("$TOP/devtools/deb/build.sh" --install 2>/dev/null | tail -n 1)
[ -f "$deb" ] || abort "setup: the plugin package did not build or install: run devtools/deb/build.sh --install to see why"
vm2vm_init build || abort "setup: no run directory"
trap cleanup EXIT
if [ -n "$HUGE" ]; then
	HP_BEFORE=$(cat /proc/sys/vm/nr_hugepages)
	echo $((HP_BEFORE + 512)) >/proc/sys/vm/nr_hugepages
	check "hugepages: 512 x 2 MiB reserved for OVS ($(cat /proc/sys/vm/nr_hugepages) in total)" \
		test "$(cat /proc/sys/vm/nr_hugepages)" -ge $((HP_BEFORE + 512)) || finish
fi

ovs_start || { cat "$VM2VM_DIR/ovs-start.log" >&2; abort "OVS: ovsdb-server/ovs-vswitchd did not start (log above)"; }
check "OVS: ovs-vswitchd $(ovs ovs-vswitchd --version | sed -n 's/.*) //p;q') with DPDK $(sed -n 's/.*Using DPDK //p' "$OVS/ovs-vswitchd.log" | head -n 1) running in its own network namespace" \
	sh -c "[ \"\$(readlink /proc/$(ovs_pid ovs-vswitchd)/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" || finish
vsctl add-br br0 -- set bridge br0 datapath_type=netdev || abort "OVS: add-br br0"
if ! add_port 0 || ! add_port 1; then
	abort "OVS: add-port avf0, avf1 (type=dpdk, net_avfbe devargs)"
fi
check "OVS: ports avf0, avf1 (type=dpdk, dpdk-devargs net_avfbe0/1,path=..., 4 queues) attached, sockets listening" \
	sh -c "[ \"\$0\" = 1 ] && [ \"\$1\" = 2 ]" "$(vsctl get Interface avf0 ofport)" "$(vsctl get Interface avf1 ofport)"
if ! wait_sock 0 || ! wait_sock 1; then
	abort "OVS: the vfio-user sockets did not appear"
fi
# NORMAL, not "in_port=1,actions=output:2": OVS 3.1 gives flows that match
# only on in_port to its "simple match" path, which does not parse L4, and
# then drops the guests' TSO packets ("TCP Segmentation without L4 header").
if ! ovs ovs-ofctl del-flows br0 || ! ovs ovs-ofctl add-flow br0 actions=NORMAL; then
	abort "OVS: add-flow"
fi
pass "OVS: flow actions=NORMAL (MAC learning switch)"
ovs ovs-ofctl dump-flows br0 --no-stats | sed 's/^/  /'

echo "== phase 1: both guests up, pings, 64 MiB each way ($(elapsed))"
s0=$(vm2vm_guest_script vm0 10.0.0.1 10.0.0.2 "$GS/vm2vm-server.sh" "VM2VM_MIB=$MIB" VM2VM_SETTLE=3)
vm2vm_start_guest vm0 0 "$s0" 900 --append no_timer_check
run_client vm1-boot 400
wait_client vm1-boot 420
check "OVS: ovs-vswitchd still running after phase 1" ovs_alive || finish

echo "== phase 2: port avf1 deleted and added again while its guest reboots ($(elapsed))"
vsctl del-port br0 avf1 || fail "OVS: del-port br0 avf1"
check "OVS: del-port avf1 removed its vfio-user socket (rte_dev_remove)" wait_sock 1 gone
add_port 1 || fail "OVS: add-port avf1 again"
check "OVS: avf1 added again with the same devargs: OpenFlow port 2, socket listening" \
	sh -c "[ \"\$0\" = 2 ] && [ -S \"\$1\" ]" "$(vsctl get Interface avf1 ofport)" "$(vm2vm_sock 1)"
wait_sock 1
run_client vm1-reboot 400 quit
wait_client vm1-reboot 420
rc=0
vm2vm_wait_guest vm0 120 || rc=$?
guest_checks vm0
check "vm0: guest script passed (run-guest status $rc)" test "$rc" = 0
check "OVS: ovs-vswitchd still running after phase 2" ovs_alive || finish

echo "== counters: ovs-ofctl dump-ports br0 against the guests' ($(elapsed))"
DUMP=$(ovs ovs-ofctl dump-ports br0)
printf '  %s\n' "${DUMP//$'\n'/$'\n'  }"
for c in "1 vm0" "2 vm1-reboot"; do
	set -- "${c% *}" "${c#* }"
	ovs_rx=$(ofport_stat "$1" rx)
	ovs_tx=$(ofport_stat "$1" tx)
	g_tx=$(guest_stat "$2" tx_packets)
	g_rx=$(guest_stat "$2" rx_packets)
	check "counters: port $1 rx pkts ($ovs_rx) = $2 tx_packets ($g_tx), port $1 tx pkts ($ovs_tx) = $2 rx_packets ($g_rx)" \
		test -n "$ovs_rx" -a "$ovs_rx" = "$g_tx" -a -n "$ovs_tx" -a "$ovs_tx" = "$g_rx" -a "${ovs_rx:-0}" -gt 1000
done
bad=$(grep -E '\|(ERR|EMER)\|' "$OVS/ovs-vswitchd.log" | grep -v 'dpif_netlink\|netdev_linux' | head -n 5)
check "OVS: no ERR in ovs-vswitchd.log${bad:+: $bad}" test -z "$bad"
vsctl del-br br0 || fail "OVS: del-br br0"
wait_sock 0 gone
wait_sock 1 gone
check "OVS: del-br removed both sockets" test ! -e "$(vm2vm_sock 0)" -a ! -e "$(vm2vm_sock 1)"
ovs_stop
finish
