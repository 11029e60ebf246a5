// SPDX-License-Identifier: GPL-2.0
/* dnsmsg: the question of a DNS message (dnsmsg.h). */
#include <errno.h>
#include <stdio.h>

#include "dnsmsg.h"

#define HDR 12

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static bool plain(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* Appends label bytes l[0, n) to the text at *o. */
static void put_label(const uint8_t *l, size_t n, char *out, size_t *o)
{
	for (size_t i = 0; i < n; i++) {
		if (plain(l[i]))
			out[(*o)++] = (char)l[i];
		else
			*o += (size_t)snprintf(out + *o, 5, "\\%03u", l[i]);
	}
}

/* The name at msg[*at]: text into out, *at past it. 0 or -EINVAL. */
static int read_name(const uint8_t *msg, size_t len, size_t *at, char *out)
{
	size_t p = *at, wire = 0, o = 0;

	for (;;) {
		uint8_t n;

		if (p >= len)
			return -EINVAL;
		n = msg[p++];
		if (n & 0xc0)
			return -EINVAL; /* a pointer or a reserved label type */
		wire += 1u + n;
		if (wire > 255 || p + n > len)
			return -EINVAL;
		if (!n)
			break;
		if (o)
			out[o++] = '.';
		put_label(msg + p, n, out, &o);
		p += n;
	}
	if (!o)
		out[o++] = '.';
	out[o] = '\0';
	*at = p;
	return 0;
}

int dnsmsg_question(const uint8_t *msg, size_t len, struct dnsmsg_question *q)
{
	size_t at = HDR;

	if (len < HDR || !get16(msg + 4) || read_name(msg, len, &at, q->name) || at + 4 > len)
		return -EINVAL;
	q->id = get16(msg);
	q->response = msg[2] & 0x80;
	q->rcode = msg[3] & 0x0f;
	q->qtype = get16(msg + at);
	q->qclass = get16(msg + at + 2);
	return 0;
}

const char *dnsmsg_type_name(uint16_t type)
{
	switch (type) {
	case 1: return "A";
	case 2: return "NS";
	case 5: return "CNAME";
	case 6: return "SOA";
	case 12: return "PTR";
	case 15: return "MX";
	case 16: return "TXT";
	case 28: return "AAAA";
	case 33: return "SRV";
	case 64: return "SVCB";
	case 65: return "HTTPS";
	case 255: return "ANY";
	default: return NULL;
	}
}
