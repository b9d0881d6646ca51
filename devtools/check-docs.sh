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
mkdir -p "$out"
# Sphinx writes generated tables into its source directory: build a copy
# of doc/ (symlinks into this repository resolved) beside links to the
# rest of the tree, which the guides include files from.
mkdir -p "$out/src"
for entry in "$EMU_TOP"/subprojects/dpdk/*; do
	[ "$(basename "$entry")" = doc ] || ln -s "$entry" "$out/src/"
done
cp -rL "$EMU_TOP/subprojects/dpdk/doc" "$out/src/doc"
/usr/bin/python3 -m sphinx -b html -q -W --keep-going -j 1 "$out/src/doc/guides" "$out/html"
echo "guides built without warnings in $out/html"
