/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * BAR0 of the emulated AVF (iavf_register.h offsets, VF view).
 *
 * 0x0000-0x3FFF holds the doorbell page: QTX_TAIL1(q) at 0x0000 + 4q,
 * QRX_TAIL1(q) at 0x2000 + 4q, VFINT_ITRN1(i, v) at 0x2800 + 64i + 4v and
 * VFINT_DYN_CTLN1(v) at 0x3800 + 4v. With doorbell=shared it is a memory
 * page the client maps (accesses never reach this file); with
 * doorbell=trapped it is private memory written here.
 *
 * Everything above is trapped: admin queue registers, vector 0 interrupt
 * registers, VFGEN_RSTAT and the RSS registers. Registers are 32 bit;
 * unknown offsets read 0 and writes to them are ignored and counted.
 */

#include <string.h>

#include <rte_common.h>

#include "iavf_emu.h"

#define AQ_LEN_REG_MASK	(IAVF_EMU_AQ_LEN_MASK | IAVF_VF_ATQLEN1_ATQENABLE_MASK)

void
iavf_emu_regs_set_rstat(struct iavf_emu_dev *dev, uint32_t state)
{
	/* VFGEN_RSTAT.VFR_STATE: 0 in progress, 1 completed, 2 VF active. */
	iavf_emu_reg_set(dev, IAVF_VFGEN_RSTAT,
			 state & IAVF_VFGEN_RSTAT_VFR_STATE_MASK);
}

/* Admin queue registers a VF reset or FLR leaves to the driver (reset.c). */
static const uint32_t aq_kept_regs[] = {
	IAVF_VF_ATQBAL1, IAVF_VF_ATQBAH1, IAVF_VF_ATQH1, IAVF_VF_ATQT1,
	IAVF_VF_ARQBAL1, IAVF_VF_ARQBAH1, IAVF_VF_ARQH1, IAVF_VF_ARQT1,
};

/*
 * Every register but VFGEN_RSTAT returns to its reset value (0); with
 * keep_aq the admin queue heads, tails and bases keep theirs.
 */
void
iavf_emu_regs_reset(struct iavf_emu_dev *dev, bool keep_aq)
{
	uint32_t rstat = iavf_emu_reg(dev, IAVF_VFGEN_RSTAT);
	uint32_t kept[RTE_DIM(aq_kept_regs)];
	uint32_t i;

	for (i = 0; i < RTE_DIM(aq_kept_regs); i++)
		kept[i] = iavf_emu_reg(dev, aq_kept_regs[i]);
	memset(dev->regs, 0, sizeof(dev->regs));
	iavf_emu_reg_set(dev, IAVF_VFGEN_RSTAT, rstat);
	if (keep_aq)
		for (i = 0; i < RTE_DIM(aq_kept_regs); i++)
			iavf_emu_reg_set(dev, aq_kept_regs[i], kept[i]);
	if (dev->db != NULL)
		memset(dev->db, 0, IAVF_EMU_DB_SIZE);
}

/* ---------------------------------------------------- doorbell page */

static uint32_t
db_read(struct iavf_emu_dev *dev, uint32_t off)
{
	return rte_atomic_load_explicit(&dev->db[off / 4], rte_memory_order_acquire);
}

static void
db_write(struct iavf_emu_dev *dev, uint32_t off, uint32_t val)
{
	uint32_t nq = dev->num_qp;
	struct iavf_emu_queue *q = NULL;
	uint32_t idx;

	if (off < IAVF_QTX_TAIL1(nq)) {
		q = &dev->txq[off / 4];
	} else if (off >= IAVF_QRX_TAIL1(0) && off < IAVF_QRX_TAIL1(nq)) {
		q = &dev->rxq[(off - IAVF_QRX_TAIL1(0)) / 4];
	} else if (off >= IAVF_VFINT_ITRN1(0, 0) &&
		   off < IAVF_VFINT_ITRN1(3, 0)) {
		idx = (off - IAVF_VFINT_ITRN1(0, 0)) % 64 / 4;
		if (idx >= nq)
			goto reserved;
		rte_atomic_store_explicit(&dev->db[off / 4], val & 0xFFF,
				rte_memory_order_release);
		return;
	} else if (off >= IAVF_VFINT_DYN_CTLN1(0) &&
		   off < IAVF_VFINT_DYN_CTLN1(nq)) {
		rte_atomic_store_explicit(&dev->db[off / 4], val,
				rte_memory_order_release);
		iavf_emu_irq_dynctln_written(dev,
			(off - IAVF_VFINT_DYN_CTLN1(0)) / 4 + 1);
		return;
	}
	if (q == NULL)
		goto reserved;

	/* Tail: one past the last descriptor the guest made available. */
	if (iavf_emu_in_reset(dev)) {
		iavf_emu_stale_tail(dev, "written during a reset", off, val);
		return;
	}
	if (q->configured && val >= q->pub.ring_len) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_TAIL,
			"%s queue %u tail %u >= ring length %u",
			q->pub.is_tx ? "TX" : "RX", q->pub.qid, val,
			q->pub.ring_len);
		return;
	}
	rte_atomic_store_explicit(&dev->db[off / 4], val,
			rte_memory_order_release);
	return;

