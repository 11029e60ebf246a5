// SPDX-License-Identifier: GPL-2.0
/* engine: wires the stages for a source and runs them on one worker per
 * core; the calling thread merges the workers' records in order and
 * writes the events (engine.h has the picture and the guarantees). */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/pcapsrc.h"
#include "engine.h"
#include "object/assemble.h"
#include "object/flowsum.h"

#define LEAD_MAX    (1u << 16) /* items a worker may run ahead of the slowest */
#define LEAD_CHECK  1024       /* items between two looks at the others */
#define MERGE_WAIT  1000000    /* ns the merger sleeps without news */
#define ITEM_DONE   UINT64_MAX /* a worker's progress once it has finished */

struct worker {
	struct engine *e;
	unsigned idx;
	pthread_t th;
	struct reasm *reasm;
	struct http_ctx *http;	/* ENGINE_OBJECTS */
	struct objsink *sink;	/* ENGINE_OBJECTS */
	struct imgmatch *img;	/* ENGINE_OBJECTS */
	struct flowsum *fs;	/* ENGINE_FLOWS */
	uint64_t item;		/* input position being handled */
	uint64_t seq;		/* records made */
	uint64_t done;		/* items below this are finished (atomic) */
	struct objrec *qhead, **qtail; /* records for the merger, under e->lock */
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
	struct engine_source *src;
	int nsrc;
	uint64_t *src_end; /* flush item of each source, set by worker 0 */
	pthread_mutex_t lock;
	pthread_cond_t news;
	struct heap heap;
};

void engine_conf_default(struct engine_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = ENGINE_OBJECTS;
	c->log_mask = HASH_ALL;
	c->flow_hash = true;
	c->img.min_quality = IMGMATCH_DEF_MIN_QUALITY;
	c->img.obj_cap = IMGMATCH_DEF_OBJ_CAP;
	c->img.total_cap = IMGMATCH_DEF_TOTAL_CAP;
	reasm_conf_default(&c->reasm);
	http_conf_default(&c->http);
	range_limits_default(&c->range);
}

/* ---- the memory budget --------------------------------------------------------- */

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Sets the caps of the stages from c->memory (engine.h has the split). */
static int split_memory(struct engine_conf *c)
{
	uint64_t m = c->memory, flows = m / 2 / ENGINE_FLOW_COST;

	if (!m)
		return 0;
	if (m < ENGINE_MEMORY_MIN)
		return -EINVAL;
	c->reasm.max_flows = flows > SIZE_MAX ? SIZE_MAX : (size_t)flows;
	c->reasm.total_buf_max = (size_t)min64(m / 4, SIZE_MAX);
	c->reasm.flow_buf_max = (size_t)min64(c->reasm.flow_buf_max, c->reasm.total_buf_max);
	/* an image cap chosen below the default (--pdq-buffer-total) stays */
	if (!c->img.total_cap || c->img.total_cap >= IMGMATCH_DEF_TOTAL_CAP)
		c->img.total_cap = (size_t)min64(m / 8, SIZE_MAX);
	else
		c->img.total_cap = (size_t)min64(c->img.total_cap, m / 8);
	c->img.obj_cap = (size_t)min64(c->img.obj_cap ? c->img.obj_cap : IMGMATCH_DEF_OBJ_CAP,
				       c->img.total_cap);
	c->range.max_held = m / 8;
	c->range.max_resource = min64(c->range.max_resource, c->range.max_held);
	return 0;
}

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

/* ---- sharding --------------------------------------------------------------- */

/* The worker of a canonical key: a fixed mix of its 40 bytes (no seed, so
 * runs agree), both directions of a flow having the same key. */
static unsigned owner(const struct engine *e, const struct ew_flow_key *k)
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

/* ---- records: worker side ----------------------------------------------------- */

