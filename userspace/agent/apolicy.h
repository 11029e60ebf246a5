/* SPDX-License-Identifier: GPL-2.0 */
/* apolicy: the policy in force in the agent, one generation of it, and
 * the decisions its enforcement points ask of it (docs/operations.md,
 * "Policy").
 *
 *   policy.yaml ─policy_load─▶ struct policy ─┐
 *   config lists: (listset) ──────────────────┼─▶ struct apolicy (immutable)
 *                  its lists join the config's registries (engine_swap_lists)
 *
 *   object verdict (inline, tap) ─apolicy_object──▶ allow / monitor / block ...
 *   HTTP request (proxy)        ─apolicy_request─▶ allow / notice / warn ...
 *   TLS / QUIC server name      ─apolicy_name────▶ allow / block / warn ...
 *
 * The config's `lists:` are the floor: a hit on one of them blocks, as
 * without a policy, whatever the rules say (a catch-all `allow` must not
 * let known abuse material through). Hits on the policy's own lists are
 * decided by its rules. Without a policy file every hit blocks and
 * requests pass: the agent behaves as before policies.
 *
 * A generation is immutable once made and read by many threads at once;
 * the agent publishes it through an rcu (rcu.h). */
#ifndef EW_AGENT_APOLICY_H
#define EW_AGENT_APOLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "classify/dpi.h"
#include "lists/listset.h"
#include "log/diag.h"
#include "object/objsink.h"
#include "policy/policy.h"

#define APOLICY_FLOOR_MAX (2 * LISTSET_MAX + 1)

struct apolicy {
	struct policy *p;	/* NULL: no policy file */
	char version[65];	/* policy_version(p); "" without a policy */
	char floor[APOLICY_FLOOR_MAX][OBJSINK_NAME_MAX]; /* the config's list names */
	unsigned nfloor;
};

/* Builds a generation: the policy at path (NULL: none) compiled with
 * nDPI's names (may be NULL), its hash and PDQ lists loaded and moved
 * into ls's registries (ls loaded, not yet in force; a list name in both
 * is an error), the names of ls's lists as the floor. Problems go to d.
 * Returns the generation (apolicy_free) or NULL with errno set (EINVAL:
 * d says why). */
struct apolicy *apolicy_new(const char *path, struct listset *ls,
			    const struct policy_names *names, struct diag *d);
void apolicy_free(struct apolicy *g);

/* The acknowledgement store of warn rules (the notice server's). */
struct apolicy_hooks {
	bool (*acked)(void *ctx, const uint8_t *client, const char *category, uint64_t ack_ns);
	void *ctx;
};

struct apolicy_out {
	enum policy_action action;
	const struct policy_rule *rule; /* NULL: no rule decided (floor, no policy, none matched) */
	bool floor;			/* a config list hit: blocked whatever the rules */
};

/* An object's verdict: the floor, then the policy's rules on every list
 * that hit, the host, target, sniffed type, client and server, at now
 * (seconds). Without a policy: BLOCK on any hit. */
void apolicy_object(const struct apolicy *g, const struct obj_verdict *v,
		    const struct apolicy_hooks *h, int64_t now, struct apolicy_out *o);

/* What the proxy knows of an HTTP request. Addresses 16 bytes, IPv4-mapped. */
struct apolicy_request {
	const uint8_t *client, *server;
	const char *host, *uri; /* Host header (its port ignored), request target */
};

/* A request: the policy's rules at the HTTP point. Without a policy:
 * ALLOW. */
void apolicy_request(const struct apolicy *g, const struct apolicy_request *r,
		     const struct apolicy_hooks *h, int64_t now, struct apolicy_out *o);

/* A flow nDPI classified (client, server 16 bytes): the rules at the
 * flow point, with nDPI's ids. Without a policy: ALLOW. */
void apolicy_flow(const struct apolicy *g, const uint8_t *client, const uint8_t *server,
		  const struct dpi_result *r, const struct apolicy_hooks *h, int64_t now,
		  struct apolicy_out *o);

/* The client's group under g's policy (NULL without a policy: no
 * groups), valid while g is; *no_history: that group keeps no history. */
const char *apolicy_group(const struct apolicy *g, const uint8_t *client, bool *no_history);

/* A server name (TLS SNI at POLICY_AT_TLS, QUIC's at POLICY_AT_QUIC) of
 * a flow from client to server (16 bytes), with nDPI's ids when it has
 * classified the flow (r, else NULL): the rules at that point. Without a
 * policy: ALLOW. name NULL: none (the flow point). */
void apolicy_name(const struct apolicy *g, enum policy_point at, const uint8_t *client,
		  const uint8_t *server, const char *name, const struct dpi_result *r,
		  const struct apolicy_hooks *h, int64_t now, struct apolicy_out *o);

/* The name events give the action ("allow", "monitor", "block", "warn";
 * a notice rule blocks: "block"). */
const char *apolicy_event_action(enum policy_action a);

#endif
