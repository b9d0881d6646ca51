# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=dash
#
# vm2vm client guest: brings its interface (VM2VM_DRIVER) up, waits for the
# server guest, pings it and has it ping back (normal, MTU-sized and
# fragmented), then runs the tests of VM2VM_PHASE:
#   full     TCP transfers of VM2VM_MIB MiB (default 64) both ways, checked
#            with MD5 at both ends, and iperf3 both ways for VM2VM_IPERF
#            seconds (default 5)
#   again    the TCP transfers only (e.g. after a reboot)
#   iperf    iperf3 both ways for VM2VM_IPERF seconds only (benchmarks)
#   kill     iperf3 traffic until the host kills the guest's QEMU (after
#            the line "VM2VM KILL-ME")
#   vlan     (with VM2VM_VLAN) the TCP transfers and iperf3, then on VLAN
#            VM2VM_VLAN_OTHER, which the server did not add, a subinterface
#            pings (ARP broadcasts) for the host to see the server's device
#            filter them
#   resets   a TCP transfer to the server paced over the whole phase, while
#            the guest resets its own device VM2VM_RESETS times (MTU,
#            ethtool -L, sysfs reset; 2 vCPUs needed); sizes and MD5 checked
#            at both ends, the link back after every reset
#   rss      iperf3 with 8 TCP streams to the server for VM2VM_IPERF seconds,
#            the server's RSS state and queue counters reported before and
#            after ("rss" request), the data streams' ports printed
#            ("VM2VM FLOW src:port dst:port")
# With VM2VM_QUIT=1 it then tells the server guest to quit.  It ends with the
# kernel's view of the device.

vm2vm_up || { harness_checks_done; exit 1; }
if ! vm2vm_wait_peer 120; then
	harness_check "server guest $VM2VM_PEER answers" false
	vm2vm_final_checks
	harness_checks_done
	exit 1
fi
harness_check "server guest $VM2VM_PEER answers" true
vm2vm_msg "UP"
vm2vm_pings "$VM2VM_PEER"
reply=$(vm2vm_call ping "$VM2VM_NAME")
harness_check "$VM2VM_PEER pinged us back (reply: ${reply:-none})" test "$reply" = "ping done, 0 failed"

VM2VM_PHASE=${VM2VM_PHASE:-full}
case $VM2VM_PHASE in
full)
	vm2vm_make_data "${VM2VM_MIB:-64}"
	vm2vm_xfer_to_peer "$VM2VM_PHASE"
	vm2vm_xfer_from_peer "$VM2VM_PHASE"
	vm2vm_iperf "${VM2VM_IPERF:-5}"
	;;
again)
	vm2vm_make_data "${VM2VM_MIB:-64}"
	vm2vm_xfer_to_peer "$VM2VM_PHASE"
	vm2vm_xfer_from_peer "$VM2VM_PHASE"
	;;
iperf)
	vm2vm_iperf "${VM2VM_IPERF:-5}"
	;;
resets)
	vm2vm_make_data "${VM2VM_MIB:-64}"
	touch "$VM2VM_PACE_FLAG"
	vm2vm_xfer_to_peer "$VM2VM_PHASE" &
	xpid=$!
	sleep 2
	vm2vm_msg "RESETS-START"
	vm2vm_resets "${VM2VM_RESETS:-20}"
	vm2vm_msg "RESETS-END"
	rm -f "$VM2VM_PACE_FLAG"
	wait "$xpid"
	;;
vlan)
	vm2vm_make_data "${VM2VM_MIB:-64}"
	vm2vm_xfer_to_peer "$VM2VM_PHASE"
	vm2vm_xfer_from_peer "$VM2VM_PHASE"
	vm2vm_iperf "${VM2VM_IPERF:-5}"
	o=$VM2VM_VLAN_OTHER
	vm2vm_vlan_add "$IFC" "$o" "10.0.$o.1"
	ping -c 5 -W 1 -i 0.2 "10.0.$o.2" >/tmp/vm2vm-ping.out 2>&1
	grep -E 'transmitted' /tmp/vm2vm-ping.out | while read -r l; do
		vm2vm_msg "PING VLAN $o (not added by $VM2VM_PEER): $l"
	done
	;;
rss)
	harness_check "server reported its RSS state" \
		test "$(vm2vm_call rss before)" = "rss ok"
	iperf3 -c "$VM2VM_PEER" -p "$VM2VM_IPERF_PORT" -P 8 \
		-t "${VM2VM_IPERF:-5}" -f m >/tmp/vm2vm-iperf.out 2>&1
	# the data streams ("[  5] local A port P connected to B port Q"),
	# not iperf3's control connection
	sed -n 's/.* local \([0-9.]*\) port \([0-9]*\) connected to \([0-9.]*\) port \([0-9]*\).*/VM2VM FLOW \1:\2 \3:\4/p' \
		/tmp/vm2vm-iperf.out
	grep -E 'SUM.*(sender|receiver)' /tmp/vm2vm-iperf.out |
		while read -r l; do vm2vm_msg "IPERF $VM2VM_NAME: $l"; done
	harness_check "iperf3 -c $VM2VM_PEER -P 8" \
		grep -q 'SUM.*receiver' /tmp/vm2vm-iperf.out
	harness_check "server reported its queue counters" \
		test "$(vm2vm_call rss after)" = "rss ok"
	;;
kill)
	iperf3 -c "$VM2VM_PEER" -p "$VM2VM_IPERF_PORT" -t 300 >/dev/null 2>&1 &
	sleep 2
	vm2vm_msg "KILL-ME"
	sleep 600
	;;
esac
[ -n "$VM2VM_QUIT" ] && vm2vm_msg "server: $(vm2vm_call quit)"
vm2vm_final_checks
harness_checks_done
