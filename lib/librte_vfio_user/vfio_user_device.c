/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/* Device-level commands: VERSION, DEVICE_GET_INFO, DEVICE_RESET. */

#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "vfio_user_dev.h"

int
vfio_user_version_check(struct vfio_user_dev *dev, struct vfio_user_req *req)
{
	struct vfio_user_version ver;
	struct vfio_user_caps caps;
	int r;

	memcpy(&ver, req->data, sizeof(ver));
	if (ver.major != VFIO_USER_MAJOR) {
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_MSG, ERR,
			"client speaks vfio-user %u.%u, this server %u.%u",
			ver.major, ver.minor, VFIO_USER_MAJOR, VFIO_USER_MINOR);
		return -EINVAL;
	}
	if (req->len > sizeof(ver)) {
		r = vfio_user_caps_parse((const char *)req->data + sizeof(ver),
			req->len - sizeof(ver), &caps);
		if (r < 0) {
			VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_MSG, ERR,
				"bad VERSION capabilities (%u bytes)",
				req->len - (uint32_t)sizeof(ver));
			return r;
		}
	}
	return 0;
}

int
vfio_user_version_apply(struct vfio_user_dev *dev, struct vfio_user_req *req)
{
	struct vfio_user_version ver;
	struct vfio_user_caps caps;
	char json[256];
	uint32_t rlen = sizeof(ver);
	uint8_t *out;
	int n = 0;

	memcpy(&ver, req->data, sizeof(ver));
	vfio_user_caps_default(&caps);
	if (req->len > sizeof(ver)) {
		/* validated by the check */
		vfio_user_caps_parse((const char *)req->data + sizeof(ver),
			req->len - sizeof(ver), &caps);
		/* answer JSON with JSON, kept shorter than QEMU's request */
		n = vfio_user_caps_format(json, sizeof(json),
			VFIO_USER_MAX_MSG_FDS, RTE_VFIO_USER_MAX_DATA_XFER,
			RTE_VFIO_USER_MAX_DMA_MAPS);
		if (n < 0)
			return n;
		rlen += n;
	}
	out = vfio_user_req_reply(req, rlen);
	if (out == NULL)
		return -ENOMEM;
	/* "minor in the reply must be equal to or less than proposed" */
	ver.major = VFIO_USER_MAJOR;
	ver.minor = RTE_MIN(ver.minor, (uint16_t)VFIO_USER_MINOR);
	memcpy(out, &ver, sizeof(ver));
	memcpy(out + sizeof(ver), json, n);
	dev->conn.client_caps = caps;
	dev->conn.negotiated = true;
	return 0;
}

/* After the VERSION reply is queued: the device hears of its client. */
void
vfio_user_version_done(struct vfio_user_dev *dev)
{
	VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_CONN, INFO,
		"client negotiated version %u.%u", VFIO_USER_MAJOR,
		VFIO_USER_MINOR);
	if (dev->ops.connected != NULL)
		dev->ops.connected(dev->id);
}

int
vfio_user_dev_info_apply(struct vfio_user_dev *dev, struct vfio_user_req *req)
{
	struct vfio_device_info in, *info;

	memcpy(&in, req->data, VFIO_USER_DEV_INFO_SZ);
	if (in.argsz < VFIO_USER_DEV_INFO_SZ)
		return -EINVAL;
	info = vfio_user_req_reply(req, VFIO_USER_DEV_INFO_SZ);
	if (info == NULL)
		return -ENOMEM;
	info->argsz = VFIO_USER_DEV_INFO_SZ;
	info->flags = VFIO_DEVICE_FLAGS_PCI;
	if (dev->desc.flags & RTE_VFIO_USER_DEV_RESET)
		info->flags |= VFIO_DEVICE_FLAGS_RESET;
	info->num_regions = RTE_VFIO_USER_NUM_REGIONS;
	info->num_irqs = RTE_VFIO_USER_NUM_IRQS;
	return 0;
}

int
vfio_user_reset_check(struct vfio_user_dev *dev,
		struct vfio_user_req *req __rte_unused)
{
	/* like VFIO_DEVICE_RESET without VFIO_DEVICE_FLAGS_RESET */
	return (dev->desc.flags & RTE_VFIO_USER_DEV_RESET) ? 0 : -ENOTSUP;
}

int
vfio_user_reset_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req __rte_unused)
{
	if (dev->ops.reset == NULL)
		return 0;
	return dev->ops.reset(dev->id, RTE_VFIO_USER_RESET_DEVICE);
}
