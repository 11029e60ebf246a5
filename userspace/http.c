// SPDX-License-Identifier: GPL-2.0
/* HTTP/1.x message framing: the stream consumer between the reassembler and
 * the object consumers. Finds heads, matches responses to requests, and
 * frames bodies (Content-Length, chunked, close-delimited) into objects
 * (httpobj.c), reading ambiguous messages the way browsers do.
 *
 *   stream_ops data(C2S) --> requests  --> request bodies, form parts
 *   stream_ops data(S2C) --> responses --> response bodies, byterange parts
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpint.h"


void http_conf_default(struct http_conf *c)
{
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

static void req_free(struct http_req *r)
{
	free(r->method);
	free(r->host);
	free(r->uri);
	memset(r, 0, sizeof(*r));
}

/* Host of a request: the Host field, else an absolute URI's authority. */
static char *req_host(const struct http_head *h)
{
	const char *u = h->uri, *s;

	if (h->host[0])
		return strdup(h->host);
	s = strstr(u, "://");
	if (!s)
		return strdup("");
	s += 3;
	return strndup(s, strcspn(s, "/?#"));
}

static void req_push(struct http_flow *f, const struct http_head *h)
{
	struct http_req *r;

	if (f->qlen == HTTP_PENDING) {	/* oldest answer lost: forget it */
		req_free(&f->q[f->qhead]);
		f->qhead = (f->qhead + 1) % HTTP_PENDING;
		f->qlen--;
	}
	r = &f->q[(f->qhead + f->qlen++) % HTTP_PENDING];
	r->method = strdup(h->method);
	r->uri = strdup(h->uri);
	r->host = req_host(h);
}

static void req_pop(struct http_flow *f)
{
	req_free(&f->cur);
	if (!f->qlen)
		return;
	f->cur = f->q[f->qhead];
	memset(&f->q[f->qhead], 0, sizeof(f->q[0]));
	f->qhead = (f->qhead + 1) % HTTP_PENDING;
	f->qlen--;
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
			  d->seq, d->ts))
		d->discard = 1;
}

/* Where browsers frame a body differently (a Content-Length list,
 * Content-Length beside chunked), the first alt_len bytes of the
 * (de-chunked) body are kept; if that reading differs from the one
 * followed, it becomes an object of its own when the body ends. */
static void alt_add(struct http_dir *d, const uint8_t *p, size_t len)
{
	size_t want = (size_t)d->alt_len - d->nalt;

	if (!d->alt && !(d->alt = malloc(d->alt_len))) {
		d->alt_len = -1;
		return;
	}
	if (len > want)
		len = want;
	memcpy(d->alt + d->nalt, p, len);
	d->nalt += len;
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
			httpobj_wire(ob, d->alt, d->nalt);
			httpobj_end(ob, 1, 0, d->ts);
		}
		free(ob);
	}
	free(d->alt);
	d->alt = NULL;
	d->alt_len = -1;
	d->nalt = 0;
}

static void body(struct http_flow *f, enum stream_dir dir, const uint8_t *p,
		 size_t len)
{
	struct http_dir *d = &f->d[dir];

	if (!len)
		return;
	d->body_len += len;
	if (d->alt_len > 0 && d->nalt < (size_t)d->alt_len)
		alt_add(d, p, len);
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
	d->st = H_HEAD;
	d->n = 0;
	d->eoh = 0;
	d->discard = 0;
	d->probing = 0;
}

static void tunnel(struct http_flow *f)
{
	f->ctx->st.upgrades++;
	f->d[STREAM_C2S].st = H_DEAD;
	f->d[STREAM_S2C].st = H_DEAD;
}

/* Body framing of a message whose head is parsed (RFC 9112 6.3, with the
 * browsers' tolerance). Returns the state the body starts in, or H_HEAD
 * if there is no body. */
static enum hstate framing(struct http_flow *f, enum stream_dir dir)
{
	struct http_head *h = f->d[dir].head;
	enum decode_coding c[DECODE_MAX_LAYERS];
	int chunked, unknown, many;

