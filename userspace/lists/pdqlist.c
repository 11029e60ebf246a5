// SPDX-License-Identifier: GPL-2.0
/* PDQ lists: list files into pdqindex, and the registry the image stage
 * queries. Same shape as the exact-list registry in hashset.c: a group per
 * name, replaced whole under a write lock held only for the swap. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdqlist.h"

#define QUERY_STACK	64	/* results kept on the stack before allocating */

struct pdq_group {
	char name[HASHSET_NAME_MAX];
	struct pdqindex *ix;
	unsigned max_threshold;
	size_t nlists;
	struct pdqlist_info lists[];
};

struct pdqdb {
	pthread_rwlock_t lock;
	struct pdq_group **groups;
	size_t ngroups;
};

static void group_free(struct pdq_group *g)
{
	if (g)
		pdqindex_free(g->ix);
	free(g);
}

struct pdqdb *pdqdb_new(void)
{
	struct pdqdb *db = calloc(1, sizeof(*db));

	if (db && pthread_rwlock_init(&db->lock, NULL)) {
		free(db);
		errno = ENOMEM;
		return NULL;
	}
	return db;
}

/* Swaps g in for group name (g NULL: removes it); *old is the group it
 * replaced, for the caller to free outside the lock. Returns 0, -ENOMEM or
 * -ENOENT (nothing to remove). */
static int swap_in(struct pdqdb *db, const char *name, struct pdq_group *g,
		   struct pdq_group **old)
{
	struct pdq_group **grown;
	size_t i;
	int rc = 0;

	pthread_rwlock_wrlock(&db->lock);
	for (i = 0; i < db->ngroups && strcmp(db->groups[i]->name, name); i++)
		;
	*old = i < db->ngroups ? db->groups[i] : NULL;
	if (g && *old) {
		db->groups[i] = g;
	} else if (g) {
		grown = realloc(db->groups, (db->ngroups + 1) * sizeof(*grown));
		if (grown) {
			db->groups = grown;
			db->groups[db->ngroups++] = g;
		} else {
			rc = -ENOMEM;
		}
	} else if (*old) {
		db->groups[i] = db->groups[--db->ngroups];
	} else {
		rc = -ENOENT;
	}
	pthread_rwlock_unlock(&db->lock);
	return rc;
}

int pdqdb_replace(struct pdqdb *db, const char *name, struct pdqindex *ix,
		  const struct pdqlist_info *lists, size_t nlists)
{
	struct pdq_group *g = NULL, *old = NULL;
	int rc = -EINVAL;

	if (strlen(name) >= HASHSET_NAME_MAX || !nlists || nlists > UINT16_MAX)
		goto fail;
	rc = -ENOMEM;
	g = calloc(1, sizeof(*g) + nlists * sizeof(*lists));
	if (!g)
		goto fail;
	strcpy(g->name, name);
	g->ix = ix;
	g->nlists = nlists;
	memcpy(g->lists, lists, nlists * sizeof(*lists));
	for (size_t i = 0; i < nlists; i++)
		if (lists[i].threshold > g->max_threshold)
			g->max_threshold = lists[i].threshold;
	rc = swap_in(db, name, g, &old);
	if (rc)
		goto fail;
	group_free(old);
	return 0;
fail:
	if (g)
		group_free(g);
	else
		pdqindex_free(ix);
	return rc;
}

int pdqdb_remove(struct pdqdb *db, const char *name)
{
	struct pdq_group *old = NULL;
	int rc = swap_in(db, name, NULL, &old);

	group_free(old);
	return rc;
}

static int add_one(void *ctx, const struct listfile_rec *r)
{
	struct pdq_hash h;

	memcpy(h.b, r->digest, sizeof(h.b));
	return pdqindex_builder_add(ctx, &h, 0,
				    r->quality < 0 ? PDQ_QUALITY_NONE : (uint8_t)r->quality,
				    r->label);
}

int pdqdb_load(struct pdqdb *db, const char *name, const char *path,
	       const char *category, unsigned threshold,
	       const struct listfile_opts *o, struct diag *d)
{
	struct pdqlist_info info = { .threshold = threshold };
	struct pdqindex_builder *b;
	struct pdqindex *ix;
	int rc;

	if (o->kind != LIST_PDQ || strlen(name) >= HASHSET_NAME_MAX ||
	    strlen(category) >= HASHSET_NAME_MAX || threshold > 256)
		return -EINVAL;
	strcpy(info.name, name);
	strcpy(info.category, category);
	b = pdqindex_builder_new();
	if (!b)
		return -ENOMEM;
	rc = listfile_read(path, o, add_one, b, d);
	if (rc) {
		pdqindex_builder_free(b);
		return rc;
	}
	ix = pdqindex_build(b);
	if (!ix)
		return -ENOMEM;
	return pdqdb_replace(db, name, ix, &info, 1);
}

