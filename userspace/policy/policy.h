/* SPDX-License-Identifier: GPL-2.0 */
/* policy: the operator's policy file (docs/policy.md) compiled into what
 * the enforcement points ask: lists, subscriber groups and ordered rules,
 * first match wins.
 *
 *   policy.yaml --policy_load--> struct policy --policy_decide(input)--> rule, action
 *        │ lists                     │
 *        ▼                           ├──policy_tags--> what the kernel tags for inspection
 *   hash lists, PDQ lists            └──policy_lists--> registries for the object matcher
 *
 * The parser fills a struct diag (file:line:col, what was expected) and
 * never prints: unknown keys, unknown list or group names, duplicate names
 * and rules that can never match are errors, shadowed rules warnings.
 *
 * A compiled policy is immutable: any number of threads call policy_decide
 * at once; a reload compiles a new one and swaps the pointer. */
#ifndef EW_POLICY_H
#define EW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lists/hashset.h"
#include "lists/pdqlist.h"
#include "log/diag.h"

#define POLICY_NAME_MAX	  64   /* names of lists, groups, rules, with the NUL */
#define POLICY_LISTS_MAX  256  /* lists of all kinds */
#define POLICY_GROUPS_MAX 64
#define POLICY_RULES_MAX  4096

enum policy_action {
	POLICY_ALLOW,	/* pass, nothing logged */
	POLICY_MONITOR, /* pass, logged */
	POLICY_BLOCK,	/* flow verdict in the kernel, resets to both ends */
	POLICY_NOTICE,	/* blocked, and HTTP gets the notice page */
	POLICY_WARN,	/* the disclaimer page first; passes once acknowledged */
};

/* What a DNS query that a rule blocks (block, notice or warn) is told. */
enum policy_dns {
	POLICY_DNS_NXDOMAIN, /* NXDOMAIN */
	POLICY_DNS_NOTICE,   /* an answer pointing at the notice server */
	POLICY_DNS_PASS,     /* the name resolves (warn: the disclaimer is
			      * HTTP's, and a DNS answer cannot know who
			      * acknowledged it) */
};

/* Where a decision is asked: what the enforcement point has seen. */
enum policy_point {
	POLICY_AT_FLOW,	  /* a new flow (addresses; nDPI once it has classified) */
	POLICY_AT_DNS,	  /* a DNS query (name: the query name) */
	POLICY_AT_TLS,	  /* a TLS ClientHello (name: SNI) */
	POLICY_AT_QUIC,	  /* a QUIC Initial (name: SNI) */
	POLICY_AT_HTTP,	  /* an HTTP request (name: Host; url) */
	POLICY_AT_OBJECT, /* an HTTP object (hashes, PDQ, sniffed type; Host, url) */
	POLICY_AT_MAX
};

/* One rule as the enforcement points need it. Strings live as long as the
 * policy. */
struct policy_rule {
	unsigned index;	      /* position in the file, from 0 */
	const char *name;
	unsigned line;	      /* where it starts in the policy file */
	enum policy_action action;
	const char *category; /* shown in notices, keys warn acknowledgements */
	const char *notice;   /* notice template name (policies/notices/<name>.<lang>.html) */
	const char *contact;  /* whom to contact, shown in notices and DNS EDE text */
	unsigned ede;	      /* RFC 8914 Extended DNS Error: 15, 16 or 17 */
	unsigned http_status; /* notice page status: 403, or 451 for legal blocks */
	enum policy_dns dns;
	uint64_t ack_ns;      /* warn: an acknowledgement passes this long */
};

/* An object's list hit, as the object matcher reports it. */
struct policy_hit {
	const char *list; /* list name (the policy's) */
	bool pdq;	  /* a PDQ hit, else an exact hash */
};

/* What an enforcement point knows. Unknown things are NULL / 0; a rule
 * with a condition on something unknown here does not match here. */
struct policy_input {
	enum policy_point at;
	const uint8_t *client; /* 16 bytes (IPv4-mapped for IPv4), or NULL */
	const uint8_t *server; /* destination address, or NULL */
	const char *name;      /* DNS query name, SNI, or HTTP Host (":port" ignored) */
	size_t name_len;
	const char *url;       /* HTTP request target (path, query), or NULL */
	size_t url_len;
	bool app_known;	       /* nDPI has classified the flow */
	uint16_t app_master, app, app_category; /* nDPI ids (dpi.h) */
	const char *content_type; /* sniffed type of the object ("jpeg"), or NULL */
	const struct policy_hit *hits;
	size_t nhits;
	int64_t now;	       /* seconds since the epoch (the time conditions) */
	/* warn rules: has client acknowledged this category within ack_ns
	 * (the rule's acknowledge_for)? (the notice server's store). NULL:
	 * never. */
	bool (*acked)(void *ctx, const uint8_t *client, const char *category, uint64_t ack_ns);
	void *acked_ctx;
};

