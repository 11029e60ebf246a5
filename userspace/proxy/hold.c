// SPDX-License-Identifier: GPL-2.0
/* hold: what of each direction of a connection goes on, decided as the
 * HTTP parser reads it. Requests go once their head is parsed (a learned
 * URL is refused there); responses go once their head and first body
 * bytes show they are not media; media responses, head included, wait
 * for the verdict on their body, then go exactly as read or become the
 * 451 page (or a reset).
 *
 *   in (read) ──parser──▶ msg / object events ──▶ mode per message
 *      │ [done ......... fed)                        │
 *      └── release: to out, as is ◀── PASS ──────────┤
 *          drop ◀── DROP ────────────────────────────┤
 *          wait ◀── IDLE, SNIFF, HOLD ───────────────┘
 *
 * Positions come from the parser (http_msg, obj_meta): a chunk read may
 * hold the end of one response and the start of the next, each with its
 * own fate. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "object/sniff.h"
#include "proxy_int.h"

/* One object of the parser, watched on its way to the objsink. */
struct pobj {
	struct conn *c;
	void *o;       /* the objsink's; NULL if it declined */
	bool s2c;
	bool alt;      /* an alternate reading of its message: hashed and
			* matched, never moves the message (http.h) */
	bool judging;  /* its first bytes decide whether its response is media */
	enum obj_kind kind;
	uint8_t sniff[PROXY_SNIFF];
	size_t nsniff;
	struct pverdict v;
	char *host, *uri; /* of a hit */
};

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- bytes ---------------------------------------------------------- */

/* Bytes of d before stream offset to go to the other side, as read. */
static void release_to(struct conn *c, struct pdir *d, uint64_t to)
{
	size_t n;

	if (to <= d->done)
		return;
	n = to - d->done < d->in.len ? (size_t)(to - d->done) : d->in.len;
	if (pbuf_append(&d->out, pbuf_data(&d->in), n)) {
		c->reset = true; /* out of memory: the connection can't go on */
		return;
	}
	pbuf_consume(&d->in, n);
	d->done += n;
}

static void drop_to(struct pdir *d, uint64_t to)
{
	size_t n;

	if (to <= d->done)
		return;
	n = to - d->done < d->in.len ? (size_t)(to - d->done) : d->in.len;
	pbuf_consume(&d->in, n);
	d->done += n;
}

/* Applies the mode of the current message to its bytes before to. */
static void settle_to(struct conn *c, struct pdir *d, uint64_t to)
{
	if (d->mode == M_DROP)
		drop_to(d, to);
	else
		release_to(c, d, to);
}

/* ---- holding --------------------------------------------------------- */

static void hold_give(struct conn *c)
{
	if (!c->held)
		return;
	budget_give(&c->l->p->hold, c->held);
	c->held = 0;
}

static void to_hold(struct conn *c)
{
	c->d[STREAM_S2C].mode = M_HOLD;
	PCOUNT(c->l, held, 1);
}

/* A media response that can't be held (past hold_max, hold_total full)
 * goes on unjudged; it is still hashed, and reset if it then matches. */
static void stream_on(struct conn *c, bool full)
{
	struct pdir *d = &c->d[STREAM_S2C];

	hold_give(c);
	d->mode = M_PASS;
	if (full)
		PCOUNT(c->l, hold_full, 1);
	else
		PCOUNT(c->l, streamed, 1);
	release_to(c, d, d->fed);
}

/* What the held response takes now (from its head on) against the caps. */
static void hold_grow(struct conn *c)
{
	struct proxy *p = c->l->p;
	struct pdir *d = &c->d[STREAM_S2C];
	uint64_t want = d->fed - d->done;

	if (want > p->conf.hold_max) {
		stream_on(c, false);
		return;
	}
	if (want <= c->held)
		return;
	if (!budget_take(&p->hold, want - c->held)) {
		stream_on(c, true);
		return;
	}
	c->held = want;
}

