/* SPDX-License-Identifier: GPL-2.0 */
/* The contract between byte-stream sources (packet reassembler, ring-buffer
 * mirror, transparent proxy) and protocol parsers: ordered bytes per flow
 * direction, plus gaps and closes. Everything after a source is written once
 * against this interface. */
#ifndef EW_STREAM_H
#define EW_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "ew_abi.h"

enum stream_dir {
	STREAM_C2S = 0,	/* client to server: requests */
	STREAM_S2C = 1,	/* server to client: responses */
};

/* flow_info.flags */
#define FLOW_MIDSTREAM	0x01	/* no handshake seen: roles guessed, objects partial */
#define FLOW_IPV6	0x02
#define FLOW_SEQ_KNOWN	0x04	/* TCP: seq[] holds where both directions stand */

/* One flow as the source saw it. Addresses are IPv6 or IPv4-mapped IPv6
 * (::ffff:a.b.c.d), ports host order. Owned by the source; valid from
 * flow_open until flow_close returns. */
struct flow_info {
	uint64_t id;		/* unique per source run, starting at 1 */
	struct ew_flow_key key;	/* canonical key, as the kernel maps use */
	uint8_t client_addr[16];
	uint8_t server_addr[16];
	uint16_t client_port;
	uint16_t server_port;
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t flags;		/* FLOW_* */
	uint16_t vlan;		/* outer VLAN id, 0 if none */
	uint32_t ifindex;	/* live: interface of the opening packet; 0: unknown */
	uint64_t first_ts_ns;	/* wall clock, ns since the epoch */
	/* TCP, live: the sequence number of the next byte expected in each
	 * direction (by enum stream_dir), kept current by the source so a
	 * consumer can reset the connection (tap mode); valid with
	 * FLOW_SEQ_KNOWN. */
	uint32_t seq[2];
};

/* flow_close reasons */
enum stream_close {
	STREAM_CLOSE_FIN,	/* both directions ended in order */
	STREAM_CLOSE_RST,
	STREAM_CLOSE_TIMEOUT,	/* idle or hard timeout */
	STREAM_CLOSE_EVICT,	/* memory pressure */
	STREAM_CLOSE_EOF,	/* end of input */
};

/* The name events give a close reason: "fin", "rst", "timeout", "evict",
 * "eof". */
static inline const char *stream_close_name(enum stream_close why)
{
	static const char *const names[] = {
		[STREAM_CLOSE_FIN] = "fin",	    [STREAM_CLOSE_RST] = "rst",
		[STREAM_CLOSE_TIMEOUT] = "timeout", [STREAM_CLOSE_EVICT] = "evict",
		[STREAM_CLOSE_EOF] = "eof",
	};

	return (unsigned)why < sizeof(names) / sizeof(names[0]) ? names[why] : "?";
}

/* A consumer of byte streams (usually the protocol dispatcher).
 * flow_open returns the consumer's per-flow state, passed back to the
 * other calls (NULL means: not interested, send nothing more for this flow).
 * data hands over bytes in stream order; the pointer is valid only during
 * the call. gap says `len` bytes of this direction are lost and will never
 * come (`len` may be 0 when unknown). end says this direction has ended
 * (FIN, or the close). flow_close is the last call; the consumer frees its
 * state there. */
struct stream_ops {
	void *(*flow_open)(void *ctx, const struct flow_info *fi);
	void (*data)(void *flow, enum stream_dir dir, const uint8_t *p, size_t len,
		     uint64_t ts_ns);
	void (*gap)(void *flow, enum stream_dir dir, uint64_t len, uint64_t ts_ns);
	void (*end)(void *flow, enum stream_dir dir, uint64_t ts_ns);
	void (*flow_close)(void *flow, enum stream_close why, uint64_t ts_ns);
	/* Optional (NULL: not wanted): the source saw a transport anomaly in
	 * this direction at the current stream position (STREAM_ANOM_*). */
	void (*anomaly)(void *flow, enum stream_dir dir, unsigned what,
			uint64_t ts_ns);
	/* Optional (NULL: not wanted), and only from sources that see
	 * packets (the reassembler; byte-stream sources never call it): each
	 * packet of the flow as it arrives, before reassembly (retransmitted,
	 * out-of-order and empty segments too), from its IP header: len bytes
	 * of IP datagram, valid during the call. For consumers that classify
	 * packets rather than streams (nDPI); it comes before the packet's
	 * bytes reach data(). */
	void (*packet)(void *flow, enum stream_dir dir, const uint8_t *ip, size_t len,
		       uint64_t ts_ns);
};

/* stream_ops.anomaly `what` bits */
#define STREAM_ANOM_OVERLAP	0x1	/* overlapping segments with different
					 * bytes; the first copy was kept */

#endif
