/* SPDX-License-Identifier: GPL-2.0 */
/* TC: turns a received packet into a reply to its sender, in place, and
 * sends it back out of the interface it came in on. The caller builds the
 * reply's L4 header and payload in a scratch buffer (a DNS answer, a TCP
 * reset); this sets the L4 checksum, swaps the Ethernet and IP addresses,
 * fixes the IP length (and the IPv4 header checksum) and redirects:
 *
 *   in:  | eth A>B | vlan* | ip A>B (+options) | l4 A>B | payload ........ |
 *   out: | eth B>A | vlan* | ip B>A (+options) | buf[start, start + len)   |
 *
 * VLAN tags, IP options and the TTL stay as they came. */
#ifndef EW_BPF_REPLY_H
#define EW_BPF_REPLY_H

#include <linux/pkt_cls.h>

#include "lib/parse.h"

#define EW_REPLY_MAX  512 /* scratch: the reply's L4 header and payload */
#define EW_REPLY_ROOM 36  /* bytes before a message: room for a TCP header
			   * with timestamps (32) and DNS's length prefix (2) */
#define EW_L3_OFF_MAX 22  /* Ethernet and two VLAN tags */

struct ew_reply {
	__u8 buf[EW_REPLY_MAX];
	__u8 pseudo[40]; /* the L4 checksum's pseudo-header */
};

/* The L4 checksum of buf[start, start + len) (its checksum field zero,
 * three zero bytes after it) as sent from p's destination to its source;
 * in memory order, ready to store. */
static __always_inline __u16 ew_reply_csum(const struct ew_pkt *p, struct ew_reply *r, __u32 start,
					   __u32 len)
{
	__u32 plen = 12, len4 = (len + 3) & ~3u;
	__s64 sum;

	if (p->family == 4) {
		__builtin_memcpy(r->pseudo, &p->dst[12], 4);
		__builtin_memcpy(r->pseudo + 4, &p->src[12], 4);
		r->pseudo[8] = 0;
		r->pseudo[9] = p->proto;
		r->pseudo[10] = len >> 8;
		r->pseudo[11] = len;
	} else {
		__builtin_memcpy(r->pseudo, p->dst, 16);
		__builtin_memcpy(r->pseudo + 16, p->src, 16);
		r->pseudo[32] = 0;
		r->pseudo[33] = 0;
		r->pseudo[34] = len >> 8;
		r->pseudo[35] = len;
		r->pseudo[36] = r->pseudo[37] = r->pseudo[38] = 0;
		r->pseudo[39] = p->proto;
		plen = 40;
	}
	if (start > EW_REPLY_ROOM || len4 > EW_REPLY_MAX - EW_REPLY_ROOM)
		return 0;
	sum = bpf_csum_diff(NULL, 0, (__be32 *)r->pseudo, plen, 0);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)(r->buf + start), len4, (__wsum)sum);
	sum = (sum & 0xffff) + ((sum >> 16) & 0xffff);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	/* UDP: 0 means "no checksum" (and is not allowed over IPv6) */
	return p->proto == IPPROTO_UDP && sum == 0 ? 0xffff : (__u16)sum;
}

/* Toggles the Ethernet addresses of the packet at [data, end), writes its
 * IP addresses (p's swapped when back, for a reply; p's own when not) and
 * its IP length for an L4 part of len bytes. Gives the old and new IPv4
 * total length (network order) through *old_len / *new_len; -1 when the
 * headers are no longer where p says. */
static __always_inline int ew_reply_addrs(void *data, void *end, const struct ew_pkt *p, __u32 len,
					  int back, __be16 *old_len, __be16 *new_len)
{
	const __u8 *src = back ? p->dst : p->src, *dst = back ? p->src : p->dst;
	__u32 l3 = p->l3_off;
	__u8 tmp[6];
	__u8 *ip;

	if (data + ETH_HLEN > end || l3 > EW_L3_OFF_MAX)
		return -1;
	__builtin_memcpy(tmp, data, 6);
	__builtin_memcpy(data, data + 6, 6);
	__builtin_memcpy(data + 6, tmp, 6);
	ip = data + l3;
	if (p->family == 4) {
		if ((void *)(ip + 20) > end)
			return -1;
		__builtin_memcpy(old_len, ip + 2, 2);
		*new_len = bpf_htons(p->l4_off - l3 + len);
		__builtin_memcpy(ip + 2, new_len, 2);
		__builtin_memcpy(ip + 12, &src[12], 4);
		__builtin_memcpy(ip + 16, &dst[12], 4);
		return 0;
	}
	if ((void *)(ip + 40) > end)
		return -1;
	*new_len = bpf_htons(p->l4_off - l3 - 40 + len);
	__builtin_memcpy(ip + 4, new_len, 2);
	__builtin_memcpy(ip + 8, src, 16);
	__builtin_memcpy(ip + 24, dst, 16);
	return 0;
}

/* Makes buf[start, start + len) the L4 header and payload of the packet
 * (its checksum field, at csum_off from start, zero; three zero bytes
 * after it), addressed back to p's sender or, not back, on to p's
 * receiver. Returns 0; 1 when the packet could not be resized (it is
 * unchanged); -1 when it was changed but not finished. */
