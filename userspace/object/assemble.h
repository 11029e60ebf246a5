/* SPDX-License-Identifier: GPL-2.0 */
/* assemble: the single owner at the end of the object stage. Takes the
 * records of every worker's objsink in output order, numbers the events
 * and writes them, and stitches range pieces across connections into
 * whole objects, which it hashes, PDQ-hashes and matches itself:
 *
 *   objsink (worker 1..N) --objrec, ordered--> assemble --> eventjson
 *                                                 `--> range (pieces -> whole)
 *
 * One thread calls it. Stitching here, rather than in whichever worker a
 * piece's connection landed on, keeps every piece of a resource with one
 * owner and first-wins overlaps in the same order for any worker count. */
#ifndef EW_ASSEMBLE_H
#define EW_ASSEMBLE_H

#include <stdint.h>

#include "log/eventjson.h"
#include "objrec.h"
#include "objsink.h"
#include "range.h"

struct assemble_conf {
	unsigned log_mask;		       /* HASH_* written to events */
	struct ej_writer *out;		       /* events; not owned */
	const struct objsink_matcher *matcher; /* NULL: no lists */
	const struct range_limits *range;      /* NULL: defaults */
	struct imgmatch *img;		       /* PDQ of stitched images; NULL: none */
	/* Called for every stitched object once matched (see objsink.h). */
	void (*verdict)(void *ctx, const struct obj_verdict *v);
	void *verdict_ctx;
	const struct objsink_evidence *evidence; /* matched stitched objects; NULL: off */
};

struct assemble_stats {
	uint64_t events;     /* object events written */
	uint64_t assembled;  /* whole objects stitched from pieces */
	uint64_t incomplete; /* range resources never covered */
	uint64_t matches;    /* match events for stitched objects */
	uint64_t matched;    /* stitched objects with a match */
	uint64_t write_errors;
};

struct assemble;

/* Returns an assembler (caller frees with assemble_free) or NULL with
 * errno set. conf is copied; its pointers must outlive the assembler. */
struct assemble *assemble_new(const struct assemble_conf *conf);
void assemble_free(struct assemble *a);

/* Writes the events of r (the next in output order), stitching its piece;
 * takes r and frees it. */
void assemble_put(struct assemble *a, struct objrec *r);

/* End of input: resources still incomplete are written as incomplete
 * assembled objects and dropped. */
void assemble_flush(struct assemble *a);

const struct assemble_stats *assemble_stats(const struct assemble *a);
const struct range_stats *assemble_range_stats(const struct assemble *a);

#endif
