/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

#ifndef _IAVF_EMU_H_
#define _IAVF_EMU_H_

/*
 * Internal definitions of the emu_iavf device model.
 *
 * Threads: everything below runs on the vfio-user control thread unless
 * marked (dp) (data-path lcores) or (any). Fields the data path reads
 * change only while the queue access locks are held (see iavf_emu_queue.c).
 */

#include <limits.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_rwlock.h>
#include <rte_spinlock.h>

#include <emu_compat.h>
#include <rte_emudev.h>
#include <rte_emudev_driver.h>
#include <rte_vfio_user.h>

#include "iavf_type.h"
#include "iavf_adminq_cmd.h"
#include "virtchnl.h"

#include "iavf_emu_backend.h"

extern int iavf_emu_logtype;
#define RTE_LOGTYPE_IAVF_EMU iavf_emu_logtype

#define IAVF_EMU_LOG(level, ...) \
	RTE_LOG_LINE_PREFIX(level, IAVF_EMU, "%s(): ", __func__, __VA_ARGS__)

/* PCI identity (8086:1889, Ethernet controller). */
#define IAVF_EMU_VENDOR_ID		0x8086
#define IAVF_EMU_DEVICE_ID		IAVF_DEV_ID_ADAPTIVE_VF
#define IAVF_EMU_SUBSYS_VENDOR_ID	0x8086
#define IAVF_EMU_SUBSYS_ID		0x0000
#define IAVF_EMU_CLASS_CODE		0x020000
#define IAVF_EMU_REVISION		0x01

/* PCI layout. */
#define IAVF_EMU_CONFIG_SIZE		256
#define IAVF_EMU_MSIX_CAP_OFF		0x40
#define IAVF_EMU_AF_CAP_OFF		0x50
#define IAVF_EMU_BAR0_SIZE		0x10000	/* 64 KiB control registers */
#define IAVF_EMU_MSIX_BAR		3
#define IAVF_EMU_MSIX_BAR_SIZE		0x4000	/* table + PBA */
#define IAVF_EMU_MSIX_TABLE_OFF		0x0000
#define IAVF_EMU_MSIX_PBA_OFF		0x2000

/* BAR0 0x0000-0x3FFF: tails, ITRN and DYN_CTLN ("doorbell page"). */
#define IAVF_EMU_DB_SIZE		0x4000

/* virtchnl resources. */
#define IAVF_EMU_DEFAULT_QP		4
#define IAVF_EMU_VSI_ID			1
#define IAVF_EMU_RSS_KEY_SIZE		52
#define IAVF_EMU_RSS_LUT_SIZE		64
#define IAVF_EMU_MAX_MAC_FILTERS	64
/*
 * VLAN stripping after a VF reset: on, as the i40e and ice PFs set up a
 * VF's VSI. Linux iavf (VLAN offload v1) assumes it and sends
 * ENABLE/DISABLE_VLAN_STRIPPING only when the user toggles rxvlan; DPDK
 * net_iavf sends one at every configure.
 */
#define IAVF_EMU_VLAN_STRIP_DEFAULT	true
#define IAVF_EMU_DEFAULT_LINK_MBPS	25000
#define IAVF_EMU_MAX_VECTORS		(RTE_IAVF_EMU_MAX_QP + 1)

/* Admin queue. */
#define IAVF_EMU_AQ_BUF_MAX		4096	/* both drivers use 4 KiB */
#define IAVF_EMU_AQ_LEN_MASK		0x3FF
#define IAVF_EMU_ARQ_BACKLOG		16	/* replies waiting for a slot */
#define IAVF_EMU_ARQ_MSG_MAX		128	/* largest reply we build */

/* Ring checks (DPDK and Linux both use multiples of 32, <= 4096). */
#define IAVF_EMU_RING_ALIGN		128
#define IAVF_EMU_RING_LEN_MULT		32
#define IAVF_EMU_RING_LEN_MAX		4096
#define IAVF_EMU_TX_DESC_SIZE		16
#define IAVF_EMU_RX_DESC_SIZE		32

