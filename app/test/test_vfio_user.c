/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/*
 * vfio-user library tests: a server device and clients (the library's
 * client API and a raw-socket client for malformed messages) in one
 * process.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_thread.h>
#include <rte_vfio_user.h>
#include <rte_vfio_user_pci.h>

#include "test.h"

#include "emu_compat.h"

#include "vfio_user_codec.h"
#include "vfio_user_internal.h"
#include "vfio_user_log.h"
#include "vfio_user_msg.h"
#include "vfio_user_tran.h"

/*
 * Messages are built with the library's own codec (vfio_user_codec.h);
 * the raw client below only decides what goes on the wire, including
 * deliberately malformed framing.
 */

/* ----------------------------------------------------------- test device */

#define BAR0_SIZE	0x8000u
#define BAR0_SHARED	0x4000u	/* [0, 0x4000) is the shared page set */
#define BAR0_KICK	0x5000u	/* write: device does DMA (see below) */
#define BAR0_FAIL	0x6000u	/* access fails with -EIO */
#define BAR0_SLOW	0x7000u	/* write: the device takes 50 us */
#define BAR2_SIZE	0x1000u
#define CFG_SIZE	256u

#define MSIX_VECTORS	4u

#define IOVA_FD		0x100000ull	/* fd-backed, 64 KiB */
#define IOVA_NOFD	0x400000ull	/* fd-less, 2 MiB + 4 KiB in two maps */
#define NOFD_SIZE1	0x200000ull
#define NOFD_SIZE2	0x1000ull
#define MEM_SIZE	0x10000ull

struct dev_events {
	RTE_ATOMIC(int) connected;
	RTE_ATOMIC(int) disconnected;
	RTE_ATOMIC(int) reset_device;
	RTE_ATOMIC(int) reset_lost;
	int lock_depth;
	RTE_ATOMIC(int) lock_calls;
	RTE_ATOMIC(int) unlocked_notify;	/* notification outside lock_dp: a bug */
	RTE_ATOMIC(int) dma_map;
	RTE_ATOMIC(int) dma_unmap;
	RTE_ATOMIC(int) irq_update;
	RTE_ATOMIC(int) config_write;
	uint32_t last_cfg_off;
	uint32_t last_cfg_cnt;
	int bar_reads;
	int bar_writes;
	int kick_result;
};

static struct dev_events ev[RTE_VFIO_USER_MAX_DEVICES];
static uint8_t bar0_regs[BAR0_SIZE];
static uint8_t cfg_init[CFG_SIZE];
static uint8_t cfg_wmask[CFG_SIZE];
static char sock_path[108];
static int test_dev = -1;

/* kick parameters for the device's DMA through the library */
static uint64_t kick_src, kick_dst, kick_len;

static void
ev_note(int dev_id, int __rte_atomic *counter)
{
	rte_atomic_fetch_add_explicit(counter, 1, rte_memory_order_seq_cst);
	if (ev[dev_id].lock_depth != 1)
		rte_atomic_fetch_add_explicit(&ev[dev_id].unlocked_notify, 1,
			rte_memory_order_seq_cst);
}

static void
op_connected(int dev_id)
{
	rte_atomic_fetch_add_explicit(&ev[dev_id].connected, 1, rte_memory_order_seq_cst);
}

static void
op_disconnected(int dev_id)
{
	rte_atomic_fetch_add_explicit(&ev[dev_id].disconnected, 1, rte_memory_order_seq_cst);
}

static int
op_reset(int dev_id, enum rte_vfio_user_reset_reason reason)
{
	if (reason == RTE_VFIO_USER_RESET_DEVICE)
		ev_note(dev_id, &ev[dev_id].reset_device);
	else
		ev_note(dev_id, &ev[dev_id].reset_lost);
	return 0;
}

static void
op_lock_dp(int dev_id, bool lock)
{
	ev[dev_id].lock_depth += lock ? 1 : -1;
	rte_atomic_fetch_add_explicit(&ev[dev_id].lock_calls, 1, rte_memory_order_seq_cst);
}

static void
op_dma_map(int dev_id, const struct rte_vfio_user_dma_map *map __rte_unused)
{
	ev_note(dev_id, &ev[dev_id].dma_map);
}

static void
op_dma_unmap(int dev_id, const struct rte_vfio_user_dma_map *map __rte_unused)
{
	ev_note(dev_id, &ev[dev_id].dma_unmap);
}

static void
op_irq_update(int dev_id, uint32_t index __rte_unused,
		uint32_t start __rte_unused, uint32_t count __rte_unused)
{
	ev_note(dev_id, &ev[dev_id].irq_update);
}

static void
op_config_write(int dev_id, uint32_t offset, uint32_t count)
{
	ev[dev_id].last_cfg_off = offset;
	ev[dev_id].last_cfg_cnt = count;
	rte_atomic_fetch_add_explicit(&ev[dev_id].config_write, 1, rte_memory_order_seq_cst);
}

/* Device DMA done from a region callback (control thread). */
static int
device_kick(int dev_id)
{
	uint8_t *tmp = malloc(kick_len);
	int r;

	if (tmp == NULL)
		return -ENOMEM;
	r = rte_vfio_user_dma_read(dev_id, kick_src, tmp, kick_len);
	if (r == 0)
		r = rte_vfio_user_dma_write(dev_id, kick_dst, tmp, kick_len);
	free(tmp);
	return r;
}

static int
bar_access(int dev_id, uint32_t index, uint64_t offset, void *buf,
		uint32_t count, bool is_write)
{
	if (index != 0)
		return -EINVAL;
	if (offset >= BAR0_FAIL && offset < BAR0_FAIL + 4)
		return -EIO;
	if (is_write) {
		ev[dev_id].bar_writes++;
		memcpy(bar0_regs + offset, buf, count);
		if (offset == BAR0_KICK)
			ev[dev_id].kick_result = device_kick(dev_id);
		if (offset == BAR0_SLOW)
			rte_delay_us_sleep(50);
	} else {
		ev[dev_id].bar_reads++;
		memcpy(buf, bar0_regs + offset, count);
	}
	return 0;
}

static const struct rte_vfio_user_dev_ops test_ops = {
	.connected = op_connected,
	.disconnected = op_disconnected,
	.reset = op_reset,
	.lock_dp = op_lock_dp,
	.dma_map = op_dma_map,
	.dma_unmap = op_dma_unmap,
	.irq_update = op_irq_update,
	.config_write = op_config_write,
};

static void
fill_desc(struct rte_vfio_user_dev_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->flags = RTE_VFIO_USER_DEV_RESET;
	d->regions[0].size = BAR0_SIZE;
	d->regions[0].flags = RTE_VFIO_USER_REGION_READ |
		RTE_VFIO_USER_REGION_WRITE;
	d->regions[0].access = bar_access;
	d->regions[0].nb_mmap_areas = 1;
	d->regions[0].mmap_areas[0].offset = 0;
	d->regions[0].mmap_areas[0].size = BAR0_SHARED;
	d->regions[2].size = BAR2_SIZE;
	d->regions[2].flags = RTE_VFIO_USER_REGION_READ |
		RTE_VFIO_USER_REGION_WRITE;
	d->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 1;
	d->irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = MSIX_VECTORS;
	d->irq_count[VFIO_PCI_ERR_IRQ_INDEX] = 1;
	d->irq_count[VFIO_PCI_REQ_IRQ_INDEX] = 1;
	d->irq_flags[VFIO_PCI_INTX_IRQ_INDEX] = VFIO_IRQ_INFO_EVENTFD;
	d->irq_flags[VFIO_PCI_MSIX_IRQ_INDEX] = VFIO_IRQ_INFO_EVENTFD |
		VFIO_IRQ_INFO_NORESIZE;
	d->irq_flags[VFIO_PCI_ERR_IRQ_INDEX] = VFIO_IRQ_INFO_EVENTFD;
	d->irq_flags[VFIO_PCI_REQ_IRQ_INDEX] = VFIO_IRQ_INFO_EVENTFD;
	memset(cfg_init, 0, sizeof(cfg_init));
	cfg_init[0] = 0x86; cfg_init[1] = 0x80;	/* vendor */
	cfg_init[2] = 0x89; cfg_init[3] = 0x18;	/* device */
	cfg_init[4] = 0x00; cfg_init[5] = 0x00;	/* command */
	cfg_init[0x3c] = 0xff;
	memset(cfg_wmask, 0, sizeof(cfg_wmask));
	cfg_wmask[4] = 0x06;	/* memory space, bus master */
	cfg_wmask[5] = 0x04;	/* INTx disable */
	cfg_wmask[0x3c] = 0xff;
	d->config = cfg_init;
	d->config_wmask = cfg_wmask;
	d->config_size = CFG_SIZE;
	d->ops = &test_ops;
	d->priv = &ev;
}

static void
make_path(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "/tmp/vfio_user_test_%d_%s.sock", (int)getpid(),
		tag);
}

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
	return n - 1;	/* the DIR's own fd */
}

/* Guest memory as QEMU's memory-backend-memfd gives it: sealed. */
static int
sealed_memfd(const char *name, off_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, size) < 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK |
			F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait until *counter reaches value (control thread is asynchronous). */
static int
wait_counter(int __rte_atomic *counter, int value)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (rte_atomic_load_explicit(counter, rte_memory_order_seq_cst) >= value)
			return 0;
		sleep_ms(10);
	}
	return -1;
}

/* Register a device and serve it on its socket. */
static int
serve_dev(const char *path, const struct rte_vfio_user_dev_desc *d)
{
	int id = rte_vfio_user_register(path, d), r;

	if (id < 0)
		return id;
	r = rte_vfio_user_start(id);
	if (r < 0) {
		rte_vfio_user_unregister(id);
		return r;
	}
	return id;
}

static int
setup_dev(void)
{
	struct rte_vfio_user_dev_desc d;

	fill_desc(&d);
	make_path(sock_path, sizeof(sock_path), "dev");
	test_dev = serve_dev(sock_path, &d);
	if (test_dev < 0)
		return -1;
	memset(&ev[test_dev], 0, sizeof(ev[test_dev]));
	memset(bar0_regs, 0, sizeof(bar0_regs));
	return 0;
}

static void
teardown_dev(void)
{
	if (test_dev >= 0)
		rte_vfio_user_unregister(test_dev);
	test_dev = -1;
}

/* ------------------------------------------------------ raw-socket client */

/* A client that sends what a test decides, including malformed bytes. */
struct raw {
	int fd;				/* the socket, or -1 (in memory) */
	struct vfio_user_tran *t;	/* the same stream, for receiving */
	struct vfio_user_rx rx;
};

static struct raw *
raw_connect(const char *path)
{
	struct sockaddr_un un;
	struct raw *r;
	int fd;

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
		close(fd);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r != NULL)
		r->t = vfio_user_tran_sock_new(fd);
	if (r == NULL || r->t == NULL) {
		free(r);
		close(fd);
		return NULL;
	}
	r->fd = fd;
	vfio_user_rx_init(&r->rx, VFIO_USER_MAX_MSG_SIZE);
	return r;
}

static void
raw_close(struct raw *r)
{
	if (r == NULL)
		return;
	vfio_user_rx_reset(&r->rx);
	vfio_user_tran_close(r->t);
	free(r);
}

/* Send bytes as they are, with fds (any number) on the first one. */
static int
raw_send_bytes(struct raw *r, const void *buf, size_t len, const int *fds,
		int nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 32)];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf,
		.iov_len = len };
	struct msghdr mh;
	ssize_t n;

	if (r->fd < 0)	/* in-memory transport */
		return vfio_user_tran_send_all(r->t, buf, len, fds, nfds,
			vfio_user_now_ms() + 2000) == 0 ? 0 : -1;
	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do {
		n = sendmsg(r->fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EAGAIN);
	return n == (ssize_t)len ? 0 : -1;
}

static uint16_t raw_id;

/*
 * Send one command built by the codec; size_field, when not 0, replaces
 * the header's size (a deliberately malformed header).
 */
static int
raw_cmd(struct raw *r, uint16_t cmd, uint32_t flags, const void *payload,
		uint32_t len, const int *fds, int nfds, uint32_t size_field)
{
	struct vfio_user_msg *m;
	int ret;

	m = vfio_user_msg_new(++raw_id, cmd, flags, 0, payload, len);
	if (m == NULL)
		return -1;
	if (size_field != 0)
		vfio_user_msg_hdr(m)->size = size_field;
	ret = raw_send_bytes(r, m->buf, m->size, fds, nfds);
	vfio_user_msg_free(m);
	return ret;
}

/*
 * Receive one message: its header, up to max bytes of payload and its
 * first fd. Returns the payload length, -ETIMEDOUT when nothing came,
 * -ECONNRESET at the end of the stream.
 */
static int
raw_recv(struct raw *r, struct vfio_user_hdr *h, void *payload, size_t max,
		int *rfd, int timeout_ms)
{
	struct vfio_user_msg *m;
	int ret;

	memset(h, 0, sizeof(*h));
	if (rfd != NULL)
		*rfd = -1;
	ret = vfio_user_msg_recv(r->t, &r->rx, &m,
		vfio_user_now_ms() + timeout_ms);
	if (ret < 0)
		return ret;
	*h = *vfio_user_msg_hdr(m);
	ret = (int)vfio_user_msg_payload_len(m);
	memcpy(payload, vfio_user_msg_payload(m), RTE_MIN((size_t)ret, max));
	if (rfd != NULL && m->nfds > 0) {
		*rfd = m->fds[0];
		m->fds[0] = -1;
	}
	vfio_user_msg_free(m);
	return ret;
}

/* Expect an error reply with errno err to the last command. */
static int
raw_expect_err(struct raw *r, uint32_t err)
{
	struct vfio_user_hdr h;
	uint8_t buf[64];
	int n = raw_recv(r, &h, buf, sizeof(buf), NULL, 2000);

	if (n < 0) {
		printf("no reply (%d), expected error %u\n", n, err);
		return -1;
	}
	if (h.msg_id != raw_id || !(h.flags & VFIO_USER_F_ERROR) ||
			h.error != err || h.size != sizeof(h)) {
		printf("reply id %u/%u flags 0x%x error %u size %u, expected error %u\n",
			h.msg_id, raw_id, h.flags, h.error, h.size, err);
		return -1;
	}
	return 0;
}

/* Expect a successful reply to the last command. */
static int
raw_expect_ok(struct raw *r, void *payload, size_t max, int *rfd)
{
	struct vfio_user_hdr h;
	int n = raw_recv(r, &h, payload, max, rfd, 2000);

	if (n < 0 || h.msg_id != raw_id || (h.flags & VFIO_USER_F_ERROR) ||
			(h.flags & VFIO_USER_F_TYPE_MASK) !=
			VFIO_USER_F_TYPE_REPLY) {
		printf("expected success: r %d id %u/%u flags 0x%x error %u\n",
			n, h.msg_id, raw_id, h.flags, h.error);
		return -1;
	}
	return n;
}

/* The connection still works: DEVICE_GET_INFO succeeds. */
static int
raw_alive(struct raw *r)
{
	uint32_t req[4] = { 16, 0, 0, 0 }, rep[4];

	if (raw_cmd(r, VFIO_USER_DEVICE_GET_INFO, 0, req, sizeof(req), NULL,
			0, 0) < 0)
		return -1;
	if (raw_expect_ok(r, rep, sizeof(rep), NULL) != 16)
		return -1;
	return rep[2] == RTE_VFIO_USER_NUM_REGIONS ? 0 : -1;
}

static const char good_caps[] =
	"{\"capabilities\":{\"migration\":{\"pgsize\":4096,"
	"\"max_bitmap_size\":268435456},\"max_msg_fds\":16,"
	"\"max_data_xfer_size\":1048576,\"pgsizes\":4096,"
	"\"max_dma_maps\":65535,\"write_multiple\":true}}";

static int
raw_version(struct raw *fd, const char *json, size_t json_len,
		uint16_t major)
{
	struct vfio_user_version ver = { .major = major, .minor = 0 };
	uint8_t *buf = malloc(sizeof(ver) + json_len);
	int r;

	if (buf == NULL)
		return -1;
	memcpy(buf, &ver, sizeof(ver));
	memcpy(buf + sizeof(ver), json, json_len);
	r = raw_cmd(fd, VFIO_USER_VERSION, 0, buf, sizeof(ver) + json_len,
		NULL, 0, 0);
	free(buf);
	return r;
}

/* Connect and negotiate like QEMU does. */
static struct raw *
raw_attach(const char *path)
{
	uint8_t rep[512];
	struct raw *fd;
	int r;

	fd = raw_connect(path);
	if (fd == NULL)
		return NULL;
	if (raw_version(fd, good_caps, sizeof(good_caps), 0) < 0)
		goto err;
	r = raw_expect_ok(fd, rep, sizeof(rep), NULL);
	/* reply shorter than the request (QEMU's receive buffer) */
	if (r < 5 || r > (int)(4 + sizeof(good_caps)) || rep[r - 1] != '\0')
		goto err;
	return fd;
err:
	raw_close(fd);
	return NULL;
}

/* ------------------------------------------------------------- test cases */

