# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=dash
#
# Helpers for guest test scripts (busybox sh).  Source it:
#	. /bin/harness-lib.sh
# Functions return 0 on success, non-zero on failure or timeout; timeouts
# are in seconds.

# harness_log MSG...: a console line tagged "HARNESS:".
harness_log() {
	echo "HARNESS: $*"
}

# harness_wait TIMEOUT CMD...: run CMD every 0.1 s until it succeeds.
harness_wait() {
	local n=$(($1 * 10))
	shift
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# harness_iface_driver IFACE: the driver of IFACE's device ("-" if none).
harness_iface_driver() {
	if [ -e "/sys/class/net/$1/device/driver" ]; then
		basename "$(readlink "/sys/class/net/$1/device/driver")"
	else
		echo -
	fi
}

# harness_iface_of [DRIVER]: the names of the interfaces backed by a device
# (bound to DRIVER if given), one a line.
harness_iface_of() {
	local i d
	for i in /sys/class/net/*; do
		i=${i##*/}
		d=$(harness_iface_driver "$i")
		[ "$d" = - ] && continue
		[ -z "$1" ] || [ "$d" = "$1" ] && echo "$i"
	done
	return 0
}

# harness_wait_iface TIMEOUT [DRIVER]: wait for an interface backed by a
# device (bound to DRIVER if given, e.g. iavf); prints its name.
harness_wait_iface() {
	local t="$1" drv="$2"
	# shellcheck disable=SC2016 # expanded by the inner shell
	harness_wait "$t" sh -c '. /bin/harness-lib.sh; [ -n "$(harness_iface_of "$1")" ]' - "$drv" ||
		{ harness_log "no ${drv:-device} interface after $t s" >&2; return 1; }
	harness_iface_of "$drv" | head -n 1
}

# harness_wait_link TIMEOUT IFACE: wait for carrier on IFACE (brings it up).
harness_wait_link() {
	ip link set "$2" up || return 1
	harness_wait "$1" grep -qx 1 "/sys/class/net/$2/carrier" ||
		{ harness_log "no carrier on $2 after $1 s" >&2; return 1; }
}

# harness_dmesg PATTERN: print the kernel log lines matching the extended
# regular expression PATTERN; fails if there is none.
harness_dmesg() {
	dmesg | grep -E "$1"
}

# harness_dmesg_mark / harness_dmesg_new [PATTERN]: print the kernel log
# lines logged since the last mark (matching PATTERN if given).
harness_dmesg_mark() {
	dmesg | wc -l >/tmp/.harness-dmesg-mark
}

harness_dmesg_new() {
	local from=$(($(cat /tmp/.harness-dmesg-mark 2>/dev/null || echo 0) + 1))
	dmesg | tail -n "+$from" | grep -E "${1:-.}"
}

# harness_pci_list: one line per PCI function (see /bin/pci-list).
harness_pci_list() {
	/bin/pci-list
}

# harness_net_list: one line per network interface:
#   NET <name> mac=<address> state=<operstate> driver=<name|-> pci=<address|->
harness_net_list() {
	local i n pci
	for i in /sys/class/net/*; do
		n=${i##*/}
		pci=-
		[ -e "$i/device" ] && pci=$(basename "$(readlink "$i/device")")
		echo "NET $n mac=$(cat "$i/address") state=$(cat "$i/operstate")" \
			"driver=$(harness_iface_driver "$n") pci=$pci"
	done
}

# harness_pci_bar PCI_ADDRESS BAR: physical address of a BAR (hex), for devmem.
harness_pci_bar() {
	sed -n "$(($2 + 1))p" "/sys/bus/pci/devices/$1/resource" | cut -d' ' -f1
}

# harness_check DESCRIPTION CMD...: run CMD, print "CHECK ok: ..." or
# "CHECK FAIL: ..." and count failures; harness_checks_done reports them.
HARNESS_CHECKS=0
HARNESS_FAILS=0
harness_check() {
	local what="$1"
	shift
	HARNESS_CHECKS=$((HARNESS_CHECKS + 1))
	if "$@"; then
		echo "CHECK ok: $what"
	else
		echo "CHECK FAIL: $what"
		HARNESS_FAILS=$((HARNESS_FAILS + 1))
	fi
}

# harness_checks_done: print the totals; fails if any check failed (use it
# as the last command of a script).
harness_checks_done() {
	echo "CHECKS: $HARNESS_CHECKS run, $HARNESS_FAILS failed"
	[ "$HARNESS_FAILS" = 0 ]
}
