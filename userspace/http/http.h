/* SPDX-License-Identifier: GPL-2.0 */
/* HTTP/1.x object parser: consumes a flow's byte streams (struct stream_ops,
 * C2S requests, S2C responses) and emits every message body as an object
 * (struct object_ops), de-chunked and content-decoded the way a browser would.
 *
 *   reassembler --stream_ops--> http --object_ops--> hashers, stitcher, log
 */
#ifndef EW_HTTP_H
#define EW_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "object/object.h"
#include "stream/stream.h"

/* http_conf.emit: which objects reach the consumer */
#define HTTP_EMIT_RESPONSES	0x01	/* response bodies (and byteranges parts) */
#define HTTP_EMIT_REQUESTS	0x02	/* request bodies (and form-data parts) */
#define HTTP_EMIT_ALL		(HTTP_EMIT_RESPONSES | HTTP_EMIT_REQUESTS)

struct budget;
struct http_msg;

struct http_conf {
	size_t max_header;	/* bytes per header block (start line + fields);
				 * over it: ANOM_HDR_TOO_BIG and the direction is
				 * abandoned. Default 65536. */
	uint64_t max_decoded;	/* decoded bytes per object before OBJ_BOMB.
				 * Default 1 GiB. 0 = unlimited. */
	uint32_t max_ratio;	/* decoded/wire ratio before OBJ_BOMB, checked
				 * once decoded exceeds 1 MiB. Default 1000.
				 * 0 = unlimited. */
	unsigned max_layers;	/* stacked content codings decoded; more is a
				 * decode error. Default 8. */
	unsigned emit;		/* HTTP_EMIT_*. Default HTTP_EMIT_ALL. */
	/* Bytes kept for second readings of ambiguous framing, shared by
	 * the contexts of several workers (util/budget.h). NULL: this
	 * context's own (HTTP_ALT_TOTAL, 64 MiB). Not owned. */
	struct budget *alt_budget;
	/* Optional (NULL: none): called for every message head parsed and
	 * every message that ends where its framing said (struct http_msg),
	 * in stream order, interleaved with the object calls: a message's
	 * objects end before its HTTP_MSG_DONE. For sources that act on
	 * message boundaries (the transparent proxy). */
	void (*msg)(void *ctx, const struct http_msg *m);
	void *msg_ctx;
};

/* http_msg.ev */
enum http_msg_event {
	HTTP_MSG_HEAD,	/* a head was parsed (interim 1xx included) */
	HTTP_MSG_DONE,	/* the message ended: its body was delimited (length,
			 * last chunk and trailers, orderly close), or it has
			 * none (then DONE follows HEAD at once). Messages cut
			 * short (gap, reset, truncation) get no DONE. Bytes
			 * after a bodiless response that are no status line
			 * are read as its late body (docs/http.md): a second
			 * DONE ends it. */
};

/* http_msg.flags, as known when the head is parsed (DONE repeats them) */
#define HTTP_MSG_BODILESS 0x01	/* no body: request without one, 1xx, HEAD
				 * response, 204, 304, tunnel start */
#define HTTP_MSG_INTERIM  0x02	/* a 1xx response; the final one follows */
#define HTTP_MSG_CLOSE	  0x04	/* the body ends with the connection */
#define HTTP_MSG_TUNNEL	  0x08	/* the flow leaves HTTP after this head
				 * (CONNECT, 101): no more messages */

/* One message event. Offsets count the bytes of the direction's stream
 * from 0 (the first byte handed to stream_ops data; gaps are not
 * counted). Strings are valid during the call only. */
struct http_msg {
	const struct flow_info *flow;
	enum stream_dir dir;
	enum http_msg_event ev;
	unsigned flags;		/* HTTP_MSG_* */
	uint64_t head_off;	/* the first byte of the start line */
	uint64_t body_off;	/* the first byte after the head */
	uint64_t end_off;	/* DONE: the first byte after the message */
	/* the request (of a response: the request it answers; "" when
	 * unknown): method, Host or absolute-URI authority, target as sent */
	const char *method, *host, *uri;
	const char *accept_language; /* requests: the Accept-Language field
				      * ("": none); responses: "" */
	int status;		/* responses; 0 for requests */
};

/* Counters of one context, summed over all its flows. */
struct http_stats {
	uint64_t flows;		/* flows opened */
	uint64_t requests;	/* request heads parsed */
	uint64_t responses;	/* response heads parsed (interim 1xx included) */
	uint64_t objects;	/* objects begun */
	uint64_t anomalies;	/* messages with at least one ANOM_* */
	uint64_t bombs;		/* objects stopped by a decompression limit */
	uint64_t gave_up;	/* directions abandoned (gap in a header, garbage,
				 * oversized header) */
	uint64_t upgrades;	/* flows that left HTTP (CONNECT 2xx, 101) */
	uint64_t alternates;	/* second readings of ambiguous framing emitted */
	uint64_t alt_refused;	/* second readings not kept: memory cap */
};

struct http_ctx;

/* Fills *c with the defaults documented in struct http_conf. */
void http_conf_default(struct http_conf *c);

/* Creates a parser context. conf may be NULL (defaults); it is copied.
 * Objects go to ops with ops_ctx as the begin() ctx argument. ops must stay
 * valid for the context's lifetime. Returns NULL and sets errno on failure.
 * The caller owns the context and frees it with http_ctx_free after every
 * flow opened through it has been closed. */
struct http_ctx *http_ctx_new(const struct http_conf *conf,
			      const struct object_ops *ops, void *ops_ctx);
void http_ctx_free(struct http_ctx *ctx);

/* Copies the counters of ctx into *st. */
void http_ctx_stats(const struct http_ctx *ctx, struct http_stats *st);

/* The stream consumer. Pass the struct http_ctx * as the ctx argument of
 * flow_open. Flows that are not TCP are refused (flow_open returns NULL).
 * Objects still open at flow_close end with OBJ_TRUNCATED unless their body
 * was close-delimited and the close was orderly (FIN/EOF). */
const struct stream_ops *http_stream_ops(void);

/* Where the parser of a flow stands in direction dir, for sources that
 * hold a direction's bytes until a head is parsed. */
enum http_where {
	HTTP_AT_HEAD,	/* between messages, or inside a head not complete */
	HTTP_IN_BODY,	/* inside a body */
	HTTP_LOST,	/* resynchronising, given up (not HTTP, oversized
			 * head) or past a tunnel: no message positions until
			 * the next HTTP_MSG_HEAD, if one comes */
};

/* flow: what http_stream_ops()->flow_open returned. */
enum http_where http_flow_where(const void *flow, enum stream_dir dir);

#endif
