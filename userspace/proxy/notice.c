// SPDX-License-Identifier: GPL-2.0
/* notice: the response a client gets in place of a blocked one, 451
 * Unavailable For Legal Reasons (RFC 7725) or, for a policy block, 403
 * Forbidden, with a short HTML page that names the category and never
 * the content; for a warn decision, the disclaimer. The page and status
 * come from proxy_conf.notice when set (the templates of notice/), else
 * from a built-in page with the decision's status. */
#include <stdio.h>
#include <string.h>

#include "proxy_int.h"
#include "util/html.h"

#define PAGE_MAX (32u << 10) /* a template in Devanagari or Tamil runs to
			      * 3 bytes a letter */

/* The reason phrase of the statuses a notice may carry. */
static const char *reason(int status)
{
	return status == 403 ? "Forbidden" : status == 200 ? "OK" : "Unavailable For Legal Reasons";
}

/* The statuses a page may go out with: 403, 451, and 200 for a
 * disclaimer; anything else is 451. */
static int page_status(int status, const struct proxy_block *b)
{
	if (status == 200 && b->act != PROXY_WARN)
		return 451;
	return status == 403 || status == 200 ? status : 451;
}

/* The disclaimer of a warn decision without templates: acknowledging it
 * is the notice server's (its own page, /_ew/warn). */
static size_t warn_page(const char *cat, char *buf, size_t size)
{
	return (size_t)snprintf(buf, size,
		"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		"<title>Before you continue</title></head>\n"
		"<body><h1>Before you continue</h1>\n"
		"<p>This site is listed as %s. Parents and guardians may be held liable "
		"if a child views adult content.</p>\n"
		"<p>Acknowledgements are recorded by the notice server; this gateway "
		"cannot take one here.</p></body></html>\n", cat);
}

static size_t builtin_page(const struct proxy_block *b, int status, char *buf, size_t size)
{
	const char *c = b->page_category && b->page_category[0] ? b->page_category : b->category;
	char cat[3 * OBJSINK_NAME_MAX];
	int n;

	html_escape(c && c[0] ? c : "blocked content", cat, sizeof(cat));
	if (b->act == PROXY_WARN)
		n = (int)warn_page(cat, buf, size);
	else
		n = snprintf(buf, size,
			     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			     "<title>%d %s</title></head>\n"
			     "<body><h1>%s</h1>\n"
			     "<p>This content is blocked: it is listed as %s.</p></body></html>\n",
			     status, reason(status), reason(status), cat);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

int notice_append(struct pbuf *out, const struct proxy_conf *conf, const struct proxy_block *b,
		  bool close)
{
	char page[PAGE_MAX], head[256];
	int status = b->status == 403 ? 403 : 451, k;
	size_t n = conf->notice ? conf->notice(conf->notice_ctx, b, page, sizeof(page), &status)
				: 0;

	if (!n) { /* the built-in page, with the decision's status */
		status = b->status == 403 ? 403 : 451;
		n = builtin_page(b, status, page, sizeof(page));
	}
	if (n > sizeof(page))
		n = sizeof(page);
	status = page_status(status, b);
	k = snprintf(head, sizeof(head),
		     "HTTP/1.1 %d %s\r\n"
		     "Content-Type: text/html; charset=utf-8\r\n"
		     "Content-Length: %zu\r\n"
		     "Cache-Control: no-store\r\n"
		     "%s\r\n",
		     status, reason(status), n, close ? "Connection: close\r\n" : "");
	if (pbuf_append(out, head, (size_t)k) || pbuf_append(out, page, n))
		return -ENOMEM;
	return 0;
}