/* Does a declared Content-Type name media? */
static bool media_ctype(const char *const *list, const char *ct)
{
	size_t n = strcspn(ct, "; \t");

	for (; *list; list++) {
		size_t k = strlen(*list);

		if (!strchr(*list, '/') || !k)
			continue;
		if ((*list)[k - 1] == '/' ? !strncasecmp(ct, *list, k)
					  : k == n && !strncasecmp(ct, *list, n))
			return true;
	}
	return false;
}

static bool media_sniffed(const char *const *list, const char *type)
{
	for (; *type && *list; list++)
		if (!strchr(*list, '/') && !strcmp(*list, type))
			return true;
	return false;
}

/* The first decoded bytes of the response's body are in: media or not. */
static void judge(struct pobj *po)
{
	struct conn *c = po->c;

	po->judging = false;
	if (c->d[STREAM_S2C].mode != M_SNIFF)
		return;
	if (media_sniffed(c->l->p->media, sniff_type(po->sniff, po->nsniff)))
		to_hold(c);
	else
		c->d[STREAM_S2C].mode = M_PASS;
}

/* ---- blocks ---------------------------------------------------------- */

static void fill_block(struct conn *c, struct proxy_block *b, const struct pverdict *v,
		       const char *host, const char *uri, enum proxy_enforced how)
{
	memset(b, 0, sizeof(*b));
	b->ts_ns = wall_ns();
	b->flow_id = c->fi.id;
	memcpy(b->client, c->fi.client_addr, 16);
	memcpy(b->server, c->fi.server_addr, 16);
	b->cport = c->fi.client_port;
	b->sport = c->fi.server_port;
	b->host = host ? host : "";
	b->uri = uri ? uri : "";
	b->accept_language = c->lang ? c->lang : "";
	b->list = v->list;
	b->category = v->category;
	b->hash_type = v->hash_type;
	b->hash = v->hash;
	b->hash_len = v->hash_len;
	b->distance = v->distance;
	b->how = how;
	b->act = v->d.act;
	b->status = v->d.status ? v->d.status : 451;
	b->rule = v->d.rule;
	b->version = v->d.version;
	b->page_category = v->d.category[0] ? v->d.category : v->category;
	b->page_template = v->d.notice;
}

static void report(struct conn *c, const struct proxy_block *b)
{
	const struct proxy_conf *cf = &c->l->p->conf;

	if (cf->block)
		cf->block(cf->block_ctx, b);
}

static void learn_match(struct conn *c, const struct pobj *po)
{
	struct proxy *p = c->l->p;

	if (p->conf.learn_ns && po->host && po->uri)
		learn_add(p->learn, po->host, po->uri, &po->v, c->l->now_ns + p->conf.learn_ns);
}

/* A response object matched: the client gets none of it (the 451 page in
 * place of the response, or a reset), or, if part of the response went
 * already, a reset. */
static void block(struct conn *c, const struct pobj *po, const struct obj_end *e)
{
	struct pdir *d = &c->d[STREAM_S2C];
	uint64_t sent = d->done > d->head_off ? d->done - d->head_off : 0;
	enum proxy_enforced how = sent ? PROXY_ENF_PARTIAL :
				  po->v.d.act == PROXY_RESET ? PROXY_ENF_RESET :
							      PROXY_ENF_NOTICE;
	struct proxy_block b;
	bool keep;

	PCOUNT(c->l, blocked, 1);
	learn_match(c, po);
	if (c->msg_blocked)
		return; /* a second object of the same response: enforced once */
	c->msg_blocked = true;
	hold_give(c);
	d->mode = M_DROP;
	fill_block(c, &b, &po->v, po->host, po->uri, how);
	b.delivered = sent;
	/* the connection stays usable if the blocked body was read whole
	 * and delimited: the next response starts where it ended */
	keep = (e->flags & OBJ_COMPLETE) && !(d->msg_flags & HTTP_MSG_CLOSE) && !d->eof;
	if (how != PROXY_ENF_NOTICE || notice_append(&d->out, &c->l->p->conf, &b, !keep))
		c->reset = true;
	else if (!keep)
		c->close_after = true;
	report(c, &b);
}

