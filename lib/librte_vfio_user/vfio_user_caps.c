/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rte_vfio_user.h"
#include "vfio_user_caps.h"
#include "vfio_user_json.h"
#include "vfio_user_msg.h"

/* Accepted ranges. QEMU proposes 16 fds and 1 MiB, accepts <= 64 MiB. */
#define CAPS_MAX_MSG_FDS	1024u
#define CAPS_MAX_XFER		(64u * 1024 * 1024)
#define CAPS_MAX_DMA_MAPS	65535u

void
vfio_user_caps_default(struct vfio_user_caps *caps)
{
	/* "If not specified then the receiver must assume a value of 1" */
	caps->max_msg_fds = 1;
	caps->max_data_xfer_size = 1024 * 1024;
	caps->max_dma_maps = 65535;
	caps->pgsizes = 4096;
	caps->write_multiple = false;
}

static int
get_uint(const struct vfio_user_json *v, uint64_t min, uint64_t max,
		uint64_t *out)
{
	if (v->type != VFIO_USER_JSON_NUMBER || !v->is_uint ||
			v->uint < min || v->uint > max)
		return -EINVAL;
	*out = v->uint;
	return 0;
}

static int
check_caps(const struct vfio_user_json *c, struct vfio_user_caps *caps)
{
	const struct vfio_user_json *v;
	uint64_t u;

	if (c->type != VFIO_USER_JSON_OBJECT)
		return -EINVAL;
	v = vfio_user_json_get(c, "max_msg_fds");
	if (v != NULL) {
		if (get_uint(v, 1, CAPS_MAX_MSG_FDS, &u) < 0)
			return -EINVAL;
		caps->max_msg_fds = u;
	}
	v = vfio_user_json_get(c, "max_data_xfer_size");
	if (v != NULL) {
		if (get_uint(v, 1, CAPS_MAX_XFER, &u) < 0)
			return -EINVAL;
		caps->max_data_xfer_size = u;
	}
	v = vfio_user_json_get(c, "max_dma_maps");
	if (v != NULL) {
		if (get_uint(v, 1, CAPS_MAX_DMA_MAPS, &u) < 0)
			return -EINVAL;
		caps->max_dma_maps = u;
	}
	v = vfio_user_json_get(c, "pgsizes");
	if (v != NULL) {
		/* page sizes OR'ed together, at least 4 KiB granular */
		if (get_uint(v, 4096, UINT64_MAX, &u) < 0 ||
				(u & (VFIO_USER_PGSIZE - 1)) != 0)
			return -EINVAL;
		caps->pgsizes = u;
	}
	v = vfio_user_json_get(c, "write_multiple");
	if (v != NULL) {
		if (v->type != VFIO_USER_JSON_BOOL)
			return -EINVAL;
		caps->write_multiple = v->boolean;
	}
	v = vfio_user_json_get(c, "migration");
	if (v != NULL && v->type != VFIO_USER_JSON_OBJECT)
		return -EINVAL;
	v = vfio_user_json_get(c, "twin_socket");
	if (v != NULL) {
		const struct vfio_user_json *s;

		if (v->type != VFIO_USER_JSON_OBJECT)
			return -EINVAL;
		s = vfio_user_json_get(v, "supported");
		if (s != NULL && s->type != VFIO_USER_JSON_BOOL)
			return -EINVAL;
	}
	/* other members: future capabilities, ignored */
	return 0;
}

int
vfio_user_caps_parse(const char *data, size_t len, struct vfio_user_caps *caps)
{
	const struct vfio_user_json *c;
	struct vfio_user_json *root;
	int r;

	vfio_user_caps_default(caps);
	/* "UTF-8 encoded JSON byte array ... including terminating NUL" */
	if (len == 0 || data[len - 1] != '\0')
		return -EINVAL;
	r = vfio_user_json_parse(data, len - 1, &root);
	if (r < 0)
		return r;
	r = 0;
	if (root->type != VFIO_USER_JSON_OBJECT) {
		r = -EINVAL;
	} else {
		c = vfio_user_json_get(root, "capabilities");
		if (c != NULL)
			r = check_caps(c, caps);
	}
	vfio_user_json_free(root);
	return r;
}

int
vfio_user_caps_format(char *buf, size_t size, uint32_t max_msg_fds,
		uint32_t max_data_xfer_size, uint32_t max_dma_maps)
{
	int n;

	/* short on purpose: QEMU's reply buffer is its request's size */
	n = snprintf(buf, size, "{\"capabilities\":{\"max_msg_fds\":%u,"
		"\"max_data_xfer_size\":%u,\"pgsizes\":%u,"
		"\"max_dma_maps\":%u}}", max_msg_fds, max_data_xfer_size,
		VFIO_USER_PGSIZE, max_dma_maps);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n + 1;
}
