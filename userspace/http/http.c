// SPDX-License-Identifier: GPL-2.0
/* HTTP/1.x message framing, the parser's entry: the stream consumer between
 * the reassembler and the object consumers. Runs each direction's state
 * machine over heads (httphead.c) and chunked framing (httpchunk.c), which
 * say what they found, and over Content-Length and close-delimited bodies,
 * gaps and ends; hands bodies to objects (httpobj.c, the exit), reading
 * ambiguous messages the way browsers do. A flow costs a few hundred
 * bytes: a message's state is allocated when its head is complete and
 * freed when it ends, a direction's line buffer when it empties.
 *
 *   stream_ops data(C2S) --> requests  --> request bodies, form parts
 *   stream_ops data(S2C) --> responses --> response bodies, byterange parts
 */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
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
	if (ctx)
		free(ctx->spare);
	free(ctx);
}

void http_ctx_stats(const struct http_ctx *ctx, struct http_stats *st)
{
	*st = ctx->st;
}

/* ---- messages ------------------------------------------------------------ */

static void msg_free(struct http_flow *f, enum stream_dir dir);

/* Begins the body object lazily: at the first body byte or gap. */
static void obj_ensure(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	struct http_inflight *m = d->m;
	unsigned want = dir == STREAM_C2S ? HTTP_EMIT_REQUESTS : HTTP_EMIT_RESPONSES;

	if (!m || m->obj.open || m->discard)
		return;
	if (!(f->ctx->conf.emit & want) ||
	    httpobj_begin(f->ctx, &m->obj, f->fi,
			  dir == STREAM_C2S ? OBJ_REQUEST_BODY : OBJ_RESPONSE_BODY,
			  &m->head, dir == STREAM_C2S ? NULL : f->cur,
			  d->seq, d->ts)) {
		m->discard = 1;
		return;
	}
	m->obj.pos = &d->pos;
	m->obj.anomalies |= d->anom;
	d->anom = 0;
}

/* Body bytes of the current message of dir, to its object. */
static void body(struct http_flow *f, enum stream_dir dir, const uint8_t *p,
		 size_t len)
{
	struct http_dir *d = &f->d[dir];
	struct http_inflight *m = d->m;

	if (!len || !m)
		return;
	m->body_len += len;
	obj_ensure(f, dir);
	if (!m->discard)
		httpobj_wire(&m->obj, p, len);
	if (d->alts)
		httpread_body(f, dir, p, len);
}

/* Ends the object of the message in flight, if any (complete: every byte
 * was seen; flags: OBJ_GAP, OBJ_TRUNCATED ...); the rest of its body is
 * skipped. */
static void obj_finish(struct http_flow *f, enum stream_dir dir, int complete,
		       unsigned flags)
{
	struct http_dir *d = &f->d[dir];

	if (!d->m)
		return;
	if (flags & OBJ_GAP)
		obj_ensure(f, dir);
	httpobj_end(&d->m->obj, complete, flags, d->ts);
	d->m->discard = 1;
	if (d->alts)
		httpread_primary_end(f, dir, d->m->body_len);
}

/* The message ended where its framing said: the next head follows. */
static void msg_done(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];

	obj_finish(f, dir, 1, 0);
	http_msg_report_done(f, dir);
	msg_free(f, dir);
	d->st = H_HEAD;
	d->n = 0;
	d->eoh = 0;
}

static int msg_new(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	struct http_inflight *m;

	msg_free(f, dir);
	m = f->ctx->spare ? f->ctx->spare : malloc(sizeof(*m));
	f->ctx->spare = NULL;
	if (!m) {
		d->st = H_DEAD;
		return -ENOMEM;
	}
	memset(m, 0, offsetof(struct http_inflight, head));
	d->m = m;
	return 0;
}

/* Frees the message in flight (one is kept for the next message of the
 * context); an object still open ends truncated. */
static void msg_free(struct http_flow *f, enum stream_dir dir)
{
	struct http_ctx *ctx = f->ctx;
	struct http_dir *d = &f->d[dir];

	if (!d->m)
		return;
	httpobj_end(&d->m->obj, 0, OBJ_TRUNCATED, d->ts);
	if (d->alts)
		httpread_primary_end(f, dir, d->m->body_len);
	if (ctx->spare)
		free(d->m);
	else
		ctx->spare = d->m;
	d->m = NULL;
}

/* ---- what the head and chunk readers found ---------------------------------- */