reserved:
	iavf_emu_count_err(dev, IAVF_EMU_ERR_REG,
		"write 0x%08x to reserved offset 0x%04x", val, off);
}

/* ------------------------------------------------- trapped registers */

static uint32_t
reg_read(struct iavf_emu_dev *dev, uint32_t off)
{
	uint32_t val = iavf_emu_reg(dev, off);

	/* VFINT_ICR01: "these reads clear the registers"; the driver
	 * has seen the events, nothing is left to deliver.
	 */
	if (off == IAVF_VFINT_ICR01) {
		iavf_emu_reg_set(dev, off, 0);
		dev->irq0_pending = false;
	}
	return val;
}

static void
rss_regs_sync(struct iavf_emu_dev *dev)
{
	uint32_t i;

	/* Without RSS_PF a driver programs RSS through these registers. */
	rte_rwlock_write_lock(&dev->cfg_lock);
	for (i = 0; i <= IAVF_VFQF_HKEY_MAX_INDEX; i++) {
		uint32_t v = iavf_emu_reg(dev, IAVF_VFQF_HKEY(i));

		memcpy(&dev->rss.key[i * 4], &v, 4);
	}
	dev->rss.key_len = IAVF_EMU_RSS_KEY_SIZE;
	for (i = 0; i <= IAVF_VFQF_HLUT_MAX_INDEX; i++) {
		uint32_t v = iavf_emu_reg(dev, IAVF_VFQF_HLUT(i));
		uint32_t b;

		for (b = 0; b < 4; b++)
			dev->rss.lut[i * 4 + b] =
				((v >> (8 * b)) & 0xff) % dev->num_qp;
	}
	dev->rss.lut_len = IAVF_EMU_RSS_LUT_SIZE;
	dev->rss.hena = iavf_emu_reg(dev, IAVF_VFQF_HENA(0)) |
		((uint64_t)iavf_emu_reg(dev, IAVF_VFQF_HENA(1)) << 32);
	dev->rss.enabled = true;
	iavf_emu_rss_changed(dev);
	rte_rwlock_write_unlock(&dev->cfg_lock);
}

