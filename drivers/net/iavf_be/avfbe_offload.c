/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Checksum and segmentation offloads.
 *
 * Guest -> port (avfbe_txd.h, avfbe_txd.c): the offload fields of the
 * guest's Tx descriptors become mbuf Tx offload requests, so a port that
 * can offload does the work on the wire side, as a virtio/vhost port would.
 *
 * Port -> guest (avfbe_ol_prepare/csum/tso_segment): a guest Rx ring cannot
 * take a packet that still needs a checksum or segmentation, so the Tx
 * path performs the requests in software. The headers are rebuilt in a
 * private copy; the mbuf itself is never written (it may be shared).
 */

#include <assert.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mbuf_ptype.h>
#include <rte_sctp.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#ifdef RTE_ARCH_X86
#include <immintrin.h>
#include <rte_cpuflags.h>
#include <rte_vect.h>
#endif

#include "iavf_type.h"
#include "avfbe.h"

#define AVFBE_TCP_CSUM_OFF offsetof(struct rte_tcp_hdr, cksum)
#define AVFBE_UDP_CSUM_OFF offsetof(struct rte_udp_hdr, dgram_cksum)
#define AVFBE_SCTP_CSUM_OFF offsetof(struct rte_sctp_hdr, cksum)

/* ------------------------------------------------ software offloads */

/*
 * Sums are kept as 64-bit partial sums until the end: the ones' complement
 * sum of 16-bit words is their sum modulo 2^16 - 1, and 2^16, 2^32 and
 * 2^64 are all 1 modulo 2^16 - 1, so 32- or 64-bit words can be added with
 * the carry out of bit 63 added back (end-around carry), and the result
 * folded to 16 bits once (avfbe_fold64()).
 */
static __rte_always_inline uint64_t
avfbe_add64(uint64_t sum, uint64_t w)
{
	sum += w;
	return sum + (sum < w);
}

/* A partial sum reduced to 16 bits (rte_raw_cksum()'s result). */
static __rte_always_inline uint16_t
avfbe_fold64(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)((sum & 0xffff) + (sum >> 16));
}

/* Partial sum of a header of len bytes, len a multiple of 4 (IPv4
 * header, pseudo header): 32-bit words summed.
 */
static __rte_always_inline uint64_t
avfbe_hdr_sum64(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint64_t sum = 0;
	uint32_t i;

	/* 32-bit loads into a 64-bit sum: a constant len unrolls */
	for (i = 0; i < len; i += 4) {
		uint32_t w;

		memcpy(&w, b + i, sizeof(w));
		sum += w;
	}
	return sum;
}

/* A header whose checksum is right: its sum folds to 0xffff, that is, the
 * partial sum is a non-zero multiple of 2^16 - 1.
 */
static __rte_always_inline bool
avfbe_sum_ok(uint64_t sum)
{
	return sum != 0 && sum % 0xffff == 0;
}

/*
 * Partial sum of the pseudo header for an L4 length: IPv4 source and
 * destination, a zero byte, the protocol and the L4 length (RFC 768,
 * RFC 9293 3.1); IPv6 source and destination, the 32-bit length, three
 * zero bytes and the next header (RFC 8200 8.1), built in memory without
 * padding (40 bytes, checked below).
 */
static __rte_always_inline uint64_t
avfbe_phdr4_sum(uint8_t proto, const uint8_t *l3, uint32_t l4_len)
{
	const struct rte_ipv4_hdr *ip = (const void *)l3;
	/* the word "zero, protocol, L4 length" in memory order */
	union {
		uint8_t b[4];
		uint32_t w;
	} pl = { .b = { 0, proto, (uint8_t)(l4_len >> 8), (uint8_t)l4_len } };
	rte_be32_t src, dst;

	memcpy(&src, &ip->src_addr, sizeof(src));
	memcpy(&dst, &ip->dst_addr, sizeof(dst));
	return (uint64_t)src + dst + pl.w;
}

static __rte_always_inline uint64_t
avfbe_phdr6_sum(uint8_t proto, const uint8_t *l3, uint32_t l4_len)
{
	const struct rte_ipv6_hdr *ip6 = (const void *)l3;
	struct {
		uint8_t src[16];
		uint8_t dst[16];
		rte_be32_t len;
		uint8_t zero[3];
		uint8_t proto;
	} ph;

	static_assert(sizeof(ph) == 40, "IPv6 pseudo header");
	/* an array before 24.11, struct rte_ipv6_addr since */
	memcpy(ph.src, &ip6->src_addr, sizeof(ph.src));
	memcpy(ph.dst, &ip6->dst_addr, sizeof(ph.dst));
	ph.len = rte_cpu_to_be_32(l4_len);
	memset(ph.zero, 0, sizeof(ph.zero));
	ph.proto = proto;
	return avfbe_hdr_sum64(&ph, sizeof(ph));
}

