/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK device-emulation authors
 */

/*
 * Checksum and segmentation offloads.
 *
 * Guest -> port (avfbe_ol_from_guest): the offload fields of the guest's Tx
 * descriptors become mbuf Tx offload requests, so a port that can offload
 * does the work on the wire side, as a virtio/vhost port would.
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

/* ------------------------------------------------ guest Tx descriptor */

/*
 * Turn the offload fields of a guest Tx packet into mbuf requests.
 * data_qw1 is qword 1 of the packet's first data descriptor (the drivers
 * repeat the command and offsets on every data descriptor), ctx_qw1 that
 * of its context descriptor when "tso" is set.
 * Returns 0, or -EINVAL when the fields contradict the frame: the packet
 * is then dropped as a bad descriptor.
 */
/*
 * Linux iavf_tso() zeroes the IPv4 total length (IPv6 payload length) of a
 * TSO packet, as Intel hardware wants it.  Applications parse what they
 * receive as IP: Open vSwitch stops parsing an IPv4 packet whose total
 * length is shorter than its header and then drops it as a TSO packet
 * without L4 header.  Restore the length from the frame when it fits in 16
 * bits (and the IPv4 header checksum, which the driver zeroed too).
 */
static void
avfbe_tso_ip_len(struct rte_mbuf *m, uint32_t l2, uint32_t l3, uint64_t fl)
{
	uint32_t len = m->pkt_len - l2;

	if (rte_pktmbuf_data_len(m) < l2 + l3)
		return;
	if (fl & RTE_MBUF_F_TX_IPV4) {
		struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l2);

		if (ip->total_length != 0 || len > UINT16_MAX)
			return;
		ip->total_length = rte_cpu_to_be_16(len);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	} else {
		struct rte_ipv6_hdr *ip6 =
			rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l2);

		len -= sizeof(*ip6);
		if (ip6->payload_len != 0 || len > UINT16_MAX)
			return;
		ip6->payload_len = rte_cpu_to_be_16(len);
	}
}

