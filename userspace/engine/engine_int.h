/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of the engine shared by its files: engine.c (stages, records,
 * stats), merge.c (putting records in order and writing them), files.c
 * (capture files, every worker reading every file) and live.c (frames from
 * the mirror dispatched to workers, inspectors of byte-stream sources).
 * Not an interface: other code uses engine.h. */
#ifndef EW_ENGINE_INT_H
#define EW_ENGINE_INT_H

#include <pthread.h>

#include "capture/pcapfile.h"
#include "engine.h"
#include "object/assemble.h"
#include "object/flowsum.h"
#include "stream/tee.h"

#define ITEM_DONE UINT64_MAX /* a worker's progress once it has finished */

/* Records of one producer (worker or inspector) for the merger, under
 * engine.lock. */
struct outq {
	struct objrec *head, **tail;
};

struct pktq; /* live.c: frames waiting for a worker */

struct worker {
	struct engine *e;
	unsigned idx;
	pthread_t th;
	struct reasm *reasm;
	struct http_ctx *http;	/* ENGINE_OBJECTS */
	struct objsink *sink;	/* ENGINE_OBJECTS */
	struct imgmatch *img;	/* ENGINE_OBJECTS */
	struct flowsum *fs;	/* ENGINE_FLOWS */
	struct flowclass *fc;	/* conf.classify: nDPI beside http, through tee */
	struct stream_tee tee;
	uint64_t item;		/* input position being handled */
	uint64_t seq;		/* records made */
	uint64_t done;		/* items below this are finished (atomic) */
	struct outq q;
	struct pktq *in;	/* live only */
};

/* A source file mapped once for all workers (pcapfile_map): each worker
 * reads it with a reader of its own; the last one done unmaps it. */
struct srcmap {
	struct pcapfile_map m;
	int rc;		/* of pcapfile_map, once tried */
	bool tried;
	unsigned done;	/* workers finished with the source */
	size_t off[ENGINE_WORKERS_MAX]; /* bytes each worker has read (atomic) */
	size_t dropped; /* pages before this given back (under map_lock) */
};

/* The records waiting for their turn: a binary min-heap by objrec_cmp. */
struct heap {
	struct objrec **v;
	size_t n, cap;
};

struct engine {
	struct engine_conf conf;
	struct objsink_matcher matcher; /* over conf.hashdb */
	unsigned n;
	struct worker w[ENGINE_WORKERS_MAX];
	struct assemble *as;
	struct imgmatch *as_img; /* PDQ of stitched images */
	struct budget flows, bytes, alt, img_held;
	pthread_mutex_t lock;	/* the queues below, and queues[] */
	struct outq **queues;	/* workers' and inspectors', and orphans */
	struct outq orphans;	/* of inspectors that went away */
	size_t nqueues, capqueues;
	struct heap heap;	/* files: records waiting for the slowest worker */
	/* capture files */
	struct engine_source *src;
	int nsrc;
	uint64_t *src_end; /* flush item of each source, set by worker 0 */
	struct srcmap *maps; /* one per source, under map_lock */
	pthread_mutex_t map_lock;
	/* live */
	struct live *live;
	struct engine_inspector *insp;	/* byte-stream inspectors, under lock */
	struct engine_stats retired;	/* counters of inspectors freed: obj, img, sandbox */
};

/* stages.c */

/* Fills e->matcher over e->conf.hashdb. */
void engine_matcher_init(struct engine *e);

/* Builds worker i's stages (its queue registered), and frees them (flows
 * still open are ended first, so their records reach its queue). */
int engine_worker_new(struct engine *e, unsigned i);
void engine_worker_free(struct worker *w);

/* Builds the assembler (and its image stage) writing to conf.out. */
int engine_assembler_new(struct engine *e);

/* The image stage and objsink of a byte-stream inspector: records to
 * emit(ctx), verdicts to verdict(vctx). Returns 0 or -ENOMEM (the caller
 * frees what was made). */
int engine_objects_new(struct engine *e, struct imgmatch **img, struct objsink **sink,
		       void (*emit)(void *, struct objrec *), void *ctx,
		       void (*verdict)(void *, const struct obj_verdict *), void *vctx);

/* Adds the u64 counters v[0..bytes) to sum. */
void engine_sum(void *sum, const void *v, size_t bytes);

/* Adds the object, image and sandbox counters of one objsink and image
 * stage to st. */
void engine_sum_objects(struct engine_stats *st, struct objsink *sink, const struct imgmatch *im);

/* The worker a packet with canonical key k belongs to. */
unsigned engine_owner(const struct engine *e, const struct ew_flow_key *k);

/* Queues record r of producer q for the merger (item and seq set). */
void engine_queue(struct engine *e, struct outq *q, struct objrec *r);

/* Registers q with the merger; returns 0 or -ENOMEM. */
int engine_add_queue(struct engine *e, struct outq *q);
void engine_remove_queue(struct engine *e, struct outq *q);

/* Sets w->done (release: the records below it are queued). */
static inline void engine_publish(struct worker *w, uint64_t done)
{
	__atomic_store_n(&w->done, done, __ATOMIC_RELEASE);
}

/* live.c */

/* Stops the live threads if they run (files: nothing to do). */
void engine_live_stop(struct engine *e);
/* Adds the live counters (dispatch drops, inspectors) to *st. */
void engine_live_stats(struct engine *e, struct engine_stats *st);

/* merge.c */

/* Takes every queued record in arrival order (caller holds e->lock). */
struct objrec *merge_take(struct engine *e);

/* Files: writes the records in input order as the workers progress,
 * with the per-source callbacks in place, until every worker is done. */
void merge_ordered(struct engine *e);

/* Writes records in arrival order until *stop is set and all is drained. */
void merge_live(struct engine *e, const int *stop);

void merge_free(struct engine *e);

#endif
