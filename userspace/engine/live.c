// SPDX-License-Identifier: GPL-2.0
/* live: the engine fed by live sources. Frames (from the mirror ring
 * buffer, tap mode) are decoded and defragmented in the source's thread and
 * handed to their flow's worker through a queue; byte-stream sources (the
 * transparent proxy, ICAP) get an inspector per thread. A merger thread
 * writes the records as they come.
 *
 *   source thread: ingest ─▶ owner(5-tuple) ─▶ pktq[w] ─▶ worker w: reasm ─▶ http ─▶ objsink ─┐
 *   proxy thread:  inspector (objsink, image stage) ──────────────────────────────────────────┤
 *                                                            merger thread ◀─ records ◀───────┘ */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_int.h"

#define PKTQ_CAP  8192 /* packets waiting per worker; more are dropped and counted */
#define TICK_S	  1    /* an idle worker still expires flows this often */

/* Frames for one worker: a single-producer, single-consumer ring. */
struct pktq {
	struct lpkt *slot[PKTQ_CAP];
	uint64_t head, tail; /* atomic: consumer's, producer's */
	int sleeping;	     /* atomic: the consumer waits on cond */
	int stop;	     /* under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

/* One packet on its way to a worker: its IP datagram, copied. */
struct lpkt {
	uint64_t num, ts_ns;
	uint32_t ifindex;
	uint16_t vlan;
	uint8_t tunnels;
	size_t len;
	uint8_t ip[];
};

struct live {
	pthread_t merger;
	int stop; /* atomic: the merger drains and ends */
	struct defrag *defrag;
	struct capture_stats cap;
	uint64_t num;	 /* frames pushed */
	uint64_t drops;	 /* packets dropped: a worker's queue was full */
	uint64_t errors; /* packets that would not decode twice (never expected) */
	unsigned started;
	struct pktq q[];
};

struct engine_inspector {
	struct engine_inspector *next; /* in the engine's list */
	struct engine *e;
	struct imgmatch *img;
	struct objsink *sink;
	struct outq q;
	uint64_t seq;
};

/* ---- the packet queue ---------------------------------------------------------- */

static int pktq_push(struct pktq *q, struct lpkt *p)
{
	uint64_t t = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);

	if (t - __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) == PKTQ_CAP)
		return -ENOBUFS;
	q->slot[t % PKTQ_CAP] = p;
	__atomic_store_n(&q->tail, t + 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->sleeping, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&q->lock);
		pthread_cond_signal(&q->cond);
		pthread_mutex_unlock(&q->lock);
	}
	return 0;
}

/* Sleeps until a packet comes, the queue is stopped or TICK_S passes. */
static void pktq_wait(struct pktq *q)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += TICK_S;
	pthread_mutex_lock(&q->lock);
	__atomic_store_n(&q->sleeping, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->head, __ATOMIC_RELAXED) ==
		    __atomic_load_n(&q->tail, __ATOMIC_SEQ_CST) &&
	    !q->stop)
		pthread_cond_timedwait(&q->cond, &q->lock, &ts);
	__atomic_store_n(&q->sleeping, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&q->lock);
}

/* The next packet, or NULL when there is none now. */
static struct lpkt *pktq_pop(struct pktq *q)
{
	uint64_t h = __atomic_load_n(&q->head, __ATOMIC_RELAXED);
	struct lpkt *p;

	if (h == __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE))
		return NULL;
	p = q->slot[h % PKTQ_CAP];
	__atomic_store_n(&q->head, h + 1, __ATOMIC_RELEASE);
	return p;
}

static bool pktq_stopped(struct pktq *q)
{
	bool stop;

	pthread_mutex_lock(&q->lock);
	stop = q->stop;
	pthread_mutex_unlock(&q->lock);
	return stop;
}

/* ---- workers --------------------------------------------------------------------- */

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The packets' clock as it stands now: the last packet's time plus the
 * wall time since it came (sources stamp packets with their own clock). */
struct clock {
	uint64_t pkt_ns, wall_ns;
};

static void worker_packet(struct worker *w, struct lpkt *lp, struct clock *c)
{
	struct pkt p = {.num = lp->num, .ts_ns = lp->ts_ns, .vlan = lp->vlan,
			.tunnels = lp->tunnels, .ifindex = lp->ifindex};
	struct pkt_err err;

	if (lp->ts_ns > c->pkt_ns) {
		c->pkt_ns = lp->ts_ns;
		c->wall_ns = wall_ns();
	}
	w->item = lp->num;
	if (packet_decode_ip(lp->ip, lp->len, 0, &p, &err) == 0)
		reasm_push(w->reasm, &p);
	else
		__atomic_add_fetch(&w->e->live->errors, 1, __ATOMIC_RELAXED);
	free(lp);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pktq *q = &w->e->live->q[w->idx];
	struct clock c = {0, wall_ns()};
	struct lpkt *p;

	if (w->e->conf.thread_start)
		w->e->conf.thread_start(w->e->conf.thread_ctx);
	for (;;) {
		while ((p = pktq_pop(q)))
			worker_packet(w, p, &c);
		if (pktq_stopped(q) && !(p = pktq_pop(q)))
			break;
		if (p) {
			worker_packet(w, p, &c);
			continue;
		}
		pktq_wait(q);
		if (c.pkt_ns) /* idle flows time out on the packets' clock */
			reasm_expire(w->reasm, c.pkt_ns + (wall_ns() - c.wall_ns));
	}
	reasm_flush(w->reasm); /* the flows' last objects reach the merger */
	return NULL;
}

/* ---- the source side ----------------------------------------------------------------- */

