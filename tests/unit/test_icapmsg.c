// SPDX-License-Identifier: GPL-2.0
/* icapmsg: the ICAP parser's events (head, header blocks, chunked body,
 * preview, ieof, pipelining) at every split, and one test per
 * diagnostic, asserting the exact message and ICAP status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "icap/icapmsg.h"

/* The events as text: H(method,service,preview,allow204) B[bytes] P E/Ei X(status) */
struct rec {
	char s[8192];
	int status;
	char msg[256];
};

static void add(struct rec *r, const char *fmt, const char *a, size_t n)
{
	size_t k = strlen(r->s);

	snprintf(r->s + k, sizeof(r->s) - k, fmt, (int)n, a);
}

static void parse(const char *in, size_t len, size_t step, struct rec *r)
{
	struct icap_parser *ps = icap_parser_new(0);
	struct icap_event ev;
	size_t pos = 0;

	memset(r, 0, sizeof(*r));
	assert_non_null(ps);
	for (;;) {
		size_t n = len - pos < step ? len - pos : step;

		pos += icap_parse(ps, (const uint8_t *)in + pos, n, &ev);
		if (ev.type == ICAP_EV_NEED) {
			if (pos >= len)
				break;
			continue;
		}
		if (ev.type == ICAP_EV_HEAD) {
			const struct icap_msg *m = icap_parser_msg(ps);
			char h[200];

			snprintf(h, sizeof(h), "H(%s,%s,%lld,%d)", icap_method_name(m->method),
				 m->service, (long long)m->preview, m->allow204);
			add(r, "%.*s", h, strlen(h));
		} else if (ev.type == ICAP_EV_BODY) {
			add(r, "%.*s", (const char *)ev.data, ev.len);
		} else if (ev.type == ICAP_EV_PREVIEW_END) {
			add(r, "%.*s", "|P|", 3);
		} else if (ev.type == ICAP_EV_END) {
			add(r, "%.*s", ev.ieof ? "|Ei|" : "|E|", 4 - !ev.ieof);
		} else {
			r->status = icap_parser_err(ps)->status;
			snprintf(r->msg, sizeof(r->msg), "%s", icap_parser_err(ps)->msg);
			break;
		}
	}
	icap_parser_free(ps);
}

/* Same events for every split size. */
static void expect(const char *in, const char *want)
{
	struct rec r;

	for (size_t step = 1; step <= strlen(in); step++) {
		parse(in, strlen(in), step, &r);
		assert_string_equal(r.msg, "");
		assert_string_equal(r.s, want);
	}
}

static void expect_err(const char *in, int status, const char *msg)
{
	struct rec r;

	for (size_t step = 1; step <= strlen(in); step += 7) {
		parse(in, strlen(in), step, &r);
		assert_int_equal(r.status, status);
		assert_string_equal(r.msg, msg);
	}
}

#define REQH "GET http://a.test/x HTTP/1.1\r\nHost: a.test\r\n\r\n" /* 46 bytes */
#define RESH "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"	/* 38 bytes */

static void options(void **state)
{
	(void)state;
	expect("OPTIONS icap://h:1344/respmod ICAP/1.0\r\nHost: h\r\n\r\n",
	       "H(OPTIONS,respmod,-1,0)|E|");
	expect("\r\nOPTIONS icap://h/reqmod?x=1 ICAP/1.0\r\nEncapsulated: null-body=0\r\n\r\n",
	       "H(OPTIONS,reqmod,-1,0)|E|");
}

static void respmod_body(void **state)
{
	(void)state;
	expect("RESPMOD icap://h/respmod ICAP/1.0\r\nAllow: 204, trailers\r\n"
	       "Encapsulated: req-hdr=0, res-hdr=46, res-body=84\r\n\r\n" REQH RESH
	       "3\r\nhel\r\n2; ext=1\r\nlo\r\n0\r\n\r\n",
	       "H(RESPMOD,respmod,-1,1)hello|E|");
}

