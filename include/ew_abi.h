/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The kernel/user ABI of edgeward: map keys and values, ring-buffer records,
 * counter and verdict numbers. The only header bpf/ and userspace/ share.
 * Fixed-width types only, explicit zeroed padding (map keys hash bytewise). */
#ifndef EW_ABI_H
#define EW_ABI_H

#include <linux/types.h>

/* Pinned maps carry a version in their names (ew_flows_v1 ...) so an
 * upgrade never reuses a map of the old shape. Most carry EW_MAP_VERSION; a
 * map whose layout changes on its own takes the next version in its name
 * (ew_config_v2), and the loader discards pins of the same noun with
 * another version, with a log line. */
#define EW_MAP_VERSION 1
#define EW_PIN_DIR "/sys/fs/bpf/edgeward"

/* Pinned map names (at most 15 characters: kernel names are cut at 16). */
#define EW_MAP_PTCLASS	"ew_ptcls_v1"	/* array[2] of __u32: active class per family */
/* Blocked-prefix tables: one array-of-maps per family and size class, named
 * as blocklist_outer_name() says ("ew_pt4c12_v1" ...); see "Blocked
 * prefixes" below. */
/* Pins of earlier layouts under names that are not versioned apart: the
 * blocked-prefix LPM tries, then the prefix hashes and their length maps,
 * both replaced by the dense prefix tables. The loader discards them. */
#define EW_MAP_RETIRED	{"ew_block4_v1", "ew_block6_v1", "ew_pfx4_v1", "ew_pfx6_v1", \
			 "ew_plens_v1", "ew_plencnt_v1"}
#define EW_MAP_FLOWS	"ew_flows_v1"	/* LRU: ew_flow_key -> ew_verdict */
#define EW_MAP_COUNTERS	"ew_counters_v1"	/* percpu array[EW_C_MAX] of ew_counter */
#define EW_MAP_RULEHITS	"ew_rulehits_v1"	/* percpu array[EW_RULE_MAX] of ew_counter */
#define EW_MAP_CONFIG	"ew_config_v2"	/* mmapable array[1] of ew_config */
#define EW_MAP_PORTS	"ew_ports_v1"	/* hash: ew_port_key -> ew_port_tag */
#define EW_MAP_MIRROR	"ew_mirror_v1"	/* ringbuf of ew_mirror_rec */
#define EW_MAP_PROXY	"ew_proxy_v1"	/* sockmap[2] of the agent's listeners */
#define EW_MAP_TAGSEL	"ew_tagsel_v1"	/* array[3] of ew_tagsel: the policy's tag set in use */
#define EW_MAP_TAGPORT	"ew_tagport_v1"	/* hash: ew_tagport_key -> ew_tagport */
#define EW_MAP_TAGCLI	"ew_tagcli_v1"	/* LPM: ew_tagpfx_key -> __u32 classes (clients) */
#define EW_MAP_TAGSRV	"ew_tagsrv_v1"	/* LPM: ew_tagpfx_key -> __u32 classes (servers) */
/* Domain enforcement (see "Domain names" below): two generations of three
 * tables, each an array-of-maps with one slot per generation, and the
 * generation in force. */
#define EW_MAP_DNSGEN	"ew_dnsgen_v1"	/* array[1] of ew_dns_gen */
#define EW_MAP_GROUPS	"ew_groups_v1"	/* [2] of LPM: ew_group_key -> __u32 group */
#define EW_MAP_DOMAINS	"ew_domains_v1"	/* [2] of hash: ew_domain_key -> __u32 answer slot */
#define EW_MAP_DNSANS	"ew_dnsans_v1"	/* [2] of array[EW_DNS_ANSWER_MAX] of ew_dns_answer */

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
	EW_ACT_RESET = 4,	/* as BLOCK, and XDP answers each TCP packet
				 * with a reset to its sender */
};

#define EW_RESET_TTL_S 300	/* RESET verdict of a TCP flow TC answered a query of */

#define EW_MIRROR_ALL 0xffff	/* mirror_budget: no limit */

struct ew_verdict {
	__u64 expires_ns;	/* CLOCK_MONOTONIC (bpf_ktime_get_ns); 0 = never */
	__u32 rule_id;
	__u16 mirror_budget;	/* payload packets still to mirror */
	__u8 action;		/* enum ew_action_num */
	__u8 pad;
};

