/* SPDX-License-Identifier: GPL-2.0 */
/* reasm internals shared by its three files, each calling only the ones
 * below it:
 *   reasm.c      the entry: flow table side (roles, timeouts, UDP)
 *   reasm_tcp.c  TCP segments of one direction
 *   reasm_out.c  the exit: delivery to stream_ops, closing, eviction
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

/* reasm_out.c: the exit. Delivers p[0..len) of direction d in order
 * (remembered for reasm_check_resend) to the consumer. */
void reasm_deliver(struct reasm *r, struct flow *f, int d, const uint8_t *p, size_t len,
		   uint64_t ts);

/* Gives up the bytes of direction d up to stream offset upto: gap(). */
void reasm_gap(struct reasm *r, struct flow *f, int d, uint64_t upto, uint64_t ts);

/* Delivers held segments of direction d that now touch the next byte,
 * never past its FIN; ends the direction when the FIN is reached. */
void reasm_drain(struct reasm *r, struct flow *f, int d, uint64_t ts);

/* A retransmission of delivered bytes at off: if it repeats one of the
 * last delivered segments exactly but with other bytes, that is a
 * conflicting overlap (the delivered copy stays). */
void reasm_check_resend(struct reasm *r, struct flow *f, int d, int64_t off, const uint8_t *p,
			size_t len, uint64_t ts);

/* Counts a conflicting overlap in direction d and tells the consumer. */
void reasm_anomaly(struct reasm *r, struct flow *f, int d, uint64_t ts);

/* Removes f from the table for good (tombstones included). */
void reasm_drop_flow(struct reasm *r, struct flow *f);

/* Closes f: gives up every hole of both directions (holes and a lost tail
 * become gaps, held bytes past a FIN are freed), ends them, tells the
 * consumer. A FIN/RST close keeps a tombstone (class CLOSED); other
 * reasons free f. */
void reasm_close_flow(struct reasm *r, struct flow *f, enum stream_close why, uint64_t ts);

/* Evicts one flow other than keep (need_buf: only TCP flows holding bytes):
 * a tombstone if any, else the idlest. Returns 0, or -ENOENT if none. */
int reasm_evict_one(struct reasm *r, const struct flow *keep, int need_buf, uint64_t ts);

/* reasm_tcp.c: handles TCP packet p of flow f, sent in direction d (enum stream_dir).
 * May close f (FIN/RST: f stays valid as a tombstone). Returns 0 or
 * -ENOMEM (the segment is dropped). */
int reasm_tcp_segment(struct reasm *r, struct flow *f, int d, const struct pkt *p);

#endif
