/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Port Rx: packets the guest posted on its Tx ring become mbufs.
 *
 * Guest Tx ring (16-byte iavf_tx_desc): the guest fills descriptors and
 * moves the tail past them; the device consumes head..tail-1 ("the device
 * may use slot head only while head != tail"). A packet is an optional
 * context descriptor (DTYPE 1, TSO_LEN/MSS) followed by data descriptors
 * (DTYPE 0) up to the one with EOP. Completion: the device writes
 * DTYPE = 0xF (DESC_DONE) into qword 1 of every descriptor the guest
 * marked RS; Linux checks the EOP descriptor of each packet (it sets RS
 * there), DPDK the RS descriptor every tx_rs_thresh.
 */

#include <string.h>

#include <ethdev_driver.h>
#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "iavf_type.h"
#include "avfbe.h"
#include "avfbe_txd.h"

#define AVFBE_TXD_CMD(c) ((uint64_t)(c) << IAVF_TXD_QW1_CMD_SHIFT)
#define AVFBE_TXD_DTYPE(qw1) ((qw1) & IAVF_TXD_QW1_DTYPE_MASK)
#define AVFBE_TXD_BSZ(qw1) \
	((uint32_t)(((qw1) & IAVF_TXD_QW1_TX_BUF_SZ_MASK) >> \
		    IAVF_TXD_QW1_TX_BUF_SZ_SHIFT))
/*
 * The common packet: one data descriptor with EOP. Its qword 1 masked
 * with AVFBE_TXD_ONE_MASK equals AVFBE_TXD_ONE; checksum requests (IIPT,
 * L4T) are parsed apart when AVFBE_TXD_OL_MASK has bits.
 */
#define AVFBE_TXD_ONE_MASK \
	(IAVF_TXD_QW1_DTYPE_MASK | AVFBE_TXD_CMD(IAVF_TX_DESC_CMD_EOP))
#define AVFBE_TXD_ONE \
	(IAVF_TX_DESC_DTYPE_DATA | AVFBE_TXD_CMD(IAVF_TX_DESC_CMD_EOP))
#define AVFBE_TXD_OL_MASK \
	AVFBE_TXD_CMD(IAVF_TX_DESC_CMD_IIPT_IPV4_CSUM | \
		      IAVF_TX_DESC_CMD_L4T_EOFT_UDP | IAVF_TX_DESC_CMD_IL2TAG1)

/* One packet found on the guest Tx ring. */
struct avfbe_txpkt {
	uint16_t ndesc;       /* descriptors it occupies, context included */
	bool has_ctx;
	bool tso;
	bool bad;             /* broken chain: drop, complete, count */
	uint64_t ctx_qw1;
	uint64_t data_qw1;    /* qword 1 of the first data descriptor */
	uint32_t len;         /* sum of the data buffer sizes */
};

static inline uint64_t
avfbe_txd_qw1(const volatile struct iavf_tx_desc *d)
{
	return rte_le_to_cpu_64(d->cmd_type_offset_bsz);
}

/*
 * Find the packet starting at head among "avail" guest descriptors.
 * Returns true when a whole packet (or a broken chain to drop) is there,
 * false when the guest has not posted the rest yet.
 */
static bool
avfbe_rx_scan(const volatile struct iavf_tx_desc *ring, uint16_t ring_len,
		uint16_t head, uint16_t avail, struct avfbe_txpkt *p)
{
	uint16_t cap = AVFBE_TX_MAX_DATA_DESC;
	uint16_t idx = head, n = 0, ndata = 0;
	uint64_t qw1;

	memset(p, 0, sizeof(*p));
	qw1 = avfbe_txd_qw1(&ring[idx]);
	if (AVFBE_TXD_DTYPE(qw1) == IAVF_TX_DESC_DTYPE_CONTEXT) {
		uint64_t cmd = (qw1 & IAVF_TXD_CTX_QW1_CMD_MASK) >>
			IAVF_TXD_CTX_QW1_CMD_SHIFT;

		p->has_ctx = true;
		p->ctx_qw1 = qw1;
		if (cmd & IAVF_TX_CTX_DESC_TSO) {
			p->tso = true;
			cap = AVFBE_TX_MAX_TSO_DESC;
		}
		n = 1;
		idx = avfbe_next(idx, ring_len);
	}
	while (n < avail) {
		qw1 = avfbe_txd_qw1(&ring[idx]);
		n++;
		if (AVFBE_TXD_DTYPE(qw1) != IAVF_TX_DESC_DTYPE_DATA) {
			p->bad = true;
			break;
		}
		if (ndata++ == 0)
			p->data_qw1 = qw1;
		p->len += AVFBE_TXD_BSZ(qw1);
		if (qw1 & AVFBE_TXD_CMD(IAVF_TX_DESC_CMD_EOP)) {
			p->ndesc = n;
			return true;
		}
		if (ndata == cap) {
			/* "up to 8 data descriptors per non-TSO frame" */
			p->bad = true;
			break;
		}
		idx = avfbe_next(idx, ring_len);
	}
	if (!p->bad && avail < ring_len - 1)
		return false;  /* rest of the packet not posted yet */
	/* A full ring without an end of packet can never complete. */
	p->bad = true;
	p->ndesc = n;
	return true;
}

/* Append len bytes at src to the mbuf chain whose last segment is *cur. */
static int
avfbe_rx_append(struct rte_mempool *mp, struct rte_mbuf *m,
		struct rte_mbuf **cur, const uint8_t *src, uint32_t len)
{
	struct rte_mbuf *c = *cur;

	while (len > 0) {
		uint32_t room = rte_pktmbuf_tailroom(c);
		uint32_t n;

		if (room == 0) {
			struct rte_mbuf *seg = rte_pktmbuf_alloc(mp);

			if (unlikely(seg == NULL))
				return -ENOMEM;
			seg->data_off = 0;  /* no headroom needed after the head */
			c->next = seg;
			c = seg;
			m->nb_segs++;
			room = rte_pktmbuf_tailroom(c);
		}
		n = RTE_MIN(len, room);
		avfbe_copy(rte_pktmbuf_mtod_offset(c, void *, c->data_len),
			   src, n);
		c->data_len += n;
		m->pkt_len += n;
		src += n;
		len -= n;
	}
	*cur = c;
	return 0;
}

/*
 * Copy the data buffers of packet p into a new mbuf chain.
 * Returns 0, -EFAULT (bad guest address or lengths) or -ENOMEM.
 */
static int
avfbe_rx_copy(struct avfbe_rx_queue *rxq, const volatile struct iavf_tx_desc *ring,
		uint16_t ring_len, uint16_t head, const struct avfbe_txpkt *p,
		struct rte_mbuf **out)
{
	struct rte_iavf_emu_queue *gq = rxq->gq;
	struct rte_mbuf *m, *cur;
	uint16_t idx = head, k;
	int ret = 0;

	m = rte_pktmbuf_alloc(rxq->mp);
	if (unlikely(m == NULL))
		return -ENOMEM;
	cur = m;
	if (p->has_ctx)
		idx = avfbe_next(idx, ring_len);
	for (k = p->has_ctx ? 1 : 0; k < p->ndesc; k++) {
		const volatile struct iavf_tx_desc *d = &ring[idx];
		uint64_t addr = rte_le_to_cpu_64(d->buffer_addr);
		uint32_t len = AVFBE_TXD_BSZ(avfbe_txd_qw1(d));
		const uint8_t *src;

		idx = avfbe_next(idx, ring_len);
		if (len == 0)
			continue;
		/* The guest may rewrite a descriptor after the scan: never
		 * take more than the scan accepted.
		 */
		if (len > p->len - m->pkt_len) {
			ret = -EFAULT;
			break;
		}
		src = rte_iavf_emu_iova_to_va(gq, addr, len, false);
		if (unlikely(src == NULL)) {
			ret = -EFAULT;
			break;
		}
		ret = avfbe_rx_append(rxq->mp, m, &cur, src, len);
		if (unlikely(ret != 0))
			break;
	}
	if (ret == 0 && m->pkt_len != p->len)
		ret = -EFAULT;
	if (unlikely(ret != 0)) {
		rte_pktmbuf_free(m);
		return ret;
	}
	m->port = rxq->port_id;
	*out = m;
	return 0;
}

/* Hand the descriptors of a consumed packet back to the guest. */
static bool
avfbe_rx_complete(volatile struct iavf_tx_desc *ring, uint16_t ring_len,
		uint16_t head, uint16_t ndesc)
{
	bool rs = false;
	uint16_t k;

	/* buffer reads above happen before the guest may reuse them */
	rte_atomic_thread_fence(rte_memory_order_release);
	for (k = 0; k < ndesc; k++) {
		volatile struct iavf_tx_desc *d = &ring[head];
		uint64_t qw1 = avfbe_txd_qw1(d);

		if (AVFBE_TXD_DTYPE(qw1) == IAVF_TX_DESC_DTYPE_DATA &&
		    (qw1 & AVFBE_TXD_CMD(IAVF_TX_DESC_CMD_RS))) {
			d->cmd_type_offset_bsz = rte_cpu_to_le_64(qw1 |
				IAVF_TX_DESC_DTYPE_DESC_DONE);
			rs = true;
		}
		head = avfbe_next(head, ring_len);
	}
	return rs;
}

static void
avfbe_rx_count(struct rte_iavf_emu_queue_stats *st, const struct rte_mbuf *m)
{
	const struct rte_ether_addr *dst =
		rte_pktmbuf_mtod(m, const struct rte_ether_addr *);

	st->packets++;
	st->bytes += m->pkt_len;
	if (m->data_len < RTE_ETHER_ADDR_LEN || rte_is_unicast_ether_addr(dst))
		st->unicast++;
	else if (rte_is_broadcast_ether_addr(dst))
		st->broadcast++;
	else
		st->multicast++;
}

static void
avfbe_rx_bad_tail(struct avfbe_rx_queue *rxq, uint32_t tail)
{
	if (tail == rxq->last_bad_tail)
		return;
	rxq->last_bad_tail = tail;
	if (rxq->cnt.bad_tail++ == 0)
		AVFBE_LOG(WARNING, "port %u rxq %u: guest Tx tail %u past ring of %u (ignored)",
			  rxq->port_id, rxq->queue_id, tail, rxq->gq->ring_len);
}

static void
avfbe_rx_bad_desc(struct avfbe_rx_queue *rxq, uint16_t head)
{
	uint64_t n = ++rxq->gq->stats.bad_desc;

	if ((n & (n - 1)) == 0)
		AVFBE_LOG(WARNING, "port %u rxq %u: bad guest Tx descriptors at %u "
			  "dropped (%" PRIu64 " so far)",
			  rxq->port_id, rxq->queue_id, head, n);
}

/*
 * The guest's offload requests (checksums, TSO, VLAN insertion) and the
 * port's VLAN strip for a packet copied into m. Returns 0, or -EINVAL
 * when the descriptor fields contradict the frame.
 */
static __rte_noinline int
avfbe_rx_offloads(struct avfbe_rx_queue *rxq, struct rte_mbuf *m,
		uint64_t data_qw1, uint64_t ctx_qw1, bool tso)
{
	if (avfbe_ol_from_guest(m, data_qw1, ctx_qw1, tso) != 0)
		return -EINVAL;
	if (data_qw1 & AVFBE_TXD_CMD(IAVF_TX_DESC_CMD_IL2TAG1))
		rxq->cnt.vlan_insert++;
	if (((data_qw1 & AVFBE_TXD_CMD(IAVF_TX_DESC_CMD_IL2TAG1)) ||
	     rxq->vlan_strip) &&
	    avfbe_vlan_from_guest(m, data_qw1, rxq->vlan_strip) != 0)
		return -EINVAL;
	if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG)
		rxq->cnt.tso++;
	else if (m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IP_CKSUM))
		rxq->cnt.csum++;
	return 0;
}

