/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Fuzz target emu_iavf_aq: a hostile guest driver on the control plane of
 * an emulated AVF (emu_iavf): virtchnl messages and admin queue
 * descriptors, BAR0 register accesses, config space writes and resets.
 *
 * Set-up (once): two emu_iavf devices, doorbell=shared (0) and
 * doorbell=trapped (1), each with a client attached through the test guest
 * model (app/test/avf_guest_model.c): 1 MiB of memfd guest memory DMA-mapped
 * at AQ_MEM_IOVA, a 64 KiB fd-less window at AQ_MSG_IOVA (served with
 * DMA_READ/WRITE messages), PCI enabled, one eventfd per MSI-X vector.
 *
 * Per input the device gets a function reset, PCI memory, bus master and
 * MSI-X are enabled again (the device's config-write path, as the vfio-user
 * library runs it) and, as the header asks, the driver programs the admin
 * queue and activates the VF. BAR0 accesses call the device's region
 * callback on this thread, as the library's control thread would (it is
 * idle: nothing is in flight on the socket); accesses to the shared
 * doorbell page go to the client's mapping of it. Config space writes,
 * DEVICE_RESET and "slow" BAR0 writes use the socket (a few per input):
 * only these reach guest memory that has no fd (DMA_READ/WRITE messages).
 * After every admin queue command the driver cleans the ARQ as
 * iavf_clean_arq_element() does, so replies keep flowing.
 *
 * Input: a header byte (bit 0: device; bits 1-2: start state, see
 * aq_start), then operations until the input ends (see enum aq_op; fields
 * are little endian, missing bytes read as 0).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/pci_regs.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_eal.h>

#include "iavf_emu.h"
#include "avf_guest_model.h"
#include "fuzz_common.h"

#define AQ_NAME		"emu_iavf_aq"
#define AQ_NB_DEV	2
#define AQ_QUEUES	4
#define AQ_MEM_SIZE	(1ULL << 20)
#define AQ_MEM_IOVA	AVF_MODEL_MEM_IOVA
#define AQ_MSG_SIZE	(64ULL << 10)
#define AQ_MSG_IOVA	0x180000000ULL
#define AQ_MAX_OPS	256
#define AQ_SOCK_OPS	8	/* socket round trips per input */
#define AQ_RING_LEN	AVF_MODEL_AQ_LEN

/* The DPDK net_iavf 22.11 capability request (iavf_get_vf_resource()). */
#define AQ_DPDK_CAPS (VIRTCHNL_VF_OFFLOAD_L2 | VIRTCHNL_VF_OFFLOAD_VLAN | \
	VIRTCHNL_VF_OFFLOAD_RSS_PF | VIRTCHNL_VF_OFFLOAD_WB_ON_ITR | \
	VIRTCHNL_VF_OFFLOAD_RX_POLLING | VIRTCHNL_VF_CAP_ADV_LINK_SPEED | \
	VIRTCHNL_VF_OFFLOAD_RX_FLEX_DESC | VIRTCHNL_VF_OFFLOAD_FDIR_PF | \
	VIRTCHNL_VF_OFFLOAD_ADV_RSS_PF | VIRTCHNL_VF_OFFLOAD_REQ_QUEUES | \
	VIRTCHNL_VF_OFFLOAD_CRC | VIRTCHNL_VF_OFFLOAD_VLAN_V2 | \
	VIRTCHNL_VF_LARGE_NUM_QPAIRS | VIRTCHNL_VF_OFFLOAD_QOS)

enum aq_op {
	AQ_OP_VC,	/* u8 op (table index, else u32 follows), u16 len, data */
	AQ_OP_DESC,	/* raw descriptor + buffer, see aq_op_desc() */
	AQ_OP_WR,	/* BAR0 write: u8 reg, u8 size, u64 value */
	AQ_OP_RD,	/* BAR0 read: u8 reg, u8 size */
	AQ_OP_BASE,	/* program ATQ/ARQ base/len, see aq_op_base() */
	AQ_OP_ARQ,	/* the driver re-arms an ARQ slot its own way */
	AQ_OP_MEM,	/* u32 offset, u8 len, data: write guest memory */
	AQ_OP_CFG,	/* config write (socket): u8 off, u8 size, u32 value */
	AQ_OP_SOCK_WR,	/* BAR0 write through the socket: as AQ_OP_WR */
	AQ_OP_RESET,	/* DEVICE_RESET (socket) */
	AQ_OP_LINK,	/* backend link change: u8 up, u32 Mbps */
	AQ_OP_INIT,	/* u8: driver re-initialises the AQ (+ activates VF) */
	AQ_OP_MAX
};

/* Start states (header bits 1-2). */
enum aq_start {
	AQ_START_AQ,		/* admin queue programmed */
	AQ_START_LINUX,		/* + VERSION, GET_VF_RESOURCES (Linux caps) */
	AQ_START_RAW,		/* nothing after the reset */
	AQ_START_DPDK,		/* + VERSION, GET_VF_RESOURCES (DPDK caps) */
};

struct aq_dev {
	struct avf_model m;
	struct iavf_emu_dev *dev;
	int vfu;
	bool shared_db;
	uint16_t atq_ntu;	/* driver: next ATQ slot */
	uint16_t arq_ntc;	/* driver: next ARQ slot to clean */
	uint64_t dirty_lo;	/* guest memory written by the input */
	uint64_t dirty_hi;
	bool msg_dirty;
	unsigned int sock_ops;	/* socket round trips left */
};

static struct aq_dev aq_devs[AQ_NB_DEV];

static const uint32_t aq_vc_ops[] = {
	VIRTCHNL_OP_VERSION, VIRTCHNL_OP_RESET_VF,
	VIRTCHNL_OP_GET_VF_RESOURCES, VIRTCHNL_OP_CONFIG_TX_QUEUE,
	VIRTCHNL_OP_CONFIG_RX_QUEUE, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
	VIRTCHNL_OP_CONFIG_IRQ_MAP, VIRTCHNL_OP_ENABLE_QUEUES,
	VIRTCHNL_OP_DISABLE_QUEUES, VIRTCHNL_OP_ADD_ETH_ADDR,
	VIRTCHNL_OP_DEL_ETH_ADDR, VIRTCHNL_OP_ADD_VLAN, VIRTCHNL_OP_DEL_VLAN,
	VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE, VIRTCHNL_OP_GET_STATS,
	VIRTCHNL_OP_EVENT, VIRTCHNL_OP_CONFIG_RSS_KEY,
	VIRTCHNL_OP_CONFIG_RSS_LUT, VIRTCHNL_OP_GET_RSS_HENA_CAPS,
	VIRTCHNL_OP_SET_RSS_HENA, VIRTCHNL_OP_ENABLE_VLAN_STRIPPING,
	VIRTCHNL_OP_REQUEST_QUEUES, VIRTCHNL_OP_GET_SUPPORTED_RXDIDS,
	VIRTCHNL_OP_ADD_RSS_CFG, VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS,
	VIRTCHNL_OP_UNKNOWN,
};

