// SPDX-License-Identifier: GPL-2.0
/* ICAP message framing (RFC 3507 4.4-4.5): the head, the encapsulated
 * header blocks (their length is the body's Encapsulated offset), then
 * the chunked body: a preview that ends in "0" (more to come after 100
 * Continue) or "0; ieof" (that was all), then the rest.
 *
 *   HEAD ─▶ HDRS ─▶ SIZE ⇄ DATA ─▶ CRLF ─▶ SIZE ... ─▶ 0 ─▶ TRAILER ─▶ END
 *                                                        └─ preview ─▶ SIZE */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/httphdr.h"
#include "icapint.h"

enum pstate {
	S_HEAD,	   /* ICAP head, up to its empty line */
	S_HDRS,	   /* the encapsulated header blocks */
	S_NOBODY,  /* null-body: END next */
	S_SIZE,	   /* chunk size line */
	S_DATA,	   /* chunk data */
	S_CRLF,	   /* after chunk data */
	S_TRAILER, /* after the last chunk, up to an empty line */
	S_ERROR,
};

#define TRAILER_MAX 4096

struct icap_parser {
	enum pstate st;
	size_t head_max;
	uint8_t *head; /* the ICAP head */
	size_t nhead, caphead;
	uint8_t *hdrs; /* the encapsulated header blocks */
	size_t nhdrs;
	char line[ICAP_LINE_MAX];
	size_t nline, ntrailer;
	uint64_t left;	    /* chunk bytes still to come */
	uint64_t previewed; /* bytes inside the preview */
	bool in_preview, ieof, cr;
	uint64_t body_bytes;
	struct icap_msg msg;
	struct icap_err err;
};

struct icap_parser *icap_parser_new(size_t head_max)
{
	struct icap_parser *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return NULL;
	ps->head_max = head_max ? head_max : ICAP_HEAD_MAX;
	return ps;
}

void icap_parser_free(struct icap_parser *ps)
{
	if (!ps)
		return;
	free(ps->head);
	free(ps->hdrs);
	free(ps);
}

const struct icap_msg *icap_parser_msg(const struct icap_parser *ps)
{
	return &ps->msg;
}

const struct icap_err *icap_parser_err(const struct icap_parser *ps)
{
	return &ps->err;
}

void icap_parser_next(struct icap_parser *ps)
{
	if (ps->st == S_SIZE && !ps->in_preview) {
		ps->st = S_HEAD;
		ps->nhead = 0;
	}
}

bool icap_parser_idle(const struct icap_parser *ps)
{
	return ps->st == S_HEAD && !ps->nhead;
}

uint64_t icap_parser_body_bytes(const struct icap_parser *ps)
{
	return ps->body_bytes;
}

static const uint8_t *block(const struct icap_msg *m, int64_t off, size_t *len)
{
	int64_t end = m->body_off;

	if (off < 0)
		return NULL;
	if (off == m->req_hdr && m->res_hdr > off)
		end = m->res_hdr;
	*len = (size_t)(end - off);
	return m->hdrs + off;
}

const uint8_t *icap_msg_req_hdr(const struct icap_msg *m, size_t *len)
{
	return block(m, m->req_hdr, len);
}

const uint8_t *icap_msg_res_hdr(const struct icap_msg *m, size_t *len)
{
	return block(m, m->res_hdr, len);
}

static size_t fail(struct icap_parser *ps, struct icap_event *ev)
{
	ps->st = S_ERROR;
	ev->type = ICAP_EV_ERROR;
	return 0;
}

/* Each encapsulated header block must end with its empty line. */
static int check_blocks(struct icap_parser *ps)
{
	static const char *const names[] = {"req-hdr", "res-hdr"};
	const struct icap_msg *m = &ps->msg;
	const uint8_t *b;
	size_t n;

	for (int i = 0; i < 2; i++) {
		b = i ? icap_msg_res_hdr(m, &n) : icap_msg_req_hdr(m, &n);
		if (b && httphdr_end(b, n) != n) {
			char q[200];

			icap_quote(q, sizeof(q), b, n);
			return icap_fail(&ps->err, 400,
					 "encapsulated %s of %zu bytes does not end with an empty "
					 "line where the next offset says: '%s'",
					 names[i], n, q);
		}
	}
	return 0;
}

/* The head is complete: parse it and size the header blocks. */
static int head_done(struct icap_parser *ps)
{
	struct icap_msg *m = &ps->msg;

	if (icaphead_parse(ps->head, ps->nhead, m, &ps->err))
		return -EINVAL;
	if ((uint64_t)m->body_off > ps->head_max - ps->nhead)
		return icap_fail(&ps->err, 400,
				 "encapsulated headers of %lld bytes over the limit of %zu",
				 (long long)m->body_off, ps->head_max - ps->nhead);
	free(ps->hdrs);
	ps->hdrs = malloc(m->body_off ? (size_t)m->body_off : 1);
	if (!ps->hdrs)
		return icap_fail(&ps->err, 500, "out of memory for %lld header bytes",
				 (long long)m->body_off);
	ps->nhdrs = 0;
	m->hdrs = ps->hdrs;
	m->hdrs_len = (size_t)m->body_off;
	ps->in_preview = m->preview >= 0 && m->body != ICAP_NULL_BODY;
	ps->previewed = 0;
	ps->ieof = false;
	return 0;
}

