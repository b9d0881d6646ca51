/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * net_avfbe functional test: an emu_iavf device, the net_avfbe port that
 * serves it, and the AVF guest-driver model (Linux sequence) on the
 * vfio-user socket. Packets go guest Tx -> port Rx -> port Tx -> guest Rx,
 * with checksum and TSO offloads, and broken guest input is fed in.
 */

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_emudev.h>
#include <rte_ethdev.h>
#include <iavf_emu_backend.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_tcp.h>
#include <rte_thash.h>
#include <rte_udp.h>
#include <rte_vfio_user.h>

#include "test.h"
#include "avf_guest_model.h"
#include "avfbe_test_util.h"

#define AVFBE_T_EMU_ID 7
#define AVFBE_T_QUEUES 2
#define AVFBE_T_RING 256
#define AVFBE_T_EMU "emu_iavf_avfbe_t"
#define AVFBE_T_PORT "net_avfbe_t0"
#define AVFBE_T_WAIT_MS 2000

static char sock[128];
static struct avf_model model;
static bool model_ready;
static bool emu_created;
static bool port_created;
static uint16_t port;
static struct rte_mempool *pool;

/* Port Rx with retries: a burst returns 0 while the device holds a lock. */
static uint16_t
port_rx(uint16_t q, struct rte_mbuf **pkts, uint16_t n, uint16_t want)
{
	uint64_t end = rte_get_timer_cycles() +
		rte_get_timer_hz() * AVFBE_T_WAIT_MS / 1000;
	uint16_t got = 0;

	while (got < want && rte_get_timer_cycles() < end) {
		got += rte_eth_rx_burst(port, q, pkts + got, n - got);
		if (got < want)
			rte_delay_us_sleep(1000);
	}
	return got;
}

static uint16_t
port_tx(uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t end = rte_get_timer_cycles() +
		rte_get_timer_hz() * AVFBE_T_WAIT_MS / 1000;
	uint16_t sent = 0;

	while (sent < n && rte_get_timer_cycles() < end) {
		sent += rte_eth_tx_burst(port, q, pkts + sent, n - sent);
		if (sent < n)
			rte_delay_us_sleep(1000);
	}
	return sent;
}

static uint16_t
guest_rx(uint16_t q, struct avf_model_rx_pkt *pkts, uint16_t want)
{
	uint64_t end = rte_get_timer_cycles() +
		rte_get_timer_hz() * AVFBE_T_WAIT_MS / 1000;
	uint16_t got = 0;

	while (got < want && rte_get_timer_cycles() < end) {
		got += avf_model_rx_reap(&model.rxq[q], pkts + got, want - got);
		if (got < want)
			rte_delay_us_sleep(1000);
	}
	return got;
}

/* Ethernet + IPv4 + TCP headers (54 bytes) with the given payload size;
 * tot_len 0 and the TCP checksum seeded without length when tso is set,
 * as Linux iavf_tso() leaves them.
 */
static void
build_tcp(uint8_t *f, uint32_t pay, bool tso, const struct rte_ether_addr *dst)
{
	struct rte_ether_hdr *eth = (void *)f;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	struct rte_tcp_hdr *tcp = (void *)(ip + 1);
	uint32_t i;

	memset(f, 0, 54);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[5] = 0x42;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->packet_id = rte_cpu_to_be_16(100);
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
	ip->total_length = tso ? 0 : rte_cpu_to_be_16(40 + pay);
	ip->hdr_checksum = tso ? 0 : rte_ipv4_cksum(ip);
	tcp->src_port = rte_cpu_to_be_16(1234);
	tcp->dst_port = rte_cpu_to_be_16(80);
	tcp->sent_seq = rte_cpu_to_be_32(1000);
	tcp->data_off = 5 << 4;
	tcp->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	tcp->rx_win = rte_cpu_to_be_16(1000);
	for (i = 0; i < pay; i++)
		f[54 + i] = (uint8_t)(i * 7 + 3);
	if (tso) {
		/* pseudo header without length */
		struct rte_ipv4_hdr tmp = *ip;

		tmp.total_length = rte_cpu_to_be_16(40);
		tcp->cksum = rte_ipv4_phdr_cksum(&tmp, RTE_MBUF_F_TX_TCP_SEG);
	} else {
		tcp->cksum = rte_ipv4_phdr_cksum(ip, 0);
	}
}

/* TCP checksum and IPv4 header checksum of a received frame are right. */
static bool
frame_csum_ok(const uint8_t *f, uint32_t len)
{
	const struct rte_ipv4_hdr *ip = (const void *)(f + 14);
	const struct rte_tcp_hdr *tcp = (const void *)(f + 34);

	if (len < 54 || rte_be_to_cpu_16(ip->total_length) != len - 14)
		return false;
	if (rte_ipv4_cksum(ip) != 0 && rte_raw_cksum(ip, 20) != 0xffff)
		return false;
	return rte_ipv4_udptcp_cksum_verify(ip, tcp) == 0;
}

static int
testsuite_setup(void)
{
	struct rte_eth_conf conf;
	char args[256];
	uint16_t q;
	int ret;

	snprintf(sock, sizeof(sock), "/tmp/avfbe_test_%d.sock", (int)getpid());
	snprintf(args, sizeof(args), "path=%s,id=%u,queues=%u", sock,
		 AVFBE_T_EMU_ID, AVFBE_T_QUEUES);
	ret = rte_vdev_init(AVFBE_T_EMU, args);
	if (ret != 0) {
		printf("cannot create %s: %d\n", AVFBE_T_EMU, ret);
		return TEST_FAILED;
	}
	emu_created = true;
	/* port Tx queue q fills guest queue q: the tests below pick queues
	 * (test_device_rss covers the guest's RSS picking them)
	 */
	snprintf(args, sizeof(args), "id=0,avf_emu_id=%u,rss=port",
		 AVFBE_T_EMU_ID);
	ret = rte_vdev_init(AVFBE_T_PORT, args);
	if (ret != 0) {
		printf("cannot create %s: %d\n", AVFBE_T_PORT, ret);
		return TEST_FAILED;
	}
	port_created = true;
	if (rte_eth_dev_get_port_by_name(AVFBE_T_PORT, &port) != 0)
		return TEST_FAILED;
	pool = rte_pktmbuf_pool_create("avfbe_test_pool", 2048, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL)
		return TEST_FAILED;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, AVFBE_T_QUEUES, AVFBE_T_QUEUES,
				  &conf) != 0)
		return TEST_FAILED;
	for (q = 0; q < AVFBE_T_QUEUES; q++)
		if (rte_eth_rx_queue_setup(port, q, 256, SOCKET_ID_ANY, NULL,
					   pool) != 0 ||
		    rte_eth_tx_queue_setup(port, q, 256, SOCKET_ID_ANY,
					   NULL) != 0)
			return TEST_FAILED;
	if (rte_eth_dev_start(port) != 0)
		return TEST_FAILED;

	{
		struct avf_model_conf mconf = { .path = sock };

		if (avf_model_init(&model, &mconf) != 0)
			return TEST_FAILED;
		model_ready = true;
		if (avf_model_connect(&model) != 0)
			return TEST_FAILED;
	}
	ret = avf_model_linux_probe(&model, AVF_MODEL_LINUX_CAPS);
	if (ret != 0) {
		printf("guest probe failed: %d\n", ret);
		return TEST_FAILED;
	}
	ret = avf_model_linux_open(&model, AVFBE_T_QUEUES, AVFBE_T_RING);
	if (ret != 0) {
		printf("guest open failed: %d (link %d)\n", ret, model.link_up);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static void
testsuite_teardown(void)
{
	if (model_ready)
		avf_model_fini(&model);
	model_ready = false;
	if (port_created) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
		rte_vdev_uninit(AVFBE_T_PORT);
	}
	port_created = false;
	if (emu_created)
		rte_vdev_uninit(AVFBE_T_EMU);
	emu_created = false;
	rte_mempool_free(pool);
	pool = NULL;
	unlink(sock);
}

static int
test_devargs(void)
{
	char args[64];

	CHECK(rte_vdev_init("net_avfbe_bad0", "id=1") != 0, "no avf_emu_id");
	CHECK(rte_vdev_init("net_avfbe_bad1", "avf_emu_id=7") != 0, "no id");
	CHECK(rte_vdev_init("net_avfbe_bad2", "id=1,avf_emu_id=31") != 0,
	      "no such emudev");
	CHECK(rte_vdev_init("net_avfbe_bad3", "id=x,avf_emu_id=7") != 0,
	      "bad id");
	CHECK(rte_vdev_init("net_avfbe_bad4", "id=1,avf_emu_id=7,foo=1") != 0,
	      "unknown key");
	CHECK(rte_vdev_init("net_avfbe_bad5", "id=1,avf_emu_id=no_such") != 0,
	      "unknown emudev name");
	/* the device already has a port */
	snprintf(args, sizeof(args), "id=1,avf_emu_id=%s", AVFBE_T_EMU);
	CHECK(rte_vdev_init("net_avfbe_bad6", args) != 0, "second port");
	return TEST_SUCCESS;
}

