/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2025 The DPDK device emulation authors
 */

/* Device table, allocation, life cycle and queries of emulated devices. */

#include <errno.h>
#include <string.h>

#include <dev_driver.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_spinlock.h>
#include <rte_string_fns.h>

#include "rte_emudev.h"
#include "rte_emudev_driver.h"
#include "emudev_private.h"

RTE_LOG_REGISTER_DEFAULT(emudev_logtype, NOTICE);

static struct rte_emudev emudevs[RTE_MAX_EMUDEV];

/* Serialises allocation and release against lookups by name. */
static rte_spinlock_t emudev_table_lock = RTE_SPINLOCK_INITIALIZER;

static enum rte_emudev_state
emudev_state(const struct rte_emudev *dev)
{
	return rte_atomic_load_explicit(EMUDEV_ATOMIC(dev->state),
		rte_memory_order_acquire);
}

static void
emudev_set_state(struct rte_emudev *dev, enum rte_emudev_state state)
{
	rte_atomic_store_explicit(EMUDEV_ATOMIC(dev->state), state,
		rte_memory_order_release);
}

/*
 * Operations of dev, read once: a query racing with the release of the
 * device then sees either the provider's operations or none.
 */
static const struct rte_emudev_ops *
emudev_ops(const struct rte_emudev *dev)
{
	return rte_atomic_load_explicit(EMUDEV_ATOMIC(dev->ops),
		rte_memory_order_acquire);
}

struct rte_emudev *
emudev_get_used(uint16_t dev_id)
{
	if (dev_id >= RTE_MAX_EMUDEV)
		return NULL;
	if (emudev_state(&emudevs[dev_id]) == RTE_EMUDEV_UNUSED)
		return NULL;
	return &emudevs[dev_id];
}

const char *
emudev_state_name(enum rte_emudev_state state)
{
	switch (state) {
	case RTE_EMUDEV_UNUSED:
		return "unused";
	case RTE_EMUDEV_ALLOCATED:
		return "allocated";
	case RTE_EMUDEV_CONFIGURED:
		return "configured";
	case RTE_EMUDEV_STARTED:
		return "started";
	}
	return "invalid";
}

/* Slot holding name; caller holds emudev_table_lock. */
static struct rte_emudev *
emudev_find_by_name(const char *name)
{
	uint16_t i;

	for (i = 0; i < RTE_MAX_EMUDEV; i++) {
		if (emudev_state(&emudevs[i]) != RTE_EMUDEV_UNUSED &&
				strcmp(emudevs[i].name, name) == 0)
			return &emudevs[i];
	}
	return NULL;
}

static bool
emudev_name_valid(const char *name)
{
	if (name == NULL || name[0] == '\0')
		return false;
	return strnlen(name, RTE_EMUDEV_NAME_MAX_LEN) < RTE_EMUDEV_NAME_MAX_LEN;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_emudev_allocate)
struct rte_emudev *
rte_emudev_allocate(const char *name, uint16_t dev_id)
{
	struct rte_emudev *dev = NULL;
	uint16_t i;

	if (!emudev_name_valid(name)) {
		EMUDEV_LOG(ERR, "invalid device name");
		rte_errno = EINVAL;
		return NULL;
	}
	if (dev_id != RTE_EMUDEV_ID_ANY && dev_id >= RTE_MAX_EMUDEV) {
		EMUDEV_LOG(ERR, "%s: device id %u out of range (max %u)",
			name, dev_id, RTE_MAX_EMUDEV - 1);
		rte_errno = EINVAL;
		return NULL;
	}

	rte_spinlock_lock(&emudev_table_lock);
	if (emudev_find_by_name(name) != NULL) {
		rte_spinlock_unlock(&emudev_table_lock);
		EMUDEV_LOG(ERR, "device name %s already in use", name);
		rte_errno = EEXIST;
		return NULL;
	}
	if (dev_id != RTE_EMUDEV_ID_ANY) {
		if (emudev_state(&emudevs[dev_id]) != RTE_EMUDEV_UNUSED) {
			rte_spinlock_unlock(&emudev_table_lock);
			EMUDEV_LOG(ERR, "%s: device id %u already in use",
				name, dev_id);
			rte_errno = EEXIST;
			return NULL;
		}
		dev = &emudevs[dev_id];
	} else {
		for (i = 0; i < RTE_MAX_EMUDEV; i++) {
			if (emudev_state(&emudevs[i]) == RTE_EMUDEV_UNUSED) {
				dev = &emudevs[i];
				break;
			}
		}
		if (dev == NULL) {
			rte_spinlock_unlock(&emudev_table_lock);
			EMUDEV_LOG(ERR, "%s: no free device slot", name);
			rte_errno = ENOSPC;
			return NULL;
		}
	}

	memset(dev, 0, sizeof(*dev));
	dev->dev_id = dev - emudevs;
	strlcpy(dev->name, name, sizeof(dev->name));
	emudev_events_init(dev);
	emudev_set_state(dev, RTE_EMUDEV_ALLOCATED);
	rte_spinlock_unlock(&emudev_table_lock);

	EMUDEV_LOG(DEBUG, "allocated %s as device %u", name, dev->dev_id);
	return dev;
}

