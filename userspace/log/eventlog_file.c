// SPDX-License-Identifier: GPL-2.0
/* eventlog_file: the files of the event log. Opening (and picking up the
 * chain of an existing file), checkpoints, rotation and reopening. */
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

#define TAIL_MAX (EJ_LINE_MAX + 4096) /* enough for the longest line */

static const char *base(const char *path)
{
	const char *b = path ? strrchr(path, '/') : NULL;

	return b ? b + 1 : path;
}

void el_checkpoint(struct eventlog *l, const char *reason)
{
	char head[2 * LOGMAC_LEN + 1];

	hex_encode(l->prev, LOGMAC_LEN, head);
	el_begin(l, "checkpoint");
	ej_str(&l->w, "reason", reason);
	ej_u64(&l->w, "count", l->seq);
	ej_str(&l->w, "head", head);
	ej_u64(&l->w, "file_lines", l->file_lines);
	ej_u64(&l->w, "lost", l->st.lost);
	ej_str(&l->w, "key_id", l->key_id);
	el_end(l);
	l->st.checkpoints++;
	l->last_ckpt_ns = el_now(l);
}

/* ---- the tail of an existing file --------------------------------------------------- */

/* The last complete line of fd (size bytes) into buf; its length, 0 when
 * there is none, or -errno. *partial: the file does not end in '\n'. */
static long last_line(int fd, off_t size, char *buf, bool *partial)
{
	off_t from = size > TAIL_MAX ? size - TAIL_MAX : 0;
	ssize_t n = pread(fd, buf, (size_t)(size - from), from);
	char *end, *start;

	if (n < 0)
		return -errno;
	*partial = n && buf[n - 1] != '\n';
	end = memrchr(buf, '\n', (size_t)n);
	if (!end)
		return 0;
	start = end > buf ? memrchr(buf, '\n', (size_t)(end - buf)) : NULL;
	start = start ? start + 1 : buf;
	memmove(buf, start, (size_t)(end - start));
	return end - start;
}

/* Takes up the chain of line[0..n) when it verifies under the key.
 * Returns 1 (continued; *clean: it is a shutdown checkpoint), 0 (no). */
static int take_chain(struct eventlog *l, const char *line, size_t n, bool *clean)
{
	uint8_t mac[LOGMAC_LEN], want[LOGMAC_LEN];
	const char *seq;

	if (n < EL_SUFFIX_HMAC + 100 || memcmp(line + n - EL_SUFFIX_HMAC, ",\"hmac\":\"", 9) ||
	    hex_decode(line + n - EL_SUFFIX_HMAC + 9, LOGMAC_LEN, want) ||
	    logmac_hmac(l->mac, line, n - EL_SUFFIX_HMAC, mac) || memcmp(mac, want, LOGMAC_LEN))
		return 0;
	seq = memmem(line, n, "\"integrity\":{\"seq\":", 19);
	if (!seq)
		return 0;
	l->seq = strtoull(seq + 19, NULL, 10);
	logmac_sha256(line, n, l->prev);
	*clean = memmem(line, n, "\"reason\":\"shutdown\"", 19) && !strncmp(line,
								"{\"event\":\"checkpoint\"", 21);
	return 1;
}

/* An existing file with a key: 1 when its chain goes on (*clean: it
 * ends in a shutdown checkpoint), 0 when it is not ours to continue. */
static int pick_up(struct eventlog *l, int *clean)
{
	struct stat st;
	bool partial = false, ok_clean = false;
	char *buf;
	long n;

	if (fstat(l->fd, &st) || !st.st_size)
		return 0;
	buf = malloc(TAIL_MAX);
	if (!buf)
		return 0;
	n = last_line(l->fd, st.st_size, buf, &partial);
	n = n > 0 && take_chain(l, buf, (size_t)n, &ok_clean);
	free(buf);
	if (!n)
		return 0;
	*clean = ok_clean && !partial;
	if (partial) /* a torn last line stays a (bad) line of its own */
		el_raw(l, "\n", 1);
	return 1;
}

/* Does the file end in a signed line? */
static bool signed_tail(struct eventlog *l)
{
	struct stat st;
	bool partial, yes = false;
	char *buf;
	long n;

	if (fstat(l->fd, &st) || !st.st_size || !(buf = malloc(TAIL_MAX)))
		return false;
	n = last_line(l->fd, st.st_size, buf, &partial);
	yes = n > 0 && memmem(buf, (size_t)n, ",\"integrity\":{\"seq\":", 20);
	free(buf);
	return yes;
}

