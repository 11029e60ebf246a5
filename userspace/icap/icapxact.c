// SPDX-License-Identifier: GPL-2.0
/* ICAP transactions: one connection's messages from the parser's events
 * to the answers. Each REQMOD/RESPMOD body is first sniffed (its first
 * bytes, content-decoded): media (the configured types) and uploads
 * (multipart) are inspected whole through the synthetic flow, the rest
 * passes at once (204 at the preview, 204 at the end, or echoed as it
 * comes when the client did not allow 204).
 *
 *   HEAD ─▶ SNIFF ─┬─ media ─▶ INSPECT ─(hold if no 204)─▶ END: 451 | 204 | echo
 *                  └─ other ─▶ PASS (204) | STREAM (echo as it comes)
 *   limits (connections, held bytes) ─▶ fail-open: PASS/STREAM, fail-closed: REFUSE */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/httphdr.h"
#include "icapxint.h"

#define FIRST_MAX (64 * 1024) /* raw bytes kept to decide */

void icap_shared_init(struct icap_shared *sh, const struct icap_conf *conf)
{
	memset(sh, 0, sizeof(*sh));
	sh->conf = *conf;
	memcpy(sh->tags[0], conf->istag, sizeof(sh->tags[0]));
	sh->conf.istag_now = sh->tags[0];
	budget_init(&sh->held, conf->hold_total);
}

/* Without a judge: a list hit blocks, with 451, naming the list. */
static void by_lists(const struct obj_verdict *v, struct icap_judgement *j)
{
	memset(j, 0, sizeof(*j));
	j->block = v->hits > 0;
	j->status = 451;
	if (!j->block)
		return;
	objsink_copy_name(j->name, v->list);
	objsink_copy_name(j->category, v->category);
}

static void on_verdict(void *ctx, const struct obj_verdict *v)
{
	struct icap_thread *t = ctx;
	const struct icap_conf *c = &t->sh->conf;
	struct icap_tx *tx = t->cur;
	struct icap_judgement j;

	CNT(t->sh, objects);
	if (!tx)
		return;
	tx->objects++;
	if (c->judge)
		c->judge(c->judge_ctx, v, tx->m ? tx->m->client_ip : "", &j);
	else
		by_lists(v, &j);
	if (j.block && !tx->hits)
		tx->j = j;
	tx->hits += j.block;
}

struct icap_thread *icap_thread_new(struct icap_shared *sh)
{
	const struct icap_backend *b = &sh->conf.backend;
	struct icap_thread *t = calloc(1, sizeof(*t));
	const struct object_ops *ops;
	void *ops_ctx;

	if (!t)
		return NULL;
	t->sh = sh;
	t->handle = b->thread_new(b->ctx, on_verdict, t, &ops, &ops_ctx);
	if (t->handle)
		t->http = http_ctx_new(&sh->conf.http, ops, ops_ctx);
	if (!t->http) {
		icap_thread_free(t);
		return NULL;
	}
	return t;
}

void icap_thread_free(struct icap_thread *t)
{
	if (!t)
		return;
	http_ctx_free(t->http);
	if (t->handle)
		t->sh->conf.backend.thread_free(t->sh->conf.backend.ctx, t->handle);
	free(t);
}

struct icap_conn *icap_conn_new(struct icap_thread *t, const struct icap_peer *peer,
				bool over_limit)
{
	struct icap_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->t = t;
	c->peer = *peer;
	c->over_limit = over_limit;
	c->ps = icap_parser_new(t->sh->conf.head_max);
	if (!c->ps) {
		free(c);
		return NULL;
	}
	return c;
}

static void release_held(struct icap_conn *c, struct icap_tx *tx)
{
	if (tx->capheld)
		budget_give(&c->t->sh->held, tx->capheld);
	free(tx->held);
	tx->held = NULL;
	tx->nheld = tx->capheld = 0;
}

/* Ends the transaction; a flow still open is closed as cut short. */
static void tx_reset(struct icap_conn *c)
{
	struct icap_tx *tx = &c->tx;

	feed_close(c, tx, false);
	free(tx->first);
	decode_free(tx->dec);
	release_held(c, tx);
	memset(tx, 0, sizeof(*tx));
}

/* The head of the body: the request's for REQMOD, else the response's. */
static const uint8_t *body_head(const struct icap_tx *tx, size_t *n)
{
	return tx->reqmod ? icap_msg_req_hdr(tx->m, n) : icap_msg_res_hdr(tx->m, n);
}

