// SPDX-License-Identifier: GPL-2.0
/* pdqindex: the multi-index must return exactly what a linear scan returns,
 * on random data, on adversarial data at the threshold, and on the
 * ThreatExchange-derived Hamming oracle in <test data>/pdq/hamming (tests/ewtest.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ewtest.h"
#include "lists/pdqindex.h"
#include "lists/pdqlist.h"

#define BRIDGE "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"
#define BRIDGE_SHARPEN "d8f8f0cee0f4a84f0e370222038f67f0b36e2ed596231e1d33e6b39c4e9c9b22"

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void random_hash(struct pdq_hash *h, uint64_t *s)
{
	for (int i = 0; i < 32; i += 8) {
		uint64_t v = rng(s);

		memcpy(h->b + i, &v, 8);
	}
}

static void flip(struct pdq_hash *h, unsigned bit)
{
	h->b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

/* Flips k distinct random bits. */
static void flip_random(struct pdq_hash *h, unsigned k, uint64_t *s)
{
	uint8_t used[256] = { 0 };

	while (k) {
		unsigned b = (unsigned)(rng(s) % 256);

		if (!used[b]) {
			used[b] = 1;
			flip(h, b);
			k--;
		}
	}
}

/* Index and scan agree on q at threshold t, entry by entry. Returns the
 * number of matches. */
static size_t agree(const struct pdqindex *ix, const struct pdq_hash *q, unsigned t)
{
	size_t n = pdqindex_count(ix) + 1;
	struct pdq_match *a = calloc(n, sizeof(*a)), *b = calloc(n, sizeof(*b));
	size_t na = pdqindex_query(ix, q, t, a, n), nb = pdqindex_query_scan(ix, q, t, b, n);

	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		struct pdq_hash h;

		pdqindex_hash(ix, a[i].entry, &h);
		assert_int_equal(a[i].entry, b[i].entry);
		assert_int_equal(a[i].distance, b[i].distance);
		assert_int_equal(a[i].distance, pdq_hash_distance(&h, q));
		assert_true(a[i].distance <= t);
		assert_int_equal(a[i].list, b[i].list);
		assert_int_equal(a[i].quality, b[i].quality);
		assert_string_equal(a[i].label, b[i].label);
	}
	free(a);
	free(b);
	return na;
}

static void hex_and_bit_order(void **state)
{
	struct pdq_hash h = { 0 }, g;
	char hex[PDQ_HEX_LEN + 1];

	(void)state;
	assert_int_equal(pdq_hash_from_hex(BRIDGE, 64, &h), 0);
	pdq_hash_to_hex(&h, hex);
	assert_string_equal(hex, BRIDGE);
	/* last hex digit '2' = bits 3..0 = 0010: bit 1 set, bit 0 clear */
	assert_int_equal(pdq_hash_get_bit(&h, 0), 0);
	assert_int_equal(pdq_hash_get_bit(&h, 1), 1);
	/* first hex digit 'd' = bits 255..252 = 1101 */
	assert_int_equal(pdq_hash_get_bit(&h, 255), 1);
	assert_int_equal(pdq_hash_get_bit(&h, 253), 0);
	memset(&g, 0, sizeof(g));
	pdq_hash_set_bit(&g, 0);
	pdq_hash_set_bit(&g, 255);
	pdq_hash_to_hex(&g, hex);
	assert_string_equal(hex, "8000000000000000000000000000000000000000000000000000000000000001");
	assert_int_equal(pdq_hash_from_hex("D8F8", 4, &g), -EINVAL);
	assert_int_equal(pdq_hash_from_hex("g8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22",
					   64, &g), -EINVAL);
	assert_int_equal(pdq_hash_from_hex(BRIDGE_SHARPEN, 64, &g), 0);
	assert_int_equal(pdq_hash_distance(&h, &g), 6);	/* MANIFEST: sharpen-a-little */
}

