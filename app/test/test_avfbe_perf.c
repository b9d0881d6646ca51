/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * net_avfbe data-path performance: an emu_iavf device with one queue pair,
 * the net_avfbe port that serves it and the AVF guest-driver model on a
 * second lcore. The guest keeps its Tx ring full and its Rx ring posted,
 * in batches with one tail write each, as a driver does; the main lcore
 * forwards every packet of the port back to it:
 *
 *   guest Tx -> port rx_burst -> port tx_burst -> guest Rx
 *
 * Each doorbell mode of the device (shared page, trapped: every tail write
 * a vfio-user message, posted as QEMU does when no region is mappable) is
 * measured with 64-byte and 1518-byte frames. A direction's rate counts
 * the packets between the first and the last one seen on it; the PMD's
 * cost is the TSC cycles spent in the bursts that moved packets, divided
 * by the packets. The figures are printed; only correctness is asserted:
 * every packet moved, in order and intact, no bad descriptor, counters
 * consistent.
 *
 * Environment (all optional):
 *   AVFBE_PERF_MS=n        measure n ms per case (default 1000)
 *   AVFBE_PERF_PKTS=n      move exactly n packets per case instead
 *                          (repeatable instruction counts under callgrind)
 *   AVFBE_PERF_DOORBELL=m  shared, trapped or both (default)
 *   AVFBE_PERF_FRAME=n     64, 1518 or both (default)
 *   AVFBE_PERF_YIELD=0     never yield the CPU (default 1: both lcores
 *                          call sched_yield() after a loop without work)
 *   AVFBE_PERF_OFFLOADS=o  what the guest driver asks of the device:
 *                          none (default: no RSS, no checksum offload) or
 *                          linux (as Linux iavf: RSS configured, UDP
 *                          checksum offload requested on every packet,
 *                          which the port completes in software towards
 *                          the guest)
 *   AVFBE_PERF_EMPTY=n     instead of traffic: n rx_burst calls on an idle
 *                          guest Tx ring, then n tx_burst calls refused
 *                          for lack of guest Rx buffers (the cost of an
 *                          empty poll, measured under callgrind)
 *
 * Yielding when idle matters on small machines: DPDK runs its control
 * threads, among them the vfio-user one that handles trapped doorbell
 * writes, on the main lcore's CPU when no other CPU is free.
 */

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "test.h"
#include "avf_guest_model.h"
#include "avfbe_test_util.h"

#define PERF_EMU_ID_BASE 20
#define PERF_RING 512           /* guest ring size (Linux iavf default) */
#define PERF_PORT_RING 512
#define PERF_BURST 32           /* port rx_burst size */
#define PERF_GUEST_BATCH 32     /* descriptors per guest tail write */
#define PERF_NB_MBUF 8191
#define PERF_DEFAULT_MS 1000
#define PERF_STALL_MS 5000      /* no progress for this long: failure */
#define PERF_SEQ_OFF 42         /* sequence number after Eth/IPv4/UDP */
#define PERF_NB_SIZES 2

enum perf_db { PERF_DB_SHARED, PERF_DB_TRAPPED, PERF_NB_DB };
enum perf_ol { PERF_OL_NONE, PERF_OL_LINUX };

static const char * const perf_ol_name[] = { "none", "linux" };

static const char * const perf_db_name[PERF_NB_DB] = { "shared", "trapped" };
static const uint16_t perf_sizes[PERF_NB_SIZES] = { 64, 1518 };

enum perf_phase { PERF_RUN, PERF_DRAIN, PERF_FINISH };

/* Shared between the main lcore (port) and the guest lcore. */
struct perf_guest {
	/* set by the main lcore */
	uint16_t frame_len;
	uint32_t tx_cmd;         /* Tx descriptor command and offsets */
	uint32_t tx_offset;
	uint64_t limit;          /* packets to post, 0: until PERF_DRAIN */
	bool idle_yield;
	RTE_ATOMIC(int) phase;   /* enum perf_phase */
	uint64_t port_sent;      /* valid from PERF_FINISH */
	/* set by the guest lcore */
	RTE_ATOMIC(int) tx_stopped; /* posted is final */
	uint64_t posted;
	uint64_t tx_completed;
	uint64_t tx_kicks;
	uint64_t rx_kicks;
	uint64_t rx_pkts;
	uint64_t rx_bad_len;     /* length or EOF not as sent */
	uint64_t rx_bad_err;     /* error bits in the write-back */
	uint64_t rx_bad_seq;     /* lost, duplicated or reordered */
	uint64_t rx_bad_data;    /* first or last byte not as sent */
	uint64_t rx_first_tsc;
	uint64_t rx_last_tsc;
	int result;              /* 0 or -ETIMEDOUT */
};

