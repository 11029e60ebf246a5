// SPDX-License-Identifier: GPL-2.0
/* BPF_PROG_TEST_RUN tests of ew_tc_ingress (bpf/ew_tc.bpf.c): heartbeat
 * gating, tagging by server port, mirroring of both directions, the mirror
 * budget, and ring-buffer records compared field by field and byte by byte. */
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
#include <linux/pkt_cls.h>

#include "ew_tc.skel.h"
#include "bpf/pktbuild.h"

#define TCP_SYN	   0x02
#define TCP_PSH	   0x08
#define TCP_ACK	   0x10
#define NSEC	   1000000000ull
#define REC_SIZE   (sizeof(struct ew_mirror_rec) + EW_MIRROR_CAP)
#define RING_BYTES 4096 /* two records fit: the full ring is testable */
#define RECS_MAX   8

struct fixture {
	struct ew_tc *skel;
	struct ring_buffer *rb;
	int ncpu;
	int nrec;
	__u8 rec[RECS_MAX][REC_SIZE];
};

static struct fixture fx;

/* ---- harness ------------------------------------------------------------ */

static int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size != REC_SIZE || fx.nrec == RECS_MAX)
		return -EINVAL;
	memcpy(fx.rec[fx.nrec++], data, size);
	return 0;
}

/* Drains the ring into fx.rec; returns how many records came. */
static int drain(void)
{
	fx.nrec = 0;
	assert_true(ring_buffer__consume(fx.rb) >= 0);
	return fx.nrec;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC + (__u64)ts.tv_nsec;
}

static void set_config(__u64 heartbeat, __u32 cap)
{
	struct ew_config c = {.heartbeat_ns = heartbeat,
			      .stale_after_ns = 10 * NSEC,
			      .mirror_cap = cap,
			      .flow_ttl_s = 60};
	__u32 zero = 0;

	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(fx.skel->maps.ew_config_v1), &zero, &c, BPF_ANY),
		0);
}

/* The agent's defaults: 80/tcp, 53/udp, 53/tcp all; 443/tcp 4 packets. */
static void set_port(__u16 port, __u8 proto, __u32 rule, __u16 budget)
{
	struct ew_port_key k = {.port = htons(port), .proto = proto};
	struct ew_port_tag t = {.rule_id = rule, .mirror_budget = budget};

	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(fx.skel->maps.ew_ports_v1), &k, &t, BPF_ANY), 0);
}

static __u64 counter(__u32 c)
{
	struct ew_counter v[fx.ncpu];
	__u64 sum = 0;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(fx.skel->maps.ew_counters_v1), &c, v), 0);
	for (int i = 0; i < fx.ncpu; i++)
		sum += v[i].packets;
	return sum;
}

struct tc_counts {
	__u64 rx, tagged, mirrored, full, stale;
};

static void counts(struct tc_counts *t)
{
	t->rx = counter(EW_C_TC_RX);
	t->tagged = counter(EW_C_TC_TAGGED);
	t->mirrored = counter(EW_C_TC_MIRRORED);
	t->full = counter(EW_C_TC_RB_FULL);
	t->stale = counter(EW_C_TC_STALE);
}

/* Runs b through the program and asserts TC_ACT_OK and how the TC counters
 * moved: tagged, mirrored, ring full, stale. */
static void run(const struct pb *b, int tagged, int mirrored, int full, int stale)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = b->buf, .data_size_in = b->len, .repeat = 1);
	struct tc_counts x, y;

	counts(&x);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(fx.skel->progs.ew_tc_ingress), &o),
			 0);
	counts(&y);
	assert_int_equal(o.retval, TC_ACT_OK);
	assert_int_equal(y.rx - x.rx, 1);
	assert_int_equal(y.tagged - x.tagged, tagged);
	assert_int_equal(y.mirrored - x.mirrored, mirrored);
	assert_int_equal(y.full - x.full, full);
	assert_int_equal(y.stale - x.stale, stale);
}

