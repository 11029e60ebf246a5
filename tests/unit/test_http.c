// SPDX-License-Identifier: GPL-2.0
/* http: framing, pipelining, bodiless responses, tunnels, RFC 9112
 * ambiguities and their flags, gaps, ranges, multipart objects, decoding,
 * every split of the input, and the HTTP evader captures end to end. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "ewtest.h"

#include "http/http.h"
#include "unit/httpcol.h"
#include "unit/reasm_util.h"

static void expect_obj(const struct tobj *o, enum obj_kind kind, int status,
		       const char *data, unsigned flags)
{
	assert_int_equal(o->kind, kind);
	assert_int_equal(o->status, status);
	assert_int_equal(o->ndata, strlen(data));
	assert_memory_equal(o->data, data, o->ndata);
	assert_int_equal(o->end.flags, flags);
	assert_true(o->ended);
}

/* Runs the events at several split sizes; check() sees each result. */
static void each_split(const struct ev *evs, size_t nev,
		       void (*check)(struct tcol *c, struct http_ctx *ctx))
{
	static const size_t steps[] = { 1, 2, 3, 5, 64, 1 << 20 };
	struct tcol *c = malloc(sizeof(*c));

	assert_non_null(c);
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct http_ctx *ctx = run(evs, nev, steps[i], c, NULL);

		check(c, ctx);
		http_ctx_free(ctx);
	}
	free(c);
}

static void check_pipeline(struct tcol *c, struct http_ctx *ctx)
{
	struct http_stats st;

	assert_int_equal(c->n, 3);
	expect_obj(&c->o[0], OBJ_RESPONSE_BODY, 200, "hello", OBJ_COMPLETE);
	assert_string_equal(c->o[0].uri, "/a");
	assert_string_equal(c->o[0].host, "h");
	/* HEAD: its Content-Length describes nothing sent */
	expect_obj(&c->o[1], OBJ_RESPONSE_BODY, 200, "chunked body!", OBJ_COMPLETE);
	assert_string_equal(c->o[1].uri, "/c");
	assert_int_equal(c->o[1].nwire, 13);
	expect_obj(&c->o[2], OBJ_RESPONSE_BODY, 404, "rest", OBJ_COMPLETE);
	http_ctx_stats(ctx, &st);
	assert_string_equal(c->o[2].uri, "/e");
	assert_int_equal(st.requests, 5);
	assert_int_equal(st.responses, 6);	/* one 100 Continue */
	assert_int_equal(st.objects, 3);
}

static void pipelining_head_1xx_204_chunked(void **state)
{
	const struct ev evs[] = {
		REQ("GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\n\r\n"
		    "GET /c HTTP/1.1\r\n\r\nGET /d HTTP/1.1\r\n\r\n"
		    "GET /e HTTP/1.1\r\n\r\n"),
		RSP("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
		    "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"
		    "HTTP/1.1 100 Continue\r\n\r\n"
		    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "5;ext=1\r\nchunk\r\n8\r\ned body!\r\n0\r\nX-Trailer: t\r\n\r\n"
		    "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n"),
		RSP("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\nrest"),
		FIN,
	};

	(void)state;
	each_split(evs, sizeof(evs) / sizeof(evs[0]), check_pipeline);
}

static void check_tunnel(struct tcol *c, struct http_ctx *ctx)
{
	struct http_stats st;

	assert_int_equal(c->n, 0);
	http_ctx_stats(ctx, &st);
	assert_int_equal(st.upgrades, 1);
}

static void connect_and_upgrade_end_http(void **state)
{
	const struct ev conn[] = {
		REQ("CONNECT example.com:443 HTTP/1.1\r\n\r\n"
		    "GET /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"),
		RSP("HTTP/1.1 200 Connection established\r\n\r\n"
		    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
		FIN,
	};
	const struct ev up[] = {
		REQ("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"),
		RSP("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
		    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
		FIN,
	};

	(void)state;
	each_split(conn, sizeof(conn) / sizeof(conn[0]), check_tunnel);
	each_split(up, sizeof(up) / sizeof(up[0]), check_tunnel);
}

/* A reading of a body: its name ("" when the message is read one way),
 * decoded bytes and flags. */
struct rd {
	const char *reading, *data;
	unsigned flags;
};

/* The object of reading w (alternate: an alternate one), or NULL. */
static const struct tobj *find_reading(const struct tcol *c, const struct rd *w,
				       int alternate)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->o[i].reading, w->reading) &&
		    c->o[i].alternate == alternate &&
		    c->o[i].ndata == strlen(w->data) &&
		    !memcmp(c->o[i].data, w->data, c->o[i].ndata))
			return &c->o[i];
	return NULL;
}

/* One response head + body at several splits: the primary reading
 * (want[0], anomalies) and the alternates want[1..n), in any order, each
 * with the same anomalies; no other object. */
static void read_as(const char *rsp, unsigned anomalies, const struct rd *want,
		    int n)
{
	const struct ev evs[] = { REQ("GET / HTTP/1.1\r\n\r\n"), RSP(rsp), FIN };
	struct tcol *c = malloc(sizeof(*c));
	static const size_t steps[] = { 1, 7, 1 << 20 };
	struct http_stats st;

	assert_non_null(c);
	for (unsigned i = 0; i < 3; i++) {
		struct http_ctx *ctx = run(evs, 3, steps[i], c, NULL);

		if (c->n != n || !find_reading(c, &want[0], 0)) {
			for (int k = 0; k < c->n; k++)
				print_message("object %d: reading '%s'%s, %zu bytes '%.*s', flags %#x\n",
					      k, c->o[k].reading, c->o[k].alternate ?
					      " (alternate)" : "", c->o[k].ndata,
					      (int)c->o[k].ndata, c->o[k].data,
					      c->o[k].end.flags);
			fail_msg("%d objects of '%s', want %d", c->n, rsp, n);
		}
		for (int k = 0; k < n; k++) {
			const struct tobj *o = find_reading(c, &want[k], k > 0);

			if (!o)
				fail_msg("no reading '%s' of '%s'", want[k].reading,
					 want[k].data);
			assert_int_equal(o->end.flags, want[k].flags);
			assert_int_equal(o->end.anomalies, anomalies);
		}
		http_ctx_stats(ctx, &st);
		assert_int_equal(st.alternates, n - 1);
		http_ctx_free(ctx);
	}
	free(c);
}

