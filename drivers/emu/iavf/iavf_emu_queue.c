/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Queue state of the emulated AVF and guest memory as the data path sees
 * it: access locks, ring translation at enable time, the per-queue
 * translation cache and the rte_iavf_emu_* queue API.
 *
 * Locking: a backend burst holds a queue's access lock (trylock). The
 * control thread takes it to change the queue (enable, disable, reset,
 * configure) and takes all of them in vfio-user's lock_dp window, in which
 * the DMA table and eventfds change. So guest memory a burst translated
 * stays mapped until it drops the lock.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "iavf_emu.h"

uint32_t
iavf_emu_queue_event_id(const struct iavf_emu_queue *q)
{
	/* emudev queue numbering: 2 * pair + (guest TX ? 1 : 0). */
	return 2u * q->pub.qid + (q->pub.is_tx ? 1 : 0);
}

static void
queue_init(struct iavf_emu_dev *dev, struct iavf_emu_queue *q, uint16_t qid,
		bool is_tx)
{
	memset(q, 0, sizeof(*q));
	rte_spinlock_init(&q->pub.access_lock);
	q->pub.is_tx = is_tx;
	q->pub.qid = qid;
	iavf_emu_queue_set_vector(dev, q, RTE_IAVF_EMU_NO_VECTOR);
	q->pub.mem_gen = dev->mem_gen;
	q->pub.dev = dev;
	q->itr_idx = 3;
	q->rxdid = VIRTCHNL_RXDID_1_32B_BASE;
}

void
iavf_emu_queues_set_tails(struct iavf_emu_dev *dev)
{
	uint16_t i;

	if (dev->db == NULL)
		return;
	for (i = 0; i < RTE_IAVF_EMU_MAX_QP; i++) {
		dev->txq[i].pub.tail = (volatile uint32_t *)(uintptr_t)
			&dev->db[IAVF_QTX_TAIL1(i) / 4];
		dev->rxq[i].pub.tail = (volatile uint32_t *)(uintptr_t)
			&dev->db[IAVF_QRX_TAIL1(i) / 4];
	}
}

void
iavf_emu_queues_init(struct iavf_emu_dev *dev)
{
	uint16_t i;

	for (i = 0; i < RTE_IAVF_EMU_MAX_QP; i++) {
		queue_init(dev, &dev->txq[i], i, true);
		queue_init(dev, &dev->rxq[i], i, false);
	}
	iavf_emu_queues_set_tails(dev);
}

void
iavf_emu_queue_lock(struct iavf_emu_dev *dev, struct iavf_emu_queue *q)
{
	if (!dev->dp_locked)
		rte_spinlock_lock(&q->pub.access_lock);
}

void
iavf_emu_queue_unlock(struct iavf_emu_dev *dev, struct iavf_emu_queue *q)
{
	if (!dev->dp_locked)
		rte_spinlock_unlock(&q->pub.access_lock);
}

void
iavf_emu_lock_all(struct iavf_emu_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->num_qp; i++) {
		rte_spinlock_lock(&dev->rxq[i].pub.access_lock);
		rte_spinlock_lock(&dev->txq[i].pub.access_lock);
	}
}

void
iavf_emu_unlock_all(struct iavf_emu_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->num_qp; i++) {
		rte_spinlock_unlock(&dev->txq[i].pub.access_lock);
		rte_spinlock_unlock(&dev->rxq[i].pub.access_lock);
	}
}

/*
 * The fd-backed mapping of the vfio-user DMA table that holds all of
 * [iova, iova + len) with prot. Control thread (any time) or data path
 * (queue access lock held): the table does not change meanwhile. A
 * mapping dma_unmap announces has already left the table.
 */
static bool
mem_lookup(const struct iavf_emu_dev *dev, uint64_t iova, uint64_t len,
		uint32_t prot, struct rte_vfio_user_dma_map *map)
{
	return rte_vfio_user_dma_lookup(dev->vfu_id, iova, len, prot,
			map) == 0 && map->va != NULL;
}

/* Cache mapping m for rte_iavf_emu_xlate() (queue access lock held). */
static void
xlate_fill(struct rte_iavf_emu_queue *q, const struct rte_vfio_user_dma_map *m)
{
	q->xlate.iova = m->iova;
	q->xlate.size = m->size;
	q->xlate.va = m->va;
	q->xlate.prot = m->prot;
	q->xlate.gen = q->mem_gen;
}

