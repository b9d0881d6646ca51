/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/* Interrupts: GET_IRQ_INFO, SET_IRQS, eventfd triggering. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_bitops.h>
#include <rte_common.h>

#include "emu_compat.h"
#include "vfio_user_dev.h"

#define IRQ_SET_DATA_MASK (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL | \
	VFIO_IRQ_SET_DATA_EVENTFD)
#define IRQ_SET_ACTION_MASK (VFIO_IRQ_SET_ACTION_MASK | \
	VFIO_IRQ_SET_ACTION_UNMASK | VFIO_IRQ_SET_ACTION_TRIGGER)

int
vfio_user_irq_init(struct vfio_user_dev *dev)
{
	uint32_t i, j;

	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++) {
		struct vfio_user_irq *irq = &dev->irqs[i];
		uint32_t n = dev->desc.irq_count[i];

		irq->count = n;
		if (n == 0)
			continue;
		irq->fds = calloc(n, sizeof(int));
		irq->masked = calloc(n, 1);
		irq->pending = calloc(n, 1);
		if (irq->fds == NULL || irq->masked == NULL ||
				irq->pending == NULL)
			return -ENOMEM;
		for (j = 0; j < n; j++)
			irq->fds[j] = -1;
	}
	return 0;
}

void
vfio_user_irq_fini(struct vfio_user_dev *dev)
{
	uint32_t i;

	vfio_user_irq_close_all(dev);
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++) {
		free(dev->irqs[i].fds);
		free(dev->irqs[i].masked);
		free(dev->irqs[i].pending);
		memset(&dev->irqs[i], 0, sizeof(dev->irqs[i]));
	}
}

/* Caller holds the lock_dp window. */
void
vfio_user_irq_close_all(struct vfio_user_dev *dev)
{
	uint32_t i, j;

	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++) {
		struct vfio_user_irq *irq = &dev->irqs[i];

		for (j = 0; j < irq->count; j++) {
			if (irq->fds[j] >= 0)
				close(irq->fds[j]);
			irq->fds[j] = -1;
			irq->masked[j] = 0;
			irq->pending[j] = 0;
		}
	}
}

int
vfio_user_irq_info_check(struct vfio_user_dev *dev __rte_unused,
		struct vfio_user_req *req)
{
	struct vfio_irq_info in;

	memcpy(&in, req->data, sizeof(in));
	if (in.argsz < sizeof(in) || in.index >= RTE_VFIO_USER_NUM_IRQS)
		return -EINVAL;
	return 0;
}

int
vfio_user_irq_info_apply(struct vfio_user_dev *dev, struct vfio_user_req *req)
{
	struct vfio_irq_info in, *out;

	memcpy(&in, req->data, sizeof(in));
	out = vfio_user_req_reply(req, sizeof(*out));
	if (out == NULL)
		return -ENOMEM;
	out->argsz = sizeof(*out);
	out->index = in.index;
	out->count = dev->irqs[in.index].count;
	out->flags = dev->desc.irq_flags[in.index];
	return 0;
}

static bool
fd_is_eventfd(int fd)
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

static void
irq_fire(struct vfio_user_irq *irq, uint32_t v)
{
	if (irq->masked[v]) {
		irq->pending[v] = 1;
		return;
	}
	if (irq->fds[v] >= 0)
		eventfd_write(irq->fds[v], 1);
}

int
vfio_user_irq_set_check(struct vfio_user_dev *dev, struct vfio_user_req *req)
{
	const struct vfio_user_msg *msg = req->msg;
	struct vfio_irq_set s;
	uint32_t data, action, i;

	memcpy(&s, req->data, VFIO_USER_IRQ_SET_SZ);
	if (s.argsz < VFIO_USER_IRQ_SET_SZ || s.argsz > req->len)
		return -EINVAL;
	data = s.flags & IRQ_SET_DATA_MASK;
	action = s.flags & IRQ_SET_ACTION_MASK;
	/* exactly one data type and one action, nothing else */
	if ((s.flags & ~(IRQ_SET_DATA_MASK | IRQ_SET_ACTION_MASK)) ||
			!rte_is_power_of_2(data) || !rte_is_power_of_2(action))
		return -EINVAL;
	if (s.index >= RTE_VFIO_USER_NUM_IRQS)
		return -EINVAL;
	if (msg->nfds > 0 && data != VFIO_IRQ_SET_DATA_EVENTFD)
		return -EINVAL;
	if (s.count == 0) {
		/* "count 0 with DATA_NONE | ACTION_TRIGGER disables the index" */
		if (data != VFIO_IRQ_SET_DATA_NONE ||
				action != VFIO_IRQ_SET_ACTION_TRIGGER ||
				s.start != 0 || req->len != VFIO_USER_IRQ_SET_SZ)
			return -EINVAL;
		return 0;
	}
	if (s.start >= dev->irqs[s.index].count ||
			s.count > dev->irqs[s.index].count - s.start)
		return -EINVAL;
	switch (data) {
	case VFIO_IRQ_SET_DATA_NONE:
		return req->len == VFIO_USER_IRQ_SET_SZ ? 0 : -EINVAL;
	case VFIO_IRQ_SET_DATA_BOOL:
		return req->len == VFIO_USER_IRQ_SET_SZ + s.count ? 0 : -EINVAL;
	default: /* VFIO_IRQ_SET_DATA_EVENTFD */
		/* fds travel as ancillary data; none means de-assign */
		if (req->len != VFIO_USER_IRQ_SET_SZ)
			return -EINVAL;
		if (msg->nfds != 0 && msg->nfds != s.count)
			return -EINVAL;
		if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
			return -ENOTSUP;	/* (un)mask eventfds */
		for (i = 0; i < msg->nfds; i++) {
			if (!fd_is_eventfd(msg->fds[i])) {
				VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_FD,
					ERR, "SET_IRQS fd is not an eventfd");
				return -EINVAL;
			}
		}
		return 0;
	}
}

