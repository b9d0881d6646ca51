/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * PCI function of the emulated AVF: configuration space (type 0 header,
 * MSI-X capability, Advanced Features capability for FLR) and the MSI-X
 * BAR. The client (QEMU) owns the BAR addresses and emulates the MSI-X
 * table; it forwards every config write, which the vfio-user library
 * applies through config_wmask before calling us.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_pci.h>

#include "iavf_emu.h"

/*
 * Configuration space fields rte_pci.h does not name (PCI Local Bus 3.0
 * type 0 header; Advanced Features capability, PCI ECN).
 */
#define CFG_REVISION_ID		0x08
#define CFG_CLASS_PROG		0x09
#define CFG_CLASS_DEVICE	0x0a
#define CFG_CACHE_LINE_SIZE	0x0c
#define CFG_HEADER_TYPE		0x0e
#define CFG_HEADER_TYPE_NORMAL	0
#define CFG_BASE_ADDRESS_3	0x1c
#define CFG_BAR_MEM_TYPE_64	0x04
#define CFG_BAR_MEM_PREFETCH	0x08
#define CFG_SUBSYSTEM_VENDOR_ID	0x2c
#define CFG_SUBSYSTEM_ID	0x2e
#define CFG_INTERRUPT_LINE	0x3c
#define CFG_INTERRUPT_PIN	0x3d
#define CFG_COMMAND_PARITY	0x40
#define CFG_COMMAND_SERR	0x100
#define CFG_CAP_LIST_ID		0
#define CFG_MSIX_PBA		8
#define CFG_CAP_ID_AF		0x13
#define CFG_AF_LENGTH		2
#define CFG_AF_CAP		3
#define CFG_AF_CAP_TP		0x01
#define CFG_AF_CAP_FLR		0x02
#define CFG_AF_CTRL		4
#define CFG_AF_CTRL_FLR		0x01

static void
cfg_w8(uint8_t *c, uint32_t off, uint8_t v)
{
	c[off] = v;
}

static void
cfg_w16(uint8_t *c, uint32_t off, uint16_t v)
{
	c[off] = v & 0xff;
	c[off + 1] = v >> 8;
}

static void
cfg_w32(uint8_t *c, uint32_t off, uint32_t v)
{
	cfg_w16(c, off, v & 0xffff);
	cfg_w16(c, off + 2, v >> 16);
}

static uint16_t
cfg_r16(const uint8_t *c, uint32_t off)
{
	return c[off] | (c[off + 1] << 8);
}

void
iavf_emu_pci_init(struct iavf_emu_dev *dev)
{
	uint8_t *c = dev->config;
	uint8_t *m = dev->config_wmask;
	/* memory space, 64-bit, prefetchable */
	const uint32_t bar_type = CFG_BAR_MEM_TYPE_64 | CFG_BAR_MEM_PREFETCH;

	memset(c, 0, IAVF_EMU_CONFIG_SIZE);
	memset(m, 0, IAVF_EMU_CONFIG_SIZE);

	/* Type 0 header. */
	cfg_w16(c, RTE_PCI_VENDOR_ID, IAVF_EMU_VENDOR_ID);
	cfg_w16(c, RTE_PCI_DEVICE_ID, IAVF_EMU_DEVICE_ID);
	cfg_w16(c, RTE_PCI_STATUS, RTE_PCI_STATUS_CAP_LIST);
	cfg_w8(c, CFG_REVISION_ID, IAVF_EMU_REVISION);
	cfg_w8(c, CFG_CLASS_PROG, IAVF_EMU_CLASS_CODE & 0xff);
	cfg_w16(c, CFG_CLASS_DEVICE, IAVF_EMU_CLASS_CODE >> 8);
	cfg_w8(c, CFG_HEADER_TYPE, CFG_HEADER_TYPE_NORMAL);
	/* BAR0 (+BAR1): registers; BAR3 (+BAR4): MSI-X. 64-bit memory. */
	cfg_w32(c, RTE_PCI_BASE_ADDRESS_0, bar_type);
	cfg_w32(c, CFG_BASE_ADDRESS_3, bar_type);
	cfg_w16(c, CFG_SUBSYSTEM_VENDOR_ID, IAVF_EMU_SUBSYS_VENDOR_ID);
	cfg_w16(c, CFG_SUBSYSTEM_ID, IAVF_EMU_SUBSYS_ID);
	cfg_w8(c, RTE_PCI_CAPABILITY_LIST, IAVF_EMU_MSIX_CAP_OFF);
	/* A VF has no INTx: interrupt pin 0. */
	cfg_w8(c, CFG_INTERRUPT_PIN, 0);

	/* MSI-X: one vector per queue pair plus vector 0 (admin queue). */
	cfg_w8(c, IAVF_EMU_MSIX_CAP_OFF + CFG_CAP_LIST_ID, RTE_PCI_CAP_ID_MSIX);
	cfg_w8(c, IAVF_EMU_MSIX_CAP_OFF + RTE_PCI_CAP_NEXT,
	       IAVF_EMU_AF_CAP_OFF);
	cfg_w16(c, IAVF_EMU_MSIX_CAP_OFF + RTE_PCI_MSIX_FLAGS, dev->num_qp);
	cfg_w32(c, IAVF_EMU_MSIX_CAP_OFF + RTE_PCI_MSIX_TABLE,
		IAVF_EMU_MSIX_TABLE_OFF | IAVF_EMU_MSIX_BAR);
	cfg_w32(c, IAVF_EMU_MSIX_CAP_OFF + CFG_MSIX_PBA,
		IAVF_EMU_MSIX_PBA_OFF | IAVF_EMU_MSIX_BAR);

	/*
	 * Advanced Features: function level reset on a conventional PCI
	 * function (PCI Advanced Capabilities ECN), so that the guest can
	 * reset the device (Linux pci_af_flr(), sysfs "reset").
	 */
	cfg_w8(c, IAVF_EMU_AF_CAP_OFF + CFG_CAP_LIST_ID, CFG_CAP_ID_AF);
	cfg_w8(c, IAVF_EMU_AF_CAP_OFF + RTE_PCI_CAP_NEXT, 0);
	cfg_w8(c, IAVF_EMU_AF_CAP_OFF + CFG_AF_LENGTH, 6);
	cfg_w8(c, IAVF_EMU_AF_CAP_OFF + CFG_AF_CAP,
	       CFG_AF_CAP_TP | CFG_AF_CAP_FLR);

	/* Writable bits. BARs are owned by the client: read-only here. */
	cfg_w16(m, RTE_PCI_COMMAND, RTE_PCI_COMMAND_MEMORY |
		RTE_PCI_COMMAND_MASTER | CFG_COMMAND_PARITY | CFG_COMMAND_SERR |
		RTE_PCI_COMMAND_INTX_DISABLE);
	cfg_w8(m, CFG_CACHE_LINE_SIZE, 0xff);
	cfg_w8(m, CFG_INTERRUPT_LINE, 0xff);
	cfg_w16(m, IAVF_EMU_MSIX_CAP_OFF + RTE_PCI_MSIX_FLAGS,
		RTE_PCI_MSIX_FLAGS_ENABLE | RTE_PCI_MSIX_FLAGS_MASKALL);
	cfg_w8(m, IAVF_EMU_AF_CAP_OFF + CFG_AF_CTRL, CFG_AF_CTRL_FLR);
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
