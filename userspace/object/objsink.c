// SPDX-License-Identifier: GPL-2.0
/* objsink: consumes objects from the protocol parsers of one worker,
 * hashes the decoded and the wire body, matches whole objects against the
 * exact hash lists, hands image bodies to imgmatch (PDQ), tells the source
 * the verdict, and passes the object's event lines (and a range piece's
 * bytes) on as one record to the assembler. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assemble.h"
#include "objsink.h"
#include "objsink_json.h"

#define POOL_MAX 32 /* finished hash contexts kept for reuse */

struct objsink {
	struct objsink_conf conf;
	struct range_limits lim;
	unsigned mask; /* hashes computed: logged | matched */
	const char *source;
	struct assemble *own; /* without conf.emit */
	struct objsink_stats st;
	struct objsink_stats view; /* st with the own assembler's folded in */
	struct ej_writer w; /* builds the parts of one record */
	char *text;	    /* the record being built */
	size_t len, cap;
	bool text_err;
	/* Reset contexts: reusing them skips OpenSSL's per-init algorithm fetch
	 * (locks and lookups), which dominates small objects. */
	struct hash_ctx pool[POOL_MAX];
	unsigned npool;
};

enum { S_METHOD, S_HOST, S_URI, S_CTYPE, S_CENC, S_TENC, S_FILE, S_ETAG, S_LASTMOD, S_READING, S_MAX };

struct sobj {
	struct objsink *s;
	enum obj_kind kind;
	uint32_t seq;
	int status;
	int64_t declared, rfirst, rlast, rtotal;
	uint64_t ts;
	struct objsink_flow flow;
	const struct flow_info *fi; /* the source's: valid until the flow closes */
	bool has_flow;
	bool has_reading; /* the message was read more than one way */
	bool alternate;
	char *str[S_MAX];
	bool sep_wire; /* content-coded: wire hashed apart */
	bool img_on;   /* images are PDQ-hashed (decided when it began) */
	struct hash_ctx body, wire;
	struct objrec_piece *piece; /* range piece: bytes for the assembler */
	uint64_t piece_cap;
	struct imgmatch_buf img; /* decoded body for PDQ */
	uint8_t *ev;		 /* decoded body for evidence (objsink_evidence) */
	size_t ev_len, ev_cap;
	bool ev_over;		 /* past the cap or the budget: not kept */
};

static const char *const kind_names[] = {
	[OBJ_RESPONSE_BODY] = "response",
	[OBJ_REQUEST_BODY] = "request",
	[OBJ_FORM_PART] = "form_part",
	[OBJ_BYTERANGE_PART] = "byterange_part",
};

static void own_emit(void *ctx, struct objrec *r)
{
	assemble_put(ctx, r);
}

struct objsink *objsink_new(const struct objsink_conf *conf)
{
	struct objsink *s = calloc(1, sizeof(*s));
	struct assemble_conf ac = {
		.log_mask = conf->log_mask,
		.out = conf->out,
		.matcher = conf->matcher,
		.range = conf->range,
		.img = conf->img,
		.verdict = conf->verdict,
		.verdict_ctx = conf->verdict_ctx,
	};

	if (!s)
		return NULL;
	s->conf = *conf;
	s->mask = conf->log_mask | (conf->matcher ? conf->matcher->need : 0);
	if (conf->range)
		s->lim = *conf->range;
	else
		range_limits_default(&s->lim);
	ej_init(&s->w, NULL);
	if (!conf->emit) {
		s->own = assemble_new(&ac);
		if (!s->own) {
			free(s);
			errno = ENOMEM;
			return NULL;
		}
		s->conf.emit = own_emit;
		s->conf.emit_ctx = s->own;
	}
	return s;
}

void objsink_free(struct objsink *s)
{
	if (!s)
		return;
	assemble_free(s->own);
	while (s->npool)
		hash_free(&s->pool[--s->npool]);
	ej_free(&s->w);
	free(s->text);
	free(s);
}

void objsink_set_source(struct objsink *s, const char *source)
{
	s->source = source;
}

const struct objsink_stats *objsink_stats(struct objsink *s)
{
	struct objsink_stats *st = &s->view;
	const struct assemble_stats *as;

	*st = s->st;
	if (!s->own)
		return st;
	as = assemble_stats(s->own);
	st->objects += as->assembled + as->incomplete;
	st->hashed += as->assembled;
	st->assembled = as->assembled;
	st->incomplete = as->incomplete;
	st->matches += as->matches;
	st->matched += as->matched;
	st->write_errors += as->write_errors;
	return st;
}

