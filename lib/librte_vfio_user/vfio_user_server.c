/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/*
 * Server: registering devices (vfio_user_registry.c holds the table), one
 * control thread per device (an epoll loop over its socket, its client and
 * its command eventfd), the client's life cycle, and devices served on the
 * caller's thread (tests, fuzzers).
 *
 * A device's thread only ever waits for its own client, so a slow, silent
 * or hostile client cannot delay another device's control plane.
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_per_lcore.h>
#include <rte_thread.h>

#include "emu_compat.h"
#include "vfio_user_dev.h"

RTE_LOG_REGISTER_DEFAULT(vfio_user_logtype, INFO);

/* epoll tags */
#define EV_CMD		0u
#define EV_LISTEN	1u
#define EV_CONN		2u

/* Messages served per wake-up before the thread looks at its commands. */
#define SERVE_BUDGET	64

enum ctl_op {
	CTL_NONE,
	CTL_QUIT,
	CTL_ATTACH,
};

/* A command to a device's thread; the caller waits for done. */
struct ctl_cmd {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum ctl_op op;
	struct vfio_user_tran *tran;
	int result;
	bool done;
	bool ready;		/* the thread runs and is warmed up */
};

/* Commands to each device's thread, by device id. */
static struct ctl_cmd cmds[RTE_VFIO_USER_MAX_DEVICES];

/* Set on every vfio-user control thread. */
static RTE_DEFINE_PER_LCORE(bool, in_ctl_thread);

/* ------------------------------------------------------------ the client */

static void
epoll_set(struct vfio_user_dev *dev, int op, int fd, uint32_t events,
		uint64_t tag)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };

	if (dev->threaded && epoll_ctl(dev->ep_fd, op, fd, &ev) < 0 &&
			op != EPOLL_CTL_DEL)
		VFIO_USER_LOG(ERR, "%s: epoll_ctl failed: %s", dev->path,
			strerror(errno));
}

/* Close the client; once it had negotiated, release all it gave us. */
static void
conn_close(struct vfio_user_dev *dev)
{
	struct vfio_user_conn *c = &dev->conn;
	bool negotiated = c->negotiated;

	if (c->tran == NULL)
		return;
	epoll_set(dev, EPOLL_CTL_DEL, c->tran->ops->poll_fd(c->tran), 0, 0);
	vfio_user_conn_fini(c);
	c->negotiated = false;
	c->broken = false;
	dev->conn_events = 0;
	if (!negotiated)
		return;
	vfio_user_lock_dp(dev, true);
	if (dev->ops.reset != NULL)
		dev->ops.reset(dev->id, RTE_VFIO_USER_RESET_LOST_CONN);
	vfio_user_dma_unmap_all(dev);
	vfio_user_irq_close_all(dev);
	vfio_user_lock_dp(dev, false);
	if (dev->ops.disconnected != NULL)
		dev->ops.disconnected(dev->id);
	VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_CONN, INFO,
		"client disconnected");
}

/*
 * Take a new client. One client per device: a second one is refused while
 * the first is alive, but a first one that has already gone (killed, its
 * end closed, not yet seen by this thread) is cleaned up and replaced.
 */
static int
conn_adopt(struct vfio_user_dev *dev, struct vfio_user_tran *t)
{
	struct vfio_user_conn *c = &dev->conn;

	if (c->tran != NULL) {
		if (!c->tran->ops->peer_gone(c->tran) && !c->broken) {
			dev->stats.refused++;
			VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_CONN, WARNING,
				"refusing a second client");
			vfio_user_tran_close(t);
			return -EBUSY;
		}
		dev->stats.reaped++;
		conn_close(dev);
	}
	vfio_user_conn_init(c, t);
	dev->stats.connects++;
	dev->conn_events = t->ops->poll_events(t, true, false);
	epoll_set(dev, EPOLL_CTL_ADD, t->ops->poll_fd(t), dev->conn_events,
		EV_CONN);
	VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_CONN, INFO, "client connected");
	return 0;
}

static void
handle_accept(struct vfio_user_dev *dev)
{
	struct vfio_user_tran *t;
	int fd;

	for (;;) {
		fd = vfio_user_sock_accept(dev->listen_fd);
		if (fd < 0)
			return;
		t = vfio_user_tran_sock_new(fd);
		if (t == NULL) {
			close(fd);
			continue;
		}
		conn_adopt(dev, t);
	}
}

/*
 * Serve the client: write what is queued, then serve commands until the
 * budget is spent, nothing is complete, or a reply waits for the client
 * to read (a client that does not read is not served further).
 * Returns true when work is left without a wake-up to come.
 */
