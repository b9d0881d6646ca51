/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/*
 * Regions: GET_REGION_INFO (sparse mmap capability, region fds),
 * REGION_READ / REGION_WRITE dispatch and the PCI config space.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_common.h>

#include "emu_compat.h"
#include "vfio_user_dev.h"

#define CFG_INDEX VFIO_PCI_CONFIG_REGION_INDEX

static uint64_t
page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (uint64_t)p : 4096;
}

static int
check_areas(uint32_t idx, const struct rte_vfio_user_region *r)
{
	uint64_t pg = page_size();
	uint32_t i, j;

	if (r->nb_mmap_areas > RTE_VFIO_USER_MAX_MMAP_AREAS)
		return -EINVAL;
	if (r->nb_mmap_areas > 0 && r->size == 0)
		return -EINVAL;
	for (i = 0; i < r->nb_mmap_areas; i++) {
		const struct rte_vfio_user_mmap_area *a = &r->mmap_areas[i];

		if (a->size == 0 || ((a->offset | a->size) & (pg - 1)) ||
				a->offset > r->size || a->size > r->size - a->offset) {
			VFIO_USER_LOG(ERR, "region %u: bad mmap area %u", idx, i);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			const struct rte_vfio_user_mmap_area *b =
				&r->mmap_areas[j];

			if (a->offset < b->offset + b->size &&
					b->offset < a->offset + a->size)
				return -EINVAL;
		}
	}
	return 0;
}

int
vfio_user_region_init(struct vfio_user_dev *dev,
		const struct rte_vfio_user_dev_desc *desc)
{
	uint32_t i;
	int r;

	for (i = 0; i < RTE_VFIO_USER_NUM_REGIONS; i++)
		dev->region_fd[i] = -1;
	if (desc->config_size != 256 && desc->config_size != 4096) {
		VFIO_USER_LOG(ERR, "config_size must be 256 or 4096");
		return -EINVAL;
	}
	dev->config = calloc(1, desc->config_size);
	dev->config_wmask = calloc(1, desc->config_size);
	if (dev->config == NULL || dev->config_wmask == NULL)
		return -ENOMEM;
	if (desc->config != NULL)
		memcpy(dev->config, desc->config, desc->config_size);
	if (desc->config_wmask != NULL)
		memcpy(dev->config_wmask, desc->config_wmask,
			desc->config_size);
	/* the library owns region 7 */
	memset(&dev->desc.regions[CFG_INDEX], 0,
		sizeof(dev->desc.regions[CFG_INDEX]));
	dev->desc.regions[CFG_INDEX].size = desc->config_size;
	dev->desc.regions[CFG_INDEX].flags = RTE_VFIO_USER_REGION_READ |
		RTE_VFIO_USER_REGION_WRITE;

	for (i = 0; i < RTE_VFIO_USER_NUM_REGIONS; i++) {
		const struct rte_vfio_user_region *reg = &dev->desc.regions[i];
		char name[32];
		size_t len;
		void *va;
		int fd;

		if (i == CFG_INDEX)
			continue;
		r = check_areas(i, reg);
		if (r < 0)
			return r;
		if (reg->nb_mmap_areas == 0)
			continue;
		snprintf(name, sizeof(name), "vfio-user-region%u", i);
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (fd < 0)
			return -errno;
		len = RTE_ALIGN_CEIL(reg->size, page_size());
		/*
		 * The client maps this fd read-write; sealed, it cannot
		 * truncate it under our own mapping (SIGBUS on our next
		 * access).
		 */
		if (ftruncate(fd, len) < 0 || fcntl(fd, F_ADD_SEALS,
				F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (va == MAP_FAILED) {
			r = -errno;
			close(fd);
			return r;
		}
		dev->region_fd[i] = fd;
		dev->region_mem[i] = va;
		dev->region_mem_len[i] = len;
	}
	return 0;
}

void
vfio_user_region_fini(struct vfio_user_dev *dev)
{
	uint32_t i;

	for (i = 0; i < RTE_VFIO_USER_NUM_REGIONS; i++) {
		if (dev->region_mem[i] != NULL)
			munmap(dev->region_mem[i], dev->region_mem_len[i]);
		if (dev->region_fd[i] >= 0)
			close(dev->region_fd[i]);
		dev->region_mem[i] = NULL;
		dev->region_fd[i] = -1;
	}
	free(dev->config);
	free(dev->config_wmask);
	dev->config = NULL;
	dev->config_wmask = NULL;
}

static uint32_t
region_vfio_flags(const struct rte_vfio_user_region *r)
{
	uint32_t f = 0;

	if (r->flags & RTE_VFIO_USER_REGION_READ)
		f |= VFIO_REGION_INFO_FLAG_READ;
	if (r->flags & RTE_VFIO_USER_REGION_WRITE)
		f |= VFIO_REGION_INFO_FLAG_WRITE;
	return f;
}

int
vfio_user_region_info_check(struct vfio_user_dev *dev __rte_unused,
		struct vfio_user_req *req)
{
	struct vfio_region_info in;

	memcpy(&in, req->data, sizeof(in));
	if (in.argsz < sizeof(in) || in.index >= RTE_VFIO_USER_NUM_REGIONS)
		return -EINVAL;
	return 0;
}

int
vfio_user_region_info_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req)
{
	const struct rte_vfio_user_region *reg;
	struct vfio_region_info_cap_sparse_mmap *sp;
	struct vfio_region_info in, *info;
	uint32_t full, caps_len = 0, i;
	uint8_t *buf;

	memcpy(&in, req->data, sizeof(in));
	reg = &dev->desc.regions[in.index];
	if (reg->nb_mmap_areas > 0)
		caps_len = sizeof(*sp) + reg->nb_mmap_areas *
			sizeof(struct vfio_region_sparse_mmap_area);
	full = sizeof(in) + caps_len;
	/* caps, and the fd, only in a reply that has room for them */
	if (caps_len == 0 || in.argsz < full) {
		buf = vfio_user_req_reply(req, sizeof(in));
		caps_len = 0;
	} else {
		buf = vfio_user_req_reply(req, full);
	}
	if (buf == NULL)
		return -ENOMEM;
	info = (struct vfio_region_info *)buf;
	info->argsz = full;	/* "argsz = full size needed" */
	info->index = in.index;
	info->size = reg->size;
	info->offset = 0;
	info->flags = region_vfio_flags(reg);
	if (caps_len > 0) {
		info->flags |= VFIO_REGION_INFO_FLAG_MMAP |
			VFIO_REGION_INFO_FLAG_CAPS;
		info->cap_offset = sizeof(in);
		sp = (struct vfio_region_info_cap_sparse_mmap *)
			(buf + sizeof(in));
		sp->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
		sp->header.version = 1;
		sp->header.next = 0;
		sp->nr_areas = reg->nb_mmap_areas;
		for (i = 0; i < reg->nb_mmap_areas; i++) {
			sp->areas[i].offset = reg->mmap_areas[i].offset;
			sp->areas[i].size = reg->mmap_areas[i].size;
		}
		req->reply_fd = dev->region_fd[in.index];
	}
	return 0;
}

