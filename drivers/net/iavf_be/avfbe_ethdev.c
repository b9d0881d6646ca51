/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * net_avfbe: probe, devargs, ethdev operations, link state and counters.
 *
 *   --vdev net_avfbe0,path=/run/avf0.sock
 *   --vdev emu_iavf0,path=/run/avf0.sock,id=0 --vdev net_avfbe0,id=0,avf_emu_id=0
 *
 * The port serves one emulated AVF (an emudev of type "iavf"). Its link is
 * up while the port is started and the guest has its queues enabled; the
 * guest sees link up while the port is started (and not set down).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_emudev.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>

#include "avfbe.h"
#include "avfbe_rss.h"

RTE_LOG_REGISTER_DEFAULT(avfbe_logtype, NOTICE);

/* Emulated devices already served by a port. */
static bool avfbe_emu_claimed[RTE_MAX_EMUDEV];

/* ----------------------------------------------------------- link */

static bool
avfbe_guest_up(const struct avfbe_adapter *ad)
{
	uint16_t q;

	for (q = 0; q < ad->num_qp; q++) {
		struct rte_iavf_emu_queue *gq =
			rte_iavf_emu_get_queue(ad->emu_id, q, false);

		if (gq != NULL && gq->enabled)
			return true;
	}
	return false;
}

/* Recompute the port link; raise LSC when it changed and notify is set. */
static int
avfbe_link_refresh(struct rte_eth_dev *dev, bool notify)
{
	struct avfbe_adapter *ad = dev->data->dev_private;
	struct rte_eth_link link;
	struct rte_emudev_info info;
	bool up;

	memset(&link, 0, sizeof(link));
	up = ad->started && ad->admin_up &&
		rte_emudev_info_get(ad->emu_id, &info) == 0 && info.ready &&
		avfbe_guest_up(ad);
	link.link_status = up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	link.link_speed = up ? ad->link_speed : RTE_ETH_SPEED_NUM_NONE;
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	if (rte_eth_linkstatus_set(dev, &link) == 0 && notify &&
	    dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
	return 0;
}

/* emudev events arrive on the vfio-user control thread. */
static void
avfbe_emu_event(uint16_t emu_id __rte_unused,
		const struct rte_emudev_event *ev, void *arg)
{
	struct rte_eth_dev *dev = arg;

	switch (ev->type) {
	case RTE_EMUDEV_EVENT_READY:
	case RTE_EMUDEV_EVENT_NOT_READY:
	case RTE_EMUDEV_EVENT_QUEUE_STATE:
	case RTE_EMUDEV_EVENT_RESET:
		avfbe_link_refresh(dev, true);
		break;
	default:
		break;
	}
}

/* Tell the guest the link state the port wants it to see. */
static int
avfbe_guest_link(struct avfbe_adapter *ad)
{
	bool up = ad->started && ad->admin_up;
	int ret;

	ret = rte_iavf_emu_set_link(ad->emu_id, up, ad->link_speed);
	if (ret != 0)
		AVFBE_LOG(ERR, "port %u: cannot set guest link %s: %s",
			  ad->eth_dev->data->port_id, up ? "up" : "down",
			  strerror(-ret));
	return ret;
}

static int
avfbe_link_update(struct rte_eth_dev *dev, int wait __rte_unused)
{
	return avfbe_link_refresh(dev, false);
}

/* ----------------------------------------------------------- control */

static int
avfbe_dev_configure(struct rte_eth_dev *dev)
{
	struct avfbe_adapter *ad = dev->data->dev_private;

	/* ethdev checked the queue counts against max_rx/tx_queues */
	if (dev->data->dev_conf.rxmode.mq_mode != RTE_ETH_MQ_RX_NONE)
		AVFBE_LOG(INFO, "port %u: Rx queue q carries guest queue q, no RSS spreading",
			  dev->data->port_id);
	RTE_SET_USED(ad);
	return 0;
}

static int
avfbe_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct avfbe_adapter *ad = dev->data->dev_private;

	info->max_mac_addrs = 1;
	info->max_rx_pktlen = AVFBE_MAX_FRAME;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = AVFBE_MAX_FRAME - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
	info->max_rx_queues = ad->num_qp;
	info->max_tx_queues = ad->num_qp;
	info->min_rx_bufsize = RTE_ETHER_MIN_LEN;
	/* Large guest frames (jumbo, TSO) arrive as mbuf chains; VLAN
	 * strip moves the 802.1Q tag of guest frames to mbuf->vlan_tci.
	 */
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER |
		RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	/* Performed in software before a frame enters a guest Rx ring. */
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
		RTE_ETH_TX_OFFLOAD_VLAN_INSERT |
		RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_TX_OFFLOAD_SCTP_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_TSO;
	info->speed_capa = rte_eth_speed_bitflag(ad->link_speed,
						 RTE_ETH_LINK_FULL_DUPLEX);
	return 0;
}