static struct pdqindex *random_index(size_t n, uint64_t *s, struct pdq_hash *keep)
{
	struct pdqindex_builder *b = pdqindex_builder_new();
	struct pdq_hash h;
	char label[16];

	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		random_hash(&h, s);
		if (i < 64)
			keep[i] = h;
		snprintf(label, sizeof(label), "e%zu", i);
		assert_int_equal(pdqindex_builder_add(b, &h, (uint16_t)(i % 3),
						      (uint8_t)(i % 101), label), 0);
	}
	return pdqindex_build(b);
}

static void random_equals_scan(void **state)
{
	static const unsigned ts[] = { 0, 5, 15, 16, 24, 31, 32, 45 };
	struct pdq_hash keep[64], q;
	uint64_t s = 0x9e3779b97f4a7c15ull;
	struct pdqindex *ix;
	size_t found = 0;

	(void)state;
	ix = random_index(20000, &s, keep);
	assert_non_null(ix);
	for (unsigned k = 0; k < 64; k++) {
		/* near a member: 0..47 bits away */
		q = keep[k];
		flip_random(&q, (k * 3) % 48, &s);
		for (size_t t = 0; t < sizeof(ts) / sizeof(ts[0]); t++)
			found += agree(ix, &q, ts[t]);
		random_hash(&q, &s);
		assert_int_equal(agree(ix, &q, 31), 0);
	}
	assert_true(found > 64);	/* the near queries did hit */
	pdqindex_free(ix);
}

/* Flips `per[c]` distinct random bits inside each 16-bit chunk c. */
static void flip_chunks(struct pdq_hash *h, const unsigned per[16], uint64_t *s)
{
	for (unsigned c = 0; c < 16; c++) {
		unsigned used = 0, k = per[c];

		while (k) {
			unsigned b = (unsigned)(rng(s) % 16);

			if (!(used & (1u << b))) {
				used |= 1u << b;
				flip(h, 16 * c + b);
				k--;
			}
		}
	}
}

/* Adds m entries shaped by pattern (chunk flip counts, rotated by a random
 * amount so every chunk takes every role). Returns their distance. */
static unsigned add_shaped(struct pdqindex_builder *b, const struct pdq_hash *q,
			   const unsigned pattern[16], unsigned m, uint16_t list, uint64_t *s)
{
	unsigned per[16], d = 0;

	for (unsigned c = 0; c < 16; c++)
		d += pattern[c];
	for (unsigned i = 0; i < m; i++) {
		struct pdq_hash h = *q;
		unsigned rot = (unsigned)(rng(s) % 16);

		for (unsigned c = 0; c < 16; c++)
			per[(c + rot) % 16] = pattern[c];
		flip_chunks(&h, per, s);
		assert_int_equal(pdq_hash_distance(&h, q), d);
		assert_int_equal(pdqindex_builder_add(b, &h, list, PDQ_QUALITY_NONE, NULL), 0);
	}
	return d;
}

