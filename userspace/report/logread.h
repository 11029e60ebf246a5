/* SPDX-License-Identifier: GPL-2.0 */
/* logread: event log files read back line by line, plain or
 * gzip-compressed (logrotate's compress; told apart by their bytes, not
 * their names), with line numbers for messages. The first stage of
 * everything that reads logs: verify, query, report. */
#ifndef EW_LOGREAD_H
#define EW_LOGREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGREAD_LINE_MAX ((1u << 20) + 4096) /* longer lines are errors */

struct logread {
	const char *path;
	void *gz;	/* gzFile */
	char *buf;
	size_t start, end, cap;
	uint64_t line;	/* number of the line last returned, from 1 */
	bool eof;
};

/* Opens path. Returns 0 or -errno with msg filled. */
int logread_open(struct logread *r, const char *path, char *msg, size_t msglen);

/* The next line without its newline in *line (valid until the next call);
 * *torn: it ended at the end of the file with no newline. Returns its
 * length, -1 at the end, -EFBIG for a line over LOGREAD_LINE_MAX, or
 * -EIO (unreadable or corrupt compressed data). */
long logread_next(struct logread *r, const char **line, bool *torn);

void logread_close(struct logread *r);

#endif
