// SPDX-License-Identifier: GPL-2.0
/* XDP ingress, the first stage of the pipeline: drops packets from or to
 * blocked prefixes and packets of blocked flows at line rate; everything
 * else passes on to TC ingress (ew_tc.bpf.c) and the stack. */
#define EW_PREFIX_TABLES
#include "lib/counters.h"
#include "lib/flow.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/reset.h"

/* Verdict for malformed or truncated headers, set before load through
 * skel->rodata. Default XDP_PASS (fail-open): a parser corner case must not
 * black-hole traffic, the stack validates headers again, and every such
 * packet is counted by reason. Address rules still apply whenever the
 * addresses were read, so a bad L4 header or an over-long IPv6 extension
 * chain does not smuggle a blocked prefix through. */
const volatile __u32 ew_malformed_verdict = XDP_PASS;

/* Prefix lengths one lookup may probe (/0 to /128): the loop bound. */
#define EW_PLEN_MAX 129
/* The bits of a table's lens[] that can mean a length: /0../32, and /128
 * in the last IPv6 word. */
#define EW_LENS_V4_BITS ((1ull << 33) - 1)
#define EW_LENS_V6_HI_BITS 1ull

/* 1 if x (below 2^63) is not 0, else 0, without a branch. */
static __always_inline __u64 ew_nonzero(__u64 x)
{
	return (x | (0 - x)) >> 63;
}

/* Index of the highest set bit of x, which is not 0. Branchless on
 * purpose: each branch would double the paths the verifier walks through
 * the lookup step. */
static __always_inline __u32 ew_fls64(__u64 x)
{
	__u64 n = 0, b;

	b = ew_nonzero(x >> 32) << 5;
	n += b;
	x >>= b;
	b = ew_nonzero(x >> 16) << 4;
	n += b;
	x >>= b;
	b = ew_nonzero(x >> 8) << 3;
	n += b;
	x >>= b;
	b = ew_nonzero(x >> 4) << 2;
	n += b;
	x >>= b;
	b = ew_nonzero(x >> 2) << 1;
	n += b;
	x >>= b;
	return (__u32)(n + (x >> 1));
}

/* Network-order mask keeping the first bits (clamped to 0..32) of a
 * 32-bit word. */
static __always_inline __u32 ew_mask32(__s32 bits)
{
	if (bits <= 0)
		return 0;
	if (bits >= 32)
		return 0xffffffffu;
	return bpf_htonl(0xffffffffu << (32 - bits));
}

/* One longest-prefix lookup of a packet's two addresses in progress: the
 * lengths still to probe (bit L of lens[L / 64] stands for /L; for IPv4
 * only lens[0]) and what each address found so far. */
struct ew_match {
	__u8 addr[2][16];	/* source, destination; IPv4-mapped when family is 4 */
	__u64 lens[3];
	__s64 rule[2];		/* per address: a rule id, or -1 */
	__u32 family;
	__u32 cls;		/* size class of the family's table (EW_MAP_PTCLASS) */
};

/* Takes the longest length left out of m->lens; -1 when none is. */
static __always_inline int ew_match_next_len(struct ew_match *m)
{
	__u32 len;

	if (m->lens[2]) {
		m->lens[2] = 0;
		return 128;
	}
	if (m->lens[1]) {
		len = ew_fls64(m->lens[1]);
		m->lens[1] &= ~(1ull << len);
		return 64 + len;
	}
	if (m->lens[0]) {
		len = ew_fls64(m->lens[0]);
		m->lens[0] &= ~(1ull << len);
		return len;
	}
	return -1;
}

/* A slot (its meta word) matched address `which` (0: source, 1:
 * destination): the answer for that address if its rule applies in that
 * direction, else the lookup goes on to shorter lengths. */
static __always_inline void ew_pt_hit(struct ew_match *m, int which, __u32 meta)
{
	__u32 flags = EW_PT_FLAGS(meta);

	if (!flags || (flags & (which ? EW_MATCH_DST : EW_MATCH_SRC)))
		m->rule[which] = EW_PT_RULE(meta);
}

/* Copies the table's lengths in use into m, cut to the family's. */
static __always_inline int ew_pt_lens(struct ew_match *m, const struct ew_pt_head *h)
{
	m->lens[0] = h->lens[0];
	m->lens[1] = h->lens[1];
	m->lens[2] = h->lens[2] & EW_LENS_V6_HI_BITS;
	if (m->family == 4) {
		m->lens[0] &= EW_LENS_V4_BITS;
		m->lens[1] = 0;
		m->lens[2] = 0;
	}
	return 0;
}

