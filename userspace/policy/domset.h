/* SPDX-License-Identifier: GPL-2.0 */
/* domset: the domain lists of a policy in one table, matched against the
 * names the enforcement points see (DNS query names, TLS and QUIC SNI,
 * HTTP Host). Entries are exact names or "*.suffix" (any name below the
 * suffix, not the suffix itself, as in DNS RPZ); names compare without
 * case and without a trailing dot; internationalised names are turned into
 * their ASCII (punycode, "xn--") form by libidn2, as DNS and TLS carry
 * them.
 *
 *   "bücher.example" --domain_normalize--> "xn--bcher-kva.example"
 *   lookup "a.b.shop.test": exact "a.b.shop.test", wildcards "b.shop.test",
 *   "shop.test", "test": the union of the lists of every hit */
#ifndef EW_DOMSET_H
#define EW_DOMSET_H

#include <stdbool.h>
#include <stddef.h>

#include "strmap.h"

#define DOMAIN_MAX 253 /* bytes of a name in ASCII form */

/* A list entry: name[0..len) with an optional leading "*." (sets
 * *wildcard and is removed). Writes the ASCII, lower-case name without a
 * trailing dot to out (DOMAIN_MAX + 1 bytes, NUL-terminated) and its
 * length to *outlen. Returns 0, or -EINVAL with *why saying what is wrong
 * ("a label longer than 63 characters", libidn2's reason ...). */
int domain_normalize(const char *name, size_t len, char *out, size_t *outlen, bool *wildcard,
		     const char **why);

/* A name seen on the wire, for a lookup: lower-cased, trailing dot and
 * (host) a ":port" removed, turned into ASCII form when it is not. Never
 * fails: what cannot be a name is kept as it is (it matches nothing).
 * Writes out (DOMAIN_MAX + 1 bytes) and returns the length; 0 for a name
 * too long to be one. */
size_t domain_key(const char *name, size_t len, bool host, char *out);

struct domset {
	struct strmap exact, wild; /* name -> bitpool index of its lists */
};

/* Adds a normalized entry for list `bit`; bitmaps live in bp. Returns 0 or
 * -ENOMEM. */
int domset_add(struct domset *s, struct bitpool *bp, const char *name, size_t len, bool wildcard,
	       unsigned bit);

/* ORs into *out the lists holding key (from domain_key). */
void domset_lookup(const struct domset *s, const struct bitpool *bp, const char *key, size_t len,
		   struct polbits *out);

size_t domset_entries(const struct domset *s);
void domset_free(struct domset *s);

#endif
