# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=dash disable=SC2154,SC2013
#
# Guest side of devtools/vm/tests/net-iavf-guest.sh (busybox sh, appended
# to vm2vm-lib.sh): the emulated AVF is given to vfio-pci and Debian's
# dpdk-testpmd (net_iavf) is started and quit NETIAVF_RUNS times in this
# boot, with NETIAVF_QUEUES (a list, one per run) queue pairs. Each run:
# io forwarding with --tx-first (one 32-packet burst per queue to the
# host), echoing what the host sends back; it stops (SIGINT) once it has
# received the run's NETIAVF_EXPECT packets. Console lines for the host:
#   NETIAVF run=N queues=Q start
#   NETIAVF run=N rc=RC rx=RX tx=TX bye=0|1 segv=0|1

NETIAVF_RUNS=${NETIAVF_RUNS:-3}
NETIAVF_QUEUES=${NETIAVF_QUEUES:-1 2 1}
NETIAVF_EXPECT=${NETIAVF_EXPECT:-64 128 64}
NETIAVF_MAX_S=${NETIAVF_MAX_S:-900}

for m in $(cat /lib/modules/dpdk-load-order); do
	insmod "/lib/modules/$m.ko" || harness_log "insmod $m failed"
done
mkdir -p /dev/hugepages
mount -t hugetlbfs nodev /dev/hugepages
echo 128 >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
harness_check "hugepages: 128 x 2 MiB" \
	grep -q '^128$' /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

bdf=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x1889 ] && bdf=${d##*/}
done
harness_check "AVF 8086:1889 present" test -n "$bdf"
if [ -e "/sys/bus/pci/devices/$bdf/driver" ]; then
	echo "$bdf" >"/sys/bus/pci/devices/$bdf/driver/unbind"
fi
echo vfio-pci >"/sys/bus/pci/devices/$bdf/driver_override"
echo "$bdf" >/sys/bus/pci/drivers_probe
grp=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu_group")")
harness_check "vfio-pci: /dev/vfio/$grp (IOMMU group type $(cat "/sys/bus/pci/devices/$bdf/iommu_group/type" 2>/dev/null))" \
	test -c "/dev/vfio/$grp"

# netiavf_rx LOG: the last port RX-packets testpmd printed (0 if none).
netiavf_rx() {
	awk '/RX-packets:/ { v = $2 } END { print v + 0 }' "$1"
}

run=1
for q in $NETIAVF_QUEUES; do
	[ "$run" -le "$NETIAVF_RUNS" ] || break
	expect=$(echo "$NETIAVF_EXPECT" | cut -d' ' -f"$run")
	log=/tmp/testpmd$run.log
	: >"$log"
	echo "NETIAVF run=$run queues=$q start at $(cut -d' ' -f1 /proc/uptime) s"
	dpdk-testpmd -l 0-1 -n 1 --file-prefix "netiavf$run" -a "$bdf" \
		-- --forward-mode=io --rxq="$q" --txq="$q" --tx-first \
		--stats-period=1 --total-num-mbufs=8192 >"$log" 2>&1 &
	pid=$!
	n=$((NETIAVF_MAX_S * 10))
	fwd=0
	while [ "$n" -gt 0 ] && kill -0 "$pid" 2>/dev/null &&
			[ "$(netiavf_rx "$log")" -lt "$expect" ]; do
		if [ "$fwd" = 0 ] && grep -q 'Port statistics' "$log"; then
			fwd=1
			echo "NETIAVF run=$run forwarding at $(cut -d' ' -f1 /proc/uptime) s"
		fi
		sleep 0.1
		n=$((n - 1))
	done
	# what the host sent has been echoed once testpmd counted it
	sleep 1
	kill -INT "$pid" 2>/dev/null
	rc=0
	wait "$pid" || rc=$?
	# the statistics printed when forwarding stopped, before the close
	acc=$(sed -n '/Accumulated forward statistics/,/^ *[+]*$/p' "$log")
	rx=$(echo "$acc" | awk '/RX-packets:/ { print $2; exit }')
	tx=$(echo "$acc" | awk '/TX-packets:/ { print $2; exit }')
	bye=0
	grep -q 'Bye' "$log" && bye=1
	segv=0
	grep -qi 'segmentation fault\|SIGSEGV' "$log" && segv=1
	[ "$rc" -ne 139 ] || segv=1
	echo "NETIAVF run=$run rc=$rc rx=${rx:-none} tx=${tx:-none} bye=$bye segv=$segv"
	harness_check "testpmd run $run ($q queue pairs) quit cleanly" \
		test "$bye" = 1 -a "$segv" = 0
	if [ "$bye" != 1 ] || [ "$segv" != 0 ]; then
		tail -n 30 "$log"
	fi
	grep -i 'iavf.*\(error\|fail\)\|not supported yet' "$log" | head -n 10 |
		sed 's/^/NETIAVF log: /'
	run=$((run + 1))
done
harness_check "kernel: no segfault, no DMAR/vfio fault in dmesg" \
	sh -c '! dmesg | grep -qi "segfault\|DMAR:.*fault\|vfio.*error"'
harness_checks_done
