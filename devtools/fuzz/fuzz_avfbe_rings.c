/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Fuzz target avfbe_rings: a hostile guest on the data path of net_avfbe.
 * The guest writes its TX ring (data and context descriptors with any
 * fields, buffers inside, outside or across its DMA mappings) and its RX
 * ring, moves the tails anywhere, and changes its DMA map; the port polls
 * with rte_eth_rx_burst() and delivers mbufs built from the input (any
 * offload request) with rte_eth_tx_burst(). What the port receives may be
 * forwarded back to the guest, as a forwarding application would.
 *
 * Set-up (once): emu_iavf0 (one queue pair) and net_avfbe0 (id=0,
 * avf_emu_id=0) started with a mempool; the test guest model probes and
 * opens the device like Linux iavf (64-descriptor rings in 2 MiB of memfd
 * guest memory at RB_MEM_IOVA, queues enabled, link up). A second memfd
 * (RB_BUF_SIZE) backs the buffer window at RB_WIN_IOVA, which each input
 * maps its own way.
 *
 * Per input: the DMA map of the window is brought to the input's layout
 * (up to three mappings: shared read-write, shared read-only or fd-less;
 * only the differences to the previous input become DMA_UNMAP/DMA_MAP
 * messages), both rings are cleared and the device's ring heads and the
 * guest's tails go to 0 (as after a queue restart), memory the previous
 * input wrote is zeroed. Then the operations run (see enum rb_op).
 *
 * Checks besides the sanitizers: mbufs the port returns are well-formed
 * (rte_mbuf_check, offload requests valid for rte_eth_tx_prepare), the
 * device writes only descriptors the guest made available and with the
 * expected content, write-back lengths fit the guest buffers, and every
 * mbuf goes back to the pool.
 *
 * Input: a header byte (bit 0: unicast promiscuous, bit 1: multicast
 * promiscuous, bit 2: RSS off, bits 3-4: number of window mappings), the
 * mappings (u8 first page, u8 pages, u8 kind each), then operations until
 * the input ends; fields little endian, missing bytes read as 0.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <ethdev_driver.h>
#include <rte_ethdev.h>
#include <rte_io.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "iavf_emu.h"
#include "avfbe.h"
#include "avf_guest_model.h"
#include "fuzz_common.h"

#define RB_NAME		"avfbe_rings"
#define RB_EMU		"emu_iavf0"
#define RB_PORT		"net_avfbe0"
#define RB_RING		64
#define RB_MEM_SIZE	(2ULL << 20)
#define RB_MEM_IOVA	AVF_MODEL_MEM_IOVA
#define RB_BUF_SIZE	(1ULL << 20)
#define RB_WIN_IOVA	0x200000000ULL
#define RB_PAGE		4096
#define RB_MAX_MAPS	3
#define RB_NB_MBUF	2048
#define RB_MBUF_ROOM	(2048 + RTE_PKTMBUF_HEADROOM)
#define RB_BURST	32
#define RB_MAX_OPS	256
#define RB_MAX_FRAME	(64 * 1024)

enum rb_op {
	RB_OP_TXD,	/* guest TX data descriptor, see rb_op_txd() */
	RB_OP_TXCTX,	/* guest TX context descriptor */
	RB_OP_TXTAIL,	/* u8 mode: guest TX tail; rx_burst (+ forward) */
	RB_OP_RXD,	/* guest RX descriptor: u8 mode, u64 address */
	RB_OP_RXTAIL,	/* u8 mode: guest RX tail */
	RB_OP_PKT,	/* tx_burst of mbufs from the input, see rb_op_pkt() */
	RB_OP_MEM,	/* u8 mode, u64 address, u8 len, data */
	RB_OP_MAX
};

/* Kinds of window mappings. */
enum rb_map_kind {
	RB_MAP_RW,	/* shared (fd), read-write */
	RB_MAP_RO,	/* shared, read-only for the device */
	RB_MAP_NOFD,	/* fd-less: the data path cannot use it */
	RB_MAP_WO,	/* shared, write-only for the device */
};

struct rb_map {
	uint16_t page;		/* first page in the window (= memfd page) */
	uint16_t pages;
	uint8_t kind;
};

/* A memory range of the harness to clear before the next input. */
struct rb_dirty {
	uint64_t lo;
	uint64_t hi;
};

static struct {
	struct avf_model m;
	struct iavf_emu_dev *dev;
	uint16_t port;
	struct rte_mempool *pool;
	struct rte_iavf_emu_queue *gtx;	/* guest TX queue: port Rx */
	struct rte_iavf_emu_queue *grx;	/* guest RX queue: port Tx */
	struct rte_iavf_emu_rss rss;	/* as the guest model set it up */
	int buf_fd;
	uint8_t *buf;			/* the window's memory */
	struct rb_map maps[RB_MAX_MAPS];	/* current window layout */
	unsigned int nb_maps;
	struct rb_dirty mem_dirty;	/* in model memory */
	struct rb_dirty buf_dirty;	/* in the window */
	uint16_t tx_ntu;		/* guest: next TX descriptor */
	uint16_t rx_ntu;		/* guest: next RX descriptor */
} rb;

/* ---------------------------------------------------------- memory */

static void
dirty_add(struct rb_dirty *d, uint64_t off, uint64_t len)
{
	d->lo = RTE_MIN(d->lo, off);
	d->hi = RTE_MAX(d->hi, off + len);
}

static void
dirty_clear(struct rb_dirty *d, uint8_t *base)
{
	if (d->hi > d->lo)
		memset(base + d->lo, 0, d->hi - d->lo);
	d->lo = UINT64_MAX;
	d->hi = 0;
}

