/* SPDX-License-Identifier: GPL-2.0 */
/* A tiny packet builder for the BPF_PROG_TEST_RUN tests: appends headers
 * one by one, remembers where each starts and which parse-error counter a
 * frame cut inside it must bump, then fixes the IP and UDP lengths. */
#ifndef EW_TEST_PKTBUILD_H
#define EW_TEST_PKTBUILD_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "ew_abi.h"

#define PB_MAX	2048
#define PB_HDRS 16
#define PB_NONE (-1) /* pb_hdr.err: payload, not a header */

struct pb_hdr {
	size_t off;
	size_t len;
	int err; /* enum ew_counter_num for a cut inside it */
};

/* Zero it (struct pb b = { 0 }) before the first pb_* call. */
struct pb {
	uint8_t buf[PB_MAX];
	size_t len;
	size_t l3; /* IP header offset, valid when ipver != 0 */
	size_t l4; /* UDP header offset, valid when udp */
	int ipver;
	int udp;
	struct pb_hdr hdr[PB_HDRS];
	int nhdr;
};

/* Appends n zeroed bytes, recorded as a header with error counter err
 * (PB_NONE for payload); returns them. Callers keep within PB_MAX. */
static inline uint8_t *pb_put(struct pb *b, size_t n, int err)
{
	uint8_t *p = b->buf + b->len;

	memset(p, 0, n);
	if (b->nhdr < PB_HDRS)
		b->hdr[b->nhdr++] = (struct pb_hdr){b->len, n, err};
	b->len += n;
	return p;
}

static inline void pb_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void pb_be32(uint8_t *p, uint32_t v)
{
	pb_be16(p, v >> 16);
	pb_be16(p + 2, v);
}

/* dst 02:00:00:00:00:02, src 02:00:00:00:00:01, then EtherType type. */
static inline void pb_eth(struct pb *b, uint16_t type)
{
	uint8_t *p = pb_put(b, 14, EW_C_ERR_ETH);

	p[0] = p[6] = 0x02;
	p[5] = 0x02;
	p[11] = 0x01;
	pb_be16(p + 12, type);
}

/* One 802.1Q/802.1ad tag body (the TPID is the previous EtherType). */
static inline void pb_vlan(struct pb *b, uint16_t vid, uint16_t type)
{
	uint8_t *p = pb_put(b, 4, EW_C_ERR_VLAN);

	pb_be16(p, vid);
	pb_be16(p + 2, type);
}

/* IPv4 with optlen bytes of options (NOPs, a multiple of 4) and the
 * flags/fragment-offset field frag (host order, e.g. 0x2000 = MF). */
static inline void pb_ipv4(struct pb *b, uint8_t proto, const char *src, const char *dst,
			   size_t optlen, uint16_t frag)
{
	uint8_t *p;

	b->l3 = b->len;
	b->ipver = 4;
	p = pb_put(b, 20 + optlen, EW_C_ERR_IPV4);
	p[0] = 0x40 | (uint8_t)((20 + optlen) / 4);
	pb_be16(p + 4, 0x1234);
	pb_be16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	memset(p + 20, 1, optlen);
}

static inline void pb_ipv6(struct pb *b, uint8_t nexthdr, const char *src, const char *dst)
{
	uint8_t *p;

	b->l3 = b->len;
	b->ipver = 6;
	p = pb_put(b, 40, EW_C_ERR_IPV6);
	p[0] = 0x60;
	p[6] = nexthdr;
	p[7] = 64;
	inet_pton(AF_INET6, src, p + 8);
	inet_pton(AF_INET6, dst, p + 24);
}

/* A hop-by-hop, routing or destination-options header of len bytes
 * (a multiple of 8, at least 8). */
static inline void pb_ext6(struct pb *b, uint8_t nexthdr, size_t len)
{
	uint8_t *p = pb_put(b, len, EW_C_ERR_IPV6_EXT);

	p[0] = nexthdr;
	p[1] = (uint8_t)(len / 8 - 1);
}