static int get_verdict(const struct ew_flow_key *k, struct ew_verdict *v)
{
	return bpf_map_lookup_elem(bpf_map__fd(fx.skel->maps.ew_flows_v1), k, v);
}

static void tcp4(struct pb *b, const char *src, __u16 sport, const char *dst, __u16 dport,
		 __u32 seq, __u32 ack, __u8 flags, size_t payload)
{
	memset(b, 0, sizeof(*b));
	pb_eth(b, ETH_P_IP);
	pb_ipv4(b, IPPROTO_TCP, src, dst, 0, 0);
	pb_tcp(b, sport, dport, seq, ack, flags, 0);
	if (payload)
		pb_payload(b, payload);
	pb_finish(b);
}

/* Asserts every field of record r against frame b (expected key, dir). */
static void expect_record(const __u8 *raw, const struct pb *b, const struct ew_flow_key *k,
			  __u8 dir, __u32 seq, __u32 ack, __u8 flags, __u16 l4, __u16 pay,
			  __u16 cap, __u64 t0, __u64 t1)
{
	const struct ew_mirror_rec *r = (const void *)raw;

	assert_memory_equal(&r->key, k, sizeof(*k));
	assert_true(r->ts_ns >= t0 && r->ts_ns <= t1);
	assert_int_equal(r->seq, seq);
	assert_int_equal(r->ack, ack);
	assert_int_equal(r->orig_len, b->len);
	assert_int_equal(r->ifindex, 1); /* test runs use loopback */
	assert_int_equal(r->cap_len, cap);
	assert_int_equal(r->l4_off, l4);
	assert_int_equal(r->payload_off, pay);
	assert_int_equal(r->dir, dir);
	assert_int_equal(r->tcp_flags, flags);
	assert_memory_equal(r->data, b->buf, cap);
}

static int setup(void **state)
{
	(void)state;
	set_config(now_ns(), 0);
	drain();
	return 0;
}

/* ---- tests -------------------------------------------------------------- */

static void stale_heartbeat_tags_nothing(void **state)
{
	struct ew_flow_key k;
	struct ew_verdict v;
	struct pb b;

	(void)state;
	tcp4(&b, "10.0.0.1", 41000, "10.0.0.2", 80, 1, 0, TCP_SYN, 0);
	pb_key_v4(&k, "10.0.0.1", 41000, "10.0.0.2", 80, IPPROTO_TCP);
	set_config(0, 0);
	run(&b, 0, 0, 0, 1);
	set_config(now_ns() - 11 * NSEC, 0);
	run(&b, 0, 0, 0, 1);
	assert_int_equal(get_verdict(&k, &v), -ENOENT);
	assert_int_equal(drain(), 0);
	set_config(now_ns() - 9 * NSEC, 0);
	run(&b, 1, 1, 0, 0);
	assert_int_equal(drain(), 1);
}

/* SYN to port 80 is tagged and mirrored; the server's reply (reverse
 * direction) finds the tag by the canonical key and is mirrored too. */
