/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_LOG_H_
#define _VFIO_USER_LOG_H_

#include <rte_log.h>

extern int vfio_user_logtype;

#define VFIO_USER_LOG(level, fmt, args...) \
	rte_log(RTE_LOG_ ## level, vfio_user_logtype, \
		"VFIO_USER: " fmt "\n", ## args)

#endif /* _VFIO_USER_LOG_H_ */
