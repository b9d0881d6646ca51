/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * emu_iavf vdev: probe/remove, devargs, the emudev provider operations and
 * the vfio-user device callbacks that tie the device model together.
 */

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <bus_vdev_driver.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>

#include "iavf_emu.h"

RTE_LOG_REGISTER_DEFAULT(iavf_emu_logtype, NOTICE);


#define IAVF_EMU_LINK_SPEED_MIN	10
#define IAVF_EMU_LINK_SPEED_MAX	800000

static const char * const iavf_emu_valid_args[] = {
	RTE_IAVF_EMU_ARG_ID,
	RTE_IAVF_EMU_DEV_ARGS,
	NULL,
};

/* Work common to the end of every control-thread callback. */
void
iavf_emu_ctrl_tail(struct iavf_emu_dev *dev)
{
	if (rte_atomic_exchange_explicit(&dev->link_dirty, 0, rte_memory_order_acq_rel) != 0)
		iavf_emu_vc_send_link(dev);
	if (!dev->dp_locked)
		iavf_emu_flush_events(dev);
}

/* ------------------------------------------------ vfio-user callbacks */

static void
iavf_emu_connected(int vfu_id)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_get(vfu_id);

	if (dev == NULL)
		return;
	IAVF_EMU_LOG(INFO, "%s: client attached", dev->name);
	dev->connected = true;
	iavf_emu_ctrl_tail(dev);
}

static void
iavf_emu_disconnected(int vfu_id)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_get(vfu_id);

	if (dev == NULL)
		return;
	IAVF_EMU_LOG(INFO, "%s: client detached", dev->name);
	dev->connected = false;
	iavf_emu_event(dev, RTE_EMUDEV_EVENT_NOT_READY, 0, false);
	iavf_emu_ctrl_tail(dev);
}

static int
iavf_emu_vfu_reset(int vfu_id, enum rte_vfio_user_reset_reason reason)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_get(vfu_id);

	if (dev == NULL)
		return -ENODEV;
	iavf_emu_reset(dev, reason == RTE_VFIO_USER_RESET_DEVICE ?
		       IAVF_EMU_RESET_DEVICE : IAVF_EMU_RESET_CLIENT);
	return 0;
}

static void
iavf_emu_lock_dp(int vfu_id, bool lock)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_get(vfu_id);

	if (dev == NULL)
		return;
	/*
	 * The DMA table changes only in this window: the data path is kept
	 * out by the queue access locks, memory table readers by mem_lock.
	 */
	if (lock) {
		if (!dev->dp_locked) {
			iavf_emu_lock_all(dev);
			rte_spinlock_recursive_lock(&dev->mem_lock);
		}
		dev->dp_locked = true;
	} else {
		if (dev->dp_locked) {
			rte_spinlock_recursive_unlock(&dev->mem_lock);
			iavf_emu_unlock_all(dev);
		}
		dev->dp_locked = false;
		iavf_emu_ctrl_tail(dev);
	}
}

static void
iavf_emu_dma_map(int vfu_id, const struct rte_vfio_user_dma_map *map)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_get(vfu_id);

	if (dev == NULL)
		return;
	IAVF_EMU_LOG(DEBUG, "%s: DMA map 0x%" PRIx64 " size 0x%" PRIx64 " %s",
		     dev->name, map->iova, map->size,
		     map->va != NULL ? "shared" : "message-based");
	if (map->va != NULL)
		dev->nb_shared_maps++;
	iavf_emu_mem_changed(dev);
	if (map->va != NULL && !dev->edev->ready)
		iavf_emu_event(dev, RTE_EMUDEV_EVENT_READY, 0, true);
	else
		iavf_emu_event(dev, RTE_EMUDEV_EVENT_MEM_CHANGE, 0, false);
}