/* Serve [off, off + count) of a non-config region: areas from memory, the
 * rest through the device callback.
 */
static int
region_access(struct vfio_user_dev *dev, uint32_t idx, uint64_t off,
		uint8_t *buf, uint32_t count, bool write)
{
	const struct rte_vfio_user_region *reg = &dev->desc.regions[idx];
	uint32_t i;
	int r;

	while (count > 0) {
		uint64_t next = UINT64_MAX, n;
		bool in_area = false;

		for (i = 0; i < reg->nb_mmap_areas; i++) {
			const struct rte_vfio_user_mmap_area *a =
				&reg->mmap_areas[i];

			if (off >= a->offset && off - a->offset < a->size) {
				in_area = true;
				next = a->offset + a->size;
				break;
			}
			if (a->offset > off && a->offset < next)
				next = a->offset;
		}
		n = RTE_MIN((uint64_t)count, next - off);
		if (in_area) {
			if (write)
				memcpy(dev->region_mem[idx] + off, buf, n);
			else
				memcpy(buf, dev->region_mem[idx] + off, n);
		} else if (reg->access != NULL) {
			r = reg->access(dev->id, idx, off, buf, n, write);
			if (r < 0)
				return r;
		} else if (!write) {
			memset(buf, 0, n);
		}
		off += n;
		buf += n;
		count -= n;
	}
	return 0;
}

