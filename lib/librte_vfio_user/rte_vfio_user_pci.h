/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

#ifndef _RTE_VFIO_USER_PCI_H_
#define _RTE_VFIO_USER_PCI_H_

/**
 * @file
 * Building the PCI configuration space of an emulated device: the type 0
 * header, a capability list and the bits the client may write, the
 * config and config_wmask of struct rte_vfio_user_dev_desc.
 *
 * Multi-byte fields are little endian (PCI Local Bus 3.0). Capabilities
 * are linked in the order they are added, each after the standard header
 * (offset 0x40 and up), 4-byte aligned and not overlapping the previous
 * one.
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 */

#include <stdint.h>

#include <rte_compat.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A configuration space being built. */
struct rte_vfio_user_pci_cfg {
	uint8_t *data;          /**< Contents, size bytes. */
	uint8_t *wmask;         /**< Writable bits, size bytes. */
	uint32_t size;          /**< 256, or 4096 (PCI Express). */
	uint8_t last_cap;       /**< Offset of the last capability, or 0. */
	uint32_t cap_end;       /**< First byte after the last capability. */
};

/** Identity of the function, for the type 0 header. */
struct rte_vfio_user_pci_id {
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t subsys_vendor_id;
	uint16_t subsys_id;
	uint32_t class_code;    /**< Base class, sub-class, prog-if (24 bits). */
	uint8_t revision;
	uint8_t irq_pin;        /**< 0: no INTx, 1-4: INTA#-INTD#. */
};

/** BAR type bits (the low bits of a memory BAR). */
#define RTE_VFIO_USER_PCI_BAR_MEM32	0x00
#define RTE_VFIO_USER_PCI_BAR_MEM64	0x04
#define RTE_VFIO_USER_PCI_BAR_PREFETCH	0x08

/**
 * Start a configuration space: zeroed, type 0 header with the identity,
 * and the header bits a client writes made writable: Command (memory
 * space, bus master, parity and SERR# response, INTx disable), cache
 * line size, interrupt line.
 *
 * @param data, wmask  Buffers of size bytes.
 * @param size         256 or 4096.
 * @return 0, or -EINVAL (a NULL buffer or another size).
 */
__rte_experimental
int rte_vfio_user_pci_cfg_init(struct rte_vfio_user_pci_cfg *cfg,
		void *data, void *wmask, uint32_t size,
		const struct rte_vfio_user_pci_id *id);

/**
 * Type bits of memory BAR bar (0-5; a 64-bit BAR also takes bar + 1).
 * The client owns the addresses: no bit of a BAR is writable here.
 * @return 0, or -EINVAL (bar out of range, a 64-bit BAR at 5).
 */
__rte_experimental
int rte_vfio_user_pci_cfg_bar(struct rte_vfio_user_pci_cfg *cfg,
		unsigned int bar, uint32_t type);

/**
 * Add a capability of len bytes (ID and next pointer included) at off
 * and link it: the capability list pointer for the first one, the next
 * pointer of the previous one after that; Status gets "capabilities
 * list".
 * @return 0, or -EINVAL (off below 0x40 or above 0xfc, not 4-byte
 *   aligned, len < 2, beyond the space, or before the end of the previous
 *   capability).
 */
__rte_experimental
int rte_vfio_user_pci_cfg_cap(struct rte_vfio_user_pci_cfg *cfg,
		uint32_t off, uint8_t cap_id, uint32_t len);

/**
 * Add an MSI-X capability at off: nb_vectors vectors, the table and the
 * PBA at the given offsets of the given BARs; MSI-X enable and function
 * mask are writable.
 * @return 0, or -EINVAL (as rte_vfio_user_pci_cfg_cap(), nb_vectors 0 or
 *   above 2048, a BAR above 5, offsets not 8-byte aligned).
 */
__rte_experimental
int rte_vfio_user_pci_cfg_msix(struct rte_vfio_user_pci_cfg *cfg,
		uint32_t off, uint16_t nb_vectors, unsigned int table_bar,
		uint32_t table_off, unsigned int pba_bar, uint32_t pba_off);

/**
 * Store the len-byte (1, 2 or 4) little endian value val at off of the
 * contents, or of the writable bits (rte_vfio_user_pci_cfg_wmask()).
 * @return 0, or -EINVAL (len, or beyond the space).
 */
__rte_experimental
int rte_vfio_user_pci_cfg_set(struct rte_vfio_user_pci_cfg *cfg,
		uint32_t off, uint32_t len, uint32_t val);

/** Make the bits of mask writable at off (len bytes, little endian). */
__rte_experimental
int rte_vfio_user_pci_cfg_wmask(struct rte_vfio_user_pci_cfg *cfg,
		uint32_t off, uint32_t len, uint32_t mask);

#ifdef __cplusplus
}
#endif

#endif /* _RTE_VFIO_USER_PCI_H_ */
