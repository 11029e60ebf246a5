// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the DNS answer builder (names/dnsanswer.c) on any bytes.
 * What it reads as a query it answers, for every kind of answer (the
 * input's last byte picks the flags and text length), within
 * DNSANSWER_MAX: a response with the query's id and question byte for
 * byte, that dnsmsg reads back with the question's type; any prefix cut
 * inside the question or OPT is not a query. */
#include <assert.h>
#include <string.h>

#include "names/dnsanswer.h"
#include "names/dnsmsg.h"

static void answer(const uint8_t *data, size_t size, const struct dnsanswer_query *q, uint8_t kind,
		   uint8_t pick)
{
	struct ew_dns_answer a = {.rule_id = 7, .ttl = 300, .kind = kind,
				  .other = pick & 1 ? EW_DNS_NXDOMAIN : EW_DNS_NODATA,
				  .flags = (pick >> 1) & 3, .ede = pick & 8 ? 17 : 0,
				  .text_len = (uint16_t)(pick * 3)};
	uint8_t out[DNSANSWER_MAX];
	struct dnsmsg_question rq;
	uint32_t outcome = 0;
	int n;

	memset(a.text, 'x', sizeof(a.text));
	n = dnsanswer_build(data, q, &a, out, sizeof(out), &outcome);
	if (kind == EW_DNS_PASS) {
		assert(n < 0);
		return;
	}
	assert(n >= (int)q->q_end && n <= (int)DNSANSWER_MAX);
	assert(outcome == EW_C_DNS_NOTICE || outcome == EW_C_DNS_NXDOMAIN ||
	       outcome == EW_C_DNS_NODATA);
	assert(!memcmp(out + 12, data + 12, q->q_end - 12) && !memcmp(out, data, 2));
	assert(!dnsmsg_question(out, (size_t)n, &rq) && rq.response && rq.id == q->id &&
	       rq.qtype == q->qtype);
	assert(rq.rcode == (outcome == EW_C_DNS_NXDOMAIN ? 3 : 0));
	(void)size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsanswer_query q, c;
	size_t need;

	if (dnsanswer_parse(data, size, &q))
		return 0;
	assert(q.q_end <= size && q.q_end <= 12 + EW_DNS_NAME_MAX + 4);
	assert(strlen(q.name) < EW_DNS_NAME_MAX || !q.dotted);
	for (uint8_t kind = 0; kind <= EW_DNS_NODATA; kind++)
		answer(data, size, &q, kind, size ? data[size - 1] : 0);
	need = q.q_end + (q.edns ? 11 : 0);
	for (size_t len = 0; len < need; len++)
		assert(dnsanswer_parse(data, len, &c));
	return 0;
}
