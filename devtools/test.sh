#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run every test of the project and end with "N passed, N failed".
# Sets up what is missing first (Debian packages, DPDK source, build, the
# guest root), so it works on a fresh Debian 12 machine as root.
#
# usage: devtools/test.sh [-k PATTERN]    (-k: only tests whose name matches)
# Logs: out/test-logs/<test>.log
# FUZZ_SECONDS: length of each fuzz-<target> run (default 60).
# DPDK_SRC=DIR: build and test on the pristine DPDK tree at DIR (22.11,
# 24.11 or 25.11) instead of Debian's 22.11. The builds a selected test
# needs (build, asan-build) run with any -k.

set -e -o pipefail
. "$(dirname "$0")/lib/common.sh"

filter=
while getopts k: opt; do
	case $opt in
	k) filter=$OPTARG ;;
	*) die "usage: devtools/test.sh [-k PATTERN]" ;;
	esac
done

need_root
need_space "$EMU_CACHE" 3000
install_host_packages

cd "$EMU_TOP"
LOGS=$EMU_TOP/out/test-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
passed=0
failed=0
failures=

# wanted NAME...: one of the NAMEs is selected by -k (or there is no -k).
wanted() {
	local name
	[ -z "$filter" ] && return 0
	for name in "$@"; do
		[[ $name =~ $filter ]] && return 0
	done
	return 1
}

# run_test [-f] NAME TIMEOUT CMD...: run one test (-f: even if -k does not
# select it), its output in $LOGS/NAME.log.
run_test() {
	local force=false name limit rc start
	if [ "$1" = -f ]; then
		force=true
		shift
	fi
	name=$1
	limit=$2
	shift 2
	if ! $force && ! wanted "$name"; then
		return 0
	fi
	start=$(date +%s)
	set +e
	timeout --kill-after=10 "$limit" "$@" >"$LOGS/$name.log" 2>&1
	rc=$?
	set -e
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		echo "PASS $name ($(($(date +%s) - start)) s)"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		case $rc in
		124|137) echo "FAIL $name: timed out after $limit s (log: $LOGS/$name.log)" ;;
		77) echo "FAIL $name: the test skipped itself (log: $LOGS/$name.log)" ;;
		*) echo "FAIL $name: exit status $rc (log: $LOGS/$name.log)" ;;
		esac
		tail -n 15 "$LOGS/$name.log" | sed 's/^/    | /'
	fi
}

# The build is a test too: it must succeed without warnings in our files.
build_test() {
	"$EMU_TOP/devtools/build.sh" build || return 1
	if grep -E '(lib/(vfio_user|emudev)|drivers/(emu|net/iavf_be)|examples/avf_emu_fwd|app/test/(test_(vfio_user|emudev|emu_iavf|emu_soak|avfbe)|avf_))[^:]*:[0-9]+:[0-9]+: warning' \
			build/emu-build.log; then
		echo "compiler warnings in the patchset's files (above)"
		return 1
	fi
}
export -f build_test
export EMU_TOP
# every other test needs it, on the DPDK tree of this run
run_test -f build 1800 bash -c build_test
[ -x build/subprojects/dpdk/app/test/dpdk-test ] || {
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
}

# dpdk-test suites of the patchset (fast_tests entries, see devtools/dpdk_tree.py).
for t in $(/usr/bin/python3 devtools/dpdk_tree.py tests); do
	run_test "$t" 600 env DPDK_TEST="$t" build/subprojects/dpdk/app/test/dpdk-test \
		--no-huge -m 512 --no-pci --file-prefix="emu-$t" --log-level=lib.eal:warning
done

# The checksum loops of net_avfbe: AVX2 where the CPU has it (above), the
# SSE one when the EAL caps vectors at 128 bits.
run_test avfbe_autotest@simd128 600 env DPDK_TEST=avfbe_autotest \
	build/subprojects/dpdk/app/test/dpdk-test --no-huge -m 512 --no-pci \
	--force-max-simd-bitwidth=128 --file-prefix=emu-avfbe-simd128 \
	--log-level=lib.eal:warning

# Performance suites print figures (see devtools/bench); here they run
# briefly for their correctness checks only.
for t in $(/usr/bin/python3 devtools/dpdk_tree.py perf-tests); do
	run_test "$t" 600 env DPDK_TEST="$t" AVFBE_PERF_MS=300 \
		build/subprojects/dpdk/app/test/dpdk-test -l 0-1 \
		--no-huge -m 1024 --no-pci --file-prefix="emu-$t" --log-level=lib.eal:warning
done

# The side-by-side benchmark (devtools/bench/compare.sh) in its short
# form: instructions per packet of net_avfbe and net_vhost (callgrind,
# 5000 packets a case), so that the scripts keep measuring what they say.
# The figures are printed, never asserted.
run_test bench-callgrind 1200 devtools/bench/compare.sh --no-throughput -p 5000

# Soaks (devtools/soak) print figures; here they run in their short form:
# client processes SIGKILLed at random points of their life against
# testpmd, resets under traffic, and net_avfbe ports hot-plugged into
# testpmd; no crash, no fd or memory growth.
run_test soak-vfio-user-kill 300 devtools/soak/vfio-user-kill.sh 20
run_test soak-reset-under-traffic 300 devtools/soak/reset-under-traffic.sh 30
run_test soak-hotplug 300 devtools/soak/hotplug.sh 50

