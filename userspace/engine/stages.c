// SPDX-License-Identifier: GPL-2.0
/* engine stages: what every worker and inspector is made of (reassembler,
 * HTTP parser, objsink, image stage, or flowsum), the one assembler, the
 * matcher over the shared lists, the sharding function and the record
 * queues the merger reads. Used by engine.c, files.c and live.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

/* ---- matching ---------------------------------------------------------------- */

/* objsink's matcher over the shared hash registry (readers lock nothing
 * but the registry's read lock for one lookup). */
static int lookup(void *ctx, enum hash_type t, const uint8_t *d, struct objsink_hit *hits,
		  int max)
{
	struct hashdb_hit found[OBJSINK_HITS_MAX];
	size_t n = hashdb_lookup(ctx, (enum list_kind)t, d, found, OBJSINK_HITS_MAX);

	if (n > (size_t)max)
		n = (size_t)max;
	_Static_assert(HASHSET_NAME_MAX <= OBJSINK_NAME_MAX, "hit names would be cut");
	for (size_t i = 0; i < n; i++) {
		memcpy(hits[i].list, found[i].list, sizeof(found[i].list));
		memcpy(hits[i].category, found[i].category, sizeof(found[i].category));
	}
	return (int)n;
}

void engine_matcher_init(struct engine *e)
{
	e->matcher.lookup = lookup;
	e->matcher.ctx = e->conf.hashdb;
	e->matcher.need = e->conf.hashdb ? hashdb_kinds(e->conf.hashdb) & HASH_ALL : 0;
}

/* ---- sharding --------------------------------------------------------------- */

/* A fixed mix of the key's 40 bytes (no seed, so runs agree); both
 * directions of a flow have the same canonical key. */
