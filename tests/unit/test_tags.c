// SPDX-License-Identifier: GPL-2.0
/* kernel/tags, building: tags with the same clients and servers share a
 * class; ports expand, wide ranges become the any-port entry; budgets
 * take the most; steered ports are flagged inline and limited unless the
 * config steers them already; the LPM values are the union of the
 * classes of every prefix holding them (against a scan of all prefixes);
 * past EW_TAG_CLASSES the tags grow to a superset. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/tags_int.h"

static struct tags_prefix pfx(const char *addr, unsigned len)
{
	struct tags_prefix p = {0};

	if (strchr(addr, ':')) {
		inet_pton(AF_INET6, addr, p.addr);
		p.len = (uint8_t)len;
	} else {
		p.addr[10] = p.addr[11] = 0xff;
		inet_pton(AF_INET, addr, p.addr + 12);
		p.len = (uint8_t)(96 + len);
	}
	return p;
}

static uint32_t mask(const struct tags *t, bool srv, const char *addr)
{
	struct tags_prefix p = pfx(addr, 0);

	return tags_mask(t, srv, p.addr);
}

static void classes_and_ports(void **state)
{
	struct tags_prefix minors[] = {pfx("10.1.0.0", 16), pfx("2001:db8:1::", 48)};
	struct tags_prefix servers[] = {pfx("192.0.2.0", 24)};
	struct tags_port http[] = {{IPPROTO_TCP, 80, 80}, {IPPROTO_TCP, 8000, 8002}};
	struct tags_port any[] = {{IPPROTO_TCP, 1, 65535}};
	struct tags_rule body = {http, 2, EW_MIRROR_ALL, true, minors, 2, NULL, 0};
	struct tags_rule req = {http, 1, EW_MIRROR_ALL, false, minors, 2, NULL, 0};
	struct tags_rule app = {any, 1, 16, false, NULL, 0, servers, 1};
	struct tags *t = tags_new();
	struct ew_tagport tp;

	(void)state;
	assert_int_equal(tags_add(t, &body), 0);
	assert_int_equal(tags_add(t, &req), 0); /* same clients and servers: class 0 */
	assert_int_equal(tags_add(t, &app), 0);
	assert_int_equal(tags_classes(t), 2);
	assert_int_equal(tags_ports(t), 1 + 3 + 1);
	assert_true(tags_port(t, IPPROTO_TCP, 80, &tp));
	assert_int_equal(tp.steer, 1u << 0);
	/* an exact port carries the any-port classes of its protocol */
	assert_int_equal(tp.mirror, 1u << 0 | 1u << 1);
	assert_int_equal(tp.budget, EW_MIRROR_ALL);
	assert_true(tags_port(t, IPPROTO_TCP, 8001, &tp));
	assert_int_equal(tp.steer, 1u << 0);
	assert_int_equal(tp.mirror, 1u << 1);
	assert_int_equal(tp.budget, 16);
	assert_true(tags_port(t, IPPROTO_TCP, 0, &tp)); /* 1-65535: any port */
	assert_int_equal(tp.mirror, 1u << 1);
	assert_int_equal(tp.budget, 16);
	assert_false(tags_port(t, IPPROTO_UDP, 80, &tp));
	assert_int_equal(mask(t, false, "10.1.7.7"), 1u << 0 | 1u << 1);
	assert_int_equal(mask(t, false, "10.2.7.7"), 1u << 1);
	assert_int_equal(mask(t, false, "2001:db8:1::9"), 1u << 0 | 1u << 1);
	assert_int_equal(mask(t, true, "192.0.2.9"), 1u << 0 | 1u << 1);
	assert_int_equal(mask(t, true, "198.51.100.1"), 1u << 0);
	tags_free(t);
}

static void steer_ports(void **state)
{
	struct tags_port http[] = {{IPPROTO_TCP, 80, 81}};
	struct tags_rule body = {http, 1, EW_MIRROR_ALL, true, NULL, 0, NULL, 0};
	struct ports_entry ports[4] = {
		{.key = {.port = htons(80), .proto = IPPROTO_TCP}, .tag = {.flags = EW_PORT_INLINE}},
		{.key = {.port = htons(53), .proto = IPPROTO_UDP}, .tag = {.mirror_budget = 9}},
	};
	struct tags *t = tags_new();
	int n = 2;

	(void)state;
	assert_int_equal(tags_add(t, &body), 0);
	assert_int_equal(tags_steer_ports(t, ports, &n, 3), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ports[0].tag.flags, EW_PORT_INLINE); /* the config's: every flow */
	assert_int_equal(ports[2].key.port, htons(81));
	assert_int_equal(ports[2].tag.flags, EW_PORT_INLINE | EW_PORT_LIMITED);
	assert_int_equal(ports[2].tag.mirror_budget, 0);
	n = 2;
	assert_int_equal(tags_steer_ports(t, ports, &n, 2), -E2BIG);
	tags_free(t);
}

/* Random nested prefixes: each LPM value equals the union over a scan. */
static void union_equals_scan(void **state)
{
	struct pfxlist l = {0};
	uint32_t *out;

	(void)state;
	srand(7);
	for (int i = 0; i < 400; i++) {
		struct tags_prefix p = pfx("10.0.0.0", 8);
		unsigned len = 96 + 8 + (unsigned)(rand() % 17);

		p.addr[13] = (uint8_t)(rand() % 4);
		p.addr[14] = (uint8_t)(rand() % 4);
		for (unsigned b = len; b < 128; b++)
			p.addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		p.len = (uint8_t)len;
		if (l.n == l.cap) {
			l.cap = l.cap ? 2 * l.cap : 64;
			l.v = realloc(l.v, l.cap * sizeof(*l.v));
		}
		l.v[l.n++] = (struct tpfx){p, 1u << (rand() % 32)};
	}
	out = malloc(l.n * sizeof(*out));
	tags_union_masks(&l, out);
	for (size_t i = 0; i < l.n; i++) {
		uint32_t want = 0;

		for (size_t j = 0; j < l.n; j++)
			if (l.v[j].p.len <= l.v[i].p.len && tags_holds(&l.v[j].p, l.v[i].p.addr))
				want |= l.v[j].mask;
		assert_int_equal(out[i], want);
	}
	free(out);
	free(l.v);
}

static void too_many_classes(void **state)
{
	struct tags_prefix p[EW_TAG_CLASSES + 2];
	struct tags_port http[] = {{IPPROTO_TCP, 80, 80}};
	struct tags *t = tags_new();
	char a[32];

	(void)state;
	for (int i = 0; i < EW_TAG_CLASSES + 2; i++) {
		struct tags_rule r = {http, 1, EW_MIRROR_ALL, false, &p[i], 1, NULL, 0};

		snprintf(a, sizeof(a), "10.%d.0.0", i);
		p[i] = pfx(a, 16);
		assert_int_equal(tags_add(t, &r), 0);
	}
	assert_int_equal(tags_classes(t), EW_TAG_CLASSES);
	/* the rules past the cap: every client (a superset) */
	assert_true(mask(t, false, "10.33.1.1") & 1u << (EW_TAG_CLASSES - 1));
	assert_true(mask(t, false, "172.16.0.1") & 1u << (EW_TAG_CLASSES - 1));
	assert_int_equal(mask(t, false, "172.16.0.1") & 1u, 0);
	tags_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classes_and_ports),
		cmocka_unit_test(steer_ports),
		cmocka_unit_test(union_equals_scan),
		cmocka_unit_test(too_many_classes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