static __rte_always_inline uint64_t
avfbe_phdr_sum(const struct avfbe_ol *ol, const uint8_t *l3, uint32_t l4_len)
{
	return ol->ipv4 ? avfbe_phdr4_sum(ol->l4_proto, l3, l4_len) :
		avfbe_phdr6_sum(ol->l4_proto, l3, l4_len);
}

/* The checksum field for a partial sum of everything it covers. */
static __rte_always_inline uint16_t
avfbe_fold(uint64_t sum)
{
	uint16_t r = (uint16_t)~avfbe_fold64(sum);

	/* 0 means "no checksum" for UDP; both forms are valid for TCP. */
	return r == 0 ? 0xffff : r;
}

#ifdef RTE_ARCH_X86
/*
 * The CPU runs AVX2 and the EAL allows 256-bit vectors: the sums below
 * take 64 bytes a step in two 256-bit registers. A distribution's generic
 * build targets SSE4.2, so the AVX2 loop is compiled for AVX2 alone
 * (target attribute) and picked at run time (avfbe_ol_select_simd()).
 */
static bool avfbe_avx2;

void
avfbe_ol_select_simd(void)
{
	avfbe_avx2 = rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0 &&
		rte_vect_get_max_simd_bitwidth() >= RTE_VECT_SIMD_256;
}

/*
 * The biased word sum of n bytes (a multiple of 64) as avfbe_copy_sum64()
 * computes it, copying them to dst on the way unless dst is NULL: 128
 * bytes a step in four registers, then 64. A lane gains at most 2^18 per
 * step: no overflow below 1 MiB.
 */
/* tune: the generic tuning splits unaligned 256-bit loads and stores */
static __attribute__((target("avx2,tune=haswell"))) int64_t
avfbe_copy_sum_avx2(uint8_t *dst, const uint8_t *src, uint32_t n)
{
	const __m256i bias = _mm256_set1_epi16(INT16_MIN);
	const __m256i one = _mm256_set1_epi16(1);
	__m256i acc = _mm256_setzero_si256();
	__m256i v0, v1, v2, v3;
	int32_t lane[8];
	int64_t ssum = 0;
	uint32_t i = 0, k;

	for (; i + 128 <= n; i += 128) {
		v0 = _mm256_loadu_si256((const __m256i *)(src + i));
		v1 = _mm256_loadu_si256((const __m256i *)(src + i + 32));
		v2 = _mm256_loadu_si256((const __m256i *)(src + i + 64));
		v3 = _mm256_loadu_si256((const __m256i *)(src + i + 96));
		if (dst != NULL) {
			_mm256_storeu_si256((__m256i *)(dst + i), v0);
			_mm256_storeu_si256((__m256i *)(dst + i + 32), v1);
			_mm256_storeu_si256((__m256i *)(dst + i + 64), v2);
			_mm256_storeu_si256((__m256i *)(dst + i + 96), v3);
		}
		v0 = _mm256_add_epi32(
			_mm256_madd_epi16(_mm256_xor_si256(v0, bias), one),
			_mm256_madd_epi16(_mm256_xor_si256(v1, bias), one));
		v2 = _mm256_add_epi32(
			_mm256_madd_epi16(_mm256_xor_si256(v2, bias), one),
			_mm256_madd_epi16(_mm256_xor_si256(v3, bias), one));
		acc = _mm256_add_epi32(acc, _mm256_add_epi32(v0, v2));
	}
	if (i < n) {
		v0 = _mm256_loadu_si256((const __m256i *)(src + i));
		v1 = _mm256_loadu_si256((const __m256i *)(src + i + 32));
		if (dst != NULL) {
			_mm256_storeu_si256((__m256i *)(dst + i), v0);
			_mm256_storeu_si256((__m256i *)(dst + i + 32), v1);
		}
		acc = _mm256_add_epi32(_mm256_add_epi32(
			_mm256_madd_epi16(_mm256_xor_si256(v0, bias), one),
			_mm256_madd_epi16(_mm256_xor_si256(v1, bias), one)), acc);
	}
	_mm256_storeu_si256((__m256i *)lane, acc);
	for (k = 0; k < RTE_DIM(lane); k++)
		ssum += lane[k];
	return ssum;
}
#else
void
avfbe_ol_select_simd(void)
{
}
#endif

