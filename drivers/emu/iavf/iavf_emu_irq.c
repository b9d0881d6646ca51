/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * MSI-X interrupts of the emulated AVF.
 *
 * Vector 0 (admin queue, "misc") is driven by VFINT_ICR01, VFINT_ICR0_ENA1
 * and VFINT_DYN_CTL01, all trapped, on the control thread. Vectors 1..N
 * belong to the queues the guest mapped with CONFIG_IRQ_MAP and are
 * controlled by VFINT_DYN_CTLN1(v - 1) in the doorbell page, which the
 * data path reads directly.
 *
 * DYN_CTL model ("auto-masking"): an interrupt fires only while INTENA is
 * set and clears INTENA when it fires; the driver re-arms the vector by
 * writing INTENA again (Linux after NAPI, DPDK after its handler). Events
 * that arrive while the vector is masked, or before the ITR interval has
 * elapsed since the last interrupt, are latched and fired when the
 * condition clears. SWINT_TRIG fires at once and reads back as 0.
 */

#include <assert.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "iavf_emu.h"

#define DYN_INTENA	IAVF_VFINT_DYN_CTLN1_INTENA_MASK
#define DYN_SWINT	IAVF_VFINT_DYN_CTLN1_SWINT_TRIG_MASK
#define DYN_ITR_NONE	3	/* ITR_INDX value "no ITR update" */

static_assert(RTE_IAVF_EMU_DYN_CTLN_SWINT_TRIG == DYN_SWINT &&
	RTE_IAVF_EMU_DYN_CTLN_INTENA == DYN_INTENA,
	"rte_iavf_emu_irq_service() tests the INTENA and SWINT_TRIG bits");

void
iavf_emu_irq_reset(struct iavf_emu_dev *dev)
{
	uint32_t v;

	for (v = 0; v < IAVF_EMU_MAX_VECTORS; v++) {
		rte_atomic_store_explicit(&dev->vec[v].pending, 0, rte_memory_order_relaxed);
		rte_atomic_store_explicit(&dev->vec[v].last_fire, 0, rte_memory_order_relaxed);
	}
	dev->irq0_pending = false;
}

/* Called in the lock window when the client changed eventfds. */
void
iavf_emu_irq_update(struct iavf_emu_dev *dev, uint32_t start, uint32_t count)
{
	uint32_t v;
	bool has_fd;

	for (v = start; v - start < count && v <= dev->num_qp; v++) {
		has_fd = false;
		if (rte_vfio_user_irq_get_state(dev->vfu_id,
				VFIO_PCI_MSIX_IRQ_INDEX, v, &has_fd, NULL) != 0)
			has_fd = false;
		dev->vec[v].has_fd = has_fd;
	}
}

/* Signal a vector. Never into a vector without eventfd or with MSI-X off. */
bool
iavf_emu_irq_fire(struct iavf_emu_dev *dev, uint32_t vector)
{
	int ret;

	if (vector > dev->num_qp)
		return false;
	if (rte_atomic_load_explicit(&dev->msix_enabled, rte_memory_order_acquire) == 0 ||
	    !dev->vec[vector].has_fd) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_IRQ,
			"vector %u: MSI-X %s, eventfd %s", vector,
			dev->msix_enabled ? "on" : "off",
			dev->vec[vector].has_fd ? "set" : "missing");
		return false;
	}
	ret = rte_vfio_user_irq_trigger(dev->vfu_id, VFIO_PCI_MSIX_IRQ_INDEX,
					vector);
	if (ret != 0) {
		iavf_emu_count_err(dev, IAVF_EMU_ERR_IRQ,
			"vector %u: trigger failed: %d", vector, ret);
		return false;
	}
	rte_atomic_store_explicit(&dev->vec[vector].last_fire, rte_rdtsc(),
			 rte_memory_order_relaxed);
	return true;
}

static bool
irq_can_fire(struct iavf_emu_dev *dev, uint32_t vector)
{
	return rte_atomic_load_explicit(&dev->msix_enabled, rte_memory_order_acquire) != 0 &&
		dev->vec[vector].has_fd;
}

