/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

#ifndef _AVFBE_H_
#define _AVFBE_H_

/*
 * net_avfbe: an ethdev whose "wire" is the guest side of an emulated
 * Intel Adaptive Virtual Function (emu_iavf).
 *
 * Queue q of the port is queue pair q of the guest:
 *  - the port's Rx queue q reads the guest's Tx ring q (avfbe_rx.c),
 *  - the port's Tx queue q fills the guest's Rx ring q (avfbe_tx.c).
 * Descriptor formats come from DPDK's own iavf base code (iavf_type.h).
 */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_log.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <emu_compat.h>
#include <iavf_emu_backend.h>

extern int avfbe_logtype;
#define RTE_LOGTYPE_AVFBE avfbe_logtype

#define AVFBE_LOG(level, ...) RTE_LOG_LINE(level, AVFBE, __VA_ARGS__)

/* Largest frame of the Intel 700/800 series MACs (IAVF_FRAME_SIZE_MAX). */
#define AVFBE_MAX_FRAME 9728
/* Data descriptors per frame: the drivers linearise beyond 8 ("up to 8
 * data descriptors per non-TSO frame"). A TSO frame may use more; DPDK's
 * iavf allows up to 255 segments, so 256 bounds any honest guest.
 */
#define AVFBE_TX_MAX_DATA_DESC 8
#define AVFBE_TX_MAX_TSO_DESC 256
/* TSO_LEN is an 18-bit field of the context descriptor. */
#define AVFBE_MAX_TSO_PAYLOAD 0x3FFFF
/* Smallest MSS the hardware segments (ICE/i40e: 64). */
#define AVFBE_MIN_TSO_MSS 64
/* Largest L2+L3+L4 header the offload code handles. */
#define AVFBE_MAX_HDR_LEN 256
/* The Rx write-back length field (PBUF) has 14 bits; buffers are sized
 * in 128-byte units.
 */
#define AVFBE_RX_MAX_BUF 16256
#define AVFBE_RX_MIN_BUF 128

/* Per-queue counters of the port's Rx direction (guest Tx ring). The
 * counters the guest sees too (packets, bytes, bad_desc, ...) live in
 * rte_iavf_emu_queue.stats; these are the PMD's own.
 */
struct avfbe_rxq_counters {
	uint64_t bad_tail;      /**< Tail doorbell values past the ring. */
	uint64_t nombuf;        /**< Bursts stopped by mbuf exhaustion. */
	uint64_t tso;           /**< TSO requests passed on as TCP_SEG. */
	uint64_t csum;          /**< Checksum requests passed on. */
	uint64_t vlan_insert;   /**< Tags the guest had inserted (IL2TAG1). */
};

/* Per-queue counters of the port's Tx direction (guest Rx ring). */
struct avfbe_txq_counters {
	uint64_t bad_tail;      /**< Tail doorbell values past the ring. */
	uint64_t ring_full;     /**< Frames returned: no guest Rx buffers. */
	uint64_t filtered;      /**< Frames the guest's MAC filter rejects. */
	uint64_t oversize;      /**< Frames above the guest's max_pkt_size. */
	/** Tagged frames for a VLAN the guest did not add (ADD_VLAN). */
	uint64_t vlan_filtered;
	/** Frames dropped: no mbuf to move their VLAN tag in. */
	uint64_t vlan_nombuf;
	uint64_t vlan_strip;    /**< Tags stripped to the Rx descriptor. */
	/** Frames needing more buffers than the guest Rx ring can hold. */
	uint64_t no_fit;
	uint64_t invalid;       /**< Malformed frames, offloads not possible. */
	uint64_t tso_segs;      /**< Segments produced by software TSO. */
	uint64_t sw_csum;       /**< Frames checksummed in software. */
};

struct avfbe_adapter;

/* mbufs an Rx queue takes from its pool at once, kept between bursts. */
#define AVFBE_RX_STASH 64

