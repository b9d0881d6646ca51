#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Boot one harness guest (QEMU 11 from the harness root, TCG, q35, the trixie
# kernel with iavf) with a vfio-user-pci device per --sock, run a script in it
# and report the script's exit status.  See devtools/vm/README.md.
#
# usage: devtools/vm/run-guest.sh [--sock PATH]... [--script FILE] [--timeout SEC]
#        [--mem MIB] [--append ARGS] [--log FILE] [--name NAME] [--qemu-arg ARG]...
#        [--initrd-extra CPIO]...
#
# The serial console goes to stdout (and to FILE with --log), carriage
# returns removed.  Exit status: the script's; 124 if the guest did not power
# off within the timeout; 125 if the guest never printed HARNESS-RESULT.
# Needs root and a done devtools/vm/setup.sh.

set -e -o pipefail
. "$(dirname "$0")/lib/vm-common.sh"

usage() {
	sed -n 's/^# usage: //p; s/^#        /        /p' "$0"
	exit 0
}

fail() {
	echo "run-guest[$NAME]: error: $*" >&2
	exit 125
}

SOCKS=()
QEMU_ARGS=()
SCRIPT=
EXTRA_CPIO=()
TIMEOUT=120
MEM=512
APPEND=
LOG=
NAME=guest-$$
while [ $# -gt 0 ]; do
	opt=${1%%=*}
	case $opt in
	--help | -h) usage ;;
	--sock | --script | --timeout | --mem | --append | --log | --name | --qemu-arg | \
	--initrd-extra) ;;
	*) fail "unknown argument '$1' (see --help)" ;;
	esac
	if [ "$opt" != "$1" ]; then
		val=${1#*=}
		shift
	else
		[ $# -ge 2 ] || fail "option $opt needs a value"
		val=$2
		shift 2
	fi
	case $opt in
	--sock) SOCKS+=("$val") ;;
	--script) SCRIPT=$val ;;
	--timeout) TIMEOUT=$val ;;
	--mem) MEM=$val ;;
	--append) APPEND="$APPEND $val" ;;
	--log) LOG=$val ;;
	--name) NAME=$val ;;
	--qemu-arg) QEMU_ARGS+=("$val") ;;
	--initrd-extra) EXTRA_CPIO+=("$val") ;;
	esac
done

[[ $NAME =~ ^[A-Za-z0-9._-]{1,40}$ ]] || { NAME=guest-$$; fail "--name: use 1-40 letters, digits, '.', '_' or '-'"; }
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || fail "--timeout: a number of seconds is needed, not '$TIMEOUT'"
if ! [[ $MEM =~ ^[1-9][0-9]*$ ]] || [ "$MEM" -lt 128 ]; then
	fail "--mem: a size in MiB (at least 128) is needed, not '$MEM'"
fi
[ "$(id -u)" = 0 ] || fail "run-guest.sh needs root (it chroots into the harness root): re-run it as root, e.g. with sudo"
if [ -n "$SCRIPT" ] && ! { [ -f "$SCRIPT" ] && [ -r "$SCRIPT" ]; }; then
	fail "--script: cannot read the file '$SCRIPT'"
fi
for c in "${EXTRA_CPIO[@]}"; do
	if ! [ -f "$c" ] || ! [ -r "$c" ]; then
		fail "--initrd-extra: cannot read the file '$c'"
	fi
done
if [ -n "$LOG" ]; then
	: >"$LOG" 2>/dev/null || fail "--log: cannot write '$LOG'"
fi

