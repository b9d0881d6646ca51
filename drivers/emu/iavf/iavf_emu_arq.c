/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Admin receive queue of the emulated AVF: replies and events to the VF
 * (send_msg_to_vf, 0x0802), written into the buffers the driver posted on
 * the ARQ. Messages that find no free slot wait in a small backlog until
 * the driver writes ARQT. Descriptors and buffers are reached through the
 * vfio-user DMA helpers, which check every access against the client's
 * DMA map.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "iavf_emu.h"

/* Messages not delivered yet are lost (a reset). */
void
iavf_emu_arq_clear(struct iavf_emu_dev *dev)
{
	dev->arq_backlog_head = 0;
	dev->arq_backlog_count = 0;
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
	addr = iavf_emu_aq_base(dev, IAVF_VF_ARQBAL1, IAVF_VF_ARQBAH1);
	if (!iavf_emu_aq_ring_ok(addr, len)) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ,
			"ARQ ring 0x%" PRIx64 " x %u wraps past 2^64",
			addr, len);
		return ARQ_NO_SLOT;
	}

	addr += (uint64_t)head * sizeof(struct iavf_aq_desc);
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
		ret = rte_vfio_user_dma_write(dev->vfu_id,
			iavf_emu_aq_desc_addr(&d), m->data, m->len);
		if (ret != 0) {
			iavf_emu_count_err(dev, IAVF_EMU_ERR_AQ_DMA,
				"ARQ buffer 0x%" PRIx64 "+%u: %s",
				iavf_emu_aq_desc_addr(&d), m->len, strerror(-ret));
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
