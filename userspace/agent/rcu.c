// SPDX-License-Identifier: GPL-2.0
/* rcu: a pointer read by many threads, replaced by one (rcu.h has the
 * scheme and why it is safe). */
#include <time.h>

#include "rcu.h"

#define WAIT_NS 20000 /* between looks at a counter still in use */

void rcu_init(struct rcu *r, void *p)
{
	__atomic_store_n(&r->cur, p, __ATOMIC_SEQ_CST);
	r->epoch = 0;
	r->readers[0].n = r->readers[1].n = 0;
	r->waits = 0;
}

void *rcu_lock(struct rcu *r, unsigned *tok)
{
	unsigned i = __atomic_load_n(&r->epoch, __ATOMIC_SEQ_CST) & 1;

	__atomic_add_fetch(&r->readers[i].n, 1, __ATOMIC_SEQ_CST);
	*tok = i;
	return __atomic_load_n(&r->cur, __ATOMIC_SEQ_CST);
}

void rcu_unlock(struct rcu *r, unsigned tok)
{
	__atomic_sub_fetch(&r->readers[tok & 1].n, 1, __ATOMIC_SEQ_CST);
}

/* Flips the epoch and waits for the readers of the one it left. */
static void flip_and_wait(struct rcu *r)
{
	unsigned i = __atomic_fetch_add(&r->epoch, 1, __ATOMIC_SEQ_CST) & 1;
	struct timespec ts = {0, WAIT_NS};

	while (__atomic_load_n(&r->readers[i].n, __ATOMIC_SEQ_CST))
		nanosleep(&ts, NULL);
}

void *rcu_publish(struct rcu *r, void *p)
{
	void *old = __atomic_exchange_n(&r->cur, p, __ATOMIC_SEQ_CST);

	flip_and_wait(r);
	flip_and_wait(r);
	r->waits++;
	return old;
}

void *rcu_writer_get(struct rcu *r)
{
	return __atomic_load_n(&r->cur, __ATOMIC_SEQ_CST);
}