/*
 * Partial sum of len bytes at src (16-bit words in memory order), copying
 * them to dst on the way unless dst is NULL: one pass for "copy and
 * checksum". On x86 the multiples of 64 bytes go through vectors: words
 * biased by 0x8000 are signed, _mm_madd_epi16() against ones adds them in
 * pairs into 32-bit lanes, and the bias is added back at the end (a lane
 * gains at most 2^16 per 16 bytes: no overflow below 512 KiB; frames are
 * at most AVFBE_MAX_TSO_PAYLOAD plus headers). The rest, and short
 * ranges, 8 bytes a step in a 64-bit sum with end-around carry.
 */
static __rte_always_inline uint64_t
avfbe_copy_sum64(uint8_t *dst, const uint8_t *src, uint32_t len)
{
	uint64_t sum = 0;
	uint32_t i = 0;

#ifdef RTE_ARCH_X86
	if (len >= 64) {
		int64_t ssum = 0;

		if (avfbe_avx2) {
			i = len & ~63u;
			ssum = avfbe_copy_sum_avx2(dst, src, i);
		} else {
			const __m128i bias = _mm_set1_epi16(INT16_MIN);
			const __m128i one = _mm_set1_epi16(1);
			__m128i acc = _mm_setzero_si128();
			__m128i acc2 = _mm_setzero_si128();
			int32_t lane[4];

			/* 64 bytes a step, two accumulators */
			for (; i + 64 <= len; i += 64) {
				const __m128i *s = (const __m128i *)(src + i);
				__m128i v0 = _mm_loadu_si128(s);
				__m128i v1 = _mm_loadu_si128(s + 1);
				__m128i v2 = _mm_loadu_si128(s + 2);
				__m128i v3 = _mm_loadu_si128(s + 3);

				if (dst != NULL) {
					__m128i *d = (__m128i *)(dst + i);

					_mm_storeu_si128(d, v0);
					_mm_storeu_si128(d + 1, v1);
					_mm_storeu_si128(d + 2, v2);
					_mm_storeu_si128(d + 3, v3);
				}
				acc = _mm_add_epi32(acc, _mm_madd_epi16(
					_mm_xor_si128(v0, bias), one));
				acc2 = _mm_add_epi32(acc2, _mm_madd_epi16(
					_mm_xor_si128(v1, bias), one));
				acc = _mm_add_epi32(acc, _mm_madd_epi16(
					_mm_xor_si128(v2, bias), one));
				acc2 = _mm_add_epi32(acc2, _mm_madd_epi16(
					_mm_xor_si128(v3, bias), one));
			}
			acc = _mm_add_epi32(acc, acc2);
			_mm_storeu_si128((__m128i *)lane, acc);
			ssum = (int64_t)lane[0] + lane[1] + lane[2] + lane[3];
		}
		sum = (uint64_t)(ssum + (int64_t)32768 * (i / 2));
	}
#endif
	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, src + i, sizeof(w));
		if (dst != NULL)
			memcpy(dst + i, &w, sizeof(w));
		sum = avfbe_add64(sum, w);
	}
	if (i + 4 <= len) {
		uint32_t w;

		memcpy(&w, src + i, sizeof(w));
		if (dst != NULL)
			memcpy(dst + i, &w, sizeof(w));
		sum = avfbe_add64(sum, w);
		i += 4;
	}
	if (i + 2 <= len) {
		uint16_t w;

		memcpy(&w, src + i, sizeof(w));
		if (dst != NULL)
			memcpy(dst + i, &w, sizeof(w));
		sum = avfbe_add64(sum, w);
		i += 2;
	}
	if (i < len) {
		/* as rte_raw_cksum(): the odd byte in memory order */
		uint16_t left = 0;

		memcpy(&left, src + i, 1);
		if (dst != NULL)
			dst[i] = src[i];
		sum = avfbe_add64(sum, left);
	}
	return sum;
}

/* rte_raw_cksum() of len bytes, copied to dst unless dst is NULL. */
static __rte_always_inline uint16_t
avfbe_copy_sum(uint8_t *dst, const uint8_t *src, uint32_t len)
{
	return avfbe_fold64(avfbe_copy_sum64(dst, src, len));
}

uint16_t
avfbe_copy_csum(uint8_t *dst, const uint8_t *src, uint32_t len)
{
	return avfbe_copy_sum(dst, src, len);
}

