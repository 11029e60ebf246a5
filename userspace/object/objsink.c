// SPDX-License-Identifier: GPL-2.0
/* objsink: consumes objects from the protocol parsers, hashes the decoded
 * and the wire body, stitches range pieces, matches complete objects
 * against the exact hash lists, hands image bodies to imgmatch (PDQ) and
 * writes the JSON Lines events. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "objsink.h"
#include "objsink_json.h"

#define POOL_MAX	32	      /* finished hash contexts kept for reuse */
#define EXPIRE_EVERY_NS 1000000000ull /* range expiry runs at most once a second */

struct objsink {
	struct objsink_conf conf;
	unsigned mask; /* hashes computed: logged | matched */
	char *source;
	struct range_store *ranges;
	struct objsink_stats st;
	uint64_t next_id;
	uint64_t next_expire;
	/* Reset contexts: reusing them skips OpenSSL's per-init algorithm fetch
	 * (locks and lookups), which dominates small objects. */
	struct hash_ctx pool[POOL_MAX];
	unsigned npool;
};

enum { S_METHOD, S_HOST, S_URI, S_CTYPE, S_CENC, S_TENC, S_FILE, S_ETAG, S_LASTMOD, S_MAX };

struct sobj {
	struct objsink *s;
	enum obj_kind kind;
	uint32_t seq;
	int status;
	int64_t declared, rfirst, rlast, rtotal;
	uint64_t ts;
	struct objsink_flow flow;
	bool has_flow;
	char *str[S_MAX];
	bool sep_wire; /* content-coded: wire hashed apart */
	struct hash_ctx body, wire;
	struct range_piece *piece;
	int stitch_err;		 /* errno of a refused piece */
	struct imgmatch_buf img; /* decoded body for PDQ */
};

/* Context of one event, shared by an object line and its match lines. */
struct evctx {
	uint64_t id;
	const char *kind, *host, *uri;
	const struct objsink_flow *flow; /* NULL for assembled objects */
	uint64_t ts;
	struct imgmatch_result img; /* PDQ of the object, when imgmatch is on */
};

static const char *const kind_names[] = {
	[OBJ_RESPONSE_BODY] = "response",
	[OBJ_REQUEST_BODY] = "request",
	[OBJ_FORM_PART] = "form_part",
	[OBJ_BYTERANGE_PART] = "byterange_part",
};