/* Port Rx queue: consumes the guest's Tx ring. */
struct avfbe_rx_queue {
	struct rte_iavf_emu_queue *gq;  /* guest Tx queue */
	struct rte_mempool *mp;
	struct avfbe_adapter *ad;
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t seg_room;              /* data bytes one mbuf of mp holds */
	bool vlan_strip;                /* RTE_ETH_RX_OFFLOAD_VLAN_STRIP */
	/* qword 1 bits of a one-descriptor packet that call for
	 * avfbe_rx_offloads(): offload requests, or every packet (its EOP
	 * bit) while the port strips VLAN tags
	 */
	uint64_t ol_mask;
	uint16_t stash_n;               /* mbufs in stash[] */
	uint32_t last_bad_tail;
	/* raw mbufs from mp (rte_mbuf_raw_alloc state), taken in bulk */
	struct rte_mbuf *stash[AVFBE_RX_STASH];
	struct avfbe_rxq_counters cnt;
	/* snapshots taken by stats_reset / xstats_reset */
	struct rte_iavf_emu_queue_stats emu_base;
	struct avfbe_rxq_counters cnt_base;
};

struct avfbe_rss_tbl;

/* Port Tx queue: fills the guest's Rx ring. */
struct avfbe_tx_queue {
	struct rte_iavf_emu_queue *gq;  /* guest Rx queue */
	struct avfbe_rss_tbl *rss_tbl;  /* hash tables of the guest's key */
	/* device RSS was in force at the last burst: every guest queue may
	 * take frames, not only this queue's
	 */
	bool spread;
	struct avfbe_adapter *ad;
	uint16_t emu_id;
	uint16_t queue_id;
	uint32_t last_bad_tail;
	struct avfbe_txq_counters cnt;
	struct rte_iavf_emu_queue_stats emu_base;
	struct avfbe_txq_counters cnt_base;
};

struct avfbe_adapter {
	struct rte_eth_dev *eth_dev;
	uint16_t instance_id;           /* devarg id= */
	uint16_t emu_id;                /* devarg avf_emu_id= */
	bool owns_emu;                  /* created from path=, destroyed on close */
	uint16_t num_qp;                /* queue pairs the device offers */
	bool started;                   /* dev_start done */
	bool admin_up;                  /* not set down by dev_set_link_down */
	bool subscribed;                /* emudev event callback registered */
	uint32_t link_speed;            /* Mbps, reported to both sides */
	struct rte_ether_addr mac;      /* the port's own address */
	/* devarg rss=device (default): the guest's RSS table picks the guest
	 * queue of each frame; rss=port: port Tx queue q fills guest queue q
	 */
	bool device_rss;
};

/* Checksum and segmentation state of one frame (avfbe_offload.c). */
struct avfbe_ol {
	uint64_t flags;         /* RTE_MBUF_F_TX_* requested by the mbuf */
	uint16_t l2_len;
	uint16_t l3_len;
	uint16_t l4_len;        /* TSO: TCP header; csum: bytes up to csum */
	uint16_t hdr_len;       /* bytes of hdr[] that replace the frame's */
	bool ipv4;
	uint8_t l4_proto;       /* IPPROTO_TCP/UDP/SCTP or 0 */
	bool ip_ok;             /* IPv4 header checksum is (now) right */
	bool l4_ok;             /* L4 checksum is (now) right */
	uint16_t ip_id;         /* TSO: IPv4 ID of the first segment */
	uint32_t tcp_seq;       /* TSO: sequence number of the first byte */
	uint8_t tcp_flags;      /* TSO: flags of the original header */
	uint8_t hdr[AVFBE_MAX_HDR_LEN];
};

/* avfbe_offload.c */
int avfbe_ol_prepare(const struct rte_mbuf *m, struct avfbe_ol *ol);
int avfbe_ol_csum(const struct rte_mbuf *m, struct avfbe_ol *ol);
int avfbe_ol_csum_flat(const struct rte_mbuf *m, uint8_t *dst,
		struct avfbe_ol *ol);
/* avfbe_ol_csum_common() result bits */
#define AVFBE_CSUM_TCP    RTE_BIT32(0)  /* TCP, else UDP */
#define AVFBE_CSUM_V6     RTE_BIT32(1)  /* IPv6, else IPv4 */
#define AVFBE_CSUM_IP_BAD RTE_BIT32(2)  /* IPv4 header checksum wrong */
int avfbe_ol_csum_common(const struct rte_mbuf *m, uint8_t *dst);
void avfbe_ol_tso_segment(const struct rte_mbuf *m, struct avfbe_ol *ol,
		uint32_t seg_idx, uint32_t pay_off, uint32_t pay_len, bool last,
		const uint16_t *pay_sum);