static void
avfbe_set_queue_states(struct rte_eth_dev *dev, uint8_t state)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = state;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = state;
}

/* The port's VLAN strip setting, to every Rx queue. */
static void
avfbe_rx_vlan_sync(struct rte_eth_dev *dev)
{
	bool strip = (dev->data->dev_conf.rxmode.offloads &
		      RTE_ETH_RX_OFFLOAD_VLAN_STRIP) != 0;
	struct avfbe_rx_queue *rxq;
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		rxq = dev->data->rx_queues[i];
		if (rxq != NULL)
			avfbe_rx_set_vlan_strip(rxq, strip);
	}
}

static int
avfbe_vlan_offload_set(struct rte_eth_dev *dev, int mask)
{
	if (mask & RTE_ETH_VLAN_STRIP_MASK)
		avfbe_rx_vlan_sync(dev);
	return 0;
}

static int
avfbe_dev_start(struct rte_eth_dev *dev)
{
	struct avfbe_adapter *ad = dev->data->dev_private;
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++)
		if (dev->data->rx_queues[i] == NULL)
			return -EINVAL;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		if (dev->data->tx_queues[i] == NULL)
			return -EINVAL;
	avfbe_rx_vlan_sync(dev);
	avfbe_ol_select_simd();
	ad->started = true;
	avfbe_set_queue_states(dev, RTE_ETH_QUEUE_STATE_STARTED);
	avfbe_guest_link(ad);
	avfbe_link_refresh(dev, false);
	return 0;
}

static int
avfbe_dev_stop(struct rte_eth_dev *dev)
{
	struct avfbe_adapter *ad = dev->data->dev_private;
	uint16_t i;

	ad->started = false;
	avfbe_set_queue_states(dev, RTE_ETH_QUEUE_STATE_STOPPED);
	/* no burst runs now: the Rx queues give their spare mbufs back */
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		if (dev->data->rx_queues[i] != NULL)
			avfbe_rx_stash_release(dev->data->rx_queues[i]);
	avfbe_guest_link(ad);
	avfbe_link_refresh(dev, false);
	return 0;
}

static int
avfbe_dev_set_link_up(struct rte_eth_dev *dev)
{
	struct avfbe_adapter *ad = dev->data->dev_private;

	ad->admin_up = true;
	avfbe_guest_link(ad);
	return avfbe_link_refresh(dev, false);
}

static int
avfbe_dev_set_link_down(struct rte_eth_dev *dev)
{
	struct avfbe_adapter *ad = dev->data->dev_private;

	ad->admin_up = false;
	avfbe_guest_link(ad);
	return avfbe_link_refresh(dev, false);
}

static void
avfbe_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	if (dev->data->rx_queues[qid] != NULL)
		avfbe_rx_stash_release(dev->data->rx_queues[qid]);
	rte_free(dev->data->rx_queues[qid]);
	dev->data->rx_queues[qid] = NULL;
}

static void
avfbe_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct avfbe_tx_queue *txq = dev->data->tx_queues[qid];

	if (txq != NULL)
		rte_free(txq->rss_tbl);
	rte_free(txq);
	dev->data->tx_queues[qid] = NULL;
}

