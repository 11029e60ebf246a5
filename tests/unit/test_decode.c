// SPDX-License-Identifier: GPL-2.0
/* decode: stacked content codings, browser tolerance (plain data labelled
 * gzip, raw deflate, bad CRCs), split inputs, bomb limits, diagnostics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "http/decode.h"

static const char body[] = "edgeward brotli test body: hello hello hello hello!\n";

/* brotli -q5 of body (made with libbrotlienc, which the agent does not link) */
static const uint8_t body_br[] = {
	0x1b, 0x33, 0x00, 0x00, 0x44, 0x4f, 0xd6, 0x95, 0x74, 0xa5, 0x6a, 0xd1,
	0x08, 0x36, 0x9b, 0x8d, 0x17, 0x2d, 0x88, 0x24, 0xc3, 0x4c, 0xa4, 0x8f,
	0x8c, 0xf3, 0x90, 0x10, 0xeb, 0x81, 0xef, 0xb0, 0x0b, 0xcc, 0x23, 0x7c,
	0xe2, 0x0d, 0xbb, 0x07, 0xaa, 0x00,
};

/* zstd -19 of body (made with the zstd tool) */
static const uint8_t body_zst[] = {
	0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x34, 0x4d, 0x01, 0x00, 0x24, 0x02, 0x65,
	0x64, 0x67, 0x65, 0x77, 0x61, 0x72, 0x64, 0x20, 0x62, 0x72, 0x6f, 0x74,
	0x6c, 0x69, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x62, 0x6f, 0x64, 0x79,
	0x3a, 0x20, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x21, 0x0a, 0x01, 0x00, 0x88,
	0x57, 0x9e, 0xd7, 0x9d, 0x6a, 0x5c,
};

/* xz --format=lzma -6 of body (LZMA-alone, as Suricata's "lzma") */
static const uint8_t body_lzma[] = {
	0x5d, 0x00, 0x00, 0x80, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0x00, 0x32, 0x99, 0x09, 0x29, 0xde, 0xa8, 0x6b, 0x3c, 0x54, 0xd1,
	0x2e, 0x66, 0x5d, 0x2a, 0xf9, 0x4a, 0x23, 0x8e, 0x7d, 0x92, 0x64, 0x1e,
	0x23, 0xd8, 0x48, 0xe3, 0xf5, 0x14, 0x38, 0xb5, 0xaf, 0x16, 0xb4, 0x7c,
	0x31, 0x7e, 0x20, 0x10, 0xd5, 0xc3, 0x5f, 0xff, 0xaa, 0x64, 0x80, 0x00,
};

struct out {
	uint8_t *p;
	size_t n, cap;
};

static void collect(void *arg, const uint8_t *p, size_t len)
{
	struct out *o = arg;

	if (o->n + len > o->cap) {
		o->cap = (o->n + len) * 2;
		o->p = realloc(o->p, o->cap);
		assert_non_null(o->p);
	}
	memcpy(o->p + o->n, p, len);
	o->n += len;
}

/* windowBits: 15 zlib, -15 raw, 31 gzip */
static size_t zip(const uint8_t *in, size_t n, uint8_t *out, size_t cap, int wbits)
{
	z_stream z = { 0 };

	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, wbits, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = n;
	z.next_out = out;
	z.avail_out = cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return cap - z.avail_out;
}

/* Decodes in with codings, fed in pieces of step bytes. */
static unsigned run(const char *ce, const uint8_t *in, size_t n, size_t step,
		    const struct decode_limits *lim, struct out *o,
		    const char **msg)
{
	enum decode_coding c[DECODE_MAX_LAYERS];
	int chunked, unknown, many;
	unsigned nc = decode_parse_codings(ce, c, DECODE_MAX_LAYERS, &chunked,
					   &unknown, &many);
	struct decoder *d = decode_new(c, nc, lim, collect, o);
	static char keep[128];
	const char *m;
	unsigned st;

	assert_non_null(d);
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < n; i += step)
		decode_feed(d, in + i, n - i < step ? n - i : step);
	decode_finish(d);
	st = decode_status(d, &m);
	snprintf(keep, sizeof(keep), "%s", m);
	*msg = keep;
	assert_int_equal(decode_out_len(d), o->n);
	decode_free(d);
	return st;
}

