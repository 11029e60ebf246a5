/* SPDX-License-Identifier: GPL-2.0 */
/* Hash list files: the one reader behind every list loader (exact lists in
 * hashset.c, PDQ lists in pdqlist.c, the CLI and the policy engine). Reads
 * plain text or CSV, gzip or not, and hands each value to a callback; it
 * never prints: every problem lands in a struct listfile_diag. */
#ifndef EW_LISTFILE_H
#define EW_LISTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

#define LISTFILE_MAX_MSGS	20	/* messages kept; the rest are counted */
#define LISTFILE_MSG_LEN	256

/* Diagnostics in compiler format, one line each:
 *   lists/x.txt:14:9: invalid SHA-256 digest 'zz12' (expected 64 hex digits)
 * plus the offending line (src) and 1-based column for a caret. */
struct listfile_msg {
	char text[LISTFILE_MSG_LEN];
	char src[96];
	unsigned col;
};

struct listfile_diag {
	unsigned errors;	/* all errors, also those past the cap */
	unsigned nmsgs;		/* kept in msgs[] */
	struct listfile_msg msgs[LISTFILE_MAX_MSGS];
	unsigned lines;		/* lines read */
	unsigned values;	/* values handed to the callback */
	unsigned skipped;	/* bad lines dropped (skip_bad_lines) */
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
		  listfile_cb cb, void *ctx, struct listfile_diag *d);

/* The same over a buffer already in memory (not compressed). */
int listfile_parse(const char *name, const char *buf, size_t len,
		   const struct listfile_opts *o, listfile_cb cb, void *ctx,
		   struct listfile_diag *d);

/* Adds a message to d in compiler format: "name:line:col: text" (col 0
 * leaves out the column, line 0 both). For loaders that find problems after parsing
 * (hashxml, hashset). */
void listfile_diag_add(struct listfile_diag *d, const char *name, unsigned line,
		       unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Quotes s[0..n) for a message into out: at most LISTFILE_QUOTE_MAX bytes,
 * then "…"; unprintable bytes and quotes as \xNN. out holds
 * LISTFILE_QUOTE_LEN bytes. */
#define LISTFILE_QUOTE_MAX	24
#define LISTFILE_QUOTE_LEN	(LISTFILE_QUOTE_MAX * 4 + 8)
void listfile_quote(const char *s, size_t n, char *out, size_t outsz);

/* Prints every message (with its source line and a caret when known) and a
 * closing "N more errors" line when some were past the cap. */
void listfile_diag_print(const struct listfile_diag *d, FILE *out);

#endif
