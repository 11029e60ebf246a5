// SPDX-License-Identifier: GPL-2.0
/* dnsanswer: a blocked name's answer, as the TC program builds it
 * (dnsanswer.h; the kernel's rules are in bpf/lib/dns.h). */
#include <errno.h>
#include <string.h>

#include "dnsanswer.h"

#define HDR	 12
#define OPT_LEN	 11   /* an OPT record without options */
#define UDP_SIZE 1232 /* the answer's OPT: as the kernel's */
#define TYPE_A	 1
#define TYPE_OPT 41
#define OPT_EDE	 15

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* A plain query's header: QR 0, opcode QUERY, TC clear, one question, no
 * answer or authority records, at most one additional. */
static bool header_ok(const uint8_t *h)
{
	return !(h[2] & 0x80) && ((h[2] >> 3) & 0xf) == 0 && !(h[2] & 0x02) && get16(h + 4) == 1 &&
	       get16(h + 6) == 0 && get16(h + 8) == 0 && get16(h + 10) <= 1;
}

/* The name at msg[HDR]: its wire length through *wire, the text into q.
 * 0 or -EINVAL, by the kernel's walk (ew_dns_walk): no pointer, labels
 * up to 63 bytes, at most EW_DNS_NAME_MAX bytes with the root. */
static int read_name(const uint8_t *msg, size_t len, struct dnsanswer_query *q, size_t *wire)
{
	size_t i = 0, o = 0;

	q->dotted = true;
	for (;;) {
		uint8_t n;

		if (i >= EW_DNS_NAME_MAX || HDR + i >= len)
			return -EINVAL;
		n = msg[HDR + i];
		if (!n)
			break;
		if (n > 63 || HDR + i + 1 + n > len || i + 1 + n >= EW_DNS_NAME_MAX)
			return -EINVAL;
		if (o)
			q->name[o++] = '.';
		memcpy(q->name + o, msg + HDR + i + 1, n);
		if (memchr(msg + HDR + i + 1, '.', n) || memchr(msg + HDR + i + 1, 0, n))
			q->dotted = false;
		o += n;
		i += 1u + n;
	}
	q->name[o] = '\0';
	*wire = i + 1;
	return 0;
}

int dnsanswer_parse(const uint8_t *msg, size_t len, struct dnsanswer_query *q)
{
	size_t wire, at;
	const uint8_t *opt;

	if (len < HDR + 5 || !header_ok(msg) || read_name(msg, len, q, &wire))
		return -EINVAL;
	at = HDR + wire;
	if (at + 4 > len || (get16(msg + at + 2) != 1 && get16(msg + at + 2) != 255))
		return -EINVAL;
	q->id = get16(msg);
	q->qtype = get16(msg + at);
	q->q_end = at + 4;
	q->edns = get16(msg + 10) == 1;
	q->dnssec_ok = false;
	if (!q->edns)
		return 0;
	opt = msg + q->q_end;
	if (q->q_end + OPT_LEN > len || opt[0] != 0 || get16(opt + 1) != TYPE_OPT || opt[6] != 0)
		return -EINVAL;
	q->dnssec_ok = opt[7] & 0x80;
	return 0;
}

/* The A or AAAA record, its owner a pointer to the question's name. */
static size_t put_rr(uint8_t *rr, const struct ew_dns_answer *a, uint16_t type)
{
	size_t alen = type == TYPE_A ? 4 : 16;

	put16(rr, 0xc000 | HDR);
	put16(rr + 2, type);
	put16(rr + 4, 1);
	put16(rr + 6, (uint16_t)(a->ttl >> 16));
	put16(rr + 8, (uint16_t)a->ttl);
	put16(rr + 10, (uint16_t)alen);
	memcpy(rr + 12, type == TYPE_A ? a->addr4 : a->addr6, alen);
	return 12 + alen;
}

/* The OPT record: our UDP size, the DO bit as asked, the EDE if any. */
static size_t put_opt(uint8_t *o, const struct ew_dns_answer *a, bool dnssec_ok)
{
	size_t text = a->text_len > EW_DNS_TEXT_MAX ? EW_DNS_TEXT_MAX : a->text_len;
	size_t rdlen = a->ede ? 6 + text : 0;

	memset(o, 0, OPT_LEN);
	put16(o + 1, TYPE_OPT);
	put16(o + 3, UDP_SIZE);
	o[7] = dnssec_ok ? 0x80 : 0;
	put16(o + 9, (uint16_t)rdlen);
	if (!a->ede)
		return OPT_LEN;
	put16(o + 11, OPT_EDE);
	put16(o + 13, (uint16_t)(2 + text));
	put16(o + 15, a->ede);
	memcpy(o + 17, a->text, text);
	return OPT_LEN + rdlen;
}

int dnsanswer_build(const uint8_t *msg, const struct dnsanswer_query *q,
		    const struct ew_dns_answer *a, uint8_t *out, size_t size, uint32_t *outcome)
{
	uint8_t rcode = 0;
	uint16_t type;
	size_t end = q->q_end;

	if (a->kind == EW_DNS_PASS)
		return -EINVAL;
	if (size < DNSANSWER_MAX || end > HDR + EW_DNS_NAME_MAX + 4)
		return -ENOSPC;
	type = ew_dns_answer_record(a, q->qtype, &rcode);
	memcpy(out, msg, end);
	out[2] = 0x80 | (msg[2] & 0x01);	     /* QR; RD as asked */
	out[3] = 0x80 | (msg[3] & 0x10) | rcode; /* RA; CD as asked */
	put16(out + 6, type ? 1 : 0);
	put16(out + 10, q->edns);
	if (type)
		end += put_rr(out + end, a, type);
	if (q->edns)
		end += put_opt(out + end, a, q->dnssec_ok);
	*outcome = type ? EW_C_DNS_NOTICE : rcode ? EW_C_DNS_NXDOMAIN : EW_C_DNS_NODATA;
	return (int)end;
}
