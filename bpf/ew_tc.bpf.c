// SPDX-License-Identifier: GPL-2.0
/* TC ingress, after XDP: answers DNS queries for blocked names itself,
 * back out of the interface they came in on (lib/dns.h); steers
 * the TCP flows on inline ports to the agent's transparent proxy (inline
 * mode, lib/steer.h), tags new flows to the server ports in ew_ports_v1,
 * or that the policy's tags want (clients, destinations, ports:
 * lib/tags.h), for inspection and mirrors the packets of tagged flows,
 * both directions, into the ew_mirror_v1 ring buffer for the agent. Drops
 * only a query it began to rewrite and could not finish; XDP does the
 * dropping. */
#include <linux/pkt_cls.h>

#define EW_DNS_TABLES
#include "lib/counters.h"
#include "lib/dns.h"
#include "lib/flow.h"
#include "lib/maps.h"
#include "lib/mirror.h"
#include "lib/parse.h"
#include "lib/reply.h"
#include "lib/steer.h"

/* Bytes of headers made linear before parsing, set before load through
 * skel->rodata. Enough for two tags, IPv6 with extensions and TCP options;
 * headers past it are read as truncated (not tagged, not mirrored). */
const volatile __u32 ew_tc_pull_len = 256;

/* Makes the first min(len, ew_tc_pull_len) bytes direct-readable. */
static __always_inline void linearize(struct __sk_buff *skb)
{
	__u32 want = skb->len < ew_tc_pull_len ? skb->len : ew_tc_pull_len;

	if (skb->data_end - skb->data < want)
		bpf_skb_pull_data(skb, want);
}

/* Global (not inlined) on purpose, as ew_xdp_parse(): verified once. */
__noinline int ew_tc_parse(struct __sk_buff *skb, struct ew_pkt *p)
{
	if (!p)
		return EW_C_ERR_ETH;
	__builtin_memset(p, 0, sizeof(*p));
	return ew_parse((void *)(long)skb->data, (void *)(long)skb->data_end, p);
}

/* Fail-open for inspection: with no agent beating (heartbeat 0, or older
 * than stale_after_ns) nobody reads the ring, so stop tagging and
 * mirroring. XDP keeps enforcing verdicts and blocklists regardless. A beat
 * ahead of this CPU's clock (written a moment ago elsewhere) is fresh. */
static __always_inline int agent_alive(const struct ew_config *cfg, __u64 now)
{
	if (!cfg || !cfg->heartbeat_ns)
		return 0;
	return now <= cfg->heartbeat_ns || now - cfg->heartbeat_ns <= cfg->stale_after_ns;
}

/* Inserts an INSPECT verdict for k when the destination (proto, port) of
 * p is tagged in ew_ports_v1 (an inline port without a mirror budget is
 * not, nor one limited to the policy's tags), or when a class of the
 * policy's tags wants it (lib/tags.h); returns the stored verdict or
 * NULL. */
static __always_inline struct ew_verdict *tag(const struct ew_pkt *p, const struct ew_flow_key *k,
					      const struct ew_config *cfg, __u64 now, __u32 len)
{
	struct ew_port_key pk = {.port = p->dport, .proto = p->proto};
	struct ew_verdict v = {.action = EW_ACT_INSPECT};
	struct ew_port_tag *t;

	t = bpf_map_lookup_elem(&ew_ports_v1, &pk);
	if (t && t->mirror_budget && !(t->flags & EW_PORT_LIMITED)) {
		v.rule_id = t->rule_id;
		v.mirror_budget = t->mirror_budget;
	} else if (!ew_tag_mirror(p, &v.mirror_budget)) {
		return NULL;
	}
	if (cfg->flow_ttl_s)
		v.expires_ns = now + (__u64)cfg->flow_ttl_s * 1000000000ull;
	if (bpf_map_update_elem(&ew_flows_v1, k, &v, BPF_ANY) < 0)
		return NULL;
	ew_count(EW_C_TC_TAGGED, len);
	return bpf_map_lookup_elem(&ew_flows_v1, k);
}

/* Spends one unit of the mirror budget on a payload packet; false when the
 * budget is used up. The decrement races with other CPUs: at worst a
 * packet more is mirrored. */
static __always_inline int spend(struct ew_verdict *v, const struct ew_pkt *p)
{
	if (v->mirror_budget == 0)
		return 0;
	if (v->mirror_budget != EW_MIRROR_ALL && p->ip_end > p->payload_off)
		v->mirror_budget--;
	return 1;
}

/* Inline steering of a parsed TCP packet (flags: ew_config.steer_flags,
 * which has EW_STEER_ON): the connection's socket on the edge if the agent
 * holds one, else for a SYN to an inline port the agent's listener.
 * Packets on no inline port cost two port lookups and no socket lookup.
 * Returns 1 when skb was assigned to a socket. Global, as ew_tc_parse. */
__noinline int ew_tc_steer(struct __sk_buff *skb, const struct ew_pkt *p, __u32 flags, __u32 mark)
{
	int syn, done;
	__u16 to_inline;

	if (!p)
		return 0;
	to_inline = ew_inline_port(p->dport);
	if (!to_inline && !ew_inline_port(p->sport))
		return 0;
	syn = (p->tcp_flags & (EW_TCP_SYN | EW_TCP_ACK)) == EW_TCP_SYN;
	done = ew_steer_existing(skb, p, mark, syn);
	if (done >= 0)
		return done;
	if (!syn || !to_inline || !ew_steer_wanted(p, flags, to_inline, skb->len))
		return 0;
	return ew_steer_new(skb, p, mark);
}

