/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the HTTP parser's files. http.c is the entry (the
 * stream consumer) and calls the others; httpobj.c is the exit (objects to
 * the consumer). httphead.c and httpchunk.c read heads and chunk framing
 * and return what they found; they never call back into http.c.
 * Not an interface for other stages: use http.h. */
#ifndef EW_HTTPINT_H
#define EW_HTTPINT_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "http.h"
#include "httphdr.h"
#include "multipart.h"
#include "object/sniff.h"
#include "util/budget.h"

struct http_ctx {
	struct http_conf conf;
	const struct object_ops *ops;
	void *ops_ctx;
	struct http_stats st;
	struct budget *alt;	/* alternate readings' state, all flows */
	struct budget own_alt;
	struct http_inflight *spare;	/* the last message freed, for the next one */
};

/* What a response needs to know about its request: one allocation, the
 * strings in s[]. */
struct http_req {
	struct http_req *next;		/* the next pending request */
	const char *method, *host, *uri;
	char s[];
};

/* One object on its way to the consumer. meta's strings point into the
 * message head and its request, which outlive the body. */
struct http_obj {
	struct http_ctx *ctx;
	struct obj_meta meta;
	int open;
	void *o;			/* consumer state, may be NULL */
	struct decoder *dec;
	struct multipart *mp;		/* parts parser: form-data, byteranges */
	struct http_obj *part;		/* the part being emitted (with mp) */
	uint64_t wire_len, decoded_len, ts;
	uint8_t sniff[SNIFF_LEN];
	size_t nsniff;
	unsigned flags, anomalies;
	const uint64_t *pos;		/* its direction's position, for
					 * obj_end.end_off; NULL: 0 */
};

/* Starts an object for a message body: meta from the head h and its
 * request rq (either may be partly empty; rq may be NULL), codings from
 * the head. Returns 0 or -errno (then nothing was begun). */
int httpobj_begin(struct http_ctx *ctx, struct http_obj *ob,
		  const struct flow_info *fi, enum obj_kind kind,
		  const struct http_head *h, const struct http_req *rq,
		  uint32_t seq, uint64_t ts);
/* Body bytes as transferred (de-chunked, not yet content-decoded). */
void httpobj_wire(struct http_obj *ob, const uint8_t *p, size_t len);
/* Ends an open object (no-op otherwise). complete: every byte was seen;
 * flags adds OBJ_TRUNCATED, OBJ_GAP ... */
void httpobj_end(struct http_obj *ob, int complete, unsigned flags, uint64_t ts);

#define HTTP_PENDING	32	/* requests awaiting their response */
#define LINE_MAX_LEN	1024	/* chunk-size and trailer lines */
#define RESYNC_LINE	8192
#define PRELUDE_MAX	1024	/* junk before a first status line */
#define HTTP_ALT_MAX	(16ull << 20)	/* bytes an alternate reading reads */
#define HTTP_ALT_TOTAL	(64 << 20)	/* all alternate readings' state at once */
#define HTTP_READINGS_MAX 4		/* alternate readings of one message */

enum hstate {
	H_HEAD,		/* collecting a header block */
	H_CL,		/* Content-Length body */
	H_CHUNK_SIZE,	/* chunk-size line */
	H_CHUNK_LF,	/* size line ended by CR: an LF may follow */
	H_CHUNK_DATA,
	H_TRAILER,	/* after the last chunk */
	H_CLOSE,	/* body ends with the connection */
	H_RESYNC,	/* lost: looking for the next start line */
	H_PRELUDE,	/* first response: junk before the status line? */
	H_DEAD,		/* nothing more to parse in this direction */
};

/* One message from its parsed head to the end of its body: allocated when
 * the head is complete, freed when the message ends (http.c). Only the
 * fields before head are zeroed for a new message: its parser fills the
 * head, the first chunk-size line the probe. */
struct http_inflight {
	uint64_t remain;	/* body or chunk bytes still to come */
	int discard;		/* the object ended early: skip the body */
	int probing;		/* first chunk-size line: keep bytes in probe */
	uint64_t body_len;	/* body bytes framed so far */
	int bare_cr;		/* a chunk-size line ended by CR alone */
	int lf_tried;		/* the lf-chunks reading was decided */
	size_t nprobe;
	struct http_obj obj;
	struct http_head head;
	uint8_t probe[LINE_MAX_LEN + 64];
};