static uint16_t
avfbe_raw_sum(const uint8_t *p, uint32_t len)
{
	return avfbe_copy_sum(NULL, p, len);
}

/* rte_raw_cksum_mbuf(), with avfbe_raw_sum() when the range is in one
 * segment.
 */
static int
avfbe_raw_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len,
		uint16_t *raw)
{
	if ((uint64_t)off + len <= m->data_len) {
		*raw = avfbe_raw_sum(rte_pktmbuf_mtod_offset(m, const uint8_t *,
							     off), len);
		return 0;
	}
	return rte_raw_cksum_mbuf(m, off, len, raw);
}

/* CRC32c over a range of an mbuf chain. */
static uint32_t
avfbe_crc32c_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len,
		uint32_t crc)
{
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && len > 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - off);

		crc = rte_hash_crc(rte_pktmbuf_mtod_offset(m, const void *, off),
				   n, crc);
		len -= n;
		off = 0;
		m = m->next;
	}
	return crc;
}

/*
 * The offload request of an mbuf, from its flags and lengths: fills ol
 * except what needs the headers (avfbe_ol_check_hdrs()).
 * Returns 0 or -EINVAL (request the PMD cannot meet: the frame is dropped).
 */
static int
avfbe_ol_fields(const struct rte_mbuf *m, struct avfbe_ol *ol)
{
	uint64_t fl = m->ol_flags;
	uint32_t hdr;

	ol->flags = fl;
	ol->l2_len = m->l2_len;
	ol->l3_len = m->l3_len;
	ol->ip_ok = false;
	ol->l4_ok = false;

	/* No tunnel, VLAN insertion or UDP segmentation offload. */
	if (fl & (RTE_MBUF_F_TX_TUNNEL_MASK | RTE_MBUF_F_TX_OUTER_IP_CKSUM |
		  RTE_MBUF_F_TX_OUTER_UDP_CKSUM | RTE_MBUF_F_TX_VLAN |
		  RTE_MBUF_F_TX_QINQ | RTE_MBUF_F_TX_UDP_SEG))
		return -EINVAL;
	if (ol->l2_len < RTE_ETHER_HDR_LEN ||
	    ol->l3_len < sizeof(struct rte_ipv4_hdr))
		return -EINVAL;

	if (fl & RTE_MBUF_F_TX_TCP_SEG) {
		ol->l4_proto = IPPROTO_TCP;
		ol->l4_len = m->l4_len;
		if (ol->l4_len < sizeof(struct rte_tcp_hdr) ||
		    m->tso_segsz == 0)
			return -EINVAL;
	} else {
		switch (fl & RTE_MBUF_F_TX_L4_MASK) {
		case RTE_MBUF_F_TX_TCP_CKSUM:
			ol->l4_proto = IPPROTO_TCP;
			ol->l4_len = AVFBE_TCP_CSUM_OFF + 2;
			break;
		case RTE_MBUF_F_TX_UDP_CKSUM:
			ol->l4_proto = IPPROTO_UDP;
			ol->l4_len = sizeof(struct rte_udp_hdr);
			break;
		case RTE_MBUF_F_TX_SCTP_CKSUM:
			ol->l4_proto = IPPROTO_SCTP;
			ol->l4_len = sizeof(struct rte_sctp_hdr);
			break;
		default:
			ol->l4_proto = 0;
			ol->l4_len = 0;
			break;
		}
	}

	hdr = (uint32_t)ol->l2_len + ol->l3_len + ol->l4_len;
	if (hdr > AVFBE_MAX_HDR_LEN || hdr > m->pkt_len)
		return -EINVAL;
	ol->hdr_len = hdr;
	return 0;
}

/*
 * The part of the validation that reads the headers: h holds the frame's
 * first ol->hdr_len bytes (ol->hdr, or the mbuf data itself).
 * Returns 0 or -EINVAL.
 */