static void preview_and_ieof(void **state)
{
	(void)state;
	/* preview, then the rest after 100 Continue */
	expect("RESPMOD icap://h/respmod ICAP/1.0\r\nPreview: 3\r\n"
	       "Encapsulated: res-hdr=0, res-body=38\r\n\r\n" RESH
	       "3\r\nhel\r\n0\r\n\r\n2\r\nlo\r\n0\r\n\r\n",
	       "H(RESPMOD,respmod,3,0)hel|P|lo|E|");
	/* all of it in the preview */
	expect("RESPMOD icap://h/respmod ICAP/1.0\r\nPreview: 10\r\n"
	       "Encapsulated: res-hdr=0, res-body=38\r\n\r\n" RESH
	       "5\r\nhello\r\n0; ieof\r\n\r\n",
	       "H(RESPMOD,respmod,10,0)hello|Ei|");
}

static void pipelined(void **state)
{
#define ONE "REQMOD icap://h/reqmod ICAP/1.0\r\nEncapsulated: req-hdr=0, null-body=46\r\n\r\n" REQH
	(void)state;
	expect(ONE ONE "OPTIONS icap://h/x ICAP/1.0\r\n\r\n",
	       "H(REQMOD,reqmod,-1,0)|E|H(REQMOD,reqmod,-1,0)|E|H(OPTIONS,x,-1,0)|E|");
}

/* After a final answer to the preview the next message follows. */
static void next_after_preview(void **state)
{
	static const char in[] = "RESPMOD icap://h/respmod ICAP/1.0\r\nPreview: 1\r\n"
				 "Encapsulated: res-body=0\r\n\r\n1\r\nx\r\n0\r\n\r\n"
				 "OPTIONS icap://h/respmod ICAP/1.0\r\n\r\n";
	struct icap_parser *ps = icap_parser_new(0);
	struct icap_event ev;
	size_t pos = 0, len = strlen(in);
	int heads = 0, ends = 0;

	(void)state;
	do {
		pos += icap_parse(ps, (const uint8_t *)in + pos, len - pos, &ev);
		assert_int_not_equal(ev.type, ICAP_EV_ERROR);
		heads += ev.type == ICAP_EV_HEAD;
		ends += ev.type == ICAP_EV_END;
		if (ev.type == ICAP_EV_PREVIEW_END)
			icap_parser_next(ps);
	} while (ev.type != ICAP_EV_NEED);
	assert_int_equal(pos, len);
	assert_int_equal(heads, 2);
	assert_int_equal(ends, 1); /* the OPTIONS; the RESPMOD ended at the preview */
	assert_true(icap_parser_idle(ps));
	icap_parser_free(ps);
}

#define RM "RESPMOD icap://h/respmod ICAP/1.0\r\n"

static void diag_request_line(void **state)
{
	(void)state;
	expect_err("RESPMOD\r\n\r\n", 400, "bad request line 'RESPMOD' (expected METHOD URI ICAP/1.0)");
	expect_err("RESPMOD icap://h ICAP/1.1\r\n\r\n", 505,
		   "unsupported version in 'RESPMOD icap://h ICAP/1.1' (expected ICAP/1.0)");
	expect_err("GET icap://h ICAP/1.0\r\n\r\n", 501,
		   "unknown method in 'GET icap://h ICAP/1.0' (expected OPTIONS, REQMOD, RESPMOD)");
}

static void diag_fields(void **state)
{
	(void)state;
	expect_err(RM "Encapsulated\r\n\r\n", 400,
		   "bad header line 'Encapsulated' (expected NAME: VALUE)");
	expect_err(RM "Preview: lots\r\n\r\n", 400, "bad Preview 'lots' (expected a byte count)");
	expect_err(RM "X: a\r\n b\r\n\r\n", 400, "folded header line (obsolete, refused)");
	expect_err(RM "Host: h\r\n\r\n", 400, "RESPMOD without an Encapsulated field");
}

