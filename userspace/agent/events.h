/* SPDX-License-Identifier: GPL-2.0 */
/* The live agent's own events (docs/log-schema.md): agent start and stop,
 * list loads and reloads, blocks and health problems. Built here as JSON
 * lines and handed to the engine's writer, so they share the events' file
 * and order with the object and match events. */
#ifndef EW_AGENT_EVENTS_H
#define EW_AGENT_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/runconf.h"
#include "engine/engine.h"
#include "object/objsink.h"
#include "stream/stream.h"

/* How a block was enforced ("enforced" member). */
enum agent_enforced {
	ENF_NOTICE,	  /* inline: the client got the notice page instead */
	ENF_RESET,	  /* inline: the client got a reset instead */
	ENF_LEARNED,	  /* inline: refused at request time, a learned block */
	ENF_RESET_LATE,	  /* inline: reset after part of the object was delivered */
	ENF_TAP_RESET,	  /* tap: delivered, then resets and a flow verdict */
	ENF_REQUEST,	  /* inline: refused at request time by the policy */
	ENF_NONE,	  /* monitor: logged, not enforced */
	ENF_NAME_RESET,	  /* a TCP flow blocked by server name: resets, RESET verdict */
	ENF_NAME_DROP,	  /* a UDP flow (QUIC) blocked by server name: dropped (RESET verdict) */
	ENF_DNS_NOTICE,	  /* a DNS query answered with the notice server's address (TC) */
	ENF_DNS_NXDOMAIN, /* a DNS query answered NXDOMAIN (TC) */
	ENF_DNS_NODATA,	  /* a DNS query answered with no record of its type (TC) */
};

struct agent_block {
	uint64_t ts_ns;
	const struct obj_verdict *v;	/* the match (first hit) */
	const uint8_t *client, *server; /* 16-byte (IPv4-mapped) addresses */
	uint16_t client_port, server_port;
	uint64_t flow_id;		/* 0: none */
	enum agent_enforced how;
	bool server_blocked;		/* the server address went on the blocklist */
	/* the policy's word (NULL: none, as without a policy file) */
	const char *rule;		/* the rule that decided */
	const char *action;		/* "block" (NULL), "warn", "monitor" */
	const char *version;		/* policy_version; NULL or "": no policy */
	const char *category;		/* a request's: the rule's category */
	const char *app;		/* nDPI's protocol name, NULL: not known */
	bool udp;			/* a UDP flow (else TCP) */
};

/* A flow blocked by the server name it asked for (agent/namewatch.h). */
struct agent_name_block {
	uint64_t ts_ns;
	const struct flow_info *fi;
	const char *name; /* as the client sent it */
	const char *via;  /* "tls_sni", "quic_sni", "dns" */
	uint16_t dns_type; /* "dns": the query's type */
	uint32_t rule_id; /* the domain tables' rule (no policy in force) */
	const char *rule; /* the policy's rule that decided; NULL: rule_id */
	const char *action;   /* "block" (NULL), "warn", "monitor" */
	const char *category; /* the rule's, or NULL */
	const char *answered_by; /* "dns": "tc" (the kernel) or "agent" (DNS over TCP
				  * through the proxy); NULL: not said */
	enum agent_enforced how;
};

/* Each returns 0 or -ENOMEM / -EMSGSIZE (the line was not queued). */
int agent_event_start(struct engine *e, const struct runconf *c, const char *config_path);

/* Learns the indexes and names of c's interfaces, to name them in block
 * events. Before any source starts (interfaces change only on a restart). */
void agent_event_ifaces(const struct runconf *c);
/* Names the subscriber group of a client in block events: fn copies the
 * group of client (16 bytes) into out (OBJSINK_NAME_MAX bytes; "" : none)
 * from any thread. Set before any source starts; NULL: every group null. */
void agent_event_groups(void (*fn)(void *ctx, const uint8_t *client, char *out), void *ctx);
int agent_event_stop(struct engine *e, const char *why, const struct engine_stats *st);
int agent_event_lists(struct engine *e, const char *action, const struct listset *ls,
		      const char *error);
int agent_event_block(struct engine *e, const struct agent_block *b);
/* A policy loaded at start (action "load") or on a reload ("reload"):
 * ok with its version and rule count, or the error (the policy in force
 * stays; version and rules are then the one in force). path NULL: no
 * policy file. */
int agent_event_policy(struct engine *e, const char *action, const char *path,
		       const char *version, unsigned rules, const char *error);
int agent_event_name_block(struct engine *e, const struct agent_name_block *b);
int agent_event_health(struct engine *e, const char *problem, uint64_t count,
		       const char *detail);

#endif
