/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/*
 * Command dispatch: one table row per command. The dispatcher owns the
 * checks every command shares (message type, negotiation, payload size,
 * fds), runs the handler's check, opens the lock_dp window when the row
 * says so, runs the handler's apply and sends the reply.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "vfio_user_dev.h"

/* Row flags. */
#define CMD_LOCK_DP	(1u << 0)	/* apply inside lock_dp(true/false) */
#define CMD_PRE_VERSION	(1u << 1)	/* only before negotiation */
#define CMD_TO_CLIENT	(1u << 2)	/* server -> client only: EINVAL */

struct vfio_user_cmd_desc {
	const char *name;
	uint32_t min_len;	/* payload bytes */
	uint32_t max_len;
	uint32_t max_fds;
	uint32_t flags;
	int (*check)(struct vfio_user_dev *dev, struct vfio_user_req *req);
	/* NULL: not supported (ENOSYS) */
	int (*apply)(struct vfio_user_dev *dev, struct vfio_user_req *req);
	/* after a successful reply was queued */
	void (*done)(struct vfio_user_dev *dev);
};

#define VERSION_LEN sizeof(struct vfio_user_version)
#define DMA_MAP_LEN sizeof(struct vfio_user_dma_map_msg)
#define DMA_UNMAP_LEN sizeof(struct vfio_user_dma_unmap_msg)
#define RW_LEN sizeof(struct vfio_user_region_rw)
/* fixed structs may grow (argsz); a page is more than any of them */
#define ARGS_MAX 4096u

static const struct vfio_user_cmd_desc cmd_table[VFIO_USER_MAX_COMMAND] = {
	[VFIO_USER_VERSION] = { "VERSION",
		VERSION_LEN, VERSION_LEN + VFIO_USER_CAPS_MAX_LEN, 0,
		CMD_PRE_VERSION, vfio_user_version_check,
		vfio_user_version_apply, vfio_user_version_done },
	[VFIO_USER_DMA_MAP] = { "DMA_MAP",
		DMA_MAP_LEN, ARGS_MAX, 1, CMD_LOCK_DP,
		vfio_user_dma_map_check, vfio_user_dma_map_apply, NULL },
	[VFIO_USER_DMA_UNMAP] = { "DMA_UNMAP",
		DMA_UNMAP_LEN, ARGS_MAX, 0, CMD_LOCK_DP,
		vfio_user_dma_unmap_check, vfio_user_dma_unmap_apply, NULL },
	[VFIO_USER_DEVICE_GET_INFO] = { "DEVICE_GET_INFO",
		VFIO_USER_DEV_INFO_SZ, ARGS_MAX, 0, 0,
		NULL, vfio_user_dev_info_apply, NULL },
	[VFIO_USER_DEVICE_GET_REGION_INFO] = { "DEVICE_GET_REGION_INFO",
		VFIO_USER_REGION_INFO_SZ, ARGS_MAX, 0, 0,
		vfio_user_region_info_check, vfio_user_region_info_apply,
		NULL },
	[VFIO_USER_DEVICE_GET_REGION_IO_FDS] = { "DEVICE_GET_REGION_IO_FDS",
		0, UINT32_MAX, 0, 0, NULL, NULL, NULL },
	[VFIO_USER_DEVICE_GET_IRQ_INFO] = { "DEVICE_GET_IRQ_INFO",
		VFIO_USER_IRQ_INFO_SZ, ARGS_MAX, 0, 0,
		vfio_user_irq_info_check, vfio_user_irq_info_apply, NULL },
	[VFIO_USER_DEVICE_SET_IRQS] = { "DEVICE_SET_IRQS",
		VFIO_USER_IRQ_SET_SZ, ARGS_MAX, VFIO_USER_MAX_MSG_FDS,
		CMD_LOCK_DP, vfio_user_irq_set_check,
		vfio_user_irq_set_apply, NULL },
	[VFIO_USER_REGION_READ] = { "REGION_READ",
		RW_LEN, RW_LEN, 0, 0,
		vfio_user_region_rw_check, vfio_user_region_read_apply,
		NULL },
	[VFIO_USER_REGION_WRITE] = { "REGION_WRITE",
		RW_LEN, RW_LEN + RTE_VFIO_USER_MAX_DATA_XFER, 0, 0,
		vfio_user_region_rw_check, vfio_user_region_write_apply,
		NULL },
	[VFIO_USER_DMA_READ] = { "DMA_READ",
		0, UINT32_MAX, 0, CMD_TO_CLIENT, NULL, NULL, NULL },
	[VFIO_USER_DMA_WRITE] = { "DMA_WRITE",
		0, UINT32_MAX, 0, CMD_TO_CLIENT, NULL, NULL, NULL },
	[VFIO_USER_DEVICE_RESET] = { "DEVICE_RESET",
		0, 0, 0, CMD_LOCK_DP,
		vfio_user_reset_check, vfio_user_reset_apply, NULL },
	/* write_multiple is not advertised; migration is not offered */
	[VFIO_USER_DIRTY_PAGES] = { "DIRTY_PAGES",
		0, UINT32_MAX, 0, 0, NULL, NULL, NULL },
	[VFIO_USER_REGION_WRITE_MULTI] = { "REGION_WRITE_MULTI",
		0, UINT32_MAX, 0, 0, NULL, NULL, NULL },
	[VFIO_USER_DEVICE_FEATURE] = { "DEVICE_FEATURE",
		0, UINT32_MAX, 0, 0, NULL, NULL, NULL },
	[VFIO_USER_MIG_DATA_READ] = { "MIG_DATA_READ",
		0, UINT32_MAX, 0, 0, NULL, NULL, NULL },
	[VFIO_USER_MIG_DATA_WRITE] = { "MIG_DATA_WRITE",
		0, UINT32_MAX, 0, 0, NULL, NULL, NULL },
};

