// SPDX-License-Identifier: GPL-2.0
/* ptable.c: plans by size class, fill and walk back, last rule wins,
 * cuckoo evictions up to a full table, and lookups that follow the XDP
 * program's rules (first bucket, the second only if the first spilled). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ptable_find.h"

static struct ptable_entry v4(uint32_t host_addr, uint8_t len, uint32_t rule)
{
	struct ptable_entry e = {.p = {.family = 4, .len = len}, .rule_id = rule};
	uint32_t be = __builtin_bswap32(host_addr);

	memcpy(e.p.addr, &be, 4);
	return e;
}

static struct ptable_entry v6(uint64_t hi, uint8_t len, uint32_t rule)
{
	struct ptable_entry e = {.p = {.family = 6, .len = len}, .rule_id = rule};
	uint64_t be = __builtin_bswap64(hi);

	memcpy(e.p.addr, &be, 8);
	return e;
}

static void *table(int family, const struct ptable_plan *pl)
{
	void *t = calloc((size_t)1 << pl->cls, ptable_bucket_size(family));

	assert_non_null(t);
	return t;
}

static void plans_pick_the_smallest_class(void **state)
{
	struct ptable_plan pl;

	(void)state;
	assert_int_equal(ptable_plan(4, 0, 0, 1, &pl), 0);
	assert_int_equal(pl.cls, EW_PT_CLASS_MIN);
	assert_int_equal(pl.nb, 1);
	assert_int_equal(ptable_plan(4, 100000, 0, 1, &pl), 0);
	assert_int_equal(pl.nb, 20409); /* 4.9 per seven slots: load 0.7 */
	assert_int_equal(pl.cls, 16);
	assert_int_equal(ptable_plan(6, 100000, 0, 1, &pl), 0);
	assert_int_equal(pl.nb, 23810); /* 4.2 per six IPv6 slots */
	assert_int_equal(ptable_plan(4, 100000, 1, 1, &pl), 0);
	assert_int_equal(pl.nb, 20409); /* the first retry only reseeds */
	assert_int_not_equal(pl.seed, 1);
	assert_int_equal(ptable_plan(4, 100000, 7, 1, &pl), 0);
	assert_int_equal(pl.nb, 20409 * 10 / 4); /* then each adds a quarter */
	assert_int_equal(pl.cls, 16);
	assert_int_equal(ptable_plan(4, 100000, 12, 1, &pl), 0);
	assert_int_equal(pl.cls, 18);
	assert_int_equal(ptable_plan(4, EW_BLOCK_MAX, 0, 1, &pl), 0);
	assert_true(((uint64_t)1 << pl.cls) >= pl.nb + 1);
	assert_int_equal(ptable_plan(6, EW_BLOCK_MAX, 0, 1, &pl), 0);
	assert_true(((uint64_t)1 << pl.cls) >= pl.nb + 1);
	assert_int_equal(ptable_plan(4, EW_BLOCK_MAX + 1, 0, 1, &pl), -E2BIG);
}

static int collect(const struct ptable_entry *e, void *ctx)
{
	uint32_t *sum = ctx;

	sum[0]++;
	sum[1] += e->rule_id;
	return 0;
}

/* 100,000 /32s and /24s: every one found with its rule, the walk sees
 * each once, absent prefixes are not found. */
static void fill_find_and_walk(void **state)
{
	enum { N = 100000 };
	struct ptable_entry *e = calloc(N, sizeof(*e));
	struct ptable_plan pl;
	uint32_t sum[2] = {0, 0}, want = 0;
	void *t;

	(void)state;
	for (uint32_t i = 0; i < N; i++) {
		e[i] = v4(i % 2 ? i * 0x9E3779B1u : (i * 0x9E3779B1u) << 8, i % 2 ? 32 : 24, i);
		want += i;
	}
	assert_int_equal(ptable_plan(4, N, 0, 7, &pl), 0);
	t = table(4, &pl);
	assert_int_equal(ptable_fill(4, t, &pl, e, N), N);
	assert_int_equal(ptable_head(t)->count, N);
	assert_int_equal(ptable_head(t)->lens[0], (1ull << 24) | (1ull << 32));
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(ptable_find(t, &e[i]), i);
	for (uint32_t i = 0; i < N; i++) {
		struct ptable_entry miss = e[i];

		miss.p.len = i % 2 ? 31 : 25;
		assert_int_equal(ptable_find(t, &miss), -1);
	}
	assert_int_equal(ptable_foreach(4, t, (size_t)1 << pl.cls, collect, sum), 0);
	assert_int_equal(sum[0], N);
	assert_int_equal(sum[1], want);
	free(t);
	free(e);
}

