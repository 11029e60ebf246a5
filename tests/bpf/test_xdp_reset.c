// SPDX-License-Identifier: GPL-2.0
/* BPF_PROG_TEST_RUN tests of EW_ACT_RESET flows in ew_xdp_ingress: each TCP
 * packet of such a flow comes back as a reset to its sender (XDP_TX), with
 * the sequence number the sender expects; the frame out is checked byte by
 * byte, its checksums with a sum written here. Resets, fragments, IP options
 * and other protocols are only dropped. */
#include "bpf/xdp_harness.h"

#define RST 0x04
#define PSH 0x08
#define FIN 0x01

/* Runs b and returns the action; the frame out goes to out (*n bytes). */
static int run_out(const struct pb *b, __u8 *out, size_t *n)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = b->buf, .data_size_in = b->len,
		    .data_out = out, .data_size_out = PB_MAX, .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(fx.skel->progs.ew_xdp_ingress), &o),
			 0);
	*n = o.data_size_out;
	return (int)o.retval;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checks the reset in out (n bytes) answering in (the frame sent, its IP
 * header at l3): Ethernet and VLAN tags, IP, TCP, both checksums. */
static void expect_reset(const struct pb *in, const __u8 *out, size_t n, uint32_t seq,
			 uint32_t ack, uint8_t flags)
{
	size_t l3 = in->l3, iplen = in->ipver == 4 ? 20 : 40, l4 = l3 + iplen;
	const uint8_t *ip = out + l3, *t = out + l4, *iin = in->buf + l3;
	uint8_t ph[40] = {0};
	size_t alen = in->ipver == 4 ? 4 : 16, aoff = in->ipver == 4 ? 12 : 8;

	assert_int_equal(n, l4 + 20);
	assert_memory_equal(out, in->buf + 6, 6);		/* dst = the sender */
	assert_memory_equal(out + 6, in->buf, 6);
	assert_memory_equal(out + 12, in->buf + 12, l3 - 12); /* EtherType, tags */
	assert_memory_equal(ip + aoff, iin + aoff + alen, alen);
	assert_memory_equal(ip + aoff + alen, iin + aoff, alen);
	if (in->ipver == 4) {
		assert_int_equal(ip[0], 0x45);
		assert_int_equal(ip[2] << 8 | ip[3], 40);
		assert_int_equal(ip[8], 64);
		assert_int_equal(ip[9], IPPROTO_TCP);
		assert_int_equal(fold(sum16(ip, 20, 0)), 0xffff);
		memcpy(ph, ip + 12, 8);
		ph[9] = IPPROTO_TCP;
		ph[11] = 20;
	} else {
		assert_int_equal(ip[4] << 8 | ip[5], 20);
		assert_int_equal(ip[6], IPPROTO_TCP);
		assert_int_equal(ip[7], 64);
		memcpy(ph, ip + 8, 32);
		ph[35] = 20;
		ph[39] = IPPROTO_TCP;
	}
	assert_memory_equal(t, in->buf + l4 + 2, 2); /* ports swapped */
	assert_memory_equal(t + 2, in->buf + l4, 2);
	assert_int_equal(be32(t + 4), seq);
	assert_int_equal(be32(t + 8), ack);
	assert_int_equal(t[12], 5 << 4);
	assert_int_equal(t[13], flags);
	assert_int_equal(t[14] | t[15] | t[18] | t[19], 0); /* window, urgent */
	assert_int_equal(fold(sum16(t, 20, sum16(ph, in->ipver == 4 ? 12 : 40, 0))), 0xffff);
}

static void set_reset(const struct ew_flow_key *k)
{
	struct ew_verdict v = {.rule_id = 600, .action = EW_ACT_RESET};

	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(fx.skel->maps.ew_flows_v1), k, &v, BPF_ANY), 0);
}

static void tcp4(struct pb *b, uint32_t seq, uint32_t ack, uint8_t flags, size_t payload,
		 size_t ipopt)
{
	memset(b, 0, sizeof(*b));
	pb_eth(b, ETH_P_IP);
	pb_ipv4(b, IPPROTO_TCP, "192.0.2.10", "192.0.2.20", ipopt, 0);
	pb_tcp(b, 40000, 80, seq, ack, flags, 12);
	pb_payload(b, payload);
	pb_finish(b);
}

