/* SPDX-License-Identifier: GPL-2.0 */
/* The contract between object producers (HTTP parser now; ICAP later) and
 * object consumers (hashers, range stitcher, matchers, the event log).
 * An object is one body: a response body, a request body, one part of a
 * multipart upload, or one part of a multipart/byteranges response. */
#ifndef EW_OBJECT_H
#define EW_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "stream/stream.h"

/* obj_end.flags */
#define OBJ_COMPLETE	0x0001	/* every byte seen and decoded */
#define OBJ_PARTIAL	0x0002	/* a piece: Range/206, or flow picked up mid-stream */
#define OBJ_TRUNCATED	0x0004	/* gap, early close, or a size limit cut it */
#define OBJ_DECODE_ERR	0x0008	/* a content/transfer decoder failed */
#define OBJ_ANOMALY	0x0010	/* protocol ambiguity seen (see obj_end.anomalies) */
#define OBJ_GAP		0x0020	/* bytes lost inside the body */
#define OBJ_BOMB	0x0040	/* decompression limit hit (ratio or size) */
#define OBJ_DROPPED	0x0080	/* an alternate reading that came out the
				 * same as its message's primary reading:
				 * consumers drop it (no event, no match) */

/* obj_meta.kind */
enum obj_kind {
	OBJ_RESPONSE_BODY,
	OBJ_REQUEST_BODY,	/* POST/PUT body */
	OBJ_FORM_PART,		/* one part of multipart/form-data (filename set) */
	OBJ_BYTERANGE_PART,	/* one part of multipart/byteranges */
};

/* HTTP anomalies (obj_end.anomalies, a bit set; also usable per message) */
#define ANOM_DUP_CL		0x0001	/* duplicate, equal Content-Length */
#define ANOM_CONFLICT_CL	0x0002	/* conflicting Content-Length */
#define ANOM_CL_AND_TE		0x0004	/* Content-Length with Transfer-Encoding */
#define ANOM_OBS_FOLD		0x0008	/* obs-fold header continuation */
#define ANOM_BARE_LF		0x0010	/* line ended by LF alone */
#define ANOM_HDR_TOO_BIG	0x0020	/* header block over the limit */
#define ANOM_BAD_CHUNK		0x0040	/* malformed chunk size line */
#define ANOM_BAD_TE		0x0080	/* unknown or malformed Transfer-Encoding */
#define ANOM_BAD_CE		0x0100	/* unknown Content-Encoding */
#define ANOM_OVERLAP		0x0200	/* TCP overlap with conflicting bytes */
#define ANOM_BAD_RANGE		0x0400	/* malformed Content-Range */

/* Everything known when the body starts. Strings are NUL-terminated, owned
 * by the producer, valid only during the begin call (copy what you keep). */
struct obj_meta {
	const struct flow_info *flow;	/* the source's flow: unlike the strings,
					 * valid until the flow closes, which is
					 * after the object ends */
	enum obj_kind kind;
	uint64_t ts_ns;			/* wall clock of the first body byte */
	uint32_t seq;			/* message number in the flow, from 0 */
	const char *method;		/* request method, "" if unknown */
	const char *host;		/* Host header (or absolute-URI authority) */
	const char *uri;		/* request-target as sent */
	int status;			/* response status, 0 for request bodies */
	const char *content_type;	/* declared, "" if absent */
	const char *content_encoding;	/* as sent, "" if absent */
	const char *transfer_encoding;	/* as sent, "" if absent */
	const char *filename;		/* multipart filename, "" if none */
	const char *etag;		/* validators, "" if absent */
	const char *last_modified;
	int64_t declared_len;		/* Content-Length, -1 if none */
	/* Content-Range of a 206 or byteranges part; range_total -1 if "*",
	 * range_first -1 if this is not a piece. */
	int64_t range_first, range_last, range_total;
	/* Where the message lies in its direction's byte stream, counted from
	 * the first byte the source handed over (gaps not counted): its start
	 * line, and the first byte after its head. */
	uint64_t head_off, body_off;
	/* Where clients frame a message's body differently, it is read each
	 * way, each reading an object (docs/http.md, "Readings"): reading
	 * names this one's ("chunked", "length", "close", ...), alternate is
	 * 0 for the reading the parser follows, 1 for the others. NULL and 0
	 * for a message read one way only. */
	const char *reading;
	int alternate;
};

/* What is known when the body ends. */
struct obj_end {
	unsigned flags;			/* OBJ_* */
	unsigned anomalies;		/* ANOM_* */
	uint64_t wire_len;		/* body bytes on the wire (after de-chunking) */
	uint64_t decoded_len;		/* bytes passed to data() */
	uint64_t ts_ns;			/* wall clock of the last byte */
	const char *sniffed;		/* type from magic bytes: "jpeg", "png", ... or "" */
	const char *error;		/* decoder/limit message, "" if none */
	uint64_t end_off;		/* stream offset (as obj_meta.head_off)
					 * after the last byte read when the
					 * object ended: its body, or a chunked
					 * body's last-chunk line; a part: the
					 * end of the bytes that ended it */
};

/* A consumer of objects. begin returns the consumer's per-object state (NULL:
 * not interested). wire gets the body as transferred (after de-chunking,
 * before content decoding) and data the decoded body a browser would see;
 * pointers are valid only during the call. end is the last call. */
struct object_ops {
	void *(*begin)(void *ctx, const struct obj_meta *m);
	void (*wire)(void *obj, const uint8_t *p, size_t len);
	void (*data)(void *obj, const uint8_t *p, size_t len);
	void (*end)(void *obj, const struct obj_end *e);
};

#endif
