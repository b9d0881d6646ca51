#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vm-test-kernels: all (Linux iavf guests: run on every guest kernel)
#
# End-to-end test of the vfio-user library with its real peer: dpdk-test
# (vfio_user_serve_autotest) serves a generic PCI test device, QEMU 11
# vfio-user-pci attaches it to a Linux guest.  The guest finds the device in
# sysfs (IDs, class, BARs, MSI-X capability) and accesses BAR0 with devmem:
# trapped registers (magic, scratch, counter) and the shared (sparse mmap)
# page; it also enables and disables MSI-X through the config space.  Then a
# second QEMU attaches to the same socket, behind a vIOMMU (intel-iommu)
# whose domain the guest changes twice: QEMU then unmaps whole IOVA windows
# and must log no failed DMA map or unmap.  The host checks what the guests
# saw, what the server recorded (its "SERVE:" summary), QEMU's trace (the
# shared page is mmapped, not trapped) and that everything went away.
#
# usage: devtools/vm/tests/vfio-user-qemu.sh [--build DIR]
#        (as root; DIR defaults to $BUILD or "build"; KEEP_LOGS=1 keeps the logs)
#
# Prints one "PASS <check>" or "FAIL <check>" line per check, then
# "PASS vfio-user-qemu" (exit 0) or "FAIL vfio-user-qemu" (exit 1).
# On failure the server, console and trace logs are kept and named.

set -e -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
# shellcheck source=devtools/vm/lib/vm-common.sh
. "$TOP/devtools/vm/lib/vm-common.sh"
verdict() { echo "vfio-user-qemu [$(vm_guest_desc iavf)]"; }

BUILD=${BUILD:-build}
vm_args "build=BUILD" "$@"
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac

# The device of vfio_user_serve_autotest (app/test/test_vfio_user.c).
VENDOR=0x1b36
DEVICE=0x0005
CLASS=0xff0000
BAR0_SIZE=0x2000
BAR2_SIZE=0x1000
MSIX_CAP=0x40
MSIX_VECTORS=3
MAGIC=0x56465531
SHARED=0x1000		# offset of the shared page in BAR0
# Values the guests write.
SCRATCH1=0xC0DE0001
SCRATCH2=0xC0DE0002
WORD0=0xFEEDC0DE	# guest 1, shared page word 0
WORD1=0x5EED0002	# guest 2, shared page word 1

TMPD=$(mktemp -d /tmp/vfio-user-qemu.XXXXXX)
SOCK=$TMPD/peer.sock
PREFIX=vfio-user-qemu-$$
SERVER_LOG=$TMPD/server.log
SPID=
GPID=
NFAIL=0
KEEP=${KEEP_LOGS:+1}	# KEEP_LOGS=1 keeps the logs of a passing run

