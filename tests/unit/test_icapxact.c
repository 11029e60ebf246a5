// SPDX-License-Identifier: GPL-2.0
/* icapxact: ICAP transactions over the real HTTP parser and objsink, with
 * a matcher that lists one SHA-256: OPTIONS, 451 for the listed body,
 * 204 or the byte-identical echo for others, the preview (204 for a page,
 * 100 Continue for an image), keep-alive, REQMOD multipart uploads, the
 * limits in both fail modes, 400/404/405. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/sha.h>

#include "icap/icapxact.h"

static const uint8_t PNG[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR listed image bytes, not a real one "
			     "but sniffed as png all the same......................";
static const uint8_t PNG2[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR another image, never listed "
			      "...............................................";
#define NPNG (sizeof(PNG) - 1)

struct fx {
	uint8_t listed[32];
	struct objsink_matcher m;
	struct icap_shared sh;
	struct icap_thread *t;
	struct icap_conn *c;
	struct icap_out out;
	char *log;
	size_t nlog;
	FILE *logf;
	struct ej_writer w;
};

static int lookup(void *ctx, enum hash_type t, const uint8_t *d, struct objsink_hit *hits, int max)
{
	struct fx *fx = ctx;

	if (t != HASH_T_SHA256 || memcmp(d, fx->listed, 32) || max < 1)
		return 0;
	objsink_copy_name(hits[0].list, "unit");
	objsink_copy_name(hits[0].category, "cat-a");
	return 1;
}

static void *be_new(void *ctx, void (*verdict)(void *, const struct obj_verdict *), void *vctx,
		    const struct object_ops **ops, void **ops_ctx)
{
	struct fx *fx = ctx;
	struct objsink_conf c = {.log_mask = HASH_ALL, .matcher = &fx->m, .out = &fx->w,
				 .verdict = verdict, .verdict_ctx = vctx};
	struct objsink *s = objsink_new(&c);

	objsink_set_source(s, "icap");
	*ops = objsink_object_ops();
	*ops_ctx = s;
	return s;
}

static void be_free(void *ctx, void *h)
{
	(void)ctx;
	objsink_free(h);
}

static void setup_conf(struct fx *fx, void (*tweak)(struct icap_conf *), bool over)
{
	struct icap_peer peer = {.client = {[10] = 0xff, [11] = 0xff, 10, 0, 0, 9},
				 .cport = 4321, .sport = 1344};
	struct icap_conf conf;

	icap_conf_default(&conf);
	strcpy(conf.istag, "unit-tag");
	conf.backend = (struct icap_backend){be_new, be_free, fx};
	if (tweak)
		tweak(&conf);
	icap_shared_init(&fx->sh, &conf);
	fx->t = icap_thread_new(&fx->sh);
	assert_non_null(fx->t);
	fx->c = icap_conn_new(fx->t, &peer, over);
	assert_non_null(fx->c);
}

static struct fx *fx_new(void (*tweak)(struct icap_conf *), bool over)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	SHA256(PNG, NPNG, fx->listed);
	fx->m = (struct objsink_matcher){.need = HASH_SHA256, .lookup = lookup, .ctx = fx};
	fx->logf = open_memstream(&fx->log, &fx->nlog);
	ej_init(&fx->w, fx->logf);
	setup_conf(fx, tweak, over);
	return fx;
}

static void fx_free(struct fx *fx)
{
	icap_conn_free(fx->c);
	icap_thread_free(fx->t);
	icap_out_free(&fx->out);
	ej_free(&fx->w);
	fclose(fx->logf);
	free(fx->log);
	assert_int_equal(budget_used(&fx->sh.held), 0);
	free(fx);
}

/* Sends s, returns what came back (NUL-terminated copy in a static buffer). */
static const char *say(struct fx *fx, const void *s, size_t n, int want_rc)
{
	static char got[65536];
	size_t k;

	int rc;

	fx->out.off = fx->out.n = 0;
	rc = icap_conn_input(fx->c, s, n, &fx->out);
	if (rc != want_rc)
		fprintf(stderr, "icap_conn_input: %d, error '%s'\n", rc, icap_conn_error(fx->c));
	assert_int_equal(rc, want_rc);
	k = fx->out.n < sizeof(got) - 1 ? fx->out.n : sizeof(got) - 1;
	if (k)
		memcpy(got, fx->out.buf, k);
	got[k] = '\0';
	return got;
}

