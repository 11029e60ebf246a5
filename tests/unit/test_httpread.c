// SPDX-License-Identifier: GPL-2.0
/* httpread: alternate readings of a message body — lf-chunks after a lone
 * CR, lf-head (a head an LF-only client ends elsewhere), http09 past
 * Chromium's slop, readings that run past their message without moving the
 * parser, gaps, and the caps (readings per message, the budget, 16 MiB per
 * reading), each counted. Every split of the input gives the same objects. */
#include "unit/httpcol.h"
#include "ewtest.h"

#include "util/budget.h"

static const size_t steps[] = { 1, 2, 5, 64, 1 << 20 };

/* The object of reading (alternate or not) whose body is data, or fail. */
static const struct tobj *want(const struct tcol *c, const char *reading,
			       int alternate, const char *data, unsigned flags)
{
	for (int i = 0; i < c->n; i++) {
		const struct tobj *o = &c->o[i];

		if (strcmp(o->reading, reading) || o->alternate != alternate ||
		    o->ndata != strlen(data) || memcmp(o->data, data, o->ndata))
			continue;
		assert_int_equal(o->end.flags & ~OBJ_ANOMALY, flags);
		return o;
	}
	for (int i = 0; i < c->n; i++)
		print_message("object %d: '%s'%s %zu bytes '%.*s'\n", i, c->o[i].reading,
			      c->o[i].alternate ? " (alternate)" : "", c->o[i].ndata,
			      (int)c->o[i].ndata, c->o[i].data);
	fail_msg("no reading '%s' of '%s'", reading, data);
	return NULL;
}

/* One request and the response rsp, closed; at every split. check()
 * sees the objects and the counters. */
static void each(const char *rsp, void (*check)(const struct tcol *c,
						const struct http_stats *st))
{
	const struct ev evs[] = { REQ("GET /r HTTP/1.1\r\n\r\n"), RSP(rsp), FIN };
	struct tcol *c = malloc(sizeof(*c));

	assert_non_null(c);
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct http_ctx *ctx = run(evs, 3, steps[i], c, NULL);
		struct http_stats st;

		http_ctx_stats(ctx, &st);
		check(c, &st);
		http_ctx_free(ctx);
	}
	free(c);
}

static void check_lf_chunks(const struct tcol *c, const struct http_stats *st)
{
	assert_int_equal(c->n, 2);
	/* a lone CR ends the size line: the data starts at "junk" */
	want(c, "chunked", 0, "junk\n", OBJ_TRUNCATED | OBJ_DECODE_ERR);
	/* lines end at LF: "5\rjunk" is a size line of 5 */
	want(c, "lf-chunks", 1, "hello", OBJ_COMPLETE);
	assert_int_equal(st->alternates, 1);
}