const struct range_stats *objsink_range_stats(const struct objsink *s)
{
	return s->own ? assemble_range_stats(s->own) : NULL;
}

void objsink_flush(struct objsink *s)
{
	if (s->own)
		assemble_flush(s->own);
}

/* ---- the record --------------------------------------------------------- */

/* Starts the next part (object or match line) of the record. */
static void part_begin(struct objsink *s, const struct sobj *o)
{
	ej_part_begin(&s->w);
	objsink_put_head(&s->w, s->source, o->ts, kind_names[o->kind], o->str[S_HOST],
			 o->str[S_URI], o->has_flow ? &o->flow : NULL);
}

/* Appends the part just built, and its newline, to the record text. */
static void part_end(struct objsink *s)
{
	size_t need = s->len + s->w.len + 1, cap = s->cap ? s->cap : 1024;
	char *t;

	if (ej_part_end(&s->w)) {
		s->text_err = true;
		return;
	}
	if (need > s->cap) {
		while (cap < need)
			cap *= 2;
		t = realloc(s->text, cap);
		if (!t) {
			s->text_err = true;
			return;
		}
		s->text = t;
		s->cap = cap;
	}
	memcpy(s->text + s->len, s->w.buf, s->w.len);
	s->len += s->w.len;
	s->text[s->len++] = '\n';
}

/* Hands the record built for o (and its piece) on. */
static void emit(struct objsink *s, struct sobj *o, uint64_t ts_end)
{
	struct objrec *r = calloc(1, sizeof(*r));

	if (r && !s->text_err)
		r->text = malloc(s->len);
	if (!r || !r->text) {
		s->st.write_errors++;
		free(r);
		s->len = 0;
		s->text_err = false;
		return;
	}
	memcpy(r->text, s->text, s->len);
	r->len = s->len;
	r->flow = o->has_flow ? o->flow.id : 0;
	r->ts_end = ts_end;
	r->source = s->source;
	r->piece = o->piece;
	o->piece = NULL;
	s->len = 0;
	s->conf.emit(s->conf.emit_ctx, r);
}

/* ---- matching ------------------------------------------------------------ */

/* One match part per PDQ list hit. */
static void pdq_match(struct objsink *s, const struct sobj *o, const struct imgmatch_result *img,
		      struct obj_verdict *v)
{
	for (size_t i = 0; i < img->nhits; i++) {
		part_begin(s, o);
		imgmatch_put_hit(&s->w, img, i);
		ej_str(&s->w, "body", "decoded");
		part_end(s);
		objsink_verdict_hit(v, img->hits[i].list, img->hits[i].category, "pdq", img->hash.b,
			 sizeof(img->hash.b), (int)img->hits[i].distance);
	}
	s->st.matches += img->nhits;
}

/* Looks one digest set up in the lists, one match part per hit. */
static void match(struct objsink *s, const struct sobj *o, const struct hash_result *r,
		  const char *body, struct obj_verdict *v)
{
	const struct objsink_matcher *m = s->conf.matcher;
	struct objsink_hit hits[OBJSINK_HITS_MAX];

	if (!m)
		return;
	for (int t = 0; t < HASH_T_MAX; t++) {
		int n;

		if (!(m->need & r->mask & (1u << t)))
			continue;
		n = m->lookup(m->ctx, t, r->d[t], hits, OBJSINK_HITS_MAX);
		for (int i = 0; i < n; i++) {
			part_begin(s, o);
			objsink_put_match(&s->w, hits[i].list, hits[i].category, t, r->d[t], body);
			part_end(s);
			objsink_verdict_hit(v, hits[i].list, hits[i].category, hash_name(t), r->d[t],
				 hash_len(t), -1);
		}
		s->st.matches += (unsigned)n;
	}
}

/* ---- range pieces ------------------------------------------------------- */

/* Starts collecting the bytes of a piece for the assembler. Refusals that
 * need no store (bad range, too big) are settled here. */
static int piece_begin(struct sobj *o)
{
	struct objrec_piece *pc = calloc(1, sizeof(*pc));
	const char *src[4] = {o->str[S_HOST], o->str[S_URI], o->str[S_ETAG], o->str[S_LASTMOD]};
	char **dst[4];
	size_t n = 0;
	char *p;

	if (!pc)
		return -ENOMEM;
	dst[0] = &pc->host, dst[1] = &pc->uri, dst[2] = &pc->etag, dst[3] = &pc->last_modified;
	for (int i = 0; i < 4; i++)
		n += strlen(src[i]) + 1;
	pc->strs = p = malloc(n);
	if (!p) {
		free(pc);
		return -ENOMEM;
	}
	for (int i = 0; i < 4; i++) {
		*dst[i] = p;
		p = stpcpy(p, src[i]) + 1;
	}
	pc->first = (uint64_t)o->rfirst;
	pc->last = (uint64_t)o->rlast;
	pc->total = o->rtotal > 0 ? (uint64_t)o->rtotal : 0;
	pc->ts_begin = o->ts;
	o->s->st.pieces++;
	if (o->rtotal <= 0 || o->rlast < o->rfirst || (uint64_t)o->rlast >= pc->total)
		pc->err = EINVAL;
	else if (pc->total > o->s->lim.max_resource)
		pc->err = EFBIG;
	o->piece_cap = pc->err ? 0 : pc->last - pc->first + 1;
	o->piece = pc;
	return 0;
}