/*
 * VF reset progress (iavf_emu_reset.c). RESET_VF does not act inside the
 * register write that posted it: each later trapped BAR0 access first
 * applies the next step, as a PF acts on the mailbox after the VF's write.
 */
enum iavf_emu_vfr {
	IAVF_EMU_VFR_IDLE,	/* no reset under way */
	IAVF_EMU_VFR_REQUESTED,	/* RESET_VF accepted, not acted on yet */
	IAVF_EMU_VFR_INPROGRESS, /* AQ disabled, queues stopped */
	IAVF_EMU_VFR_COMPLETED,	/* state torn down, VFACTIVE next */
};

/* What started a reset. */
enum iavf_emu_reset_cause {
	IAVF_EMU_RESET_VF,	/* virtchnl RESET_VF (a VF reset) */
	IAVF_EMU_RESET_FLR,	/* function level reset (AF capability) */
	IAVF_EMU_RESET_DEVICE,	/* vfio-user DEVICE_RESET */
	IAVF_EMU_RESET_CLIENT,	/* the vfio-user client went away */
	IAVF_EMU_RESET_MAX
};

/* Bad-input counters: each kind is logged with a rate limit. */
enum iavf_emu_err {
	IAVF_EMU_ERR_REG,	/* reserved register or bad access size */
	IAVF_EMU_ERR_TAIL,	/* tail value past the ring */
	IAVF_EMU_ERR_AQ,	/* admin queue length / head / tail / opcode */
	IAVF_EMU_ERR_AQ_DMA,	/* admin queue descriptor or buffer not mapped */
	IAVF_EMU_ERR_VC,	/* malformed virtchnl message */
	IAVF_EMU_ERR_RING,	/* ring outside guest memory, bad length */
	IAVF_EMU_ERR_ARQ_FULL,	/* reply dropped: no ARQ slot, backlog full */
	IAVF_EMU_ERR_IRQ,	/* interrupt without eventfd / MSI-X off */
	IAVF_EMU_ERR_MAX,
};

/* A queue: the public part first (rte_iavf_emu_get_queue returns it). */
struct iavf_emu_queue {
	struct rte_iavf_emu_queue pub;
	bool configured;	/* CONFIG_VSI_QUEUES gave a ring */
	bool guest_enabled;	/* ENABLE_QUEUES succeeded */
	uint8_t itr_idx;	/* CONFIG_IRQ_MAP rx/txitr_idx */
	uint8_t rxdid;		/* RX descriptor id (legacy 32 B) */
	bool crc_disable;
};

/* Interrupt state of one MSI-X vector. */
struct iavf_emu_vector {
	RTE_ATOMIC(uint32_t) pending;	/* (any) latched while masked / throttled */
	RTE_ATOMIC(uint64_t) last_fire;	/* (any) TSC of the last interrupt */
	bool has_fd;		/* client gave an eventfd (lock window) */
};

/* A PF->VF message waiting for a free ARQ slot. */
struct iavf_emu_arq_msg {
	uint32_t v_opcode;
	int32_t v_status;
	uint16_t len;
	uint8_t data[IAVF_EMU_ARQ_MSG_MAX];
};

struct iavf_emu_dev {
	char name[RTE_EMUDEV_NAME_MAX_LEN];
	char path[PATH_MAX];
	struct rte_emudev *edev;
	uint16_t emu_id;
	int vfu_id;			/* vfio-user device id */
	bool api_created;		/* by rte_iavf_emu_create(), not a vdev */

	/* devargs */
	uint16_t num_qp;
	struct rte_ether_addr mac;
	uint32_t link_speed;		/* devarg, Mbps */
	bool shared_db;

