/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The kernel/user ABI of edgeward: map keys and values, ring-buffer records,
 * counter and verdict numbers. The only header bpf/ and userspace/ share.
 * Fixed-width types only, explicit zeroed padding (map keys hash bytewise). */
#ifndef EW_ABI_H
#define EW_ABI_H

#include <linux/types.h>

/* Bump when any struct below changes layout; pinned maps carry it in their
 * names (ew_flows_v1 ...) so an upgrade never reuses a map of the old shape. */
#define EW_MAP_VERSION 1
#define EW_PIN_DIR "/sys/fs/bpf/edgeward"

/* Pinned map names (at most 15 characters: kernel names are cut at 16). */
#define EW_MAP_BLOCK4	"ew_pfx4_v1"	/* hash: ew_lpm4_key -> ew_block_rule */
#define EW_MAP_BLOCK6	"ew_pfx6_v1"	/* hash: ew_lpm6_key -> ew_block_rule */
#define EW_MAP_PLENS	"ew_plens_v1"	/* array[EW_PLENS_WORDS] of __u64 bitmaps */
#define EW_MAP_PLENCNT	"ew_plencnt_v1"	/* array[EW_PLENCNT_MAX] of __u32 counts */
/* Pins of earlier layouts under names that are not versioned apart: the
 * blocked-prefix LPM tries, replaced by the prefix hashes above. The loader
 * discards them. */
#define EW_MAP_RETIRED	{"ew_block4_v1", "ew_block6_v1"}
#define EW_MAP_FLOWS	"ew_flows_v1"	/* LRU: ew_flow_key -> ew_verdict */
#define EW_MAP_COUNTERS	"ew_counters_v1"	/* percpu array[EW_C_MAX] of ew_counter */
#define EW_MAP_RULEHITS	"ew_rulehits_v1"	/* percpu array[EW_RULE_MAX] of ew_counter */
#define EW_MAP_CONFIG	"ew_config_v1"	/* array[1] of ew_config */
#define EW_MAP_PORTS	"ew_ports_v1"	/* hash: ew_port_key -> ew_port_tag */
#define EW_MAP_MIRROR	"ew_mirror_v1"	/* ringbuf of ew_mirror_rec */

#define EW_BLOCK_MAX	(2u << 20)	/* prefixes per family: 2,097,152 */
#define EW_FLOW_MAX	(1u << 18)	/* LRU flow verdicts */
#define EW_RULE_MAX	65536u		/* rule ids 0..65535 are counted */
#define EW_PORT_MAX	1024u
#define EW_MIRROR_BYTES	(8u << 20)	/* ring buffer size */
#define EW_MIRROR_CAP	1600u		/* max packet bytes copied per record */

/* The canonical 5-tuple. Both directions of a flow map to the same key:
 * the (address, port) pair that compares lower bytewise comes first.
 * IPv4 addresses are stored as IPv4-mapped IPv6 (::ffff:a.b.c.d).
 *
 *   0               16              32    34    36  37  38  40
 *   | lo_addr       | hi_addr       |lo_pt|hi_pt|pro|fam|pad|
 */
struct ew_flow_key {
	__u8 lo_addr[16];
	__u8 hi_addr[16];
	__be16 lo_port;
	__be16 hi_port;
	__u8 proto;	/* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, ... */
	__u8 family;	/* 4 or 6 */
	__u8 pad[2];
};

enum ew_action_num {
	EW_ACT_NONE = 0,
	EW_ACT_BLOCK = 1,	/* drop every packet of the flow */
	EW_ACT_ALLOW = 2,	/* bypass: never tag or inspect */
	EW_ACT_INSPECT = 3,	/* tagged: mirror payload to the agent */
};

#define EW_MIRROR_ALL 0xffff	/* mirror_budget: no limit */

struct ew_verdict {
	__u64 expires_ns;	/* CLOCK_MONOTONIC (bpf_ktime_get_ns); 0 = never */
	__u32 rule_id;
	__u16 mirror_budget;	/* payload packets still to mirror */
	__u8 action;		/* enum ew_action_num */
	__u8 pad;
};

/* Blocked prefixes: one hash map per family keyed by {prefixlen, address
 * with the bits past prefixlen zeroed} (keys hash bytewise, so an unmasked
 * address is a different key that no lookup finds). */
struct ew_lpm4_key {
	__u32 prefixlen;	/* 0..32 */
	__u8 addr[4];		/* network order, masked to prefixlen */
};

struct ew_lpm6_key {
	__u32 prefixlen;	/* 0..128 */
	__u8 addr[16];		/* network order, masked to prefixlen */
};