#define RESH_FMT "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n"

/* A RESPMOD with res-hdr and body (chunked in pieces of 40), optional
 * Preview: n (preview bytes, then "0" or "0; ieof"), optional Allow: 204. */
static size_t respmod(char *out, size_t cap, const uint8_t *body, size_t n, const char *ctype,
		      long preview, bool allow204)
{
	char res[256], pv[32] = "";
	size_t hl, k = 0, pos = 0, pend = preview >= 0 ? (size_t)preview : 0;

	hl = (size_t)snprintf(res, sizeof(res), RESH_FMT, ctype, n);
	if (preview >= 0)
		snprintf(pv, sizeof(pv), "Preview: %ld\r\n", preview);
	k += (size_t)snprintf(out + k, cap - k,
			      "RESPMOD icap://127.0.0.1/respmod ICAP/1.0\r\nHost: h\r\n%s%s"
			      "Encapsulated: res-hdr=0, res-body=%zu\r\n\r\n%s",
			      allow204 ? "Allow: 204\r\n" : "", pv, hl, res);
	while (pos < n) {
		size_t c = n - pos < 40 ? n - pos : 40;

		if (preview >= 0 && pos < pend && pos + c > pend)
			c = pend - pos;
		k += (size_t)snprintf(out + k, cap - k, "%zx\r\n", c);
		memcpy(out + k, body + pos, c);
		k += c;
		pos += c;
		k += (size_t)snprintf(out + k, cap - k, "\r\n");
		if (preview >= 0 && pos == pend && pos < n)
			k += (size_t)snprintf(out + k, cap - k, "0\r\n\r\n");
	}
	k += (size_t)snprintf(out + k, cap - k, preview >= 0 && n <= pend ? "0; ieof\r\n\r\n"
									   : "0\r\n\r\n");
	return k;
}

/* The body of an ICAP 200 answer (its last chunks, de-chunked). */
static size_t dechunk(const char *ans, uint8_t *out)
{
	const char *p = strstr(ans, "\r\n\r\n");
	size_t n = 0;

	p = strstr(p + 4, "\r\n\r\n") + 4; /* past the HTTP head */
	for (;;) {
		unsigned long c = strtoul(p, (char **)&p, 16);

		if (!c)
			return n;
		p += 2;
		memcpy(out + n, p, c);
		n += c;
		p += c + 2;
	}
}

static void options(void **state)
{
	struct fx *fx = fx_new(NULL, false);
	const char *a;

	(void)state;
	a = say(fx, "OPTIONS icap://h/reqmod ICAP/1.0\r\n\r\n", 36, 0);
	assert_non_null(strstr(a, "ICAP/1.0 200 OK\r\n"));
	assert_non_null(strstr(a, "Methods: REQMOD\r\n"));
	assert_non_null(strstr(a, "ISTag: \"unit-tag\"\r\n"));
	assert_non_null(strstr(a, "Preview: 1024\r\nTransfer-Preview: *\r\n"));
	assert_non_null(strstr(a, "Allow: 204\r\n"));
	a = say(fx, "OPTIONS icap://h/respmod ICAP/1.0\r\n\r\n", 37, 0);
	assert_non_null(strstr(a, "Methods: RESPMOD\r\n"));
	a = say(fx, "OPTIONS icap://h/avscan ICAP/1.0\r\n\r\n", 36, 0);
	assert_non_null(strstr(a, "ICAP/1.0 404 "));
	fx_free(fx);
}

static void listed_blocked(void **state)
{
	struct fx *fx = fx_new(NULL, false);
	char in[4096];
	size_t n = respmod(in, sizeof(in), PNG, NPNG, "image/png", -1, true);
	const char *a = say(fx, in, n, 0);

	(void)state;
	assert_non_null(strstr(a, "ICAP/1.0 200 OK\r\n"));
	assert_non_null(strstr(a, "HTTP/1.1 451 Unavailable For Legal Reasons\r\n"));
	assert_non_null(strstr(a, "'unit' (category 'cat-a')"));
	assert_int_equal(fx->sh.st.blocked, 1);
	fflush(fx->logf);
	assert_non_null(strstr(fx->log, "\"event\":\"match\""));
	assert_non_null(strstr(fx->log, "\"client\":\"10.0.0.9\""));
	fx_free(fx);
}

