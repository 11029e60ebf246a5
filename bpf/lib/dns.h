/* SPDX-License-Identifier: GPL-2.0 */
/* TC: DNS queries for blocked names, answered at the hook. A query (UDP,
 * or a TCP segment holding exactly one length-prefixed query) is copied
 * into per-CPU scratch; the client's group and the longest entry for the
 * name or a parent are looked up (ew_abi.h, "Domain names"); a blocked
 * name's query becomes its answer in place and goes back to the client
 * (lib/reply.h):
 *
 *   query:  | header | question | [OPT ..........]                      |
 *   answer: | header'| question | [A or AAAA RR] | [OPT, EDE code, text] |
 *
 * The question is echoed byte for byte (0x20 case randomisation survives);
 * names are compared lower-cased. Anything this does not read as a plain
 * query (responses, other opcodes, several questions, records in the
 * answer or authority sections, compression or bad labels in the name,
 * EDNS versions other than 0, truncated input) passes untouched. */
#ifndef EW_BPF_DNS_H
#define EW_BPF_DNS_H

#include "lib/counters.h"
#include "lib/flow.h"
#include "lib/reply.h"

#define EW_DNS_PORT	 53
#define EW_DNS_HDR	 12
#define EW_DNS_OPT_FIXED 11 /* an OPT record without options */
/* Query bytes read: the header, the longest question and an OPT's fixed
 * part; options past it are not needed. */
#define EW_DNS_QUERY_MAX (EW_DNS_HDR + EW_DNS_NAME_MAX + 4 + EW_DNS_OPT_FIXED)
#define EW_DNS_MSG	 EW_REPLY_ROOM /* where the message sits in ew_reply.buf */
#define EW_DNS_UDP_SIZE	 1232 /* the answer's OPT: our UDP payload size */
#define EW_DNS_TYPE_A	 1
#define EW_DNS_TYPE_AAAA 28
#define EW_DNS_TYPE_OPT	 41
#define EW_DNS_EDE	 15 /* EDNS option code of an Extended DNS Error */

_Static_assert(EW_DNS_MSG + EW_DNS_HDR + EW_DNS_NAME_MAX + 4 + 28 + EW_DNS_OPT_FIXED + 6 +
			       EW_DNS_TEXT_MAX + 4 <= EW_REPLY_MAX,
	       "the longest answer does not fit ew_reply.buf");
_Static_assert((EW_DNS_LABELS_MAX & (EW_DNS_LABELS_MAX - 1)) == 0, "labels: a power of two");

/* One query on its way through; in scratch, for the bpf_loop steps. */
struct ew_dns_state {
	__u64 lh[EW_DNS_LABELS_MAX]; /* hash of each label, first label first */
	__u64 h;		     /* the label being hashed, then the suffix */
	__u32 n;		     /* message bytes read */
	__u32 next;		     /* name offset of the next length byte */
	__u32 labels;		     /* labels seen, root not counted */
	__u32 name_len;		     /* wire length, root included; 0: not ended */
	__u32 bad;
	__u32 gen;		     /* generation of the tables in force */
	__u32 group;
	__s32 slot;		     /* answer slot of the longest entry; -1 */
	__u32 q_end;		     /* message offset past the question */
	__u16 qtype;
	__u8 edns;		     /* the query has an OPT record */
	__u8 dnssec_ok;		     /* ... with the DO bit */
};

struct ew_tc_scratch {
	struct ew_reply r;
	struct ew_dns_state d;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ew_tc_scratch);
} ew_scratch SEC(".maps");

/* bpf_loop's context must live on the stack: it carries the scratch. */
struct ew_dns_loop {
	struct ew_tc_scratch *s;
};

static __always_inline __u16 ew_get16(const __u8 *b)
{
	return (__u16)b[0] << 8 | b[1];
}

static __always_inline void ew_put16(__u8 *b, __u16 v)
{
	b[0] = v >> 8;
	b[1] = v;
}

/* Copies up to EW_DNS_QUERY_MAX message bytes (from the length prefix on
 * for TCP, which must announce exactly the rest of the segment) into the
 * scratch. Returns the bytes read, 0 when there is no message, or -1 for
 * a TCP segment that is not one whole query. */
static __always_inline int ew_dns_read(struct __sk_buff *skb, const struct ew_pkt *p,
				       struct ew_tc_scratch *s)
{
	__u32 off = p->payload_off, avail = ew_payload_len(p, skb->len);
	__u8 pre[2];