/* rte_raw_cksum() of len bytes at src, copied to dst on the way. */
uint16_t avfbe_copy_csum(uint8_t *dst, const uint8_t *src, uint32_t len);

/* avfbe_vlan.c */
int avfbe_vlan_from_guest(struct rte_mbuf *m, uint64_t data_qw1, bool strip);

/* A frame for the guest after its VLAN settings. */
struct avfbe_vlan_out {
	const struct rte_mbuf *m; /* the frame to deliver: the mbuf or copy */
	struct rte_mbuf *copy;  /* the rebuilt frame, freed by the caller */
	bool tagged;            /* tci goes to the Rx write-back */
	uint16_t tci;
};
int avfbe_vlan_to_guest(const struct rte_mbuf *m, uint16_t emu_id,
		bool filter, bool strip, struct avfbe_vlan_out *out);
uint8_t avfbe_ptype_of(uint32_t rte_ptype);
/* Pick the widest checksum loop the CPU and the EAL allow. */
void avfbe_ol_select_simd(void);

/* avfbe_devargs.c */

struct avfbe_args {
	int id;              /* -1 until given (0 by default with path=) */
	int emu_id;          /* -1 until given */
	bool own_emu;        /* path= given: the port creates the device */
	char emu_args[PATH_MAX + 128]; /* its emu_iavf devargs */
	bool port_rss;       /* rss=port */
};
int avfbe_parse_args(const char *name, const char *params,
		struct avfbe_args *args);

/* avfbe_rx.c / avfbe_tx.c */
uint16_t avfbe_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);
void avfbe_rx_stash_release(struct avfbe_rx_queue *rxq);
void avfbe_rx_set_vlan_strip(struct avfbe_rx_queue *rxq, bool strip);
uint16_t avfbe_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);

/* The guest's tail doorbell of a ring: written by the guest (shared
 * doorbell page) or by the control thread (trapped writes).
 */
static inline uint32_t
avfbe_guest_tail(const struct rte_iavf_emu_queue *gq)
{
	uint32_t __rte_atomic *tail = (uint32_t __rte_atomic *)(uintptr_t)gq->tail;

	return rte_atomic_load_explicit(tail, rte_memory_order_acquire);
}

/*
 * Copy frame bytes between guest memory and an mbuf. Up to
 * AVFBE_COPY_INLINE_MAX bytes: 16-byte moves inlined, the last one
 * overlapping (no call, no size dispatch). Longer copies use the C
 * library's memcpy, which picks the widest vector unit of the CPU at run
 * time: a generic build of DPDK (a distribution's) compiles rte_memcpy for
 * SSE4.2 only.
 */
#define AVFBE_COPY_INLINE_MAX 256

static __rte_always_inline void
avfbe_copy(void *dst, const void *src, uint32_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	uint32_t i;

	if (len > AVFBE_COPY_INLINE_MAX) {
		memcpy(d, s, len);
	} else if (len >= 16) {
		for (i = 0; i + 16 < len; i += 16)
			memcpy(d + i, s + i, 16);
		memcpy(d + len - 16, s + len - 16, 16);
	} else if (len >= 8) {
		memcpy(d, s, 8);
		memcpy(d + len - 8, s + len - 8, 8);
	} else {
		for (i = 0; i < len; i++)
			d[i] = s[i];
	}
}

/* Next ring index, without a division. */
static inline uint16_t
avfbe_next(uint16_t idx, uint16_t ring_len)
{
	return idx + 1 == ring_len ? 0 : idx + 1;
}

/* idx + n on a ring of ring_len, idx < ring_len, n <= ring_len. */
static inline uint16_t
avfbe_advance(uint16_t idx, uint16_t n, uint16_t ring_len)
{
	uint32_t i = (uint32_t)idx + n;

	return (uint16_t)(i >= ring_len ? i - ring_len : i);
}

/* Descriptors posted from head up to tail (both < ring_len). */
static inline uint16_t
avfbe_ring_count(uint16_t head, uint16_t tail, uint16_t ring_len)
{
	return tail >= head ? tail - head : tail + ring_len - head;
}

#endif /* _AVFBE_H_ */
