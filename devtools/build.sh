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

builddir=${1:-build}
cd "$EMU_TOP"
"$EMU_TOP/devtools/dpdk-tree.sh" >/dev/null

examples=$(/usr/bin/python3 devtools/dpdk_tree.py examples)
if [ ! -f "$builddir/build.ninja" ]; then
	log "configuring $builddir"
	setup_log=$(mktemp /tmp/emu-meson-setup.XXXXXX)
	meson setup "$builddir" >"$setup_log" 2>&1 ||
		{ tail -n 30 "$setup_log" >&2; die "meson setup failed (log above, full log: $setup_log)"; }
	mv "$setup_log" "$builddir/meson-setup.log"
elif [ "$(meson introspect --buildoptions "$builddir" 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "dpdk:examples"][0])')" != "$examples" ]; then
	# the subproject's options are only defaulted at the first setup
	meson configure "$builddir" -Ddpdk:examples="$examples" >/dev/null
fi
log "building $builddir"
if ! ninja -C "$builddir" >"$builddir/emu-build.log" 2>&1; then
	grep -E 'error|Error' "$builddir/emu-build.log" | head -n 30 >&2
	die "the build failed: see $builddir/emu-build.log"
fi
