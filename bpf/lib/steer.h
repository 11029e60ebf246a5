/* SPDX-License-Identifier: GPL-2.0 */
/* TC side of inline inspection: hands the TCP flows on inline ports to the
 * agent's transparent proxy with bpf_sk_assign. A new flow's SYN goes to
 * the agent's listener (EW_MAP_PROXY); every later packet, either way, to
 * the socket that holds the connection on the edge:
 *
 *   client ──▶ accepted socket (local: server addr, port)  ┐ agent
 *   server ──▶ upstream socket (local: client addr, port)  ┘ relays
 *
 * A steered packet also gets ew_config.steer_mark, whose routing rule
 * delivers it locally (the forwarding path drops skbs with a socket). */
#ifndef EW_BPF_STEER_H
#define EW_BPF_STEER_H

#include "lib/counters.h"
#include "lib/flow.h"
#include "lib/tags.h"

/* The agent's transparent listeners, by family (EW_PROXY_IPV4/6). A socket
 * leaves the map when it closes, so a dead agent has no listener here. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_proxy_v1 SEC(".maps");

/* tcp/port's ew_port_tag flags when it is an inline port, else 0. */
static __always_inline __u16 ew_inline_port(__be16 port)
{
	struct ew_port_key k = {.port = port, .proto = IPPROTO_TCP};
	struct ew_port_tag *t = bpf_map_lookup_elem(&ew_ports_v1, &k);

	return t && (t->flags & EW_PORT_INLINE) ? t->flags : 0;
}

/* Fills the socket tuple of p in the packet's own direction (source = the
 * far end of the socket sought); returns its size for the lookup. */
static __always_inline __u32 ew_sock_tuple(const struct ew_pkt *p, struct bpf_sock_tuple *t)
{
	if (p->family == 4) {
		__builtin_memcpy(&t->ipv4.saddr, &p->src[12], 4);
		__builtin_memcpy(&t->ipv4.daddr, &p->dst[12], 4);
		t->ipv4.sport = p->sport;
		t->ipv4.dport = p->dport;
		return sizeof(t->ipv4);
	}
	__builtin_memcpy(t->ipv6.saddr, p->src, 16);
	__builtin_memcpy(t->ipv6.daddr, p->dst, 16);
	t->ipv6.sport = p->sport;
	t->ipv6.dport = p->dport;
	return sizeof(t->ipv6);
}

/* Assigns skb to sk and marks it for local delivery; counts ok or
 * EW_C_TC_STEER_FAILED. Releases sk. Returns 1 when assigned. */
static __always_inline int ew_assign(struct __sk_buff *skb, struct bpf_sock *sk, __u32 mark,
				     __u32 ok)
{
	long err = bpf_sk_assign(skb, sk, 0);

	bpf_sk_release(sk);
	if (err) {
		ew_count(EW_C_TC_STEER_FAILED, skb->len);
		return 0;
	}
	skb->mark = mark;
	ew_count(ok, skb->len);
	return 1;
}

/* A packet of a connection the agent already holds: the socket found by
 * its tuple in this netns, unless that is a listener (the edge's own
 * server, or a wildcard bind: not a proxied connection) or, for a new
 * SYN, a TIME_WAIT left by an earlier connection on the same ports (the
 * kernel would look for a listener on the server's address, which the
 * agent does not have; the new flow goes to the agent's listener
 * instead). Returns 1 when assigned; -1 when there is no such socket. */
static __always_inline int ew_steer_existing(struct __sk_buff *skb, const struct ew_pkt *p,
					     __u32 mark, int syn)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	__u32 len = ew_sock_tuple(p, &t);

	sk = bpf_skc_lookup_tcp(skb, &t, len, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return -1;
	if (sk->state == BPF_TCP_LISTEN || (syn && sk->state == BPF_TCP_TIME_WAIT)) {
		bpf_sk_release(sk);
		return -1;
	}
	return ew_assign(skb, sk, mark, EW_C_TC_STEER_EXISTING);
}

/* Whether the agent wants the new flow of p (to an inline port with
 * ew_port_tag flags port_flags): not exempted by a live ALLOW verdict, a
 * destination it steers (every one with EW_STEER_ALL, else those the
 * policy's tags want, lib/tags.h), and the agent taking new flows
 * (counted when it is not). */
static __always_inline int ew_steer_wanted(const struct ew_pkt *p, __u32 flags, __u16 port_flags,
					   __u32 len)
{
	struct ew_flow_key k;
	struct ew_verdict *v;

	ew_flow_key_make(p, &k);
	v = bpf_map_lookup_elem(&ew_flows_v1, &k);
	if (v && v->action == EW_ACT_ALLOW && ew_verdict_live(v, bpf_ktime_get_ns()))
		return 0;
	if (!(flags & EW_STEER_ALL) && !ew_tag_steer(p, port_flags))
		return 0;
	if (!(flags & EW_STEER_ACCEPT)) {
		ew_count(EW_C_TC_STEER_FULL, len);
		return 0;
	}
	return 1;
}

/* A new flow: its SYN goes to the agent's listener of its family. No
 * listener (the agent died, or has not registered one): the flow passes
 * unsteered. Returns 1 when assigned. */
static __always_inline int ew_steer_new(struct __sk_buff *skb, const struct ew_pkt *p, __u32 mark)
{
	__u32 idx = p->family == 6 ? EW_PROXY_IPV6 : EW_PROXY_IPV4;
	struct bpf_sock *sk;

	sk = bpf_map_lookup_elem(&ew_proxy_v1, &idx);
	if (sk && sk->state != BPF_TCP_LISTEN) {
		bpf_sk_release(sk);
		sk = NULL;
	}
	if (!sk) {
		ew_count(EW_C_TC_STEER_NO_LISTENER, skb->len);
		return 0;
	}
	return ew_assign(skb, sk, mark, EW_C_TC_STEER_NEW);
}

#endif /* EW_BPF_STEER_H */