/* dev points at a slot of the table that is in use. */
static bool
emudev_ptr_valid(const struct rte_emudev *dev)
{
	uintptr_t p = (uintptr_t)dev;
	uintptr_t first = (uintptr_t)&emudevs[0];

	if (dev == NULL || p < first || p > (uintptr_t)&emudevs[RTE_MAX_EMUDEV - 1])
		return false;
	if ((p - first) % sizeof(emudevs[0]) != 0)
		return false;
	return emudev_state(dev) != RTE_EMUDEV_UNUSED;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_emudev_release)
int
rte_emudev_release(struct rte_emudev *dev)
{
	uint16_t dev_id;

	if (!emudev_ptr_valid(dev))
		return -EINVAL;
	if (emudev_events_in_callback(dev)) {
		EMUDEV_LOG(ERR, "%s: release from within an event callback",
			dev->name);
		return -EBUSY;
	}
	dev_id = dev->dev_id;

	emudev_events_shutdown(dev);

	rte_spinlock_lock(&emudev_table_lock);
	emudev_set_state(dev, RTE_EMUDEV_UNUSED);
	dev->name[0] = '\0';
	dev->device = NULL;
	dev->ops = NULL;
	dev->type = NULL;
	dev->priv = NULL;
	dev->ready = false;
	rte_spinlock_unlock(&emudev_table_lock);

	EMUDEV_LOG(DEBUG, "released device %u", dev_id);
	return 0;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_emudev_allocated)
struct rte_emudev *
rte_emudev_allocated(const char *name)
{
	struct rte_emudev *dev;

	if (!emudev_name_valid(name))
		return NULL;
	rte_spinlock_lock(&emudev_table_lock);
	dev = emudev_find_by_name(name);
	rte_spinlock_unlock(&emudev_table_lock);
	return dev;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_emudev_get)
struct rte_emudev *
rte_emudev_get(uint16_t dev_id)
{
	return emudev_get_used(dev_id);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_count, 22.11)
uint16_t
rte_emudev_count(void)
{
	uint16_t i, count = 0;

	for (i = 0; i < RTE_MAX_EMUDEV; i++)
		if (emudev_state(&emudevs[i]) != RTE_EMUDEV_UNUSED)
			count++;
	return count;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_get_dev_id, 22.11)
int
rte_emudev_get_dev_id(const char *name)
{
	struct rte_emudev *dev;

	if (name == NULL || name[0] == '\0')
		return -EINVAL;
	dev = rte_emudev_allocated(name);
	return dev != NULL ? dev->dev_id : -ENODEV;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_is_valid_id, 22.11)
bool
rte_emudev_is_valid_id(uint16_t dev_id)
{
	return emudev_get_used(dev_id) != NULL;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_find_next, 22.11)
uint16_t
rte_emudev_find_next(uint16_t dev_id)
{
	while (dev_id < RTE_MAX_EMUDEV && emudev_get_used(dev_id) == NULL)
		dev_id++;
	return dev_id < RTE_MAX_EMUDEV ? dev_id : RTE_MAX_EMUDEV;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_info_get, 22.11)