/*
 * avfbe_rx_offloads() of a one-descriptor packet: the checksum requests
 * Linux and DPDK guests put on every packet are decoded inline; VLAN work
 * goes the long way.
 */
static __rte_always_inline int
avfbe_rx_offloads_one(struct avfbe_rx_queue *rxq, struct rte_mbuf *m,
		uint64_t qw1)
{
	if ((qw1 & AVFBE_TXD_CMD(IAVF_TX_DESC_CMD_IL2TAG1)) || rxq->vlan_strip)
		return avfbe_rx_offloads(rxq, m, qw1, 0, false);
	if (avfbe_ol_from_guest(m, qw1, 0, false) != 0)
		return -EINVAL;
	if (m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IP_CKSUM))
		rxq->cnt.csum++;
	return 0;
}

/* Top the stash up to at least want mbufs (fewer if the pool is dry). */
static void
avfbe_rx_stash_fill(struct avfbe_rx_queue *rxq, uint16_t want)
{
	uint16_t n = AVFBE_RX_STASH - rxq->stash_n;

	if (rxq->stash_n >= want)
		return;
	/* all or nothing: then try what the caller needs at least */
	if (rte_mempool_get_bulk(rxq->mp, (void **)&rxq->stash[rxq->stash_n],
				 n) == 0) {
		rxq->stash_n += n;
		return;
	}
	n = want - rxq->stash_n;
	if (rte_mempool_get_bulk(rxq->mp, (void **)&rxq->stash[rxq->stash_n],
				 n) == 0)
		rxq->stash_n += n;
}

