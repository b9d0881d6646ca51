/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * PCI function of the emulated AVF: configuration space (type 0 header,
 * MSI-X capability, Advanced Features capability for FLR, built with the
 * vfio-user library's rte_vfio_user_pci.h) and its config writes. The client (QEMU) owns the BAR addresses and emulates the MSI-X
 * table; it forwards every config write, which the vfio-user library
 * applies through config_wmask before calling us.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_pci.h>

#include <rte_vfio_user_pci.h>

#include "iavf_emu.h"

/* Advanced Features capability (PCI Advanced Capabilities ECN). */
#define CFG_CAP_ID_AF		0x13
#define CFG_AF_LENGTH		2
#define CFG_AF_LEN		6
#define CFG_AF_CAP		3
#define CFG_AF_CAP_TP		0x01
#define CFG_AF_CAP_FLR		0x02
#define CFG_AF_CTRL		4
#define CFG_AF_CTRL_FLR		0x01

static void
cfg_w16(uint8_t *c, uint32_t off, uint16_t v)
{
	c[off] = v & 0xff;
	c[off + 1] = v >> 8;
}

static uint16_t
cfg_r16(const uint8_t *c, uint32_t off)
{
	return c[off] | (c[off + 1] << 8);
}

int
iavf_emu_pci_init(struct iavf_emu_dev *dev)
{
	static const struct rte_vfio_user_pci_id id = {
		.vendor_id = IAVF_EMU_VENDOR_ID,
		.device_id = IAVF_EMU_DEVICE_ID,
		.subsys_vendor_id = IAVF_EMU_SUBSYS_VENDOR_ID,
		.subsys_id = IAVF_EMU_SUBSYS_ID,
		.class_code = IAVF_EMU_CLASS_CODE,
		.revision = IAVF_EMU_REVISION,
		.irq_pin = 0,	/* a VF has no INTx */
	};
	/* memory space, 64-bit, prefetchable */
	const uint32_t bar_type = RTE_VFIO_USER_PCI_BAR_MEM64 |
		RTE_VFIO_USER_PCI_BAR_PREFETCH;
	const uint32_t af = IAVF_EMU_AF_CAP_OFF;
	struct rte_vfio_user_pci_cfg cfg;

	if (rte_vfio_user_pci_cfg_init(&cfg, dev->config, dev->config_wmask,
				       IAVF_EMU_CONFIG_SIZE, &id) != 0 ||
	    /* BAR0 (+BAR1): registers; BAR3 (+BAR4): MSI-X. */
	    rte_vfio_user_pci_cfg_bar(&cfg, 0, bar_type) != 0 ||
	    rte_vfio_user_pci_cfg_bar(&cfg, IAVF_EMU_MSIX_BAR, bar_type) != 0 ||
	    /* MSI-X: one vector per queue pair plus vector 0 (admin queue) */
	    rte_vfio_user_pci_cfg_msix(&cfg, IAVF_EMU_MSIX_CAP_OFF,
				       dev->num_qp + 1, IAVF_EMU_MSIX_BAR,
				       IAVF_EMU_MSIX_TABLE_OFF,
				       IAVF_EMU_MSIX_BAR,
				       IAVF_EMU_MSIX_PBA_OFF) != 0 ||
	    /*
	     * Advanced Features: function level reset on a conventional PCI
	     * function (PCI Advanced Capabilities ECN), so that the guest can
	     * reset the device (Linux pci_af_flr(), sysfs "reset").
	     */
	    rte_vfio_user_pci_cfg_cap(&cfg, af, CFG_CAP_ID_AF,
				      CFG_AF_LEN) != 0 ||
	    rte_vfio_user_pci_cfg_set(&cfg, af + CFG_AF_LENGTH, 1,
				      CFG_AF_LEN) != 0 ||
	    rte_vfio_user_pci_cfg_set(&cfg, af + CFG_AF_CAP, 1,
				      CFG_AF_CAP_TP | CFG_AF_CAP_FLR) != 0 ||
	    rte_vfio_user_pci_cfg_wmask(&cfg, af + CFG_AF_CTRL, 1,
					CFG_AF_CTRL_FLR) != 0)
		return -EINVAL;
	return 0;
}

/* [off, off + count) and [reg, reg + size) share a byte (no end sums). */
static bool
overlaps(uint32_t off, uint32_t count, uint32_t reg, uint32_t size)
{
	if (count == 0 || size == 0)
		return false;
	return off <= reg ? reg - off < count : off - reg < size;
}

bool
iavf_emu_pci_config_write(struct iavf_emu_dev *dev, uint32_t offset,
		uint32_t count)
{
	uint8_t *c = rte_vfio_user_get_config(dev->vfu_id);
	uint32_t af_ctrl = IAVF_EMU_AF_CAP_OFF + CFG_AF_CTRL;
	uint32_t msix_flags = IAVF_EMU_MSIX_CAP_OFF + RTE_PCI_MSIX_FLAGS;
	bool bme, msix;

	if (c == NULL)
		return false;

	if (overlaps(offset, count, RTE_PCI_COMMAND, 2)) {
		bme = (cfg_r16(c, RTE_PCI_COMMAND) & RTE_PCI_COMMAND_MASTER) != 0;
		if (bme != dev->bus_master) {
			IAVF_EMU_LOG(DEBUG, "%s: bus master %s", dev->name,
				     bme ? "on" : "off");
			dev->bus_master = bme;
			/* Queue DMA follows bus mastering. */
			iavf_emu_queues_refresh(dev);
			if (bme) {
				/* Admin queue work held back without it. */
				iavf_emu_atq_process(dev);
				iavf_emu_arq_drain(dev);
			}
		}
	}

	if (overlaps(offset, count, msix_flags, 2)) {
		msix = (cfg_r16(c, msix_flags) & RTE_PCI_MSIX_FLAGS_ENABLE) != 0;
		rte_atomic_store_explicit(&dev->msix_enabled, msix ? 1 : 0,
				 rte_memory_order_release);
		if (msix)
			iavf_emu_irq0_eval(dev);
	}

	if (overlaps(offset, count, af_ctrl, 1) &&
	    (c[af_ctrl] & CFG_AF_CTRL_FLR) != 0) {
		/* "Initiate FLR" reads back as 0; the reset is immediate. */
		c[af_ctrl] &= ~CFG_AF_CTRL_FLR;
		return true;
	}
	return false;
}

/* A function reset returns the writable config state to its defaults. */
void
iavf_emu_pci_reset(struct iavf_emu_dev *dev)
{
	uint8_t *c = rte_vfio_user_get_config(dev->vfu_id);
	uint32_t msix_flags = IAVF_EMU_MSIX_CAP_OFF + RTE_PCI_MSIX_FLAGS;

	dev->bus_master = false;
	rte_atomic_store_explicit(&dev->msix_enabled, 0, rte_memory_order_release);
	if (c == NULL)
		return;
	cfg_w16(c, RTE_PCI_COMMAND, 0);
	cfg_w16(c, msix_flags, cfg_r16(c, msix_flags) &
		~(RTE_PCI_MSIX_FLAGS_ENABLE | RTE_PCI_MSIX_FLAGS_MASKALL));
	c[IAVF_EMU_AF_CAP_OFF + CFG_AF_CTRL] = 0;
}
