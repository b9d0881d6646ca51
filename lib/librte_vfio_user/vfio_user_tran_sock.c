/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/* UNIX stream socket transport: paths, SCM_RIGHTS fd passing. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>

#include "emu_compat.h"
#include "vfio_user_log.h"
#include "vfio_user_msg.h"
#include "vfio_user_tran.h"

struct tran_sock {
	struct vfio_user_tran base;
	int fd;
};

static int
sock_fd(const struct vfio_user_tran *t)
{
	return ((const struct tran_sock *)t)->fd;
}

/* Keep the fds of one recvmsg(); extra ones are closed and flagged. */
static void
take_fds(struct msghdr *mh, int *fds, uint32_t *nfds, uint32_t max_fds,
		bool *lost)
{
	struct cmsghdr *c;

	if (mh->msg_flags & MSG_CTRUNC)
		*lost = true;
	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t n, i;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (*nfds < max_fds) {
				fds[(*nfds)++] = fd;
			} else {
				close(fd);
				*lost = true;
			}
		}
	}
}

static ssize_t
sock_recv(struct vfio_user_tran *t, void *buf, size_t len, int *fds,
		uint32_t *nfds, uint32_t max_fds, bool *fds_lost)
{
	/* room for more fds than accepted, so a flood is seen and closed */
	char cbuf[CMSG_SPACE(sizeof(int) * 2 * VFIO_USER_RECV_FDS)];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh;
	ssize_t r;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	do {
		r = recvmsg(sock_fd(t), &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	take_fds(&mh, fds, nfds, max_fds, fds_lost);
	return r;
}

static ssize_t
sock_send(struct vfio_user_tran *t, const void *buf, size_t len,
		const int *fds, uint32_t nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * VFIO_USER_RECV_FDS)];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf,
		.iov_len = len };
	struct msghdr mh;
	ssize_t r;

	if (nfds > VFIO_USER_RECV_FDS)
		return -EINVAL;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do {
		r = sendmsg(sock_fd(t), &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return r;
}

static int
sock_poll_fd(const struct vfio_user_tran *t)
{
	return sock_fd(t);
}

static uint32_t
sock_poll_events(const struct vfio_user_tran *t __rte_unused, bool rd,
		bool wr)
{
	/* hang-up and errors are always reported */
	return (rd ? POLLIN : 0) | (wr ? POLLOUT : 0);
}

static void
sock_ack(struct vfio_user_tran *t __rte_unused)
{
}

static bool
sock_peer_gone(const struct vfio_user_tran *t)
{
	struct pollfd p = { .fd = sock_fd(t), .events = POLLRDHUP };

	return poll(&p, 1, 0) == 1 &&
		(p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

static void
sock_close(struct vfio_user_tran *t)
{
	close(sock_fd(t));
	free(t);
}

static const struct vfio_user_tran_ops sock_ops = {
	.name = "unix",
	.recv = sock_recv,
	.send = sock_send,
	.poll_fd = sock_poll_fd,
	.poll_events = sock_poll_events,
	.ack = sock_ack,
	.peer_gone = sock_peer_gone,
	.close = sock_close,
};

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_tran_sock_new)
struct vfio_user_tran *
vfio_user_tran_sock_new(int fd)
{
	struct tran_sock *s;
	int fl;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->base.ops = &sock_ops;
	s->fd = fd;
	return &s->base;
}

static int
fill_addr(struct sockaddr_un *un, const char *path)
{
	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	if (path == NULL || path[0] == '\0' ||
			strlen(path) >= sizeof(un->sun_path))
		return -ENAMETOOLONG;
	strcpy(un->sun_path, path);
	return 0;
}

int
vfio_user_sock_connect(const char *path)
{
	struct sockaddr_un un;
	int fd, r;

	r = fill_addr(&un, path);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int
vfio_user_sock_accept(int listen_fd)
{
	int fd;

	do {
		fd = accept4(listen_fd, NULL, NULL,
			SOCK_CLOEXEC | SOCK_NONBLOCK);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return fd;
}

int
vfio_user_sock_check(const char *path)
{
	struct sockaddr_un un;
	struct stat st;
	int fd, r;

	r = fill_addr(&un, path);
	if (r < 0) {
		VFIO_USER_LOG(ERR, "socket path missing or longer than %zu bytes",
			sizeof(un.sun_path) - 1);
		return r;
	}
	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		VFIO_USER_LOG(ERR,
			"%s exists and is not a socket: not replacing it", path);
		return -EEXIST;
	}
	/* a socket: in use if something accepts connections */
	fd = vfio_user_sock_connect(path);
	if (fd >= 0) {
		close(fd);
		VFIO_USER_LOG(ERR, "%s is in use by another server", path);
		return -EEXIST;
	}
	return 1;
}

int
vfio_user_sock_listen(const char *path)
{
	struct sockaddr_un un;
	int fd, r;

	r = vfio_user_sock_check(path);
	if (r < 0)
		return r;
	if (r == 1) {
		VFIO_USER_LOG(INFO, "removing stale socket %s", path);
		if (unlink(path) < 0 && errno != ENOENT) {
			r = -errno;
			VFIO_USER_LOG(ERR, "cannot remove %s: %s", path,
				strerror(errno));
			return r;
		}
	}
	fill_addr(&un, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* the bound file takes the socket inode's mode: owner only */
	if (fchmod(fd, 0600) < 0 ||
			bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
		r = -errno;
		VFIO_USER_LOG(ERR, "cannot create socket %s: %s", path,
			strerror(-r));
		close(fd);
		return r;
	}
	if (chmod(path, 0600) < 0 || listen(fd, 4) < 0) {
		r = -errno;
		VFIO_USER_LOG(ERR, "cannot listen on %s: %s", path,
			strerror(-r));
		unlink(path);
		close(fd);
		return r;
	}
	return fd;
}