int
rte_emudev_info_get(uint16_t dev_id, struct rte_emudev_info *info)
{
	struct rte_emudev *dev = emudev_get_used(dev_id);
	const struct rte_emudev_ops *ops;
	const struct rte_driver *drv;
	int ret;

	if (dev == NULL)
		return -ENODEV;
	ops = emudev_ops(dev);
	if (info == NULL)
		return -EINVAL;

	memset(info, 0, sizeof(*info));
	if (ops != NULL && ops->dev_info_get != NULL) {
		ret = ops->dev_info_get(dev, info);
		if (ret < 0)
			return ret;
	}

	/* The class owns these fields, whatever the provider wrote. */
	strlcpy(info->name, dev->name, sizeof(info->name));
	info->state = emudev_state(dev);
	info->ready = rte_atomic_load_explicit(EMUDEV_ATOMIC(dev->ready),
		rte_memory_order_acquire);
	if (dev->type != NULL)
		info->type = dev->type;
	if (dev->device != NULL) {
		drv = rte_dev_driver(dev->device);
		if (drv != NULL)
			info->driver_name = rte_driver_name(drv);
	}
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_configure, 22.11)
int
rte_emudev_configure(uint16_t dev_id, const struct rte_emudev_conf *conf)
{
	struct rte_emudev *dev = emudev_get_used(dev_id);
	const struct rte_emudev_ops *ops;
	int ret;

	if (dev == NULL)
		return -ENODEV;
	ops = emudev_ops(dev);
	if (conf == NULL || (conf->dev_conf == NULL) != (conf->conf_size == 0))
		return -EINVAL;
	if (ops == NULL || ops->dev_configure == NULL)
		return -ENOTSUP;
	if (emudev_state(dev) == RTE_EMUDEV_STARTED) {
		EMUDEV_LOG(ERR, "%s: cannot configure a started device",
			dev->name);
		return -EBUSY;
	}

	ret = ops->dev_configure(dev, conf);
	if (ret < 0) {
		EMUDEV_LOG(ERR, "%s: configure failed: %d", dev->name, ret);
		return ret;
	}
	emudev_set_state(dev, RTE_EMUDEV_CONFIGURED);
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_start, 22.11)
int
rte_emudev_start(uint16_t dev_id)
{
	struct rte_emudev *dev = emudev_get_used(dev_id);
	const struct rte_emudev_ops *ops;
	enum rte_emudev_state state;
	int ret;

	if (dev == NULL)
		return -ENODEV;
	ops = emudev_ops(dev);
	if (ops == NULL || ops->dev_start == NULL)
		return -ENOTSUP;
	state = emudev_state(dev);
	if (state == RTE_EMUDEV_STARTED)
		return -EALREADY;
	if (state != RTE_EMUDEV_CONFIGURED) {
		EMUDEV_LOG(ERR, "%s: cannot start, device is %s", dev->name,
			emudev_state_name(state));
		return -EINVAL;
	}

	ret = ops->dev_start(dev);
	if (ret < 0) {
		EMUDEV_LOG(ERR, "%s: start failed: %d", dev->name, ret);
		return ret;
	}
	emudev_set_state(dev, RTE_EMUDEV_STARTED);
	return 0;
}

/* Stop a started device; state and ops checked by the caller. */
static int
emudev_do_stop(struct rte_emudev *dev, const struct rte_emudev_ops *ops)
{
	int ret;

	ret = ops->dev_stop(dev);
	if (ret < 0) {
		EMUDEV_LOG(ERR, "%s: stop failed: %d", dev->name, ret);
		return ret;
	}
	emudev_set_state(dev, RTE_EMUDEV_CONFIGURED);
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_stop, 22.11)
int
rte_emudev_stop(uint16_t dev_id)
{
	struct rte_emudev *dev = emudev_get_used(dev_id);
	const struct rte_emudev_ops *ops;

	if (dev == NULL)
		return -ENODEV;
	ops = emudev_ops(dev);
	if (ops == NULL || ops->dev_stop == NULL)
		return -ENOTSUP;
	if (emudev_state(dev) != RTE_EMUDEV_STARTED)
		return -EALREADY;
	return emudev_do_stop(dev, ops);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_close, 22.11)
