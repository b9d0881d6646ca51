/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * VLAN tags between the guest and the port (virtchnl VLAN offload,
 * version 1: one 802.1Q tag, L2TAG1).
 *
 * Guest -> port: a Tx data descriptor with IL2TAG1 asks the device to
 * insert its L2TAG1 field as an 802.1Q tag. The port hands it on as the
 * wire would carry it (in the frame) or, with RTE_ETH_RX_OFFLOAD_VLAN_STRIP,
 * in mbuf->vlan_tci (RTE_MBUF_F_RX_VLAN_STRIPPED); the port's strip also
 * takes tags the guest put in the frame itself.
 *
 * Port -> guest: the tag is in the frame or, for RTE_MBUF_F_TX_VLAN, in
 * mbuf->vlan_tci. When the guest negotiated VLAN offload, a tagged frame
 * is delivered only for a VLAN id it added; with stripping enabled the tag
 * goes to the Rx write-back (qword 0 bits 31:16, status L2TAG1P) instead
 * of the buffer, as the hardware does.
 */

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "iavf_type.h"
#include "avfbe.h"

/* Offload requests whose l2_len covers the tag. */
#define AVFBE_L2_LEN_USERS (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK | \
	RTE_MBUF_F_TX_IP_CKSUM)

/* Put tci into the frame as an 802.1Q tag after the MAC addresses. */
static int
avfbe_vlan_put(struct rte_mbuf *m, uint16_t tci)
{
	const rte_be16_t tag[2] = {
		RTE_BE16(RTE_ETHER_TYPE_VLAN), rte_cpu_to_be_16(tci)
	};
	uint8_t *old = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *p;

	if (rte_pktmbuf_data_len(m) < 2 * RTE_ETHER_ADDR_LEN)
		return -EINVAL;
	p = (uint8_t *)rte_pktmbuf_prepend(m, sizeof(tag));
	if (p == NULL)
		return -ENOSPC;
	memmove(p, old, 2 * RTE_ETHER_ADDR_LEN);
	/* the inner Ethernet type stays where it was, after the tag */
	memcpy(p + 2 * RTE_ETHER_ADDR_LEN, tag, sizeof(tag));
	if (m->ol_flags & AVFBE_L2_LEN_USERS)
		m->l2_len += sizeof(tag);
	return 0;
}

/* Move the frame's 802.1Q tag into the mbuf (port Rx VLAN strip). */
static void
avfbe_vlan_take(struct rte_mbuf *m)
{
	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr))
		return;
	if (rte_vlan_strip(m) == 0 && (m->ol_flags & AVFBE_L2_LEN_USERS) &&
	    m->l2_len >= RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr))
		m->l2_len -= sizeof(struct rte_vlan_hdr);
}

int
avfbe_vlan_from_guest(struct rte_mbuf *m, uint64_t data_qw1, bool strip)
{
	uint32_t cmd = (data_qw1 & IAVF_TXD_QW1_CMD_MASK) >>
		IAVF_TXD_QW1_CMD_SHIFT;
	uint16_t tci;

	if (!(cmd & IAVF_TX_DESC_CMD_IL2TAG1)) {
		if (strip)
			avfbe_vlan_take(m);
		return 0;
	}
	tci = (uint16_t)((data_qw1 & IAVF_TXD_QW1_L2TAG1_MASK) >>
			 IAVF_TXD_QW1_L2TAG1_SHIFT);
	if (strip) {
		m->vlan_tci = tci;
		m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
		return 0;
	}
	/* a fresh mbuf of the port's pool: headroom for the tag */
	return avfbe_vlan_put(m, tci);
}

/* The 802.1Q tag of a frame to the guest: in the mbuf or in the frame. */
static bool
avfbe_vlan_tag_of(const struct rte_mbuf *m, uint16_t *tci, bool *in_frame)
{
	uint8_t buf[sizeof(rte_be16_t) + sizeof(struct rte_vlan_hdr)];
	const uint8_t *p;
	rte_be16_t v;

	if (m->ol_flags & RTE_MBUF_F_TX_VLAN) {
		*tci = m->vlan_tci;
		*in_frame = false;
		return true;
	}
	/* Ethernet type and tag control, at any alignment */
	p = rte_pktmbuf_read(m, 2 * RTE_ETHER_ADDR_LEN, sizeof(buf), buf);
	if (p == NULL)
		return false;
	memcpy(&v, p, sizeof(v));
	if (v != RTE_BE16(RTE_ETHER_TYPE_VLAN))
		return false;
	memcpy(&v, p + sizeof(v), sizeof(v));
	*tci = rte_be_to_cpu_16(v);
	*in_frame = true;
	return true;
}

/*
 * Apply the guest's VLAN filter and stripping to a frame for it.
 * Returns 0 (out says what to deliver), -EPERM (filtered), -ENOMEM (no
 * mbuf for the rebuilt frame) or -EINVAL.
 */
int
avfbe_vlan_to_guest(const struct rte_mbuf *m, uint16_t emu_id, bool filter,
		bool strip, struct avfbe_vlan_out *out)
{
	struct rte_mbuf *c;
	bool in_frame;
	uint16_t tci;

	out->m = m;
	out->copy = NULL;
	out->tagged = false;
	if (!avfbe_vlan_tag_of(m, &tci, &in_frame))
		return 0;
	if (filter && !rte_iavf_emu_vlan_accepted(emu_id,
			tci & RTE_VLAN_ID_MASK))
		return -EPERM;
	if (strip) {
		out->tagged = true;
		out->tci = tci;
	}
	/* the tag is already where the guest wants it */
	if (in_frame != strip)
		return 0;
	/*
	 * Stripped from the frame, or inserted into it: the mbuf may be
	 * shared, the frame is rebuilt in a copy.
	 */
	c = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
	if (c == NULL)
		return -ENOMEM;
	if (strip) {
		if (rte_vlan_strip(c) != 0) {
			rte_pktmbuf_free(c);
			return -EINVAL;
		}
		if ((c->ol_flags & AVFBE_L2_LEN_USERS) &&
		    c->l2_len >= RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr))
			c->l2_len -= sizeof(struct rte_vlan_hdr);
	} else {
		c->ol_flags &= ~RTE_MBUF_F_TX_VLAN;
		if (avfbe_vlan_put(c, tci) != 0) {
			rte_pktmbuf_free(c);
			return -ENOMEM;
		}
	}
	c->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
	out->m = c;
	out->copy = c;
	return 0;
}