	decode_parse_codings(h->transfer_encoding, c, DECODE_MAX_LAYERS,
				 &chunked, &unknown, &many);
	f->d[dir].body_len = 0;
	f->d[dir].alt_len = h->alt_length;
	if (chunked && h->content_length > 0)
		f->d[dir].alt_len = h->content_length;
	if (f->d[dir].alt_len > HTTP_ALT_MAX)
		f->d[dir].alt_len = -1;
	if (h->transfer_encoding[0] && h->content_length >= 0)
		h->anomalies |= ANOM_CL_AND_TE;	/* TE wins, CL ignored */
	if (chunked == 2 || unknown || many)
		h->anomalies |= ANOM_BAD_TE;
	if (chunked) {
		f->d[dir].probing = 1;
		f->d[dir].nprobe = 0;
		return H_CHUNK_SIZE;
	}
	/* TE without chunked: RFC 9112 reads until close, browsers use
	 * Content-Length; both agree when the server closes after it. */
	if (h->content_length > 0) {
		f->d[dir].remain = h->content_length;
		return H_CL;
	}
	if (h->content_length == 0 || dir == STREAM_C2S)
		return H_HEAD;
	return H_CLOSE;
}

static void response_head(struct http_flow *f, struct http_dir *d)
{
	struct http_head *h = d->head;
	const char *m;

	f->ctx->st.responses++;
	d->bodiless = 1;
	if (h->status >= 100 && h->status < 200 && (h->status != 101 || !h->upgrade)) {
		d->st = H_HEAD;	/* interim: the real response follows */
		return;
	}
	req_pop(f);
	m = f->cur.method ? f->cur.method : "";
	d->seq = d->finals++;
	if (h->status == 101 || (!strcasecmp(m, "CONNECT") && h->status / 100 == 2)) {
		tunnel(f);
		return;
	}
	if (!strcasecmp(m, "HEAD") || h->status == 204 || h->status == 304)
		d->st = H_HEAD;
	else
		d->st = framing(f, STREAM_S2C);
	d->bodiless = d->st == H_HEAD;
}

/* A complete head is in d->buf. */
static void head_done(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];

	d->messages++;
	if (httphdr_parse(d->buf, d->n, dir == STREAM_S2C, d->head)) {
		d->st = H_RESYNC;
		d->n = 0;
		return;
	}
	if (d->head->anomalies)
		f->ctx->st.anomalies++;
	d->n = 0;
	d->eoh = 0;
	d->discard = 0;
	if (dir == STREAM_S2C) {
		response_head(f, d);
	} else {
		f->ctx->st.requests++;
		req_push(f, d->head);
		d->seq = d->finals++;
		d->st = framing(f, STREAM_C2S);
		/* what a client sends after CONNECT is the tunnel, not HTTP
		 * (a refused CONNECT ends the connection) */
		if (!strcasecmp(d->head->method, "CONNECT"))
			d->st = H_DEAD;
	}
}

/* HTTP/0.9: a first response without a status line is all body. */
static void http09(struct http_flow *f, struct http_dir *d)
{
	if (!d->head && !(d->head = calloc(1, sizeof(*d->head)))) {
		d->st = H_DEAD;
		return;
	}
	memset(d->head, 0, sizeof(*d->head));
	d->head->response = 1;
	d->head->http09 = 1;
	d->head->status = 200;
	d->head->content_length = -1;
	d->messages++;
	d->seq = d->finals++;
	req_pop(f);
	d->st = H_CLOSE;
	body(f, STREAM_S2C, d->buf, d->n);
	d->n = 0;
}

/* The previous response was read without a body (1xx, 204, 304, HEAD)
 * but what follows is no status line: browsers that ignore those rules
 * read it as that response's body, and so does this parser (flagged). */
static void late_body(struct http_flow *f, struct http_dir *d)
{
	uint8_t tmp[8];
	size_t n = d->n;

	memcpy(tmp, d->buf, n);
	d->n = 0;
	d->bodiless = 0;
	d->head->anomalies |= ANOM_BAD_TE;
	d->st = framing(f, STREAM_S2C);
	if (d->st == H_HEAD)
		d->st = H_CLOSE;
	http_feed(f, STREAM_S2C, tmp, n);
}