	if (p->proto == IPPROTO_TCP) {
		if (avail < 2 || bpf_skb_load_bytes(skb, off, pre, 2))
			return avail ? -1 : 0;
		if (ew_get16(pre) != avail - 2)
			return -1;
		off += 2;
		avail -= 2;
	}
	if (avail > EW_DNS_QUERY_MAX)
		avail = EW_DNS_QUERY_MAX;
	if (avail < EW_DNS_HDR + 5 || bpf_skb_load_bytes(skb, off, s->r.buf + EW_DNS_MSG, avail))
		return 0;
	return avail;
}

/* A plain query: QR 0, opcode QUERY, not truncated, one question, no
 * answer or authority records, at most one additional (the OPT). */
static __always_inline int ew_dns_header_ok(const __u8 *h)
{
	return !(h[2] & 0x80) && ((h[2] >> 3) & 0xf) == 0 && !(h[2] & 0x02) &&
	       ew_get16(h + 4) == 1 && ew_get16(h + 6) == 0 && ew_get16(h + 8) == 0 &&
	       ew_get16(h + 10) <= 1;
}

/* bpf_loop step over the name, byte i: hashes each label (ew_abi.h) into
 * d->lh; stops at the root label (name_len set) or a bad label (bad set):
 * a compression pointer, a length over 63, past the bytes read. */
static long ew_dns_walk(__u32 i, void *ctx)
{
	struct ew_tc_scratch *s = ((struct ew_dns_loop *)ctx)->s;
	struct ew_dns_state *d;
	__u8 c;

	if (!s)
		return 1;
	d = &s->d;
	if (i >= EW_DNS_NAME_MAX || EW_DNS_HDR + i >= d->n) {
		d->bad = 1;
		return 1;
	}
	c = s->r.buf[EW_DNS_MSG + EW_DNS_HDR + i];
	if (i != d->next) {
		d->h = ew_dns_label_step(d->h, c);
		return 0;
	}
	if (d->labels)
		d->lh[(d->labels - 1) & (EW_DNS_LABELS_MAX - 1)] = d->h;
	if (c == 0) {
		d->name_len = i + 1;
		return 1;
	}
	if (c > 63 || d->labels >= EW_DNS_LABELS_MAX - 1) {
		d->bad = 1;
		return 1;
	}
	d->labels++;
	d->next = i + 1 + c;
	d->h = ew_dns_label_step(EW_DNS_LABEL_SEED, c);
	return 0;
}

/* After the name: the type and class (IN or ANY), and the OPT record when
 * the header announces one (root owner, version 0). 0 or -1. */
static __always_inline int ew_dns_tail(struct ew_dns_state *d, const __u8 *msg)
{
	__u32 q = EW_DNS_HDR + d->name_len, cls;
	const __u8 *opt;

	if (q + 4 > d->n || q > EW_DNS_HDR + EW_DNS_NAME_MAX)
		return -1;
	d->qtype = ew_get16(msg + q);
	cls = ew_get16(msg + q + 2);
	if (cls != 1 && cls != 255)
		return -1;
	d->q_end = q + 4;
	d->edns = ew_get16(msg + 10) == 1;
	if (!d->edns)
		return 0;
	opt = msg + q + 4;
	if (q + 4 + EW_DNS_OPT_FIXED > d->n || opt[0] != 0 || ew_get16(opt + 1) != EW_DNS_TYPE_OPT ||
	    opt[6] != 0)
		return -1;
	d->dnssec_ok = opt[7] & 0x80;
	return 0;
}

/* Reads the query into the scratch and hashes its name. 0, or -1 when it
 * is not a plain query (counted as malformed by the caller). */
static __always_inline int ew_dns_parse(struct ew_tc_scratch *s)
{
	struct ew_dns_state *d = &s->d;
	const __u8 *msg = s->r.buf + EW_DNS_MSG;
	struct ew_dns_loop l = {.s = s};

	if (!ew_dns_header_ok(msg))
		return -1;
	d->next = d->labels = d->name_len = d->bad = 0;
	d->dnssec_ok = 0;
	d->h = 0;
	bpf_loop(EW_DNS_NAME_MAX, ew_dns_walk, &l, 0);
	if (d->bad || !d->name_len)
		return -1;
	return ew_dns_tail(d, msg);
}

/* bpf_loop step j over the suffixes, shortest first (the last label
 * alone): hashes the suffix and looks it up, as `*.suffix` or, for the
 * whole name, exactly. The last entry found, the longest, stays in slot. */