static int
test_socket_rules(void)
{
	struct rte_vfio_user_dev_desc d;
	struct sockaddr_un un;
	char path[108];
	struct stat st;
	int fd, id, id2;

	fill_desc(&d);
	make_path(path, sizeof(path), "rules");
	unlink(path);

	/* a regular file is never replaced */
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	TEST_ASSERT(fd >= 0, "cannot create file");
	close(fd);
	TEST_ASSERT_EQUAL(rte_vfio_user_register(path, &d), -EEXIST,
		"non-socket path must be refused");
	TEST_ASSERT_SUCCESS(stat(path, &st), "file must still exist");
	TEST_ASSERT(S_ISREG(st.st_mode), "file was replaced");
	unlink(path);

	/* a stale socket (nobody listening) is replaced */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	TEST_ASSERT_SUCCESS(bind(fd, (struct sockaddr *)&un, sizeof(un)),
		"bind");
	close(fd);
	id = rte_vfio_user_register(path, &d);
	TEST_ASSERT(id >= 0, "stale socket refused: %d", id);
	TEST_ASSERT_SUCCESS(stat(path, &st), "stale socket removed early");
	TEST_ASSERT_SUCCESS(rte_vfio_user_start(id), "start");
	TEST_ASSERT_EQUAL(rte_vfio_user_start(id), -EALREADY, "start twice");
	TEST_ASSERT_SUCCESS(stat(path, &st), "socket missing");
	TEST_ASSERT(S_ISSOCK(st.st_mode), "not a socket");
	TEST_ASSERT_EQUAL((st.st_mode & 0777), 0600u, "mode %o",
		st.st_mode & 0777);

	/* a live socket is not stolen */
	id2 = rte_vfio_user_register(path, &d);
	TEST_ASSERT_EQUAL(id2, -EEXIST, "live socket taken over: %d", id2);

	/* a too long path */
	TEST_ASSERT(rte_vfio_user_register(
		"/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		&d) < 0, "too long path accepted");

	/* bad descriptions */
	d.config_size = 100;
	TEST_ASSERT(rte_vfio_user_register(path, &d) < 0,
		"bad config size accepted");
	fill_desc(&d);
	d.regions[0].mmap_areas[0].size = BAR0_SIZE * 2;
	TEST_ASSERT(rte_vfio_user_register(path, &d) < 0,
		"mmap area past the region accepted");

	TEST_ASSERT_SUCCESS(rte_vfio_user_unregister(id), "unregister");
	TEST_ASSERT(stat(path, &st) < 0 && errno == ENOENT,
		"socket not removed on unregister");
	TEST_ASSERT_EQUAL(rte_vfio_user_unregister(id), -ENOENT,
		"double unregister");
	return TEST_SUCCESS;
}

static int
test_info_and_regions(void)
{
	struct rte_vfio_user_client_region reg;
	struct vfio_device_info dinfo;
	struct vfio_irq_info iinfo;
	uint8_t buf[64], *srv_bar0, *cli_bar0;
	uint32_t v;
	int cid;

	cid = rte_vfio_user_client_attach(sock_path);
	TEST_ASSERT(cid >= 0, "attach failed: %d", cid);
	TEST_ASSERT_SUCCESS(wait_counter(&ev[test_dev].connected, 1),
		"connected not called");

	TEST_ASSERT_SUCCESS(rte_vfio_user_client_get_dev_info(cid, &dinfo),
		"dev info");
	TEST_ASSERT_EQUAL(dinfo.flags, (VFIO_DEVICE_FLAGS_PCI |
		VFIO_DEVICE_FLAGS_RESET), "flags 0x%x", dinfo.flags);
	TEST_ASSERT_EQUAL(dinfo.num_regions, 9u, "regions");
	TEST_ASSERT_EQUAL(dinfo.num_irqs, 5u, "irqs");

	/* BAR0: sparse mmap + fd */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_get_region_info(cid, 0, &reg),
		"region 0");
	TEST_ASSERT_EQUAL(reg.size, (uint64_t)BAR0_SIZE, "bar0 size");
	TEST_ASSERT(reg.flags & VFIO_REGION_INFO_FLAG_MMAP, "no MMAP flag");
	TEST_ASSERT(reg.flags & VFIO_REGION_INFO_FLAG_CAPS, "no CAPS flag");
	TEST_ASSERT(reg.fd >= 0, "no region fd");
	TEST_ASSERT_EQUAL(reg.nb_mmap_areas, 1u, "areas");
	TEST_ASSERT_EQUAL(reg.mmap_areas[0].size, (uint64_t)BAR0_SHARED,
		"area size");
	/* BAR1 absent, BAR2 trapped only, config */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_get_region_info(cid, 1, &reg),
		"region 1");
	TEST_ASSERT_EQUAL(reg.size, 0ull, "bar1 must be absent");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_get_region_info(cid, 2, &reg),
		"region 2");
	TEST_ASSERT(reg.fd < 0 && !(reg.flags & VFIO_REGION_INFO_FLAG_MMAP),
		"bar2 must not be mmapable");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_get_region_info(cid, 7, &reg),
		"config");
	TEST_ASSERT_EQUAL(reg.size, (uint64_t)CFG_SIZE, "config size");
	TEST_ASSERT(rte_vfio_user_client_get_region_info(cid, 9, &reg) < 0,
		"region 9 must fail");

	TEST_ASSERT_SUCCESS(rte_vfio_user_client_get_irq_info(cid,
		VFIO_PCI_MSIX_IRQ_INDEX, &iinfo), "irq info");
	TEST_ASSERT_EQUAL(iinfo.count, MSIX_VECTORS, "msix count");
	TEST_ASSERT_EQUAL(iinfo.flags, (VFIO_IRQ_INFO_EVENTFD |
		VFIO_IRQ_INFO_NORESIZE), "msix flags");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_get_irq_info(cid,
		VFIO_PCI_MSI_IRQ_INDEX, &iinfo), "msi info");
	TEST_ASSERT_EQUAL(iinfo.count, 0u, "msi count");
	TEST_ASSERT(rte_vfio_user_client_get_irq_info(cid, 5, &iinfo) < 0,
		"irq index 5 must fail");

	/* config space: read, masked write, callback */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cid, 7, 0, buf,
		4), "config read");
	TEST_ASSERT(buf[0] == 0x86 && buf[1] == 0x80 && buf[2] == 0x89 &&
		buf[3] == 0x18, "config ids");
	memset(buf, 0xff, 8);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cid, 7, 0, buf,
		8, false), "config write");
	TEST_ASSERT_EQUAL(ev[test_dev].config_write, 1, "config_write op");
	TEST_ASSERT(ev[test_dev].last_cfg_off == 0 &&
		ev[test_dev].last_cfg_cnt == 8, "config_write args");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cid, 7, 0, buf,
		8), "config read");
	TEST_ASSERT(buf[0] == 0x86 && buf[1] == 0x80 && buf[4] == 0x06 &&
		buf[5] == 0x04, "write mask not applied: %02x %02x %02x %02x",
		buf[0], buf[1], buf[4], buf[5]);
	TEST_ASSERT_EQUAL(rte_vfio_user_get_config(test_dev)[4], 0x06,
		"live config copy");
	TEST_ASSERT(rte_vfio_user_client_region_read(cid, 7, CFG_SIZE - 2, buf,
		4) < 0, "config read past the end");

	/* trapped BAR0 access outside the shared area */
	v = 0x12345678;
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cid, 0, 0x4100,
		&v, 4, false), "bar0 write");
	TEST_ASSERT_EQUAL(ev[test_dev].bar_writes, 1, "callback not called");
	v = 0;
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cid, 0, 0x4100,
		&v, 4), "bar0 read");
	TEST_ASSERT_EQUAL(v, 0x12345678u, "bar0 read back");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_region_read(cid, 0, BAR0_FAIL,
		&v, 4), -EIO, "callback error must reach the client");
	/* BAR2 without callback: reads 0, writes ignored */
	v = 0xdead;
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cid, 2, 0, &v,
		4, false), "bar2 write");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cid, 2, 0, &v,
		4), "bar2 read");
	TEST_ASSERT_EQUAL(v, 0u, "bar2 reads zero");

	/* shared area: the same memory on both sides */
	srv_bar0 = rte_vfio_user_region_mmap_base(test_dev, 0);
	TEST_ASSERT_NOT_NULL(srv_bar0, "server mapping");
	TEST_ASSERT_NULL(rte_vfio_user_region_mmap_base(test_dev, 2),
		"bar2 has no shared memory");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_get_region_info(cid, 0, &reg),
		"region 0");
	cli_bar0 = rte_vfio_user_client_region_mmap(cid, 0, 0);
	TEST_ASSERT_NOT_NULL(cli_bar0, "client mmap");
	TEST_ASSERT_NULL(rte_vfio_user_client_region_mmap(cid, 0, 1),
		"area 1 does not exist");
	cli_bar0[0x10] = 0xab;
	TEST_ASSERT_EQUAL(srv_bar0[0x10], 0xab, "client write not seen");
	srv_bar0[0x2000] = 0xcd;
	TEST_ASSERT_EQUAL(cli_bar0[0x2000], 0xcd, "server write not seen");
	/* trapped access inside the area is served from shared memory */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cid, 0, 0x2000,
		buf, 1), "read area");
	TEST_ASSERT_EQUAL(buf[0], 0xcd, "area read");
	v = 0x55;
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cid, 0, 0x20,
		&v, 1, false), "write area");
	TEST_ASSERT_EQUAL(cli_bar0[0x20], 0x55, "area write");
	TEST_ASSERT_EQUAL(ev[test_dev].bar_writes, 1,
		"area access must not reach the callback");
	/* an access straddling the area end is split */
	memset(buf, 0x77, 8);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cid, 0,
		BAR0_SHARED - 4, buf, 8, false), "straddling write");
	TEST_ASSERT(srv_bar0[BAR0_SHARED - 1] == 0x77 &&
		bar0_regs[BAR0_SHARED] == 0x77 && bar0_regs[BAR0_SHARED - 1] == 0,
		"straddling write split wrongly");

	/* posted write: no reply, applied before the next read */
	v = 0xa5a5a5a5;
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cid, 0, 0x4200,
		&v, 4, true), "posted write");
	v = 0;
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cid, 0, 0x4200,
		&v, 4), "read after posted write");
	TEST_ASSERT_EQUAL(v, 0xa5a5a5a5u, "posted write lost");

	/* reset */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_reset(cid), "reset");
	TEST_ASSERT_EQUAL(ev[test_dev].reset_device, 1, "reset op");
	TEST_ASSERT_EQUAL(ev[test_dev].unlocked_notify, 0,
		"reset outside lock_dp");

	TEST_ASSERT_SUCCESS(rte_vfio_user_client_detach(cid), "detach");
	TEST_ASSERT_SUCCESS(wait_counter(&ev[test_dev].disconnected, 1),
		"disconnected not called");
	TEST_ASSERT_EQUAL(ev[test_dev].reset_lost, 1, "reset(LOST_CONN)");
	TEST_ASSERT_EQUAL(ev[test_dev].lock_depth, 0, "lock_dp unbalanced");
	return TEST_SUCCESS;
}

static int
test_dma(void)
{
	struct rte_vfio_user_dma_map maps[8];
	uint8_t *mem, *nofd1, *nofd2, *p, tmp[64];
	uint32_t v;
	int cid, mfd, n;
	uint64_t i;

	mfd = sealed_memfd("test-guest-ram", MEM_SIZE);
	TEST_ASSERT(mfd >= 0, "memfd");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	nofd1 = calloc(1, NOFD_SIZE1);
	nofd2 = calloc(1, NOFD_SIZE2);
	TEST_ASSERT(nofd1 != NULL && nofd2 != NULL, "alloc");

	cid = rte_vfio_user_client_attach(sock_path);
	TEST_ASSERT(cid >= 0, "attach");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cid, IOVA_FD,
		MEM_SIZE, PROT_READ | PROT_WRITE, mfd, 0, mem), "map fd");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cid, IOVA_NOFD,
		NOFD_SIZE1, PROT_READ | PROT_WRITE, -1, 0, nofd1),
		"map nofd 1");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cid,
		IOVA_NOFD + NOFD_SIZE1, NOFD_SIZE2, PROT_READ | PROT_WRITE, -1,
		0, nofd2), "map nofd 2");
	TEST_ASSERT_EQUAL(ev[test_dev].dma_map, 3, "dma_map op");
	TEST_ASSERT_EQUAL(ev[test_dev].unlocked_notify, 0,
		"dma_map outside lock_dp");

	n = rte_vfio_user_get_mem_table(test_dev, maps, RTE_DIM(maps));
	TEST_ASSERT_EQUAL(n, 3, "mem table %d", n);
	TEST_ASSERT(maps[0].iova == IOVA_FD && maps[0].va != NULL &&
		maps[0].prot == (PROT_READ | PROT_WRITE), "fd map");
	TEST_ASSERT(maps[1].va == NULL && maps[2].va == NULL, "nofd maps");

	/* translation */
	p = rte_vfio_user_iova_to_va(test_dev, IOVA_FD + 0x100, 16, PROT_WRITE);
	TEST_ASSERT_NOT_NULL(p, "translate");
	memcpy(p, "guest-memory", 12);
	TEST_ASSERT_SUCCESS(memcmp(mem + 0x100, "guest-memory", 12),
		"server write not in client memory");
	TEST_ASSERT_NULL(rte_vfio_user_iova_to_va(test_dev, IOVA_FD +
		MEM_SIZE - 8, 16, PROT_READ), "range past the mapping");
	TEST_ASSERT_NULL(rte_vfio_user_iova_to_va(test_dev, IOVA_FD - 1, 2,
		PROT_READ), "range before the mapping");
	TEST_ASSERT_NULL(rte_vfio_user_iova_to_va(test_dev, IOVA_FD, 0,
		PROT_READ), "zero length");
	TEST_ASSERT_NULL(rte_vfio_user_iova_to_va(test_dev, UINT64_MAX - 4,
		16, PROT_READ), "wrapping range");
	TEST_ASSERT_NULL(rte_vfio_user_iova_to_va(test_dev, IOVA_NOFD, 16,
		PROT_READ), "fd-less mapping has no address");

	/* direct copies, and their limits, from this (non-control) thread */
	TEST_ASSERT_SUCCESS(rte_vfio_user_dma_read(test_dev, IOVA_FD + 0x100,
		tmp, 12), "dma_read");
	TEST_ASSERT_SUCCESS(memcmp(tmp, "guest-memory", 12), "dma_read data");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_read(test_dev, IOVA_FD + MEM_SIZE
		- 4, tmp, 8), -EFAULT, "read past mapping");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_write(test_dev, 0x10, tmp, 8),
		-EFAULT, "write unmapped");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_read(test_dev, IOVA_NOFD, tmp, 8),
		-EAGAIN, "fd-less access off the control thread");

	/*
	 * Device DMA from a region callback (control thread): fd-less ->
	 * fd-less across the two adjacent maps, chunked (1.5 MiB > 1 MiB).
	 */
	for (i = 0; i < NOFD_SIZE1; i++)
		nofd1[i] = (uint8_t)(i * 7);
	kick_src = IOVA_NOFD;
	kick_len = 0x180000;
	kick_dst = IOVA_NOFD + NOFD_SIZE1 + NOFD_SIZE2 - kick_len;
	v = 1;
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cid, 0, BAR0_KICK,
		&v, 4, false), "kick");
	TEST_ASSERT_EQUAL(ev[test_dev].kick_result, 0, "device dma failed: %d",
		ev[test_dev].kick_result);
	for (i = 0; i < kick_len; i++) {
		uint64_t d = kick_dst - IOVA_NOFD + i;
		uint8_t got = d < NOFD_SIZE1 ? nofd1[d] : nofd2[d - NOFD_SIZE1];

		if (got != (uint8_t)(i * 7))
			break;
	}
	TEST_ASSERT_EQUAL(i, kick_len, "DMA_READ/WRITE data wrong at %" PRIu64,
		i);
	/* fd-less -> fd-backed */
	kick_src = IOVA_NOFD + 0x10;
	kick_dst = IOVA_FD + 0x1000;
	kick_len = 0x800;
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cid, 0, BAR0_KICK,
		&v, 4, false), "kick 2");
	TEST_ASSERT_EQUAL(ev[test_dev].kick_result, 0, "device dma 2");
	TEST_ASSERT_SUCCESS(memcmp(mem + 0x1000, nofd1 + 0x10, 0x800),
		"fd-less to fd copy");
	/* a range running off the end of the maps is refused untouched */
	kick_src = IOVA_NOFD + NOFD_SIZE1;
	kick_dst = IOVA_FD;
	kick_len = NOFD_SIZE2 + 0x1000;
	memset(mem, 0x5a, 16);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cid, 0, BAR0_KICK,
		&v, 4, false), "kick 3");
	TEST_ASSERT_EQUAL(ev[test_dev].kick_result, -EFAULT,
		"unmapped tail must fail");
	TEST_ASSERT_EQUAL(mem[0], 0x5a, "memory touched on failure");

	/* unmap rules (kernel VFIO type1 v2, see test_dma_unmap_ranges) */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cid, 0x900000,
		0x1000, 0), "unmap of never mapped");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_unmap(cid, IOVA_FD,
		0x1000, 0), -EINVAL, "partial unmap");
	TEST_ASSERT_EQUAL(ev[test_dev].dma_unmap, 0, "nothing unmapped yet");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cid, IOVA_FD,
		MEM_SIZE, 0), "unmap");
	TEST_ASSERT_EQUAL(ev[test_dev].dma_unmap, 1, "dma_unmap op");
	TEST_ASSERT_NULL(rte_vfio_user_iova_to_va(test_dev, IOVA_FD, 16,
		PROT_READ), "translation after unmap");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cid, 0, 0,
		VFIO_DMA_UNMAP_FLAG_ALL), "unmap all");
	TEST_ASSERT_EQUAL(rte_vfio_user_get_mem_table(test_dev, NULL, 0), 0,
		"table not empty");
	TEST_ASSERT_EQUAL(ev[test_dev].unlocked_notify, 0,
		"unmap outside lock_dp");

	/* disconnect drops every mapping */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cid, IOVA_FD,
		MEM_SIZE, PROT_READ, mfd, 0, mem), "map again");
	TEST_ASSERT_NULL(rte_vfio_user_iova_to_va(test_dev, IOVA_FD, 16,
		PROT_WRITE), "read-only mapping is not writable");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_detach(cid), "detach");
	TEST_ASSERT_SUCCESS(wait_counter(&ev[test_dev].disconnected, 1),
		"disconnect");
	TEST_ASSERT_EQUAL(rte_vfio_user_get_mem_table(test_dev, NULL, 0), 0,
		"mapping kept after disconnect");
	TEST_ASSERT_EQUAL(ev[test_dev].lock_depth, 0, "lock_dp unbalanced");

	munmap(mem, MEM_SIZE);
	close(mfd);
	free(nofd1);
	free(nofd2);
	return TEST_SUCCESS;
}