/*
 * Recompute what the data path may use: a queue is enabled when the
 * guest enabled it, bus mastering is on and its whole ring lies in one
 * shared mapping. Called with the queue's access lock held.
 * Returns -EFAULT when the guest enabled the queue but its ring is not
 * mapped, 1 when the effective state changed, else 0.
 */
int
iavf_emu_queue_update(struct iavf_emu_dev *dev, struct iavf_emu_queue *q)
{
	struct rte_vfio_user_dma_map m;
	bool was = q->pub.enabled;
	bool mapped = false;
	uint64_t bytes;

	q->pub.mem_gen = dev->mem_gen;
	if (q->guest_enabled && q->configured) {
		bytes = (uint64_t)q->pub.ring_len * (q->pub.is_tx ?
			IAVF_EMU_TX_DESC_SIZE : IAVF_EMU_RX_DESC_SIZE);
		if (!mem_lookup(dev, q->pub.ring_iova, bytes,
				PROT_READ | PROT_WRITE, &m)) {
			q->pub.enabled = false;
			q->pub.ring = NULL;
			return -EFAULT;
		}
		mapped = true;
	}
	if (mapped && dev->bus_master) {
		q->pub.ring = (uint8_t *)m.va + (q->pub.ring_iova - m.iova);
		q->pub.enabled = true;
		/* buffers usually share the ring's mapping */
		xlate_fill(&q->pub, &m);
	} else {
		q->pub.enabled = false;
		q->pub.ring = NULL;
	}
	return was != q->pub.enabled ? 1 : 0;
}

static void
queue_refresh(struct iavf_emu_dev *dev, struct iavf_emu_queue *q)
{
	int ret;

	iavf_emu_queue_lock(dev, q);
	ret = iavf_emu_queue_update(dev, q);
	iavf_emu_queue_unlock(dev, q);
	if (ret == -EFAULT && q->guest_enabled)
		iavf_emu_count_err(dev, IAVF_EMU_ERR_RING,
			"%s queue %u: ring left guest memory",
			q->pub.is_tx ? "TX" : "RX", q->pub.qid);
	if (ret != 0)
		iavf_emu_event(dev, RTE_EMUDEV_EVENT_QUEUE_STATE,
			       iavf_emu_queue_event_id(q), q->pub.enabled);
}

/* Bus mastering or the memory map changed: re-derive every queue. */
void
iavf_emu_queues_refresh(struct iavf_emu_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->num_qp; i++) {
		queue_refresh(dev, &dev->rxq[i]);
		queue_refresh(dev, &dev->txq[i]);
	}
}

static void
queue_reset(struct iavf_emu_dev *dev, struct iavf_emu_queue *q)
{
	bool was;

	iavf_emu_queue_lock(dev, q);
	was = q->pub.enabled;
	q->guest_enabled = false;
	q->configured = false;
	q->pub.enabled = false;
	q->pub.ring = NULL;
	q->pub.ring_iova = 0;
	q->pub.ring_len = 0;
	q->pub.buf_size = 0;
	q->pub.max_pkt_size = 0;
	iavf_emu_queue_set_vector(dev, q, RTE_IAVF_EMU_NO_VECTOR);
	q->pub.next = 0;
	q->pub.done = 0;
	q->itr_idx = 3;
	iavf_emu_queue_unlock(dev, q);
	if (was)
		iavf_emu_event(dev, RTE_EMUDEV_EVENT_QUEUE_STATE,
			       iavf_emu_queue_event_id(q), false);
}

/* Stop DMA on every queue and forget its configuration (any reset). */
void
iavf_emu_queues_reset(struct iavf_emu_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->num_qp; i++) {
		queue_reset(dev, &dev->rxq[i]);
		queue_reset(dev, &dev->txq[i]);
	}
}

static uint32_t
tail_reg(const struct iavf_emu_queue *q)
{
	return q->pub.is_tx ? IAVF_QTX_TAIL1(q->pub.qid) :
		IAVF_QRX_TAIL1(q->pub.qid);
}

/* Clear a tail; a value other than 0 is a tail write that is dropped. */
static void
tail_clear(struct iavf_emu_dev *dev, struct iavf_emu_queue *q,
		const char *why)
{
	uint32_t val;

	if (q->pub.tail == NULL)
		return;
	val = rte_atomic_exchange_explicit(
		(volatile RTE_ATOMIC(uint32_t) *)q->pub.tail, 0,
		rte_memory_order_acq_rel);
	if (val != 0)
		iavf_emu_stale_tail(dev, why, tail_reg(q), val);
}