static int
avfbe_dev_close(struct rte_eth_dev *dev)
{
	struct avfbe_adapter *ad = dev->data->dev_private;
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	if (ad->started)
		avfbe_dev_stop(dev);
	if (ad->subscribed) {
		/* waits for a callback running on the control thread */
		rte_emudev_unsubscribe_event(ad->emu_id, avfbe_emu_event, dev);
		ad->subscribed = false;
	}
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		avfbe_rx_queue_release(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		avfbe_tx_queue_release(dev, i);
	avfbe_emu_claimed[ad->emu_id] = false;
	if (ad->owns_emu) {
		/* its socket goes, its client is disconnected */
		rte_iavf_emu_destroy(ad->emu_id);
		ad->owns_emu = false;
	}
	/* mac_addrs points into dev_private, not to be freed by ethdev */
	dev->data->mac_addrs = NULL;
	return 0;
}

static int
avfbe_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
		uint16_t nb_desc __rte_unused, unsigned int socket_id,
		const struct rte_eth_rxconf *conf __rte_unused,
		struct rte_mempool *mp)
{
	struct avfbe_adapter *ad = dev->data->dev_private;
	struct rte_iavf_emu_queue *gq;
	struct avfbe_rx_queue *rxq;

	/* The guest owns the ring and its size: nb_desc has no meaning. */
	if (rte_pktmbuf_data_room_size(mp) < RTE_PKTMBUF_HEADROOM + 64) {
		AVFBE_LOG(ERR, "port %u: mbuf data room of pool %s too small",
			  dev->data->port_id, mp->name);
		return -EINVAL;
	}
	gq = rte_iavf_emu_get_queue(ad->emu_id, qid, true);
	if (gq == NULL)
		return -rte_errno;
	rxq = rte_zmalloc_socket("avfbe_rxq", sizeof(*rxq),
				 RTE_CACHE_LINE_SIZE, socket_id);
	if (rxq == NULL)
		return -ENOMEM;
	rxq->gq = gq;
	rxq->mp = mp;
	rxq->seg_room = RTE_MIN(rte_pktmbuf_data_room_size(mp) -
				RTE_PKTMBUF_HEADROOM, UINT16_MAX);
	rxq->ad = ad;
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = qid;
	rxq->last_bad_tail = UINT32_MAX;
	avfbe_rx_set_vlan_strip(rxq, false);
	rxq->emu_base = gq->stats;
	dev->data->rx_queues[qid] = rxq;
	return 0;
}

static int
avfbe_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
		uint16_t nb_desc __rte_unused, unsigned int socket_id,
		const struct rte_eth_txconf *conf __rte_unused)
{
	struct avfbe_adapter *ad = dev->data->dev_private;
	struct rte_iavf_emu_queue *gq;
	struct avfbe_tx_queue *txq;

	gq = rte_iavf_emu_get_queue(ad->emu_id, qid, false);
	if (gq == NULL)
		return -rte_errno;
	txq = rte_zmalloc_socket("avfbe_txq", sizeof(*txq),
				 RTE_CACHE_LINE_SIZE, socket_id);
	if (txq == NULL)
		return -ENOMEM;
	txq->rss_tbl = rte_zmalloc_socket("avfbe_rss_tbl",
			sizeof(*txq->rss_tbl), RTE_CACHE_LINE_SIZE, socket_id);
	if (txq->rss_tbl == NULL) {
		rte_free(txq);
		return -ENOMEM;
	}
	txq->gq = gq;
	txq->ad = ad;
	txq->emu_id = ad->emu_id;
	txq->queue_id = qid;
	txq->last_bad_tail = UINT32_MAX;
	txq->emu_base = gq->stats;
	dev->data->tx_queues[qid] = txq;
	return 0;
}

/* ----------------------------------------------------------- counters */

/* Difference to a snapshot; a counter that went back (device reset)
 * restarts from zero.
 */
static inline uint64_t
avfbe_delta(uint64_t cur, uint64_t base)
{
	return cur >= base ? cur - base : cur;
}

