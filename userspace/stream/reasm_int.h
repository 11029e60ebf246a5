/* SPDX-License-Identifier: GPL-2.0 */
/* reasm internals shared by reasm.c (flow table, roles, timeouts, caps,
 * entry points) and reasm_tcp.c (per-direction delivery, TCP segments).
 * Not for other stages: they use reasm.h. */
#ifndef EW_REASM_INT_H
#define EW_REASM_INT_H

#include "flow.h"
#include "reasm.h"
#include "util/budget.h"

struct reasm {
	struct reasm_conf conf;
	const struct stream_ops *ops;
	void *ctx;
	struct flow_table *t;
	struct reasm_stats st;
	struct budget *flows, *bytes; /* shared caps, or own_* */
	struct budget own_flows, own_bytes;
};

/* Accounts delta bytes of held out-of-order data (negative: freed). */
static inline void reasm_held(struct reasm *r, int64_t delta)
{
	r->st.buffered += (uint64_t)delta;
	if (r->st.buffered > r->st.buffered_peak)
		r->st.buffered_peak = r->st.buffered;
	if (delta >= 0)
		budget_force(r->bytes, (uint64_t)delta);
	else
		budget_give(r->bytes, (uint64_t)-delta);
}

/* Removes f from the table for good (tombstones included). */
void reasm_drop_flow(struct reasm *r, struct flow *f);

/* Closes f: flushes both directions, tells the consumer. A FIN/RST close
 * keeps a tombstone (class CLOSED); other reasons free f. */
void reasm_close_flow(struct reasm *r, struct flow *f, enum stream_close why, uint64_t ts);

/* Evicts one flow other than keep (need_buf: only TCP flows holding bytes):
 * a tombstone if any, else the idlest. Returns 0, or -ENOENT if none. */
int reasm_evict_one(struct reasm *r, const struct flow *keep, int need_buf, uint64_t ts);

/* Gives up every hole of direction d: delivers all held bytes up to its
 * FIN (gapping holes and a lost tail), frees the rest and ends it. */
void reasm_flush_dir(struct reasm *r, struct flow *f, int d, uint64_t ts);

/* Handles TCP packet p of flow f, sent in direction d (enum stream_dir).
 * May close f (FIN/RST: f stays valid as a tombstone). Returns 0 or
 * -ENOMEM (the segment is dropped). */
int reasm_tcp_segment(struct reasm *r, struct flow *f, int d, const struct pkt *p);

#endif