static int head_add(struct icap_parser *ps, uint8_t c)
{
	if (ps->nhead == ps->caphead) {
		size_t cap = ps->caphead ? ps->caphead * 2 : 1024;
		uint8_t *b;

		if (cap > ps->head_max)
			cap = ps->head_max;
		if (ps->nhead >= cap)
			return icap_fail(&ps->err, 400, "ICAP head over the limit of %zu bytes",
					 ps->head_max);
		b = realloc(ps->head, cap);
		if (!b)
			return icap_fail(&ps->err, 500, "out of memory for the ICAP head");
		ps->head = b;
		ps->caphead = cap;
	}
	ps->head[ps->nhead++] = c;
	return 0;
}

/* S_HEAD: bytes up to "\n\n" or "\n\r\n"; empty lines before a message
 * are skipped (some clients end a message with an extra CRLF). */
static size_t take_head(struct icap_parser *ps, const uint8_t *p, size_t len, bool *done)
{
	size_t i;

	for (i = 0; i < len && !*done; i++) {
		if (!ps->nhead && (p[i] == '\r' || p[i] == '\n'))
			continue;
		if (head_add(ps, p[i])) {
			ps->st = S_ERROR;
			return i;
		}
		if (p[i] == '\n' && ps->nhead >= 2 &&
		    (ps->head[ps->nhead - 2] == '\n' ||
		     (ps->nhead >= 3 && ps->head[ps->nhead - 2] == '\r' &&
		      ps->head[ps->nhead - 3] == '\n')))
			*done = true;
	}
	return i;
}

static size_t on_hdrs(struct icap_parser *ps, const uint8_t *p, size_t len,
		      struct icap_event *ev)
{
	size_t k = ps->msg.hdrs_len - ps->nhdrs;

	if (k > len)
		k = len;
	memcpy(ps->hdrs + ps->nhdrs, p, k);
	ps->nhdrs += k;
	if (ps->nhdrs < ps->msg.hdrs_len) {
		ev->type = ICAP_EV_NEED;
		return k;
	}
	if (check_blocks(ps))
		return k + fail(ps, ev);
	ps->st = ps->msg.body == ICAP_NULL_BODY ? S_NOBODY : S_SIZE;
	ps->nline = 0;
	ev->type = ICAP_EV_HEAD;
	return k;
}

static size_t on_head(struct icap_parser *ps, const uint8_t *p, size_t len,
		      struct icap_event *ev)
{
	bool done = false;
	size_t k = take_head(ps, p, len, &done);

	if (ps->st == S_ERROR)
		return k + fail(ps, ev);
	if (!done) {
		ev->type = ICAP_EV_NEED;
		return k;
	}
	if (head_done(ps))
		return k + fail(ps, ev);
	ps->st = S_HDRS; /* which may emit HEAD without more input */
	return k + on_hdrs(ps, p + k, len - k, ev);
}

/* Collects a line up to LF into ps->line (without CR LF). Returns the
 * bytes taken; *state is 1 when the line is whole, 0 when it goes on,
 * -1 when it is too long. */
static size_t take_line(struct icap_parser *ps, const uint8_t *p, size_t len, int *state)
{
	const uint8_t *nl = memchr(p, '\n', len);
	size_t k = nl ? (size_t)(nl - p) : len;

	if (ps->nline + k >= sizeof(ps->line)) {
		*state = -1;
		return k;
	}
	memcpy(ps->line + ps->nline, p, k);
	ps->nline += k;
	*state = nl != NULL;
	if (!nl)
		return k;
	if (ps->nline && ps->line[ps->nline - 1] == '\r')
		ps->nline--;
	ps->line[ps->nline] = '\0';
	return k + 1;
}

static size_t msg_end(struct icap_parser *ps, struct icap_event *ev)
{
	ev->type = ICAP_EV_END;
	ev->ieof = ps->ieof;
	ps->st = S_HEAD;
	ps->nhead = 0;
	return 0;
}

