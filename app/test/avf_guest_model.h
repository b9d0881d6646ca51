/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

#ifndef _AVF_GUEST_MODEL_H_
#define _AVF_GUEST_MODEL_H_

/**
 * @file
 * A small Intel AVF guest driver for tests.
 *
 * It drives an emulated AVF (emu_iavf) through the vfio-user client API the
 * way the Linux iavf driver does on real hardware: PCI setup, VFGEN_RSTAT
 * reset handshake, admin queue rings in guest memory, virtchnl messages,
 * MSI-X eventfds and the legacy TX/RX descriptor rings. Guest memory is a
 * memfd the model maps locally and DMA-maps at a fixed IOVA.
 *
 * The control functions (everything that sends virtchnl messages) must be
 * called from one thread. The data-path helpers (avf_model_tx_*,
 * avf_model_rx_*) only touch guest memory and the tail doorbell; each queue
 * may be driven from its own lcore. Register accesses that become
 * vfio-user messages are serialised by a lock inside the model.
 */

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include <rte_ether.h>

#include "iavf_type.h"
#include "virtchnl.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Admin queue ring size and buffer size used by both AVF drivers. */
#define AVF_MODEL_AQ_LEN	32
#define AVF_MODEL_AQ_BUF_SIZE	4096
/** Default guest memory size and IOVA. */
#define AVF_MODEL_MEM_SIZE	(64ULL << 20)
#define AVF_MODEL_MEM_IOVA	0x100000000ULL
/** BAR0 doorbell page: TX/RX tails, ITRN, DYN_CTLN. */
#define AVF_MODEL_DB_SIZE	0x4000
/** Most queue pairs / MSI-X vectors the model handles. */
#define AVF_MODEL_MAX_QP	16
#define AVF_MODEL_MAX_VECTORS	(AVF_MODEL_MAX_QP + 1)
/** PCI ids of the Adaptive Virtual Function. */
#define AVF_MODEL_VENDOR_ID	0x8086
#define AVF_MODEL_DEVICE_ID	0x1889

/**
 * Capabilities Linux iavf asks for in GET_VF_RESOURCES
 * (iavf_send_vf_config_msg(), 6.x/7.x kernels). TC_U32 (bit 11) is newer
 * than DPDK 22.11's virtchnl.h, hence the raw bit.
 */
#define AVF_MODEL_LINUX_CAPS (VIRTCHNL_VF_OFFLOAD_L2 | \
	VIRTCHNL_VF_OFFLOAD_RSS_PF | VIRTCHNL_VF_OFFLOAD_RSS_AQ | \
	VIRTCHNL_VF_OFFLOAD_RSS_REG | VIRTCHNL_VF_OFFLOAD_VLAN | \
	VIRTCHNL_VF_OFFLOAD_WB_ON_ITR | VIRTCHNL_VF_OFFLOAD_RSS_PCTYPE_V2 | \
	VIRTCHNL_VF_OFFLOAD_ENCAP | RTE_BIT32(11) | \
	VIRTCHNL_VF_OFFLOAD_VLAN_V2 | VIRTCHNL_VF_OFFLOAD_RX_FLEX_DESC | \
	VIRTCHNL_VF_OFFLOAD_CRC | VIRTCHNL_VF_OFFLOAD_ENCAP_CSUM | \
	VIRTCHNL_VF_OFFLOAD_REQ_QUEUES | VIRTCHNL_VF_CAP_PTP | \
	VIRTCHNL_VF_OFFLOAD_ADQ | VIRTCHNL_VF_OFFLOAD_USO | \
	VIRTCHNL_VF_OFFLOAD_FDIR_PF | VIRTCHNL_VF_OFFLOAD_ADV_RSS_PF | \
	VIRTCHNL_VF_CAP_ADV_LINK_SPEED | VIRTCHNL_VF_OFFLOAD_QOS)

/**
 * Where avf_model_connect() is (avf_model.connect_step): a test that kills
 * a model process at a random point learns what it interrupted.
 */
