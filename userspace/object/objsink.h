/* SPDX-License-Identifier: GPL-2.0 */
/* objsink: the object consumer at the end of the inspection pipeline.
 *
 *   http --object_ops--> objsink --> hash (decoded body, wire body)
 *                                --> range (pieces -> whole objects)
 *                                --> matcher (exact hash lists)
 *                                --> imgmatch (image bodies: PDQ, PDQ lists)
 *                                --> eventjson (one line per object/match)
 *
 * Gap policy: an object with OBJ_GAP (or OBJ_BOMB) never gets a hash in
 * its event (the fields are null) and is never matched; neither is a range
 * resource whose pieces do not cover it. An object cut short without a gap
 * (OBJ_TRUNCATED alone: early close) is hashed and matched as received,
 * and keeps its truncated flag. PDQ is stricter: only complete objects
 * and complete stitched objects are PDQ-hashed. See docs/pcap.md. */
#ifndef EW_OBJSINK_H
#define EW_OBJSINK_H

#include <stdbool.h>
#include <stdint.h>

#include "log/eventjson.h"
#include "hash.h"
#include "imgmatch.h"
#include "object.h"
#include "range.h"

/* One list entry hit, filled by the matcher; strings owned by the matcher. */
struct objsink_hit {
	const char *list;
	const char *category;
};

#define OBJSINK_HITS_MAX 16

/* Exact hash matching, decoupled from the list implementation. lookup
 * writes up to max hits for digest d of type t and returns their count. */
struct objsink_matcher {
	unsigned need; /* HASH_* types some list holds */
	int (*lookup)(void *ctx, enum hash_type t, const uint8_t *d, struct objsink_hit *hits,
		      int max);
	void *ctx;
};

struct objsink_conf {
	unsigned log_mask;		       /* HASH_* types written to events */
	struct ej_writer *out;		       /* events; not owned */
	const struct objsink_matcher *matcher; /* NULL: no lists */
	const struct range_limits *range;      /* NULL: defaults */
	struct imgmatch *img;		       /* image stage, not owned; NULL: none */
};

struct objsink_stats {
	uint64_t objects;    /* object events written (pieces included) */
	uint64_t hashed;     /* objects with complete hashes */
	uint64_t unhashed;   /* objects without hashes (gap, bomb) */
	uint64_t pieces;     /* range pieces */
	uint64_t assembled;  /* whole objects stitched from pieces */
	uint64_t incomplete; /* range resources never covered */
	uint64_t matches;    /* match events (PDQ included) */
	uint64_t matched;    /* objects with at least one match (PDQ included) */
	uint64_t bytes;	     /* decoded body bytes */
	uint64_t wire_bytes;
	uint64_t write_errors; /* event lines that could not be written */
};

struct objsink;

/* Creates a sink (conf copied; its pointers must outlive the sink). Returns
 * NULL with errno set. Free with objsink_free. */
struct objsink *objsink_new(const struct objsink_conf *conf);
void objsink_free(struct objsink *s);

/* The object_ops to give producers, with the sink as their ctx. */
const struct object_ops *objsink_object_ops(void);

/* Names the input (capture file) written into the following events; the
 * string is copied. */
int objsink_set_source(struct objsink *s, const char *source);

/* End of input: range resources still incomplete are written as
 * incomplete assembled objects and dropped. */
void objsink_flush(struct objsink *s);

const struct objsink_stats *objsink_stats(const struct objsink *s);
const struct range_stats *objsink_range_stats(const struct objsink *s);

/* Names of OBJ_* flag bits and ANOM_* bits for the event log ("complete",
 * "dup_cl" ...); NULL for an unknown bit. */
const char *objsink_flag_name(unsigned bit);
const char *objsink_anom_name(unsigned bit);

#endif
