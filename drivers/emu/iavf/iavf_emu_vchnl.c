/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * virtchnl 1.1, PF side: the messages a VF driver sends on the admin
 * queue, their replies, the LINK_CHANGE event, and the filter/RSS state
 * the guest programmed (read by the backend through iavf_emu_backend.h).
 *
 * Every request gets a reply except RESET_VF. A message first passes
 * virtchnl_vc_validate_vf_msg() (sizes and element counts), then the
 * checks of its handler (VSI, queue ids, ring parameters).
 */

#include <string.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "iavf_emu.h"

/* Capabilities this model implements. */
#define IAVF_EMU_CAPS (VIRTCHNL_VF_OFFLOAD_L2 | VIRTCHNL_VF_OFFLOAD_RSS_PF | \
		       VIRTCHNL_VF_CAP_ADV_LINK_SPEED | VIRTCHNL_VF_OFFLOAD_VLAN)

/* Hash types (packet classifier types) RSS may use. */
#define PCTYPE(x) (1ULL << IAVF_FILTER_PCTYPE_ ## x)
#define IAVF_EMU_HENA (PCTYPE(NONF_IPV4_UDP) | PCTYPE(NONF_IPV4_TCP) | \
	PCTYPE(NONF_IPV4_SCTP) | PCTYPE(NONF_IPV4_OTHER) | \
	PCTYPE(FRAG_IPV4) | PCTYPE(NONF_IPV6_UDP) | PCTYPE(NONF_IPV6_TCP) | \
	PCTYPE(NONF_IPV6_SCTP) | PCTYPE(NONF_IPV6_OTHER) | \
	PCTYPE(FRAG_IPV6) | PCTYPE(L2_PAYLOAD))

static void
vc_reply(struct iavf_emu_dev *dev, uint32_t v_opcode, int32_t status,
		const void *msg, uint16_t len)
{
	iavf_emu_arq_post(dev, v_opcode, status, msg, len);
}

static int32_t
vc_bad(struct iavf_emu_dev *dev, uint32_t v_opcode, const char *what)
{
	iavf_emu_count_err(dev, IAVF_EMU_ERR_VC, "%s: %s",
			   virtchnl_op_str(v_opcode), what);
	return VIRTCHNL_STATUS_ERR_PARAM;
}

/* The RSS configuration changed (cfg_lock held for writing). */
void
iavf_emu_rss_changed(struct iavf_emu_dev *dev)
{
	if (++dev->rss_gen == 0)
		dev->rss_gen = 1;
	dev->rss.gen = dev->rss_gen;
}

void
iavf_emu_vc_reset(struct iavf_emu_dev *dev)
{
	dev->caps = 0;
	dev->resources_sent = false;
	rte_rwlock_write_lock(&dev->cfg_lock);
	dev->nb_mac_filters = 0;
	memset(dev->vlan_filters, 0, sizeof(dev->vlan_filters));
	dev->nb_vlan_filters = 0;
	dev->vlan_offload = false;
	dev->vlan_strip = IAVF_EMU_VLAN_STRIP_DEFAULT;
	dev->promisc = false;
	dev->allmulti = false;
	memset(&dev->rss, 0, sizeof(dev->rss));
	dev->rss.hena = IAVF_EMU_HENA;
	iavf_emu_rss_changed(dev);
	rte_rwlock_write_unlock(&dev->cfg_lock);
	/* The negotiated version survives: after RESET_VF a Linux VF sends
	 * GET_VF_RESOURCES without a new VERSION.
	 */
}

/* ------------------------------------------------------------ link */

static uint32_t
link_speed_enum(uint32_t mbps)
{
	if (mbps >= 40000)
		return VIRTCHNL_LINK_SPEED_40GB;
	if (mbps >= 25000)
		return VIRTCHNL_LINK_SPEED_25GB;
	if (mbps >= 20000)
		return VIRTCHNL_LINK_SPEED_20GB;
	if (mbps >= 10000)
		return VIRTCHNL_LINK_SPEED_10GB;
	if (mbps >= 5000)
		return VIRTCHNL_LINK_SPEED_5GB;
	if (mbps >= 2500)
		return VIRTCHNL_LINK_SPEED_2_5GB;
	if (mbps >= 1000)
		return VIRTCHNL_LINK_SPEED_1GB;
	return VIRTCHNL_LINK_SPEED_100MB;
}

void
iavf_emu_vc_send_link(struct iavf_emu_dev *dev)
{
	struct virtchnl_pf_event ev;
	uint32_t mbps = rte_atomic_load_explicit(&dev->link_mbps, rte_memory_order_acquire);
	bool up = rte_atomic_load_explicit(&dev->link_up, rte_memory_order_acquire) != 0;

	if (!dev->resources_sent)
		return;	/* sent after GET_VF_RESOURCES */
	memset(&ev, 0, sizeof(ev));
	ev.event = VIRTCHNL_EVENT_LINK_CHANGE;
	ev.severity = PF_EVENT_SEVERITY_INFO;
	if (dev->caps & VIRTCHNL_VF_CAP_ADV_LINK_SPEED) {
		ev.event_data.link_event_adv.link_speed = mbps;
		ev.event_data.link_event_adv.link_status = up;
	} else {
		ev.event_data.link_event.link_speed = link_speed_enum(mbps);
		ev.event_data.link_event.link_status = up;
	}
	IAVF_EMU_LOG(DEBUG, "%s: link %s %u Mbps", dev->name,
		     up ? "up" : "down", mbps);
	vc_reply(dev, VIRTCHNL_OP_EVENT, VIRTCHNL_STATUS_SUCCESS, &ev,
		 sizeof(ev));
}

