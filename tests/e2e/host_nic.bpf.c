// SPDX-License-Identifier: GPL-2.0
/* Passes every frame. The e2e topology attaches it to the hosts' veth ends
 * so that they run NAPI as a NIC's driver does: a veth delivers a frame its
 * peer sent with XDP_TX (the edge's resets of reset flows) only then. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int host_nic(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