static void lf_chunks_after_a_lone_cr(void **state)
{
	(void)state;
	each("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	     "5\rjunk\nhello\r\n0\r\n\r\n", check_lf_chunks);
}

static void check_lf_head(const struct tcol *c, const struct http_stats *st)
{
	const struct tobj *o;

	assert_int_equal(c->n, 2);
	o = want(c, "length", 0, "abc", OBJ_COMPLETE);
	assert_int_equal(o->body_off, 60);
	/* an LF-only client ends the head at the line starting with CR */
	o = want(c, "lf-head", 1, "Content-Length: 3\r\n\r\nabcdef", OBJ_COMPLETE);
	assert_int_equal(o->head_off, 0);
	assert_int_equal(o->body_off, 39);
	assert_int_equal(st->alternates, 1);
}

static void lf_head_ends_early(void **state)
{
	(void)state;
	each("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\r\nContent-Length: 3\r\n\r\n"
	     "abcdef", check_lf_head);
}

static void check_http09(const struct tcol *c, const struct http_stats *st)
{
	assert_int_equal(c->n, 2);
	want(c, "length", 0, "abc", OBJ_COMPLETE);
	want(c, "http09", 1, "\r\n\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
	     OBJ_COMPLETE);
	assert_int_equal(st->alternates, 1);
}

static void check_slop(const struct tcol *c, const struct http_stats *st)
{
	assert_int_equal(c->n, 1);
	want(c, "", 0, "abc", OBJ_COMPLETE);
	assert_int_equal(st->alternates, 0);
}

static void http09_past_the_slop(void **state)
{
	(void)state;
	each("\r\n\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", check_http09);
	/* "HTTP" within the first 5 bytes: Chromium reads the response */
	each("\r\n  HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", check_slop);
}

/* A close reading of the first response reads the second one too; the
 * parser (objects, positions) goes on as without it. */
static void check_past(const struct tcol *c, const struct http_stats *st)
{
	const struct tobj *o;

	assert_int_equal(c->n, 3);
	o = want(c, "length", 0, "abc", OBJ_COMPLETE);
	assert_int_equal(o->head_off, 0);
	assert_int_equal(o->body_off, 39);
	assert_int_equal(o->end.end_off, 42);
	want(c, "close", 1, "abcHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nde",
	     OBJ_COMPLETE);
	o = want(c, "", 0, "de", OBJ_COMPLETE);
	assert_int_equal(o->head_off, 42);
	assert_int_equal(o->body_off, 80);
	assert_int_equal(o->end.end_off, 82);
	assert_int_equal(st->alternates, 1);
	assert_int_equal(st->responses, 2);
}

static void readings_run_past_their_message(void **state)
{
	const struct ev evs[] = {
		REQ("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"),
		RSP("HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\nabc"
		    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nde"),
		FIN,
	};
	struct tcol *c = malloc(sizeof(*c));

	(void)state;
	assert_non_null(c);
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct http_ctx *ctx = run(evs, 3, steps[i], c, NULL);
		struct http_stats st;

		http_ctx_stats(ctx, &st);
		check_past(c, &st);
		http_ctx_free(ctx);
	}
	free(c);
}

static void gaps_end_readings(void **state)
{
	const struct ev evs[] = {
		REQ("GET /r HTTP/1.1\r\n\r\n"),
		RSP("HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\nabcde"),
		{ EV_GAP, STREAM_S2C, NULL, 5 },
		RSP("fghi"),
		FIN,
	};
	struct tcol *c = malloc(sizeof(*c));
	struct http_ctx *ctx;

	(void)state;
	assert_non_null(c);
	ctx = run(evs, 5, 1, c, NULL);
	assert_int_equal(c->n, 2);
	want(c, "length", 0, "abc", OBJ_COMPLETE);
	/* the close reading ends at the gap; it never starts again */
	want(c, "close", 1, "abcde", OBJ_GAP | OBJ_TRUNCATED);
	http_ctx_free(ctx);
	free(c);
}

static void check_four(const struct tcol *c, const struct http_stats *st)
{
	/* chunked, and the raw body by 4 lengths; until close is the fifth
	 * alternate reading: refused */
	assert_int_equal(c->n, 5);
	want(c, "chunked", 0, "abc", OBJ_COMPLETE);
	want(c, "length", 1, "3", OBJ_COMPLETE);
	want(c, "length", 1, "3\r\nab", OBJ_COMPLETE);
	assert_int_equal(st->alternates, 4);
	assert_int_equal(st->alt_refused, 1);
}

static void four_readings_a_message(void **state)
{
	(void)state;
	each("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n"
	     "Content-Length: 1, 2, 5, 6\r\n\r\n3\r\nabc\r\n0\r\n\r\n", check_four);
}

static void budget_refuses(void **state)
{
	const struct ev evs[] = {
		REQ("GET /r HTTP/1.1\r\n\r\n"),
		RSP("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nabc"), FIN,
	};
	struct tcol *c = malloc(sizeof(*c));
	struct http_conf conf;
	struct budget b;
	struct http_ctx *ctx;
	struct http_stats st;

	(void)state;
	assert_non_null(c);
	budget_init(&b, 1000);	/* less than one reading's state */
	http_conf_default(&conf);
	conf.alt_budget = &b;
	ctx = run(evs, 3, 7, c, &conf);
	http_ctx_stats(ctx, &st);
	assert_int_equal(c->n, 1);
	want(c, "close", 0, "abc", OBJ_COMPLETE);
	assert_int_equal(st.alternates, 0);
	assert_int_equal(st.alt_refused, 2);
	assert_int_equal(b.used, 0);
	http_ctx_free(ctx);
	free(c);
}

/* A consumer that counts: bodies too big for struct tobj. */
struct big {
	uint64_t bytes[4];
	unsigned n;
	int alternate[4];
};

static void *b_begin(void *ctx, const struct obj_meta *m)
{
	struct big *b = ctx;

	assert_true(b->n < 4);
	b->alternate[b->n] = m->alternate;
	return &b->bytes[b->n++];
}

static void b_data(void *obj, const uint8_t *p, size_t len)
{
	(void)p;
	*(uint64_t *)obj += len;
}

static void b_end(void *obj, const struct obj_end *e)
{
	(void)obj;
	(void)e;
}

static void b_wire(void *obj, const uint8_t *p, size_t len)
{
	(void)obj;
	(void)p;
	(void)len;
}

static void a_reading_reads_16_mib(void **state)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\n";
	const struct object_ops ops = { b_begin, b_wire, b_data, b_end };
	const struct stream_ops *so = http_stream_ops();
	struct flow_info fi = { .id = 1, .proto = 6 };
	struct big big = { .n = 0 };
	struct http_ctx *ctx = http_ctx_new(NULL, &ops, &big);
	size_t chunk = 1 << 20;
	uint8_t *zeros = calloc(1, chunk);
	struct http_stats st;
	void *f;

	(void)state;
	assert_non_null(ctx);
	assert_non_null(zeros);
	f = so->flow_open(ctx, &fi);
	so->data(f, STREAM_C2S, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18, 1);
	so->data(f, STREAM_S2C, (const uint8_t *)head, sizeof(head) - 1, 1);
	for (int i = 0; i < 17; i++)
		so->data(f, STREAM_S2C, zeros, chunk, 2);
	so->flow_close(f, STREAM_CLOSE_FIN, 3);
	http_ctx_stats(ctx, &st);
	assert_int_equal(big.n, 2);
	assert_int_equal(big.bytes[0], 3);
	assert_true(big.alternate[1]);
	assert_int_equal(big.bytes[1], 16 << 20);	/* cut there */
	assert_int_equal(st.alt_capped, 1);
	assert_int_equal(st.alternates, 1);
	http_ctx_free(ctx);
	free(zeros);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lf_chunks_after_a_lone_cr),
		cmocka_unit_test(lf_head_ends_early),
		cmocka_unit_test(http09_past_the_slop),
		cmocka_unit_test(readings_run_past_their_message),
		cmocka_unit_test(gaps_end_readings),
		cmocka_unit_test(four_readings_a_message),
		cmocka_unit_test(budget_refuses),
		cmocka_unit_test(a_reading_reads_16_mib),
	};
	return ewtest_run(tests);
}
