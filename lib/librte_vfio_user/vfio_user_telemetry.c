/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device emulation authors
 */

/*
 * Telemetry of the server's devices (usertools/dpdk-telemetry.py):
 *   /vfio_user/list        ids of the registered devices
 *   /vfio_user/info,<id>   socket, client, DMA maps, commands served by
 *                          kind, peer-caused events by kind
 * The telemetry thread reads the counters while the device's control
 * thread updates them; the registry lock keeps the device alive meanwhile.
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "vfio_user_dev.h"

static const char * const event_names[VFIO_USER_LOG_KIND_MAX] = {
	[VFIO_USER_LOG_CONN] = "connection",
	[VFIO_USER_LOG_BAD_MSG] = "bad_message",
	[VFIO_USER_LOG_BAD_FD] = "bad_fd",
	[VFIO_USER_LOG_UNKNOWN_CMD] = "unknown_command",
	[VFIO_USER_LOG_BAD_DMA] = "bad_dma",
	[VFIO_USER_LOG_BAD_REGION] = "bad_region",
	[VFIO_USER_LOG_BAD_IRQ] = "bad_irq",
	[VFIO_USER_LOG_XFER] = "request_failed",
};

static void
list_dev(struct vfio_user_dev *dev, void *arg)
{
	rte_tel_data_add_array_int(arg, dev->id);
}

static int
handle_list(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	vfio_user_dev_foreach(list_dev, d);
	return 0;
}

static void
info_dev(struct vfio_user_dev *dev, void *arg)
{
	struct rte_tel_data *d = arg, *cmds, *events;
	const struct vfio_user_stats *s = &dev->stats;
	const struct vfio_user_conn *c = &dev->conn;
	const char *name;
	uint16_t i;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "id", dev->id);
	rte_tel_data_add_dict_string(d, "path", dev->path);
	rte_tel_data_add_dict_int(d, "client_connected", c->tran != NULL);
	rte_tel_data_add_dict_int(d, "client_negotiated",
		c->tran != NULL && c->negotiated);
	rte_tel_data_add_dict_uint(d, "dma_maps", dev->dma.nb);
	rte_tel_data_add_dict_uint(d, "connects", s->connects);
	rte_tel_data_add_dict_uint(d, "refused", s->refused);
	rte_tel_data_add_dict_uint(d, "reaped", s->reaped);
	rte_tel_data_add_dict_uint(d, "error_replies", s->errors);
	rte_tel_data_add_dict_uint(d, "dropped", s->dropped);
	rte_tel_data_add_dict_uint(d, "request_timeouts", s->xfer_timeouts);
	rte_tel_data_add_dict_uint(d, "request_aborts", s->xfer_aborted);
	rte_tel_data_add_dict_uint(d, "deferred_max", s->deferred_max);

	cmds = rte_tel_data_alloc();
	if (cmds != NULL) {
		rte_tel_data_start_dict(cmds);
		for (i = 0; i < VFIO_USER_MAX_COMMAND; i++) {
			name = vfio_user_cmd_name(i);
			if (name != NULL)
				rte_tel_data_add_dict_uint(cmds, name, s->cmds[i]);
		}
		rte_tel_data_add_dict_uint(cmds, "unknown", s->cmds[VFIO_USER_MAX_COMMAND]);
		rte_tel_data_add_dict_container(d, "commands", cmds, 0);
	}
	events = rte_tel_data_alloc();
	if (events != NULL) {
		rte_tel_data_start_dict(events);
		for (i = 0; i < VFIO_USER_LOG_KIND_MAX; i++)
			rte_tel_data_add_dict_uint(events, event_names[i], dev->events[i]);
		rte_tel_data_add_dict_container(d, "events", events, 0);
	}
}

static int
handle_info(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	char *end;
	long id;

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	id = strtol(params, &end, 10);
	if (*end != '\0' || id < 0 || id >= RTE_VFIO_USER_MAX_DEVICES)
		return -EINVAL;
	return vfio_user_dev_with((int)id, info_dev, d);
}

RTE_INIT(vfio_user_telemetry_init)
{
	rte_telemetry_register_cmd("/vfio_user/list", handle_list,
		"Returns the ids of the vfio-user devices. No parameters");
	rte_telemetry_register_cmd("/vfio_user/info", handle_info,
		"Returns a vfio-user device's client, DMA maps, commands and events. Parameters: int device id");
}
