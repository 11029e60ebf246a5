// SPDX-License-Identifier: GPL-2.0
/* Exact hash lists: an ordered linear-probing table over raw digests, and a
 * registry of named lists that can be replaced while readers look up.
 * Fed by listfile.c and hashxml.c; queried by the matcher per object.
 *
 * Table layout (one flat array, no pointers, no per-entry metadata):
 *
 *   slot:  0      1      2      3      4            cap      cap+tail
 *         [d_a  ][d_b  ][0000 ][d_c  ][d_d  ] ... [      ]...[      ]
 *
 * A digest is already uniformly random, so its first 8 bytes are the hash:
 * home = (prefix * cap) >> 64, a monotone map of the key onto [0, cap).
 * Every run of occupied slots is kept sorted (Amble and Knuth's ordered
 * hash table): a search starts at home and stops at the key, at an empty
 * slot, or at the first bigger key, so misses (the common case) cost about
 * as little as hits. The all-zero digest marks an empty slot and is kept
 * out of band (has_zero). Load factor 0.85: 32/0.85 * (1 + 1/64) = 38.2
 * bytes per SHA-256 entry, 19.1 per MD5. A short tail past cap takes runs
 * that spill over the end, so there is no wrap-around.
 *
 * Building sorts the digests (radix passes, see sort_digests) and lays
 * them out in one sweep: no shifting, and the table is written front to
 * back. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bigmem.h"
#include "hashset.h"

#define LOAD_NUM	85	/* load factor, percent */
#define TAIL(cap)	((cap) / 64 + 64)

struct hashset {
	char name[HASHSET_NAME_MAX];
	char category[HASHSET_NAME_MAX];
	enum list_kind kind;
	size_t klen;
	size_t count, dups;
	size_t cap, nslots;
	int has_zero;
	uint8_t *slots;		/* nslots * klen bytes */
};

/* The first 8 bytes as a big-endian number: orders like memcmp. */
static uint64_t prefix(const uint8_t *k)
{
	uint64_t v;

	memcpy(&v, k, sizeof(v));
	return __builtin_bswap64(v);
}

/* memcpy of one digest, with the length a constant in each branch so the
 * compiler inlines it (a libc call per move dominated the build). */
static inline void dcopy(void *dst, const void *src, size_t len)
{
	if (len == 32)
		memcpy(dst, src, 32);
	else if (len == 20)
		memcpy(dst, src, 20);
	else
		memcpy(dst, src, 16);
}

static size_t home(const struct hashset *s, uint64_t pfx)
{
	return (size_t)(((unsigned __int128)pfx * s->cap) >> 64);
}

static int is_zero(const uint8_t *k, size_t len)
{
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, k + i, 8);
		acc |= w;
	}
	for (; i < len; i++)
		acc |= k[i];
	return !acc;
}

/* Compares slot with key (whose prefix is kp): <0, 0, >0; 2 for empty. */
static int slot_cmp(const uint8_t *slot, const uint8_t *key, uint64_t kp, size_t len)
{
	uint64_t sp = prefix(slot);
	int c;

	if (sp != kp) {
		if (!sp && is_zero(slot, len))
			return 2;
		return sp < kp ? -1 : 1;
	}
	if (!sp && is_zero(slot, len))
		return 2;
	c = memcmp(slot + 8, key + 8, len - 8);
	return (c > 0) - (c < 0);
}

bool hashset_contains(const struct hashset *s, const uint8_t *digest)
{
	size_t len = s->klen;
	uint64_t kp = prefix(digest);

	if (!kp && is_zero(digest, len))
		return s->has_zero;
	for (size_t i = home(s, kp); i < s->nslots; i++) {
		int c = slot_cmp(s->slots + i * len, digest, kp, len);

		if (c >= 0)
			return c == 0;
	}
	return false;
}