/* Open file descriptors of this process. */
static int
fd_count(void)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	d = opendir("/proc/self/fd");
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static bool
is_socket(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* A hot-plugged one-string port, removed while its guest is attached. */
static int
hotplug_cycle(const char *path, const char *devargs, bool close_first)
{
	const struct rte_ether_addr want = {
		.addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x42 } };
	struct avf_model_conf mconf = { .path = path };
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	struct avf_model m;
	uint16_t p;
	uint32_t v;
	int emu_id;

	CHECK(rte_dev_probe(devargs) == 0, "hot-plug %s", devargs);
	CHECK(rte_eth_dev_get_port_by_name("net_avfbe_h0", &p) == 0, "port");
	CHECK(is_socket(path), "no socket at %s", path);
	emu_id = rte_emudev_get_dev_id("net_avfbe_h0_avf");
	CHECK(emu_id >= 0, "no emulated AVF named after the port");
	CHECK(rte_eth_dev_info_get(p, &info) == 0 && info.max_rx_queues == 3,
	      "queues=3 not passed on (%u)", info.max_rx_queues);
	CHECK(rte_iavf_emu_get_mac(emu_id, &mac) == 0 &&
	      rte_is_same_ether_addr(&mac, &want), "mac= not passed on");
	/* a guest driver attaches and probes the device */
	CHECK(avf_model_init(&m, &mconf) == 0, "model");
	if (avf_model_connect(&m) != 0 ||
	    avf_model_linux_probe(&m, AVF_MODEL_LINUX_CAPS) != 0) {
		avf_model_fini(&m);
		CHECK(false, "guest cannot probe the hot-plugged device");
	}
	if (close_first)
		CHECK(rte_eth_dev_close(p) == 0, "close");
	CHECK(rte_dev_remove(info.device) == 0, "hot-unplug");
	CHECK(rte_eth_dev_get_port_by_name("net_avfbe_h0", &p) != 0,
	      "port still there");
	CHECK(rte_emudev_get_dev_id("net_avfbe_h0_avf") < 0,
	      "emulated AVF still there");
	CHECK(!is_socket(path), "socket %s left behind", path);
	/* the guest lost its device */
	CHECK(avf_model_rd32_trapped(&m, 0, &v) != 0, "client still served");
	avf_model_fini(&m);
	return TEST_SUCCESS;
}

/*
 * One devargs string (path=): the port creates its emulated AVF, works
 * through rte_dev_probe()/rte_dev_remove() as Open vSwitch uses them, and
 * goes away with its socket, its client and every fd; it comes back under
 * the same name. Devargs that mix the two forms are refused.
 */
static int
test_one_devargs(void)
{
	char path[128], devargs[256], bad[256];
	int fds0, fds1, i;

	snprintf(path, sizeof(path), "/tmp/avfbe_hp_%d.sock", (int)getpid());
	snprintf(devargs, sizeof(devargs),
		 "net_avfbe_h0,path=%s,queues=3,mac=02:00:00:00:00:42", path);
	fds0 = fd_count();
	for (i = 0; i < 3; i++)
		if (hotplug_cycle(path, devargs, i == 1) != TEST_SUCCESS)
			return TEST_FAILED;
	fds1 = fd_count();
	CHECK(fds0 == fds1, "%d fds before, %d after 3 hot-plug cycles",
	      fds0, fds1);

	snprintf(bad, sizeof(bad), "path=%s,avf_emu_id=%u", path,
		 AVFBE_T_EMU_ID);
	CHECK(rte_vdev_init("net_avfbe_bad7", bad) != 0, "path and avf_emu_id");
	CHECK(rte_vdev_init("net_avfbe_bad8", "id=1,avf_emu_id=7,queues=2") != 0,
	      "queues without path");
	snprintf(bad, sizeof(bad), "path=%s,queues=99", path);
	CHECK(rte_vdev_init("net_avfbe_bad9", bad) != 0, "queues=99");
	CHECK(rte_emudev_get_dev_id("net_avfbe_bad9_avf") < 0,
	      "emulated AVF of a failed probe left");
	CHECK(!is_socket(path), "socket of a failed probe left");
	/* a vdev's emulated AVF is not the API's to destroy */
	CHECK(rte_iavf_emu_destroy(AVFBE_T_EMU_ID) == -EPERM,
	      "destroyed an emu_iavf vdev's device");
	return TEST_SUCCESS;
}

static int
test_info_link(void)
{
	struct rte_eth_dev_info info;
	struct rte_eth_link link;

	CHECK(rte_eth_dev_info_get(port, &info) == 0, "info");
	CHECK(info.max_rx_queues == AVFBE_T_QUEUES &&
	      info.max_tx_queues == AVFBE_T_QUEUES, "queues %u/%u",
	      info.max_rx_queues, info.max_tx_queues);
	CHECK(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO, "tso capa");
	CHECK(rte_eth_link_get_nowait(port, &link) == 0, "link");
	CHECK(link.link_status == RTE_ETH_LINK_UP, "link down with guest open");
	CHECK(model.link_up, "guest did not see link up");
	return TEST_SUCCESS;
}

/* A plain frame from guest queue 1 arrives unchanged on port queue 1 and
 * its descriptor is completed.
 */
static int
test_guest_tx_plain(void)
{
	struct avf_model_txq *tq = &model.txq[1];
	uint64_t done = tq->completed;
	struct rte_mbuf *m;
	uint8_t f[200];
	uint64_t end;

	build_tcp(f, sizeof(f) - 54, false, &model.mac);
	CHECK(avf_model_tx_pkt(tq, f, sizeof(f)) == 0, "post");
	CHECK(avf_model_tx_kick(tq) == 0, "kick");
	CHECK(port_rx(1, &m, 1, 1) == 1, "nothing received");
	CHECK(m->pkt_len == sizeof(f), "len %u", m->pkt_len);
	CHECK(memcmp(rte_pktmbuf_mtod(m, void *), f, sizeof(f)) == 0, "data");
	CHECK((m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG))
	      == 0, "unexpected offload flags %" PRIx64, m->ol_flags);
	rte_pktmbuf_free(m);
	end = rte_get_timer_cycles() + rte_get_timer_hz();
	while (tq->completed == done && rte_get_timer_cycles() < end)
		avf_model_tx_reap(tq);
	CHECK(tq->completed == done + 1, "no completion written");
	return TEST_SUCCESS;
}

/* Guest checksum offload: flags on the mbuf, checksums completed in
 * software on the way back into the guest, L3L4P reported.
 */
