/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * emu_iavf device model tests. The suite creates emu_iavf vdevs in this
 * process and drives them like the Linux iavf driver would, through the
 * vfio-user client API (see avf_guest_model.h). Every malformed input a
 * guest can produce must be answered with an error (or ignored) and leave
 * the device working.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/vfio.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_emudev.h>
#include <rte_ether.h>
#include <iavf_emu_backend.h>
#include <rte_log.h>
#include <rte_pause.h>
#include <rte_vfio_user.h>

#include "test.h"
#include "avf_guest_model.h"
#include "emu_compat.h"

#define EMU_TEST_QUEUES		4
#define EMU_TEST_RING_LEN	256
#define EMU_TEST_LINK_MBPS	25000
#define EMU_TEST_NO_REPLY_MS	200

/* TEST_ASSERT_EQUAL without its precedence and signedness traps. */
#define ASSERT_EQ(a, b, msg, ...) \
	TEST_ASSERT((uint64_t)(a) == (uint64_t)(b), msg, ##__VA_ARGS__)

/* Propagate the failure of a helper that already printed why. */
#define CHECK(expr) TEST_ASSERT_SUCCESS((expr), "%s", #expr)

/* Capabilities the device may grant (virtchnl base mode and friends). */
#define EMU_TEST_CAPS_ALLOWED (VIRTCHNL_VF_OFFLOAD_L2 | \
	VIRTCHNL_VF_OFFLOAD_RSS_PF | VIRTCHNL_VF_CAP_ADV_LINK_SPEED | \
	VIRTCHNL_VF_OFFLOAD_WB_ON_ITR | VIRTCHNL_VF_OFFLOAD_VLAN)

/* DPDK 22.11 net_iavf request (iavf_get_vf_resource()). */
#define EMU_TEST_DPDK_CAPS (VIRTCHNL_VF_OFFLOAD_L2 | \
	VIRTCHNL_VF_OFFLOAD_VLAN | VIRTCHNL_VF_OFFLOAD_RSS_PF | \
	VIRTCHNL_VF_OFFLOAD_WB_ON_ITR | VIRTCHNL_VF_OFFLOAD_RX_POLLING | \
	VIRTCHNL_VF_CAP_ADV_LINK_SPEED | VIRTCHNL_VF_OFFLOAD_RX_FLEX_DESC | \
	VIRTCHNL_VF_OFFLOAD_FDIR_PF | VIRTCHNL_VF_OFFLOAD_ADV_RSS_PF | \
	VIRTCHNL_VF_OFFLOAD_REQ_QUEUES | VIRTCHNL_VF_OFFLOAD_CRC | \
	VIRTCHNL_VF_OFFLOAD_VLAN_V2 | VIRTCHNL_VF_LARGE_NUM_QPAIRS)

struct emu_test_dev {
	char name[RTE_EMUDEV_NAME_MAX_LEN];
	char path[108];
	uint16_t id;
	uint16_t queues;
	bool shared;
	bool created;
};

static struct emu_test_dev tdev;
static struct avf_model model;
static bool model_ready;

/* The tail doorbell of an emulated queue, as the device reads it. */
static uint32_t
guest_tail(const struct rte_iavf_emu_queue *q)
{
	uint32_t __rte_atomic *tail = (uint32_t __rte_atomic *)(uintptr_t)q->tail;

	return rte_atomic_load_explicit(tail, rte_memory_order_acquire);
}

/* ------------------------------------------------------------------ */
/* helpers */

static void
sock_path(char *buf, size_t len, uint16_t id)
{
	snprintf(buf, len, "/tmp/emu_iavf_test_%d_%u.sock", (int)getpid(), id);
}

static int
dev_create(struct emu_test_dev *d, uint16_t id, uint16_t queues, bool shared,
		const char *extra)
{
	char args[512];
	int ret;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "emu_iavf_t%u", id);
	sock_path(d->path, sizeof(d->path), id);
	d->id = id;
	d->queues = queues;
	d->shared = shared;
	snprintf(args, sizeof(args), "path=%s,id=%u,queues=%u,doorbell=%s%s%s",
		 d->path, id, queues, shared ? "shared" : "trapped",
		 extra ? "," : "", extra ? extra : "");
	ret = rte_vdev_init(d->name, args);
	if (ret == 0)
		d->created = true;
	return ret;
}

static void
dev_destroy(struct emu_test_dev *d)
{
	if (d->created)
		rte_vdev_uninit(d->name);
	d->created = false;
	unlink(d->path);
}

static int
model_attach(struct avf_model *m, const struct emu_test_dev *d,
		uint64_t msg_mem_size)
{
	struct avf_model_conf conf = {
		.path = d->path,
		.msg_mem_size = msg_mem_size,
		.msg_mem_iova = 0x200000000ULL,
	};
	int ret;

	ret = avf_model_init(m, &conf);
	if (ret != 0)
		return ret;
	ret = avf_model_connect(m);
	if (ret != 0)
		avf_model_fini(m);
	return ret;
}

