# SPDX-License-Identifier: BSD-3-Clause
# Shared helpers for the devtools scripts (sourced, not executed).

EMU_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Everything downloaded or generated outside git lives here.
EMU_CACHE=${EMU_CACHE:-/var/cache/dpdk-emu}
# Debian's python3 (with python3-pyelftools) must win over any pyenv shim.
export PATH=/usr/lib/ccache:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export DEBIAN_FRONTEND=noninteractive

die() {
	echo "error: $*" >&2
	exit 1
}

log() {
	echo "==> $*"
}

need_root() {
	[ "$(id -u)" = 0 ] || die "this command needs root (it installs Debian packages and runs guests): re-run it as root, e.g. with sudo"
}

# need_space DIR MIB: refuse to start when DIR has less than MIB MiB free.
need_space() {
	local dir=$1 want=$2 have
	mkdir -p "$dir"
	have=$(df -Pm "$dir" | awk 'NR == 2 { print $4 }')
	[ "$have" -ge "$want" ] || die "$dir has ${have} MiB free, ${want} MiB are needed: free some disk space or set EMU_CACHE to a larger disk"
}

# Debian packages the build and the tests need on the host (Debian 12).
EMU_HOST_PACKAGES="build-essential meson ninja-build ccache pkg-config python3 python3-pyelftools
	libnuma-dev dpkg-dev xz-utils debootstrap cpio gzip iproute2 procps util-linux
	python3-sphinx valgrind
	clang-14 libclang-rt-14-dev llvm-14"
# valgrind: the instruction counts of devtools/bench (callgrind).
# clang-14: the sanitizer/fuzz build (devtools/build-asan.sh); libclang-rt-14-dev:
# the ASan, UBSan and libFuzzer runtimes; llvm-14: llvm-symbolizer for reports.
EMU_CLANG=clang-14
EMU_SYMBOLIZER=/usr/lib/llvm-14/bin/llvm-symbolizer

install_host_packages() {
	local missing="" p
	for p in $EMU_HOST_PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	local aptlog=$EMU_CACHE/apt-install.log
	mkdir -p "$EMU_CACHE"
	log "installing Debian packages:$missing"
	apt-get update -q >"$aptlog" 2>&1 ||
		die "apt-get update failed (see $aptlog): check /etc/apt/sources.list* and the network, then re-run"
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >>"$aptlog" 2>&1 ||
		die "apt-get install$missing failed (see $aptlog): fix apt, then re-run"
}

# emu_build DIR EXAMPLES [MESON_SETUP_ARGS...]: configure DIR (first time
# only, with the given arguments) and build it; the compiler output is kept
# in DIR/emu-build.log. EXAMPLES is the dpdk:examples value wanted.
# A DIR configured on another pristine DPDK tree (DPDK_SRC changed) is
# set up anew: the options of the subproject differ between releases.
emu_build() {
	local builddir=$1 examples=$2 setup_log cur tree
	shift 2
	cd "$EMU_TOP"
	tree=$(cat subprojects/dpdk/.emu-pristine)
	if [ -f "$builddir/build.ninja" ] && [ "$(cat "$builddir/.emu-pristine" 2>/dev/null)" != "$tree" ]; then
		log "$builddir was configured on another DPDK tree: setting it up for $tree"
		rm -rf "$builddir"
	fi
	if [ ! -f "$builddir/build.ninja" ]; then
		log "configuring $builddir"
		setup_log=$(mktemp /tmp/emu-meson-setup.XXXXXX)
		meson setup "$builddir" -Ddpdk:examples="$examples" "$@" >"$setup_log" 2>&1 ||
			{ tail -n 30 "$setup_log" >&2; die "meson setup failed (log above, full log: $setup_log)"; }
		mv "$setup_log" "$builddir/meson-setup.log"
		echo "$tree" > "$builddir/.emu-pristine"
	else
		cur=$(meson introspect --buildoptions "$builddir" 2>/dev/null |
			/usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "dpdk:examples"][0])')
		# the subproject's options are only defaulted at the first setup
		[ "$cur" = "$examples" ] ||
			meson configure "$builddir" -Ddpdk:examples="$examples" >/dev/null
	fi
	log "building $builddir"
	if ! ninja -C "$builddir" >"$builddir/emu-build.log" 2>&1; then
		grep -E 'error|Error' "$builddir/emu-build.log" | head -n 30 >&2
		die "the build failed: see $builddir/emu-build.log"
	fi
}
