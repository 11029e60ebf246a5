// SPDX-License-Identifier: GPL-2.0
/* BPF_PROG_TEST_RUN tests of ew_xdp_ingress (bpf/ew_xdp.bpf.c): crafted
 * frames through every parser path, cut at every length, blocked prefixes,
 * flow verdicts; each run asserts the action and every counter's delta. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "ew_xdp.skel.h"
#include "bpf/pktbuild.h"

/* The kernel refuses test-run frames shorter than an Ethernet header
 * (EINVAL, also with xdp_md metadata in front), so cuts at 0..13 bytes can
 * only assert that refusal; EW_C_ERR_ETH guards real drivers. */
#define ETH_LEN 14
#define TCP_SYN 0x02
#define TCP_ACK 0x10

struct snap {
	__u64 pk[EW_C_MAX];
	__u64 by[EW_C_MAX];
};

struct fixture {
	struct ew_xdp *skel;
	int ncpu;
};

static struct fixture fx;

/* ---- harness ------------------------------------------------------------ */

static struct ew_xdp *load(__u32 malformed_verdict)
{
	struct ew_xdp *s = ew_xdp__open();
	struct bpf_map *m;

	if (!s)
		return NULL;
	/* Never touch the real pins under /sys/fs/bpf/edgeward. */
	bpf_object__for_each_map(m, s->obj)
		bpf_map__set_pin_path(m, NULL);
	s->rodata->ew_malformed_verdict = malformed_verdict;
	if (ew_xdp__load(s)) {
		ew_xdp__destroy(s);
		return NULL;
	}
	return s;
}

/* Sums a per-CPU ew_counter slot over all possible CPUs. */
static void percpu_sum(int fd, __u32 key, __u64 *pk, __u64 *by)
{
	struct ew_counter v[fx.ncpu];

	*pk = *by = 0;
	if (bpf_map_lookup_elem(fd, &key, v))
		return;
	for (int i = 0; i < fx.ncpu; i++) {
		*pk += v[i].packets;
		*by += v[i].bytes;
	}
}

static void snap_take(struct ew_xdp *s, struct snap *sn)
{
	int fd = bpf_map__fd(s->maps.ew_counters_v1);

	for (__u32 c = 0; c < EW_C_MAX; c++)
		percpu_sum(fd, c, &sn->pk[c], &sn->by[c]);
}

static __u64 rule_hits(struct ew_xdp *s, __u32 id)
{
	__u64 pk, by;

	percpu_sum(bpf_map__fd(s->maps.ew_rulehits_v1), id, &pk, &by);
	return pk;
}

/* Runs len bytes of pkt through s's program; returns the XDP action, or
 * -errno when the kernel refuses the run. */
static int xdp_run(struct ew_xdp *s, const __u8 *pkt, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .repeat = 1);

	if (bpf_prog_test_run_opts(bpf_program__fd(s->progs.ew_xdp_ingress), &o))
		return -errno;
	return (int)o.retval;
}

/* Asserts that between a and b exactly the counters in want[] (a list,
 * repeats allowed) moved, by one packet of len bytes per mention. */
static void expect_counts(const struct snap *a, const struct snap *b,
			  const int *want, int n, size_t len, const char *what)
{
	for (int c = 0; c < EW_C_MAX; c++) {
		__u64 k = 0;

		for (int i = 0; i < n; i++)
			k += want[i] == c;
		if (b->pk[c] - a->pk[c] != k || b->by[c] - a->by[c] != k * len)
			fail_msg("%s (len %zu): counter %d moved %llu pkts %llu bytes, want %llu pkts",
				 what, len, c, (unsigned long long)(b->pk[c] - a->pk[c]),
				 (unsigned long long)(b->by[c] - a->by[c]),
				 (unsigned long long)k);
	}
}

/* Runs a frame and asserts the action and the counters it must move. */
static void check(struct ew_xdp *s, const __u8 *pkt, size_t len, int action,
		  const int *want, int n, const char *what)
{
	struct snap a, b;
	int act;

	snap_take(s, &a);
	act = xdp_run(s, pkt, len);
	snap_take(s, &b);
	if (act != action)
		fail_msg("%s (len %zu): action %d, want %d", what, len, act, action);
	expect_counts(&a, &b, want, n, len, what);
}

