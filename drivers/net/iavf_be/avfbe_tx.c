/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Port Tx: mbufs are written into the buffers the guest posted on its Rx
 * ring, in the 32-byte legacy write-back format (RXDID 1) both Linux iavf
 * and DPDK net_iavf use unless flexible descriptors were negotiated.
 *
 * Write-back (iavf_32byte_rx_desc.wb): qword 0 bits 31:16 stripped VLAN
 * tag (L2TAG1), 63:32 RSS hash; qword 1: status 18:0 (DD, EOF, L2TAG1P,
 * L3L4P, FLTSTAT 13:12 = 3 when the hash is valid), errors 26:19 (RXE,
 * IPE, L4E), packet type 37:30, buffer length 51:38. A frame larger than one guest buffer spans several
 * descriptors, EOF on the last. The read format's pkt_addr is read before
 * the descriptor is overwritten. The device fills head..tail-1 only.
 */

#include <string.h>

#include <ethdev_driver.h>
#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_prefetch.h>

#include "iavf_type.h"
#include "avfbe.h"
#include "avfbe_rss.h"

#define AVFBE_RXD_STATUS(bit) RTE_BIT64(IAVF_RX_DESC_STATUS_ ## bit ## _SHIFT)
#define AVFBE_RXD_ERROR(bit) \
	RTE_BIT64(IAVF_RXD_QW1_ERROR_SHIFT + IAVF_RX_DESC_ERROR_ ## bit ## _SHIFT)
/* wb.qword0.lo_dword.l2tag1 */
#define AVFBE_RXD_QW0_L2TAG1_SHIFT 16
#define AVFBE_RXD_FLTSTAT_RSS \
	((uint64_t)IAVF_RX_DESC_FLTSTAT_RSS_HASH << \
	 IAVF_RX_DESC_STATUS_FLTSTAT_SHIFT)

/* Source of a frame: an optional rebuilt header, then mbuf bytes. */
struct avfbe_src {
	const uint8_t *hdr;
	uint32_t hdr_len;
	const struct rte_mbuf *seg;
	uint32_t off;          /* offset in seg */
};

/* State of one burst on the guest Rx ring. */
struct avfbe_tx_ctx {
	struct rte_iavf_emu_queue *gq;
	volatile union iavf_32byte_rx_desc *ring;
	uint16_t ring_len;
	uint16_t head;
	uint16_t avail;
	uint32_t buf_len;      /* bytes per guest buffer */
	uint32_t max_frame;
	uint32_t flat_max;     /* longest frame for one buffer: both above */
	bool promisc;
	bool allmulti;
	bool placed;
	struct rte_ether_addr last_ok;  /* last destination accepted */
	bool have_last_ok;
	bool rss;              /* the guest enabled RSS: report the hash */
	const struct avfbe_rss_tbl *rss_tbl;
	bool pre_hashed;       /* device RSS: hash of the current frame */
	uint32_t pre_hash;
	bool vlan_filter;      /* the guest negotiated VLAN offload */
	bool vlan_strip;       /* ... and strips tags to the descriptor */
};

/* mbufs returned to their pool with one call. */
#define AVFBE_TX_FREE_BULK 64

/* Write-back fields shared by the descriptors of a frame. */
struct avfbe_wb {
	uint64_t qw0;
	uint64_t qw1;          /* status/error/ptype, without DD/EOF/length */
};

/* The write-back bits of a frame's stripped VLAN tag: none. */
static const struct avfbe_wb avfbe_no_tag;

static void
avfbe_src_init(struct avfbe_src *s, const uint8_t *hdr, uint32_t hdr_len,
		const struct rte_mbuf *m, uint32_t off)
{
	s->hdr = hdr;
	s->hdr_len = hdr_len;
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	s->seg = m;
	s->off = off;
}

/*
 * Copy the next len bytes of a source to dst. With sum (no header
 * pending), return their rte_raw_cksum(), each mbuf piece summed while it
 * is copied; else 0.
 */
static uint16_t
avfbe_src_copy(struct avfbe_src *s, uint8_t *dst, uint32_t len, bool sum)
{
	uint32_t acc = 0, done = 0;
	uint16_t part;

	if (s->hdr_len > 0) {
		uint32_t n = RTE_MIN(len, s->hdr_len);

		avfbe_copy(dst, s->hdr, n);
		s->hdr += n;
		s->hdr_len -= n;
		done = n;
	}
	while (done < len) {
		const uint8_t *src;
		uint32_t n;

		while (s->seg != NULL && s->off >= s->seg->data_len) {
			s->seg = s->seg->next;
			s->off = 0;
		}
		if (unlikely(s->seg == NULL)) {
			/* chain shorter than pkt_len: never leak old data */
			memset(dst + done, 0, len - done);
			break;
		}
		n = RTE_MIN(len - done, (uint32_t)s->seg->data_len - s->off);
		src = rte_pktmbuf_mtod_offset(s->seg, const uint8_t *, s->off);
		if (sum) {
			/* a piece at an odd offset straddles the words */
			part = avfbe_copy_csum(dst + done, src, n);
			acc += (done & 1) ? rte_bswap16(part) : part;
		} else {
			avfbe_copy(dst + done, src, n);
		}
		s->off += n;
		done += n;
	}
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)((acc & 0xffff) + (acc >> 16));
}

/* Guest buffers a frame of len bytes takes (no len + buf_len sum). */
static inline uint32_t
avfbe_descs_needed(uint32_t len, uint32_t buf_len)
{
	return len == 0 ? 0 : (len - 1) / buf_len + 1;
}

/*
 * Most descriptors the guest can ever post at once: the device fills
 * head..tail-1, head == tail means none.
 */
static inline uint32_t
avfbe_ring_max(const struct avfbe_tx_ctx *ctx)
{
	return ctx->ring_len - 1u;
}

/*
 * Write one frame of len bytes into the guest buffers at ctx->head.
 * Returns 0, -ENOSPC (not enough buffers posted; nothing written),
 * -E2BIG (more buffers than the ring can ever hold; nothing written) or
 * -EFAULT (a buffer outside guest memory: the frame is handed back with
 * RXE set so the guest drops it and reuses its buffers).
 */
