#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Assemble subprojects/dpdk: the pristine DPDK source (Debian's 22.11,
# fetched by dpdk-source.sh, or the tree DPDK_SRC names) with this
# repository's files linked in at their DPDK paths and hooked into DPDK's
# meson, test and doc lists.
#
# usage: [DPDK_SRC=DIR] devtools/dpdk-tree.sh

set -e -o pipefail
. "$(dirname "$0")/lib/common.sh"

pristine=$("$EMU_TOP/devtools/dpdk-source.sh")
mkdir -p "$EMU_TOP/subprojects"
/usr/bin/python3 "$EMU_TOP/devtools/dpdk_tree.py" assemble "$pristine" "$EMU_TOP/subprojects/dpdk"
