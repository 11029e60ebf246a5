// SPDX-License-Identifier: GPL-2.0
/* edgeward pcap: runs capture files through the inspection engine and
 * writes JSON Lines events (docs/log-schema.md, docs/pcap.md), then a
 * summary. Parses options, loads the lists, builds the engine's config,
 * runs it and reports.
 *
 * Exit status: 0 nothing matched, 1 something matched, 2 error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/listopts.h"
#include "engine/engine.h"
#include "evidence/evidence.h"
#include "log/eventlog.h"
#include "log/log.h"
#include "log/logmac.h"
#include "metrics/exporter.h"
#include "metrics/pipeline.h"

struct pcap_opts {
	char **files;
	int nfiles;
	unsigned log_mask;
	unsigned workers;
	uint64_t memory;
	const char *out;
	const char *log_key;
	const char *metrics;	   /* Prometheus listen address */
	unsigned long metrics_wait; /* seconds served after the run */
	struct exporter *x;
	struct metrics_obs obs;
	struct eventlog *log;	   /* with --log-key */
	const char *ev_dir, *ev_key; /* --evidence-dir, --evidence-key */
	struct evidence *ev;
	bool force;
	bool stats;
	bool no_ndpi;		   /* --no-ndpi: no flow classification */
	struct listopts lists;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edgeward pcap FILE... [--hashlist NAME=PATH[,...]]... [--pdqlist ...]...\n"
		"                    [--hashxml PATH]... [--pdq] [--pdq-min-quality N]\n"
		"                    [--hash md5,sha1,sha256] [--workers N] [--memory SIZE]\n"
		"                    [--out FILE [--force]] [--log-key FILE] [--stats]\n"
		"                    [--metrics ADDR [--metrics-wait SEC]]\n"
		"                    [--evidence-dir DIR --evidence-key PUB] [--no-ndpi]\n"
		"Reads pcap/pcapng files, extracts HTTP objects, hashes them, matches the\n"
		"hash lists and writes one JSON line per object and match, then a summary.\n"
		LISTOPTS_USAGE
		"  --hash LIST     hashes written to the log (default md5,sha1,sha256)\n"
		"  --workers N     inspection threads (default: the online CPUs); the events\n"
		"                  are the same for any N\n"
		"  --memory SIZE   one budget (K, M, G, T: binary units; at least 16M) for the\n"
		"                  flow cap (half of it, 1 KiB a flow), out-of-order bytes (a\n"
		"                  quarter), image and range buffers (an eighth each); what\n"
		"                  reaches a cap is evicted and counted (docs/pcap.md)\n"
		"  --out FILE      write the events to FILE, created 0600 (default standard\n"
		"                  output); an existing FILE is replaced only with --force\n"
		"  --log-key FILE  sign the events: each line carries the SHA-256 of the line\n"
		"                  before it and an HMAC-SHA256 under the key in FILE (mode\n"
		"                  0600, 16 bytes or more); checked by `edgeward log verify`\n"
		"  --metrics ADDR  serve Prometheus metrics on ADDR (127.0.0.1:9464): the\n"
		"                  run's counters, objects per type, matches per list,\n"
		"                  inspection time; --metrics-wait SEC keeps serving the\n"
		"                  final numbers that long after the run\n"
		"  --evidence-dir DIR, --evidence-key PUB  seal each matched object (up to\n"
		"                  16 MiB) to the responders' public key into DIR\n"
		"                  (`edgeward evidence open` reads it back)\n"
		"  --no-ndpi       no nDPI classification (no flow lines): its cost, measured\n"
		"  --stats         end with a \"resources\" line: workers, memory peaks, CPU\n"
		"                  time (these, unlike the events, vary from run to run)\n"
		"Exit status: 0 no match, 1 match, 2 error.\n");
}

static int parse_workers(const char *s, unsigned *n)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < 1 || v > ENGINE_WORKERS_MAX) {
		ew_err("pcap: bad --workers '%s' (expected 1..%d)", s, ENGINE_WORKERS_MAX);
		return -EINVAL;
	}
	*n = (unsigned)v;
	return 0;
}

