/* SPDX-License-Identifier: GPL-2.0 */
/* pcapsrc: reads pcap and pcapng files with libpcap and drives the first
 * stages: frame -> packet_decode -> defrag -> reasm_push. The source stage
 * of `edgeward pcap`. */
#ifndef EW_PCAPSRC_H
#define EW_PCAPSRC_H

#include <stddef.h>
#include <stdint.h>

#include "defrag.h"
#include "packet.h"
#include "stream/reasm.h"

struct pcapsrc_err {
	char msg[512]; /* "couldn't open 'x.pcap': No such file ..." */
};

/* One captured frame, owned by the source, valid until the next call. */
struct pcapsrc_frame {
	const uint8_t *data;
	uint32_t caplen; /* bytes in data */
	uint32_t len;	 /* bytes on the wire */
	uint64_t ts_ns;	 /* wall clock, ns since the epoch */
	uint64_t num;	 /* frame number in the file, from 1 */
	int linktype;	 /* DLT_* (PKT_LINK_*) */
};

/* Opens path (pcap or pcapng, nanosecond timestamps). Returns the source
 * (caller frees with pcapsrc_close), or NULL with err filled and errno set
 * (ENOTSUP: a link type packet_decode doesn't handle). */
struct pcapsrc *pcapsrc_open(const char *path, struct pcapsrc_err *err);

/* Reads the next frame. Returns 1 with *f filled, 0 at end of file, or
 * -EIO with err filled (truncated or corrupt file). */
int pcapsrc_next(struct pcapsrc *s, struct pcapsrc_frame *f, struct pcapsrc_err *err);

void pcapsrc_close(struct pcapsrc *s);

/* What pcapsrc_run saw, summed over calls with the same struct (zero it first). */
struct pcapsrc_stats {
	uint64_t frames;
	uint64_t bytes;		    /* frame bytes captured */
	uint64_t decoded;	    /* handed to reasm_push */
	uint64_t not_ip;	    /* ARP, LLDP ...: ignored */
	uint64_t malformed;	    /* sum of bad[] */
	uint64_t bad[PKT_E_MAX];    /* by enum pkt_reason */
	struct pkt_err first_bad;   /* the first malformed frame (num 0: none) */
	struct defrag_stats defrag; /* of the last run */
};

/* Runs one capture file through packet decoding, defragmentation and r,
 * then flushes r (reasm_flush) so every flow of the file is closed before it
 * returns. Malformed frames are counted in st, never fatal. Returns 0, or
 * -errno with err filled when the file can't be opened or is cut short
 * (the frames before the damage are still processed and flushed). */
int pcapsrc_run(const char *path, struct reasm *r, struct pcapsrc_stats *st,
		struct pcapsrc_err *err);

#endif