static long ew_dns_suffix(__u32 j, void *ctx)
{
	struct ew_tc_scratch *s = ((struct ew_dns_loop *)ctx)->s;
	struct ew_domain_key k = {};
	struct ew_dns_state *d;
	__u32 idx, *slot;
	void *names;

	if (!s)
		return 1;
	d = &s->d;
	k.group = d->group;
	if (j >= d->labels)
		return 1;
	idx = (d->labels - 1 - j) & (EW_DNS_LABELS_MAX - 1);
	d->h = ew_dns_suffix_hash(d->lh[idx], d->h);
	k.hash = d->h;
	k.wild = idx != 0;
	names = bpf_map_lookup_elem(&ew_domains_v1, &d->gen);
	if (!names)
		return 1;
	slot = bpf_map_lookup_elem(names, &k);
	if (slot)
		d->slot = *slot;
	return 0;
}

/* The group of the client (p's source): its longest prefix in the groups
 * table, else 0. */
static __always_inline __u32 ew_dns_group(const struct ew_pkt *p, __u32 gen)
{
	struct ew_group_key k = {.prefixlen = 128};
	void *groups = bpf_map_lookup_elem(&ew_groups_v1, &gen);
	__u32 *g;

	if (!groups)
		return 0;
	__builtin_memcpy(k.addr, p->src, 16);
	g = bpf_map_lookup_elem(groups, &k);
	return g ? *g : 0;
}

/* The answer of the longest entry for the query's name in the client's
 * group, or NULL when none holds it. */
static __always_inline struct ew_dns_answer *ew_dns_decide(const struct ew_pkt *p,
							   struct ew_tc_scratch *s)
{
	struct ew_dns_state *d = &s->d;
	struct ew_dns_loop l = {.s = s};
	__u32 slot;
	void *answers;

	d->group = ew_dns_group(p, d->gen);
	d->slot = -1;
	d->h = EW_DNS_ROOT_HASH;
	bpf_loop(EW_DNS_LABELS_MAX, ew_dns_suffix, &l, 0);
	if (d->slot < 0)
		return NULL;
	slot = d->slot;
	answers = bpf_map_lookup_elem(&ew_dnsans_v1, &d->gen);
	return answers ? bpf_map_lookup_elem(answers, &slot) : NULL;
}

/* Writes the A or AAAA record (owner: a pointer to the question's name)
 * at rr; returns its length. */
static __always_inline __u32 ew_dns_put_rr(__u8 *rr, const struct ew_dns_answer *a, __u16 type)
{
	__u32 ttl = bpf_htonl(a->ttl);
	__u32 alen = type == EW_DNS_TYPE_A ? 4 : 16;

	ew_put16(rr, 0xc000 | EW_DNS_HDR);
	ew_put16(rr + 2, type);
	ew_put16(rr + 4, 1);
	__builtin_memcpy(rr + 6, &ttl, 4);
	ew_put16(rr + 10, alen);
	if (type == EW_DNS_TYPE_A)
		__builtin_memcpy(rr + 12, a->addr4, 4);
	else
		__builtin_memcpy(rr + 12, a->addr6, 16);
	return 12 + alen;
}

/* Writes the OPT record at o: our UDP size, the query's DO bit, and the
 * Extended DNS Error when the answer has one. Returns its length. */
static __always_inline __u32 ew_dns_put_opt(__u8 *o, const struct ew_dns_answer *a, __u8 dnssec_ok)
{
	__u32 text = a->text_len > EW_DNS_TEXT_MAX ? EW_DNS_TEXT_MAX : a->text_len;
	__u32 rdlen = a->ede ? 6 + text : 0;

	o[0] = 0;
	ew_put16(o + 1, EW_DNS_TYPE_OPT);
	ew_put16(o + 3, EW_DNS_UDP_SIZE);
	o[5] = o[6] = 0;   /* extended rcode, version */
	o[7] = dnssec_ok;
	o[8] = 0;
	ew_put16(o + 9, rdlen);
	if (!a->ede)
		return EW_DNS_OPT_FIXED;
	ew_put16(o + 11, EW_DNS_EDE);
	ew_put16(o + 13, 2 + text);
	ew_put16(o + 15, a->ede);
	__builtin_memcpy(o + 17, a->text, EW_DNS_TEXT_MAX); /* what is past text is cut */
	return EW_DNS_OPT_FIXED + rdlen;
}