/* Fixture: one device with a connected model, nothing negotiated. */
static int
setup_dev(bool shared)
{
	int ret;

	ret = dev_create(&tdev, 0, EMU_TEST_QUEUES, shared,
			"link_speed=25000");
	if (ret != 0) {
		printf("cannot create %s: %d\n", tdev.name, ret);
		return TEST_FAILED;
	}
	ret = model_attach(&model, &tdev, 0);
	if (ret != 0) {
		printf("model cannot attach to %s: %d\n", tdev.path, ret);
		dev_destroy(&tdev);
		return TEST_FAILED;
	}
	model_ready = true;
	if (rte_iavf_emu_get_queue(tdev.id, 0, true) == NULL ||
			rte_iavf_emu_get_queue(tdev.id, 0, false) == NULL) {
		printf("rte_iavf_emu_get_queue(%u, 0) returned NULL\n",
		       tdev.id);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
setup_shared(void)
{
	return setup_dev(true);
}

static int
setup_trapped(void)
{
	return setup_dev(false);
}

/* Fixture plus the Linux probe (VERSION .. RSS). */
static int
setup_probed(bool shared)
{
	int ret;

	if (setup_dev(shared) != TEST_SUCCESS)
		return TEST_FAILED;
	ret = avf_model_linux_probe(&model, AVF_MODEL_LINUX_CAPS);
	if (ret != 0) {
		printf("Linux probe sequence failed: %d (virtchnl status %d, op %u)\n",
		       ret, model.last_status, model.reply.v_opcode);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
setup_probed_shared(void)
{
	return setup_probed(true);
}

static int
setup_probed_trapped(void)
{
	return setup_probed(false);
}

/* Probed and opened (queues enabled, link up). */
static int
setup_open(bool shared)
{
	int ret;

	if (setup_probed(shared) != TEST_SUCCESS)
		return TEST_FAILED;
	ret = avf_model_linux_open(&model, EMU_TEST_QUEUES, EMU_TEST_RING_LEN);
	if (ret != 0) {
		printf("Linux open sequence failed: %d (virtchnl status %d, op %u)\n",
		       ret, model.last_status, model.reply.v_opcode);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
setup_open_shared(void)
{
	return setup_open(true);
}

static int
setup_open_trapped(void)
{
	return setup_open(false);
}

static void
teardown_dev(void)
{
	if (model_ready)
		avf_model_fini(&model);
	model_ready = false;
	dev_destroy(&tdev);
}

/* A valid operation must still succeed: the device keeps working. */
static int
check_alive(struct avf_model *m, const char *after)
{
	struct virtchnl_eth_stats st;
	uint32_t unexpected = m->nb_unexpected;
	int ret;

	ret = avf_model_vc_version(m);
	TEST_ASSERT_SUCCESS(ret,
		"VERSION failed after %s: %d (status %d)", after, ret,
		m->last_status);
	ASSERT_EQ(m->api_major, VIRTCHNL_VERSION_MAJOR,
		"bad VERSION major after %s", after);
	if (m->vsi_id != 0) {
		ret = avf_model_vc_get_stats(m, &st);
		TEST_ASSERT_SUCCESS(ret,
			"GET_STATS failed after %s: %d (status %d)", after,
			ret, m->last_status);
	}
	ASSERT_EQ(m->nb_unexpected, unexpected,
		"stray ARQ messages after %s", after);
	ASSERT_EQ(avf_model_rd32(m, IAVF_VFGEN_RSTAT) &
		IAVF_VFGEN_RSTAT_VFR_STATE_MASK, VIRTCHNL_VFR_VFACTIVE,
		"RSTAT not VFACTIVE after %s", after);
	return TEST_SUCCESS;
}

/*
 * Send a malformed virtchnl message: the device must reply with a
 * non-zero status (the drivers wait for every reply), and keep working.
 */
static int
expect_vc_error(struct avf_model *m, uint32_t op, const void *msg,
		uint16_t len, const char *what)
{
	int ret;

	ret = avf_model_vc_call(m, op, msg, len, 1000);
	TEST_ASSERT(ret != -ETIMEDOUT,
		"%s (op %u, %u bytes): no reply from the device", what, op,
		len);
	TEST_ASSERT(ret == -EPROTO,
		"%s (op %u, %u bytes): accepted (ret %d, status %d)", what, op,
		len, ret, m->last_status);
	ASSERT_EQ(m->reply.len, 0,
		"%s: error reply carries %u payload bytes", what, m->reply.len);
	return check_alive(m, what);
}

/* No reply for op @p op may arrive within a short time. */
static int
expect_no_success_reply(struct avf_model *m, uint32_t op, const char *what)
{
	struct avf_model_msg *msg = &m->reply;
	uint64_t end = rte_get_timer_cycles() +
		rte_get_timer_hz() * EMU_TEST_NO_REPLY_MS / 1000;

	while (rte_get_timer_cycles() < end) {
		if (avf_model_vc_recv(m, msg, 20) != 0)
			continue;
		if (msg->v_opcode == VIRTCHNL_OP_EVENT)
			continue;
		TEST_ASSERT(!(msg->v_opcode == op && msg->v_retval == 0),
			"%s: the device processed it (op %u replied success)",
			what, op);
	}
	return TEST_SUCCESS;
}

static struct rte_iavf_emu_queue *
emu_q(uint16_t qid, bool tx)
{
	return rte_iavf_emu_get_queue(tdev.id, qid, tx);
}

/* ------------------------------------------------------------------ */
/* PCI function */

static int
test_pci_identity(void)
{
	const struct avf_model_pci *p = &model.pci;
	uint16_t cmd;

	ASSERT_EQ(p->vendor_id, AVF_MODEL_VENDOR_ID,
		"vendor %#x", p->vendor_id);
	ASSERT_EQ(p->device_id, AVF_MODEL_DEVICE_ID,
		"device %#x", p->device_id);
	ASSERT_EQ(p->class_code, 0x020000, "class %#x", p->class_code);
	ASSERT_EQ(p->header_type & 0x7F, 0, "header type %#x",
		p->header_type);
	ASSERT_EQ(p->irq_pin, 0, "VF must not have INTx (pin %u)",
		p->irq_pin);
	TEST_ASSERT(p->msix_cap != 0, "no MSI-X capability");
	ASSERT_EQ(p->msix_table_size, tdev.queues + 1,
		"MSI-X table size %u, want queues + 1 = %u",
		p->msix_table_size, tdev.queues + 1);
	ASSERT_EQ(p->msix_table_bir, 3, "MSI-X table BIR %u",
		p->msix_table_bir);
	ASSERT_EQ(p->msix_pba_bir, 3, "MSI-X PBA BIR %u",
		p->msix_pba_bir);
	ASSERT_EQ(p->msix_table_offset, 0, "MSI-X table offset %#x",
		p->msix_table_offset);
	ASSERT_EQ(p->msix_pba_offset, 0x2000, "MSI-X PBA offset %#x",
		p->msix_pba_offset);
	TEST_ASSERT(p->msix_pba_offset < p->bar3_size &&
		p->msix_table_offset + 16 * p->msix_table_size <=
		p->msix_pba_offset, "MSI-X table/PBA do not fit BAR3");
	ASSERT_EQ((p->bar0 & 0x7) >> 1, 2,
		"BAR0 is not a 64-bit memory BAR (%#x)", p->bar0);
	ASSERT_EQ(p->bar0_size, 0x10000, "BAR0 size %#" PRIx64,
		p->bar0_size);
	ASSERT_EQ(p->bar3_size, 0x4000, "BAR3 size %#" PRIx64,
		p->bar3_size);
	TEST_ASSERT((p->bar0_flags & (VFIO_REGION_INFO_FLAG_READ |
		VFIO_REGION_INFO_FLAG_WRITE)) == (VFIO_REGION_INFO_FLAG_READ |
		VFIO_REGION_INFO_FLAG_WRITE), "BAR0 flags %#x", p->bar0_flags);
	TEST_ASSERT(p->config_size == 256 || p->config_size == 4096,
		"config size %" PRIu64, p->config_size);
	TEST_ASSERT(p->dev_flags & VFIO_DEVICE_FLAGS_PCI, "not a PCI device");
	TEST_ASSERT(p->dev_flags & VFIO_DEVICE_FLAGS_RESET,
		"DEVICE_RESET not advertised");
	ASSERT_EQ(p->msix_count, tdev.queues + 1,
		"MSI-X IRQ count %u", p->msix_count);
	TEST_ASSERT(p->msix_flags & VFIO_IRQ_INFO_EVENTFD,
		"MSI-X IRQ without EVENTFD flag");
	if (tdev.shared) {
		TEST_ASSERT(p->bar0_mmap_areas >= 1,
			"doorbell=shared but BAR0 has no sparse mmap area");
		TEST_ASSERT_NOT_NULL(model.db,
			"doorbell=shared but the page could not be mapped");
	} else {
		ASSERT_EQ(p->bar0_mmap_areas, 0,
			"doorbell=trapped but BAR0 offers %u mmap areas",
			p->bar0_mmap_areas);
		TEST_ASSERT_NULL(model.db, "trapped doorbell mapped");
	}
	/* memory + bus master were enabled by the model */
	TEST_ASSERT_SUCCESS(avf_model_cfg_read(&model, 4, &cmd, 2),
		"config read");
	TEST_ASSERT((cmd & 0x6) == 0x6, "command %#x lost MEM/BME", cmd);
	/* power-on state: VFACTIVE, admin queue off */
	ASSERT_EQ(avf_model_rd32(&model, IAVF_VFGEN_RSTAT) &
		IAVF_VFGEN_RSTAT_VFR_STATE_MASK, VIRTCHNL_VFR_VFACTIVE,
		"RSTAT at power-on");
	ASSERT_EQ(avf_model_rd32(&model, IAVF_VF_ARQLEN1) &
		IAVF_VF_ARQLEN1_ARQENABLE_MASK, 0, "ARQ enabled at power-on");
	ASSERT_EQ(avf_model_rd32(&model, IAVF_VF_ATQLEN1) &
		IAVF_VF_ATQLEN1_ATQENABLE_MASK, 0, "ATQ enabled at power-on");
	ASSERT_EQ(model.io_errors, 0, "region access errors");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* The Linux init sequence, every reply checked */

static int
check_reply_desc(const struct avf_model *m, uint32_t op)
{
	ASSERT_EQ(m->reply.aq_opcode, iavf_aqc_opc_send_msg_to_vf,
		"op %u reply has AQ opcode %#x", op, m->reply.aq_opcode);
	TEST_ASSERT(m->reply.aq_flags & IAVF_AQ_FLAG_DD,
		"op %u reply without DD", op);
	TEST_ASSERT(!(m->reply.aq_flags & IAVF_AQ_FLAG_ERR),
		"op %u reply with ERR (drivers drop it)", op);
	ASSERT_EQ(m->reply.v_opcode, op, "reply opcode");
	return TEST_SUCCESS;
}

static int
test_linux_init(void)
{
	struct avf_model *m = &model;
	const struct virtchnl_vf_resource *res;
	const struct virtchnl_vsi_resource *vsi;
	struct rte_iavf_emu_queue *q;
	struct rte_iavf_emu_rss rss;
	struct rte_ether_addr mac;
	struct virtchnl_eth_stats st;
	uint32_t mask = RTE_BIT32(tdev.queues) - 1;
	uint16_t i;
	int ret;

	TEST_ASSERT(avf_model_wait_reset_done(m, false, 1000) > 0,
		"RSTAT never COMPLETED/VFACTIVE");
	TEST_ASSERT_SUCCESS(avf_model_aq_init(m), "AQ init (BAL read-back)");
	ASSERT_EQ(avf_model_rd32(m, IAVF_VF_ATQBAH1),
		(uint32_t)(m->atq.desc_iova >> 32), "ATQBAH read-back");
	ASSERT_EQ(avf_model_rd32(m, IAVF_VF_ARQT1),
		AVF_MODEL_AQ_LEN - 1, "ARQT read-back");

	/* VERSION */
	ret = avf_model_vc_version(m);
	TEST_ASSERT_SUCCESS(ret, "VERSION: %d status %d", ret, m->last_status);
	TEST_ASSERT_SUCCESS(check_reply_desc(m, VIRTCHNL_OP_VERSION), "desc");
	ASSERT_EQ(m->reply.len, sizeof(struct virtchnl_version_info),
		"VERSION reply length %u", m->reply.len);
	TEST_ASSERT(m->api_major == 1 && m->api_minor == 1,
		"VERSION %u.%u, want 1.1", m->api_major, m->api_minor);

	/* GET_VF_RESOURCES with the Linux capability request */
	ret = avf_model_vc_get_resources(m, AVF_MODEL_LINUX_CAPS);
	TEST_ASSERT_SUCCESS(ret, "GET_VF_RESOURCES: %d status %d", ret,
		m->last_status);
	TEST_ASSERT_SUCCESS(check_reply_desc(m, VIRTCHNL_OP_GET_VF_RESOURCES),
		"desc");
	res = m->vf_res;
	ASSERT_EQ(res->num_vsis, 1, "num_vsis %u", res->num_vsis);
	TEST_ASSERT(m->reply.len >= sizeof(*res),
		"GET_VF_RESOURCES reply %u bytes, want >= %zu", m->reply.len,
		sizeof(*res));
	ASSERT_EQ(res->num_queue_pairs, tdev.queues,
		"num_queue_pairs %u", res->num_queue_pairs);
	ASSERT_EQ(res->max_vectors, tdev.queues + 1,
		"max_vectors %u", res->max_vectors);
	ASSERT_EQ(res->vf_cap_flags & ~AVF_MODEL_LINUX_CAPS, 0,
		"granted caps %#x not requested", res->vf_cap_flags);
	ASSERT_EQ(res->vf_cap_flags & ~EMU_TEST_CAPS_ALLOWED, 0,
		"granted caps %#x beyond L2|RSS_PF|ADV_LINK_SPEED|WB_ON_ITR|VLAN",
		res->vf_cap_flags);
	TEST_ASSERT(res->vf_cap_flags & VIRTCHNL_VF_OFFLOAD_L2, "no L2 cap");
	if (res->vf_cap_flags & VIRTCHNL_VF_OFFLOAD_RSS_PF) {
		TEST_ASSERT(res->rss_key_size > 0 && res->rss_key_size <= 52,
			"rss_key_size %u", res->rss_key_size);
		TEST_ASSERT(res->rss_lut_size > 0 && res->rss_lut_size <= 64,
			"rss_lut_size %u", res->rss_lut_size);
	}
	vsi = &res->vsi_res[0];
	ASSERT_EQ(vsi->vsi_type, VIRTCHNL_VSI_SRIOV, "vsi_type %d",
		vsi->vsi_type);
	ASSERT_EQ(vsi->num_queue_pairs, tdev.queues,
		"vsi num_queue_pairs %u", vsi->num_queue_pairs);
	TEST_ASSERT_SUCCESS(rte_iavf_emu_get_mac(tdev.id, &mac), "get_mac");
	TEST_ASSERT(rte_is_same_ether_addr(&mac, &m->mac),
		"VSI MAC differs from the device MAC");
	TEST_ASSERT(rte_is_valid_assigned_ether_addr(&m->mac),
		"VSI MAC is not a valid unicast address");

	/* CONFIG_IRQ_MAP, RSS */
	ret = avf_model_vc_config_irq_map(m, m->num_qp);
	TEST_ASSERT_SUCCESS(ret, "CONFIG_IRQ_MAP: %d status %d", ret,
		m->last_status);
	if (m->caps & VIRTCHNL_VF_OFFLOAD_RSS_PF) {
		ret = avf_model_vc_config_rss(m);
		TEST_ASSERT_SUCCESS(ret, "CONFIG_RSS_KEY/LUT: %d status %d",
			ret, m->last_status);
		TEST_ASSERT_SUCCESS(rte_iavf_emu_get_rss(tdev.id, &rss),
			"get_rss");
		ASSERT_EQ(rss.key_len, res->rss_key_size, "key_len");
		ASSERT_EQ(rss.lut_len, res->rss_lut_size, "lut_len");
		TEST_ASSERT_BUFFERS_ARE_EQUAL(rss.key, m->rss_key,
			rss.key_len, "RSS key not stored");
		TEST_ASSERT_BUFFERS_ARE_EQUAL(rss.lut, m->rss_lut,
			rss.lut_len, "RSS LUT not stored");
	}

	/* open: RX tails first, ADD_ETH_ADDR, CONFIG_VSI_QUEUES, ENABLE */
	for (i = 0; i < tdev.queues; i++) {
		TEST_ASSERT_NOT_NULL(avf_model_txq_setup(m, i,
			EMU_TEST_RING_LEN, 2048), "txq setup");
		TEST_ASSERT_NOT_NULL(avf_model_rxq_setup(m, i,
			EMU_TEST_RING_LEN, 2048), "rxq setup");
		avf_model_rx_post(&m->rxq[i], avf_model_rxq_free(&m->rxq[i]));
		TEST_ASSERT_SUCCESS(avf_model_rx_kick(&m->rxq[i]),
			"RX tail write");
	}
	ret = avf_model_vc_mac(m, true, &m->mac, VIRTCHNL_ETHER_ADDR_PRIMARY);
	TEST_ASSERT_SUCCESS(ret, "ADD_ETH_ADDR: %d status %d", ret,
		m->last_status);
	ret = avf_model_vc_config_queues(m, tdev.queues, 1522);
	TEST_ASSERT_SUCCESS(ret, "CONFIG_VSI_QUEUES: %d status %d", ret,
		m->last_status);
	for (i = 0; i < tdev.queues; i++) {
		q = emu_q(i, true);
		TEST_ASSERT_NOT_NULL(q, "emu txq %u", i);
		ASSERT_EQ(q->ring_iova, m->txq[i].ring_iova,
			"txq %u ring address", i);
		ASSERT_EQ(q->ring_len, EMU_TEST_RING_LEN,
			"txq %u ring_len", i);
		TEST_ASSERT(!q->enabled, "txq %u enabled before ENABLE", i);
		q = emu_q(i, false);
		TEST_ASSERT_NOT_NULL(q, "emu rxq %u", i);
		ASSERT_EQ(q->ring_iova, m->rxq[i].ring_iova,
			"rxq %u ring address", i);
		ASSERT_EQ(q->buf_size, 2048, "rxq %u buf size", i);
		/* the tail written before CONFIG_VSI_QUEUES is kept */
		ASSERT_EQ(*q->tail, m->rxq[i].next_to_use,
			"rxq %u tail lost by CONFIG_VSI_QUEUES", i);
	}
	ret = avf_model_vc_queues(m, true, mask, mask);
	TEST_ASSERT_SUCCESS(ret, "ENABLE_QUEUES: %d status %d", ret,
		m->last_status);
	for (i = 0; i < tdev.queues; i++) {
		TEST_ASSERT(emu_q(i, true)->enabled, "txq %u not enabled", i);
		TEST_ASSERT(emu_q(i, false)->enabled, "rxq %u not enabled", i);
		/* iavf_map_queues(): pair i on vector 1 + i */
		ASSERT_EQ(emu_q(i, false)->vector, i + 1,
			"rxq %u vector %u", i, emu_q(i, false)->vector);
		ASSERT_EQ(emu_q(i, true)->vector, i + 1,
			"txq %u vector %u", i, emu_q(i, true)->vector);
		avf_model_irq_enable(m, i + 1);
	}
	/* LINK_CHANGE(up) after ENABLE_QUEUES */
	for (i = 0; i < 100 && !m->link_up; i++)
		avf_model_poll_events(m, 20);
	TEST_ASSERT(m->link_up, "no LINK_CHANGE up after ENABLE_QUEUES");
	if (m->caps & VIRTCHNL_VF_CAP_ADV_LINK_SPEED)
		ASSERT_EQ(m->link_speed, EMU_TEST_LINK_MBPS,
			"link speed %u Mbps", m->link_speed);
	else
		TEST_ASSERT(m->link_speed != 0, "legacy link speed 0");
	ASSERT_EQ(m->nb_unexpected, 0, "stray replies");

	/* GET_STATS: 96 bytes, nothing moved yet */
	ret = avf_model_vc_get_stats(m, &st);
	TEST_ASSERT_SUCCESS(ret, "GET_STATS: %d status %d", ret,
		m->last_status);
	ASSERT_EQ(m->reply.len, sizeof(st), "GET_STATS length %u",
		m->reply.len);
	TEST_ASSERT(st.rx_bytes == 0 && st.tx_bytes == 0 &&
		st.rx_unicast == 0 && st.tx_unicast == 0,
		"traffic counted without traffic");

	/* down: DEL_ETH_ADDR, DISABLE_QUEUES */
	TEST_ASSERT_SUCCESS(avf_model_linux_close(m, tdev.queues),
		"close: status %d", m->last_status);
	for (i = 0; i < tdev.queues; i++) {
		TEST_ASSERT(!emu_q(i, true)->enabled, "txq %u still enabled",
			i);
		TEST_ASSERT(!emu_q(i, false)->enabled, "rxq %u still enabled",
			i);
	}
	/* unload: queue_shutdown direct command */
	TEST_ASSERT_SUCCESS(avf_model_aq_shutdown(m),
		"queue_shutdown (0x0003) not completed or completed with ERR");
	ASSERT_EQ(m->io_errors, 0, "region access errors");
	return TEST_SUCCESS;
}

/* DPDK's capability request also gets a subset of the safe set. */
static int
test_dpdk_caps(void)
{
	struct avf_model *m = &model;

	TEST_ASSERT_SUCCESS(avf_model_aq_init(m), "AQ init");
	TEST_ASSERT_SUCCESS(avf_model_vc_version(m), "VERSION");
	TEST_ASSERT_SUCCESS(avf_model_vc_get_resources(m, EMU_TEST_DPDK_CAPS),
		"GET_VF_RESOURCES: status %d", m->last_status);
	ASSERT_EQ(m->caps & ~EMU_TEST_DPDK_CAPS, 0,
		"granted %#x not requested", m->caps);
	ASSERT_EQ(m->caps & ~EMU_TEST_CAPS_ALLOWED, 0,
		"granted %#x beyond the safe set", m->caps);
	/* legacy request: only L2 */
	TEST_ASSERT_SUCCESS(avf_model_vc_get_resources(m,
		VIRTCHNL_VF_OFFLOAD_L2), "GET_VF_RESOURCES(L2)");
	ASSERT_EQ(m->caps, VIRTCHNL_VF_OFFLOAD_L2,
		"granted %#x for an L2-only request", m->caps);
	return TEST_SUCCESS;
}

/*
 * VLAN offload v1 as the backend sees it: granted to the Linux request,
 * stripping on until the guest turns it off, every VLAN accepted until the
 * guest adds one, then only the added ones (and id 0), all when
 * promiscuous.
 */
static int
test_vlan_filters(void)
{
	struct avf_model *m = &model;
	bool filter, strip;

	TEST_ASSERT(m->caps & VIRTCHNL_VF_OFFLOAD_VLAN,
		"VLAN offload not granted (caps %#x)", m->caps);
	TEST_ASSERT_SUCCESS(rte_iavf_emu_get_vlan_mode(tdev.id, &filter,
		&strip), "vlan_mode");
	TEST_ASSERT(filter && strip, "filter %d strip %d", filter, strip);
	TEST_ASSERT(rte_iavf_emu_vlan_accepted(tdev.id, 300),
		"no VLAN added: VLAN 300 dropped");
	TEST_ASSERT_SUCCESS(avf_model_vc_vlan(m, true, 100), "ADD_VLAN 100");
	TEST_ASSERT(rte_iavf_emu_vlan_accepted(tdev.id, 100),
		"added VLAN dropped");
	TEST_ASSERT(rte_iavf_emu_vlan_accepted(tdev.id, 0),
		"priority tag dropped");
	TEST_ASSERT(!rte_iavf_emu_vlan_accepted(tdev.id, 300),
		"VLAN 300 accepted with only 100 added");
	TEST_ASSERT_SUCCESS(avf_model_vc_promisc(m, FLAG_VF_UNICAST_PROMISC),
		"PROMISC on");
	TEST_ASSERT(rte_iavf_emu_vlan_accepted(tdev.id, 300),
		"promisc: VLAN 300 dropped");
	TEST_ASSERT_SUCCESS(avf_model_vc_promisc(m, 0), "PROMISC off");
	TEST_ASSERT_SUCCESS(avf_model_vc_vlan_strip(m, false),
		"DISABLE_VLAN_STRIPPING");
	TEST_ASSERT_SUCCESS(rte_iavf_emu_get_vlan_mode(tdev.id, &filter,
		&strip), "vlan_mode");
	TEST_ASSERT(filter && !strip, "filter %d strip %d", filter, strip);
	TEST_ASSERT(avf_model_vc_vlan(m, true, 4096) == -EPROTO,
		"VLAN id 4096 accepted");
	TEST_ASSERT_SUCCESS(avf_model_vc_vlan(m, false, 100), "DEL_VLAN 100");
	TEST_ASSERT(rte_iavf_emu_vlan_accepted(tdev.id, 300),
		"no VLAN left: VLAN 300 dropped");
	TEST_ASSERT_SUCCESS(avf_model_vc_vlan_strip(m, true),
		"ENABLE_VLAN_STRIPPING");
	return TEST_SUCCESS;
}

/* Promiscuous modes and MAC filters as the backend sees them. */
static int
test_filters(void)
{
	struct avf_model *m = &model;
	struct rte_ether_addr extra = {
		.addr_bytes = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 } };
	struct rte_ether_addr mc = {
		.addr_bytes = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } };
	struct rte_ether_addr bcast = {
		.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	bool uc, mcp;

	TEST_ASSERT(rte_iavf_emu_mac_accepted(tdev.id, &m->mac),
		"own MAC not accepted");
	TEST_ASSERT(!rte_iavf_emu_mac_accepted(tdev.id, &extra),
		"unknown MAC accepted without promisc");

	TEST_ASSERT_SUCCESS(avf_model_vc_mac(m, true, &extra,
		VIRTCHNL_ETHER_ADDR_EXTRA), "ADD_ETH_ADDR extra");
	TEST_ASSERT(rte_iavf_emu_mac_accepted(tdev.id, &extra),
		"added MAC not accepted");
	TEST_ASSERT_SUCCESS(avf_model_vc_mac(m, false, &extra,
		VIRTCHNL_ETHER_ADDR_EXTRA), "DEL_ETH_ADDR extra");
	TEST_ASSERT(!rte_iavf_emu_mac_accepted(tdev.id, &extra),
		"deleted MAC still accepted");

	TEST_ASSERT_SUCCESS(avf_model_vc_promisc(m, FLAG_VF_UNICAST_PROMISC |
		FLAG_VF_MULTICAST_PROMISC), "PROMISC on: %d", m->last_status);
	TEST_ASSERT_SUCCESS(rte_iavf_emu_get_rx_mode(tdev.id, &uc, &mcp),
		"rx_mode");
	TEST_ASSERT(uc && mcp, "promisc %d allmulti %d", uc, mcp);
	TEST_ASSERT(rte_iavf_emu_mac_accepted(tdev.id, &extra),
		"promisc: unknown MAC dropped");
	TEST_ASSERT_SUCCESS(avf_model_vc_promisc(m, FLAG_VF_MULTICAST_PROMISC),
		"allmulti only");
	TEST_ASSERT_SUCCESS(rte_iavf_emu_get_rx_mode(tdev.id, &uc, &mcp),
		"rx_mode");
	TEST_ASSERT(!uc && mcp, "promisc %d allmulti %d", uc, mcp);
	TEST_ASSERT(rte_iavf_emu_mac_accepted(tdev.id, &mc),
		"allmulti: multicast dropped");
	TEST_ASSERT(!rte_iavf_emu_mac_accepted(tdev.id, &extra),
		"allmulti: unknown unicast accepted");
	TEST_ASSERT_SUCCESS(avf_model_vc_promisc(m, 0), "PROMISC off");
	TEST_ASSERT_SUCCESS(rte_iavf_emu_get_rx_mode(tdev.id, &uc, &mcp),
		"rx_mode");
	TEST_ASSERT(!uc && !mcp, "promisc %d allmulti %d", uc, mcp);
	TEST_ASSERT(rte_iavf_emu_mac_accepted(tdev.id, &bcast),
		"broadcast dropped");
	return test_vlan_filters();
}

/* ------------------------------------------------------------------ */
/* Interrupts */

/* Vector 0 fires for ARQ messages only with ICR0_ENA1.ADMINQ and
 * DYN_CTL01.INTENA, and is auto-masked after firing.
 */
static int
test_irq_vector0(void)
{
	struct avf_model *m = &model;
	uint32_t icr;
	int n;

	/* both off */
	avf_model_wr32(m, IAVF_VFINT_ICR0_ENA1, 0);
	avf_model_wr32(m, IAVF_VFINT_DYN_CTL01,
		IAVF_VFINT_DYN_CTL01_ITR_INDX_MASK);
	avf_model_poll_events(m, 20);
	avf_model_rd32(m, IAVF_VFINT_ICR01);
	avf_model_irq_drain(m, 0);
	TEST_ASSERT_SUCCESS(avf_model_vc_version(m), "VERSION");
	n = avf_model_irq_wait(m, 0, 100);
	ASSERT_EQ(n, 0, "vector 0 fired with ADMINQ and INTENA off");
	icr = avf_model_rd32(m, IAVF_VFINT_ICR01);
	TEST_ASSERT(icr & IAVF_VFINT_ICR01_ADMINQ_MASK,
		"ICR01.ADMINQ not latched for an ARQ message (%#x)", icr);
	icr = avf_model_rd32(m, IAVF_VFINT_ICR01);
	ASSERT_EQ(icr & IAVF_VFINT_ICR01_ADMINQ_MASK, 0,
		"ICR01 is not read-to-clear (%#x)", icr);

	/* INTENA on, cause not enabled */
	avf_model_irq_enable(m, 0);
	TEST_ASSERT_SUCCESS(avf_model_vc_version(m), "VERSION");
	n = avf_model_irq_wait(m, 0, 100);
	ASSERT_EQ(n, 0, "vector 0 fired with ICR0_ENA1.ADMINQ off");
	avf_model_rd32(m, IAVF_VFINT_ICR01);
	avf_model_irq_drain(m, 0);

	/* both on: fires */
	avf_model_wr32(m, IAVF_VFINT_ICR0_ENA1,
		IAVF_VFINT_ICR0_ENA1_ADMINQ_MASK);
	avf_model_irq_enable(m, 0);
	avf_model_irq_drain(m, 0);
	TEST_ASSERT_SUCCESS(avf_model_vc_version(m), "VERSION");
	n = avf_model_irq_wait(m, 0, 1000);
	TEST_ASSERT(n > 0, "vector 0 did not fire with ADMINQ and INTENA");

	/* auto-masked: the next message does not fire ... */
	TEST_ASSERT_SUCCESS(avf_model_vc_version(m), "VERSION");
	n = avf_model_irq_wait(m, 0, 100);
	ASSERT_EQ(n, 0, "vector 0 not auto-masked after firing");
	/* ... until INTENA is written again (cause still latched) */
	avf_model_irq_enable(m, 0);
	n = avf_model_irq_wait(m, 0, 1000);
	TEST_ASSERT(n > 0, "latched ADMINQ cause lost when INTENA re-armed");

	/* the cause is gone once read: re-arm for the kernel's handler */
	avf_model_rd32(m, IAVF_VFINT_ICR01);
	avf_model_irq_enable(m, 0);
	avf_model_irq_drain(m, 0);
	return check_alive(m, "vector 0 test");
}

/*
 * Vector 0 as DPDK net_iavf's interrupt callback drives it: mask
 * (ICR0_ENA1 = 0, DYN_CTL01 without INTENA), walk the ARQ without reading
 * ICR01, re-arm with INTENA | CLEARPBA. The re-arm must not fire for the
 * message just handled (its cause is still latched), or the callback
 * runs forever; a new message must fire once, also one that arrived while
 * the callback had the vector masked.
 */
static void
dpdk_irq0_mask(struct avf_model *m)
{
	avf_model_wr32(m, IAVF_VFINT_ICR0_ENA1, 0);
	avf_model_wr32(m, IAVF_VFINT_DYN_CTL01,
		IAVF_VFINT_DYN_CTL01_ITR_INDX_MASK);
}

static int
dpdk_irq0_walk_rearm(struct avf_model *m)
{
	struct avf_model_msg msg;

	while (avf_model_arq_pending(m) > 0)
		TEST_ASSERT_SUCCESS(avf_model_vc_recv(m, &msg, 0), "recv");
	avf_model_wr32(m, IAVF_VFINT_ICR0_ENA1,
		IAVF_VFINT_ICR0_ENA1_ADMINQ_MASK);
	avf_model_wr32(m, IAVF_VFINT_DYN_CTL01,
		IAVF_VFINT_DYN_CTL01_INTENA_MASK |
		IAVF_VFINT_DYN_CTL01_CLEARPBA_MASK |
		IAVF_VFINT_DYN_CTL01_ITR_INDX_MASK);
	return TEST_SUCCESS;
}

static int
test_irq_vector0_dpdk(void)
{
	struct avf_model *m = &model;
	struct virtchnl_queue_select qs = { .vsi_id = m->vsi_id };
	int i, n;

	/* probe's messages, never delivered: one interrupt at the arm */
	avf_model_poll_events(m, 20);
	dpdk_irq0_mask(m);
	TEST_ASSERT_SUCCESS(dpdk_irq0_walk_rearm(m), "arm");
	avf_model_irq_drain(m, 0);
	dpdk_irq0_mask(m);
	TEST_ASSERT_SUCCESS(dpdk_irq0_walk_rearm(m), "callback");
	ASSERT_EQ(avf_model_irq_drain(m, 0), 0, "vector 0 fired on re-arm");
	for (i = 0; i < 3; i++) {
		/* post only: the callback is what takes the reply */
		TEST_ASSERT_SUCCESS(avf_model_vc_post(m, VIRTCHNL_OP_GET_STATS,
			&qs, sizeof(qs)), "post GET_STATS");
		n = avf_model_irq_drain(m, 0);
		ASSERT_EQ(n, 1, "message %d: %d interrupts", i, n);
		dpdk_irq0_mask(m);
		if (i == 2) {
			/* a reply lands while the callback has it masked */
			TEST_ASSERT_SUCCESS(avf_model_vc_post(m,
				VIRTCHNL_OP_GET_STATS, &qs, sizeof(qs)),
				"post GET_STATS while masked");
			ASSERT_EQ(avf_model_irq_drain(m, 0), 0,
				"fired while masked");
		}
		TEST_ASSERT_SUCCESS(dpdk_irq0_walk_rearm(m), "callback");
		if (i == 2) {
			/* the walk took it, but the device cannot know that:
			 * at most one more run of the callback, not a loop
			 */
			n = avf_model_irq_drain(m, 0);
			TEST_ASSERT(n <= 1, "%d interrupts for one message", n);
			dpdk_irq0_mask(m);
			TEST_ASSERT_SUCCESS(dpdk_irq0_walk_rearm(m), "callback");
		}
		/* the handled cause does not fire again */
		n = avf_model_irq_drain(m, 0);
		ASSERT_EQ(n, 0, "message %d: vector 0 fired again on re-arm (%d)",
			i, n);
	}
	/* a reply after the walk's last ARQH read, before the re-arm */
	dpdk_irq0_mask(m);
	TEST_ASSERT_SUCCESS(dpdk_irq0_walk_rearm(m), "callback");
	avf_model_irq_drain(m, 0);
	dpdk_irq0_mask(m);
	TEST_ASSERT_SUCCESS(avf_model_vc_post(m, VIRTCHNL_OP_GET_STATS, &qs,
		sizeof(qs)), "post GET_STATS before the re-arm");
	avf_model_wr32(m, IAVF_VFINT_ICR0_ENA1,
		IAVF_VFINT_ICR0_ENA1_ADMINQ_MASK);
	avf_model_wr32(m, IAVF_VFINT_DYN_CTL01,
		IAVF_VFINT_DYN_CTL01_INTENA_MASK |
		IAVF_VFINT_DYN_CTL01_CLEARPBA_MASK |
		IAVF_VFINT_DYN_CTL01_ITR_INDX_MASK);
	ASSERT_EQ(avf_model_irq_drain(m, 0), 1,
		"reply that came while masked lost at the CLEARPBA re-arm");
	dpdk_irq0_mask(m);
	TEST_ASSERT_SUCCESS(dpdk_irq0_walk_rearm(m), "callback");
	m->atq.next_to_clean = m->atq.next_to_use;
	return check_alive(m, "vector 0, DPDK handler");
}

static int
wait_queue_irq(struct rte_iavf_emu_queue *q, uint32_t vector, uint32_t ms)
{
	uint32_t i;
	int n;

	for (i = 0; i < ms; i++) {
		/* what a backend calls from every burst */
		rte_iavf_emu_irq_service(q);
		n = avf_model_irq_wait(&model, vector, 1);
		if (n != 0)
			return n;
	}
	return 0;
}

/* Queue vectors: DYN_CTLN INTENA gates, fires once, re-armed by INTENA. */
static int
test_irq_queue(void)
{
	struct avf_model *m = &model;
	struct rte_iavf_emu_queue *q = emu_q(1, false);
	int n;

	TEST_ASSERT_NOT_NULL(q, "rxq 1");
	ASSERT_EQ(q->vector, 2, "rxq 1 vector %u", q->vector);
	avf_model_irq_drain(m, 2);
	/* masked (the kernel's iavf_irq_disable writes 0) */
	avf_model_wr32(m, IAVF_VFINT_DYN_CTLN1(1), 0);
	rte_iavf_emu_queue_notify(q);
	n = wait_queue_irq(q, 2, 100);
	ASSERT_EQ(n, 0, "queue vector fired while INTENA is clear");
	/* re-enable: the latched event fires */
	avf_model_irq_enable(m, 2);
	n = wait_queue_irq(q, 2, 1000);
	TEST_ASSERT(n > 0, "event latched while masked lost on INTENA");
	/* auto-masked after firing */
	rte_iavf_emu_queue_notify(q);
	n = wait_queue_irq(q, 2, 100);
	ASSERT_EQ(n, 0, "queue vector not auto-masked");
	avf_model_irq_enable(m, 2);
	n = wait_queue_irq(q, 2, 1000);
	TEST_ASSERT(n > 0, "no interrupt after re-arming");
	/* armed, nothing pending: a notify fires at once */
	avf_model_irq_enable(m, 2);
	avf_model_irq_drain(m, 2);
	rte_iavf_emu_queue_notify(q);
	n = wait_queue_irq(q, 2, 1000);
	TEST_ASSERT(n > 0, "armed vector did not fire");
	/* other vectors stay quiet */
	ASSERT_EQ(avf_model_irq_drain(m, 3), 0, "vector 3 fired");
	/* SWINT_TRIG fires even without work */
	avf_model_wr32(m, IAVF_VFINT_DYN_CTLN1(2),
		IAVF_VFINT_DYN_CTLN1_INTENA_MASK |
		IAVF_VFINT_DYN_CTLN1_SWINT_TRIG_MASK |
		IAVF_VFINT_DYN_CTLN1_ITR_INDX_MASK |
		IAVF_VFINT_DYN_CTLN1_SW_ITR_INDX_ENA_MASK);
	n = wait_queue_irq(emu_q(2, false), 3, 1000);
	TEST_ASSERT(n > 0, "SWINT_TRIG did not fire vector 3");
	return TEST_SUCCESS;
}

/*
 * The backend view of the guest rings: the test plays the backend for one
 * frame (guest TX -> guest RX) and checks what the model reaps.
 */
static int
test_queue_view(void)
{
	struct avf_model *m = &model;
	struct avf_model_txq *mt = &m->txq[0];
	struct avf_model_rxq *mr = &m->rxq[0];
	struct rte_iavf_emu_queue *tq = emu_q(0, true);
	struct rte_iavf_emu_queue *rq = emu_q(0, false);
	struct avf_model_rx_pkt pkt;
	uint8_t frame[60];
	volatile struct iavf_tx_desc *td;
	volatile union iavf_32byte_rx_desc *rd;
	uint64_t qw1, addr;
	uint16_t len, head;
	void *va;
	unsigned int i;

	TEST_ASSERT(tq != NULL && rq != NULL, "queues");
	for (i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7 + 1);
	memcpy(frame, &m->mac, RTE_ETHER_ADDR_LEN);

	TEST_ASSERT_SUCCESS(avf_model_tx_pkt(mt, frame, sizeof(frame)),
		"tx_pkt");
	TEST_ASSERT_SUCCESS(avf_model_tx_kick(mt), "tx tail");
	TEST_ASSERT(rte_spinlock_trylock(&tq->access_lock), "txq lock");
	ASSERT_EQ(guest_tail(tq),
		mt->next_to_use, "backend sees TX tail %u, guest wrote %u",
		*tq->tail, mt->next_to_use);
	head = tq->next;
	td = (volatile struct iavf_tx_desc *)tq->ring + head;
	qw1 = rte_le_to_cpu_64(td->cmd_type_offset_bsz);
	addr = rte_le_to_cpu_64(td->buffer_addr);
	len = (qw1 & IAVF_TXD_QW1_TX_BUF_SZ_MASK) >>
		IAVF_TXD_QW1_TX_BUF_SZ_SHIFT;
	ASSERT_EQ(len, sizeof(frame), "TX length %u", len);
	va = rte_iavf_emu_iova_to_va(tq, addr, len, false);
	TEST_ASSERT_NOT_NULL(va, "TX buffer not translated");
	TEST_ASSERT_BUFFERS_ARE_EQUAL(va, frame, len, "TX data");
	TEST_ASSERT_NULL(rte_iavf_emu_iova_to_va(tq, m->mem_iova +
		m->mem_size - 8, 16, false), "range past the map translated");
	td->cmd_type_offset_bsz = rte_cpu_to_le_64(
		IAVF_TX_DESC_DTYPE_DESC_DONE);
	tq->next = (head + 1) % tq->ring_len;
	rte_spinlock_unlock(&tq->access_lock);

	TEST_ASSERT(rte_spinlock_trylock(&rq->access_lock), "rxq lock");
	head = rq->next;
	TEST_ASSERT(head != *rq->tail, "no RX buffer posted");
	rd = (volatile union iavf_32byte_rx_desc *)rq->ring + head;
	addr = rte_le_to_cpu_64(rd->read.pkt_addr);
	va = rte_iavf_emu_iova_to_va(rq, addr, sizeof(frame), true);
	TEST_ASSERT_NOT_NULL(va, "RX buffer not translated");
	memcpy(va, frame, sizeof(frame));
	rd->wb.qword0.hi_dword.rss = 0;
	rd->wb.qword1.status_error_len = rte_cpu_to_le_64(
		RTE_BIT64(IAVF_RX_DESC_STATUS_DD_SHIFT) |
		RTE_BIT64(IAVF_RX_DESC_STATUS_EOF_SHIFT) |
		((uint64_t)1 << IAVF_RXD_QW1_PTYPE_SHIFT) |
		((uint64_t)sizeof(frame) << IAVF_RXD_QW1_LENGTH_PBUF_SHIFT));
	rq->next = (head + 1) % rq->ring_len;
	rte_spinlock_unlock(&rq->access_lock);

	ASSERT_EQ(avf_model_tx_reap(mt), 1, "TX completion not seen");
	ASSERT_EQ(avf_model_rx_reap(mr, &pkt, 1), 1, "RX not seen");
	ASSERT_EQ(pkt.len, sizeof(frame), "RX length %u", pkt.len);
	TEST_ASSERT(pkt.eof, "RX EOF");
	ASSERT_EQ(pkt.ptype, 1, "RX ptype");
	TEST_ASSERT_BUFFERS_ARE_EQUAL(pkt.data, frame, sizeof(frame),
		"RX data");
	/* refill and check the tail reaches the device */
	ASSERT_EQ(avf_model_rx_post(mr, 1), 1, "rx refill");
	TEST_ASSERT_SUCCESS(avf_model_rx_kick(mr), "rx tail");
	ASSERT_EQ(guest_tail(rq),
		mr->next_to_use, "RX tail %u not seen by the backend",
		*rq->tail);
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Resets */

static int
check_after_reset(const char *what)
{
	uint16_t i;

	ASSERT_EQ(avf_model_rd32(&model, IAVF_VFGEN_RSTAT) &
		IAVF_VFGEN_RSTAT_VFR_STATE_MASK, VIRTCHNL_VFR_VFACTIVE,
		"%s: RSTAT not VFACTIVE", what);
	for (i = 0; i < tdev.queues; i++) {
		TEST_ASSERT(!emu_q(i, true)->enabled,
			"%s: txq %u still enabled", what, i);
		TEST_ASSERT(!emu_q(i, false)->enabled,
			"%s: rxq %u still enabled", what, i);
	}
	return TEST_SUCCESS;
}

static int
check_aq_disabled(const char *what)
{
	ASSERT_EQ(avf_model_rd32(&model, IAVF_VF_ARQLEN1) &
		IAVF_VF_ARQLEN1_ARQENABLE_MASK, 0,
		"%s: ARQ still enabled", what);
	ASSERT_EQ(avf_model_rd32(&model, IAVF_VF_ATQLEN1) &
		IAVF_VF_ATQLEN1_ATQENABLE_MASK, 0,
		"%s: ATQ still enabled", what);
	return TEST_SUCCESS;
}

/* The driver probes again after a reset, as iavf's reset task does. */
static int
reprobe(const char *what)
{
	struct avf_model *m = &model;
	int ret;

	m->link_up = false;
	ret = avf_model_linux_probe(m, AVF_MODEL_LINUX_CAPS);
	TEST_ASSERT_SUCCESS(ret,
		"%s: probe after the reset: %d status %d (ATQLEN %#x ATQH %#x ARQH %#x)",
		what, ret, m->last_status, avf_model_rd32(m, IAVF_VF_ATQLEN1),
		avf_model_rd32(m, IAVF_VF_ATQH1),
		avf_model_rd32(m, IAVF_VF_ARQH1));
	return TEST_SUCCESS;
}

static int
reopen_and_check(const char *what)
{
	int ret;

	model.link_up = false;
	ret = avf_model_linux_open(&model, EMU_TEST_QUEUES,
		EMU_TEST_RING_LEN);
	TEST_ASSERT_SUCCESS(ret, "%s: open after reset: %d status %d", what,
		ret, model.last_status);
	TEST_ASSERT(emu_q(0, true)->enabled, "%s: queues not re-enabled",
		what);
	return check_alive(&model, what);
}

/* VIRTCHNL_OP_RESET_VF while the queues run (kernel reset task). */
static int
test_reset_vf(void)
{
	struct avf_model *m = &model;
	struct rte_ether_addr extra = {
		.addr_bytes = { 0x02, 0x99, 0x88, 0x77, 0x66, 0x55 } };
	uint32_t unexpected;
	bool uc, mc, filter, strip;
	int ret;

	TEST_ASSERT_SUCCESS(avf_model_vc_mac(m, true, &extra,
		VIRTCHNL_ETHER_ADDR_EXTRA), "ADD_ETH_ADDR");
	TEST_ASSERT_SUCCESS(avf_model_vc_promisc(m, FLAG_VF_UNICAST_PROMISC),
		"PROMISC");
	TEST_ASSERT_SUCCESS(avf_model_vc_vlan(m, true, 7), "ADD_VLAN");
	TEST_ASSERT_SUCCESS(avf_model_vc_vlan_strip(m, false),
		"DISABLE_VLAN_STRIPPING");
	unexpected = m->nb_unexpected;
	ret = avf_model_linux_reset(m);
	TEST_ASSERT_SUCCESS(ret,
		"reset task failed: %d (ARQLEN %#x RSTAT %#x status %d)", ret,
		avf_model_rd32(m, IAVF_VF_ARQLEN1),
		avf_model_rd32(m, IAVF_VFGEN_RSTAT), m->last_status);
	ASSERT_EQ(m->nb_unexpected, unexpected,
		"RESET_VF was answered (no reply expected)");
	TEST_ASSERT_SUCCESS(check_after_reset("RESET_VF"), "state");
	TEST_ASSERT(!rte_iavf_emu_mac_accepted(tdev.id, &extra),
		"MAC filter survived RESET_VF");
	TEST_ASSERT_SUCCESS(rte_iavf_emu_get_rx_mode(tdev.id, &uc, &mc),
		"rx_mode");
	TEST_ASSERT(!uc && !mc, "promisc survived RESET_VF");
	/* filters gone (every VLAN passes again), stripping back on */
	TEST_ASSERT(rte_iavf_emu_vlan_accepted(tdev.id, 8),
		"VLAN filter survived RESET_VF");
	TEST_ASSERT_SUCCESS(rte_iavf_emu_get_vlan_mode(tdev.id, &filter,
		&strip), "vlan_mode");
	TEST_ASSERT(filter && strip, "after reset: filter %d strip %d",
		filter, strip);
	ASSERT_EQ(m->num_qp, tdev.queues, "num_qp after reset");
	return reopen_and_check("RESET_VF");
}

/* vfio-user DEVICE_RESET (QEMU system reset) while the queues run. */
static int
test_device_reset(void)
{
	struct avf_model *m = &model;
	int ret;

	ret = rte_vfio_user_client_reset(m->cid);
	TEST_ASSERT_SUCCESS(ret, "DEVICE_RESET: %d", ret);
	TEST_ASSERT(avf_model_wait_reset_done(m, true, 2000) > 0,
		"RSTAT not VFACTIVE after DEVICE_RESET");
	TEST_ASSERT_SUCCESS(check_after_reset("DEVICE_RESET"), "state");
	TEST_ASSERT_SUCCESS(check_aq_disabled("DEVICE_RESET"), "AQ");
	TEST_ASSERT_SUCCESS(reprobe("DEVICE_RESET"), "probe");
	return reopen_and_check("DEVICE_RESET");
}

/*
 * Function level reset as Linux iavf lives through it (sysfs "reset": the
 * driver has no reset hooks, its watchdog finds the reset up to 2 s later
 * by ARQLEN.ARQENABLE == 0). Until then it keeps sending, asynchronously,
 * and each send first reclaims the ATQ slots up to ATQH
 * (iavf_clean_asq()). ATQH must not jump back to 0: the walk to it would
 * wipe the slot the driver just filled and turn the send into a
 * synchronous one that fails with -ETIMEDOUT ("Unable to send
 * ADD_ETH_ADDR message to PF, error -110" in Linux 7.3). An ice PF clears
 * only ATQLEN/ARQLEN on a VFLR; so does this device.
 */
static int
test_flr_keeps_aq(void)
{
	struct avf_model *m = &model;
	uint32_t atqh, arqh, atqbal, arqbal;
	struct virtchnl_ether_addr_list eal;
	uint16_t slot, flags;
	int ret;

	atqh = avf_model_rd32(m, IAVF_VF_ATQH1);
	arqh = avf_model_rd32(m, IAVF_VF_ARQH1);
	atqbal = avf_model_rd32(m, IAVF_VF_ATQBAL1);
	arqbal = avf_model_rd32(m, IAVF_VF_ARQBAL1);
	ASSERT_EQ(avf_model_aq_next_slot(m, NULL), atqh,
		"ATQ not idle before the FLR");
	ret = avf_model_flr(m);
	TEST_ASSERT_SUCCESS(ret, "FLR: %d", ret);
	TEST_ASSERT(avf_model_wait_reset_done(m, true, 2000) > 0,
		"RSTAT not VFACTIVE after the FLR");
	TEST_ASSERT_SUCCESS(check_after_reset("FLR"), "state");
	TEST_ASSERT_SUCCESS(check_aq_disabled("FLR"), "AQ");
	ASSERT_EQ(avf_model_rd32(m, IAVF_VF_ATQH1), atqh,
		"ATQH moved by the FLR: the driver would reclaim its next slot");
	ASSERT_EQ(avf_model_rd32(m, IAVF_VF_ARQH1), arqh,
		"ARQH moved by the FLR");
	ASSERT_EQ(avf_model_rd32(m, IAVF_VF_ATQBAL1), atqbal,
		"ATQBAL cleared by the FLR");
	ASSERT_EQ(avf_model_rd32(m, IAVF_VF_ARQBAL1), arqbal,
		"ARQBAL cleared by the FLR");

	/* the driver's next message goes to the disabled queue: not served */
	memset(&eal, 0, sizeof(eal));
	eal.vsi_id = m->vsi_id;
	eal.num_elements = 1;
	memcpy(eal.list[0].addr, m->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	slot = avf_model_aq_next_slot(m, NULL);
	TEST_ASSERT_SUCCESS(avf_model_vc_post(m, VIRTCHNL_OP_ADD_ETH_ADDR,
		&eal, sizeof(eal)), "post ADD_ETH_ADDR");
	flags = rte_le_to_cpu_16(m->atq.desc[slot].flags);
	ASSERT_EQ(flags & IAVF_AQ_FLAG_DD, 0,
		"descriptor served by a disabled ATQ");
	ASSERT_EQ(avf_model_rd32(m, IAVF_VF_ATQH1), atqh,
		"ATQH moved on a disabled ATQ");
	TEST_ASSERT_SUCCESS(check_aq_disabled("FLR, tail written"), "AQ");

	TEST_ASSERT_SUCCESS(reprobe("FLR"), "probe");
	return reopen_and_check("FLR");
}

/* The client goes away and comes back. */
static int
test_reconnect(void)
{
	struct avf_model *m = &model;
	int ret, i;

	avf_model_disconnect(m);
	/* the device resets on the lost connection */
	for (i = 0; i < 200 && emu_q(0, true)->enabled; i++)
		rte_delay_us_sleep(5000);
	TEST_ASSERT(!emu_q(0, true)->enabled,
		"queue still enabled after the client left");
	ret = avf_model_connect(m);
	TEST_ASSERT_SUCCESS(ret, "reattach: %d", ret);
	TEST_ASSERT_SUCCESS(check_after_reset("reconnect"), "state");
	TEST_ASSERT_SUCCESS(check_aq_disabled("reconnect"), "AQ");
	TEST_ASSERT_SUCCESS(reprobe("reconnect"), "probe");
	return reopen_and_check("reconnect");
}

static uint32_t
rstat(struct avf_model *m)
{
	return avf_model_rd32(m, IAVF_VFGEN_RSTAT) &
		IAVF_VFGEN_RSTAT_VFR_STATE_MASK;
}

static int
queues_enabled(bool want, const char *what)
{
	uint16_t i;

	for (i = 0; i < tdev.queues; i++) {
		ASSERT_EQ(emu_q(i, true)->enabled, want, "%s: txq %u %s", what,
			i, want ? "disabled" : "still enabled");
		ASSERT_EQ(emu_q(i, false)->enabled, want, "%s: rxq %u %s", what,
			i, want ? "disabled" : "still enabled");
	}
	return TEST_SUCCESS;
}

/*
 * RESET_VF as a PF applies it: not inside the ATQ tail write, then
 * VFGEN_RSTAT INPROGRESS (AQ disabled, queues stopped), COMPLETED, VFACTIVE,
 * one state per later register access.
 */
static int
test_reset_vf_sequence(void)
{
	struct avf_model *m = &model;
	uint32_t arqh, unexpected = m->nb_unexpected;
	uint16_t slot, flags;

	arqh = avf_model_rd32(m, IAVF_VF_ARQH1);
	slot = avf_model_aq_next_slot(m, NULL);
	TEST_ASSERT_SUCCESS(avf_model_vc_post(m, VIRTCHNL_OP_RESET_VF, NULL,
		0), "post RESET_VF");
	/* the mailbox took the message: descriptor done in that write */
	flags = rte_le_to_cpu_16(m->atq.desc[slot].flags);
	TEST_ASSERT(flags & IAVF_AQ_FLAG_DD, "RESET_VF descriptor not done");
	/* ... and nothing else happened in it */
	TEST_ASSERT_SUCCESS(queues_enabled(true, "in the RESET_VF write"),
		"reset acted inside the ATQ tail write");

	ASSERT_EQ(rstat(m), VIRTCHNL_VFR_INPROGRESS, "1st RSTAT read");
	TEST_ASSERT_SUCCESS(queues_enabled(false, "INPROGRESS"), "queues");
	ASSERT_EQ(rstat(m), VIRTCHNL_VFR_COMPLETED, "2nd RSTAT read");
	ASSERT_EQ(rstat(m), VIRTCHNL_VFR_VFACTIVE, "3rd RSTAT read");
	ASSERT_EQ(rstat(m), VIRTCHNL_VFR_VFACTIVE, "4th RSTAT read");

	/* AQ disabled; what a reader may still use did not move */
	TEST_ASSERT_SUCCESS(check_aq_disabled("RESET_VF"), "AQ");
	ASSERT_EQ(avf_model_rd32(m, IAVF_VF_ATQH1), (slot + 1u) %
		AVF_MODEL_AQ_LEN, "ATQH not just past RESET_VF");
	ASSERT_EQ(avf_model_rd32(m, IAVF_VF_ARQH1), arqh,
		"ARQH moved by the reset");
	ASSERT_EQ(m->nb_unexpected, unexpected, "RESET_VF was answered");
	TEST_ASSERT_SUCCESS(check_after_reset("RESET_VF"), "state");

	TEST_ASSERT_SUCCESS(reprobe("RESET_VF"), "probe");
	return reopen_and_check("RESET_VF sequence");
}

/*
 * A reply is waiting on the ARQ when the VF resets itself (DPDK's close:
 * a command, then RESET_VF) and the interrupt callback walks the ARQ
 * while the reset runs, taking every slot up to ARQH without checking DD
 * (iavf_clean_arq_element). It must find that one reply and no stale slot.
 */
static int
test_reset_arq_reader(void)
{
	struct avf_model *m = &model;
	struct avf_model_msg msg;
	unsigned int got = 0, stale = 0, i;
	int ret;

	TEST_ASSERT_SUCCESS(avf_model_vc_send(m, VIRTCHNL_OP_GET_STATS,
		&(struct virtchnl_queue_select){ .vsi_id = m->vsi_id },
		sizeof(struct virtchnl_queue_select)), "GET_STATS");
	TEST_ASSERT_SUCCESS(avf_model_vc_post(m, VIRTCHNL_OP_RESET_VF, NULL,
		0), "post RESET_VF");
	/* every register access of the walk moves the reset on */
	for (i = 0; i < 2 * AVF_MODEL_AQ_LEN; i++) {
		ret = avf_model_arq_pending(m);
		TEST_ASSERT(ret >= 0, "ARQH read: %d", ret);
		if (ret == 0)
			break;
		TEST_ASSERT_SUCCESS(avf_model_vc_recv(m, &msg, 0), "recv");
		if (msg.aq_opcode != iavf_aqc_opc_send_msg_to_vf)
			stale++;
		else if (msg.v_opcode == VIRTCHNL_OP_GET_STATS)
			got++;
	}
	ASSERT_EQ(stale, 0, "%u stale ARQ slots taken during the reset",
		stale);
	ASSERT_EQ(got, 1, "GET_STATS reply taken %u times", got);
	TEST_ASSERT(avf_model_wait_reset_done(m, true, 1000) > 0,
		"RSTAT never VFACTIVE");
	TEST_ASSERT_SUCCESS(check_aq_disabled("RESET_VF"), "AQ");
	TEST_ASSERT_SUCCESS(reprobe("RESET_VF"), "probe");
	return reopen_and_check("ARQ reader during RESET_VF");
}

/*
 * A backend's view of a guest TX ring: take head..tail-1 as avfbe does and
 * sort descriptors into data descriptors with a translatable buffer (good)
 * and anything else (bad: "garbage consumed").
 */
static int
backend_tx_consume(struct rte_iavf_emu_queue *q, unsigned int *good,
		unsigned int *bad)
{
	volatile struct iavf_tx_desc *ring;
	uint64_t qw1, addr;
	uint32_t tail, len, i;

	*good = 0;
	*bad = 0;
	if (!rte_spinlock_trylock(&q->access_lock))
		return -EBUSY;
	if (!q->enabled || q->ring == NULL) {
		rte_spinlock_unlock(&q->access_lock);
		return 0;
	}
	ring = q->ring;
	tail = guest_tail(q);
	for (i = 0; q->next != tail && tail < q->ring_len &&
	     i < q->ring_len; i++) {
		qw1 = rte_le_to_cpu_64(ring[q->next].cmd_type_offset_bsz);
		addr = rte_le_to_cpu_64(ring[q->next].buffer_addr);
		len = (qw1 & IAVF_TXD_QW1_TX_BUF_SZ_MASK) >>
			IAVF_TXD_QW1_TX_BUF_SZ_SHIFT;
		if ((qw1 & IAVF_TXD_QW1_DTYPE_MASK) == IAVF_TX_DESC_DTYPE_DATA &&
		    len != 0 &&
		    rte_iavf_emu_iova_to_va(q, addr, len, false) != NULL)
			(*good)++;
		else
			(*bad)++;
		ring[q->next].cmd_type_offset_bsz =
			rte_cpu_to_le_64(IAVF_TX_DESC_DTYPE_DESC_DONE);
		q->next = (q->next + 1) % q->ring_len;
	}
	rte_spinlock_unlock(&q->access_lock);
	return 0;
}

static int
guest_tx(struct avf_model_txq *t, unsigned int n)
{
	uint8_t frame[64];
	unsigned int i;

	memset(frame, 0xa5, sizeof(frame));
	memcpy(frame, &model.mac, RTE_ETHER_ADDR_LEN);
	for (i = 0; i < n; i++)
		if (avf_model_tx_pkt(t, frame, sizeof(frame)) != 0)
			return -ENOSPC;
	return avf_model_tx_kick(t);
}

static uint64_t
stale_tails(void)
{
	uint64_t n = UINT64_MAX;

	if (rte_emudev_get_attr(tdev.id, "stale_tails", &n, sizeof(n)) != 0)
		return UINT64_MAX;
	return n;
}

/*
 * The kernel keeps transmitting while its reset task polls for the reset
 * (it stops its queues after VFACTIVE), then sets up fresh, zeroed rings.
 * Tails it wrote into the old ring must be dropped and counted; after
 * re-enable the device starts at descriptor 0 with no stale tail.
 */
static int
test_reset_tails(void)
{
	struct avf_model *m = &model;
	struct rte_iavf_emu_queue *tq = emu_q(0, true);
	unsigned int good, bad, i;
	uint64_t before, during;
	int ret;

	TEST_ASSERT_SUCCESS(guest_tx(&m->txq[0], 8), "TX before reset");
	TEST_ASSERT_SUCCESS(backend_tx_consume(tq, &good, &bad), "consume");
	TEST_ASSERT(good == 8 && bad == 0, "before reset: %u good %u bad",
		good, bad);
	before = stale_tails();
	TEST_ASSERT(before != UINT64_MAX, "no stale_tails attribute");

	TEST_ASSERT_SUCCESS(avf_model_vc_post(m, VIRTCHNL_OP_RESET_VF, NULL,
		0), "post RESET_VF");
	for (i = 0; i < 8 && rstat(m) != VIRTCHNL_VFR_VFACTIVE; i++) {
		TEST_ASSERT_SUCCESS(guest_tx(&m->txq[0], 4), "TX in reset");
		TEST_ASSERT_SUCCESS(backend_tx_consume(tq, &good, &bad),
			"consume");
		ASSERT_EQ(good + bad, 0, "queue ran during the reset");
	}
	ASSERT_EQ(rstat(m), VIRTCHNL_VFR_VFACTIVE, "reset never done");
	/* the TX path is stopped only after VFACTIVE was seen */
	TEST_ASSERT_SUCCESS(guest_tx(&m->txq[0], 4), "TX after VFACTIVE");
	during = stale_tails();
	TEST_ASSERT(during > before, "tails written in the reset not counted");

	TEST_ASSERT_SUCCESS(reprobe("RESET_VF"), "probe");
	/* fresh zeroed rings at the same addresses, as the kernel's */
	ret = avf_model_linux_open(m, EMU_TEST_QUEUES, EMU_TEST_RING_LEN);
	TEST_ASSERT_SUCCESS(ret, "open after reset: %d", ret);
	TEST_ASSERT(tq->enabled, "txq not enabled again");
	ASSERT_EQ(tq->next, 0, "TX head %u after enable", tq->next);
	ASSERT_EQ(tq->done, 0, "TX done %u after enable", tq->done);
	ASSERT_EQ(guest_tail(tq), 0,
		"stale TX tail %u after enable", *tq->tail);
	TEST_ASSERT(stale_tails() > during,
		"tail written after VFACTIVE not counted");
	TEST_ASSERT_SUCCESS(backend_tx_consume(tq, &good, &bad), "consume");
	ASSERT_EQ(bad, 0, "%u garbage descriptors consumed", bad);
	ASSERT_EQ(good, 0, "%u descriptors consumed without a tail", good);
	ASSERT_EQ(rte_atomic_load_explicit(
		(volatile RTE_ATOMIC(uint32_t) *)emu_q(0, false)->tail,
		rte_memory_order_acquire),
		m->rxq[0].next_to_use, "RX tail the guest posted was lost");

	TEST_ASSERT_SUCCESS(guest_tx(&m->txq[0], 5), "TX after reset");
	TEST_ASSERT_SUCCESS(backend_tx_consume(tq, &good, &bad), "consume");
	TEST_ASSERT(good == 5 && bad == 0, "after reset: %u good %u bad",
		good, bad);
	return check_alive(m, "tails during a reset");
}

/* Guest memory reached with DMA_READ/DMA_WRITE messages (no fd). */
static int
test_fdless_memory(void)
{
	struct avf_model msg_model;
	struct virtchnl_version_info v = { 1, 1 };
	struct iavf_aq_desc d;
	uint64_t iova = 0x200000000ULL + 0x1000;
	int ret;

	/* a second model with an fd-less window, on the same device */
	avf_model_fini(&model);
	model_ready = false;
	ret = model_attach(&msg_model, &tdev, 1 << 20);
	TEST_ASSERT_SUCCESS(ret, "attach with an fd-less map: %d", ret);
	TEST_ASSERT_SUCCESS(avf_model_aq_init(&msg_model), "AQ init");
	memcpy(msg_model.msg_mem + 0x1000, &v, sizeof(v));
	memset(&d, 0, sizeof(d));
	d.opcode = rte_cpu_to_le_16(iavf_aqc_opc_send_msg_to_pf);
	d.flags = rte_cpu_to_le_16(IAVF_AQ_FLAG_SI | IAVF_AQ_FLAG_BUF |
		IAVF_AQ_FLAG_RD);
	d.datalen = rte_cpu_to_le_16(sizeof(v));
	d.cookie_high = rte_cpu_to_le_32(VIRTCHNL_OP_VERSION);
	d.params.external.addr_high = rte_cpu_to_le_32(iova >> 32);
	d.params.external.addr_low = rte_cpu_to_le_32((uint32_t)iova);
	ret = avf_model_aq_send_raw(&msg_model, &d, NULL, 0, 2000);
	TEST_ASSERT_SUCCESS(ret, "ATQ descriptor with an fd-less buffer not consumed");
	ret = avf_model_vc_recv(&msg_model, &msg_model.reply, 2000);
	TEST_ASSERT_SUCCESS(ret, "no reply for a message in fd-less memory");
	ASSERT_EQ(msg_model.reply.v_opcode, VIRTCHNL_OP_VERSION,
		"reply op %u", msg_model.reply.v_opcode);
	ASSERT_EQ(msg_model.reply.v_retval, 0,
		"message read with DMA_READ rejected: status %d",
		msg_model.reply.v_retval);
	/* a reply into an fd-less ARQ buffer (DMA_WRITE) */
	{
		struct iavf_aq_desc *ad;
		uint16_t ntc = msg_model.arq.next_to_clean;
		uint64_t wr_iova = 0x200000000ULL + 0x2000;
		const struct virtchnl_version_info *rv =
			(const void *)(msg_model.msg_mem + 0x2000);

		memset(msg_model.msg_mem + 0x2000, 0xEE, 64);
		ad = &msg_model.arq.desc[ntc];
		ad->params.external.addr_high =
			rte_cpu_to_le_32(wr_iova >> 32);
		ad->params.external.addr_low =
			rte_cpu_to_le_32((uint32_t)wr_iova);
		ret = avf_model_vc_send(&msg_model, VIRTCHNL_OP_VERSION, &v,
			sizeof(v));
		TEST_ASSERT_SUCCESS(ret, "VERSION not consumed");
		ret = avf_model_vc_recv(&msg_model, &msg_model.reply, 2000);
		TEST_ASSERT_SUCCESS(ret, "no reply into fd-less memory");
		TEST_ASSERT(msg_model.reply.v_opcode == VIRTCHNL_OP_VERSION &&
			msg_model.reply.v_retval == 0 &&
			msg_model.reply.len == sizeof(*rv),
			"reply op %u status %d len %u",
			msg_model.reply.v_opcode, msg_model.reply.v_retval,
			msg_model.reply.len);
		TEST_ASSERT(rv->major == 1 && rv->minor == 1,
			"reply not written with DMA_WRITE (%u.%u)", rv->major,
			rv->minor);
	}
	ret = check_alive(&msg_model, "fd-less message");
	avf_model_fini(&msg_model);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Bad virtchnl input */

static int
test_before_version(void)
{
	struct avf_model *m = &model;
	struct virtchnl_queue_select vqs = { .vsi_id = 1, .rx_queues = 1,
		.tx_queues = 1 };
	struct virtchnl_vsi_queue_config_info vqci;
	struct virtchnl_ether_addr_list l;
	struct virtchnl_promisc_info vpi = { .vsi_id = 1, .flags = 1 };
	uint64_t ring = 0;
	void *va;

	TEST_ASSERT_SUCCESS(avf_model_aq_init(m), "AQ init");
	ring = avf_model_alloc(m, 4096, 4096, &va);
	memset(&vqci, 0, sizeof(vqci));
	vqci.vsi_id = 1;
	vqci.num_queue_pairs = 1;
	vqci.qpair[0].txq.vsi_id = 1;
	vqci.qpair[0].txq.ring_len = 64;
	vqci.qpair[0].txq.dma_ring_addr = ring;
	vqci.qpair[0].rxq.vsi_id = 1;
	vqci.qpair[0].rxq.ring_len = 64;
	vqci.qpair[0].rxq.databuffer_size = 2048;
	vqci.qpair[0].rxq.max_pkt_size = 1522;
	vqci.qpair[0].rxq.dma_ring_addr = ring + 2048;
	memset(&l, 0, sizeof(l));
	l.vsi_id = 1;
	l.num_elements = 1;
	memcpy(l.list[0].addr, &m->mac, RTE_ETHER_ADDR_LEN);

	/* nothing negotiated: every configuration op is refused */
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		&vqci, sizeof(vqci), "CONFIG_VSI_QUEUES before VERSION"));
	TEST_ASSERT(!emu_q(0, true)->enabled, "queue enabled");
	/* check_alive() negotiated VERSION: still no GET_VF_RESOURCES */
	CHECK(expect_vc_error(m, VIRTCHNL_OP_ENABLE_QUEUES,
		&vqs, sizeof(vqs), "ENABLE_QUEUES before GET_VF_RESOURCES"));
	TEST_ASSERT(!emu_q(0, true)->enabled, "queue enabled");
	CHECK(expect_vc_error(m, VIRTCHNL_OP_ADD_ETH_ADDR,
		&l, sizeof(l), "ADD_ETH_ADDR before GET_VF_RESOURCES"));
	CHECK(expect_vc_error(m,
		VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE, &vpi, sizeof(vpi),
		"PROMISC before GET_VF_RESOURCES"));
	CHECK(expect_vc_error(m, VIRTCHNL_OP_GET_STATS,
		&vqs, sizeof(vqs), "GET_STATS before GET_VF_RESOURCES"));
	TEST_ASSERT_SUCCESS(avf_model_vc_get_resources(m,
		AVF_MODEL_LINUX_CAPS), "GET_VF_RESOURCES after the refusals");
	return check_alive(m, "ops before VERSION");
}

static int
test_bad_virtchnl_sizes(void)
{
	struct avf_model *m = &model;
	uint8_t buf[1024];
	struct virtchnl_version_info *v = (void *)buf;
	struct virtchnl_vsi_queue_config_info *vqci = (void *)buf;
	struct virtchnl_ether_addr_list *l = (void *)buf;
	struct virtchnl_irq_map_info *vimi = (void *)buf;
	struct virtchnl_queue_select *vqs = (void *)buf;
	struct virtchnl_rss_key *vrk = (void *)buf;
	struct virtchnl_rss_lut *vrl = (void *)buf;
	size_t qp = sizeof(struct virtchnl_queue_pair_info);
	uint32_t caps = AVF_MODEL_LINUX_CAPS;
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	v->major = 1;
	v->minor = 1;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_VERSION, buf, 4,
		"VERSION short"));
	CHECK(expect_vc_error(m, VIRTCHNL_OP_VERSION, buf, 12,
		"VERSION long"));
	CHECK(expect_vc_error(m, VIRTCHNL_OP_GET_VF_RESOURCES,
		&caps, 2, "GET_VF_RESOURCES short caps"));

	/* CONFIG_VSI_QUEUES: count vs buffer */
	memset(buf, 0, sizeof(buf));
	vqci->vsi_id = m->vsi_id;
	vqci->num_queue_pairs = 4;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		buf, sizeof(*vqci), "CONFIG_VSI_QUEUES 4 pairs, 1 in buffer"));
	vqci->num_queue_pairs = 0;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		buf, sizeof(*vqci), "CONFIG_VSI_QUEUES 0 pairs"));
	vqci->num_queue_pairs = 0xFFFF;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		buf, sizeof(*vqci), "CONFIG_VSI_QUEUES 65535 pairs"));
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		buf, 4, "CONFIG_VSI_QUEUES truncated header"));
	/* more pairs than granted, with a buffer that holds them */
	memset(buf, 0, sizeof(buf));
	vqci->vsi_id = m->vsi_id;
	vqci->num_queue_pairs = tdev.queues + 1;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		buf, sizeof(*vqci) + tdev.queues * qp,
		"CONFIG_VSI_QUEUES more pairs than granted"));

	/* ether_addr_list */
	memset(buf, 0, sizeof(buf));
	l->vsi_id = m->vsi_id;
	l->num_elements = 0xFFFF;
	memcpy(l->list[0].addr, &m->mac, RTE_ETHER_ADDR_LEN);
	CHECK(expect_vc_error(m, VIRTCHNL_OP_ADD_ETH_ADDR, buf,
		sizeof(*l), "ADD_ETH_ADDR num_elements 65535"));
	l->num_elements = 2;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_ADD_ETH_ADDR, buf,
		sizeof(*l), "ADD_ETH_ADDR 2 elements, 1 in buffer"));
	l->num_elements = 0;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_DEL_ETH_ADDR, buf,
		sizeof(*l), "DEL_ETH_ADDR 0 elements"));
	CHECK(expect_vc_error(m, VIRTCHNL_OP_ADD_ETH_ADDR, buf,
		2, "ADD_ETH_ADDR truncated"));

	/* irq map */
	memset(buf, 0, sizeof(buf));
	vimi->num_vectors = 3;
	vimi->vecmap[0].vsi_id = m->vsi_id;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_IRQ_MAP,
		buf, sizeof(*vimi), "CONFIG_IRQ_MAP 3 vectors, 1 in buffer"));
	vimi->num_vectors = 0;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_IRQ_MAP,
		buf, sizeof(*vimi), "CONFIG_IRQ_MAP 0 vectors"));
	vimi->num_vectors = tdev.queues + 2;
	for (i = 0; i < vimi->num_vectors; i++) {
		vimi->vecmap[i].vsi_id = m->vsi_id;
		vimi->vecmap[i].vector_id = i;
	}
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_IRQ_MAP,
		buf, sizeof(*vimi) + (vimi->num_vectors - 1) *
		sizeof(struct virtchnl_vector_map),
		"CONFIG_IRQ_MAP more vectors than max_vectors"));

	/* queue_select, promisc, stats */
	memset(buf, 0, sizeof(buf));
	vqs->vsi_id = m->vsi_id;
	vqs->rx_queues = 1;
	vqs->tx_queues = 1;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_ENABLE_QUEUES, buf,
		8, "ENABLE_QUEUES short"));
	CHECK(expect_vc_error(m, VIRTCHNL_OP_DISABLE_QUEUES,
		buf, 16, "DISABLE_QUEUES long"));
	CHECK(expect_vc_error(m, VIRTCHNL_OP_GET_STATS, buf, 0,
		"GET_STATS without payload"));
	CHECK(expect_vc_error(m,
		VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE, buf, 2,
		"PROMISC short"));

	/* RSS key/LUT */
	if (m->caps & VIRTCHNL_VF_OFFLOAD_RSS_PF) {
		memset(buf, 0, sizeof(buf));
		vrk->vsi_id = m->vsi_id;
		vrk->key_len = m->vf_res->rss_key_size;
		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_CONFIG_RSS_KEY, buf, sizeof(*vrk) + 9,
			"CONFIG_RSS_KEY key_len past the buffer"));
		vrk->key_len = m->vf_res->rss_key_size + 1;
		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_CONFIG_RSS_KEY, buf,
			sizeof(*vrk) + vrk->key_len - 1,
			"CONFIG_RSS_KEY longer than rss_key_size"));
		vrl->vsi_id = m->vsi_id;
		vrl->lut_entries = m->vf_res->rss_lut_size + 1;
		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_CONFIG_RSS_LUT, buf,
			sizeof(*vrl) + vrl->lut_entries - 1,
			"CONFIG_RSS_LUT longer than rss_lut_size"));
		vrl->lut_entries = 0x7FFF;
		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_CONFIG_RSS_LUT, buf, sizeof(*vrl) + 63,
			"CONFIG_RSS_LUT lut_entries past the buffer"));
	}
	return TEST_SUCCESS;
}

