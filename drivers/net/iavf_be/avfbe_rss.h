/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

#ifndef _AVFBE_RSS_H_
#define _AVFBE_RSS_H_

/*
 * Device RSS hash (avfbe_rss.c): the Toeplitz hash of the guest's key over
 * the fields the hardware hashes, by tables. The lookups are inline here
 * for the Tx fast path, which has the frame in one segment.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mbuf_ptype.h>

#include "iavf_type.h"
#include <iavf_emu_backend.h>

/* Longest hash input: IPv6 source and destination, L4 ports. */
#define AVFBE_RSS_MAX_INPUT 36

/* Toeplitz tables of one RSS key, rebuilt when the guest changes it. */
struct avfbe_rss_tbl {
	uint32_t gen;           /* rte_iavf_emu_rss.gen built from */
	bool built;
	bool usable;            /* RSS enabled, key long enough */
	uint64_t pctypes;       /* classifier types the guest hashes */
	uint32_t t[AVFBE_RSS_MAX_INPUT][256];
};

void avfbe_rss_tbl_build(struct avfbe_rss_tbl *tbl,
		const struct rte_iavf_emu_rss *rss);
bool avfbe_rss_hash(const struct avfbe_rss_tbl *tbl,
		const struct rte_mbuf *m, uint32_t ptype, uint32_t l2_len,
		uint32_t l3_len, uint32_t *hash);

/* Packet classifier type (HENA bit) of a packet, -1 for none. */
static __rte_always_inline int
avfbe_rss_pctype(uint32_t ptype)
{
	uint32_t l4 = ptype & RTE_PTYPE_L4_MASK;

	if (RTE_ETH_IS_IPV4_HDR(ptype)) {
		switch (l4) {
		case RTE_PTYPE_L4_FRAG: return IAVF_FILTER_PCTYPE_FRAG_IPV4;
		case RTE_PTYPE_L4_TCP: return IAVF_FILTER_PCTYPE_NONF_IPV4_TCP;
		case RTE_PTYPE_L4_UDP: return IAVF_FILTER_PCTYPE_NONF_IPV4_UDP;
		case RTE_PTYPE_L4_SCTP: return IAVF_FILTER_PCTYPE_NONF_IPV4_SCTP;
		default: return IAVF_FILTER_PCTYPE_NONF_IPV4_OTHER;
		}
	}
	if (RTE_ETH_IS_IPV6_HDR(ptype)) {
		switch (l4) {
		case RTE_PTYPE_L4_FRAG: return IAVF_FILTER_PCTYPE_FRAG_IPV6;
		case RTE_PTYPE_L4_TCP: return IAVF_FILTER_PCTYPE_NONF_IPV6_TCP;
		case RTE_PTYPE_L4_UDP: return IAVF_FILTER_PCTYPE_NONF_IPV6_UDP;
		case RTE_PTYPE_L4_SCTP: return IAVF_FILTER_PCTYPE_NONF_IPV6_SCTP;
		default: return IAVF_FILTER_PCTYPE_NONF_IPV6_OTHER;
		}
	}
	return -1;
}

/* The hash h continued over len input bytes starting at input byte off. */
static __rte_always_inline uint32_t
avfbe_rss_bytes(const struct avfbe_rss_tbl *tbl, const uint8_t *in,
		uint32_t off, uint32_t len, uint32_t h)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		h ^= tbl->t[off + i][in[i]];
	return h;
}

/*
 * The hash of the addresses at ip (8 bytes for IPv4, 32 for IPv6) and,
 * unless ports is NULL, the 4 port bytes, in packet byte order.
 */
static __rte_always_inline uint32_t
avfbe_rss_tuple(const struct avfbe_rss_tbl *tbl, const uint8_t *ip,
		bool v4, const uint8_t *ports)
{
	uint32_t h;

	/* constant lengths: the lookups unroll */
	if (v4) {
		h = avfbe_rss_bytes(tbl, ip, 0, 8, 0);
		if (ports != NULL)
			h = avfbe_rss_bytes(tbl, ports, 8, 4, h);
	} else {
		h = avfbe_rss_bytes(tbl, ip, 0, 32, 0);
		if (ports != NULL)
			h = avfbe_rss_bytes(tbl, ports, 32, 4, h);
	}
	return h;
}

/* The guest hashes frames of this type (its HENA bit is set). */
static __rte_always_inline bool
avfbe_rss_covers(const struct avfbe_rss_tbl *tbl, uint32_t ptype)
{
	int pctype = avfbe_rss_pctype(ptype);

	return tbl->usable && pctype >= 0 &&
		(tbl->pctypes & RTE_BIT64(pctype)) != 0;
}

/* The hash input of this type ends with the 4 bytes of the L4 ports. */
static __rte_always_inline bool
avfbe_rss_has_ports(uint32_t ptype)
{
	uint32_t l4 = ptype & RTE_PTYPE_L4_MASK;

	return l4 == RTE_PTYPE_L4_TCP || l4 == RTE_PTYPE_L4_UDP ||
		l4 == RTE_PTYPE_L4_SCTP;
}

/*
 * avfbe_rss_hash() of a frame the caller holds in one piece: l3 points at
 * its IP header of l3_len bytes, avail bytes from l3 on are in the frame,
 * ptype classifies it (an IPv4 or IPv6 type).
 */
static __rte_always_inline bool
avfbe_rss_hash_flat(const struct avfbe_rss_tbl *tbl, const uint8_t *l3,
		uint32_t l3_len, uint32_t avail, uint32_t ptype, uint32_t *hash)
{
	bool v4 = RTE_ETH_IS_IPV4_HDR(ptype);
	const uint8_t *ports = NULL;
	int pctype = avfbe_rss_pctype(ptype);

	/* avfbe_rss_covers() spelled out: through the helper, GCC 12 lays
	 * out the Tx fast path around it with 5 more instructions a packet
	 */
	if (!tbl->usable || pctype < 0 || !(tbl->pctypes & RTE_BIT64(pctype)))
		return false;
	if (avail < (v4 ? sizeof(struct rte_ipv4_hdr) :
		     sizeof(struct rte_ipv6_hdr)))
		return false;
	if (avfbe_rss_has_ports(ptype)) {
		if (avail < l3_len + 4)
			return false;
		ports = l3 + l3_len;
	}
	*hash = avfbe_rss_tuple(tbl, l3 + (v4 ?
		offsetof(struct rte_ipv4_hdr, src_addr) :
		offsetof(struct rte_ipv6_hdr, src_addr)), v4, ports);
	return true;
}

#endif /* _AVFBE_RSS_H_ */
