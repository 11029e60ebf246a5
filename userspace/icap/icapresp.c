// SPDX-License-Identifier: GPL-2.0
/* ICAP answers (RFC 3507 4.9-4.10): status-only answers, 100 Continue,
 * OPTIONS, the client's own message echoed back, and the HTTP 451 notice
 * that replaces a blocked object. The last step of an ICAP transaction:
 * bytes appended to the connection's output buffer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/httphdr.h"
#include "icapxint.h"

void icap_out_free(struct icap_out *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

/* Makes room for n more bytes, first dropping what was written. */
static int out_room(struct icap_out *o, size_t n)
{
	if (o->off && o->off == o->n)
		o->off = o->n = 0;
	if (o->cap - o->n >= n)
		return 0;
	if (o->off) {
		memmove(o->buf, o->buf + o->off, o->n - o->off);
		o->n -= o->off;
		o->off = 0;
		if (o->cap - o->n >= n)
			return 0;
	}
	size_t cap = o->cap ? o->cap : 4096;
	uint8_t *b;

	while (cap - o->n < n)
		cap *= 2;
	b = realloc(o->buf, cap);
	if (!b)
		return -ENOMEM;
	o->buf = b;
	o->cap = cap;
	return 0;
}

int out_put(struct icap_out *o, const void *p, size_t n)
{
	if (!n)
		return 0;
	if (out_room(o, n))
		return o->err = -ENOMEM;
	memcpy(o->buf + o->n, p, n);
	o->n += n;
	return 0;
}

int out_fmt(struct icap_out *o, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return o->err = -EMSGSIZE;
	return out_put(o, tmp, (size_t)n);
}

static const char *reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 404: return "ICAP Service Not Found";
	case 405: return "Method Not Allowed For Service";
	case 500: return "Server Error";
	case 501: return "Method Not Implemented";
	case 505: return "ICAP Version Not Supported";
	default: return "Error";
	}
}

static void head(struct icap_out *o, const struct icap_conf *c, int status, bool close)
{
	const char *tag = __atomic_load_n(&c->istag_now, __ATOMIC_ACQUIRE);

	out_fmt(o, "ICAP/1.0 %d %s\r\nISTag: \"%s\"\r\nServer: edgeward\r\n%s", status,
		reason(status), tag ? tag : c->istag, close ? "Connection: close\r\n" : "");
}

void resp_status(struct icap_out *o, const struct icap_conf *c, int status, bool close)
{
	head(o, c, status, close);
	out_fmt(o, "Encapsulated: null-body=0\r\n\r\n");
}

void resp_continue(struct icap_out *o)
{
	out_fmt(o, "ICAP/1.0 100 Continue\r\n\r\n");
}

void resp_options(struct icap_out *o, const struct icap_conf *c, const char *svc)
{
	bool req = !strcmp(svc, "reqmod");

	head(o, c, 200, false);
	out_fmt(o,
		"Methods: %s\r\nService: edgeward hash filter (%s)\r\nMax-Connections: %u\r\n"
		"Options-TTL: %u\r\nAllow: 204\r\nPreview: %u\r\nTransfer-Preview: *\r\n"
		"Encapsulated: null-body=0\r\n\r\n",
		req ? "REQMOD" : "RESPMOD", req ? "uploads" : "downloads", c->max_conns,
		c->options_ttl, c->preview);
}

void resp_echo_head(struct icap_out *o, const struct icap_conf *c, const struct icap_msg *m,
		    bool has_body)
{
	bool req = m->method == ICAP_REQMOD;
	const uint8_t *h;
	size_t n = 0;

	h = req ? icap_msg_req_hdr(m, &n) : icap_msg_res_hdr(m, &n);
	head(o, c, 200, false);
	if (!h)
		out_fmt(o, "Encapsulated: %s\r\n\r\n", has_body ? (req ? "req-body=0" : "res-body=0")
							       : "null-body=0");
	else
		out_fmt(o, "Encapsulated: %s=0, %s=%zu\r\n\r\n", req ? "req-hdr" : "res-hdr",
			has_body ? (req ? "req-body" : "res-body") : "null-body", n);
	out_put(o, h, n);
}

void resp_chunk(struct icap_out *o, const uint8_t *p, size_t n)
{
	if (!n)
		return;
	out_fmt(o, "%zx\r\n", n);
	out_put(o, p, n);
	out_put(o, "\r\n", 2);
}

void resp_last_chunk(struct icap_out *o)
{
	out_put(o, "0\r\n\r\n", 5);
}

#define PAGE_MAX (64 * 1024) /* a rendered notice page at most */

/* The built-in notice: plain text, no input of the request echoed back. */
static size_t plain_page(const struct icap_judgement *j, unsigned status, char *page,
			 size_t size)
{
	const char *name = j->name[0] ? j->name : "-", *cat = j->category;
	int n = snprintf(page, size, "%u %s\n\nThis content was blocked by edgeward: %s '%s'%s%s%s.\n",
			 status, status == 403 ? "Forbidden" : "Unavailable For Legal Reasons",
			 j->rule ? "the rule" : "it matched the list", name,
			 *cat ? " (category '" : "", cat, *cat ? "')" : "");

	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : strlen(page);
}

/* The template's page for j (c->page), given the encapsulated request's
 * Host, target and Accept-Language; 0: none (no hook, no template, no
 * memory). */
static size_t rendered_page(const struct icap_conf *c, const struct icap_judgement *j,
			    const struct icap_msg *m, char *page, unsigned *status)
{
	struct icap_page_req r = {"", "", ""};
	struct http_head *h;
	const uint8_t *p;
	size_t n = 0, len = 0;

	if (!c->page || !page || !(h = calloc(1, sizeof(*h))))
		return 0;
	p = m ? icap_msg_req_hdr(m, &n) : NULL;
	if (p && n && !httphdr_parse(p, n, 0, h))
		r = (struct icap_page_req){h->host, h->uri, h->accept_language};
	len = c->page(c->page_ctx, j, &r, page, PAGE_MAX, status);
	free(h);
	return len <= PAGE_MAX ? len : 0;
}

void resp_block(struct icap_out *o, const struct icap_conf *c, const struct icap_judgement *j,
		const struct icap_msg *m)
{
	unsigned status = j->status == 403 ? 403 : 451, st = status;
	char plain[512], hdr[512], *page = c->page ? malloc(PAGE_MAX) : NULL;
	size_t np = rendered_page(c, j, m, page, &st);
	bool html = np > 0;
	int nh;

	if (html)
		status = st == 403 ? 403 : 451;
	else
		np = plain_page(j, status, plain, sizeof(plain));
	nh = snprintf(hdr, sizeof(hdr),
		      "HTTP/1.1 %u %s\r\n"
		      "Content-Type: text/%s; charset=utf-8\r\nContent-Length: %zu\r\n"
		      "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
		      status, status == 403 ? "Forbidden" : "Unavailable For Legal Reasons",
		      html ? "html" : "plain", np);
	head(o, c, 200, false);
	out_fmt(o, "Encapsulated: res-hdr=0, res-body=%d\r\n\r\n", nh);
	out_put(o, hdr, (size_t)nh);
	resp_chunk(o, (const uint8_t *)(html ? page : plain), np);
	resp_last_chunk(o);
	free(page);
}
