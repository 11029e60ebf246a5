// SPDX-License-Identifier: GPL-2.0
/* ew_tc_ingress with the policy's tags (bpf/lib/tags.h): a new flow is
 * tagged or steered only when one class holds its port, its client and
 * its server; nested client prefixes carry the union of their classes;
 * IPv6 clients too; any-port entries; a port the policy steers
 * (EW_PORT_LIMITED) against a floor inline port (every flow while a set
 * is in use, none without); no set in use: nothing limited is tagged, as
 * before policies; a flip to the other set changes the answers at once.
 * Each case runs truncated at every length from its IP header on too:
 * nothing is tagged until the headers are whole. */
#include <arpa/inet.h>

#include "bpf/tc_harness.h"

#define STEER_PORT 8080 /* a port the policy steers */
#define FLOOR_PORT 9090 /* an inline port of the config (every flow) */

static void tagsel(__u32 idx, __u32 a, __u32 b)
{
	struct ew_tagsel v = {a, b};

	assert_int_equal(bpf_map_update_elem(bpf_map__fd(fx.skel->maps.ew_tagsel_v1), &idx, &v,
					     BPF_ANY),
			 0);
}

static void tagport(__u8 set, __u8 proto, __u16 port, __u32 mirror, __u32 steer, __u16 budget)
{
	struct ew_tagport_key k = {.port = htons(port), .proto = proto, .set = set};
	struct ew_tagport v = {.mirror = mirror, .steer = steer, .budget = budget};

	assert_int_equal(bpf_map_update_elem(bpf_map__fd(fx.skel->maps.ew_tagport_v1), &k, &v,
					     BPF_ANY),
			 0);
}

/* A prefix of addr (IPv4 as mapped, len in its own family's bits). */
static void tagpfx(struct bpf_map *m, __u8 set, const char *addr, unsigned len, __u32 classes)
{
	struct ew_tagpfx_key k = {.set = set};

	if (strchr(addr, ':')) {
		assert_int_equal(inet_pton(AF_INET6, addr, k.addr), 1);
		k.prefixlen = 8 + len;
	} else {
		k.addr[10] = k.addr[11] = 0xff;
		assert_int_equal(inet_pton(AF_INET, addr, k.addr + 12), 1);
		k.prefixlen = 8 + 96 + len;
	}
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(m), &k, &classes, BPF_ANY), 0);
}

static void frame(struct pb *b, const char *src, __u16 sport, const char *dst, __u16 dport,
		  __u8 proto)
{
	int v6 = strchr(src, ':') != NULL;

	memset(b, 0, sizeof(*b));
	pb_eth(b, v6 ? ETH_P_IPV6 : ETH_P_IP);
	if (v6)
		pb_ipv6(b, proto, src, dst);
	else
		pb_ipv4(b, proto, src, dst, 0, 0);
	if (proto == IPPROTO_TCP)
		pb_tcp(b, sport, dport, 7, 0, TCP_SYN, 0);
	else
		pb_udp(b, sport, dport);
	pb_payload(b, 8);
	pb_finish(b);
}

/* Runs b cut at every length (never tagged or steered), then whole:
 * tagged (and so mirrored) or not, and steered (to no listener) or not. */
static void expect(const char *what, const struct pb *b, int tagged, int steered)
{
	__u64 s0 = counter(EW_C_TC_STEER_NO_LISTENER);

	print_message("%s\n", what);
	/* shorter than the IP header, the kernel refuses the skb; the last 8
	 * bytes are payload */
	for (size_t len = b->l3 + (b->ipver == 4 ? 20 : 40); len < b->len - 8; len++) {
		struct pb cut = *b;

		cut.len = len;
		run(&cut, 0, 0, 0, 0);
	}
	assert_int_equal(counter(EW_C_TC_STEER_NO_LISTENER), s0);
	run(b, tagged, tagged && !steered, 0, 0);
	assert_int_equal(counter(EW_C_TC_STEER_NO_LISTENER) - s0, steered);
	drain();
}

/* Set s: class 0 (clients 10.1/16 and 2001:db8:1::/48, mirrored on
 * tcp/80), class 2 (clients 10.1.2/24 only, mirrored on tcp/81), class 1
 * (any client, servers 192.0.2/24, steered on STEER_PORT), class 3
 * (clients 10.9/16, any UDP port, 16 packets). */
static void set_zero(void)
{
	tagport(0, IPPROTO_TCP, 80, 1u << 0, 0, EW_MIRROR_ALL);
	tagport(0, IPPROTO_TCP, 81, 1u << 2, 0, EW_MIRROR_ALL);
	tagport(0, IPPROTO_TCP, STEER_PORT, 0, 1u << 1, 0);
	tagport(0, IPPROTO_UDP, 0, 1u << 3, 0, 16);
	tagpfx(fx.skel->maps.ew_tagcli_v1, 0, "10.1.0.0", 16, 1u << 0);
	tagpfx(fx.skel->maps.ew_tagcli_v1, 0, "10.1.2.0", 24, 1u << 0 | 1u << 2);
	tagpfx(fx.skel->maps.ew_tagcli_v1, 0, "2001:db8:1::", 48, 1u << 0);
	tagpfx(fx.skel->maps.ew_tagcli_v1, 0, "10.9.0.0", 16, 1u << 3);
	tagpfx(fx.skel->maps.ew_tagsrv_v1, 0, "192.0.2.0", 24, 1u << 1);
	tagsel(1, 1u << 1, 1u << 0 | 1u << 2 | 1u << 3); /* any client: 1; any server: 0, 2, 3 */
}

