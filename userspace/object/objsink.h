/* SPDX-License-Identifier: GPL-2.0 */
/* objsink: the object consumer of one worker.
 *
 *   http --object_ops--> objsink --> hash (decoded body, wire body)
 *                                --> matcher (exact hash lists)
 *                                --> imgmatch (image bodies: PDQ, PDQ lists)
 *                                --> verdict (back to an inline source)
 *                                --> objrec --> assemble (ids, range
 *                                               stitching, event lines)
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
#include <string.h>

#include "hash.h"
#include "imgmatch.h"
#include "log/eventjson.h"
#include "object.h"
#include "objrec.h"
#include "range.h"
#include "util/budget.h"

#define OBJSINK_NAME_MAX 64 /* list name and category, with the NUL */

/* Copies a list or category name into a hit or verdict (cut to fit). */
static inline void objsink_copy_name(char dst[OBJSINK_NAME_MAX], const char *src)
{
	size_t n = 0;

	for (; n < OBJSINK_NAME_MAX - 1 && src[n]; n++)
		dst[n] = src[n];
	dst[n] = '\0';
}

/* One list entry hit, filled by the matcher. */
struct objsink_hit {
	char list[OBJSINK_NAME_MAX];
	char category[OBJSINK_NAME_MAX];
};

#define OBJSINK_HITS_MAX 16
#define OBJSINK_VERDICT_LISTS 8 /* distinct lists a verdict names */

/* Exact hash matching, decoupled from the list implementation. lookup
 * writes up to max hits for digest d of type t and returns their count. */
struct objsink_matcher {
	unsigned need; /* HASH_* types some list holds (atomic: a reload changes it) */
	int (*lookup)(void *ctx, enum hash_type t, const uint8_t *d, struct objsink_hit *hits,
		      int max);
	void *ctx;
};

/* What the events say about a flow; copied when an object begins. */
struct objsink_flow {
	uint64_t id;
	uint8_t client[16], server[16];
	uint16_t cport, sport, vlan;
	uint8_t flags;
};

/* The outcome of one object, handed to the source that produced it, so an
 * inline source can act before it releases the object. Strings and flow
 * are valid during the call only. */
struct obj_verdict {
	const struct objsink_flow *flow; /* NULL for a stitched object */
	const struct flow_info *live;	 /* the source's flow as it is now (where
					  * TCP stands), NULL if not known */
	enum obj_kind kind;
	uint32_t seq;		/* message number in the flow */
	const char *host, *uri;
	bool hashed;		/* complete digests were computed */
	unsigned hits;		/* list entries matched, exact and PDQ */
	/* the first hit, when hits > 0 */
	char list[OBJSINK_NAME_MAX], category[OBJSINK_NAME_MAX];
	const char *hash_type;	/* "md5", "sha1", "sha256" or "pdq" */
	uint8_t hash[32];
	size_t hash_len;
	int distance;		/* PDQ Hamming distance, -1 for exact hits */
	int quality;		/* the object's PDQ quality for a PDQ hit, else -1 */
	/* every list that hit, once each (the first OBJSINK_VERDICT_LISTS):
	 * a policy decides on all of them, not the first alone */
	unsigned nlists;
	char lists[OBJSINK_VERDICT_LISTS][OBJSINK_NAME_MAX];
	bool list_pdq[OBJSINK_VERDICT_LISTS]; /* that list's hit was PDQ */
	/* what the block event and the metrics say about the object */
	const char *sniffed;	/* type from magic bytes, "" if unknown */
	const char *content_type; /* declared, "" if none */
	uint64_t size;		/* decoded bytes */
	uint64_t ts_end_ns;	/* time of its last byte (packet clock) */
	uint64_t inspect_ns;	/* hashing, PDQ and matching once it ended */
	char evidence[64];	/* the sealed copy's name, "" if none (objsink_evidence) */
};

/* Notes one hit in v: every list once in v->lists, the first hit whole
 * (list, category, hash type, digest d of n bytes, PDQ distance or -1). */
