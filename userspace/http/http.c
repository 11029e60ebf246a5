// SPDX-License-Identifier: GPL-2.0
/* HTTP/1.x message framing: the stream consumer between the reassembler and
 * the object consumers. Runs each direction's state machine over heads
 * (httphead.c), chunked (httpchunk.c), Content-Length and close-delimited
 * bodies, gaps and ends, and hands bodies to objects (httpobj.c), reading
 * ambiguous messages the way browsers do.
 *
 *   stream_ops data(C2S) --> requests  --> request bodies, form parts
 *   stream_ops data(S2C) --> responses --> response bodies, byterange parts
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpint.h"

void http_conf_default(struct http_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->max_header = 65536;
	c->max_decoded = 1ull << 30;
	c->max_ratio = 1000;
	c->max_layers = 8;
	c->emit = HTTP_EMIT_ALL;
}

struct http_ctx *http_ctx_new(const struct http_conf *conf,
			      const struct object_ops *ops, void *ops_ctx)
{
	struct http_ctx *ctx;

	if (!ops) {
		errno = EINVAL;
		return NULL;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	if (conf)
		ctx->conf = *conf;
	else
		http_conf_default(&ctx->conf);
	if (ctx->conf.max_header < 256)
		ctx->conf.max_header = 256;
	ctx->ops = ops;
	ctx->ops_ctx = ops_ctx;
	budget_init(&ctx->own_alt, HTTP_ALT_TOTAL);
	ctx->alt = ctx->conf.alt_budget ? ctx->conf.alt_budget : &ctx->own_alt;
	return ctx;
}

void http_ctx_free(struct http_ctx *ctx)
{
	free(ctx);
}

void http_ctx_stats(const struct http_ctx *ctx, struct http_stats *st)
{
	*st = ctx->st;
}

int http_buf_add(struct http_dir *d, uint8_t c, size_t limit)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 512;
		uint8_t *b;

		if (cap > limit)
			cap = limit;
		if (d->n >= cap)
			return -ENOSPC;
		b = realloc(d->buf, cap);
		if (!b)
			return -ENOMEM;
		d->buf = b;
		d->cap = cap;
	}
	d->buf[d->n++] = c;
	return 0;
}

/* Begins the body object lazily: at the first body byte or gap. */
static void obj_ensure(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	unsigned want = dir == STREAM_C2S ? HTTP_EMIT_REQUESTS : HTTP_EMIT_RESPONSES;

	if (d->obj.open || d->discard)
		return;
	if (!(f->ctx->conf.emit & want) ||
	    httpobj_begin(f->ctx, &d->obj, f->fi,
			  dir == STREAM_C2S ? OBJ_REQUEST_BODY : OBJ_RESPONSE_BODY,
			  d->head, dir == STREAM_C2S ? NULL : &f->cur,
			  d->seq, d->ts)) {
		d->discard = 1;
		return;
	}
	d->obj.pos = &d->pos;
	d->obj.anomalies |= d->anom;
	d->anom = 0;
}

/* Where browsers frame a body differently (a Content-Length list,
 * Content-Length beside chunked), the first alt_len bytes of the
 * (de-chunked) body are kept; if that reading differs from the one
 * followed, it becomes an object of its own when the body ends. */
static void alt_add(struct http_ctx *ctx, struct http_dir *d,
		    const uint8_t *p, size_t len)
{
	size_t want = (size_t)d->alt_len - d->nalt;

	if (!d->alt) {
		if (!budget_take(ctx->alt, (uint64_t)d->alt_len))
			goto refuse;
		if (!(d->alt = malloc(d->alt_len))) {
			budget_give(ctx->alt, (uint64_t)d->alt_len);
			goto refuse;
		}
	}
	if (len > want)
		len = want;
	memcpy(d->alt + d->nalt, p, len);
	d->nalt += len;
	return;
refuse:
	d->alt_len = -1;
	ctx->st.alt_refused++;
}

static void alt_emit(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	unsigned want = dir == STREAM_C2S ? HTTP_EMIT_REQUESTS : HTTP_EMIT_RESPONSES;
	struct http_obj *ob;

	if (d->alt_len > 0 && d->nalt == (size_t)d->alt_len &&
	    d->body_len != d->nalt && (f->ctx->conf.emit & want) &&
	    (ob = calloc(1, sizeof(*ob)))) {
		if (!httpobj_begin(f->ctx, ob, f->fi, dir == STREAM_C2S ?
				   OBJ_REQUEST_BODY : OBJ_RESPONSE_BODY, d->head,
				   dir == STREAM_C2S ? NULL : &f->cur, d->seq, d->ts)) {
			ob->pos = &d->pos;
			httpobj_wire(ob, d->alt, d->nalt);
			httpobj_end(ob, 1, 0, d->ts);
			f->ctx->st.alternates++;
		}
		free(ob);
	}
	if (d->alt)
		budget_give(f->ctx->alt, (uint64_t)d->alt_len);
	free(d->alt);
	d->alt = NULL;
	d->alt_len = -1;
	d->nalt = 0;
}