/* A response head does not start with "HTTP/". */
static void not_status(struct http_flow *f, struct http_dir *d)
{
	if (!f->d[STREAM_C2S].messages && !f->d[STREAM_C2S].n) {
		d->st = H_DEAD;	/* no request: whatever this is, not HTTP */
		f->ctx->st.gave_up++;
	} else if (!d->messages && !(f->fi->flags & FLOW_MIDSTREAM)) {
		d->st = H_PRELUDE;
		d->line_start = 0;
	} else if (d->bodiless) {
		late_body(f, d);
	} else {
		d->st = H_RESYNC;
	}
}

/* Before the first response: Firefox skips junk lines before a status
 * line; if none comes within PRELUDE_MAX bytes it is HTTP/0.9. */
static size_t prelude_bytes(struct http_flow *f, const uint8_t *p, size_t len)
{
	struct http_dir *d = &f->d[STREAM_S2C];
	size_t i = 0;

	while (i < len && d->st == H_PRELUDE) {
		uint8_t c = p[i++];

		http_buf_add(d, c, PRELUDE_MAX);
		if (d->n - d->line_start == 5 &&
		    httphdr_is_status(d->buf + d->line_start, 5)) {
			memmove(d->buf, d->buf + d->line_start, 5);
			d->n = 5;
			d->eoh = 0;
			d->st = H_HEAD;
			d->head->anomalies |= ANOM_BARE_LF;
		} else if (c == '\n' || c == '\r') {
			d->line_start = d->n;
		}
		if (d->st == H_PRELUDE && d->n >= PRELUDE_MAX)
			http09(f, d);
	}
	return i;
}

/* End-of-head matcher, one byte at a time. A head ends at an empty line
 * ("\n\n", "\n\r\n", as Chromium finds it); after a bare-LF line, a
 * line of only CR, SP and HT also ends it (as Firefox, which trims lines,
 * reads servers that end lines with LF alone). Returns 1 at the end. */
static int eoh_step(struct http_dir *d, uint8_t c)
{
	enum { IN_LINE, AFTER_CRLF, AFTER_CRLF_CR, AFTER_LF, AFTER_LF_WS };
	unsigned s = d->eoh;

	if (c == '\n') {
		d->skip_blank = s == AFTER_LF_WS;
		if (s != IN_LINE)
			return 1;
		s = d->n >= 2 && d->buf[d->n - 2] == '\r' ? AFTER_CRLF : AFTER_LF;
	} else if (c == '\r') {
		s = s == AFTER_CRLF ? AFTER_CRLF_CR :
		    s >= AFTER_LF ? AFTER_LF_WS : IN_LINE;
	} else if (c == ' ' || c == '\t') {
		s = s >= AFTER_LF ? AFTER_LF_WS : IN_LINE;
	} else {
		s = IN_LINE;
	}
	d->eoh = s;
	return 0;
}

