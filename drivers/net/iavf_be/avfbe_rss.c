/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * RSS hash for the guest's Rx descriptors: the Toeplitz hash the guest
 * configured (key, hash enable bits per packet classifier type) computed
 * in software, so the guest sees the hash a real AVF would report.
 * Queue selection stays with the application: the port's Tx queue q
 * fills guest Rx queue q whatever the guest's lookup table says.
 */

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mbuf_ptype.h>
#include <rte_thash.h>

#include "iavf_type.h"
#include "avfbe.h"

/* Packet classifier type (HENA bit) of a packet, -1 for none. */
static int
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
 * Hash of a frame whose L3 header starts at l2_len and is l3_len long.
 * Returns true and sets *hash when the guest's configuration covers it.
 */
bool
avfbe_rss_hash(const struct rte_iavf_emu_rss *rss, const struct rte_mbuf *m,
		uint32_t ptype, uint32_t l2_len, uint32_t l3_len, uint32_t *hash)
{
	union rte_thash_tuple tuple;
	uint8_t buf[sizeof(struct rte_ipv6_hdr) + 4];
	bool with_ports;
	const void *p;
	uint32_t len;
	int pctype;

	if (!rss->enabled || rss->key_len < RTE_THASH_V6_L4_LEN * 4 + 4)
		return false;
	pctype = avfbe_rss_pctype(ptype);
	if (pctype < 0 || !avfbe_rss_enabled(rss->hena, pctype))
		return false;
	with_ports = (ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_TCP ||
		(ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_UDP ||
		(ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_SCTP;

	if (RTE_ETH_IS_IPV4_HDR(ptype)) {
		const struct rte_ipv4_hdr *ip;
		const uint8_t *ports;

		p = rte_pktmbuf_read(m, l2_len, sizeof(*ip), buf);
		if (p == NULL)
			return false;
		ip = p;
		tuple.v4.src_addr = rte_be_to_cpu_32(ip->src_addr);
		tuple.v4.dst_addr = rte_be_to_cpu_32(ip->dst_addr);
		len = RTE_THASH_V4_L3_LEN;
		if (with_ports) {
			ports = rte_pktmbuf_read(m, l2_len + l3_len, 4, buf);
			if (ports == NULL)
				return false;
			tuple.v4.sport = (uint16_t)(ports[0] << 8 | ports[1]);
			tuple.v4.dport = (uint16_t)(ports[2] << 8 | ports[3]);
			len = RTE_THASH_V4_L4_LEN;
		}
	} else {
		const struct rte_ipv6_hdr *ip6;
		const uint8_t *ports;

		p = rte_pktmbuf_read(m, l2_len, sizeof(*ip6), buf);
		if (p == NULL)
			return false;
		ip6 = p;
		rte_thash_load_v6_addrs(ip6, &tuple);
		len = RTE_THASH_V6_L3_LEN;
		if (with_ports) {
			ports = rte_pktmbuf_read(m, l2_len + l3_len, 4, buf);
			if (ports == NULL)
				return false;
			tuple.v6.sport = (uint16_t)(ports[0] << 8 | ports[1]);
			tuple.v6.dport = (uint16_t)(ports[2] << 8 | ports[3]);
			len = RTE_THASH_V6_L4_LEN;
		}
	}
	*hash = rte_softrss((uint32_t *)&tuple, len, rss->key);
	return true;
}
