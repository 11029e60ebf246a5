// SPDX-License-Identifier: GPL-2.0
/* dnsconn: DNS over TCP through the proxy (RFC 7766), for connections to
 * the DNS port: the client's byte stream cut back into its length-
 * prefixed messages, however its segments cut them, each whole query
 * asked of the caller's hook (proxy_conf.dns): answered here, or sent on
 * to the server; the server's answers go back whole, so an answer of
 * ours always sits between two of the server's, never inside one.
 *
 *   client ─▶ d[C2S].in ─ whole query ─▶ dns hook ─ 0 ─────▶ d[C2S].out ─▶ server
 *                                           └─ answer ─┐
 *   client ◀─ d[S2C].out ◀─────────────────────────────┴─ whole answer ◀─ d[S2C].in ◀─ server
 *
 * Bounds: a message is at most 65535 bytes (its prefix says so), so a
 * direction's in holds at most one message being cut plus what one read
 * brought; queries are taken only while fewer than PROXY_WINDOW bytes of
 * answers wait for the client (conn.c then stops reading it); a message
 * begun and not whole within idle_ns closes the connection. */
#include <string.h>

#include "proxy_int.h"

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* Bytes of b's first message with its length prefix when it is whole;
 * 0 when not (yet). */
static size_t whole(const struct pbuf *b)
{
	size_t n;

	if (b->len < 2)
		return 0;
	n = 2u + get16(pbuf_data(b));
	return b->len >= n ? n : 0;
}

/* Moves the first n bytes of d's in along: d->since follows the message
 * that now starts in. */
static void taken(struct conn *c, struct pdir *d, size_t n)
{
	pbuf_consume(&d->in, n);
	d->done += n;
	d->since = d->in.len ? c->l->now_ns : 0;
}

/* One whole query, its prefix included: the hook's answer to the client,
 * or the query to the server. */
static void query(struct conn *c, const uint8_t *m, size_t n)
{
	struct loop *l = c->l;
	const struct proxy_conf *cf = &l->p->conf;
	struct proxy_dns_query q = {.flow_id = c->fi.id, .cport = c->fi.client_port,
				    .sport = c->fi.server_port, .msg = m + 2, .len = n - 2};
	uint8_t ans[2 + PROXY_DNS_ANSWER_MAX];
	size_t alen;

	memcpy(q.client, c->fi.client_addr, 16);
	memcpy(q.server, c->fi.server_addr, 16);
	PCOUNT(l, dns_queries, 1);
	alen = cf->dns(cf->dns_ctx, &q, ans + 2, PROXY_DNS_ANSWER_MAX);
	if (alen && alen <= PROXY_DNS_ANSWER_MAX) {
		ans[0] = (uint8_t)(alen >> 8);
		ans[1] = (uint8_t)alen;
		PCOUNT(l, dns_answered, 1);
		if (pbuf_append(&c->d[STREAM_S2C].out, ans, 2 + alen))
			c->reset = true;
		return;
	}
	if (pbuf_append(&c->d[STREAM_C2S].out, m, n))
		c->reset = true;
}

/* The client's whole queries, while its answers do not pile up. */
static void queries(struct conn *c)
{
	struct pdir *q = &c->d[STREAM_C2S], *r = &c->d[STREAM_S2C];
	size_t n;

	while (!c->reset && r->out.len < PROXY_WINDOW && (n = whole(&q->in))) {
		if (n == 2) { /* an empty message: not DNS */
			PCOUNT(c->l, dns_refused, 1);
			c->reset = true;
			return;
		}
		query(c, pbuf_data(&q->in), n);
		taken(c, q, n);
	}
	if (q->eof && q->in.len && !whole(&q->in))
		taken(c, q, q->in.len); /* cut off by the client's end */
	if (q->in.len && !q->since)
		q->since = c->l->now_ns;
}

/* The server's whole answers, to the client as they complete. */
static void answers(struct conn *c)
{
	struct pdir *r = &c->d[STREAM_S2C];
	size_t n;

	while (!c->reset && (n = whole(&r->in))) {
		if (pbuf_append(&r->out, pbuf_data(&r->in), n))
			c->reset = true;
		taken(c, r, n);
	}
	if (r->eof && r->in.len)
		taken(c, r, r->in.len);
	if (r->in.len && !r->since)
		r->since = c->l->now_ns;
}

void dnsconn_feed(struct conn *c, enum stream_dir dir)
{
	if (dir == STREAM_C2S)
		queries(c);
	else
		answers(c);
}

void dnsconn_end(struct conn *c, enum stream_dir dir)
{
	c->d[dir].eof = true;
	dnsconn_feed(c, dir);
}

bool dnsconn_overdue(struct conn *c)
{
	uint64_t now = c->l->now_ns, limit = c->l->p->conf.idle_ns;

	for (int dir = 0; dir < 2; dir++) {
		const struct pdir *d = &c->d[dir];

		if (d->since && now - d->since > limit) {
			PCOUNT(c->l, dns_refused, 1);
			return true;
		}
	}
	return false;
}
