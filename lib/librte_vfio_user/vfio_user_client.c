/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/*
 * Client: synchronous requests on the caller's thread. While waiting for a
 * reply, server requests (DMA_READ / DMA_WRITE on fd-less mappings) are
 * served, in the same layout QEMU uses (see vfio_user_msg.h).
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_common.h>

#include "emu_compat.h"
#include "rte_vfio_user.h"
#include "vfio_user_caps.h"
#include "vfio_user_codec.h"
#include "vfio_user_internal.h"
#include "vfio_user_log.h"
#include "vfio_user_tran.h"

#define CLIENT_TIMEOUT_MS 5000
#define CLIENT_MAX_NOFD_MAPS 64
#define CLIENT_MAX_REGION_INFO 4096u

struct client_nofd_map {
	uint64_t iova;
	uint64_t size;
	uint8_t *vaddr;
	uint32_t prot;
};

struct client_mmap {
	void *addr;
	size_t len;
};

struct vfio_user_client {
	struct vfio_user_tran *tran;
	struct vfio_user_rx rx;
	uint16_t next_id;
	struct vfio_user_caps server_caps;
	uint32_t nb_maps;
	struct client_nofd_map maps[CLIENT_MAX_NOFD_MAPS];
	struct rte_vfio_user_client_region regions[RTE_VFIO_USER_NUM_REGIONS];
	bool region_known[RTE_VFIO_USER_NUM_REGIONS];
	struct client_mmap mmaps[RTE_VFIO_USER_NUM_REGIONS]
		[RTE_VFIO_USER_MAX_MMAP_AREAS];
};

static struct vfio_user_client *clients[RTE_VFIO_USER_MAX_DEVICES];
static pthread_mutex_t clients_lock = PTHREAD_MUTEX_INITIALIZER;

static struct vfio_user_client *
client_get(int cid)
{
	if (cid < 0 || cid >= RTE_VFIO_USER_MAX_DEVICES)
		return NULL;
	return clients[cid];
}

static const struct client_nofd_map *
find_map(const struct vfio_user_client *c, uint64_t addr, uint64_t len,
		uint32_t prot)
{
	uint32_t i;

	if (len == 0 || len - 1 > UINT64_MAX - addr)
		return NULL;
	for (i = 0; i < c->nb_maps; i++) {
		const struct client_nofd_map *m = &c->maps[i];

		if (addr >= m->iova && addr + (len - 1) <= m->iova + (m->size - 1)
				&& (m->prot & prot) == prot)
			return m;
	}
	return NULL;
}

static int64_t
deadline(void)
{
	return vfio_user_now_ms() + CLIENT_TIMEOUT_MS;
}

static int
send_reply(struct vfio_user_client *c, const struct vfio_user_hdr *req,
		uint32_t err, const void *payload, uint32_t len)
{
	struct vfio_user_msg *m;
	int r;

	if (req->flags & VFIO_USER_F_NO_REPLY)
		return 0;
	m = vfio_user_msg_new_reply(req, err, payload, len);
	if (m == NULL)
		return -ENOMEM;
	r = vfio_user_msg_send(c->tran, m, deadline());
	vfio_user_msg_free(m);
	return r;
}

/* Serve a DMA_READ / DMA_WRITE request of the server (QEMU layout). */
static int
serve_request(struct vfio_user_client *c, struct vfio_user_msg *m)
{
	struct vfio_user_hdr *h = vfio_user_msg_hdr(m);
	uint32_t plen = vfio_user_msg_payload_len(m);
	struct vfio_user_dma_rw rw;
	const struct client_nofd_map *map;
	uint8_t *rep;
	uint32_t rlen;
	int r;

	if (m->nfds > 0 || plen < VFIO_USER_DMA_RW_HDR + VFIO_USER_DMA_RW_PAD)
		return send_reply(c, h, EINVAL, NULL, 0);
	memcpy(&rw, vfio_user_msg_payload(m), VFIO_USER_DMA_RW_HDR);
	switch (h->cmd) {
	case VFIO_USER_DMA_READ:
		if (rw.count > RTE_VFIO_USER_MAX_DATA_XFER)
			return send_reply(c, h, E2BIG, NULL, 0);
		map = find_map(c, rw.addr, rw.count, PROT_READ);
		if (map == NULL && rw.count > 0)
			return send_reply(c, h, EFAULT, NULL, 0);
		rlen = VFIO_USER_DMA_RW_HDR + rw.count + VFIO_USER_DMA_RW_PAD;
		rep = calloc(1, rlen);
		if (rep == NULL)
			return send_reply(c, h, ENOMEM, NULL, 0);
		memcpy(rep, &rw, VFIO_USER_DMA_RW_HDR);
		if (rw.count > 0)
			memcpy(rep + VFIO_USER_DMA_RW_HDR,
				map->vaddr + (rw.addr - map->iova), rw.count);
		r = send_reply(c, h, 0, rep, rlen);
		free(rep);
		return r;
	case VFIO_USER_DMA_WRITE:
		if (rw.count > plen - VFIO_USER_DMA_RW_HDR - VFIO_USER_DMA_RW_PAD)
			return send_reply(c, h, E2BIG, NULL, 0);
		map = find_map(c, rw.addr, rw.count, PROT_WRITE);
		if (map == NULL && rw.count > 0)
			return send_reply(c, h, EFAULT, NULL, 0);
		if (rw.count > 0)
			memcpy(map->vaddr + (rw.addr - map->iova),
				vfio_user_msg_payload(m) + VFIO_USER_DMA_RW_HDR,
				rw.count);
		return send_reply(c, h, 0, NULL, 0);
	default:
		return send_reply(c, h, ENOSYS, NULL, 0);
	}
}