static const uint32_t aq_regs[] = {
	IAVF_VF_ATQBAL1, IAVF_VF_ATQBAH1, IAVF_VF_ATQLEN1, IAVF_VF_ATQH1,
	IAVF_VF_ATQT1, IAVF_VF_ARQBAL1, IAVF_VF_ARQBAH1, IAVF_VF_ARQLEN1,
	IAVF_VF_ARQH1, IAVF_VF_ARQT1, IAVF_VFGEN_RSTAT, IAVF_VFINT_ICR01,
	IAVF_VFINT_ICR0_ENA1, IAVF_VFINT_DYN_CTL01, IAVF_VFINT_ITR01(0),
	IAVF_VFINT_ITR01(2), IAVF_VFINT_STAT_CTL01, IAVF_VFQF_HENA(0),
	IAVF_VFQF_HENA(1), IAVF_VFQF_HKEY(0), IAVF_VFQF_HKEY(12),
	IAVF_VFQF_HLUT(0), IAVF_VFQF_HLUT(15), IAVF_QTX_TAIL1(0),
	IAVF_QTX_TAIL1(3), IAVF_QRX_TAIL1(0), IAVF_QRX_TAIL1(3),
	IAVF_VFINT_DYN_CTLN1(0), IAVF_VFINT_DYN_CTLN1(3),
	IAVF_VFINT_ITRN1(0, 0), IAVF_VFINT_ITRN1(2, 3),
};

/* ------------------------------------------------------------ BAR0 */

/* What the vfio-user library does with a BAR0 REGION_READ/WRITE. */
static void
bar0_rw(struct aq_dev *d, uint64_t off, void *buf, uint32_t count,
		bool write)
{
	uint8_t *p = buf;
	uint32_t n;

	if (!write)
		memset(buf, 0, count);
	/* check_rw(): the whole access inside the region */
	if (count == 0 || off > IAVF_EMU_BAR0_SIZE ||
	    count > IAVF_EMU_BAR0_SIZE - off)
		return;
	while (count > 0) {
		if (d->shared_db && off < IAVF_EMU_DB_SIZE) {
			/* the client's mapping of the doorbell page */
			uint8_t *db = (uint8_t *)(uintptr_t)d->m.db;

			n = RTE_MIN(count, (uint32_t)(IAVF_EMU_DB_SIZE - off));
			if (write)
				memcpy(db + off, p, n);
			else
				memcpy(p, db + off, n);
		} else {
			n = count;
			iavf_emu_vfu_bar0_access(d->vfu,
				VFIO_PCI_BAR0_REGION_INDEX, off, p, n, write);
		}
		off += n;
		p += n;
		count -= n;
	}
}

static void
aq_wr32(struct aq_dev *d, uint32_t off, uint32_t val)
{
	val = rte_cpu_to_le_32(val);
	bar0_rw(d, off, &val, sizeof(val), true);
}

static uint32_t
aq_rd32(struct aq_dev *d, uint32_t off)
{
	uint32_t val;

	bar0_rw(d, off, &val, sizeof(val), false);
	return rte_le_to_cpu_32(val);
}

/* The library's config write: writable bits only, then the callback. */
static void
cfg_write_direct(struct aq_dev *d, uint32_t off, const void *buf,
		uint32_t len)
{
	uint8_t *c = rte_vfio_user_get_config(d->vfu);
	const uint8_t *v = buf;
	uint32_t i;

	for (i = 0; i < len; i++) {
		uint8_t mask = d->dev->config_wmask[off + i];

		c[off + i] = (c[off + i] & ~mask) | (v[i] & mask);
	}
	iavf_emu_vfu_config_write(d->vfu, off, len);
}

/* ------------------------------------------------------ guest memory */

/* Host address of [iova, iova + *len) in guest memory; *len is clipped. */
static uint8_t *
guest_va(struct aq_dev *d, uint64_t iova, uint32_t *len)
{
	uint64_t off;

	if (iova >= AQ_MEM_IOVA && iova - AQ_MEM_IOVA < AQ_MEM_SIZE) {
		off = iova - AQ_MEM_IOVA;
		*len = RTE_MIN((uint64_t)*len, AQ_MEM_SIZE - off);
		d->dirty_lo = RTE_MIN(d->dirty_lo, off);
		d->dirty_hi = RTE_MAX(d->dirty_hi, off + *len);
		return d->m.mem + off;
	}
	if (iova >= AQ_MSG_IOVA && iova - AQ_MSG_IOVA < AQ_MSG_SIZE) {
		off = iova - AQ_MSG_IOVA;
		*len = RTE_MIN((uint64_t)*len, AQ_MSG_SIZE - off);
		d->msg_dirty = true;
		return d->m.msg_mem + off;
	}
	*len = 0;
	return NULL;
}

/* Copy len input bytes to guest address iova, as far as it is memory. */
static void
guest_fill(struct aq_dev *d, struct fz_in *in, uint64_t iova, uint32_t len)
{
	uint32_t n = len;
	uint8_t *va = guest_va(d, iova, &n);

	if (va != NULL)
		fz_bytes(in, va, n);
	fz_skip(in, len - n);	/* the rest is consumed all the same */
}

/*
 * An address for a descriptor or a base register: mode picks the area,
 * raw is the address (mode 0) or an offset.
 */
static uint64_t
aq_addr(uint8_t mode, uint64_t raw, uint64_t deflt)
{
	uint32_t off = (uint32_t)raw;

	switch (mode % 8) {
	case 0:
		return raw;
	case 1:	/* guest memory */
		return AQ_MEM_IOVA + off % AQ_MEM_SIZE;
	case 2:	/* fd-less window */
		return AQ_MSG_IOVA + off % AQ_MSG_SIZE;
	case 3:	/* across the end of guest memory */
		return AQ_MEM_IOVA + AQ_MEM_SIZE - 1 - off % 128;
	case 4:	/* across the end of the fd-less window */
		return AQ_MSG_IOVA + AQ_MSG_SIZE - 1 - off % 128;
	case 5:	/* just before guest memory */
		return AQ_MEM_IOVA - 1 - off % 128;
	case 6:	/* wrapping at 2^64 */
		return UINT64_MAX - off % 4096;
	default:
		return deflt;
	}
}

/* ------------------------------------------------------ admin queue */