/* One direction of a flow, between messages too: small. */
struct http_dir {
	enum hstate st;
	unsigned eoh;		/* end-of-head matcher: 1 after LF, 2 after LF CR */
	int messages;		/* heads parsed so far */
	uint32_t finals;	/* messages other than interim 1xx responses */
	uint32_t seq;		/* the current message's number */
	int bodiless;		/* last response was read without a body */
	int skip_blank;		/* head ended at a blank-ish line: a real
				 * blank line right after it is still head */
	unsigned anom;		/* transport anomalies for the next object */
	uint64_t ts;
	uint8_t *buf;		/* the head, or the current line; freed when
				 * empty at the end of a delivery */
	size_t n, cap;
	uint8_t *prev;		/* the head of the last response, while it is
				 * bodiless: bytes after it may be its body */
	size_t nprev;
	struct http_inflight *m;	/* the message in flight, or NULL */
	struct http_reading *alts;	/* alternate readings (httpread.c) */
	/* message positions (http_msg): pos is the stream offset after the
	 * last byte consumed (bytes read again move it back first) */
	uint64_t pos;
	uint64_t head_start;	/* where the head being collected began */
	unsigned msg_flags;	/* HTTP_MSG_* of the current message */
};

/* Per-flow state of the parser: a few hundred bytes; a message's state is
 * allocated when its head is complete. */
struct http_flow {
	struct http_ctx *ctx;
	const struct flow_info *fi;
	struct http_dir d[2];
	struct http_req *qhead, *qtail;	/* pending requests, oldest first */
	unsigned qlen;
	struct http_req *cur;		/* request of the current response */
};

/* Appends p[0..len) to d's buffer if it then holds at most limit bytes.
 * Returns 0, -ENOSPC (limit: nothing appended) or -ENOMEM. */
static inline int http_buf_put(struct http_dir *d, const uint8_t *p, size_t len,
			       size_t limit)
{
	if (d->n + len > limit)
		return -ENOSPC;
	if (!len)
		return 0;
	if (d->n + len > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 512;
		uint8_t *b;

		while (cap < d->n + len)
			cap *= 2;
		if (cap > limit)
			cap = limit;
		b = realloc(d->buf, cap);
		if (!b)
			return -ENOMEM;
		d->buf = b;
		d->cap = cap;
	}
	memcpy(d->buf + d->n, p, len);
	d->n += len;
	return 0;
}

/* Appends the bytes of a line that is only skipped (resync, trailers):
 * whenever a byte does not fit within limit, the buffer starts again and
 * that byte is dropped, as a line cut there would be. */
static inline void http_buf_keep(struct http_dir *d, const uint8_t *p, size_t len,
				 size_t limit)
{
	while (len) {
		size_t room = limit - d->n;

		if (len <= room) {
			http_buf_put(d, p, len, limit);
			return;
		}
		http_buf_put(d, p, room, limit);
		d->n = 0;
		p += room + 1;
		len -= room + 1;
	}
}

/* httphead.c: what the head scanners found. */
enum head_ev {
	HEAD_MORE,	/* bytes used; nothing for the caller to do */
	HEAD_DONE,	/* a whole head is in d->buf: httphead_done */
	HEAD_LATE_BODY,	/* d->buf holds the first bytes of the body of the
			 * last, bodiless response: httphead_late_body */
	HEAD_HTTP09,	/* d->buf holds junk past PRELUDE_MAX: an HTTP/0.9
			 * body, httphead_http09 */
};

/* Head bytes of dir (H_HEAD), junk before a first response (H_PRELUDE),
 * lines skipped while lost (H_RESYNC). Each returns how many bytes it used
 * and, in *ev, what the caller must do before feeding the rest. Checks on
 * the first bytes of a message go byte by byte, the rest a line at a time. */
size_t httphead_bytes(struct http_flow *f, enum stream_dir dir,
		      const uint8_t *p, size_t len, enum head_ev *ev);
size_t httphead_prelude(struct http_flow *f, const uint8_t *p, size_t len,
			enum head_ev *ev);
size_t httphead_resync(struct http_flow *f, enum stream_dir dir,
		       const uint8_t *p, size_t len);

/* The head in d->buf is complete (HEAD_DONE): parses it into d->m (the
 * caller's, fresh), matches a response to its request, and sets the state
 * the body starts in (H_HEAD: none). Empties d->buf; the head of a
 * bodiless response is kept in d->prev. Returns 0, or -EINVAL when the
 * head does not parse (the direction resynchronises). */
int httphead_done(struct http_flow *f, enum stream_dir dir);

/* Makes the buffered bytes of a first response (S2C) an HTTP/0.9
 * message: fills d->m's head (the caller's, fresh) and the state; the
 * caller then hands d->buf to the body. */
void httphead_http09(struct http_flow *f);

/* HEAD_LATE_BODY: reads d->prev again into d->m (the caller's, fresh) and
 * frames its body; the caller then feeds the bytes it took from d->buf. */
void httphead_late_body(struct http_flow *f);

/* Frees the pending requests and the current one. */
void httphead_reqs_free(struct http_flow *f);

/* httpmsg.c: the http_conf.msg callback. A head was parsed (and its
 * framing chosen): reports HTTP_MSG_HEAD, and DONE if it has no body. */
