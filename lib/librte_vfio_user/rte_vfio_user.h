/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _RTE_VFIO_USER_H_
#define _RTE_VFIO_USER_H_

/**
 * @file
 * vfio-user server and client library.
 *
 * The server side lets an application emulate a PCI device and serve it to a
 * vfio-user client (e.g. QEMU's ``vfio-user-pci``) over a UNIX socket. The
 * client side lets an application (or a test) drive such a device.
 *
 * Threading and data-path contract (server side):
 *
 * - Each registered device has its own control thread ("vfio-user-<id>"),
 *   which serves that device's socket and client. Every callback of struct
 *   rte_vfio_user_dev_ops and every region access callback of a device runs
 *   on its thread: callbacks of one device never run concurrently, those of
 *   different devices may. A client only ever delays its own device.
 * - ops->lock_dp(dev_id, true) is called before, and lock_dp(dev_id, false)
 *   after, every change of the DMA table or of the IRQ eventfds (DMA_MAP,
 *   DMA_UNMAP, SET_IRQS, DEVICE_RESET, client disconnect, unregister).
 *   The device implements it by stopping its data path (e.g. taking the
 *   access lock of every queue). Data-path threads may then call
 *   rte_vfio_user_iova_to_va(), rte_vfio_user_dma_lookup(),
 *   rte_vfio_user_dma_read(), rte_vfio_user_dma_write() and
 *   rte_vfio_user_irq_trigger() without any lock of their own.
 * - dma_map, dma_unmap, irq_update and reset are delivered inside the
 *   locked window: the device must not take its data-path locks again in
 *   them.
 * - On client disconnect (or on a protocol error that drops the client):
 *   lock_dp(true), reset(RTE_VFIO_USER_RESET_LOST_CONN), dma_unmap for every
 *   mapping, every IRQ eventfd closed, lock_dp(false), disconnected(). A new
 *   client is then accepted on the same socket.
 *
 * The client is not trusted: see the programmer's guide for the limits the
 * server enforces (message sizes, file descriptors, deadlines, deferral).
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 */

#include <stdbool.h>
#include <stdint.h>

#include <linux/vfio.h>

#include <rte_compat.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Number of PCI regions: BAR0-5 (0-5), ROM (6), CONFIG (7), VGA (8). */
#define RTE_VFIO_USER_NUM_REGIONS 9
/** Number of PCI IRQ indexes: INTX, MSI, MSIX, ERR, REQ. */
#define RTE_VFIO_USER_NUM_IRQS 5
/** Maximum number of mmap-able (shared) areas per region. */
#define RTE_VFIO_USER_MAX_MMAP_AREAS 4
/** Maximum number of devices (server) and of clients (client API). */
#define RTE_VFIO_USER_MAX_DEVICES 64
/** Maximum number of simultaneous DMA mappings per device. */
#define RTE_VFIO_USER_MAX_DMA_MAPS 65535
/** Maximum data in one REGION/DMA READ/WRITE message (1 MiB). */
#define RTE_VFIO_USER_MAX_DATA_XFER (1024u * 1024u)

/** Region flag: the client may read the region. */
#define RTE_VFIO_USER_REGION_READ  (1u << 0)
/** Region flag: the client may write the region. */
#define RTE_VFIO_USER_REGION_WRITE (1u << 1)

/** Device flag: advertise VFIO_DEVICE_FLAGS_RESET (DEVICE_RESET allowed). */
#define RTE_VFIO_USER_DEV_RESET    (1u << 0)

/**
 * Trapped region access callback.
 *
 * @param dev_id
 *   Device id returned by rte_vfio_user_register().
 * @param index
 *   Region index (0..RTE_VFIO_USER_NUM_REGIONS-1, never the config space).
 * @param offset
 *   Offset in the region; [offset, offset + count) lies inside the region.
 * @param buf
 *   Data to write, or buffer to fill on a read.
 * @param count
 *   Number of bytes.
 * @param is_write
 *   True for a write.
 * @return
 *   0 on success, -errno on failure (the client then gets an error reply).
 */
typedef int (*rte_vfio_user_region_access_t)(int dev_id, uint32_t index,
		uint64_t offset, void *buf, uint32_t count, bool is_write);

/** An area of a region that the client may mmap (shared memory). */
struct rte_vfio_user_mmap_area {
	uint64_t offset; /**< Offset in the region, page aligned. */
	uint64_t size;   /**< Size, page aligned, non-zero. */
};

