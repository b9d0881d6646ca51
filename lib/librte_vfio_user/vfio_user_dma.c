/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/*
 * DMA table: DMA_MAP / DMA_UNMAP handling, address translation and
 * copies to/from client memory (direct or with DMA_READ/DMA_WRITE).
 *
 * The table is only changed on the control thread inside a lock_dp
 * window, so data-path readers need no lock.
 */

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_common.h>

#include "vfio_user_dev.h"

static uint32_t
flags_to_prot(uint32_t flags)
{
	uint32_t prot = 0;

	if (flags & VFIO_USER_DMA_F_READ)
		prot |= PROT_READ;
	if (flags & VFIO_USER_DMA_F_WRITE)
		prot |= PROT_WRITE;
	return prot;
}

/* Index of the first entry whose end is above addr (nb if none). */
static uint32_t
dma_lookup(const struct vfio_user_dma_table *t, uint64_t addr)
{
	uint32_t lo = 0, hi = t->nb;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct vfio_user_dma_ent *e = &t->ent[mid];

		if (e->iova + (e->size - 1) < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
ent_to_map(const struct vfio_user_dma_ent *e, struct rte_vfio_user_dma_map *m)
{
	m->iova = e->iova;
	m->size = e->size;
	m->va = e->va;
	m->prot = e->prot;
}

static void
dma_remove_at(struct vfio_user_dev *dev, uint32_t i)
{
	struct vfio_user_dma_table *t = &dev->dma;
	struct vfio_user_dma_ent *e = &t->ent[i];
	struct rte_vfio_user_dma_map m;

	ent_to_map(e, &m);
	if (dev->ops.dma_unmap != NULL)
		dev->ops.dma_unmap(dev->id, &m);
	if (e->mmap_addr != NULL)
		munmap(e->mmap_addr, e->mmap_len);
	memmove(&t->ent[i], &t->ent[i + 1], (t->nb - i - 1) * sizeof(*e));
	t->nb--;
}

int
vfio_user_dma_handle_map(struct vfio_user_dev *dev, struct vfio_user_msg *msg)
{
	struct vfio_user_dma_table *t = &dev->dma;
	struct vfio_user_dma_map_msg req;
	struct vfio_user_dma_ent e;
	struct rte_vfio_user_dma_map m;
	uint32_t i;
	int fd = -1, r;

	if (vfio_user_msg_payload_len(msg) < sizeof(req))
		return -EINVAL;
	memcpy(&req, vfio_user_msg_payload(msg), sizeof(req));
	if (req.argsz < sizeof(req) ||
			req.argsz > vfio_user_msg_payload_len(msg))
		return -EINVAL;
	if (req.flags == 0 ||
	    (req.flags & ~(VFIO_USER_DMA_F_READ | VFIO_USER_DMA_F_WRITE)))
		return -EINVAL;
	if (msg->nfds > 1)
		return -EINVAL;
	if (req.size == 0 || (req.addr | req.size) & (VFIO_USER_PGSIZE - 1) ||
			req.addr + (req.size - 1) < req.addr)
		return -EINVAL;
	if (msg->nfds == 1) {
		fd = msg->fds[0];
		if (req.offset & (VFIO_USER_PGSIZE - 1))
			return -EINVAL;
		r = vfio_user_fd_check_mappable(fd, req.offset, req.size);
		if (r < 0) {
			VFIO_USER_DEV_LOG_ONCE(dev, VFIO_USER_LOG_BAD_FD, ERR,
				"DMA_MAP fd is not a mappable file covering the range");
			return r == -EBADF ? -EBADF : -EINVAL;
		}
	}
	/* "A command to map over an existing region must be failed ... EEXIST" */
	i = dma_lookup(t, req.addr);
	if (i < t->nb && t->ent[i].iova <= req.addr + (req.size - 1))
		return -EEXIST;
	if (t->nb >= RTE_DIM(t->ent))
		return -ENOSPC;

	memset(&e, 0, sizeof(e));
	e.iova = req.addr;
	e.size = req.size;
	e.prot = flags_to_prot(req.flags);
	if (fd >= 0) {
		void *va = mmap(NULL, req.size, e.prot, MAP_SHARED, fd,
			req.offset);

		if (va == MAP_FAILED) {
			r = -errno;
			VFIO_USER_DEV_LOG_ONCE(dev, VFIO_USER_LOG_BAD_DMA, ERR,
				"DMA_MAP mmap failed: %s", strerror(-r));
			return r;
		}
		e.mmap_addr = va;
		e.mmap_len = req.size;
		e.va = va;
	}

	vfio_user_lock_dp(dev, true);
	memmove(&t->ent[i + 1], &t->ent[i], (t->nb - i) * sizeof(e));
	t->ent[i] = e;
	t->nb++;
	ent_to_map(&e, &m);
	if (dev->ops.dma_map != NULL)
		dev->ops.dma_map(dev->id, &m);
	vfio_user_lock_dp(dev, false);
	return 0;
}

int
vfio_user_dma_handle_unmap(struct vfio_user_dev *dev, struct vfio_user_msg *msg)
{
	struct vfio_user_dma_table *t = &dev->dma;
	struct vfio_user_dma_unmap_msg req;
	uint32_t i;

	if (vfio_user_msg_payload_len(msg) < sizeof(req) || msg->nfds != 0)
		return -EINVAL;
	memcpy(&req, vfio_user_msg_payload(msg), sizeof(req));
	if (req.argsz < sizeof(req) ||
			req.argsz > vfio_user_msg_payload_len(msg))
		return -EINVAL;
	if (req.flags == VFIO_DMA_UNMAP_FLAG_ALL) {
		/* QEMU: unmap everything, address = size = 0 */
		if (req.addr != 0 || req.size != 0)
			return -EINVAL;
		vfio_user_lock_dp(dev, true);
		while (t->nb > 0)
			dma_remove_at(dev, t->nb - 1);
		vfio_user_lock_dp(dev, false);
		return 0;
	}
	if (req.flags != 0)
		return -EINVAL;
	/* must match a previous DMA_MAP exactly */
	i = dma_lookup(t, req.addr);
	if (i >= t->nb || t->ent[i].iova != req.addr ||
			t->ent[i].size != req.size)
		return -ENOENT;
	vfio_user_lock_dp(dev, true);
	dma_remove_at(dev, i);
	vfio_user_lock_dp(dev, false);
	return 0;
}

/* Caller holds the lock_dp window. */
void
vfio_user_dma_unmap_all(struct vfio_user_dev *dev)
{
	while (dev->dma.nb > 0)
		dma_remove_at(dev, dev->dma.nb - 1);
}

int
rte_vfio_user_dma_lookup(int dev_id, uint64_t iova, uint64_t len,
		uint32_t prot, struct rte_vfio_user_dma_map *map)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);
	struct rte_vfio_user_dma_map m;
	uint32_t i;

	if (dev == NULL)
		return -ENODEV;
	if (len == 0 || map == NULL)
		return -EINVAL;
	i = dma_lookup(&dev->dma, iova);
	if (i >= dev->dma.nb)
		return -EFAULT;
	ent_to_map(&dev->dma.ent[i], &m);
	if (!rte_vfio_user_dma_map_contains(&m, iova, len) ||
			(m.prot & prot) != prot)
		return -EFAULT;
	*map = m;
	return 0;
}

