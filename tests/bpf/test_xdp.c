// SPDX-License-Identifier: GPL-2.0
/* BPF_PROG_TEST_RUN tests of the parsers in ew_xdp_ingress
 * (bpf/ew_xdp.bpf.c): crafted frames through every parser path and cut at
 * every length; each run asserts the action and every counter's delta. */
#include "bpf/xdp_harness.h"

/* ---- frames ------------------------------------------------------------- */

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
	int stop; /* counter the full frame moves besides RX and PASS */
	int cut;  /* well-formed: also run it cut at every length */
};

static const struct pcase cases[] = {
	{"tcp4", f_tcp4, 0, 1},
	{"tcp4 ip+tcp options", f_tcp4_opts, 0, 1},
	{"udp4", f_udp4, 0, 1},
	{"icmp4", f_icmp4, 0, 1},
	{"gre4 (no L4 parser)", f_gre4, 0, 1},
	{"ipv4 first fragment", f_frag4_first, 0, 1},
	{"ipv4 non-first fragment", f_frag4_next, EW_C_FRAGMENT, 1},
	{"802.1Q tcp4", f_vlan_tcp4, 0, 1},
	{"802.1ad+802.1Q udp6", f_qinq_udp6, 0, 1},
	{"tcp6 options", f_tcp6, 0, 1},
	{"icmp6", f_icmp6, 0, 1},
	{"ipv6 hop+dst+rt+frag chain", f_ext6_chain, 0, 1},
	{"ipv6 non-first fragment", f_frag6_next, EW_C_FRAGMENT, 1},
	{"arp", f_arp, EW_C_NOT_IP, 1},
	{"three vlan tags", f_three_tags, EW_C_ERR_VLAN, 0},
	{"ipv6 ext chain too long", f_ext6_too_long, EW_C_ERR_IPV6_EXT, 0},
	{"ipv4 ihl 4", f_ipv4_ihl4, EW_C_ERR_IPV4, 0},
	{"ipv4 version 6", f_ipv4_ver6, EW_C_ERR_IPV4, 0},
	{"ipv6 version 4", f_ipv6_ver4, EW_C_ERR_IPV6, 0},
	{"tcp data offset 4", f_tcp_doff4, EW_C_ERR_TCP, 0},
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
			CHECK(fx.skel, &b, XDP_PASS, cases[i].name, EW_C_PASS, cases[i].stop);
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
			const int w[] = {EW_C_RX, EW_C_PASS, why};

			check(fx.skel, b.buf, len, XDP_PASS, w, why ? 3 : 2, cases[i].name);
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
	check(s, b.buf, 30, XDP_DROP, (const int[]){EW_C_RX, EW_C_ERR_IPV4}, 2,
	      "cut ipv4, drop knob");
	CHECK(s, &b, XDP_PASS, "tcp4, drop knob", EW_C_PASS);
	build(&b, f_frag4_next);
	CHECK(s, &b, XDP_PASS, "fragment is not malformed", EW_C_PASS, EW_C_FRAGMENT);
	ew_xdp__destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parser_paths),
		cmocka_unit_test(truncation_every_offset),
		cmocka_unit_test(malformed_verdict_drop),
	};

	return xdp_harness_main("test_xdp", tests, sizeof(tests) / sizeof(tests[0]));
}
