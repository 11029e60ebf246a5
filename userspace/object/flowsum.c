// SPDX-License-Identifier: GPL-2.0
/* flowsum: one "flow" line per flow at its close (bytes, gaps, anomalies,
 * SHA-256 per direction). */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "flowsum.h"
#include "hash.h"
#include "log/eventjson.h"

struct flowsum {
	struct flowsum_conf conf;
	const char *source;
	struct ej_writer w;
	uint64_t errors;
};

struct fs_dir {
	struct hash_ctx h;
	uint64_t bytes, gaps, gap_bytes, anomalies;
};

struct fs_flow {
	struct flowsum *fs;
	struct flow_info fi;
	struct fs_dir dir[2];
};

struct flowsum *flowsum_new(const struct flowsum_conf *conf)
{
	struct flowsum *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->conf = *conf;
	ej_init(&fs->w, NULL);
	return fs;
}

void flowsum_free(struct flowsum *fs)
{
	if (!fs)
		return;
	ej_free(&fs->w);
	free(fs);
}

void flowsum_set_source(struct flowsum *fs, const char *source)
{
	fs->source = source;
}

uint64_t flowsum_errors(const struct flowsum *fs)
{
	return fs->errors;
}

static void *fs_open(void *ctx, const struct flow_info *fi)
{
	struct flowsum *fs = ctx;
	struct fs_flow *f = calloc(1, sizeof(*f));

	if (!f) {
		fs->errors++;
		return NULL;
	}
	f->fs = fs;
	f->fi = *fi;
	for (int d = 0; d < 2; d++)
		if (hash_init(&f->dir[d].h, fs->conf.hash ? HASH_SHA256 : 0))
			fs->errors++;
	return f;
}

static void fs_data(void *flow, enum stream_dir d, const uint8_t *p, size_t len, uint64_t ts)
{
	struct fs_dir *sd = &((struct fs_flow *)flow)->dir[d];

	(void)ts;
	sd->bytes += len;
	hash_update(&sd->h, p, len);
}

static void fs_gap(void *flow, enum stream_dir d, uint64_t len, uint64_t ts)
{
	struct fs_dir *sd = &((struct fs_flow *)flow)->dir[d];

	(void)ts;
	sd->gaps++;
	sd->gap_bytes += len;
}

static void fs_end(void *flow, enum stream_dir d, uint64_t ts)
{
	(void)flow, (void)d, (void)ts;
}

static void fs_anomaly(void *flow, enum stream_dir d, unsigned what, uint64_t ts)
{
	(void)what, (void)ts;
	((struct fs_flow *)flow)->dir[d].anomalies++;
}

static void put_dir(struct ej_writer *w, const char *key, struct fs_dir *sd)
{
	struct hash_result r;

	ej_obj(w, key);
	ej_u64(w, "bytes", sd->bytes);
	ej_u64(w, "gaps", sd->gaps);
	ej_u64(w, "gap_bytes", sd->gap_bytes);
	ej_u64(w, "anomalies", sd->anomalies);
	if (sd->h.mask && !hash_final(&sd->h, &r))
		ej_hex(w, "sha256", r.d[HASH_T_SHA256], hash_len(HASH_T_SHA256));
	else
		ej_null(w, "sha256");
	ej_obj_end(w);
	hash_free(&sd->h);
}

/* The line of f, in w's buffer. */
static void put_flow(struct ej_writer *w, struct fs_flow *f, enum stream_close why)
{
	ej_begin(w);
	ej_str(w, "event", "flow");
	ej_str(w, "file", f->fs->source ? f->fs->source : "");
	ej_u64(w, "flow", f->fi.id);
	ej_str(w, "proto", f->fi.proto == IPPROTO_TCP ? "tcp" : "udp");
	ej_addr(w, "client", f->fi.client_addr);
	ej_u64(w, "client_port", f->fi.client_port);
	ej_addr(w, "server", f->fi.server_addr);
	ej_u64(w, "server_port", f->fi.server_port);
	ej_u64(w, "vlan", f->fi.vlan);
	ej_bool(w, "midstream", f->fi.flags & FLOW_MIDSTREAM);
	ej_time(w, "start", f->fi.first_ts_ns);
	ej_str(w, "close", stream_close_name(why));
	put_dir(w, "c2s", &f->dir[STREAM_C2S]);
	put_dir(w, "s2c", &f->dir[STREAM_S2C]);
	ej_obj_end(w);
	ej_raw(w, "\n", 1);
}

/* flow_close: hands the flow's line on and frees it. */
static void fs_close(void *flow, enum stream_close why, uint64_t ts)
{
	struct fs_flow *f = flow;
	struct flowsum *fs = f->fs;
	struct objrec *r = calloc(1, sizeof(*r));

	(void)ts;
	put_flow(&fs->w, f, why);
	if (r && !fs->w.oversize && (r->text = malloc(fs->w.len))) {
		memcpy(r->text, fs->w.buf, fs->w.len);
		r->len = fs->w.len;
		r->whole_line = true;
		r->flow = f->fi.id;
		r->source = fs->source;
		fs->conf.emit(fs->conf.emit_ctx, r);
	} else {
		free(r);
		fs->errors++;
	}
	free(f);
}

const struct stream_ops *flowsum_stream_ops(void)
{
	static const struct stream_ops ops = {
		.flow_open = fs_open,
		.data = fs_data,
		.gap = fs_gap,
		.end = fs_end,
		.flow_close = fs_close,
		.anomaly = fs_anomaly,
	};

	return &ops;
}
