/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Soaks of the device-emulation stack. The scripts of devtools/soak run
 * these commands and judge the figures they print; they are not part of
 * the fast tests.
 *
 * emu_soak_kill_autotest
 *   Clients of an emu_iavf device served by another process (testpmd)
 *   are killed at random points. Each cycle forks a child that runs the
 *   AVF guest model through a whole Linux-like life (attach, DMA_MAP of a
 *   sealed memfd, PCI set-up, MSI-X eventfds, probe, open, traffic looped
 *   back by the server, close, remove, detach) while the parent sleeps a
 *   random time, SIGKILLs the child and reaps it. Every
 *   EMU_SOAK_CHECK_EVERY cycles a child is not killed and must complete
 *   with every packet back. After each cycle the server must be alive.
 *
 * emu_soak_client_autotest
 *   One well-behaved client of such a device: full init, EMU_SOAK_PACKETS
 *   packets sent and all received back intact and in order, close,
 *   remove, detach.
 *
 * emu_soak_reset_autotest
 *   emu_iavf, net_avfbe and the guest model in this process. A worker
 *   lcore moves traffic both ways (guest Tx -> port rx_burst -> port
 *   tx_burst -> guest Rx) while the main lcore resets the device
 *   EMU_SOAK_RESETS times (VF reset, function level reset, vfio-user
 *   DEVICE_RESET, then all kinds mixed), re-initialises the guest and
 *   waits for traffic to resume. File descriptors and RSS are measured
 *   after a warm-up (one reset of each kind) and at the end.
 *
 * Environment:
 *   EMU_SOAK_PATH=sock        device socket (kill, client)
 *   EMU_SOAK_CYCLES=n         kill cycles (default 1000)
 *   EMU_SOAK_CHECK_EVERY=n    one client in n is not killed (default 50,
 *                             0: none besides the calibration run)
 *   EMU_SOAK_SERVER_PID=pid   the server, checked after every cycle
 *   EMU_SOAK_TRAFFIC_MS=n     traffic time of a kill-cycle client
 *                             (default 100)
 *   EMU_SOAK_PACKETS=n        packets of the well-behaved client
 *                             (default 100000)
 *   EMU_SOAK_RESETS=n         resets (default 1000)
 *   EMU_SOAK_SEED=n           random seed (default: from the clock)
 */

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_udp.h>
#include <rte_vfio_user.h>

#include "test.h"
#include "avf_guest_model.h"
#include "avfbe_test_util.h"

#define SOAK_RING 256           /* guest ring size */
#define SOAK_MEM_SIZE (16ULL << 20)
#define SOAK_FRAME 64
#define SOAK_PAYLOAD_OFF 42     /* after Eth/IPv4/UDP: epoch, sequence */
#define SOAK_WINDOW (SOAK_RING / 2) /* frames in flight, fits the Rx ring */
#define SOAK_BATCH 32
#define SOAK_DRAIN_MS 5000      /* frames in flight must be back by then */
#define SOAK_CHECK_TIMEOUT_MS 30000 /* a client that is not killed */
#define SOAK_KILL_MIN_US 10     /* shortest kill delay */