# QEMU runs chrooted in the harness root, which shares only /tmp with the host.
DEVICES=()
for s in "${SOCKS[@]}"; do
	p=$(realpath -m -- "$s")
	case $p in
	/tmp/?*) ;;
	*) fail "--sock $s: the socket must be under /tmp (QEMU runs in a chroot that shares only /tmp with the host)" ;;
	esac
	[[ $p =~ [\"\\[:cntrl:]] ]] && fail "--sock $s: quotes, backslashes and control characters are not allowed in the path"
	[ -S "$p" ] || fail "--sock $s: no socket there: start the vfio-user server first"
	DEVICES+=(-device "{\"driver\":\"vfio-user-pci\",\"socket\":{\"path\":\"$p\",\"type\":\"unix\"}}")
done

# Hold the guests lock (shared) while the guest runs: setup.sh takes it
# exclusively before it replaces the root.  QEMU inherits it.
mkdir -p "$VM_DIR"
exec 7>"$VM_GUESTS_LOCK"
if ! flock -s -n 7; then
	echo "run-guest[$NAME]: waiting for setup.sh to finish rebuilding the root" >&2
	flock -s -w 900 7 || fail "setup.sh still holds $VM_GUESTS_LOCK after 900 s"
fi
initramfs=$VM_ROOT$(vm_initramfs)
vmlinux=$VM_ROOT$(vm_vmlinux "$VM_KERNEL")
[ -f "$vmlinux" ] || fail "the guest harness is not set up: run devtools/vm/setup.sh (as root) first"
[ -f "$initramfs" ] ||
	fail "no initramfs for this tree's devtools/vm/guest files (new or changed since the last setup): run devtools/vm/setup.sh to build it"

# Per-run files (under /tmp, so QEMU sees them at the same path in the root).
TMPD=$(mktemp -d "/tmp/dpdk-emu-vm.$NAME.XXXXXX")
QPID=
READER=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local _
	if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
		# timeout(1) passes the signal on to QEMU and kills it 5 s later.
		kill -TERM "$QPID" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
			kill -0 "$QPID" 2>/dev/null || break
			sleep 0.5
		done
		kill -KILL "$QPID" 2>/dev/null || true
	fi
	[ -z "$READER" ] || kill "$READER" 2>/dev/null || true
	rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# cpio_member NAME MODE FILE: one newc archive member (regular file).
cpio_member() {
	local name=$1 mode=$2 file=$3 size=0 nsz
	[ -z "$file" ] || size=$(stat -c %s "$file")
	nsz=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1 "$mode" 0 0 1 0 "$size" 0 0 0 0 "$nsz" 0
	printf '%s\0' "$name"
	head -c $(((4 - (110 + nsz) % 4) % 4)) /dev/zero
	[ -z "$file" ] || cat "$file"
	head -c $(((4 - size % 4) % 4)) /dev/zero
}

# The kernel unpacks concatenated archives: the guest's script comes second.
cp "$initramfs" "$TMPD/initrd.cpio"
for c in "${EXTRA_CPIO[@]}"; do
	cat "$c" >>"$TMPD/initrd.cpio"
done
if [ -n "$SCRIPT" ]; then
	{
		cpio_member harness/script.sh $((8#100755)) "$SCRIPT"
		cpio_member TRAILER!!! 0 ""
	} >>"$TMPD/initrd.cpio"
fi

# Console filter: no carriage returns, no terminal control sequences (SeaBIOS).
mkfifo "$TMPD/console.fifo"
FILTER='s/\r//g; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g'
if [ -n "$LOG" ]; then
	sed -u "$FILTER" <"$TMPD/console.fifo" | tee -p "$TMPD/console" "$LOG" &
else
	sed -u "$FILTER" <"$TMPD/console.fifo" | tee -p "$TMPD/console" &
fi
READER=$!

t0=$(date +%s.%N)
timeout -k 5 "$TIMEOUT" "${VM_NS[@]}" chroot "$VM_ROOT" qemu-system-x86_64 \
	-name "$NAME" -accel tcg -cpu qemu64 -m "$MEM" \
	-object "memory-backend-memfd,id=mem,size=${MEM}M,share=on" \
	-machine q35,memory-backend=mem \
	-kernel "$(vm_vmlinux "$VM_KERNEL")" -initrd "$TMPD/initrd.cpio" \
	-append "console=ttyS0 loglevel=4 panic=-1 iomem=relaxed harness.name=$NAME$APPEND" \
	-nographic -no-reboot -nodefaults -serial stdio \
	"${DEVICES[@]}" "${QEMU_ARGS[@]}" \
	</dev/null >"$TMPD/console.fifo" 2>&1 &
QPID=$!
qrc=0
wait "$QPID" || qrc=$?
QPID=
wait "$READER" || true
READER=
# The guest may power off in the middle of a line.
if [ -s "$TMPD/console" ] && [ "$(tail -c 1 "$TMPD/console" | od -A n -t x1 | tr -d ' ')" != 0a ]; then
	echo
	[ -z "$LOG" ] || echo >>"$LOG"
fi
secs=$(echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }')

result=$(grep -ao 'HARNESS-RESULT rc=[0-9]*' "$TMPD/console" | tail -n 1 || true)
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	if [ -n "$result" ]; then
		echo "run-guest[$NAME]: timeout: the script ended ($result) but the guest did not power off within $TIMEOUT s" >&2
	else
		echo "run-guest[$NAME]: timeout: the guest did not finish within $TIMEOUT s" >&2
	fi
	exit 124
fi
if [ -z "$result" ]; then
	echo "run-guest[$NAME]: the guest never printed HARNESS-RESULT (QEMU exit status $qrc, after $secs s)" >&2
	exit 125
fi
rc=${result#HARNESS-RESULT rc=}
echo "run-guest[$NAME]: guest done in $secs s, script rc=$rc" >&2
exit "$rc"
