/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Admin queue (mailbox) of the emulated AVF, transmit side: the PF side of
 * iavf_adminq.c. The VF posts commands on the ATQ (send_msg_to_pf, 0x0801)
 * and receives replies and events on the ARQ (send_msg_to_vf, 0x0802,
 * iavf_emu_arq.c).
 * Descriptors (struct iavf_aq_desc) and buffers live in guest memory and
 * are reached through the vfio-user DMA helpers, which check every access
 * against the client's DMA map.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "iavf_emu.h"

/*
 * Reset step 1: the queues stop (ATQLEN = ARQLEN = 0, "ARQENABLE == 0" is
 * the reset both drivers wait for); messages not delivered yet are lost.
 * Heads, tails and bases stay: the guest may still be reading ARQH.
 */
void
iavf_emu_aq_disable(struct iavf_emu_dev *dev)
{
	iavf_emu_reg_set(dev, IAVF_VF_ATQLEN1, 0);
	iavf_emu_reg_set(dev, IAVF_VF_ARQLEN1, 0);
	iavf_emu_arq_clear(dev);
}

/* Reset step 2: internal state follows the (kept or zeroed) registers. */
void
iavf_emu_aq_reset(struct iavf_emu_dev *dev)
{
	dev->atq_head = iavf_emu_reg(dev, IAVF_VF_ATQH1);
	iavf_emu_arq_clear(dev);
	dev->irq0_pending = false;
}

/*
 * Handle one ATQ descriptor; returns the descriptor to write back.
 * The virtchnl handler posts its reply on the ARQ before we return, so the
 * reply is there when the driver looks (30 ms after VERSION for Linux).
 */
static void
atq_handle(struct iavf_emu_dev *dev, struct iavf_aq_desc *d)
{
	uint16_t flags = rte_le_to_cpu_16(d->flags);
	uint16_t opcode = rte_le_to_cpu_16(d->opcode);
	uint16_t datalen = rte_le_to_cpu_16(d->datalen);
	uint16_t retval = IAVF_AQ_RC_OK;
	uint32_t v_opcode;
	bool msg_ok = true;
	int ret;

	switch (opcode) {
	case iavf_aqc_opc_send_msg_to_pf:
		v_opcode = rte_le_to_cpu_32(d->cookie_high);
		if (datalen > 0 && !(flags & IAVF_AQ_FLAG_BUF)) {
			iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ,
				"virtchnl op %u: %u bytes without buffer",
				v_opcode, datalen);
			msg_ok = false;
			retval = IAVF_AQ_RC_EINVAL;
		} else if (datalen > IAVF_EMU_AQ_BUF_MAX) {
			iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ,
				"virtchnl op %u: %u bytes > %u", v_opcode,
				datalen, IAVF_EMU_AQ_BUF_MAX);
			msg_ok = false;
			retval = IAVF_AQ_RC_E2BIG;
		} else if (datalen > 0) {
			ret = rte_vfio_user_dma_read(dev->vfu_id, iavf_emu_aq_desc_addr(d),
						     dev->aq_buf, datalen);
			if (ret != 0) {
				iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ_DMA,
					"virtchnl op %u: buffer 0x%" PRIx64 "+%u: %s",
					v_opcode, iavf_emu_aq_desc_addr(d), datalen,
					strerror(-ret));
				msg_ok = false;
				retval = IAVF_AQ_RC_BAD_ADDR;
			}
		}
		iavf_emu_vc_handle(dev, v_opcode, dev->aq_buf,
				   msg_ok ? datalen : 0, msg_ok);
		break;
	case iavf_aqc_opc_queue_shutdown:
		/* Direct command the driver sends before tearing the AQ down. */
		break;
	default:
		iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ,
			"unsupported admin command 0x%04x", opcode);
		retval = IAVF_AQ_RC_ENOSYS;
		break;
	}

	flags |= IAVF_AQ_FLAG_DD | IAVF_AQ_FLAG_CMP;
	if (retval != IAVF_AQ_RC_OK)
		flags |= IAVF_AQ_FLAG_ERR;
	else
		flags &= ~IAVF_AQ_FLAG_ERR;
	d->flags = rte_cpu_to_le_16(flags);
	d->retval = rte_cpu_to_le_16(retval);
}

/* ATQ tail written (or bus mastering enabled): consume head..tail-1. */
void
iavf_emu_atq_process(struct iavf_emu_dev *dev)
{
	uint32_t lenreg = iavf_emu_reg(dev, IAVF_VF_ATQLEN1);
	uint16_t len = lenreg & IAVF_EMU_AQ_LEN_MASK;
	uint16_t tail = iavf_emu_reg(dev, IAVF_VF_ATQT1);
	struct iavf_aq_desc d;
	uint64_t base, addr;
	int ret;

	if (!(lenreg & IAVF_VF_ATQLEN1_ATQENABLE_MASK) || len == 0)
		return;
	if (!dev->bus_master)
		return;	/* no DMA before bus mastering; redone when set */
	if (tail >= len || dev->atq_head >= len) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ,
			"ATQ head %u / tail %u outside length %u",
			dev->atq_head, tail, len);
		return;
	}
	base = iavf_emu_aq_base(dev, IAVF_VF_ATQBAL1, IAVF_VF_ATQBAH1);
	if (!iavf_emu_aq_ring_ok(base, len)) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ,
			"ATQ ring 0x%" PRIx64 " x %u wraps past 2^64",
			base, len);
		return;
	}

	while (dev->atq_head != tail) {
		addr = base + (uint64_t)dev->atq_head * sizeof(struct iavf_aq_desc);
		ret = rte_vfio_user_dma_read(dev->vfu_id, addr, &d, sizeof(d));
		if (ret != 0) {
			iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ_DMA,
				"ATQ descriptor at 0x%" PRIx64 ": %s", addr,
				strerror(-ret));
			iavf_emu_reg_set(dev, IAVF_VF_ATQLEN1,
				iavf_emu_reg(dev, IAVF_VF_ATQLEN1) |
				IAVF_VF_ATQLEN1_ATQCRIT_MASK);
			return;
		}
		atq_handle(dev, &d);
		ret = rte_vfio_user_dma_write(dev->vfu_id, addr, &d, sizeof(d));
		if (ret != 0)
			iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ_DMA,
				"ATQ write-back at 0x%" PRIx64 ": %s", addr,
				strerror(-ret));
		dev->atq_head = (dev->atq_head + 1) % len;
		iavf_emu_reg_set(dev, IAVF_VF_ATQH1, dev->atq_head);

		if (dev->vfr != IAVF_EMU_VFR_IDLE) {
			/* RESET_VF: the PF takes no message after it. */
			return;
		}
		/* The handler may have disabled or reset the queue. */
		lenreg = iavf_emu_reg(dev, IAVF_VF_ATQLEN1);
		if (!(lenreg & IAVF_VF_ATQLEN1_ATQENABLE_MASK) ||
		    (lenreg & IAVF_EMU_AQ_LEN_MASK) != len)
			return;
	}
}
