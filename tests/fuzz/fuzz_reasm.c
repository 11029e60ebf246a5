// SPDX-License-Identifier: GPL-2.0
/* Fuzz target for the TCP reassembler: the input is a sequence of small
 * segments of one flow (either direction), encoded as
 *
 *   | ctl | dseq (be16, signed) | len | data[len] |
 *
 * ctl bits: 0x80 server->client, 0x40 TCP timestamp (value = packet
 * number, or older if 0x20), 0x20 also a 100 s clock jump, low 5 bits
 * the TCP flags FIN SYN RST PSH ACK. The segment's sequence number is the
 * direction's last one plus dseq. Caps are small so eviction, gap and
 * timeout paths run. Checks: delivered bytes + gaps per direction never
 * exceed what the stream could hold, and closes come once per open. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit/reasm_util.h"

struct fz {
	int open, closed;
	uint64_t bytes[2];
};

static void *fz_open(void *ctx, const struct flow_info *fi)
{
	struct fz *z = ctx;

	(void)fi;
	z->open++;
	return z;
}

static void fz_data(void *flow, enum stream_dir d, const uint8_t *p, size_t len, uint64_t ts)
{
	struct fz *z = flow;
	volatile uint8_t sink = 0;

	(void)ts;
	for (size_t i = 0; i < len; i++) /* every delivered byte is readable */
		sink ^= p[i];
	(void)sink;
	z->bytes[d] += len;
}

static void fz_gap(void *flow, enum stream_dir d, uint64_t len, uint64_t ts)
{
	(void)flow;
	(void)d;
	(void)len;
	(void)ts;
}

static void fz_end(void *flow, enum stream_dir d, uint64_t ts)
{
	(void)flow;
	(void)d;
	(void)ts;
}

static void fz_close(void *flow, enum stream_close why, uint64_t ts)
{
	struct fz *z = flow;

	(void)why;
	(void)ts;
	z->closed++;
	if (z->closed > z->open)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct stream_ops ops = {
		fz_open, fz_data, fz_gap, fz_end, fz_close, NULL,
	};
	struct reasm_conf c;
	struct reasm *r;
	struct fz z = {0};
	uint32_t seq[2] = {1000, 900000};
	uint64_t now = 1000000000ull, in = 0;
	size_t i = 0;
	uint8_t f[1600];

	reasm_conf_default(&c);
	c.flow_buf_max = 2048;
	c.total_buf_max = 4096;
	c.max_ahead = 1 << 16;
	c.tcp_idle_ns = 50ull * 1000000000ull;
	c.max_flows = 2;
	r = reasm_new(&c, &ops, &z);
	if (!r)
		return 0;
	for (uint64_t num = 1; i + 4 <= size; num++) {
		uint8_t ctl = data[i], len = data[i + 3];
		int s2c = ctl >> 7;
		int16_t dseq = (int16_t)(data[i + 1] << 8 | data[i + 2]);
		uint32_t ts = (ctl & 0x40) ? (uint32_t)(ctl & 0x20 ? num / 2 : num) + 1 : 0;
		struct pkt p;
		struct pkt_err e;
		size_t n;

		i += 4;
		if (len > size - i)
			len = (uint8_t)(size - i);
		seq[s2c] += (uint32_t)(int32_t)dseq;
		n = s2c ? build_v4(f, 6, SRV_IP, CLI_IP, SRV_PORT, CLI_PORT, seq[1], seq[0],
				   ctl & 0x1f, ts, data + i, len)
			: build_v4(f, 6, CLI_IP, SRV_IP, CLI_PORT, SRV_PORT, seq[0], seq[1],
				   ctl & 0x1f, ts, data + i, len);
		i += len;
		in += len;
		now += (ctl & 0x20) ? 100ull * 1000000000ull : 1000;
		if (packet_decode(PKT_LINK_RAW, f, n, num, now, &p, &e) == 0)
			reasm_push(r, &p);
	}
	reasm_free(r);
	if (z.closed != z.open || z.bytes[0] + z.bytes[1] > in)
		abort();
	return 0;
}
