/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/* Interrupts: GET_IRQ_INFO, SET_IRQS, eventfd triggering. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_common.h>

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
vfio_user_irq_handle_info(struct vfio_user_dev *dev, struct vfio_user_msg *msg,
		struct vfio_irq_info *reply)
{
	struct vfio_irq_info req;

	if (vfio_user_msg_payload_len(msg) < VFIO_USER_IRQ_INFO_SZ)
		return -EINVAL;
	memcpy(&req, vfio_user_msg_payload(msg), sizeof(req));
	if (req.argsz < sizeof(req))
		return -EINVAL;
	if (req.index >= RTE_VFIO_USER_NUM_IRQS)
		return -EINVAL;
	memset(reply, 0, sizeof(*reply));
	reply->argsz = sizeof(*reply);
	reply->index = req.index;
	reply->count = dev->irqs[req.index].count;
	reply->flags = dev->desc.irq_flags[req.index];
	return 0;
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
vfio_user_irq_handle_set(struct vfio_user_dev *dev, struct vfio_user_msg *msg)
{
	uint32_t plen = vfio_user_msg_payload_len(msg);
	const uint8_t *bools = vfio_user_msg_payload(msg) + VFIO_USER_IRQ_SET_SZ;
	struct vfio_irq_set req;
	struct vfio_user_irq *irq;
	uint32_t data, action, i, v;

	if (plen < VFIO_USER_IRQ_SET_SZ)
		return -EINVAL;
	memcpy(&req, vfio_user_msg_payload(msg), VFIO_USER_IRQ_SET_SZ);
	if (req.argsz < VFIO_USER_IRQ_SET_SZ || req.argsz > plen)
		return -EINVAL;
	data = req.flags & IRQ_SET_DATA_MASK;
	action = req.flags & IRQ_SET_ACTION_MASK;
	/* exactly one data type and one action, nothing else */
	if ((req.flags & ~(IRQ_SET_DATA_MASK | IRQ_SET_ACTION_MASK)) ||
			!rte_is_power_of_2(data) || !rte_is_power_of_2(action))
		return -EINVAL;
	if (req.index >= RTE_VFIO_USER_NUM_IRQS)
		return -EINVAL;
	irq = &dev->irqs[req.index];
	if (msg->nfds > 0 && data != VFIO_IRQ_SET_DATA_EVENTFD)
		return -EINVAL;

	if (req.count == 0) {
		/* "count 0 with DATA_NONE | ACTION_TRIGGER disables the index" */
		if (data != VFIO_IRQ_SET_DATA_NONE ||
				action != VFIO_IRQ_SET_ACTION_TRIGGER ||
				req.start != 0 || plen != VFIO_USER_IRQ_SET_SZ)
			return -EINVAL;
		vfio_user_lock_dp(dev, true);
		for (v = 0; v < irq->count; v++) {
			if (irq->fds[v] >= 0)
				close(irq->fds[v]);
			irq->fds[v] = -1;
			irq->masked[v] = 0;
			irq->pending[v] = 0;
		}
		if (dev->ops.irq_update != NULL && irq->count > 0)
			dev->ops.irq_update(dev->id, req.index, 0, irq->count);
		vfio_user_lock_dp(dev, false);
		return 0;
	}
	if (req.start >= irq->count || req.count > irq->count - req.start)
		return -EINVAL;

	switch (data) {
	case VFIO_IRQ_SET_DATA_NONE:
		if (plen != VFIO_USER_IRQ_SET_SZ)
			return -EINVAL;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		if (plen != VFIO_USER_IRQ_SET_SZ + req.count)
			return -EINVAL;
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		/* fds travel as ancillary data; none means de-assign */
		if (plen != VFIO_USER_IRQ_SET_SZ)
			return -EINVAL;
		if (msg->nfds != 0 && msg->nfds != req.count)
			return -EINVAL;
		if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
			return -ENOTSUP;	/* (un)mask eventfds: not supported */
		for (i = 0; i < msg->nfds; i++) {
			if (!vfio_user_fd_is_eventfd(msg->fds[i])) {
				VFIO_USER_DEV_LOG_ONCE(dev, VFIO_USER_LOG_BAD_FD,
					ERR, "SET_IRQS fd is not an eventfd");
				return -EINVAL;
			}
		}
		break;
	}

	vfio_user_lock_dp(dev, true);
	for (i = 0; i < req.count; i++) {
		bool sel = data != VFIO_IRQ_SET_DATA_BOOL || bools[i] != 0;

		v = req.start + i;
		if (data == VFIO_IRQ_SET_DATA_EVENTFD) {
			if (irq->fds[v] >= 0)
				close(irq->fds[v]);
			irq->fds[v] = -1;
			if (msg->nfds > 0) {
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
	if (dev->ops.irq_update != NULL)
		dev->ops.irq_update(dev->id, req.index, req.start, req.count);
	vfio_user_lock_dp(dev, false);
	return 0;
}

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
