/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device emulation authors
 */

#ifndef _EMU_COMPAT_H_
#define _EMU_COMPAT_H_

/*
 * The device emulation libraries, drivers and tests build on DPDK 22.11,
 * 24.11 and 25.11. This internal header holds what differs between those
 * releases; the code is written for the newest and the older releases get
 * the missing pieces here. It is included by every component of the
 * patchset (they all depend on vfio_user) and is not installed.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_pci.h>
#include <rte_thread.h>
#include <rte_version.h>

/* Atomics: rte_stdatomic.h came with 23.11, use C11 atomics before. */
#if RTE_VERSION_NUM(23, 11, 0, 0) <= RTE_VERSION
#include <rte_stdatomic.h>
#else
#include <stdatomic.h>

#define RTE_ATOMIC(type) _Atomic(type)
#define __rte_atomic _Atomic

#define rte_memory_order_relaxed memory_order_relaxed
#define rte_memory_order_acquire memory_order_acquire
#define rte_memory_order_release memory_order_release
#define rte_memory_order_acq_rel memory_order_acq_rel
#define rte_memory_order_seq_cst memory_order_seq_cst

#define rte_atomic_load_explicit(ptr, memorder) \
	atomic_load_explicit(ptr, memorder)
#define rte_atomic_store_explicit(ptr, val, memorder) \
	atomic_store_explicit(ptr, val, memorder)
#define rte_atomic_exchange_explicit(ptr, val, memorder) \
	atomic_exchange_explicit(ptr, val, memorder)
#define rte_atomic_compare_exchange_strong_explicit(ptr, expected, desired, \
		succ_memorder, fail_memorder) \
	atomic_compare_exchange_strong_explicit(ptr, expected, desired, \
		succ_memorder, fail_memorder)
#define rte_atomic_fetch_add_explicit(ptr, val, memorder) \
	atomic_fetch_add_explicit(ptr, val, memorder)
#define rte_atomic_fetch_sub_explicit(ptr, val, memorder) \
	atomic_fetch_sub_explicit(ptr, val, memorder)
#define rte_atomic_fetch_or_explicit(ptr, val, memorder) \
	atomic_fetch_or_explicit(ptr, val, memorder)
#define rte_atomic_fetch_and_explicit(ptr, val, memorder) \
	atomic_fetch_and_explicit(ptr, val, memorder)
#endif

/* Telemetry (23.03): the unsigned value calls lost their "u64" name. */
#if RTE_VERSION_NUM(23, 3, 0, 0) > RTE_VERSION
#define rte_tel_data_add_dict_uint rte_tel_data_add_dict_u64
#endif

/*
 * PCI configuration space: the rte_pci.h names (23.11) the device
 * emulation uses, defined here for 22.11.
 */
#if RTE_VERSION_NUM(23, 11, 0, 0) > RTE_VERSION
#define RTE_PCI_STATUS			0x06
#define RTE_PCI_BASE_ADDRESS_0		0x10
#define RTE_PCI_CAPABILITY_LIST		0x34
#define RTE_PCI_COMMAND_MEMORY		0x2
#define RTE_PCI_COMMAND_INTX_DISABLE	0x400
#define RTE_PCI_STATUS_CAP_LIST		0x10
#define RTE_PCI_CAP_ID_MSIX		0x11
#define RTE_PCI_CAP_NEXT		1
#define RTE_PCI_MSIX_FLAGS		2
#define RTE_PCI_MSIX_FLAGS_MASKALL	0x4000
#define RTE_PCI_MSIX_FLAGS_ENABLE	0x8000
#define RTE_PCI_MSIX_TABLE		4
#endif

/*
 * Symbol exports: from 25.07 the version maps are generated from these
 * annotations in the sources; before, the version.map files list the
 * symbols and the annotations expand to nothing.
 */
#if RTE_VERSION_NUM(25, 7, 0, 0) <= RTE_VERSION
#include <eal_export.h>
#else
#define RTE_EXPORT_EXPERIMENTAL_SYMBOL(symbol, ver)
#define RTE_EXPORT_INTERNAL_SYMBOL(symbol)
#define RTE_EXPORT_SYMBOL(symbol)
#endif

/*
 * Log lines (24.03): one line with its newline added, prefixed by the
 * log type's name. Drivers use these; RTE_LOGTYPE_<type> is their log
 * type variable.
 */
#ifndef RTE_LOG_LINE
#define RTE_LOG_LINE(level, type, ...) \
	rte_log(RTE_LOG_ ## level, RTE_LOGTYPE_ ## type, \
		RTE_FMT(#type ": " RTE_FMT_HEAD(__VA_ARGS__ ,) "\n", \
			RTE_FMT_TAIL(__VA_ARGS__ ,)))
#define RTE_LOG_LINE_PREFIX(level, type, prefix, args, ...) \
	rte_log(RTE_LOG_ ## level, RTE_LOGTYPE_ ## type, \
		RTE_FMT(#type ": " prefix RTE_FMT_HEAD(__VA_ARGS__ ,) "\n", \
			args, RTE_FMT_TAIL(__VA_ARGS__ ,)))
#endif

/*
 * Internal control threads (23.11): rte_thread_create_internal_control()
 * names the thread "dpdk-" NAME; 22.11 has rte_ctrl_thread_create() with
 * a pthread start routine. Returns 0 or a negative errno value.
 */
#if RTE_VERSION_NUM(23, 11, 0, 0) <= RTE_VERSION
#define emu_thread_create_control rte_thread_create_internal_control
#else
#include <pthread.h>
#include <rte_lcore.h>

#define RTE_THREAD_INTERNAL_NAME_SIZE 11

struct emu_thread_start {
	rte_thread_func func;
	void *arg;
};

static inline void *
emu_thread_start(void *p)
{
	struct emu_thread_start start = *(struct emu_thread_start *)p;

	free(p);
	return (void *)(uintptr_t)start.func(start.arg);
}

static inline int
emu_thread_create_control(rte_thread_t *id, const char *name,
		rte_thread_func func, void *arg)
{
	char full[RTE_MAX_THREAD_NAME_LEN];
	struct emu_thread_start *start;
	pthread_t tid;
	int ret;

	start = malloc(sizeof(*start));
	if (start == NULL)
		return -ENOMEM;
	start->func = func;
	start->arg = arg;
	snprintf(full, sizeof(full), "dpdk-%s", name);
	ret = rte_ctrl_thread_create(&tid, full, NULL, emu_thread_start,
			start);
	if (ret != 0) {
		free(start);
		return ret;
	}
	id->opaque_id = (uintptr_t)tid;
	return 0;
}
#endif

#endif /* _EMU_COMPAT_H_ */
