// SPDX-License-Identifier: GPL-2.0
/* ports: the --ports syntax, the default set, and its diagnostics; inline
 * ports marked among the tagged ones. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kernel/ports.h"

static void defaults(void **state)
{
	struct ports_entry e[8];
	char err[160];

	(void)state;
	assert_int_equal(ports_parse(PORTS_DEFAULT, e, 8, err, sizeof(err)), 4);
	assert_int_equal(e[0].key.proto, IPPROTO_TCP);
	assert_int_equal(ntohs(e[0].key.port), 80);
	assert_int_equal(e[0].tag.mirror_budget, EW_MIRROR_ALL);
	assert_int_equal(e[1].key.proto, IPPROTO_TCP);
	assert_int_equal(ntohs(e[1].key.port), 53);
	assert_int_equal(e[2].key.proto, IPPROTO_UDP);
	assert_int_equal(ntohs(e[2].key.port), 53);
	assert_int_equal(ntohs(e[3].key.port), 443);
	assert_int_equal(e[3].tag.mirror_budget, 4);
	assert_int_equal(e[3].key.pad, 0);
	assert_int_equal(e[3].tag.rule_id, 0);
}

static void explicit_all(void **state)
{
	struct ports_entry e[2];
	char err[160];

	(void)state;
	assert_int_equal(ports_parse("udp/65535:all", e, 2, err, sizeof(err)), 1);
	assert_int_equal(ntohs(e[0].key.port), 65535);
	assert_int_equal(e[0].tag.mirror_budget, EW_MIRROR_ALL);
}

static void rejects(void **state)
{
	static const char *const bad[][2] = {
		{"tcp/0",
		 "invalid port 'tcp/0' (expected tcp/PORT or udp/PORT, optionally :N or :all)"},
		{"tcp/80,sctp/9",
		 "invalid port 'sctp/9' (expected tcp/PORT or udp/PORT, optionally :N or :all)"},
		{"tcp/80,",
		 "invalid port '' (expected tcp/PORT or udp/PORT, optionally :N or :all)"},
		{"tcp/65536",
		 "invalid port 'tcp/65536' (expected tcp/PORT or udp/PORT, optionally :N or :all)"},
		{"tcp/443:0",
		 "invalid port 'tcp/443:0' (expected tcp/PORT or udp/PORT, optionally :N or :all)"},
		{"tcp/443:-1", "invalid port 'tcp/443:-1' (expected tcp/PORT or udp/PORT, "
			       "optionally :N or :all)"},
		{"tcp/1,tcp/2,tcp/3", "too many ports (at most 2)"},
	};
	struct ports_entry e[2];
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ports_parse(bad[i][0], e, 2, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, bad[i][1]);
	}
}

/* tcp/80 tagged and inline keeps its budget; tcp/8080 inline only is
 * added untagged; udp/53 stays as it was; no room, nothing changes. */
static void mark_inline(void **state)
{
	struct ports_entry p[4], inl[2];
	char err[160];
	int n;

	(void)state;
	n = ports_parse("tcp/80,udp/53", p, 4, err, sizeof(err));
	assert_int_equal(n, 2);
	assert_int_equal(ports_parse("tcp/8080,tcp/80", inl, 2, err, sizeof(err)), 2);
	assert_int_equal(ports_mark_inline(p, &n, 2, inl, 2), -E2BIG);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].tag.flags, 0);
	assert_int_equal(ports_mark_inline(p, &n, 4, inl, 2), 0);
	assert_int_equal(n, 3);
	assert_int_equal(p[0].tag.flags, EW_PORT_INLINE);
	assert_int_equal(p[0].tag.mirror_budget, EW_MIRROR_ALL);
	assert_int_equal(p[1].tag.flags, 0);
	assert_int_equal(ntohs(p[2].key.port), 8080);
	assert_int_equal(p[2].key.proto, IPPROTO_TCP);
	assert_int_equal(p[2].tag.flags, EW_PORT_INLINE);
	assert_int_equal(p[2].tag.mirror_budget, 0);
	assert_int_equal(ports_mark_inline(p, &n, 4, inl, 2), 0); /* again: no change */
	assert_int_equal(n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(explicit_all),
		cmocka_unit_test(rejects),
		cmocka_unit_test(mark_inline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