	/* PCI function state (config space, control thread). */
	uint8_t config[IAVF_EMU_CONFIG_SIZE];
	uint8_t config_wmask[IAVF_EMU_CONFIG_SIZE];
	bool bus_master;
	/* (any) MSI-X enable && !function mask */
	RTE_ATOMIC(uint32_t) msix_enabled;

	/* BAR0 */
	uint32_t __rte_atomic *db;	/* doorbell page, shared or private */
	void *db_private;		/* private page (doorbell=trapped) */
	uint32_t regs[IAVF_EMU_BAR0_SIZE / 4];	/* trapped registers */

	/* Admin queue */
	uint16_t atq_head;
	struct iavf_emu_arq_msg arq_backlog[IAVF_EMU_ARQ_BACKLOG];
	uint16_t arq_backlog_head;
	uint16_t arq_backlog_count;
	bool irq0_pending;		/* ARQ event not delivered on vector 0 */
	/* virtchnl structures are read in place: keep it aligned */
	alignas(8) uint8_t aq_buf[IAVF_EMU_AQ_BUF_MAX];

	/* virtchnl */
	struct virtchnl_version_info ver;
	uint32_t caps;			/* granted capability flags */
	bool resources_sent;		/* GET_VF_RESOURCES answered */
	rte_rwlock_t cfg_lock;		/* filters, rx mode, rss (any reader) */
	struct rte_ether_addr mac_filters[IAVF_EMU_MAX_MAC_FILTERS];
	uint16_t nb_mac_filters;
	uint64_t vlan_filters[4096 / 64];
	uint16_t nb_vlan_filters;	/* bits set in vlan_filters */
	bool vlan_offload;		/* VIRTCHNL_VF_OFFLOAD_VLAN granted */
	bool vlan_strip;		/* tags go to the Rx descriptor */
	bool promisc;
	bool allmulti;
	struct rte_iavf_emu_rss rss;
	uint32_t rss_gen;		/* last rss.gen given out */

	/* link: backend requests (any thread), sent on the control thread */
	RTE_ATOMIC(uint32_t) link_up;
	RTE_ATOMIC(uint32_t) link_mbps;
	RTE_ATOMIC(uint32_t) link_dirty;

	/* queues and vectors */
	struct iavf_emu_queue rxq[RTE_IAVF_EMU_MAX_QP];	/* guest RX */
	struct iavf_emu_queue txq[RTE_IAVF_EMU_MAX_QP];	/* guest TX */
	struct iavf_emu_vector vec[IAVF_EMU_MAX_VECTORS];

	/*
	 * Guest memory is the vfio-user library's DMA table, which changes
	 * only in the lock window; no copy is kept here.
	 */
	rte_spinlock_recursive_t mem_lock; /* held for the lock window */
	uint32_t mem_gen;		/* bumped by every DMA table change */
	uint32_t nb_shared_maps;	/* fd-backed mappings in the table */

	/* client / lock window */
	bool connected;
	bool dp_locked;
	bool flushing;
	/* events of the lock window, at most one per subject pending */
	struct rte_emudev_event deferred[2 * RTE_IAVF_EMU_MAX_QP + 4];
	uint32_t nb_deferred;
	uint32_t next_deferred;		/* next one to deliver */
	uint64_t events_lost;

	/* reset */
	enum iavf_emu_vfr vfr;		/* VF reset step pending */
	RTE_ATOMIC(uint64_t) stale_tails; /* (any) tails a reset made stale */
	/* resets started, by cause (control thread; telemetry reads) */
	uint64_t resets[IAVF_EMU_RESET_MAX];

	RTE_ATOMIC(uint64_t) err[IAVF_EMU_ERR_MAX];
};