static void
iavf_emu_dma_unmap(int vfu_id, const struct rte_vfio_user_dma_map *map)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_get(vfu_id);

	if (dev == NULL)
		return;
	/* The mapping has left the library's table; its memory is still
	 * mapped until this returns.
	 */
	iavf_emu_mem_changed(dev);
	iavf_emu_event(dev, RTE_EMUDEV_EVENT_MEM_CHANGE, 0, false);
	/* No shareable memory left: nothing a backend could use. */
	if (map->va != NULL && dev->nb_shared_maps > 0 &&
	    --dev->nb_shared_maps == 0)
		iavf_emu_event(dev, RTE_EMUDEV_EVENT_NOT_READY, 0, false);
}

static void
iavf_emu_vfu_irq_update(int vfu_id, uint32_t index, uint32_t start,
		uint32_t count)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_get(vfu_id);

	if (dev == NULL || index != VFIO_PCI_MSIX_IRQ_INDEX)
		return;
	iavf_emu_irq_update(dev, start, count);
}

void
iavf_emu_vfu_config_write(int vfu_id, uint32_t offset, uint32_t count)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_get(vfu_id);

	if (dev == NULL)
		return;
	/* a function level reset is immediate */
	if (iavf_emu_pci_config_write(dev, offset, count))
		iavf_emu_reset(dev, IAVF_EMU_RESET_FLR);
	iavf_emu_ctrl_tail(dev);
}

int
iavf_emu_vfu_bar0_access(int vfu_id, uint32_t index __rte_unused,
		uint64_t offset, void *buf, uint32_t count, bool is_write)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_get(vfu_id);

	if (dev == NULL)
		return -ENODEV;
	/* A VF reset moves on by one step per guest access. */
	iavf_emu_reset_step(dev);
	iavf_emu_bar0_access(dev, offset, buf, count, is_write);
	iavf_emu_ctrl_tail(dev);
	return 0;
}

/*
 * MSI-X BAR: the client emulates the table and only forwards PBA reads.
 * Pending state lives in the client (masked vectors); report none.
 */
static int
iavf_emu_vfu_msix_bar_access(int vfu_id, uint32_t index __rte_unused,
		uint64_t offset __rte_unused, void *buf, uint32_t count,
		bool is_write)
{
	if (iavf_emu_dev_get(vfu_id) == NULL)
		return -ENODEV;
	if (!is_write)
		memset(buf, 0, count);
	return 0;
}

static const struct rte_vfio_user_dev_ops iavf_emu_vfu_ops = {
	.connected = iavf_emu_connected,
	.disconnected = iavf_emu_disconnected,
	.reset = iavf_emu_vfu_reset,
	.lock_dp = iavf_emu_lock_dp,
	.dma_map = iavf_emu_dma_map,
	.dma_unmap = iavf_emu_dma_unmap,
	.irq_update = iavf_emu_vfu_irq_update,
	.config_write = iavf_emu_vfu_config_write,
};

/* ----------------------------------------------- emudev provider ops */

static int
iavf_emu_dev_configure(struct rte_emudev *edev,
		const struct rte_emudev_conf *conf)
{
	struct iavf_emu_dev *dev = edev->priv;

	/* Everything is set by devargs; there is no type-specific conf. */
	if (conf->dev_conf != NULL || conf->conf_size != 0) {
		IAVF_EMU_LOG(ERR, "%s: no device configuration expected",
			     dev->name);
		return -EINVAL;
	}
	return 0;
}

static int
iavf_emu_dev_start(struct rte_emudev *edev __rte_unused)
{
	/* The device serves its client from probe on. */
	return 0;
}

static int
iavf_emu_dev_stop(struct rte_emudev *edev __rte_unused)
{
	return 0;
}

static int
iavf_emu_dev_close(struct rte_emudev *edev __rte_unused)
{
	/* The vdev owns the device: it stays allocated until removed. */
	return 0;
}

static int
iavf_emu_dev_info_get(struct rte_emudev *edev, struct rte_emudev_info *info)
{
	struct iavf_emu_dev *dev = edev->priv;

	info->max_qp_num = dev->num_qp;
	info->max_irq_num = dev->num_qp + 1;
	return 0;
}

static int
iavf_emu_get_mem_table(struct rte_emudev *edev,
		struct rte_emudev_mem_region *r, uint32_t max)
{
	return iavf_emu_mem_table(edev->priv, r, max);
}