static void fresh_tag_and_reverse(void **state)
{
	struct ew_flow_key k;
	struct ew_verdict v;
	struct pb b;
	__u64 t0, t1;

	(void)state;
	pb_key_v4(&k, "10.0.0.1", 42000, "10.0.0.2", 80, IPPROTO_TCP);
	tcp4(&b, "10.0.0.1", 42000, "10.0.0.2", 80, 0x01020304, 0, TCP_SYN, 0);
	t0 = now_ns();
	run(&b, 1, 1, 0, 0);
	t1 = now_ns();
	assert_int_equal(drain(), 1);
	expect_record(fx.rec[0], &b, &k, EW_DIR_LO_TO_HI, 0x01020304, 0, TCP_SYN, 34, 54, 54, t0,
		      t1);
	assert_int_equal(get_verdict(&k, &v), 0);
	assert_int_equal(v.action, EW_ACT_INSPECT);
	assert_int_equal(v.rule_id, 80);
	assert_int_equal(v.mirror_budget, EW_MIRROR_ALL);
	assert_true(v.expires_ns >= t0 + 60 * NSEC && v.expires_ns <= t1 + 60 * NSEC);

	tcp4(&b, "10.0.0.2", 80, "10.0.0.1", 42000, 0xa0b0c0d0, 0x01020305, TCP_SYN | TCP_ACK, 100);
	t0 = now_ns();
	run(&b, 0, 1, 0, 0);
	t1 = now_ns();
	assert_int_equal(drain(), 1);
	expect_record(fx.rec[0], &b, &k, EW_DIR_HI_TO_LO, 0xa0b0c0d0, 0x01020305, TCP_SYN | TCP_ACK,
		      34, 54, 154, t0, t1);

	tcp4(&b, "10.0.0.1", 42001, "10.0.0.2", 8080, 1, 0, TCP_SYN, 0);
	run(&b, 0, 0, 0, 0);
	tcp4(&b, "10.0.0.2", 80, "10.0.0.1", 42002, 1, 0, TCP_ACK, 10);
	run(&b, 0, 0, 0, 0); /* from port 80, untagged flow: not ours */
	assert_int_equal(drain(), 0);
}

static void udp_dns_and_vlan(void **state)
{
	struct ew_flow_key k;
	struct pb b = {0};
	__u64 t0, t1;

	(void)state;
	pb_eth(&b, ETH_P_8021Q);
	pb_vlan(&b, 7, ETH_P_IP);
	pb_ipv4(&b, IPPROTO_UDP, "10.0.0.9", "10.0.0.53", 4, 0);
	pb_udp(&b, 53000, 53);
	pb_payload(&b, 29);
	pb_finish(&b);
	pb_key_v4(&k, "10.0.0.9", 53000, "10.0.0.53", 53, IPPROTO_UDP);
	t0 = now_ns();
	run(&b, 1, 1, 0, 0);
	t1 = now_ns();
	assert_int_equal(drain(), 1);
	expect_record(fx.rec[0], &b, &k, EW_DIR_LO_TO_HI, 0, 0, 0, 42, 50, b.len, t0, t1);
}

static void v6_tag_key(void **state)
{
	struct ew_flow_key k = {.proto = IPPROTO_TCP, .family = 6};
	struct pb b = {0};
	__u64 t0, t1;

	(void)state;
	pb_eth(&b, ETH_P_IPV6);
	pb_ipv6(&b, IPPROTO_DSTOPTS, "fd00::b", "fd00::a");
	pb_ext6(&b, IPPROTO_TCP, 16);
	pb_tcp(&b, 43000, 53, 9, 0, TCP_SYN, 8);
	pb_finish(&b);
	inet_pton(AF_INET6, "fd00::a", k.lo_addr);
	inet_pton(AF_INET6, "fd00::b", k.hi_addr);
	k.lo_port = htons(53);
	k.hi_port = htons(43000);
	t0 = now_ns();
	run(&b, 1, 1, 0, 0);
	t1 = now_ns();
	assert_int_equal(drain(), 1);
	expect_record(fx.rec[0], &b, &k, EW_DIR_HI_TO_LO, 9, 0, TCP_SYN, 70, 98, 98, t0, t1);
}

/* 443/tcp: the SYN and pure ACKs ride free, payload packets spend the
 * budget of 4 in both directions, then the flow is no longer mirrored. */
