// SPDX-License-Identifier: GPL-2.0
/* BPF_PROG_TEST_RUN tests of ew_tc_ingress's DNS step (bpf/lib/dns.h and
 * the answer's rewrite, lib/reply.h), with the tables written by
 * userspace/kernel/domains.c into the pins of a scratch directory. Every answer is compared byte for byte with the frame
 * tests/bpf/dnsbuild.h writes out by hand: A, AAAA, NODATA and NXDOMAIN,
 * with and without EDNS and the EDE, names below a `*.suffix`, any case,
 * groups by client prefix, UDP over IPv4 and IPv6 (checksums), TCP and
 * its RESET verdict; what is not a plain query, or is cut anywhere,
 * passes untouched; a commit switches the kernel in one step;
 * domains_lookup agrees with it; the agent's hook for a flow's server
 * name (QUIC's, later from nDPI) puts the flow's verdict in. */
#include <sys/stat.h>

#include "agent/decide.h"
#include "agent/dnstcp.h"
#include "agent/namewatch.h"
#include "bpf/tc_harness.h"
#include "bpf/dnsbuild.h"
#include "kernel/domains.h"
#include "names/dnsanswer.h"

#define TEXT	 "blocked for minors; contact help@isp.test"
#define NOTICE4	 "192.0.2.80"
#define NOTICE6	 "2001:db8::80"
#define MINOR4	 "10.1.2.3"  /* in 10.1.0.0/16: group 1 */
#define MINOR6	 "fd00:1::5" /* in fd00:1::/64: group 1 */
#define OTHER4	 "10.9.9.9"  /* group 0 */
#define RESOLVER "10.0.0.53"
#define RESOLV6	 "fd00::53"

static char pin_dir[64];

/* ---- the tables ---------------------------------------------------------- */

static const struct domains_rule r_notice = {.rule_id = 7,
					     .kind = EW_DNS_NOTICE,
					     .ede = 17,
					     .has_v4 = true,
					     .has_v6 = true,
					     .ttl = 300,
					     .text = TEXT};
static const struct domains_rule r_nx = {
	.rule_id = 8, .kind = EW_DNS_NXDOMAIN, .ede = 16, .text = "court order 42"};
static const struct domains_rule r_pass = {.rule_id = 9, .kind = EW_DNS_PASS};
static const struct domains_rule r_v4only = {
	.rule_id = 10, .kind = EW_DNS_NOTICE, .other = EW_DNS_NXDOMAIN, .ede = 15, .has_v4 = true};
static const struct domains_rule r_noede = {.rule_id = 11, .kind = EW_DNS_NXDOMAIN};

static void rule_addrs(struct domains_rule *r)
{
	inet_pton(AF_INET, NOTICE4, r->addr4);
	inet_pton(AF_INET6, NOTICE6, r->addr6);
}

/* The set most tests use; `with_blocked` 0 leaves blocked.test out. */
static void commit_set(int with_blocked)
{
	struct domains *d = domains_new();
	struct domains_rule n = r_notice, v4 = r_v4only;

	assert_non_null(d);
	rule_addrs(&n);
	rule_addrs(&v4);
	assert_int_equal(domains_group_text(d, "10.1.0.0/16", 1), 0);
	assert_int_equal(domains_group_text(d, "fd00:1::/64", 1), 0);
	if (with_blocked) {
		assert_int_equal(domains_set(d, 1, "blocked.test", &n), 0);
		assert_int_equal(domains_set(d, 1, "*.blocked.test", &n), 0);
	}
	assert_int_equal(domains_set(d, 1, "allowed.blocked.test", &r_pass), 0);
	assert_int_equal(domains_set(d, 1, "nx.test.", &r_nx), 0);
	assert_int_equal(domains_set(d, 1, "noede.test", &r_noede), 0);
	assert_int_equal(domains_set(d, 0, "everyone.test", &v4), 0);
	assert_int_equal(domains_set(d, 1, "everyone.test", &v4), 0);
	assert_int_equal(domains_commit(d), 0);
	domains_free(d);
}

/* ---- running ------------------------------------------------------------- */

static __u64 rule_hits(__u32 rule)
{
	struct ew_counter v[fx.ncpu];
	__u64 sum = 0;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(fx.skel->maps.ew_rulehits_v1), &rule, v),
			 0);
	for (int i = 0; i < fx.ncpu; i++)
		sum += v[i].packets;
	return sum;
}

struct out {
	int rc;
	uint8_t buf[PB_MAX];
	uint32_t len;
};

static void run_frame(const struct pb *b, struct out *o)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = b->buf, .data_size_in = b->len,
		    .data_out = o->buf, .data_size_out = sizeof(o->buf), .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(fx.skel->progs.ew_tc_ingress), &t),
			 0);
	o->rc = (int)t.retval;
	o->len = t.data_size_out;
}

/* The rule id of the last answer's record for the block log. */
static __u32 last_rule;

/* Asserts that q is answered with exactly the frame of a, that the
 * counter `outcome` (and EW_C_DNS_EDE when want_ede) moved by one, and
 * that the answer went to the ring for the block log, with its outcome
 * (its rule id in last_rule). */
