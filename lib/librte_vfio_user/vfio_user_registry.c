/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/*
 * Device registry: the table of device ids, its lock, the lookups the API,
 * the command handlers and telemetry use, and the per-device hooks they
 * share (the serving-thread test, the data-path lock). The server adds and
 * removes devices (vfio_user_server.c); everything else only looks up.
 */

#include <errno.h>
#include <pthread.h>

#include <rte_common.h>
#include <rte_thread.h>

#include "emu_compat.h"
#include "vfio_user_dev.h"

static RTE_ATOMIC(struct vfio_user_dev *) devs[RTE_VFIO_USER_MAX_DEVICES];
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;

void
vfio_user_reg_lock(void)
{
	pthread_mutex_lock(&reg_lock);
}

void
vfio_user_reg_unlock(void)
{
	pthread_mutex_unlock(&reg_lock);
}

int
vfio_user_reg_free_id(void)
{
	int id;

	for (id = 0; id < RTE_VFIO_USER_MAX_DEVICES; id++)
		if (vfio_user_dev_get(id) == NULL)
			return id;
	return -ENOSPC;
}

void
vfio_user_reg_set(int dev_id, struct vfio_user_dev *dev)
{
	rte_atomic_store_explicit(&devs[dev_id], dev,
		rte_memory_order_release);
}

struct vfio_user_dev *
vfio_user_dev_get(int dev_id)
{
	if (dev_id < 0 || dev_id >= RTE_VFIO_USER_MAX_DEVICES)
		return NULL;
	return rte_atomic_load_explicit(&devs[dev_id],
		rte_memory_order_acquire);
}

void
vfio_user_dev_foreach(void (*fn)(struct vfio_user_dev *, void *), void *arg)
{
	struct vfio_user_dev *dev;
	int i;

	pthread_mutex_lock(&reg_lock);
	for (i = 0; i < RTE_VFIO_USER_MAX_DEVICES; i++) {
		dev = vfio_user_dev_get(i);
		if (dev != NULL)
			fn(dev, arg);
	}
	pthread_mutex_unlock(&reg_lock);
}

int
vfio_user_dev_with(int dev_id, void (*fn)(struct vfio_user_dev *, void *),
		void *arg)
{
	struct vfio_user_dev *dev;
	int r = -ENODEV;

	pthread_mutex_lock(&reg_lock);
	dev = vfio_user_dev_get(dev_id);
	if (dev != NULL) {
		fn(dev, arg);
		r = 0;
	}
	pthread_mutex_unlock(&reg_lock);
	return r;
}

bool
vfio_user_dev_on_ctl_thread(const struct vfio_user_dev *dev)
{
	return dev->owner_set &&
		rte_thread_equal(rte_thread_self(), dev->owner) != 0;
}

void
vfio_user_lock_dp(struct vfio_user_dev *dev, bool lock)
{
	if (dev->ops.lock_dp != NULL)
		dev->ops.lock_dp(dev->id, lock);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_get_priv, 22.11)
void *
rte_vfio_user_get_priv(int dev_id)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);

	return dev != NULL ? dev->desc.priv : NULL;
}
