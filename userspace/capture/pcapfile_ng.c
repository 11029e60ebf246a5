// SPDX-License-Identifier: GPL-2.0
/* pcapfile_ng: the pcapng half of pcapfile (pcapfile.c has the API):
 * sections, interfaces and packet blocks of a mapped file -> frames
 * pointing into it. Checks follow libpcap's sf-pcapng.c, so frames and
 * the point where reading stops are the same as libpcap's.
 *
 *   block: | type | total len | body ... (padded to 4) | total len |
 *   SHB    | 0x0a0d0d0a | len | 0x1a2b3c4d | major | minor | section len 8 | options |
 *   IDB    | 1 | len | link type 2 | reserved 2 | snap len | options |
 *   EPB    | 6 | len | interface | ts hi | ts lo | caplen | len | data | options |
 *   SPB    | 3 | len | len | data (min(len, snap len of interface 0)) |
 *   PB     | 2 | len | interface 2 | drops 2 | ts hi | ts lo | caplen | len | data |
 */
#include <stdlib.h>

#include "pcapfile_int.h"

#define BT_SHB	     0x0a0d0d0au
#define BT_IDB	     1u
#define BT_PB	     2u /* obsolete */
#define BT_SPB	     3u
#define BT_EPB	     6u
#define BOM	     0x1a2b3c4du
#define BLOCK_MIN    12u	 /* type, length, trailer */
#define SHB_MIN	     28u	 /* ... and the fixed fields */
#define SHB_MAX	     (1u << 20)	 /* libpcap's cap on the first section header */
#define OPEN_MAX     (16u << 20) /* libpcap's cap on a block (only before the first IDB) */
#define OPT_END	     0
#define OPT_TSRESOL  9
#define OPT_TSOFFSET 14

struct block {
	size_t off; /* of the block in the file */
	uint32_t type;
	uint32_t len;	     /* total length */
	const uint8_t *body; /* after type and length */
	uint32_t blen;	     /* body bytes, trailer excluded */
};

static size_t at(const struct pcapfile *r, const uint8_t *p)
{
	return (size_t)(p - r->buf);
}

/* A section header sets the byte order of what follows, its own length
 * included: read the byte-order magic first. */
static int section_order(struct pcapfile *r, size_t left)
{
	uint32_t bom;

	if (left < BLOCK_MIN)
		return pf_fail(r, r->off,
			       "truncated dump file: section header at offset %zu is cut short "
			       "(%zu of %u bytes)",
			       r->off, left, BLOCK_MIN);
	memcpy(&bom, r->buf + r->off + 8, 4);
	if (bom != BOM && bom != __builtin_bswap32(BOM))
		return pf_fail(r, r->off,
			       "section header at offset %zu has byte-order magic 0x%08x", r->off,
			       bom);
	r->swapped = bom != BOM;
	return 0;
}

/* The block at r->off, checked whole; moves r->off past it. Returns 1,
 * 0 at the end of the file, or -EIO. */
static int block_read(struct pcapfile *r, struct block *b)
{
	size_t left = r->len - r->off;
	const uint8_t *p = r->buf + r->off;

	if (left == 0)
		return 0;
	if (left < 8)
		return pf_fail(r, r->off,
			       "truncated dump file: block header at offset %zu is cut short (%zu "
			       "of 8 bytes)",
			       r->off, left);
	b->off = r->off;
	b->type = pf_rd32(r, p);
	if (b->type == BT_SHB && section_order(r, left))
		return -EIO;
	b->len = pf_rd32(r, p + 4);
	if (b->len < BLOCK_MIN || b->len % 4)
		return pf_fail(
			r, b->off,
			"block at offset %zu has length %u (expected a multiple of 4, at least %u)",
			b->off, b->len, BLOCK_MIN);
	if (b->len > left)
		return pf_fail(r, b->off,
			       "truncated dump file: block at offset %zu has length %u but only "
			       "%zu bytes are left",
			       b->off, b->len, left);
	if (pf_rd32(r, p + b->len - 4) != b->len)
		return pf_fail(
			r, b->off,
			"block at offset %zu has length %u in its header but %u in its trailer",
			b->off, b->len, pf_rd32(r, p + b->len - 4));
	b->body = p + 8;
	b->blen = b->len - BLOCK_MIN;
	r->off += b->len;
	return 1;
}

static int too_short(struct pcapfile *r, const struct block *b, const char *what)
{
	return pf_fail(r, b->off, "%s at offset %zu is too short (%u bytes)", what, b->off, b->len);
}

/* ---- interfaces ------------------------------------------------------------- */

