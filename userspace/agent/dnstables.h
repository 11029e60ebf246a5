/* SPDX-License-Identifier: GPL-2.0 */
/* dnstables: the policy's DNS answers in the kernel's domain tables
 * (kernel/domains.h), at start, on every reload and whenever a time
 * window of a rule they depend on opens or closes.
 *
 *   struct policy ─policy_dns─▶ groups, entries ─dnstables_build─▶ struct domains (staged)
 *        (off the data path, before the new policy is published)
 *   publish the policy ─▶ dnstables_commit: the kernel switches generation in one store
 *   tick: now >= next ─▶ build and commit again
 *
 * Groups: the policy's default group is the tables' group 0 (a client in
 * no prefix), group g any other is g + 1. A rule's answer: allow and
 * monitor pass (an exception, counted per rule), as does `dns: pass` (the
 * default of warn rules); block, notice and warn get the rule's `dns`
 * answer (NXDOMAIN, or the policy's notice_server addresses, other types
 * NODATA; NXDOMAIN for all when notice_server gives none), its EDE code
 * and its contact as the
 * EDE text (cut at EW_DNS_TEXT_MAX bytes, on a character boundary). */
#ifndef EW_AGENT_DNSTABLES_H
#define EW_AGENT_DNSTABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/domains.h"
#include "policy/policy.h"

/* The tables' group of policy group g. */
uint32_t dnstables_group(const struct policy *p, unsigned g);

/* The answer of rule r into *out; its EDE text in text (at least
 * EW_DNS_TEXT_MAX + 1 bytes), which out->text points at. */
void dnstables_rule(const struct policy *p, const struct policy_rule *r,
		    struct domains_rule *out, char *text);

/* The staged tables of p at time now (seconds); NULL p: empty tables.
 * Returns the set (domains_free) or NULL with errno set and the reason in
 * err. */
struct domains *dnstables_build(const struct policy *p, int64_t now, char *err, size_t errlen);

/* The agent's tables: what is staged, and when to compile again. */
struct dnstables {
	struct domains *staged; /* built, not yet committed; NULL: nothing to do */
	int64_t next;		/* wall seconds of the next recompile; 0: none */
	bool written;		/* the agent committed tables (an empty set then
				 * clears them when the policy goes) */
	uint64_t commits, failures;
};

/* Stages p's tables (next recompile included). Without a policy, stages
 * empty tables only if the agent wrote some before (tables filled by
 * another writer are left alone). Returns 0 or -errno with err filled. */
int dnstables_prepare(struct dnstables *t, const struct policy *p, int64_t now, char *err,
		      size_t errlen);

/* Commits what is staged, if anything, and frees it. Returns 0 or -errno
 * (printed). */
int dnstables_commit(struct dnstables *t);

/* Once a second: when a window opened or closed, compiles p again and
 * commits (printed, counted). */
void dnstables_tick(struct dnstables *t, const struct policy *p, int64_t now);

void dnstables_free(struct dnstables *t);

#endif
