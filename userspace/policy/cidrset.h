/* SPDX-License-Identifier: GPL-2.0 */
/* cidrset: IPv4 and IPv6 prefixes of a policy (subscriber groups by client
 * address, IP lists by destination) and the longest-prefix lookup the
 * decision makes per flow. Addresses are 16 bytes, IPv4 as IPv4-mapped
 * IPv6 (::ffff:a.b.c.d, its prefix length + 96), as everywhere in the
 * pipeline.
 *
 * An IPv4 address matches IPv4 prefixes (and IPv6 ones inside
 * ::ffff:0:0/96) only: "::/0" is every IPv6 address, not every address.
 *
 * Layout: one hash table keyed by (length, masked address), and the
 * distinct lengths present, longest first; a lookup masks the address for
 * each length and stops at the first hit: as many probes as lengths in use
 * (a handful in practice), whatever the number of prefixes. */
#ifndef EW_CIDRSET_H
#define EW_CIDRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strmap.h"

struct cidr {
	uint8_t a[16]; /* masked */
	uint8_t len;   /* 0..128 in the mapped space */
	bool v4;       /* written as IPv4 */
};

/* Parses "a.b.c.d[/n]" or "x:y::z[/n]" (no /n: one address) from
 * s[0..n). Returns 0, or -EINVAL with *why ("host bits set: ..." etc.). */
int cidr_parse(const char *s, size_t n, struct cidr *c, const char **why);

/* "10.0.0.0/8", "2001:db8::/32" into out (64 bytes). */
void cidr_format(const struct cidr *c, char *out, size_t outsz);

struct cidrset {
	struct strmap map;  /* 17-byte key: len, then the masked address */
	uint8_t lens[129];  /* distinct lengths, longest first */
	unsigned nlens;
};

/* Adds c with value val. Returns 0, 1 when c was there already (its value
 * in *old, left unchanged), or -ENOMEM. */
int cidrset_add(struct cidrset *s, const struct cidr *c, uint32_t val, uint32_t *old);

/* Sets c's value, adding c if new. Returns 0 or -ENOMEM. */
int cidrset_set(struct cidrset *s, const struct cidr *c, uint32_t val);

/* True and *val when c itself is in s. */
bool cidrset_get(const struct cidrset *s, const struct cidr *c, uint32_t *val);

/* The value of the longest prefix holding addr (16 bytes): true and *val,
 * or false. */
bool cidrset_lookup(const struct cidrset *s, const uint8_t *addr, uint32_t *val);

/* Gives every prefix the merge of its value with those of the shorter
 * prefixes that hold it (for lists: a lookup's one hit then stands for all
 * the prefixes that match). merge returns 0 or -errno, which stops it. */
int cidrset_inherit(struct cidrset *s,
		    int (*merge)(void *ctx, uint32_t mine, uint32_t shorter, uint32_t *out),
		    void *ctx);

/* Calls fn for every prefix (in no particular order) until it returns
 * nonzero, which is returned. */
int cidrset_each(const struct cidrset *s, int (*fn)(void *ctx, const struct cidr *c, uint32_t val),
		 void *ctx);

size_t cidrset_count(const struct cidrset *s);
void cidrset_free(struct cidrset *s);

#endif