enum avf_model_connect_step {
	AVF_MODEL_CONNECT_IDLE = 0, /**< Not started. */
	AVF_MODEL_CONNECT_ATTACH,   /**< Socket, VERSION negotiation. */
	AVF_MODEL_CONNECT_DMA_MAP,  /**< DMA_MAP of guest memory. */
	AVF_MODEL_CONNECT_PCI,      /**< Device, region, IRQ info; config. */
	AVF_MODEL_CONNECT_IRQ,      /**< SET_IRQS: one eventfd per vector. */
	AVF_MODEL_CONNECT_DONE,     /**< Connected. */
};

/** Model configuration. Zero fields take the defaults. */
struct avf_model_conf {
	const char *path;       /**< vfio-user socket of the device. */
	uint64_t mem_size;      /**< Guest memory (memfd), default 64 MiB. */
	uint64_t mem_iova;      /**< Its IOVA, default AVF_MODEL_MEM_IOVA. */
	/** Optional fd-less window (served with DMA_READ/WRITE messages). */
	uint64_t msg_mem_size;
	uint64_t msg_mem_iova;  /**< Its IOVA (must not overlap mem). */
	bool posted_writes;     /**< BAR writes without reply, as QEMU. */
	bool no_doorbell_mmap;  /**< Trap doorbells even if mmap offered. */
};

/** What the model read from config space and region/IRQ info. */
struct avf_model_pci {
	uint8_t config[256];
	uint16_t vendor_id;
	uint16_t device_id;
	uint32_t class_code;    /**< 24-bit class code (0x020000). */
	uint8_t header_type;
	uint8_t irq_pin;
	uint8_t msix_cap;       /**< Offset of the MSI-X capability, 0: none. */
	uint16_t msix_table_size; /**< Table size (N, not N-1). */
	uint8_t msix_table_bir;
	uint32_t msix_table_offset;
	uint8_t msix_pba_bir;
	uint32_t msix_pba_offset;
	uint32_t bar0;          /**< Raw BAR0 low dword. */
	uint32_t bar3;          /**< Raw BAR3 low dword. */
	uint64_t bar0_size;     /**< Region 0 size. */
	uint32_t bar0_flags;    /**< Region 0 VFIO flags. */
	uint32_t bar0_mmap_areas; /**< Sparse mmap areas of region 0. */
	uint64_t bar3_size;     /**< Region 3 size. */
	uint64_t config_size;   /**< Region 7 size. */
	uint32_t msix_count;    /**< GET_IRQ_INFO(MSI-X).count. */
	uint32_t msix_flags;    /**< GET_IRQ_INFO(MSI-X).flags. */
	uint32_t dev_flags;     /**< GET_DEVICE_INFO flags. */
	uint32_t num_regions;
	uint32_t num_irqs;
};

/** One admin queue ring and its buffers in guest memory. */
struct avf_model_aq_ring {
	struct iavf_aq_desc *desc;
	uint64_t desc_iova;
	uint8_t *buf[AVF_MODEL_AQ_LEN];
	uint64_t buf_iova[AVF_MODEL_AQ_LEN];
	uint16_t next_to_use;
	uint16_t next_to_clean;
};

/** A virtchnl message received on the ARQ. */
struct avf_model_msg {
	uint16_t aq_flags;      /**< Descriptor flags as written back. */
	uint16_t aq_opcode;     /**< 0x0802 for PF-to-VF messages. */
	uint16_t aq_retval;
	uint16_t len;           /**< Payload length (datalen). */
	uint32_t v_opcode;      /**< cookie_high. */
	int32_t v_retval;       /**< cookie_low: enum virtchnl_status_code. */
	uint8_t data[AVF_MODEL_AQ_BUF_SIZE];
};

/** A guest TX queue. */
struct avf_model_txq {
	uint16_t qid;
	uint16_t len;           /**< Descriptors. */
	volatile struct iavf_tx_desc *ring;
	uint64_t ring_iova;
	uint8_t *bufs;          /**< len buffers of buf_size bytes. */
	uint64_t bufs_iova;
	uint32_t buf_size;
	uint16_t next_to_use;   /**< Next descriptor to fill. */
	uint16_t next_to_clean; /**< Oldest descriptor not completed. */
	uint16_t *rs_idx;       /**< FIFO of descriptors carrying RS. */
	uint16_t rs_head;
	uint16_t rs_tail;
	uint64_t completed;     /**< Packets completed (DTYPE 0xF seen). */
	struct avf_model *m;
};

