// SPDX-License-Identifier: GPL-2.0
/* imgmatch: buffers object bodies under caps, sends complete image objects
 * to the imgsandbox worker for decoding and PDQ, gates the hash on quality
 * and queries the PDQ lists. Called by objsink; writes no lines itself,
 * only the members objsink asks for. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgmatch.h"
#include "sniff.h"

#define BUF_FIRST 4096 /* first allocation; doubles from there */

/* imgmatch_buf.state */
enum { IMB_OPEN, IMB_NOT_IMAGE, IMB_OBJ_CAP, IMB_TOTAL_CAP };

struct imgmatch {
	struct imgmatch_conf conf;
	bool active;
	struct imgsandbox *sb; /* forked on the first image */
	size_t held;	       /* bytes in this stage's open buffers */
	struct budget *total;  /* conf.total, or own_total */
	struct budget own_total;
	struct imgmatch_stats st;
	struct pdqdb_hit hits[IMGMATCH_HITS_MAX];
};

struct imgmatch *imgmatch_new(const struct imgmatch_conf *conf)
{
	struct imgmatch *im = calloc(1, sizeof(*im));

	if (!im)
		return NULL;
	im->conf = *conf;
	if (!im->conf.obj_cap)
		im->conf.obj_cap = IMGMATCH_DEF_OBJ_CAP;
	if (!im->conf.total_cap)
		im->conf.total_cap = IMGMATCH_DEF_TOTAL_CAP;
	budget_init(&im->own_total, im->conf.total_cap);
	im->total = conf->total ? conf->total : &im->own_total;
	imgmatch_active(im);
	return im;
}

void imgmatch_free(struct imgmatch *im)
{
	if (!im)
		return;
	imgsandbox_free(im->sb);
	free(im);
}

bool imgmatch_active(struct imgmatch *im)
{
	if (!im)
		return false;
	im->active = im->conf.log || (im->conf.db && pdqdb_entries(im->conf.db));
	return im->active;
}

const struct imgmatch_stats *imgmatch_stats(const struct imgmatch *im)
{
	return &im->st;
}

void imgmatch_sandbox_stats(const struct imgmatch *im, struct imgsandbox_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (im->sb)
		imgsandbox_stats(im->sb, st);
}

static bool is_image(const char *sniffed)
{
	static const char *const names[] = {"jpeg", "png", "gif", "webp", "bmp"};

	for (size_t i = 0; sniffed && i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(sniffed, names[i]))
			return true;
	return false;
}

void imgmatch_buf_free(struct imgmatch *im, struct imgmatch_buf *b)
{
	im->held -= b->cap;
	budget_give(im->total, b->cap);
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Ends buffering for good with state st. */
static void buf_stop(struct imgmatch *im, struct imgmatch_buf *b, int st)
{
	imgmatch_buf_free(im, b);
	b->state = st;
}

/* Makes room for need bytes in b. Returns 0 or the IMB_* state to stop with. */
static int buf_grow(struct imgmatch *im, struct imgmatch_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : BUF_FIRST;
	uint8_t *p;

	if (need > im->conf.obj_cap)
		return IMB_OBJ_CAP;
	while (cap < need)
		cap *= 2;
	if (cap > im->conf.obj_cap)
		cap = im->conf.obj_cap;
	if (!budget_take(im->total, cap - b->cap))
		return IMB_TOTAL_CAP;
	p = realloc(b->p, cap);
	if (!p) {
		budget_give(im->total, cap - b->cap);
		return IMB_TOTAL_CAP;
	}
	im->held = im->held - b->cap + cap;
	if (im->held > im->st.buffered_peak)
		im->st.buffered_peak = im->held;
	b->p = p;
	b->cap = cap;
	return 0;
}

void imgmatch_buf_add(struct imgmatch *im, struct imgmatch_buf *b, const uint8_t *p,
		      size_t len)
{
	size_t before = b->len;
	int st;

	if (!im->active || b->state != IMB_OPEN || !len)
		return;
	if (b->len + len > b->cap && (st = buf_grow(im, b, b->len + len))) {
		buf_stop(im, b, st);
		return;
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	/* the same first bytes httpobj sniffs: the verdict is final */
	if (before < SNIFF_LEN && b->len >= SNIFF_LEN &&
	    !is_image(sniff_type(b->p, SNIFF_LEN)))
		buf_stop(im, b, IMB_NOT_IMAGE);
}

/* A hit of list/label already among the first n. */
static bool seen(const struct pdqdb_hit *hits, size_t n, const struct pdqdb_hit *h)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(hits[i].list, h->list) && !strcmp(hits[i].label, h->label))
			return true;
	return false;
}

/* Lists marked dihedral also match rotated and flipped copies: the seven
 * other dihedral hashes of the image are queried too, and their hits on
 * those lists added (once per entry, at the first variant that finds it). */