/** Description of one device region. */
struct rte_vfio_user_region {
	uint64_t size;   /**< Region size in bytes; 0 means absent. */
	uint32_t flags;  /**< RTE_VFIO_USER_REGION_READ | _WRITE. */
	/** Trapped access callback; NULL: reads return 0, writes ignored. */
	rte_vfio_user_region_access_t access;
	/**
	 * Number of mmap-able areas. When non-zero the library creates one
	 * memfd of the region's size, maps it (see
	 * rte_vfio_user_region_mmap_base()), advertises the areas with a
	 * sparse-mmap capability and passes the fd to the client. Trapped
	 * accesses inside an area are served from that memory.
	 */
	uint32_t nb_mmap_areas;
	/** The mmap-able areas. */
	struct rte_vfio_user_mmap_area mmap_areas[RTE_VFIO_USER_MAX_MMAP_AREAS];
};

/** Why the reset callback is called. */
enum rte_vfio_user_reset_reason {
	RTE_VFIO_USER_RESET_DEVICE,    /**< Client sent DEVICE_RESET. */
	RTE_VFIO_USER_RESET_LOST_CONN, /**< Client disconnected. */
};

/** One DMA mapping given by the client. */
struct rte_vfio_user_dma_map {
	uint64_t iova;  /**< Start of the mapping in the client's DMA space. */
	uint64_t size;  /**< Size in bytes. */
	/** Server address of the mapping; NULL when the client passed no fd. */
	void *va;
	uint32_t prot;  /**< PROT_READ | PROT_WRITE. */
};

/**
 * Whether [iova, iova + len) lies inside a mapping.
 *
 * Every layer compares ranges this way: with inclusive ends and without
 * computing an end address, so a mapping that ends at 2^64 - 1 and lengths
 * near 2^64 never wrap.
 *
 * @param map
 *   The mapping.
 * @param iova
 *   Start of the range.
 * @param len
 *   Length of the range; 0 is never contained.
 * @return
 *   true when the whole range is inside the mapping.
 */
static inline bool
rte_vfio_user_dma_map_contains(const struct rte_vfio_user_dma_map *map,
		uint64_t iova, uint64_t len)
{
	uint64_t off = iova - map->iova;

	return len != 0 && map->size != 0 && iova >= map->iova &&
		off <= map->size - 1 && len - 1 <= map->size - 1 - off;
}

/**
 * Device callbacks. All optional (NULL), all called on the device's
 * control thread. See the file documentation for the lock_dp contract.
 */
struct rte_vfio_user_dev_ops {
	/** A client completed VERSION negotiation. */
	void (*connected)(int dev_id);
	/** The client is gone and every resource it gave has been released. */
	void (*disconnected)(int dev_id);
	/** Reset the device; returning -errno fails a DEVICE_RESET. */
	int (*reset)(int dev_id, enum rte_vfio_user_reset_reason reason);
	/** Stop (lock == true) or restart (false) the data path. */
	void (*lock_dp)(int dev_id, bool lock);
	/** A mapping was added (inside the lock_dp window). */
	void (*dma_map)(int dev_id, const struct rte_vfio_user_dma_map *map);
	/**
	 * A mapping was removed from the DMA table (inside the lock_dp
	 * window); its memory stays mapped until the callback returns.
	 */
	void (*dma_unmap)(int dev_id, const struct rte_vfio_user_dma_map *map);
	/** IRQ fds or mask state of [start, start + count) of index changed. */
	void (*irq_update)(int dev_id, uint32_t index, uint32_t start,
			uint32_t count);
	/** The client wrote [offset, offset + count) of the config space. */
	void (*config_write)(int dev_id, uint32_t offset, uint32_t count);
};

/** Everything the library needs to serve a device. */
struct rte_vfio_user_dev_desc {
	/** RTE_VFIO_USER_DEV_RESET; VFIO_DEVICE_FLAGS_PCI is always set. */
	uint32_t flags;
	/** Regions; index 7 (config space) is ignored, see config below. */
	struct rte_vfio_user_region regions[RTE_VFIO_USER_NUM_REGIONS];
	/** Number of vectors per IRQ index (0 = index unsupported). */
	uint32_t irq_count[RTE_VFIO_USER_NUM_IRQS];
	/** VFIO_IRQ_INFO_* flags per IRQ index. */
	uint32_t irq_flags[RTE_VFIO_USER_NUM_IRQS];
	/** Initial config space contents (config_size bytes). */
	const void *config;
	/** Bits of the config space the client may write (NULL: none). */
	const void *config_wmask;
	/** Config space size: 256 or 4096. */
	uint32_t config_size;
	/** Callbacks (may be NULL). */
	const struct rte_vfio_user_dev_ops *ops;
	/** Opaque pointer for the device, see rte_vfio_user_get_priv(). */
	void *priv;
};