static void v4_acked_data_gets_reset_at_its_ack(void **state)
{
	struct ew_flow_key k;
	struct pb b;
	__u8 out[PB_MAX];
	size_t n;
	__u64 hits = rule_hits(fx.skel, 600);
	struct snap a, z;

	(void)state;
	pb_key_v4(&k, "192.0.2.10", 40000, "192.0.2.20", 80, IPPROTO_TCP);
	set_reset(&k);
	/* data with options (timestamps): the reset has none, seq = its ack */
	tcp4(&b, 1000, 0x89abcdef, TCP_ACK | PSH, 300, 0);
	snap_take(fx.skel, &a);
	assert_int_equal(run_out(&b, out, &n), XDP_TX);
	snap_take(fx.skel, &z);
	expect_reset(&b, out, n, 0x89abcdef, 0, RST);
	assert_int_equal(z.pk[EW_C_RESET_TX] - a.pk[EW_C_RESET_TX], 1);
	assert_int_equal(z.pk[EW_C_DROP_FLOW] - a.pk[EW_C_DROP_FLOW], 0);
	assert_int_equal(rule_hits(fx.skel, 600) - hits, 1);
	/* a bare SYN (no ACK): RST|ACK acknowledging it */
	tcp4(&b, 5000, 0, TCP_SYN, 0, 0);
	assert_int_equal(run_out(&b, out, &n), XDP_TX);
	expect_reset(&b, out, n, 0, 5001, RST | TCP_ACK);
	/* FIN with data, no ACK: seq + data + 1 */
	tcp4(&b, 7000, 0, FIN, 10, 0);
	assert_int_equal(run_out(&b, out, &n), XDP_TX);
	expect_reset(&b, out, n, 0, 7011, RST | TCP_ACK);
}

static void v4_no_reset_for_resets_or_options(void **state)
{
	struct pb b;

	(void)state;
	/* the flow of the test above: its verdict stays */
	tcp4(&b, 1000, 2000, RST | TCP_ACK, 0, 0);
	CHECK(fx.skel, &b, XDP_DROP, "a reset is not answered", EW_C_DROP_FLOW);
	tcp4(&b, 1000, 2000, TCP_ACK, 50, 8);
	CHECK(fx.skel, &b, XDP_DROP, "IPv4 options: dropped only", EW_C_DROP_FLOW);
}

static void v6_vlan_reverse_direction(void **state)
{
	struct ew_flow_key k = {.proto = IPPROTO_TCP, .family = 6};
	struct pb b = {0};
	__u8 out[PB_MAX];
	size_t n;

	(void)state;
	inet_pton(AF_INET6, "fd00::10", k.lo_addr);
	inet_pton(AF_INET6, "fd00::20", k.hi_addr);
	k.lo_port = htons(443);
	k.hi_port = htons(50000);
	set_reset(&k);
	/* the server's retransmission, in a VLAN: the reset goes back to the
	 * server, in the same VLAN, at the sequence number it waits for */
	pb_eth(&b, ETH_P_8021Q);
	pb_vlan(&b, 42, ETH_P_IPV6);
	pb_ipv6(&b, IPPROTO_TCP, "fd00::20", "fd00::10");
	pb_tcp(&b, 50000, 443, 0xfffffff0, 77, TCP_ACK | PSH, 0);
	pb_payload(&b, 1200);
	pb_finish(&b);
	assert_int_equal(run_out(&b, out, &n), XDP_TX);
	expect_reset(&b, out, n, 77, 0, RST);
	/* a UDP packet of a reset verdict: dropped, nothing sent */
	memset(&b, 0, sizeof(b));
	k.proto = IPPROTO_UDP;
	set_reset(&k);
	pb_eth(&b, ETH_P_IPV6);
	pb_ipv6(&b, IPPROTO_UDP, "fd00::10", "fd00::20");
	pb_udp(&b, 443, 50000);
	pb_payload(&b, 30);
	pb_finish(&b);
	CHECK(fx.skel, &b, XDP_DROP, "UDP of a reset verdict", EW_C_DROP_FLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v4_acked_data_gets_reset_at_its_ack),
		cmocka_unit_test(v4_no_reset_for_resets_or_options),
		cmocka_unit_test(v6_vlan_reverse_direction),
	};

	return xdp_harness_main("test_xdp_reset", tests, sizeof(tests) / sizeof(tests[0]));
}
