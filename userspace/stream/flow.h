/* SPDX-License-Identifier: GPL-2.0 */
/* flow: the reassembler's flow table. A hash of canonical 5-tuples with
 * intrusive lists for timeouts: one idle list per class (least recently
 * active first) and one list by creation (hard timeout, flush order).
 * Used only by reasm.c. */
#ifndef EW_FLOW_H
#define EW_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "capture/seglist.h"
#include "stream.h"

/* Idle-list classes: each has its own idle timeout. */
enum flow_class { FLOW_CL_TCP, FLOW_CL_UDP, FLOW_CL_CLOSED, FLOW_CL_MAX };

#define FLOW_RECENT 4 /* delivered segments remembered per direction */

/* A delivered segment, remembered to recognise a retransmission of it
 * that carries other bytes. 32 bits of checksum: a collision only hides
 * an anomaly. */
struct flow_recent {
	uint64_t off;
	uint32_t len;
	uint32_t sum;
};

/* One TCP direction. Stream offsets are 64-bit: offset 0 is the byte after
 * the SYN (or the first byte seen, mid-stream), so 32-bit sequence numbers
 * wrap without special cases. */
struct flow_dir {
	uint8_t init;	     /* next_seq is known */
	uint8_t fin;	     /* fin_off is valid */
	uint8_t ended;	     /* end() was delivered */
	uint8_t ts_ok;	     /* ts_recent is valid */
	uint8_t syn_ts_ok;   /* syn_tsval is valid */
	uint8_t recent_next; /* the next recent[] slot (mod FLOW_RECENT) */
	uint32_t syn_tsval;  /* timestamp sent in this direction's SYN */
	uint32_t next_seq;   /* sequence number of next_off */
	uint32_t ts_recent;  /* last TCP timestamp value accepted (PAWS) */
	uint64_t next_off;   /* next byte to deliver */
	uint64_t fin_off;    /* offset of the FIN */
	/* held out-of-order bytes, past next_off; NULL when none (most
	 * directions never hold any: the list is allocated on demand) */
	struct seglist *ooo;
	struct flow_recent recent[FLOW_RECENT];
};

/* The first held segment of fd, or NULL. */
static inline struct seg *flow_held(const struct flow_dir *fd)
{
	return fd->ooo ? fd->ooo->head : NULL;
}

struct flow_link {
	struct flow *prev, *next;
};

/* One flow: 384 bytes with both directions (x86-64). */
struct flow {
	struct flow *hnext;
	struct flow_link idle; /* in the list of its class */
	struct flow_link age;  /* in the creation list */
	struct flow_info info;
	uint64_t last_ns;	/* last packet */
	void *user;		/* consumer's state; NULL: not interested */
	uint8_t cls;		/* enum flow_class */
	struct flow_dir dir[2]; /* by enum stream_dir */
};

/* Copies where direction d stands into f->info.seq (the consumers' view),
 * and marks it known once both directions are. */
static inline void flow_sync_seq(struct flow *f, int d)
{
	f->info.seq[d] = f->dir[d].next_seq;
	if (f->dir[0].init && f->dir[1].init)
		f->info.flags |= FLOW_SEQ_KNOWN;
}

/* Returns an empty table for up to about max flows (more are allowed; the
 * buckets grow with the flows, up to the power of two at or above max),
 * or NULL (errno set). */
struct flow_table *flow_table_new(size_t max);

/* Frees the table and every flow in it (flows' seglists included). */
void flow_table_free(struct flow_table *t);

/* Returns the flow with key, or NULL. */
struct flow *flow_table_get(struct flow_table *t, const struct ew_flow_key *key);

/* Adds a zeroed flow with key, class cls, last_ns now, at the tail of its
 * lists. Returns it (owned by the table), or NULL (errno set). */
struct flow *flow_table_add(struct flow_table *t, const struct ew_flow_key *key,
			    enum flow_class cls, uint64_t now);

/* Marks f active at now (tail of its idle list) in class cls. */
void flow_table_touch(struct flow_table *t, struct flow *f, enum flow_class cls, uint64_t now);

/* Unlinks and frees f and its held segments (flow_dir.ooo). */
void flow_table_del(struct flow_table *t, struct flow *f);

/* The least recently active flow of cls, the oldest flow, or NULL. */
struct flow *flow_table_idlest(struct flow_table *t, enum flow_class cls);
struct flow *flow_table_oldest(struct flow_table *t);

/* The flow created after f, or NULL. */
struct flow *flow_table_younger(struct flow *f);

size_t flow_table_count(const struct flow_table *t);

#endif
