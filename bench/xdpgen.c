// SPDX-License-Identifier: GPL-2.0
/* bench/drop_rate.sh's traffic generator, user half: builds one 64-byte
 * Ethernet/IPv4/UDP frame and runs xdpgen.bpf.c over it in live-frames mode
 * (BPF_F_TEST_XDP_LIVE_FRAMES) on IFNAME for SECONDS, so every run transmits
 * a frame with a fresh destination out of IFNAME: a random address in one of
 * SPAN blocks of 2^HOSTBITS addresses from BASE_IPV4. Prints frames sent,
 * the wall-clock time and the CPU time of this process, which includes the
 * receiving veth's NAPI work when it runs on the way out of the syscall.
 * Usage: xdpgen IFNAME DST_MAC BASE_IPV4 SPAN HOSTBITS SECONDS */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpgen.skel.h"

#define GEN_FRAME	60	/* minimum Ethernet frame without FCS */
#define GEN_BATCH	(1u << 16)	/* frames per BPF_PROG_TEST_RUN call */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static __u16 ip_csum(const void *hdr, int len)
{
	const __u16 *w = hdr;
	__u32 sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* Fills frame with dst MAC mac, a locally administered source MAC and an
 * IPv4/UDP header from 10.99.0.1:9 to dst:9. Returns 0 or -EINVAL. */
static int frame_build(__u8 *frame, const char *mac, __u32 dst)
{
	struct iphdr *ip = (void *)(frame + ETH_HLEN);
	struct udphdr *udp = (void *)(ip + 1);
	unsigned int m[6];
	int i;

	if (sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != 6)
		return -EINVAL;
	memset(frame, 0, GEN_FRAME);
	for (i = 0; i < 6; i++)
		frame[i] = m[i];
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", 6);
	frame[12] = 0x08;
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(GEN_FRAME - ETH_HLEN);
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = htonl(0x0a630001);
	ip->daddr = htonl(dst);
	ip->check = ip_csum(ip, sizeof(*ip));
	udp->source = htons(9);
	udp->dest = htons(9);
	udp->len = htons(GEN_FRAME - ETH_HLEN - sizeof(*ip));
	return 0;
}

static int run(int prog_fd, int ifindex, __u8 *frame, double seconds)
{
	struct xdp_md ctx = { .data_end = GEN_FRAME, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = GEN_FRAME, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = GEN_BATCH,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	double start = now_s(), cpu0 = cpu_s(), t;
	unsigned long long sent = 0;
	int err;

	do {
		err = bpf_prog_test_run_opts(prog_fd, &opts);
		if (err) {
			fprintf(stderr, "xdpgen: BPF_PROG_TEST_RUN: %s\n", strerror(-err));
			return err;
		}
		sent += GEN_BATCH;
		t = now_s() - start;
	} while (t < seconds);
	printf("sent %llu frames in %.3f s, cpu %.3f s\n", sent, t, cpu_s() - cpu0);
	return 0;
}

int main(int argc, char **argv)
{
	__u8 frame[GEN_FRAME];
	struct xdpgen *skel;
	struct in_addr base;
	int ifindex, err;

	if (argc != 7 || !(ifindex = if_nametoindex(argv[1])) ||
	    inet_pton(AF_INET, argv[3], &base) != 1 || atoi(argv[4]) <= 0 ||
	    atoi(argv[5]) < 0 || atoi(argv[5]) > 31 ||
	    frame_build(frame, argv[2], ntohl(base.s_addr))) {
		fprintf(stderr, "usage: xdpgen IFNAME DST_MAC BASE_IPV4 SPAN HOSTBITS SECONDS\n");
		return 2;
	}
	skel = xdpgen__open();
	if (!skel)
		return 1;
	skel->rodata->gen_base = ntohl(base.s_addr);
	skel->rodata->gen_span = atoi(argv[4]);
	skel->rodata->gen_hostbits = atoi(argv[5]);
	err = xdpgen__load(skel);
	if (!err)
		err = run(bpf_program__fd(skel->progs.xdpgen), ifindex, frame,
			  atof(argv[6]));
	xdpgen__destroy(skel);
	return err ? 1 : 0;
}
