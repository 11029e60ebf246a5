// SPDX-License-Identifier: GPL-2.0
/* Hash list benchmarks, each against a baseline in the same run:
 *   exact lists: load time of N SHA-256 digests from a text file (baseline:
 *     reading the file alone), bytes per entry (hashset_memory and the RSS
 *     growth), and lookups/s (baseline: binary search in a sorted array);
 *   PDQ index: queries/s of the multi-index versus the index's own linear
 *     scan and a scan of a plain array of 32-byte hashes built with
 *     hardware popcount (the strongest brute force), bytes per entry.
 * Usage: lists_bench N [N...]   (e.g. 1000000 10000000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "lists/hashset.h"
#include "lists/pdqindex.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds (user + system) used so far: on a shared machine the wall
 * clock also counts other people's work. */
static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Resident set size in bytes, from /proc/self/statm. */
static size_t rss(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0, res = 0;

	if (f) {
		if (fscanf(f, "%lu %lu", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (size_t)sysconf(_SC_PAGESIZE);
}

static void random_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rng();

		memcpy(p + i, &v, n - i < 8 ? n - i : 8);
	}
}

/* Writes n random SHA-256 digests as a text list; keeps them in *out. */
static int write_list(const char *path, size_t n, uint8_t **out)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t *d = malloc(n * 32);
	FILE *f = fopen(path, "w");
	char line[66];

	if (!d || !f)
		return -1;
	random_bytes(d, n * 32);
	line[64] = '\n';
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < 32; k++) {
			line[2 * k] = hex[d[i * 32 + k] >> 4];
			line[2 * k + 1] = hex[d[i * 32 + k] & 15];
		}
		fwrite(line, 1, 65, f);
	}
	fclose(f);
	*out = d;
	return 0;
}

static double read_file(const char *path)
{
	static char buf[1 << 20];
	double t = now();
	FILE *f = fopen(path, "r");
	size_t sum = 0, k;

	while (f && (k = fread(buf, 1, sizeof(buf), f)) > 0)
		sum += (unsigned char)buf[k - 1];
	if (f)
		fclose(f);
	(void)sum;
	return now() - t;
}

static int cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

static void bench_exact(size_t n)
{
	char path[64];
	struct listfile_opts o = { .kind = LIST_SHA256 };
	struct diag d;
	struct hashset *s = NULL;
	uint8_t *dig = NULL, *sorted, probe[32];
	size_t r0, r1, q = 2000000, hits = 0, hits2 = 0;
	double tread, tload, cload, tlook, tbs;

	snprintf(path, sizeof(path), "/tmp/ew_lists_bench_%zu.txt", n);
	if (write_list(path, n, &dig)) {
		fprintf(stderr, "lists_bench: couldn't write '%s'\n", path);
		exit(1);
	}
	read_file(path);	/* warm the page cache for both */
	tread = read_file(path);
	r0 = rss();
	cload = cpu();
	tload = now();
	if (hashset_load(path, "bench", "bench", &o, &d, &s)) {
		fprintf(stderr, "lists_bench: load failed\n");
		exit(1);
	}
	tload = now() - tload;
	cload = cpu() - cload;
	r1 = rss();
	unlink(path);
	printf("sha256 list n=%zu: load %.2f s wall, %.2f s CPU (reading the file alone %.2f s, "
	       "x%.1f); %.1f bytes/entry (table), %.1f bytes/entry (RSS growth)\n",
	       n, tload, cload, tread, tload / tread, (double)hashset_memory(s) / (double)n,
	       (double)(r1 - r0) / (double)n);
	tlook = now();
	for (size_t i = 0; i < q; i++) {
		if (i & 1)
			random_bytes(probe, 32);
		else
			memcpy(probe, dig + (rng() % n) * 32, 32);
		hits += hashset_contains(s, probe);
	}
	tlook = now() - tlook;
	sorted = dig;
	qsort(sorted, n, 32, cmp32);
	tbs = now();
	for (size_t i = 0; i < q; i++) {
		if (i & 1)
			random_bytes(probe, 32);
		else
			memcpy(probe, sorted + (rng() % n) * 32, 32);
		hits2 += bsearch(probe, sorted, n, 32, cmp32) != NULL;
	}
	tbs = now() - tbs;
	printf("sha256 list n=%zu: lookup %.0f ns (half hits: %zu), binary search %.0f ns, "
	       "ratio x%.1f\n", n, tlook / (double)q * 1e9, hits, tbs / (double)q * 1e9,
	       tbs / tlook);
	(void)hits2;
	hashset_free(s);
	free(dig);
}

/* Brute force over a plain hash array, compiled for hardware popcount:
 * the strongest baseline. */
