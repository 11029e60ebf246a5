// SPDX-License-Identifier: GPL-2.0
/* eventjson: the JSON Lines writer behind the event log. Records are built
 * in one buffer and written whole; strings are escaped so any input bytes
 * (HTTP headers, URIs, file names from the wire) yield a valid line. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/hex.h"
#include "eventjson.h"
#include "util/utf8.h"

void ej_init(struct ej_writer *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

void ej_init_sink(struct ej_writer *w, const struct ej_sink *sink)
{
	memset(w, 0, sizeof(*w));
	w->sink = sink;
}

int ej_put_line(struct ej_writer *w, const char *line, size_t len)
{
	if (w->sink)
		return w->sink->line(w->sink->ctx, line, len);
	if (fwrite(line, 1, len, w->out) != len)
		return -EIO;
	return 0;
}

int ej_flush(struct ej_writer *w)
{
	if (w->sink)
		return w->sink->flush ? w->sink->flush(w->sink->ctx) : 0;
	return fflush(w->out) ? -errno : 0;
}

void ej_free(struct ej_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

/* Makes room for n more bytes. Past EJ_LINE_MAX (or on ENOMEM) the record
 * is marked oversize, and later dropped by ej_end. */
static bool grow(struct ej_writer *w, size_t n)
{
	size_t cap;
	char *nb;

	if (w->oversize)
		return false;
	if (w->len + n > EJ_LINE_MAX) {
		w->oversize = true;
		return false;
	}
	cap = w->cap ? w->cap : 1024;
	while (cap < w->len + n)
		cap *= 2;
	if (cap > EJ_LINE_MAX) /* the fast path never passes the limit */
		cap = EJ_LINE_MAX;
	nb = realloc(w->buf, cap);
	if (!nb) {
		w->oversize = true;
		return false;
	}
	w->buf = nb;
	w->cap = cap;
	return true;
}

static inline void put(struct ej_writer *w, const void *p, size_t n)
{
	if (w->len + n > w->cap && !grow(w, n))
		return;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static inline void putc1(struct ej_writer *w, char c)
{
	if (w->len == w->cap && !grow(w, 1))
		return;
	w->buf[w->len++] = c;
}

static bool plain(uint8_t c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void ej_escape(struct ej_writer *w, const void *val, size_t n)
{
	const uint8_t *p = val;
	char esc[8];
	size_t i = 0, k;

	putc1(w, '"');
	while (i < n) {
		uint8_t c = p[i];

		for (k = i; k < n && plain(p[k]); k++)
			;
		if (k > i) { /* a run of printable ASCII goes in one copy */
			put(w, p + i, k - i);
			i = k;
			continue;
		}
		k = c < 0x80 ? 1 : utf8_len(p + i, n - i);
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c;
			put(w, esc, 2);
		} else if (c == '\n') {
			put(w, "\\n", 2);
		} else if (c == '\r') {
			put(w, "\\r", 2);
		} else if (c == '\t') {
			put(w, "\\t", 2);
		} else if (c < 0x80 || !k) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(w, esc, 6);
			k = 1;
		} else {
			put(w, p + i, k);
		}
		i += k;
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

int ej_finish(struct ej_writer *w)
{
	unnest(w, '}');
	putc1(w, '\n');
	if (w->oversize)
		return w->buf ? -EMSGSIZE : -ENOMEM;
	return 0;
}

int ej_end(struct ej_writer *w)
{
	int err = ej_finish(w);

	if (!err)
		err = ej_put_line(w, w->buf, w->len);
	if (!err)
		w->lines++;
	return err;
}

void ej_part_begin(struct ej_writer *w)
{
	w->len = 0;
	w->depth = 1;
	w->oversize = false;
	w->first[1] = false;
}

int ej_part_end(struct ej_writer *w)
{
	if (w->oversize)
		return w->buf ? -EMSGSIZE : -ENOMEM;
	return 0;
}

void ej_raw(struct ej_writer *w, const char *members, size_t n)
{
	put(w, members, n);
	w->first[w->depth] = false;
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

/* Decimal digits of v, right-aligned in b[0..24); returns the first. */
static char *digits(uint64_t v, char *b)
{
	char *p = b + 24;

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return p;
}

void ej_u64(struct ej_writer *w, const char *k, uint64_t v)
{
	char b[24], *p = digits(v, b);

	key(w, k);
	put(w, p, (size_t)(b + 24 - p));
}

void ej_i64(struct ej_writer *w, const char *k, int64_t v)
{
	char b[24], *p = digits(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, b);

	if (v < 0)
		*--p = '-';
	key(w, k);
	put(w, p, (size_t)(b + 24 - p));
}

void ej_time(struct ej_writer *w, const char *k, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000ull);
	char b[48];
	struct tm tm;

	if (!ns || !gmtime_r(&t, &tm)) {
		ej_null(w, k);
		return;
	}
	snprintf(b, sizeof(b), "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(ns % 1000000000ull / 1000));
	ej_str(w, k, b);
}

void ej_addr(struct ej_writer *w, const char *k, const uint8_t *a)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	char b[INET6_ADDRSTRLEN];

	if (!memcmp(a, mapped, 12))
		inet_ntop(AF_INET, a + 12, b, sizeof(b));
	else
		inet_ntop(AF_INET6, a, b, sizeof(b));
	ej_str(w, k, b);
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
	char b[129];
	size_t i;

	key(w, k);
	putc1(w, '"');
	while (n) {
		i = n < 64 ? n : 64;
		hex_encode(d, i, b);
		put(w, b, 2 * i);
		d += i;
		n -= i;
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
