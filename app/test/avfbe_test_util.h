/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

#ifndef _AVFBE_TEST_UTIL_H_
#define _AVFBE_TEST_UTIL_H_

/* Checks and counters shared by the net_avfbe test suites. */

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_ethdev.h>

#include "test.h"

/*
 * Fail the test case with a message when cond is false. Unlike TEST_ASSERT
 * (logged at DEBUG level), the message is always printed.
 */
#define CHECK(cond, ...) do { \
		if (!(cond)) { \
			printf("%s:%d: check failed: %s: ", __func__, \
			       __LINE__, #cond); \
			printf(__VA_ARGS__); \
			printf("\n"); \
			return TEST_FAILED; \
		} \
	} while (0)

/* Value of the extended statistic name of port, or UINT64_MAX. */
static inline uint64_t
avfbe_test_xstat(uint16_t port, const char *name)
{
	uint64_t id, v = UINT64_MAX;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

/*
 * A number from the environment variable name, within [min, max]: *v gets
 * it, or def when the variable is unset or empty. -EINVAL (and a message)
 * on a malformed or out-of-range value.
 */
static inline int
avfbe_test_env_u64(const char *name, uint64_t min, uint64_t max,
		uint64_t def, uint64_t *v)
{
	const char *s = getenv(name);
	unsigned long long x;
	char *end;

	*v = def;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || x < min || x > max) {
		printf("%s=%s: expected a number in [%" PRIu64 ", %" PRIu64 "]\n",
		       name, s, min, max);
		return -EINVAL;
	}
	*v = x;
	return 0;
}

#endif /* _AVFBE_TEST_UTIL_H_ */
