// SPDX-License-Identifier: GPL-2.0
/* BPF_PROG_TEST_RUN tests of the lookups in ew_xdp_ingress
 * (bpf/ew_xdp.bpf.c): overlapping blocked prefixes, direction flags, the
 * prefix lengths in use kept by userspace/blocklist.c, fragments, and flow
 * verdicts found from both directions. */
#include "bpf/xdp_harness.h"
#include "kernel/blocklist.h"

/* EW_IPV6_EXT_MAX (6) destination-options headers, then one more. */
static void f_ext6_too_long(struct pb *b)
{
	memset(b, 0, sizeof(*b));
	pb_eth(b, ETH_P_IPV6);
	pb_ipv6(b, IPPROTO_DSTOPTS, V6A, V6B);
	for (int i = 0; i < 6; i++)
		pb_ext6(b, IPPROTO_DSTOPTS, 8);
	pb_ext6(b, IPPROTO_UDP, 8);
	pb_udp(b, 1, 2);
	pb_finish(b);
}

/* ---- blocked prefixes --------------------------------------------------- */

/* The skeleton's (unpinned) blocklist maps, changed the way the CLI does. */
static struct blocklist skel_blocklist(void)
{
	struct blocklist bl;

	assert_int_equal(blocklist_from_obj(&bl, fx.skel->obj), 0);
	return bl;
}

static struct ew_prefix prefix(int family, const char *addr, __u32 plen)
{
	struct ew_prefix p = {.family = (uint8_t)family, .len = (uint8_t)plen};

	assert_int_equal(inet_pton(family == 6 ? AF_INET6 : AF_INET, addr, p.addr), 1);
	return p;
}

static void block4(const char *addr, __u32 plen, __u32 id, __u32 flags)
{
	struct ew_block_rule r = {.rule_id = id, .flags = flags};
	struct blocklist bl = skel_blocklist();
	struct ew_prefix p = prefix(4, addr, plen);

	assert_int_equal(blocklist_add(&bl, &p, &r), 0);
	blocklist_close(&bl);
}

static void block6(const char *addr, __u32 plen, __u32 id, __u32 flags)
{
	struct ew_block_rule r = {.rule_id = id, .flags = flags};
	struct blocklist bl = skel_blocklist();
	struct ew_prefix p = prefix(6, addr, plen);

	assert_int_equal(blocklist_add(&bl, &p, &r), 0);
	blocklist_close(&bl);
}

static int unblock(int family, const char *addr, __u32 plen)
{
	struct blocklist bl = skel_blocklist();
	struct ew_prefix p = prefix(family, addr, plen);
	int err = blocklist_remove(&bl, &p);

	blocklist_close(&bl);
	return err;
}

/* Whether XDP probes (family, plen): its bit in the table's head. */
static int len_in_use(int family, __u32 plen)
{
	struct blocklist bl = skel_blocklist();
	__u64 lens[3];

	assert_int_equal(blocklist_lengths(&bl, family, lens), 0);
	blocklist_close(&bl);
	return (int)((lens[plen / 64] >> (plen % 64)) & 1);
}

/* Prefixes in the family's table. */
static size_t prefix_count(int family)
{
	struct blocklist bl = skel_blocklist();
	size_t n4, n6;

	assert_int_equal(blocklist_count(&bl, &n4, &n6), 0);
	blocklist_close(&bl);
	return family == 6 ? n6 : n4;
}

static void tcp4_between(struct pb *b, const char *src, const char *dst)
{
	memset(b, 0, sizeof(*b));
	pb_eth(b, ETH_P_IP);
	pb_ipv4(b, IPPROTO_TCP, src, dst, 0, 0);
	pb_tcp(b, 40000, 80, 1, 0, TCP_SYN, 0);
	pb_finish(b);
}

static void udp6_between(struct pb *b, const char *src, const char *dst)
{
	memset(b, 0, sizeof(*b));
	pb_eth(b, ETH_P_IPV6);
	pb_ipv6(b, IPPROTO_UDP, src, dst);
	pb_udp(b, 5353, 53);
	pb_finish(b);
}

