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
	engine_matcher_init(e);
	e->n = worker_count(conf->workers);
	budget_init(&e->flows, conf->reasm.max_flows);
	budget_init(&e->bytes, conf->reasm.total_buf_max);
	budget_init(&e->alt, 64u << 20);
	budget_init(&e->img_held, conf->img.total_cap ? conf->img.total_cap
						      : IMGMATCH_DEF_TOTAL_CAP);
	pthread_mutex_init(&e->lock, NULL);
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

static void source_stats(struct engine *e, struct engine_stats *st)
{
	for (int i = 0; i < e->nsrc; i++) {
		const struct capture_stats *c = &e->src[i].cap;

		add_stats((uint64_t *)&st->cap, (const uint64_t *)c,
			  offsetof(struct capture_stats, first_bad));
		add_stats((uint64_t *)&st->cap.defrag, (const uint64_t *)&c->defrag,
			  sizeof(c->defrag));
		if (!st->cap.first_bad.num)
			st->cap.first_bad = c->first_bad;
	}
}

static void assembler_stats(struct engine *e, struct engine_stats *st)
{
	const struct assemble_stats *as = assemble_stats(e->as);

	img_stats(st, e->as_img);
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
		add_stats((uint64_t *)&st->tcp, (const uint64_t *)&rs, sizeof(rs));
		if (w->http) {
			http_ctx_stats(w->http, &hs);
			add_stats((uint64_t *)&st->http, (const uint64_t *)&hs, sizeof(hs));
		}
		if (w->sink)
			add_stats((uint64_t *)&st->obj, (const uint64_t *)objsink_stats(w->sink),
				  sizeof(st->obj));
		if (w->fs)
			st->obj.write_errors += flowsum_errors(w->fs);
		if (w->fc)
			flowclass_stats(w->fc, &st->flows);
		st->flows.errors += w->tee.errors;
		img_stats(st, w->img);
	}
	assembler_stats(e, st);
	st->img.buffered_peak = e->img_held.peak;
	st->held_peak = e->bytes.peak;
	engine_live_stats(e, st);
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
	free(e->queues);
	free(e->src_end);
	free(e);
}
