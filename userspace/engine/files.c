// SPDX-License-Identifier: GPL-2.0
/* files: capture files through the workers. Every worker reads every file
 * and keeps the packets of its own flows; non-owned packets only move its
 * clock, so flows time out at the same packet whatever the sharding. The
 * calling thread merges (merge.c). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "capture/pcapsrc.h"
#include "engine_int.h"

#define LEAD_MAX   (1u << 16) /* items a worker may run ahead of the slowest */
#define LEAD_CHECK 1024	      /* items between two looks at the others */

/* Waits while this worker is far ahead of the slowest one, so the merger
 * holds a bounded number of records. */
static void pace(struct worker *w)
{
	struct timespec ts = {0, 50000};
	struct engine *e = w->e;

	for (;;) {
		uint64_t slowest = ITEM_DONE;

		for (unsigned i = 0; i < e->n; i++) {
			uint64_t d = __atomic_load_n(&e->w[i].done, __ATOMIC_ACQUIRE);

			if (d < slowest)
				slowest = d;
		}
		if (w->item <= LEAD_MAX || slowest >= w->item - LEAD_MAX)
			return;
		nanosleep(&ts, NULL);
	}
}

static void worker_packet(struct worker *w, const struct pkt *p)
{
	bool l4 = (p->flags & PKT_F_L4) && (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP);

	w->item = p->num;
	if ((l4 ? engine_owner(w->e, &p->key) : 0) == w->idx)
		reasm_push(w->reasm, p); /* not L4: counted by worker 0 */
	else if (l4)
		reasm_expire(w->reasm, p->ts_ns);
	engine_publish(w, p->num + 1);
	if (p->num % LEAD_CHECK == 0)
		pace(w);
}

/* Adds this worker's share of a source's TCP counters: now - before, but
 * a peak is no counter, so the workers' own peaks are summed. */
