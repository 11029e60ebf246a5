/* SPDX-License-Identifier: GPL-2.0 */
/* budget: a byte or item cap shared by the workers of one engine, so that
 * a memory cap is global rather than per worker. Stages that hold memory
 * (reassembly buffers, flows, image buffers, alternate readings) take from a
 * budget before they hold and give back when they free; a take that would
 * pass the cap fails and the stage evicts or refuses, and counts it.
 * Lock-free: one atomic add per take or give. */
#ifndef EW_BUDGET_H
#define EW_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

struct budget {
	uint64_t used; /* atomic: __atomic builtins only */
	uint64_t peak; /* atomic */
	uint64_t max; /* set before sharing; 0 means unlimited */
};

static inline void budget_init(struct budget *b, uint64_t max)
{
	b->used = 0;
	b->peak = 0;
	b->max = max;
}

static inline void budget_note_peak(struct budget *b, uint64_t now)
{
	uint64_t p = __atomic_load_n(&b->peak, __ATOMIC_RELAXED);

	while (now > p &&
	       !__atomic_compare_exchange_n(&b->peak, &p, now, true, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
}

/* Takes n from b. Returns true, or false (nothing taken) when that would
 * pass the cap. */
static inline bool budget_take(struct budget *b, uint64_t n)
{
	uint64_t now = __atomic_add_fetch(&b->used, n, __ATOMIC_RELAXED);

	if (b->max && now > b->max) {
		__atomic_sub_fetch(&b->used, n, __ATOMIC_RELAXED);
		return false;
	}
	budget_note_peak(b, now);
	return true;
}

/* Takes n whatever the cap (memory already held). */
static inline void budget_force(struct budget *b, uint64_t n)
{
	budget_note_peak(b, __atomic_add_fetch(&b->used, n, __ATOMIC_RELAXED));
}

static inline void budget_give(struct budget *b, uint64_t n)
{
	__atomic_sub_fetch(&b->used, n, __ATOMIC_RELAXED);
}

static inline uint64_t budget_used(const struct budget *b)
{
	return __atomic_load_n(&b->used, __ATOMIC_RELAXED);
}

/* True when used is past the cap (after budget_force). */
static inline bool budget_over(const struct budget *b)
{
	return b->max && budget_used(b) > b->max;
}

#endif