int
rte_emudev_close(uint16_t dev_id)
{
	struct rte_emudev *dev = emudev_get_used(dev_id);
	const struct rte_emudev_ops *ops;
	int ret;

	if (dev == NULL)
		return -ENODEV;
	ops = emudev_ops(dev);
	if (ops == NULL || ops->dev_close == NULL)
		return -ENOTSUP;
	if (emudev_state(dev) == RTE_EMUDEV_STARTED) {
		if (ops->dev_stop == NULL)
			return -ENOTSUP;
		ret = emudev_do_stop(dev, ops);
		if (ret < 0)
			return ret;
	}

	ret = ops->dev_close(dev);
	if (ret < 0) {
		EMUDEV_LOG(ERR, "%s: close failed: %d", dev->name, ret);
		return ret;
	}
	/* The provider may have released the slot in its close operation. */
	if (emudev_state(dev) != RTE_EMUDEV_UNUSED)
		emudev_set_state(dev, RTE_EMUDEV_ALLOCATED);
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_get_mem_table, 22.11)
int
rte_emudev_get_mem_table(uint16_t dev_id,
		struct rte_emudev_mem_region *regions, uint32_t max_regions)
{
	struct rte_emudev *dev = emudev_get_used(dev_id);
	const struct rte_emudev_ops *ops;

	if (dev == NULL)
		return -ENODEV;
	ops = emudev_ops(dev);
	if (regions == NULL && max_regions != 0)
		return -EINVAL;
	if (ops == NULL || ops->get_mem_table == NULL)
		return -ENOTSUP;
	return ops->get_mem_table(dev, regions, max_regions);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_get_queue_info, 22.11)
int
rte_emudev_get_queue_info(uint16_t dev_id, uint32_t queue_id,
		struct rte_emudev_q_info *info)
{
	struct rte_emudev *dev = emudev_get_used(dev_id);
	const struct rte_emudev_ops *ops;

	if (dev == NULL)
		return -ENODEV;
	ops = emudev_ops(dev);
	if (info == NULL)
		return -EINVAL;
	if (ops == NULL || ops->get_queue_info == NULL)
		return -ENOTSUP;
	memset(info, 0, sizeof(*info));
	return ops->get_queue_info(dev, queue_id, info);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_get_irq_info, 22.11)
int
rte_emudev_get_irq_info(uint16_t dev_id, uint32_t vector,
		struct rte_emudev_irq_info *info)
{
	struct rte_emudev *dev = emudev_get_used(dev_id);
	const struct rte_emudev_ops *ops;

	if (dev == NULL)
		return -ENODEV;
	ops = emudev_ops(dev);
	if (info == NULL)
		return -EINVAL;
	if (ops == NULL || ops->get_irq_info == NULL)
		return -ENOTSUP;
	memset(info, 0, sizeof(*info));
	info->vector = vector;
	info->fd = -1;
	return ops->get_irq_info(dev, vector, info);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_get_attr, 22.11)
int
rte_emudev_get_attr(uint16_t dev_id, const char *attr_name, void *attr,
		size_t size)
{
	struct rte_emudev *dev = emudev_get_used(dev_id);
	const struct rte_emudev_ops *ops;

	if (dev == NULL)
		return -ENODEV;
	ops = emudev_ops(dev);
	if (attr_name == NULL || attr_name[0] == '\0' || attr == NULL ||
			size == 0)
		return -EINVAL;
	if (ops == NULL || ops->get_attr == NULL)
		return -ENOTSUP;
	return ops->get_attr(dev, attr_name, attr, size);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_set_attr, 22.11)
int
rte_emudev_set_attr(uint16_t dev_id, const char *attr_name,
		const void *attr, size_t size)
{
	struct rte_emudev *dev = emudev_get_used(dev_id);
	const struct rte_emudev_ops *ops;

	if (dev == NULL)
		return -ENODEV;
	ops = emudev_ops(dev);
	if (attr_name == NULL || attr_name[0] == '\0' || attr == NULL ||
			size == 0)
		return -EINVAL;
	if (ops == NULL || ops->set_attr == NULL)
		return -ENOTSUP;
	return ops->set_attr(dev, attr_name, attr, size);
}
