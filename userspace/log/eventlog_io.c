// SPDX-License-Identifier: GPL-2.0
/* eventlog_io: the event log's queue and file descriptor: signing lines
 * into the queue, writing it out, noticing when the file can't be written
 * and when it can again (health events), opening the path. Called by
 * eventlog_file.c (opening, rotation) and eventlog.c (the sink, ticks). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/hex.h"
#include "eventlog_int.h"
#include "log.h"

#define SEC	      1000000000ull
#define INTEGRITY_MAX 256 /* bytes the integrity member adds, at most */

uint64_t el_now(struct eventlog *l)
{
	struct timespec t;

	if (l->c.clock)
		return l->c.clock(l->c.clock_ctx);
	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * SEC + (uint64_t)t.tv_nsec;
}

/* ---- the queue ------------------------------------------------------------------ */

static int room(struct eventlog *l, size_t n)
{
	size_t cap = l->cap ? l->cap : 64u << 10;
	char *q;

	if (l->off && l->off == l->len)
		l->off = l->len = 0;
	if (l->len + n <= l->cap)
		return 0;
	if (l->off) { /* written bytes at the front: slide the rest down */
		memmove(l->q, l->q + l->off, l->len - l->off);
		l->len -= l->off;
		l->off = 0;
		if (l->len + n <= l->cap)
			return 0;
	}
	while (cap < l->len + n)
		cap *= 2;
	q = realloc(l->q, cap);
	if (!q)
		return -ENOMEM;
	l->q = q;
	l->cap = cap;
	return 0;
}

/* Appends the integrity member to the line at q[start..len): seq, the
 * previous line's hash, the HMAC of all that; the line's own hash becomes
 * the next prev. */
static int sign(struct eventlog *l, size_t start)
{
	char *p = l->q + l->len, hex[2 * LOGMAC_LEN + 1];
	uint8_t mac[LOGMAC_LEN];
	int n;

	hex_encode(l->prev, LOGMAC_LEN, hex);
	n = sprintf(p, "%s\"integrity\":{\"seq\":%llu,\"prev\":\"%s\"",
		    l->len - start > 1 ? "," : "", (unsigned long long)(l->seq + 1), hex);
	l->len += (size_t)n;
	if (logmac_hmac(l->mac, l->q + start, l->len - start, mac))
		return -EIO;
	hex_encode(mac, LOGMAC_LEN, hex);
	l->len += (size_t)sprintf(l->q + l->len, ",\"hmac\":\"%s\"}}", hex);
	logmac_digest(l->mac, l->q + start, l->len - start, l->prev);
	l->seq++;
	return 0;
}

void el_raw(struct eventlog *l, const char *p, size_t n)
{
	if (room(l, n))
		return;
	memcpy(l->q + l->len, p, n);
	l->len += n;
}

int el_queue(struct eventlog *l, const char *line, size_t n, bool force)
{
	size_t start;

	if (n && line[n - 1] == '}' && l->mac)
		n--; /* the integrity member goes inside the object */
	if (!force && l->len - l->off + n + INTEGRITY_MAX > l->c.queue_max) {
		l->st.lost++;
		return -ENOBUFS;
	}
	if (room(l, n + INTEGRITY_MAX))
		return -ENOMEM;
	start = l->len;
	memcpy(l->q + l->len, line, n);
	l->len += n;
	if (l->mac && sign(l, start)) {
		l->len = start;
		return -EIO;
	}
	l->q[l->len++] = '\n';
	l->st.lines++;
	l->file_lines++;
	if (l->len - l->off > l->st.queue_peak)
		l->st.queue_peak = l->len - l->off;
	if (l->c.tee)
		l->c.tee->line(l->c.tee->ctx, l->q + start, l->len - start);
	return 0;
}

void el_begin(struct eventlog *l, const char *event)
{
	ej_begin(&l->w);
	ej_str(&l->w, "event", event);
	ej_time(&l->w, "ts", el_now(l));
	ej_str(&l->w, "sensor", l->sensor);
}

void el_end(struct eventlog *l)
{
	if (!ej_finish(&l->w))
		el_queue(l, l->w.buf, l->w.len - 1, true);
}

/* ---- writing -------------------------------------------------------------------- */