static int
efd_count(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	eventfd_t val;

	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (eventfd_read(fd, &val) < 0)
		return -1;
	return (int)val;
}

static int
test_irqs(void)
{
	int efd[MSIX_VECTORS], cid, i;
	bool has_fd, masked;
	uint8_t bools[MSIX_VECTORS] = { 1, 0, 1, 0 };
	uint32_t msix = VFIO_PCI_MSIX_IRQ_INDEX;

	for (i = 0; i < (int)MSIX_VECTORS; i++) {
		efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		TEST_ASSERT(efd[i] >= 0, "eventfd");
	}
	cid = rte_vfio_user_client_attach(sock_path);
	TEST_ASSERT(cid >= 0, "attach");

	TEST_ASSERT_EQUAL(rte_vfio_user_irq_trigger(test_dev, msix, 0),
		-ENOENT, "trigger without fd");
	TEST_ASSERT_EQUAL(rte_vfio_user_irq_trigger(test_dev, msix,
		MSIX_VECTORS), -EINVAL, "trigger out of range");
	TEST_ASSERT_EQUAL(rte_vfio_user_irq_trigger(test_dev, 5, 0), -EINVAL,
		"bad index");

	TEST_ASSERT_SUCCESS(rte_vfio_user_client_set_irqs(cid, msix,
		VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, 0,
		MSIX_VECTORS, efd), "assign eventfds");
	TEST_ASSERT(ev[test_dev].irq_update >= 1, "irq_update op");
	TEST_ASSERT_SUCCESS(rte_vfio_user_irq_get_state(test_dev, msix, 3,
		&has_fd, &masked), "state");
	TEST_ASSERT(has_fd && !masked, "state after assign");
	TEST_ASSERT_SUCCESS(rte_vfio_user_irq_trigger(test_dev, msix, 2),
		"trigger");
	TEST_ASSERT_EQUAL(efd_count(efd[2]), 1, "vector 2 not signalled");
	TEST_ASSERT_EQUAL(efd_count(efd[1]), 0, "vector 1 signalled");

	/* mask: triggers are held pending until unmask */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_set_irqs(cid, msix,
		VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK, 1, 1, NULL),
		"mask");
	TEST_ASSERT_SUCCESS(rte_vfio_user_irq_get_state(test_dev, msix, 1,
		&has_fd, &masked), "state");
	TEST_ASSERT(masked, "not masked");
	TEST_ASSERT_SUCCESS(rte_vfio_user_irq_trigger(test_dev, msix, 1),
		"trigger masked");
	TEST_ASSERT_EQUAL(efd_count(efd[1]), 0, "masked vector fired");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_set_irqs(cid, msix,
		VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, 1, 1, NULL),
		"unmask");
	TEST_ASSERT_EQUAL(efd_count(efd[1]), 1, "pending vector not fired");

	/* client-requested triggers: BOOL selects vectors 0 and 2 */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_set_irqs(cid, msix,
		VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER, 0,
		MSIX_VECTORS, bools), "bool trigger");
	TEST_ASSERT(efd_count(efd[0]) == 1 && efd_count(efd[1]) == 0 &&
		efd_count(efd[2]) == 1 && efd_count(efd[3]) == 0,
		"bool trigger selection");

	/* eventfd without fds: de-assign vectors 2..3 */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_set_irqs(cid, msix,
		VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, 2, 2,
		NULL), "de-assign");
	TEST_ASSERT_EQUAL(rte_vfio_user_irq_trigger(test_dev, msix, 2),
		-ENOENT, "de-assigned vector still has an fd");
	TEST_ASSERT_SUCCESS(rte_vfio_user_irq_trigger(test_dev, msix, 0),
		"vector 0 kept");
	TEST_ASSERT_EQUAL(efd_count(efd[0]), 1, "vector 0");

	/* bad requests through the client API */
	TEST_ASSERT_EQUAL(rte_vfio_user_client_set_irqs(cid, msix,
		VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, 3, 2,
		efd), -EINVAL, "start + count past the vectors");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_set_irqs(cid, 5,
		VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1,
		NULL), -EINVAL, "bad index");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_set_irqs(cid,
		VFIO_PCI_MSI_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE |
		VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, NULL), -EINVAL,
		"index without vectors");

	/* count 0 + DATA_NONE | TRIGGER disables the whole index */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_set_irqs(cid, msix,
		VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0,
		NULL), "disable");
	TEST_ASSERT_EQUAL(rte_vfio_user_irq_trigger(test_dev, msix, 0),
		-ENOENT, "vector 0 after disable");
	TEST_ASSERT_EQUAL(ev[test_dev].unlocked_notify, 0,
		"irq_update outside lock_dp");

	/* disconnect closes the fds */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_set_irqs(cid,
		VFIO_PCI_ERR_IRQ_INDEX, VFIO_IRQ_SET_DATA_EVENTFD |
		VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, efd), "err irq");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_detach(cid), "detach");
	TEST_ASSERT_SUCCESS(wait_counter(&ev[test_dev].disconnected, 1),
		"disconnect");
	TEST_ASSERT_SUCCESS(rte_vfio_user_irq_get_state(test_dev,
		VFIO_PCI_ERR_IRQ_INDEX, 0, &has_fd, NULL), "state");
	TEST_ASSERT(!has_fd, "irq fd kept after disconnect");
	for (i = 0; i < (int)MSIX_VECTORS; i++)
		close(efd[i]);
	return TEST_SUCCESS;
}

/* Commands before VERSION and bad VERSION messages, then a good one. */
static int
test_bad_version(void)
{
	static const char *const bad_json[] = {
		"{\"capabilities\":",
		"{\"capabilities\":{\"max_msg_fds\":\"8\"}}",
		"{\"capabilities\":{\"max_msg_fds\":-1}}",
		"{\"capabilities\":{\"max_msg_fds\":1025}}",
		"{\"capabilities\":{\"max_msg_fds\":1.5}}",
		"{\"capabilities\":{\"pgsizes\":4095}}",
		"{\"capabilities\":{\"pgsizes\":0}}",
		"{\"capabilities\":{\"max_data_xfer_size\":0}}",
		"{\"capabilities\":{\"write_multiple\":1}}",
		"{\"capabilities\":{\"migration\":4096}}",
		"{\"capabilities\":[]}",
		"{\"capabilities\":{},\"capabilities\":{}}",
		"{\"capabilities\":{}} x",
		"[1]",
		"{'capabilities':{}}",
		"{\"capabilities\":{\"max_msg_fds\":99999999999999999999999}}",
		"",
	};
	uint8_t rep[256];
	uint32_t req[4] = { 16, 0, 0, 0 };
	struct raw *fd;
	int efd, i;

	fd = raw_connect(sock_path);
	TEST_ASSERT(fd != NULL, "connect");
	TEST_ASSERT_SUCCESS(raw_cmd(fd, VFIO_USER_DEVICE_GET_INFO, 0, req, sizeof(req),
		NULL, 0, 0), "send");
	TEST_ASSERT_SUCCESS(raw_expect_err(fd, EINVAL),
		"command before VERSION");
	for (i = 0; i < (int)RTE_DIM(bad_json); i++) {
		TEST_ASSERT_SUCCESS(raw_version(fd, bad_json[i],
			strlen(bad_json[i]) + 1, 0), "send");
		TEST_ASSERT_SUCCESS(raw_expect_err(fd, EINVAL),
			"bad JSON accepted: '%s'", bad_json[i]);
	}
	/* JSON without its NUL */
	TEST_ASSERT_SUCCESS(raw_version(fd, good_caps, sizeof(good_caps) - 1,
		0), "send");
	TEST_ASSERT_SUCCESS(raw_expect_err(fd, EINVAL), "missing NUL");
	/* NUL inside the JSON */
	TEST_ASSERT_SUCCESS(raw_version(fd, "{}\0{}", 6, 0), "send");
	TEST_ASSERT_SUCCESS(raw_expect_err(fd, EINVAL), "embedded NUL");
	/* major 1 */
	TEST_ASSERT_SUCCESS(raw_version(fd, good_caps, sizeof(good_caps), 1),
		"send");
	TEST_ASSERT_SUCCESS(raw_expect_err(fd, EINVAL), "major 1");
	/* too short */
	TEST_ASSERT_SUCCESS(raw_cmd(fd, VFIO_USER_VERSION, 0, rep, 2, NULL, 0, 0),
		"send");
	TEST_ASSERT_SUCCESS(raw_expect_err(fd, EINVAL), "short VERSION");
	/* fds on VERSION */
	efd = eventfd(0, EFD_CLOEXEC);
	TEST_ASSERT_SUCCESS(raw_cmd(fd, VFIO_USER_VERSION, 0, "\0\0\0\0", 4, &efd, 1,
		0), "send");
	close(efd);
	TEST_ASSERT_SUCCESS(raw_expect_err(fd, EINVAL), "fd on VERSION");
	TEST_ASSERT_EQUAL(ev[test_dev].connected, 0, "negotiated too early");

	/* QEMU's VERSION works on the same connection */
	TEST_ASSERT_SUCCESS(raw_version(fd, good_caps, sizeof(good_caps), 0),
		"send");
	i = raw_expect_ok(fd, rep, sizeof(rep) - 1, NULL);
	TEST_ASSERT(i > 4 && i <= (int)(4 + sizeof(good_caps)),
		"VERSION reply size %d", i);
	rep[i] = 0;
	TEST_ASSERT(rep[0] == 0 && rep[1] == 0 && rep[2] == 0 && rep[3] == 0,
		"version 0.0");
	TEST_ASSERT(rep[i - 1] == '\0', "reply JSON not NUL terminated");
	TEST_ASSERT_NOT_NULL(strstr((char *)rep + 4, "\"max_msg_fds\":8"),
		"caps: %s", rep + 4);
	TEST_ASSERT_NULL(strstr((char *)rep + 4, "write_multiple"),
		"write_multiple must not be advertised");
	TEST_ASSERT_NULL(strstr((char *)rep + 4, "migration"),
		"migration must not be advertised");
	TEST_ASSERT_SUCCESS(raw_alive(fd), "connection dead");
	/* a second VERSION is refused */
	TEST_ASSERT_SUCCESS(raw_version(fd, good_caps, sizeof(good_caps), 0),
		"send");
	TEST_ASSERT_SUCCESS(raw_expect_err(fd, EINVAL), "second VERSION");
	TEST_ASSERT_SUCCESS(raw_alive(fd), "connection dead");
	raw_close(fd);

	/* VERSION without JSON: reply without JSON */
	TEST_ASSERT_SUCCESS(wait_counter(&ev[test_dev].disconnected, 1),
		"disconnect");
	fd = raw_connect(sock_path);
	TEST_ASSERT_SUCCESS(raw_cmd(fd, VFIO_USER_VERSION, 0, "\0\0\0\0", 4, NULL, 0,
		0), "send");
	TEST_ASSERT_EQUAL(raw_expect_ok(fd, rep, sizeof(rep), NULL), 4,
		"reply to a JSON-less VERSION");
	raw_close(fd);
	return TEST_SUCCESS;
}

/* Malformed commands after negotiation: each gets its errno and the
 * connection keeps working.
 */
static int
test_bad_commands(void)
{
	struct vfio_user_dma_map_msg map;
	struct vfio_user_dma_unmap_msg unmap;
	struct vfio_user_region_rw rw;
	uint8_t buf[512], wbuf[sizeof(struct vfio_user_region_rw) + 8] = { 0 };
	uint32_t irq[5 + 4], rinfo[8];
	struct raw *fd;
	int mfd, small, unsealed, efd[2], pfd[2], many[20], i, rfd;
	struct vfio_user_hdr h;

	fd = raw_attach(sock_path);
	TEST_ASSERT(fd != NULL, "attach");
	mfd = sealed_memfd("ram", 0x10000);
	small = sealed_memfd("small", 0x1000);
	unsealed = memfd_create("unsealed", MFD_CLOEXEC);
	TEST_ASSERT(mfd >= 0 && small >= 0 && unsealed >= 0, "memfd");
	TEST_ASSERT_SUCCESS(ftruncate(unsealed, 0x10000), "ftruncate");
	TEST_ASSERT_SUCCESS(pipe2(pfd, O_CLOEXEC), "pipe");
	efd[0] = eventfd(0, EFD_CLOEXEC);
	efd[1] = eventfd(0, EFD_CLOEXEC);

#define MAP(fl, off, a, sz) do { \
	map.argsz = sizeof(map); map.flags = (fl); map.offset = (off); \
	map.addr = (a); map.size = (sz); \
} while (0)
#define EXPECT_ERR(err, what) do { \
	TEST_ASSERT_SUCCESS(raw_expect_err(fd, err), what); \
	TEST_ASSERT_SUCCESS(raw_alive(fd), "dead after: " what); \
} while (0)

	/* DMA_MAP */
	MAP(3, 0, 0x10000, 0x10000);
	TEST_ASSERT_SUCCESS(raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map),
		&mfd, 1, 0), "send");
	TEST_ASSERT_EQUAL(raw_expect_ok(fd, buf, sizeof(buf), NULL), 0,
		"valid DMA_MAP");
	MAP(3, 0, 0x18000, 0x10000);
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), &mfd, 1, 0);
	EXPECT_ERR(EEXIST, "overlapping map");
	MAP(3, 0, 0x10000, 0x10000);
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), NULL, 0, 0);
	EXPECT_ERR(EEXIST, "identical map");
	MAP(3, 0, 0x80000, 0);
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "zero-length map");
	MAP(3, 0, 0x80100, 0x1000);
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "unaligned map");
	MAP(3, 0, UINT64_MAX - 0xfff, 0x2000);
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "wrapping map");
	MAP(0x7, 0, 0x80000, 0x1000);
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "unknown map flags");
	MAP(3, 0, 0x80000, 0x2000);
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), &small, 1, 0);
	EXPECT_ERR(EINVAL, "fd smaller than the map");
	MAP(3, 0x123, 0x80000, 0x1000);
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), &mfd, 1, 0);
	EXPECT_ERR(EINVAL, "unaligned fd offset");
	MAP(3, 0, 0x80000, 0x1000);
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), pfd, 1, 0);
	EXPECT_ERR(EBADF, "pipe as DMA fd");
	/* a file the client could shrink under our mapping (SIGBUS) */
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), &unsealed, 1, 0);
	EXPECT_ERR(EPERM, "DMA fd not sealed against shrinking");
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), efd, 2, 0);
	EXPECT_ERR(EINVAL, "two fds on DMA_MAP");
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, 24, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "short DMA_MAP");
	map.argsz = 64;
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "argsz larger than the message");
	for (i = 0; i < (int)RTE_DIM(many); i++)
		many[i] = mfd;
	MAP(3, 0, 0x80000, 0x1000);
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), many, RTE_DIM(many), 0);
	EXPECT_ERR(EINVAL, "too many fds (truncated)");

	/* DMA_UNMAP */
	unmap.argsz = sizeof(unmap);
	unmap.flags = 0;
	unmap.addr = 0x900000;
	unmap.size = 0x1000;
	raw_cmd(fd, VFIO_USER_DMA_UNMAP, 0, &unmap, sizeof(unmap), NULL, 0, 0);
	TEST_ASSERT_EQUAL(raw_expect_ok(fd, buf, sizeof(buf), NULL),
		(int)sizeof(unmap), "unmap of never mapped");
	unmap.addr = 0x10000;
	unmap.size = 0x8000;
	raw_cmd(fd, VFIO_USER_DMA_UNMAP, 0, &unmap, sizeof(unmap), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "partial unmap");
	unmap.size = 0;
	raw_cmd(fd, VFIO_USER_DMA_UNMAP, 0, &unmap, sizeof(unmap), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "empty unmap");
	unmap.size = 0x800;
	raw_cmd(fd, VFIO_USER_DMA_UNMAP, 0, &unmap, sizeof(unmap), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "unaligned unmap");
	unmap.flags = 1;	/* dirty bitmap: not supported */
	unmap.size = 0x10000;
	raw_cmd(fd, VFIO_USER_DMA_UNMAP, 0, &unmap, sizeof(unmap), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "unmap flags");
	unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
	raw_cmd(fd, VFIO_USER_DMA_UNMAP, 0, &unmap, sizeof(unmap), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "unmap all with an address");
	unmap.flags = 0;
	raw_cmd(fd, VFIO_USER_DMA_UNMAP, 0, &unmap, sizeof(unmap), NULL, 0, 0);
	TEST_ASSERT_EQUAL(raw_expect_ok(fd, buf, sizeof(buf), NULL),
		(int)sizeof(unmap), "unmap reply must echo the entry");
	TEST_ASSERT_SUCCESS(memcmp(buf, &unmap, sizeof(unmap)), "echo");

	/* GET_REGION_INFO */
	memset(rinfo, 0, sizeof(rinfo));
	rinfo[0] = 32;
	rinfo[2] = 9;
	raw_cmd(fd, VFIO_USER_DEVICE_GET_REGION_INFO, 0, rinfo, 32, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "region index 9");
	rinfo[0] = 16;
	rinfo[2] = 0;
	raw_cmd(fd, VFIO_USER_DEVICE_GET_REGION_INFO, 0, rinfo, 32, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "argsz 16");
	raw_cmd(fd, VFIO_USER_DEVICE_GET_REGION_INFO, 0, rinfo, 16, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "short region info");
	/* argsz 32 for a region with caps: full argsz, no caps, no fd */
	rinfo[0] = 32;
	raw_cmd(fd, VFIO_USER_DEVICE_GET_REGION_INFO, 0, rinfo, 32, NULL, 0, 0);
	TEST_ASSERT_EQUAL(raw_expect_ok(fd, buf, sizeof(buf), &rfd), 32,
		"truncated region info");
	memcpy(rinfo, buf, 32);
	TEST_ASSERT(rinfo[0] == 32 + 16 + 16 && rfd < 0 &&
		!(rinfo[1] & VFIO_REGION_INFO_FLAG_CAPS),
		"argsz %u fd %d flags 0x%x", rinfo[0], rfd, rinfo[1]);
	rinfo[1] = 0;
	raw_cmd(fd, VFIO_USER_DEVICE_GET_REGION_INFO, 0, rinfo, 32, NULL, 0, 0);
	TEST_ASSERT_EQUAL(raw_expect_ok(fd, buf, sizeof(buf), &rfd), 64,
		"full region info");
	memcpy(rinfo, buf, 32);
	TEST_ASSERT(rfd >= 0 && (rinfo[1] & VFIO_REGION_INFO_FLAG_CAPS) &&
		rinfo[3] == 32, "caps/fd missing");
	close(rfd);

	/* GET_IRQ_INFO / SET_IRQS */
	memset(irq, 0, sizeof(irq));
	irq[0] = 16;
	irq[2] = 5;
	raw_cmd(fd, VFIO_USER_DEVICE_GET_IRQ_INFO, 0, irq, 16, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "irq info index 5");
