/* SPDX-License-Identifier: GPL-2.0 */
/* Bounded packet parsers shared by the XDP and TC programs: Ethernet,
 * 802.1Q/802.1ad, IPv4, IPv6 and its extension headers, TCP, UDP, ICMP(v6).
 * They read only through direct packet pointers checked against the end. */
#ifndef EW_BPF_PARSE_H
#define EW_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "ew_abi.h"

/* Loop bounds. Two tags: 802.1ad outer + 802.1Q inner; a third is an error.
 * Extension headers: a legal chain of the four types parsed has at most 5;
 * more multiply the verifier's paths (8 cost 93k insns, 6 cost 10k). */
#define EW_VLAN_MAX	2
#define EW_IPV6_EXT_MAX 6

#define EW_IP_OFFSET  0x1fff /* IPv4 fragment offset bits */
#define EW_IP6_OFFSET 0xfff8 /* IPv6 fragment offset bits */
#define EW_TCP_FIN    0x01   /* TCP flags (ew_pkt.tcp_flags) */
#define EW_TCP_SYN    0x02
#define EW_TCP_RST    0x04
#define EW_TCP_PSH    0x08
#define EW_TCP_ACK    0x10
#define EW_IP_MF      0x2000 /* IPv4 more fragments */
#define EW_IP6_MF     0x0001 /* IPv6 more fragments (M) */

struct ew_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* ICMP and ICMPv6 share this 8-byte shape (<linux/icmp.h> drags in libc
 * socket headers, which do not build for the BPF target). */
struct ew_icmp_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;
};

struct ew_frag6_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 id;
};

/* The cursor: the next header starts at pos; nothing at or past end exists. */
struct ew_cursor {
	void *pos;
	void *end;
};

/* What the parsers found. Addresses are IPv6 or IPv4-mapped IPv6; ports
 * are 0 unless the L4 header is TCP or UDP. Offsets count from the frame
 * start (the Ethernet header).
 *
 *   frame: | eth | vlan* | ip (+opts/ext) | l4 | payload ... | pad |
 *          0            l3_off           l4_off payload_off  ip_end
 */
struct ew_pkt {
	__u8 src[16];
	__u8 dst[16];
	__be16 sport;
	__be16 dport;
	__u32 seq; /* TCP, host order */
	__u32 ack;
	__u32 ip_end; /* end of the IP datagram per its length field */
	__u16 l3_off;
	__u16 l4_off;
	__u16 payload_off;
	__u8 proto;
	__u8 family; /* 4 or 6 once the addresses are read, else 0 */
	__u8 frag;   /* non-first fragment: no L4 header */
	__u8 tcp_flags;
	__u8 more;   /* more fragments follow (a first fragment: L4 read) */
};

/* Each parser below reads one header at c->pos, advances c->pos past it
 * and returns the next protocol (EtherType, IP protocol, or 0 after L4),
 * or -1 when the header is truncated or malformed. */

static __always_inline int ew_parse_eth(struct ew_cursor *c)
{
	struct ethhdr *eth = c->pos;

	if ((void *)(eth + 1) > c->end)
		return -1;
	c->pos = eth + 1;
	return bpf_ntohs(eth->h_proto);
}

static __always_inline int ew_is_vlan(int proto)
{
	return proto == ETH_P_8021Q || proto == ETH_P_8021AD;
}

static __always_inline int ew_parse_vlan(struct ew_cursor *c)
{
	struct ew_vlan_hdr *v = c->pos;

	if ((void *)(v + 1) > c->end)
		return -1;
	c->pos = v + 1;
	return bpf_ntohs(v->proto);
}

static __always_inline int ew_parse_ipv4(struct ew_cursor *c, struct ew_pkt *p)
{
	struct iphdr *ip = c->pos;
	__u32 hlen;

	if ((void *)(ip + 1) > c->end)
		return -1;
	hlen = ip->ihl * 4;
	if (ip->version != 4 || hlen < sizeof(*ip))
		return -1;
	if (c->pos + hlen > c->end)
		return -1;
	p->family = 4;
	p->src[10] = p->src[11] = 0xff;
	p->dst[10] = p->dst[11] = 0xff;
	__builtin_memcpy(&p->src[12], &ip->saddr, 4);
	__builtin_memcpy(&p->dst[12], &ip->daddr, 4);
	p->ip_end = p->l3_off + bpf_ntohs(ip->tot_len);
	p->frag = (ip->frag_off & bpf_htons(EW_IP_OFFSET)) != 0;
	p->more = (ip->frag_off & bpf_htons(EW_IP_MF)) != 0;
	c->pos += hlen;
	return ip->protocol;
}

static __always_inline int ew_parse_ipv6(struct ew_cursor *c, struct ew_pkt *p)
{
	struct ipv6hdr *ip6 = c->pos;

	if ((void *)(ip6 + 1) > c->end)
		return -1;
	if (ip6->version != 6)
		return -1;
	p->family = 6;
	__builtin_memcpy(p->src, &ip6->saddr, 16);
	__builtin_memcpy(p->dst, &ip6->daddr, 16);
	p->ip_end = p->l3_off + sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	c->pos = ip6 + 1;
	return ip6->nexthdr;
}

static __always_inline int ew_is_ipv6_ext(int nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_FRAGMENT ||
	       nh == IPPROTO_DSTOPTS;
}