struct objsink *objsink_new(const struct objsink_conf *conf)
{
	struct objsink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->conf = *conf;
	s->mask = conf->log_mask | (conf->matcher ? conf->matcher->need : 0);
	s->ranges = range_store_new(conf->range);
	if (!s->ranges) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

void objsink_free(struct objsink *s)
{
	if (!s)
		return;
	range_store_free(s->ranges);
	while (s->npool)
		hash_free(&s->pool[--s->npool]);
	free(s->source);
	free(s);
}

int objsink_set_source(struct objsink *s, const char *source)
{
	char *c = strdup(source);

	if (!c)
		return -ENOMEM;
	free(s->source);
	s->source = c;
	return 0;
}

const struct objsink_stats *objsink_stats(const struct objsink *s)
{
	return &s->st;
}

const struct range_stats *objsink_range_stats(const struct objsink *s)
{
	return range_stats(s->ranges);
}

/* ---- event writing ------------------------------------------------------ */

static void line_begin(struct objsink *s, const char *event, const struct evctx *c)
{
	struct ej_writer *w = s->conf.out;

	ej_begin(w);
	ej_str(w, "event", event);
	ej_u64(w, event[0] == 'o' ? "id" : "object", c->id);
	ej_str(w, "source", s->source ? s->source : "");
	ej_time(w, "ts", c->ts);
	ej_str(w, "kind", c->kind);
	ej_str(w, "host", c->host);
	ej_str(w, "uri", c->uri);
	objsink_put_flow(w, c->flow);
}

static void line_end(struct objsink *s)
{
	if (ej_end(s->conf.out))
		s->st.write_errors++;
}

static bool img_on(const struct objsink *s)
{
	return imgmatch_active(s->conf.img);
}

/* The PDQ members of an object line, when images are hashed. */
static void put_pdq(struct objsink *s, const struct evctx *c)
{
	if (img_on(s))
		imgmatch_put_fields(s->conf.out, &c->img);
}

/* One match line per PDQ list hit. Returns the number of hits. */
static unsigned pdq_match(struct objsink *s, const struct evctx *c, const char *body)
{
	for (size_t i = 0; i < c->img.nhits; i++) {
		line_begin(s, "match", c);
		imgmatch_put_hit(s->conf.out, &c->img, i);
		ej_str(s->conf.out, "body", body);
		line_end(s);
	}
	s->st.matches += c->img.nhits;
	return (unsigned)c->img.nhits;
}

/* Looks one digest set up in the lists and writes a match line per hit.
 * Returns the number of hits. */
static unsigned match(struct objsink *s, const struct evctx *c, const struct hash_result *r,
		      const char *body)
{
	const struct objsink_matcher *m = s->conf.matcher;
	struct objsink_hit hits[OBJSINK_HITS_MAX];
	struct ej_writer *w = s->conf.out;
	unsigned total = 0;

	if (!m)
		return 0;
	for (int t = 0; t < HASH_T_MAX; t++) {
		int n;

		if (!(m->need & r->mask & (1u << t)))
			continue;
		n = m->lookup(m->ctx, t, r->d[t], hits, OBJSINK_HITS_MAX);
		for (int i = 0; i < n; i++) {
			line_begin(s, "match", c);
			ej_str(w, "list", hits[i].list);
			ej_str(w, "category", hits[i].category);
			ej_str(w, "hash_type", hash_name(t));
			ej_hex(w, "hash", r->d[t], hash_len(t));
			ej_str(w, "body", body);
			line_end(s);
			total++;
		}
	}
	s->st.matches += total;
	return total;
}

/* ---- range stitching ---------------------------------------------------- */

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

/* Writes the event of a stitched resource (complete or, at expiry, not),
 * hashing and matching it when complete. */
static void emit_whole(void *ctx, const struct range_whole *wh)
{
	struct objsink *s = ctx;
	struct ej_writer *w = s->conf.out;
	struct hash_result r = {0};
	struct hash_ctx h;
	struct evctx c = {.id = ++s->next_id,
			  .kind = "assembled",
			  .host = wh->host,
			  .uri = wh->uri,
			  .ts = wh->first_ts_ns};
	bool ok = wh->complete;
	unsigned hits;

	if (ok && hash_init(&h, s->mask) == 0) {
		hash_update(&h, wh->data, wh->total);
		ok = hash_final(&h, &r) == 0;
		hash_free(&h);
	} else {
		ok = false;
	}
	if (img_on(s))
		imgmatch_whole(s->conf.img, wh->data, wh->total, wh->complete ? NULL : "gap",
			       &c.img);
	line_begin(s, "object", &c);
	ej_time(w, "ts_end", wh->last_ts_ns);
	ej_str(w, "validator", wh->validator);
	ej_u64(w, "size", wh->total);
	ej_u64(w, "covered", wh->covered);
	ej_u64(w, "pieces", wh->pieces);
	put_whole_flags(w, wh);
	objsink_put_hashes(w, s->conf.log_mask, &r, ok);
	put_pdq(s, &c);
	line_end(s);
	s->st.objects++;
	if (!ok) {
		s->st.incomplete++;
		return;
	}
	s->st.assembled++;
	s->st.hashed++;
	hits = match(s, &c, &r, "assembled");
	hits += pdq_match(s, &c, "assembled");
	s->st.matched += hits > 0;
}

static void piece_begin(struct sobj *o)
{
	struct range_key k = {
		.host = o->str[S_HOST],
		.uri = o->str[S_URI],
		.etag = o->str[S_ETAG],
		.last_modified = o->str[S_LASTMOD],
		.total = (uint64_t)o->rtotal,
	};

	o->s->st.pieces++;
	if (o->rtotal <= 0) {
		o->stitch_err = EINVAL;
		return;
	}
	o->piece =
		range_piece_begin(o->s->ranges, &k, (uint64_t)o->rfirst, (uint64_t)o->rlast, o->ts);
	if (!o->piece)
		o->stitch_err = errno;
}

/* Ends the object's piece; returns "assembled", "pending", "discarded" or
 * why it was refused. When this piece completed its resource, *wh is
 * filled: the caller emits it and releases it. */
static const char *piece_end(struct sobj *o, bool ok, uint64_t ts, struct range_whole *wh,
			     bool *overrun)
{
	uint64_t over = 0;
	int done;

	if (!o->piece)
		return o->stitch_err == EFBIG	  ? "too_big"
		       : o->stitch_err == ENOBUFS ? "no_room"
		       : o->stitch_err == ENOMEM  ? "no_memory"
						  : "bad_range";
	done = range_piece_end(o->s->ranges, o->piece, ok, ts, wh, &over);
	o->piece = NULL;
	*overrun = over > 0;
	if (done == 1)
		return "assembled";
	return ok ? "pending" : "discarded";
}

/* ---- object_ops --------------------------------------------------------- */

static int ctx_get(struct objsink *s, struct hash_ctx *h)
{
	if (!s->npool)
		return hash_init(h, s->mask);
	*h = s->pool[--s->npool];
	return 0;
}

/* Takes back a context that is fresh or was just finalised (both are in
 * the reset state); a failed or unused one (mask 0) is only freed. */
static void ctx_put(struct objsink *s, struct hash_ctx *h)
{
	if (h->mask == s->mask && s->mask && s->npool < POOL_MAX)
		s->pool[s->npool++] = *h;
	else
		hash_free(h);
	memset(h, 0, sizeof(*h));
}

static void sobj_free(struct sobj *o)
{
	for (int i = 0; i < S_MAX; i++)
		free(o->str[i]);
	ctx_put(o->s, &o->body);
	ctx_put(o->s, &o->wire);
	if (o->s->conf.img)
		imgmatch_buf_free(o->s->conf.img, &o->img);
	free(o);
}

static int copy_meta(struct sobj *o, const struct obj_meta *m)
{
	const char *src[S_MAX] = {
		m->method,
		m->host,
		m->uri,
		m->content_type,
		m->content_encoding,
		m->transfer_encoding,
		m->filename,
		m->etag,
		m->last_modified,
	};
	const struct flow_info *f = m->flow;

	for (int i = 0; i < S_MAX; i++)
		if (!(o->str[i] = strdup(src[i] ? src[i] : "")))
			return -ENOMEM;
	o->kind = m->kind;
	o->seq = m->seq;
	o->status = m->status;
	o->declared = m->declared_len;
	o->rfirst = m->range_first;
	o->rlast = m->range_last;
	o->rtotal = m->range_total;
	o->ts = m->ts_ns;
	if (f) {
		o->has_flow = true;
		objsink_flow_copy(&o->flow, f);
	}
	return 0;
}

static void *obj_begin(void *ctx, const struct obj_meta *m)
{
	struct objsink *s = ctx;
	struct sobj *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->s = s;
	if (copy_meta(o, m) || ctx_get(s, &o->body))
		goto fail;
	/* identity coding: wire and decoded bodies are the same bytes */
	o->sep_wire = o->str[S_CENC][0] && strcasecmp(o->str[S_CENC], "identity");
	if (o->sep_wire && ctx_get(s, &o->wire))
		goto fail;
	if (o->rfirst >= 0)
		piece_begin(o);
	return o;
fail:
	sobj_free(o);
	return NULL;
}

static void obj_wire(void *obj, const uint8_t *p, size_t len)
{
	struct sobj *o = obj;

	if (o->sep_wire)
		hash_update(&o->wire, p, len);
	if (o->piece)
		range_piece_write(o->piece, p, len);
}

static void obj_data(void *obj, const uint8_t *p, size_t len)
{
	struct sobj *o = obj;

	hash_update(&o->body, p, len);
	/* pieces are PDQ-hashed only as their stitched whole */
	if (o->rfirst < 0 && img_on(o->s))
		imgmatch_buf_add(o->s->conf.img, &o->img, p, len);
}

static void put_meta(struct ej_writer *w, const struct sobj *o)
{
	ej_u64(w, "seq", o->seq);
	ej_str(w, "method", o->str[S_METHOD]);
	if (o->status)
		ej_i64(w, "status", o->status);
	else
		ej_null(w, "status");
	ej_str(w, "content_type", o->str[S_CTYPE]);
	ej_str(w, "content_encoding", o->str[S_CENC]);
	ej_str(w, "transfer_encoding", o->str[S_TENC]);
	ej_str(w, "filename", o->str[S_FILE]);
	ej_str(w, "etag", o->str[S_ETAG]);
	ej_str(w, "last_modified", o->str[S_LASTMOD]);
	if (o->declared >= 0)
		ej_i64(w, "declared_length", o->declared);
	else
		ej_null(w, "declared_length");
	if (o->rfirst < 0) {
		ej_null(w, "range");
		return;
	}
	ej_obj(w, "range");
	ej_i64(w, "first", o->rfirst);
	ej_i64(w, "last", o->rlast);
	if (o->rtotal >= 0)
		ej_i64(w, "total", o->rtotal);
	else
		ej_null(w, "total");
	ej_obj_end(w);
}

/* The object line. */
static void put_object(struct objsink *s, const struct sobj *o, const struct evctx *c,
		       const struct obj_end *e, const struct hash_result *rb,
		       const struct hash_result *rw, bool body_ok, bool wire_ok, const char *stitch,
		       bool overrun)
{
	struct ej_writer *w = s->conf.out;

	line_begin(s, "object", c);
	ej_time(w, "ts_end", e->ts_ns);
	put_meta(w, o);
	ej_str(w, "sniffed", e->sniffed ? e->sniffed : "");
	ej_u64(w, "size", e->decoded_len);
	ej_u64(w, "wire_size", e->wire_len);
	objsink_put_bits(w, "flags", e->flags, objsink_flag_name, overrun ? "range_overrun" : NULL);
	objsink_put_bits(w, "anomalies", e->anomalies, objsink_anom_name, NULL);
	objsink_put_hashes(w, s->conf.log_mask, rb, body_ok);
	if (o->sep_wire) {
		ej_obj(w, "wire");
		objsink_put_hashes(w, s->conf.log_mask, rw, wire_ok);
		ej_obj_end(w);
	} else {
		ej_null(w, "wire");
	}
	ej_str(w, "stitch", stitch);
	ej_str(w, "error", e->error && e->error[0] ? e->error : NULL);
	put_pdq(s, c);
	line_end(s);
}

static void count(struct objsink *s, const struct obj_end *e, bool body_ok)
{
	s->st.objects++;
	s->st.bytes += e->decoded_len;
	s->st.wire_bytes += e->wire_len;
	if (body_ok)
		s->st.hashed++;
	else
		s->st.unhashed++;
}

/* Why an object's PDQ can't be computed, NULL if it can: only complete
 * objects are hashed (a truncated image decodes to a different picture). */
static const char *pdq_skip(const struct sobj *o, unsigned flags)
{
	if (o->rfirst >= 0)
		return "range piece; its stitched object is hashed";
	if (flags & OBJ_GAP)
		return "gap";
	if (flags & OBJ_BOMB)
		return "decompression limit";
	if (flags & OBJ_DECODE_ERR)
		return "decode error";
	if (flags & OBJ_TRUNCATED)
		return "truncated";
	if ((flags & OBJ_PARTIAL) || !(flags & OBJ_COMPLETE))
		return "partial";
	return NULL;
}

static void obj_end(void *obj, const struct obj_end *e)
{
	struct sobj *o = obj;
	struct objsink *s = o->s;
	struct hash_result rb, rw;
	struct range_whole wh = {0};
	struct evctx c = {.id = ++s->next_id,
			  .kind = kind_names[o->kind],
			  .host = o->str[S_HOST],
			  .uri = o->str[S_URI],
			  .flow = o->has_flow ? &o->flow : NULL,
			  .ts = o->ts};
	/* gap: bytes unknown, no hash. Cut short without a gap (early close,
	 * inflated Content-Length): the hash of exactly the bytes the client got */
	bool wire_ok = !(e->flags & OBJ_GAP);
	bool body_ok = wire_ok && !(e->flags & OBJ_BOMB);
	bool overrun = false;
	const char *stitch = NULL;

	if (hash_final(&o->body, &rb)) {
		hash_free(&o->body); /* state unknown: not reused */
		body_ok = false;
	}
	if (!o->sep_wire)
		rw = rb;
	else if (hash_final(&o->wire, &rw)) {
		hash_free(&o->wire);
		wire_ok = false;
	}
	if (o->rfirst >= 0)
		stitch = piece_end(o, wire_ok, e->ts_ns, &wh, &overrun);
	if (img_on(s))
		imgmatch_object(s->conf.img, e->sniffed, pdq_skip(o, e->flags), &o->img, &c.img);
	put_object(s, o, &c, e, &rb, &rw, body_ok, wire_ok, stitch, overrun);
	count(s, e, body_ok);
	/* a piece is not the object: only its stitched whole is matched */
	if (o->rfirst < 0) {
		unsigned hits = body_ok ? match(s, &c, &rb, "decoded") : 0;

		if (o->sep_wire && wire_ok)
			hits += match(s, &c, &rw, "wire");
		hits += pdq_match(s, &c, "decoded");
		s->st.matched += hits > 0;
	}
	if (wh.res) {
		emit_whole(s, &wh);
		range_release(s->ranges, &wh);
	}
	if (e->ts_ns >= s->next_expire) {
		range_expire(s->ranges, e->ts_ns, emit_whole, s);
		s->next_expire = e->ts_ns + EXPIRE_EVERY_NS;
	}
	sobj_free(o);
}

void objsink_flush(struct objsink *s)
{
	range_expire(s->ranges, UINT64_MAX, emit_whole, s);
}

const struct object_ops *objsink_object_ops(void)
{
	static const struct object_ops ops = {
		.begin = obj_begin,
		.wire = obj_wire,
		.data = obj_data,
		.end = obj_end,
	};

	return &ops;
}