static void expect_answer(const struct db_query *q, const struct db_answer *a, __u32 outcome)
{
	const struct ew_mirror_rec *r = (const void *)fx.rec[0];
	__u64 c0 = counter(outcome), e0 = counter(EW_C_DNS_EDE), q0 = counter(EW_C_DNS_QUERY);
	struct pb in, want;
	struct out o;

	db_frame(&in, q, NULL, 0);
	db_frame(&want, q, a, db_msg_len(q));
	drain(); /* what earlier runs left */
	run_frame(&in, &o);
	assert_int_equal(o.rc, TC_ACT_REDIRECT);
	assert_int_equal(o.len, want.len);
	assert_memory_equal(o.buf, want.buf, want.len);
	assert_int_equal(counter(outcome) - c0, 1);
	assert_int_equal(counter(EW_C_DNS_QUERY) - q0, 1);
	assert_int_equal(counter(EW_C_DNS_EDE) - e0, q->edns && a->ede);
	assert_int_equal(drain(), 1);
	assert_int_equal(r->dir, EW_DIR_DNS_ANSWER);
	assert_int_equal(r->ack, outcome);
	assert_int_equal(r->cap_len, want.len);
	assert_int_equal(r->orig_len, want.len);
	assert_memory_equal(r->data, want.buf, want.len);
	last_rule = r->seq;
}

/* Asserts that frame b passes untouched and bumps `why` (EW_C_MAX: none
 * of the DNS counters but the query's). */
static void expect_pass(const struct pb *b, __u32 why)
{
	__u64 c0 = why < EW_C_MAX ? counter(why) : 0;
	struct out o;

	drain();
	run_frame(b, &o);
	assert_int_equal(o.rc, TC_ACT_OK);
	assert_int_equal(o.len, b->len);
	assert_memory_equal(o.buf, b->buf, b->len);
	assert_int_equal(drain(), 0); /* nothing for the block log */
	if (why < EW_C_MAX)
		assert_int_equal(counter(why) - c0, 1);
}

static void expect_query_pass(const struct db_query *q, __u32 why)
{
	struct pb b;

	db_frame(&b, q, NULL, 0);
	expect_pass(&b, why);
}

/* ---- answers ------------------------------------------------------------- */

static const struct db_answer a_notice4 = {
	.type = 1, .addr = NOTICE4, .ttl = 300, .ede = 17, .text = TEXT};
static const struct db_answer a_notice6 = {
	.type = 28, .addr = NOTICE6, .ttl = 300, .ede = 17, .text = TEXT};

/* One answer spelt out byte for byte, to pin dnsbuild.h itself: A for
 * blocked.test with the EDE, after the query's header and question. */
static void a_record_literal(void **state)
{
	static const uint8_t tail[] = {
		0xc0, 0x0c, 0,	1,	0,    1, 0, 0, 0x01, 0x2c, 0,	   4, 192, 0, 2, 80, /* A */
		0,    0,    41, 0x04,	0xd0, 0, 0, 0, 0,    0,	   6 + 41, /* OPT */
		0,    15,   0,	2 + 41, 0,    17};			   /* EDE 17 */
	struct db_query q = {4, MINOR4, RESOLVER, .name = "blocked.test", .type = 1, .edns = 1};
	struct pb in;
	struct out o;
	size_t msg = 14 + 20 + 8, qend = msg + 12 + 14 + 4;

	(void)state;
	db_frame(&in, &q, NULL, 0);
	run_frame(&in, &o);
	assert_int_equal(o.rc, TC_ACT_REDIRECT);
	assert_int_equal(o.len, qend + sizeof(tail) + strlen(TEXT));
	assert_memory_equal(o.buf + msg, "\xbe\xef\x81\x80\0\1\0\1\0\0\0\1", 12);
	assert_memory_equal(o.buf + qend, tail, sizeof(tail));
	assert_memory_equal(o.buf + qend + sizeof(tail), TEXT, strlen(TEXT));
	assert_int_equal(drain(), 1);
	assert_int_equal(((struct ew_mirror_rec *)fx.rec[0])->seq, 7); /* r_notice */
}

static void notice_a_and_aaaa(void **state)
{
	struct db_query q = {4, MINOR4, RESOLVER, .name = "blocked.test", .type = 1, .edns = 1};

	(void)state;
	expect_answer(&q, &a_notice4, EW_C_DNS_NOTICE);
	q.type = 28;
	expect_answer(&q, &a_notice6, EW_C_DNS_NOTICE);
	q.dnssec = 1; /* the DO bit is echoed */
	expect_answer(&q, &a_notice6, EW_C_DNS_NOTICE);
	q.edns = 0; /* no OPT in, none out */
	expect_answer(&q, &a_notice6, EW_C_DNS_NOTICE);
}

/* Below the suffix, in any case, over IPv6: the question comes back as
 * asked (0x20 randomisation), the UDP checksum verifies. */
