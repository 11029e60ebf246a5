// SPDX-License-Identifier: GPL-2.0
/* defrag: IPv4/IPv6 fragment reassembly, between packet_decode and
 * reasm_push. Datagrams in progress sit in one list, oldest first, so
 * timeouts and the count cap drop from the head. Overlaps: first wins
 * (seglist), conflicting overlaps are counted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "defrag.h"
#include "seglist.h"

#define V4_MAX	65535u		   /* largest IPv4 datagram */
#define V6_MAX	(65535u + 40u)	   /* largest IPv6 datagram (no jumbo) */
#define HDR_MAX (40u + 8u * 2048u) /* unfragmentable part kept, at most */

struct dgram {
	struct dgram *next;
	uint8_t family;
	uint8_t proto; /* IPv4 protocol; IPv6: from the offset-0 fragment */
	uint8_t src[16], dst[16];
	uint32_t id;
	uint64_t first_ns;
	int64_t total; /* payload length once the last fragment came, else -1 */
	uint8_t *hdr;  /* unfragmentable part, from the offset-0 fragment */
	size_t hdr_len;
	size_t nh_off; /* IPv6: the next-header byte that named 44 */
	struct seglist segs;
};

struct defrag {
	struct defrag_conf conf;
	struct dgram *head, *tail;
	size_t count;
	uint8_t *out;
	size_t out_cap;
	struct defrag_stats st;
};

/* One fragment, parsed. */
struct frag {
	uint8_t family, proto;
	const uint8_t *src, *dst;
	uint32_t id;
	uint32_t off;
	int more;
	const uint8_t *data;
	size_t len;
	size_t hdr_len; /* bytes before the fragment's data (v6: before fh) */
	size_t nh_off;
};

void defrag_conf_default(struct defrag_conf *c)
{
	c->timeout_ns = 30ull * 1000000000ull;
	c->max_datagrams = 1024;
	c->max_bytes = 16u << 20;
	c->max_frags = 256;
}

struct defrag *defrag_new(const struct defrag_conf *conf)
{
	struct defrag *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (conf)
		d->conf = *conf;
	else
		defrag_conf_default(&d->conf);
	return d;
}

static uint16_t rd16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static int parse_v4(const uint8_t *ip, size_t len, struct frag *f)
{
	size_t hl = (size_t)(ip[0] & 0xf) * 4, tot = rd16(ip + 2);

	if (len < 20 || hl < 20 || tot < hl || tot > len)
		return -EINVAL;
	f->family = 4;
	f->proto = ip[9];
	f->src = ip + 12;
	f->dst = ip + 16;
	f->id = rd16(ip + 4);
	f->off = (uint32_t)(rd16(ip + 6) & 0x1fff) * 8;
	f->more = !!(rd16(ip + 6) & 0x2000);
	f->hdr_len = hl;
	f->data = ip + hl;
	f->len = tot - hl;
	return 0;
}

static int parse_v6(const uint8_t *ip, size_t len, struct frag *f)
{
	size_t tot = (size_t)rd16(ip + 4) + 40, pos = 40, nh_off = 6;

	if (len < 40 || tot > len)
		return -EINVAL;
	for (int i = 0; ip[nh_off] != 44; i++) {
		uint8_t nh = ip[nh_off];

		if (i >= 8 || (nh != 0 && nh != 43 && nh != 60) || pos + 8 > tot)
			return -EINVAL;
		nh_off = pos;
		pos += ((size_t)ip[pos + 1] + 1) * 8;
	}
	if (pos + 8 > tot)
		return -EINVAL;
	f->family = 6;
	f->proto = ip[pos];
	f->src = ip + 8;
	f->dst = ip + 24;
	f->id = (uint32_t)rd16(ip + pos + 4) << 16 | rd16(ip + pos + 6);
	f->off = rd16(ip + pos + 2) & 0xfff8;
	f->more = ip[pos + 3] & 1;
	f->hdr_len = pos;
	f->nh_off = nh_off;
	f->data = ip + pos + 8;
	f->len = tot - pos - 8;
	return 0;
}

static void drop(struct defrag *d, struct dgram *g, struct dgram *prev)
{
	if (prev)
		prev->next = g->next;
	else
		d->head = g->next;
	if (d->tail == g)
		d->tail = prev;
	d->st.bytes_held -= g->segs.mem + g->hdr_len;
	d->count--;
	seglist_clear(&g->segs);
	free(g->hdr);
	free(g);
}

void defrag_expire(struct defrag *d, uint64_t now_ns)
{
	while (d->head && now_ns - d->head->first_ns > d->conf.timeout_ns &&
	       now_ns >= d->head->first_ns) {
		drop(d, d->head, NULL);
		d->st.timeouts++;
	}
}

static struct dgram *find(struct defrag *d, const struct frag *f)
{
	for (struct dgram *g = d->head; g; g = g->next)
		if (g->family == f->family && g->id == f->id &&
		    (f->family == 6 || g->proto == f->proto) &&
		    !memcmp(g->src, f->src, f->family == 4 ? 4 : 16) &&
		    !memcmp(g->dst, f->dst, f->family == 4 ? 4 : 16))
			return g;
	return NULL;
}

static struct dgram *create(struct defrag *d, const struct frag *f, uint64_t ts)
{
	struct dgram *g;

