/* SPDX-License-Identifier: GPL-2.0 */
/* defrag: IPv4 and IPv6 fragment reassembly between packet decoding and the
 * reassembler. Bounded: datagrams in progress, bytes held, datagram size and
 * age are capped; overlapping fragments keep the bytes that came first. */
#ifndef EW_DEFRAG_H
#define EW_DEFRAG_H

#include <stddef.h>
#include <stdint.h>

struct defrag_conf {
	uint64_t timeout_ns;  /* a datagram not complete after this is dropped */
	size_t max_datagrams; /* in progress at once; the oldest is dropped */
	size_t max_bytes;     /* fragment bytes held in total */
	size_t max_frags;     /* fragments per datagram */
};

struct defrag_stats {
	uint64_t fragments;   /* fragments accepted */
	uint64_t reassembled; /* datagrams completed */
	uint64_t timeouts;    /* dropped: incomplete at timeout */
	uint64_t evicted;     /* dropped: a cap was reached */
	uint64_t overlaps;    /* fragments overlapping held bytes */
	uint64_t conflicts;   /* ... with different bytes (first wins) */
	uint64_t bad;	      /* malformed: bad offset/length, too big */
	uint64_t bytes_held;  /* now */
	uint64_t bytes_peak;
};

/* Defaults: 30 s timeout, 1024 datagrams, 16 MiB, 256 fragments each. */
void defrag_conf_default(struct defrag_conf *c);

/* Returns a new defragmenter (caller frees with defrag_free), or NULL with
 * errno set. conf NULL means defaults. */
struct defrag *defrag_new(const struct defrag_conf *conf);
void defrag_free(struct defrag *d);

/* Feeds one IP fragment: ip points at the IPv4 or IPv6 header, len bytes to
 * the end of the datagram. Returns 1 when this completed a datagram: *out
 * and *out_len then hold the whole datagram (IP header with fragment fields
 * cleared, IPv6 fragment header removed), owned by d and valid until the
 * next defrag_* call. Returns 0 when held, -EINVAL for a malformed fragment
 * (counted in bad), -ENOMEM when a cap dropped it. Also expires old datagrams
 * against ts_ns. */
int defrag_push(struct defrag *d, const uint8_t *ip, size_t len, uint64_t ts_ns,
		const uint8_t **out, size_t *out_len);

/* Drops datagrams older than the timeout at now_ns. */
void defrag_expire(struct defrag *d, uint64_t now_ns);

void defrag_stats(const struct defrag *d, struct defrag_stats *st);

#endif
