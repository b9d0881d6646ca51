/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2025 The DPDK device emulation authors
 */

#ifndef RTE_EMUDEV_H
#define RTE_EMUDEV_H

/**
 * @file
 *
 * Emulated device class (emudev).
 *
 * An emulated device is a device that this DPDK process presents to
 * somebody else (a virtual machine, a container) through an emulation
 * transport such as vfio-user. A *provider* driver (for example the
 * emu_iavf vdev) models the device and registers it here; a *backend*
 * (an application or a data-path driver) finds it by name or identifier,
 * drives its life cycle and reads the state the client set up: guest
 * memory, queues and interrupts.
 *
 * Life cycle (rte_emudev_release() by the provider frees a slot in any
 * state; close returns to ALLOCATED unless the provider releases the device
 * in its close operation):
 *
 * @verbatim
 *  UNUSED --allocate--> ALLOCATED --configure--> CONFIGURED --start--> STARTED
 *                         ^  ^                   |   ^                  |
 *                         |  +------close--------+   +-------stop-------+
 *                         +---------------close (stops first)-----------+
 * @endverbatim
 *
 * Unless stated otherwise the functions return 0 (or a non-negative count)
 * on success and a negative errno value on failure. The control functions
 * (configure, start, stop, close) must be called from the main lcore; the
 * query functions may be called from any thread.
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_compat.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Maximum length of an emulated device name, including the NUL. */
#define RTE_EMUDEV_NAME_MAX_LEN 64

#ifndef RTE_MAX_EMUDEV
/** Maximum number of emulated devices in one process. */
#define RTE_MAX_EMUDEV 32
#endif

/** "Any free identifier" for rte_emudev_allocate(). */
#define RTE_EMUDEV_ID_ANY UINT16_MAX

/** State of an emulated device slot. */
enum rte_emudev_state {
	/** The slot is free. */
	RTE_EMUDEV_UNUSED = 0,
	/** A provider allocated the device; it is not configured yet. */
	RTE_EMUDEV_ALLOCATED,
	/** Configured (or stopped): it may be started or reconfigured. */
	RTE_EMUDEV_CONFIGURED,
	/** Started: the device serves its client. */
	RTE_EMUDEV_STARTED,
};

/** Device information, see rte_emudev_info_get(). */
struct rte_emudev_info {
	/** Unique device name. */
	char name[RTE_EMUDEV_NAME_MAX_LEN];
	/** Name of the provider driver, NULL when unknown. */
	const char *driver_name;
	/** Device model, e.g. "iavf"; NULL when the provider sets none. */
	const char *type;
	/** Maximum number of queue pairs the device model offers. */
	uint16_t max_qp_num;
	/** Maximum number of interrupt vectors the device model offers. */
	uint16_t max_irq_num;
	/** Current state. */
	enum rte_emudev_state state;
	/** A client is attached and the device is usable. */
	bool ready;
};

/** Type-specific device configuration, see rte_emudev_configure(). */
struct rte_emudev_conf {
	/** Configuration structure defined by the device type, or NULL. */
	const void *dev_conf;
	/** Size of *dev_conf* in bytes; 0 if and only if dev_conf is NULL. */
	size_t conf_size;
};

/** One region of client (guest) memory, see rte_emudev_get_mem_table(). */
struct rte_emudev_mem_region {
	/** I/O virtual address the client uses for the region. */
	uint64_t iova;
	/** Size of the region in bytes. */
	uint64_t size;
	/** Address of the region in this process; NULL when not mapped. */
	void *host_va;
};

/** Queue information, see rte_emudev_get_queue_info(). */
struct rte_emudev_q_info {
	/** IOVA of the descriptor ring as programmed by the client. */
	uint64_t base_iova;
	/** Ring size in descriptors. */
	uint32_t size;
	/** Interrupt vector the client bound to the queue. */
	uint32_t irq_vector;
	/** The client enabled the queue. */
	bool enabled;
	/** Device type specific data, owned by the provider. */
	void *priv;
};

/** Interrupt vector information, see rte_emudev_get_irq_info(). */
struct rte_emudev_irq_info {
	/** Vector number. */
	uint32_t vector;
	/** Event fd to signal the vector, -1 when the client set none. */
	int fd;
	/** The client enabled (unmasked) the vector. */
	bool enabled;
};

/** Kinds of device events. */
enum rte_emudev_event_type {
	/** A client attached: memory, queues and interrupts may be read. */
	RTE_EMUDEV_EVENT_READY,
	/** The client detached: stop using the device's memory. */
	RTE_EMUDEV_EVENT_NOT_READY,
	/** Queue *queue_id* was enabled or disabled (*enabled*). */
	RTE_EMUDEV_EVENT_QUEUE_STATE,
	/** The client reset the device. */
	RTE_EMUDEV_EVENT_RESET,
	/** The client changed the memory table. */
	RTE_EMUDEV_EVENT_MEM_CHANGE,
};

