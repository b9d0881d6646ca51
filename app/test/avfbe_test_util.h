/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

#ifndef _AVFBE_TEST_UTIL_H_
#define _AVFBE_TEST_UTIL_H_

/* Checks and counters shared by the net_avfbe test suites. */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "test.h"

#include "emu_compat.h"

/* Print why a CHECK failed; returns false. */
static inline bool __rte_format_printf(4, 5)
avfbe_test_check_failed(const char *func, int line, const char *cond,
		const char *fmt, ...)
{
	va_list ap;

	printf("%s:%d: check failed: %s: ", func, line, cond);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return false;
}

/*
 * Fail the test case with a message when cond is false. Unlike TEST_ASSERT
 * (logged at DEBUG level), the message is always printed.
 */
#define CHECK(cond, ...) \
	TEST_ASSERT((cond) || avfbe_test_check_failed(__func__, __LINE__, \
			#cond, __VA_ARGS__), "%s", #cond)

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

/*
 * Headers of an Ethernet + IPv4 + UDP frame of len bytes, 10.0.0.1 to
 * 10.0.0.2, from 02:00:00:00:00:src_id to dst; the payload (after the UDP
 * header) is the caller's.
 */
static inline void
avfbe_test_udp_frame(uint8_t *f, uint16_t len,
		const struct rte_ether_addr *dst, uint8_t src_id,
		uint16_t sport, uint16_t dport)
{
	struct rte_ether_hdr *eth = (void *)f;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	struct rte_udp_hdr *udp = (void *)(ip + 1);

	memset(f, 0, sizeof(*eth) + sizeof(*ip) + sizeof(*udp));
	rte_ether_addr_copy(dst, &eth->dst_addr);
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[5] = src_id;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
	ip->total_length = rte_cpu_to_be_16(len - RTE_ETHER_HDR_LEN);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(len - RTE_ETHER_HDR_LEN -
					  sizeof(*ip));
}

#endif /* _AVFBE_TEST_UTIL_H_ */