#define IRQ_SET(fl, idx, st, cnt) do { \
	irq[0] = 20; irq[1] = (fl); irq[2] = (idx); irq[3] = (st); \
	irq[4] = (cnt); \
} while (0)
	IRQ_SET(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 5, 0, 1);
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "set irqs index 5");
	IRQ_SET(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_PCI_MSIX_IRQ_INDEX, MSIX_VECTORS, 1);
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "start past the vectors");
	IRQ_SET(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_PCI_MSIX_IRQ_INDEX, 1, UINT32_MAX);
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "count overflow");
	IRQ_SET(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL |
		VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1);
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "two data types");
	IRQ_SET(VFIO_IRQ_SET_DATA_NONE, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1);
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "no action");
	IRQ_SET(VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_PCI_MSIX_IRQ_INDEX, 0, 0);
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "count 0 with BOOL");
	IRQ_SET(VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_PCI_MSIX_IRQ_INDEX, 0, 4);
	irq[0] = 22;
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 22, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "BOOL data shorter than count");
	IRQ_SET(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_PCI_MSIX_IRQ_INDEX, 0, 2);
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, efd, 1, 0);
	EXPECT_ERR(EINVAL, "1 fd for 2 vectors");
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, (int[]){ mfd, efd[0] }, 2, 0);
	EXPECT_ERR(EINVAL, "memfd as eventfd");
	IRQ_SET(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_PCI_MSIX_IRQ_INDEX, 0, 1);
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, efd, 1, 0);
	EXPECT_ERR(EINVAL, "fd with DATA_NONE");
	irq[0] = 12;
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "argsz 12");
	IRQ_SET(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_PCI_MSIX_IRQ_INDEX, 0, 2);
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, efd, 2, 0);
	TEST_ASSERT(raw_expect_ok(fd, buf, sizeof(buf), NULL) == 0,
		"valid SET_IRQS");

	/* REGION_READ / REGION_WRITE */
	rw.offset = 0;
	rw.region = 9;
	rw.count = 4;
	raw_cmd(fd, VFIO_USER_REGION_READ, 0, &rw, sizeof(rw), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "read region 9");
	rw.region = 1;
	raw_cmd(fd, VFIO_USER_REGION_READ, 0, &rw, sizeof(rw), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "read absent BAR1");
	rw.region = 0;
	rw.offset = BAR0_SIZE - 2;
	raw_cmd(fd, VFIO_USER_REGION_READ, 0, &rw, sizeof(rw), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "read past BAR0");
	rw.offset = UINT64_MAX - 1;
	raw_cmd(fd, VFIO_USER_REGION_READ, 0, &rw, sizeof(rw), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "offset overflow");
	rw.offset = 0;
	rw.count = 2 * 1024 * 1024;
	raw_cmd(fd, VFIO_USER_REGION_READ, 0, &rw, sizeof(rw), NULL, 0, 0);
	EXPECT_ERR(EINVAL, "count larger than max_data_xfer_size");
	rw.count = 4;
	raw_cmd(fd, VFIO_USER_REGION_READ, 0, &rw, 12, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "short REGION_READ");
	raw_cmd(fd, VFIO_USER_REGION_READ, 0, &rw, sizeof(rw), efd, 1, 0);
	EXPECT_ERR(EINVAL, "fd on REGION_READ");
	rw.offset = 0x4300;
	rw.count = 8;
	memcpy(wbuf, &rw, sizeof(rw));
	raw_cmd(fd, VFIO_USER_REGION_WRITE, 0, wbuf, sizeof(rw) + 4, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "write payload shorter than count");
	rw.count = 2;
	memcpy(wbuf, &rw, sizeof(rw));
	raw_cmd(fd, VFIO_USER_REGION_WRITE, 0, wbuf, sizeof(rw) + 4, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "write payload longer than count");

	/* posted (NO_REPLY) writes are never answered, not even errors */
	rw.region = 9;
	rw.count = 4;
	memcpy(wbuf, &rw, sizeof(rw));
	raw_cmd(fd, VFIO_USER_REGION_WRITE, VFIO_USER_F_NO_REPLY, wbuf, sizeof(rw) + 4, NULL,
		0, 0);
	rw.region = 0;
	rw.offset = 0x4400;
	memcpy(wbuf, &rw, sizeof(rw));
	memcpy(wbuf + sizeof(rw), "\x11\x22\x33\x44", 4);
	raw_cmd(fd, VFIO_USER_REGION_WRITE, VFIO_USER_F_NO_REPLY, wbuf, sizeof(rw) + 4, NULL,
		0, 0);
	TEST_ASSERT_EQUAL(raw_recv(fd, &h, buf, sizeof(buf), NULL, 300),
		-ETIMEDOUT, "NO_REPLY command answered");
	TEST_ASSERT_SUCCESS(raw_alive(fd), "dead after posted writes");
	TEST_ASSERT_SUCCESS(memcmp(bar0_regs + 0x4400, "\x11\x22\x33\x44", 4),
		"posted write not applied");

	/* other commands */
	raw_cmd(fd, 99, 0, NULL, 0, NULL, 0, 0);
	EXPECT_ERR(ENOSYS, "unknown command");
	raw_cmd(fd, VFIO_USER_DEVICE_GET_REGION_IO_FDS, 0, irq, 16, NULL, 0, 0);
	EXPECT_ERR(ENOSYS, "GET_REGION_IO_FDS");
	raw_cmd(fd, VFIO_USER_REGION_WRITE_MULTI, 0, irq, 16, NULL, 0, 0);
	EXPECT_ERR(ENOSYS, "REGION_WRITE_MULTI");
	raw_cmd(fd, VFIO_USER_DEVICE_FEATURE, 0, irq, 8, NULL, 0, 0);
	EXPECT_ERR(ENOSYS, "DEVICE_FEATURE");
	raw_cmd(fd, VFIO_USER_DMA_READ, 0, irq, 16, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "DMA_READ from the client");
	raw_cmd(fd, VFIO_USER_DEVICE_RESET, 0, irq, 4, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "DEVICE_RESET with payload");
	raw_cmd(fd, VFIO_USER_DEVICE_GET_INFO, 0, irq, 8, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "short GET_INFO");
	raw_cmd(fd, VFIO_USER_DEVICE_GET_INFO, 0, irq, 16, efd, 1, 0);
	EXPECT_ERR(EINVAL, "fd on GET_INFO");
	raw_cmd(fd, VFIO_USER_DEVICE_GET_INFO, 0x3, irq, 16, NULL, 0, 0);
	EXPECT_ERR(EINVAL, "bad message type");
	/* a reply from the client is dropped silently */
	raw_cmd(fd, VFIO_USER_DEVICE_GET_INFO, VFIO_USER_F_TYPE_REPLY, irq, 16, NULL, 0, 0);
	TEST_ASSERT_EQUAL(raw_recv(fd, &h, buf, sizeof(buf), NULL, 300),
		-ETIMEDOUT, "reply answered");
	TEST_ASSERT_SUCCESS(raw_alive(fd), "dead after a stray reply");

	raw_close(fd);
	TEST_ASSERT_SUCCESS(wait_counter(&ev[test_dev].disconnected, 1),
		"disconnect");
	TEST_ASSERT_EQUAL(rte_vfio_user_get_mem_table(test_dev, NULL, 0), 0,
		"map kept");
	TEST_ASSERT_EQUAL(ev[test_dev].lock_depth, 0, "lock_dp unbalanced");
	TEST_ASSERT_EQUAL(ev[test_dev].unlocked_notify, 0,
		"notification outside lock_dp");
	close(mfd);
	close(small);
	close(unsealed);
	close(pfd[0]);
	close(pfd[1]);
	close(efd[0]);
	close(efd[1]);
	return TEST_SUCCESS;
#undef MAP
#undef EXPECT_ERR
#undef IRQ_SET
}

/* Broken framing drops the client; a new one is accepted. */
static int
test_framing(void)
{
	struct vfio_user_hdr h;
	struct vfio_user_dma_map_msg map;
	uint8_t buf[64];
	uint32_t irq[5];
	struct vfio_user_msg *m;
	struct raw *fd;
	int mfd, efd, cid, n = 0;

	/* header size below 16 */
	fd = raw_attach(sock_path);
	TEST_ASSERT(fd != NULL, "attach");
	raw_cmd(fd, VFIO_USER_DEVICE_GET_INFO, 0, NULL, 0, NULL, 0, 8);
	TEST_ASSERT_EQUAL(raw_recv(fd, &h, buf, sizeof(buf), NULL, 2000),
		-ECONNRESET, "short header must drop the client");
	raw_close(fd);
	TEST_ASSERT_SUCCESS(wait_counter(&ev[test_dev].disconnected, ++n),
		"disconnect");

	/* oversized message */
	fd = raw_attach(sock_path);
	TEST_ASSERT(fd != NULL, "re-attach");
	raw_cmd(fd, VFIO_USER_REGION_WRITE, 0, NULL, 0, NULL, 0, 64u << 20);
	TEST_ASSERT_EQUAL(raw_recv(fd, &h, buf, sizeof(buf), NULL, 2000),
		-ECONNRESET, "oversized message must drop the client");
	raw_close(fd);
	TEST_ASSERT_SUCCESS(wait_counter(&ev[test_dev].disconnected, ++n),
		"disconnect");

	/* disconnect in the middle of a message, with resources given */
	fd = raw_attach(sock_path);
	TEST_ASSERT(fd != NULL, "re-attach");
	mfd = sealed_memfd("ram", 0x10000);
	TEST_ASSERT(mfd >= 0, "memfd");
	map.argsz = sizeof(map);
	map.flags = 3;
	map.offset = 0;
	map.addr = 0;
	map.size = 0x10000;
	raw_cmd(fd, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), &mfd, 1, 0);
	TEST_ASSERT(raw_expect_ok(fd, buf, sizeof(buf), NULL) == 0, "map");
	efd = eventfd(0, EFD_CLOEXEC);
	irq[0] = 20;
	irq[1] = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	irq[2] = VFIO_PCI_MSIX_IRQ_INDEX;
	irq[3] = 0;
	irq[4] = 1;
	raw_cmd(fd, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, &efd, 1, 0);
	TEST_ASSERT(raw_expect_ok(fd, buf, sizeof(buf), NULL) == 0, "irqs");
	TEST_ASSERT_EQUAL(rte_vfio_user_get_mem_table(test_dev, NULL, 0), 1,
		"map");
	/* a 48-byte DMA_MAP of which 30 bytes arrive, then the client dies */
	m = vfio_user_msg_new(1, VFIO_USER_DMA_MAP, 0, 0, &map, sizeof(map));
	TEST_ASSERT_NOT_NULL(m, "message");
	TEST_ASSERT_SUCCESS(raw_send_bytes(fd, m->buf, 30, &mfd, 1), "send");
	vfio_user_msg_free(m);
	sleep_ms(50);
	raw_close(fd);
	TEST_ASSERT_SUCCESS(wait_counter(&ev[test_dev].disconnected, ++n),
		"disconnect mid-message");
	TEST_ASSERT_EQUAL(rte_vfio_user_get_mem_table(test_dev, NULL, 0), 0,
		"map kept after crash");
	TEST_ASSERT_EQUAL(rte_vfio_user_irq_trigger(test_dev,
		VFIO_PCI_MSIX_IRQ_INDEX, 0), -ENOENT, "irq kept after crash");
	TEST_ASSERT_EQUAL(ev[test_dev].reset_lost, n, "reset(LOST_CONN)");
	close(mfd);
	close(efd);

	/* disconnect in the middle of a header */
	fd = raw_attach(sock_path);
	TEST_ASSERT(fd != NULL, "re-attach");
	TEST_ASSERT_SUCCESS(raw_send_bytes(fd, buf, 7, NULL, 0), "send");
	raw_close(fd);
	TEST_ASSERT_SUCCESS(wait_counter(&ev[test_dev].disconnected, ++n),
		"disconnect mid-header");

	/* a good client still works */
	cid = rte_vfio_user_client_attach(sock_path);
	TEST_ASSERT(cid >= 0, "attach after crashes");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cid, 7, 0, buf,
		4), "read");
	/* a second client is refused while one is attached */
	fd = raw_connect(sock_path);
	TEST_ASSERT(fd != NULL, "connect");
	TEST_ASSERT_EQUAL(raw_recv(fd, &h, buf, sizeof(buf), NULL, 2000),
		-ECONNRESET, "second client not refused");
	raw_close(fd);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cid, 7, 0, buf,
		4), "first client broken by the second");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_detach(cid), "detach");
	TEST_ASSERT_EQUAL(ev[test_dev].lock_depth, 0, "lock_dp unbalanced");
	return TEST_SUCCESS;
}

static int
test_multi_devices(void)
{
	struct rte_vfio_user_dev_desc d;
	char path[4][108];
	struct raw *bad;
	int id[4], cid[4], i;
	uint32_t v;

	fill_desc(&d);
	for (i = 0; i < 4; i++) {
		char tag[8];

		snprintf(tag, sizeof(tag), "m%d", i);
		make_path(path[i], sizeof(path[i]), tag);
		id[i] = serve_dev(path[i], &d);
		TEST_ASSERT(id[i] >= 0, "register %d", i);
		memset(&ev[id[i]], 0, sizeof(ev[id[i]]));
		cid[i] = rte_vfio_user_client_attach(path[i]);
		TEST_ASSERT(cid[i] >= 0, "attach %d", i);
	}
	TEST_ASSERT(rte_vfio_user_get_priv(id[1]) == &ev, "priv");
	/* garbage on device 1 drops its client only */
	bad = raw_connect(path[1]);	/* refused: client attached */
	raw_close(bad);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_detach(cid[1]), "detach");
	TEST_ASSERT_SUCCESS(wait_counter(&ev[id[1]].disconnected, 1), "disc");
	bad = raw_attach(path[1]);
	TEST_ASSERT(bad != NULL, "raw attach");
	raw_send_bytes(bad, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		"\xff\xff\xff\xff", 16, NULL, 0);
	TEST_ASSERT_SUCCESS(wait_counter(&ev[id[1]].disconnected, 2),
		"garbage did not drop the client");
	raw_close(bad);
	for (i = 0; i < 4; i++) {
		if (i == 1)
			continue;
		v = (uint32_t)i;
		TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cid[i], 0,
			0x4000 + 4 * i, &v, 4, false), "write %d", i);
		TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cid[i], 7,
			0, &v, 4), "device %d stopped working", i);
		TEST_ASSERT_EQUAL(v, 0x18898086u, "device %d ids", i);
	}
	/* unregister with a client attached: full cleanup */
	TEST_ASSERT_SUCCESS(rte_vfio_user_unregister(id[0]), "unregister 0");
	TEST_ASSERT_EQUAL(ev[id[0]].disconnected, 1, "no disconnected on unregister");
	TEST_ASSERT(rte_vfio_user_client_region_read(cid[0], 7, 0, &v, 4) < 0,
		"client of an unregistered device still served");
	for (i = 0; i < 4; i++) {
		if (i != 1)
			rte_vfio_user_client_detach(cid[i]);
		if (i != 0)
			TEST_ASSERT_SUCCESS(rte_vfio_user_unregister(id[i]),
				"unregister %d", i);
		TEST_ASSERT(access(path[i], F_OK) < 0, "socket %d left", i);
	}
	return TEST_SUCCESS;
}