/*
 * The files form layers, each calling only the ones below it:
 *   iavf_emu_dev.c       vdev, devargs, emudev provider, vfio-user callbacks
 *   iavf_emu_telemetry.c telemetry (reads)
 *   iavf_emu_reset.c     reset sequencing
 *   iavf_emu_regs.c      BAR0 register file (trapped accesses)
 *   iavf_emu_pci.c       PCI configuration space
 *   iavf_emu_adminq.c    admin transmit queue: commands from the VF
 *   iavf_emu_vchnl.c     virtchnl messages and the backend API
 *   iavf_emu_arq.c       admin receive queue: replies and events to the VF
 *   iavf_emu_queue.c     the guest's data queues
 *   iavf_emu_irq.c       MSI-X vectors
 *   iavf_emu_core.c      registry, bad inputs, events, reset state
 */

/* iavf_emu_dev.c */
void iavf_emu_ctrl_tail(struct iavf_emu_dev *dev);
/* vfio-user callbacks (also driven directly by the fuzzer) */
void iavf_emu_vfu_config_write(int vfu_id, uint32_t offset, uint32_t count);
int iavf_emu_vfu_bar0_access(int vfu_id, uint32_t index, uint64_t offset,
		void *buf, uint32_t count, bool is_write);

/* iavf_emu_reset.c */
void iavf_emu_reset(struct iavf_emu_dev *dev, enum iavf_emu_reset_cause cause);
void iavf_emu_reset_step(struct iavf_emu_dev *dev);

/* iavf_emu_regs.c */
void iavf_emu_regs_reset(struct iavf_emu_dev *dev, bool keep_aq);
void iavf_emu_regs_set_rstat(struct iavf_emu_dev *dev, uint32_t state);
void iavf_emu_bar0_access(struct iavf_emu_dev *dev, uint64_t offset,
		void *buf, uint32_t count, bool is_write);

static inline uint32_t
iavf_emu_reg(const struct iavf_emu_dev *dev, uint32_t off)
{
	return dev->regs[off / 4];
}

static inline void
iavf_emu_reg_set(struct iavf_emu_dev *dev, uint32_t off, uint32_t val)
{
	dev->regs[off / 4] = val;
}

/* iavf_emu_pci.c */
int iavf_emu_pci_init(struct iavf_emu_dev *dev);
/* Returns true when the write initiated a function level reset. */
bool iavf_emu_pci_config_write(struct iavf_emu_dev *dev, uint32_t offset,
		uint32_t count);
void iavf_emu_pci_reset(struct iavf_emu_dev *dev);

/* iavf_emu_adminq.c */
void iavf_emu_atq_process(struct iavf_emu_dev *dev);
void iavf_emu_aq_disable(struct iavf_emu_dev *dev);
void iavf_emu_aq_reset(struct iavf_emu_dev *dev);

/* iavf_emu_vchnl.c */
void iavf_emu_vc_handle(struct iavf_emu_dev *dev, uint32_t v_opcode,
		uint8_t *msg, uint16_t len, bool msg_ok);
void iavf_emu_vc_send_link(struct iavf_emu_dev *dev);
void iavf_emu_vc_reset(struct iavf_emu_dev *dev);
void iavf_emu_rss_changed(struct iavf_emu_dev *dev);

/* iavf_emu_arq.c */
void iavf_emu_arq_drain(struct iavf_emu_dev *dev);
void iavf_emu_arq_post(struct iavf_emu_dev *dev, uint32_t v_opcode,
		int32_t v_status, const void *msg, uint16_t len);
void iavf_emu_arq_clear(struct iavf_emu_dev *dev);

/* Admin queue rings (both directions): base address from BAL/BAH. */
static inline uint64_t
iavf_emu_aq_base(const struct iavf_emu_dev *dev, uint32_t bal, uint32_t bah)
{
	return ((uint64_t)iavf_emu_reg(dev, bah) << 32) | iavf_emu_reg(dev, bal);
}

/* Buffer address of an admin queue descriptor. */
static inline uint64_t
iavf_emu_aq_desc_addr(const struct iavf_aq_desc *d)
{
	return ((uint64_t)rte_le_to_cpu_32(d->params.external.addr_high) << 32) |
		rte_le_to_cpu_32(d->params.external.addr_low);
}