static int
test_csum_roundtrip(void)
{
	struct avf_model_txq *tq = &model.txq[0];
	struct avf_model_rx_pkt rp;
	const uint32_t pay = 300, len = 54 + pay;
	struct rte_mbuf *m;
	uint64_t iova;
	uint8_t *buf;
	uint32_t off;

	buf = avf_model_tx_buf(tq, tq->next_to_use, &iova);
	build_tcp(buf, pay, false, &model.mac);
	off = (14 / 2) | ((20 / 4) << 7) | ((20 / 4) << 14);
	CHECK(avf_model_tx_data(tq, iova, len, IAVF_TX_DESC_CMD_EOP |
			IAVF_TX_DESC_CMD_RS | IAVF_TX_DESC_CMD_ICRC |
			IAVF_TX_DESC_CMD_IIPT_IPV4 |
			IAVF_TX_DESC_CMD_L4T_EOFT_TCP, off) == 0, "post");
	CHECK(avf_model_tx_kick(tq) == 0, "kick");
	CHECK(port_rx(0, &m, 1, 1) == 1, "nothing received");
	CHECK((m->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM &&
	      (m->ol_flags & RTE_MBUF_F_TX_IPV4), "flags %" PRIx64, m->ol_flags);
	CHECK(m->l2_len == 14 && m->l3_len == 20 && m->l4_len == 20,
	      "lens %u/%u/%u", m->l2_len, m->l3_len, m->l4_len);
	CHECK(port_tx(0, &m, 1) == 1, "port tx");
	CHECK(guest_rx(0, &rp, 1) == 1, "guest received nothing");
	CHECK(rp.eof && rp.len == len, "eof %d len %u", rp.eof, rp.len);
	CHECK(rp.ptype == 26, "ptype %u", rp.ptype);
	CHECK((rp.status & RTE_BIT32(IAVF_RX_DESC_STATUS_L3L4P_SHIFT)) &&
	      rp.error == 0, "status %#x error %#x", rp.status, rp.error);
	CHECK(frame_csum_ok(rp.data, rp.len), "bad checksum delivered");
	CHECK(memcmp(rp.data + 54, buf + 54, pay) == 0, "payload");
	avf_model_rx_post(&model.rxq[0], 1);
	avf_model_rx_kick(&model.rxq[0]);
	return TEST_SUCCESS;
}

/*
 * Checksum offload at every length the summing loops treat differently
 * (odd, 2 or 3 bytes past a 4-byte step, below and around 16 and 64 bytes,
 * a full frame; the SSE loop runs with --force-max-simd-bitwidth=128,
 * the AVX2 one otherwise on a CPU that has it), TCP with the
 * IPv4 header checksum requested too (IIPT_IPV4_CSUM) and UDP with a
 * garbage seed, and a UDP frame with Ethernet padding beyond the IP
 * length, which the L4 checksum must leave out.
 */
static int
test_csum_lengths(void)
{
	static const uint16_t pays[] = { 0, 1, 2, 15, 16, 17, 18, 47, 63, 64,
		65, 127, 130, 300, 1001, 1446 };
	struct avf_model_txq *tq = &model.txq[0];
	const uint32_t off = (14 / 2) | ((20 / 4) << 7);
	struct avf_model_rx_pkt rp;
	struct rte_mbuf *m;
	unsigned int i, udp;
	uint64_t iova;
	uint8_t *buf;

	for (udp = 0; udp < 2; udp++) {
		for (i = 0; i < RTE_DIM(pays) + udp; i++) {
			/* the UDP extra case: 1 byte padded to 60 */
			bool pad = i == RTE_DIM(pays);
			uint32_t pay = pad ? 1 : pays[i];
			uint32_t l4 = udp ? 8 : 20, len = 34 + l4 + pay;
			uint32_t cmd = IAVF_TX_DESC_CMD_EOP |
				IAVF_TX_DESC_CMD_RS | IAVF_TX_DESC_CMD_ICRC;
			struct rte_ipv4_hdr *ip;
			uint32_t k;

			buf = avf_model_tx_buf(tq, tq->next_to_use, &iova);
			ip = (void *)(buf + 14);
			if (udp) {
				avfbe_test_udp_frame(buf, len, &model.mac, 7,
						     4000, 4001);
				for (k = 0; k < pay; k++)
					buf[42 + k] = (uint8_t)(k * 13 + 5);
				/* any seed: the device takes it out */
				((struct rte_udp_hdr *)(ip + 1))->dgram_cksum =
					rte_cpu_to_be_16(0x1234);
				cmd |= IAVF_TX_DESC_CMD_IIPT_IPV4 |
					IAVF_TX_DESC_CMD_L4T_EOFT_UDP;
				if (pad) {
					memset(buf + len, 0xee, 60 - len);
					len = 60;
				}
			} else {
				build_tcp(buf, pay, false, &model.mac);
				/* the device computes it */
				ip->hdr_checksum = 0;
				cmd |= IAVF_TX_DESC_CMD_IIPT_IPV4_CSUM |
					IAVF_TX_DESC_CMD_L4T_EOFT_TCP;
			}
			CHECK(avf_model_tx_data(tq, iova, len, cmd,
					off | ((l4 / 4) << 14)) == 0, "post");
			CHECK(avf_model_tx_kick(tq) == 0, "kick");
			CHECK(port_rx(0, &m, 1, 1) == 1, "%s %u: nothing received",
			      udp ? "udp" : "tcp", pay);
			CHECK(port_tx(0, &m, 1) == 1, "port tx");
			CHECK(guest_rx(0, &rp, 1) == 1, "guest received nothing");
			CHECK(rp.eof && rp.len == len && rp.error == 0 &&
			      (rp.status &
			       RTE_BIT32(IAVF_RX_DESC_STATUS_L3L4P_SHIFT)),
			      "%s %u: len %u status %#x error %#x",
			      udp ? "udp" : "tcp", pay, rp.len, rp.status,
			      rp.error);
			ip = (void *)(rp.data + 14);
			CHECK(rte_raw_cksum(ip, 20) == 0xffff,
			      "%s %u: IPv4 header checksum", udp ? "udp" : "tcp",
			      pay);
			CHECK(rte_ipv4_udptcp_cksum_verify(ip, ip + 1) == 0,
			      "%s %u: L4 checksum", udp ? "udp" : "tcp", pay);
			CHECK(memcmp(rp.data + 34 + l4, buf + 34 + l4,
				     len - 34 - l4) == 0, "%s %u: payload",
			      udp ? "udp" : "tcp", pay);
			avf_model_rx_post(&model.rxq[0], 1);
			avf_model_rx_kick(&model.rxq[0]);
		}
	}
	return TEST_SUCCESS;
}

/*
 * Build a frame from the application side for test_csum_shapes(): IPv4
 * with ihl 32-bit words of header (5: none, 6: one option word) or IPv6,
 * then TCP or UDP with pay payload bytes; L4 checksum field seeded with
 * the pseudo header as an application asking for the offload leaves it.
 * Returns the mbuf with its Tx offload request set, or NULL.
 */
static struct rte_mbuf *
shape_frame(bool v6, uint32_t ihl, bool tcp, uint32_t pay, uint64_t fl)
{
	uint32_t l3 = v6 ? 40 : ihl * 4, l4 = tcp ? 20 : 8;
	uint32_t len = 14 + l3 + l4 + pay, i;
	struct rte_ether_hdr *eth;
	struct rte_mbuf *m;
	uint8_t *f, *p;

	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return NULL;
	f = (uint8_t *)rte_pktmbuf_append(m, len);
	memset(f, 0, 14 + l3 + l4);
	eth = (void *)f;
	rte_ether_addr_copy(&model.mac, &eth->dst_addr);
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 :
					   RTE_ETHER_TYPE_IPV4);
	p = f + 14 + l3;
	for (i = 0; i < pay; i++)
		p[l4 + i] = (uint8_t)(i * 11 + 1);
	((struct rte_udp_hdr *)p)->src_port = rte_cpu_to_be_16(5000);
	((struct rte_udp_hdr *)p)->dst_port = rte_cpu_to_be_16(6000);
	if (tcp) {
		((struct rte_tcp_hdr *)p)->data_off = 5 << 4;
		((struct rte_tcp_hdr *)p)->tcp_flags = RTE_TCP_ACK_FLAG;
	} else {
		((struct rte_udp_hdr *)p)->dgram_len =
			rte_cpu_to_be_16(l4 + pay);
	}
	if (v6) {
		struct rte_ipv6_hdr *ip6 = (void *)(f + 14);

		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16(l4 + pay);
		ip6->proto = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		ip6->hop_limits = 64;
		memset(&ip6->src_addr, 0x11, 16);
		memset(&ip6->dst_addr, 0x22, 16);
		*(rte_be16_t *)(p + (tcp ? 16 : 6)) =
			rte_ipv6_phdr_cksum(ip6, 0);
	} else {
		struct rte_ipv4_hdr *ip = (void *)(f + 14);

		ip->version_ihl = 0x40 | ihl;
		ip->time_to_live = 64;
		ip->next_proto_id = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		ip->total_length = rte_cpu_to_be_16(l3 + l4 + pay);
		ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 1, 0, 1));
		ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 1, 0, 2));
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		*(rte_be16_t *)(p + (tcp ? 16 : 6)) =
			rte_ipv4_phdr_cksum(ip, 0);
	}
	m->ol_flags = fl | (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) |
		(tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
	m->l2_len = 14;
	m->l3_len = l3;
	m->l4_len = l4;
	return m;
}

/*
 * Checksum requests from the application in each shape the Tx path tells
 * apart: IPv4 without options and IPv6, TCP and UDP (the common shape,
 * checked by a few loads), IPv4 with an option word (the general checks),
 * an IPv4 header whose checksum the sender got wrong and did not ask to
 * have computed (L4 completed, IPE reported), and lengths that contradict
 * the header (dropped and counted as invalid).
 */
static int
test_csum_shapes(void)
{
	static const struct {
		bool v6;
		uint32_t ihl;
		bool tcp;
		uint8_t ptype;
	} shapes[] = {
		{ false, 5, false, 24 }, { false, 5, true, 26 },
		{ true, 0, false, 90 }, { true, 0, true, 92 },
		{ false, 6, false, 24 }, { false, 6, true, 26 },
	};
	static const uint32_t pays[] = { 0, 1, 29, 200, 1401 };
	uint64_t invalid = avfbe_test_xstat(port, "tx_q0_invalid_drops");
	struct avf_model_rx_pkt rp;
	struct rte_mbuf *m;
	unsigned int i, k;
	bool ok;

	CHECK(invalid != UINT64_MAX, "no xstat tx_q0_invalid_drops");
	for (i = 0; i < RTE_DIM(shapes); i++) {
		for (k = 0; k < RTE_DIM(pays); k++) {
			const uint8_t *l3;

			m = shape_frame(shapes[i].v6, shapes[i].ihl,
					shapes[i].tcp, pays[k], 0);
			CHECK(m != NULL, "mbuf");
			CHECK(port_tx(0, &m, 1) == 1, "port tx");
			CHECK(guest_rx(0, &rp, 1) == 1, "shape %u pay %u: guest "
			      "received nothing", i, pays[k]);
			l3 = rp.data + 14;
			ok = shapes[i].v6 ?
				rte_ipv6_udptcp_cksum_verify((const void *)l3,
							     l3 + 40) == 0 :
				rte_ipv4_udptcp_cksum_verify((const void *)l3,
					l3 + shapes[i].ihl * 4) == 0;
			CHECK(ok, "shape %u pay %u: L4 checksum", i, pays[k]);
			CHECK(rp.ptype == shapes[i].ptype && rp.error == 0 &&
			      (rp.status &
			       RTE_BIT32(IAVF_RX_DESC_STATUS_L3L4P_SHIFT)),
			      "shape %u pay %u: ptype %u status %#x error %#x",
			      i, pays[k], rp.ptype, rp.status, rp.error);
			avf_model_rx_post(&model.rxq[0], 1);
			avf_model_rx_kick(&model.rxq[0]);
		}
	}

	/* a wrong IPv4 header checksum the sender did not ask to compute */
	m = shape_frame(false, 5, false, 10, 0);
	CHECK(m != NULL, "mbuf");
	rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14)->hdr_checksum ^=
		RTE_BE16(0x0101);
	CHECK(port_tx(0, &m, 1) == 1, "port tx");
	CHECK(guest_rx(0, &rp, 1) == 1, "guest received nothing");
	CHECK(rte_ipv4_udptcp_cksum_verify((const void *)(rp.data + 14),
					   rp.data + 34) == 0, "L4 checksum");
	CHECK((rp.status & RTE_BIT32(IAVF_RX_DESC_STATUS_L3L4P_SHIFT)) &&
	      (rp.error & RTE_BIT32(IAVF_RX_DESC_ERROR_IPE_SHIFT)),
	      "bad IPv4 header not reported: status %#x error %#x",
	      rp.status, rp.error);
	avf_model_rx_post(&model.rxq[0], 1);
	avf_model_rx_kick(&model.rxq[0]);

	/* l3_len 20 for a header of 24 bytes; a protocol the header does
	 * not carry: dropped, never delivered with a wrong checksum
	 */
	m = shape_frame(false, 6, true, 10, 0);
	CHECK(m != NULL, "mbuf");
	m->l3_len = 20;
	CHECK(port_tx(0, &m, 1) == 1, "port tx");
	m = shape_frame(true, 0, false, 10, 0);
	CHECK(m != NULL, "mbuf");
	m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_TX_L4_MASK) |
		RTE_MBUF_F_TX_TCP_CKSUM;
	CHECK(port_tx(0, &m, 1) == 1, "port tx");
	CHECK(guest_rx(0, &rp, 1) == 0, "a contradicting request delivered");
	CHECK(avfbe_test_xstat(port, "tx_q0_invalid_drops") == invalid + 2,
	      "invalid_drops +%" PRIu64 ", expected 2",
	      avfbe_test_xstat(port, "tx_q0_invalid_drops") - invalid);
	return TEST_SUCCESS;
}

