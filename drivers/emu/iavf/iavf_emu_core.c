/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * What every layer of the emulated AVF uses: the registry of devices by
 * emudev id, bad-input counters, emudev events (deferred while the data
 * path is locked), stale tail writes and the reset state.
 */

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include <rte_common.h>

#include "iavf_emu.h"

static const char * const iavf_emu_err_names[IAVF_EMU_ERR_MAX] = {
	[IAVF_EMU_ERR_REG] = "register access",
	[IAVF_EMU_ERR_TAIL] = "tail doorbell",
	[IAVF_EMU_ERR_AQ] = "admin queue",
	[IAVF_EMU_ERR_AQ_DMA] = "admin queue DMA",
	[IAVF_EMU_ERR_VC] = "virtchnl message",
	[IAVF_EMU_ERR_RING] = "queue ring",
	[IAVF_EMU_ERR_ARQ_FULL] = "admin receive queue full",
	[IAVF_EMU_ERR_IRQ] = "interrupt",
};

/*
 * Devices by emudev id, for the rte_iavf_emu_* backend API. Set and
 * cleared under the lock, which telemetry readers hold.
 */
static struct iavf_emu_dev *iavf_emu_devs[RTE_MAX_EMUDEV];
static pthread_mutex_t iavf_emu_devs_lock = PTHREAD_MUTEX_INITIALIZER;

void
iavf_emu_devs_set(uint16_t emu_id, struct iavf_emu_dev *dev)
{
	pthread_mutex_lock(&iavf_emu_devs_lock);
	iavf_emu_devs[emu_id] = dev;
	pthread_mutex_unlock(&iavf_emu_devs_lock);
}

int
iavf_emu_dev_with(uint16_t emu_id,
		void (*fn)(const struct iavf_emu_dev *, void *), void *arg)
{
	int ret = -ENODEV;

	if (emu_id >= RTE_MAX_EMUDEV)
		return ret;
	pthread_mutex_lock(&iavf_emu_devs_lock);
	if (iavf_emu_devs[emu_id] != NULL) {
		fn(iavf_emu_devs[emu_id], arg);
		ret = 0;
	}
	pthread_mutex_unlock(&iavf_emu_devs_lock);
	return ret;
}

struct iavf_emu_dev *
iavf_emu_dev_get(int vfu_id)
{
	return rte_vfio_user_get_priv(vfu_id);
}

struct iavf_emu_dev *
iavf_emu_dev_by_emu_id(uint16_t emu_id)
{
	if (emu_id >= RTE_MAX_EMUDEV)
		return NULL;
	return iavf_emu_devs[emu_id];
}

/*
 * Count a bad input of the client or guest and log it when the count
 * reaches a power of two: the first one is always seen, a guest hammering
 * the device cannot flood the log.
 */
