// SPDX-License-Identifier: GPL-2.0
/* Which readings a message calls for, for the HTTP parser, under
 * httphead.c: from a parsed head (and its framing), the other framings
 * clients take (docs/http.md, "Readings"), started through httpread.c;
 * the HTTP/0.9 reading of junk before a first status line; the lf-chunks
 * reading of a first chunk-size line ended by a lone CR. */
#include <stdlib.h>
#include <string.h>

#include "httpint.h"

/* Adds a reading of the message in flight of dir, from its body's
 * first byte (the current position). Returns 1: a reading was wanted
 * (added, or refused and counted). */
static int reading(struct http_flow *f, enum stream_dir dir,
		   const char *name, enum read_frame frame, int64_t len)
{
	struct http_dir *d = &f->d[dir];
	struct read_spec rs = {
		.name = name, .frame = frame, .len = len, .off = d->pos,
		.same = frame == RD_PREFIX ||
			(frame != RD_LF_CHUNKS && d->st != H_CHUNK_SIZE),
		.seq = d->seq, .rq = dir == STREAM_S2C ? f->cur : NULL,
	};

	httpread_add(f, dir, &rs, &d->m->head);
	return 1;
}

/* The framing a head h2 gives a body: its frame (-1: none, a request
 * without length) and *len. */
static int lf_framing(const struct http_head *h2, enum stream_dir dir, int64_t *len)
{
	*len = h2->content_length;
	if (httphdr_plain_chunked(h2->transfer_encoding))
		return RD_LF_CHUNKS;
	if (h2->content_length > 0)
		return RD_LENGTH;
	return dir == STREAM_S2C && h2->content_length < 0 ? RD_CLOSE : -1;
}

/* Do heads a and b decode a body alike (content codings, and transfer
 * codings other than chunked)? */
static int same_codings(const struct http_head *a, const struct http_head *b)
{
	enum decode_coding ca[DECODE_MAX_LAYERS], cb[DECODE_MAX_LAYERS];
	int x, y, z;
	unsigned na = decode_parse_codings(a->transfer_encoding, ca, DECODE_MAX_LAYERS,
					   &x, &y, &z);
	unsigned nb = decode_parse_codings(b->transfer_encoding, cb, DECODE_MAX_LAYERS,
					   &x, &y, &z);

	return !strcmp(a->content_encoding, b->content_encoding) && na == nb &&
	       !memcmp(ca, cb, na * sizeof(ca[0]));
}

/* Does the primary of dir frame its body as frame/len does? */
static int same_framing(const struct http_dir *d, int frame, int64_t len)
{
	if (frame == RD_LF_CHUNKS)
		return d->st == H_CHUNK_SIZE;
	if (frame == RD_LENGTH)
		return d->st == H_CL && d->m->head.content_length == len;
	return d->st == H_CLOSE;
}

/* The reading of a client that ends lines at LF alone (curl): it may end
 * the head earlier (at a line starting with CR), see other fields (a lone
 * CR does not end a line; no folding; no spaced names) and so frame the
 * body otherwise. Added when its head, framing or codings differ.
 * Returns 1 if it was wanted. */
static int lf_head(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	struct http_head *h = &d->m->head, *h2 = malloc(sizeof(*h2));
	uint8_t *v = malloc(d->n + 1);
	struct read_spec rs = { .name = "lf-head", .seq = d->seq,
				.rq = dir == STREAM_S2C ? f->cur : NULL };
	size_t end, n;
	int fr, same, wanted = 0;

	if (!h2 || !v)
		goto out;
	n = httphdr_lf_view(d->buf, d->n, v, &end);
	if (httphdr_parse(v, n, dir == STREAM_S2C, h2))
		goto out;
	fr = lf_framing(h2, dir, &rs.len);
	rs.frame = fr;
	same = end == d->n && same_codings(h, h2);
	/* a head that ended at a blank-ish line: the primary's body may
	 * start after a blank line that follows, this reading's does not */
	if (fr < 0 || (same && !d->skip_blank && same_framing(d, rs.frame, rs.len)))
		goto out;
	if (same && !d->skip_blank)	/* only the framing differs: named by it */
		rs.name = fr == RD_LF_CHUNKS ? "lf-chunks" : fr == RD_LENGTH ? "length" : "close";
	rs.off = d->pos;
	rs.same = same && !d->skip_blank && rs.frame != RD_LF_CHUNKS &&
		  d->st != H_CHUNK_SIZE;
	rs.own_codings = !same_codings(h, h2);
	h2->anomalies = h->anomalies;	/* the message's */
	h2->head_off = h->head_off;
	h2->body_off = d->head_start + end;
	wanted = 1;
	if (!httpread_add(f, dir, &rs, h2))
		httpread_pre(f, dir, d->buf + end, d->n - end);
out:
	free(v);
	free(h2);
	return wanted;
}