/* ------------------------------------------- hostile clients (regressions) */

/* An in-memory client of a (threaded) device, negotiated like QEMU. */
static struct raw *
raw_mem_attach(int dev_id)
{
	struct vfio_user_tran *cli, *srv;
	uint8_t rep[512];
	struct raw *r;

	if (vfio_user_tran_mem_pair(&cli, &srv, 4u << 20) < 0)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		vfio_user_tran_close(cli);
		vfio_user_tran_close(srv);
		return NULL;
	}
	r->fd = -1;
	r->t = cli;
	vfio_user_rx_init(&r->rx, VFIO_USER_MAX_MSG_SIZE);
	if (vfio_user_attach(dev_id, srv) < 0 ||
			raw_version(r, good_caps, sizeof(good_caps), 0) < 0 ||
			raw_expect_ok(r, rep, sizeof(rep), NULL) < 4) {
		raw_close(r);
		return NULL;
	}
	return r;
}

/* Map one fd-less page at IOVA_NOFD and ask the device to read it: the
 * server sends DMA_READ and waits for the reply. Returns the request.
 */
static int
start_device_dma(struct raw *r, struct vfio_user_hdr *req)
{
	struct vfio_user_dma_map_msg map = {
		.argsz = sizeof(map), .flags = 3, .offset = 0,
		.addr = IOVA_NOFD, .size = 0x1000,
	};
	struct vfio_user_region_rw kick = {
		.offset = BAR0_KICK, .region = 0, .count = 4,
	};
	uint8_t buf[sizeof(kick) + 4] = { 0 }, rep[64];

	if (raw_cmd(r, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), NULL, 0,
			0) < 0 || raw_expect_ok(r, rep, sizeof(rep), NULL) < 0)
		return -1;
	kick_src = IOVA_NOFD;
	kick_dst = IOVA_NOFD + 0x100;
	kick_len = 16;
	memcpy(buf, &kick, sizeof(kick));
	if (raw_cmd(r, VFIO_USER_REGION_WRITE, 0, buf, sizeof(buf), NULL, 0,
			0) < 0)
		return -1;
	if (raw_recv(r, req, rep, sizeof(rep), NULL, 2000) < 0 ||
			req->cmd != VFIO_USER_DMA_READ)
		return -1;
	return 0;
}

/*
 * The client truncates the region fd it was given: the fd is sealed, so
 * the server's own mapping (trapped reads, register reset, data path)
 * never faults. Without the seals this test dies of SIGBUS.
 */
static int
test_region_fd_sealed(void)
{
	struct rte_vfio_user_client_region reg;
	uint8_t *srv;
	uint32_t v;
	int cid, seals;

	cid = rte_vfio_user_client_attach(sock_path);
	TEST_ASSERT(cid >= 0, "attach");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_get_region_info(cid, 0, &reg),
		"region info");
	TEST_ASSERT(reg.fd >= 0, "no region fd");
	seals = fcntl(reg.fd, F_GET_SEALS);
	TEST_ASSERT(seals >= 0 && (seals & F_SEAL_SHRINK) &&
		(seals & F_SEAL_GROW) && (seals & F_SEAL_SEAL),
		"region fd seals 0x%x", seals);
	TEST_ASSERT(ftruncate(reg.fd, 0) < 0 && errno == EPERM,
		"the client could truncate the region fd");
	TEST_ASSERT(fcntl(reg.fd, F_ADD_SEALS, F_SEAL_WRITE) < 0,
		"the client could add seals");
	/* the server still reads and writes its whole shared area */
	srv = rte_vfio_user_region_mmap_base(test_dev, 0);
	srv[BAR0_SHARED - 1] = 0x42;
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cid, 0,
		BAR0_SHARED - 4, &v, 4), "trapped read of the shared area");
	TEST_ASSERT_EQUAL(v >> 24, 0x42u, "shared area content");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_detach(cid), "detach");
	return TEST_SUCCESS;
}

/*
 * DMA fds: a sealed memfd is mapped and cannot shrink any more; files a
 * client could shrink under the server's mapping are refused.
 */
static int
test_dma_fd_sealed(void)
{
	char tmpl[] = "/tmp/vfio_user_test_dma_XXXXXX";
	int cid, mfd, tfd;

	cid = rte_vfio_user_client_attach(sock_path);
	TEST_ASSERT(cid >= 0, "attach");
	mfd = sealed_memfd("ram", MEM_SIZE);
	TEST_ASSERT(mfd >= 0, "memfd");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cid, IOVA_FD,
		MEM_SIZE, PROT_READ | PROT_WRITE, mfd, 0, NULL), "sealed map");
	TEST_ASSERT(ftruncate(mfd, 0) < 0, "sealed memfd shrank");
	TEST_ASSERT_NOT_NULL(rte_vfio_user_iova_to_va(test_dev,
		IOVA_FD + MEM_SIZE - 8, 8, PROT_READ), "translation");
	/* a plain tmpfs file cannot be sealed: refused */
	tfd = mkstemp(tmpl);
	TEST_ASSERT(tfd >= 0, "mkstemp");
	unlink(tmpl);
	TEST_ASSERT_SUCCESS(ftruncate(tfd, MEM_SIZE), "ftruncate");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_map(cid, 0x800000,
		MEM_SIZE, PROT_READ, tfd, 0, NULL), -EPERM,
		"a file the client can shrink was mapped");
	TEST_ASSERT_EQUAL(rte_vfio_user_get_mem_table(test_dev, NULL, 0), 1,
		"table");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_detach(cid), "detach");
	close(mfd);
	close(tfd);
	return TEST_SUCCESS;
}

/* A mapping that ends at 2^64 - 1, mapped and unmapped many times. */
static int
test_dma_top_of_space(void)
{
	const uint64_t size = 0x200000, iova = UINT64_MAX - size + 1;
	struct rte_vfio_user_dma_map m = { .iova = iova, .size = size };
	uint8_t tmp[16];
	int cid, mfd, i;

	/* the shared range check, at the edges */
	TEST_ASSERT(rte_vfio_user_dma_map_contains(&m, UINT64_MAX, 1), "last");
	TEST_ASSERT(rte_vfio_user_dma_map_contains(&m, iova, size), "all");
	TEST_ASSERT(!rte_vfio_user_dma_map_contains(&m, UINT64_MAX, 2),
		"past 2^64");
	TEST_ASSERT(!rte_vfio_user_dma_map_contains(&m, iova - 1, 2),
		"before");
	TEST_ASSERT(!rte_vfio_user_dma_map_contains(&m, iova, 0), "empty");
	TEST_ASSERT(!rte_vfio_user_dma_map_contains(&m, iova + 1, UINT64_MAX),
		"huge length");

	cid = rte_vfio_user_client_attach(sock_path);
	TEST_ASSERT(cid >= 0, "attach");
	mfd = sealed_memfd("top", size);
	TEST_ASSERT(mfd >= 0, "memfd");
	for (i = 0; i < 5000; i++) {
		TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cid, iova,
			size, PROT_READ | PROT_WRITE, mfd, 0, NULL),
			"map %d", i);
		if (i == 0) {
			TEST_ASSERT_SUCCESS(rte_vfio_user_dma_read(test_dev,
				UINT64_MAX - 15, tmp, 16), "read last bytes");
			TEST_ASSERT_EQUAL(rte_vfio_user_dma_read(test_dev,
				UINT64_MAX - 15, tmp, 17), -EFAULT,
				"read past 2^64");
		}
		TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cid, iova,
			size, 0), "unmap %d", i);
	}
	TEST_ASSERT_EQUAL(rte_vfio_user_get_mem_table(test_dev, NULL, 0), 0,
		"mappings left");
	TEST_ASSERT_EQUAL(ev[test_dev].dma_map, ev[test_dev].dma_unmap,
		"dma_map %d / dma_unmap %d callbacks", ev[test_dev].dma_map,
		ev[test_dev].dma_unmap);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_detach(cid), "detach");
	close(mfd);
	return TEST_SUCCESS;
}

/*
 * DMA_UNMAP of ranges other than one mapping, as QEMU sends them for a
 * vIOMMU (whole IOVA windows): kernel VFIO type1 v2 semantics. Mappings
 * A, B, C of 64 KiB with a 64 KiB hole between B and C.
 */
static int
test_dma_unmap_ranges(void)
{
	const uint64_t base = 0x10000000, sz = 0x10000;
	const uint64_t a = base, b = base + sz, c = base + 3 * sz;
	int cid, mfd;

	cid = rte_vfio_user_client_attach(sock_path);
	TEST_ASSERT(cid >= 0, "attach");
	mfd = sealed_memfd("ranges", 4 * sz);
	TEST_ASSERT(mfd >= 0, "memfd");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cid, a, sz,
		PROT_READ | PROT_WRITE, mfd, 0, NULL), "map A");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cid, b, sz,
		PROT_READ | PROT_WRITE, mfd, sz, NULL), "map B");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cid, c, sz,
		PROT_READ | PROT_WRITE, mfd, 3 * sz, NULL), "map C");

	/* the hole, and ranges around all of it: nothing to do, success */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cid, base + 2 * sz,
		sz, 0), "unmap of the hole");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cid, 0, base, 0),
		"unmap below everything");
	/* ranges that would split a mapping change nothing */
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_unmap(cid, a + 0x1000,
		sz, 0), -EINVAL, "starts inside A");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_unmap(cid, a,
		sz + 0x1000, 0), -EINVAL, "ends inside B");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_unmap(cid, b + 0x1000,
		4 * sz, 0), -EINVAL, "starts inside B, covers C");
	TEST_ASSERT_EQUAL(rte_vfio_user_get_mem_table(test_dev, NULL, 0), 3,
		"a refused unmap removed something");
	TEST_ASSERT_EQUAL(ev[test_dev].dma_unmap, 0, "dma_unmap callbacks");

	/* a window over A and B (and the hole) unmaps both, C stays */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cid, 0,
		base + 3 * sz, 0), "unmap window over A and B");
	TEST_ASSERT_EQUAL(rte_vfio_user_get_mem_table(test_dev, NULL, 0), 1,
		"A and B must be gone");
	TEST_ASSERT_EQUAL(ev[test_dev].dma_unmap, 2, "dma_unmap callbacks");
	TEST_ASSERT_NULL(rte_vfio_user_iova_to_va(test_dev, a, 1, PROT_READ),
		"A still translates");
	TEST_ASSERT_NULL(rte_vfio_user_iova_to_va(test_dev, b + sz - 1, 1,
		PROT_READ), "B still translates");
	TEST_ASSERT_NOT_NULL(rte_vfio_user_iova_to_va(test_dev, c, sz,
		PROT_READ), "C lost");
	/* a window reaching 2^64 - 1 unmaps C */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cid, c,
		UINT64_MAX - c + 1, 0), "unmap window to the top");
	TEST_ASSERT_EQUAL(rte_vfio_user_get_mem_table(test_dev, NULL, 0), 0,
		"C must be gone");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_detach(cid), "detach");
	close(mfd);
	return TEST_SUCCESS;
}

/*
 * RTE_VFIO_USER_MAX_DMA_MAPS (65535, kernel VFIO type1's default limit and
 * the spec's default max_dma_maps) mappings fit, one more is refused, and
 * every one translates; a DPDK guest gives each 2 MiB hugepage its own
 * mapping. fd-less maps sent raw: an mmap per map would meet
 * vm.max_map_count, and the client API keeps few fd-less maps.
 */
static int
test_dma_many_maps(void)
{
	const uint64_t base = 0x100000000ULL, step = 0x200000;
	struct vfio_user_dma_map_msg map = {
		.argsz = sizeof(map),
		.flags = VFIO_USER_DMA_F_READ | VFIO_USER_DMA_F_WRITE,
		.size = step,
	};
	struct vfio_user_dma_unmap_msg unmap = {
		.argsz = sizeof(unmap), .flags = VFIO_DMA_UNMAP_FLAG_ALL,
	};
	struct rte_vfio_user_dma_map m;
	uint8_t buf[64];
	struct raw *r;
	uint64_t iova;
	uint32_t i;

	r = raw_attach(sock_path);
	TEST_ASSERT(r != NULL, "attach");
	/* descending: every insertion goes in front of the others */
	for (i = RTE_VFIO_USER_MAX_DMA_MAPS; i > 0; i--) {
		map.addr = base + (uint64_t)(i - 1) * step;
		raw_cmd(r, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), NULL, 0, 0);
		TEST_ASSERT(raw_expect_ok(r, buf, sizeof(buf), NULL) == 0,
			"map %u", i - 1);
	}
	TEST_ASSERT_EQUAL(rte_vfio_user_get_mem_table(test_dev, NULL, 0),
		RTE_VFIO_USER_MAX_DMA_MAPS, "table size");
	map.addr = base - step;
	raw_cmd(r, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), NULL, 0, 0);
	TEST_ASSERT_SUCCESS(raw_expect_err(r, ENOSPC), "one map too many");
	for (i = 0; i < RTE_VFIO_USER_MAX_DMA_MAPS; i += 997) {
		iova = base + (uint64_t)i * step;
		TEST_ASSERT_SUCCESS(rte_vfio_user_dma_lookup(test_dev,
			iova + step - 8, 8, PROT_READ, &m), "lookup %u", i);
		TEST_ASSERT(m.iova == iova && m.size == step, "entry %u", i);
	}
	raw_cmd(r, VFIO_USER_DMA_UNMAP, 0, &unmap, sizeof(unmap), NULL, 0, 0);
	TEST_ASSERT_EQUAL(raw_expect_ok(r, buf, sizeof(buf), NULL),
		(int)sizeof(unmap), "unmap all");
	TEST_ASSERT_EQUAL(ev[test_dev].dma_unmap, RTE_VFIO_USER_MAX_DMA_MAPS,
		"dma_unmap callbacks");
	raw_close(r);
	return TEST_SUCCESS;
}

/*
 * VERSION capabilities are bounded: a 64 KiB object of distinct keys (20 s
 * of parsing before) is refused, 4096 bytes are the limit, nesting is at
 * most 16 deep, and a peer cannot ask for one-byte transfers.
 */
static int
test_version_bounds(void)
{
	const size_t big = 64 * 1024;
	char *json, *p;
	uint8_t rep[256];
	struct raw *fd;
	int i;

	json = malloc(big + 64);
	TEST_ASSERT_NOT_NULL(json, "alloc");
	fd = raw_connect(sock_path);
	TEST_ASSERT(fd != NULL, "connect");

	/* {"0":0,"1":0,...} of 64 KiB */
	p = json;
	p += sprintf(p, "{");
	for (i = 0; (size_t)(p - json) < big - 16; i++)
		p += sprintf(p, "%s\"%d\":0", i ? "," : "", i);
	p += sprintf(p, "}");
	TEST_ASSERT_SUCCESS(raw_version(fd, json, p - json + 1, 0), "send");
	TEST_ASSERT_SUCCESS(raw_expect_err(fd, EINVAL), "64 KiB JSON");

	/* exactly 4096 bytes with the NUL: accepted (here a last test) */
	memset(json, ' ', 4096);
	memcpy(json, "{\"capabilities\":{}}", 19);
	json[4095] = '\0';
	/* 4097: refused */
	memmove(json + 1, json, 4096);
	json[0] = ' ';
	TEST_ASSERT_SUCCESS(raw_version(fd, json, 4097, 0), "send");
	TEST_ASSERT_SUCCESS(raw_expect_err(fd, EINVAL), "4097 bytes");

	/* 17 levels of nesting: refused */
	p = json;
	p += sprintf(p, "{\"capabilities\":{\"x\":");
	for (i = 0; i < 15; i++)
		p += sprintf(p, "[");
	for (i = 0; i < 15; i++)
		p += sprintf(p, "]");
	p += sprintf(p, "}}");
	TEST_ASSERT_SUCCESS(raw_version(fd, json, p - json + 1, 0), "send");
	TEST_ASSERT_SUCCESS(raw_expect_err(fd, EINVAL), "17 levels");

	/* one-byte transfers: refused */
	p = json;
	p += sprintf(p, "{\"capabilities\":{\"max_data_xfer_size\":1}}");
	TEST_ASSERT_SUCCESS(raw_version(fd, json, p - json + 1, 0), "send");
	TEST_ASSERT_SUCCESS(raw_expect_err(fd, EINVAL), "max_data_xfer_size 1");

	/* 16 levels and 4096 bytes: accepted */
	p = json;
	p += sprintf(p, "{\"capabilities\":{\"x\":");
	for (i = 0; i < 14; i++)
		p += sprintf(p, "[");
	for (i = 0; i < 14; i++)
		p += sprintf(p, "]");
	p += sprintf(p, "}}");
	memset(p, ' ', json + 4095 - p);
	json[4095] = '\0';
	TEST_ASSERT_SUCCESS(raw_version(fd, json, 4096, 0), "send");
	TEST_ASSERT(raw_expect_ok(fd, rep, sizeof(rep), NULL) > 4,
		"16 levels in 4096 bytes refused");
	TEST_ASSERT_SUCCESS(raw_alive(fd), "connection dead");
	raw_close(fd);
	free(json);
	return TEST_SUCCESS;
}

/*
 * While the server waits for a DMA_READ reply, a client that floods
 * commands (1000 posted writes, 80 DMA_MAPs carrying 16 fds each) makes
 * the request fail once the deferral limits are reached, instead of
 * growing memory and fds without bound; every command is still served
 * afterwards, in order.
 */
