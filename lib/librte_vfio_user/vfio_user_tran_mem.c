/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/*
 * In-memory transport: two connected ends with a bounded byte queue per
 * direction and fds attached to byte positions, delivered the way a UNIX
 * stream socket delivers SCM_RIGHTS (with the read that returns their
 * byte, a read never spanning two fd-carrying sends). Each end has an
 * eventfd "doorbell" rung by the other end on every change, which is what
 * poll/epoll wait on. Thread safe.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <unistd.h>

#include <rte_common.h>

#include "emu_compat.h"
#include "vfio_user_tran.h"

#define MEM_BUF_MIN 4096u

struct mem_fd {
	STAILQ_ENTRY(mem_fd) next;
	uint64_t pos;		/* absolute stream offset of its byte */
	int fd;
};

/* Bytes written by one end, read by the other. */
struct mem_dir {
	uint8_t *buf;
	size_t alloc;
	size_t head;		/* first unread byte in buf */
	size_t len;		/* unread bytes */
	uint64_t rd_total;	/* stream offset of buf[head] */
	STAILQ_HEAD(, mem_fd) fds;
	bool eof;		/* writer closed or shut down */
};

struct mem_pipe {
	pthread_mutex_t lock;
	size_t capacity;
	struct mem_dir dir[2];	/* dir[i] is written by end i */
	int bell[2];		/* eventfd of end i */
	bool closed[2];
	int refs;
};

struct tran_mem {
	struct vfio_user_tran base;
	struct mem_pipe *p;
	int side;
};

static struct tran_mem *
to_mem(const struct vfio_user_tran *t)
{
	return (struct tran_mem *)(uintptr_t)t;
}

static void
ring(struct mem_pipe *p, int side)
{
	eventfd_write(p->bell[side], 1);
}

static void
dir_drop(struct mem_dir *d)
{
	struct mem_fd *f;

	while ((f = STAILQ_FIRST(&d->fds)) != NULL) {
		STAILQ_REMOVE_HEAD(&d->fds, next);
		close(f->fd);
		free(f);
	}
	d->rd_total += d->len;
	d->head = 0;
	d->len = 0;
}

static ssize_t
mem_recv(struct vfio_user_tran *t, void *buf, size_t len, int *fds,
		uint32_t *nfds, uint32_t max_fds, bool *fds_lost)
{
	struct tran_mem *m = to_mem(t);
	struct mem_pipe *p = m->p;
	struct mem_dir *d = &p->dir[1 - m->side];
	struct mem_fd *f;
	size_t n;

	pthread_mutex_lock(&p->lock);
	if (d->len == 0) {
		pthread_mutex_unlock(&p->lock);
		return d->eof ? 0 : -EAGAIN;
	}
	n = RTE_MIN(len, d->len);
	f = STAILQ_FIRST(&d->fds);
	if (f != NULL && f->pos == d->rd_total) {
		/* this read starts with an fd-carrying byte: take its fds */
		while ((f = STAILQ_FIRST(&d->fds)) != NULL &&
				f->pos == d->rd_total) {
			STAILQ_REMOVE_HEAD(&d->fds, next);
			if (*nfds < max_fds) {
				fds[(*nfds)++] = f->fd;
			} else {
				close(f->fd);
				*fds_lost = true;
			}
			free(f);
		}
	}
	/* never read into the next fd-carrying send */
	if (f != NULL && f->pos - d->rd_total < n)
		n = (size_t)(f->pos - d->rd_total);
	memcpy(buf, d->buf + d->head, n);
	d->head += n;
	d->len -= n;
	d->rd_total += n;
	if (d->len == 0)
		d->head = 0;
	pthread_mutex_unlock(&p->lock);
	ring(p, 1 - m->side);	/* room for the writer */
	return (ssize_t)n;
}

