/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Admin queue (mailbox) of the emulated AVF: the PF side of
 * iavf_adminq.c. The VF posts commands on the ATQ (send_msg_to_pf, 0x0801)
 * and receives replies and events on the ARQ (send_msg_to_vf, 0x0802).
 * Descriptors (struct iavf_aq_desc) and buffers live in guest memory and
 * are reached through the vfio-user DMA helpers, which check every access
 * against the client's DMA map.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "iavf_emu.h"

#define AQ_DESC_SIZE sizeof(struct iavf_aq_desc)

static uint64_t
aq_base(struct iavf_emu_dev *dev, uint32_t bal, uint32_t bah)
{
	return ((uint64_t)iavf_emu_reg(dev, bah) << 32) | iavf_emu_reg(dev, bal);
}

static uint64_t
desc_addr(const struct iavf_aq_desc *d)
{
	return ((uint64_t)rte_le_to_cpu_32(d->params.external.addr_high) << 32) |
		rte_le_to_cpu_32(d->params.external.addr_low);
}

/*
 * A ring is one range of guest memory: [base, base + len * 32) must not
 * wrap past 2^64 - 1 (checked without computing its end).
 */
static bool
aq_ring_ok(uint64_t base, uint16_t len)
{
	return len != 0 && (uint64_t)len * AQ_DESC_SIZE - 1 <= UINT64_MAX - base;
}

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
	dev->arq_backlog_head = 0;
	dev->arq_backlog_count = 0;
}

/* Reset step 2: internal state follows the (kept or zeroed) registers. */
void
iavf_emu_aq_reset(struct iavf_emu_dev *dev)
{
	dev->atq_head = iavf_emu_reg(dev, IAVF_VF_ATQH1);
	dev->arq_backlog_head = 0;
	dev->arq_backlog_count = 0;
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
			ret = rte_vfio_user_dma_read(dev->vfu_id, desc_addr(d),
						     dev->aq_buf, datalen);
			if (ret != 0) {
				iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ_DMA,
					"virtchnl op %u: buffer 0x%" PRIx64 "+%u: %s",
					v_opcode, desc_addr(d), datalen,
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
	base = aq_base(dev, IAVF_VF_ATQBAL1, IAVF_VF_ATQBAH1);
	if (!aq_ring_ok(base, len)) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ,
			"ATQ ring 0x%" PRIx64 " x %u wraps past 2^64",
			base, len);
		return;
	}

	while (dev->atq_head != tail) {
		addr = base + (uint64_t)dev->atq_head * AQ_DESC_SIZE;
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

enum arq_result {
	ARQ_POSTED,
	ARQ_NO_SLOT,	/* keep the message for later */
	ARQ_DROPPED,	/* the message cannot be delivered */
};

static enum arq_result
arq_post_one(struct iavf_emu_dev *dev, const struct iavf_emu_arq_msg *m)
{
	uint32_t lenreg = iavf_emu_reg(dev, IAVF_VF_ARQLEN1);
	uint16_t len = lenreg & IAVF_EMU_AQ_LEN_MASK;
	uint16_t head = iavf_emu_reg(dev, IAVF_VF_ARQH1);
	uint16_t tail = iavf_emu_reg(dev, IAVF_VF_ARQT1);
	struct iavf_aq_desc d;
	uint64_t addr;
	uint16_t flags;
	int ret;

	if (!(lenreg & IAVF_VF_ARQLEN1_ARQENABLE_MASK) || len == 0 ||
	    !dev->bus_master)
		return ARQ_NO_SLOT;
	if (head >= len || tail >= len) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ,
			"ARQ head %u / tail %u outside length %u",
			head, tail, len);
		return ARQ_NO_SLOT;
	}
	/* The device owns slots head..tail-1: head == tail means full. */
	if (head == tail)
		return ARQ_NO_SLOT;
	addr = aq_base(dev, IAVF_VF_ARQBAL1, IAVF_VF_ARQBAH1);
	if (!aq_ring_ok(addr, len)) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ,
			"ARQ ring 0x%" PRIx64 " x %u wraps past 2^64",
			addr, len);
		return ARQ_NO_SLOT;
	}

	addr += (uint64_t)head * AQ_DESC_SIZE;
	ret = rte_vfio_user_dma_read(dev->vfu_id, addr, &d, sizeof(d));
	if (ret != 0) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ_DMA,
			"ARQ descriptor at 0x%" PRIx64 ": %s", addr,
			strerror(-ret));
		return ARQ_DROPPED;
	}
	flags = rte_le_to_cpu_16(d.flags);
	if (m->len > 0) {
		if (!(flags & IAVF_AQ_FLAG_BUF) ||
		    m->len > rte_le_to_cpu_16(d.datalen)) {
			iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ,
				"ARQ slot %u: buffer of %u bytes for a %u-byte message",
				head, (flags & IAVF_AQ_FLAG_BUF) ?
				rte_le_to_cpu_16(d.datalen) : 0, m->len);
			return ARQ_DROPPED;
		}
		ret = rte_vfio_user_dma_write(dev->vfu_id, desc_addr(&d),
					      m->data, m->len);
		if (ret != 0) {
			iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ_DMA,
				"ARQ buffer 0x%" PRIx64 "+%u: %s",
				desc_addr(&d), m->len, strerror(-ret));
			return ARQ_DROPPED;
		}
	}

	/* No ERR flag: both drivers drop messages that carry it. */
	d.flags = rte_cpu_to_le_16(IAVF_AQ_FLAG_DD | IAVF_AQ_FLAG_CMP |
		(flags & (IAVF_AQ_FLAG_BUF | IAVF_AQ_FLAG_LB)));
	d.opcode = rte_cpu_to_le_16(iavf_aqc_opc_send_msg_to_vf);
	d.datalen = rte_cpu_to_le_16(m->len);
	d.retval = 0;
	d.cookie_high = rte_cpu_to_le_32(m->v_opcode);
	d.cookie_low = rte_cpu_to_le_32((uint32_t)m->v_status);
	ret = rte_vfio_user_dma_write(dev->vfu_id, addr, &d, sizeof(d));
	if (ret != 0) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ_DMA,
			"ARQ write-back at 0x%" PRIx64 ": %s", addr,
			strerror(-ret));
		return ARQ_DROPPED;
	}
	iavf_emu_reg_set(dev, IAVF_VF_ARQH1, (head + 1) % len);

	/* Cause for vector 0, latched even when not enabled (polling). */
	iavf_emu_reg_set(dev, IAVF_VFINT_ICR01,
		iavf_emu_reg(dev, IAVF_VFINT_ICR01) |
		IAVF_VFINT_ICR01_ADMINQ_MASK);
	dev->irq0_pending = true;
	iavf_emu_irq0_eval(dev);
	return ARQ_POSTED;
}