/* A learned refusal goes out once the responses due before it went. */
static void refuse_check(struct conn *c)
{
	struct pdir *d = &c->d[STREAM_S2C];

	if (!c->refusing || (!d->eof && (d->nmsg < c->refuse_at || d->mode != M_IDLE)))
		return;
	c->refusing = false;
	if (pbuf_append(&d->out, pbuf_data(&c->refusal), c->refusal.len))
		c->reset = true;
	pbuf_free(&c->refusal);
	hold_give(c);
	d->mode = M_DROP;
	c->close_after = true;
}

/* A request for a URL that matched before (how: learned), or one the
 * caller's decision refuses (request): it never reaches the server; the
 * client gets the page in its place, then the connection closes, or a
 * reset. */
static void refuse(struct conn *c, const struct http_msg *m, const struct pverdict *v,
		   enum proxy_enforced how)
{
	struct pdir *q = &c->d[STREAM_C2S];
	struct proxy_block b;

	q->mode = M_DROP;
	if (how == PROXY_ENF_LEARNED)
		PCOUNT(c->l, learned, 1);
	else
		PCOUNT(c->l, refused, 1);
	fill_block(c, &b, v, m->host, m->uri, how);
	if (v->d.act == PROXY_RESET) {
		c->reset = true;
	} else if (!c->refusing && !c->close_after) {
		c->refusing = true;
		c->refuse_at = q->nmsg - 1;
		if (notice_append(&c->refusal, &c->l->p->conf, &b, true))
			c->reset = true;
	}
	report(c, &b);
	refuse_check(c);
}

/* ---- messages -------------------------------------------------------- */

/* The caller's decision on a request head: true when it refuses it (v
 * then says how). */
static bool ask_request(struct conn *c, const struct http_msg *m, struct pverdict *v)
{
	const struct proxy_conf *cf = &c->l->p->conf;
	struct proxy_request r = {.flow_id = c->fi.id, .cport = c->fi.client_port,
				  .sport = c->fi.server_port, .host = m->host, .uri = m->uri};

	memset(v, 0, sizeof(*v));
	v->distance = -1;
	memcpy(r.client, c->fi.client_addr, 16);
	memcpy(r.server, c->fi.server_addr, 16);
	cf->request(cf->decide_ctx, &r, &v->d);
	v->blocked = v->d.act != PROXY_PASS;
	return v->blocked;
}

/* A browser sends one Accept-Language on all its requests: the last one
 * is kept for the connection's notices (one allocation while it stays
 * the same; none when it is absent). */
static void keep_language(struct conn *c, const char *al)
{
	if (!al || !*al || (c->lang && !strcmp(c->lang, al)))
		return;
	free(c->lang);
	c->lang = strdup(al); /* out of memory: the notice's default language */
}

static void request_msg(struct conn *c, const struct http_msg *m)
{
	struct pdir *d = &c->d[STREAM_C2S];
	struct proxy *p = c->l->p;
	struct pverdict v;

	if (d->mode == M_DROP || d->tunnel)
		return;
	if (m->ev == HTTP_MSG_DONE) {
		release_to(c, d, m->end_off);
		d->mode = M_IDLE;
		return;
	}
	release_to(c, d, m->head_off);
	d->nmsg++;
	d->mode = M_PASS;
	keep_language(c, m->accept_language);
	if (m->flags & HTTP_MSG_TUNNEL)
		d->tunnel = true;
	else if (p->conf.learn_ns && learn_find(p->learn, m->host, m->uri, c->l->now_ns, &v))
		refuse(c, m, &v, PROXY_ENF_LEARNED);
	else if (p->conf.request && ask_request(c, m, &v))
		refuse(c, m, &v, PROXY_ENF_REQUEST);
}

static void response_done(struct conn *c, const struct http_msg *m)
{
	struct pdir *d = &c->d[STREAM_S2C];

	if (d->mode == M_HOLD)
		PCOUNT(c->l, released, 1);
	settle_to(c, d, m->end_off);
	hold_give(c);
	if (d->mode != M_DROP || !c->close_after)
		d->mode = M_IDLE;
	if (!(m->flags & HTTP_MSG_INTERIM))
		d->nmsg++;
	refuse_check(c);
}