/* What a DNS query's answer costs to count: the outcome, its EDE, the
 * rule. */
static __always_inline void dns_count(const struct ew_dns_answer *a, const struct ew_dns_state *d,
				      __u32 outcome, __u32 len)
{
	ew_count(outcome, len);
	if (d->edns && a->ede)
		ew_count(EW_C_DNS_EDE, len);
	ew_count_rule(a->rule_id, len);
}

/* The DNS step: a query to port 53 for a blocked name (lib/dns.h) is
 * answered from here. Returns TC_ACT_REDIRECT (answered), TC_ACT_SHOT (a
 * rewrite that failed half way), or -1: the packet goes on as it came.
 * Every outcome is counted. Enforcement, not inspection: it does not wait
 * for the agent's heartbeat. Global, as ew_tc_parse. */
__noinline int ew_tc_dns(struct __sk_buff *skb, const struct ew_pkt *p)
{
	struct ew_tc_scratch *s;
	struct ew_dns_answer *a;
	struct ew_dns_gen *g;
	__u32 zero = 0, len, outcome = EW_C_DNS_FAILED, start;
	int n, rc;

	if (!p)
		return -1;
	g = bpf_map_lookup_elem(&ew_dnsgen_v1, &zero);
	s = bpf_map_lookup_elem(&ew_scratch, &zero);
	if (!g || !g->names || !s)
		return -1;
	if (p->more) {
		ew_count(EW_C_DNS_FRAGMENT, skb->len);
		return -1;
	}
	n = ew_dns_read(skb, p, s);
	s->d.n = n > 0 ? n : 0;
	s->d.gen = g->gen & 1;
	if (n <= 0 || ew_dns_parse(s)) {
		ew_count(n < 0 ? EW_C_DNS_TCP_PARTIAL : EW_C_DNS_MALFORMED, skb->len);
		return -1;
	}
	ew_count(EW_C_DNS_QUERY, skb->len);
	a = ew_dns_decide(p, s);
	if (!a || a->kind == EW_DNS_PASS) {
		ew_count(a ? EW_C_DNS_ALLOWED : EW_C_DNS_PASS, skb->len);
		return -1;
	}
	len = ew_dns_build(s, a, &outcome);
	if (len < EW_DNS_HDR || len > EW_REPLY_MAX - EW_DNS_MSG - 4)
		goto failed;
	__builtin_memset(s->r.buf + EW_DNS_MSG + len, 0, 3); /* the checksum's padding */
	start = ew_dns_l4(skb, p, s, len);
	rc = ew_reply_send(skb, p, &s->r, start, EW_DNS_MSG - start + len,
			   p->proto == IPPROTO_UDP ? 6 : 16);
	if (rc != TC_ACT_REDIRECT)
		goto failed_rc;
	dns_count(a, &s->d, outcome, skb->len);
	if (p->proto == IPPROTO_TCP)
		ew_dns_reset_flow(p, a->rule_id);
	ew_mirror_dns(skb, a->rule_id, outcome);
	return rc;
failed:
	rc = TC_ACT_OK;
failed_rc:
	ew_count(EW_C_DNS_FAILED, skb->len);
	return rc == TC_ACT_OK ? -1 : rc;
}

/* True for a packet the DNS step reads: UDP or TCP with payload to 53. */
static __always_inline int dns_query(const struct ew_pkt *p, __u32 len)
{
	if (p->dport != bpf_htons(EW_DNS_PORT))
		return 0;
	return p->proto == IPPROTO_UDP || ew_payload_len(p, len) > 0;
}

SEC("tc")
int ew_tc_ingress(struct __sk_buff *skb)
{
	struct ew_flow_key k;
	struct ew_pkt p;
	struct ew_config *cfg;
	struct ew_verdict *v;
	__u32 zero = 0;
	__u64 now;
	__u8 dir;
	int rc, alive;

	ew_count(EW_C_TC_RX, skb->len);
	cfg = bpf_map_lookup_elem(&ew_config_v2, &zero);
	now = bpf_ktime_get_ns();
	alive = cfg && agent_alive(cfg, now);
	if (!alive)
		ew_count(EW_C_TC_STALE, skb->len);
	linearize(skb);
	if (ew_tc_parse(skb, &p))
		return TC_ACT_OK;
	if (p.proto != IPPROTO_TCP && p.proto != IPPROTO_UDP)
		return TC_ACT_OK;
	if (dns_query(&p, skb->len)) {
		rc = ew_tc_dns(skb, &p);
		if (rc >= 0)
			return rc;
	}
	if (!alive || !cfg)
		return TC_ACT_OK;
	/* Fail-open: with steering off (or the agent stale, above) inline
	 * ports are forwarded, and mirrored if tagged. A steered packet is
	 * not mirrored: the agent reads the stream from its socket. */
	if ((cfg->steer_flags & EW_STEER_ON) && p.proto == IPPROTO_TCP &&
	    ew_tc_steer(skb, &p, cfg->steer_flags, cfg->steer_mark))
		return TC_ACT_OK;
	dir = ew_flow_key_make(&p, &k);
	v = bpf_map_lookup_elem(&ew_flows_v1, &k);
	if (!v || !ew_verdict_live(v, now))
		v = tag(&p, &k, cfg, now, skb->len);
	if (v && v->action == EW_ACT_INSPECT && spend(v, &p))
		ew_mirror(skb, &p, &k, dir, cfg->mirror_cap);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
