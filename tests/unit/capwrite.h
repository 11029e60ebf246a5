/* SPDX-License-Identifier: GPL-2.0 */
/* Test helper: writes small captures with libpcap (nanosecond pcap,
 * Ethernet), one TCP segment or IP datagram at a time, for the tests of
 * the stages that read capture files. Uses build_v4 of reasm_util.h. */
#ifndef EW_TEST_CAPWRITE_H
#define EW_TEST_CAPWRITE_H

#include <pcap/pcap.h>

#include "unit/reasm_util.h"

#define CAP_ETH_HDR 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11

struct cap {
	pcap_t *p;
	pcap_dumper_t *d;
	uint64_t ts;
};

static inline void cap_open(struct cap *c, const char *path, int dlt)
{
	c->p = pcap_open_dead_with_tstamp_precision(dlt, 65535, PCAP_TSTAMP_PRECISION_NANO);
	assert_non_null(c->p);
	c->d = pcap_dump_open(c->p, path);
	assert_non_null(c->d);
	c->ts = 1700000000ull * 1000000000ull + 123;
}

static inline void cap_put(struct cap *c, const uint8_t *f, size_t n)
{
	struct pcap_pkthdr h = {.caplen = (bpf_u_int32)n, .len = (bpf_u_int32)n};

	c->ts += 1000;
	h.ts.tv_sec = (time_t)(c->ts / 1000000000ull);
	h.ts.tv_usec = (suseconds_t)(c->ts % 1000000000ull); /* ns in a nano file */
	pcap_dump((u_char *)c->d, &h, f);
}

/* Puts an Ethernet frame: header, then the IP datagram ip[0..n). */
static inline void cap_eth(struct cap *c, const uint8_t *ip, size_t n)
{
	uint8_t f[1700] = {CAP_ETH_HDR, 0x08, 0x00};

	memcpy(f + 14, ip, n);
	cap_put(c, f, 14 + n);
}

static inline void cap_close(struct cap *c)
{
	pcap_dump_close(c->d);
	pcap_close(c->p);
}

/* One TCP segment of the connection cli:cport <-> srv:80. */
static inline void cap_tcp(struct cap *c, uint32_t cli, unsigned cport, int c2s, uint32_t seq,
			   uint32_t ack, uint8_t fl, const char *s)
{
	uint8_t ip[1600];
	size_t n = c2s ? build_v4(ip, 6, cli, SRV_IP, cport, SRV_PORT, seq, ack, fl, 0, s,
				  strlen(s))
		       : build_v4(ip, 6, SRV_IP, cli, SRV_PORT, cport, seq, ack, fl, 0, s,
				  strlen(s));

	cap_eth(c, ip, n);
}

#endif
