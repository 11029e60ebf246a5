// SPDX-License-Identifier: GPL-2.0
/* hash: known vectors (RFC 1321, FIPS 180), split feeds, masks, hex. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "util/hex.h"
#include "object/hash.h"

static const char abc_md5[] = "900150983cd24fb0d6963f7d28e17f72";
static const char abc_sha1[] = "a9993e364706816aba3e25717850c26c9cd0d89d";
static const char abc_sha256[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char empty_sha256[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/* "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq" */
static const char long_sha256[] =
	"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char long_in[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

static void expect_hex(const struct hash_result *r, enum hash_type t, const char *want)
{
	char hex[HASH_HEX_MAX];

	assert_true(r->mask & (1u << t));
	hex_encode(r->d[t], hash_len(t), hex);
	assert_string_equal(hex, want);
}

static void known_vectors(void **state)
{
	struct hash_ctx h;
	struct hash_result r;

	(void)state;
	assert_int_equal(hash_init(&h, HASH_ALL), 0);
	hash_update(&h, "abc", 3);
	assert_int_equal(hash_final(&h, &r), 0);
	expect_hex(&r, HASH_T_MD5, abc_md5);
	expect_hex(&r, HASH_T_SHA1, abc_sha1);
	expect_hex(&r, HASH_T_SHA256, abc_sha256);
	/* final restarts the context: the next object starts clean */
	assert_int_equal(hash_final(&h, &r), 0);
	expect_hex(&r, HASH_T_SHA256, empty_sha256);
	expect_hex(&r, HASH_T_MD5, "d41d8cd98f00b204e9800998ecf8427e");
	hash_free(&h);
	hash_free(&h);
}

static void split_feeds(void **state)
{
	size_t n = strlen(long_in);
	struct hash_ctx h;
	struct hash_result r;

	(void)state;
	assert_int_equal(hash_init(&h, HASH_SHA256), 0);
	/* every split point, and one byte at a time */
	for (size_t cut = 0; cut <= n; cut++) {
		hash_update(&h, long_in, cut);
		hash_update(&h, long_in + cut, n - cut);
		assert_int_equal(hash_final(&h, &r), 0);
		expect_hex(&r, HASH_T_SHA256, long_sha256);
	}
	for (size_t i = 0; i < n; i++)
		hash_update(&h, long_in + i, 1);
	assert_int_equal(hash_final(&h, &r), 0);
	expect_hex(&r, HASH_T_SHA256, long_sha256);
	hash_free(&h);
}

static void million_a(void **state)
{
	static char buf[1000];
	struct hash_ctx h;
	struct hash_result r;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(hash_init(&h, HASH_SHA1 | HASH_SHA256), 0);
	for (int i = 0; i < 1000; i++)
		hash_update(&h, buf, sizeof(buf));
	assert_int_equal(hash_final(&h, &r), 0);
	assert_false(r.mask & HASH_MD5);
	expect_hex(&r, HASH_T_SHA1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	expect_hex(&r, HASH_T_SHA256,
		   "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	hash_free(&h);
}

static void only_requested(void **state)
{
	struct hash_ctx h;
	struct hash_result r;

	(void)state;
	assert_int_equal(hash_init(&h, HASH_MD5), 0);
	assert_null(h.md[HASH_T_SHA1]);
	assert_null(h.md[HASH_T_SHA256]);
	hash_update(&h, "abc", 3);
	assert_int_equal(hash_final(&h, &r), 0);
	assert_int_equal(r.mask, HASH_MD5);
	expect_hex(&r, HASH_T_MD5, abc_md5);
	hash_free(&h);
	assert_int_equal(hash_init(&h, 0), 0);
	hash_update(&h, "abc", 3);
	assert_int_equal(hash_final(&h, &r), 0);
	assert_int_equal(r.mask, 0);
	hash_free(&h);
	assert_int_equal(hash_init(&h, 0x10), -EINVAL);
	hash_free(&h);
}

static void parse_mask(void **state)
{
	unsigned m = 0;

	(void)state;
	assert_int_equal(hash_parse_mask("sha256", &m), 0);
	assert_int_equal(m, HASH_SHA256);
	assert_int_equal(hash_parse_mask("sha1,md5", &m), 0);
	assert_int_equal(m, HASH_MD5 | HASH_SHA1);
	assert_int_equal(hash_parse_mask("md5,sha1,sha256", &m), 0);
	assert_int_equal(m, HASH_ALL);
	m = 99;
	assert_int_equal(hash_parse_mask("", &m), -EINVAL);
	assert_int_equal(hash_parse_mask("sha512", &m), -EINVAL);
	assert_int_equal(hash_parse_mask("md5,", &m), -EINVAL);
	assert_int_equal(hash_parse_mask("md5,,sha1", &m), -EINVAL);
	assert_int_equal(hash_parse_mask("sha", &m), -EINVAL);
	assert_int_equal(m, 99);
}

static void hex_roundtrip(void **state)
{
	uint8_t d[HASH_MAX_LEN];
	char hex[HASH_HEX_MAX];

	(void)state;
	assert_int_equal(
		hash_unhex(HASH_T_SHA256,
			   "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", d),
		0);
	hex_encode(d, 32, hex);
	assert_string_equal(hex, abc_sha256);
	assert_int_equal(hash_unhex(HASH_T_MD5, abc_sha1, d), -EINVAL);
	assert_int_equal(hash_unhex(HASH_T_MD5, "900150983cd24fb0d6963f7d28e17f7g", d), -EINVAL);
	assert_string_equal(hash_name(HASH_T_SHA1), "sha1");
	assert_int_equal(hash_len(HASH_T_MD5), 16);
	assert_int_equal(hash_len(HASH_T_MAX), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_vectors), cmocka_unit_test(split_feeds),
		cmocka_unit_test(million_a),	 cmocka_unit_test(only_requested),
		cmocka_unit_test(parse_mask),	 cmocka_unit_test(hex_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
