/* SPDX-License-Identifier: GPL-2.0 */
/* query: which events of the log a responder asked for. Filters over the
 * members every event type shares (docs/log-schema.md): time, event,
 * rule, action, category, list, hash, host, subscriber. A filter given
 * and absent from an event excludes it. Used by `edgeward log query` and,
 * with the same meaning, by report. */
#ifndef EW_QUERY_H
#define EW_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "jsonval.h"

struct query {
	uint64_t from_ns, to_ns; /* [from, to); 0: open */
	const char *event;	 /* "block", "match", ... */
	const char *rule, *action, *category, *list;
	const char *hash;	 /* any hash member: hash, md5, sha1, sha256, pdq (any case) */
	const char *host;	 /* the host or a subdomain of it */
	const char *subscriber;	 /* flow.client or subscriber.client (address or pseudonym) */
};

/* "2024-01-31" (midnight UTC; as an end, the day is included: the next
 * midnight), "2024-01" (a month), or RFC 3339 UTC "2024-01-31T12:00:00Z"
 * with optional fraction. Returns 0 or -EINVAL. */
int query_parse_time(const char *s, bool end, uint64_t *ns);

/* The event's "ts" in ns (0 when absent or unreadable). */
uint64_t query_event_time(const struct jv *ev);

/* True when ev passes every filter of q. */
bool query_match(const struct query *q, const struct jv *ev);

/* Sorts paths[0..n) by the time of each file's first event, so rotated
 * files (in whatever order a shell glob gives them) are read oldest
 * first. Unreadable files sort first (their error comes at once). */
void query_sort_files(const char **paths, int n);

#endif