static int
test_deferral_limits(void)
{
	struct vfio_user_region_rw rw = { .offset = 0x4400, .region = 0,
		.count = 4 };
	struct vfio_user_dma_map_msg map = { .argsz = sizeof(map), .flags = 3,
		.offset = 0, .addr = 0x900000, .size = 0x1000 };
	uint8_t buf[sizeof(rw) + 4], rep[64];
	struct vfio_user_stats st;
	struct vfio_user_hdr req, h;
	struct vfio_user_msg *m;
	int fds[16], mfd, i, n, errs = 0;
	struct raw *r;
	uint32_t v;

	r = raw_mem_attach(test_dev);
	TEST_ASSERT(r != NULL, "attach");
	TEST_ASSERT_SUCCESS(start_device_dma(r, &req), "device DMA");
	mfd = sealed_memfd("fds", 0x1000);
	TEST_ASSERT(mfd >= 0, "memfd");
	for (i = 0; i < 16; i++)
		fds[i] = mfd;
	for (i = 0; i < 1000; i++) {
		v = (uint32_t)i + 1;
		memcpy(buf, &rw, sizeof(rw));
		memcpy(buf + sizeof(rw), &v, 4);
		TEST_ASSERT_SUCCESS(raw_cmd(r, VFIO_USER_REGION_WRITE,
			VFIO_USER_F_NO_REPLY, buf, sizeof(buf), NULL, 0, 0),
			"posted write %d", i);
	}
	for (i = 0; i < 80; i++)
		TEST_ASSERT_SUCCESS(raw_cmd(r, VFIO_USER_DMA_MAP, 0, &map,
			sizeof(map), fds, 16, 0), "map %d", i);
	close(mfd);
	/* the kick's reply, then the 80 DMA_MAP replies (16 fds: EINVAL) */
	n = raw_recv(r, &h, rep, sizeof(rep), NULL, 8000);
	TEST_ASSERT(n >= 0 && h.cmd == VFIO_USER_REGION_WRITE &&
		!(h.flags & VFIO_USER_F_ERROR), "kick reply %d", n);
	for (i = 0; i < 80; i++) {
		n = raw_recv(r, &h, rep, sizeof(rep), NULL, 8000);
		TEST_ASSERT(n >= 0 && h.cmd == VFIO_USER_DMA_MAP, "map reply");
		errs += (h.flags & VFIO_USER_F_ERROR) && h.error == EINVAL;
	}
	TEST_ASSERT_EQUAL(errs, 80, "DMA_MAP with 16 fds");
	TEST_ASSERT_EQUAL(ev[test_dev].kick_result, -ENOBUFS,
		"request not failed by the deferral limit: %d",
		ev[test_dev].kick_result);
	TEST_ASSERT_SUCCESS(vfio_user_get_stats(test_dev, &st), "stats");
	TEST_ASSERT_EQUAL(st.xfer_aborted, 1ull, "aborted requests");
	TEST_ASSERT(st.deferred_max <= VFIO_USER_DEFERRED_MSGS,
		"%u commands held", st.deferred_max);
	/* nothing lost: every posted write reached the device, in order */
	TEST_ASSERT_EQUAL(ev[test_dev].bar_writes, 1 + 1000, "writes %d",
		ev[test_dev].bar_writes);
	memcpy(&v, bar0_regs + 0x4400, 4);
	TEST_ASSERT_EQUAL(v, 1000u, "last write");
	/* the late reply to the failed request is dropped */
	m = vfio_user_msg_new_reply(&req, EFAULT, NULL, 0);
	TEST_ASSERT_NOT_NULL(m, "reply");
	TEST_ASSERT_SUCCESS(raw_send_bytes(r, m->buf, m->size, NULL, 0),
		"late reply");
	vfio_user_msg_free(m);
	TEST_ASSERT_SUCCESS(raw_alive(r), "connection dead");
	TEST_ASSERT_SUCCESS(vfio_user_get_stats(test_dev, &st), "stats");
	TEST_ASSERT_EQUAL(st.dropped, 1ull, "late reply not dropped");
	raw_close(r);
	return TEST_SUCCESS;
}

/*
 * A request to the client has one absolute deadline: a client that keeps
 * sending commands but never replies does not keep the request alive.
 */
static int
test_request_deadline(void)
{
	struct vfio_user_limits lim = {
		.deferred_msgs = VFIO_USER_DEFERRED_MSGS,
		.deferred_bytes = VFIO_USER_DEFERRED_BYTES,
		.deferred_fds = VFIO_USER_DEFERRED_FDS,
		.xfer_timeout_ms = 300,
		.negotiate_timeout_ms = VFIO_USER_NEGOTIATE_TIMEOUT_MS,
	};
	struct vfio_user_region_rw rw = { .offset = 0x4400, .region = 0,
		.count = 4 };
	uint8_t buf[sizeof(rw) + 4] = { 0 }, rep[64];
	struct vfio_user_stats st;
	struct vfio_user_hdr req, h;
	int64_t t0, waited = -1;
	struct raw *r;
	int n;

	TEST_ASSERT_SUCCESS(vfio_user_set_limits(test_dev, &lim), "limits");
	r = raw_mem_attach(test_dev);
	TEST_ASSERT(r != NULL, "attach");
	TEST_ASSERT_SUCCESS(start_device_dma(r, &req), "device DMA");
	memcpy(buf, &rw, sizeof(rw));
	t0 = vfio_user_now_ms();
	/* a posted write every 50 ms for up to 3 s, watching for the reply */
	while (vfio_user_now_ms() - t0 < 3000) {
		TEST_ASSERT_SUCCESS(raw_cmd(r, VFIO_USER_REGION_WRITE,
			VFIO_USER_F_NO_REPLY, buf, sizeof(buf), NULL, 0, 0),
			"posted write");
		n = raw_recv(r, &h, rep, sizeof(rep), NULL, 50);
		if (n >= 0 && h.cmd == VFIO_USER_REGION_WRITE) {
			waited = vfio_user_now_ms() - t0;
			break;
		}
	}
	TEST_ASSERT(waited >= 0,
		"the request outlived its deadline while the client talked");
	printf("request failed after %" PRId64 " ms (deadline 300 ms)\n",
		waited);
	TEST_ASSERT_EQUAL(ev[test_dev].kick_result, -ETIMEDOUT, "result %d",
		ev[test_dev].kick_result);
	TEST_ASSERT_SUCCESS(vfio_user_get_stats(test_dev, &st), "stats");
	TEST_ASSERT_EQUAL(st.xfer_timeouts, 1ull, "timeouts");
	TEST_ASSERT_SUCCESS(raw_alive(r), "connection dead");
	raw_close(r);
	return TEST_SUCCESS;
}

/* Round trips of a good client on another device, in microseconds. */
static int
other_device_rtt(int cid, int n, double *max_us)
{
	uint32_t v;
	int i;

	*max_us = 0;
	for (i = 0; i < n; i++) {
		struct timespec a, b;
		double us;

		clock_gettime(CLOCK_MONOTONIC, &a);
		if (rte_vfio_user_client_region_read(cid, 7, 0, &v, 4) < 0)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		us = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
		*max_us = RTE_MAX(*max_us, us);
	}
	return 0;
}

/*
 * One device's misbehaving client never delays another device: while the
 * client of the test device leaves a DMA_READ unanswered, and then stops
 * reading its replies, a client of a second device is served.
 */
static int
test_isolation(void)
{
	struct vfio_user_region_rw rw = { .offset = 0, .region = 0,
		.count = BAR0_SIZE };
	struct rte_vfio_user_dev_desc d;
	struct vfio_user_hdr req, h;
	char path[108];
	uint8_t *rep;
	struct raw *r, *second;
	double max_us;
	int other, cid, i, n;

	fill_desc(&d);
	make_path(path, sizeof(path), "iso");
	other = serve_dev(path, &d);
	TEST_ASSERT(other >= 0, "register");
	cid = rte_vfio_user_client_attach(path);
	TEST_ASSERT(cid >= 0, "attach other");
	rep = malloc(sizeof(rw) + BAR0_SIZE);
	TEST_ASSERT_NOT_NULL(rep, "alloc");

	/* 1. a DMA_READ the client never answers (deadline 5 s) */
	r = raw_mem_attach(test_dev);
	TEST_ASSERT(r != NULL, "attach");
	TEST_ASSERT_SUCCESS(start_device_dma(r, &req), "device DMA");
	TEST_ASSERT_SUCCESS(other_device_rtt(cid, 200, &max_us), "other");
	TEST_ASSERT_EQUAL(raw_recv(r, &h, rep, 64, NULL, 0), -ETIMEDOUT,
		"the request ended before the other device was served");
	printf("other device while a DMA_READ waits: 200 round trips, max %.0f us\n",
		max_us);
	raw_close(r);
	TEST_ASSERT_SUCCESS(wait_counter(&ev[test_dev].disconnected, 1),
		"disconnect");

	/* 2. a client that sends 300 large reads and reads no reply */
	r = raw_mem_attach(test_dev);
	TEST_ASSERT(r != NULL, "attach");
	for (i = 0; i < 300; i++)
		TEST_ASSERT_SUCCESS(raw_cmd(r, VFIO_USER_REGION_READ, 0, &rw,
			sizeof(rw), NULL, 0, 0), "read %d", i);
	sleep_ms(100);
	TEST_ASSERT_SUCCESS(other_device_rtt(cid, 200, &max_us), "other");
	printf("other device while a client reads no reply: 200 round trips, max %.0f us\n",
		max_us);
	/* its own thread is not stuck in a send: a second client is
	 * turned away at once
	 */
	second = raw_connect(sock_path);
	TEST_ASSERT(second != NULL, "connect");
	TEST_ASSERT_EQUAL(raw_recv(second, &h, rep, 64, NULL, 2000),
		-ECONNRESET, "the device thread is blocked by its client");
	raw_close(second);
	/* then it reads them all: none lost */
	for (i = 0; i < 300; i++) {
		n = raw_recv(r, &h, rep, sizeof(rw) + BAR0_SIZE, NULL, 5000);
		TEST_ASSERT(n == (int)(sizeof(rw) + BAR0_SIZE) &&
			h.msg_id == (uint16_t)(raw_id - 299 + i),
			"reply %d: %d bytes, id %u", i, n, h.msg_id);
	}
	TEST_ASSERT_SUCCESS(raw_alive(r), "connection dead");
	raw_close(r);

	free(rep);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_detach(cid), "detach");
	TEST_ASSERT_SUCCESS(rte_vfio_user_unregister(other), "unregister");
	return TEST_SUCCESS;
}

/* CPU time (ms) a device's control thread has used so far, or -1. */
static int64_t
ctl_thread_cpu_ms(int dev_id)
{
	char name[32], path[300], comm[32];
	uint64_t ut, st;
	struct dirent *e;
	int64_t ms = -1;
	DIR *d;
	FILE *f;

	snprintf(name, sizeof(name), "dpdk-vfu-ctl-%d", dev_id);
	d = opendir("/proc/self/task");
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && ms < 0) {
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) == NULL)
			comm[0] = '\0';
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		if (strcmp(comm, name) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat",
			e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		/* utime and stime: fields 14 and 15, after "(comm)" */
		if (fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d "
				"%*u %*u %*u %*u %*u %" SCNu64 " %" SCNu64,
				&ut, &st) == 2)
			ms = (int64_t)((ut + st) * 1000 / sysconf(_SC_CLK_TCK));
		fclose(f);
	}
	closedir(d);
	return ms;
}

/*
 * A socket client that reads none of its replies but keeps sending: the
 * device's thread waits for the client to read instead of spinning on
 * input it cannot serve, and every reply arrives once the client reads.
 */
static int
test_slow_reader(void)
{
	struct vfio_user_region_rw rw = { .offset = 0, .region = 0,
		.count = BAR0_SIZE };
	struct vfio_user_region_rw pw = { .offset = 0x4400, .region = 0,
		.count = 4 };
	uint8_t wbuf[sizeof(pw) + 4] = { 0 }, *rep;
	struct vfio_user_hdr h;
	int64_t cpu0, cpu1;
	struct raw *r;
	int i, n;

	rep = malloc(sizeof(rw) + BAR0_SIZE);
	TEST_ASSERT_NOT_NULL(rep, "alloc");
	r = raw_attach(sock_path);
	TEST_ASSERT(r != NULL, "attach");
	/*
	 * 60 x 32 KiB of replies: far more than the socket buffers hold,
	 * while the requests (each small send costs the socket about 1 KiB)
	 * still fit.
	 */
	for (i = 0; i < 60; i++)
		TEST_ASSERT_SUCCESS(raw_cmd(r, VFIO_USER_REGION_READ, 0, &rw,
			sizeof(rw), NULL, 0, 0), "read %d", i);
	sleep_ms(100);
	cpu0 = ctl_thread_cpu_ms(test_dev);
	TEST_ASSERT(cpu0 >= 0, "control thread not found");
	memcpy(wbuf, &pw, sizeof(pw));
	for (i = 0; i < 25; i++) {
		TEST_ASSERT_SUCCESS(raw_cmd(r, VFIO_USER_REGION_WRITE,
			VFIO_USER_F_NO_REPLY, wbuf, sizeof(wbuf), NULL, 0, 0),
			"posted write");
		sleep_ms(20);
	}
	cpu1 = ctl_thread_cpu_ms(test_dev);
	printf("control thread CPU while its client read nothing for 500 ms: %" PRId64 " ms\n",
		cpu1 - cpu0);
	TEST_ASSERT(cpu1 - cpu0 < 200, "the control thread spun: %" PRId64 " ms of CPU",
		cpu1 - cpu0);
	for (i = 0; i < 60; i++) {
		n = raw_recv(r, &h, rep, sizeof(rw) + BAR0_SIZE, NULL, 5000);
		TEST_ASSERT(n == (int)(sizeof(rw) + BAR0_SIZE),
			"reply %d: %d bytes", i, n);
	}
	TEST_ASSERT_SUCCESS(raw_alive(r), "connection dead");
	TEST_ASSERT_EQUAL(ev[test_dev].bar_writes, 25, "posted writes lost");
	raw_close(r);
	free(rep);
	return TEST_SUCCESS;
}

/*
 * A client that vanished (its end closed, not yet seen by the server) is
 * reaped when the next one connects: the next one is served at once, as
 * a QEMU restarted after a kill must be.
 */
static int
test_reconnect_after_close(void)
{
	struct vfio_user_dma_map_msg map = { .argsz = sizeof(map), .flags = 3,
		.offset = 0, .addr = 0x100000, .size = 0x10000 };
	uint32_t irq[5] = { 20, VFIO_IRQ_SET_DATA_EVENTFD |
		VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1 };
	struct vfio_user_region_rw rw = { .offset = BAR0_SLOW, .region = 0,
		.count = 4 };
	uint8_t rep[64], slow[sizeof(rw) + 4] = { 0 };
	struct raw *a, *b;
	int mfd, efd, i, j, base;

	memcpy(slow, &rw, sizeof(rw));
	mfd = sealed_memfd("ram", 0x10000);
	efd = eventfd(0, EFD_CLOEXEC);
	TEST_ASSERT(mfd >= 0 && efd >= 0, "fds");
	base = count_fds();
	for (i = 0; i < 50; i++) {
		a = raw_attach(sock_path);
		TEST_ASSERT(a != NULL, "attach %d", i);
		raw_cmd(a, VFIO_USER_DMA_MAP, 0, &map, sizeof(map), &mfd, 1, 0);
		TEST_ASSERT(raw_expect_ok(a, rep, sizeof(rep), NULL) == 0, "map");
		raw_cmd(a, VFIO_USER_DEVICE_SET_IRQS, 0, irq, 20, &efd, 1, 0);
		TEST_ASSERT(raw_expect_ok(a, rep, sizeof(rep), NULL) == 0, "irq");
		/*
		 * The client is killed while the server is busy with what it
		 * sent (200 slow writes, then half a DMA_MAP): the server sees
		 * the next client before it reads the end of this one.
		 */
		for (j = 0; j < 200; j++)
			raw_cmd(a, VFIO_USER_REGION_WRITE, VFIO_USER_F_NO_REPLY,
				slow, sizeof(slow), NULL, 0, 0);
		raw_send_bytes(a, &map, 7, &mfd, 1);
		raw_close(a);
		b = raw_attach(sock_path);
		TEST_ASSERT(b != NULL, "client %d refused after a close", i);
		TEST_ASSERT_SUCCESS(raw_alive(b), "client %d not served", i);
		raw_close(b);
	}
	TEST_ASSERT_SUCCESS(wait_counter(&ev[test_dev].disconnected, 100),
		"disconnects %d", ev[test_dev].disconnected);
	TEST_ASSERT_EQUAL(rte_vfio_user_get_mem_table(test_dev, NULL, 0), 0,
		"mappings left");
	TEST_ASSERT_EQUAL(count_fds(), base, "fds: %d before, %d after", base,
		count_fds());
	close(mfd);
	close(efd);
	return TEST_SUCCESS;
}

/* A client that never negotiates does not hold the device. */
static int
test_negotiate_timeout(void)
{
	struct vfio_user_limits lim = {
		.deferred_msgs = VFIO_USER_DEFERRED_MSGS,
		.deferred_bytes = VFIO_USER_DEFERRED_BYTES,
		.deferred_fds = VFIO_USER_DEFERRED_FDS,
		.xfer_timeout_ms = VFIO_USER_XFER_TIMEOUT_MS,
		.negotiate_timeout_ms = 200,
	};
	struct vfio_user_hdr h;
	uint8_t rep[64];
	struct raw *a, *b;

	TEST_ASSERT_SUCCESS(vfio_user_set_limits(test_dev, &lim), "limits");
	a = raw_connect(sock_path);
	TEST_ASSERT(a != NULL, "connect");
	TEST_ASSERT_EQUAL(raw_recv(a, &h, rep, sizeof(rep), NULL, 3000),
		-ECONNRESET, "a silent client was not dropped");
	raw_close(a);
	b = raw_attach(sock_path);
	TEST_ASSERT(b != NULL, "next client");
	raw_close(b);
	return TEST_SUCCESS;
}