/** A guest RX queue (32-byte legacy descriptors). */
struct avf_model_rxq {
	uint16_t qid;
	uint16_t len;
	volatile union iavf_32byte_rx_desc *ring;
	uint64_t ring_iova;
	uint8_t *bufs;          /**< len buffers of buf_size bytes. */
	uint64_t bufs_iova;
	uint32_t buf_size;
	uint16_t next_to_use;   /**< Next descriptor to give to the device. */
	uint16_t next_to_clean; /**< Next descriptor to check for DD. */
	struct avf_model *m;
};

/** A received buffer (one descriptor write-back). */
struct avf_model_rx_pkt {
	uint8_t *data;
	uint16_t len;           /**< PBUF length. */
	uint8_t ptype;
	bool eof;
	uint32_t status;        /**< Status bits 18:0. */
	uint32_t error;         /**< Error bits 26:19 (shifted down). */
	uint32_t rss;           /**< qw0 bits 63:32. */
	uint16_t l2tag1;        /**< qw0 bits 31:16 (stripped VLAN tag). */
	uint64_t qw1;           /**< Raw status_error_len. */
};

/** The model: one guest driver instance on one device. */
struct avf_model {
	struct avf_model_conf conf;
	int cid;                /**< vfio-user client id, -1 when detached. */
	/** enum avf_model_connect_step, last step started. */
	volatile uint32_t connect_step;
	/** rte_get_timer_cycles() when each connect step started. */
	uint64_t connect_step_cycles[AVF_MODEL_CONNECT_DONE + 1];
	pthread_mutex_t io_lock; /**< Serialises client calls. */

	/* guest memory */
	int memfd;
	uint8_t *mem;
	uint64_t mem_iova;
	uint64_t mem_size;
	uint64_t mem_used;      /**< Bump allocator. */
	uint8_t *msg_mem;       /**< fd-less window, or NULL. */

	/* device */
	struct avf_model_pci pci;
	volatile uint8_t *db;   /**< Mapped doorbell page, or NULL. */
	uint32_t nb_vectors;
	int irq_fd[AVF_MODEL_MAX_VECTORS];
	uint64_t io_errors;     /**< Failed region accesses. */
	/** vfio-user messages sent for region accesses (config space and
	 * trapped BAR0), as a guest's register accesses cost them.
	 */
	uint64_t region_reads;
	uint64_t region_writes;

	/* admin queue */
	struct avf_model_aq_ring atq;
	struct avf_model_aq_ring arq;
	bool aq_allocated;

	/* virtchnl state (as the driver caches it) */
	uint32_t api_major;
	uint32_t api_minor;
	uint32_t caps_requested;
	uint8_t vf_res_buf[sizeof(struct virtchnl_vf_resource) +
		4 * sizeof(struct virtchnl_vsi_resource)];
	uint16_t vf_res_len;
	struct virtchnl_vf_resource *vf_res;
	uint16_t vsi_id;
	uint16_t num_qp;
	uint32_t caps;
	struct rte_ether_addr mac;
	uint8_t rss_key[64];    /**< Key sent with CONFIG_RSS_KEY. */
	uint8_t rss_lut[256];   /**< LUT sent with CONFIG_RSS_LUT. */
	int32_t last_status;    /**< virtchnl status of the last reply. */
	struct avf_model_msg reply; /**< Last reply received. */

	/* asynchronous events */
	bool link_up;
	uint32_t link_speed;    /**< Mbps (ADV) or the legacy enum value. */
	uint32_t nb_link_events;
	uint32_t nb_events;
	uint32_t nb_unexpected; /**< Replies nobody waited for. */

	/* queues set up with avf_model_txq_setup/rxq_setup */
	struct avf_model_txq txq[AVF_MODEL_MAX_QP];
	struct avf_model_rxq rxq[AVF_MODEL_MAX_QP];
};