/* Drops b and asserts that exactly rule id (of ids[]) counted the hit. */
static void expect_rule_drop(struct pb *b, __u32 id, const __u32 *ids, int n, const char *what)
{
	__u64 before[8];

	for (int i = 0; i < n; i++)
		before[i] = rule_hits(fx.skel, ids[i]);
	CHECK(fx.skel, b, XDP_DROP, what, EW_C_DROP_PREFIX);
	for (int i = 0; i < n; i++)
		if (rule_hits(fx.skel, ids[i]) - before[i] != (ids[i] == id))
			fail_msg("%s: rule %u hits moved wrongly (want rule %u)", what, ids[i], id);
}

static void lpm4_overlaps(void **state)
{
	const __u32 ids[] = {8, 24, 32};
	struct pb b;

	(void)state;
	block4("10.0.0.0", 8, 8, 0);
	block4("10.1.2.0", 24, 24, 0);
	block4("10.1.2.3", 32, 32, 0);
	tcp4_between(&b, "10.1.2.3", V4B);
	expect_rule_drop(&b, 32, ids, 3, "src in /32");
	tcp4_between(&b, "10.1.2.4", V4B);
	expect_rule_drop(&b, 24, ids, 3, "src in /24");
	tcp4_between(&b, "10.200.0.1", V4B);
	expect_rule_drop(&b, 8, ids, 3, "src in /8");
	tcp4_between(&b, V4B, "10.1.2.3");
	expect_rule_drop(&b, 32, ids, 3, "dst in /32");
	tcp4_between(&b, "11.0.0.1", "9.255.255.255");
	CHECK(fx.skel, &b, XDP_PASS, "outside /8", EW_C_PASS);
}

static void lpm6_overlaps(void **state)
{
	const __u32 ids[] = {16, 48, 128};
	struct pb b;

	(void)state;
	block6("2001::", 16, 16, 0);
	block6("2001:db8:1::", 48, 48, 0);
	block6("2001:db8:1::5", 128, 128, 0);
	udp6_between(&b, "2001:db8:1::5", "fd00::1");
	expect_rule_drop(&b, 128, ids, 3, "src in /128");
	udp6_between(&b, "2001:db8:1::6", "fd00::1");
	expect_rule_drop(&b, 48, ids, 3, "src in /48");
	udp6_between(&b, "fd00::1", "2001:ffff::1");
	expect_rule_drop(&b, 16, ids, 3, "dst in /16");
	udp6_between(&b, "2002::1", "fd00::1");
	CHECK(fx.skel, &b, XDP_PASS, "outside /16", EW_C_PASS);
}

static void lpm_direction_flags(void **state)
{
	struct pb b;

	(void)state;
	block4("203.0.113.0", 24, 7, EW_MATCH_SRC);
	block4("100.64.0.0", 10, 9, EW_MATCH_DST);
	block6("fd99::", 16, 11, EW_MATCH_SRC);
	tcp4_between(&b, "203.0.113.9", V4B);
	CHECK(fx.skel, &b, XDP_DROP, "src rule, as src", EW_C_DROP_PREFIX);
	tcp4_between(&b, V4B, "203.0.113.9");
	CHECK(fx.skel, &b, XDP_PASS, "src rule, as dst", EW_C_PASS);
	tcp4_between(&b, V4B, "100.64.1.1");
	CHECK(fx.skel, &b, XDP_DROP, "dst rule, as dst", EW_C_DROP_PREFIX);
	tcp4_between(&b, "100.64.1.1", V4B);
	CHECK(fx.skel, &b, XDP_PASS, "dst rule, as src", EW_C_PASS);
	udp6_between(&b, "fd00::1", "fd99::1");
	CHECK(fx.skel, &b, XDP_PASS, "v6 src rule, as dst", EW_C_PASS);
	/* rule ids past EW_RULE_MAX drop but are not counted per rule */
	block4("192.0.2.128", 25, EW_RULE_MAX + 5, 0);
	tcp4_between(&b, "192.0.2.200", V4B);
	CHECK(fx.skel, &b, XDP_DROP, "rule id >= EW_RULE_MAX", EW_C_DROP_PREFIX);
}

