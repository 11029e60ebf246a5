// SPDX-License-Identifier: GPL-2.0
/* Hash-sharing XML, second half: what the reader collected, as lookups,
 * counts, and exact sets plus a PDQ index installed into the registries
 * (hashset.c, pdqlist.c) with the classification as the category. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashxml_int.h"

bool hashxml_find(const struct hashxml *x, const char *id,
		  struct hashxml_entry_info *out)
{
	const struct xentry *e = hashxml_lookup(x, id);

	if (!e || !(e->flags & F_LIVE))
		return false;
	*out = (struct hashxml_entry_info){
		.id = e->id, .classification = x->cls[e->cls],
		.video = e->flags & F_VIDEO, .has_md5 = e->flags & F_MD5,
		.has_sha1 = e->flags & F_SHA1, .has_pdq = e->flags & F_PDQ,
		.md5 = e->md5, .sha1 = e->sha1, .pdq = &e->pdq, .line = e->line,
	};
	return true;
}

void hashxml_stats(const struct hashxml *x, struct hashxml_stats *s)
{
	*s = x->st;
	s->live = s->md5 = s->sha1 = s->pdq = 0;
	for (size_t i = 0; i < x->n; i++) {
		uint8_t f = x->e[i].flags;

		if (!(f & F_LIVE))
			continue;
		s->live++;
		s->md5 += !!(f & F_MD5);
		s->sha1 += !!(f & F_SHA1);
		s->pdq += !!(f & F_PDQ);
	}
}

/* The exact set of (kind, class), or NULL with errno 0 when it is empty. */
static struct hashset *build_set(const struct hashxml *x, const char *name,
				 enum list_kind kind, uint16_t cls)
{
	size_t len = list_kind_len(kind), n = 0;
	int flag = kind == LIST_MD5 ? F_MD5 : F_SHA1;
	uint8_t *d = malloc((x->n ? x->n : 1) * len);
	struct hashset *s;

	errno = ENOMEM;
	if (!d)
		return NULL;
	for (size_t i = 0; i < x->n; i++) {
		const struct xentry *e = &x->e[i];

		if ((e->flags & (F_LIVE | flag)) == (F_LIVE | flag) && e->cls == cls)
			memcpy(d + n++ * len, kind == LIST_MD5 ? e->md5 : e->sha1, len);
	}
	errno = 0;
	s = n ? hashset_build(kind, name, x->cls[cls], d, n) : NULL;
	free(d);
	return s;
}

static int install_exact(const struct hashxml *x, const char *name, struct hashdb *hdb)
{
	struct hashset **sets = calloc(2 * x->ncls, sizeof(*sets));
	size_t n = 0;
	int rc;

	if (!sets)
		return -ENOMEM;
	for (int k = LIST_MD5; k <= LIST_SHA1; k++) {
		for (size_t c = 0; c < x->ncls; c++) {
			struct hashset *s = build_set(x, name, (enum list_kind)k, (uint16_t)c);

			if (!s && errno) {
				while (n)
					hashset_free(sets[--n]);
				free(sets);
				return -errno;
			}
			if (s)
				sets[n++] = s;
		}
	}
	rc = hashdb_replace(hdb, name, sets, n);
	free(sets);
	return rc;
}

/* The PDQ index keeps list ids in a byte, so the classifications that
 * have PDQ hashes get dense ids in order of first use (id[] maps a
 * classification to its list id, or UINT16_MAX): at most
 * PDQINDEX_MAX_LISTS lists, -E2BIG past that. */
static int list_id(const struct hashxml *x, uint16_t cls, const char *name, unsigned threshold,
		   uint16_t *id, struct pdqlist_info *lists, size_t *nlists)
{
	if (id[cls] != UINT16_MAX)
		return id[cls];
	if (*nlists == PDQINDEX_MAX_LISTS)
		return -E2BIG;
	snprintf(lists[*nlists].name, sizeof(lists[*nlists].name), "%s", name);
	snprintf(lists[*nlists].category, sizeof(lists[*nlists].category), "%s", x->cls[cls]);
	lists[*nlists].threshold = threshold;
	id[cls] = (uint16_t)*nlists;
	return (int)(*nlists)++;
}

static int install_pdq(const struct hashxml *x, const char *name, unsigned threshold,
		       struct pdqdb *pdb)
{
	struct pdqindex_builder *b = pdqindex_builder_new();
	struct pdqlist_info *lists = calloc(PDQINDEX_MAX_LISTS, sizeof(*lists));
	uint16_t *id = malloc(x->ncls * sizeof(*id));
	struct pdqindex *ix;
	size_t nlists = 0;
	int rc = -ENOMEM;

	if (!b || !lists || !id)
		goto out;
	memset(id, 0xff, x->ncls * sizeof(*id));
	for (size_t i = 0; i < x->n; i++) {
		const struct xentry *e = &x->e[i];

		if ((e->flags & (F_LIVE | F_PDQ)) != (F_LIVE | F_PDQ))
			continue;
		rc = list_id(x, e->cls, name, threshold, id, lists, &nlists);
		if (rc >= 0)
			rc = pdqindex_builder_add(b, &e->pdq, (uint16_t)rc, PDQ_QUALITY_NONE,
						  e->id);
		if (rc)
			goto out;
	}
	if (!pdqindex_builder_count(b)) {
		rc = pdqdb_remove(pdb, name);
		rc = rc == -ENOENT ? 0 : rc;
		goto out;
	}
	ix = pdqindex_build(b);
	b = NULL;
	rc = ix ? pdqdb_replace(pdb, name, ix, lists, nlists) : -ENOMEM;
out:
	pdqindex_builder_free(b);
	free(id);
	free(lists);
	return rc;
}

int hashxml_install(const struct hashxml *x, const char *name,
		    unsigned pdq_threshold, struct hashdb *hdb,
		    struct pdqdb *pdb)
{
	int rc;

	if (strlen(name) >= HASHSET_NAME_MAX || pdq_threshold > 256)
		return -EINVAL;
	rc = install_exact(x, name, hdb);
	if (rc)
		return rc;
	return install_pdq(x, name, pdq_threshold, pdb);
}