static void
arq_arm(struct aq_dev *d, uint16_t i)
{
	struct iavf_aq_desc *desc = &d->m.arq.desc[i];

	memset(desc, 0, sizeof(*desc));
	desc->flags = rte_cpu_to_le_16(IAVF_AQ_FLAG_BUF | IAVF_AQ_FLAG_LB);
	desc->datalen = rte_cpu_to_le_16(AVF_MODEL_AQ_BUF_SIZE);
	desc->params.external.addr_high =
		rte_cpu_to_le_32((uint32_t)(d->m.arq.buf_iova[i] >> 32));
	desc->params.external.addr_low =
		rte_cpu_to_le_32((uint32_t)d->m.arq.buf_iova[i]);
}

/*
 * iavf_clean_arq_element() for every message the device posted, while the
 * ARQ is enabled (a driver that finds it disabled handles a reset first).
 */
static void
arq_clean(struct aq_dev *d)
{
	unsigned int n;
	uint32_t head;

	for (n = 0; n < 2 * AQ_RING_LEN; n++) {
		if (!(aq_rd32(d, IAVF_VF_ARQLEN1) &
		      IAVF_VF_ARQLEN1_ARQENABLE_MASK))
			return;
		head = aq_rd32(d, IAVF_VF_ARQH1) & IAVF_VF_ARQH1_ARQH_MASK;
		if (head == d->arq_ntc || head >= AQ_RING_LEN)
			return;
		FZ_DEBUG("ARQ %u: virtchnl op %u status %d, %u bytes\n",
			 d->arq_ntc,
			 rte_le_to_cpu_32(d->m.arq.desc[d->arq_ntc].cookie_high),
			 (int32_t)rte_le_to_cpu_32(
				d->m.arq.desc[d->arq_ntc].cookie_low),
			 rte_le_to_cpu_16(d->m.arq.desc[d->arq_ntc].datalen));
		arq_arm(d, d->arq_ntc);
		aq_wr32(d, IAVF_VF_ARQT1, d->arq_ntc);
		d->arq_ntc = (d->arq_ntc + 1) % AQ_RING_LEN;
	}
}

/* Place desc in the next ATQ slot, bump the tail, clean the ARQ. */
static void
atq_post(struct aq_dev *d, const struct iavf_aq_desc *desc, bool raw_tail,
		uint32_t tail)
{
	memcpy(&d->m.atq.desc[d->atq_ntu], desc, sizeof(*desc));
	d->atq_ntu = (d->atq_ntu + 1) % AQ_RING_LEN;
	aq_wr32(d, IAVF_VF_ATQT1, raw_tail ? tail : d->atq_ntu);
	arq_clean(d);
}

/* iavf_aq_send_msg_to_pf() with the message in the slot's buffer. */
static void
vc_send(struct aq_dev *d, uint32_t v_op, struct fz_in *in, const void *msg,
		uint16_t len)
{
	struct iavf_aq_desc desc;
	uint64_t biova = d->m.atq.buf_iova[d->atq_ntu];
	uint8_t *buf = d->m.atq.buf[d->atq_ntu];
	uint16_t n = RTE_MIN(len, (uint16_t)AVF_MODEL_AQ_BUF_SIZE);

	if (in != NULL)
		fz_bytes(in, buf, n);
	else
		memcpy(buf, msg, n);
	memset(&desc, 0, sizeof(desc));
	desc.opcode = rte_cpu_to_le_16(iavf_aqc_opc_send_msg_to_pf);
	desc.flags = rte_cpu_to_le_16(IAVF_AQ_FLAG_SI);
	desc.cookie_high = rte_cpu_to_le_32(v_op);
	if (len != 0) {
		desc.flags |= rte_cpu_to_le_16(IAVF_AQ_FLAG_BUF |
			IAVF_AQ_FLAG_RD |
			(len > IAVF_AQ_LARGE_BUF ? IAVF_AQ_FLAG_LB : 0));
		desc.datalen = rte_cpu_to_le_16(len);
		desc.params.external.addr_high =
			rte_cpu_to_le_32((uint32_t)(biova >> 32));
		desc.params.external.addr_low =
			rte_cpu_to_le_32((uint32_t)biova);
	}
	atq_post(d, &desc, false, 0);
}

/* iavf_init_adminq(): both rings at the model's addresses. */
static void
aq_init(struct aq_dev *d)
{
	uint16_t i;

	memset(d->m.atq.desc, 0, AQ_RING_LEN * sizeof(struct iavf_aq_desc));
	d->atq_ntu = 0;
	aq_wr32(d, IAVF_VF_ATQH1, 0);
	aq_wr32(d, IAVF_VF_ATQT1, 0);
	aq_wr32(d, IAVF_VF_ATQLEN1, AQ_RING_LEN | IAVF_VF_ATQLEN1_ATQENABLE_MASK);
	aq_wr32(d, IAVF_VF_ATQBAL1, (uint32_t)d->m.atq.desc_iova);
	aq_wr32(d, IAVF_VF_ATQBAH1, (uint32_t)(d->m.atq.desc_iova >> 32));
	for (i = 0; i < AQ_RING_LEN; i++)
		arq_arm(d, i);
	d->arq_ntc = 0;
	aq_wr32(d, IAVF_VF_ARQH1, 0);
	aq_wr32(d, IAVF_VF_ARQT1, 0);
	aq_wr32(d, IAVF_VF_ARQLEN1, AQ_RING_LEN | IAVF_VF_ARQLEN1_ARQENABLE_MASK);
	aq_wr32(d, IAVF_VF_ARQBAL1, (uint32_t)d->m.arq.desc_iova);
	aq_wr32(d, IAVF_VF_ARQBAH1, (uint32_t)(d->m.arq.desc_iova >> 32));
	aq_wr32(d, IAVF_VF_ARQT1, AQ_RING_LEN - 1);
}

/* VERSION and GET_VF_RESOURCES, then vector 0 on (iavf_misc_irq_enable). */
static void
aq_activate(struct aq_dev *d, uint32_t caps)
{
	struct virtchnl_version_info ver = {
		.major = VIRTCHNL_VERSION_MAJOR,
		.minor = VIRTCHNL_VERSION_MINOR,
	};

	vc_send(d, VIRTCHNL_OP_VERSION, NULL, &ver, sizeof(ver));
	vc_send(d, VIRTCHNL_OP_GET_VF_RESOURCES, NULL, &caps, sizeof(caps));
	aq_wr32(d, IAVF_VFINT_DYN_CTL01, IAVF_VFINT_DYN_CTL01_INTENA_MASK |
	     IAVF_VFINT_DYN_CTL01_ITR_INDX_MASK);
	aq_wr32(d, IAVF_VFINT_ICR0_ENA1, IAVF_VFINT_ICR0_ENA1_ADMINQ_MASK);
}

/* ------------------------------------------------------- operations */

