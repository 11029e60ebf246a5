// SPDX-License-Identifier: GPL-2.0
/* range: stitches Range/206 pieces and multipart/byteranges parts of one
 * resource, across responses and connections, into the whole object that
 * objsink then hashes and matches once. Bounded in bytes, count and time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "range.h"

#define RANGE_BUCKETS 1024

struct ival {
	uint64_t a, b; /* [a, b) */
};

struct resource {
	struct resource *next; /* bucket chain */
	char *key;	       /* host \0 path \0 validator \0 */
	size_t keylen;
	char *path, *validator; /* into key */
	uint64_t total;
	uint8_t *buf;
	struct ival *iv;
	uint32_t niv;
	uint64_t covered;
	uint32_t pieces, active;
	bool conflict;
	uint64_t first_ts, last_ts;
};

struct range_piece {
	struct resource *r;
	uint64_t first, last;
	uint64_t off;	  /* bytes written so far (within the range) */
	uint64_t overrun; /* bytes written past last */
};

struct range_store {
	struct range_limits lim;
	struct range_stats st;
	struct resource *bucket[RANGE_BUCKETS];
};

void range_limits_default(struct range_limits *lim)
{
	lim->max_resource = 64ull << 20;
	lim->max_held = 256ull << 20;
	lim->max_idle_ns = 300ull * 1000000000ull;
	lim->max_resources = 4096;
	lim->max_intervals = 1024;
}

struct range_store *range_store_new(const struct range_limits *lim)
{
	struct range_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (lim)
		s->lim = *lim;
	else
		range_limits_default(&s->lim);
	return s;
}

const struct range_stats *range_stats(const struct range_store *s)
{
	return &s->st;
}

static void res_free(struct resource *r)
{
	free(r->buf);
	free(r->iv);
	free(r->key);
	free(r);
}

/* Unlinks r from its bucket and frees it. */
static void drop(struct range_store *s, struct resource *r)
{
	for (int i = 0; i < RANGE_BUCKETS; i++) {
		for (struct resource **pp = &s->bucket[i]; *pp; pp = &(*pp)->next) {
			if (*pp != r)
				continue;
			*pp = r->next;
			s->st.held -= r->total;
			s->st.resources--;
			res_free(r);
			return;
		}
	}
}

void range_store_free(struct range_store *s)
{
	struct resource *r, *n;

	if (!s)
		return;
	for (int i = 0; i < RANGE_BUCKETS; i++)
		for (r = s->bucket[i]; r; r = n) {
			n = r->next;
			res_free(r);
		}
	free(s);
}

/* Builds host \0 path \0 validator \0 into a new buffer (caller frees). */
static char *make_key(const struct range_key *k, size_t *len)
{
	const char *uri = k->uri, *host = k->host, *val, *p;
	size_t hl, pl, vl;
	char *key;

	val = k->etag && *k->etag ? k->etag : (k->last_modified ? k->last_modified : "");
	/* absolute-form request-target: the authority is the host */
	if (!strncasecmp(uri, "http://", 7) || !strncasecmp(uri, "https://", 8)) {
		uri = strstr(uri, "//") + 2;
		p = uri + strcspn(uri, "/?");
		if (!*host)
			host = uri;
		hl = *k->host ? strlen(host) : (size_t)(p - uri);
		uri = p;
	} else {
		hl = strlen(host);
	}
	pl = strcspn(uri, "?#");
	vl = strlen(val);
	key = malloc(hl + pl + vl + 3);
	if (!key)
		return NULL;
	for (size_t i = 0; i < hl; i++)
		key[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
	key[hl] = '\0';
	memcpy(key + hl + 1, uri, pl);
	key[hl + 1 + pl] = '\0';
	memcpy(key + hl + pl + 2, val, vl);
	key[hl + pl + vl + 2] = '\0';
	*len = hl + pl + vl + 3;
	return key;
}

static unsigned bucket_of(const char *key, size_t len, uint64_t total)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)key[i]) * 1099511628211ull;
	h = (h ^ total) * 1099511628211ull;
	return (unsigned)(h % RANGE_BUCKETS);
}

/* Evicts the least recently used resource without pieces in flight.
 * Returns 0, or -ENOBUFS if every resource is busy. */
static int evict_one(struct range_store *s)
{
	struct resource *victim = NULL;

	for (int i = 0; i < RANGE_BUCKETS; i++)
		for (struct resource *r = s->bucket[i]; r; r = r->next)
			if (!r->active && (!victim || r->last_ts < victim->last_ts))
				victim = r;
	if (!victim)
		return -ENOBUFS;
	drop(s, victim);
	s->st.evicted++;
	return 0;
}

/* Finds the resource for key/total, creating it (and making room) if new.
 * Returns NULL with errno set. */
static struct resource *lookup(struct range_store *s, char *key, size_t len, uint64_t total,
			       uint64_t ts)
{
	unsigned b = bucket_of(key, len, total);
	struct resource *r;

	for (r = s->bucket[b]; r; r = r->next)
		if (r->total == total && r->keylen == len && !memcmp(r->key, key, len)) {
			free(key);
			return r;
		}
	while (s->st.resources >= s->lim.max_resources || s->st.held + total > s->lim.max_held) {
		if (evict_one(s)) {
			errno = ENOBUFS;
			goto fail;
		}
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->buf = calloc(1, total)) ||
	    !(r->iv = calloc(s->lim.max_intervals, sizeof(*r->iv)))) {
		errno = ENOMEM;
		goto fail;
	}
	r->key = key;
	r->keylen = len;
	r->path = key + strlen(key) + 1;
	r->validator = r->path + strlen(r->path) + 1;
	r->total = total;
	r->first_ts = r->last_ts = ts;
	r->next = s->bucket[b];
	s->bucket[b] = r;
	s->st.resources++;
	s->st.held += total;
	if (s->st.held > s->st.held_peak)
		s->st.held_peak = s->st.held;
	return r;
