// SPDX-License-Identifier: GPL-2.0
/* hash: streaming MD5/SHA-1/SHA-256 over OpenSSL EVP for object bodies,
 * between the object producers (http) and the matchers (objsink, range). */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/hex.h"
#include "hash.h"

static const struct {
	const char *name;
	size_t len;
} types[HASH_T_MAX] = {
	[HASH_T_MD5] = {"md5", 16},
	[HASH_T_SHA1] = {"sha1", 20},
	[HASH_T_SHA256] = {"sha256", 32},
};

static const EVP_MD *md_of(enum hash_type t)
{
	switch (t) {
	case HASH_T_MD5:
		return EVP_md5();
	case HASH_T_SHA1:
		return EVP_sha1();
	default:
		return EVP_sha256();
	}
}

size_t hash_len(enum hash_type t)
{
	return t < HASH_T_MAX ? types[t].len : 0;
}

const char *hash_name(enum hash_type t)
{
	return t < HASH_T_MAX ? types[t].name : "?";
}

void hash_free(struct hash_ctx *h)
{
	for (int t = 0; t < HASH_T_MAX; t++) {
		EVP_MD_CTX_free(h->md[t]);
		h->md[t] = NULL;
	}
	h->mask = 0;
}

int hash_init(struct hash_ctx *h, unsigned mask)
{
	int err = 0;

	memset(h, 0, sizeof(*h));
	if (mask & ~HASH_ALL)
		return -EINVAL;
	for (int t = 0; t < HASH_T_MAX; t++) {
		if (!(mask & (1u << t)))
			continue;
		h->md[t] = EVP_MD_CTX_new();
		if (!h->md[t] || !EVP_DigestInit_ex(h->md[t], md_of(t), NULL)) {
			err = -ENOMEM;
			goto out;
		}
	}
	h->mask = mask;
out:
	if (err)
		hash_free(h);
	return err;
}

void hash_update(struct hash_ctx *h, const void *p, size_t len)
{
	if (!len)
		return;
	for (int t = 0; t < HASH_T_MAX; t++)
		if (h->md[t])
			EVP_DigestUpdate(h->md[t], p, len);
}

int hash_final(struct hash_ctx *h, struct hash_result *r)
{
	unsigned int n;

	memset(r, 0, sizeof(*r));
	for (int t = 0; t < HASH_T_MAX; t++) {
		if (!h->md[t])
			continue;
		if (!EVP_DigestFinal_ex(h->md[t], r->d[t], &n) ||
		    !EVP_DigestInit_ex(h->md[t], NULL, NULL))
			return -EIO;
	}
	r->mask = h->mask;
	return 0;
}

int hash_parse_mask(const char *s, unsigned *mask)
{
	unsigned m = 0;
	size_t n;
	int t;

	while (*s) {
		n = strcspn(s, ",");
		for (t = 0; t < HASH_T_MAX; t++)
			if (strlen(types[t].name) == n && !strncmp(s, types[t].name, n))
				break;
		if (t == HASH_T_MAX)
			return -EINVAL;
		m |= 1u << t;
		s += n;
		if (*s == ',' && *++s == '\0')
			return -EINVAL;
	}
	if (!m)
		return -EINVAL;
	*mask = m;
	return 0;
}

int hash_unhex(enum hash_type t, const char *s, uint8_t *d)
{
	size_t n = hash_len(t);

	if (!n || strlen(s) != 2 * n)
		return -EINVAL;
	return hex_decode(s, n, d);
}