static struct hashset *alloc_set(enum list_kind kind, const char *name,
				 const char *category, size_t n, size_t extra_tail)
{
	struct hashset *s;

	if (kind >= LIST_PDQ || strlen(name) >= HASHSET_NAME_MAX ||
	    strlen(category) >= HASHSET_NAME_MAX) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	strcpy(s->name, name);
	strcpy(s->category, category);
	s->kind = kind;
	s->klen = list_kind_len(kind);
	s->cap = n * 100 / LOAD_NUM + 1;
	s->nslots = s->cap + TAIL(s->cap) + extra_tail;
	s->slots = bigmem_alloc(s->nslots * s->klen);
	if (!s->slots) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

static int cmp_digest(const void *a, const void *b, void *len)
{
	uint64_t x = prefix(a), y = prefix(b);

	if (x != y)
		return x < y ? -1 : 1;
	return memcmp((const uint8_t *)a + 8, (const uint8_t *)b + 8, *(size_t *)len - 8);
}

/* Insertion sort for the handful of digests left in a radix bucket. */
static void sort_small(uint8_t *d, size_t n, size_t len)
{
	uint8_t cur[32];

	for (size_t i = 1; i < n; i++) {
		size_t j = i;

		dcopy(cur, d + i * len, len);
		while (j && cmp_digest(d + (j - 1) * len, cur, &len) > 0)
			j--;
		if (j == i)
			continue;
		memmove(d + (j + 1) * len, d + j * len, (i - j) * len);
		dcopy(d + j * len, cur, len);
	}
}

/* Sorts n digests in place: in-place MSD radix passes (American flag sort)
 * byte by byte while buckets are big, insertion sort once they are small.
 * Each pass walks the array with 256 cursors that stay in cache, so the
 * sort is a few sequential sweeps rather than a cache miss per digest.
 * Digests sharing their first 8 bytes (only a crafted list has those) end
 * in qsort, so no input is quadratic. */
static void sort_digests(uint8_t *d, size_t n, size_t len, unsigned at)
{
	size_t count[256] = { 0 }, next[256], end[256], pos = 0;
	uint8_t tmp[32], cur[32];

	for (size_t i = 0; i < n; i++)
		count[d[i * len + at]]++;
	for (int b = 0; b < 256; b++) {
		next[b] = pos;
		pos += count[b];
		end[b] = pos;
	}
	for (int b = 0; b < 256; b++) {
		while (next[b] < end[b]) {
			uint8_t *slot = d + next[b] * len;
			unsigned tb = slot[at];

			if (tb == (unsigned)b) {
				next[b]++;
				continue;
			}
			/* carry the misplaced digest round its cycle */
			dcopy(cur, slot, len);
			while (tb != (unsigned)b) {
				uint8_t *dst = d + next[tb]++ * len;

				dcopy(tmp, dst, len);
				dcopy(dst, cur, len);
				dcopy(cur, tmp, len);
				tb = cur[at];
			}
			dcopy(slot, cur, len);
			next[b]++;
		}
	}
	for (size_t b = 0, start = 0; b < 256; start += count[b], b++) {
		uint8_t *p = d + start * len;

		if (count[b] <= 24)
			sort_small(p, count[b], len);
		else if (at < 7)
			sort_digests(p, count[b], len, at + 1);
		else
			qsort_r(p, count[b], len, cmp_digest, &len);
	}
}

/* Builds from a digest array the caller lets us reorder: sort, then place
 * each digest at its home or right after the previous one, whichever is
 * later. A first pass finds where the last run ends, so the tail is long
 * enough even for clustered digests. */
static struct hashset *build_owned(enum list_kind kind, const char *name,
				   const char *category, uint8_t *d, size_t n)
{
	size_t len = list_kind_len(kind), last = 0, need, i;
	struct hashset *s, probe = { .cap = n * 100 / LOAD_NUM + 1 };
	int have = 0;

	if (!len || kind >= LIST_PDQ) {
		errno = EINVAL;
		return NULL;
	}
	sort_digests(d, n, len, 0);
	for (i = 0; i < n; i++) {
		size_t h = home(&probe, prefix(d + i * len));

		last = have && h <= last ? last + 1 : h;
		have = 1;
	}
	need = last + 2 > probe.cap + TAIL(probe.cap) ? last + 2 - probe.cap - TAIL(probe.cap) : 0;
	s = alloc_set(kind, name, category, n, need);
	for (i = 0, have = 0; s && i < n; i++) {
		const uint8_t *k = d + i * len;
		size_t h = home(s, prefix(k));

		if (i && !memcmp(k, k - len, len)) {
			s->dups++;
			continue;
		}
		if (is_zero(k, len)) {
			s->has_zero = 1;
			continue;
		}
		last = have && h <= last ? last + 1 : h;
		have = 1;
		dcopy(s->slots + last * len, k, len);
	}
	if (s)
		s->count = n - s->dups;
	return s;
}

struct hashset *hashset_build(enum list_kind kind, const char *name,
			      const char *category, const uint8_t *digests,
			      size_t n)
{
	size_t len = list_kind_len(kind);
	uint8_t *d = malloc(n && len ? n * len : 1);
	struct hashset *s;

	if (!d)
		return NULL;
	if (n && len)
		memcpy(d, digests, n * len);
	s = build_owned(kind, name, category, d, n);
	free(d);
	return s;
}

const char *hashset_name(const struct hashset *s) { return s->name; }
const char *hashset_category(const struct hashset *s) { return s->category; }
enum list_kind hashset_kind(const struct hashset *s) { return s->kind; }
size_t hashset_count(const struct hashset *s) { return s->count; }
size_t hashset_duplicates(const struct hashset *s) { return s->dups; }

size_t hashset_memory(const struct hashset *s)
{
	return sizeof(*s) + s->nslots * s->klen;
}

void hashset_free(struct hashset *s)
{
	if (!s)
		return;
	bigmem_free(s->slots, s->nslots * s->klen);
	free(s);
}

/* Digests collected by hashset_load before the table is sized. */
struct collect {
	uint8_t *d;
	size_t n, cap, klen;
};

static int collect_one(void *ctx, const struct listfile_rec *r)
{
	struct collect *c = ctx;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 4096;
		uint8_t *p = realloc(c->d, ncap * c->klen);

		if (!p)
			return -ENOMEM;
		c->d = p;
		c->cap = ncap;
	}
	dcopy(c->d + c->n++ * c->klen, r->digest, c->klen);
	return 0;
}

