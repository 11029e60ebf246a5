/* SPDX-License-Identifier: GPL-2.0 */
/* DNS frames for the BPF tests and the benchmark, written out by hand
 * (not with the code under test): a query, and the answer the TC program
 * must send back for it, each as a whole frame (pktbuild.h) with lengths
 * and checksums set.
 *
 *   query:  eth A>B | ip A>B | udp/tcp | id RD AD | question | [OPT: cookie]
 *   answer: eth B>A | ip B>A | udp/tcp | id QR RD RA rcode | question
 *           | [A/AAAA c00c] | [OPT 1232, DO, EDE code text] */
#ifndef EW_TEST_DNSBUILD_H
#define EW_TEST_DNSBUILD_H

#include <linux/if_ether.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bpf/pktbuild.h"

#define DB_ID	   0xbeef
#define DB_SPORT   41053
#define DB_TCP_SEQ 0x11223344u
#define DB_TCP_ACK 0xa0b0c0d0u

/* One query: who asks, what, how it travels. */
struct db_query {
	int family; /* 4 or 6 */
	const char *src, *dst;
	int tcp;	  /* over TCP: one segment, length-prefixed */
	int ts;		  /* TCP: with timestamps (NOP NOP TS) */
	int vlan;	  /* an 802.1Q tag, id 5 */
	const char *name; /* as sent: case kept */
	uint16_t type;
	int edns, dnssec; /* OPT with a cookie option; DO bit */
};

/* The answer it must get. */
struct db_answer {
	int rcode;	  /* 0 or 3 */
	uint16_t type;	  /* 1 (A), 28 (AAAA), 0: no record */
	const char *addr; /* its address */
	uint32_t ttl;
	uint16_t ede; /* 0: no EDE option (the OPT stays if the query had one) */
	const char *text;
};

static inline uint8_t *db_put(struct pb *b, const void *p, size_t n)
{
	uint8_t *d = pb_put(b, n, PB_NONE);

	memcpy(d, p, n);
	return d;
}

/* The name in wire form; returns its length. */
static inline size_t db_name(uint8_t *out, const char *name)
{
	size_t n = 0;

	while (*name) {
		size_t l = strcspn(name, ".");

		out[n++] = (uint8_t)l;
		memcpy(out + n, name, l);
		n += l;
		name += l;
		if (*name == '.')
			name++;
	}
	out[n++] = 0;
	return n;
}

/* Header (flags f2, f3; an answers, edns additional), question. */
static inline void db_head(struct pb *b, const struct db_query *q, uint8_t f2, uint8_t f3, int an)
{
	uint8_t *h = pb_put(b, 12, PB_NONE), name[300];
	size_t n = db_name(name, q->name);

	pb_be16(h, DB_ID);
	h[2] = f2;
	h[3] = f3;
	pb_be16(h + 4, 1);
	pb_be16(h + 6, (uint16_t)an);
	pb_be16(h + 10, q->edns ? 1 : 0);
	db_put(b, name, n);
	h = pb_put(b, 4, PB_NONE);
	pb_be16(h, q->type);
	pb_be16(h + 2, 1);
}

/* The query's message: RD and AD set (as dig sends it), an OPT with a
 * COOKIE option when EDNS. */
static inline void db_query_msg(struct pb *b, const struct db_query *q)
{
	static const uint8_t opt[] = {0,  0, 41, 0x10, 0, 0, 0, 0, 0, 0, 12, 0,
				      10, 0, 8,	 1,    2, 3, 4, 5, 6, 7, 8};
	uint8_t *o;

	db_head(b, q, 0x01, 0x20, 0);
	if (!q->edns)
		return;
	o = db_put(b, opt, sizeof(opt));
	o[7] = q->dnssec ? 0x80 : 0;
}

/* The answer's message: QR, RD, RA, the rcode, AD and CD clear. */
static inline void db_answer_msg(struct pb *b, const struct db_query *q, const struct db_answer *a)
{
	uint8_t *r;
	size_t tl = a->text ? strlen(a->text) : 0;

	db_head(b, q, 0x81, (uint8_t)(0x80 | a->rcode), a->type != 0);
	if (a->type) {
		r = pb_put(b, 12, PB_NONE);
		pb_be16(r, 0xc00c);
		pb_be16(r + 2, a->type);
		pb_be16(r + 4, 1);
		pb_be32(r + 6, a->ttl);
		pb_be16(r + 10, a->type == 1 ? 4 : 16);
		r = pb_put(b, a->type == 1 ? 4 : 16, PB_NONE);
		inet_pton(a->type == 1 ? AF_INET : AF_INET6, a->addr, r);
	}
	if (!q->edns)
		return;
	r = pb_put(b, 11, PB_NONE);
	pb_be16(r + 1, 41);
	pb_be16(r + 3, 1232);
	r[7] = q->dnssec ? 0x80 : 0;
	pb_be16(r + 9, a->ede ? (uint16_t)(6 + tl) : 0);
	if (!a->ede)
		return;
	r = pb_put(b, 6, PB_NONE);
	pb_be16(r, 15);
	pb_be16(r + 2, (uint16_t)(2 + tl));
	pb_be16(r + 4, a->ede);
	db_put(b, a->text ? a->text : "", tl);
}

