// SPDX-License-Identifier: GPL-2.0
/* Per-query cost of ew_tc_ingress's DNS step (bpf/lib/dns.h) with
 * BPF_PROG_TEST_RUN, the domain tables holding NAMES names: a blocked
 * name's A query with EDNS answered (the answer with its EDE built and the
 * packet turned round), an unlisted name's looked up and passed, and the
 * same frame to another port (parsed, not looked up). Baseline: a bare
 * `return TC_ACT_OK` program run the same way, so the figures exclude the
 * test run's own cost. Each run is one call (repeat 1): the program turns
 * the packet into its answer, so a repeat would measure the answer. The
 * kernel's duration of each call is kept; the median of RUNS calls is
 * printed per case, with answers per second on one core.
 * Usage: dns_cost [RUNS] [NAMES] (root; defaults 20001 100000). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>

#include "ew_tc.skel.h"
#include "bpf/dnsbuild.h"
#include "kernel/domains.h"

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* Median over runs calls of fd on pkt, in ns; 0 on error. */
static __u32 measure(int fd, const struct pb *pkt, int runs, int want)
{
	__u32 *ns = calloc((size_t)runs, sizeof(*ns)), med;
	uint8_t out[PB_MAX];

	for (int i = 0; ns && i < runs; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt->buf, .data_size_in = pkt->len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

		if (bpf_prog_test_run_opts(fd, &o) || (int)o.retval != want) {
			fprintf(stderr, "dns_cost: run failed (%s, action %d, want %d)\n",
				strerror(errno), (int)o.retval, want);
			free(ns);
			return 0;
		}
		ns[i] = o.duration;
	}
	if (!ns)
		return 0;
	qsort(ns, (size_t)runs, sizeof(*ns), cmp_u32);
	med = ns[runs / 2];
	free(ns);
	return med;
}

static int bare_prog(void)
{
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = TC_ACT_OK},
		{.code = BPF_JMP | BPF_EXIT},
	};

	return bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "ew_bare_tc", "GPL", insns, 2, NULL);
}

/* names unlisted names for group 1, blocked.test among them; clients in
 * 10.1.0.0/16 are in group 1. */
static int tables(unsigned names)
{
	struct domains_rule r = {.rule_id = 7, .kind = EW_DNS_NOTICE, .ede = 17, .has_v4 = true,
				 .text = "blocked for minors; contact help@isp.test"};
	struct domains *d = domains_new();
	char name[64];
	int err = d ? 0 : -ENOMEM;

	inet_pton(AF_INET, "192.0.2.80", r.addr4);
	if (!err)
		err = domains_group_text(d, "10.1.0.0/16", 1);
	for (unsigned i = 0; !err && i < names; i++) {
		snprintf(name, sizeof(name), "name%u.blocked-%u.example", i, i % 97);
		err = domains_set(d, 1, name, &r);
	}
	if (!err)
		err = domains_set(d, 1, "blocked.test", &r);
	if (!err)
		err = domains_commit(d);
	if (err)
		fprintf(stderr, "dns_cost: couldn't fill the tables: %s\n", d ? domains_error(d) : "");
	domains_free(d);
	return err;
}

static void report(const char *what, __u32 ns, __u32 bare)
{
	__u32 net = ns > bare ? ns - bare : 0;

	printf("  %-44s %6u ns  (%u ns over the bare program; %.2f M/s on one core)\n", what, ns,
	       net, net ? 1000.0 / net : 0.0);
}

static int bench(struct ew_tc *skel, int bare, int runs)
{
	struct db_query q = {4, "10.1.2.3", "10.0.0.53", .name = "blocked.test", .type = 1,
			     .edns = 1};
	int fd = bpf_program__fd(skel->progs.ew_tc_ingress);
	__u32 b, answered, passed, other;
	struct pb pkt;

	db_frame(&pkt, &q, NULL, 0);
	b = measure(bare, &pkt, runs, TC_ACT_OK);
	answered = measure(fd, &pkt, runs, TC_ACT_REDIRECT);
	q.name = "www.allowed.test";
	db_frame(&pkt, &q, NULL, 0);
	passed = measure(fd, &pkt, runs, TC_ACT_OK);
	pb_be16(pkt.buf + 14 + 20 + 2, 5353);
	other = measure(fd, &pkt, runs, TC_ACT_OK);
	if (!b || !answered || !passed || !other)
		return 1;
	printf("baseline: the bare program, %u ns a call (the test run's own cost)\n", b);
	report("blocked name answered (A, EDE + 41 bytes)", answered, b);
	report("unlisted name looked up, passed", passed, b);
	report("the same frame to port 5353 (no DNS step)", other, b);
	printf("ratio: an answer costs %.2fx a lookup that passes, %.2fx a non-DNS packet\n",
	       (double)(answered - b) / (passed - b), (double)(answered - b) / (other > b ? other - b : 1));
	return 0;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 20001, rc = 1, bare = -1;
	unsigned names = argc > 2 ? (unsigned)atoi(argv[2]) : 100000;
	char dir[64], cmd[96];
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = dir);
	struct ew_tc *skel = NULL;

	if (geteuid() != 0) {
		fprintf(stderr, "dns_cost: needs root (BPF_PROG_TEST_RUN)\n");
		return 77;
	}
	snprintf(dir, sizeof(dir), "/sys/fs/bpf/ew_dns_cost_%d", getpid());
	if (mkdir(dir, 0700) || setenv("EDGEWARD_PIN_DIR", dir, 1))
		return 1;
	skel = ew_tc__open_opts(&opts);
	if (!skel || ew_tc__load(skel) || tables(names))
		goto out;
	bare = bare_prog();
	if (bare < 0)
		goto out;
	printf("DNS step cost, %u names in the tables, median of %d runs:\n", names + 1, runs);
	rc = bench(skel, bare, runs);
out:
	if (bare >= 0)
		close(bare);
	ew_tc__destroy(skel);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		rc = 1;
	return rc;
}
