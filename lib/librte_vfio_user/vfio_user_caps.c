/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/* VERSION capabilities: parsing, validation and formatting. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

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

/* The members this library knows; each may appear once. */
enum caps_key {
	CK_ROOT,
	CK_CAPS,
	CK_MSG_FDS,
	CK_XFER,
	CK_DMA_MAPS,
	CK_PGSIZES,
	CK_WRITE_MULTI,
	CK_MIGRATION,
	CK_TWIN,
	CK_TWIN_SUPPORTED,
	CK_UNKNOWN,
};

static const struct {
	const char *name;	/* member of "capabilities" */
	enum caps_key key;
} caps_members[] = {
	{ "max_msg_fds", CK_MSG_FDS },
	{ "max_data_xfer_size", CK_XFER },
	{ "max_dma_maps", CK_DMA_MAPS },
	{ "pgsizes", CK_PGSIZES },
	{ "write_multiple", CK_WRITE_MULTI },
	{ "migration", CK_MIGRATION },
	{ "twin_socket", CK_TWIN },
};

struct caps_scan {
	struct vfio_user_caps *caps;
	uint32_t seen;		/* bit per enum caps_key */
};

static bool
key_is(const struct vfio_user_json_path *p, uint32_t level, const char *name)
{
	return p->key[level] != NULL && strcmp(p->key[level], name) == 0;
}

static enum caps_key
classify(const struct vfio_user_json_path *p)
{
	uint32_t i;

	if (p->depth == 0)
		return CK_ROOT;
	if (!key_is(p, 0, "capabilities"))
		return CK_UNKNOWN;
	if (p->depth == 1)
		return CK_CAPS;
	if (p->depth == 3 && key_is(p, 1, "twin_socket") &&
			key_is(p, 2, "supported"))
		return CK_TWIN_SUPPORTED;
	if (p->depth != 2)
		return CK_UNKNOWN;
	for (i = 0; i < RTE_DIM(caps_members); i++)
		if (key_is(p, 1, caps_members[i].name))
			return caps_members[i].key;
	return CK_UNKNOWN;
}

static int
get_uint(const struct vfio_user_json_val *v, uint64_t min, uint64_t max,
		uint64_t *out)
{
	if (v->type != VFIO_USER_JSON_NUMBER || !v->is_uint ||
			v->uint < min || v->uint > max)
		return -EINVAL;
	*out = v->uint;
	return 0;
}

static int
caps_value(void *arg, const struct vfio_user_json_path *p,
		const struct vfio_user_json_val *v)
{
	struct caps_scan *cs = arg;
	struct vfio_user_caps *caps = cs->caps;
	enum caps_key k = classify(p);
	uint64_t u;

	if (k == CK_UNKNOWN)
		return 0;	/* future capabilities are ignored */
	if (cs->seen & (1u << k))
		return -EINVAL;	/* a known member given twice */
	cs->seen |= 1u << k;
	switch (k) {
	case CK_ROOT:
	case CK_CAPS:
	case CK_MIGRATION:
	case CK_TWIN:
		return v->type == VFIO_USER_JSON_OBJECT ? 0 : -EINVAL;
	case CK_MSG_FDS:
		if (get_uint(v, 1, CAPS_MAX_MSG_FDS, &u) < 0)
			return -EINVAL;
		caps->max_msg_fds = u;
		return 0;
	case CK_XFER:
		if (get_uint(v, VFIO_USER_MIN_XFER, CAPS_MAX_XFER, &u) < 0)
			return -EINVAL;
		caps->max_data_xfer_size = u;
		return 0;
	case CK_DMA_MAPS:
		if (get_uint(v, 1, CAPS_MAX_DMA_MAPS, &u) < 0)
			return -EINVAL;
		caps->max_dma_maps = u;
		return 0;
	case CK_PGSIZES:
		/* page sizes OR'ed together, at least 4 KiB granular */
		if (get_uint(v, VFIO_USER_PGSIZE, UINT64_MAX, &u) < 0 ||
				(u & (VFIO_USER_PGSIZE - 1)) != 0)
			return -EINVAL;
		caps->pgsizes = u;
		return 0;
	case CK_WRITE_MULTI:
		if (v->type != VFIO_USER_JSON_BOOL)
			return -EINVAL;
		caps->write_multiple = v->boolean;
		return 0;
	case CK_TWIN_SUPPORTED:
		return v->type == VFIO_USER_JSON_BOOL ? 0 : -EINVAL;
	default:
		return 0;
	}
}

int
vfio_user_caps_parse(const char *data, size_t len, struct vfio_user_caps *caps)
{
	struct caps_scan cs = { .caps = caps, .seen = 0 };

	vfio_user_caps_default(caps);
	/* "UTF-8 encoded JSON byte array ... including terminating NUL" */
	if (len == 0 || len > VFIO_USER_CAPS_MAX_LEN || data[len - 1] != '\0')
		return -EINVAL;
	return vfio_user_json_scan(data, len - 1, caps_value, &cs);
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