/* One's complement sum of n bytes, 16-bit big-endian words. */
static inline uint32_t db_sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

/* The L4 checksum of frame b (its l4 part from l4, protocol proto) over
 * the pseudo-header, as it stands: 0xffff when it verifies. */
static inline uint16_t db_l4_sum(const struct pb *b, size_t l4, uint8_t proto)
{
	const uint8_t *ip = b->buf + b->l3;
	size_t alen = b->ipver == 4 ? 4 : 16, len = b->len - l4;
	uint32_t s = db_sum(ip + (b->ipver == 4 ? 12 : 8), 2 * alen, 0);

	s = db_sum(b->buf + l4, len, s + proto + (uint32_t)len);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Sets the L4 checksum of b (field at l4 + at). */
static inline void db_set_csum(struct pb *b, size_t l4, size_t at, uint8_t proto)
{
	uint16_t c;

	pb_be16(b->buf + l4 + at, 0);
	c = (uint16_t)~db_l4_sum(b, l4, proto);
	pb_be16(b->buf + l4 + at, proto == IPPROTO_UDP && c == 0 ? 0xffff : c);
}

/* Ethernet (swapped for an answer), a tag, IP; returns the L4 offset. */
static inline size_t db_l3(struct pb *b, const struct db_query *q, int answer)
{
	const char *src = answer ? q->dst : q->src, *dst = answer ? q->src : q->dst;
	uint16_t type = q->family == 4 ? ETH_P_IP : ETH_P_IPV6;
	uint8_t proto = q->tcp ? IPPROTO_TCP : IPPROTO_UDP;

	pb_eth(b, q->vlan ? ETH_P_8021Q : type);
	if (answer) {
		b->buf[5] = 0x01;
		b->buf[11] = 0x02;
	}
	if (q->vlan)
		pb_vlan(b, 5, type);
	if (q->family == 4)
		pb_ipv4(b, proto, src, dst, 0, 0);
	else
		pb_ipv6(b, proto, src, dst);
	return b->len;
}

/* TCP: the query's segment (PSH ACK) or the answer's (FIN PSH ACK, seq
 * and ack swapped and moved on, window 8192, timestamps swapped). */
static inline void db_tcp(struct pb *b, const struct db_query *q, int answer, size_t msg_len)
{
	uint8_t *t;

	if (!answer)
		pb_tcp(b, DB_SPORT, 53, DB_TCP_SEQ, DB_TCP_ACK, 0x18, q->ts ? 12 : 0);
	else
		pb_tcp(b, 53, DB_SPORT, DB_TCP_ACK, DB_TCP_SEQ + 2 + (uint32_t)msg_len, 0x19,
		       q->ts ? 12 : 0);
	t = b->buf + b->len - (q->ts ? 32 : 20);
	if (answer)
		pb_be16(t + 14, 8192);
	if (q->ts) {
		t[22] = 8;
		t[23] = 10;
		pb_be32(t + 24, answer ? 0x0badf00d : 0x12345678);
		pb_be32(t + 28, answer ? 0x12345678 : 0x0badf00d);
	}
}

/* The whole frame of the query (a NULL) or of its answer a. For TCP the
 * answer's ack needs the query's message length: msg_len. */
static inline void db_frame(struct pb *b, const struct db_query *q, const struct db_answer *a,
			    size_t msg_len)
{
	size_t l4, msg;
	uint8_t *pre = NULL;

	memset(b, 0, sizeof(*b));
	l4 = db_l3(b, q, a != NULL);
	if (q->tcp) {
		db_tcp(b, q, a != NULL, msg_len);
		pre = pb_put(b, 2, PB_NONE);
	} else {
		pb_udp(b, a ? 53 : DB_SPORT, a ? DB_SPORT : 53);
	}
	msg = b->len;
	if (a)
		db_answer_msg(b, q, a);
	else
		db_query_msg(b, q);
	if (pre)
		pb_be16(pre, (uint16_t)(b->len - msg));
	pb_finish(b);
	db_set_csum(b, l4, q->tcp ? 16 : 6, q->tcp ? IPPROTO_TCP : IPPROTO_UDP);
}

/* The DNS message length of a query frame. */
static inline size_t db_msg_len(const struct db_query *q)
{
	struct pb b;

	memset(&b, 0, sizeof(b));
	db_query_msg(&b, q);
	return b.len;
}

#endif /* EW_TEST_DNSBUILD_H */
