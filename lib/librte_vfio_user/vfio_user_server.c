/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/*
 * Server: device registry, the control thread (one epoll loop for every
 * device), connection life cycle and command dispatch.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "vfio_user_dev.h"

RTE_LOG_REGISTER_DEFAULT(vfio_user_logtype, INFO);

/* epoll user data: device id << 2 | kind */
#define EV_LISTEN	0u
#define EV_CONN		1u
#define EV_CMD		UINT64_MAX

enum ctl_cmd_op {
	CTL_CMD_NONE,
	CTL_CMD_REMOVE,
	CTL_CMD_QUIT,
};

static struct vfio_user_dev *devs[RTE_VFIO_USER_MAX_DEVICES];
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;

static int ep_fd = -1;
static int cmd_fd = -1;
static pthread_t ctl_tid;
static bool ctl_running;

static pthread_mutex_t cmd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cmd_cond = PTHREAD_COND_INITIALIZER;
static struct {
	enum ctl_cmd_op op;
	int dev_id;
	bool done;
} ctl_cmd;

struct vfio_user_dev *
vfio_user_dev_get(int dev_id)
{
	if (dev_id < 0 || dev_id >= RTE_VFIO_USER_MAX_DEVICES)
		return NULL;
	return __atomic_load_n(&devs[dev_id], __ATOMIC_ACQUIRE);
}

bool
vfio_user_on_ctl_thread(void)
{
	return __atomic_load_n(&ctl_running, __ATOMIC_ACQUIRE) &&
		pthread_equal(pthread_self(), ctl_tid);
}

void
vfio_user_lock_dp(struct vfio_user_dev *dev, bool lock)
{
	if (dev->ops.lock_dp != NULL)
		dev->ops.lock_dp(dev->id, lock);
}

void *
rte_vfio_user_get_priv(int dev_id)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);

	return dev != NULL ? dev->desc.priv : NULL;
}

/* ------------------------------------------------------------ connection */

static void
conn_close(struct vfio_user_dev *dev)
{
	struct vfio_user_msg *m;

	if (dev->conn_fd < 0)
		return;
	epoll_ctl(ep_fd, EPOLL_CTL_DEL, dev->conn_fd, NULL);
	close(dev->conn_fd);
	dev->conn_fd = -1;
	dev->conn_broken = false;
	vfio_user_rx_reset(&dev->rx);
	while ((m = TAILQ_FIRST(&dev->deferred)) != NULL) {
		TAILQ_REMOVE(&dev->deferred, m, next);
		vfio_user_msg_free(m);
	}
	if (!dev->negotiated)
		return;
	/* client gone: release everything it gave us */
	dev->negotiated = false;
	vfio_user_lock_dp(dev, true);
	if (dev->ops.reset != NULL)
		dev->ops.reset(dev->id, RTE_VFIO_USER_RESET_LOST_CONN);
	vfio_user_dma_unmap_all(dev);
	vfio_user_irq_close_all(dev);
	vfio_user_lock_dp(dev, false);
	if (dev->ops.disconnected != NULL)
		dev->ops.disconnected(dev->id);
	VFIO_USER_LOG(INFO, "%s: client disconnected", dev->path);
}

