/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * avf_emu_fwd: serve emulated Intel AVF devices to virtual machines over
 * vfio-user and forward their traffic.
 *
 * For every --sock PATH the application creates an emulated device
 * (emu_iavf vdev, listening on PATH) and the ethdev port that carries its
 * packets (net_avfbe vdev). Ports are then forwarded in pairs:
 *  - without --peer: emulated device 0 <-> 1, 2 <-> 3, ...
 *  - with one --peer per --sock: emulated device i <-> peer i, where a
 *    peer is an existing port name or a vdev to create, e.g. "net_tap0"
 *    or "net_tap0,iface=avf0".
 * Queue q of a port is forwarded to queue q of its partner.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#define MAX_SOCKS 8
#define MAX_PORTS (2 * MAX_SOCKS)
#define MAX_QUEUES 16
#define MAX_STREAMS (MAX_PORTS * MAX_QUEUES)
#define BURST 32
#define RX_DESC 1024
#define TX_DESC 1024
#define MBUF_PER_PORT_QUEUE 4096
#define MBUF_CACHE 256

/* Offloads the forwarded mbufs may ask for (net_avfbe passes the guest's
 * checksum and TSO requests on as Tx offload flags).
 */
#define WANTED_TX_OFFLOADS (RTE_ETH_TX_OFFLOAD_MULTI_SEGS | \
	RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM | \
	RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_SCTP_CKSUM | \
	RTE_ETH_TX_OFFLOAD_TCP_TSO)

struct fwd_port {
	char name[RTE_DEV_NAME_MAX_LEN];   /* vdev or port name */
	char emu_name[RTE_DEV_NAME_MAX_LEN]; /* emu_iavf vdev, "" for peers */
	bool created;                       /* vdev created by us */
	bool started;
	uint16_t port_id;
	uint16_t nb_queues;
	uint16_t partner;                   /* index in ports[] */
};

struct stream {
	uint16_t rx_port;
	uint16_t tx_port;
	uint16_t queue;
	uint16_t fwd_idx;   /* ports[] index of the sender, for drops */
	/* packets tx_burst left; written by the stream's worker only, read
	 * for the statistics
	 */
	uint64_t drops;
};

static volatile bool force_quit;
static const char *socks[MAX_SOCKS];
static unsigned int nb_socks;
static const char *peers[MAX_SOCKS];
static unsigned int nb_peers;
static unsigned int opt_queues = 1;
static unsigned int opt_stats = 5;

static struct fwd_port ports[MAX_PORTS];
static unsigned int nb_ports;
static struct stream streams[MAX_STREAMS];
static unsigned int nb_streams;
static unsigned int nb_workers;

static void
signal_handler(int signum)
{
	if (signum == SIGINT || signum == SIGTERM)
		force_quit = true;
}

static void
usage(const char *prog)
{
	printf("%s [EAL options] -- --sock PATH [--sock PATH ...] [--peer PORT ...]\n"
	       "        [--queues N] [--stats SEC]\n"
	       "  --sock PATH   serve an emulated AVF on vfio-user socket PATH\n"
	       "                (repeatable, up to %d)\n"
	       "  --peer PORT   forward the emulated device of the same rank to\n"
	       "                PORT: an existing port name or a vdev to create,\n"
	       "                e.g. net_tap0,iface=avf0 (one per --sock, or none:\n"
	       "                then emulated devices are forwarded in pairs)\n"
	       "  --queues N    queue pairs per emulated device (1-%d, default 1)\n"
	       "  --stats SEC   print statistics every SEC seconds (0: never,\n"
	       "                default 5)\n",
	       prog, MAX_SOCKS, MAX_QUEUES);
}