/*
 * Software TSO of an application's frame in a chain of odd-sized segments:
 * each TCP segment's payload is summed while it is copied, segment by
 * segment of the chain, and a piece that starts at an odd payload offset
 * counts byte-swapped. Every guest segment must carry a right checksum,
 * the right payload bytes and sequence number.
 */
static int
test_tso_odd_chain(void)
{
	static const uint16_t pieces[] = { 61, 333, 1, 777, 1001, 2, 455 };
	const uint32_t mss = 500;
	struct avf_model_rx_pkt rp[8];
	struct rte_mbuf *m = NULL, *seg;
	uint32_t total = 0, pay, nseg, i, k, seq;
	uint8_t frame[2700];

	for (i = 0; i < RTE_DIM(pieces); i++)
		total += pieces[i];
	pay = total - 54;
	nseg = (pay + mss - 1) / mss;
	CHECK(total <= sizeof(frame) && nseg <= RTE_DIM(rp), "test sizes");
	build_tcp(frame, pay, true, &model.mac);
	for (i = 0, k = 0; i < RTE_DIM(pieces); k += pieces[i], i++) {
		seg = rte_pktmbuf_alloc(pool);
		CHECK(seg != NULL, "mbuf");
		memcpy(rte_pktmbuf_append(seg, pieces[i]), frame + k,
		       pieces[i]);
		if (m == NULL)
			m = seg;
		else
			CHECK(rte_pktmbuf_chain(m, seg) == 0, "chain");
	}
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
		RTE_MBUF_F_TX_TCP_SEG;
	m->l2_len = 14;
	m->l3_len = 20;
	m->l4_len = 20;
	m->tso_segsz = mss;
	CHECK(port_tx(0, &m, 1) == 1, "port tx");
	CHECK(guest_rx(0, rp, nseg) == nseg, "guest got fewer segments");
	for (i = 0, seq = 1000; i < nseg; i++) {
		const struct rte_tcp_hdr *tcp = (const void *)(rp[i].data + 34);
		const struct rte_ipv4_hdr *ip = (const void *)(rp[i].data + 14);
		uint32_t len = RTE_MIN(mss, pay - (seq - 1000));

		CHECK(rp[i].eof && rp[i].len == 54 + len, "seg %u len %u", i,
		      rp[i].len);
		CHECK(rte_be_to_cpu_16(ip->total_length) == 40 + len &&
		      rte_raw_cksum(ip, 20) == 0xffff, "seg %u IPv4 header", i);
		CHECK(rte_ipv4_udptcp_cksum_verify(ip, tcp) == 0,
		      "seg %u TCP checksum", i);
		CHECK(rte_be_to_cpu_32(tcp->sent_seq) == seq, "seg %u seq", i);
		CHECK(memcmp(rp[i].data + 54, frame + 54 + (seq - 1000), len) ==
		      0, "seg %u payload", i);
		seq += len;
	}
	avf_model_rx_post(&model.rxq[0], nseg);
	avf_model_rx_kick(&model.rxq[0]);
	return TEST_SUCCESS;
}

/*
 * Send one IPv4 frame (TCP or UDP, the given addresses and ports) from the
 * port to guest queue 0 and return the hash its write-back reports, or
 * UINT64_MAX when it reports none.
 */
static uint64_t
rss_of_frame(bool tcp, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp)
{
	struct avf_model_rx_pkt rp;
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *m;
	uint32_t len = tcp ? 54 + 10 : 42 + 22;
	uint64_t hash = UINT64_MAX;
	uint8_t *f;

	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return UINT64_MAX - 1;
	f = (uint8_t *)rte_pktmbuf_append(m, len);
	if (tcp)
		build_tcp(f, 10, false, &model.mac);
	else
		avfbe_test_udp_frame(f, len, &model.mac, 9, 0, 0);
	ip = (void *)(f + 14);
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	/* source and destination port lead TCP and UDP headers alike */
	((struct rte_udp_hdr *)(ip + 1))->src_port = rte_cpu_to_be_16(sp);
	((struct rte_udp_hdr *)(ip + 1))->dst_port = rte_cpu_to_be_16(dp);
	if (port_tx(0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return UINT64_MAX - 1;
	}
	if (guest_rx(0, &rp, 1) != 1)
		return UINT64_MAX - 1;
	if (((rp.status >> IAVF_RX_DESC_STATUS_FLTSTAT_SHIFT) & 3) ==
	    IAVF_RX_DESC_FLTSTAT_RSS_HASH)
		hash = rp.rss;
	avf_model_rx_post(&model.rxq[0], 1);
	avf_model_rx_kick(&model.rxq[0]);
	return hash;
}

/*
 * The RSS hash the guest reads is the Toeplitz hash (rte_softrss(), the
 * reference) of the address and port tuple under the key the guest
 * configured, for random tuples, and follows a key change at once.
 */
static int
test_rss_hash(void)
{
	alignas(4) uint8_t key[64];
	uint8_t buf[sizeof(struct virtchnl_rss_key) + 64];
	struct virtchnl_rss_key *vrk = (void *)buf;
	uint16_t key_len = model.vf_res->rss_key_size;
	unsigned int round, i;

	CHECK(key_len >= 40 && key_len <= sizeof(key), "key size %u", key_len);
	for (round = 0; round < 2; round++) {
		if (round == 1) {
			/* a new key from the guest */
			for (i = 0; i < key_len; i++)
				model.rss_key[i] = (uint8_t)rte_rand();
			memset(buf, 0, sizeof(buf));
			vrk->vsi_id = model.vsi_id;
			vrk->key_len = key_len;
			memcpy(vrk->key, model.rss_key, key_len);
			CHECK(avf_model_vc_call(&model, VIRTCHNL_OP_CONFIG_RSS_KEY,
					buf, sizeof(*vrk) + key_len - 1,
					1000) == 0,
			      "CONFIG_RSS_KEY");
		}
		memcpy(key, model.rss_key, key_len);
		for (i = 0; i < 64; i++) {
			union rte_thash_tuple t;
			bool tcp = i & 1;
			uint64_t got;
			uint32_t want;

			t.v4.src_addr = (uint32_t)rte_rand();
			t.v4.dst_addr = (uint32_t)rte_rand();
			t.v4.sport = (uint16_t)rte_rand();
			t.v4.dport = (uint16_t)rte_rand();
			want = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN,
					   key);
			got = rss_of_frame(tcp, t.v4.src_addr, t.v4.dst_addr,
					   t.v4.sport, t.v4.dport);
			CHECK(got == want, "key %u, %s %08x:%u -> %08x:%u: hash "
			      "%#" PRIx64 ", Toeplitz %#x", round,
			      tcp ? "TCP" : "UDP", t.v4.src_addr, t.v4.sport,
			      t.v4.dst_addr, t.v4.dport, got, want);
		}
	}
	return TEST_SUCCESS;
}

#define RSS_T_QUEUES 4

/*
 * Device RSS (rss=device, the default): a port whose guest enabled RSS on
 * 4 queues puts each frame sent on its Tx queue 0 on the guest queue the
 * guest's lookup table gives for the frame's Toeplitz hash (entry
 * hash & 63, as the hardware indexes a 64-entry table), with that hash in
 * the write-back; a frame the guest does not hash (ARP) goes to queue 0.
 */