static int
avfbe_tx_place(struct avfbe_tx_ctx *ctx, struct avfbe_src *src, uint32_t len,
		const struct avfbe_wb *wb)
{
	uint32_t ndesc = avfbe_descs_needed(len, ctx->buf_len);
	uint16_t idx = ctx->head;
	uint32_t rem = len, k;
	bool bad = false;

	if (unlikely(ndesc > avfbe_ring_max(ctx)))
		return -E2BIG;
	if (ndesc > ctx->avail)
		return -ENOSPC;

	for (k = 0; k < ndesc; k++) {
		volatile uint64_t *qw = (volatile uint64_t *)&ctx->ring[idx];
		uint32_t n = RTE_MIN(rem, ctx->buf_len);
		uint64_t addr = rte_le_to_cpu_64(qw[0]);  /* read.pkt_addr */
		uint8_t *dst;

		dst = rte_iavf_emu_xlate(ctx->gq, addr, n, true);
		if (unlikely(dst == NULL)) {
			bad = true;
			ndesc = k + 1;
			break;
		}
		avfbe_src_copy(src, dst, n, false);
		qw[0] = rte_cpu_to_le_64(wb->qw0);
		qw[2] = 0;
		qw[3] = 0;
		rem -= n;
		idx = avfbe_next(idx, ctx->ring_len);
	}

	/* buffer contents before the descriptor done bits */
	rte_atomic_thread_fence(rte_memory_order_release);
	idx = ctx->head;
	rem = len;
	for (k = 0; k < ndesc; k++) {
		volatile uint64_t *qw = (volatile uint64_t *)&ctx->ring[idx];
		uint32_t n = RTE_MIN(rem, ctx->buf_len);
		uint64_t qw1 = AVFBE_RXD_STATUS(DD) |
			((uint64_t)n << IAVF_RXD_QW1_LENGTH_PBUF_SHIFT);

		if (k == ndesc - 1) {
			qw1 |= AVFBE_RXD_STATUS(EOF);
			if (bad)
				qw1 |= AVFBE_RXD_ERROR(RXE);
		}
		if (!bad)
			qw1 |= wb->qw1;
		qw[1] = rte_cpu_to_le_64(qw1);
		rem -= n;
		idx = avfbe_next(idx, ctx->ring_len);
	}
	ctx->head = idx;
	ctx->avail -= ndesc;
	ctx->placed = true;
	return bad ? -EFAULT : 0;
}

static void
avfbe_tx_count(struct rte_iavf_emu_queue_stats *st, const uint8_t *dst,
		uint32_t len)
{
	st->packets++;
	st->bytes += len;
	if (rte_is_unicast_ether_addr((const struct rte_ether_addr *)dst))
		st->unicast++;
	else if (rte_is_broadcast_ether_addr((const struct rte_ether_addr *)dst))
		st->broadcast++;
	else
		st->multicast++;
}

/* Receive filter of the guest: its addresses, broadcast, promiscuous. */
static bool
avfbe_tx_accept(struct avfbe_tx_ctx *ctx, uint16_t emu_id,
		const struct rte_ether_addr *dst)
{
	if (ctx->promisc)
		return true;
	if (ctx->allmulti && rte_is_multicast_ether_addr(dst))
		return true;
	if (ctx->have_last_ok && rte_is_same_ether_addr(dst, &ctx->last_ok))
		return true;
	if (!rte_iavf_emu_mac_accepted(emu_id, dst))
		return false;
	rte_ether_addr_copy(dst, &ctx->last_ok);
	ctx->have_last_ok = true;
	return true;
}