#define CHECK(s, b, action, what, ...)                                        \
	do {                                                                  \
		const int w_[] = { EW_C_RX, __VA_ARGS__ };                    \
		check(s, (b)->buf, (b)->len, action, w_,                     \
		      (int)(sizeof(w_) / sizeof(w_[0])), what);               \
	} while (0)

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* ---- frames ------------------------------------------------------------- */

#define V4A "192.0.2.1"
#define V4B "198.51.100.2"
#define V6A "2001:db8::1"
#define V6B "2001:db8::2"

static void f_tcp4(struct pb *b)
{
	pb_eth(b, ETH_P_IP);
	pb_ipv4(b, IPPROTO_TCP, V4A, V4B, 0, 0);
	pb_tcp(b, 40000, 80, 1000, 0, TCP_SYN, 0);
	pb_payload(b, 10);
}

static void f_tcp4_opts(struct pb *b)
{
	pb_eth(b, ETH_P_IP);
	pb_ipv4(b, IPPROTO_TCP, V4A, V4B, 12, 0);
	pb_tcp(b, 40000, 80, 1000, 0, TCP_SYN, 20);
	pb_payload(b, 3);
}

static void f_udp4(struct pb *b)
{
	pb_eth(b, ETH_P_IP);
	pb_ipv4(b, IPPROTO_UDP, V4A, V4B, 0, 0);
	pb_udp(b, 5353, 53);
	pb_payload(b, 12);
}

static void f_icmp4(struct pb *b)
{
	pb_eth(b, ETH_P_IP);
	pb_ipv4(b, IPPROTO_ICMP, V4A, V4B, 0, 0);
	pb_icmp(b, 8);
	pb_payload(b, 8);
}

static void f_gre4(struct pb *b)
{
	pb_eth(b, ETH_P_IP);
	pb_ipv4(b, 47, V4A, V4B, 0, 0);
	pb_payload(b, 8);
}

static void f_frag4_first(struct pb *b)
{
	pb_eth(b, ETH_P_IP);
	pb_ipv4(b, IPPROTO_UDP, V4A, V4B, 0, 0x2000);
	pb_udp(b, 5353, 53);
	pb_payload(b, 16);
}

static void f_frag4_next(struct pb *b)
{
	pb_eth(b, ETH_P_IP);
	pb_ipv4(b, IPPROTO_UDP, V4A, V4B, 0, 0x2000 | 3);
	pb_payload(b, 24);
}

static void f_vlan_tcp4(struct pb *b)
{
	pb_eth(b, ETH_P_8021Q);
	pb_vlan(b, 100, ETH_P_IP);
	pb_ipv4(b, IPPROTO_TCP, V4A, V4B, 0, 0);
	pb_tcp(b, 40000, 80, 1, 2, TCP_ACK, 0);
}

static void f_qinq_udp6(struct pb *b)
{
	pb_eth(b, ETH_P_8021AD);
	pb_vlan(b, 10, ETH_P_8021Q);
	pb_vlan(b, 20, ETH_P_IPV6);
	pb_ipv6(b, IPPROTO_UDP, V6A, V6B);
	pb_udp(b, 5353, 53);
	pb_payload(b, 5);
}

static void f_tcp6(struct pb *b)
{
	pb_eth(b, ETH_P_IPV6);
	pb_ipv6(b, IPPROTO_TCP, V6A, V6B);
	pb_tcp(b, 40000, 443, 7, 0, TCP_SYN, 12);
}

static void f_icmp6(struct pb *b)
{
	pb_eth(b, ETH_P_IPV6);
	pb_ipv6(b, IPPROTO_ICMPV6, V6A, V6B);
	pb_icmp(b, 128);
}

/* hop-by-hop, destination options, routing, fragment (first), UDP. */
static void f_ext6_chain(struct pb *b)
{
	pb_eth(b, ETH_P_IPV6);
	pb_ipv6(b, IPPROTO_HOPOPTS, V6A, V6B);
	pb_ext6(b, IPPROTO_DSTOPTS, 8);
	pb_ext6(b, IPPROTO_ROUTING, 16);
	pb_ext6(b, IPPROTO_FRAGMENT, 24);
	pb_frag6(b, IPPROTO_UDP, 0, 1);
	pb_udp(b, 5353, 53);
	pb_payload(b, 4);
}

static void f_frag6_next(struct pb *b)
{
	pb_eth(b, ETH_P_IPV6);
	pb_ipv6(b, IPPROTO_DSTOPTS, V6A, V6B);
	pb_ext6(b, IPPROTO_FRAGMENT, 8);
	pb_frag6(b, IPPROTO_TCP, 1232, 0);
	pb_payload(b, 30);
}

