/* SPDX-License-Identifier: GPL-2.0 */
/* eventlog's insides, shared by its three files, each calling only the
 * ones below it:
 *   eventlog.c       the sink, ticks, the public calls
 *   eventlog_file.c  opening (the tail of an existing file), checkpoints, rotation
 *   eventlog_io.c    the queue, signing, writing, the file descriptor */
#ifndef EW_EVENTLOG_INT_H
#define EW_EVENTLOG_INT_H

#include <pthread.h>

#include "eventlog.h"
#include "logmac.h"

#define EL_SUFFIX_HMAC 76 /* ,"hmac":"<64 hex>"}} */

struct eventlog {
	struct eventlog_conf c;
	char *path;
	char *sensor;
	struct logmac *mac;
	char key_id[LOGMAC_ID_HEX + 1];
	pthread_mutex_t lock;
	int fd;
	bool own_fd;
	char *q;		/* queued bytes q[off..len) */
	size_t len, off, cap;
	char *fbuf;		/* the filter's output */
	uint64_t file_bytes, file_lines, opened_ns, last_flush_ns, last_ckpt_ns, last_fail_ns;
	uint64_t seq;		/* of the last signed line */
	uint8_t prev[LOGMAC_LEN];
	uint64_t lost_reported;
	int fail_err;
	struct eventlog_stats st;
	struct ej_sink sink;
	struct ej_writer w;	/* the log's own events */
};

uint64_t el_now(struct eventlog *l);

/* Signs line[0..n) (no newline at the end: one is added) into the queue.
 * force: past queue_max too (the log's own events). -ENOBUFS: dropped. */
int el_queue(struct eventlog *l, const char *line, size_t n, bool force);

/* Appends bytes unsigned (a newline closing a torn line). */
void el_raw(struct eventlog *l, const char *p, size_t n);

/* Starts one of the log's own events in l->w (event, ts, sensor). */
void el_begin(struct eventlog *l, const char *event);
/* Queues it (forced). */
void el_end(struct eventlog *l);

/* Writes the queue out. Returns 0 or -errno (kept queued). */
int el_write_out(struct eventlog *l);
int el_fsync(struct eventlog *l, bool rotating);

/* Opens l->path (how), sets file_bytes, and with a key continues the chain
 * of its last line or moves it away. Queues the "log" open event. */
int el_open_file(struct eventlog *l, enum eventlog_open how, const char *previous,
		 char *msg, size_t msglen);
/* Queues a checkpoint. */
void el_checkpoint(struct eventlog *l, const char *reason);
/* Checkpoint, write, fsync, close, rename, open anew. */
int el_rotate(struct eventlog *l, const char *reason);
void el_close_fd(struct eventlog *l);
/* Opens l->path (how) into l->fd: file_bytes, opened_ns set. Returns 0 or
 * -errno (msg filled when given). */
int el_open_path(struct eventlog *l, enum eventlog_open how, char *msg, size_t msglen);
/* Opens l->path again for appending after it broke. Returns 0 or -errno. */
int el_open_again(struct eventlog *l);

#endif