static int
test_device_rss(void)
{
	static struct avf_model m2;
	struct avf_model_conf mconf;
	struct rte_eth_conf conf;
	alignas(4) uint8_t key[64];
	char path[128], args[256];
	unsigned int i, used = 0, ret = TEST_FAILED;
	uint16_t p2, q;
	bool m2_ready = false, port_made = false;

	snprintf(path, sizeof(path), "/tmp/avfbe_rss_%d.sock", (int)getpid());
	snprintf(args, sizeof(args), "path=%s,queues=%u,id=9", path,
		 RSS_T_QUEUES);
	if (rte_vdev_init("net_avfbe_rss", args) != 0) {
		printf("cannot create net_avfbe_rss\n");
		goto out;
	}
	port_made = true;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_get_port_by_name("net_avfbe_rss", &p2) != 0 ||
	    rte_eth_dev_configure(p2, RSS_T_QUEUES, RSS_T_QUEUES, &conf) != 0)
		goto out;
	for (q = 0; q < RSS_T_QUEUES; q++)
		if (rte_eth_rx_queue_setup(p2, q, 256, SOCKET_ID_ANY, NULL,
					   pool) != 0 ||
		    rte_eth_tx_queue_setup(p2, q, 256, SOCKET_ID_ANY, NULL) != 0)
			goto out;
	if (rte_eth_dev_start(p2) != 0)
		goto out;
	memset(&mconf, 0, sizeof(mconf));
	mconf.path = path;
	if (avf_model_init(&m2, &mconf) != 0)
		goto out;
	m2_ready = true;
	if (avf_model_connect(&m2) != 0 ||
	    avf_model_linux_probe(&m2, AVF_MODEL_LINUX_CAPS) != 0 ||
	    avf_model_linux_open(&m2, RSS_T_QUEUES, 256) != 0) {
		printf("second guest did not come up\n");
		goto out;
	}
	memcpy(key, m2.rss_key, sizeof(key));

	for (i = 0; i <= 64; i++) {
		/* 64 random TCP/UDP tuples, then one ARP frame */
		bool arp = i == 64, tcp = i & 1;
		struct avf_model_rx_pkt rp;
		union rte_thash_tuple t;
		struct rte_ipv4_hdr *ip;
		struct rte_mbuf *m;
		uint32_t len = 64, hash = 0, want_q = 0;
		uint64_t end;
		uint16_t got = 0, k;
		uint8_t *f;

		memset(&t, 0, sizeof(t));
		m = rte_pktmbuf_alloc(pool);
		CHECK(m != NULL, "mbuf");
		f = (uint8_t *)rte_pktmbuf_append(m, len);
		if (arp) {
			memset(f, 0, len);
			memset(f, 0xff, RTE_ETHER_ADDR_LEN);
			f[12] = 0x08;
			f[13] = 0x06;
		} else {
			t.v4.src_addr = (uint32_t)rte_rand();
			t.v4.dst_addr = (uint32_t)rte_rand();
			t.v4.sport = (uint16_t)rte_rand();
			t.v4.dport = (uint16_t)rte_rand();
			if (tcp)
				build_tcp(f, len - 54, false, &m2.mac);
			else
				avfbe_test_udp_frame(f, len, &m2.mac, 9, 0, 0);
			ip = (void *)(f + 14);
			ip->src_addr = rte_cpu_to_be_32(t.v4.src_addr);
			ip->dst_addr = rte_cpu_to_be_32(t.v4.dst_addr);
			((struct rte_udp_hdr *)(ip + 1))->src_port =
				rte_cpu_to_be_16(t.v4.sport);
			((struct rte_udp_hdr *)(ip + 1))->dst_port =
				rte_cpu_to_be_16(t.v4.dport);
			hash = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN,
					   key);
			want_q = m2.rss_lut[hash & 63];
		}
		CHECK(rte_eth_tx_burst(p2, 0, &m, 1) == 1, "port tx %u", i);
		end = rte_get_timer_cycles() +
			rte_get_timer_hz() * AVFBE_T_WAIT_MS / 1000;
		while (got == 0 && rte_get_timer_cycles() < end)
			for (k = 0; k < RSS_T_QUEUES && got == 0; k++) {
				got = avf_model_rx_reap(&m2.rxq[k], &rp, 1);
				if (got != 0)
					q = k;
			}
		CHECK(got == 1, "frame %u not received", i);
		CHECK(q == want_q, "frame %u (%s): guest queue %u, the guest's table says %u (hash %#x)",
		      i, arp ? "ARP" : tcp ? "TCP" : "UDP", q, want_q, hash);
		if (!arp)
			CHECK(((rp.status >> IAVF_RX_DESC_STATUS_FLTSTAT_SHIFT) &
			       3) == IAVF_RX_DESC_FLTSTAT_RSS_HASH &&
			      rp.rss == hash, "frame %u: hash %#x, want %#x",
			      i, rp.rss, hash);
		used |= RTE_BIT32(q);
		avf_model_rx_post(&m2.rxq[q], 1);
		avf_model_rx_kick(&m2.rxq[q]);
	}
	/* 64 random flows over 4 queues: all of them (1 - 4 * 0.75^64) */
	CHECK(used == RTE_BIT32(RSS_T_QUEUES) - 1, "queues used %#x", used);

	/*
	 * The guest narrows to queue 0 (its table all 0, queues 1-3
	 * disabled), as a 1-vCPU guest does on a 4-queue device: what the
	 * application sends on port queue 3 reaches guest queue 0.
	 */
	{
		uint8_t lbuf[sizeof(struct virtchnl_rss_lut) + 64];
		struct virtchnl_rss_lut *vrl = (void *)lbuf;
		struct avf_model_rx_pkt rp;
		struct rte_mbuf *m;
		uint64_t end;
		uint16_t got = 0;

		memset(lbuf, 0, sizeof(lbuf));
		vrl->vsi_id = m2.vsi_id;
		vrl->lut_entries = 64;
		CHECK(avf_model_vc_call(&m2, VIRTCHNL_OP_CONFIG_RSS_LUT, lbuf,
				sizeof(*vrl) + 64 - 1, 1000) == 0, "LUT all 0");
		CHECK(avf_model_vc_queues(&m2, false, 0xe, 0xe) == 0,
		      "disable queues 1-3");
		m = rte_pktmbuf_alloc(pool);
		CHECK(m != NULL, "mbuf");
		avfbe_test_udp_frame((uint8_t *)rte_pktmbuf_append(m, 64), 64,
				     &m2.mac, 9, 1000, 2000);
		CHECK(rte_eth_tx_burst(p2, 3, &m, 1) == 1,
		      "port queue 3 refused a frame for guest queue 0");
		end = rte_get_timer_cycles() +
			rte_get_timer_hz() * AVFBE_T_WAIT_MS / 1000;
		while (got == 0 && rte_get_timer_cycles() < end)
			got = avf_model_rx_reap(&m2.rxq[0], &rp, 1);
		CHECK(got == 1, "frame from port queue 3 not on guest queue 0");
	}
	ret = TEST_SUCCESS;
out:
	if (m2_ready)
		avf_model_fini(&m2);
	if (port_made) {
		if (rte_eth_dev_get_port_by_name("net_avfbe_rss", &p2) == 0) {
			rte_eth_dev_stop(p2);
			rte_eth_dev_close(p2);
		}
		rte_vdev_uninit("net_avfbe_rss");
	}
	return ret;
}

/* Guest TSO (context descriptor, 2 data descriptors) becomes one TCP_SEG
 * mbuf; the port's Tx segments it into valid MSS-sized frames.
 */
static int
test_tso_roundtrip(void)
{
	struct avf_model_txq *tq = &model.txq[0];
	const uint32_t pay = 3500, mss = 1200, nseg = 3;
	struct avf_model_rx_pkt rp[8];
	struct rte_mbuf *m;
	uint32_t off, i, seq;
	uint64_t iova;
	uint8_t *buf;

	iova = avf_model_alloc(&model, 54 + pay, 64, (void **)&buf);
	CHECK(iova != 0 && buf != NULL, "alloc");
	build_tcp(buf, pay, true, &model.mac);
	off = (14 / 2) | ((20 / 4) << 7) | ((20 / 4) << 14);
	CHECK(avf_model_tx_ctx_tso(tq, pay, mss) == 0, "ctx");
	CHECK(avf_model_tx_data(tq, iova, 1000, IAVF_TX_DESC_CMD_ICRC |
			IAVF_TX_DESC_CMD_IIPT_IPV4_CSUM |
			IAVF_TX_DESC_CMD_L4T_EOFT_TCP, off) == 0, "data 1");
	CHECK(avf_model_tx_data(tq, iova + 1000, 54 + pay - 1000,
			IAVF_TX_DESC_CMD_EOP | IAVF_TX_DESC_CMD_RS |
			IAVF_TX_DESC_CMD_ICRC | IAVF_TX_DESC_CMD_IIPT_IPV4_CSUM |
			IAVF_TX_DESC_CMD_L4T_EOFT_TCP, off) == 0, "data 2");
	CHECK(avf_model_tx_kick(tq) == 0, "kick");
	CHECK(port_rx(0, &m, 1, 1) == 1, "nothing received");
	CHECK(m->pkt_len == 54 + pay, "len %u", m->pkt_len);
	CHECK((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) && m->tso_segsz == mss,
	      "flags %" PRIx64 " mss %u", m->ol_flags, m->tso_segsz);
	/* the length iavf_tso() zeroed is back, the header checksum right */
	CHECK(rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
			14)->total_length) == 40 + pay &&
	      rte_raw_cksum(rte_pktmbuf_mtod_offset(m, void *, 14), 20) ==
			0xffff,
	      "IPv4 total length %u",
	      rte_be_to_cpu_16(rte_pktmbuf_mtod_offset(m,
			struct rte_ipv4_hdr *, 14)->total_length));
	CHECK(port_tx(0, &m, 1) == 1, "port tx");
	CHECK(guest_rx(0, rp, nseg) == nseg, "guest got fewer segments");
	for (i = 0, seq = 1000; i < nseg; i++) {
		const struct rte_tcp_hdr *tcp = (const void *)(rp[i].data + 34);
		uint32_t seg = i < nseg - 1 ? mss : pay - 2 * mss;

		CHECK(rp[i].eof && rp[i].len == 54 + seg, "seg %u len %u", i,
		      rp[i].len);
		CHECK(frame_csum_ok(rp[i].data, rp[i].len), "seg %u checksum", i);
		CHECK(rte_be_to_cpu_32(tcp->sent_seq) == seq, "seg %u seq", i);
		CHECK(((tcp->tcp_flags & RTE_TCP_PSH_FLAG) != 0) ==
		      (i == nseg - 1), "seg %u PSH", i);
		CHECK(memcmp(rp[i].data + 54, buf + 54 + (seq - 1000), seg) == 0,
		      "seg %u payload", i);
		seq += seg;
	}
	avf_model_rx_post(&model.rxq[0], nseg);
	avf_model_rx_kick(&model.rxq[0]);
	return TEST_SUCCESS;
}