static ssize_t
mem_send(struct vfio_user_tran *t, const void *buf, size_t len,
		const int *fds, uint32_t nfds)
{
	struct tran_mem *m = to_mem(t);
	struct mem_pipe *p = m->p;
	struct mem_dir *d = &p->dir[m->side];
	struct mem_fd *f[VFIO_USER_TRAN_MEM_MAX_FDS];
	uint32_t i;
	size_t n;

	if (len == 0)
		return 0;
	if (nfds > RTE_DIM(f))
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	if (p->closed[1 - m->side]) {
		pthread_mutex_unlock(&p->lock);
		return -EPIPE;
	}
	if (d->eof) {
		pthread_mutex_unlock(&p->lock);
		return -EPIPE;
	}
	n = RTE_MIN(len, p->capacity - d->len);
	if (n == 0) {
		pthread_mutex_unlock(&p->lock);
		return -EAGAIN;
	}
	if (d->head + d->len + n > d->alloc) {
		size_t want = d->len + n;

		if (d->len > 0)
			memmove(d->buf, d->buf + d->head, d->len);
		d->head = 0;
		if (want > d->alloc) {
			size_t a = RTE_MAX(d->alloc * 2, (size_t)MEM_BUF_MIN);
			uint8_t *nb;

			while (a < want)
				a *= 2;
			a = RTE_MIN(a, p->capacity);
			nb = realloc(d->buf, a);
			if (nb == NULL) {
				pthread_mutex_unlock(&p->lock);
				return -ENOMEM;
			}
			d->buf = nb;
			d->alloc = a;
		}
	}
	/* every fd is duplicated before any is queued: all or nothing */
	for (i = 0; i < nfds; i++) {
		f[i] = malloc(sizeof(*f[i]));
		if (f[i] != NULL)
			f[i]->fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 0);
		if (f[i] == NULL || f[i]->fd < 0) {
			int r = f[i] == NULL ? -ENOMEM : -errno;

			free(f[i]);
			while (i-- > 0) {
				close(f[i]->fd);
				free(f[i]);
			}
			pthread_mutex_unlock(&p->lock);
			return r;
		}
	}
	for (i = 0; i < nfds; i++) {
		f[i]->pos = d->rd_total + d->len;
		STAILQ_INSERT_TAIL(&d->fds, f[i], next);
	}
	memcpy(d->buf + d->head + d->len, buf, n);
	d->len += n;
	pthread_mutex_unlock(&p->lock);
	ring(p, 1 - m->side);
	return (ssize_t)n;
}

static int
mem_poll_fd(const struct vfio_user_tran *t)
{
	const struct tran_mem *m = to_mem(t);

	return m->p->bell[m->side];
}

static uint32_t
mem_poll_events(const struct vfio_user_tran *t __rte_unused,
		bool rd __rte_unused, bool wr __rte_unused)
{
	/* one doorbell for every change, readable or writable */
	return POLLIN;
}

static void
mem_ack(struct vfio_user_tran *t)
{
	eventfd_t v;

	eventfd_read(mem_poll_fd(t), &v);
}

static bool
mem_peer_gone(const struct vfio_user_tran *t)
{
	const struct tran_mem *m = to_mem(t);
	bool gone;

	pthread_mutex_lock(&m->p->lock);
	gone = m->p->closed[1 - m->side] || m->p->dir[1 - m->side].eof;
	pthread_mutex_unlock(&m->p->lock);
	return gone;
}

static void
pipe_free(struct mem_pipe *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		dir_drop(&p->dir[i]);
		free(p->dir[i].buf);
		if (p->bell[i] >= 0)
			close(p->bell[i]);
	}
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static void
mem_close(struct vfio_user_tran *t)
{
	struct tran_mem *m = to_mem(t);
	struct mem_pipe *p = m->p;
	int refs;

	pthread_mutex_lock(&p->lock);
	p->closed[m->side] = true;
	p->dir[m->side].eof = true;
	/* nobody reads what was sent to this end any more */
	dir_drop(&p->dir[1 - m->side]);
	refs = --p->refs;
	pthread_mutex_unlock(&p->lock);
	if (refs == 0)
		pipe_free(p);
	else
		ring(p, 1 - m->side);
	free(m);
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_tran_mem_shutdown)
void
vfio_user_tran_mem_shutdown(struct vfio_user_tran *t)
{
	struct tran_mem *m = to_mem(t);

	pthread_mutex_lock(&m->p->lock);
	m->p->dir[m->side].eof = true;
	pthread_mutex_unlock(&m->p->lock);
	ring(m->p, 1 - m->side);
}

static const struct vfio_user_tran_ops mem_ops = {
	.name = "memory",
	.recv = mem_recv,
	.send = mem_send,
	.poll_fd = mem_poll_fd,
	.poll_events = mem_poll_events,
	.ack = mem_ack,
	.peer_gone = mem_peer_gone,
	.close = mem_close,
};

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_tran_mem_pair)
int
vfio_user_tran_mem_pair(struct vfio_user_tran **a, struct vfio_user_tran **b,
		size_t capacity)
{
	struct tran_mem *e[2] = { NULL, NULL };
	struct mem_pipe *p;
	int i;

	if (a == NULL || b == NULL || capacity == 0)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	p->capacity = capacity;
	p->refs = 2;
	for (i = 0; i < 2; i++) {
		STAILQ_INIT(&p->dir[i].fds);
		p->bell[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		e[i] = calloc(1, sizeof(*e[i]));
	}
	if (p->bell[0] < 0 || p->bell[1] < 0 || e[0] == NULL || e[1] == NULL) {
		free(e[0]);
		free(e[1]);
		pipe_free(p);
		return -ENOMEM;
	}
	for (i = 0; i < 2; i++) {
		e[i]->base.ops = &mem_ops;
		e[i]->p = p;
		e[i]->side = i;
	}
	*a = &e[0]->base;
	*b = &e[1]->base;
	return 0;
}