/* -------------------------------------------------------- handlers */

static int32_t
vc_version(struct iavf_emu_dev *dev, const uint8_t *msg)
{
	const struct virtchnl_version_info *vf = (const void *)msg;
	struct virtchnl_version_info pf = {
		.major = VIRTCHNL_VERSION_MAJOR,
		.minor = VIRTCHNL_VERSION_MINOR,
	};

	/* Speak the lower of both versions; the PF always answers 1.1. */
	dev->ver = pf;
	if (vf->major == VIRTCHNL_VERSION_MAJOR &&
	    vf->minor < VIRTCHNL_VERSION_MINOR)
		dev->ver.minor = vf->minor;
	vc_reply(dev, VIRTCHNL_OP_VERSION, VIRTCHNL_STATUS_SUCCESS, &pf,
		 sizeof(pf));
	return VIRTCHNL_STATUS_SUCCESS;
}

static void
vc_get_vf_resources(struct iavf_emu_dev *dev, const uint8_t *msg,
		uint16_t len)
{
	struct virtchnl_vf_resource res;
	uint32_t req;

	if (len == sizeof(uint32_t))
		memcpy(&req, msg, sizeof(req));
	else	/* virtchnl 1.0 VF: no capability negotiation */
		req = VIRTCHNL_VF_OFFLOAD_L2;

	dev->caps = req & IAVF_EMU_CAPS;
	/* WB_ON_ITR turns the Linux TX clean into a TX tail read per poll;
	 * only a polling (DPDK) VF, which asks for RX_POLLING, gets it.
	 */
	if ((req & VIRTCHNL_VF_OFFLOAD_WB_ON_ITR) &&
	    (req & VIRTCHNL_VF_OFFLOAD_RX_POLLING))
		dev->caps |= VIRTCHNL_VF_OFFLOAD_WB_ON_ITR;
	dev->caps |= VIRTCHNL_VF_OFFLOAD_L2;
	rte_rwlock_write_lock(&dev->cfg_lock);
	dev->vlan_offload = (dev->caps & VIRTCHNL_VF_OFFLOAD_VLAN) != 0;
	rte_rwlock_write_unlock(&dev->cfg_lock);

	memset(&res, 0, sizeof(res));
	res.num_vsis = 1;
	res.num_queue_pairs = dev->num_qp;
	res.max_vectors = dev->num_qp + 1;
	res.max_mtu = 0;	/* the driver's own frame limit applies */
	res.vf_cap_flags = dev->caps;
	res.rss_key_size = IAVF_EMU_RSS_KEY_SIZE;
	res.rss_lut_size = IAVF_EMU_RSS_LUT_SIZE;
	res.vsi_res[0].vsi_id = IAVF_EMU_VSI_ID;
	res.vsi_res[0].num_queue_pairs = dev->num_qp;
	res.vsi_res[0].vsi_type = VIRTCHNL_VSI_SRIOV;
	res.vsi_res[0].qset_handle = 0;
	memcpy(res.vsi_res[0].default_mac_addr, dev->mac.addr_bytes,
	       RTE_ETHER_ADDR_LEN);
	IAVF_EMU_LOG(INFO, "%s: VF asked caps 0x%08x, granted 0x%08x",
		     dev->name, req, dev->caps);
	vc_reply(dev, VIRTCHNL_OP_GET_VF_RESOURCES, VIRTCHNL_STATUS_SUCCESS,
		 &res, sizeof(res));
	dev->resources_sent = true;
	iavf_emu_vc_send_link(dev);
}

static bool
ring_len_ok(uint32_t len)
{
	return len % IAVF_EMU_RING_LEN_MULT == 0 &&
		len <= IAVF_EMU_RING_LEN_MAX;
}

