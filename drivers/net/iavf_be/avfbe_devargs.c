/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * net_avfbe devargs. Two forms:
 *
 *   net_avfbe0,path=/run/avf0.sock[,queues=N,mac=..,link_speed=..,doorbell=..][,id=N]
 *       the port creates its emulated AVF (emu_iavf devargs) and owns it;
 *   net_avfbe0,id=N,avf_emu_id=<emudev id or name>
 *       the port serves an emulated AVF made by an emu_iavf vdev.
 *
 * Both take rss=device (default: the guest's RSS configuration picks the
 * guest receive queue of each frame) or rss=port (port Tx queue q fills
 * guest receive queue q).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_emudev.h>
#include <rte_kvargs.h>

#include "avfbe.h"

#define AVFBE_ARG_ID		"id"
#define AVFBE_ARG_EMU_ID	"avf_emu_id"
#define AVFBE_ARG_PATH		RTE_IAVF_EMU_ARG_PATH
#define AVFBE_ARG_RSS		"rss"

/* emu_iavf devargs the port passes on when it creates the device */
static const char * const avfbe_emu_keys[] = {
	RTE_IAVF_EMU_DEV_ARGS, NULL,
};

static const char * const avfbe_valid_args[] = {
	AVFBE_ARG_ID, AVFBE_ARG_EMU_ID, AVFBE_ARG_RSS, RTE_IAVF_EMU_DEV_ARGS,
	NULL,
};

static bool
avfbe_is_emu_key(const char *key)
{
	const char * const *k;

	for (k = avfbe_emu_keys; *k != NULL; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

static int
avfbe_parse_uint(const char *key, const char *value, unsigned long limit,
		int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(value, &end, 0);
	if (errno != 0 || end == value || *end != '\0' || value[0] == '-' ||
	    v > limit) {
		AVFBE_LOG(ERR, "invalid %s=%s: expected an integer 0..%" PRIu64,
			  key, value, (uint64_t)limit);
		return -EINVAL;
	}
	*out = (int)v;
	return 0;
}

/* Append "key=value" to the emu_iavf devargs being built. */
static int
avfbe_emu_arg(struct avfbe_args *args, const char *key, const char *value)
{
	size_t len = strlen(args->emu_args);
	int n;

	n = snprintf(args->emu_args + len, sizeof(args->emu_args) - len,
		     "%s%s=%s", len > 0 ? "," : "", key, value);
	if (n < 0 || (size_t)n >= sizeof(args->emu_args) - len) {
		AVFBE_LOG(ERR, "%s=%s: devargs too long", key, value);
		return -EINVAL;
	}
	return 0;
}

static int
avfbe_arg_handler(const char *key, const char *value, void *opaque)
{
	struct avfbe_args *args = opaque;

	if (value == NULL) {
		AVFBE_LOG(ERR, "devarg %s needs a value", key);
		return -EINVAL;
	}
	if (avfbe_is_emu_key(key))
		return avfbe_emu_arg(args, key, value);
	if (strcmp(key, AVFBE_ARG_ID) == 0)
		return avfbe_parse_uint(key, value, UINT16_MAX, &args->id);
	if (strcmp(key, AVFBE_ARG_RSS) == 0) {
		if (strcmp(value, "device") == 0) {
			args->port_rss = false;
		} else if (strcmp(value, "port") == 0) {
			args->port_rss = true;
		} else {
			AVFBE_LOG(ERR, "invalid %s=%s: expected device (the guest's RSS table picks the guest queue) or port (port Tx queue q fills guest queue q)",
				  key, value);
			return -EINVAL;
		}
		return 0;
	}
	/* avf_emu_id: an emudev id, or the name of the emudev */
	if (value[0] >= '0' && value[0] <= '9')
		return avfbe_parse_uint(key, value, RTE_MAX_EMUDEV - 1,
					&args->emu_id);
	args->emu_id = rte_emudev_get_dev_id(value);
	if (args->emu_id < 0) {
		AVFBE_LOG(ERR, "invalid %s=%s: no emulated device of that name",
			  key, value);
		return -EINVAL;
	}
	return 0;
}

/* The emu_iavf devargs given without path=, for the error message. */
static const char *
avfbe_stray_emu_key(const struct rte_kvargs *kvlist)
{
	const char * const *k;

	for (k = avfbe_emu_keys; *k != NULL; k++)
		if (rte_kvargs_count(kvlist, *k) > 0)
			return *k;
	return NULL;
}

int
avfbe_parse_args(const char *name, const char *params, struct avfbe_args *args)
{
	const char * const *key;
	struct rte_kvargs *kvlist;
	const char *stray;
	int ret = 0;

	memset(args, 0, sizeof(*args));
	args->id = -1;
	args->emu_id = -1;
	kvlist = rte_kvargs_parse(params != NULL ? params : "", avfbe_valid_args);
	if (kvlist == NULL) {
		AVFBE_LOG(ERR, "%s: cannot parse devargs \"%s\" (allowed: %s=<socket>[,queues=,mac=,link_speed=,doorbell=][,%s=], or %s=<uint16>,%s=<emudev id or name>; both with [,%s=device|port])",
			  name, params, AVFBE_ARG_PATH, AVFBE_ARG_ID,
			  AVFBE_ARG_ID, AVFBE_ARG_EMU_ID, AVFBE_ARG_RSS);
		return -EINVAL;
	}
	for (key = avfbe_valid_args; *key != NULL; key++) {
		if (rte_kvargs_count(kvlist, *key) > 1) {
			AVFBE_LOG(ERR, "%s: devarg %s given more than once",
				  name, *key);
			ret = -EINVAL;
			goto out;
		}
	}
	args->own_emu = rte_kvargs_count(kvlist, AVFBE_ARG_PATH) == 1;
	if (args->own_emu &&
	    rte_kvargs_count(kvlist, AVFBE_ARG_EMU_ID) > 0) {
		AVFBE_LOG(ERR, "%s: give either %s= (the port creates its emulated AVF) or %s= (an emu_iavf vdev's), not both",
			  name, AVFBE_ARG_PATH, AVFBE_ARG_EMU_ID);
		ret = -EINVAL;
		goto out;
	}
	stray = avfbe_stray_emu_key(kvlist);
	if (!args->own_emu && stray != NULL) {
		AVFBE_LOG(ERR, "%s: %s= needs %s=<socket> (with %s=, set it on the emu_iavf vdev)",
			  name, stray, AVFBE_ARG_PATH, AVFBE_ARG_EMU_ID);
		ret = -EINVAL;
		goto out;
	}
	ret = rte_kvargs_process(kvlist, NULL, avfbe_arg_handler, args);
	if (ret != 0) {
		ret = -EINVAL;
		goto out;
	}
	if (args->own_emu) {
		if (args->id < 0)
			args->id = 0;
	} else if (args->id < 0 || args->emu_id < 0) {
		AVFBE_LOG(ERR, "%s: missing devarg %s (required: %s=<socket>, or %s=<uint16> and %s=<emudev id>)",
			  name, args->id < 0 ? AVFBE_ARG_ID : AVFBE_ARG_EMU_ID,
			  AVFBE_ARG_PATH, AVFBE_ARG_ID, AVFBE_ARG_EMU_ID);
		ret = -EINVAL;
	}
out:
	rte_kvargs_free(kvlist);
	return ret;
}