int
vfio_user_region_rw_check(struct vfio_user_dev *dev, struct vfio_user_req *req)
{
	bool write = vfio_user_msg_hdr(req->msg)->cmd == VFIO_USER_REGION_WRITE;
	uint32_t need = write ? RTE_VFIO_USER_REGION_WRITE :
		RTE_VFIO_USER_REGION_READ;
	const struct rte_vfio_user_region *reg;
	struct vfio_user_region_rw rw;

	memcpy(&rw, req->data, sizeof(rw));
	/* a write carries exactly count bytes of data */
	if (write && req->len - sizeof(rw) != rw.count)
		return -EINVAL;
	if (rw.region >= RTE_VFIO_USER_NUM_REGIONS)
		goto bad;
	reg = &dev->desc.regions[rw.region];
	if (reg->size == 0 || !(reg->flags & need))
		goto bad;
	/* "count <= max_data_xfer_size" of the receiver, i.e. ours */
	if (rw.count > RTE_VFIO_USER_MAX_DATA_XFER)
		goto bad;
	if (rw.offset > reg->size || rw.count > reg->size - rw.offset)
		goto bad;
	return 0;
bad:
	VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_REGION, NOTICE,
		"bad REGION_%s region %u offset 0x%" PRIx64 " count %u",
		write ? "WRITE" : "READ", rw.region, rw.offset, rw.count);
	return -EINVAL;
}

int
vfio_user_region_read_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req)
{
	struct vfio_user_region_rw rw;
	uint8_t *out;

	memcpy(&rw, req->data, sizeof(rw));
	/* reply: the request's offset, region and count, then the data */
	out = vfio_user_req_reply(req, sizeof(rw) + rw.count);
	if (out == NULL)
		return -ENOMEM;
	memcpy(out, &rw, sizeof(rw));
	if (rw.count == 0)
		return 0;
	if (rw.region == CFG_INDEX) {
		memcpy(out + sizeof(rw), dev->config + rw.offset, rw.count);
		return 0;
	}
	return region_access(dev, rw.region, rw.offset, out + sizeof(rw),
		rw.count, false);
}

int
vfio_user_region_write_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req)
{
	const uint8_t *data = req->data + sizeof(struct vfio_user_region_rw);
	struct vfio_user_region_rw rw;
	uint32_t i;
	void *echo;

	memcpy(&rw, req->data, sizeof(rw));
	/* reply: offset, region, count without the data */
	echo = vfio_user_req_reply(req, sizeof(rw));
	if (echo == NULL)
		return -ENOMEM;
	memcpy(echo, &rw, sizeof(rw));
	if (rw.count == 0)
		return 0;
	if (rw.region == CFG_INDEX) {
		for (i = 0; i < rw.count; i++) {
			uint8_t *c = &dev->config[rw.offset + i];
			uint8_t m = dev->config_wmask[rw.offset + i];

			*c = (*c & ~m) | (data[i] & m);
		}
		if (dev->ops.config_write != NULL)
			dev->ops.config_write(dev->id, rw.offset, rw.count);
		return 0;
	}
	return region_access(dev, rw.region, rw.offset,
		(uint8_t *)(uintptr_t)data, rw.count, true);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_get_config, 22.11)
uint8_t *
rte_vfio_user_get_config(int dev_id)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);

	return dev != NULL ? dev->config : NULL;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_region_mmap_base, 22.11)
void *
rte_vfio_user_region_mmap_base(int dev_id, uint32_t index)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);

	if (dev == NULL || index >= RTE_VFIO_USER_NUM_REGIONS)
		return NULL;
	return dev->region_mem[index];
}
