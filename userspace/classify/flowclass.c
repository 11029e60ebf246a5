// SPDX-License-Identifier: GPL-2.0
/* flowclass: nDPI per flow through the packet hook, one "flow" line per
 * flow at its close. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "flowclass.h"
#include "log/eventjson.h"

struct flowclass {
	struct flowclass_conf conf;
	struct dpi *dpi;
	const char *source;
	struct ej_writer w;
	struct flowclass_stats st;
};

/* Kept for each flow for its life, so kept small: the flow's endpoints
 * are the source's (valid until flow_close returns), nDPI's part is as
 * small as the detection allows (dpi.h). */
struct fc_flow {
	struct flowclass *fc;
	const struct flow_info *fi;
	struct dpi_flow *df; /* NULL: not classified (memory) */
	uint64_t packets[2], bytes[2], last_ns;
	bool told; /* classified was called */
};

struct flowclass *flowclass_new(const struct flowclass_conf *conf)
{
	struct flowclass *fc = calloc(1, sizeof(*fc));

	if (!fc)
		return NULL;
	fc->conf = *conf;
	fc->dpi = dpi_new();
	if (!fc->dpi) {
		free(fc);
		return NULL;
	}
	ej_init(&fc->w, NULL);
	return fc;
}

void flowclass_free(struct flowclass *fc)
{
	if (!fc)
		return;
	ej_free(&fc->w);
	dpi_free(fc->dpi);
	free(fc);
}

void flowclass_set_source(struct flowclass *fc, const char *source)
{
	fc->source = source;
}

void flowclass_stats(const struct flowclass *fc, struct flowclass_stats *st)
{
	const uint64_t *a = (const uint64_t *)&fc->st;
	uint64_t *s = (uint64_t *)st;

	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		s[i] += a[i];
}

static void *fc_open(void *ctx, const struct flow_info *fi)
{
	struct flowclass *fc = ctx;
	struct fc_flow *f = calloc(1, sizeof(*f));

	if (!f) {
		fc->st.errors++;
		return NULL;
	}
	f->fc = fc;
	f->fi = fi;
	f->df = dpi_flow_new(fc->dpi, fi->proto);
	if (!f->df)
		fc->st.errors++;
	return f;
}

static void fc_packet(void *flow, enum stream_dir d, const uint8_t *ip, size_t len, uint64_t ts)
{
	struct fc_flow *f = flow;
	struct dpi_result r;
	bool more;

	f->packets[d]++;
	f->bytes[d] += len;
	f->last_ns = ts;
	if (!f->df)
		return;
	more = dpi_flow_packet(f->fc->dpi, f->df, ip, len, ts);
	/* with a classified callback (the live agent), the detection ends as
	 * soon as nDPI names the application: a decision now beats the
	 * details later packets would add */
	if (f->told || !f->fc->conf.classified || (more && !dpi_flow_named(f->df)))
		return;
	f->told = true;
	if (!dpi_flow_result(f->fc->dpi, f->df, &r))
		f->fc->conf.classified(f->fc->conf.classified_ctx, f->fi, &r);
}

static void fc_nop(void *flow, enum stream_dir d, uint64_t ts)
{
	(void)flow, (void)d, (void)ts;
}

static void put_risks(struct ej_writer *w, uint64_t risks)
{
	ej_arr(w, "risks");
	for (unsigned n = 0; n < 64; n++) {
		const char *s = (risks >> n & 1) ? dpi_risk_name(n) : NULL;

		if (s)
			ej_str(w, NULL, s);
	}
	ej_arr_end(w);
}

static void put_ndpi(struct ej_writer *w, const struct dpi_result *r)
{
	ej_obj(w, "ndpi");
	ej_str(w, "protocol", r->protocol);
	ej_str(w, "category", r->category_name);
	ej_str(w, "server_name", r->server_name);
	ej_str(w, "confidence", r->confidence);
	put_risks(w, r->risks);
	ej_u64(w, "packets", r->packets);
	ej_bool(w, "capped", r->capped);
	ej_obj_end(w);
}

