/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2025 The DPDK device emulation authors
 */

#ifndef EMUDEV_PRIVATE_H
#define EMUDEV_PRIVATE_H

/* Declarations shared by the files of the emudev library. */

#include <rte_log.h>

#include <emu_compat.h>

#include "rte_emudev_driver.h"

extern int emudev_logtype;

#define EMUDEV_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, emudev_logtype, \
		RTE_FMT("EMUDEV: %s(): " RTE_FMT_HEAD(__VA_ARGS__ ,) "\n", \
			__func__, RTE_FMT_TAIL(__VA_ARGS__ ,)))

/*
 * The fields of struct rte_emudev that the class changes while other
 * threads read them (state, ops, ready) are plain in rte_emudev_driver.h,
 * an installed header; the class accesses them through this.
 */
#define EMUDEV_ATOMIC(field) ((typeof(field) __rte_atomic *)&(field))

/* Device table slot dev_id if it is in use, else NULL. */
struct rte_emudev *emudev_get_used(uint16_t dev_id);

/* Lower-case name of a state, for logs and telemetry. */
const char *emudev_state_name(enum rte_emudev_state state);

/* Subscription list of a freshly allocated slot. */
void emudev_events_init(struct rte_emudev *dev);

/* True when the calling thread is inside an event callback of dev. */
bool emudev_events_in_callback(const struct rte_emudev *dev);

/*
 * Stop event delivery for dev, wait for the deliveries in progress in other
 * threads and free every subscription.
 */
void emudev_events_shutdown(struct rte_emudev *dev);

#endif /* EMUDEV_PRIVATE_H */