/*
 * The per-queue counters are in struct rte_eth_stats until 25.07 and in
 * struct eth_queue_stats (NULL when not wanted) from 25.11 on.
 */
#if RTE_VERSION_NUM(25, 11, 0, 0) <= RTE_VERSION
typedef struct eth_queue_stats avfbe_qstats_t;
#else
typedef struct rte_eth_stats avfbe_qstats_t;
#endif

static int
avfbe_stats_fill(struct rte_eth_dev *dev, struct rte_eth_stats *st,
		avfbe_qstats_t *qs)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct avfbe_rx_queue *rxq = dev->data->rx_queues[i];
		const struct rte_iavf_emu_queue_stats *cur, *base;
		uint64_t pk, by, err;

		if (rxq == NULL)
			continue;
		cur = &rxq->gq->stats;
		base = &rxq->emu_base;
		pk = avfbe_delta(cur->packets, base->packets);
		by = avfbe_delta(cur->bytes, base->bytes);
		err = avfbe_delta(cur->bad_desc, base->bad_desc);
		st->ipackets += pk;
		st->ibytes += by;
		st->ierrors += err;
		if (qs != NULL && i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			qs->q_ipackets[i] = pk;
			qs->q_ibytes[i] = by;
			qs->q_errors[i] = err;
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct avfbe_tx_queue *txq = dev->data->tx_queues[i];
		const struct rte_iavf_emu_queue_stats *cur, *base;
		const struct avfbe_txq_counters *cnt, *cnt_base;
		uint64_t pk, by;

		if (txq == NULL)
			continue;
		cur = &txq->gq->stats;
		base = &txq->emu_base;
		cnt = &txq->cnt;
		cnt_base = &txq->cnt_base;
		pk = avfbe_delta(cur->packets, base->packets);
		by = avfbe_delta(cur->bytes, base->bytes);
		st->opackets += pk;
		st->obytes += by;
		st->oerrors += avfbe_delta(cur->bad_desc, base->bad_desc) +
			avfbe_delta(cnt->oversize, cnt_base->oversize) +
			avfbe_delta(cnt->no_fit, cnt_base->no_fit) +
			avfbe_delta(cnt->invalid, cnt_base->invalid);
		if (qs != NULL && i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			qs->q_opackets[i] = pk;
			qs->q_obytes[i] = by;
		}
	}
	return 0;
}

#if RTE_VERSION_NUM(25, 11, 0, 0) <= RTE_VERSION
static int
avfbe_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st,
		struct eth_queue_stats *qs)
{
	return avfbe_stats_fill(dev, st, qs);
}
#else
static int
avfbe_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	return avfbe_stats_fill(dev, st, st);
}
#endif

static int
avfbe_stats_reset(struct rte_eth_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct avfbe_rx_queue *rxq = dev->data->rx_queues[i];

		if (rxq == NULL)
			continue;
		/* the guest reads the same counters: keep them, move base */
		rxq->emu_base = rxq->gq->stats;
		rxq->cnt_base = rxq->cnt;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct avfbe_tx_queue *txq = dev->data->tx_queues[i];

		if (txq == NULL)
			continue;
		txq->emu_base = txq->gq->stats;
		txq->cnt_base = txq->cnt;
	}
	return 0;
}

/* Extended per-queue counters beyond the basic ones ethdev fills in. */
struct avfbe_xstat {
	const char *name;
	bool emu;           /* in rte_iavf_emu_queue_stats, else PMD's own */
	size_t off;
};

#define AVFBE_XS_EMU(n, f) \
	{ n, true, offsetof(struct rte_iavf_emu_queue_stats, f) }
#define AVFBE_XS_RX(n, f) \
	{ n, false, offsetof(struct avfbe_rxq_counters, f) }
#define AVFBE_XS_TX(n, f) \
	{ n, false, offsetof(struct avfbe_txq_counters, f) }

