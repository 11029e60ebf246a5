/* SPDX-License-Identifier: GPL-2.0 */
/* The maps both edgeward programs share (kernel side of include/ew_abi.h).
 * Declared once here; each object pins them by name, so the XDP and TC
 * skeletons opened with pin_root_path /sys/fs/bpf/edgeward reuse one set. */
#ifndef EW_BPF_MAPS_H
#define EW_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "ew_abi.h"

#ifdef EW_PREFIX_TABLES
/* Blocked prefixes: dense tables built by userspace (layout and swap in
 * ew_abi.h, "Blocked prefixes"). Only the XDP object declares them (the TC
 * one neither reads them nor carries their types' BTF). One array-of-maps per family and size
 * class, each with a fixed-size inner array: with the size known, the
 * verifier inlines every inner lookup (an inner map declared
 * BPF_F_INNER_MAP, of any size, would cost a helper call per bucket).
 * Sizes, not BTF types: clang leaves types reached only this way as
 * forward declarations, which libbpf cannot size. */
#define EW_PT_OUTER(fam, k)						\
	struct ew_pt##fam##_inner_##k {					\
		__uint(type, BPF_MAP_TYPE_ARRAY);			\
		__uint(max_entries, 1u << (k));				\
		__uint(map_flags, BPF_F_MMAPABLE);			\
		__uint(key_size, sizeof(__u32));			\
		__uint(value_size, sizeof(struct ew_pt##fam##_bucket));	\
	};								\
	struct {							\
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);		\
		__uint(max_entries, 1);					\
		__type(key, __u32);					\
		__uint(pinning, LIBBPF_PIN_BY_NAME);			\
		__array(values, struct ew_pt##fam##_inner_##k);		\
	} ew_pt##fam##c##k##_v1 SEC(".maps")

/* Keep in step with EW_PT_CLASS_MIN/STEP/MAX (checked below). */
#define EW_PT_FOR_CLASSES(X, fam) X(fam, 8); X(fam, 10); X(fam, 12); X(fam, 14); \
	X(fam, 16); X(fam, 18); X(fam, 20)
_Static_assert(EW_PT_CLASS_MIN == 8 && EW_PT_CLASS_STEP == 2 && EW_PT_CLASS_MAX == 20,
	       "EW_PT_FOR_CLASSES lists other classes");

EW_PT_FOR_CLASSES(EW_PT_OUTER, 4);
EW_PT_FOR_CLASSES(EW_PT_OUTER, 6);

/* The class in use per family (index 0: IPv4, 1: IPv6); 0: no table. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_ptcls_v1 SEC(".maps");
#endif

#ifdef EW_DNS_TABLES
/* Domain names (ew_abi.h, "Domain names"): only the TC object declares
 * them. Each table is an array-of-maps with one slot per generation,
 * filled by userspace/kernel/domains.c; ew_dnsgen_v1 names the slot in
 * force. The inner maps are created to fit (hash and LPM inner maps may
 * differ in size from these templates; the answer arrays may not). Sizes,
 * not BTF types, as for the prefix tables. */
struct ew_groups_inner {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(struct ew_group_key));
	__uint(value_size, sizeof(__u32));
};

struct ew_domains_inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(struct ew_domain_key));
	__uint(value_size, sizeof(__u32));
};

struct ew_dnsans_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EW_DNS_ANSWER_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct ew_dns_answer));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ew_dns_gen);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_dnsgen_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct ew_groups_inner);
} ew_groups_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct ew_domains_inner);
} ew_domains_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct ew_dnsans_inner);
} ew_dnsans_v1 SEC(".maps");
#endif

/* Flow verdicts by canonical 5-tuple (lib/flow.h); LRU so a flood of new
 * flows evicts old tags instead of failing inserts. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EW_FLOW_MAX);
	__type(key, struct ew_flow_key);
	__type(value, struct ew_verdict);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_flows_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EW_C_MAX);
	__type(key, __u32);
	__type(value, struct ew_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_counters_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EW_RULE_MAX);
	__type(key, __u32);
	__type(value, struct ew_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_rulehits_v1 SEC(".maps");

/* Mmapable, so userspace stores one field at a time (ew_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ew_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_config_v2 SEC(".maps");

/* Server ports whose new flows TC tags, and the inline ports whose TCP
 * flows it steers to the agent (EW_PORT_INLINE); filled by the agent,
 * never hard-coded here. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EW_PORT_MAX);
	__type(key, struct ew_port_key);
	__type(value, struct ew_port_tag);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_ports_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EW_MIRROR_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_mirror_v1 SEC(".maps");

#endif /* EW_BPF_MAPS_H */
