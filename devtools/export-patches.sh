#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Write the patchset as a "git format-patch" series against the pristine
# DPDK tree (Debian's 22.11, or the one DPDK_SRC names): one patch per
# logical change (library, class, driver, PMD, example, tests, docs), in
# dependency order, plus a cover letter.
#
# usage: [DPDK_SRC=DIR] devtools/export-patches.sh [OUTDIR]    (default: out/patches)

set -e -o pipefail
. "$(dirname "$0")/lib/common.sh"

out=$(realpath -m "${1:-$EMU_TOP/out/patches}")
pristine=$("$EMU_TOP/devtools/dpdk-source.sh")
version=$(cat "$pristine/VERSION")
work=$EMU_TOP/out/export-tree

rm -rf "$work" "$out"
mkdir -p "$out"
cp -a "$pristine" "$work"
cd "$work"
rm -f .complete .debian-version .emu-pristine
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
GIT_AUTHOR_NAME=$(git -C "$EMU_TOP" config user.name || echo "DPDK device emulation")
GIT_AUTHOR_EMAIL=$(git -C "$EMU_TOP" config user.email || echo "emu@localhost")
GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME
GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
git init -q -b main .
git add -A
git commit -q -m "DPDK $version (pristine source)"
base=$(git rev-parse HEAD)

/usr/bin/python3 "$EMU_TOP/devtools/dpdk_tree.py" groups | while IFS=$'\t' read -r group subject; do
	/usr/bin/python3 "$EMU_TOP/devtools/dpdk_tree.py" apply "$pristine" "$work" "$group"
	rm -f .emu-hooked
	git add -A
	git commit -q -s -F - <<MSG
$subject

$(/usr/bin/python3 "$EMU_TOP/devtools/dpdk_tree.py" describe "$group")
MSG
done

count=$(git rev-list --count "$base"..HEAD)
if [ "$count" = 0 ]; then
	echo "0 patches: no part of the patchset is present"
	exit 0
fi
git format-patch -q --cover-letter -o "$out" "$base"..HEAD
/usr/bin/python3 - "$out"/0000-cover-letter.patch "$version" <<'PY'
import sys
path, version = sys.argv[1], sys.argv[2]
text = open(path).read()
text = text.replace('*** SUBJECT HERE ***', 'device emulation over vfio-user')
text = text.replace('*** BLURB HERE ***', (
    'This series lets a DPDK process serve emulated PCI devices to virtual\n'
    'machines over the vfio-user protocol (QEMU -device vfio-user-pci) and\n'
    'hands the guest traffic to DPDK applications through an ethdev.\n\n'
    'It applies to DPDK %s.' % version))
open(path, 'w').write(text)
PY
echo "$count patches in $out"
