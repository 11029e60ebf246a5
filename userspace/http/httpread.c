// SPDX-License-Identifier: GPL-2.0
/* Alternate readings of a message body for the HTTP parser, under http.c
 * and httphead.c. Where clients frame a body differently (docs/http.md,
 * "Readings"), every other framing is read as well, in parallel with the
 * one that drives the parser (the primary), from the same bytes, into an
 * object of its own that names its reading. Readings never move the
 * parser: message boundaries and positions stay the primary's.
 *
 *   stream bytes --+--> primary framing (http.c) --> object
 *                  +--> reading: length | close | lf-chunks | http09 --> object
 *   primary body ------> reading: chunked-length (a prefix of it) --> object
 */
#include "httpint.h"

enum { RS_RUN, RS_SIZE, RS_DATA, RS_DONE };

struct http_reading {
	struct http_reading *next;
	enum read_frame frame;
	int st;			/* RS_*; RS_SIZE and RS_DATA: chunked */
	int same;		/* its bytes and the primary's are prefixes of
				 * one another: equal lengths, same body */
	int primary_done;	/* the primary's body ended at primary_len */
	int parked;		/* ended; is it the primary's body again? */
	int complete;		/* how it ended */
	int own_codings;	/* decodes otherwise than the primary */
	unsigned flags;
	uint64_t start;		/* the stream offset of its first byte */
	uint64_t off;		/* the stream offset of the next byte it takes */
	uint64_t remain;	/* length and prefix: bytes left; chunked:
				 * bytes left in the chunk */
	uint64_t taken;		/* bytes read, against HTTP_ALT_MAX */
	uint64_t primary_len;
	uint64_t seen[HTTP_READINGS_MAX];	/* lengths of the same kind of
						 * readings of its message emitted */
	unsigned nseen;
	size_t charge;		/* taken from the budget */
	uint32_t seq;
	unsigned nline;
	uint8_t line[64];	/* a chunk-size line: its first bytes decide */
	struct http_req *rq;	/* a copy of the response's request */
	struct http_head head;	/* a copy: the object's metadata */
	struct http_obj obj;
};

static struct http_req *req_copy(const struct http_req *rq)
{
	size_t lm, lh, lu;
	struct http_req *r;

	if (!rq)
		return NULL;
	lm = strlen(rq->method) + 1;
	lh = strlen(rq->host) + 1;
	lu = strlen(rq->uri) + 1;
	r = malloc(sizeof(*r) + lm + lh + lu);
	if (!r)
		return NULL;
	r->next = NULL;
	r->method = memcpy(r->s, rq->method, lm);
	r->host = memcpy(r->s + lm, rq->host, lh);
	r->uri = memcpy(r->s + lm + lh, rq->uri, lu);
	return r;
}

/* Readings of the message in flight (its primary has not ended). */
static unsigned pending(const struct http_dir *d)
{
	unsigned n = 0;

	for (const struct http_reading *r = d->alts; r; r = r->next)
		n += !r->primary_done;
	return n;
}

int httpread_add(struct http_flow *f, enum stream_dir dir,
		 const struct read_spec *rs, const struct http_head *h)
{
	struct http_dir *d = &f->d[dir];
	struct http_ctx *ctx = f->ctx;
	struct http_reading *r;
	/* its state, and a decoder's buffers and window when it decodes */
	size_t charge = sizeof(*r) + (h->content_encoding[0] ? 64 << 10 : 0);

	if (pending(d) >= HTTP_READINGS_MAX || !budget_take(ctx->alt, charge))
		goto refuse;
	r = calloc(1, sizeof(*r));
	if (!r) {
		budget_give(ctx->alt, charge);
		goto refuse;
	}
	r->charge = charge;
	r->frame = rs->frame;
	r->st = rs->frame == RD_LF_CHUNKS ? RS_SIZE : RS_RUN;
	r->same = rs->same;
	r->own_codings = rs->own_codings;
	r->start = r->off = rs->off;
	r->remain = rs->len > 0 ? (uint64_t)rs->len : 0;
	r->seq = rs->seq;
	r->head = *h;
	r->head.reading = rs->name;
	r->head.alternate = 1;
	if (rs->frame == RD_LENGTH || rs->frame == RD_PREFIX)
		r->head.content_length = rs->len;
	r->rq = req_copy(rs->rq);
	r->next = d->alts;
	d->alts = r;
	return 0;
refuse:
	ctx->st.alt_refused++;
	return -ENOMEM;
}

/* ---- objects ------------------------------------------------------------ */

static void obj_open(struct http_flow *f, enum stream_dir dir,
		     struct http_reading *r)
{
	struct http_dir *d = &f->d[dir];

	if (r->obj.open || r->obj.ctx)
		return;
	if (httpobj_begin(f->ctx, &r->obj, f->fi, dir == STREAM_C2S ?
			  OBJ_REQUEST_BODY : OBJ_RESPONSE_BODY, &r->head, r->rq,
			  r->seq, d->ts)) {
		r->obj.ctx = f->ctx;	/* tried: not again */
		return;
	}
	r->obj.pos = &d->pos;
}