/* Blocked prefixes: per family, one dense table in a BPF array, built whole
 * by userspace (userspace/ptable.c) and swapped in atomically: it lives as
 * element 0 of the array-of-maps of its size class (2^k elements, k =
 * EW_PT_CLASS_MIN, +EW_PT_CLASS_STEP, .. EW_PT_CLASS_MAX), and
 * EW_MAP_PTCLASS[family == 6] names the class in use (0: no table).
 *
 * Element 0 is the head; elements 1..nb are buckets of seven IPv4 or six
 * IPv6 slots (addresses, then their metas). A prefix, keyed by {length,
 * masked address}, sits in one of its two buckets (bucketized cuckoo
 * hashing), preferably the first; a bucket
 * whose prefixes spilled into their second bucket says so (ovf), so a
 * lookup reads one bucket, one cache line (IPv4; two for IPv6), and
 * rarely a second. The lengths in use sit in the head: a lookup probes
 * only those, longest first, and head, hash and buckets always come from
 * one table. */
#define EW_PT4_SLOTS	7
#define EW_PT6_SLOTS	6
#define EW_PT_WAYS	2
#define EW_PT_CLASS_MIN	8
#define EW_PT_CLASS_STEP 2
#define EW_PT_CLASS_MAX	20
#define EW_PT_CLASSES	((EW_PT_CLASS_MAX - EW_PT_CLASS_MIN) / EW_PT_CLASS_STEP + 1)

/* Element 0. lens: bit L of lens[0] is IPv4 /L (L <= 32); IPv6 /L is bit
 * L % 64 of lens[L / 64]. */
struct ew_pt_head {
	__u64 lens[3];
	__u32 nb;	/* buckets the hash spreads over: elements 1..nb */
	__u32 seed;
	__u32 count;	/* prefixes in the table */
	__u32 pad;
};

/* A slot's meta word: prefix length + 1 (0: free slot), match flags, rule
 * id (up to EW_PT_RULE_MAX). */
#define EW_PT_META(plen1, flags, rule) ((__u32)(plen1) | (__u32)(flags) << 8 | (__u32)(rule) << 10)
#define EW_PT_PLEN1(meta)	((meta) & 0xff)
#define EW_PT_FLAGS(meta)	((meta) >> 8 & 3)
#define EW_PT_RULE(meta)	((meta) >> 10)
#define EW_PT_RULE_MAX		((1u << 22) - 1)

struct ew_pt4_bucket {
	__u32 ovf;	/* nonzero: a prefix whose first bucket this is sits in its second */
	__u32 pad;
	__u32 addr[EW_PT4_SLOTS];	/* network order, masked to the length */
	__u32 meta[EW_PT4_SLOTS];
};

struct ew_pt6_bucket {
	__u32 ovf;
	__u32 pad;
	__u8 addr[EW_PT6_SLOTS][16];
	__u32 meta[EW_PT6_SLOTS];
};

/* The table hash (both sides compute it the same way): murmur3's 64-bit
 * finaliser over the masked address words, length and seed. Its high half
 * picks the first bucket, its low half the second, each as (half * nb) >>
 * 32, so nb need not be a power of two. */
