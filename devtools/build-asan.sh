#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the sanitizer configuration: the same DPDK subset and dpdk-test as
# devtools/build.sh, compiled by clang with AddressSanitizer and
# UndefinedBehaviorSanitizer, plus libFuzzer coverage (-Dfuzz=true) and the
# fuzz targets of devtools/fuzz, all in one build directory.
#
# usage: devtools/build-asan.sh [BUILD_DIR]      (default: build-asan)
# Binaries: BUILD_DIR/subprojects/dpdk/app/test/dpdk-test,
#           BUILD_DIR/devtools/fuzz/fuzz-<target>
# Run them with the environment of devtools/fuzz/sanitizer-env.sh.

set -e -o pipefail
. "$(dirname "$0")/lib/common.sh"

command -v ccache >/dev/null && command -v "$EMU_CLANG" >/dev/null ||
	die "$EMU_CLANG not found: install the Debian packages clang-14 libclang-rt-14-dev llvm-14 (devtools/test.sh does it as root)"
[ -e "$("$EMU_CLANG" -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a" ] ||
	die "the libFuzzer runtime is missing: install the Debian package libclang-rt-14-dev"

cd "$EMU_TOP"
"$EMU_TOP/devtools/dpdk-tree.sh" >/dev/null
# -O1 and line tables keep the build and the runs fast and the reports
# symbolized (file:line); frame pointers give full stacks. UBSan stays
# recoverable so that its runtime suppressions work; UBSAN_OPTIONS
# halt_on_error=1 (sanitizer-env.sh) makes every report fatal.
# dpdk-testpmd and the example are not needed here.
# ccache: meson only adds it by itself when CC is not set. Debug info
# records "." as compilation directory, so objects do not depend on the
# checkout's path and ccache may ignore it (CCACHE_NOHASHDIR).
export CCACHE_NOHASHDIR=1
CC="ccache $EMU_CLANG" emu_build "${1:-build-asan}" "" \
	-Dbuildtype=plain \
	-Dc_args="-O1 -gline-tables-only -fdebug-compilation-dir=. -fno-omit-frame-pointer" \
	-Db_sanitize=address,undefined -Db_lundef=false \
	-Ddpdk:disable_apps=test-pmd \
	-Dfuzz=true
