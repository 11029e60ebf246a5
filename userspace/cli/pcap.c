// SPDX-License-Identifier: GPL-2.0
/* edgeward pcap: runs capture files through the inspection pipeline and
 * writes JSON Lines events (docs/log-schema.md, docs/pcap.md):
 *
 *   pcapsrc -> reasm -> http -> objsink (hash, range, lists) -> eventjson
 *                                  `-> imgmatch (PDQ of images, PDQ lists)
 *
 * Exit status: 0 nothing matched, 1 something matched, 2 error. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/pcap_img.h"
#include "log/eventjson.h"
#include "object/hash.h"
#include "lists/hashset.h"
#include "http/http.h"
#include "log/log.h"
#include "object/objsink.h"
#include "capture/pcapsrc.h"
#include "stream/reasm.h"

#define PCAP_LISTS_MAX 64

/* One --hashlist NAME=PATH[,category=C][,format=F][,type=T][,column=X]
 * [,skip-bad]; strings point into argv. */
struct list_spec {
	char *name, *path, *category;
	struct listfile_opts lo;
	size_t entries, duplicates;
};

struct pcap_opts {
	char **files;
	int nfiles;
	unsigned log_mask;
	const char *out;
	struct list_spec lists[PCAP_LISTS_MAX];
	int nlists;
	struct pcap_img_opts img;
};

/* The matcher objsink asks: the loaded lists and a hit buffer that lives
 * until the next lookup. */
struct pcap_lists {
	struct hashdb *db;
	struct pdqdb *pdb;
	struct hashdb_hit hits[OBJSINK_HITS_MAX];
};

/* The pipeline of one run, owned by cmd_pcap, freed back to front. */
struct pcap_run {
	FILE *out;
	struct ej_writer w;
	struct imgmatch *img;
	struct objsink *sink;
	struct http_ctx *http;
	struct reasm *reasm;
	struct pcapsrc_stats src;
	unsigned nfiles, errors;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edgeward pcap FILE... [--hashlist NAME=PATH[,category=C][,format=F]]...\n"
		"                    [--pdqlist NAME=PATH[,category=C][,threshold=N]]...\n"
		"                    [--hashxml PATH]... [--pdq] [--pdq-min-quality N]\n"
		"                    [--hash md5,sha1,sha256] [--out FILE]\n"
		"Reads pcap/pcapng files, extracts HTTP objects, hashes them, matches the\n"
		"hash lists and writes one JSON line per object and match, then a summary.\n"
		"  --hashlist "
		"NAME=PATH[,category=C][,type=md5|sha1|sha256][,format=auto|text|csv]\n"
		"                  [,column=COL][,skip-bad]   load an exact hash list "
		"(repeatable);\n"
		"                  type defaults to the file extension (.md5, .sha1, .sha256), "
		"else sha256\n"
		PCAP_IMG_USAGE
		"  --hash LIST     hashes written to the log (default md5,sha1,sha256)\n"
		"  --out FILE      write the events to FILE (default standard output)\n"
		"Exit status: 0 no match, 1 match, 2 error.\n");
}

/* Kind from the file name: x.sha256, x.sha1.txt, x.md5.csv.gz ... */
static enum list_kind kind_from_path(const char *path)
{
	static const char *const ext[] = {".md5", ".sha1", ".sha256"};
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (int k = LIST_SHA256; k >= LIST_MD5; k--) {
		const char *p = strstr(base, ext[k]);
		char c;

		if (!p)
			continue;
		c = p[strlen(ext[k])];
		if (c == '\0' || c == '.')
			return k;
	}
	return LIST_SHA256;
}