static int
avfbe_ol_check_hdrs(struct avfbe_ol *ol, const uint8_t *h)
{
	const uint8_t *l3 = h + ol->l2_len;
	uint64_t fl = ol->flags;

	if (fl & RTE_MBUF_F_TX_IPV4)
		ol->ipv4 = true;
	else if (fl & RTE_MBUF_F_TX_IPV6)
		ol->ipv4 = false;
	else
		ol->ipv4 = (l3[0] >> 4) == 4;

	if (ol->ipv4) {
		const struct rte_ipv4_hdr *ip = (const void *)l3;

		if ((ip->version_ihl >> 4) != 4 ||
		    rte_ipv4_hdr_len(ip) != ol->l3_len)
			return -EINVAL;
		if (ol->l4_proto != 0 && ip->next_proto_id != ol->l4_proto)
			return -EINVAL;
		/* A header the sender completed itself can still be vouched
		 * for: verifying 20 bytes is cheap.
		 */
		if (!(fl & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_SEG)))
			ol->ip_ok = avfbe_sum_ok(avfbe_hdr_sum64(ip,
							     ol->l3_len));
	} else {
		const struct rte_ipv6_hdr *ip6 = (const void *)l3;

		if ((l3[0] >> 4) != 6 ||
		    ol->l3_len < sizeof(struct rte_ipv6_hdr))
			return -EINVAL;
		if (ol->l4_proto != 0 &&
		    ol->l3_len == sizeof(struct rte_ipv6_hdr) &&
		    ip6->proto != ol->l4_proto)
			return -EINVAL;
		ol->ip_ok = true;  /* IPv6 has no header checksum */
	}

	if (fl & RTE_MBUF_F_TX_TCP_SEG) {
		const struct rte_tcp_hdr *tcp =
			(const void *)(l3 + ol->l3_len);

		if (ol->l4_len != ((tcp->data_off >> 4) * 4))
			return -EINVAL;
		ol->tcp_seq = rte_be_to_cpu_32(tcp->sent_seq);
		ol->tcp_flags = tcp->tcp_flags;
		if (ol->ipv4) {
			const struct rte_ipv4_hdr *ip = (const void *)l3;

			ol->ip_id = rte_be_to_cpu_16(ip->packet_id);
		}
	}
	return 0;
}

/*
 * Validate the offload request of an mbuf and copy its headers to ol->hdr.
 * Returns 0 or -EINVAL (request the PMD cannot meet: the frame is dropped).
 */
int
avfbe_ol_prepare(const struct rte_mbuf *m, struct avfbe_ol *ol)
{
	const void *p;
	int ret;

	ret = avfbe_ol_fields(m, ol);
	if (ret != 0)
		return ret;
	p = rte_pktmbuf_read(m, 0, ol->hdr_len, ol->hdr);
	if (p == NULL)
		return -EINVAL;
	if (p != ol->hdr)
		memcpy(ol->hdr, p, ol->hdr_len);
	return avfbe_ol_check_hdrs(ol, ol->hdr);
}

/* Bytes of an L4 header up to and with its checksum field. */
static __rte_always_inline uint32_t
avfbe_l4_min(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return AVFBE_TCP_CSUM_OFF + 2;
	case IPPROTO_UDP: return sizeof(struct rte_udp_hdr);
	case IPPROTO_SCTP: return sizeof(struct rte_sctp_hdr);
	default: return 0;
	}
}

/*
 * Length of the L4 part of a non-segmented frame whose L3 header (l3,
 * l3_len bytes) is followed by avail bytes: from the IP header when that
 * is consistent (Ethernet padding is not part of it) and at least min.
 */
static __rte_always_inline uint32_t
avfbe_l4_len(uint32_t avail, const uint8_t *l3, uint32_t l3_len, bool ipv4,
		uint32_t min)
{
	uint32_t len;

	if (ipv4) {
		const struct rte_ipv4_hdr *ip = (const void *)l3;

		len = rte_be_to_cpu_16(ip->total_length);
		if (len < l3_len)
			return avail;
		len -= l3_len;
	} else {
		const struct rte_ipv6_hdr *ip6 = (const void *)l3;

		len = rte_be_to_cpu_16(ip6->payload_len);
		if (len < l3_len - sizeof(struct rte_ipv6_hdr))
			return avail;
		len -= l3_len - sizeof(struct rte_ipv6_hdr);
	}
	return (len >= min && len <= avail) ? len : avail;
}

/*
 * Complete the checksums of a non-segmented frame in ol->hdr.
 * Returns 0 or -EINVAL.
 */
