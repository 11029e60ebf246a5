// SPDX-License-Identifier: GPL-2.0
/* Message heads for the HTTP parser (http.c): finding where a head starts
 * and ends (junk, HTTP/0.9, resynchronisation), parsing it, matching
 * responses to requests, and choosing the body framing. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpint.h"

void httphead_req_free(struct http_req *r)
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
		httphead_req_free(&f->q[f->qhead]);
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
	httphead_req_free(&f->cur);
	if (!f->qlen)
		return;
	f->cur = f->q[f->qhead];
	memset(&f->q[f->qhead], 0, sizeof(f->q[0]));
	f->qhead = (f->qhead + 1) % HTTP_PENDING;
	f->qlen--;
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
	d->head->head_off = d->head_start;
	d->head->body_off = d->pos;
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
	http_msg_head(f, dir);
}

/* HTTP/0.9: a first response without a status line is all body. */
void httphead_http09(struct http_flow *f, struct http_dir *d)
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
	d->head->head_off = d->pos - d->n;	/* the buffered bytes start it */
	d->head->body_off = d->head->head_off;
	d->messages++;
	d->seq = d->finals++;
	req_pop(f);
	d->st = H_CLOSE;
	http_body(f, STREAM_S2C, d->buf, d->n);
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
	d->pos -= n;	/* read again */
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
size_t httphead_prelude(struct http_flow *f, const uint8_t *p, size_t len)
{
	struct http_dir *d = &f->d[STREAM_S2C];
	size_t i = 0;

	while (i < len && d->st == H_PRELUDE) {
		uint8_t c = p[i++];

		d->pos++;
		http_buf_add(d, c, PRELUDE_MAX);
		if (d->n - d->line_start == 5 &&
		    httphdr_is_status(d->buf + d->line_start, 5)) {
			d->head_start = d->pos - 5;
			memmove(d->buf, d->buf + d->line_start, 5);
			d->n = 5;
			d->eoh = 0;
			d->st = H_HEAD;
			d->head->anomalies |= ANOM_BARE_LF;
		} else if (c == '\n' || c == '\r') {
			d->line_start = d->n;
		}
		if (d->st == H_PRELUDE && d->n >= PRELUDE_MAX)
			httphead_http09(f, d);
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
size_t httphead_bytes(struct http_flow *f, enum stream_dir dir,
			 const uint8_t *p, size_t len)
{
	struct http_dir *d = &f->d[dir];
	size_t i = 0;

	while (i < len && d->st == H_HEAD) {
		uint8_t c = p[i++];

		d->pos++;
		if (!d->n && (c == '\r' || c == '\n' || c == ' ' || c == '\t'))
			continue;	/* blank lines between messages */
		if (!d->n)
			d->head_start = d->pos - 1;
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
 * "METHOD SP target SP HTTP/1." with a registered method, so that the
 * tail of a request line cut by a gap or a mid-stream start ("T /x
 * HTTP/1.1" of "GET /x") is not taken for one. */
static int start_line(const struct http_dir *d, enum stream_dir dir)
{
	static const char *const methods[] = {
		"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
		"TRACE", "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY",
		"MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH",
	};
	const uint8_t *b = d->buf;
	size_t i = 0;

	if (dir == STREAM_S2C)
		return d->n >= 5 && httphdr_is_status(b, 5);
	while (i < d->n && b[i] >= 'A' && b[i] <= 'Z')
		i++;
	if (!i || i == d->n || b[i] != ' ' ||
	    !memmem(b + i + 1, d->n - i - 1, " HTTP/1.", 8))
		return 0;
	for (unsigned m = 0; m < sizeof(methods) / sizeof(methods[0]); m++)
		if (strlen(methods[m]) == i && !memcmp(b, methods[m], i))
			return 1;
	return 0;
}

/* Lost in the stream (gap, garbage): skip lines until a start line. */
size_t httphead_resync(struct http_flow *f, enum stream_dir dir,
			   const uint8_t *p, size_t len)
{
	struct http_dir *d = &f->d[dir];
	size_t i = 0;

	while (i < len && d->st == H_RESYNC) {
		uint8_t c = p[i++];

		d->pos++;
		if (!d->n)
			d->head_start = d->pos - 1;
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
