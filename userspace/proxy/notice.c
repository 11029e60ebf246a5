// SPDX-License-Identifier: GPL-2.0
/* notice: the response a client gets in place of a blocked one, 451
 * Unavailable For Legal Reasons (RFC 7725) or, for a policy block, 403
 * Forbidden, with a short HTML page that names the category and never
 * the content; for a warn decision, the disclaimer page. The page comes
 * from proxy_conf.notice when set (the notice server's templates), else
 * from here. */
#include <stdio.h>
#include <string.h>

#include "proxy_int.h"

#define PAGE_MAX 8192

/* Copies s into out HTML-escaped, at most size - 1 bytes and the NUL
 * (an escape that does not fit is left out). Returns the length. */
static size_t escape(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s; s++) {
		char one[2] = {*s, '\0'};
		const char *e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" :
				*s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : one;
		size_t k = strlen(e);

		if (n + k >= size)
			break;
		memcpy(out + n, e, k);
		n += k;
	}
	out[n] = '\0';
	return n;
}

static const char *reason(unsigned status)
{
	return status == 403 ? "Forbidden" : "Unavailable For Legal Reasons";
}

/* The disclaimer of a warn decision. Acknowledging it is the notice
 * server's (policy_input.acked): until that runs, this page says so. */
static size_t warn_page(const char *cat, char *buf, size_t size)
{
	return (size_t)snprintf(buf, size,
		"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		"<title>Before you continue</title></head>\n"
		"<body><h1>Before you continue</h1>\n"
		"<p>This site is listed as %s. Parents and guardians may be held liable "
		"if a child views adult content.</p>\n"
		"<p>Acknowledgements are recorded by the notice server; this gateway "
		"cannot take one yet.</p></body></html>\n", cat);
}

static size_t builtin_page(const struct proxy_block *b, char *buf, size_t size)
{
	const char *c = b->page_category && b->page_category[0] ? b->page_category : b->category;
	char cat[3 * OBJSINK_NAME_MAX];
	int n;

	escape(c && c[0] ? c : "blocked content", cat, sizeof(cat));
	if (b->act == PROXY_WARN)
		n = (int)warn_page(cat, buf, size);
	else
		n = snprintf(buf, size,
			     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			     "<title>%u %s</title></head>\n"
			     "<body><h1>%s</h1>\n"
			     "<p>This content is blocked: it is listed as %s.</p></body></html>\n",
			     b->status ? b->status : 451, reason(b->status), reason(b->status), cat);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

int notice_append(struct pbuf *out, const struct proxy_conf *conf, const struct proxy_block *b,
		  bool close)
{
	char page[PAGE_MAX], head[256];
	size_t n = conf->notice ? conf->notice(conf->notice_ctx, b, page, sizeof(page))
				: builtin_page(b, page, sizeof(page));
	unsigned status = b->status ? b->status : 451;
	int k;

	if (n > sizeof(page))
		n = sizeof(page);
	k = snprintf(head, sizeof(head),
		     "HTTP/1.1 %u %s\r\n"
		     "Content-Type: text/html; charset=utf-8\r\n"
		     "Content-Length: %zu\r\n"
		     "Cache-Control: no-store\r\n"
		     "%s\r\n",
		     status, reason(status), n, close ? "Connection: close\r\n" : "");
	if (pbuf_append(out, head, (size_t)k) || pbuf_append(out, page, n))
		return -ENOMEM;
	return 0;
}
