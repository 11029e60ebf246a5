/* SPDX-License-Identifier: GPL-2.0 */
/* The agent end of the TC mirror: consumes ew_mirror_rec records from the
 * pinned ring buffer (EW_MAP_MIRROR), puts wall-clock timestamps on them and
 * hands them to a callback (pcapng output, later the packet reassembler). */
#ifndef EW_MIRROR_H
#define EW_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "ew_abi.h"

/* One mirrored packet. Points into the ring buffer: valid only during the
 * callback. */
struct mirror_pkt {
	const struct ew_mirror_rec *rec;
	const uint8_t *data; /* the frame from its Ethernet header */
	uint32_t cap_len;
	uint32_t orig_len;
	uint32_t ifindex;
	uint64_t ts_ns; /* wall clock, ns since the epoch */
};

/* Returns 0 to go on, nonzero to stop the current poll with that value. */
typedef int (*mirror_cb)(const struct mirror_pkt *pkt, void *ctx);

struct mirror;

/* Checks a raw ring-buffer record of size bytes and fills *pkt, adding
 * wall_offset_ns (CLOCK_REALTIME - CLOCK_MONOTONIC) to its timestamp.
 * Returns 0 or -EINVAL for a short or inconsistent record. */
int mirror_decode(const void *raw, size_t size, int64_t wall_offset_ns, struct mirror_pkt *pkt);

/* CLOCK_REALTIME minus CLOCK_MONOTONIC now, in ns. */
int64_t mirror_wall_offset(void);

/* Consumes ringbuf_fd (borrowed: keep it open until mirror_free), calling cb
 * with ctx for each record. Returns NULL with errno set on failure. */
struct mirror *mirror_new(int ringbuf_fd, mirror_cb cb, void *ctx);

/* Waits up to timeout_ms for records and consumes all that are ready.
 * Returns the number consumed, or -errno (-EINTR is not an error). */
int mirror_poll(struct mirror *m, int timeout_ms);

/* An fd that polls readable when records are ready. */
int mirror_fd(const struct mirror *m);

/* Records seen and records rejected as malformed since mirror_new. */
uint64_t mirror_seen(const struct mirror *m);
uint64_t mirror_bad(const struct mirror *m);

void mirror_free(struct mirror *m);

#endif
