/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Fuzz target vfio_user_msg: a hostile vfio-user client. The input is the
 * byte stream a client sends, with the file descriptors it passes and the
 * replies it gives to the server's own requests, fed to a device of the
 * vfio-user library through the in-memory transport and served on this
 * thread (vfio_user_register_local(), vfio_user_serve()): every command
 * handler, the dispatch table, the framing decoder, the deferral of
 * commands while the server waits for a DMA_READ/DMA_WRITE reply, and the
 * device callbacks' use of the DMA table and interrupts.
 *
 * The device: BAR0 (32 KiB, the first 16 KiB shared through a sealed
 * memfd, the rest trapped), BAR2 trapped without callback, a 256-byte
 * config space, INTx, MSI-X (4), ERR and REQ interrupts, DEVICE_RESET.
 * Trapped BAR0 registers make the device use client memory the way a
 * device model does: KICK copies LEN bytes from SRC to DST with
 * rte_vfio_user_dma_read/write (direct for fd-backed mappings, DMA_READ /
 * DMA_WRITE requests for fd-less ones), IRQ raises a vector.
 *
 * Per input: a fresh client connection, the operations of the input, then
 * the client shuts down its sending side and the server serves until the
 * connection ends. Checked after every input: the server ended the
 * connection, lock_dp balanced and every notification inside its window,
 * no mapping and no interrupt fd left, no fd leaked, every message the
 * server sent well framed, no request to the client left unreplied while
 * the server claims success.
 *
 * Input: operations until the input ends (enum msg_op; little endian,
 * missing bytes read as 0).
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

#include <rte_common.h>
#include <rte_vfio_user.h>

#include "vfio_user_codec.h"
#include "vfio_user_internal.h"
#include "vfio_user_msg.h"
#include "vfio_user_tran.h"
#include "fuzz_common.h"

#define MSG_NAME	"vfio_user_msg"
#define BAR0_SIZE	0x8000u
#define BAR0_SHARED	0x4000u
#define REG_SRC		0x5000u	/* u64 */
#define REG_DST		0x5008u	/* u64 */
#define REG_LEN		0x5010u	/* u32, at most KICK_MAX */
#define REG_KICK	0x5014u	/* write: copy SRC -> DST */
#define REG_IRQ		0x5018u	/* write: raise MSI-X vector value */
#define REG_FAIL	0x501cu	/* access fails with -EIO */
#define KICK_MAX	(64u * 1024)
#define MSIX		4u
#define CFG_SIZE	256u
#define MAX_FDS		24	/* fds one send may carry (mem transport) */
#define MAX_OWN_FDS	32	/* fds the input created, closed per input */
#define MEM_MAX		(1u << 20)	/* largest memfd an input creates */

enum msg_op {
	/* u8 cmd, u8 flags, u16 len (% 2048), payload: one well-framed
	 * command (header from the codec, id from a counter)
	 */
	MSG_OP_CMD,
	/* u16 len (% 512), bytes: raw bytes, framing included */
	MSG_OP_RAW,
	/* u8 count (% MAX_FDS + 1), u8 kind each (+ u16 pages for memfds):
	 * fds sent with the next MSG_OP_CMD or MSG_OP_RAW
	 */
	MSG_OP_FDS,
	/* u16 id, u8 cmd, u8 flags, u32 error, u16 len (% 2048), payload:
	 * a reply, e.g. to a DMA_READ the server will send
	 */
	MSG_OP_REPLY,
	/* serve what was sent and read what the server answered */
	MSG_OP_SERVE,
	/* u8 which: try to shrink an fd the client holds (its memfds, the
	 * region fd the server gave)
	 */
	MSG_OP_TRUNC,
	MSG_OP_MAX
};

/* fd kinds of MSG_OP_FDS */
enum fd_kind {
	FD_SEALED,	/* sealed memfd of u16 pages */
	FD_UNSEALED,	/* memfd without seals */
	FD_EVENTFD,
	FD_PIPE,
	FD_DEVNULL,
	FD_REGION,	/* the region fd the server sent, if any */
	FD_KIND_MAX
};

