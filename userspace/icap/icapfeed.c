// SPDX-License-Identifier: GPL-2.0
/* The synthetic flow of an inspected ICAP message: the encapsulated HTTP
 * heads and the body the ICAP client de-chunked, fed to the HTTP parser
 * like a TCP stream (client: the ICAP client, server: this server), so
 * objects, multipart parts, content decoding, sniffing, PDQ and matching
 * are the engine's. The verdicts come back synchronously into the
 * transaction.
 *
 *   req-hdr ─C2S─▶ http ◀─S2C─ res-hdr, res-body   (RESPMOD)
 *   req-hdr, req-body ─C2S─▶ http                   (REQMOD)
 *
 * Framing: the body arrives de-chunked by ICAP, so a head that announced
 * chunked gets its body re-chunked, one announcing Content-Length gets at
 * most that many bytes, a response with neither ends with the flow (close
 * delimited), and a request with neither is given Transfer-Encoding:
 * chunked. A RESPMOD request head loses its framing fields: its body is
 * not part of the message. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/httphdr.h"
#include "icapxint.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool framing_field(const uint8_t *l, size_t n)
{
	static const char *const names[] = {"content-length", "transfer-encoding"};

	for (int i = 0; i < 2; i++) {
		size_t k = strlen(names[i]);

		if (n > k && !strncasecmp((const char *)l, names[i], k) &&
		    (l[k] == ':' || l[k] == ' ' || l[k] == '\t'))
			return true;
	}
	return false;
}

/* A copy of head h[0..n) without its framing fields, with `add` (a whole
 * line or "") before the empty line. Returns NULL on no memory. */
static uint8_t *rewrite(const uint8_t *h, size_t n, const char *add, size_t *outn)
{
	uint8_t *o = malloc(n + strlen(add) + 2);
	size_t pos = 0, k = 0, end = n;

	if (!o)
		return NULL;
	while (end && (h[end - 1] == '\r' || h[end - 1] == '\n'))
		end--; /* the empty line goes back after `add` */
	while (pos < end) {
		const uint8_t *nl = memchr(h + pos, '\n', end - pos);
		size_t ln = nl ? (size_t)(nl - (h + pos)) + 1 : end - pos;

		if (!pos || !framing_field(h + pos, ln)) {
			memcpy(o + k, h + pos, ln);
			k += ln;
		}
		pos += ln;
	}
	if (k && o[k - 1] != '\n') {
		memcpy(o + k, "\r\n", 2);
		k += 2;
	}
	memcpy(o + k, add, strlen(add));
	k += strlen(add);
	memcpy(o + k, "\r\n", 2);
	*outn = k + 2;
	return o;
}

static void put(struct icap_conn *c, struct icap_tx *tx, int dir, const void *p, size_t n)
{
	const struct stream_ops *so = http_stream_ops();

	if (!n || !tx->feed.flow)
		return;
	c->t->cur = tx;
	so->data(tx->feed.flow, (enum stream_dir)dir, p, n, now_ns());
	c->t->cur = NULL;
}

/* Feeds an HTTP head in direction dir with the framing its body needs
 * (body_here: the message's body follows in this direction). */
static int put_head(struct icap_conn *c, struct icap_tx *tx, int dir, const uint8_t *h,
		    size_t n, bool body_here)
{
	static const char te[] = "Transfer-Encoding: chunked\r\n";
	enum decode_coding cod[DECODE_MAX_LAYERS];
	struct icap_feed *f = &tx->feed;
	int chunked = 0, unk = 0, many = 0;
	struct http_head hh;
	uint8_t *rw = NULL;
	size_t rn = 0;

	if (httphdr_parse(h, n, dir == STREAM_S2C, &hh))
		return -EINVAL;
	if (!body_here) {
		if (!(rw = rewrite(h, n, "", &rn)))
			return -ENOMEM;
		put(c, tx, dir, rw, rn);
		free(rw);
		return 0;
	}
	f->dir = dir;
	f->framing = F_CLOSE;
	if (hh.transfer_encoding[0]) {
		decode_parse_codings(hh.transfer_encoding, cod, DECODE_MAX_LAYERS, &chunked, &unk,
				     &many);
		f->framing = F_CHUNKED;
		if (chunked != 1 && !(rw = rewrite(h, n, te, &rn)))
			return -ENOMEM;
	} else if (hh.content_length >= 0) {
		f->framing = F_CL;
		f->cl_left = hh.content_length;
	} else if (dir == STREAM_C2S) {
		f->framing = F_CHUNKED;
		if (!(rw = rewrite(h, n, te, &rn)))
			return -ENOMEM;
	}
	put(c, tx, dir, rw ? rw : h, rw ? rn : n);
	free(rw);
	return 0;
}

