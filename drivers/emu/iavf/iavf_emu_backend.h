/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

#ifndef _IAVF_EMU_BACKEND_H_
#define _IAVF_EMU_BACKEND_H_

/**
 * @file
 * Backend-facing view of an emulated Intel Adaptive Virtual Function: the
 * contract between the emu_iavf driver and the data-path drivers of the
 * DPDK tree (net_avfbe). Internal: a driver-SDK header, not installed as
 * public API; its functions are __rte_internal (ALLOW_INTERNAL_API).
 * Applications create and reach the device through the emu_iavf vdev and
 * the emudev API (rte_emudev.h).
 *
 * The emu_iavf driver (a provider of the emudev class) owns the device
 * model: PCI config space, BAR0 registers, reset, admin queue and virtchnl.
 * A data-path backend finds the device through emudev and uses only this
 * header to move packets on the guest's rings.
 *
 * Threading: the device model runs on the vfio-user control thread. A
 * backend polls queues on its own lcores. Every queue has an access lock:
 * a burst takes it with rte_spinlock_trylock() and gives up (returns 0)
 * when the control thread holds it. The control thread takes it before it
 * enables, disables or resets the queue, and before guest memory mappings
 * change, so ring and buffer pointers a burst obtained stay valid until it
 * releases the lock.
 */

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_compat.h>
#include <rte_ether.h>
#include <rte_spinlock.h>

struct rte_device;