/* Applies one ",key=value" option of --hashlist. Returns 0 or -EINVAL. */
static int list_option(struct list_spec *l, char *opt, bool *typed)
{
	char *v = strchr(opt, '=');

	if (!strcmp(opt, "skip-bad")) {
		l->lo.skip_bad_lines = true;
		return 0;
	}
	if (!v)
		return -EINVAL;
	*v++ = '\0';
	if (!strcmp(opt, "category")) {
		l->category = v;
	} else if (!strcmp(opt, "column")) {
		l->lo.column = v;
	} else if (!strcmp(opt, "type")) {
		if (list_kind_parse(v, &l->lo.kind) || l->lo.kind == LIST_PDQ)
			return -EINVAL;
		*typed = true;
	} else if (!strcmp(opt, "format")) {
		if (!strcmp(v, "auto"))
			l->lo.format = LISTFILE_AUTO;
		else if (!strcmp(v, "text"))
			l->lo.format = LISTFILE_TEXT;
		else if (!strcmp(v, "csv"))
			l->lo.format = LISTFILE_CSV;
		else
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Parses NAME=PATH[,opt...] (arg is modified in place). */
static int parse_list(char *arg, struct list_spec *l)
{
	char *copy = strdupa(arg), *opt, *save = NULL;
	bool typed = false;

	memset(l, 0, sizeof(*l));
	l->category = "";
	l->path = strchr(arg, '=');
	if (!l->path || l->path == arg || !l->path[1])
		goto bad;
	*l->path++ = '\0';
	l->name = arg;
	l->path = strtok_r(l->path, ",", &save);
	while ((opt = strtok_r(NULL, ",", &save)))
		if (list_option(l, opt, &typed))
			goto bad;
	if (!typed)
		l->lo.kind = kind_from_path(l->path);
	return 0;
bad:
	ew_err("pcap: bad --hashlist '%s' (expected "
	       "NAME=PATH[,category=C][,type=md5|sha1|sha256][,format=auto|text|csv][,column=COL][,"
	       "skip-bad])",
	       copy);
	return -EINVAL;
}

static int add_list(struct pcap_opts *o, char *arg)
{
	if (o->nlists == PCAP_LISTS_MAX) {
		ew_err("pcap: more than %d --hashlist options", PCAP_LISTS_MAX);
		return -EINVAL;
	}
	return parse_list(arg, &o->lists[o->nlists++]);
}

static int parse_args(int argc, char **argv, struct pcap_opts *o)
{
	static const struct option lopts[] = {
		{"hash", required_argument, NULL, 'H'},
		{"hashlist", required_argument, NULL, 'l'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		PCAP_IMG_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	int c, err;

	o->log_mask = HASH_ALL;
	pcap_img_init(&o->img);
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", lopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			if (hash_parse_mask(optarg, &o->log_mask)) {
				ew_err("pcap: bad --hash '%s' (expected a comma-separated list of "
				       "md5, sha1, sha256)",
				       optarg);
				return -EINVAL;
			}
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'l':
			if (add_list(o, optarg))
				return -EINVAL;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			err = pcap_img_option(&o->img, c, optarg);
			if (err < 0)
				return -EINVAL;
			if (!err)
				break;
			usage(stderr);
			return -EINVAL;
		}
	}
	o->files = argv + optind;
	o->nfiles = argc - optind;
	if (!o->nfiles) {
		ew_err("pcap: no capture file given");
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static int lists_lookup(void *ctx, enum hash_type t, const uint8_t *d, struct objsink_hit *hits,
			int max)
{
	struct pcap_lists *pl = ctx;
	size_t n = hashdb_lookup(pl->db, (enum list_kind)t, d, pl->hits, OBJSINK_HITS_MAX);

	if (n > (size_t)max)
		n = (size_t)max;
	if (n > OBJSINK_HITS_MAX)
		n = OBJSINK_HITS_MAX;
	for (size_t i = 0; i < n; i++) {
		hits[i].list = pl->hits[i].list;
		hits[i].category = pl->hits[i].category;
	}
	return (int)n;
}

/* Loads every --hashlist with the lists module's loader; any list with
 * errors fails the run (its diagnostics go to stderr). */
static int load_lists(struct pcap_opts *o, struct pcap_lists *pl)
{
	struct listfile_diag d;
	struct hashset *set;
	int err;

	pl->db = hashdb_new();
	if (!pl->db)
		return -ENOMEM;
	for (int i = 0; i < o->nlists; i++) {
		struct list_spec *l = &o->lists[i];

		for (int j = 0; j < i; j++)
			if (!strcmp(o->lists[j].name, l->name)) {
				ew_err("pcap: hash list name '%s' given twice", l->name);
				return -EINVAL;
			}
		err = hashset_load(l->path, l->name, l->category, &l->lo, &d, &set);
		if (err) {
			listfile_diag_print(&d, stderr);
			ew_err("pcap: couldn't load hash list '%s' from '%s': %s", l->name, l->path,
			       err == -EINVAL ? "the file has errors" : strerror(-err));
			return err;
		}
		l->entries = hashset_count(set);
		l->duplicates = hashset_duplicates(set);
		err = hashdb_replace(pl->db, l->name, &set, 1);
		if (err) {
			ew_err("pcap: couldn't install hash list '%s': %s", l->name,
			       strerror(-err));
			return err;
		}
	}
	return pcap_img_load(&o->img, pl->db, &pl->pdb);
}

static void put_lists(struct ej_writer *w, const struct pcap_opts *o)
{
	ej_arr(w, "lists");
	for (int i = 0; i < o->nlists; i++) {
		const struct list_spec *l = &o->lists[i];

		ej_obj(w, NULL);
		ej_str(w, "name", l->name);
		ej_str(w, "category", l->category);
		ej_str(w, "path", l->path);
		ej_str(w, "type", list_kind_name(l->lo.kind));
		ej_u64(w, "entries", l->entries);
		ej_u64(w, "duplicates", l->duplicates);
		ej_obj_end(w);
	}
	pcap_img_put_lists(w, &o->img);
	ej_arr_end(w);
}

static int run_open(struct pcap_run *r, const struct pcap_opts *o, const struct objsink_matcher *m)
{
	struct objsink_conf sc = {.log_mask = o->log_mask, .matcher = m};

	r->out = stdout;
	if (o->out && strcmp(o->out, "-")) {
		r->out = fopen(o->out, "w");
		if (!r->out) {
			ew_err("pcap: couldn't open '%s' for writing: %s", o->out, strerror(errno));
			return -errno;
		}
	}
	ej_init(&r->w, r->out);
	sc.out = &r->w;
	r->img = imgmatch_new(&o->img.ic);
	if (!r->img) {
		ew_err("pcap: couldn't set up the image stage: %s", strerror(errno));
		return -ENOMEM;
	}
	sc.img = r->img;
	r->sink = objsink_new(&sc);
	if (r->sink)
		r->http = http_ctx_new(NULL, objsink_object_ops(), r->sink);
	if (r->http)
		r->reasm = reasm_new(NULL, http_stream_ops(), r->http);
	if (!r->reasm) {
		ew_err("pcap: couldn't set up the pipeline: %s", strerror(errno));
		return -ENOMEM;
	}
	return 0;
}

/* Frees the pipeline back to front; reasm_free closes the last flows. */
static int run_close(struct pcap_run *r)
{
	int err = 0;

	reasm_free(r->reasm);
	if (r->http)
		http_ctx_free(r->http);
	objsink_free(r->sink);
	imgmatch_free(r->img);
	ej_free(&r->w);
	if (r->out && r->out != stdout && fclose(r->out))
		err = -errno;
	else if (r->out == stdout && fflush(stdout))
		err = -errno;
	return err;
}

static void put_range_stats(struct ej_writer *w, const struct range_stats *rs)
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

static void put_stream_stats(struct ej_writer *w, const struct pcap_run *r)
{
	struct reasm_stats rs;
	struct http_stats hs;

	reasm_stats(r->reasm, &rs);
	http_ctx_stats(r->http, &hs);
	ej_obj(w, "packets");
	ej_u64(w, "frames", r->src.frames);
	ej_u64(w, "bytes", r->src.bytes);
	ej_u64(w, "not_ip", r->src.not_ip);
	ej_u64(w, "malformed", r->src.malformed);
	ej_obj_end(w);
	ej_obj(w, "tcp");
	ej_u64(w, "flows", rs.flows);
	ej_u64(w, "midstream", rs.midstream);
	ej_u64(w, "gaps", rs.gaps);
	ej_u64(w, "gap_bytes", rs.gap_bytes);
	ej_u64(w, "overlaps", rs.overlaps);
	ej_u64(w, "conflicts", rs.conflicts);
	ej_u64(w, "evictions", rs.evictions);
	ej_u64(w, "bytes", rs.bytes);
	ej_obj_end(w);
	ej_obj(w, "http");
	ej_u64(w, "requests", hs.requests);
	ej_u64(w, "responses", hs.responses);
	ej_u64(w, "anomalies", hs.anomalies);
	ej_u64(w, "bombs", hs.bombs);
	ej_u64(w, "gave_up", hs.gave_up);
	ej_obj_end(w);
}

static int put_summary(struct pcap_run *r, const struct pcap_opts *o)
{
	const struct objsink_stats *st = objsink_stats(r->sink);
	struct ej_writer *w = &r->w;

	ej_begin(w);
	ej_str(w, "event", "summary");
	ej_u64(w, "files", r->nfiles);
	ej_u64(w, "errors", r->errors);
	ej_u64(w, "objects", st->objects);
	ej_u64(w, "hashed", st->hashed);
	ej_u64(w, "unhashed", st->unhashed);
	ej_u64(w, "pieces", st->pieces);
	ej_u64(w, "assembled", st->assembled);
	ej_u64(w, "incomplete", st->incomplete);
	ej_u64(w, "matches", st->matches);
	ej_u64(w, "matched_objects", st->matched);
	ej_u64(w, "bytes", st->bytes);
	ej_u64(w, "wire_bytes", st->wire_bytes);
	put_lists(w, o);
	put_stream_stats(w, r);
	put_range_stats(w, objsink_range_stats(r->sink));
	pcap_img_put_stats(w, r->img);
	return ej_end(w);
}

/* Runs every file; a file that can't be read is reported and counted, and
 * the others still run. */
static void run_files(struct pcap_run *r, const struct pcap_opts *o)
{
	struct pcapsrc_err perr;

	for (int i = 0; i < o->nfiles; i++) {
		if (objsink_set_source(r->sink, o->files[i])) {
			r->errors++;
			continue;
		}
		r->nfiles++;
		if (pcapsrc_run(o->files[i], r->reasm, &r->src, &perr)) {
			ew_err("pcap: %s", perr.msg);
			r->errors++;
		}
	}
	objsink_flush(r->sink);
}

int cmd_pcap(int argc, char **argv)
{
	struct pcap_opts o = {0};
	struct pcap_run r = {0};
	struct pcap_lists pl = {0};
	struct objsink_matcher m = {.lookup = lists_lookup, .ctx = &pl};
	int err, rc = 2;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (load_lists(&o, &pl))
		goto out;
	m.need = hashdb_kinds(pl.db) & HASH_ALL;
	if (run_open(&r, &o, &m))
		goto out;
	run_files(&r, &o);
	if (put_summary(&r, &o) || objsink_stats(r.sink)->write_errors) {
		ew_err("pcap: couldn't write the events: %s", strerror(EIO));
		r.errors++;
	}
	rc = r.errors ? 2 : objsink_stats(r.sink)->matches ? 1 : 0;
out:
	if (run_close(&r)) {
		ew_err("pcap: couldn't write the events: %s", strerror(errno));
		rc = 2;
	}
	pdqdb_free(pl.pdb);
	hashdb_free(pl.db);
	return rc;
}