static __always_inline int ew_reply_write(struct __sk_buff *skb, const struct ew_pkt *p,
					  struct ew_reply *r, __u32 start, __u32 len,
					  __u32 csum_off, int back)
{
	__be16 old_len = 0, new_len = 0;
	__u16 csum = ew_reply_csum(p, r, start, len);

	if (start > EW_REPLY_ROOM || len < 8 || len > EW_REPLY_MAX - EW_REPLY_ROOM - 4 ||
	    csum_off > 16)
		return 1;
	__builtin_memcpy(r->buf + start + csum_off, &csum, 2);
	if (bpf_skb_change_tail(skb, p->l4_off + len, 0))
		return 1;
	if (bpf_skb_store_bytes(skb, p->l4_off, r->buf + start, len, 0))
		return -1;
	if (ew_reply_addrs((void *)(long)skb->data, (void *)(long)skb->data_end, p, len, back,
			   &old_len, &new_len))
		return -1;
	/* The addresses' sum is the same either way round. */
	if (p->family == 4 && old_len != new_len &&
	    bpf_l3_csum_replace(skb, p->l3_off + 10, old_len, new_len, sizeof(new_len)))
		return -1;
	return 0;
}

/* Sends buf[start, start + len) back to p's sender as a reply (see
 * ew_reply_write). Returns TC_ACT_REDIRECT; TC_ACT_OK when the packet
 * could not be resized (it passes unchanged); TC_ACT_SHOT when it was
 * changed but not finished (it must not go on). */
static __always_inline int ew_reply_send(struct __sk_buff *skb, const struct ew_pkt *p,
					 struct ew_reply *r, __u32 start, __u32 len, __u32 csum_off)
{
	int rc = ew_reply_write(skb, p, r, start, len, csum_off, 1);

	if (rc)
		return rc > 0 ? TC_ACT_OK : TC_ACT_SHOT;
	return bpf_redirect(skb->ifindex, 0);
}

/* The payload bytes of p (per its IP length, within the frame of len). */
static __always_inline __u32 ew_payload_len(const struct ew_pkt *p, __u32 len)
{
	__u32 end = p->ip_end < len ? p->ip_end : len;

	return end > p->payload_off ? end - p->payload_off : 0;
}

/* A reset's TCP header at t for TCP packet p (payload bytes) of a flow
 * blocked by name. Back to its sender (RFC 9293 3.10.7.1): with an ACK,
 * <SEQ=SEG.ACK><CTL=RST>, without, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,
 * ACK>; the sender's window starts where its ACK says, so it takes the
 * reset at once. On to its receiver: <SEQ=SEG.SEQ><CTL=RST>, the next
 * byte that receiver expects when p comes in order. */
static __always_inline void ew_reset_hdr(__u8 *t, const struct ew_pkt *p, __u32 payload, int back)
{
	__u32 seq = p->seq, ack = 0;
	__u8 flags = EW_TCP_RST;

	if (back && (p->tcp_flags & EW_TCP_ACK)) {
		seq = p->ack;
	} else if (back) {
		seq = 0;
		ack = p->seq + payload + !!(p->tcp_flags & EW_TCP_SYN) +
		      !!(p->tcp_flags & EW_TCP_FIN);
		flags |= EW_TCP_ACK;
	}
	__builtin_memset(t, 0, 24);
	__builtin_memcpy(t, back ? &p->dport : &p->sport, 2);
	__builtin_memcpy(t + 2, back ? &p->sport : &p->dport, 2);
	seq = bpf_htonl(seq);
	ack = bpf_htonl(ack);
	__builtin_memcpy(t + 4, &seq, 4);
	__builtin_memcpy(t + 8, &ack, 4);
	t[12] = 5 << 4;
	t[13] = flags;
}

/* Answers TCP packet p with resets to both ends: one back to its sender,
 * sent at once (a clone), then one on to its receiver in p's place. Both
 * ends learn at the first packet either sends, whoever of them it is.
 * Returns TC_ACT_OK (the onward reset goes its way) or TC_ACT_SHOT (p
 * could not be rewritten: it must not go on). A reset is never answered:
 * the caller drops it. */
static __always_inline int ew_reply_reset(struct __sk_buff *skb, const struct ew_pkt *p,
					  struct ew_reply *r)
{
	__u8 *t = r->buf + EW_REPLY_ROOM - 20;
	__u32 payload = ew_payload_len(p, skb->len);

	ew_reset_hdr(t, p, payload, 1);
	if (ew_reply_write(skb, p, r, EW_REPLY_ROOM - 20, 20, 16, 1) ||
	    bpf_clone_redirect(skb, skb->ifindex, 0))
		return TC_ACT_SHOT;
	ew_reset_hdr(t, p, payload, 0);
	return ew_reply_write(skb, p, r, EW_REPLY_ROOM - 20, 20, 16, 0) ? TC_ACT_SHOT : TC_ACT_OK;
}

#endif /* EW_BPF_REPLY_H */
