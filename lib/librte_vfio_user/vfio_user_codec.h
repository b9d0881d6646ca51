/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_CODEC_H_
#define _VFIO_USER_CODEC_H_

/*
 * Message codec shared by the server, the client, the tests and the
 * fuzzers: the one place that writes a message header, and the resumable
 * framing decoder that reads messages (with their fds) off a transport.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_compat.h>

#include "vfio_user_msg.h"
#include "vfio_user_tran.h"

struct vfio_user_msg {
	TAILQ_ENTRY(vfio_user_msg) next;
	uint8_t *buf;		/* size bytes, starting with the header */
	uint32_t size;
	int fds[VFIO_USER_RECV_FDS];
	uint32_t nfds;
	bool fds_owned;		/* received fds: closed with the message */
	bool fds_truncated;	/* more fds arrived than fit: some closed */
	uint32_t sent;		/* outgoing: bytes already written */
};

TAILQ_HEAD(vfio_user_msg_list, vfio_user_msg);

static inline struct vfio_user_hdr *
vfio_user_msg_hdr(const struct vfio_user_msg *m)
{
	return (struct vfio_user_hdr *)m->buf;
}

static inline uint8_t *
vfio_user_msg_payload(const struct vfio_user_msg *m)
{
	return m->buf + VFIO_USER_HDR_SZ;
}

static inline uint32_t
vfio_user_msg_payload_len(const struct vfio_user_msg *m)
{
	return m->size - VFIO_USER_HDR_SZ;
}

static inline uint32_t
vfio_user_msg_type(const struct vfio_user_msg *m)
{
	return vfio_user_msg_hdr(m)->flags & VFIO_USER_F_TYPE_MASK;
}

/*
 * Build a message: header (size = 16 + len) and a copy of the payload.
 * Returns NULL when out of memory or len is beyond VFIO_USER_MAX_MSG_SIZE.
 */
__rte_internal
struct vfio_user_msg *vfio_user_msg_new(uint16_t msg_id, uint16_t cmd,
		uint32_t flags, uint32_t error, const void *payload,
		uint32_t len);

/* Reply to req: err 0 carries the payload, err > 0 is an error reply
 * (errno value, no payload).
 */
__rte_internal
struct vfio_user_msg *vfio_user_msg_new_reply(const struct vfio_user_hdr *req,
		uint32_t err, const void *payload, uint32_t len);

/* Attach fds to an outgoing message (borrowed: still owned by the caller,
 * who keeps them open until the message is sent).
 */
__rte_internal
int vfio_user_msg_set_fds(struct vfio_user_msg *m, const int *fds,
		uint32_t nfds);

/* Close the fds still owned by the message and free it (NULL allowed). */
__rte_internal
void vfio_user_msg_free(struct vfio_user_msg *m);

/*
 * Write what the transport takes of m. Returns 1 when m is completely
 * sent, 0 when it is partly sent and the transport is full (-EAGAIN),
 * or -errno.
 */
int vfio_user_msg_send_some(struct vfio_user_tran *t,
		struct vfio_user_msg *m);

/* Send m whole, waiting for room until deadline_ms (< 0: no deadline). */
__rte_internal
int vfio_user_msg_send(struct vfio_user_tran *t, struct vfio_user_msg *m,
		int64_t deadline_ms);

/* Resumable receive state of one connection. */
struct vfio_user_rx {
	uint32_t max_size;	/* largest message accepted */
	struct vfio_user_hdr hdr;
	uint32_t hdr_got;
	struct vfio_user_msg *msg;	/* being filled once hdr is complete */
	uint32_t got;
	int fds[VFIO_USER_RECV_FDS];	/* fds seen so far for this message */
	uint32_t nfds;
	bool fds_truncated;
};

__rte_internal
void vfio_user_rx_init(struct vfio_user_rx *rx, uint32_t max_size);
/* Drop a partially received message and every fd that came with it. */
__rte_internal
void vfio_user_rx_reset(struct vfio_user_rx *rx);

/*
 * Read as much of one message as the transport has. Returns 1 and *out
 * when a message is complete (the caller owns it), 0 when more bytes are
 * needed, -ECONNRESET at the end of the stream, -EPROTO on a header whose
 * size is below 16 or above max_size, or another -errno.
 */
__rte_internal
int vfio_user_rx_step(struct vfio_user_rx *rx, struct vfio_user_tran *t,
		struct vfio_user_msg **out);

/* Same, waiting until deadline_ms for a whole message (-ETIMEDOUT). */
__rte_internal
int vfio_user_msg_recv(struct vfio_user_tran *t, struct vfio_user_rx *rx,
		struct vfio_user_msg **out, int64_t deadline_ms);

#endif /* _VFIO_USER_CODEC_H_ */