/* ------------------------------------------------------------------ */
/* Life cycle */

/** Allocate guest memory. Returns 0 or -errno. */
int avf_model_init(struct avf_model *m, const struct avf_model_conf *conf);
/** Disconnect if needed and free guest memory. */
void avf_model_fini(struct avf_model *m);
/**
 * Attach to the device: DMA map guest memory, read config space, enable
 * memory and bus master, map the doorbell page if offered, read IRQ info
 * and give one eventfd per MSI-X vector (one SET_IRQS per vector, as
 * QEMU). Returns 0 or -errno.
 */
int avf_model_connect(struct avf_model *m);
/** Close the vfio-user connection (the device sees a lost client). */
void avf_model_disconnect(struct avf_model *m);

/* ------------------------------------------------------------------ */
/* Guest memory */

/** Bump-allocate guest memory; returns the IOVA (0 on failure). */
uint64_t avf_model_alloc(struct avf_model *m, uint64_t size, uint64_t align,
		void **va);
/** Host pointer of a guest address range, NULL if outside guest memory. */
void *avf_model_iova_to_va(struct avf_model *m, uint64_t iova, uint64_t len);

/* ------------------------------------------------------------------ */
/* PCI and registers */

/** Set Command.MEM|BME and the MSI-X enable bit (a driver's probe). */
int avf_model_pci_enable(struct avf_model *m);
/** Config space access (region 7). Return 0 or -errno. */
int avf_model_cfg_read(struct avf_model *m, uint32_t off, void *buf,
		uint32_t len);
int avf_model_cfg_write(struct avf_model *m, uint32_t off, const void *buf,
		uint32_t len);
/** BAR0 register read; UINT32_MAX (and io_errors++) on failure. */
uint32_t avf_model_rd32(struct avf_model *m, uint32_t reg);
/** BAR0 register write: doorbell page directly when mapped. */
int avf_model_wr32(struct avf_model *m, uint32_t reg, uint32_t val);
/** Trapped BAR0 access, even for the doorbell page. */
int avf_model_rd32_trapped(struct avf_model *m, uint32_t reg, uint32_t *val);
int avf_model_wr32_trapped(struct avf_model *m, uint32_t reg, uint32_t val);

/**
 * Wait for an MSI-X vector's eventfd.
 * @return number of interrupts (> 0), 0 on timeout, -errno.
 */
int avf_model_irq_wait(struct avf_model *m, uint32_t vector,
		uint32_t timeout_ms);
/** Drain a vector's eventfd without waiting; returns what was pending. */
int avf_model_irq_drain(struct avf_model *m, uint32_t vector);

/**
 * Poll VFGEN_RSTAT until its state is COMPLETED or VFACTIVE (or only
 * VFACTIVE when @p need_active, as the kernel reset task).
 * @return the state (1 or 2), or -ETIMEDOUT.
 */
int avf_model_wait_reset_done(struct avf_model *m, bool need_active,
		uint32_t timeout_ms);

/**
 * Function level reset through the PCI Advanced Features capability, as
 * Linux pci_af_flr() (sysfs "reset"), then the config state a driver
 * restores (pci_restore_state(): Command.MEM|BME, MSI-X enable). The
 * 100 ms the specification lets the function take is left to the caller;
 * the device then needs a new probe (admin queue, virtchnl).
 * @return 0, -ENOTSUP (no AF capability with FLR), -EIO (the FLR bit did
 *   not read back as 0), -errno.
 */
int avf_model_flr(struct avf_model *m);

/* ------------------------------------------------------------------ */
/* Admin queue */

/** Program ATQ/ARQ as iavf_init_adminq() does. Returns 0 or -errno. */
int avf_model_aq_init(struct avf_model *m);
/**
 * iavf_shutdown_adminq(): direct command queue_shutdown (0x0003,
 * driver unloading) when ATQLEN.ENABLE is set, then clear the registers.
 * @return 0, or -ETIMEDOUT when the command was not completed.
 */
