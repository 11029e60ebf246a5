/* SPDX-License-Identifier: GPL-2.0 */
/* engine: the inspection pipeline as one object, built from a config and
 * fed by a source, sharded by flow over one worker per core.
 *
 *   source (capture files) ─▶ worker 1..N: ingest ─▶ reasm ─▶ http ─▶ objsink
 *                                            (each its own flows)    │ objrec
 *                                              │ packet hook, tee    │
 *                                              └──▶ flowclass (nDPI) ┤ objrec
 *                                                                    ▼
 *                        merger (the calling thread): order ─▶ assemble ─▶ events
 *
 * Capture files: every worker reads every file (decoding a frame is cheap
 * next to hashing it), out of one read-only mapping of the file that they
 * all share (frames point into it: no copy, and the page tables are built
 * once), and keeps the packets whose canonical 5-tuple hashes to it, so
 * both directions of a flow meet in one worker with no queue between
 * threads; IP fragments are reassembled before that choice. Each
 * worker owns its flow table, reassembler, HTTP state, hashers and image
 * stage; the lists and the PDQ index are shared read-only; memory caps are
 * shared budgets (util/budget.h).
 *
 * Determinism: records carry their input position (the number of the
 * packet being handled when the object ended), their flow id (the number
 * of the packet that opened the flow) and a per-worker count; the merger
 * releases them in that order once every worker is past it. The events
 * are then the same, byte for byte, for any number of workers, as long
 * as no memory cap is reached (a cap evicts in the worker that holds the
 * memory, which depends on the sharding; evictions are counted).
 *
 * Verdicts: conf.verdict is called for each object once it is matched,
 * from the worker (or, for stitched objects, the merger) thread. */
#ifndef EW_ENGINE_H
#define EW_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/ingest.h"
#include "classify/flowclass.h"
#include "http/http.h"
#include "lists/hashset.h"
#include "log/eventjson.h"
#include "object/imgmatch.h"
#include "object/objsink.h"
#include "object/range.h"
#include "stream/reasm.h"

#define ENGINE_WORKERS_MAX 64

/* One memory budget for the engine (engine_conf.memory), split when the
 * engine is built (docs/reassembly.md, "One memory budget"):
 *
 *   1/2  flows, at ENGINE_FLOW_COST bytes each: the flow cap
 *   1/4  reassembly: out-of-order bytes held, all flows
 *   1/8  image bodies buffered for PDQ
 *   1/8  range pieces held for stitching
 *
 * Each part is a cap shared by all workers; what reaches it is evicted or
 * refused and counted. */
#define ENGINE_FLOW_COST   1024		/* a tracked flow without an object in
					 * flight measures 650-750 (bench/flow_memory.sh) */
#define ENGINE_MEMORY_MIN  (16ull << 20)

/* What the workers do with each flow's byte streams. */
enum engine_mode {
	ENGINE_OBJECTS, /* HTTP objects: hash, match, PDQ (edgeward pcap) */
	ENGINE_FLOWS,	/* one line per flow: bytes, gaps, SHA-256 per direction */
};

/* One input and what became of it. */
struct engine_source {
	const char *path;	   /* in; outlives the run (event "source") */
	int index;		   /* position in the run */
	int err;		   /* 0, or -errno: couldn't open or cut short */
	char msg[512];		   /* why, when err */
	struct capture_stats cap;  /* frames of this source */
	struct reasm_stats tcp;	   /* flows of this source, all workers */
};

struct engine_conf {
	enum engine_mode mode;
	unsigned workers;		       /* 0: the online CPUs */
	unsigned log_mask;		       /* HASH_* written to object events */
	bool flow_hash;			       /* ENGINE_FLOWS: SHA-256 per direction */
	/* ENGINE_OBJECTS: classify every flow with nDPI beside the HTTP parser
	 * (a flowclass per worker) and write a "flow" event when it ends
	 * (unless classify_quiet); classified(ctx, flow, result) is called in
	 * the worker as soon as nDPI is done with a flow (optional). */
	bool classify, classify_quiet;
	void (*classified)(void *ctx, const struct flow_info *fi, const struct dpi_result *r);
	void *classified_ctx;
	struct hashdb *hashdb;		       /* exact lists, shared; NULL: none */
	struct imgmatch_conf img;	       /* PDQ options; img.db shared */
	uint64_t memory;		       /* one budget (ENGINE_FLOW_COST above) for
						* the caps of reasm, img and range; 0:
						* their caps as set */
	struct reasm_conf reasm;	       /* caps are for all workers together */
	struct http_conf http;
	struct range_limits range;
	struct ej_writer *out; /* events, written by the merger only */
	void (*verdict)(void *ctx, const struct obj_verdict *v);
	void *verdict_ctx;
	const struct objsink_evidence *evidence; /* matched bodies kept; NULL: off */
	/* Called first in every worker thread (e.g. to confine it). Optional. */
	void (*thread_start)(void *ctx);
	void *thread_ctx;
	/* Called by the merger when everything of source i is written, in
	 * order, e.g. for a per-file summary line. Optional. */
	void (*source_done)(void *ctx, const struct engine_source *s);
	void *source_ctx;
};