static void expect(const char *ce, const uint8_t *in, size_t n, const char *want)
{
	static const size_t steps[] = { 1, 2, 7, 100000 };

	for (unsigned i = 0; i < 4; i++) {
		struct out o;
		const char *msg;

		assert_int_equal(run(ce, in, n, steps[i], NULL, &o, &msg), 0);
		assert_string_equal(msg, "");
		assert_int_equal(o.n, strlen(want));
		assert_memory_equal(o.p, want, o.n);
		free(o.p);
	}
}

static void gzip_deflate_zlib_br_zstd(void **state)
{
	uint8_t z[256];
	size_t n;

	(void)state;
	n = zip((const uint8_t *)body, strlen(body), z, sizeof(z), 31);
	expect("gzip", z, n, body);
	expect("x-gzip", z, n, body);
	n = zip((const uint8_t *)body, strlen(body), z, sizeof(z), 15);
	expect("deflate", z, n, body);	/* zlib-wrapped */
	n = zip((const uint8_t *)body, strlen(body), z, sizeof(z), -15);
	expect("DeFlate", z, n, body);	/* raw, as some servers send it */
	expect("br", body_br, sizeof(body_br), body);
	expect("zstd", body_zst, sizeof(body_zst), body);
	expect("lzma", body_lzma, sizeof(body_lzma), body);
	expect("identity", (const uint8_t *)body, strlen(body), body);
	expect("", (const uint8_t *)body, strlen(body), body);
}

static void stacked_reverse_order(void **state)
{
	uint8_t a[512], b[512], c[512];
	size_t n;

	(void)state;
	/* applied: gzip, then gzip, then gzip (identities in between) */
	n = zip((const uint8_t *)body, strlen(body), a, sizeof(a), 31);
	n = zip(a, n, b, sizeof(b), 31);
	n = zip(b, n, c, sizeof(c), 31);
	expect("identity, identity, gzip, identity, gzip, gzip", c, n, body);
	/* applied: deflate then gzip: decoded gzip first */
	n = zip((const uint8_t *)body, strlen(body), a, sizeof(a), 15);
	n = zip(a, n, b, sizeof(b), 31);
	expect("deflate, gzip", b, n, body);
}

static void plain_data_labelled_compressed(void **state)
{
	(void)state;
	/* browsers show a body that isn't gzip-framed as it is */
	expect("gzip", (const uint8_t *)body, strlen(body), body);
	expect("deflate", (const uint8_t *)"X5O!P%@AP", 9, "X5O!P%@AP");
	/* a valid zlib header, then no deflate block: shown as is, header too */
	expect("deflate", (const uint8_t *)"x\x01\xff rest", 8, "x\x01\xff rest");
	expect("gzip", (const uint8_t *)"x", 1, "x");
	/* unknown token: gunzipped if it carries the gzip magic */
	expect("foo", (const uint8_t *)body, strlen(body), body);
}

static void gzip_header_fields_and_crc_ignored(void **state)
{
	uint8_t z[256], g[300];
	size_t n;

	(void)state;
	n = zip((const uint8_t *)body, strlen(body), z, sizeof(z), 31);
	/* FEXTRA(2 bytes) + FNAME + FCOMMENT + FHCRC with a wrong CRC */
	memcpy(g, z, 10);
	g[3] = 0x04 | 0x08 | 0x10 | 0x02;
	/* XLEN 2, "xy", "name\0", "comment\0", header CRC: 19 bytes */
	memcpy(g + 10, "\x02\x00xyname\0comment\0\xde\xad", 19);
	memcpy(g + 29, z + 10, n - 10);
	g[29 + n - 10 - 8] ^= 0xff;	/* corrupt the trailer CRC */
	expect("gzip", g, 29 + n - 10, body);
}

