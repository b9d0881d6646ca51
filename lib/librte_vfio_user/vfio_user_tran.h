/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_TRAN_H_
#define _VFIO_USER_TRAN_H_

/*
 * Transport seam: a byte stream that carries file descriptors, as a UNIX
 * stream socket with SCM_RIGHTS does. The message layer (vfio_user_codec)
 * sits on top of it and never calls the socket API itself.
 *
 * Two transports: a UNIX socket (vfio_user_tran_sock.c) and an in-memory
 * pair (vfio_user_tran_mem.c) with which tests and fuzzers drive the whole
 * protocol without sockets.
 *
 * Every operation is non-blocking. A caller that must wait polls
 * poll_fd() for poll_events() and calls ack() once woken, see
 * vfio_user_tran_wait().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <rte_compat.h>

struct vfio_user_tran;

struct vfio_user_tran_ops {
	const char *name;
	/*
	 * Read up to len bytes. fds that arrive with them are appended to
	 * fds[*nfds], at most max_fds in all; extra ones are closed and
	 * *fds_lost set. Returns the byte count (> 0), 0 at end of stream,
	 * -EAGAIN when nothing is available, or another -errno.
	 */
	ssize_t (*recv)(struct vfio_user_tran *t, void *buf, size_t len,
			int *fds, uint32_t *nfds, uint32_t max_fds,
			bool *fds_lost);
	/*
	 * Write up to len bytes; nfds fds (borrowed, the transport dups or
	 * passes them) travel with the first byte. Returns the byte count
	 * (> 0), -EAGAIN when there is no room, or another -errno (-EPIPE:
	 * the peer is gone).
	 */
	ssize_t (*send)(struct vfio_user_tran *t, const void *buf, size_t len,
			const int *fds, uint32_t nfds);
	/* An fd that becomes readable (poll/epoll) when the transport may
	 * have changed state for the events poll_events() asked for.
	 */
	int (*poll_fd)(const struct vfio_user_tran *t);
	/* The poll events of poll_fd() that mean "may be readable" (rd)
	 * and "may be writable" (wr).
	 */
	uint32_t (*poll_events)(const struct vfio_user_tran *t, bool rd,
			bool wr);
	/* Consume a wake-up of poll_fd() before retrying operations. */
	void (*ack)(struct vfio_user_tran *t);
	/* The peer has closed its end (checked without reading). */
	bool (*peer_gone)(const struct vfio_user_tran *t);
	/* Close and free the transport. */
	void (*close)(struct vfio_user_tran *t);
};

struct vfio_user_tran {
	const struct vfio_user_tran_ops *ops;
};

/* Monotonic clock in milliseconds, for absolute deadlines. */
__rte_internal
int64_t vfio_user_now_ms(void);

/*
 * Wait until t may be readable (rd) or writable (wr), or until deadline_ms
 * (vfio_user_now_ms() time; < 0: no deadline). Returns 0 or -ETIMEDOUT
 * (or another -errno of poll()).
 */
int vfio_user_tran_wait(struct vfio_user_tran *t, bool rd, bool wr,
		int64_t deadline_ms);

/*
 * Send all of buf (fds with its first byte), waiting for room until
 * deadline_ms. Returns 0, -ETIMEDOUT or the transport's -errno.
 */
__rte_internal
int vfio_user_tran_send_all(struct vfio_user_tran *t, const void *buf,
		size_t len, const int *fds, uint32_t nfds, int64_t deadline_ms);

static inline void
vfio_user_tran_close(struct vfio_user_tran *t)
{
	if (t != NULL)
		t->ops->close(t);
}

/* ---------------------------------------------------- UNIX socket */

/* Wrap a connected stream socket (ownership taken, made non-blocking). */
__rte_internal
struct vfio_user_tran *vfio_user_tran_sock_new(int fd);

/*
 * Whether a server may listen on path: 0 (nothing there), 1 (a stale
 * socket, to be replaced), or -EEXIST (another file, or a socket some
 * server accepts on) / -ENAMETOOLONG.
 */
int vfio_user_sock_check(const char *path);
/* Create a listening socket (0600, stale socket replaced). */
int vfio_user_sock_listen(const char *path);
/* Accept one connection (non-blocking); -EAGAIN when none is pending. */
int vfio_user_sock_accept(int listen_fd);
/* Connect to a listening socket; returns the fd. */
int vfio_user_sock_connect(const char *path);

/* ------------------------------------------------------ in memory */

/* fds one send() of the in-memory transport carries at most. */
#define VFIO_USER_TRAN_MEM_MAX_FDS 64

/*
 * Create two connected in-memory transports. Each direction buffers up to
 * capacity bytes; send() returns -EAGAIN beyond. Closing one end makes
 * the other see the end of the stream after the buffered bytes, and
 * -EPIPE on send. fds sent are duplicated; the receiver owns its copies.
 */
__rte_internal
int vfio_user_tran_mem_pair(struct vfio_user_tran **a,
		struct vfio_user_tran **b, size_t capacity);

/* Stop writing on t: its peer reads the end of the stream once it has
 * read what t sent, while t may still read (a half-closed socket).
 */
__rte_internal
void vfio_user_tran_mem_shutdown(struct vfio_user_tran *t);

#endif /* _VFIO_USER_TRAN_H_ */