/** A device event passed to an rte_emudev_event_cb. */
struct rte_emudev_event {
	/** What happened. */
	enum rte_emudev_event_type type;
	/** Queue concerned (RTE_EMUDEV_EVENT_QUEUE_STATE only). */
	uint32_t queue_id;
	/** New queue state (RTE_EMUDEV_EVENT_QUEUE_STATE only). */
	bool enabled;
};

/**
 * Event callback.
 *
 * Called from the thread that raised the event, usually the provider's
 * control thread, never with an emudev lock held. The event is valid for
 * the duration of the call only.
 *
 * @param dev_id
 *   Device the event concerns.
 * @param ev
 *   The event.
 * @param cb_arg
 *   Argument given to rte_emudev_subscribe_event().
 */
typedef void (*rte_emudev_event_cb)(uint16_t dev_id,
		const struct rte_emudev_event *ev, void *cb_arg);

/**
 * Count the emulated devices in use.
 *
 * @return
 *   Number of devices not in state RTE_EMUDEV_UNUSED.
 */
__rte_experimental
uint16_t rte_emudev_count(void);

/**
 * Find the identifier of a device by its name.
 *
 * @param name
 *   Device name.
 * @return
 *   The device identifier, -EINVAL for a NULL or empty name, -ENODEV when no
 *   device has this name.
 */
__rte_experimental
int rte_emudev_get_dev_id(const char *name);

/**
 * Check that a device identifier designates an allocated device.
 *
 * @param dev_id
 *   Device identifier.
 * @return
 *   true when *dev_id* is in use.
 */
__rte_experimental
bool rte_emudev_is_valid_id(uint16_t dev_id);

/**
 * Find the next device in use.
 *
 * @param dev_id
 *   Identifier to start the search at (included).
 * @return
 *   The first identifier >= *dev_id* that is in use, RTE_MAX_EMUDEV if none.
 */
__rte_experimental
uint16_t rte_emudev_find_next(uint16_t dev_id);

/** Iterate over the identifiers of all devices in use. */
#define RTE_EMUDEV_FOREACH(dev_id) \
	for (dev_id = rte_emudev_find_next(0); dev_id < RTE_MAX_EMUDEV; \
	     dev_id = rte_emudev_find_next(dev_id + 1))

/**
 * Get device information.
 *
 * name, state, ready and type come from the class; max_qp_num and
 * max_irq_num from the provider (0 when it does not report them).
 *
 * @param dev_id
 *   Device identifier.
 * @param info
 *   Filled on success.
 * @return
 *   0, -ENODEV for an unused identifier, -EINVAL for a NULL *info*, or the
 *   provider's error.
 */
__rte_experimental
int rte_emudev_info_get(uint16_t dev_id, struct rte_emudev_info *info);

/**
 * Configure a device. Allowed in states ALLOCATED and CONFIGURED; the device
 * is CONFIGURED afterwards. A failed configuration leaves the state unchanged.
 *
 * @param dev_id
 *   Device identifier.
 * @param conf
 *   Type-specific configuration.
 * @return
 *   0, -ENODEV, -EINVAL (NULL *conf*, dev_conf and conf_size disagree),
 *   -EBUSY when started, -ENOTSUP when the provider has no configure
 *   operation, or the provider's error.
 */
__rte_experimental
int rte_emudev_configure(uint16_t dev_id, const struct rte_emudev_conf *conf);

/**
 * Start a configured device.
 *
 * @param dev_id
 *   Device identifier.
 * @return
 *   0, -ENODEV, -EINVAL when not configured, -EALREADY when started,
 *   -ENOTSUP when the provider has no start operation, or the provider's
 *   error (the device stays CONFIGURED).
 */
__rte_experimental
int rte_emudev_start(uint16_t dev_id);

/**
 * Stop a started device; it returns to state CONFIGURED.
 *
 * @param dev_id
 *   Device identifier.
 * @return
 *   0, -ENODEV, -EALREADY when not started, -ENOTSUP when the provider has
 *   no stop operation, or the provider's error (the device stays STARTED).
 */
__rte_experimental
int rte_emudev_stop(uint16_t dev_id);

