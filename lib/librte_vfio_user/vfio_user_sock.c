/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>

#include "rte_vfio_user.h"
#include "vfio_user_log.h"
#include "vfio_user_sock.h"

void
vfio_user_rx_init(struct vfio_user_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}

/* Drop a partially received message and every fd that came with it. */
void
vfio_user_rx_reset(struct vfio_user_rx *rx)
{
	uint32_t i;

	for (i = 0; i < rx->nfds; i++)
		close(rx->fds[i]);
	if (rx->msg != NULL)
		vfio_user_msg_free(rx->msg);
	vfio_user_rx_init(rx);
}

void
vfio_user_msg_close_fds(struct vfio_user_msg *m)
{
	uint32_t i;

	for (i = 0; i < m->nfds; i++) {
		if (m->fds[i] >= 0)
			close(m->fds[i]);
		m->fds[i] = -1;
	}
	m->nfds = 0;
}

void
vfio_user_msg_free(struct vfio_user_msg *m)
{
	if (m == NULL)
		return;
	vfio_user_msg_close_fds(m);
	free(m->buf);
	free(m);
}

/* Keep the fds of one recvmsg(); extra ones are closed and flagged. */
static void
rx_take_fds(struct vfio_user_rx *rx, struct msghdr *mh)
{
	struct cmsghdr *c;

	if (mh->msg_flags & MSG_CTRUNC)
		rx->fds_truncated = true;
	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t n, i;
		int *p;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		p = (int *)CMSG_DATA(c);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, &p[i], sizeof(fd));
			if (rx->nfds < RTE_DIM(rx->fds)) {
				rx->fds[rx->nfds++] = fd;
			} else {
				close(fd);
				rx->fds_truncated = true;
			}
		}
	}
}

static ssize_t
rx_read(int fd, struct vfio_user_rx *rx, void *buf, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int) * VFIO_USER_RECV_FDS)];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh;
	ssize_t r;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	do {
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	rx_take_fds(rx, &mh);
	return r;
}

int
vfio_user_sock_recv(int fd, struct vfio_user_rx *rx, uint32_t max_size,
		struct vfio_user_msg **out)
{
	struct vfio_user_msg *m;
	ssize_t r;

	*out = NULL;
	while (rx->hdr_got < VFIO_USER_HDR_SZ) {
		r = rx_read(fd, rx, (uint8_t *)&rx->hdr + rx->hdr_got,
			VFIO_USER_HDR_SZ - rx->hdr_got);
		if (r == -EAGAIN || r == -EWOULDBLOCK)
			return 0;
		if (r < 0)
			return r;
		if (r == 0)
			return -ECONNRESET;
		rx->hdr_got += r;
	}
	if (rx->msg == NULL) {
		if (rx->hdr.size < VFIO_USER_HDR_SZ || rx->hdr.size > max_size)
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
		memcpy(m->buf, &rx->hdr, VFIO_USER_HDR_SZ);
		rx->msg = m;
		rx->got = VFIO_USER_HDR_SZ;
	}
	m = rx->msg;
	while (rx->got < m->size) {
		r = rx_read(fd, rx, m->buf + rx->got, m->size - rx->got);
		if (r == -EAGAIN || r == -EWOULDBLOCK)
			return 0;
		if (r < 0)
			return r;
		if (r == 0)
			return -ECONNRESET;
		rx->got += r;
	}
	/* complete: hand the message and its fds over */
	memcpy(m->fds, rx->fds, sizeof(int) * rx->nfds);
	m->nfds = rx->nfds;
	m->fds_truncated = rx->fds_truncated;
	rx->nfds = 0;
	rx->msg = NULL;
	vfio_user_rx_init(rx);
	*out = m;
	return 1;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
wait_fd(int fd, short ev, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int64_t left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left < 0)
			left = 0;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		return 0;
	}
}

int
vfio_user_sock_recv_wait(int fd, struct vfio_user_rx *rx, uint32_t max_size,
		struct vfio_user_msg **out, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	int r;

	for (;;) {
		r = vfio_user_sock_recv(fd, rx, max_size, out);
		if (r != 0)
			return r;
		r = wait_fd(fd, POLLIN, deadline);
		if (r < 0)
			return r;
	}
}

int
vfio_user_sock_send(int fd, const void *buf, uint32_t len, const int *fds,
		uint32_t nfds, int timeout_ms)
{
	char cbuf[CMSG_SPACE(sizeof(int) * VFIO_USER_RECV_FDS)];
	int64_t deadline = now_ms() + timeout_ms;
	const uint8_t *p = buf;
	uint32_t done = 0;
	ssize_t r;

	if (nfds > VFIO_USER_RECV_FDS)
		return -EINVAL;
	while (done < len) {
		struct iovec iov = {
			.iov_base = (void *)(uintptr_t)(p + done),
			.iov_len = len - done,
		};
		struct msghdr mh;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if (done == 0 && nfds > 0) {
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
		r = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				int w = wait_fd(fd, POLLOUT, deadline);

				if (w < 0)
					return w;
				continue;
			}
			return -errno;
		}
		done += r;
	}
	return 0;
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
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int
vfio_user_sock_listen(const char *path)
{
	struct sockaddr_un un;
	struct stat st;
	int fd, r;

	r = fill_addr(&un, path);
	if (r < 0) {
		VFIO_USER_LOG(ERR, "socket path missing or too long");
		return r;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			VFIO_USER_LOG(ERR,
				"%s exists and is not a socket: not replacing it",
				path);
			return -EEXIST;
		}
		/* a socket: in use if something accepts connections */
		fd = vfio_user_sock_connect(path);
		if (fd >= 0) {
			close(fd);
			VFIO_USER_LOG(ERR, "%s is in use by another server",
				path);
			return -EEXIST;
		}
		VFIO_USER_LOG(INFO, "removing stale socket %s", path);
		if (unlink(path) < 0 && errno != ENOENT) {
			r = -errno;
			VFIO_USER_LOG(ERR, "cannot remove %s: %s", path,
				strerror(errno));
			return r;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* the bound file takes the socket inode's mode: owner only */
	if (fchmod(fd, 0600) < 0)
		goto err;
	if (bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0)
		goto err;
	if (chmod(path, 0600) < 0 || listen(fd, 4) < 0) {
		r = -errno;
		unlink(path);
		close(fd);
		return r;
	}
	return fd;
err:
	r = -errno;
	VFIO_USER_LOG(ERR, "cannot create socket %s: %s", path, strerror(-r));
	close(fd);
	return r;
}

bool
vfio_user_fd_is_eventfd(int fd)
{
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:[eventfd]") == 0;
}

/* A DMA fd must be a regular file (memfd, shm, hugetlbfs) covering
 * [offset, offset + size): touching a mapping past EOF would SIGBUS.
 */
int
vfio_user_fd_check_mappable(int fd, uint64_t offset, uint64_t size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADF;
	if (st.st_size < 0 || (uint64_t)st.st_size < offset ||
			(uint64_t)st.st_size - offset < size)
		return -EINVAL;
	return 0;
}
