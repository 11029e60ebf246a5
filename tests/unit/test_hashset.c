// SPDX-License-Identifier: GPL-2.0
/* hashset: exact sets against a naive oracle, duplicates, the zero digest,
 * loading files, and the registry's replace/lookup/kinds. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ewtest.h"
#include "lists/hashset.h"

#define EICAR_SHA256 "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill(uint8_t *p, size_t n, uint64_t *s)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng_next(s);
}

/* Every inserted digest is found; random others are not; and digests that
 * share a long prefix with members (same home slot) are told apart. */
static void members_and_strangers(void **state)
{
	const size_t n = 50000, len = 32;
	uint8_t *d = malloc(n * len), probe[32];
	uint64_t seed = 12345;
	struct hashset *s;

	(void)state;
	fill(d, n * len, &seed);
	s = hashset_build(LIST_SHA256, "rand", "test", d, n);
	assert_non_null(s);
	assert_int_equal(hashset_count(s), n);
	assert_int_equal(hashset_duplicates(s), 0);
	for (size_t i = 0; i < n; i++)
		assert_true(hashset_contains(s, d + i * len));
	for (size_t i = 0; i < n; i++) {
		memcpy(probe, d + i * len, len);
		probe[31] ^= 1;		/* same prefix, different digest */
		assert_false(hashset_contains(s, probe));
		fill(probe, len, &seed);
		assert_false(hashset_contains(s, probe));
	}
	/* at most 40 bytes per SHA-256 entry */
	assert_true(hashset_memory(s) <= 40 * n);
	hashset_free(s);
	free(d);
}

static void duplicates_and_zero(void **state)
{
	uint8_t d[5 * 20] = { 0 }, zero[20] = { 0 }, one[20] = { 0 };
	struct hashset *s;

	(void)state;
	memset(d + 20, 0xab, 20);
	memset(d + 40, 0xab, 20);	/* duplicate */
	d[60 + 19] = 1;
	/* d[80..99] is the all-zero digest, a legal member */
	s = hashset_build(LIST_SHA1, "dups", "c", d, 5);
	assert_non_null(s);
	assert_int_equal(hashset_count(s), 3);
	assert_int_equal(hashset_duplicates(s), 2);
	assert_true(hashset_contains(s, zero));
	one[19] = 1;
	assert_true(hashset_contains(s, one));
	one[19] = 2;
	assert_false(hashset_contains(s, one));
	assert_string_equal(hashset_name(s), "dups");
	assert_string_equal(hashset_category(s), "c");
	assert_int_equal(hashset_kind(s), LIST_SHA1);
	hashset_free(s);
}