/*
 * Harness address of [iova, iova + *len) where the guest has memory
 * behind it (model memory, or a window page mapped by this input);
 * *len is clipped to that memory. The range is marked dirty.
 */
static uint8_t *
rb_local(uint64_t iova, uint32_t *len)
{
	uint64_t off, end;
	unsigned int i;

	if (iova >= RB_MEM_IOVA && iova - RB_MEM_IOVA < RB_MEM_SIZE) {
		off = iova - RB_MEM_IOVA;
		*len = RTE_MIN((uint64_t)*len, RB_MEM_SIZE - off);
		dirty_add(&rb.mem_dirty, off, *len);
		return rb.m.mem + off;
	}
	if (iova >= RB_WIN_IOVA && iova - RB_WIN_IOVA < RB_BUF_SIZE) {
		off = iova - RB_WIN_IOVA;
		for (i = 0; i < rb.nb_maps; i++) {
			end = (uint64_t)(rb.maps[i].page + rb.maps[i].pages) *
				RB_PAGE;
			if (off >= (uint64_t)rb.maps[i].page * RB_PAGE &&
			    off < end) {
				*len = RTE_MIN((uint64_t)*len, end - off);
				dirty_add(&rb.buf_dirty, off, *len);
				return rb.buf + off;
			}
		}
	}
	*len = 0;
	return NULL;
}

static void
rb_fill(struct fz_in *in, uint64_t iova, uint32_t len)
{
	uint32_t n = len;
	uint8_t *va = rb_local(iova, &n);

	if (va != NULL)
		fz_bytes(in, va, n);
	fz_skip(in, len - n);
}

/* An address for a descriptor: mode picks the area, raw the offset. */
static uint64_t
rb_addr(uint8_t mode, uint64_t raw)
{
	uint32_t off = (uint32_t)raw;
	const struct rb_map *mp;

	switch (mode % 8) {
	case 0:
		return raw;
	case 1:	/* model memory */
		return RB_MEM_IOVA + off % RB_MEM_SIZE;
	case 2:	/* anywhere in the window: mapped or not */
		return RB_WIN_IOVA + off % RB_BUF_SIZE;
	case 3:	/* just before the end of a mapping: straddles it */
	case 4:	/* just before the start of a mapping */
		if (rb.nb_maps == 0 || (off >> 16) % (rb.nb_maps + 1) == 0)
			return (mode % 8 == 3 ? RB_MEM_IOVA + RB_MEM_SIZE :
				RB_MEM_IOVA) - 1 - off % 256;
		mp = &rb.maps[(off >> 16) % (rb.nb_maps + 1) - 1];
		return RB_WIN_IOVA + (uint64_t)(mode % 8 == 3 ?
			mp->page + mp->pages : mp->page) * RB_PAGE -
			1 - off % 256;
	case 5:	/* a TX buffer of the model (a normal guest buffer) */
		return rb.m.txq[0].bufs_iova +
			(uint64_t)(off % RB_RING) * rb.m.txq[0].buf_size;
	case 6:	/* an RX buffer of the model */
		return rb.m.rxq[0].bufs_iova +
			(uint64_t)(off % RB_RING) * rb.m.rxq[0].buf_size;
	default:	/* wrapping at 2^64 */
		return UINT64_MAX - off % 4096;
	}
}

/* ------------------------------------------------------- DMA layout */

static bool
map_same(const struct rb_map *a, const struct rb_map *b)
{
	return a->page == b->page && a->pages == b->pages &&
		a->kind == b->kind;
}

static int
map_do(const struct rb_map *mp, bool map)
{
	uint64_t iova = RB_WIN_IOVA + (uint64_t)mp->page * RB_PAGE;
	uint64_t size = (uint64_t)mp->pages * RB_PAGE;
	uint32_t prot;

	if (!map)
		return rte_vfio_user_client_dma_unmap(rb.m.cid, iova, size, 0);
	prot = mp->kind == RB_MAP_RO ? PROT_READ :
		mp->kind == RB_MAP_WO ? PROT_WRITE : PROT_READ | PROT_WRITE;
	return rte_vfio_user_client_dma_map(rb.m.cid, iova, size, prot,
			mp->kind == RB_MAP_NOFD ? -1 : rb.buf_fd,
			(uint64_t)mp->page * RB_PAGE,
			rb.buf + (uint64_t)mp->page * RB_PAGE);
}

/*
 * Read the input's window layout and apply the difference to the
 * current one. Mappings overlapping an earlier one of the same input are
 * dropped, so the result does not depend on the previous input.
 */
static void
rb_layout(struct fz_in *in, unsigned int nb)
{
	struct rb_map want[RB_MAX_MAPS];
	unsigned int nw = 0, i, j;
	bool keep;

	for (i = 0; i < nb; i++) {
		struct rb_map mp;

		mp.page = fz_u8(in) % (RB_BUF_SIZE / RB_PAGE);
		mp.pages = fz_u8(in) % 64 + 1;
		mp.kind = fz_u8(in) % 4;
		mp.pages = RTE_MIN(mp.pages,
				   (uint16_t)(RB_BUF_SIZE / RB_PAGE - mp.page));
		for (j = 0; j < nw; j++)
			if (mp.page < want[j].page + want[j].pages &&
			    want[j].page < mp.page + mp.pages)
				break;
		if (j == nw)
			want[nw++] = mp;
	}
	/* unmap what goes away, keep what stays */
	for (i = 0; i < rb.nb_maps; ) {
		keep = false;
		for (j = 0; j < nw; j++)
			keep |= map_same(&rb.maps[i], &want[j]);
		if (keep) {
			i++;
			continue;
		}
		if (map_do(&rb.maps[i], false) != 0)
			fz_fail("DMA_UNMAP of page %u failed", rb.maps[i].page);
		rb.maps[i] = rb.maps[--rb.nb_maps];
	}
	for (j = 0; j < nw; j++) {
		keep = false;
		for (i = 0; i < rb.nb_maps; i++)
			keep |= map_same(&rb.maps[i], &want[j]);
		if (keep)
			continue;
		if (map_do(&want[j], true) != 0)
			fz_fail("DMA_MAP of pages %u+%u failed", want[j].page,
				want[j].pages);
		rb.maps[rb.nb_maps++] = want[j];
	}
}

