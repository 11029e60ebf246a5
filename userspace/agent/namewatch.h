/* SPDX-License-Identifier: GPL-2.0 */
/* namewatch: the agent's enforcement by server name. Whoever learns the
 * name a flow asks for calls namewatch_seen: here the TLS ClientHello of
 * a mirrored TCP flow (its first segments, put back in order by a
 * reassembler of its own: names/tlshello); nDPI's classifier for QUIC
 * Initials (tap mode, the agent's on_classified). The policy in force
 * decides the name at the TLS or QUIC point (group, time, app ...); with
 * no policy, the name is looked up for the client's group in the domain
 * tables (kernel/domains.h, the ones the TC program answers DNS from,
 * filled by another writer then). A blocked name's flow gets a RESET
 * verdict (XDP drops a UDP flow, QUIC, both ways, and answers each packet
 * of a TCP flow with a reset to its sender), resets to both ends of a TCP
 * flow at once when the sequence numbers are known, and a block event.
 *
 *   tap (mirror) ─frame─▶ defrag, reasm ─client bytes─▶ tlshello ─┐ name
 *   classifier (QUIC) ─────────────────────────────────────────────┤
 *                                  namewatch_seen ◀────────────────┘
 *                  policy_decide (or domains_lookup) ─▶ verdict, resets, event */
#ifndef EW_AGENT_NAMEWATCH_H
#define EW_AGENT_NAMEWATCH_H

#include <stddef.h>
#include <stdint.h>

#include "classify/dpi.h"
#include "engine/engine.h"
#include "kside.h"
#include "object/objsink.h"
#include "policy/policy.h"
#include "stream/stream.h"

/* The policy's word on a server name (namewatch_conf.decide). */
struct namewatch_verdict {
	bool block;		   /* block and notice rules: the flow is reset */
	const char *action;	   /* the event: "block", "warn", "monitor"; NULL: none */
	uint32_t rule_id;	   /* the rule's index (the verdict's rule id) */
	char rule[OBJSINK_NAME_MAX];
	char category[OBJSINK_NAME_MAX];
};

struct namewatch_conf {
	struct kside *kside;   /* the verdict map */
	struct engine *engine; /* block events go to its writer; NULL: none */
	/* The policy in force decides name for flow fi at point at
	 * (POLICY_AT_TLS or _QUIC; r: nDPI's classification, or NULL):
	 * returns 1 with *v filled, or 0 when no policy is in force (the
	 * domain tables decide). NULL: the tables always. Any thread. */
	int (*decide)(void *ctx, const struct flow_info *fi, enum policy_point at,
		      const char *name, const struct dpi_result *r, struct namewatch_verdict *v);
	void *decide_ctx;
};

struct namewatch_stats {
	uint64_t flows;	  /* TLS-port TCP flows read */
	uint64_t hellos;  /* ClientHellos read whole */
	uint64_t not_tls; /* flows that sent no ClientHello, or one past the cap */
	uint64_t names;	  /* names looked up, all sources */
	uint64_t blocked; /* flows blocked by name */
	uint64_t resets;  /* reset segments sent */
	uint64_t errors;  /* lookups, verdicts or resets that failed */
	/* ClientHellos of blocked flows: from the kernel's timestamp of the
	 * packet that completed the hello to the verdict in the map */
	uint64_t verdict_ns_sum, verdict_ns_max;
};

struct namewatch;

/* Opens the domain tables' view (pinned by kside_up) and the raw sockets
 * for resets: call before dropping privileges. NULL with errno set (the
 * reason printed). */
struct namewatch *namewatch_new(const struct namewatch_conf *c);

/* A mirrored frame (the tap's thread). TCP to or from the TLS ports (443,
 * 853 DNS over TLS, 8443) is read; the rest costs a decode. */
void namewatch_frame(struct namewatch *w, const uint8_t *frame, size_t len, uint64_t ts_ns);

/* The hook: flow fi asks for server name (NUL-terminated, as sent), learnt
 * by via ("tls_sni", "quic_sni"; r: nDPI's classification, or NULL). The
 * policy in force decides (conf.decide: block and notice rules block,
 * warn and monitor rules write their event and pass: no page can be
 * shown inside TLS or QUIC); without one, the domain tables for the
 * client's group. Returns 1 when blocked, 0 when not, -errno when the
 * lookup or the verdict failed. Any thread (the lookups are serialised);
 * a caller under the workers' seccomp filter needs the bpf() lookups
 * allowed. */
int namewatch_seen(struct namewatch *w, const struct flow_info *fi, const char *name,
		   const char *via, const struct dpi_result *r);

/* What the domain tables in force decide for name (NUL-terminated) asked
 * by client (16 bytes, IPv4-mapped): 1 with the answer in *a (its kind
 * EW_DNS_PASS for an exception), 0 when no entry holds it, -errno.
 * Counted in names (and errors). Any thread. */
int namewatch_lookup(struct namewatch *w, const uint8_t client[16], const char *name,
		     struct ew_dns_answer *a);

void namewatch_stats(struct namewatch *w, struct namewatch_stats *st);

/* Ends the flows in reading and frees w. */
void namewatch_free(struct namewatch *w);

#endif
