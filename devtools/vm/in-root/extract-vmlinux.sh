#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Runs inside the harness root.  Writes the uncompressed ELF vmlinux held in a
# bzImage, so QEMU can boot it through its PVH entry point (no decompression
# in the guest, which is slow under TCG).  The x86 boot protocol header gives
# the payload: setup_sects @0x1f1, payload_offset @0x248, payload_length @0x24c
# (offset counted from the protected-mode code, after the setup sectors).
#
# usage: sh extract-vmlinux.sh BZIMAGE OUT

set -e
IN=$1
OUT=$2
[ -r "$IN" ] || { echo "extract-vmlinux: cannot read $IN" >&2; exit 1; }

u8() { od -A n -t u1 -j "$1" -N 1 "$IN" | tr -d ' '; }
u32() { od -A n -t u4 -j "$1" -N 4 "$IN" | tr -d ' '; }

setup_sects=$(u8 $((0x1f1)))
[ "$setup_sects" = 0 ] && setup_sects=4
off=$(( (setup_sects + 1) * 512 + $(u32 $((0x248))) ))
len=$(u32 $((0x24c)))
magic=$(od -A n -t x1 -j "$off" -N 4 "$IN" | tr -d ' ')

# The compressors append the uncompressed size (4 bytes) to the payload.
payload() { tail -c +$((off + 1)) "$IN" | head -c "$len"; }
case $magic in
28b52ffd) payload | head -c $((len - 4)) | zstd -dq -c >"$OUT.tmp" ;;
fd377a58) payload | xz -dc >"$OUT.tmp" 2>/dev/null || true ;;
1f8b*) payload | gzip -dc >"$OUT.tmp" 2>/dev/null || true ;;
*) echo "extract-vmlinux: unknown payload compression (magic $magic) in $IN" >&2; exit 1 ;;
esac
[ "$(od -A n -t x1 -N 4 "$OUT.tmp" | tr -d ' ')" = 7f454c46 ] ||
	{ echo "extract-vmlinux: the payload of $IN is not an ELF image" >&2; exit 1; }
mv "$OUT.tmp" "$OUT"
ls -l "$OUT"
