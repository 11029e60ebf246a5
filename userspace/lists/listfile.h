/* SPDX-License-Identifier: GPL-2.0 */
/* Hash list files: the one reader behind every list loader (exact lists in
 * hashset.c, PDQ lists in pdqlist.c, the CLI and the policy engine). Reads
 * plain text or CSV, gzip or not, and hands each value to a callback; it
 * never prints: every problem lands in a struct diag. */
#ifndef EW_LISTFILE_H
#define EW_LISTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "log/diag.h"

/* What a list holds. The first three equal enum hash_type in hash.h. */
enum list_kind {
	LIST_MD5 = 0,
	LIST_SHA1 = 1,
	LIST_SHA256 = 2,
	LIST_PDQ = 3,
	LIST_KIND_MAX,
};

/* Digest bytes (16, 20, 32, 32), and names "md5", "sha1", "sha256", "pdq"
 * and "MD5", "SHA-1", "SHA-256", "PDQ" (for messages). */
size_t list_kind_len(enum list_kind k);
const char *list_kind_name(enum list_kind k);
const char *list_kind_title(enum list_kind k);

/* Parses "md5", "sha1", "sha256", "pdq" (any case, '-' and '_' ignored).
 * Returns 0 or -EINVAL. */
int list_kind_parse(const char *s, enum list_kind *k);

enum listfile_format {
	LISTFILE_AUTO,	/* CSV if the first line is a header, else text */
	LISTFILE_TEXT,
	LISTFILE_CSV,
};

struct listfile_opts {
	enum list_kind kind;
	enum listfile_format format;
	const char *column;	/* CSV digest column; NULL: the kind's name */
	bool skip_bad_lines;	/* drop bad lines instead of failing the list */
};

/* One value, valid during the callback only. quality is -1 when the file
 * has no quality column; label is "" when there is none. */
struct listfile_rec {
	const uint8_t *digest;	/* list_kind_len(kind) bytes */
	int quality;
	const char *label;
	unsigned line;
};

/* Called once per value. A nonzero return stops the read and becomes its
 * return value. */
typedef int (*listfile_cb)(void *ctx, const struct listfile_rec *r);

/* Reads the list at path (gzip-compressed or not, by magic) and calls cb for
 * each value. name is how messages call the file (usually path). d is reset
 * first. Returns 0; -EINVAL when the file has errors (d says which) and
 * skip_bad_lines is off (values already passed to cb must then be
 * discarded by the caller: a list with errors is rejected whole); -errno
 * when the file can't be read (also in d); or the callback's nonzero return. */
int listfile_read(const char *path, const struct listfile_opts *o,
		  listfile_cb cb, void *ctx, struct diag *d);

/* The same over a buffer already in memory (not compressed). */
int listfile_parse(const char *name, const char *buf, size_t len,
		   const struct listfile_opts *o, listfile_cb cb, void *ctx,
		   struct diag *d);




#endif
