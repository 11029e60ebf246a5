// SPDX-License-Identifier: GPL-2.0
/* bench/drop_rate.sh's floor: an XDP program that drops every frame without
 * looking at it. Its rate is the most any XDP dropper can reach on the same
 * veth pair and generator, which bounds every ratio the benchmark prints. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_floor(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
