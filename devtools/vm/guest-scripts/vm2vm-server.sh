# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=dash
#
# vm2vm server guest: brings its interface (VM2VM_DRIVER) up, runs two iperf3
# servers and answers its peer's requests (see vm2vm-lib.sh) until the peer
# says "quit"; then checks what its kernel says about the device.
# VM2VM_MIB: size of the data file it sends on request (default 64).

vm2vm_up || { harness_checks_done; exit 1; }
vm2vm_make_data "${VM2VM_MIB:-64}"
iperf3 -s -D -p "$VM2VM_IPERF_PORT"
iperf3 -s -D -p "$VM2VM_IPERF_REV_PORT"
vm2vm_serve
vm2vm_final_checks
harness_checks_done
