/* SPDX-License-Identifier: GPL-2.0 */
/* packet: decodes one captured frame (link layer, IPv4/IPv6, TCP/UDP) into a
 * struct pkt for the defragmenter and the reassembler. First stage after
 * pcapsrc (and, later, the ring-buffer mirror). Never prints, never allocates. */
#ifndef EW_PACKET_H
#define EW_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "ew_abi.h"

/* libpcap DLT_* values, restated so callers need not include <pcap.h>. */
#define PKT_LINK_NULL	    0	/* BSD loopback: host-order u32 family */
#define PKT_LINK_EN10MB	    1	/* Ethernet */
#define PKT_LINK_RAW	    12	/* DLT_RAW on Linux/most: raw IPv4/IPv6 */
#define PKT_LINK_LOOP	    108 /* OpenBSD loopback: network-order family */
#define PKT_LINK_LINUX_SLL  113
#define PKT_LINK_IPV4	    228
#define PKT_LINK_IPV6	    229
#define PKT_LINK_LINUX_SLL2 276
#define PKT_LINK_RAW_ALT    101 /* LINKTYPE_RAW as stored in files */

#define PKT_VLAN_MAX	 2 /* 802.1Q / 802.1ad tags followed */
#define PKT_IPV6_EXT_MAX 8 /* IPv6 extension headers followed */
#define PKT_TUNNEL_MAX	 2 /* GRE / IP-in-IP levels decapsulated */

/* TCP flags (struct pkt.tcp_flags) */
#define PKT_FIN 0x01
#define PKT_SYN 0x02
#define PKT_RST 0x04
#define PKT_PSH 0x08
#define PKT_ACK 0x10

/* struct pkt.flags */
#define PKT_F_FRAG 0x01 /* IP fragment: l3/l3_len set, L4 fields not */
#define PKT_F_TS   0x02 /* TCP timestamp option present (tsval/tsecr) */
#define PKT_F_L4   0x04 /* TCP or UDP decoded: ports, payload valid */

/* One decoded packet. Pointers point into the caller's frame buffer and are
 * valid as long as it is. Addresses are IPv6 or IPv4-mapped (::ffff:a.b.c.d),
 * ports host order. */
struct pkt {
	uint64_t num;		/* packet number in the source, from 1 */
	uint64_t ts_ns;		/* wall clock, ns since the epoch */
	struct ew_flow_key key; /* canonical: lower (addr, port) first */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport, dport;
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP, or other (no L4) */
	uint8_t family;		/* 4 or 6 */
	uint8_t flags;		/* PKT_F_* */
	uint8_t tcp_flags;	/* PKT_FIN ... */
	uint16_t vlan;		/* outer VLAN id, 0 if none */
	uint8_t tunnels;	/* GRE / IP-in-IP headers removed */
	uint32_t ifindex;	/* live: the interface it came in on; 0: unknown */
	uint16_t win;		/* TCP window, unscaled */
	uint32_t seq, ack;	/* TCP, host order */
	uint32_t tsval, tsecr;	/* TCP timestamp option, if PKT_F_TS */
	const uint8_t *l3;	/* IP header */
	size_t l3_len;		/* IP header to end of IP datagram */
	const uint8_t *payload; /* TCP/UDP payload */
	size_t len;
};

/* Why a packet could not be decoded (counted per reason by the caller). */
enum pkt_reason {
	PKT_OK = 0,
	PKT_E_LINKTYPE, /* unsupported link type */
	PKT_E_LINK,	/* truncated link header */
	PKT_E_VLAN,	/* truncated tag, or more than PKT_VLAN_MAX */
	PKT_E_PPPOE,	/* truncated or bad PPPoE/PPP header */
	PKT_E_NOT_IP,	/* not IPv4/IPv6 (ARP, LLDP ...): not an error */
	PKT_E_IPV4,	/* truncated header, bad version/IHL/total length */
	PKT_E_IPV6,	/* truncated header or payload length */
	PKT_E_IPV6_EXT, /* truncated or too many extension headers */
	PKT_E_TCP,	/* truncated header or bad data offset */
	PKT_E_UDP,	/* truncated header or bad length */
	PKT_E_TUNNEL,	/* bad GRE header, or more than PKT_TUNNEL_MAX */
	PKT_E_MAX
};

/* A decode failure: packet number, byte offset into the frame, reason. */
struct pkt_err {
	uint64_t num;
	size_t off;
	enum pkt_reason reason;
	char msg[96]; /* "packet 12, offset 34: truncated TCP header" */
};

/* Decodes frame (caplen bytes) of link type linktype (PKT_LINK_*). Fills *p
 * and returns 0; on failure fills *err and returns -EINVAL (-ENOTSUP for an
 * unknown link type, -ENOENT for a non-IP frame). Fragments return 0 with
 * PKT_F_FRAG set: feed p->l3 to defrag, then packet_decode_ip on the result. */
int packet_decode(int linktype, const uint8_t *frame, size_t caplen, uint64_t num, uint64_t ts_ns,
		  struct pkt *p, struct pkt_err *err);

/* Decodes an IP datagram (family from its version nibble), e.g. one the
 * defragmenter rebuilt. off_base is added to offsets in errors. p->num,
 * ts_ns, vlan and tunnels are kept. Same returns as packet_decode. */
int packet_decode_ip(const uint8_t *ip, size_t len, size_t off_base, struct pkt *p,
		     struct pkt_err *err);

/* The canonical flow key (include/ew_abi.h: lower (address, port) first)
 * of a packet from src:sport to dst:dport (16-byte, IPv4-mapped
 * addresses; ports host order), as the kernel maps use it. */
void packet_flow_key(const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport,
		     uint8_t proto, uint8_t family, struct ew_flow_key *k);

/* Returns 1 if packet_decode handles link type linktype, else 0. */
int packet_link_supported(int linktype);

/* Short fixed name of a reason ("truncated TCP header"), for counters. */
const char *packet_reason_str(enum pkt_reason r);

#endif