static struct {
	int lock_depth;
	int lock_errors;
	int outside_window;	/* notifications outside lock_dp */
	int maps;		/* live mappings, as notified */
	int connected;
	int disconnected;
	uint8_t regs[BAR0_SIZE];
	int dev;
} st;

static void
note_in_window(void)
{
	if (st.lock_depth != 1)
		st.outside_window++;
}

static void
op_connected(int dev_id __rte_unused)
{
	st.connected++;
}

static void
op_disconnected(int dev_id __rte_unused)
{
	st.disconnected++;
}

static int
op_reset(int dev_id __rte_unused,
		enum rte_vfio_user_reset_reason reason __rte_unused)
{
	note_in_window();
	return 0;
}

static void
op_lock_dp(int dev_id __rte_unused, bool lock)
{
	st.lock_depth += lock ? 1 : -1;
	if (st.lock_depth < 0 || st.lock_depth > 1)
		st.lock_errors++;
}

static void
op_dma_map(int dev_id, const struct rte_vfio_user_dma_map *map)
{
	note_in_window();
	st.maps++;
	/* a device may touch a new fd-backed mapping at once */
	if (map->va != NULL && (map->prot & PROT_READ)) {
		volatile uint8_t *p = map->va;

		(void)p[0];
		(void)p[map->size - 1];
	}
	RTE_SET_USED(dev_id);
}

static void
op_dma_unmap(int dev_id __rte_unused,
		const struct rte_vfio_user_dma_map *map __rte_unused)
{
	note_in_window();
	st.maps--;
}

static void
op_irq_update(int dev_id __rte_unused, uint32_t index __rte_unused,
		uint32_t start __rte_unused, uint32_t count __rte_unused)
{
	note_in_window();
}

static void
op_config_write(int dev_id, uint32_t offset, uint32_t count)
{
	uint8_t *cfg = rte_vfio_user_get_config(dev_id);

	if (cfg == NULL || offset >= CFG_SIZE || count > CFG_SIZE - offset)
		fz_fail("config_write %u+%u outside the config space", offset,
			count);
}

static void
kick(int dev_id)
{
	uint64_t src, dst;
	uint32_t len;
	uint8_t *buf;

	memcpy(&src, st.regs + REG_SRC, 8);
	memcpy(&dst, st.regs + REG_DST, 8);
	memcpy(&len, st.regs + REG_LEN, 4);
	len %= KICK_MAX + 1;
	buf = malloc(len + 1);
	if (buf == NULL)
		return;
	if (rte_vfio_user_dma_read(dev_id, src, buf, len) == 0)
		rte_vfio_user_dma_write(dev_id, dst, buf, len);
	/* the data path's view: translate, touch the bytes */
	if (len > 0) {
		volatile uint8_t *p = rte_vfio_user_iova_to_va(dev_id, dst, len,
			PROT_READ | PROT_WRITE);

		if (p != NULL) {
			p[0] = p[len - 1];
		}
	}
	free(buf);
}

static int
bar0_access(int dev_id, uint32_t index, uint64_t offset, void *buf,
		uint32_t count, bool is_write)
{
	uint32_t v;

	if (index != 0 || offset >= BAR0_SIZE || count > BAR0_SIZE - offset)
		fz_fail("BAR%u access %#" PRIx64 "+%u outside the region",
			index, offset, count);
	if (offset < BAR0_SHARED)
		fz_fail("access %#" PRIx64 " of the shared area trapped",
			offset);
	if (offset <= REG_FAIL && REG_FAIL - offset < count)
		return -EIO;
	if (!is_write) {
		memcpy(buf, st.regs + offset, count);
		return 0;
	}
	memcpy(st.regs + offset, buf, count);
	if (offset == REG_KICK)
		kick(dev_id);
	if (offset == REG_IRQ && count >= 4) {
		memcpy(&v, buf, 4);
		rte_vfio_user_irq_trigger(dev_id, VFIO_PCI_MSIX_IRQ_INDEX, v);
	}
	return 0;
}