unsigned engine_owner(const struct engine *e, const struct ew_flow_key *k)
{
	uint64_t h = 0x9e3779b97f4a7c15ull, v;

	if (e->n == 1)
		return 0;
	for (size_t i = 0; i < sizeof(*k); i += 8) {
		memcpy(&v, (const uint8_t *)k + i, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return (unsigned)(((h >> 32) * e->n) >> 32);
}

/* ---- record queues ------------------------------------------------------------ */

/* No wake-up: the merger looks every millisecond, and a signal per object
 * cost more than the merging itself. */
void engine_queue(struct engine *e, struct outq *q, struct objrec *r)
{
	r->next = NULL;
	pthread_mutex_lock(&e->lock);
	*q->tail = r;
	q->tail = &r->next;
	pthread_mutex_unlock(&e->lock);
}

int engine_add_queue(struct engine *e, struct outq *q)
{
	int err = 0;

	q->head = NULL;
	q->tail = &q->head;
	pthread_mutex_lock(&e->lock);
	if (e->nqueues == e->capqueues) {
		size_t cap = e->capqueues ? 2 * e->capqueues : 8;
		struct outq **v = realloc(e->queues, cap * sizeof(*v));

		if (v) {
			e->queues = v;
			e->capqueues = cap;
		}
	}
	if (e->nqueues < e->capqueues)
		e->queues[e->nqueues++] = q;
	else
		err = -ENOMEM;
	pthread_mutex_unlock(&e->lock);
	return err;
}

/* Unregisters q; what it still holds moves to the engine's own queue, which
 * the merger drains like any other. */
void engine_remove_queue(struct engine *e, struct outq *q)
{
	pthread_mutex_lock(&e->lock);
	if (q->head) {
		*e->orphans.tail = q->head;
		e->orphans.tail = q->tail;
	}
	q->head = NULL;
	q->tail = &q->head;
	for (size_t i = 0; i < e->nqueues; i++)
		if (e->queues[i] == q) {
			e->queues[i] = e->queues[--e->nqueues];
			break;
		}
	pthread_mutex_unlock(&e->lock);
}

static void worker_emit(void *ctx, struct objrec *r)
{
	struct worker *w = ctx;

	r->item = w->item;
	r->seq = w->seq++;
	engine_queue(w->e, &w->q, r);
}

/* ---- stages ------------------------------------------------------------------------ */

/* The object stages of one thread: image stage, objsink (records to emit,
 * verdicts to verdict), HTTP parser. */
static int objects_new(struct engine *e, struct imgmatch **img, struct objsink **sink,
		       struct http_ctx **http, void (*emit)(void *, struct objrec *), void *ctx,
		       void (*verdict)(void *, const struct obj_verdict *), void *vctx)
{
	struct imgmatch_conf ic = e->conf.img;
	struct http_conf hc = e->conf.http;
	struct objsink_conf sc = {
		.log_mask = e->conf.log_mask,
		.matcher = e->conf.hashdb ? &e->matcher : NULL,
		.range = &e->conf.range,
		.emit = emit,
		.emit_ctx = ctx,
		.verdict = verdict,
		.verdict_ctx = vctx,
		.evidence = e->conf.evidence,
	};

	ic.total = &e->img_held;
	hc.alt_budget = &e->alt;
	*img = imgmatch_new(&ic);
	if (!*img)
		return -ENOMEM;
	sc.img = *img;
	*sink = objsink_new(&sc);
	if (!*sink)
		return -ENOMEM;
	if (!http)
		return 0;
	*http = http_ctx_new(&hc, objsink_object_ops(), *sink);
	return *http ? 0 : -ENOMEM;
}

int engine_objects_new(struct engine *e, struct imgmatch **img, struct objsink **sink,
		       void (*emit)(void *, struct objrec *), void *ctx,
		       void (*verdict)(void *, const struct obj_verdict *), void *vctx)
{
	return objects_new(e, img, sink, NULL, emit, ctx, verdict, vctx);
}

/* The flow classifier beside the HTTP parser (ops, ctx): both behind a tee,
 * which becomes the reassembler's consumer. */
static int classifier_new(struct worker *w, const struct stream_ops **ops, void **ctx)
{
	struct flowclass_conf cc = {.emit = worker_emit, .emit_ctx = w,
				    .classified = w->e->conf.classified,
				    .classified_ctx = w->e->conf.classified_ctx,
				    .no_lines = w->e->conf.classify_quiet};

	w->fc = flowclass_new(&cc);
	if (!w->fc)
		return -ENOMEM;
	w->tee = (struct stream_tee){
		.a_ops = *ops, .a_ctx = *ctx, .b_ops = flowclass_stream_ops(), .b_ctx = w->fc};
	*ops = stream_tee_ops();
	*ctx = &w->tee;
	return 0;
}

int engine_worker_new(struct engine *e, unsigned i)
{
	struct worker *w = &e->w[i];
	struct reasm_conf rc = e->conf.reasm;
	struct flowsum_conf fc = {.hash = e->conf.flow_hash, .emit = worker_emit, .emit_ctx = w};
	const struct stream_ops *ops;
	void *ctx;

	w->e = e;
	w->idx = i;
	if (engine_add_queue(e, &w->q))
		return -ENOMEM;
	if (e->conf.mode == ENGINE_FLOWS) {
		w->fs = flowsum_new(&fc);
		if (!w->fs)
			return -ENOMEM;
		ops = flowsum_stream_ops(), ctx = w->fs;
	} else {
		if (objects_new(e, &w->img, &w->sink, &w->http, worker_emit, w, e->conf.verdict,
				e->conf.verdict_ctx))
			return -ENOMEM;
		ops = http_stream_ops(), ctx = w->http;
		if (e->conf.classify && classifier_new(w, &ops, &ctx))
			return -ENOMEM;
	}
	rc.flow_budget = &e->flows;
	rc.byte_budget = &e->bytes;
	w->reasm = reasm_new(&rc, ops, ctx);
	return w->reasm ? 0 : -ENOMEM;
}

void engine_worker_free(struct worker *w)
{
	reasm_free(w->reasm);
	if (w->http)
		http_ctx_free(w->http);
	objsink_free(w->sink);
	imgmatch_free(w->img);
	flowsum_free(w->fs);
	flowclass_free(w->fc);
}

int engine_assembler_new(struct engine *e)
{
	struct imgmatch_conf ic = e->conf.img;
	struct assemble_conf ac = {
		.log_mask = e->conf.log_mask,
		.out = e->conf.out,
		.matcher = e->conf.hashdb ? &e->matcher : NULL,
		.range = &e->conf.range,
		.verdict = e->conf.verdict,
		.verdict_ctx = e->conf.verdict_ctx,
		.evidence = e->conf.evidence,
	};

	ic.total = &e->img_held;
	if (e->conf.mode == ENGINE_OBJECTS) {
		e->as_img = imgmatch_new(&ic);
		if (!e->as_img)
			return -ENOMEM;
	}
	ac.img = e->as_img;
	e->as = assemble_new(&ac);
	return e->as ? 0 : -ENOMEM;
}


void engine_sum(void *sum, const void *v, size_t bytes)
{
	uint64_t *s = sum;
	const uint64_t *x = v;

	for (size_t i = 0; i < bytes / sizeof(uint64_t); i++)
		s[i] += x[i];
}

void engine_sum_objects(struct engine_stats *st, struct objsink *sink, const struct imgmatch *im)
{
	struct imgsandbox_stats sb;

	if (sink)
		engine_sum(&st->obj, objsink_stats(sink), sizeof(st->obj));
	if (!im)
		return;
	engine_sum(&st->img, imgmatch_stats(im), sizeof(st->img));
	imgmatch_sandbox_stats(im, &sb);
	engine_sum(&st->sandbox, &sb, sizeof(sb));
}
