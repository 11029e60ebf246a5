// SPDX-License-Identifier: GPL-2.0
/* Message heads for the HTTP parser, under http.c: finds where a head
 * starts and ends (junk, HTTP/0.9, resynchronisation) and says what it
 * found (enum head_ev); parses a complete head, matches responses to
 * requests, and chooses the body framing. Never calls back into http.c. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpint.h"

/* ---- pending requests ---------------------------------------------------- */

void httphead_reqs_free(struct http_flow *f)
{
	struct http_req *r, *next;

	for (r = f->qhead; r; r = next) {
		next = r->next;
		free(r);
	}
	f->qhead = f->qtail = NULL;
	f->qlen = 0;
	free(f->cur);
	f->cur = NULL;
}

/* Host of a request: the Host field, else an absolute URI's authority. */
static size_t req_host(const struct http_head *h, const char **host)
{
	const char *s = strstr(h->uri, "://");

	*host = h->host;
	if (h->host[0])
		return strlen(h->host);
	if (!s)
		return 0;
	*host = s + 3;
	return strcspn(s + 3, "/?#");
}

/* Queues the request of head h. Without memory it is not queued (its
 * response then takes the next request's metadata). */
static void req_push(struct http_flow *f, const struct http_head *h)
{
	const char *host;
	size_t lh = req_host(h, &host), lm = strlen(h->method), lu = strlen(h->uri);
	struct http_req *r = malloc(sizeof(*r) + lm + lh + lu + 3);
	char *s;

	if (!r)
		return;
	if (f->qlen == HTTP_PENDING) {	/* oldest answer lost: forget it */
		struct http_req *old = f->qhead;

		f->qhead = old->next;
		f->qlen--;
		free(old);
	}
	r->next = NULL;
	r->method = s = r->s;
	s = (char *)memcpy(s, h->method, lm) + lm;
	*s++ = '\0';
	r->host = s;
	s = (char *)memcpy(s, host, lh) + lh;
	*s++ = '\0';
	r->uri = s;
	memcpy(s, h->uri, lu + 1);
	if (f->qtail)
		f->qtail->next = r;
	else
		f->qhead = r;
	f->qtail = r;
	f->qlen++;
}

static void req_pop(struct http_flow *f)
{
	free(f->cur);
	f->cur = f->qhead;
	if (!f->cur)
		return;
	f->qhead = f->cur->next;
	if (!f->qhead)
		f->qtail = NULL;
	f->cur->next = NULL;
	f->qlen--;
}

/* ---- framing ------------------------------------------------------------- */

static void tunnel(struct http_flow *f)
{
	f->ctx->st.upgrades++;
	f->d[STREAM_C2S].st = H_DEAD;
	f->d[STREAM_S2C].st = H_DEAD;
}

/* Body framing of a message whose head is parsed (RFC 9112 6.3, with the
 * browsers' tolerance). Returns the state the body starts in, or H_HEAD
 * if there is no body. */
static enum hstate framing(struct http_inflight *m, enum stream_dir dir)
{
	struct http_head *h = &m->head;
	enum decode_coding c[DECODE_MAX_LAYERS];
	int chunked, unknown, many;

	decode_parse_codings(h->transfer_encoding, c, DECODE_MAX_LAYERS,
				 &chunked, &unknown, &many);
	m->body_len = 0;
	if (h->transfer_encoding[0] && h->content_length >= 0)
		h->anomalies |= ANOM_CL_AND_TE;	/* TE wins, CL ignored */
	if (chunked == 2 || unknown || many)
		h->anomalies |= ANOM_BAD_TE;
	/* Chromium ignores chunked in HTTP/1.0 messages and unless a list
	 * member is "chunked" (not "xchunked", ";chunked") */
	if (chunked && (!httphdr_plain_chunked(h->transfer_encoding) ||
			h->major < 1 || (h->major == 1 && h->minor == 0)))
		h->doubt |= HD_TE_RAW;
	if (chunked) {
		m->probing = 1;
		m->nprobe = 0;
		return H_CHUNK_SIZE;
	}
	/* TE without chunked: RFC 9112 reads until close, browsers use
	 * Content-Length; both agree when the server closes after it. */
	if (h->content_length > 0) {
		m->remain = h->content_length;
		return H_CL;
	}
	if (h->content_length == 0 || dir == STREAM_C2S)
		return H_HEAD;
	return H_CLOSE;
}

