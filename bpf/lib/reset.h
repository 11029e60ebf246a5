/* SPDX-License-Identifier: GPL-2.0 */
/* A TCP reset in place of a dropped packet, sent back to its sender
 * (XDP_TX): the answer a firewall's "reject with tcp-reset" gives. Its
 * sequence number is the packet's acknowledgement number, which is exactly
 * what the sender expects next (RFC 9293 3.10.7.3, RFC 5961 3.2), so the
 * sender's connection ends at once, however far the agent's view of the
 * flow lags behind. */
#ifndef EW_BPF_RESET_H
#define EW_BPF_RESET_H

#include "parse.h"

/* Largest l4_off a reset is built for: Ethernet, two VLAN tags, IPv6. */
#define EW_RESET_L4_MAX (14 + 2 * 4 + 40)

struct ew_pseudo4 {
	__be32 src, dst;
	__u8 zero, proto;
	__be16 len;
};

struct ew_pseudo6 {
	__be32 src[4], dst[4];
	__be32 len;
	__u8 zero[3], next;
};

static __always_inline __u16 ew_csum_fold(__s64 sum)
{
	__u64 c = (__u64)sum;

	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	return (__u16)~c;
}

static __always_inline void ew_swap16(__u8 *a, __u8 *b)
{
	for (int i = 0; i < 16; i++) {
		__u8 t = a[i];

		a[i] = b[i];
		b[i] = t;
	}
}

/* Turns the IPv4 header h into the reset's (addresses swapped, length of a
 * bare TCP header) and returns the partial checksum of its TCP pseudo
 * header. */
static __always_inline __s64 ew_reset_ip4(struct iphdr *h)
{
	struct ew_pseudo4 ph;
	__be32 t = h->saddr;

	h->saddr = h->daddr;
	h->daddr = t;
	h->tot_len = bpf_htons(sizeof(*h) + sizeof(struct tcphdr));
	h->id = 0;
	h->frag_off = bpf_htons(0x4000); /* DF */
	h->ttl = 64;
	h->check = 0;
	h->check = ew_csum_fold(bpf_csum_diff(0, 0, (void *)h, sizeof(*h), 0));
	ph = (struct ew_pseudo4){h->saddr, h->daddr, 0, IPPROTO_TCP,
				 bpf_htons(sizeof(struct tcphdr))};
	return bpf_csum_diff(0, 0, (void *)&ph, sizeof(ph), 0);
}

/* The same for an IPv6 header (no extension headers). */
static __always_inline __s64 ew_reset_ip6(struct ipv6hdr *h)
{
	struct ew_pseudo6 ph = {.len = bpf_htonl(sizeof(struct tcphdr)), .next = IPPROTO_TCP};

	ew_swap16(h->saddr.s6_addr, h->daddr.s6_addr);
	h->payload_len = bpf_htons(sizeof(struct tcphdr));
	h->hop_limit = 64;
	__builtin_memcpy(ph.src, h->saddr.s6_addr, 16);
	__builtin_memcpy(ph.dst, h->daddr.s6_addr, 16);
	return bpf_csum_diff(0, 0, (void *)&ph, sizeof(ph), 0);
}

/* Rewrites the TCP packet p (parsed by ew_parse; the frame len bytes) into a reset to its
 * sender and returns XDP_TX, or XDP_DROP when it should get none (a reset
 * itself, IP options or IPv6 extension headers, a frame it cannot shrink). */
static __always_inline int ew_xdp_reset(struct xdp_md *ctx, const struct ew_pkt *p, __u64 len)
{
	__u32 l3 = p->l3_off, l4 = p->l4_off, seglen;
	void *data, *end, *ip;
	__s64 sum;
	struct ethhdr *eth;
	struct tcphdr *t;
	__u8 mac[ETH_ALEN], *b;
	__u32 seq, ack;
	__u8 flags;

	if (p->proto != IPPROTO_TCP || p->frag || (p->tcp_flags & EW_TCP_RST) ||
	    l4 != l3 + (p->family == 4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr)) ||
	    l4 > EW_RESET_L4_MAX || p->ip_end < p->payload_off)
		return XDP_DROP;
	seglen = p->ip_end - p->payload_off;
	seglen += !!(p->tcp_flags & EW_TCP_SYN) + !!(p->tcp_flags & EW_TCP_FIN);
	/* with an ACK the sender expects seq = its ack; without one (a bare
	 * SYN) the reset acknowledges the segment instead */
	seq = (p->tcp_flags & EW_TCP_ACK) ? p->ack : 0;
	ack = (p->tcp_flags & EW_TCP_ACK) ? 0 : p->seq + seglen;
	flags = (p->tcp_flags & EW_TCP_ACK) ? EW_TCP_RST : EW_TCP_RST | EW_TCP_ACK;
	if (len > 0xffff || bpf_xdp_adjust_tail(ctx, (int)(l4 + sizeof(*t)) - (int)len))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	t = data + l4;
	if (l4 > EW_RESET_L4_MAX || (void *)(t + 1) > end || (void *)(eth + 1) > end)
		return XDP_DROP;
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	b = (__u8 *)t;
	__builtin_memcpy(mac, b, 2); /* the ports */
	__builtin_memcpy(b, b + 2, 2);
	__builtin_memcpy(b + 2, mac, 2);
	t->seq = bpf_htonl(seq);
	t->ack_seq = bpf_htonl(ack);
	b[12] = (sizeof(*t) / 4) << 4;
	b[13] = flags;
	t->window = 0;
	t->urg_ptr = 0;
	t->check = 0;
	if (l3 > EW_RESET_L4_MAX)
		return XDP_DROP;
	ip = data + l3;
	if (p->family == 4) {
		if (ip + sizeof(struct iphdr) > end)
			return XDP_DROP;
		sum = ew_reset_ip4(ip);
	} else {
		if (ip + sizeof(struct ipv6hdr) > end)
			return XDP_DROP;
		sum = ew_reset_ip6(ip);
	}
	t->check = ew_csum_fold(bpf_csum_diff(0, 0, (void *)t, sizeof(*t), sum));
	return XDP_TX;
}

#endif