__attribute__((target("popcnt")))
static size_t scan_popcnt(const struct pdq_hash *h, size_t n, const struct pdq_hash *q)
{
	uint64_t w[4], x[4];
	size_t found = 0;

	memcpy(w, q->b, 32);
	for (size_t i = 0; i < n; i++) {
		memcpy(x, h[i].b, 32);
		found += __builtin_popcountll(x[0] ^ w[0]) + __builtin_popcountll(x[1] ^ w[1]) +
			 __builtin_popcountll(x[2] ^ w[2]) + __builtin_popcountll(x[3] ^ w[3]) <= 31;
	}
	return found;
}

/* Odd queries are random, even ones a random member with 0..31 bits
 * flipped. */
static void near_query(const struct pdq_hash *flat, size_t n, size_t i, struct pdq_hash *q)
{
	if (i & 1) {
		random_bytes(q->b, 32);
		return;
	}
	*q = flat[rng() % n];
	for (unsigned k = (unsigned)(rng() % 32); k; k--) {
		unsigned b = (unsigned)(rng() % 256);

		q->b[b / 8] ^= (uint8_t)(1u << (b % 8));
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define ROUNDS	15

/* Seconds per query over q queries of one kind (0 index, 1 the index's
 * scan, 2 popcnt scan of the plain array); *found accumulates the matches. */
static double time_queries(const struct pdqindex *ix, const struct pdq_hash *flat, size_t n,
			   int kind, size_t q, size_t *found)
{
	struct pdq_match m[64];
	struct pdq_hash h;
	double t = now();

	for (size_t i = 0; i < q; i++) {
		near_query(flat, n, i, &h);
		if (kind == 0)
			*found += pdqindex_query(ix, &h, 31, m, 64);
		else if (kind == 1)
			*found += pdqindex_query_scan(ix, &h, 31, m, 64);
		else
			*found += scan_popcnt(flat, n, &h);
	}
	return (now() - t) / (double)q;
}

/* Index and scans take turns in each round, so the load of a shared
 * machine hits both alike; the ratios are medians of per-round ratios.
 * The plain array the popcnt scan reads is made before the RSS baseline. */
static void bench_pdq(size_t n)
{
	struct pdq_hash *flat = malloc(n * sizeof(*flat));
	struct pdqindex_builder *b = pdqindex_builder_new();
	size_t qi = n >= 5000000 ? 100 : 300, found[3] = { 0 };
	double ti[ROUNDS], ts[ROUNDS], tp[ROUNDS], rs[ROUNDS], rp[ROUNDS], tb;
	struct pdqindex *ix;
	size_t r0, r1;

	if (!flat || !b)
		exit(1);
	random_bytes(flat->b, n * sizeof(*flat));
	r0 = rss();
	tb = now();
	for (size_t i = 0; i < n; i++)
		if (pdqindex_builder_add(b, &flat[i], 0, PDQ_QUALITY_NONE, NULL))
			exit(1);
	ix = pdqindex_build(b);
	tb = now() - tb;
	r1 = rss();
	if (!ix)
		exit(1);
	printf("pdq index n=%zu: built in %.2f s; %.1f bytes/entry (arrays), %.1f (RSS growth)\n",
	       n, tb, (double)pdqindex_memory(ix) / (double)n, (double)(r1 - r0) / (double)n);
	for (int r = 0; r < ROUNDS; r++) {
		ti[r] = time_queries(ix, flat, n, 0, qi, &found[0]);
		ts[r] = time_queries(ix, flat, n, 1, 1, &found[1]);
		tp[r] = time_queries(ix, flat, n, 2, 1, &found[2]);
		rs[r] = ts[r] / ti[r];
		rp[r] = tp[r] / ti[r];
	}
	printf("pdq index n=%zu: index %.0f queries/s (%.1f us), scan %.1f q/s, popcnt scan %.1f q/s;"
	       " median of %d rounds: index x%.0f faster than the scan, x%.0f than the popcnt scan"
	       " (%zu/%zu/%zu matches)\n", n, 1 / median(ti, ROUNDS), median(ti, ROUNDS) * 1e6,
	       1 / median(ts, ROUNDS), 1 / median(tp, ROUNDS), ROUNDS, median(rs, ROUNDS),
	       median(rp, ROUNDS), found[0], found[1], found[2]);
	pdqindex_free(ix);
	free(flat);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: lists_bench N [N...]\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		bench_exact(strtoul(argv[i], NULL, 0));
	for (int i = 1; i < argc; i++)
		bench_pdq(strtoul(argv[i], NULL, 0));
	return 0;
}