/* Fill @p vqci with a valid configuration of queue pair @p qid. */
static uint16_t
valid_qconfig(struct virtchnl_vsi_queue_config_info *vqci, uint16_t qid)
{
	struct avf_model *m = &model;

	memset(vqci, 0, sizeof(*vqci));
	vqci->vsi_id = m->vsi_id;
	vqci->num_queue_pairs = 1;
	vqci->qpair[0].txq.vsi_id = m->vsi_id;
	vqci->qpair[0].txq.queue_id = qid;
	vqci->qpair[0].txq.ring_len = m->txq[0].len;
	vqci->qpair[0].txq.dma_ring_addr = m->txq[0].ring_iova;
	vqci->qpair[0].rxq.vsi_id = m->vsi_id;
	vqci->qpair[0].rxq.queue_id = qid;
	vqci->qpair[0].rxq.ring_len = m->rxq[0].len;
	vqci->qpair[0].rxq.databuffer_size = 2048;
	vqci->qpair[0].rxq.max_pkt_size = 1522;
	vqci->qpair[0].rxq.dma_ring_addr = m->rxq[0].ring_iova;
	return sizeof(*vqci);
}

/*
 * A ring the device cannot use: CONFIG or ENABLE may fail, or succeed
 * without applying it; never an enabled queue on the bad ring.
 */
