// SPDX-License-Identifier: GPL-2.0
/* blocklist: list-file parsing into table entries (comments, blanks, CRLF), every
 * diagnostic with file:line:col, the error cap. Map writes need root and are
 * covered by the e2e tests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/blocklist.h"

static int parse(const char *text, struct blocklist_batch *b, struct blocklist_errors *errs)
{
	static const struct ew_block_rule rule = {.rule_id = 42, .flags = EW_MATCH_DST};
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err;

	assert_non_null(f);
	err = blocklist_parse(f, "blocks.txt", &rule, b, errs);
	fclose(f);
	return err;
}

static void good_list(void **state)
{
	static const char text[] = "# synthetic list\n"
				   "\n"
				   "10.0.0.0/8\n"
				   "  192.0.2.1   # a host\r\n"
				   "\t2001:db8::/32\n"
				   "198.51.100.0/24"; /* no final newline */
	struct prefix_error shown[4];
	struct blocklist_errors errs = {.errs = shown, .max = 4};
	struct blocklist_batch b = {};

	(void)state;
	assert_int_equal(parse(text, &b, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(b.v4.n, 3);
	assert_int_equal(b.v6.n, 1);
	assert_int_equal(b.v4.e[0].p.len, 8);
	assert_memory_equal(b.v4.e[0].p.addr, "\x0a\0\0\0", 4);
	assert_int_equal(b.v4.e[1].p.len, 32);
	assert_memory_equal(b.v4.e[1].p.addr, "\xc0\x00\x02\x01", 4);
	assert_int_equal(b.v4.e[2].p.len, 24);
	assert_memory_equal(b.v4.e[2].p.addr, "\xc6\x33\x64\x00", 4);
	assert_int_equal(b.v6.e[0].p.len, 32);
	assert_memory_equal(b.v6.e[0].p.addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(b.v4.e[2].rule_id, 42);
	assert_int_equal(b.v6.e[0].flags, EW_MATCH_DST);
	blocklist_batch_free(&b);
}

static void every_error_reported(void **state)
{
	static const char text[] = "10.0.0.0/8\n"
				   "  10.0.0.0/33\n"
				   "10.1.2.3/8  # host bits\n"
				   "2001:db8::/32 extra\r\n"
				   "bogus\n"
				   "::1\n";
	static const char *const want[] = {
		"blocks.txt:2:12: invalid prefix length '33' (IPv4 allows 0-32)",
		"blocks.txt:3:1: host bits set in '10.1.2.3/8' (did you mean 10.0.0.0/8?)",
		"blocks.txt:4:15: unexpected 'extra' after the prefix (one prefix per line)",
		"blocks.txt:5:1: invalid IPv4 address 'bogus'",
	};
	struct prefix_error shown[8];
	struct blocklist_errors errs = {.errs = shown, .max = 8};
	struct blocklist_batch b = {};
	char buf[200];

	(void)state;
	assert_int_equal(parse(text, &b, &errs), -EINVAL);
	assert_int_equal(errs.n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(prefix_error_str(&shown[i], buf, sizeof(buf)), want[i]);
	blocklist_batch_free(&b);
}

static void error_cap(void **state)
{
	static const char text[] = "x\nx\nx\nx\nx\n10.0.0.0/8\n";
	struct prefix_error shown[2];
	struct blocklist_errors errs = {.errs = shown, .max = 2};
	struct blocklist_batch b = {};

	(void)state;
	assert_int_equal(parse(text, &b, &errs), -EINVAL);
	assert_int_equal(errs.n, 5); /* all counted, two kept */
	assert_int_equal(shown[1].line, 2);
	assert_int_equal(b.v4.n, 1);
	blocklist_batch_free(&b);
	assert_null(b.v4.e);
}

static void many_prefixes(void **state)
{
	struct prefix_error shown[1];
	struct blocklist_errors errs = {.errs = shown, .max = 1};
	struct blocklist_batch b = {};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	for (unsigned int i = 0; i < 20000; i++)
		fprintf(f, "10.%u.%u.0/24\n", i >> 8, i & 255);
	fclose(f);
	assert_int_equal(parse(text, &b, &errs), 0);
	assert_int_equal(b.v4.n, 20000);
	assert_memory_equal(b.v4.e[19999].p.addr, "\x0a\x4e\x1f\x00", 4);
	blocklist_batch_free(&b);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_list),
		cmocka_unit_test(every_error_reported),
		cmocka_unit_test(error_cap),
		cmocka_unit_test(many_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