/* Appends wire bytes to the piece; past `last` they are only counted. */
static void piece_write(struct sobj *o, const uint8_t *p, size_t n)
{
	struct objrec_piece *pc = o->piece;
	size_t room = pc->len < o->piece_cap ? (size_t)(o->piece_cap - pc->len) : 0;
	size_t take = n < room ? n : room;

	if (take && !pc->data) {
		pc->data = malloc(o->piece_cap);
		if (!pc->data) {
			pc->err = ENOMEM;
			o->piece_cap = 0;
			return;
		}
	}
	memcpy(pc->data + pc->len, p, take);
	pc->len += take;
}

/* ---- object_ops --------------------------------------------------------- */

/* The digests of the objects beginning now: logged ones and those the
 * lists hold, which a list reload can change. Pooled contexts of another
 * set are dropped. */
static void set_mask(struct objsink *s)
{
	const struct objsink_matcher *m = s->conf.matcher;
	unsigned mask = s->conf.log_mask | (m ? __atomic_load_n(&m->need, __ATOMIC_RELAXED) : 0);

	if (mask == s->mask)
		return;
	while (s->npool)
		hash_free(&s->pool[--s->npool]);
	s->mask = mask;
}

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
	if (o->piece) {
		free(o->piece->data);
		free(o->piece->strs);
		free(o->piece);
	}
	if (o->ev_cap && o->s->conf.evidence->held)
		budget_give(o->s->conf.evidence->held, o->ev_cap);
	free(o->ev);
	free(o);
}

/* Drops the evidence copy for good: over the cap or the budget. */
static void evidence_drop(struct sobj *o)
{
	struct budget *held = o->s->conf.evidence->held;

	if (o->ev_cap && held)
		budget_give(held, o->ev_cap);
	free(o->ev);
	o->ev = NULL;
	o->ev_len = o->ev_cap = 0;
	o->ev_over = true;
}

/* Keeps body bytes for evidence while within the object's cap and the
 * shared budget. */
static void evidence_add(struct sobj *o, const uint8_t *p, size_t len)
{
	const struct objsink_evidence *ev = o->s->conf.evidence;
	size_t cap = o->ev_cap ? o->ev_cap : 64u << 10;
	uint8_t *nb;

	if (o->ev_over || !len)
		return;
	if (o->ev_len + len > ev->cap)
		return evidence_drop(o);
	while (cap < o->ev_len + len)
		cap *= 2;
	if (cap > ev->cap)
		cap = ev->cap;
	if (cap > o->ev_cap) {
		if (ev->held && !budget_take(ev->held, cap - o->ev_cap))
			return evidence_drop(o);
		nb = realloc(o->ev, cap);
		if (!nb) {
			if (ev->held)
				budget_give(ev->held, cap - o->ev_cap);
			return evidence_drop(o);
		}
		o->ev = nb;
		o->ev_cap = cap;
	}
	memcpy(o->ev + o->ev_len, p, len);
	o->ev_len += len;
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
		m->reading,
	};
	const struct flow_info *f = m->flow;

	for (int i = 0; i < S_MAX; i++)
		if (!(o->str[i] = strdup(src[i] ? src[i] : "")))
			return -ENOMEM;
	o->kind = m->kind;
	o->has_reading = m->reading != NULL;
	o->alternate = m->alternate;
	o->seq = m->seq;
	o->status = m->status;
	o->declared = m->declared_len;
	o->rfirst = m->range_first;
	o->rlast = m->range_last;
	o->rtotal = m->range_total;
	o->ts = m->ts_ns;
	if (f) {
		o->has_flow = true;
		o->fi = f;
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
	set_mask(s);
	o->img_on = imgmatch_active(s->conf.img);
	if (copy_meta(o, m) || ctx_get(s, &o->body))
		goto fail;
	/* identity coding: wire and decoded bodies are the same bytes */
	o->sep_wire = o->str[S_CENC][0] && strcasecmp(o->str[S_CENC], "identity");
	if (o->sep_wire && ctx_get(s, &o->wire))
		goto fail;
	if (o->rfirst >= 0 && piece_begin(o))
		goto fail;
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
	if (o->piece && !o->piece->err)
		piece_write(o, p, len);
}

