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
#include "sniff.h"

struct http_ctx {
	struct http_conf conf;
	const struct object_ops *ops;
	void *ops_ctx;
	struct http_stats st;
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

#endif