struct obj_verdict;

/* The input of the object point from an object's verdict (object/objsink.h):
 * the flow's client and server, Host, target, and its first list hit in
 * *hit (a verdict names only its first). in is cleared first; the caller
 * adds what the verdict does not carry (the sniffed type, nDPI's ids, the
 * time, the acknowledgement store). hit must outlive in's use, and so
 * must v's strings (valid during the verdict call). */
void policy_input_object(struct policy_input *in, const struct obj_verdict *v,
			 struct policy_hit *hit);

struct policy_decision {
	const struct policy_rule *rule; /* NULL: no rule matched (the input passes) */
	enum policy_action action;	/* ALLOW when no rule; ALLOW for an acknowledged warn */
	bool acknowledged;		/* a warn rule that the client acknowledged */
	int group;			/* the client's group (policy_group_name) */
};

/* nDPI's names for the app and app_category conditions, from whoever
 * links nDPI (classify/dpi.h): each returns an id or -1. NULL when
 * loading: every such condition is an error. */
struct policy_names {
	int (*app)(void *ctx, const char *name);
	int (*category)(void *ctx, const char *name);
	void *ctx;
};

struct policy_opts {
	const struct policy_names *names;
	const char *zoneinfo; /* tz database directory; NULL: /usr/share/zoneinfo */
	bool lists;	      /* load the hash and PDQ lists into registries */
	bool no_files;	      /* read no list files (text from the untrusted: fuzzing) */
};

struct policy;

/* Reads, checks and compiles the policy at path (lists named in it are
 * relative to its folder). Every problem goes to d; warnings do not fail
 * it. Returns the policy (caller frees it with policy_free) or NULL with
 * errno EINVAL (d says why) or ENOMEM. */
struct policy *policy_load(const char *path, const struct policy_opts *o, struct diag *d);

/* The same for text in memory; name is for messages and base the folder
 * list paths are relative to (NULL: the current one). */
struct policy *policy_parse(const char *name, const char *text, size_t len, const char *base,
			    const struct policy_opts *o, struct diag *d);

void policy_free(struct policy *p);

/* The first rule that matches in, and its action; fills *out. Cheap enough
 * for every flow and object: no allocation, no lock (docs/policy.md). */
void policy_decide(const struct policy *p, const struct policy_input *in,
		   struct policy_decision *out);

/* The rules in file order, and how many. */
const struct policy_rule *policy_rule(const struct policy *p, unsigned i);
unsigned policy_rules(const struct policy *p);

/* Groups: 0..policy_groups()-1, by name; the default group's index. */
unsigned policy_groups(const struct policy *p);
const char *policy_group_name(const struct policy *p, unsigned g);
unsigned policy_default_group(const struct policy *p);

/* The group of client (16 bytes, IPv4-mapped): the group of the most
 * specific prefix that holds it, else the default group. */
unsigned policy_group_of(const struct policy *p, const uint8_t *client);

/* Does group g keep no history of its members (no_history: true)? */
bool policy_group_no_history(const struct policy *p, unsigned g);

/* The hash and PDQ lists, loaded (policy_opts.lists) into registries whose
 * groups carry the lists' names: for the engine's matcher, or to swap in
 * (engine_swap_lists). NULL when not loaded. Owned by the policy. */
struct hashdb *policy_hashdb(const struct policy *p);
struct pdqdb *policy_pdqdb(const struct policy *p);

/* The notice server's address for DNS answers (notice_server: ipv4, ipv6;
 * IPv4-mapped for IPv4): true and addr (16 bytes), or false when the file
 * gives none for that family. */
bool policy_notice_server(const struct policy *p, bool v6, uint8_t *addr);

/* A SHA-256 of the policy text and of every list file it read, as 64 hex
 * digits: the policy version the events carry. */
const char *policy_version(const struct policy *p);

