/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Telemetry of the emulated AVFs (usertools/dpdk-telemetry.py):
 *   /emu_iavf/list             emudev ids of the emulated AVFs
 *   /emu_iavf/info,<emu id>    reset state, virtchnl version, capabilities
 *                              granted, queues, link, resets by cause,
 *                              bad inputs by kind
 * Values are read while the control thread and the guest change them: a
 * snapshot, not a consistent set.
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "iavf_emu.h"

static const char * const err_keys[IAVF_EMU_ERR_MAX] = {
	[IAVF_EMU_ERR_REG] = "register",
	[IAVF_EMU_ERR_TAIL] = "tail",
	[IAVF_EMU_ERR_AQ] = "admin_queue",
	[IAVF_EMU_ERR_AQ_DMA] = "admin_queue_dma",
	[IAVF_EMU_ERR_VC] = "virtchnl",
	[IAVF_EMU_ERR_RING] = "ring",
	[IAVF_EMU_ERR_ARQ_FULL] = "arq_full",
	[IAVF_EMU_ERR_IRQ] = "interrupt",
};

static const char * const reset_keys[IAVF_EMU_RESET_MAX] = {
	[IAVF_EMU_RESET_VF] = "vf_reset",
	[IAVF_EMU_RESET_FLR] = "function_level_reset",
	[IAVF_EMU_RESET_DEVICE] = "device_reset",
	[IAVF_EMU_RESET_CLIENT] = "client_lost",
};

/* VFGEN_RSTAT.VFR_STATE as the driver reads it */
static const char *
reset_state(const struct iavf_emu_dev *dev)
{
	switch (iavf_emu_reg(dev, IAVF_VFGEN_RSTAT) &
		IAVF_VFGEN_RSTAT_VFR_STATE_MASK) {
	case VIRTCHNL_VFR_INPROGRESS:
		return "in_progress";
	case VIRTCHNL_VFR_COMPLETED:
		return "completed";
	case VIRTCHNL_VFR_VFACTIVE:
		return "vf_active";
	default:
		return "unknown";
	}
}

static void
list_dev(const struct iavf_emu_dev *dev, void *arg)
{
	rte_tel_data_add_array_int(arg, dev->emu_id);
}

static int
handle_list(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	uint16_t id;

	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (id = 0; id < RTE_MAX_EMUDEV; id++)
		iavf_emu_dev_with(id, list_dev, d);
	return 0;
}

static void
info_dev(const struct iavf_emu_dev *dev, void *arg)
{
	struct rte_tel_data *d = arg, *errs, *resets;
	char ver[16], mac[RTE_ETHER_ADDR_FMT_SIZE];
	uint32_t rx_on = 0, tx_on = 0;
	uint16_t q;
	int i;

	for (q = 0; q < dev->num_qp; q++) {
		rx_on += dev->rxq[q].guest_enabled;
		tx_on += dev->txq[q].guest_enabled;
	}
	snprintf(ver, sizeof(ver), "%u.%u", dev->ver.major, dev->ver.minor);
	rte_ether_format_addr(mac, sizeof(mac), &dev->mac);

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", dev->name);
	rte_tel_data_add_dict_string(d, "path", dev->path);
	rte_tel_data_add_dict_int(d, "vfio_user_id", dev->vfu_id);
	rte_tel_data_add_dict_int(d, "client_connected", dev->connected);
	rte_tel_data_add_dict_string(d, "reset_state", reset_state(dev));
	/* RESET_VF accepted, RSTAT still VFACTIVE until the next access */
	rte_tel_data_add_dict_int(d, "vf_reset_requested",
				  dev->vfr == IAVF_EMU_VFR_REQUESTED);
	rte_tel_data_add_dict_string(d, "virtchnl_version", ver);
	rte_tel_data_add_dict_int(d, "resources_sent", dev->resources_sent);
	rte_tel_data_add_dict_uint(d, "caps_granted", dev->caps);
	rte_tel_data_add_dict_string(d, "mac", mac);
	rte_tel_data_add_dict_int(d, "queue_pairs", dev->num_qp);
	rte_tel_data_add_dict_int(d, "rx_queues_enabled", rx_on);
	rte_tel_data_add_dict_int(d, "tx_queues_enabled", tx_on);
	rte_tel_data_add_dict_int(d, "bus_master", dev->bus_master);
	rte_tel_data_add_dict_int(d, "link_up",
		rte_atomic_load_explicit(&dev->link_up,
			rte_memory_order_relaxed) != 0);
	rte_tel_data_add_dict_uint(d, "link_speed_mbps",
		rte_atomic_load_explicit(&dev->link_mbps,
			rte_memory_order_relaxed));
	rte_tel_data_add_dict_uint(d, "events_lost", dev->events_lost);
	rte_tel_data_add_dict_uint(d, "stale_tails",
		rte_atomic_load_explicit(&dev->stale_tails,
			rte_memory_order_relaxed));
	resets = rte_tel_data_alloc();
	if (resets != NULL) {
		rte_tel_data_start_dict(resets);
		for (i = 0; i < IAVF_EMU_RESET_MAX; i++)
			rte_tel_data_add_dict_uint(resets, reset_keys[i],
						   dev->resets[i]);
		rte_tel_data_add_dict_container(d, "resets", resets, 0);
	}
	errs = rte_tel_data_alloc();
	if (errs != NULL) {
		rte_tel_data_start_dict(errs);
		for (i = 0; i < IAVF_EMU_ERR_MAX; i++)
			rte_tel_data_add_dict_uint(errs, err_keys[i],
				rte_atomic_load_explicit(&dev->err[i],
					rte_memory_order_relaxed));
		rte_tel_data_add_dict_container(d, "bad_inputs", errs, 0);
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
	if (*end != '\0' || id < 0 || id >= RTE_MAX_EMUDEV)
		return -EINVAL;
	return iavf_emu_dev_with((uint16_t)id, info_dev, d);
}

RTE_INIT(iavf_emu_telemetry_init)
{
	rte_telemetry_register_cmd("/emu_iavf/list", handle_list,
		"Returns the emudev ids of the emulated AVFs. No parameters");
	rte_telemetry_register_cmd("/emu_iavf/info", handle_info,
		"Returns an emulated AVF's reset state, virtchnl, queues, link and bad inputs. Parameters: int emudev id");
}
