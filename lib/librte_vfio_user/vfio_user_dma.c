/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/*
 * DMA table: DMA_MAP / DMA_UNMAP, address translation and copies to and
 * from client memory (direct, or with DMA_READ / DMA_WRITE requests).
 *
 * The table is only changed on the control thread inside a lock_dp
 * window, so data-path readers need no lock. Every range comparison uses
 * inclusive ends (rte_vfio_user_dma_map_contains()): a mapping may end at
 * 2^64 - 1.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>

#include "emu_compat.h"
#include "vfio_user_dev.h"

#define DMA_TABLE_MIN 16u
/* entries dma_remove() takes out of the table at once (12 KiB of stack) */
#define DMA_REMOVE_BATCH 256u

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

/* Index of the first entry whose last byte is at or above addr. */
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

/*
 * Remove entries [i, i + n). They leave the table first, a batch at a
 * time from the end of the range, so no lookup made in a dma_unmap
 * callback finds a mapping already announced as gone; each mapping's
 * memory stays mapped until its callback has returned.
 */
static void
dma_remove(struct vfio_user_dev *dev, uint32_t i, uint32_t n)
{
	struct vfio_user_dma_ent gone[DMA_REMOVE_BATCH];
	struct vfio_user_dma_table *t = &dev->dma;
	struct rte_vfio_user_dma_map m;
	uint32_t k, b, from;

	while (n > 0) {
		b = RTE_MIN(n, DMA_REMOVE_BATCH);
		from = i + n - b;
		memcpy(gone, &t->ent[from], b * sizeof(gone[0]));
		memmove(&t->ent[from], &t->ent[from + b],
			(t->nb - from - b) * sizeof(gone[0]));
		t->nb -= b;
		n -= b;
		for (k = 0; k < b; k++) {
			ent_to_map(&gone[k], &m);
			if (dev->ops.dma_unmap != NULL)
				dev->ops.dma_unmap(dev->id, &m);
			if (gone[k].mmap_addr != NULL)
				munmap(gone[k].mmap_addr, gone[k].mmap_len);
		}
	}
}

/*
 * A DMA fd must be a regular file (memfd, hugetlbfs) that covers
 * [offset, offset + size) and cannot shrink: touching a mapping past the
 * end of its file raises SIGBUS, and a client could truncate the file
 * after the map. QEMU's memory-backend-memfd seals its memfd with
 * F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL by default (seal=on).
 */
static int
check_dma_fd(struct vfio_user_dev *dev, int fd, uint64_t offset,
		uint64_t size)
{
	struct stat st;
	int seals;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_FD, ERR,
			"DMA_MAP fd is not a regular file");
		return -EBADF;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size < offset ||
			(uint64_t)st.st_size - offset < size) {
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_FD, ERR,
			"DMA_MAP fd of %" PRId64 " bytes does not hold 0x%"
			PRIx64 " bytes at offset 0x%" PRIx64,
			(int64_t)st.st_size, size, offset);
		return -EINVAL;
	}
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_FD, ERR,
			"DMA_MAP fd is not sealed against shrinking (F_SEAL_SHRINK): give guest memory as a sealed memfd, e.g. QEMU -object memory-backend-memfd,share=on (seal=on is its default)");
		return -EPERM;
	}
	return 0;
}

int
vfio_user_dma_map_check(struct vfio_user_dev *dev, struct vfio_user_req *req)
{
	struct vfio_user_dma_table *t = &dev->dma;
	struct vfio_user_dma_map_msg m;
	uint32_t i;
	int r;

	memcpy(&m, req->data, sizeof(m));
	if (m.argsz < sizeof(m) || m.argsz > req->len)
		return -EINVAL;
	if (m.flags == 0 ||
	    (m.flags & ~(VFIO_USER_DMA_F_READ | VFIO_USER_DMA_F_WRITE)))
		return -EINVAL;
	if (m.size == 0 || ((m.addr | m.size) & (VFIO_USER_PGSIZE - 1)) ||
			m.size - 1 > UINT64_MAX - m.addr) {
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_DMA, ERR,
			"DMA_MAP of 0x%" PRIx64 "+0x%" PRIx64 ": empty, unaligned or past 2^64",
			m.addr, m.size);
		return -EINVAL;
	}
	if (req->msg->nfds == 1) {
		if (m.offset & (VFIO_USER_PGSIZE - 1))
			return -EINVAL;
		r = check_dma_fd(dev, req->msg->fds[0], m.offset, m.size);
		if (r < 0)
			return r;
	}
	/* "A command to map over an existing region must be failed ... EEXIST" */
	i = dma_lookup(t, m.addr);
	if (i < t->nb && t->ent[i].iova <= m.addr + (m.size - 1))
		return -EEXIST;
	if (t->nb >= RTE_VFIO_USER_MAX_DMA_MAPS)
		return -ENOSPC;
	return 0;
}