cleanup() {
	[ -z "$GPID" ] || kill "$GPID" 2>/dev/null || true
	if [ -n "$SPID" ]; then
		kill -TERM "$SPID" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$SPID" 2>/dev/null || break
			sleep 0.3
		done
		kill -KILL "$SPID" 2>/dev/null || true
	fi
	rm -rf "/var/run/dpdk/$PREFIX"
	if [ -n "$KEEP" ]; then
		echo "logs kept in $TMPD: server.log, console1.log, console2.log, qemu1.trace, qemu2.trace" >&2
	else
		rm -rf "$TMPD"
	fi
}
trap cleanup EXIT

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; NFAIL=$((NFAIL + 1)); KEEP=1; }
check() {	# check NAME CMD...
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
abort() {
	fail "$*"
	echo "FAIL $(verdict)"
	exit 1
}
# eq NAME GOT WANT: numeric comparison (hex or decimal), shows both values.
eq() {
	if [ -n "$2" ] && [ $(($2)) = $(($3)) ] 2>/dev/null; then
		pass "$1 ($2)"
	else
		fail "$1 (got '${2}', want $3)"
	fi
}
# gval LOG KEY: the value of "GUEST KEY=value" in a console log.
gval() {
	sed -n "s/^GUEST $2=//p" "$1" | tail -n 1
}
# sline PATTERN: the server's summary lines matching an ERE.
sline() {
	grep -aE "^SERVE: $1" "$SERVER_LOG" || true
}
# none_running ERE: no process has a command line matching ERE.
none_running() {
	! pgrep -f "$1" >/dev/null
}

[ "$(id -u)" = 0 ] || abort "setup: needs root (QEMU runs chrooted)"
"$TOP/devtools/vm/setup.sh" >/dev/null || abort "setup: devtools/vm/setup.sh failed"
TEST_APP=$BUILD/subprojects/dpdk/app/test/dpdk-test
[ -x "$TEST_APP" ] || abort "setup: no $TEST_APP (build first)"

t_start=$(date +%s.%N)
DPDK_TEST=vfio_user_serve_autotest VFIO_USER_TEST_SOCK=$SOCK VFIO_USER_TEST_CLIENTS=2 \
	timeout -k 5 110 "$TEST_APP" --no-huge -m 512 --no-pci --file-prefix="$PREFIX" \
	--log-level=lib.eal:warning </dev/null >"$SERVER_LOG" 2>&1 &
SPID=$!
for _ in $(seq 100); do
	[ -S "$SOCK" ] && break
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1
done
[ -S "$SOCK" ] || abort "server: no vfio-user socket (see $SERVER_LOG)"
pass "server: dpdk-test vfio_user_serve_autotest listening on $SOCK"

# The guest script; ROLE=1 for the first guest, 2 for the second.
guest_script() {
	cat <<GUEST
ROLE=$1 VENDOR=$VENDOR DEVICE=$DEVICE SHARED=$SHARED
SCRATCH1=$SCRATCH1 SCRATCH2=$SCRATCH2 WORD0=$WORD0 WORD1=$WORD1
GUEST
	cat <<'GUEST'
. /bin/harness-lib.sh
show() { echo "GUEST $1=$2"; }
# cfg N OFF: N (1, 2 or 4) bytes of the config space at OFF, as a number.
cfg() {
	local b v=0 i=0
	for b in $(od -A n -t u1 -j "$2" -N "$1" "$dev/config"); do
		v=$((v | b << (8 * i)))
		i=$((i + 1))
	done
	[ "$i" = "$1" ] && echo "$v"
}
hex() { printf '0x%x' "$1"; }

bdf=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = "$VENDOR" ] && [ "$(cat "$d/device")" = "$DEVICE" ]; then
		bdf=${d##*/}
	fi
done
harness_pci_list
[ -n "$bdf" ] || { echo "GUEST no device $VENDOR:$DEVICE"; exit 1; }
dev=/sys/bus/pci/devices/$bdf
show bdf "$bdf"
show vendor "$(cat "$dev/vendor")"
show device "$(cat "$dev/device")"
show class "$(cat "$dev/class")"
if [ -e "$dev/driver" ]; then
	show driver "$(basename "$(readlink "$dev/driver")")"
else
	show driver none
fi
i=0
while read -r start end flags; do
	size=0
	[ $((end)) = 0 ] || size=$((end - start + 1))
	show "bar$i" "start=$start size=$(hex "$size") flags=$flags"
	show "bar${i}_size" "$(hex "$size")"
	i=$((i + 1))
	[ "$i" -lt 6 ] || break
done <"$dev/resource"

# The capability list: status bit 4, pointer at 0x34, (ID, next) pairs.
caps=
if [ $(($(cfg 2 6) & 0x10)) != 0 ]; then
	p=$(($(cfg 1 0x34) & 0xfc))
	n=0
	while [ "$p" != 0 ] && [ "$n" -lt 48 ]; do
		id=$(cfg 1 "$p")
		caps="$caps $(hex "$p"):$(hex "$id")"
		if [ "$id" = 17 ]; then		# MSI-X
			ctl=$(cfg 2 $((p + 2)))
			tbl=$(cfg 4 $((p + 4)))
			pba=$(cfg 4 $((p + 8)))
			msix=$p
			show msix_cap "$(hex "$p")"
			show msix_table_size $(((ctl & 0x7ff) + 1))
			show msix_table "bir=$((tbl & 7)) off=$(hex $((tbl & ~7)))"
			show msix_pba "bir=$((pba & 7)) off=$(hex $((pba & ~7)))"
		fi
		p=$(($(cfg 1 $((p + 1))) & 0xfc))
		n=$((n + 1))
	done
fi
show caps "${caps# }"

# Memory decoding on (pci_enable_device), then BAR0 through /dev/mem.
echo 1 >"$dev/enable"
show command "$(hex "$(cfg 2 4)")"
bar0=$(harness_pci_bar "$bdf" 0)
show magic "$(devmem "$bar0" 32)"
show counter_a "$(devmem $((bar0 + 8)) 32)"
show counter_b "$(devmem $((bar0 + 8)) 32)"
if [ "$ROLE" = 1 ]; then
	show scratch_before "$(devmem $((bar0 + 4)) 32)"
	devmem $((bar0 + 4)) 32 "$SCRATCH1"
	show scratch "$(devmem $((bar0 + 4)) 32)"
	devmem $((bar0 + SHARED)) 32 "$WORD0"
	show shared0 "$(devmem $((bar0 + SHARED)) 32)"

	# MSI-X on and off through the config space (no driver owns the device):
	# the client turns that into SET_IRQS on the MSI-X index.
	ctl=$((${msix:-0} + 3))
	printf '\200' | dd of="$dev/config" bs=1 seek=$ctl count=1 conv=notrunc 2>/dev/null
	show msix_ctl_on "$(hex "$(cfg 1 $ctl)")"
	printf '\000' | dd of="$dev/config" bs=1 seek=$ctl count=1 conv=notrunc 2>/dev/null
	show msix_ctl_off "$(hex "$(cfg 1 $ctl)")"
else
	show scratch_before "$(devmem $((bar0 + 4)) 32)"
	devmem $((bar0 + 4)) 32 "$SCRATCH2"
	show scratch "$(devmem $((bar0 + 4)) 32)"
	show shared0 "$(devmem $((bar0 + SHARED)) 32)"
	devmem $((bar0 + SHARED + 4)) 32 "$WORD1"
	show shared1 "$(devmem $((bar0 + SHARED + 4)) 32)"
fi
echo 0 >"$dev/enable"
if [ "$ROLE" = 2 ]; then
	# vIOMMU domain changes: QEMU unmaps whole IOVA windows, maps anew
	types=
	for t in identity DMA; do
		echo "$t" >"$dev/iommu_group/type" || true
		types="$types,$(cat "$dev/iommu_group/type")"
	done
	show iommu_types "${types#,}"
fi
echo "GUEST done"
GUEST
}

# run_guest N: boot guest N on the socket (QEMU traces its BAR accesses).
run_guest() {
	local n=$1 t0 t1 rc=0
	local viommu=()
	guest_script "$n" >"$TMPD/guest$n.sh"
	# guest 2 sits behind a vIOMMU (QEMU's intel-iommu)
	[ "$n" != 2 ] || viommu=(--append intel_iommu=on
		--qemu-arg -device --qemu-arg intel-iommu,caching-mode=on)
	t0=$(date +%s.%N)
	"$TOP/devtools/vm/run-guest.sh" --name "vfio-user-qemu-$n-$$" --sock "$SOCK" \
		--timeout 40 --script "$TMPD/guest$n.sh" --log "$TMPD/console$n.log" \
		--qemu-arg -trace --qemu-arg vfio_user_region_rw \
		--qemu-arg -trace --qemu-arg 'vfio_region_sparse_mmap_entry' \
		--qemu-arg -trace --qemu-arg 'vfio_region_mmap' \
		--qemu-arg -D --qemu-arg "$TMPD/qemu$n.trace" "${viommu[@]}" \
		>/dev/null 2>"$TMPD/run-guest$n.err" &
	GPID=$!
	wait "$GPID" || rc=$?
	GPID=
	t1=$(date +%s.%N)
	check "guest $n: script finished with rc=0 and powered off ($(echo "$t1 $t0" |
		awk '{ printf "%.1f", $1 - $2 }') s, run-guest status $rc)" test "$rc" = 0
	grep -aq '^GUEST done' "$TMPD/console$n.log" || fail "guest $n: script did not complete"
}