static void sniff_sink(void *arg, const uint8_t *p, size_t len)
{
	struct icap_tx *tx = arg;
	size_t k = sizeof(tx->sniff) - tx->nsniff;

	if (k > len)
		k = len;
	memcpy(tx->sniff + tx->nsniff, p, k);
	tx->nsniff += k;
}

/* A decoder of the body's content codings for the sniff window. */
static void sniff_setup(struct icap_tx *tx)
{
	static const struct decode_limits lim = {.max_decoded = 1 << 20, .max_ratio = 0};
	enum decode_coding cod[DECODE_MAX_LAYERS];
	int chunked, unk, many;
	struct http_head hh;
	const uint8_t *h;
	size_t n = 0;
	unsigned k = 0;

	h = body_head(tx, &n);
	if (h && !httphdr_parse(h, n, !tx->reqmod, &hh) && hh.content_encoding[0])
		k = decode_parse_codings(hh.content_encoding, cod, DECODE_MAX_LAYERS, &chunked,
					 &unk, &many);
	tx->dec = decode_new(cod, k, &lim, sniff_sink, tx);
}

static bool type_listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!n)
		return false;
	for (const char *s = list; *s; s += strcspn(s, ","), s += *s == ',') {
		if (!strncmp(s, name, n) && (s[n] == ',' || !s[n]))
			return true;
	}
	return false;
}

/* Whether the body must be inspected whole, from its first bytes. */
static bool needs_whole(struct icap_conn *c, struct icap_tx *tx)
{
	const struct icap_conf *cf = &c->t->sh->conf;
	struct http_head hh;
	const uint8_t *h;
	size_t n = 0;

	h = body_head(tx, &n);
	if (tx->reqmod && cf->multipart && h && !httphdr_parse(h, n, 0, &hh) &&
	    !strncasecmp(hh.content_type, "multipart/", 10))
		return true;
	if (!tx->nsniff) /* nothing readable yet (Preview: 0, codings): look */
		return tx->nfirst || !tx->ended;
	return type_listed(cf->types, sniff_type(tx->sniff, tx->nsniff));
}

/* May the message be answered 204 now that it has ended? */
static bool can204(const struct icap_tx *tx)
{
	return tx->m->allow204 || tx->ieof;
}

/* Echoes what is known of the message (head, bytes so far) and streams
 * the rest as it comes. */
static void start_stream(struct icap_conn *c, struct icap_out *o, const uint8_t *p, size_t n)
{
	struct icap_tx *tx = &c->tx;

	resp_echo_head(o, &c->t->sh->conf, tx->m, tx->m->body != ICAP_NULL_BODY);
	resp_chunk(o, p, n);
	tx->mode = TX_STREAM;
	tx->answered = true;
}

/* A limit was reached: the configured fail mode, counted. While the
 * preview or Allow: 204 leaves a 204 possible it passes, else what was
 * kept is echoed and the rest streamed. */
static void limit(struct icap_conn *c, struct icap_out *o, const uint8_t *kept, size_t n)
{
	struct icap_tx *tx = &c->tx;

	if (c->t->sh->conf.fail_closed) {
		CNT(c->t->sh, fail_closed);
		tx->mode = TX_REFUSE;
	} else {
		CNT(c->t->sh, fail_open);
		if (tx->in_preview || tx->m->allow204)
			tx->mode = TX_PASS;
		else
			start_stream(c, o, kept, n);
	}
}

/* Keeps body bytes to echo them; over a cap, the fail mode. */
static void hold_add(struct icap_conn *c, struct icap_out *o, const uint8_t *p, size_t n)
{
	struct icap_tx *tx = &c->tx;
	struct icap_shared *sh = c->t->sh;
	size_t cap = tx->capheld ? tx->capheld : 16384;
	uint8_t *b;

	while (cap - tx->nheld < n)
		cap *= 2;
	if (tx->nheld + n > sh->conf.hold_max)
		goto over;
	if (cap != tx->capheld) {
		if (!budget_take(&sh->held, cap - tx->capheld))
			goto over;
		b = realloc(tx->held, cap);
		if (!b) {
			budget_give(&sh->held, cap - tx->capheld);
			goto over;
		}
		tx->held = b;
		tx->capheld = cap;
	}
	memcpy(tx->held + tx->nheld, p, n);
	tx->nheld += n;
	return;
over:
	tx->hold = false;
	limit(c, o, tx->held, tx->nheld);
	if (tx->mode == TX_STREAM)
		resp_chunk(o, p, n);
	release_held(c, tx);
}