/* Lengths are probed longest first until a rule applies in the packet's
 * direction: a longer prefix for the other direction does not hide a
 * shorter one. */
static void lpm_direction_falls_through(void **state)
{
	const __u32 ids[] = {20, 21, 22, 30, 31};
	struct pb b;

	(void)state;
	block4("198.18.0.0", 15, 20, EW_MATCH_SRC);
	block4("198.18.1.0", 24, 21, EW_MATCH_DST);
	block4("198.18.1.7", 32, 22, EW_MATCH_DST);
	tcp4_between(&b, "198.18.1.7", V4B);
	expect_rule_drop(&b, 20, ids, 5, "src under two dst-only rules: the /15 src rule");
	tcp4_between(&b, V4B, "198.18.1.7");
	expect_rule_drop(&b, 22, ids, 5, "dst in the /32");
	tcp4_between(&b, V4B, "198.18.1.8");
	expect_rule_drop(&b, 21, ids, 5, "dst in the /24");
	tcp4_between(&b, V4B, "198.19.0.1");
	CHECK(fx.skel, &b, XDP_PASS, "dst under the src-only /15", EW_C_PASS);
	block6("fd42::", 16, 30, EW_MATCH_DST);
	block6("fd42:1::", 32, 31, EW_MATCH_SRC);
	udp6_between(&b, "fd42:1::1", "fd00::1");
	expect_rule_drop(&b, 31, ids, 5, "v6 src in the src-only /32");
	udp6_between(&b, "fd00::1", "fd42:1::1");
	expect_rule_drop(&b, 30, ids, 5, "v6 dst under the src-only /32: the /16 dst rule");
	udp6_between(&b, "fd42:2::1", "fd00::1");
	CHECK(fx.skel, &b, XDP_PASS, "v6 src under the dst-only /16", EW_C_PASS);
}

/* A table's head lists the lengths in its prefixes: a length stays probed
 * until its last prefix goes. */
static void lengths_in_use_follow_adds_and_removes(void **state)
{
	const __u32 ids[] = {40, 41, 42};
	size_t n4 = prefix_count(4), n6 = prefix_count(6);
	struct pb b;

	(void)state;
	assert_int_equal(len_in_use(4, 27), 0);
	block4("192.0.2.32", 27, 40, 0);
	block4("192.0.2.64", 27, 41, 0);
	assert_int_equal(len_in_use(4, 27), 1);
	assert_int_equal(prefix_count(4), n4 + 2);
	block4("192.0.2.32", 27, 42, 0); /* a replacement, not a third prefix */
	assert_int_equal(prefix_count(4), n4 + 2);
	tcp4_between(&b, "192.0.2.33", V4B);
	expect_rule_drop(&b, 42, ids, 3, "the replaced /27's new rule");
	assert_int_equal(unblock(4, "192.0.2.32", 27), 0);
	assert_int_equal(unblock(4, "192.0.2.32", 27), -ENOENT);
	assert_int_equal(prefix_count(4), n4 + 1);
	assert_int_equal(len_in_use(4, 27), 1); /* one of two removed: still probed */
	CHECK(fx.skel, &b, XDP_PASS, "removed /27", EW_C_PASS);
	tcp4_between(&b, "192.0.2.65", V4B);
	expect_rule_drop(&b, 41, ids, 3, "the other /27");
	assert_int_equal(unblock(4, "192.0.2.64", 27), 0);
	assert_int_equal(prefix_count(4), n4);
	assert_int_equal(len_in_use(4, 27), 0); /* the last one: no longer probed */
	CHECK(fx.skel, &b, XDP_PASS, "both /27s removed", EW_C_PASS);
	/* IPv6: /99 lives in the second word, /128 (in use by an earlier
	 * test) in the third. */
	block6("fd77:aa::", 99, 44, 0);
	block6("fd77:aa::1", 128, 45, 0);
	assert_int_equal(len_in_use(6, 99), 1);
	assert_int_equal(len_in_use(6, 128), 1);
	assert_int_equal(prefix_count(6), n6 + 2);
	assert_int_equal(unblock(6, "fd77:aa::1", 128), 0);
	assert_int_equal(prefix_count(6), n6 + 1);
	udp6_between(&b, "fd77:aa::1", "fd00::1");
	expect_rule_drop(&b, 44, (const __u32[]){44, 45}, 2, "v6 /99 after its /128 went");
	assert_int_equal(unblock(6, "fd77:aa::", 99), 0);
	assert_int_equal(len_in_use(6, 99), 0);
	CHECK(fx.skel, &b, XDP_PASS, "v6 /99 removed", EW_C_PASS);
}