/* A port mbuf: the frame f (len bytes) with an 802.1Q tag tci inserted
 * after its MAC addresses, or untagged with tci as a TX_VLAN request.
 */
static struct rte_mbuf *
vlan_mbuf(const uint8_t *f, uint32_t len, uint16_t tci, bool request)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, len + (request ? 0 : 4));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (request) {
		memcpy(p, f, len);
		m->ol_flags |= RTE_MBUF_F_TX_VLAN;
		m->vlan_tci = tci;
		return m;
	}
	memcpy(p, f, 12);
	p[12] = 0x81;
	p[13] = 0x00;
	p[14] = tci >> 8;
	p[15] = tci & 0xff;
	memcpy(p + 16, f + 12, len - 12);
	return m;
}

/* The guest's frame is f with the 802.1Q tag tci after the addresses. */
static bool
frame_tagged(const uint8_t *g, uint32_t glen, const uint8_t *f,
		uint32_t len, uint16_t tci)
{
	return glen == len + 4 && memcmp(g, f, 12) == 0 &&
		g[12] == 0x81 && g[13] == 0x00 &&
		((g[14] << 8) | g[15]) == tci &&
		memcmp(g + 16, f + 12, len - 12) == 0;
}

/* The guest received f with its tag stripped to the descriptor. */
static bool
guest_got_stripped(const struct avf_model_rx_pkt *rp, const uint8_t *f,
		uint32_t len, uint16_t tci)
{
	return rp->eof && rp->len == len && memcmp(rp->data, f, len) == 0 &&
		(rp->status & RTE_BIT32(IAVF_RX_DESC_STATUS_L2TAG1P_SHIFT)) &&
		rp->l2tag1 == tci;
}

/* The guest sends frame f on its Tx queue 0 asking the device to insert
 * the VLAN tag tci (IL2TAG1); returns 0 or the model's error.
 */
static int
guest_tx_tagged(const uint8_t *f, uint16_t len, uint16_t tci)
{
	struct avf_model_txq *tq = &model.txq[0];
	uint64_t iova;
	uint8_t *buf;
	int ret;

	buf = avf_model_tx_buf(tq, tq->next_to_use, &iova);
	memcpy(buf, f, len);
	ret = avf_model_tx_data_tag(tq, iova, len, IAVF_TX_DESC_CMD_EOP |
			IAVF_TX_DESC_CMD_RS | IAVF_TX_DESC_CMD_ICRC |
			IAVF_TX_DESC_CMD_IL2TAG1, 0, tci);
	return ret != 0 ? ret : avf_model_tx_kick(tq);
}

static void
guest_rx_repost(uint16_t q, uint16_t n)
{
	avf_model_rx_post(&model.rxq[q], n);
	avf_model_rx_kick(&model.rxq[q]);
}

/*
 * VLAN offload (virtchnl v1). Guest -> port: a tag the guest asks the
 * device to insert (IL2TAG1) is in the frame, or in vlan_tci with the
 * port's VLAN strip. Port -> guest: tags in the frame or requested with
 * RTE_MBUF_F_TX_VLAN are stripped to the descriptor (L2TAG1P, the
 * default) or left in / inserted into the frame with stripping off;
 * once the guest added a VLAN, frames of other VLANs are filtered and
 * counted.
 */
static int
test_vlan(void)
{
	const uint16_t tci = (1 << 13) | 100;  /* priority 1, VLAN 100 */
	const uint32_t len = 120;
	uint64_t filt = avfbe_test_xstat(port, "tx_q0_vlan_filtered");
	uint64_t ins = avfbe_test_xstat(port, "rx_q0_vlan_insert_packets");
	uint64_t strip = avfbe_test_xstat(port, "tx_q0_vlan_strip_packets");
	struct avf_model_rx_pkt rp[2];
	struct rte_mbuf *m[2];
	uint8_t f[120];

	CHECK(model.caps & VIRTCHNL_VF_OFFLOAD_VLAN, "VLAN offload not granted (caps %#x)",
	      model.caps);
	build_tcp(f, len - 54, false, &model.mac);

	/* guest Tx, IL2TAG1: the port receives the tag in the frame */
	CHECK(guest_tx_tagged(f, len, tci) == 0, "guest tx");
	CHECK(port_rx(0, m, 1, 1) == 1, "nothing received");
	CHECK(frame_tagged(rte_pktmbuf_mtod(m[0], uint8_t *), m[0]->pkt_len,
			   f, len, tci), "tag not inserted (len %u)", m[0]->pkt_len);
	/* and back: no VLAN added yet, any tag passes; stripping is on */
	CHECK(port_tx(0, m, 1) == 1, "port tx");
	CHECK(guest_rx(0, rp, 1) == 1, "guest received nothing");
	CHECK(guest_got_stripped(&rp[0], f, len, tci),
	      "not stripped: len %u status %#x tag %#x", rp[0].len,
	      rp[0].status, rp[0].l2tag1);
	CHECK(avfbe_test_xstat(port, "rx_q0_vlan_insert_packets") == ins + 1 &&
	      avfbe_test_xstat(port, "tx_q0_vlan_strip_packets") == strip + 1,
	      "VLAN offload counters");
	guest_rx_repost(0, 1);

	/* the guest adds VLAN 100: VLAN 200 is filtered, 100 passes */
	CHECK(avf_model_vc_vlan(&model, true, 100) == 0, "ADD_VLAN");
	m[0] = vlan_mbuf(f, len, 200, false);
	m[1] = vlan_mbuf(f, len, tci, false);
	CHECK(m[0] != NULL && m[1] != NULL, "alloc");
	CHECK(port_tx(0, m, 2) == 2, "port tx");
	CHECK(guest_rx(0, rp, 2) == 1, "VLAN 200 not filtered");
	CHECK(guest_got_stripped(&rp[0], f, len, tci), "VLAN 100 frame");
	CHECK(avfbe_test_xstat(port, "tx_q0_vlan_filtered") == filt + 1,
	      "filtered count");
	guest_rx_repost(0, 1);

	/* stripping off: the tag stays in the frame; a TX_VLAN request is
	 * inserted into it
	 */
	CHECK(avf_model_vc_vlan_strip(&model, false) == 0, "DISABLE_VLAN_STRIPPING");
	m[0] = vlan_mbuf(f, len, tci, false);
	m[1] = vlan_mbuf(f, len, tci, true);
	CHECK(m[0] != NULL && m[1] != NULL, "alloc");
	CHECK(port_tx(0, m, 2) == 2, "port tx");
	CHECK(guest_rx(0, rp, 2) == 2, "guest received %s", "fewer than 2");
	CHECK(frame_tagged(rp[0].data, rp[0].len, f, len, tci) &&
	      !(rp[0].status & RTE_BIT32(IAVF_RX_DESC_STATUS_L2TAG1P_SHIFT)),
	      "tag in frame: len %u status %#x", rp[0].len, rp[0].status);
	CHECK(frame_tagged(rp[1].data, rp[1].len, f, len, tci),
	      "TX_VLAN request not inserted (len %u)", rp[1].len);
	guest_rx_repost(0, 2);

	/* the port's VLAN strip: the guest's tag arrives in vlan_tci */
	CHECK(rte_eth_dev_set_vlan_offload(port, RTE_ETH_VLAN_STRIP_OFFLOAD) == 0,
	      "port VLAN strip");
	CHECK(guest_tx_tagged(f, len, tci) == 0, "guest tx");
	CHECK(port_rx(0, m, 1, 1) == 1, "nothing received");
	CHECK((m[0]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) &&
	      m[0]->vlan_tci == tci && m[0]->pkt_len == len &&
	      memcmp(rte_pktmbuf_mtod(m[0], void *), f, len) == 0,
	      "flags %#" PRIx64 " tci %#x len %u", m[0]->ol_flags,
	      m[0]->vlan_tci, m[0]->pkt_len);
	rte_pktmbuf_free(m[0]);

	CHECK(rte_eth_dev_set_vlan_offload(port, 0) == 0, "port VLAN strip off");
	CHECK(avf_model_vc_vlan_strip(&model, true) == 0, "ENABLE_VLAN_STRIPPING");
	CHECK(avf_model_vc_vlan(&model, false, 100) == 0, "DEL_VLAN");
	return TEST_SUCCESS;
}