static void one(const char *rsp, const char *data, unsigned flags,
		unsigned anomalies)
{
	const struct rd w = { "", data, flags };

	read_as(rsp, anomalies, &w, 1);
}

#define OK_ANOM (OBJ_COMPLETE | OBJ_ANOMALY)
#define CUT_ANOM (OBJ_TRUNCATED | OBJ_ANOMALY)
#define READ_AS(rsp, anom, ...)                                              \
	do {                                                                 \
		const struct rd w_[] = { __VA_ARGS__ };                      \
		read_as(rsp, anom, w_, sizeof(w_) / sizeof(w_[0]));          \
	} while (0)

static void rfc9112_ambiguities(void **state)
{
	(void)state;
	one("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef", "abc",
	    OBJ_COMPLETE, 0);
	one("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
	    "abc", OK_ANOM, ANOM_DUP_CL);
	one("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc", "abc", OK_ANOM,
	    ANOM_DUP_CL);
	/* conflicting: the first wins (Firefox), curl takes the last
	 * (Chromium refuses the response; until close is read too) */
	READ_AS("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
		ANOM_CONFLICT_CL, { "length", "ab", OK_ANOM },
		{ "length", "abc", OK_ANOM });
	READ_AS("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabcd",
		ANOM_CONFLICT_CL, { "length", "ab", OK_ANOM },
		{ "length", "abc", OK_ANOM }, { "close", "abcd", OK_ANOM });
	/* a list of different values is unusable: read until close (Chromium),
	 * and its first value is read too (Firefox, curl) */
	READ_AS("HTTP/1.1 200 OK\r\nContent-Length: 2 3\r\n\r\nabc", ANOM_CONFLICT_CL,
		{ "close", "abc", OK_ANOM }, { "length", "ab", OK_ANOM });
	READ_AS("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nabcd", ANOM_CONFLICT_CL,
		{ "close", "abcd", OK_ANOM }, { "length", "ab", OK_ANOM },
		{ "length", "abc", OK_ANOM });
	/* values Chromium does not take (sign, junk, inner space, an empty
	 * member) and curl does: until close and the leading number */
	READ_AS("HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\nabcd", 0,
		{ "close", "abcd", OBJ_COMPLETE }, { "length", "abc", OBJ_COMPLETE });
	READ_AS("HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\nabcd", 0,
		{ "length", "abc", OBJ_COMPLETE }, { "close", "abcd", OBJ_COMPLETE });
	READ_AS("HTTP/1.1 200 OK\r\nContent-Length: 3 3\r\n\r\nabcd", ANOM_DUP_CL,
		{ "length", "abc", OK_ANOM }, { "close", "abcd", OK_ANOM });
	READ_AS("HTTP/1.1 200 OK\r\nContent-Length: 3,\r\n\r\nabcd", 0,
		{ "length", "abc", OBJ_COMPLETE }, { "close", "abcd", OBJ_COMPLETE });
	/* the close comes where the length ends: one body, one object */
	READ_AS("HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\nabc", 0,
		{ "length", "abc", OBJ_COMPLETE });
	/* a name with spaces: Chromium trims it, curl ignores the field */
	READ_AS("HTTP/1.1 200 OK\r\nContent-Length : 3\r\n\r\nabcd", ANOM_OBS_FOLD,
		{ "length", "abc", OK_ANOM }, { "close", "abcd", OK_ANOM });
	/* Transfer-Encoding wins over Content-Length; a reader that cuts the
	 * de-chunked body at Content-Length sees the second object */
	READ_AS("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n"
		"\r\n3\r\nabc\r\n0\r\n\r\n", ANOM_CL_AND_TE,
		{ "chunked", "abc", OK_ANOM }, { "chunked-length", "a", OK_ANOM });
	/* read both ways, the same body: one object (named) */
	READ_AS("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n"
		"\r\n3\r\nabc\r\n0\r\n\r\n", ANOM_CL_AND_TE,
		{ "chunked", "abc", OK_ANOM });
	/* chunked ignored (HTTP/1.0 for Chromium; folded, spaced or unknown
	 * for curl): the raw body */
	READ_AS("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"3\r\nabc\r\n0\r\n\r\n", 0, { "chunked", "abc", OBJ_COMPLETE },
		{ "close", "3\r\nabc\r\n0\r\n\r\n", OBJ_COMPLETE });
	READ_AS("HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n chunked\r\n\r\n"
		"3\r\nabc\r\n0\r\n\r\n", ANOM_OBS_FOLD,
		{ "chunked", "abc", OK_ANOM },
		{ "close", "3\r\nabc\r\n0\r\n\r\n", OK_ANOM });
	READ_AS("HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n"
		"Content-Length: 13\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		ANOM_CL_AND_TE | ANOM_BAD_TE, { "chunked", "abc", OK_ANOM },
		{ "length", "3\r\nabc\r\n0\r\n\r\n", OK_ANOM });
	one("HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 3\r\n\r\nabc", "abc",
	    OK_ANOM, ANOM_OBS_FOLD);
	one("HTTP/1.1 200 OK\nContent-Length: 3\n\nabc", "abc", OK_ANOM,
	    ANOM_BARE_LF);
	/* chunked not last: flagged, still de-chunked */
	one("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
	    "3\r\nabc\r\n0\r\n\r\n", "abc", OK_ANOM, ANOM_BAD_TE);
	/* declared chunked but not: read as sent (Firefox), flagged */
	READ_AS("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n"
		"\r\nabc", ANOM_CL_AND_TE | ANOM_BAD_CHUNK, { "length", "abc", OK_ANOM });
	READ_AS("HTTP/1.1 200 OK\r\nTransfer-Encoding : Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		ANOM_OBS_FOLD, { "chunked", "abc", OK_ANOM },
		{ "close", "3\r\nabc\r\n0\r\n\r\n", OK_ANOM });
	one("HTTP/1.1 206 Partial\r\nContent-Length: 3\r\n\r\nabc", "abc",
	    OK_ANOM | OBJ_PARTIAL, ANOM_BAD_RANGE);
	one("HTTP/1.1 206 Partial\r\nContent-Range: bytes 5-3/9\r\n"
	    "Content-Length: 3\r\n\r\nabc", "abc", OK_ANOM | OBJ_PARTIAL,
	    ANOM_BAD_RANGE);
	/* close-delimited and HTTP/0.9 */
	one("HTTP/1.0 200 OK\r\n\r\nuntil close", "until close", OBJ_COMPLETE, 0);
	one("no status line at all", "no status line at all", OBJ_COMPLETE, 0);
}