/* The primary reading's name, by the state its body starts in. */
static const char *primary_name(enum hstate st)
{
	return st == H_CHUNK_SIZE ? "chunked" : st == H_CLOSE ? "close" : "length";
}

/* The other framings clients take for the head just parsed (docs/http.md,
 * "Readings"): the de-chunked body cut at Content-Length; the raw body
 * when some clients ignore Transfer-Encoding; every Content-Length some
 * client takes; until close when some client finds none usable. */
void httpalt_head(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	struct http_head *h = &d->m->head;
	int chunked = d->st == H_CHUNK_SIZE, raw = !chunked || (h->doubt & HD_TE_RAW);
	int64_t primary = d->st == H_CL ? h->content_length : d->st == H_HEAD ? 0 : -1;
	unsigned want = dir == STREAM_C2S ? HTTP_EMIT_REQUESTS : HTTP_EMIT_RESPONSES;
	int tried = httpread_any(f, dir);	/* http09, from the prelude */

	if (!(f->ctx->conf.emit & want))
		return;
	if (chunked && h->content_length > 0)
		tried |= reading(f, dir, "chunked-length", RD_PREFIX, h->content_length);
	if (chunked && raw && !h->nlengths && h->content_length > 0)
		tried |= reading(f, dir, "length", RD_LENGTH, h->content_length);
	for (unsigned i = 0; raw && i < h->nlengths; i++)
		if (h->lengths[i] > 0 && h->lengths[i] != primary)
			tried |= reading(f, dir, "length", RD_LENGTH, h->lengths[i]);
	if (raw && dir == STREAM_S2C && d->st != H_CLOSE &&
	    ((h->doubt & HD_CL_CLOSE) || (chunked && h->content_length < 0)))
		tried |= reading(f, dir, "close", RD_CLOSE, 0);
	if (h->anomalies & (ANOM_BARE_LF | ANOM_OBS_FOLD))
		tried |= lf_head(f, dir);
	if (tried)	/* read more than one way, or meant to be */
		h->reading = primary_name(d->st);
}

/* The junk in d->buf before a status line is read as the start of an
 * HTTP/0.9 body too (clients that do not look past it: Chromium beyond
 * its first 4 bytes). */
void httpalt_http09(struct http_flow *f)
{
	struct http_dir *d = &f->d[STREAM_S2C];
	struct http_head *h = malloc(sizeof(*h));
	struct read_spec rs = {
		.name = "http09", .frame = RD_CLOSE,
		.off = d->head_start + d->n, .seq = d->finals, .rq = f->qhead,
	};

	if (!h || !(f->ctx->conf.emit & HTTP_EMIT_RESPONSES)) {
		f->ctx->st.alt_refused += !h;
		free(h);
		return;
	}
	memset(h, 0, sizeof(*h));
	h->response = 1;
	h->http09 = 1;
	h->status = 200;
	h->content_length = -1;
	if (!httpread_add(f, STREAM_S2C, &rs, h))
		httpread_pre(f, STREAM_S2C, d->buf, d->n);
	free(h);
}

/* The first chunk-size line ended with a CR alone: clients that end lines
 * at LF only (curl, Firefox; Chromium too, and then refuses the body) read
 * the chunks otherwise, from the first byte of the body (the probe holds
 * the bytes read so far). Past the first line the bytes before are hashed
 * already: not read, counted. */
void httpalt_lf_chunks(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	struct http_inflight *m = d->m;
	struct read_spec rs = {
		.name = "lf-chunks", .frame = RD_LF_CHUNKS, .seq = d->seq,
		.off = m->head.body_off + m->nprobe,
		.rq = dir == STREAM_S2C ? f->cur : NULL,
	};

	m->lf_tried = 1;
	if (!(f->ctx->conf.emit & (dir == STREAM_C2S ? HTTP_EMIT_REQUESTS :
						       HTTP_EMIT_RESPONSES)))
		return;
	m->head.reading = "chunked";
	if (m->body_len || m->obj.open || m->nprobe >= sizeof(m->probe)) {
		f->ctx->st.alt_refused++;
		return;
	}
	if (!httpread_add(f, dir, &rs, &m->head))
		httpread_pre(f, dir, m->probe, m->nprobe);
}
