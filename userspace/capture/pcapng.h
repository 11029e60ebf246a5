/* SPDX-License-Identifier: GPL-2.0 */
/* A pcapng writer: one section, Ethernet interfaces with nanosecond
 * timestamps (if_tsresol=9), Enhanced Packet Blocks. The mirror consumer
 * (mirror.c) feeds it in `edgeward run --pcap-out`. Little-endian output. */
#ifndef EW_PCAPNG_H
#define EW_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

struct pcapng;

/* Starts a section (SHB) on f, which stays the caller's: pcapng_close does
 * not fclose it. Returns a writer or NULL with errno set. */
struct pcapng *pcapng_open(FILE *f);

/* Describes an Ethernet interface (IDB: if_name, if_tsresol=9). Returns its
 * interface id (0, 1, ... in call order) or -errno. */
int pcapng_add_interface(struct pcapng *w, const char *name, uint32_t snaplen);

/* Writes one packet (EPB) seen on interface ifid at ts_ns (ns since the
 * epoch): cap_len bytes of data, orig_len on the wire. Returns 0 or -errno
 * (-EINVAL for an unknown ifid or cap_len > orig_len). */
int pcapng_write_packet(struct pcapng *w, uint32_t ifid, uint64_t ts_ns, const void *data,
			uint32_t cap_len, uint32_t orig_len);

/* Flushes f and frees w. Returns 0, or -errno if any write failed. */
int pcapng_close(struct pcapng *w);

#endif