static const struct avfbe_xstat avfbe_rx_xstats[] = {
	AVFBE_XS_EMU("unicast_packets", unicast),
	AVFBE_XS_EMU("multicast_packets", multicast),
	AVFBE_XS_EMU("broadcast_packets", broadcast),
	AVFBE_XS_EMU("bad_desc_drops", bad_desc),
	AVFBE_XS_RX("bad_tail", bad_tail),
	AVFBE_XS_RX("mbuf_alloc_stalls", nombuf),
	AVFBE_XS_RX("tso_packets", tso),
	AVFBE_XS_RX("csum_offload_packets", csum),
	AVFBE_XS_RX("vlan_insert_packets", vlan_insert),
};

static const struct avfbe_xstat avfbe_tx_xstats[] = {
	AVFBE_XS_EMU("unicast_packets", unicast),
	AVFBE_XS_EMU("multicast_packets", multicast),
	AVFBE_XS_EMU("broadcast_packets", broadcast),
	AVFBE_XS_TX("no_guest_buffer", ring_full),
	AVFBE_XS_EMU("bad_desc_drops", bad_desc),
	AVFBE_XS_TX("bad_tail", bad_tail),
	AVFBE_XS_TX("mac_filtered", filtered),
	AVFBE_XS_TX("vlan_filtered", vlan_filtered),
	AVFBE_XS_TX("vlan_nombuf_drops", vlan_nombuf),
	AVFBE_XS_TX("vlan_strip_packets", vlan_strip),
	AVFBE_XS_TX("oversize_drops", oversize),
	AVFBE_XS_TX("no_fit_drops", no_fit),
	AVFBE_XS_TX("invalid_drops", invalid),
	AVFBE_XS_TX("sw_tso_segments", tso_segs),
	AVFBE_XS_TX("sw_csum_packets", sw_csum),
};

#define AVFBE_NB_RX_XSTATS RTE_DIM(avfbe_rx_xstats)
#define AVFBE_NB_TX_XSTATS RTE_DIM(avfbe_tx_xstats)

static unsigned int
avfbe_xstats_count(const struct rte_eth_dev *dev)
{
	return dev->data->nb_rx_queues * AVFBE_NB_RX_XSTATS +
		dev->data->nb_tx_queues * AVFBE_NB_TX_XSTATS;
}

static int
avfbe_xstats_get_names(struct rte_eth_dev *dev,
		struct rte_eth_xstat_name *names, unsigned int size)
{
	unsigned int n = avfbe_xstats_count(dev), k = 0, i, j;

	if (names == NULL || size < n)
		return n;
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		for (j = 0; j < AVFBE_NB_RX_XSTATS; j++)
			snprintf(names[k++].name, sizeof(names[0].name),
				 "rx_q%u_%s", i, avfbe_rx_xstats[j].name);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		for (j = 0; j < AVFBE_NB_TX_XSTATS; j++)
			snprintf(names[k++].name, sizeof(names[0].name),
				 "tx_q%u_%s", i, avfbe_tx_xstats[j].name);
	return n;
}

static uint64_t
avfbe_xstat_value(const struct avfbe_xstat *x, const void *emu,
		const void *emu_base, const void *cnt, const void *cnt_base)
{
	const char *cur = (const char *)(x->emu ? emu : cnt) + x->off;
	const char *base = (const char *)(x->emu ? emu_base : cnt_base) + x->off;

	return avfbe_delta(*(const uint64_t *)(const void *)cur,
			   *(const uint64_t *)(const void *)base);
}

static int
avfbe_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
		unsigned int size)
{
	unsigned int n = avfbe_xstats_count(dev), k = 0, i, j;

	if (xs == NULL || size < n)
		return n;
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct avfbe_rx_queue *q = dev->data->rx_queues[i];

		for (j = 0; j < AVFBE_NB_RX_XSTATS; j++, k++) {
			xs[k].id = k;
			xs[k].value = q == NULL ? 0 :
				avfbe_xstat_value(&avfbe_rx_xstats[j],
					&q->gq->stats, &q->emu_base,
					&q->cnt, &q->cnt_base);
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct avfbe_tx_queue *q = dev->data->tx_queues[i];

		for (j = 0; j < AVFBE_NB_TX_XSTATS; j++, k++) {
			xs[k].id = k;
			xs[k].value = q == NULL ? 0 :
				avfbe_xstat_value(&avfbe_tx_xstats[j],
					&q->gq->stats, &q->emu_base,
					&q->cnt, &q->cnt_base);
		}
	}
	return n;
}

