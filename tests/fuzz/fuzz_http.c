// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the HTTP parser as the reassembler drives it. The first
 * byte picks split size and events, the rest is the stream: fed as the
 * server's bytes after a fixed request (or, if asked, as the client's
 * bytes too), with an optional gap in the middle; also parsed as one
 * header block. Message positions (http_conf.msg, obj_meta) must stay
 * ordered and within the bytes fed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "http/httphdr.h"

/* Bytes fed per direction, and where the last message ended. */
struct fpos {
	uint64_t fed[2], done[2];
};

static void f_msg(void *ctx, const struct http_msg *m)
{
	struct fpos *fp = ctx;

	if (m->head_off > m->body_off || m->body_off > fp->fed[m->dir] ||
	    strlen(m->uri) > 4096)
		abort();
	if (m->ev == HTTP_MSG_HEAD && m->head_off < fp->done[m->dir])
		abort();
	if (m->ev == HTTP_MSG_DONE) {
		/* a late body (after a bodiless response) ends its message
		 * a second time */
		if (m->end_off < m->body_off || m->end_off > fp->fed[m->dir] ||
		    m->end_off < fp->done[m->dir])
			abort();
		fp->done[m->dir] = m->end_off;
	}
}

static void *f_begin(void *ctx, const struct obj_meta *m)
{
	struct fpos *fp = ctx;
	enum stream_dir dir = m->kind == OBJ_RESPONSE_BODY ||
			      m->kind == OBJ_BYTERANGE_PART ? STREAM_S2C : STREAM_C2S;

	if (m->head_off > m->body_off || m->body_off > fp->fed[dir])
		abort();
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
		 const uint8_t *p, size_t n, size_t step, int gap, struct fpos *fp)
{
	for (size_t i = 0; i < n; i += step) {
		if (gap && i >= n / 2 && i < n / 2 + step)
			so->gap(f, dir, step, i);
		fp->fed[dir] += n - i < step ? n - i : step;
		so->data(f, dir, p + i, n - i < step ? n - i : step, i);
	}
	so->end(f, dir, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct stream_ops *so = http_stream_ops();
	struct flow_info fi = { .id = 1, .proto = 6 };
	struct http_head h;
	struct fpos fp = { { 0, 0 }, { 0, 0 } };
	struct http_conf conf;
	struct http_ctx *ctx;
	void *f;

	if (size < 1)
		return 0;
	httphdr_parse(data + 1, size - 1, data[0] & 1, &h);
	http_conf_default(&conf);
	conf.max_header = 4096;
	conf.max_decoded = 1 << 20;
	conf.msg = f_msg;
	conf.msg_ctx = &fp;
	ctx = http_ctx_new(&conf, &f_ops, &fp);
	if (!ctx)
		return 0;
	fi.flags = data[0] & 0x80 ? FLOW_MIDSTREAM : 0;
	f = so->flow_open(ctx, &fi);
	if (f) {
		size_t step = (data[0] >> 2 & 0x1f) + 1;

		static const char get[] = "GET / HTTP/1.1\r\nHost: f\r\n\r\n";

		if (data[0] & 2)
			feed(so, f, STREAM_C2S, data + 1, size - 1, step, 0, &fp);
		else	/* responses are parsed once a request was seen */
			feed(so, f, STREAM_C2S, (const uint8_t *)get,
			     sizeof(get) - 1, 64, 0, &fp);
		feed(so, f, STREAM_S2C, data + 1, size - 1, step, data[0] & 1, &fp);
		so->flow_close(f, STREAM_CLOSE_EOF, size);
	}
	http_ctx_free(ctx);
	return 0;
}
