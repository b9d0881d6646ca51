/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_DEV_H_
#define _VFIO_USER_DEV_H_

/* Server-side device state shared by the server's files. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include "rte_vfio_user.h"
#include "vfio_user_caps.h"
#include "vfio_user_log.h"
#include "vfio_user_msg.h"
#include "vfio_user_sock.h"

/* One DMA_MAP entry; the table is sorted by iova, never overlapping. */
struct vfio_user_dma_ent {
	uint64_t iova;
	uint64_t size;
	uint8_t *va;		/* NULL: no fd, DMA_READ/WRITE messages */
	void *mmap_addr;
	size_t mmap_len;
	uint32_t prot;		/* PROT_READ | PROT_WRITE */
};

struct vfio_user_dma_table {
	uint32_t nb;
	struct vfio_user_dma_ent ent[RTE_VFIO_USER_MAX_DMA_MAPS];
};

/* One IRQ index; arrays of desc.irq_count[index] entries. */
struct vfio_user_irq {
	uint32_t count;
	int *fds;		/* eventfd or -1 */
	uint8_t *masked;
	uint8_t *pending;	/* triggered while masked */
};

/* Kinds of per-connection log messages printed once. */
enum vfio_user_log_kind {
	VFIO_USER_LOG_BAD_MSG,
	VFIO_USER_LOG_BAD_FD,
	VFIO_USER_LOG_UNKNOWN_CMD,
	VFIO_USER_LOG_BAD_DMA,
	VFIO_USER_LOG_BAD_REGION,
	VFIO_USER_LOG_BAD_IRQ,
	VFIO_USER_LOG_BUSY,
	VFIO_USER_LOG_KIND_MAX,
};

struct vfio_user_dev {
	int id;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct rte_vfio_user_dev_desc desc;	/* copy; config ptrs unused */
	struct rte_vfio_user_dev_ops ops;	/* copy, NULL entries allowed */
	int listen_fd;

	/* connection */
	int conn_fd;		/* -1: no client */
	bool negotiated;	/* VERSION done */
	bool conn_broken;	/* send/recv failed inside a handler */
	struct vfio_user_rx rx;
	struct vfio_user_msg_list deferred; /* requests read during DMA waits */
	struct vfio_user_caps client_caps;
	uint16_t next_msg_id;	/* server -> client requests */
	uint32_t logged;	/* bit per vfio_user_log_kind */

	/* regions */
	int region_fd[RTE_VFIO_USER_NUM_REGIONS];
	uint8_t *region_mem[RTE_VFIO_USER_NUM_REGIONS];
	size_t region_mem_len[RTE_VFIO_USER_NUM_REGIONS];
	uint8_t *config;
	uint8_t *config_wmask;

	struct vfio_user_irq irqs[RTE_VFIO_USER_NUM_IRQS];
	struct vfio_user_dma_table dma;
};

#define VFIO_USER_TIMEOUT_MS 5000

/* Log once per connection and kind. */
#define VFIO_USER_DEV_LOG_ONCE(dev, kind, level, fmt, args...) do { \
	if (!((dev)->logged & (1u << (kind)))) { \
		(dev)->logged |= 1u << (kind); \
		VFIO_USER_LOG(level, "%s: " fmt " (further ones not logged)", \
			(dev)->path, ## args); \
	} \
} while (0)

/* vfio_user_server.c */
struct vfio_user_dev *vfio_user_dev_get(int dev_id);
bool vfio_user_on_ctl_thread(void);
void vfio_user_lock_dp(struct vfio_user_dev *dev, bool lock);
int vfio_user_server_dma_xfer(struct vfio_user_dev *dev, bool write,
		uint64_t iova, void *buf, uint32_t count);

/* vfio_user_dma.c */
int vfio_user_dma_handle_map(struct vfio_user_dev *dev,
		struct vfio_user_msg *msg);
int vfio_user_dma_handle_unmap(struct vfio_user_dev *dev,
		struct vfio_user_msg *msg);
void vfio_user_dma_unmap_all(struct vfio_user_dev *dev);

/* vfio_user_irq.c */
int vfio_user_irq_init(struct vfio_user_dev *dev);
void vfio_user_irq_fini(struct vfio_user_dev *dev);
int vfio_user_irq_handle_info(struct vfio_user_dev *dev,
		struct vfio_user_msg *msg, struct vfio_irq_info *reply);
int vfio_user_irq_handle_set(struct vfio_user_dev *dev,
		struct vfio_user_msg *msg);
void vfio_user_irq_close_all(struct vfio_user_dev *dev);

/* vfio_user_region.c */
int vfio_user_region_init(struct vfio_user_dev *dev,
		const struct rte_vfio_user_dev_desc *desc);
void vfio_user_region_fini(struct vfio_user_dev *dev);
/* builds the reply payload in *out (malloc'ed), sets *fd when sent */
int vfio_user_region_handle_info(struct vfio_user_dev *dev,
		struct vfio_user_msg *msg, uint8_t **out, uint32_t *out_len,
		int *fd);
int vfio_user_region_handle_read(struct vfio_user_dev *dev,
		struct vfio_user_msg *msg, uint8_t **out, uint32_t *out_len);
int vfio_user_region_handle_write(struct vfio_user_dev *dev,
		struct vfio_user_msg *msg);

#endif /* _VFIO_USER_DEV_H_ */