void http_msg_head(struct http_flow *f, enum stream_dir dir);
/* The current message of dir ended at the current position. */
void http_msg_report_done(struct http_flow *f, enum stream_dir dir);

/* httpread.c: alternate readings of a message body (docs/http.md,
 * "Readings"), each into an object of its own. They read the bytes the
 * direction delivers (or, RD_PREFIX, the primary's body) and never move
 * the parser. */
enum read_frame {
	RD_LENGTH,	/* len bytes */
	RD_CLOSE,	/* until the connection closes */
	RD_LF_CHUNKS,	/* de-chunked, lines ended by LF alone */
	RD_PREFIX,	/* the primary's body, cut after len bytes */
};

struct read_spec {
	const char *name;	/* the reading's name, static */
	enum read_frame frame;
	int64_t len;		/* RD_LENGTH, RD_PREFIX */
	uint64_t off;		/* the stream offset of the next byte it reads */
	int same;		/* its bytes and the primary's body start at
				 * one offset and are framed alike (equal
				 * lengths mean the same body: it is dropped) */
	int own_codings;	/* its head decodes otherwise than the primary's */
	uint32_t seq;		/* the message's number */
	const struct http_req *rq;	/* a response's request (copied) */
};

/* Starts a reading of dir described by rs, with the metadata of head h
 * (copied). Returns 0, or -ENOMEM when a cap or memory refuses it
 * (counted in alt_refused). */
int httpread_add(struct http_flow *f, enum stream_dir dir,
		 const struct read_spec *rs, const struct http_head *h);
/* Bytes before rs->off for the reading just added (it started earlier). */
void httpread_pre(struct http_flow *f, enum stream_dir dir,
		  const uint8_t *p, size_t len);
/* Delivered bytes p[0..len) at stream offset off, after the primary's. */
void httpread_data(struct http_flow *f, enum stream_dir dir, uint64_t off,
		   const uint8_t *p, size_t len);
/* Body bytes of the primary (RD_PREFIX readings). */
void httpread_body(struct http_flow *f, enum stream_dir dir,
		   const uint8_t *p, size_t len);
/* Does the message in flight have readings? */
int httpread_any(const struct http_flow *f, enum stream_dir dir);
/* The primary's body of the message in flight ended at len bytes. */
void httpread_primary_end(struct http_flow *f, enum stream_dir dir,
			  uint64_t len);
/* A gap: every reading ends truncated. */
void httpread_gap(struct http_flow *f, enum stream_dir dir);
/* The direction ended; orderly: FIN or end of input (close readings are
 * complete then). */
void httpread_end(struct http_flow *f, enum stream_dir dir, int orderly);
/* Frees dir's readings (flow close; their objects end truncated). */
void httpread_free(struct http_flow *f, enum stream_dir dir);

/* httpalt.c: the head of the message in flight of dir is parsed and its
 * framing chosen (d->st): starts the readings other clients would take
 * and names the primary's (head.reading) when there are any. */
void httpalt_head(struct http_flow *f, enum stream_dir dir);
/* A first status line was found past junk in d->buf (H_PRELUDE): the
 * junk and all after it is read as HTTP/0.9 as well. */
void httpalt_http09(struct http_flow *f);
/* The first chunk-size line of the message in flight of dir ended with a
 * lone CR: starts its lf-chunks reading (or counts it refused when body
 * bytes were read already). */
void httpalt_lf_chunks(struct http_flow *f, enum stream_dir dir);

/* httpchunk.c: what the chunk framing found. */
enum chunk_ev {
	CHUNK_MORE,	/* bytes used; still framing, or a chunk's data next */
	CHUNK_LAST,	/* the last chunk: the object is complete (the
			 * trailers follow) */
	CHUNK_END,	/* the empty line after the trailers: message done */
	CHUNK_BAD,	/* no chunk-size line: if probing the body was not
			 * chunked after all, else the object is cut */
};

/* Chunk framing bytes (size lines, trailers) of dir: returns how many were
 * used and, in *ev, what the caller must do before feeding the rest. */
size_t httpchunk_bytes(struct http_flow *f, enum stream_dir dir,
		       const uint8_t *p, size_t len, enum chunk_ev *ev);
/* The size on a chunk-size line p[0..n) as the most lenient clients read
 * it (strtoul's rules): whitespace, a '+' and "0x" before the hex digits,
 * anything after them. Returns 0, or -1 if there are no digits or too
 * many. */
int httpchunk_size(const uint8_t *p, size_t n, uint64_t *size);
/* Reads the pending chunk-size line in d->buf (the close came first):
 * CHUNK_LAST (state H_TRAILER), CHUNK_BAD or CHUNK_MORE (remain set). */
enum chunk_ev httpchunk_line(struct http_flow *f, enum stream_dir dir);

#endif