void
avfbe_rx_stash_release(struct avfbe_rx_queue *rxq)
{
	if (rxq->stash_n != 0)
		rte_mempool_put_bulk(rxq->mp, (void **)rxq->stash,
				     rxq->stash_n);
	rxq->stash_n = 0;
}

/*
 * A packet other than one plain data descriptor: context descriptor,
 * chained buffers, a frame larger than one mbuf, or a broken chain.
 * Returns the descriptors consumed (0: wait for the rest of the packet or
 * for mbufs) and stores the mbuf, if any, in *out.
 */
static uint16_t
avfbe_rx_slow(struct avfbe_rx_queue *rxq, volatile struct iavf_tx_desc *ring,
		uint16_t ring_len, uint16_t head, uint16_t avail,
		struct rte_mbuf **out, bool *completed)
{
	struct avfbe_txpkt p;
	struct rte_mbuf *m = NULL;
	int ret;

	if (!avfbe_rx_scan(ring, ring_len, head, avail, &p))
		return 0;

	if (p.bad) {
		ret = -EFAULT;
	} else if (p.tso ? p.len > AVFBE_MAX_TSO_PAYLOAD + AVFBE_MAX_HDR_LEN :
		   p.len > AVFBE_MAX_FRAME) {
		ret = -EFAULT;
	} else if (p.len < RTE_ETHER_HDR_LEN) {
		ret = -EFAULT;
	} else {
		ret = avfbe_rx_copy(rxq, ring, ring_len, head, &p, &m);
		if (ret == -ENOMEM) {
			/* retry the packet on the next burst */
			rxq->cnt.nombuf++;
			rte_eth_devices[rxq->port_id].data->rx_mbuf_alloc_failed++;
			return 0;
		}
		if (ret == 0 && avfbe_rx_offloads(rxq, m, p.data_qw1,
						  p.ctx_qw1, p.tso) != 0) {
			rte_pktmbuf_free(m);
			m = NULL;
			ret = -EFAULT;
		}
	}

