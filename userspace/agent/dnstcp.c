// SPDX-License-Identifier: GPL-2.0
/* dnstcp: blocked names' answers to DNS over TCP (dnstcp.h). */
#include <netinet/in.h>
#include <string.h>

#include "dnslog.h"
#include "dnstcp.h"
#include "events.h"
#include "names/dnsanswer.h"
#include "names/dnsmsg.h"

_Static_assert(DNSANSWER_MAX <= PROXY_DNS_ANSWER_MAX, "the proxy's answer room is too small");

/* The block event of an answer the agent sent, as TC's (dnslog.c). */
static void event(struct dnstcp *d, const struct proxy_dns_query *q, uint32_t rule,
		  uint32_t outcome)
{
	struct flow_info fi = {.id = q->flow_id, .proto = IPPROTO_TCP, .client_port = q->cport,
			       .server_port = q->sport};
	struct agent_name_block b = {.fi = &fi, .via = "dns", .rule_id = rule,
				     .how = dnslog_enforced(outcome), .answered_by = "agent"};
	struct dnsmsg_question dq;

	if (dnsmsg_question(q->msg, q->len, &dq))
		return; /* not reached: dnsanswer read it; the time: now */
	memcpy(fi.client_addr, q->client, 16);
	memcpy(fi.server_addr, q->server, 16);
	b.name = dq.name;
	b.dns_type = dq.qtype;
	dnslog_post(d->e, d->dc, &b);
}

size_t dnstcp_answer(void *ctx, const struct proxy_dns_query *q, uint8_t *answer, size_t size)
{
	struct dnstcp *d = ctx;
	struct dnsanswer_query dq;
	struct ew_dns_answer a;
	uint32_t outcome = 0;
	int n;

	if (!d->names || dnsanswer_parse(q->msg, q->len, &dq) || !dq.dotted ||
	    namewatch_lookup(d->names, q->client, dq.name, &a) <= 0 || a.kind == EW_DNS_PASS)
		return 0;
	n = dnsanswer_build(q->msg, &dq, &a, answer, size, &outcome);
	if (n <= 0)
		return 0;
	if (d->e)
		event(d, q, a.rule_id, outcome);
	return (size_t)n;
}