static int
expect_ring_refused(struct virtchnl_vsi_queue_config_info *vqci,
		const char *what)
{
	struct avf_model *m = &model;
	struct rte_iavf_emu_queue *tq = emu_q(0, true);
	struct rte_iavf_emu_queue *rq = emu_q(0, false);
	int cfg, en;

	cfg = avf_model_vc_call(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES, vqci,
		sizeof(*vqci), 1000);
	TEST_ASSERT(cfg == 0 || cfg == -EPROTO, "%s: no CONFIG reply (%d)",
		what, cfg);
	en = avf_model_vc_queues(m, true, 1, 1);
	TEST_ASSERT(en == 0 || en == -EPROTO, "%s: no ENABLE reply (%d)",
		what, en);
	/* an enabled queue may only run on the last valid configuration */
	if (tq->enabled)
		TEST_ASSERT(tq->ring_iova == m->txq[0].ring_iova &&
			tq->ring_len == m->txq[0].len,
			"%s: TX queue enabled on ring %#" PRIx64 " len %u",
			what, tq->ring_iova, tq->ring_len);
	if (rq->enabled)
		TEST_ASSERT(rq->ring_iova == m->rxq[0].ring_iova &&
			rq->ring_len == m->rxq[0].len && rq->buf_size != 0,
			"%s: RX queue enabled on ring %#" PRIx64 " len %u buf %u",
			what, rq->ring_iova, rq->ring_len, rq->buf_size);
	avf_model_vc_queues(m, false, 1, 1);
	return check_alive(m, what);
}

