/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_LOG_H_
#define _VFIO_USER_LOG_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <rte_common.h>
#include <rte_log.h>

extern int vfio_user_logtype;

#define VFIO_USER_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, vfio_user_logtype, \
		RTE_FMT("VFIO_USER: " RTE_FMT_HEAD(__VA_ARGS__ ,) "\n", \
			RTE_FMT_TAIL(__VA_ARGS__ ,)))

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

/* A rate-limited line "VFIO_USER: " PREFIX SEP message; PREFIX and SEP
 * are strings printed as they are.
 */
#define VFIO_USER_LOG_RL_PREFIX(rl, level, prefix, sep, ...) do { \
	char more_[48] = ""; \
	uint32_t dropped_; \
	if (vfio_user_ratelimit_ok((rl), &dropped_)) { \
		if (dropped_ != 0) \
			snprintf(more_, sizeof(more_), \
				" (%u similar lines not shown)", dropped_); \
		rte_log(RTE_LOG_ ## level, vfio_user_logtype, \
			"VFIO_USER: %s%s" RTE_FMT_HEAD(__VA_ARGS__ ,) "%s\n", \
			prefix, sep, RTE_FMT_TAIL(__VA_ARGS__ ,) more_); \
	} \
} while (0)

#define VFIO_USER_LOG_RL(rl, level, ...) \
	VFIO_USER_LOG_RL_PREFIX(rl, level, "", "", __VA_ARGS__)

#endif /* _VFIO_USER_LOG_H_ */