static void suffix_case_ipv6(void **state)
{
	struct db_query q = {6, MINOR6, RESOLV6, .name = "wWw.BloCKed.TEST", .type = 28, .edns = 1};
	struct pb in;
	struct out o;

	(void)state;
	expect_answer(&q, &a_notice6, EW_C_DNS_NOTICE);
	q.name = "a.b.c.d.e.f.blocked.test";
	q.type = 1;
	expect_answer(&q, &a_notice4, EW_C_DNS_NOTICE);
	db_frame(&in, &q, NULL, 0);
	run_frame(&in, &o);
	memcpy(in.buf, o.buf, o.len);
	in.len = o.len;
	assert_int_equal(db_l4_sum(&in, 14 + 40, IPPROTO_UDP), 0xffff);
}

static void nodata_nxdomain(void **state)
{
	struct db_query q = {4, MINOR4, RESOLVER, .name = "blocked.test", .type = 15, .edns = 1};
	struct db_answer a = {.rcode = 0, .ede = 17, .text = TEXT};

	(void)state;
	expect_answer(&q, &a, EW_C_DNS_NODATA); /* MX: no record, NOERROR */
	q.name = "nx.test";
	q.type = 1;
	a = (struct db_answer){.rcode = 3, .ede = 16, .text = "court order 42"};
	expect_answer(&q, &a, EW_C_DNS_NXDOMAIN);
	assert_int_equal(last_rule, 8); /* r_nx */
	q.edns = 0;
	expect_answer(&q, &a, EW_C_DNS_NXDOMAIN);
	q.name = "noede.test";
	q.edns = 1;
	a = (struct db_answer){.rcode = 3};
	expect_answer(&q, &a, EW_C_DNS_NXDOMAIN); /* an OPT, no option */
	/* no AAAA address for this rule: its other types get NXDOMAIN */
	q.name = "everyone.test";
	q.type = 28;
	a = (struct db_answer){.rcode = 3, .ede = 15};
	expect_answer(&q, &a, EW_C_DNS_NXDOMAIN);
	q.type = 1;
	a = (struct db_answer){.type = 1, .addr = NOTICE4, .ttl = EW_DNS_TTL, .ede = 15};
	expect_answer(&q, &a, EW_C_DNS_NOTICE);
}

/* A client outside the minors' prefixes is in group 0: blocked.test is
 * not blocked for it, everyone.test is. Exceptions and look-alikes pass. */
static void groups_and_exceptions(void **state)
{
	struct db_query q = {4, OTHER4, RESOLVER, .name = "blocked.test", .type = 1, .edns = 1};
	struct db_answer a = {.type = 1, .addr = NOTICE4, .ttl = EW_DNS_TTL, .ede = 15};

	(void)state;
	expect_query_pass(&q, EW_C_DNS_PASS);
	q.name = "www.blocked.test";
	expect_query_pass(&q, EW_C_DNS_PASS);
	q.name = "everyone.test";
	expect_answer(&q, &a, EW_C_DNS_NOTICE);
	q.src = MINOR4;
	q.name = "allowed.blocked.test";
	expect_query_pass(&q, EW_C_DNS_ALLOWED);
	q.name = "x.allowed.blocked.test"; /* an exact exception only */
	expect_answer(&q, &a_notice4, EW_C_DNS_NOTICE);
	q.name = "notblocked.test";
	expect_query_pass(&q, EW_C_DNS_PASS);
	q.name = "blocked.test.example";
	expect_query_pass(&q, EW_C_DNS_PASS);
	q.name = "www.nx.test"; /* nx.test is exact only */
	expect_query_pass(&q, EW_C_DNS_PASS);
	q.src = "10.2.0.1"; /* next to the minors' /16 */
	q.name = "blocked.test";
	expect_query_pass(&q, EW_C_DNS_PASS);
}

/* The longest EXTRA-TEXT, in a VLAN-tagged query: the tag stays. */
static void long_text_vlan(void **state)
{
	char text[EW_DNS_TEXT_MAX + 1];
	struct domains_rule r = {.rule_id = 12, .kind = EW_DNS_NXDOMAIN, .ede = 15, .text = text};
	struct db_query q = {4,		MINOR4,	  RESOLVER, .vlan = 1, .name = "long.test",
			     .type = 1, .edns = 1};
	struct db_answer a = {.rcode = 3, .ede = 15, .text = text};
	struct domains *d = domains_new();

	(void)state;
	memset(text, 'x', EW_DNS_TEXT_MAX);
	text[EW_DNS_TEXT_MAX] = '\0';
	assert_int_equal(domains_group_text(d, "10.1.0.0/16", 1), 0);
	assert_int_equal(domains_set(d, 1, "long.test", &r), 0);
	assert_int_equal(domains_commit(d), 0);
	expect_answer(&q, &a, EW_C_DNS_NXDOMAIN);
	q.family = 6;
	q.src = MINOR6;
	q.dst = RESOLV6; /* not in the /64 of group 1 in this set: passes */
	expect_query_pass(&q, EW_C_DNS_PASS);
	domains_free(d);
	commit_set(1);
}

/* ---- TCP ------------------------------------------------------------------ */

/* One whole query in a segment: answered with FIN, timestamps swapped;
 * the flow gets a RESET verdict, so XDP answers what either end sends
 * next with a reset (test_xdp_reset). */