static inline __u64 ew_pt_mix(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

static inline __u64 ew_pt4_hash(__u32 addr, __u32 plen, __u32 seed)
{
	return ew_pt_mix((__u64)addr << 32 ^ (__u64)plen << 8 ^ seed);
}

static inline __u64 ew_pt6_hash(__u64 a0, __u64 a1, __u32 plen, __u32 seed)
{
	return ew_pt_mix(ew_pt_mix(a0 ^ ((__u64)plen << 8 | seed)) ^ a1);
}

/* Bucket way (0 or 1) of hash h, 0..nb-1 (element 1 + that). */
static inline __u32 ew_pt_way(__u64 h, __u32 nb, int way)
{
	return (__u32)(((way ? h & 0xffffffffu : h >> 32) * nb) >> 32);
}

#define EW_MATCH_SRC 0x1	/* ew_block_rule.flags: match the source address */
#define EW_MATCH_DST 0x2	/* ... the destination address */

/* A blocked prefix's rule as the CLI and list loaders give it. */
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
	EW_C_RESET_TX,		/* XDP: a reset flow's packet answered with a TCP reset */
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
	EW_C_TC_STALE,		/* TC: agent heartbeat stale, not tagged/mirrored/steered */
	EW_C_TC_STEER_NEW,	/* TC: new flow's SYN assigned to the agent's listener */
	EW_C_TC_STEER_EXISTING,	/* TC: packet assigned to a proxied connection's socket */
	EW_C_TC_STEER_FULL,	/* TC: SYN not steered: agent not accepting new flows */
	EW_C_TC_STEER_NO_LISTENER, /* TC: SYN not steered: no listener in EW_MAP_PROXY */
	EW_C_TC_STEER_FAILED,	/* TC: bpf_sk_assign refused: packet passed unsteered */
	EW_C_DNS_QUERY,		/* TC: DNS query read (UDP or TCP to port 53), names in force */
	EW_C_DNS_PASS,		/* TC: ... no entry for its name or any parent: passed */
	EW_C_DNS_ALLOWED,	/* TC: ... an allow entry decided: passed */
	EW_C_DNS_NXDOMAIN,	/* TC: ... answered NXDOMAIN */
	EW_C_DNS_NOTICE,	/* TC: ... answered A/AAAA with the notice server */
	EW_C_DNS_NODATA,	/* TC: ... answered NOERROR, no records (other types) */
	EW_C_DNS_EDE,		/* TC: answers that carried an Extended DNS Error */
	EW_C_DNS_MALFORMED,	/* TC: to port 53 but no query we read: passed untouched */
	EW_C_DNS_TCP_PARTIAL,	/* TC: TCP/53 payload not exactly one query: passed (agent) */
	EW_C_DNS_FRAGMENT,	/* TC: first fragment of a query: passed */
	EW_C_DNS_FAILED,	/* TC: a blocked name's answer could not be written: passed */
	EW_C_MAX
};

/* ew_config (array[1], BPF_F_MMAPABLE): written by the agent, read by both
 * programs. Userspace maps it and stores single fields atomically
 * (userspace/kernel/config.c), so the heartbeat and the steering flags,
 * perhaps written by two processes, never overwrite each other. */
struct ew_config {
	__u64 heartbeat_ns;	/* agent's last bpf_ktime_get_ns-clock beat */
	__u64 stale_after_ns;	/* tagging stops when now - heartbeat exceeds this */
	__u32 mirror_cap;	/* packet bytes copied per record, <= EW_MIRROR_CAP */
	__u32 flow_ttl_s;	/* lifetime of an inspect tag */
	__u32 steer_flags;	/* EW_STEER_* */
	__u32 steer_mark;	/* skb->mark of steered packets: its routing rule
				 * delivers them locally (kernel/steer_route.h) */
};

/* ew_config.steer_flags. TC steers TCP flows on inline ports to the agent
 * only while EW_STEER_ON is set and the heartbeat is fresh; a new flow
 * only while EW_STEER_ACCEPT is set too (the proxy clears it at its
 * connection limit), and only to destinations it wants: all of them with
 * EW_STEER_ALL, else those the policy tags (per-destination tags: later;
 * until then nothing new is steered without EW_STEER_ALL). */
#define EW_STEER_ON	0x1u	/* inline mode: `edgeward run --mode inline` */
#define EW_STEER_ACCEPT	0x2u	/* the proxy takes new flows */
#define EW_STEER_ALL	0x4u	/* every destination, no per-destination tags */

/* EW_MAP_PROXY index of the agent's transparent listener per family. */
#define EW_PROXY_IPV4	0u
#define EW_PROXY_IPV6	1u

struct ew_port_key {
	__be16 port;		/* server (destination) port */
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad;
};

struct ew_port_tag {
	__u32 rule_id;
	__u16 mirror_budget;	/* EW_MIRROR_ALL, the first N payload packets, or
				 * 0: not tagged (an inline port only) */
	__u16 flags;		/* EW_PORT_* */
};

#define EW_PORT_INLINE	0x1	/* TCP: steer flows to the agent (inline mode) */
#define EW_PORT_LIMITED	0x2	/* only flows the policy's tags want (ew_tag*): with
				 * EW_PORT_INLINE, a port the policy steers */