int
avfbe_ol_from_guest(struct rte_mbuf *m, uint64_t data_qw1, uint64_t ctx_qw1,
		bool tso)
{
	uint32_t cmd = (data_qw1 & IAVF_TXD_QW1_CMD_MASK) >>
		IAVF_TXD_QW1_CMD_SHIFT;
	uint32_t off = (data_qw1 & IAVF_TXD_QW1_OFFSET_MASK) >>
		IAVF_TXD_QW1_OFFSET_SHIFT;
	uint32_t iipt = cmd & IAVF_TX_DESC_CMD_IIPT_IPV4_CSUM;
	uint32_t l4t = cmd & IAVF_TX_DESC_CMD_L4T_EOFT_UDP;
	/* MACLEN in 2-byte words, IPLEN and L4LEN in 4-byte words */
	uint32_t l2 = ((off & IAVF_TXD_QW1_MACLEN_MASK) >>
		IAVF_TX_DESC_LENGTH_MACLEN_SHIFT) * 2;
	uint32_t l3 = ((off & IAVF_TXD_QW1_IPLEN_MASK) >>
		IAVF_TX_DESC_LENGTH_IPLEN_SHIFT) * 4;
	uint32_t l4 = ((off & IAVF_TXD_QW1_L4LEN_MASK) >>
		IAVF_TX_DESC_LENGTH_L4_FC_LEN_SHIFT) * 4;
	uint64_t fl = 0;

	if (iipt == IAVF_TX_DESC_CMD_IIPT_NONIP && l4t == 0 && !tso)
		return 0;
	/* The hardware locates L4 through the IP type: no IIPT, no offload. */
	if (iipt == IAVF_TX_DESC_CMD_IIPT_NONIP)
		return -EINVAL;
	if (l2 < RTE_ETHER_HDR_LEN)
		return -EINVAL;
	/* MACLEN reaches 254 bytes, l2_len holds 127: never truncate. */
	if (l2 >= RTE_BIT32(RTE_MBUF_L2_LEN_BITS) ||
	    l3 >= RTE_BIT32(RTE_MBUF_L3_LEN_BITS) ||
	    l4 >= RTE_BIT32(RTE_MBUF_L4_LEN_BITS))
		return -EINVAL;

	switch (iipt) {
	case IAVF_TX_DESC_CMD_IIPT_IPV6:
		if (l3 < sizeof(struct rte_ipv6_hdr))
			return -EINVAL;
		fl |= RTE_MBUF_F_TX_IPV6;
		break;
	case IAVF_TX_DESC_CMD_IIPT_IPV4:
		fl |= RTE_MBUF_F_TX_IPV4;
		break;
	default: /* IPv4 with header checksum */
		fl |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
		break;
	}
	if ((fl & RTE_MBUF_F_TX_IPV4) && l3 < sizeof(struct rte_ipv4_hdr))
		return -EINVAL;

	switch (l4t) {
	case IAVF_TX_DESC_CMD_L4T_EOFT_TCP:
		if (l4 < sizeof(struct rte_tcp_hdr))
			return -EINVAL;
		fl |= RTE_MBUF_F_TX_TCP_CKSUM;
		break;
	case IAVF_TX_DESC_CMD_L4T_EOFT_UDP:
		if (l4 < sizeof(struct rte_udp_hdr))
			return -EINVAL;
		fl |= RTE_MBUF_F_TX_UDP_CKSUM;
		break;
	case IAVF_TX_DESC_CMD_L4T_EOFT_SCTP:
		if (l4 < sizeof(struct rte_sctp_hdr))
			return -EINVAL;
		fl |= RTE_MBUF_F_TX_SCTP_CKSUM;
		break;
	default:
		break;
	}
	if (l2 + l3 + l4 > m->pkt_len)
		return -EINVAL;

	if (tso) {
		uint32_t tso_len = (ctx_qw1 & IAVF_TXD_CTX_QW1_TSO_LEN_MASK) >>
			IAVF_TXD_CTX_QW1_TSO_LEN_SHIFT;
		uint32_t mss = (ctx_qw1 & IAVF_TXD_CTX_QW1_MSS_MASK) >>
			IAVF_TXD_CTX_QW1_MSS_SHIFT;

		/* TSO_LEN counts the payload after L2+L3+L4 headers. */
		if (l4t != IAVF_TX_DESC_CMD_L4T_EOFT_TCP ||
		    mss < AVFBE_MIN_TSO_MSS ||
		    l2 + l3 + l4 + mss > AVFBE_MAX_FRAME ||
		    l2 + l3 + l4 + tso_len != m->pkt_len)
			return -EINVAL;
		/*
		 * TCP_SEG implies TCP_CKSUM, and over IPv4 it needs IP_CKSUM
		 * (rte_mbuf_core.h): every segment gets a new IP header, so
		 * its checksum is recomputed whatever the guest asked.
		 */
		fl &= ~RTE_MBUF_F_TX_L4_MASK;
		fl |= RTE_MBUF_F_TX_TCP_SEG;
		if (fl & RTE_MBUF_F_TX_IPV4)
			fl |= RTE_MBUF_F_TX_IP_CKSUM;
		m->tso_segsz = mss;
		avfbe_tso_ip_len(m, l2, l3, fl);
	}

	m->l2_len = l2;
	m->l3_len = l3;
	m->l4_len = l4;
	m->ol_flags |= fl;
	/* The data is intact; only the checksum fields are not final. */
	if (fl & RTE_MBUF_F_TX_IP_CKSUM)
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_NONE;
	if (fl & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG))
		m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
	return 0;
}

/* ------------------------------------------------ software offloads */

/*
 * Ones' complement sum of the pseudo header for an L4 length. The pseudo
 * headers have no padding: their fields are naturally aligned (12 and 40
 * bytes, checked below).
 */
/*
 * rte_raw_cksum() of a header of len bytes, len a multiple of 4 (IPv4
 * header, pseudo header): 32-bit words summed, then folded; the same ones'
 * complement sum, since 2^16 is 1 modulo 2^16 - 1.
 */
