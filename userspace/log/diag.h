/* SPDX-License-Identifier: GPL-2.0 */
/* Diagnostics of everything an operator hands edgeward (list files, the
 * hash-sharing XML, config and policy files): every problem in compiler
 * format, collected (capped) by parsers that never print, printed by their
 * callers with the offending line and a caret.
 *
 *   lists/x.txt:14:9: invalid SHA-256 digest 'zz12' (expected 64 hex digits)
 *     ab zz12
 *        ^ */
#ifndef EW_DIAG_H
#define EW_DIAG_H

#include <stddef.h>
#include <stdio.h>

#define DIAG_MAX_MSGS	20	/* messages kept; the rest are counted */
#define DIAG_MSG_LEN	320

/* One message, plus the offending line (src) and 1-based column for a
 * caret (src "" or col 0: none). */
struct diag_msg {
	char text[DIAG_MSG_LEN];
	char src[96];
	unsigned col;
};

struct diag {
	unsigned errors;	/* all errors, also those past the cap */
	unsigned nmsgs;		/* kept in msgs[] */
	struct diag_msg msgs[DIAG_MAX_MSGS];
	unsigned warnings;	/* of the messages, warnings (text says so) */
	unsigned lines;		/* lines read (line-oriented loaders) */
	unsigned values;	/* values accepted */
	unsigned skipped;	/* bad lines dropped (skip-bad options) */
	unsigned char kept;	/* the last message added was kept */
};

/* Adds a message to d in compiler format: "name:line:col: text" (col 0
 * leaves out the column, line 0 both). Counts an error. */
void diag_add(struct diag *d, const char *name, unsigned line, unsigned col, const char *fmt,
	      ...) __attribute__((format(printf, 5, 6)));

/* The same for a warning: "name:line:col: warning: text"; counted in
 * warnings, not errors. */
void diag_warn(struct diag *d, const char *name, unsigned line, unsigned col, const char *fmt,
	       ...) __attribute__((format(printf, 5, 6)));

/* Attaches the source line p[0..n) to the message just added (nothing when
 * it was past the cap), unprintable bytes shown as '?', for the caret. */
void diag_src(struct diag *d, const char *p, size_t n);

/* Quotes s[0..n) for a message into out: at most DIAG_QUOTE_MAX bytes,
 * then "…"; unprintable bytes and quotes as \xNN. out holds
 * DIAG_QUOTE_LEN bytes. */
#define DIAG_QUOTE_MAX	24
#define DIAG_QUOTE_LEN	(DIAG_QUOTE_MAX * 4 + 8)
void diag_quote(const char *s, size_t n, char *out, size_t outsz);

/* Prints every message (with its source line and a caret when known) and a
 * closing "N more errors" line when some were past the cap. */
void diag_print(const struct diag *d, FILE *out);

#endif
