/* SPDX-License-Identifier: GPL-2.0 */
/* TC: turns a received packet into a reply to its sender, in place, and
 * sends it back out of the interface it came in on. The caller builds the
 * reply's L4 header and payload in a scratch buffer (a DNS answer); this
 * sets the L4 checksum, swaps the Ethernet and IP addresses,
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

/* Swaps the Ethernet and IP addresses of the packet at [data, end) (p's,
 * turned round) and sets its IP length for an L4 part of len bytes. Gives
 * the old and new IPv4 total length (network order) through *old_len /
 * *new_len; -1 when the headers are no longer where p says. */
static __always_inline int ew_reply_addrs(void *data, void *end, const struct ew_pkt *p, __u32 len,
					  __be16 *old_len, __be16 *new_len)
{
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
		__builtin_memcpy(ip + 12, &p->dst[12], 4);
		__builtin_memcpy(ip + 16, &p->src[12], 4);
		return 0;
	}
	if ((void *)(ip + 40) > end)
		return -1;
	*new_len = bpf_htons(p->l4_off - l3 - 40 + len);
	__builtin_memcpy(ip + 4, new_len, 2);
	__builtin_memcpy(ip + 8, p->dst, 16);
	__builtin_memcpy(ip + 24, p->src, 16);
	return 0;
}

/* Makes buf[start, start + len) the L4 header and payload of the packet
 * (its checksum field, at csum_off from start, zero; three zero bytes
 * after it), addressed back to p's sender. Returns 0; 1 when the packet
 * could not be resized (it is unchanged); -1 when it was changed but not
 * finished. */
static __always_inline int ew_reply_write(struct __sk_buff *skb, const struct ew_pkt *p,
					  struct ew_reply *r, __u32 start, __u32 len,
					  __u32 csum_off)
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
	if (ew_reply_addrs((void *)(long)skb->data, (void *)(long)skb->data_end, p, len, &old_len,
			   &new_len))
		return -1;
	/* Swapping the addresses leaves the header checksum as it was. */
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
	int rc = ew_reply_write(skb, p, r, start, len, csum_off);

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

#endif /* EW_BPF_REPLY_H */