/* ---------------------------------------------------------- vector 0 */

/*
 * Vector 0 fires for an admin queue event (an ARQ message) not yet
 * delivered, once ICR0_ENA1.ADMINQ and DYN_CTL01.INTENA are both set: an
 * event that arrives while the vector is masked fires when the driver
 * re-arms it. Delivering the interrupt, or the driver reading ICR01
 * (read-to-clear), consumes the event; the ADMINQ bit stays latched in
 * ICR01 until read, but does not fire again by itself: DPDK's interrupt
 * callback never reads ICR01 and re-arms after every walk of the ARQ.
 */
void
iavf_emu_irq0_eval(struct iavf_emu_dev *dev)
{
	uint32_t ena = iavf_emu_reg(dev, IAVF_VFINT_ICR0_ENA1);
	uint32_t ctl = iavf_emu_reg(dev, IAVF_VFINT_DYN_CTL01);

	if (!dev->irq0_pending || !(ena & IAVF_VFINT_ICR0_ENA1_ADMINQ_MASK))
		return;
	if (!(ctl & IAVF_VFINT_DYN_CTL01_INTENA_MASK) ||
	    !irq_can_fire(dev, 0))
		return;
	iavf_emu_reg_set(dev, IAVF_VFINT_DYN_CTL01,
			 ctl & ~IAVF_VFINT_DYN_CTL01_INTENA_MASK);
	dev->irq0_pending = false;
	iavf_emu_irq_fire(dev, 0);
}

/* ------------------------------------------------------ queue vectors */

static uint32_t __rte_atomic *
dyn_ctln(struct iavf_emu_dev *dev, uint32_t vector)
{
	return &dev->db[IAVF_VFINT_DYN_CTLN1(vector - 1) / 4];
}

/* Coarse ITR: the minimum gap between two interrupts of a vector. */
static bool
irq_throttled(struct iavf_emu_dev *dev, uint32_t vector, uint32_t ctl,
		uint8_t itr_idx)
{
	uint32_t idx = (ctl & IAVF_VFINT_DYN_CTLN1_ITR_INDX_MASK) >>
		IAVF_VFINT_DYN_CTLN1_ITR_INDX_SHIFT;
	uint32_t usec;
	uint64_t last, gap;

	if (idx != DYN_ITR_NONE) {
		/* The re-arm write carries the interval for this index. */
		usec = ((ctl & IAVF_VFINT_DYN_CTLN1_INTERVAL_MASK) >>
			IAVF_VFINT_DYN_CTLN1_INTERVAL_SHIFT) * 2;
	} else if (itr_idx < DYN_ITR_NONE) {
		usec = (rte_atomic_load_explicit(
			&dev->db[IAVF_VFINT_ITRN1(itr_idx, vector - 1) / 4],
			rte_memory_order_relaxed) & 0xFFF) * 2;
	} else {
		return false;
	}
	if (usec == 0)
		return false;
	last = rte_atomic_load_explicit(&dev->vec[vector].last_fire, rte_memory_order_relaxed);
	gap = rte_get_tsc_hz() / 1000000 * usec;
	return rte_rdtsc() - last < gap;
}

/* Fire once: clear INTENA in the register the guest re-arms. */
static bool
irq_consume_intena(uint32_t __rte_atomic *reg, uint32_t ctl, uint32_t clear)
{
	return rte_atomic_compare_exchange_strong_explicit(reg, &ctl,
			ctl & ~clear, rte_memory_order_acq_rel,
			rte_memory_order_acquire);
}

/*
 * Deliver what is latched for a queue vector: SWINT_TRIG, or a pending
 * event once INTENA is set and the interval elapsed.
 */