int hashset_load(const char *path, const char *name, const char *category,
		 const struct listfile_opts *o, struct diag *d,
		 struct hashset **out)
{
	struct collect c = { .klen = list_kind_len(o->kind) };
	struct stat st;
	int rc;

	*out = NULL;
	if (o->kind >= LIST_PDQ)
		return -EINVAL;
	/* a plain list has about 2*klen+1 bytes a line: size the array once */
	if (!stat(path, &st) && st.st_size > 0) {
		c.cap = (size_t)st.st_size / (2 * c.klen + 1) + 16;
		c.d = malloc(c.cap * c.klen);
		if (!c.d)
			c.cap = 0;
	}
	rc = listfile_read(path, o, collect_one, &c, d);
	if (rc)
		goto out;
	if (o->kind >= LIST_PDQ || strlen(name) >= HASHSET_NAME_MAX) {
		rc = -EINVAL;
		goto out;
	}
	*out = build_owned(o->kind, name, category, c.d, c.n);
	if (!*out)
		rc = -errno;
out:
	free(c.d);
	return rc;
}

/* ---- registry ------------------------------------------------------------ */

struct hashdb_group {
	char name[HASHSET_NAME_MAX];
	size_t nsets;
	struct hashset **sets;
};

struct hashdb {
	pthread_rwlock_t lock;	/* guards groups[] and ngroups */
	struct hashdb_group **groups;
	size_t ngroups;
};

static void group_free(struct hashdb_group *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nsets; i++)
		hashset_free(g->sets[i]);
	free(g->sets);
	free(g);
}

struct hashdb *hashdb_new(void)
{
	struct hashdb *db = calloc(1, sizeof(*db));

	if (!db)
		return NULL;
	if (pthread_rwlock_init(&db->lock, NULL)) {
		free(db);
		errno = ENOMEM;
		return NULL;
	}
	return db;
}

/* Index of group name, or ngroups. Caller holds the lock. */
static size_t find_group(const struct hashdb *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->ngroups; i++)
		if (!strcmp(db->groups[i]->name, name))
			break;
	return i;
}

/* Puts g (NULL: removes) in place of group name; returns what it replaced
 * for the caller to free after unlocking. Caller holds the write lock. */
static struct hashdb_group *swap_group(struct hashdb *db, const char *name,
				       struct hashdb_group *g)
{
	size_t i = find_group(db, name);
	struct hashdb_group *old = i < db->ngroups ? db->groups[i] : NULL;

	if (g && old)
		db->groups[i] = g;
	else if (g)
		db->groups[db->ngroups++] = g;
	else if (old)
		db->groups[i] = db->groups[--db->ngroups];
	return old;
}

