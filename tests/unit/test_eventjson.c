// SPDX-License-Identifier: GPL-2.0
/* eventjson: escaping of every byte class, nesting, limits, one line per
 * record. Records are written to a memory stream and compared exactly. */
#include <errno.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "log/eventjson.h"

struct mem {
	char *buf;
	size_t len;
	FILE *f;
	struct ej_writer w;
};

static struct mem *mem_open(void)
{
	struct mem *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
	ej_init(&m->w, m->f);
	return m;
}

static const char *mem_text(struct mem *m)
{
	fflush(m->f);
	return m->buf;
}

static void mem_close(struct mem *m)
{
	ej_free(&m->w);
	fclose(m->f);
	free(m->buf);
	free(m);
}

/* One record with a single string member. */
static void expect_escaped(const void *in, size_t n, const char *want)
{
	struct mem *m = mem_open();
	char line[512];

	ej_begin(&m->w);
	ej_strn(&m->w, "s", in, n);
	assert_int_equal(ej_end(&m->w), 0);
	snprintf(line, sizeof(line), "{\"s\":%s}\n", want);
	assert_string_equal(mem_text(m), line);
	mem_close(m);
}

static void escapes(void **state)
{
	(void)state;
	expect_escaped("plain", 5, "\"plain\"");
	expect_escaped("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	expect_escaped("\n\r\t", 3, "\"\\n\\r\\t\"");
	expect_escaped("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
	expect_escaped("a\0b", 3, "\"a\\u0000b\"");
	expect_escaped("/", 1, "\"/\"");
	expect_escaped("", 0, "\"\"");
}

static void utf8(void **state)
{
	(void)state;
	/* valid sequences pass through unchanged */
	expect_escaped("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");
	expect_escaped("\xe2\x82\xac", 3, "\"\xe2\x82\xac\"");
	expect_escaped("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
	/* invalid bytes become \u00XX, one per byte */
	expect_escaped("\xff", 1, "\"\\u00ff\"");
	expect_escaped("\xc3", 1, "\"\\u00c3\"");			/* cut short */
	expect_escaped("\xc3(", 2, "\"\\u00c3(\"");			/* bad continuation */
	expect_escaped("\xc0\xaf", 2, "\"\\u00c0\\u00af\"");		/* overlong */
	expect_escaped("\xed\xa0\x80", 3, "\"\\u00ed\\u00a0\\u0080\""); /* surrogate */
	expect_escaped("\xf4\x90\x80\x80", 4, "\"\\u00f4\\u0090\\u0080\\u0080\""); /* > U+10FFFF */
	expect_escaped("\xe0\x80\xaf", 3, "\"\\u00e0\\u0080\\u00af\"");		   /* overlong 3 */
}

static void record(void **state)
{
	static const uint8_t d[] = {0x00, 0xab, 0xff};
	struct mem *m = mem_open();

	(void)state;
	ej_begin(&m->w);
	ej_str(&m->w, "event", "object");
	ej_u64(&m->w, "id", 18446744073709551615ull);
	ej_i64(&m->w, "neg", -5);
	ej_bool(&m->w, "t", true);
	ej_bool(&m->w, "f", false);
	ej_null(&m->w, "n");
	ej_str(&m->w, "nil", NULL);
	ej_hex(&m->w, "h", d, sizeof(d));
	ej_obj(&m->w, "o");
	ej_u64(&m->w, "a", 1);
	ej_arr(&m->w, "l");
	ej_str(&m->w, NULL, "x");
	ej_u64(&m->w, NULL, 2);
	ej_arr_end(&m->w);
	ej_arr(&m->w, "e");
	ej_arr_end(&m->w);
	ej_obj_end(&m->w);
	ej_str(&m->w, "k\"ey", "v");
	assert_int_equal(ej_end(&m->w), 0);
	ej_begin(&m->w);
	assert_int_equal(ej_end(&m->w), 0);
	assert_string_equal(mem_text(m),
			    "{\"event\":\"object\",\"id\":18446744073709551615,\"neg\":-5,"
			    "\"t\":true,\"f\":false,\"n\":null,\"nil\":null,\"h\":\"00abff\","
			    "\"o\":{\"a\":1,\"l\":[\"x\",2],\"e\":[]},\"k\\\"ey\":\"v\"}\n{}\n");
	assert_int_equal(m->w.lines, 2);
	mem_close(m);
}

static void numbers_times_addresses(void **state)
{
	static const uint8_t v4[16] = {[10] = 0xff, [11] = 0xff, 192, 0, 2, 10};
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct mem *m = mem_open();

	(void)state;
	ej_begin(&m->w);
	ej_u64(&m->w, "z", 0);
	ej_i64(&m->w, "min", INT64_MIN);
	ej_i64(&m->w, "max", INT64_MAX);
	ej_time(&m->w, "t", 1795000000123456789ull);
	ej_time(&m->w, "t0", 0);
	ej_addr(&m->w, "a4", v4);
	ej_addr(&m->w, "a6", v6);
	assert_int_equal(ej_end(&m->w), 0);
	assert_string_equal(mem_text(m),
			    "{\"z\":0,\"min\":-9223372036854775808,\"max\":9223372036854775807,"
			    "\"t\":\"2026-11-18T11:06:40.123456Z\",\"t0\":null,"
			    "\"a4\":\"192.0.2.10\",\"a6\":\"2001:db8::1\"}\n");
	mem_close(m);
}

static void oversize(void **state)
{
	struct mem *m = mem_open();
	char *big = malloc(EJ_LINE_MAX);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', EJ_LINE_MAX);
	ej_begin(&m->w);
	ej_strn(&m->w, "s", big, EJ_LINE_MAX);
	assert_int_equal(ej_end(&m->w), -EMSGSIZE);
	/* the writer recovers: the next record is written whole */
	ej_begin(&m->w);
	ej_u64(&m->w, "ok", 1);
	assert_int_equal(ej_end(&m->w), 0);
	assert_string_equal(mem_text(m), "{\"ok\":1}\n");
	assert_int_equal(m->w.lines, 1);
	free(big);
	mem_close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes),  cmocka_unit_test(utf8),
		cmocka_unit_test(record),   cmocka_unit_test(numbers_times_addresses),
		cmocka_unit_test(oversize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