int
avfbe_ol_csum(const struct rte_mbuf *m, struct avfbe_ol *ol)
{
	uint8_t *l3 = ol->hdr + ol->l2_len;
	uint32_t l4_off = (uint32_t)ol->l2_len + ol->l3_len;
	uint8_t *l4 = l3 + ol->l3_len;
	uint32_t l4_len;

	if (ol->ipv4 && (ol->flags & RTE_MBUF_F_TX_IP_CKSUM)) {
		struct rte_ipv4_hdr *ip = (void *)l3;

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		ol->ip_ok = true;
	}
	if (ol->l4_proto == 0)
		return 0;

	l4_len = avfbe_l4_len(m->pkt_len - l4_off, l3, ol->l3_len, ol->ipv4,
			      ol->l4_len);
	if (ol->l4_proto == IPPROTO_SCTP) {
		uint32_t crc = 0xffffffff;
		static const uint8_t zero[4];

		/* CRC32c with the checksum field taken as zero (RFC 9260);
		 * stored little endian, as Linux sctp_compute_cksum() does.
		 */
		crc = rte_hash_crc(l4, AVFBE_SCTP_CSUM_OFF, crc);
		crc = rte_hash_crc(zero, sizeof(zero), crc);
		crc = avfbe_crc32c_mbuf(m, l4_off + sizeof(struct rte_sctp_hdr),
				l4_len - sizeof(struct rte_sctp_hdr), crc);
		((struct rte_sctp_hdr *)(void *)l4)->cksum =
			rte_cpu_to_le_32(~crc);
	} else {
		uint16_t csum_off = ol->l4_proto == IPPROTO_TCP ?
			AVFBE_TCP_CSUM_OFF : AVFBE_UDP_CSUM_OFF;
		uint16_t old, raw;
		uint64_t sum;

		/* Sum the L4 bytes as they are in the mbuf, then take the
		 * old checksum field (pseudo-header seed or garbage) out
		 * again: x + ~x == 0 in ones' complement.
		 */
		if (avfbe_raw_mbuf(m, l4_off, l4_len, &raw) != 0)
			return -EINVAL;
		memcpy(&old, l4 + csum_off, sizeof(old));
		sum = (uint64_t)raw + (uint16_t)~old;
		old = avfbe_fold(avfbe_add64(sum,
					     avfbe_phdr_sum(ol, l3, l4_len)));
		memcpy(l4 + csum_off, &old, sizeof(old));
	}
	ol->l4_ok = true;
	return 0;
}

/*
 * Copy a one-segment frame of len bytes to dst and complete its checksums
 * there, once its request is checked: headers (l2_len + l3_len bytes), the
 * L4 bytes summed on the way, Ethernet padding; then the checksum fields
 * of dst (the IPv4 header's when ip_csum is set; the L4 one for proto TCP
 * or UDP, none for 0). The sums are taken on the mbuf's own bytes, so
 * only those fields of dst differ from the mbuf. The request comes in
 * values, not in struct avfbe_ol: the copies into dst could alias it.
 */
static __rte_always_inline void
avfbe_ol_copy_done(const uint8_t *f, uint32_t len, uint8_t *dst,
		uint32_t l2_len, uint32_t l3_len, bool ipv4, uint8_t proto,
		bool ip_csum)
{
	const uint8_t *l3 = f + l2_len;
	uint32_t l4_off = l2_len + l3_len;
	const uint8_t *l4 = f + l4_off;
	uint32_t l4_len = 0;
	uint64_t raw = 0;
	uint16_t old, csum_off;

	avfbe_copy(dst, f, l4_off);
	if (proto != 0) {
		l4_len = avfbe_l4_len(len - l4_off, l3, l3_len, ipv4,
				      avfbe_l4_min(proto));
		raw = avfbe_copy_sum64(dst + l4_off, l4, l4_len);
	}
	if (l4_off + l4_len < len)
		avfbe_copy(dst + l4_off + l4_len, l4 + l4_len,
			   len - l4_off - l4_len);

	if (ipv4 && ip_csum) {
		const struct rte_ipv4_hdr *ip = (const void *)l3;

		/* rte_ipv4_cksum() of the header with its field taken out */
		old = (uint16_t)~avfbe_fold64(avfbe_hdr_sum64(ip, l3_len) +
					      (uint16_t)~ip->hdr_checksum);
		memcpy(dst + l2_len +
		       offsetof(struct rte_ipv4_hdr, hdr_checksum),
		       &old, sizeof(old));
	}
	if (proto == 0)
		return;

	csum_off = proto == IPPROTO_TCP ? AVFBE_TCP_CSUM_OFF :
		AVFBE_UDP_CSUM_OFF;
	memcpy(&old, l4 + csum_off, sizeof(old));
	/* old field (pseudo-header seed or garbage) out: x + ~x == 0 */
	raw = avfbe_add64(raw, (uint16_t)~old);
	old = avfbe_fold(avfbe_add64(raw, ipv4 ?
		avfbe_phdr4_sum(proto, l3, l4_len) :
		avfbe_phdr6_sum(proto, l3, l4_len)));
	memcpy(dst + l4_off + csum_off, &old, sizeof(old));
}

