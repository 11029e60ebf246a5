// SPDX-License-Identifier: GPL-2.0
/* bench/drop_rate.sh's traffic generator, kernel half. Run through
 * BPF_PROG_TEST_RUN in live-frames mode on the sending veth, it gives each
 * frame a pseudo-random IPv4 destination in one of gen_span consecutive
 * blocks of 2^gen_hostbits addresses from gen_base and transmits it (XDP_TX: out of the veth, into its peer). The
 * frames never become skbs on the sending side, as with a NIC's DMA ring, so
 * the receiver's drop path dominates the cost. The IPv4 checksum is updated
 * incrementally, so the frames are valid to every receiver. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 gen_base;	/* first destination, host order */
const volatile __u32 gen_span;	/* number of destination blocks, > 0 */
const volatile __u32 gen_hostbits;	/* host bits per block, < 32 */

/* RFC 1624 incremental update of a 16-bit ones' complement checksum. */
static __always_inline __u16 csum_replace(__u16 check, __u32 from, __u32 to)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~(from >> 16) + (__u16)~(from & 0xffff);
	sum += (to >> 16) + (to & 0xffff);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("xdp")
int xdpgen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u32 from, to;

	if ((void *)(ip + 1) > end)
		return XDP_ABORTED;
	from = ip->daddr;
	to = (bpf_get_prandom_u32() % gen_span) << gen_hostbits;
	to += bpf_get_prandom_u32() & ((1u << gen_hostbits) - 1);
	to = bpf_htonl(gen_base + to);
	ip->daddr = to;
	ip->check = csum_replace(ip->check, from, to);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