static void emit(void *ctx, struct objrec *r)
{
	struct worker *w = ctx;
	struct engine *e = w->e;

	r->item = w->item;
	r->seq = w->seq++;
	r->next = NULL;
	/* no wake-up: the merger looks every MERGE_WAIT, and a signal per
	 * object cost more than the merging itself */
	pthread_mutex_lock(&e->lock);
	*w->qtail = r;
	w->qtail = &r->next;
	pthread_mutex_unlock(&e->lock);
}

static void publish(struct worker *w, uint64_t done)
{
	__atomic_store_n(&w->done, done, __ATOMIC_RELEASE);
}

static uint64_t min_done(struct engine *e)
{
	uint64_t m = ITEM_DONE;

	for (unsigned i = 0; i < e->n; i++) {
		uint64_t d = __atomic_load_n(&e->w[i].done, __ATOMIC_ACQUIRE);

		if (d < m)
			m = d;
	}
	return m;
}

/* Waits while this worker is far ahead of the slowest one, so the merger
 * holds a bounded number of records. */
static void pace(struct worker *w)
{
	struct timespec ts = {0, 50000};

	while (w->item > LEAD_MAX && min_done(w->e) < w->item - LEAD_MAX)
		nanosleep(&ts, NULL);
}

/* ---- workers: stages ------------------------------------------------------------ */

static int worker_objects(struct worker *w)
{
	struct engine *e = w->e;
	struct imgmatch_conf ic = e->conf.img;
	struct http_conf hc = e->conf.http;
	struct objsink_conf sc = {
		.log_mask = e->conf.log_mask,
		.matcher = e->conf.hashdb ? &e->matcher : NULL,
		.range = &e->conf.range,
		.emit = emit,
		.emit_ctx = w,
		.verdict = e->conf.verdict,
		.verdict_ctx = e->conf.verdict_ctx,
	};

	ic.total = &e->img_held;
	hc.alt_budget = &e->alt;
	w->img = imgmatch_new(&ic);
	if (!w->img)
		return -ENOMEM;
	sc.img = w->img;
	w->sink = objsink_new(&sc);
	if (!w->sink)
		return -ENOMEM;
	w->http = http_ctx_new(&hc, objsink_object_ops(), w->sink);
	if (!w->http)
		return -ENOMEM;
	return 0;
}

static int worker_new(struct engine *e, unsigned i)
{
	struct worker *w = &e->w[i];
	struct reasm_conf rc = e->conf.reasm;
	struct flowsum_conf fc = {.hash = e->conf.flow_hash, .emit = emit, .emit_ctx = w};
	const struct stream_ops *ops;
	void *ctx;

	w->e = e;
	w->idx = i;
	w->qtail = &w->qhead;
	if (e->conf.mode == ENGINE_FLOWS) {
		w->fs = flowsum_new(&fc);
		if (!w->fs)
			return -ENOMEM;
		ops = flowsum_stream_ops(), ctx = w->fs;
	} else {
		if (worker_objects(w))
			return -ENOMEM;
		ops = http_stream_ops(), ctx = w->http;
	}
	rc.flow_budget = &e->flows;
	rc.byte_budget = &e->bytes;
	w->reasm = reasm_new(&rc, ops, ctx);
	return w->reasm ? 0 : -ENOMEM;
}

static void worker_free(struct worker *w)
{
	reasm_free(w->reasm);
	if (w->http)
		http_ctx_free(w->http);
	objsink_free(w->sink);
	imgmatch_free(w->img);
	flowsum_free(w->fs);
	objrec_free(w->qhead); /* only on a failed start: the merger takes them */
}

/* ---- workers: the run --------------------------------------------------------------- */

/* One packet: owned ones go into the reassembler, the others only move
 * its clock, so flows time out at the same packet whatever the sharding. */