/* Looks m's address `which` (IPv4) masked to /len up in table `in` (head
 * h): its first bucket, and its second if the first says prefixes
 * spilled. */
static __always_inline void ew_pt4_find(void *in, const struct ew_pt_head *h, struct ew_match *m,
					int which, __u32 len)
{
	struct ew_pt4_bucket *b;
	__u32 a, i;
	__u64 hash;

	__builtin_memcpy(&a, &m->addr[which][12], 4);
	a &= ew_mask32((__s32)len);
	hash = ew_pt4_hash(a, len, h->seed);
	for (int way = 0; way < EW_PT_WAYS; way++) {
		i = 1 + ew_pt_way(hash, h->nb, way);
		b = bpf_map_lookup_elem(in, &i);
		if (!b)
			return;
		for (int s = 0; s < EW_PT4_SLOTS; s++) {
			if (b->addr[s] == a && EW_PT_PLEN1(b->meta[s]) == len + 1) {
				ew_pt_hit(m, which, b->meta[s]);
				return;
			}
		}
		if (!b->ovf)
			return;
	}
}

/* The same for IPv6, comparing the address as two 64-bit words. */
static __always_inline void ew_pt6_find(void *in, const struct ew_pt_head *h, struct ew_match *m,
					int which, __u32 len)
{
	struct ew_pt6_bucket *b;
	__u64 a0, a1, s0, s1, hash;
	__u32 w[4], i;

	for (int q = 0; q < 4; q++) {
		__builtin_memcpy(&w[q], &m->addr[which][4 * q], 4);
		w[q] &= ew_mask32((__s32)len - 32 * q);
	}
	__builtin_memcpy(&a0, &w[0], 8);
	__builtin_memcpy(&a1, &w[2], 8);
	hash = ew_pt6_hash(a0, a1, len, h->seed);
	for (int way = 0; way < EW_PT_WAYS; way++) {
		i = 1 + ew_pt_way(hash, h->nb, way);
		b = bpf_map_lookup_elem(in, &i);
		if (!b)
			return;
		for (int s = 0; s < EW_PT6_SLOTS; s++) {
			__builtin_memcpy(&s0, &b->addr[s][0], 8);
			__builtin_memcpy(&s1, &b->addr[s][8], 8);
			if (s0 == a0 && s1 == a1 && EW_PT_PLEN1(b->meta[s]) == len + 1) {
				ew_pt_hit(m, which, b->meta[s]);
				return;
			}
		}
		if (!b->ovf)
			return;
	}
}

/* One function per family and size class, as each class's inner arrays
 * have their own size; global, so the verifier checks each once, whatever
 * the state of the loop that calls it. It fetches the table in use, then with len < 0 loads
 * its lengths into m, else probes /len for each address not decided yet;
 * returns 1 once the source is (it takes precedence) or no length is left,
 * so a table with one length in use takes one loop step, not two. Head and
 * buckets come from the same table, so a swap between two calls never
 * mixes tables. */