static void tcp_answer_and_verdict(void **state)
{
	struct db_query q = {4,		MINOR4,	  RESOLVER,
			     .tcp = 1,	.ts = 1,  .name = "blocked.test",
			     .type = 1, .edns = 1};
	struct ew_flow_key k;
	struct ew_verdict v;
	__u64 t0 = now_ns();

	(void)state;
	expect_answer(&q, &a_notice4, EW_C_DNS_NOTICE);
	pb_key_v4(&k, RESOLVER, 53, MINOR4, DB_SPORT, IPPROTO_TCP);
	assert_int_equal(get_verdict(&k, &v), 0);
	assert_int_equal(v.action, EW_ACT_RESET);
	assert_int_equal(v.rule_id, 7);
	assert_true(v.expires_ns >= t0 + EW_RESET_TTL_S * NSEC &&
		    v.expires_ns <= now_ns() + EW_RESET_TTL_S * NSEC);
	q.ts = 0; /* without timestamps: a bare 20-byte header */
	q.src = "10.1.2.4";
	expect_answer(&q, &a_notice4, EW_C_DNS_NOTICE);
}

static void tcp_ipv6_and_partial(void **state)
{
	struct db_query q = {6, MINOR6, RESOLV6, .tcp = 1, .name = "nx.test", .type = 1};
	struct db_answer a = {.rcode = 3, .ede = 16, .text = "court order 42"};
	struct pb b;

	(void)state;
	expect_answer(&q, &a, EW_C_DNS_NXDOMAIN);
	/* the length prefix announces more than the segment holds */
	q.src = "fd00:1::6";
	db_frame(&b, &q, NULL, 0);
	b.buf[14 + 40 + 20] += 1;
	expect_pass(&b, EW_C_DNS_TCP_PARTIAL);
	/* a bare ACK to port 53 is not looked at */
	tcp4(&b, MINOR4, 40001, RESOLVER, 53, 1, 1, TCP_ACK, 0);
	expect_pass(&b, EW_C_MAX);
}

/* ---- what passes --------------------------------------------------------- */

/* Builds the minors' A query for blocked.test and lets edit spoil it. */
static void spoiled(struct pb *b, void (*edit)(struct pb *b, size_t msg))
{
	struct db_query q = {4, MINOR4, RESOLVER, .name = "blocked.test", .type = 1, .edns = 1};

	db_frame(b, &q, NULL, 0);
	edit(b, 14 + 20 + 8);
}

static void e_response(struct pb *b, size_t m)
{
	b->buf[m + 2] |= 0x80;
}
static void e_opcode(struct pb *b, size_t m)
{
	b->buf[m + 2] |= 0x10;
}
static void e_two_questions(struct pb *b, size_t m)
{
	b->buf[m + 5] = 2;
}
static void e_answer_rr(struct pb *b, size_t m)
{
	b->buf[m + 7] = 1;
}
static void e_pointer(struct pb *b, size_t m)
{
	b->buf[m + 12 + 8] = 0xc0;
}
static void e_long_label(struct pb *b, size_t m)
{
	b->buf[m + 12] = 64;
}
static void e_class_chaos(struct pb *b, size_t m)
{
	b->buf[m + 12 + 14 + 3] = 3;
}
static void e_edns_v1(struct pb *b, size_t m)
{
	b->buf[m + 12 + 14 + 4 + 6] = 1;
}
static void e_not_opt(struct pb *b, size_t m)
{
	b->buf[m + 12 + 14 + 4 + 2] = 42;
}
static void e_truncated_bit(struct pb *b, size_t m)
{
	b->buf[m + 2] |= 0x02;
}
static void e_runaway_label(struct pb *b, size_t m)
{
	b->buf[m + 12 + 8] = 40;
}

static void malformed_pass(void **state)
{
	static void (*const edits[])(struct pb *, size_t) = {
		e_response,   e_opcode,	 e_two_questions, e_answer_rr,	   e_pointer,
		e_long_label, e_edns_v1, e_not_opt,	  e_truncated_bit, e_runaway_label};
	struct pb b;

	(void)state;
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		spoiled(&b, edits[i]);
		expect_pass(&b, EW_C_DNS_MALFORMED);
	}
	spoiled(&b, e_class_chaos); /* well formed, not ours */
	expect_pass(&b, EW_C_DNS_MALFORMED);
}

/* The query cut at every length: untouched until its question and OPT
 * are whole (options may be cut: they are not read), answered after. */
static void cuts_pass_untouched(void **state)
{
	struct db_query q = {4, MINOR4, RESOLVER, .name = "blocked.test", .type = 1, .edns = 1};
	size_t whole = 14 + 20 + 8 + 12 + 14 + 4 + 11;
	struct pb b, cut;
	struct out o;

	(void)state;
	db_frame(&b, &q, NULL, 0);
	for (size_t len = 14 + 20; len <= b.len; len++) {
		cut = b;
		cut.len = len;
		run_frame(&cut, &o);
		if (len < whole) {
			assert_int_equal(o.rc, TC_ACT_OK);
			assert_int_equal(o.len, len);
			assert_memory_equal(o.buf, b.buf, len);
		} else {
			assert_int_equal(o.rc, TC_ACT_REDIRECT);
		}
	}
}