static int
table_reserve(struct vfio_user_dma_table *t)
{
	struct vfio_user_dma_ent *ent;
	uint32_t cap;

	if (t->nb < t->cap)
		return 0;
	cap = RTE_MIN(RTE_MAX(t->cap * 2, DMA_TABLE_MIN),
		(uint32_t)RTE_VFIO_USER_MAX_DMA_MAPS);
	/* data-path readers are stopped: the lock_dp window is open */
	ent = realloc(t->ent, cap * sizeof(*ent));
	if (ent == NULL)
		return -ENOMEM;
	t->ent = ent;
	t->cap = cap;
	return 0;
}

int
vfio_user_dma_map_apply(struct vfio_user_dev *dev, struct vfio_user_req *req)
{
	struct vfio_user_dma_table *t = &dev->dma;
	struct vfio_user_dma_map_msg m;
	struct rte_vfio_user_dma_map map;
	struct vfio_user_dma_ent e;
	uint32_t i;
	int r;

	memcpy(&m, req->data, sizeof(m));
	r = table_reserve(t);
	if (r < 0)
		return r;
	memset(&e, 0, sizeof(e));
	e.iova = m.addr;
	e.size = m.size;
	e.prot = flags_to_prot(m.flags);
	if (req->msg->nfds == 1) {
		void *va = mmap(NULL, m.size, e.prot, MAP_SHARED,
			req->msg->fds[0], m.offset);

		if (va == MAP_FAILED) {
			r = -errno;
			VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_DMA, ERR,
				"DMA_MAP mmap failed: %s", strerror(-r));
			return r;
		}
		e.mmap_addr = va;
		e.mmap_len = m.size;
		e.va = va;
	}
	i = dma_lookup(t, m.addr);
	memmove(&t->ent[i + 1], &t->ent[i], (t->nb - i) * sizeof(e));
	t->ent[i] = e;
	t->nb++;
	ent_to_map(&e, &map);
	if (dev->ops.dma_map != NULL)
		dev->ops.dma_map(dev->id, &map);
	return 0;
}

/*
 * The spec: "The address and size of the DMA region being unmapped must
 * match exactly a previous mapping." It says nothing of other ranges, and
 * QEMU sends them: a vIOMMU unmaps whole IOVA windows, most of them empty.
 * Those follow kernel VFIO type1 (v2): every mapping inside the range is
 * unmapped, a range holding none succeeds, a range that would split a
 * mapping fails with EINVAL. An exact match is the one-mapping case.
 */
static int
dma_unmap_range(const struct vfio_user_dma_table *t, uint64_t addr,
		uint64_t size, uint32_t *first, uint32_t *n)
{
	uint64_t last = addr + (size - 1);
	uint32_t i, j;

	i = dma_lookup(t, addr);
	if (i < t->nb && t->ent[i].iova < addr)
		return -EINVAL;	/* starts inside a mapping */
	j = dma_lookup(t, last);
	if (j < t->nb && t->ent[j].iova <= last &&
			t->ent[j].iova + (t->ent[j].size - 1) > last)
		return -EINVAL;	/* ends inside a mapping */
	if (j < t->nb && t->ent[j].iova <= last)
		j++;
	*first = i;
	*n = j - i;
	return 0;
}

int
vfio_user_dma_unmap_check(struct vfio_user_dev *dev, struct vfio_user_req *req)
{
	struct vfio_user_dma_unmap_msg u;
	uint32_t first, n;
	int r;

	memcpy(&u, req->data, sizeof(u));
	if (u.argsz < sizeof(u) || u.argsz > req->len)
		return -EINVAL;
	if (u.flags == VFIO_DMA_UNMAP_FLAG_ALL)
		/* QEMU: unmap everything, address = size = 0 */
		return (u.addr != 0 || u.size != 0) ? -EINVAL : 0;
	if (u.flags != 0)
		return -EINVAL;
	if (u.size == 0 || ((u.addr | u.size) & (VFIO_USER_PGSIZE - 1)) ||
			u.size - 1 > UINT64_MAX - u.addr)
		return -EINVAL;
	r = dma_unmap_range(&dev->dma, u.addr, u.size, &first, &n);
	if (r < 0)
		VFIO_USER_DEV_LOG(dev, VFIO_USER_LOG_BAD_DMA, ERR,
			"DMA_UNMAP of 0x%" PRIx64 "+0x%" PRIx64 " would split a mapping",
			u.addr, u.size);
	return r;
}

