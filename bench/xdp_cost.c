// SPDX-License-Identifier: GPL-2.0
/* Per-packet cost of ew_xdp_ingress (bpf/ew_xdp.bpf.c) with
 * BPF_PROG_TEST_RUN repeat: pass, flow-verdict hit, prefix hit with
 * 1,000,000 prefixes loaded (two lengths in use: /24 and /32); then
 * bench/drop_rate.sh's case: only /24s, the destination in one, the source
 * in none. Baseline: a bare `return XDP_PASS` program run the same way, so
 * the ratio excludes the test-run loop's own cost per packet. One packet
 * repeated keeps its buckets in cache: this measures instructions, not
 * memory (drop_rate.sh's program time has the cache misses).
 * Usage: xdp_cost [RUNS] [REPEAT] [PREFIXES] (root; defaults 5 1000000 1000000). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "ew_xdp.skel.h"
#include "bpf/pktbuild.h"
#include "kernel/blocklist.h"

#define RUNS_MAX 31

struct bench_conf {
	int runs;
	__u32 repeat;
	__u32 prefixes;
};

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* Median over c->runs of the mean ns per run of fd on pkt; 0 on error.
 * *action receives the program's verdict. */
static __u32 measure(int fd, const struct pb *pkt, const struct bench_conf *c, __u32 *action)
{
	__u32 ns[RUNS_MAX];

	for (int i = 0; i < c->runs; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt->buf, .data_size_in = pkt->len,
			    .repeat = c->repeat);

		if (bpf_prog_test_run_opts(fd, &o)) {
			fprintf(stderr, "xdp_cost: test run failed: %s\n", strerror(errno));
			return 0;
		}
		ns[i] = o.duration;
		*action = o.retval;
	}
	qsort(ns, c->runs, sizeof(ns[0]), cmp_u32);
	return ns[c->runs / 2];
}

static int bare_prog(void)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS},
		{.code = BPF_JMP | BPF_EXIT},
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "ew_bench_bare", "GPL", insns, 2, NULL);
}

static void tcp4(struct pb *b, const char *src, const char *dst)
{
	memset(b, 0, sizeof(*b));
	pb_eth(b, ETH_P_IP);
	pb_ipv4(b, IPPROTO_TCP, src, dst, 0, 0);
	pb_tcp(b, 40000, 80, 1, 0, 0x10, 0);
	pb_payload(b, 10);
	pb_finish(b);
}

/* The i-th prefix: half /24 and half /32, spread over the space by an
 * odd multiplier (a bijection, so all distinct). */
static struct ptable_entry prefix_i(__u32 i)
{
	struct ptable_entry e = {.p = {.family = 4}, .rule_id = i % EW_RULE_MAX};
	__u32 addr = i % 2 ? htonl(i * 0x9E3779B1u) : htonl(((i * 0x9E3779B1u) & 0xffffff) << 8);

	e.p.len = i % 2 ? 32 : 24;
	memcpy(e.p.addr, &addr, 4);
	return e;
}

/* The i-th /24 of drop_rate.sh's case (rule 0, as `block --file` gives),
 * host byte host: a bijection of i below 2^24, so i = n is in no prefix. */
static __u32 addr24(__u32 i, __u8 host)
{
	return htonl(((i * 0x9E3779B1u) & 0xffffff) << 8 | host);
}

static struct ptable_entry prefix24_i(__u32 i)
{
	struct ptable_entry e = {.p = {.family = 4, .len = 24}};
	__u32 addr = addr24(i, 0);

	memcpy(e.p.addr, &addr, 4);
	return e;
}

/* Loads n prefixes (the i-th from prefix(i)) into the skeleton's tables
 * the way `edgeward block --file` does. */
static int load_prefixes(struct ew_xdp *s, __u32 n, struct ptable_entry (*prefix)(__u32))
{
	struct blocklist_batch b = {.v4 = {calloc(n, sizeof(struct ptable_entry)), n, n}};
	struct blocklist bl;
	int err = b.v4.e ? blocklist_from_obj(&bl, s->obj) : -ENOMEM;

	for (__u32 i = 0; b.v4.e && i < n; i++)
		b.v4.e[i] = prefix(i);
	if (!err) {
		err = blocklist_load(&bl, &b);
		blocklist_close(&bl);
	}
	blocklist_batch_free(&b);
	return err;
}

/* An address no loaded prefix holds (neither its /32 nor its /24), for the
 * pass-with-prefixes case: the inverse of the multiplier says which i
 * would hold it. */
static void miss_addr(__u32 n, char *out, size_t size)
{
	const __u32 inv = 0x0e8b2f51u; /* 0x9E3779B1 * inv == 1 mod 2^32 */

	for (__u32 a = 0x0b000001;; a += 0x10101) {
		__u32 i32 = a * inv, i24 = (a >> 8) * inv & 0xffffff, be = htonl(a);
		int held = (i32 < n && i32 % 2);

		for (__u32 i = i24; !held && i < n; i += 1u << 24)
			held = i % 2 == 0;
		if (!held) {
			inet_ntop(AF_INET, &be, out, size);
			return;
		}
	}
}

static void report(const char *name, __u32 ns, __u32 base, __u32 action)
{
	printf("  %-34s %6u ns/pkt  %5.2fx bare  (%s)\n", name, ns, base ? (double)ns / base : 0.0,
	       action == XDP_DROP   ? "XDP_DROP"
	       : action == XDP_PASS ? "XDP_PASS"
				    : "?");
}