static bool
conn_serve(struct vfio_user_dev *dev)
{
	struct vfio_user_conn *c = &dev->conn;
	struct vfio_user_msg *m;
	bool more = false;
	int budget, r;

	if (c->tran == NULL)
		return false;
	dev->owner = rte_thread_self();
	dev->owner_set = true;
	c->tran->ops->ack(c->tran);
	for (budget = SERVE_BUDGET; budget > 0; budget--) {
		if (!vfio_user_conn_flush(dev) || c->broken)
			break;
		r = vfio_user_conn_next(dev, &m);
		if (r == 0)
			break;
		if (r < 0) {
			if (r == -EPROTO)
				VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_MSG,
					ERR, "malformed message header (size %u), dropping the client",
					c->rx.hdr.size);
			else if (r != -ECONNRESET && r != -ENOTCONN)
				VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_CONN, ERR,
					"receive failed: %s", strerror(-r));
			c->broken = true;
			break;
		}
		vfio_user_dispatch(dev, m);
		vfio_user_msg_free(m);
	}
	if (budget == 0 || (c->nb_deferred > 0 && c->nb_out == 0))
		more = true;
	if (c->broken) {
		conn_close(dev);
		return false;
	}
	if (dev->threaded) {
		/* a reply waiting for the client to read: nothing else to do
		 * until it does (input stays in its socket)
		 */
		uint32_t want = c->tran->ops->poll_events(c->tran,
			c->nb_out == 0, c->nb_out > 0);

		if (want != dev->conn_events) {
			dev->conn_events = want;
			epoll_set(dev, EPOLL_CTL_MOD,
				c->tran->ops->poll_fd(c->tran), want, EV_CONN);
		}
	}
	return more;
}

/* A client that connected but did not negotiate in time is dropped. */
static int
negotiate_timeout(struct vfio_user_dev *dev)
{
	struct vfio_user_conn *c = &dev->conn;
	int64_t left;

	if (c->tran == NULL || c->negotiated)
		return -1;
	left = c->since_ms + dev->limits.negotiate_timeout_ms -
		vfio_user_now_ms();
	if (left > 0)
		return (int)left;
	VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_CONN, WARNING,
		"client did not send VERSION within %u ms, dropping it",
		dev->limits.negotiate_timeout_ms);
	conn_close(dev);
	return -1;
}

/* ------------------------------------------------------ control thread */

static void
ctl_finish(struct ctl_cmd *cmd, int result)
{
	pthread_mutex_lock(&cmd->lock);
	cmd->result = result;
	cmd->op = CTL_NONE;
	cmd->done = true;
	pthread_cond_broadcast(&cmd->cond);
	pthread_mutex_unlock(&cmd->lock);
}

/* Returns true on QUIT. */
static bool
handle_cmd(struct vfio_user_dev *dev, struct ctl_cmd *cmd)
{
	enum ctl_op op;
	eventfd_t v;

	eventfd_read(dev->cmd_fd, &v);
	pthread_mutex_lock(&cmd->lock);
	op = cmd->op;
	pthread_mutex_unlock(&cmd->lock);
	switch (op) {
	case CTL_QUIT:
		conn_close(dev);
		ctl_finish(cmd, 0);
		return true;
	case CTL_ATTACH:
		ctl_finish(cmd, conn_adopt(dev, cmd->tran));
		return false;
	default:
		return false;
	}
}

static uint32_t
ctl_thread(void *arg)
{
	struct vfio_user_dev *dev = arg;
	struct ctl_cmd *cmd = &cmds[dev->id];
	struct epoll_event evs[4];
	void *volatile warm;
	bool quit = false, more = false;
	int n, i, timeout;

	RTE_PER_LCORE(in_ctl_thread) = true;
	dev->owner = rte_thread_self();
	dev->owner_set = true;
	/*
	 * Create this thread's malloc arena now, before the socket exists:
	 * creating it later takes the process's mmap lock, which an
	 * application populating memory (testpmd's mlockall) holds for
	 * seconds, and the client's VERSION would wait that long.
	 */
	warm = malloc(4096);
	free(warm);
	pthread_mutex_lock(&cmd->lock);
	cmd->ready = true;
	pthread_cond_broadcast(&cmd->cond);
	pthread_mutex_unlock(&cmd->lock);

	while (!quit) {
		bool served = false, again = false;

		timeout = more ? 0 : negotiate_timeout(dev);
		n = epoll_wait(dev->ep_fd, evs, RTE_DIM(evs), timeout);
		if (n < 0) {
			if (errno != EINTR) {
				VFIO_USER_LOG(ERR, "%s: epoll_wait failed: %s",
					dev->path, strerror(errno));
				usleep(1000);
			}
			continue;
		}
		for (i = 0; i < n; i++) {
			switch (evs[i].data.u64) {
			case EV_CMD:
				quit |= handle_cmd(dev, cmd);
				break;
			case EV_LISTEN:
				handle_accept(dev);
				break;
			default:
				served = true;
				again |= conn_serve(dev);
				break;
			}
		}
		/* work left over (deferred commands, budget) has no event */
		if (!quit && !served && (more || n == 0))
			again = conn_serve(dev);
		more = again;
	}
	return 0;
}