/* Checksum status for the guest from what the mbuf says about itself. */
static uint64_t
avfbe_csum_status_of_mbuf(const struct rte_mbuf *m, uint32_t ptype)
{
	uint64_t ip = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	uint64_t st;

	if (!RTE_ETH_IS_IPV4_HDR(ptype) && !RTE_ETH_IS_IPV6_HDR(ptype))
		return 0;
	if (l4 == RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN ||
	    (RTE_ETH_IS_IPV4_HDR(ptype) &&
	     ip == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN))
		return 0;  /* let the guest verify */
	st = AVFBE_RXD_STATUS(L3L4P);
	if (RTE_ETH_IS_IPV4_HDR(ptype) && ip == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		st |= AVFBE_RXD_ERROR(IPE);
	if (l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		st |= AVFBE_RXD_ERROR(L4E);
	return st;
}

static void
avfbe_tx_rss(struct avfbe_tx_ctx *ctx, const struct rte_mbuf *m,
		uint32_t ptype, uint32_t l2_len, uint32_t l3_len,
		struct avfbe_wb *wb)
{
	uint32_t hash = ctx->pre_hash;

	/* device RSS hashed the frame already to pick its queue */
	if (ctx->pre_hashed || (ctx->rss &&
	    avfbe_rss_hash(ctx->rss_tbl, m, ptype, l2_len, l3_len, &hash))) {
		wb->qw0 |= (uint64_t)hash << 32;
		wb->qw1 |= AVFBE_RXD_FLTSTAT_RSS;
	}
}

/* avfbe_tx_rss() of a frame in one segment of len bytes. */
static __rte_always_inline void
avfbe_tx_rss_flat(struct avfbe_tx_ctx *ctx, const struct rte_mbuf *m,
		const uint8_t *frame, uint32_t len, uint32_t ptype,
		uint32_t l2_len, uint32_t l3_len, struct avfbe_wb *wb)
{
	uint32_t hash = ctx->pre_hash;

	/* lengths an mbuf gave for itself may not fit its frame */
	if (unlikely(l2_len >= len)) {
		avfbe_tx_rss(ctx, m, ptype, l2_len, l3_len, wb);
		return;
	}
	if (ctx->pre_hashed || avfbe_rss_hash_flat(ctx->rss_tbl,
			frame + l2_len, l3_len, len - l2_len, ptype, &hash)) {
		wb->qw0 |= (uint64_t)hash << 32;
		wb->qw1 |= AVFBE_RXD_FLTSTAT_RSS;
	}
}

static uint32_t
avfbe_ol_ptype(const struct avfbe_ol *ol)
{
	uint32_t pt = RTE_PTYPE_L2_ETHER | (ol->ipv4 ?
		RTE_PTYPE_L3_IPV4_EXT_UNKNOWN : RTE_PTYPE_L3_IPV6_EXT_UNKNOWN);

	switch (ol->l4_proto) {
	case IPPROTO_TCP: return pt | RTE_PTYPE_L4_TCP;
	case IPPROTO_UDP: return pt | RTE_PTYPE_L4_UDP;
	case IPPROTO_SCTP: return pt | RTE_PTYPE_L4_SCTP;
	default: return pt;
	}
}

/*
 * A frame needs more guest buffers than the ring can ever hold: left to
 * the caller, it would come back forever. Dropped and counted.
 */
static void
avfbe_tx_no_fit(struct avfbe_tx_queue *txq, uint32_t len, uint64_t need)
{
	uint64_t n = ++txq->cnt.no_fit;

	if ((n & (n - 1)) == 0)
		AVFBE_LOG(WARNING, "txq %u: %u-byte frame needs %" PRIu64
			  " guest Rx buffers, ring holds %u: dropped (%" PRIu64
			  " so far)",
			  txq->queue_id, len, need,
			  txq->gq->ring_len - 1u, n);
}

/*
 * Write back the descriptor qw (the ring's head) of a frame of len bytes
 * the guest buffer now holds whole, and move the head past it.
 */
static __rte_always_inline void
avfbe_tx_done_one(struct avfbe_tx_ctx *ctx, volatile uint64_t *qw,
		struct avfbe_wb wb, uint32_t len)
{
	qw[0] = rte_cpu_to_le_64(wb.qw0);
	qw[2] = 0;
	qw[3] = 0;
	/* buffer contents before the descriptor done bit */
	rte_atomic_thread_fence(rte_memory_order_release);
	qw[1] = rte_cpu_to_le_64(wb.qw1 | AVFBE_RXD_STATUS(DD) |
		AVFBE_RXD_STATUS(EOF) |
		((uint64_t)len << IAVF_RXD_QW1_LENGTH_PBUF_SHIFT));
	ctx->head = avfbe_next(ctx->head, ctx->ring_len);
	ctx->avail--;
	ctx->placed = true;
}

/*
 * TSO segment seg_idx (payload pay_off, pay_len bytes long, read from the
 * cursor pay) when it fits the next guest buffer: the payload is summed
 * while it is copied, then the headers are built with that sum and copied
 * in front of it. Returns 0, or -EAGAIN (nothing consumed) when the
 * buffer's address is not plain guest memory: avfbe_tx_place() handles it.
 */
static int
avfbe_tx_tso_one(struct avfbe_tx_ctx *ctx, const struct rte_mbuf *m,
		struct avfbe_ol *ol, struct avfbe_src *pay, uint32_t seg_idx,
		uint32_t pay_off, uint32_t pay_len, bool last,
		const struct avfbe_wb *wb)
{
	volatile uint64_t *qw = (volatile uint64_t *)&ctx->ring[ctx->head];
	uint32_t len = ol->hdr_len + pay_len;
	uint16_t sum;
	uint8_t *dst;

	/* read.pkt_addr, read once */
	dst = rte_iavf_emu_xlate(ctx->gq, rte_le_to_cpu_64(qw[0]), len, true);
	if (unlikely(dst == NULL))
		return -EAGAIN;
	sum = avfbe_src_copy(pay, dst + ol->hdr_len, pay_len, true);
	avfbe_ol_tso_segment(m, ol, seg_idx, pay_off, pay_len, last, &sum);
	avfbe_copy(dst, ol->hdr, ol->hdr_len);
	avfbe_tx_done_one(ctx, qw, *wb, len);
	return 0;
}

/* Segment a TSO request in software, straight into guest buffers. */
static int
avfbe_tx_tso(struct avfbe_tx_queue *txq, struct avfbe_tx_ctx *ctx,
		const struct rte_mbuf *m, struct avfbe_ol *ol,
		const uint8_t *dst_mac, struct avfbe_wb tag)
{
	/* payload > 0 and mss > 0: checked by the caller and prepare */
	uint32_t payload = m->pkt_len - ol->hdr_len;
	uint32_t mss = m->tso_segsz;
	uint32_t nseg = (payload - 1) / mss + 1;
	uint32_t last_len = payload - (nseg - 1) * mss;
	uint32_t ptype = avfbe_ol_ptype(ol);
	struct avfbe_wb wb = tag;
	struct avfbe_src src;
	uint32_t s, off;
	uint64_t need;

	if (ol->hdr_len + mss > ctx->max_frame) {
		txq->cnt.oversize++;
		return 0;
	}
	need = (uint64_t)(nseg - 1) *
		avfbe_descs_needed(ol->hdr_len + mss, ctx->buf_len) +
		avfbe_descs_needed(ol->hdr_len + last_len, ctx->buf_len);
	/* all segments go in one burst: a frame that never fits is lost */
	if (unlikely(need > avfbe_ring_max(ctx))) {
		avfbe_tx_no_fit(txq, m->pkt_len, need);
		return 0;
	}
	if (need > ctx->avail)
		return -ENOSPC;

	wb.qw1 |= ((uint64_t)avfbe_ptype_of(ptype) << IAVF_RXD_QW1_PTYPE_SHIFT) |
		AVFBE_RXD_STATUS(L3L4P);
	avfbe_tx_rss(ctx, m, ptype, ol->l2_len, ol->l3_len, &wb);

	avfbe_src_init(&src, NULL, 0, m, ol->hdr_len);
	for (s = 0, off = 0; s < nseg; s++, off += mss) {
		uint32_t len = s == nseg - 1 ? last_len : mss;

		/* one buffer per segment: copied and summed in one pass */
		if (ol->hdr_len + len <= ctx->flat_max &&
		    avfbe_tx_tso_one(ctx, m, ol, &src, s, off, len,
				     s == nseg - 1, &wb) == 0) {
			avfbe_tx_count(&ctx->gq->stats, dst_mac,
				       ol->hdr_len + len);
			continue;
		}
		avfbe_ol_tso_segment(m, ol, s, off, len, s == nseg - 1, NULL);
		src.hdr = ol->hdr;
		src.hdr_len = ol->hdr_len;
		if (avfbe_tx_place(ctx, &src, ol->hdr_len + len, &wb) != 0) {
			ctx->gq->stats.bad_desc++;
			return 0;  /* rest of the frame is lost */
		}
		avfbe_tx_count(&ctx->gq->stats, dst_mac, ol->hdr_len + len);
	}
	txq->cnt.tso_segs += nseg;
	return 0;
}

/*
 * L4 of the common frames by IP protocol: mbuf packet type and legacy
 * descriptor packet type (iavf_ptype_lookup[]) of IPv4; the IPv6 entries
 * of that table are the IPv4 ones plus AVFBE_HW_PTYPE_V6. An entry with
 * hw 0 marks any other protocol: IPv4 non-fragment (23), IPv6 left to the
 * full parser.
 */
#define AVFBE_HW_PTYPE_V6 66

struct avfbe_l4_type {
	uint32_t ptype;
	uint8_t hw;
};

static const struct avfbe_l4_type avfbe_l4_types[UINT8_MAX + 1] = {
	[IPPROTO_TCP] = { RTE_PTYPE_L4_TCP, 26 },
	[IPPROTO_UDP] = { RTE_PTYPE_L4_UDP, 24 },
	[IPPROTO_SCTP] = { RTE_PTYPE_L4_SCTP, 27 },
	[IPPROTO_ICMP] = { RTE_PTYPE_L4_ICMP, 28 },
	[IPPROTO_ICMPV6] = { RTE_PTYPE_L4_ICMP, 28 },
};

/* Packet type and descriptor packet type of a checksum request: as
 * avfbe_ptype_of(avfbe_ol_ptype(ol)), by the table.
 */
static __rte_always_inline void
avfbe_ol_types(const struct avfbe_ol *ol, uint32_t *ptype, uint8_t *hw)
{
	const struct avfbe_l4_type *l4 = &avfbe_l4_types[ol->l4_proto];

	*ptype = RTE_PTYPE_L2_ETHER | l4->ptype | (ol->ipv4 ?
		RTE_PTYPE_L3_IPV4_EXT_UNKNOWN : RTE_PTYPE_L3_IPV6_EXT_UNKNOWN);
	if (l4->hw != 0)
		*hw = l4->hw + (ol->ipv4 ? 0 : AVFBE_HW_PTYPE_V6);
	else
		*hw = ol->ipv4 ? 23 : 23 + AVFBE_HW_PTYPE_V6;
}

/* Packet types and L3 length of an avfbe_ol_csum_common() result. */
static __rte_always_inline void
avfbe_csum_types(int cs, uint32_t *ptype, uint8_t *hw, uint32_t *l3_len)
{
	static const struct {
		uint32_t ptype;
		uint8_t hw;
		uint8_t l3_len;
	} types[4] = {
		[0] = { RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4_EXT_UNKNOWN |
			RTE_PTYPE_L4_UDP, 24, 20 },
		[AVFBE_CSUM_TCP] = { RTE_PTYPE_L2_ETHER |
			RTE_PTYPE_L3_IPV4_EXT_UNKNOWN | RTE_PTYPE_L4_TCP, 26, 20 },
		[AVFBE_CSUM_V6] = { RTE_PTYPE_L2_ETHER |
			RTE_PTYPE_L3_IPV6_EXT_UNKNOWN | RTE_PTYPE_L4_UDP,
			24 + AVFBE_HW_PTYPE_V6, 40 },
		[AVFBE_CSUM_V6 | AVFBE_CSUM_TCP] = { RTE_PTYPE_L2_ETHER |
			RTE_PTYPE_L3_IPV6_EXT_UNKNOWN | RTE_PTYPE_L4_TCP,
			26 + AVFBE_HW_PTYPE_V6, 40 },
	};
	unsigned int i = cs & (AVFBE_CSUM_TCP | AVFBE_CSUM_V6);

	*ptype = types[i].ptype;
	*hw = types[i].hw;
	*l3_len = types[i].l3_len;
}

/*
 * Packet type of the common frames, from the first segment: untagged
 * Ethernet, IPv4, or IPv6 without extension headers, then TCP, UDP, SCTP,
 * ICMP or a fragment. Gives the packet type as an mbuf carries it, the
 * descriptor packet type (as avfbe_ptype_of()) and the L3 header length
 * (L2 is RTE_ETHER_HDR_LEN). Returns false for anything else: the caller
 * asks avfbe_tx_ptype().
 */
static __rte_always_inline bool
avfbe_ptype_fast(const uint8_t *p, uint32_t len, uint32_t *ptype,
		uint8_t *hw_ptype, uint32_t *l3_len)
{
	const uint8_t *ip = p + RTE_ETHER_HDR_LEN;
	uint16_t et = *(const unaligned_uint16_t *)(p + RTE_ETHER_HDR_LEN - 2);
	const struct avfbe_l4_type *l4;
	uint32_t hl;

	if (unlikely(len < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr)))
		return false;
	if (et == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		hl = (ip[0] & 0xf) * 4u;
		if (unlikely((ip[0] >> 4) != 4 ||
			     hl < sizeof(struct rte_ipv4_hdr) ||
			     len < RTE_ETHER_HDR_LEN + hl))
			return false;
		*l3_len = hl;
		/* MF or a fragment offset */
		if (*(const unaligned_uint16_t *)(ip + 6) & RTE_BE16(0x3fff)) {
			*ptype = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4_EXT_UNKNOWN |
				RTE_PTYPE_L4_FRAG;
			*hw_ptype = 22;
			return true;
		}
		l4 = &avfbe_l4_types[ip[9]];
		if (l4->hw != 0) {
			*ptype = RTE_PTYPE_L2_ETHER |
				RTE_PTYPE_L3_IPV4_EXT_UNKNOWN | l4->ptype;
			*hw_ptype = l4->hw;
		} else {
			*ptype = RTE_PTYPE_L2_ETHER |
				RTE_PTYPE_L3_IPV4_EXT_UNKNOWN |
				RTE_PTYPE_L4_NONFRAG;
			*hw_ptype = 23;
		}
		return true;
	}
	if (et == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		if (unlikely((ip[0] >> 4) != 6 ||
			     len < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr)))
			return false;
		l4 = &avfbe_l4_types[ip[6]];
		/* extension headers: the full parser walks them */
		if (l4->hw == 0)
			return false;
		*l3_len = sizeof(struct rte_ipv6_hdr);
		*ptype = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6_EXT_UNKNOWN |
			l4->ptype;
		*hw_ptype = l4->hw + AVFBE_HW_PTYPE_V6;
		return true;
	}
	return false;
}