# A guest's view of the device (both guests).
check_guest_view() {
	local n=$1 log=$TMPD/console$1.log
	eq "guest $n: vendor" "$(gval "$log" vendor)" "$VENDOR"
	eq "guest $n: device" "$(gval "$log" device)" "$DEVICE"
	eq "guest $n: class" "$(gval "$log" class)" "$CLASS"
	check "guest $n: no driver bound ($(gval "$log" driver))" test "$(gval "$log" driver)" = none
	eq "guest $n: BAR0 size" "$(gval "$log" bar0_size)" "$BAR0_SIZE"
	eq "guest $n: BAR1 absent" "$(gval "$log" bar1_size)" 0
	eq "guest $n: BAR2 (MSI-X) size" "$(gval "$log" bar2_size)" "$BAR2_SIZE"
	eq "guest $n: BAR0 memory (IORESOURCE_MEM)" $(($(sed -n 's/^GUEST bar0=.*flags=//p' "$log") & 0x200)) 0x200
	check "guest $n: capability list is MSI-X only ($(gval "$log" caps))" \
		test "$(gval "$log" caps)" = "$MSIX_CAP:0x11"
	eq "guest $n: MSI-X table size" "$(gval "$log" msix_table_size)" "$MSIX_VECTORS"
	check "guest $n: MSI-X table in BAR2 at 0 ($(gval "$log" msix_table))" \
		test "$(gval "$log" msix_table)" = "bir=2 off=0x0"
	check "guest $n: MSI-X PBA in BAR2 at 0x800 ($(gval "$log" msix_pba))" \
		test "$(gval "$log" msix_pba)" = "bir=2 off=0x800"
	eq "guest $n: memory decoding enabled" $(($(gval "$log" command) & 2)) 2
	eq "guest $n: BAR0 magic register" "$(gval "$log" magic)" "$MAGIC"
	eq "guest $n: BAR0 counter increments per read" \
		"$(gval "$log" counter_b)" $(($(gval "$log" counter_a) + 1))
	eq "guest $n: BAR0 scratch reads 0 after the reset" "$(gval "$log" scratch_before)" 0
}