/* ---- tagging: what the kernel has to send to inspection -------------------
 * Only flows that can match a rule with content conditions (names, URLs,
 * hashes, PDQ, sniffed types, applications) need the expensive path; a
 * policy_tag says which: flows from clients in `clients` (any when
 * nclients is 0) to `servers` (any when 0) on server ports `ports`. One
 * tag per (rule, kind of inspection); a flow may meet several. */

/* What the inspection has to see, and so how much of the flow. */
enum policy_inspect {
	POLICY_INSPECT_DNS,   /* DNS queries (udp/53, tcp/53): one packet each */
	POLICY_INSPECT_TLS,   /* the ClientHello: the first payload packets */
	POLICY_INSPECT_QUIC,  /* the Initial packets */
	POLICY_INSPECT_HTTP,  /* request heads: Host, target */
	POLICY_INSPECT_BODY,  /* whole HTTP objects: inline, through the proxy */
	POLICY_INSPECT_APP,   /* nDPI: the first packets, any port */
};

struct policy_port {
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t lo, hi;	/* server port range, host order */
};

struct policy_prefix {
	uint8_t addr[16];	/* IPv4-mapped for IPv4 */
	uint8_t len;		/* 0..128 over the 16 bytes */
};

#define POLICY_MIRROR_TLS 4  /* payload packets that hold a ClientHello */
#define POLICY_MIRROR_APP 16 /* nDPI names most flows within these */

struct policy_tag {
	const struct policy_rule *rule;	    /* the rule it serves (its rule id) */
	enum policy_inspect inspect;
	const struct policy_port *ports;    /* server ports */
	size_t nports;
	uint16_t mirror_packets;	    /* payload packets worth mirroring; 0 all */
	bool steer;			    /* must be inspected inline (proxy) */
	/* Client prefixes: those of the rule's groups (0: every client; also
	 * when the default group is among them, which takes everyone else). */
	const struct policy_prefix *clients;
	size_t nclients;
	/* Destinations: the prefixes of the rule's IP lists (0: any). */
	const struct policy_prefix *servers;
	size_t nservers;
};

/* Calls fn for every tag, in rule order, until it returns nonzero (which
 * is returned). The tag and what it points at are valid during the call.
 * Rules that can never be reached (after a catch-all, or for groups an
 * earlier rule takes whole) give no tag. Returns 0, fn's value or
 * -ENOMEM. */
int policy_tags(const struct policy *p, int (*fn)(void *ctx, const struct policy_tag *t),
		void *ctx);

/* ---- DNS: what the kernel's domain tables answer ---------------------------
 * The tables (kernel/domains.h) know a query's client group, its name and,
 * through the agent's recompiles, the time: policy_dns gives their
 * entries, so that the longest-match lookup of the tables answers as
 * policy_decide does at POLICY_AT_DNS with no server address and no nDPI
 * ids (docs/policy.md, "DNS: the tables"). Rules are walked in order per
 * group; an entry already covered by an earlier entry of its group (an
 * exact name under an earlier `*.suffix`, a `*.suffix` under an earlier
 * one, the same entry) is left out, so that a later, more specific entry
 * never overrides an earlier rule. A rule with no domain_list ends its
 * groups' walk (its names are not in the tables: they pass); rules whose
 * conditions the tables cannot know (ip_list, app, app_category) are left
 * out; time windows are read at `now`. */

struct policy_dns_ops {
	/* Every prefix of every group (g: policy_group_name's index). */
	int (*group)(void *ctx, const struct policy_prefix *pfx, unsigned g);
	/* An entry: name ("x.example", or "*.example" for the names below)
	 * for the clients of group g, decided by rule (allow and monitor:
	 * an exception, the name passes). Strings valid during the call. */
	int (*name)(void *ctx, unsigned g, const char *name, const struct policy_rule *rule);
	void *ctx;
};

/* Calls ops->group for the prefixes, then ops->name for the entries in
 * force at time now (seconds), until one returns nonzero (returned).
 * Returns 0, that value or -ENOMEM. */
int policy_dns(const struct policy *p, int64_t now, const struct policy_dns_ops *ops);

/* The first minute boundary after now at which a time window of a rule
 * the tables depend on opens or closes (recompile then), within the next
 * eight days; 0 when no such rule has a window. */
int64_t policy_dns_next(const struct policy *p, int64_t now);

/* Names, for messages and events. */
const char *policy_action_name(enum policy_action a);
const char *policy_point_name(enum policy_point at);
const char *policy_inspect_name(enum policy_inspect i);

#endif