void
iavf_emu_count_err(struct iavf_emu_dev *dev, enum iavf_emu_err kind,
		const char *fmt, ...)
{
	char msg[256];
	uint64_t n;
	va_list ap;

	n = rte_atomic_fetch_add_explicit(&dev->err[kind], 1,
		rte_memory_order_relaxed) + 1;
	if ((n & (n - 1)) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (kind == IAVF_EMU_ERR_IRQ)
		RTE_LOG_LINE(DEBUG, IAVF_EMU, "%s: bad %s: %s (occurrence %" PRIu64 ")",
			dev->name, iavf_emu_err_names[kind], msg, n);
	else
		RTE_LOG_LINE(WARNING, IAVF_EMU, "%s: bad %s: %s (occurrence %" PRIu64 ")",
			dev->name, iavf_emu_err_names[kind], msg, n);
}

static bool
event_is_readiness(enum rte_emudev_event_type type)
{
	return type == RTE_EMUDEV_EVENT_READY ||
		type == RTE_EMUDEV_EVENT_NOT_READY;
}

/* Subjects: readiness, the memory table, reset, each queue's state. */
static bool
event_same_subject(const struct rte_emudev_event *a,
		const struct rte_emudev_event *b)
{
	if (event_is_readiness(a->type) || event_is_readiness(b->type))
		return event_is_readiness(a->type) &&
			event_is_readiness(b->type);
	if (a->type != b->type)
		return false;
	return a->type != RTE_EMUDEV_EVENT_QUEUE_STATE ||
		a->queue_id == b->queue_id;
}

/*
 * An event that repeats the latest undelivered event about the same
 * subject tells a subscriber nothing new: it reads the device state once
 * the lock window closed, after every change of the window. So a lock
 * window with 1024 dma_unmap calls queues one MEM_CHANGE, not 1024.
 */
static bool
event_pending(const struct iavf_emu_dev *dev,
		const struct rte_emudev_event *ev)
{
	const struct rte_emudev_event *p;
	uint32_t i;

	for (i = dev->nb_deferred; i > dev->next_deferred; i--) {
		p = &dev->deferred[i - 1];
		if (event_same_subject(p, ev))
			return p->type == ev->type && p->enabled == ev->enabled;
	}
	return false;
}

/* Deliver an emudev event now, or after the lock window closes. */
void
iavf_emu_event(struct iavf_emu_dev *dev, enum rte_emudev_event_type type,
		uint32_t queue_id, bool enabled)
{
	struct rte_emudev_event ev = {
		.type = type,
		.queue_id = queue_id,
		.enabled = enabled,
	};
	uint64_t n;

	if (event_pending(dev, &ev)) {
		/* nothing to add */
	} else if (dev->nb_deferred < RTE_DIM(dev->deferred)) {
		dev->deferred[dev->nb_deferred++] = ev;
	} else {
		/* Not expected once coalesced; logged as iavf_emu_count_err()
		 * does, at powers of two, so it cannot flood the log.
		 */
		n = ++dev->events_lost;
		if ((n & (n - 1)) == 0)
			IAVF_EMU_LOG(WARNING, "%s: event backlog full, event %d lost (%" PRIu64 " so far)",
				     dev->name, type, n);
	}
	if (!dev->dp_locked)
		iavf_emu_flush_events(dev);
}

void
iavf_emu_flush_events(struct iavf_emu_dev *dev)
{
	struct rte_emudev_event ev;

	if (dev->flushing)
		return;
	dev->flushing = true;
	/* A subscriber may cause new events: they are appended and seen. */
	while (dev->next_deferred < dev->nb_deferred) {
		ev = dev->deferred[dev->next_deferred++];
		rte_emudev_notify_event(dev->edev, &ev);
	}
	dev->nb_deferred = 0;
	dev->next_deferred = 0;
	dev->flushing = false;
}

/* ------------------------------------------------------- reset state */

static const char * const reset_cause_names[] = {
	[IAVF_EMU_RESET_VF] = "VF reset (RESET_VF)",
	[IAVF_EMU_RESET_FLR] = "function level reset",
	[IAVF_EMU_RESET_DEVICE] = "vfio-user DEVICE_RESET",
	[IAVF_EMU_RESET_CLIENT] = "client lost",
};

/* Log and count a reset that starts now. */
void
iavf_emu_reset_count(struct iavf_emu_dev *dev, enum iavf_emu_reset_cause cause)
{
	IAVF_EMU_LOG(INFO, "%s: %s", dev->name, reset_cause_names[cause]);
	dev->resets[cause]++;
}

/*
 * RESET_VF: the reset is only marked requested; iavf_emu_reset_step()
 * applies it one step per guest access, after the ATQ descriptor that
 * asked for it.
 */
void
iavf_emu_vf_reset_request(struct iavf_emu_dev *dev)
{
	iavf_emu_reset_count(dev, IAVF_EMU_RESET_VF);
	/* a second RESET_VF during a reset adds nothing */
	if (dev->vfr == IAVF_EMU_VFR_IDLE)
		dev->vfr = IAVF_EMU_VFR_REQUESTED;
}

bool
iavf_emu_in_reset(const struct iavf_emu_dev *dev)
{
	return dev->vfr == IAVF_EMU_VFR_INPROGRESS ||
		dev->vfr == IAVF_EMU_VFR_COMPLETED;
}

void
iavf_emu_stale_tail(struct iavf_emu_dev *dev, const char *why, uint32_t reg,
		uint32_t val)
{
	uint64_t n;

	/* Not a guest error (Linux does it): logged at powers of two. */
	n = rte_atomic_fetch_add_explicit(&dev->stale_tails, 1,
		rte_memory_order_relaxed) + 1;
	if ((n & (n - 1)) == 0)
		IAVF_EMU_LOG(INFO, "%s: tail 0x%04x = %u dropped: %s (%" PRIu64 " so far)",
			     dev->name, reg, val, why, n);
}
