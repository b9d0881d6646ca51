#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vm-test-kernels: all (Linux iavf guests: run on every guest kernel)
#
# The plugin package with Debian's own DPDK: builds dpdk-emu-avf_*.deb
# (devtools/deb/build.sh), installs it into the bookworm root
# (devtools/vm/setup-bookworm.sh) and runs Debian's dpdk-testpmd (package
# dpdk-dev) there, with no -d: the EAL loads librte_emu_iavf and
# librte_net_iavf_be from /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0.  Two QEMU
# 11 guests (Linux iavf) on the two ports ping each other and move 64 MiB of
# TCP data each way, MD5 checked at both ends, through testpmd's io
# forwarding.
#
# usage: devtools/vm/tests/debian-testpmd.sh [--mib N]
#        (as root; KEEP_LOGS=1 keeps the logs)
#
# Prints one "PASS <check>" or "FAIL <check>" line per check, then
# "PASS debian-testpmd" (exit 0) or "FAIL debian-testpmd" (exit 1).

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
vm_args "mib=MIB" "$@"
[[ $MIB =~ ^[1-9][0-9]*$ ]] || { echo "--mib: a number of MiB, not '$MIB'" >&2; exit 2; }

vt_begin debian-testpmd
VT_REPORTS='(PING .*transmitted|XFER .* bytes in|STATS)'
PMDDIR=/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0



[ "$(id -u)" = 0 ] || abort "setup: needs root (the roots are chrooted into)"
"$TOP/devtools/vm/setup.sh" >/dev/null ||
	abort "setup: devtools/vm/setup.sh (the guests' trixie root) failed: run it to see why"
deb=$("$TOP/devtools/deb/build.sh" --install 2>/dev/null | tail -n 1)
check "package: $(basename "${deb:-none}") built by dpkg-buildpackage against Debian's libdpdk-dev and installed in the bookworm root" \
	test -f "$deb" || abort "package: run devtools/deb/build.sh --install to see why it failed"
ver=$(bw_chroot dpkg-query -W -f='${Version}' librte-ethdev23)
dep=$(dpkg-deb -f "$deb" Depends)
check "package: pinned to Debian's DPDK librte-ethdev23 (= $ver)" \
	grep -qF "librte-ethdev23 (= $ver)" <<<"$dep"
check "package: drivers in $PMDDIR (the directory Debian's EAL scans)" \
	test -f "$BW_ROOT$PMDDIR/librte_net_iavf_be.so.23.0" -a -f "$BW_ROOT$PMDDIR/librte_emu_iavf.so.23.0"
check "package: libraries in the multiarch libdir" \
	test -f "$BW_ROOT/usr/lib/x86_64-linux-gnu/librte_vfio_user.so.23.0" \
	-a -f "$BW_ROOT/usr/lib/x86_64-linux-gnu/librte_emudev.so.23.0"

# Debian's testpmd, nothing passed with -d.
VM2VM_TP_WRAP=("${BW_NS[@]}" chroot "$BW_ROOT")
VM2VM_TP_BIN=/usr/bin/dpdk-testpmd
vm2vm_init build || abort "setup: no run directory"
vm2vm_start_testpmd || abort "Debian's dpdk-testpmd: did not start with net_avfbe0 (path=), emu_iavf1 and net_avfbe1 from the plugins"
vm2vm_tp_cmd 10 start 'forwards packets' >/dev/null || abort "testpmd: start"
check "Debian's dpdk-testpmd (dpdk-dev $(bw_chroot dpkg-query -W -f='${Version}' dpdk-dev)), no -d: ports net_avfbe0 and net_avfbe1 from the installed .deb" \
	sh -c '! printf "%s\n" "$@" | grep -qE "^-d" && [ -S "$0" ]' "$(vm2vm_sock 0)" "${VM2VM_TP_ARGS[@]}"
maps=$(cat "/proc/$VM2VM_TP_PID/maps" 2>/dev/null)
check "testpmd mapped the plugins from the package's PMD directory" \
	grep -q "$PMDDIR/librte_net_iavf_be.so.23.0" <<<"$maps"

s0=$(vm2vm_guest_script vm0 10.0.0.1 10.0.0.2 "$GS/vm2vm-server.sh" "VM2VM_MIB=$MIB")
s1=$(vm2vm_guest_script vm1 10.0.0.2 10.0.0.1 "$GS/vm2vm-client.sh" \
	VM2VM_PHASE=again "VM2VM_MIB=$MIB" VM2VM_QUIT=1)
vm2vm_start_guest vm0 0 "$s0" 500 --append no_timer_check
vm2vm_start_guest vm1 1 "$s1" 500 --append no_timer_check
rc1=0
vm2vm_wait_guest vm1 520 || rc1=$?
rc0=0
vm2vm_wait_guest vm0 60 || rc0=$?
guest_checks vm1
guest_checks vm0
check "vm1: guest script passed (run-guest status $rc1)" test "$rc1" = 0
check "vm0: guest script passed (run-guest status $rc0)" test "$rc0" = 0
check "vm1: 64 MiB each way, MD5 matched at both ends, through Debian's testpmd" \
	test "$(grep -ac '^CHECK ok: again: TCP .*sizes and MD5 match' "$(vm2vm_console vm1)")" = 2
check "Debian's testpmd still running" vm2vm_tp_alive
stats=$(vm2vm_port_stats)
printf '%s\n' "$stats" | grep -E 'statistics for port|RX-packets|TX-packets' | sed 's/^/  /'
mapfile -t rxp < <(echo "$stats" | sed -n 's/.*RX-packets: *\([0-9]*\).*/\1/p')
check "port stats: both ports received and sent (${rxp[0]:-?} and ${rxp[1]:-?} packets received)" \
	test "${rxp[0]:-0}" -gt 1000 -a "${rxp[1]:-0}" -gt 1000
vm2vm_stop_testpmd
check "Debian's testpmd: quit cleanly" grep -aq 'Bye' "$VM2VM_TP_LOG"
finish