static void adversarial_threshold(void **state)
{
	/* 31 with a single chunk within one bit: the pigeonhole's edge */
	static const unsigned d31a[16] = { 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 };
	/* 31 with one equal chunk and one chunk of 3 */
	static const unsigned d31b[16] = { 0, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 };
	/* 32 with no chunk within one bit: invisible to the index, must not match */
	static const unsigned d32a[16] = { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 };
	/* 32 found as a candidate (a chunk at 1) and rejected */
	static const unsigned d32b[16] = { 1, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 };
	/* 15 (a chunk is equal) and 16 (none is) for the exact-chunk path */
	static const unsigned d15[16] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	static const unsigned d16[16] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	uint64_t s = 77;
	struct pdqindex_builder *b = pdqindex_builder_new();
	struct pdqindex *ix;
	struct pdq_hash q, r;

	(void)state;
	random_hash(&q, &s);
	assert_int_equal(add_shaped(b, &q, d31a, 400, 1, &s), 31);
	assert_int_equal(add_shaped(b, &q, d31b, 400, 2, &s), 31);
	assert_int_equal(add_shaped(b, &q, d32a, 400, 3, &s), 32);
	assert_int_equal(add_shaped(b, &q, d32b, 400, 4, &s), 32);
	assert_int_equal(add_shaped(b, &q, d15, 100, 5, &s), 15);
	assert_int_equal(add_shaped(b, &q, d16, 100, 6, &s), 16);
	for (int i = 0; i < 5; i++)	/* exact duplicates of the query */
		assert_int_equal(pdqindex_builder_add(b, &q, 7, 90, "dup"), 0);
	for (int i = 0; i < 5000; i++) {	/* unrelated filler */
		random_hash(&r, &s);
		assert_int_equal(pdqindex_builder_add(b, &r, 8, 0, NULL), 0);
	}
	ix = pdqindex_build(b);
	assert_non_null(ix);
	assert_int_equal(agree(ix, &q, 31), 400 + 400 + 100 + 100 + 5);
	assert_int_equal(agree(ix, &q, 32), 400 * 4 + 100 + 100 + 5);
	assert_int_equal(agree(ix, &q, 30), 100 + 100 + 5);
	assert_int_equal(agree(ix, &q, 16), 100 + 100 + 5);
	assert_int_equal(agree(ix, &q, 15), 100 + 5);
	assert_int_equal(agree(ix, &q, 0), 5);
	pdqindex_free(ix);
}

/* How many of h[0..n) are within t of q: brute force on the hashes as
 * given, independent of the index's layout. */
static size_t brute(const struct pdq_hash *h, size_t n, const struct pdq_hash *q, unsigned t)
{
	size_t found = 0;

	for (size_t i = 0; i < n; i++)
		found += pdq_hash_distance(&h[i], q) <= t;
	return found;
}

/* Builds an index of h[0..n) with list i % 256, quality i % 101 and label
 * "i" on every seventh entry. */
static struct pdqindex *index_of(const struct pdq_hash *h, size_t n)
{
	struct pdqindex_builder *b = pdqindex_builder_new();
	char label[24];

	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "%zu", i);
		assert_int_equal(pdqindex_builder_add(b, &h[i], (uint16_t)(i % 256),
						      (uint8_t)(i % 101), i % 7 ? NULL : label), 0);
	}
	return pdqindex_build(b);
}

/* Index, scan and brute force agree on queries at and near each of the
 * first nq of the n entries. */
static void check_all(const struct pdqindex *ix, const struct pdq_hash *h, size_t n,
		      size_t nq, uint64_t *s)
{
	static const unsigned ts[] = { 0, 1, 15, 16, 30, 31, 32 };

	for (size_t i = 0; i < nq; i++) {
		struct pdq_hash q = h[i];

		flip_random(&q, (unsigned)(rng(s) % 40), s);
		for (size_t t = 0; t < sizeof(ts) / sizeof(ts[0]); t++) {
			assert_int_equal(agree(ix, &h[i], ts[t]), brute(h, n, &h[i], ts[t]));
			assert_int_equal(agree(ix, &q, ts[t]), brute(h, n, &q, ts[t]));
		}
	}
}

/* Near the all-zero hash: the padding lanes of a short last page hold
 * zero chunks too, so a query of zeros would report them if the index
 * did not know where its entries end. Every size from 0 to 13 (no page,
 * short pages, full pages), runs of equal chunk 0 across page edges,
 * lanes of one page sharing a chunk value. */
static void small_sizes_and_page_edges(void **state)
{
	struct pdq_hash h[13], zero = { 0 };
	uint64_t s = 5;

	(void)state;
	for (size_t n = 0; n <= 13; n++) {
		struct pdqindex *ix;

		for (size_t i = 0; i < n; i++) {
			memset(&h[i], 0, sizeof(h[i]));
			flip_random(&h[i], (unsigned)(rng(&s) % 34), &s);
			if (i % 3)	/* runs of equal chunk 0 */
				h[i].b[0] = h[i].b[1] = 0;
		}
		ix = index_of(h, n);
		assert_non_null(ix);
		assert_int_equal(pdqindex_count(ix), n);
		for (unsigned t = 0; t <= 40; t++)
			assert_int_equal(agree(ix, &zero, t), brute(h, n, &zero, t));
		check_all(ix, h, n, n, &s);
		pdqindex_free(ix);
	}
}

