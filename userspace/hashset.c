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
 * that spill over the end, so there is no wrap-around. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static uint64_t prefix(const uint8_t *k)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | k[i];
	return v;
}

static size_t home(const struct hashset *s, uint64_t pfx)
{
	return (size_t)(((unsigned __int128)pfx * s->cap) >> 64);
}

static int is_zero(const uint8_t *k, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (k[i])
			return 0;
	return 1;
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

/* Inserts key keeping runs sorted. Returns 0, 1 (duplicate), or -ENOSPC
 * when a run would spill past the tail. */
static int insert(struct hashset *s, const uint8_t *key)
{
	size_t len = s->klen, i, j;
	uint64_t kp = prefix(key);
	int c = -1;

	if (!kp && is_zero(key, len)) {
		if (s->has_zero)
			return 1;
		s->has_zero = 1;
		return 0;
	}
	for (i = home(s, kp); i < s->nslots; i++) {
		c = slot_cmp(s->slots + i * len, key, kp, len);
		if (c >= 0)
			break;
	}
	if (i == s->nslots)
		return -ENOSPC;
	if (c == 0)
		return 1;
	for (j = i; j < s->nslots && !is_zero(s->slots + j * len, len); j++)
		;
	if (j == s->nslots)
		return -ENOSPC;
	memmove(s->slots + (i + 1) * len, s->slots + i * len, (j - i) * len);
	memcpy(s->slots + i * len, key, len);
	return 0;
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
	s->slots = calloc(s->nslots, s->klen);
	if (!s->slots) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

struct hashset *hashset_build(enum list_kind kind, const char *name,
			      const char *category, const uint8_t *digests,
			      size_t n)
{
	size_t extra = 0;

	for (;;) {
		struct hashset *s = alloc_set(kind, name, category, n, extra);
		size_t i;
		int rc = 0;

		if (!s)
			return NULL;
		for (i = 0; i < n; i++) {
			/* the next keys' home slots: a miss each, overlapped */
			if (i + 8 < n)
				__builtin_prefetch(s->slots + s->klen *
					home(s, prefix(digests + (i + 8) * s->klen)), 1);
			rc = insert(s, digests + i * s->klen);
			if (rc < 0)
				break;
			s->dups += rc;
		}
		if (rc >= 0) {
			s->count = n - s->dups;
			return s;
		}
		/* a run reached the end of the tail: vanishingly rare for real
		 * digests; rebuild with a longer tail */
		extra = extra * 2 + s->cap / 8 + 1;
		hashset_free(s);
	}
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
	free(s->slots);
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
	memcpy(c->d + c->n++ * c->klen, r->digest, c->klen);
	return 0;
}

int hashset_load(const char *path, const char *name, const char *category,
		 const struct listfile_opts *o, struct listfile_diag *d,
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
	*out = hashset_build(o->kind, name, category, c.d, c.n);
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
		struct listfile_diag *d)
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
