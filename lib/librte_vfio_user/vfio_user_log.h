/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_LOG_H_
#define _VFIO_USER_LOG_H_

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_common.h>
#include <rte_log.h>

extern int vfio_user_logtype;

#define VFIO_USER_LOG(level, fmt, args...) \
	rte_log(RTE_LOG_ ## level, vfio_user_logtype, \
		"VFIO_USER: " fmt "\n", ## args)

/*
 * Rate limit for messages a peer can cause: a burst of
 * VFIO_USER_RL_BURST lines, then one per VFIO_USER_RL_PERIOD_MS; the
 * lines dropped meanwhile are counted and reported with the next one.
 */
#define VFIO_USER_RL_BURST	5u
#define VFIO_USER_RL_PERIOD_MS	1000

struct vfio_user_ratelimit {
	int64_t last_ms;	/* last refill */
	uint32_t tokens;
	uint32_t suppressed;
	bool init;
};

static inline int64_t
vfio_user_coarse_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True when a line may be printed; *dropped gets the lines dropped since
 * the last printed one.
 */
static inline bool
vfio_user_ratelimit_ok(struct vfio_user_ratelimit *rl, uint32_t *dropped)
{
	int64_t now = vfio_user_coarse_ms();

	if (!rl->init) {
		rl->init = true;
		rl->tokens = VFIO_USER_RL_BURST;
		rl->last_ms = now;
	} else if (now - rl->last_ms >= VFIO_USER_RL_PERIOD_MS) {
		int64_t n = (now - rl->last_ms) / VFIO_USER_RL_PERIOD_MS;

		rl->tokens = (uint32_t)RTE_MIN((int64_t)VFIO_USER_RL_BURST,
			rl->tokens + n);
		rl->last_ms = now;
	}
	if (rl->tokens == 0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens--;
	*dropped = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

#define VFIO_USER_LOG_RL(rl, level, fmt, args...) do { \
	uint32_t _dropped; \
	if (vfio_user_ratelimit_ok((rl), &_dropped)) { \
		if (_dropped != 0) \
			VFIO_USER_LOG(level, fmt " (%u similar lines not shown)", \
				## args, _dropped); \
		else \
			VFIO_USER_LOG(level, fmt, ## args); \
	} \
} while (0)

#endif /* _VFIO_USER_LOG_H_ */
