// SPDX-License-Identifier: GPL-2.0
/* edgeward pcap, image half: parses the PDQ options, loads PDQ lists
 * (pdqlist.c) and hash-sharing XML (hashxml.c, which feeds the exact lists
 * and the PDQ index together), and writes their part of the summary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/pcap_img.h"
#include "log/log.h"

void pcap_img_init(struct pcap_img_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ic.min_quality = IMGMATCH_DEF_MIN_QUALITY;
	o->ic.obj_cap = IMGMATCH_DEF_OBJ_CAP;
	o->ic.total_cap = IMGMATCH_DEF_TOTAL_CAP;
}

/* A whole decimal number in [lo, hi]. */
static int parse_num(const char *s, unsigned long long lo, unsigned long long hi,
		     unsigned long long *v)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || *end || *v < lo || *v > hi)
		return -EINVAL;
	return 0;
}

/* Applies one ",key=value" option of --pdqlist. Returns 0 or -EINVAL. */
static int pdq_option(struct pdq_spec *l, char *opt)
{
	char *v = strchr(opt, '=');
	unsigned long long n;

	if (!strcmp(opt, "skip-bad")) {
		l->lo.skip_bad_lines = true;
		return 0;
	}
	if (!v)
		return -EINVAL;
	*v++ = '\0';
	if (!strcmp(opt, "category"))
		l->category = v;
	else if (!strcmp(opt, "column"))
		l->lo.column = v;
	else if (!strcmp(opt, "threshold") && !parse_num(v, 0, 255, &n))
		l->threshold = (unsigned)n;
	else if (!strcmp(opt, "format") && !strcmp(v, "auto"))
		l->lo.format = LISTFILE_AUTO;
	else if (!strcmp(opt, "format") && !strcmp(v, "text"))
		l->lo.format = LISTFILE_TEXT;
	else if (!strcmp(opt, "format") && !strcmp(v, "csv"))
		l->lo.format = LISTFILE_CSV;
	else
		return -EINVAL;
	return 0;
}

/* Parses NAME=PATH[,opt...] (arg is modified in place). */
static int parse_pdqlist(char *arg, struct pdq_spec *l)
{
	char *copy = strdupa(arg), *opt, *save = NULL;

	memset(l, 0, sizeof(*l));
	l->category = "";
	l->threshold = PDQ_DEFAULT_THRESHOLD;
	l->lo.kind = LIST_PDQ;
	l->path = strchr(arg, '=');
	if (!l->path || l->path == arg || !l->path[1])
		goto bad;
	*l->path++ = '\0';
	l->name = arg;
	l->path = strtok_r(l->path, ",", &save);
	while ((opt = strtok_r(NULL, ",", &save)))
		if (pdq_option(l, opt))
			goto bad;
	return 0;
bad:
	ew_err("pcap: bad --pdqlist '%s' (expected NAME=PATH[,category=C][,threshold=0..255]"
	       "[,format=auto|text|csv][,column=COL][,skip-bad])",
	       copy);
	return -EINVAL;
}

/* --pdq-min-quality and the buffer caps. */
static int number_option(struct pcap_img_opts *o, int c, const char *arg)
{
	unsigned long long v;

	if (c == 0x103) {
		if (parse_num(arg, 0, 101, &v)) {
			ew_err("pcap: bad --pdq-min-quality '%s' (expected 0..101)", arg);
			return -EINVAL;
		}
		o->ic.min_quality = (int)v;
		return 0;
	}
	if (parse_num(arg, 1, IMGSANDBOX_DEF_MAX_INPUT, &v)) {
		ew_err("pcap: bad %s '%s' (expected 1..%u bytes)",
		       c == 0x104 ? "--pdq-buffer-max" : "--pdq-buffer-total", arg,
		       IMGSANDBOX_DEF_MAX_INPUT);
		return -EINVAL;
	}
	if (c == 0x104)
		o->ic.obj_cap = v;
	else
		o->ic.total_cap = v;
	return 0;
}

int pcap_img_option(struct pcap_img_opts *o, int c, char *arg)
{
	switch (c) {
	case 0x100:
		if (o->npdq == PCAP_PDQ_MAX) {
			ew_err("pcap: more than %d --pdqlist options", PCAP_PDQ_MAX);
			return -EINVAL;
		}
		return parse_pdqlist(arg, &o->pdq[o->npdq++]);
	case 0x101:
		if (o->nxml == PCAP_XML_MAX) {
			ew_err("pcap: more than %d --hashxml options", PCAP_XML_MAX);
			return -EINVAL;
		}
		o->xml[o->nxml++] = arg;
		return 0;
	case 0x102:
		o->ic.log = true;
		return 0;
	case 0x103:
	case 0x104:
	case 0x105:
		return number_option(o, c, arg);
	default:
		return 1;
	}
}

