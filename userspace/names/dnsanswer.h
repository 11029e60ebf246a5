/* SPDX-License-Identifier: GPL-2.0 */
/* dnsanswer: the answer to a DNS query for a blocked name, byte for byte
 * as the TC program writes it (bpf/lib/dns.h), for the agent's DNS over
 * TCP relay (proxy/dnsconn.c), which answers the queries TC cannot read
 * whole. The query is read by the kernel's rules (a plain query: one
 * question, no compression, class IN or ANY, at most an OPT record of
 * version 0); what they refuse the kernel passes, and so does the agent:
 *
 *   query:  | header | question | [OPT ..........]                      |
 *   answer: | header'| question | [A or AAAA RR] | [OPT, EDE code, text] |
 *
 * Never prints, never allocates. */
#ifndef EW_DNSANSWER_H
#define EW_DNSANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ew_abi.h"

/* The longest answer: the header, the longest question, an AAAA record,
 * an OPT with the EDE and the longest text. */
#define DNSANSWER_MAX (12 + EW_DNS_NAME_MAX + 4 + 28 + 11 + 6 + EW_DNS_TEXT_MAX)

/* A query as the kernel reads it. */
struct dnsanswer_query {
	uint16_t id, qtype;
	size_t q_end;	/* message bytes up to the end of the question */
	bool edns;	/* an OPT record came with it */
	bool dnssec_ok; /* ... with the DO bit */
	/* the name as dotted text, case as asked, no trailing dot ("" for
	 * the root), for domains_lookup; dotted false when a label holds a
	 * '.' or a NUL (no table entry can hold such a name: it passes, as
	 * in the kernel, whose hash of it matches no entry's) */
	bool dotted;
	char name[EW_DNS_NAME_MAX];
};

/* Reads msg (len bytes, one whole message without TCP's length prefix)
 * as the kernel reads a query. Returns 0, or -EINVAL for anything the
 * kernel passes untouched (a response, another opcode, TC set, not one
 * question, answer or authority records, a bad name, another class, an
 * additional record that is not an OPT of version 0, bytes missing). */
int dnsanswer_parse(const uint8_t *msg, size_t len, struct dnsanswer_query *q);

/* Writes the answer a prescribes (its kind not EW_DNS_PASS) to query
 * msg, read into q by dnsanswer_parse, into out (size bytes, at least
 * DNSANSWER_MAX suffice). Returns its length, or -ENOSPC (size too small)
 * / -EINVAL (a kind of EW_DNS_PASS); the outcome, as the kernel counts it
 * (EW_C_DNS_NOTICE, EW_C_DNS_NXDOMAIN or EW_C_DNS_NODATA), through
 * *outcome. */
int dnsanswer_build(const uint8_t *msg, const struct dnsanswer_query *q,
		    const struct ew_dns_answer *a, uint8_t *out, size_t size, uint32_t *outcome);

#endif