static void obj_data(void *obj, const uint8_t *p, size_t len)
{
	struct sobj *o = obj;

	hash_update(&o->body, p, len);
	if (o->s->conf.evidence && o->rfirst < 0)
		evidence_add(o, p, len);
	/* pieces are PDQ-hashed only as their stitched whole */
	if (o->rfirst < 0 && o->img_on)
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

/* The object part. A piece's "stitch" member is the assembler's to add. */
static void put_object(struct objsink *s, const struct sobj *o, const struct obj_end *e,
		       const struct hash_result *rb, const struct hash_result *rw, bool body_ok,
		       bool wire_ok, const struct imgmatch_result *img)
{
	struct ej_writer *w = &s->w;
	bool overrun = o->piece && !o->piece->err &&
		       e->wire_len > o->piece->last - o->piece->first + 1;

	part_begin(s, o);
	ej_time(w, "ts_end", e->ts_ns);
	put_meta(w, o);
	ej_str(w, "sniffed", e->sniffed ? e->sniffed : "");
	ej_u64(w, "size", e->decoded_len);
	ej_u64(w, "wire_size", e->wire_len);
	if (o->has_reading) {
		ej_str(w, "reading", o->str[S_READING]);
		ej_bool(w, "alternate", o->alternate);
	}
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
	ej_str(w, "error", e->error && e->error[0] ? e->error : NULL);
	if (o->img_on)
		imgmatch_put_fields(w, img);
	part_end(s);
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

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* Matches a whole (non-piece) object: exact lists on both bodies, then
 * PDQ; tells the source. */
static void decide(struct objsink *s, const struct sobj *o, const struct obj_end *e,
		   const struct hash_result *rb, const struct hash_result *rw, bool body_ok,
		   bool wire_ok, const struct imgmatch_result *img, uint64_t t0)
{
	struct obj_verdict v = {.flow = o->has_flow ? &o->flow : NULL,
				.live = o->fi,
				.kind = o->kind,
				.seq = o->seq,
				.host = o->str[S_HOST],
				.uri = o->str[S_URI],
				.hashed = body_ok,
				.distance = -1,
				.quality = -1,
				.sniffed = e->sniffed ? e->sniffed : "",
				.content_type = o->str[S_CTYPE],
				.size = e->decoded_len,
				.ts_end_ns = e->ts_ns};

	if (body_ok)
		match(s, o, rb, "decoded", &v);
	if (o->sep_wire && wire_ok)
		match(s, o, rw, "wire", &v);
	pdq_match(s, o, img, &v);
	if (v.distance >= 0)
		v.quality = img->quality;
	s->st.matched += v.hits > 0;
	if (v.hits && s->conf.evidence)
		s->conf.evidence->keep(s->conf.evidence->ctx, &v, o->ev_over ? NULL : o->ev,
				       o->ev_over ? 0 : o->ev_len);
	v.inspect_ns = mono_ns() - t0;
	if (s->conf.verdict)
		s->conf.verdict(s->conf.verdict_ctx, &v);
}

static void obj_end(void *obj, const struct obj_end *e)
{
	uint64_t t0 = mono_ns();
	struct sobj *o = obj;
	struct objsink *s = o->s;
	struct imgmatch_result img = {0};
	struct hash_result rb, rw;
	/* gap: bytes unknown, no hash. Cut short without a gap (early close,
	 * inflated Content-Length): the hash of exactly the bytes the client got */
	bool wire_ok = !(e->flags & OBJ_GAP);
	bool body_ok = wire_ok && !(e->flags & OBJ_BOMB);

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
	if (e->flags & OBJ_DROPPED) { /* the same body as another reading */
		sobj_free(o);
		return;
	}
	if (o->img_on)
		imgmatch_object(s->conf.img, e->sniffed, pdq_skip(o, e->flags), &o->img, &img);
	put_object(s, o, e, &rb, &rw, body_ok, wire_ok, &img);
	count(s, e, body_ok);
	/* a piece is not the object: only its stitched whole is matched */
	if (o->piece) {
		o->piece->ok = wire_ok;
		o->piece->ts_end = e->ts_ns;
	} else {
		decide(s, o, e, &rb, &rw, body_ok, wire_ok, &img, t0);
	}
	emit(s, o, e->ts_ns);
	sobj_free(o);
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