/* Packet type and header lengths of a frame without offload requests. */
static uint32_t
avfbe_tx_ptype(const struct rte_mbuf *m, uint32_t *l2_len, uint32_t *l3_len)
{
	const uint32_t want = RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK |
		RTE_PTYPE_L4_MASK;
	struct rte_net_hdr_lens hl;
	uint32_t ptype = m->packet_type;

	/* what the mbuf says about itself, when it says enough */
	if ((ptype & RTE_PTYPE_L3_MASK) != 0 &&
	    (ptype & RTE_PTYPE_TUNNEL_MASK) == 0 &&
	    m->l2_len != 0 && m->l3_len != 0) {
		*l2_len = m->l2_len;
		*l3_len = m->l3_len;
		return ptype;
	}
	ptype = rte_net_get_ptype(m, &hl, want);
	*l2_len = hl.l2_len;
	*l3_len = hl.l3_len;
	return ptype;
}

/*
 * Deliver one mbuf, with tag in its write-back (its stripped VLAN tag).
 * Returns 0 when the mbuf was consumed (delivered or dropped and counted)
 * or -ENOSPC when the guest has too few buffers.
 */
static int
avfbe_tx_one(struct avfbe_tx_queue *txq, struct avfbe_tx_ctx *ctx,
		const struct rte_mbuf *m, struct avfbe_wb tag)
{
	const uint64_t ol_req = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK |
		RTE_MBUF_F_TX_IP_CKSUM;
	uint8_t mac_buf[RTE_ETHER_HDR_LEN];
	struct avfbe_wb wb = tag;
	const uint8_t *dst_mac;
	struct avfbe_src src;
	struct avfbe_ol ol;
	uint32_t ptype, l2_len, l3_len;
	int ret;

	if (unlikely(m->pkt_len < RTE_ETHER_HDR_LEN)) {
		txq->cnt.invalid++;
		return 0;
	}
	dst_mac = rte_pktmbuf_read(m, 0, RTE_ETHER_HDR_LEN, mac_buf);
	if (unlikely(dst_mac == NULL)) {
		txq->cnt.invalid++;
		return 0;
	}
	if (!avfbe_tx_accept(ctx, txq->emu_id,
			     (const struct rte_ether_addr *)dst_mac)) {
		txq->cnt.filtered++;
		return 0;
	}

	if (m->ol_flags & ol_req) {
		if (avfbe_ol_prepare(m, &ol) != 0) {
			txq->cnt.invalid++;
			return 0;
		}
		if ((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) &&
		    m->pkt_len > ol.hdr_len)
			return avfbe_tx_tso(txq, ctx, m, &ol, dst_mac, tag);
		if (avfbe_ol_csum(m, &ol) != 0) {
			txq->cnt.invalid++;
			return 0;
		}
		txq->cnt.sw_csum++;
		ptype = avfbe_ol_ptype(&ol);
		l2_len = ol.l2_len;
		l3_len = ol.l3_len;
		/* L3L4P only for what was really checked or computed */
		if (ol.l4_ok && ol.ip_ok)
			wb.qw1 |= AVFBE_RXD_STATUS(L3L4P);
		else if (ol.l4_ok)
			wb.qw1 |= AVFBE_RXD_STATUS(L3L4P) | AVFBE_RXD_ERROR(IPE);
		avfbe_src_init(&src, ol.hdr, ol.hdr_len, m, ol.hdr_len);
	} else {
		ptype = avfbe_tx_ptype(m, &l2_len, &l3_len);
		wb.qw1 |= avfbe_csum_status_of_mbuf(m, ptype);
		avfbe_src_init(&src, NULL, 0, m, 0);
	}

	if (m->pkt_len > ctx->max_frame) {
		txq->cnt.oversize++;
		return 0;
	}
	wb.qw1 |= (uint64_t)avfbe_ptype_of(ptype) << IAVF_RXD_QW1_PTYPE_SHIFT;
	avfbe_tx_rss(ctx, m, ptype, l2_len, l3_len, &wb);

	ret = avfbe_tx_place(ctx, &src, m->pkt_len, &wb);
	if (ret == -ENOSPC)
		return ret;
	if (unlikely(ret == -E2BIG)) {
		avfbe_tx_no_fit(txq, m->pkt_len,
				avfbe_descs_needed(m->pkt_len, ctx->buf_len));
		return 0;
	}
	if (ret == -EFAULT) {
		uint64_t n = ++ctx->gq->stats.bad_desc;

		if ((n & (n - 1)) == 0)
			AVFBE_LOG(WARNING, "txq %u: guest Rx buffer outside guest memory (%" PRIu64 " so far)",
				  txq->queue_id, n);
		return 0;
	}
	avfbe_tx_count(&ctx->gq->stats, dst_mac, m->pkt_len);
	return 0;
}