static int load_pdqlists(struct pcap_img_opts *o, struct pdqdb *db)
{
	struct listfile_diag d;

	for (int i = 0; i < o->npdq; i++) {
		struct pdq_spec *l = &o->pdq[i];
		size_t before = pdqdb_entries(db);
		int err;

		for (int j = 0; j < i; j++)
			if (!strcmp(o->pdq[j].name, l->name)) {
				ew_err("pcap: PDQ list name '%s' given twice", l->name);
				return -EINVAL;
			}
		err = pdqdb_load(db, l->name, l->path, l->category, l->threshold, &l->lo, &d);
		if (err) {
			listfile_diag_print(&d, stderr);
			ew_err("pcap: couldn't load PDQ list '%s' from '%s': %s", l->name, l->path,
			       err == -EINVAL ? "the file has errors" : strerror(-err));
			return err;
		}
		l->entries = pdqdb_entries(db) - before;
	}
	return 0;
}

/* Reads every --hashxml file into one collection, installed as one group. */
static int load_xml(struct pcap_img_opts *o, struct hashdb *hdb, struct pdqdb *pdb)
{
	struct listfile_diag d;
	struct hashxml *x;
	int err = 0;

	if (!o->nxml)
		return 0;
	x = hashxml_new();
	if (!x)
		return -ENOMEM;
	for (int i = 0; i < o->nxml && !err; i++) {
		err = hashxml_read(x, o->xml[i], false, &d);
		if (err) {
			listfile_diag_print(&d, stderr);
			ew_err("pcap: couldn't load hash-sharing XML '%s': %s", o->xml[i],
			       err == -EINVAL ? "the file has errors" : strerror(-err));
		}
	}
	if (!err) {
		err = hashxml_install(x, PCAP_XML_GROUP, PDQ_DEFAULT_THRESHOLD, hdb, pdb);
		if (err == -E2BIG)
			ew_err("pcap: couldn't install the hash-sharing XML lists: PDQ hashes in"
			       " more than %u classifications (the PDQ index holds %u)",
			       PDQINDEX_MAX_LISTS, PDQINDEX_MAX_LISTS);
		else if (err)
			ew_err("pcap: couldn't install the hash-sharing XML lists: %s",
			       strerror(-err));
	}
	hashxml_stats(x, &o->xs);
	hashxml_free(x);
	return err;
}

int pcap_img_load(struct pcap_img_opts *o, struct hashdb *hdb, struct pdqdb **pdb)
{
	int err;

	*pdb = pdqdb_new();
	if (!*pdb)
		return -ENOMEM;
	err = load_pdqlists(o, *pdb);
	if (!err)
		err = load_xml(o, hdb, *pdb);
	o->ic.db = *pdb;
	return err;
}

void pcap_img_put_lists(struct ej_writer *w, const struct pcap_img_opts *o)
{
	for (int i = 0; i < o->npdq; i++) {
		const struct pdq_spec *l = &o->pdq[i];

		ej_obj(w, NULL);
		ej_str(w, "name", l->name);
		ej_str(w, "category", l->category);
		ej_str(w, "path", l->path);
		ej_str(w, "type", "pdq");
		ej_u64(w, "entries", l->entries);
		ej_u64(w, "threshold", l->threshold);
		ej_obj_end(w);
	}
	if (!o->nxml)
		return;
	ej_obj(w, NULL);
	ej_str(w, "name", PCAP_XML_GROUP);
	ej_str(w, "type", "hashxml");
	ej_arr(w, "paths");
	for (int i = 0; i < o->nxml; i++)
		ej_str(w, NULL, o->xml[i]);
	ej_arr_end(w);
	ej_u64(w, "entries", o->xs.live);
	ej_u64(w, "md5", o->xs.md5);
	ej_u64(w, "sha1", o->xs.sha1);
	ej_u64(w, "pdq", o->xs.pdq);
	ej_u64(w, "deletions", o->xs.deletions);
	ej_u64(w, "threshold", PDQ_DEFAULT_THRESHOLD);
	ej_obj_end(w);
}

void pcap_img_put_stats(struct ej_writer *w, const struct imgmatch *im)
{
	const struct imgmatch_stats *st;
	struct imgsandbox_stats sb;

	if (!imgmatch_active(im))
		return;
	st = imgmatch_stats(im);
	imgmatch_sandbox_stats(im, &sb);
	ej_obj(w, "pdq");
	ej_u64(w, "images", st->images);
	ej_u64(w, "hashed", st->hashed);
	ej_u64(w, "undecodable", st->undecodable);
	ej_u64(w, "over_cap", st->over_cap);
	ej_u64(w, "incomplete", st->incomplete);
	ej_u64(w, "low_quality", st->low_quality);
	ej_u64(w, "matches", st->matches);
	ej_u64(w, "matched_objects", st->matched);
	ej_u64(w, "hits_dropped", st->hits_dropped);
	ej_u64(w, "buffered_peak", st->buffered_peak);
	ej_u64(w, "worker_crashes", sb.crashes);
	ej_u64(w, "worker_timeouts", sb.timeouts);
	ej_u64(w, "worker_spawns", sb.spawns);
	ej_obj_end(w);
}