/* Queue numbering: 2 * pair + 0 = guest RX queue, 2 * pair + 1 = guest TX. */
static int
iavf_emu_get_queue_info(struct rte_emudev *edev, uint32_t qid,
		struct rte_emudev_q_info *info)
{
	struct iavf_emu_dev *dev = edev->priv;
	struct iavf_emu_queue *q;

	if (qid >= 2u * dev->num_qp)
		return -EINVAL;
	q = (qid & 1) ? &dev->txq[qid / 2] : &dev->rxq[qid / 2];
	info->base_iova = q->pub.ring_iova;
	info->size = q->pub.ring_len;
	info->irq_vector = q->pub.vector;
	info->enabled = q->pub.enabled;
	info->priv = &q->pub;
	return 0;
}

static int
iavf_emu_get_irq_info(struct rte_emudev *edev, uint32_t vector,
		struct rte_emudev_irq_info *info)
{
	struct iavf_emu_dev *dev = edev->priv;

	if (vector > dev->num_qp)
		return -EINVAL;
	info->vector = vector;
	info->fd = -1;	/* owned by the vfio-user library */
	info->enabled = dev->vec[vector].has_fd &&
		rte_atomic_load_explicit(&dev->msix_enabled, rte_memory_order_relaxed) != 0;
	return 0;
}

static uint64_t
iavf_emu_err_total(const struct iavf_emu_dev *dev)
{
	uint64_t total = 0;
	int i;

	for (i = 0; i < IAVF_EMU_ERR_MAX; i++)
		total += rte_atomic_load_explicit(&dev->err[i], rte_memory_order_relaxed);
	return total;
}

/*
 * Attributes: "mac" (struct rte_ether_addr, r), "num_qp" (uint16_t, r),
 * "link_up" (bool, rw), "link_speed" (uint32_t Mbps, rw),
 * "shared_doorbell" (bool, r), "bad_input" (uint64_t, r),
 * "stale_tails" (uint64_t, r: tail writes a reset dropped).
 */
static int
iavf_emu_get_attr(struct rte_emudev *edev, const char *name, void *attr,
		size_t size)
{
	struct iavf_emu_dev *dev = edev->priv;
	union {
		struct rte_ether_addr mac;
		uint16_t u16;
		uint32_t u32;
		uint64_t u64;
		bool b;
	} v;
	size_t len;

	if (strcmp(name, "mac") == 0) {
		v.mac = dev->mac;
		len = sizeof(v.mac);
	} else if (strcmp(name, "num_qp") == 0) {
		v.u16 = dev->num_qp;
		len = sizeof(v.u16);
	} else if (strcmp(name, "link_up") == 0) {
		v.b = rte_atomic_load_explicit(&dev->link_up,
				rte_memory_order_relaxed) != 0;
		len = sizeof(v.b);
	} else if (strcmp(name, "link_speed") == 0) {
		v.u32 = rte_atomic_load_explicit(&dev->link_mbps,
				rte_memory_order_relaxed);
		len = sizeof(v.u32);
	} else if (strcmp(name, "shared_doorbell") == 0) {
		v.b = dev->shared_db;
		len = sizeof(v.b);
	} else if (strcmp(name, "bad_input") == 0) {
		v.u64 = iavf_emu_err_total(dev);
		len = sizeof(v.u64);
	} else if (strcmp(name, "stale_tails") == 0) {
		v.u64 = rte_atomic_load_explicit(&dev->stale_tails,
				rte_memory_order_relaxed);
		len = sizeof(v.u64);
	} else {
		return -ENOENT;
	}
	if (size != len)
		return -EINVAL;
	memcpy(attr, &v, len);
	return 0;
}