static int32_t
vc_config_queues(struct iavf_emu_dev *dev, uint32_t op, const uint8_t *msg)
{
	const struct virtchnl_vsi_queue_config_info *info = (const void *)msg;
	const struct virtchnl_queue_pair_info *qp;
	struct iavf_emu_queue *rxq, *txq;
	uint16_t i, qid;

	if (info->vsi_id != IAVF_EMU_VSI_ID)
		return vc_bad(dev, op, "unknown VSI");
	if (info->num_queue_pairs > dev->num_qp)
		return vc_bad(dev, op, "more queue pairs than granted");

	for (i = 0; i < info->num_queue_pairs; i++) {
		qp = &info->qpair[i];
		qid = qp->txq.queue_id;
		if (qp->txq.vsi_id != IAVF_EMU_VSI_ID ||
		    qp->rxq.vsi_id != IAVF_EMU_VSI_ID)
			return vc_bad(dev, op, "unknown VSI in queue pair");
		if (qid >= dev->num_qp || qp->rxq.queue_id != qid)
			return vc_bad(dev, op, "queue id past granted count");
		if (dev->txq[qid].guest_enabled || dev->rxq[qid].guest_enabled)
			return vc_bad(dev, op, "queue is enabled");
		if (qp->txq.ring_len != 0 &&
		    (!ring_len_ok(qp->txq.ring_len) ||
		     qp->txq.dma_ring_addr % IAVF_EMU_RING_ALIGN != 0)) {
			iavf_emu_count_err(dev, IAVF_EMU_ERR_RING,
				"TX queue %u: ring 0x%" PRIx64 " len %u", qid,
				qp->txq.dma_ring_addr, qp->txq.ring_len);
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
		if (qp->rxq.ring_len != 0 &&
		    (!ring_len_ok(qp->rxq.ring_len) ||
		     qp->rxq.dma_ring_addr % IAVF_EMU_RING_ALIGN != 0 ||
		     qp->rxq.databuffer_size == 0 ||
		     qp->rxq.databuffer_size > 16 * 1024 - 128 ||
		     qp->rxq.max_pkt_size < 64 ||
		     qp->rxq.max_pkt_size >= 16 * 1024)) {
			iavf_emu_count_err(dev, IAVF_EMU_ERR_RING,
				"RX queue %u: ring 0x%" PRIx64 " len %u buf %u max %u",
				qid, qp->rxq.dma_ring_addr, qp->rxq.ring_len,
				qp->rxq.databuffer_size, qp->rxq.max_pkt_size);
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
	}

	for (i = 0; i < info->num_queue_pairs; i++) {
		qp = &info->qpair[i];
		qid = qp->txq.queue_id;
		txq = &dev->txq[qid];
		rxq = &dev->rxq[qid];

		iavf_emu_queue_lock(dev, txq);
		txq->configured = qp->txq.ring_len != 0;
		txq->pub.ring_iova = qp->txq.dma_ring_addr;
		txq->pub.ring_len = qp->txq.ring_len;
		iavf_emu_queue_resync(dev, txq, "stale at queue configuration");
		iavf_emu_queue_unlock(dev, txq);

		iavf_emu_queue_lock(dev, rxq);
		rxq->configured = qp->rxq.ring_len != 0;
		rxq->pub.ring_iova = qp->rxq.dma_ring_addr;
		rxq->pub.ring_len = qp->rxq.ring_len;
		rxq->pub.buf_size = qp->rxq.databuffer_size;
		rxq->pub.max_pkt_size = qp->rxq.max_pkt_size;
		/* Without RX_FLEX_DESC every rxdid means 32-byte legacy. */
		rxq->rxdid = VIRTCHNL_RXDID_1_32B_BASE;
		rxq->crc_disable = qp->rxq.crc_disable != 0;
		iavf_emu_queue_resync(dev, rxq, "stale at queue configuration");
		iavf_emu_queue_unlock(dev, rxq);
	}
	return VIRTCHNL_STATUS_SUCCESS;
}

static int32_t
vc_config_irq_map(struct iavf_emu_dev *dev, uint32_t op, const uint8_t *msg)
{
	const struct virtchnl_irq_map_info *map = (const void *)msg;
	const struct virtchnl_vector_map *vm;
	const uint32_t qmask = (1u << dev->num_qp) - 1;
	struct iavf_emu_queue *q;
	uint16_t i, qid;
	int tx;

	for (i = 0; i < map->num_vectors; i++) {
		vm = &map->vecmap[i];
		if (vm->vsi_id != IAVF_EMU_VSI_ID)
			return vc_bad(dev, op, "unknown VSI");
		if (vm->vector_id > dev->num_qp)
			return vc_bad(dev, op, "vector past granted count");
		if ((vm->rxq_map & ~qmask) || (vm->txq_map & ~qmask))
			return vc_bad(dev, op, "queue past granted count");
		if (vm->rxitr_idx > 3 || vm->txitr_idx > 3)
			return vc_bad(dev, op, "bad ITR index");
	}

	/* Each entry defines the complete queue list of its vector. */
	for (i = 0; i < map->num_vectors; i++) {
		vm = &map->vecmap[i];
		for (tx = 0; tx < 2; tx++) {
			uint16_t qbits = tx ? vm->txq_map : vm->rxq_map;

			for (qid = 0; qid < dev->num_qp; qid++) {
				q = tx ? &dev->txq[qid] : &dev->rxq[qid];
				if (qbits & (1u << qid)) {
					iavf_emu_queue_lock(dev, q);
					iavf_emu_queue_set_vector(dev, q,
							vm->vector_id);
					q->itr_idx = tx ? vm->txitr_idx :
						vm->rxitr_idx;
					iavf_emu_queue_unlock(dev, q);
				} else if (q->pub.vector == vm->vector_id) {
					iavf_emu_queue_lock(dev, q);
					iavf_emu_queue_set_vector(dev, q,
						RTE_IAVF_EMU_NO_VECTOR);
					iavf_emu_queue_unlock(dev, q);
				}
			}
		}
	}
	return VIRTCHNL_STATUS_SUCCESS;
}

static int32_t
vc_queue_select_check(struct iavf_emu_dev *dev, uint32_t op,
		const struct virtchnl_queue_select *qs)
{
	const uint32_t qmask = (1u << dev->num_qp) - 1;

	if (qs->vsi_id != IAVF_EMU_VSI_ID)
		return vc_bad(dev, op, "unknown VSI");
	if ((qs->rx_queues & ~qmask) || (qs->tx_queues & ~qmask))
		return vc_bad(dev, op, "queue past granted count");
	if (qs->rx_queues == 0 && qs->tx_queues == 0)
		return vc_bad(dev, op, "no queue selected");
	return VIRTCHNL_STATUS_SUCCESS;
}

static int32_t
vc_enable_queues(struct iavf_emu_dev *dev, uint32_t op, const uint8_t *msg)
{
	const struct virtchnl_queue_select *qs = (const void *)msg;
	struct iavf_emu_queue *q;
	uint32_t bits, done_rx = 0, done_tx = 0;
	int32_t status;
	uint16_t qid;
	int tx;

	status = vc_queue_select_check(dev, op, qs);
	if (status != VIRTCHNL_STATUS_SUCCESS)
		return status;
	for (tx = 0; tx < 2; tx++) {
		bits = tx ? qs->tx_queues : qs->rx_queues;
		for (qid = 0; qid < dev->num_qp; qid++) {
			q = tx ? &dev->txq[qid] : &dev->rxq[qid];
			if ((bits & (1u << qid)) && !q->configured)
				return vc_bad(dev, op,
					      "queue was not configured");
		}
	}

	for (tx = 0; tx < 2; tx++) {
		bits = tx ? qs->tx_queues : qs->rx_queues;
		for (qid = 0; qid < dev->num_qp; qid++) {
			if (!(bits & (1u << qid)))
				continue;
			q = tx ? &dev->txq[qid] : &dev->rxq[qid];
			if (q->guest_enabled)
				continue;
			iavf_emu_queue_lock(dev, q);
			q->guest_enabled = true;
			iavf_emu_queue_resync(dev, q, "stale at queue enable");
			if (iavf_emu_queue_update(dev, q) < 0) {
				q->guest_enabled = false;
				iavf_emu_queue_update(dev, q);
				iavf_emu_queue_unlock(dev, q);
				iavf_emu_count_err(dev, IAVF_EMU_ERR_RING,
					"%s queue %u: ring 0x%" PRIx64 " x %u not in one guest mapping",
					tx ? "TX" : "RX", qid,
					q->pub.ring_iova, q->pub.ring_len);
				status = VIRTCHNL_STATUS_ERR_PARAM;
				goto rollback;
			}
			iavf_emu_queue_unlock(dev, q);
			if (tx)
				done_tx |= 1u << qid;
			else
				done_rx |= 1u << qid;
		}
	}
	for (qid = 0; qid < dev->num_qp; qid++) {
		if (done_rx & (1u << qid))
			iavf_emu_event(dev, RTE_EMUDEV_EVENT_QUEUE_STATE,
				       iavf_emu_queue_event_id(&dev->rxq[qid]),
				       dev->rxq[qid].pub.enabled);
		if (done_tx & (1u << qid))
			iavf_emu_event(dev, RTE_EMUDEV_EVENT_QUEUE_STATE,
				       iavf_emu_queue_event_id(&dev->txq[qid]),
				       dev->txq[qid].pub.enabled);
	}
	return VIRTCHNL_STATUS_SUCCESS;

rollback:
	for (tx = 0; tx < 2; tx++) {
		bits = tx ? done_tx : done_rx;
		for (qid = 0; qid < dev->num_qp; qid++) {
			if (!(bits & (1u << qid)))
				continue;
			q = tx ? &dev->txq[qid] : &dev->rxq[qid];
			iavf_emu_queue_lock(dev, q);
			q->guest_enabled = false;
			iavf_emu_queue_update(dev, q);
			iavf_emu_queue_unlock(dev, q);
		}
	}
	return status;
}

static int32_t
vc_disable_queues(struct iavf_emu_dev *dev, uint32_t op, const uint8_t *msg)
{
	const struct virtchnl_queue_select *qs = (const void *)msg;
	struct iavf_emu_queue *q;
	int32_t status;
	uint32_t bits;
	uint16_t qid;
	bool was;
	int tx;

	status = vc_queue_select_check(dev, op, qs);
	if (status != VIRTCHNL_STATUS_SUCCESS)
		return status;
	/* After the reply the driver frees the rings: stop DMA first. */
	for (tx = 0; tx < 2; tx++) {
		bits = tx ? qs->tx_queues : qs->rx_queues;
		for (qid = 0; qid < dev->num_qp; qid++) {
			if (!(bits & (1u << qid)))
				continue;
			q = tx ? &dev->txq[qid] : &dev->rxq[qid];
			iavf_emu_queue_lock(dev, q);
			was = q->pub.enabled;
			q->guest_enabled = false;
			iavf_emu_queue_update(dev, q);
			iavf_emu_queue_unlock(dev, q);
			if (was)
				iavf_emu_event(dev,
					RTE_EMUDEV_EVENT_QUEUE_STATE,
					iavf_emu_queue_event_id(q), false);
		}
	}
	return VIRTCHNL_STATUS_SUCCESS;
}

static int32_t
vc_eth_addr(struct iavf_emu_dev *dev, uint32_t op, const uint8_t *msg)
{
	const struct virtchnl_ether_addr_list *list = (const void *)msg;
	const struct rte_ether_addr *a;
	int32_t status = VIRTCHNL_STATUS_SUCCESS;
	uint16_t i, j;

	if (list->vsi_id != IAVF_EMU_VSI_ID)
		return vc_bad(dev, op, "unknown VSI");
	for (i = 0; i < list->num_elements; i++) {
		a = (const void *)list->list[i].addr;
		if (rte_is_zero_ether_addr(a))
			return vc_bad(dev, op, "zero MAC address");
	}

	rte_rwlock_write_lock(&dev->cfg_lock);
	for (i = 0; i < list->num_elements; i++) {
		a = (const void *)list->list[i].addr;
		if (rte_is_broadcast_ether_addr(a))
			continue;	/* always accepted */
		for (j = 0; j < dev->nb_mac_filters; j++)
			if (rte_is_same_ether_addr(a, &dev->mac_filters[j]))
				break;
		if (op == VIRTCHNL_OP_ADD_ETH_ADDR) {
			if (j < dev->nb_mac_filters)
				continue;
			if (dev->nb_mac_filters == IAVF_EMU_MAX_MAC_FILTERS) {
				status = VIRTCHNL_STATUS_ERR_NO_MEMORY;
				break;
			}
			dev->mac_filters[dev->nb_mac_filters++] = *a;
		} else if (j < dev->nb_mac_filters) {
			dev->mac_filters[j] =
				dev->mac_filters[--dev->nb_mac_filters];
		}
	}
	rte_rwlock_write_unlock(&dev->cfg_lock);
	if (status != VIRTCHNL_STATUS_SUCCESS)
		iavf_emu_count_err(dev, IAVF_EMU_ERR_VC,
			"more than %u MAC filters", IAVF_EMU_MAX_MAC_FILTERS);
	return status;
}

static int32_t
vc_vlan(struct iavf_emu_dev *dev, uint32_t op, const uint8_t *msg)
{
	const struct virtchnl_vlan_filter_list *list = (const void *)msg;
	uint64_t bit, *word;
	uint16_t i, id;

	if (list->vsi_id != IAVF_EMU_VSI_ID)
		return vc_bad(dev, op, "unknown VSI");
	for (i = 0; i < list->num_elements; i++)
		if (list->vlan_id[i] >= 4096)
			return vc_bad(dev, op, "VLAN id > 4095");
	rte_rwlock_write_lock(&dev->cfg_lock);
	for (i = 0; i < list->num_elements; i++) {
		id = list->vlan_id[i];
		/* id 0 (untagged and priority-tagged) always passes */
		if (id == 0)
			continue;
		word = &dev->vlan_filters[id / 64];
		bit = RTE_BIT64(id % 64);
		if (op == VIRTCHNL_OP_ADD_VLAN && !(*word & bit)) {
			*word |= bit;
			dev->nb_vlan_filters++;
		} else if (op == VIRTCHNL_OP_DEL_VLAN && (*word & bit)) {
			*word &= ~bit;
			dev->nb_vlan_filters--;
		}
	}
	rte_rwlock_write_unlock(&dev->cfg_lock);
	return VIRTCHNL_STATUS_SUCCESS;
}

/* ENABLE/DISABLE_VLAN_STRIPPING: no payload, VLAN offload granted. */
static int32_t
vc_vlan_strip(struct iavf_emu_dev *dev, uint32_t op)
{
	if (!(dev->caps & VIRTCHNL_VF_OFFLOAD_VLAN))
		return VIRTCHNL_STATUS_ERR_NOT_SUPPORTED;
	rte_rwlock_write_lock(&dev->cfg_lock);
	dev->vlan_strip = op == VIRTCHNL_OP_ENABLE_VLAN_STRIPPING;
	rte_rwlock_write_unlock(&dev->cfg_lock);
	IAVF_EMU_LOG(DEBUG, "%s: VLAN stripping %s", dev->name,
		     dev->vlan_strip ? "on" : "off");
	return VIRTCHNL_STATUS_SUCCESS;
}

static int32_t
vc_promisc(struct iavf_emu_dev *dev, uint32_t op, const uint8_t *msg)
{
	const struct virtchnl_promisc_info *p = (const void *)msg;

	if (p->vsi_id != IAVF_EMU_VSI_ID)
		return vc_bad(dev, op, "unknown VSI");
	rte_rwlock_write_lock(&dev->cfg_lock);
	dev->promisc = (p->flags & FLAG_VF_UNICAST_PROMISC) != 0;
	dev->allmulti = (p->flags & FLAG_VF_MULTICAST_PROMISC) != 0;
	rte_rwlock_write_unlock(&dev->cfg_lock);
	return VIRTCHNL_STATUS_SUCCESS;
}

/* A counter the data path updates (plain stores of its own thread). */
static uint64_t
stat_get(const uint64_t *v)
{
	return rte_atomic_load_explicit((const uint64_t __rte_atomic *)v,
		rte_memory_order_relaxed);
}

static void
vc_get_stats(struct iavf_emu_dev *dev, uint32_t op, const uint8_t *msg)
{
	const struct virtchnl_queue_select *qs = (const void *)msg;
	struct virtchnl_eth_stats st;
	const struct rte_iavf_emu_queue_stats *r, *t;
	uint16_t qid;

	if (qs->vsi_id != IAVF_EMU_VSI_ID) {
		vc_reply(dev, op, vc_bad(dev, op, "unknown VSI"), NULL, 0);
		return;
	}
	/* Guest perspective: rx_* from its RX queues, tx_* from its TX. */
	memset(&st, 0, sizeof(st));
	for (qid = 0; qid < dev->num_qp; qid++) {
		r = &dev->rxq[qid].pub.stats;
		t = &dev->txq[qid].pub.stats;
		st.rx_bytes += stat_get(&r->bytes);
		st.rx_unicast += stat_get(&r->unicast);
		st.rx_multicast += stat_get(&r->multicast);
		st.rx_broadcast += stat_get(&r->broadcast);
		st.rx_discards += stat_get(&r->discards);
		st.tx_bytes += stat_get(&t->bytes);
		st.tx_unicast += stat_get(&t->unicast);
		st.tx_multicast += stat_get(&t->multicast);
		st.tx_broadcast += stat_get(&t->broadcast);
		st.tx_discards += stat_get(&t->discards);
		st.tx_errors += stat_get(&t->bad_desc);
	}
	vc_reply(dev, op, VIRTCHNL_STATUS_SUCCESS, &st, sizeof(st));
}

static int32_t
vc_rss_key(struct iavf_emu_dev *dev, uint32_t op, const uint8_t *msg)
{
	const struct virtchnl_rss_key *k = (const void *)msg;

	if (k->vsi_id != IAVF_EMU_VSI_ID)
		return vc_bad(dev, op, "unknown VSI");
	if (k->key_len > IAVF_EMU_RSS_KEY_SIZE)
		return vc_bad(dev, op, "key longer than rss_key_size");
	rte_rwlock_write_lock(&dev->cfg_lock);
	memset(dev->rss.key, 0, sizeof(dev->rss.key));
	memcpy(dev->rss.key, k->key, k->key_len);
	dev->rss.key_len = k->key_len;
	iavf_emu_rss_changed(dev);
	rte_rwlock_write_unlock(&dev->cfg_lock);
	return VIRTCHNL_STATUS_SUCCESS;
}

static int32_t
vc_rss_lut(struct iavf_emu_dev *dev, uint32_t op, const uint8_t *msg)
{
	const struct virtchnl_rss_lut *l = (const void *)msg;
	uint16_t i;

	if (l->vsi_id != IAVF_EMU_VSI_ID)
		return vc_bad(dev, op, "unknown VSI");
	if (l->lut_entries > IAVF_EMU_RSS_LUT_SIZE)
		return vc_bad(dev, op, "LUT longer than rss_lut_size");
	for (i = 0; i < l->lut_entries; i++)
		if (l->lut[i] >= dev->num_qp)
			return vc_bad(dev, op, "LUT entry past queue count");
	rte_rwlock_write_lock(&dev->cfg_lock);
	memset(dev->rss.lut, 0, sizeof(dev->rss.lut));
	memcpy(dev->rss.lut, l->lut, l->lut_entries);
	dev->rss.lut_len = l->lut_entries;
	dev->rss.enabled = l->lut_entries > 0;
	iavf_emu_rss_changed(dev);
	rte_rwlock_write_unlock(&dev->cfg_lock);
	return VIRTCHNL_STATUS_SUCCESS;
}

static int32_t
vc_set_hena(struct iavf_emu_dev *dev, uint32_t op, const uint8_t *msg)
{
	const struct virtchnl_rss_hena *h = (const void *)msg;

	if (h->hena & ~IAVF_EMU_HENA)
		return vc_bad(dev, op, "unsupported hash types");
	rte_rwlock_write_lock(&dev->cfg_lock);
	dev->rss.hena = h->hena;
	iavf_emu_rss_changed(dev);
	rte_rwlock_write_unlock(&dev->cfg_lock);
	return VIRTCHNL_STATUS_SUCCESS;
}

/* ----------------------------------------------------- validation */

static bool
vc_op_supported(uint32_t op)
{
	switch (op) {
	case VIRTCHNL_OP_VERSION:
	case VIRTCHNL_OP_RESET_VF:
	case VIRTCHNL_OP_GET_VF_RESOURCES:
	case VIRTCHNL_OP_CONFIG_VSI_QUEUES:
	case VIRTCHNL_OP_CONFIG_IRQ_MAP:
	case VIRTCHNL_OP_ENABLE_QUEUES:
	case VIRTCHNL_OP_DISABLE_QUEUES:
	case VIRTCHNL_OP_ADD_ETH_ADDR:
	case VIRTCHNL_OP_DEL_ETH_ADDR:
	case VIRTCHNL_OP_ADD_VLAN:
	case VIRTCHNL_OP_DEL_VLAN:
	case VIRTCHNL_OP_ENABLE_VLAN_STRIPPING:
	case VIRTCHNL_OP_DISABLE_VLAN_STRIPPING:
	case VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE:
	case VIRTCHNL_OP_GET_STATS:
	case VIRTCHNL_OP_CONFIG_RSS_KEY:
	case VIRTCHNL_OP_CONFIG_RSS_LUT:
	case VIRTCHNL_OP_GET_RSS_HENA_CAPS:
	case VIRTCHNL_OP_SET_RSS_HENA:
		return true;
	default:
		return false;
	}
}

/*
 * Size of the trailing element of messages declared with a one-element
 * array: virtchnl_vc_validate_vf_msg() of this DPDK counts that element on
 * top of the declared count, while VFs built with flexible arrays send
 * exactly "count" elements. Both encodings are accepted.
 */
static uint16_t
vc_flex_elem_size(uint32_t op)
{
	switch (op) {
	case VIRTCHNL_OP_CONFIG_VSI_QUEUES:
		return sizeof(struct virtchnl_queue_pair_info);
	case VIRTCHNL_OP_CONFIG_IRQ_MAP:
		return sizeof(struct virtchnl_vector_map);
	case VIRTCHNL_OP_ADD_ETH_ADDR:
	case VIRTCHNL_OP_DEL_ETH_ADDR:
		return sizeof(struct virtchnl_ether_addr);
	case VIRTCHNL_OP_ADD_VLAN:
	case VIRTCHNL_OP_DEL_VLAN:
		return sizeof(uint16_t);
	case VIRTCHNL_OP_CONFIG_RSS_KEY:
	case VIRTCHNL_OP_CONFIG_RSS_LUT:
		return sizeof(uint8_t);
	default:
		return 0;
	}
}

static bool
vc_validate(struct iavf_emu_dev *dev, uint32_t op, uint8_t *msg, uint16_t len)
{
	uint16_t extra;

	if (virtchnl_vc_validate_vf_msg(&dev->ver, op, msg, len) == 0)
		return true;
	extra = vc_flex_elem_size(op);
	if (extra != 0 && (uint32_t)len + extra <= IAVF_EMU_AQ_BUF_MAX &&
	    virtchnl_vc_validate_vf_msg(&dev->ver, op, msg, len + extra) == 0) {
		/* The helper reads only headers; the data ends at len. */
		memset(msg + len, 0, extra);
		return true;
	}
	return false;
}

void
iavf_emu_vc_handle(struct iavf_emu_dev *dev, uint32_t op, uint8_t *msg,
		uint16_t len, bool msg_ok)
{
	int32_t status;
	uint64_t hena;

	if (op == VIRTCHNL_OP_RESET_VF) {
		/* No reply; the reset acts after this ATQ write. */
		iavf_emu_vf_reset_request(dev);
		return;
	}
	if (!msg_ok) {
		vc_reply(dev, op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0);
		return;
	}
	if (!vc_op_supported(op)) {
		IAVF_EMU_LOG(DEBUG, "%s: %s (%u) not supported", dev->name,
			     virtchnl_op_str(op), op);
		vc_reply(dev, op, VIRTCHNL_STATUS_ERR_NOT_SUPPORTED, NULL, 0);
		return;
	}
	if (!vc_validate(dev, op, msg, len)) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_VC,
			"%s: malformed (%u bytes)", virtchnl_op_str(op), len);
		vc_reply(dev, op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0);
		return;
	}
	/* As the Intel PFs do, a VF configures nothing before it is active:
	 * GET_VF_RESOURCES activates it, a VF reset deactivates it.
	 */
	if (!dev->resources_sent && op != VIRTCHNL_OP_VERSION &&
	    op != VIRTCHNL_OP_GET_VF_RESOURCES) {
		vc_reply(dev, op, vc_bad(dev, op, "VF not active yet"),
			 NULL, 0);
		return;
	}
	IAVF_EMU_LOG(DEBUG, "%s: %s (%u bytes)", dev->name,
		     virtchnl_op_str(op), len);

	switch (op) {
	case VIRTCHNL_OP_VERSION:
		vc_version(dev, msg);
		return;
	case VIRTCHNL_OP_GET_VF_RESOURCES:
		vc_get_vf_resources(dev, msg, len);
		return;
	case VIRTCHNL_OP_GET_STATS:
		vc_get_stats(dev, op, msg);
		return;
	case VIRTCHNL_OP_GET_RSS_HENA_CAPS:
		hena = IAVF_EMU_HENA;
		vc_reply(dev, op, VIRTCHNL_STATUS_SUCCESS, &hena,
			 sizeof(hena));
		return;
	case VIRTCHNL_OP_CONFIG_VSI_QUEUES:
		status = vc_config_queues(dev, op, msg);
		break;
	case VIRTCHNL_OP_CONFIG_IRQ_MAP:
		status = vc_config_irq_map(dev, op, msg);
		break;
	case VIRTCHNL_OP_ENABLE_QUEUES:
		status = vc_enable_queues(dev, op, msg);
		vc_reply(dev, op, status, NULL, 0);
		/* The VF reports carrier only after queues are enabled. */
		if (status == VIRTCHNL_STATUS_SUCCESS)
			iavf_emu_vc_send_link(dev);
		return;
	case VIRTCHNL_OP_DISABLE_QUEUES:
		status = vc_disable_queues(dev, op, msg);
		break;
	case VIRTCHNL_OP_ADD_ETH_ADDR:
	case VIRTCHNL_OP_DEL_ETH_ADDR:
		status = vc_eth_addr(dev, op, msg);
		break;
	case VIRTCHNL_OP_ADD_VLAN:
	case VIRTCHNL_OP_DEL_VLAN:
		status = vc_vlan(dev, op, msg);
		break;
	case VIRTCHNL_OP_ENABLE_VLAN_STRIPPING:
	case VIRTCHNL_OP_DISABLE_VLAN_STRIPPING:
		status = vc_vlan_strip(dev, op);
		break;
	case VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE:
		status = vc_promisc(dev, op, msg);
		break;
	case VIRTCHNL_OP_CONFIG_RSS_KEY:
		status = vc_rss_key(dev, op, msg);
		break;
	case VIRTCHNL_OP_CONFIG_RSS_LUT:
		status = vc_rss_lut(dev, op, msg);
		break;
	case VIRTCHNL_OP_SET_RSS_HENA:
		status = vc_set_hena(dev, op, msg);
		break;
	default:
		status = VIRTCHNL_STATUS_ERR_NOT_SUPPORTED;
		break;
	}
	vc_reply(dev, op, status, NULL, 0);
}

