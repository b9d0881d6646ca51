/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_INTERNAL_H_
#define _VFIO_USER_INTERNAL_H_

/*
 * Internal API for tests and fuzzers: devices served on the caller's
 * thread over any transport, per-connection limits and counters.
 */

#include <stdint.h>

#include <rte_compat.h>

#include "rte_vfio_user.h"
#include "vfio_user_msg.h"
#include "vfio_user_tran.h"

/* Bounds of one client connection. */
struct vfio_user_limits {
	/* while a request to the client waits for its reply: */
	uint32_t deferred_msgs;		/* commands held at most */
	uint32_t deferred_bytes;	/* their bytes */
	uint32_t deferred_fds;		/* their fds */
	/* absolute deadline of one request to the client */
	uint32_t xfer_timeout_ms;
	/* VERSION must complete within this after connecting */
	uint32_t negotiate_timeout_ms;
};

#define VFIO_USER_DEFERRED_MSGS		64u
#define VFIO_USER_DEFERRED_BYTES	(2u * VFIO_USER_MAX_MSG_SIZE)
#define VFIO_USER_DEFERRED_FDS		64u
#define VFIO_USER_XFER_TIMEOUT_MS	5000u
#define VFIO_USER_NEGOTIATE_TIMEOUT_MS	10000u

/* Counters of a device, over all its clients. */
struct vfio_user_stats {
	uint64_t cmds[VFIO_USER_MAX_COMMAND + 1];	/* last: unknown */
	uint64_t errors;		/* error replies sent */
	uint64_t dropped;		/* replies and stray messages dropped */
	uint64_t connects;
	uint64_t refused;		/* second clients turned away */
	uint64_t reaped;		/* vanished clients cleaned up early */
	uint64_t xfer_timeouts;
	uint64_t xfer_aborted;		/* deferral limits reached */
	uint32_t deferred_max;		/* most commands held at once */
};

/*
 * Register a device that has no socket and no thread: the caller attaches
 * connections with vfio_user_attach() and serves them with
 * vfio_user_serve(). rte_vfio_user_unregister() releases it.
 */
__rte_internal
int vfio_user_register_local(const struct rte_vfio_user_dev_desc *desc);

/*
 * Give a device a client connection, as if accepted on its socket (the
 * transport is taken in every case). A threaded device gets it on its
 * control thread. Returns 0 or -EBUSY (a live client is attached).
 */
__rte_internal
int vfio_user_attach(int dev_id, struct vfio_user_tran *t);

/*
 * Serve what the client of a local device sent, on the calling thread.
 * Returns 1 when work remains (call again), 0 when idle, -ENOTCONN when
 * there is no client (any more).
 */
__rte_internal
int vfio_user_serve(int dev_id);

__rte_internal
int vfio_user_set_limits(int dev_id, const struct vfio_user_limits *limits);

__rte_internal
int vfio_user_get_stats(int dev_id, struct vfio_user_stats *stats);

/*
 * Client API over any transport (t is taken): negotiates and returns a
 * client id for the rte_vfio_user_client_*() functions, or -errno.
 */
__rte_internal
int vfio_user_client_attach_tran(struct vfio_user_tran *t);

#endif /* _VFIO_USER_INTERNAL_H_ */
