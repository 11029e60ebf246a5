/* SPDX-License-Identifier: GPL-2.0 */
/* The canonical flow key (include/ew_abi.h struct ew_flow_key) built from a
 * parsed packet, so both directions of a flow find one ew_flows_v1 entry. */
#ifndef EW_BPF_FLOW_H
#define EW_BPF_FLOW_H

#include "lib/parse.h"

/* Compares the (address, port) pairs bytewise, ports in network order;
 * returns < 0, 0 or > 0 like memcmp. */
static __always_inline int ew_ap_cmp(const __u8 *a, __be16 ap, const __u8 *b, __be16 bp)
{
	int i;

	for (i = 0; i < 16; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return (int)bpf_ntohs(ap) - (int)bpf_ntohs(bp);
}

/* Fills *k from *p: the lower (address, port) pair first. Returns the
 * packet's direction: EW_DIR_LO_TO_HI when its sender is k->lo_*. */
static __always_inline __u8 ew_flow_key_make(const struct ew_pkt *p, struct ew_flow_key *k)
{
	int src_lo = ew_ap_cmp(p->src, p->sport, p->dst, p->dport) <= 0;

	if (src_lo) {
		__builtin_memcpy(k->lo_addr, p->src, 16);
		__builtin_memcpy(k->hi_addr, p->dst, 16);
		k->lo_port = p->sport;
		k->hi_port = p->dport;
	} else {
		__builtin_memcpy(k->lo_addr, p->dst, 16);
		__builtin_memcpy(k->hi_addr, p->src, 16);
		k->lo_port = p->dport;
		k->hi_port = p->sport;
	}
	k->proto = p->proto;
	k->family = p->family;
	k->pad[0] = k->pad[1] = 0;
	return src_lo ? EW_DIR_LO_TO_HI : EW_DIR_HI_TO_LO;
}

/* True while verdict v is in force at now (expires_ns 0 never expires). */
static __always_inline int ew_verdict_live(const struct ew_verdict *v, __u64 now)
{
	return v->expires_ns == 0 || v->expires_ns > now;
}

#endif /* EW_BPF_FLOW_H */
