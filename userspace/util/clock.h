/* SPDX-License-Identifier: GPL-2.0 */
/* The wall clock in nanoseconds since the epoch: event times. */
#ifndef EW_UTIL_CLOCK_H
#define EW_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
