// SPDX-License-Identifier: GPL-2.0
/* cidrset: prefixes in a table keyed by (length, masked address), the
 * lengths in use longest first. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidrset.h"

#define KEY_LEN 17

static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

/* An IPv4 address (IPv4-mapped) is held only by prefixes of 96 bits or
 * more: "::/0" means every IPv6 address, not every address. */
static unsigned shortest(const uint8_t *addr)
{
	return memcmp(addr, mapped, 12) ? 0 : 96;
}

static void mask(uint8_t *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = len > i * 8 ? len - i * 8 : 0;

		if (keep < 8)
			a[i] &= (uint8_t)(0xff00u >> keep);
	}
}

/* The address part of s[0..n) into c->a; *max its bits (32 or 128). */
static int parse_addr(const char *s, size_t n, struct cidr *c, unsigned *max)
{
	char buf[INET6_ADDRSTRLEN];

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(c->a, 0, 16);
	if (inet_pton(AF_INET, buf, c->a + 12) == 1) {
		c->a[10] = c->a[11] = 0xff;
		c->v4 = true;
		*max = 32;
		return 0;
	}
	c->v4 = false;
	*max = 128;
	return inet_pton(AF_INET6, buf, c->a) == 1 ? 0 : -EINVAL;
}

int cidr_parse(const char *s, size_t n, struct cidr *c, const char **why)
{
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	unsigned max, len = 0;
	uint8_t orig[16];

	if (parse_addr(s, alen, c, &max)) {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	if (!slash) {
		len = max;
	} else {
		size_t i = alen + 1;

		if (i == n || n - i > 3) {
			*why = "a bad prefix length";
			return -EINVAL;
		}
		for (; i < n; i++) {
			if (s[i] < '0' || s[i] > '9') {
				*why = "a bad prefix length";
				return -EINVAL;
			}
			len = len * 10 + (unsigned)(s[i] - '0');
		}
		if (len > max) {
			*why = max == 32 ? "a prefix length over 32" : "a prefix length over 128";
			return -EINVAL;
		}
	}
	c->len = (uint8_t)(len + 128 - max);
	memcpy(orig, c->a, 16);
	mask(c->a, c->len);
	if (memcmp(orig, c->a, 16)) {
		*why = "address bits set past the prefix length";
		return -EINVAL;
	}
	return 0;
}

void cidr_format(const struct cidr *c, char *out, size_t outsz)
{
	char b[INET6_ADDRSTRLEN];

	if (c->v4)
		inet_ntop(AF_INET, c->a + 12, b, sizeof(b));
	else
		inet_ntop(AF_INET6, c->a, b, sizeof(b));
	snprintf(out, outsz, "%s/%u", b, c->v4 ? c->len - 96u : c->len);
}

static void key_of(uint8_t *k, const uint8_t *addr, unsigned len)
{
	k[0] = (uint8_t)len;
	memcpy(k + 1, addr, 16);
	mask(k + 1, len);
}

static void add_len(struct cidrset *s, unsigned len)
{
	unsigned i = 0;

	while (i < s->nlens && s->lens[i] > len)
		i++;
	if (i < s->nlens && s->lens[i] == len)
		return;
	memmove(s->lens + i + 1, s->lens + i, s->nlens - i);
	s->lens[i] = (uint8_t)len;
	s->nlens++;
}

int cidrset_add(struct cidrset *s, const struct cidr *c, uint32_t val, uint32_t *old)
{
	uint8_t k[KEY_LEN];
	int err;

	key_of(k, c->a, c->len);
	if (strmap_get(&s->map, k, sizeof(k), old))
		return 1;
	err = strmap_put(&s->map, k, sizeof(k), val, NULL);
	if (err < 0)
		return err;
	add_len(s, c->len);
	return 0;
}

int cidrset_set(struct cidrset *s, const struct cidr *c, uint32_t val)
{
	uint8_t k[KEY_LEN];
	int err;

	key_of(k, c->a, c->len);
	err = strmap_put(&s->map, k, sizeof(k), val, NULL);
	if (err < 0)
		return err;
	if (!err)
		add_len(s, c->len);
	return 0;
}

bool cidrset_get(const struct cidrset *s, const struct cidr *c, uint32_t *val)
{
	uint8_t k[KEY_LEN];

	key_of(k, c->a, c->len);
	return strmap_get(&s->map, k, sizeof(k), val);
}

bool cidrset_lookup(const struct cidrset *s, const uint8_t *addr, uint32_t *val)
{
	unsigned min = shortest(addr);
	uint8_t k[KEY_LEN];

	for (unsigned i = 0; i < s->nlens && s->lens[i] >= min; i++) {
		key_of(k, addr, s->lens[i]);
		if (strmap_get(&s->map, k, sizeof(k), val))
			return true;
	}
	return false;
}

int cidrset_inherit(struct cidrset *s,
		    int (*merge)(void *ctx, uint32_t mine, uint32_t shorter, uint32_t *out),
		    void *ctx)
{
	for (size_t i = 0; i < s->map.cap; i++) {
		struct strmap_slot *sl = &s->map.slots[i];
		const uint8_t *k;
		uint8_t sk[KEY_LEN];
		uint32_t v;
		int err;

		if (!sl->hash)
			continue;
		k = (const uint8_t *)s->map.pool + sl->off;
		for (unsigned l = 0; l < s->nlens; l++) {
			if (s->lens[l] >= k[0] || s->lens[l] < (k[0] >= 96 ? shortest(k + 1) : 0))
				continue;
			key_of(sk, k + 1, s->lens[l]);
			if (strmap_get(&s->map, sk, sizeof(sk), &v) &&
			    (err = merge(ctx, sl->val, v, &sl->val)))
				return err;
		}
	}
	return 0;
}

int cidrset_each(const struct cidrset *s, int (*fn)(void *ctx, const struct cidr *c, uint32_t val),
		 void *ctx)
{
	for (size_t i = 0; i < s->map.cap; i++) {
		const struct strmap_slot *sl = &s->map.slots[i];
		const uint8_t *k;
		struct cidr c;
		int rc;

		if (!sl->hash)
			continue;
		k = (const uint8_t *)s->map.pool + sl->off;
		memcpy(c.a, k + 1, 16);
		c.len = k[0];
		c.v4 = c.len >= 96 && !memcmp(c.a, mapped, 12);
		if ((rc = fn(ctx, &c, sl->val)))
			return rc;
	}
	return 0;
}

size_t cidrset_count(const struct cidrset *s)
{
	return s->map.n;
}

void cidrset_free(struct cidrset *s)
{
	strmap_free(&s->map);
	s->nlens = 0;
}
