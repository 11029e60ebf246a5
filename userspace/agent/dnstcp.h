/* SPDX-License-Identifier: GPL-2.0 */
/* dnstcp: the agent's answers to DNS over TCP. The inline proxy's DNS
 * relay (proxy/dnsconn.c) hands over each whole query a client sent on
 * a steered TCP/53 connection, however its segments cut it; a query for
 * a name blocked for the client's group gets the answer the TC program
 * would have sent (names/dnsanswer, from the same tables: namewatch's
 * view) and a block event, like TC's answers (agent/dnslog.c):
 *
 *   proxy dnsconn ─query─▶ dnstcp_answer ─▶ namewatch_lookup (domains)
 *                  ◀─answer (or 0: upstream)─┘ └─▶ block event, reason dns */
#ifndef EW_AGENT_DNSTCP_H
#define EW_AGENT_DNSTCP_H

#include "engine/engine.h"
#include "namewatch.h"
#include "proxy/proxy.h"

struct dnstcp {
	struct engine *e;	 /* block events (NULL: none); outlives the proxy */
	struct decider *dc;	 /* names their rules after the policy's; NULL: ids */
	struct namewatch *names; /* the domain tables' view; outlives it;
				  * NULL: every query goes upstream */
};

/* proxy_conf.dns (ctx: a struct dnstcp): writes the answer to query q
 * into answer (size bytes) and returns its length when its name is
 * blocked for q's client; 0 when the query goes to the server (no entry,
 * an exception, not a query the kernel would read either, a failed
 * lookup). Any loop thread. */
size_t dnstcp_answer(void *ctx, const struct proxy_dns_query *q, uint8_t *answer, size_t size);

#endif