/* ------------------------------------------- backend API (any thread) */

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_set_link)
int
rte_iavf_emu_set_link(uint16_t emu_id, bool up, uint32_t speed_mbps)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_by_emu_id(emu_id);

	if (dev == NULL)
		return -ENODEV;
	rte_atomic_store_explicit(&dev->link_mbps, speed_mbps, rte_memory_order_release);
	rte_atomic_store_explicit(&dev->link_up, up ? 1 : 0, rte_memory_order_release);
	/* Sent by the control thread at the end of its current or next
	 * callback (the guest driver polls registers at least every 2 s).
	 */
	rte_atomic_store_explicit(&dev->link_dirty, 1, rte_memory_order_release);
	return 0;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_get_mac)
int
rte_iavf_emu_get_mac(uint16_t emu_id, struct rte_ether_addr *mac)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_by_emu_id(emu_id);

	if (dev == NULL)
		return -ENODEV;
	if (mac == NULL)
		return -EINVAL;
	*mac = dev->mac;
	return 0;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_get_rx_mode)
int
rte_iavf_emu_get_rx_mode(uint16_t emu_id, bool *promisc, bool *allmulti)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_by_emu_id(emu_id);

	if (dev == NULL)
		return -ENODEV;
	rte_rwlock_read_lock(&dev->cfg_lock);
	if (promisc != NULL)
		*promisc = dev->promisc;
	if (allmulti != NULL)
		*allmulti = dev->allmulti;
	rte_rwlock_read_unlock(&dev->cfg_lock);
	return 0;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_mac_accepted)