static void put_dir(struct ej_writer *w, const char *key, const struct fc_flow *f, int d)
{
	ej_obj(w, key);
	ej_u64(w, "packets", f->packets[d]);
	ej_u64(w, "bytes", f->bytes[d]);
	ej_obj_end(w);
}

/* The line of f, in w's buffer. Returns 0 or -errno (ej_finish). */
static int put_flow(struct ej_writer *w, const struct fc_flow *f, enum stream_close why,
		    const struct dpi_result *r)
{
	ej_begin(w);
	ej_str(w, "event", "flow");
	ej_str(w, "file", f->fc->source ? f->fc->source : "");
	ej_u64(w, "flow", f->fi->id);
	ej_str(w, "proto", f->fi->proto == IPPROTO_TCP ? "tcp" : "udp");
	ej_addr(w, "client", f->fi->client_addr);
	ej_u64(w, "client_port", f->fi->client_port);
	ej_addr(w, "server", f->fi->server_addr);
	ej_u64(w, "server_port", f->fi->server_port);
	ej_u64(w, "vlan", f->fi->vlan);
	ej_bool(w, "midstream", f->fi->flags & FLOW_MIDSTREAM);
	ej_time(w, "start", f->fi->first_ts_ns);
	ej_time(w, "end", f->last_ns);
	ej_str(w, "close", stream_close_name(why));
	put_dir(w, "c2s", f, STREAM_C2S);
	put_dir(w, "s2c", f, STREAM_S2C);
	if (r)
		put_ndpi(w, r);
	else
		ej_null(w, "ndpi");
	return ej_finish(w);
}

static void count(struct flowclass_stats *st, const struct dpi_result *r)
{
	st->classified += r->master || r->app;
	st->guessed += r->guessed;
	st->capped += r->capped;
	st->packets += r->packets;
}

/* flow_close: hands the flow's line on and frees it. */
static void fc_close(void *flow, enum stream_close why, uint64_t ts)
{
	struct fc_flow *f = flow;
	struct flowclass *fc = f->fc;
	struct objrec *r = calloc(1, sizeof(*r));
	struct dpi_result res, *got = NULL;

	(void)ts;
	if (f->df && !dpi_flow_result(fc->dpi, f->df, &res)) {
		got = &res;
		count(&fc->st, got);
	} else if (f->df) {
		fc->st.errors++; /* no memory for nDPI's state */
	}
	fc->st.flows++;
	if (fc->conf.no_lines) {
		free(r);
	} else if (r && !put_flow(&fc->w, f, why, got) && (r->text = malloc(fc->w.len))) {
		memcpy(r->text, fc->w.buf, fc->w.len);
		r->len = fc->w.len;
		r->whole_line = true;
		r->flow = f->fi->id;
		r->source = fc->source;
		fc->conf.emit(fc->conf.emit_ctx, r);
	} else {
		free(r);
		fc->st.errors++;
	}
	dpi_flow_free(f->df);
	free(f);
}

/* Bytes, gaps and ends: nDPI has what it needs from the packets. */
static void fc_data(void *flow, enum stream_dir d, const uint8_t *p, size_t len, uint64_t ts)
{
	(void)flow, (void)d, (void)p, (void)len, (void)ts;
}

static void fc_gap(void *flow, enum stream_dir d, uint64_t len, uint64_t ts)
{
	(void)flow, (void)d, (void)len, (void)ts;
}

const struct stream_ops *flowclass_stream_ops(void)
{
	static const struct stream_ops ops = {
		.flow_open = fc_open,
		.data = fc_data,
		.gap = fc_gap,
		.end = fc_nop,
		.flow_close = fc_close,
		.packet = fc_packet,
	};

	return &ops;
}
