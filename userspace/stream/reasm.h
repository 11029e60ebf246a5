/* SPDX-License-Identifier: GPL-2.0 */
/* reasm: the packet reassembler. Takes decoded packets (struct pkt), keeps a
 * flow table of TCP and UDP flows, and hands ordered byte streams per
 * direction to a stream_ops consumer (the protocol dispatcher). Policies and
 * limits: docs/reassembly.md. */
#ifndef EW_REASM_H
#define EW_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "capture/packet.h"
#include "stream.h"

struct budget;

struct reasm_conf {
	uint64_t tcp_idle_ns; /* TCP flow closed after this long idle */
	uint64_t udp_idle_ns; /* UDP flow closed after this long idle */
	uint64_t hard_ns;     /* any flow closed this long after its start */
	uint64_t closed_ns;   /* a closed flow is remembered this long, so
			       * stray packets after FIN/RST open nothing */
	size_t max_flows;     /* flows in the table; the idlest is evicted */
	size_t flow_buf_max;  /* out-of-order bytes held per direction */
	size_t flow_segs_max; /* out-of-order segments held per direction
			       * (bounds the cost of inserting one) */
	size_t total_buf_max; /* out-of-order bytes held in all flows */
	uint32_t max_ahead;   /* segments further than this past the next
			       * expected byte are dropped (not a receiver's) */
	/* Shared caps (util/budget.h) of an engine with several reassemblers:
	 * flows and held bytes are then capped across all of them, and
	 * max_flows / total_buf_max only size this one's table. NULL: caps of
	 * this reassembler alone. Not owned; must outlive it. */
	struct budget *flow_budget, *byte_budget;
};

enum reasm_drop {
	REASM_DROP_NOT_L4 = 0, /* neither TCP nor UDP */
	REASM_DROP_NO_FLOW,    /* no flow and nothing to open one (bare ACK) */
	REASM_DROP_CLOSED,     /* flow already closed by FIN/RST */
	REASM_DROP_PAWS,       /* TCP timestamp older than the last one seen */
	REASM_DROP_WINDOW,     /* too far ahead of the next expected byte */
	REASM_DROP_RST_WINDOW, /* RST with a sequence number out of window */
	REASM_DROP_OLD,	       /* retransmission of bytes already delivered */
	REASM_DROP_HANDSHAKE,  /* not acceptable before the SYN-ACK */
	REASM_DROP_MAX
};

struct reasm_stats {
	uint64_t packets;      /* packets pushed */
	uint64_t flows;	       /* flows opened */
	uint64_t flows_active; /* now */
	uint64_t midstream;    /* flows opened without a handshake */
	uint64_t timeouts;     /* flows closed by idle or hard timeout */
	uint64_t evictions;    /* flows closed by a flow or memory cap */
	uint64_t gaps;	       /* holes given up on */
	uint64_t gap_bytes;
	uint64_t overlaps;  /* segments overlapping held or delivered bytes */
	uint64_t conflicts; /* ... whose bytes differ (first wins) */
	uint64_t bytes;	    /* payload bytes delivered */
	uint64_t buffered;  /* out-of-order bytes held now */
	uint64_t buffered_peak;
	uint64_t drops[REASM_DROP_MAX];
};

/* Defaults: TCP idle 300 s, UDP idle 60 s, hard 3600 s, closed 30 s,
 * 65536 flows, 4 MiB and 2048 segments per direction, 256 MiB in total, 16 MiB ahead. */
void reasm_conf_default(struct reasm_conf *c);

/* Returns a reassembler that calls ops (with ctx as its first argument), or
 * NULL with errno set. conf NULL means defaults. Caller frees with
 * reasm_free; ops and ctx must outlive it. */
struct reasm *reasm_new(const struct reasm_conf *conf, const struct stream_ops *ops, void *ctx);

/* Feeds one decoded, unfragmented packet (PKT_F_L4 set; others are counted
 * and dropped). A flow it opens takes p->num as its id (flow_info.id): the
 * number of the packet that opened it, unique within a source run. Payload is delivered (or copied if held) before it returns;
 * nothing is held for flows whose flow_open returned NULL. Packet time
 * drives the clock: flows idle at p->ts_ns are expired first. Returns 0, or
 * -ENOMEM when a flow or a held segment couldn't be allocated (the packet
 * is dropped; its bytes become a gap later). */
int reasm_push(struct reasm *r, const struct pkt *p);

/* Closes flows whose idle or hard timeout has passed at now_ns. */
void reasm_expire(struct reasm *r, uint64_t now_ns);

/* End of input: for every flow, delivers what is held (gapping holes), ends
 * both directions and closes it with STREAM_CLOSE_EOF. The table is empty
 * afterwards and can be fed again. */
void reasm_flush(struct reasm *r);

/* Copies the counters into *st. */
void reasm_stats(const struct reasm *r, struct reasm_stats *st);

/* Starts buffered_peak again from the bytes held now (per-source peaks). */
void reasm_reset_peak(struct reasm *r);

/* Short fixed name of a drop reason ("paws", "old" ...), for counter
 * listings and JSON keys; "unknown" out of range. */
const char *reasm_drop_str(enum reasm_drop d);

/* Flushes (reasm_flush) and frees. NULL is a no-op. */
void reasm_free(struct reasm *r);

#endif