static void response_msg(struct conn *c, const struct http_msg *m)
{
	struct pdir *d = &c->d[STREAM_S2C];

	if (d->tunnel || (d->mode == M_DROP && c->close_after))
		return;
	if (m->ev == HTTP_MSG_DONE) {
		response_done(c, m);
		return;
	}
	settle_to(c, d, m->head_off); /* the rest of a message cut short */
	hold_give(c);
	d->mode = M_SNIFF;
	d->head_off = m->head_off;
	d->body_off = m->body_off;
	d->msg_flags = m->flags;
	c->msg_blocked = false;
	if (m->flags & HTTP_MSG_TUNNEL) {
		d->tunnel = c->d[STREAM_C2S].tunnel = true;
		d->mode = c->d[STREAM_C2S].mode = M_PASS;
	}
}

void hold_msg(void *ctx, const struct http_msg *m)
{
	(void)ctx;
	if (m->dir == STREAM_C2S)
		request_msg(conn_of(m->flow), m);
	else
		response_msg(conn_of(m->flow), m);
}

/* ---- objects ---------------------------------------------------------- */

static void response_begin(struct conn *c, struct pobj *po, const struct obj_meta *m)
{
	struct pdir *d = &c->d[STREAM_S2C];

	if (d->tunnel)
		return;
	if (d->mode == M_IDLE) { /* a body without a head of its own: a late
				  * body, HTTP/0.9; framing unsure */
		d->mode = M_SNIFF;
		d->head_off = d->body_off = d->done;
		d->msg_flags = HTTP_MSG_CLOSE;
		c->msg_blocked = false;
	}
	if (d->mode != M_SNIFF)
		return; /* a later part of a response already judged */
	po->judging = true;
	if (media_ctype(c->l->p->media, m->content_type))
		to_hold(c);
}

static void *o_begin(void *ctx, const struct obj_meta *m)
{
	struct loop *l = ctx;
	struct pobj *po = calloc(1, sizeof(*po));

	if (!po)
		return NULL;
	po->c = conn_of(m->flow);
	po->kind = m->kind;
	po->s2c = m->kind == OBJ_RESPONSE_BODY || m->kind == OBJ_BYTERANGE_PART;
	po->alt = m->alternate;
	po->o = objsink_object_ops()->begin(l->sink, m);
	if (po->s2c && !po->alt)
		response_begin(po->c, po, m);
	return po;
}

static void o_wire(void *obj, const uint8_t *p, size_t len)
{
	struct pobj *po = obj;

	if (po->o)
		objsink_object_ops()->wire(po->o, p, len);
}

static void o_data(void *obj, const uint8_t *p, size_t len)
{
	struct pobj *po = obj;

	if (po->o)
		objsink_object_ops()->data(po->o, p, len);
	if (po->judging) {
		size_t k = PROXY_SNIFF - po->nsniff < len ? PROXY_SNIFF - po->nsniff : len;

		memcpy(po->sniff + po->nsniff, p, k);
		po->nsniff += k;
		if (po->nsniff == PROXY_SNIFF)
			judge(po);
	}
}

static void response_end(struct conn *c, struct pobj *po, const struct obj_end *e)
{
	struct pdir *d = &c->d[STREAM_S2C];

	if (po->judging)
		judge(po);
	if (po->v.blocked) {
		block(c, po, e);
	} else if (d->mode == M_HOLD && po->kind == OBJ_RESPONSE_BODY && !po->alt) {
		/* allowed (or not judged alone: a range piece is matched
		 * only once stitched): it goes as it came */
		hold_give(c);
		d->mode = M_PASS;
		PCOUNT(c->l, released, 1);
	}
}

static void o_end(void *obj, const struct obj_end *e)
{
	struct pobj *po = obj;
	struct loop *l = po->c->l;

	/* the objsink calls the verdict back from its end, in this thread */
	l->cur = po;
	if (po->o)
		objsink_object_ops()->end(po->o, e);
	l->cur = NULL;
	if (po->s2c)
		response_end(po->c, po, e);
	free(po->host);
	free(po->uri);
	free(po);
}