/* Repeats of a prefix take the last rule and count once. */
static void last_rule_wins(void **state)
{
	struct ptable_entry e[4] = {v4(0x0a000000, 8, 1), v4(0x0a000000, 16, 2),
				    v4(0x0a000000, 8, 3), v6(0xfd00ull << 48, 16, 4)};
	struct ptable_plan pl;
	void *t;

	(void)state;
	assert_int_equal(ptable_plan(4, 3, 0, 3, &pl), 0);
	t = table(4, &pl);
	assert_int_equal(ptable_fill(4, t, &pl, e, 3), 2);
	assert_int_equal(ptable_find(t, &e[0]), 3);
	assert_int_equal(ptable_find(t, &e[1]), 2);
	free(t);
	t = table(6, &pl);
	assert_int_equal(ptable_fill(6, t, &pl, &e[3], 1), 1);
	assert_int_equal(ptable_head(t)->lens[0], 1ull << 16);
	memset(t, 0, ((size_t)1 << pl.cls) * ptable_bucket_size(6));
	e[3].rule_id = EW_PT_RULE_MAX + 1; /* a rule id the meta word cannot hold */
	assert_int_equal(ptable_fill(6, t, &pl, &e[3], 1), -ERANGE);
	free(t);
}

/* Two buckets, fourteen slots: fourteen prefixes fit whatever their ways
 * (the evictions sort them out), every one is found, one more fails. */
static void evictions_fill_to_the_last_slot(void **state)
{
	enum { N = 2 * EW_PT4_SLOTS };
	struct ptable_plan pl = {.cls = EW_PT_CLASS_MIN, .nb = 2, .seed = 5};
	struct ptable_entry e[N + 1];
	const struct ew_pt4_bucket *b;
	void *t = table(4, &pl);
	int spilled = 0;

	(void)state;
	for (uint32_t i = 0; i <= N; i++)
		e[i] = v4(0xc0000200 + i, 32, 100 + i);
	assert_int_equal(ptable_fill(4, t, &pl, e, N), N);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(ptable_find(t, &e[i]), 100 + i);
	b = t;
	for (int i = 1; i <= 2; i++)
		for (int s = 0; s < EW_PT4_SLOTS; s++)
			assert_int_not_equal(EW_PT_PLEN1(b[i].meta[s]), 0);
	spilled = b[1].ovf || b[2].ovf;
	assert_true(spilled); /* with this seed some prefix sits in its second way */
	assert_int_equal(b[3].meta[0], 0); /* nothing past nb */
	memset(t, 0, ((size_t)1 << pl.cls) * ptable_bucket_size(4));
	assert_int_equal(ptable_fill(4, t, &pl, e, N + 1), -ENOSPC);
	free(t);
}

/* Random /32s at the planned load: a few plans at most (blocklist.c
 * tries 12), and the table stays in the class the first plan chose. */
static void random_million_fits(void **state)
{
	enum { N = 1000000 };
	struct ptable_entry *e = calloc(N, sizeof(*e));
	struct ptable_plan pl;
	uint64_t x = 88172645463325252ull;
	unsigned int attempt = 0;
	long n = -ENOSPC;
	void *t = NULL;

	(void)state;
	for (uint32_t i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		e[i] = v4((uint32_t)x, 32, i);
	}
	for (; n == -ENOSPC && attempt < 8; attempt++) {
		assert_int_equal(ptable_plan(4, N, attempt, 11, &pl), 0);
		free(t);
		t = table(4, &pl);
		n = ptable_fill(4, t, &pl, e, N);
	}
	print_message("1M random /32s: %u attempt(s), %u buckets, class 2^%u\n", attempt, pl.nb,
		      pl.cls);
	assert_true(n > N - 1000 && n <= N); /* a few random repeats */
	assert_true(attempt <= 2);
	assert_int_equal(pl.cls, 18); /* 16 MiB */
	free(t);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plans_pick_the_smallest_class),
		cmocka_unit_test(fill_find_and_walk),
		cmocka_unit_test(last_rule_wins),
		cmocka_unit_test(evictions_fill_to_the_last_slot),
		cmocka_unit_test(random_million_fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