static void
irq_vector_poll(struct iavf_emu_dev *dev, uint32_t vector, uint8_t itr_idx,
		bool throttle)
{
	struct iavf_emu_vector *vec = &dev->vec[vector];
	uint32_t __rte_atomic *reg = dyn_ctln(dev, vector);
	uint32_t ctl = rte_atomic_load_explicit(reg, rte_memory_order_acquire);

	if (ctl & DYN_SWINT) {
		if (irq_consume_intena(reg, ctl, DYN_SWINT | DYN_INTENA)) {
			rte_atomic_store_explicit(&vec->pending, 0, rte_memory_order_release);
			iavf_emu_irq_fire(dev, vector);
		}
		return;
	}
	if (rte_atomic_load_explicit(&vec->pending, rte_memory_order_acquire) == 0 ||
	    !(ctl & DYN_INTENA) || !irq_can_fire(dev, vector))
		return;
	if (throttle && irq_throttled(dev, vector, ctl, itr_idx))
		return;
	if (!irq_consume_intena(reg, ctl, DYN_INTENA))
		return;	/* the guest wrote meanwhile: next poll */
	rte_atomic_store_explicit(&vec->pending, 0, rte_memory_order_release);
	iavf_emu_irq_fire(dev, vector);
}

/* doorbell=trapped: the guest wrote DYN_CTLN1(vector - 1). */
void
iavf_emu_irq_dynctln_written(struct iavf_emu_dev *dev, uint32_t vector)
{
	if (vector == 0 || vector > dev->num_qp)
		return;
	irq_vector_poll(dev, vector, DYN_ITR_NONE, false);
}

/*
 * Map a queue to an interrupt vector (CONFIG_IRQ_MAP) or to none, with
 * what rte_iavf_emu_irq_service() reads inline. Queue access lock held.
 */
void
iavf_emu_queue_set_vector(struct iavf_emu_dev *dev, struct iavf_emu_queue *q,
		uint16_t vector)
{
	q->pub.vector = vector;
	/* as queue_vector(): vector 0 and out-of-range vectors are polled */
	if (vector == 0 || vector > dev->num_qp || dev->db == NULL) {
		q->pub.irq_ctl = NULL;
		q->pub.irq_pending = NULL;
		return;
	}
	q->pub.irq_ctl = (const volatile uint32_t *)(uintptr_t)
		dyn_ctln(dev, vector);
	q->pub.irq_pending = (const volatile uint32_t *)(uintptr_t)
		&dev->vec[vector].pending;
}

static struct iavf_emu_dev *
queue_vector(struct rte_iavf_emu_queue *q, uint32_t *vector)
{
	struct iavf_emu_dev *dev;

	if (q == NULL || q->dev == NULL)
		return NULL;
	dev = q->dev;
	*vector = q->vector;
	/* Queues on vector 0 (DPDK without WB_ON_ITR) are polled. */
	if (*vector == 0 || *vector > dev->num_qp || dev->db == NULL)
		return NULL;
	return dev;
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_queue_notify)
void
rte_iavf_emu_queue_notify(struct rte_iavf_emu_queue *q)
{
	struct iavf_emu_queue *iq = (struct iavf_emu_queue *)q;
	struct iavf_emu_dev *dev;
	uint32_t __rte_atomic *reg;
	uint32_t vector, ctl;

	dev = queue_vector(q, &vector);
	if (dev == NULL)
		return;
	reg = dyn_ctln(dev, vector);
	ctl = rte_atomic_load_explicit(reg, rte_memory_order_acquire);
	if (!(ctl & DYN_INTENA) || !irq_can_fire(dev, vector) ||
	    irq_throttled(dev, vector, ctl, iq->itr_idx) ||
	    !irq_consume_intena(reg, ctl, DYN_INTENA)) {
		rte_atomic_store_explicit(&dev->vec[vector].pending, 1,
				 rte_memory_order_release);
		return;
	}
	rte_atomic_store_explicit(&dev->vec[vector].pending, 0, rte_memory_order_release);
	iavf_emu_irq_fire(dev, vector);
}

RTE_EXPORT_INTERNAL_SYMBOL(rte_iavf_emu_irq_poll)
void
rte_iavf_emu_irq_poll(struct rte_iavf_emu_queue *q)
{
	struct iavf_emu_queue *iq = (struct iavf_emu_queue *)q;
	struct iavf_emu_dev *dev;
	uint32_t vector;

	dev = queue_vector(q, &vector);
	if (dev == NULL)
		return;
	irq_vector_poll(dev, vector, iq->itr_idx, true);
}
