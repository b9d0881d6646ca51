/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * The TSO part of a guest's Tx request (avfbe_txd.h decodes the rest
 * inline): the context descriptor's MSS and length checked against the
 * frame, and the IP length Linux zeroes restored.
 */

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "iavf_type.h"
#include "avfbe.h"
#include "avfbe_txd.h"

/*
 * Linux iavf_tso() zeroes the IPv4 total length (IPv6 payload length) of a
 * TSO packet, as Intel hardware wants it.  Applications parse what they
 * receive as IP: Open vSwitch stops parsing an IPv4 packet whose total
 * length is shorter than its header and then drops it as a TSO packet
 * without L4 header.  Restore the length from the frame when it fits in 16
 * bits (and the IPv4 header checksum, which the driver zeroed too).
 */
static void
avfbe_tso_ip_len(struct rte_mbuf *m, uint32_t l2, uint32_t l3, uint64_t fl)
{
	uint32_t len = m->pkt_len - l2;

	if (rte_pktmbuf_data_len(m) < l2 + l3)
		return;
	if (fl & RTE_MBUF_F_TX_IPV4) {
		struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l2);

		if (ip->total_length != 0 || len > UINT16_MAX)
			return;
		ip->total_length = rte_cpu_to_be_16(len);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip6 =
			rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l2);

		len -= sizeof(*ip6);
		if (ip6->payload_len != 0 || len > UINT16_MAX)
			return;
		ip6->payload_len = rte_cpu_to_be_16(len);
	}
}

/*
 * The TSO part of a guest request (avfbe_ol_from_guest()): its context
 * descriptor's MSS and length against the headers (l2 + l3 + l4 bytes)
 * and the frame. Returns the
 * request flags for a TSO packet, or 0 when they contradict each other.
 */
uint64_t
avfbe_tso_from_guest(struct rte_mbuf *m, uint64_t fl, uint32_t l2,
		uint32_t l3, uint32_t l4, uint64_t ctx_qw1)
{
	uint32_t hdr = l2 + l3 + l4;
	uint32_t tso_len = (ctx_qw1 & IAVF_TXD_CTX_QW1_TSO_LEN_MASK) >>
		IAVF_TXD_CTX_QW1_TSO_LEN_SHIFT;
	uint32_t mss = (ctx_qw1 & IAVF_TXD_CTX_QW1_MSS_MASK) >>
		IAVF_TXD_CTX_QW1_MSS_SHIFT;

	/* TSO_LEN counts the payload after L2+L3+L4 headers. */
	if ((fl & RTE_MBUF_F_TX_L4_MASK) != RTE_MBUF_F_TX_TCP_CKSUM ||
	    mss < AVFBE_MIN_TSO_MSS || hdr + mss > AVFBE_MAX_FRAME ||
	    hdr + tso_len != m->pkt_len)
		return 0;
	/*
	 * TCP_SEG implies TCP_CKSUM, and over IPv4 it needs IP_CKSUM
	 * (rte_mbuf_core.h): every segment gets a new IP header, so
	 * its checksum is recomputed whatever the guest asked.
	 */
	fl &= ~RTE_MBUF_F_TX_L4_MASK;
	fl |= RTE_MBUF_F_TX_TCP_SEG;
	if (fl & RTE_MBUF_F_TX_IPV4)
		fl |= RTE_MBUF_F_TX_IP_CKSUM;
	m->tso_segsz = mss;
	avfbe_tso_ip_len(m, l2, l3, fl);
	return fl;
}