/* The first fragment of a query passes (the rest never reaches us). */
static void e_fragment(struct pb *b, size_t m)
{
	(void)m;
	b->buf[14 + 6] = 0x20; /* MF, offset 0: the IPv4 header checksum is not read */
}

static void fragment_pass(void **state)
{
	struct pb b;

	(void)state;
	spoiled(&b, e_fragment);
	expect_pass(&b, EW_C_DNS_FRAGMENT);
}

/* ---- generations and the userspace view ---------------------------------- */

/* A commit without blocked.test: the next query passes; with it again,
 * it is answered. An empty set looks nothing up. */
static void commit_switches(void **state)
{
	struct db_query q = {4, MINOR4, RESOLVER, .name = "blocked.test", .type = 1, .edns = 1};
	struct domains *d = domains_new();
	struct pb b;
	__u64 q0;

	(void)state;
	commit_set(0);
	expect_query_pass(&q, EW_C_DNS_PASS);
	commit_set(1);
	expect_answer(&q, &a_notice4, EW_C_DNS_NOTICE);
	assert_int_equal(domains_commit(d), 0);
	db_frame(&b, &q, NULL, 0);
	q0 = counter(EW_C_DNS_QUERY);
	expect_pass(&b, EW_C_MAX);
	assert_int_equal(counter(EW_C_DNS_QUERY), q0);
	domains_free(d);
	commit_set(1);
}

/* For a table of names and clients, domains_lookup gives what the kernel
 * does: the same rule, or nothing. */
static void view_agrees(void **state)
{
	static const char *const names[] = {
		"blocked.test",	   "WWW.blocked.test",	"allowed.blocked.test",
		"nx.test",	   "www.nx.test",	"everyone.test",
		"notblocked.test", "x.y.blocked.test.", "test"};
	static const char *const clients[] = {MINOR4, OTHER4};
	struct domains_view *v = domains_view_open();
	struct ew_dns_answer a;
	uint8_t c[16] = {[10] = 0xff, [11] = 0xff};

	(void)state;
	assert_non_null(v);
	for (size_t i = 0; i < 2; i++) {
		inet_pton(AF_INET, clients[i], c + 12);
		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			struct db_query q = {4, clients[i], RESOLVER, .name = names[j], .type = 1};
			__u64 hits = 0, pass = counter(EW_C_DNS_PASS);
			struct pb b;
			struct out o;
			int found = domains_lookup(v, c, names[j], strlen(names[j]), &a);

			assert_true(found >= 0);
			if (found)
				hits = rule_hits(a.rule_id);
			db_frame(&b, &q, NULL, 0);
			run_frame(&b, &o);
			assert_int_equal(counter(EW_C_DNS_PASS) - pass, !found);
			if (found && a.kind != EW_DNS_PASS)
				assert_int_equal(rule_hits(a.rule_id) - hits, 1);
		}
	}
	domains_view_close(v);
}

/* ---- the agent's answers (names/dnsanswer) -------------------------------- */

/* The client of q as domains_lookup takes it: 16 bytes, IPv4-mapped. */
static void client16(const struct db_query *q, uint8_t c[16])
{
	memset(c, 0, 16);
	if (q->family == 6) {
		inet_pton(AF_INET6, q->src, c);
		return;
	}
	c[10] = c[11] = 0xff;
	inet_pton(AF_INET, q->src, c + 12);
}

/* Runs q through the kernel and through the agent's path (domains_lookup
 * and dnsanswer_build on the same message): the same DNS message bytes
 * and the same outcome. */
static void same_answer(struct domains_view *v, const struct db_query *q)
{
	uint8_t c[16], mine[DNSANSWER_MAX];
	size_t mlen = db_msg_len(q), off;
	struct dnsanswer_query dq;
	struct ew_dns_answer a;
	uint32_t outcome = 0;
	struct pb in;
	struct out o;
	int n;

	db_frame(&in, q, NULL, 0);
	off = in.len - mlen; /* the answer's headers are as long as the query's */
	drain();
	run_frame(&in, &o);
	assert_int_equal(o.rc, TC_ACT_REDIRECT);
	assert_int_equal(drain(), 1);
	client16(q, c);
	assert_int_equal(dnsanswer_parse(in.buf + off, mlen, &dq), 0);
	assert_true(dq.dotted);
	assert_int_equal(domains_lookup(v, c, dq.name, strlen(dq.name), &a), 1);
	n = dnsanswer_build(in.buf + off, &dq, &a, mine, sizeof(mine), &outcome);
	assert_int_equal(n, o.len - off);
	assert_memory_equal(mine, o.buf + off, (size_t)n);
	assert_int_equal(outcome, ((const struct ew_mirror_rec *)fx.rec[0])->ack);
	assert_int_equal(a.rule_id, ((const struct ew_mirror_rec *)fx.rec[0])->seq);
}

/* Every kind of answer, with and without EDNS, the DO bit, over UDP and
 * TCP, v4 and v6, and the longest text: the agent writes what TC does. */