static int tags_setup(void **state)
{
	setup(state);
	set_config_steer(now_ns(), 0, EW_STEER_ON | EW_STEER_ACCEPT); /* no EW_STEER_ALL */
	set_port_flags(80, IPPROTO_TCP, 0, EW_MIRROR_ALL, EW_PORT_LIMITED);
	set_port_flags(STEER_PORT, IPPROTO_TCP, 0, 0, EW_PORT_INLINE | EW_PORT_LIMITED);
	set_port_flags(FLOOR_PORT, IPPROTO_TCP, 0, 0, EW_PORT_INLINE);
	set_zero();
	return 0;
}

/* One flow and what should become of it. */
struct tcase {
	const char *what, *src;
	__u16 sport;
	const char *dst;
	__u16 dport;
	__u8 proto;
	int tagged, steered;
};

static void run_cases(const struct tcase *c, size_t n)
{
	struct pb b;

	for (size_t i = 0; i < n; i++) {
		frame(&b, c[i].src, c[i].sport, c[i].dst, c[i].dport, c[i].proto);
		expect(c[i].what, &b, c[i].tagged, c[i].steered);
	}
}

#define TCP IPPROTO_TCP
#define UDP IPPROTO_UDP
#define RUN_CASES(c) run_cases(c, sizeof(c) / sizeof(c[0]))

static void no_set_in_use(void **state)
{
	static const struct tcase c[] = {
		{"a limited port without a set: not tagged", "10.1.5.5", 40000, "198.51.100.1",
		 80, TCP, 0, 0},
		{"a port the policy steers, without a set: not steered", "10.1.5.5", 40001,
		 "192.0.2.7", STEER_PORT, TCP, 0, 0},
		{"a floor inline port without a set or EW_STEER_ALL: not steered", "10.1.5.5",
		 40002, "192.0.2.7", FLOOR_PORT, TCP, 0, 0},
	};

	(void)state;
	tagsel(0, 0, 0);
	RUN_CASES(c);
}

static void classes(void **state)
{
	static const struct tcase c[] = {
		{"a minor to port 80: tagged", "10.1.5.5", 40010, "198.51.100.1", 80, TCP, 1, 0},
		{"another client to port 80: not tagged", "10.2.0.1", 40011, "198.51.100.1", 80,
		 TCP, 0, 0},
		{"the nested /24 to port 81 (its own class): tagged", "10.1.2.3", 40012,
		 "198.51.100.1", 81, TCP, 1, 0},
		{"the /16 outside the /24 to port 81: not tagged", "10.1.5.5", 40013,
		 "198.51.100.1", 81, TCP, 0, 0},
		{"the nested /24 keeps the /16's class: tagged", "10.1.2.3", 40014, "198.51.100.1",
		 80, TCP, 1, 0},
		{"an IPv6 minor: tagged", "2001:db8:1::7", 40015, "2001:db8:99::1", 80, TCP, 1, 0},
		{"another IPv6 client: not tagged", "2001:db8:2::7", 40016, "2001:db8:99::1", 80,
		 TCP, 0, 0},
		{"any UDP port of class 3: tagged", "10.9.1.1", 40017, "198.51.100.1", 5353, UDP, 1,
		 0},
		{"any UDP port, another client: not tagged", "10.1.5.5", 40018, "198.51.100.1",
		 5353, UDP, 0, 0},
	};

	(void)state;
	tagsel(0, 1, EW_TAGSEL_ANYPORT);
	RUN_CASES(c);
}

static void steering(void **state)
{
	static const struct tcase c[] = {
		{"a tagged destination: steered", "10.2.0.1", 40020, "192.0.2.7", STEER_PORT, TCP,
		 0, 1},
		{"another destination: not steered", "10.2.0.1", 40021, "198.51.100.1", STEER_PORT,
		 TCP, 0, 0},
		{"a floor inline port with a set in use: every flow", "10.2.0.1", 40022,
		 "198.51.100.1", FLOOR_PORT, TCP, 0, 1},
	};

	(void)state;
	tagsel(0, 1, 0);
	RUN_CASES(c);
}

static void flip(void **state)
{
	static const struct tcase before[] = {
		{"set 0 in use: 10.2/16 not tagged", "10.2.0.9", 40030, "198.51.100.1", 80, TCP, 0,
		 0},
	};
	static const struct tcase after[] = {
		{"set 1 in use: 10.2/16 tagged", "10.2.0.9", 40031, "198.51.100.1", 80, TCP, 1, 0},
		{"set 1 in use: 10.1/16 no longer", "10.1.5.5", 40032, "198.51.100.1", 80, TCP, 0,
		 0},
		{"set 1 in use: set 0's steering gone", "10.2.0.9", 40033, "192.0.2.7", STEER_PORT,
		 TCP, 0, 0},
	};

	(void)state;
	tagsel(0, 1, 0);
	tagport(1, IPPROTO_TCP, 80, 1u << 0, 0, EW_MIRROR_ALL);
	tagpfx(fx.skel->maps.ew_tagcli_v1, 1, "10.2.0.0", 16, 1u << 0);
	tagsel(2, 0, 1u << 0);
	RUN_CASES(before);
	tagsel(0, 2, 0);
	RUN_CASES(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(no_set_in_use, tags_setup),
		cmocka_unit_test_setup(classes, tags_setup),
		cmocka_unit_test_setup(steering, tags_setup),
		cmocka_unit_test_setup(flip, tags_setup),
	};

	if (tc_load("test_tc_tags"))
		return tc_load_failed("test_tc_tags");
	return tc_unload(cmocka_run_group_tests(tests, NULL, NULL));
}