static void budget_443(void **state)
{
	struct ew_flow_key k;
	struct ew_verdict v;
	struct pb b;

	(void)state;
	pb_key_v4(&k, "10.0.0.1", 44000, "10.0.0.2", 443, IPPROTO_TCP);
	tcp4(&b, "10.0.0.1", 44000, "10.0.0.2", 443, 1, 0, TCP_SYN, 0);
	run(&b, 1, 1, 0, 0);
	drain();
	/* a pure ACK in a 60-byte frame: its padding is not payload */
	tcp4(&b, "10.0.0.1", 44000, "10.0.0.2", 443, 2, 1, TCP_ACK, 0);
	memset(b.buf + b.len, 0, 6);
	b.len += 6;
	run(&b, 0, 1, 0, 0);
	assert_int_equal(get_verdict(&k, &v), 0);
	assert_int_equal(v.mirror_budget, 4);
	assert_int_equal(v.rule_id, 443);
	drain();
	for (int i = 0; i < 4; i++) {
		if (i % 2)
			tcp4(&b, "10.0.0.2", 443, "10.0.0.1", 44000, 9, 2, TCP_ACK | TCP_PSH, 50);
		else
			tcp4(&b, "10.0.0.1", 44000, "10.0.0.2", 443, 2, 9, TCP_ACK | TCP_PSH, 50);
		run(&b, 0, 1, 0, 0);
		assert_int_equal(drain(), 1);
		assert_int_equal(get_verdict(&k, &v), 0);
		assert_int_equal(v.mirror_budget, 3 - i);
	}
	tcp4(&b, "10.0.0.1", 44000, "10.0.0.2", 443, 2, 9, TCP_ACK | TCP_PSH, 50);
	run(&b, 0, 0, 0, 0);
	tcp4(&b, "10.0.0.1", 44000, "10.0.0.2", 443, 2, 9, TCP_ACK, 0);
	run(&b, 0, 0, 0, 0);
	assert_int_equal(drain(), 0);
}

/* The ring holds two records: the third packet is counted, not lost
 * silently; draining makes room again. */
static void ring_full_counted(void **state)
{
	struct pb b;

	(void)state;
	tcp4(&b, "10.0.0.1", 45000, "10.0.0.2", 80, 1, 0, TCP_SYN, 0);
	run(&b, 1, 1, 0, 0);
	run(&b, 0, 1, 0, 0);
	run(&b, 0, 0, 1, 0);
	assert_int_equal(drain(), 2);
	run(&b, 0, 1, 0, 0);
	assert_int_equal(drain(), 1);
}

static void mirror_cap(void **state)
{
	struct ew_flow_key k;
	struct pb b;

	(void)state;
	pb_key_v4(&k, "10.0.0.1", 46000, "10.0.0.2", 80, IPPROTO_TCP);
	tcp4(&b, "10.0.0.1", 46000, "10.0.0.2", 80, 5, 6, TCP_ACK, 1700);
	run(&b, 1, 1, 0, 0);
	assert_int_equal(drain(), 1);
	expect_record(fx.rec[0], &b, &k, EW_DIR_LO_TO_HI, 5, 6, TCP_ACK, 34, 54, EW_MIRROR_CAP, 0,
		      ~0ull);
	set_config(now_ns(), 64);
	run(&b, 0, 1, 0, 0);
	assert_int_equal(drain(), 1);
	expect_record(fx.rec[0], &b, &k, EW_DIR_LO_TO_HI, 5, 6, TCP_ACK, 34, 54, 64, 0, ~0ull);
}

/* An expired tag is replaced by a fresh one; an allow verdict bypasses. */
static void expired_and_allow(void **state)
{
	struct ew_verdict v = {
		.expires_ns = 1, .rule_id = 9, .mirror_budget = 0, .action = EW_ACT_INSPECT};
	int fd = bpf_map__fd(fx.skel->maps.ew_flows_v1);
	struct ew_flow_key k;
	struct pb b;

	(void)state;
	pb_key_v4(&k, "10.0.0.1", 47000, "10.0.0.2", 80, IPPROTO_TCP);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	tcp4(&b, "10.0.0.1", 47000, "10.0.0.2", 80, 1, 0, TCP_ACK, 10);
	run(&b, 1, 1, 0, 0);
	assert_int_equal(get_verdict(&k, &v), 0);
	assert_int_equal(v.rule_id, 80);
	v.action = EW_ACT_ALLOW;
	v.expires_ns = 0;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	run(&b, 0, 0, 0, 0);
	assert_int_equal(drain(), 1);
}

