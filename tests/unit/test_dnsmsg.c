// SPDX-License-Identifier: GPL-2.0
/* dnsmsg: the questions of queries dig wrote (the fuzz corpus's seeds),
 * cut at every length; an answer's id, QR and rcode; hand-made messages
 * for each way to be malformed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ewtest.h"
#include "names/dnsmsg.h"

#define CORPUS "tests/fuzz/corpus/dnsmsg/"

static const struct {
	const char *file, *name;
	uint16_t qtype;
} seeds[] = {
	{"dig-aaaa-Blocked.Test.bin", "Blocked.Test", 28},
	{"dig-txt-escaped.bin", "a\\046b\\032c.test", 16}, /* dig 'a\.b\032c.test' */
	{"dig-mx-noedns.bin", "nx.test", 15},
	{"dig-root-ns.bin", ".", 2},
};

static uint8_t *read_seed(const char *name, size_t *len)
{
	char path[256];
	uint8_t *b = malloc(4096);
	FILE *f;

	snprintf(path, sizeof(path), CORPUS "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	*len = fread(b, 1, 4096, f);
	fclose(f);
	return b;
}

static void dig_queries(void **state)
{
	struct dnsmsg_question q;

	(void)state;
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		size_t len, qend;
		uint8_t *b = read_seed(seeds[i].file, &len);

		assert_int_equal(dnsmsg_question(b, len, &q), 0);
		assert_string_equal(q.name, seeds[i].name);
		assert_int_equal(q.qtype, seeds[i].qtype);
		assert_int_equal(q.qclass, 1);
		assert_int_equal(q.id, b[0] << 8 | b[1]);
		assert_false(q.response);
		assert_int_equal(q.rcode, 0);
		/* the question ends 4 bytes after the name; any cut before fails */
		for (qend = 12; b[qend]; qend += 1u + b[qend])
			;
		qend += 5;
		for (size_t cut = 0; cut < len; cut++)
			assert_int_equal(dnsmsg_question(b, cut, &q), cut < qend ? -EINVAL : 0);
		free(b);
	}
}

static void answer_header(void **state)
{
	static const uint8_t m[] = {0xbe, 0xef, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0,
				    2, 'n', 'x', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1};
	struct dnsmsg_question q;

	(void)state;
	assert_int_equal(dnsmsg_question(m, sizeof(m), &q), 0);
	assert_int_equal(q.id, 0xbeef);
	assert_true(q.response);
	assert_int_equal(q.rcode, 3);
	assert_string_equal(q.name, "nx.test");
	assert_string_equal(dnsmsg_type_name(q.qtype), "A");
	assert_string_equal(dnsmsg_type_name(28), "AAAA");
	assert_null(dnsmsg_type_name(4242));
}

static void malformed(void **state)
{
	uint8_t m[300] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1};
	struct dnsmsg_question q;
	size_t n;

	(void)state;
	assert_int_equal(dnsmsg_question(m, 19, &q), 0);
	m[5] = 0; /* no question */
	assert_int_equal(dnsmsg_question(m, 19, &q), -EINVAL);
	m[5] = 1;
	m[12] = 0xc0; /* a pointer in the question */
	assert_int_equal(dnsmsg_question(m, 19, &q), -EINVAL);
	m[12] = 0x41; /* a reserved label type */
	assert_int_equal(dnsmsg_question(m, 19, &q), -EINVAL);
	/* 4 labels of 63: 257 bytes on the wire, past 255 */
	for (n = 12; n < 12 + 4 * 64; n += 64) {
		m[n] = 63;
		memset(m + n + 1, 0xff, 63);
	}
	m[n] = 0;
	assert_int_equal(dnsmsg_question(m, n + 5, &q), -EINVAL);
	m[12 + 3 * 64] = 60; /* 254 bytes: read, every byte escaped */
	m[12 + 3 * 64 + 61] = 0;
	assert_int_equal(dnsmsg_question(m, 12 + 3 * 64 + 66, &q), 0);
	assert_int_equal(strlen(q.name), 4 * (63 * 3 + 60) + 3);
	assert_memory_equal(q.name, "\\255\\255", 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dig_queries),
		cmocka_unit_test(answer_header),
		cmocka_unit_test(malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
