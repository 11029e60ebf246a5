/* SPDX-License-Identifier: GPL-2.0 */
/* counters: the programs' per-CPU counters (ew_counters_v1), summed over
 * every possible CPU, with their names: for `edgeward status` and the
 * agent's metrics. */
#ifndef EW_KERNEL_COUNTERS_H
#define EW_KERNEL_COUNTERS_H

#include "ew_abi.h"

/* "xdp_rx", "xdp_drop_prefix", ... "tc_ringbuf_full"; NULL past EW_C_MAX. */
const char *counters_name(unsigned i);

/* Reads the pinned map and sums each slot: sum[EW_C_MAX]. Returns 0 or
 * -errno (-ENOENT: nothing pinned). */
int counters_read(struct ew_counter *sum);

/* Sums slot key of an open per-CPU ew_counter array (fd) over ncpu CPUs,
 * per_cpu a scratch array of ncpu entries. Returns 0 or -errno. */
int counters_sum(int fd, __u32 key, struct ew_counter *per_cpu, int ncpu, struct ew_counter *sum);

#endif
