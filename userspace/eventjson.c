// SPDX-License-Identifier: GPL-2.0
/* eventjson: the JSON Lines writer behind the event log. Records are built
 * in one buffer and written whole; strings are escaped so any input bytes
 * (HTTP headers, URIs, file names from the wire) yield a valid line. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "eventjson.h"

void ej_init(struct ej_writer *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

void ej_free(struct ej_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

/* Appends raw bytes; past EJ_LINE_MAX (or on ENOMEM) the record is marked
 * oversize and later dropped by ej_end. */
static void put(struct ej_writer *w, const void *p, size_t n)
{
	size_t cap;
	char *nb;

	if (w->oversize)
		return;
	if (w->len + n > EJ_LINE_MAX) {
		w->oversize = true;
		return;
	}
	if (w->len + n > w->cap) {
		cap = w->cap ? w->cap : 1024;
		while (cap < w->len + n)
			cap *= 2;
		nb = realloc(w->buf, cap);
		if (!nb) {
			w->oversize = true;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void putc1(struct ej_writer *w, char c)
{
	put(w, &c, 1);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid
 * (overlongs, surrogates and code points past U+10FFFF are invalid). */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	uint32_t cp;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void ej_escape(struct ej_writer *w, const void *val, size_t n)
{
	const uint8_t *p = val;
	char esc[8];
	size_t i = 0, k;

	putc1(w, '"');
	while (i < n) {
		uint8_t c = p[i];

		k = utf8_len(p + i, n - i);
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c;
			put(w, esc, 2);
		} else if (c == '\n') {
			put(w, "\\n", 2);
		} else if (c == '\r') {
			put(w, "\\r", 2);
		} else if (c == '\t') {
			put(w, "\\t", 2);
		} else if (c < 0x20 || c == 0x7f || !k) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(w, esc, 6);
			k = 1;
		} else {
			put(w, p + i, k);
		}
		i += k ? k : 1;
	}
	putc1(w, '"');
}

static void key(struct ej_writer *w, const char *k)
{
	if (!w->first[w->depth])
		putc1(w, ',');
	w->first[w->depth] = false;
	if (k) {
		ej_escape(w, k, strlen(k));
		putc1(w, ':');
	}
}

static void nest(struct ej_writer *w, char c)
{
	putc1(w, c);
	if (w->depth < EJ_DEPTH_MAX)
		w->depth++;
	else
		w->oversize = true;
	w->first[w->depth] = true;
}

static void unnest(struct ej_writer *w, char c)
{
	putc1(w, c);
	if (w->depth > 0)
		w->depth--;
}

void ej_begin(struct ej_writer *w)
{
	w->len = 0;
	w->depth = 0;
	w->oversize = false;
	w->first[0] = true;
	nest(w, '{');
}

int ej_end(struct ej_writer *w)
{
	unnest(w, '}');
	putc1(w, '\n');
	if (w->oversize)
		return w->buf ? -EMSGSIZE : -ENOMEM;
	if (fwrite(w->buf, 1, w->len, w->out) != w->len)
		return -EIO;
	w->lines++;
	return 0;
}

void ej_strn(struct ej_writer *w, const char *k, const void *val, size_t n)
{
	key(w, k);
	ej_escape(w, val, n);
}

void ej_str(struct ej_writer *w, const char *k, const char *val)
{
	if (!val) {
		ej_null(w, k);
		return;
	}
	ej_strn(w, k, val, strlen(val));
}

void ej_u64(struct ej_writer *w, const char *k, uint64_t v)
{
	char b[24];

	key(w, k);
	put(w, b, (size_t)snprintf(b, sizeof(b), "%" PRIu64, v));
}

void ej_i64(struct ej_writer *w, const char *k, int64_t v)
{
	char b[24];

	key(w, k);
	put(w, b, (size_t)snprintf(b, sizeof(b), "%" PRId64, v));
}

void ej_bool(struct ej_writer *w, const char *k, bool v)
{
	key(w, k);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void ej_null(struct ej_writer *w, const char *k)
{
	key(w, k);
	put(w, "null", 4);
}

void ej_hex(struct ej_writer *w, const char *k, const uint8_t *d, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	key(w, k);
	putc1(w, '"');
	for (size_t i = 0; i < n; i++) {
		putc1(w, hex[d[i] >> 4]);
		putc1(w, hex[d[i] & 15]);
	}
	putc1(w, '"');
}

void ej_obj(struct ej_writer *w, const char *k)
{
	key(w, k);
	nest(w, '{');
}

void ej_obj_end(struct ej_writer *w)
{
	unnest(w, '}');
}

void ej_arr(struct ej_writer *w, const char *k)
{
	key(w, k);
	nest(w, '[');
}

void ej_arr_end(struct ej_writer *w)
{
	unnest(w, ']');
}