/* A bulk load adds every length it brought and counts each prefix once,
 * also when it repeats one (the last rule wins). */
static void bulk_load_marks_lengths(void **state)
{
	const char text[] = "10.250.0.0/17\n10.250.3.0/26\n10.250.3.0/26 # again\nfd77:bb::/61\n";
	struct ew_block_rule rule = {.rule_id = 50};
	struct prefix_error shown[1];
	struct blocklist_errors errs = {.errs = shown, .max = 1};
	struct blocklist_batch batch = {};
	struct blocklist bl = skel_blocklist();
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	size_t n4 = prefix_count(4), n6 = prefix_count(6);
	struct pb b;

	(void)state;
	assert_int_equal(blocklist_parse(f, "mem", &rule, &batch, &errs), 0);
	fclose(f);
	assert_int_equal(blocklist_load(&bl, &batch), 0);
	blocklist_batch_free(&batch);
	blocklist_close(&bl);
	assert_int_equal(prefix_count(4), n4 + 2);
	assert_int_equal(prefix_count(6), n6 + 1);
	assert_int_equal(len_in_use(4, 17) + len_in_use(4, 26) + len_in_use(6, 61), 3);
	tcp4_between(&b, V4B, "10.250.3.9");
	expect_rule_drop(&b, 50, (const __u32[]){50}, 1, "bulk /26");
	udp6_between(&b, "fd77:bb:0:7::1", "fd00::1");
	expect_rule_drop(&b, 50, (const __u32[]){50}, 1, "bulk v6 /61");
}

/* The i-th prefix of a spread: IPv4 /28s from 44.0.0.0, IPv6 /56s from
 * fd60::/16; into buf. */
static const char *spread_prefix(int family, size_t i, char *buf, size_t size)
{
	if (family == 4)
		snprintf(buf, size, "44.%zu.%zu.%zu", i >> 12, i >> 4 & 255, (i & 15) << 4);
	else
		snprintf(buf, size, "fd60:%zx:%zx00::", i >> 8, i & 255);
	return buf;
}

/* Loads n prefixes of a spread with rule 1000 + i % 7, as one list. */
static void load_spread(int family, size_t n)
{
	size_t size = n * 48 + 1, len = 0;
	char *text = malloc(size), a[48];
	struct ew_block_rule rule = {.rule_id = 1000};
	struct prefix_error shown[1];
	struct blocklist_errors errs = {.errs = shown, .max = 1};
	struct blocklist_batch batch = {};
	struct blocklist bl = skel_blocklist();
	FILE *f;

	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len, "%s/%d\n",
					spread_prefix(family, i, a, sizeof(a)),
					family == 4 ? 28 : 56);
	f = fmemopen(text, len, "r");
	assert_int_equal(blocklist_parse(f, "spread", &rule, &batch, &errs), 0);
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		struct ptable_entry *e = family == 4 ? &batch.v4.e[i] : &batch.v6.e[i];

		e->rule_id = (__u32)(1000 + i % 7);
	}
	assert_int_equal(blocklist_load(&bl, &batch), 0);
	blocklist_batch_free(&batch);
	blocklist_close(&bl);
	free(text);
}

/* Tens of thousands of prefixes: the table grows through size classes and
 * has overflowing buckets (at load 0.6 about one bucket in twelve), and
 * every prefix is still found, with its own rule; neighbours pass. */