static void
aq_op_vc(struct aq_dev *d, struct fz_in *in)
{
	uint8_t sel = fz_u8(in);
	uint32_t op = sel < RTE_DIM(aq_vc_ops) ? aq_vc_ops[sel] : fz_u32(in);
	/* up to a little more than the 4 KiB the device takes */
	uint16_t len = fz_u16(in) % (AVF_MODEL_AQ_BUF_SIZE + 64);

	vc_send(d, op, in, NULL, len);
}

/*
 * u16 flags, u16 opcode, u16 datalen, u16 retval, u32 cookie_high,
 * u32 cookie_low, u32 param0, u32 param1, u8 address mode, u64 address,
 * u16 data length + data (written at the address), u8 tail mode
 * (0: next slot, else u16 tail value follows).
 */
static void
aq_op_desc(struct aq_dev *d, struct fz_in *in)
{
	uint64_t slot_buf = d->m.atq.buf_iova[d->atq_ntu];
	struct iavf_aq_desc desc;
	uint64_t addr;
	uint16_t dlen;
	uint8_t mode, tmode;

	memset(&desc, 0, sizeof(desc));
	desc.flags = rte_cpu_to_le_16(fz_u16(in));
	desc.opcode = rte_cpu_to_le_16(fz_u16(in));
	desc.datalen = rte_cpu_to_le_16(fz_u16(in));
	desc.retval = rte_cpu_to_le_16(fz_u16(in));
	desc.cookie_high = rte_cpu_to_le_32(fz_u32(in));
	desc.cookie_low = rte_cpu_to_le_32(fz_u32(in));
	desc.params.external.param0 = rte_cpu_to_le_32(fz_u32(in));
	desc.params.external.param1 = rte_cpu_to_le_32(fz_u32(in));
	mode = fz_u8(in);
	addr = aq_addr(mode, fz_u64(in), slot_buf);
	desc.params.external.addr_high = rte_cpu_to_le_32((uint32_t)(addr >> 32));
	desc.params.external.addr_low = rte_cpu_to_le_32((uint32_t)addr);
	dlen = fz_u16(in) % (AVF_MODEL_AQ_BUF_SIZE + 1);
	guest_fill(d, in, addr, dlen);
	tmode = fz_u8(in);
	atq_post(d, &desc, tmode != 0, tmode != 0 ? fz_u16(in) : 0);
}

static uint32_t
aq_reg(struct fz_in *in)
{
	uint8_t sel = fz_u8(in);

	return sel < RTE_DIM(aq_regs) ? aq_regs[sel] : fz_u16(in);
}

/* 4 bytes mostly, 8, or any size up to 16 */
static uint32_t
aq_size(struct fz_in *in)
{
	uint8_t s = fz_u8(in);

	if (s < 0xc0)
		return 4;
	if (s < 0xe0)
		return 8;
	return s % 17;
}

static void
aq_op_rw(struct aq_dev *d, struct fz_in *in, bool write, bool sock)
{
	uint32_t off = aq_reg(in);
	uint32_t size = aq_size(in);
	uint8_t buf[16];
	uint64_t v;

	memset(buf, 0, sizeof(buf));
	if (write) {
		v = fz_u64(in);
		memcpy(buf, &v, sizeof(v));
		if (size > sizeof(v))
			fz_bytes(in, buf + sizeof(v), size - sizeof(v));
	}
	if (!sock) {
		bar0_rw(d, off, buf, size, write);
	} else if (d->sock_ops > 0) {
		d->sock_ops--;
		rte_vfio_user_client_region_write(d->m.cid,
			VFIO_PCI_BAR0_REGION_INDEX, off, buf, size, false);
	}
	if (write)
		arq_clean(d);
}

/*
 * u8 queue (bit 0: ARQ) and flags (bit 1: head and tail to 0, bit 2:
 * queue disabled), u8 address mode, u64 address, u16 length field.
 */
static void
aq_op_base(struct aq_dev *d, struct fz_in *in)
{
	uint8_t f = fz_u8(in);
	uint8_t mode = fz_u8(in);
	bool arq = f & 1;
	uint64_t base = aq_addr(mode, fz_u64(in),
				arq ? d->m.arq.desc_iova : d->m.atq.desc_iova);
	uint32_t len = fz_u16(in);

	if (!(f & 4))
		len |= IAVF_VF_ATQLEN1_ATQENABLE_MASK;
	if (f & 2) {
		aq_wr32(d, arq ? IAVF_VF_ARQH1 : IAVF_VF_ATQH1, 0);
		aq_wr32(d, arq ? IAVF_VF_ARQT1 : IAVF_VF_ATQT1, 0);
		if (arq)
			d->arq_ntc = 0;
		else
			d->atq_ntu = 0;
	}
	aq_wr32(d, arq ? IAVF_VF_ARQLEN1 : IAVF_VF_ATQLEN1, len);
	aq_wr32(d, arq ? IAVF_VF_ARQBAL1 : IAVF_VF_ATQBAL1, (uint32_t)base);
	aq_wr32(d, arq ? IAVF_VF_ARQBAH1 : IAVF_VF_ATQBAH1,
	     (uint32_t)(base >> 32));
}

/*
 * u8 slot, u16 flags, u16 datalen, u8 address mode, u64 address,
 * u8 tail mode (0: none, 1: slot, else u16 value follows).
 */
static void
aq_op_arq(struct aq_dev *d, struct fz_in *in)
{
	uint16_t slot = fz_u8(in) % AQ_RING_LEN;
	struct iavf_aq_desc *desc = &d->m.arq.desc[slot];
	uint16_t flags = fz_u16(in);
	uint16_t dlen = fz_u16(in);
	uint8_t mode = fz_u8(in);
	uint64_t addr = aq_addr(mode, fz_u64(in), d->m.arq.buf_iova[slot]);
	uint8_t tmode;

	memset(desc, 0, sizeof(*desc));
	desc->flags = rte_cpu_to_le_16(flags);
	desc->datalen = rte_cpu_to_le_16(dlen);
	desc->params.external.addr_high = rte_cpu_to_le_32((uint32_t)(addr >> 32));
	desc->params.external.addr_low = rte_cpu_to_le_32((uint32_t)addr);
	tmode = fz_u8(in);
	if (tmode == 1)
		aq_wr32(d, IAVF_VF_ARQT1, slot);
	else if (tmode > 1)
		aq_wr32(d, IAVF_VF_ARQT1, fz_u16(in));
}

static void
aq_op_mem(struct aq_dev *d, struct fz_in *in)
{
	uint32_t off = fz_u32(in) % (AQ_MEM_SIZE + AQ_MSG_SIZE);
	uint64_t iova = off < AQ_MEM_SIZE ? AQ_MEM_IOVA + off :
		AQ_MSG_IOVA + (off - AQ_MEM_SIZE);

	guest_fill(d, in, iova, fz_u8(in));
}