static void builder_agrees(void **state)
{
	static const struct {
		const char *name;
		uint16_t type;
		int edns, dnssec;
	} cases[] = {
		{"blocked.test", 1, 1, 0},    {"blocked.test", 28, 1, 1}, {"blocked.test", 1, 0, 0},
		{"wWw.BloCKed.TEST", 28, 0, 0}, {"blocked.test", 15, 1, 0}, {"blocked.test", 15, 0, 0},
		{"nx.test", 1, 1, 1},	      {"nx.test", 16, 0, 0},	  {"noede.test", 1, 1, 0},
		{"everyone.test", 28, 1, 0}, {"everyone.test", 1, 1, 0}, {"long.test", 1, 1, 1},
		{"long.test", 65, 0, 0},
	};
	char text[EW_DNS_TEXT_MAX + 1];
	struct domains_rule lr = {.rule_id = 12, .kind = EW_DNS_NXDOMAIN, .ede = 15, .text = text};
	struct domains_view *v;
	struct domains *d;

	(void)state;
	memset(text, 'x', EW_DNS_TEXT_MAX);
	text[EW_DNS_TEXT_MAX] = '\0';
	commit_set(1);
	d = domains_new();
	assert_non_null(d);
	assert_int_equal(domains_set(d, 1, "long.test", &lr), 0);
	assert_int_equal(domains_group_text(d, "10.1.0.0/16", 1), 0);
	assert_int_equal(domains_group_text(d, "fd00:1::/64", 1), 0);
	v = domains_view_open();
	assert_non_null(v);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			bool lng = !strcmp(cases[i].name, "long.test");
			struct db_query q = {4, MINOR4, RESOLVER, .name = cases[i].name,
					     .type = cases[i].type, .edns = cases[i].edns,
					     .dnssec = cases[i].dnssec};

			if (lng != (round == 1))
				continue;
			same_answer(v, &q);
			q.family = 6, q.src = MINOR6, q.dst = RESOLV6;
			same_answer(v, &q);
			q.tcp = 1, q.ts = 1, q.src = "fd00:1::7"; /* a new flow */
			same_answer(v, &q);
			q.family = 4, q.ts = 0, q.src = "10.1.7.7", q.dst = RESOLVER;
			same_answer(v, &q);
		}
		if (!round)
			assert_int_equal(domains_commit(d), 0); /* now long.test */
	}
	domains_view_close(v);
	domains_free(d);
	commit_set(1);
}

/* What the kernel does not read as a query, the agent does not either;
 * a query cut anywhere before its question and OPT end is not one. */
static void builder_refuses(void **state)
{
	static void (*const edits[])(struct pb *, size_t) = {
		e_response,   e_opcode,	 e_two_questions, e_answer_rr,	   e_pointer,	 e_long_label,
		e_edns_v1,    e_not_opt, e_truncated_bit, e_runaway_label, e_class_chaos};
	struct db_query q = {4, MINOR4, RESOLVER, .name = "blocked.test", .type = 1, .edns = 1};
	size_t m = 14 + 20 + 8, whole = 12 + 14 + 4 + 11;
	struct dnsanswer_query dq;
	struct pb b;

	(void)state;
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		spoiled(&b, edits[i]);
		assert_int_equal(dnsanswer_parse(b.buf + m, b.len - m, &dq), -EINVAL);
	}
	db_frame(&b, &q, NULL, 0);
	for (size_t len = 0; len <= b.len - m; len++)
		assert_int_equal(dnsanswer_parse(b.buf + m, len, &dq), len < whole ? -EINVAL : 0);
	assert_string_equal(dq.name, "blocked.test");
	assert_int_equal(dq.q_end, 12 + 14 + 4);
}

/* The proxy's DNS hook (agent/dnstcp): a minor's query for a blocked name
 * gets TC's answer; an exception, another group's client, a malformed
 * query get 0 (upstream). */
static void proxy_dns_hook(void **state)
{
	struct kside k = {.flows_fd = bpf_map__fd(fx.skel->maps.ew_flows_v1)};
	struct namewatch *w = namewatch_new(&(struct namewatch_conf){.kside = &k});
	struct dnstcp d = {.names = w};
	struct db_query q = {4, MINOR4, RESOLVER, .name = "www.blocked.test", .type = 28, .edns = 1};
	uint8_t ans[PROXY_DNS_ANSWER_MAX];
	struct proxy_dns_query pq = {.flow_id = 1, .cport = DB_SPORT, .sport = 53};
	size_t mlen = db_msg_len(&q), off;
	struct pb in;
	struct out o;

	(void)state;
	assert_non_null(w);
	db_frame(&in, &q, NULL, 0);
	off = in.len - mlen;
	run_frame(&in, &o);
	drain();
	assert_int_equal(o.rc, TC_ACT_REDIRECT);
	client16(&q, pq.client);
	pq.msg = in.buf + off;
	pq.len = mlen;
	assert_int_equal(dnstcp_answer(&d, &pq, ans, sizeof(ans)), o.len - off);
	assert_memory_equal(ans, o.buf + off, o.len - off);
	assert_int_equal(dnstcp_answer(&d, &pq, ans, 100), 0); /* no room: upstream */
	in.buf[off + 2] |= 0x80; /* a response: not a query */
	assert_int_equal(dnstcp_answer(&d, &pq, ans, sizeof(ans)), 0);
	q.name = "allowed.blocked.test";
	db_frame(&in, &q, NULL, 0);
	pq.msg = in.buf + in.len - db_msg_len(&q);
	pq.len = db_msg_len(&q);
	assert_int_equal(dnstcp_answer(&d, &pq, ans, sizeof(ans)), 0);
	q.name = "blocked.test";
	q.src = OTHER4;
	db_frame(&in, &q, NULL, 0);
	client16(&q, pq.client);
	pq.msg = in.buf + in.len - db_msg_len(&q);
	pq.len = db_msg_len(&q);
	assert_int_equal(dnstcp_answer(&d, &pq, ans, sizeof(ans)), 0);
	d.names = NULL; /* no tables' view: everything upstream */
	assert_int_equal(dnstcp_answer(&d, &pq, ans, sizeof(ans)), 0);
	namewatch_free(w);
}