static __rte_always_inline uint16_t
avfbe_hdr_sum(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint64_t sum = 0;
	uint32_t i, w;

	/* an IPv4 header without options: five loads, no loop */
	i = len == sizeof(struct rte_ipv4_hdr) ? sizeof(struct rte_ipv4_hdr) : 0;
	if (i != 0) {
		uint32_t v[5];

		memcpy(v, b, sizeof(v));
		sum = (uint64_t)v[0] + v[1] + v[2] + v[3] + v[4];
	}
	for (; i < len; i += 4) {
		memcpy(&w, b + i, sizeof(w));
		sum += w;
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)((sum & 0xffff) + (sum >> 16));
}

static uint32_t
avfbe_phdr4_sum(const struct avfbe_ol *ol, const uint8_t *l3, uint32_t l4_len)
{
	const struct rte_ipv4_hdr *ip = (const void *)l3;
	struct {
		rte_be32_t src;
		rte_be32_t dst;
		uint8_t zero;
		uint8_t proto;
		rte_be16_t len;
	} ph = {
		.src = ip->src_addr,
		.dst = ip->dst_addr,
		.zero = 0,
		.proto = ol->l4_proto,
		.len = rte_cpu_to_be_16(l4_len),
	};

	static_assert(sizeof(ph) == 12, "IPv4 pseudo header");
	return avfbe_hdr_sum(&ph, sizeof(ph));
}

static uint32_t
avfbe_phdr6_sum(const struct avfbe_ol *ol, const uint8_t *l3, uint32_t l4_len)
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
	ph.proto = ol->l4_proto;
	return avfbe_hdr_sum(&ph, sizeof(ph));
}

static uint32_t
avfbe_phdr_sum(const struct avfbe_ol *ol, const uint8_t *l3, uint32_t l4_len)
{
	return ol->ipv4 ? avfbe_phdr4_sum(ol, l3, l4_len) :
		avfbe_phdr6_sum(ol, l3, l4_len);
}