static int
parse_uint(const char *arg, unsigned int lo, unsigned int hi,
		unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno != 0 || *arg == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sock", required_argument, NULL, 's' },
		{ "peer", required_argument, NULL, 'p' },
		{ "queues", required_argument, NULL, 'q' },
		{ "stats", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (nb_socks == MAX_SOCKS) {
				fprintf(stderr, "at most %d --sock\n", MAX_SOCKS);
				return -1;
			}
			socks[nb_socks++] = optarg;
			break;
		case 'p':
			if (nb_peers == MAX_SOCKS) {
				fprintf(stderr, "at most %d --peer\n", MAX_SOCKS);
				return -1;
			}
			peers[nb_peers++] = optarg;
			break;
		case 'q':
			if (parse_uint(optarg, 1, MAX_QUEUES, &opt_queues) != 0) {
				fprintf(stderr, "--queues: 1..%d\n", MAX_QUEUES);
				return -1;
			}
			break;
		case 't':
			if (parse_uint(optarg, 0, 3600, &opt_stats) != 0) {
				fprintf(stderr, "--stats: 0..3600 seconds\n");
				return -1;
			}
			break;
		default:
			return -1;
		}
	}
	if (nb_socks == 0) {
		fprintf(stderr, "at least one --sock is needed\n");
		return -1;
	}
	if (nb_peers == 0 && nb_socks % 2 != 0) {
		fprintf(stderr, "without --peer, give an even number of --sock\n");
		return -1;
	}
	if (nb_peers != 0 && nb_peers != nb_socks) {
		fprintf(stderr, "give one --peer per --sock (%u --sock, %u --peer)\n",
			nb_socks, nb_peers);
		return -1;
	}
	return 0;
}

/* Find a port by name, creating the vdev first if it does not exist. */
static int
attach_port(const char *spec, struct fwd_port *p)
{
	const char *comma = strchr(spec, ',');
	size_t len = comma != NULL ? (size_t)(comma - spec) : strlen(spec);
	int ret;

	if (len == 0 || len >= sizeof(p->name)) {
		fprintf(stderr, "bad port name in \"%s\"\n", spec);
		return -EINVAL;
	}
	memcpy(p->name, spec, len);
	p->name[len] = '\0';
	if (rte_eth_dev_get_port_by_name(p->name, &p->port_id) == 0)
		return 0;
	ret = rte_vdev_init(p->name, comma != NULL ? comma + 1 : NULL);
	if (ret != 0) {
		fprintf(stderr, "cannot create %s: %s\n", spec, strerror(-ret));
		return ret;
	}
	p->created = true;
	if (rte_eth_dev_get_port_by_name(p->name, &p->port_id) != 0) {
		fprintf(stderr, "%s is not an ethdev port\n", p->name);
		return -ENODEV;
	}
	return 0;
}

/* Create the emulated device i and the port that carries its traffic. */
static int
create_emulated(unsigned int i, unsigned int queues, struct fwd_port *p)
{
	char args[PATH_MAX + 64];
	int ret;

	snprintf(p->emu_name, sizeof(p->emu_name), "emu_iavf%u", i);
	snprintf(args, sizeof(args), "path=%s,id=%u,queues=%u",
		 socks[i], i, queues);
	ret = rte_vdev_init(p->emu_name, args);
	if (ret != 0) {
		fprintf(stderr, "cannot create %s (%s): %s\n", p->emu_name,
			args, strerror(-ret));
		p->emu_name[0] = '\0';
		return ret;
	}
	snprintf(args, sizeof(args), "net_avfbe%u,id=%u,avf_emu_id=%u", i, i, i);
	return attach_port(args, p);
}

static int
setup_port(struct fwd_port *p, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_txconf txconf;
	uint16_t q;
	int ret;

	ret = rte_eth_dev_info_get(p->port_id, &info);
	if (ret != 0)
		return ret;
	memset(&conf, 0, sizeof(conf));
	conf.txmode.offloads = info.tx_offload_capa & WANTED_TX_OFFLOADS;
	conf.rxmode.offloads = info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER;
	if ((info.tx_offload_capa & WANTED_TX_OFFLOADS) != WANTED_TX_OFFLOADS)
		printf("%s: no Tx checksum/TSO offload: guests forwarding to it "
		       "should not use them (ethtool -K <if> tx off tso off)\n",
		       p->name);
	ret = rte_eth_dev_configure(p->port_id, p->nb_queues, p->nb_queues,
				    &conf);
	if (ret != 0)
		return ret;
	for (q = 0; q < p->nb_queues; q++) {
		uint16_t nb_rx = RX_DESC, nb_tx = TX_DESC;

		ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rx,
						       &nb_tx);
		if (ret != 0)
			return ret;
		ret = rte_eth_rx_queue_setup(p->port_id, q, nb_rx,
				rte_eth_dev_socket_id(p->port_id), NULL, mp);
		if (ret != 0)
			return ret;
		txconf = info.default_txconf;
		txconf.offloads = conf.txmode.offloads;
		ret = rte_eth_tx_queue_setup(p->port_id, q, nb_tx,
				rte_eth_dev_socket_id(p->port_id), &txconf);
		if (ret != 0)
			return ret;
	}
	ret = rte_eth_dev_start(p->port_id);
	if (ret != 0)
		return ret;
	p->started = true;
	return 0;
}

