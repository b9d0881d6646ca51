/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

#ifndef _VFIO_USER_CAPS_H_
#define _VFIO_USER_CAPS_H_

/* VERSION capabilities: parsing, validation and the server's reply. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vfio_user_caps {
	uint32_t max_msg_fds;		/* fds the sender can receive */
	uint32_t max_data_xfer_size;
	uint32_t max_dma_maps;
	uint64_t pgsizes;
	bool write_multiple;
};

/* Spec defaults, used for absent capabilities. */
void vfio_user_caps_default(struct vfio_user_caps *caps);

/*
 * Parse the VERSION data: len bytes (at most VFIO_USER_CAPS_MAX_LEN) that
 * must end with the only NUL. Linear in len. Returns 0 or -EINVAL (bad
 * JSON, a known member twice, wrong types, values out of range).
 */
int vfio_user_caps_parse(const char *data, size_t len,
		struct vfio_user_caps *caps);

/* Format our capabilities (NUL included in the returned length). */
int vfio_user_caps_format(char *buf, size_t size, uint32_t max_msg_fds,
		uint32_t max_data_xfer_size, uint32_t max_dma_maps);

#endif /* _VFIO_USER_CAPS_H_ */
