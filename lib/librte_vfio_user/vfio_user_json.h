/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_JSON_H_
#define _VFIO_USER_JSON_H_

/* A small strict JSON (RFC 8259) parser for VERSION capabilities. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vfio_user_json_type {
	VFIO_USER_JSON_NULL,
	VFIO_USER_JSON_BOOL,
	VFIO_USER_JSON_NUMBER,
	VFIO_USER_JSON_STRING,
	VFIO_USER_JSON_ARRAY,
	VFIO_USER_JSON_OBJECT,
};

struct vfio_user_json {
	enum vfio_user_json_type type;
	char *key;			/* member name inside an object */
	char *str;			/* STRING value */
	bool boolean;			/* BOOL value */
	bool is_uint;			/* NUMBER is an integer in uint64 range */
	uint64_t uint;			/* its value */
	struct vfio_user_json *child;	/* ARRAY / OBJECT members */
	struct vfio_user_json *next;
};

/*
 * Parse len bytes of text (no NUL needed inside len). Rejects anything but
 * exactly one JSON value surrounded by optional whitespace, duplicate object
 * keys, nesting deeper than 16, control characters and NULs in strings.
 * Returns 0 and *root, or -EINVAL / -ENOMEM.
 */
int vfio_user_json_parse(const char *text, size_t len,
		struct vfio_user_json **root);

void vfio_user_json_free(struct vfio_user_json *v);

/* Member of an object, or NULL. */
const struct vfio_user_json *vfio_user_json_get(const struct vfio_user_json *o,
		const char *key);

#endif /* _VFIO_USER_JSON_H_ */