static void worker_packet(struct worker *w, const struct pkt *p)
{
	bool l4 = (p->flags & PKT_F_L4) && (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP);

	w->item = p->num;
	if ((l4 ? owner(w->e, &p->key) : 0) == w->idx)
		reasm_push(w->reasm, p); /* not L4: counted by worker 0 */
	else if (l4)
		reasm_expire(w->reasm, p->ts_ns);
	publish(w, p->num + 1);
	if (p->num % LEAD_CHECK == 0)
		pace(w);
}

static void add_tcp(struct reasm_stats *sum, const struct reasm_stats *now,
		    const struct reasm_stats *before)
{
	uint64_t *s = (uint64_t *)sum;
	const uint64_t *a = (const uint64_t *)now, *b = (const uint64_t *)before;

	for (size_t i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
		s[i] += a[i] - b[i];
	/* a peak is no counter: the workers' peaks of this source, summed */
	sum->buffered_peak += before->buffered_peak; /* so += now->buffered_peak */
}

/* Reads one source whole; returns the number of its flush item. */
static uint64_t worker_source(struct worker *w, struct engine_source *s, uint64_t base)
{
	struct engine *e = w->e;
	struct capture_stats cap = {0};
	struct reasm_stats before, after;
	struct pcapsrc_frame fr;
	struct pcapsrc_err err;
	struct pcapsrc *ps;
	struct defrag *d = defrag_new(NULL);
	uint64_t frames = 0;
	struct pkt p;
	int rc = -ENOMEM;

	reasm_reset_peak(w->reasm);
	reasm_stats(w->reasm, &before);
	if (w->sink)
		objsink_set_source(w->sink, s->path);
	if (w->fs)
		flowsum_set_source(w->fs, s->path);
	ps = d ? pcapsrc_open(s->path, &err) : NULL;
	if (!d)
		snprintf(err.msg, sizeof(err.msg), "couldn't read '%s': %s", s->path,
			 strerror(ENOMEM));
	else if (!ps)
		rc = -errno;
	while (ps && (rc = pcapsrc_next(ps, &fr, &err)) == 1) {
		frames = fr.num;
		if (ingest_frame(d, fr.linktype, fr.data, fr.caplen, base + fr.num, fr.ts_ns, &p,
				 &cap))
			worker_packet(w, &p);
	}
	w->item = base + frames + 1; /* the flush: the source's flows end */
	reasm_flush(w->reasm);
	reasm_stats(w->reasm, &after);
	if (d)
		defrag_stats(d, &cap.defrag);
	pthread_mutex_lock(&e->lock);
	add_tcp(&s->tcp, &after, &before);
	if (w->idx == 0) { /* every worker saw the same frames */
		s->cap = cap;
		s->err = rc < 0 ? rc : 0;
		if (rc < 0)
			snprintf(s->msg, sizeof(s->msg), "%s", err.msg);
		e->src_end[s->index] = w->item;
	}
	pthread_mutex_unlock(&e->lock);
	publish(w, w->item + 1);
	defrag_free(d);
	pcapsrc_close(ps);
	return w->item;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->e;
	uint64_t base = 0;

	for (int i = 0; i < e->nsrc; i++)
		base = worker_source(w, &e->src[i], base);
	pthread_mutex_lock(&e->lock);
	publish(w, ITEM_DONE);
	pthread_cond_signal(&e->news);
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

/* ---- the merger ----------------------------------------------------------------------- */

static int heap_push(struct heap *h, struct objrec *r)
{
	size_t i = h->n;

	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 256;
		struct objrec **v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	h->n++;
	while (i && objrec_cmp(r, h->v[(i - 1) / 2]) < 0) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = r;
	return 0;
}

static struct objrec *heap_pop(struct heap *h)
{
	struct objrec *top = h->v[0], *last = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && objrec_cmp(h->v[c + 1], h->v[c]) < 0)
			c++;
		if (objrec_cmp(last, h->v[c]) <= 0)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

/* Takes every queued record into the heap. Called with e->lock held. */
static void gather(struct engine *e)
{
	for (unsigned i = 0; i < e->n; i++) {
		struct worker *w = &e->w[i];
		struct objrec *r = w->qhead, *next;

		w->qhead = NULL;
		w->qtail = &w->qhead;
		for (; r; r = next) {
			next = r->next;
			if (heap_push(&e->heap, r)) {
				/* cannot order it: written late rather than lost */
				assemble_put(e->as, r);
			}
		}
	}
}

static bool queued(const struct engine *e)
{
	for (unsigned i = 0; i < e->n; i++)
		if (e->w[i].qhead)
			return true;
	return false;
}

/* Writes the records below `upto` in order, and reports the sources that
 * ended before it. */
static void release(struct engine *e, uint64_t upto, int *next_src)
{
	while (e->heap.n && e->heap.v[0]->item < upto) {
		struct objrec *r = e->heap.v[0];

		while (*next_src < e->nsrc && e->src_end[*next_src] &&
		       e->src_end[*next_src] < r->item)
			e->conf.source_done(e->conf.source_ctx, &e->src[(*next_src)++]);
		assemble_put(e->as, heap_pop(&e->heap));
	}
	while (*next_src < e->nsrc && e->src_end[*next_src] && e->src_end[*next_src] < upto)
		e->conf.source_done(e->conf.source_ctx, &e->src[(*next_src)++]);
}

static void no_report(void *ctx, const struct engine_source *s)
{
	(void)ctx, (void)s;
}

static void merge(struct engine *e)
{
	int next_src = 0;
	uint64_t upto = 0;

	while (upto != ITEM_DONE) {
		struct timespec ts;

		/* progress first: every record below it is queued already */
		upto = min_done(e);
		pthread_mutex_lock(&e->lock);
		if (!queued(e) && upto != ITEM_DONE && upto == min_done(e)) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += MERGE_WAIT;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&e->news, &e->lock, &ts);
			pthread_mutex_unlock(&e->lock);
			continue;
		}
		gather(e);
		pthread_mutex_unlock(&e->lock);
		release(e, upto, &next_src);
	}
	assemble_flush(e->as);
}

