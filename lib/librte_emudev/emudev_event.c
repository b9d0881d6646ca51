/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2025 The DPDK device emulation authors
 */

/*
 * Event subscriptions and their delivery.
 *
 * Rules:
 * - dev->sub_lock protects the list, the per-subscription counters and
 *   dev->releasing. It is never held while a callback runs.
 * - A delivery pins the subscription it is calling (active++), drops the
 *   lock, calls, retakes the lock, unpins and moves to the next entry read
 *   under the lock. A pinned entry stays linked.
 * - Unsubscribing marks the entry removed (deliveries skip it from then on)
 *   and waits until the entry is pinned only by the calling thread's own
 *   callback frames. Whoever drops the last reference frees the entry: the
 *   unsubscriber when it is not inside the callback, otherwise the
 *   delivery that unwinds last.
 * - Release sets dev->releasing (deliveries stop at their next step), waits
 *   until no entry is pinned or waited for, then frees every entry.
 * - Each thread keeps a stack of the callbacks it is running, so that a
 *   callback may unsubscribe itself without waiting for itself.
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_per_lcore.h>
#include <rte_spinlock.h>

#include "rte_emudev.h"
#include "rte_emudev_driver.h"
#include "emudev_private.h"

/* Sleep between checks while waiting for a callback to return (us). */
#define EMUDEV_CB_WAIT_US 10

struct rte_emudev_subscriber {
	TAILQ_ENTRY(rte_emudev_subscriber) next;
	rte_emudev_event_cb cb;
	void *cb_arg;
	/* Deliveries currently calling cb, over all threads. */
	uint32_t active;
	/* Unsubscribed: never called again, freed once unpinned. */
	bool removed;
	/* An unsubscriber waits for the deliveries and frees the entry. */
	bool owner_waiting;
};

/* A callback this thread is running; frames form a per-thread stack. */
struct emudev_cb_frame {
	const struct rte_emudev *dev;
	const struct rte_emudev_subscriber *sub;
	struct emudev_cb_frame *prev;
};

static RTE_DEFINE_PER_LCORE(struct emudev_cb_frame *, emudev_cb_frames);

void
emudev_events_init(struct rte_emudev *dev)
{
	rte_spinlock_init(&dev->sub_lock);
	TAILQ_INIT(&dev->subscribers);
	dev->releasing = false;
}

bool
emudev_events_in_callback(const struct rte_emudev *dev)
{
	const struct emudev_cb_frame *f;

	for (f = RTE_PER_LCORE(emudev_cb_frames); f != NULL; f = f->prev)
		if (f->dev == dev)
			return true;
	return false;
}

/* Number of callbacks of sub the calling thread is running. */
static uint32_t
emudev_own_frames(const struct rte_emudev_subscriber *sub)
{
	const struct emudev_cb_frame *f;
	uint32_t n = 0;

	for (f = RTE_PER_LCORE(emudev_cb_frames); f != NULL; f = f->prev)
		if (f->sub == sub)
			n++;
	return n;
}

/* Wait, with sub_lock held, until only the caller's frames pin sub. */
static void
emudev_wait_unpinned(struct rte_emudev *dev,
		const struct rte_emudev_subscriber *sub, uint32_t own)
{
	while (sub->active > own) {
		rte_spinlock_unlock(&dev->sub_lock);
		rte_delay_us_sleep(EMUDEV_CB_WAIT_US);
		rte_spinlock_lock(&dev->sub_lock);
	}
}

/* Live (not removed) subscription (cb, cb_arg); caller holds sub_lock. */
static struct rte_emudev_subscriber *
emudev_find_subscriber(struct rte_emudev *dev, rte_emudev_event_cb cb,
		void *cb_arg)
{
	struct rte_emudev_subscriber *sub;

	TAILQ_FOREACH(sub, &dev->subscribers, next)
		if (!sub->removed && sub->cb == cb && sub->cb_arg == cb_arg)
			return sub;
	return NULL;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_subscribe_event, 22.11)
int
rte_emudev_subscribe_event(uint16_t dev_id, rte_emudev_event_cb cb,
		void *cb_arg)
{
	struct rte_emudev *dev = emudev_get_used(dev_id);
	struct rte_emudev_subscriber *sub;

	if (dev == NULL)
		return -ENODEV;
	if (cb == NULL)
		return -EINVAL;

	sub = calloc(1, sizeof(*sub));
	if (sub == NULL)
		return -ENOMEM;
	sub->cb = cb;
	sub->cb_arg = cb_arg;

	rte_spinlock_lock(&dev->sub_lock);
	if (dev->releasing) {
		rte_spinlock_unlock(&dev->sub_lock);
		free(sub);
		return -ENODEV;
	}
	if (emudev_find_subscriber(dev, cb, cb_arg) != NULL) {
		rte_spinlock_unlock(&dev->sub_lock);
		free(sub);
		return -EEXIST;
	}
	TAILQ_INSERT_TAIL(&dev->subscribers, sub, next);
	rte_spinlock_unlock(&dev->sub_lock);
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_emudev_unsubscribe_event, 22.11)
int
rte_emudev_unsubscribe_event(uint16_t dev_id, rte_emudev_event_cb cb,
		void *cb_arg)
{
	struct rte_emudev *dev = emudev_get_used(dev_id);
	struct rte_emudev_subscriber *sub;
	uint32_t own;

	if (dev == NULL)
		return -ENODEV;
	if (cb == NULL)
		return -EINVAL;

	rte_spinlock_lock(&dev->sub_lock);
	sub = emudev_find_subscriber(dev, cb, cb_arg);
	if (sub == NULL) {
		rte_spinlock_unlock(&dev->sub_lock);
		return -ENOENT;
	}
	sub->removed = true;
	own = emudev_own_frames(sub);
	sub->owner_waiting = true;
	emudev_wait_unpinned(dev, sub, own);
	sub->owner_waiting = false;
	if (own == 0) {
		/* Nobody else references it: release waits for owner_waiting. */
		TAILQ_REMOVE(&dev->subscribers, sub, next);
		free(sub);
	}
	/* Otherwise the delivery of this thread frees it when it unwinds. */
	rte_spinlock_unlock(&dev->sub_lock);
	return 0;
}

