/* SPDX-License-Identifier: GPL-2.0 */
/* decide: the enforcement points' questions to the policy in force, from
 * the threads that ask them (proxy loops, engine workers), each answer
 * inside one read section of the agent's rcu (rcu.h), so a reload never
 * frees the policy under a decision; what must outlive the section (rule
 * names, the version) is copied out.
 *
 *   proxy request head ─decide_request─▶ pass / notice / reset / warn
 *   proxy object verdict ─decide_object─▶ pass / notice / reset / warn   ┐ monitor:
 *   tap object verdict ─decide_tap──────▶ pass / block the flow           ┘ the event here
 *   TLS / QUIC server name ─decide_name─▶ block / warn, monitor (namewatch's event)
 *   ICAP object ─decide_icap─▶ 451 / 403 notice, or pass
 *   notice server page (a DNS answer sent the browser) ─decide_notice─▶
 *                                    the rule's notice / disclaimer / acknowledged */
#ifndef EW_AGENT_DECIDE_H
#define EW_AGENT_DECIDE_H

#include "apolicy.h"
#include "config/runconf.h"
#include "engine/engine.h"
#include "icap/icap.h"
#include "namewatch.h"
#include "notice/server.h"
#include "proxy/proxy.h"
#include "rcu.h"

struct decider {
	struct rcu *pol;		   /* struct apolicy * in force */
	const struct apolicy_hooks *hooks; /* warn acknowledgements */
	struct engine *e;		   /* monitor events */
	enum runconf_blocked blocked;	   /* what a floor hit becomes inline */
};

/* proxy_conf.request and proxy_conf.object (ctx: the decider). */
void decide_request(void *ctx, const struct proxy_request *r, struct proxy_decision *d);
void decide_object(void *ctx, const struct obj_verdict *v, struct proxy_decision *d);

/* What tap mode does with an object (it was delivered already). */
struct tap_decision {
	bool block;			/* the flow gets a verdict and resets */
	char rule[OBJSINK_NAME_MAX];	/* "" : none */
	char category[OBJSINK_NAME_MAX]; /* the rule's (flows) */
	char version[72];
};

/* A tap verdict: block (floor hits, block and notice rules), or a
 * monitor or warn event (a disclaimer cannot be shown to a passive
 * flow) and pass. */
void decide_tap(struct decider *dc, const struct obj_verdict *v, struct tap_decision *td);

/* A flow nDPI classified (tap mode, worker threads): block and notice
 * rules block it (td->block), monitor and warn rules write their event. */
void decide_flow(struct decider *dc, const struct flow_info *fi, const struct dpi_result *r,
		 struct tap_decision *td);

/* icap_conf.judge (ctx: the decider): an object of an ICAP message at the
 * object point, its client the subscriber client_ip names (X-Client-IP:
 * an IPv4 or IPv6 address; else the proxy's address, the flow's). The floor (the config's lists) and block and notice rules
 * block (451 for the floor, else the rule's http_status); monitor and
 * warn rules pass (no disclaimer can be acknowledged through a proxy's
 * ICAP) with their event; without a policy every hit blocks, as before. */
void decide_icap(void *ctx, const struct obj_verdict *v, const char *client_ip,
		 struct icap_judgement *j);

/* notice_server_conf.lookup (ctx: the decider): the rule that answers
 * host (its port left out) for client at the DNS point, the one whose
 * answer sent the browser to the notice server: block and notice, its
 * notice (status, rule, category, template, contact); warn, the
 * disclaimer; an acknowledged warn, NOTICE_ACKED; else (no policy, no
 * rule, allow, monitor) out stays as it came (the server's block notice
 * naming the host). */
void decide_notice(void *ctx, const uint8_t *client, const char *host, const char *url,
		   struct notice_lookup *out);

/* namewatch_conf.decide (ctx: the decider): the policy at the TLS or QUIC
 * point; 0 without a policy (the domain tables decide). */
int decide_name(void *ctx, const struct flow_info *fi, enum policy_point at, const char *name,
		const struct dpi_result *r, struct namewatch_verdict *v);

/* The policy rule behind a domain tables' rule id (the tables compiled
 * from the policy in force number their rules by its index): its name and
 * category into rule and category (OBJSINK_NAME_MAX bytes each), or false
 * without a policy or such a rule. For the block events of DNS answers. */
bool decide_dns_rule(struct decider *dc, uint32_t rule_id, char *rule, char *category);

#endif