/* The first bytes are in (or all there is): inspect or pass. */
static void decide(struct icap_conn *c, struct icap_out *o)
{
	struct icap_tx *tx = &c->tx;

	decode_free(tx->dec);
	tx->dec = NULL;
	if (!needs_whole(c, tx)) {
		if (tx->in_preview || can204(tx) || tx->ended)
			tx->mode = TX_PASS; /* 204, or first[] echoed at the end */
		else
			start_stream(c, o, tx->first, tx->nfirst);
	} else if (feed_open(c, tx)) {
		limit(c, o, tx->first, tx->nfirst);
	} else {
		CNT(c->t->sh, inspected);
		tx->mode = TX_INSPECT;
		tx->hold = !tx->m->allow204 && !tx->ieof;
		feed_body(c, tx, tx->first, tx->nfirst);
		if (tx->hold)
			hold_add(c, o, tx->first, tx->nfirst);
	}
	if (tx->mode != TX_PASS) {
		free(tx->first);
		tx->first = NULL;
		tx->nfirst = 0;
	}
}

static int service_method(const char *svc)
{
	if (!strcmp(svc, "respmod"))
		return ICAP_RESPMOD;
	if (!strcmp(svc, "reqmod"))
		return ICAP_REQMOD;
	return -1;
}

static void tx_head(struct icap_conn *c, struct icap_out *o)
{
	struct icap_shared *sh = c->t->sh;
	struct icap_tx *tx = &c->tx;
	const struct icap_msg *m = icap_parser_msg(c->ps);
	int svc = service_method(m->service);

	tx_reset(c);
	tx->m = m;
	tx->reqmod = m->method == ICAP_REQMOD;
	tx->in_preview = m->preview >= 0 && m->body != ICAP_NULL_BODY;
	CNT(sh, requests);
	if (m->method == ICAP_OPTIONS)
		CNT(sh, options);
	else if (tx->reqmod)
		CNT(sh, reqmod);
	else
		CNT(sh, respmod);
	tx->mode = TX_STATUS;
	if (svc < 0 || (m->method != ICAP_OPTIONS && (int)m->method != svc)) {
		tx->status = svc < 0 ? 404 : 405;
		CNT(sh, not_found);
	} else if (m->method == ICAP_OPTIONS) {
		tx->status = 200;
	} else if (c->over_limit) {
		limit(c, o, NULL, 0);
	} else if (m->body == ICAP_NULL_BODY) {
		tx->mode = TX_PASS;
	} else {
		tx->mode = TX_SNIFF;
		sniff_setup(tx);
	}
}

static void tx_body(struct icap_conn *c, struct icap_out *o, const uint8_t *p, size_t n);

static void sniff_add(struct icap_conn *c, struct icap_out *o, const uint8_t *p, size_t n)
{
	struct icap_tx *tx = &c->tx;
	size_t k = FIRST_MAX - tx->nfirst;

	if (!tx->first && !(tx->first = malloc(FIRST_MAX))) {
		limit(c, o, NULL, 0);
		return;
	}
	if (k > n)
		k = n;
	memcpy(tx->first + tx->nfirst, p, k);
	tx->nfirst += k;
	if (tx->dec && tx->nsniff < SNIFF_LEN)
		decode_feed(tx->dec, p, k);
	if (tx->nsniff < SNIFF_LEN && tx->nfirst < FIRST_MAX)
		return;
	decide(c, o);
	if (k < n) /* the rest, in the mode just chosen */
		tx_body(c, o, p + k, n - k);
}

static void tx_body(struct icap_conn *c, struct icap_out *o, const uint8_t *p, size_t n)
{
	struct icap_tx *tx = &c->tx;

	switch (tx->mode) {
	case TX_SNIFF:
		sniff_add(c, o, p, n);
		break;
	case TX_INSPECT:
		feed_body(c, tx, p, n);
		if (tx->hold)
			hold_add(c, o, p, n);
		break;
	case TX_STREAM:
		resp_chunk(o, p, n);
		feed_body(c, tx, p, n); /* a fail-open flow is still logged */
		break;
	default: /* PASS, REFUSE, STATUS: read and dropped */
		if (tx->feed.flow)
			feed_body(c, tx, p, n);
		break;
	}
}

/* An allowed message: 204 when the client takes it, else the message
 * echoed back (what was held, or the first bytes of a passed body). */