static int
test_bad_queue_config(void)
{
	struct avf_model *m = &model;
	struct virtchnl_vsi_queue_config_info vqci;
	uint64_t outside = m->mem_iova + m->mem_size + 0x100000;
	int ret;

	TEST_ASSERT_NOT_NULL(avf_model_txq_setup(m, 0, 64, 2048), "txq");
	TEST_ASSERT_NOT_NULL(avf_model_rxq_setup(m, 0, 64, 2048), "rxq");
	/* the valid configuration works */
	valid_qconfig(&vqci, 0);
	ret = avf_model_vc_call(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES, &vqci,
		sizeof(vqci), 1000);
	TEST_ASSERT_SUCCESS(ret, "valid CONFIG_VSI_QUEUES: status %d",
		m->last_status);

	/* queue ids past the granted count */
	valid_qconfig(&vqci, tdev.queues);
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		&vqci, sizeof(vqci), "queue_id == num_queue_pairs"));
	valid_qconfig(&vqci, 0xFFFF);
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		&vqci, sizeof(vqci), "queue_id 65535"));
	valid_qconfig(&vqci, 0);
	vqci.vsi_id = m->vsi_id + 7;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		&vqci, sizeof(vqci), "CONFIG_VSI_QUEUES wrong vsi_id"));

	/* ring lengths not allowed */
	valid_qconfig(&vqci, 0);
	vqci.qpair[0].txq.ring_len = 100;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		&vqci, sizeof(vqci), "TX ring_len 100 (not a multiple of 32)"));
	valid_qconfig(&vqci, 0);
	vqci.qpair[0].rxq.ring_len = 33;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		&vqci, sizeof(vqci), "RX ring_len 33"));
	valid_qconfig(&vqci, 0);
	vqci.qpair[0].txq.ring_len = 0xFFE0;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		&vqci, sizeof(vqci), "TX ring_len 65504"));
	valid_qconfig(&vqci, 0);
	vqci.qpair[0].rxq.ring_len = 1 << 20;
	CHECK(expect_vc_error(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
		&vqci, sizeof(vqci), "RX ring_len 1M"));
	/* ring_len 0: "not configured" at most, never an enabled queue */
	valid_qconfig(&vqci, 0);
	vqci.qpair[0].txq.ring_len = 0;
	vqci.qpair[0].rxq.ring_len = 0;
	CHECK(expect_ring_refused(&vqci, "ring_len 0"));
	valid_qconfig(&vqci, 0);
	vqci.qpair[0].rxq.databuffer_size = 0;
	CHECK(expect_ring_refused(&vqci, "databuffer_size 0"));

	/* rings outside the DMA map */
	valid_qconfig(&vqci, 0);
	vqci.qpair[0].txq.dma_ring_addr = outside;
	vqci.qpair[0].rxq.dma_ring_addr = outside + 0x10000;
	CHECK(expect_ring_refused(&vqci, "rings not mapped"));
	valid_qconfig(&vqci, 0);
	/* starts inside, ends past the end of guest memory */
	vqci.qpair[0].txq.dma_ring_addr = m->mem_iova + m->mem_size - 256;
	vqci.qpair[0].rxq.dma_ring_addr = m->mem_iova + m->mem_size - 512;
	CHECK(expect_ring_refused(&vqci,
		"rings crossing the end of the map"));
	valid_qconfig(&vqci, 0);
	vqci.qpair[0].txq.dma_ring_addr = UINT64_MAX - 512;
	vqci.qpair[0].rxq.dma_ring_addr = UINT64_MAX - 1023;
	CHECK(expect_ring_refused(&vqci,
		"rings wrapping the address space"));

	/* ENABLE/DISABLE with bad masks */
	{
		struct virtchnl_queue_select vqs = { .vsi_id = m->vsi_id };

		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_ENABLE_QUEUES, &vqs, sizeof(vqs),
			"ENABLE_QUEUES empty masks"));
		vqs.rx_queues = RTE_BIT32(tdev.queues);
		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_ENABLE_QUEUES, &vqs, sizeof(vqs),
			"ENABLE_QUEUES RX queue past the granted count"));
		vqs.rx_queues = 0;
		vqs.tx_queues = 0x80000000u;
		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_DISABLE_QUEUES, &vqs, sizeof(vqs),
			"DISABLE_QUEUES TX queue 31"));
		vqs.tx_queues = 1;
		vqs.vsi_id = m->vsi_id + 1;
		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_ENABLE_QUEUES, &vqs, sizeof(vqs),
			"ENABLE_QUEUES wrong vsi_id"));
	}

	/* irq map pointing past the granted queues / vectors */
	{
		uint8_t buf[64];
		struct virtchnl_irq_map_info *vimi = (void *)buf;

		memset(buf, 0, sizeof(buf));
		vimi->num_vectors = 1;
		vimi->vecmap[0].vsi_id = m->vsi_id;
		vimi->vecmap[0].vector_id = tdev.queues + 1;
		vimi->vecmap[0].rxq_map = 1;
		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_CONFIG_IRQ_MAP, buf, sizeof(*vimi),
			"CONFIG_IRQ_MAP vector_id == max_vectors"));
		vimi->vecmap[0].vector_id = 1;
		vimi->vecmap[0].rxq_map = RTE_BIT32(tdev.queues);
		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_CONFIG_IRQ_MAP, buf, sizeof(*vimi),
			"CONFIG_IRQ_MAP rxq past the granted count"));
		vimi->vecmap[0].rxq_map = 0;
		vimi->vecmap[0].txq_map = 0x8000;
		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_CONFIG_IRQ_MAP, buf, sizeof(*vimi),
			"CONFIG_IRQ_MAP txq 15"));
	}
	/* the valid configuration still works and enables */
	valid_qconfig(&vqci, 0);
	ret = avf_model_vc_call(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES, &vqci,
		sizeof(vqci), 1000);
	TEST_ASSERT_SUCCESS(ret, "valid CONFIG_VSI_QUEUES after bad ones");
	TEST_ASSERT_SUCCESS(avf_model_vc_queues(m, true, 1, 1),
		"ENABLE after bad input: status %d", m->last_status);
	TEST_ASSERT(emu_q(0, true)->enabled && emu_q(0, false)->enabled,
		"valid queue 0 not enabled");
	ASSERT_EQ(emu_q(0, true)->ring_iova, m->txq[0].ring_iova,
		"ring address of the valid config");
	return check_alive(m, "bad queue configs");
}