/**
 * Register a device: the library copies its description and sets up its
 * regions (see rte_vfio_user_region_mmap_base()). Nothing is served until
 * rte_vfio_user_start(), so no callback runs before it.
 *
 * @param path
 *   UNIX socket path. A stale socket (nothing listening) will be
 *   replaced; any other existing file is refused.
 * @param desc
 *   Device description, copied by the library.
 * @return
 *   Device id (>= 0) or -errno (-EEXIST: path exists and is not a socket
 *   or a server is listening on it; -ENAMETOOLONG; -EINVAL: bad
 *   description; -ENOSPC: too many devices).
 */
__rte_experimental
int rte_vfio_user_register(const char *path,
		const struct rte_vfio_user_dev_desc *desc);

/**
 * Serve a registered device: start its control thread, then create its
 * socket (mode 0600). Once the socket exists, a client is answered at once
 * and callbacks may run. Must not be called from a device callback.
 *
 * @param dev_id
 *   Device id.
 * @return
 *   0 or -errno (-EEXIST: the path was taken meanwhile; -EALREADY).
 */
__rte_experimental
int rte_vfio_user_start(int dev_id);

/**
 * Disconnect the client (full cleanup with callbacks, on the device's
 * thread), stop the device's thread, close and unlink the socket and free
 * the device. Must not be called from a device callback.
 *
 * @param dev_id
 *   Device id.
 * @return
 *   0 or -errno.
 */
__rte_experimental
int rte_vfio_user_unregister(int dev_id);

/**
 * @param dev_id
 *   Device id.
 * @return
 *   The priv pointer of the device description, or NULL.
 */
__rte_experimental
void *rte_vfio_user_get_priv(int dev_id);

/**
 * The library's live copy of the config space (the device's control
 * thread only).
 *
 * @param dev_id
 *   Device id.
 * @return
 *   Pointer to config_size bytes, or NULL.
 */
__rte_experimental
uint8_t *rte_vfio_user_get_config(int dev_id);

/**
 * The server's mapping of a region's shared memory (regions with mmap areas).
 *
 * @param dev_id
 *   Device id.
 * @param index
 *   Region index.
 * @return
 *   Base address (region size long) or NULL.
 */
__rte_experimental
void *rte_vfio_user_region_mmap_base(int dev_id, uint32_t index);

/**
 * Translate a client DMA address range (lock-free, any thread).
 *
 * @param dev_id
 *   Device id.
 * @param iova
 *   Start address.
 * @param len
 *   Length (non-zero).
 * @param prot
 *   Needed access, PROT_READ and/or PROT_WRITE.
 * @return
 *   Server address of @p iova, or NULL unless [iova, iova + len) lies in one
 *   fd-backed mapping allowing @p prot.
 */
__rte_experimental
void *rte_vfio_user_iova_to_va(int dev_id, uint64_t iova, uint64_t len,
		uint32_t prot);

/**
 * Find the mapping that holds a whole client DMA range (lock-free, any
 * thread, same rules as rte_vfio_user_iova_to_va()).
 *
 * A data path may cache the result and use rte_vfio_user_dma_map_contains()
 * on it until its device reports a change of the DMA table (the dma_map and
 * dma_unmap callbacks, inside the lock_dp window).
 *
 * @param dev_id
 *   Device id.
 * @param iova
 *   Start address.
 * @param len
 *   Length (non-zero).
 * @param prot
 *   Needed access, PROT_READ and/or PROT_WRITE.
 * @param map
 *   Output: the mapping (its va is NULL for an fd-less mapping).
 * @return
 *   0, -ENODEV, -EINVAL (len 0) or -EFAULT (no single mapping holds the
 *   range with @p prot).
 */
__rte_experimental
int rte_vfio_user_dma_lookup(int dev_id, uint64_t iova, uint64_t len,
		uint32_t prot, struct rte_vfio_user_dma_map *map);

