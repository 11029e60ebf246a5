/* SPDX-License-Identifier: GPL-2.0 */
/* learn: learned blocks. Once an object matched, its URL (host and path,
 * query kept) is refused at request time for a while, in every loop: the
 * second request for a known object never reaches the server. One table
 * for the proxy, under a lock; a cap on URLs, the oldest go first. */
#ifndef EW_PROXY_LEARN_H
#define EW_PROXY_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "object/objsink.h"
#include "proxy.h"

/* What a verdict said, and what the decision made of it, kept past the
 * verdict call. */
struct pverdict {
	bool blocked;		/* the decision blocks it */
	struct proxy_decision d;
	unsigned hits;
	char list[OBJSINK_NAME_MAX], category[OBJSINK_NAME_MAX];
	char hash_type[8];
	uint8_t hash[32];
	size_t hash_len;
	int distance;
};

/* Copies the first hit of v into pv. */
void pverdict_copy(struct pverdict *pv, const struct obj_verdict *v);

struct learn;

/* A table of at most max URLs (0: 1). Returns NULL with errno set. */
struct learn *learn_new(uint32_t max);
void learn_free(struct learn *t);

/* The key of a request: host lower-cased without ":80" or a final dot,
 * then the path and query of uri (absolute-form reduced to them, the
 * authority used when host is empty; a fragment cut). Writes at most size
 * bytes with the NUL; returns its length, or 0 if it did not fit. */
size_t learn_key(const char *host, const char *uri, char *buf, size_t size);

/* Refuses the URL of host and uri until until_ns (a monotonic clock),
 * with the verdict pv reported for each refusal. An entry for it is
 * renewed. Returns 0 or -ENOMEM, -ENAMETOOLONG. */
int learn_add(struct learn *t, const char *host, const char *uri, const struct pverdict *pv,
	      uint64_t until_ns);

/* Is the URL refused at now_ns? Then its verdict is copied to *pv. */
bool learn_find(struct learn *t, const char *host, const char *uri, uint64_t now_ns,
		struct pverdict *pv);

/* URLs in the table (expired ones not yet dropped included). */
uint64_t learn_count(struct learn *t);

#endif