void http_body(struct http_flow *f, enum stream_dir dir, const uint8_t *p,
		 size_t len)
{
	struct http_dir *d = &f->d[dir];

	if (!len)
		return;
	d->body_len += len;
	if (d->alt_len > 0 && d->nalt < (size_t)d->alt_len)
		alt_add(f->ctx, d, p, len);
	obj_ensure(f, dir);
	if (!d->discard)
		httpobj_wire(&d->obj, p, len);
}

void http_obj_finish(struct http_flow *f, enum stream_dir dir, int complete,
		       unsigned flags)
{
	struct http_dir *d = &f->d[dir];

	if (flags & OBJ_GAP)
		obj_ensure(f, dir);
	httpobj_end(&d->obj, complete, flags, d->ts);
	d->discard = 1;
	alt_emit(f, dir);
}

void http_msg_done(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];

	http_obj_finish(f, dir, 1, 0);
	http_msg_report_done(f, dir);
	d->st = H_HEAD;
	d->n = 0;
	d->eoh = 0;
	d->discard = 0;
	d->probing = 0;
}

static size_t body_bytes(struct http_flow *f, enum stream_dir dir,
			 const uint8_t *p, size_t len)
{
	struct http_dir *d = &f->d[dir];
	size_t k = len;

	if (d->st != H_CLOSE && k > d->remain)
		k = d->remain;
	d->pos += k;
	http_body(f, dir, p, k);
	if (d->st == H_CLOSE)
		return k;
	d->remain -= k;
	if (d->remain)
		return k;
	if (d->st == H_CL)
		http_msg_done(f, dir);
	else
		d->st = H_CHUNK_SIZE;
	return k;
}

/* A head that ended at a blank-ish line after a bare LF (Firefox's end)
 * may be followed by a real empty line (Chromium's end): that belongs to
 * the head too. Returns the bytes to skip. */
static size_t skip_blank(struct http_dir *d, const uint8_t *p)
{
	if (d->skip_blank == 1 && *p == '\r') {
		d->skip_blank = 2;
		return 1;
	}
	d->skip_blank = 0;
	return *p == '\n';
}

void http_feed(struct http_flow *f, enum stream_dir dir, const uint8_t *p,
		 size_t len)
{
	struct http_dir *d = &f->d[dir];
	uint64_t at = d->pos;	/* handlers move pos on by what they consume */

	while (len) {
		size_t k = len;

		d->pos = at;
		if (d->skip_blank && d->st != H_HEAD && (k = skip_blank(d, p))) {
			p += k;
			len -= k;
			at += k;
			continue;
		}
		k = len;
		switch (d->st) {
		case H_HEAD:
			k = httphead_bytes(f, dir, p, len);
			break;
		case H_CL:
		case H_CHUNK_DATA:
		case H_CLOSE:
			k = body_bytes(f, dir, p, len);
			break;
		case H_CHUNK_SIZE:
		case H_CHUNK_LF:
		case H_TRAILER:
			k = httpchunk_bytes(f, dir, p, len);
			break;
		case H_RESYNC:
			k = httphead_resync(f, dir, p, len);
			break;
		case H_PRELUDE:
			k = httphead_prelude(f, p, len);
			break;
		case H_DEAD:
			break;
		}
		p += k;
		len -= k;
		at += k;
	}
	d->pos = at;
}

static void *flow_open(void *ctx, const struct flow_info *fi)
{
	struct http_ctx *c = ctx;
	struct http_flow *f;

	if (fi->proto != IPPROTO_TCP)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->ctx = c;
	f->fi = fi;
	if (fi->flags & FLOW_MIDSTREAM) {
		f->d[0].st = H_RESYNC;
		f->d[1].st = H_RESYNC;
	}
	c->st.flows++;
	return f;
}

static void on_data(void *flow, enum stream_dir dir, const uint8_t *p,
		    size_t len, uint64_t ts)
{
	struct http_flow *f = flow;

	f->d[dir].ts = ts;
	http_feed(f, dir, p, len);
}

/* Policy: a gap inside a body ends its object with OBJ_GAP|OBJ_TRUNCATED
 * (never complete); when the gap's length keeps the framing known
 * (Content-Length, inside a chunk) the rest of the body is skipped and
 * parsing goes on, otherwise the direction resynchronises at the next
 * start line. A gap in a head also resynchronises. */
