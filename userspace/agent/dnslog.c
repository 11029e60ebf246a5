// SPDX-License-Identifier: GPL-2.0
/* dnslog: block events for the DNS answers TC sent (dnslog.h). */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "capture/packet.h"
#include "dnslog.h"
#include "events.h"
#include "names/dnsmsg.h"

enum agent_enforced dnslog_enforced(uint32_t outcome)
{
	return outcome == EW_C_DNS_NOTICE     ? ENF_DNS_NOTICE
	       : outcome == EW_C_DNS_NXDOMAIN ? ENF_DNS_NXDOMAIN
					      : ENF_DNS_NODATA;
}

int dnslog_post(struct engine *e, struct decider *dc, struct agent_name_block *b)
{
	char rule[OBJSINK_NAME_MAX], category[OBJSINK_NAME_MAX];

	if (dc && decide_dns_rule(dc, b->rule_id, rule, category)) {
		b->rule = rule;
		b->category = category[0] ? category : NULL;
	}
	return agent_event_name_block(e, b);
}

int dnslog_answer(struct engine *e, struct decider *dc, const struct mirror_pkt *pkt)
{
	struct agent_name_block b = {.ts_ns = pkt->ts_ns, .via = "dns",
				     .rule_id = pkt->rec->seq, .how = dnslog_enforced(pkt->rec->ack),
				     .answered_by = "tc"};
	struct dnsmsg_question q;
	struct flow_info fi = {0};
	struct pkt_err err;
	struct pkt p;
	const uint8_t *msg;
	size_t len;

	if (packet_decode(PKT_LINK_EN10MB, pkt->data, pkt->cap_len, 0, pkt->ts_ns, &p, &err) ||
	    (p.flags & PKT_F_FRAG) || (p.proto != IPPROTO_UDP && p.proto != IPPROTO_TCP))
		return -EINVAL;
	msg = p.payload;
	len = p.len;
	if (p.proto == IPPROTO_TCP && len >= 2) { /* the length prefix */
		msg += 2;
		len -= 2;
	}
	if (dnsmsg_question(msg, len, &q) || !q.response)
		return -EINVAL;
	/* the answer goes from the server's address back to the client */
	memcpy(fi.client_addr, p.dst, 16);
	memcpy(fi.server_addr, p.src, 16);
	fi.client_port = p.dport;
	fi.server_port = p.sport;
	fi.proto = p.proto;
	fi.ifindex = pkt->ifindex;
	b.fi = &fi;
	b.name = q.name;
	b.dns_type = q.qtype;
	return dnslog_post(e, dc, &b);
}
