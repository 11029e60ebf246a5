// SPDX-License-Identifier: GPL-2.0
/* reasm_out: the reassembler's exit, under reasm.c (flows) and
 * reasm_tcp.c (segments): delivers bytes, gaps and ends to the consumer
 * (stream_ops), remembers delivered segments to recognise resends, closes
 * and evicts flows. Calls nothing above it. Policies: docs/reassembly.md. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reasm_int.h"

/* ---- delivery to the consumer ------------------------------------------ */

/* A fast checksum of delivered bytes. Not cryptographic: a collision only
 * hides an anomaly, the first copy is kept either way. Four independent
 * lanes so the multiplies overlap, each in a register of its own (in an
 * array they went through memory: a store and a load per multiply, 2.4
 * times slower). */
static uint64_t sum64(const uint8_t *p, size_t n)
{
	const uint64_t k = 0xff51afd7ed558ccdull;
	uint64_t h0 = n, h1 = 1, h2 = 2, h3 = 3, w0, w1, w2, w3;
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		memcpy(&w0, p + i, 8);
		memcpy(&w1, p + i + 8, 8);
		memcpy(&w2, p + i + 16, 8);
		memcpy(&w3, p + i + 24, 8);
		h0 = (h0 ^ w0) * k;
		h1 = (h1 ^ w1) * k;
		h2 = (h2 ^ w2) * k;
		h3 = (h3 ^ w3) * k;
	}
	for (; i < n; i++)
		h0 = (h0 ^ p[i]) * 0x100000001b3ull;
	h0 = (h0 ^ (h1 >> 29) ^ h1) * k;
	h0 = (h0 ^ (h2 >> 29) ^ h2) * k;
	return (h0 ^ (h3 >> 29) ^ h3) * k;
}

/* The high half of sum64: it depends on every bit of every word (a bit of
 * a product only depends on the bits below it, so the low half would
 * miss differences in the upper bytes of a word). */
static uint32_t sum32(const uint8_t *p, size_t n)
{
	return (uint32_t)(sum64(p, n) >> 32);
}

void reasm_deliver(struct reasm *r, struct flow *f, int d, const uint8_t *p, size_t len,
		   uint64_t ts)
{
	struct flow_dir *fd = &f->dir[d];
	struct flow_recent *rc = &fd->recent[fd->recent_next++ % FLOW_RECENT];

	rc->off = fd->next_off;
	rc->len = (uint32_t)len;
	rc->sum = sum32(p, len);
	fd->next_off += len;
	fd->next_seq += (uint32_t)len;
	flow_sync_seq(f, d);
	r->st.bytes += len;
	if (f->user && len)
		r->ops->data(f->user, (enum stream_dir)d, p, len, ts);
}

void reasm_gap(struct reasm *r, struct flow *f, int d, uint64_t upto, uint64_t ts)
{
	struct flow_dir *fd = &f->dir[d];
	uint64_t len = upto - fd->next_off;

	if (upto <= fd->next_off)
		return;
	fd->next_off = upto;
	fd->next_seq += (uint32_t)len;
	flow_sync_seq(f, d);
	r->st.gaps++;
	r->st.gap_bytes += len;
	if (f->user)
		r->ops->gap(f->user, (enum stream_dir)d, len, ts);
}

static void end_dir(struct reasm *r, struct flow *f, int d, uint64_t ts)
{
	if (f->dir[d].ended)
		return;
	f->dir[d].ended = 1;
	if (f->user)
		r->ops->end(f->user, (enum stream_dir)d, ts);
}

/* Frees the held bytes of direction d (past its FIN, or at its close). */
static void drop_held(struct reasm *r, struct flow_dir *fd)
{
	if (!fd->ooo)
		return;
	reasm_held(r, -(int64_t)fd->ooo->mem);
	seglist_clear(fd->ooo);
	free(fd->ooo);
	fd->ooo = NULL;
}

/* Delivers held segments that now touch next_off, never past the FIN;
 * ends the direction when the FIN is reached. */
