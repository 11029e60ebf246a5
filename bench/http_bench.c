// SPDX-License-Identifier: GPL-2.0
/* HTTP parser throughput: pipelined responses built in memory, fed in
 * 1448-byte segments through http_stream_ops() to a consumer that touches
 * every decoded byte. Three bodies: Content-Length, chunked (16 KiB chunks)
 * and Content-Encoding gzip. Baselines: memcpy of the body bytes (identity,
 * chunked) and zlib inflating the same gzip streams alone (gzip). Prints the
 * median of RUNS runs, in wire MB/s, and its ratio to the baseline.
 * Usage: http_bench [MB] [RUNS]   (default 256 MB, 5 runs) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "http/http.h"

#define BODY (1 << 20)
#define SEG 1448
#define CHUNK 16384

enum mode { M_CL, M_CHUNKED, M_GZIP };

struct stream {
	uint8_t *buf;
	size_t n, cap;
	uint8_t *gz;	/* one gzip body, for the baseline */
	size_t gzn;
	int bodies;
};

static void put(struct stream *s, const void *p, size_t n)
{
	if (s->n + n > s->cap) {
		s->cap = (s->n + n) * 2;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf)
			exit(1);
	}
	memcpy(s->buf + s->n, p, n);
	s->n += n;
}

/* Body of repeated words and random bytes; gzip -6 makes it 2.1:1. */
static void body_fill(uint8_t *b)
{
	static const char words[] = "edgeward http bench body objects ranges ";
	uint32_t x = 2463534242u;

	for (size_t i = 0; i < BODY; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		b[i] = (x & 3) ? (uint8_t)words[i % (sizeof(words) - 1)] : (uint8_t)x;
	}
}

static void build(struct stream *s, enum mode m, size_t mb)
{
	uint8_t *body = malloc(BODY);
	char head[256];
	z_stream z = { 0 };

	body_fill(body);
	s->gz = malloc(BODY * 2);
	if (!body || !s->gz)
		exit(1);
	deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	z.next_in = body;
	z.avail_in = BODY;
	z.next_out = s->gz;
	z.avail_out = BODY * 2;
	deflate(&z, Z_FINISH);
	s->gzn = z.total_out;
	deflateEnd(&z);
	for (s->bodies = 0; s->n < mb << 20; s->bodies++) {
		if (m == M_CL || m == M_GZIP) {
			int n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
					 "Content-Type: text/html\r\n%sContent-Length: %zu\r\n\r\n",
					 m == M_GZIP ? "Content-Encoding: gzip\r\n" : "",
					 m == M_GZIP ? s->gzn : (size_t)BODY);
			put(s, head, n);
			put(s, m == M_GZIP ? s->gz : body, m == M_GZIP ? s->gzn : BODY);
			continue;
		}
		put(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 47);
		for (size_t o = 0; o < BODY; o += CHUNK) {
			int n = snprintf(head, sizeof(head), "%x\r\n", CHUNK);

			put(s, head, n);
			put(s, body + o, CHUNK);
			put(s, "\r\n", 2);
		}
		put(s, "0\r\n\r\n", 5);
	}
	free(body);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* The consumer: reads every decoded byte, as a hasher would. */
static void *c_begin(void *ctx, const struct obj_meta *m)
{
	(void)m;
	return ctx;
}

static void c_wire(void *o, const uint8_t *p, size_t n)
{
	(void)o;
	(void)p;
	(void)n;
}

static void c_data(void *o, const uint8_t *p, size_t n)
{
	uint64_t *sum = o;

	for (size_t i = 0; i < n; i += 64)
		*sum += p[i];
}

static void c_end(void *o, const struct obj_end *e)
{
	uint64_t *sum = o;

	*sum += e->decoded_len;
}

static const struct object_ops c_ops = { c_begin, c_wire, c_data, c_end };

static double run_parser(const struct stream *s, uint64_t *sum)
{
	struct http_ctx *ctx = http_ctx_new(NULL, &c_ops, sum);
	const struct stream_ops *so = http_stream_ops();
	struct flow_info fi = { .id = 1, .proto = 6 };
	char req[] = "GET /b HTTP/1.1\r\nHost: bench\r\n\r\n";
	double t0 = now();
	void *f = so->flow_open(ctx, &fi);

	for (int i = 0; i < s->bodies; i++)
		so->data(f, STREAM_C2S, (const uint8_t *)req, sizeof(req) - 1, 0);
	for (size_t o = 0; o < s->n; o += SEG)
		so->data(f, STREAM_S2C, s->buf + o, s->n - o < SEG ? s->n - o : SEG, 0);
	so->flow_close(f, STREAM_CLOSE_FIN, 0);
	t0 = now() - t0;
	http_ctx_free(ctx);
	return t0;
}

static double run_baseline(const struct stream *s, enum mode m, uint64_t *sum)
{
	uint8_t *out = malloc(BODY);
	double t0 = now();

	for (int b = 0; b < s->bodies; b++) {
		if (m == M_GZIP) {
			z_stream z = { 0 };

			inflateInit2(&z, 31);
			z.next_in = s->gz;
			z.avail_in = s->gzn;
			z.next_out = out;
			z.avail_out = BODY;
			inflate(&z, Z_FINISH);
			inflateEnd(&z);
		} else {
			memcpy(out, s->buf + (size_t)b * (s->n / s->bodies), BODY);
		}
		for (size_t i = 0; i < BODY; i += 64)
			*sum += out[i];
	}
	t0 = now() - t0;
	free(out);
	return t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "content-length", "chunked", "gzip" };
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	uint64_t sum = 0;

	if (runs < 1 || runs > 99 || !mb)
		return 2;
	printf("%-15s %10s %10s %12s %7s\n", "body", "wire MB", "parser MB/s",
	       "baseline MB/s", "ratio");
	for (enum mode m = M_CL; m <= M_GZIP; m++) {
		struct stream s = { 0 };
		double tp[99], tb[99], p, b;

		build(&s, m, m == M_GZIP ? mb / 4 + 1 : mb);
		for (int r = 0; r < runs; r++) {
			tp[r] = run_parser(&s, &sum);
			tb[r] = run_baseline(&s, m, &sum);
		}
		qsort(tp, runs, sizeof(double), cmp);
		qsort(tb, runs, sizeof(double), cmp);
		p = s.n / 1e6 / tp[runs / 2];
		b = s.n / 1e6 / tb[runs / 2];
		printf("%-15s %10.1f %10.0f %12.0f %7.2f\n", names[m], s.n / 1e6, p,
		       b, p / b);
		free(s.buf);
		free(s.gz);
	}
	printf("(checksum %llu)\n", (unsigned long long)sum);
	return 0;
}