/* The policy's tags (userspace/kernel/tags.c): only flows that can match
 * a content rule go to inspection. Each tag (rule and kind of inspection)
 * belongs to a class, up to EW_TAG_CLASSES; tags with the same clients
 * and destinations share one. A new flow is tagged (mirrored) or steered
 * when some class is at once in
 *
 *   its server port's mirror (or steer) classes   ew_tagport_v1 (port 0: any port)
 *   its client's classes                           any-client classes | LPM ew_tagcli_v1
 *   its server's classes                           any-server classes | LPM ew_tagsrv_v1
 *
 * Every LPM value is the union of the classes of all prefixes holding
 * it, so the longest match says everything. Two sets, 0 and 1, live side
 * by side in every map (keys carry the set); userspace fills the one not
 * in use, then flips ew_tagsel_v1[0] to it (one 4-byte store: a packet
 * sees the old set or the new one whole), then empties the old one. With
 * no set in use (no policy) nothing is limited: ports behave as before. */
#define EW_TAG_CLASSES	32
#define EW_TAGPFX_MAX	(1u << 16)	/* prefixes per LPM map, both sets */
#define EW_TAGPORT_MAX	4096u

/* ew_tagsel_v1[0]: set = the set in use + 1 (0: none), flags EW_TAGSEL_*;
 * ew_tagsel_v1[1 + s]: set s's classes with any client, any server. */
struct ew_tagsel {
	__u32 a;	/* [0]: set + 1; [1 + s]: any-client classes */
	__u32 b;	/* [0]: EW_TAGSEL_*; [1 + s]: any-server classes */
};

#define EW_TAGSEL_ANYPORT 0x1	/* the set has port-0 (any port) entries */

struct ew_tagport_key {
	__be16 port;		/* server port; 0: any port */
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 set;		/* 0 or 1 */
};

struct ew_tagport {
	__u32 mirror;		/* classes that mirror flows to this port */
	__u32 steer;		/* classes that steer them (inline mode) */
	__u16 budget;		/* mirror budget (EW_MIRROR_ALL, or N packets) */
	__u16 pad;
};

/* LPM key: prefixlen counts the set's 8 bits and then the address's. */
struct ew_tagpfx_key {
	__u32 prefixlen;	/* 8 + 0..128 */
	__u8 set;
	__u8 addr[16];		/* IPv4-mapped for IPv4 */
	__u8 pad[3];
};

#define EW_DIR_LO_TO_HI 0	/* ew_mirror_rec.dir: sender is key.lo_* */
#define EW_DIR_HI_TO_LO 1
/* Not a mirrored packet: a DNS answer TC sent in place of a query (a
 * blocked name), as it went back to the client, for the block log. key is
 * zero, l4_off and payload_off too (the reader parses the frame), seq is
 * the domain tables' rule id and ack the outcome's counter (EW_C_DNS_NOTICE,
 * EW_C_DNS_NXDOMAIN or EW_C_DNS_NODATA). */
#define EW_DIR_DNS_ANSWER 2

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

/* ---- Domain names ---------------------------------------------------------
 * TC answers DNS queries for blocked names itself; the agent asks the same
 * tables about TLS and QUIC server names. A client's group is the longest
 * prefix holding its address in the groups table (none: group 0). A name
 * is looked up in the domains table under its group: the name itself as an
 * exact entry, then each parent, longest first, as a `*.parent` entry
 * (names strictly below it). The first entry found decides, through its
 * answer slot. Userspace fills generation 1 - gen, then flips gen
 * (userspace/kernel/domains.c), so a reader sees one whole generation;
 * it also pins each inner map as "<outer name>_g<gen>" for readers that
 * may not open maps by id (the agent, without CAP_SYS_ADMIN). */
#define EW_DNS_ANSWER_MAX 4096u	/* answer slots (policy rules) */
#define EW_DNS_TEXT_MAX	  128u	/* EXTRA-TEXT bytes of an Extended DNS Error */
#define EW_DNS_NAME_MAX	  255u	/* a name in wire form, root label included */
#define EW_DNS_LABELS_MAX 128u	/* labels of a name in wire form, root included */
#define EW_DNS_TTL	  60u	/* default TTL of the notice server's records */

struct ew_dns_gen {
	__u32 gen;	/* the generation in force: 0 or 1 */
	__u32 names;	/* entries in its domains table; 0: no lookups */
	__u32 serial;	/* commits so far: readers outside see a new one */
	__u32 pad;
};

/* IPv4 as IPv4-mapped IPv6, prefixlen counting over all 128 bits. */
struct ew_group_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct ew_domain_key {
	__u64 hash;	/* ew_dns_suffix_hash of the name (lower-cased) */
	__u32 group;
	__u8 wild;	/* 0: the name itself; 1: every name below it */
	__u8 pad[3];
};