static const struct rte_vfio_user_dev_ops msg_ops = {
	.connected = op_connected,
	.disconnected = op_disconnected,
	.reset = op_reset,
	.lock_dp = op_lock_dp,
	.dma_map = op_dma_map,
	.dma_unmap = op_dma_unmap,
	.irq_update = op_irq_update,
	.config_write = op_config_write,
};

static uint8_t cfg_init[CFG_SIZE], cfg_wmask[CFG_SIZE];
static int fd_baseline;
static char sym_buf[256];

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* Print every open fd and what it is (on a leak). */
static void
list_fds(void)
{
	char link[300], target[256];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	ssize_t n;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		fprintf(stderr, "fd %s -> %s\n", e->d_name, target);
	}
	closedir(d);
}

/* ---------------------------------------------------------- the client */

struct client {
	struct vfio_user_tran *t;
	struct vfio_user_rx rx;
	uint16_t next_id;
	int pending_fds[MAX_FDS];
	uint32_t nb_pending;
	int own[MAX_OWN_FDS];	/* fds created for this input */
	uint32_t nb_own;
	int region_fd;		/* received from the server */
};

static int
own_fd(struct client *c, int fd)
{
	if (fd < 0)
		return -1;
	if (c->nb_own == MAX_OWN_FDS) {
		close(fd);
		return -1;
	}
	c->own[c->nb_own++] = fd;
	return fd;
}

