// SPDX-License-Identifier: GPL-2.0
/* ingest: frame -> packet_decode -> defrag -> struct pkt, counted. */
#include <errno.h>

#include "ingest.h"

int ingest_frame(struct defrag *d, int linktype, const uint8_t *frame, size_t caplen,
		 uint64_t num, uint64_t ts_ns, struct pkt *p, struct capture_stats *st)
{
	struct pkt_err e;
	const uint8_t *ip;
	size_t len;
	int rc;

	st->frames++;
	st->bytes += caplen;
	rc = packet_decode(linktype, frame, caplen, num, ts_ns, p, &e);
	if (rc == 0 && (p->flags & PKT_F_FRAG)) {
		rc = defrag_push(d, p->l3, p->l3_len, p->ts_ns, &ip, &len);
		if (rc != 1)
			return 0; /* held, or dropped and counted by defrag */
		rc = packet_decode_ip(ip, len, (size_t)(p->l3 - frame), p, &e);
	}
	if (rc == -ENOENT) {
		st->not_ip++;
		return 0;
	}
	if (rc) {
		st->malformed++;
		st->bad[e.reason]++;
		if (!st->first_bad.num)
			st->first_bad = e;
		return 0;
	}
	st->decoded++;
	return 1;
}