/* Chunk values at the bucket edges (0, 0xffff, and one bit from them),
 * long buckets that share a value in every chunk, empty buckets between. */
static void bucket_edges(void **state)
{
	static struct pdq_hash h[2003];
	static const uint16_t vals[] = { 0x0000, 0x0001, 0x8000, 0xffff, 0xfffe, 0x7fff };
	uint64_t s = 11;
	struct pdqindex *ix;

	(void)state;
	for (size_t i = 0; i < 2003; i++) {
		for (unsigned c = 0; c < 16; c++) {
			uint16_t v = vals[rng(&s) % 6];

			h[i].b[2 * c] = (uint8_t)(v >> 8);
			h[i].b[2 * c + 1] = (uint8_t)v;
		}
		if (i % 5 == 0)
			random_hash(&h[i], &s);
	}
	ix = index_of(h, 2003);
	assert_non_null(ix);
	check_all(ix, h, 2003, 150, &s);
	pdqindex_free(ix);
}

static int same_hash(const struct pdq_hash *a, const struct pdq_hash *b)
{
	return !memcmp(a->b, b->b, sizeof(a->b));
}

/* Every entry comes back whole (chunk 0 recovered from its bucket) with
 * its list, quality and label: labels on every seventh entry only, over
 * several rank blocks; list ids up to 255, 256 refused. The build number
 * is in bytes 28..31 so index order maps back to it. */
static void entries_round_trip(void **state)
{
	enum { N = 3001 };
	static struct pdq_hash h[N], g;
	static struct pdq_match m[N];
	struct pdqindex_builder *b;
	struct pdqindex *ix;
	char label[16];
	uint64_t s = 3;
	uint8_t seen[N] = { 0 };

	(void)state;
	for (uint32_t i = 0; i < N; i++) {
		random_hash(&h[i], &s);
		if (i % 4 == 1)	/* chunk 0 at both ends of its table */
			h[i].b[0] = h[i].b[1] = (uint8_t)(i % 8 == 1 ? 0 : 0xff);
		memcpy(h[i].b + 28, &i, sizeof(i));
	}
	ix = index_of(h, N);
	assert_non_null(ix);
	/* threshold 256: everything, in index order, by scan */
	assert_int_equal(pdqindex_query(ix, &h[0], 256, m, N), N);
	for (uint32_t e = 0; e < N; e++) {
		uint32_t i;

		assert_int_equal(m[e].entry, e);
		pdqindex_hash(ix, e, &g);
		memcpy(&i, g.b + 28, sizeof(i));
		assert_true(i < N);
		assert_true(same_hash(&g, &h[i]));
		assert_false(seen[i]);
		seen[i] = 1;
		assert_int_equal(m[e].distance, pdq_hash_distance(&g, &h[0]));
		assert_int_equal(m[e].list, i % 256);
		assert_int_equal(m[e].quality, i % 101);
		snprintf(label, sizeof(label), "%u", i);
		assert_string_equal(m[e].label, i % 7 ? "" : label);
	}
	pdqindex_free(ix);
	b = pdqindex_builder_new();
	assert_int_equal(pdqindex_builder_add(b, &h[0], PDQINDEX_MAX_LISTS - 1, 0, NULL), 0);
	assert_int_equal(pdqindex_builder_add(b, &h[0], PDQINDEX_MAX_LISTS, 0, NULL), -E2BIG);
	assert_int_equal(pdqindex_builder_count(b), 1);
	pdqindex_builder_free(b);
}