int avf_model_aq_shutdown(struct avf_model *m);
/**
 * Place @p desc verbatim in the next ATQ slot, write ATQT and wait up to
 * @p timeout_ms for ATQH to move past it; the written-back descriptor is
 * copied to @p desc. @p buf (if not NULL) is copied into the slot buffer
 * first, but the descriptor's address is used as given.
 * @return 0, -ETIMEDOUT (ATQH did not move), -errno.
 */
int avf_model_aq_send_raw(struct avf_model *m, struct iavf_aq_desc *desc,
		const void *buf, uint16_t buf_len, uint32_t timeout_ms);
/** Slot the next avf_model_aq_send_raw() uses and its buffer IOVA. */
uint16_t avf_model_aq_next_slot(struct avf_model *m, uint64_t *buf_iova);
/**
 * Send a virtchnl message as iavf_aq_send_msg_to_pf() and wait for ATQH
 * to pass it (RESET_VF too, as both drivers do).
 */
int avf_model_vc_send(struct avf_model *m, uint32_t v_opcode,
		const void *msg, uint16_t len);
/**
 * Place a virtchnl message on the ATQ and write ATQT, nothing more: the
 * caller chooses the next register access (reset timing tests).
 */
int avf_model_vc_post(struct avf_model *m, uint32_t v_opcode,
		const void *msg, uint16_t len);
/**
 * Receive the next ARQ message as iavf_clean_arq_element(): read ARQH,
 * copy, re-arm the slot, write ARQT. Events are recorded (link state) and
 * returned too.
 * @return 0, -ETIMEDOUT, -errno.
 */
int avf_model_vc_recv(struct avf_model *m, struct avf_model_msg *msg,
		uint32_t timeout_ms);
/**
 * Send and wait for the reply with the same opcode; events and stray
 * replies on the way are recorded. The reply is in m->reply, its status
 * in m->last_status.
 * @return 0 (reply status 0), -EPROTO (reply with an error status),
 *   -ETIMEDOUT, -errno.
 */
int avf_model_vc_call(struct avf_model *m, uint32_t v_opcode,
		const void *msg, uint16_t len, uint32_t timeout_ms);
/** Process queued ARQ messages (events) for up to @p timeout_ms. */
int avf_model_poll_events(struct avf_model *m, uint32_t timeout_ms);
/** Number of ARQ messages waiting (ARQH - next_to_clean). */
int avf_model_arq_pending(struct avf_model *m);

/* ------------------------------------------------------------------ */
/* virtchnl operations, as Linux iavf builds them */

int avf_model_vc_version(struct avf_model *m);
int avf_model_vc_get_resources(struct avf_model *m, uint32_t caps);
/** Queue vectors 1..n (round robin over num_qp) and a last entry for 0. */
int avf_model_vc_config_irq_map(struct avf_model *m, uint16_t nb_qp);
int avf_model_vc_config_rss(struct avf_model *m);
int avf_model_vc_mac(struct avf_model *m, bool add,
		const struct rte_ether_addr *mac, uint8_t type);
/** CONFIG_VSI_QUEUES for queues 0..nb_qp-1 set up with *_setup(). */
int avf_model_vc_config_queues(struct avf_model *m, uint16_t nb_qp,
		uint32_t max_pkt_size);
int avf_model_vc_queues(struct avf_model *m, bool enable, uint32_t rx_mask,
		uint32_t tx_mask);
int avf_model_vc_promisc(struct avf_model *m, uint16_t flags);
/** ADD_VLAN / DEL_VLAN of one id, as iavf_add_vlans() sends it. */
int avf_model_vc_vlan(struct avf_model *m, bool add, uint16_t vid);
/** ENABLE/DISABLE_VLAN_STRIPPING (no payload). */
int avf_model_vc_vlan_strip(struct avf_model *m, bool enable);
int avf_model_vc_get_stats(struct avf_model *m,
		struct virtchnl_eth_stats *stats);

/**
 * Linux probe: RSTAT handshake, AQ init, VERSION, GET_VF_RESOURCES with
 * @p caps, CONFIG_IRQ_MAP, RSS key/LUT (when RSS_PF granted), vector 0
 * enabled (DYN_CTL01, ICR0_ENA1).
 */
