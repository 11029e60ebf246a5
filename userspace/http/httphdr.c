// SPDX-License-Identifier: GPL-2.0
/* HTTP/1.x header blocks, read the way browsers read them: the stage of the
 * HTTP parser (http.c) that turns a head into the fields objects carry.
 * Tolerance follows Chromium where browsers differ (lines end at CR or LF,
 * status code defaults to 200), plus NUL removal as older browsers did. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httphdr.h"
#include "object/object.h"

size_t httphdr_end(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (p[i + 1] == '\r' && i + 2 < len && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

int httphdr_is_status(const uint8_t *p, size_t len)
{
	static const char http[] = "HTTP/";

	for (size_t i = 0; i < len && i < 5; i++)
		if ((p[i] | 0x20) != (http[i] | 0x20))
			return 0;
	return 1;
}

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Bytes a browser trims around names and values: whitespace, controls,
 * DEL. */
static int is_trim(unsigned char c)
{
	return c <= 0x20 || c == 0x7f;
}

static void copy(char *dst, size_t sz, const char *s, size_t n)
{
	if (n >= sz)
		n = sz - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void append(char *dst, size_t sz, const char *s, size_t n)
{
	size_t have = strlen(dst);

	if (have && have + 2 < sz) {
		memcpy(dst + have, ", ", 2);
		have += 2;
	}
	copy(dst + have, sz - have, s, n);
}

/* Leading decimal digits of s[0..n); -1 if none or overflowing. *end gets
 * the index after them. */
static int64_t digits(const char *s, size_t n, size_t *end)
{
	int64_t v = 0;
	size_t i = 0;

	*end = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s[i++] - '0');
	}
	*end = i;
	return i ? v : -1;
}

/* Content-Length: leading digits are the value (junk glued to them is
 * ignored, as Firefox's parser does); a second number after whitespace or a
 * comma makes it a list: equal values are a duplicate, different ones make
 * the field unusable (Chromium then reads until close). The first usable
 * field wins over later ones (a browser that accepts conflicting fields
 * takes the first). */
static void content_length(struct http_head *h, const char *v, size_t n,
			   int *seen)
{
	size_t e = 0, e2, i;
	int64_t a = digits(v, n, &e), b;

	for (i = e; i < n && !is_ws(v[i]) && v[i] != ','; i++)
		;	/* junk glued to the number: "68;", "68.9" */
	for (; i < n && (is_ws(v[i]) || v[i] == ',' || v[i] == '('); i++)
		;
	b = a >= 0 && i < n ? digits(v + i, n - i, &e2) : -1;
	if (b >= 0 && b != a) {
		h->anomalies |= ANOM_CONFLICT_CL;
		if (h->alt_length < 0)
			h->alt_length = a;
		a = -1;
	} else if (b >= 0) {
		h->anomalies |= ANOM_DUP_CL;
	}
	if (a < 0)
		return;
	if (*seen && h->content_length != a)
		h->anomalies |= ANOM_CONFLICT_CL;
	else if (*seen)
		h->anomalies |= ANOM_DUP_CL;
	if (!*seen)
		h->content_length = a;
	*seen = 1;
}

static int name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && !strncasecmp(name, want, n);
}

/* One unfolded field line, NULs already dropped. */
static void field(struct http_head *h, char *line, size_t n, int *cl_seen)
{
	char *colon = memchr(line, ':', n), *name = line, *v;
	size_t nn, vn;

	if (!colon)
		return;		/* junk line: browsers skip it */
	nn = colon - line;
	while (nn && is_trim(name[0]))
		name++, nn--;
	while (nn && is_trim(name[nn - 1]))
		nn--;
	if (nn != (size_t)(colon - line))
		h->anomalies |= ANOM_OBS_FOLD;	/* whitespace around the name */
	v = colon + 1;
	vn = n - (v - line);
	while (vn && is_trim(v[0]))
		v++, vn--;
	while (vn && is_trim(v[vn - 1]))
		vn--;
	if (name_is(name, nn, "content-length"))
		content_length(h, v, vn, cl_seen);
	else if (name_is(name, nn, "transfer-encoding"))
		append(h->transfer_encoding, HH_SHORT, v, vn);
	else if (name_is(name, nn, "content-encoding"))
		append(h->content_encoding, HH_SHORT, v, vn);
	else if (name_is(name, nn, "content-type") && !h->content_type[0])
		copy(h->content_type, HH_SHORT, v, vn);
	else if (name_is(name, nn, "content-range") && !h->content_range[0])
		copy(h->content_range, HH_SHORT, v, vn);
	else if (name_is(name, nn, "host") && !h->host[0])
		copy(h->host, HH_SHORT, v, vn);
	else if (name_is(name, nn, "etag") && !h->etag[0])
		copy(h->etag, HH_SHORT, v, vn);
	else if (name_is(name, nn, "last-modified") && !h->last_modified[0])
		copy(h->last_modified, HH_SHORT, v, vn);
	else if (name_is(name, nn, "accept-language") && !h->accept_language[0])
		copy(h->accept_language, HH_SHORT, v, vn);
	else if (name_is(name, nn, "upgrade"))
		h->upgrade = 1;
	else if (name_is(name, nn, "connection") && memmem(v, vn, "lose", 4))
		h->conn_close = 1;
	else if (name_is(name, nn, "content-disposition")) {
		v[vn] = '\0';
		httphdr_param(v, "filename", h->filename, HH_SHORT);
	}
}

static void version(struct http_head *h, const char *s, size_t n)
{
	size_t i = 4, e;

	h->major = 1;
	h->minor = 1;
	while (i < n && is_ws(s[i]))
		i++;
	if (i >= n || s[i++] != '/')
		return;
	if (digits(s + i, n - i, &e) < 0 || i + e >= n || s[i + e] != '.')
		return;
	h->major = s[i] - '0';
	i += e + 1;
	if (i < n && s[i] >= '0' && s[i] <= '9')
		h->minor = s[i] - '0';
}