static void response_head(struct http_flow *f, struct http_dir *d)
{
	struct http_head *h = &d->m->head;
	const char *m;

	f->ctx->st.responses++;
	d->bodiless = 1;
	if (h->status >= 100 && h->status < 200 && (h->status != 101 || !h->upgrade)) {
		d->st = H_HEAD;	/* interim: the real response follows */
		return;
	}
	req_pop(f);
	m = f->cur ? f->cur->method : "";
	d->seq = d->finals++;
	if (h->status == 101 || (!strcasecmp(m, "CONNECT") && h->status / 100 == 2)) {
		tunnel(f);
		return;
	}
	if (!strcasecmp(m, "HEAD") || h->status == 204 || h->status == 304) {
		d->st = H_HEAD;
	} else {
		d->st = framing(d->m, STREAM_S2C);
		httpalt_head(f, STREAM_S2C);
	}
	d->bodiless = d->st == H_HEAD;
}

/* A response read without a body keeps its head bytes: what follows may
 * be its body after all (httphead_late_body). */
static void keep_prev(struct http_dir *d)
{
	free(d->prev);
	d->prev = NULL;
	d->nprev = 0;
	if (!d->bodiless || d->st != H_HEAD)
		return;
	d->prev = d->buf;
	d->nprev = d->n;
	d->buf = NULL;
	d->cap = 0;
}

int httphead_done(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	struct http_head *h = &d->m->head;

	d->messages++;
	if (httphdr_parse(d->buf, d->n, dir == STREAM_S2C, h)) {
		d->st = H_RESYNC;
		d->n = 0;
		return -EINVAL;
	}
	if (h->anomalies)
		f->ctx->st.anomalies++;
	d->eoh = 0;
	if (dir == STREAM_S2C) {
		response_head(f, d);
		keep_prev(d);
	} else {
		f->ctx->st.requests++;
		req_push(f, h);
		d->seq = d->finals++;
		d->st = framing(d->m, STREAM_C2S);
		httpalt_head(f, STREAM_C2S);
		/* what a client sends after CONNECT is the tunnel, not HTTP
		 * (a refused CONNECT ends the connection) */
		if (!strcasecmp(h->method, "CONNECT"))
			d->st = H_DEAD;
	}
	d->n = 0;
	return 0;
}

void httphead_http09(struct http_flow *f)
{
	struct http_dir *d = &f->d[STREAM_S2C];
	struct http_head *h = &d->m->head;

	memset(h, 0, sizeof(*h));
	h->response = 1;
	h->http09 = 1;
	h->status = 200;
	h->content_length = -1;
	d->messages++;
	d->seq = d->finals++;
	req_pop(f);
	d->st = H_CLOSE;
}

void httphead_late_body(struct http_flow *f)
{
	struct http_dir *d = &f->d[STREAM_S2C];
	struct http_head *h = &d->m->head;

	/* parsed once already, so it parses again */
	httphdr_parse(d->prev, d->nprev, 1, h);
	d->bodiless = 0;
	keep_prev(d);
	h->anomalies |= ANOM_BAD_TE;
	d->st = framing(d->m, STREAM_S2C);
	if (d->st == H_HEAD)
		d->st = H_CLOSE;
}

/* ---- finding heads --------------------------------------------------------- */

/* A response head does not start with "HTTP/". Returns what the caller
 * must do. */
static enum head_ev not_status(struct http_flow *f, struct http_dir *d)
{
	if (!f->d[STREAM_C2S].messages && !f->d[STREAM_C2S].n) {
		d->st = H_DEAD;	/* no request: whatever this is, not HTTP */
		f->ctx->st.gave_up++;
	} else if (!d->messages && !(f->fi->flags & FLOW_MIDSTREAM)) {
		d->st = H_PRELUDE;
	} else if (d->bodiless) {
		/* the previous response was read without a body (1xx, 204,
		 * 304, HEAD) but no status line follows: browsers that ignore
		 * those rules read it as that response's body, and so does
		 * this parser (flagged) */
		return HEAD_LATE_BODY;
	} else {
		d->st = H_RESYNC;
	}
	return HEAD_MORE;
}

/* Before the first response: junk before a status line is skipped (as
 * Firefox; Chromium looks 4 bytes into it, and reads HTTP/0.9 when the
 * status line starts further in: that reading too); with no status line
 * within PRELUDE_MAX bytes it is HTTP/0.9. */
size_t httphead_prelude(struct http_flow *f, const uint8_t *p, size_t len,
			enum head_ev *ev)
{
	struct http_dir *d = &f->d[STREAM_S2C];
	size_t i = 0;

	*ev = HEAD_MORE;
	while (i < len && d->st == H_PRELUDE) {
		uint8_t c = p[i++];

		http_buf_put(d, &c, 1, PRELUDE_MAX);
		if (d->n >= 5 && httphdr_is_status(d->buf + d->n - 5, 5)) {
			if (d->head_start + d->n > 9)	/* past Chromium's 4 */
				httpalt_http09(f);
			d->head_start = d->pos + i - 5;
			memmove(d->buf, d->buf + d->n - 5, 5);
			d->n = 5;
			d->eoh = 0;
			d->st = H_HEAD;
		}
		if (d->st == H_PRELUDE && d->n >= PRELUDE_MAX) {
			*ev = HEAD_HTTP09;
			break;
		}
	}
	return i;
}