/* Deliver ev to every live subscription; called and returns with no lock. */
static void
emudev_deliver(struct rte_emudev *dev, const struct rte_emudev_event *ev)
{
	struct rte_emudev_subscriber *sub, *next;
	struct emudev_cb_frame frame;
	uint16_t dev_id = dev->dev_id;

	rte_spinlock_lock(&dev->sub_lock);
	sub = TAILQ_FIRST(&dev->subscribers);
	while (sub != NULL && !dev->releasing) {
		if (sub->removed) {
			sub = TAILQ_NEXT(sub, next);
			continue;
		}
		sub->active++;
		rte_spinlock_unlock(&dev->sub_lock);

		frame.dev = dev;
		frame.sub = sub;
		frame.prev = RTE_PER_LCORE(emudev_cb_frames);
		RTE_PER_LCORE(emudev_cb_frames) = &frame;
		sub->cb(dev_id, ev, sub->cb_arg);
		RTE_PER_LCORE(emudev_cb_frames) = frame.prev;

		rte_spinlock_lock(&dev->sub_lock);
		next = TAILQ_NEXT(sub, next);
		sub->active--;
		if (sub->removed && sub->active == 0 && !sub->owner_waiting &&
				!dev->releasing) {
			TAILQ_REMOVE(&dev->subscribers, sub, next);
			free(sub);
		}
		sub = next;
	}
	rte_spinlock_unlock(&dev->sub_lock);
}

void
emudev_events_shutdown(struct rte_emudev *dev)
{
	struct rte_emudev_subscriber *sub;
	bool busy;

	rte_spinlock_lock(&dev->sub_lock);
	dev->releasing = true;
	do {
		busy = false;
		TAILQ_FOREACH(sub, &dev->subscribers, next) {
			if (sub->active != 0 || sub->owner_waiting) {
				busy = true;
				break;
			}
		}
		if (busy) {
			rte_spinlock_unlock(&dev->sub_lock);
			rte_delay_us_sleep(EMUDEV_CB_WAIT_US);
			rte_spinlock_lock(&dev->sub_lock);
		}
	} while (busy);
	while ((sub = TAILQ_FIRST(&dev->subscribers)) != NULL) {
		TAILQ_REMOVE(&dev->subscribers, sub, next);
		free(sub);
	}
	rte_spinlock_unlock(&dev->sub_lock);
}

/* dev is a device the provider may still raise events for. */
static bool
emudev_accepts_events(const struct rte_emudev *dev)
{
	return rte_atomic_load_explicit(EMUDEV_ATOMIC(dev->state),
		rte_memory_order_acquire) != RTE_EMUDEV_UNUSED &&
		!dev->releasing;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_emudev_set_ready)
void
rte_emudev_set_ready(struct rte_emudev *dev, bool ready)
{
	struct rte_emudev_event ev = {
		.type = ready ? RTE_EMUDEV_EVENT_READY :
			RTE_EMUDEV_EVENT_NOT_READY,
	};

	if (dev == NULL)
		return;
	rte_spinlock_lock(&dev->sub_lock);
	if (!emudev_accepts_events(dev)) {
		rte_spinlock_unlock(&dev->sub_lock);
		EMUDEV_LOG(ERR, "readiness change for a released device dropped");
		return;
	}
	if (dev->ready == ready) {
		rte_spinlock_unlock(&dev->sub_lock);
		return;
	}
	rte_atomic_store_explicit(EMUDEV_ATOMIC(dev->ready), ready,
		rte_memory_order_release);
	rte_spinlock_unlock(&dev->sub_lock);

	EMUDEV_LOG(INFO, "%s: %s", dev->name, ready ? "ready" : "not ready");
	emudev_deliver(dev, &ev);
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_emudev_notify_event)
void
rte_emudev_notify_event(struct rte_emudev *dev,
		const struct rte_emudev_event *ev)
{
	struct rte_emudev_event copy;

	if (dev == NULL || ev == NULL)
		return;
	switch (ev->type) {
	case RTE_EMUDEV_EVENT_READY:
		rte_emudev_set_ready(dev, true);
		return;
	case RTE_EMUDEV_EVENT_NOT_READY:
		rte_emudev_set_ready(dev, false);
		return;
	case RTE_EMUDEV_EVENT_QUEUE_STATE:
	case RTE_EMUDEV_EVENT_RESET:
	case RTE_EMUDEV_EVENT_MEM_CHANGE:
		break;
	default:
		EMUDEV_LOG(ERR, "%s: unknown event type %d dropped", dev->name,
			(int)ev->type);
		return;
	}

	rte_spinlock_lock(&dev->sub_lock);
	if (!emudev_accepts_events(dev)) {
		rte_spinlock_unlock(&dev->sub_lock);
		EMUDEV_LOG(ERR, "event %d for a released device dropped",
			(int)ev->type);
		return;
	}
	rte_spinlock_unlock(&dev->sub_lock);

	copy = *ev;
	emudev_deliver(dev, &copy);
}
