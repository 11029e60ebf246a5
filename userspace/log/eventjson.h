/* SPDX-License-Identifier: GPL-2.0 */
/* JSON Lines writer for the event log (docs/log-schema.md): the last stage
 * of the pipeline. A record is built in memory and written with one fwrite,
 * so a line is never interleaved or half-written by this process. */
#ifndef EW_EVENTJSON_H
#define EW_EVENTJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EJ_DEPTH_MAX 8		/* nesting of objects and arrays */
#define EJ_LINE_MAX  (1u << 20) /* longer records are cut: see ej_end */

/* Where finished lines go when not to a FILE: the event log with its
 * integrity chain, rotation and forwarding plugs in here. line() gets one
 * whole line (ending in '\n') and returns 0 or -errno; flush() pushes out
 * what it buffers. */
struct ej_sink {
	int (*line)(void *ctx, const char *line, size_t len);
	int (*flush)(void *ctx);
	void *ctx;
};

/* One writer. Fields are private; the buffer is owned by the writer. */
struct ej_writer {
	FILE *out;
	const struct ej_sink *sink; /* when set, lines go here instead of out */
	char *buf;
	size_t len, cap;
	int depth;
	bool first[EJ_DEPTH_MAX + 1]; /* no member written yet at this depth */
	bool oversize;		      /* record went past EJ_LINE_MAX */
	uint64_t lines;		      /* records written */
};

/* Binds the writer to out (not owned; the caller closes it). */
void ej_init(struct ej_writer *w, FILE *out);
/* Binds the writer to a sink instead (not owned). */
void ej_init_sink(struct ej_writer *w, const struct ej_sink *sink);

/* Writes a finished line (made elsewhere, ending in '\n') to the writer's
 * file or sink. Returns 0 or -errno. */
int ej_put_line(struct ej_writer *w, const char *line, size_t len);
/* Pushes buffered lines out (fflush, or the sink's flush). */
int ej_flush(struct ej_writer *w);
/* Frees the buffer; does not close out. */
void ej_free(struct ej_writer *w);

/* Starts a record ("{"). */
void ej_begin(struct ej_writer *w);
/* Ends the record ("}\n") and leaves it in w->buf[0..w->len) unwritten,
 * for a writer elsewhere. Returns 0, -EMSGSIZE or -ENOMEM as ej_end. */
int ej_finish(struct ej_writer *w);

/* Ends the record ("}\n") and writes it. Returns 0, -EMSGSIZE if the record
 * grew past EJ_LINE_MAX (it is then not written), -ENOMEM, or -EIO. */
int ej_end(struct ej_writer *w);

/* A part of a record built apart from it (in a worker): members only, no
 * braces, each with its leading comma, to be spliced into a record with
 * ej_raw. ej_part_end returns 0 and leaves the part in w->buf[0..w->len),
 * or -EMSGSIZE / -ENOMEM as ej_end. */
void ej_part_begin(struct ej_writer *w);
int ej_part_end(struct ej_writer *w);
/* Appends members made by ej_part_begin/ej_part_end (n may be 0). */
void ej_raw(struct ej_writer *w, const char *members, size_t n);

/* Members of the current object; key is a C string. A NULL string value
 * writes null. Bytes that are not valid UTF-8 are written as the six
 * characters \u00XX with XX the byte (so the line stays valid JSON and the
 * byte is recoverable); control characters are escaped. */
void ej_str(struct ej_writer *w, const char *key, const char *val);
void ej_strn(struct ej_writer *w, const char *key, const void *val, size_t n);
void ej_u64(struct ej_writer *w, const char *key, uint64_t v);
void ej_i64(struct ej_writer *w, const char *key, int64_t v);
void ej_bool(struct ej_writer *w, const char *key, bool v);
void ej_null(struct ej_writer *w, const char *key);
/* Lower-case hex of n bytes as a string. */
void ej_hex(struct ej_writer *w, const char *key, const uint8_t *d, size_t n);
/* ns since the epoch as "2026-11-28T16:40:02.123456Z" (UTC, microseconds);
 * 0 writes null. */
void ej_time(struct ej_writer *w, const char *key, uint64_t ns);
/* A 16-byte address: dotted quad if IPv4-mapped (::ffff:a.b.c.d), else
 * RFC 5952 IPv6 text. */
void ej_addr(struct ej_writer *w, const char *key, const uint8_t *a);
/* Nested object/array; key NULL inside arrays. */
void ej_obj(struct ej_writer *w, const char *key);
void ej_obj_end(struct ej_writer *w);
void ej_arr(struct ej_writer *w, const char *key);
void ej_arr_end(struct ej_writer *w);

/* Appends the JSON string literal for val[0..n) to the writer's buffer. */
void ej_escape(struct ej_writer *w, const void *val, size_t n);

#endif