bool
rte_iavf_emu_mac_accepted(uint16_t emu_id, const struct rte_ether_addr *dst)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_by_emu_id(emu_id);
	bool ok;
	uint16_t i;

	if (dev == NULL || dst == NULL)
		return false;
	if (rte_is_broadcast_ether_addr(dst) ||
	    rte_is_same_ether_addr(dst, &dev->mac))
		return true;
	rte_rwlock_read_lock(&dev->cfg_lock);
	ok = dev->promisc ||
		(rte_is_multicast_ether_addr(dst) && dev->allmulti);
	for (i = 0; !ok && i < dev->nb_mac_filters; i++)
		ok = rte_is_same_ether_addr(dst, &dev->mac_filters[i]);
	rte_rwlock_read_unlock(&dev->cfg_lock);
	return ok;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_get_rss)
int
rte_iavf_emu_get_rss(uint16_t emu_id, struct rte_iavf_emu_rss *rss)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_by_emu_id(emu_id);

	if (dev == NULL)
		return -ENODEV;
	if (rss == NULL)
		return -EINVAL;
	rte_rwlock_read_lock(&dev->cfg_lock);
	*rss = dev->rss;
	rte_rwlock_read_unlock(&dev->cfg_lock);
	return 0;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_get_vlan_mode)
int
rte_iavf_emu_get_vlan_mode(uint16_t emu_id, bool *filter, bool *strip)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_by_emu_id(emu_id);

	if (dev == NULL)
		return -ENODEV;
	rte_rwlock_read_lock(&dev->cfg_lock);
	if (filter != NULL)
		*filter = dev->vlan_offload;
	if (strip != NULL)
		*strip = dev->vlan_offload && dev->vlan_strip;
	rte_rwlock_read_unlock(&dev->cfg_lock);
	return 0;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_vlan_accepted)
bool
rte_iavf_emu_vlan_accepted(uint16_t emu_id, uint16_t vid)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_by_emu_id(emu_id);
	bool ok;

	if (dev == NULL || vid >= 4096)
		return false;
	if (vid == 0)
		return true;
	/*
	 * As the i40e and ice PFs prune: a VF without VLAN filters receives
	 * every tag; with filters, the VLANs it added; promiscuous, all.
	 */
	rte_rwlock_read_lock(&dev->cfg_lock);
	ok = dev->nb_vlan_filters == 0 || dev->promisc ||
		(dev->vlan_filters[vid / 64] & RTE_BIT64(vid % 64)) != 0;
	rte_rwlock_read_unlock(&dev->cfg_lock);
	return ok;
}