static const struct eth_dev_ops avfbe_ops = {
	.dev_configure = avfbe_dev_configure,
	.dev_infos_get = avfbe_dev_infos_get,
	.dev_start = avfbe_dev_start,
	.dev_stop = avfbe_dev_stop,
	.dev_close = avfbe_dev_close,
	.dev_set_link_up = avfbe_dev_set_link_up,
	.dev_set_link_down = avfbe_dev_set_link_down,
	.link_update = avfbe_link_update,
	.vlan_offload_set = avfbe_vlan_offload_set,
	.rx_queue_setup = avfbe_rx_queue_setup,
	.tx_queue_setup = avfbe_tx_queue_setup,
	.rx_queue_release = avfbe_rx_queue_release,
	.tx_queue_release = avfbe_tx_queue_release,
	.stats_get = avfbe_stats_get,
	.stats_reset = avfbe_stats_reset,
	.xstats_get = avfbe_xstats_get,
	.xstats_get_names = avfbe_xstats_get_names,
	.xstats_reset = avfbe_stats_reset,
};

/* ----------------------------------------------------------- probe */

/*
 * path= form: create the port's own emulated AVF, named after the port.
 * Its socket exists and is served from here on.
 */
static int
avfbe_create_emu(const char *name, struct avfbe_args *args,
		struct rte_device *owner)
{
	char emu_name[RTE_EMUDEV_NAME_MAX_LEN];
	int ret;

	if (snprintf(emu_name, sizeof(emu_name), "%s_avf", name) >=
	    (int)sizeof(emu_name)) {
		AVFBE_LOG(ERR, "%s: port name too long", name);
		return -EINVAL;
	}
	ret = rte_iavf_emu_create(emu_name, args->emu_args, owner);
	if (ret < 0) {
		AVFBE_LOG(ERR, "%s: cannot create its emulated AVF (%s): %s",
			  name, args->emu_args, strerror(-ret));
		return ret;
	}
	args->emu_id = ret;
	return 0;
}

/* Check that emu_id is an emulated AVF nobody serves yet. */
static int
avfbe_check_emu(const char *name, uint16_t emu_id, uint16_t *num_qp)
{
	struct rte_emudev_info info;
	int ret;

	if (!rte_emudev_is_valid_id(emu_id)) {
		AVFBE_LOG(ERR, "%s: avf_emu_id=%u: no such emulated device (create the emu_iavf vdev first)",
			  name, emu_id);
		return -ENODEV;
	}
	ret = rte_emudev_info_get(emu_id, &info);
	if (ret != 0) {
		AVFBE_LOG(ERR, "%s: avf_emu_id=%u: cannot get device info: %s",
			  name, emu_id, strerror(-ret));
		return ret;
	}
	if (info.type == NULL || strcmp(info.type, RTE_IAVF_EMU_TYPE) != 0) {
		AVFBE_LOG(ERR, "%s: avf_emu_id=%u (%s) is of type \"%s\", not \"%s\"",
			  name, emu_id, info.name,
			  info.type != NULL ? info.type : "none",
			  RTE_IAVF_EMU_TYPE);
		return -EINVAL;
	}
	if (avfbe_emu_claimed[emu_id]) {
		AVFBE_LOG(ERR, "%s: %s is already served by another port",
			  name, info.name);
		return -EBUSY;
	}
	ret = rte_iavf_emu_get_num_qp(emu_id);
	if (ret <= 0) {
		AVFBE_LOG(ERR, "%s: %s reports no queues", name, info.name);
		return ret < 0 ? ret : -EINVAL;
	}
	*num_qp = (uint16_t)ret;
	return 0;
}