/* "HEX[;ext...]": the size, and the ieof extension. */
static int chunk_size(struct icap_parser *ps)
{
	const char *s = ps->line;
	uint64_t v = 0;
	size_t i;
	char q[200];

	for (i = 0; i < 16; i++) {
		int c = s[i], d = c >= '0' && c <= '9' ? c - '0' :
				c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			break;
		v = v << 4 | (uint64_t)d;
	}
	icap_quote(q, sizeof(q), (const uint8_t *)s, strlen(s));
	if (!i || i == 16 || (s[i] && !strchr(" \t;", s[i])))
		return icap_fail(&ps->err, 400, "bad chunk size line '%s'", q);
	s += i + strspn(s + i, " \t");
	if (*s && *s != ';')
		return icap_fail(&ps->err, 400, "bad chunk size line '%s'", q);
	ps->ieof = *s == ';' && !strncasecmp(s + 1 + strspn(s + 1, " \t"), "ieof", 4);
	if (ps->ieof && v)
		return icap_fail(&ps->err, 400, "ieof on a chunk that is not the last: '%s'", q);
	if (ps->in_preview && (ps->previewed += v) > (uint64_t)ps->msg.preview)
		return icap_fail(&ps->err, 400,
				 "preview of %llu bytes longer than the Preview: %lld announced",
				 (unsigned long long)ps->previewed, (long long)ps->msg.preview);
	ps->left = v;
	return 0;
}

static size_t on_size(struct icap_parser *ps, const uint8_t *p, size_t len,
		      struct icap_event *ev)
{
	int whole;
	size_t k = take_line(ps, p, len, &whole);

	if (whole < 0) {
		icap_fail(&ps->err, 400, "chunk size line over %zu bytes", sizeof(ps->line) - 1);
		return k + fail(ps, ev);
	}
	ev->type = ICAP_EV_NEED;
	if (!whole)
		return k;
	ps->nline = 0;
	if (chunk_size(ps))
		return k + fail(ps, ev);
	ps->st = ps->left ? S_DATA : S_TRAILER;
	ps->ntrailer = 0;
	return k;
}

static size_t on_data(struct icap_parser *ps, const uint8_t *p, size_t len,
		      struct icap_event *ev)
{
	size_t k = ps->left < len ? (size_t)ps->left : len;

	if (!k) {
		ev->type = ICAP_EV_NEED;
		return 0;
	}
	ps->left -= k;
	ps->body_bytes += k;
	if (!ps->left) {
		ps->st = S_CRLF;
		ps->cr = false;
	}
	ev->type = ICAP_EV_BODY;
	ev->data = p;
	ev->len = k;
	return k;
}

static size_t on_crlf(struct icap_parser *ps, const uint8_t *p, size_t len,
		      struct icap_event *ev)
{
	ev->type = ICAP_EV_NEED;
	if (!len)
		return 0;
	if (p[0] == '\r' && !ps->cr) {
		ps->cr = true;
		return 1;
	}
	if (p[0] != '\n') {
		char q[200];

		icap_quote(q, sizeof(q), p, 1);
		icap_fail(&ps->err, 400, "chunk data not followed by CRLF but by '%s'", q);
		return fail(ps, ev);
	}
	ps->st = S_SIZE;
	ps->nline = 0;
	return 1;
}

/* Trailer lines after the last chunk, up to the empty line; then the end
 * of the preview or of the message. */
static size_t on_trailer(struct icap_parser *ps, const uint8_t *p, size_t len,
			 struct icap_event *ev)
{
	int whole;
	size_t k = take_line(ps, p, len, &whole);

	ps->ntrailer += k;
	if (whole < 0 || ps->ntrailer > TRAILER_MAX) {
		icap_fail(&ps->err, 400, "chunk trailer over %d bytes", TRAILER_MAX);
		return k + fail(ps, ev);
	}
	ev->type = ICAP_EV_NEED;
	if (!whole)
		return k;
	if (ps->nline) {
		ps->nline = 0;
		return k;
	}
	if (ps->in_preview && !ps->ieof) {
		ps->in_preview = false;
		ps->st = S_SIZE;
		ev->type = ICAP_EV_PREVIEW_END;
		return k;
	}
	return k + msg_end(ps, ev);
}

static size_t step(struct icap_parser *ps, const uint8_t *p, size_t len, struct icap_event *ev)
{
	switch (ps->st) {
	case S_HEAD:
		if (!len) {
			ev->type = ICAP_EV_NEED;
			return 0;
		}
		return on_head(ps, p, len, ev);
	case S_HDRS:
		return on_hdrs(ps, p, len, ev);
	case S_NOBODY:
		return msg_end(ps, ev);
	case S_SIZE:
		return on_size(ps, p, len, ev);
	case S_DATA:
		return on_data(ps, p, len, ev);
	case S_CRLF:
		return on_crlf(ps, p, len, ev);
	case S_TRAILER:
		return on_trailer(ps, p, len, ev);
	case S_ERROR:
		break;
	}
	ev->type = ICAP_EV_ERROR;
	return 0;
}

/* Steps until an event or the end of the input: every step given input
 * either consumes some or makes an event, so this ends. */
size_t icap_parse(struct icap_parser *ps, const uint8_t *p, size_t len, struct icap_event *ev)
{
	size_t used = 0;

	do {
		memset(ev, 0, sizeof(*ev));
		used += step(ps, p + used, len - used, ev);
	} while (ev->type == ICAP_EV_NEED && used < len);
	return used;
}
