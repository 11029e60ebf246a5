// SPDX-License-Identifier: GPL-2.0
/* rcu: readers on four threads never see a freed object while the writer
 * publishes a new one and frees the old, thousands of times (under ASan a
 * use after free also aborts); a reader inside its section holds the
 * writer's grace period until it leaves. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent/rcu.h"

#define MAGIC	0x5eed5eedu
#define READERS 4
#define SWAPS	3000

struct obj {
	unsigned magic;
	unsigned gen;
};

struct shared {
	struct rcu r;
	int stop;
	int started; /* readers that have read once */
	unsigned long reads, bad;
	unsigned last_gen[READERS];
};

struct reader {
	struct shared *s;
	int idx;
};

static struct obj *obj_new(unsigned gen)
{
	struct obj *o = malloc(sizeof(*o));

	o->magic = MAGIC;
	o->gen = gen;
	return o;
}

static void obj_free(struct obj *o)
{
	if (!o)
		return;
	o->magic = 0xdead; /* what a reader would see if it still held it */
	free(o);
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct shared *s = rd->s;
	unsigned long reads = 0, bad = 0;
	unsigned last = 0, tok;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		struct obj *o = rcu_lock(&s->r, &tok);

		/* generations never go back for one reader */
		if (o->magic != MAGIC || o->gen < last)
			bad++;
		last = o->gen;
		for (volatile int spin = 0; spin < 50; spin++)
			;
		if (o->magic != MAGIC)
			bad++;
		rcu_unlock(&s->r, tok);
		if (!reads++)
			__atomic_add_fetch(&s->started, 1, __ATOMIC_RELEASE);
	}
	__atomic_add_fetch(&s->reads, reads, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->bad, bad, __ATOMIC_RELAXED);
	s->last_gen[rd->idx] = last;
	return NULL;
}

static void readers_never_see_freed(void **state)
{
	struct shared s = {0};
	struct reader rd[READERS];
	pthread_t th[READERS];

	(void)state;
	rcu_init(&s.r, obj_new(0));
	for (int i = 0; i < READERS; i++) {
		rd[i] = (struct reader){&s, i};
		assert_int_equal(pthread_create(&th[i], NULL, reader_main, &rd[i]), 0);
	}
	/* every reader in its loop first (a loaded machine may be slow to
	 * run them) */
	while (__atomic_load_n(&s.started, __ATOMIC_ACQUIRE) < READERS)
		usleep(1000);
	for (unsigned g = 1; g <= SWAPS; g++)
		obj_free(rcu_publish(&s.r, obj_new(g)));
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < READERS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(s.bad, 0);
	assert_true(s.reads > 0);
	assert_int_equal(s.r.waits, SWAPS);
	assert_int_equal(((struct obj *)rcu_writer_get(&s.r))->gen, SWAPS);
	obj_free(rcu_writer_get(&s.r));
}

struct holder {
	struct rcu *r;
	int entered, release;
};

static void *hold_main(void *arg)
{
	struct holder *h = arg;
	unsigned tok;

	rcu_lock(h->r, &tok);
	__atomic_store_n(&h->entered, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&h->release, __ATOMIC_ACQUIRE))
		usleep(1000);
	rcu_unlock(h->r, tok);
	return NULL;
}

struct pub {
	struct rcu *r;
	void *old;
	int done;
};

static void *pub_main(void *arg)
{
	struct pub *p = arg;
	static int second;

	p->old = rcu_publish(p->r, &second);
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void grace_period_waits_for_reader(void **state)
{
	static int first;
	struct rcu r;
	struct holder h = {.r = &r};
	struct pub p = {.r = &r};
	pthread_t th, tp;

	(void)state;
	rcu_init(&r, &first);
	assert_int_equal(pthread_create(&th, NULL, hold_main, &h), 0);
	while (!__atomic_load_n(&h.entered, __ATOMIC_ACQUIRE))
		usleep(1000);
	assert_int_equal(pthread_create(&tp, NULL, pub_main, &p), 0);
	usleep(50000);
	assert_int_equal(__atomic_load_n(&p.done, __ATOMIC_ACQUIRE), 0);
	__atomic_store_n(&h.release, 1, __ATOMIC_RELEASE);
	pthread_join(tp, NULL);
	pthread_join(th, NULL);
	assert_ptr_equal(p.old, &first);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(readers_never_see_freed),
		cmocka_unit_test(grace_period_waits_for_reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