/* Peer-caused log lines are rate-limited across connections. */
static int
test_log_rate_limit(void)
{
	char *logbuf = NULL;
	size_t loglen = 0;
	FILE *f, *old = rte_log_get_stream();
	struct raw *r;
	int i, lines = 0;
	char *p;

	f = open_memstream(&logbuf, &loglen);
	TEST_ASSERT_NOT_NULL(f, "memstream");
	rte_openlog_stream(f);
	for (i = 0; i < 100; i++) {
		r = raw_attach(sock_path);
		if (r == NULL)
			break;
		raw_cmd(r, 99, 0, NULL, 0, NULL, 0, 0);
		raw_expect_err(r, ENOSYS);
		raw_close(r);
		wait_counter(&ev[test_dev].disconnected, i + 1);
	}
	rte_openlog_stream(old);
	fclose(f);
	TEST_ASSERT_EQUAL(i, 100, "attach %d", i);
	for (p = logbuf; (p = strstr(p, "unknown command")) != NULL; p++)
		lines++;
	free(logbuf);
	printf("100 clients each sent an unknown command: %d log lines\n",
		lines);
	TEST_ASSERT(lines >= 1 && lines <= (int)VFIO_USER_RL_BURST + 1,
		"%d lines", lines);
	return TEST_SUCCESS;
}

static int fd_count_before;

static int
suite_setup(void)
{
	fd_count_before = count_fds();
	return TEST_SUCCESS;
}

static int
test_fd_leak(void)
{
	int after;

	/* every device is unregistered here: the control thread is gone */
	after = count_fds();
	TEST_ASSERT_EQUAL(after, fd_count_before,
		"fd leak: %d open fds before, %d after", fd_count_before, after);
	return TEST_SUCCESS;
}

/*
 * The configuration space builder: header fields, BAR types, capability
 * chaining, MSI-X fields and write masks, and what it refuses.
 */
static int
test_pci_cfg(void)
{
	static const struct rte_vfio_user_pci_id id = {
		.vendor_id = 0x8086, .device_id = 0x1889,
		.subsys_vendor_id = 0x8086, .subsys_id = 0x0000,
		.class_code = 0x020000, .revision = 0x01, .irq_pin = 0,
	};
	static uint8_t c[CFG_SIZE], m[CFG_SIZE];
	struct rte_vfio_user_pci_cfg pc;

	TEST_ASSERT(rte_vfio_user_pci_cfg_init(&pc, c, m, 100, &id) == -EINVAL,
		"size 100 accepted");
	memset(c, 0xaa, sizeof(c));
	TEST_ASSERT_SUCCESS(rte_vfio_user_pci_cfg_init(&pc, c, m, CFG_SIZE,
		&id), "init");
	TEST_ASSERT(c[0] == 0x86 && c[1] == 0x80 && c[2] == 0x89 &&
		c[3] == 0x18, "ids");
	TEST_ASSERT(c[8] == 0x01 && c[9] == 0x00 && c[10] == 0x00 &&
		c[11] == 0x02, "revision/class %02x %02x %02x %02x",
		c[8], c[9], c[10], c[11]);
	TEST_ASSERT(c[0x0e] == 0 && c[0x34] == 0 && (c[6] & 0x10) == 0 &&
		c[0x50] == 0, "zeroed header, no capability list yet");
	TEST_ASSERT(m[4] == 0x46 && m[5] == 0x05 && m[0x0c] == 0xff &&
		m[0x3c] == 0xff && m[0x10] == 0, "header write mask");

	TEST_ASSERT_SUCCESS(rte_vfio_user_pci_cfg_bar(&pc, 0, 0x0c), "bar0");
	TEST_ASSERT(c[0x10] == 0x0c, "bar0 type %#x", c[0x10]);
	TEST_ASSERT(rte_vfio_user_pci_cfg_bar(&pc, 5,
		RTE_VFIO_USER_PCI_BAR_MEM64) == -EINVAL, "64-bit BAR5");
	TEST_ASSERT(rte_vfio_user_pci_cfg_bar(&pc, 6, 0) == -EINVAL, "BAR6");

	/* capabilities: header overlap, alignment, order, space */
	TEST_ASSERT(rte_vfio_user_pci_cfg_cap(&pc, 0x3c, 9, 4) == -EINVAL,
		"capability in the header");
	TEST_ASSERT(rte_vfio_user_pci_cfg_cap(&pc, 0x42, 9, 4) == -EINVAL,
		"unaligned capability");
	TEST_ASSERT(rte_vfio_user_pci_cfg_cap(&pc, 0x100, 9, 4) == -EINVAL,
		"capability beyond 0xff");
	TEST_ASSERT_SUCCESS(rte_vfio_user_pci_cfg_msix(&pc, 0x70, 17, 3,
		0, 3, 0x2000), "msix");
	TEST_ASSERT(c[0x34] == 0x70 && (c[6] & 0x10) && c[0x70] == 0x11 &&
		c[0x71] == 0, "msix linked");
	TEST_ASSERT(c[0x72] == 16 && c[0x73] == 0 && c[0x74] == 3 &&
		c[0x78] == 3 && c[0x79] == 0x20, "msix fields");
	TEST_ASSERT(m[0x72] == 0 && m[0x73] == 0xc0, "msix write mask");
	TEST_ASSERT(rte_vfio_user_pci_cfg_cap(&pc, 0x78, 9, 4) == -EINVAL,
		"capability inside the previous one");
	TEST_ASSERT_SUCCESS(rte_vfio_user_pci_cfg_cap(&pc, 0x7c, 0x13, 6),
		"second capability");
	TEST_ASSERT(c[0x71] == 0x7c && c[0x7c] == 0x13 && c[0x7d] == 0,
		"second capability linked");
	TEST_ASSERT(rte_vfio_user_pci_cfg_msix(&pc, 0x90, 0, 3, 0, 3, 0) ==
		-EINVAL, "msix without vectors");
	TEST_ASSERT(rte_vfio_user_pci_cfg_msix(&pc, 0x90, 4, 3, 4, 3, 0) ==
		-EINVAL, "unaligned msix table");

	/* fields and masks: sizes and bounds */
	TEST_ASSERT_SUCCESS(rte_vfio_user_pci_cfg_set(&pc, 0x80, 4,
		0x11223344), "set");
	TEST_ASSERT(c[0x80] == 0x44 && c[0x83] == 0x11, "little endian");
	TEST_ASSERT_SUCCESS(rte_vfio_user_pci_cfg_wmask(&pc, 0x80, 1, 0x01),
		"wmask");
	TEST_ASSERT(m[0x80] == 0x01, "wmask set");
	TEST_ASSERT(rte_vfio_user_pci_cfg_set(&pc, CFG_SIZE - 2, 4, 0) ==
		-EINVAL, "set past the end");
	TEST_ASSERT(rte_vfio_user_pci_cfg_set(&pc, 0x80, 3, 0) == -EINVAL,
		"3-byte field");
	return TEST_SUCCESS;
}

static struct unit_test_suite vfio_user_suite = {
	.suite_name = "vfio-user library",
	.setup = suite_setup,
	.unit_test_cases = {
		TEST_CASE(test_socket_rules),
		TEST_CASE(test_pci_cfg),
		TEST_CASE_ST(setup_dev, teardown_dev, test_info_and_regions),
		TEST_CASE_ST(setup_dev, teardown_dev, test_dma),
		TEST_CASE_ST(setup_dev, teardown_dev, test_irqs),
		TEST_CASE_ST(setup_dev, teardown_dev, test_bad_version),
		TEST_CASE_ST(setup_dev, teardown_dev, test_bad_commands),
		TEST_CASE_ST(setup_dev, teardown_dev, test_framing),
		TEST_CASE(test_multi_devices),
		TEST_CASE_ST(setup_dev, teardown_dev, test_region_fd_sealed),
		TEST_CASE_ST(setup_dev, teardown_dev, test_dma_fd_sealed),
		TEST_CASE_ST(setup_dev, teardown_dev, test_dma_top_of_space),
		TEST_CASE_ST(setup_dev, teardown_dev, test_dma_unmap_ranges),
		TEST_CASE_ST(setup_dev, teardown_dev, test_dma_many_maps),
		TEST_CASE_ST(setup_dev, teardown_dev, test_version_bounds),
		TEST_CASE_ST(setup_dev, teardown_dev, test_deferral_limits),
		TEST_CASE_ST(setup_dev, teardown_dev, test_request_deadline),
		TEST_CASE_ST(setup_dev, teardown_dev, test_isolation),
		TEST_CASE_ST(setup_dev, teardown_dev, test_slow_reader),
		TEST_CASE_ST(setup_dev, teardown_dev,
			test_reconnect_after_close),
		TEST_CASE_ST(setup_dev, teardown_dev, test_negotiate_timeout),
		TEST_CASE_ST(setup_dev, teardown_dev, test_log_rate_limit),
		TEST_CASE(test_fd_leak),
		TEST_CASES_END()
	}
};

static int
test_vfio_user(void)
{
	return unit_test_suite_runner(&vfio_user_suite);
}

/* REGION_READ round trip through the library, median of many. */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000ull + b->tv_nsec -
		a->tv_nsec;
}

/* Sort and print median, p99 and max of n samples in ns. */
static void
print_latency(const char *what, uint64_t *ns, int n)
{
	qsort(ns, n, sizeof(*ns), cmp_u64);
	printf("%s: median %.1f us, p99 %.1f us, max %.1f us, n %d\n", what,
		ns[n / 2] / 1000.0, ns[(int64_t)n * 99 / 100] / 1000.0,
		ns[n - 1] / 1000.0, n);
}

/* 4-byte REGION_READ round trips until n samples or stop_ms. */
static int
sample_rtt(int cid, uint32_t region, uint64_t off, uint64_t *ns, int n,
		int64_t stop_ms)
{
	struct timespec t0, t1;
	uint32_t v;
	int i;

	for (i = 0; i < n && vfio_user_now_ms() < stop_ms; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (rte_vfio_user_client_region_read(cid, region, off, &v,
				4) < 0)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns[i] = elapsed_ns(&t0, &t1);
	}
	return i;
}

/* Ways a client of device A misbehaves while device B is measured. */
enum misbehaviour {
	MB_SILENT_DMA,	/* leaves every DMA_READ unanswered */
	MB_NO_READ,	/* sends large reads and reads no reply */
	MB_FLOOD,	/* floods posted writes while a DMA_READ waits */
	MB_JSON,	/* 64 KiB VERSION capabilities, again and again */
	MB_CHURN,	/* connects, maps memory, vanishes, again and again */
	MB_MAX,
};

static const char *const mb_names[MB_MAX] = {
	[MB_SILENT_DMA] = "a client never answers DMA_READ",
	[MB_NO_READ] = "a client reads no reply (300 x 32 KiB queued)",
	[MB_FLOOD] = "a client floods posted writes during a DMA_READ",
	[MB_JSON] = "a client sends 64 KiB VERSION capabilities in a loop",
	[MB_CHURN] = "a client connects, maps and vanishes in a loop",
};

struct mb_ctx {
	enum misbehaviour mode;
	volatile bool stop;
	uint64_t rounds;
};

static uint32_t
misbehave(void *arg)
{
	struct mb_ctx *c = arg;
	struct vfio_user_region_rw rw = { .offset = 0, .region = 0,
		.count = BAR0_SIZE };
	struct vfio_user_dma_map_msg map = { .argsz = sizeof(map), .flags = 3,
		.offset = 0, .addr = 0x100000, .size = 0x10000 };
	uint8_t wbuf[sizeof(rw) + 4] = { 0 }, rep[64];
	struct vfio_user_hdr req;
	char *json = NULL;
	struct raw *r = NULL;
	int i, mfd = sealed_memfd("mb", 0x10000);

	switch (c->mode) {
	case MB_SILENT_DMA:
	case MB_FLOOD:
		r = raw_mem_attach(test_dev);
		if (r == NULL || start_device_dma(r, &req) < 0)
			break;
		rw.offset = 0x4400;
		rw.count = 4;
		memcpy(wbuf, &rw, sizeof(rw));
		while (!c->stop) {
			if (c->mode == MB_FLOOD)
				raw_cmd(r, VFIO_USER_REGION_WRITE,
					VFIO_USER_F_NO_REPLY, wbuf,
					sizeof(wbuf), NULL, 0, 0);
			else
				sleep_ms(1);
			c->rounds++;
		}
		break;
	case MB_NO_READ:
		r = raw_mem_attach(test_dev);
		for (i = 0; r != NULL && i < 300; i++)
			raw_cmd(r, VFIO_USER_REGION_READ, 0, &rw, sizeof(rw),
				NULL, 0, 0);
		while (!c->stop)
			sleep_ms(1);
		break;
	case MB_JSON:
		json = malloc(64 * 1024);
		if (json == NULL)
			break;
		memset(json, ' ', 64 * 1024);
		json[0] = '{';
		json[64 * 1024 - 2] = '}';
		json[64 * 1024 - 1] = '\0';
		while (!c->stop) {
			r = raw_connect(sock_path);
			if (r == NULL)
				continue;
			raw_version(r, json, 64 * 1024, 0);
			raw_expect_err(r, EINVAL);
			raw_close(r);
			r = NULL;
			c->rounds++;
		}
		break;
	case MB_CHURN:
		while (!c->stop) {
			r = raw_attach(sock_path);
			if (r == NULL)
				continue;
			raw_cmd(r, VFIO_USER_DMA_MAP, 0, &map, sizeof(map),
				&mfd, 1, 0);
			raw_expect_ok(r, rep, sizeof(rep), NULL);
			raw_close(r);
			r = NULL;
			c->rounds++;
		}
		break;
	default:
		break;
	}
	raw_close(r);
	free(json);
	close(mfd);
	return 0;
}

/* A thread that keeps the process's mmap lock busy, as an application
 * populating or locking its memory does (testpmd's mlockall).
 */
