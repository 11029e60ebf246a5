// SPDX-License-Identifier: GPL-2.0
/* edgeward streams: runs capture files through pcapsrc and reasm only and
 * writes one JSON line per flow (addresses, bytes and SHA-256 per
 * direction, gaps, close reason) plus a summary per file. For checking the
 * reassembler against other tools, and for a first look at a capture. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "log/eventjson.h"
#include "log/log.h"
#include "capture/pcapsrc.h"

struct st_ctx {
	struct ej_writer w;
	const char *file;
	int hash;
	int errors;
};
struct st_dir {
	EVP_MD_CTX *md;
	uint64_t bytes, gaps, gap_bytes, anomalies;
	int ended;
};

struct st_flow {
	struct st_ctx *c;
	struct flow_info fi;
	struct st_dir dir[2];
};

static const char *const close_names[] = {
	[STREAM_CLOSE_FIN] = "fin",	    [STREAM_CLOSE_RST] = "rst",
	[STREAM_CLOSE_TIMEOUT] = "timeout", [STREAM_CLOSE_EVICT] = "evict",
	[STREAM_CLOSE_EOF] = "eof",
};

static void *st_open(void *ctx, const struct flow_info *fi)
{
	struct st_ctx *c = ctx;
	struct st_flow *f = calloc(1, sizeof(*f));

	if (!f) {
		c->errors++;
		return NULL;
	}
	f->c = c;
	f->fi = *fi;
	for (int d = 0; c->hash && d < 2; d++) {
		f->dir[d].md = EVP_MD_CTX_new();
		if (!f->dir[d].md || !EVP_DigestInit_ex(f->dir[d].md, EVP_sha256(), NULL))
			c->errors++;
	}
	return f;
}

static void st_data(void *flow, enum stream_dir d, const uint8_t *p, size_t len, uint64_t ts)
{
	struct st_dir *sd = &((struct st_flow *)flow)->dir[d];

	(void)ts;
	sd->bytes += len;
	if (sd->md)
		EVP_DigestUpdate(sd->md, p, len);
}

static void st_gap(void *flow, enum stream_dir d, uint64_t len, uint64_t ts)
{
	struct st_dir *sd = &((struct st_flow *)flow)->dir[d];

	(void)ts;
	sd->gaps++;
	sd->gap_bytes += len;
}

static void st_end(void *flow, enum stream_dir d, uint64_t ts)
{
	(void)ts;
	((struct st_flow *)flow)->dir[d].ended = 1;
}

static void st_anomaly(void *flow, enum stream_dir d, unsigned what, uint64_t ts)
{
	(void)what;
	(void)ts;
	((struct st_flow *)flow)->dir[d].anomalies++;
}

static void put_dir(struct ej_writer *w, const char *key, struct st_dir *sd)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	ej_obj(w, key);
	ej_u64(w, "bytes", sd->bytes);
	ej_u64(w, "gaps", sd->gaps);
	ej_u64(w, "gap_bytes", sd->gap_bytes);
	ej_u64(w, "anomalies", sd->anomalies);
	if (sd->md && EVP_DigestFinal_ex(sd->md, md, &n))
		ej_hex(w, "sha256", md, n);
	else
		ej_null(w, "sha256");
	ej_obj_end(w);
	EVP_MD_CTX_free(sd->md);
}

/* flow_close: writes the flow's record and frees it. */
static void st_close(void *flow, enum stream_close why, uint64_t ts)
{
	struct st_flow *f = flow;
	struct ej_writer *w = &f->c->w;

	(void)ts;
	ej_begin(w);
	ej_str(w, "event", "flow");
	ej_str(w, "file", f->c->file);
	ej_u64(w, "flow", f->fi.id);
	ej_str(w, "proto", f->fi.proto == IPPROTO_TCP ? "tcp" : "udp");
	ej_addr(w, "client", f->fi.client_addr);
	ej_u64(w, "client_port", f->fi.client_port);
	ej_addr(w, "server", f->fi.server_addr);
	ej_u64(w, "server_port", f->fi.server_port);
	ej_u64(w, "vlan", f->fi.vlan);
	ej_bool(w, "midstream", f->fi.flags & FLOW_MIDSTREAM);
	ej_time(w, "start", f->fi.first_ts_ns);
	ej_str(w, "close", close_names[why]);
	put_dir(w, "c2s", &f->dir[STREAM_C2S]);
	put_dir(w, "s2c", &f->dir[STREAM_S2C]);
	if (ej_end(w))
		f->c->errors++;
	free(f);
}