static int
test_unknown_opcodes(void)
{
	struct avf_model *m = &model;
	uint8_t buf[16] = { 0 };
	int ret;

	ret = avf_model_vc_call(m, 999, buf, sizeof(buf), 1000);
	ASSERT_EQ(ret, -EPROTO, "unknown opcode 999: ret %d", ret);
	ASSERT_EQ(m->last_status, VIRTCHNL_STATUS_ERR_NOT_SUPPORTED,
		"unknown opcode: status %d, want NOT_SUPPORTED (-64)",
		m->last_status);
	ASSERT_EQ(m->reply.len, 0, "payload in the error reply");
	ret = avf_model_vc_call(m, 0x7FFFFFFF, NULL, 0, 1000);
	ASSERT_EQ(m->last_status, VIRTCHNL_STATUS_ERR_NOT_SUPPORTED,
		"opcode 0x7fffffff: ret %d status %d", ret, m->last_status);
	CHECK(check_alive(m, "unknown opcodes"));
	/* VF -> PF EVENT and UNKNOWN are not requests */
	CHECK(expect_vc_error(m, VIRTCHNL_OP_EVENT, buf, 16,
		"EVENT sent by the VF"));
	CHECK(expect_vc_error(m, VIRTCHNL_OP_UNKNOWN, NULL, 0,
		"VIRTCHNL_OP_UNKNOWN"));
	/* ops of capabilities that were not granted */
	if (!(m->caps & VIRTCHNL_VF_OFFLOAD_RX_FLEX_DESC))
		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_GET_SUPPORTED_RXDIDS, NULL, 0,
			"GET_SUPPORTED_RXDIDS not granted"));
	if (!(m->caps & VIRTCHNL_VF_OFFLOAD_VLAN_V2))
		CHECK(expect_vc_error(m,
			VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS, NULL, 0,
			"GET_OFFLOAD_VLAN_V2_CAPS not granted"));
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Bad admin queue input */

static int
aq_desc_msg(struct iavf_aq_desc *d, uint32_t op, uint64_t addr,
		uint16_t len)
{
	memset(d, 0, sizeof(*d));
	d->opcode = rte_cpu_to_le_16(iavf_aqc_opc_send_msg_to_pf);
	d->flags = rte_cpu_to_le_16(IAVF_AQ_FLAG_SI | IAVF_AQ_FLAG_BUF |
		IAVF_AQ_FLAG_RD | (len > IAVF_AQ_LARGE_BUF ?
		IAVF_AQ_FLAG_LB : 0));
	d->datalen = rte_cpu_to_le_16(len);
	d->cookie_high = rte_cpu_to_le_32(op);
	d->params.external.addr_high = rte_cpu_to_le_32(addr >> 32);
	d->params.external.addr_low = rte_cpu_to_le_32((uint32_t)addr);
	return 0;
}

/* A bad descriptor must be consumed (ATQH moves) without success. */
static int
expect_bad_desc(struct iavf_aq_desc *d, uint32_t op, const char *what)
{
	struct avf_model *m = &model;
	int ret;

	ret = avf_model_aq_send_raw(m, d, NULL, 0, 1000);
	TEST_ASSERT_SUCCESS(ret, "%s: ATQH did not move (queue stuck)",
		what);
	CHECK(expect_no_success_reply(m, op, what));
	return check_alive(m, what);
}

static int
test_bad_aq_desc(void)
{
	struct avf_model *m = &model;
	struct virtchnl_version_info v = { 1, 1 };
	struct iavf_aq_desc d;
	uint64_t end = m->mem_iova + m->mem_size;
	uint64_t biova;
	void *va;
	int ret;

	TEST_ASSERT_SUCCESS(avf_model_aq_init(m), "AQ init");
	/* buffer outside the map */
	aq_desc_msg(&d, VIRTCHNL_OP_VERSION, end + 0x100000, sizeof(v));
	CHECK(expect_bad_desc(&d, VIRTCHNL_OP_VERSION,
		"AQ buffer not mapped"));
	aq_desc_msg(&d, VIRTCHNL_OP_VERSION, end - 4, sizeof(v));
	CHECK(expect_bad_desc(&d, VIRTCHNL_OP_VERSION,
		"AQ buffer crossing the end of the map"));
	aq_desc_msg(&d, VIRTCHNL_OP_VERSION, UINT64_MAX - 3, sizeof(v));
	CHECK(expect_bad_desc(&d, VIRTCHNL_OP_VERSION,
		"AQ buffer wrapping"));
	/* datalen larger than any AQ buffer (4 KiB) */
	biova = avf_model_alloc(m, 65536, 4096, &va);
	TEST_ASSERT(biova != 0, "alloc");
	memcpy(va, &v, sizeof(v));
	aq_desc_msg(&d, VIRTCHNL_OP_VERSION, biova, 8192);
	CHECK(expect_bad_desc(&d, VIRTCHNL_OP_VERSION,
		"datalen 8192"));
	aq_desc_msg(&d, VIRTCHNL_OP_VERSION, end - 4096, 0xFFFF);
	memcpy(m->mem + m->mem_size - 4096, &v, sizeof(v));
	CHECK(expect_bad_desc(&d, VIRTCHNL_OP_VERSION,
		"datalen 65535 past the end of the map"));
	/* payload announced without the BUF flag */
	aq_desc_msg(&d, VIRTCHNL_OP_VERSION, biova, sizeof(v));
	d.flags = rte_cpu_to_le_16(IAVF_AQ_FLAG_SI);
	ret = avf_model_aq_send_raw(m, &d, NULL, 0, 1000);
	TEST_ASSERT_SUCCESS(ret, "no-BUF descriptor not consumed");
	ret = avf_model_vc_recv(m, &m->reply, 1000);
	if (ret == 0)
		TEST_ASSERT(m->reply.v_retval != 0,
			"VERSION without a buffer accepted");
	CHECK(check_alive(m, "no-BUF descriptor"));
	/* unknown AQ opcode: consumed, no virtchnl message */
	memset(&d, 0, sizeof(d));
	d.opcode = rte_cpu_to_le_16(0x0123);
	d.flags = rte_cpu_to_le_16(IAVF_AQ_FLAG_SI);
	ret = avf_model_aq_send_raw(m, &d, NULL, 0, 1000);
	TEST_ASSERT_SUCCESS(ret, "unknown AQ opcode not consumed");
	TEST_ASSERT(rte_le_to_cpu_16(d.flags) & IAVF_AQ_FLAG_DD,
		"unknown AQ opcode: no DD write-back");
	ASSERT_EQ(avf_model_arq_pending(m), 0,
		"unknown AQ opcode produced an ARQ message");
	return check_alive(m, "unknown AQ opcode");
}

/* Program the ATQ by hand on a ring of @p mem_len slots. */
static void
atq_program(uint64_t ring, uint32_t len)
{
	struct avf_model *m = &model;

	avf_model_wr32(m, IAVF_VF_ATQH1, 0);
	avf_model_wr32(m, IAVF_VF_ATQT1, 0);
	avf_model_wr32(m, IAVF_VF_ATQLEN1, len | IAVF_VF_ATQLEN1_ATQENABLE_MASK);
	avf_model_wr32(m, IAVF_VF_ATQBAL1, (uint32_t)ring);
	avf_model_wr32(m, IAVF_VF_ATQBAH1, (uint32_t)(ring >> 32));
}

static int
test_bad_aq_rings(void)
{
	struct avf_model *m = &model;
	struct virtchnl_version_info v = { 1, 1 };
	struct iavf_aq_desc *ring, *arq;
	uint8_t *canary;
	uint64_t ring_iova, arq_iova, buf_iova, canary_iova;
	void *va;
	unsigned int i;

	/* the real AQ for replies, then an oversized ATQ by hand */
	TEST_ASSERT_SUCCESS(avf_model_aq_init(m), "AQ init");
	ring_iova = avf_model_alloc(m, 64 * sizeof(*ring), 4096, &va);
	ring = va;
	buf_iova = avf_model_alloc(m, 4096, 4096, &va);
	TEST_ASSERT(ring_iova != 0 && buf_iova != 0, "alloc");
	memcpy(va, &v, sizeof(v));
	/* slots 0..31 empty, 32..63 valid VERSION messages */
	for (i = 32; i < 64; i++)
		aq_desc_msg(&ring[i], VIRTCHNL_OP_VERSION, buf_iova, sizeof(v));

	/* tail past the ring */
	atq_program(ring_iova, 32);
	avf_model_wr32(m, IAVF_VF_ATQT1, 40);
	CHECK(expect_no_success_reply(m, VIRTCHNL_OP_VERSION,
		"ATQT 40 on a 32-entry ring"));
	/* head past the ring */
	atq_program(ring_iova, 32);
	avf_model_wr32(m, IAVF_VF_ATQH1, 40);
	avf_model_wr32(m, IAVF_VF_ATQT1, 41);
	CHECK(expect_no_success_reply(m, VIRTCHNL_OP_VERSION,
		"ATQH 40 on a 32-entry ring"));
	/* length 0 */
	for (i = 0; i < 32; i++)
		aq_desc_msg(&ring[i], VIRTCHNL_OP_VERSION, buf_iova, sizeof(v));
	atq_program(ring_iova, 0);
	avf_model_wr32(m, IAVF_VF_ATQT1, 1);
	CHECK(expect_no_success_reply(m, VIRTCHNL_OP_VERSION,
		"ATQLEN 0"));
	/* ring base not mapped */
	atq_program(m->mem_iova + m->mem_size + 0x100000, 32);
	avf_model_wr32(m, IAVF_VF_ATQT1, 1);
	CHECK(expect_no_success_reply(m, VIRTCHNL_OP_VERSION,
		"ATQ ring not mapped"));
	/* ring crossing the end of the map */
	atq_program(m->mem_iova + m->mem_size - 64, 32);
	avf_model_wr32(m, IAVF_VF_ATQT1, 3);
	CHECK(expect_no_success_reply(m, VIRTCHNL_OP_VERSION,
		"ATQ ring crossing the end of the map"));
	TEST_ASSERT_SUCCESS(avf_model_aq_init(m), "AQ re-init");
	CHECK(check_alive(m, "bad ATQ registers"));

	/* ARQ tail past the ring: slots 32..63 must stay untouched */
	arq_iova = avf_model_alloc(m, 64 * sizeof(*arq), 4096, &va);
	arq = va;
	canary_iova = avf_model_alloc(m, 64 * 256, 4096, &va);
	canary = va;
	TEST_ASSERT(arq_iova != 0 && canary_iova != 0, "alloc");
	memset(canary, 0xA5, 64 * 256);
	for (i = 0; i < 64; i++) {
		arq[i].flags = rte_cpu_to_le_16(IAVF_AQ_FLAG_BUF);
		arq[i].datalen = rte_cpu_to_le_16(256);
		arq[i].params.external.addr_high =
			rte_cpu_to_le_32((canary_iova + i * 256) >> 32);
		arq[i].params.external.addr_low =
			rte_cpu_to_le_32((uint32_t)(canary_iova + i * 256));
	}
	avf_model_wr32(m, IAVF_VF_ARQH1, 0);
	avf_model_wr32(m, IAVF_VF_ARQT1, 0);
	avf_model_wr32(m, IAVF_VF_ARQLEN1, 32 | IAVF_VF_ARQLEN1_ARQENABLE_MASK);
	avf_model_wr32(m, IAVF_VF_ARQBAL1, (uint32_t)arq_iova);
	avf_model_wr32(m, IAVF_VF_ARQBAH1, (uint32_t)(arq_iova >> 32));
	avf_model_wr32(m, IAVF_VF_ARQT1, 40);
	for (i = 0; i < 4; i++)
		avf_model_vc_send(m, VIRTCHNL_OP_VERSION, &v, sizeof(v));
	rte_delay_us_sleep(100 * 1000);
	for (i = 32; i < 64; i++) {
		ASSERT_EQ(rte_le_to_cpu_16(arq[i].flags),
			IAVF_AQ_FLAG_BUF,
			"ARQT 40: slot %u past the ring written", i);
	}
	for (i = 32 * 256; i < 64 * 256; i++)
		ASSERT_EQ(canary[i], 0xA5,
			"ARQT 40: buffer past the ring written");
	/* ARQ head out of range */
	avf_model_wr32(m, IAVF_VF_ARQH1, 50);
	avf_model_wr32(m, IAVF_VF_ARQT1, 49);
	avf_model_vc_send(m, VIRTCHNL_OP_VERSION, &v, sizeof(v));
	rte_delay_us_sleep(50 * 1000);
	for (i = 32; i < 64; i++)
		ASSERT_EQ(rte_le_to_cpu_16(arq[i].flags),
			IAVF_AQ_FLAG_BUF,
			"ARQH 50: slot %u past the ring written", i);
	TEST_ASSERT_SUCCESS(avf_model_aq_init(m), "AQ re-init");
	/* replies the device kept back for a usable ARQ may come now */
	avf_model_poll_events(m, 100);
	return check_alive(m, "bad ARQ registers");
}

