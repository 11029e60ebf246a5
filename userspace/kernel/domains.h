/* SPDX-License-Identifier: GPL-2.0 */
/* domains: the tables the TC program answers DNS queries from, and the
 * agent decides TLS and QUIC server names by (include/ew_abi.h, "Domain
 * names"): subscriber groups by client prefix, exact names and `*.suffix`
 * entries per group, and what a blocked name's query gets. A writer (the
 * policy compiler) stages a whole new set and commits it; the kernel
 * switches to it in one step, and a query in flight sees the old set or
 * the new one, never a mix:
 *
 *   domains_new ─▶ domains_group / domains_set ... ─▶ domains_commit ─▶ kernel
 *   domains_view_open ─▶ domains_lookup (the same answer the kernel gives)
 *
 * docs/domains.md has the format of the tables. */
#ifndef EW_DOMAINS_H
#define EW_DOMAINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ew_abi.h"

/* What a rule's blocked names get. */
struct domains_rule {
	uint32_t rule_id; /* counted per rule (ew_rulehits_v1), named in events */
	uint8_t kind;	  /* EW_DNS_PASS (an exception), _NXDOMAIN, _NOTICE, _NODATA */
	uint8_t other;	  /* EW_DNS_NOTICE: what a type without an address gets,
			   * EW_DNS_NODATA (default, 0 taken as it) or _NXDOMAIN */
	uint8_t ede;	  /* 15 Blocked, 16 Censored, 17 Filtered; 0: none */
	bool has_v4, has_v6;
	uint8_t addr4[4]; /* the notice server: A answers */
	uint8_t addr6[16]; /* AAAA answers */
	uint32_t ttl;	  /* of those records; 0: EW_DNS_TTL */
	const char *text; /* EXTRA-TEXT of the EDE (whom to contact), at most
			   * EW_DNS_TEXT_MAX bytes of UTF-8; NULL: none */
};

struct domains;

/* An empty staging set. NULL with errno set. */
struct domains *domains_new(void);

void domains_free(struct domains *d);

/* Puts name in group under rule r: "blocked.example" is the name itself,
 * "*.blocked.example" every name below it (not the name: list both for
 * both). Compared without case and without a trailing dot. Names are
 * already in their ASCII form (punycode for IDNs); labels 1 to 63 bytes,
 * at most 253 in all. A rule id given twice must come with the same rule
 * (at most EW_DNS_ANSWER_MAX rules); a name given twice in a group keeps
 * the last. Returns 0 or -EINVAL / -ENOSPC / -ENOMEM, the reason in
 * domains_error. */
int domains_set(struct domains *d, uint32_t group, const char *name, const struct domains_rule *r);

/* Puts clients in the prefix (16-byte address, IPv4-mapped for IPv4;
 * plen over the 128 bits, so an IPv4 /24 is 120) in group; a client in
 * no prefix is in group 0. Returns 0 or -EINVAL / -ENOMEM. */
int domains_group(struct domains *d, const uint8_t addr[16], unsigned plen, uint32_t group);

/* domains_group with the prefix as text, in prefix.h's syntax
 * ("10.1.0.0/16", "2001:db8::/32", a bare address is a host). Returns 0
 * or -EINVAL (domains_error). */
int domains_group_text(struct domains *d, const char *prefix, uint32_t group);

/* Writes the staged set into the pinned tables (under loader_pin_dir())
 * as the next generation and switches the kernel to it. d stays as it
 * is: commit it again, or free it. Returns 0 or -errno (-ENOENT: the
 * tables are not pinned: start the agent or `edgeward run` first), the
 * reason in domains_error. */
int domains_commit(struct domains *d);

/* The last error's reason ("invalid name '...': label longer than 63
 * bytes"), "" when none. Valid until the next call on d. */
const char *domains_error(const struct domains *d);

/* Entries staged: names, prefixes, rules. */
size_t domains_names(const struct domains *d);

/* ---- reading the tables in force ---- */

struct domains_view;

/* Opens the pinned generation map. NULL with errno set (ENOENT: not
 * pinned). Needs no capability beyond access to the pins. */
struct domains_view *domains_view_open(void);

void domains_view_close(struct domains_view *v);

/* What the kernel decides for a query for name (text, len bytes; a
 * trailing dot allowed) from client (16 bytes, IPv4-mapped): 1 with the
 * answer of the longest entry in *out (its kind EW_DNS_PASS for an
 * exception), 0 when no entry holds the name (or it is not a valid
 * name), or -errno. Sees a commit from the next call on. */
int domains_lookup(struct domains_view *v, const uint8_t client[16], const char *name,
		   size_t len, struct ew_dns_answer *out);

/* The hash the tables key name by, as the TC program computes it:
 * *wild is set for "*.suffix" (the hash is the suffix's). Returns 0, or
 * -EINVAL with why (at least 96 bytes) filled. Exposed for tests. */
int domains_hash(const char *name, size_t len, uint64_t *hash, bool *wild, char *why,
		 size_t whylen);

#endif