static int
iavf_emu_set_attr(struct rte_emudev *edev, const char *name,
		const void *attr, size_t size)
{
	struct iavf_emu_dev *dev = edev->priv;

	if (strcmp(name, "link_up") == 0) {
		if (size != sizeof(bool))
			return -EINVAL;
		return rte_iavf_emu_set_link(dev->emu_id, *(const bool *)attr,
				rte_atomic_load_explicit(&dev->link_mbps,
						rte_memory_order_relaxed));
	}
	if (strcmp(name, "link_speed") == 0) {
		if (size != sizeof(uint32_t))
			return -EINVAL;
		return rte_iavf_emu_set_link(dev->emu_id,
				rte_atomic_load_explicit(&dev->link_up,
						rte_memory_order_relaxed) != 0,
				*(const uint32_t *)attr);
	}
	if (strcmp(name, "mac") == 0 || strcmp(name, "num_qp") == 0 ||
	    strcmp(name, "shared_doorbell") == 0 ||
	    strcmp(name, "bad_input") == 0 ||
	    strcmp(name, "stale_tails") == 0)
		return -EPERM;
	return -ENOENT;
}

static const struct rte_emudev_ops iavf_emu_emudev_ops = {
	.dev_configure = iavf_emu_dev_configure,
	.dev_start = iavf_emu_dev_start,
	.dev_stop = iavf_emu_dev_stop,
	.dev_close = iavf_emu_dev_close,
	.dev_info_get = iavf_emu_dev_info_get,
	.get_mem_table = iavf_emu_get_mem_table,
	.get_queue_info = iavf_emu_get_queue_info,
	.get_irq_info = iavf_emu_get_irq_info,
	.get_attr = iavf_emu_get_attr,
	.set_attr = iavf_emu_set_attr,
};

/* --------------------------------------------------------- devargs */

struct iavf_emu_args {
	const char *name;
	char path[PATH_MAX];
	uint16_t id;
	uint16_t queues;
	bool mac_set;
	struct rte_ether_addr mac;
	uint32_t link_speed;
	bool shared_db;
};