static void empty_index_and_truncation(void **state)
{
	struct pdqindex_builder *b = pdqindex_builder_new();
	struct pdqindex *ix = pdqindex_build(b);
	struct pdq_match m[2];
	struct pdq_hash q = { 0 };

	(void)state;
	assert_non_null(ix);
	assert_int_equal(pdqindex_query(ix, &q, 31, m, 2), 0);
	pdqindex_free(ix);
	b = pdqindex_builder_new();
	for (int i = 0; i < 5; i++)
		assert_int_equal(pdqindex_builder_add(b, &q, 0, 1, "z"), 0);
	ix = pdqindex_build(b);
	/* five matches, room for two: the count is still five */
	assert_int_equal(pdqindex_query(ix, &q, 31, m, 2), 5);
	assert_string_equal(m[0].label, "z");
	assert_int_equal(m[0].quality, 1);
	pdqindex_free(ix);
}

static int read_hashes(const char *path, struct pdq_hash *out, size_t max)
{
	FILE *f = fopen(path, "r");
	char line[128];
	size_t n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n < max) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		assert_int_equal(pdq_hash_from_hex(line, strlen(line), &out[n]), 0);
		n++;
	}
	fclose(f);
	return (int)n;
}

static int by_label(const void *a, const void *b)
{
	int x = atoi(((const struct pdq_match *)a)->label);
	int y = atoi(((const struct pdq_match *)b)->label);

	return (x > y) - (x < y);
}

/* needles x haystack at distance <= 31 must give expected_matches_d31.tsv,
 * line for line (it is sorted by needle, then haystack index). */
static void hamming_oracle(void **state)
{
	static struct pdq_hash needles[100], hay[1000];
	char line[512], want[512], hn[PDQ_HEX_LEN + 1], hh[PDQ_HEX_LEN + 1];
	struct pdq_match m[1000];
	struct pdqindex_builder *b;
	struct pdqindex *ix;
	int nn, nh, pairs = 0;
	FILE *tsv;

	(void)state;
	nn = read_hashes(ewtest_data("pdq/hamming/needles.txt"), needles, 100);
	nh = read_hashes(ewtest_data("pdq/hamming/haystack.txt"), hay, 1000);
	tsv = fopen(ewtest_data("pdq/hamming/expected_matches_d31.tsv"), "r");
	assert_non_null(tsv);
	assert_int_equal(nn, 67);
	assert_int_equal(nh, 900);
	b = pdqindex_builder_new();
	for (int i = 0; i < nh; i++) {
		snprintf(line, sizeof(line), "%d", i);
		assert_int_equal(pdqindex_builder_add(b, &hay[i], 0, PDQ_QUALITY_NONE, line), 0);
	}
	ix = pdqindex_build(b);
	assert_non_null(ix);
	assert_non_null(fgets(line, sizeof(line), tsv));	/* header */
	for (int i = 0; i < nn; i++) {
		size_t n = pdqindex_query(ix, &needles[i], 31, m, 1000);

		assert_true(n <= 1000);
		qsort(m, n, sizeof(*m), by_label);
		for (size_t k = 0; k < n; k++, pairs++) {
			int h = atoi(m[k].label);

			pdq_hash_to_hex(&needles[i], hn);
			pdq_hash_to_hex(&hay[h], hh);
			snprintf(want, sizeof(want), "%d\t%s\t%d\t%s\t%u\n", i, hn, h, hh,
				 m[k].distance);
			assert_non_null(fgets(line, sizeof(line), tsv));
			assert_string_equal(line, want);
		}
	}
	assert_null(fgets(line, sizeof(line), tsv));	/* nothing missed */
	assert_int_equal(pairs, 111);
	fclose(tsv);
	pdqindex_free(ix);
}

