/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * RSS hash for the guest's Rx descriptors: the Toeplitz hash the guest
 * configured (key, hash enable bits per packet classifier type) computed
 * in software, so the guest sees the hash a real AVF would report. With
 * rss=device the Tx path also picks the guest's Rx queue from the guest's
 * lookup table by that hash (avfbe_tx.c); with rss=port, port Tx queue q
 * fills guest Rx queue q.
 */

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mbuf_ptype.h>

#include "iavf_type.h"
#include "avfbe.h"
#include "avfbe_rss.h"

/* Whether the guest enabled hashing of a classifier type. The unicast /
 * multicast UDP and TCP SYN types share the tuple of the plain type.
 */
static bool
avfbe_rss_enabled(uint64_t hena, int pctype)
{
	uint64_t bits = RTE_BIT64(pctype);

	switch (pctype) {
	case IAVF_FILTER_PCTYPE_NONF_IPV4_UDP:
		bits |= RTE_BIT64(IAVF_FILTER_PCTYPE_NONF_UNICAST_IPV4_UDP) |
			RTE_BIT64(IAVF_FILTER_PCTYPE_NONF_MULTICAST_IPV4_UDP);
		break;
	case IAVF_FILTER_PCTYPE_NONF_IPV4_TCP:
		bits |= RTE_BIT64(IAVF_FILTER_PCTYPE_NONF_IPV4_TCP_SYN_NO_ACK);
		break;
	case IAVF_FILTER_PCTYPE_NONF_IPV6_UDP:
		bits |= RTE_BIT64(IAVF_FILTER_PCTYPE_NONF_UNICAST_IPV6_UDP) |
			RTE_BIT64(IAVF_FILTER_PCTYPE_NONF_MULTICAST_IPV6_UDP);
		break;
	case IAVF_FILTER_PCTYPE_NONF_IPV6_TCP:
		bits |= RTE_BIT64(IAVF_FILTER_PCTYPE_NONF_IPV6_TCP_SYN_NO_ACK);
		break;
	default:
		break;
	}
	return (hena & bits) != 0;
}

/*
 * Toeplitz by tables: the hash of an input is the XOR, over its set bits,
 * of the 32 key bits starting at the bit's position. For each input byte
 * position i and byte value v, tbl->t[i][v] holds the XOR for the bits of
 * v at position i, so a hash takes one lookup per input byte instead of
 * work per set bit (rte_softrss()).
 */
void
avfbe_rss_tbl_build(struct avfbe_rss_tbl *tbl, const struct rte_iavf_emu_rss *rss)
{
	uint32_t win[AVFBE_RSS_MAX_INPUT * 8];
	uint32_t i, v, bit;
	int pc;

	tbl->gen = rss->gen;
	tbl->built = true;
	tbl->usable = rss->enabled &&
		rss->key_len >= AVFBE_RSS_MAX_INPUT + sizeof(uint32_t);
	tbl->pctypes = 0;
	if (!tbl->usable)
		return;
	for (pc = 0; pc < 64; pc++)
		if (avfbe_rss_enabled(rss->hena, pc))
			tbl->pctypes |= RTE_BIT64(pc);
	/* win[j]: key bits j .. j + 31, the first one most significant */
	for (bit = 0; bit < RTE_DIM(win); bit++) {
		uint32_t w = 0, k;

		for (k = 0; k < 32; k++) {
			uint32_t b = bit + k;

			w = w << 1 | ((rss->key[b / 8] >> (7 - b % 8)) & 1);
		}
		win[bit] = w;
	}
	for (i = 0; i < AVFBE_RSS_MAX_INPUT; i++) {
		tbl->t[i][0] = 0;
		/* v with its lowest set bit cleared, plus that bit's window */
		for (v = 1; v < 256; v++)
			tbl->t[i][v] = tbl->t[i][v & (v - 1)] ^
				win[i * 8 + 7 - __builtin_ctz(v)];
	}
}

/*
 * Hash of a frame whose L3 header starts at l2_len and is l3_len long,
 * with the table of the guest's current key (avfbe_rss_tbl_build()).
 * The input is what the hardware hashes, in packet byte order: source and
 * destination address, then the L4 ports when the type covers them.
 * Returns true and sets *hash when the guest's configuration covers the
 * packet.
 */
bool
avfbe_rss_hash(const struct avfbe_rss_tbl *tbl, const struct rte_mbuf *m,
		uint32_t ptype, uint32_t l2_len, uint32_t l3_len, uint32_t *hash)
{
	uint8_t buf[sizeof(struct rte_ipv6_hdr)];
	uint8_t pbuf[4];
	bool v4 = RTE_ETH_IS_IPV4_HDR(ptype);
	const uint8_t *ip, *ports = NULL;

	if (!avfbe_rss_covers(tbl, ptype))
		return false;
	ip = rte_pktmbuf_read(m, l2_len, v4 ? sizeof(struct rte_ipv4_hdr) :
			      sizeof(struct rte_ipv6_hdr), buf);
	if (ip == NULL)
		return false;
	ip += v4 ? offsetof(struct rte_ipv4_hdr, src_addr) :
		offsetof(struct rte_ipv6_hdr, src_addr);
	if (avfbe_rss_has_ports(ptype)) {
		ports = rte_pktmbuf_read(m, l2_len + l3_len, sizeof(pbuf), pbuf);
		if (ports == NULL)
			return false;
	}
	*hash = avfbe_rss_tuple(tbl, ip, v4, ports);
	return true;
}
