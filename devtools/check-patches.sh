#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Check the exported series: it applies with "git am" to a fresh copy of the
# pristine DPDK tree, the result equals the assembled tree, and it builds.
#
# usage: [DPDK_SRC=DIR] devtools/check-patches.sh [PATCHDIR]   (default: export a new series)
# DPDK_SRC: the pristine tree to apply to (and export from), as for every
# script; default Debian's 22.11.

set -e -o pipefail
. "$(dirname "$0")/lib/common.sh"

patches=${1:-}
if [ -z "$patches" ]; then
	patches=$EMU_TOP/out/patches
	"$EMU_TOP/devtools/export-patches.sh" "$patches"
fi
patches=$(realpath "$patches")
pristine=$("$EMU_TOP/devtools/dpdk-source.sh")

# Same layout as the repository (meson.build + subprojects/dpdk) so that the
# build shares ccache objects with the main build.
check=$EMU_TOP/out/patch-check
rm -rf "$check"
mkdir -p "$check/subprojects"
cp "$EMU_TOP/meson.build" "$EMU_TOP/meson_options.txt" "$check/"
cp -a "$pristine" "$check/subprojects/dpdk"
cd "$check/subprojects/dpdk"
rm -f .complete .debian-version
git init -q -b main .
git add -A
git -c user.name=check -c user.email=check@localhost commit -q -m base
shopt -s nullglob
series=("$patches"/0[0-9][0-9][0-9]-*.patch)
for p in "${series[@]}"; do
	case $p in */0000-cover-letter.patch) continue ;; esac
	git -c user.name=check -c user.email=check@localhost am -q "$p" ||
		die "$(basename "$p") does not apply to pristine DPDK $(cat VERSION)"
	echo "applied $(basename "$p")"
done

# The series must reproduce exactly what the assembled tree holds.
"$EMU_TOP/devtools/dpdk-tree.sh" >/dev/null
if ! diff -r -q -x .git -x .emu-pristine -x .emu-hooked -x .complete -x .debian-version \
		"$EMU_TOP/subprojects/dpdk" "$check/subprojects/dpdk"; then
	die "the series differs from subprojects/dpdk (listed above): re-run devtools/dpdk-tree.sh or fix devtools/dpdk_tree.py"
fi

cd "$check"
meson setup build >setup.log 2>&1 || { tail -n 20 setup.log; die "meson setup of the patched tree failed"; }
ninja -C build >build.log 2>&1 || { grep -E 'error' build.log | head -n 20; die "the patched tree does not build (out/patch-check/build.log)"; }
for bin in app/dpdk-testpmd app/test/dpdk-test; do
	[ -x "build/subprojects/dpdk/$bin" ] || die "the patched tree built no $bin"
done
echo "series of ${#series[@]} files applies to DPDK $(cat subprojects/dpdk/VERSION) and builds"