int hashdb_replace(struct hashdb *db, const char *name, struct hashset **sets,
		   size_t n)
{
	struct hashdb_group *g = NULL, *old, **grown;
	int rc = -EINVAL;

	if (strlen(name) >= HASHSET_NAME_MAX)
		goto fail;
	rc = -ENOMEM;
	if (n) {
		g = calloc(1, sizeof(*g));
		if (!g || !(g->sets = malloc(n * sizeof(*sets))))
			goto fail;
		strcpy(g->name, name);
		memcpy(g->sets, sets, n * sizeof(*sets));
		g->nsets = n;
	}
	/* grow the array under the lock: readers never see it move */
	pthread_rwlock_wrlock(&db->lock);
	grown = realloc(db->groups, (db->ngroups + 1) * sizeof(*grown));
	if (!grown) {
		pthread_rwlock_unlock(&db->lock);
		goto fail;
	}
	db->groups = grown;
	old = swap_group(db, name, g);
	pthread_rwlock_unlock(&db->lock);
	group_free(old);
	return 0;
fail:
	if (g)
		free(g->sets);
	free(g);
	for (size_t i = 0; i < n; i++)
		hashset_free(sets[i]);
	return rc;
}

int hashdb_load(struct hashdb *db, const char *name, const char *path,
		const char *category, const struct listfile_opts *o,
		struct diag *d)
{
	struct hashset *s;
	int rc = hashset_load(path, name, category, o, d, &s);

	if (rc)
		return rc;
	return hashdb_replace(db, name, &s, 1);
}

size_t hashdb_lookup(struct hashdb *db, enum list_kind kind,
		     const uint8_t *digest, struct hashdb_hit *hits, size_t max)
{
	size_t found = 0;

	pthread_rwlock_rdlock(&db->lock);
	for (size_t i = 0; i < db->ngroups; i++) {
		const struct hashdb_group *g = db->groups[i];

		for (size_t j = 0; j < g->nsets; j++) {
			const struct hashset *s = g->sets[j];

			if (s->kind != kind || !hashset_contains(s, digest))
				continue;
			if (found < max) {
				memcpy(hits[found].list, s->name, HASHSET_NAME_MAX);
				memcpy(hits[found].category, s->category, HASHSET_NAME_MAX);
			}
			found++;
		}
	}
	pthread_rwlock_unlock(&db->lock);
	return found;
}

unsigned hashdb_kinds(struct hashdb *db)
{
	unsigned kinds = 0;

	pthread_rwlock_rdlock(&db->lock);
	for (size_t i = 0; i < db->ngroups; i++)
		for (size_t j = 0; j < db->groups[i]->nsets; j++)
			kinds |= 1u << db->groups[i]->sets[j]->kind;
	pthread_rwlock_unlock(&db->lock);
	return kinds;
}

size_t hashdb_groups(struct hashdb *db)
{
	size_t n;

	pthread_rwlock_rdlock(&db->lock);
	n = db->ngroups;
	pthread_rwlock_unlock(&db->lock);
	return n;
}

size_t hashdb_entries(struct hashdb *db)
{
	size_t n = 0;

	pthread_rwlock_rdlock(&db->lock);
	for (size_t i = 0; i < db->ngroups; i++)
		for (size_t j = 0; j < db->groups[i]->nsets; j++)
			n += db->groups[i]->sets[j]->count;
	pthread_rwlock_unlock(&db->lock);
	return n;
}

void hashdb_swap(struct hashdb *live, struct hashdb *fresh)
{
	struct hashdb_group **g;
	size_t n;

	pthread_rwlock_wrlock(&fresh->lock);
	pthread_rwlock_wrlock(&live->lock);
	g = live->groups, n = live->ngroups;
	live->groups = fresh->groups, live->ngroups = fresh->ngroups;
	fresh->groups = g, fresh->ngroups = n;
	pthread_rwlock_unlock(&live->lock);
	pthread_rwlock_unlock(&fresh->lock);
}

int hashdb_absorb(struct hashdb *dst, struct hashdb *src, char *dup, size_t dup_len)
{
	struct hashdb_group **grown;

	for (size_t i = 0; i < src->ngroups; i++)
		if (find_group(dst, src->groups[i]->name) < dst->ngroups) {
			snprintf(dup, dup_len, "%s", src->groups[i]->name);
			return -EEXIST;
		}
	if (!src->ngroups)
		return 0;
	grown = realloc(dst->groups, (dst->ngroups + src->ngroups) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	memcpy(grown + dst->ngroups, src->groups, src->ngroups * sizeof(*grown));
	dst->groups = grown;
	dst->ngroups += src->ngroups;
	src->ngroups = 0;
	return 0;
}

void hashdb_free(struct hashdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->ngroups; i++)
		group_free(db->groups[i]);
	free(db->groups);
	pthread_rwlock_destroy(&db->lock);
	free(db);
}
