// SPDX-License-Identifier: GPL-2.0
/* pdqef: Elias-Fano buckets decode to exactly what was put in, for
 * universes from empty to large, empty and crowded buckets, and take the
 * size the layout promises. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lists/pdqef.h"

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Buckets of nb, each value of [0, universe) in a bucket with chance
 * 1 / spread (so several buckets may hold it, as pages do): builds the
 * table, walks every bucket, checks values and order. Returns its bits
 * per value. */
static double round_trip(unsigned nb, uint32_t universe, unsigned spread, uint64_t *s)
{
	uint32_t *len = calloc(nb, sizeof(*len)), **vals = calloc(nb, sizeof(*vals));
	size_t m = 0;
	struct pdqef t;
	double bits;
	uint64_t *mem;

	assert_non_null(len);
	assert_non_null(vals);
	for (unsigned v = 0; v < nb; v++) {
		vals[v] = malloc((universe + 1) * sizeof(**vals));
		assert_non_null(vals[v]);
		for (uint32_t x = 0; x < universe; x++)
			if (rng(s) % spread == 0)
				vals[v][len[v]++] = x;
		m += len[v];
	}
	assert_int_equal(pdqef_plan(&t, nb, len, universe), 0);
	mem = calloc(pdqef_words(&t), sizeof(*mem));
	assert_non_null(mem);
	pdqef_place(&t, mem);
	for (unsigned v = 0; v < nb; v++)
		for (uint32_t i = 0; i < len[v]; i++)
			pdqef_put(&t, v, i, vals[v][i]);
	pdqef_seal(&t);
	for (unsigned v = 0; v < nb; v++) {
		struct pdqef_iter it;
		uint32_t x, i = 0;

		pdqef_prefetch(&t, v);
		pdqef_iter_init(&t, v, &it);
		pdqef_iter_start(&it);
		while (pdqef_next(&it, &x)) {
			assert_true(i < len[v]);
			assert_int_equal(x, vals[v][i]);
			i++;
		}
		assert_int_equal(i, len[v]);
		free(vals[v]);
	}
	bits = m ? (double)(pdqef_words(&t) * 64) / (double)m : 0;
	free(mem);
	pdqef_free(&t);
	free(vals);
	free(len);
	return bits;
}

static void decodes_what_was_put(void **state)
{
	uint64_t s = 1;

	(void)state;
	round_trip(1, 0, 1, &s);		/* nothing at all */
	round_trip(4, 1, 1, &s);		/* one value, in every bucket */
	round_trip(16, 1, 3, &s);
	round_trip(64, 100, 1, &s);		/* full buckets */
	round_trip(64, 100, 50, &s);		/* mostly empty */
	round_trip(3, 5000, 2, &s);		/* few crowded buckets */
	round_trip(1000, 70000, 997, &s);	/* wide gaps */
}

/* About 2 + log2(universe / mean bucket) bits per value: 256 buckets of
 * about 256 of 65536 values take l = 8, 9 bits a value and 255 zeros a
 * bucket: 10 bits a value. */
static void size_near_bound(void **state)
{
	uint64_t s = 2;
	double bits;

	(void)state;
	bits = round_trip(256, 65536, 256, &s);
	assert_true(bits > 9.5);
	assert_true(bits < 10.5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_what_was_put),
		cmocka_unit_test(size_near_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