# QEMU's view: BAR0's shared page mmapped, no REGION_READ/WRITE for it.
check_trace() {
	local n=$1 tr=$TMPD/qemu$1.trace hits sent seen
	[ -s "$tr" ] || { fail "qemu $n: no trace file"; return; }
	check "qemu $n: sparse mmap area of BAR0 offered (0x1000+0x1000)" \
		grep -aqE 'vfio_region_sparse_mmap_entry .*(0x1000.*0x1fff|0x1000.*0x1000)' "$tr"
	check "qemu $n: BAR0 shared page mmapped" grep -aqE 'vfio_region_mmap .*BAR 0' "$tr"
	# the shared page is [0x1000, 0x2000): offsets 0x1XXX
	hits=$(grep -acE 'vfio_user_region_rw +region 0 offset 0x1[0-9a-f]{3} ' "$tr" || true)
	check "qemu $n: no trapped access to the shared page ($hits)" test "$hits" = 0
	# every BAR0 access QEMU sent reached the device's callback
	sent=$(grep -acE 'vfio_user_region_rw +region 0 ' "$tr" || true)
	seen=$(sed -n "s/^SERVE: client $n bar0 reads \([0-9]*\) writes \([0-9]*\) .*/\1 + \2/p" "$SERVER_LOG")
	check "qemu $n: BAR0 REGION_READ/WRITE sent ($sent) = accesses the server saw ($seen)" \
		test "$sent" -gt 0 -a "$sent" = "$((${seen:-0}))"
}

run_guest 1
sleep 0.5
check "server: still running after guest 1" kill -0 "$SPID"
run_guest 2

# dpdk-test returns after the second client has gone.
src=
for _ in $(seq 100); do
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$SPID" 2>/dev/null; then
	fail "server: dpdk-test still running 10 s after guest 2"
else
	src=0
	wait "$SPID" || src=$?
	SPID=
	check "server: dpdk-test exited 0 on its own (status $src)" test "$src" = 0
fi
t_end=$(date +%s.%N)

check_guest_view 1
check_guest_view 2
G1=$TMPD/console1.log
G2=$TMPD/console2.log
eq "guest 1: BAR0 scratch reads back" "$(gval "$G1" scratch)" "$SCRATCH1"
eq "guest 1: shared page reads back" "$(gval "$G1" shared0)" "$WORD0"
eq "guest 1: MSI-X enable bit set in config" $(($(gval "$G1" msix_ctl_on) & 0x80)) 0x80
eq "guest 1: MSI-X enable bit cleared in config" $(($(gval "$G1" msix_ctl_off) & 0x80)) 0
eq "guest 2: BAR0 scratch reads back" "$(gval "$G2" scratch)" "$SCRATCH2"
eq "guest 2: shared page keeps guest 1's word" "$(gval "$G2" shared0)" "$WORD0"
check "guest 2: vIOMMU domain of the device changed to identity and back ($(gval "$G2" iommu_types))" \
	test "$(gval "$G2" iommu_types)" = "identity,DMA"
# QEMU unmaps whole IOVA windows then; kernel VFIO type1 semantics answer them
bad=$(grep -acE 'vfio_container_dma_(un)?map\(.*= -' "$G2" || true)
check "qemu 2: no failed DMA map/unmap in QEMU's log over the domain changes ($bad)" \
	test "$bad" = 0
