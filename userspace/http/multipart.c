// SPDX-License-Identifier: GPL-2.0
/* MIME multipart splitting (RFC 2046 5.1, RFC 7578) for the HTTP parser:
 * finds delimiter lines in a streamed body and hands each part's header
 * fields and bytes to the caller. Bounded: one part header block and one
 * delimiter's worth of look-behind are buffered. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httphdr.h"
#include "multipart.h"

enum mp_state { MP_PREAMBLE, MP_AFTER_DELIM, MP_HEADERS, MP_BODY, MP_DONE };

struct multipart {
	const struct mp_ops *ops;
	void *arg;
	enum mp_state st;
	char delim[MP_BOUNDARY + 4];	/* "\n--" boundary (CR optional) */
	size_t dlen;
	uint8_t *buf;			/* unprocessed bytes */
	size_t n, cap;
	unsigned parts;
	int open;
	struct mp_part part;
};

int multipart_boundary(const char *content_type, char *out)
{
	char b[MP_FIELD];

	if (httphdr_param(content_type, "boundary", b, sizeof(b)) || !b[0] ||
	    strlen(b) >= MP_BOUNDARY)
		return -ENOENT;
	strcpy(out, b);
	return 0;
}

struct multipart *multipart_new(const char *boundary, const struct mp_ops *ops,
				void *arg)
{
	struct multipart *m;

	if (strlen(boundary) >= MP_BOUNDARY || !boundary[0]) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->cap = MP_HEAD_MAX + sizeof(m->delim);
	m->buf = malloc(m->cap);
	if (!m->buf) {
		free(m);
		return NULL;
	}
	m->ops = ops;
	m->arg = arg;
	/* the first delimiter may open the body: pretend a line end precedes */
	m->buf[0] = '\n';
	m->n = 1;
	m->dlen = 3 + strlen(boundary);
	memcpy(m->delim, "\n--", 3);
	memcpy(m->delim + 3, boundary, strlen(boundary));
	return m;
}

static void end_part(struct multipart *m, int complete)
{
	if (!m->open)
		return;
	m->open = 0;
	m->ops->end(m->arg, complete);
}

/* Reads the fields of one part header block. */
static void part_fields(struct multipart *m, const uint8_t *p, size_t len)
{
	struct mp_part *pt = &m->part;
	char line[MP_HEAD_MAX + 1];
	size_t i = 0;

	memset(pt, 0, sizeof(*pt));
	while (i < len) {
		size_t s = i, n;
		char *v;

		while (i < len && p[i] != '\n')
			i++;
		n = i - s < MP_HEAD_MAX ? i - s : MP_HEAD_MAX;
		i++;
		memcpy(line, p + s, n);
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			n--;
		line[n] = '\0';
		v = strchr(line, ':');
		if (!v)
			continue;
		*v++ = '\0';
		v += strspn(v, " \t");
		if (!strcasecmp(line, "content-disposition")) {
			httphdr_param(v, "filename", pt->filename, MP_FIELD);
			httphdr_param(v, "name", pt->name, MP_FIELD);
		} else if (!strcasecmp(line, "content-type")) {
			snprintf(pt->content_type, MP_FIELD, "%s", v);
		} else if (!strcasecmp(line, "content-range")) {
			snprintf(pt->content_range, MP_FIELD, "%s", v);
		}
	}
}

static uint8_t *find(uint8_t *h, size_t hn, const char *needle, size_t nn)
{
	return memmem(h, hn, needle, nn);
}

/* Processes buffered bytes; returns how many were consumed. */
static size_t step(struct multipart *m)
{
	uint8_t *b = m->buf, *d;
	size_t k;

	switch (m->st) {
	case MP_PREAMBLE:
	case MP_BODY:
		d = find(b, m->n, m->delim, m->dlen);
		if (!d) {	/* keep what may be a CR and a delimiter's start */
			k = m->n > m->dlen ? m->n - m->dlen : 0;
			if (m->st == MP_BODY && k)
				m->ops->data(m->arg, b, k);
			return k;
		}
		k = d - b;
		if (m->st == MP_BODY && k)	/* the line end belongs to it */
			m->ops->data(m->arg, b, k - (b[k - 1] == '\r'));
		end_part(m, 1);
		m->st = MP_AFTER_DELIM;
		return k + m->dlen;
	case MP_AFTER_DELIM:
		if (m->n < 2)
			return 0;
		if (b[0] == '-' && b[1] == '-') {
			m->st = MP_DONE;
			return m->n;
		}
		d = memchr(b, '\n', m->n);
		if (!d)
			return m->n > 256 ? m->n : 0;	/* junk after delimiter */
		m->st = MP_HEADERS;
		return d - b + 1;
	case MP_HEADERS:
		if (b[0] == '\n' || (m->n >= 2 && b[0] == '\r' && b[1] == '\n'))
			k = b[0] == '\n' ? 1 : 2;
		else if (!(k = httphdr_end(b, m->n)))
			return m->n >= MP_HEAD_MAX ? m->n : 0;
		part_fields(m, b, k);
		m->parts++;
		m->open = 1;
		m->ops->begin(m->arg, &m->part);
		m->st = MP_BODY;
		return k;
	default:
		return m->n;
	}
}

void multipart_feed(struct multipart *m, const uint8_t *p, size_t len)
{
	while (len && m->st != MP_DONE) {
		size_t room = m->cap - m->n, take = len < room ? len : room, k;

		memcpy(m->buf + m->n, p, take);
		m->n += take;
		p += take;
		len -= take;
		while (m->n && (k = step(m)) > 0) {
			memmove(m->buf, m->buf + k, m->n - k);
			m->n -= k;
			if (m->st == MP_DONE)
				break;
		}
	}
}

unsigned multipart_finish(struct multipart *m)
{
	if (m->open && m->n && m->st == MP_BODY)
		m->ops->data(m->arg, m->buf, m->n);
	m->n = 0;
	end_part(m, 0);
	return m->parts;
}

void multipart_free(struct multipart *m)
{
	if (!m)
		return;
	free(m->buf);
	free(m);
}
