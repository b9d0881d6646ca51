# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Shared helpers of the soak scripts (sourced, not executed).

# shellcheck source=devtools/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

# shellcheck disable=SC2034 # used by the scripts that source this file
{
# Limits every soak enforces.
SOAK_RSS_LIMIT_KIB=1024		# RSS growth must stay below 1 MiB
SOAK_FAILED=			# set by soak_fail: the soak broke a limit
}

# soak_fail MESSAGE: report a broken limit; the script exits non-zero at
# its end (after printing every figure).
soak_fail() {
	echo "FAILED: $*" >&2
	# shellcheck disable=SC2034 # read by the scripts
	SOAK_FAILED=1
}

# soak_build_check BUILD_DIR BINARY...: the binaries exist.
soak_build_check() {
	local build=$1 bin
	shift
	for bin in "$@"; do
		[ -x "$build/subprojects/dpdk/$bin" ] ||
			die "$build/subprojects/dpdk/$bin not found: build first (devtools/build.sh $build)"
	done
}

# soak_fd_count PID: open file descriptors of PID.
soak_fd_count() {
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

# soak_rss_kib PID: resident set size of PID in KiB.
soak_rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# soak_settle PID: wait until PID's fd count is the same for half a
# second (the server finishes cleaning up after a client), at most 5 s.
soak_settle() {
	local pid=$1 last=-1 same=0 n
	for _ in $(seq 50); do
		n=$(soak_fd_count "$pid")
		if [ "$n" = "$last" ]; then
			same=$((same + 1))
			[ "$same" -ge 5 ] && return 0
		else
			same=0
		fi
		last=$n
		sleep 0.1
	done
}

# soak_figure LOG PREFIX KEY: value of KEY=value on the last line of LOG
# that starts with PREFIX (empty when absent).
soak_figure() {
	grep -a "^$2" "$1" | grep -aoE "(^| )$3=[^ ]+" | tail -n 1 |
		sed 's/^ //; s/^[^=]*=//'
}

# soak_sum LOG PREFIX KEY: sum of KEY=value over the lines of LOG that
# start with PREFIX.
soak_sum() {
	grep -a "^$2" "$1" | grep -aoE "(^| )$3=[0-9]+" |
		sed 's/^ //; s/^[^=]*=//' | awk '{ s += $1 } END { print s + 0 }'
}

# soak_args USAGE DEFAULT "$@": parse [-b BUILD_DIR] [COUNT] into the
# globals soak_build (absolute) and soak_count; dies with USAGE otherwise.
soak_args() {
	local usage=$1 def=$2 opt OPTIND=1
	shift 2
	soak_build=build
	while getopts b: opt; do
		case $opt in
		b) soak_build=$OPTARG ;;
		*) die "usage: $usage" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -le 1 ] || die "usage: $usage"
	soak_count=${1:-$def}
	[[ $soak_count =~ ^[1-9][0-9]*$ ]] || die "usage: $usage"
	case $soak_build in /*) ;; *) soak_build=$EMU_TOP/$soak_build ;; esac
}

# shellcheck disable=SC2154 # tp_pid, tp_log, run: set by the script
# testpmd driven through a FIFO (fd 8) by a soak script. The script sets
# tp_pid (testpmd's pid), tp_log (its output) and run (its temporary
# directory) and installs the traps with soak_tp_traps.

# soak_tp_cleanup: stop testpmd if it still runs, remove the run directory.
soak_tp_cleanup() {
	if [ -n "$tp_pid" ] && kill -0 "$tp_pid" 2>/dev/null; then
		kill "$tp_pid" 2>/dev/null || true
		wait "$tp_pid" 2>/dev/null || true
	fi
	rm -rf "$run"
}

soak_tp_traps() {
	trap soak_tp_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# tp_alive: testpmd runs (not a zombie).
tp_alive() {
	kill -0 "$tp_pid" 2>/dev/null &&
		! grep -q '^State:[[:space:]]*[ZX]' "/proc/$tp_pid/status" 2>/dev/null
}

# tp_dead WHEN: testpmd is gone; say how, with the end of its log.
# shellcheck disable=SC2154 # tp_log: set by the script
tp_dead() {
	local rc=0
	wait "$tp_pid" 2>/dev/null || rc=$?
	tp_pid=
	tail -n 20 "$tp_log" | sed 's/^/    | /' >&2
	if [ "$rc" -gt 128 ]; then
		die "testpmd crashed $1 (signal $((rc - 128))); log: $tp_log"
	fi
	die "testpmd exited $1 (status $rc); log: $tp_log"
}

# tp_cmd CMD: send CMD to testpmd's prompt, wait (10 s) for the next one,
# print what testpmd answered.
tp_cmd() {
	local from
	from=$(($(stat -c %s "$tp_log") + 1))
	echo "$1" >&8
	for _ in $(seq 100); do
		tail -c "+$from" "$tp_log" | grep -aq 'testpmd> ' && break
		tp_alive || tp_dead "after \"$1\""
		sleep 0.1
	done
	tail -c "+$from" "$tp_log" | sed 's/testpmd> //g'
}

# tp_quit: quit testpmd (10 s at most); tp_rc gets its exit status.
# shellcheck disable=SC2034 # tp_rc: read by the script
tp_quit() {
	echo quit >&8
	for _ in $(seq 100); do
		tp_alive || break
		sleep 0.1
	done
	tp_alive && die "testpmd did not quit in 10 s: see $tp_log"
	tp_rc=0
	wait "$tp_pid" 2>/dev/null || tp_rc=$?
	tp_pid=
}