/* ------------------------------------------------------------------ */
/* Bad register accesses */

static int
test_bad_registers(void)
{
	struct avf_model *m = &model;
	static const uint32_t reserved[] = {
		0x4000, 0x4804, 0x9000, 0xA000, 0xB000, 0xE000, 0xFFFC };
	uint32_t val;
	uint64_t q;
	uint16_t h;
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(reserved); i++) {
		TEST_ASSERT_SUCCESS(avf_model_wr32_trapped(m, reserved[i],
			UINT32_MAX), "write to reserved %#x failed",
			reserved[i]);
		TEST_ASSERT_SUCCESS(avf_model_rd32_trapped(m, reserved[i],
			&val), "read of reserved %#x failed", reserved[i]);
		ASSERT_EQ(val, 0, "reserved register %#x reads %#x",
			reserved[i], val);
	}
	/* read-only: RSTAT, ATQH/ARQH are device-owned */
	avf_model_wr32(m, IAVF_VFGEN_RSTAT, 0);
	ASSERT_EQ(avf_model_rd32(m, IAVF_VFGEN_RSTAT) &
		IAVF_VFGEN_RSTAT_VFR_STATE_MASK, VIRTCHNL_VFR_VFACTIVE,
		"RSTAT is writable by the guest");
	/* wrong sizes and alignment: error or ignored */
	val = 0;
	rte_vfio_user_client_region_read(m->cid, 0, IAVF_VFGEN_RSTAT + 1,
		&val, 2);
	rte_vfio_user_client_region_read(m->cid, 0, IAVF_VFGEN_RSTAT, &h, 2);
	q = UINT64_MAX;
	rte_vfio_user_client_region_write(m->cid, 0, IAVF_VF_ATQLEN1, &q, 8,
		false);
	rte_vfio_user_client_region_write(m->cid, 0, IAVF_VF_ARQT1 + 2, &h,
		2, false);
	rte_vfio_user_client_region_write(m->cid, 0, IAVF_VF_ATQT1 + 1, &val,
		1, false);
	/* past BAR0 */
	ret = rte_vfio_user_client_region_read(m->cid, 0, 0x10000, &val, 4);
	TEST_ASSERT(ret < 0, "read past BAR0 succeeded");
	ret = rte_vfio_user_client_region_write(m->cid, 0, 0xFFFE, &val, 4,
		false);
	TEST_ASSERT(ret < 0, "write crossing the end of BAR0 succeeded");
	/* reserved bits and vectors past max_vectors */
	avf_model_wr32(m, IAVF_VFINT_ICR0_ENA1, UINT32_MAX);
	avf_model_wr32(m, IAVF_VFINT_DYN_CTLN1(40), UINT32_MAX);
	avf_model_wr32(m, IAVF_VFINT_DYN_CTLN1(63), UINT32_MAX);
	avf_model_wr32(m, 0x2800 + 64 * 2 + 4 * 15, UINT32_MAX);
	/* the AQ set up by the probe must have survived all that */
	TEST_ASSERT_SUCCESS(avf_model_aq_init(m), "AQ init");
	return check_alive(m, "bad register accesses");
}