static void content_coding(void **state)
{
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	uint8_t z[256];
	char rsp[512];
	uLongf zn = sizeof(z);
	int hl;

	(void)state;
	assert_int_equal(compress2(z, &zn, (const Bytef *)png, sizeof(png) - 1, 6), Z_OK);
	hl = snprintf(rsp, sizeof(rsp), "HTTP/1.1 200 OK\r\nContent-Encoding: "
		      "deflate\r\nContent-Length: %lu\r\n\r\n", (unsigned long)zn);
	memcpy(rsp + hl, z, zn);
	rsp[hl + zn] = '\0';
	{
		const struct ev evs[] = { REQ("GET /i.png HTTP/1.1\r\n\r\n"),
					  { EV_DATA, STREAM_S2C, rsp, hl + zn }, FIN };
		struct tcol *c = malloc(sizeof(*c));
		struct http_ctx *ctx = run(evs, 3, 3, c, NULL);

		assert_int_equal(c->n, 1);
		assert_int_equal(c->o[0].nwire, zn);
		assert_memory_equal(c->o[0].wire, z, zn);
		assert_int_equal(c->o[0].ndata, sizeof(png) - 1);
		assert_memory_equal(c->o[0].data, png, sizeof(png) - 1);
		assert_string_equal(c->o[0].sniffed, "png");
		assert_int_equal(c->o[0].end.flags, OBJ_COMPLETE);
		http_ctx_free(ctx);
		free(c);
	}
}

static void bomb_is_flagged(void **state)
{
	size_t big = 4 << 20;
	uint8_t *zeros = calloc(1, big), *z = malloc(big);
	char *rsp = malloc(big);
	uLongf zn = big;
	struct http_conf conf;
	struct tcol *c = malloc(sizeof(*c));
	int hl;

	(void)state;
	assert_int_equal(compress2(z, &zn, zeros, big, 9), Z_OK);
	hl = sprintf(rsp, "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n"
		     "Content-Length: %lu\r\n\r\n", (unsigned long)zn);
	memcpy(rsp + hl, z, zn);
	http_conf_default(&conf);
	conf.max_decoded = 4000;
	{
		const struct ev evs[] = { REQ("GET / HTTP/1.1\r\n\r\n"),
					  { EV_DATA, STREAM_S2C, rsp, hl + zn }, FIN };
		struct http_ctx *ctx = run(evs, 3, 1 << 20, c, &conf);
		struct http_stats st;

		assert_int_equal(c->n, 1);
		assert_int_equal(c->o[0].ndata, 4000);
		assert_int_equal(c->o[0].end.flags, OBJ_BOMB | OBJ_TRUNCATED);
		assert_string_equal(c->o[0].error,
				    "decoded size limit of 4000 bytes reached");
		http_ctx_stats(ctx, &st);
		assert_int_equal(st.bombs, 1);
		http_ctx_free(ctx);
	}
	free(c);
	free(rsp);
	free(z);
	free(zeros);
}

static void check_gap(struct tcol *c, struct http_ctx *ctx)
{
	(void)ctx;
	assert_int_equal(c->n, 3);
	expect_obj(&c->o[0], OBJ_RESPONSE_BODY, 200, "abc", OBJ_GAP | OBJ_TRUNCATED);
	expect_obj(&c->o[1], OBJ_RESPONSE_BODY, 200, "next", OBJ_COMPLETE);
	/* the gap hit the head: resynchronised at the next status line */
	expect_obj(&c->o[2], OBJ_RESPONSE_BODY, 200, "last", OBJ_COMPLETE);
	assert_string_equal(c->o[2].uri, "/3");
}