fail:
	if (r) {
		r->key = NULL;
		res_free(r);
	}
	free(key);
	return NULL;
}

struct range_piece *range_piece_begin(struct range_store *s, const struct range_key *k,
				      uint64_t first, uint64_t last, uint64_t ts_ns)
{
	struct range_piece *p;
	struct resource *r;
	size_t len;
	char *key;

	errno = 0;
	if (!k->total || last < first || last >= k->total)
		errno = EINVAL;
	else if (k->total > s->lim.max_resource)
		errno = EFBIG;
	if (errno) {
		s->st.rejected++;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	key = p ? make_key(k, &len) : NULL;
	if (!key) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	r = lookup(s, key, len, k->total, ts_ns);
	if (!r) {
		s->st.rejected++;
		free(p);
		return NULL;
	}
	r->active++;
	p->r = r;
	p->first = first;
	p->last = last;
	s->st.pieces++;
	return p;
}

/* Index of the first interval with b > pos (niv if none). */
static uint32_t find_iv(const struct resource *r, uint64_t pos)
{
	uint32_t lo = 0, hi = r->niv;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (r->iv[mid].b > pos)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void range_piece_write(struct range_piece *p, const uint8_t *d, size_t n)
{
	struct resource *r = p->r;
	uint64_t pos = p->first + p->off, room = p->last + 1 - pos, end, step;
	uint32_t i;

	if (n > room) {
		p->overrun += n - room;
		n = (size_t)room;
	}
	end = pos + n;
	p->off += n;
	i = find_iv(r, pos);
	while (pos < end) {
		if (i < r->niv && r->iv[i].a <= pos) {
			/* already covered: first wins, disagreement is a conflict */
			step = (r->iv[i].b < end ? r->iv[i].b : end) - pos;
			if (memcmp(r->buf + pos, d, step))
				r->conflict = true;
			i++;
		} else {
			step = (i < r->niv && r->iv[i].a < end ? r->iv[i].a : end) - pos;
			memcpy(r->buf + pos, d, step);
		}
		pos += step;
		d += step;
	}
}

/* Adds [a, b) to the sorted, merged interval list. Returns 0 or -ENOSPC. */
static int cover(struct resource *r, uint64_t a, uint64_t b, uint32_t max)
{
	uint32_t i = 0, j;

	while (i < r->niv && r->iv[i].b < a)
		i++;
	j = i;
	while (j < r->niv && r->iv[j].a <= b) {
		a = r->iv[j].a < a ? r->iv[j].a : a;
		b = r->iv[j].b > b ? r->iv[j].b : b;
		j++;
	}
	if (j == i) { /* nothing merged: insert at i */
		if (r->niv == max)
			return -ENOSPC;
		memmove(r->iv + i + 1, r->iv + i, (r->niv - i) * sizeof(*r->iv));
		r->niv++;
	} else { /* [i, j) collapse into i */
		memmove(r->iv + i + 1, r->iv + j, (r->niv - j) * sizeof(*r->iv));
		r->niv -= j - i - 1;
	}
	r->iv[i].a = a;
	r->iv[i].b = b;
	r->covered = 0;
	for (j = 0; j < r->niv; j++)
		r->covered += r->iv[j].b - r->iv[j].a;
	return 0;
}

static void fill_whole(const struct resource *r, struct range_whole *w)
{
	w->data = r->buf;
	w->total = r->total;
	w->covered = r->covered;
	w->pieces = r->pieces;
	w->complete = r->covered == r->total;
	w->conflict = r->conflict;
	w->host = r->key;
	w->uri = r->path;
	w->validator = r->validator;
	w->first_ts_ns = r->first_ts;
	w->last_ts_ns = r->last_ts;
	w->res = (void *)r;
}

int range_piece_end(struct range_store *s, struct range_piece *p, bool ok, uint64_t ts_ns,
		    struct range_whole *w, uint64_t *overrun)
{
	struct resource *r = p->r;
	int done = 0;

	if (overrun)
		*overrun = p->overrun;
	r->active--;
	if (ts_ns > r->last_ts)
		r->last_ts = ts_ns;
	if (ok && p->off) {
		if (!cover(r, p->first, p->first + p->off, s->lim.max_intervals)) {
			r->pieces++;
			s->st.committed++;
		} else {
			s->st.rejected++;
		}
	}
	if (r->covered == r->total && !r->active) {
		fill_whole(r, w);
		s->st.assembled++;
		if (r->conflict)
			s->st.conflicts++;
		done = 1;
	}
	free(p);
	return done;
}

void range_release(struct range_store *s, struct range_whole *w)
{
	drop(s, w->res);
	memset(w, 0, sizeof(*w));
}

unsigned range_expire(struct range_store *s, uint64_t now_ns,
		      void (*fn)(void *ctx, const struct range_whole *w), void *ctx)
{
	struct range_whole w;
	struct resource *r, *n;
	unsigned count = 0;

	for (int i = 0; i < RANGE_BUCKETS; i++) {
		for (r = s->bucket[i]; r; r = n) {
			n = r->next;
			if (r->active ||
			    (now_ns != UINT64_MAX && r->last_ts + s->lim.max_idle_ns >= now_ns))
				continue;
			fill_whole(r, &w);
			if (fn)
				fn(ctx, &w);
			if (r->conflict)
				s->st.conflicts++;
			s->st.expired++;
			drop(s, r);
			count++;
		}
	}
	return count;
}
