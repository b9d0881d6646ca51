/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2025 The DPDK device emulation authors
 */

#ifndef RTE_EMUDEV_DRIVER_H
#define RTE_EMUDEV_DRIVER_H

/**
 * @file
 *
 * Emulated device class: provider (driver) interface.
 *
 * A provider allocates an rte_emudev, sets its operations, type and private
 * data, and reports client attachment and device events. Allocation,
 * release and the operations called by rte_emudev_configure(), _start(),
 * _stop() and _close() run on the main lcore. rte_emudev_set_ready() and
 * rte_emudev_notify_event() may be called from any thread, typically the
 * provider's control thread; the subscribers' callbacks run in that thread.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_compat.h>
#include <rte_spinlock.h>

#include "rte_emudev.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_device;
struct rte_emudev;

/**
 * Provider operations. Any of them may be NULL: the matching class function
 * then fails with -ENOTSUP, except dev_info_get (the class reports its own
 * fields only). Each operation receives validated arguments: a non-NULL
 * output buffer, a non-NULL and non-empty attribute name, a non-zero size.
 * Operations on a queue, vector or attribute must check its range or name
 * and return -EINVAL (or -ENOENT for an unknown attribute).
 *
 * dev_configure, dev_start, dev_stop and dev_close are called on the main
 * lcore. The other operations may be called from any thread (backend
 * lcores, the telemetry thread), concurrently with the provider's control
 * thread: the provider synchronises them with its own state.
 */
struct rte_emudev_ops {
	/** Apply a type-specific configuration; called in ALLOCATED or CONFIGURED. */
	int (*dev_configure)(struct rte_emudev *dev,
			const struct rte_emudev_conf *conf);
	/** Start serving; called in CONFIGURED. */
	int (*dev_start)(struct rte_emudev *dev);
	/** Stop serving; called in STARTED. */
	int (*dev_stop)(struct rte_emudev *dev);
	/**
	 * Close the device; called in ALLOCATED or CONFIGURED (rte_emudev_close()
	 * stops a started device first). The provider may release the device
	 * here with rte_emudev_release(); otherwise it returns to ALLOCATED.
	 */
	int (*dev_close)(struct rte_emudev *dev);
	/**
	 * Fill max_qp_num and max_irq_num (and driver_name if the device has no
	 * rte_device); *info* arrives zeroed, the class fills the other fields.
	 */
	int (*dev_info_get)(struct rte_emudev *dev, struct rte_emudev_info *info);
	/**
	 * Write up to *max* regions to *r* (NULL when *max* is 0) and return the
	 * total number of regions.
	 */
	int (*get_mem_table)(struct rte_emudev *dev,
			struct rte_emudev_mem_region *r, uint32_t max);
	/** Fill *info* (zeroed by the class) for queue *qid*. */
	int (*get_queue_info)(struct rte_emudev *dev, uint32_t qid,
			struct rte_emudev_q_info *info);
	/** Fill *info* (zeroed by the class, fd -1) for *vector*. */
	int (*get_irq_info)(struct rte_emudev *dev, uint32_t vector,
			struct rte_emudev_irq_info *info);
	/** Read attribute *name* into *attr* of *size* bytes. */
	int (*get_attr)(struct rte_emudev *dev, const char *name, void *attr,
			size_t size);
	/** Write attribute *name* from *attr* of *size* bytes. */
	int (*set_attr)(struct rte_emudev *dev, const char *name,
			const void *attr, size_t size);
};

/** @internal One event subscription (see rte_emudev.c). */
struct rte_emudev_subscriber;

/** @internal List of subscriptions. */
TAILQ_HEAD(rte_emudev_subscriber_list, rte_emudev_subscriber);

/**
 * An emulated device. The class owns dev_id, name, state, ready and the
 * subscription list; the provider sets device, ops, type and priv after
 * rte_emudev_allocate().
 */
struct rte_emudev {
	/** Identifier, index in the device table. */
	uint16_t dev_id;
	/** Unique name. */
	char name[RTE_EMUDEV_NAME_MAX_LEN];
	/** Generic device (e.g. the vdev) backing this one, or NULL. */
	struct rte_device *device;
	/** Provider operations. */
	const struct rte_emudev_ops *ops;
	/** Device model, e.g. "iavf"; static string owned by the provider. */
	const char *type;
	/** Provider private data. */
	void *priv;
	/** Current state; written by the class only. */
	enum rte_emudev_state state;
	/** A client is attached; change it with rte_emudev_set_ready(). */
	bool ready;

	/** @internal Protects *subscribers*, *releasing* and *ready* changes. */
	rte_spinlock_t sub_lock;
	/** @internal Event subscriptions. */
	struct rte_emudev_subscriber_list subscribers;
	/** @internal rte_emudev_release() is under way: drop events. */
	bool releasing;
};

/**
 * Allocate a device slot.
 *
 * @param name
 *   Unique name, shorter than RTE_EMUDEV_NAME_MAX_LEN.
 * @param dev_id
 *   Wanted identifier, or RTE_EMUDEV_ID_ANY for the lowest free one.
 * @return
 *   The device in state ALLOCATED, or NULL with rte_errno set to EINVAL
 *   (bad name or identifier), EEXIST (name or identifier in use) or ENOSPC
 *   (no free slot).
 */
__rte_internal
struct rte_emudev *rte_emudev_allocate(const char *name, uint16_t dev_id);

/**
 * Release a device slot. All subscriptions are dropped without a callback;
 * deliveries in progress in other threads are waited for. The provider must
 * not raise events for the device once this function has been called.
 *
 * @param dev
 *   Device returned by rte_emudev_allocate().
 * @return
 *   0, -EINVAL for a pointer that is not an allocated device, -EBUSY when
 *   called from within an event callback of this device.
 */
__rte_internal
int rte_emudev_release(struct rte_emudev *dev);

/**
 * Find an allocated device by name.
 *
 * @param name
 *   Device name.
 * @return
 *   The device, or NULL when no device has this name.
 */
__rte_internal
struct rte_emudev *rte_emudev_allocated(const char *name);

/**
 * Get an allocated device by identifier, e.g. to implement a type-specific
 * API taking a device identifier. The caller must check that the device is
 * its own (dev->ops) before using dev->priv.
 *
 * @param dev_id
 *   Device identifier.
 * @return
 *   The device, or NULL when *dev_id* is not in use.
 */
__rte_internal
struct rte_emudev *rte_emudev_get(uint16_t dev_id);

/**
 * Set whether a client is attached and the device usable. On a change,
 * delivers RTE_EMUDEV_EVENT_READY or RTE_EMUDEV_EVENT_NOT_READY to the
 * subscribers; setting the current value again does nothing.
 *
 * @param dev
 *   Device.
 * @param ready
 *   New readiness.
 */
__rte_internal
void rte_emudev_set_ready(struct rte_emudev *dev, bool ready);

/**
 * Deliver an event to every subscriber of the device, in the calling
 * thread, in subscription order. RTE_EMUDEV_EVENT_READY and _NOT_READY are
 * handled as rte_emudev_set_ready(). Events of a released device or of an
 * unknown type are dropped (and logged).
 *
 * @param dev
 *   Device.
 * @param ev
 *   Event; copied before delivery.
 */
__rte_internal
void rte_emudev_notify_event(struct rte_emudev *dev,
		const struct rte_emudev_event *ev);

#ifdef __cplusplus
}
#endif

#endif /* RTE_EMUDEV_DRIVER_H */
