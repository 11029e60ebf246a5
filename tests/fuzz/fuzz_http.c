// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the HTTP parser as the reassembler drives it. The first
 * byte picks split size and events, the rest is the stream: fed as the
 * server's bytes after a fixed request (or, if asked, as the client's
 * bytes too), with an optional gap in the middle; also parsed as one
 * header block. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "http/httphdr.h"

static void *f_begin(void *ctx, const struct obj_meta *m)
{
	(void)ctx;
	/* strings must be readable while begin runs */
	return (void *)(uintptr_t)(strlen(m->method) + strlen(m->uri) +
				   strlen(m->host) + strlen(m->filename) + 1);
}

static void f_bytes(void *obj, const uint8_t *p, size_t len)
{
	size_t *seen = obj;

	/* reads the first and last byte, so ASan checks the span */
	if (len && p[0] + p[len - 1] > 510)
		abort();
	(void)seen;
}

static void f_end(void *obj, const struct obj_end *e)
{
	(void)obj;
	if (strlen(e->sniffed) > 16 || !e->error)
		abort();
}

static const struct object_ops f_ops = { f_begin, f_bytes, f_bytes, f_end };

static void feed(const struct stream_ops *so, void *f, enum stream_dir dir,
		 const uint8_t *p, size_t n, size_t step, int gap)
{
	for (size_t i = 0; i < n; i += step) {
		if (gap && i >= n / 2 && i < n / 2 + step)
			so->gap(f, dir, step, i);
		so->data(f, dir, p + i, n - i < step ? n - i : step, i);
	}
	so->end(f, dir, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct stream_ops *so = http_stream_ops();
	struct flow_info fi = { .id = 1, .proto = 6 };
	struct http_head h;
	struct http_conf conf;
	struct http_ctx *ctx;
	void *f;

	if (size < 1)
		return 0;
	httphdr_parse(data + 1, size - 1, data[0] & 1, &h);
	http_conf_default(&conf);
	conf.max_header = 4096;
	conf.max_decoded = 1 << 20;
	ctx = http_ctx_new(&conf, &f_ops, NULL);
	if (!ctx)
		return 0;
	fi.flags = data[0] & 0x80 ? FLOW_MIDSTREAM : 0;
	f = so->flow_open(ctx, &fi);
	if (f) {
		size_t step = (data[0] >> 2 & 0x1f) + 1;

		static const char get[] = "GET / HTTP/1.1\r\nHost: f\r\n\r\n";

		if (data[0] & 2)
			feed(so, f, STREAM_C2S, data + 1, size - 1, step, 0);
		else	/* responses are parsed once a request was seen */
			feed(so, f, STREAM_C2S, (const uint8_t *)get,
			     sizeof(get) - 1, 64, 0);
		feed(so, f, STREAM_S2C, data + 1, size - 1, step, data[0] & 1);
		so->flow_close(f, STREAM_CLOSE_EOF, size);
	}
	http_ctx_free(ctx);
	return 0;
}
