/* SPDX-License-Identifier: GPL-2.0 */
/* Harness of the ew_tc_ingress tests (test_tc.c): load the real skeleton
 * unpinned with a small ring, set the config and port tags, run a frame,
 * assert the action and how the TC counters moved, drain and compare
 * mirror records. */
#ifndef EW_TEST_TC_HARNESS_H
#define EW_TEST_TC_HARNESS_H

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
#include <netinet/in.h>
#include <sys/socket.h>

#include "ew_tc.skel.h"
#include "bpf/pktbuild.h"

#define TCP_SYN	   0x02
#define TCP_PSH	   0x08
#define TCP_ACK	   0x10
#define TCP_RST	   0x04
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

static inline int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size != REC_SIZE || fx.nrec == RECS_MAX)
		return -EINVAL;
	memcpy(fx.rec[fx.nrec++], data, size);
	return 0;
}

/* Drains the ring into fx.rec; returns how many records came. */
static inline int drain(void)
{
	fx.nrec = 0;
	assert_true(ring_buffer__consume(fx.rb) >= 0);
	return fx.nrec;
}

static inline __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC + (__u64)ts.tv_nsec;
}

#define MARK 0xe57

static inline void set_config_steer(__u64 heartbeat, __u32 cap, __u32 steer)
{
	struct ew_config c = {.heartbeat_ns = heartbeat,
			      .stale_after_ns = 10 * NSEC,
			      .mirror_cap = cap,
			      .flow_ttl_s = 60,
			      .steer_flags = steer,
			      .steer_mark = MARK};
	__u32 zero = 0;

	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(fx.skel->maps.ew_config_v2), &zero, &c, BPF_ANY),
		0);
}

static inline void set_config(__u64 heartbeat, __u32 cap)
{
	set_config_steer(heartbeat, cap, 0);
}

/* The agent's defaults: 80/tcp, 53/udp, 53/tcp all; 443/tcp 4 packets. */
static inline void set_port_flags(__u16 port, __u8 proto, __u32 rule, __u16 budget, __u16 flags)
{
	struct ew_port_key k = {.port = htons(port), .proto = proto};
	struct ew_port_tag t = {.rule_id = rule, .mirror_budget = budget, .flags = flags};

	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(fx.skel->maps.ew_ports_v1), &k, &t, BPF_ANY), 0);
}

static inline void set_port(__u16 port, __u8 proto, __u32 rule, __u16 budget)
{
	set_port_flags(port, proto, rule, budget, 0);
}

static inline __u64 counter(__u32 c)
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

static inline void counts(struct tc_counts *t)
{
	t->rx = counter(EW_C_TC_RX);
	t->tagged = counter(EW_C_TC_TAGGED);
	t->mirrored = counter(EW_C_TC_MIRRORED);
	t->full = counter(EW_C_TC_RB_FULL);
	t->stale = counter(EW_C_TC_STALE);
}

/* Runs b through the program and asserts TC_ACT_OK and how the TC counters
 * moved: tagged, mirrored, ring full, stale. */
static inline void run(const struct pb *b, int tagged, int mirrored, int full, int stale)
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

static inline int get_verdict(const struct ew_flow_key *k, struct ew_verdict *v)
{
	return bpf_map_lookup_elem(bpf_map__fd(fx.skel->maps.ew_flows_v1), k, v);
}

static inline void tcp4(struct pb *b, const char *src, __u16 sport, const char *dst, __u16 dport,
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
static inline void expect_record(const __u8 *raw, const struct pb *b, const struct ew_flow_key *k,
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

static inline int setup(void **state)
{
	(void)state;
	set_config(now_ns(), 0);
	drain();
	return 0;
}

/* Loads the skeleton unpinned (never the real pins) with a small ring.
 * Returns 0, 77 without root (said), or 1. */
static inline int tc_load(const char *name)
{
	struct bpf_map *m;

	if (geteuid() != 0) {
		printf("%s: skipped: BPF_PROG_TEST_RUN needs root\n", name);
		return 77;
	}
	fx.ncpu = libbpf_num_possible_cpus();
	fx.skel = ew_tc__open();
	if (!fx.skel)
		return 1;
	bpf_object__for_each_map(m, fx.skel->obj)
	{
		bpf_map__set_pin_path(m, NULL);
	}
	if (bpf_map__set_max_entries(fx.skel->maps.ew_mirror_v1, RING_BYTES) ||
	    ew_tc__load(fx.skel))
		return 1;
	fx.rb = ring_buffer__new(bpf_map__fd(fx.skel->maps.ew_mirror_v1), on_record, NULL, NULL);
	return fx.rb ? 0 : 1;
}

/* Frees what tc_load made; returns rc. */
static inline int tc_unload(int rc)
{
	ring_buffer__free(fx.rb);
	ew_tc__destroy(fx.skel);
	return rc;
}

/* tc_load failed: its exit status, with the reason. */
static inline int tc_load_failed(const char *name)
{
	if (!fx.skel || geteuid() == 0)
		fprintf(stderr, "%s: couldn't load build/ew_tc.bpf.o: %s\n", name, strerror(errno));
	return tc_unload(geteuid() != 0 ? 77 : 1);
}

#endif /* EW_TEST_TC_HARNESS_H */
