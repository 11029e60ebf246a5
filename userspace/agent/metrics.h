/* SPDX-License-Identifier: GPL-2.0 */
/* metrics: the agent's Prometheus endpoint (metrics/exporter.h): the
 * engine's, event log's and verdicts' metrics (metrics/pipeline.h) plus
 * the kernel's per-CPU counters (packets and bytes per action, flows
 * tagged, ring-buffer overflows) and the tap's, published once a second
 * from the main loop. docs/operations.md lists every metric. */
#ifndef EW_AGENT_METRICS_H
#define EW_AGENT_METRICS_H

#include "engine/engine.h"
#include "log/eventlog.h"
#include "log/syslogfwd.h"
#include "metrics/exporter.h"
#include "metrics/pipeline.h"
#include "tap.h"

struct agent_metrics {
	struct exporter *x; /* NULL: no metrics */
	struct metrics_obs obs;
};

/* Listens on addr (NULL: nothing to do), serving from a thread of its
 * own: call after dropping capabilities. Returns 0 or -errno (printed). */
int agent_metrics_start(struct agent_metrics *m, const char *addr);

/* The engine's verdict callback's share (worker threads). */
void agent_metrics_verdict(struct agent_metrics *m, const struct obj_verdict *v);

/* Builds and publishes the text; tap, log and fwd may be NULL. */
void agent_metrics_publish(struct agent_metrics *m, const struct engine_stats *st,
			   const struct tap_stats *tap, struct eventlog *log,
			   struct syslogfwd *fwd);

void agent_metrics_stop(struct agent_metrics *m);

#endif