/*
 * Send a request and wait for its reply (unless NO_REPLY). Returns 0 with
 * *reply (when reply is not NULL), or -errno (error replies included).
 */
static int
client_request(struct vfio_user_client *c, uint16_t cmd, uint32_t flags,
		const void *payload, uint32_t len, const int *fds,
		uint32_t nfds, struct vfio_user_msg **reply)
{
	uint16_t id = c->next_id++;
	struct vfio_user_msg *m;
	int64_t end = deadline();
	int r;

	if (reply != NULL)
		*reply = NULL;
	m = vfio_user_msg_new(id, cmd, VFIO_USER_F_TYPE_CMD | flags, 0,
		payload, len);
	if (m == NULL)
		return -ENOMEM;
	r = vfio_user_msg_set_fds(m, fds, nfds);
	if (r == 0)
		r = vfio_user_msg_send(c->tran, m, end);
	vfio_user_msg_free(m);
	if (r < 0 || (flags & VFIO_USER_F_NO_REPLY))
		return r == -EPIPE ? -ENOTCONN : r;
	for (;;) {
		struct vfio_user_hdr *mh;

		r = vfio_user_msg_recv(c->tran, &c->rx, &m, end);
		if (r == -ECONNRESET)
			return -ENOTCONN;
		if (r < 0)
			return r;
		mh = vfio_user_msg_hdr(m);
		if (vfio_user_msg_type(m) == VFIO_USER_F_TYPE_CMD) {
			r = serve_request(c, m);
			vfio_user_msg_free(m);
			if (r < 0)
				return r;
			continue;
		}
		if (mh->msg_id != id || mh->cmd != cmd) {
			vfio_user_msg_free(m);	/* stale reply */
			continue;
		}
		if (mh->flags & VFIO_USER_F_ERROR) {
			r = mh->error != 0 ? -(int)mh->error : -EIO;
			vfio_user_msg_free(m);
			return r;
		}
		if (reply != NULL)
			*reply = m;
		else
			vfio_user_msg_free(m);
		return 0;
	}
}

static int
client_negotiate(struct vfio_user_client *c)
{
	struct vfio_user_version ver = { .major = VFIO_USER_MAJOR,
		.minor = VFIO_USER_MINOR };
	uint8_t req[sizeof(ver) + 256];
	struct vfio_user_msg *m;
	uint32_t plen;
	int n, r;

	memcpy(req, &ver, sizeof(ver));
	n = vfio_user_caps_format((char *)req + sizeof(ver),
		sizeof(req) - sizeof(ver), VFIO_USER_RECV_FDS,
		RTE_VFIO_USER_MAX_DATA_XFER, 65535);
	if (n < 0)
		return n;
	r = client_request(c, VFIO_USER_VERSION, 0, req, sizeof(ver) + n,
		NULL, 0, &m);
	if (r < 0)
		return r;
	plen = vfio_user_msg_payload_len(m);
	if (plen < sizeof(ver) || m->nfds != 0) {
		r = -EPROTO;
		goto out;
	}
	memcpy(&ver, vfio_user_msg_payload(m), sizeof(ver));
	if (ver.major != VFIO_USER_MAJOR || ver.minor > VFIO_USER_MINOR) {
		r = -EPROTO;
		goto out;
	}
	vfio_user_caps_default(&c->server_caps);
	if (plen > sizeof(ver))
		r = vfio_user_caps_parse((const char *)vfio_user_msg_payload(m)
			+ sizeof(ver), plen - sizeof(ver), &c->server_caps);
	if (r < 0)
		r = -EPROTO;
out:
	vfio_user_msg_free(m);
	return r;
}

