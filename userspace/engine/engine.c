// SPDX-License-Identifier: GPL-2.0
/* engine: its life (built from the config, freed) and its counters. The
 * stages of a worker are stages.c, running capture files files.c, live
 * sources live.c, the merger merge.c (engine.h has the picture and the
 * guarantees). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_int.h"

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

static unsigned worker_count(unsigned want)
{
	long n = want ? (long)want : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	return n > ENGINE_WORKERS_MAX ? ENGINE_WORKERS_MAX : (unsigned)n;
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
	engine_matcher_init(e);
	e->n = worker_count(conf->workers);
	budget_init(&e->flows, conf->reasm.max_flows);
	budget_init(&e->bytes, conf->reasm.total_buf_max);
	budget_init(&e->alt, 64u << 20);
	budget_init(&e->img_held, conf->img.total_cap ? conf->img.total_cap
						      : IMGMATCH_DEF_TOTAL_CAP);
	pthread_mutex_init(&e->lock, NULL);
	pthread_mutex_init(&e->map_lock, NULL);
	if (engine_add_queue(e, &e->orphans) || engine_assembler_new(e))
		goto fail;
	for (unsigned i = 0; i < e->n; i++)
		if (engine_worker_new(e, i))
			goto fail;
	return e;
fail:
	engine_free(e);
	errno = ENOMEM;
	return NULL;
}

int engine_post_line(struct engine *e, const char *line, size_t len)
{
	struct objrec *r = calloc(1, sizeof(*r));

	if (!r || !(r->text = malloc(len))) {
		free(r);
		return -ENOMEM;
	}
	memcpy(r->text, line, len);
	r->len = len;
	r->whole_line = true;
	engine_queue(e, &e->orphans, r);
	return 0;
}

void engine_swap_lists(struct engine *e, struct hashdb *db, struct pdqdb *pdb)
{
	if (e->conf.hashdb && db) {
		hashdb_swap(e->conf.hashdb, db);
		__atomic_store_n(&e->matcher.need, hashdb_kinds(e->conf.hashdb) & HASH_ALL,
				 __ATOMIC_RELAXED);
	}
	if (e->conf.img.db && pdb)
		pdqdb_swap(e->conf.img.db, pdb);
}

/* ---- counters ---------------------------------------------------------------------- */

static void source_stats(struct engine *e, struct engine_stats *st)
{
	for (int i = 0; i < e->nsrc; i++) {
		const struct capture_stats *c = &e->src[i].cap;

		engine_sum(&st->cap, c, offsetof(struct capture_stats, first_bad));
		engine_sum(&st->cap.defrag, &c->defrag, sizeof(c->defrag));
		if (!st->cap.first_bad.num)
			st->cap.first_bad = c->first_bad;
	}
}

static void assembler_stats(struct engine *e, struct engine_stats *st)
{
	const struct assemble_stats *as = assemble_stats(e->as);

	engine_sum_objects(st, NULL, e->as_img);
	st->obj.objects += as->assembled + as->incomplete;
	st->obj.hashed += as->assembled;
	st->obj.assembled = as->assembled;
	st->obj.incomplete = as->incomplete;
	st->obj.matches += as->matches;
	st->obj.matched += as->matched;
	st->obj.write_errors += as->write_errors;
	st->range = *assemble_range_stats(e->as);
}

void engine_stats(struct engine *e, struct engine_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->workers = e->n;
	source_stats(e, st);
	for (unsigned i = 0; i < e->n; i++) {
		struct worker *w = &e->w[i];
		struct reasm_stats rs;
		struct http_stats hs;

		reasm_stats(w->reasm, &rs);
		engine_sum(&st->tcp, &rs, sizeof(rs));
		if (w->http) {
			http_ctx_stats(w->http, &hs);
			engine_sum(&st->http, &hs, sizeof(hs));
		}
		if (w->fs)
			st->obj.write_errors += flowsum_errors(w->fs);
		if (w->fc)
			flowclass_stats(w->fc, &st->flows);
		st->flows.errors += w->tee.errors;
		engine_sum_objects(st, w->sink, w->img);
	}
	assembler_stats(e, st);
	engine_live_stats(e, st);
	st->img.buffered_peak = e->img_held.peak; /* a peak of all, not a sum */
	st->held_peak = e->bytes.peak;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	engine_live_stop(e);
	for (unsigned i = 0; i < e->n; i++)
		engine_worker_free(&e->w[i]);
	merge_free(e);
	/* what the workers' last flows left is written before the assembler goes */
	for (size_t i = 0; i < e->nqueues; i++) {
		struct objrec *r = e->queues[i]->head, *next;

		for (; r; r = next) {
			next = r->next;
			assemble_put(e->as, r);
		}
	}
	assemble_free(e->as);
	imgmatch_free(e->as_img);
	pthread_mutex_destroy(&e->lock);
	pthread_mutex_destroy(&e->map_lock);
	free(e->maps);
	free(e->queues);
	free(e->src_end);
	free(e);
}