/*
 * A ring is one range of guest memory: [base, base + len * 32) must not
 * wrap past 2^64 - 1 (checked without computing its end).
 */
static inline bool
iavf_emu_aq_ring_ok(uint64_t base, uint16_t len)
{
	return len != 0 &&
		(uint64_t)len * sizeof(struct iavf_aq_desc) - 1 <= UINT64_MAX - base;
}

/* iavf_emu_queue.c */
void iavf_emu_queues_init(struct iavf_emu_dev *dev);
void iavf_emu_queues_set_tails(struct iavf_emu_dev *dev);
void iavf_emu_queue_lock(struct iavf_emu_dev *dev, struct iavf_emu_queue *q);
void iavf_emu_queue_unlock(struct iavf_emu_dev *dev, struct iavf_emu_queue *q);
void iavf_emu_lock_all(struct iavf_emu_dev *dev);
void iavf_emu_unlock_all(struct iavf_emu_dev *dev);
int iavf_emu_queue_update(struct iavf_emu_dev *dev, struct iavf_emu_queue *q);
void iavf_emu_queues_refresh(struct iavf_emu_dev *dev);
void iavf_emu_queues_reset(struct iavf_emu_dev *dev);
void iavf_emu_queue_resync(struct iavf_emu_dev *dev, struct iavf_emu_queue *q,
		const char *why);
void iavf_emu_tails_clear(struct iavf_emu_dev *dev, const char *why);
uint32_t iavf_emu_queue_event_id(const struct iavf_emu_queue *q);
void iavf_emu_mem_changed(struct iavf_emu_dev *dev);
int iavf_emu_mem_table(struct iavf_emu_dev *dev,
		struct rte_emudev_mem_region *r, uint32_t max);

/* iavf_emu_irq.c */
void iavf_emu_irq_reset(struct iavf_emu_dev *dev);
void iavf_emu_irq_update(struct iavf_emu_dev *dev, uint32_t start,
		uint32_t count);
void iavf_emu_irq0_eval(struct iavf_emu_dev *dev);
void iavf_emu_irq_dynctln_written(struct iavf_emu_dev *dev, uint32_t v);
bool iavf_emu_irq_fire(struct iavf_emu_dev *dev, uint32_t vector);
void iavf_emu_queue_set_vector(struct iavf_emu_dev *dev,
		struct iavf_emu_queue *q, uint16_t vector);

/* iavf_emu_core.c */
void iavf_emu_devs_set(uint16_t emu_id, struct iavf_emu_dev *dev);
struct iavf_emu_dev *iavf_emu_dev_get(int vfu_id);
/* fn(dev, arg) on the device, which cannot be destroyed meanwhile */
int iavf_emu_dev_with(uint16_t emu_id,
		void (*fn)(const struct iavf_emu_dev *, void *), void *arg);
struct iavf_emu_dev *iavf_emu_dev_by_emu_id(uint16_t emu_id);
void iavf_emu_count_err(struct iavf_emu_dev *dev, enum iavf_emu_err kind,
		const char *fmt, ...) __rte_format_printf(3, 4);
void iavf_emu_event(struct iavf_emu_dev *dev, enum rte_emudev_event_type type,
		uint32_t queue_id, bool enabled);
void iavf_emu_flush_events(struct iavf_emu_dev *dev);
void iavf_emu_reset_count(struct iavf_emu_dev *dev,
		enum iavf_emu_reset_cause cause);
void iavf_emu_vf_reset_request(struct iavf_emu_dev *dev);
bool iavf_emu_in_reset(const struct iavf_emu_dev *dev);
void iavf_emu_stale_tail(struct iavf_emu_dev *dev, const char *why,
		uint32_t reg, uint32_t val);

#endif /* _IAVF_EMU_H_ */
