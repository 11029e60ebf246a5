/* SPDX-License-Identifier: GPL-2.0 */
/* html: text made safe for an HTML page, in element content and in
 * quoted attribute values (not in URL attributes, scripts or styles). */
#ifndef EW_UTIL_HTML_H
#define EW_UTIL_HTML_H

#include <stddef.h>
#include <string.h>

/* The escape of c, or NULL when c stands as it is. */
static inline const char *html_entity(char c)
{
	switch (c) {
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '&':
		return "&amp;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

/* Copies s into out HTML-escaped, at most size - 1 bytes and a NUL (size
 * > 0; an escape that does not fit is left out with all after it).
 * Returns the length the whole escape needs, as snprintf does: a result
 * >= size means out was cut. */
static inline size_t html_escape(const char *s, char *out, size_t size)
{
	size_t n = 0, need = 0;
	int cut = 0;

	for (; *s; s++) {
		const char *e = html_entity(*s);
		size_t k = e ? strlen(e) : 1;

		need += k;
		if (cut || n + k >= size) {
			cut = 1;
			continue;
		}
		memcpy(out + n, e ? e : s, k);
		n += k;
	}
	out[n] = '\0';
	return need;
}

#endif
