/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * AVF guest-driver model for tests: what the Linux iavf driver does to an
 * Adaptive Virtual Function, expressed with the vfio-user client API.
 * Register, admin queue and virtchnl definitions come from
 * drivers/common/iavf.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include <linux/vfio.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_io.h>
#include <rte_vfio_user.h>

#include "avf_guest_model.h"

/* iavf_main.c: IAVF_RESET_WAIT_* and the shared code's ASQ timeout. */
#define AVF_MODEL_ASQ_TIMEOUT_MS	250
#define AVF_MODEL_RESET_DETECT_MS	2500
#define AVF_MODEL_RESET_DONE_MS		5000
#define AVF_MODEL_REPLY_TIMEOUT_MS	2000
#define AVF_MODEL_LINK_TIMEOUT_MS	2000

/* PCI config space offsets (PCI Local Bus spec). */
#define PCI_CFG_VENDOR		0x00
#define PCI_CFG_COMMAND		0x04
#define PCI_CFG_STATUS		0x06
#define PCI_CFG_CLASS_REV	0x08
#define PCI_CFG_HEADER_TYPE	0x0E
#define PCI_CFG_BAR0		0x10
#define PCI_CFG_CAP_PTR		0x34
#define PCI_CFG_IRQ_PIN		0x3D
#define PCI_CMD_MEMORY		0x0002
#define PCI_CMD_MASTER		0x0004
#define PCI_STATUS_CAP_LIST	0x0010
#define PCI_CAP_ID_MSIX		0x11
#define PCI_CAP_ID_AF		0x13
#define PCI_AF_CAP		3
#define PCI_AF_CTRL		4
#define PCI_AF_CAP_FLR		0x02
#define PCI_AF_CTRL_FLR		0x01
#define PCI_MSIX_FLAGS		2
#define PCI_MSIX_TABLE		4
#define PCI_MSIX_PBA		8
#define PCI_MSIX_FLAGS_ENABLE	0x8000

#define CFG_REGION	VFIO_PCI_CONFIG_REGION_INDEX
#define BAR0_REGION	VFIO_PCI_BAR0_REGION_INDEX

static uint64_t
now_ms(void)
{
	return rte_get_timer_cycles() * 1000 / rte_get_timer_hz();
}

static void
sleep_us(unsigned int us)
{
	rte_delay_us_sleep(us);
}

/* ------------------------------------------------------------------ */
/* Guest memory */

uint64_t
avf_model_alloc(struct avf_model *m, uint64_t size, uint64_t align, void **va)
{
	uint64_t off;

	if (align == 0)
		align = RTE_CACHE_LINE_SIZE;
	off = RTE_ALIGN_CEIL(m->mem_used, align);
	if (size == 0 || off + size > m->mem_size)
		return 0;
	m->mem_used = off + size;
	memset(m->mem + off, 0, size);
	if (va != NULL)
		*va = m->mem + off;
	return m->mem_iova + off;
}

void *
avf_model_iova_to_va(struct avf_model *m, uint64_t iova, uint64_t len)
{
	if (iova < m->mem_iova || len > m->mem_size ||
			iova - m->mem_iova > m->mem_size - len)
		return NULL;
	return m->mem + (iova - m->mem_iova);
}