/* Negotiate over t and register the client (t is taken). */
static int
client_add(struct vfio_user_tran *t, const char *what)
{
	struct vfio_user_client *c;
	int cid, r;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		vfio_user_tran_close(t);
		return -ENOMEM;
	}
	c->tran = t;
	vfio_user_rx_init(&c->rx, VFIO_USER_MAX_MSG_SIZE);
	for (r = 0; r < RTE_VFIO_USER_NUM_REGIONS; r++)
		c->regions[r].fd = -1;
	r = client_negotiate(c);
	if (r < 0) {
		VFIO_USER_LOG(ERR, "client: version negotiation with %s failed: %s",
			what, strerror(-r));
		goto err;
	}
	pthread_mutex_lock(&clients_lock);
	for (cid = 0; cid < RTE_VFIO_USER_MAX_DEVICES; cid++)
		if (clients[cid] == NULL)
			break;
	if (cid < RTE_VFIO_USER_MAX_DEVICES)
		clients[cid] = c;
	pthread_mutex_unlock(&clients_lock);
	if (cid == RTE_VFIO_USER_MAX_DEVICES) {
		r = -ENOSPC;
		goto err;
	}
	return cid;
err:
	vfio_user_rx_reset(&c->rx);
	vfio_user_tran_close(c->tran);
	free(c);
	return r;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_attach, 22.11)
int
rte_vfio_user_client_attach(const char *path)
{
	struct vfio_user_tran *t;
	int fd;

	fd = vfio_user_sock_connect(path);
	if (fd < 0)
		return fd;
	t = vfio_user_tran_sock_new(fd);
	if (t == NULL) {
		close(fd);
		return -ENOMEM;
	}
	return client_add(t, path);
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_client_attach_tran)
int
vfio_user_client_attach_tran(struct vfio_user_tran *t)
{
	if (t == NULL)
		return -EINVAL;
	return client_add(t, t->ops->name);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_detach, 22.11)
int
rte_vfio_user_client_detach(int cid)
{
	struct vfio_user_client *c = client_get(cid);
	uint32_t i, j;

	if (c == NULL)
		return -EINVAL;
	pthread_mutex_lock(&clients_lock);
	clients[cid] = NULL;
	pthread_mutex_unlock(&clients_lock);
	for (i = 0; i < RTE_VFIO_USER_NUM_REGIONS; i++) {
		for (j = 0; j < RTE_VFIO_USER_MAX_MMAP_AREAS; j++)
			if (c->mmaps[i][j].addr != NULL)
				munmap(c->mmaps[i][j].addr, c->mmaps[i][j].len);
		if (c->regions[i].fd >= 0)
			close(c->regions[i].fd);
	}
	vfio_user_rx_reset(&c->rx);
	vfio_user_tran_close(c->tran);
	free(c);
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_get_dev_info, 22.11)
int
rte_vfio_user_client_get_dev_info(int cid, struct vfio_device_info *info)
{
	struct vfio_user_client *c = client_get(cid);
	struct vfio_device_info req;
	struct vfio_user_msg *m;
	int r;

	if (c == NULL || info == NULL)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.argsz = VFIO_USER_DEV_INFO_SZ;
	r = client_request(c, VFIO_USER_DEVICE_GET_INFO, 0, &req,
		VFIO_USER_DEV_INFO_SZ, NULL, 0, &m);
	if (r < 0)
		return r;
	if (vfio_user_msg_payload_len(m) < VFIO_USER_DEV_INFO_SZ) {
		r = -EPROTO;
	} else {
		memset(info, 0, sizeof(*info));
		memcpy(info, vfio_user_msg_payload(m), VFIO_USER_DEV_INFO_SZ);
	}
	vfio_user_msg_free(m);
	return r;
}