/**
 * Copy from client memory. Parts in fd-backed mappings are copied directly;
 * parts in fd-less mappings are fetched with DMA_READ messages, which only
 * the device's control thread may send (each within one deadline).
 *
 * @param dev_id
 *   Device id.
 * @param iova
 *   Source address.
 * @param buf
 *   Destination.
 * @param len
 *   Length.
 * @return
 *   0, -EFAULT (a part is not mapped, nothing copied), -EAGAIN (fd-less part
 *   outside the control thread), -ETIMEDOUT / -EIO / -ENOTCONN (client
 *   failed the DMA_READ), -ENOBUFS (the client sent too many commands
 *   while the DMA_READ waited), -ENODEV.
 */
__rte_experimental
int rte_vfio_user_dma_read(int dev_id, uint64_t iova, void *buf,
		uint64_t len);

/**
 * Copy to client memory; same rules as rte_vfio_user_dma_read().
 *
 * @param dev_id
 *   Device id.
 * @param iova
 *   Destination address.
 * @param buf
 *   Source.
 * @param len
 *   Length.
 * @return
 *   0 or -errno as rte_vfio_user_dma_read().
 */
__rte_experimental
int rte_vfio_user_dma_write(int dev_id, uint64_t iova, const void *buf,
		uint64_t len);

/**
 * Copy out the DMA table.
 *
 * @param dev_id
 *   Device id.
 * @param maps
 *   Output array (may be NULL when max is 0).
 * @param max
 *   Size of @p maps.
 * @return
 *   Number of mappings (may exceed max: only max are copied), or -errno.
 */
__rte_experimental
int rte_vfio_user_get_mem_table(int dev_id, struct rte_vfio_user_dma_map *maps,
		uint32_t max);

/**
 * Signal an interrupt (eventfd write; lock-free, any thread).
 *
 * @param dev_id
 *   Device id.
 * @param index
 *   IRQ index (VFIO_PCI_*_IRQ_INDEX).
 * @param subindex
 *   Vector.
 * @return
 *   0, -EINVAL (out of range), -ENOENT (no eventfd), -errno of write().
 */
__rte_experimental
int rte_vfio_user_irq_trigger(int dev_id, uint32_t index, uint32_t subindex);

/**
 * Query an interrupt vector.
 *
 * @param dev_id
 *   Device id.
 * @param index
 *   IRQ index.
 * @param subindex
 *   Vector.
 * @param has_fd
 *   Set when the client gave an eventfd (may be NULL).
 * @param masked
 *   Set when the client masked the vector (may be NULL).
 * @return
 *   0 or -EINVAL.
 */
__rte_experimental
int rte_vfio_user_irq_get_state(int dev_id, uint32_t index, uint32_t subindex,
		bool *has_fd, bool *masked);

/* ---------------------------------------------------------------- client */

/** Region information as seen by a client. */
struct rte_vfio_user_client_region {
	uint64_t size;   /**< Region size. */
	uint32_t flags;  /**< VFIO_REGION_INFO_FLAG_*. */
	uint64_t offset; /**< mmap offset in fd. */
	int fd;          /**< Region fd owned by the client library, or -1. */
	uint32_t nb_mmap_areas; /**< Number of sparse mmap areas. */
	/** Sparse mmap areas. */
	struct rte_vfio_user_mmap_area mmap_areas[RTE_VFIO_USER_MAX_MMAP_AREAS];
};

/**
 * Connect to a vfio-user server and negotiate the version.
 *
 * All client functions are synchronous and run on the caller's thread;
 * while waiting for a reply they serve DMA_READ/DMA_WRITE requests of the
 * server for fd-less mappings.
 *
 * @param path
 *   Server socket path.
 * @return
 *   Client id (>= 0) or -errno.
 */
__rte_experimental
int rte_vfio_user_client_attach(const char *path);

/**
 * Close the connection and release every resource of the client.
 *
 * @param cid
 *   Client id.
 * @return
 *   0 or -errno.
 */
__rte_experimental
int rte_vfio_user_client_detach(int cid);

/**
 * DEVICE_GET_INFO.
 *
 * @param cid
 *   Client id.
 * @param info
 *   Output.
 * @return
 *   0 or -errno (server errno for an error reply).
 */
__rte_experimental
int rte_vfio_user_client_get_dev_info(int cid, struct vfio_device_info *info);

/**
 * DEVICE_GET_REGION_INFO (with the argsz retry for capabilities).
 *
 * @param cid
 *   Client id.
 * @param index
 *   Region index.
 * @param info
 *   Output; info->fd stays owned by the client library.
 * @return
 *   0 or -errno.
 */
