/* SPDX-License-Identifier: GPL-2.0 */
/* imgmatch: the image stage of the object sink. Buffers the decoded body of
 * each object (capped), and when the object turns out to be an image by its
 * sniffed type (jpeg, png, gif, webp, bmp) and is complete, has imgsandbox
 * decode and PDQ-hash it in the worker, then queries the PDQ lists.
 *
 *   objsink --body bytes--> imgmatch_buf --end--> imgsandbox (worker: decode,
 *           <--hash, quality, hits-- pdqdb_query <-- PDQ)
 *
 * The agent process never decodes an image itself. See docs/pcap.md. */
#ifndef EW_IMGMATCH_H
#define EW_IMGMATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/imgsandbox.h"
#include "lists/pdqlist.h"
#include "log/eventjson.h"
#include "util/budget.h"

#define IMGMATCH_DEF_OBJ_CAP	 (32u << 20)	/* body bytes buffered per object */
#define IMGMATCH_DEF_TOTAL_CAP	 (256u << 20)	/* all objects' buffers together */
#define IMGMATCH_DEF_MIN_QUALITY 50		/* the reference discards <= 49 */
#define IMGMATCH_HITS_MAX	 64		/* hits kept per object */

/* Zero caps take the defaults; min_quality is used as given (0: match
 * every hash). */
struct imgmatch_conf {
	bool log;			/* hash images even with no PDQ list */
	int min_quality;		/* hashes below this are not matched */
	size_t obj_cap, total_cap;	/* buffer caps, bytes */
	/* total_cap shared by the stages of several workers (util/budget.h);
	 * NULL: this stage's own. Not owned. */
	struct budget *total;
	struct pdqdb *db;		/* PDQ lists, not owned; NULL: none */
	const struct imgsandbox_conf *sandbox;	/* NULL: defaults */
};

struct imgmatch_stats {
	uint64_t images;	/* objects sniffed as images */
	uint64_t hashed;	/* of those, PDQ-hashed */
	uint64_t undecodable;	/* the worker could not decode them */
	uint64_t over_cap;	/* not buffered whole (per-object or global cap) */
	uint64_t incomplete;	/* gap, truncated, partial, bomb: not hashed */
	uint64_t low_quality;	/* hashed, quality under the minimum: not matched */
	uint64_t matches;	/* PDQ hits */
	uint64_t matched;	/* objects with at least one PDQ hit */
	uint64_t hits_dropped;	/* hits past IMGMATCH_HITS_MAX (not written) */
	uint64_t buffered_peak;	/* most body bytes held at once */
};

/* One object's body buffer, embedded in the caller's object state and
 * zero-initialised by it. */
struct imgmatch_buf {
	uint8_t *p;
	size_t len, cap;
	int state;	/* IMB_* in imgmatch.c */
};

/* What the stage found for one object. hits points into the imgmatch and
 * is valid until the next imgmatch_object call. */
struct imgmatch_result {
	bool image;		/* an image by sniffed type: "pdq" members apply */
	bool hashed;		/* hash and quality are valid */
	bool gated;		/* hashed, but quality < min_quality: not matched */
	struct pdq_hash hash;
	int quality;
	char error[224];	/* why not hashed ("" when hashed) */
	const struct pdqdb_hit *hits;
	size_t nhits;
};

struct imgmatch;

/* Returns a stage (caller owns it: imgmatch_free) or NULL with errno. A
 * stage with neither conf->log nor a list is inactive: it buffers nothing
 * and imgmatch_object reports non-images only. The sandbox worker is made
 * for the first image. */
struct imgmatch *imgmatch_new(const struct imgmatch_conf *conf);
void imgmatch_free(struct imgmatch *im);

/* True when images are hashed (--pdq or a PDQ list loaded now: lists can
 * be swapped in while running). Looks at the lists: call it once per
 * object, not per byte; the buffering functions use the last answer. */
bool imgmatch_active(struct imgmatch *im);

/* Appends decoded body bytes. Stops buffering (and frees) as soon as the
 * first SNIFF_LEN bytes show a non-image, or a cap is reached. */
void imgmatch_buf_add(struct imgmatch *im, struct imgmatch_buf *b, const uint8_t *p,
		      size_t len);

/* Releases b (a zeroed or released buffer is a no-op). */
void imgmatch_buf_free(struct imgmatch *im, struct imgmatch_buf *b);

/* Decides, hashes and matches one finished object: sniffed is its type
 * from magic bytes; skip, when not NULL, says why a complete hash is
 * impossible ("gap", "truncated" ...); data/len is the whole body (b's
 * bytes, or a stitched object's) and over_cap says it was not buffered
 * whole. Fills r. */
void imgmatch_object(struct imgmatch *im, const char *sniffed, const char *skip,
		     const struct imgmatch_buf *b, struct imgmatch_result *r);

/* The same for a body held whole elsewhere (a stitched range object). */
void imgmatch_whole(struct imgmatch *im, const uint8_t *data, size_t len, const char *skip,
		    struct imgmatch_result *r);

/* Writes the object-event members "pdq", "pdq_quality", "pdq_error". */
void imgmatch_put_fields(struct ej_writer *w, const struct imgmatch_result *r);

/* Writes the match-event members of hit i (list, category, hash_type,
 * hash, label, distance, threshold, quality). */
void imgmatch_put_hit(struct ej_writer *w, const struct imgmatch_result *r, size_t i);

const struct imgmatch_stats *imgmatch_stats(const struct imgmatch *im);

/* The sandbox's counters (zeroes when no worker was ever needed). */
void imgmatch_sandbox_stats(const struct imgmatch *im, struct imgsandbox_stats *st);

#endif