/* Walk the capability chain of a region info reply. */
static int
parse_region_caps(struct rte_vfio_user_client_region *out, const uint8_t *buf,
		uint32_t len, uint32_t cap_offset)
{
	uint32_t off = cap_offset, hops = 0, i;

	while (off != 0) {
		struct vfio_info_cap_header hdr;

		if (off < sizeof(struct vfio_region_info) ||
				off > len - sizeof(hdr) || ++hops > 16)
			return -EPROTO;
		memcpy(&hdr, buf + off, sizeof(hdr));
		if (hdr.id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			struct vfio_region_info_cap_sparse_mmap sp;

			if (off > len - sizeof(sp))
				return -EPROTO;
			memcpy(&sp, buf + off, sizeof(sp));
			if (sp.nr_areas > RTE_VFIO_USER_MAX_MMAP_AREAS ||
					sp.nr_areas * sizeof(sp.areas[0]) >
					len - off - sizeof(sp))
				return -EPROTO;
			for (i = 0; i < sp.nr_areas; i++) {
				struct vfio_region_sparse_mmap_area a;

				memcpy(&a, buf + off + sizeof(sp) + i * sizeof(a),
					sizeof(a));
				out->mmap_areas[i].offset = a.offset;
				out->mmap_areas[i].size = a.size;
			}
			out->nb_mmap_areas = sp.nr_areas;
		}
		off = hdr.next;
	}
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_get_region_info, 22.11)
int
rte_vfio_user_client_get_region_info(int cid, uint32_t index,
		struct rte_vfio_user_client_region *info)
{
	struct vfio_user_client *c = client_get(cid);
	struct rte_vfio_user_client_region *reg;
	uint32_t argsz = sizeof(struct vfio_region_info), plen, tries;
	struct vfio_region_info ri;
	struct vfio_user_msg *m = NULL;
	int r;

	if (c == NULL || info == NULL || index >= RTE_VFIO_USER_NUM_REGIONS)
		return -EINVAL;
	for (tries = 0; tries < 2; tries++) {
		memset(&ri, 0, sizeof(ri));
		ri.argsz = argsz;
		ri.index = index;
		/* like QEMU: a 32-byte request, argsz = room for the reply */
		r = client_request(c, VFIO_USER_DEVICE_GET_REGION_INFO, 0, &ri,
			sizeof(ri), NULL, 0, &m);
		if (r < 0)
			return r;
		plen = vfio_user_msg_payload_len(m);
		if (plen < sizeof(ri) || plen > argsz) {
			vfio_user_msg_free(m);
			return -EPROTO;
		}
		memcpy(&ri, vfio_user_msg_payload(m), sizeof(ri));
		if (ri.argsz <= argsz)
			break;
		/* "argsz = full size needed": ask again */
		if (ri.argsz > CLIENT_MAX_REGION_INFO || tries > 0) {
			vfio_user_msg_free(m);
			return -EPROTO;
		}
		argsz = ri.argsz;
		vfio_user_msg_free(m);
		m = NULL;
	}
	reg = &c->regions[index];
	if (reg->fd >= 0)
		close(reg->fd);
	memset(reg, 0, sizeof(*reg));
	reg->fd = -1;
	reg->size = ri.size;
	reg->flags = ri.flags;
	reg->offset = ri.offset;
	r = 0;
	if (ri.flags & VFIO_REGION_INFO_FLAG_CAPS)
		r = parse_region_caps(reg, vfio_user_msg_payload(m), plen,
			ri.cap_offset);
	if (r == 0 && m->nfds > 1)
		r = -EPROTO;
	if (r == 0 && m->nfds == 1) {
		reg->fd = m->fds[0];
		m->fds[0] = -1;
	}
	vfio_user_msg_free(m);
	if (r < 0)
		return r;
	c->region_known[index] = true;
	*info = *reg;
	return 0;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_region_mmap, 22.11)
void *
rte_vfio_user_client_region_mmap(int cid, uint32_t index, uint32_t area)
{
	struct vfio_user_client *c = client_get(cid);
	struct rte_vfio_user_client_region *reg;
	struct client_mmap *cm;
	int prot = 0;
	void *va;

	if (c == NULL || index >= RTE_VFIO_USER_NUM_REGIONS ||
			!c->region_known[index])
		return NULL;
	reg = &c->regions[index];
	if (reg->fd < 0 || area >= reg->nb_mmap_areas)
		return NULL;
	cm = &c->mmaps[index][area];
	if (cm->addr != NULL)
		return cm->addr;
	if (reg->flags & VFIO_REGION_INFO_FLAG_READ)
		prot |= PROT_READ;
	if (reg->flags & VFIO_REGION_INFO_FLAG_WRITE)
		prot |= PROT_WRITE;
	va = mmap(NULL, reg->mmap_areas[area].size, prot, MAP_SHARED, reg->fd,
		reg->offset + reg->mmap_areas[area].offset);
	if (va == MAP_FAILED)
		return NULL;
	cm->addr = va;
	cm->len = reg->mmap_areas[area].size;
	return va;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_get_irq_info, 22.11)