/* Tail doorbells past the ring or for queues not granted. */
static int
test_bad_tails(void)
{
	struct avf_model *m = &model;
	struct rte_iavf_emu_queue *q = emu_q(0, true);
	uint16_t i;

	TEST_ASSERT(q->enabled, "queue 0 not running");
	avf_model_wr32(m, IAVF_QTX_TAIL1(0), EMU_TEST_RING_LEN + 10);
	avf_model_wr32(m, IAVF_QRX_TAIL1(0), UINT32_MAX);
	for (i = tdev.queues; i < 16; i++) {
		avf_model_wr32(m, IAVF_QTX_TAIL1(i), 5);
		avf_model_wr32(m, IAVF_QRX_TAIL1(i), 5);
	}
	avf_model_wr32(m, IAVF_QTX_TAIL1(1023), 7);
	CHECK(check_alive(m, "tails past the ring"));
	/* a sane tail afterwards is seen as written */
	avf_model_wr32(m, IAVF_QTX_TAIL1(0), 3);
	ASSERT_EQ(guest_tail(q), 3,
		"TX tail %u after a valid write", *q->tail);
	avf_model_wr32(m, IAVF_QTX_TAIL1(0), 0);
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Devargs */

static int
expect_probe_fail(const char *args, const char *what)
{
	char name[32];
	int ret;

	snprintf(name, sizeof(name), "emu_iavf_bad%u", 7);
	ret = rte_vdev_init(name, args);
	if (ret == 0)
		rte_vdev_uninit(name);
	TEST_ASSERT(ret < 0, "%s accepted: \"%s\"", what, args);
	return TEST_SUCCESS;
}

static int
test_devargs(void)
{
	char path[108], args[256];
	struct emu_test_dev d1, d2;
	struct rte_ether_addr mac0, mac1, mac_again;
	static const char * const bad[][2] = {
		{ "queues=0", "queues=0" },
		{ "queues=17", "queues=17" },
		{ "queues=abc", "queues=abc" },
		{ "queues=4x", "queues=4x" },
		{ "queues=-1", "queues=-1" },
		{ "mac=zz", "mac=zz" },
		{ "mac=01:00:5e:00:00:01", "multicast mac" },
		{ "mac=00:00:00:00:00:00", "zero mac" },
		{ "doorbell=foo", "doorbell=foo" },
		{ "link_speed=abc", "link_speed=abc" },
		{ "id=abc", "id=abc" },
		{ "bogus=1", "unknown key" },
	};
	unsigned int i;
	uint16_t before = rte_emudev_count();

	sock_path(path, sizeof(path), 9);
	CHECK(expect_probe_fail("id=9,queues=4",
		"missing path"));
	for (i = 0; i < RTE_DIM(bad); i++) {
		snprintf(args, sizeof(args), "path=%s,%s%s", path,
			 strncmp(bad[i][0], "id=", 3) ? "id=9," : "",
			 bad[i][0]);
		CHECK(expect_probe_fail(args, bad[i][1]));
		ASSERT_EQ(rte_emudev_count(), before,
			"%s left an emudev behind", bad[i][1]);
	}
	snprintf(args, sizeof(args), "path=%s,id=9,path=%s", path, path);
	CHECK(expect_probe_fail(args, "duplicate key"));

	/* limits are accepted; mac= is reported; default MAC is stable */
	TEST_ASSERT_SUCCESS(dev_create(&d1, 10, 1, true, NULL), "queues=1");
	ASSERT_EQ(rte_iavf_emu_get_num_qp(10), 1, "num_qp");
	TEST_ASSERT_SUCCESS(rte_iavf_emu_get_mac(10, &mac0), "mac");
	TEST_ASSERT(rte_is_unicast_ether_addr(&mac0) &&
		rte_is_local_admin_ether_addr(&mac0) &&
		!rte_is_zero_ether_addr(&mac0),
		"default MAC not a locally administered unicast");
	TEST_ASSERT_SUCCESS(dev_create(&d2, 11, 16, false,
		"mac=02:aa:bb:cc:dd:ee"), "queues=16 mac=");
	ASSERT_EQ(rte_iavf_emu_get_num_qp(11), 16, "num_qp");
	TEST_ASSERT_SUCCESS(rte_iavf_emu_get_mac(11, &mac1), "mac");
	ASSERT_EQ(mac1.addr_bytes[1], 0xaa, "mac= not used");
	ASSERT_EQ(mac1.addr_bytes[5], 0xee, "mac= not used");
	/* same path, same id: refused while the first one lives */
	snprintf(args, sizeof(args), "path=%s,id=12", d1.path);
	CHECK(expect_probe_fail(args, "path in use"));
	sock_path(path, sizeof(path), 12);
	snprintf(args, sizeof(args), "path=%s,id=10", path);
	CHECK(expect_probe_fail(args, "id in use"));
	unlink(path);

	/* the model sees mac= and queues= */
	TEST_ASSERT_SUCCESS(model_attach(&model, &d2, 0), "attach");
	model_ready = true;
	ASSERT_EQ(model.pci.msix_table_size, 17, "MSI-X table size");
	TEST_ASSERT_SUCCESS(avf_model_linux_probe(&model,
		AVF_MODEL_LINUX_CAPS), "probe");
	TEST_ASSERT(rte_is_same_ether_addr(&model.mac, &mac1),
		"GET_VF_RESOURCES MAC is not mac=");
	ASSERT_EQ(model.vf_res->num_queue_pairs, 16, "pairs");
	ASSERT_EQ(model.vf_res->max_vectors, 17, "vectors");
	avf_model_fini(&model);
	model_ready = false;

	dev_destroy(&d1);
	TEST_ASSERT_SUCCESS(dev_create(&d1, 10, 1, true, NULL), "re-create");
	TEST_ASSERT_SUCCESS(rte_iavf_emu_get_mac(10, &mac_again), "mac");
	TEST_ASSERT(rte_is_same_ether_addr(&mac0, &mac_again),
		"default MAC not stable for the same id");
	TEST_ASSERT(!rte_is_same_ether_addr(&mac0, &mac1),
		"two devices share a MAC");
	dev_destroy(&d1);
	dev_destroy(&d2);
	ASSERT_EQ(rte_emudev_count(), before, "emudevs leaked");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Guest memory: the DMA table as the device model sees it */

/* A mapping that ends at the last byte of the 64-bit IOVA space. */
#define EMU_TEST_TOP_SIZE	(2ULL << 20)
#define EMU_TEST_TOP_IOVA	(UINT64_MAX - EMU_TEST_TOP_SIZE + 1)
#define EMU_TEST_TOP_CYCLES	5000

/* Shared memory for extra DMA maps: a sealed memfd (as QEMU gives it)
 * and its local mapping.
 */
static int
test_memfd(uint64_t size, void **va)
{
	int fd = memfd_create("emu_iavf_test", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size) != 0 || fcntl(fd, F_ADD_SEALS,
			F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
		close(fd);
		return -errno;
	}
	*va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*va == MAP_FAILED) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * Number of regions in the emudev memory table; *found is set when one of
 * them is exactly [iova, iova + size) and has a host address.
 */
static int
mem_table_has(uint64_t iova, uint64_t size, bool *found)
{
	static struct rte_emudev_mem_region r[RTE_VFIO_USER_MAX_DMA_MAPS + 1];
	int n, i;

	*found = false;
	n = rte_emudev_get_mem_table(tdev.id, r, RTE_DIM(r));
	for (i = 0; i < n && i < (int)RTE_DIM(r); i++)
		if (r[i].iova == iova && r[i].size == size &&
		    r[i].host_va != NULL)
			*found = true;
	return n;
}

/* Translations where the inline and the called form disagreed. */
static unsigned int xlate_disagreed;

/*
 * Translate with the queue's access lock held, as a backend does: the
 * inline form (cached mapping) first, then the called one, which must
 * agree.
 */
static void *
queue_xlate(struct rte_iavf_emu_queue *q, uint64_t iova, uint32_t len,
		bool write)
{
	void *va;

	while (!rte_spinlock_trylock(&q->access_lock))
		rte_pause();
	va = rte_iavf_emu_xlate(q, iova, len, write);
	if (rte_iavf_emu_iova_to_va(q, iova, len, write) != va)
		xlate_disagreed++;
	rte_spinlock_unlock(&q->access_lock);
	return va;
}

/*
 * A mapping ending at 2^64 (inclusive end 2^64 - 1) works like any other:
 * rings at the very top are usable, the last byte translates, ranges that
 * would wrap do not, and unmapping removes it from every view.
 */
static int
test_dma_top(void)
{
	struct avf_model *m = &model;
	struct virtchnl_vsi_queue_config_info vqci;
	struct rte_iavf_emu_queue *tq = emu_q(0, true);
	struct rte_iavf_emu_queue *rq = emu_q(0, false);
	const uint64_t tx_ring = UINT64_MAX - 64 * 16 + 1;
	const uint64_t rx_ring = tx_ring - 64 * 32;
	uint8_t *top, *p;
	bool found;
	int fd, ret, base, n;
	unsigned int i;

	fd = test_memfd(EMU_TEST_TOP_SIZE, (void **)&top);
	TEST_ASSERT(fd >= 0, "memfd: %d", fd);
	base = mem_table_has(EMU_TEST_TOP_IOVA, EMU_TEST_TOP_SIZE, &found);
	TEST_ASSERT(base >= 0 && !found, "memory table before the map: %d",
		base);

	ret = rte_vfio_user_client_dma_map(m->cid, EMU_TEST_TOP_IOVA,
		EMU_TEST_TOP_SIZE, PROT_READ | PROT_WRITE, fd, 0, top);
	TEST_ASSERT_SUCCESS(ret, "DMA_MAP of the top 2 MiB: %d", ret);
	n = mem_table_has(EMU_TEST_TOP_IOVA, EMU_TEST_TOP_SIZE, &found);
	TEST_ASSERT(n == base + 1 && found,
		"memory table after the map: %d regions, top %s", n,
		found ? "found" : "missing");

	/* queue pair 0 with both rings in the last 4 KiB */
	memset(&vqci, 0, sizeof(vqci));
	vqci.vsi_id = m->vsi_id;
	vqci.num_queue_pairs = 1;
	vqci.qpair[0].txq.vsi_id = m->vsi_id;
	vqci.qpair[0].txq.ring_len = 64;
	vqci.qpair[0].txq.dma_ring_addr = tx_ring;
	vqci.qpair[0].rxq.vsi_id = m->vsi_id;
	vqci.qpair[0].rxq.ring_len = 64;
	vqci.qpair[0].rxq.databuffer_size = 2048;
	vqci.qpair[0].rxq.max_pkt_size = 1522;
	vqci.qpair[0].rxq.dma_ring_addr = rx_ring;
	ret = avf_model_vc_call(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES, &vqci,
		sizeof(vqci), 1000);
	TEST_ASSERT_SUCCESS(ret, "CONFIG_VSI_QUEUES at the top: %d status %d",
		ret, m->last_status);
	ret = avf_model_vc_queues(m, true, 1, 1);
	TEST_ASSERT_SUCCESS(ret,
		"ENABLE_QUEUES with rings ending at 2^64 refused: %d status %d",
		ret, m->last_status);
	TEST_ASSERT(tq->enabled && rq->enabled && tq->ring != NULL &&
		rq->ring != NULL, "queues at the top not enabled");

	/* the server sees what the guest wrote, up to the last byte */
	for (i = 0; i < 16; i++)
		top[EMU_TEST_TOP_SIZE - 16 + i] = (uint8_t)(0xC0 + i);
	p = queue_xlate(rq, UINT64_MAX - 15, 16, true);
	TEST_ASSERT(p != NULL && memcmp(p, top + EMU_TEST_TOP_SIZE - 16,
		16) == 0, "last 16 bytes not translated");
	TEST_ASSERT(p == (uint8_t *)tq->ring + 64 * 16 - 16,
		"translation and TX ring disagree");
	p = queue_xlate(tq, UINT64_MAX, 1, false);
	TEST_ASSERT(p != NULL && *p == 0xCF, "last byte not translated");
	TEST_ASSERT_NULL(queue_xlate(tq, UINT64_MAX - 7, 16, false),
		"range wrapping past 2^64 translated");
	TEST_ASSERT_NULL(queue_xlate(tq, EMU_TEST_TOP_IOVA - 8, 16, false),
		"range starting below the map translated");
	TEST_ASSERT_NULL(queue_xlate(tq, EMU_TEST_TOP_IOVA, 0, false),
		"empty range translated");

	/* unmapping stops the queues and removes every trace */
	ret = rte_vfio_user_client_dma_unmap(m->cid, EMU_TEST_TOP_IOVA,
		EMU_TEST_TOP_SIZE, 0);
	TEST_ASSERT_SUCCESS(ret, "DMA_UNMAP of the top 2 MiB: %d", ret);
	n = mem_table_has(EMU_TEST_TOP_IOVA, EMU_TEST_TOP_SIZE, &found);
	TEST_ASSERT(n == base && !found,
		"memory table after the unmap: %d regions (want %d), top %s",
		n, base, found ? "still there" : "gone");
	TEST_ASSERT(!tq->enabled && !rq->enabled && tq->ring == NULL,
		"queues still enabled on unmapped rings");
	TEST_ASSERT_NULL(queue_xlate(tq, UINT64_MAX - 15, 16, false),
		"unmapped memory still translated");

	/* nothing accumulates over many cycles */
	for (i = 0; i < EMU_TEST_TOP_CYCLES; i++) {
		ret = rte_vfio_user_client_dma_map(m->cid, EMU_TEST_TOP_IOVA,
			EMU_TEST_TOP_SIZE, PROT_READ | PROT_WRITE, fd, 0, top);
		if (ret == 0)
			ret = rte_vfio_user_client_dma_unmap(m->cid,
				EMU_TEST_TOP_IOVA, EMU_TEST_TOP_SIZE, 0);
		TEST_ASSERT_SUCCESS(ret, "map/unmap cycle %u: %d", i, ret);
	}
	n = mem_table_has(EMU_TEST_TOP_IOVA, EMU_TEST_TOP_SIZE, &found);
	TEST_ASSERT(n == base && !found,
		"%u map/unmap cycles left %d regions (want %d)",
		EMU_TEST_TOP_CYCLES, n, base);
	TEST_ASSERT_NULL(queue_xlate(tq, UINT64_MAX - 15, 16, false),
		"unmapped memory translated after the cycles");
	ASSERT_EQ(xlate_disagreed, 0,
		"rte_iavf_emu_xlate() and rte_iavf_emu_iova_to_va() disagreed %u times",
		xlate_disagreed);
	munmap(top, EMU_TEST_TOP_SIZE);
	close(fd);

	/* and the table empties completely */
	ret = rte_vfio_user_client_dma_unmap(m->cid, 0, 0,
		VFIO_DMA_UNMAP_FLAG_ALL);
	TEST_ASSERT_SUCCESS(ret, "DMA_UNMAP all: %d", ret);
	n = mem_table_has(0, 0, &found);
	ASSERT_EQ(n, 0, "memory table not empty after unmapping all: %d", n);
	return TEST_SUCCESS;
}

/*
 * Admin queue rings that wrap past 2^64 - 1: slot 0 in the last 32 bytes
 * of the IOVA space, slot 1 at IOVA 0. Both are mapped, but a ring is
 * one range of guest memory: the device must use neither slot.
 */
static int
test_aq_ring_wrap(void)
{
	struct avf_model *m = &model;
	struct virtchnl_version_info v = { 1, 1 };
	const uint64_t ring = UINT64_MAX - sizeof(struct iavf_aq_desc) + 1;
	struct iavf_aq_desc *slot0, *slot1;
	uint8_t *top, *low;
	uint64_t buf_iova;
	int fd_top, fd_low, ret;
	unsigned int i;
	void *va;

	TEST_ASSERT_SUCCESS(avf_model_aq_init(m), "AQ init");
	fd_top = test_memfd(EMU_TEST_TOP_SIZE, (void **)&top);
	fd_low = test_memfd(4096, (void **)&low);
	TEST_ASSERT(fd_top >= 0 && fd_low >= 0, "memfd");
	ret = rte_vfio_user_client_dma_map(m->cid, EMU_TEST_TOP_IOVA,
		EMU_TEST_TOP_SIZE, PROT_READ | PROT_WRITE, fd_top, 0, top);
	TEST_ASSERT_SUCCESS(ret, "DMA_MAP of the top 2 MiB: %d", ret);
	ret = rte_vfio_user_client_dma_map(m->cid, 0, 4096,
		PROT_READ | PROT_WRITE, fd_low, 0, low);
	TEST_ASSERT_SUCCESS(ret, "DMA_MAP of IOVA 0: %d", ret);
	slot0 = (void *)(top + EMU_TEST_TOP_SIZE - sizeof(*slot0));
	slot1 = (void *)low;

	/* ATQ: two valid VERSION messages, neither may be processed */
	buf_iova = avf_model_alloc(m, 4096, 4096, &va);
	TEST_ASSERT(buf_iova != 0, "alloc");
	memcpy(va, &v, sizeof(v));
	aq_desc_msg(slot0, VIRTCHNL_OP_VERSION, buf_iova, sizeof(v));
	aq_desc_msg(slot1, VIRTCHNL_OP_VERSION, buf_iova, sizeof(v));
	atq_program(ring, 32);
	avf_model_wr32(m, IAVF_VF_ATQT1, 2);
	CHECK(expect_no_success_reply(m, VIRTCHNL_OP_VERSION,
		"ATQ ring wrapping past 2^64"));
	TEST_ASSERT(!(rte_le_to_cpu_16(slot0->flags) & IAVF_AQ_FLAG_DD) &&
		!(rte_le_to_cpu_16(slot1->flags) & IAVF_AQ_FLAG_DD),
		"ATQ slots of a wrapping ring written back");
	TEST_ASSERT_SUCCESS(avf_model_aq_init(m), "AQ re-init");
	CHECK(check_alive(m, "ATQ ring wrapping past 2^64"));

	/* ARQ: replies must not be written into either slot */
	for (i = 0; i < 2; i++) {
		struct iavf_aq_desc *d = i == 0 ? slot0 : slot1;

		memset(d, 0, sizeof(*d));
		d->flags = rte_cpu_to_le_16(IAVF_AQ_FLAG_BUF);
		d->datalen = rte_cpu_to_le_16(256);
		d->params.external.addr_high =
			rte_cpu_to_le_32((buf_iova + 256) >> 32);
		d->params.external.addr_low =
			rte_cpu_to_le_32((uint32_t)(buf_iova + 256));
	}
	avf_model_wr32(m, IAVF_VF_ARQH1, 0);
	avf_model_wr32(m, IAVF_VF_ARQT1, 0);
	avf_model_wr32(m, IAVF_VF_ARQLEN1, 32 | IAVF_VF_ARQLEN1_ARQENABLE_MASK);
	avf_model_wr32(m, IAVF_VF_ARQBAL1, (uint32_t)ring);
	avf_model_wr32(m, IAVF_VF_ARQBAH1, (uint32_t)(ring >> 32));
	avf_model_wr32(m, IAVF_VF_ARQT1, 2);
	for (i = 0; i < 2; i++)
		avf_model_vc_send(m, VIRTCHNL_OP_VERSION, &v, sizeof(v));
	rte_delay_us_sleep(50 * 1000);
	ASSERT_EQ(rte_le_to_cpu_16(slot0->flags), IAVF_AQ_FLAG_BUF,
		"ARQ slot 0 of a wrapping ring written");
	ASSERT_EQ(rte_le_to_cpu_16(slot1->flags), IAVF_AQ_FLAG_BUF,
		"ARQ slot 1 of a wrapping ring (IOVA 0) written");
	TEST_ASSERT_SUCCESS(avf_model_aq_init(m), "AQ re-init");
	avf_model_poll_events(m, 100);

	rte_vfio_user_client_dma_unmap(m->cid, 0, 4096, 0);
	rte_vfio_user_client_dma_unmap(m->cid, EMU_TEST_TOP_IOVA,
		EMU_TEST_TOP_SIZE, 0);
	munmap(top, EMU_TEST_TOP_SIZE);
	munmap(low, 4096);
	close(fd_top);
	close(fd_low);
	return check_alive(m, "ARQ ring wrapping past 2^64");
}

/* Events a backend receives, counted on the device's control thread. */
struct emu_test_events {
	RTE_ATOMIC(uint32_t) mem_change;
	RTE_ATOMIC(uint32_t) not_ready;
	RTE_ATOMIC(uint32_t) ready;
	RTE_ATOMIC(uint32_t) queue_off;	/* bit per emudev queue: disabled */
	RTE_ATOMIC(uint32_t) total;
};

static void
count_event(uint16_t dev_id __rte_unused, const struct rte_emudev_event *ev,
		void *arg)
{
	struct emu_test_events *e = arg;

	rte_atomic_fetch_add_explicit(&e->total, 1, rte_memory_order_relaxed);
	switch (ev->type) {
	case RTE_EMUDEV_EVENT_MEM_CHANGE:
		rte_atomic_fetch_add_explicit(&e->mem_change, 1, rte_memory_order_relaxed);
		break;
	case RTE_EMUDEV_EVENT_NOT_READY:
		rte_atomic_fetch_add_explicit(&e->not_ready, 1, rte_memory_order_relaxed);
		break;
	case RTE_EMUDEV_EVENT_READY:
		rte_atomic_fetch_add_explicit(&e->ready, 1, rte_memory_order_relaxed);
		break;
	case RTE_EMUDEV_EVENT_QUEUE_STATE:
		if (!ev->enabled && ev->queue_id < 32)
			rte_atomic_fetch_or_explicit(&e->queue_off,
				RTE_BIT32(ev->queue_id), rte_memory_order_relaxed);
		break;
	default:
		break;
	}
}

/* Lines of a log capture that talk about events. */
static unsigned int
event_log_lines(const char *log)
{
	unsigned int n = 0;
	const char *l = log, *nl;

	while (l != NULL && *l != '\0') {
		nl = strchr(l, '\n');
		if (strstr(l, "event") != NULL &&
		    (nl == NULL || strstr(l, "event") < nl))
			n++;
		l = nl != NULL ? nl + 1 : NULL;
	}
	return n;
}

/* a DPDK guest with 2 GiB of hugepages; each map is one mmap here */
#define UNMAP_ALL_MAPS 1024u

/*
 * A DMA table of 1024 maps unmapped with one DMA_UNMAP (FLAG_ALL), as
 * QEMU does: one lock window with 1024 dma_unmap callbacks. The backend
 * must learn about the memory change and every queue that stopped, and
 * the log must not get a line per mapping.
 */
static int
test_unmap_all_events(void)
{
	struct avf_model *m = &model;
	struct rte_emudev_info info;
	struct emu_test_events ev;
	const uint64_t iova0 = 0x400000000ULL;
	const uint32_t all_queues = RTE_BIT32(2 * tdev.queues) - 1;
	FILE *saved, *cap;
	char *log = NULL;
	size_t log_len = 0;
	unsigned int lines;
	int fd, ret, n, logtype, level;
	bool found;
	void *va;
	uint32_t i;

	n = mem_table_has(0, 0, &found);
	TEST_ASSERT(n >= 1, "no guest memory mapped: %d", n);
	fd = test_memfd(4096, &va);
	TEST_ASSERT(fd >= 0, "memfd: %d", fd);
	for (i = n; i < UNMAP_ALL_MAPS; i++) {
		ret = rte_vfio_user_client_dma_map(m->cid,
			iova0 + (uint64_t)i * 4096, 4096,
			PROT_READ | PROT_WRITE, fd, 0, va);
		TEST_ASSERT_SUCCESS(ret, "DMA_MAP %u: %d", i, ret);
	}
	munmap(va, 4096);
	close(fd);
	n = mem_table_has(0, 0, &found);
	ASSERT_EQ(n, UNMAP_ALL_MAPS, "table holds %d maps", n);

	cap = open_memstream(&log, &log_len);
	TEST_ASSERT_NOT_NULL(cap, "open_memstream");
	memset(&ev, 0, sizeof(ev));
	if (rte_emudev_subscribe_event(tdev.id, count_event, &ev) != 0) {
		fclose(cap);
		free(log);
		TEST_ASSERT(false, "subscribe");
	}
	/* warnings of the device model must reach the capture */
	logtype = rte_log_register("pmd.emu.iavf");
	level = logtype >= 0 ? rte_log_get_level(logtype) : -1;
	if (level >= 0 && level < (int)RTE_LOG_WARNING)
		rte_log_set_level(logtype, RTE_LOG_WARNING);
	saved = rte_log_get_stream();
	rte_openlog_stream(cap);
	ret = rte_vfio_user_client_dma_unmap(m->cid, 0, 0,
		VFIO_DMA_UNMAP_FLAG_ALL);
	rte_openlog_stream(saved);
	if (level >= 0 && level < (int)RTE_LOG_WARNING)
		rte_log_set_level(logtype, level);
	fclose(cap);
	rte_emudev_unsubscribe_event(tdev.id, count_event, &ev);
	lines = event_log_lines(log);
	if (lines > 2)
		printf("log of the unmap (%zu bytes), first lines:\n%.600s\n",
		       log_len, log);
	free(log);

	TEST_ASSERT_SUCCESS(ret, "DMA_UNMAP all: %d", ret);
	ASSERT_EQ(mem_table_has(0, 0, &found), 0, "table not empty");
	TEST_ASSERT(lines <= 2, "%u log lines about events for one unmap",
		lines);
	TEST_ASSERT(ev.mem_change >= 1, "no MEM_CHANGE event");
	ASSERT_EQ(ev.queue_off, all_queues,
		"queues reported stopped %#x, want %#x", ev.queue_off,
		all_queues);
	TEST_ASSERT(ev.total <= 2u * tdev.queues + 4,
		"%u events for one unmap", ev.total);

	/* no shareable memory left: not ready, until memory comes back */
	ASSERT_EQ(ev.not_ready, 1, "%u NOT_READY events", ev.not_ready);
	TEST_ASSERT_SUCCESS(rte_emudev_info_get(tdev.id, &info), "info");
	TEST_ASSERT(!info.ready, "ready without guest memory");
	memset(&ev, 0, sizeof(ev));
	TEST_ASSERT_SUCCESS(rte_emudev_subscribe_event(tdev.id, count_event,
		&ev), "subscribe");
	ret = rte_vfio_user_client_dma_map(m->cid, m->mem_iova, m->mem_size,
		PROT_READ | PROT_WRITE, m->memfd, 0, m->mem);
	rte_emudev_unsubscribe_event(tdev.id, count_event, &ev);
	TEST_ASSERT_SUCCESS(ret, "DMA_MAP of guest memory again: %d", ret);
	ASSERT_EQ(ev.ready, 1, "%u READY events after the map", ev.ready);
	TEST_ASSERT_SUCCESS(rte_emudev_info_get(tdev.id, &info), "info");
	TEST_ASSERT(info.ready, "not ready with guest memory");
	return check_alive(m, "unmap of every mapping");
}

/* ------------------------------------------------------------------ */

#define CASE(st, fn, name) TEST_CASE_NAMED_ST(name, st, teardown_dev, fn)

static struct unit_test_suite emu_iavf_suite = {
	.suite_name = "emu_iavf device model",
	.unit_test_cases = {
		CASE(setup_shared, test_pci_identity, "pci identity (shared)"),
		CASE(setup_trapped, test_pci_identity,
			"pci identity (trapped)"),
		CASE(setup_shared, test_linux_init,
			"Linux init sequence (shared)"),
		CASE(setup_trapped, test_linux_init,
			"Linux init sequence (trapped)"),
		CASE(setup_shared, test_dpdk_caps, "DPDK capability request"),
		CASE(setup_open_shared, test_filters, "MAC filters, promisc"),
		CASE(setup_probed_shared, test_irq_vector0,
			"vector 0 / ARQ interrupt (shared)"),
		CASE(setup_probed_trapped, test_irq_vector0,
			"vector 0 / ARQ interrupt (trapped)"),
		CASE(setup_probed_shared, test_irq_vector0_dpdk,
			"vector 0 as DPDK re-arms it (CLEARPBA)"),
		CASE(setup_open_shared, test_irq_queue,
			"queue vectors (shared)"),
		CASE(setup_open_trapped, test_irq_queue,
			"queue vectors (trapped)"),
		CASE(setup_open_shared, test_queue_view,
			"backend ring view (shared)"),
		CASE(setup_open_trapped, test_queue_view,
			"backend ring view (trapped)"),
		CASE(setup_open_shared, test_reset_vf,
			"RESET_VF while running (shared)"),
		CASE(setup_open_trapped, test_reset_vf,
			"RESET_VF while running (trapped)"),
		CASE(setup_open_shared, test_reset_vf_sequence,
			"RESET_VF register sequence (shared)"),
		CASE(setup_open_trapped, test_reset_vf_sequence,
			"RESET_VF register sequence (trapped)"),
		CASE(setup_open_shared, test_reset_arq_reader,
			"ARQ reader during RESET_VF"),
		CASE(setup_open_shared, test_reset_tails,
			"tails written during a reset (shared)"),
		CASE(setup_open_trapped, test_reset_tails,
			"tails written during a reset (trapped)"),
		CASE(setup_open_shared, test_device_reset,
			"vfio-user DEVICE_RESET while running"),
		CASE(setup_open_trapped, test_flr_keeps_aq,
			"FLR keeps the admin queue heads"),
		CASE(setup_open_trapped, test_reconnect,
			"client disconnect and reattach"),
		CASE(setup_shared, test_fdless_memory,
			"AQ buffer in fd-less memory (DMA_READ)"),
		CASE(setup_shared, test_before_version,
			"commands before VERSION / GET_VF_RESOURCES"),
		CASE(setup_probed_shared, test_bad_virtchnl_sizes,
			"bad virtchnl sizes and counts"),
		CASE(setup_probed_shared, test_bad_queue_config,
			"bad queue ids, ring addresses and lengths"),
		CASE(setup_probed_trapped, test_unknown_opcodes,
			"unknown and not granted opcodes"),
		CASE(setup_probed_shared, test_bad_aq_desc,
			"bad AQ descriptors"),
		CASE(setup_probed_trapped, test_bad_aq_rings,
			"bad AQ lengths, heads and tails"),
		CASE(setup_probed_shared, test_bad_registers,
			"reserved registers and access sizes"),
		CASE(setup_open_shared, test_bad_tails,
			"tails past the ring (shared)"),
		CASE(setup_open_trapped, test_bad_tails,
			"tails past the ring (trapped)"),
		CASE(setup_probed_shared, test_dma_top,
			"DMA map ending at 2^64"),
		CASE(setup_probed_shared, test_aq_ring_wrap,
			"AQ rings wrapping past 2^64"),
		CASE(setup_open_shared, test_unmap_all_events,
			"unmap of 1024 maps at once: events and log"),
		TEST_CASE_NAMED_ST("devargs", NULL, teardown_dev,
			test_devargs),
		TEST_CASES_END()
	}
};

static int
test_emu_iavf(void)
{
	return unit_test_suite_runner(&emu_iavf_suite);
}

REGISTER_FAST_TEST(emu_iavf_autotest, true, true, test_emu_iavf);