	if (ret == 0) {
		avfbe_rx_count(&rxq->gq->stats, m);
	} else {
		m = NULL;
		avfbe_rx_bad_desc(rxq, head);
	}
	*out = m;
	*completed |= avfbe_rx_complete(ring, ring_len, head, p.ndesc);
	return p.ndesc;
}

/*
 * The guest posted descriptors (tail t differs from the device's head):
 * move up to nb_pkts packets. Queue access lock held.
 */
static __rte_noinline uint16_t
avfbe_rx_ring(struct avfbe_rx_queue *rxq, struct rte_mbuf **pkts,
		uint16_t nb_pkts, uint32_t t)
{
	struct rte_iavf_emu_queue *gq = rxq->gq;
	struct rte_iavf_emu_queue_stats *st = &gq->stats;
	volatile struct iavf_tx_desc *ring;
	uint16_t ring_len, head, tail, nb_rx = 0;
	uint64_t bytes = 0;
	bool completed = false;

	if (unlikely(gq->ring == NULL || gq->ring_len < 2))
		return 0;
	ring = gq->ring;
	ring_len = gq->ring_len;
	if (unlikely(t >= ring_len)) {
		avfbe_rx_bad_tail(rxq, t);
		return 0;
	}
	tail = (uint16_t)t;
	head = gq->next;
	if (unlikely(head >= ring_len))
		head = 0;
	if (head == tail)
		return 0;
	avfbe_rx_stash_fill(rxq, RTE_MIN(nb_pkts,
			avfbe_ring_count(head, tail, ring_len)));

	while (nb_rx < nb_pkts && head != tail) {
		volatile struct iavf_tx_desc *d = &ring[head];
		/* each descriptor word is read once: the guest may rewrite it */
		uint64_t qw1 = rte_le_to_cpu_64(d->cmd_type_offset_bsz);
		uint32_t len = AVFBE_TXD_BSZ(qw1);
		struct rte_mbuf *m;
		const uint8_t *src;
		uint16_t used;

		if (likely((qw1 & AVFBE_TXD_ONE_MASK) == AVFBE_TXD_ONE &&
			   len >= RTE_ETHER_HDR_LEN && len <= rxq->seg_room &&
			   rxq->stash_n != 0)) {
			src = rte_iavf_emu_xlate(gq,
				rte_le_to_cpu_64(d->buffer_addr), len, false);
			if (unlikely(src == NULL))
				goto slow;
			m = rxq->stash[--rxq->stash_n];
			/* rte_mbuf_raw_alloc state: next NULL, one segment */
			m->data_off = RTE_PKTMBUF_HEADROOM;
			m->port = rxq->port_id;
			m->ol_flags &= RTE_MBUF_F_EXTERNAL;
			m->packet_type = 0;
			m->tx_offload = 0;
			m->vlan_tci = 0;
			m->pkt_len = len;
			m->data_len = (uint16_t)len;
			avfbe_copy(rte_pktmbuf_mtod(m, void *), src, len);
			if (unlikely(qw1 & rxq->ol_mask) &&
			    avfbe_rx_offloads_one(rxq, m, qw1) != 0) {
				rxq->stash[rxq->stash_n++] = m;
				avfbe_rx_bad_desc(rxq, head);
				m = NULL;
			}
			if (qw1 & AVFBE_TXD_CMD(IAVF_TX_DESC_CMD_RS)) {
				/* the copy above before the guest reuses it */
				rte_atomic_thread_fence(rte_memory_order_release);
				d->cmd_type_offset_bsz = rte_cpu_to_le_64(qw1 |
					IAVF_TX_DESC_DTYPE_DESC_DONE);
				completed = true;
			}
			head = avfbe_next(head, ring_len);
			if (unlikely(m == NULL))
				continue;
			/* multicast and broadcast have the I/G bit set */
			if (likely(!(*rte_pktmbuf_mtod(m, const uint8_t *) & 1))) {
				st->unicast++;
				st->packets++;
				bytes += m->pkt_len;
			} else {
				avfbe_rx_count(st, m);
			}
			pkts[nb_rx++] = m;
			continue;
		}
slow:
		m = NULL;
		used = avfbe_rx_slow(rxq, ring, ring_len, head,
				     avfbe_ring_count(head, tail, ring_len),
				     &m, &completed);
		if (used == 0)
			break;
		head = avfbe_advance(head, used, ring_len);
		if (m != NULL)
			pkts[nb_rx++] = m;
	}
	st->bytes += bytes;
	gq->next = head;
	if (completed)
		rte_iavf_emu_queue_notify(gq);
	return nb_rx;
}

