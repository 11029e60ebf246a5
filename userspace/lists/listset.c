// SPDX-License-Identifier: GPL-2.0
/* listset: list specs (NAME=PATH[,option...]) -> hashdb and pdqdb, and
 * their description in summaries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "listset.h"

static const char *const expect[] = {
	[LISTSET_HASH] = "NAME=PATH[,category=C][,type=md5|sha1|sha256][,format=auto|text|csv]"
			 "[,column=COL][,skip-bad]",
	[LISTSET_PDQ] = "NAME=PATH[,category=C][,threshold=0..255][,format=auto|text|csv]"
			"[,column=COL][,skip-bad]",
};
static const char *const opt_name[] = {
	[LISTSET_HASH] = "--hashlist",
	[LISTSET_PDQ] = "--pdqlist",
	[LISTSET_XML] = "--hashxml",
};

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

/* A whole decimal number in [lo, hi]. */
static int parse_num(const char *s, unsigned long lo, unsigned long hi, unsigned *v)
{
	unsigned long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || n < lo || n > hi)
		return -EINVAL;
	*v = (unsigned)n;
	return 0;
}

static int format_option(const char *v, enum listfile_format *f)
{
	if (!strcmp(v, "auto"))
		*f = LISTFILE_AUTO;
	else if (!strcmp(v, "text"))
		*f = LISTFILE_TEXT;
	else if (!strcmp(v, "csv"))
		*f = LISTFILE_CSV;
	else
		return -EINVAL;
	return 0;
}

