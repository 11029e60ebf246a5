// SPDX-License-Identifier: GPL-2.0
/* assemble: numbers and writes the events of every worker's objects in
 * output order, stitches range pieces across connections, and hashes,
 * matches and writes the whole objects they make. One thread. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "assemble.h"
#include "objsink_json.h"

#define EXPIRE_EVERY_NS 1000000000ull /* range expiry runs at most once a second */

struct assemble {
	struct assemble_conf conf;
	struct range_store *ranges;
	struct assemble_stats st;
	uint64_t next_id;
	uint64_t next_expire;
	const char *source; /* of the latest record */
};

void objrec_free(struct objrec *r)
{
	if (!r)
		return;
	if (r->piece) {
		free(r->piece->data);
		free(r->piece->strs);
		free(r->piece);
	}
	free(r->text);
	free(r);
}

int objrec_cmp(const struct objrec *a, const struct objrec *b)
{
	if (a->item != b->item)
		return a->item < b->item ? -1 : 1;
	if (a->flow != b->flow)
		return a->flow < b->flow ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

struct assemble *assemble_new(const struct assemble_conf *conf)
{
	struct assemble *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->conf = *conf;
	a->ranges = range_store_new(conf->range);
	if (!a->ranges) {
		free(a);
		errno = ENOMEM;
		return NULL;
	}
	return a;
}

void assemble_free(struct assemble *a)
{
	if (!a)
		return;
	range_store_free(a->ranges);
	free(a);
}

const struct assemble_stats *assemble_stats(const struct assemble *a)
{
	return &a->st;
}

const struct range_stats *assemble_range_stats(const struct assemble *a)
{
	return range_stats(a->ranges);
}

/* ---- lines ---------------------------------------------------------------- */

static void line_end(struct assemble *a)
{
	if (ej_end(a->conf.out))
		a->st.write_errors++;
}

/* Starts the line of event `event` ("object": a new id; "match": the id
 * of the object it belongs to). */
static void line_begin(struct assemble *a, const char *event, uint64_t id)
{
	struct ej_writer *w = a->conf.out;

	ej_begin(w);
	ej_str(w, "event", event);
	ej_u64(w, event[0] == 'o' ? "id" : "object", id);
}

/* ---- stitched objects ----------------------------------------------------- */

static void put_whole_flags(struct ej_writer *w, const struct range_whole *wh)
{
	ej_arr(w, "flags");
	ej_str(w, NULL, wh->complete ? "complete" : "truncated");
	if (!wh->complete)
		ej_str(w, NULL, "gap");
	ej_str(w, NULL, "assembled");
	if (wh->conflict)
		ej_str(w, NULL, "conflict");
	ej_arr_end(w);
}

static bool whole_hash(struct assemble *a, const struct range_whole *wh, struct hash_result *r)
{
	struct hash_ctx h;
	bool ok;

	const struct objsink_matcher *m = a->conf.matcher;
	unsigned mask = a->conf.log_mask | (m ? __atomic_load_n(&m->need, __ATOMIC_RELAXED) : 0);

	if (!wh->complete || hash_init(&h, mask))
		return false;
	hash_update(&h, wh->data, wh->total);
	ok = hash_final(&h, r) == 0;
	hash_free(&h);
	return ok;
}

/* Match lines of a stitched object (exact lists, then PDQ), and its
 * verdict. */
static void whole_match(struct assemble *a, const struct range_whole *wh, uint64_t id,
			const struct hash_result *r, const struct imgmatch_result *img)
{
	const struct objsink_matcher *m = a->conf.matcher;
	struct objsink_hit hits[OBJSINK_HITS_MAX];
	struct obj_verdict v = {.kind = OBJ_RESPONSE_BODY, .host = wh->host, .uri = wh->uri,
				.hashed = true, .distance = -1, .quality = -1, .sniffed = "",
				.content_type = "", .size = wh->total, .ts_end_ns = wh->last_ts_ns};

	for (int t = 0; m && t < HASH_T_MAX; t++) {
		int n = (m->need & r->mask & (1u << t)) ? m->lookup(m->ctx, t, r->d[t], hits,
								       OBJSINK_HITS_MAX)
							  : 0;

		for (int i = 0; i < n; i++) {
			line_begin(a, "match", id);
			objsink_put_head(a->conf.out, a->source, wh->first_ts_ns, "assembled",
					 wh->host, wh->uri, NULL);
			objsink_put_match(a->conf.out, hits[i].list, hits[i].category, t,
					  r->d[t], "assembled");
			line_end(a);
			objsink_verdict_hit(&v, hits[i].list, hits[i].category, hash_name(t),
					    r->d[t], hash_len(t), -1);
		}
	}
	for (size_t i = 0; img && i < img->nhits; i++) {
		line_begin(a, "match", id);
		objsink_put_head(a->conf.out, a->source, wh->first_ts_ns, "assembled", wh->host,
				 wh->uri, NULL);
		imgmatch_put_hit(a->conf.out, img, i);
		ej_str(a->conf.out, "body", "assembled");
		line_end(a);
		objsink_verdict_hit(&v, img->hits[i].list, img->hits[i].category, "pdq",
				    img->hash.b, sizeof(img->hash.b), (int)img->hits[i].distance);
	}
	if (v.distance >= 0)
		v.quality = img->quality;
	a->st.matches += v.hits;
	a->st.matched += v.hits > 0;
	if (v.hits && a->conf.evidence) /* the whole is in memory already */
		a->conf.evidence->keep(a->conf.evidence->ctx, &v,
				       wh->total <= a->conf.evidence->cap ? wh->data : NULL,
				       wh->total <= a->conf.evidence->cap ? wh->total : 0);
	if (a->conf.verdict)
		a->conf.verdict(a->conf.verdict_ctx, &v);
}

/* Writes the event of a stitched resource (complete or, at expiry, not),
 * hashing and matching it when complete. */
static void emit_whole(void *ctx, const struct range_whole *wh)
{
	struct assemble *a = ctx;
	struct ej_writer *w = a->conf.out;
	struct imgmatch_result img = {0};
	struct hash_result r = {0};
	uint64_t id = ++a->next_id;
	bool ok = whole_hash(a, wh, &r);
	bool img_on = imgmatch_active(a->conf.img);

	if (img_on)
		imgmatch_whole(a->conf.img, wh->data, wh->total, wh->complete ? NULL : "gap", &img);
	line_begin(a, "object", id);
	objsink_put_head(w, a->source, wh->first_ts_ns, "assembled", wh->host, wh->uri, NULL);
	ej_time(w, "ts_end", wh->last_ts_ns);
	ej_str(w, "validator", wh->validator);
	ej_u64(w, "size", wh->total);
	ej_u64(w, "covered", wh->covered);
	ej_u64(w, "pieces", wh->pieces);
	put_whole_flags(w, wh);
	objsink_put_hashes(w, a->conf.log_mask, &r, ok);
	if (img_on)
		imgmatch_put_fields(w, &img);
	line_end(a);
	a->st.events++;
	if (!ok) {
		a->st.incomplete++;
		return;
	}
	a->st.assembled++;
	whole_match(a, wh, id, &r, img_on ? &img : NULL);
}

static const char *refusal(int err)
{
	return err == EFBIG ? "too_big" : err == ENOBUFS ? "no_room" : err == ENOMEM ? "no_memory"
								      : "bad_range";
}

/* Stitches a piece into its resource. Returns the "stitch" member's value;
 * fills *wh when the piece completed the resource. */
static const char *stitch(struct assemble *a, const struct objrec_piece *pc,
			  struct range_whole *wh)
{
	struct range_key k = {.host = pc->host,
			      .uri = pc->uri,
			      .etag = pc->etag,
			      .last_modified = pc->last_modified,
			      .total = pc->total};
	struct range_piece *p;

	if (pc->err)
		return refusal(pc->err);
	p = range_piece_begin(a->ranges, &k, pc->first, pc->last, pc->ts_begin);
	if (!p)
		return refusal(errno);
	range_piece_write(p, pc->data, pc->len);
	if (range_piece_end(a->ranges, p, pc->ok, pc->ts_end, wh, NULL) == 1)
		return "assembled";
	return pc->ok ? "pending" : "discarded";
}

/* ---- records ------------------------------------------------------------ */

/* Writes the record's lines: its object part with the id and "stitch",
 * then its match parts. */
static void put_lines(struct assemble *a, const struct objrec *r, const char *stitch_to)
{
	const char *p = r->text, *end = r->text + r->len;
	uint64_t id = ++a->next_id;

	for (int n = 0; p < end; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		line_begin(a, n ? "match" : "object", id);
		ej_raw(a->conf.out, p, len);
		if (!n)
			ej_str(a->conf.out, "stitch", stitch_to);
		line_end(a);
		p += len + 1;
	}
	a->st.events++;
}

void assemble_put(struct assemble *a, struct objrec *r)
{
	struct range_whole wh = {0};
	const char *st = NULL;

	a->source = r->source;
	if (r->whole_line) {
		if (ej_put_line(a->conf.out, r->text, r->len))
			a->st.write_errors++;
		objrec_free(r);
		return;
	}
	if (r->piece)
		st = stitch(a, r->piece, &wh);
	put_lines(a, r, st);
	if (wh.res) {
		emit_whole(a, &wh);
		range_release(a->ranges, &wh);
	}
	if (r->ts_end >= a->next_expire) {
		range_expire(a->ranges, r->ts_end, emit_whole, a);
		a->next_expire = r->ts_end + EXPIRE_EVERY_NS;
	}
	objrec_free(r);
}

void assemble_flush(struct assemble *a)
{
	range_expire(a->ranges, UINT64_MAX, emit_whole, a);
}