static void allow(struct icap_conn *c, struct icap_out *o, bool at_preview,
		  const uint8_t *body, size_t n)
{
	const struct icap_conf *cf = &c->t->sh->conf;
	struct icap_tx *tx = &c->tx;
	bool has_body = tx->m->body != ICAP_NULL_BODY;

	if (at_preview || can204(tx)) {
		resp_status(o, cf, 204, false);
		return;
	}
	resp_echo_head(o, cf, tx->m, has_body);
	if (has_body) {
		resp_chunk(o, body, n);
		resp_last_chunk(o);
	}
}

/* The final answer of a message whose body has ended (or whose preview
 * was answered). */
static void answer(struct icap_conn *c, struct icap_out *o, bool at_preview)
{
	const struct icap_conf *cf = &c->t->sh->conf;
	struct icap_shared *sh = c->t->sh;
	struct icap_tx *tx = &c->tx;

	if (tx->mode == TX_SNIFF)
		decide(c, o);
	if (tx->mode != TX_INSPECT) /* a flow still fed after a limit */
		feed_close(c, tx, !at_preview);
	if (tx->mode == TX_INSPECT) {
		feed_close(c, tx, true);
		if (tx->hits)
			tx->mode = TX_REFUSE;
	}
	switch (tx->mode) {
	case TX_INSPECT:
		CNT(sh, allowed);
		allow(c, o, false, tx->held, tx->nheld);
		break;
	case TX_PASS:
		if (at_preview)
			CNT(sh, preview_pass);
		else if (tx->m->body != ICAP_NULL_BODY)
			CNT(sh, passed);
		allow(c, o, at_preview, tx->first, tx->nfirst);
		break;
	case TX_STREAM:
		CNT(sh, passed);
		resp_last_chunk(o);
		break;
	case TX_REFUSE:
		if (tx->hits)
			CNT(sh, blocked);
		if (!tx->hits)
			tx->j.status = 451; /* a fail-closed limit */
		resp_block(o, cf, &tx->j, tx->m);
		break;
	case TX_STATUS:
		if (tx->status == 200)
			resp_options(o, cf, tx->m->service);
		else
			resp_status(o, cf, tx->status, false);
		break;
	default:
		break;
	}
	tx_reset(c);
}

/* The preview ended without ieof: 100 Continue to inspect, else the
 * final answer now (and the message is over). */
static void tx_preview_end(struct icap_conn *c, struct icap_out *o)
{
	struct icap_tx *tx = &c->tx;

	tx->in_preview = false;
	if (tx->mode == TX_SNIFF)
		decide(c, o);
	if (tx->mode == TX_INSPECT) {
		CNT(c->t->sh, continues);
		resp_continue(o);
		return;
	}
	answer(c, o, true);
	icap_parser_next(c->ps);
}

static int malformed(struct icap_conn *c, struct icap_out *o)
{
	const struct icap_err *e = icap_parser_err(c->ps);

	snprintf(c->error, sizeof(c->error), "%s", e->msg);
	CNT(c->t->sh, bad_requests);
	if (!c->tx.answered) /* else an answer is half sent: just close */
		resp_status(o, &c->t->sh->conf, e->status, true);
	tx_reset(c);
	return 1;
}

int icap_conn_input(struct icap_conn *c, const uint8_t *p, size_t len, struct icap_out *o)
{
	struct icap_event ev;
	bool close = false;
	size_t k;

	do {
		k = icap_parse(c->ps, p, len, &ev);
		p += k;
		len -= k;
		switch (ev.type) {
		case ICAP_EV_HEAD:
			tx_head(c, o);
			break;
		case ICAP_EV_BODY:
			tx_body(c, o, ev.data, ev.len);
			break;
		case ICAP_EV_PREVIEW_END:
			tx_preview_end(c, o);
			break;
		case ICAP_EV_END:
			close = c->tx.m && c->tx.m->conn_close;
			c->tx.ended = true;
			c->tx.ieof = ev.ieof;
			answer(c, o, false);
			break;
		case ICAP_EV_ERROR:
			return malformed(c, o);
		case ICAP_EV_NEED:
			break;
		}
	} while (ev.type != ICAP_EV_NEED && !close && !o->err);
	return close || o->err;
}

const char *icap_conn_error(const struct icap_conn *c)
{
	return c->error;
}

bool icap_conn_busy(const struct icap_conn *c)
{
	return !icap_parser_idle(c->ps);
}

void icap_conn_free(struct icap_conn *c)
{
	if (!c)
		return;
	tx_reset(c);
	icap_parser_free(c->ps);
	free(c);
}
