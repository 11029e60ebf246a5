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

void eventlog_conf_default(struct eventlog_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->how = EVENTLOG_APPEND;
	c->flush_ns = SEC;
	c->checkpoint_ns = 3600 * SEC;
	c->fsync = EVENTLOG_FSYNC_ROTATE;
	c->queue_max = 16u << 20;
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