static void feed(struct http_flow *f, enum stream_dir dir, const uint8_t *p,
		 size_t len);

/* HTTP/0.9: a first response without a status line is all body. */
static void http09(struct http_flow *f)
{
	struct http_dir *d = &f->d[STREAM_S2C];

	if (msg_new(f, STREAM_S2C))
		return;
	httphead_http09(f);
	d->m->head.head_off = d->pos - d->n;	/* the buffered bytes start it */
	d->m->head.body_off = d->m->head.head_off;
	body(f, STREAM_S2C, d->buf, d->n);
	d->n = 0;
}

static void head_event(struct http_flow *f, enum stream_dir dir,
		       enum head_ev ev)
{
	struct http_dir *d = &f->d[dir];
	uint8_t tmp[8];
	size_t n = d->n;

	switch (ev) {
	case HEAD_DONE:
		if (msg_new(f, dir))
			return;
		if (!httphead_done(f, dir)) {
			d->m->head.head_off = d->head_start;
			d->m->head.body_off = d->pos;
			http_msg_head(f, dir);
		}
		if (d->st == H_HEAD || d->st == H_DEAD || d->st == H_RESYNC)
			msg_free(f, dir);	/* no body */
		break;
	case HEAD_LATE_BODY:	/* d->buf holds at most 5 bytes */
		memcpy(tmp, d->buf, n);
		d->n = 0;
		if (msg_new(f, dir))
			return;
		httphead_late_body(f);
		d->pos -= n;	/* read again */
		feed(f, STREAM_S2C, tmp, n);
		break;
	case HEAD_HTTP09:
		http09(f);
		break;
	case HEAD_MORE:
		break;
	}
}

/* The first chunk-size line was not one: the sender did not chunk after
 * all (Firefox ignores Transfer-Encoding in places where Chromium does
 * not). Re-read the bytes as a Content-Length or close-delimited body. */
static void chunk_fallback(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	struct http_inflight *m = d->m;
	uint8_t tmp[sizeof(m->probe)];
	size_t n = m->nprobe;

	memcpy(tmp, m->probe, n);
	d->pos -= n;	/* the probed bytes are read again */
	m->probing = 0;
	m->nprobe = 0;
	d->n = 0;
	m->head.anomalies |= ANOM_BAD_CHUNK;
	if (m->head.content_length > 0) {
		m->remain = m->head.content_length;
		d->st = H_CL;
	} else if (m->head.content_length == 0 || dir == STREAM_C2S) {
		msg_done(f, dir);
	} else {
		d->st = H_CLOSE;
	}
	if (d->m && d->m->head.reading)	/* the primary reads otherwise now */
		d->m->head.reading = d->st == H_CL ? "length" : "close";
	feed(f, dir, tmp, n);
}

static void chunk_event(struct http_flow *f, enum stream_dir dir,
			enum chunk_ev ev)
{
	struct http_dir *d = &f->d[dir];

	if (d->m && d->m->bare_cr && !d->m->lf_tried)
		httpalt_lf_chunks(f, dir);
	switch (ev) {
	case CHUNK_LAST:
		obj_finish(f, dir, 1, 0);
		break;
	case CHUNK_END:
		msg_done(f, dir);
		break;
	case CHUNK_BAD:
		if (d->m->probing) {
			chunk_fallback(f, dir);
			break;
		}
		d->m->obj.anomalies |= ANOM_BAD_CHUNK;
		obj_finish(f, dir, 0, OBJ_TRUNCATED | OBJ_DECODE_ERR);
		d->st = H_RESYNC;
		d->n = 0;
		msg_free(f, dir);
		break;
	case CHUNK_MORE:
		break;
	}
}

/* ---- bytes ------------------------------------------------------------------- */