/* Prefix lengths in use (EW_MAP_PLENS): bit L of word EW_PLENS_V4 is set
 * while an IPv4 /L is blocked; IPv6 /L is bit L % 64 of word
 * EW_PLENS_V6 + L / 64. XDP probes only these lengths, longest first.
 * Written by userspace (userspace/blocklist.c) after the prefixes
 * themselves, from the per-length counts in EW_MAP_PLENCNT (index
 * EW_PLENCNT_V4 + L or EW_PLENCNT_V6 + L), which XDP never reads. */
#define EW_PLENS_V4	0
#define EW_PLENS_V6	1
#define EW_PLENS_WORDS	4
#define EW_PLENCNT_V4	0
#define EW_PLENCNT_V6	33
#define EW_PLENCNT_MAX	162

#define EW_MATCH_SRC 0x1	/* ew_block_rule.flags: match the source address */
#define EW_MATCH_DST 0x2	/* ... the destination address */

struct ew_block_rule {
	__u32 rule_id;
	__u32 flags;		/* EW_MATCH_*; 0 is read as both */
};

struct ew_counter {
	__u64 packets;
	__u64 bytes;
};

/* Per-CPU counters: one slot per action and per parse-error reason. */
enum ew_counter_num {
	EW_C_RX = 0,		/* XDP: every packet seen */
	EW_C_PASS,		/* XDP: passed */
	EW_C_DROP_PREFIX,	/* XDP: dropped by a blocked prefix */
	EW_C_DROP_FLOW,		/* XDP: dropped by a flow verdict */
	EW_C_NOT_IP,		/* XDP: neither IPv4 nor IPv6: passed */
	EW_C_FRAGMENT,		/* XDP: non-first fragment: address rules only */
	EW_C_ERR_ETH,		/* truncated Ethernet header */
	EW_C_ERR_VLAN,		/* truncated 802.1Q/802.1ad tag, or more than two */
	EW_C_ERR_IPV4,		/* truncated IPv4 header or bad IHL/version */
	EW_C_ERR_IPV6,		/* truncated IPv6 header */
	EW_C_ERR_IPV6_EXT,	/* truncated or too many IPv6 extension headers */
	EW_C_ERR_TCP,		/* truncated TCP header or bad data offset */
	EW_C_ERR_UDP,		/* truncated UDP header */
	EW_C_ERR_ICMP,		/* truncated ICMP/ICMPv6 header */
	EW_C_TC_RX,		/* TC: every packet seen */
	EW_C_TC_TAGGED,		/* TC: new flow tagged for inspection */
	EW_C_TC_MIRRORED,	/* TC: record written to the ring buffer */
	EW_C_TC_RB_FULL,	/* TC: ring buffer full, record lost */
	EW_C_TC_STALE,		/* TC: agent heartbeat stale, not tagged/mirrored */
	EW_C_MAX
};

/* ew_config (array[1]): written by the agent, read by both programs. */
struct ew_config {
	__u64 heartbeat_ns;	/* agent's last bpf_ktime_get_ns-clock beat */
	__u64 stale_after_ns;	/* tagging stops when now - heartbeat exceeds this */
	__u32 mirror_cap;	/* packet bytes copied per record, <= EW_MIRROR_CAP */
	__u32 flow_ttl_s;	/* lifetime of an inspect tag */
};

struct ew_port_key {
	__be16 port;		/* server (destination) port */
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad;
};

struct ew_port_tag {
	__u32 rule_id;
	__u16 mirror_budget;	/* EW_MIRROR_ALL, or the first N payload packets */
	__u16 pad;
};

#define EW_DIR_LO_TO_HI 0	/* ew_mirror_rec.dir: sender is key.lo_* */
#define EW_DIR_HI_TO_LO 1

/* One mirrored packet. data[] holds the frame from its Ethernet header,
 * cap_len bytes of orig_len. l4_off/payload_off index into data[]. */
struct ew_mirror_rec {
	struct ew_flow_key key;
	__u64 ts_ns;		/* bpf_ktime_get_ns */
	__u32 seq;		/* TCP sequence number, host order; 0 for UDP */
	__u32 ack;		/* TCP acknowledgement number, host order */
	__u32 orig_len;		/* frame length on the wire */
	__u32 ifindex;
	__u16 cap_len;		/* bytes in data[] */
	__u16 l4_off;
	__u16 payload_off;
	__u8 dir;		/* EW_DIR_* */
	__u8 tcp_flags;		/* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 */
	__u8 data[];
};

#ifndef __bpf__
_Static_assert(sizeof(struct ew_flow_key) == 40, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_verdict) == 16, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_lpm4_key) == 8, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_lpm6_key) == 20, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_block_rule) == 8, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_config) == 24, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_port_key) == 4, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_port_tag) == 8, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_mirror_rec) == 72, "ABI changed: bump EW_MAP_VERSION");
#endif

#endif /* EW_ABI_H */