static int
make_fd(struct client *c, struct fz_in *in)
{
	enum fd_kind kind = fz_u8(in) % FD_KIND_MAX;
	int fd = -1, p[2];
	uint32_t pages;

	switch (kind) {
	case FD_SEALED:
	case FD_UNSEALED:
		pages = fz_u16(in) % (MEM_MAX / 4096 + 1);
		fd = memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (fd < 0)
			break;
		if (ftruncate(fd, (off_t)pages * 4096) < 0 ||
		    (kind == FD_SEALED && fcntl(fd, F_ADD_SEALS,
				F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)) {
			close(fd);
			fd = -1;
		}
		break;
	case FD_EVENTFD:
		fd = eventfd(0, EFD_CLOEXEC);
		break;
	case FD_PIPE:
		if (pipe2(p, O_CLOEXEC) == 0) {
			close(p[1]);
			fd = p[0];
		}
		break;
	case FD_DEVNULL:
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		break;
	case FD_REGION:
		return c->region_fd;
	default:
		break;
	}
	return own_fd(c, fd);
}

static void
send_bytes(struct client *c, const void *buf, size_t len)
{
	if (len == 0)
		return;
	/* a full transport, or the server gone: the bytes are lost, as a
	 * client's would be
	 */
	vfio_user_tran_send_all(c->t, buf, len, c->pending_fds, c->nb_pending,
		vfio_user_now_ms());
	c->nb_pending = 0;
}

/* Check one message the server sent and keep a region fd it passed. */
static void
check_server_msg(struct client *c, struct vfio_user_msg *m)
{
	struct vfio_user_hdr *h = vfio_user_msg_hdr(m);
	uint32_t type = h->flags & VFIO_USER_F_TYPE_MASK;

	if (m->size != h->size || h->size < VFIO_USER_HDR_SZ)
		fz_fail("server message size %u / %u", m->size, h->size);
	if (type == VFIO_USER_F_TYPE_REPLY) {
		if ((h->flags & VFIO_USER_F_ERROR) &&
				(h->error == 0 || h->size != VFIO_USER_HDR_SZ))
			fz_fail("error reply with errno %u, %u bytes",
				h->error, h->size);
		if (m->nfds > 0 && h->cmd != VFIO_USER_DEVICE_GET_REGION_INFO)
			fz_fail("fd in a reply to command %u", h->cmd);
	} else if (type == VFIO_USER_F_TYPE_CMD) {
		if (h->cmd != VFIO_USER_DMA_READ &&
				h->cmd != VFIO_USER_DMA_WRITE)
			fz_fail("server sent command %u", h->cmd);
		if (m->nfds > 0)
			fz_fail("fd in a server request");
	} else {
		fz_fail("server message type %u", type);
	}
	if (m->nfds > 0 && c->region_fd < 0) {
		c->region_fd = own_fd(c, m->fds[0]);
		m->fds[0] = -1;
	}
}

static void
drain(struct client *c)
{
	struct vfio_user_msg *m;
	int r;

	for (;;) {
		r = vfio_user_rx_step(&c->rx, c->t, &m);
		if (r <= 0)
			return;
		check_server_msg(c, m);
		vfio_user_msg_free(m);
	}
}

static int
serve(struct client *c)
{
	int r, rounds;

	for (rounds = 0; rounds < 64; rounds++) {
		r = vfio_user_serve(st.dev);
		drain(c);
		if (r <= 0)
			return r;
	}
	return 0;
}

static void
send_cmd(struct client *c, struct fz_in *in, bool reply)
{
	uint16_t id = reply ? fz_u16(in) : c->next_id++;
	uint16_t cmd = fz_u8(in);
	uint32_t flags = fz_u8(in), err = reply ? fz_u32(in) : 0;
	uint16_t len = fz_u16(in) % 2048;
	uint8_t payload[2048];
	struct vfio_user_msg *m;

	if (reply)
		flags = (flags & ~VFIO_USER_F_TYPE_MASK) |
			VFIO_USER_F_TYPE_REPLY;
	fz_bytes(in, payload, len);
	m = vfio_user_msg_new(id, cmd, flags, err, payload, len);
	if (m == NULL)
		return;
	send_bytes(c, m->buf, m->size);
	vfio_user_msg_free(m);
}

static void
try_shrink(struct client *c, struct fz_in *in)
{
	uint8_t which = fz_u8(in);
	int fd;

	if (c->nb_own == 0)
		return;
	fd = c->own[which % c->nb_own];
	/* sealed fds refuse; an unsealed one was refused by the server */
	if (ftruncate(fd, 0) == 0 && fd == c->region_fd)
		fz_fail("the client shrank the server's region fd");
}

static void
run_input(struct fz_in *in)
{
	struct vfio_user_tran *srv;
	struct client c;
	uint32_t i, n;
	uint8_t raw[512];
	int ops = 0;

	memset(&c, 0, sizeof(c));
	c.region_fd = -1;
	if (vfio_user_tran_mem_pair(&c.t, &srv, 64u << 20) < 0)
		fz_fail("transport");
	vfio_user_rx_init(&c.rx, VFIO_USER_MAX_MSG_SIZE);
	if (vfio_user_attach(st.dev, srv) < 0)
		fz_fail("attach refused: the last client was not cleaned up");
	while (!fz_empty(in) && ops++ < 512) {
		switch (fz_u8(in) % MSG_OP_MAX) {
		case MSG_OP_CMD:
			send_cmd(&c, in, false);
			break;
		case MSG_OP_RAW:
			n = fz_u16(in) % sizeof(raw);
			fz_bytes(in, raw, n);
			send_bytes(&c, raw, n);
			break;
		case MSG_OP_FDS:
			n = fz_u8(in) % (MAX_FDS + 1);
			c.nb_pending = 0;
			for (i = 0; i < n; i++) {
				int fd = make_fd(&c, in);

				if (fd >= 0)
					c.pending_fds[c.nb_pending++] = fd;
			}
			break;
		case MSG_OP_REPLY:
			send_cmd(&c, in, true);
			break;
		case MSG_OP_SERVE:
			serve(&c);
			break;
		case MSG_OP_TRUNC:
			try_shrink(&c, in);
			break;
		}
	}
	/* the client stops sending: the server ends the connection */
	vfio_user_tran_mem_shutdown(c.t);
	if (serve(&c) != -ENOTCONN)
		fz_fail("the server kept a client that stopped sending");
	vfio_user_rx_reset(&c.rx);
	vfio_user_tran_close(c.t);
	for (i = 0; i < c.nb_own; i++)
		close(c.own[i]);

	if (st.lock_depth != 0 || st.lock_errors != 0 ||
			st.outside_window != 0)
		fz_fail("lock_dp depth %d, %d errors, %d notifications outside",
			st.lock_depth, st.lock_errors, st.outside_window);
	if (st.maps != 0 || rte_vfio_user_get_mem_table(st.dev, NULL, 0) != 0)
		fz_fail("%d mappings left after the client", st.maps);
	for (i = 0; i < MSIX; i++) {
		bool has_fd;

		rte_vfio_user_irq_get_state(st.dev, VFIO_PCI_MSIX_IRQ_INDEX, i,
			&has_fd, NULL);
		if (has_fd)
			fz_fail("MSI-X %u eventfd left after the client", i);
	}
	if (st.connected != st.disconnected)
		fz_fail("connected %d, disconnected %d", st.connected,
			st.disconnected);
	if (count_fds() != fd_baseline) {
		list_fds();
		fz_fail("fd leak: %d open, %d before", count_fds(),
			fd_baseline);
	}
}

/* ------------------------------------------------------------- seeds */

static void
seed_cmd(struct fz_out *o, uint8_t cmd, uint8_t flags, const void *p,
		uint16_t len)
{
	fz_out_u8(o, MSG_OP_CMD);
	fz_out_u8(o, cmd);
	fz_out_u8(o, flags);
	fz_out_u16(o, len);
	fz_out_bytes(o, p, len);
}

static void
seed_fds(struct fz_out *o, uint8_t kind, uint16_t pages)
{
	fz_out_u8(o, MSG_OP_FDS);
	fz_out_u8(o, 1);
	fz_out_u8(o, kind);
	if (kind == FD_SEALED || kind == FD_UNSEALED)
		fz_out_u16(o, pages);
}

static void
seed_wr(struct fz_out *o, uint8_t region, uint64_t off, const void *p,
		uint32_t len, bool posted)
{
	uint8_t buf[64];
	struct vfio_user_region_rw rw = { .offset = off, .region = region,
		.count = len };

	memcpy(buf, &rw, sizeof(rw));
	memcpy(buf + sizeof(rw), p, len);
	seed_cmd(o, VFIO_USER_REGION_WRITE, posted ? VFIO_USER_F_NO_REPLY : 0,
		buf, sizeof(rw) + len);
}

static void
seed_version(struct fz_out *o)
{
	static const char caps[] =
		"{\"capabilities\":{\"max_msg_fds\":16,"
		"\"max_data_xfer_size\":1048576,\"pgsizes\":4096,"
		"\"max_dma_maps\":65535,\"migration\":{\"pgsize\":4096}}}";
	uint8_t buf[sizeof(struct vfio_user_version) + sizeof(caps)] = { 0 };

	memcpy(buf + sizeof(struct vfio_user_version), caps, sizeof(caps));
	seed_cmd(o, VFIO_USER_VERSION, 0, buf, sizeof(buf));
}

/* A QEMU-like session, then device DMA through fd-less memory. */
static void
make_seeds(void)
{
	struct vfio_user_dma_map_msg map = { .argsz = sizeof(map), .flags = 3 };
	struct vfio_user_dma_unmap_msg unmap = { .argsz = sizeof(unmap) };
	struct vfio_region_info ri = { .argsz = 64 };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	struct vfio_irq_set is = { .argsz = 20 };
	struct vfio_device_info di = { .argsz = 16 };
	struct vfio_user_region_rw rr = { .count = 4 };
	struct vfio_user_dma_rw rw;
	uint8_t rep[VFIO_USER_DMA_RW_HDR + 64 + VFIO_USER_DMA_RW_PAD] = { 0 };
	uint64_t v64;
	uint32_t v32, i;
	struct fz_out o;

	memset(&o, 0, sizeof(o));
	seed_version(&o);
	map.addr = 0x100000;
	map.size = 0x10000;
	seed_fds(&o, FD_SEALED, 16);
	seed_cmd(&o, VFIO_USER_DMA_MAP, 0, &map, sizeof(map));
	map.addr = 0x200000;
	map.size = 0x1000;
	seed_cmd(&o, VFIO_USER_DMA_MAP, 0, &map, sizeof(map));
	seed_cmd(&o, VFIO_USER_DEVICE_GET_INFO, 0, &di, sizeof(di));
	for (i = 0; i < RTE_VFIO_USER_NUM_REGIONS; i++) {
		ri.index = i;
		seed_cmd(&o, VFIO_USER_DEVICE_GET_REGION_INFO, 0, &ri, 32);
	}
	ii.index = VFIO_PCI_MSIX_IRQ_INDEX;
	seed_cmd(&o, VFIO_USER_DEVICE_GET_IRQ_INFO, 0, &ii, sizeof(ii));
	is.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	is.index = VFIO_PCI_MSIX_IRQ_INDEX;
	is.count = 1;
	seed_fds(&o, FD_EVENTFD, 0);
	seed_cmd(&o, VFIO_USER_DEVICE_SET_IRQS, 0, &is, 20);
	rr.region = VFIO_PCI_CONFIG_REGION_INDEX;
	seed_cmd(&o, VFIO_USER_REGION_READ, 0, &rr, sizeof(rr));
	v32 = 0x06;
	seed_wr(&o, VFIO_PCI_CONFIG_REGION_INDEX, 4, &v32, 2, false);
	/* device copies fd-less 0x200000 -> fd-backed 0x100000 */
	v64 = 0x200000;
	seed_wr(&o, 0, REG_SRC, &v64, 8, true);
	v64 = 0x100000;
	seed_wr(&o, 0, REG_DST, &v64, 8, true);
	v32 = 64;
	seed_wr(&o, 0, REG_LEN, &v32, 4, true);
	/* the answer to the DMA_READ the kick sends (server id 0) */
	rw.addr = 0x200000;
	rw.count = 64;
	memcpy(rep, &rw, VFIO_USER_DMA_RW_HDR);
	fz_out_u8(&o, MSG_OP_REPLY);
	fz_out_u16(&o, 0);
	fz_out_u8(&o, VFIO_USER_DMA_READ);
	fz_out_u8(&o, 0);
	fz_out_u32(&o, 0);
	fz_out_u16(&o, sizeof(rep));
	fz_out_bytes(&o, rep, sizeof(rep));
	seed_wr(&o, 0, REG_KICK, &v32, 4, false);
	v32 = 0;
	seed_wr(&o, 0, REG_IRQ, &v32, 4, true);
	fz_out_u8(&o, MSG_OP_SERVE);
	fz_out_u8(&o, MSG_OP_TRUNC);
	fz_out_u8(&o, 0);
	unmap.addr = 0x100000;
	unmap.size = 0x10000;
	seed_cmd(&o, VFIO_USER_DMA_UNMAP, 0, &unmap, sizeof(unmap));
	seed_cmd(&o, VFIO_USER_DEVICE_RESET, 0, NULL, 0);
	fz_out_save(&o, "qemu-session");

	/* a DMA_READ left unanswered while commands keep coming */
	memset(&o, 0, sizeof(o));
	seed_version(&o);
	map.addr = 0x200000;
	map.size = 0x1000;
	seed_cmd(&o, VFIO_USER_DMA_MAP, 0, &map, sizeof(map));
	v64 = 0x200000;
	seed_wr(&o, 0, REG_SRC, &v64, 8, true);
	seed_wr(&o, 0, REG_DST, &v64, 8, true);
	v32 = 16;
	seed_wr(&o, 0, REG_LEN, &v32, 4, true);
	seed_wr(&o, 0, REG_KICK, &v32, 4, false);
	for (i = 0; i < 70; i++)
		seed_wr(&o, 0, 0x6000 + 4 * i, &i, 4, true);
	fz_out_save(&o, "deferral");

	/* broken framing and unsealed DMA fds */
	memset(&o, 0, sizeof(o));
	seed_version(&o);
	map.addr = 0x100000;
	map.size = 0x10000;
	seed_fds(&o, FD_UNSEALED, 16);
	seed_cmd(&o, VFIO_USER_DMA_MAP, 0, &map, sizeof(map));
	fz_out_u8(&o, MSG_OP_RAW);
	fz_out_u16(&o, 16);
	v32 = 0xffffffff;
	for (i = 0; i < 4; i++)
		fz_out_u32(&o, v32);
	fz_out_save(&o, "framing");
}

/* ------------------------------------------------------------ libFuzzer */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc __rte_unused, char ***argv __rte_unused)
{
	struct rte_vfio_user_dev_desc d;
	struct vfio_user_limits lim = {
		.deferred_msgs = VFIO_USER_DEFERRED_MSGS,
		.deferred_bytes = VFIO_USER_DEFERRED_BYTES,
		.deferred_fds = VFIO_USER_DEFERRED_FDS,
		/* nothing blocks here: a half-closed client ends every wait */
		.xfer_timeout_ms = 1,
		.negotiate_timeout_ms = VFIO_USER_NEGOTIATE_TIMEOUT_MS,
	};

	if (fz_seed_dir() != NULL) {
		make_seeds();
		exit(0);
	}
	fz_eal_init(MSG_NAME, 64);
	memset(&d, 0, sizeof(d));
	d.flags = RTE_VFIO_USER_DEV_RESET;
	d.regions[0].size = BAR0_SIZE;
	d.regions[0].flags = RTE_VFIO_USER_REGION_READ |
		RTE_VFIO_USER_REGION_WRITE;
	d.regions[0].access = bar0_access;
	d.regions[0].nb_mmap_areas = 1;
	d.regions[0].mmap_areas[0].size = BAR0_SHARED;
	d.regions[2].size = 0x1000;
	d.regions[2].flags = RTE_VFIO_USER_REGION_READ |
		RTE_VFIO_USER_REGION_WRITE;
	d.irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 1;
	d.irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = MSIX;
	d.irq_count[VFIO_PCI_ERR_IRQ_INDEX] = 1;
	d.irq_count[VFIO_PCI_REQ_IRQ_INDEX] = 1;
	d.irq_flags[VFIO_PCI_MSIX_IRQ_INDEX] = VFIO_IRQ_INFO_EVENTFD;
	cfg_init[0] = 0x86;
	cfg_init[1] = 0x80;
	cfg_wmask[4] = 0x06;
	cfg_wmask[0x3c] = 0xff;
	d.config = cfg_init;
	d.config_wmask = cfg_wmask;
	d.config_size = CFG_SIZE;
	d.ops = &msg_ops;
	st.dev = vfio_user_register_local(&d);
	if (st.dev < 0 || vfio_user_set_limits(st.dev, &lim) < 0)
		fz_fail("cannot register the device: %d", st.dev);
	/*
	 * libFuzzer symbolizes the functions it newly covers, and the
	 * sanitizer runtime then keeps two pipes to llvm-symbolizer open:
	 * start it now so that the fd baseline includes them.
	 */
	__sanitizer_symbolize_pc(__builtin_return_address(0), "%F",
		sym_buf, sizeof(sym_buf));
	fd_baseline = count_fds();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { .p = data, .n = size };

	run_input(&in);
	return 0;
}
