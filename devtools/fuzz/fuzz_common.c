/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "fuzz_common.h"

#define FZ_MAX_SOCKS 8

static char fz_socks[FZ_MAX_SOCKS][108];
bool fz_verbose;

void
fz_bytes(struct fz_in *in, void *dst, size_t len)
{
	size_t n = RTE_MIN(len, in->n);

	if (len == 0)
		return;
	memcpy(dst, in->p, n);
	memset((uint8_t *)dst + n, 0, len - n);
	in->p += n;
	in->n -= n;
}

void
fz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FUZZ INVARIANT BROKEN: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

static void
fz_cleanup(void)
{
	unsigned int i;

	for (i = 0; i < FZ_MAX_SOCKS; i++)
		if (fz_socks[i][0] != '\0')
			unlink(fz_socks[i]);
}

const char *
fz_sock_path(const char *name, unsigned int idx)
{
	if (idx >= FZ_MAX_SOCKS)
		fz_fail("socket index %u >= %u", idx, FZ_MAX_SOCKS);
	snprintf(fz_socks[idx], sizeof(fz_socks[idx]), "/tmp/fuzz-%s-%d-%u.sock",
		 name, (int)getpid(), idx);
	unlink(fz_socks[idx]);
	return fz_socks[idx];
}

void
fz_eal_init(const char *name, unsigned int mem_mb)
{
	static char prog[64], prefix[64], mem[16], level[64];
	static char a_lcores[] = "-l", a_lcore0[] = "0", a_nohuge[] = "--no-huge";
	static char a_mem[] = "-m", a_nopci[] = "--no-pci";
	static char a_notel[] = "--no-telemetry";
	const char *lvl = getenv("FUZZ_LOG_LEVEL");
	char *argv[] = {
		prog, a_lcores, a_lcore0, a_nohuge, a_mem, mem, a_nopci, a_notel,
		prefix, level, NULL,
	};
	cpu_set_t cpus;
	bool have_cpus;

	snprintf(prog, sizeof(prog), "fuzz-%s", name);
	snprintf(mem, sizeof(mem), "%u", mem_mb);
	snprintf(prefix, sizeof(prefix), "--file-prefix=fuzz-%s-%d", name,
		 (int)getpid());
	snprintf(level, sizeof(level), "--log-level=%s",
		 lvl != NULL ? lvl : "error");
	/* rte_eal_init pins the thread to lcore 0's CPU: undo that, the
	 * fuzzer should not compete for one CPU with the control thread.
	 */
	fz_verbose = getenv("FUZZ_VERBOSE") != NULL;
	have_cpus = pthread_getaffinity_np(pthread_self(), sizeof(cpus),
					   &cpus) == 0;
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0)
		fz_fail("rte_eal_init failed: %s", strerror(rte_errno));
	if (have_cpus)
		pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	atexit(fz_cleanup);
}

void
fz_out_bytes(struct fz_out *o, const void *p, size_t len)
{
	if (len == 0)
		return;
	if (o->n + len > sizeof(o->buf))
		fz_fail("seed larger than %zu bytes", sizeof(o->buf));
	memcpy(o->buf + o->n, p, len);
	o->n += len;
}

void
fz_out_u8(struct fz_out *o, uint8_t v)
{
	fz_out_bytes(o, &v, 1);
}

void
fz_out_u16(struct fz_out *o, uint16_t v)
{
	fz_out_u8(o, v & 0xff);
	fz_out_u8(o, v >> 8);
}

void
fz_out_u32(struct fz_out *o, uint32_t v)
{
	fz_out_u16(o, v & 0xffff);
	fz_out_u16(o, v >> 16);
}

void
fz_out_u64(struct fz_out *o, uint64_t v)
{
	fz_out_u32(o, (uint32_t)v);
	fz_out_u32(o, v >> 32);
}

const char *
fz_seed_dir(void)
{
	return getenv("FUZZ_MAKE_SEEDS");
}

void
fz_out_save(const struct fz_out *o, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fz_seed_dir(), name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(o->buf, 1, o->n, f) != o->n || fclose(f) != 0)
		fz_fail("cannot write %s: %s", path, strerror(errno));
	printf("seed %s (%zu bytes)\n", path, o->n);
}