static void diag_encapsulated(void **state)
{
	(void)state;
	expect_err(RM "Encapsulated: res-hdr\r\n\r\n", 400,
		   "bad Encapsulated entry 'res-hdr' (expected NAME=OFFSET)");
	expect_err(RM "Encapsulated: foo=0\r\n\r\n", 400,
		   "bad Encapsulated entry 'foo=0' (expected NAME=OFFSET)");
	expect_err(RM "Encapsulated: null-body=0, res-hdr=5\r\n\r\n", 400,
		   "Encapsulated entry 'res-hdr=5' after the body entry");
	expect_err(RM "Encapsulated: req-hdr=3, res-body=9\r\n\r\n", 400,
		   "Encapsulated offset in 'req-hdr=3' out of order");
	expect_err(RM "Encapsulated: req-hdr=0, res-hdr=0, res-body=9\r\n\r\n", 400,
		   "Encapsulated offset in 'res-hdr=0' out of order");
	expect_err(RM "Encapsulated: req-hdr=0, req-body=9\r\n\r\n", 400,
		   "Encapsulated entry 'req-body=9' not allowed in RESPMOD");
	expect_err(RM "Encapsulated: req-hdr=0\r\n\r\n", 400,
		   "Encapsulated has no body entry (req-body, res-body, null-body or opt-body)");
	expect_err(RM "Encapsulated: null-body=0\r\nEncapsulated: null-body=0\r\n\r\n", 400,
		   "more than one Encapsulated field");
	expect_err(RM "Encapsulated: res-hdr=0, res-body=10\r\n\r\nHTTP/1.1 2", 400,
		   "encapsulated res-hdr of 10 bytes does not end with an empty line where the "
		   "next offset says: 'HTTP/1.1 2'");
	expect_err(RM "Encapsulated: res-hdr=0, res-body=70000\r\n\r\n", 400,
		   "encapsulated headers of 70000 bytes over the limit of 65458");
}

static void diag_chunks(void **state)
{
	(void)state;
	expect_err(RM "Encapsulated: res-body=0\r\n\r\nzz\r\n", 400, "bad chunk size line 'zz'");
	expect_err(RM "Encapsulated: res-body=0\r\n\r\n3x\r\n", 400, "bad chunk size line '3x'");
	expect_err(RM "Encapsulated: res-body=0\r\n\r\n3; ieof\r\nabc\r\n", 400,
		   "ieof on a chunk that is not the last: '3; ieof'");
	expect_err(RM "Preview: 2\r\nEncapsulated: res-body=0\r\n\r\n3\r\nabc\r\n", 400,
		   "preview of 3 bytes longer than the Preview: 2 announced");
	expect_err(RM "Encapsulated: res-body=0\r\n\r\n3\r\nabcX\r\n", 400,
		   "chunk data not followed by CRLF but by 'X'");
}

static void diag_limits(void **state)
{
	char big[70000 + 200];
	char msg[128];

	(void)state;
	memset(big, 'a', sizeof(big));
	memcpy(big, RM "X: ", strlen(RM "X: "));
	big[sizeof(big) - 1] = '\0';
	expect_err(big, 400, "ICAP head over the limit of 65536 bytes");
	snprintf(big, sizeof(big), RM "Encapsulated: res-body=0\r\n\r\n%02000d\r\n", 1);
	snprintf(msg, sizeof(msg), "chunk size line over %d bytes", ICAP_LINE_MAX - 1);
	expect_err(big, 400, msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options),
		cmocka_unit_test(respmod_body),
		cmocka_unit_test(preview_and_ieof),
		cmocka_unit_test(pipelined),
		cmocka_unit_test(next_after_preview),
		cmocka_unit_test(diag_request_line),
		cmocka_unit_test(diag_fields),
		cmocka_unit_test(diag_encapsulated),
		cmocka_unit_test(diag_chunks),
		cmocka_unit_test(diag_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