static void many_prefixes_all_found(void **state)
{
	const __u32 ids[] = {1000, 1001, 1002, 1003, 1004, 1005, 1006};
	const size_t n = 30000;
	char a[48], host[48];
	struct pb b;

	(void)state;
	load_spread(4, n);
	load_spread(6, n);
	for (size_t i = 0; i < n; i += 97) {
		spread_prefix(4, i, a, sizeof(a));
		snprintf(host, sizeof(host), "%.*s%d", (int)(strrchr(a, '.') - a + 1), a,
			 atoi(strrchr(a, '.') + 1) + 9);
		tcp4_between(&b, host, V4B);
		expect_rule_drop(&b, (__u32)(1000 + i % 7), ids, 7, host);
		spread_prefix(6, i, a, sizeof(a));
		strcat(a, "42");
		udp6_between(&b, "fd00::1", a);
		expect_rule_drop(&b, (__u32)(1000 + i % 7), ids, 7, a);
	}
	spread_prefix(4, n, a, sizeof(a));
	tcp4_between(&b, a, V4B);
	CHECK(fx.skel, &b, XDP_PASS, "the /28 after the last", EW_C_PASS);
	spread_prefix(6, n, a, sizeof(a));
	udp6_between(&b, a, "fd00::1");
	CHECK(fx.skel, &b, XDP_PASS, "the /56 after the last", EW_C_PASS);
}

/* A non-first fragment carries no ports: address rules apply, flow
 * verdicts do not. L4 errors still honour address rules. */
static void fragments_and_errors_vs_rules(void **state)
{
	struct pb b;

	(void)state;
	block4("172.16.0.0", 12, 12, 0);
	memset(&b, 0, sizeof(b));
	pb_eth(&b, ETH_P_IP);
	pb_ipv4(&b, IPPROTO_UDP, "172.16.5.5", V4B, 0, 100);
	pb_payload(&b, 40);
	pb_finish(&b);
	CHECK(fx.skel, &b, XDP_DROP, "blocked non-first fragment", EW_C_FRAGMENT, EW_C_DROP_PREFIX);
	tcp4_between(&b, "172.16.5.5", V4B);
	check(fx.skel, b.buf, b.len - 1, XDP_DROP,
	      (const int[]){EW_C_RX, EW_C_ERR_TCP, EW_C_DROP_PREFIX}, 3,
	      "cut tcp from blocked src");
	block6(V6A, 128, 60, 0);
	f_ext6_too_long(&b);
	CHECK(fx.skel, &b, XDP_DROP, "long ext chain from blocked src", EW_C_ERR_IPV6_EXT,
	      EW_C_DROP_PREFIX);
	assert_int_equal(unblock(6, V6A, 128), 0);
}

/* ---- flow verdicts ------------------------------------------------------ */

static void set_verdict(const struct ew_flow_key *k, __u8 action, __u64 expires, __u32 rule)
{
	struct ew_verdict v = {.expires_ns = expires, .rule_id = rule, .action = action};

	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(fx.skel->maps.ew_flows_v1), k, &v, BPF_ANY), 0);
}

static void tcp4_flow(struct pb *b, const char *src, __u16 sport, const char *dst, __u16 dport)
{
	memset(b, 0, sizeof(*b));
	pb_eth(b, ETH_P_IP);
	pb_ipv4(b, IPPROTO_TCP, src, dst, 0, 0);
	pb_tcp(b, sport, dport, 5, 6, TCP_ACK, 0);
	pb_payload(b, 20);
	pb_finish(b);
}

