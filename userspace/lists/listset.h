/* SPDX-License-Identifier: GPL-2.0 */
/* listset: the hash lists of one run or one agent, as the operator names
 * them (--hashlist, --pdqlist, --hashxml, or a config file): specs parsed
 * from NAME=PATH[,option...] strings, loaded into the exact registry
 * (struct hashdb) and the PDQ registry (struct pdqdb) that the engine
 * matches against, and described in summaries. */
#ifndef EW_LISTSET_H
#define EW_LISTSET_H

#include <stddef.h>
#include <stdio.h>

#include "hashset.h"
#include "hashxml.h"
#include "listfile.h"
#include "log/eventjson.h"
#include "pdqlist.h"

#define LISTSET_MAX	64
#define LISTSET_XML_MAX 16
#define LISTSET_XML_GROUP "hashxml" /* list name of the hash-sharing XML entries */

enum listset_kind { LISTSET_HASH, LISTSET_PDQ, LISTSET_XML };

/* One list; strings point into the spec string given to listset_add. */
struct listset_list {
	char *name, *path, *category;
	struct listfile_opts lo;
	unsigned threshold; /* PDQ */
	size_t entries, duplicates;
};

struct listset {
	struct listset_list hash[LISTSET_MAX];
	int nhash;
	struct listset_list pdq[LISTSET_MAX];
	int npdq;
	const char *xml[LISTSET_XML_MAX];
	int nxml;
	struct hashxml_stats xs;
	struct hashdb *db;  /* after listset_load; owned */
	struct pdqdb *pdb;
};

/* Adds one list of kind k from spec:
 *   hash: NAME=PATH[,category=C][,type=md5|sha1|sha256][,format=auto|text|csv]
 *         [,column=COL][,skip-bad]   (type from the file name, else sha256)
 *   pdq:  NAME=PATH[,category=C][,threshold=0..255][,format=...][,column=COL][,skip-bad]
 *   xml:  PATH
 * spec is modified in place and must outlive the set. Returns 0, or
 * -EINVAL / -E2BIG with msg filled ("bad --hashlist 'x' (expected ...)"). */
int listset_add(struct listset *ls, enum listset_kind k, char *spec, char *msg, size_t msglen);

/* Adds a list whose fields the caller filled (a config file): l's strings
 * must outlive the set; kind LISTSET_XML takes only l->path. Returns 0, or
 * -EINVAL / -E2BIG with msg filled (a name given twice, too many lists). */
int listset_add_list(struct listset *ls, enum listset_kind k, const struct listset_list *l,
		     char *msg, size_t msglen);

/* Loads every list; any error fails the whole load. Diagnostics (file:line
 * in compiler format) and one line per failure ("<who>: couldn't load hash
 * list 'x' from 'f': the file has errors") go to diag. Returns 0 or -errno. */
int listset_load(struct listset *ls, const char *who, FILE *diag);

/* The loaded lists as the members of a "lists" array. */
void listset_put(struct ej_writer *w, const struct listset *ls);

/* Frees the registries (the specs belong to the caller). */
void listset_free(struct listset *ls);

#endif