static void f_arp(struct pb *b)
{
	pb_eth(b, ETH_P_ARP);
	pb_payload(b, 28);
}

static void f_three_tags(struct pb *b)
{
	pb_eth(b, ETH_P_8021AD);
	pb_vlan(b, 1, ETH_P_8021Q);
	pb_vlan(b, 2, ETH_P_8021Q);
	pb_vlan(b, 3, ETH_P_IP);
	pb_ipv4(b, IPPROTO_TCP, V4A, V4B, 0, 0);
	pb_tcp(b, 1, 2, 3, 4, TCP_ACK, 0);
}

/* EW_IPV6_EXT_MAX (6) destination-options headers, then one more. */
static void f_ext6_too_long(struct pb *b)
{
	pb_eth(b, ETH_P_IPV6);
	pb_ipv6(b, IPPROTO_DSTOPTS, V6A, V6B);
	for (int i = 0; i < 6; i++)
		pb_ext6(b, IPPROTO_DSTOPTS, 8);
	pb_ext6(b, IPPROTO_UDP, 8);
	pb_udp(b, 1, 2);
}

static void f_ipv4_ihl4(struct pb *b)
{
	f_tcp4(b);
	b->buf[14] = 0x44;
}

static void f_ipv4_ver6(struct pb *b)
{
	f_tcp4(b);
	b->buf[14] = 0x65;
}

static void f_ipv6_ver4(struct pb *b)
{
	f_tcp6(b);
	b->buf[14] = 0x40;
}

static void f_tcp_doff4(struct pb *b)
{
	f_tcp4(b);
	b->buf[14 + 20 + 12] = 0x40;
}

struct pcase {
	const char *name;
	void (*build)(struct pb *b);
	int stop;	/* counter the full frame moves besides RX and PASS */
	int cut;	/* well-formed: also run it cut at every length */
};

