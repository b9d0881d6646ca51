/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2025 The DPDK device emulation authors
 */

/* Telemetry commands of the emudev class: /emudev/list, /emudev/info. */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "rte_emudev.h"
#include "emudev_private.h"

static int
emudev_tel_list(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	uint16_t dev_id;

	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	RTE_EMUDEV_FOREACH(dev_id)
		rte_tel_data_add_array_int(d, dev_id);
	return 0;
}

/* Parse a decimal device identifier; -EINVAL unless the whole string is one. */
static int
emudev_tel_parse_id(const char *params, uint16_t *dev_id)
{
	unsigned long id;
	char *end;

	if (params == NULL || !isdigit((unsigned char)params[0]))
		return -EINVAL;
	errno = 0;
	id = strtoul(params, &end, 10);
	if (errno != 0 || *end != '\0' || id >= RTE_MAX_EMUDEV)
		return -EINVAL;
	*dev_id = id;
	return 0;
}

static int
emudev_tel_info(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	struct rte_emudev_info info;
	uint16_t dev_id;
	int ret;

	ret = emudev_tel_parse_id(params, &dev_id);
	if (ret < 0)
		return ret;
	ret = rte_emudev_info_get(dev_id, &info);
	if (ret < 0)
		return ret;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "id", dev_id);
	rte_tel_data_add_dict_string(d, "name", info.name);
	rte_tel_data_add_dict_string(d, "driver",
		info.driver_name != NULL ? info.driver_name : "");
	rte_tel_data_add_dict_string(d, "type",
		info.type != NULL ? info.type : "");
	rte_tel_data_add_dict_string(d, "state", emudev_state_name(info.state));
	rte_tel_data_add_dict_int(d, "ready", info.ready ? 1 : 0);
	rte_tel_data_add_dict_int(d, "max_qp_num", info.max_qp_num);
	rte_tel_data_add_dict_int(d, "max_irq_num", info.max_irq_num);
	return 0;
}

RTE_INIT(emudev_telemetry_init)
{
	rte_telemetry_register_cmd("/emudev/list", emudev_tel_list,
		"Returns the list of emulated device ids. Takes no parameters");
	rte_telemetry_register_cmd("/emudev/info", emudev_tel_info,
		"Returns information about an emulated device. Parameters: int dev_id");
}