/*
 * The request Linux and DPDK guests make for nearly every frame: a TCP or
 * UDP checksum (and, for IPv4, maybe the header checksum) of a frame in
 * one segment with a 14-byte Ethernet header and IPv4 without options or
 * IPv6 without extension headers, the L4 header long enough for the
 * checksum field: the conditions of avfbe_ol_fields() and
 * avfbe_ol_check_hdrs() for this shape, checked with a few loads. The
 * frame is copied to dst with its checksums completed
 * (avfbe_ol_copy_done(), with constant header lengths). An IPv4 header
 * checksum the sender completed itself is verified.
 * Returns AVFBE_CSUM_* bits, or -1 for any other request: nothing is
 * written then, the caller takes avfbe_ol_csum_flat().
 */
int
avfbe_ol_csum_common(const struct rte_mbuf *m, uint8_t *dst)
{
	const uint64_t shape = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6 |
		RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK |
		RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TUNNEL_MASK |
		RTE_MBUF_F_TX_OUTER_IP_CKSUM | RTE_MBUF_F_TX_OUTER_UDP_CKSUM |
		RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_QINQ | RTE_MBUF_F_TX_UDP_SEG;
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *l3 = f + RTE_ETHER_HDR_LEN;
	uint64_t fl = m->ol_flags & shape;
	uint32_t len = m->data_len, min;
	uint8_t proto;
	int res = 0;

	switch (fl & RTE_MBUF_F_TX_L4_MASK) {
	case RTE_MBUF_F_TX_UDP_CKSUM:
		proto = IPPROTO_UDP;
		break;
	case RTE_MBUF_F_TX_TCP_CKSUM:
		proto = IPPROTO_TCP;
		res |= AVFBE_CSUM_TCP;
		break;
	default:
		return -1;
	}
	min = avfbe_l4_min(proto);
	fl &= ~RTE_MBUF_F_TX_L4_MASK;
	if (m->l2_len != RTE_ETHER_HDR_LEN)
		return -1;
	if ((fl & ~RTE_MBUF_F_TX_IP_CKSUM) == RTE_MBUF_F_TX_IPV4) {
		if (m->l3_len != sizeof(struct rte_ipv4_hdr) ||
		    len < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + min ||
		    l3[0] != 0x45 || l3[9] != proto)
			return -1;
		/* a header the sender completed itself is verified */
		if (!(fl & RTE_MBUF_F_TX_IP_CKSUM) &&
		    !avfbe_sum_ok(avfbe_hdr_sum64(l3,
					sizeof(struct rte_ipv4_hdr))))
			res |= AVFBE_CSUM_IP_BAD;
		avfbe_ol_copy_done(f, len, dst, RTE_ETHER_HDR_LEN,
				   sizeof(struct rte_ipv4_hdr), true, proto,
				   fl & RTE_MBUF_F_TX_IP_CKSUM);
		return res;
	}
	if (fl == RTE_MBUF_F_TX_IPV6) {
		if (m->l3_len != sizeof(struct rte_ipv6_hdr) ||
		    len < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr) + min ||
		    (l3[0] >> 4) != 6 || l3[6] != proto)
			return -1;
		avfbe_ol_copy_done(f, len, dst, RTE_ETHER_HDR_LEN,
				   sizeof(struct rte_ipv6_hdr), false, proto,
				   false);
		return res | AVFBE_CSUM_V6;
	}
	return -1;
}

/*
 * Copy a one-segment frame without TSO to dst (a guest buffer) and
 * complete its checksums there (avfbe_ol_copy_done()): any request the
 * general checks accept (avfbe_ol_csum_common() checks the usual one with
 * fewer loads). Sets ol (ip_ok, l4_ok, lengths) as avfbe_ol_prepare() and
 * avfbe_ol_csum() do. Returns 0, -EINVAL (request the PMD cannot meet; nothing copied)
 * or -ENOTSUP (SCTP: the caller takes avfbe_ol_prepare() and
 * avfbe_ol_csum()).
 */
