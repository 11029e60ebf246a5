// SPDX-License-Identifier: GPL-2.0
/* bpf/lib/parse.h compiled for the host and run under ASan: every frame is
 * parsed from a heap buffer of exactly its length, cut at every length
 * including 0..13 (which BPF_PROG_TEST_RUN refuses), so any read past the
 * end is caught; the fields of struct ew_pkt are checked exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include <linux/if_ether.h>

#include "bpf/pktbuild.h" /* glibc's netinet/in.h before linux/in.h */

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wpointer-arith"
#include "../../bpf/lib/parse.h"
#pragma GCC diagnostic pop

/* Parses the first len bytes of b from a heap copy that ends exactly
 * where the cut does; 2 bytes in front align the IP header as the kernel
 * does (NET_IP_ALIGN). */
static int parse_cut(const struct pb *b, size_t len, struct ew_pkt *p)
{
	__u8 *copy = malloc(len + 2);
	int why;

	assert_non_null(copy);
	memcpy(copy + 2, b->buf, len);
	memset(p, 0, sizeof(*p));
	why = ew_parse(copy + 2, copy + 2 + len, p);
	free(copy);
	return why;
}

/* Every cut of b: the reason of the header the cut falls in. */
static void cut_everywhere(const struct pb *b, int full)
{
	struct ew_pkt p;

	for (size_t len = 0; len <= b->len; len++) {
		int why = parse_cut(b, len, &p);
		int want = pb_cut_error(b, len, full);

		if (why != want)
			fail_msg("cut at %zu of %zu: reason %d, want %d", len, b->len, why, want);
	}
}

static void tcp4_fields(void **state)
{
	struct pb b = {0};
	struct ew_pkt p;
	const __u8 src[16] = {[10] = 0xff, 0xff, 192, 0, 2, 1};
	const __u8 dst[16] = {[10] = 0xff, 0xff, 198, 51, 100, 2};

	(void)state;
	pb_eth(&b, ETH_P_8021AD);
	pb_vlan(&b, 5, ETH_P_8021Q);
	pb_vlan(&b, 6, ETH_P_IP);
	pb_ipv4(&b, IPPROTO_TCP, "192.0.2.1", "198.51.100.2", 8, 0);
	pb_tcp(&b, 1234, 80, 0xdeadbeef, 0x01020304, 0x18, 12);
	pb_payload(&b, 33);
	pb_finish(&b);
	assert_int_equal(parse_cut(&b, b.len, &p), 0);
	assert_memory_equal(p.src, src, 16);
	assert_memory_equal(p.dst, dst, 16);
	assert_int_equal(ntohs(p.sport), 1234);
	assert_int_equal(ntohs(p.dport), 80);
	assert_int_equal(p.seq, 0xdeadbeef);
	assert_int_equal(p.ack, 0x01020304);
	assert_int_equal(p.tcp_flags, 0x18);
	assert_int_equal(p.l3_off, 22);
	assert_int_equal(p.l4_off, 50);
	assert_int_equal(p.payload_off, 82);
	assert_int_equal(p.ip_end, b.len);
	assert_int_equal(p.proto, IPPROTO_TCP);
	assert_int_equal(p.family, 4);
	assert_int_equal(p.frag, 0);
	cut_everywhere(&b, 0);
}

static void udp6_chain_fields(void **state)
{
	struct pb b = {0};
	struct ew_pkt p;
	__u8 src[16], dst[16];

	(void)state;
	pb_eth(&b, ETH_P_IPV6);
	pb_ipv6(&b, IPPROTO_HOPOPTS, "2001:db8::a", "2001:db8::b");
	pb_ext6(&b, IPPROTO_ROUTING, 8);
	pb_ext6(&b, IPPROTO_FRAGMENT, 32);
	pb_frag6(&b, IPPROTO_DSTOPTS, 0, 1);
	pb_ext6(&b, IPPROTO_UDP, 16);
	pb_udp(&b, 5353, 53);
	pb_payload(&b, 7);
	pb_finish(&b);
	inet_pton(AF_INET6, "2001:db8::a", src);
	inet_pton(AF_INET6, "2001:db8::b", dst);
	assert_int_equal(parse_cut(&b, b.len, &p), 0);
	assert_memory_equal(p.src, src, 16);
	assert_memory_equal(p.dst, dst, 16);
	assert_int_equal(ntohs(p.sport), 5353);
	assert_int_equal(ntohs(p.dport), 53);
	assert_int_equal(p.l3_off, 14);
	assert_int_equal(p.l4_off, 14 + 40 + 8 + 32 + 8 + 16);
	assert_int_equal(p.payload_off, p.l4_off + 8);
	assert_int_equal(p.ip_end, b.len);
	assert_int_equal(p.family, 6);
	cut_everywhere(&b, 0);
}

static void fragments_and_others(void **state)
{
	struct pb b = {0};
	struct ew_pkt p;

	(void)state;
	pb_eth(&b, ETH_P_IP);
	pb_ipv4(&b, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 0, 0x0001);
	pb_payload(&b, 20);
	pb_finish(&b);
	assert_int_equal(parse_cut(&b, b.len, &p), EW_C_FRAGMENT);
	assert_int_equal(p.family, 4);
	assert_int_equal(p.frag, 1);
	cut_everywhere(&b, EW_C_FRAGMENT);

	memset(&b, 0, sizeof(b));
	pb_eth(&b, ETH_P_IPV6);
	pb_ipv6(&b, IPPROTO_FRAGMENT, "fd00::1", "fd00::2");
	pb_frag6(&b, IPPROTO_TCP, 8, 1);
	pb_payload(&b, 20);
	pb_finish(&b);
	assert_int_equal(parse_cut(&b, b.len, &p), EW_C_FRAGMENT);
	cut_everywhere(&b, EW_C_FRAGMENT);

	memset(&b, 0, sizeof(b));
	pb_eth(&b, ETH_P_IPV6);
	pb_ipv6(&b, IPPROTO_ICMPV6, "fd00::1", "fd00::2");
	pb_icmp(&b, 128);
	pb_finish(&b);
	assert_int_equal(parse_cut(&b, b.len, &p), 0);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.payload_off, 14 + 40 + 8);
	cut_everywhere(&b, 0);

	memset(&b, 0, sizeof(b));
	pb_eth(&b, ETH_P_8021Q);
	pb_vlan(&b, 1, ETH_P_8021Q);
	pb_vlan(&b, 2, ETH_P_8021Q);
	pb_vlan(&b, 3, ETH_P_IP);
	assert_int_equal(parse_cut(&b, b.len, &p), EW_C_ERR_VLAN);
	assert_int_equal(p.family, 0);
}

/* Random bytes after a valid Ethernet + IPv6 header never read past the
 * end (ASan would abort) and always give a defined reason. */
static void random_tails(void **state)
{
	struct pb b;
	struct ew_pkt p;
	unsigned int seed = 12345;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		memset(&b, 0, sizeof(b));
		pb_eth(&b, round % 2 ? ETH_P_IPV6 : ETH_P_IP);
		for (int i = 0; i < 120; i++)
			b.buf[b.len++] = (__u8)rand_r(&seed);
		if (round % 2)
			b.buf[14] = 0x60;
		else
			b.buf[14] = 0x45;
		for (size_t len = 14; len <= b.len; len += 7) {
			int why = parse_cut(&b, len, &p);

			assert_true(why == 0 || why == EW_C_FRAGMENT || ew_parse_is_error(why));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tcp4_fields),
		cmocka_unit_test(udp6_chain_fields),
		cmocka_unit_test(fragments_and_others),
		cmocka_unit_test(random_tails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
