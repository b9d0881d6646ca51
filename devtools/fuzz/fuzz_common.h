/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

#ifndef _FUZZ_COMMON_H_
#define _FUZZ_COMMON_H_

/*
 * Shared helpers of the libFuzzer targets: EAL start-up for a fuzzer
 * process, a reader that turns the input into fields (zeros once it is
 * exhausted, so every input is valid), seed file output and a check that
 * turns a broken invariant into a crash libFuzzer records.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The input as a stream of little-endian fields. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline bool
fz_empty(const struct fz_in *in)
{
	return in->n == 0;
}

static inline uint8_t
fz_u8(struct fz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t
fz_u16(struct fz_in *in)
{
	uint16_t v = fz_u8(in);

	return v | (uint16_t)fz_u8(in) << 8;
}

static inline uint32_t
fz_u32(struct fz_in *in)
{
	uint32_t v = fz_u16(in);

	return v | (uint32_t)fz_u16(in) << 16;
}

static inline uint64_t
fz_u64(struct fz_in *in)
{
	uint64_t v = fz_u32(in);

	return v | (uint64_t)fz_u32(in) << 32;
}

/* Drop up to len bytes. */
static inline void
fz_skip(struct fz_in *in, size_t len)
{
	if (len > in->n)
		len = in->n;
	in->p += len;
	in->n -= len;
}

/* Copy len bytes to dst; what the input lacks is zero. */
void fz_bytes(struct fz_in *in, void *dst, size_t len);

/*
 * Start the EAL for a fuzzer process: --no-huge -m MEM_MB --no-pci, an
 * own --file-prefix (fuzz-NAME-PID), one lcore; FUZZ_LOG_LEVEL (default
 * "error") sets --log-level. The calling thread keeps the CPUs it had.
 * Aborts on failure.
 */
void fz_eal_init(const char *name, unsigned int mem_mb);

/* A socket path in /tmp unique to this process; removed at exit. */
const char *fz_sock_path(const char *name, unsigned int idx);

/* FUZZ_VERBOSE set: the targets describe what each input did (replay). */
extern bool fz_verbose;
#define FZ_DEBUG(...) do { \
		if (fz_verbose) \
			fprintf(stderr, __VA_ARGS__); \
	} while (0)

/* Abort (a crash for libFuzzer) with a message: a broken invariant. */
void fz_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/*
 * Seed inputs: a target builds them with the writer below when the
 * environment variable FUZZ_MAKE_SEEDS names a directory (run.sh --seeds).
 */
struct fz_out {
	uint8_t buf[16384];
	size_t n;
};

void fz_out_bytes(struct fz_out *o, const void *p, size_t len);
void fz_out_u8(struct fz_out *o, uint8_t v);
void fz_out_u16(struct fz_out *o, uint16_t v);
void fz_out_u32(struct fz_out *o, uint32_t v);
void fz_out_u64(struct fz_out *o, uint64_t v);
/* Write o to DIR/NAME, DIR from FUZZ_MAKE_SEEDS. */
void fz_out_save(const struct fz_out *o, const char *name);
/* FUZZ_MAKE_SEEDS, or NULL. */
const char *fz_seed_dir(void);

#endif /* _FUZZ_COMMON_H_ */