/* ---- the agent's hook: a flow's server name --------------------------------- */

static void udp_flow(struct flow_info *fi, const char *client, const char *server)
{
	memset(fi, 0, sizeof(*fi));
	fi->proto = IPPROTO_UDP;
	fi->client_addr[10] = fi->client_addr[11] = 0xff;
	fi->server_addr[10] = fi->server_addr[11] = 0xff;
	inet_pton(AF_INET, client, fi->client_addr + 12);
	inet_pton(AF_INET, server, fi->server_addr + 12);
	fi->client_port = 50000;
	fi->server_port = 443;
	pb_key_v4(&fi->key, client, 50000, server, 443, IPPROTO_UDP);
}

/* What nDPI's classifier is to call for a QUIC Initial: a blocked name's
 * UDP flow gets a RESET verdict (XDP drops it both ways: test_xdp_reset);
 * an allowed name, or another group's client, gets none. */
static void quic_name_hook(void **state)
{
	struct kside k = {.flows_fd = bpf_map__fd(fx.skel->maps.ew_flows_v1)};
	struct namewatch *w = namewatch_new(&(struct namewatch_conf){.kside = &k});
	struct namewatch_stats st;
	struct flow_info fi;
	struct ew_verdict v;

	(void)state;
	assert_non_null(w);
	udp_flow(&fi, MINOR4, "198.51.100.7");
	assert_int_equal(namewatch_seen(w, &fi, "www.Blocked.test", "quic_sni", NULL), 1);
	assert_int_equal(get_verdict(&fi.key, &v), 0);
	assert_int_equal(v.action, EW_ACT_RESET);
	assert_int_equal(v.rule_id, 7);
	udp_flow(&fi, MINOR4, "198.51.100.8");
	assert_int_equal(namewatch_seen(w, &fi, "allowed.blocked.test", "quic_sni", NULL), 0);
	assert_int_equal(namewatch_seen(w, &fi, "elsewhere.test", "quic_sni", NULL), 0);
	udp_flow(&fi, OTHER4, "198.51.100.9");
	assert_int_equal(namewatch_seen(w, &fi, "blocked.test", "quic_sni", NULL), 0);
	assert_int_equal(get_verdict(&fi.key, &v), -ENOENT);
	namewatch_stats(w, &st);
	assert_int_equal(st.names, 4);
	assert_int_equal(st.blocked, 1);
	assert_int_equal(st.resets, 0); /* UDP: no resets */
	namewatch_free(w);
}

/* With a policy in force the policy decides a QUIC name (decide_name),
 * not the tables: its block rule for minors resets, a name the tables
 * block passes under its allow rule, and another group passes. */
static void quic_by_policy(void **state)
{
	static const char text[] =
		"lists: [{name: q, type: domain, entries: [\"*.quic.test\"]}]\n"
		"groups: [{name: minors, prefixes: [10.1.0.0/16]}]\n"
		"rules:\n"
		"  - {name: minors-quic, match: {group: minors, domain_list: q, at: quic}, "
		"action: block}\n"
		"  - {name: rest, action: allow}\n";
	char path[] = "/tmp/ew_test_dns_XXXXXX";
	struct kside k = {.flows_fd = bpf_map__fd(fx.skel->maps.ew_flows_v1)};
	int fd = mkstemp(path);
	struct listset ls = {0};
	struct rcu pol;
	struct decider dc = {.pol = &pol};
	struct namewatch *w;
	struct flow_info fi;
	struct ew_verdict v;
	struct diag d;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	rcu_init(&pol, apolicy_new(path, &ls, NULL, &d));
	unlink(path);
	assert_non_null(rcu_writer_get(&pol));
	w = namewatch_new(&(struct namewatch_conf){.kside = &k, .decide = decide_name,
						   .decide_ctx = &dc});
	assert_non_null(w);
	udp_flow(&fi, MINOR4, "198.51.100.20");
	assert_int_equal(namewatch_seen(w, &fi, "www.quic.test", "quic_sni", NULL), 1);
	assert_int_equal(get_verdict(&fi.key, &v), 0);
	assert_int_equal(v.rule_id, 0);
	assert_int_equal(namewatch_seen(w, &fi, "www.quic.test", "tls_sni", NULL), 0);
	udp_flow(&fi, MINOR4, "198.51.100.21");
	assert_int_equal(namewatch_seen(w, &fi, "blocked.test", "quic_sni", NULL), 0);
	udp_flow(&fi, OTHER4, "198.51.100.22");
	assert_int_equal(namewatch_seen(w, &fi, "www.quic.test", "quic_sni", NULL), 0);
	assert_int_equal(get_verdict(&fi.key, &v), -ENOENT);
	namewatch_free(w);
	apolicy_free(rcu_writer_get(&pol));
}

