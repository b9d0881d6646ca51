/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_MSG_H_
#define _VFIO_USER_MSG_H_

/*
 * vfio-user wire format (QEMU docs/interop/vfio-user.rst, protocol 0.0).
 * "all data is in the endianness of the host system".
 *
 * Every field of these structures is at its natural alignment, so they
 * have the wire layout without packing (checked at the end of this file);
 * messages are copied in and out with memcpy(), never accessed in place
 * at an unaligned offset.
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "rte_vfio_user.h"

enum vfio_user_command {
	VFIO_USER_VERSION = 1,
	VFIO_USER_DMA_MAP = 2,
	VFIO_USER_DMA_UNMAP = 3,
	VFIO_USER_DEVICE_GET_INFO = 4,
	VFIO_USER_DEVICE_GET_REGION_INFO = 5,
	VFIO_USER_DEVICE_GET_REGION_IO_FDS = 6,
	VFIO_USER_DEVICE_GET_IRQ_INFO = 7,
	VFIO_USER_DEVICE_SET_IRQS = 8,
	VFIO_USER_REGION_READ = 9,
	VFIO_USER_REGION_WRITE = 10,
	VFIO_USER_DMA_READ = 11,
	VFIO_USER_DMA_WRITE = 12,
	VFIO_USER_DEVICE_RESET = 13,
	VFIO_USER_DIRTY_PAGES = 14,	/* legacy, not in the current spec */
	VFIO_USER_REGION_WRITE_MULTI = 15,
	VFIO_USER_DEVICE_FEATURE = 16,
	VFIO_USER_MIG_DATA_READ = 17,
	VFIO_USER_MIG_DATA_WRITE = 18,
	VFIO_USER_MAX_COMMAND,
};

/* Header flags: bits 0-3 type, bit 4 No_reply, bit 5 Error. */
#define VFIO_USER_F_TYPE_MASK	0xfu
#define VFIO_USER_F_TYPE_CMD	0x0u
#define VFIO_USER_F_TYPE_REPLY	0x1u
#define VFIO_USER_F_NO_REPLY	(1u << 4)
#define VFIO_USER_F_ERROR	(1u << 5)

struct vfio_user_hdr {
	uint16_t msg_id;
	uint16_t cmd;
	uint32_t size;		/* whole message, header included */
	uint32_t flags;
	uint32_t error;		/* errno, valid with VFIO_USER_F_ERROR */
};

/* VERSION: payload = major, minor, optional NUL-terminated JSON. */
struct vfio_user_version {
	uint16_t major;
	uint16_t minor;
	char caps[];
};

#define VFIO_USER_MAJOR 0
#define VFIO_USER_MINOR 0

/* DMA_MAP (struct vfio_iommu_type1_dma_map shape). */
#define VFIO_USER_DMA_F_READ	(1u << 0)
#define VFIO_USER_DMA_F_WRITE	(1u << 1)
struct vfio_user_dma_map_msg {
	uint32_t argsz;
	uint32_t flags;
	uint64_t offset;	/* file offset of the fd, 0 without fd */
	uint64_t addr;
	uint64_t size;
};

/* DMA_UNMAP; reply echoes this entry. */
struct vfio_user_dma_unmap_msg {
	uint32_t argsz;
	uint32_t flags;		/* VFIO_DMA_UNMAP_FLAG_ALL (QEMU) */
	uint64_t addr;
	uint64_t size;
};

/* REGION_READ / REGION_WRITE. */
struct vfio_user_region_rw {
	uint64_t offset;
	uint32_t region;
	uint32_t count;
	uint8_t data[];
};

/*
 * DMA_READ / DMA_WRITE (server -> client).
 *
 * The spec and libvfio-user use {u64 address; u64 count; data}. QEMU 11
 * (hw/vfio-user/protocol.h VFIOUserDMARW, handled in hw/vfio-user/pci.c)
 * uses {u64 offset; u32 count; char data[]}: data starts at payload
 * offset 12, the request must be at least sizeof(VFIOUserDMARW) = 32 bytes
 * long, a DMA_WRITE must carry count <= size - 32 bytes, and the DMA_READ
 * reply is count + 32 bytes long with the data at payload offset 12. QEMU is
 * the client that matters, so this library follows QEMU: data at payload
 * offset 12, and every message is padded to 32 + count bytes. A count
 * written as u32 at payload offset 8 is also the low half of the spec's
 * u64 count on little-endian hosts, so the request header itself is
 * compatible with both.
 */
struct vfio_user_dma_rw {
	uint64_t addr;
	uint32_t count;
	uint8_t data[];
};
#define VFIO_USER_DMA_RW_HDR	12u	/* payload bytes before data */
#define VFIO_USER_DMA_RW_PAD	4u	/* trailing pad QEMU expects */

/* DEVICE_FEATURE header (only parsed to reject). */
struct vfio_user_device_feature {
	uint32_t argsz;
	uint32_t flags;
};

/* Payload sizes of fixed-size requests (header excluded). */
#define VFIO_USER_DEV_INFO_SZ		16u
#define VFIO_USER_REGION_INFO_SZ	32u
#define VFIO_USER_IRQ_INFO_SZ		16u
#define VFIO_USER_IRQ_SET_SZ		20u

#define VFIO_USER_HDR_SZ	((uint32_t)sizeof(struct vfio_user_hdr))

static_assert(sizeof(struct vfio_user_hdr) == 16, "vfio-user header");
static_assert(sizeof(struct vfio_user_version) == 4, "VERSION");
static_assert(sizeof(struct vfio_user_dma_map_msg) == 32, "DMA_MAP");
static_assert(sizeof(struct vfio_user_dma_unmap_msg) == 24, "DMA_UNMAP");
static_assert(sizeof(struct vfio_user_region_rw) == 16, "REGION_READ/WRITE");
static_assert(offsetof(struct vfio_user_dma_rw, data) == VFIO_USER_DMA_RW_HDR,
	"DMA_READ/WRITE");
static_assert(sizeof(struct vfio_user_device_feature) == 8, "DEVICE_FEATURE");

/* Messages never exceed this (data + the largest fixed part). */
#define VFIO_USER_MAX_MSG_SIZE	(RTE_VFIO_USER_MAX_DATA_XFER + 4096u)
/* fds this library can receive per message (advertised max_msg_fds). */
#define VFIO_USER_MAX_MSG_FDS	8u
/* fds accepted in one message before it is flagged truncated (QEMU's
 * max is 16); more are closed on arrival.
 */
#define VFIO_USER_RECV_FDS	16u
/* DMA page size advertised in pgsizes. */
#define VFIO_USER_PGSIZE	4096u
/* Largest VERSION capability string accepted (NUL included); QEMU's is
 * about 200 bytes.
 */
#define VFIO_USER_CAPS_MAX_LEN	4096u
/* Smallest max_data_xfer_size a peer may announce: one page, so a 4 KiB
 * transfer never becomes thousands of round trips.
 */
#define VFIO_USER_MIN_XFER	VFIO_USER_PGSIZE

#endif /* _VFIO_USER_MSG_H_ */
