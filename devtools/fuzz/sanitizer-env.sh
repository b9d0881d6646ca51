#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Sanitizer run-time options for the binaries of the sanitizer build
# (devtools/build-asan.sh): dpdk-test and the fuzz targets. Sourced by
# devtools/test.sh and devtools/fuzz/*.sh; source it to run them by hand:
#   . devtools/fuzz/sanitizer-env.sh
#
# Every report is fatal (ASan always; UBSan through halt_on_error, the
# checks stay recoverable so that ubsan.supp can apply) and symbolized
# with file:line. LeakSanitizer runs at exit with the suppressions of
# lsan.supp (DPDK's own code only, see there).

EMU_SAN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EMU_SYMBOLIZER=${EMU_SYMBOLIZER:-/usr/lib/llvm-14/bin/llvm-symbolizer}
export ASAN_SYMBOLIZER_PATH=$EMU_SYMBOLIZER
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:symbolize=1:external_symbolizer_path=$EMU_SYMBOLIZER:print_summary=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:report_error_type=1:symbolize=1:external_symbolizer_path=$EMU_SYMBOLIZER:suppressions=$EMU_SAN_DIR/ubsan.supp
export LSAN_OPTIONS=suppressions=$EMU_SAN_DIR/lsan.supp:print_suppressions=0:report_objects=0

# Executed instead of sourced: run the command given with this environment.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
	exec "$@"
fi