static void pdq_registry(void **state)
{
	struct listfile_opts o = { .kind = LIST_PDQ };
	struct pdqdb *db = pdqdb_new();
	struct diag d;
	struct pdqdb_hit hits[4];
	struct pdq_hash q;
	const char *sample = ewtest_repo("policies/lists/sample-pdq.csv");

	(void)state;
	assert_int_equal(pdqdb_load(db, "sample", sample, "test", 31, &o, &d), 0);
	assert_int_equal(pdqdb_entries(db), 4);
	assert_int_equal(pdq_hash_from_hex(BRIDGE_SHARPEN, 64, &q), 0);
	assert_int_equal(pdqdb_query(db, &q, hits, 4), 1);
	assert_string_equal(hits[0].list, "sample");
	assert_string_equal(hits[0].category, "test");
	assert_string_equal(hits[0].label, "bridge-mods__aaa-orig.jpg");
	assert_int_equal(hits[0].distance, 6);
	assert_int_equal(hits[0].quality, 100);
	assert_int_equal(hits[0].threshold, 31);
	/* a stricter list threshold: distance 6 is out */
	assert_int_equal(pdqdb_load(db, "sample", sample, "test", 5, &o, &d), 0);
	assert_int_equal(pdqdb_query(db, &q, hits, 4), 0);
	assert_int_equal(pdqdb_remove(db, "sample"), 0);
	assert_int_equal(pdqdb_remove(db, "sample"), -ENOENT);
	pdqdb_free(db);
}

/* A policy's PDQ lists join the config's for the engine (pdqdb_absorb). */
static void pdq_registry_absorb(void **state)
{
	struct listfile_opts o = { .kind = LIST_PDQ };
	struct pdqdb *a = pdqdb_new(), *b = pdqdb_new();
	const char *sample = ewtest_repo("policies/lists/sample-pdq.csv");
	struct pdqdb_hit hits[4];
	struct pdq_hash q;
	struct diag d;
	char dup[64];

	(void)state;
	assert_int_equal(pdqdb_load(a, "one", sample, "test", 31, &o, &d), 0);
	assert_int_equal(pdqdb_load(b, "two", sample, "test", 31, &o, &d), 0);
	assert_int_equal(pdqdb_absorb(a, b, dup, sizeof(dup)), 0);
	assert_int_equal(pdq_hash_from_hex(BRIDGE_SHARPEN, 64, &q), 0);
	assert_int_equal(pdqdb_query(a, &q, hits, 4), 2);
	assert_int_equal(pdqdb_query(b, &q, hits, 4), 0);
	assert_int_equal(pdqdb_load(b, "one", sample, "test", 31, &o, &d), 0);
	assert_int_equal(pdqdb_absorb(a, b, dup, sizeof(dup)), -EEXIST);
	assert_string_equal(dup, "one");
	pdqdb_free(a);
	pdqdb_free(b);
}

/* ThreatExchange-style "hash,label" text with a comment line, from the
 * test data. */
static void pdq_registry_te_text(void **state)
{
	const char *path = ewtest_data("pdq/blocklist_pdq.txt");
	struct listfile_opts o = { .kind = LIST_PDQ };
	struct pdqdb *db = pdqdb_new();
	struct diag d;
	struct pdqdb_hit hits[4];
	struct pdq_hash q;

	(void)state;
	assert_int_equal(pdqdb_load(db, "te", path, "blocklist", 31, &o, &d), 0);
	assert_int_equal(pdq_hash_from_hex(BRIDGE_SHARPEN, 64, &q), 0);
	assert_int_equal(pdqdb_query(db, &q, hits, 4), 1);
	assert_string_equal(hits[0].label, "bridge (aaa-orig.jpg)");
	assert_int_equal(hits[0].quality, -1);
	pdqdb_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hex_and_bit_order),
		cmocka_unit_test(random_equals_scan),
		cmocka_unit_test(adversarial_threshold),
		cmocka_unit_test(empty_index_and_truncation),
		cmocka_unit_test(small_sizes_and_page_edges),
		cmocka_unit_test(bucket_edges),
		cmocka_unit_test(entries_round_trip),
		cmocka_unit_test(hamming_oracle),
		cmocka_unit_test(pdq_registry),
		cmocka_unit_test(pdq_registry_absorb),
		cmocka_unit_test(pdq_registry_te_text),
	};
	return ewtest_run(tests);
}