static void
aq_op_cfg(struct aq_dev *d, struct fz_in *in)
{
	uint8_t off = fz_u8(in);
	uint8_t s = fz_u8(in);
	uint32_t v = fz_u32(in);
	uint32_t size = s < 0x80 ? 2 : s < 0xc0 ? 1 : s < 0xe0 ? 4 : s % 9;

	if (d->sock_ops == 0)
		return;
	d->sock_ops--;
	rte_vfio_user_client_region_write(d->m.cid,
		VFIO_PCI_CONFIG_REGION_INDEX, off, &v,
		RTE_MIN(size, (uint32_t)sizeof(v)), false);
	arq_clean(d);
}

static void
aq_op(struct aq_dev *d, struct fz_in *in)
{
	uint8_t op = fz_u8(in) % AQ_OP_MAX;
	uint8_t v;

	switch (op) {
	case AQ_OP_VC:
		aq_op_vc(d, in);
		break;
	case AQ_OP_DESC:
		aq_op_desc(d, in);
		break;
	case AQ_OP_WR:
	case AQ_OP_RD:
		aq_op_rw(d, in, op == AQ_OP_WR, false);
		break;
	case AQ_OP_SOCK_WR:
		aq_op_rw(d, in, true, true);
		break;
	case AQ_OP_BASE:
		aq_op_base(d, in);
		break;
	case AQ_OP_ARQ:
		aq_op_arq(d, in);
		break;
	case AQ_OP_MEM:
		aq_op_mem(d, in);
		break;
	case AQ_OP_CFG:
		aq_op_cfg(d, in);
		break;
	case AQ_OP_RESET:
		if (d->sock_ops > 0) {
			d->sock_ops--;
			rte_vfio_user_client_reset(d->m.cid);
		}
		break;
	case AQ_OP_LINK:
		v = fz_u8(in);
		rte_iavf_emu_set_link(d->dev->emu_id, v & 1, fz_u32(in));
		/* sent at the end of the next device callback */
		arq_clean(d);
		break;
	case AQ_OP_INIT:
		v = fz_u8(in);
		aq_init(d);
		if (v & 1)
			aq_activate(d, (v & 2) ? AQ_DPDK_CAPS :
				    AVF_MODEL_LINUX_CAPS);
		break;
	}
}

/* ------------------------------------------------------- per input */

static void
aq_reset(struct aq_dev *d)
{
	struct iavf_emu_dev *dev = d->dev;
	uint16_t cmd = rte_cpu_to_le_16(PCI_COMMAND_MEMORY |
					PCI_COMMAND_MASTER);
	uint16_t msix = rte_cpu_to_le_16(PCI_MSIX_FLAGS_ENABLE);

	/* function level reset; device state the guest cannot reset too */
	iavf_emu_reset(dev, true);
	dev->ver.major = VIRTCHNL_VERSION_MAJOR;
	dev->ver.minor = VIRTCHNL_VERSION_MINOR;
	rte_atomic_store_explicit(&dev->link_mbps, dev->link_speed, rte_memory_order_relaxed);
	rte_atomic_store_explicit(&dev->link_up, 1, rte_memory_order_relaxed);
	rte_atomic_store_explicit(&dev->link_dirty, 0, rte_memory_order_relaxed);
	cfg_write_direct(d, PCI_COMMAND, &cmd, sizeof(cmd));
	cfg_write_direct(d, IAVF_EMU_MSIX_CAP_OFF + PCI_MSIX_FLAGS, &msix,
			 sizeof(msix));

	if (d->dirty_hi > d->dirty_lo)
		memset(d->m.mem + d->dirty_lo, 0, d->dirty_hi - d->dirty_lo);
	d->dirty_lo = UINT64_MAX;
	d->dirty_hi = 0;
	if (d->msg_dirty)
		memset(d->m.msg_mem, 0, AQ_MSG_SIZE);
	d->msg_dirty = false;
	memset(d->m.atq.desc, 0, AQ_RING_LEN * sizeof(struct iavf_aq_desc));
	memset(d->m.arq.desc, 0, AQ_RING_LEN * sizeof(struct iavf_aq_desc));
	d->atq_ntu = 0;
	d->arq_ntc = 0;
	d->sock_ops = AQ_SOCK_OPS;
}