void
iavf_emu_arq_drain(struct iavf_emu_dev *dev)
{
	struct iavf_emu_arq_msg *m;

	while (dev->arq_backlog_count > 0) {
		m = &dev->arq_backlog[dev->arq_backlog_head];
		if (arq_post_one(dev, m) == ARQ_NO_SLOT)
			return;
		dev->arq_backlog_head = (dev->arq_backlog_head + 1) %
			IAVF_EMU_ARQ_BACKLOG;
		dev->arq_backlog_count--;
	}
}

void
iavf_emu_arq_post(struct iavf_emu_dev *dev, uint32_t v_opcode,
		int32_t v_status, const void *msg, uint16_t len)
{
	struct iavf_emu_arq_msg *m;
	uint16_t idx;

	if (dev->arq_backlog_count == IAVF_EMU_ARQ_BACKLOG ||
	    len > IAVF_EMU_ARQ_MSG_MAX) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_ARQ_FULL,
			"virtchnl op %u reply dropped (%u queued)", v_opcode,
			dev->arq_backlog_count);
		return;
	}
	idx = (dev->arq_backlog_head + dev->arq_backlog_count) %
		IAVF_EMU_ARQ_BACKLOG;
	m = &dev->arq_backlog[idx];
	m->v_opcode = v_opcode;
	m->v_status = v_status;
	m->len = len;
	if (len > 0)
		memcpy(m->data, msg, len);
	dev->arq_backlog_count++;
	iavf_emu_arq_drain(dev);
}
