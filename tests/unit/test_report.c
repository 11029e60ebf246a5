// SPDX-License-Identifier: GPL-2.0
/* report: the numbers of tests/fixtures/report.jsonl for January to June
 * 2024, counted by hand (tests/fixtures/README.md), and a log without
 * block events (edgeward pcap) whose matched objects are the cases, one
 * per object however many lists matched it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report/logread.h"
#include "report/query.h"
#include "report/report.h"

static struct report *load(const char *path, const char *from, const char *to)
{
	struct report_conf c = {.from = from, .to = to};
	struct report *r;
	struct logread lr;
	const char *s;
	char msg[256];
	bool torn;
	long n;

	assert_int_equal(query_parse_time(from, false, &c.from_ns), 0);
	assert_int_equal(query_parse_time(to, true, &c.to_ns), 0);
	r = report_new(&c);
	assert_int_equal(logread_open(&lr, path, msg, sizeof(msg)), 0);
	while ((n = logread_next(&lr, &s, &torn)) >= 0) {
		struct jdoc d = {0};
		struct jerr e;

		assert_int_equal(jdoc_parse(&d, s, (size_t)n, &e), 0);
		assert_int_equal(report_add(r, d.root, path, lr.line), 0);
		jdoc_free(&d);
	}
	logread_close(&lr);
	return r;
}

static void hand_counted_fixture(void **state)
{
	static const struct {
		const char *dim, *val;
		uint64_t n;
	} want[] = {
		{"category", "csam", 5},    {"category", "extremism", 1}, {"list", "iwf", 3},
		{"list", "ncmec", 2},	    {"list", "near", 1},	  {"hash_type", "md5", 3},
		{"hash_type", "sha256", 2}, {"hash_type", "pdq", 1},	  {"content_type", "jpeg", 3},
		{"content_type", "png", 1}, {"content_type", "image/webp", 1},
		{"content_type", "mp4", 1}, {"rule", "none", 5},	  {"rule", "r7", 1},
		{"day", "2024-01-05", 1},   {"day", "2024-01-20", 1},	  {"day", "2024-02-10", 2},
		{"day", "2024-03-31", 1},   {"day", "2024-06-30", 1},	  {"month", "2024-01", 2},
		{"month", "2024-02", 2},    {"month", "2024-03", 1},	  {"month", "2024-06", 1},
		{"month", "2024-07", 0},    {"host", "a.example", 3},	  {"host", "b.example", 2},
		{"host", "cdn.c.example", 1},
	};
	struct report *r = load("tests/fixtures/report.jsonl", "2024-01", "2024-06");

	(void)state;
	assert_int_equal(report_cases(r), 6);
	assert_int_equal(report_distinct_hashes(r), 5);
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++)
		if (report_count(r, want[i].dim, want[i].val) != want[i].n)
			fail_msg("%s %s: got %llu, want %llu", want[i].dim, want[i].val,
				 (unsigned long long)report_count(r, want[i].dim, want[i].val),
				 (unsigned long long)want[i].n);
	report_free(r);
	/* one day: the boundaries of --from and --to are a day's */
	r = load("tests/fixtures/report.jsonl", "2024-02-10", "2024-02-10");
	assert_int_equal(report_cases(r), 2);
	report_free(r);
}

static void matched_objects_without_blocks(void **state)
{
	char path[] = "/tmp/ew-report-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct report *r;

	(void)state;
	fputs("{\"event\":\"object\",\"ts\":\"2024-01-02T00:00:00Z\",\"id\":1,\"sniffed\":\"png\","
	      "\"size\":10}\n"
	      "{\"event\":\"match\",\"ts\":\"2024-01-02T00:00:00Z\",\"object\":1,\"list\":\"a\","
	      "\"category\":\"csam\",\"hash_type\":\"md5\",\"hash\":\"11\"}\n"
	      "{\"event\":\"match\",\"ts\":\"2024-01-02T00:00:00Z\",\"object\":1,\"list\":\"b\","
	      "\"category\":\"csam\",\"hash_type\":\"sha256\",\"hash\":\"22\"}\n"
	      "{\"event\":\"object\",\"ts\":\"2024-01-03T00:00:00Z\",\"id\":2,\"sniffed\":\"\","
	      "\"content_type\":\"image/gif\",\"size\":20}\n"
	      "{\"event\":\"match\",\"ts\":\"2024-01-03T00:00:00Z\",\"object\":2,\"list\":\"b\","
	      "\"category\":\"csam\",\"hash_type\":\"sha256\",\"hash\":\"33\"}\n",
	      f);
	fclose(f);
	r = load(path, "2024-01-01", "2024-01-31");
	assert_int_equal(report_cases(r), 2);
	assert_int_equal(report_count(r, "list", "a"), 1); /* the first match names it */
	assert_int_equal(report_count(r, "content_type", "png"), 1);
	assert_int_equal(report_count(r, "content_type", "image/gif"), 1);
	report_free(r);
	remove(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hand_counted_fixture),
		cmocka_unit_test(matched_objects_without_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
