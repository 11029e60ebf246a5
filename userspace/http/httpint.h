/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the HTTP parser's files: http.c (framing, stream
 * consumer) and httpobj.c (objects: decoding, sniffing, multipart parts).
 * Not an interface for other stages: use http.h. */
#ifndef EW_HTTPINT_H
#define EW_HTTPINT_H

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
	struct budget *alt;	/* bytes kept for second readings, all flows */
	struct budget own_alt;
};

/* What a response needs to know about its request. */
struct http_req {
	char *method, *host, *uri;
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
 * request rq (either may be partly empty), codings from the head. Returns
 * 0 or -errno (then nothing was begun). */
int httpobj_begin(struct http_ctx *ctx, struct http_obj *ob,
		  const struct flow_info *fi, enum obj_kind kind,
		  const struct http_head *h, const struct http_req *rq,
		  uint32_t seq, uint64_t ts);
/* Body bytes as transferred (de-chunked, not yet content-decoded). */
void httpobj_wire(struct http_obj *ob, const uint8_t *p, size_t len);
/* Ends an open object (no-op otherwise). complete: every byte was seen;
 * flags adds OBJ_TRUNCATED, OBJ_GAP ... */
void httpobj_end(struct http_obj *ob, int complete, unsigned flags, uint64_t ts);

/* Per-flow state of http.c, shared with httpchunk.c. */
#define HTTP_PENDING	32	/* requests awaiting their response */
#define LINE_MAX_LEN	1024	/* chunk-size and trailer lines */
#define RESYNC_LINE	8192
#define PRELUDE_MAX	1024	/* junk before a first status line */
#define HTTP_ALT_MAX	(1 << 20)	/* largest body kept for a second reading */
#define HTTP_ALT_TOTAL	(64 << 20)	/* all second readings held at once */

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

struct http_dir {
	enum hstate st;
	uint8_t *buf;		/* head, or the current line */
	size_t n, cap;
	unsigned eoh;		/* end-of-head matcher: 1 after LF, 2 after LF CR */
	struct http_head *head;	/* allocated with the first head */
	struct http_obj obj;
	uint64_t remain;
	int discard;		/* the object ended early: skip the body */
	int probing;		/* first chunk-size line: keep bytes in probe */
	uint8_t probe[LINE_MAX_LEN + 64];
	size_t nprobe;
	int messages;		/* heads parsed so far */
	uint32_t finals;	/* messages other than interim 1xx responses */
	int bodiless;		/* last response was read without a body */
	int skip_blank;		/* head ended at a blank-ish line: a real
				 * blank line right after it is still head */
	size_t line_start;	/* H_PRELUDE: where the current line starts */
	uint32_t seq;
	uint64_t ts;
	uint64_t body_len;	/* body bytes framed so far */
	int64_t alt_len;	/* a second reading's body length, -1: none */
	uint8_t *alt;		/* its first alt_len bytes */
	size_t nalt;
	unsigned anom;		/* transport anomalies for the next object */
	/* message positions (http_msg): pos is the stream offset after the
	 * last byte consumed; bytes read again (a fallback, a late body)
	 * move it back first */
	uint64_t pos;
	uint64_t head_start;	/* where the head being collected began */
	unsigned msg_flags;	/* HTTP_MSG_* of the current message */
};

struct http_flow {
	struct http_ctx *ctx;
	const struct flow_info *fi;
	struct http_dir d[2];
	struct http_req q[HTTP_PENDING];	/* ring of pending requests */
	unsigned qhead, qlen;
	struct http_req cur;			/* request of the current response */
};

/* http.c internals used by httpchunk.c */
void http_feed(struct http_flow *f, enum stream_dir dir, const uint8_t *p,
	       size_t len);
void http_msg_done(struct http_flow *f, enum stream_dir dir);
void http_obj_finish(struct http_flow *f, enum stream_dir dir, int complete,
		     unsigned flags);
int http_buf_add(struct http_dir *d, uint8_t c, size_t limit);

/* Body bytes of the current message of dir, to its object. */
void http_body(struct http_flow *f, enum stream_dir dir, const uint8_t *p,
	       size_t len);

/* httphead.c: head bytes of dir (H_HEAD), junk before a first response
 * (H_PRELUDE), lines skipped while lost (H_RESYNC); each consumes bytes
 * one at a time and returns how many it used. */
size_t httphead_bytes(struct http_flow *f, enum stream_dir dir,
		      const uint8_t *p, size_t len);
size_t httphead_prelude(struct http_flow *f, const uint8_t *p, size_t len);
size_t httphead_resync(struct http_flow *f, enum stream_dir dir,
		       const uint8_t *p, size_t len);
/* Makes the buffered bytes of a first response an HTTP/0.9 body. */
void httphead_http09(struct http_flow *f, struct http_dir *d);
void httphead_req_free(struct http_req *r);

/* httpmsg.c: the http_conf.msg callback. A head was parsed (and its
 * framing chosen): reports HTTP_MSG_HEAD, and DONE if it has no body. */
void http_msg_head(struct http_flow *f, enum stream_dir dir);
/* The current message of dir ended at the current position. */
void http_msg_report_done(struct http_flow *f, enum stream_dir dir);

/* httpchunk.c: chunk framing bytes (size lines, trailers) of direction dir,
 * consumed one at a time; returns how many were used. */
size_t httpchunk_bytes(struct http_flow *f, enum stream_dir dir,
		       const uint8_t *p, size_t len);
/* Parses the pending chunk-size line in the direction's buffer. */
void httpchunk_line(struct http_flow *f, enum stream_dir dir);
/* Re-reads the probed bytes of a body that was not chunked after all. */
void httpchunk_fallback(struct http_flow *f, enum stream_dir dir);

#endif
