// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the ICAP message parser and the transactions behind it.
 * The first byte picks a split size; the rest is what a client sends.
 * Checks, not just runs:
 *  - fed whole and fed in pieces, the parser makes the same events, the
 *    same body bytes and stops at the same place (error or not);
 *  - every call consumes at most what it was given, body bytes point
 *    inside the input, and all input is consumed unless an error stops it;
 *  - the body bytes seen equal the parser's count (every byte accounted);
 *  - after HEAD the Encapsulated offsets sit inside the header blocks, in
 *    order, and each block ends with its empty line;
 *  - an error has a message and an ICAP status;
 *  - the transactions (a stub backend that blocks odd-sized objects)
 *    answer only with ICAP/1.0 status lines, and free everything. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/httphdr.h"
#include "icap/icapmsg.h"
#include "icap/icapxact.h"

#define CHECK(c) \
	do { \
		if (!(c)) \
			abort(); \
	} while (0)

struct trace {
	uint8_t types[4096];
	size_t ntypes;
	uint8_t *body;
	size_t nbody;
	uint64_t consumed;
	int error;
};

static void check_head(const struct icap_msg *m)
{
	const uint8_t *b;
	size_t n;

	CHECK(m->body_off >= 0 && (size_t)m->body_off == m->hdrs_len);
	CHECK(m->req_hdr < 0 || m->req_hdr < m->body_off);
	CHECK(m->res_hdr < 0 || (m->res_hdr < m->body_off && m->res_hdr > m->req_hdr));
	for (int i = 0; i < 2; i++) {
		b = i ? icap_msg_res_hdr(m, &n) : icap_msg_req_hdr(m, &n);
		if (!b)
			continue;
		CHECK(b >= m->hdrs && b + n <= m->hdrs + m->hdrs_len && n > 0);
		CHECK(httphdr_end(b, n) == n);
	}
	CHECK(strlen(m->uri) < sizeof(m->uri) && strlen(m->service) < sizeof(m->service));
}

static void run(const uint8_t *p, size_t len, size_t step, bool next, struct trace *t)
{
	struct icap_parser *ps = icap_parser_new(4096);
	struct icap_event ev;
	size_t pos = 0, zero = 0;

	if (!ps)
		return;
	while (pos < len || zero == 0) {
		size_t n = len - pos < step ? len - pos : step, k;

		k = icap_parse(ps, p + pos, n, &ev);
		CHECK(k <= n);
		zero = k ? 0 : zero + 1;
		CHECK(zero < 8); /* no event loop without progress */
		pos += k;
		t->consumed += k;
		if (ev.type == ICAP_EV_NEED) {
			CHECK(k == n);
			if (pos >= len)
				break;
			continue;
		}
		if (ev.type != ICAP_EV_BODY && t->ntypes < sizeof(t->types))
			t->types[t->ntypes++] = (uint8_t)ev.type;
		if (ev.type == ICAP_EV_ERROR) {
			const struct icap_err *e = icap_parser_err(ps);

			CHECK(e->msg[0] && e->status >= 400 && e->status < 600);
			t->error = 1;
			break;
		}
		if (ev.type == ICAP_EV_HEAD)
			check_head(icap_parser_msg(ps));
		if (ev.type == ICAP_EV_BODY) {
			CHECK(ev.len > 0 && ev.data >= p + pos - k && ev.data + ev.len <= p + pos);
			memcpy(t->body + t->nbody, ev.data, ev.len);
			t->nbody += ev.len;
		}
		if (ev.type == ICAP_EV_PREVIEW_END && next)
			icap_parser_next(ps);
	}
	CHECK(t->nbody == icap_parser_body_bytes(ps));
	CHECK(t->error || t->consumed == len);
	icap_parser_free(ps);
}

/* ---- the transactions, over a stub backend ---------------------------------- */

struct stub {
	void (*verdict)(void *, const struct obj_verdict *);
	void *vctx;
	uint64_t size;
};

static void *s_begin(void *ctx, const struct obj_meta *m)
{
	struct stub *s = ctx;

	(void)m;
	s->size = 0;
	return s;
}

static void s_data(void *obj, const uint8_t *p, size_t len)
{
	(void)p;
	((struct stub *)obj)->size += len;
}

static void s_wire(void *obj, const uint8_t *p, size_t len)
{
	(void)obj, (void)p, (void)len;
}

static void s_end(void *obj, const struct obj_end *e)
{
	struct stub *s = obj;
	struct obj_verdict v = {.hits = s->size & 1, .distance = -1};

	(void)e;
	strcpy(v.list, "fuzz");
	s->verdict(s->vctx, &v);
}

static const struct object_ops s_ops = {s_begin, s_wire, s_data, s_end};

static void *stub_new(void *ctx, void (*verdict)(void *, const struct obj_verdict *), void *vctx,
		      const struct object_ops **ops, void **ops_ctx)
{
	struct stub *s = calloc(1, sizeof(*s));

	(void)ctx;
	if (!s)
		return NULL;
	s->verdict = verdict;
	s->vctx = vctx;
	*ops = &s_ops;
	*ops_ctx = s;
	return s;
}

static void stub_free(void *ctx, void *h)
{
	(void)ctx;
	free(h);
}

static void transactions(const uint8_t *p, size_t len, size_t step, bool over)
{
	static struct icap_shared sh;
	struct icap_peer peer = {.cport = 1, .sport = 1344};
	struct icap_conf conf;
	struct icap_thread *t;
	struct icap_conn *c;
	struct icap_out out = {0};

	icap_conf_default(&conf);
	conf.backend = (struct icap_backend){stub_new, stub_free, NULL};
	conf.head_max = 4096;
	conf.hold_max = 300; /* reach the limits */
	conf.fail_closed = step & 1;
	icap_shared_init(&sh, &conf);
	t = icap_thread_new(&sh);
	c = t ? icap_conn_new(t, &peer, over) : NULL;
	for (size_t pos = 0; c && pos < len; pos += step) {
		size_t n = len - pos < step ? len - pos : step;
		size_t before = out.n;

		if (icap_conn_input(c, p + pos, n, &out))
			break;
		CHECK(out.n >= before);
	}
	CHECK(!out.n || (out.n >= 9 && !memcmp(out.buf, "ICAP/1.0 ", 9)));
	icap_conn_free(c);
	icap_thread_free(t);
	icap_out_free(&out);
	CHECK(budget_used(&sh.held) == 0); /* every held byte given back */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace a = {0}, b = {0};
	size_t step;
	uint8_t flags;

	if (size < 1)
		return 0;
	step = (size_t)(data[0] % 64) + 1;
	flags = data[0];
	data++, size--;
	a.body = malloc(size + 1);
	b.body = malloc(size + 1);
	if (a.body && b.body) {
		run(data, size, size ? size : 1, flags & 0x40, &a);
		run(data, size, step, flags & 0x40, &b);
		/* pieces or not: the same events, bytes and stop (preview
		 * answers depend on the event, not on the split) */
		CHECK(a.error == b.error && a.nbody == b.nbody);
		CHECK(!memcmp(a.body, b.body, a.nbody));
		CHECK(a.ntypes == b.ntypes && !memcmp(a.types, b.types, a.ntypes));
	}
	free(a.body);
	free(b.body);
	transactions(data, size, step, flags & 0x80);
	return 0;
}