/* Applies one ",key=value" option. Returns 0 or -EINVAL. */
static int list_option(struct listset_list *l, enum listset_kind k, char *opt, bool *typed)
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
	} else if (!strcmp(opt, "format")) {
		return format_option(v, &l->lo.format);
	} else if (k == LISTSET_HASH && !strcmp(opt, "type")) {
		if (list_kind_parse(v, &l->lo.kind) || l->lo.kind == LIST_PDQ)
			return -EINVAL;
		*typed = true;
	} else if (k == LISTSET_PDQ && !strcmp(opt, "threshold")) {
		return parse_num(v, 0, 255, &l->threshold);
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Parses NAME=PATH[,opt...] (arg is modified in place). */
static int parse_list(char *arg, enum listset_kind k, struct listset_list *l)
{
	char *opt, *save = NULL;
	bool typed = false;

	memset(l, 0, sizeof(*l));
	l->category = "";
	l->threshold = PDQ_DEFAULT_THRESHOLD;
	l->lo.kind = LIST_PDQ;
	l->path = strchr(arg, '=');
	if (!l->path || l->path == arg || !l->path[1])
		return -EINVAL;
	*l->path++ = '\0';
	l->name = arg;
	l->path = strtok_r(l->path, ",", &save);
	while ((opt = strtok_r(NULL, ",", &save)))
		if (list_option(l, k, opt, &typed))
			return -EINVAL;
	if (k == LISTSET_HASH && !typed)
		l->lo.kind = kind_from_path(l->path);
	return 0;
}

/* Room for one more list of kind k: its counter, or NULL (msg filled). */
static int *room(struct listset *ls, enum listset_kind k, char *msg, size_t msglen)
{
	int *n = k == LISTSET_HASH ? &ls->nhash : k == LISTSET_PDQ ? &ls->npdq : &ls->nxml;
	int max = k == LISTSET_XML ? LISTSET_XML_MAX : LISTSET_MAX;

	if (*n < max)
		return n;
	snprintf(msg, msglen, "more than %d %s lists", max,
		 k == LISTSET_HASH ? "hash" : k == LISTSET_PDQ ? "PDQ" : "hash-sharing XML");
	return NULL;
}

/* Takes the list just written at index *n if its name is new. */
static int commit(struct listset *ls, enum listset_kind k, int *n, char *msg, size_t msglen)
{
	for (int i = 0; i < *n; i++) {
		const struct listset_list *a = k == LISTSET_HASH ? ls->hash : ls->pdq;

		if (!strcmp(a[i].name, a[*n].name)) {
			snprintf(msg, msglen, "%s list name '%s' given twice",
				 k == LISTSET_HASH ? "hash" : "PDQ", a[i].name);
			return -EINVAL;
		}
	}
	(*n)++;
	return 0;
}

int listset_add(struct listset *ls, enum listset_kind k, char *spec, char *msg, size_t msglen)
{
	char *copy = strdupa(spec);
	int *n = room(ls, k, msg, msglen);

	if (!n)
		return -E2BIG;
	if (k == LISTSET_XML) {
		ls->xml[(*n)++] = spec;
		return 0;
	}
	if (parse_list(spec, k, k == LISTSET_HASH ? &ls->hash[*n] : &ls->pdq[*n])) {
		snprintf(msg, msglen, "bad %s '%s' (expected %s)", opt_name[k], copy, expect[k]);
		return -EINVAL;
	}
	return commit(ls, k, n, msg, msglen);
}

int listset_add_list(struct listset *ls, enum listset_kind k, const struct listset_list *l,
		     char *msg, size_t msglen)
{
	int *n = room(ls, k, msg, msglen);

	if (!n)
		return -E2BIG;
	if (k == LISTSET_XML) {
		ls->xml[(*n)++] = l->path;
		return 0;
	}
	(k == LISTSET_HASH ? ls->hash : ls->pdq)[*n] = *l;
	return commit(ls, k, n, msg, msglen);
}

static const char *why(int err)
{
	return err == -EINVAL ? "the file has errors" : strerror(-err);
}

static int load_hash(struct listset *ls, const char *who, FILE *diag)
{
	struct diag d;
	struct hashset *set;
	int err;

	for (int i = 0; i < ls->nhash; i++) {
		struct listset_list *l = &ls->hash[i];

		err = hashset_load(l->path, l->name, l->category, &l->lo, &d, &set);
		if (err) {
			diag_print(&d, diag);
			fprintf(diag, "edgeward: %s: couldn't load hash list '%s' from '%s': %s\n",
				who, l->name, l->path, why(err));
			return err;
		}
		l->entries = hashset_count(set);
		l->duplicates = hashset_duplicates(set);
		err = hashdb_replace(ls->db, l->name, &set, 1);
		if (err) {
			fprintf(diag, "edgeward: %s: couldn't install hash list '%s': %s\n", who,
				l->name, strerror(-err));
			return err;
		}
	}
	return 0;
}

static int load_pdq(struct listset *ls, const char *who, FILE *diag)
{
	struct diag d;

	for (int i = 0; i < ls->npdq; i++) {
		struct listset_list *l = &ls->pdq[i];
		size_t before = pdqdb_entries(ls->pdb);
		int err = pdqdb_load(ls->pdb, l->name, l->path, l->category, l->threshold, &l->lo,
				     &d);

		if (err) {
			diag_print(&d, diag);
			fprintf(diag, "edgeward: %s: couldn't load PDQ list '%s' from '%s': %s\n",
				who, l->name, l->path, why(err));
			return err;
		}
		l->entries = pdqdb_entries(ls->pdb) - before;
	}
	return 0;
}

/* Reads every XML file into one collection, installed as one group. */
static int load_xml(struct listset *ls, const char *who, FILE *diag)
{
	struct diag d;
	struct hashxml *x;
	int err = 0;

	if (!ls->nxml)
		return 0;
	x = hashxml_new();
	if (!x)
		return -ENOMEM;
	for (int i = 0; i < ls->nxml && !err; i++) {
		err = hashxml_read(x, ls->xml[i], false, &d);
		if (err) {
			diag_print(&d, diag);
			fprintf(diag, "edgeward: %s: couldn't load hash-sharing XML '%s': %s\n", who,
				ls->xml[i], why(err));
		}
	}
	if (!err) {
		err = hashxml_install(x, LISTSET_XML_GROUP, PDQ_DEFAULT_THRESHOLD, ls->db, ls->pdb);
		if (err == -E2BIG)
			fprintf(diag,
				"edgeward: %s: couldn't install the hash-sharing XML lists: PDQ "
				"hashes in more than %u classifications (the PDQ index holds %u)\n",
				who, PDQINDEX_MAX_LISTS, PDQINDEX_MAX_LISTS);
		else if (err)
			fprintf(diag,
				"edgeward: %s: couldn't install the hash-sharing XML lists: %s\n",
				who, strerror(-err));
	}
	hashxml_stats(x, &ls->xs);
	hashxml_free(x);
	return err;
}

int listset_load(struct listset *ls, const char *who, FILE *diag)
{
	int err;

	ls->db = hashdb_new();
	ls->pdb = pdqdb_new();
	if (!ls->db || !ls->pdb)
		return -ENOMEM;
	err = load_hash(ls, who, diag);
	if (!err)
		err = load_pdq(ls, who, diag);
	if (!err)
		err = load_xml(ls, who, diag);
	return err;
}

static void put_list(struct ej_writer *w, const struct listset_list *l, const char *type)
{
	ej_obj(w, NULL);
	ej_str(w, "name", l->name);
	ej_str(w, "category", l->category);
	ej_str(w, "path", l->path);
	ej_str(w, "type", type);
	ej_u64(w, "entries", l->entries);
	if (l->lo.kind == LIST_PDQ)
		ej_u64(w, "threshold", l->threshold);
	else
		ej_u64(w, "duplicates", l->duplicates);
	ej_obj_end(w);
}

void listset_put(struct ej_writer *w, const struct listset *ls)
{
	for (int i = 0; i < ls->nhash; i++)
		put_list(w, &ls->hash[i], list_kind_name(ls->hash[i].lo.kind));
	for (int i = 0; i < ls->npdq; i++)
		put_list(w, &ls->pdq[i], "pdq");
	if (!ls->nxml)
		return;
	ej_obj(w, NULL);
	ej_str(w, "name", LISTSET_XML_GROUP);
	ej_str(w, "type", "hashxml");
	ej_arr(w, "paths");
	for (int i = 0; i < ls->nxml; i++)
		ej_str(w, NULL, ls->xml[i]);
	ej_arr_end(w);
	ej_u64(w, "entries", ls->xs.live);
	ej_u64(w, "md5", ls->xs.md5);
	ej_u64(w, "sha1", ls->xs.sha1);
	ej_u64(w, "pdq", ls->xs.pdq);
	ej_u64(w, "deletions", ls->xs.deletions);
	ej_u64(w, "threshold", PDQ_DEFAULT_THRESHOLD);
	ej_obj_end(w);
}

void listset_free(struct listset *ls)
{
	pdqdb_free(ls->pdb);
	hashdb_free(ls->db);
	ls->pdb = NULL;
	ls->db = NULL;
}