/* Frames for other addresses are filtered, oversize ones dropped. */
static int
test_filter_oversize(void)
{
	struct rte_ether_addr other = {{ 0x02, 0, 0, 0, 0x99, 0x99 }};
	struct avf_model_rx_pkt rp;
	uint64_t filt = avfbe_test_xstat(port, "tx_q1_mac_filtered");
	uint64_t over = avfbe_test_xstat(port, "tx_q1_oversize_drops");
	struct rte_mbuf *m[2];
	uint8_t *p0, *p1;

	m[0] = rte_pktmbuf_alloc(pool);
	m[1] = rte_pktmbuf_alloc(pool);
	CHECK(m[0] != NULL && m[1] != NULL, "alloc");
	p0 = (uint8_t *)rte_pktmbuf_append(m[0], 100);
	p1 = (uint8_t *)rte_pktmbuf_append(m[1], 2000);
	CHECK(p0 != NULL && p1 != NULL, "append");
	build_tcp(p0, 46, false, &other);
	build_tcp(p1, 1946, false, &model.mac);
	CHECK(port_tx(1, m, 2) == 2, "port tx");
	CHECK(avfbe_test_xstat(port, "tx_q1_mac_filtered") == filt + 1, "filtered count");
	CHECK(avfbe_test_xstat(port, "tx_q1_oversize_drops") == over + 1, "oversize count");
	CHECK(guest_rx(1, &rp, 1) == 0, "guest got a dropped frame");
	return TEST_SUCCESS;
}

/* Broken guest input is dropped and counted, its descriptors completed. */
static int
test_bad_guest_input(void)
{
	struct avf_model_txq *tq = &model.txq[1];
	uint64_t bad = avfbe_test_xstat(port, "rx_q1_bad_desc_drops");
	uint64_t tails = avfbe_test_xstat(port, "rx_q1_bad_tail");
	uint64_t done = tq->completed;
	struct rte_mbuf *m;
	uint64_t end;
	int i;

	/* a buffer outside guest memory */
	CHECK(avf_model_tx_data(tq, 0x1000, 100, IAVF_TX_DESC_CMD_EOP |
			IAVF_TX_DESC_CMD_RS, 0) == 0, "post");
	/* a chain of 9 data descriptors without EOP, then EOP */
	for (i = 0; i < 9; i++) {
		uint64_t iova;

		avf_model_tx_buf(tq, tq->next_to_use, &iova);
		CHECK(avf_model_tx_data(tq, iova, 64, i == 8 ?
				IAVF_TX_DESC_CMD_EOP | IAVF_TX_DESC_CMD_RS : 0,
				0) == 0, "post chain");
	}
	CHECK(avf_model_tx_kick(tq) == 0, "kick");
	end = rte_get_timer_cycles() + rte_get_timer_hz();
	while (avfbe_test_xstat(port, "rx_q1_bad_desc_drops") < bad + 2 &&
	       rte_get_timer_cycles() < end)
		if (rte_eth_rx_burst(port, 1, &m, 1) != 0)
			rte_pktmbuf_free(m);
	/* 9-descriptor chain: 8 dropped as a broken chain, the 9th (EOP,
	 * 64 bytes) is a frame of its own
	 */
	CHECK(avfbe_test_xstat(port, "rx_q1_bad_desc_drops") >= bad + 2, "bad desc count %" PRIu64
	      " -> %" PRIu64, bad, avfbe_test_xstat(port, "rx_q1_bad_desc_drops"));
	while (tq->completed < done + 2 && rte_get_timer_cycles() < end)
		avf_model_tx_reap(tq);
	CHECK(tq->completed == done + 2, "bad packets not completed");

	/* a tail past the ring */
	CHECK(avf_model_wr32(&model, IAVF_QTX_TAIL1(1), 4000) == 0, "tail");
	end = rte_get_timer_cycles() + rte_get_timer_hz();
	while (avfbe_test_xstat(port, "rx_q1_bad_tail") == tails && rte_get_timer_cycles() < end)
		CHECK(rte_eth_rx_burst(port, 1, &m, 1) == 0, "rx past tail");
	CHECK(avfbe_test_xstat(port, "rx_q1_bad_tail") == tails + 1, "bad tail not counted");
	CHECK(avf_model_tx_kick(tq) == 0, "restore tail");
	return TEST_SUCCESS;
}

/*
 * MACLEN counts 2-byte words in 7 bits (up to 254 bytes) but the mbuf's
 * l2_len has 7 bits (up to 127): a header length the mbuf cannot carry
 * is a bad descriptor, for TSO as for checksum offload.
 */
static int
test_maclen_too_long(void)
{
	struct avf_model_txq *tq = &model.txq[0];
	const uint32_t csum_len = 400, tso_pay = 2000, mss = 1000;
	const uint32_t hdr = 254 + 20 + 20;
	const uint32_t cmd = IAVF_TX_DESC_CMD_ICRC |
		IAVF_TX_DESC_CMD_IIPT_IPV4_CSUM | IAVF_TX_DESC_CMD_L4T_EOFT_TCP;
	uint64_t bad = avfbe_test_xstat(port, "rx_q0_bad_desc_drops");
	uint32_t long_off = 127 | ((20 / 4) << 7) | ((20 / 4) << 14);
	uint32_t good_off = (14 / 2) | ((20 / 4) << 7) | ((20 / 4) << 14);
	struct rte_mbuf *m;
	uint16_t got = 0;
	uint64_t iova, end;
	uint8_t *buf;

	/* checksum offload, 400-byte frame, MACLEN 254 bytes */
	buf = avf_model_tx_buf(tq, tq->next_to_use, &iova);
	build_tcp(buf, csum_len - 54, false, &model.mac);
	CHECK(avf_model_tx_data(tq, iova, csum_len, IAVF_TX_DESC_CMD_EOP |
			IAVF_TX_DESC_CMD_RS | cmd, long_off) == 0, "post csum");
	/* TSO, headers of 294 bytes by MACLEN */
	iova = avf_model_alloc(&model, hdr + tso_pay, 64, (void **)&buf);
	CHECK(iova != 0, "alloc");
	build_tcp(buf, hdr + tso_pay - 54, true, &model.mac);
	CHECK(avf_model_tx_ctx_tso(tq, tso_pay, mss) == 0, "ctx");
	CHECK(avf_model_tx_data(tq, iova, hdr + tso_pay, IAVF_TX_DESC_CMD_EOP |
			IAVF_TX_DESC_CMD_RS | cmd, long_off) == 0, "post tso");
	CHECK(avf_model_tx_kick(tq) == 0, "kick");
	end = rte_get_timer_cycles() + rte_get_timer_hz();
	while (avfbe_test_xstat(port, "rx_q0_bad_desc_drops") < bad + 2 &&
	       rte_get_timer_cycles() < end) {
		if (rte_eth_rx_burst(port, 0, &m, 1) != 0) {
			printf("received: len %u l2_len %u flags %#" PRIx64 "\n",
			       m->pkt_len, m->l2_len, m->ol_flags);
			rte_pktmbuf_free(m);
			got++;
		}
	}
	CHECK(got == 0, "%u frames with MACLEN 254 passed on", got);
	CHECK(avfbe_test_xstat(port, "rx_q0_bad_desc_drops") == bad + 2,
	      "bad descriptors +%" PRIu64 ", want +2",
	      avfbe_test_xstat(port, "rx_q0_bad_desc_drops") - bad);

	/* the same checksum request with a 14-byte MAC header passes */
	buf = avf_model_tx_buf(tq, tq->next_to_use, &iova);
	build_tcp(buf, csum_len - 54, false, &model.mac);
	CHECK(avf_model_tx_data(tq, iova, csum_len, IAVF_TX_DESC_CMD_EOP |
			IAVF_TX_DESC_CMD_RS | cmd, good_off) == 0, "post");
	CHECK(avf_model_tx_kick(tq) == 0, "kick");
	CHECK(port_rx(0, &m, 1, 1) == 1, "valid frame not received");
	CHECK(m->pkt_len == csum_len && m->l2_len == 14 && m->l3_len == 20 &&
	      m->l4_len == 20, "len %u lens %u/%u/%u", m->pkt_len, m->l2_len,
	      m->l3_len, m->l4_len);
	rte_pktmbuf_free(m);
	return TEST_SUCCESS;
}

/*
 * Give guest queue pair 1 a fresh Rx ring of rx_len buffers of rx_buf
 * bytes (queue pair 0 keeps its geometry), frames up to max_pkt bytes.
 */
