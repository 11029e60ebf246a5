// SPDX-License-Identifier: GPL-2.0
/* XDP ingress, the first stage of the pipeline: drops packets from or to
 * blocked prefixes and packets of blocked flows at line rate; everything
 * else passes on to TC ingress (ew_tc.bpf.c) and the stack. */
#include "lib/counters.h"
#include "lib/flow.h"
#include "lib/maps.h"
#include "lib/parse.h"

/* Verdict for malformed or truncated headers, set before load through
 * skel->rodata. Default XDP_PASS (fail-open): a parser corner case must not
 * black-hole traffic, the stack validates headers again, and every such
 * packet is counted by reason. Address rules still apply whenever the
 * addresses were read, so a bad L4 header or an over-long IPv6 extension
 * chain does not smuggle a blocked prefix through. */
const volatile __u32 ew_malformed_verdict = XDP_PASS;

/* The rule of the longest prefix holding addr (IPv4-mapped when v4), if it
 * applies in direction dir (EW_MATCH_SRC or EW_MATCH_DST). */
static __always_inline struct ew_block_rule *lpm_match(const struct ew_pkt *p, const __u8 *addr,
						       __u32 dir)
{
	struct ew_block_rule *r;

	if (p->family == 4) {
		struct ew_lpm4_key k4 = {.prefixlen = 32};

		__builtin_memcpy(k4.addr, &addr[12], 4);
		r = bpf_map_lookup_elem(&ew_block4_v1, &k4);
	} else {
		struct ew_lpm6_key k6 = {.prefixlen = 128};

		__builtin_memcpy(k6.addr, addr, 16);
		r = bpf_map_lookup_elem(&ew_block6_v1, &k6);
	}
	if (r && r->flags && !(r->flags & dir))
		return NULL;
	return r;
}

/* True (and counted per rule) when the source or destination is blocked. */
static __always_inline int prefix_blocked(const struct ew_pkt *p, __u64 len)
{
	struct ew_block_rule *r;

	r = lpm_match(p, p->src, EW_MATCH_SRC);
	if (!r)
		r = lpm_match(p, p->dst, EW_MATCH_DST);
	if (!r)
		return 0;
	ew_count_rule(r->rule_id, len);
	return 1;
}

/* True (and counted per rule) when the flow has a live block verdict. */
static __always_inline int flow_blocked(const struct ew_pkt *p, __u64 len)
{
	struct ew_flow_key k;
	struct ew_verdict *v;

	ew_flow_key_make(p, &k);
	v = bpf_map_lookup_elem(&ew_flows_v1, &k);
	if (!v || v->action != EW_ACT_BLOCK)
		return 0;
	/* Read the clock only for verdicts that can expire. */
	if (v->expires_ns && !ew_verdict_live(v, bpf_ktime_get_ns()))
		return 0;
	ew_count_rule(v->rule_id, len);
	return 1;
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
	int why;

	ew_count(EW_C_RX, len);
	why = ew_xdp_parse(ctx, &p);
	if (why)
		ew_count(why, len);
	if (p.family && prefix_blocked(&p, len))
		return verdict(EW_C_DROP_PREFIX, XDP_DROP, len);
	if (ew_parse_is_error(why) && ew_malformed_verdict == XDP_DROP)
		return XDP_DROP;
	/* Flow verdicts need the L4 ports: not for fragments or errors. */
	if (!why && flow_blocked(&p, len))
		return verdict(EW_C_DROP_FLOW, XDP_DROP, len);
	return verdict(EW_C_PASS, XDP_PASS, len);
}

char LICENSE[] SEC("license") = "GPL";
