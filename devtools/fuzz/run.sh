#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Fuzz one target of the sanitizer build for a fixed time.
#
# usage: devtools/fuzz/run.sh TARGET [SECONDS] [LIBFUZZER_OPTION...]
#        devtools/fuzz/run.sh --seeds TARGET    (rewrite corpus/TARGET seeds)
#        devtools/fuzz/run.sh --list            (targets built)
#
# Inputs: the committed seeds in devtools/fuzz/corpus/TARGET plus what
# earlier runs found in out/fuzz/TARGET/corpus (not committed; libFuzzer
# adds new inputs there). A crash, leak, timeout or sanitizer report is
# written to devtools/fuzz/crashes/TARGET/ (commit it with the fix) and
# fails the run. The last line gives executions, exec/s and coverage.
# FUZZ_BUILD selects the build directory (default build-asan).

set -e -o pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$EMU_TOP/devtools/fuzz/sanitizer-env.sh"

FUZZ_DIR=$EMU_TOP/devtools/fuzz
BUILD=$EMU_TOP/${FUZZ_BUILD:-build-asan}

fuzz_bin() {
	local bin=$BUILD/devtools/fuzz/fuzz-$1
	[ -x "$bin" ] || die "$bin is missing: build it with devtools/build-asan.sh (targets: $(fuzz_targets))"
	echo "$bin"
}

fuzz_targets() {
	local f
	for f in "$BUILD"/devtools/fuzz/fuzz-*; do
		if [ -f "$f" ] && [ -x "$f" ]; then
			printf '%s ' "${f##*/fuzz-}"
		fi
	done
}

case ${1:-} in
--list)
	fuzz_targets; echo
	exit 0 ;;
--seeds)
	[ -n "${2:-}" ] || die "usage: devtools/fuzz/run.sh --seeds TARGET"
	bin=$(fuzz_bin "$2")
	mkdir -p "$FUZZ_DIR/corpus/$2"
	FUZZ_MAKE_SEEDS=$FUZZ_DIR/corpus/$2 "$bin"
	exit 0 ;;
""|-*)
	die "usage: devtools/fuzz/run.sh TARGET [SECONDS] [LIBFUZZER_OPTION...] (targets: $(fuzz_targets))" ;;
esac

target=$1
secs=${2:-60}
shift $(($# < 2 ? $# : 2))
bin=$(fuzz_bin "$target")
seeds=$FUZZ_DIR/corpus/$target
crashes=$FUZZ_DIR/crashes/$target
work=$EMU_TOP/out/fuzz/$target
[ -d "$seeds" ] || die "no seed corpus $seeds: create it with devtools/fuzz/run.sh --seeds $target"
mkdir -p "$crashes" "$work/corpus"
log="$work/fuzz.log"
before=$(ls "$crashes" | wc -l)

log "fuzzing $target for $secs s (log: $log)"
start=$SECONDS
set +e
# -timeout: one input may take a few socket round trips, never seconds.
"$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 \
	-max_len=16384 -use_value_profile=1 -print_final_stats=1 \
	-artifact_prefix="$crashes/" "$@" "$work/corpus" "$seeds" >"$log" 2>&1 &
pid=$!
wait $pid
rc=$?
elapsed=$((SECONDS - start))
set -e
# the EAL's runtime directory of that process
rm -rf "/var/run/dpdk/fuzz-$target-$pid" "/tmp/fuzz-$target-$pid-"*.sock

first_report() {
	awk '/runtime error|==ERROR|INVARIANT BROKEN|ERROR: libFuzzer/ { p = 1 }
		p { print } p && /^SUMMARY/ { exit }' "$1" | head -n 60
}

stat() { awk -v k="$1" '$1 == "stat::"k":" { print $2 }' "$log"; }
cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
echo "$target: $(stat number_of_executed_units) executions in $elapsed s," \
	"$(stat average_exec_per_sec) exec/s, ${cov:-cov: ?}," \
	"corpus $(ls "$work/corpus" | wc -l) + $(ls "$seeds" | wc -l) seeds," \
	"peak RSS $(stat peak_rss_mb) MB"
after=$(ls "$crashes" | wc -l)
if [ "$rc" != 0 ] || [ "$after" != "$before" ]; then
	first_report "$log"
	grep -E 'Test unit written' "$log" || true
	echo "$target: FAILED (libFuzzer status $rc); new reproducers in $crashes:"
	ls -t "$crashes" | head -n $((after - before))
	exit 1
fi