/* Figures of one case (doorbell mode, frame size). */
struct perf_result {
	bool done;
	uint16_t frame_len;
	uint64_t port_rx;
	uint64_t port_tx;
	uint64_t tx_refused;     /* left by tx_burst: guest Rx ring full */
	uint64_t rx_bursts;      /* non-empty rx_burst calls */
	uint64_t idle_polls;     /* empty rx_burst calls */
	uint64_t tx_bursts;      /* tx_burst calls that placed packets */
	uint64_t tx_full;        /* tx_burst calls that placed none */
	uint64_t rx_cycles;      /* TSC cycles in non-empty rx_burst calls */
	uint64_t tx_cycles;      /* TSC cycles in tx_burst calls that placed */
	uint64_t rx_first_tsc;
	uint64_t rx_last_tsc;
	uint64_t kicks;          /* guest tail writes (Tx + Rx) */
	uint64_t msg_reads;      /* vfio-user REGION_READ messages sent */
	uint64_t msg_writes;     /* vfio-user REGION_WRITE messages sent */
	double g2p_mpps;         /* guest -> port (port rx) */
	double p2g_mpps;         /* port -> guest (guest rx) */
	double rx_cpp;           /* PMD cycles per packet */
	double tx_cpp;
};

static struct avf_model model;
static bool model_ready;
static char sock[128];
static char emu_name[64];
static char port_name[64];
static bool emu_created;
static bool port_created;
static uint16_t port;
static struct rte_mempool *pool;
static unsigned int worker;
static uint64_t opt_ms = PERF_DEFAULT_MS;
static uint64_t opt_pkts;
static uint64_t opt_yield = 1;
static bool opt_db[PERF_NB_DB] = { true, true };
static uint64_t opt_frame;       /* one of perf_sizes, 0: all */
static enum perf_ol opt_ol = PERF_OL_NONE;
static uint64_t opt_empty;       /* empty-poll calls, 0: traffic */
static struct perf_result results[PERF_NB_DB][PERF_NB_SIZES];

/* Counters that must not move while well-formed traffic runs. */
static const char * const perf_error_xstats[] = {
	"rx_q0_bad_desc_drops", "rx_q0_bad_tail", "tx_q0_bad_desc_drops",
	"tx_q0_bad_tail", "tx_q0_mac_filtered", "tx_q0_oversize_drops",
	"tx_q0_no_fit_drops", "tx_q0_invalid_drops",
};

static int
parse_env(void)
{
	const char *db = getenv("AVFBE_PERF_DOORBELL");

	if (avfbe_test_env_u64("AVFBE_PERF_MS", 1, 600000, opt_ms, &opt_ms) != 0 ||
	    avfbe_test_env_u64("AVFBE_PERF_PKTS", 0, UINT32_MAX, opt_pkts,
			       &opt_pkts) != 0 ||
	    avfbe_test_env_u64("AVFBE_PERF_YIELD", 0, 1, opt_yield,
			       &opt_yield) != 0)
		return -EINVAL;
	if (getenv("AVFBE_PERF_FRAME") != NULL &&
	    strcmp(getenv("AVFBE_PERF_FRAME"), "both") != 0) {
		if (avfbe_test_env_u64("AVFBE_PERF_FRAME", 1, UINT16_MAX,
				       opt_frame, &opt_frame) != 0)
			return -EINVAL;
		if (opt_frame != perf_sizes[0] && opt_frame != perf_sizes[1]) {
			printf("AVFBE_PERF_FRAME=%" PRIu64 ": expected %u, %u or both\n",
			       opt_frame, perf_sizes[0], perf_sizes[1]);
			return -EINVAL;
		}
	}
	if (avfbe_test_env_u64("AVFBE_PERF_EMPTY", 0, UINT32_MAX, opt_empty,
			       &opt_empty) != 0)
		return -EINVAL;
	if (getenv("AVFBE_PERF_OFFLOADS") != NULL) {
		const char *ol = getenv("AVFBE_PERF_OFFLOADS");

		if (strcmp(ol, "none") == 0) {
			opt_ol = PERF_OL_NONE;
		} else if (strcmp(ol, "linux") == 0) {
			opt_ol = PERF_OL_LINUX;
		} else {
			printf("AVFBE_PERF_OFFLOADS=%s: expected none or linux\n",
			       ol);
			return -EINVAL;
		}
	}
	if (db == NULL || *db == '\0' || strcmp(db, "both") == 0) {
		opt_db[PERF_DB_SHARED] = opt_db[PERF_DB_TRAPPED] = true;
	} else if (strcmp(db, "shared") == 0) {
		opt_db[PERF_DB_SHARED] = true;
		opt_db[PERF_DB_TRAPPED] = false;
	} else if (strcmp(db, "trapped") == 0) {
		opt_db[PERF_DB_SHARED] = false;
		opt_db[PERF_DB_TRAPPED] = true;
	} else {
		printf("AVFBE_PERF_DOORBELL=%s: expected shared, trapped or both\n",
		       db);
		return -EINVAL;
	}
	return 0;
}

