/* SPDX-License-Identifier: GPL-2.0 */
/* PDQ lists and their registry: loads PDQ list files (via listfile.c) into
 * near-match indexes (pdqindex.c) and answers the image stage's question
 * "which list entries are within their list's threshold of this hash?". */
#ifndef EW_PDQLIST_H
#define EW_PDQLIST_H

#include <stddef.h>

#include "hashset.h"
#include "listfile.h"
#include "pdqindex.h"

/* One list inside a group: hits report its name and category and use its
 * threshold (0..255, PDQ_DEFAULT_THRESHOLD unless told). */
struct pdqlist_info {
	char name[HASHSET_NAME_MAX];
	char category[HASHSET_NAME_MAX];
	unsigned threshold;
	bool dihedral;	/* also matched by rotated and flipped copies (imgmatch) */
};

struct pdqdb_hit {
	char list[HASHSET_NAME_MAX];
	char category[HASHSET_NAME_MAX];
	char label[HASHSET_NAME_MAX];	/* entry label or id, "" if none */
	unsigned distance;
	unsigned threshold;
	int quality;			/* the entry's, -1 if the list had none */
	bool dihedral;			/* the list's pdqlist_info.dihedral */
};

/* Registry of PDQ groups, with the same concurrency model as struct hashdb
 * (readers under a read lock for one query; the writer builds outside the
 * lock and only swaps under it). */
struct pdqdb;

struct pdqdb *pdqdb_new(void);

/* Installs index ix (whose entries' list ids index lists[]) as group name,
 * replacing a group of that name in one step. Takes ownership of ix (also
 * on failure). Returns 0, -EINVAL (name too long, nlists 0 or over 65535)
 * or -ENOMEM. */
int pdqdb_replace(struct pdqdb *db, const char *name, struct pdqindex *ix,
		  const struct pdqlist_info *lists, size_t nlists);

/* Removes group name. Returns 0 or -ENOENT. */
int pdqdb_remove(struct pdqdb *db, const char *name);

/* Loads a PDQ list file (hex per line, or CSV with a pdq column and an
 * optional quality column; see listfile.h; o->kind must be LIST_PDQ) as
 * group name with one list. The old group stays when the file has errors.
 * Returns 0, -EINVAL (d says why), or -errno. */
int pdqdb_load(struct pdqdb *db, const char *name, const char *path,
	       const char *category, unsigned threshold,
	       const struct listfile_opts *o, struct diag *d);

/* Every entry of every group within its list's threshold of q. Copies up
 * to max hits and returns how many there are. */
size_t pdqdb_query(struct pdqdb *db, const struct pdq_hash *q,
		   struct pdqdb_hit *hits, size_t max);

size_t pdqdb_entries(struct pdqdb *db);

/* Marks every list of group name dihedral (or not): for a group installed
 * by hashxml_install. Returns 0 or -ENOENT. */
int pdqdb_set_dihedral(struct pdqdb *db, const char *name, bool on);

/* True when some list is dihedral: the image stage then computes the
 * eight dihedral hashes of each image and queries those lists with all. */
bool pdqdb_dihedral(struct pdqdb *db);
/* As hashdb_swap, for the PDQ registry. */
void pdqdb_swap(struct pdqdb *live, struct pdqdb *fresh);
/* As hashdb_absorb, for the PDQ registry. */
int pdqdb_absorb(struct pdqdb *dst, struct pdqdb *src, char *dup, size_t dup_len);

void pdqdb_free(struct pdqdb *db);

#endif
