/* SPDX-License-Identifier: GPL-2.0 */
/* eventlog: the event log a responder can trust, behind the JSON Lines
 * writer (struct ej_sink). Every line the engine's merger writes comes
 * through here:
 *
 *   ej_writer ─line─▶ filter (privacy) ─▶ sign ─▶ queue ─write─▶ FILE (rotated)
 *                                           └──▶ tee (syslog forwarder)
 *
 * With a key, each line gets an integrity member appended, last:
 *
 *   {...,"integrity":{"seq":N,"prev":"<SHA-256 of line N-1>","hmac":"<HMAC>"}}
 *        `------------------ HMAC-SHA256 input ------------------´
 *
 * The HMAC covers the line up to the end of "prev" (the 76 bytes
 * `,"hmac":"<64 hex>"}}` are left out); prev is the SHA-256 of the whole
 * previous line without its newline, 64 zeros for the first line of a
 * chain. The chain runs across rotations: a new file's first line is a
 * "log" event chained to the last line (a checkpoint) of the file before.
 * Signed checkpoints (count and chain head) close each file and mark a
 * clean shutdown, and come at an interval. docs/log-schema.md.
 *
 * Lines are queued and written on an interval (or at once); when the file
 * can't be written (disk full, file gone), the queue holds up to
 * queue_max bytes, a health event is queued, and lines past the cap are
 * dropped and counted; when writing resumes a health event says how many
 * were lost. Thread-safe: the merger writes, the agent's main thread
 * ticks, reopens and reads the counters. */
#ifndef EW_EVENTLOG_H
#define EW_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eventjson.h"

/* The version of docs/log-schema.md the lines follow, in every "log"
 * event's "schema". */
#define EVENTLOG_SCHEMA 4

enum eventlog_open { EVENTLOG_APPEND, EVENTLOG_NEW, EVENTLOG_REPLACE };
enum eventlog_fsync { EVENTLOG_FSYNC_NONE, EVENTLOG_FSYNC_ROTATE, EVENTLOG_FSYNC_FLUSH };

/* A rewrite of each line before it is signed (privacy): returns the line
 * to write in out[0..*outlen) (out holds cap bytes), or 1 to drop it, or 0
 * with *outlen 0 to keep it unchanged. */
struct eventlog_filter {
	int (*apply)(void *ctx, const char *line, size_t len, char *out, size_t cap,
		     size_t *outlen);
	void *ctx;
};

struct eventlog_conf {
	const char *path;	 /* NULL or "-": standard output (no rotation, no reopen) */
	enum eventlog_open how;	 /* APPEND: the agent; NEW/REPLACE: edgeward pcap --out */
	const uint8_t *key;	 /* HMAC key (copied); NULL: no integrity members */
	size_t key_len;
	const char *sensor;	 /* "sensor" of the log's own events */
	uint64_t rotate_bytes;	 /* rotate past this size (0: never) */
	uint64_t rotate_ns;	 /* rotate files older than this (0: never) */
	uint64_t flush_ns;	 /* write queued lines this often (0: every line) */
	uint64_t checkpoint_ns;	 /* signed checkpoint this often (0: only at rotation, end) */
	enum eventlog_fsync fsync;
	size_t queue_max;	 /* bytes held while the file can't be written */
	const struct ej_sink *tee;	     /* each finished line also goes here; optional */
	const struct eventlog_filter *filter; /* optional */
	/* Injected for tests: the wall clock (ns) and write(2). */
	uint64_t (*clock)(void *ctx);
	void *clock_ctx;
	long (*write)(int fd, const void *p, size_t n);
};

struct eventlog_stats {
	uint64_t lines;	       /* lines queued (events and the log's own) */
	uint64_t bytes;	       /* bytes written to files */
	uint64_t lost;	       /* lines dropped: queue full while unwritable */
	uint64_t filtered;     /* lines the filter dropped (privacy) */
	uint64_t write_errors; /* failed write attempts */
	uint64_t queue_bytes;  /* waiting to be written now */
	uint64_t queue_peak;
	uint64_t rotations, reopens, checkpoints;
	uint64_t seq;	       /* chain position of the last line */
	bool unwritable;       /* the last write failed */
};

/* Defaults: append, no key, no rotation, flush every second, checkpoint
 * every hour, fsync at rotation, a 16 MiB queue. */
void eventlog_conf_default(struct eventlog_conf *c);

struct eventlog;

/* Opens the log (O_APPEND for APPEND, 0600, never through a symlink).
 * With a key and an existing file: the chain goes on from its last line
 * when that line verifies under the key; otherwise (no integrity members,
 * another key, a damaged tail) the file is rotated away and a new chain
 * starts. Returns NULL with errno set and msg filled. */
struct eventlog *eventlog_open(const struct eventlog_conf *c, char *msg, size_t msglen);

/* The sink to give ej_init_sink: line() queues (and may write), flush()
 * writes when the flush interval is up. Valid while l lives. */
const struct ej_sink *eventlog_sink(struct eventlog *l);

/* Time-driven work, from any thread (the agent: once a second): the
 * interval write, checkpoint and rotation, and a retry when unwritable.
 * Returns 0 or -errno of a failed write. */
int eventlog_tick(struct eventlog *l);

/* Writes everything queued now (and fsyncs under FSYNC_FLUSH). */
int eventlog_flush(struct eventlog *l);

/* Rotation now: checkpoint, close, rename to PATH.<UTC time>, new file.
 * -ENOTSUP for standard output. */
int eventlog_rotate(struct eventlog *l);

/* After logrotate moved the file (SIGHUP): checkpoint into the old file,
 * open PATH anew; the chain goes on. -ENOTSUP for standard output. */
int eventlog_reopen(struct eventlog *l);

void eventlog_stats(struct eventlog *l, struct eventlog_stats *st);

/* The key id (16 hex digits) or "" without a key. */
const char *eventlog_key_id(const struct eventlog *l);

/* Shutdown: a checkpoint, everything written, fsync, close, free. Returns
 * 0, or -EIO when lines were lost or could not be written (the message
 * says how many). */
int eventlog_close(struct eventlog *l, char *msg, size_t msglen);

#endif