static void status_line(struct http_head *h, const char *s, size_t n)
{
	size_t i = 0, e = 0;
	int64_t code;

	version(h, s, n);
	h->status = 200;	/* Chromium: a status line without code is 200 */
	while (i < n && !is_ws(s[i]))
		i++;
	while (i < n && is_ws(s[i]))
		i++;
	code = digits(s + i, n - i, &e);
	if (e == 3)
		h->status = (int)code;
}

static void request_line(struct http_head *h, const char *s, size_t n)
{
	size_t i = 0, m, u;

	while (i < n && !is_ws(s[i]))
		i++;
	copy(h->method, HH_METHOD, s, i);
	while (i < n && is_ws(s[i]))
		i++;
	u = i;
	while (i < n && !is_ws(s[i]))
		i++;
	copy(h->uri, HH_URI, s + u, i - u);
	while (i < n && is_ws(s[i]))
		i++;
	m = i;
	h->major = 0;
	h->minor = 9;
	if (n - m >= 4 && !strncasecmp(s + m, "HTTP", 4))
		version(h, s + m, n - m);
}

/* Does a continuation line look like a field of its own ("  Name: v")?
 * Browsers without obs-fold support read it so; read it both ways. */
static int fold_field(const uint8_t *p, size_t n)
{
	size_t i = 0, s;

	while (i < n && (is_ws(p[i]) || !p[i]))
		i++;
	s = i;
	while (i < n && p[i] > 0x20 && p[i] < 0x7f && p[i] != ':')
		i++;
	return i > s && i < n && p[i] == ':';
}

static void field_copy(struct http_head *h, const uint8_t *p, size_t n,
		       int *cl_seen)
{
	char *line = malloc(n + 1);
	size_t k = 0;

	if (!line)
		return;
	for (size_t i = 0; i < n; i++)
		if (p[i])
			line[k++] = p[i];
	line[k] = '\0';
	field(h, line, k, cl_seen);
	free(line);
}

/* Splits the block into start line and unfolded fields. */
static void fields(struct http_head *h, const uint8_t *p, size_t len,
		   size_t i, char *line)
{
	size_t n = 0;
	int cl_seen = 0;

	while (i < len) {
		size_t s = i;

		while (i < len && p[i] != '\r' && p[i] != '\n')
			i++;
		if (i > s && (is_ws(p[s]) || !p[s]) && n) {
			h->anomalies |= ANOM_OBS_FOLD;
			if (fold_field(p + s, i - s))
				field_copy(h, p + s, i - s, &cl_seen);
			line[n++] = ' ';
		} else if (i > s) {
			if (n)
				field(h, line, n, &cl_seen);
			n = 0;
		}
		for (; s < i; s++)
			if (p[s])
				line[n++] = p[s];
		if (i < len && p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			h->anomalies |= ANOM_BARE_LF;
		if (i < len && p[i] == '\r' && (i + 1 == len || p[i + 1] != '\n'))
			h->anomalies |= ANOM_BARE_LF;
		i++;
	}
	if (n)
		field(h, line, n, &cl_seen);
}

int httphdr_parse(const uint8_t *p, size_t len, int response,
		  struct http_head *h)
{
	size_t i = 0, s;
	char *line;

	memset(h, 0, sizeof(*h));
	h->response = response;
	h->content_length = -1;
	h->alt_length = -1;
	/* blank lines before a request line are allowed (RFC 9112 2.2) */
	while (i < len && (p[i] == '\r' || p[i] == '\n'))
		i++;
	s = i;
	while (i < len && p[i] != '\r' && p[i] != '\n')
		i++;
	if (i == s)
		return -EINVAL;
	line = malloc(len + 1);
	if (!line)
		return -ENOMEM;
	for (size_t k = s, n = 0; k <= i; k++)
		if (k == i || p[k])
			line[n++] = k == i ? '\0' : (char)p[k];
	if (response)
		status_line(h, line, strlen(line));
	else
		request_line(h, line, strlen(line));
	fields(h, p, len, i, line);
	free(line);
	return 0;
}

int httphdr_content_range(const char *v, int64_t *first, int64_t *last,
			  int64_t *total)
{
	size_t e;

	while (is_ws(*v))
		v++;
	if (strncasecmp(v, "bytes", 5))
		return -EINVAL;
	v += 5;
	while (is_ws(*v) || *v == '=')
		v++;
	*first = digits(v, strlen(v), &e);
	if (*first < 0 || v[e] != '-')
		return -EINVAL;
	v += e + 1;
	*last = digits(v, strlen(v), &e);
	if (*last < *first || v[e] != '/')
		return -EINVAL;
	v += e + 1;
	if (*v == '*') {
		*total = -1;
		return 0;
	}
	*total = digits(v, strlen(v), &e);
	return *total > *last ? 0 : -EINVAL;
}

int httphdr_param(const char *v, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);
	const char *p = v;

	while ((p = strcasestr(p, name))) {
		const char *q = p + nl, *e;

		if (p != v && !(p[-1] == ';' || is_ws(p[-1]))) {
			p = q;
			continue;
		}
		while (is_ws(*q))
			q++;
		if (*q != '=') {
			p = q;
			continue;
		}
		q++;
		while (is_ws(*q))
			q++;
		if (*q == '"') {
			e = strchr(++q, '"');
			if (!e)
				e = q + strlen(q);
		} else {
			e = q + strcspn(q, "; \t");
		}
		copy(out, outsz, q, e - q);
		return 0;
	}
	return -ENOENT;
}