static inline void objsink_verdict_hit(struct obj_verdict *v, const char *list, const char *cat,
				       const char *type, const uint8_t *d, size_t n, int distance)
{
	unsigned i;

	for (i = 0; i < v->nlists && strcmp(v->lists[i], list); i++)
		;
	if (i == v->nlists && i < OBJSINK_VERDICT_LISTS) {
		objsink_copy_name(v->lists[v->nlists], list);
		v->list_pdq[v->nlists++] = distance >= 0;
	}
	if (v->hits++)
		return;
	objsink_copy_name(v->list, list);
	objsink_copy_name(v->category, cat);
	v->hash_type = type;
	memcpy(v->hash, d, n);
	v->hash_len = n;
	v->distance = distance;
}

/* Evidence preservation (off unless given): while an object is open its
 * decoded body is kept, up to cap bytes and within the shared budget held;
 * once it matched, keep() gets the body (NULL and 0 when it was over the
 * cap or the budget: not kept) and may name its sealed copy in
 * v->evidence, which the verdict's events cite. Bodies of objects that do
 * not match are dropped at their end. keep() runs in the worker thread
 * (confined: no files) and must not block. */
struct objsink_evidence {
	uint64_t cap;
	struct budget *held;
	void (*keep)(void *ctx, struct obj_verdict *v, const uint8_t *body, size_t len);
	void *ctx;
};

struct objsink_conf {
	unsigned log_mask;		       /* HASH_* types written to events */
	const struct objsink_matcher *matcher; /* NULL: no lists; shared, read-only */
	const struct range_limits *range;      /* NULL: defaults */
	struct imgmatch *img;		       /* image stage, not owned; NULL: none */
	/* Where records go, in the order they are made; the callee owns each
	 * record. NULL: the sink keeps an assembler of its own that writes to
	 * out (one thread, as in the unit tests). */
	void (*emit)(void *ctx, struct objrec *r);
	void *emit_ctx;
	struct ej_writer *out; /* events, without emit; not owned */
	/* Optional: called for every object that ends, once matched. */
	void (*verdict)(void *ctx, const struct obj_verdict *v);
	void *verdict_ctx;
	const struct objsink_evidence *evidence; /* NULL: off */
};

/* Counters. With an assembler of its own (no emit), objsink_stats folds
 * the assembler's in: objects, hashed, assembled, incomplete, matches,
 * matched and write_errors then count stitched objects too. */
struct objsink_stats {
	uint64_t objects;    /* object events (pieces included) */
	uint64_t hashed;     /* objects with complete hashes */
	uint64_t unhashed;   /* objects without hashes (gap, bomb) */
	uint64_t pieces;     /* range pieces */
	uint64_t assembled;  /* whole objects stitched from pieces */
	uint64_t incomplete; /* range resources never covered */
	uint64_t matches;    /* match events (PDQ included) */
	uint64_t matched;    /* objects with at least one match (PDQ included) */
	uint64_t bytes;	     /* decoded body bytes */
	uint64_t wire_bytes;
	uint64_t write_errors; /* event lines that could not be made or written */
};

struct objsink;

/* Creates a sink (conf copied; its pointers must outlive the sink). Returns
 * NULL with errno set. Free with objsink_free. */
struct objsink *objsink_new(const struct objsink_conf *conf);
void objsink_free(struct objsink *s);

/* The object_ops to give producers, with the sink as their ctx. */
const struct object_ops *objsink_object_ops(void);

/* Names the input (capture file, interface) written into the following
 * events. Not copied: it must outlive the sink and its records. */
void objsink_set_source(struct objsink *s, const char *source);

/* End of input (own assembler only): range resources still incomplete are
 * written as incomplete assembled objects and dropped. */
void objsink_flush(struct objsink *s);

/* The counters (see struct objsink_stats), valid until the next call. */
const struct objsink_stats *objsink_stats(struct objsink *s);
/* The own assembler's range counters; NULL with emit. */
const struct range_stats *objsink_range_stats(const struct objsink *s);

/* Names of OBJ_* flag bits and ANOM_* bits for the event log ("complete",
 * "dup_cl" ...); NULL for an unknown bit. */
const char *objsink_flag_name(unsigned bit);
const char *objsink_anom_name(unsigned bit);

#endif