/* Without the caller's decision: a hit blocks, as conf.blocked says. */
static void default_decision(const struct proxy_conf *cf, const struct obj_verdict *v,
			     struct proxy_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->act = !v->hits ? PROXY_PASS : cf->blocked == PROXY_BLOCKED_RESET ? PROXY_RESET
									 : PROXY_NOTICE;
}

void hold_verdict(void *ctx, const struct obj_verdict *v)
{
	struct loop *l = ctx;
	struct pobj *po = l->cur;
	const struct proxy_conf *cf = &l->p->conf;
	struct proxy_decision d;

	if (!po || po->v.blocked)
		return;
	if (cf->object)
		cf->object(cf->decide_ctx, v, &d);
	else
		default_decision(cf, v, &d);
	if (d.act == PROXY_PASS)
		return;
	pverdict_copy(&po->v, v);
	po->v.blocked = true;
	po->v.d = d;
	po->host = strdup(v->host ? v->host : "");
	po->uri = strdup(v->uri ? v->uri : "");
}

const struct object_ops *hold_object_ops(void)
{
	static const struct object_ops ops = {
		.begin = o_begin,
		.wire = o_wire,
		.data = o_data,
		.end = o_end,
	};

	return &ops;
}

/* ---- entry points ---------------------------------------------------- */

/* Do bytes of d wait for a head or a verdict? */
static bool waiting(const struct pdir *d)
{
	return d->in.len && !d->eof && d->mode != M_PASS && d->mode != M_DROP;
}

/* After the parser took the bytes read: what goes, waits, is dropped. */
static void settle(struct conn *c, enum stream_dir dir)
{
	struct pdir *d = &c->d[dir];

	if (d->mode == M_HOLD) {
		hold_grow(c);
	} else if ((d->mode == M_IDLE || d->mode == M_SNIFF) && !d->eof) {
		/* (at the end the parser is done: hold_end releases the rest) */
		if (!c->hf || http_flow_where(c->hf, dir) == HTTP_LOST) {
			/* no head will be parsed: relayed uninspected */
			if (!d->lost && !d->tunnel)
				PCOUNT(c->l, unparsed, 1);
			d->lost = true;
			d->mode = M_PASS;
		} else if (d->mode == M_SNIFF && d->fed - d->body_off > PROXY_SNIFF_WIRE) {
			to_hold(c);
			hold_grow(c);
		}
	}
	if (d->mode == M_PASS)
		release_to(c, d, d->fed);
	else if (d->mode == M_DROP)
		drop_to(d, d->fed);
	if (!waiting(d))
		d->since = 0;
	else if (!d->since)
		d->since = c->l->now_ns;
}

bool hold_overdue(struct conn *c)
{
	uint64_t now = c->l->now_ns, limit = c->l->p->conf.idle_ns;

	for (int dir = 0; dir < 2; dir++) {
		struct pdir *d = &c->d[dir];

		if (!waiting(d))
			d->since = 0;
		if (!d->since || now - d->since <= limit)
			continue;
		if (d->mode != M_HOLD)
			return true;
		d->since = 0;
		stream_on(c, false);
	}
	return false;
}

void hold_feed(struct conn *c, enum stream_dir dir, const uint8_t *p, size_t len)
{
	c->d[dir].fed += len;
	if (c->hf)
		http_stream_ops()->data(c->hf, dir, p, len, wall_ns());
	settle(c, dir);
}

void hold_end(struct conn *c, enum stream_dir dir)
{
	struct pdir *d = &c->d[dir];

	d->eof = true;
	if (c->hf)
		http_stream_ops()->end(c->hf, dir, wall_ns());
	settle(c, dir);
	/* nothing more comes: what was held was judged, or never will be */
	if (d->mode != M_DROP)
		release_to(c, d, d->fed);
	if (dir == STREAM_S2C) {
		hold_give(c);
		refuse_check(c);
	}
}

void hold_close(struct conn *c, enum stream_close why)
{
	if (c->hf)
		http_stream_ops()->flow_close(c->hf, why, wall_ns());
	c->hf = NULL;
	hold_give(c);
}
