/* SPDX-License-Identifier: GPL-2.0 */
/* Test helpers for packet/reasm tests: a raw IPv4/TCP/UDP frame builder and
 * a stream_ops consumer that records everything as text. */
#ifndef EW_TEST_REASM_UTIL_H
#define EW_TEST_REASM_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/packet.h"
#include "capture/pcapsrc.h"
#include "stream/reasm.h"

#define CLI_IP	 0x0a000001u /* 10.0.0.1:40000 */
#define SRV_IP	 0x0a000002u /* 10.0.0.2:80 */
#define CLI_PORT 40000
#define SRV_PORT 80

static inline void put16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void put32(uint8_t *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b + 2, v & 0xffff);
}

/* Builds a raw IPv4 frame into f (>= 1600 bytes). ts: TCP timestamp option
 * value, sent as both TSval and TSecr (0: no option). Returns the length. */
static inline size_t build_v4(uint8_t *f, int proto, uint32_t src, uint32_t dst, unsigned sport,
			      unsigned dport, uint32_t seq, uint32_t ack, uint8_t flags,
			      uint32_t ts, const void *data, size_t len)
{
	size_t l4 = proto == 6 ? (ts ? 32 : 20) : 8, tot = 20 + l4 + len;
	uint8_t *h = f + 20;

	memset(f, 0, 20 + l4);
	f[0] = 0x45;
	put16(f + 2, (unsigned)tot);
	f[8] = 64;
	f[9] = (uint8_t)proto;
	put32(f + 12, src);
	put32(f + 16, dst);
	put16(h, sport);
	put16(h + 2, dport);
	if (proto == 6) {
		put32(h + 4, seq);
		put32(h + 8, ack);
		h[12] = (uint8_t)((l4 / 4) << 4);
		h[13] = flags;
		put16(h + 14, 65535);
		if (ts) { /* NOP NOP TS(8,10) */
			h[20] = 1;
			h[21] = 1;
			h[22] = 8;
			h[23] = 10;
			put32(h + 24, ts);
			put32(h + 28, ts);
		}
	} else {
		put16(h + 4, (unsigned)(8 + len));
	}
	memcpy(f + 20 + l4, data, len);
	return tot;
}

/* The recording consumer: per direction, data as is, gaps as "<gap N>",
 * ends as "<end>"; anomalies and the close reason counted. */
struct rec_flow {
	struct flow_info fi;
	char out[2][8192];
	size_t n[2];
	int closed;
	enum stream_close why;
	int anomalies;
};

struct rec {
	struct rec_flow flows[8];
	int nflows;
};

static inline void rec_put(struct rec_flow *f, int d, const void *p, size_t len)
{
	if (f->n[d] + len >= sizeof(f->out[d]))
		len = sizeof(f->out[d]) - 1 - f->n[d];
	memcpy(f->out[d] + f->n[d], p, len);
	f->n[d] += len;
	f->out[d][f->n[d]] = 0;
}

static inline void *rec_open(void *ctx, const struct flow_info *fi)
{
	struct rec *r = ctx;
	struct rec_flow *f;

	if (r->nflows == 8)
		return NULL;
	f = &r->flows[r->nflows++];
	f->fi = *fi;
	return f;
}

static inline void rec_data(void *flow, enum stream_dir d, const uint8_t *p, size_t len,
			    uint64_t ts)
{
	(void)ts;
	rec_put(flow, d, p, len);
}

static inline void rec_gap(void *flow, enum stream_dir d, uint64_t len, uint64_t ts)
{
	char b[32];

	(void)ts;
	snprintf(b, sizeof(b), "<gap %llu>", (unsigned long long)len);
	rec_put(flow, d, b, strlen(b));
}

static inline void rec_end(void *flow, enum stream_dir d, uint64_t ts)
{
	(void)ts;
	rec_put(flow, d, "<end>", 5);
}

static inline void rec_close(void *flow, enum stream_close why, uint64_t ts)
{
	struct rec_flow *f = flow;

	(void)ts;
	f->closed++;
	f->why = why;
}

static inline void rec_anomaly(void *flow, enum stream_dir d, unsigned what, uint64_t ts)
{
	struct rec_flow *f = flow;

	(void)d;
	(void)ts;
	f->anomalies += what == STREAM_ANOM_OVERLAP;
}

static const struct stream_ops rec_ops __attribute__((unused)) = {
	.flow_open = rec_open,
	.data = rec_data,
	.gap = rec_gap,
	.end = rec_end,
	.flow_close = rec_close,
	.anomaly = rec_anomaly,
};

/* pcapsrc_run callback: every packet into the reassembler ctx. */
static inline void push_to_reasm(void *ctx, const struct pkt *p)
{
	reasm_push(ctx, p);
}

/* Runs a capture file through r and flushes it, as the engine does. */
static inline int run_file(const char *path, struct reasm *r, struct capture_stats *st,
			   struct pcapsrc_err *err)
{
	int rc = pcapsrc_run(path, 0, push_to_reasm, r, st, err);

	reasm_flush(r);
	return rc;
}

#endif