static void gaps_truncate_and_resync(void **state)
{
	const struct ev evs[] = {
		REQ("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"),
		RSP("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
		{ EV_GAP, STREAM_S2C, NULL, 4 },
		RSP("xyz"),
		RSP("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnextHTTP/1.1 200 OK\r\nX"),
		{ EV_GAP, STREAM_S2C, NULL, 0 },
		RSP("garbage\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast"),
		FIN,
	};

	(void)state;
	each_split(evs, sizeof(evs) / sizeof(evs[0]), check_gap);
}

static void check_overlap(struct tcol *c, struct http_ctx *ctx)
{
	(void)ctx;
	assert_int_equal(c->n, 3);
	/* seen mid-body: that object; seen between messages: the next one */
	expect_obj(&c->o[0], OBJ_RESPONSE_BODY, 200, "abcdef", OBJ_COMPLETE | OBJ_ANOMALY);
	assert_int_equal(c->o[0].end.anomalies, ANOM_OVERLAP);
	expect_obj(&c->o[1], OBJ_RESPONSE_BODY, 200, "gh", OBJ_COMPLETE | OBJ_ANOMALY);
	assert_int_equal(c->o[1].end.anomalies, ANOM_OVERLAP);
	expect_obj(&c->o[2], OBJ_RESPONSE_BODY, 200, "ij", OBJ_COMPLETE);
	assert_int_equal(c->o[2].end.anomalies, 0);
}

static void tcp_overlap_flags_object(void **state)
{
	const struct ev evs[] = {
		REQ("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"),
		RSP("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc"),
		{ EV_OVERLAP, STREAM_S2C, NULL, 0 },
		RSP("def"),
		{ EV_OVERLAP, STREAM_S2C, NULL, 0 },
		RSP("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\ngh"),
		RSP("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nij"),
		FIN,
	};

	(void)state;
	each_split(evs, sizeof(evs) / sizeof(evs[0]), check_overlap);
}

static void check_close(struct tcol *c, struct http_ctx *ctx)
{
	(void)ctx;
	assert_int_equal(c->n, 1);
	expect_obj(&c->o[0], OBJ_RESPONSE_BODY, 200, "12345", OBJ_TRUNCATED);
}

static void early_close_truncates(void **state)
{
	const struct ev evs[] = {
		REQ("GET / HTTP/1.1\r\n\r\n"),
		RSP("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345"),
		{ EV_CLOSE, 0, NULL, STREAM_CLOSE_RST },
	};

	(void)state;
	each_split(evs, sizeof(evs) / sizeof(evs[0]), check_close);
}

static void check_ranges(struct tcol *c, struct http_ctx *ctx)
{
	(void)ctx;
	assert_int_equal(c->n, 3);
	expect_obj(&c->o[0], OBJ_RESPONSE_BODY, 206, "0123", OBJ_COMPLETE | OBJ_PARTIAL);
	assert_int_equal(c->o[0].first, 100);
	assert_int_equal(c->o[0].last, 103);
	assert_int_equal(c->o[0].total, 1000);
	expect_obj(&c->o[1], OBJ_BYTERANGE_PART, 206, "ab", OBJ_COMPLETE | OBJ_PARTIAL);
	assert_int_equal(c->o[1].first, 0);
	assert_int_equal(c->o[1].last, 1);
	assert_int_equal(c->o[1].total, -1);
	expect_obj(&c->o[2], OBJ_BYTERANGE_PART, 206, "yz", OBJ_COMPLETE | OBJ_PARTIAL);
	assert_int_equal(c->o[2].first, 24);
	assert_int_equal(c->o[2].total, 26);
}

static void ranges_and_byteranges(void **state)
{
	const struct ev evs[] = {
		REQ("GET /f HTTP/1.1\r\nRange: bytes=100-103\r\n\r\n"
		    "GET /f HTTP/1.1\r\nRange: bytes=0-1,24-25\r\n\r\n"),
		RSP("HTTP/1.1 206 Partial\r\nContent-Range: bytes 100-103/1000\r\n"
		    "Content-Length: 4\r\n\r\n0123"
		    "HTTP/1.1 206 Partial\r\nContent-Type: multipart/byteranges; "
		    "boundary=B\r\nContent-Length: 88\r\n\r\n"
		    "--B\r\nContent-Range: bytes 0-1/*\r\n\r\nab\r\n"
		    "--B\r\nContent-Range: bytes 24-25/26\r\n\r\nyz\r\n--B--\r\n"),
		FIN,
	};

	(void)state;
	each_split(evs, sizeof(evs) / sizeof(evs[0]), check_ranges);
}

static void check_upload(struct tcol *c, struct http_ctx *ctx)
{
	(void)ctx;
	assert_int_equal(c->n, 3);
	expect_obj(&c->o[0], OBJ_FORM_PART, 0, "v", OBJ_COMPLETE);
	assert_string_equal(c->o[0].filename, "");
	expect_obj(&c->o[1], OBJ_FORM_PART, 0, "GIF89a..", OBJ_COMPLETE);
	assert_string_equal(c->o[1].filename, "cat.gif");
	assert_string_equal(c->o[1].method, "POST");
	assert_string_equal(c->o[1].uri, "/up");
	assert_string_equal(c->o[1].host, "u.example");
	assert_string_equal(c->o[1].sniffed, "gif");
	expect_obj(&c->o[2], OBJ_REQUEST_BODY, 0, "raw put body", OBJ_COMPLETE);
	assert_string_equal(c->o[2].method, "PUT");
}

static void request_bodies_and_form_parts(void **state)
{
	const struct ev evs[] = {
		REQ("POST /up HTTP/1.1\r\nHost: u.example\r\nContent-Type: "
		    "multipart/form-data; boundary=----x\r\nContent-Length: 150\r\n\r\n"
		    "------x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n"
		    "------x\r\nContent-Disposition: form-data; name=\"f\"; "
		    "filename=\"cat.gif\"\r\n\r\nGIF89a..\r\n------x--\r\n"
		    "PUT /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "c\r\nraw put body\r\n0\r\n\r\n"),
		RSP("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"),
		FIN,
	};

	(void)state;
	each_split(evs, sizeof(evs) / sizeof(evs[0]), check_upload);
}

static void oversized_head_gives_up(void **state)
{
	char *rsp = malloc(2048);
	struct http_conf conf;
	struct tcol *c = malloc(sizeof(*c));
	struct http_stats st;

	(void)state;
	strcpy(rsp, "HTTP/1.1 200 OK\r\nX: ");
	memset(rsp + strlen(rsp), 'a', 1500);
	strcpy(rsp + 1520, "\r\nContent-Length: 1\r\n\r\nx");
	http_conf_default(&conf);
	conf.max_header = 1024;
	{
		const struct ev evs[] = { REQ("GET / HTTP/1.1\r\n\r\n"), RSP(rsp), FIN };
		struct http_ctx *ctx = run(evs, 3, 100, c, &conf);

		assert_int_equal(c->n, 0);
		http_ctx_stats(ctx, &st);
		assert_int_equal(st.gave_up, 1);
		http_ctx_free(ctx);
	}
	free(c);
	free(rsp);
}

/* Limits are exact: a head of max_header bytes is read, one byte more is
 * given up, whatever the direction's buffer held before. */
static void head_limit_is_exact(void **state)
{
	static const char *const heads[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX: ",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nXY: ",
	};
	struct tcol *c = malloc(sizeof(*c));
	struct http_conf conf;
	char rsp[400];

	(void)state;
	http_conf_default(&conf);
	conf.max_header = 300;
	for (int i = 0; i < 2; i++) {
		size_t n = strlen(heads[i]);
		struct http_stats st;

		memcpy(rsp, heads[i], n);
		/* with the first head the block is exactly 300 bytes */
		memset(rsp + n, 'a', 300 - 4 - strlen(heads[0]));
		strcpy(rsp + n + 300 - 4 - strlen(heads[0]), "\r\n\r\nz");
		{
			const struct ev evs[] = { REQ("GET / HTTP/1.1\r\n\r\n"), RSP(rsp), FIN };
			struct http_ctx *ctx = run(evs, 3, 7, c, &conf);

			http_ctx_stats(ctx, &st);
			assert_int_equal(c->n, !i);
			assert_int_equal(st.gave_up, i);
			if (!i)
				expect_obj(&c->o[0], OBJ_RESPONSE_BODY, 200, "z", OBJ_COMPLETE);
			http_ctx_free(ctx);
		}
	}
	free(c);
}

static char long_rsp[8192];

static void check_long_lines(struct tcol *c, struct http_ctx *ctx)
{
	struct http_stats st;

	http_ctx_stats(ctx, &st);
	assert_int_equal(c->n, 3);
	expect_obj(&c->o[0], OBJ_RESPONSE_BODY, 200, "abcdefgh", OBJ_COMPLETE);
	expect_obj(&c->o[1], OBJ_RESPONSE_BODY, 200, "ij", OBJ_COMPLETE);
	/* a size line of 1025 bytes is no chunk-size line */
	assert_int_equal(c->o[2].ndata, 1);
	assert_int_equal(c->o[2].end.flags, OBJ_TRUNCATED | OBJ_DECODE_ERR | OBJ_ANOMALY);
	assert_int_equal(c->o[2].end.anomalies, ANOM_BAD_CHUNK);
	assert_int_equal(st.responses, 3);
}

/* Long header lines, chunk extensions and trailers are read a line at a
 * time: the same objects at every split, and the limits where they were. */
static void long_lines(void **state)
{
	char *p = long_rsp;
	const struct ev evs[] = {
		REQ("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"),
		RSP(long_rsp),
		FIN,
	};

	(void)state;
	p += sprintf(p, "HTTP/1.1 200 OK\r\nX-Long: ");
	memset(p, 'h', 3000);
	p += 3000;
	p += sprintf(p, "\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=");
	memset(p, 'e', 1000);	/* a size line of 1010 bytes: fine */
	p += 1000;
	p += sprintf(p, "\r\nabc\r\n5\r\ndefgh\r\n0\r\nX-Trailer: ");
	memset(p, 't', 2000);	/* a trailer over LINE_MAX_LEN: skipped */
	p += 2000;
	p += sprintf(p, "\r\n\r\n");
	p += sprintf(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nij\r\n0\r\n\r\n");
	p += sprintf(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nk\r\n1");
	memset(p, ' ', 1024);
	p += 1024;
	sprintf(p, "\r\nl\r\n0\r\n\r\n");
	each_split(evs, sizeof(evs) / sizeof(evs[0]), check_long_lines);
}

/* Responses pair with requests in order; a 33rd pending request makes the
 * parser forget the oldest. */
static void pending_requests_ring(void **state)
{
	char *req = malloc(64 * 40), *rsp = malloc(64 * 64), *q = req, *r = rsp;
	struct tcol *c = malloc(sizeof(*c));
	struct http_stats st;

	(void)state;
	for (int i = 0; i < 34; i++) {
		q += sprintf(q, "GET /%d HTTP/1.1\r\n\r\n", i);
		/* bodies only for the last MAXOBJ responses */
		if (i < 34 - MAXOBJ)
			r += sprintf(r, "HTTP/1.1 304 Not Modified\r\n\r\n");
		else
			r += sprintf(r, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n%c", 'a' + i % 26);
	}
	{
		const struct ev evs[] = { REQ(req), RSP(rsp), FIN };
		struct http_ctx *ctx = run(evs, 3, 1 << 20, c, NULL);

		http_ctx_stats(ctx, &st);
		assert_int_equal(st.requests, 34);
		assert_int_equal(st.responses, 34);
		assert_int_equal(c->n, MAXOBJ);
		/* requests 0 and 1 were forgotten: response 18 answers /20 */
		assert_string_equal(c->o[0].uri, "/20");
		assert_string_equal(c->o[MAXOBJ - 3].uri, "/33");
		assert_string_equal(c->o[MAXOBJ - 2].method, "");
		assert_string_equal(c->o[MAXOBJ - 1].uri, "");
		http_ctx_free(ctx);
	}
	free(c);
	free(rsp);
	free(req);
}

/* A long keep-alive flow: each message's state comes and goes (ASan checks
 * nothing leaks), the counts stay right. */
static void many_messages(void **state)
{
	const size_t n = 2000;
	char *req = malloc(n * 32), *rsp = malloc(n * 64), *q = req, *r = rsp;
	struct tcol *c = malloc(sizeof(*c));
	struct http_conf conf;
	struct http_stats st;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		q += sprintf(q, "GET /%zu HTTP/1.1\r\n\r\n", i);
		r += sprintf(r, "HTTP/1.1 %s\r\n\r\n", i % 2 ? "204 No Content" :
			     "200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
	}
	http_conf_default(&conf);
	conf.emit = HTTP_EMIT_REQUESTS;	/* count the responses, keep none */
	{
		const struct ev evs[] = { REQ(req), RSP(rsp), FIN };
		struct http_ctx *ctx = run(evs, 3, 1448, c, &conf);

		http_ctx_stats(ctx, &st);
		assert_int_equal(st.requests, n);
		assert_int_equal(st.responses, n);
		assert_int_equal(st.objects, 0);
		assert_int_equal(st.anomalies, 0);
		http_ctx_free(ctx);
	}
	free(c);
	free(rsp);
	free(req);
}

static void check_not_http(struct tcol *c, struct http_ctx *ctx)
{
	struct http_stats st;

	assert_int_equal(c->n, 0);
	http_ctx_stats(ctx, &st);
	assert_int_equal(st.gave_up, 2);
	assert_int_equal(st.requests, 0);
}

static void not_http_is_dropped_early(void **state)
{
	/* a TLS ClientHello and ServerHello: no request, so no HTTP/0.9 */
	const struct ev evs[] = {
		{ EV_DATA, STREAM_C2S, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc", 9 },
		{ EV_DATA, STREAM_S2C, "\x16\x03\x03\x00\x5a\x02\x00\x00\x56", 9 },
		FIN,
	};

	(void)state;
	each_split(evs, sizeof(evs) / sizeof(evs[0]), check_not_http);
}

static void midstream_resyncs_partial(void **state)
{
	const struct ev evs[] = {
		REQ("T /x HTTP/1.1\r\nHost: a\r\n\r\nGET /y HTTP/1.1\r\nHost: b\r\n\r\n"),
		RSP("of an earlier body\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
		FIN,
	};
	struct tcol *c = malloc(sizeof(*c));

	(void)state;
	for (size_t step = 1; step < 40; step += 13) {
		struct http_ctx *ctx = run_flow(evs, 3, step, c, NULL, FLOW_MIDSTREAM);

		assert_int_equal(c->n, 1);
		expect_obj(&c->o[0], OBJ_RESPONSE_BODY, 200, "ok",
			   OBJ_COMPLETE | OBJ_PARTIAL);
		assert_string_equal(c->o[0].uri, "/y");
		assert_string_equal(c->o[0].host, "b");
		http_ctx_free(ctx);
	}
	free(c);
}

static void check_upload_gap(struct tcol *c, struct http_ctx *ctx)
{
	(void)ctx;
	assert_int_equal(c->n, 2);
	expect_obj(&c->o[0], OBJ_FORM_PART, 0, "v", OBJ_COMPLETE);
	expect_obj(&c->o[1], OBJ_FORM_PART, 0, "GIF", OBJ_TRUNCATED | OBJ_GAP);
	assert_string_equal(c->o[1].filename, "cat.gif");
}

static void upload_part_cut_by_gap(void **state)
{
	const struct ev evs[] = {
		REQ("POST /up HTTP/1.1\r\nContent-Type: multipart/form-data; "
		    "boundary=x\r\nContent-Length: 200\r\n\r\n"
		    "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n"
		    "--x\r\nContent-Disposition: form-data; name=\"f\"; "
		    "filename=\"cat.gif\"\r\n\r\nGIF"),
		{ EV_GAP, STREAM_C2S, NULL, 10 },
		FIN,
	};

	(void)state;
	each_split(evs, sizeof(evs) / sizeof(evs[0]), check_upload_gap);
}

/* Objects of one capture through pcapsrc -> reasm -> http; counts those
 * equal to the EICAR test file (68 bytes, see MANIFEST.md). */
struct eicar_count {
	int found;
};

static const char eicar[] =
	"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

struct eobj {
	struct eicar_count *n;
	size_t ndata;
	int over;
	uint8_t data[128];
};

static void *e_begin(void *ctx, const struct obj_meta *m)
{
	struct eobj *o = calloc(1, sizeof(*o));

	(void)m;
	assert_non_null(o);
	o->n = ctx;
	return o;
}

static void e_wire(void *obj, const uint8_t *p, size_t len)
{
	(void)obj;
	(void)p;
	(void)len;
}

static void e_data(void *obj, const uint8_t *p, size_t len)
{
	struct eobj *o = obj;

	if (o->ndata + len <= sizeof(o->data)) {
		memcpy(o->data + o->ndata, p, len);
		o->ndata += len;
	} else {
		o->over = 1;
	}
}

static void e_end(void *obj, const struct obj_end *e)
{
	struct eobj *o = obj;

	(void)e;
	if (!o->over && o->ndata == 68 && !memcmp(o->data, eicar, 68))
		o->n->found = 1;
	free(o);
}

static const struct object_ops e_ops = { e_begin, e_wire, e_data, e_end };

static void evader_captures(void **state)
{
	const char *dir = ewtest_data("pcaps/evader");
	int total = 0, found = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		struct eicar_count n = { 0 };
		struct capture_stats st = { 0 };
		struct pcapsrc_err err;
		struct http_ctx *ctx;
		struct reasm *r;
		char path[PATH_MAX];

		if (!strstr(de->d_name, ".pcap"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ctx = http_ctx_new(NULL, &e_ops, &n);
		r = reasm_new(NULL, http_stream_ops(), ctx);
		assert_non_null(r);
		assert_int_equal(run_file(path, r, &st, &err), 0);
		reasm_free(r);
		http_ctx_free(ctx);
		total++;
		found += n.found;
		if (!n.found)
			print_message("evader: no EICAR object in %s\n", de->d_name);
	}
	closedir(d);
	print_message("evader: EICAR found in %d of %d captures\n", found, total);
	assert_int_equal(total, 335);
	/* every one, 116 (Content-Encoding: lzma) included: no browser
	 * decodes lzma, Suricata can, and so does the parser (flagged) */
	assert_int_equal(found, 335);
}

/* ---- message positions (http_conf.msg, obj_meta/obj_end offsets) ---- */

#define MAXMSG 32

struct tmsg {
	enum stream_dir dir;
	enum http_msg_event ev;
	unsigned flags;
	uint64_t head_off, body_off, end_off;
	char method[16], host[32], uri[32];
	int status;
};

struct tmsgs {
	struct tmsg m[MAXMSG];
	int n;
};

static void t_msg(void *ctx, const struct http_msg *m)
{
	struct tmsgs *ms = ctx;
	struct tmsg *t;

	assert_true(ms->n < MAXMSG);
	t = &ms->m[ms->n++];
	t->dir = m->dir;
	t->ev = m->ev;
	t->flags = m->flags;
	t->head_off = m->head_off;
	t->body_off = m->body_off;
	t->end_off = m->end_off;
	snprintf(t->method, sizeof(t->method), "%s", m->method);
	snprintf(t->host, sizeof(t->host), "%s", m->host);
	snprintf(t->uri, sizeof(t->uri), "%s", m->uri);
	t->status = m->status;
}

/* A stream built from pieces, each piece's offset kept. */
struct tstream {
	char b[1024];
	size_t n, off[16];
	int k;
};

static size_t piece(struct tstream *s, const char *p)
{
	size_t at = s->n;

	assert_true(s->n + strlen(p) < sizeof(s->b) && s->k < 16);
	memcpy(s->b + s->n, p, strlen(p));
	s->n += strlen(p);
	s->off[s->k++] = at;
	return at;
}

static void expect_msg(const struct tmsg *t, enum stream_dir dir, enum http_msg_event ev,
		       unsigned flags, uint64_t head, uint64_t body, uint64_t end,
		       const char *uri, int status)
{
	assert_int_equal(t->dir, dir);
	assert_int_equal(t->ev, ev);
	assert_int_equal(t->flags, flags);
	assert_int_equal(t->head_off, head);
	assert_int_equal(t->body_off, body);
	assert_int_equal(t->end_off, ev == HTTP_MSG_DONE ? end : 0);
	assert_string_equal(t->uri, uri);
	assert_int_equal(t->status, status);
}

/* Pipelined requests (one with a body), and their responses: a
 * Content-Length body, 100 Continue before a bodiless 201, a HEAD
 * response, a chunked body with a trailer, a close-delimited body. Every
 * split of the input gives the same events at the same offsets. */
static void message_positions(void **state)
{
	static const size_t steps[] = { 1, 2, 3, 5, 64, 1 << 20 };
	struct tstream q = { .n = 0 }, r = { .n = 0 };
	struct tcol *c = malloc(sizeof(*c));
	struct tmsgs *ms = malloc(sizeof(*ms));
	const size_t H = 38; /* "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" */
	size_t q1, q2, q3, q4, q5, r1, r2, r3, r4, r5, r6, chunk0;

	(void)state;
	assert_non_null(c);
	assert_non_null(ms);
	q1 = piece(&q, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
	q2 = piece(&q, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n");
	piece(&q, "abc");
	q3 = piece(&q, "\r\nHEAD /b HTTP/1.1\r\n\r\n"); /* a stray CRLF first */
	q4 = piece(&q, "GET /c HTTP/1.1\r\n\r\n");
	q5 = piece(&q, "GET http://abs.example/d?x=1 HTTP/1.1\r\n\r\n");
	piece(&q, "");
	r1 = piece(&r, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
	r2 = piece(&r, "HTTP/1.1 100 Continue\r\n\r\n");
	r3 = piece(&r, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
	r4 = piece(&r, "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n");
	r5 = piece(&r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nchunk\r\n");
	chunk0 = piece(&r, "0\r\nX-T: t\r\n\r\n");
	r6 = piece(&r, "HTTP/1.1 200 OK\r\n\r\nuntil close");
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct ev evs[] = {
			{ EV_DATA, STREAM_C2S, q.b, q.n },
			{ EV_DATA, STREAM_S2C, r.b, r.n },
			FIN,
		};
		struct http_conf conf;
		struct http_ctx *ctx;
		const struct tmsg *m = ms->m;

		http_conf_default(&conf);
		conf.msg = t_msg;
		conf.msg_ctx = ms;
		ms->n = 0;
		ctx = run(evs, 3, steps[i], c, &conf);
		assert_int_equal(ms->n, 22);
		/* requests: DONE at once when bodiless, after the body else */
		expect_msg(m++, STREAM_C2S, HTTP_MSG_HEAD, HTTP_MSG_BODILESS, q1, q2, 0, "/a", 0);
		assert_string_equal(m[-1].host, "h");
		assert_string_equal(m[-1].method, "GET");
		expect_msg(m++, STREAM_C2S, HTTP_MSG_DONE, HTTP_MSG_BODILESS, q1, q2, q2, "/a", 0);
		expect_msg(m++, STREAM_C2S, HTTP_MSG_HEAD, 0, q2, q.off[2], 0, "/up", 0);
		expect_msg(m++, STREAM_C2S, HTTP_MSG_DONE, 0, q2, q.off[2], q3, "/up", 0);
		expect_msg(m++, STREAM_C2S, HTTP_MSG_HEAD, HTTP_MSG_BODILESS, q3 + 2, q4, 0, "/b", 0);
		expect_msg(m++, STREAM_C2S, HTTP_MSG_DONE, HTTP_MSG_BODILESS, q3 + 2, q4, q4, "/b", 0);
		expect_msg(m++, STREAM_C2S, HTTP_MSG_HEAD, HTTP_MSG_BODILESS, q4, q5, 0, "/c", 0);
		expect_msg(m++, STREAM_C2S, HTTP_MSG_DONE, HTTP_MSG_BODILESS, q4, q5, q5, "/c", 0);
		expect_msg(m++, STREAM_C2S, HTTP_MSG_HEAD, HTTP_MSG_BODILESS, q5, q.n, 0,
			   "http://abs.example/d?x=1", 0);
		assert_string_equal(m[-1].host, "abs.example");
		expect_msg(m++, STREAM_C2S, HTTP_MSG_DONE, HTTP_MSG_BODILESS, q5, q.n, q.n,
			   "http://abs.example/d?x=1", 0);
		/* responses, each with its request's target */
		expect_msg(m++, STREAM_S2C, HTTP_MSG_HEAD, 0, r1, r1 + H, 0, "/a", 200);
		expect_msg(m++, STREAM_S2C, HTTP_MSG_DONE, 0, r1, r1 + H, r2, "/a", 200);
		expect_msg(m++, STREAM_S2C, HTTP_MSG_HEAD, HTTP_MSG_INTERIM | HTTP_MSG_BODILESS,
			   r2, r3, 0, "/up", 100);
		expect_msg(m++, STREAM_S2C, HTTP_MSG_DONE, HTTP_MSG_INTERIM | HTTP_MSG_BODILESS,
			   r2, r3, r3, "/up", 100);
		expect_msg(m++, STREAM_S2C, HTTP_MSG_HEAD, HTTP_MSG_BODILESS, r3, r4, 0, "/up", 201);
		expect_msg(m++, STREAM_S2C, HTTP_MSG_DONE, HTTP_MSG_BODILESS, r3, r4, r4, "/up", 201);
		expect_msg(m++, STREAM_S2C, HTTP_MSG_HEAD, HTTP_MSG_BODILESS, r4, r5, 0, "/b", 200);
		expect_msg(m++, STREAM_S2C, HTTP_MSG_DONE, HTTP_MSG_BODILESS, r4, r5, r5, "/b", 200);
		expect_msg(m++, STREAM_S2C, HTTP_MSG_HEAD, 0, r5, r5 + 47, 0, "/c", 200);
		expect_msg(m++, STREAM_S2C, HTTP_MSG_DONE, 0, r5, r5 + 47, r6, "/c", 200);
		expect_msg(m++, STREAM_S2C, HTTP_MSG_HEAD, HTTP_MSG_CLOSE, r6, r6 + 19, 0,
			   "http://abs.example/d?x=1", 200);
		expect_msg(m++, STREAM_S2C, HTTP_MSG_DONE, HTTP_MSG_CLOSE, r6, r6 + 19, r.n,
			   "http://abs.example/d?x=1", 200);
		/* objects: where their message and body start, where they end */
		assert_int_equal(c->n, 4);
		assert_string_equal(c->o[0].uri, "/up"); /* the request body ends first */
		assert_int_equal(c->o[0].head_off, q2);
		assert_int_equal(c->o[0].body_off, q.off[2]);
		assert_int_equal(c->o[0].end.end_off, q3);
		assert_int_equal(c->o[1].head_off, r1);
		assert_int_equal(c->o[1].body_off, r1 + H);
		assert_int_equal(c->o[1].end.end_off, r2);
		assert_int_equal(c->o[2].head_off, r5);
		assert_int_equal(c->o[2].body_off, r5 + 47);
		/* a chunked body ends within its last-chunk line "0\r\n" */
		assert_true(c->o[2].end.end_off > chunk0 && c->o[2].end.end_off <= chunk0 + 3);
		assert_int_equal(c->o[3].head_off, r6);
		assert_int_equal(c->o[3].end.end_off, r.n);
		http_ctx_free(ctx);
	}
	free(ms);
	free(c);
}

/* What a holding source asks between feeds: in a head, in a body, lost
 * (not HTTP, a tunnel). */
static void where_the_parser_stands(void **state)
{
	const struct stream_ops *so = http_stream_ops();
	struct flow_info fi = { .id = 1, .proto = 6 };
	struct tcol *c = malloc(sizeof(*c));
	struct http_ctx *ctx = http_ctx_new(NULL, &t_ops, c);
	void *f;

#define FEED(dir, s) so->data(f, dir, (const uint8_t *)s, strlen(s), 1)
	(void)state;
	memset(c, 0, sizeof(*c));
	f = so->flow_open(ctx, &fi);
	assert_int_equal(http_flow_where(f, STREAM_C2S), HTTP_AT_HEAD);
	FEED(STREAM_C2S, "POST / HTTP/1.1\r\nContent-Le");
	assert_int_equal(http_flow_where(f, STREAM_C2S), HTTP_AT_HEAD);
	FEED(STREAM_C2S, "ngth: 4\r\n\r\nab");
	assert_int_equal(http_flow_where(f, STREAM_C2S), HTTP_IN_BODY);
	FEED(STREAM_C2S, "cdCONNECT h:443 HTTP/1.1\r\n\r\n");
	assert_int_equal(http_flow_where(f, STREAM_C2S), HTTP_LOST);
	FEED(STREAM_S2C, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	assert_int_equal(http_flow_where(f, STREAM_S2C), HTTP_IN_BODY);
	so->flow_close(f, STREAM_CLOSE_FIN, 2);
	f = so->flow_open(ctx, &fi);
	FEED(STREAM_C2S, "\x16\x03\x01");
	assert_int_equal(http_flow_where(f, STREAM_C2S), HTTP_LOST);
	so->flow_close(f, STREAM_CLOSE_FIN, 2);
#undef FEED
	http_ctx_free(ctx);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pipelining_head_1xx_204_chunked),
		cmocka_unit_test(connect_and_upgrade_end_http),
		cmocka_unit_test(rfc9112_ambiguities),
		cmocka_unit_test(content_coding),
		cmocka_unit_test(bomb_is_flagged),
		cmocka_unit_test(gaps_truncate_and_resync),
		cmocka_unit_test(tcp_overlap_flags_object),
		cmocka_unit_test(early_close_truncates),
		cmocka_unit_test(ranges_and_byteranges),
		cmocka_unit_test(request_bodies_and_form_parts),
		cmocka_unit_test(oversized_head_gives_up),
		cmocka_unit_test(head_limit_is_exact),
		cmocka_unit_test(long_lines),
		cmocka_unit_test(pending_requests_ring),
		cmocka_unit_test(many_messages),
		cmocka_unit_test(not_http_is_dropped_early),
		cmocka_unit_test(midstream_resyncs_partial),
		cmocka_unit_test(upload_part_cut_by_gap),
		cmocka_unit_test(evader_captures),
		cmocka_unit_test(message_positions),
		cmocka_unit_test(where_the_parser_stands),
	};
	return ewtest_run(tests);
}
