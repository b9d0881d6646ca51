/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_DEV_H_
#define _VFIO_USER_DEV_H_

/*
 * Server-side state shared by the server's files.
 *
 * Layers, bottom up: transport (vfio_user_tran*.c) -> codec
 * (vfio_user_codec.c) -> connection (vfio_user_conn.c: output queue,
 * requests to the client, deferral) -> registry (vfio_user_registry.c:
 * device ids, lookups) -> command handlers (vfio_user_device.c, _dma.c,
 * _region.c, _irq.c, which call the device callbacks) -> dispatch table
 * (vfio_user_dispatch.c: validate, lock window, apply, reply) -> server
 * (vfio_user_server.c: registration and each device's control thread,
 * which reads messages and calls the dispatcher). A file calls only the
 * layers below its own.
 */

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include <rte_common.h>
#include <rte_thread.h>

#include "emu_compat.h"
#include "rte_vfio_user.h"
#include "vfio_user_caps.h"
#include "vfio_user_codec.h"
#include "vfio_user_internal.h"
#include "vfio_user_log.h"
#include "vfio_user_msg.h"
#include "vfio_user_tran.h"

/* One DMA_MAP entry; the table is sorted by iova, never overlapping. */
struct vfio_user_dma_ent {
	uint64_t iova;
	uint64_t size;
	uint8_t *va;		/* NULL: no fd, DMA_READ/WRITE messages */
	void *mmap_addr;
	size_t mmap_len;
	uint32_t prot;		/* PROT_READ | PROT_WRITE */
};

/* Changed only inside a lock_dp window; read lock-free otherwise. */
struct vfio_user_dma_table {
	uint32_t nb;
	uint32_t cap;
	struct vfio_user_dma_ent *ent;
};

/* One IRQ index; arrays of desc.irq_count[index] entries. */
struct vfio_user_irq {
	uint32_t count;
	int *fds;		/* eventfd or -1 */
	uint8_t *masked;
	uint8_t *pending;	/* triggered while masked */
};

/* Kinds of peer-caused log lines, each rate-limited on its own. */
enum vfio_user_log_kind {
	VFIO_USER_LOG_CONN,	/* connect, disconnect, refusals */
	VFIO_USER_LOG_BAD_MSG,
	VFIO_USER_LOG_BAD_FD,
	VFIO_USER_LOG_UNKNOWN_CMD,
	VFIO_USER_LOG_BAD_DMA,
	VFIO_USER_LOG_BAD_REGION,
	VFIO_USER_LOG_BAD_IRQ,
	VFIO_USER_LOG_XFER,	/* requests to the client that failed */
	VFIO_USER_LOG_KIND_MAX,
};

/* The client of a device (one at a time). */
struct vfio_user_conn {
	struct vfio_user_tran *tran;	/* NULL: no client */
	bool negotiated;		/* VERSION done */
	bool broken;			/* to be closed: transport or framing */
	int64_t since_ms;		/* connected at */
	struct vfio_user_rx rx;
	struct vfio_user_caps client_caps;
	uint16_t next_msg_id;		/* server -> client requests */
	bool in_request;		/* a request to the client is pending */
	/* messages not yet (fully) written, in order */
	struct vfio_user_msg_list out;
	uint32_t nb_out;
	/* commands read while waiting for a reply of the client */
	struct vfio_user_msg_list deferred;
	uint32_t nb_deferred;
	uint32_t deferred_bytes;
	uint32_t deferred_fds;
};

struct vfio_user_dev {
	int id;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct rte_vfio_user_dev_desc desc;	/* copy; config ptrs unused */
	struct rte_vfio_user_dev_ops ops;	/* copy, NULL entries allowed */
	struct vfio_user_limits limits;

	bool local;			/* no socket: served by its caller */
	/* control thread (from rte_vfio_user_start() on) */
	bool threaded;
	rte_thread_t tid;
	int ep_fd;
	int cmd_fd;			/* eventfd: commands to the thread */
	int listen_fd;
	uint32_t conn_events;		/* epoll events registered for conn */
	rte_thread_t owner;		/* thread serving right now */
	bool owner_set;

	struct vfio_user_conn conn;

	/* regions */
	int region_fd[RTE_VFIO_USER_NUM_REGIONS];
	uint8_t *region_mem[RTE_VFIO_USER_NUM_REGIONS];
	size_t region_mem_len[RTE_VFIO_USER_NUM_REGIONS];
	uint8_t *config;
	uint8_t *config_wmask;

	struct vfio_user_irq irqs[RTE_VFIO_USER_NUM_IRQS];
	struct vfio_user_dma_table dma;

	struct vfio_user_stats stats;
	struct vfio_user_ratelimit rl[VFIO_USER_LOG_KIND_MAX];
	uint64_t events[VFIO_USER_LOG_KIND_MAX];	/* logged or not */
};

/* A peer-caused log line of a device, rate-limited per kind. */
#define VFIO_USER_DEV_LOG(dev, kind, level, ...) do { \
	(dev)->events[kind]++; \
	VFIO_USER_LOG_RL_PREFIX(&(dev)->rl[kind], level, (dev)->path, ": ", \
		__VA_ARGS__); \
} while (0)