static uint16_t
avfbe_fold(uint32_t sum)
{
	uint16_t r;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	r = (uint16_t)~sum;
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
 * The biased word sum of n bytes (a multiple of 64) as avfbe_copy_sum()
 * computes it, copying them to dst on the way unless dst is NULL. A lane
 * gains at most 2^17 per step: no overflow below 1 MiB.
 */
/* tune: the generic tuning splits unaligned 256-bit loads and stores */
static __attribute__((target("avx2,tune=haswell"))) int64_t
avfbe_copy_sum_avx2(uint8_t *dst, const uint8_t *src, uint32_t n)
{
	const __m256i bias = _mm256_set1_epi16(INT16_MIN);
	const __m256i one = _mm256_set1_epi16(1);
	__m256i acc = _mm256_setzero_si256();
	__m256i v0, v1;
	int32_t lane[8];
	int64_t ssum = 0;
	uint32_t i, k;

	for (i = 0; i < n; i += 64) {
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
 * rte_raw_cksum() of len bytes at src (16-bit words in memory order,
 * reduced to 16 bits), copying them to dst on the way unless dst is NULL:
 * one pass for "copy and checksum". On x86 16 bytes at a time (64 with
 * AVX2): words biased by 0x8000 are signed, _mm_madd_epi16() against ones
 * adds them in pairs into 32-bit lanes, and the bias is added back at the
 * end (a lane gains at most 2^16 per 16 bytes: no overflow below 512 KiB;
 * frames are at most AVFBE_MAX_TSO_PAYLOAD plus headers).
 */
static __rte_always_inline uint16_t
avfbe_copy_sum(uint8_t *dst, const uint8_t *src, uint32_t len)
{
	uint64_t sum = 0;
	uint32_t i = 0;

#ifdef RTE_ARCH_X86
	if (len >= 16) {
		const __m128i bias = _mm_set1_epi16(INT16_MIN);
		const __m128i one = _mm_set1_epi16(1);
		__m128i acc = _mm_setzero_si128();
		int32_t lane[4];
		int64_t ssum = 0;

		__m128i acc2 = _mm_setzero_si128();

		if (avfbe_avx2 && len >= 64) {
			i = len & ~63u;
			ssum = avfbe_copy_sum_avx2(dst, src, i);
		}
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
			acc = _mm_add_epi32(acc,
				_mm_madd_epi16(_mm_xor_si128(v0, bias), one));
			acc2 = _mm_add_epi32(acc2,
				_mm_madd_epi16(_mm_xor_si128(v1, bias), one));
			acc = _mm_add_epi32(acc,
				_mm_madd_epi16(_mm_xor_si128(v2, bias), one));
			acc2 = _mm_add_epi32(acc2,
				_mm_madd_epi16(_mm_xor_si128(v3, bias), one));
		}
		for (; i + 16 <= len; i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(src + i));

			if (dst != NULL)
				_mm_storeu_si128((__m128i *)(dst + i), v);
			acc = _mm_add_epi32(acc,
				_mm_madd_epi16(_mm_xor_si128(v, bias), one));
		}
		acc = _mm_add_epi32(acc, acc2);
		_mm_storeu_si128((__m128i *)lane, acc);
		ssum += (int64_t)lane[0] + lane[1] + lane[2] + lane[3];
		sum = (uint64_t)(ssum + (int64_t)32768 * (i / 2));
	}
#endif
	/* 4 bytes a step: a 32-bit load is two words, and the fold below
	 * reduces modulo 2^16 - 1, where 2^16 is 1
	 */
	for (; i + 4 <= len; i += 4) {
		uint32_t w;

		memcpy(&w, src + i, sizeof(w));
		if (dst != NULL)
			memcpy(dst + i, &w, sizeof(w));
		sum += w;
	}
	if (i + 2 <= len) {
		uint16_t w;

		memcpy(&w, src + i, sizeof(w));
		if (dst != NULL)
			memcpy(dst + i, &w, sizeof(w));
		sum += w;
		i += 2;
	}
	if (i < len) {
		/* as rte_raw_cksum(): the odd byte in memory order */
		uint16_t left = 0;

		memcpy(&left, src + i, 1);
		if (dst != NULL)
			dst[i] = src[i];
		sum += left;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
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
			ol->ip_ok = avfbe_hdr_sum(ip, ol->l3_len) == 0xffff;
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

/* Length of the L4 part of a non-segmented frame, from the IP header when
 * that is consistent (Ethernet padding is not part of it).
 */
static uint32_t
avfbe_l4_len(const struct rte_mbuf *m, const struct avfbe_ol *ol,
		const uint8_t *l3)
{
	uint32_t avail = m->pkt_len - ol->l2_len - ol->l3_len;
	uint32_t len;

	if (ol->ipv4) {
		const struct rte_ipv4_hdr *ip = (const void *)l3;

		len = rte_be_to_cpu_16(ip->total_length);
		if (len < ol->l3_len)
			return avail;
		len -= ol->l3_len;
	} else {
		const struct rte_ipv6_hdr *ip6 = (const void *)l3;

		len = rte_be_to_cpu_16(ip6->payload_len);
		if (len < ol->l3_len - sizeof(struct rte_ipv6_hdr))
			return avail;
		len -= ol->l3_len - sizeof(struct rte_ipv6_hdr);
	}
	return (len >= ol->l4_len && len <= avail) ? len : avail;
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

	l4_len = avfbe_l4_len(m, ol, l3);
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
		uint32_t sum;

		/* Sum the L4 bytes as they are in the mbuf, then take the
		 * old checksum field (pseudo-header seed or garbage) out
		 * again: x + ~x == 0 in ones' complement.
		 */
		if (avfbe_raw_mbuf(m, l4_off, l4_len, &raw) != 0)
			return -EINVAL;
		memcpy(&old, l4 + csum_off, sizeof(old));
		sum = (uint32_t)raw + (uint16_t)~old +
			avfbe_phdr_sum(ol, l3, l4_len);
		old = avfbe_fold(sum);
		memcpy(l4 + csum_off, &old, sizeof(old));
	}
	ol->l4_ok = true;
	return 0;
}

/*
 * Copy a one-segment frame without TSO to dst (a guest buffer) and
 * complete its checksums there: the request is validated and the sums
 * computed on the mbuf's own bytes, the L4 sum in the same pass as the
 * copy; only the checksum fields of dst differ from the mbuf. Sets ol
 * (ip_ok, l4_ok, lengths) as avfbe_ol_prepare() and avfbe_ol_csum() do.
 * Returns 0, -EINVAL (request the PMD cannot meet; nothing copied) or
 * -ENOTSUP (SCTP: the caller takes avfbe_ol_prepare() and
 * avfbe_ol_csum()).
 */
int
avfbe_ol_csum_flat(const struct rte_mbuf *m, uint8_t *dst,
		struct avfbe_ol *ol)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = m->data_len, l4_off, l4_len = 0, sum;
	const uint8_t *l3, *l4;
	uint16_t old, raw = 0, csum_off;
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
	l3 = f + ol->l2_len;
	l4_off = (uint32_t)ol->l2_len + ol->l3_len;
	l4 = f + l4_off;

	/* headers, L4 bytes summed on the way, Ethernet padding */
	avfbe_copy(dst, f, l4_off);
	if (ol->l4_proto != 0) {
		l4_len = avfbe_l4_len(m, ol, l3);
		raw = avfbe_copy_sum(dst + l4_off, l4, l4_len);
	}
	if (l4_off + l4_len < len)
		avfbe_copy(dst + l4_off + l4_len, l4 + l4_len,
			   len - l4_off - l4_len);

	if (ol->ipv4 && (ol->flags & RTE_MBUF_F_TX_IP_CKSUM)) {
		const struct rte_ipv4_hdr *ip = (const void *)l3;

		/* rte_ipv4_cksum() of the header with its field taken out */
		sum = avfbe_hdr_sum(ip, ol->l3_len) +
			(uint16_t)~ip->hdr_checksum;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		old = (uint16_t)~sum;
		memcpy(dst + ol->l2_len +
		       offsetof(struct rte_ipv4_hdr, hdr_checksum),
		       &old, sizeof(old));
		ol->ip_ok = true;
	}
	if (ol->l4_proto == 0)
		return 0;

	csum_off = ol->l4_proto == IPPROTO_TCP ? AVFBE_TCP_CSUM_OFF :
		AVFBE_UDP_CSUM_OFF;
	memcpy(&old, l4 + csum_off, sizeof(old));
	/* old field (pseudo-header seed or garbage) out: x + ~x == 0 */
	sum = (uint32_t)raw + (uint16_t)~old + avfbe_phdr_sum(ol, l3, l4_len);
	old = avfbe_fold(sum);
	memcpy(dst + l4_off + csum_off, &old, sizeof(old));
	ol->l4_ok = true;
	return 0;
}

/*
 * Build the headers of TSO segment seg_idx (payload bytes pay_off ..
 * pay_off + pay_len - 1 of the original payload) in ol->hdr: IP length,
 * ID and checksum, TCP sequence number, flags (FIN/PSH only on the last
 * segment, CWR only on the first) and checksum.
 */
void
avfbe_ol_tso_segment(const struct rte_mbuf *m, struct avfbe_ol *ol,
		uint32_t seg_idx, uint32_t pay_off, uint32_t pay_len, bool last)
{
	uint8_t *l3 = ol->hdr + ol->l2_len;
	struct rte_tcp_hdr *tcp = (void *)(l3 + ol->l3_len);
	uint32_t l4_len = ol->l4_len + pay_len;
	uint8_t flags = ol->tcp_flags;
	uint16_t raw = 0;
	uint32_t sum;

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
	if (pay_len != 0)
		avfbe_raw_mbuf(m, ol->hdr_len + pay_off, pay_len, &raw);
	sum = (uint32_t)raw + rte_raw_cksum(tcp, ol->l4_len) +
		avfbe_phdr_sum(ol, l3, l4_len);
	tcp->cksum = avfbe_fold(sum);
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
