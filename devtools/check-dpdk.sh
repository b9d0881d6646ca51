#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run DPDK's own checks on the exported series, with the scripts of the
# DPDK tree it is exported against (Debian's 22.11, or the tree DPDK_SRC
# names): checkpatches.sh, check-git-log.sh, check-symbol-maps.sh (releases
# with version.map files), check-symbols.sh on the libraries of BUILD_DIR,
# check-meson.py, check-doc-vs-code.sh, check-maintainers.sh,
# check-dup-includes.sh and check-spdx-tag.sh (their findings in the
# patchset's files). The guides are built by devtools/check-docs.sh.
#
# checkpatches.sh needs the Linux kernel's scripts/checkpatch.pl: set
# DPDK_CHECKPATCH_PATH (Debian ships it in the linux-source-6.1 package,
# inside /usr/src/linux-source-6.1.tar.xz); without it that check is
# skipped and said so. codespell (Debian package) is used when installed.
#
# usage: [DPDK_SRC=DIR] [DPDK_CHECKPATCH_PATH=FILE] devtools/check-dpdk.sh [BUILD_DIR]
# BUILD_DIR (default build) must be built on the same DPDK tree
# (devtools/build.sh); without it check-symbols.sh is skipped.

set -e -o pipefail
. "$(dirname "$0")/lib/common.sh"

builddir=$(realpath -m "${1:-$EMU_TOP/build}")
patches=$EMU_TOP/out/patches
"$EMU_TOP/devtools/export-patches.sh" "$patches" >/dev/null
pristine=$("$EMU_TOP/devtools/dpdk-source.sh")
tree=$EMU_TOP/out/export-tree
cd "$tree"
base=$(git rev-list --max-parents=0 HEAD)
version=$(cat VERSION)
logs=$EMU_TOP/out/check-dpdk
rm -rf "$logs"
mkdir -p "$logs"
# the patchset's files in the tree, those it adds
ours=$(git diff --name-only "$base" HEAD)
added=$(git diff --name-only --diff-filter=A "$base" HEAD)
passed=0
failed=0
skipped=

# check NAME CMD...: run CMD in the export tree, its output in $logs/NAME.log
check() {
	local name=$1
	shift
	if "$@" >"$logs/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "PASS $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name (log: $logs/$name.log)"
		sed 's/^/    | /' "$logs/$name.log" | head -n 40
	fi
}

# only_ours FILES CMD...: CMD's output lines that name one of FILES (a
# list); fails when there is one (for checks that look at the whole tree)
only_ours() {
	local files=$1 out f found=0
	shift
	out=$("$@" 2>&1) || true
	for f in $files; do
		if grep -F -- "$f" <<<"$out"; then
			found=1
		fi
	done
	[ $found = 0 ]
}

patch_files=()
for p in "$patches"/0*.patch; do
	case $p in */0000-cover-letter.patch) ;; *) patch_files+=("$p") ;; esac
done

if [ -x "${DPDK_CHECKPATCH_PATH:-}" ]; then
	export DPDK_CHECKPATCH_PATH
	# Debian's python3 has codespell_lib, which checkpatch.pl looks for
	check checkpatches env PATH=/usr/bin:$PATH devtools/checkpatches.sh "${patch_files[@]}"
else
	skipped="$skipped checkpatches(no DPDK_CHECKPATCH_PATH)"
fi
# check-git-log.sh less what depends on who exports the series: the length
# of the Signed-off-by line and the .mailmap entry (a first contribution
# adds its author to .mailmap)
git_log() {
	local out
	out=$(devtools/check-git-log.sh -r "$base..HEAD") && return 0
	out=$(awk '
		/^[^\t].*:[ ]*$/ { head = $0; next }
		/^\t/ {
			if (head ~ /^Line too long/ && $0 ~ /^\tSigned-off-by:/)
				next
			if (head ~ /^Contributor name\/email mismatch/)
				next
			if (head != "") { print head; head = "" }
			print
		}' <<<"$out")
	echo "$out"
	[ -z "$out" ]
}
check git-log git_log

maps=$(git diff --name-only "$base" HEAD -- '*.map')
if [ -x devtools/check-symbol-maps.sh ] && [ -n "$maps" ]; then
	# shellcheck disable=SC2086
	check symbol-maps devtools/check-symbol-maps.sh $maps
fi

# check-symbols.sh: the symbols the libraries export as experimental or
# internal are the ones their map lists (version.map or, from 25.07, the
# map the build generates from the sources' annotations)
symbols() {
	local ret=0 name dir lib map
	for name in lib/vfio_user lib/emudev drivers/emu/iavf; do
		dir=$builddir/subprojects/dpdk
		case $name in
		lib/*) lib=$dir/lib/librte_${name#lib/}.a ;;
		drivers/*/*) lib=$dir/drivers/librte_$(basename "$(dirname "$name")")_$(basename "$name").a ;;
		esac
		if [ -f "$name/version.map" ]; then
			map=$name/version.map
		else
			map=$(find "$dir/$(dirname "$name")" -maxdepth 1 -name "*$(basename "$name")_exports.map" | head -n 1)
		fi
		echo "$name: $map $lib"
		buildtools/check-symbols.sh "$map" "$lib" || ret=1
	done
	return $ret
}
if [ "$(cat "$builddir/.emu-pristine" 2>/dev/null)" = "$pristine" ]; then
	check symbols symbols
else
	skipped="$skipped symbols($builddir not built on $pristine)"
fi

meson_dirs=$(git diff --name-only "$base" HEAD -- '*meson.build' | xargs -n 1 dirname | sort -u)
# shellcheck disable=SC2086
check meson bash -c 'ret=0; for d in "$@"; do out=$(/usr/bin/python3 devtools/check-meson.py -d "$d"); [ -z "$out" ] || { echo "$out"; ret=1; }; done; exit $ret' - $meson_dirs
check doc-vs-code devtools/check-doc-vs-code.sh "$base"
# files without maintainer: those the patchset adds (DPDK's own lists,
# such as lib/meson.build, have none in some releases)
check maintainers only_ours "$added" devtools/check-maintainers.sh
check dup-includes only_ours "$ours" devtools/check-dup-includes.sh .
check spdx-tag only_ours "$ours" devtools/check-spdx-tag.sh

echo
[ -z "$skipped" ] || echo "skipped:$skipped"
echo "DPDK $version: $passed passed, $failed failed"
[ "$failed" = 0 ]