int
avfbe_ol_csum_flat(const struct rte_mbuf *m, uint8_t *dst,
		struct avfbe_ol *ol)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	int ret;

	ret = avfbe_ol_fields(m, ol);
	if (ret != 0)
		return ret;
	if (ol->l4_proto == IPPROTO_SCTP || (ol->flags & RTE_MBUF_F_TX_TCP_SEG))
		return -ENOTSUP;
	/* hdr_len <= pkt_len == data_len: the headers are in f */
	ret = avfbe_ol_check_hdrs(ol, f);
	if (ret != 0)
		return ret;
	avfbe_ol_copy_done(f, m->data_len, dst, ol->l2_len, ol->l3_len,
			   ol->ipv4, ol->l4_proto,
			   ol->flags & RTE_MBUF_F_TX_IP_CKSUM);
	if (ol->ipv4 && (ol->flags & RTE_MBUF_F_TX_IP_CKSUM))
		ol->ip_ok = true;
	ol->l4_ok = ol->l4_proto != 0;
	return 0;
}

/*
 * Build the headers of TSO segment seg_idx (payload bytes pay_off ..
 * pay_off + pay_len - 1 of the original payload) in ol->hdr: IP length,
 * ID and checksum, TCP sequence number, flags (FIN/PSH only on the last
 * segment, CWR only on the first) and checksum. pay_sum is the payload's
 * rte_raw_cksum() when the caller took it while copying, else NULL (summed
 * here from the mbuf).
 */
void
avfbe_ol_tso_segment(const struct rte_mbuf *m, struct avfbe_ol *ol,
		uint32_t seg_idx, uint32_t pay_off, uint32_t pay_len, bool last,
		const uint16_t *pay_sum)
{
	uint8_t *l3 = ol->hdr + ol->l2_len;
	struct rte_tcp_hdr *tcp = (void *)(l3 + ol->l3_len);
	uint32_t l4_len = ol->l4_len + pay_len;
	uint8_t flags = ol->tcp_flags;
	uint16_t raw = 0;
	uint64_t sum;

	if (ol->ipv4) {
		struct rte_ipv4_hdr *ip = (void *)l3;

		ip->total_length = rte_cpu_to_be_16(ol->l3_len + l4_len);
		ip->packet_id = rte_cpu_to_be_16((uint16_t)(ol->ip_id + seg_idx));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip6 = (void *)l3;

		ip6->payload_len = rte_cpu_to_be_16(ol->l3_len -
			sizeof(struct rte_ipv6_hdr) + l4_len);
	}

	if (!last)
		flags &= ~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
	if (seg_idx != 0)
		flags &= ~RTE_TCP_CWR_FLAG;
	tcp->tcp_flags = flags;
	tcp->sent_seq = rte_cpu_to_be_32(ol->tcp_seq + pay_off);
	tcp->cksum = 0;

	/* pkt_len was checked against hdr_len + payload by the caller */
	if (pay_sum != NULL)
		raw = *pay_sum;
	else if (pay_len != 0)
		avfbe_raw_mbuf(m, ol->hdr_len + pay_off, pay_len, &raw);
	sum = (uint64_t)raw + rte_raw_cksum(tcp, ol->l4_len);
	tcp->cksum = avfbe_fold(avfbe_add64(sum,
					    avfbe_phdr_sum(ol, l3, l4_len)));
	ol->ip_ok = true;
	ol->l4_ok = true;
}

/* Legacy descriptor packet type (iavf_ptype_lookup[]) of an mbuf ptype. */
uint8_t
avfbe_ptype_of(uint32_t ptype)
{
	uint32_t l4 = ptype & RTE_PTYPE_L4_MASK;

	if (RTE_ETH_IS_IPV4_HDR(ptype)) {
		switch (l4) {
		case RTE_PTYPE_L4_FRAG: return 22;
		case RTE_PTYPE_L4_UDP: return 24;
		case RTE_PTYPE_L4_TCP: return 26;
		case RTE_PTYPE_L4_SCTP: return 27;
		case RTE_PTYPE_L4_ICMP: return 28;
		default: return 23;
		}
	}
	if (RTE_ETH_IS_IPV6_HDR(ptype)) {
		switch (l4) {
		case RTE_PTYPE_L4_FRAG: return 88;
		case RTE_PTYPE_L4_UDP: return 90;
		case RTE_PTYPE_L4_TCP: return 92;
		case RTE_PTYPE_L4_SCTP: return 93;
		case RTE_PTYPE_L4_ICMP: return 94;
		default: return 89;
		}
	}
	if ((ptype & RTE_PTYPE_L2_MASK) == RTE_PTYPE_L2_ETHER_ARP)
		return IAVF_RX_PTYPE_L2_ARP;
	return IAVF_RX_PTYPE_L2_MAC_PAY2;
}