static int opt_tsresol(struct pcapfile *r, const uint8_t *opt, struct pf_if *i)
{
	uint8_t v = opt[4];

	if (v & 0x80) {
		if ((v & 0x7f) > 63)
			return pf_fail(r, at(r, opt),
				       "if_tsresol at offset %zu is 2^-%u (at most 2^-63)",
				       at(r, opt), v & 0x7f);
		i->binary = true;
		i->tsresol = 1ull << (v & 0x7f);
		return 0;
	}
	if (v > 19)
		return pf_fail(r, at(r, opt), "if_tsresol at offset %zu is 10^-%u (at most 10^-19)",
			       at(r, opt), v);
	i->binary = false;
	i->tsresol = 1;
	while (v--)
		i->tsresol *= 10;
	return 0;
}

/* One option of an interface: 0 to go on, 1 at opt_endofopt, -EIO. */
static int idb_option(struct pcapfile *r, const uint8_t *opt, struct pf_if *i, unsigned *seen)
{
	uint16_t code = pf_rd16(r, opt), len = pf_rd16(r, opt + 2);
	unsigned bit = code == OPT_TSRESOL ? 1 : 2;
	uint16_t want = code == OPT_TSRESOL ? 1 : 8;

	if (code == OPT_END) {
		if (len)
			return pf_fail(r, at(r, opt), "opt_endofopt at offset %zu has length %u",
				       at(r, opt), len);
		return 1;
	}
	if (code != OPT_TSRESOL && code != OPT_TSOFFSET)
		return 0;
	if (len != want)
		return pf_fail(r, at(r, opt), "%s at offset %zu has length %u (expected %u)",
			       code == OPT_TSRESOL ? "if_tsresol" : "if_tsoffset", at(r, opt), len,
			       want);
	if (*seen & bit)
		return pf_fail(r, at(r, opt), "interface has a second %s at offset %zu",
			       code == OPT_TSRESOL ? "if_tsresol" : "if_tsoffset", at(r, opt));
	*seen |= bit;
	if (code == OPT_TSRESOL)
		return opt_tsresol(r, opt, i);
	i->tsoffset = (int64_t)pf_rd64(r, opt + 4);
	return 0;
}

/* The interface options after the fixed fields: if_tsresol, if_tsoffset. */
static int idb_options(struct pcapfile *r, const struct block *b, struct pf_if *i)
{
	const uint8_t *p = b->body + 8, *end = b->body + b->blen;
	unsigned seen = 0;
	int rc;

	while (p < end) {
		size_t room = (size_t)(end - p);
		size_t padded = end - p < 4 ? 0 : ((size_t)pf_rd16(r, p + 2) + 3) & ~(size_t)3;

		if (room < 4 || padded > room - 4)
			return pf_fail(r, at(r, p), "option at offset %zu runs past its block",
				       at(r, p));
		rc = idb_option(r, p, i, &seen);
		if (rc)
			return rc < 0 ? rc : 0;
		p += 4 + padded;
	}
	return 0;
}

static int idb_add(struct pcapfile *r, const struct block *b)
{
	struct pf_if i = {.tsresol = 1000000}; /* pcapng's default: microseconds */
	int rc;

	if (b->blen < 8)
		return too_short(r, b, "interface block");
	if (r->n_if == PCAPFILE_IF_MAX)
		return pf_fail(r, b->off,
			       "interface block at offset %zu is one more than %u in a section",
			       b->off, PCAPFILE_IF_MAX);
	if (r->n_if == r->cap_if) {
		uint32_t cap = r->cap_if ? 2 * r->cap_if : 4;
		struct pf_if *v = realloc(r->ifs, cap * sizeof(*v));

		if (!v)
			return pf_fail(r, b->off, "no memory for interface %u", r->n_if);
		r->ifs = v;
		r->cap_if = cap;
	}
	i.linktype = pf_dlt(pf_rd16(r, b->body));
	i.snaplen = pf_snaplen(i.linktype, pf_rd32(r, b->body + 4));
	rc = idb_options(r, b, &i);
	if (rc)
		return rc;
	r->ifs[r->n_if++] = i;
	return 0;
}

/* ---- packets -------------------------------------------------------------------- */

/* libpcap's conversion to its struct timeval (seconds, then the fraction
 * scaled to ns in 64-bit arithmetic, wrapping where it wraps), then to ns
 * as pcapsrc computed it. */
static uint64_t ng_ts(const struct pf_if *i, uint64_t t)
{
	uint64_t sec = t / i->tsresol + (uint64_t)i->tsoffset;
	uint64_t frac = t % i->tsresol;

	if (i->binary)
		frac = frac * NS_PER_S / i->tsresol;
	else if (i->tsresol < NS_PER_S)
		frac *= NS_PER_S / i->tsresol;
	else
		frac /= i->tsresol / NS_PER_S;
	return sec * NS_PER_S + frac;
}

