// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the end of the pipeline, http -> objsink (hash, range,
 * matcher) -> eventjson, on arbitrary HTTP. The first byte picks the split
 * size, a gap, and which direction the bytes feed; responses follow a fixed
 * request, with three flows so range pieces meet across connections. Checks
 * that every event line is valid UTF-8 without raw control characters (the
 * escaper's promise) and that ranges are all released at the end. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "object/objsink.h"

/* Valid UTF-8, no control characters but the line ends. */
static void check_lines(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint8_t c = p[i];
		size_t len = c < 0x80		      ? 1
			     : c >= 0xc2 && c <= 0xdf ? 2
			     : c >= 0xe0 && c <= 0xef ? 3
			     : c >= 0xf0 && c <= 0xf4 ? 4
						      : 0;

		if (!len || (c < 0x20 && c != '\n') || i + len > n)
			abort();
		for (size_t k = 1; k < len; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				abort();
		i += len;
	}
	if (n && p[n - 1] != '\n')
		abort();
}

/* Every digest whose first byte is even is "listed". */
static int lookup(void *ctx, enum hash_type t, const uint8_t *d, struct objsink_hit *hits, int max)
{
	(void)ctx;
	(void)t;
	if ((d[0] & 1) || max < 1)
		return 0;
	objsink_copy_name(hits[0].list, "fuzz");
	objsink_copy_name(hits[0].category, "\x01\"\xff");
	return 1;
}

static void feed(const struct stream_ops *so, void *f, enum stream_dir dir, const uint8_t *p,
		 size_t n, size_t step, int gap)
{
	for (size_t i = 0; i < n; i += step) {
		if (gap && i >= n / 2 && i < n / 2 + step)
			so->gap(f, dir, step, i);
		so->data(f, dir, p + i, n - i < step ? n - i : step, 1000000000ull + i);
	}
	so->end(f, dir, n);
}

static void run(struct http_ctx *ctx, const uint8_t *data, size_t size, uint8_t mode, uint64_t id)
{
	static const char get[] = "GET /r?x HTTP/1.1\r\nHost: f\r\n\r\n"
				  "GET /r?y HTTP/1.1\r\nHost: f\r\n\r\n";
	const struct stream_ops *so = http_stream_ops();
	struct flow_info fi = {.id = id, .proto = 6, .client_port = 1, .server_port = 80};
	size_t step = (mode >> 2 & 0x1f) + 1;
	void *f = so->flow_open(ctx, &fi);

	if (!f)
		return;
	if (mode & 2)
		feed(so, f, STREAM_C2S, data, size, step, 0);
	else
		feed(so, f, STREAM_C2S, (const uint8_t *)get, sizeof(get) - 1, 64, 0);
	feed(so, f, STREAM_S2C, data, size, step, mode & 1);
	so->flow_close(f, STREAM_CLOSE_EOF, 2000000000ull);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct objsink_matcher m = {.need = HASH_SHA256 | HASH_MD5, .lookup = lookup};
	struct objsink_conf sc = {.log_mask = HASH_SHA1, .matcher = &m};
	struct http_ctx *ctx = NULL;
	struct objsink *s = NULL;
	struct ej_writer w;
	struct http_conf hc;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	if (size < 1)
		return 0;
	out = open_memstream(&buf, &len);
	if (!out)
		return 0;
	ej_init(&w, out);
	sc.out = &w;
	http_conf_default(&hc);
	hc.max_header = 4096;
	hc.max_decoded = 1 << 20;
	s = objsink_new(&sc);
	if (s) {
		objsink_set_source(s, "fuzz\n\xc3");
		ctx = http_ctx_new(&hc, objsink_object_ops(), s);
	}
	if (ctx) {
		/* three connections: pieces stitch across them */
		for (uint64_t id = 1; id <= 3; id++)
			run(ctx, data + 1, size - 1, (uint8_t)(data[0] + id - 1), id);
		objsink_flush(s);
		if (objsink_range_stats(s)->resources || objsink_range_stats(s)->held)
			abort();
	}
	http_ctx_free(ctx);
	objsink_free(s);
	ej_free(&w);
	fclose(out);
	check_lines((const uint8_t *)buf, len);
	free(buf);
	return 0;
}