/* ---- the API's diagnostics ----------------------------------------------- */

static void api_errors(void **state)
{
	struct domains *d = domains_new();
	struct domains_rule r = r_nx;

	(void)state;
	assert_int_equal(domains_set(d, 0, "a..b", &r), -EINVAL);
	assert_string_equal(domains_error(d), "invalid name 'a..b': label 2 is empty");
	assert_int_equal(domains_set(d, 0, ".", &r), -EINVAL);
	assert_string_equal(domains_error(d), "invalid name '.': empty name");
	assert_int_equal(domains_set(d, 0,
				     "*.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z."
				     "ab.cd.ef.gh.ij.kl.mn.op.qr.st.uv.wx.yz.abcdefghijklmnopqrst."
				     "abcdefghijklmnopqrstuvwxyz.abcdefghijklmnopqrstuvwxyz."
				     "abcdefghijklmnopqrstuvwxyz.abcdefghijklmnopqrstuvwxyz."
				     "abcdefghijklmnopqrstuvwxyz.abcdefghijklmnopqrstuvwxyz.xyz",
				     &r),
			 -EINVAL);
	assert_string_equal(domains_error(d) + strlen(domains_error(d)) - 23,
			    ": longer than 253 bytes");
	assert_int_equal(
		domains_set(d, 0,
			    "a.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
			    &r),
		-EINVAL);
	assert_string_equal(domains_error(d) + strlen(domains_error(d)) - 31,
			    "label 2 is longer than 63 bytes");
	r.ede = 15;
	assert_int_equal(domains_set(d, 0, "nx.test", &r_nx), 0);
	assert_int_equal(domains_set(d, 0, "nx2.test", &r), -EINVAL);
	assert_string_equal(domains_error(d), "rule 8 given twice with different answers");
	assert_int_equal(domains_group_text(d, "10.0.0.0/33", 1), -EINVAL);
	domains_free(d);
}

/* ---- fixture ------------------------------------------------------------- */

static void cleanup_pins(void)
{
	char cmd[128];

	if (!pin_dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pin_dir);
	if (system(cmd))
		fprintf(stderr, "test_dns: couldn't remove %s\n", pin_dir);
}

static int load(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);

	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/ew_test_dns_%d", getpid());
	if (mkdir(pin_dir, 0700))
		return -errno;
	setenv("EDGEWARD_PIN_DIR", pin_dir, 1);
	fx.ncpu = libbpf_num_possible_cpus();
	fx.skel = ew_tc__open_opts(&opts);
	if (!fx.skel)
		return -errno;
	if (bpf_map__set_max_entries(fx.skel->maps.ew_mirror_v1, RING_BYTES))
		return -EINVAL;
	if (ew_tc__load(fx.skel))
		return -errno;
	fx.rb = ring_buffer__new(bpf_map__fd(fx.skel->maps.ew_mirror_v1), on_record, NULL, NULL);
	return fx.rb ? 0 : -errno;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_record_literal),	 cmocka_unit_test(notice_a_and_aaaa),
		cmocka_unit_test(suffix_case_ipv6),	 cmocka_unit_test(nodata_nxdomain),
		cmocka_unit_test(groups_and_exceptions), cmocka_unit_test(long_text_vlan),
		cmocka_unit_test(tcp_answer_and_verdict), cmocka_unit_test(tcp_ipv6_and_partial),
		cmocka_unit_test(malformed_pass),	 cmocka_unit_test(cuts_pass_untouched),
		cmocka_unit_test(fragment_pass),	 cmocka_unit_test(commit_switches),
		cmocka_unit_test(view_agrees),		 cmocka_unit_test(quic_name_hook),
		cmocka_unit_test(quic_by_policy),	 cmocka_unit_test(api_errors),
		cmocka_unit_test(builder_agrees),	 cmocka_unit_test(builder_refuses),
		cmocka_unit_test(proxy_dns_hook),
	};
	int rc = 1, err;

	if (geteuid() != 0) {
		printf("test_dns: skipped: BPF_PROG_TEST_RUN needs root\n");
		return 77;
	}
	err = load();
	if (err) {
		fprintf(stderr, "test_dns: couldn't load build/ew_tc.bpf.o: %s\n", strerror(-err));
		goto out;
	}
	commit_set(1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
out:
	ring_buffer__free(fx.rb);
	ew_tc__destroy(fx.skel);
	cleanup_pins();
	return rc;
}
