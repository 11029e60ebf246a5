// SPDX-License-Identifier: GPL-2.0
/* Chunked transfer coding for the HTTP parser (http.c): chunk-size lines,
 * chunk data boundaries and trailers, read with browser tolerance, and the
 * fallback to unchunked framing when a body declared chunked is not. */
#include <string.h>

#include "httpint.h"

/* The first chunk-size line was not one: the sender did not chunk after
 * all (Firefox ignores Transfer-Encoding in places where Chromium does
 * not). Re-read the bytes as a Content-Length or close-delimited body. */
void httpchunk_fallback(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	uint8_t tmp[sizeof(d->probe)];
	size_t n = d->nprobe;

	memcpy(tmp, d->probe, n);
	d->pos -= n;	/* the probed bytes are read again */
	d->probing = 0;
	d->nprobe = 0;
	d->n = 0;
	d->head->anomalies |= ANOM_BAD_CHUNK;
	if (d->head->content_length > 0) {
		d->remain = d->head->content_length;
		d->st = H_CL;
	} else if (d->head->content_length == 0 || dir == STREAM_C2S) {
		http_msg_done(f, dir);
	} else {
		d->st = H_CLOSE;
	}
	http_feed(f, dir, tmp, n);
}

static void bad_chunk(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];

	if (d->probing) {
		httpchunk_fallback(f, dir);
		return;
	}
	d->obj.anomalies |= ANOM_BAD_CHUNK;
	http_obj_finish(f, dir, 0, OBJ_TRUNCATED | OBJ_DECODE_ERR);
	d->st = H_RESYNC;
	d->n = 0;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A complete chunk-size line is in d->buf: leading hex digits are the
 * size; extensions and junk after them are ignored, as browsers do. */
void httpchunk_line(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	uint64_t size = 0;
	size_t i = 0, k;

	while (i < d->n && (d->buf[i] == ' ' || d->buf[i] == '\t'))
		i++;
	for (k = i; k < d->n && hexval(d->buf[k]) >= 0; k++) {
		if (size >> 56) {
			bad_chunk(f, dir);
			return;
		}
		size = size * 16 + hexval(d->buf[k]);
	}
	if (k == i) {
		bad_chunk(f, dir);
		return;
	}
	d->probing = 0;
	d->n = 0;
	d->remain = size;
	if (!size) {
		http_obj_finish(f, dir, 1, 0);
		d->st = H_TRAILER;
	}
}

/* A size or trailer line ended with c (LF, or CR for a size line).
 * Returns 0 when chunk framing is over (message done, fallback, error). */
static int line_end(struct http_flow *f, enum stream_dir dir, uint8_t c)
{
	struct http_dir *d = &f->d[dir];

	if (d->st == H_TRAILER) {
		while (d->n && (d->buf[d->n - 1] == '\r' || d->buf[d->n - 1] == ' '))
			d->n--;
		if (!d->n) {
			http_msg_done(f, dir);	/* the empty line after trailers */
			return 0;
		}
		d->n = 0;	/* a trailer field: ignored */
		return 1;
	}
	httpchunk_line(f, dir);
	if (d->st == H_CHUNK_SIZE)
		d->st = c == '\r' ? H_CHUNK_LF : d->remain ? H_CHUNK_DATA : H_TRAILER;
	else if (d->st == H_TRAILER && c == '\r')
		d->st = H_CHUNK_LF;
	return d->st == H_CHUNK_LF || d->st == H_CHUNK_DATA || d->st == H_TRAILER;
}

/* Chunk framing bytes (size lines, trailers), one at a time. */
size_t httpchunk_bytes(struct http_flow *f, enum stream_dir dir,
			  const uint8_t *p, size_t len)
{
	struct http_dir *d = &f->d[dir];
	size_t i = 0;

	while (i < len) {
		uint8_t c = p[i];
		enum hstate st = d->st;

		if (st != H_CHUNK_SIZE && st != H_CHUNK_LF && st != H_TRAILER)
			break;
		i++;
		d->pos++;
		if (d->probing && d->nprobe < sizeof(d->probe))
			d->probe[d->nprobe++] = c;
		if (st == H_CHUNK_LF) {
			d->st = d->remain ? H_CHUNK_DATA : H_TRAILER;
			if (c == '\n')
				continue;
			i--;
			d->pos--;
			if (d->probing)
				d->nprobe--;
			continue;
		}
		if (st == H_CHUNK_SIZE && !d->n && (c == '\r' || c == '\n' ||
						    c == ' ' || c == '\t' ||
						    c == '\v' || c == '\f'))
			continue;	/* CRLF after data, stray blank lines */
		if (st == H_CHUNK_SIZE && !d->n && hexval(c) < 0) {
			bad_chunk(f, dir);	/* not a chunk-size line */
			break;
		}
		if (c == '\n' || (c == '\r' && st == H_CHUNK_SIZE)) {
			if (!line_end(f, dir, c))
				break;
			continue;
		}
		if (http_buf_add(d, c, LINE_MAX_LEN)) {
			if (st == H_TRAILER) {
				d->n = 0;
				continue;
			}
			bad_chunk(f, dir);
			break;
		}
	}
	return i;
}
