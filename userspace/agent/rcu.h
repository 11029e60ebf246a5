/* SPDX-License-Identifier: GPL-2.0 */
/* rcu: one pointer that many threads read while one thread replaces it,
 * and the old object freed only once no reader can still hold it. The
 * agent's policy in force lives behind one (agent.c): proxy loops, engine
 * workers and the event writer read it per decision; a reload publishes
 * a new one and frees the old after a grace period.
 *
 * The scheme is sleepable RCU with two reader counters (Linux's SRCU in
 * its simplest form):
 *
 *   reader:  i = epoch & 1; readers[i]++;  p = cur;  ... use p ...;  readers[i]--
 *   writer:  cur = new;  twice { i = epoch & 1; epoch++; wait until readers[i] == 0 }
 *            then free old
 *
 * Every step is sequentially consistent. A reader that can still see the
 * old pointer incremented a counter before it loaded cur; the writer's
 * store to cur came earlier in the single order of those steps, or the
 * reader loads the new pointer. Whichever counter that reader chose, one
 * of the two waits finds it (a reader that read the epoch before a flip
 * but counted after its wait loads the new pointer). New readers go to
 * the other counter after each flip, so a wait lasts at most as long as
 * the read sections that began before it: a writer is never starved.
 *
 * Readers: no lock, no allocation, two atomic additions on a shared
 * counter. Read sections must be short and must not block (a decision,
 * an event line). One writer at a time (the agent's main thread). */
#ifndef EW_AGENT_RCU_H
#define EW_AGENT_RCU_H

#include <stdint.h>

struct rcu {
	void *cur;
	unsigned epoch;
	/* apart, so readers of one epoch do not share a line with the other */
	struct {
		unsigned long n;
		char pad[64 - sizeof(unsigned long)];
	} readers[2] __attribute__((aligned(64)));
	uint64_t waits; /* grace periods waited (for tests and status) */
};

/* Starts with p in force (NULL allowed). */
void rcu_init(struct rcu *r, void *p);

/* Enters a read section: returns the pointer in force, valid until
 * rcu_unlock(r, *tok). */
void *rcu_lock(struct rcu *r, unsigned *tok);
void rcu_unlock(struct rcu *r, unsigned tok);

/* Publishes p and waits until no reader can hold the pointer it
 * replaced, which it returns for the caller to free. Writer only. */
void *rcu_publish(struct rcu *r, void *p);

/* The pointer in force, for the writer (no read section needed). */
void *rcu_writer_get(struct rcu *r);

#endif