/* Checks every command shares; 0 or the errno to answer with. */
const char *
vfio_user_cmd_name(uint16_t cmd)
{
	return cmd < VFIO_USER_MAX_COMMAND ? cmd_table[cmd].name : NULL;
}

static int
check_common(struct vfio_user_dev *dev, const struct vfio_user_msg *msg,
		const struct vfio_user_cmd_desc *d)
{
	uint32_t len = vfio_user_msg_payload_len(msg);
	uint16_t cmd = vfio_user_msg_hdr(msg)->cmd;

	if (vfio_user_msg_type(msg) != VFIO_USER_F_TYPE_CMD)
		return -EINVAL;
	if (d == NULL || d->name == NULL) {
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_UNKNOWN_CMD, NOTICE,
			"unknown command %u", cmd);
		return -ENOSYS;
	}
	if (d->flags & CMD_TO_CLIENT)
		return -EINVAL;
	if (d->apply == NULL) {
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_UNKNOWN_CMD, NOTICE,
			"unsupported command %s", d->name);
		return -ENOSYS;
	}
	/* "the server must reject any command before VERSION" and a
	 * second VERSION
	 */
	if (dev->conn.negotiated == !!(d->flags & CMD_PRE_VERSION)) {
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_MSG, ERR,
			"%s %s VERSION", d->name,
			dev->conn.negotiated ? "after" : "before");
		return -EINVAL;
	}
	if (msg->fds_truncated || msg->nfds > d->max_fds) {
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_FD, ERR,
			"%s with %u%s fds (at most %u)", d->name, msg->nfds,
			msg->fds_truncated ? "+" : "", d->max_fds);
		return -EINVAL;
	}
	if (len < d->min_len || len > d->max_len) {
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_MSG, ERR,
			"%s payload of %u bytes (%u..%u expected)", d->name,
			len, d->min_len, d->max_len);
		return -EINVAL;
	}
	return 0;
}

void
vfio_user_dispatch(struct vfio_user_dev *dev, struct vfio_user_msg *msg)
{
	struct vfio_user_hdr *h = vfio_user_msg_hdr(msg);
	const struct vfio_user_cmd_desc *d = NULL;
	bool no_reply = (h->flags & VFIO_USER_F_NO_REPLY) != 0;
	struct vfio_user_msg *rep;
	struct vfio_user_req req;
	int r;

	if (vfio_user_msg_type(msg) == VFIO_USER_F_TYPE_REPLY) {
		/* no request of ours is pending: nothing to answer */
		dev->stats.dropped++;
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_MSG, NOTICE,
			"unexpected reply (command %u) dropped", h->cmd);
		return;
	}
	dev->stats.cmds[RTE_MIN(h->cmd, (uint16_t)VFIO_USER_MAX_COMMAND)]++;
	if (h->cmd < VFIO_USER_MAX_COMMAND)
		d = &cmd_table[h->cmd];

	memset(&req, 0, offsetof(struct vfio_user_req, reply_inline));
	req.msg = msg;
	req.data = vfio_user_msg_payload(msg);
	req.len = vfio_user_msg_payload_len(msg);
	req.reply_fd = -1;

	r = check_common(dev, msg, d);
	if (r == 0 && d->check != NULL)
		r = d->check(dev, &req);
	if (r == 0) {
		if (d->flags & CMD_LOCK_DP)
			vfio_user_lock_dp(dev, true);
		r = d->apply(dev, &req);
		if (d->flags & CMD_LOCK_DP)
			vfio_user_lock_dp(dev, false);
	}
	if (r < 0) {
		dev->stats.errors++;
		VFIO_USER_LOG(DEBUG, "%s: command %u failed: %s", dev->path,
			h->cmd, strerror(-r));
	}
	/* "No_reply ... indicates that no reply is needed", errors included */
	if (!no_reply) {
		rep = vfio_user_msg_new_reply(h, r < 0 ? (uint32_t)-r : 0,
			req.reply, req.reply_len);
		if (rep != NULL && r == 0 && req.reply_fd >= 0)
			vfio_user_msg_set_fds(rep, &req.reply_fd, 1);
		if (rep == NULL)
			dev->conn.broken = true;	/* cannot answer */
		else
			vfio_user_conn_queue(dev, rep);
	}
	if (req.reply_allocated)
		free(req.reply);
	if (r == 0 && d->done != NULL)
		d->done(dev);
}
