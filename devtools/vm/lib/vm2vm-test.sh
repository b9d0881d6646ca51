# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# The PASS/FAIL bookkeeping of the tests built on devtools/vm/vm2vm.sh
# (sourced after it).  A test calls vt_begin NAME first; it may set
# VT_REPORTS (an extended regular expression) to echo the guests' VM2VM
# report lines with their checks, and define vt_extra_logs to name logs of
# its own when it fails.

# shellcheck source=devtools/vm/lib/vm-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm-common.sh"

# vt_begin NAME [DRIVER]: start counting; NAME, the guest driver (default
# iavf) and the guest kernel are printed with the verdict.
vt_begin() {
	VT_NAME=$1
	VT_DRIVER=${2:-iavf}
	NFAIL=0
	VM2VM_KEEP=${KEEP_LOGS:+1}
	T0=$(date +%s)
}

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; NFAIL=$((NFAIL + 1)); VM2VM_KEEP=1; }
check() {	# check NAME CMD...
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
elapsed() { echo "$(($(date +%s) - T0)) s"; }

# finish: "PASS NAME" (exit 0), or the logs to look at and "FAIL NAME"
# (exit 1).
finish() {
	local g
	if [ "$NFAIL" = 0 ]; then
		echo "PASS $VT_NAME [$(vm_guest_desc "$VT_DRIVER")] ($(elapsed))"
		exit 0
	fi
	[ -z "${VM2VM_TP_LOG:-}" ] || echo "testpmd log: $VM2VM_TP_LOG" >&2
	! declare -F vt_extra_logs >/dev/null || vt_extra_logs >&2
	for g in "${!VM2VM_GLOG[@]}"; do
		echo "console of $g: ${VM2VM_GLOG[$g]}" >&2
	done
	echo "FAIL $VT_NAME [$(vm_guest_desc "$VT_DRIVER")] ($NFAIL failed, $(elapsed))"
	exit 1
}
abort() {
	fail "$*"
	finish
}

# vt_forward QUEUES: the set-up of a two-guest test: root, the guest
# harness, a run directory and testpmd forwarding (io) between net_avfbe0
# and net_avfbe1 with QUEUES queues each; "abort" when one fails.
vt_forward() {
	local q=$1 c
	[ "$(id -u)" = 0 ] || abort "setup: needs root (QEMU runs chrooted)"
	"$VM_HERE/setup.sh" >/dev/null || abort "setup: devtools/vm/setup.sh failed"
	vm2vm_init "$BUILD" || abort "setup: no run directory"
	vm2vm_start_testpmd || abort "testpmd: did not start"
	if [ "$q" != 1 ]; then
		for c in "port stop all" "port config all rxq $q" \
			"port config all txq $q" "port start all"; do
			vm2vm_tp_cmd 20 "$c" >/dev/null || abort "testpmd: $c"
		done
	fi
	vm2vm_tp_cmd 10 start 'forwards packets' >/dev/null || abort "testpmd: start"
	pass "testpmd: io forwarding net_avfbe0 <-> net_avfbe1, $q queue(s) each"
}

# guest_checks NAME: PASS/FAIL lines for the guest's CHECK lines, then its
# VM2VM report lines that match VT_REPORTS.
guest_checks() {
	local line
	while read -r line; do
		case $line in
		"CHECK ok: "*) pass "$1: ${line#CHECK ok: }" ;;
		"CHECK FAIL: "*) fail "$1: ${line#CHECK FAIL: }" ;;
		esac
	done < <(grep -a '^CHECK ' "$(vm2vm_console "$1")" || true)
	[ -z "${VT_REPORTS:-}" ] ||
		grep -aE "^VM2VM $VT_REPORTS" "$(vm2vm_console "$1")" |
		sed "s/^VM2VM /  [$1] /" || true
}
