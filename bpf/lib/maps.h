/* SPDX-License-Identifier: GPL-2.0 */
/* The maps both edgeward programs share (kernel side of include/ew_abi.h).
 * Declared once here; each object pins them by name, so the XDP and TC
 * skeletons opened with pin_root_path /sys/fs/bpf/edgeward reuse one set. */
#ifndef EW_BPF_MAPS_H
#define EW_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "ew_abi.h"

/* Blocked prefixes: one hash per family keyed by {prefixlen, masked
 * address}, probed for the lengths in use (ew_plens_v1), longest first.
 * This replaced LPM tries: a miss in a trie of 100,000 prefixes walks ~20
 * nodes, a cache miss each; here it costs one hash probe per length in use
 * (docs/bpf.md). No prealloc: memory grows with the list. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EW_BLOCK_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ew_lpm4_key);
	__type(value, struct ew_block_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_pfx4_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EW_BLOCK_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ew_lpm6_key);
	__type(value, struct ew_block_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_pfx6_v1 SEC(".maps");

/* Bitmaps of the prefix lengths in use (layout in ew_abi.h). Each add or
 * remove changes one bit, and a 64-bit word is written and read whole. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EW_PLENS_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_plens_v1 SEC(".maps");

/* Prefixes per length, kept by userspace to know when a length's last
 * prefix goes; the programs never read it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EW_PLENCNT_MAX);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_plencnt_v1 SEC(".maps");

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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ew_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ew_config_v1 SEC(".maps");

/* Server ports whose new flows TC tags; filled by the agent, never
 * hard-coded here. */
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
