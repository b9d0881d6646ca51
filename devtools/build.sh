#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Fetch DPDK 22.11 (if needed), assemble subprojects/dpdk and build it with
# the patchset: libraries, drivers, dpdk-testpmd, dpdk-test, the example.
#
# usage: devtools/build.sh [BUILD_DIR]      (default: build)
# The compiler output is kept in BUILD_DIR/emu-build.log.

set -e -o pipefail
. "$(dirname "$0")/lib/common.sh"

cd "$EMU_TOP"
"$EMU_TOP/devtools/dpdk-tree.sh" >/dev/null
emu_build "${1:-build}" "$(/usr/bin/python3 devtools/dpdk_tree.py examples)"