/* ------------------------------------------------------------ rings */

static volatile struct iavf_tx_desc *
tx_ring(void)
{
	return rb.m.txq[0].ring;
}

static volatile union iavf_32byte_rx_desc *
rx_ring(void)
{
	return rb.m.rxq[0].ring;
}

static void
db_write(uint32_t reg, uint32_t val)
{
	rte_write32(rte_cpu_to_le_32(val), rb.m.db + reg);
}

/*
 * u8 address mode, u64 address, u16 buffer size (14 bits), u16 command
 * (10 bits), u32 offsets (18 bits), u8 type (bit 7: the low 4 bits replace
 * DTYPE_DATA), u16 bytes of buffer data that follow.
 */
static void
rb_op_txd(struct fz_in *in)
{
	uint8_t mode = fz_u8(in);
	uint64_t addr = rb_addr(mode, fz_u64(in));
	uint64_t bsz = fz_u16(in) & 0x3FFF;
	uint64_t cmd = fz_u16(in) & 0x3FF;
	uint64_t off = fz_u32(in) & 0x3FFFF;
	uint8_t type = fz_u8(in);
	uint64_t dtype = (type & 0x80) ? (type & 0xF) : IAVF_TX_DESC_DTYPE_DATA;
	volatile struct iavf_tx_desc *d = &tx_ring()[rb.tx_ntu];

	rb_fill(in, addr, fz_u16(in) % (16 * 1024));
	d->buffer_addr = rte_cpu_to_le_64(addr);
	d->cmd_type_offset_bsz = rte_cpu_to_le_64(dtype |
		cmd << IAVF_TXD_QW1_CMD_SHIFT |
		off << IAVF_TXD_QW1_OFFSET_SHIFT |
		bsz << IAVF_TXD_QW1_TX_BUF_SZ_SHIFT);
	rb.tx_ntu = (rb.tx_ntu + 1) % RB_RING;
}

/* u64 qword 0, u16 command, u32 TSO length (18 bits), u16 MSS (14 bits) */
static void
rb_op_txctx(struct fz_in *in)
{
	volatile struct iavf_tx_desc *d = &tx_ring()[rb.tx_ntu];
	uint64_t qw0 = fz_u64(in);
	uint64_t cmd = fz_u16(in);
	uint64_t tso_len = fz_u32(in) & 0x3FFFF;
	uint64_t mss = fz_u16(in) & 0x3FFF;

	d->buffer_addr = rte_cpu_to_le_64(qw0);
	d->cmd_type_offset_bsz = rte_cpu_to_le_64(IAVF_TX_DESC_DTYPE_CONTEXT |
		cmd << IAVF_TXD_CTX_QW1_CMD_SHIFT |
		tso_len << IAVF_TXD_CTX_QW1_TSO_LEN_SHIFT |
		mss << IAVF_TXD_CTX_QW1_MSS_SHIFT);
	rb.tx_ntu = (rb.tx_ntu + 1) % RB_RING;
}

static uint16_t
ring_dist(uint16_t from, uint16_t to)
{
	return (uint16_t)((to + RB_RING - from) % RB_RING);
}

/* An mbuf the port hands to the application must be usable as is. */
static void
rb_check_mbuf(struct rte_mbuf *m)
{
	const char *why = NULL;

	if (rte_mbuf_check(m, 1, &why) != 0)
		fz_fail("port Rx mbuf: %s", why);
	if (m->port != rb.port)
		fz_fail("port Rx mbuf of port %u", m->port);
	if (m->pkt_len < RTE_ETHER_HDR_LEN)
		fz_fail("port Rx mbuf of %u bytes", m->pkt_len);
	if (rte_validate_tx_offload(m) != 0)
		fz_fail("port Rx mbuf: offload request rte_eth_tx_prepare refuses: ol_flags %#" PRIx64 " l2 %u l3 %u l4 %u tso_segsz %u",
			m->ol_flags, m->l2_len, m->l3_len, m->l4_len,
			m->tso_segsz);
	if ((m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK) != 0 &&
	    m->l2_len + m->l3_len + m->l4_len > m->pkt_len)
		fz_fail("port Rx mbuf: headers %u+%u+%u past %u bytes",
			m->l2_len, m->l3_len, m->l4_len, m->pkt_len);
}

/*
 * The device may only complete descriptors the guest gave it, from its
 * head on: DTYPE becomes DESC_DONE, nothing else changes.
 */
static void
rb_check_tx_ring(const struct iavf_tx_desc *before, uint16_t h0, uint16_t h1)
{
	const volatile struct iavf_tx_desc *ring = tx_ring();
	uint16_t i;

	for (i = 0; i < RB_RING; i++) {
		uint64_t q0 = ring[i].buffer_addr;
		uint64_t q1 = rte_le_to_cpu_64(ring[i].cmd_type_offset_bsz);
		uint64_t o1 = rte_le_to_cpu_64(before[i].cmd_type_offset_bsz);

		if (q0 == before[i].buffer_addr && q1 == o1)
			continue;
		if (ring_dist(h0, i) >= ring_dist(h0, h1))
			fz_fail("TX descriptor %u written outside head %u..%u",
				i, h0, h1);
		if (q0 != before[i].buffer_addr ||
		    q1 != (o1 | IAVF_TX_DESC_DTYPE_DESC_DONE))
			fz_fail("TX descriptor %u: qw1 %#" PRIx64 " became %#" PRIx64,
				i, o1, q1);
	}
}