static uint32_t
populate_loop(void *arg)
{
	volatile bool *stop = arg;

	while (!*stop) {
		void *p = mmap(NULL, 256u << 20, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		if (p != MAP_FAILED)
			munmap(p, 256u << 20);
	}
	return 0;
}

/* Time from connect to the VERSION reply of freshly registered devices. */
static int
version_latency(const char *what, bool contended)
{
	enum { N = 20 };
	struct rte_vfio_user_dev_desc d;
	struct timespec t0, t1;
	volatile bool stop = false;
	uint64_t ns[N];
	rte_thread_t th;
	char path[108];
	int i, id, cid;

	fill_desc(&d);
	make_path(path, sizeof(path), "ver");
	if (contended && rte_thread_create(&th, NULL, populate_loop,
			(void *)(uintptr_t)&stop) != 0)
		return -1;
	for (i = 0; i < N; i++) {
		id = serve_dev(path, &d);
		if (id < 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		cid = rte_vfio_user_client_attach(path);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns[i] = elapsed_ns(&t0, &t1);
		if (cid >= 0)
			rte_vfio_user_client_detach(cid);
		rte_vfio_user_unregister(id);
		if (cid < 0)
			break;
	}
	if (contended) {
		stop = true;
		rte_thread_join(th, NULL);
	}
	if (i < N)
		return -1;
	print_latency(what, ns, N);
	return 0;
}

/*
 * Control-plane figures: REGION_READ round trip; VERSION latency of a
 * fresh device (idle, and while another thread holds the mmap lock);
 * another device's round trips while one client misbehaves in each way.
 */
static int
test_vfio_user_perf(void)
{
	enum { N = 20000 };
	struct rte_vfio_user_dev_desc d;
	struct mb_ctx mb;
	rte_thread_t th;
	char path[108], what[160];
	uint64_t *ns;
	int cid = -1, other = -1, ocid = -1, i, n, r = TEST_FAILED;

	if (setup_dev() < 0)
		return TEST_FAILED;
	ns = malloc(sizeof(*ns) * N);
	cid = rte_vfio_user_client_attach(sock_path);
	if (ns == NULL || cid < 0)
		goto out;
	n = sample_rtt(cid, 0, 0x4100, ns, N, INT64_MAX);
	if (n != N)
		goto out;
	print_latency("vfio-user REGION_READ (4 B, trapped) round trip", ns,
		N);
	rte_vfio_user_client_detach(cid);
	cid = -1;

	if (version_latency("VERSION answered after connect, idle",
			false) < 0 ||
	    version_latency("VERSION answered after connect, mmap lock busy",
			true) < 0)
		goto out;

	fill_desc(&d);
	make_path(path, sizeof(path), "other");
	other = serve_dev(path, &d);
	ocid = other >= 0 ? rte_vfio_user_client_attach(path) : -1;
	if (ocid < 0)
		goto out;
	for (i = 0; i < MB_MAX; i++) {
		memset(&mb, 0, sizeof(mb));
		mb.mode = i;
		if (rte_thread_create(&th, NULL, misbehave, &mb) != 0)
			goto out;
		sleep_ms(100);
		n = sample_rtt(ocid, VFIO_PCI_CONFIG_REGION_INDEX, 0, ns, N,
			vfio_user_now_ms() + 1000);
		mb.stop = true;
		rte_thread_join(th, NULL);
		if (n <= 0)
			goto out;
		snprintf(what, sizeof(what), "other device while %s",
			mb_names[i]);
		print_latency(what, ns, n);
		/* the misbehaving client is gone: the next one starts clean */
		sleep_ms(50);
	}
	r = TEST_SUCCESS;
out:
	if (cid >= 0)
		rte_vfio_user_client_detach(cid);
	if (ocid >= 0)
		rte_vfio_user_client_detach(ocid);
	if (other >= 0)
		rte_vfio_user_unregister(other);
	free(ns);
	teardown_dev();
	return r;
}

/* ------------------------------------------------- peer-test device (serve) */

/*
 * vfio_user_serve_autotest serves a generic PCI device on
 * $VFIO_USER_TEST_SOCK to $VFIO_USER_TEST_CLIENTS (default 1) clients in
 * turn, e.g. QEMU vfio-user-pci started twice, and prints what each client
 * did as "SERVE: " lines once the last one has disconnected. The checks are
 * made by the caller (devtools/vm/tests/vfio-user-qemu.sh): the command only
 * fails on a bad setting, a client that did not come within PEER_WAIT_S, or
 * a broken lock_dp contract. Skipped without $VFIO_USER_TEST_SOCK.
 *
 * The device: IDs that no Linux driver claims, so that a guest leaves it
 * alone and accesses it only through sysfs / devmem.
 *   BAR0 (8 KiB, 32-bit memory): page 0 trapped registers, page 1 shared
 *        (sparse mmap area).
 *   BAR2 (4 KiB, 32-bit memory): MSI-X table at 0, PBA at 0x800.
 *   config: one capability, MSI-X, at 0x40.
 */
#define PEER_VENDOR		0x1b36	/* Red Hat, Inc. */
#define PEER_DEVICE		0x0005	/* QEMU PCI test device */
#define PEER_CLASS		0xff0000u	/* unassigned class */
#define PEER_REVISION		0x01
#define PEER_BAR0_SIZE		0x2000u
#define PEER_SHARED_OFF		0x1000u
#define PEER_SHARED_SIZE	0x1000u
#define PEER_BAR2_SIZE		0x1000u
#define PEER_MSIX_CAP		0x40u
#define PEER_MSIX_VECTORS	3u
#define PEER_MSIX_BAR		2u
#define PEER_MSIX_TABLE		0x000u
#define PEER_MSIX_PBA		0x800u

/* BAR0 registers (32 bits; other offsets of page 0 read 0, ignore writes) */
#define PEER_REG_MAGIC		0x00	/* RO: PEER_MAGIC */
#define PEER_REG_SCRATCH	0x04	/* RW: reads back what was written */
#define PEER_REG_COUNTER	0x08	/* RO: 1, 2, 3... one more per read */
#define PEER_REG_END		0x0c
#define PEER_MAGIC		0x56465531u	/* "VFU1" */

#define PEER_MAX_CLIENTS	16
#define PEER_LOG_MAX		256
#define PEER_WAIT_S		600	/* per client */

/* What one client did. */
struct peer_client {
	int dma_map;
	int dma_map_fd;		/* mappings the server could mmap */
	uint64_t dma_bytes;
	int dma_unmap;
	int set_irqs[RTE_VFIO_USER_NUM_IRQS];
	int reset_device;
	int reset_lost;
	int config_write;
	int bar_reads[RTE_VFIO_USER_NUM_REGIONS];
	int bar_writes[RTE_VFIO_USER_NUM_REGIONS];
	int disconnected;
};

/* One trapped BAR access. */
struct peer_access {
	int client;
	uint32_t bar;
	uint64_t off;
	uint32_t len;
	uint64_t val;	/* first 8 bytes, little endian */
	bool write;
};

static struct {
	int connected;		/* clients so far; the current one's number */
	RTE_ATOMIC(int) disconnected;
	int lock_depth;
	int lock_errors;	/* unbalanced lock_dp calls */
	int unlocked_notify;	/* notifications outside lock_dp */
	uint32_t scratch;
	uint32_t counter;
	struct peer_client client[PEER_MAX_CLIENTS + 1];	/* 1-based */
	struct peer_access log[PEER_LOG_MAX];
	int nb_log;
	int log_dropped;
} peer;

static struct peer_client *
peer_cur(void)
{
	return &peer.client[RTE_MIN(peer.connected, PEER_MAX_CLIENTS)];
}

static void
peer_note(int *counter)
{
	(*counter)++;
	if (peer.lock_depth != 1)
		peer.unlocked_notify++;
}

static void
peer_connected(int dev_id __rte_unused)
{
	peer.connected++;
	printf("SERVE: client %d connected\n", peer.connected);
	fflush(stdout);
}

static void
peer_disconnected(int dev_id __rte_unused)
{
	peer_cur()->disconnected++;
	printf("SERVE: client %d disconnected\n", peer.connected);
	fflush(stdout);
	/* last: the main thread reads everything once it sees the count */
	rte_atomic_fetch_add_explicit(&peer.disconnected, 1, rte_memory_order_release);
}

static int
peer_reset(int dev_id __rte_unused, enum rte_vfio_user_reset_reason reason)
{
	if (reason == RTE_VFIO_USER_RESET_DEVICE)
		peer_note(&peer_cur()->reset_device);
	else
		peer_note(&peer_cur()->reset_lost);
	/* the registers go back to their power-on values */
	peer.scratch = 0;
	peer.counter = 0;
	return 0;
}

static void
peer_lock_dp(int dev_id __rte_unused, bool lock)
{
	peer.lock_depth += lock ? 1 : -1;
	if (peer.lock_depth < 0 || peer.lock_depth > 1)
		peer.lock_errors++;
}

static void
peer_dma_map(int dev_id __rte_unused, const struct rte_vfio_user_dma_map *map)
{
	struct peer_client *c = peer_cur();

	peer_note(&c->dma_map);
	if (map->va != NULL)
		c->dma_map_fd++;
	c->dma_bytes += map->size;
}

static void
peer_dma_unmap(int dev_id __rte_unused,
		const struct rte_vfio_user_dma_map *map __rte_unused)
{
	peer_note(&peer_cur()->dma_unmap);
}

static void
peer_irq_update(int dev_id, uint32_t index, uint32_t start, uint32_t count)
{
	uint32_t v, fds = 0;
	bool has_fd;

	if (index < RTE_VFIO_USER_NUM_IRQS)
		peer_note(&peer_cur()->set_irqs[index]);
	for (v = start; v < start + count; v++)
		if (rte_vfio_user_irq_get_state(dev_id, index, v, &has_fd,
				NULL) == 0 && has_fd)
			fds++;
	printf("SERVE: client %d set_irqs index=%u start=%u count=%u fds=%u\n",
		peer.connected, index, start, count, fds);
	fflush(stdout);
}

static void
peer_config_write(int dev_id __rte_unused, uint32_t offset __rte_unused,
		uint32_t count __rte_unused)
{
	peer_cur()->config_write++;
}

static void
peer_log(uint32_t bar, uint64_t off, const void *buf, uint32_t len,
		bool write)
{
	struct peer_access *a;

	if (peer.nb_log == PEER_LOG_MAX) {
		peer.log_dropped++;
		return;
	}
	a = &peer.log[peer.nb_log++];
	a->client = peer.connected;
	a->bar = bar;
	a->off = off;
	a->len = len;
	a->val = 0;
	memcpy(&a->val, buf, RTE_MIN(len, (uint32_t)sizeof(a->val)));
	a->write = write;
}

/* Trapped BAR0 page 0 and BAR2; the shared page never comes here. */
static int
peer_bar_access(int dev_id __rte_unused, uint32_t index, uint64_t offset,
		void *buf, uint32_t count, bool is_write)
{
	struct peer_client *c = peer_cur();
	uint8_t regs[PEER_REG_END];
	uint64_t i;

	if (index >= RTE_VFIO_USER_NUM_REGIONS)
		return -EINVAL;
	if (index != 0) {
		/* BAR2: MSI-X table and PBA are emulated by the client */
		if (is_write)
			c->bar_writes[index]++;
		else {
			c->bar_reads[index]++;
			memset(buf, 0, count);
		}
		peer_log(index, offset, buf, count, is_write);
		return 0;
	}
	if (is_write) {
		c->bar_writes[0]++;
		for (i = 0; i < count; i++) {
			uint64_t o = offset + i;
			uint32_t shift;

			if (o < PEER_REG_SCRATCH || o >= PEER_REG_SCRATCH + 4)
				continue;
			shift = 8 * (o - PEER_REG_SCRATCH);
			peer.scratch = (peer.scratch & ~(0xffu << shift)) |
				((uint32_t)((uint8_t *)buf)[i] << shift);
		}
	} else {
		c->bar_reads[0]++;
		if (offset < PEER_REG_COUNTER + 4 &&
				offset + count > PEER_REG_COUNTER)
			peer.counter++;
		memcpy(regs + PEER_REG_MAGIC, &(uint32_t){ PEER_MAGIC }, 4);
		memcpy(regs + PEER_REG_SCRATCH, &peer.scratch, 4);
		memcpy(regs + PEER_REG_COUNTER, &peer.counter, 4);
		for (i = 0; i < count; i++)
			((uint8_t *)buf)[i] = offset + i < PEER_REG_END ?
				regs[offset + i] : 0;
	}
	peer_log(0, offset, buf, count, is_write);
	return 0;
}

static const struct rte_vfio_user_dev_ops peer_ops = {
	.connected = peer_connected,
	.disconnected = peer_disconnected,
	.reset = peer_reset,
	.lock_dp = peer_lock_dp,
	.dma_map = peer_dma_map,
	.dma_unmap = peer_dma_unmap,
	.irq_update = peer_irq_update,
	.config_write = peer_config_write,
};

static int
peer_fill_desc(struct rte_vfio_user_dev_desc *d, uint8_t *cfg, uint8_t *wmask)
{
	static const struct rte_vfio_user_pci_id id = {
		.vendor_id = PEER_VENDOR,
		.device_id = PEER_DEVICE,
		.subsys_vendor_id = PEER_VENDOR,
		.subsys_id = PEER_DEVICE,
		.class_code = PEER_CLASS,
		.revision = PEER_REVISION,
		.irq_pin = 1,	/* INTA# */
	};
	struct rte_vfio_user_pci_cfg pc;
	struct rte_vfio_user_region *bar0 = &d->regions[0];
	struct rte_vfio_user_region *bar2 = &d->regions[PEER_MSIX_BAR];

	memset(d, 0, sizeof(*d));
	d->flags = RTE_VFIO_USER_DEV_RESET;
	bar0->size = PEER_BAR0_SIZE;
	bar0->flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	bar0->access = peer_bar_access;
	bar0->nb_mmap_areas = 1;
	bar0->mmap_areas[0].offset = PEER_SHARED_OFF;
	bar0->mmap_areas[0].size = PEER_SHARED_SIZE;
	bar2->size = PEER_BAR2_SIZE;
	bar2->flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	bar2->access = peer_bar_access;

	d->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 1;
	d->irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = PEER_MSIX_VECTORS;
	d->irq_count[VFIO_PCI_ERR_IRQ_INDEX] = 1;
	d->irq_count[VFIO_PCI_REQ_IRQ_INDEX] = 1;
	d->irq_flags[VFIO_PCI_INTX_IRQ_INDEX] = VFIO_IRQ_INFO_EVENTFD;
	d->irq_flags[VFIO_PCI_MSIX_IRQ_INDEX] = VFIO_IRQ_INFO_EVENTFD |
		VFIO_IRQ_INFO_NORESIZE;
	d->irq_flags[VFIO_PCI_ERR_IRQ_INDEX] = VFIO_IRQ_INFO_EVENTFD;
	d->irq_flags[VFIO_PCI_REQ_IRQ_INDEX] = VFIO_IRQ_INFO_EVENTFD;

	/* type 0 header; BARs 0 and 2: 32-bit non-prefetchable memory (0);
	 * MSI-X: the table and the PBA in BAR2
	 */
	if (rte_vfio_user_pci_cfg_init(&pc, cfg, wmask, CFG_SIZE, &id) != 0 ||
	    rte_vfio_user_pci_cfg_msix(&pc, PEER_MSIX_CAP, PEER_MSIX_VECTORS,
				       PEER_MSIX_BAR, PEER_MSIX_TABLE,
				       PEER_MSIX_BAR, PEER_MSIX_PBA) != 0)
		return -EINVAL;

	d->config = cfg;
	d->config_wmask = wmask;
	d->config_size = CFG_SIZE;
	d->ops = &peer_ops;
	return 0;
}

static void
peer_print_summary(int id)
{
	const uint8_t *shared;
	uint32_t word[2] = { 0, 0 };
	int i, n;

	printf("SERVE: connected %d\n", peer.connected);
	printf("SERVE: disconnected %d\n", peer.disconnected);
	for (n = 1; n <= RTE_MIN(peer.connected, PEER_MAX_CLIENTS); n++) {
		const struct peer_client *c = &peer.client[n];

		printf("SERVE: client %d dma_map %d dma_map_fd %d dma_bytes %" PRIu64
			" dma_unmap %d\n", n, c->dma_map, c->dma_map_fd,
			c->dma_bytes, c->dma_unmap);
		printf("SERVE: client %d set_irqs intx %d msi %d msix %d err %d req %d\n",
			n, c->set_irqs[VFIO_PCI_INTX_IRQ_INDEX],
			c->set_irqs[VFIO_PCI_MSI_IRQ_INDEX],
			c->set_irqs[VFIO_PCI_MSIX_IRQ_INDEX],
			c->set_irqs[VFIO_PCI_ERR_IRQ_INDEX],
			c->set_irqs[VFIO_PCI_REQ_IRQ_INDEX]);
		printf("SERVE: client %d reset_device %d reset_lost_conn %d "
			"config_writes %d\n", n, c->reset_device, c->reset_lost,
			c->config_write);
		printf("SERVE: client %d bar0 reads %d writes %d bar2 reads %d "
			"writes %d\n", n, c->bar_reads[0], c->bar_writes[0],
			c->bar_reads[PEER_MSIX_BAR], c->bar_writes[PEER_MSIX_BAR]);
	}
	for (i = 0; i < peer.nb_log; i++) {
		const struct peer_access *a = &peer.log[i];

		printf("SERVE: bar%u %s client=%d off=0x%" PRIx64 " len=%u val=0x%"
			PRIx64 "\n", a->bar, a->write ? "write" : "read",
			a->client, a->off, a->len, a->val);
	}
	printf("SERVE: access log dropped %d\n", peer.log_dropped);
	/* the server's own mapping of the shared page */
	shared = rte_vfio_user_region_mmap_base(id, 0);
	if (shared != NULL)
		memcpy(word, shared + PEER_SHARED_OFF, sizeof(word));
	printf("SERVE: mmap page %s word0=0x%08x word1=0x%08x\n",
		shared != NULL ? "mapped" : "missing", word[0], word[1]);
	printf("SERVE: lock_dp depth %d errors %d unlocked notifications %d\n",
		peer.lock_depth, peer.lock_errors, peer.unlocked_notify);
	fflush(stdout);
}

static int
test_vfio_user_serve(void)
{
	const char *path = getenv("VFIO_USER_TEST_SOCK");
	const char *nb = getenv("VFIO_USER_TEST_CLIENTS");
	static uint8_t cfg[CFG_SIZE], wmask[CFG_SIZE];
	struct rte_vfio_user_dev_desc d;
	int clients = 1, id, i, n;
	char *end;

	if (path == NULL)
		return TEST_SKIPPED;
	if (nb != NULL) {
		long v;

		errno = 0;
		v = strtol(nb, &end, 0);
		if (errno != 0 || end == nb || *end != '\0' || v < 1 ||
				v > PEER_MAX_CLIENTS) {
			printf("VFIO_USER_TEST_CLIENTS must be 1..%d\n",
				PEER_MAX_CLIENTS);
			return TEST_FAILED;
		}
		clients = (int)v;
	}
	memset(&peer, 0, sizeof(peer));
	if (peer_fill_desc(&d, cfg, wmask) != 0) {
		printf("cannot build the configuration space\n");
		return TEST_FAILED;
	}
	id = serve_dev(path, &d);
	if (id < 0) {
		printf("cannot serve on %s: %s\n", path, strerror(-id));
		return TEST_FAILED;
	}
	printf("SERVE: listening %s clients %d\n", path, clients);
	fflush(stdout);
	for (n = 1; n <= clients; n++) {
		for (i = 0; i < PEER_WAIT_S * 10; i++) {
			if (rte_atomic_load_explicit(&peer.disconnected,
					rte_memory_order_acquire) >= n)
				break;
			sleep_ms(100);
		}
		if (i == PEER_WAIT_S * 10) {
			printf("SERVE: timeout waiting for client %d\n", n);
			break;
		}
	}
	/* every client is gone: the control thread touches nothing now */
	peer_print_summary(id);
	rte_vfio_user_unregister(id);
	if (peer.disconnected < clients)
		return TEST_FAILED;
	if (peer.lock_depth != 0 || peer.lock_errors != 0 ||
			peer.unlocked_notify != 0) {
		printf("SERVE: lock_dp contract broken\n");
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

REGISTER_FAST_TEST(vfio_user_autotest, true, true, test_vfio_user);
REGISTER_STRESS_TEST(vfio_user_serve_autotest, test_vfio_user_serve);
REGISTER_PERF_TEST(vfio_user_perf_autotest, test_vfio_user_perf);
