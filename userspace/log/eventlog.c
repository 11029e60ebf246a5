// SPDX-License-Identifier: GPL-2.0
/* eventlog: signs, queues and writes event lines (eventlog.h has the
 * picture and the line format); the file side is in eventlog_file.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eventlog_int.h"
#include "log.h"

#define SEC	      1000000000ull
#define WRITE_AT      (64u << 10) /* queued bytes that trigger a write */
#define RETRY_NS      SEC	  /* an unwritable file is retried this often */
#define INTEGRITY_MAX 256	  /* bytes the integrity member adds, at most */

void eventlog_conf_default(struct eventlog_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->how = EVENTLOG_APPEND;
	c->flush_ns = SEC;
	c->checkpoint_ns = 3600 * SEC;
	c->fsync = EVENTLOG_FSYNC_ROTATE;
	c->queue_max = 16u << 20;
}

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

	logmac_hex(l->prev, LOGMAC_LEN, hex);
	n = sprintf(p, "%s\"integrity\":{\"seq\":%llu,\"prev\":\"%s\"",
		    l->len - start > 1 ? "," : "", (unsigned long long)(l->seq + 1), hex);
	l->len += (size_t)n;
	if (logmac_hmac(l->mac, l->q + start, l->len - start, mac))
		return -EIO;
	logmac_hex(mac, LOGMAC_LEN, hex);
	l->len += (size_t)sprintf(l->q + l->len, ",\"hmac\":\"%s\"}}", hex);
	logmac_sha256(l->q + start, l->len - start, l->prev);
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

/* Writes when due: every line (flush_ns 0), a full batch, the interval,
 * or (unwritable) the retry time. */
static int maybe_write(struct eventlog *l, uint64_t now)
{
	int err;

	if (l->st.unwritable && now - l->last_fail_ns < RETRY_NS)
		return 0;
	if (l->c.flush_ns && l->len - l->off < WRITE_AT && now - l->last_flush_ns < l->c.flush_ns)
		return 0;
	err = el_write_out(l);
	if (!err)
		err = el_fsync(l, false);
	return err;
}

/* Time-driven checkpoint and rotation, then the write. */
static int due(struct eventlog *l)
{
	uint64_t now = el_now(l);

	if (l->own_fd && !l->st.unwritable &&
	    ((l->c.rotate_bytes && l->file_bytes + l->len - l->off >= l->c.rotate_bytes) ||
	     (l->c.rotate_ns && now - l->opened_ns >= l->c.rotate_ns)))
		return el_rotate(l, "rotate");
	if (l->mac && l->c.checkpoint_ns && now - l->last_ckpt_ns >= l->c.checkpoint_ns)
		el_checkpoint(l, "interval");
	return maybe_write(l, now);
}

/* ---- the sink ---------------------------------------------------------------------- */

static int filter(struct eventlog *l, const char **line, size_t *len)
{
	const struct eventlog_filter *f = l->c.filter;
	size_t out = 0;
	int rc;

	if (!f)
		return 0;
	if (!l->fbuf && !(l->fbuf = malloc(EJ_LINE_MAX + 256)))
		return -ENOMEM;
	rc = f->apply(f->ctx, *line, *len, l->fbuf, EJ_LINE_MAX + 256, &out);
	if (rc == 1) {
		l->st.filtered++;
		return 1;
	}
	if (out) {
		*line = l->fbuf;
		*len = out;
	}
	return 0;
}

static int sink_line(void *ctx, const char *line, size_t len)
{
	struct eventlog *l = ctx;
	int err;

	pthread_mutex_lock(&l->lock);
	if (len && line[len - 1] == '\n')
		len--;
	err = filter(l, &line, &len);
	if (!err)
		err = el_queue(l, line, len, false);
	if (err == 1 || err == -ENOBUFS) /* filtered, or lost and counted */
		err = 0;
	if (!err)
		due(l); /* a failed write keeps the line queued: not the writer's error */
	pthread_mutex_unlock(&l->lock);
	return err;
}