/* Do readings a and b of one message give the same body when they have
 * the same length? Both prefixes of the primary's body, or both raw from
 * one offset, decoded alike. */
static int kin(const struct http_reading *a, const struct http_reading *b)
{
	int raw_a = a->frame == RD_LENGTH || a->frame == RD_CLOSE;
	int raw_b = b->frame == RD_LENGTH || b->frame == RD_CLOSE;

	return a->seq == b->seq && ((a->same && b->same) ||
	       (raw_a && raw_b && a->start == b->start && !a->own_codings &&
		!b->own_codings));
}

/* Ends its object: as framed, or dropped when it came out the same as
 * the primary's body or one of its kin. */
static void obj_close(struct http_flow *f, enum stream_dir dir,
		      struct http_reading *r, int dup)
{
	struct http_ctx *ctx = f->ctx;

	if (r->obj.open && !dup)
		for (struct http_reading *o = f->d[dir].alts; o; o = o->next)
			if (o != r && kin(o, r) && o->nseen < HTTP_READINGS_MAX)
				o->seen[o->nseen++] = r->obj.wire_len;
	if (r->obj.open) {
		if (!dup)
			ctx->st.alternates++;
		httpobj_end(&r->obj, r->complete && !dup,
			    dup ? OBJ_DROPPED : r->flags, f->d[dir].ts);
	}
	r->st = RS_DONE;
	r->parked = 0;
	r->obj.open = 0;
}

/* Is the ended reading r the primary's body again, or that of a reading
 * of its kind emitted before? 1 yes, 0 no, -1 not known yet (the primary
 * has read no further). */
static int dup_of_primary(const struct http_dir *d, const struct http_reading *r)
{
	uint64_t plen;

	for (unsigned i = 0; i < r->nseen; i++)
		if (r->seen[i] == r->obj.wire_len)
			return 1;
	if (!r->same)
		return 0;
	if (r->primary_done)
		plen = r->primary_len;
	else if (d->m)
		plen = d->m->body_len;
	else
		return 0;
	if (plen != r->obj.wire_len)
		return 0;
	return r->primary_done ? 1 : -1;
}

/* The reading's framing ended (complete) or was cut (flags). */
static void settle(struct http_flow *f, enum stream_dir dir,
		   struct http_reading *r, int complete, unsigned flags)
{
	int dup;

	r->complete = complete;
	r->flags = flags;
	r->st = RS_DONE;
	dup = dup_of_primary(&f->d[dir], r);
	if (dup < 0)
		r->parked = 1;
	else
		obj_close(f, dir, r, dup);
}

/* Unlinks and frees the readings whose object is closed. */
static void sweep(struct http_flow *f, enum stream_dir dir)
{
	struct http_reading **pp = &f->d[dir].alts, *r;

	while ((r = *pp)) {
		if (r->st != RS_DONE || r->parked) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		if (r->obj.open)
			httpobj_end(&r->obj, 0, OBJ_TRUNCATED, f->d[dir].ts);
		budget_give(f->ctx->alt, r->charge);
		free(r->rq);
		free(r);
	}
}

/* Parked readings whose question the primary has answered since. */
static void unpark(struct http_flow *f, enum stream_dir dir)
{
	for (struct http_reading *r = f->d[dir].alts; r; r = r->next) {
		int dup;

		if (r->parked && (dup = dup_of_primary(&f->d[dir], r)) >= 0)
			obj_close(f, dir, r, dup);
	}
}

/* ---- framing ------------------------------------------------------------ */

static void take(struct http_flow *f, enum stream_dir dir,
		 struct http_reading *r, const uint8_t *p, size_t len)
{
	if (!len)
		return;
	obj_open(f, dir, r);
	httpobj_wire(&r->obj, p, len);
}

/* A chunk-size line of a reading whose lines end at LF alone: blank
 * lines between chunks are skipped; the size as httpchunk_size reads it. */
static void lf_size_line(struct http_flow *f, enum stream_dir dir,
			 struct http_reading *r)
{
	uint64_t size;
	unsigned n = r->nline;

	r->nline = 0;
	if (n && r->line[n - 1] == '\r')
		n--;
	if (!n)
		return;
	if (httpchunk_size(r->line, n, &size)) {
		settle(f, dir, r, 0, OBJ_TRUNCATED | OBJ_DECODE_ERR);
		return;
	}
	if (!size) {
		settle(f, dir, r, 1, 0);
		return;
	}
	r->remain = size;
	r->st = RS_DATA;
}

/* Chunked bytes, lines ended by LF only. Returns bytes used. */
static size_t lf_chunks(struct http_flow *f, enum stream_dir dir,
			struct http_reading *r, const uint8_t *p, size_t len)
{
	const uint8_t *lf;
	size_t k;