static struct ew_xdp *open_skel(void)
{
	struct ew_xdp *s = ew_xdp__open();
	struct bpf_map *m;

	if (!s)
		return NULL;
	bpf_object__for_each_map(m, s->obj)
		bpf_map__set_pin_path(m, NULL); /* never the real pins */
	if (ew_xdp__load(s)) {
		ew_xdp__destroy(s);
		return NULL;
	}
	return s;
}

static int run_cases(struct ew_xdp *s, int bare, const struct bench_conf *c)
{
	struct ew_flow_key k = {.proto = IPPROTO_TCP, .family = 4};
	struct ew_verdict v = {.action = EW_ACT_BLOCK, .rule_id = 1};
	int fd = bpf_program__fd(s->progs.ew_xdp_ingress);
	/* an odd index: one of the /32s, the deepest kind of match */
	__u32 hit_addr = htonl((c->prefixes / 2 | 1) * 0x9E3779B1u);
	char miss[INET_ADDRSTRLEN], hit[INET_ADDRSTRLEN], name[64];
	__u32 base, ns, act;
	struct pb p;

	tcp4(&p, "192.0.2.1", "198.51.100.2");
	base = measure(bare, &p, c, &act);
	report("bare XDP_PASS program (baseline)", base, base, act);
	ns = measure(fd, &p, c, &act);
	report("pass, empty maps", ns, base, act);
	k.lo_addr[10] = k.lo_addr[11] = k.hi_addr[10] = k.hi_addr[11] = 0xff;
	inet_pton(AF_INET, "192.0.2.1", &k.lo_addr[12]);
	inet_pton(AF_INET, "198.51.100.2", &k.hi_addr[12]);
	k.lo_port = htons(40000);
	k.hi_port = htons(80);
	if (bpf_map_update_elem(bpf_map__fd(s->maps.ew_flows_v1), &k, &v, BPF_ANY))
		return -errno;
	ns = measure(fd, &p, c, &act);
	report("flow-verdict hit (drop)", ns, base, act);
	if (load_prefixes(s, c->prefixes, prefix_i))
		return -EINVAL;
	miss_addr(c->prefixes, miss, sizeof(miss));
	tcp4(&p, miss, "198.51.100.3");
	ns = measure(fd, &p, c, &act);
	snprintf(name, sizeof(name), "pass, %u prefixes (miss)", c->prefixes);
	report(name, ns, base, act);
	inet_ntop(AF_INET, &hit_addr, hit, sizeof(hit));
	tcp4(&p, hit, "198.51.100.3");
	ns = measure(fd, &p, c, &act);
	snprintf(name, sizeof(name), "prefix hit, %u prefixes (drop)", c->prefixes);
	report(name, ns, base, act);
	return 0;
}

/* drop_rate.sh's case in a fresh skeleton: /24s only, the destination in
 * one of them, the source in none. */
static int run_drop_rate_case(int bare, const struct bench_conf *c)
{
	struct ew_xdp *s = open_skel();
	__u32 src = addr24(c->prefixes, 1), dst = addr24(c->prefixes / 2, 42);
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], name[64];
	__u32 base, ns, act;
	struct pb p;
	int err = s ? load_prefixes(s, c->prefixes, prefix24_i) : -errno;

	if (err)
		goto out;
	inet_ntop(AF_INET, &src, a, sizeof(a));
	inet_ntop(AF_INET, &dst, b, sizeof(b));
	tcp4(&p, a, b);
	base = measure(bare, &p, c, &act);
	ns = measure(bpf_program__fd(s->progs.ew_xdp_ingress), &p, c, &act);
	snprintf(name, sizeof(name), "destination hit, %u /24s (drop)", c->prefixes);
	report(name, ns, base, act);
out:
	ew_xdp__destroy(s);
	return err;
}

int main(int argc, char **argv)
{
	struct bench_conf c = {5, 1000000, 1000000};
	struct ew_xdp *s = NULL;
	int bare = -1, rc = 1;

	if (argc > 1)
		c.runs = atoi(argv[1]);
	if (argc > 2)
		c.repeat = (__u32)strtoul(argv[2], NULL, 10);
	if (argc > 3)
		c.prefixes = (__u32)strtoul(argv[3], NULL, 10);
	if (c.runs < 1 || c.runs > RUNS_MAX || !c.repeat || c.prefixes < 2) {
		fprintf(stderr, "usage: xdp_cost [RUNS 1..%d] [REPEAT] [PREFIXES]\n", RUNS_MAX);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "xdp_cost: skipped: BPF_PROG_TEST_RUN needs root\n");
		return 0;
	}
	s = open_skel();
	bare = bare_prog();
	if (!s || bare < 0) {
		fprintf(stderr, "xdp_cost: couldn't load the programs: %s\n", strerror(errno));
		goto out;
	}
	printf("xdp_cost: median of %d runs x %u packets, %u prefixes (half /24, half /32)\n",
	       c.runs, c.repeat, c.prefixes);
	rc = run_cases(s, bare, &c) || run_drop_rate_case(bare, &c) ? 1 : 0;
out:
	if (bare >= 0)
		close(bare);
	ew_xdp__destroy(s);
	return rc;
}
