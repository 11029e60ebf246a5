// SPDX-License-Identifier: GPL-2.0
/* tlshello: the server names of ClientHellos OpenSSL wrote (the fuzz
 * corpus's seeds: TLS 1.3 and 1.2, none), whole, cut at every length, and
 * put into records of every size from 1 byte; hand-made hellos for each
 * way to be malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ewtest.h"
#include "names/tlshello.h"

#define CORPUS "tests/fuzz/corpus/tlshello/"

struct seed {
	const char *file;
	enum tlshello_result want;
	const char *name;
};

static const struct seed seeds[] = {
	{"openssl-tls13-blocked.test.bin", TLSHELLO_FOUND, "blocked.test"},
	{"openssl-tls12-www.Example.TEST.bin", TLSHELLO_FOUND, "www.Example.TEST"},
	{"openssl-nosni.bin", TLSHELLO_NONAME, NULL},
};

static size_t load(const char *file, uint8_t *buf, size_t cap)
{
	char path[PATH_MAX + 128];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/" CORPUS "%s", ewtest_root(), file);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void expect(const uint8_t *p, size_t len, enum tlshello_result want, const char *name)
{
	char got[TLSHELLO_NAME] = "";

	assert_string_equal(tlshello_result_name(tlshello_sni(p, len, got)),
			    tlshello_result_name(want));
	if (want == TLSHELLO_FOUND)
		assert_string_equal(got, name);
}

static void openssl_whole_and_cut(void **state)
{
	uint8_t buf[4096];

	(void)state;
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		size_t n = load(seeds[i].file, buf, sizeof(buf));

		expect(buf, n, seeds[i].want, seeds[i].name);
		for (size_t cut = 0; cut < n; cut++)
			expect(buf, cut, TLSHELLO_MORE, NULL);
	}
}

/* The hello's handshake bytes (one record in the seed) split into
 * records of k bytes each, for every k. */
static void split_into_records(void **state)
{
	uint8_t buf[4096], out[4096 * 6];

	(void)state;
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		size_t n = load(seeds[i].file, buf, sizeof(buf)), hs = n - 5;

		for (size_t k = 1; k <= hs; k++) {
			size_t o = 0;

			for (size_t at = 0; at < hs; at += k) {
				size_t len = hs - at < k ? hs - at : k;

				memcpy(out + o, (uint8_t[]){22, 3, 1, (uint8_t)(len >> 8), (uint8_t)len}, 5);
				memcpy(out + o + 5, buf + 5 + at, len);
				o += 5 + len;
			}
			expect(out, o, seeds[i].want, seeds[i].name);
		}
	}
}

/* A hand-made hello: one record, extensions as given. */
static size_t make(uint8_t *out, const uint8_t *ext, size_t ext_len, int with_ext)
{
	size_t body = 2 + 32 + 1 + 4 + 2 + (with_ext ? 2 + ext_len : 0), n = 0;

	memcpy(out, (uint8_t[]){22, 3, 1, (uint8_t)((body + 4) >> 8), (uint8_t)(body + 4), 1, 0,
				(uint8_t)(body >> 8), (uint8_t)body, 3, 3},
	       11);
	n = 11;
	memset(out + n, 0xaa, 32);
	n += 32;
	memcpy(out + n, (uint8_t[]){0, 0, 2, 0x13, 0x01, 1, 0}, 7);
	n += 7;
	if (!with_ext)
		return n;
	out[n++] = (uint8_t)(ext_len >> 8);
	out[n++] = (uint8_t)ext_len;
	memcpy(out + n, ext, ext_len);
	return n + ext_len;
}

#define SNI(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static void hand_made(void **state)
{
	uint8_t b[512];
	size_t n;

	(void)state;
	n = make(b, SNI(0, 0, 0, 6, 0, 4, 0, 0, 1, 'a'), 1);
	expect(b, n, TLSHELLO_FOUND, "a");
	n = make(b, NULL, 0, 0); /* no extensions */
	expect(b, n, TLSHELLO_NONAME, NULL);
	n = make(b, SNI(0, 0x17, 0, 0, 0, 0, 0, 6, 0, 4, 1, 0, 1, 'a'), 1); /* type 1 only */
	expect(b, n, TLSHELLO_NONAME, NULL);
	n = make(b, SNI(0, 0x17, 0, 0, 0, 0, 0, 9, 0, 7, 1, 0, 0, 0, 0, 1, 'b'), 1);
	expect(b, n, TLSHELLO_FOUND, "b"); /* the host_name after another type */
	n = make(b, SNI(0, 0, 0, 7, 0, 5, 0, 0, 2, 'a', ' '), 1);
	expect(b, n, TLSHELLO_NOT, NULL); /* a space in the name */
	n = make(b, SNI(0, 0, 0, 5, 0, 3, 0, 0, 0), 1);
	expect(b, n, TLSHELLO_NOT, NULL); /* an empty name */
	n = make(b, SNI(0, 0, 0, 6, 0, 4, 0, 0, 9, 'a'), 1);
	expect(b, n, TLSHELLO_NOT, NULL); /* the name overruns its list */
	n = make(b, SNI(0, 0, 0, 9), 1);
	expect(b, n, TLSHELLO_NOT, NULL); /* the extension overruns the hello */
	expect((const uint8_t *)"GET / HTTP/1.1\r\n", 16, TLSHELLO_NOT, NULL);
	expect((const uint8_t *)"\x16\x03\x01\x00\x04\x02\x00\x00\x00", 9, TLSHELLO_NOT, NULL);
	expect((const uint8_t *)"\x17\x03", 2, TLSHELLO_NOT, NULL);
	expect((const uint8_t *)"\x16\x03\x01\x00\x00", 5, TLSHELLO_NOT, NULL);
	/* a hello announced longer than the cap */
	expect((const uint8_t *)"\x16\x03\x01\x00\x04\x01\x01\x00\x00", 9, TLSHELLO_NOT, NULL);
	expect(NULL, 0, TLSHELLO_MORE, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(openssl_whole_and_cut),
		cmocka_unit_test(split_into_records),
		cmocka_unit_test(hand_made),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