int
vfio_user_dma_unmap_apply(struct vfio_user_dev *dev, struct vfio_user_req *req)
{
	struct vfio_user_dma_unmap_msg u;
	uint32_t first, n;
	void *echo;

	memcpy(&u, req->data, sizeof(u));
	/* "The server responds with the original DMA entry in the request." */
	echo = vfio_user_req_reply(req, sizeof(u));
	if (echo == NULL)
		return -ENOMEM;
	memcpy(echo, &u, sizeof(u));
	if (u.flags == VFIO_DMA_UNMAP_FLAG_ALL)
		vfio_user_dma_unmap_all(dev);
	else if (dma_unmap_range(&dev->dma, u.addr, u.size, &first, &n) == 0)
		dma_remove(dev, first, n);
	return 0;
}

void
vfio_user_dma_unmap_all(struct vfio_user_dev *dev)
{
	dma_remove(dev, 0, dev->dma.nb);
}

void
vfio_user_dma_fini(struct vfio_user_dev *dev)
{
	free(dev->dma.ent);
	memset(&dev->dma, 0, sizeof(dev->dma));
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_dma_lookup, 22.11)
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

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_iova_to_va, 22.11)
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
 * One DMA_READ / DMA_WRITE request for count bytes at iova. QEMU's
 * layout (see vfio_user_msg.h): data at payload offset 12, 4 pad bytes.
 */
static int
dma_xfer(struct vfio_user_dev *dev, bool write, uint64_t iova, void *buf,
		uint32_t count)
{
	uint32_t plen = VFIO_USER_DMA_RW_HDR + (write ? count : 0) +
		VFIO_USER_DMA_RW_PAD;
	struct vfio_user_msg *req, *rep;
	struct vfio_user_dma_rw rw;
	uint32_t rlen;
	int r;

	req = vfio_user_msg_new(0, write ? VFIO_USER_DMA_WRITE :
		VFIO_USER_DMA_READ, VFIO_USER_F_TYPE_CMD, 0, NULL, plen);
	if (req == NULL)
		return -ENOMEM;
	rw.addr = iova;
	rw.count = count;
	memcpy(vfio_user_msg_payload(req), &rw, VFIO_USER_DMA_RW_HDR);
	if (write)
		memcpy(vfio_user_msg_payload(req) + VFIO_USER_DMA_RW_HDR, buf,
			count);
	r = vfio_user_conn_request(dev, req, &rep);
	if (r < 0)
		return r;
	if (vfio_user_msg_hdr(rep)->flags & VFIO_USER_F_ERROR) {
		r = vfio_user_msg_hdr(rep)->error != 0 ?
			-(int)vfio_user_msg_hdr(rep)->error : -EIO;
	} else if (!write) {
		rlen = vfio_user_msg_payload_len(rep);
		memcpy(&rw, vfio_user_msg_payload(rep),
			RTE_MIN(rlen, VFIO_USER_DMA_RW_HDR));
		if (rlen < VFIO_USER_DMA_RW_HDR ||
				rlen - VFIO_USER_DMA_RW_HDR < count ||
				rw.count != count || rw.addr != iova)
			r = -EIO;
		else
			memcpy(buf, vfio_user_msg_payload(rep) +
				VFIO_USER_DMA_RW_HDR, count);
	}
	vfio_user_msg_free(rep);
	return r;
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
	bool need_msg = false;
	uint64_t a, left, max;
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
		/* bytes of e from a on: (last of e) - a + 1, never 0 */
		chunk = RTE_MIN(left - 1, e->iova + (e->size - 1) - a) + 1;
		if (e->va == NULL)
			need_msg = true;
		a += chunk;
		left -= chunk;
	}
	if (need_msg && !vfio_user_dev_on_ctl_thread(dev))
		return -EAGAIN;
	/* the client's limit, and ours for the reply */
	max = RTE_MIN((uint64_t)dev->conn.client_caps.max_data_xfer_size,
		(uint64_t)RTE_VFIO_USER_MAX_DATA_XFER);
	for (a = iova, left = len, i = first; left > 0; i++) {
		const struct vfio_user_dma_ent *e = &dev->dma.ent[i];
		uint64_t chunk = RTE_MIN(left - 1,
			e->iova + (e->size - 1) - a) + 1;
		uint64_t done;

		if (e->va != NULL) {
			if (write)
				memcpy(e->va + (a - e->iova), p, chunk);
			else
				memcpy(p, e->va + (a - e->iova), chunk);
		} else {
			for (done = 0; done < chunk; ) {
				uint32_t n = RTE_MIN(chunk - done, max);

				r = dma_xfer(dev, write, a + done, p + done, n);
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

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_dma_read, 22.11)
int
rte_vfio_user_dma_read(int dev_id, uint64_t iova, void *buf, uint64_t len)
{
	return dma_copy(dev_id, iova, buf, len, false);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_dma_write, 22.11)
int
rte_vfio_user_dma_write(int dev_id, uint64_t iova, const void *buf,
		uint64_t len)
{
	return dma_copy(dev_id, iova, (void *)(uintptr_t)buf, len, true);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_get_mem_table, 22.11)
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