/* Ethernet + IPv4 + UDP frame of len bytes to the guest's MAC. */
static void
build_udp(uint8_t *f, uint16_t len, const struct rte_ether_addr *dst)
{
	uint16_t i;

	memset(f, 0, len);
	avfbe_test_udp_frame(f, len, dst, 0x01, 1024, 1025);
	for (i = PERF_SEQ_OFF; i < len; i++)
		f[i] = (uint8_t)i;
}

/* ------------------------------------------------------ guest lcore */

/* Post every free Tx slot (at least a batch), one tail write. */
static void
guest_tx_fill(struct perf_guest *g, struct avf_model_txq *tq, uint32_t *seq,
		bool *idle)
{
	uint16_t n = avf_model_tx_free(tq), i;

	if (g->limit != 0 && n > g->limit - *seq)
		n = g->limit - *seq;
	if (n == 0 || (n < PERF_GUEST_BATCH && (g->limit == 0 ||
						 n != g->limit - *seq)))
		return;
	for (i = 0; i < n; i++) {
		uint64_t iova;
		uint8_t *buf = avf_model_tx_buf(tq, tq->next_to_use, &iova);
		uint32_t s = (*seq)++;

		/* the one per-packet store of the guest: its sequence */
		memcpy(buf + PERF_SEQ_OFF, &s, sizeof(s));
		if (avf_model_tx_data(tq, iova, g->frame_len, g->tx_cmd,
				      g->tx_offset) != 0) {
			(*seq)--;
			break;
		}
	}
	avf_model_tx_kick(tq);
	g->tx_kicks++;
	*idle = false;
}

/* Reap the Rx ring, check each frame, give the buffers back. */
static void
guest_rx_poll(struct perf_guest *g, struct avf_model_rxq *rq,
		uint32_t *expect, bool *idle)
{
	struct avf_model_rx_pkt rp[2 * PERF_GUEST_BATCH];
	uint16_t n, i;

	n = avf_model_rx_reap(rq, rp, RTE_DIM(rp));
	if (n != 0) {
		uint64_t tsc = rte_rdtsc();

		if (g->rx_pkts == 0)
			g->rx_first_tsc = tsc;
		g->rx_last_tsc = tsc;
		*idle = false;
	}
	for (i = 0; i < n; i++) {
		uint32_t s;

		if (!rp[i].eof || rp[i].len != g->frame_len) {
			g->rx_bad_len++;
			continue;
		}
		if (rp[i].error != 0)
			g->rx_bad_err++;
		/* both ends of the copy: the guest's MAC, the pattern */
		if (rp[i].data[0] != model.mac.addr_bytes[0] ||
		    rp[i].data[g->frame_len - 1] !=
		    (uint8_t)(g->frame_len - 1))
			g->rx_bad_data++;
		memcpy(&s, rp[i].data + PERF_SEQ_OFF, sizeof(s));
		if (s != *expect)
			g->rx_bad_seq++;
		*expect = s + 1;
		g->rx_pkts++;
	}
	if (avf_model_rxq_free(rq) >= PERF_GUEST_BATCH) {
		avf_model_rx_post(rq, avf_model_rxq_free(rq));
		avf_model_rx_kick(rq);
		g->rx_kicks++;
	}
}

