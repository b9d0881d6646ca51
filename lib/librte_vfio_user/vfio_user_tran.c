/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2024 The DPDK device emulation authors
 */

/* Transport helpers common to every transport: clock, waits, send-all. */

#include <errno.h>
#include <poll.h>
#include <time.h>

#include "emu_compat.h"
#include "vfio_user_tran.h"

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_now_ms)
int64_t
vfio_user_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
vfio_user_tran_wait(struct vfio_user_tran *t, bool rd, bool wr,
		int64_t deadline_ms)
{
	struct pollfd p = {
		.fd = t->ops->poll_fd(t),
		.events = (short)t->ops->poll_events(t, rd, wr),
	};
	int64_t left;
	int r;

	if (!rd && !wr)
		return 0;
	for (;;) {
		left = -1;
		if (deadline_ms >= 0) {
			left = deadline_ms - vfio_user_now_ms();
			if (left < 0)
				left = 0;
		}
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		t->ops->ack(t);
		return 0;
	}
}

RTE_EXPORT_INTERNAL_SYMBOL(vfio_user_tran_send_all)
int
vfio_user_tran_send_all(struct vfio_user_tran *t, const void *buf,
		size_t len, const int *fds, uint32_t nfds, int64_t deadline_ms)
{
	const uint8_t *p = buf;
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = t->ops->send(t, p + done, len - done,
			done == 0 ? fds : NULL, done == 0 ? nfds : 0);
		if (r == -EAGAIN) {
			int w = vfio_user_tran_wait(t, false, true, deadline_ms);

			if (w < 0)
				return w;
			continue;
		}
		if (r < 0)
			return (int)r;
		done += (size_t)r;
	}
	return 0;
}
