/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU packet and byte counters (ew_counters_v1, ew_rulehits_v1).
 * Userspace sums the slots over libbpf_num_possible_cpus(). */
#ifndef EW_BPF_COUNTERS_H
#define EW_BPF_COUNTERS_H

#include "lib/maps.h"

/* Per-CPU slots need no atomics: a program runs to completion on its CPU. */
static __always_inline void ew_count_in(void *map, __u32 idx, __u64 bytes)
{
	struct ew_counter *c = bpf_map_lookup_elem(map, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* Bumps counter idx (enum ew_counter_num) by one packet of bytes. */
static __always_inline void ew_count(__u32 idx, __u64 bytes)
{
	ew_count_in(&ew_counters_v1, idx, bytes);
}

/* Bumps the per-rule hit counter; ids >= EW_RULE_MAX are not counted
 * (the array lookup fails for them). */
static __always_inline void ew_count_rule(__u32 rule_id, __u64 bytes)
{
	ew_count_in(&ew_rulehits_v1, rule_id, bytes);
}

#endif /* EW_BPF_COUNTERS_H */
