/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_SOCK_H_
#define _VFIO_USER_SOCK_H_

/* UNIX socket transport: paths, message framing, SCM_RIGHTS fd passing. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "vfio_user_msg.h"

/* One received message (header included in buf). */
struct vfio_user_msg {
	TAILQ_ENTRY(vfio_user_msg) next;
	uint8_t *buf;		/* size bytes, starts with the header */
	uint32_t size;
	int fds[VFIO_USER_RECV_FDS];	/* -1 once taken by a handler */
	uint32_t nfds;
	bool fds_truncated;	/* MSG_CTRUNC or too many fds */
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

/* Receive state of one connection (non-blocking, resumable). */
struct vfio_user_rx {
	struct vfio_user_hdr hdr;
	uint32_t hdr_got;
	struct vfio_user_msg *msg;	/* being filled once hdr is complete */
	uint32_t got;
	int fds[VFIO_USER_RECV_FDS];	/* fds seen before msg allocation */
	uint32_t nfds;
	bool fds_truncated;
};

void vfio_user_rx_init(struct vfio_user_rx *rx);
void vfio_user_rx_reset(struct vfio_user_rx *rx);

/*
 * Read as much of one message as available (fd must be non-blocking).
 * Returns 1 and *out when a message is complete, 0 when more bytes are
 * needed, -ECONNRESET on EOF, -EPROTO on a malformed header (size < 16 or
 * > max_size), other -errno on socket errors.
 */
int vfio_user_sock_recv(int fd, struct vfio_user_rx *rx, uint32_t max_size,
		struct vfio_user_msg **out);

/* Same, waiting up to timeout_ms (-ETIMEDOUT). */
int vfio_user_sock_recv_wait(int fd, struct vfio_user_rx *rx,
		uint32_t max_size, struct vfio_user_msg **out, int timeout_ms);

/* Send one whole message with fds on its first byte, waiting for room. */
int vfio_user_sock_send(int fd, const void *buf, uint32_t len,
		const int *fds, uint32_t nfds, int timeout_ms);

/* Close the fds still owned by the message and free it. */
void vfio_user_msg_free(struct vfio_user_msg *m);
void vfio_user_msg_close_fds(struct vfio_user_msg *m);

/* Create a listening socket (0600, stale socket replaced). */
int vfio_user_sock_listen(const char *path);
/* Connect to a listening socket (non-blocking fd returned). */
int vfio_user_sock_connect(const char *path);

/* fd type checks for fds received from a peer. */
bool vfio_user_fd_is_eventfd(int fd);
int vfio_user_fd_check_mappable(int fd, uint64_t offset, uint64_t size);

#endif /* _VFIO_USER_SOCK_H_ */