eq "guest 2: shared page reads back" "$(gval "$G2" shared1)" "$WORD1"
check_trace 1
check_trace 2

# The server's record.
echo "server summary:"
sline '' | sed 's/^/    /'
check "server: 2 connections" test "$(sline 'connected [0-9]+$')" = "SERVE: connected 2"
check "server: 2 disconnections" test "$(sline 'disconnected [0-9]+$')" = "SERVE: disconnected 2"
for n in 1 2; do
	check "server: client $n mapped guest RAM with fds" \
		grep -aqE "^SERVE: client $n dma_map [1-9][0-9]* dma_map_fd [1-9]" "$SERVER_LOG"
	# QEMU's vfio-user-pci sets INTx (pin A) and ERR eventfds; it has no REQ
	check "server: client $n set INTx and ERR interrupts" \
		grep -aqE "^SERVE: client $n set_irqs intx [1-9][0-9]* msi 0 msix [0-9]+ err [1-9][0-9]* " "$SERVER_LOG"
	check "server: client $n sent DEVICE_RESET (VM reset)" \
		grep -aqE "^SERVE: client $n reset_device [1-9][0-9]* " "$SERVER_LOG"
	check "server: client $n reset on disconnect (LOST_CONN)" \
		grep -aqE "^SERVE: client $n reset_device [0-9]+ reset_lost_conn 1 " "$SERVER_LOG"
	check "server: client $n read the magic register" \
		grep -aqE "^SERVE: bar0 read client=$n off=0x0 len=4 val=$MAGIC$" "$SERVER_LOG"
	check "server: client $n read the counter twice" \
		test "$(grep -acE "^SERVE: bar0 read client=$n off=0x8 len=4 " "$SERVER_LOG")" = 2
done
sc1=$(printf '0x%x' $((SCRATCH1)))
sc2=$(printf '0x%x' $((SCRATCH2)))
check "server: guest 1 wrote $sc1 to the scratch register (off 0x4)" \
	grep -aqE "^SERVE: bar0 write client=1 off=0x4 len=4 val=$sc1$" "$SERVER_LOG"
check "server: guest 2 wrote $sc2 to the scratch register (off 0x4)" \
	grep -aqE "^SERVE: bar0 write client=2 off=0x4 len=4 val=$sc2$" "$SERVER_LOG"
check "server: exactly the guests' two BAR0 writes trapped" \
	test "$(grep -acE '^SERVE: bar0 write ' "$SERVER_LOG")" = 2
check "server: MSI-X index set by client 1 (guest enabled MSI-X)" \
	grep -aqE '^SERVE: client 1 set_irqs index=2 ' "$SERVER_LOG"
check "server: MSI-X index disabled again (count 0 on index 2 after enable)" \
	grep -aqE '^SERVE: client 1 set_irqs index=2 start=0 count=3 fds=0' "$SERVER_LOG"
w=$(sline 'mmap page ')
check "server: its mapping of the shared page holds guest 1's word ($w)" \
	test "$w" = "SERVE: mmap page mapped word0=$(printf '0x%08x' $((WORD0))) word1=$(printf '0x%08x' $((WORD1)))"
check "server: lock_dp contract kept" grep -aqx 'SERVE: lock_dp depth 0 errors 0 unlocked notifications 0' "$SERVER_LOG"
check "server: access log complete" grep -aqx 'SERVE: access log dropped 0' "$SERVER_LOG"

# Nothing left behind.
check "cleanup: socket removed" test ! -e "$SOCK"
check "cleanup: no QEMU of this test left" none_running "qemu-system-x86_64 -name vfio-user-qemu-[12]-$$ "
check "cleanup: no dpdk-test of this test left" none_running "file-prefix=$PREFIX"
total=$(echo "$t_end $t_start" | awk '{ printf "%.1f", $1 - $2 }')
check "time: server start to server exit ${total} s (< 100 s)" awk -v s="$total" 'BEGIN { exit !(s < 100) }'

if [ "$NFAIL" = 0 ]; then
	echo "PASS $(verdict)"
	exit 0
fi
for n in 1 2; do
	echo "console $n:" >&2
	grep -aE 'GUEST|HARNESS|vfio|BUG|error' "$TMPD/console$n.log" 2>/dev/null | tail -40 >&2 || true
	cat "$TMPD/run-guest$n.err" >&2 2>/dev/null || true
done
echo "FAIL $(verdict) ($NFAIL failed)"
exit 1
