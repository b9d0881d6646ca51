/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/* Message encoder and framing decoder (see vfio_user_codec.h). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "emu_compat.h"
#include "vfio_user_codec.h"

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_msg_new)
struct vfio_user_msg *
vfio_user_msg_new(uint16_t msg_id, uint16_t cmd, uint32_t flags,
		uint32_t error, const void *payload, uint32_t len)
{
	struct vfio_user_hdr *h;
	struct vfio_user_msg *m;

	if (len > VFIO_USER_MAX_MSG_SIZE - VFIO_USER_HDR_SZ)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->size = VFIO_USER_HDR_SZ + len;
	m->buf = malloc(m->size);
	if (m->buf == NULL) {
		free(m);
		return NULL;
	}
	h = vfio_user_msg_hdr(m);
	h->msg_id = msg_id;
	h->cmd = cmd;
	h->size = m->size;
	h->flags = flags;
	h->error = error;
	if (len > 0 && payload != NULL)
		memcpy(vfio_user_msg_payload(m), payload, len);
	else if (len > 0)
		memset(vfio_user_msg_payload(m), 0, len);
	return m;
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_msg_new_reply)
struct vfio_user_msg *
vfio_user_msg_new_reply(const struct vfio_user_hdr *req, uint32_t err,
		const void *payload, uint32_t len)
{
	/* "an error reply ... the Error bit set, the errno in the Error field" */
	if (err != 0)
		return vfio_user_msg_new(req->msg_id, req->cmd,
			VFIO_USER_F_TYPE_REPLY | VFIO_USER_F_ERROR, err,
			NULL, 0);
	return vfio_user_msg_new(req->msg_id, req->cmd, VFIO_USER_F_TYPE_REPLY,
		0, payload, len);
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_msg_set_fds)
int
vfio_user_msg_set_fds(struct vfio_user_msg *m, const int *fds, uint32_t nfds)
{
	if (nfds > RTE_DIM(m->fds) || m->nfds != 0 || (nfds > 0 && fds == NULL))
		return -EINVAL;
	if (nfds > 0)
		memcpy(m->fds, fds, nfds * sizeof(int));
	m->nfds = nfds;
	m->fds_owned = false;
	return 0;
}

/* Close the owned fds a handler did not take (set to -1 when taken). */
static void
msg_close_fds(struct vfio_user_msg *m)
{
	uint32_t i;

	if (m->fds_owned)
		for (i = 0; i < m->nfds; i++)
			if (m->fds[i] >= 0)
				close(m->fds[i]);
	for (i = 0; i < m->nfds; i++)
		m->fds[i] = -1;
	m->nfds = 0;
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_msg_free)
void
vfio_user_msg_free(struct vfio_user_msg *m)
{
	if (m == NULL)
		return;
	msg_close_fds(m);
	free(m->buf);
	free(m);
}

int
vfio_user_msg_send_some(struct vfio_user_tran *t, struct vfio_user_msg *m)
{
	ssize_t r;

	while (m->sent < m->size) {
		/* fds travel with the first byte only */
		r = t->ops->send(t, m->buf + m->sent, m->size - m->sent,
			m->sent == 0 ? m->fds : NULL,
			m->sent == 0 ? m->nfds : 0);
		if (r == -EAGAIN)
			return 0;
		if (r < 0)
			return (int)r;
		m->sent += (uint32_t)r;
	}
	return 1;
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_msg_send)
int
vfio_user_msg_send(struct vfio_user_tran *t, struct vfio_user_msg *m,
		int64_t deadline_ms)
{
	int r;

	for (;;) {
		r = vfio_user_msg_send_some(t, m);
		if (r != 0)
			return r < 0 ? r : 0;
		r = vfio_user_tran_wait(t, false, true, deadline_ms);
		if (r < 0)
			return r;
	}
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_rx_init)
void
vfio_user_rx_init(struct vfio_user_rx *rx, uint32_t max_size)
{
	memset(rx, 0, sizeof(*rx));
	rx->max_size = max_size;
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_rx_reset)
void
vfio_user_rx_reset(struct vfio_user_rx *rx)
{
	uint32_t i;

	for (i = 0; i < rx->nfds; i++)
		close(rx->fds[i]);
	vfio_user_msg_free(rx->msg);
	vfio_user_rx_init(rx, rx->max_size);
}

static ssize_t
rx_read(struct vfio_user_rx *rx, struct vfio_user_tran *t, void *buf,
		size_t len)
{
	ssize_t r;

	r = t->ops->recv(t, buf, len, rx->fds, &rx->nfds, RTE_DIM(rx->fds),
		&rx->fds_truncated);
	if (r == 0)
		return -ECONNRESET;
	return r;
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_rx_step)
int
vfio_user_rx_step(struct vfio_user_rx *rx, struct vfio_user_tran *t,
		struct vfio_user_msg **out)
{
	struct vfio_user_msg *m;
	ssize_t r;

	*out = NULL;
	while (rx->hdr_got < VFIO_USER_HDR_SZ) {
		r = rx_read(rx, t, (uint8_t *)&rx->hdr + rx->hdr_got,
			VFIO_USER_HDR_SZ - rx->hdr_got);
		if (r == -EAGAIN)
			return 0;
		if (r < 0)
			return (int)r;
		rx->hdr_got += (uint32_t)r;
	}
	if (rx->msg == NULL) {
		/* "Message size: the size of the message, header included" */
		if (rx->hdr.size < VFIO_USER_HDR_SZ ||
				rx->hdr.size > rx->max_size)
			return -EPROTO;
		m = calloc(1, sizeof(*m));
		if (m == NULL)
			return -ENOMEM;
		m->buf = malloc(rx->hdr.size);
		if (m->buf == NULL) {
			free(m);
			return -ENOMEM;
		}
		m->size = rx->hdr.size;
		m->fds_owned = true;
		memcpy(m->buf, &rx->hdr, VFIO_USER_HDR_SZ);
		rx->msg = m;
		rx->got = VFIO_USER_HDR_SZ;
	}
	m = rx->msg;
	while (rx->got < m->size) {
		r = rx_read(rx, t, m->buf + rx->got, m->size - rx->got);
		if (r == -EAGAIN)
			return 0;
		if (r < 0)
			return (int)r;
		rx->got += (uint32_t)r;
	}
	/* complete: the message takes its fds */
	memcpy(m->fds, rx->fds, sizeof(int) * rx->nfds);
	m->nfds = rx->nfds;
	m->fds_truncated = rx->fds_truncated;
	rx->nfds = 0;
	rx->msg = NULL;
	vfio_user_rx_init(rx, rx->max_size);
	*out = m;
	return 1;
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_msg_recv)
int
vfio_user_msg_recv(struct vfio_user_tran *t, struct vfio_user_rx *rx,
		struct vfio_user_msg **out, int64_t deadline_ms)
{
	int r;

	for (;;) {
		r = vfio_user_rx_step(rx, t, out);
		if (r != 0)
			return r < 0 ? r : 0;
		r = vfio_user_tran_wait(t, true, false, deadline_ms);
		if (r < 0)
			return r;
	}
}