static void add_tcp(struct reasm_stats *sum, const struct reasm_stats *now,
		    const struct reasm_stats *before)
{
	uint64_t *s = (uint64_t *)sum;
	const uint64_t *a = (const uint64_t *)now, *b = (const uint64_t *)before;

	for (size_t i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
		s[i] += a[i] - b[i];
	sum->buffered_peak += before->buffered_peak; /* so += now->buffered_peak */
}

/* What one worker read of a source, for the source's report. */
struct reading {
	struct capture_stats cap;
	struct pcapsrc_err err;
	uint64_t frames;
	int rc;
};

/* The mapping of source i, made by the first worker to get there (under
 * a lock of its own, not the merger's). NULL: each worker opens the file
 * itself (not a regular file, or it can't be mapped). */
static const struct pcapfile_map *map_get(struct engine *e, int i)
{
	struct srcmap *sm = &e->maps[i];

	pthread_mutex_lock(&e->map_lock);
	if (!sm->tried) {
		sm->rc = pcapfile_map(e->src[i].path, &sm->m);
		sm->tried = true;
	}
	pthread_mutex_unlock(&e->map_lock);
	return sm->rc ? NULL : &sm->m;
}

/* Worker w has read off bytes of source i's mapping: the pages every
 * worker has passed, but the last PCAPSRC_DROP_LAG, go back to the page
 * cache, so a long capture costs a bounded resident set. */
static void map_progress(struct engine *e, int i, unsigned w, size_t off)
{
	struct srcmap *sm = &e->maps[i];
	size_t slowest = SIZE_MAX;

	__atomic_store_n(&sm->off[w], off, __ATOMIC_RELAXED);
	for (unsigned k = 0; k < e->n; k++) {
		size_t o = __atomic_load_n(&sm->off[k], __ATOMIC_RELAXED);

		slowest = o < slowest ? o : slowest;
	}
	if (slowest < PCAPSRC_DROP_LAG)
		return;
	pthread_mutex_lock(&e->map_lock);
	if (slowest - PCAPSRC_DROP_LAG >= sm->dropped + PCAPSRC_DROP_STEP) {
		sm->dropped = slowest - PCAPSRC_DROP_LAG;
		pcapfile_map_drop(&sm->m, sm->dropped);
	}
	pthread_mutex_unlock(&e->map_lock);
}

static void map_put(struct engine *e, int i)
{
	struct srcmap *sm = &e->maps[i];

	pthread_mutex_lock(&e->map_lock);
	if (++sm->done == e->n)
		pcapfile_unmap(&sm->m);
	pthread_mutex_unlock(&e->map_lock);
}

static void read_frames(struct worker *w, const struct engine_source *s, uint64_t base,
			struct reading *rd)
{
	const char *path = s->path;
	struct defrag *d = defrag_new(NULL);
	struct pcapsrc_frame fr;
	struct pcapsrc *ps = NULL;
	const struct pcapfile_map *m;
	size_t seen = 0;
	struct pkt p;

	rd->rc = -ENOMEM;
	if (!d) {
		snprintf(rd->err.msg, sizeof(rd->err.msg), "couldn't read '%s': %s", path,
			 strerror(ENOMEM));
		return;
	}
	ps = pcapsrc_open_map(path, m = map_get(w->e, s->index), &rd->err);
	if (!ps)
		rd->rc = -errno;
	while (ps && (rd->rc = pcapsrc_next(ps, &fr, &rd->err)) == 1) {
		rd->frames = fr.num;
		if (m && pcapsrc_offset(ps) >= seen + PCAPSRC_DROP_STEP)
			map_progress(w->e, s->index, w->idx, seen = pcapsrc_offset(ps));
		if (ingest_frame(d, fr.linktype, fr.data, fr.caplen, base + fr.num, fr.ts_ns, &p,
				 &rd->cap))
			worker_packet(w, &p);
	}
	if (m)
		map_progress(w->e, s->index, w->idx, m->len); /* done with it */
	defrag_stats(d, &rd->cap.defrag);
	defrag_free(d);
	pcapsrc_close(ps);
	map_put(w->e, s->index);
}

/* Reads one source whole; returns the number of its flush item. */
static uint64_t worker_source(struct worker *w, struct engine_source *s, uint64_t base)
{
	struct engine *e = w->e;
	struct reasm_stats before, after;
	struct reading rd = {0};

	reasm_reset_peak(w->reasm);
	reasm_stats(w->reasm, &before);
	if (w->sink)
		objsink_set_source(w->sink, s->path);
	if (w->fs)
		flowsum_set_source(w->fs, s->path);
	if (w->fc)
		flowclass_set_source(w->fc, s->path);
	read_frames(w, s, base, &rd);
	w->item = base + rd.frames + 1; /* the flush: the source's flows end */
	reasm_flush(w->reasm);
	reasm_stats(w->reasm, &after);
	pthread_mutex_lock(&e->lock);
	add_tcp(&s->tcp, &after, &before);
	if (w->idx == 0) { /* every worker saw the same frames */
		s->cap = rd.cap;
		s->err = rd.rc < 0 ? rd.rc : 0;
		if (rd.rc < 0)
			snprintf(s->msg, sizeof(s->msg), "%s", rd.err.msg);
		e->src_end[s->index] = w->item;
	}
	pthread_mutex_unlock(&e->lock);
	engine_publish(w, w->item + 1);
	return w->item;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->e;
	uint64_t base = 0;

	if (w->e->conf.thread_start)
		w->e->conf.thread_start(w->e->conf.thread_ctx);
	for (int i = 0; i < e->nsrc; i++)
		base = worker_source(w, &e->src[i], base);
	engine_publish(w, ITEM_DONE);
	return NULL;
}

bool engine_sources_seekable(char *const *paths, int n)
{
	struct stat st;

	for (int i = 0; i < n; i++)
		if (!stat(paths[i], &st) && !S_ISREG(st.st_mode))
			return false;
	return true;
}

int engine_run_files(struct engine *e, struct engine_source *src, int n)
{
	unsigned started = 0;
	int rc = 0;

	if (e->src || e->live)
		return -EBUSY; /* one run per engine */
	for (int i = 0; i < n && e->n > 1; i++)
		if (!engine_sources_seekable((char *const *)&src[i].path, 1))
			return -ESPIPE; /* the workers would steal each other's frames */
	e->src = src;
	e->nsrc = n;
	e->src_end = calloc((size_t)n + 1, sizeof(*e->src_end));
	e->maps = calloc((size_t)n + 1, sizeof(*e->maps));
	if (!e->src_end || !e->maps)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		src[i].index = i;
	for (; started < e->n; started++)
		if (pthread_create(&e->w[started].th, NULL, worker_main, &e->w[started]))
			break;
	if (started < e->n) {
		/* the missing workers' flows would be lost: stop the run */
		for (unsigned i = started; i < e->n; i++)
			engine_publish(&e->w[i], ITEM_DONE);
		rc = -EAGAIN;
	}
	merge_ordered(e);
	for (unsigned i = 0; i < started; i++)
		pthread_join(e->w[i].th, NULL);
	for (int i = 0; i < n; i++) /* mapped by workers that then didn't all run */
		pcapfile_unmap(&e->maps[i].m);
	for (int i = 0; i < n && !rc; i++)
		rc = src[i].err;
	return rc;
}
