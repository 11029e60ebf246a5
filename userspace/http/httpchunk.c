// SPDX-License-Identifier: GPL-2.0
/* Chunked transfer coding for the HTTP parser, under http.c: chunk-size
 * lines, chunk data boundaries and trailers, read with browser tolerance.
 * Says what it found (enum chunk_ev); http.c ends the objects and the
 * messages, and re-reads a body that was not chunked after all. */
#include <string.h>

#include "util/hex.h"
#include "httpint.h"

/* While the first chunk-size line is read, its bytes are kept to be read
 * again if it is none. */
static void probe(struct http_inflight *m, const uint8_t *p, size_t len)
{
	size_t room = sizeof(m->probe) - m->nprobe;

	if (!m->probing)
		return;
	if (len > room)
		len = room;
	memcpy(m->probe + m->nprobe, p, len);
	m->nprobe += len;
}

/* Reads the chunk-size line in d->buf: leading hex digits are the size;
 * extensions and junk after them are ignored, as browsers do. */
static enum chunk_ev size_line(struct http_dir *d)
{
	uint64_t size = 0;
	size_t i = 0, k;

	while (i < d->n && (d->buf[i] == ' ' || d->buf[i] == '\t'))
		i++;
	for (k = i; k < d->n && hex_digit(d->buf[k]) >= 0; k++) {
		if (size >> 56)
			return CHUNK_BAD;
		size = size * 16 + hex_digit(d->buf[k]);
	}
	if (k == i)
		return CHUNK_BAD;
	d->m->probing = 0;
	d->n = 0;
	d->m->remain = size;
	return size ? CHUNK_MORE : CHUNK_LAST;
}

enum chunk_ev httpchunk_line(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	enum chunk_ev ev = size_line(d);

	if (ev == CHUNK_LAST)
		d->st = H_TRAILER;
	return ev;
}

/* A size or trailer line ended with c (LF, or CR for a size line). */
static enum chunk_ev line_end(struct http_dir *d, uint8_t c)
{
	enum chunk_ev ev;

	if (d->st == H_TRAILER) {
		while (d->n && (d->buf[d->n - 1] == '\r' || d->buf[d->n - 1] == ' '))
			d->n--;
		if (!d->n)
			return CHUNK_END;	/* the empty line after trailers */
		d->n = 0;	/* a trailer field: ignored */
		return CHUNK_MORE;
	}
	ev = size_line(d);
	if (ev == CHUNK_BAD)
		return ev;
	if (c == '\r')
		d->st = H_CHUNK_LF;
	else
		d->st = ev == CHUNK_LAST ? H_TRAILER : H_CHUNK_DATA;
	return ev;
}

/* The inside of a size line (after its first byte) or of a trailer line:
 * kept up to the byte that ends it, found with memchr. A size line over
 * LINE_MAX_LEN is bad at its first byte too many; a trailer line over it
 * starts again after that byte. Returns bytes used. */
static size_t line_run(struct http_dir *d, const uint8_t *p, size_t len,
		       enum chunk_ev *ev)
{
	const uint8_t *e = memchr(p, '\n', len);
	size_t k = e ? (size_t)(e - p) : len, room;

	if (d->st == H_TRAILER) {
		http_buf_keep(d, p, k, LINE_MAX_LEN);
		return k;
	}
	if (d->st != H_CHUNK_SIZE || !d->n)
		return 0;
	if ((e = memchr(p, '\r', k)))
		k = (size_t)(e - p);
	room = LINE_MAX_LEN - d->n;
	if (k > room) {
		probe(d->m, p, room + 1);
		http_buf_put(d, p, room, LINE_MAX_LEN);
		*ev = CHUNK_BAD;
		return room + 1;
	}
	probe(d->m, p, k);
	if (http_buf_put(d, p, k, LINE_MAX_LEN))
		*ev = CHUNK_BAD;	/* no memory */
	return k;
}

size_t httpchunk_bytes(struct http_flow *f, enum stream_dir dir,
		       const uint8_t *p, size_t len, enum chunk_ev *ev)
{
	struct http_dir *d = &f->d[dir];
	size_t i = 0, k;

	*ev = CHUNK_MORE;
	while (i < len && *ev == CHUNK_MORE) {
		enum hstate st = d->st;
		uint8_t c;

		if (st != H_CHUNK_SIZE && st != H_CHUNK_LF && st != H_TRAILER)
			break;
		if ((k = line_run(d, p + i, len - i, ev))) {
			i += k;
			continue;
		}
		c = p[i++];
		if (st == H_CHUNK_LF) {	/* probing ended with the size line */
			d->st = d->m->remain ? H_CHUNK_DATA : H_TRAILER;
			i -= c != '\n';
			continue;
		}
		probe(d->m, &c, 1);
		if (st == H_CHUNK_SIZE && !d->n && (c == '\r' || c == '\n' ||
						    c == ' ' || c == '\t' ||
						    c == '\v' || c == '\f'))
			continue;	/* CRLF after data, stray blank lines */
		if (st == H_CHUNK_SIZE && !d->n && hex_digit(c) < 0)
			*ev = CHUNK_BAD;	/* not a chunk-size line */
		else if (c == '\n' || (c == '\r' && st == H_CHUNK_SIZE))
			*ev = line_end(d, c);
		else if (http_buf_put(d, &c, 1, LINE_MAX_LEN))
			*ev = CHUNK_BAD;	/* no memory */
	}
	return i;
}