struct engine_stats {
	unsigned workers;
	struct capture_stats cap; /* all sources */
	struct reasm_stats tcp;	  /* all workers */
	struct http_stats http;
	struct objsink_stats obj; /* stitched objects included */
	struct range_stats range;
	struct imgmatch_stats img;
	struct imgsandbox_stats sandbox;
	struct flowclass_stats flows; /* conf.classify */
	uint64_t held_peak;	  /* most reassembly bytes held at once */
	uint64_t dispatch_drops;  /* live: packets dropped, a worker's queue full */
};

/* Sets the defaults: workers 0, all hashes logged, ENGINE_OBJECTS, and
 * each stage's defaults. */
void engine_conf_default(struct engine_conf *c);

struct engine;

/* Builds an engine (stages of every worker, the assembler, shared
 * budgets); no thread runs yet. conf is copied; its pointers must outlive
 * the engine. With conf->memory (at least ENGINE_MEMORY_MIN) the caps it
 * sizes are set from it (an image cap chosen below its default stays if
 * lower). Returns NULL with errno set (EINVAL: memory too small). */
struct engine *engine_new(const struct engine_conf *conf);

/* True when every path is a regular file (or does not exist: its error
 * comes from the run): a pipe or a device can be read only once, so only
 * an engine of one worker may take it. */
bool engine_sources_seekable(char *const *paths, int n);

/* Runs the sources, capture files, in order, through the workers; the
 * events are written when it returns. A source that can't be read is
 * reported in its struct (err, msg), and the others still run. Returns 0
 * when every source was read whole, else the first source's error. */
int engine_run_files(struct engine *e, struct engine_source *src, int n);


/* Queues one finished event line (JSON, ending in '\n'; copied) for the
 * writer, from any thread: the agent's own events (start, stop, reload,
 * block) share the events' file and order. Returns 0 or -ENOMEM. */
int engine_post_line(struct engine *e, const char *line, size_t len);

/* Swaps the lists: every list of db and pdb replaces those the engine
 * matches against (conf.hashdb, conf.img.db, which must have been given),
 * in one step per registry; db and pdb then hold the old lists, for the
 * caller to free. The digests computed follow the new lists from the next
 * object on. One caller at a time. */
void engine_swap_lists(struct engine *e, struct hashdb *db, struct pdqdb *pdb);

/* Counters summed over workers and the merger. */
void engine_stats(struct engine *e, struct engine_stats *st);

/* ---- live sources ----
 * The engine runs until engine_stop: the workers take frames from
 * engine_push_frame; byte-stream sources (one thread each) inspect through
 * an inspector; a merger thread writes the records as they come (no
 * ordering across workers: live input has none to keep). Counters read
 * while running are approximate. */

/* Starts the workers and the merger. Returns 0, -EBUSY (already run) or
 * -ENOMEM / -EAGAIN. */
int engine_start(struct engine *e);

/* One captured frame (link type linktype, caplen bytes, wall clock ts_ns,
 * received on interface ifindex, 0: unknown), from one source thread:
 * decoded and defragmented here, then queued, as a copy, for the worker of
 * its flow. Returns 0, or -ENOBUFS when that worker's queue is full (the
 * packet is dropped and counted) or -ENOMEM. */
int engine_push_frame(struct engine *e, int linktype, const uint8_t *frame, size_t caplen,
		      uint64_t ts_ns, uint32_t ifindex);

/* Ends every flow (their last objects are written) and stops the threads.
 * Also done by engine_free. */
void engine_stop(struct engine *e);

struct engine_inspector;

/* An inspector for one thread of a byte-stream source: its objsink (feed
 * it through an HTTP parser: http_ctx_new(..., objsink_object_ops(),
 * engine_inspector_sink(in))) and image stage; its records go to the
 * merger; verdict(ctx, v) is called in the thread for every object.
 * source names the input in the events (kept, not copied). Returns NULL
 * with errno set. Free it after its flows are closed. */
struct engine_inspector *engine_inspector_new(struct engine *e, const char *source,
					      void (*verdict)(void *ctx, const struct obj_verdict *v),
					      void *ctx);
struct objsink *engine_inspector_sink(struct engine_inspector *in);
void engine_inspector_free(struct engine_inspector *in);

void engine_free(struct engine *e);

#endif