static int
guest_requeue(uint16_t rx_len, uint32_t rx_buf, uint32_t max_pkt)
{
	uint16_t q;

	CHECK(avf_model_vc_queues(&model, false, 3, 3) == 0, "disable");
	for (q = 0; q < AVFBE_T_QUEUES; q++) {
		struct avf_model_txq *tq = &model.txq[q];
		struct avf_model_rxq *rq;

		CHECK(avf_model_txq_setup(&model, q, tq->len, tq->buf_size) ==
		      tq, "txq %u", q);
		CHECK(avf_model_tx_kick(tq) == 0, "tx tail %u", q);
		rq = q == 1 ?
			avf_model_rxq_setup(&model, q, rx_len, rx_buf) :
			avf_model_rxq_setup(&model, q, model.rxq[q].len,
					    model.rxq[q].buf_size);
		CHECK(rq != NULL, "rxq %u", q);
		avf_model_rx_post(rq, avf_model_rxq_free(rq));
		CHECK(avf_model_rx_kick(rq) == 0, "rx tail %u", q);
	}
	CHECK(avf_model_vc_config_queues(&model, AVFBE_T_QUEUES, max_pkt) == 0,
	      "config");
	CHECK(avf_model_vc_queues(&model, true, 3, 3) == 0, "enable");
	return TEST_SUCCESS;
}

/* An mbuf chain holding len bytes of data. */
static struct rte_mbuf *
chain_mbuf(const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t n;
	char *p;

	while (len > 0) {
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL)
			goto fail;
		n = RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(m));
		p = rte_pktmbuf_append(m, n);
		memcpy(p, data, n);
		data += n;
		len -= n;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			goto fail;
		}
	}
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

/*
 * Frames needing more descriptors than the guest's Rx ring can ever
 * offer (ring length - 1) are dropped and counted, not left to the
 * caller: a 64 KB TSO frame (46 segments of 6 descriptors) and a
 * 9000-byte frame (36 descriptors) on a 32-descriptor ring of 256-byte
 * buffers. A small frame behind them is delivered.
 */
static int
test_tx_no_fit(void)
{
	const uint32_t tso_len = 65536, big_len = 9000, small_len = 100;
	struct avf_model_rx_pkt rp;
	struct rte_eth_stats st0, st1;
	struct rte_mbuf *m[3];
	uint64_t nofit;
	uint16_t sent = 0;
	uint8_t *f;
	int i, ret;

	if (guest_requeue(32, 256, 9600) != TEST_SUCCESS)
		return TEST_FAILED;
	f = malloc(tso_len);
	CHECK(f != NULL, "malloc");
	build_tcp(f, tso_len - 54, true, &model.mac);
	m[0] = chain_mbuf(f, tso_len);
	build_tcp(f, big_len - 54, false, &model.mac);
	m[1] = chain_mbuf(f, big_len);
	build_tcp(f, small_len - 54, false, &model.mac);
	m[2] = chain_mbuf(f, small_len);
	free(f);
	CHECK(m[0] != NULL && m[1] != NULL && m[2] != NULL, "mbufs");
	m[0]->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4 |
		RTE_MBUF_F_TX_IP_CKSUM;
	m[0]->l2_len = 14;
	m[0]->l3_len = 20;
	m[0]->l4_len = 20;
	m[0]->tso_segsz = 1448;

	nofit = avfbe_test_xstat(port, "tx_q1_no_fit_drops");
	CHECK(rte_eth_stats_get(port, &st0) == 0, "stats");
	/* a burst returns 0 only while the device model holds the lock */
	for (i = 0; i < 200 && sent < 3; i++) {
		sent += rte_eth_tx_burst(port, 1, m + sent, 3 - sent);
		if (sent < 3)
			rte_delay_us_sleep(1000);
	}
	if (sent < 3)
		rte_pktmbuf_free_bulk(m + sent, 3 - sent);
	CHECK(sent == 3, "tx_burst took %u of 3 frames", sent);
	CHECK(nofit != UINT64_MAX &&
	      avfbe_test_xstat(port, "tx_q1_no_fit_drops") == nofit + 2,
	      "no_fit_drops %" PRIu64 " -> %" PRIu64, nofit,
	      avfbe_test_xstat(port, "tx_q1_no_fit_drops"));
	CHECK(rte_eth_stats_get(port, &st1) == 0, "stats");
	CHECK(st1.oerrors == st0.oerrors + 2, "oerrors +%" PRIu64,
	      st1.oerrors - st0.oerrors);
	CHECK(guest_rx(1, &rp, 1) == 1, "small frame not delivered");
	CHECK(rp.eof && rp.len == small_len, "eof %d len %u", rp.eof,
	      rp.len);
	CHECK(guest_rx(1, &rp, 1) == 0, "more than the small frame delivered");

	ret = guest_requeue(AVFBE_T_RING, 2048, 1522);
	return ret;
}

/*
 * One telemetry command on this process's telemetry socket (as
 * usertools/dpdk-telemetry.py sends it); buf gets the JSON reply.
 */
static int
tel_query(const char *cmd, char *buf, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    read(fd, buf, len - 1) <= 0 ||		/* the greeting */
	    write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		close(fd);
		return -EIO;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

/* The number after "key": in a telemetry reply, or -1. */
static int64_t
tel_num(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	return p != NULL ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

/*
 * /emu_iavf/info and /vfio_user/info of the suite's device, with its
 * guest probed and open: the values are the device's state, and the
 * command counters follow what the guest does.
 */
static int
test_telemetry(void)
{
	char emu[4096], vfu[4096], cmd[64];
	int64_t reads, vfu_id;
	uint32_t v;
	int i;

	CHECK(tel_query("/emu_iavf/list", emu, sizeof(emu)) == 0, "list");
	snprintf(cmd, sizeof(cmd), "[%u]", AVFBE_T_EMU_ID);
	CHECK(strstr(emu, cmd) != NULL, "/emu_iavf/list: %s", emu);
	snprintf(cmd, sizeof(cmd), "/emu_iavf/info,%u", AVFBE_T_EMU_ID);
	CHECK(tel_query(cmd, emu, sizeof(emu)) == 0, "emu_iavf info");
	CHECK(strstr(emu, "\"reset_state\":\"vf_active\"") != NULL &&
	      strstr(emu, "\"virtchnl_version\":\"1.1\"") != NULL &&
	      tel_num(emu, "client_connected") == 1 &&
	      tel_num(emu, "queue_pairs") == AVFBE_T_QUEUES &&
	      tel_num(emu, "rx_queues_enabled") == AVFBE_T_QUEUES &&
	      tel_num(emu, "tx_queues_enabled") == AVFBE_T_QUEUES &&
	      tel_num(emu, "link_up") == 1 && tel_num(emu, "tail") >= 0,
	      "%s", emu);
	CHECK(tel_query("/emu_iavf/info,31", emu, sizeof(emu)) == 0 &&
	      strstr(emu, "null") != NULL, "no such device: %s", emu);

	snprintf(cmd, sizeof(cmd), "/emu_iavf/info,%u", AVFBE_T_EMU_ID);
	CHECK(tel_query(cmd, emu, sizeof(emu)) == 0, "emu_iavf info");
	vfu_id = tel_num(emu, "vfio_user_id");
	CHECK(vfu_id >= 0, "%s", emu);
	snprintf(cmd, sizeof(cmd), "/vfio_user/info,%" PRId64, vfu_id);
	CHECK(tel_query(cmd, vfu, sizeof(vfu)) == 0, "vfio_user info");
	CHECK(tel_num(vfu, "client_negotiated") == 1 &&
	      tel_num(vfu, "dma_maps") ==
	      rte_vfio_user_get_mem_table((int)vfu_id, NULL, 0) &&
	      tel_num(vfu, "DMA_MAP") >= 1 && tel_num(vfu, "VERSION") == 1,
	      "%s", vfu);
	/* three trapped reads by the guest: three more REGION_READs */
	reads = tel_num(vfu, "REGION_READ");
	for (i = 0; i < 3; i++)
		CHECK(avf_model_rd32_trapped(&model, IAVF_VFGEN_RSTAT, &v) == 0,
		      "read");
	CHECK(tel_query(cmd, vfu, sizeof(vfu)) == 0, "vfio_user info");
	CHECK(tel_num(vfu, "REGION_READ") == reads + 3,
	      "REGION_READ %" PRId64 ", then %" PRId64, reads,
	      tel_num(vfu, "REGION_READ"));
	return TEST_SUCCESS;
}

static struct unit_test_suite avfbe_testsuite = {
	.suite_name = "net_avfbe functional tests",
	.setup = testsuite_setup,
	.teardown = testsuite_teardown,
	.unit_test_cases = {
		TEST_CASE(test_devargs),
		TEST_CASE(test_one_devargs),
		TEST_CASE(test_info_link),
		TEST_CASE(test_guest_tx_plain),
		TEST_CASE(test_csum_roundtrip),
		TEST_CASE(test_csum_lengths),
		TEST_CASE(test_csum_shapes),
		TEST_CASE(test_rss_hash),
		TEST_CASE(test_device_rss),
		TEST_CASE(test_tso_roundtrip),
		TEST_CASE(test_tso_odd_chain),
		TEST_CASE(test_filter_oversize),
		TEST_CASE(test_vlan),
		TEST_CASE(test_bad_guest_input),
		TEST_CASE(test_maclen_too_long),
		TEST_CASE(test_tx_no_fit),
		TEST_CASE(test_telemetry),
		TEST_CASES_END()
	}
};

static int
test_avfbe(void)
{
	return unit_test_suite_runner(&avfbe_testsuite);
}

REGISTER_FAST_TEST(avfbe_autotest, true, true, test_avfbe);
