/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Resets of the emulated AVF. Every reset, whatever started it, runs the
 * same three steps, in the order an Intel PF resets a VF (i40e/ice
 * i40e_reset_vf(): VFGEN_RSTAT INPROGRESS, VF disabled, state freed,
 * COMPLETED, resources rebuilt, VFACTIVE):
 *
 *  1. disable:  VFGEN_RSTAT = INPROGRESS; ATQLEN = ARQLEN = 0 (the admin
 *               queue is disabled, which is how both drivers detect a
 *               reset: ARQLEN.ARQENABLE == 0); queued replies dropped;
 *               every queue stopped and its tail doorbell cleared.
 *  2. teardown: virtchnl state (filters, RSS, capabilities), interrupt
 *               state and registers, doorbell page; VFGEN_RSTAT = COMPLETED.
 *  3. finish:   VFGEN_RSTAT = VFACTIVE; emudev RESET event.
 *
 * A VF reset (virtchnl RESET_VF) is asynchronous, as on hardware where the
 * PF acts on the mailbox after the VF's ATQ tail write returned: the
 * RESET_VF descriptor is completed (DD, ATQH past it) and nothing else
 * happens in that write. Each later trapped BAR0 access of the guest first
 * applies the next step, so a driver polling RSTAT sees INPROGRESS,
 * COMPLETED and VFACTIVE in order. ATQ/ARQ head, tail and base registers
 * keep their values through a VF reset: a driver still walking the ARQ
 * (DPDK net_iavf's interrupt callback reads ARQH and takes every slot up
 * to it without checking DD) sees no new message instead of a head that
 * jumped back to 0. Both drivers rewrite all of them when they
 * re-initialise the admin queue after the reset.
 *
 * A function reset (FLR, vfio-user DEVICE_RESET, loss of the client) runs
 * the three steps at once and also resets every other register and the PCI
 * function state: PCIe gives the function 100 ms in which software does
 * not touch it, and without a client nobody is reading. FLR and
 * DEVICE_RESET keep the admin queue heads, tails and bases as a VF reset
 * does: on a VF reset or VF FLR an ice PF writes 0 to the VF's ATQLEN and
 * ARQLEN only (ice_trigger_vf_reset(); the hardware clears the mailbox
 * registers on a PF reset, not on these). Linux iavf relies on it:
 * it finds an FLR only in its watchdog, after the messages already queued,
 * and each send first reclaims ATQ slots up to ATQH; an ATQH that jumped
 * back to 0 makes it wipe the slot it just filled and wait for that
 * message (250 ms of polls) until it fails with -ETIMEDOUT.
 * Losing the client resets them too: the next client's guest starts afresh.
 *
 * Tails a guest writes while a reset is under way (Linux keeps
 * transmitting until it sees VFACTIVE and stops its queues) are dropped
 * and counted (attribute "stale_tails"); a queue's head, completion index
 * and TX tail are re-synchronised when the guest configures or enables it
 * (iavf_emu_queue_resync()), so a stale tail is never consumed.
 */

#include <rte_common.h>

#include "iavf_emu.h"


/* Step 1: the VF stops; nothing the guest reads changes but ATQLEN/ARQLEN. */
static void
reset_disable(struct iavf_emu_dev *dev)
{
	iavf_emu_regs_set_rstat(dev, VIRTCHNL_VFR_INPROGRESS);
	iavf_emu_aq_disable(dev);
	iavf_emu_queues_reset(dev);
	iavf_emu_tails_clear(dev, "queue stopped by a reset");
	dev->vfr = IAVF_EMU_VFR_INPROGRESS;
}

/* Step 2: forget what the guest configured. */
static void
reset_teardown(struct iavf_emu_dev *dev, enum iavf_emu_reset_cause cause)
{
	iavf_emu_vc_reset(dev);
	/* tails written since step 1 are stale: counted, then cleared */
	iavf_emu_tails_clear(dev, "written during a reset");
	iavf_emu_regs_reset(dev, cause != IAVF_EMU_RESET_CLIENT);
	iavf_emu_aq_reset(dev);
	iavf_emu_irq_reset(dev);
	if (cause != IAVF_EMU_RESET_VF)
		iavf_emu_pci_reset(dev);
	iavf_emu_regs_set_rstat(dev, VIRTCHNL_VFR_COMPLETED);
	dev->vfr = IAVF_EMU_VFR_COMPLETED;
}

/* Step 3: the VF may talk to the PF again. */
static void
reset_finish(struct iavf_emu_dev *dev)
{
	iavf_emu_regs_set_rstat(dev, VIRTCHNL_VFR_VFACTIVE);
	dev->vfr = IAVF_EMU_VFR_IDLE;
	iavf_emu_event(dev, RTE_EMUDEV_EVENT_RESET, 0, false);
}

/*
 * Called first by every trapped BAR0 access: apply the next step of a VF
 * reset, one per access.
 */
void
iavf_emu_reset_step(struct iavf_emu_dev *dev)
{
	switch (dev->vfr) {
	case IAVF_EMU_VFR_REQUESTED:
		IAVF_EMU_LOG(DEBUG, "%s: VF reset in progress", dev->name);
		reset_disable(dev);
		break;
	case IAVF_EMU_VFR_INPROGRESS:
		IAVF_EMU_LOG(DEBUG, "%s: VF reset completed", dev->name);
		reset_teardown(dev, IAVF_EMU_RESET_VF);
		break;
	case IAVF_EMU_VFR_COMPLETED:
		IAVF_EMU_LOG(DEBUG, "%s: VF active", dev->name);
		reset_finish(dev);
		break;
	case IAVF_EMU_VFR_IDLE:
	default:
		break;
	}
}

/*
 * Start a reset. RESET_VF only marks the reset requested (the ATQ stops
 * after its descriptor); the other causes reset the function now.
 */
void
iavf_emu_reset(struct iavf_emu_dev *dev, enum iavf_emu_reset_cause cause)
{
	if (cause == IAVF_EMU_RESET_VF) {
		iavf_emu_vf_reset_request(dev);
		return;
	}
	iavf_emu_reset_count(dev, cause);
	/* A function reset takes over a VF reset at whatever step it is. */
	if (dev->vfr != IAVF_EMU_VFR_INPROGRESS &&
	    dev->vfr != IAVF_EMU_VFR_COMPLETED)
		reset_disable(dev);
	reset_teardown(dev, cause);
	reset_finish(dev);
}