static int
perf_guest_main(void *arg)
{
	struct perf_guest *g = arg;
	struct avf_model_txq *tq = &model.txq[0];
	struct avf_model_rxq *rq = &model.rxq[0];
	uint64_t done0 = tq->completed, deadline = 0;
	uint32_t seq = 0, expect = 0;
	bool posting = true;

	for (;;) {
		int phase = rte_atomic_load_explicit(&g->phase, rte_memory_order_acquire);
		bool idle = true;

		if (avf_model_tx_reap(tq) != 0)
			idle = false;
		if (posting && (phase != PERF_RUN ||
				(g->limit != 0 && seq >= g->limit))) {
			posting = false;
			g->posted = seq;
			rte_atomic_store_explicit(&g->tx_stopped, 1, rte_memory_order_release);
		}
		if (posting)
			guest_tx_fill(g, tq, &seq, &idle);
		guest_rx_poll(g, rq, &expect, &idle);

		if (phase == PERF_FINISH) {
			if (g->rx_pkts + g->rx_bad_len >= g->port_sent &&
			    tq->completed - done0 >= g->posted)
				break;
			if (deadline == 0) {
				deadline = rte_rdtsc() + rte_get_tsc_hz() *
					PERF_STALL_MS / 1000;
			} else if (rte_rdtsc() > deadline) {
				g->result = -ETIMEDOUT;
				break;
			}
		}
		if (idle && g->idle_yield)
			sched_yield();
	}
	g->tx_completed = tq->completed - done0;
	return 0;
}

/* ------------------------------------------------------- main lcore */

/* Forward port Rx to port Tx until the guest's packets are all through. */
static int
perf_forward(struct perf_guest *g, struct perf_result *r)
{
	const uint64_t hz = rte_get_tsc_hz();
	const uint64_t stall = hz * PERF_STALL_MS / 1000;
	struct rte_mbuf *pkts[PERF_BURST];
	uint64_t start = rte_rdtsc(), end, progress, now = start;
	uint16_t npend = 0, off = 0, nb;
	bool draining = false;

	end = start + hz * opt_ms / 1000;
	progress = start;
	for (;;) {
		bool idle = true;
		uint64_t t0, t1;

		if (npend == 0) {
			t0 = rte_rdtsc();
			nb = rte_eth_rx_burst(port, 0, pkts, PERF_BURST);
			t1 = rte_rdtsc();
			if (nb != 0) {
				r->rx_cycles += t1 - t0;
				r->rx_bursts++;
				r->port_rx += nb;
				if (r->rx_first_tsc == 0)
					r->rx_first_tsc = t0;
				r->rx_last_tsc = t1;
				npend = nb;
				off = 0;
				progress = t1;
				idle = false;
			} else {
				r->idle_polls++;
			}
			now = t1;
		}
		if (npend != 0) {
			t0 = rte_rdtsc();
			nb = rte_eth_tx_burst(port, 0, pkts + off, npend);
			t1 = rte_rdtsc();
			r->port_tx += nb;
			r->tx_refused += npend - nb;
			off += nb;
			npend -= nb;
			if (nb != 0) {
				r->tx_cycles += t1 - t0;
				r->tx_bursts++;
				progress = t1;
				idle = false;
			} else {
				r->tx_full++;
			}
			now = t1;
		}
		if (!draining && opt_pkts == 0 && now >= end) {
			rte_atomic_store_explicit(&g->phase, PERF_DRAIN,
					 rte_memory_order_release);
			draining = true;
		}
		if (npend == 0 &&
		    rte_atomic_load_explicit(&g->tx_stopped, rte_memory_order_acquire) &&
		    r->port_rx >= g->posted)
			return 0;
		if (now - progress > stall) {
			rte_pktmbuf_free_bulk(pkts + off, npend);
			return -ETIMEDOUT;
		}
		if (idle && g->idle_yield)
			sched_yield();
	}
}


static double
perf_rate(uint64_t pkts, uint64_t first, uint64_t last)
{
	if (pkts < 2 || last <= first)
		return 0;
	return (double)(pkts - 1) * rte_get_tsc_hz() / (last - first) / 1e6;
}