/* A SYN to port 80 cut at every length from the end of its IPv4 header
 * (skb test runs refuse shorter IPv4 frames: EINVAL): until the TCP header
 * with options is whole nothing is tagged or mirrored; from then on it is,
 * and the record holds exactly the cut frame. */
static void cuts_tag_only_whole_headers(void **state)
{
	struct pb b;
	int tagged = 0;

	(void)state;
	for (size_t len = 14 + 20; len <= 14 + 20 + 24 + 5; len++) {
		__u16 sport = (__u16)(50000 + len);
		struct pb cut;

		memset(&b, 0, sizeof(b));
		pb_eth(&b, ETH_P_IP);
		pb_ipv4(&b, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 0, 0);
		pb_tcp(&b, sport, 80, 1, 0, TCP_SYN, 4);
		pb_payload(&b, 5);
		pb_finish(&b);
		cut = b;
		cut.len = len;
		if (len < 14 + 20 + 24) {
			run(&cut, 0, 0, 0, 0);
			assert_int_equal(drain(), 0);
			continue;
		}
		run(&cut, 1, 1, 0, 0);
		assert_int_equal(drain(), 1);
		assert_int_equal(((struct ew_mirror_rec *)fx.rec[0])->cap_len, len);
		assert_int_equal(((struct ew_mirror_rec *)fx.rec[0])->orig_len, len);
		assert_memory_equal(((struct ew_mirror_rec *)fx.rec[0])->data, b.buf, len);
		tagged++;
	}
	assert_int_equal(tagged, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(stale_heartbeat_tags_nothing, setup),
		cmocka_unit_test_setup(fresh_tag_and_reverse, setup),
		cmocka_unit_test_setup(udp_dns_and_vlan, setup),
		cmocka_unit_test_setup(v6_tag_key, setup),
		cmocka_unit_test_setup(budget_443, setup),
		cmocka_unit_test_setup(ring_full_counted, setup),
		cmocka_unit_test_setup(mirror_cap, setup),
		cmocka_unit_test_setup(expired_and_allow, setup),
		cmocka_unit_test_setup(cuts_tag_only_whole_headers, setup),
	};
	struct bpf_map *m;
	int rc = 1;

	if (geteuid() != 0) {
		printf("test_tc: skipped: BPF_PROG_TEST_RUN needs root\n");
		return 77;
	}
	fx.ncpu = libbpf_num_possible_cpus();
	fx.skel = ew_tc__open();
	if (!fx.skel)
		goto out;
	/* Never touch the real pins under /sys/fs/bpf/edgeward. */
	bpf_object__for_each_map(m, fx.skel->obj) {
		bpf_map__set_pin_path(m, NULL);
	}
	if (bpf_map__set_max_entries(fx.skel->maps.ew_mirror_v1, RING_BYTES) ||
	    ew_tc__load(fx.skel))
		goto out;
	fx.rb = ring_buffer__new(bpf_map__fd(fx.skel->maps.ew_mirror_v1), on_record, NULL, NULL);
	if (!fx.rb)
		goto out;
	set_port(80, IPPROTO_TCP, 80, EW_MIRROR_ALL);
	set_port(53, IPPROTO_UDP, 53, EW_MIRROR_ALL);
	set_port(53, IPPROTO_TCP, 53, EW_MIRROR_ALL);
	set_port(443, IPPROTO_TCP, 443, 4);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
out:
	if (rc == 1 && !fx.rb)
		fprintf(stderr, "test_tc: couldn't load build/ew_tc.bpf.o: %s\n", strerror(errno));
	ring_buffer__free(fx.rb);
	ew_tc__destroy(fx.skel);
	return rc;
}