/* Run op on the device's thread and wait for its result. */
static int
ctl_call(struct vfio_user_dev *dev, enum ctl_op op, struct vfio_user_tran *t)
{
	struct ctl_cmd *cmd = &cmds[dev->id];
	int r;

	pthread_mutex_lock(&cmd->lock);
	cmd->op = op;
	cmd->tran = t;
	cmd->done = false;
	eventfd_write(dev->cmd_fd, 1);
	while (!cmd->done)
		pthread_cond_wait(&cmd->cond, &cmd->lock);
	r = cmd->result;
	pthread_mutex_unlock(&cmd->lock);
	return r;
}

static int
ctl_start(struct vfio_user_dev *dev)
{
	struct ctl_cmd *cmd = &cmds[dev->id];
	char name[RTE_THREAD_INTERNAL_NAME_SIZE];
	int r;

	dev->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	dev->cmd_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (dev->ep_fd < 0 || dev->cmd_fd < 0)
		return -errno;
	dev->threaded = true;
	epoll_set(dev, EPOLL_CTL_ADD, dev->cmd_fd, EPOLLIN, EV_CMD);
	cmd->ready = false;
	snprintf(name, sizeof(name), "vfu-ctl-%d", dev->id);
	r = emu_thread_create_control(&dev->tid, name, ctl_thread, dev);
	if (r != 0) {
		dev->threaded = false;
		return r;
	}
	pthread_mutex_lock(&cmd->lock);
	while (!cmd->ready)
		pthread_cond_wait(&cmd->cond, &cmd->lock);
	pthread_mutex_unlock(&cmd->lock);
	return 0;
}

/* ---------------------------------------------------------- registration */

static void
dev_free(struct vfio_user_dev *dev)
{
	if (dev == NULL)
		return;
	vfio_user_region_fini(dev);
	vfio_user_irq_fini(dev);
	vfio_user_dma_fini(dev);
	if (dev->ep_fd >= 0)
		close(dev->ep_fd);
	if (dev->cmd_fd >= 0)
		close(dev->cmd_fd);
	if (dev->listen_fd >= 0)
		close(dev->listen_fd);
	free(dev);
}