static void flow_verdict_both_directions(void **state)
{
	struct ew_flow_key k;
	struct pb b;
	__u64 hits;

	(void)state;
	pb_key_v4(&k, "192.0.2.10", 40000, "192.0.2.20", 80, IPPROTO_TCP);
	set_verdict(&k, EW_ACT_BLOCK, 0, 500);
	hits = rule_hits(fx.skel, 500);
	tcp4_flow(&b, "192.0.2.10", 40000, "192.0.2.20", 80);
	CHECK(fx.skel, &b, XDP_DROP, "client to server", EW_C_DROP_FLOW);
	tcp4_flow(&b, "192.0.2.20", 80, "192.0.2.10", 40000);
	CHECK(fx.skel, &b, XDP_DROP, "server to client", EW_C_DROP_FLOW);
	assert_int_equal(rule_hits(fx.skel, 500) - hits, 2);
	tcp4_flow(&b, "192.0.2.10", 40001, "192.0.2.20", 80);
	CHECK(fx.skel, &b, XDP_PASS, "other port", EW_C_PASS);
	/* a non-first fragment between the same hosts: no ports, no verdict */
	memset(&b, 0, sizeof(b));
	pb_eth(&b, ETH_P_IP);
	pb_ipv4(&b, IPPROTO_TCP, "192.0.2.10", "192.0.2.20", 0, 185);
	pb_payload(&b, 40);
	pb_finish(&b);
	CHECK(fx.skel, &b, XDP_PASS, "v4 non-first fragment of a blocked flow", EW_C_PASS,
	      EW_C_FRAGMENT);
	/* same address both ends: the lower port comes first */
	pb_key_v4(&k, "192.0.2.30", 80, "192.0.2.30", 40000, IPPROTO_TCP);
	set_verdict(&k, EW_ACT_BLOCK, now_ns() + 60000000000ull, 501);
	tcp4_flow(&b, "192.0.2.30", 40000, "192.0.2.30", 80);
	CHECK(fx.skel, &b, XDP_DROP, "same address, live expiry", EW_C_DROP_FLOW);
}

static void flow_verdict_expired_or_not_block(void **state)
{
	struct ew_flow_key k;
	struct pb b;

	(void)state;
	pb_key_v4(&k, "192.0.2.40", 1000, "192.0.2.50", 443, IPPROTO_TCP);
	set_verdict(&k, EW_ACT_BLOCK, now_ns() - 1, 502);
	tcp4_flow(&b, "192.0.2.50", 443, "192.0.2.40", 1000);
	CHECK(fx.skel, &b, XDP_PASS, "expired block", EW_C_PASS);
	set_verdict(&k, EW_ACT_ALLOW, 0, 502);
	CHECK(fx.skel, &b, XDP_PASS, "allow verdict", EW_C_PASS);
	set_verdict(&k, EW_ACT_INSPECT, 0, 502);
	CHECK(fx.skel, &b, XDP_PASS, "inspect verdict", EW_C_PASS);
}

static void flow_verdict_v6(void **state)
{
	struct ew_flow_key k = {.proto = IPPROTO_UDP, .family = 6};
	struct pb b;

	(void)state;
	inet_pton(AF_INET6, "fd00::10", k.lo_addr);
	inet_pton(AF_INET6, "fd00::20", k.hi_addr);
	k.lo_port = htons(53);
	k.hi_port = htons(5353);
	set_verdict(&k, EW_ACT_BLOCK, 0, 503);
	udp6_between(&b, "fd00::20", "fd00::10");
	CHECK(fx.skel, &b, XDP_DROP, "v6 reverse", EW_C_DROP_FLOW);
	/* a non-first fragment of that flow: no ports, no flow verdict */
	memset(&b, 0, sizeof(b));
	pb_eth(&b, ETH_P_IPV6);
	pb_ipv6(&b, IPPROTO_FRAGMENT, "fd00::20", "fd00::10");
	pb_frag6(&b, IPPROTO_UDP, 8, 0);
	pb_payload(&b, 16);
	pb_finish(&b);
	CHECK(fx.skel, &b, XDP_PASS, "v6 non-first fragment", EW_C_PASS, EW_C_FRAGMENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lpm4_overlaps),
		cmocka_unit_test(lpm6_overlaps),
		cmocka_unit_test(many_prefixes_all_found),
		cmocka_unit_test(lpm_direction_flags),
		cmocka_unit_test(lpm_direction_falls_through),
		cmocka_unit_test(lengths_in_use_follow_adds_and_removes),
		cmocka_unit_test(bulk_load_marks_lengths),
		cmocka_unit_test(fragments_and_errors_vs_rules),
		cmocka_unit_test(flow_verdict_both_directions),
		cmocka_unit_test(flow_verdict_expired_or_not_block),
		cmocka_unit_test(flow_verdict_v6),
	};

	return xdp_harness_main("test_xdp_rules", tests, sizeof(tests) / sizeof(tests[0]));
}