static void unlisted_204_and_echo(void **state)
{
	struct fx *fx = fx_new(NULL, false);
	uint8_t body[4096];
	char in[4096];
	size_t n = respmod(in, sizeof(in), PNG2, sizeof(PNG2) - 1, "image/png", -1, true);

	(void)state;
	assert_string_equal(say(fx, in, n, 0),
			    "ICAP/1.0 204 No Content\r\nISTag: \"unit-tag\"\r\nServer: edgeward\r\n"
			    "Encapsulated: null-body=0\r\n\r\n");
	/* no Allow: 204: the message comes back as it was */
	n = respmod(in, sizeof(in), PNG2, sizeof(PNG2) - 1, "image/png", -1, false);
	const char *a = say(fx, in, n, 0);
	assert_non_null(strstr(a, "Encapsulated: res-hdr=0, res-body="));
	assert_non_null(strstr(a, "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"));
	assert_int_equal(dechunk(a, body), sizeof(PNG2) - 1);
	assert_memory_equal(body, PNG2, sizeof(PNG2) - 1);
	assert_int_equal(fx->sh.st.allowed, 2);
	fx_free(fx);
}

/* A page passes at the preview; an image gets 100 Continue and then its
 * verdict; all on one connection. */
static void preview(void **state)
{
	static const uint8_t page[] = "<html><body>just a page, nothing to hash here</body></html>";
	struct fx *fx = fx_new(NULL, false);
	char in[4096];
	size_t n;
	const char *a;

	(void)state;
	respmod(in, sizeof(in), page, sizeof(page) - 1, "text/html", 16, true);
	n = (size_t)(strstr(in, "\r\n0\r\n\r\n") + 7 - in); /* the client stops there */
	a = say(fx, in, n, 0);
	assert_non_null(strstr(a, "ICAP/1.0 204 No Content"));
	assert_int_equal(fx->sh.st.preview_pass, 1);
	assert_int_equal(fx->sh.st.inspected, 0);
	n = respmod(in, sizeof(in), PNG, NPNG, "image/png", 24, true);
	a = say(fx, in, n, 0);
	assert_non_null(strstr(a, "ICAP/1.0 100 Continue\r\n\r\nICAP/1.0 200 OK"));
	assert_non_null(strstr(a, "HTTP/1.1 451 "));
	/* all in the preview (ieof): 204 without Allow: 204 */
	n = respmod(in, sizeof(in), PNG2, sizeof(PNG2) - 1, "image/png", 1024, false);
	a = say(fx, in, n, 0);
	assert_non_null(strstr(a, "ICAP/1.0 204 No Content"));
	assert_int_equal(fx->sh.st.continues, 1);
	fx_free(fx);
}

static void reqmod_multipart(void **state)
{
	struct fx *fx = fx_new(NULL, false);
	char body[1024], head[512], in[4096];
	size_t nb, nh, n;

	(void)state;
	nb = (size_t)snprintf(body, sizeof(body),
			      "--XB\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.png\""
			      "\r\nContent-Type: image/png\r\n\r\n");
	memcpy(body + nb, PNG, NPNG);
	nb += NPNG;
	nb += (size_t)snprintf(body + nb, sizeof(body) - nb, "\r\n--XB--\r\n");
	nh = (size_t)snprintf(head, sizeof(head),
			      "POST /upload HTTP/1.1\r\nHost: up.test\r\nContent-Type: "
			      "multipart/form-data; boundary=XB\r\nContent-Length: %zu\r\n\r\n", nb);
	n = (size_t)snprintf(in, sizeof(in),
			     "REQMOD icap://h/reqmod ICAP/1.0\r\nAllow: 204\r\nPreview: 0\r\n"
			     "Encapsulated: req-hdr=0, req-body=%zu\r\n\r\n%s0\r\n\r\n%zx\r\n",
			     nh, head, nb);
	memcpy(in + n, body, nb);
	n += nb;
	n += (size_t)snprintf(in + n, sizeof(in) - n, "\r\n0\r\n\r\n");
	const char *a = say(fx, in, n, 0);
	assert_non_null(strstr(a, "ICAP/1.0 100 Continue"));
	assert_non_null(strstr(a, "HTTP/1.1 451 "));
	fflush(fx->logf);
	assert_non_null(strstr(fx->log, "\"kind\":\"form_part\""));
	assert_non_null(strstr(fx->log, "\"host\":\"up.test\""));
	/* a REQMOD to the respmod service: 405 */
	n = (size_t)snprintf(in, sizeof(in), "REQMOD icap://h/respmod ICAP/1.0\r\n"
			     "Encapsulated: req-hdr=0, null-body=%zu\r\n\r\n%s", nh, head);
	a = say(fx, in, n, 0);
	assert_non_null(strstr(a, "ICAP/1.0 405 "));
	fx_free(fx);
}