/*
 * The common frame: one segment, no segmentation request, fits one guest
 * buffer (ctx->avail > 0, checked by the caller); checksum requests are
 * completed in the guest's copy. Returns 0 when the mbuf was delivered
 * or filtered, -EAGAIN when avfbe_tx_one() must take it (a buffer
 * address that is not plain guest memory: it writes RXE; a request the
 * fast path refuses: it counts or completes it).
 */
static __rte_always_inline int
avfbe_tx_fast(struct avfbe_tx_queue *txq, struct avfbe_tx_ctx *ctx,
		const struct rte_mbuf *m, struct avfbe_wb tag)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	volatile uint64_t *qw = (volatile uint64_t *)&ctx->ring[ctx->head];
	struct rte_iavf_emu_queue_stats *st = &ctx->gq->stats;
	uint32_t len = m->data_len, ptype, l2_len, l3_len;
	struct avfbe_wb wb = tag;
	uint8_t hw_ptype;
	uint8_t *dst;

	if (!avfbe_tx_accept(ctx, txq->emu_id,
			     (const struct rte_ether_addr *)frame)) {
		txq->cnt.filtered++;
		return 0;
	}
	/* read.pkt_addr, read once */
	dst = rte_iavf_emu_xlate(ctx->gq, rte_le_to_cpu_64(qw[0]), len, true);
	if (unlikely(dst == NULL))
		return -EAGAIN;
	if (m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IP_CKSUM)) {
		struct avfbe_ol ol;
		int cs;

		/* copied with the checksums completed; the slow path counts
		 * what this refuses
		 */
		cs = avfbe_ol_csum_common(m, dst);
		if (likely(cs >= 0)) {
			/* L3L4P: the L4 sum was computed */
			avfbe_csum_types(cs, &ptype, &hw_ptype, &l3_len);
			l2_len = RTE_ETHER_HDR_LEN;
			wb.qw1 |= AVFBE_RXD_STATUS(L3L4P) |
				((cs & AVFBE_CSUM_IP_BAD) ?
				 AVFBE_RXD_ERROR(IPE) : 0);
		} else {
			if (avfbe_ol_csum_flat(m, dst, &ol) != 0)
				return -EAGAIN;
			avfbe_ol_types(&ol, &ptype, &hw_ptype);
			l2_len = ol.l2_len;
			l3_len = ol.l3_len;
			/* L3L4P only for what was really checked or
			 * computed
			 */
			if (ol.l4_ok)
				wb.qw1 |= AVFBE_RXD_STATUS(L3L4P) |
					(ol.ip_ok ? 0 : AVFBE_RXD_ERROR(IPE));
		}
		txq->cnt.sw_csum++;
	} else {
		avfbe_copy(dst, frame, len);
		l2_len = RTE_ETHER_HDR_LEN;
		if (!avfbe_ptype_fast(frame, len, &ptype, &hw_ptype,
				      &l3_len)) {
			ptype = avfbe_tx_ptype(m, &l2_len, &l3_len);
			hw_ptype = avfbe_ptype_of(ptype);
		}
		if (unlikely(m->ol_flags & (RTE_MBUF_F_RX_IP_CKSUM_MASK |
					    RTE_MBUF_F_RX_L4_CKSUM_MASK)))
			wb.qw1 |= avfbe_csum_status_of_mbuf(m, ptype);
	}
	wb.qw1 |= (uint64_t)hw_ptype << IAVF_RXD_QW1_PTYPE_SHIFT;
	if (ctx->rss)
		avfbe_tx_rss_flat(ctx, m, frame, len, ptype, l2_len, l3_len,
				  &wb);

	avfbe_tx_done_one(ctx, qw, wb, len);

	st->packets++;
	st->bytes += len;
	/* multicast and broadcast have the I/G bit set */
	if (likely(!(frame[0] & 1)))
		st->unicast++;
	else if (rte_is_broadcast_ether_addr((const struct rte_ether_addr *)frame))
		st->broadcast++;
	else
		st->multicast++;
	return 0;
}

