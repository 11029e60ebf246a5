// SPDX-License-Identifier: GPL-2.0
/* multipart: parts, filenames, ranges, line-end variants, every split. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http/multipart.h"

/* The parts seen, rendered as text: "<fn|ct|range>[data]+" per part,
 * '+' for a complete part, '-' for an incomplete one. */
struct rec {
	char s[4096];
};

static void rbegin(void *arg, const struct mp_part *p)
{
	struct rec *r = arg;
	size_t n = strlen(r->s);

	snprintf(r->s + n, sizeof(r->s) - n, "<%s|%s|%s|%s>[", p->name,
		 p->filename, p->content_type, p->content_range);
}

static void rdata(void *arg, const uint8_t *p, size_t len)
{
	struct rec *r = arg;
	size_t n = strlen(r->s);

	snprintf(r->s + n, sizeof(r->s) - n, "%.*s", (int)len, (const char *)p);
}

static void rend(void *arg, int complete)
{
	struct rec *r = arg;
	size_t n = strlen(r->s);

	snprintf(r->s + n, sizeof(r->s) - n, "]%c", complete ? '+' : '-');
}

static const struct mp_ops rops = { rbegin, rdata, rend };

/* Splits body at every position (and feeds it whole); each run must
 * render want and count nparts. */
static void check(const char *boundary, const char *body, const char *want,
		  unsigned nparts)
{
	size_t n = strlen(body);

	for (size_t cut = 0; cut <= n; cut++) {
		struct rec r = { "" };
		struct multipart *m = multipart_new(boundary, &rops, &r);

		assert_non_null(m);
		multipart_feed(m, (const uint8_t *)body, cut);
		multipart_feed(m, (const uint8_t *)body + cut, n - cut);
		assert_int_equal(multipart_finish(m), nparts);
		assert_string_equal(r.s, want);
		multipart_free(m);
	}
}

static void form_data(void **state)
{
	(void)state;
	check("xYz",
	      "preamble\r\n--xYz\r\n"
	      "Content-Disposition: form-data; name=\"f\"\r\n\r\n"
	      "value\r\n--xYz\r\n"
	      "Content-Disposition: form-data; name=\"up\"; filename=\"a b.jpg\"\r\n"
	      "Content-Type: image/jpeg\r\n\r\n"
	      "\xff\xd8\xff\r\n--xY not yet\r\n\r\n--xYz--\r\nepilogue",
	      "<f|||>[value]+<up|a b.jpg|image/jpeg|>[\xff\xd8\xff\r\n--xY not yet\r\n]+",
	      2);
}

static void bare_lf_and_empty(void **state)
{
	(void)state;
	check("b",
	      "--b\nContent-Disposition: form-data; name=x\n\n1\n--b\n\n\n--b--",
	      "<x|||>[1]+<|||>[]+", 2);
}

static void byteranges(void **state)
{
	(void)state;
	check("SEP",
	      "\r\n--SEP\r\nContent-Type: image/png\r\n"
	      "Content-Range: bytes 0-3/10\r\n\r\n\x89PNG\r\n"
	      "--SEP\r\nContent-Range: bytes 8-9/10\r\n\r\nZZ\r\n--SEP--\r\n",
	      "<||image/png|bytes 0-3/10>[\x89PNG]+<|||bytes 8-9/10>[ZZ]+", 2);
}

static void unterminated(void **state)
{
	(void)state;
	check("b", "--b\r\n\r\npartial data", "<|||>[partial data]-", 1);
}

static void boundary_param(void **state)
{
	char b[MP_BOUNDARY];

	(void)state;
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=\"a;b c\"", b), 0);
	assert_string_equal(b, "a;b c");
	assert_int_equal(multipart_boundary("multipart/byteranges;boundary=3d6b6a416f9b5", b), 0);
	assert_string_equal(b, "3d6b6a416f9b5");
	assert_int_equal(multipart_boundary("multipart/form-data", b), -ENOENT);
	assert_null(multipart_new("", &rops, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(form_data),
		cmocka_unit_test(bare_lf_and_empty),
		cmocka_unit_test(byteranges),
		cmocka_unit_test(unterminated),
		cmocka_unit_test(boundary_param),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
