/* SPDX-License-Identifier: GPL-2.0 */
/* Hash-sharing XML (the clearinghouse format: <image>/<video> entries with
 * md5, sha1 and pdq fingerprints and a classification, and deletions). One
 * or more files accumulate into a struct hashxml, which then feeds the
 * exact lists (hashset.c) and the PDQ index (pdqlist.c) together; the
 * classification becomes the category. The schema is in docs/lists.md. */
#ifndef EW_HASHXML_H
#define EW_HASHXML_H

#include <stdbool.h>
#include <stddef.h>

#include "hashset.h"
#include "listfile.h"
#include "pdqindex.h"
#include "pdqlist.h"

#define HASHXML_ID_MAX		128	/* entry id bytes, with the NUL */
#define HASHXML_UNCLASSIFIED	"unclassified"	/* category without <classification> */

struct hashxml;

/* One live entry, as hashxml_find returns it (valid until the next read or
 * hashxml_free). */
struct hashxml_entry_info {
	const char *id;
	const char *classification;	/* HASHXML_UNCLASSIFIED if none */
	bool video;
	bool has_md5, has_sha1, has_pdq;
	const uint8_t *md5, *sha1;
	const struct pdq_hash *pdq;
	unsigned line;			/* where the entry started */
};

struct hashxml_stats {
	size_t live;		/* entries in force */
	size_t images, videos;	/* entries read (a repeated id counts again) */
	size_t deletions;	/* deletion entries read */
	size_t unknown_deletions; /* of ids not (or no longer) present */
	size_t md5, sha1, pdq;	/* fingerprints among live entries */
};

/* Returns an empty collection or NULL with errno ENOMEM. */
struct hashxml *hashxml_new(void);

/* Reads one file (gzip or not) into x, in document order: an entry
 * replaces an earlier one with the same id (in this or an earlier file),
 * and a deletion removes it. d is reset first. Returns 0; -EINVAL when the
 * file has errors (d lists them; unless skip_bad is set, x is then left
 * part-updated and must be discarded: a file with errors is rejected
 * whole), or -ENOMEM. Malformed XML always stops the read. The parser
 * never touches the network, loads no DTD and substitutes no entities; a
 * document with a DOCTYPE is refused. */
int hashxml_read(struct hashxml *x, const char *path, bool skip_bad,
		 struct diag *d);

/* The same over a buffer; name is how messages call it. */
int hashxml_parse(struct hashxml *x, const char *name, const char *buf,
		  size_t len, bool skip_bad, struct diag *d);

/* The live entry with this id, or false. */
bool hashxml_find(const struct hashxml *x, const char *id,
		  struct hashxml_entry_info *out);

void hashxml_stats(const struct hashxml *x, struct hashxml_stats *s);

/* Installs x as group `name`: in hdb one exact set per (md5/sha1,
 * classification) and in pdb one index whose lists are the
 * classifications, each with pdq_threshold. A group with no entries of a
 * kind is removed from that registry. The two swaps are separate: a reader
 * between them may see the new exact lists with the old PDQ index. Returns
 * 0, -EINVAL, -ENOMEM, or -E2BIG when the PDQ hashes come in more than
 * PDQINDEX_MAX_LISTS (256) classifications (the index keeps list ids in a
 * byte); when the exact lists fail both old groups stay, when the PDQ
 * index fails the old PDQ group stays. x is unchanged. */
int hashxml_install(const struct hashxml *x, const char *name,
		    unsigned pdq_threshold, struct hashdb *hdb,
		    struct pdqdb *pdb);

void hashxml_free(struct hashxml *x);

#endif
