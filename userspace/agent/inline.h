/* SPDX-License-Identifier: GPL-2.0 */
/* inline: the agent's inline source. Transparent listeners registered
 * where TC steers new flows (kernel/steer.h), the proxy relaying them with
 * media held until the engine's verdict (proxy/proxy.h), and what a block
 * leads to: a block event, and, if configured, the server address on the
 * blocklist (from the main loop, which owns the blocklist's lock).
 *
 *   TC ─sk_assign─▶ listener ─▶ proxy loops ─▶ engine inspectors
 *                                  │ block
 *                                  ▼
 *                     block event; server ─queue─▶ inline_tick ─▶ blocklist */
#ifndef EW_AGENT_INLINE_H
#define EW_AGENT_INLINE_H

#include "config/runconf.h"
#include "decide.h"
#include "dnstcp.h"
#include "engine/engine.h"
#include "kside.h"
#include "notices.h"
#include "proxy/proxy.h"

struct inline_src;

/* Opens the listeners (IPv4, IPv6), registers them, starts the proxy on
 * engine e (started) with c's inline settings, the policy's decisions of
 * dc (outlives the source) at request heads and object verdicts, its
 * notices from n's templates (if any; n outlives the proxy), and lets TC
 * steer new flows. DNS over TCP connections (tcp/53, steered when
 * c->inl.dns_tcp) are relayed by the proxy with blocked names answered
 * from names' view of the domain tables (agent/dnstcp.h; names outlives
 * the source; NULL: relayed untouched). Returns NULL with errno set
 * (printed). */
struct inline_src *inline_start(struct engine *e, struct kside *k, const struct runconf *c,
				struct decider *dc, struct agent_notices *n, struct namewatch *names);

/* Main loop, once a second: blocks the server addresses that blocked
 * objects came from, when c asked for it. */
void inline_tick(struct inline_src *s);

void inline_stats(struct inline_src *s, struct proxy_stats *st);

/* Stops steering new flows, closes every proxied connection (their last
 * objects reach the engine), unregisters the listeners. Call before
 * engine_stop. NULL is a no-op. */
void inline_stop(struct inline_src *s);

#endif