/* vfio_user_registry.c */
struct vfio_user_dev *vfio_user_dev_get(int dev_id);
/* The registry lock, held while devices are added or removed. */
void vfio_user_reg_lock(void);
void vfio_user_reg_unlock(void);
/* A free device id or -ENOSPC; registry lock held. */
int vfio_user_reg_free_id(void);
/* Publish dev (or NULL) under dev_id; registry lock held. */
void vfio_user_reg_set(int dev_id, struct vfio_user_dev *dev);
/* fn(dev, arg) for each registered device / one, under the registry lock
 * (the device cannot go away meanwhile); -ENODEV when there is none.
 */
void vfio_user_dev_foreach(void (*fn)(struct vfio_user_dev *, void *),
		void *arg);
int vfio_user_dev_with(int dev_id,
		void (*fn)(struct vfio_user_dev *, void *), void *arg);
/* The calling thread is serving dev (its control thread, or the caller
 * of vfio_user_serve() for a local device).
 */
bool vfio_user_dev_on_ctl_thread(const struct vfio_user_dev *dev);
void vfio_user_lock_dp(struct vfio_user_dev *dev, bool lock);

/* vfio_user_conn.c */
void vfio_user_conn_init(struct vfio_user_conn *c, struct vfio_user_tran *t);
/* Free every queued message and the receive state; close the transport. */
void vfio_user_conn_fini(struct vfio_user_conn *c);
/* Queue a message to the client (taken) and write what fits. */
void vfio_user_conn_queue(struct vfio_user_dev *dev, struct vfio_user_msg *m);
/* Write queued messages without waiting; marks the connection broken on
 * a transport error. Returns true when nothing is left to write.
 */
bool vfio_user_conn_flush(struct vfio_user_dev *dev);
/*
 * Next command to serve: a deferred one first, else one from the
 * transport. Returns 1 and *m, 0 when none is complete yet, or -errno
 * (the connection is then broken).
 */
int vfio_user_conn_next(struct vfio_user_dev *dev, struct vfio_user_msg **m);
/*
 * Send a request to the client and wait for its reply until one absolute
 * deadline (limits.xfer_timeout_ms from now). Commands that arrive
 * meanwhile are deferred up to the limits. Returns 0 and *reply (the
 * caller frees it), -ETIMEDOUT, -ENOBUFS (deferral limits reached),
 * -ENOTCONN or -EBUSY (a request is already pending).
 */
int vfio_user_conn_request(struct vfio_user_dev *dev, struct vfio_user_msg *req,
		struct vfio_user_msg **reply);

/* vfio_user_dispatch.c */
void vfio_user_dispatch(struct vfio_user_dev *dev, struct vfio_user_msg *msg);
/* "DMA_MAP", ...; NULL for a command the table does not know */
const char *vfio_user_cmd_name(uint16_t cmd);

/* Request being served: the handlers' view of a command. */
struct vfio_user_req {
	struct vfio_user_msg *msg;
	const uint8_t *data;	/* payload */
	uint32_t len;		/* payload length */
	/* reply payload the handler built (none: an empty reply) */
	uint8_t *reply;
	uint32_t reply_len;
	int reply_fd;		/* borrowed fd sent with the reply, or -1 */
	bool reply_allocated;
	/* handlers fill it through struct pointers: keep it aligned */
	alignas(uint64_t) uint8_t reply_inline[64];
};

/* A reply payload buffer of len bytes (zeroed), or NULL (-ENOMEM). */
static inline void *
vfio_user_req_reply(struct vfio_user_req *req, uint32_t len)
{
	uint8_t *p;

	if (len <= sizeof(req->reply_inline)) {
		p = req->reply_inline;
		memset(p, 0, len);
	} else {
		p = calloc(1, len);
		if (p == NULL)
			return NULL;
		req->reply_allocated = true;
	}
	req->reply = p;
	req->reply_len = len;
	return p;
}

/* Handlers: check validates without changing anything; apply changes
 * state (inside the lock_dp window when the table says so) and undoes
 * its partial work when it fails.
 */
int vfio_user_version_check(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_version_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
void vfio_user_version_done(struct vfio_user_dev *dev);
int vfio_user_dev_info_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_reset_check(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_reset_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req);

/* vfio_user_dma.c */
int vfio_user_dma_map_check(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_dma_map_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_dma_unmap_check(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_dma_unmap_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
/* Caller holds the lock_dp window. */
void vfio_user_dma_unmap_all(struct vfio_user_dev *dev);
void vfio_user_dma_fini(struct vfio_user_dev *dev);

/* vfio_user_irq.c */
int vfio_user_irq_init(struct vfio_user_dev *dev);
void vfio_user_irq_fini(struct vfio_user_dev *dev);
int vfio_user_irq_info_check(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_irq_info_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_irq_set_check(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_irq_set_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
/* Caller holds the lock_dp window. */
void vfio_user_irq_close_all(struct vfio_user_dev *dev);

/* vfio_user_region.c */
int vfio_user_region_init(struct vfio_user_dev *dev,
		const struct rte_vfio_user_dev_desc *desc);
void vfio_user_region_fini(struct vfio_user_dev *dev);
int vfio_user_region_info_check(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_region_info_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_region_rw_check(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_region_read_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req);
int vfio_user_region_write_apply(struct vfio_user_dev *dev,
		struct vfio_user_req *req);

#endif /* _VFIO_USER_DEV_H_ */