/* PATH.<UTC time>[-N], a name nothing has. */
static int rotated_name(struct eventlog *l, char *out, size_t len)
{
	uint64_t now = el_now(l);
	time_t t = (time_t)(now / 1000000000ull);
	struct tm tm;
	char stamp[32];

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (int i = 0; i < 1000; i++) {
		if (i)
			snprintf(out, len, "%s.%s-%d", l->path, stamp, i);
		else
			snprintf(out, len, "%s.%s", l->path, stamp);
		if (access(out, F_OK))
			return 0;
	}
	return -EEXIST;
}

static void open_event(struct eventlog *l, const char *action, const char *previous,
		       bool continued, int clean)
{
	if (!l->mac)
		return;
	el_begin(l, "log");
	ej_str(&l->w, "action", action);
	ej_u64(&l->w, "schema", EVENTLOG_SCHEMA);
	ej_str(&l->w, "file", l->path ? base(l->path) : "-");
	ej_str(&l->w, "previous_file", previous);
	ej_str(&l->w, "chain", continued ? "continued" : "new");
	if (clean < 0)
		ej_null(&l->w, "clean_stop");
	else
		ej_bool(&l->w, "clean_stop", clean);
	ej_str(&l->w, "key_id", l->key_id);
	el_end(l);
}

/* Moves a file that is not ours to continue out of the way. */
static int move_away(struct eventlog *l, char *moved, size_t len, char *msg, size_t msglen)
{
	el_close_fd(l);
	if (!rotated_name(l, moved, len) && !rename(l->path, moved)) {
		if (l->mac)
			ew_warn("event log: '%s' does not end in a line signed with this key (key id "
				"%s); moved to '%s', a new chain starts", l->path, l->key_id, moved);
		else
			ew_warn("event log: '%s' is signed and no key was given; moved to '%s' "
				"rather than adding unsigned lines to it", l->path, moved);
		return 0;
	}
	snprintf(msg, msglen, "couldn't move the event log '%s' away (%s): %s", l->path,
		 l->mac ? "not signed with this key" : "signed, and no key given", strerror(errno));
	return -errno;
}

int el_open_file(struct eventlog *l, enum eventlog_open how, const char *previous,
		 char *msg, size_t msglen)
{
	char moved[4096];
	int err, clean = -1, on = 0;

	if (!l->path) {
		l->fd = STDOUT_FILENO;
		open_event(l, "open", NULL, false, -1);
		return 0;
	}
	err = el_open_path(l, how, msg, msglen);
	if (err || how != EVENTLOG_APPEND || !l->file_bytes)
		goto out;
	/* with a key, go on with the chain; without, never add unsigned
	 * lines to a signed file */
	on = l->mac ? pick_up(l, &clean) : !signed_tail(l);
	if (on)
		goto out;
	err = move_away(l, moved, sizeof(moved), msg, msglen);
	if (!err)
		err = el_open_path(l, how, msg, msglen);
	previous = base(moved);
out:
	if (!err)
		open_event(l, "open", previous, on, clean);
	return err;
}

int el_rotate(struct eventlog *l, const char *reason)
{
	bool rotate = !strcmp(reason, "rotate");
	char moved[4096] = "";
	int err;

	if (l->mac)
		el_checkpoint(l, reason);
	err = el_write_out(l);
	if (!err)
		err = el_fsync(l, true);
	if (err)
		return err; /* still on the old file; tried again later */
	if (rotate && (rotated_name(l, moved, sizeof(moved)) || rename(l->path, moved))) {
		err = -errno;
		ew_warn("event log: couldn't rotate '%s': %s", l->path, strerror(errno));
		l->opened_ns = el_now(l); /* not again before the next period */
		return err;
	}
	el_close_fd(l);
	err = el_open_path(l, EVENTLOG_APPEND, NULL, 0);
	if (err) {
		l->st.write_errors++;
		ew_warn("event log: couldn't open '%s' anew: %s", l->path, strerror(-err));
		return err;
	}
	rotate ? l->st.rotations++ : l->st.reopens++;
	open_event(l, rotate ? "rotate" : "reopen", rotate ? base(moved) : NULL, true, -1);
	return el_write_out(l);
}
