// SPDX-License-Identifier: GPL-2.0
/* stamp: the policy version goes at the end of every line that does not
 * name one (null without a policy); lines that name theirs, and text that
 * is not one JSON object and a newline, pass unchanged; through the sink,
 * the next sink gets the stamped line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "agent/stamp.h"

static void lines(void **state)
{
	static const char *const same[] = {
		"{\"event\":\"block\",\"policy_version\":null,\"x\":1}\n",
		"not json\n",
		"{\"a\":1}",
		"{}",
	};
	char out[256];
	size_t n;

	(void)state;
	n = stamp_line("{\"event\":\"object\",\"id\":7}\n", strlen("{\"event\":\"object\",\"id\":7}\n"), "ab12", out, sizeof(out));
	assert_int_equal(n, strlen("{\"event\":\"object\",\"id\":7,\"policy_version\":\"ab12\"}\n"));
	assert_memory_equal(out, "{\"event\":\"object\",\"id\":7,\"policy_version\":\"ab12\"}\n", n);
	n = stamp_line("{\"event\":\"agent\"}\n", strlen("{\"event\":\"agent\"}\n"), "", out, sizeof(out));
	assert_memory_equal(out, "{\"event\":\"agent\",\"policy_version\":null}\n", n);
	n = stamp_line("{}\n", 3, NULL, out, sizeof(out));
	assert_memory_equal(out, "{\"policy_version\":null}\n", n);
	for (size_t i = 0; i < sizeof(same) / sizeof(*same); i++)
		assert_int_equal(stamp_line(same[i], strlen(same[i]), "v", out, sizeof(out)), 0);
	assert_int_equal(stamp_line("{\"a\":1}\n", 8, "v", out, 10), 0); /* no room */
}

struct got {
	char line[256];
	size_t len;
};

static int keep(void *ctx, const char *line, size_t len)
{
	struct got *g = ctx;

	memcpy(g->line, line, len);
	g->len = len;
	return 0;
}

static void sink(void **state)
{
	struct got g = {0};
	struct ej_sink next = {.line = keep, .ctx = &g};
	struct stamp s;

	(void)state;
	stamp_init(&s, &next);
	assert_int_equal(s.sink.line(s.sink.ctx, "{\"a\":1}\n", 8), 0);
	assert_memory_equal(g.line, "{\"a\":1,\"policy_version\":null}\n", g.len);
	stamp_set(&s, "0123");
	assert_int_equal(s.sink.line(s.sink.ctx, "{\"a\":1}\n", 8), 0);
	assert_memory_equal(g.line, "{\"a\":1,\"policy_version\":\"0123\"}\n", g.len);
	assert_int_equal(s.sink.flush(s.sink.ctx), 0);
	stamp_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines),
		cmocka_unit_test(sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
