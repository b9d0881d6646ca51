/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

#ifndef _AVFBE_TXD_H_
#define _AVFBE_TXD_H_

/*
 * The offload fields of the guest's Tx descriptors as mbuf Tx requests
 * (guest -> port). Inline for the Rx burst (avfbe_rx.c), which decodes
 * them for every packet that has them; the TSO part is in avfbe_txd.c.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_sctp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "iavf_type.h"

/*
 * The TSO part of a request: fl with TCP_SEG (and IP_CKSUM over IPv4) and
 * tso_segsz set, or 0 when the context descriptor contradicts the frame.
 */
uint64_t avfbe_tso_from_guest(struct rte_mbuf *m, uint64_t fl, uint32_t l2,
		uint32_t l3, uint32_t l4, uint64_t ctx_qw1);

/*
 * What the IIPT and L4T command fields ask for (table index: IIPT in bits
 * 0-1, L4T in bits 2-3) and the shortest headers that make sense of it.
 * IIPT "non IP" with an L4 type has no entry: the hardware locates L4
 * through the IP type.
 */
struct avfbe_txd_req {
	uint64_t flags;         /* RTE_MBUF_F_TX_* */
	uint8_t min_l3;
	uint8_t min_l4;
	bool valid;
};

#define AVFBE_REQ_L3(ipt) ((ipt) >> 5)
#define AVFBE_REQ_L4(l4t) ((l4t) >> 6)
#define AVFBE_REQ(ipt, l4t, fl, l3, l4) \
	[AVFBE_REQ_L3(IAVF_TX_DESC_CMD_IIPT_ ## ipt) | \
	 AVFBE_REQ_L4(IAVF_TX_DESC_CMD_L4T_EOFT_ ## l4t)] = \
		{ (fl), (l3), (l4), true }
#define AVFBE_REQ_IP(ipt, fl, l3) \
	AVFBE_REQ(ipt, UNK, fl, l3, 0), \
	AVFBE_REQ(ipt, TCP, (fl) | RTE_MBUF_F_TX_TCP_CKSUM, l3, \
		  sizeof(struct rte_tcp_hdr)), \
	AVFBE_REQ(ipt, UDP, (fl) | RTE_MBUF_F_TX_UDP_CKSUM, l3, \
		  sizeof(struct rte_udp_hdr)), \
	AVFBE_REQ(ipt, SCTP, (fl) | RTE_MBUF_F_TX_SCTP_CKSUM, l3, \
		  sizeof(struct rte_sctp_hdr))

static const struct avfbe_txd_req avfbe_txd_reqs[16] = {
	AVFBE_REQ_IP(IPV6, RTE_MBUF_F_TX_IPV6, sizeof(struct rte_ipv6_hdr)),
	AVFBE_REQ_IP(IPV4, RTE_MBUF_F_TX_IPV4, sizeof(struct rte_ipv4_hdr)),
	AVFBE_REQ_IP(IPV4_CSUM, RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM,
		     sizeof(struct rte_ipv4_hdr)),
};

/* The data is intact; only the checksum fields it asks for are not final. */
static __rte_always_inline uint64_t
avfbe_rx_csum_none(uint64_t fl)
{
	return ((fl & RTE_MBUF_F_TX_IP_CKSUM) ?
		RTE_MBUF_F_RX_IP_CKSUM_NONE : 0) |
		((fl & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG)) ?
		 RTE_MBUF_F_RX_L4_CKSUM_NONE : 0);
}

/*
 * Turn the offload fields of a guest Tx packet into mbuf requests.
 * data_qw1 is qword 1 of the packet's first data descriptor (the drivers
 * repeat the command and offsets on every data descriptor), ctx_qw1 that
 * of its context descriptor when "tso" is set.
 * Returns 0, or -EINVAL when the fields contradict the frame: the packet
 * is then dropped as a bad descriptor.
 */
static __rte_always_inline int
avfbe_ol_from_guest(struct rte_mbuf *m, uint64_t data_qw1, uint64_t ctx_qw1,
		bool tso)
{
	uint32_t cmd = (data_qw1 & IAVF_TXD_QW1_CMD_MASK) >>
		IAVF_TXD_QW1_CMD_SHIFT;
	uint32_t off = (data_qw1 & IAVF_TXD_QW1_OFFSET_MASK) >>
		IAVF_TXD_QW1_OFFSET_SHIFT;
	uint32_t iipt = cmd & IAVF_TX_DESC_CMD_IIPT_IPV4_CSUM;
	uint32_t l4t = cmd & IAVF_TX_DESC_CMD_L4T_EOFT_UDP;
	const struct avfbe_txd_req *req =
		&avfbe_txd_reqs[AVFBE_REQ_L3(iipt) | AVFBE_REQ_L4(l4t)];
	/* MACLEN in 2-byte words, IPLEN and L4LEN in 4-byte words */
	uint32_t l2 = ((off & IAVF_TXD_QW1_MACLEN_MASK) >>
		IAVF_TX_DESC_LENGTH_MACLEN_SHIFT) * 2;
	uint32_t l3 = ((off & IAVF_TXD_QW1_IPLEN_MASK) >>
		IAVF_TX_DESC_LENGTH_IPLEN_SHIFT) * 4;
	uint32_t l4 = ((off & IAVF_TXD_QW1_L4LEN_MASK) >>
		IAVF_TX_DESC_LENGTH_L4_FC_LEN_SHIFT) * 4;
	uint64_t fl = req->flags;

	if (iipt == IAVF_TX_DESC_CMD_IIPT_NONIP && l4t == 0 && !tso)
		return 0;
	if (!req->valid || l2 < RTE_ETHER_HDR_LEN || l3 < req->min_l3 ||
	    l4 < req->min_l4)
		return -EINVAL;
	/* MACLEN reaches 254 bytes, l2_len holds 127: never truncate. */
	if (l2 >= RTE_BIT32(RTE_MBUF_L2_LEN_BITS) ||
	    l3 >= RTE_BIT32(RTE_MBUF_L3_LEN_BITS) ||
	    l4 >= RTE_BIT32(RTE_MBUF_L4_LEN_BITS))
		return -EINVAL;
	if (l2 + l3 + l4 > m->pkt_len)
		return -EINVAL;

	if (tso) {
		fl = avfbe_tso_from_guest(m, fl, l2, l3, l4, ctx_qw1);
		if (fl == 0)
			return -EINVAL;
	}
	m->l2_len = l2;
	m->l3_len = l3;
	m->l4_len = l4;
	m->ol_flags |= fl | avfbe_rx_csum_none(fl);
	return 0;
}

#endif /* _AVFBE_TXD_H_ */