static void small_hold(struct icap_conf *c)
{
	c->hold_max = 40;
}

static void small_hold_closed(struct icap_conf *c)
{
	c->hold_max = 40;
	c->fail_closed = true;
}

/* Echo needed, more than the hold cap: fail-open streams it back whole,
 * fail-closed refuses it; both counted. */
static void hold_limit(void **state)
{
	struct fx *fx = fx_new(small_hold, false);
	uint8_t body[4096];
	char in[4096];
	size_t n = respmod(in, sizeof(in), PNG2, sizeof(PNG2) - 1, "image/png", -1, false);
	const char *a = say(fx, in, n, 0);

	(void)state;
	assert_int_equal(fx->sh.st.fail_open, 1);
	assert_int_equal(dechunk(a, body), sizeof(PNG2) - 1);
	assert_memory_equal(body, PNG2, sizeof(PNG2) - 1);
	fx_free(fx);
	fx = fx_new(small_hold_closed, false);
	a = say(fx, in, n, 0);
	assert_int_equal(fx->sh.st.fail_closed, 1);
	assert_non_null(strstr(a, "HTTP/1.1 451 "));
	fx_free(fx);
}

static void fail_closed(struct icap_conf *c)
{
	c->fail_closed = true;
}

static void over_limit(void **state)
{
	struct fx *fx = fx_new(NULL, true);
	char in[4096];
	size_t n = respmod(in, sizeof(in), PNG, NPNG, "image/png", -1, true);

	(void)state;
	assert_non_null(strstr(say(fx, in, n, 0), "ICAP/1.0 204 "));
	assert_int_equal(fx->sh.st.fail_open, 1);
	fx_free(fx);
	fx = fx_new(fail_closed, true);
	n = respmod(in, sizeof(in), PNG2, sizeof(PNG2) - 1, "image/png", -1, true);
	assert_non_null(strstr(say(fx, in, n, 0), "HTTP/1.1 451 "));
	assert_int_equal(fx->sh.st.fail_closed, 1);
	fx_free(fx);
}

static void malformed(void **state)
{
	struct fx *fx = fx_new(NULL, false);
	const char *a = say(fx, "RESPMOD icap://h/respmod ICAP/1.0\r\nHost: h\r\n\r\n", 46, 1);

	(void)state;
	assert_string_equal(a, "ICAP/1.0 400 Bad Request\r\nISTag: \"unit-tag\"\r\nServer: "
			       "edgeward\r\nConnection: close\r\nEncapsulated: null-body=0\r\n\r\n");
	assert_string_equal(icap_conn_error(fx->c), "RESPMOD without an Encapsulated field");
	assert_int_equal(fx->sh.st.bad_requests, 1);
	fx_free(fx);
}

/* A connection dropped in the middle of an inspected body: its object
 * is still logged (truncated), and nothing is held. */
static void dropped_mid_body(void **state)
{
	struct fx *fx = fx_new(NULL, false);
	uint8_t big[2000];
	char in[4096];
	size_t n;

	(void)state;
	memset(big, '.', sizeof(big));
	memcpy(big, PNG, 16);
	n = respmod(in, sizeof(in), big, sizeof(big), "image/png", -1, false);
	say(fx, in, n - 30, 0);
	assert_true(icap_conn_busy(fx->c));
	icap_conn_free(fx->c);
	fx->c = NULL;
	fflush(fx->logf);
	assert_non_null(strstr(fx->log, "\"truncated\""));
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options),
		cmocka_unit_test(listed_blocked),
		cmocka_unit_test(unlisted_204_and_echo),
		cmocka_unit_test(preview),
		cmocka_unit_test(reqmod_multipart),
		cmocka_unit_test(hold_limit),
		cmocka_unit_test(over_limit),
		cmocka_unit_test(malformed),
		cmocka_unit_test(dropped_mid_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
