// SPDX-License-Identifier: GPL-2.0
/* health: problems since the last look as health events (health.h). */
#include "events.h"
#include "health.h"
#include "kernel/counters.h"

/* Posts one event when now grew past *last. */
static void grew(struct engine *e, uint64_t *last, uint64_t now, const char *problem,
		 const char *detail)
{
	if (now > *last)
		agent_event_health(e, problem, now - *last, detail);
	*last = now; /* a counter that went back (pins reset) is taken as it is */
}

void agent_health_check(struct agent_health *h, struct engine *e, const struct engine_stats *st,
			const struct tap_stats *tap, struct syslogfwd *fwd)
{
	struct ew_counter c[EW_C_MAX];
	struct syslogfwd_stats fs;

	grew(e, &h->dispatch_drops, st->dispatch_drops, "dispatch queue full",
	     "packets dropped before inspection");
	grew(e, &h->evictions, st->tcp.evictions, "memory limit",
	     "flows evicted at the reassembly memory cap (their objects are incomplete)");
	grew(e, &h->decoder_faults, st->sandbox.crashes + st->sandbox.timeouts, "decoder fault",
	     "image decoder workers that crashed or stalled (restarted)");
	if (tap)
		grew(e, &h->tap_queue_full, tap->queue_full, "tap queue full",
		     "mirrored packets the engine could not queue");
	if (!counters_read(c))
		grew(e, &h->ringbuf_full, c[EW_C_TC_RB_FULL].packets, "ring buffer overflow",
		     "mirrored packets lost: the agent did not keep up with the ring buffer");
	if (fwd) {
		syslogfwd_stats(fwd, &fs);
		grew(e, &h->syslog_lost, fs.lost, "events dropped",
		     "events not forwarded to the syslog collector: its queue was full");
	}
}
