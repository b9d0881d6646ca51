#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Unmount everything mounted under $EMU_CACHE/vm in the host's mount table.
# The harness scripts never leave mounts there (they bind /proc, /sys, /dev,
# /dev/pts, /dev/shm and /tmp in a private mount namespace per command); this
# cleans up after manual chroots or older tools.  Run it before deleting the
# cache by hand:  devtools/vm/umount.sh && rm -rf "$EMU_CACHE/vm"
#
# usage: devtools/vm/umount.sh      (as root)

set -e -o pipefail
. "$(dirname "$0")/lib/vm-common.sh"

need_root
mounts=$(vm_mounts_under "$VM_DIR")
if [ -z "$mounts" ]; then
	log "nothing mounted under $VM_DIR"
	exit 0
fi
vm_umount_under "$VM_DIR"
log "unmounted: $(echo "$mounts" | tr '\n' ' ')"