/* Device state the model must keep whatever the guest did. */
static void
aq_check(struct aq_dev *d)
{
	const struct iavf_emu_dev *dev = d->dev;
	uint32_t rstat = aq_rd32(d, IAVF_VFGEN_RSTAT);

	if (dev->arq_backlog_count > IAVF_EMU_ARQ_BACKLOG ||
	    dev->arq_backlog_head >= IAVF_EMU_ARQ_BACKLOG)
		fz_fail("ARQ backlog %u at %u", dev->arq_backlog_count,
			dev->arq_backlog_head);
	if (dev->nb_mac_filters > IAVF_EMU_MAX_MAC_FILTERS)
		fz_fail("%u MAC filters", dev->nb_mac_filters);
	if (rstat > VIRTCHNL_VFR_VFACTIVE)
		fz_fail("VFGEN_RSTAT %#x", rstat);
	FZ_DEBUG("bad input counts: reg %" PRIu64 " tail %" PRIu64 " aq %" PRIu64
		 " aq_dma %" PRIu64 " vc %" PRIu64 " ring %" PRIu64
		 " arq_full %" PRIu64 " irq %" PRIu64 "\n",
		 dev->err[IAVF_EMU_ERR_REG], dev->err[IAVF_EMU_ERR_TAIL],
		 dev->err[IAVF_EMU_ERR_AQ], dev->err[IAVF_EMU_ERR_AQ_DMA],
		 dev->err[IAVF_EMU_ERR_VC], dev->err[IAVF_EMU_ERR_RING],
		 dev->err[IAVF_EMU_ERR_ARQ_FULL], dev->err[IAVF_EMU_ERR_IRQ]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void aq_make_seeds(void);

static void
aq_setup(struct aq_dev *d, unsigned int idx, bool shared)
{
	struct avf_model_conf conf;
	const char *sock = fz_sock_path(AQ_NAME, idx);
	char name[32], args[256];
	int ret;

	snprintf(name, sizeof(name), "emu_iavf_fz%u", idx);
	snprintf(args, sizeof(args), "path=%s,id=%u,queues=%u%s", sock, idx,
		 AQ_QUEUES, shared ? "" : ",doorbell=trapped");
	ret = rte_vdev_init(name, args);
	if (ret != 0)
		fz_fail("rte_vdev_init(%s, %s): %d", name, args, ret);
	d->dev = iavf_emu_dev_by_emu_id(idx);
	if (d->dev == NULL)
		fz_fail("no emu_iavf device %u", idx);
	d->vfu = d->dev->vfu_id;
	d->shared_db = shared;

	memset(&conf, 0, sizeof(conf));
	conf.path = sock;
	conf.mem_size = AQ_MEM_SIZE;
	conf.mem_iova = AQ_MEM_IOVA;
	conf.msg_mem_size = AQ_MSG_SIZE;
	conf.msg_mem_iova = AQ_MSG_IOVA;
	ret = avf_model_init(&d->m, &conf);
	if (ret == 0)
		ret = avf_model_connect(&d->m);
	if (ret == 0)	/* allocates the rings; aq_init() programs them */
		ret = avf_model_aq_init(&d->m);
	if (ret != 0)
		fz_fail("guest model on %s: %s", sock, strerror(-ret));
	if (shared && d->m.db == NULL)
		fz_fail("the doorbell page of %s is not mapped", name);
	d->dirty_lo = UINT64_MAX;
}

int
LLVMFuzzerInitialize(int *argc __rte_unused, char ***argv __rte_unused)
{
	if (fz_seed_dir() != NULL) {
		aq_make_seeds();
		exit(0);
	}
	fz_eal_init(AQ_NAME, 256);
	aq_setup(&aq_devs[0], 0, true);
	aq_setup(&aq_devs[1], 1, false);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { .p = data, .n = size };
	uint8_t hdr = fz_u8(&in);
	struct aq_dev *d = &aq_devs[hdr & 1];
	enum aq_start start = (hdr >> 1) & 3;
	unsigned int nops;

	aq_reset(d);
	if (start != AQ_START_RAW)
		aq_init(d);
	if (start == AQ_START_LINUX)
		aq_activate(d, AVF_MODEL_LINUX_CAPS);
	else if (start == AQ_START_DPDK)
		aq_activate(d, AQ_DPDK_CAPS);
	for (nops = 0; !fz_empty(&in) && nops < AQ_MAX_OPS; nops++)
		aq_op(d, &in);
	arq_clean(d);
	aq_check(d);
	return 0;
}

/* ------------------------------------------------------------ seeds */

static void
seed_vc(struct fz_out *o, uint32_t op, const void *msg, uint16_t len)
{
	uint8_t sel;

	fz_out_u8(o, AQ_OP_VC);
	for (sel = 0; sel < RTE_DIM(aq_vc_ops); sel++)
		if (aq_vc_ops[sel] == op)
			break;
	fz_out_u8(o, sel < RTE_DIM(aq_vc_ops) ? sel : 0xff);
	if (sel >= RTE_DIM(aq_vc_ops))
		fz_out_u32(o, op);
	fz_out_u16(o, len);
	fz_out_bytes(o, msg, len);
}

static void
seed_wr(struct fz_out *o, uint32_t reg, uint32_t val)
{
	uint8_t sel;

	fz_out_u8(o, AQ_OP_WR);
	for (sel = 0; sel < RTE_DIM(aq_regs); sel++)
		if (aq_regs[sel] == reg)
			break;
	fz_out_u8(o, sel < RTE_DIM(aq_regs) ? sel : 0xff);
	if (sel >= RTE_DIM(aq_regs))
		fz_out_u16(o, reg);
	fz_out_u8(o, 0);	/* 4 bytes */
	fz_out_u64(o, val);
}

static void
seed_cfg(struct fz_out *o, uint8_t off, uint16_t val)
{
	fz_out_u8(o, AQ_OP_CFG);
	fz_out_u8(o, off);
	fz_out_u8(o, 0);	/* 2 bytes */
	fz_out_u32(o, val);
}

static void
seed_queue_select(struct fz_out *o, uint32_t op, uint32_t mask)
{
	struct virtchnl_queue_select qs = {
		.vsi_id = IAVF_EMU_VSI_ID,
		.rx_queues = mask,
		.tx_queues = mask,
	};

	seed_vc(o, op, &qs, sizeof(qs));
}

static void
seed_config_queues(struct fz_out *o, uint16_t nb, uint16_t ring_len)
{
	uint8_t buf[sizeof(struct virtchnl_vsi_queue_config_info) +
		AQ_QUEUES * sizeof(struct virtchnl_queue_pair_info)];
	struct virtchnl_vsi_queue_config_info *vqci = (void *)buf;
	uint16_t i;

	memset(buf, 0, sizeof(buf));
	vqci->vsi_id = IAVF_EMU_VSI_ID;
	vqci->num_queue_pairs = nb;
	for (i = 0; i < nb; i++) {
		struct virtchnl_queue_pair_info *qp = &vqci->qpair[i];

		qp->txq.vsi_id = IAVF_EMU_VSI_ID;
		qp->txq.queue_id = i;
		qp->txq.ring_len = ring_len;
		qp->txq.dma_ring_addr = AQ_MEM_IOVA + 0x80000 + i * 0x4000;
		qp->rxq.vsi_id = IAVF_EMU_VSI_ID;
		qp->rxq.queue_id = i;
		qp->rxq.ring_len = ring_len;
		qp->rxq.databuffer_size = 2048;
		qp->rxq.max_pkt_size = 1522;
		qp->rxq.dma_ring_addr = AQ_MEM_IOVA + 0x90000 + i * 0x4000;
	}
	/* Linux: sizeof + (n - 1) elements; DPDK: the same */
	seed_vc(o, VIRTCHNL_OP_CONFIG_VSI_QUEUES, buf, sizeof(*vqci) +
		(nb - 1) * sizeof(struct virtchnl_queue_pair_info));
}

static void
seed_irq_map(struct fz_out *o, uint16_t nb_qp, bool polling)
{
	uint8_t buf[sizeof(struct virtchnl_irq_map_info) +
		(AQ_QUEUES + 1) * sizeof(struct virtchnl_vector_map)];
	struct virtchnl_irq_map_info *vimi = (void *)buf;
	uint16_t v, nv = polling ? 1 : nb_qp + 1;

	memset(buf, 0, sizeof(buf));
	vimi->num_vectors = nv;
	for (v = 0; v < nv; v++) {
		struct virtchnl_vector_map *vm = &vimi->vecmap[v];

		vm->vsi_id = IAVF_EMU_VSI_ID;
		if (polling) {
			/* DPDK without interrupts: every queue on vector 0 */
			vm->vector_id = 0;
			vm->rxq_map = RTE_BIT32(nb_qp) - 1;
			vm->txq_map = RTE_BIT32(nb_qp) - 1;
		} else if (v < nb_qp) {
			vm->vector_id = v + 1;
			vm->rxq_map = RTE_BIT32(v);
			vm->txq_map = RTE_BIT32(v);
			vm->txitr_idx = 1;
		}
	}
	seed_vc(o, VIRTCHNL_OP_CONFIG_IRQ_MAP, buf, sizeof(*vimi) +
		(nv - 1) * sizeof(struct virtchnl_vector_map));
}

static void
seed_rss(struct fz_out *o)
{
	uint8_t buf[sizeof(struct virtchnl_rss_lut) + 64];
	struct virtchnl_rss_key *k = (void *)buf;
	struct virtchnl_rss_lut *l = (void *)buf;
	struct virtchnl_rss_hena h = {
		.hena = RTE_BIT64(IAVF_FILTER_PCTYPE_NONF_IPV4_TCP) |
			RTE_BIT64(IAVF_FILTER_PCTYPE_NONF_IPV4_UDP),
	};
	uint16_t i;

	memset(buf, 0, sizeof(buf));
	k->vsi_id = IAVF_EMU_VSI_ID;
	k->key_len = IAVF_EMU_RSS_KEY_SIZE;
	for (i = 0; i < IAVF_EMU_RSS_KEY_SIZE; i++)
		k->key[i] = (uint8_t)(0x6d + 29 * i);
	seed_vc(o, VIRTCHNL_OP_CONFIG_RSS_KEY, buf,
		sizeof(*k) + IAVF_EMU_RSS_KEY_SIZE - 1);
	memset(buf, 0, sizeof(buf));
	l->vsi_id = IAVF_EMU_VSI_ID;
	l->lut_entries = IAVF_EMU_RSS_LUT_SIZE;
	for (i = 0; i < IAVF_EMU_RSS_LUT_SIZE; i++)
		l->lut[i] = i % AQ_QUEUES;
	seed_vc(o, VIRTCHNL_OP_CONFIG_RSS_LUT, buf,
		sizeof(*l) + IAVF_EMU_RSS_LUT_SIZE - 1);
	seed_vc(o, VIRTCHNL_OP_GET_RSS_HENA_CAPS, NULL, 0);
	seed_vc(o, VIRTCHNL_OP_SET_RSS_HENA, &h, sizeof(h));
}

static void
seed_mac(struct fz_out *o, uint32_t op, uint8_t last)
{
	struct virtchnl_ether_addr_list l;

	memset(&l, 0, sizeof(l));
	l.vsi_id = IAVF_EMU_VSI_ID;
	l.num_elements = 1;
	l.list[0].addr[0] = 0x02;
	l.list[0].addr[1] = 0x45;
	l.list[0].addr[2] = 0x4d;
	l.list[0].addr[3] = 0x55;
	l.list[0].addr[5] = last;
	l.list[0].type = VIRTCHNL_ETHER_ADDR_PRIMARY;
	seed_vc(o, op, &l, sizeof(l));
}

static void
seed_vlan(struct fz_out *o, uint32_t op, uint16_t id)
{
	uint8_t buf[sizeof(struct virtchnl_vlan_filter_list)];
	struct virtchnl_vlan_filter_list *l = (void *)buf;

	memset(buf, 0, sizeof(buf));
	l->vsi_id = IAVF_EMU_VSI_ID;
	l->num_elements = 1;
	l->vlan_id[0] = id;
	seed_vc(o, op, buf, sizeof(buf));
}

static void
seed_promisc(struct fz_out *o, uint16_t flags)
{
	struct virtchnl_promisc_info p = {
		.vsi_id = IAVF_EMU_VSI_ID,
		.flags = flags,
	};

	seed_vc(o, VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE, &p, sizeof(p));
}

/* Linux iavf: probe, open, ethtool -S, promisc, close, reset, remove. */
static void
seed_linux(uint8_t dev)
{
	struct virtchnl_version_info ver = { 1, 1 };
	uint32_t caps = AVF_MODEL_LINUX_CAPS;
	struct fz_out o = { .n = 0 };

	fz_out_u8(&o, dev | AQ_START_AQ << 1);
	seed_vc(&o, VIRTCHNL_OP_VERSION, &ver, sizeof(ver));
	seed_vc(&o, VIRTCHNL_OP_GET_VF_RESOURCES, &caps, sizeof(caps));
	seed_wr(&o, IAVF_VFINT_DYN_CTL01, IAVF_VFINT_DYN_CTL01_INTENA_MASK |
		IAVF_VFINT_DYN_CTL01_ITR_INDX_MASK);
	seed_wr(&o, IAVF_VFINT_ICR0_ENA1, IAVF_VFINT_ICR0_ENA1_ADMINQ_MASK);
	seed_irq_map(&o, AQ_QUEUES, false);
	seed_rss(&o);
	seed_mac(&o, VIRTCHNL_OP_ADD_ETH_ADDR, dev);
	seed_config_queues(&o, AQ_QUEUES, 256);
	seed_queue_select(&o, VIRTCHNL_OP_ENABLE_QUEUES, 0xf);
	seed_wr(&o, IAVF_VFINT_DYN_CTLN1(0), IAVF_VFINT_DYN_CTLN1_INTENA_MASK |
		IAVF_VFINT_DYN_CTLN1_ITR_INDX_MASK);
	seed_wr(&o, IAVF_QRX_TAIL1(0), 255);
	seed_queue_select(&o, VIRTCHNL_OP_GET_STATS, 0);
	seed_promisc(&o, FLAG_VF_UNICAST_PROMISC | FLAG_VF_MULTICAST_PROMISC);
	seed_vlan(&o, VIRTCHNL_OP_ADD_VLAN, 100);
	seed_vlan(&o, VIRTCHNL_OP_DEL_VLAN, 100);
	seed_mac(&o, VIRTCHNL_OP_DEL_ETH_ADDR, dev);
	seed_queue_select(&o, VIRTCHNL_OP_DISABLE_QUEUES, 0xf);
	seed_vc(&o, VIRTCHNL_OP_RESET_VF, NULL, 0);
	fz_out_u8(&o, AQ_OP_INIT);
	fz_out_u8(&o, 1);	/* re-init + VERSION + GET_VF_RESOURCES */
	fz_out_save(&o, dev ? "linux-trapped" : "linux-shared");
}

/* DPDK net_iavf: polling, all queues on vector 0, RSS by the PF. */
static void
seed_dpdk(void)
{
	struct fz_out o = { .n = 0 };

	fz_out_u8(&o, 0 | AQ_START_DPDK << 1);
	seed_vc(&o, VIRTCHNL_OP_GET_SUPPORTED_RXDIDS, NULL, 0);
	seed_vc(&o, VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS, NULL, 0);
	seed_rss(&o);
	seed_config_queues(&o, 2, 512);
	seed_irq_map(&o, 2, true);
	seed_mac(&o, VIRTCHNL_OP_ADD_ETH_ADDR, 0);
	seed_promisc(&o, 0);
	seed_queue_select(&o, VIRTCHNL_OP_ENABLE_QUEUES, 3);
	seed_queue_select(&o, VIRTCHNL_OP_GET_STATS, 0);
	seed_queue_select(&o, VIRTCHNL_OP_DISABLE_QUEUES, 3);
	seed_vc(&o, VIRTCHNL_OP_RESET_VF, NULL, 0);
	fz_out_save(&o, "dpdk-net-iavf");
}

/* Raw register bring-up, fd-less rings and bad addresses. */
static void
seed_raw(void)
{
	struct fz_out o = { .n = 0 };
	uint32_t caps = AVF_MODEL_LINUX_CAPS;

	fz_out_u8(&o, 1 | AQ_START_RAW << 1);
	/* ATQ in the fd-less window: DMA only with messages (socket) */
	fz_out_u8(&o, AQ_OP_BASE);
	fz_out_u8(&o, 2);		/* ATQ, head/tail 0 */
	fz_out_u8(&o, 2);		/* fd-less window */
	fz_out_u64(&o, 0);
	fz_out_u16(&o, AQ_RING_LEN);
	fz_out_u8(&o, AQ_OP_BASE);
	fz_out_u8(&o, 3);		/* ARQ, head/tail 0 */
	fz_out_u8(&o, 7);		/* the model's ring */
	fz_out_u64(&o, 0);
	fz_out_u16(&o, AQ_RING_LEN);
	seed_wr(&o, IAVF_VF_ARQT1, AQ_RING_LEN - 1);
	/* a VERSION descriptor in the window's slot 0 */
	fz_out_u8(&o, AQ_OP_MEM);
	fz_out_u32(&o, AQ_MEM_SIZE);
	fz_out_u8(&o, 32);
	fz_out_u16(&o, IAVF_AQ_FLAG_SI | IAVF_AQ_FLAG_BUF | IAVF_AQ_FLAG_RD);
	fz_out_u16(&o, iavf_aqc_opc_send_msg_to_pf);
	fz_out_u16(&o, 4);
	fz_out_u16(&o, 0);
	fz_out_u32(&o, VIRTCHNL_OP_GET_VF_RESOURCES);
	fz_out_u32(&o, 0);
	fz_out_u32(&o, 0);
	fz_out_u32(&o, 0);
	fz_out_u32(&o, (uint32_t)((AQ_MSG_IOVA + 4096) >> 32));
	fz_out_u32(&o, (uint32_t)(AQ_MSG_IOVA + 4096));
	fz_out_u8(&o, AQ_OP_MEM);
	fz_out_u32(&o, AQ_MEM_SIZE + 4096);
	fz_out_u8(&o, 4);
	fz_out_bytes(&o, &caps, sizeof(caps));
	/* tail through the socket: the device reads it with DMA_READ */
	fz_out_u8(&o, AQ_OP_SOCK_WR);
	fz_out_u8(&o, 4);		/* ATQT1 */
	fz_out_u8(&o, 0);
	fz_out_u64(&o, 1);
	/* a descriptor whose buffer straddles the end of guest memory */
	fz_out_u8(&o, AQ_OP_BASE);
	fz_out_u8(&o, 2);
	fz_out_u8(&o, 7);
	fz_out_u64(&o, 0);
	fz_out_u16(&o, AQ_RING_LEN);
	fz_out_u8(&o, AQ_OP_DESC);
	fz_out_u16(&o, IAVF_AQ_FLAG_SI | IAVF_AQ_FLAG_BUF);
	fz_out_u16(&o, iavf_aqc_opc_send_msg_to_pf);
	fz_out_u16(&o, 64);
	fz_out_u16(&o, 0);
	fz_out_u32(&o, VIRTCHNL_OP_CONFIG_RSS_KEY);
	fz_out_u32(&o, 0);
	fz_out_u32(&o, 0);
	fz_out_u32(&o, 0);
	fz_out_u8(&o, 3);		/* across the end of guest memory */
	fz_out_u64(&o, 16);
	fz_out_u16(&o, 0);
	fz_out_u8(&o, 0);
	/* the unsupported admin command and an oversized message */
	fz_out_u8(&o, AQ_OP_DESC);
	fz_out_u16(&o, IAVF_AQ_FLAG_SI);
	fz_out_u16(&o, iavf_aqc_opc_queue_shutdown);
	fz_out_bytes(&o, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
	fz_out_u8(&o, 7);
	fz_out_u64(&o, 0);
	fz_out_u16(&o, 0);
	fz_out_u8(&o, 0);
	/* register file: RSS registers, reads, odd sizes */
	seed_wr(&o, IAVF_VFQF_HLUT(0), 0x03020100);
	seed_wr(&o, IAVF_VFQF_HKEY(0), 0xdeadbeef);
	fz_out_u8(&o, AQ_OP_RD);
	fz_out_u8(&o, 11);		/* ICR01 */
	fz_out_u8(&o, 0xe3);		/* 3 bytes */
	fz_out_u8(&o, AQ_OP_RD);
	fz_out_u8(&o, 0xff);
	fz_out_u16(&o, 0xfffc);
	fz_out_u8(&o, 0xc0);		/* 8 bytes past the end */
	fz_out_save(&o, "raw-registers");
}

/* Resets: FLR through config space, DEVICE_RESET, bus master off/on. */
static void
seed_resets(void)
{
	struct fz_out o = { .n = 0 };
	struct virtchnl_version_info ver = { 1, 0 };

	fz_out_u8(&o, 0 | AQ_START_LINUX << 1);
	seed_cfg(&o, PCI_COMMAND, PCI_COMMAND_MEMORY);
	seed_vc(&o, VIRTCHNL_OP_VERSION, &ver, sizeof(ver));
	seed_cfg(&o, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	seed_cfg(&o, IAVF_EMU_MSIX_CAP_OFF + PCI_MSIX_FLAGS,
		 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	fz_out_u8(&o, AQ_OP_LINK);
	fz_out_u8(&o, 0);
	fz_out_u32(&o, 100000);
	seed_wr(&o, IAVF_VFINT_DYN_CTL01, IAVF_VFINT_DYN_CTL01_SWINT_TRIG_MASK);
	fz_out_u8(&o, AQ_OP_RESET);
	seed_cfg(&o, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	fz_out_u8(&o, AQ_OP_INIT);
	fz_out_u8(&o, 3);
	seed_cfg(&o, IAVF_EMU_AF_CAP_OFF + PCI_AF_CTRL, PCI_AF_CTRL_FLR);
	fz_out_save(&o, "resets");
}

static void
aq_make_seeds(void)
{
	seed_linux(0);
	seed_linux(1);
	seed_dpdk();
	seed_raw();
	seed_resets();
}
