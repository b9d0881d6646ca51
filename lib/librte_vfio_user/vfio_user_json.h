/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_JSON_H_
#define _VFIO_USER_JSON_H_

/*
 * A strict JSON (RFC 8259) scanner for the VERSION capabilities: one pass,
 * no allocation, time linear in the input. It validates the whole text
 * and calls back for every value with the member names leading to it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VFIO_USER_JSON_MAX_DEPTH 16
/* Member names longer than this are passed as NULL (never a known one). */
#define VFIO_USER_JSON_KEY_MAX	31

enum vfio_user_json_type {
	VFIO_USER_JSON_NULL,
	VFIO_USER_JSON_BOOL,
	VFIO_USER_JSON_NUMBER,
	VFIO_USER_JSON_STRING,
	VFIO_USER_JSON_ARRAY,
	VFIO_USER_JSON_OBJECT,
};

struct vfio_user_json_val {
	enum vfio_user_json_type type;
	bool boolean;		/* BOOL value */
	bool is_uint;		/* NUMBER is an integer in uint64 range */
	uint64_t uint;		/* its value */
};

/*
 * Where a value sits: key[i] is the member name at level i (NULL for an
 * array element or a name longer than VFIO_USER_JSON_KEY_MAX); depth 0 is
 * the root value.
 */
struct vfio_user_json_path {
	uint32_t depth;
	const char *key[VFIO_USER_JSON_MAX_DEPTH];
};

/* Called for every value, containers before their members. A negative
 * return stops the scan and is returned by vfio_user_json_scan().
 */
typedef int (*vfio_user_json_cb)(void *arg,
		const struct vfio_user_json_path *path,
		const struct vfio_user_json_val *val);

/*
 * Scan len bytes (no NUL inside). Rejects (-EINVAL) anything but exactly
 * one JSON value surrounded by optional whitespace, nesting deeper than
 * VFIO_USER_JSON_MAX_DEPTH, control characters and \u0000 in strings.
 */
int vfio_user_json_scan(const char *text, size_t len, vfio_user_json_cb cb,
		void *arg);

#endif /* _VFIO_USER_JSON_H_ */