static void
reg_write(struct iavf_emu_dev *dev, uint32_t off, uint32_t val)
{
	uint32_t old;

	switch (off) {
	case IAVF_VF_ATQBAL1:
	case IAVF_VF_ATQBAH1:
	case IAVF_VF_ARQBAL1:
	case IAVF_VF_ARQBAH1:
		/* Latched; used when a tail is written (LEN comes first). */
		iavf_emu_reg_set(dev, off, val);
		break;
	case IAVF_VF_ATQLEN1:
		old = iavf_emu_reg(dev, off);
		iavf_emu_reg_set(dev, off, val & AQ_LEN_REG_MASK);
		if (!(val & IAVF_VF_ATQLEN1_ATQENABLE_MASK) ||
		    !(old & IAVF_VF_ATQLEN1_ATQENABLE_MASK))
			dev->atq_head = iavf_emu_reg(dev, IAVF_VF_ATQH1);
		break;
	case IAVF_VF_ATQH1:
		/* Device owned; the driver only zeroes it at (re)init. */
		iavf_emu_reg_set(dev, off, val & IAVF_EMU_AQ_LEN_MASK);
		dev->atq_head = val & IAVF_EMU_AQ_LEN_MASK;
		break;
	case IAVF_VF_ATQT1:
		iavf_emu_reg_set(dev, off, val & IAVF_EMU_AQ_LEN_MASK);
		/* Answer synchronously: the driver looks 30 ms later. */
		iavf_emu_atq_process(dev);
		break;
	case IAVF_VF_ARQLEN1:
		iavf_emu_reg_set(dev, off, val & AQ_LEN_REG_MASK);
		iavf_emu_arq_drain(dev);
		break;
	case IAVF_VF_ARQH1:
		iavf_emu_reg_set(dev, off, val & IAVF_EMU_AQ_LEN_MASK);
		break;
	case IAVF_VF_ARQT1:
		iavf_emu_reg_set(dev, off, val & IAVF_EMU_AQ_LEN_MASK);
		iavf_emu_arq_drain(dev);
		break;
	case IAVF_VFINT_ICR0_ENA1:
		iavf_emu_reg_set(dev, off, val &
			~(uint32_t)(1u << IAVF_VFINT_ICR0_ENA1_RSVD_SHIFT));
		iavf_emu_irq0_eval(dev);
		break;
	case IAVF_VFINT_DYN_CTL01:
		/* SWINT_TRIG and CLEARPBA are actions, not state. */
		iavf_emu_reg_set(dev, off, val &
			~(uint32_t)(IAVF_VFINT_DYN_CTL01_SWINT_TRIG_MASK |
				    IAVF_VFINT_DYN_CTL01_CLEARPBA_MASK));
		if (val & IAVF_VFINT_DYN_CTL01_SWINT_TRIG_MASK)
			iavf_emu_irq_fire(dev, 0);
		/* An event that arrived while masked still fires, CLEARPBA
		 * or not: this PF answers inside the VF's ATQ write, so a
		 * reply can land between DPDK's last ARQH read and its
		 * re-arm (INTENA | CLEARPBA), where no real PF is that fast.
		 */
		iavf_emu_irq0_eval(dev);
		break;
	case IAVF_VFINT_ITR01(0):
	case IAVF_VFINT_ITR01(1):
	case IAVF_VFINT_ITR01(2):
		iavf_emu_reg_set(dev, off, val & 0xFFF);
		break;
	case IAVF_VFINT_STAT_CTL01:
		iavf_emu_reg_set(dev, off, val);
		break;
	case IAVF_VFINT_ICR01:
	case IAVF_VFGEN_RSTAT:
		/* Read-only: ignored (not an error a driver makes). */
		break;
	default:
		if ((off >= IAVF_VFQF_HENA(0) && off <= IAVF_VFQF_HENA(1)) ||
		    (off >= IAVF_VFQF_HKEY(0) &&
		     off <= IAVF_VFQF_HKEY(IAVF_VFQF_HKEY_MAX_INDEX)) ||
		    (off >= IAVF_VFQF_HLUT(0) &&
		     off <= IAVF_VFQF_HLUT(IAVF_VFQF_HLUT_MAX_INDEX))) {
			iavf_emu_reg_set(dev, off, val);
			rss_regs_sync(dev);
			break;
		}
		iavf_emu_count_err(dev, IAVF_EMU_ERR_REG,
			"write 0x%08x to reserved offset 0x%04x", val, off);
		break;
	}
}

static int
bar0_access32(struct iavf_emu_dev *dev, uint32_t off, uint32_t *val,
		bool is_write)
{
	if (off < IAVF_EMU_DB_SIZE) {
		/* Only reached with doorbell=trapped. */
		if (dev->db == NULL) {
			if (!is_write)
				*val = 0;
			return 0;
		}
		if (is_write)
			db_write(dev, off, *val);
		else
			*val = db_read(dev, off);
		return 0;
	}
	if (is_write)
		reg_write(dev, off, *val);
	else
		*val = reg_read(dev, off);
	return 0;
}

/* A trapped BAR0 access (the reset step of the access is done). */
void
iavf_emu_bar0_access(struct iavf_emu_dev *dev, uint64_t offset, void *buf,
		uint32_t count, bool is_write)
{
	uint32_t i, val;

	if ((count != 4 && count != 8) || (offset & (count - 1)) != 0 ||
	    offset > IAVF_EMU_BAR0_SIZE - count) {
		/* Registers are 32 bit: other sizes read 0, writes dropped. */
		iavf_emu_count_err(dev, IAVF_EMU_ERR_REG,
			"%u-byte %s at offset 0x%" PRIx64, count,
			is_write ? "write" : "read", offset);
		if (!is_write)
			memset(buf, 0, count);
		return;
	}

	/* A 64-bit access is two 32-bit register accesses. */
	for (i = 0; i < count; i += 4) {
		if (is_write) {
			memcpy(&val, (uint8_t *)buf + i, 4);
			val = rte_le_to_cpu_32(val);
		}
		bar0_access32(dev, offset + i, &val, is_write);
		if (!is_write) {
			val = rte_cpu_to_le_32(val);
			memcpy((uint8_t *)buf + i, &val, 4);
		}
	}
}
