/* SPDX-License-Identifier: GPL-2.0 */
/* Test helpers for the HTTP parser's tests: an object consumer that keeps
 * each object's metadata, bytes and end, and a driver that runs the
 * events of one flow through http_stream_ops() in pieces of a given size. */
#ifndef EW_TEST_HTTPCOL_H
#define EW_TEST_HTTPCOL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/http.h"

#define MAXOBJ 16

struct tobj {
	enum obj_kind kind;
	char method[16], uri[128], host[64], filename[64];
	int status;
	int64_t first, last, total;
	uint64_t head_off, body_off;
	char wire[4096], data[4096];
	size_t nwire, ndata;
	struct obj_end end;
	char sniffed[16], error[128];
	char reading[24];	/* obj_meta.reading, "" if NULL */
	int alternate;
	int ended;
};

struct tcol {
	struct tobj o[MAXOBJ];
	int n;
};

static inline void *t_begin(void *ctx, const struct obj_meta *m)
{
	struct tcol *c = ctx;
	struct tobj *o;

	assert_true(c->n < MAXOBJ);
	o = &c->o[c->n++];
	memset(o, 0, sizeof(*o));
	o->kind = m->kind;
	snprintf(o->method, sizeof(o->method), "%s", m->method);
	snprintf(o->uri, sizeof(o->uri), "%s", m->uri);
	snprintf(o->host, sizeof(o->host), "%s", m->host);
	snprintf(o->filename, sizeof(o->filename), "%s", m->filename);
	o->status = m->status;
	o->first = m->range_first;
	o->last = m->range_last;
	o->total = m->range_total;
	o->head_off = m->head_off;
	o->body_off = m->body_off;
	snprintf(o->reading, sizeof(o->reading), "%s", m->reading ? m->reading : "");
	o->alternate = m->alternate;
	return o;
}

static inline void t_wire(void *obj, const uint8_t *p, size_t len)
{
	struct tobj *o = obj;

	assert_true(o->nwire + len < sizeof(o->wire));
	memcpy(o->wire + o->nwire, p, len);
	o->nwire += len;
}

static inline void t_data(void *obj, const uint8_t *p, size_t len)
{
	struct tobj *o = obj;

	assert_true(o->ndata + len < sizeof(o->data));
	memcpy(o->data + o->ndata, p, len);
	o->ndata += len;
}

static inline void t_end(void *obj, const struct obj_end *e)
{
	struct tobj *o = obj;

	assert_false(o->ended);
	o->ended = 1;
	o->end = *e;
	snprintf(o->sniffed, sizeof(o->sniffed), "%s", e->sniffed);
	snprintf(o->error, sizeof(o->error), "%s", e->error);
	assert_int_equal(e->wire_len, o->nwire);
	assert_int_equal(e->decoded_len, o->ndata);
}

static const struct object_ops t_ops = { t_begin, t_wire, t_data, t_end };

/* Events of one test flow: data per direction (split into pieces of step
 * bytes), gap, end, close. */
enum ev_kind { EV_DATA, EV_GAP, EV_END, EV_CLOSE, EV_OVERLAP };

struct ev {
	enum ev_kind kind;
	enum stream_dir dir;
	const char *data;
	size_t len;		/* data length (0: strlen) or gap length */
};

/* Objects ended OBJ_DROPPED (an alternate reading that came out the same
 * as another) are no objects to a consumer: removed. */
static inline void drop_dropped(struct tcol *c)
{
	int k = 0;

	for (int i = 0; i < c->n; i++)
		if (!c->o[i].ended || !(c->o[i].end.flags & OBJ_DROPPED))
			c->o[k++] = c->o[i];
	c->n = k;
}

static inline struct http_ctx *run_flow(const struct ev *evs, size_t nev, size_t step,
				 struct tcol *c, const struct http_conf *conf,
				 uint8_t flow_flags)
{
	struct http_ctx *ctx = http_ctx_new(conf, &t_ops, c);
	const struct stream_ops *so = http_stream_ops();
	struct flow_info fi = { .id = 1, .proto = 6, .flags = flow_flags };
	void *f;

	memset(c, 0, sizeof(*c));
	assert_non_null(ctx);
	f = so->flow_open(ctx, &fi);
	assert_non_null(f);
	for (size_t i = 0; i < nev; i++) {
		const struct ev *e = &evs[i];
		size_t n = e->len ? e->len : (e->data ? strlen(e->data) : 0);

		if (e->kind == EV_DATA)
			for (size_t k = 0; k < n; k += step)
				so->data(f, e->dir, (const uint8_t *)e->data + k,
					 n - k < step ? n - k : step, 1000 + i);
		else if (e->kind == EV_GAP)
			so->gap(f, e->dir, e->len, 1000 + i);
		else if (e->kind == EV_END)
			so->end(f, e->dir, 1000 + i);
		else if (e->kind == EV_OVERLAP)
			so->anomaly(f, e->dir, STREAM_ANOM_OVERLAP, 1000 + i);
		else
			so->flow_close(f, (enum stream_close)e->len, 1000 + i);
	}
	drop_dropped(c);
	return ctx;
}

static inline struct http_ctx *run(const struct ev *evs, size_t nev, size_t step,
			    struct tcol *c, const struct http_conf *conf)
{
	return run_flow(evs, nev, step, c, conf, 0);
}

#define REQ(s) { EV_DATA, STREAM_C2S, s, 0 }
#define RSP(s) { EV_DATA, STREAM_S2C, s, 0 }
#define FIN { EV_CLOSE, 0, NULL, STREAM_CLOSE_FIN }

#endif