static void corrupt_and_truncated(void **state)
{
	uint8_t z[256];
	struct out o;
	const char *msg;
	size_t n;

	(void)state;
	n = zip((const uint8_t *)body, strlen(body), z, sizeof(z), 31);
	assert_int_equal(run("gzip", z, n / 2, 1000, NULL, &o, &msg),
			 DECODE_ERR_DATA);
	assert_string_equal(msg, "compressed data truncated");
	free(o.p);
	memset(z + 10, 0xff, 4);	/* BTYPE 11 is invalid */
	assert_int_equal(run("gzip", z, n, 1000, NULL, &o, &msg), DECODE_ERR_DATA);
	assert_string_equal(msg, "corrupt gzip data");
	free(o.p);
	assert_int_equal(run("br", (const uint8_t *)"\xff\xff\xff\xff", 4, 1000,
			     NULL, &o, &msg), DECODE_ERR_DATA);
	assert_string_equal(msg, "corrupt brotli data");
	free(o.p);
	assert_int_equal(run("zstd", body_zst, 20, 1000, NULL, &o, &msg),
			 DECODE_ERR_DATA);
	assert_string_equal(msg, "compressed data truncated");
	free(o.p);
	assert_int_equal(run("zstd", (const uint8_t *)"\x28\xb5\x2f\xfd\x08\x00\x00\x00", 8,
			     1000, NULL, &o, &msg), DECODE_ERR_DATA);
	assert_string_equal(msg, "corrupt zstd data");
	free(o.p);
	assert_int_equal(run("lzma", (const uint8_t *)"\xff\xff\xff\xff\xff", 5,
			     1000, NULL, &o, &msg), DECODE_ERR_DATA);
	assert_string_equal(msg, "corrupt lzma data");
	free(o.p);
	/* a 64 MiB dictionary (xz -9) is over the decoder's 16 MiB limit */
	assert_int_equal(run("lzma", (const uint8_t *)"\x5d\x00\x00\x00\x04\xff\xff"
			     "\xff\xff\xff\xff\xff\xff\x00\x32", 15, 1000, NULL, &o,
			     &msg), DECODE_ERR_BOMB);
	assert_string_equal(msg, "lzma dictionary over the 16 MiB memory limit");
	free(o.p);
}

static void bomb_limits(void **state)
{
	size_t big = 8 << 20, n;
	uint8_t *zeros = calloc(1, big), *z = malloc(big);
	struct decode_limits lim = { .max_decoded = 1 << 20 };
	struct out o;
	const char *msg;

	(void)state;
	n = zip(zeros, big, z, big, 31);
	assert_int_equal(run("gzip", z, n, 4096, &lim, &o, &msg), DECODE_ERR_BOMB);
	assert_string_equal(msg, "decoded size limit of 1048576 bytes reached");
	assert_int_equal(o.n, 1 << 20);
	free(o.p);
	lim.max_decoded = 0;
	lim.max_ratio = 100;
	lim.ratio_floor = 1 << 20;
	assert_int_equal(run("gzip", z, n, 4096, &lim, &o, &msg), DECODE_ERR_BOMB);
	assert_non_null(strstr(msg, "decompression ratio limit of 100 reached"));
	assert_true(o.n > 1 << 20 && o.n < big);
	free(o.p);
	free(zeros);
	free(z);
}

static void parse_codings(void **state)
{
	enum decode_coding c[4];
	int chunked, unknown, many;

	(void)state;
	assert_int_equal(decode_parse_codings("gzip, chunked", c, 4, &chunked,
					      &unknown, &many), 1);
	assert_int_equal(c[0], DEC_GZIP);
	assert_int_equal(chunked, 1);
	assert_int_equal(decode_parse_codings("chunked, gzip", c, 4, &chunked,
					      &unknown, &many), 1);
	assert_int_equal(chunked, 2);	/* chunked not last */
	assert_int_equal(decode_parse_codings("\x0b" "br,,x-deflate\xa0", c, 4,
					      &chunked, &unknown, &many), 2);
	assert_int_equal(c[0], DEC_BR);
	assert_int_equal(c[1], DEC_DEFLATE);
	assert_int_equal(unknown, 0);
	assert_int_equal(decode_parse_codings("lzma", c, 4, &chunked, &unknown,
					      &many), 1);
	assert_int_equal(c[0], DEC_LZMA);
	assert_int_equal(unknown, 1);	/* decoded, but no browser would */
	assert_int_equal(decode_parse_codings("compress", c, 4, &chunked,
					      &unknown, &many), 1);
	assert_int_equal(c[0], DEC_AUTO);
	assert_int_equal(unknown, 1);
	assert_int_equal(decode_parse_codings("gzip gzip gzip gzip gzip", c, 4,
					      &chunked, &unknown, &many), 4);
	assert_int_equal(many, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gzip_deflate_zlib_br_zstd),
		cmocka_unit_test(stacked_reverse_order),
		cmocka_unit_test(plain_data_labelled_compressed),
		cmocka_unit_test(gzip_header_fields_and_crc_ignored),
		cmocka_unit_test(corrupt_and_truncated),
		cmocka_unit_test(bomb_limits),
		cmocka_unit_test(parse_codings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