static const struct pcase cases[] = {
	{ "tcp4", f_tcp4, 0, 1 },
	{ "tcp4 ip+tcp options", f_tcp4_opts, 0, 1 },
	{ "udp4", f_udp4, 0, 1 },
	{ "icmp4", f_icmp4, 0, 1 },
	{ "gre4 (no L4 parser)", f_gre4, 0, 1 },
	{ "ipv4 first fragment", f_frag4_first, 0, 1 },
	{ "ipv4 non-first fragment", f_frag4_next, EW_C_FRAGMENT, 1 },
	{ "802.1Q tcp4", f_vlan_tcp4, 0, 1 },
	{ "802.1ad+802.1Q udp6", f_qinq_udp6, 0, 1 },
	{ "tcp6 options", f_tcp6, 0, 1 },
	{ "icmp6", f_icmp6, 0, 1 },
	{ "ipv6 hop+dst+rt+frag chain", f_ext6_chain, 0, 1 },
	{ "ipv6 non-first fragment", f_frag6_next, EW_C_FRAGMENT, 1 },
	{ "arp", f_arp, EW_C_NOT_IP, 1 },
	{ "three vlan tags", f_three_tags, EW_C_ERR_VLAN, 0 },
	{ "ipv6 ext chain too long", f_ext6_too_long, EW_C_ERR_IPV6_EXT, 0 },
	{ "ipv4 ihl 4", f_ipv4_ihl4, EW_C_ERR_IPV4, 0 },
	{ "ipv4 version 6", f_ipv4_ver6, EW_C_ERR_IPV4, 0 },
	{ "ipv6 version 4", f_ipv6_ver4, EW_C_ERR_IPV6, 0 },
	{ "tcp data offset 4", f_tcp_doff4, EW_C_ERR_TCP, 0 },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void build(struct pb *b, void (*f)(struct pb *))
{
	memset(b, 0, sizeof(*b));
	f(b);
	pb_finish(b);
}

/* ---- parser tests ------------------------------------------------------- */

static void parser_paths(void **state)
{
	struct pb b;

	(void)state;
	for (size_t i = 0; i < NCASES; i++) {
		build(&b, cases[i].build);
		if (cases[i].stop)
			CHECK(fx.skel, &b, XDP_PASS, cases[i].name, EW_C_PASS,
			      cases[i].stop);
		else
			CHECK(fx.skel, &b, XDP_PASS, cases[i].name, EW_C_PASS);
	}
}

/* Every well-formed frame cut at every length 14..len-1: passed, and
 * counted under the reason of the header the cut falls in. */
static void truncation_every_offset(void **state)
{
	struct pb b;
	int runs = 0;

	(void)state;
	for (size_t i = 0; i < NCASES; i++) {
		if (!cases[i].cut)
			continue;
		build(&b, cases[i].build);
		for (size_t len = 0; len < ETH_LEN; len++)
			assert_int_equal(xdp_run(fx.skel, b.buf, len), -EINVAL);
		for (size_t len = ETH_LEN; len < b.len; len++) {
			int why = pb_cut_error(&b, len, cases[i].stop);
			const int w[] = { EW_C_RX, EW_C_PASS, why };

			check(fx.skel, b.buf, len, XDP_PASS, w, why ? 3 : 2,
			      cases[i].name);
			runs++;
		}
	}
	print_message("%d cut frames\n", runs);
	assert_true(runs > 700);
}

/* The knob: with ew_malformed_verdict = XDP_DROP malformed frames are
 * dropped (and only counted by reason), well-formed ones still pass. */
static void malformed_verdict_drop(void **state)
{
	struct ew_xdp *s = load(XDP_DROP);
	struct pb b;

	(void)state;
	assert_non_null(s);
	build(&b, f_tcp_doff4);
	CHECK(s, &b, XDP_DROP, "doff 4, drop knob", EW_C_ERR_TCP);
	build(&b, f_tcp4);
	check(s, b.buf, 30, XDP_DROP, (const int[]){ EW_C_RX, EW_C_ERR_IPV4 },
	      2, "cut ipv4, drop knob");
	CHECK(s, &b, XDP_PASS, "tcp4, drop knob", EW_C_PASS);
	build(&b, f_frag4_next);
	CHECK(s, &b, XDP_PASS, "fragment is not malformed", EW_C_PASS,
	      EW_C_FRAGMENT);
	ew_xdp__destroy(s);
}

/* ---- blocked prefixes --------------------------------------------------- */

static void block4(const char *addr, __u32 plen, __u32 id, __u32 flags)
{
	struct ew_lpm4_key k = { .prefixlen = plen };
	struct ew_block_rule r = { .rule_id = id, .flags = flags };

	assert_int_equal(inet_pton(AF_INET, addr, k.addr), 1);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(fx.skel->maps.ew_block4_v1),
					     &k, &r, BPF_ANY), 0);
}

static void block6(const char *addr, __u32 plen, __u32 id, __u32 flags)
{
	struct ew_lpm6_key k = { .prefixlen = plen };
	struct ew_block_rule r = { .rule_id = id, .flags = flags };

	assert_int_equal(inet_pton(AF_INET6, addr, k.addr), 1);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(fx.skel->maps.ew_block6_v1),
					     &k, &r, BPF_ANY), 0);
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
static void expect_rule_drop(struct pb *b, __u32 id, const __u32 *ids, int n,
			     const char *what)
{
	__u64 before[8];

	for (int i = 0; i < n; i++)
		before[i] = rule_hits(fx.skel, ids[i]);
	CHECK(fx.skel, b, XDP_DROP, what, EW_C_DROP_PREFIX);
	for (int i = 0; i < n; i++)
		if (rule_hits(fx.skel, ids[i]) - before[i] != (ids[i] == id))
			fail_msg("%s: rule %u hits moved wrongly (want rule %u)",
				 what, ids[i], id);
}

static void lpm4_overlaps(void **state)
{
	const __u32 ids[] = { 8, 24, 32 };
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
	const __u32 ids[] = { 16, 48, 128 };
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
	CHECK(fx.skel, &b, XDP_DROP, "blocked non-first fragment",
	      EW_C_FRAGMENT, EW_C_DROP_PREFIX);
	tcp4_between(&b, "172.16.5.5", V4B);
	check(fx.skel, b.buf, b.len - 1, XDP_DROP,
	      (const int[]){ EW_C_RX, EW_C_ERR_TCP, EW_C_DROP_PREFIX }, 3,
	      "cut tcp from blocked src");
	block6(V6A, 128, 60, 0);
	build(&b, f_ext6_too_long);
	CHECK(fx.skel, &b, XDP_DROP, "long ext chain from blocked src",
	      EW_C_ERR_IPV6_EXT, EW_C_DROP_PREFIX);
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(fx.skel->maps.ew_block6_v1),
					     &(struct ew_lpm6_key){ 128, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }),
			 0);
}