int
vfio_user_irq_set_apply(struct vfio_user_dev *dev, struct vfio_user_req *req)
{
	struct vfio_user_msg *msg = req->msg;
	const uint8_t *bools = req->data + VFIO_USER_IRQ_SET_SZ;
	struct vfio_user_irq *irq;
	struct vfio_irq_set s;
	uint32_t data, action, i, v, start, count;
	int fl;

	memcpy(&s, req->data, VFIO_USER_IRQ_SET_SZ);
	data = s.flags & IRQ_SET_DATA_MASK;
	action = s.flags & IRQ_SET_ACTION_MASK;
	irq = &dev->irqs[s.index];
	start = s.start;
	count = s.count;
	if (count == 0) {
		start = 0;
		count = irq->count;
		data = VFIO_IRQ_SET_DATA_EVENTFD;	/* de-assign all */
	}
	for (i = 0; i < count; i++) {
		bool sel = data != VFIO_IRQ_SET_DATA_BOOL || bools[i] != 0;

		v = start + i;
		if (data == VFIO_IRQ_SET_DATA_EVENTFD) {
			if (irq->fds[v] >= 0)
				close(irq->fds[v]);
			irq->fds[v] = -1;
			if (s.count == 0) {
				irq->masked[v] = 0;
				irq->pending[v] = 0;
			} else if (msg->nfds > 0) {
				/*
				 * Our writes must never block a data-path
				 * thread on a counter the client filled.
				 */
				fl = fcntl(msg->fds[i], F_GETFL);
				if (fl >= 0 && !(fl & O_NONBLOCK))
					fcntl(msg->fds[i], F_SETFL,
						fl | O_NONBLOCK);
				irq->fds[v] = msg->fds[i];
				msg->fds[i] = -1;	/* taken */
			}
			continue;
		}
		if (!sel)
			continue;
		switch (action) {
		case VFIO_IRQ_SET_ACTION_MASK:
			irq->masked[v] = 1;
			break;
		case VFIO_IRQ_SET_ACTION_UNMASK:
			irq->masked[v] = 0;
			if (irq->pending[v]) {
				irq->pending[v] = 0;
				irq_fire(irq, v);
			}
			break;
		case VFIO_IRQ_SET_ACTION_TRIGGER:
			irq_fire(irq, v);
			break;
		}
	}
	if (dev->ops.irq_update != NULL && count > 0)
		dev->ops.irq_update(dev->id, s.index, start, count);
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_irq_trigger, 22.11)
int
rte_vfio_user_irq_trigger(int dev_id, uint32_t index, uint32_t subindex)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);
	struct vfio_user_irq *irq;
	int fd;

	if (dev == NULL || index >= RTE_VFIO_USER_NUM_IRQS)
		return -EINVAL;
	irq = &dev->irqs[index];
	if (subindex >= irq->count)
		return -EINVAL;
	fd = irq->fds[subindex];
	if (fd < 0)
		return -ENOENT;
	if (irq->masked[subindex]) {
		irq->pending[subindex] = 1;
		return 0;
	}
	if (eventfd_write(fd, 1) < 0)
		return -errno;
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_irq_get_state, 22.11)
int
rte_vfio_user_irq_get_state(int dev_id, uint32_t index, uint32_t subindex,
		bool *has_fd, bool *masked)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);
	struct vfio_user_irq *irq;

	if (dev == NULL || index >= RTE_VFIO_USER_NUM_IRQS)
		return -EINVAL;
	irq = &dev->irqs[index];
	if (subindex >= irq->count)
		return -EINVAL;
	if (has_fd != NULL)
		*has_fd = irq->fds[subindex] >= 0;
	if (masked != NULL)
		*masked = irq->masked[subindex] != 0;
	return 0;
}