static size_t body_bytes(struct http_flow *f, enum stream_dir dir,
			 const uint8_t *p, size_t len)
{
	struct http_dir *d = &f->d[dir];
	size_t k = len;

	if (d->st != H_CLOSE && k > d->m->remain)
		k = d->m->remain;
	d->pos += k;
	body(f, dir, p, k);
	if (d->st == H_CLOSE)
		return k;
	d->m->remain -= k;
	if (d->m->remain)
		return k;
	if (d->st == H_CL)
		msg_done(f, dir);
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

/* Runs dir's state machine over p[0..len): each reader returns how many
 * bytes it used and what it found; bodies go out whole. */
static void feed(struct http_flow *f, enum stream_dir dir, const uint8_t *p,
		 size_t len)
{
	struct http_dir *d = &f->d[dir];
	uint64_t at = d->pos;	/* the readers see pos at their first byte */
	enum head_ev hev;
	enum chunk_ev cev;

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
			k = httphead_bytes(f, dir, p, len, &hev);
			d->pos = at + k;
			head_event(f, dir, hev);
			break;
		case H_CL:
		case H_CHUNK_DATA:
		case H_CLOSE:
			k = body_bytes(f, dir, p, len);
			break;
		case H_CHUNK_SIZE:
		case H_CHUNK_LF:
		case H_TRAILER:
			k = httpchunk_bytes(f, dir, p, len, &cev);
			d->pos = at + k;
			chunk_event(f, dir, cev);
			break;
		case H_RESYNC:
			k = httphead_resync(f, dir, p, len);
			break;
		case H_PRELUDE:
			k = httphead_prelude(f, p, len, &hev);
			d->pos = at + k;
			head_event(f, dir, hev);
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

/* ---- the stream consumer ------------------------------------------------------ */

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
	struct http_dir *d = &f->d[dir];
	uint64_t at = d->pos;

	d->ts = ts;
	feed(f, dir, p, len);
	if (d->alts)
		httpread_data(f, dir, at, p, len);
	if (!d->n && d->buf) {	/* idle flows hold no buffer */
		free(d->buf);
		d->buf = NULL;
		d->cap = 0;
	}
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
	if (d->alts)
		httpread_gap(f, dir);
	switch (d->st) {
	case H_CL:
	case H_CHUNK_DATA:
		obj_finish(f, dir, 0, OBJ_GAP | OBJ_TRUNCATED);
		if (len && len < d->m->remain) {
			d->m->remain -= len;
			return;
		}
		if (len && len == d->m->remain) {
			d->m->remain = 0;
			if (d->st == H_CL)
				msg_done(f, dir);
			else
				d->st = H_CHUNK_SIZE;
			return;
		}
		break;
	case H_CLOSE:
		obj_finish(f, dir, 0, OBJ_GAP | OBJ_TRUNCATED);
		return;
	case H_CHUNK_SIZE:
	case H_CHUNK_LF:
		obj_finish(f, dir, 0, OBJ_GAP | OBJ_TRUNCATED);
		break;
	case H_DEAD:
		return;
	default:
		break;
	}
	d->st = H_RESYNC;
	d->n = 0;
	msg_free(f, dir);
}

/* The direction ended (FIN or close). orderly: FIN or end of input. */
static void dir_end(struct http_flow *f, enum stream_dir dir, int orderly)
{
	struct http_dir *d = &f->d[dir];

	if (d->st == H_PRELUDE)
		http09(f);
	if (d->m && d->m->probing && (d->st == H_CHUNK_SIZE || d->st == H_CHUNK_LF))
		chunk_fallback(f, dir);
	if (d->st == H_CHUNK_SIZE && d->n)
		chunk_event(f, dir, httpchunk_line(f, dir)); /* "0", then the close */
	switch (d->st) {
	case H_CLOSE:
		obj_finish(f, dir, orderly, orderly ? 0 : OBJ_TRUNCATED);
		if (orderly)
			http_msg_report_done(f, dir);
		break;
	case H_HEAD:
		if (dir == STREAM_S2C && d->n && !d->messages &&
		    f->d[STREAM_C2S].messages &&
		    !httphdr_is_status(d->buf, d->n) &&
		    !(f->fi->flags & FLOW_MIDSTREAM))
			http09(f);	/* a tiny HTTP/0.9 response */
		obj_finish(f, dir, orderly, orderly ? 0 : OBJ_TRUNCATED);
		break;
	case H_TRAILER:
		break;	/* body complete, trailers cut: fine */
	default:
		obj_finish(f, dir, 0, OBJ_TRUNCATED);
		break;
	}
	d->st = H_DEAD;
	msg_free(f, dir);
	if (d->alts)
		httpread_end(f, dir, orderly);
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
		msg_free(f, dir);
		httpread_end(f, dir, orderly);
		httpread_free(f, dir);
		free(d->buf);
		free(d->prev);
	}
	httphead_reqs_free(f);
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
	if (d->m && d->m->obj.open)
		d->m->obj.anomalies |= ANOM_OVERLAP;
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