static void empty_and_bad_args(void **state)
{
	uint8_t probe[16] = { 1 };
	char longname[80];
	struct hashset *s;

	(void)state;
	s = hashset_build(LIST_MD5, "empty", "", NULL, 0);
	assert_non_null(s);
	assert_false(hashset_contains(s, probe));
	hashset_free(s);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_null(hashset_build(LIST_MD5, longname, "", NULL, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(hashset_build(LIST_PDQ, "pdq", "", NULL, 0));
}

/* Clustered prefixes (one run much longer than the table's tail) still
 * build and look up correctly. */
static void clustered_prefixes(void **state)
{
	const size_t n = 3000;
	uint8_t *d = calloc(n, 16), probe[16];
	struct hashset *s;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		d[i * 16] = 0x80;	/* all share one home slot */
		d[i * 16 + 14] = (uint8_t)(i >> 8);
		d[i * 16 + 15] = (uint8_t)i;
	}
	s = hashset_build(LIST_MD5, "clustered", "", d, n);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		assert_true(hashset_contains(s, d + i * 16));
	memcpy(probe, d, 16);
	probe[13] = 1;
	assert_false(hashset_contains(s, probe));
	hashset_free(s);
	free(d);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void load_file(void **state)
{
	struct listfile_opts o = { .kind = LIST_SHA256 };
	char path[] = "/tmp/ew_hashset_XXXXXX";
	struct diag d;
	struct hashset *s = NULL;
	uint8_t eicar[32];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "# two lines, one digest\n" EICAR_SHA256 "\n" EICAR_SHA256 "\n");
	assert_int_equal(hashset_load(path, "l", "cat", &o, &d, &s), 0);
	assert_int_equal(hashset_count(s), 1);
	assert_int_equal(hashset_duplicates(s), 1);
	for (int i = 0; i < 32; i++)
		sscanf(EICAR_SHA256 + 2 * i, "%2hhx", &eicar[i]);
	assert_true(hashset_contains(s, eicar));
	hashset_free(s);
	/* a list with an error is rejected whole */
	write_file(path, EICAR_SHA256 "\nnot-a-digest\n");
	assert_int_equal(hashset_load(path, "l", "cat", &o, &d, &s), -EINVAL);
	assert_null(s);
	assert_int_equal(d.errors, 1);
	unlink(path);
}

static struct hashset *one_set(enum list_kind kind, const char *name, const char *cat,
			       uint8_t byte)
{
	uint8_t d[32];

	memset(d, byte, sizeof(d));
	return hashset_build(kind, name, cat, d, 1);
}

static void registry(void **state)
{
	struct hashdb *db = hashdb_new();
	struct hashdb_hit hits[4];
	struct hashset *sets[2];
	uint8_t d[32];

	(void)state;
	assert_non_null(db);
	sets[0] = one_set(LIST_SHA256, "feed", "A1", 0x11);
	sets[1] = one_set(LIST_MD5, "feed", "B1", 0x11);
	assert_int_equal(hashdb_replace(db, "feed", sets, 2), 0);
	sets[0] = one_set(LIST_SHA256, "local", "block", 0x11);
	assert_int_equal(hashdb_replace(db, "local", sets, 1), 0);
	assert_int_equal(hashdb_kinds(db), (1u << LIST_SHA256) | (1u << LIST_MD5));
	assert_int_equal(hashdb_groups(db), 2);
	memset(d, 0x11, sizeof(d));
	assert_int_equal(hashdb_lookup(db, LIST_SHA256, d, hits, 4), 2);
	assert_string_equal(hits[0].list, "feed");
	assert_string_equal(hits[0].category, "A1");
	assert_string_equal(hits[1].list, "local");
	assert_int_equal(hashdb_lookup(db, LIST_MD5, d, hits, 4), 1);
	assert_string_equal(hits[0].category, "B1");
	/* more hits than room: counted, not written past max */
	assert_int_equal(hashdb_lookup(db, LIST_SHA256, d, hits, 1), 2);
	/* reload replaces the group whole */
	sets[0] = one_set(LIST_SHA256, "feed", "A2", 0x22);
	assert_int_equal(hashdb_replace(db, "feed", sets, 1), 0);
	assert_int_equal(hashdb_lookup(db, LIST_SHA256, d, hits, 4), 1);
	assert_int_equal(hashdb_lookup(db, LIST_MD5, d, hits, 4), 0);
	memset(d, 0x22, sizeof(d));
	assert_int_equal(hashdb_lookup(db, LIST_SHA256, d, hits, 4), 1);
	assert_string_equal(hits[0].category, "A2");
	assert_int_equal(hashdb_entries(db), 2);
	/* n == 0 removes */
	assert_int_equal(hashdb_replace(db, "feed", NULL, 0), 0);
	assert_int_equal(hashdb_groups(db), 1);
	hashdb_free(db);
}

/* The config's lists and a policy's meet in one registry for the engine. */
static void registry_absorb(void **state)
{
	struct hashdb *a = hashdb_new(), *b = hashdb_new();
	struct hashdb_hit hits[4];
	struct hashset *sets[1];
	char dup[64] = "";
	uint8_t d[32];

	(void)state;
	sets[0] = one_set(LIST_SHA256, "config", "csam", 0x11);
	assert_int_equal(hashdb_replace(a, "config", sets, 1), 0);
	sets[0] = one_set(LIST_SHA256, "policy", "adult", 0x11);
	assert_int_equal(hashdb_replace(b, "policy", sets, 1), 0);
	assert_int_equal(hashdb_absorb(a, b, dup, sizeof(dup)), 0);
	assert_int_equal(hashdb_groups(a), 2);
	assert_int_equal(hashdb_groups(b), 0);
	memset(d, 0x11, sizeof(d));
	assert_int_equal(hashdb_lookup(a, LIST_SHA256, d, hits, 4), 2);
	/* a name in both: refused, nothing moves */
	sets[0] = one_set(LIST_MD5, "config", "x", 0x22);
	assert_int_equal(hashdb_replace(b, "config", sets, 1), 0);
	assert_int_equal(hashdb_absorb(a, b, dup, sizeof(dup)), -EEXIST);
	assert_string_equal(dup, "config");
	assert_int_equal(hashdb_groups(b), 1);
	assert_int_equal(hashdb_groups(a), 2);
	hashdb_free(a);
	hashdb_free(b);
}

static void registry_failed_reload_keeps_old(void **state)
{
	struct listfile_opts o = { .kind = LIST_SHA256 };
	char path[] = "/tmp/ew_hashset_XXXXXX";
	struct hashdb *db = hashdb_new();
	struct diag d;
	struct hashdb_hit hit;
	uint8_t eicar[32];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (int i = 0; i < 32; i++)
		sscanf(EICAR_SHA256 + 2 * i, "%2hhx", &eicar[i]);
	write_file(path, EICAR_SHA256 "\n");
	assert_int_equal(hashdb_load(db, "l", path, "malware-test", &o, &d), 0);
	write_file(path, "zz\n");
	assert_int_equal(hashdb_load(db, "l", path, "malware-test", &o, &d), -EINVAL);
	assert_int_equal(hashdb_lookup(db, LIST_SHA256, eicar, &hit, 1), 1);
	assert_string_equal(hit.category, "malware-test");
	hashdb_free(db);
	unlink(path);
}

static void sample_lists(void **state)
{
	struct listfile_opts o = { .kind = LIST_SHA256 };
	struct diag d;
	struct hashset *s;
	uint8_t eicar[32];

	(void)state;
	for (int i = 0; i < 32; i++)
		sscanf(EICAR_SHA256 + 2 * i, "%2hhx", &eicar[i]);
	assert_int_equal(hashset_load(ewtest_repo("policies/lists/sample-sha256.txt"), "s", "test",
				      &o, &d, &s), 0);
	assert_int_equal(hashset_count(s), 4);
	assert_true(hashset_contains(s, eicar));
	hashset_free(s);
	assert_int_equal(hashset_load(ewtest_repo("policies/lists/sample-hashes.csv"), "s", "test",
				      &o, &d, &s), 0);
	assert_int_equal(hashset_count(s), 3);
	assert_true(hashset_contains(s, eicar));
	hashset_free(s);
}

struct race {
	struct hashdb *db;
	atomic_int stop;
	atomic_int bad;
	atomic_long lookups;
};

static void *reader(void *arg)
{
	struct race *r = arg;
	struct hashdb_hit hit;
	uint8_t d[32];

	memset(d, 0x33, sizeof(d));
	while (!r->stop) {
		size_t n = hashdb_lookup(r->db, LIST_SHA256, d, &hit, 1);

		/* the list is always there, whole: old or new, never neither */
		if (n != 1 || (strcmp(hit.category, "old") && strcmp(hit.category, "new")))
			r->bad++;
		r->lookups++;
	}
	return NULL;
}

/* Readers look up while a writer replaces the list (300 times at least,
 * and until the readers have done 1000 lookups meanwhile); under ASan a
 * reader touching a freed table would abort the test. */
static void reload_under_readers(void **state)
{
	struct race r = { .db = hashdb_new() };
	struct hashset *s;
	pthread_t t[2];

	(void)state;
	s = one_set(LIST_SHA256, "l", "old", 0x33);
	assert_int_equal(hashdb_replace(r.db, "l", &s, 1), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader, &r), 0);
	/* at least 300 reloads, and until the readers have overlapped them */
	for (int i = 0; i < 300 || (r.lookups < 1000 && i < 1000000); i++) {
		s = one_set(LIST_SHA256, "l", i % 2 ? "old" : "new", 0x33);
		assert_int_equal(hashdb_replace(r.db, "l", &s, 1), 0);
	}
	r.stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(r.bad, 0);
	assert_true(r.lookups > 0);
	hashdb_free(r.db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(members_and_strangers),
		cmocka_unit_test(duplicates_and_zero),
		cmocka_unit_test(empty_and_bad_args),
		cmocka_unit_test(clustered_prefixes),
		cmocka_unit_test(load_file),
		cmocka_unit_test(registry),
		cmocka_unit_test(registry_absorb),
		cmocka_unit_test(registry_failed_reload_keeps_old),
		cmocka_unit_test(reload_under_readers),
		cmocka_unit_test(sample_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