void reasm_drain(struct reasm *r, struct flow *f, int d, uint64_t ts)
{
	struct flow_dir *fd = &f->dir[d];
	uint64_t stop = fd->fin ? fd->fin_off : UINT64_MAX;
	struct seg *s;

	while ((s = flow_held(fd)) && s->off <= fd->next_off && fd->next_off < stop) {
		size_t before = fd->ooo->mem;
		uint64_t end;

		s = seglist_pop(fd->ooo);
		reasm_held(r, -(int64_t)(before - fd->ooo->mem));
		end = s->off + s->len < stop ? s->off + s->len : stop;
		if (end > fd->next_off)
			reasm_deliver(r, f, d, s->data + (fd->next_off - s->off),
				      (size_t)(end - fd->next_off), ts);
		free(s);
	}
	if (fd->ooo && !fd->ooo->head)
		drop_held(r, fd); /* empty: the list goes too */
	if (fd->fin && fd->next_off >= fd->fin_off) {
		drop_held(r, fd); /* bytes past the FIN are no data */
		end_dir(r, f, d, ts);
	}
}

/* Gives up every hole of direction d: delivers all held bytes up to its FIN
 * (gapping holes and a lost tail) and ends it. */
static void flush_dir(struct reasm *r, struct flow *f, int d, uint64_t ts)
{
	struct flow_dir *fd = &f->dir[d];

	reasm_drain(r, f, d, ts);
	while (flow_held(fd) && (!fd->fin || flow_held(fd)->off < fd->fin_off)) {
		reasm_gap(r, f, d, flow_held(fd)->off, ts);
		reasm_drain(r, f, d, ts);
	}
	if (fd->fin)
		reasm_gap(r, f, d, fd->fin_off, ts);
	drop_held(r, fd);
	end_dir(r, f, d, ts);
}

void reasm_check_resend(struct reasm *r, struct flow *f, int d, int64_t off, const uint8_t *p,
			size_t len, uint64_t ts)
{
	const struct flow_dir *fd = &f->dir[d];

	for (int i = 0; i < FLOW_RECENT; i++) {
		const struct flow_recent *rc = &fd->recent[i];

		if (rc->len != len || rc->off != (uint64_t)off || !len)
			continue;
		if (rc->sum != sum32(p, len))
			reasm_anomaly(r, f, d, ts);
		return;
	}
}

/* The first copy of overlapping bytes was kept and the other differed. */
void reasm_anomaly(struct reasm *r, struct flow *f, int d, uint64_t ts)
{
	r->st.conflicts++;
	if (f->user && r->ops->anomaly)
		r->ops->anomaly(f->user, (enum stream_dir)d, STREAM_ANOM_OVERLAP, ts);
}

/* ---- closing ----------------------------------------------------------- */

/* A FIN/RST close keeps a tombstone so stray late packets open nothing. */
void reasm_close_flow(struct reasm *r, struct flow *f, enum stream_close why, uint64_t ts)
{
	if (f->cls != FLOW_CL_CLOSED) {
		flush_dir(r, f, STREAM_C2S, ts);
		flush_dir(r, f, STREAM_S2C, ts);
		if (f->user)
			r->ops->flow_close(f->user, why, ts);
		f->user = NULL;
		r->st.flows_active--;
	}
	if (why == STREAM_CLOSE_FIN || why == STREAM_CLOSE_RST)
		flow_table_touch(r->t, f, FLOW_CL_CLOSED, ts);
	else
		reasm_drop_flow(r, f);
}

void reasm_drop_flow(struct reasm *r, struct flow *f)
{
	flow_table_del(r->t, f);
	budget_give(r->flows, 1);
}

/* Evicts one flow other than keep: a tombstone if any, else the idlest. */
int reasm_evict_one(struct reasm *r, const struct flow *keep, int need_buf, uint64_t ts)
{
	static const enum flow_class order[] = {FLOW_CL_CLOSED, FLOW_CL_UDP, FLOW_CL_TCP};

	for (size_t i = need_buf ? 2 : 0; i < 3; i++) {
		struct flow *f = flow_table_idlest(r->t, order[i]);

		while (f && (f == keep ||
			     (need_buf && !flow_held(&f->dir[0]) && !flow_held(&f->dir[1]))))
			f = f->idle.next;
		if (!f)
			continue;
		r->st.evictions += f->cls != FLOW_CL_CLOSED;
		reasm_close_flow(r, f, STREAM_CLOSE_EVICT, ts);
		return 0;
	}
	return -ENOENT;
}