static int
check_desc(const struct rte_vfio_user_dev_desc *desc)
{
	uint32_t i;

	if (desc == NULL || desc->flags & ~RTE_VFIO_USER_DEV_RESET)
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

static void
limits_default(struct vfio_user_limits *l)
{
	l->deferred_msgs = VFIO_USER_DEFERRED_MSGS;
	l->deferred_bytes = VFIO_USER_DEFERRED_BYTES;
	l->deferred_fds = VFIO_USER_DEFERRED_FDS;
	l->xfer_timeout_ms = VFIO_USER_XFER_TIMEOUT_MS;
	l->negotiate_timeout_ms = VFIO_USER_NEGOTIATE_TIMEOUT_MS;
}

/* A device with its state, not yet published or served. */
static int
dev_create(int id, const char *path,
		const struct rte_vfio_user_dev_desc *desc,
		struct vfio_user_dev **out)
{
	struct vfio_user_dev *dev;
	int r;

	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		return -ENOMEM;
	dev->id = id;
	dev->ep_fd = -1;
	dev->cmd_fd = -1;
	dev->listen_fd = -1;
	dev->local = path == NULL;
	snprintf(dev->path, sizeof(dev->path), "%s",
		path != NULL ? path : "(local)");
	dev->desc = *desc;
	dev->desc.config = NULL;
	dev->desc.config_wmask = NULL;
	dev->desc.ops = NULL;
	if (desc->ops != NULL)
		dev->ops = *desc->ops;
	limits_default(&dev->limits);
	r = vfio_user_region_init(dev, desc);
	if (r == 0)
		r = vfio_user_irq_init(dev);
	if (r < 0) {
		dev_free(dev);
		return r;
	}
	*out = dev;
	return 0;
}

static void
cmd_init(int id)
{
	struct ctl_cmd *cmd = &cmds[id];

	memset(cmd, 0, sizeof(*cmd));
	pthread_mutex_init(&cmd->lock, NULL);
	pthread_cond_init(&cmd->cond, NULL);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_register, 22.11)
int
rte_vfio_user_register(const char *path,
		const struct rte_vfio_user_dev_desc *desc)
{
	struct vfio_user_dev *dev;
	int id, r;

	if (path == NULL || check_desc(desc) < 0)
		return -EINVAL;
	if (path[0] == '\0' || strlen(path) >= sizeof(dev->path))
		return -ENAMETOOLONG;
	r = vfio_user_sock_check(path);
	if (r < 0)
		return r;

	vfio_user_reg_lock();
	id = vfio_user_reg_free_id();
	if (id < 0) {
		r = id;
		goto out;
	}
	r = dev_create(id, path, desc, &dev);
	if (r < 0)
		goto out;
	cmd_init(id);
	vfio_user_reg_set(id, dev);
	VFIO_USER_LOG(INFO, "%s: registered device %d", path, id);
	r = id;
out:
	vfio_user_reg_unlock();
	return r;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_start, 22.11)
int
rte_vfio_user_start(int dev_id)
{
	struct vfio_user_dev *dev;
	int r;

	if (RTE_PER_LCORE(in_ctl_thread))
		return -EDEADLK;
	vfio_user_reg_lock();
	dev = vfio_user_dev_get(dev_id);
	if (dev == NULL || dev->local) {
		r = dev == NULL ? -ENODEV : -EINVAL;
		goto out;
	}
	if (dev->threaded) {
		r = -EALREADY;
		goto out;
	}
	r = ctl_start(dev);
	if (r < 0) {
		VFIO_USER_LOG(ERR, "%s: cannot start the control thread: %s",
			dev->path, strerror(-r));
		goto out;
	}
	/* the socket appears only now that its thread can answer at once */
	r = vfio_user_sock_listen(dev->path);
	if (r < 0) {
		ctl_call(dev, CTL_QUIT, NULL);
		rte_thread_join(dev->tid, NULL);
		dev->threaded = false;
		close(dev->ep_fd);
		close(dev->cmd_fd);
		dev->ep_fd = -1;
		dev->cmd_fd = -1;
		goto out;
	}
	dev->listen_fd = r;
	epoll_set(dev, EPOLL_CTL_ADD, dev->listen_fd, EPOLLIN, EV_LISTEN);
	VFIO_USER_LOG(INFO, "%s: serving device %d", dev->path, dev_id);
	r = 0;
out:
	vfio_user_reg_unlock();
	return r;
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_register_local)
int
vfio_user_register_local(const struct rte_vfio_user_dev_desc *desc)
{
	struct vfio_user_dev *dev;
	int id, r;

	if (check_desc(desc) < 0)
		return -EINVAL;
	vfio_user_reg_lock();
	id = vfio_user_reg_free_id();
	if (id < 0) {
		r = id;
		goto out;
	}
	r = dev_create(id, NULL, desc, &dev);
	if (r < 0)
		goto out;
	cmd_init(id);
	vfio_user_reg_set(id, dev);
	r = id;
out:
	vfio_user_reg_unlock();
	return r;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_unregister, 22.11)
int
rte_vfio_user_unregister(int dev_id)
{
	struct vfio_user_dev *dev;
	int r = 0;

	if (RTE_PER_LCORE(in_ctl_thread))
		return -EDEADLK;
	vfio_user_reg_lock();
	dev = vfio_user_dev_get(dev_id);
	if (dev == NULL) {
		r = -ENOENT;
		goto out;
	}
	if (dev->threaded) {
		/* the thread disconnects the client (callbacks) and exits */
		ctl_call(dev, CTL_QUIT, NULL);
		rte_thread_join(dev->tid, NULL);
	} else {
		conn_close(dev);
	}
	if (dev->listen_fd >= 0) {
		close(dev->listen_fd);
		dev->listen_fd = -1;
		unlink(dev->path);
	}
	vfio_user_reg_set(dev_id, NULL);
	VFIO_USER_LOG(INFO, "%s: unregistered", dev->path);
	dev_free(dev);
out:
	vfio_user_reg_unlock();
	return r;
}

/* ------------------------------------------------- tests and fuzzers */

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_attach)
int
vfio_user_attach(int dev_id, struct vfio_user_tran *t)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);

	if (t == NULL)
		return -EINVAL;
	if (dev == NULL) {
		vfio_user_tran_close(t);
		return -ENODEV;
	}
	if (dev->threaded)
		return ctl_call(dev, CTL_ATTACH, t);
	return conn_adopt(dev, t);
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_serve)
int
vfio_user_serve(int dev_id)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);
	bool more;

	if (dev == NULL || dev->threaded)
		return -EINVAL;
	if (dev->conn.tran == NULL)
		return -ENOTCONN;
	more = conn_serve(dev);
	dev->owner_set = false;
	if (dev->conn.tran == NULL)
		return -ENOTCONN;
	return more ? 1 : 0;
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_set_limits)
int
vfio_user_set_limits(int dev_id, const struct vfio_user_limits *limits)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);

	if (dev == NULL || limits == NULL)
		return -EINVAL;
	dev->limits = *limits;
	return 0;
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_get_stats)
int
vfio_user_get_stats(int dev_id, struct vfio_user_stats *stats)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);

	if (dev == NULL || stats == NULL)
		return -EINVAL;
	*stats = dev->stats;
	return 0;
}