static void
rb_port_tx(struct rte_mbuf **pkts, uint16_t n)
{
	const volatile union iavf_32byte_rx_desc *ring = rx_ring();
	union iavf_32byte_rx_desc before[RB_RING];
	uint32_t buf_len = RTE_MIN(rb.grx->buf_size, (uint32_t)AVFBE_RX_MAX_BUF);
	uint64_t ring_lo = rb.m.rxq[0].ring_iova;
	uint64_t ring_hi = ring_lo + sizeof(before);
	uint32_t tail = *rb.grx->tail;
	uint16_t h0 = rb.grx->next, h1, i, sent;
	bool alias[RB_RING] = { false };

	memcpy(before, (const void *)(uintptr_t)ring, sizeof(before));
	/* a guest may post buffers on its own ring: no check there */
	for (i = h0; tail < RB_RING && i != tail; i = (i + 1) % RB_RING) {
		uint64_t a = rte_le_to_cpu_64(before[i].read.pkt_addr);
		uint64_t lo = RTE_MAX(a, ring_lo);
		uint64_t hi = a > UINT64_MAX - buf_len ? UINT64_MAX : a + buf_len;
		uint64_t k;

		hi = RTE_MIN(hi, ring_hi);
		for (k = lo; k < hi; k = RTE_ALIGN_FLOOR(k, 32) + 32)
			alias[(k - ring_lo) / sizeof(before[0])] = true;
	}
	for (i = 0; i < n; i++)
		FZ_DEBUG("port tx mbuf: %u bytes in %u segments, ol_flags %#" PRIx64
			 " l2 %u l3 %u l4 %u tso_segsz %u ptype %#x\n",
			 pkts[i]->pkt_len, pkts[i]->nb_segs, pkts[i]->ol_flags,
			 pkts[i]->l2_len, pkts[i]->l3_len, pkts[i]->l4_len,
			 pkts[i]->tso_segsz, pkts[i]->packet_type);
	n = rte_eth_tx_prepare(rb.port, 0, pkts, n);
	sent = rte_eth_tx_burst(rb.port, 0, pkts, n);
	rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	h1 = rb.grx->next;
	FZ_DEBUG("port tx: %u of %u mbufs taken, guest RX head %u -> %u (tail %u)\n",
		 sent, n, h0, h1, *rb.grx->tail);

	/* written back: only from the old head, DD set, length fits */
	for (i = 0; i < RB_RING; i++) {
		uint64_t qw1 = rte_le_to_cpu_64(ring[i].wb.qword1.status_error_len);
		uint32_t len = (qw1 & IAVF_RXD_QW1_LENGTH_PBUF_MASK) >>
			IAVF_RXD_QW1_LENGTH_PBUF_SHIFT;

		if (alias[i] || memcmp(&before[i], (const void *)(uintptr_t)&ring[i],
				       sizeof(before[i])) == 0)
			continue;
		FZ_DEBUG("  RX descriptor %u: buffer %#" PRIx64 ", written back %u bytes, qw1 %#" PRIx64 "\n",
			 i, rte_le_to_cpu_64(before[i].read.pkt_addr), len, qw1);
		if (ring_dist(h0, i) >= ring_dist(h0, h1))
			fz_fail("RX descriptor %u written outside head %u..%u",
				i, h0, h1);
		if (!(qw1 & RTE_BIT64(IAVF_RX_DESC_STATUS_DD_SHIFT)))
			fz_fail("RX descriptor %u written without DD", i);
		if (len > buf_len)
			fz_fail("RX descriptor %u: %u bytes in a %u-byte buffer",
				i, len, buf_len);
	}
}

/* u8 mode (0: tail = next descriptor, else u16 value; bit 1: forward) */
static void
rb_op_txtail(struct fz_in *in)
{
	uint8_t mode = fz_u8(in);
	uint32_t tail = (mode & 1) ? fz_u16(in) : rb.tx_ntu;
	struct iavf_tx_desc before[RB_RING];
	struct rte_mbuf *pkts[RB_BURST];
	uint16_t n, i, h0, round;

	db_write(IAVF_QTX_TAIL1(0), tail);
	for (round = 0; round < 4; round++) {
		h0 = rb.gtx->next;
		memcpy(before, (const void *)(uintptr_t)tx_ring(),
		       sizeof(before));
		n = rte_eth_rx_burst(rb.port, 0, pkts, RB_BURST);
		FZ_DEBUG("port rx: %u mbufs, guest TX head %u -> %u (tail %u)\n",
			 n, h0, rb.gtx->next, tail);
		for (i = 0; i < n; i++)
			FZ_DEBUG("  %u bytes in %u segments, ol_flags %#" PRIx64 "\n",
				 pkts[i]->pkt_len, pkts[i]->nb_segs,
				 pkts[i]->ol_flags);
		rb_check_tx_ring(before, h0, rb.gtx->next);
		for (i = 0; i < n; i++)
			rb_check_mbuf(pkts[i]);
		if (n > 0 && (mode & 2))
			rb_port_tx(pkts, n);
		else
			rte_pktmbuf_free_bulk(pkts, n);
		if (n < RB_BURST)
			break;
	}
}