/* Turns the query in the scratch into the answer a prescribes; returns
 * the message length and the counter of the outcome through *outcome. */
static __always_inline __u32 ew_dns_build(struct ew_tc_scratch *s, const struct ew_dns_answer *a,
					  __u32 *outcome)
{
	struct ew_dns_state *d = &s->d;
	__u8 *msg = s->r.buf + EW_DNS_MSG, rcode = 0;
	__u16 type = ew_dns_answer_record(a, d->qtype, &rcode);
	__u32 end = d->q_end;

	if (end > EW_DNS_HDR + EW_DNS_NAME_MAX + 4)
		return 0;
	msg[2] = 0x80 | (msg[2] & 0x01);	/* QR; RD as asked */
	msg[3] = 0x80 | (msg[3] & 0x10) | rcode; /* RA; CD as asked */
	ew_put16(msg + 6, type ? 1 : 0);
	ew_put16(msg + 10, d->edns);
	if (type)
		end += ew_dns_put_rr(msg + end, a, type);
	if (d->edns && end <= EW_DNS_HDR + EW_DNS_NAME_MAX + 4 + 28)
		end += ew_dns_put_opt(msg + end, a, d->dnssec_ok);
	*outcome = type ? EW_C_DNS_NOTICE : rcode ? EW_C_DNS_NXDOMAIN : EW_C_DNS_NODATA;
	return end;
}

/* The L4 header before the message in the scratch: UDP, or TCP with the
 * length prefix (seq/ack answering p, FIN: the answer ends the exchange;
 * the query's timestamps, swapped, when it had them first in its options,
 * as every common stack sends them). Returns where the reply starts. */
static __always_inline __u32 ew_dns_l4(struct __sk_buff *skb, const struct ew_pkt *p,
				       struct ew_tc_scratch *s, __u32 len)
{
	__u8 *b = s->r.buf, opt[12];
	__u32 hl = 20, seq, ack;
	__u8 *t;

	if (p->proto == IPPROTO_UDP) {
		t = b + EW_DNS_MSG - 8;
		__builtin_memcpy(t, &p->dport, 2);
		__builtin_memcpy(t + 2, &p->sport, 2);
		ew_put16(t + 4, 8 + len);
		ew_put16(t + 6, 0);
		return EW_DNS_MSG - 8;
	}
	if (p->payload_off - p->l4_off == 32 && !bpf_skb_load_bytes(skb, p->l4_off + 20, opt, 12) &&
	    opt[0] == 1 && opt[1] == 1 && opt[2] == 8 && opt[3] == 10)
		hl = 32;
	ew_put16(b + EW_DNS_MSG - 2, len);
	t = b + EW_DNS_MSG - 2 - hl;
	__builtin_memset(t, 0, 20);
	__builtin_memcpy(t, &p->dport, 2);
	__builtin_memcpy(t + 2, &p->sport, 2);
	seq = bpf_htonl(p->ack);
	ack = bpf_htonl(p->seq + ew_payload_len(p, skb->len) + !!(p->tcp_flags & EW_TCP_FIN));
	__builtin_memcpy(t + 4, &seq, 4);
	__builtin_memcpy(t + 8, &ack, 4);
	t[12] = (hl / 4) << 4;
	t[13] = EW_TCP_ACK | EW_TCP_PSH | EW_TCP_FIN;
	ew_put16(t + 14, 8192);
	if (hl == 32) {
		__builtin_memcpy(t + 20, opt, 4);
		__builtin_memcpy(t + 24, opt + 8, 4); /* TSval: theirs echoed back */
		__builtin_memcpy(t + 28, opt + 4, 4); /* TSecr: their TSval */
	}
	return EW_DNS_MSG - 2 - hl;
}

/* A TCP flow answered here gets a RESET verdict: XDP answers what the
 * client sends next (its ACK and FIN) with a reset, and so what the
 * server, which never saw the query, sends when it speaks. */
static __always_inline void ew_dns_reset_flow(const struct ew_pkt *p, __u32 rule)
{
	struct ew_verdict v = {.action = EW_ACT_RESET, .rule_id = rule};
	struct ew_flow_key k;

	ew_flow_key_make(p, &k);
	v.expires_ns = bpf_ktime_get_ns() + EW_RESET_TTL_S * 1000000000ull;
	bpf_map_update_elem(&ew_flows_v1, &k, &v, BPF_ANY);
}

#endif /* EW_BPF_DNS_H */