/* One case: frame_len bytes both ways through the current device. */
static int
perf_case(enum perf_db db, uint16_t frame_len, struct perf_result *r)
{
	struct avf_model_txq *tq = &model.txq[0];
	uint64_t err0[RTE_DIM(perf_error_xstats)], err1, refused0;
	struct rte_eth_stats st0, st1;
	static struct perf_guest g;
	uint64_t io_errors = model.io_errors;
	uint64_t reads0 = model.region_reads, writes0 = model.region_writes;
	uint16_t slot;
	unsigned int i;
	int ret;

	/* the guest's frames are in its buffers once; it writes a sequence
	 * number per packet
	 */
	for (slot = 0; slot < tq->len; slot++)
		build_udp(avf_model_tx_buf(tq, slot, NULL), frame_len,
			  &model.mac);
	for (i = 0; i < RTE_DIM(perf_error_xstats); i++) {
		err0[i] = avfbe_test_xstat(port, perf_error_xstats[i]);
		CHECK(err0[i] != UINT64_MAX, "no xstat %s",
		      perf_error_xstats[i]);
	}
	refused0 = avfbe_test_xstat(port, "tx_q0_no_guest_buffer");
	CHECK(refused0 != UINT64_MAX, "no xstat tx_q0_no_guest_buffer");
	CHECK(rte_eth_stats_get(port, &st0) == 0, "stats");

	memset(&g, 0, sizeof(g));
	memset(r, 0, sizeof(*r));
	g.frame_len = frame_len;
	g.tx_cmd = IAVF_TX_DESC_CMD_EOP | IAVF_TX_DESC_CMD_RS |
		IAVF_TX_DESC_CMD_ICRC;
	if (opt_ol == PERF_OL_LINUX) {
		/* iavf_tx_csum() of a CHECKSUM_PARTIAL UDP/IPv4 packet */
		g.tx_cmd |= IAVF_TX_DESC_CMD_IIPT_IPV4 |
			IAVF_TX_DESC_CMD_L4T_EOFT_UDP;
		g.tx_offset = (RTE_ETHER_HDR_LEN / 2) <<
				IAVF_TX_DESC_LENGTH_MACLEN_SHIFT |
			(sizeof(struct rte_ipv4_hdr) / 4) <<
				IAVF_TX_DESC_LENGTH_IPLEN_SHIFT |
			(sizeof(struct rte_udp_hdr) / 4) <<
				IAVF_TX_DESC_LENGTH_L4_FC_LEN_SHIFT;
	}
	g.limit = opt_pkts;
	g.idle_yield = opt_yield != 0 || opt_pkts != 0;
	g.phase = PERF_RUN;
	r->frame_len = frame_len;
	CHECK(rte_eal_remote_launch(perf_guest_main, &g, worker) == 0,
	      "cannot launch the guest on lcore %u", worker);
	ret = perf_forward(&g, r);
	g.port_sent = r->port_tx;
	rte_atomic_store_explicit(&g.phase, PERF_FINISH, rte_memory_order_release);
	rte_eal_wait_lcore(worker);
	CHECK(ret == 0, "%s/%u: port forwarding stalled: rx %" PRIu64
	      " tx %" PRIu64 " posted %" PRIu64, perf_db_name[db], frame_len,
	      r->port_rx, r->port_tx, g.posted);
	CHECK(g.result == 0, "%s/%u: guest did not get everything back: "
	      "rx %" PRIu64 " of %" PRIu64 ", completed %" PRIu64 " of %"
	      PRIu64, perf_db_name[db], frame_len, g.rx_pkts, g.port_sent,
	      g.tx_completed, g.posted);
	CHECK(rte_eth_stats_get(port, &st1) == 0, "stats");

	r->kicks = g.tx_kicks + g.rx_kicks;
	r->msg_reads = model.region_reads - reads0;
	r->msg_writes = model.region_writes - writes0;
	r->g2p_mpps = perf_rate(r->port_rx, r->rx_first_tsc, r->rx_last_tsc);
	r->p2g_mpps = perf_rate(g.rx_pkts, g.rx_first_tsc, g.rx_last_tsc);
	r->rx_cpp = r->port_rx ? (double)r->rx_cycles / r->port_rx : 0;
	r->tx_cpp = r->port_tx ? (double)r->tx_cycles / r->port_tx : 0;
	r->done = true;

	/* every packet moved, intact and in order, both ways */
	CHECK(r->port_rx > 0, "no packet moved");
	CHECK(opt_pkts == 0 || r->port_rx == opt_pkts, "rx %" PRIu64
	      " of %" PRIu64, r->port_rx, opt_pkts);
	CHECK(r->port_rx == g.posted, "port rx %" PRIu64 ", guest posted %"
	      PRIu64, r->port_rx, g.posted);
	CHECK(g.tx_completed == g.posted, "guest Tx completions %" PRIu64
	      " of %" PRIu64, g.tx_completed, g.posted);
	CHECK(r->port_tx == r->port_rx, "port tx %" PRIu64 " of %" PRIu64,
	      r->port_tx, r->port_rx);
	CHECK(g.rx_pkts == r->port_tx && g.rx_bad_len == 0, "guest rx %"
	      PRIu64 " (+%" PRIu64 " bad length) of %" PRIu64, g.rx_pkts,
	      g.rx_bad_len, r->port_tx);
	CHECK(g.rx_bad_seq == 0, "%" PRIu64 " frames out of sequence",
	      g.rx_bad_seq);
	CHECK(g.rx_bad_err == 0, "%" PRIu64 " frames with error bits",
	      g.rx_bad_err);
	CHECK(g.rx_bad_data == 0, "%" PRIu64 " frames with wrong data",
	      g.rx_bad_data);
	/* the port's counters tell the same story */
	CHECK(st1.ipackets - st0.ipackets == r->port_rx &&
	      st1.ibytes - st0.ibytes == r->port_rx * frame_len,
	      "ipackets %" PRIu64 " ibytes %" PRIu64,
	      st1.ipackets - st0.ipackets, st1.ibytes - st0.ibytes);
	CHECK(st1.opackets - st0.opackets == r->port_tx &&
	      st1.obytes - st0.obytes == r->port_tx * frame_len,
	      "opackets %" PRIu64 " obytes %" PRIu64,
	      st1.opackets - st0.opackets, st1.obytes - st0.obytes);
	CHECK(st1.ierrors == st0.ierrors, "ierrors +%" PRIu64,
	      st1.ierrors - st0.ierrors);
	/* a frame refused for lack of guest buffers stays with the caller:
	 * counted apart, not an error
	 */
	CHECK(st1.oerrors == st0.oerrors, "oerrors +%" PRIu64,
	      st1.oerrors - st0.oerrors);
	CHECK(avfbe_test_xstat(port, "tx_q0_no_guest_buffer") - refused0 == r->tx_refused,
	      "no_guest_buffer +%" PRIu64 ", refused %" PRIu64,
	      avfbe_test_xstat(port, "tx_q0_no_guest_buffer") - refused0, r->tx_refused);
	for (i = 0; i < RTE_DIM(perf_error_xstats); i++) {
		err1 = avfbe_test_xstat(port, perf_error_xstats[i]);
		CHECK(err1 == err0[i], "%s +%" PRIu64, perf_error_xstats[i],
		      err1 - err0[i]);
	}
	CHECK(model.io_errors == io_errors, "guest register accesses failed");
	CHECK(rte_eth_stats_get(port, &st1) == 0 && st1.rx_nombuf ==
	      st0.rx_nombuf, "mbuf pool ran dry");

	printf("avfbe_perf: doorbell=%s offloads=%s frame=%u packets=%" PRIu64
	       " g2p_mpps=%.3f p2g_mpps=%.3f g2p_gbps=%.3f p2g_gbps=%.3f"
	       " rx_cycles_per_pkt=%.1f tx_cycles_per_pkt=%.1f"
	       " pkts_per_rx_burst=%.1f idle_polls=%" PRIu64
	       " tx_full_calls=%" PRIu64 " tx_refused=%" PRIu64
	       " guest_tail_writes=%" PRIu64 " rx_calls=%" PRIu64
	       " tx_calls=%" PRIu64 " msgs_region_read=%" PRIu64
	       " msgs_region_write=%" PRIu64 "\n",
	       perf_db_name[db], perf_ol_name[opt_ol], frame_len, r->port_rx,
	       r->g2p_mpps,
	       r->p2g_mpps, r->g2p_mpps * frame_len * 8 / 1000,
	       r->p2g_mpps * frame_len * 8 / 1000, r->rx_cpp, r->tx_cpp,
	       r->rx_bursts ? (double)r->port_rx / r->rx_bursts : 0,
	       r->idle_polls, r->tx_full, r->tx_refused, r->kicks,
	       r->rx_bursts + r->idle_polls, r->tx_bursts + r->tx_full,
	       r->msg_reads, r->msg_writes);
	return TEST_SUCCESS;
}