static void
handle_accept(struct vfio_user_dev *dev)
{
	struct epoll_event ev;
	int fd;

	fd = accept4(dev->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (dev->conn_fd >= 0) {
		/* one client per device */
		VFIO_USER_DEV_LOG_ONCE(dev, VFIO_USER_LOG_BUSY, WARNING,
			"refusing a second client");
		close(fd);
		return;
	}
	dev->conn_fd = fd;
	dev->negotiated = false;
	dev->conn_broken = false;
	dev->logged = 0;
	dev->next_msg_id = 0;
	vfio_user_caps_default(&dev->client_caps);
	vfio_user_rx_init(&dev->rx);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = ((uint64_t)dev->id << 2) | EV_CONN;
	if (epoll_ctl(ep_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		VFIO_USER_LOG(ERR, "%s: epoll add failed", dev->path);
		close(fd);
		dev->conn_fd = -1;
		return;
	}
	VFIO_USER_LOG(INFO, "%s: client connected", dev->path);
}

static int
send_msg(struct vfio_user_dev *dev, const struct vfio_user_hdr *req,
		uint32_t flags, uint32_t err, const void *payload,
		uint32_t len, int fd)
{
	struct vfio_user_hdr *h;
	uint8_t *buf;
	int r;

	buf = malloc(VFIO_USER_HDR_SZ + len);
	if (buf == NULL)
		return -ENOMEM;
	h = (struct vfio_user_hdr *)buf;
	h->msg_id = req->msg_id;
	h->cmd = req->cmd;
	h->size = VFIO_USER_HDR_SZ + len;
	h->flags = flags;
	h->error = err;
	if (len > 0)
		memcpy(buf + VFIO_USER_HDR_SZ, payload, len);
	r = vfio_user_sock_send(dev->conn_fd, buf, h->size, &fd, fd >= 0,
		VFIO_USER_TIMEOUT_MS);
	free(buf);
	if (r < 0) {
		VFIO_USER_LOG(ERR, "%s: send failed: %s", dev->path,
			strerror(-r));
		dev->conn_broken = true;
	}
	return r;
}

/*
 * Server -> client DMA_READ / DMA_WRITE of one chunk (control thread).
 * The reply is read inline; client requests arriving meanwhile are
 * deferred and served after the current one.
 */
int
vfio_user_server_dma_xfer(struct vfio_user_dev *dev, bool write,
		uint64_t iova, void *buf, uint32_t count)
{
	struct vfio_user_dma_rw *rw;
	struct vfio_user_hdr h;
	uint32_t plen;
	uint8_t *msg;
	int r;

	if (dev->conn_fd < 0 || dev->conn_broken)
		return -ENOTCONN;
	/* QEMU layout: data at payload offset 12, 4 pad bytes at the end */
	plen = VFIO_USER_DMA_RW_HDR + (write ? count : 0) +
		VFIO_USER_DMA_RW_PAD;
	msg = calloc(1, VFIO_USER_HDR_SZ + plen);
	if (msg == NULL)
		return -ENOMEM;
	memset(&h, 0, sizeof(h));
	h.msg_id = dev->next_msg_id++;
	h.cmd = write ? VFIO_USER_DMA_WRITE : VFIO_USER_DMA_READ;
	h.size = VFIO_USER_HDR_SZ + plen;
	h.flags = VFIO_USER_F_TYPE_CMD;
	memcpy(msg, &h, sizeof(h));
	rw = (struct vfio_user_dma_rw *)(msg + VFIO_USER_HDR_SZ);
	rw->addr = iova;
	rw->count = count;
	if (write)
		memcpy(rw->data, buf, count);
	r = vfio_user_sock_send(dev->conn_fd, msg, h.size, NULL, 0,
		VFIO_USER_TIMEOUT_MS);
	free(msg);
	if (r < 0) {
		dev->conn_broken = true;
		return -ENOTCONN;
	}
	for (;;) {
		struct vfio_user_msg *m;
		struct vfio_user_hdr *mh;

		r = vfio_user_sock_recv_wait(dev->conn_fd, &dev->rx,
			VFIO_USER_MAX_MSG_SIZE, &m, VFIO_USER_TIMEOUT_MS);
		if (r == -ETIMEDOUT) {
			VFIO_USER_LOG(ERR, "%s: no reply to DMA_%s",
				dev->path, write ? "WRITE" : "READ");
			return -ETIMEDOUT;
		}
		if (r < 0) {
			dev->conn_broken = true;
			return -ENOTCONN;
		}
		mh = vfio_user_msg_hdr(m);
		if ((mh->flags & VFIO_USER_F_TYPE_MASK) == VFIO_USER_F_TYPE_CMD) {
			TAILQ_INSERT_TAIL(&dev->deferred, m, next);
			continue;
		}
		if (mh->msg_id != h.msg_id || mh->cmd != h.cmd) {
			VFIO_USER_DEV_LOG_ONCE(dev, VFIO_USER_LOG_BAD_MSG,
				WARNING, "unexpected reply dropped");
			vfio_user_msg_free(m);
			continue;
		}
		if (mh->flags & VFIO_USER_F_ERROR) {
			r = mh->error != 0 ? -(int)mh->error : -EIO;
		} else if (!write) {
			uint32_t pl = vfio_user_msg_payload_len(m);

			rw = (struct vfio_user_dma_rw *)vfio_user_msg_payload(m);
			if (pl < VFIO_USER_DMA_RW_HDR + count ||
					rw->count != count || rw->addr != iova)
				r = -EIO;
			else
				memcpy(buf, rw->data, count);
		}
		vfio_user_msg_free(m);
		return r;
	}
}

/* -------------------------------------------------------------- commands */

static int
handle_version(struct vfio_user_dev *dev, struct vfio_user_msg *msg)
{
	struct vfio_user_hdr *h = vfio_user_msg_hdr(msg);
	uint32_t plen = vfio_user_msg_payload_len(msg);
	struct vfio_user_version ver;
	struct vfio_user_caps caps;
	uint8_t reply[sizeof(ver) + 256];
	uint32_t rlen = sizeof(ver);
	int r;

	if (dev->negotiated || plen < sizeof(ver) || msg->nfds != 0)
		return -EINVAL;
	memcpy(&ver, vfio_user_msg_payload(msg), sizeof(ver));
	if (ver.major != VFIO_USER_MAJOR)
		return -EINVAL;
	vfio_user_caps_default(&caps);
	if (plen > sizeof(ver)) {
		r = vfio_user_caps_parse((const char *)vfio_user_msg_payload(msg)
			+ sizeof(ver), plen - sizeof(ver), &caps);
		if (r < 0) {
			VFIO_USER_DEV_LOG_ONCE(dev, VFIO_USER_LOG_BAD_MSG, ERR,
				"bad VERSION capabilities");
			return r;
		}
	}
	/* "minor in the reply must be equal to or less than proposed" */
	ver.major = VFIO_USER_MAJOR;
	ver.minor = RTE_MIN(ver.minor, (uint16_t)VFIO_USER_MINOR);
	memcpy(reply, &ver, sizeof(ver));
	if (plen > sizeof(ver)) {
		/* answer JSON with JSON, kept shorter than QEMU's request */
		r = vfio_user_caps_format((char *)reply + sizeof(ver),
			sizeof(reply) - sizeof(ver), VFIO_USER_MAX_MSG_FDS,
			RTE_VFIO_USER_MAX_DATA_XFER,
			RTE_VFIO_USER_MAX_DMA_MAPS);
		if (r < 0)
			return r;
		rlen += r;
	}
	dev->client_caps = caps;
	if (send_msg(dev, h, VFIO_USER_F_TYPE_REPLY, 0, reply, rlen, -1) < 0)
		return 0;
	dev->negotiated = true;
	VFIO_USER_LOG(INFO, "%s: client negotiated version %u.%u",
		dev->path, ver.major, ver.minor);
	if (dev->ops.connected != NULL)
		dev->ops.connected(dev->id);
	return 0;
}

static int
handle_dev_info(struct vfio_user_dev *dev, struct vfio_user_msg *msg,
		struct vfio_device_info *info)
{
	struct vfio_device_info req;

	if (vfio_user_msg_payload_len(msg) < VFIO_USER_DEV_INFO_SZ)
		return -EINVAL;
	memcpy(&req, vfio_user_msg_payload(msg), VFIO_USER_DEV_INFO_SZ);
	if (req.argsz < VFIO_USER_DEV_INFO_SZ)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->argsz = VFIO_USER_DEV_INFO_SZ;
	info->flags = VFIO_DEVICE_FLAGS_PCI;
	if (dev->desc.flags & RTE_VFIO_USER_DEV_RESET)
		info->flags |= VFIO_DEVICE_FLAGS_RESET;
	info->num_regions = RTE_VFIO_USER_NUM_REGIONS;
	info->num_irqs = RTE_VFIO_USER_NUM_IRQS;
	return 0;
}

static int
handle_reset(struct vfio_user_dev *dev, struct vfio_user_msg *msg)
{
	int r = 0;

	if (vfio_user_msg_payload_len(msg) != 0)
		return -EINVAL;
	/* like VFIO_DEVICE_RESET without VFIO_DEVICE_FLAGS_RESET */
	if (!(dev->desc.flags & RTE_VFIO_USER_DEV_RESET))
		return -ENOTSUP;
	vfio_user_lock_dp(dev, true);
	if (dev->ops.reset != NULL)
		r = dev->ops.reset(dev->id, RTE_VFIO_USER_RESET_DEVICE);
	vfio_user_lock_dp(dev, false);
	return r;
}

static bool
cmd_takes_fds(uint16_t cmd)
{
	return cmd == VFIO_USER_DMA_MAP || cmd == VFIO_USER_DEVICE_SET_IRQS;
}

static void
dispatch(struct vfio_user_dev *dev, struct vfio_user_msg *msg)
{
	struct vfio_user_hdr *h = vfio_user_msg_hdr(msg);
	bool no_reply = (h->flags & VFIO_USER_F_NO_REPLY) != 0;
	struct vfio_device_info dinfo;
	struct vfio_irq_info iinfo;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	int fd = -1, r;

	if ((h->flags & VFIO_USER_F_TYPE_MASK) == VFIO_USER_F_TYPE_REPLY) {
		VFIO_USER_DEV_LOG_ONCE(dev, VFIO_USER_LOG_BAD_MSG, WARNING,
			"unexpected reply dropped");
		return;
	}
	if ((h->flags & VFIO_USER_F_TYPE_MASK) != VFIO_USER_F_TYPE_CMD ||
			msg->fds_truncated ||
			(msg->nfds > 0 && !cmd_takes_fds(h->cmd))) {
		r = -EINVAL;
		goto reply;
	}
	if (!dev->negotiated && h->cmd != VFIO_USER_VERSION) {
		VFIO_USER_DEV_LOG_ONCE(dev, VFIO_USER_LOG_BAD_MSG, ERR,
			"command %u before VERSION", h->cmd);
		r = -EINVAL;
		goto reply;
	}
	switch (h->cmd) {
	case VFIO_USER_VERSION:
		r = handle_version(dev, msg);
		if (r == 0)
			return;	/* replied (or connection broken) */
		break;
	case VFIO_USER_DMA_MAP:
		r = vfio_user_dma_handle_map(dev, msg);
		break;
	case VFIO_USER_DMA_UNMAP:
		r = vfio_user_dma_handle_unmap(dev, msg);
		if (r == 0) {
			/* the reply echoes the request entry */
			out = malloc(sizeof(struct vfio_user_dma_unmap_msg));
			if (out == NULL) {
				r = -ENOMEM;
				break;
			}
			out_len = sizeof(struct vfio_user_dma_unmap_msg);
			memcpy(out, vfio_user_msg_payload(msg), out_len);
		}
		break;
	case VFIO_USER_DEVICE_GET_INFO:
		r = handle_dev_info(dev, msg, &dinfo);
		if (r == 0) {
			out = malloc(VFIO_USER_DEV_INFO_SZ);
			if (out == NULL) {
				r = -ENOMEM;
				break;
			}
			memcpy(out, &dinfo, VFIO_USER_DEV_INFO_SZ);
			out_len = VFIO_USER_DEV_INFO_SZ;
		}
		break;
	case VFIO_USER_DEVICE_GET_REGION_INFO:
		r = vfio_user_region_handle_info(dev, msg, &out, &out_len, &fd);
		break;
	case VFIO_USER_DEVICE_GET_IRQ_INFO:
		r = vfio_user_irq_handle_info(dev, msg, &iinfo);
		if (r == 0) {
			out = malloc(sizeof(iinfo));
			if (out == NULL) {
				r = -ENOMEM;
				break;
			}
			memcpy(out, &iinfo, sizeof(iinfo));
			out_len = sizeof(iinfo);
		}
		break;
	case VFIO_USER_DEVICE_SET_IRQS:
		r = vfio_user_irq_handle_set(dev, msg);
		if (r < 0)
			VFIO_USER_DEV_LOG_ONCE(dev, VFIO_USER_LOG_BAD_IRQ,
				NOTICE, "SET_IRQS failed: %s", strerror(-r));
		break;
	case VFIO_USER_REGION_READ:
		r = vfio_user_region_handle_read(dev, msg, &out, &out_len);
		break;
	case VFIO_USER_REGION_WRITE:
		r = vfio_user_region_handle_write(dev, msg);
		if (r == 0) {
			/* reply: offset, region, count without the data */
			out_len = sizeof(struct vfio_user_region_rw);
			if (vfio_user_msg_payload_len(msg) < out_len)
				break;
			out = malloc(out_len);
			if (out == NULL) {
				r = -ENOMEM;
				break;
			}
			memcpy(out, vfio_user_msg_payload(msg), out_len);
		}
		break;
	case VFIO_USER_DEVICE_RESET:
		r = handle_reset(dev, msg);
		break;
	case VFIO_USER_DMA_READ:
	case VFIO_USER_DMA_WRITE:
		/* server -> client only */
		r = -EINVAL;
		break;
	default:
		/*
		 * GET_REGION_IO_FDS, REGION_WRITE_MULTI (write_multiple is not
		 * advertised), DEVICE_FEATURE, MIG_DATA_*, DIRTY_PAGES and
		 * unknown commands.
		 */
		VFIO_USER_DEV_LOG_ONCE(dev, VFIO_USER_LOG_UNKNOWN_CMD, NOTICE,
			"unsupported command %u", h->cmd);
		r = -ENOSYS;
		break;
	}
reply:
	if (r < 0)
		VFIO_USER_LOG(DEBUG, "%s: command %u failed: %s", dev->path,
			h->cmd, strerror(-r));
	/* "No_reply ... indicates that no reply is needed", errors included */
	if (!no_reply && !dev->conn_broken) {
		if (r < 0)
			send_msg(dev, h, VFIO_USER_F_TYPE_REPLY | VFIO_USER_F_ERROR,
				-r, NULL, 0, -1);
		else
			send_msg(dev, h, VFIO_USER_F_TYPE_REPLY, 0, out,
				out_len, fd);
	}
	free(out);
}

/* Serve one message and the requests deferred while it waited. */
static void
serve(struct vfio_user_dev *dev, struct vfio_user_msg *msg)
{
	do {
		dispatch(dev, msg);
		vfio_user_msg_free(msg);
		if (dev->conn_broken)
			return;
		msg = TAILQ_FIRST(&dev->deferred);
		if (msg != NULL)
			TAILQ_REMOVE(&dev->deferred, msg, next);
	} while (msg != NULL);
}

static void
handle_conn(struct vfio_user_dev *dev)
{
	struct vfio_user_msg *msg;
	int budget = 64, r;

	while (budget-- > 0 && dev->conn_fd >= 0) {
		r = vfio_user_sock_recv(dev->conn_fd, &dev->rx,
			VFIO_USER_MAX_MSG_SIZE, &msg);
		if (r == 0)
			return;
		if (r < 0) {
			if (r == -EPROTO)
				VFIO_USER_LOG(ERR,
					"%s: malformed message header (size %u), dropping client",
					dev->path, dev->rx.hdr.size);
			else if (r != -ECONNRESET)
				VFIO_USER_LOG(ERR, "%s: receive failed: %s",
					dev->path, strerror(-r));
			conn_close(dev);
			return;
		}
		serve(dev, msg);
		if (dev->conn_broken) {
			conn_close(dev);
			return;
		}
	}
}

/* ---------------------------------------------------------- registration */

static void
dev_free(struct vfio_user_dev *dev)
{
	if (dev == NULL)
		return;
	vfio_user_region_fini(dev);
	vfio_user_irq_fini(dev);
	free(dev);
}

/* Control thread: disconnect, close and unlink, free. */
static void
dev_remove(struct vfio_user_dev *dev)
{
	conn_close(dev);
	epoll_ctl(ep_fd, EPOLL_CTL_DEL, dev->listen_fd, NULL);
	close(dev->listen_fd);
	unlink(dev->path);
	__atomic_store_n(&devs[dev->id], NULL, __ATOMIC_RELEASE);
	VFIO_USER_LOG(INFO, "%s: unregistered", dev->path);
	dev_free(dev);
}

static bool
handle_cmd(void)
{
	enum ctl_cmd_op op;
	uint64_t v;
	bool quit = false;

	if (read(cmd_fd, &v, sizeof(v)) < 0)
		return false;
	pthread_mutex_lock(&cmd_lock);
	op = ctl_cmd.op;
	if (op == CTL_CMD_REMOVE && devs[ctl_cmd.dev_id] != NULL)
		dev_remove(devs[ctl_cmd.dev_id]);
	else if (op == CTL_CMD_QUIT)
		quit = true;
	if (op != CTL_CMD_NONE) {
		ctl_cmd.op = CTL_CMD_NONE;
		ctl_cmd.done = true;
		pthread_cond_broadcast(&cmd_cond);
	}
	pthread_mutex_unlock(&cmd_lock);
	return quit;
}

static void *
ctl_loop(void *arg __rte_unused)
{
	struct epoll_event evs[16];
	bool quit = false;
	int n, i;

	while (!quit) {
		n = epoll_wait(ep_fd, evs, RTE_DIM(evs), -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			VFIO_USER_LOG(ERR, "epoll_wait failed: %s",
				strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			uint64_t u = evs[i].data.u64;
			struct vfio_user_dev *dev;

			if (u == EV_CMD) {
				quit |= handle_cmd();
				continue;
			}
			dev = vfio_user_dev_get((int)(u >> 2));
			if (dev == NULL)
				continue;
			if ((u & 3) == EV_LISTEN)
				handle_accept(dev);
			else if (dev->conn_fd >= 0)
				handle_conn(dev);
		}
	}
	return NULL;
}

/* Send a command to the control thread and wait until it is done. */
static void
ctl_send(enum ctl_cmd_op op, int dev_id)
{
	uint64_t one = 1;

	pthread_mutex_lock(&cmd_lock);
	ctl_cmd.op = op;
	ctl_cmd.dev_id = dev_id;
	ctl_cmd.done = false;
	if (write(cmd_fd, &one, sizeof(one)) < 0)
		VFIO_USER_LOG(ERR, "control command write failed");
	while (!ctl_cmd.done)
		pthread_cond_wait(&cmd_cond, &cmd_lock);
	pthread_mutex_unlock(&cmd_lock);
}

static int
ctl_start(void)
{
	struct epoll_event ev;
	int r;

	ep_fd = epoll_create1(EPOLL_CLOEXEC);
	cmd_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ep_fd < 0 || cmd_fd < 0) {
		r = -errno;
		goto err;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = EV_CMD;
	if (epoll_ctl(ep_fd, EPOLL_CTL_ADD, cmd_fd, &ev) < 0) {
		r = -errno;
		goto err;
	}
	r = rte_ctrl_thread_create(&ctl_tid, "vfio-user-ctl", NULL, ctl_loop,
		NULL);
	if (r != 0) {
		r = -r;
		goto err;
	}
	__atomic_store_n(&ctl_running, true, __ATOMIC_RELEASE);
	return 0;
err:
	if (ep_fd >= 0)
		close(ep_fd);
	if (cmd_fd >= 0)
		close(cmd_fd);
	ep_fd = cmd_fd = -1;
	return r;
}

static void
ctl_stop(void)
{
	ctl_send(CTL_CMD_QUIT, -1);
	pthread_join(ctl_tid, NULL);
	__atomic_store_n(&ctl_running, false, __ATOMIC_RELEASE);
	close(ep_fd);
	close(cmd_fd);
	ep_fd = cmd_fd = -1;
}

static int
check_desc(const struct rte_vfio_user_dev_desc *desc)
{
	uint32_t i;

	if (desc->flags & ~RTE_VFIO_USER_DEV_RESET)
		return -EINVAL;
	for (i = 0; i < RTE_VFIO_USER_NUM_REGIONS; i++)
		if (desc->regions[i].flags & ~(RTE_VFIO_USER_REGION_READ |
				RTE_VFIO_USER_REGION_WRITE))
			return -EINVAL;
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++)
		if (desc->irq_count[i] > 2048)	/* MSI-X maximum */
			return -EINVAL;
	return 0;
}

int
rte_vfio_user_register(const char *path,
		const struct rte_vfio_user_dev_desc *desc)
{
	struct vfio_user_dev *dev;
	struct epoll_event ev;
	int id, r;

	if (path == NULL || desc == NULL || check_desc(desc) < 0)
		return -EINVAL;
	if (strlen(path) >= sizeof(dev->path) || path[0] == '\0')
		return -ENAMETOOLONG;
	if (vfio_user_on_ctl_thread())
		return -EDEADLK;

	pthread_mutex_lock(&reg_lock);
	for (id = 0; id < RTE_VFIO_USER_MAX_DEVICES; id++)
		if (devs[id] == NULL)
			break;
	if (id == RTE_VFIO_USER_MAX_DEVICES) {
		r = -ENOSPC;
		goto out;
	}
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		r = -ENOMEM;
		goto out;
	}
	dev->id = id;
	strcpy(dev->path, path);
	dev->desc = *desc;
	dev->desc.config = NULL;
	dev->desc.config_wmask = NULL;
	dev->desc.ops = NULL;
	if (desc->ops != NULL)
		dev->ops = *desc->ops;
	dev->listen_fd = -1;
	dev->conn_fd = -1;
	TAILQ_INIT(&dev->deferred);
	vfio_user_rx_init(&dev->rx);
	vfio_user_caps_default(&dev->client_caps);
	r = vfio_user_region_init(dev, desc);
	if (r == 0)
		r = vfio_user_irq_init(dev);
	if (r < 0) {
		dev_free(dev);
		goto out;
	}
	r = vfio_user_sock_listen(path);
	if (r < 0) {
		dev_free(dev);
		goto out;
	}
	dev->listen_fd = r;
	if (!ctl_running) {
		r = ctl_start();
		if (r < 0) {
			VFIO_USER_LOG(ERR, "cannot start control thread: %s",
				strerror(-r));
			goto err_sock;
		}
	}
	__atomic_store_n(&devs[id], dev, __ATOMIC_RELEASE);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = ((uint64_t)id << 2) | EV_LISTEN;
	if (epoll_ctl(ep_fd, EPOLL_CTL_ADD, dev->listen_fd, &ev) < 0) {
		r = -errno;
		__atomic_store_n(&devs[id], NULL, __ATOMIC_RELEASE);
		goto err_sock;
	}
	VFIO_USER_LOG(INFO, "%s: registered device %d", path, id);
	r = id;
	goto out;
err_sock:
	close(dev->listen_fd);
	unlink(path);
	dev_free(dev);
	for (id = 0; id < RTE_VFIO_USER_MAX_DEVICES; id++)
		if (devs[id] != NULL)
			break;
	if (id == RTE_VFIO_USER_MAX_DEVICES && ctl_running)
		ctl_stop();
out:
	pthread_mutex_unlock(&reg_lock);
	return r;
}

int
rte_vfio_user_unregister(int dev_id)
{
	int i, r = 0;

	if (vfio_user_on_ctl_thread())
		return -EDEADLK;
	pthread_mutex_lock(&reg_lock);
	if (vfio_user_dev_get(dev_id) == NULL) {
		r = -ENOENT;
		goto out;
	}
	ctl_send(CTL_CMD_REMOVE, dev_id);
	for (i = 0; i < RTE_VFIO_USER_MAX_DEVICES; i++)
		if (devs[i] != NULL)
			break;
	if (i == RTE_VFIO_USER_MAX_DEVICES)
		ctl_stop();
out:
	pthread_mutex_unlock(&reg_lock);
	return r;
}
