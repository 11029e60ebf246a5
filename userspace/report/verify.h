/* SPDX-License-Identifier: GPL-2.0 */
/* verify: checks signed event logs (log/eventlog.h has the line format):
 * every line's HMAC under the key, its place in the chain (seq, and the
 * SHA-256 of the line before), files in their rotation order with none
 * missing, and a checkpoint at the end. Says where the first problem is
 * and what it is:
 *
 *   edited line       its HMAC does not verify, the chain goes on after it
 *   inserted line     the chain goes around it
 *   deleted lines     seq jumps
 *   reordered lines   a later seq comes first
 *   truncated tail    the last line is torn, or no checkpoint follows the
 *                     last events
 *   missing file      a file of the rotation chain was not given
 *   wrong key         no line verifies and the chain is intact
 *
 * Files may be given in any order, plain or gzip-compressed. */
#ifndef EW_VERIFY_H
#define EW_VERIFY_H

#include <stddef.h>
#include <stdint.h>

enum verify_problem {
	VERIFY_OK,
	VERIFY_EDITED,
	VERIFY_INSERTED,
	VERIFY_DELETED,
	VERIFY_REORDERED,
	VERIFY_TRUNCATED,
	VERIFY_MISSING_FILE,
	VERIFY_WRONG_KEY,
	VERIFY_UNSIGNED,   /* a line with no integrity member */
	VERIFY_UNREADABLE, /* a file could not be read */
};

struct verify_result {
	enum verify_problem problem;
	const char *file;	/* where (one of the paths given) */
	uint64_t line;		/* 1-based; 0: the file as a whole */
	char why[384];		/* one sentence */
	uint64_t lines, files, checkpoints;
	uint64_t first_seq, last_seq;
	uint64_t lost;		/* events the log says it lost (last checkpoint) */
};

/* Verifies paths[0..n). key NULL: the chain only (anyone can recompute
 * it; the result says so in why). Returns 0 (intact), 1 (a problem,
 * described in r) or -ENOMEM. */
int verify_files(const char *const *paths, int n, const uint8_t *key, size_t keylen,
		 struct verify_result *r);

/* "edited line", "deleted lines", ... */
const char *verify_problem_name(enum verify_problem p);

#endif