enum { IN_LINE, AFTER_CRLF, AFTER_CRLF_CR, AFTER_LF, AFTER_LF_WS };

/* End-of-head matcher, one byte at a time (c is already in d->buf). A head
 * ends at an empty line ("\n\n", "\n\r\n", as Chromium finds it); after a
 * bare-LF line, a line of only CR, SP and HT also ends it (as Firefox,
 * which trims lines, reads servers that end lines with LF alone). Returns
 * 1 at the end. Inside a line only LF changes the state. */
static int eoh_step(struct http_dir *d, uint8_t c)
{
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

static void too_big(struct http_flow *f, struct http_dir *d)
{
	f->ctx->st.gave_up++;	/* no object follows to carry a flag */
	d->st = H_DEAD;
}

/* Inside a line of a head whose first bytes are checked (a request's
 * method is whole, a response starts with "HTTP/"), everything up to the
 * next LF is only kept: the matcher stays IN_LINE. Returns bytes used. */
static size_t head_run(struct http_flow *f, enum stream_dir dir,
		       const uint8_t *p, size_t len)
{
	struct http_dir *d = &f->d[dir];
	const uint8_t *lf;
	size_t k;

	if (d->eoh != IN_LINE || !d->n || *p == '\n' ||
	    (dir == STREAM_S2C ? d->n < 5 : !memchr(d->buf, ' ', d->n)))
		return 0;
	lf = memchr(p, '\n', len);
	k = lf ? (size_t)(lf - p) : len;
	if (http_buf_put(d, p, k, f->ctx->conf.max_header))
		too_big(f, d);
	return k;
}

size_t httphead_bytes(struct http_flow *f, enum stream_dir dir,
		      const uint8_t *p, size_t len, enum head_ev *ev)
{
	struct http_dir *d = &f->d[dir];
	size_t i = 0, k;

	*ev = HEAD_MORE;
	while (i < len && d->st == H_HEAD) {
		uint8_t c;

		if ((k = head_run(f, dir, p + i, len - i))) {
			i += k;
			continue;
		}
		c = p[i++];
		if (!d->n && (c == '\r' || c == '\n' || c == ' ' || c == '\t' || !c) &&
		    (d->messages || dir == STREAM_C2S))
			continue;	/* blank lines, NULs between messages */
		if (!d->n)
			d->head_start = d->pos + i - 1;
		if (dir == STREAM_C2S && !request_byte(f, d, c))
			break;
		if (http_buf_put(d, &c, 1, f->ctx->conf.max_header)) {
			too_big(f, d);
			break;
		}
		if (dir == STREAM_S2C && d->n <= 5 &&
		    !httphdr_is_status(d->buf, d->n)) {
			*ev = not_status(f, d);
			break;
		}
		if (eoh_step(d, c)) {
			*ev = HEAD_DONE;
			break;
		}
	}
	return i;
}

/* Drops the bytes before a status line inside the line in d->buf (junk
 * and NULs before it, which browsers skip). Returns 0 if there is none. */
static int status_in_line(struct http_dir *d)
{
	for (size_t j = 0; j + 5 <= d->n; j++) {
		if (!httphdr_is_status(d->buf + j, 5))
			continue;
		memmove(d->buf, d->buf + j, d->n - j);
		d->n -= j;
		return 1;
	}
	return 0;
}

/* Does the line in d->buf start a message? Responses: "HTTP/", past any
 * junk before it (dropped); requests:
 * "METHOD SP target SP HTTP/1." with a registered method, so that the
 * tail of a request line cut by a gap or a mid-stream start ("T /x
 * HTTP/1.1" of "GET /x") is not taken for one. */
static int start_line(struct http_dir *d, enum stream_dir dir)
{
	static const char *const methods[] = {
		"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
		"TRACE", "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY",
		"MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH",
	};
	const uint8_t *b = d->buf;
	size_t i = 0;

	if (dir == STREAM_S2C)
		return status_in_line(d);
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
		const uint8_t *lf = memchr(p + i, '\n', len - i);
		size_t k = lf ? (size_t)(lf - (p + i)) : len - i;

		http_buf_keep(d, p + i, k, RESYNC_LINE);
		i += k;
		if (!lf)
			break;
		i++;
		if (start_line(d, dir)) {
			/* the line is the last d->n bytes before its LF */
			d->head_start = d->pos + (uint64_t)(lf - p) - d->n;
			d->st = H_HEAD;
			http_buf_put(d, lf, 1, RESYNC_LINE);
			d->eoh = AFTER_CRLF;
			continue;
		}
		d->n = 0;
	}
	return i;
}
