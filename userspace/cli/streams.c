// SPDX-License-Identifier: GPL-2.0
/* edgeward streams: runs capture files through the engine's reassembly
 * only (flowsum consumer) and writes one JSON line per flow (addresses,
 * bytes and SHA-256 per direction, gaps, close reason) plus a summary per
 * file. For checking the reassembler against other tools, and for a first
 * look at a capture. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "log/eventjson.h"
#include "log/log.h"

struct st_ctx {
	struct ej_writer w;
	int errors;
	int failed;
};

/* The summary of one file, written by the engine in its place in the
 * output (after the file's flows). */
static void put_summary(void *ctx, const struct engine_source *s)
{
	struct st_ctx *c = ctx;
	struct ej_writer *w = &c->w;
	const struct capture_stats *ps = &s->cap;
	const struct reasm_stats *rs = &s->tcp;

	if (s->err) {
		ew_err("streams: %s", s->msg);
		c->failed = 1;
	}
	ej_begin(w);
	ej_str(w, "event", "summary");
	ej_str(w, "file", s->path);
	ej_str(w, "error", s->err ? s->msg : NULL);
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
	fprintf(out, "usage: edgeward streams [--no-hash] [--workers N] FILE...\n"
		     "Reassembles the TCP and UDP flows of pcap/pcapng files and "
		     "writes one JSON\n"
		     "line per flow (bytes, gaps and SHA-256 per direction) and a "
		     "summary per file.\n");
}

static int run(struct st_ctx *c, char **files, int n, bool hash, unsigned workers)
{
	struct engine_source *src = calloc((size_t)n, sizeof(*src));
	struct engine_conf conf;
	struct engine_stats st;
	struct engine *e = NULL;

	engine_conf_default(&conf);
	conf.mode = ENGINE_FLOWS;
	conf.flow_hash = hash;
	conf.workers = engine_sources_seekable(files, n) ? workers : 1; /* pipes: once */
	conf.out = &c->w;
	conf.source_done = put_summary;
	conf.source_ctx = c;
	if (src)
		e = engine_new(&conf);
	if (!e) {
		ew_err("streams: couldn't set up the pipeline: %s", strerror(errno));
		free(src);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		src[i].path = files[i];
	engine_run_files(e, src, n);
	engine_stats(e, &st);
	c->errors += (int)st.obj.write_errors;
	engine_free(e);
	free(src);
	return 0;
}

int cmd_streams(int argc, char **argv)
{
	static const struct option opts[] = {
		{"no-hash", no_argument, NULL, 'n'},
		{"workers", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct st_ctx c = {0};
	unsigned long workers = 0;
	bool hash = true;
	char *end;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'n') {
			hash = false;
		} else if (o == 'w') {
			workers = strtoul(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end || workers > ENGINE_WORKERS_MAX) {
				ew_err("streams: bad --workers '%s' (expected 1..%d)", optarg,
				       ENGINE_WORKERS_MAX);
				return 2;
			}
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
	if (run(&c, argv + optind, argc - optind, hash, (unsigned)workers))
		c.failed = 1;
	ej_free(&c.w);
	if (fflush(stdout) || c.errors) {
		ew_err("streams: couldn't write the flows: %s", strerror(EIO));
		return 2;
	}
	return c.failed ? 2 : 0;
}
