// SPDX-License-Identifier: GPL-2.0
/* packet: every link type, VLAN/QinQ, PPPoE, tunnels, IPv6 extension
 * chains, TCP options; every frame truncated at every length gives an
 * error naming the packet and offset, never a crash (ASan build). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "unit/reasm_util.h"

static const uint8_t v4_cli[16] = {[10] = 0xff, [11] = 0xff, 10, 0, 0, 1};
static const uint8_t v4_srv[16] = {[10] = 0xff, [11] = 0xff, 10, 0, 0, 2};

/* A TCP segment from the server with a timestamp option and "payload". */
static size_t inner_v4(uint8_t *f)
{
	return build_v4(f, 6, SRV_IP, CLI_IP, SRV_PORT, CLI_PORT, 0xdeadbeef, 77, PKT_ACK | PKT_PSH,
			4242, "payload", 7);
}

static void check_tcp(const struct pkt *p, uint16_t vlan)
{
	assert_int_equal(p->flags, PKT_F_L4 | PKT_F_TS);
	assert_int_equal(p->family, 4);
	assert_int_equal(p->proto, 6);
	assert_memory_equal(p->src, v4_srv, 16);
	assert_memory_equal(p->dst, v4_cli, 16);
	assert_int_equal(p->sport, SRV_PORT);
	assert_int_equal(p->dport, CLI_PORT);
	assert_int_equal(p->seq, 0xdeadbeef);
	assert_int_equal(p->ack, 77);
	assert_int_equal(p->tcp_flags, PKT_ACK | PKT_PSH);
	assert_int_equal(p->win, 65535);
	assert_int_equal(p->tsval, 4242);
	assert_int_equal(p->tsecr, 4242);
	assert_int_equal(p->len, 7);
	assert_memory_equal(p->payload, "payload", 7);
	assert_int_equal(p->vlan, vlan);
	/* canonical key: 10.0.0.1:40000 is the lower side */
	assert_memory_equal(p->key.lo_addr, v4_cli, 16);
	assert_memory_equal(p->key.hi_addr, v4_srv, 16);
	assert_int_equal(ntohs(p->key.lo_port), CLI_PORT);
	assert_int_equal(ntohs(p->key.hi_port), SRV_PORT);
	assert_int_equal(p->key.proto, 6);
	assert_int_equal(p->key.family, 4);
	assert_int_equal(p->key.pad[0] | p->key.pad[1], 0);
}

/* Every shorter capture of the frame must fail cleanly. */
static void check_truncations(int lt, const uint8_t *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t *copy = malloc(i ? i : 1); /* exact size: ASan sees overreads */
		struct pkt p;
		struct pkt_err e = {0};

		if (i)
			memcpy(copy, f, i);
		assert_true(packet_decode(lt, copy, i, 5, 0, &p, &e) < 0);
		assert_int_equal(e.num, 5);
		assert_true(e.off <= i);
		assert_true(strncmp(e.msg, "packet 5, offset ", 17) == 0);
		free(copy);
	}
}

static void decode_ok(int lt, const uint8_t *f, size_t n, uint16_t vlan)
{
	struct pkt p;
	struct pkt_err e;

	assert_int_equal(packet_decode(lt, f, n, 1, 123, &p, &e), 0);
	assert_int_equal(p.ts_ns, 123);
	assert_int_equal(p.num, 1);
	check_tcp(&p, vlan);
	check_truncations(lt, f, n);
}

/* Puts hdr (hl bytes) in front of the inner IPv4 segment. */
static size_t wrap(uint8_t *f, const uint8_t *hdr, size_t hl)
{
	if (hl)
		memcpy(f, hdr, hl);
	return hl + inner_v4(f + hl);
}

#define ETH(type) 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, (type) >> 8, (type)&0xff

static void ethernet(void **state)
{
	static const uint8_t h[] = {ETH(0x0800)};
	uint8_t f[1700];

	(void)state;
	decode_ok(PKT_LINK_EN10MB, f, wrap(f, h, sizeof(h)), 0);
}

static void vlan_and_qinq(void **state)
{
	static const uint8_t q[] = {ETH(0x8100), 0x20, 0x64, 0x08, 0x00};
	static const uint8_t qinq[] = {ETH(0x88a8), 0x00, 0x0a, 0x81, 0x00, 0x00, 0x14, 0x08, 0x00};
	static const uint8_t three[] = {ETH(0x88a8), 0, 1, 0x81, 0,    0,   2,
					0x81,	     0, 0, 3,	 0x08, 0x00};
	uint8_t f[1700];
	struct pkt p;
	struct pkt_err e;

	(void)state;
	decode_ok(PKT_LINK_EN10MB, f, wrap(f, q, sizeof(q)), 100);
	decode_ok(PKT_LINK_EN10MB, f, wrap(f, qinq, sizeof(qinq)), 10);
	assert_int_equal(
		packet_decode(PKT_LINK_EN10MB, f, wrap(f, three, sizeof(three)), 3, 0, &p, &e),
		-EINVAL);
	assert_string_equal(e.msg, "packet 3, offset 22: truncated or too many VLAN tags");
}