/* u8 address mode, u64 address */
static void
rb_op_rxd(struct fz_in *in)
{
	volatile union iavf_32byte_rx_desc *d = &rx_ring()[rb.rx_ntu];
	uint8_t mode = fz_u8(in);
	uint64_t addr = rb_addr(mode, fz_u64(in));
	uint32_t len = RB_MBUF_ROOM * 8;

	/* what the device writes there is cleared for the next input */
	rb_local(addr, &len);
	d->read.pkt_addr = rte_cpu_to_le_64(addr);
	d->read.hdr_addr = 0;
	d->read.rsvd1 = 0;
	d->read.rsvd2 = 0;
	rb.rx_ntu = (rb.rx_ntu + 1) % RB_RING;
}

static void
rb_op_rxtail(struct fz_in *in)
{
	uint8_t mode = fz_u8(in);

	db_write(IAVF_QRX_TAIL1(0), mode ? fz_u16(in) : rb.rx_ntu);
}

/* Offload requests an mbuf of the input may carry (u16 bits). */
static uint64_t
rb_ol_flags(uint16_t f)
{
	static const uint64_t l4[4] = {
		0, RTE_MBUF_F_TX_TCP_CKSUM, RTE_MBUF_F_TX_SCTP_CKSUM,
		RTE_MBUF_F_TX_UDP_CKSUM,
	};
	static const uint64_t rx_ip[4] = {
		RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN, RTE_MBUF_F_RX_IP_CKSUM_BAD,
		RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_IP_CKSUM_NONE,
	};
	static const uint64_t rx_l4[4] = {
		RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, RTE_MBUF_F_RX_L4_CKSUM_BAD,
		RTE_MBUF_F_RX_L4_CKSUM_GOOD, RTE_MBUF_F_RX_L4_CKSUM_NONE,
	};
	uint64_t fl = 0;

	if (f & 1)
		fl |= RTE_MBUF_F_TX_IPV4;
	if (f & 2)
		fl |= RTE_MBUF_F_TX_IPV6;
	if (f & 4)
		fl |= RTE_MBUF_F_TX_IP_CKSUM;
	fl |= l4[(f >> 3) & 3];
	if (f & 0x20)
		fl |= RTE_MBUF_F_TX_TCP_SEG;
	fl |= rx_ip[(f >> 6) & 3] | rx_l4[(f >> 8) & 3];
	return fl;
}

/*
 * u8 number of mbufs (1..4), then per mbuf: u16 frame length, u8
 * segments (1..8) and u16 size per segment but the last, u16 offload
 * bits (rb_ol_flags; bit 10: a u32 packet type follows), u8 l2_len,
 * u16 l3_len, u8 l4_len, u16 tso_segsz, the frame's bytes.
 */
static void
rb_op_pkt(struct fz_in *in)
{
	struct rte_mbuf *pkts[4];
	uint16_t nb = fz_u8(in) % 4 + 1, n = 0, i;

	for (i = 0; i < nb; i++) {
		const uint32_t room = RB_MBUF_ROOM - RTE_PKTMBUF_HEADROOM;
		uint32_t left = fz_u16(in) % RB_MAX_FRAME;
		uint8_t nseg = fz_u8(in) % 8 + 1;
		uint32_t seg_len[8], s;
		struct rte_mbuf *m = NULL, *last = NULL;
		uint16_t f, l3, tso;
		uint32_t ptype;
		uint8_t l2, l4;
		uint64_t ol;

		for (s = 0; s + 1 < nseg; s++)
			seg_len[s] = fz_u16(in) % (room + 1);
		f = fz_u16(in);
		ol = rb_ol_flags(f);
		ptype = (f & 0x400) ? fz_u32(in) : 0;
		l2 = fz_u8(in);
		l3 = fz_u16(in);
		l4 = fz_u8(in);
		tso = fz_u16(in);
		/* the last segment takes the rest, in as many mbufs as needed */
		for (s = 0; left > 0 || m == NULL; s++) {
			struct rte_mbuf *seg = rte_pktmbuf_alloc(rb.pool);
			uint32_t l = s + 1 < nseg ? seg_len[s] : left;

			if (seg == NULL)
				fz_fail("mempool empty");
			l = RTE_MIN(RTE_MIN(l, left),
				    (uint32_t)rte_pktmbuf_tailroom(seg));
			fz_bytes(in, rte_pktmbuf_mtod(seg, void *), l);
			seg->data_len = l;
			if (m == NULL) {
				m = seg;
				m->pkt_len = l;
			} else {
				last->next = seg;
				m->nb_segs++;
				m->pkt_len += l;
			}
			last = seg;
			left -= l;
		}
		m->ol_flags = ol;
		m->packet_type = ptype;
		m->l2_len = l2;
		m->l3_len = l3;
		m->l4_len = l4;
		m->tso_segsz = tso;
		/* the rules of rte_eth_tx_prepare() hold for any mbuf */
		if (rte_validate_tx_offload(m) != 0) {
			rte_pktmbuf_free(m);
			continue;
		}
		pkts[n++] = m;
	}
	if (n > 0)
		rb_port_tx(pkts, n);
}

static void
rb_op_mem(struct fz_in *in)
{
	uint8_t mode = fz_u8(in);
	uint64_t addr = rb_addr(mode, fz_u64(in));

	rb_fill(in, addr, fz_u8(in));
}

/* ------------------------------------------------------- per input */

static void
rb_queue_restart(struct rte_iavf_emu_queue *q)
{
	rte_spinlock_lock(&q->access_lock);
	q->next = 0;
	q->done = 0;
	rte_spinlock_unlock(&q->access_lock);
}

