/* SPDX-License-Identifier: GPL-2.0 */
/* pcapsrc: reads pcap and pcapng files: the source stage of `edgeward
 * pcap` and `edgeward streams`. Frames out (pcapsrc_next), or whole IP
 * packets out (pcapsrc_run, through ingest). Regular files are mapped and
 * read by pcapfile, frames pointing into the mapping; anything else
 * (pipes, files pcapfile doesn't take) goes through libpcap. */
#ifndef EW_PCAPSRC_H
#define EW_PCAPSRC_H

#include <stddef.h>
#include <stdint.h>

#include "ingest.h"
#include "pcapfile.h"

struct pcapsrc_err {
	char msg[512]; /* "couldn't open 'x.pcap': No such file ..." */
};

/* One captured frame, owned by the source, valid until the next call
 * (mapped files: until pcapsrc_close, but don't count on it). */
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

/* A mapping pcapsrc made itself gives its pages behind the reader back
 * (pcapfile_map_drop) every PCAPSRC_DROP_STEP bytes, all but the last
 * PCAPSRC_DROP_LAG; one the caller gave, the caller does (as far as the
 * slowest of its readers allows). */
#define PCAPSRC_DROP_LAG  (8u << 20)
#define PCAPSRC_DROP_STEP (1u << 20)

/* pcapsrc_open, reading path out of m, a mapping of it (pcapfile_map)
 * that the caller keeps until pcapsrc_close and may share between
 * sources on several threads. m NULL: pcapsrc_open. */
struct pcapsrc *pcapsrc_open_map(const char *path, const struct pcapfile_map *m,
				 struct pcapsrc_err *err);

/* Bytes of a mapped file read so far; 0 for a file libpcap reads. */
size_t pcapsrc_offset(const struct pcapsrc *s);

/* Reads the next frame. Returns 1 with *f filled, 0 at end of file, or
 * -EIO with err filled (truncated or corrupt file). */
int pcapsrc_next(struct pcapsrc *s, struct pcapsrc_frame *f, struct pcapsrc_err *err);

void pcapsrc_close(struct pcapsrc *s);

/* Runs one capture file: each frame through ingest_frame (decoding and
 * defragmenting), each whole packet to fn(ctx, p) with p->num the frame's
 * number in the file plus num_base. Counts into st. Returns 0, or -errno
 * with err filled when the file can't be opened or is cut short (the
 * frames before the damage are still handed on). */
int pcapsrc_run(const char *path, uint64_t num_base, void (*fn)(void *ctx, const struct pkt *p),
		void *ctx, struct capture_stats *st, struct pcapsrc_err *err);

#endif