/* ew_dns_answer.kind */
#define EW_DNS_PASS	0	/* an allow entry: the query passes */
#define EW_DNS_NXDOMAIN	1	/* NXDOMAIN */
#define EW_DNS_NOTICE	2	/* A/AAAA: the notice server; other types: `other` */
#define EW_DNS_NODATA	3	/* NOERROR, no records */

/* ew_dns_answer.flags */
#define EW_DNS_HAVE_A	 0x1	/* addr4 is set: A queries get it */
#define EW_DNS_HAVE_AAAA 0x2	/* addr6 is set */

/* What a blocked name's query gets. An EDNS query's answer carries an OPT
 * record with an RFC 8914 Extended DNS Error (info code ede, EXTRA-TEXT
 * text) when ede is not 0. A query of a type without an address here gets
 * `other` (EW_DNS_NODATA or EW_DNS_NXDOMAIN). */
struct ew_dns_answer {
	__u32 rule_id;	/* counted in ew_rulehits_v1 */
	__u32 ttl;	/* of the A/AAAA record */
	__u8 addr4[4];
	__u8 addr6[16];
	__u8 kind;	/* EW_DNS_* above */
	__u8 other;	/* EW_DNS_NODATA or EW_DNS_NXDOMAIN */
	__u8 flags;	/* EW_DNS_HAVE_* */
	__u8 ede;	/* 15 Blocked, 16 Censored, 17 Filtered; 0: none */
	__u16 text_len;
	__u8 pad[2];
	__u8 text[EW_DNS_TEXT_MAX];
};

/* The name hash both sides compute, over the wire form: each label (its
 * length byte, then its bytes with A-Z lower-cased) hashes with FNV-1a
 * from EW_DNS_LABEL_SEED; a suffix's hash mixes its first label's hash
 * with the hash of the rest, from EW_DNS_ROOT_HASH (the root) up:
 *
 *   3 w w w 7 e x a m p l e 4 t e s t 0
 *   \_L0__/ \______L1_____/ \__L2__/
 *   H(test.) = S(L2, ROOT), H(example.test.) = S(L1, H(test.)) ... */
#define EW_DNS_LABEL_SEED 0xcbf29ce484222325ull
#define EW_DNS_ROOT_HASH  0x9e3779b97f4a7c15ull

static inline __u8 ew_dns_lower(__u8 c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static inline __u64 ew_dns_label_step(__u64 h, __u8 c)
{
	return (h ^ ew_dns_lower(c)) * 0x100000001b3ull;
}

static inline __u64 ew_dns_suffix_hash(__u64 label, __u64 rest)
{
	return ew_pt_mix(label ^ ew_pt_mix(rest));
}

/* The record a blocked name's answer carries for a query of type qtype:
 * 1 (A), 28 (AAAA) or 0 (none: the rcode tells), and the rcode (0, or 3
 * NXDOMAIN). One rule for the TC program's answers (bpf/lib/dns.h) and
 * the agent's (userspace/names/dnsanswer.c). */
static inline __u16 ew_dns_answer_record(const struct ew_dns_answer *a, __u16 qtype, __u8 *rcode)
{
	__u8 kind = a->kind;

	if (kind == EW_DNS_NOTICE) {
		if (qtype == 1 && (a->flags & EW_DNS_HAVE_A))
			return 1;
		if (qtype == 28 && (a->flags & EW_DNS_HAVE_AAAA))
			return 28;
		kind = a->other;
	}
	*rcode = kind == EW_DNS_NXDOMAIN ? 3 : 0;
	return 0;
}

#ifndef __bpf__
_Static_assert(sizeof(struct ew_flow_key) == 40, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_verdict) == 16, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_pt_head) == 40, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_pt4_bucket) == 64, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_pt6_bucket) == 128, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_block_rule) == 8, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_config) == 32, "ABI changed: bump ew_config's version");
_Static_assert(sizeof(struct ew_port_key) == 4, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_port_tag) == 8, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_mirror_rec) == 72, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_tagsel) == 8, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_tagport_key) == 4, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_tagport) == 12, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_tagpfx_key) == 24, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_dns_gen) == 16, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_group_key) == 20, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_domain_key) == 16, "ABI changed: bump EW_MAP_VERSION");
_Static_assert(sizeof(struct ew_dns_answer) == 164, "ABI changed: bump EW_MAP_VERSION");
#endif

#endif /* EW_ABI_H */