/*
 * The cost of polls that find nothing (run under callgrind, divided by
 * the calls): opt_empty rx_burst calls on the idle guest Tx ring; then
 * the guest Rx ring is filled (nobody reaps it) and opt_empty tx_burst
 * calls are refused for lack of guest buffers. The fill adds its few
 * hundred packets to the tx_burst count: it is printed.
 */
static int
perf_empty(enum perf_db db)
{
	struct rte_mbuf *pkts[PERF_BURST], *m;
	uint64_t i, filled = 0;
	uint8_t *f;

	for (i = 0; i < opt_empty; i++)
		CHECK(rte_eth_rx_burst(port, 0, pkts, PERF_BURST) == 0,
		      "packets on the idle guest Tx ring");
	for (;;) {
		m = rte_pktmbuf_alloc(pool);
		CHECK(m != NULL, "mbuf");
		f = (uint8_t *)rte_pktmbuf_append(m, perf_sizes[0]);
		CHECK(f != NULL, "append");
		build_udp(f, perf_sizes[0], &model.mac);
		if (rte_eth_tx_burst(port, 0, &m, 1) == 0)
			break;
		filled++;
		CHECK(filled <= 2 * PERF_RING, "guest Rx ring never fills");
	}
	for (i = 0; i < opt_empty; i++) {
		if (rte_eth_tx_burst(port, 0, &m, 1) != 0) {
			printf("tx_burst placed a packet on a full guest ring\n");
			return TEST_FAILED;
		}
	}
	rte_pktmbuf_free(m);
	printf("avfbe_perf_empty: doorbell=%s offloads=%s rx_calls=%" PRIu64
	       " tx_calls=%" PRIu64 " fill_packets=%" PRIu64 "\n",
	       perf_db_name[db], perf_ol_name[opt_ol], opt_empty, opt_empty,
	       filled);
	return TEST_SUCCESS;
}