/*
 * Free the mbufs a burst consumed. The usual ones (direct, one segment,
 * not shared, from one pool) go back with one mempool call, as
 * rte_pktmbuf_prefree_seg() would leave them; any other through
 * rte_pktmbuf_free().
 */
static void
avfbe_tx_free(struct rte_mbuf **pkts, uint16_t n)
{
	void *bulk[AVFBE_TX_FREE_BULK];
	struct rte_mempool *mp = NULL;
	uint16_t i, nb = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (likely(m->nb_segs == 1 && m->next == NULL &&
			   RTE_MBUF_DIRECT(m) &&
			   rte_mbuf_refcnt_read(m) == 1 &&
			   (m->pool == mp || nb == 0))) {
			mp = m->pool;
			bulk[nb++] = m;
			if (nb == RTE_DIM(bulk)) {
				rte_mempool_put_bulk(mp, bulk, nb);
				nb = 0;
			}
			continue;
		}
		rte_pktmbuf_free(m);
	}
	if (nb != 0)
		rte_mempool_put_bulk(mp, bulk, nb);
}

static void
avfbe_tx_bad_tail(struct avfbe_tx_queue *txq, uint32_t tail)
{
	if (tail == txq->last_bad_tail)
		return;
	txq->last_bad_tail = tail;
	if (txq->cnt.bad_tail++ == 0)
		AVFBE_LOG(WARNING, "txq %u: guest Rx tail %u past ring of %u (ignored)",
			  txq->queue_id, tail, txq->gq->ring_len);
}

/*
 * Open a guest Rx queue for placing frames (its access lock held): ring
 * state from the guest's tail. Returns 0, or -ENOSPC when it can take
 * nothing now (no buffer posted, a bad tail, no buffer size).
 */
static int
avfbe_tx_ctx_open(struct avfbe_tx_queue *txq, struct rte_iavf_emu_queue *gq,
		struct avfbe_tx_ctx *ctx)
{
	uint32_t tail;

	if (unlikely(!gq->enabled || gq->ring == NULL || gq->ring_len < 2))
		return -ENOSPC;
	tail = avfbe_guest_tail(gq);
	if (unlikely(tail >= gq->ring_len)) {
		avfbe_tx_bad_tail(txq, tail);
		return -ENOSPC;
	}
	/* The guest programs buffers in 128-byte units; a length field of
	 * 14 bits bounds what one descriptor can report.
	 */
	if (unlikely(gq->buf_size < AVFBE_RX_MIN_BUF))
		return -ENOSPC;
	ctx->gq = gq;
	ctx->ring = gq->ring;
	ctx->ring_len = gq->ring_len;
	ctx->head = gq->next < gq->ring_len ? gq->next : 0;
	ctx->avail = avfbe_ring_count(ctx->head, (uint16_t)tail,
				      ctx->ring_len);
	if (ctx->avail == 0)
		return -ENOSPC;
	ctx->buf_len = RTE_MIN(gq->buf_size, (uint32_t)AVFBE_RX_MAX_BUF);
	ctx->max_frame = gq->max_pkt_size != 0 ? gq->max_pkt_size :
		AVFBE_MAX_FRAME;
	ctx->flat_max = RTE_MIN(ctx->buf_len, ctx->max_frame);
	ctx->placed = false;
	return 0;
}

/* Hand the frames placed on an opened queue to the guest. */
static void
avfbe_tx_ctx_close(struct avfbe_tx_ctx *ctx)
{
	ctx->gq->next = ctx->head;
	if (ctx->placed)
		rte_iavf_emu_queue_notify(ctx->gq);
}

/* The whole frame in the first segment (any further ones are empty), no
 * segmentation or VLAN request, fits one guest buffer: avfbe_tx_fast()
 * may take it.
 */
static __rte_always_inline bool
avfbe_tx_flat(const struct avfbe_tx_ctx *ctx, const struct rte_mbuf *m)
{
	return m->pkt_len == m->data_len &&
		!(m->ol_flags & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_VLAN)) &&
		m->data_len >= RTE_ETHER_HDR_LEN &&
		m->data_len <= ctx->flat_max;
}

/*
 * Place one mbuf whose VLAN tag is done on an opened queue, tag in its
 * write-back. Returns 0 when it was consumed (delivered, or dropped and
 * counted) or -ENOSPC when the queue has too few buffers for it.
 */
static int
avfbe_tx_deliver(struct avfbe_tx_queue *txq, struct avfbe_tx_ctx *ctx,
		const struct rte_mbuf *m, struct avfbe_wb tag)
{
	if (avfbe_tx_flat(ctx, m)) {
		if (ctx->avail == 0)
			return -ENOSPC;
		if (avfbe_tx_fast(txq, ctx, m, tag) == 0)
			return 0;
	}
	return avfbe_tx_one(txq, ctx, m, tag);
}