static void on_gap(void *flow, enum stream_dir dir, uint64_t len, uint64_t ts)
{
	struct http_flow *f = flow;
	struct http_dir *d = &f->d[dir];

	d->ts = ts;
	switch (d->st) {
	case H_CL:
	case H_CHUNK_DATA:
		http_obj_finish(f, dir, 0, OBJ_GAP | OBJ_TRUNCATED);
		if (len && len < d->remain) {
			d->remain -= len;
			return;
		}
		if (len && len == d->remain) {
			d->remain = 0;
			if (d->st == H_CL)
				http_msg_done(f, dir);
			else
				d->st = H_CHUNK_SIZE;
			return;
		}
		break;
	case H_CLOSE:
		http_obj_finish(f, dir, 0, OBJ_GAP | OBJ_TRUNCATED);
		return;
	case H_CHUNK_SIZE:
	case H_CHUNK_LF:
		http_obj_finish(f, dir, 0, OBJ_GAP | OBJ_TRUNCATED);
		break;
	case H_DEAD:
		return;
	default:
		break;
	}
	d->st = H_RESYNC;
	d->n = 0;
	d->probing = 0;
}

/* The direction ended (FIN or close). orderly: FIN or end of input. */
static void dir_end(struct http_flow *f, enum stream_dir dir, int orderly)
{
	struct http_dir *d = &f->d[dir];

	if (d->st == H_PRELUDE)
		httphead_http09(f, d);
	if (d->probing && (d->st == H_CHUNK_SIZE || d->st == H_CHUNK_LF))
		httpchunk_fallback(f, dir);
	if (d->st == H_CHUNK_SIZE && d->n)
		httpchunk_line(f, dir);	/* "0" and then the close */
	switch (d->st) {
	case H_CLOSE:
		http_obj_finish(f, dir, orderly, orderly ? 0 : OBJ_TRUNCATED);
		if (orderly)
			http_msg_report_done(f, dir);
		break;
	case H_HEAD:
		if (dir == STREAM_S2C && d->n && !d->messages &&
		    f->d[STREAM_C2S].messages &&
		    !httphdr_is_status(d->buf, d->n) &&
		    !(f->fi->flags & FLOW_MIDSTREAM))
			httphead_http09(f, d);	/* a tiny HTTP/0.9 response */
		http_obj_finish(f, dir, orderly, orderly ? 0 : OBJ_TRUNCATED);
		break;
	case H_TRAILER:
		break;	/* body complete, trailers cut: fine */
	default:
		http_obj_finish(f, dir, 0, OBJ_TRUNCATED);
		break;
	}
	d->st = H_DEAD;
}

static void on_end(void *flow, enum stream_dir dir, uint64_t ts)
{
	struct http_flow *f = flow;

	f->d[dir].ts = ts;
	dir_end(f, dir, 1);
}

static void on_close(void *flow, enum stream_close why, uint64_t ts)
{
	struct http_flow *f = flow;
	int orderly = why == STREAM_CLOSE_FIN || why == STREAM_CLOSE_EOF;

	for (int dir = 0; dir < 2; dir++) {
		struct http_dir *d = &f->d[dir];

		d->ts = ts;
		if (d->st != H_DEAD)
			dir_end(f, dir, orderly);
		httpobj_end(&d->obj, 0, OBJ_TRUNCATED, ts);
		free(d->buf);
		free(d->head);
		if (d->alt)
			budget_give(f->ctx->alt, (uint64_t)d->alt_len);
		free(d->alt);
	}
	for (unsigned i = 0; i < HTTP_PENDING; i++)
		httphead_req_free(&f->q[i]);
	httphead_req_free(&f->cur);
	free(f);
}

/* The source kept the first copy of overlapping TCP bytes that disagreed:
 * the object in progress carries ANOM_OVERLAP, or else the next object of
 * this direction (the bytes may start a body not begun yet). */
static void on_anomaly(void *flow, enum stream_dir dir, unsigned what,
		       uint64_t ts)
{
	struct http_dir *d = &((struct http_flow *)flow)->d[dir];

	(void)ts;
	if (!(what & STREAM_ANOM_OVERLAP))
		return;
	if (d->obj.open)
		d->obj.anomalies |= ANOM_OVERLAP;
	else
		d->anom |= ANOM_OVERLAP;
}

enum http_where http_flow_where(const void *flow, enum stream_dir dir)
{
	const struct http_flow *f = flow;

	switch (f->d[dir].st) {
	case H_HEAD:
	case H_PRELUDE:
		return HTTP_AT_HEAD;
	case H_RESYNC:
	case H_DEAD:
		return HTTP_LOST;
	default:
		return HTTP_IN_BODY;
	}
}

static const struct stream_ops http_ops = {
	.flow_open = flow_open,
	.data = on_data,
	.gap = on_gap,
	.end = on_end,
	.flow_close = on_close,
	.anomaly = on_anomaly,
};

const struct stream_ops *http_stream_ops(void)
{
	return &http_ops;
}