/* ------------------------------------------------- device per mode */

static void
perf_dev_close(void)
{
	if (model_ready)
		avf_model_fini(&model);
	model_ready = false;
	if (port_created) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
		rte_vdev_uninit(port_name);
	}
	port_created = false;
	if (emu_created)
		rte_vdev_uninit(emu_name);
	emu_created = false;
	unlink(sock);
}

static int
perf_dev_open(enum perf_db db)
{
	struct avf_model_conf mconf;
	struct rte_eth_conf conf;
	uint16_t emu_id = PERF_EMU_ID_BASE + db;
	char args[256];
	int ret;

	snprintf(sock, sizeof(sock), "/tmp/avfbe_perf_%d_%s.sock",
		 (int)getpid(), perf_db_name[db]);
	snprintf(emu_name, sizeof(emu_name), "emu_iavf_perf_%s",
		 perf_db_name[db]);
	snprintf(port_name, sizeof(port_name), "net_avfbe_perf_%s",
		 perf_db_name[db]);
	snprintf(args, sizeof(args), "path=%s,id=%u,queues=1,doorbell=%s",
		 sock, emu_id, perf_db_name[db]);
	ret = rte_vdev_init(emu_name, args);
	CHECK(ret == 0, "cannot create %s: %d", emu_name, ret);
	emu_created = true;
	snprintf(args, sizeof(args), "id=%u,avf_emu_id=%u", emu_id, emu_id);
	ret = rte_vdev_init(port_name, args);
	CHECK(ret == 0, "cannot create %s: %d", port_name, ret);
	port_created = true;
	CHECK(rte_eth_dev_get_port_by_name(port_name, &port) == 0, "port id");
	memset(&conf, 0, sizeof(conf));
	CHECK(rte_eth_dev_configure(port, 1, 1, &conf) == 0, "configure");
	CHECK(rte_eth_rx_queue_setup(port, 0, PERF_PORT_RING, SOCKET_ID_ANY,
				     NULL, pool) == 0, "rx queue");
	CHECK(rte_eth_tx_queue_setup(port, 0, PERF_PORT_RING, SOCKET_ID_ANY,
				     NULL) == 0, "tx queue");
	CHECK(rte_eth_dev_start(port) == 0, "start");

	memset(&mconf, 0, sizeof(mconf));
	mconf.path = sock;
	/* QEMU posts BAR writes when no region is mappable */
	mconf.posted_writes = db == PERF_DB_TRAPPED;
	CHECK(avf_model_init(&model, &mconf) == 0, "model init");
	model_ready = true;
	CHECK(avf_model_connect(&model) == 0, "connect");
	/* measure what the name says */
	CHECK((model.db != NULL) == (db == PERF_DB_SHARED),
	      "doorbell page %s with doorbell=%s",
	      model.db != NULL ? "mapped" : "not mapped", perf_db_name[db]);
	ret = avf_model_linux_probe(&model, opt_ol == PERF_OL_LINUX ?
			AVF_MODEL_LINUX_CAPS : AVF_MODEL_LINUX_CAPS &
			~(VIRTCHNL_VF_OFFLOAD_RSS_PF | VIRTCHNL_VF_OFFLOAD_RSS_AQ |
			  VIRTCHNL_VF_OFFLOAD_RSS_REG |
			  VIRTCHNL_VF_OFFLOAD_RSS_PCTYPE_V2 |
			  VIRTCHNL_VF_OFFLOAD_ADV_RSS_PF));
	CHECK(ret == 0, "guest probe: %d", ret);
	ret = avf_model_linux_open(&model, 1, PERF_RING);
	CHECK(ret == 0, "guest open: %d", ret);
	return TEST_SUCCESS;
}