/**
 * Close a device: stop it if started, then call the provider's close
 * operation. Afterwards the device is either back in state ALLOCATED (it
 * may be configured again) or, if the provider released it in its close
 * operation, gone (rte_emudev_is_valid_id() returns false). Which one is
 * documented by each provider.
 *
 * @param dev_id
 *   Device identifier.
 * @return
 *   0, -ENODEV, -ENOTSUP when the provider has no close operation (or no
 *   stop operation for a started device), or the provider's error (the
 *   device is then left CONFIGURED if it had to be stopped).
 */
__rte_experimental
int rte_emudev_close(uint16_t dev_id);

/**
 * Get the client memory table.
 *
 * @param dev_id
 *   Device identifier.
 * @param regions
 *   Array of *max_regions* entries; may be NULL when *max_regions* is 0.
 * @param max_regions
 *   Size of *regions*.
 * @return
 *   The number of regions the device has; it may exceed *max_regions*,
 *   then only the first *max_regions* were written. -ENODEV, -EINVAL,
 *   -ENOTSUP or the provider's error on failure.
 */
__rte_experimental
int rte_emudev_get_mem_table(uint16_t dev_id,
		struct rte_emudev_mem_region *regions, uint32_t max_regions);

/**
 * Get queue information.
 *
 * @param dev_id
 *   Device identifier.
 * @param queue_id
 *   Queue number; the numbering is defined by the device type.
 * @param info
 *   Filled on success.
 * @return
 *   0, -ENODEV, -EINVAL (NULL *info*, queue out of range), -ENOTSUP or the
 *   provider's error.
 */
__rte_experimental
int rte_emudev_get_queue_info(uint16_t dev_id, uint32_t queue_id,
		struct rte_emudev_q_info *info);

/**
 * Get interrupt vector information.
 *
 * @param dev_id
 *   Device identifier.
 * @param vector
 *   Vector number.
 * @param info
 *   Filled on success.
 * @return
 *   0, -ENODEV, -EINVAL (NULL *info*, vector out of range), -ENOTSUP or the
 *   provider's error.
 */
__rte_experimental
int rte_emudev_get_irq_info(uint16_t dev_id, uint32_t vector,
		struct rte_emudev_irq_info *info);

/**
 * Read a device type specific attribute.
 *
 * @param dev_id
 *   Device identifier.
 * @param attr_name
 *   Attribute name, defined by the device type.
 * @param attr
 *   Buffer for the value.
 * @param size
 *   Size of *attr* in bytes.
 * @return
 *   0, -ENODEV, -EINVAL (NULL or empty name, NULL buffer, size 0 or a size
 *   the attribute does not have), -ENOENT (unknown attribute, reported by
 *   the provider), -ENOTSUP or the provider's error.
 */
__rte_experimental
int rte_emudev_get_attr(uint16_t dev_id, const char *attr_name, void *attr,
		size_t size);

/**
 * Write a device type specific attribute.
 *
 * @param dev_id
 *   Device identifier.
 * @param attr_name
 *   Attribute name, defined by the device type.
 * @param attr
 *   New value.
 * @param size
 *   Size of *attr* in bytes.
 * @return
 *   Same as rte_emudev_get_attr().
 */
__rte_experimental
int rte_emudev_set_attr(uint16_t dev_id, const char *attr_name,
		const void *attr, size_t size);

/**
 * Subscribe to the events of a device.
 *
 * A subscription added while an event is being delivered may or may not
 * receive that event. Subscriptions end with rte_emudev_unsubscribe_event()
 * or when the provider releases the device.
 *
 * @param dev_id
 *   Device identifier.
 * @param cb
 *   Callback.
 * @param cb_arg
 *   Argument passed to *cb*.
 * @return
 *   0, -ENODEV, -EINVAL (NULL *cb*), -EEXIST when (*cb*, *cb_arg*) is
 *   already subscribed, -ENOMEM.
 */
__rte_experimental
int rte_emudev_subscribe_event(uint16_t dev_id, rte_emudev_event_cb cb,
		void *cb_arg);

/**
 * Cancel a subscription.
 *
 * When this function returns, the callback is not running in any other
 * thread and will not be called again: the function waits for deliveries
 * in progress in other threads. It may be called from within the callback
 * itself (or any event callback); the running invocation then finishes
 * normally. It must not be called while holding a lock the callback takes.
 *
 * @param dev_id
 *   Device identifier.
 * @param cb
 *   Callback given to rte_emudev_subscribe_event().
 * @param cb_arg
 *   Argument given to rte_emudev_subscribe_event().
 * @return
 *   0, -ENODEV, -EINVAL (NULL *cb*), -ENOENT when not subscribed.
 */
__rte_experimental
int rte_emudev_unsubscribe_event(uint16_t dev_id, rte_emudev_event_cb cb,
		void *cb_arg);

#ifdef __cplusplus
}
#endif

#endif /* RTE_EMUDEV_H */