int
rte_vfio_user_client_get_irq_info(int cid, uint32_t index,
		struct vfio_irq_info *info)
{
	struct vfio_user_client *c = client_get(cid);
	struct vfio_irq_info req;
	struct vfio_user_msg *m;
	int r;

	if (c == NULL || info == NULL)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.argsz = sizeof(req);
	req.index = index;
	r = client_request(c, VFIO_USER_DEVICE_GET_IRQ_INFO, 0, &req,
		sizeof(req), NULL, 0, &m);
	if (r < 0)
		return r;
	if (vfio_user_msg_payload_len(m) < sizeof(*info))
		r = -EPROTO;
	else
		memcpy(info, vfio_user_msg_payload(m), sizeof(*info));
	vfio_user_msg_free(m);
	return r;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_dma_map, 22.11)
int
rte_vfio_user_client_dma_map(int cid, uint64_t iova, uint64_t size,
		uint32_t prot, int fd, uint64_t offset, void *vaddr)
{
	struct vfio_user_client *c = client_get(cid);
	struct vfio_user_dma_map_msg req;
	int r;

	if (c == NULL || (fd < 0 && vaddr == NULL))
		return -EINVAL;
	if (fd < 0 && c->nb_maps >= CLIENT_MAX_NOFD_MAPS)
		return -ENOSPC;
	memset(&req, 0, sizeof(req));
	req.argsz = sizeof(req);
	req.flags = ((prot & PROT_READ) ? VFIO_USER_DMA_F_READ : 0) |
		((prot & PROT_WRITE) ? VFIO_USER_DMA_F_WRITE : 0);
	req.offset = fd >= 0 ? offset : 0;
	req.addr = iova;
	req.size = size;
	r = client_request(c, VFIO_USER_DMA_MAP, 0, &req, sizeof(req),
		fd >= 0 ? &fd : NULL, fd >= 0, NULL);
	if (r == 0 && fd < 0) {
		struct client_nofd_map *m = &c->maps[c->nb_maps++];

		m->iova = iova;
		m->size = size;
		m->vaddr = vaddr;
		m->prot = prot;
	}
	return r;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_dma_unmap, 22.11)
int
rte_vfio_user_client_dma_unmap(int cid, uint64_t iova, uint64_t size,
		uint32_t flags)
{
	struct vfio_user_client *c = client_get(cid);
	struct vfio_user_dma_unmap_msg req;
	struct vfio_user_msg *m;
	uint32_t i;
	int r;

	if (c == NULL)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.argsz = sizeof(req);
	req.flags = flags;
	req.addr = iova;
	req.size = size;
	r = client_request(c, VFIO_USER_DMA_UNMAP, 0, &req, sizeof(req), NULL,
		0, &m);
	if (r < 0)
		return r;
	/* the reply echoes the entry */
	if (vfio_user_msg_payload_len(m) < sizeof(req) ||
			memcmp(vfio_user_msg_payload(m), &req, sizeof(req)) != 0)
		r = -EPROTO;
	vfio_user_msg_free(m);
	for (i = 0; i < c->nb_maps; ) {
		if (flags & VFIO_DMA_UNMAP_FLAG_ALL ||
				(c->maps[i].iova == iova && c->maps[i].size == size)) {
			c->maps[i] = c->maps[--c->nb_maps];
			continue;
		}
		i++;
	}
	return r;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_set_irqs, 22.11)