/* Packets the streams sending from ports[i] could not send. */
static uint64_t
port_drops(unsigned int i)
{
	uint64_t n = 0;
	unsigned int s;

	for (s = 0; s < nb_streams; s++)
		if (streams[s].fwd_idx == i)
			n += streams[s].drops;
	return n;
}

static void
print_stats(void)
{
	unsigned int i;

	printf("\n%-14s %5s %14s %14s %10s %10s %10s\n", "port", "link",
	       "rx-packets", "tx-packets", "rx-errors", "tx-errors", "drops");
	for (i = 0; i < nb_ports; i++) {
		struct rte_eth_stats st;
		struct rte_eth_link link;

		if (rte_eth_stats_get(ports[i].port_id, &st) != 0)
			continue;
		if (rte_eth_link_get_nowait(ports[i].port_id, &link) != 0)
			link.link_status = RTE_ETH_LINK_DOWN;
		printf("%-14s %5s %14" PRIu64 " %14" PRIu64 " %10" PRIu64
		       " %10" PRIu64 " %10" PRIu64 "\n", ports[i].name,
		       link.link_status ? "up" : "down", st.ipackets,
		       st.opackets, st.ierrors, st.oerrors, port_drops(i));
	}
	fflush(stdout);
}

/* Forward the streams worker w owns until asked to stop. */
static int
fwd_loop(void *arg)
{
	unsigned int w = (unsigned int)(uintptr_t)arg;
	unsigned int stride = nb_workers != 0 ? nb_workers : 1;
	struct rte_mbuf *pkts[BURST];
	uint64_t next_stats = 0, hz = rte_get_timer_hz();
	unsigned int s;

	while (!force_quit) {
		for (s = w; s < nb_streams; s += stride) {
			struct stream *st = &streams[s];
			uint16_t nb_rx, nb_tx;

			nb_rx = rte_eth_rx_burst(st->rx_port, st->queue, pkts,
						 BURST);
			/* a zero burst still lets the port poll its guest */
			nb_tx = rte_eth_tx_burst(st->tx_port, st->queue, pkts,
						 nb_rx);
			if (unlikely(nb_tx < nb_rx)) {
				st->drops += nb_rx - nb_tx;
				rte_pktmbuf_free_bulk(&pkts[nb_tx], nb_rx - nb_tx);
			}
		}
		/* without workers the main lcore also reports */
		if (nb_workers == 0 && opt_stats != 0 &&
		    rte_get_timer_cycles() >= next_stats) {
			if (next_stats != 0)
				print_stats();
			next_stats = rte_get_timer_cycles() + opt_stats * hz;
		}
	}
	return 0;
}

static void
cleanup(void)
{
	unsigned int i;

	for (i = 0; i < nb_ports; i++) {
		struct fwd_port *p = &ports[i];

		if (p->started && rte_eth_dev_stop(p->port_id) != 0)
			fprintf(stderr, "%s: stop failed\n", p->name);
		p->started = false;
	}
	/* ports first, then the emulated devices they serve */
	for (i = 0; i < nb_ports; i++) {
		struct fwd_port *p = &ports[i];

		if (p->name[0] != '\0' && rte_eth_dev_is_valid_port(p->port_id))
			rte_eth_dev_close(p->port_id);
		if (p->created)
			rte_vdev_uninit(p->name);
	}
	for (i = 0; i < nb_ports; i++)
		if (ports[i].emu_name[0] != '\0')
			rte_vdev_uninit(ports[i].emu_name);
}