static void fill_flow(struct icap_conn *c, struct flow_info *fi)
{
	static const uint8_t v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(fi, 0, sizeof(*fi));
	fi->id = __atomic_add_fetch(&c->t->sh->next_flow, 1, __ATOMIC_RELAXED);
	memcpy(fi->client_addr, c->peer.client, 16);
	memcpy(fi->server_addr, c->peer.server, 16);
	fi->client_port = c->peer.cport;
	fi->server_port = c->peer.sport;
	fi->proto = IPPROTO_TCP;
	fi->key.proto = IPPROTO_TCP;
	fi->key.family = memcmp(c->peer.client, v4, 12) ? 6 : 4;
	fi->flags = fi->key.family == 6 ? FLOW_IPV6 : 0;
	fi->first_ts_ns = now_ns();
}

int feed_open(struct icap_conn *c, struct icap_tx *tx)
{
	const struct icap_msg *m = tx->m;
	const uint8_t *rq, *rs;
	size_t nq = 0, ns = 0;
	int err = 0;

	rq = icap_msg_req_hdr(m, &nq);
	rs = icap_msg_res_hdr(m, &ns);
	if (tx->reqmod && !rq)
		return -EINVAL;
	fill_flow(c, &tx->feed.fi);
	tx->feed.flow = http_stream_ops()->flow_open(c->t->http, &tx->feed.fi);
	if (!tx->feed.flow)
		return -ENOMEM;
	if (rq)
		err = put_head(c, tx, STREAM_C2S, rq, nq, tx->reqmod);
	if (!err && rs)
		err = put_head(c, tx, STREAM_S2C, rs, ns, true);
	if (!err && !tx->reqmod && !rs) /* a bare body: HTTP/0.9, close delimited */
		tx->feed.framing = F_CLOSE, tx->feed.dir = STREAM_S2C;
	if (err)
		feed_close(c, tx, false);
	return err;
}

void feed_body(struct icap_conn *c, struct icap_tx *tx, const uint8_t *p, size_t n)
{
	struct icap_feed *f = &tx->feed;
	char sz[24];

	switch (f->framing) {
	case F_CL:
		if ((uint64_t)f->cl_left < n)
			n = (size_t)f->cl_left; /* more than announced: not HTTP's */
		f->cl_left -= (int64_t)n;
		put(c, tx, f->dir, p, n);
		break;
	case F_CHUNKED:
		put(c, tx, f->dir, sz, (size_t)snprintf(sz, sizeof(sz), "%zx\r\n", n));
		put(c, tx, f->dir, p, n);
		put(c, tx, f->dir, "\r\n", 2);
		break;
	case F_CLOSE:
		put(c, tx, f->dir, p, n);
		break;
	}
}

void feed_close(struct icap_conn *c, struct icap_tx *tx, bool complete)
{
	const struct stream_ops *so = http_stream_ops();
	struct icap_feed *f = &tx->feed;
	uint64_t ts = now_ns();

	if (!f->flow)
		return;
	if (complete && f->framing == F_CHUNKED)
		put(c, tx, f->dir, "0\r\n\r\n", 5);
	c->t->cur = tx;
	so->end(f->flow, STREAM_C2S, ts);
	so->end(f->flow, STREAM_S2C, ts);
	so->flow_close(f->flow, complete ? STREAM_CLOSE_FIN : STREAM_CLOSE_RST, ts);
	c->t->cur = NULL;
	f->flow = NULL;
}