static int
perf_db_mode(enum perf_db db)
{
	unsigned int s;
	int ret;

	if (!opt_db[db]) {
		printf("doorbell=%s not selected (AVFBE_PERF_DOORBELL)\n",
		       perf_db_name[db]);
		return TEST_SKIPPED;
	}
	ret = perf_dev_open(db);
	if (ret == TEST_SUCCESS && opt_empty != 0) {
		ret = perf_empty(db);
		perf_dev_close();
		return ret;
	}
	for (s = 0; ret == TEST_SUCCESS && s < PERF_NB_SIZES; s++)
		if (opt_frame == 0 || opt_frame == perf_sizes[s])
			ret = perf_case(db, perf_sizes[s], &results[db][s]);
	perf_dev_close();
	return ret;
}

static int
test_perf_shared(void)
{
	return perf_db_mode(PERF_DB_SHARED);
}

static int
test_perf_trapped(void)
{
	return perf_db_mode(PERF_DB_TRAPPED);
}

static void
perf_print_table(void)
{
	unsigned int d, s;

	printf("\nnet_avfbe loopback through the guest model, 1 queue pair, "
	       "ring %u, burst %u, guest batch %u\n", PERF_RING, PERF_BURST,
	       PERF_GUEST_BATCH);
	printf("%-8s %5s %10s | %-16s | %-16s | %-17s | %s\n", "", "", "",
	       "guest -> port", "port -> guest", "PMD cycles/pkt",
	       "pkts per");
	printf("%-8s %5s %10s | %7s %8s | %7s %8s | %8s %8s | %s\n",
	       "doorbell", "frame", "packets", "Mpps", "Gbit/s", "Mpps",
	       "Gbit/s", "rx_burst", "tx_burst", "tail write");
	for (d = 0; d < PERF_NB_DB; d++)
		for (s = 0; s < PERF_NB_SIZES; s++) {
			const struct perf_result *r = &results[d][s];

			if (!r->done)
				continue;
			printf("%-8s %5u %10" PRIu64 " | %7.3f %8.3f | %7.3f %8.3f | %8.1f %8.1f | %.1f\n",
			       perf_db_name[d], r->frame_len, r->port_rx,
			       r->g2p_mpps, r->g2p_mpps * r->frame_len * 8 / 1000,
			       r->p2g_mpps, r->p2g_mpps * r->frame_len * 8 / 1000,
			       r->rx_cpp, r->tx_cpp,
			       r->kicks ? 2.0 * r->port_rx / r->kicks : 0);
		}
	printf("Gbit/s counts frame bytes (no preamble, gap or CRC); TSC at %"
	       PRIu64 " MHz; %s; lcores %s when idle\n\n",
	       rte_get_tsc_hz() / 1000000,
	       opt_pkts != 0 ? "fixed packet count" : "timed run",
	       opt_yield != 0 || opt_pkts != 0 ? "yield" : "spin");
}

static int
testsuite_setup(void)
{
	if (parse_env() != 0)
		return TEST_FAILED;
	if (rte_lcore_count() < 2) {
		printf("avfbe_perf_autotest needs 2 lcores (e.g. -l 0-1)\n");
		return TEST_SKIPPED;
	}
	worker = rte_get_next_lcore(-1, 1, 0);
	memset(results, 0, sizeof(results));
	pool = rte_pktmbuf_pool_create("avfbe_perf_pool", PERF_NB_MBUF, 256,
				       0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		printf("cannot create the mbuf pool\n");
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static void
testsuite_teardown(void)
{
	perf_print_table();
	perf_dev_close();
	rte_mempool_free(pool);
	pool = NULL;
}

static struct unit_test_suite avfbe_perf_testsuite = {
	.suite_name = "net_avfbe data path performance",
	.setup = testsuite_setup,
	.teardown = testsuite_teardown,
	.unit_test_cases = {
		TEST_CASE(test_perf_shared),
		TEST_CASE(test_perf_trapped),
		TEST_CASES_END()
	}
};

static int
test_avfbe_perf(void)
{
	return unit_test_suite_runner(&avfbe_perf_testsuite);
}

REGISTER_PERF_TEST(avfbe_perf_autotest, test_avfbe_perf);
