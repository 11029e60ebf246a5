/* SPDX-License-Identifier: GPL-2.0 */
/* health: once a second, what went wrong since the last look becomes a
 * health event (docs/log-schema.md): packets dropped before inspection,
 * mirrored packets lost to a full ring buffer, flows evicted at the memory
 * cap, image decoders that crashed or stalled, events the syslog forwarder
 * lost. (The event log reports its own trouble: it may be the trouble.) */
#ifndef EW_AGENT_HEALTH_H
#define EW_AGENT_HEALTH_H

#include <stdint.h>

#include "engine/engine.h"
#include "log/syslogfwd.h"
#include "tap.h"

/* The counts at the last look. Zero it before the first. */
struct agent_health {
	uint64_t dispatch_drops, ringbuf_full, evictions, decoder_faults, syslog_lost;
	uint64_t tap_queue_full;
};

/* Compares the counters with the last look and posts an event per problem
 * that grew. tap and fwd may be NULL. */
void agent_health_check(struct agent_health *h, struct engine *e, const struct engine_stats *st,
			const struct tap_stats *tap, struct syslogfwd *fwd);

#endif
