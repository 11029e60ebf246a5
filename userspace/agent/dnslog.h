/* SPDX-License-Identifier: GPL-2.0 */
/* dnslog: a block event for every DNS answer the TC program sent in
 * place of a query for a blocked name. The answer comes up the mirror ring
 * as an EW_DIR_DNS_ANSWER record (include/ew_abi.h): the frame as it went
 * back to the client, the domain tables' rule and the outcome.
 *
 *   TC: query ─answered─▶ client
 *        └─ record ─▶ mirror ring ─▶ tap ─▶ dnslog_answer ─▶ block event */
#ifndef EW_AGENT_DNSLOG_H
#define EW_AGENT_DNSLOG_H

#include "decide.h"
#include "engine/engine.h"
#include "events.h"
#include "kernel/mirror.h"

/* Writes the block event of answer record pkt to e's log, its rule named
 * after the policy in force (dc; NULL: by the tables' rule id). Returns 0, or
 * -EINVAL when the record does not hold a DNS answer with its question
 * (counted by the caller), -ENOMEM / -EMSGSIZE when the line was not
 * queued. */
int dnslog_answer(struct engine *e, struct decider *dc, const struct mirror_pkt *pkt);

/* Writes b, the block event of a DNS answer (TC's or the agent's), its
 * rule named after the policy in force (dc; NULL: by the tables' rule
 * id). Returns what agent_event_name_block does. */
int dnslog_post(struct engine *e, struct decider *dc, struct agent_name_block *b);

/* What an answer's outcome counter (EW_C_DNS_NOTICE, _NXDOMAIN, _NODATA)
 * says it was enforced with. */
enum agent_enforced dnslog_enforced(uint32_t outcome);

#endif
