/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/*
 * The connection to a device's client: what is queued for it, what it
 * sent while the server waited for one of its replies, and requests to it
 * (DMA_READ / DMA_WRITE) with one absolute deadline each.
 *
 * Nothing here waits on a client except vfio_user_conn_request(), and
 * that only until its deadline: replies are queued and written when the
 * client reads, and a client that stops reading just stops being served.
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "vfio_user_dev.h"

void
vfio_user_conn_init(struct vfio_user_conn *c, struct vfio_user_tran *t)
{
	memset(c, 0, sizeof(*c));
	c->tran = t;
	c->since_ms = vfio_user_now_ms();
	vfio_user_rx_init(&c->rx, VFIO_USER_MAX_MSG_SIZE);
	vfio_user_caps_default(&c->client_caps);
	TAILQ_INIT(&c->out);
	TAILQ_INIT(&c->deferred);
}

static void
free_list(struct vfio_user_msg_list *l)
{
	struct vfio_user_msg *m;

	while ((m = TAILQ_FIRST(l)) != NULL) {
		TAILQ_REMOVE(l, m, next);
		vfio_user_msg_free(m);
	}
}

void
vfio_user_conn_fini(struct vfio_user_conn *c)
{
	vfio_user_rx_reset(&c->rx);
	free_list(&c->out);
	free_list(&c->deferred);
	vfio_user_tran_close(c->tran);
	c->tran = NULL;
	c->nb_out = 0;
	c->nb_deferred = 0;
	c->deferred_bytes = 0;
	c->deferred_fds = 0;
}

bool
vfio_user_conn_flush(struct vfio_user_dev *dev)
{
	struct vfio_user_conn *c = &dev->conn;
	struct vfio_user_msg *m;
	int r;

	while ((m = TAILQ_FIRST(&c->out)) != NULL) {
		if (c->tran == NULL || c->broken)
			return false;
		r = vfio_user_msg_send_some(c->tran, m);
		if (r == 0)
			return false;	/* the client reads slowly: later */
		if (r < 0) {
			if (r != -EPIPE && r != -ECONNRESET)
				VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_CONN, ERR,
					"send failed: %s", strerror(-r));
			c->broken = true;
			return false;
		}
		TAILQ_REMOVE(&c->out, m, next);
		c->nb_out--;
		vfio_user_msg_free(m);
	}
	return true;
}

void
vfio_user_conn_queue(struct vfio_user_dev *dev, struct vfio_user_msg *m)
{
	struct vfio_user_conn *c = &dev->conn;

	if (c->tran == NULL || c->broken) {
		vfio_user_msg_free(m);
		return;
	}
	TAILQ_INSERT_TAIL(&c->out, m, next);
	c->nb_out++;
	vfio_user_conn_flush(dev);
}

static void
defer(struct vfio_user_conn *c, struct vfio_user_msg *m)
{
	TAILQ_INSERT_TAIL(&c->deferred, m, next);
	c->nb_deferred++;
	c->deferred_bytes += m->size;
	c->deferred_fds += m->nfds;
}

int
vfio_user_conn_next(struct vfio_user_dev *dev, struct vfio_user_msg **m)
{
	struct vfio_user_conn *c = &dev->conn;
	int r;

	*m = TAILQ_FIRST(&c->deferred);
	if (*m != NULL) {
		TAILQ_REMOVE(&c->deferred, *m, next);
		c->nb_deferred--;
		c->deferred_bytes -= (*m)->size;
		c->deferred_fds -= (*m)->nfds;
		return 1;
	}
	if (c->tran == NULL || c->broken)
		return -ENOTCONN;
	r = vfio_user_rx_step(&c->rx, c->tran, m);
	if (r < 0)
		c->broken = true;
	return r;
}

static bool
deferral_full(const struct vfio_user_dev *dev)
{
	const struct vfio_user_conn *c = &dev->conn;
	const struct vfio_user_limits *l = &dev->limits;

	return c->nb_deferred >= l->deferred_msgs ||
		c->deferred_bytes >= l->deferred_bytes ||
		c->deferred_fds >= l->deferred_fds;
}

/* Write the whole output queue (the request last) before the deadline. */
static int
flush_until(struct vfio_user_dev *dev, int64_t deadline)
{
	struct vfio_user_conn *c = &dev->conn;
	int r;

	while (!vfio_user_conn_flush(dev)) {
		if (c->broken)
			return -ENOTCONN;
		r = vfio_user_tran_wait(c->tran, false, true, deadline);
		if (r < 0)
			return r;
	}
	return 0;
}

int
vfio_user_conn_request(struct vfio_user_dev *dev, struct vfio_user_msg *req,
		struct vfio_user_msg **reply)
{
	struct vfio_user_conn *c = &dev->conn;
	struct vfio_user_hdr *rh = vfio_user_msg_hdr(req);
	int64_t deadline;
	uint16_t id, cmd = rh->cmd;
	int r;

	*reply = NULL;
	if (c->tran == NULL || c->broken || !c->negotiated) {
		vfio_user_msg_free(req);
		return -ENOTCONN;
	}
	if (c->in_request) {
		vfio_user_msg_free(req);
		return -EBUSY;
	}
	c->in_request = true;
	deadline = vfio_user_now_ms() + dev->limits.xfer_timeout_ms;
	id = c->next_msg_id++;
	rh->msg_id = id;
	TAILQ_INSERT_TAIL(&c->out, req, next);
	c->nb_out++;
	r = flush_until(dev, deadline);
	if (r < 0) {
		/* a message half written cannot be followed by another one */
		c->broken = true;
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_XFER, ERR,
			"client does not read: request %u not sent, dropping it",
			cmd);
		r = -ENOTCONN;
		goto out;
	}
	for (;;) {
		struct vfio_user_msg *m;

		if (deferral_full(dev)) {
			dev->stats.xfer_aborted++;
			VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_XFER, ERR,
				"client sent %u commands (%u bytes, %u fds) without answering request %u: request failed",
				c->nb_deferred, c->deferred_bytes,
				c->deferred_fds, cmd);
			r = -ENOBUFS;
			break;
		}
		r = vfio_user_rx_step(&c->rx, c->tran, &m);
		if (r == 0) {
			r = vfio_user_tran_wait(c->tran, true, false, deadline);
			if (r == -ETIMEDOUT) {
				dev->stats.xfer_timeouts++;
				VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_XFER, ERR,
					"no reply to request %u within %u ms",
					cmd, dev->limits.xfer_timeout_ms);
				break;
			}
			if (r < 0)
				break;
			continue;
		}
		if (r < 0) {
			c->broken = true;
			r = -ENOTCONN;
			break;
		}
		if (vfio_user_msg_type(m) == VFIO_USER_F_TYPE_CMD) {
			defer(c, m);
			dev->stats.deferred_max = RTE_MAX(dev->stats.deferred_max,
				c->nb_deferred);
			continue;
		}
		if (vfio_user_msg_type(m) != VFIO_USER_F_TYPE_REPLY ||
				vfio_user_msg_hdr(m)->msg_id != id ||
				vfio_user_msg_hdr(m)->cmd != cmd) {
			/* e.g. the late reply to a request that timed out */
			dev->stats.dropped++;
			VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_MSG, NOTICE,
				"unexpected message (command %u, flags 0x%x) dropped",
				vfio_user_msg_hdr(m)->cmd,
				vfio_user_msg_hdr(m)->flags);
			vfio_user_msg_free(m);
			continue;
		}
		*reply = m;
		r = 0;
		break;
	}
out:
	c->in_request = false;
	return r;
}