/* A burst with work: interrupts to deliver or descriptors posted. */
static __rte_noinline uint16_t
avfbe_rx_work(struct avfbe_rx_queue *rxq, struct rte_mbuf **pkts,
		uint16_t nb_pkts)
{
	struct rte_iavf_emu_queue *gq = rxq->gq;
	uint16_t nb_rx = 0;
	uint32_t tail;

	rte_iavf_emu_irq_service(gq);
	tail = avfbe_guest_tail(gq);
	if (tail != gq->next)
		nb_rx = avfbe_rx_ring(rxq, pkts, nb_pkts, tail);
	rte_spinlock_unlock(&gq->access_lock);
	return nb_rx;
}

/*
 * Kept small and call free: an idle queue costs the lock and a few loads
 * (avfbe_rx_work() releases the lock when it runs).
 */
uint16_t
avfbe_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct avfbe_rx_queue *rxq = queue;
	struct rte_iavf_emu_queue *gq = rxq->gq;

	if (unlikely(!rte_spinlock_trylock(&gq->access_lock)))
		return 0;
	if (likely(gq->enabled) && (avfbe_guest_tail(gq) != gq->next ||
				    rte_iavf_emu_irq_due(gq)))
		return avfbe_rx_work(rxq, pkts, nb_pkts);
	rte_spinlock_unlock(&gq->access_lock);
	return 0;
}

/* The port's VLAN strip setting for an Rx queue (no burst running). */
void
avfbe_rx_set_vlan_strip(struct avfbe_rx_queue *rxq, bool strip)
{
	rxq->vlan_strip = strip;
	rxq->ol_mask = AVFBE_TXD_OL_MASK |
		(strip ? AVFBE_TXD_CMD(IAVF_TX_DESC_CMD_EOP) : 0);
}