static size_t dihedral_hits(struct imgmatch *im, const struct pdq_hash *dih, size_t n)
{
	struct pdqdb_hit more[IMGMATCH_HITS_MAX];

	for (int v = PDQ_ORIG + 1; v < PDQ_DIH_MAX; v++) {
		size_t m = pdqdb_query(im->conf.db, &dih[v], more, IMGMATCH_HITS_MAX);

		for (size_t i = 0; i < m && i < IMGMATCH_HITS_MAX; i++) {
			if (!more[i].dihedral || seen(im->hits, n < IMGMATCH_HITS_MAX ? n :
						      IMGMATCH_HITS_MAX, &more[i]))
				continue;
			if (n < IMGMATCH_HITS_MAX)
				im->hits[n] = more[i];
			n++;
		}
	}
	return n;
}

static void gate_and_query(struct imgmatch *im, struct imgmatch_result *r,
			   const struct pdq_hash *dih)
{
	size_t n;

	if (r->quality < im->conf.min_quality) {
		r->gated = true;
		im->st.low_quality++;
		return;
	}
	if (!im->conf.db)
		return;
	n = pdqdb_query(im->conf.db, &r->hash, im->hits, IMGMATCH_HITS_MAX);
	if (dih)
		n = dihedral_hits(im, dih, n);
	if (n > IMGMATCH_HITS_MAX) {
		im->st.hits_dropped += n - IMGMATCH_HITS_MAX;
		n = IMGMATCH_HITS_MAX;
	}
	r->hits = im->hits;
	r->nhits = n;
	im->st.matches += n;
	im->st.matched += n > 0;
}

/* Hashes data in the worker, then gates and queries. */
static void hash_image(struct imgmatch *im, const uint8_t *data, size_t len,
		       struct imgmatch_result *r)
{
	bool dih = im->conf.db && pdqdb_dihedral(im->conf.db);
	struct imgsandbox_result res;

	memset(&res, 0, sizeof(res));
	if (!im->sb && !(im->sb = imgsandbox_new(im->conf.sandbox))) {
		snprintf(r->error, sizeof(r->error), "undecodable: no image worker: %s",
			 strerror(errno));
		im->st.undecodable++;
		return;
	}
	if (imgsandbox_hash(im->sb, data, len, dih ? IMGSANDBOX_DIHEDRAL : 0, &res)) {
		snprintf(r->error, sizeof(r->error), "undecodable: %s", res.reason);
		im->st.undecodable++;
		return;
	}
	r->hashed = true;
	r->hash = res.hash[PDQ_ORIG];
	r->quality = res.quality;
	im->st.hashed++;
	gate_and_query(im, r, dih ? res.hash : NULL);
}

/* Common start: returns true when the object is an image to look at. */
static bool result_begin(struct imgmatch *im, const char *sniffed, const char *skip,
			 struct imgmatch_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!im->active || !is_image(sniffed))
		return false;
	r->image = true;
	im->st.images++;
	if (skip) {
		snprintf(r->error, sizeof(r->error), "not hashed: object incomplete (%s)", skip);
		im->st.incomplete++;
		return false;
	}
	return true;
}

void imgmatch_object(struct imgmatch *im, const char *sniffed, const char *skip,
		     const struct imgmatch_buf *b, struct imgmatch_result *r)
{
	if (!result_begin(im, sniffed, skip, r))
		return;
	if (b->state == IMB_OBJ_CAP || b->state == IMB_TOTAL_CAP) {
		snprintf(r->error, sizeof(r->error),
			 "not hashed: body over the %s buffer cap of %zu bytes",
			 b->state == IMB_OBJ_CAP ? "per-object" : "global",
			 b->state == IMB_OBJ_CAP ? im->conf.obj_cap : im->conf.total_cap);
		im->st.over_cap++;
		return;
	}
	hash_image(im, b->p, b->len, r);
}

void imgmatch_whole(struct imgmatch *im, const uint8_t *data, size_t len, const char *skip,
		    struct imgmatch_result *r)
{
	const char *sniffed = data ? sniff_type(data, len < SNIFF_LEN ? len : SNIFF_LEN) : "";

	if (!result_begin(im, sniffed, skip, r))
		return;
	if (len > im->conf.obj_cap) {
		snprintf(r->error, sizeof(r->error),
			 "not hashed: body over the per-object buffer cap of %zu bytes",
			 im->conf.obj_cap);
		im->st.over_cap++;
		return;
	}
	hash_image(im, data, len, r);
}

void imgmatch_put_fields(struct ej_writer *w, const struct imgmatch_result *r)
{
	if (r->hashed) {
		ej_hex(w, "pdq", r->hash.b, PDQ_HASH_BYTES);
		ej_i64(w, "pdq_quality", r->quality);
	} else {
		ej_null(w, "pdq");
		ej_null(w, "pdq_quality");
	}
	ej_str(w, "pdq_error", r->image && !r->hashed ? r->error : NULL);
	ej_bool(w, "pdq_matchable", r->hashed && !r->gated);
}

void imgmatch_put_hit(struct ej_writer *w, const struct imgmatch_result *r, size_t i)
{
	const struct pdqdb_hit *h = &r->hits[i];

	ej_str(w, "list", h->list);
	ej_str(w, "category", h->category);
	ej_str(w, "hash_type", "pdq");
	ej_hex(w, "hash", r->hash.b, PDQ_HASH_BYTES);
	ej_str(w, "label", h->label);
	ej_u64(w, "distance", h->distance);
	ej_u64(w, "threshold", h->threshold);
	ej_i64(w, "quality", r->quality);
}