int engine_push_frame(struct engine *e, int linktype, const uint8_t *frame, size_t caplen,
		      uint64_t ts_ns, uint32_t ifindex)
{
	struct live *l = e->live;
	struct lpkt *lp;
	struct pkt p;
	unsigned w;

	if (!l)
		return -EINVAL;
	if (!ingest_frame(l->defrag, linktype, frame, caplen, ++l->num, ts_ns, &p, &l->cap))
		return 0;
	lp = malloc(sizeof(*lp) + p.l3_len);
	if (!lp)
		return -ENOMEM;
	*lp = (struct lpkt){.num = p.num, .ts_ns = p.ts_ns, .ifindex = ifindex, .vlan = p.vlan,
			    .tunnels = p.tunnels, .len = p.l3_len};
	memcpy(lp->ip, p.l3, p.l3_len);
	w = (p.flags & PKT_F_L4) ? engine_owner(e, &p.key) : 0;
	if (pktq_push(&l->q[w], lp)) {
		free(lp);
		l->drops++;
		return -ENOBUFS;
	}
	return 0;
}

static void *merger_main(void *arg)
{
	struct engine *e = arg;

	merge_live(e, &e->live->stop);
	return NULL;
}

static struct live *live_new(unsigned n)
{
	struct live *l = calloc(1, sizeof(*l) + n * sizeof(l->q[0]));

	if (!l)
		return NULL;
	l->defrag = defrag_new(NULL);
	if (!l->defrag) {
		free(l);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		pthread_mutex_init(&l->q[i].lock, NULL);
		pthread_cond_init(&l->q[i].cond, NULL);
	}
	return l;
}

int engine_start(struct engine *e)
{
	struct live *l;

	if (e->live || e->src)
		return -EBUSY;
	l = live_new(e->n);
	if (!l)
		return -ENOMEM;
	e->live = l;
	for (; l->started < e->n; l->started++)
		if (pthread_create(&e->w[l->started].th, NULL, worker_main, &e->w[l->started]))
			break;
	if (l->started < e->n || pthread_create(&l->merger, NULL, merger_main, e)) {
		engine_live_stop(e);
		return -EAGAIN;
	}
	return 0;
}

void engine_live_stop(struct engine *e)
{
	struct live *l = e->live;

	if (!l)
		return;
	for (unsigned i = 0; i < e->n; i++) {
		pthread_mutex_lock(&l->q[i].lock);
		l->q[i].stop = 1;
		pthread_cond_signal(&l->q[i].cond);
		pthread_mutex_unlock(&l->q[i].lock);
	}
	for (unsigned i = 0; i < l->started; i++)
		pthread_join(e->w[i].th, NULL);
	if (l->started == e->n) {
		__atomic_store_n(&l->stop, 1, __ATOMIC_RELEASE);
		pthread_join(l->merger, NULL);
	}
	for (unsigned i = 0; i < e->n; i++) {
		struct lpkt *p;

		while ((p = pktq_pop(&l->q[i])))
			free(p);
		pthread_mutex_destroy(&l->q[i].lock);
		pthread_cond_destroy(&l->q[i].cond);
	}
	defrag_free(l->defrag);
	free(l);
	e->live = NULL;
}

void engine_stop(struct engine *e)
{
	engine_live_stop(e);
}

/* The inspectors' objects, live and retired. */
static void inspector_stats(struct engine *e, struct engine_stats *st)
{
	pthread_mutex_lock(&e->lock);
	engine_sum(&st->obj, &e->retired.obj, sizeof(st->obj));
	engine_sum(&st->img, &e->retired.img, sizeof(st->img));
	engine_sum(&st->sandbox, &e->retired.sandbox, sizeof(st->sandbox));
	for (struct engine_inspector *in = e->insp; in; in = in->next)
		engine_sum_objects(st, in->sink, in->img);
	pthread_mutex_unlock(&e->lock);
}

void engine_live_stats(struct engine *e, struct engine_stats *st)
{
	struct live *l = e->live;

	inspector_stats(e, st);
	if (!l)
		return;
	st->cap = l->cap;
	defrag_stats(l->defrag, &st->cap.defrag);
	st->dispatch_drops = l->drops;
}

/* ---- inspectors ------------------------------------------------------------------------- */

static void inspector_emit(void *ctx, struct objrec *r)
{
	struct engine_inspector *in = ctx;

	r->seq = in->seq++;
	engine_queue(in->e, &in->q, r);
}

struct engine_inspector *engine_inspector_new(struct engine *e, const char *source,
					      void (*verdict)(void *, const struct obj_verdict *),
					      void *ctx)
{
	struct engine_inspector *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->e = e;
	if (engine_objects_new(e, &in->img, &in->sink, inspector_emit, in, verdict, ctx) ||
	    engine_add_queue(e, &in->q)) {
		objsink_free(in->sink);
		imgmatch_free(in->img);
		free(in);
		errno = ENOMEM;
		return NULL;
	}
	objsink_set_source(in->sink, source);
	pthread_mutex_lock(&e->lock);
	in->next = e->insp;
	e->insp = in;
	pthread_mutex_unlock(&e->lock);
	return in;
}

struct objsink *engine_inspector_sink(struct engine_inspector *in)
{
	return in->sink;
}

void engine_inspector_free(struct engine_inspector *in)
{
	struct engine *e;

	if (!in)
		return;
	e = in->e;
	engine_remove_queue(e, &in->q);
	pthread_mutex_lock(&e->lock);
	for (struct engine_inspector **p = &e->insp; *p; p = &(*p)->next)
		if (*p == in) {
			*p = in->next;
			break;
		}
	engine_sum_objects(&e->retired, in->sink, in->img); /* its counts stay counted */
	pthread_mutex_unlock(&e->lock);
	objsink_free(in->sink);
	imgmatch_free(in->img);
	free(in);
}
