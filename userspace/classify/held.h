/* SPDX-License-Identifier: GPL-2.0 */
/* held: a flow's packets that carried no payload (a TCP handshake), kept
 * byte for byte with their times until the flow's first payload, when
 * dpi_ndpi.c gives nDPI its flow state and replays them into it. A flow
 * that never carries payload costs this record instead of nDPI's state.
 *
 *   struct held:  n | used | packet | packet | ...      one allocation,
 *   packet:       ts_ns (8) | len (2) | IP datagram     exactly sized
 */
#ifndef EW_HELD_H
#define EW_HELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many bytes of packets (with their 10-byte headers): a few
 * handshake packets; past it nDPI's own state (688 bytes) is no dearer. */
#define HELD_BYTES_MAX 512

struct held;

/* Appends the datagram ip (len bytes) sent at ts_ns to *h (NULL: none held
 * yet), which may move. Returns 0, -ENOSPC if it would pass HELD_BYTES_MAX
 * or -ENOMEM (*h unchanged then). The caller frees *h with held_free. */
int held_add(struct held **h, const uint8_t *ip, size_t len, uint64_t ts_ns);

/* The packets held in h (NULL: none). */
unsigned held_count(const struct held *h);

/* Calls fn for each packet of h in the order they were added, until fn
 * returns false; ip is valid during the call. */
void held_replay(const struct held *h,
		 bool (*fn)(void *ctx, const uint8_t *ip, size_t len, uint64_t ts_ns), void *ctx);

void held_free(struct held *h);

#endif