/* An IPv6 fragment header: offset in bytes (a multiple of 8), more = M. */
static inline void pb_frag6(struct pb *b, uint8_t nexthdr, uint16_t offset, int more)
{
	uint8_t *p = pb_put(b, 8, EW_C_ERR_IPV6_EXT);

	p[0] = nexthdr;
	pb_be16(p + 2, offset | (more ? 1 : 0));
	pb_be32(p + 4, 0xabcdef01);
}

/* TCP with optlen bytes of options (NOPs, a multiple of 4). */
static inline void pb_tcp(struct pb *b, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
			  uint8_t flags, size_t optlen)
{
	uint8_t *p = pb_put(b, 20 + optlen, EW_C_ERR_TCP);

	pb_be16(p, sport);
	pb_be16(p + 2, dport);
	pb_be32(p + 4, seq);
	pb_be32(p + 8, ack);
	p[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	p[13] = flags;
	pb_be16(p + 14, 65535);
	memset(p + 20, 1, optlen);
}

static inline void pb_udp(struct pb *b, uint16_t sport, uint16_t dport)
{
	uint8_t *p;

	b->l4 = b->len;
	b->udp = 1;
	p = pb_put(b, 8, EW_C_ERR_UDP);
	pb_be16(p, sport);
	pb_be16(p + 2, dport);
}

/* ICMP or ICMPv6 echo request (type 8 or 128). */
static inline void pb_icmp(struct pb *b, uint8_t type)
{
	uint8_t *p = pb_put(b, 8, EW_C_ERR_ICMP);

	p[0] = type;
	pb_be16(p + 4, 0x4242);
	pb_be16(p + 6, 1);
}

/* n payload bytes 0, 1, 2, ... (mod 251, so no period of 256). */
static inline void pb_payload(struct pb *b, size_t n)
{
	uint8_t *p = pb_put(b, n, PB_NONE);

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i % 251);
}

/* Fixes the IPv4 total length and checksum, the IPv6 payload length and
 * the UDP length for everything appended so far. Call last. */
static inline void pb_finish(struct pb *b)
{
	uint8_t *ip = b->buf + b->l3;
	uint32_t sum = 0;

	if (b->udp)
		pb_be16(b->buf + b->l4 + 4, (uint16_t)(b->len - b->l4));
	if (b->ipver == 6)
		pb_be16(ip + 4, (uint16_t)(b->len - b->l3 - 40));
	if (b->ipver != 4)
		return;
	pb_be16(ip + 2, (uint16_t)(b->len - b->l3));
	for (size_t i = 0; i < (size_t)(ip[0] & 0xf) * 4; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	pb_be16(ip + 10, (uint16_t)~sum);
}

/* The error counter a frame cut to len bytes must bump: the one of the
 * header holding byte len; ok (the full frame's outcome) past them all. */
static inline int pb_cut_error(const struct pb *b, size_t len, int ok)
{
	for (int i = 0; i < b->nhdr; i++)
		if (len < b->hdr[i].off + b->hdr[i].len && b->hdr[i].err != PB_NONE)
			return b->hdr[i].err;
	return ok;
}

/* The canonical flow key of an IPv4 flow, written out by hand (not with the
 * code under test): the lower (address, port) pair first, v4-mapped. */
static inline void pb_key_v4(struct ew_flow_key *k, const char *lo, uint16_t lport,
			     const char *hi, uint16_t hport, uint8_t proto)
{
	memset(k, 0, sizeof(*k));
	k->lo_addr[10] = k->lo_addr[11] = 0xff;
	k->hi_addr[10] = k->hi_addr[11] = 0xff;
	inet_pton(AF_INET, lo, &k->lo_addr[12]);
	inet_pton(AF_INET, hi, &k->hi_addr[12]);
	k->lo_port = htons(lport);
	k->hi_port = htons(hport);
	k->proto = proto;
	k->family = 4;
}

#endif /* EW_TEST_PKTBUILD_H */