static void health(struct eventlog *l, const char *problem, uint64_t count, const char *detail)
{
	el_begin(l, "health");
	ej_str(&l->w, "problem", problem);
	ej_u64(&l->w, "count", count);
	ej_str(&l->w, "detail", detail);
	el_end(l);
}

static void went_bad(struct eventlog *l, int err)
{
	char detail[512];

	l->st.write_errors++;
	l->last_fail_ns = el_now(l);
	if (l->st.unwritable)
		return;
	l->st.unwritable = true;
	l->fail_err = err;
	snprintf(detail, sizeof(detail), "couldn't write '%s': %s; events are queued (up to %zu bytes)",
		 l->path ? l->path : "standard output", strerror(err), l->c.queue_max);
	ew_warn("event log: %s", detail);
	health(l, "event log unwritable", 1, detail);
}

static void came_back(struct eventlog *l)
{
	uint64_t lost = l->st.lost - l->lost_reported;
	char detail[256];

	l->st.unwritable = false;
	snprintf(detail, sizeof(detail), "'%s' is written again; %llu events were lost while it "
		 "was not", l->path ? l->path : "standard output", (unsigned long long)lost);
	ew_info("event log: %s", detail);
	health(l, "event log writable again", lost, detail);
	l->lost_reported = l->st.lost;
}

static long do_write(struct eventlog *l, const void *p, size_t n)
{
	if (l->c.write)
		return l->c.write(l->fd, p, n);
	return write(l->fd, p, n);
}

int el_write_out(struct eventlog *l)
{
	bool was_bad = l->st.unwritable;

	if (l->fd < 0 && el_open_again(l)) {
		went_bad(l, l->path ? errno : EBADF);
		return l->path ? -errno : -EBADF;
	}
	for (int round = 0; round < 2; round++) {
		while (l->off < l->len) {
			long n = do_write(l, l->q + l->off, l->len - l->off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				int err = n < 0 ? errno : ENOSPC;

				went_bad(l, err);
				/* a full disk may clear; a broken file is opened again */
				if (err != ENOSPC && err != EDQUOT && err != EFBIG && l->path)
					el_close_fd(l);
				return -err;
			}
			l->off += (size_t)n;
			l->file_bytes += (uint64_t)n;
			l->st.bytes += (uint64_t)n;
		}
		l->off = l->len = 0;
		l->last_flush_ns = el_now(l);
		if (!was_bad)
			break;
		came_back(l); /* queues the health event: one more round */
		was_bad = false;
	}
	return 0;
}

int el_fsync(struct eventlog *l, bool rotating)
{
	if (l->fd < 0 || !l->own_fd || l->c.fsync == EVENTLOG_FSYNC_NONE ||
	    (!rotating && l->c.fsync != EVENTLOG_FSYNC_FLUSH))
		return 0;
	return fsync(l->fd) ? -errno : 0;
}

void el_close_fd(struct eventlog *l)
{
	if (l->fd >= 0 && l->own_fd)
		close(l->fd);
	l->fd = -1;
	l->own_fd = false;
}

int el_open_path(struct eventlog *l, enum eventlog_open how, char *msg, size_t msglen)
{
	int flags = O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	struct stat st;

	/* appending reads the last line back to go on with its chain */
	flags |= how == EVENTLOG_APPEND ? O_RDWR | O_APPEND : O_WRONLY;
	flags |= how == EVENTLOG_APPEND ? 0 : how == EVENTLOG_NEW ? O_EXCL : O_TRUNC;
	l->fd = open(l->path, flags, 0600);
	if (l->fd < 0 || fstat(l->fd, &st)) {
		int err = errno;

		if (msg)
			snprintf(msg, msglen, "couldn't open the event log '%s': %s%s", l->path,
				 strerror(err), err == EEXIST ? " (use --force to replace it)" : "");
		el_close_fd(l);
		return -err;
	}
	l->own_fd = true;
	l->file_bytes = (uint64_t)st.st_size;
	l->file_lines = 0;
	l->opened_ns = el_now(l);
	return 0;
}

int el_open_again(struct eventlog *l)
{
	int err = l->path ? el_open_path(l, EVENTLOG_APPEND, NULL, 0) : -EBADF;

	errno = -err;
	return err;
}