int
avf_model_init(struct avf_model *m, const struct avf_model_conf *conf)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->conf = *conf;
	m->cid = -1;
	m->memfd = -1;
	for (i = 0; i < RTE_DIM(m->irq_fd); i++)
		m->irq_fd[i] = -1;
	pthread_mutex_init(&m->io_lock, NULL);

	m->mem_size = conf->mem_size ? conf->mem_size : AVF_MODEL_MEM_SIZE;
	m->mem_iova = conf->mem_iova ? conf->mem_iova : AVF_MODEL_MEM_IOVA;
	/* sealed, as QEMU's memory-backend-memfd: the server requires it */
	m->memfd = memfd_create("avf_model_guest",
			MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (m->memfd < 0)
		return -errno;
	if (ftruncate(m->memfd, m->mem_size) < 0 ||
	    fcntl(m->memfd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		goto err;
	m->mem = mmap(NULL, m->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			m->memfd, 0);
	if (m->mem == MAP_FAILED) {
		m->mem = NULL;
		goto err;
	}
	/* keep IOVA 0 of the allocator unused: 0 means failure */
	m->mem_used = 4096;
	if (conf->msg_mem_size != 0) {
		m->msg_mem = mmap(NULL, conf->msg_mem_size,
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m->msg_mem == MAP_FAILED) {
			m->msg_mem = NULL;
			goto err;
		}
	}
	return 0;
err:
	{
		int ret = -errno;

		avf_model_fini(m);
		return ret;
	}
}

void
avf_model_fini(struct avf_model *m)
{
	unsigned int i;

	avf_model_disconnect(m);
	if (m->mem != NULL)
		munmap(m->mem, m->mem_size);
	m->mem = NULL;
	if (m->msg_mem != NULL)
		munmap(m->msg_mem, m->conf.msg_mem_size);
	m->msg_mem = NULL;
	if (m->memfd >= 0)
		close(m->memfd);
	m->memfd = -1;
	for (i = 0; i < RTE_DIM(m->txq); i++) {
		free(m->txq[i].rs_idx);
		m->txq[i].rs_idx = NULL;
	}
	pthread_mutex_destroy(&m->io_lock);
}

/* ------------------------------------------------------------------ */
/* PCI and registers */

int
avf_model_cfg_read(struct avf_model *m, uint32_t off, void *buf, uint32_t len)
{
	int ret;

	pthread_mutex_lock(&m->io_lock);
	m->region_reads++;
	ret = rte_vfio_user_client_region_read(m->cid, CFG_REGION, off, buf,
			len);
	pthread_mutex_unlock(&m->io_lock);
	return ret;
}

int
avf_model_cfg_write(struct avf_model *m, uint32_t off, const void *buf,
		uint32_t len)
{
	int ret;

	pthread_mutex_lock(&m->io_lock);
	m->region_writes++;
	ret = rte_vfio_user_client_region_write(m->cid, CFG_REGION, off, buf,
			len, false);
	pthread_mutex_unlock(&m->io_lock);
	return ret;
}

int
avf_model_rd32_trapped(struct avf_model *m, uint32_t reg, uint32_t *val)
{
	uint32_t le;
	int ret;

	pthread_mutex_lock(&m->io_lock);
	m->region_reads++;
	ret = rte_vfio_user_client_region_read(m->cid, BAR0_REGION, reg, &le,
			sizeof(le));
	pthread_mutex_unlock(&m->io_lock);
	if (ret == 0)
		*val = rte_le_to_cpu_32(le);
	return ret;
}

int
avf_model_wr32_trapped(struct avf_model *m, uint32_t reg, uint32_t val)
{
	uint32_t le = rte_cpu_to_le_32(val);
	int ret;

	pthread_mutex_lock(&m->io_lock);
	m->region_writes++;
	ret = rte_vfio_user_client_region_write(m->cid, BAR0_REGION, reg, &le,
			sizeof(le), m->conf.posted_writes);
	pthread_mutex_unlock(&m->io_lock);
	return ret;
}

uint32_t
avf_model_rd32(struct avf_model *m, uint32_t reg)
{
	uint32_t val;

	if (m->db != NULL && reg < AVF_MODEL_DB_SIZE)
		return rte_le_to_cpu_32(rte_read32(m->db + reg));
	if (avf_model_rd32_trapped(m, reg, &val) != 0) {
		m->io_errors++;
		return UINT32_MAX;
	}
	return val;
}

int
avf_model_wr32(struct avf_model *m, uint32_t reg, uint32_t val)
{
	int ret;

	if (m->db != NULL && reg < AVF_MODEL_DB_SIZE) {
		/* writel(): barrier, then the store */
		rte_write32(rte_cpu_to_le_32(val), m->db + reg);
		return 0;
	}
	ret = avf_model_wr32_trapped(m, reg, val);
	if (ret != 0)
		m->io_errors++;
	return ret;
}

int
avf_model_irq_wait(struct avf_model *m, uint32_t vector, uint32_t timeout_ms)
{
	struct pollfd pfd;
	uint64_t cnt;
	int ret;

	if (vector >= m->nb_vectors || m->irq_fd[vector] < 0)
		return -EINVAL;
	pfd.fd = m->irq_fd[vector];
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, (int)timeout_ms);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return 0;
	if (read(m->irq_fd[vector], &cnt, sizeof(cnt)) != sizeof(cnt))
		return errno == EAGAIN ? 0 : -errno;
	return (int)RTE_MIN(cnt, (uint64_t)INT32_MAX);
}

int
avf_model_irq_drain(struct avf_model *m, uint32_t vector)
{
	uint64_t cnt;

	if (vector >= m->nb_vectors || m->irq_fd[vector] < 0)
		return -EINVAL;
	if (read(m->irq_fd[vector], &cnt, sizeof(cnt)) != sizeof(cnt))
		return errno == EAGAIN ? 0 : -errno;
	return (int)RTE_MIN(cnt, (uint64_t)INT32_MAX);
}

int
avf_model_irq_enable(struct avf_model *m, uint32_t vector)
{
	/* iavf_irq_enable_queues() / iavf_misc_irq_enable() */
	if (vector == 0)
		return avf_model_wr32(m, IAVF_VFINT_DYN_CTL01,
				IAVF_VFINT_DYN_CTL01_INTENA_MASK |
				IAVF_VFINT_DYN_CTL01_ITR_INDX_MASK);
	return avf_model_wr32(m, IAVF_VFINT_DYN_CTLN1(vector - 1),
			IAVF_VFINT_DYN_CTLN1_INTENA_MASK |
			IAVF_VFINT_DYN_CTLN1_ITR_INDX_MASK);
}

static void
pci_parse(struct avf_model *m)
{
	struct avf_model_pci *p = &m->pci;
	const uint8_t *c = p->config;
	uint16_t status;
	uint8_t pos;
	unsigned int guard;

	p->vendor_id = c[PCI_CFG_VENDOR] | (c[PCI_CFG_VENDOR + 1] << 8);
	p->device_id = c[PCI_CFG_VENDOR + 2] | (c[PCI_CFG_VENDOR + 3] << 8);
	p->class_code = c[PCI_CFG_CLASS_REV + 1] |
		(c[PCI_CFG_CLASS_REV + 2] << 8) |
		((uint32_t)c[PCI_CFG_CLASS_REV + 3] << 16);
	p->header_type = c[PCI_CFG_HEADER_TYPE];
	p->irq_pin = c[PCI_CFG_IRQ_PIN];
	memcpy(&p->bar0, &c[PCI_CFG_BAR0], 4);
	memcpy(&p->bar3, &c[PCI_CFG_BAR0 + 12], 4);
	status = c[PCI_CFG_STATUS] | (c[PCI_CFG_STATUS + 1] << 8);
	p->msix_cap = 0;
	if (!(status & PCI_STATUS_CAP_LIST))
		return;
	pos = c[PCI_CFG_CAP_PTR] & ~3;
	for (guard = 0; pos >= 0x40 && guard < 48; guard++) {
		if (c[pos] == PCI_CAP_ID_MSIX) {
			uint16_t flags = c[pos + PCI_MSIX_FLAGS] |
				(c[pos + PCI_MSIX_FLAGS + 1] << 8);
			uint32_t tbl, pba;

			memcpy(&tbl, &c[pos + PCI_MSIX_TABLE], 4);
			memcpy(&pba, &c[pos + PCI_MSIX_PBA], 4);
			p->msix_cap = pos;
			p->msix_table_size = (flags & 0x7FF) + 1;
			p->msix_table_bir = tbl & 7;
			p->msix_table_offset = tbl & ~7u;
			p->msix_pba_bir = pba & 7;
			p->msix_pba_offset = pba & ~7u;
			return;
		}
		pos = c[pos + 1] & ~3;
	}
}

static int
pci_setup(struct avf_model *m)
{
	struct rte_vfio_user_client_region reg;
	struct vfio_device_info dinfo;
	struct vfio_irq_info iinfo;
	uint32_t a;
	int ret;

	memset(&dinfo, 0, sizeof(dinfo));
	ret = rte_vfio_user_client_get_dev_info(m->cid, &dinfo);
	if (ret != 0)
		return ret;
	m->pci.dev_flags = dinfo.flags;
	m->pci.num_regions = dinfo.num_regions;
	m->pci.num_irqs = dinfo.num_irqs;

	ret = avf_model_cfg_read(m, 0, m->pci.config, sizeof(m->pci.config));
	if (ret != 0)
		return ret;
	pci_parse(m);

	memset(&reg, 0, sizeof(reg));
	ret = rte_vfio_user_client_get_region_info(m->cid, CFG_REGION, &reg);
	if (ret != 0)
		return ret;
	m->pci.config_size = reg.size;
	memset(&reg, 0, sizeof(reg));
	ret = rte_vfio_user_client_get_region_info(m->cid,
			VFIO_PCI_BAR3_REGION_INDEX, &reg);
	if (ret != 0)
		return ret;
	m->pci.bar3_size = reg.size;
	memset(&reg, 0, sizeof(reg));
	ret = rte_vfio_user_client_get_region_info(m->cid, BAR0_REGION, &reg);
	if (ret != 0)
		return ret;
	m->pci.bar0_size = reg.size;
	m->pci.bar0_flags = reg.flags;
	m->pci.bar0_mmap_areas = reg.nb_mmap_areas;

	/* Doorbell page: a sparse mmap area covering 0x0000-0x3FFF. */
	m->db = NULL;
	if (!m->conf.no_doorbell_mmap &&
			(reg.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		for (a = 0; a < reg.nb_mmap_areas &&
				a < RTE_VFIO_USER_MAX_MMAP_AREAS; a++) {
			if (reg.mmap_areas[a].offset != 0 ||
					reg.mmap_areas[a].size <
					AVF_MODEL_DB_SIZE)
				continue;
			m->db = rte_vfio_user_client_region_mmap(m->cid,
					BAR0_REGION, a);
			break;
		}
	}

	memset(&iinfo, 0, sizeof(iinfo));
	iinfo.argsz = sizeof(iinfo);
	ret = rte_vfio_user_client_get_irq_info(m->cid,
			VFIO_PCI_MSIX_IRQ_INDEX, &iinfo);
	if (ret != 0)
		return ret;
	m->pci.msix_count = iinfo.count;
	m->pci.msix_flags = iinfo.flags;

	return avf_model_pci_enable(m);
}

int
avf_model_pci_enable(struct avf_model *m)
{
	uint16_t cmd;
	int ret;

	/* pci_enable_device_mem() + pci_set_master() */
	ret = avf_model_cfg_read(m, PCI_CFG_COMMAND, &cmd, sizeof(cmd));
	if (ret != 0)
		return ret;
	cmd |= rte_cpu_to_le_16(PCI_CMD_MEMORY | PCI_CMD_MASTER);
	ret = avf_model_cfg_write(m, PCI_CFG_COMMAND, &cmd, sizeof(cmd));
	if (ret != 0)
		return ret;
	/* pci_enable_msix_range(): MSI-X enable bit */
	if (m->pci.msix_cap != 0) {
		uint16_t flags;

		ret = avf_model_cfg_read(m, m->pci.msix_cap + PCI_MSIX_FLAGS,
				&flags, sizeof(flags));
		if (ret != 0)
			return ret;
		flags |= rte_cpu_to_le_16(PCI_MSIX_FLAGS_ENABLE);
		ret = avf_model_cfg_write(m, m->pci.msix_cap + PCI_MSIX_FLAGS,
				&flags, sizeof(flags));
		if (ret != 0)
			return ret;
	}
	return 0;
}

static int
irq_setup(struct avf_model *m)
{
	uint32_t v;
	int ret;

	m->nb_vectors = RTE_MIN(m->pci.msix_count,
			(uint32_t)AVF_MODEL_MAX_VECTORS);
	/* As QEMU: one SET_IRQS per vector the guest starts using. */
	for (v = 0; v < m->nb_vectors; v++) {
		int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

		if (fd < 0)
			return -errno;
		m->irq_fd[v] = fd;
		pthread_mutex_lock(&m->io_lock);
		ret = rte_vfio_user_client_set_irqs(m->cid,
				VFIO_PCI_MSIX_IRQ_INDEX,
				VFIO_IRQ_SET_DATA_EVENTFD |
				VFIO_IRQ_SET_ACTION_TRIGGER, v, 1, &fd);
		pthread_mutex_unlock(&m->io_lock);
		if (ret != 0)
			return ret;
	}
	return 0;
}

static void
connect_step(struct avf_model *m, enum avf_model_connect_step step)
{
	m->connect_step_cycles[step] = rte_get_timer_cycles();
	m->connect_step = step;
}

int
avf_model_connect(struct avf_model *m)
{
	int ret;

	if (m->cid >= 0)
		return -EBUSY;
	connect_step(m, AVF_MODEL_CONNECT_ATTACH);
	ret = rte_vfio_user_client_attach(m->conf.path);
	if (ret < 0)
		return ret;
	m->cid = ret;

	connect_step(m, AVF_MODEL_CONNECT_DMA_MAP);
	ret = rte_vfio_user_client_dma_map(m->cid, m->mem_iova, m->mem_size,
			PROT_READ | PROT_WRITE, m->memfd, 0, m->mem);
	if (ret != 0)
		goto err;
	if (m->msg_mem != NULL) {
		ret = rte_vfio_user_client_dma_map(m->cid,
				m->conf.msg_mem_iova, m->conf.msg_mem_size,
				PROT_READ | PROT_WRITE, -1, 0, m->msg_mem);
		if (ret != 0)
			goto err;
	}
	connect_step(m, AVF_MODEL_CONNECT_PCI);
	ret = pci_setup(m);
	if (ret != 0)
		goto err;
	connect_step(m, AVF_MODEL_CONNECT_IRQ);
	ret = irq_setup(m);
	if (ret != 0)
		goto err;
	connect_step(m, AVF_MODEL_CONNECT_DONE);
	return 0;
err:
	avf_model_disconnect(m);
	return ret;
}

void
avf_model_disconnect(struct avf_model *m)
{
	unsigned int i;

	if (m->cid >= 0)
		rte_vfio_user_client_detach(m->cid);
	m->cid = -1;
	m->db = NULL;
	for (i = 0; i < RTE_DIM(m->irq_fd); i++) {
		if (m->irq_fd[i] >= 0)
			close(m->irq_fd[i]);
		m->irq_fd[i] = -1;
	}
	m->nb_vectors = 0;
}

int
avf_model_flr(struct avf_model *m)
{
	const uint8_t *c = m->pci.config;
	unsigned int guard;
	uint8_t pos, ctrl;
	int ret;

	/* the capability list as read at connect time (read-only part) */
	pos = c[PCI_CFG_CAP_PTR] & ~3;
	for (guard = 0; pos >= 0x40 && guard < 48; guard++) {
		if (c[pos] == PCI_CAP_ID_AF)
			break;
		pos = c[pos + 1] & ~3;
	}
	if (pos < 0x40 || c[pos] != PCI_CAP_ID_AF ||
			!(c[pos + PCI_AF_CAP] & PCI_AF_CAP_FLR))
		return -ENOTSUP;
	ctrl = PCI_AF_CTRL_FLR;
	ret = avf_model_cfg_write(m, pos + PCI_AF_CTRL, &ctrl, sizeof(ctrl));
	if (ret != 0)
		return ret;
	ret = avf_model_cfg_read(m, pos + PCI_AF_CTRL, &ctrl, sizeof(ctrl));
	if (ret != 0)
		return ret;
	if (ctrl & PCI_AF_CTRL_FLR)
		return -EIO;
	m->link_up = false;
	return avf_model_pci_enable(m);
}

int
avf_model_wait_reset_done(struct avf_model *m, bool need_active,
		uint32_t timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	uint32_t st;

	for (;;) {
		st = avf_model_rd32(m, IAVF_VFGEN_RSTAT);
		if (st != UINT32_MAX) {
			st &= IAVF_VFGEN_RSTAT_VFR_STATE_MASK;
			if (st == VIRTCHNL_VFR_VFACTIVE ||
					(!need_active &&
					 st == VIRTCHNL_VFR_COMPLETED))
				return (int)st;
		}
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_us(1000);
	}
}

/* ------------------------------------------------------------------ */
/* Admin queue (iavf_adminq.c behaviour) */

static void
arq_arm(struct avf_model *m, uint16_t i)
{
	struct iavf_aq_desc *d = &m->arq.desc[i];
	const uint16_t size = AVF_MODEL_AQ_BUF_SIZE;
	uint16_t flags = IAVF_AQ_FLAG_BUF;

	/* a buffer above 512 bytes is a large one */
	if (size > IAVF_AQ_LARGE_BUF)
		flags |= IAVF_AQ_FLAG_LB;
	memset(d, 0, sizeof(*d));
	d->flags = rte_cpu_to_le_16(flags);
	d->datalen = rte_cpu_to_le_16(size);
	d->params.external.addr_high =
		rte_cpu_to_le_32((uint32_t)(m->arq.buf_iova[i] >> 32));
	d->params.external.addr_low =
		rte_cpu_to_le_32((uint32_t)m->arq.buf_iova[i]);
}

static int
aq_alloc(struct avf_model *m)
{
	struct avf_model_aq_ring *r[2] = { &m->atq, &m->arq };
	unsigned int k, i;
	void *va;

	if (m->aq_allocated)
		return 0;
	for (k = 0; k < 2; k++) {
		r[k]->desc_iova = avf_model_alloc(m,
				AVF_MODEL_AQ_LEN * sizeof(struct iavf_aq_desc),
				4096, &va);
		if (r[k]->desc_iova == 0)
			return -ENOMEM;
		r[k]->desc = va;
		for (i = 0; i < AVF_MODEL_AQ_LEN; i++) {
			r[k]->buf_iova[i] = avf_model_alloc(m,
					AVF_MODEL_AQ_BUF_SIZE, 4096, &va);
			if (r[k]->buf_iova[i] == 0)
				return -ENOMEM;
			r[k]->buf[i] = va;
		}
	}
	m->aq_allocated = true;
	return 0;
}

int
avf_model_aq_init(struct avf_model *m)
{
	uint16_t i;
	int ret;

	ret = aq_alloc(m);
	if (ret != 0)
		return ret;

	/* iavf_init_asq() / iavf_config_asq_regs() */
	memset(m->atq.desc, 0, AVF_MODEL_AQ_LEN * sizeof(struct iavf_aq_desc));
	m->atq.next_to_use = 0;
	m->atq.next_to_clean = 0;
	avf_model_wr32(m, IAVF_VF_ATQH1, 0);
	avf_model_wr32(m, IAVF_VF_ATQT1, 0);
	avf_model_wr32(m, IAVF_VF_ATQLEN1, AVF_MODEL_AQ_LEN |
			IAVF_VF_ATQLEN1_ATQENABLE_MASK);
	avf_model_wr32(m, IAVF_VF_ATQBAL1, (uint32_t)m->atq.desc_iova);
	avf_model_wr32(m, IAVF_VF_ATQBAH1,
			(uint32_t)(m->atq.desc_iova >> 32));
	if (avf_model_rd32(m, IAVF_VF_ATQBAL1) != (uint32_t)m->atq.desc_iova)
		return -EIO;

	/* iavf_init_arq(): every slot pre-filled with BUF|LB */
	for (i = 0; i < AVF_MODEL_AQ_LEN; i++)
		arq_arm(m, i);
	m->arq.next_to_use = 0;
	m->arq.next_to_clean = 0;
	avf_model_wr32(m, IAVF_VF_ARQH1, 0);
	avf_model_wr32(m, IAVF_VF_ARQT1, 0);
	avf_model_wr32(m, IAVF_VF_ARQLEN1, AVF_MODEL_AQ_LEN |
			IAVF_VF_ARQLEN1_ARQENABLE_MASK);
	avf_model_wr32(m, IAVF_VF_ARQBAL1, (uint32_t)m->arq.desc_iova);
	avf_model_wr32(m, IAVF_VF_ARQBAH1,
			(uint32_t)(m->arq.desc_iova >> 32));
	avf_model_wr32(m, IAVF_VF_ARQT1, AVF_MODEL_AQ_LEN - 1);
	if (avf_model_rd32(m, IAVF_VF_ARQBAL1) != (uint32_t)m->arq.desc_iova)
		return -EIO;
	return 0;
}

static int
asq_wait_head(struct avf_model *m, uint16_t want, uint32_t timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;

	for (;;) {
		/* iavf_asq_done(): "use of head ... better than DD bit" */
		if (avf_model_rd32(m, IAVF_VF_ATQH1) == want)
			return 0;
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_us(50);
	}
}

uint16_t
avf_model_aq_next_slot(struct avf_model *m, uint64_t *buf_iova)
{
	if (buf_iova != NULL)
		*buf_iova = m->atq.buf_iova[m->atq.next_to_use];
	return m->atq.next_to_use;
}

/* Place a descriptor in the next ATQ slot and bump ATQT (no wait). */
static int
aq_post(struct avf_model *m, const struct iavf_aq_desc *desc,
		const void *buf, uint16_t buf_len)
{
	struct avf_model_aq_ring *q = &m->atq;
	uint16_t slot = q->next_to_use;

	if (!m->aq_allocated)
		return -EINVAL;
	if (buf != NULL)
		memcpy(q->buf[slot], buf,
			RTE_MIN(buf_len, (uint16_t)AVF_MODEL_AQ_BUF_SIZE));
	memcpy(&q->desc[slot], desc, sizeof(*desc));
	q->next_to_use = (slot + 1) % AVF_MODEL_AQ_LEN;
	rte_wmb();
	return avf_model_wr32(m, IAVF_VF_ATQT1, q->next_to_use);
}

int
avf_model_aq_send_raw(struct avf_model *m, struct iavf_aq_desc *desc,
		const void *buf, uint16_t buf_len, uint32_t timeout_ms)
{
	struct avf_model_aq_ring *q = &m->atq;
	uint16_t slot = q->next_to_use;
	int ret;

	ret = aq_post(m, desc, buf, buf_len);
	if (ret != 0)
		return ret;
	ret = asq_wait_head(m, q->next_to_use, timeout_ms);
	if (ret != 0)
		return ret;
	rte_rmb();
	memcpy(desc, &q->desc[slot], sizeof(*desc));
	/* iavf_clean_asq(): slots up to ATQH are free again */
	q->next_to_clean = q->next_to_use;
	return 0;
}

static int
vc_send(struct avf_model *m, uint32_t v_opcode, const void *msg,
		uint16_t len, bool post_only)
{
	struct iavf_aq_desc d;
	uint64_t biova = m->atq.buf_iova[m->atq.next_to_use];

	if (len > AVF_MODEL_AQ_BUF_SIZE)
		return -E2BIG;
	/* iavf_aq_send_msg_to_pf() */
	memset(&d, 0, sizeof(d));
	d.opcode = rte_cpu_to_le_16(iavf_aqc_opc_send_msg_to_pf);
	d.flags = rte_cpu_to_le_16(IAVF_AQ_FLAG_SI);
	d.cookie_high = rte_cpu_to_le_32(v_opcode);
	d.cookie_low = 0;
	if (len != 0) {
		d.flags |= rte_cpu_to_le_16(IAVF_AQ_FLAG_BUF |
				IAVF_AQ_FLAG_RD);
		if (len > IAVF_AQ_LARGE_BUF)
			d.flags |= rte_cpu_to_le_16(IAVF_AQ_FLAG_LB);
		d.datalen = rte_cpu_to_le_16(len);
		d.params.external.addr_high =
			rte_cpu_to_le_32((uint32_t)(biova >> 32));
		d.params.external.addr_low = rte_cpu_to_le_32((uint32_t)biova);
	}
	if (post_only)
		return aq_post(m, &d, len ? msg : NULL, len);
	return avf_model_aq_send_raw(m, &d, len ? msg : NULL, len,
			AVF_MODEL_ASQ_TIMEOUT_MS);
}

int
avf_model_vc_send(struct avf_model *m, uint32_t v_opcode, const void *msg,
		uint16_t len)
{
	/* RESET_VF too: iavf_asq_send_command() waits for ATQH */
	return vc_send(m, v_opcode, msg, len, false);
}

int
avf_model_vc_post(struct avf_model *m, uint32_t v_opcode, const void *msg,
		uint16_t len)
{
	return vc_send(m, v_opcode, msg, len, true);
}

int
avf_model_aq_shutdown(struct avf_model *m)
{
	uint32_t atqlen = avf_model_rd32(m, IAVF_VF_ATQLEN1);
	int ret = 0;

	/* iavf_shutdown_adminq(): iavf_check_asq_alive() then
	 * iavf_aq_queue_shutdown(hw, true), synchronous (250 ms).
	 */
	if (m->aq_allocated && atqlen != UINT32_MAX &&
			(atqlen & IAVF_VF_ATQLEN1_ATQENABLE_MASK)) {
		struct iavf_aq_desc d;
		struct iavf_aqc_queue_shutdown *cmd =
			(struct iavf_aqc_queue_shutdown *)&d.params.raw;

		memset(&d, 0, sizeof(d));
		d.opcode = rte_cpu_to_le_16(iavf_aqc_opc_queue_shutdown);
		d.flags = rte_cpu_to_le_16(IAVF_AQ_FLAG_SI);
		cmd->driver_unloading =
			rte_cpu_to_le_32(IAVF_AQ_DRIVER_UNLOADING);
		ret = avf_model_aq_send_raw(m, &d, NULL, 0,
				AVF_MODEL_ASQ_TIMEOUT_MS);
		if (ret == 0 && (rte_le_to_cpu_16(d.flags) & IAVF_AQ_FLAG_ERR))
			ret = -EIO;
	}
	/* iavf_shutdown_asq() / iavf_shutdown_arq() */
	avf_model_wr32(m, IAVF_VF_ATQH1, 0);
	avf_model_wr32(m, IAVF_VF_ATQT1, 0);
	avf_model_wr32(m, IAVF_VF_ATQLEN1, 0);
	avf_model_wr32(m, IAVF_VF_ATQBAL1, 0);
	avf_model_wr32(m, IAVF_VF_ATQBAH1, 0);
	avf_model_wr32(m, IAVF_VF_ARQH1, 0);
	avf_model_wr32(m, IAVF_VF_ARQT1, 0);
	avf_model_wr32(m, IAVF_VF_ARQLEN1, 0);
	avf_model_wr32(m, IAVF_VF_ARQBAL1, 0);
	avf_model_wr32(m, IAVF_VF_ARQBAH1, 0);
	return ret;
}

static void
handle_event(struct avf_model *m, const struct avf_model_msg *msg)
{
	const struct virtchnl_pf_event *ev = (const void *)msg->data;

	m->nb_events++;
	if (msg->len < sizeof(*ev))
		return;
	if (ev->event != VIRTCHNL_EVENT_LINK_CHANGE)
		return;
	/* iavf_virtchnl_completion(): adv format when ADV_LINK_SPEED */
	if (m->caps & VIRTCHNL_VF_CAP_ADV_LINK_SPEED) {
		m->link_speed = ev->event_data.link_event_adv.link_speed;
		m->link_up = ev->event_data.link_event_adv.link_status != 0;
	} else {
		m->link_speed = ev->event_data.link_event.link_speed;
		m->link_up = ev->event_data.link_event.link_status != 0;
	}
	m->nb_link_events++;
}

int
avf_model_arq_pending(struct avf_model *m)
{
	uint32_t h = avf_model_rd32(m, IAVF_VF_ARQH1);

	if (h == UINT32_MAX)
		return -EIO;
	h &= IAVF_VF_ARQH1_ARQH_MASK;
	return (int)((h + AVF_MODEL_AQ_LEN - m->arq.next_to_clean) %
			AVF_MODEL_AQ_LEN);
}

int
avf_model_vc_recv(struct avf_model *m, struct avf_model_msg *msg,
		uint32_t timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	struct avf_model_aq_ring *q = &m->arq;
	const struct iavf_aq_desc *d;
	uint16_t ntc = q->next_to_clean;
	uint32_t ntu;

	if (!m->aq_allocated)
		return -EINVAL;
	for (;;) {
		/* iavf_clean_arq_element(): ntu = ARQH & mask */
		ntu = avf_model_rd32(m, IAVF_VF_ARQH1);
		if (ntu != UINT32_MAX &&
				(ntu & IAVF_VF_ARQH1_ARQH_MASK) != ntc)
			break;
		if (now_ms() >= end)
			return -ETIMEDOUT;
		sleep_us(100);
	}
	rte_rmb();
	d = &q->desc[ntc];
	msg->aq_flags = rte_le_to_cpu_16(d->flags);
	msg->aq_opcode = rte_le_to_cpu_16(d->opcode);
	msg->aq_retval = rte_le_to_cpu_16(d->retval);
	msg->len = RTE_MIN(rte_le_to_cpu_16(d->datalen),
			(uint16_t)AVF_MODEL_AQ_BUF_SIZE);
	msg->v_opcode = rte_le_to_cpu_32(d->cookie_high);
	msg->v_retval = (int32_t)rte_le_to_cpu_32(d->cookie_low);
	memcpy(msg->data, q->buf[ntc], msg->len);
	/* restore the slot, tail = the slot just cleaned */
	arq_arm(m, ntc);
	rte_wmb();
	avf_model_wr32(m, IAVF_VF_ARQT1, ntc);
	q->next_to_clean = (ntc + 1) % AVF_MODEL_AQ_LEN;
	if (msg->v_opcode == VIRTCHNL_OP_EVENT)
		handle_event(m, msg);
	return 0;
}

int
avf_model_poll_events(struct avf_model *m, uint32_t timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	int n = 0;

	for (;;) {
		uint64_t now = now_ms();
		int ret;

		ret = avf_model_vc_recv(m, &m->reply,
				now >= end ? 0 : (uint32_t)(end - now));
		if (ret == -ETIMEDOUT)
			return n;
		if (ret != 0)
			return ret;
		if (m->reply.v_opcode != VIRTCHNL_OP_EVENT)
			m->nb_unexpected++;
		n++;
	}
}

int
avf_model_vc_call(struct avf_model *m, uint32_t v_opcode, const void *msg,
		uint16_t len, uint32_t timeout_ms)
{
	uint64_t end;
	int ret;

	m->last_status = VIRTCHNL_STATUS_SUCCESS;
	ret = avf_model_vc_send(m, v_opcode, msg, len);
	if (ret != 0)
		return ret;
	end = now_ms() + timeout_ms;
	for (;;) {
		uint64_t now = now_ms();

		ret = avf_model_vc_recv(m, &m->reply,
				now >= end ? 0 : (uint32_t)(end - now));
		if (ret != 0)
			return ret;
		if (m->reply.v_opcode == v_opcode)
			break;
		if (m->reply.v_opcode != VIRTCHNL_OP_EVENT)
			m->nb_unexpected++;
	}
	m->last_status = m->reply.v_retval;
	return m->last_status == VIRTCHNL_STATUS_SUCCESS ? 0 : -EPROTO;
}

/* ------------------------------------------------------------------ */
/* virtchnl operations (iavf_virtchnl.c message layouts) */

int
avf_model_vc_version(struct avf_model *m)
{
	struct virtchnl_version_info v = {
		.major = VIRTCHNL_VERSION_MAJOR,
		.minor = VIRTCHNL_VERSION_MINOR,
	};
	const struct virtchnl_version_info *r;
	int ret;

	ret = avf_model_vc_call(m, VIRTCHNL_OP_VERSION, &v, sizeof(v),
			AVF_MODEL_REPLY_TIMEOUT_MS);
	if (ret != 0)
		return ret;
	if (m->reply.len < sizeof(*r))
		return -EPROTO;
	r = (const void *)m->reply.data;
	m->api_major = r->major;
	m->api_minor = r->minor;
	/* iavf_verify_api_ver(): PF newer than us is an error */
	if (r->major > VIRTCHNL_VERSION_MAJOR ||
			(r->major == VIRTCHNL_VERSION_MAJOR &&
			 r->minor > VIRTCHNL_VERSION_MINOR))
		return -EPROTO;
	return 0;
}

int
avf_model_vc_get_resources(struct avf_model *m, uint32_t caps)
{
	const struct virtchnl_vf_resource *res;
	uint16_t i;
	int ret;

	m->caps_requested = caps;
	/* caps only go with a 1.1 PF (VF_IS_V11) */
	if (m->api_minor >= VIRTCHNL_VERSION_MINOR)
		ret = avf_model_vc_call(m, VIRTCHNL_OP_GET_VF_RESOURCES,
				&caps, sizeof(caps),
				AVF_MODEL_REPLY_TIMEOUT_MS);
	else
		ret = avf_model_vc_call(m, VIRTCHNL_OP_GET_VF_RESOURCES,
				NULL, 0, AVF_MODEL_REPLY_TIMEOUT_MS);
	if (ret != 0)
		return ret;
	m->vf_res_len = RTE_MIN(m->reply.len,
			(uint16_t)sizeof(m->vf_res_buf));
	memset(m->vf_res_buf, 0, sizeof(m->vf_res_buf));
	memcpy(m->vf_res_buf, m->reply.data, m->vf_res_len);
	res = (const void *)m->vf_res_buf;
	m->vf_res = (struct virtchnl_vf_resource *)m->vf_res_buf;
	if (m->vf_res_len < sizeof(*res))
		return -EPROTO;
	/* iavf_vf_parse_hw_config() + "No LAN VSI found" */
	for (i = 0; i < res->num_vsis; i++) {
		const struct virtchnl_vsi_resource *vsi = &res->vsi_res[i];

		if ((const uint8_t *)(vsi + 1) >
				m->vf_res_buf + m->vf_res_len)
			break;
		if (vsi->vsi_type == VIRTCHNL_VSI_SRIOV) {
			m->vsi_id = vsi->vsi_id;
			memcpy(&m->mac, vsi->default_mac_addr,
					RTE_ETHER_ADDR_LEN);
			break;
		}
	}
	if (i >= res->num_vsis)
		return -ENOENT;
	m->caps = res->vf_cap_flags;
	m->num_qp = RTE_MIN(res->num_queue_pairs, (uint16_t)AVF_MODEL_MAX_QP);
	return 0;
}

int
avf_model_vc_config_irq_map(struct avf_model *m, uint16_t nb_qp)
{
	uint8_t buf[sizeof(struct virtchnl_irq_map_info) +
		AVF_MODEL_MAX_VECTORS * sizeof(struct virtchnl_vector_map)];
	struct virtchnl_irq_map_info *vimi = (void *)buf;
	uint16_t nb_vec, q_vectors, v, q;

	nb_vec = RTE_MIN((uint32_t)nb_qp + 1, m->nb_vectors);
	if (m->vf_res != NULL)
		nb_vec = RTE_MIN(nb_vec, m->vf_res->max_vectors);
	if (nb_vec < 2)
		return -EINVAL;
	q_vectors = nb_vec - 1;
	memset(buf, 0, sizeof(buf));
	vimi->num_vectors = nb_vec;
	/* iavf_map_queues(): queue vectors, rings round robin */
	for (v = 0; v < q_vectors; v++) {
		struct virtchnl_vector_map *vm = &vimi->vecmap[v];
		uint16_t mask = 0;

		for (q = v; q < nb_qp; q += q_vectors)
			mask |= RTE_BIT32(q);
		vm->vsi_id = m->vsi_id;
		vm->vector_id = v + 1;
		vm->txq_map = mask;
		vm->rxq_map = mask;
		vm->rxitr_idx = 0;	/* IAVF_RX_ITR */
		vm->txitr_idx = 1;	/* IAVF_TX_ITR */
	}
	/* misc vector last, AdminQ only */
	vimi->vecmap[v].vsi_id = m->vsi_id;
	vimi->vecmap[v].vector_id = 0;
	return avf_model_vc_call(m, VIRTCHNL_OP_CONFIG_IRQ_MAP, buf,
			sizeof(*vimi) + (nb_vec - 1) *
			sizeof(struct virtchnl_vector_map),
			AVF_MODEL_REPLY_TIMEOUT_MS);
}

int
avf_model_vc_config_rss(struct avf_model *m)
{
	uint8_t buf[sizeof(struct virtchnl_rss_lut) + 256];
	struct virtchnl_rss_key *vrk = (void *)buf;
	struct virtchnl_rss_lut *vrl = (void *)buf;
	uint16_t key_len, lut_len, i;
	int ret;

	if (m->vf_res == NULL)
		return -EINVAL;
	key_len = RTE_MIN(m->vf_res->rss_key_size, sizeof(m->rss_key));
	lut_len = RTE_MIN(m->vf_res->rss_lut_size, sizeof(m->rss_lut));
	if (key_len == 0 || lut_len == 0)
		return -EINVAL;
	/* netdev_rss_key_fill() is random; any key will do */
	for (i = 0; i < key_len; i++)
		m->rss_key[i] = (uint8_t)(0x6d + 29 * i);
	/* iavf_fill_rss_lut(): i % num_active_queues */
	for (i = 0; i < lut_len; i++)
		m->rss_lut[i] = i % RTE_MAX(m->num_qp, (uint16_t)1);

	/* iavf_set_rss_key(): legacy size, sizeof + key_len - 1 */
	memset(buf, 0, sizeof(buf));
	vrk->vsi_id = m->vsi_id;
	vrk->key_len = key_len;
	memcpy(vrk->key, m->rss_key, key_len);
	ret = avf_model_vc_call(m, VIRTCHNL_OP_CONFIG_RSS_KEY, buf,
			sizeof(*vrk) + key_len - 1,
			AVF_MODEL_REPLY_TIMEOUT_MS);
	if (ret != 0)
		return ret;
	memset(buf, 0, sizeof(buf));
	vrl->vsi_id = m->vsi_id;
	vrl->lut_entries = lut_len;
	memcpy(vrl->lut, m->rss_lut, lut_len);
	return avf_model_vc_call(m, VIRTCHNL_OP_CONFIG_RSS_LUT, buf,
			sizeof(*vrl) + lut_len - 1,
			AVF_MODEL_REPLY_TIMEOUT_MS);
}

int
avf_model_vc_mac(struct avf_model *m, bool add,
		const struct rte_ether_addr *mac, uint8_t type)
{
	struct virtchnl_ether_addr_list l;

	memset(&l, 0, sizeof(l));
	l.vsi_id = m->vsi_id;
	l.num_elements = 1;
	memcpy(l.list[0].addr, mac, RTE_ETHER_ADDR_LEN);
	l.list[0].type = type;
	return avf_model_vc_call(m, add ? VIRTCHNL_OP_ADD_ETH_ADDR :
			VIRTCHNL_OP_DEL_ETH_ADDR, &l, sizeof(l),
			AVF_MODEL_REPLY_TIMEOUT_MS);
}

int
avf_model_vc_config_queues(struct avf_model *m, uint16_t nb_qp,
		uint32_t max_pkt_size)
{
	uint8_t buf[sizeof(struct virtchnl_vsi_queue_config_info) +
		AVF_MODEL_MAX_QP * sizeof(struct virtchnl_queue_pair_info)];
	struct virtchnl_vsi_queue_config_info *vqci = (void *)buf;
	uint16_t i;

	if (nb_qp == 0 || nb_qp > AVF_MODEL_MAX_QP)
		return -EINVAL;
	memset(buf, 0, sizeof(buf));
	vqci->vsi_id = m->vsi_id;
	vqci->num_queue_pairs = nb_qp;
	/* iavf_configure_queues() */
	for (i = 0; i < nb_qp; i++) {
		struct virtchnl_queue_pair_info *qp = &vqci->qpair[i];
		const struct avf_model_txq *tq = &m->txq[i];
		const struct avf_model_rxq *rq = &m->rxq[i];

		if (tq->m == NULL || rq->m == NULL)
			return -EINVAL;
		qp->txq.vsi_id = m->vsi_id;
		qp->txq.queue_id = i;
		qp->txq.ring_len = tq->len;
		qp->txq.dma_ring_addr = tq->ring_iova;
		qp->rxq.vsi_id = m->vsi_id;
		qp->rxq.queue_id = i;
		qp->rxq.ring_len = rq->len;
		qp->rxq.databuffer_size = rq->buf_size;
		qp->rxq.max_pkt_size = max_pkt_size;
		qp->rxq.dma_ring_addr = rq->ring_iova;
	}
	return avf_model_vc_call(m, VIRTCHNL_OP_CONFIG_VSI_QUEUES, buf,
			sizeof(*vqci) + (nb_qp - 1) *
			sizeof(struct virtchnl_queue_pair_info),
			AVF_MODEL_REPLY_TIMEOUT_MS);
}

int
avf_model_vc_queues(struct avf_model *m, bool enable, uint32_t rx_mask,
		uint32_t tx_mask)
{
	struct virtchnl_queue_select vqs;

	memset(&vqs, 0, sizeof(vqs));
	vqs.vsi_id = m->vsi_id;
	vqs.rx_queues = rx_mask;
	vqs.tx_queues = tx_mask;
	return avf_model_vc_call(m, enable ? VIRTCHNL_OP_ENABLE_QUEUES :
			VIRTCHNL_OP_DISABLE_QUEUES, &vqs, sizeof(vqs),
			AVF_MODEL_REPLY_TIMEOUT_MS);
}

int
avf_model_vc_promisc(struct avf_model *m, uint16_t flags)
{
	struct virtchnl_promisc_info vpi;

	memset(&vpi, 0, sizeof(vpi));
	vpi.vsi_id = m->vsi_id;
	vpi.flags = flags;
	return avf_model_vc_call(m, VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE, &vpi,
			sizeof(vpi), AVF_MODEL_REPLY_TIMEOUT_MS);
}

int
avf_model_vc_vlan(struct avf_model *m, bool add, uint16_t vid)
{
	/* virtchnl_vlan_filter_list with one id: 6 bytes, as Linux sends */
	uint16_t msg[3] = { m->vsi_id, 1, vid };

	return avf_model_vc_call(m, add ? VIRTCHNL_OP_ADD_VLAN :
			VIRTCHNL_OP_DEL_VLAN, msg, sizeof(msg),
			AVF_MODEL_REPLY_TIMEOUT_MS);
}

int
avf_model_vc_vlan_strip(struct avf_model *m, bool enable)
{
	return avf_model_vc_call(m, enable ?
			VIRTCHNL_OP_ENABLE_VLAN_STRIPPING :
			VIRTCHNL_OP_DISABLE_VLAN_STRIPPING, NULL, 0,
			AVF_MODEL_REPLY_TIMEOUT_MS);
}

int
avf_model_vc_get_stats(struct avf_model *m, struct virtchnl_eth_stats *stats)
{
	struct virtchnl_queue_select vqs;
	int ret;

	memset(&vqs, 0, sizeof(vqs));
	vqs.vsi_id = m->vsi_id;
	ret = avf_model_vc_call(m, VIRTCHNL_OP_GET_STATS, &vqs, sizeof(vqs),
			AVF_MODEL_REPLY_TIMEOUT_MS);
	if (ret != 0)
		return ret;
	if (m->reply.len < sizeof(*stats))
		return -EPROTO;
	memcpy(stats, m->reply.data, sizeof(*stats));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Linux driver flows */

int
avf_model_linux_probe(struct avf_model *m, uint32_t caps)
{
	int ret;

	/* iavf_probe(): pci_enable_device_mem(), pci_set_master() */
	ret = avf_model_pci_enable(m);
	if (ret != 0)
		return ret;
	/* iavf_startup(): iavf_check_reset_complete() */
	ret = avf_model_wait_reset_done(m, false, AVF_MODEL_RESET_DONE_MS);
	if (ret < 0)
		return ret;
	ret = avf_model_aq_init(m);
	if (ret != 0)
		return ret;
	ret = avf_model_vc_version(m);
	if (ret != 0)
		return ret;
	ret = avf_model_vc_get_resources(m, caps);
	if (ret != 0)
		return ret;
	/* iavf_request_misc_irq() -> iavf_misc_irq_enable() */
	avf_model_irq_enable(m, 0);
	avf_model_wr32(m, IAVF_VFINT_ICR0_ENA1,
			IAVF_VFINT_ICR0_ENA1_ADMINQ_MASK);
	ret = avf_model_vc_config_irq_map(m, m->num_qp);
	if (ret != 0)
		return ret;
	if (m->caps & VIRTCHNL_VF_OFFLOAD_RSS_PF) {
		ret = avf_model_vc_config_rss(m);
		if (ret != 0)
			return ret;
	}
	return 0;
}

int
avf_model_linux_open(struct avf_model *m, uint16_t nb_qp, uint16_t ring_len)
{
	uint64_t end;
	uint32_t mask;
	uint16_t i;
	int ret;

	if (nb_qp == 0 || nb_qp > m->num_qp)
		return -EINVAL;
	for (i = 0; i < nb_qp; i++) {
		/* iavf_setup_all_tx/rx_resources(): fresh rings */
		if (avf_model_txq_setup(m, i, ring_len, 2048) == NULL ||
				avf_model_rxq_setup(m, i, ring_len, 2048) ==
				NULL)
			return -ENOMEM;
		/* iavf_alloc_rx_buffers(): tail before queue config */
		avf_model_rx_post(&m->rxq[i], avf_model_rxq_free(&m->rxq[i]));
		avf_model_rx_kick(&m->rxq[i]);
	}
	ret = avf_model_vc_mac(m, true, &m->mac, VIRTCHNL_ETHER_ADDR_PRIMARY);
	if (ret != 0)
		return ret;
	ret = avf_model_vc_config_queues(m, nb_qp, 1522);
	if (ret != 0)
		return ret;
	mask = RTE_BIT32(nb_qp) - 1;
	ret = avf_model_vc_queues(m, true, mask, mask);
	if (ret != 0)
		return ret;
	/* iavf_irq_enable(): every queue vector */
	for (i = 1; i < RTE_MIN((uint32_t)nb_qp + 1, m->nb_vectors); i++)
		avf_model_irq_enable(m, i);
	end = now_ms() + AVF_MODEL_LINK_TIMEOUT_MS;
	while (!m->link_up && now_ms() < end)
		avf_model_poll_events(m, 10);
	return m->link_up ? 0 : -ENOLINK;
}

int
avf_model_linux_close(struct avf_model *m, uint16_t nb_qp)
{
	uint32_t mask = RTE_BIT32(nb_qp) - 1;
	int ret;

	ret = avf_model_vc_mac(m, false, &m->mac,
			VIRTCHNL_ETHER_ADDR_PRIMARY);
	if (ret != 0)
		return ret;
	return avf_model_vc_queues(m, false, mask, mask);
}

static int
wait_arq_disabled(struct avf_model *m, uint32_t timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;

	for (;;) {
		uint32_t v = avf_model_rd32(m, IAVF_VF_ARQLEN1);

		if (v != UINT32_MAX && !(v & IAVF_VF_ARQLEN1_ARQENABLE_MASK))
			return 0;
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_us(5000);
	}
}

int
avf_model_linux_reset(struct avf_model *m)
{
	uint16_t cmd;
	int ret;

	/* iavf_reset_task() with IAVF_FLAG_RESET_NEEDED */
	avf_model_aq_shutdown(m);
	ret = avf_model_aq_init(m);
	if (ret != 0)
		return ret;
	ret = avf_model_vc_send(m, VIRTCHNL_OP_RESET_VF, NULL, 0);
	if (ret != 0)
		return ret;
	/* "poll until we see the reset actually happen" */
	ret = wait_arq_disabled(m, AVF_MODEL_RESET_DETECT_MS);
	if (ret != 0)
		return ret;
	ret = avf_model_wait_reset_done(m, true, AVF_MODEL_RESET_DONE_MS);
	if (ret < 0)
		return ret;
	/* pci_set_master() */
	ret = avf_model_cfg_read(m, PCI_CFG_COMMAND, &cmd, sizeof(cmd));
	if (ret != 0)
		return ret;
	cmd |= rte_cpu_to_le_16(PCI_CMD_MEMORY | PCI_CMD_MASTER);
	avf_model_cfg_write(m, PCI_CFG_COMMAND, &cmd, sizeof(cmd));
	m->link_up = false;
	avf_model_aq_shutdown(m);
	ret = avf_model_aq_init(m);
	if (ret != 0)
		return ret;
	/* IAVF_FLAG_AQ_GET_CONFIG: no new VERSION after a reset */
	ret = avf_model_vc_get_resources(m, m->caps_requested);
	if (ret != 0)
		return ret;
	avf_model_irq_enable(m, 0);
	avf_model_wr32(m, IAVF_VFINT_ICR0_ENA1,
			IAVF_VFINT_ICR0_ENA1_ADMINQ_MASK);
	return avf_model_vc_config_irq_map(m, m->num_qp);
}

int
avf_model_linux_remove(struct avf_model *m)
{
	int ret;

	/* iavf_remove(): iavf_request_reset(), then iavf_shutdown_adminq() */
	ret = avf_model_vc_send(m, VIRTCHNL_OP_RESET_VF, NULL, 0);
	if (ret != 0)
		return ret;
	sleep_us(50 * 1000);
	return avf_model_aq_shutdown(m);
}

/* ------------------------------------------------------------------ */
/* Data path */

struct avf_model_txq *
avf_model_txq_setup(struct avf_model *m, uint16_t qid, uint16_t len,
		uint32_t buf_size)
{
	struct avf_model_txq *q;
	void *va;

	if (qid >= AVF_MODEL_MAX_QP || len < 2)
		return NULL;
	q = &m->txq[qid];
	if (q->m != NULL && q->len == len && q->buf_size == buf_size) {
		/* same geometry: fresh ring in the same guest memory */
		memset((void *)(uintptr_t)q->ring, 0,
			(size_t)len * sizeof(struct iavf_tx_desc));
		q->next_to_use = 0;
		q->next_to_clean = 0;
		q->rs_head = 0;
		q->rs_tail = 0;
		return q;
	}
	free(q->rs_idx);
	memset(q, 0, sizeof(*q));
	q->rs_idx = calloc(len, sizeof(*q->rs_idx));
	if (q->rs_idx == NULL)
		return NULL;
	q->ring_iova = avf_model_alloc(m, (uint64_t)len *
			sizeof(struct iavf_tx_desc), 4096, &va);
	if (q->ring_iova == 0)
		return NULL;
	q->ring = va;
	q->bufs_iova = avf_model_alloc(m, (uint64_t)len * buf_size, 4096,
			&va);
	if (q->bufs_iova == 0)
		return NULL;
	q->bufs = va;
	q->qid = qid;
	q->len = len;
	q->buf_size = buf_size;
	q->m = m;
	return q;
}

struct avf_model_rxq *
avf_model_rxq_setup(struct avf_model *m, uint16_t qid, uint16_t len,
		uint32_t buf_size)
{
	struct avf_model_rxq *q;
	void *va;

	if (qid >= AVF_MODEL_MAX_QP || len < 2)
		return NULL;
	q = &m->rxq[qid];
	if (q->m != NULL && q->len == len && q->buf_size == buf_size) {
		memset((void *)(uintptr_t)q->ring, 0,
			(size_t)len * sizeof(union iavf_32byte_rx_desc));
		q->next_to_use = 0;
		q->next_to_clean = 0;
		return q;
	}
	memset(q, 0, sizeof(*q));
	q->ring_iova = avf_model_alloc(m, (uint64_t)len *
			sizeof(union iavf_32byte_rx_desc), 4096, &va);
	if (q->ring_iova == 0)
		return NULL;
	q->ring = va;
	q->bufs_iova = avf_model_alloc(m, (uint64_t)len * buf_size, 4096,
			&va);
	if (q->bufs_iova == 0)
		return NULL;
	q->bufs = va;
	q->qid = qid;
	q->len = len;
	q->buf_size = buf_size;
	q->m = m;
	return q;
}

uint16_t
avf_model_tx_free(const struct avf_model_txq *q)
{
	/* IAVF_DESC_UNUSED() */
	return (uint16_t)((q->next_to_clean > q->next_to_use ? 0 : q->len) +
			q->next_to_clean - q->next_to_use - 1);
}

void *
avf_model_tx_buf(struct avf_model_txq *q, uint16_t slot, uint64_t *iova)
{
	slot %= q->len;
	if (iova != NULL)
		*iova = q->bufs_iova + (uint64_t)slot * q->buf_size;
	return q->bufs + (size_t)slot * q->buf_size;
}

static void
tx_put(struct avf_model_txq *q, uint64_t qw0, uint64_t qw1)
{
	volatile struct iavf_tx_desc *d = &q->ring[q->next_to_use];

	d->buffer_addr = rte_cpu_to_le_64(qw0);
	d->cmd_type_offset_bsz = rte_cpu_to_le_64(qw1);
	q->next_to_use = (q->next_to_use + 1) % q->len;
}

int
avf_model_tx_data(struct avf_model_txq *q, uint64_t iova, uint16_t len,
		uint32_t cmd, uint32_t offset)
{
	return avf_model_tx_data_tag(q, iova, len, cmd, offset, 0);
}

int
avf_model_tx_data_tag(struct avf_model_txq *q, uint64_t iova, uint16_t len,
		uint32_t cmd, uint32_t offset, uint16_t tag)
{
	uint64_t qw1;

	if (avf_model_tx_free(q) == 0)
		return -ENOSPC;
	/* build_ctob() */
	qw1 = IAVF_TX_DESC_DTYPE_DATA |
		((uint64_t)cmd << IAVF_TXD_QW1_CMD_SHIFT) |
		((uint64_t)offset << IAVF_TXD_QW1_OFFSET_SHIFT) |
		((uint64_t)len << IAVF_TXD_QW1_TX_BUF_SZ_SHIFT) |
		((uint64_t)tag << IAVF_TXD_QW1_L2TAG1_SHIFT);
	if (cmd & IAVF_TX_DESC_CMD_RS) {
		q->rs_idx[q->rs_tail] = q->next_to_use;
		q->rs_tail = (q->rs_tail + 1) % q->len;
	}
	tx_put(q, iova, qw1);
	return 0;
}

int
avf_model_tx_ctx_tso(struct avf_model_txq *q, uint32_t tso_len, uint16_t mss)
{
	uint64_t qw1;

	if (avf_model_tx_free(q) == 0)
		return -ENOSPC;
	/* iavf_tso() + iavf_create_tx_ctx() */
	qw1 = IAVF_TX_DESC_DTYPE_CONTEXT |
		((uint64_t)IAVF_TX_CTX_DESC_TSO << IAVF_TXD_CTX_QW1_CMD_SHIFT) |
		((uint64_t)tso_len << IAVF_TXD_CTX_QW1_TSO_LEN_SHIFT) |
		((uint64_t)mss << IAVF_TXD_CTX_QW1_MSS_SHIFT);
	tx_put(q, 0, qw1);
	return 0;
}

int
avf_model_tx_pkt(struct avf_model_txq *q, const void *data, uint16_t len)
{
	uint64_t iova;
	void *buf;

	if (len > q->buf_size)
		return -E2BIG;
	buf = avf_model_tx_buf(q, q->next_to_use, &iova);
	memcpy(buf, data, len);
	/* the kernel sets EOP|RS on every packet and ICRC always */
	return avf_model_tx_data(q, iova, len, IAVF_TX_DESC_CMD_EOP |
			IAVF_TX_DESC_CMD_RS | IAVF_TX_DESC_CMD_ICRC, 0);
}

int
avf_model_tx_kick(struct avf_model_txq *q)
{
	rte_wmb();
	return avf_model_wr32(q->m, IAVF_QTX_TAIL1(q->qid), q->next_to_use);
}

uint16_t
avf_model_tx_reap(struct avf_model_txq *q)
{
	uint16_t n = 0;

	/* iavf_clean_tx_irq(): DTYPE of the EOP/RS descriptor */
	while (q->rs_head != q->rs_tail) {
		uint16_t idx = q->rs_idx[q->rs_head];
		uint64_t qw1 = rte_le_to_cpu_64(
				q->ring[idx].cmd_type_offset_bsz);

		if ((qw1 & IAVF_TXD_QW1_DTYPE_MASK) !=
				IAVF_TX_DESC_DTYPE_DESC_DONE)
			break;
		q->rs_head = (q->rs_head + 1) % q->len;
		q->next_to_clean = (idx + 1) % q->len;
		n++;
	}
	rte_rmb();
	q->completed += n;
	return n;
}

uint16_t
avf_model_rxq_free(const struct avf_model_rxq *q)
{
	return (uint16_t)((q->next_to_clean > q->next_to_use ? 0 : q->len) +
			q->next_to_clean - q->next_to_use - 1);
}

uint16_t
avf_model_rx_post(struct avf_model_rxq *q, uint16_t n)
{
	uint16_t i;

	n = RTE_MIN(n, avf_model_rxq_free(q));
	for (i = 0; i < n; i++) {
		volatile union iavf_32byte_rx_desc *d =
			&q->ring[q->next_to_use];

		d->read.pkt_addr = rte_cpu_to_le_64(q->bufs_iova +
				(uint64_t)q->next_to_use * q->buf_size);
		d->read.hdr_addr = 0;
		d->read.rsvd1 = 0;
		d->read.rsvd2 = 0;
		q->next_to_use = (q->next_to_use + 1) % q->len;
	}
	return n;
}

int
avf_model_rx_kick(struct avf_model_rxq *q)
{
	rte_wmb();
	return avf_model_wr32(q->m, IAVF_QRX_TAIL1(q->qid), q->next_to_use);
}

uint16_t
avf_model_rx_reap(struct avf_model_rxq *q, struct avf_model_rx_pkt *pkts,
		uint16_t max)
{
	uint16_t n = 0;

	while (n < max && q->next_to_clean != q->next_to_use) {
		volatile union iavf_32byte_rx_desc *d =
			&q->ring[q->next_to_clean];
		uint64_t qw1 = rte_le_to_cpu_64(d->wb.qword1.status_error_len);
		struct avf_model_rx_pkt *p = &pkts[n];

		if (!(qw1 & RTE_BIT64(IAVF_RX_DESC_STATUS_DD_SHIFT)))
			break;
		rte_rmb();
		p->qw1 = qw1;
		p->status = (qw1 & IAVF_RXD_QW1_STATUS_MASK) >>
			IAVF_RXD_QW1_STATUS_SHIFT;
		p->error = (qw1 & IAVF_RXD_QW1_ERROR_MASK) >>
			IAVF_RXD_QW1_ERROR_SHIFT;
		p->ptype = (qw1 & IAVF_RXD_QW1_PTYPE_MASK) >>
			IAVF_RXD_QW1_PTYPE_SHIFT;
		p->len = (qw1 & IAVF_RXD_QW1_LENGTH_PBUF_MASK) >>
			IAVF_RXD_QW1_LENGTH_PBUF_SHIFT;
		p->eof = !!(qw1 & RTE_BIT64(IAVF_RX_DESC_STATUS_EOF_SHIFT));
		p->rss = rte_le_to_cpu_32(d->wb.qword0.hi_dword.rss);
		p->l2tag1 = rte_le_to_cpu_16(d->wb.qword0.lo_dword.l2tag1);
		p->data = q->bufs + (size_t)q->next_to_clean * q->buf_size;
		q->next_to_clean = (q->next_to_clean + 1) % q->len;
		n++;
	}
	return n;
}
