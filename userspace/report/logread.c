// SPDX-License-Identifier: GPL-2.0
/* logread: lines of plain or gzip-compressed log files (logread.h). zlib's
 * gzread passes plain files through unchanged. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "logread.h"

#define CHUNK (256u << 10)

int logread_open(struct logread *r, const char *path, char *msg, size_t msglen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(r, 0, sizeof(*r));
	r->path = path;
	if (fd >= 0 && !(r->gz = gzdopen(fd, "rb")))
		close(fd);
	if (!r->gz) {
		int err = fd < 0 ? errno : ENOMEM;

		snprintf(msg, msglen, "couldn't open '%s': %s", path, strerror(err));
		return -err;
	}
	gzbuffer(r->gz, CHUNK);
	return 0;
}

/* Reads more into the buffer. Returns bytes read, 0 at the end, -EIO. */
static long fill(struct logread *r)
{
	int n, zerr;

	if (r->start) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->cap - r->end < CHUNK) {
		char *b = realloc(r->buf, r->cap + CHUNK);

		if (!b)
			return -ENOMEM;
		r->buf = b;
		r->cap += CHUNK;
	}
	n = gzread(r->gz, r->buf + r->end, CHUNK);
	if (n < 0 || (gzerror(r->gz, &zerr), zerr != Z_OK && zerr != Z_BUF_ERROR))
		return -EIO;
	r->end += (size_t)n;
	return n;
}

long logread_next(struct logread *r, const char **line, bool *torn)
{
	for (;;) {
		char *nl = r->end > r->start ? memchr(r->buf + r->start, '\n', r->end - r->start)
					     : NULL;
		size_t len;
		long n;

		if (nl || (r->eof && r->end > r->start)) {
			len = nl ? (size_t)(nl - (r->buf + r->start)) : r->end - r->start;
			*line = r->buf + r->start;
			*torn = !nl;
			r->start += len + (nl != NULL);
			r->line++;
			return len > LOGREAD_LINE_MAX ? -EFBIG : (long)len;
		}
		if (r->eof)
			return -1;
		if (r->end - r->start > LOGREAD_LINE_MAX)
			return -EFBIG;
		n = fill(r);
		if (n < 0)
			return n;
		r->eof = n == 0;
	}
}

void logread_close(struct logread *r)
{
	if (r->gz)
		gzclose(r->gz);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}