static int sink_flush(void *ctx)
{
	struct eventlog *l = ctx;

	pthread_mutex_lock(&l->lock);
	maybe_write(l, el_now(l));
	pthread_mutex_unlock(&l->lock);
	return 0; /* an unwritable file is the queue's business, not the writer's */
}

const struct ej_sink *eventlog_sink(struct eventlog *l)
{
	return &l->sink;
}

/* ---- life ------------------------------------------------------------------------- */

struct eventlog *eventlog_open(const struct eventlog_conf *c, char *msg, size_t msglen)
{
	struct eventlog *l = calloc(1, sizeof(*l));
	bool std = !c->path || !strcmp(c->path, "-");
	int err = -ENOMEM;

	if (!l)
		goto fail;
	l->c = *c;
	l->fd = -1;
	pthread_mutex_init(&l->lock, NULL);
	ej_init(&l->w, NULL);
	l->sink = (struct ej_sink){.line = sink_line, .flush = sink_flush, .ctx = l};
	if ((!std && !(l->path = strdup(c->path))) || !(l->sensor = strdup(c->sensor ? c->sensor : "")))
		goto fail;
	if (c->key && !(l->mac = logmac_new(c->key, c->key_len)))
		goto fail;
	if (l->mac)
		logmac_key_id(l->mac, l->key_id);
	l->last_flush_ns = l->last_ckpt_ns = el_now(l);
	err = el_open_file(l, c->how, NULL, msg, msglen);
	if (!err)
		err = el_write_out(l);
	if (!err)
		return l;
fail:
	if (err == -ENOMEM)
		snprintf(msg, msglen, "event log: out of memory");
	eventlog_close(l, NULL, 0);
	errno = -err;
	return NULL;
}

int eventlog_tick(struct eventlog *l)
{
	int err;

	pthread_mutex_lock(&l->lock);
	err = due(l);
	pthread_mutex_unlock(&l->lock);
	return err;
}

int eventlog_flush(struct eventlog *l)
{
	int err;

	pthread_mutex_lock(&l->lock);
	err = el_write_out(l);
	if (!err)
		err = el_fsync(l, false);
	pthread_mutex_unlock(&l->lock);
	return err;
}

int eventlog_rotate(struct eventlog *l)
{
	int err = -ENOTSUP;

	pthread_mutex_lock(&l->lock);
	if (l->path)
		err = el_rotate(l, "rotate");
	pthread_mutex_unlock(&l->lock);
	return err;
}

int eventlog_reopen(struct eventlog *l)
{
	int err = -ENOTSUP;

	pthread_mutex_lock(&l->lock);
	if (l->path)
		err = el_rotate(l, "reopen");
	pthread_mutex_unlock(&l->lock);
	return err;
}

void eventlog_stats(struct eventlog *l, struct eventlog_stats *st)
{
	pthread_mutex_lock(&l->lock);
	*st = l->st;
	st->queue_bytes = l->len - l->off;
	st->seq = l->seq;
	pthread_mutex_unlock(&l->lock);
}

const char *eventlog_key_id(const struct eventlog *l)
{
	return l->key_id;
}

int eventlog_close(struct eventlog *l, char *msg, size_t msglen)
{
	int err = 0;

	if (!l)
		return 0;
	if (l->fd >= 0) {
		if (l->mac)
			el_checkpoint(l, "shutdown");
		err = el_write_out(l);
		if (!err)
			err = el_fsync(l, true);
		if (!err && l->st.lost)
			err = -EIO;
		if (err && msg)
			snprintf(msg, msglen, "event log '%s': %llu events lost, %zu bytes unwritten%s%s",
				 l->path ? l->path : "standard output",
				 (unsigned long long)l->st.lost, l->len - l->off,
				 l->fail_err ? ": " : "", l->fail_err ? strerror(l->fail_err) : "");
	}
	el_close_fd(l);
	logmac_free(l->mac);
	ej_free(&l->w);
	pthread_mutex_destroy(&l->lock);
	free(l->q);
	free(l->fbuf);
	free(l->path);
	free(l->sensor);
	free(l);
	return err;
}