static int
avfbe_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct avfbe_adapter *ad;
	struct rte_eth_dev *dev;
	struct avfbe_args args;
	uint32_t speed = 0;
	uint16_t num_qp;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		AVFBE_LOG(ERR, "%s: secondary processes are not supported", name);
		return -ENOTSUP;
	}
	ret = avfbe_parse_args(name, rte_vdev_device_args(vdev), &args);
	if (ret != 0)
		return ret;
	if (args.own_emu) {
		ret = avfbe_create_emu(name, &args, &vdev->device);
		if (ret != 0)
			return ret;
	}
	ret = avfbe_check_emu(name, (uint16_t)args.emu_id, &num_qp);
	if (ret != 0)
		goto err_emu;

	dev = rte_eth_vdev_allocate(vdev, sizeof(*ad));
	if (dev == NULL) {
		ret = -ENOMEM;
		goto err_emu;
	}
	ad = dev->data->dev_private;
	ad->eth_dev = dev;
	ad->owns_emu = args.own_emu;
	ad->instance_id = (uint16_t)args.id;
	ad->emu_id = (uint16_t)args.emu_id;
	ad->num_qp = num_qp;
	ad->device_rss = !args.port_rss;
	ad->admin_up = true;
	/* Report the speed the device was created with (emu_iavf devarg
	 * link_speed) to both sides.
	 */
	if (rte_emudev_get_attr(ad->emu_id, "link_speed", &speed,
				sizeof(speed)) != 0 || speed == 0)
		speed = RTE_ETH_SPEED_NUM_10G;
	ad->link_speed = speed;
	/* The port's own address: locally administered, from id= */
	ad->mac.addr_bytes[0] = 0x02;
	ad->mac.addr_bytes[1] = 0xaf;
	ad->mac.addr_bytes[2] = 0xbe;
	ad->mac.addr_bytes[3] = (uint8_t)ad->emu_id;
	ad->mac.addr_bytes[4] = (uint8_t)(ad->instance_id >> 8);
	ad->mac.addr_bytes[5] = (uint8_t)ad->instance_id;

	dev->data->mac_addrs = &ad->mac;
	/* Everything the guest sends reaches the port. */
	dev->data->promiscuous = 1;
	dev->data->all_multicast = 1;
	dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC |
		RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	dev->dev_ops = &avfbe_ops;
	dev->rx_pkt_burst = avfbe_rx_burst;
	dev->tx_pkt_burst = avfbe_tx_burst;

	ret = rte_emudev_subscribe_event(ad->emu_id, avfbe_emu_event, dev);
	if (ret != 0) {
		AVFBE_LOG(ERR, "%s: cannot subscribe to emudev %u events: %s",
			  name, ad->emu_id, strerror(-ret));
		dev->data->mac_addrs = NULL;
		rte_eth_dev_release_port(dev);
		goto err_emu;
	}
	ad->subscribed = true;
	avfbe_emu_claimed[ad->emu_id] = true;
	avfbe_guest_link(ad);   /* down until the port starts */
	avfbe_link_refresh(dev, false);
	rte_eth_dev_probing_finish(dev);
	AVFBE_LOG(INFO, "%s: port %u serves emulated AVF %u (%u queue pairs)",
		  name, dev->data->port_id, ad->emu_id, num_qp);
	return 0;

err_emu:
	if (args.own_emu)
		rte_iavf_emu_destroy((uint16_t)args.emu_id);
	return ret;
}

static int
avfbe_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev;

	dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (dev == NULL)
		return 0;  /* already released */
	avfbe_dev_close(dev);
	rte_eth_dev_release_port(dev);
	return 0;
}

static struct rte_vdev_driver avfbe_vdev_drv = {
	.probe = avfbe_probe,
	.remove = avfbe_remove,
};

RTE_PMD_REGISTER_VDEV(net_avfbe, avfbe_vdev_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_avfbe,
	"path=<unix socket path> "
	"queues=<1-16> "
	"mac=<xx:xx:xx:xx:xx:xx> "
	"link_speed=<Mbps> "
	"doorbell=<shared|trapped> "
	"id=<uint16> "
	"rss=<device|port> "
	"avf_emu_id=<emudev id or name>");
