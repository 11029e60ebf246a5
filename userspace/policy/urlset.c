// SPDX-License-Identifier: GPL-2.0
/* urlset: host + path prefix entries and their lookup. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "urlset.h"

#define KEY_MAX (DOMAIN_MAX + 1 + URL_PATH_MAX)

/* Skips "http://" or "https://" (any case). */
static size_t scheme_len(const char *s, size_t n)
{
	if (n >= 7 && !strncasecmp(s, "http://", 7))
		return 7;
	if (n >= 8 && !strncasecmp(s, "https://", 8))
		return 8;
	return 0;
}

int url_parse(const char *s, size_t n, char *host, size_t *hostlen, const char **path,
	      size_t *pathlen, const char **why)
{
	size_t skip = scheme_len(s, n), hl;
	const char *slash, *colon;
	bool wild;

	s += skip, n -= skip;
	slash = memchr(s, '/', n);
	hl = slash ? (size_t)(slash - s) : n;
	colon = memchr(s, ':', hl);
	if (domain_normalize(s, colon ? (size_t)(colon - s) : hl, host, hostlen, &wild, why))
		return -EINVAL;
	if (wild) {
		*why = "a wildcard host (URL lists name hosts; use a domain list)";
		return -EINVAL;
	}
	*path = s + hl;
	*pathlen = n - hl;
	if (*pathlen == 1) /* "host/" is the whole host, as "host" */
		*pathlen = 0;
	if (*pathlen > URL_PATH_MAX) {
		*why = "a path longer than 2048 bytes";
		return -EINVAL;
	}
	return 0;
}

static size_t make_key(char *k, const char *host, size_t hostlen, const char *path, size_t plen)
{
	memcpy(k, host, hostlen);
	k[hostlen] = '\0';
	memcpy(k + hostlen + 1, path, plen);
	return hostlen + 1 + plen;
}

/* Host index of host, added if new. */
static int host_index(struct urlset *u, const char *host, size_t hostlen, uint32_t *idx)
{
	int err;

	if (strmap_get(&u->hosts, host, hostlen, idx))
		return 0;
	if (u->nhosts == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;
		struct url_host *h = realloc(u->host, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		u->host = h;
		u->cap = cap;
	}
	err = strmap_put(&u->hosts, host, hostlen, (uint32_t)u->nhosts, NULL);
	if (err < 0)
		return err;
	u->host[u->nhosts] = (struct url_host){0};
	*idx = (uint32_t)u->nhosts++;
	return 0;
}

static int add_len(struct url_host *h, size_t len)
{
	size_t i = 0;

	while (i < h->n && h->lens[i] < len)
		i++;
	if (i < h->n && h->lens[i] == len)
		return 0;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 4;
		uint16_t *v = realloc(h->lens, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->lens = v;
		h->cap = cap;
	}
	memmove(h->lens + i + 1, h->lens + i, (h->n - i) * sizeof(*h->lens));
	h->lens[i] = (uint16_t)len;
	h->n++;
	return 0;
}

int urlset_add(struct urlset *u, struct bitpool *bp, const char *host, size_t hostlen,
	       const char *path, size_t pathlen, unsigned bit)
{
	char k[KEY_MAX];
	size_t kl = make_key(k, host, hostlen, path, pathlen);
	uint32_t hi, id = 0;
	int err;

	if ((err = host_index(u, host, hostlen, &hi)) || (err = add_len(&u->host[hi], pathlen)))
		return err;
	if (!strmap_get(&u->keys, k, kl, &id))
		u->entries++;
	if ((err = bitpool_add_bit(bp, id, bit, &id)))
		return err;
	err = strmap_put(&u->keys, k, kl, id, NULL);
	return err < 0 ? err : 0;
}

void urlset_lookup(const struct urlset *u, const struct bitpool *bp, const char *key,
		   size_t keylen, const char *target, size_t tlen, struct polbits *out)
{
	const struct url_host *h;
	char k[KEY_MAX];
	uint32_t hi, id;
	size_t skip = scheme_len(target, tlen);

	if (!keylen || !strmap_get(&u->hosts, key, keylen, &hi))
		return;
	if (skip) { /* absolute form: from the path on */
		const char *slash = memchr(target + skip, '/', tlen - skip);

		tlen = slash ? tlen - (size_t)(slash - target) : 0;
		target = slash ? slash : target;
	}
	h = &u->host[hi];
	for (size_t i = 0; i < h->n && h->lens[i] <= tlen; i++) {
		size_t kl = make_key(k, key, keylen, target, h->lens[i]);

		if (strmap_get(&u->keys, k, kl, &id))
			polbits_or(out, bitpool_get(bp, id));
	}
}

void urlset_free(struct urlset *u)
{
	for (size_t i = 0; i < u->nhosts; i++)
		free(u->host[i].lens);
	free(u->host);
	strmap_free(&u->keys);
	strmap_free(&u->hosts);
	memset(u, 0, sizeof(*u));
}