static void pppoe(void **state)
{
	static const uint8_t two[] = {ETH(0x8864), 0x11, 0, 0, 0x2d, 0, 0x3d, 0, 0x21};
	static const uint8_t one[] = {ETH(0x8864), 0x11, 0, 0, 0x2d, 0, 0x3d, 0x21};
	static const uint8_t lcp[] = {ETH(0x8864), 0x11, 0, 0, 0x2d, 0, 0x3d, 0xc0, 0x21};
	uint8_t f[1700];
	struct pkt p;
	struct pkt_err e;

	(void)state;
	decode_ok(PKT_LINK_EN10MB, f, wrap(f, two, sizeof(two)), 0);
	decode_ok(PKT_LINK_EN10MB, f, wrap(f, one, sizeof(one)), 0);
	assert_int_equal(packet_decode(PKT_LINK_EN10MB, f, wrap(f, lcp, sizeof(lcp)), 4, 0, &p, &e),
			 -ENOENT);
	assert_int_equal(e.reason, PKT_E_NOT_IP);
}

static void linux_cooked(void **state)
{
	static const uint8_t sll[] = {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0};
	static const uint8_t sll2[] = {0x08, 0, 0, 0, 0, 0, 0, 2, 0, 1,
				       0,    6, 1, 2, 3, 4, 5, 6, 0, 0};
	uint8_t f[1700];

	(void)state;
	decode_ok(PKT_LINK_LINUX_SLL, f, wrap(f, sll, sizeof(sll)), 0);
	decode_ok(PKT_LINK_LINUX_SLL2, f, wrap(f, sll2, sizeof(sll2)), 0);
}

static void raw_and_loopback(void **state)
{
	static const uint8_t null_le[] = {2, 0, 0, 0};
	static const uint8_t loop_be[] = {0, 0, 0, 2};
	uint8_t f[1700];

	(void)state;
	decode_ok(PKT_LINK_RAW, f, wrap(f, NULL, 0), 0);
	decode_ok(PKT_LINK_IPV4, f, wrap(f, NULL, 0), 0);
	decode_ok(PKT_LINK_NULL, f, wrap(f, null_le, 4), 0);
	decode_ok(PKT_LINK_LOOP, f, wrap(f, loop_be, 4), 0);
}

static void gre_tunnels(void **state)
{
	/* outer IPv4 (proto 47) + GRE with a key, carrying IPv4 */
	uint8_t gre_ip[] = {ETH(0x0800), 0x45, 0, 0,	0,   0, 0, 0,	0,   64,
			    47,		 0,    0, 192,	168, 0, 1, 192, 168, 0,
			    2,		 0x20, 0, 0x08, 0,   0, 0, 0,	7};
	/* ... and GRE transparent Ethernet bridging with a VLAN tag inside */
	uint8_t gre_eth[] = {0x45, 0, 0,    0,	  0,	       0, 0,   0,    64, 47,
			     0,	   0, 192,  168,  0,	       1, 192, 168,  0,	 2,
			     0,	   0, 0x65, 0x58, ETH(0x8100), 0, 9,   0x08, 0};
	uint8_t f[1700];
	size_t n;

	(void)state;
	n = wrap(f, gre_ip, sizeof(gre_ip));
	put16(f + 16, (unsigned)(n - 14));
	decode_ok(PKT_LINK_EN10MB, f, n, 0);
	n = wrap(f, gre_eth, sizeof(gre_eth));
	put16(f + 2, (unsigned)n);
	decode_ok(PKT_LINK_RAW, f, n, 9);
}

static void unsupported(void **state)
{
	static const uint8_t arp[] = {ETH(0x0806), 0, 1, 8, 0, 6, 4, 0, 1};
	struct pkt p;
	struct pkt_err e;

	(void)state;
	assert_int_equal(packet_decode(147, arp, sizeof(arp), 2, 0, &p, &e), -ENOTSUP);
	assert_string_equal(e.msg, "packet 2, offset 0: unsupported link type");
	assert_int_equal(packet_decode(PKT_LINK_EN10MB, arp, sizeof(arp), 2, 0, &p, &e), -ENOENT);
	assert_string_equal(e.msg, "packet 2, offset 12: not IPv4 or IPv6");
	assert_string_equal(packet_reason_str(PKT_E_TCP), "bad or truncated TCP header");
}