/* ---- the engine ------------------------------------------------------------------------ */

static unsigned worker_count(unsigned want)
{
	long n = want ? (long)want : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	return n > ENGINE_WORKERS_MAX ? ENGINE_WORKERS_MAX : (unsigned)n;
}

static int assembler_new(struct engine *e)
{
	struct imgmatch_conf ic = e->conf.img;
	struct assemble_conf ac = {
		.log_mask = e->conf.log_mask,
		.out = e->conf.out,
		.matcher = e->conf.hashdb ? &e->matcher : NULL,
		.range = &e->conf.range,
		.verdict = e->conf.verdict,
		.verdict_ctx = e->conf.verdict_ctx,
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

struct engine *engine_new(const struct engine_conf *conf)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->conf = *conf;
	if (split_memory(&e->conf)) {
		free(e);
		errno = EINVAL;
		return NULL;
	}
	conf = &e->conf;
	e->matcher.lookup = lookup;
	e->matcher.ctx = conf->hashdb;
	e->matcher.need = conf->hashdb ? hashdb_kinds(conf->hashdb) & HASH_ALL : 0;
	if (!e->conf.source_done)
		e->conf.source_done = no_report;
	e->n = worker_count(conf->workers);
	budget_init(&e->flows, conf->reasm.max_flows);
	budget_init(&e->bytes, conf->reasm.total_buf_max);
	budget_init(&e->alt, 64u << 20);
	budget_init(&e->img_held, conf->img.total_cap ? conf->img.total_cap
						      : IMGMATCH_DEF_TOTAL_CAP);
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->news, NULL);
	if (assembler_new(e))
		goto fail;
	for (unsigned i = 0; i < e->n; i++)
		if (worker_new(e, i))
			goto fail;
	return e;
fail:
	engine_free(e);
	errno = ENOMEM;
	return NULL;
}