/* One extension header of type nh (all are at least 8 bytes long). */
static __always_inline int ew_parse_ipv6_ext(struct ew_cursor *c, int nh, struct ew_pkt *p)
{
	struct ipv6_opt_hdr *h = c->pos;
	struct ew_frag6_hdr *f = c->pos;
	__u32 len = 8;

	if ((void *)f + sizeof(*f) > c->end)
		return -1;
	if (nh == IPPROTO_FRAGMENT) {
		p->frag = (f->frag_off & bpf_htons(EW_IP6_OFFSET)) != 0;
		p->more = (f->frag_off & bpf_htons(EW_IP6_MF)) != 0;
	} else {
		len = (h->hdrlen + 1) * 8;
	}
	if (c->pos + len > c->end)
		return -1;
	c->pos += len;
	return h->nexthdr;
}

static __always_inline int ew_parse_tcp(struct ew_cursor *c, struct ew_pkt *p)
{
	struct tcphdr *t = c->pos;
	__u32 hlen;

	if ((void *)(t + 1) > c->end)
		return -1;
	hlen = t->doff * 4;
	if (hlen < sizeof(*t) || c->pos + hlen > c->end)
		return -1;
	p->sport = t->source;
	p->dport = t->dest;
	p->seq = bpf_ntohl(t->seq);
	p->ack = bpf_ntohl(t->ack_seq);
	p->tcp_flags = ((__u8 *)t)[13];
	c->pos += hlen;
	return 0;
}

static __always_inline int ew_parse_udp(struct ew_cursor *c, struct ew_pkt *p)
{
	struct udphdr *u = c->pos;

	if ((void *)(u + 1) > c->end)
		return -1;
	p->sport = u->source;
	p->dport = u->dest;
	c->pos = u + 1;
	return 0;
}

static __always_inline int ew_parse_icmp(struct ew_cursor *c)
{
	struct ew_icmp_hdr *ic = c->pos;

	if ((void *)(ic + 1) > c->end)
		return -1;
	c->pos = ic + 1;
	return 0;
}

/* Ethernet and up to EW_VLAN_MAX tags; returns the EtherType or -counter. */
static __always_inline int ew_parse_l2(struct ew_cursor *c)
{
	int proto, i;

	proto = ew_parse_eth(c);
	if (proto < 0)
		return -EW_C_ERR_ETH;
	for (i = 0; i < EW_VLAN_MAX && ew_is_vlan(proto); i++) {
		proto = ew_parse_vlan(c);
		if (proto < 0)
			return -EW_C_ERR_VLAN;
	}
	if (ew_is_vlan(proto))
		return -EW_C_ERR_VLAN;
	return proto;
}

/* The IPv6 header and its extension chain; returns the L4 protocol or
 * -counter. Stops at a non-first fragment: what follows is not a header. */
static __always_inline int ew_parse_l3_v6(struct ew_cursor *c, struct ew_pkt *p)
{
	int nh, i;

	nh = ew_parse_ipv6(c, p);
	if (nh < 0)
		return -EW_C_ERR_IPV6;
	for (i = 0; i < EW_IPV6_EXT_MAX && ew_is_ipv6_ext(nh); i++) {
		nh = ew_parse_ipv6_ext(c, nh, p);
		if (nh < 0)
			return -EW_C_ERR_IPV6_EXT;
		if (p->frag)
			return nh;
	}
	if (ew_is_ipv6_ext(nh))
		return -EW_C_ERR_IPV6_EXT;
	return nh;
}

/* The L4 header of protocol proto; returns 0 or the error counter. Other
 * protocols have no header we read: their payload starts at l4_off. */
static __always_inline int ew_parse_l4(struct ew_cursor *c, int proto, struct ew_pkt *p)
{
	if (proto == IPPROTO_TCP) {
		if (ew_parse_tcp(c, p) < 0)
			return EW_C_ERR_TCP;
	} else if (proto == IPPROTO_UDP) {
		if (ew_parse_udp(c, p) < 0)
			return EW_C_ERR_UDP;
	} else if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		if (ew_parse_icmp(c) < 0)
			return EW_C_ERR_ICMP;
	}
	return 0;
}

/* Parses the frame [data, end) into *p (zeroed by the caller).
 * Returns 0 when every header through L4 was read, else the counter
 * (enum ew_counter_num) saying where and why parsing stopped: EW_C_NOT_IP,
 * EW_C_FRAGMENT (addresses valid, no L4), or an EW_C_ERR_* reason. After an
 * error p->family says whether the addresses were read. */
static __always_inline int ew_parse(void *data, void *end, struct ew_pkt *p)
{
	struct ew_cursor c = {.pos = data, .end = end};
	int proto;

	proto = ew_parse_l2(&c);
	if (proto < 0)
		return -proto;
	p->l3_off = c.pos - data;
	if (proto == ETH_P_IP) {
		proto = ew_parse_ipv4(&c, p);
		if (proto < 0)
			return EW_C_ERR_IPV4;
	} else if (proto == ETH_P_IPV6) {
		proto = ew_parse_l3_v6(&c, p);
		if (proto < 0)
			return -proto;
	} else {
		return EW_C_NOT_IP;
	}
	p->proto = proto;
	if (p->frag)
		return EW_C_FRAGMENT;
	p->l4_off = c.pos - data;
	proto = ew_parse_l4(&c, proto, p);
	p->payload_off = c.pos - data;
	return proto;
}

/* True for the counters that name a malformed or truncated header. */
static __always_inline int ew_parse_is_error(int why)
{
	return why >= EW_C_ERR_ETH && why <= EW_C_ERR_ICMP;
}

#endif /* EW_BPF_PARSE_H */