__rte_experimental
int rte_vfio_user_client_get_region_info(int cid, uint32_t index,
		struct rte_vfio_user_client_region *info);

/**
 * Map one sparse mmap area of a region (after get_region_info).
 *
 * @param cid
 *   Client id.
 * @param index
 *   Region index.
 * @param area
 *   Area number.
 * @return
 *   Address of the area (unmapped at detach) or NULL.
 */
__rte_experimental
void *rte_vfio_user_client_region_mmap(int cid, uint32_t index, uint32_t area);

/**
 * DEVICE_GET_IRQ_INFO.
 *
 * @param cid
 *   Client id.
 * @param index
 *   IRQ index.
 * @param info
 *   Output.
 * @return
 *   0 or -errno.
 */
__rte_experimental
int rte_vfio_user_client_get_irq_info(int cid, uint32_t index,
		struct vfio_irq_info *info);

/**
 * DMA_MAP.
 *
 * @param cid
 *   Client id.
 * @param iova
 *   DMA address.
 * @param size
 *   Size.
 * @param prot
 *   PROT_READ | PROT_WRITE.
 * @param fd
 *   File to map (sent, not kept), or -1: the client library then serves
 *   the server's DMA_READ/DMA_WRITE of that range from @p vaddr.
 * @param offset
 *   Offset of the range in @p fd.
 * @param vaddr
 *   Client address of the range (required when fd < 0).
 * @return
 *   0 or -errno.
 */
__rte_experimental
int rte_vfio_user_client_dma_map(int cid, uint64_t iova, uint64_t size,
		uint32_t prot, int fd, uint64_t offset, void *vaddr);

/**
 * DMA_UNMAP.
 *
 * @param cid
 *   Client id.
 * @param iova
 *   DMA address (0 with VFIO_DMA_UNMAP_FLAG_ALL).
 * @param size
 *   Size (0 with VFIO_DMA_UNMAP_FLAG_ALL).
 * @param flags
 *   0 or VFIO_DMA_UNMAP_FLAG_ALL.
 * @return
 *   0 or -errno.
 */
__rte_experimental
int rte_vfio_user_client_dma_unmap(int cid, uint64_t iova, uint64_t size,
		uint32_t flags);

/**
 * DEVICE_SET_IRQS.
 *
 * @param cid
 *   Client id.
 * @param index
 *   IRQ index.
 * @param flags
 *   VFIO_IRQ_SET_DATA_* | VFIO_IRQ_SET_ACTION_*.
 * @param start
 *   First vector.
 * @param count
 *   Number of vectors.
 * @param data
 *   DATA_BOOL: count bytes; DATA_EVENTFD: count ints (all >= 0 to assign,
 *   or NULL to de-assign); DATA_NONE: NULL.
 * @return
 *   0 or -errno.
 */
__rte_experimental
int rte_vfio_user_client_set_irqs(int cid, uint32_t index, uint32_t flags,
		uint32_t start, uint32_t count, const void *data);

/**
 * REGION_READ.
 *
 * @param cid
 *   Client id.
 * @param index
 *   Region index.
 * @param offset
 *   Offset.
 * @param buf
 *   Output.
 * @param count
 *   Bytes.
 * @return
 *   0 or -errno.
 */
__rte_experimental
int rte_vfio_user_client_region_read(int cid, uint32_t index, uint64_t offset,
		void *buf, uint32_t count);

/**
 * REGION_WRITE.
 *
 * @param cid
 *   Client id.
 * @param index
 *   Region index.
 * @param offset
 *   Offset.
 * @param buf
 *   Data.
 * @param count
 *   Bytes.
 * @param posted
 *   Send with NO_REPLY and do not wait.
 * @return
 *   0 or -errno.
 */
__rte_experimental
int rte_vfio_user_client_region_write(int cid, uint32_t index, uint64_t offset,
		const void *buf, uint32_t count, bool posted);

/**
 * DEVICE_RESET.
 *
 * @param cid
 *   Client id.
 * @return
 *   0 or -errno.
 */
__rte_experimental
int rte_vfio_user_client_reset(int cid);

/**
 * Serve server->client requests (DMA_READ/DMA_WRITE) pending on the socket.
 *
 * @param cid
 *   Client id.
 * @param timeout_ms
 *   Time to wait for the first request (0: do not wait).
 * @return
 *   Number of requests served, or -errno (-ENOTCONN: server closed).
 */
__rte_experimental
int rte_vfio_user_client_poll(int cid, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* _RTE_VFIO_USER_H_ */
