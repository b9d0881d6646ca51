/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * PCI configuration space builder (rte_vfio_user_pci.h): type 0 header,
 * capability list and write masks. Field offsets: PCI Local Bus 3.0,
 * 6.1 "Configuration Space Organization" and 6.7 "Capabilities List";
 * MSI-X: 6.8.2.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <rte_common.h>
#include <rte_pci.h>

#include "emu_compat.h"
#include "rte_vfio_user_pci.h"

/* Type 0 header fields rte_pci.h does not name. */
#define CFG_REVISION_ID		0x08
#define CFG_CACHE_LINE_SIZE	0x0c
#define CFG_HEADER_TYPE		0x0e
#define CFG_SUBSYSTEM_VENDOR_ID	0x2c
#define CFG_SUBSYSTEM_ID	0x2e
#define CFG_INTERRUPT_LINE	0x3c
#define CFG_INTERRUPT_PIN	0x3d
#define CFG_HEADER_END		0x40
#define CFG_COMMAND_PARITY	0x40
#define CFG_COMMAND_SERR	0x100
#define CFG_MSIX_PBA		8
#define CFG_MSIX_LEN		12
#define CFG_MSIX_MAX_VECTORS	2048

static void
put(uint8_t *p, uint32_t len, uint32_t val)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(val >> (8 * i));
}

/* Store a field of len bytes at off of buf (the contents or the mask). */
static int
put_field(const struct rte_vfio_user_pci_cfg *cfg, uint8_t *buf, uint32_t off,
		uint32_t len, uint32_t val)
{
	if (!(len == 1 || len == 2 || len == 4) || off >= cfg->size ||
	    len > cfg->size - off)
		return -EINVAL;
	put(buf + off, len, val);
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_pci_cfg_set, 22.11)
int
rte_vfio_user_pci_cfg_set(struct rte_vfio_user_pci_cfg *cfg, uint32_t off,
		uint32_t len, uint32_t val)
{
	return cfg == NULL ? -EINVAL : put_field(cfg, cfg->data, off, len, val);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_pci_cfg_wmask, 22.11)
int
rte_vfio_user_pci_cfg_wmask(struct rte_vfio_user_pci_cfg *cfg, uint32_t off,
		uint32_t len, uint32_t mask)
{
	return cfg == NULL ? -EINVAL :
		put_field(cfg, cfg->wmask, off, len, mask);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_pci_cfg_init, 22.11)
int
rte_vfio_user_pci_cfg_init(struct rte_vfio_user_pci_cfg *cfg, void *data,
		void *wmask, uint32_t size, const struct rte_vfio_user_pci_id *id)
{
	if (cfg == NULL || data == NULL || wmask == NULL || id == NULL ||
	    (size != 256 && size != 4096))
		return -EINVAL;
	cfg->data = data;
	cfg->wmask = wmask;
	cfg->size = size;
	cfg->last_cap = 0;
	cfg->cap_end = CFG_HEADER_END;
	memset(data, 0, size);
	memset(wmask, 0, size);

	put(cfg->data + RTE_PCI_VENDOR_ID, 2, id->vendor_id);
	put(cfg->data + RTE_PCI_DEVICE_ID, 2, id->device_id);
	put(cfg->data + CFG_REVISION_ID, 4,
	    (id->class_code << 8) | id->revision);
	/* header type 0, single function */
	cfg->data[CFG_HEADER_TYPE] = 0;
	put(cfg->data + CFG_SUBSYSTEM_VENDOR_ID, 2, id->subsys_vendor_id);
	put(cfg->data + CFG_SUBSYSTEM_ID, 2, id->subsys_id);
	cfg->data[CFG_INTERRUPT_PIN] = id->irq_pin;

	put(cfg->wmask + RTE_PCI_COMMAND, 2, RTE_PCI_COMMAND_MEMORY |
	    RTE_PCI_COMMAND_MASTER | CFG_COMMAND_PARITY | CFG_COMMAND_SERR |
	    RTE_PCI_COMMAND_INTX_DISABLE);
	cfg->wmask[CFG_CACHE_LINE_SIZE] = 0xff;
	cfg->wmask[CFG_INTERRUPT_LINE] = 0xff;
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_pci_cfg_bar, 22.11)
int
rte_vfio_user_pci_cfg_bar(struct rte_vfio_user_pci_cfg *cfg, unsigned int bar,
		uint32_t type)
{
	if (cfg == NULL || bar > 5 ||
	    (bar == 5 && (type & RTE_VFIO_USER_PCI_BAR_MEM64)))
		return -EINVAL;
	put(cfg->data + RTE_PCI_BASE_ADDRESS_0 + 4 * bar, 4, type);
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_pci_cfg_cap, 22.11)
int
rte_vfio_user_pci_cfg_cap(struct rte_vfio_user_pci_cfg *cfg, uint32_t off,
		uint8_t cap_id, uint32_t len)
{
	/* "the bottom two bits are reserved": dword aligned */
	if (cfg == NULL || off < CFG_HEADER_END || (off & 3) != 0 ||
	    len < 2 || off >= 256 || len > cfg->size - off)
		return -EINVAL;
	/* the list runs upwards: no two capabilities overlap */
	if (off < cfg->cap_end)
		return -EINVAL;
	if (cfg->last_cap != 0) {
		cfg->data[cfg->last_cap + RTE_PCI_CAP_NEXT] = (uint8_t)off;
	} else {
		cfg->data[RTE_PCI_CAPABILITY_LIST] = (uint8_t)off;
	}
	cfg->data[off] = cap_id;
	cfg->data[off + RTE_PCI_CAP_NEXT] = 0;
	cfg->data[RTE_PCI_STATUS] |= RTE_PCI_STATUS_CAP_LIST;
	cfg->last_cap = (uint8_t)off;
	cfg->cap_end = off + len;
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_pci_cfg_msix, 22.11)
int
rte_vfio_user_pci_cfg_msix(struct rte_vfio_user_pci_cfg *cfg, uint32_t off,
		uint16_t nb_vectors, unsigned int table_bar, uint32_t table_off,
		unsigned int pba_bar, uint32_t pba_off)
{
	int ret;

	if (nb_vectors == 0 || nb_vectors > CFG_MSIX_MAX_VECTORS ||
	    table_bar > 5 || pba_bar > 5 || (table_off & 7) != 0 ||
	    (pba_off & 7) != 0)
		return -EINVAL;
	ret = rte_vfio_user_pci_cfg_cap(cfg, off, RTE_PCI_CAP_ID_MSIX,
					CFG_MSIX_LEN);
	if (ret != 0)
		return ret;
	/* Message Control: table size is N - 1 */
	put(cfg->data + off + RTE_PCI_MSIX_FLAGS, 2, nb_vectors - 1u);
	put(cfg->data + off + RTE_PCI_MSIX_TABLE, 4, table_off | table_bar);
	put(cfg->data + off + CFG_MSIX_PBA, 4, pba_off | pba_bar);
	put(cfg->wmask + off + RTE_PCI_MSIX_FLAGS, 2,
	    RTE_PCI_MSIX_FLAGS_ENABLE | RTE_PCI_MSIX_FLAGS_MASKALL);
	return 0;
}