#ifdef __cplusplus
extern "C" {
#endif

/** emudev type string of emu_iavf devices (rte_emudev_info.type). */
#define RTE_IAVF_EMU_TYPE "iavf"

/** @name emu_iavf devargs keys (see the emu_iavf guide) */
/**@{*/
#define RTE_IAVF_EMU_ARG_PATH "path"             /**< vfio-user socket */
#define RTE_IAVF_EMU_ARG_ID "id"                 /**< device instance */
#define RTE_IAVF_EMU_ARG_QUEUES "queues"         /**< queue pairs offered */
#define RTE_IAVF_EMU_ARG_MAC "mac"               /**< the VF's address */
#define RTE_IAVF_EMU_ARG_LINK_SPEED "link_speed" /**< Mbps reported */
#define RTE_IAVF_EMU_ARG_DOORBELL "doorbell"     /**< shared or trapped */
/**@}*/
/**
 * The keys of a device's own settings: what a backend that creates its
 * device from its own devargs passes on (all but "id").
 */
#define RTE_IAVF_EMU_DEV_ARGS RTE_IAVF_EMU_ARG_PATH, RTE_IAVF_EMU_ARG_QUEUES, \
	RTE_IAVF_EMU_ARG_MAC, RTE_IAVF_EMU_ARG_LINK_SPEED, \
	RTE_IAVF_EMU_ARG_DOORBELL

/** Maximum number of queue pairs an emulated AVF offers. */
#define RTE_IAVF_EMU_MAX_QP 16

/** Queue has no interrupt vector mapped (CONFIG_IRQ_MAP did not name it). */
#define RTE_IAVF_EMU_NO_VECTOR UINT16_MAX

/** Per-queue counters, updated by the backend, read by the device model
 * (virtchnl GET_STATS) and by the backend's stats callbacks.
 */
struct rte_iavf_emu_queue_stats {
	uint64_t packets;     /**< Packets moved on this queue. */
	uint64_t bytes;       /**< Bytes moved on this queue. */
	uint64_t unicast;     /**< Unicast packets. */
	uint64_t multicast;   /**< Multicast packets. */
	uint64_t broadcast;   /**< Broadcast packets. */
	uint64_t discards;    /**< Packets dropped for lack of descriptors or mbufs. */
	uint64_t bad_desc;    /**< Descriptors dropped: bad address, length, chain. */
};

/** INTENA of VFINT_DYN_CTLN1: the guest enabled the vector. */
#define RTE_IAVF_EMU_DYN_CTLN_INTENA RTE_BIT32(0)
/** SWINT_TRIG of VFINT_DYN_CTLN1: the guest asks for a software interrupt. */
#define RTE_IAVF_EMU_DYN_CTLN_SWINT_TRIG RTE_BIT32(2)

/**
 * (dp) The guest memory mapping the queue's last translation used, see
 * rte_iavf_emu_xlate().
 */
struct rte_iavf_emu_xlate {
	uint64_t iova;       /**< Guest address of the mapping's first byte. */
	uint64_t size;       /**< Bytes mapped; 0 when empty. */
	uint8_t *va;         /**< Host address of iova. */
	uint32_t gen;        /**< mem_gen when filled (0: never valid). */
	uint32_t prot;       /**< PROT_READ / PROT_WRITE the mapping allows. */
};

/**
 * One guest queue as the backend sees it.
 *
 * "tx" is the guest's transmit queue (the backend reads descriptors and
 * buffers from it, its rx_burst source); "rx" is the guest's receive queue
 * (the backend writes packets into it, its tx_burst destination).
 * Fields marked (ctl) are written by the control thread with the access
 * lock held; fields marked (dp) belong to the backend.
 */
struct rte_iavf_emu_queue {
	rte_spinlock_t access_lock; /**< Held by a burst and by ring changes. */
	bool enabled;        /**< (ctl) ENABLE_QUEUES done, ring mapped. */
	bool is_tx;          /**< Guest TX queue (true) or guest RX queue. */
	uint16_t qid;        /**< Queue index within the queue pair array. */
	uint16_t ring_len;   /**< (ctl) Number of descriptors. */
	uint16_t vector;     /**< (ctl) MSI-X vector, or RTE_IAVF_EMU_NO_VECTOR. */
	uint64_t ring_iova;  /**< (ctl) Guest address of descriptor 0. */
	void *ring;          /**< (ctl) Host address of descriptor 0. */
	uint32_t buf_size;   /**< (ctl) RX: guest buffer size in bytes. */
	uint32_t max_pkt_size; /**< (ctl) RX: largest frame the guest accepts. */
	/** Guest tail doorbell (QTX_TAIL1 / QRX_TAIL1): one past the last
	 * descriptor the guest made available. Read with a load-acquire; the
	 * value is guest controlled and must be range checked.
	 */
	volatile uint32_t *tail;
	uint16_t next;       /**< (dp) Next descriptor the device uses (head). */
	/** (dp) TX: descriptors completed but not yet written back (RS
	 * batching).
	 */
	uint16_t done;
	/** (ctl) Guest memory generation, see rte_iavf_emu_iova_to_va(). */
	uint32_t mem_gen;
	/** (dp) Translation cache of rte_iavf_emu_xlate(). */
	struct rte_iavf_emu_xlate xlate;
	/** (ctl) DYN_CTLN register of the queue's interrupt vector, or NULL
	 * when the queue has none (polled); see rte_iavf_emu_irq_service().
	 */
	const volatile uint32_t *irq_ctl;
	/** (ctl) Non-zero while an interrupt of that vector is latched. */
	const volatile uint32_t *irq_pending;
	struct rte_iavf_emu_queue_stats stats; /**< (dp) Counters. */
	void *dev;           /**< Owning device (opaque). */
};

/** RSS configuration the guest programmed (virtchnl RSS ops). */
struct rte_iavf_emu_rss {
	bool enabled;        /**< Guest asked for RSS on the device. */
	/** Hash key (Toeplitz); aligned for rte_softrss(), which reads it
	 * in 32-bit words.
	 */
	alignas(4) uint8_t key[52];
	uint16_t key_len;    /**< Valid bytes in key. */
	uint8_t lut[64];     /**< Redirection table. */
	uint16_t lut_len;    /**< Valid entries in lut. */
	uint64_t hena;       /**< Enabled hash types (VIRTCHNL HENA bits). */
	/** Changes with every change of the above (never 0): a backend
	 * keeps what it derives from the key (hash tables) until it moves.
	 */
	uint32_t gen;
};

/**
 * Create an emulated AVF without an emu_iavf vdev, for a driver that
 * offers the whole port from one devargs string (net_avfbe path=...).
 *
 * @param name     Emudev name (unique among emulated devices).
 * @param devargs  The emu_iavf devargs: "path=...[,queues=N,mac=...,
 *                 link_speed=...,doorbell=...,id=...]".
 * @param owner    The device it belongs to, or NULL.
 * @return The emudev id (the device is served from now on), or a negative
 *   errno (-EINVAL for bad devargs, logged with what to fix).
 */
__rte_internal
int rte_iavf_emu_create(const char *name, const char *devargs,
		struct rte_device *owner);

/**
 * Destroy an emulated AVF made by rte_iavf_emu_create(): its vfio-user
 * socket is removed and its client disconnected. Its backend must have
 * unsubscribed from its events first.
 *
 * @return 0, -ENODEV (no such device) or -EPERM (an emu_iavf vdev: use
 *   rte_vdev_uninit()).
 */
__rte_internal
int rte_iavf_emu_destroy(uint16_t emu_id);

/**
 * Get a queue of an emulated AVF.
 *
 * The pointer stays valid until the emudev is closed; its ring state
 * changes under the access lock (see the file comment).
 *
 * @param emu_id  emudev id of an emu_iavf device.
 * @param qid     Queue index, < rte_iavf_emu_get_num_qp().
 * @param tx      true for the guest's TX queue, false for its RX queue.
 * @return The queue, or NULL with rte_errno set (ENODEV, EINVAL).
 */
__rte_internal
struct rte_iavf_emu_queue *
rte_iavf_emu_get_queue(uint16_t emu_id, uint16_t qid, bool tx);

/**
 * Number of queue pairs the device offers (devarg queues=).
 *
 * @return 1..RTE_IAVF_EMU_MAX_QP, or a negative errno.
 */
__rte_internal
int rte_iavf_emu_get_num_qp(uint16_t emu_id);

/**
 * Translate a guest address range of a queue's device to a host pointer.
 *
 * Call with the queue's access lock held. The whole range must lie in one
 * shared (fd-backed) guest memory mapping; anything else returns NULL and
 * must be counted as a bad descriptor.
 *
 * @param q      Queue whose device owns the memory.
 * @param iova   Guest (IO virtual) address.
 * @param len    Length in bytes (> 0).
 * @param write  The device will write to the range.
 * @return Host address, or NULL.
 */
__rte_internal
void *rte_iavf_emu_iova_to_va(struct rte_iavf_emu_queue *q, uint64_t iova,
		uint32_t len, bool write);

/**
 * rte_iavf_emu_iova_to_va() for the data path: the translation cached in
 * the queue is checked inline, a miss calls rte_iavf_emu_iova_to_va(),
 * which refills the cache. Same contract: access lock held, NULL for a
 * range that is not wholly in one shared mapping with the needed access
 * (len 0 included).
 */
static inline void *
rte_iavf_emu_xlate(struct rte_iavf_emu_queue *q, uint64_t iova, uint32_t len,
		bool write)
{
	const struct rte_iavf_emu_xlate *c = &q->xlate;
	uint32_t need = PROT_READ | (write ? PROT_WRITE : 0);
	uint64_t off = iova - c->iova;

	/* iova below the mapping wraps off past size; len 0 wraps len - 1 */
	if (likely(c->gen == q->mem_gen && off < c->size &&
		   (uint64_t)len - 1 < c->size - off &&
		   (c->prot & need) == need))
		return c->va + off;
	return rte_iavf_emu_iova_to_va(q, iova, len, write);
}

/**
 * Tell the guest that a queue made progress (RX descriptors written back
 * or TX descriptors completed).
 *
 * Raises the MSI-X vector the guest mapped to the queue unless the vector
 * is masked (DYN_CTLN INTENA clear) or the interrupt throttling interval
 * has not elapsed; then it is latched and raised when the guest re-enables
 * the vector or the interval expires (see rte_iavf_emu_irq_poll()).
 * Lock free; callable from any data-path lcore.
 */
__rte_internal
void rte_iavf_emu_queue_notify(struct rte_iavf_emu_queue *q);

/**
 * Deliver interrupts latched for a queue's vector whose condition has
 * cleared (vector re-enabled, interval expired, software trigger).
 * A backend calls it from every burst on the queue; it is cheap when
 * nothing is pending.
 */
__rte_internal
void rte_iavf_emu_irq_poll(struct rte_iavf_emu_queue *q);

/**
 * Whether rte_iavf_emu_irq_poll() may deliver something for the queue's
 * vector: a software trigger, or an interrupt latched while the guest has
 * the vector enabled. A few loads; no side effect.
 */
static inline bool
rte_iavf_emu_irq_due(const struct rte_iavf_emu_queue *q)
{
	uint32_t ctl;

	if (q->irq_ctl == NULL)
		return false;
	ctl = *q->irq_ctl;
	return (ctl & RTE_IAVF_EMU_DYN_CTLN_SWINT_TRIG) != 0 ||
		((ctl & RTE_IAVF_EMU_DYN_CTLN_INTENA) != 0 &&
		 *q->irq_pending != 0);
}

/**
 * rte_iavf_emu_irq_poll() only when rte_iavf_emu_irq_due(). What a
 * backend calls from every burst: an idle queue, or one the guest polls
 * with its vector masked, pays a few loads.
 */
static inline void
rte_iavf_emu_irq_service(struct rte_iavf_emu_queue *q)
{
	if (rte_iavf_emu_irq_due(q))
		rte_iavf_emu_irq_poll(q);
}

/**
 * Report the backend's link state to the guest (virtchnl LINK_CHANGE).
 *
 * @param up          Link up.
 * @param speed_mbps  Speed in Mbit/s reported with the link.
 * @return 0 or a negative errno.
 */
__rte_internal
int rte_iavf_emu_set_link(uint16_t emu_id, bool up, uint32_t speed_mbps);

/**
 * MAC address of the device (devarg mac= or derived from the emudev id).
 */
__rte_internal
int rte_iavf_emu_get_mac(uint16_t emu_id, struct rte_ether_addr *mac);

/**
 * Receive filtering the guest asked for.
 *
 * @param[out] promisc    Unicast promiscuous mode.
 * @param[out] allmulti   Multicast promiscuous mode.
 * @return 0 or a negative errno.
 */
__rte_internal
int rte_iavf_emu_get_rx_mode(uint16_t emu_id, bool *promisc, bool *allmulti);

/**
 * Whether the guest accepts frames for a destination address: its MAC,
 * a filter it added (ADD_ETH_ADDR), broadcast, or any when promiscuous.
 */
__rte_internal
bool rte_iavf_emu_mac_accepted(uint16_t emu_id,
		const struct rte_ether_addr *dst);

/**
 * VLAN offload state of the guest (virtchnl VLAN offload, version 1).
 *
 * @param[out] filter  The guest negotiated VLAN offload: tagged frames
 *                     are filtered by rte_iavf_emu_vlan_accepted();
 *                     untagged frames always pass.
 * @param[out] strip   The guest enabled VLAN stripping: the tag of a
 *                     frame goes to its Rx descriptor (L2TAG1), not the
 *                     buffer.
 * @return 0 or a negative errno.
 */
__rte_internal
int rte_iavf_emu_get_vlan_mode(uint16_t emu_id, bool *filter, bool *strip);

/**
 * Whether the guest receives frames of VLAN id vid: id 0 (priority tags)
 * always, any id while it has no VLAN filter or is promiscuous, else the
 * ids it added (ADD_VLAN), as the i40e and ice PFs prune.
 */
__rte_internal
bool rte_iavf_emu_vlan_accepted(uint16_t emu_id, uint16_t vid);

/**
 * RSS configuration the guest programmed.
 */
__rte_internal
int rte_iavf_emu_get_rss(uint16_t emu_id, struct rte_iavf_emu_rss *rss);

#ifdef __cplusplus
}
#endif

#endif /* _IAVF_EMU_BACKEND_H_ */