static uint16_t
peer_queues(const struct fwd_port *p)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(p->port_id, &info) != 0)
		return 1;
	return RTE_MAX(RTE_MIN(info.max_rx_queues, info.max_tx_queues), 1);
}

static int
build_ports(void)
{
	unsigned int i;
	int ret;

	if (nb_peers == 0) {
		for (i = 0; i < nb_socks; i++) {
			ret = create_emulated(i, opt_queues, &ports[nb_ports]);
			nb_ports++;
			if (ret != 0)
				return ret;
			ports[nb_ports - 1].nb_queues = opt_queues;
			ports[nb_ports - 1].partner = i ^ 1;
		}
		return 0;
	}
	/* peers first: their queue count bounds the emulated device's,
	 * so no guest queue is left without a partner queue
	 */
	for (i = 0; i < nb_socks; i++) {
		struct fwd_port *peer = &ports[nb_socks + i];
		struct fwd_port *emu = &ports[i];
		uint16_t q;

		ret = attach_port(peers[i], peer);
		nb_ports = RTE_MAX(nb_ports, nb_socks + i + 1);
		if (ret != 0)
			return ret;
		q = RTE_MIN((uint16_t)opt_queues, peer_queues(peer));
		if (q < opt_queues)
			printf("%s has %u queues: emulated device %u gets %u\n",
			       peer->name, q, i, q);
		ret = create_emulated(i, q, emu);
		if (ret != 0)
			return ret;
		emu->nb_queues = q;
		peer->nb_queues = q;
		emu->partner = nb_socks + i;
		peer->partner = i;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	unsigned int i, lcore, w;
	uint16_t q;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL initialisation failed\n");
	argc -= ret;
	argv += ret;
	if (parse_args(argc, argv) != 0) {
		usage(argv[0]);
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	signal(SIGINT, signal_handler);
	signal(SIGTERM, signal_handler);

	ret = build_ports();
	if (ret != 0)
		goto out;

	mp = rte_pktmbuf_pool_create("avf_emu_fwd_pool",
			nb_ports * opt_queues * MBUF_PER_PORT_QUEUE,
			MBUF_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
			rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "cannot create mbuf pool: %s\n",
			rte_strerror(rte_errno));
		ret = -rte_errno;
		goto out;
	}
	for (i = 0; i < nb_ports; i++) {
		ret = setup_port(&ports[i], mp);
		if (ret != 0) {
			fprintf(stderr, "%s: setup failed: %s\n", ports[i].name,
				strerror(-ret));
			goto out;
		}
		for (q = 0; q < ports[i].nb_queues; q++) {
			streams[nb_streams].rx_port = ports[i].port_id;
			streams[nb_streams].tx_port =
				ports[ports[i].partner].port_id;
			streams[nb_streams].queue = q;
			streams[nb_streams].fwd_idx = i;
			nb_streams++;
		}
		printf("%s (port %u) <-> %s, %u queue(s)%s%s\n", ports[i].name,
		       ports[i].port_id, ports[ports[i].partner].name,
		       ports[i].nb_queues,
		       ports[i].emu_name[0] != '\0' ? ", socket " : "",
		       ports[i].emu_name[0] != '\0' ? socks[i] : "");
	}

	nb_workers = rte_lcore_count() - 1;
	w = 0;
	RTE_LCORE_FOREACH_WORKER(lcore)
		rte_eal_remote_launch(fwd_loop, (void *)(uintptr_t)w++, lcore);
	if (nb_workers == 0) {
		fwd_loop((void *)(uintptr_t)0);
	} else {
		while (!force_quit) {
			unsigned int t;

			for (t = 0; t < (opt_stats != 0 ? opt_stats : 1) * 10 &&
			     !force_quit; t++)
				usleep(100 * 1000);
			if (!force_quit && opt_stats != 0)
				print_stats();
		}
		rte_eal_mp_wait_lcore();
	}
	print_stats();
	ret = 0;
out:
	cleanup();
	rte_eal_cleanup();
	return ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