/* Reset steps: every tail of the VF back to 0, non-zero ones counted. */
void
iavf_emu_tails_clear(struct iavf_emu_dev *dev, const char *why)
{
	uint16_t i;

	for (i = 0; i < dev->num_qp; i++) {
		tail_clear(dev, &dev->txq[i], why);
		tail_clear(dev, &dev->rxq[i], why);
	}
}

/*
 * CONFIG_VSI_QUEUES and ENABLE_QUEUES, access lock held: the device starts
 * the ring at descriptor 0, as a hardware queue context does. A TX tail
 * must then be 0 too: neither driver posts TX descriptors before the queue
 * is enabled (Linux starts its TX queues at link up, which follows
 * ENABLE_QUEUES; DPDK writes QTX_TAIL = 0 before enabling), so a non-zero
 * one is left over from before a reset and is dropped, never consumed. RX
 * tails are kept: both drivers post RX buffers before they enable.
 */
void
iavf_emu_queue_resync(struct iavf_emu_dev *dev, struct iavf_emu_queue *q,
		const char *why)
{
	q->pub.next = 0;
	q->pub.done = 0;
	if (q->pub.is_tx)
		tail_clear(dev, q, why);
}

/* ---------------------------------------------------- memory table */

/*
 * In the lock window (dma_map and dma_unmap callbacks, every queue's
 * access lock held): the DMA table changed. Cached translations become
 * stale with the generation; every queue re-derives its ring.
 */
void
iavf_emu_mem_changed(struct iavf_emu_dev *dev)
{
	/* 0 marks an empty cache */
	if (++dev->mem_gen == 0)
		dev->mem_gen = 1;
	iavf_emu_queues_refresh(dev);
}

/* emudev get_mem_table: the library's table, outside any lock window. */
int
iavf_emu_mem_table(struct iavf_emu_dev *dev, struct rte_emudev_mem_region *r,
		uint32_t max)
{
	struct rte_vfio_user_dma_map *maps = NULL;
	uint32_t i;
	int n;

	max = RTE_MIN(max, (uint32_t)RTE_VFIO_USER_MAX_DMA_MAPS);
	if (max > 0) {
		maps = malloc(max * sizeof(*maps));
		if (maps == NULL)
			return -ENOMEM;
	}
	rte_spinlock_recursive_lock(&dev->mem_lock);
	n = rte_vfio_user_get_mem_table(dev->vfu_id, maps, max);
	rte_spinlock_recursive_unlock(&dev->mem_lock);
	for (i = 0; n > 0 && i < (uint32_t)n && i < max; i++) {
		r[i].iova = maps[i].iova;
		r[i].size = maps[i].size;
		r[i].host_va = maps[i].va;
	}
	free(maps);
	return n;
}

/* ------------------------------------------------- backend queue API */

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_get_queue)
struct rte_iavf_emu_queue *
rte_iavf_emu_get_queue(uint16_t emu_id, uint16_t qid, bool tx)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_by_emu_id(emu_id);

	if (dev == NULL) {
		rte_errno = ENODEV;
		return NULL;
	}
	if (qid >= dev->num_qp) {
		rte_errno = EINVAL;
		return NULL;
	}
	return tx ? &dev->txq[qid].pub : &dev->rxq[qid].pub;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_get_num_qp)
int
rte_iavf_emu_get_num_qp(uint16_t emu_id)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_by_emu_id(emu_id);

	if (dev == NULL)
		return -ENODEV;
	return dev->num_qp;
}

/*
 * Data path translation, with the queue's access lock held: the memory
 * table cannot change meanwhile. The last mapping used is cached per
 * queue and dropped when the table generation moves on.
 */
RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_iova_to_va)
void *
rte_iavf_emu_iova_to_va(struct rte_iavf_emu_queue *q, uint64_t iova,
		uint32_t len, bool write)
{
	uint32_t prot = PROT_READ | (write ? PROT_WRITE : 0);
	struct rte_vfio_user_dma_map m;
	const struct rte_iavf_emu_xlate *c;
	uint64_t off;

	if (q == NULL || q->dev == NULL)
		return NULL;
	c = &q->xlate;
	off = iova - c->iova;
	if (c->gen == q->mem_gen && off < c->size &&
	    (uint64_t)len - 1 < c->size - off && (c->prot & prot) == prot)
		return c->va + off;

	/* also refuses len 0 and ranges that wrap past 2^64 - 1 */
	if (!mem_lookup(q->dev, iova, len, prot, &m)) {
		q->xlate.gen = 0;
		return NULL;
	}
	xlate_fill(q, &m);
	return q->xlate.va + (iova - m.iova);
}
