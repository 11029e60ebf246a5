// SPDX-License-Identifier: GPL-2.0
/* prefix: accepted forms, canonical output, and every diagnostic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/prefix.h"

struct good_case {
	const char *in;
	const char *canon;
	unsigned int family, len;
};

static void accepts(void **state)
{
	static const struct good_case cases[] = {
		{"10.0.0.0/8", "10.0.0.0/8", 4, 8},
		{"192.0.2.1", "192.0.2.1/32", 4, 32},
		{"0.0.0.0/0", "0.0.0.0/0", 4, 0},
		{"198.51.100.128/25", "198.51.100.128/25", 4, 25},
		{"2001:db8::/32", "2001:db8::/32", 6, 32},
		{"2001:DB8::1", "2001:db8::1/128", 6, 128},
		{"::/0", "::/0", 6, 0},
		{"::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104", 6, 104},
	};
	struct prefix_error err = {};
	struct ew_prefix p;
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct good_case *c = &cases[i];

		assert_int_equal(prefix_parse(c->in, strlen(c->in), 1, &p, &err), 0);
		assert_int_equal(p.family, c->family);
		assert_int_equal(p.len, c->len);
		assert_string_equal(prefix_str(&p, buf, sizeof(buf)), c->canon);
	}
}

static void address_bytes(void **state)
{
	static const unsigned char want[16] = {0x20, 0x01, 0x0d, 0xb8};
	struct prefix_error err = {};
	struct ew_prefix p;

	(void)state;
	assert_int_equal(prefix_parse("10.1.2.0/24", 11, 1, &p, &err), 0);
	assert_memory_equal(p.addr, "\x0a\x01\x02\x00", 4);
	assert_int_equal(prefix_parse("2001:db8::/32", 13, 1, &p, &err), 0);
	assert_memory_equal(p.addr, want, 16);
}

struct bad_case {
	const char *in;
	unsigned int col;
	const char *msg;
};

static void rejects(void **state)
{
	static const struct bad_case cases[] = {
		{"", 5, "expected a prefix"},
		{"10.0.0.0/33", 14, "invalid prefix length '33' (IPv4 allows 0-32)"},
		{"2001:db8::/129", 16, "invalid prefix length '129' (IPv6 allows 0-128)"},
		{"10.0.0.0/", 14, "invalid prefix length '' (IPv4 allows 0-32)"},
		{"10.0.0.0/+8", 14, "invalid prefix length '+8' (IPv4 allows 0-32)"},
		{"10.0.0.0/0008", 14, "invalid prefix length '0008' (IPv4 allows 0-32)"},
		{"10.0.0.0/8/8", 14, "invalid prefix length '8/8' (IPv4 allows 0-32)"},
		{"300.0.0.0/8", 5, "invalid IPv4 address '300.0.0.0'"},
		{"10.0.0/8", 5, "invalid IPv4 address '10.0.0'"},
		{"2001:db8:::/48", 5, "invalid IPv6 address '2001:db8:::'"},
		{"10.1.2.3/8", 5, "host bits set in '10.1.2.3/8' (did you mean 10.0.0.0/8?)"},
		{"2001:db8::1/32", 5,
		 "host bits set in '2001:db8::1/32' (did you mean 2001:db8::/32?)"},
		{"10.0.0.128/24", 5,
		 "host bits set in '10.0.0.128/24' (did you mean 10.0.0.0/24?)"},
	};
	struct prefix_error err = {};
	struct ew_prefix p;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];

		memset(&err, 0, sizeof(err));
		assert_int_equal(prefix_parse(c->in, strlen(c->in), 5, &p, &err), -22);
		assert_string_equal(err.msg, c->msg);
		assert_int_equal(err.col, c->col);
	}
}

static void too_long(void **state)
{
	char in[80];
	struct prefix_error err = {};
	struct ew_prefix p;

	(void)state;
	memset(in, '1', sizeof(in));
	assert_int_equal(prefix_parse(in, sizeof(in), 1, &p, &err), -22);
	assert_string_equal(err.msg, "prefix too long (80 characters)");
}

static void error_format(void **state)
{
	struct prefix_error err = {.file = "blocks.txt", .line = 14, .col = 9};
	char buf[200];

	(void)state;
	strcpy(err.msg, "invalid prefix length '33' (IPv4 allows 0-32)");
	assert_string_equal(prefix_error_str(&err, buf, sizeof(buf)),
			    "blocks.txt:14:9: invalid prefix length '33' (IPv4 allows 0-32)");
	err.line = 0;
	assert_string_equal(prefix_error_str(&err, buf, sizeof(buf)),
			    "invalid prefix length '33' (IPv4 allows 0-32)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts),	cmocka_unit_test(address_bytes),
		cmocka_unit_test(rejects),	cmocka_unit_test(too_long),
		cmocka_unit_test(error_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
