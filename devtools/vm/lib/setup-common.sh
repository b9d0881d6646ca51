# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# The frame of the setup scripts devtools/vm/setup.sh, setup-bookworm.sh and
# setup-dpdk.sh (sourced after vm-common.sh, not executed): one lock and
# one log per script, commands run with their output in that log, stage
# stamps inside the root, debootstrap of a minimal root.

# setup_begin NAME STAMP_DIR: as root, take devtools/vm/NAME.sh's lock (wait
# for another run to finish) and open its log $VM_DIR/NAME.log; stamps of
# the stages go to STAMP_DIR.  Sets LOG and SETUP_T0.
setup_begin() {
	SETUP_NAME=$1
	SETUP_STAMPS=$2
	need_root
	mkdir -p "$VM_DIR"
	LOG=$VM_DIR/$SETUP_NAME.log
	exec 8>"$VM_DIR/$SETUP_NAME.lock"
	if ! flock -n 8; then
		log "another $SETUP_NAME.sh is running, waiting for it"
		flock 8
	fi
	# Keep the verbose output of earlier runs (a cached run must not wipe
	# the log of the build), within reason.
	[ ! -f "$LOG" ] || [ "$(stat -c %s "$LOG")" -lt 10485760 ] ||
		mv -f "$LOG" "$LOG.old"
	echo "=== devtools/vm/$SETUP_NAME.sh $(date -u '+%F %T') UTC" >>"$LOG"
	SETUP_T0=$(date +%s)
}

# setup_cmd HINT DESCRIPTION CMD...: run CMD with its output in the log; on
# failure say what failed, where to look and HINT (what to do about it).
setup_cmd() {
	local hint=$1 what=$2
	shift 2
	echo "+ $*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 </dev/null ||
		die "$what failed (details in $LOG): $hint, then re-run devtools/vm/$SETUP_NAME.sh"
}

# run DESCRIPTION CMD...: setup_cmd for local work.  run_net: for commands
# that download.
run() {
	setup_cmd "fix the cause shown there" "$@"
}

run_net() {
	setup_cmd "check the network, apt proxy and Debian archive reachability" "$@"
}

# stamp_ok STAGE VALUE: STAGE was done for VALUE.  stamp_set: say it was.
stamp_ok() {
	[ -f "$SETUP_STAMPS/$1" ] && [ "$(cat "$SETUP_STAMPS/$1")" = "$2" ]
}

stamp_set() {
	mkdir -p "$SETUP_STAMPS"
	echo "$2" >"$SETUP_STAMPS/$1"
}

# setup_debootstrap SUITE ROOT: a minbase root of SUITE in ROOT, once (stamp
# "debootstrap").  A root without the stamp is a leftover of a failed run
# and starts again.
setup_debootstrap() {
	local suite=$1 root=$2

	stamp_ok debootstrap "$suite-minbase" && return 0
	if ! command -v debootstrap >/dev/null; then
		log "installing debootstrap on the host"
		run_net "apt-get update (host)" apt-get update -q
		run_net "apt-get install debootstrap (host)" apt-get install -y -q debootstrap
	fi
	need_space "$VM_DIR" 2048
	log "creating the Debian $suite root in $root (debootstrap, about a minute)"
	vm_safe_rm "$root"
	# In a private mount namespace: whatever debootstrap mounts dies with it.
	# No mirror argument: debootstrap's default archive is used.
	run_net "debootstrap --variant=minbase $suite" \
		unshare --mount --propagation private debootstrap --variant=minbase "$suite" "$root"
	stamp_set debootstrap "$suite-minbase"
}