# The sanitizer build (devtools/build-asan.sh: clang, ASan + UBSan, libFuzzer
# coverage): every dpdk-test suite of the patchset again, then per fuzz target
# the committed inputs (seeds and crash reproducers) and a short fuzzing run.
# Any sanitizer report fails the test (devtools/fuzz/sanitizer-env.sh).
asan_build_test() {
	"$EMU_TOP/devtools/build-asan.sh" build-asan || return 1
	if grep -E '(lib/(vfio_user|emudev)|drivers/(emu|net/iavf_be)|app/test/(test_(vfio_user|emudev|emu_iavf|emu_soak|avfbe)|avf_)|devtools/fuzz/)[^:]*:[0-9]+:[0-9]+: warning' \
			build-asan/emu-build.log; then
		echo "clang warnings in the patchset's files (above)"
		return 1
	fi
}
export -f asan_build_test
asan_tests=asan-build
for t in $(/usr/bin/python3 devtools/dpdk_tree.py tests) $(/usr/bin/python3 devtools/dpdk_tree.py perf-tests) emu_soak_reset; do
	asan_tests="$asan_tests asan-$t"
done
for t in devtools/fuzz/fuzz_*.c; do
	t=${t#devtools/fuzz/fuzz_}
	t=${t%.c}
	[ "$t" = common ] || asan_tests="$asan_tests fuzz-replay-$t fuzz-$t"
done
# shellcheck disable=SC2086
if wanted $asan_tests; then
	run_test -f asan-build 3600 bash -c asan_build_test
fi
san=devtools/fuzz/sanitizer-env.sh
if [ -x build-asan/subprojects/dpdk/app/test/dpdk-test ]; then
	for t in $(/usr/bin/python3 devtools/dpdk_tree.py tests); do
		run_test "asan-$t" 900 $san env DPDK_TEST="$t" \
			build-asan/subprojects/dpdk/app/test/dpdk-test --no-huge -m 512 \
			--no-pci --file-prefix="asan-$t" --log-level=lib.eal:warning
	done
	for t in $(/usr/bin/python3 devtools/dpdk_tree.py perf-tests); do
		run_test "asan-$t" 900 $san env DPDK_TEST="$t" AVFBE_PERF_MS=300 \
			build-asan/subprojects/dpdk/app/test/dpdk-test -l 0-1 \
			--no-huge -m 1024 --no-pci --file-prefix="asan-$t" \
			--log-level=lib.eal:warning
	done
	# resets under traffic, where a use-after-free would show
	run_test asan-emu_soak_reset 900 $san env DPDK_TEST=emu_soak_reset_autotest \
		EMU_SOAK_RESETS=30 build-asan/subprojects/dpdk/app/test/dpdk-test \
		--lcores '0@(0-1),1@(0-1)' --no-huge -m 512 --no-pci \
		--file-prefix=asan-emu_soak_reset --log-level=lib.eal:warning
	for t in $(devtools/fuzz/run.sh --list); do
		run_test "fuzz-replay-$t" 600 devtools/fuzz/replay.sh "$t"
		run_test "fuzz-$t" 300 devtools/fuzz/run.sh "$t" "${FUZZ_SECONDS:-60}"
	done
fi

# Real guests: the harness smoke test, then every end-to-end test script.
# The bookworm root (Debian's own DPDK and Open vSwitch with DPDK) and the
# plugin package are set up first, for tests/debian-testpmd.sh and
# tests/ovs-dpdk.sh.  A script whose "# vm-test-kernels:" line says "all"
# runs once per guest kernel (devtools/vm/setup.sh): trixie's 6.12 under
# its own name, trixie-backports' 7.x as NAME@backports.
if [ -x devtools/vm/smoke-test.sh ]; then
	VM_KERNELS=$(. devtools/vm/lib/vm-common.sh && echo "$VM_KERNELS")
	run_test vm-setup 1800 devtools/vm/setup.sh
	for k in $VM_KERNELS; do
		run_test "vm-smoke$([ "$k" = trixie ] || echo "@$k")" 300 \
			env VM_KERNEL="$k" devtools/vm/smoke-test.sh
	done
	run_test vm-setup-bookworm 1800 devtools/vm/setup-bookworm.sh
	run_test deb-build 900 devtools/deb/build.sh --install
	for t in devtools/vm/tests/*.sh; do
		[ -e "$t" ] || continue
		kernels=$(sed -n 's/^# vm-test-kernels: \([a-z]*\).*/\1/p' "$t")
		[ "$kernels" != all ] || kernels=$VM_KERNELS
		for k in ${kernels:-trixie}; do
			run_test "$(basename "$t" .sh)$([ "$k" = trixie ] || echo "@$k")" 1200 \
				env VM_KERNEL="$k" "$t"
		done
	done
fi

# The guides, the patchset's pages included, build without warnings.
run_test docs 600 devtools/check-docs.sh

# The patch series: exported, applied to a pristine tree, built.
run_test patch-series 1800 devtools/check-patches.sh

echo
[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
