/* SPDX-License-Identifier: GPL-2.0 */
/* urlset: the URL lists of a policy, IWF style: an entry is a host and a
 * path prefix ("example.com/gallery/" blocks everything under it,
 * "example.com" the whole host), matched against each HTTP request's Host
 * and target. Hosts compare as domain names do (domset.h: no case, ASCII
 * form); paths compare byte for byte, case and query included, without
 * percent-decoding (the lists carry the URLs as requested).
 *
 * Layout: a table keyed by "host\0prefix", and per host the distinct
 * prefix lengths; a lookup probes the request's path cut at each length
 * that host uses (usually a few), so a host with thousands of listed
 * pages costs no more than one with three. */
#ifndef EW_URLSET_H
#define EW_URLSET_H

#include <stddef.h>
#include <stdint.h>

#include "domset.h"
#include "strmap.h"

#define URL_PATH_MAX 2048 /* bytes of a listed path prefix */

/* A list entry "[http[s]://]host[:port][/path]" from s[0..n): the host
 * (normalized, in host[DOMAIN_MAX + 1]) and the path prefix (pointing into
 * s; "" for a whole host). Returns 0 or -EINVAL with *why. */
int url_parse(const char *s, size_t n, char *host, size_t *hostlen, const char **path,
	      size_t *pathlen, const char **why);

struct url_host {
	uint16_t *lens; /* distinct prefix lengths, ascending */
	size_t n, cap;
};

struct urlset {
	struct strmap keys;  /* "host\0prefix" -> bitpool index of its lists */
	struct strmap hosts; /* host -> index in host[] */
	struct url_host *host;
	size_t nhosts, cap;
	size_t entries;
};

/* Adds an entry (from url_parse) for list `bit`. Returns 0 or -ENOMEM. */
int urlset_add(struct urlset *u, struct bitpool *bp, const char *host, size_t hostlen,
	       const char *path, size_t pathlen, unsigned bit);

/* ORs into *out the lists with an entry for host key (domain_key) whose
 * prefix starts the request target (an absolute-form target
 * "http://h/p" counts from its path). */
void urlset_lookup(const struct urlset *u, const struct bitpool *bp, const char *key,
		   size_t keylen, const char *target, size_t tlen, struct polbits *out);

void urlset_free(struct urlset *u);

#endif