/* A frame with an 802.1Q tag for the guest's VLAN filter or strip. */
static __rte_noinline int
avfbe_tx_vlan(struct avfbe_tx_queue *txq, struct avfbe_tx_ctx *ctx,
		const struct rte_mbuf *m)
{
	struct avfbe_wb tag = avfbe_no_tag;
	struct avfbe_vlan_out vo;
	int ret;

	ret = avfbe_vlan_to_guest(m, txq->emu_id, ctx->vlan_filter,
				  ctx->vlan_strip, &vo);
	if (ret == -EPERM) {
		txq->cnt.vlan_filtered++;
		return 0;
	}
	if (ret == -ENOMEM) {
		txq->cnt.vlan_nombuf++;
		return 0;
	}
	if (ret != 0) {
		txq->cnt.invalid++;
		return 0;
	}
	if (vo.tagged) {
		tag.qw0 = (uint64_t)vo.tci << AVFBE_RXD_QW0_L2TAG1_SHIFT;
		tag.qw1 = AVFBE_RXD_STATUS(L2TAG1P);
	}
	ret = avfbe_tx_deliver(txq, ctx, vo.m, tag);
	if (vo.tagged && ret == 0)
		txq->cnt.vlan_strip++;
	/* a copy left undelivered is made again on the next attempt */
	rte_pktmbuf_free(vo.copy);
	return ret;
}

/* The frame carries an 802.1Q tag in its data. */
static __rte_always_inline bool
avfbe_tx_tag_in_frame(const struct rte_mbuf *m)
{
	if (likely(m->data_len >= RTE_ETHER_HDR_LEN))
		return *rte_pktmbuf_mtod_offset(m, const unaligned_uint16_t *,
			2 * RTE_ETHER_ADDR_LEN) == RTE_BE16(RTE_ETHER_TYPE_VLAN);
	return true;  /* a split header: avfbe_vlan_to_guest() reads it */
}

/*
 * Place one mbuf on an opened queue. Returns 0 when it was consumed
 * (delivered, or dropped and counted) or -ENOSPC when the queue has too
 * few buffers for it. A tag the guest's VLAN settings act on (in the
 * frame when the guest filters, or requested with RTE_MBUF_F_TX_VLAN)
 * goes through avfbe_tx_vlan().
 */
static __rte_always_inline int
avfbe_tx_put(struct avfbe_tx_queue *txq, struct avfbe_tx_ctx *ctx,
		const struct rte_mbuf *m)
{
	if (likely(avfbe_tx_flat(ctx, m))) {
		if (unlikely(ctx->vlan_filter && avfbe_tx_tag_in_frame(m)))
			return avfbe_tx_vlan(txq, ctx, m);
		if (ctx->avail == 0)
			return -ENOSPC;
		if (avfbe_tx_fast(txq, ctx, m, avfbe_no_tag) == 0)
			return 0;
		return avfbe_tx_one(txq, ctx, m, avfbe_no_tag);
	}
	if ((m->ol_flags & RTE_MBUF_F_TX_VLAN) ||
	    (ctx->vlan_filter && avfbe_tx_tag_in_frame(m)))
		return avfbe_tx_vlan(txq, ctx, m);
	return avfbe_tx_one(txq, ctx, m, avfbe_no_tag);
}

