/* SPDX-License-Identifier: GPL-2.0 */
/* TC side: copies a packet of a tagged flow into the ew_mirror_v1 ring
 * buffer as one fixed-size struct ew_mirror_rec for the agent's reassembler. */
#ifndef EW_BPF_MIRROR_H
#define EW_BPF_MIRROR_H

#include "lib/counters.h"
#include "lib/flow.h"

#define EW_MIRROR_REC_SIZE (sizeof(struct ew_mirror_rec) + EW_MIRROR_CAP)

/* Frame bytes to copy: min(frame length, configured cap, EW_MIRROR_CAP);
 * a configured cap of 0 means EW_MIRROR_CAP. */
static __always_inline __u32 ew_mirror_len(__u32 len, __u32 cap)
{
	if (cap == 0 || cap > EW_MIRROR_CAP)
		cap = EW_MIRROR_CAP;
	return len < cap ? len : cap;
}

static __always_inline void ew_mirror_fill(struct ew_mirror_rec *r, struct __sk_buff *skb,
					   const struct ew_pkt *p, const struct ew_flow_key *k,
					   __u8 dir)
{
	r->key = *k;
	r->ts_ns = bpf_ktime_get_ns();
	r->seq = p->seq;
	r->ack = p->ack;
	r->orig_len = skb->len;
	r->ifindex = skb->ifindex;
	r->l4_off = p->l4_off;
	r->payload_off = p->payload_off;
	r->dir = dir;
	r->tcp_flags = p->tcp_flags;
}

/* Copies the frame of skb (up to cap bytes) into r and submits it.
 * Returns 0, or -1 (r discarded) when the copy failed. */
static __always_inline int ew_mirror_copy(struct __sk_buff *skb, struct ew_mirror_rec *r,
					  __u32 cap)
{
	__u32 len = ew_mirror_len(skb->len, cap);

	/* Non-linear skbs: copy through the helper, not packet pointers. The
	 * bound check is repeated in the form the verifier tracks. */
	barrier_var(len);
	if (len < 1 || len > EW_MIRROR_CAP || bpf_skb_load_bytes(skb, 0, r->data, len) < 0) {
		bpf_ringbuf_discard(r, 0);
		return -1;
	}
	r->cap_len = len;
	bpf_ringbuf_submit(r, 0);
	return 0;
}

/* Writes one record for skb (parsed into *p, flow key *k, direction dir)
 * with up to cap frame bytes. Returns 0, or -1 when the ring is full
 * (counted in EW_C_TC_RB_FULL) or the copy failed. */
static __always_inline int ew_mirror(struct __sk_buff *skb, const struct ew_pkt *p,
				     const struct ew_flow_key *k, __u8 dir, __u32 cap)
{
	struct ew_mirror_rec *r;

	r = bpf_ringbuf_reserve(&ew_mirror_v1, EW_MIRROR_REC_SIZE, 0);
	if (!r) {
		ew_count(EW_C_TC_RB_FULL, skb->len);
		return -1;
	}
	ew_mirror_fill(r, skb, p, k, dir);
	if (ew_mirror_copy(skb, r, cap))
		return -1;
	ew_count(EW_C_TC_MIRRORED, ew_mirror_len(skb->len, cap));
	return 0;
}

/* Writes the DNS answer skb now holds (EW_DIR_DNS_ANSWER) for the agent's
 * block log: rule and outcome as the record's seq and ack. A full ring is
 * counted in EW_C_TC_RB_FULL; the answer went out either way. */
static __always_inline void ew_mirror_dns(struct __sk_buff *skb, __u32 rule, __u32 outcome)
{
	struct ew_mirror_rec *r;

	r = bpf_ringbuf_reserve(&ew_mirror_v1, EW_MIRROR_REC_SIZE, 0);
	if (!r) {
		ew_count(EW_C_TC_RB_FULL, skb->len);
		return;
	}
	__builtin_memset(&r->key, 0, sizeof(r->key));
	r->ts_ns = bpf_ktime_get_ns();
	r->seq = rule;
	r->ack = outcome;
	r->orig_len = skb->len;
	r->ifindex = skb->ifindex;
	r->l4_off = 0;
	r->payload_off = 0;
	r->dir = EW_DIR_DNS_ANSWER;
	r->tcp_flags = 0;
	ew_mirror_copy(skb, r, 0);
}

#endif /* EW_BPF_MIRROR_H */