#define EW_PT_STEP(fam, k)							\
	__noinline int ew_pt##fam##_step_##k(struct ew_match *m, __s32 len)		\
	{									\
		__u32 zero = 0;							\
		void *in = bpf_map_lookup_elem(&ew_pt##fam##c##k##_v1, &zero);	\
		struct ew_pt_head *h;						\
										\
		if (!m || !in)							\
			return 0;						\
		h = bpf_map_lookup_elem(in, &zero);				\
		if (!h)								\
			return 0;						\
		if (len < 0)							\
			return ew_pt_lens(m, h);				\
		if (m->rule[0] < 0)						\
			ew_pt##fam##_find(in, h, m, 0, (__u32)len);		\
		if (m->rule[1] < 0)						\
			ew_pt##fam##_find(in, h, m, 1, (__u32)len);		\
		return m->rule[0] >= 0 || !(m->lens[0] | m->lens[1] | m->lens[2]); \
	}
EW_PT_FOR_CLASSES(EW_PT_STEP, 4);
EW_PT_FOR_CLASSES(EW_PT_STEP, 6);

#define EW_PT_CASE(fam, k)	  \
	case k:			  \
		return ew_pt##fam##_step_##k(m, len)

/* Dispatches to the step of m's family and class. */
static __always_inline int ew_pt_step(struct ew_match *m, __s32 len)
{
	if (m->family == 4) {
		switch (m->cls) {
			EW_PT_FOR_CLASSES(EW_PT_CASE, 4);
		}
		return 0;
	}
	switch (m->cls) {
		EW_PT_FOR_CLASSES(EW_PT_CASE, 6);
	}
	return 0;
}

/* bpf_loop step: probes the longest length left; stops (returns 1) when
 * the source has its rule, or when no length is left (found here or by the
 * step function after its probe). */
static long ew_match_step(__u32 i, void *ctx)
{
	struct ew_match *m = ctx;
	int len = ew_match_next_len(m);

	(void)i;
	if (len < 0)
		return 1;
	return ew_pt_step(m, len) != 0; /* a global function's int: make it 0/1 */
}

/* The rule of the longest blocked prefix holding p's source whose rule
 * applies to sources; failing that, the same for its destination; else
 * -1. Both addresses are probed in one pass over the lengths in use, from
 * the longest down, so a longer prefix blocking only the other direction
 * does not hide a shorter one. bpf_loop (at most EW_PLEN_MAX steps) has
 * the verifier check the step once instead of once per possible length;
 * global (not inlined) so the whole lookup is checked once, not on every
 * path that reaches it. */
__noinline __s64 ew_block_match(const struct ew_pkt *p)
{
	struct ew_match m = {.rule = {-1, -1}};
	__u32 fam, *cls;

	if (!p)
		return -1;
	fam = p->family == 6;
	cls = bpf_map_lookup_elem(&ew_ptcls_v1, &fam);
	if (!cls || !*cls)
		return -1;
	m.cls = *cls;
	m.family = p->family;
	__builtin_memcpy(m.addr[0], p->src, 16);
	__builtin_memcpy(m.addr[1], p->dst, 16);
	ew_pt_step(&m, -1);
	if (m.lens[0] | m.lens[1] | m.lens[2])
		bpf_loop(EW_PLEN_MAX, ew_match_step, &m, 0);
	return m.rule[0] >= 0 ? m.rule[0] : m.rule[1];
}

/* True (and counted per rule) when the source or destination is blocked. */
static __always_inline int prefix_blocked(const struct ew_pkt *p, __u64 len)
{
	__s64 rule = ew_block_match(p);

	if (rule < 0)
		return 0;
	ew_count_rule((__u32)rule, len);
	return 1;
}

/* The flow's live verdict if it drops packets (EW_ACT_BLOCK or
 * EW_ACT_RESET, counted per rule), else EW_ACT_NONE. */
static __always_inline int flow_blocked(const struct ew_pkt *p, __u64 len)
{
	struct ew_flow_key k;
	struct ew_verdict *v;

	ew_flow_key_make(p, &k);
	v = bpf_map_lookup_elem(&ew_flows_v1, &k);
	if (!v || (v->action != EW_ACT_BLOCK && v->action != EW_ACT_RESET))
		return EW_ACT_NONE;
	/* Read the clock only for verdicts that can expire. */
	if (v->expires_ns && !ew_verdict_live(v, bpf_ktime_get_ns()))
		return EW_ACT_NONE;
	ew_count_rule(v->rule_id, len);
	return v->action;
}

/* Global (not inlined) on purpose: the verifier checks it once, instead of
 * walking every parser path again through the lookups that follow, which
 * see only the scalars left in *p. Returns ew_parse()'s result. */
__noinline int ew_xdp_parse(struct xdp_md *ctx, struct ew_pkt *p)
{
	if (!p)
		return EW_C_ERR_ETH;
	__builtin_memset(p, 0, sizeof(*p));
	return ew_parse((void *)(long)ctx->data, (void *)(long)ctx->data_end, p);
}

static __always_inline int verdict(__u32 counter, int action, __u64 len)
{
	ew_count(counter, len);
	return action;
}

SEC("xdp")
int ew_xdp_ingress(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;
	struct ew_pkt p;
	int why, act;

	ew_count(EW_C_RX, len);
	why = ew_xdp_parse(ctx, &p);
	if (why)
		ew_count(why, len);
	if (p.family && prefix_blocked(&p, len))
		return verdict(EW_C_DROP_PREFIX, XDP_DROP, len);
	if (ew_parse_is_error(why) && ew_malformed_verdict == XDP_DROP)
		return XDP_DROP;
	/* Flow verdicts need the L4 ports: not for fragments or errors. */
	act = why ? EW_ACT_NONE : flow_blocked(&p, len);
	if (act == EW_ACT_RESET && ew_xdp_reset(ctx, &p, len) == XDP_TX)
		return verdict(EW_C_RESET_TX, XDP_TX, len);
	if (act != EW_ACT_NONE)
		return verdict(EW_C_DROP_FLOW, XDP_DROP, len);
	return verdict(EW_C_PASS, XDP_PASS, len);
}

char LICENSE[] SEC("license") = "GPL";
