#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run every committed input of a target once: the seed corpus
# (devtools/fuzz/corpus/TARGET) and every crash reproducer
# (devtools/fuzz/crashes/TARGET), each reproducer in its own process.
# Fails when any of them crashes or a sanitizer reports.
#
# usage: devtools/fuzz/replay.sh TARGET [INPUT...]   (default: all of them)
# FUZZ_BUILD selects the build directory (default build-asan).

set -e -o pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$EMU_TOP/devtools/fuzz/sanitizer-env.sh"

[ -n "${1:-}" ] || die "usage: devtools/fuzz/replay.sh TARGET [INPUT...]"
target=$1
shift
bin=$EMU_TOP/${FUZZ_BUILD:-build-asan}/devtools/fuzz/fuzz-$target
[ -x "$bin" ] || die "$bin is missing: build it with devtools/build-asan.sh"
seeds=$EMU_TOP/devtools/fuzz/corpus/$target
crashes=$EMU_TOP/devtools/fuzz/crashes/$target
work=$EMU_TOP/out/fuzz/$target
mkdir -p "$work"

# run_inputs LOG INPUT...: one process, each input once
run_inputs() {
	local out=$1 rc pid
	shift
	set +e
	"$bin" -timeout=20 -rss_limit_mb=4096 "$@" >"$out" 2>&1 &
	pid=$!
	wait $pid
	rc=$?
	set -e
	rm -rf "/var/run/dpdk/fuzz-$target-$pid" "/tmp/fuzz-$target-$pid-"*.sock
	return $rc
}

# first_report LOG: the first sanitizer report or broken invariant of LOG
first_report() {
	awk '/runtime error|==ERROR|INVARIANT BROKEN|ERROR: libFuzzer/ { p = 1 }
		p { print } p && /^SUMMARY/ { exit }' "$1" | head -n 60
}

failed=0
if [ $# -gt 0 ]; then
	inputs=("$@")
else
	shopt -s nullglob
	seed_files=("$seeds"/*)
	[ ${#seed_files[@]} -gt 0 ] || die "no seeds in $seeds: create them with devtools/fuzz/run.sh --seeds $target"
	if run_inputs "$work/replay-corpus.log" "${seed_files[@]}"; then
		echo "$target: ${#seed_files[@]} seed inputs pass"
	else
		echo "$target: the seed corpus fails (log: $work/replay-corpus.log):"
		first_report "$work/replay-corpus.log"
		failed=1
	fi
	inputs=("$crashes"/*)
fi
for f in "${inputs[@]}"; do
	[ -f "$f" ] || continue
	if run_inputs "$work/replay-one.log" "$f"; then
		echo "$target: $(basename "$f") passes"
	else
		echo "$target: $(basename "$f") FAILS:"
		first_report "$work/replay-one.log"
		failed=1
	fi
done
exit $failed