/* Hits of one group into hits[*found..]. Caller holds the read lock. */
static void query_group(const struct pdq_group *g, const struct pdq_hash *q,
			struct pdqdb_hit *hits, size_t max, size_t *found)
{
	struct pdq_match stack[QUERY_STACK], *m = stack;
	size_t n = pdqindex_query(g->ix, q, g->max_threshold, m, QUERY_STACK);

	if (n > QUERY_STACK) {
		m = malloc(n * sizeof(*m));
		if (!m) {	/* keep what fits on the stack */
			m = stack;
			n = QUERY_STACK;
		} else {
			pdqindex_query(g->ix, q, g->max_threshold, m, n);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct pdqlist_info *l = &g->lists[m[i].list < g->nlists ? m[i].list : 0];

		if (m[i].distance > l->threshold)
			continue;
		if (*found < max) {
			struct pdqdb_hit *h = &hits[*found];

			memcpy(h->list, l->name, sizeof(h->list));
			memcpy(h->category, l->category, sizeof(h->category));
			strncpy(h->label, m[i].label, sizeof(h->label) - 1);
			h->label[sizeof(h->label) - 1] = '\0';
			h->distance = m[i].distance;
			h->threshold = l->threshold;
			h->quality = m[i].quality == PDQ_QUALITY_NONE ? -1 : m[i].quality;
			h->dihedral = l->dihedral;
		}
		(*found)++;
	}
	if (m != stack)
		free(m);
}

size_t pdqdb_query(struct pdqdb *db, const struct pdq_hash *q,
		   struct pdqdb_hit *hits, size_t max)
{
	size_t found = 0;

	pthread_rwlock_rdlock(&db->lock);
	for (size_t i = 0; i < db->ngroups; i++)
		query_group(db->groups[i], q, hits, max, &found);
	pthread_rwlock_unlock(&db->lock);
	return found;
}

int pdqdb_set_dihedral(struct pdqdb *db, const char *name, bool on)
{
	int rc = -ENOENT;

	pthread_rwlock_wrlock(&db->lock);
	for (size_t i = 0; i < db->ngroups; i++) {
		if (strcmp(db->groups[i]->name, name))
			continue;
		for (size_t l = 0; l < db->groups[i]->nlists; l++)
			db->groups[i]->lists[l].dihedral = on;
		rc = 0;
	}
	pthread_rwlock_unlock(&db->lock);
	return rc;
}

bool pdqdb_dihedral(struct pdqdb *db)
{
	bool any = false;

	pthread_rwlock_rdlock(&db->lock);
	for (size_t i = 0; i < db->ngroups && !any; i++)
		for (size_t l = 0; l < db->groups[i]->nlists; l++)
			any |= db->groups[i]->lists[l].dihedral;
	pthread_rwlock_unlock(&db->lock);
	return any;
}

size_t pdqdb_entries(struct pdqdb *db)
{
	size_t n = 0;

	pthread_rwlock_rdlock(&db->lock);
	for (size_t i = 0; i < db->ngroups; i++)
		n += pdqindex_count(db->groups[i]->ix);
	pthread_rwlock_unlock(&db->lock);
	return n;
}

void pdqdb_swap(struct pdqdb *live, struct pdqdb *fresh)
{
	struct pdq_group **g;
	size_t n;

	pthread_rwlock_wrlock(&fresh->lock);
	pthread_rwlock_wrlock(&live->lock);
	g = live->groups, n = live->ngroups;
	live->groups = fresh->groups, live->ngroups = fresh->ngroups;
	fresh->groups = g, fresh->ngroups = n;
	pthread_rwlock_unlock(&live->lock);
	pthread_rwlock_unlock(&fresh->lock);
}

int pdqdb_absorb(struct pdqdb *dst, struct pdqdb *src, char *dup, size_t dup_len)
{
	struct pdq_group *old;

	for (size_t i = 0; i < src->ngroups; i++)
		for (size_t j = 0; j < dst->ngroups; j++)
			if (!strcmp(src->groups[i]->name, dst->groups[j]->name)) {
				snprintf(dup, dup_len, "%s", src->groups[i]->name);
				return -EEXIST;
			}
	while (src->ngroups) {
		struct pdq_group *g = src->groups[src->ngroups - 1];

		if (swap_in(dst, g->name, g, &old))
			return -ENOMEM; /* what moved stays moved; src keeps the rest */
		src->ngroups--;
	}
	return 0;
}

void pdqdb_free(struct pdqdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->ngroups; i++)
		group_free(db->groups[i]);
	free(db->groups);
	pthread_rwlock_destroy(&db->lock);
	free(db);
}
