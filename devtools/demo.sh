#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Set up everything on a fresh Debian 12 machine (as root) and run the demo:
# dpdk-testpmd serves two emulated Intel AVFs over vfio-user and forwards
# between their net_avfbe ports; two QEMU 11 guests, each driving one AVF
# with the stock Linux iavf driver, ping each other and exchange TCP data.
#
# usage: devtools/demo.sh

set -e -o pipefail
. "$(dirname "$0")/lib/common.sh"

need_root
need_space "$EMU_CACHE" 3000
install_host_packages
cd "$EMU_TOP"
log "building DPDK 22.11 with the patchset (first time: a few minutes)"
devtools/build.sh build
log "preparing the guest (Debian trixie root with QEMU 11; first time: about a minute)"
devtools/vm/setup.sh

exec devtools/vm/demo.sh build