/* An EPB, SPB or PB -> *f. */
static int packet(struct pcapfile *r, const struct block *b, struct pcapfile_frame *f)
{
	const uint8_t *d = b->body;
	uint32_t ifid = 0, caplen, room;
	uint64_t t = 0;

	if (b->blen < (b->type == BT_SPB ? 4u : 20u))
		return too_short(r, b, "packet block");
	if (b->type == BT_SPB) {
		f->len = pf_rd32(r, d);
		caplen = r->n_if && f->len > r->ifs[0].snaplen ? r->ifs[0].snaplen : f->len;
		room = b->blen - 4;
	} else {
		ifid = b->type == BT_EPB ? pf_rd32(r, d) : pf_rd16(r, d);
		t = (uint64_t)pf_rd32(r, d + 4) << 32 | pf_rd32(r, d + 8);
		caplen = pf_rd32(r, d + 12);
		f->len = pf_rd32(r, d + 16);
		room = b->blen - 20;
	}
	if (ifid >= r->n_if)
		return pf_fail(
			r, b->off,
			"packet block at offset %zu names interface %u, but its section has %u",
			b->off, ifid, r->n_if);
	if (caplen > r->ifs[ifid].snaplen)
		return pf_fail(
			r, b->off,
			"packet block at offset %zu has caplen %u (more than the snap length %u)",
			b->off, caplen, r->ifs[ifid].snaplen);
	if (caplen > room)
		return pf_fail(r, b->off,
			       "packet block at offset %zu has caplen %u but holds %u bytes",
			       b->off, caplen, room);
	f->data = d + (b->type == BT_SPB ? 4 : 20);
	f->caplen = caplen;
	f->ts_ns = ng_ts(&r->ifs[ifid], t);
	f->linktype = r->ifs[ifid].linktype;
	f->ifid = ifid;
	return 1;
}

/* A later section: its own interfaces (and byte order, read already). */
static int section(struct pcapfile *r, const struct block *b)
{
	uint16_t major;

	if (b->blen < 16)
		return too_short(r, b, "section header");
	major = pf_rd16(r, b->body + 4);
	if (major != 1)
		return pf_fail(r, b->off,
			       "section header at offset %zu has version %u.%u (expected 1.x)",
			       b->off, major, pf_rd16(r, b->body + 6));
	r->n_if = 0;
	return 0;
}

int pf_ng_next(struct pcapfile *r, struct pcapfile_frame *f)
{
	struct block b;
	int rc;

	for (;;) {
		rc = block_read(r, &b);
		if (rc <= 0)
			return rc;
		if (b.type == BT_EPB || b.type == BT_SPB || b.type == BT_PB)
			return packet(r, &b, f);
		if (b.type == BT_IDB)
			rc = idb_add(r, &b);
		else if (b.type == BT_SHB)
			rc = section(r, &b);
		if (rc < 0)
			return rc;
	}
}

/* libpcap's pcap_ng_check_header: the first section header, then blocks
 * up to the first interface. What libpcap would refuse, or read in a way
 * of its own (a second section header before any interface), is left to
 * it. */
int pf_ng_open(struct pcapfile *r)
{
	uint32_t bom, len;
	struct block b;
	int rc;

	if (r->len < BLOCK_MIN)
		return -ENOEXEC;
	memcpy(&bom, r->buf + 8, 4);
	if (bom != BOM && bom != __builtin_bswap32(BOM))
		return -ENOEXEC;
	r->swapped = bom != BOM;
	len = pf_rd32(r, r->buf + 4);
	if (len < SHB_MIN || len > SHB_MAX || len % 4 || len > r->len)
		return -ENOEXEC;
	if (pf_rd16(r, r->buf + 12) != 1 ||
	    (pf_rd16(r, r->buf + 14) != 0 && pf_rd16(r, r->buf + 14) != 2))
		return -ENOEXEC;
	r->off = len; /* libpcap checks no trailer here */
	do {
		rc = block_read(r, &b);
		if (rc <= 0 || b.len > OPEN_MAX || b.type == BT_SHB || b.type == BT_EPB ||
		    b.type == BT_SPB || b.type == BT_PB)
			return -ENOEXEC;
	} while (b.type != BT_IDB);
	if (idb_add(r, &b))
		return -ENOEXEC;
	r->linktype = r->ifs[0].linktype;
	return pf_rewritten(r->linktype, r->swapped) ? -ENOEXEC : 0;
}