	while (d->count >= d->conf.max_datagrams && d->head) {
		drop(d, d->head, NULL);
		d->st.evicted++;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->family = f->family;
	g->proto = f->proto;
	memcpy(g->src, f->src, f->family == 4 ? 4 : 16);
	memcpy(g->dst, f->dst, f->family == 4 ? 4 : 16);
	g->id = f->id;
	g->first_ns = ts;
	g->total = -1;
	if (d->tail)
		d->tail->next = g;
	else
		d->head = g;
	d->tail = g;
	d->count++;
	return g;
}

/* Keeps the unfragmentable part of the offset-0 fragment (or of the first
 * seen, until that comes). */
static int keep_hdr(struct defrag *d, struct dgram *g, const uint8_t *ip, const struct frag *f)
{
	uint8_t *h;

	if (g->hdr && f->off != 0)
		return 0;
	h = malloc(f->hdr_len);
	if (!h)
		return -ENOMEM;
	memcpy(h, ip, f->hdr_len);
	d->st.bytes_held += f->hdr_len;
	d->st.bytes_held -= g->hdr_len;
	free(g->hdr);
	g->hdr = h;
	g->hdr_len = f->hdr_len;
	g->nh_off = f->nh_off;
	if (f->off == 0)
		g->proto = f->proto;
	return 0;
}

/* Checks the fragment against the datagram: sizes, a second last fragment. */
static int check(const struct dgram *g, const struct frag *f, size_t max)
{
	uint64_t end = (uint64_t)f->off + f->len;

	if (f->more && (f->len % 8 || !f->len))
		return -EINVAL;
	if (end + f->hdr_len > max)
		return -EINVAL;
	if (g->total >= 0 && (end > (uint64_t)g->total || (!f->more && end != (uint64_t)g->total)))
		return -EINVAL;
	if (!f->more && g->segs.tail && g->segs.tail->off + g->segs.tail->len > end)
		return -EINVAL;
	return 0;
}

static int complete(const struct dgram *g)
{
	uint64_t want = 0;

	if (g->total < 0 || !g->hdr)
		return 0;
	for (const struct seg *s = g->segs.head; s; s = s->next) {
		if (s->off != want)
			return 0;
		want += s->len;
	}
	return want == (uint64_t)g->total;
}

/* Builds the whole datagram in d->out. */
static int assemble(struct defrag *d, const struct dgram *g, size_t *out_len)
{
	size_t n = g->hdr_len + (size_t)g->total;
	uint8_t *o;

	if (n > d->out_cap) {
		o = realloc(d->out, n);
		if (!o)
			return -ENOMEM;
		d->out = o;
		d->out_cap = n;
	}
	o = d->out;
	memcpy(o, g->hdr, g->hdr_len);
	for (const struct seg *s = g->segs.head; s; s = s->next)
		memcpy(o + g->hdr_len + s->off, s->data, s->len);
	if (g->family == 4) {
		o[2] = (uint8_t)(n >> 8);
		o[3] = (uint8_t)n;
		o[6] = o[7] = 0;
	} else {
		o[4] = (uint8_t)((n - 40) >> 8);
		o[5] = (uint8_t)(n - 40);
		o[g->nh_off] = g->proto;
	}
	*out_len = n;
	return 0;
}

static int insert(struct defrag *d, struct dgram *g, const struct frag *f)
{
	struct seglist_ins res;
	size_t before = g->segs.mem;

	if (g->segs.n >= d->conf.max_frags ||
	    d->st.bytes_held + seglist_cost(f->len) > d->conf.max_bytes)
		return -ENOMEM;
	if (seglist_insert(&g->segs, f->off, f->data, f->len, &res))
		return -ENOMEM;
	d->st.bytes_held += g->segs.mem - before;
	if (d->st.bytes_held > d->st.bytes_peak)
		d->st.bytes_peak = d->st.bytes_held;
	d->st.overlaps += res.overlap > 0;
	d->st.conflicts += res.conflict;
	if (!f->more)
		g->total = (int64_t)f->off + (int64_t)f->len;
	return 0;
}

int defrag_push(struct defrag *d, const uint8_t *ip, size_t len, uint64_t ts_ns,
		const uint8_t **out, size_t *out_len)
{
	struct frag f = {0};
	struct dgram *g, *prev = NULL;
	int err;

	defrag_expire(d, ts_ns);
	if (len < 1 || ((ip[0] >> 4) == 6   ? parse_v6(ip, len, &f)
			: (ip[0] >> 4) == 4 ? parse_v4(ip, len, &f)
					    : -EINVAL)) {
		d->st.bad++;
		return -EINVAL;
	}
	g = find(d, &f);
	if (!g && !(g = create(d, &f, ts_ns)))
		return -ENOMEM;
	if (check(g, &f, f.family == 4 ? V4_MAX : V6_MAX) || f.hdr_len > HDR_MAX) {
		d->st.bad++;
		err = -EINVAL;
		goto out_drop;
	}
	err = keep_hdr(d, g, ip, &f);
	if (!err)
		err = insert(d, g, &f);
	if (err) {
		d->st.evicted++;
		goto out_drop;
	}
	d->st.fragments++;
	if (!complete(g))
		return 0;
	err = assemble(d, g, out_len);
	if (!err) {
		*out = d->out;
		d->st.reassembled++;
	}
out_drop:
	for (struct dgram *x = d->head; x != g; x = x->next)
		prev = x;
	drop(d, g, prev);
	return err ? err : 1;
}

void defrag_stats(const struct defrag *d, struct defrag_stats *st)
{
	*st = d->st;
}

void defrag_free(struct defrag *d)
{
	if (!d)
		return;
	while (d->head)
		drop(d, d->head, NULL);
	free(d->out);
	free(d);
}
