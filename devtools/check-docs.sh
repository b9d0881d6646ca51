#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build DPDK's guides, the patchset's pages included, with Sphinx; any
# warning (bad reStructuredText, broken reference, page missing from a
# toctree) fails.
#
# usage: devtools/check-docs.sh [OUTDIR]    (default: out/docs)

set -e -o pipefail
. "$(dirname "$0")/lib/common.sh"

out=$(realpath -m "${1:-$EMU_TOP/out/docs}")
"$EMU_TOP/devtools/dpdk-tree.sh" >/dev/null
rm -rf "$out"
cd "$EMU_TOP/subprojects/dpdk"
/usr/bin/python3 -m sphinx -b html -q -W --keep-going -j 1 doc/guides "$out/html"
echo "guides built without warnings in $out/html"