/* Packet type and header lengths of a frame for its RSS hash. */
static uint32_t
avfbe_tx_hash_ptype(const struct rte_mbuf *m, uint32_t *l2_len,
		uint32_t *l3_len)
{
	uint64_t fl = m->ol_flags;
	uint32_t ptype;
	uint8_t hw;

	if ((fl & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) &&
	    m->l2_len != 0 && m->l3_len != 0) {
		/* what the guest's offload request says */
		*l2_len = m->l2_len;
		*l3_len = m->l3_len;
		ptype = RTE_PTYPE_L2_ETHER | ((fl & RTE_MBUF_F_TX_IPV4) ?
			RTE_PTYPE_L3_IPV4_EXT_UNKNOWN :
			RTE_PTYPE_L3_IPV6_EXT_UNKNOWN);
		if ((fl & RTE_MBUF_F_TX_TCP_SEG) ||
		    (fl & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM)
			return ptype | RTE_PTYPE_L4_TCP;
		if ((fl & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM)
			return ptype | RTE_PTYPE_L4_UDP;
		if ((fl & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_SCTP_CKSUM)
			return ptype | RTE_PTYPE_L4_SCTP;
	}
	*l2_len = RTE_ETHER_HDR_LEN;
	if (avfbe_ptype_fast(rte_pktmbuf_mtod(m, const uint8_t *),
			     m->data_len, &ptype, &hw, l3_len))
		return ptype;
	return avfbe_tx_ptype(m, l2_len, l3_len);
}

/*
 * Device RSS: the guest Rx queue of each frame is the guest's lookup table
 * entry for the frame's hash, as the hardware spreads received traffic
 * (frames the guest does not hash go to queue 0). A queue the guest has
 * not enabled takes nothing: such frames stay on the port's own queue.
 * Every queue the burst uses is locked with a try-lock; one that another
 * lcore or the device model holds ends the burst there, as a full ring
 * does. Frames are consumed in order.
 */
static uint16_t
avfbe_tx_ring_rss(struct avfbe_tx_queue *txq, struct rte_mbuf **pkts,
		uint16_t nb_pkts, const struct avfbe_tx_ctx *tmpl,
		const struct rte_iavf_emu_rss *rss)
{
	struct rte_iavf_emu_queue *lockq[RTE_IAVF_EMU_MAX_QP];
	struct avfbe_tx_ctx ctx[RTE_IAVF_EMU_MAX_QP];
	uint32_t opened = 0, full = 0, locked = 0, redirect = 0;
	uint16_t own = txq->gq->qid, nb_tx, q, i;
	bool pow2 = (rss->lut_len & (rss->lut_len - 1)) == 0;

	for (nb_tx = 0; nb_tx < nb_pkts; nb_tx++) {
		const struct rte_mbuf *m = pkts[nb_tx];
		uint32_t l2_len, l3_len, ptype, hash = 0;
		struct rte_iavf_emu_queue *gq;
		bool hashed;

		ptype = avfbe_tx_hash_ptype(m, &l2_len, &l3_len);
		hashed = avfbe_rss_hash(tmpl->rss_tbl, m, ptype, l2_len,
					l3_len, &hash);
		q = hashed ? rss->lut[pow2 ? hash & (rss->lut_len - 1) :
				      hash % rss->lut_len] : 0;
		if (q >= txq->ad->num_qp || (redirect & RTE_BIT32(q)))
			q = own;
		if (!(opened & RTE_BIT32(q))) {
			if (full & RTE_BIT32(q))
				break;
			if (q != own) {
				gq = rte_iavf_emu_get_queue(txq->emu_id, q,
							    false);
				if (gq == NULL ||
				    !rte_spinlock_trylock(&gq->access_lock))
					break;
				lockq[q] = gq;
				locked |= RTE_BIT32(q);
				rte_iavf_emu_irq_service(gq);
				if (!gq->enabled) {
					/* not enabled: the port's own queue */
					redirect |= RTE_BIT32(q);
					q = own;
				}
			}
			if (!(opened & RTE_BIT32(q))) {
				ctx[q] = *tmpl;
				if (avfbe_tx_ctx_open(txq, q == own ? txq->gq :
						      lockq[q], &ctx[q]) != 0) {
					full |= RTE_BIT32(q);
					break;
				}
				opened |= RTE_BIT32(q);
			}
		}
		ctx[q].pre_hash = hash;
		ctx[q].pre_hashed = hashed;
		if (avfbe_tx_put(txq, &ctx[q], m) == -ENOSPC)
			break;
	}
	avfbe_tx_free(pkts, nb_tx);
	for (i = 0; i < RTE_IAVF_EMU_MAX_QP; i++) {
		if (opened & RTE_BIT32(i))
			avfbe_tx_ctx_close(&ctx[i]);
		if (locked & RTE_BIT32(i))
			rte_spinlock_unlock(&lockq[i]->access_lock);
	}
	txq->cnt.ring_full += nb_pkts - nb_tx;
	return nb_tx;
}

/*
 * Place up to nb_pkts frames on the guest's Rx queue(s). Queue access lock
 * of the port's own guest queue held.
 */
static __rte_noinline uint16_t
avfbe_tx_ring(struct avfbe_tx_queue *txq, struct rte_mbuf **pkts,
		uint16_t nb_pkts)
{
	struct rte_iavf_emu_rss rss;
	struct avfbe_tx_ctx ctx;
	uint16_t nb_tx;

	ctx.have_last_ok = false;
	ctx.pre_hashed = false;
	if (rte_iavf_emu_get_rx_mode(txq->emu_id, &ctx.promisc,
				     &ctx.allmulti) != 0) {
		ctx.promisc = false;
		ctx.allmulti = false;
	}
	ctx.rss = false;
	ctx.rss_tbl = txq->rss_tbl;
	if (rte_iavf_emu_get_vlan_mode(txq->emu_id, &ctx.vlan_filter,
				       &ctx.vlan_strip) != 0) {
		ctx.vlan_filter = false;
		ctx.vlan_strip = false;
	}
	txq->spread = false;
	if (rte_iavf_emu_get_rss(txq->emu_id, &rss) == 0 && rss.enabled) {
		/* the guest's key changed: new tables (once per change) */
		if (!txq->rss_tbl->built || txq->rss_tbl->gen != rss.gen)
			avfbe_rss_tbl_build(txq->rss_tbl, &rss);
		ctx.rss = txq->rss_tbl->usable;
		txq->spread = ctx.rss && txq->ad->device_rss &&
			txq->ad->num_qp > 1 && rss.lut_len > 0;
		if (txq->spread)
			return avfbe_tx_ring_rss(txq, pkts, nb_pkts, &ctx,
						 &rss);
	}

	if (avfbe_tx_ctx_open(txq, txq->gq, &ctx) != 0) {
		txq->cnt.ring_full += nb_pkts;
		return 0;
	}
	for (nb_tx = 0; nb_tx < nb_pkts; nb_tx++) {
		if (nb_tx + 1 < nb_pkts)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[nb_tx + 1], void *));
		if (avfbe_tx_put(txq, &ctx, pkts[nb_tx]) == -ENOSPC)
			break;
	}
	/* delivered or dropped and counted: the mbufs are done */
	avfbe_tx_free(pkts, nb_tx);
	avfbe_tx_ctx_close(&ctx);
	/* Frames left to the caller (the guest had no buffers for them) are
	 * not dropped here: the application may send them again.
	 */
	txq->cnt.ring_full += nb_pkts - nb_tx;
	return nb_tx;
}

/* A burst with work: interrupts to deliver or guest buffers posted. */
static __rte_noinline uint16_t
avfbe_tx_work(struct avfbe_tx_queue *txq, struct rte_mbuf **pkts,
		uint16_t nb_pkts)
{
	struct rte_iavf_emu_queue *gq = txq->gq;
	uint16_t nb_tx = 0;
	uint32_t tail;

	rte_iavf_emu_irq_service(gq);
	tail = avfbe_guest_tail(gq);
	/* device RSS: other guest queues may take the frames, also when
	 * the guest did not enable this queue (fewer queues than the port)
	 */
	if (nb_pkts != 0 && (tail != gq->next || txq->spread || !gq->enabled))
		nb_tx = avfbe_tx_ring(txq, pkts, nb_pkts);
	else
		txq->cnt.ring_full += nb_pkts;
	rte_spinlock_unlock(&gq->access_lock);
	return nb_tx;
}

/*
 * Kept small and call free: a guest without free buffers costs the lock
 * and a few loads (avfbe_tx_work() releases the lock when it runs).
 */
uint16_t
avfbe_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct avfbe_tx_queue *txq = queue;
	struct rte_iavf_emu_queue *gq = txq->gq;

	if (unlikely(!rte_spinlock_trylock(&gq->access_lock)))
		return 0;
	if (likely(gq->enabled) &&
	    ((nb_pkts != 0 && (avfbe_guest_tail(gq) != gq->next ||
			       txq->spread)) ||
	     rte_iavf_emu_irq_due(gq)))
		return avfbe_tx_work(txq, pkts, nb_pkts);
	/* the guest's RSS table may name its other queues */
	if (!gq->enabled && nb_pkts != 0 && txq->ad->device_rss &&
	    txq->ad->num_qp > 1)
		return avfbe_tx_work(txq, pkts, nb_pkts);
	if (likely(gq->enabled))
		txq->cnt.ring_full += nb_pkts;
	rte_spinlock_unlock(&gq->access_lock);
	return 0;
}