int
rte_vfio_user_client_set_irqs(int cid, uint32_t index, uint32_t flags,
		uint32_t start, uint32_t count, const void *data)
{
	struct vfio_user_client *c = client_get(cid);
	struct vfio_irq_set *set;
	uint32_t len = sizeof(*set), done, n;
	int r;

	if (c == NULL)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_BOOL)
		len += count;
	set = calloc(1, len);
	if (set == NULL)
		return -ENOMEM;
	set->argsz = len;
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	if ((flags & VFIO_IRQ_SET_DATA_BOOL) && data != NULL)
		memcpy(set->data, data, count);
	if (!(flags & VFIO_IRQ_SET_DATA_EVENTFD) || data == NULL || count == 0) {
		r = client_request(c, VFIO_USER_DEVICE_SET_IRQS, 0, set, len,
			NULL, 0, NULL);
		free(set);
		return r;
	}
	/* eventfds in chunks of the server's max_msg_fds, as QEMU does */
	r = 0;
	for (done = 0; done < count && r == 0; done += n) {
		n = RTE_MIN(count - done, c->server_caps.max_msg_fds);
		n = RTE_MIN(n, VFIO_USER_RECV_FDS);
		set->start = start + done;
		set->count = n;
		r = client_request(c, VFIO_USER_DEVICE_SET_IRQS, 0, set, len,
			(const int *)data + done, n, NULL);
	}
	free(set);
	return r;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_region_read, 22.11)
int
rte_vfio_user_client_region_read(int cid, uint32_t index, uint64_t offset,
		void *buf, uint32_t count)
{
	struct vfio_user_client *c = client_get(cid);
	struct vfio_user_region_rw req, rep;
	struct vfio_user_msg *m;
	int r;

	if (c == NULL || (buf == NULL && count > 0))
		return -EINVAL;
	if (count > c->server_caps.max_data_xfer_size)
		return -E2BIG;
	req.offset = offset;
	req.region = index;
	req.count = count;
	r = client_request(c, VFIO_USER_REGION_READ, 0, &req, sizeof(req),
		NULL, 0, &m);
	if (r < 0)
		return r;
	if (vfio_user_msg_payload_len(m) < sizeof(rep)) {
		r = -EPROTO;
	} else {
		memcpy(&rep, vfio_user_msg_payload(m), sizeof(rep));
		if (rep.count != count ||
				vfio_user_msg_payload_len(m) - sizeof(rep) < count)
			r = -EPROTO;
		else if (count > 0)
			memcpy(buf, vfio_user_msg_payload(m) + sizeof(rep),
				count);
	}
	vfio_user_msg_free(m);
	return r;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_region_write, 22.11)
int
rte_vfio_user_client_region_write(int cid, uint32_t index, uint64_t offset,
		const void *buf, uint32_t count, bool posted)
{
	struct vfio_user_client *c = client_get(cid);
	struct vfio_user_region_rw *req;
	int r;

	if (c == NULL || (buf == NULL && count > 0))
		return -EINVAL;
	if (count > c->server_caps.max_data_xfer_size)
		return -E2BIG;
	req = malloc(sizeof(*req) + count);
	if (req == NULL)
		return -ENOMEM;
	req->offset = offset;
	req->region = index;
	req->count = count;
	if (count > 0)
		memcpy(req->data, buf, count);
	r = client_request(c, VFIO_USER_REGION_WRITE,
		posted ? VFIO_USER_F_NO_REPLY : 0, req, sizeof(*req) + count,
		NULL, 0, NULL);
	free(req);
	return r;
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_reset, 22.11)
int
rte_vfio_user_client_reset(int cid)
{
	struct vfio_user_client *c = client_get(cid);

	if (c == NULL)
		return -EINVAL;
	return client_request(c, VFIO_USER_DEVICE_RESET, 0, NULL, 0, NULL, 0,
		NULL);
}

RTE_EXPORT_EXPERIMENTAL_SYMBOL(rte_vfio_user_client_poll, 22.11)
int
rte_vfio_user_client_poll(int cid, int timeout_ms)
{
	struct vfio_user_client *c = client_get(cid);
	int served = 0, r;

	if (c == NULL)
		return -EINVAL;
	for (;;) {
		struct vfio_user_msg *m;

		if (served == 0 && timeout_ms > 0) {
			r = vfio_user_msg_recv(c->tran, &c->rx, &m,
				vfio_user_now_ms() + timeout_ms);
			if (r == 0)
				r = 1;
		} else {
			r = vfio_user_rx_step(&c->rx, c->tran, &m);
		}
		if (r == 0 || r == -ETIMEDOUT)
			return served;
		if (r == -ECONNRESET)
			return -ENOTCONN;
		if (r < 0)
			return r;
		if (vfio_user_msg_type(m) == VFIO_USER_F_TYPE_CMD) {
			r = serve_request(c, m);
			served++;
		}
		vfio_user_msg_free(m);
		if (r < 0)
			return r;
	}
}
