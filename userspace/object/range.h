/* SPDX-License-Identifier: GPL-2.0 */
/* Range stitching: pieces of one resource (Range/206 bodies and
 * multipart/byteranges parts) collected across responses and connections
 * until they cover [0, total), so the whole object is hashed and matched
 * once. Fed by objsink; hands whole (or, at expiry, incomplete) resources
 * back to it. Memory and time are bounded and counted.
 *
 *   resource key = lower(host) \0 path (URI without query) \0 validator \0 total
 *   validator    = ETag if present, else Last-Modified, else ""
 *
 *   buffer [0 ............................................. total)
 *   covered   [=====)   [==========)        [====)     sorted, merged
 *
 * Overlapping bytes are first-wins: a later piece that disagrees with bytes
 * already covered sets the conflict flag and does not overwrite them. */
#ifndef EW_RANGE_H
#define EW_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct range_limits {
	uint64_t max_resource;	/* largest total stitched, bytes */
	uint64_t max_held;	/* buffers of all resources together, bytes */
	uint64_t max_idle_ns;	/* a resource idle this long is dropped */
	uint32_t max_resources; /* resources held at once */
	uint32_t max_intervals; /* disjoint covered intervals per resource */
};

/* 64 MiB, 256 MiB, 300 s, 4096, 1024 */
void range_limits_default(struct range_limits *lim);

struct range_stats {
	uint64_t pieces;    /* pieces accepted */
	uint64_t committed; /* pieces whose bytes counted towards coverage */
	uint64_t assembled; /* resources completed */
	uint64_t conflicts; /* resources with conflicting overlaps */
	uint64_t rejected;  /* pieces refused: bad range, too big, no room */
	uint64_t evicted;   /* resources dropped to make room */
	uint64_t expired;   /* resources dropped incomplete (idle or flush) */
	uint64_t held;	    /* bytes of buffers held now */
	uint64_t held_peak;
	uint32_t resources; /* resources held now */
};

/* What identifies a resource; strings are the caller's. */
struct range_key {
	const char *host;
	const char *uri;	   /* request-target; the query is ignored */
	const char *etag;	   /* "" if absent */
	const char *last_modified; /* "" if absent */
	uint64_t total;		   /* from Content-Range */
};

/* A resource handed back by range_piece_end (complete) or range_expire
 * (incomplete). Pointers are valid until range_release. */
struct range_whole {
	const uint8_t *data; /* total bytes; uncovered bytes are zero */
	uint64_t total;
	uint64_t covered; /* bytes covered by committed pieces */
	uint32_t pieces;  /* committed pieces */
	bool complete;
	bool conflict;
	const char *host, *uri, *validator;
	uint64_t first_ts_ns, last_ts_ns;
	void *res; /* private */
};

struct range_store;
struct range_piece;

/* Creates an empty store (copying lim; NULL means defaults). Returns NULL
 * with errno ENOMEM. The caller owns it and frees it with range_store_free,
 * which drops every resource (in-flight pieces must be ended first). */
struct range_store *range_store_new(const struct range_limits *lim);
void range_store_free(struct range_store *s);
const struct range_stats *range_stats(const struct range_store *s);

/* Starts a piece [first, last] of the resource k. Returns the piece (owned
 * by the store until range_piece_end), or NULL with errno EINVAL (last <
 * first, last >= total, total 0), EFBIG (total over max_resource),
 * ENOBUFS (no room even after evicting idle resources) or ENOMEM. */
struct range_piece *range_piece_begin(struct range_store *s, const struct range_key *k,
				      uint64_t first, uint64_t last, uint64_t ts_ns);

/* Appends the piece's next n bytes. Bytes past `last` are dropped and
 * counted in the piece (see range_piece_end). */
void range_piece_write(struct range_piece *p, const uint8_t *d, size_t n);

/* Ends a piece. If ok, the bytes written (from first on) count towards
 * coverage; otherwise they are discarded. Returns 1 and fills *w when the
 * resource is now covered: the caller hashes w->data and then calls
 * range_release. Returns 0 otherwise. *overrun is set to the bytes written
 * past `last` (may be NULL). The piece is freed. */
int range_piece_end(struct range_store *s, struct range_piece *p, bool ok, uint64_t ts_ns,
		    struct range_whole *w, uint64_t *overrun);

/* Drops a resource handed out in *w (complete or expired). */
void range_release(struct range_store *s, struct range_whole *w);

/* Hands every resource idle since before now_ns - max_idle_ns (all of them
 * for now_ns == UINT64_MAX) and without pieces in flight to fn, incomplete,
 * then drops it. fn must not call back into the store. Returns the count. */
unsigned range_expire(struct range_store *s, uint64_t now_ns,
		      void (*fn)(void *ctx, const struct range_whole *w), void *ctx);

#endif
