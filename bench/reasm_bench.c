// SPDX-License-Identifier: GPL-2.0
/* Reassembler throughput: frames built in memory (no file I/O), run through
 * packet_decode alone, then packet_decode + reasm_push with segments in
 * order and with every tenth pair swapped (held and drained). Baseline:
 * memcpy of the same payload bytes into a sink, i.e. touching every byte
 * once. Prints the median of RUNS runs of each and its ratio to memcpy.
 * Usage: reasm_bench [MB] [RUNS]   (default 256 MB, 5 runs) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stream/reasm.h"

#define MSS 1460
#define FRAME (14 + 20 + 20 + MSS)
#define SEGS 700 /* per flow: about 1 MB */

struct frames {
	uint8_t *buf;
	size_t n;
};

static void put16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b + 2, v & 0xffff);
}

/* Frame i of flow f: server 10.0.0.2:80 -> 10.0.0.1:(30000 + f). */
static void frame(uint8_t *p, unsigned f, unsigned seg, int syn)
{
	uint8_t *ip = p + 14, *tcp = ip + 20;

	memset(p, 0, 54);
	put16(p + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, syn ? 40 : 40 + MSS);
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, 0x0a000002);
	put32(ip + 16, 0x0a000001);
	put16(tcp, 80);
	put16(tcp + 2, 30000 + f);
	put32(tcp + 4, 5000 + (syn ? 0 : 1 + seg * MSS));
	put32(tcp + 8, 101);
	tcp[12] = 0x50;
	tcp[13] = syn ? 0x12 : 0x10;
	put16(tcp + 14, 65535);
	for (unsigned i = 0; !syn && i < MSS; i++)
		p[54 + i] = (uint8_t)(i * 7 + seg);
}

/* Builds flows of SEGS segments, a SYN-ACK first. */
static int build(struct frames *fr, size_t mb)
{
	unsigned flows = (unsigned)(mb * 1048576 / ((size_t)SEGS * MSS)) + 1;

	fr->n = (size_t)flows * (SEGS + 1);
	fr->buf = malloc(fr->n * FRAME);
	if (!fr->buf)
		return -1;
	for (unsigned f = 0; f < flows; f++) {
		uint8_t *base = fr->buf + (size_t)f * (SEGS + 1) * FRAME;

		frame(base, f, 0, 1);
		for (unsigned s = 0; s < SEGS; s++)
			frame(base + (size_t)(s + 1) * FRAME, f, s, 0);
	}
	return 0;
}

/* Frame index i in sending order; swap: every tenth pair of a flow's
 * segments exchanged (the first of each pair is held). */
static size_t order(size_t i, int swap)
{
	size_t s = i % (SEGS + 1);

	if (!swap || s == 0 || (s - 1) % 10 >= 2 || s == SEGS)
		return i;
	return i - s + 1 + ((s - 1) ^ 1);
}

static void *b_open(void *ctx, const struct flow_info *fi)
{
	(void)fi;
	return ctx;
}

static void b_data(void *flow, enum stream_dir d, const uint8_t *p, size_t len,
		   uint64_t ts)
{
	(void)d;
	(void)ts;
	*(uint64_t *)flow += len + p[len - 1];
}

static void b_gap(void *flow, enum stream_dir d, uint64_t len, uint64_t ts)
{
	(void)flow, (void)d, (void)len, (void)ts;
}

static void b_end(void *flow, enum stream_dir d, uint64_t ts)
{
	(void)flow, (void)d, (void)ts;
}

static void b_close(void *flow, enum stream_close why, uint64_t ts)
{
	(void)flow, (void)why, (void)ts;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* mode 0: memcpy; 1: decode; 2: decode + reasm; 3: the same, swapped.
 * Returns seconds. */
static double run(const struct frames *fr, int mode, uint64_t *sink)
{
	static const struct stream_ops ops = { b_open, b_data, b_gap, b_end, b_close, NULL };
	static uint8_t copy[MSS];
	struct reasm *r = mode >= 2 ? reasm_new(NULL, &ops, sink) : NULL;
	double t0 = now();

	for (size_t i = 0; i < fr->n; i++) {
		const uint8_t *f = fr->buf + order(i, mode == 3) * FRAME;
		struct pkt p;
		struct pkt_err e;

		if (mode == 0) {
			memcpy(copy, f + 54, MSS);
			*sink += copy[i % MSS];
		} else if (!packet_decode(PKT_LINK_EN10MB, f, FRAME, i + 1, i, &p, &e)) {
			if (r)
				reasm_push(r, &p);
			else
				*sink += p.len;
		}
	}
	reasm_free(r);
	return now() - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const struct frames *fr, int mode, int runs)
{
	double t[64];
	uint64_t sink = 0;

	for (int i = 0; i < runs; i++)
		t[i] = run(fr, mode, &sink);
	qsort(t, (size_t)runs, sizeof(t[0]), cmp);
	if (!sink)
		fprintf(stderr, "reasm_bench: nothing delivered\n");
	return t[runs / 2];
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	struct frames in_order;
	double base, t;
	double payload;

	if (runs < 1 || runs > 64 || build(&in_order, mb)) {
		fprintf(stderr, "usage: reasm_bench [MB] [RUNS<=64]\n");
		return 2;
	}
	payload = (double)in_order.n / (SEGS + 1) * SEGS * MSS / 1048576;
	printf("reasm_bench: %.0f MB payload in %zu frames, median of %d runs\n", payload,
	       in_order.n, runs);
	base = median(&in_order, 0, runs);
	printf("  %-34s %8.0f MB/s  (baseline)\n", "memcpy of the payload", payload / base);
	t = median(&in_order, 1, runs);
	printf("  %-34s %8.0f MB/s  %.2fx baseline\n", "packet_decode", payload / t, base / t);
	t = median(&in_order, 2, runs);
	printf("  %-34s %8.0f MB/s  %.2fx baseline\n", "decode + reasm, in order", payload / t,
	       base / t);
	t = median(&in_order, 3, runs);
	printf("  %-34s %8.0f MB/s  %.2fx baseline\n", "decode + reasm, 10% held", payload / t,
	       base / t);
	free(in_order.buf);
	return 0;
}