/* RFC 9110 tchar: what a method may be made of. */
static int tchar(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Checks the method of a request as it arrives, so that a stream that is
 * not HTTP (TLS on port 80, a binary protocol) is dropped at its first
 * bytes instead of being buffered as a head. Returns 0 if it was. */
static int request_byte(struct http_flow *f, struct http_dir *d, uint8_t c)
{
	if ((d->n && memchr(d->buf, ' ', d->n)) || (d->n && c == ' ') || tchar(c))
		return 1;
	if (d->messages) {
		d->st = H_RESYNC;
		d->n = 0;
	} else {
		f->ctx->st.gave_up++;
		d->st = H_DEAD;
	}
	return 0;
}

/* Head bytes, one at a time up to the end of the head. Returns bytes used. */
static size_t head_bytes(struct http_flow *f, enum stream_dir dir,
			 const uint8_t *p, size_t len)
{
	struct http_dir *d = &f->d[dir];
	size_t i = 0;

	while (i < len && d->st == H_HEAD) {
		uint8_t c = p[i++];

		if (!d->n && (c == '\r' || c == '\n' || c == ' ' || c == '\t'))
			continue;	/* blank lines between messages */
		if (!d->head && !(d->head = calloc(1, sizeof(*d->head)))) {
			d->st = H_DEAD;
			break;
		}
		if (dir == STREAM_C2S && !request_byte(f, d, c))
			break;
		if (http_buf_add(d, c, f->ctx->conf.max_header)) {
			f->ctx->st.gave_up++;
			d->head->anomalies |= ANOM_HDR_TOO_BIG;
			d->st = H_DEAD;
			break;
		}
		if (dir == STREAM_S2C && d->n <= 5 &&
		    !httphdr_is_status(d->buf, d->n)) {
			not_status(f, d);
			break;
		}
		if (eoh_step(d, c))
			head_done(f, dir);
	}
	return i;
}

/* Does the line in d->buf start a message? Responses: "HTTP/"; requests:
 * "TOKEN SP target SP HTTP/". */
static int start_line(const struct http_dir *d, enum stream_dir dir)
{
	const uint8_t *b = d->buf, *sp;
	size_t i = 0;

	if (dir == STREAM_S2C)
		return d->n >= 5 && httphdr_is_status(b, 5);
	while (i < d->n && b[i] >= 'A' && b[i] <= 'Z')
		i++;
	if (!i || i == d->n || b[i] != ' ')
		return 0;
	sp = memmem(b + i + 1, d->n - i - 1, " HTTP/1.", 8);
	return sp != NULL;
}

/* Lost in the stream (gap, garbage): skip lines until a start line. */
static size_t resync_bytes(struct http_flow *f, enum stream_dir dir,
			   const uint8_t *p, size_t len)
{
	struct http_dir *d = &f->d[dir];
	size_t i = 0;

	while (i < len && d->st == H_RESYNC) {
		uint8_t c = p[i++];

		if (c != '\n') {
			if (http_buf_add(d, c, RESYNC_LINE))
				d->n = 0;
			continue;
		}
		if (start_line(d, dir)) {
			d->st = H_HEAD;
			http_buf_add(d, c, RESYNC_LINE);
			d->eoh = 1;
			continue;
		}
		d->n = 0;
	}
	return i;
}

static size_t body_bytes(struct http_flow *f, enum stream_dir dir,
			 const uint8_t *p, size_t len)
{
	struct http_dir *d = &f->d[dir];
	size_t k = len;

	if (d->st != H_CLOSE && k > d->remain)
		k = d->remain;
	body(f, dir, p, k);
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

void http_feed(struct http_flow *f, enum stream_dir dir, const uint8_t *p,
		 size_t len)
{
	struct http_dir *d = &f->d[dir];

	while (len) {
		size_t k = len;

		if (d->skip_blank && d->st != H_HEAD) {
			if (d->skip_blank == 1 && *p == '\r') {
				d->skip_blank = 2;
				p++, len--;
				continue;
			}
			d->skip_blank = 0;
			if (*p == '\n') {
				p++, len--;
				continue;
			}
		}
		k = len;
		switch (d->st) {
		case H_HEAD:
			k = head_bytes(f, dir, p, len);
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
			k = resync_bytes(f, dir, p, len);
			break;
		case H_PRELUDE:
			k = prelude_bytes(f, p, len);
			break;
		case H_DEAD:
			break;
		}
		p += k;
		len -= k;
	}
}

static void *flow_open(void *ctx, const struct flow_info *fi)
{
	struct http_ctx *c = ctx;
	struct http_flow *f;

	if (fi->proto != 6)	/* IPPROTO_TCP */
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
		http09(f, d);
	if (d->probing && (d->st == H_CHUNK_SIZE || d->st == H_CHUNK_LF))
		httpchunk_fallback(f, dir);
	if (d->st == H_CHUNK_SIZE && d->n)
		httpchunk_line(f, dir);	/* "0" and then the close */
	switch (d->st) {
	case H_CLOSE:
		http_obj_finish(f, dir, orderly, orderly ? 0 : OBJ_TRUNCATED);
		break;
	case H_HEAD:
		if (dir == STREAM_S2C && d->n && !d->messages &&
		    f->d[STREAM_C2S].messages &&
		    !httphdr_is_status(d->buf, d->n) &&
		    !(f->fi->flags & FLOW_MIDSTREAM))
			http09(f, d);	/* a tiny HTTP/0.9 response */
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
		free(d->alt);
	}
	for (unsigned i = 0; i < HTTP_PENDING; i++)
		req_free(&f->q[i]);
	req_free(&f->cur);
	free(f);
}

static const struct stream_ops http_ops = {
	.flow_open = flow_open,
	.data = on_data,
	.gap = on_gap,
	.end = on_end,
	.flow_close = on_close,
};

const struct stream_ops *http_stream_ops(void)
{
	return &http_ops;
}