static void tcp_header_errors(void **state)
{
	uint8_t f[1700];
	size_t n = inner_v4(f);
	struct pkt p;
	struct pkt_err e;

	(void)state;
	f[32] = 0x40; /* data offset 16 bytes: below the minimum */
	assert_int_equal(packet_decode(PKT_LINK_RAW, f, n, 8, 0, &p, &e), -EINVAL);
	assert_string_equal(e.msg, "packet 8, offset 20: bad or truncated TCP header");
	n = inner_v4(f);
	f[0] = 0x44; /* IHL 4 */
	assert_int_equal(packet_decode(PKT_LINK_RAW, f, n, 9, 0, &p, &e), -EINVAL);
	assert_string_equal(e.msg, "packet 9, offset 0: bad or truncated IPv4 header");
	n = inner_v4(f);
	f[6] = 0x20; /* more fragments */
	assert_int_equal(packet_decode(PKT_LINK_RAW, f, n, 9, 0, &p, &e), 0);
	assert_int_equal(p.flags, PKT_F_FRAG);
	assert_int_equal(p.l3_len, n);
}

/* IPv6 2001:db8::2 -> 2001:db8::1 with extension headers exts (next-header
 * numbers, each 8 bytes; 51 is a 12-byte AH; 44 a fragment header with
 * frag_field as offset/M), then a TCP segment carrying "v6". */
static size_t build_v6(uint8_t *f, const uint8_t *exts, int n, uint16_t frag_field)
{
	size_t pos = 40;
	uint8_t *nh = f + 6;

	memset(f, 0, 40);
	f[0] = 0x60;
	f[7] = 64;
	f[8] = 0x20, f[9] = 0x01, f[10] = 0x0d, f[11] = 0xb8, f[23] = 2;
	f[24] = 0x20, f[25] = 0x01, f[26] = 0x0d, f[27] = 0xb8, f[39] = 1;
	for (int i = 0; i < n; i++) {
		size_t hl = exts[i] == 51 ? 12 : 8;

		*nh = exts[i];
		memset(f + pos, 0, hl);
		f[pos + 1] = exts[i] == 51 ? 1 : 0;
		if (exts[i] == 44)
			put16(f + pos + 2, frag_field);
		nh = f + pos;
		pos += hl;
	}
	*nh = 6;
	memset(f + pos, 0, 20);
	put16(f + pos, 443);
	put16(f + pos + 2, 50000);
	put32(f + pos + 4, 1);
	f[pos + 12] = 0x50;
	f[pos + 13] = PKT_ACK;
	memcpy(f + pos + 20, "v6", 2);
	pos += 22;
	put16(f + 4, (unsigned)(pos - 40));
	return pos;
}

static void ipv6_extension_chains(void **state)
{
	static const uint8_t chain[] = {0, 60, 43, 51, 44};
	static const uint8_t nine[] = {60, 60, 60, 60, 60, 60, 60, 60, 60};
	uint8_t f[1700];
	size_t n = build_v6(f, chain, 5, 0); /* an atomic fragment header */
	struct pkt p;
	struct pkt_err e;

	(void)state;
	assert_int_equal(packet_decode(PKT_LINK_IPV6, f, n, 1, 0, &p, &e), 0);
	assert_int_equal(p.flags, PKT_F_L4);
	assert_int_equal(p.family, 6);
	assert_int_equal(p.sport, 443);
	assert_int_equal(p.len, 2);
	assert_memory_equal(p.payload, "v6", 2);
	assert_int_equal(p.key.lo_addr[15], 1); /* 2001:db8::1 is lower */
	assert_int_equal(ntohs(p.key.lo_port), 50000);
	assert_int_equal(p.key.family, 6);
	check_truncations(PKT_LINK_IPV6, f, n);

	n = build_v6(f, nine, 9, 0);
	assert_int_equal(packet_decode(PKT_LINK_RAW, f, n, 2, 0, &p, &e), -EINVAL);
	assert_string_equal(e.msg, "packet 2, offset 104: bad, truncated or too many "
				   "IPv6 extension headers");

	n = build_v6(f, chain, 5, 0x0001); /* M set: a real fragment */
	assert_int_equal(packet_decode(PKT_LINK_RAW, f, n, 3, 0, &p, &e), 0);
	assert_int_equal(p.flags, PKT_F_FRAG);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.l3_len, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ethernet),
		cmocka_unit_test(vlan_and_qinq),
		cmocka_unit_test(pppoe),
		cmocka_unit_test(linux_cooked),
		cmocka_unit_test(raw_and_loopback),
		cmocka_unit_test(gre_tunnels),
		cmocka_unit_test(unsupported),
		cmocka_unit_test(tcp_header_errors),
		cmocka_unit_test(ipv6_extension_chains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
