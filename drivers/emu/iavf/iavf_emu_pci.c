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

#include <linux/pci_regs.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "iavf_emu.h"

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
	const uint32_t bar_type = PCI_BASE_ADDRESS_SPACE_MEMORY |
		PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH;

	memset(c, 0, IAVF_EMU_CONFIG_SIZE);
	memset(m, 0, IAVF_EMU_CONFIG_SIZE);

	/* Type 0 header. */
	cfg_w16(c, PCI_VENDOR_ID, IAVF_EMU_VENDOR_ID);
	cfg_w16(c, PCI_DEVICE_ID, IAVF_EMU_DEVICE_ID);
	cfg_w16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	cfg_w8(c, PCI_REVISION_ID, IAVF_EMU_REVISION);
	cfg_w8(c, PCI_CLASS_PROG, IAVF_EMU_CLASS_CODE & 0xff);
	cfg_w16(c, PCI_CLASS_DEVICE, IAVF_EMU_CLASS_CODE >> 8);
	cfg_w8(c, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	/* BAR0 (+BAR1): registers; BAR3 (+BAR4): MSI-X. 64-bit memory. */
	cfg_w32(c, PCI_BASE_ADDRESS_0, bar_type);
	cfg_w32(c, PCI_BASE_ADDRESS_3, bar_type);
	cfg_w16(c, PCI_SUBSYSTEM_VENDOR_ID, IAVF_EMU_SUBSYS_VENDOR_ID);
	cfg_w16(c, PCI_SUBSYSTEM_ID, IAVF_EMU_SUBSYS_ID);
	cfg_w8(c, PCI_CAPABILITY_LIST, IAVF_EMU_MSIX_CAP_OFF);
	/* A VF has no INTx: interrupt pin 0. */
	cfg_w8(c, PCI_INTERRUPT_PIN, 0);

	/* MSI-X: one vector per queue pair plus vector 0 (admin queue). */
	cfg_w8(c, IAVF_EMU_MSIX_CAP_OFF + PCI_CAP_LIST_ID, PCI_CAP_ID_MSIX);
	cfg_w8(c, IAVF_EMU_MSIX_CAP_OFF + PCI_CAP_LIST_NEXT,
	       IAVF_EMU_AF_CAP_OFF);
	cfg_w16(c, IAVF_EMU_MSIX_CAP_OFF + PCI_MSIX_FLAGS, dev->num_qp);
	cfg_w32(c, IAVF_EMU_MSIX_CAP_OFF + PCI_MSIX_TABLE,
		IAVF_EMU_MSIX_TABLE_OFF | IAVF_EMU_MSIX_BAR);
	cfg_w32(c, IAVF_EMU_MSIX_CAP_OFF + PCI_MSIX_PBA,
		IAVF_EMU_MSIX_PBA_OFF | IAVF_EMU_MSIX_BAR);

	/*
	 * Advanced Features: function level reset on a conventional PCI
	 * function (PCI Advanced Capabilities ECN), so that the guest can
	 * reset the device (Linux pci_af_flr(), sysfs "reset").
	 */
	cfg_w8(c, IAVF_EMU_AF_CAP_OFF + PCI_CAP_LIST_ID, PCI_CAP_ID_AF);
	cfg_w8(c, IAVF_EMU_AF_CAP_OFF + PCI_CAP_LIST_NEXT, 0);
	cfg_w8(c, IAVF_EMU_AF_CAP_OFF + PCI_AF_LENGTH, 6);
	cfg_w8(c, IAVF_EMU_AF_CAP_OFF + PCI_AF_CAP,
	       PCI_AF_CAP_TP | PCI_AF_CAP_FLR);

	/* Writable bits. BARs are owned by the client: read-only here. */
	cfg_w16(m, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
		PCI_COMMAND_INTX_DISABLE);
	cfg_w8(m, PCI_CACHE_LINE_SIZE, 0xff);
	cfg_w8(m, PCI_INTERRUPT_LINE, 0xff);
	cfg_w16(m, IAVF_EMU_MSIX_CAP_OFF + PCI_MSIX_FLAGS,
		PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	cfg_w8(m, IAVF_EMU_AF_CAP_OFF + PCI_AF_CTRL, PCI_AF_CTRL_FLR);
}

/* [off, off + count) and [reg, reg + size) share a byte (no end sums). */
static bool
overlaps(uint32_t off, uint32_t count, uint32_t reg, uint32_t size)
{
	if (count == 0 || size == 0)
		return false;
	return off <= reg ? reg - off < count : off - reg < size;
}

void
iavf_emu_pci_config_write(struct iavf_emu_dev *dev, uint32_t offset,
		uint32_t count)
{
	uint8_t *c = rte_vfio_user_get_config(dev->vfu_id);
	uint32_t af_ctrl = IAVF_EMU_AF_CAP_OFF + PCI_AF_CTRL;
	uint32_t msix_flags = IAVF_EMU_MSIX_CAP_OFF + PCI_MSIX_FLAGS;
	bool bme, msix;

	if (c == NULL)
		return;

	if (overlaps(offset, count, PCI_COMMAND, 2)) {
		bme = (cfg_r16(c, PCI_COMMAND) & PCI_COMMAND_MASTER) != 0;
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
		msix = (cfg_r16(c, msix_flags) & PCI_MSIX_FLAGS_ENABLE) != 0;
		__atomic_store_n(&dev->msix_enabled, msix ? 1 : 0,
				 __ATOMIC_RELEASE);
		if (msix)
			iavf_emu_irq0_eval(dev);
	}

	if (overlaps(offset, count, af_ctrl, 1) &&
	    (c[af_ctrl] & PCI_AF_CTRL_FLR) != 0) {
		/* "Initiate FLR" reads back as 0; the reset is immediate. */
		c[af_ctrl] &= ~PCI_AF_CTRL_FLR;
		iavf_emu_reset(dev, IAVF_EMU_RESET_FLR);
	}
}

/* A function reset returns the writable config state to its defaults. */
void
iavf_emu_pci_reset(struct iavf_emu_dev *dev)
{
	uint8_t *c = rte_vfio_user_get_config(dev->vfu_id);
	uint32_t msix_flags = IAVF_EMU_MSIX_CAP_OFF + PCI_MSIX_FLAGS;

	dev->bus_master = false;
	__atomic_store_n(&dev->msix_enabled, 0, __ATOMIC_RELEASE);
	if (c == NULL)
		return;
	cfg_w16(c, PCI_COMMAND, 0);
	cfg_w16(c, msix_flags, cfg_r16(c, msix_flags) &
		~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
	c[IAVF_EMU_AF_CAP_OFF + PCI_AF_CTRL] = 0;
}

/*
 * MSI-X BAR: the client emulates the table and only forwards PBA reads.
 * Pending state lives in the client (masked vectors); report none.
 */
int
iavf_emu_msix_bar_access(int vfu_id, uint32_t index __rte_unused,
		uint64_t offset __rte_unused, void *buf, uint32_t count,
		bool is_write)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_get(vfu_id);

	if (dev == NULL)
		return -ENODEV;
	if (!is_write)
		memset(buf, 0, count);
	return 0;
}