/* SIZE: a whole number of bytes with an optional K, M, G or T (powers of
 * 1024, either case), at least ENGINE_MEMORY_MIN. */
static int parse_memory(const char *s, uint64_t *bytes)
{
	static const char units[] = "kmgt";
	const char *u;
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end && !end[1] && (u = strchr(units, *end | 0x20)))
		shift = 10 * (int)(u - units + 1);
	if (*s < '0' || *s > '9' || errno || (*end && !shift) || v > (UINT64_MAX >> shift) ||
	    (v << shift) < ENGINE_MEMORY_MIN) {
		ew_err("pcap: bad --memory '%s' (expected bytes with an optional K, M, G or T, "
		       "at least 16M)",
		       s);
		return -EINVAL;
	}
	*bytes = (uint64_t)v << shift;
	return 0;
}

static int parse_opt(struct pcap_opts *o, int c)
{
	int err;

	switch (c) {
	case 'H':
		if (hash_parse_mask(optarg, &o->log_mask)) {
			ew_err("pcap: bad --hash '%s' (expected a comma-separated list of md5, "
			       "sha1, sha256)",
			       optarg);
			return -EINVAL;
		}
		return 0;
	case 'o':
		o->out = optarg;
		return 0;
	case 'k':
		o->log_key = optarg;
		return 0;
	case 'm':
		o->metrics = optarg;
		return 0;
	case 'W':
		o->metrics_wait = strtoul(optarg, NULL, 10);
		return 0;
	case 'E':
		o->ev_dir = optarg;
		return 0;
	case 'P':
		o->ev_key = optarg;
		return 0;
	case 'f':
		o->force = true;
		return 0;
	case 's':
		o->stats = true;
		return 0;
	case 'N':
		o->no_ndpi = true;
		return 0;
	case 'w':
		return parse_workers(optarg, &o->workers);
	case 'M':
		return parse_memory(optarg, &o->memory);
	case 'h':
		usage(stdout);
		return 1;
	}
	err = listopts_option(&o->lists, "pcap", c, optarg);
	if (err > 0)
		usage(stderr);
	return err ? -EINVAL : 0;
}