static void
rb_reset(uint8_t hdr)
{
	struct iavf_emu_dev *dev = rb.dev;

	dirty_clear(&rb.mem_dirty, rb.m.mem);
	dirty_clear(&rb.buf_dirty, rb.buf);
	memset((void *)(uintptr_t)tx_ring(), 0,
	       RB_RING * sizeof(struct iavf_tx_desc));
	memset((void *)(uintptr_t)rx_ring(), 0,
	       RB_RING * sizeof(union iavf_32byte_rx_desc));
	db_write(IAVF_QTX_TAIL1(0), 0);
	db_write(IAVF_QRX_TAIL1(0), 0);
	rb_queue_restart(rb.gtx);
	rb_queue_restart(rb.grx);
	rb.tx_ntu = 0;
	rb.rx_ntu = 0;

	/* receive filter and RSS as CONFIG_PROMISCUOUS_MODE / RSS set them */
	rte_rwlock_write_lock(&dev->cfg_lock);
	dev->promisc = hdr & 1;
	dev->allmulti = (hdr >> 1) & 1;
	dev->rss = rb.rss;
	if (hdr & 4)
		dev->rss.enabled = false;
	rte_rwlock_write_unlock(&dev->cfg_lock);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void rb_make_seeds(void);

int
LLVMFuzzerInitialize(int *argc __rte_unused, char ***argv __rte_unused)
{
	struct avf_model_conf conf;
	struct rte_eth_conf econf;
	const char *sock;
	char args[256];
	int ret;

	if (fz_seed_dir() != NULL) {
		rb_make_seeds();
		exit(0);
	}
	fz_eal_init(RB_NAME, 256);
	sock = fz_sock_path(RB_NAME, 0);
	snprintf(args, sizeof(args), "path=%s,id=0,queues=1", sock);
	if (rte_vdev_init(RB_EMU, args) != 0)
		fz_fail("rte_vdev_init(%s, %s) failed", RB_EMU, args);
	if (rte_vdev_init(RB_PORT, "id=0,avf_emu_id=0") != 0)
		fz_fail("rte_vdev_init(%s) failed", RB_PORT);
	if (rte_eth_dev_get_port_by_name(RB_PORT, &rb.port) != 0)
		fz_fail("no port %s", RB_PORT);
	/* no per-lcore cache: the pool count shows every mbuf */
	rb.pool = rte_pktmbuf_pool_create("fz_pool", RB_NB_MBUF, 0, 0,
					  RB_MBUF_ROOM, SOCKET_ID_ANY);
	if (rb.pool == NULL)
		fz_fail("cannot create the mempool");
	memset(&econf, 0, sizeof(econf));
	if (rte_eth_dev_configure(rb.port, 1, 1, &econf) != 0 ||
	    rte_eth_rx_queue_setup(rb.port, 0, 256, SOCKET_ID_ANY, NULL,
				   rb.pool) != 0 ||
	    rte_eth_tx_queue_setup(rb.port, 0, 256, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(rb.port) != 0)
		fz_fail("cannot start port %s", RB_PORT);

	memset(&conf, 0, sizeof(conf));
	conf.path = sock;
	conf.mem_size = RB_MEM_SIZE;
	conf.mem_iova = RB_MEM_IOVA;
	ret = avf_model_init(&rb.m, &conf);
	if (ret == 0)
		ret = avf_model_connect(&rb.m);
	if (ret == 0)
		ret = avf_model_linux_probe(&rb.m, AVF_MODEL_LINUX_CAPS);
	if (ret == 0)
		ret = avf_model_linux_open(&rb.m, 1, RB_RING);
	if (ret != 0)
		fz_fail("guest model on %s: %s", sock, strerror(-ret));
	if (rb.m.db == NULL)
		fz_fail("the doorbell page is not mapped");

	rb.dev = iavf_emu_dev_by_emu_id(0);
	rb.gtx = rte_iavf_emu_get_queue(0, 0, true);
	rb.grx = rte_iavf_emu_get_queue(0, 0, false);
	if (rb.dev == NULL || rb.gtx == NULL || rb.grx == NULL ||
	    !rb.gtx->enabled || !rb.grx->enabled)
		fz_fail("guest queues not enabled");
	if (rte_iavf_emu_get_rss(0, &rb.rss) != 0)
		fz_fail("no RSS state");

	/* sealed, as QEMU gives guest memory: the server requires it */
	rb.buf_fd = memfd_create("fuzz_avfbe_window",
				 MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (rb.buf_fd < 0 || ftruncate(rb.buf_fd, RB_BUF_SIZE) != 0 ||
	    fcntl(rb.buf_fd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
		fz_fail("window memfd: %s", strerror(errno));
	rb.buf = mmap(NULL, RB_BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      rb.buf_fd, 0);
	if (rb.buf == MAP_FAILED)
		fz_fail("window mmap: %s", strerror(errno));
	rb.mem_dirty.lo = UINT64_MAX;
	rb.buf_dirty.lo = UINT64_MAX;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { .p = data, .n = size };
	uint8_t hdr = fz_u8(&in);
	unsigned int nops, stash;

	rb_layout(&in, (hdr >> 3) & 3);
	rb_reset(hdr);
	for (nops = 0; !fz_empty(&in) && nops < RB_MAX_OPS; nops++) {
		switch (fz_u8(&in) % RB_OP_MAX) {
		case RB_OP_TXD:
			rb_op_txd(&in);
			break;
		case RB_OP_TXCTX:
			rb_op_txctx(&in);
			break;
		case RB_OP_TXTAIL:
			rb_op_txtail(&in);
			break;
		case RB_OP_RXD:
			rb_op_rxd(&in);
			break;
		case RB_OP_RXTAIL:
			rb_op_rxtail(&in);
			break;
		case RB_OP_PKT:
			rb_op_pkt(&in);
			break;
		case RB_OP_MEM:
			rb_op_mem(&in);
			break;
		}
	}
	/* every mbuf is back in the pool or among the Rx queue's spares */
	stash = ((struct avfbe_rx_queue *)
		 rte_eth_devices[rb.port].data->rx_queues[0])->stash_n;
	if (rte_mempool_avail_count(rb.pool) + stash != RB_NB_MBUF)
		fz_fail("%u mbufs not returned to the pool (%u spare in the Rx queue)",
			RB_NB_MBUF - stash - rte_mempool_avail_count(rb.pool),
			stash);
	return 0;
}

/* ------------------------------------------------------------ seeds */

/* Ethernet/IPv4/TCP or UDP frame to the guest's (or the port's) MAC. */
static uint16_t
seed_frame(uint8_t *f, uint16_t pay, bool udp, bool tso)
{
	static const uint8_t dst[6] = { 0x02, 0x45, 0x4d, 0x55, 0x00, 0x00 };
	uint16_t l4 = udp ? 8 : 20, i;

	memset(f, 0, 14 + 20 + l4);
	memcpy(f, dst, 6);
	f[6] = 0x02;
	f[11] = 0x42;
	f[12] = 0x08;			/* IPv4 */
	f[14] = 0x45;
	f[16] = tso ? 0 : (uint8_t)((20 + l4 + pay) >> 8);
	f[17] = tso ? 0 : (uint8_t)(20 + l4 + pay);
	f[22] = 64;
	f[23] = udp ? 17 : 6;
	f[26] = 10; f[29] = 1;		/* 10.0.0.1 */
	f[30] = 10; f[33] = 2;		/* 10.0.0.2 */
	f[34] = 0x04; f[35] = 0xd2;	/* port 1234 */
	f[36] = 0x00; f[37] = 0x50;	/* port 80 */
	if (udp) {
		f[38] = (uint8_t)((8 + pay) >> 8);
		f[39] = (uint8_t)(8 + pay);
	} else {
		f[46] = 5 << 4;
		f[47] = 0x18;		/* ACK PSH */
		f[48] = 0x10;
	}
	for (i = 0; i < pay; i++)
		f[14 + 20 + l4 + i] = (uint8_t)(i * 7 + 3);
	return 14 + 20 + l4 + pay;
}

static void
seed_txd(struct fz_out *o, uint8_t slot, uint16_t bsz, uint16_t cmd,
		uint32_t offs, const uint8_t *data, uint16_t len)
{
	fz_out_u8(o, RB_OP_TXD);
	fz_out_u8(o, 5);			/* model TX buffer */
	fz_out_u64(o, slot);
	fz_out_u16(o, bsz);
	fz_out_u16(o, cmd);
	fz_out_u32(o, offs);
	fz_out_u8(o, 0);
	fz_out_u16(o, len);
	fz_out_bytes(o, data, len);
}

static void
seed_rx_post(struct fz_out *o, uint8_t n)
{
	uint8_t i;

	for (i = 0; i < n; i++) {
		fz_out_u8(o, RB_OP_RXD);
		fz_out_u8(o, 6);		/* model RX buffer */
		fz_out_u64(o, i);
	}
	fz_out_u8(o, RB_OP_RXTAIL);
	fz_out_u8(o, 0);
}

/* MACLEN (2-byte words), IPLEN and L4LEN (4-byte words) */
static uint32_t
seed_offs(uint32_t l2, uint32_t l3, uint32_t l4)
{
	return (l2 / 2) << IAVF_TX_DESC_LENGTH_MACLEN_SHIFT |
		(l3 / 4) << IAVF_TX_DESC_LENGTH_IPLEN_SHIFT |
		(l4 / 4) << IAVF_TX_DESC_LENGTH_L4_FC_LEN_SHIFT;
}

/* Linux iavf: plain frames, checksum offload, TSO; forwarded back. */
static void
seed_linux_tx(void)
{
	const uint16_t eop = IAVF_TX_DESC_CMD_EOP | IAVF_TX_DESC_CMD_RS |
		IAVF_TX_DESC_CMD_ICRC;
	struct fz_out o = { .n = 0 };
	uint8_t f[2048];
	uint16_t len;

	fz_out_u8(&o, 1 << 3);			/* one window mapping */
	fz_out_u8(&o, 0);
	fz_out_u8(&o, 31);
	fz_out_u8(&o, RB_MAP_RW);
	seed_rx_post(&o, 16);
	/* a plain frame */
	len = seed_frame(f, 100, true, false);
	seed_txd(&o, 0, len, eop, 0, f, len);
	/* TCP with checksum offload, headers and payload split */
	len = seed_frame(f, 1000, false, false);
	seed_txd(&o, 1, 54, IAVF_TX_DESC_CMD_ICRC |
		 IAVF_TX_DESC_CMD_IIPT_IPV4_CSUM | IAVF_TX_DESC_CMD_L4T_EOFT_TCP,
		 seed_offs(14, 20, 20), f, 54);
	seed_txd(&o, 2, len - 54, eop | IAVF_TX_DESC_CMD_IIPT_IPV4_CSUM |
		 IAVF_TX_DESC_CMD_L4T_EOFT_TCP, seed_offs(14, 20, 20),
		 f + 54, len - 54);
	/* TSO: context descriptor, 1800 bytes of payload in MSS 600 */
	len = seed_frame(f, 1800, false, true);
	fz_out_u8(&o, RB_OP_TXCTX);
	fz_out_u64(&o, 0);
	fz_out_u16(&o, IAVF_TX_CTX_DESC_TSO);
	fz_out_u32(&o, 1800);
	fz_out_u16(&o, 600);
	seed_txd(&o, 4, len, eop | IAVF_TX_DESC_CMD_IIPT_IPV4_CSUM |
		 IAVF_TX_DESC_CMD_L4T_EOFT_TCP, seed_offs(14, 20, 20), f, len);
	fz_out_u8(&o, RB_OP_TXTAIL);
	fz_out_u8(&o, 2);			/* forward to the guest */
	fz_out_save(&o, "linux-tx-forward");
}

/* Bad guest input: buffers across mappings, read-only, fd-less, tails. */
static void
seed_bad_tx(void)
{
	struct fz_out o = { .n = 0 };
	uint8_t f[256];
	uint16_t len = seed_frame(f, 60, true, false);
	uint8_t mode;

	fz_out_u8(&o, 3 << 3 | 4);		/* three mappings, RSS off */
	fz_out_u8(&o, 0);
	fz_out_u8(&o, 3);
	fz_out_u8(&o, RB_MAP_RW);
	fz_out_u8(&o, 4);
	fz_out_u8(&o, 3);
	fz_out_u8(&o, RB_MAP_NOFD);
	fz_out_u8(&o, 10);
	fz_out_u8(&o, 2);
	fz_out_u8(&o, RB_MAP_RO);
	for (mode = 0; mode < 8; mode++) {
		fz_out_u8(&o, RB_OP_TXD);
		fz_out_u8(&o, mode);
		fz_out_u64(&o, mode == 0 ? 0x1234 : 3 << 16 | 40);
		fz_out_u16(&o, len);
		fz_out_u16(&o, IAVF_TX_DESC_CMD_EOP | IAVF_TX_DESC_CMD_RS);
		fz_out_u32(&o, 0);
		fz_out_u8(&o, 0);
		fz_out_u16(&o, len);
		fz_out_bytes(&o, f, len);
	}
	/* a chain without EOP, a context descriptor alone */
	seed_txd(&o, 9, len, IAVF_TX_DESC_CMD_RS, 0, f, len);
	fz_out_u8(&o, RB_OP_TXCTX);
	fz_out_u64(&o, 0);
	fz_out_u16(&o, IAVF_TX_CTX_DESC_TSO);
	fz_out_u32(&o, 0x3ffff);
	fz_out_u16(&o, 1);
	fz_out_u8(&o, RB_OP_TXTAIL);
	fz_out_u8(&o, 0);
	fz_out_u8(&o, RB_OP_TXTAIL);
	fz_out_u8(&o, 1);			/* tail past the ring */
	fz_out_u16(&o, RB_RING + 5);
	/* RX buffers in the read-only and fd-less mappings, and across */
	fz_out_u8(&o, RB_OP_RXD);
	fz_out_u8(&o, 2);
	fz_out_u64(&o, 10 * RB_PAGE);
	fz_out_u8(&o, RB_OP_RXD);
	fz_out_u8(&o, 2);
	fz_out_u64(&o, 4 * RB_PAGE);
	fz_out_u8(&o, RB_OP_RXD);
	fz_out_u8(&o, 3);
	fz_out_u64(&o, 1 << 16 | 100);
	fz_out_u8(&o, RB_OP_RXD);
	fz_out_u8(&o, 6);
	fz_out_u64(&o, 3);
	fz_out_u8(&o, RB_OP_RXTAIL);
	fz_out_u8(&o, 0);
	fz_out_u8(&o, RB_OP_PKT);
	fz_out_u8(&o, 3);			/* four mbufs */
	for (mode = 0; mode < 4; mode++) {
		fz_out_u16(&o, len);
		fz_out_u8(&o, 0);
		fz_out_u16(&o, 0);
		fz_out_u8(&o, 0);
		fz_out_u16(&o, 0);
		fz_out_u8(&o, 0);
		fz_out_u16(&o, 0);
		fz_out_bytes(&o, f, len);
	}
	fz_out_save(&o, "bad-guest-buffers");
}

/* Port Tx with offloads: checksum, TSO over segments, to the guest. */
static void
seed_port_tx(void)
{
	struct fz_out o = { .n = 0 };
	uint8_t f[8192];
	uint16_t len;

	fz_out_u8(&o, 1);			/* unicast promiscuous */
	seed_rx_post(&o, 40);
	fz_out_u8(&o, RB_OP_PKT);
	fz_out_u8(&o, 1);			/* two mbufs */
	/* UDP, checksum in software, two segments */
	len = seed_frame(f, 1400, true, false);
	fz_out_u16(&o, len);
	fz_out_u8(&o, 1);
	fz_out_u16(&o, 42);
	fz_out_u16(&o, 1 | 4 | 3 << 3);		/* IPV4 IP_CKSUM UDP */
	fz_out_u8(&o, 14);
	fz_out_u16(&o, 20);
	fz_out_u8(&o, 8);
	fz_out_u16(&o, 0);
	fz_out_bytes(&o, f, len);
	/* TCP TSO, 6000 bytes in MSS 1448, three segments */
	len = seed_frame(f, 6000, false, true);
	fz_out_u16(&o, len);
	fz_out_u8(&o, 2);
	fz_out_u16(&o, 54);
	fz_out_u16(&o, 2000);
	fz_out_u16(&o, 1 | 4 | 1 << 3 | 0x20);	/* IPV4 IP_CKSUM TCP TSO */
	fz_out_u8(&o, 14);
	fz_out_u16(&o, 20);
	fz_out_u8(&o, 20);
	fz_out_u16(&o, 1448);
	fz_out_bytes(&o, f, len);
	fz_out_save(&o, "port-tx-offloads");
}

static void
rb_make_seeds(void)
{
	seed_linux_tx();
	seed_bad_tx();
	seed_port_tx();
}