int engine_run_files(struct engine *e, struct engine_source *src, int n)
{
	unsigned started = 0;
	int rc = 0;

	e->src = src;
	e->nsrc = n;
	e->src_end = calloc((size_t)n + 1, sizeof(*e->src_end));
	if (!e->src_end)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		src[i].index = i;
	for (; started < e->n; started++)
		if (pthread_create(&e->w[started].th, NULL, worker_main, &e->w[started]))
			break;
	if (started < e->n) {
		/* the missing workers' flows would be lost: stop the run */
		for (unsigned i = started; i < e->n; i++)
			publish(&e->w[i], ITEM_DONE);
		rc = -EAGAIN;
	}
	merge(e);
	for (unsigned i = 0; i < started; i++)
		pthread_join(e->w[i].th, NULL);
	for (int i = 0; i < n && !rc; i++)
		rc = src[i].err;
	return rc;
}

static void add_stats(uint64_t *sum, const uint64_t *v, size_t bytes)
{
	for (size_t i = 0; i < bytes / sizeof(uint64_t); i++)
		sum[i] += v[i];
}

static void img_stats(struct engine_stats *st, const struct imgmatch *im)
{
	struct imgsandbox_stats sb;

	if (!im)
		return;
	add_stats((uint64_t *)&st->img, (const uint64_t *)imgmatch_stats(im), sizeof(st->img));
	imgmatch_sandbox_stats(im, &sb);
	add_stats((uint64_t *)&st->sandbox, (const uint64_t *)&sb, sizeof(sb));
}

void engine_stats(struct engine *e, struct engine_stats *st)
{
	const struct assemble_stats *as = assemble_stats(e->as);

	memset(st, 0, sizeof(*st));
	st->workers = e->n;
	for (int i = 0; i < e->nsrc; i++) {
		const struct capture_stats *c = &e->src[i].cap;

		add_stats((uint64_t *)&st->cap, (const uint64_t *)c,
			  offsetof(struct capture_stats, first_bad));
		add_stats((uint64_t *)&st->cap.defrag, (const uint64_t *)&c->defrag,
			  sizeof(c->defrag));
		if (!st->cap.first_bad.num)
			st->cap.first_bad = c->first_bad;
	}
	for (unsigned i = 0; i < e->n; i++) {
		const struct worker *w = &e->w[i];
		struct reasm_stats rs;
		struct http_stats hs;

		reasm_stats(w->reasm, &rs);
		add_stats((uint64_t *)&st->tcp, (const uint64_t *)&rs, sizeof(rs));
		if (w->http) {
			http_ctx_stats(w->http, &hs);
			add_stats((uint64_t *)&st->http, (const uint64_t *)&hs, sizeof(hs));
		}
		if (w->sink)
			add_stats((uint64_t *)&st->obj, (const uint64_t *)objsink_stats(w->sink),
				  sizeof(st->obj));
		img_stats(st, w->img);
	}
	img_stats(st, e->as_img);
	st->img.buffered_peak = e->img_held.peak;
	st->held_peak = e->bytes.peak;
	st->obj.objects += as->assembled + as->incomplete;
	st->obj.hashed += as->assembled;
	st->obj.assembled = as->assembled;
	st->obj.incomplete = as->incomplete;
	st->obj.matches += as->matches;
	st->obj.matched += as->matched;
	st->obj.write_errors += as->write_errors;
	st->range = *assemble_range_stats(e->as);
	for (unsigned i = 0; i < e->n; i++)
		if (e->w[i].fs)
			st->obj.write_errors += flowsum_errors(e->w[i].fs);
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	for (unsigned i = 0; i < e->n; i++)
		worker_free(&e->w[i]);
	while (e->heap.n)
		objrec_free(heap_pop(&e->heap));
	free(e->heap.v);
	assemble_free(e->as);
	imgmatch_free(e->as_img);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->news);
	free(e->src_end);
	free(e);
}