int avf_model_linux_probe(struct avf_model *m, uint32_t caps);
/**
 * Linux open: set up @p nb_qp queue pairs of @p ring_len descriptors,
 * RX tails, ADD_ETH_ADDR, CONFIG_VSI_QUEUES, ENABLE_QUEUES, queue vectors
 * enabled; then wait for LINK_CHANGE up.
 */
int avf_model_linux_open(struct avf_model *m, uint16_t nb_qp,
		uint16_t ring_len);
/** Linux stop: DEL_ETH_ADDR, DISABLE_QUEUES. */
int avf_model_linux_close(struct avf_model *m, uint16_t nb_qp);
/**
 * Linux VF reset task: RESET_VF, poll ARQLEN.ENABLE == 0, RSTAT ==
 * VFACTIVE, AQ re-init, GET_VF_RESOURCES (no VERSION), CONFIG_IRQ_MAP.
 */
int avf_model_linux_reset(struct avf_model *m);
/** Linux remove: RESET_VF, then AQ shutdown (queue_shutdown 0x0003). */
int avf_model_linux_remove(struct avf_model *m);

/* ------------------------------------------------------------------ */
/* Data path */

/**
 * Allocate a TX queue (ring + one buffer per descriptor); a queue set up
 * again with the same geometry gets a zeroed ring in the same memory.
 */
struct avf_model_txq *avf_model_txq_setup(struct avf_model *m, uint16_t qid,
		uint16_t len, uint32_t buf_size);
struct avf_model_rxq *avf_model_rxq_setup(struct avf_model *m, uint16_t qid,
		uint16_t len, uint32_t buf_size);
/** Free TX descriptors (one is always left empty). */
uint16_t avf_model_tx_free(const struct avf_model_txq *q);
/** Buffer of a TX slot (host pointer, IOVA). */
void *avf_model_tx_buf(struct avf_model_txq *q, uint16_t slot,
		uint64_t *iova);
/** Post one data descriptor (RS is tracked for completion). */
int avf_model_tx_data(struct avf_model_txq *q, uint64_t iova, uint16_t len,
		uint32_t cmd, uint32_t offset);
/** Post one data descriptor asking the device to insert a VLAN tag
 * (IL2TAG1, tag in L2TAG1), as Linux iavf_tx_map() does.
 */
int avf_model_tx_data_tag(struct avf_model_txq *q, uint64_t iova,
		uint16_t len, uint32_t cmd, uint32_t offset, uint16_t tag);
/** Post a TSO context descriptor. */
int avf_model_tx_ctx_tso(struct avf_model_txq *q, uint32_t tso_len,
		uint16_t mss);
/** Copy a frame into the next slot's buffer and post it (EOP|RS|ICRC). */
int avf_model_tx_pkt(struct avf_model_txq *q, const void *data,
		uint16_t len);
/** Write QTX_TAIL1 = next_to_use. */
int avf_model_tx_kick(struct avf_model_txq *q);
/** Reclaim completed packets (DTYPE 0xF write-back); returns how many. */
uint16_t avf_model_tx_reap(struct avf_model_txq *q);
/** RX descriptors that can still be posted (one is always left empty). */
uint16_t avf_model_rxq_free(const struct avf_model_rxq *q);
/** Give @p n buffers to the device (read-format descriptors). */
uint16_t avf_model_rx_post(struct avf_model_rxq *q, uint16_t n);
/** Write QRX_TAIL1 = next_to_use. */
int avf_model_rx_kick(struct avf_model_rxq *q);
/**
 * Collect written-back RX descriptors (DD set); each reaped slot becomes
 * free for avf_model_rx_post(). Returns the number reaped.
 */
uint16_t avf_model_rx_reap(struct avf_model_rxq *q,
		struct avf_model_rx_pkt *pkts, uint16_t max);
/** Write DYN_CTLN1(vector-1) (vector >= 1) or DYN_CTL01 (vector 0). */
int avf_model_irq_enable(struct avf_model *m, uint32_t vector);

#ifdef __cplusplus
}
#endif

#endif /* _AVF_GUEST_MODEL_H_ */
