/* SPDX-License-Identifier: GPL-2.0 */
/* ingest: one captured frame -> packet_decode -> defrag -> a whole IP
 * packet for the reassembler, with every frame counted. Shared by the
 * sources that see frames: capture files (pcapsrc) and the ring-buffer
 * mirror of the live agent. */
#ifndef EW_INGEST_H
#define EW_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "defrag.h"
#include "packet.h"

/* What a source saw, summed over calls with the same struct (zero it
 * first). */
struct capture_stats {
	uint64_t frames;
	uint64_t bytes;		    /* frame bytes captured */
	uint64_t decoded;	    /* packets handed on */
	uint64_t not_ip;	    /* ARP, LLDP ...: ignored */
	uint64_t malformed;	    /* sum of bad[] */
	uint64_t bad[PKT_E_MAX];    /* by enum pkt_reason */
	struct pkt_err first_bad;   /* the first malformed frame (num 0: none) */
	struct defrag_stats defrag; /* of the defragmenter, when the source ends */
};

/* Decodes frame (caplen bytes of link type linktype, number num in its
 * source, captured at ts_ns), reassembling IP fragments through d. Returns
 * 1 with *p filled (pointers into frame, or into d until its next call), or
 * 0 when there is nothing to hand on: not IP, malformed (counted by reason,
 * the first one kept), or a fragment held or dropped by d. */
int ingest_frame(struct defrag *d, int linktype, const uint8_t *frame, size_t caplen,
		 uint64_t num, uint64_t ts_ns, struct pkt *p, struct capture_stats *st);

#endif