void *
rte_vfio_user_iova_to_va(int dev_id, uint64_t iova, uint64_t len,
		uint32_t prot)
{
	struct rte_vfio_user_dma_map m;

	if (rte_vfio_user_dma_lookup(dev_id, iova, len, prot, &m) != 0 ||
			m.va == NULL)
		return NULL;
	return (uint8_t *)m.va + (iova - m.iova);
}

/*
 * Copy len bytes between buf and [iova, iova + len), which may span
 * adjacent mappings. The whole range is validated before anything is
 * copied.
 */
static int
dma_copy(int dev_id, uint64_t iova, void *buf, uint64_t len, bool write)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);
	uint32_t need = write ? PROT_WRITE : PROT_READ;
	bool ctl = vfio_user_on_ctl_thread();
	bool need_msg = false;
	uint64_t a, left;
	uint8_t *p = buf;
	uint32_t i, first;
	int r;

	if (dev == NULL)
		return -ENODEV;
	if (len == 0)
		return 0;
	if (buf == NULL || len - 1 > UINT64_MAX - iova)
		return -EFAULT;
	first = dma_lookup(&dev->dma, iova);
	for (a = iova, left = len, i = first; left > 0; i++) {
		const struct vfio_user_dma_ent *e = &dev->dma.ent[i];
		uint64_t chunk;

		if (i >= dev->dma.nb || e->iova > a || (e->prot & need) != need)
			return -EFAULT;
		chunk = RTE_MIN(left, e->iova + (e->size - 1) - a + 1);
		if (e->va == NULL)
			need_msg = true;
		a += chunk;
		left -= chunk;
	}
	if (need_msg && !ctl)
		return -EAGAIN;
	for (a = iova, left = len, i = first; left > 0; i++) {
		const struct vfio_user_dma_ent *e = &dev->dma.ent[i];
		uint64_t chunk = RTE_MIN(left, e->iova + (e->size - 1) - a + 1);
		uint64_t done;

		if (e->va != NULL) {
			if (write)
				memcpy(e->va + (a - e->iova), p, chunk);
			else
				memcpy(p, e->va + (a - e->iova), chunk);
		} else {
			for (done = 0; done < chunk; ) {
				/* the client's limit, and our receive limit */
				uint64_t max = RTE_MIN(
					dev->client_caps.max_data_xfer_size,
					RTE_VFIO_USER_MAX_DATA_XFER);
				uint32_t n = RTE_MIN(chunk - done, max);

				r = vfio_user_server_dma_xfer(dev, write,
					a + done, p + done, n);
				if (r < 0)
					return r;
				done += n;
			}
		}
		a += chunk;
		p += chunk;
		left -= chunk;
	}
	return 0;
}

int
rte_vfio_user_dma_read(int dev_id, uint64_t iova, void *buf, uint64_t len)
{
	return dma_copy(dev_id, iova, buf, len, false);
}

int
rte_vfio_user_dma_write(int dev_id, uint64_t iova, const void *buf,
		uint64_t len)
{
	return dma_copy(dev_id, iova, (void *)(uintptr_t)buf, len, true);
}

int
rte_vfio_user_get_mem_table(int dev_id, struct rte_vfio_user_dma_map *maps,
		uint32_t max)
{
	struct vfio_user_dev *dev = vfio_user_dev_get(dev_id);
	uint32_t i;

	if (dev == NULL)
		return -ENODEV;
	if (maps == NULL && max > 0)
		return -EINVAL;
	for (i = 0; i < dev->dma.nb && i < max; i++)
		ent_to_map(&dev->dma.ent[i], &maps[i]);
	return dev->dma.nb;
}