static int parse_args(int argc, char **argv, struct pcap_opts *o)
{
	static const struct option lopts[] = {
		{"hash", required_argument, NULL, 'H'},
		{"out", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, 'f'},
		{"log-key", required_argument, NULL, 'k'},
		{"metrics", required_argument, NULL, 'm'},
		{"metrics-wait", required_argument, NULL, 'W'},
		{"evidence-dir", required_argument, NULL, 'E'},
		{"evidence-key", required_argument, NULL, 'P'},
		{"stats", no_argument, NULL, 's'},
		{"no-ndpi", no_argument, NULL, 'N'},
		{"workers", required_argument, NULL, 'w'},
		{"memory", required_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},
		LISTOPTS_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	int c, err;

	o->log_mask = HASH_ALL;
	listopts_init(&o->lists);
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", lopts, NULL)) != -1)
		if ((err = parse_opt(o, c)))
			return err;
	o->files = argv + optind;
	o->nfiles = argc - optind;
	if (!o->nfiles) {
		ew_err("pcap: no capture file given");
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* The events file: subscriber traffic, so created 0600, never through a
 * symlink, and never over an existing file unless asked. */
static FILE *open_out(const struct pcap_opts *o)
{
	int fd, flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	FILE *f;

	if (!o->out || !strcmp(o->out, "-"))
		return stdout;
	flags |= o->force ? O_TRUNC : O_EXCL;
	fd = open(o->out, flags, 0600);
	if (fd < 0) {
		ew_err("pcap: couldn't open '%s' for writing: %s%s", o->out, strerror(errno),
		       errno == EEXIST ? " (use --force to replace it)" : "");
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

static void put_packets(struct ej_writer *w, const struct engine_stats *st)
{
	ej_obj(w, "packets");
	ej_u64(w, "frames", st->cap.frames);
	ej_u64(w, "bytes", st->cap.bytes);
	ej_u64(w, "not_ip", st->cap.not_ip);
	ej_u64(w, "malformed", st->cap.malformed);
	ej_obj_end(w);
	ej_obj(w, "tcp");
	ej_u64(w, "flows", st->tcp.flows);
	ej_u64(w, "midstream", st->tcp.midstream);
	ej_u64(w, "gaps", st->tcp.gaps);
	ej_u64(w, "gap_bytes", st->tcp.gap_bytes);
	ej_u64(w, "overlaps", st->tcp.overlaps);
	ej_u64(w, "conflicts", st->tcp.conflicts);
	ej_u64(w, "evictions", st->tcp.evictions);
	ej_u64(w, "bytes", st->tcp.bytes);
	ej_obj_end(w);
	ej_obj(w, "http");
	ej_u64(w, "requests", st->http.requests);
	ej_u64(w, "responses", st->http.responses);
	ej_u64(w, "anomalies", st->http.anomalies);
	ej_u64(w, "bombs", st->http.bombs);
	ej_u64(w, "gave_up", st->http.gave_up);
	/* only in runs that read some message more than one way: the
	 * summary of other runs stays as it was */
	if (st->http.alternates || st->http.alt_refused || st->http.alt_capped) {
		ej_u64(w, "alternates", st->http.alternates);
		ej_u64(w, "alt_refused", st->http.alt_refused);
		ej_u64(w, "alt_capped", st->http.alt_capped);
	}
	ej_obj_end(w);
	ej_obj(w, "ndpi");
	ej_u64(w, "flows", st->flows.flows);
	ej_u64(w, "classified", st->flows.classified);
	ej_u64(w, "guessed", st->flows.guessed);
	ej_u64(w, "capped", st->flows.capped);
	ej_u64(w, "errors", st->flows.errors);
	ej_obj_end(w);
}

static void put_range(struct ej_writer *w, const struct range_stats *rs)
{
	ej_obj(w, "range");
	ej_u64(w, "pieces", rs->pieces);
	ej_u64(w, "committed", rs->committed);
	ej_u64(w, "assembled", rs->assembled);
	ej_u64(w, "conflicts", rs->conflicts);
	ej_u64(w, "rejected", rs->rejected);
	ej_u64(w, "evicted", rs->evicted);
	ej_u64(w, "expired", rs->expired);
	ej_u64(w, "held_peak", rs->held_peak);
	ej_obj_end(w);
}

static void put_pdq(struct ej_writer *w, const struct engine_stats *st)
{
	ej_obj(w, "pdq");
	ej_u64(w, "images", st->img.images);
	ej_u64(w, "hashed", st->img.hashed);
	ej_u64(w, "undecodable", st->img.undecodable);
	ej_u64(w, "over_cap", st->img.over_cap);
	ej_u64(w, "incomplete", st->img.incomplete);
	ej_u64(w, "low_quality", st->img.low_quality);
	ej_u64(w, "matches", st->img.matches);
	ej_u64(w, "matched_objects", st->img.matched);
	ej_u64(w, "hits_dropped", st->img.hits_dropped);
	ej_u64(w, "worker_crashes", st->sandbox.crashes);
	ej_u64(w, "worker_timeouts", st->sandbox.timeouts);
	ej_obj_end(w);
}

static int put_summary(struct ej_writer *w, const struct pcap_opts *o,
		       const struct engine_stats *st, unsigned files, unsigned errors)
{
	const struct objsink_stats *ob = &st->obj;

	ej_begin(w);
	ej_str(w, "event", "summary");
	ej_u64(w, "files", files);
	ej_u64(w, "errors", errors);
	ej_u64(w, "objects", ob->objects);
	ej_u64(w, "hashed", ob->hashed);
	ej_u64(w, "unhashed", ob->unhashed);
	ej_u64(w, "pieces", ob->pieces);
	ej_u64(w, "assembled", ob->assembled);
	ej_u64(w, "incomplete", ob->incomplete);
	ej_u64(w, "matches", ob->matches);
	ej_u64(w, "matched_objects", ob->matched);
	ej_u64(w, "bytes", ob->bytes);
	ej_u64(w, "wire_bytes", ob->wire_bytes);
	ej_arr(w, "lists");
	listset_put(w, &o->lists.ls);
	ej_arr_end(w);
	put_packets(w, st);
	put_range(w, &st->range);
	if (o->lists.ic.log || pdqdb_entries(o->lists.ls.pdb))
		put_pdq(w, st);
	return ej_end(w);
}

/* What the run cost: not part of the events, since it varies with the
 * number of workers and the machine. */
static int put_resources(struct ej_writer *w, const struct engine_stats *st)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	ej_begin(w);
	ej_str(w, "event", "resources");
	ej_u64(w, "workers", st->workers);
	ej_u64(w, "tcp_buffered_peak", st->held_peak);
	ej_u64(w, "pdq_buffered_peak", st->img.buffered_peak);
	ej_u64(w, "range_held_peak", st->range.held_peak);
	ej_u64(w, "image_worker_spawns", st->sandbox.spawns);
	ej_u64(w, "max_rss_kib", (uint64_t)ru.ru_maxrss);
	ej_u64(w, "user_us", (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec);
	ej_u64(w, "sys_us", (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec);
	return ej_end(w);
}

static void observe(void *ctx, const struct obj_verdict *v)
{
	metrics_obs_verdict(ctx, v, false); /* capture times: no verdict latency */
}

/* The run's metrics, served until the next publish. */
static void publish(struct pcap_opts *o, const struct engine_stats *st)
{
	struct prom_buf b = {0};
	struct eventlog_stats ls;

	metrics_put_engine(&b, st);
	metrics_put_obs(&b, &o->obs);
	if (o->log) {
		eventlog_stats(o->log, &ls);
		metrics_put_log(&b, &ls, NULL);
	}
	metrics_put_process(&b);
	if (!b.err)
		exporter_publish(o->x, b.s, b.len);
	prom_free(&b);
}

/* Runs the files; every unreadable one is reported and counted, and the
 * others still run. Returns the exit status. */
static int run(struct pcap_opts *o, struct ej_writer *wp)
{
	struct engine_source *src = calloc((size_t)o->nfiles, sizeof(*src));
	struct ej_writer w = *wp;
	struct engine_conf c;
	struct engine_stats st;
	struct engine *e = NULL;
	unsigned errors = 0;
	int rc = 2;

	engine_conf_default(&c);
	c.workers = o->workers;
	if (!engine_sources_seekable(o->files, o->nfiles)) {
		if (o->workers > 1)
			ew_warn("pcap: a pipe or device among the inputs: one worker reads them");
		c.workers = 1; /* it can be read once only */
	}
	c.memory = o->memory;
	c.log_mask = o->log_mask;
	c.hashdb = o->lists.ls.db;
	c.img = o->lists.ic;
	c.classify = !o->no_ndpi;
	c.out = &w;
	if (o->x) {
		c.verdict = observe;
		c.verdict_ctx = &o->obs;
	}
	c.evidence = o->ev ? evidence_hook(o->ev) : NULL;
	if (src)
		e = engine_new(&c);
	if (!e) {
		ew_err("pcap: couldn't set up the pipeline: %s", strerror(errno));
		goto out;
	}
	for (int i = 0; i < o->nfiles; i++)
		src[i].path = o->files[i];
	engine_run_files(e, src, o->nfiles);
	for (int i = 0; i < o->nfiles; i++)
		if (src[i].err) {
			ew_err("pcap: %s", src[i].msg);
			errors++;
		}
	engine_stats(e, &st);
	if (o->x)
		publish(o, &st);
	if (put_summary(&w, o, &st, (unsigned)o->nfiles, errors) || st.obj.write_errors ||
	    (o->stats && put_resources(&w, &st))) {
		ew_err("pcap: couldn't write the events: %s", strerror(EIO));
		errors++;
	}
	rc = errors ? 2 : st.obj.matches ? 1 : 0;
out:
	engine_free(e);
	ej_free(&w);
	free(src);
	return rc;
}

/* The signed event log (--log-key): the same file rules as open_out. */
static struct eventlog *open_signed(const struct pcap_opts *o)
{
	uint8_t key[LOGMAC_KEY_MAX + 1];
	char msg[512], host[256] = "";
	struct eventlog_conf c;
	struct eventlog *l;
	int n = logmac_read_key(o->log_key, key, sizeof(key), msg, sizeof(msg));

	if (n < 0) {
		ew_err("pcap: %s", msg);
		return NULL;
	}
	gethostname(host, sizeof(host) - 1);
	eventlog_conf_default(&c);
	c.path = o->out;
	c.how = o->force ? EVENTLOG_REPLACE : EVENTLOG_NEW;
	c.key = key;
	c.key_len = (size_t)n;
	c.sensor = host;
	c.checkpoint_ns = 0; /* one run: a checkpoint at its end */
	l = eventlog_open(&c, msg, sizeof(msg));
	if (!l)
		ew_err("pcap: %s", msg);
	explicit_bzero(key, sizeof(key));
	return l;
}

/* Runs into the signed log or the plain file; returns the exit status. */
static int run_out(struct pcap_opts *o)
{
	struct eventlog *l = NULL;
	struct ej_writer w;
	char msg[512];
	FILE *out = NULL;
	int rc;

	if (o->log_key ? !(l = open_signed(o)) : !(out = open_out(o)))
		return 2;
	if (l)
		ej_init_sink(&w, eventlog_sink(l));
	else
		ej_init(&w, out);
	o->log = l;
	rc = run(o, &w);
	if (l && eventlog_close(l, msg, sizeof(msg))) {
		ew_err("pcap: couldn't write the events: %s", msg);
		rc = 2;
	}
	if (out && (out == stdout ? fflush(out) : fclose(out)) != 0) {
		ew_err("pcap: couldn't write the events: %s", strerror(errno));
		rc = 2;
	}
	return rc;
}

static int start_metrics(struct pcap_opts *o)
{
	struct engine_stats zero = {0};
	char msg[256];

	metrics_obs_init(&o->obs);
	o->x = exporter_start(o->metrics, msg, sizeof(msg));
	if (!o->x) {
		ew_err("pcap: %s", msg);
		metrics_obs_free(&o->obs);
		return -1;
	}
	publish(o, &zero);
	return 0;
}

static int start_evidence(struct pcap_opts *o)
{
	struct evidence_conf ec = {.dir = o->ev_dir};
	char msg[512];

	if (!o->ev_dir || !o->ev_key) {
		ew_err("pcap: --evidence-dir and --evidence-key go together");
		return -1;
	}
	if (evidence_read_key(o->ev_key, ec.pk, 0, msg, sizeof(msg))) {
		ew_err("pcap: %s", msg);
		return -1;
	}
	o->ev = evidence_new(&ec, msg, sizeof(msg));
	if (!o->ev)
		ew_err("pcap: %s", msg);
	else if (evidence_start(o->ev)) {
		ew_err("pcap: couldn't start the evidence writer");
		evidence_free(o->ev, NULL);
		o->ev = NULL;
	}
	return o->ev ? 0 : -1;
}

int cmd_pcap(int argc, char **argv)
{
	struct pcap_opts o = {0};
	int err, rc = 2;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (listopts_load(&o.lists, "pcap"))
		goto out;
	if (o.metrics && start_metrics(&o))
		goto out;
	if ((o.ev_dir || o.ev_key) && start_evidence(&o))
		goto out;
	rc = run_out(&o);
	if (o.ev) {
		struct evidence_stats es;

		evidence_free(o.ev, &es); /* writes what is queued first */
		o.ev = NULL;
		ew_info("evidence: %llu matched objects sealed in %s, %llu over the size cap, %llu "
			"not written", (unsigned long long)es.kept, o.ev_dir,
			(unsigned long long)es.too_big, (unsigned long long)es.dropped);
		if (es.dropped)
			rc = 2;
	}
	if (o.x) {
		sleep((unsigned)o.metrics_wait);
		exporter_stop(o.x);
		metrics_obs_free(&o.obs);
	}
out:
	listopts_free(&o.lists);
	return rc;
}