/* ------------------------------------------------------------------ */
/* Helpers */

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
sleep_us(uint64_t us)
{
	struct timespec ts = {
		.tv_sec = us / 1000000,
		.tv_nsec = (us % 1000000) * 1000,
	};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static uint64_t
env_seed(void)
{
	uint64_t seed;

	if (avfbe_test_env_u64("EMU_SOAK_SEED", 0, UINT64_MAX, 0, &seed) != 0 ||
	    getenv("EMU_SOAK_SEED") == NULL)
		seed = now_us() ^ ((uint64_t)getpid() << 32);
	return seed;
}

/* Number of open file descriptors of a process, -1 if unknown. */
static int
proc_fd_count(pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	/* our own handle on the directory when looking at ourselves */
	return pid == getpid() ? n - 1 : n;
}

/* VmRSS of a process in KiB, -1 if unknown. */
static int64_t
proc_rss_kib(pid_t pid)
{
	char path[64], line[128];
	int64_t kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %" SCNd64 " kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/*
 * Bytes of this process's malloc heap in use, every arena (the control
 * threads have their own): what malloc_info() reports the system holds,
 * less its free chunks. -1 if unknown.
 */
static int64_t
heap_in_use(void)
{
	int64_t sys = -1, fast = 0, rest = 0;
	char *buf = NULL, *p, *end;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -1;
	if (malloc_info(0, f) != 0) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	/* the totals of all arenas follow the last </heap> */
	p = buf;
	while ((end = strstr(p, "</heap>")) != NULL)
		p = end + 7;
	end = strstr(p, "<total type=\"fast\"");
	if (end != NULL)
		sscanf(end, "<total type=\"fast\" count=\"%*d\" size=\"%" SCNd64 "\"",
		       &fast);
	end = strstr(p, "<total type=\"rest\"");
	if (end != NULL)
		sscanf(end, "<total type=\"rest\" count=\"%*d\" size=\"%" SCNd64 "\"",
		       &rest);
	end = strstr(p, "<system type=\"current\"");
	if (end != NULL)
		sscanf(end, "<system type=\"current\" size=\"%" SCNd64 "\"", &sys);
	free(buf);
	return sys < 0 ? -1 : sys - fast - rest;
}

/* Bytes allocated from DPDK's heaps (rte_malloc), every socket. */
static int64_t
rte_heap_in_use(void)
{
	struct rte_malloc_socket_stats st;
	int64_t n = 0;
	unsigned int s;

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats(s, &st) == 0)
			n += st.heap_allocsz_bytes;
	return n;
}

/* A process that exists and is neither a zombie nor dead. */
static bool
proc_alive(pid_t pid)
{
	char path[64], buf[512], *p;
	size_t n;
	FILE *f;

	if (kill(pid, 0) != 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')' */
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X' &&
		p[2] != 'x';
}

/* ------------------------------------------------------------------ */
/* Guest traffic: frames to the guest's own MAC, looped back */

struct soak_flow {
	struct avf_model *m;
	uint8_t frame[SOAK_FRAME];
	uint32_t epoch;          /* frames carry it; older ones are stale */
	uint32_t window;         /* frames in flight at most, 0: no limit */
	uint64_t limit;          /* frames to send this epoch, 0: no limit */
	bool posting;
	/* this epoch */
	uint32_t tx_seq;         /* next sequence number */
	uint32_t rx_expect;      /* next sequence number expected */
	uint64_t rx_ok;          /* frames of this epoch received */
	/* totals */
	uint64_t tx_total;
	uint64_t rx_total;       /* every frame received, stale included */
	uint64_t rx_stale;       /* frames of an earlier epoch */
	uint64_t rx_bad_len;     /* length or EOF not as sent */
	uint64_t rx_bad_err;     /* error bits in the write-back */
	uint64_t rx_bad_data;    /* bytes not as sent */
	uint64_t rx_bad_seq;     /* lost, duplicated or reordered */
};

static void
flow_init(struct soak_flow *f, struct avf_model *m, uint32_t window)
{
	uint16_t i;

	memset(f, 0, sizeof(*f));
	f->m = m;
	f->window = window;
	f->posting = true;
	avfbe_test_udp_frame(f->frame, SOAK_FRAME, &m->mac, 0x5a, 4789, 4790);
	for (i = SOAK_PAYLOAD_OFF + 8; i < SOAK_FRAME; i++)
		f->frame[i] = (uint8_t)i;
}

/* A new epoch: the guest re-initialised its rings. */
static void
flow_new_epoch(struct soak_flow *f)
{
	f->epoch++;
	f->tx_seq = 0;
	f->rx_expect = 0;
	f->rx_ok = 0;
	f->posting = true;
}

/* Frames of this epoch sent and not received yet. */
static uint32_t
flow_in_flight(const struct soak_flow *f)
{
	return f->tx_seq - (uint32_t)f->rx_ok;
}

static void
flow_rx_check(struct soak_flow *f, const struct avf_model_rx_pkt *p)
{
	uint32_t epoch, seq;
	uint16_t i;

	f->rx_total++;
	if (!p->eof || p->len != SOAK_FRAME) {
		f->rx_bad_len++;
		return;
	}
	if (p->error != 0)
		f->rx_bad_err++;
	memcpy(&epoch, p->data + SOAK_PAYLOAD_OFF, sizeof(epoch));
	memcpy(&seq, p->data + SOAK_PAYLOAD_OFF + 4, sizeof(seq));
	if (memcmp(p->data, f->frame, SOAK_PAYLOAD_OFF) != 0) {
		f->rx_bad_data++;
		return;
	}
	for (i = SOAK_PAYLOAD_OFF + 8; i < SOAK_FRAME; i++)
		if (p->data[i] != (uint8_t)i) {
			f->rx_bad_data++;
			return;
		}
	if (epoch != f->epoch) {
		if (epoch < f->epoch)
			f->rx_stale++;
		else
			f->rx_bad_data++;
		return;
	}
	if (seq != f->rx_expect)
		f->rx_bad_seq++;
	f->rx_expect = seq + 1;
	f->rx_ok++;
}

/* One pass of the guest data path; true when something moved. */
static bool
flow_poll(struct soak_flow *f)
{
	struct avf_model_txq *tq = &f->m->txq[0];
	struct avf_model_rxq *rq = &f->m->rxq[0];
	struct avf_model_rx_pkt rp[SOAK_BATCH];
	bool busy = false;
	uint16_t n, i;

	if (avf_model_tx_reap(tq) != 0)
		busy = true;

	if (f->limit != 0 && f->tx_seq >= f->limit)
		f->posting = false;
	n = avf_model_tx_free(tq);
	if (f->posting && f->window != 0)
		n = RTE_MIN(n, f->window - RTE_MIN(flow_in_flight(f),
						   f->window));
	if (f->posting && f->limit != 0)
		n = RTE_MIN((uint64_t)n, f->limit - f->tx_seq);
	if (f->posting && n != 0) {
		for (i = 0; i < n; i++) {
			uint64_t iova;
			uint8_t *buf = avf_model_tx_buf(tq, tq->next_to_use,
							&iova);

			memcpy(buf, f->frame, SOAK_FRAME);
			memcpy(buf + SOAK_PAYLOAD_OFF, &f->epoch,
			       sizeof(f->epoch));
			memcpy(buf + SOAK_PAYLOAD_OFF + 4, &f->tx_seq,
			       sizeof(f->tx_seq));
			if (avf_model_tx_data(tq, iova, SOAK_FRAME,
					IAVF_TX_DESC_CMD_EOP |
					IAVF_TX_DESC_CMD_RS |
					IAVF_TX_DESC_CMD_ICRC, 0) != 0)
				break;
			f->tx_seq++;
			f->tx_total++;
		}
		avf_model_tx_kick(tq);
		busy = true;
	}

	n = avf_model_rx_reap(rq, rp, RTE_DIM(rp));
	for (i = 0; i < n; i++)
		flow_rx_check(f, &rp[i]);
	if (n != 0 || avf_model_rxq_free(rq) >= SOAK_BATCH) {
		if (avf_model_rx_post(rq, avf_model_rxq_free(rq)) != 0)
			avf_model_rx_kick(rq);
		busy = busy || n != 0;
	}
	return busy;
}

static uint64_t
flow_bad(const struct soak_flow *f)
{
	return f->rx_bad_len + f->rx_bad_err + f->rx_bad_data +
		f->rx_bad_seq;
}

/* ------------------------------------------------------------------ */
/* A client's life, as a Linux guest lives it */

enum client_stage {
	CS_START,       /* forked; guest memory (sealed memfd) */
	CS_CONNECT,     /* avf_model_connect(), see connect_step */
	CS_PROBE,       /* AQ, VERSION, GET_VF_RESOURCES, IRQ_MAP, RSS */
	CS_OPEN,        /* rings, ADD_ETH_ADDR, CONFIG_VSI_QUEUES, ENABLE */
	CS_TRAFFIC,
	CS_CLOSE,       /* DEL_ETH_ADDR, DISABLE_QUEUES */
	CS_REMOVE,      /* RESET_VF, AQ shutdown */
	CS_DETACH,      /* eventfds closed, client detached, memory freed */
	CS_DONE,
	CS_MAX
};

/* Where a kill landed: the stages, connect split in its steps. */
enum kill_point {
	KP_START, KP_ATTACH, KP_DMA_MAP, KP_PCI, KP_SET_IRQS, KP_PROBE,
	KP_OPEN, KP_TRAFFIC, KP_CLOSE, KP_REMOVE, KP_DETACH, KP_EXITED,
	KP_MAX
};

static const char * const kill_point_name[KP_MAX] = {
	"start", "attach", "dma_map", "pci_setup", "set_irqs", "probe",
	"open", "traffic", "close", "remove", "detach", "exited",
};

static const char * const stage_name[CS_MAX] = {
	"start", "connect", "probe", "open", "traffic", "close", "remove",
	"detach", "done",
};

/* What a client shares with the process that watches it. */
struct client_state {
	RTE_ATOMIC(uint32_t) stage;    /* enum client_stage */
	uint64_t stage_us[CS_MAX];     /* start of each stage */
	uint64_t t0_us;                /* the parent's, before fork() */
	uint64_t t0_cycles;            /* the same, in timer cycles */
	int error;                     /* -errno of the failed step */
	uint32_t fail_stage;
	struct soak_flow flow;
	uint64_t irq_count;            /* queue vector interrupts seen */
	struct avf_model model;
};

static void
client_stage(struct client_state *cs, enum client_stage s)
{
	cs->stage_us[s] = now_us() - cs->t0_us;
	rte_atomic_store_explicit(&cs->stage, s, rte_memory_order_release);
}

static int
client_fail(struct client_state *cs, int ret, const char *what)
{
	cs->error = ret;
	cs->fail_stage = rte_atomic_load_explicit(&cs->stage,
		rte_memory_order_relaxed);
	printf("client: %s failed: %d (%s), virtchnl status %d\n", what, ret,
	       strerror(ret < 0 ? -ret : ret), cs->model.last_status);
	fflush(stdout);
	return ret < 0 ? ret : -EIO;
}

/*
 * The whole life of a client. Traffic runs traffic_ms, or until packets
 * frames were sent when packets is not 0; with strict, every frame must
 * come back intact and in order.
 */
static int
client_run(struct client_state *cs, const char *path, uint64_t traffic_ms,
		uint64_t packets, bool strict)
{
	struct avf_model *m = &cs->model;
	struct soak_flow *f = &cs->flow;
	struct avf_model_conf conf;
	uint64_t end, last;
	int ret;

	if (cs->t0_us == 0) {
		cs->t0_us = now_us();
		cs->t0_cycles = rte_get_timer_cycles();
	}
	client_stage(cs, CS_START);
	memset(&conf, 0, sizeof(conf));
	conf.path = path;
	conf.mem_size = SOAK_MEM_SIZE;
	ret = avf_model_init(m, &conf);
	if (ret != 0)
		return client_fail(cs, ret, "guest memory");

	client_stage(cs, CS_CONNECT);
	ret = avf_model_connect(m);
	if (ret != 0)
		return client_fail(cs, ret, "connect");

	client_stage(cs, CS_PROBE);
	ret = avf_model_linux_probe(m, AVF_MODEL_LINUX_CAPS);
	if (ret != 0)
		return client_fail(cs, ret, "probe");

	client_stage(cs, CS_OPEN);
	ret = avf_model_linux_open(m, 1, SOAK_RING);
	if (ret != 0)
		return client_fail(cs, ret, "open");

	client_stage(cs, CS_TRAFFIC);
	flow_init(f, m, SOAK_WINDOW);
	f->limit = packets;
	end = now_us() + traffic_ms * 1000;
	last = now_us();
	for (;;) {
		uint64_t now = now_us();

		if (flow_poll(f))
			last = now;
		else
			sched_yield();
		if (packets == 0 && now >= end)
			f->posting = false;
		if (!f->posting && flow_in_flight(f) == 0)
			break;
		/* nothing came back for a while: the rest is lost */
		if (!f->posting && now - last > SOAK_DRAIN_MS * 1000)
			break;
		if (f->posting && now - last > SOAK_DRAIN_MS * 1000)
			return client_fail(cs, -ETIMEDOUT, "traffic");
	}
	/* the device signalled the queue vector through its eventfd */
	ret = avf_model_irq_drain(m, 1);
	cs->irq_count = ret > 0 ? (uint64_t)ret : 0;
	if (strict && (flow_in_flight(f) != 0 || flow_bad(f) != 0 ||
		       f->rx_stale != 0 || f->rx_ok != f->tx_total)) {
		printf("client: sent %" PRIu64 ", received %" PRIu64
		       " in order, %u missing, bad: len %" PRIu64 " err %"
		       PRIu64 " data %" PRIu64 " seq %" PRIu64 "\n",
		       f->tx_total, f->rx_ok, flow_in_flight(f),
		       f->rx_bad_len, f->rx_bad_err, f->rx_bad_data,
		       f->rx_bad_seq);
		return client_fail(cs, -EPROTO, "traffic check");
	}

	client_stage(cs, CS_CLOSE);
	ret = avf_model_linux_close(m, 1);
	if (ret != 0)
		return client_fail(cs, ret, "close");

	client_stage(cs, CS_REMOVE);
	ret = avf_model_linux_remove(m);
	if (ret != 0)
		return client_fail(cs, ret, "remove");

	client_stage(cs, CS_DETACH);
	avf_model_fini(m);
	client_stage(cs, CS_DONE);
	return 0;
}

static enum kill_point
kill_point_of(const struct client_state *cs)
{
	switch (rte_atomic_load_explicit(&cs->stage, rte_memory_order_acquire)) {
	case CS_START:
		return KP_START;
	case CS_CONNECT:
		switch (cs->model.connect_step) {
		case AVF_MODEL_CONNECT_IDLE:
		case AVF_MODEL_CONNECT_ATTACH:
			return KP_ATTACH;
		case AVF_MODEL_CONNECT_DMA_MAP:
			return KP_DMA_MAP;
		case AVF_MODEL_CONNECT_PCI:
			return KP_PCI;
		case AVF_MODEL_CONNECT_IRQ:
			return KP_SET_IRQS;
		default:
			return KP_PROBE;
		}
	case CS_PROBE:
		return KP_PROBE;
	case CS_OPEN:
		return KP_OPEN;
	case CS_TRAFFIC:
		return KP_TRAFFIC;
	case CS_CLOSE:
		return KP_CLOSE;
	case CS_REMOVE:
		return KP_REMOVE;
	case CS_DETACH:
		return KP_DETACH;
	default:
		return KP_EXITED;
	}
}

/* ------------------------------------------------------------------ */
/* emu_soak_kill_autotest */

struct kill_soak {
	const char *path;
	pid_t server;
	uint64_t cycles;
	uint64_t check_every;
	uint64_t traffic_ms;
	/* where each kill point starts in a client's run, in us; taken
	 * from the last client that was not killed
	 */
	uint64_t bounds[KP_MAX];
	struct client_state *cs; /* shared with the children */
	/* figures */
	uint64_t killed;         /* SIGKILLed by us */
	uint64_t exited;         /* finished before the kill, status 0 */
	uint64_t checks;         /* clients not killed, all completed */
	uint64_t client_errors;  /* a step failed (exit status != 0) */
	uint64_t client_crashes; /* died of a signal we did not send */
	uint64_t hangs;          /* check clients that did not finish */
	uint64_t points[KP_MAX];
	uint64_t pkts_sent;
	uint64_t pkts_back;
	int fds_min, fds_max;
	int64_t rss_min, rss_max;
};

/* A completed run gives the time line of the kill points. */
static void
kill_calibrate(struct kill_soak *k, const struct client_state *cs)
{
	const struct avf_model *m = &cs->model;
	uint64_t hz = rte_get_timer_hz();
	unsigned int i;

	k->bounds[KP_START] = 0;
	for (i = AVF_MODEL_CONNECT_ATTACH; i <= AVF_MODEL_CONNECT_DONE; i++)
		k->bounds[KP_ATTACH + i - AVF_MODEL_CONNECT_ATTACH] =
			(m->connect_step_cycles[i] - cs->t0_cycles) *
			1000000 / hz;
	/* KP_PROBE starts where connect is done */
	k->bounds[KP_OPEN] = cs->stage_us[CS_OPEN];
	k->bounds[KP_TRAFFIC] = cs->stage_us[CS_TRAFFIC];
	k->bounds[KP_CLOSE] = cs->stage_us[CS_CLOSE];
	k->bounds[KP_REMOVE] = cs->stage_us[CS_REMOVE];
	k->bounds[KP_DETACH] = cs->stage_us[CS_DETACH];
	k->bounds[KP_EXITED] = cs->stage_us[CS_DONE];
	for (i = 1; i < KP_MAX; i++)
		k->bounds[i] = RTE_MAX(k->bounds[i], k->bounds[i - 1]);
}

/* How a cycle ends. */
struct kill_plan {
	bool check;              /* not killed: must complete */
	int point;               /* wait for this kill point, -1: none */
	uint64_t delay_us;       /* then (or from fork) wait this long */
};

/*
 * Three times in four: a kill point chosen at random (each step of the
 * life is hit as often, however short it is), the kill a random time
 * into it (the step's duration in the last complete run). Else a time
 * anywhere in the run, and a quarter beyond.
 */
static void
kill_plan_pick(const struct kill_soak *k, struct kill_plan *plan)
{
	uint64_t d;
	int p;

	plan->check = false;
	if (rte_rand_max(4) == 0) {
		plan->point = -1;
		d = k->bounds[KP_EXITED] * 5 / 4;
	} else {
		p = (int)rte_rand_max(KP_EXITED);
		plan->point = p;
		d = k->bounds[p + 1] - k->bounds[p];
	}
	plan->delay_us = d != 0 ? rte_rand_max(d) : 0;
}

/*
 * Wait for a child until deadline_us, or until it reaches the kill
 * point "point" (-1: no such condition). Returns 1 when it was reaped (status
 * filled), 0 at the deadline or the point.
 */
static int
child_wait(pid_t pid, const struct client_state *cs, int point,
		uint64_t deadline_us, int *status)
{
	for (;;) {
		uint64_t now;
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 1;
		if (r < 0 && errno != EINTR)
			return 1;
		if (point >= 0 && (int)kill_point_of(cs) >= point)
			return 0;
		now = now_us();
		if (now >= deadline_us)
			return 0;
		/* no sleep while watching for a kill point or near the
		 * deadline: a wake-up would come too late for short steps
		 */
		if (point >= 0 || deadline_us - now < 1000)
			sched_yield();
		else
			sleep_us(RTE_MIN(deadline_us - now - 500,
					 (uint64_t)1000));
	}
}

static int
kill_server_check(struct kill_soak *k, uint64_t cycle, enum kill_point kp)
{
	int fds;
	int64_t rss;

	if (k->server <= 0)
		return 0;
	if (!proc_alive(k->server)) {
		printf("emu_soak_kill: the server (pid %d) died after cycle %" PRIu64
		       " (client killed in %s)\n", (int)k->server, cycle,
		       kill_point_name[kp]);
		return -1;
	}
	fds = proc_fd_count(k->server);
	rss = proc_rss_kib(k->server);
	if (fds >= 0) {
		k->fds_min = k->fds_min < 0 ? fds : RTE_MIN(k->fds_min, fds);
		k->fds_max = RTE_MAX(k->fds_max, fds);
	}
	if (rss >= 0) {
		k->rss_min = k->rss_min < 0 ? rss : RTE_MIN(k->rss_min, rss);
		k->rss_max = RTE_MAX(k->rss_max, rss);
	}
	return 0;
}

/* One cycle. Returns 0, or -1 when the soak must stop. */
static int
kill_cycle(struct kill_soak *k, uint64_t cycle,
		const struct kill_plan *plan)
{
	struct client_state *cs = k->cs;
	bool check = plan->check;
	enum kill_point kp;
	uint64_t t0;
	int status = 0;
	pid_t pid;

	memset(cs, 0, sizeof(*cs));
	fflush(stdout);
	fflush(stderr);
	t0 = now_us();
	cs->t0_us = t0;
	cs->t0_cycles = rte_get_timer_cycles();
	pid = fork();
	if (pid < 0) {
		printf("emu_soak_kill: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int ret = client_run(cs, k->path, k->traffic_ms,
				     0, check);

		fflush(stdout);
		_exit(ret == 0 ? 0 : 1);
	}
	if (check) {
		if (child_wait(pid, cs, -1, t0 + SOAK_CHECK_TIMEOUT_MS * 1000,
			       &status) == 0) {
			k->hangs++;
			printf("emu_soak_kill: cycle %" PRIu64 ": a client that was not killed did not finish in %u ms (stuck in %s)\n",
			       cycle, SOAK_CHECK_TIMEOUT_MS,
			       kill_point_name[kill_point_of(cs)]);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
	} else if (plan->point < 0) {
		if (child_wait(pid, cs, -1, t0 + plan->delay_us,
			       &status) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
	} else if (child_wait(pid, cs, plan->point,
			      t0 + SOAK_CHECK_TIMEOUT_MS * 1000,
			      &status) == 0) {
		if ((int)kill_point_of(cs) < plan->point) {
			k->hangs++;
			printf("emu_soak_kill: cycle %" PRIu64 ": the client did not reach %s in %u ms (stuck in %s)\n",
			       cycle, kill_point_name[plan->point],
			       SOAK_CHECK_TIMEOUT_MS,
			       kill_point_name[kill_point_of(cs)]);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		if (child_wait(pid, cs, -1, now_us() + plan->delay_us,
			       &status) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
	}
	kp = kill_point_of(cs);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && !check) {
		k->killed++;
		k->points[kp]++;
	} else if (WIFSIGNALED(status)) {
		k->client_crashes++;
		printf("emu_soak_kill: cycle %" PRIu64 ": client died of signal %d in %s\n",
		       cycle, WTERMSIG(status), kill_point_name[kp]);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (check) {
			k->checks++;
			kill_calibrate(k, cs);
		} else {
			k->exited++;
			k->points[KP_EXITED]++;
		}
	} else {
		k->client_errors++;
		printf("emu_soak_kill: cycle %" PRIu64 ": client failed in %s: %d (%s)\n",
		       cycle, stage_name[cs->fail_stage < CS_MAX ?
					 cs->fail_stage : CS_DONE],
		       cs->error, strerror(-cs->error));
	}
	k->pkts_sent += cs->flow.tx_total;
	k->pkts_back += cs->flow.rx_ok;
	if (kill_server_check(k, cycle, kp) != 0)
		return -1;
	return 0;
}

static int
test_emu_soak_kill(void)
{
	static struct kill_soak k;
	uint64_t seed, server, t0, c = 0;
	struct kill_plan plan;
	unsigned int i;
	int ret = TEST_SUCCESS;

	memset(&k, 0, sizeof(k));
	k.path = getenv("EMU_SOAK_PATH");
	if (k.path == NULL || *k.path == '\0') {
		printf("emu_soak_kill_autotest: set EMU_SOAK_PATH to the socket of an emu_iavf device served by another process (see devtools/soak/vfio-user-kill.sh)\n");
		return TEST_SKIPPED;
	}
	if (avfbe_test_env_u64("EMU_SOAK_CYCLES", 1, UINT32_MAX, 1000, &k.cycles) ||
	    avfbe_test_env_u64("EMU_SOAK_CHECK_EVERY", 0, UINT32_MAX, 50,
		    &k.check_every) ||
	    avfbe_test_env_u64("EMU_SOAK_TRAFFIC_MS", 1, 60000, 100, &k.traffic_ms) ||
	    avfbe_test_env_u64("EMU_SOAK_SERVER_PID", 0, INT32_MAX, 0, &server))
		return TEST_FAILED;
	k.server = (pid_t)server;
	k.fds_min = -1;
	k.rss_min = -1;
	seed = env_seed();
	rte_srand(seed);
	k.cs = mmap(NULL, sizeof(*k.cs), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (k.cs == MAP_FAILED) {
		printf("emu_soak_kill: mmap: %s\n", strerror(errno));
		return TEST_FAILED;
	}
	t0 = now_us();

	/* calibration: one client not killed, its run sets the delays */
	plan.check = true;
	if (kill_cycle(&k, 0, &plan) != 0 || k.checks != 1) {
		printf("emu_soak_kill: the calibration client did not complete: is %s served?\n",
		       k.path);
		ret = TEST_FAILED;
		goto out;
	}
	printf("emu_soak_kill: calibration run of %" PRIu64 " us, %" PRIu64
	       " frames looped back; kill points start at (us):",
	       k.bounds[KP_EXITED], k.cs->flow.rx_ok);
	for (i = 0; i < KP_EXITED; i++)
		printf(" %s=%" PRIu64, kill_point_name[i], k.bounds[i]);
	printf("; seed %" PRIu64 "\n", seed);

	for (c = 1; c <= k.cycles; c++) {
		if (k.check_every != 0 && c % k.check_every == 0)
			plan.check = true;
		else
			kill_plan_pick(&k, &plan);
		if (kill_cycle(&k, c, &plan) != 0) {
			ret = TEST_FAILED;
			break;
		}
		if (c % 100 == 0 || c == k.cycles)
			printf("emu_soak_kill: cycle %" PRIu64 "/%" PRIu64
			       ": killed %" PRIu64 ", checks %" PRIu64
			       ", server fds %d-%d, rss %" PRId64 "-%" PRId64 " KiB, %.1f s\n",
			       c, k.cycles, k.killed, k.checks, k.fds_min,
			       k.fds_max, k.rss_min, k.rss_max,
			       (now_us() - t0) / 1e6);
	}
out:
	printf("emu_soak_kill: killed_in");
	for (i = 0; i < KP_MAX; i++)
		printf(" %s=%" PRIu64, kill_point_name[i], k.points[i]);
	printf("\n");
	printf("emu_soak_kill: cycles=%" PRIu64 " killed=%" PRIu64
	       " exited_before_kill=%" PRIu64 " checks=%" PRIu64
	       " client_errors=%" PRIu64 " client_crashes=%" PRIu64
	       " hangs=%" PRIu64 " frames_sent=%" PRIu64
	       " frames_back=%" PRIu64 " seconds=%.1f\n",
	       c > k.cycles ? k.cycles : c, k.killed, k.exited, k.checks,
	       k.client_errors, k.client_crashes, k.hangs, k.pkts_sent,
	       k.pkts_back, (now_us() - t0) / 1e6);
	if (k.client_errors != 0 || k.client_crashes != 0 || k.hangs != 0)
		ret = TEST_FAILED;
	munmap(k.cs, sizeof(*k.cs));
	return ret;
}

/* ------------------------------------------------------------------ */
/* emu_soak_client_autotest */

static int
test_emu_soak_client(void)
{
	struct client_state *cs;
	const char *path = getenv("EMU_SOAK_PATH");
	uint64_t packets;
	int ret;

	if (path == NULL || *path == '\0') {
		printf("emu_soak_client_autotest: set EMU_SOAK_PATH to the socket of an emu_iavf device served by another process\n");
		return TEST_SKIPPED;
	}
	if (avfbe_test_env_u64("EMU_SOAK_PACKETS", 1, UINT32_MAX, 100000, &packets))
		return TEST_FAILED;
	cs = calloc(1, sizeof(*cs));
	if (cs == NULL)
		return TEST_FAILED;
	ret = client_run(cs, path, 0, packets, true);
	if (cs->model.connect_step == AVF_MODEL_CONNECT_DONE) {
		const uint64_t *t = cs->model.connect_step_cycles;
		uint64_t hz = rte_get_timer_hz();

		printf("emu_soak_client: connect_us attach=%" PRIu64
		       " dma_map=%" PRIu64 " pci_setup=%" PRIu64
		       " set_irqs=%" PRIu64 "\n",
		       (t[AVF_MODEL_CONNECT_DMA_MAP] -
			t[AVF_MODEL_CONNECT_ATTACH]) * 1000000 / hz,
		       (t[AVF_MODEL_CONNECT_PCI] -
			t[AVF_MODEL_CONNECT_DMA_MAP]) * 1000000 / hz,
		       (t[AVF_MODEL_CONNECT_IRQ] -
			t[AVF_MODEL_CONNECT_PCI]) * 1000000 / hz,
		       (t[AVF_MODEL_CONNECT_DONE] -
			t[AVF_MODEL_CONNECT_IRQ]) * 1000000 / hz);
	}
	printf("emu_soak_client: result=%s stage=%s frames_sent=%" PRIu64
	       " frames_back=%" PRIu64 " bad=%" PRIu64 " stale=%" PRIu64
	       " queue_irqs=%" PRIu64 " traffic_us=%" PRIu64
	       " total_us=%" PRIu64 "\n", ret == 0 ? "ok" : "failed",
	       stage_name[cs->stage < CS_MAX ? cs->stage : CS_DONE],
	       cs->flow.tx_total, cs->flow.rx_ok, flow_bad(&cs->flow),
	       cs->flow.rx_stale, cs->irq_count,
	       cs->stage_us[CS_CLOSE] - cs->stage_us[CS_TRAFFIC],
	       cs->stage_us[CS_DONE]);
	if (ret != 0 && cs->stage > CS_START)
		avf_model_fini(&cs->model);
	free(cs);
	return ret == 0 ? TEST_SUCCESS : TEST_FAILED;
}

/* ------------------------------------------------------------------ */
/* emu_soak_reset_autotest */

#define RESET_EMU_ID 30
#define RESET_PORT_RING 512
#define RESET_NB_MBUF 4095
#define RESET_RESUME_FRAMES 256    /* looped back after each reset */
#define RESET_RESUME_MS 5000
#define RESET_RATE_MS 500          /* traffic measured before and after */
#define RESET_GAP_US 2000          /* more traffic between resets, at most */

enum reset_kind { RK_VF, RK_FLR, RK_DEVICE, RK_NB };

static const char * const reset_kind_name[RK_NB] = {
	"vf_reset", "flr", "device_reset",
};

/* Shared between the main lcore (resets) and the worker (traffic). */
struct reset_worker {
	RTE_ATOMIC(int) stop;
	RTE_ATOMIC(int) pause_req; /* main asks the guest to stop */
	RTE_ATOMIC(int) paused;    /* the worker's answer */
	struct soak_flow flow;   /* the worker's, main's while paused */
	RTE_ATOMIC(uint64_t) rx_epoch; /* copy of flow.rx_ok */
	RTE_ATOMIC(uint64_t) rx_all;   /* copy of flow.rx_total */
	/* port side, the worker's */
	uint64_t port_rx;
	uint64_t port_tx;
	uint64_t port_held_max;  /* mbufs held back, guest Rx not ready */
};

struct reset_soak {
	struct avf_model model;
	struct reset_worker w;
	unsigned int worker;
	uint16_t port;
	struct rte_mempool *pool;
	char sock[128];
	bool emu_created;
	bool port_created;
	bool model_ready;
	bool launched;
	/* figures */
	uint64_t resets[RK_NB];
	uint64_t late;           /* guest traffic ran through the reset */
	uint64_t lost;           /* in flight when the guest stopped */
	uint64_t reset_us_sum;
	uint64_t reset_us_max;
	uint64_t resume_us_sum;
	uint64_t resume_us_max;
};

static int
reset_worker_main(void *arg)
{
	struct reset_soak *s = arg;
	struct reset_worker *w = &s->w;
	struct rte_mbuf *pkts[SOAK_BATCH];
	uint16_t npend = 0, off = 0, nb;

	while (!rte_atomic_load_explicit(&w->stop, rte_memory_order_acquire)) {
		bool busy = false;

		/* the port: everything the guest sends goes back to it */
		if (npend == 0) {
			nb = rte_eth_rx_burst(s->port, 0, pkts, SOAK_BATCH);
			if (nb != 0) {
				w->port_rx += nb;
				npend = nb;
				off = 0;
				busy = true;
			}
		}
		if (npend != 0) {
			nb = rte_eth_tx_burst(s->port, 0, pkts + off, npend);
			w->port_tx += nb;
			off += nb;
			npend -= nb;
			busy = busy || nb != 0;
			w->port_held_max = RTE_MAX(w->port_held_max,
						   (uint64_t)npend);
		}

		/* the guest, unless the main lcore re-initialises it */
		if (rte_atomic_load_explicit(&w->pause_req, rte_memory_order_acquire)) {
			rte_atomic_store_explicit(&w->paused, 1, rte_memory_order_release);
		} else {
			if (rte_atomic_load_explicit(&w->paused, rte_memory_order_relaxed))
				rte_atomic_store_explicit(&w->paused, 0,
						 rte_memory_order_release);
			if (flow_poll(&w->flow))
				busy = true;
			rte_atomic_store_explicit(&w->rx_epoch, w->flow.rx_ok,
					 rte_memory_order_release);
			rte_atomic_store_explicit(&w->rx_all, w->flow.rx_total,
					 rte_memory_order_release);
		}
		if (!busy)
			sched_yield();
	}
	rte_pktmbuf_free_bulk(pkts + off, npend);
	return 0;
}

static int
reset_wait_flag(int __rte_atomic *flag, int want, uint32_t timeout_ms)
{
	uint64_t end = now_us() + (uint64_t)timeout_ms * 1000;

	while (rte_atomic_load_explicit(flag, rte_memory_order_acquire) != want) {
		if (now_us() > end)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

static int
reset_pause(struct reset_soak *s)
{
	rte_atomic_store_explicit(&s->w.pause_req, 1, rte_memory_order_release);
	return reset_wait_flag(&s->w.paused, 1, 5000);
}

static int
reset_resume(struct reset_soak *s)
{
	rte_atomic_store_explicit(&s->w.pause_req, 0, rte_memory_order_release);
	return reset_wait_flag(&s->w.paused, 0, 5000);
}

/* Wait for n frames of the current epoch back at the guest. */
static int
reset_wait_frames(struct reset_soak *s, uint64_t n, uint32_t timeout_ms)
{
	uint64_t end = now_us() + (uint64_t)timeout_ms * 1000;

	while (rte_atomic_load_explicit(&s->w.rx_epoch, rte_memory_order_acquire) < n) {
		if (now_us() > end)
			return -ETIMEDOUT;
		sleep_us(100);
	}
	return 0;
}

/* Frames looped back per second over ms of traffic. */
static double
reset_rate(struct reset_soak *s, uint32_t ms)
{
	uint64_t r0, r1, t0, t1;

	r0 = rte_atomic_load_explicit(&s->w.rx_all, rte_memory_order_acquire);
	t0 = now_us();
	sleep_us((uint64_t)ms * 1000);
	r1 = rte_atomic_load_explicit(&s->w.rx_all, rte_memory_order_acquire);
	t1 = now_us();
	return (double)(r1 - r0) * 1e6 / (double)(t1 - t0);
}

/*
 * One reset of the given kind and the guest's recovery. With late, the
 * guest's data path keeps running (and writing its tail doorbells)
 * through the reset, and only stops before the rings are set up again.
 */
static int
reset_one(struct reset_soak *s, enum reset_kind kind, bool late,
		uint64_t nr)
{
	struct avf_model *m = &s->model;
	struct reset_worker *w = &s->w;
	uint64_t t0, t1, t2;
	int ret = 0;

	t0 = now_us();
	if (!late) {
		CHECK(reset_pause(s) == 0, "reset %" PRIu64 ": worker did not pause",
		      nr);
		s->lost += flow_in_flight(&w->flow);
	}
	switch (kind) {
	case RK_VF:
		/* the kernel's reset task: RESET_VF, AQ again, resources */
		ret = avf_model_linux_reset(m);
		break;
	case RK_FLR:
		ret = avf_model_flr(m);
		if (ret == 0)
			ret = avf_model_linux_probe(m, AVF_MODEL_LINUX_CAPS);
		break;
	case RK_DEVICE:
		pthread_mutex_lock(&m->io_lock);
		ret = rte_vfio_user_client_reset(m->cid);
		pthread_mutex_unlock(&m->io_lock);
		m->link_up = false;
		if (ret == 0)
			ret = avf_model_linux_probe(m, AVF_MODEL_LINUX_CAPS);
		break;
	default:
		ret = -EINVAL;
	}
	CHECK(ret == 0, "reset %" PRIu64 " (%s%s): guest re-init failed: %d (%s), virtchnl status %d, RSTAT %#x",
	      nr, reset_kind_name[kind], late ? ", late" : "", ret,
	      strerror(-ret), m->last_status,
	      avf_model_rd32(m, IAVF_VFGEN_RSTAT));
	if (late) {
		CHECK(reset_pause(s) == 0, "reset %" PRIu64 ": worker did not pause",
		      nr);
		s->lost += flow_in_flight(&w->flow);
		/* what it wrote after the reset is no ring state any more */
		avf_model_wr32(m, IAVF_QTX_TAIL1(0), 0);
		avf_model_wr32(m, IAVF_QRX_TAIL1(0), 0);
	}
	m->link_up = false;
	ret = avf_model_linux_open(m, 1, SOAK_RING);
	CHECK(ret == 0, "reset %" PRIu64 " (%s%s): guest open failed: %d (%s), virtchnl status %d",
	      nr, reset_kind_name[kind], late ? ", late" : "", ret,
	      strerror(-ret), m->last_status);
	flow_new_epoch(&w->flow);
	rte_atomic_store_explicit(&w->rx_epoch, 0, rte_memory_order_release);
	t1 = now_us();
	CHECK(reset_resume(s) == 0, "reset %" PRIu64 ": worker did not resume",
	      nr);
	ret = reset_wait_frames(s, RESET_RESUME_FRAMES, RESET_RESUME_MS);
	t2 = now_us();
	CHECK(ret == 0, "reset %" PRIu64 " (%s%s): traffic did not resume: %" PRIu64
	      " frames back in %u ms (port rx %" PRIu64 " tx %" PRIu64 ")",
	      nr, reset_kind_name[kind], late ? ", late" : "",
	      rte_atomic_load_explicit(&w->rx_epoch, rte_memory_order_acquire),
	      RESET_RESUME_MS, w->port_rx, w->port_tx);
	s->resets[kind]++;
	s->late += late;
	s->reset_us_sum += t1 - t0;
	s->reset_us_max = RTE_MAX(s->reset_us_max, t1 - t0);
	s->resume_us_sum += t2 - t1;
	s->resume_us_max = RTE_MAX(s->resume_us_max, t2 - t1);
	return TEST_SUCCESS;
}

static const char * const reset_xstats[] = {
	"rx_q0_bad_desc_drops", "rx_q0_bad_tail", "tx_q0_bad_desc_drops",
	"tx_q0_bad_tail", "tx_q0_invalid_drops", "tx_q0_no_fit_drops",
	"tx_q0_oversize_drops", "tx_q0_mac_filtered",
};

static void
reset_close(struct reset_soak *s)
{
	if (s->launched) {
		rte_atomic_store_explicit(&s->w.pause_req, 0, rte_memory_order_release);
		rte_atomic_store_explicit(&s->w.stop, 1, rte_memory_order_release);
		rte_eal_wait_lcore(s->worker);
		s->launched = false;
	}
	if (s->model_ready)
		avf_model_fini(&s->model);
	s->model_ready = false;
	if (s->port_created) {
		rte_eth_dev_stop(s->port);
		rte_eth_dev_close(s->port);
		rte_vdev_uninit("net_avfbe_soak");
	}
	s->port_created = false;
	if (s->emu_created)
		rte_vdev_uninit("emu_iavf_soak");
	s->emu_created = false;
	unlink(s->sock);
	rte_mempool_free(s->pool);
	s->pool = NULL;
}

static int
reset_open(struct reset_soak *s)
{
	struct avf_model_conf mconf;
	struct rte_eth_conf conf;
	char args[256];
	int ret;

	s->pool = rte_pktmbuf_pool_create("emu_soak_pool", RESET_NB_MBUF, 256,
					  0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	CHECK(s->pool != NULL, "cannot create the mbuf pool");
	snprintf(s->sock, sizeof(s->sock), "/tmp/emu_soak_%d.sock",
		 (int)getpid());
	snprintf(args, sizeof(args), "path=%s,id=%u,queues=1", s->sock,
		 RESET_EMU_ID);
	ret = rte_vdev_init("emu_iavf_soak", args);
	CHECK(ret == 0, "cannot create emu_iavf_soak: %d", ret);
	s->emu_created = true;
	snprintf(args, sizeof(args), "id=%u,avf_emu_id=%u", RESET_EMU_ID,
		 RESET_EMU_ID);
	ret = rte_vdev_init("net_avfbe_soak", args);
	CHECK(ret == 0, "cannot create net_avfbe_soak: %d", ret);
	s->port_created = true;
	CHECK(rte_eth_dev_get_port_by_name("net_avfbe_soak", &s->port) == 0,
	      "port id");
	memset(&conf, 0, sizeof(conf));
	CHECK(rte_eth_dev_configure(s->port, 1, 1, &conf) == 0, "configure");
	CHECK(rte_eth_rx_queue_setup(s->port, 0, RESET_PORT_RING,
				     SOCKET_ID_ANY, NULL, s->pool) == 0,
	      "rx queue");
	CHECK(rte_eth_tx_queue_setup(s->port, 0, RESET_PORT_RING,
				     SOCKET_ID_ANY, NULL) == 0, "tx queue");
	CHECK(rte_eth_dev_start(s->port) == 0, "start");

	memset(&mconf, 0, sizeof(mconf));
	mconf.path = s->sock;
	mconf.mem_size = SOAK_MEM_SIZE;
	CHECK(avf_model_init(&s->model, &mconf) == 0, "model init");
	s->model_ready = true;
	ret = avf_model_connect(&s->model);
	CHECK(ret == 0, "connect: %d", ret);
	CHECK(s->model.db != NULL, "no doorbell page mapped");
	ret = avf_model_linux_probe(&s->model, AVF_MODEL_LINUX_CAPS);
	CHECK(ret == 0, "guest probe: %d", ret);
	ret = avf_model_linux_open(&s->model, 1, SOAK_RING);
	CHECK(ret == 0, "guest open: %d", ret);

	memset(&s->w, 0, sizeof(s->w));
	flow_init(&s->w.flow, &s->model, SOAK_WINDOW);
	s->worker = rte_get_next_lcore(-1, 1, 0);
	CHECK(rte_eal_remote_launch(reset_worker_main, s, s->worker) == 0,
	      "cannot launch the worker on lcore %u", s->worker);
	s->launched = true;
	CHECK(reset_wait_frames(s, RESET_RESUME_FRAMES, RESET_RESUME_MS) == 0,
	      "no traffic before the first reset");
	return TEST_SUCCESS;
}

static enum reset_kind
reset_kind_at(uint64_t i, uint64_t n)
{
	/* a quarter of each kind, then the kinds mixed */
	uint64_t q = n / 4;

	if (q != 0 && i < 3 * q)
		return (enum reset_kind)(i / q);
	return (enum reset_kind)rte_rand_max(RK_NB);
}

/* The soak proper; reset_close() cleans up whatever it left. */
static int
reset_run(struct reset_soak *s, uint64_t resets, uint64_t seed)
{
	uint64_t x0[RTE_DIM(reset_xstats)], x, t0, i, n;
	double rate_before, rate_after;
	struct soak_flow *f = &s->w.flow;
	struct rte_eth_stats st;
	int64_t rss0, rss1, heap0, heap1, rte0, rte1;
	int fds0, fds1;
	unsigned int k;

	if (reset_open(s) != TEST_SUCCESS)
		return TEST_FAILED;

	/* warm-up: traffic, one reset of each kind, early and late */
	rate_before = reset_rate(s, RESET_RATE_MS);
	for (k = 0; k < RK_NB; k++)
		if (reset_one(s, (enum reset_kind)k, false, 0) != 0 ||
		    reset_one(s, (enum reset_kind)k, true, 0) != 0)
			return TEST_FAILED;
	memset(s->resets, 0, sizeof(s->resets));
	s->late = 0;
	s->lost = 0;
	s->reset_us_sum = s->reset_us_max = 0;
	s->resume_us_sum = s->resume_us_max = 0;
	for (k = 0; k < RTE_DIM(reset_xstats); k++) {
		x0[k] = avfbe_test_xstat(s->port, reset_xstats[k]);
		CHECK(x0[k] != UINT64_MAX, "no xstat %s", reset_xstats[k]);
	}
	/* stdio's buffer is allocated at the first line printed */
	printf("emu_soak_reset: warm-up (%u resets) done: %.0f frames/s looped back, seed %"
	       PRIu64 "\n", 2 * RK_NB, rate_before, seed);
	fds0 = proc_fd_count(getpid());
	rss0 = proc_rss_kib(getpid());
	heap0 = heap_in_use();
	rte0 = rte_heap_in_use();
	printf("emu_soak_reset: baseline: fds %d, rss %" PRId64 " KiB, malloc %"
	       PRId64 " B, rte_malloc %" PRId64 " B\n",
	       fds0, rss0, heap0, rte0);

	t0 = now_us();
	for (i = 0; i < resets; i++) {
		enum reset_kind kind = reset_kind_at(i, resets);

		if (reset_one(s, kind, rte_rand_max(2) != 0, i + 1) != 0)
			return TEST_FAILED;
		/* traffic a while longer: the next reset finds the rings
		 * somewhere else
		 */
		sleep_us(rte_rand_max(RESET_GAP_US));
		if ((i + 1) % 100 == 0 || i + 1 == resets)
			printf("emu_soak_reset: %" PRIu64 "/%" PRIu64
			       " resets, fds %d, rss %" PRId64 " KiB, %.1f s\n",
			       i + 1, resets, proc_fd_count(getpid()),
			       proc_rss_kib(getpid()), (now_us() - t0) / 1e6);
	}
	n = s->resets[RK_VF] + s->resets[RK_FLR] + s->resets[RK_DEVICE];
	printf("emu_soak_reset: resets=%" PRIu64 " vf_reset=%" PRIu64
	       " flr=%" PRIu64 " device_reset=%" PRIu64 " late=%" PRIu64
	       " seconds=%.1f reset_ms_avg=%.2f reset_ms_max=%.2f"
	       " resume_ms_avg=%.2f resume_ms_max=%.2f\n",
	       n, s->resets[RK_VF], s->resets[RK_FLR], s->resets[RK_DEVICE],
	       s->late, (now_us() - t0) / 1e6,
	       n ? s->reset_us_sum / 1e3 / n : 0, s->reset_us_max / 1e3,
	       n ? s->resume_us_sum / 1e3 / n : 0, s->resume_us_max / 1e3);
	rate_after = reset_rate(s, RESET_RATE_MS);
	fds1 = proc_fd_count(getpid());
	rss1 = proc_rss_kib(getpid());
	heap1 = heap_in_use();
	rte1 = rte_heap_in_use();

	/* the guest's counters are read with its data path stopped */
	CHECK(reset_pause(s) == 0, "worker did not pause");
	printf("emu_soak_reset: frames_per_s_before=%.0f frames_per_s_after=%.0f"
	       " guest_tx=%" PRIu64 " guest_rx=%" PRIu64 " port_rx=%" PRIu64
	       " port_tx=%" PRIu64 " lost_in_resets=%" PRIu64
	       " stale_after_reset=%" PRIu64 " port_held_max=%" PRIu64 "\n",
	       rate_before, rate_after, f->tx_total, f->rx_total,
	       s->w.port_rx, s->w.port_tx, s->lost, f->rx_stale,
	       s->w.port_held_max);
	printf("emu_soak_reset: guest_bad_len=%" PRIu64 " guest_bad_err=%"
	       PRIu64 " guest_bad_data=%" PRIu64 " guest_bad_seq=%" PRIu64,
	       f->rx_bad_len, f->rx_bad_err, f->rx_bad_data, f->rx_bad_seq);
	for (k = 0; k < RTE_DIM(reset_xstats); k++) {
		x = avfbe_test_xstat(s->port, reset_xstats[k]);
		printf(" %s=%" PRIu64, reset_xstats[k], x - x0[k]);
	}
	if (rte_eth_stats_get(s->port, &st) == 0)
		printf(" ierrors=%" PRIu64 " oerrors=%" PRIu64
		       " rx_nombuf=%" PRIu64, st.ierrors, st.oerrors,
		       st.rx_nombuf);
	printf("\n");
	printf("emu_soak_reset: fds_baseline=%d fds_end=%d rss_baseline_kib=%"
	       PRId64 " rss_end_kib=%" PRId64 " rss_growth_kib=%" PRId64
	       " malloc_baseline=%" PRId64 " malloc_end=%" PRId64
	       " rte_malloc_baseline=%" PRId64 " rte_malloc_end=%" PRId64 "\n",
	       fds0, fds1, rss0, rss1, rss1 - rss0, heap0, heap1, rte0, rte1);
	CHECK(flow_bad(f) == 0, "%" PRIu64 " bad frames at the guest",
	      flow_bad(f));
	CHECK(s->model.io_errors == 0, "%" PRIu64 " guest register accesses failed",
	      s->model.io_errors);
	return TEST_SUCCESS;
}

static int
test_emu_soak_reset(void)
{
	static struct reset_soak s;
	uint64_t resets, seed;
	int ret;

	if (avfbe_test_env_u64("EMU_SOAK_RESETS", 1, UINT32_MAX, 1000, &resets) != 0)
		return TEST_FAILED;
	if (rte_lcore_count() < 2) {
		printf("emu_soak_reset_autotest needs 2 lcores (e.g. -l 0-1)\n");
		return TEST_SKIPPED;
	}
	seed = env_seed();
	rte_srand(seed);
	memset(&s, 0, sizeof(s));
	ret = reset_run(&s, resets, seed);
	reset_close(&s);
	return ret;
}

REGISTER_STRESS_TEST(emu_soak_kill_autotest, test_emu_soak_kill);
REGISTER_STRESS_TEST(emu_soak_client_autotest, test_emu_soak_client);
REGISTER_STRESS_TEST(emu_soak_reset_autotest, test_emu_soak_reset);