static const struct stream_ops st_ops = {
	.flow_open = st_open,
	.data = st_data,
	.gap = st_gap,
	.end = st_end,
	.flow_close = st_close,
	.anomaly = st_anomaly,
};

static void put_summary(struct st_ctx *c, const struct pcapsrc_stats *ps,
			const struct reasm_stats *rs, const char *error)
{
	struct ej_writer *w = &c->w;

	ej_begin(w);
	ej_str(w, "event", "summary");
	ej_str(w, "file", c->file);
	ej_str(w, "error", error);
	ej_u64(w, "frames", ps->frames);
	ej_u64(w, "decoded", ps->decoded);
	ej_u64(w, "not_ip", ps->not_ip);
	ej_u64(w, "malformed", ps->malformed);
	ej_str(w, "first_malformed", ps->first_bad.num ? ps->first_bad.msg : NULL);
	ej_u64(w, "fragments", ps->defrag.fragments);
	ej_u64(w, "reassembled", ps->defrag.reassembled);
	ej_obj(w, "tcp");
	ej_u64(w, "flows", rs->flows);
	ej_u64(w, "midstream", rs->midstream);
	ej_u64(w, "gaps", rs->gaps);
	ej_u64(w, "gap_bytes", rs->gap_bytes);
	ej_u64(w, "overlaps", rs->overlaps);
	ej_u64(w, "conflicts", rs->conflicts);
	ej_u64(w, "timeouts", rs->timeouts);
	ej_u64(w, "evictions", rs->evictions);
	ej_u64(w, "buffered_peak", rs->buffered_peak);
	ej_obj(w, "drops");
	for (int i = 0; i < REASM_DROP_MAX; i++)
		ej_u64(w, reasm_drop_str(i), rs->drops[i]);
	ej_obj_end(w);
	ej_obj_end(w);
	if (ej_end(w))
		c->errors++;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: edgeward streams [--no-hash] FILE...\n"
		     "Reassembles the TCP and UDP flows of pcap/pcapng files and "
		     "writes one JSON\n"
		     "line per flow (bytes, gaps and SHA-256 per direction) and a "
		     "summary per file.\n");
}

/* One file through a fresh reassembler, so counters are per file. */
static int run_file(struct st_ctx *c, const char *path)
{
	struct pcapsrc_stats ps = {0};
	struct reasm_stats rs;
	struct pcapsrc_err err;
	struct reasm *r = reasm_new(NULL, &st_ops, c);
	int rc;

	if (!r) {
		ew_err("streams: couldn't read '%s': %s", path, strerror(errno));
		return -ENOMEM;
	}
	c->file = path;
	rc = pcapsrc_run(path, r, &ps, &err);
	if (rc)
		ew_err("streams: %s", err.msg);
	reasm_stats(r, &rs);
	put_summary(c, &ps, &rs, rc ? err.msg : NULL);
	reasm_free(r);
	return rc;
}

int cmd_streams(int argc, char **argv)
{
	static const struct option opts[] = {
		{"no-hash", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct st_ctx c = {.hash = 1};
	int o, failed = 0;

	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'n') {
			c.hash = 0;
		} else {
			usage(o == 'h' ? stdout : stderr);
			return o == 'h' ? 0 : 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	ej_init(&c.w, stdout);
	for (int i = optind; i < argc; i++)
		failed |= run_file(&c, argv[i]) != 0;
	ej_free(&c.w);
	if (fflush(stdout) || c.errors) {
		ew_err("streams: couldn't write the flows: %s", strerror(EIO));
		return 2;
	}
	return failed ? 2 : 0;
}