static int
iavf_emu_parse_uint(const char *key, const char *value, unsigned long min,
		unsigned long max, unsigned long *out, const char *name)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(value, &end, 0);
	if (value[0] == '\0' || value[0] == '-' || *end != '\0' ||
	    errno != 0 || v < min || v > max) {
		IAVF_EMU_LOG(ERR, "%s: invalid %s=%s: allowed values %" PRIu64
			     "..%" PRIu64, name, key, value, (uint64_t)min,
			     (uint64_t)max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int
iavf_emu_arg_handler(const char *key, const char *value, void *opaque)
{
	struct iavf_emu_args *a = opaque;
	unsigned long v;

	if (value == NULL)
		value = "";
	if (strcmp(key, RTE_IAVF_EMU_ARG_PATH) == 0) {
		if (value[0] == '\0' || strlen(value) >= sizeof(a->path)) {
			IAVF_EMU_LOG(ERR, "%s: invalid path=%s: a UNIX socket path is required",
				     a->name, value);
			return -EINVAL;
		}
		strlcpy(a->path, value, sizeof(a->path));
	} else if (strcmp(key, RTE_IAVF_EMU_ARG_ID) == 0) {
		if (iavf_emu_parse_uint(key, value, 0, RTE_MAX_EMUDEV - 1, &v,
					a->name) != 0)
			return -EINVAL;
		a->id = v;
	} else if (strcmp(key, RTE_IAVF_EMU_ARG_QUEUES) == 0) {
		if (iavf_emu_parse_uint(key, value, 1, RTE_IAVF_EMU_MAX_QP, &v,
					a->name) != 0)
			return -EINVAL;
		a->queues = v;
	} else if (strcmp(key, RTE_IAVF_EMU_ARG_MAC) == 0) {
		if (rte_ether_unformat_addr(value, &a->mac) != 0 ||
		    !rte_is_unicast_ether_addr(&a->mac) ||
		    rte_is_zero_ether_addr(&a->mac)) {
			IAVF_EMU_LOG(ERR, "%s: invalid mac=%s: allowed values: a unicast, non-zero address xx:xx:xx:xx:xx:xx",
				     a->name, value);
			return -EINVAL;
		}
		a->mac_set = true;
	} else if (strcmp(key, RTE_IAVF_EMU_ARG_LINK_SPEED) == 0) {
		if (iavf_emu_parse_uint(key, value, IAVF_EMU_LINK_SPEED_MIN,
					IAVF_EMU_LINK_SPEED_MAX, &v,
					a->name) != 0)
			return -EINVAL;
		a->link_speed = v;
	} else if (strcmp(key, RTE_IAVF_EMU_ARG_DOORBELL) == 0) {
		if (strcmp(value, "shared") == 0) {
			a->shared_db = true;
		} else if (strcmp(value, "trapped") == 0) {
			a->shared_db = false;
		} else {
			IAVF_EMU_LOG(ERR, "%s: invalid doorbell=%s: allowed values shared, trapped",
				     a->name, value);
			return -EINVAL;
		}
	}
	return 0;
}

static int
iavf_emu_parse_args(const char *name, const char *params,
		struct iavf_emu_args *a)
{
	struct rte_kvargs *kvlist;
	const char * const *key;
	int ret = 0;

	memset(a, 0, sizeof(*a));
	a->name = name;
	a->id = RTE_EMUDEV_ID_ANY;
	a->queues = IAVF_EMU_DEFAULT_QP;
	a->link_speed = IAVF_EMU_DEFAULT_LINK_MBPS;
	a->shared_db = true;

	kvlist = rte_kvargs_parse(params != NULL ? params : "",
				  iavf_emu_valid_args);
	if (kvlist == NULL) {
		IAVF_EMU_LOG(ERR, "%s: cannot parse devargs \"%s\": allowed keys path, id, queues, mac, link_speed, doorbell",
			     name, params);
		return -EINVAL;
	}
	for (key = iavf_emu_valid_args; *key != NULL; key++) {
		if (rte_kvargs_count(kvlist, *key) > 1) {
			IAVF_EMU_LOG(ERR, "%s: devarg %s given more than once",
				     name, *key);
			ret = -EINVAL;
			goto out;
		}
	}
	if (rte_kvargs_count(kvlist, RTE_IAVF_EMU_ARG_PATH) != 1) {
		IAVF_EMU_LOG(ERR, "%s: missing path=<UNIX socket path>", name);
		ret = -EINVAL;
		goto out;
	}
	if (rte_kvargs_process(kvlist, NULL, iavf_emu_arg_handler, a) != 0)
		ret = -EINVAL;
out:
	rte_kvargs_free(kvlist);
	return ret;
}

/* --------------------------------------------------- probe / remove */

static void
iavf_emu_free(struct iavf_emu_dev *dev)
{
	if (dev == NULL)
		return;
	rte_free(dev->db_private);
	rte_free(dev);
}

/*
 * Create the emulated AVF NAME from devargs PARAMS and serve it; OWNER is
 * the DPDK device it belongs to (its vdev, or the port that created it).
 * Returns the emudev id or a negative errno.
 */
static int
iavf_emu_create(const char *name, const char *params,
		struct rte_device *owner)
{
	struct rte_vfio_user_dev_desc desc;
	struct rte_vfio_user_region *bar0;
	struct iavf_emu_dev *dev;
	struct iavf_emu_args a;
	struct rte_emudev *edev;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		IAVF_EMU_LOG(ERR, "%s: primary process only", name);
		return -ENOTSUP;
	}
	ret = iavf_emu_parse_args(name, params, &a);
	if (ret != 0)
		return ret;

	dev = rte_zmalloc(name, sizeof(*dev), RTE_CACHE_LINE_SIZE);
	if (dev == NULL)
		return -ENOMEM;
	strlcpy(dev->name, name, sizeof(dev->name));
	strlcpy(dev->path, a.path, sizeof(dev->path));
	dev->vfu_id = -1;
	dev->num_qp = a.queues;
	dev->link_speed = a.link_speed;
	dev->shared_db = a.shared_db;
	dev->link_up = 1;
	dev->link_mbps = a.link_speed;
	dev->ver.major = VIRTCHNL_VERSION_MAJOR;
	dev->ver.minor = VIRTCHNL_VERSION_MINOR;
	rte_rwlock_init(&dev->cfg_lock);
	rte_spinlock_recursive_init(&dev->mem_lock);
	dev->mem_gen = 1;

	edev = rte_emudev_allocate(name, a.id);
	if (edev == NULL) {
		IAVF_EMU_LOG(ERR, "%s: cannot allocate emudev (id=%s): %s",
			     name, a.id == RTE_EMUDEV_ID_ANY ? "any" : "given",
			     rte_strerror(rte_errno));
		ret = -rte_errno;
		goto err_free;
	}
	dev->edev = edev;
	dev->emu_id = edev->dev_id;
	edev->device = owner;
	edev->ops = &iavf_emu_emudev_ops;
	edev->type = RTE_IAVF_EMU_TYPE;
	edev->priv = dev;

	if (a.mac_set) {
		dev->mac = a.mac;
	} else {
		/* Locally administered, stable: 02:45:4d:55:00:<emudev id>. */
		dev->mac.addr_bytes[0] = 0x02;
		dev->mac.addr_bytes[1] = 0x45;
		dev->mac.addr_bytes[2] = 0x4d;
		dev->mac.addr_bytes[3] = 0x55;
		dev->mac.addr_bytes[4] = dev->emu_id >> 8;
		dev->mac.addr_bytes[5] = dev->emu_id & 0xff;
	}

	if (!dev->shared_db) {
		dev->db_private = rte_zmalloc(name, IAVF_EMU_DB_SIZE, 4096);
		if (dev->db_private == NULL) {
			ret = -ENOMEM;
			goto err_release;
		}
		dev->db = dev->db_private;
	}

	ret = iavf_emu_pci_init(dev);
	if (ret != 0) {
		IAVF_EMU_LOG(ERR, "%s: cannot build the PCI configuration space",
			     name);
		goto err_release;
	}
	iavf_emu_regs_reset(dev, false);
	iavf_emu_regs_set_rstat(dev, VIRTCHNL_VFR_VFACTIVE);
	/* virtchnl state as after a reset (default hash types) */
	iavf_emu_vc_reset(dev);
	iavf_emu_queues_init(dev);
	iavf_emu_devs_set(dev->emu_id, dev);

	memset(&desc, 0, sizeof(desc));
	desc.flags = RTE_VFIO_USER_DEV_RESET;
	bar0 = &desc.regions[VFIO_PCI_BAR0_REGION_INDEX];
	bar0->size = IAVF_EMU_BAR0_SIZE;
	bar0->flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	bar0->access = iavf_emu_vfu_bar0_access;
	if (dev->shared_db) {
		bar0->nb_mmap_areas = 1;
		bar0->mmap_areas[0].offset = 0;
		bar0->mmap_areas[0].size = IAVF_EMU_DB_SIZE;
	}
	desc.regions[IAVF_EMU_MSIX_BAR].size = IAVF_EMU_MSIX_BAR_SIZE;
	desc.regions[IAVF_EMU_MSIX_BAR].flags =
		RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	desc.regions[IAVF_EMU_MSIX_BAR].access = iavf_emu_vfu_msix_bar_access;
	desc.irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = dev->num_qp + 1;
	desc.irq_flags[VFIO_PCI_MSIX_IRQ_INDEX] = VFIO_IRQ_INFO_EVENTFD;
	desc.config = dev->config;
	desc.config_wmask = dev->config_wmask;
	desc.config_size = IAVF_EMU_CONFIG_SIZE;
	desc.ops = &iavf_emu_vfu_ops;
	desc.priv = dev;

	ret = rte_vfio_user_register(dev->path, &desc);
	if (ret < 0) {
		IAVF_EMU_LOG(ERR, "%s: cannot serve %s: %s", name, dev->path,
			     strerror(-ret));
		goto err_table;
	}
	dev->vfu_id = ret;
	if (dev->shared_db) {
		dev->db = rte_vfio_user_region_mmap_base(dev->vfu_id,
				VFIO_PCI_BAR0_REGION_INDEX);
		if (dev->db == NULL) {
			IAVF_EMU_LOG(ERR, "%s: no shared doorbell page", name);
			rte_vfio_user_unregister(dev->vfu_id);
			ret = -ENOMEM;
			goto err_table;
		}
		iavf_emu_queues_set_tails(dev);
	}
	/* the device model is complete: callbacks may run from here on */
	ret = rte_vfio_user_start(dev->vfu_id);
	if (ret < 0) {
		IAVF_EMU_LOG(ERR, "%s: cannot serve %s: %s", name, dev->path,
			     strerror(-ret));
		rte_vfio_user_unregister(dev->vfu_id);
		goto err_table;
	}

	IAVF_EMU_LOG(INFO, "%s: emudev %u at %s, %u queue pairs, MAC " RTE_ETHER_ADDR_PRT_FMT ", %u Mbps, %s doorbells",
		     name, dev->emu_id, dev->path, dev->num_qp,
		     RTE_ETHER_ADDR_BYTES(&dev->mac), dev->link_speed,
		     dev->shared_db ? "shared" : "trapped");
	return dev->emu_id;

err_table:
	iavf_emu_devs_set(dev->emu_id, NULL);
err_release:
	rte_emudev_release(edev);
err_free:
	iavf_emu_free(dev);
	return ret;
}

/* Stop serving the device (its client is disconnected) and free it. */
static void
iavf_emu_destroy(struct rte_emudev *edev)
{
	struct iavf_emu_dev *dev = edev->priv;
	int ret;

	ret = rte_vfio_user_unregister(dev->vfu_id);
	if (ret != 0)
		IAVF_EMU_LOG(WARNING, "%s: unregister failed: %s", dev->name,
			     strerror(-ret));
	if (iavf_emu_err_total(dev) != 0)
		IAVF_EMU_LOG(INFO, "%s: %" PRIu64 " bad inputs ignored",
			     dev->name, iavf_emu_err_total(dev));
	iavf_emu_devs_set(dev->emu_id, NULL);
	rte_emudev_release(edev);
	iavf_emu_free(dev);
}

static int
iavf_emu_probe(struct rte_vdev_device *vdev)
{
	int ret;

	ret = iavf_emu_create(rte_vdev_device_name(vdev),
			rte_vdev_device_args(vdev), &vdev->device);
	return ret < 0 ? ret : 0;
}

static int
iavf_emu_remove(struct rte_vdev_device *vdev)
{
	struct rte_emudev *edev;

	edev = rte_emudev_allocated(rte_vdev_device_name(vdev));
	if (edev == NULL)
		return -ENODEV;
	iavf_emu_destroy(edev);
	return 0;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_create)
int
rte_iavf_emu_create(const char *name, const char *devargs,
		struct rte_device *owner)
{
	int ret;

	if (name == NULL || name[0] == '\0')
		return -EINVAL;
	ret = iavf_emu_create(name, devargs, owner);
	if (ret >= 0)
		iavf_emu_dev_by_emu_id(ret)->api_created = true;
	return ret;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_destroy)
int
rte_iavf_emu_destroy(uint16_t emu_id)
{
	struct iavf_emu_dev *dev = iavf_emu_dev_by_emu_id(emu_id);

	if (dev == NULL)
		return -ENODEV;
	/* an emu_iavf vdev goes with its vdev (rte_vdev_uninit) */
	if (!dev->api_created)
		return -EPERM;
	iavf_emu_destroy(dev->edev);
	return 0;
}

static struct rte_vdev_driver iavf_emu_vdev_drv = {
	.probe = iavf_emu_probe,
	.remove = iavf_emu_remove,
};

RTE_PMD_REGISTER_VDEV(emu_iavf, iavf_emu_vdev_drv);
RTE_PMD_REGISTER_PARAM_STRING(emu_iavf,
	"path=<unix socket path> "
	"id=<emudev id> "
	"queues=<1-16> "
	"mac=<xx:xx:xx:xx:xx:xx> "
	"link_speed=<Mbps> "
	"doorbell=shared|trapped");
