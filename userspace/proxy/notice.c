// SPDX-License-Identifier: GPL-2.0
/* notice: the response a client gets in place of a blocked one, 451
 * Unavailable For Legal Reasons (RFC 7725) or 403 Forbidden, with a short
 * HTML page that names the list category and never the content. The page
 * and status come from proxy_conf.notice when set (the templates of
 * notice/), else a built-in page with 451. */
#include <stdio.h>
#include <string.h>

#include "proxy_int.h"
#include "util/html.h"

#define PAGE_MAX (32u << 10) /* a template in Devanagari or Tamil runs to
				    * 3 bytes a letter */

static size_t builtin_page(const struct proxy_block *b, char *buf, size_t size)
{
	char cat[3 * OBJSINK_NAME_MAX];
	int n;

	html_escape(b->category && b->category[0] ? b->category : "blocked content", cat,
		    sizeof(cat));
	n = snprintf(buf, size,
		     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		     "<title>451 Unavailable For Legal Reasons</title></head>\n"
		     "<body><h1>Unavailable For Legal Reasons</h1>\n"
		     "<p>This content is blocked: it is listed as %s.</p></body></html>\n",
		     cat);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/* The reason phrase of the statuses a notice may carry. */
static const char *reason(int status)
{
	return status == 403 ? "Forbidden" : "Unavailable For Legal Reasons";
}

int notice_append(struct pbuf *out, const struct proxy_conf *conf, const struct proxy_block *b,
		  bool close)
{
	char page[PAGE_MAX], head[256];
	int status = 451, k;
	size_t n = conf->notice ? conf->notice(conf->notice_ctx, b, page, sizeof(page), &status)
				: 0;

	if (!n) { /* the built-in page says 451 */
		n = builtin_page(b, page, sizeof(page));
		status = 451;
	}
	if (n > sizeof(page))
		n = sizeof(page);
	if (status != 403)
		status = 451;
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
