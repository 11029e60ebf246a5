/* SPDX-License-Identifier: GPL-2.0 */
/* Shared harness of the ew_xdp_ingress tests (test_xdp.c: parsers,
 * test_xdp_rules.c: prefixes and flow verdicts): load the real skeleton
 * unpinned, run a frame, assert the action and every counter's delta. */
#ifndef EW_TEST_XDP_HARNESS_H
#define EW_TEST_XDP_HARNESS_H

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
 * only assert that refusal; EW_C_ERR_ETH is tested by test_parse.c. */
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

static inline struct ew_xdp *load(__u32 malformed_verdict)
{
	struct ew_xdp *s = ew_xdp__open();
	struct bpf_map *m;

	if (!s)
		return NULL;
	/* Never touch the real pins under /sys/fs/bpf/edgeward. */
	bpf_object__for_each_map(m, s->obj) {
		bpf_map__set_pin_path(m, NULL);
	}
	s->rodata->ew_malformed_verdict = malformed_verdict;
	if (ew_xdp__load(s)) {
		ew_xdp__destroy(s);
		return NULL;
	}
	return s;
}

/* Sums a per-CPU ew_counter slot over all possible CPUs. */
static inline void percpu_sum(int fd, __u32 key, __u64 *pk, __u64 *by)
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

static inline void snap_take(struct ew_xdp *s, struct snap *sn)
{
	int fd = bpf_map__fd(s->maps.ew_counters_v1);

	for (__u32 c = 0; c < EW_C_MAX; c++)
		percpu_sum(fd, c, &sn->pk[c], &sn->by[c]);
}

static inline __u64 rule_hits(struct ew_xdp *s, __u32 id)
{
	__u64 pk, by;

	percpu_sum(bpf_map__fd(s->maps.ew_rulehits_v1), id, &pk, &by);
	return pk;
}

/* Runs len bytes of pkt through s's program; returns the XDP action, or
 * -errno when the kernel refuses the run. */
static inline int xdp_run(struct ew_xdp *s, const __u8 *pkt, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len, .repeat = 1);

	if (bpf_prog_test_run_opts(bpf_program__fd(s->progs.ew_xdp_ingress), &o))
		return -errno;
	return (int)o.retval;
}

/* Asserts that between a and b exactly the counters in want[] (a list,
 * repeats allowed) moved, by one packet of len bytes per mention. */
static inline void expect_counts(const struct snap *a, const struct snap *b, const int *want, int n,
				 size_t len, const char *what)
{
	for (int c = 0; c < EW_C_MAX; c++) {
		__u64 k = 0;

		for (int i = 0; i < n; i++)
			k += want[i] == c;
		if (b->pk[c] - a->pk[c] != k || b->by[c] - a->by[c] != k * len)
			fail_msg("%s (len %zu): counter %d: %llu pkts %llu bytes, want %llu",
				 what, len, c, (unsigned long long)(b->pk[c] - a->pk[c]),
				 (unsigned long long)(b->by[c] - a->by[c]), (unsigned long long)k);
	}
}

/* Runs a frame and asserts the action and the counters it must move. */
static inline void check(struct ew_xdp *s, const __u8 *pkt, size_t len, int action, const int *want,
			 int n, const char *what)
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

#define CHECK(s, b, action, what, ...)                                                             \
	do {                                                                                       \
		const int w_[] = {EW_C_RX, __VA_ARGS__};                                           \
		check(s, (b)->buf, (b)->len, action, w_, (int)(sizeof(w_) / sizeof(w_[0])), what); \
	} while (0)

static inline __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

#define V4A "192.0.2.1"
#define V4B "198.51.100.2"
#define V6A "2001:db8::1"
#define V6B "2001:db8::2"

/* Runs tests (n of them) against a freshly loaded skeleton in fx.skel;
 * exits 77 without root. Returns cmocka's result. */
static inline int xdp_harness_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	int rc;

	if (geteuid() != 0) {
		printf("%s: skipped: BPF_PROG_TEST_RUN needs root\n", name);
		return 77;
	}
	fx.ncpu = libbpf_num_possible_cpus();
	fx.skel = load(XDP_PASS);
	if (fx.ncpu <= 0 || !fx.skel) {
		fprintf(stderr, "%s: couldn't load build/ew_xdp.bpf.o: %s\n", name,
			strerror(errno));
		return 1;
	}
	rc = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
	ew_xdp__destroy(fx.skel);
	return rc;
}

#endif /* EW_TEST_XDP_HARNESS_H */