	if (r->st == RS_DATA) {
		k = len < r->remain ? len : (size_t)r->remain;
		take(f, dir, r, p, k);
		r->remain -= k;
		if (!r->remain)
			r->st = RS_SIZE;
		return k;
	}
	lf = memchr(p, '\n', len);
	k = lf ? (size_t)(lf - p) : len;
	for (size_t i = 0; i < k && r->nline < sizeof(r->line); i++)
		r->line[r->nline++] = p[i];
	if (!lf)
		return k;
	lf_size_line(f, dir, r);
	return k + 1;
}

/* Bytes p[0..len) for reading r: its framing decides what it keeps. */
static void frame_run(struct http_flow *f, enum stream_dir dir,
		      struct http_reading *r, const uint8_t *p, size_t len)
{
	size_t k;

	while (len && r->st != RS_DONE) {
		switch (r->frame) {
		case RD_CLOSE:
			take(f, dir, r, p, len);
			return;
		case RD_LENGTH:
		case RD_PREFIX:
			k = len < r->remain ? len : (size_t)r->remain;
			take(f, dir, r, p, k);
			r->remain -= k;
			if (!r->remain)
				settle(f, dir, r, 1, 0);
			return;
		case RD_LF_CHUNKS:
			k = lf_chunks(f, dir, r, p, len);
			p += k;
			len -= k;
			break;
		}
	}
}

/* frame_run within the cap on the bytes a reading reads: past it the
 * reading ends truncated (counted). */
static void frame(struct http_flow *f, enum stream_dir dir,
		  struct http_reading *r, const uint8_t *p, size_t len)
{
	size_t room = (size_t)(HTTP_ALT_MAX - r->taken);

	r->taken += len < room ? len : room;
	frame_run(f, dir, r, p, len < room ? len : room);
	if (len > room && r->st != RS_DONE) {
		f->ctx->st.alt_capped++;
		settle(f, dir, r, 0, OBJ_TRUNCATED);
	}
}

void httpread_data(struct http_flow *f, enum stream_dir dir, uint64_t off,
		   const uint8_t *p, size_t len)
{
	for (struct http_reading *r = f->d[dir].alts; r; r = r->next) {
		uint64_t skip = r->off > off ? r->off - off : 0;

		if (r->frame == RD_PREFIX || r->st == RS_DONE || skip >= len)
			continue;
		frame(f, dir, r, p + skip, len - skip);
		r->off = off + len;
	}
	unpark(f, dir);
	sweep(f, dir);
}

void httpread_pre(struct http_flow *f, enum stream_dir dir,
		  const uint8_t *p, size_t len)
{
	struct http_reading *r = f->d[dir].alts;	/* the newest */

	if (r && r->st != RS_DONE)
		frame(f, dir, r, p, len);
}

void httpread_body(struct http_flow *f, enum stream_dir dir,
		   const uint8_t *p, size_t len)
{
	for (struct http_reading *r = f->d[dir].alts; r; r = r->next)
		if (r->frame == RD_PREFIX && r->st != RS_DONE && !r->primary_done)
			frame(f, dir, r, p, len);
}

int httpread_any(const struct http_flow *f, enum stream_dir dir)
{
	return pending(&f->d[dir]) > 0;
}

void httpread_primary_end(struct http_flow *f, enum stream_dir dir,
			  uint64_t len)
{
	for (struct http_reading *r = f->d[dir].alts; r; r = r->next) {
		if (r->primary_done)
			continue;
		r->primary_done = 1;
		r->primary_len = len;
		if (r->frame == RD_PREFIX && r->st != RS_DONE)
			settle(f, dir, r, 1, 0);	/* shorter than its cut */
	}
	unpark(f, dir);
	sweep(f, dir);
}

void httpread_gap(struct http_flow *f, enum stream_dir dir)
{
	for (struct http_reading *r = f->d[dir].alts; r; r = r->next) {
		if (r->st == RS_DONE)
			continue;
		obj_open(f, dir, r);
		settle(f, dir, r, 0, OBJ_GAP | OBJ_TRUNCATED);
	}
	sweep(f, dir);
}

void httpread_end(struct http_flow *f, enum stream_dir dir, int orderly)
{
	for (struct http_reading *r = f->d[dir].alts; r; r = r->next) {
		if (r->primary_done == 0) {
			r->primary_done = 1;	/* the primary can't go on */
			r->primary_len = f->d[dir].m ? f->d[dir].m->body_len : 0;
		}
		if (r->st == RS_DONE)
			continue;
		if (r->frame == RD_CLOSE && orderly)
			settle(f, dir, r, 1, 0);
		else
			settle(f, dir, r, 0, OBJ_TRUNCATED);
	}
	unpark(f, dir);
	sweep(f, dir);
}

void httpread_free(struct http_flow *f, enum stream_dir dir)
{
	for (struct http_reading *r = f->d[dir].alts; r; r = r->next) {
		r->st = RS_DONE;
		r->parked = 0;
	}
	sweep(f, dir);
}