/* ---- flow verdicts ------------------------------------------------------ */

/* The canonical key, written out by hand: lo pair first. */
static void key_v4(struct ew_flow_key *k, const char *lo, __u16 lport,
		   const char *hi, __u16 hport, __u8 proto)
{
	memset(k, 0, sizeof(*k));
	k->lo_addr[10] = k->lo_addr[11] = 0xff;
	k->hi_addr[10] = k->hi_addr[11] = 0xff;
	inet_pton(AF_INET, lo, &k->lo_addr[12]);
	inet_pton(AF_INET, hi, &k->hi_addr[12]);
	k->lo_port = htons(lport);
	k->hi_port = htons(hport);
	k->proto = proto;
	k->family = 4;
}

static void set_verdict(const struct ew_flow_key *k, __u8 action, __u64 expires,
			__u32 rule)
{
	struct ew_verdict v = { .expires_ns = expires, .rule_id = rule,
				.action = action };

	assert_int_equal(bpf_map_update_elem(bpf_map__fd(fx.skel->maps.ew_flows_v1),
					     k, &v, BPF_ANY), 0);
}

static void tcp4_flow(struct pb *b, const char *src, __u16 sport,
		      const char *dst, __u16 dport)
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
	key_v4(&k, "192.0.2.10", 40000, "192.0.2.20", 80, IPPROTO_TCP);
	set_verdict(&k, EW_ACT_BLOCK, 0, 500);
	hits = rule_hits(fx.skel, 500);
	tcp4_flow(&b, "192.0.2.10", 40000, "192.0.2.20", 80);
	CHECK(fx.skel, &b, XDP_DROP, "client to server", EW_C_DROP_FLOW);
	tcp4_flow(&b, "192.0.2.20", 80, "192.0.2.10", 40000);
	CHECK(fx.skel, &b, XDP_DROP, "server to client", EW_C_DROP_FLOW);
	assert_int_equal(rule_hits(fx.skel, 500) - hits, 2);
	tcp4_flow(&b, "192.0.2.10", 40001, "192.0.2.20", 80);
	CHECK(fx.skel, &b, XDP_PASS, "other port", EW_C_PASS);
	/* same address both ends: the lower port comes first */
	key_v4(&k, "192.0.2.30", 80, "192.0.2.30", 40000, IPPROTO_TCP);
	set_verdict(&k, EW_ACT_BLOCK, now_ns() + 60000000000ull, 501);
	tcp4_flow(&b, "192.0.2.30", 40000, "192.0.2.30", 80);
	CHECK(fx.skel, &b, XDP_DROP, "same address, live expiry", EW_C_DROP_FLOW);
}

static void flow_verdict_expired_or_not_block(void **state)
{
	struct ew_flow_key k;
	struct pb b;

	(void)state;
	key_v4(&k, "192.0.2.40", 1000, "192.0.2.50", 443, IPPROTO_TCP);
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
	struct ew_flow_key k = { .proto = IPPROTO_UDP, .family = 6 };
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
	CHECK(fx.skel, &b, XDP_PASS, "v6 non-first fragment", EW_C_PASS,
	      EW_C_FRAGMENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parser_paths),
		cmocka_unit_test(truncation_every_offset),
		cmocka_unit_test(malformed_verdict_drop),
		cmocka_unit_test(lpm4_overlaps),
		cmocka_unit_test(lpm6_overlaps),
		cmocka_unit_test(lpm_direction_flags),
		cmocka_unit_test(fragments_and_errors_vs_rules),
		cmocka_unit_test(flow_verdict_both_directions),
		cmocka_unit_test(flow_verdict_expired_or_not_block),
		cmocka_unit_test(flow_verdict_v6),
	};
	int rc;

	if (geteuid() != 0) {
		printf("test_xdp: skipped: BPF_PROG_TEST_RUN needs root\n");
		return 77;
	}
	fx.ncpu = libbpf_num_possible_cpus();
	fx.skel = load(XDP_PASS);
	if (fx.ncpu <= 0 || !fx.skel) {
		fprintf(stderr, "test_xdp: couldn't load build/ew_xdp.bpf.o: %s\n",
			strerror(errno));
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	ew_xdp__destroy(fx.skel);
	return rc;
}
