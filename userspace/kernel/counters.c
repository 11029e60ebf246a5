// SPDX-License-Identifier: GPL-2.0
/* counters: the per-CPU counters of the programs, summed (counters.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "counters.h"
#include "loader.h"

static const char *const names[EW_C_MAX] = {
	[EW_C_RX] = "xdp_rx",
	[EW_C_PASS] = "xdp_pass",
	[EW_C_DROP_PREFIX] = "xdp_drop_prefix",
	[EW_C_DROP_FLOW] = "xdp_drop_flow",
	[EW_C_RESET_TX] = "xdp_reset_tx",
	[EW_C_NOT_IP] = "xdp_not_ip",
	[EW_C_FRAGMENT] = "xdp_fragment",
	[EW_C_ERR_ETH] = "err_eth",
	[EW_C_ERR_VLAN] = "err_vlan",
	[EW_C_ERR_IPV4] = "err_ipv4",
	[EW_C_ERR_IPV6] = "err_ipv6",
	[EW_C_ERR_IPV6_EXT] = "err_ipv6_ext",
	[EW_C_ERR_TCP] = "err_tcp",
	[EW_C_ERR_UDP] = "err_udp",
	[EW_C_ERR_ICMP] = "err_icmp",
	[EW_C_TC_RX] = "tc_rx",
	[EW_C_TC_TAGGED] = "tc_tagged",
	[EW_C_TC_MIRRORED] = "tc_mirrored",
	[EW_C_TC_RB_FULL] = "tc_ringbuf_full",
	[EW_C_TC_STALE] = "tc_stale",
	[EW_C_TC_STEER_NEW] = "tc_steer_new",
	[EW_C_TC_STEER_EXISTING] = "tc_steer_existing",
	[EW_C_TC_STEER_FULL] = "tc_steer_full",
	[EW_C_TC_STEER_NO_LISTENER] = "tc_steer_no_listener",
	[EW_C_TC_STEER_FAILED] = "tc_steer_failed",
	[EW_C_DNS_QUERY] = "dns_query",
	[EW_C_DNS_PASS] = "dns_pass",
	[EW_C_DNS_ALLOWED] = "dns_allowed",
	[EW_C_DNS_NXDOMAIN] = "dns_nxdomain",
	[EW_C_DNS_NOTICE] = "dns_notice",
	[EW_C_DNS_NODATA] = "dns_nodata",
	[EW_C_DNS_EDE] = "dns_ede",
	[EW_C_DNS_MALFORMED] = "dns_malformed",
	[EW_C_DNS_TCP_PARTIAL] = "dns_tcp_partial",
	[EW_C_DNS_FRAGMENT] = "dns_fragment",
	[EW_C_DNS_FAILED] = "dns_failed",
};

_Static_assert(sizeof(names) / sizeof(names[0]) == EW_C_MAX, "a counter has no name");

const char *counters_name(unsigned i)
{
	return i < EW_C_MAX ? names[i] : NULL;
}

int counters_sum(int fd, __u32 key, struct ew_counter *per_cpu, int ncpu, struct ew_counter *sum)
{
	if (bpf_map_lookup_elem(fd, &key, per_cpu))
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (int c = 0; c < ncpu; c++) {
		sum->packets += per_cpu[c].packets;
		sum->bytes += per_cpu[c].bytes;
	}
	return 0;
}

int counters_read(struct ew_counter *sum)
{
	int ncpu = libbpf_num_possible_cpus(), fd, err = 0;
	struct ew_counter *buf;

	if (ncpu < 0)
		return ncpu;
	fd = loader_map_open(EW_MAP_COUNTERS);
	if (fd < 0)
		return fd;
	buf = calloc((size_t)ncpu, sizeof(*buf));
	if (!buf)
		err = -ENOMEM;
	for (__u32 i = 0; i < EW_C_MAX && !err; i++)
		err = counters_sum(fd, i, buf, ncpu, &sum[i]);
	free(buf);
	close(fd);
	return err;
}
