/* SPDX-License-Identifier: GPL-2.0 */
/* pipeline: the inspection pipeline's counters as Prometheus metrics
 * (docs/operations.md lists them): what engine_stats, the event log and
 * the syslog forwarder count, plus what only the verdicts see, observed
 * as they happen (objects per type, matches per list, inspection and
 * verdict time). The agent adds the kernel's and the tap's. */
#ifndef EW_METRICS_PIPELINE_H
#define EW_METRICS_PIPELINE_H

#include <stdbool.h>

#include "engine/engine.h"
#include "log/eventlog.h"
#include "log/syslogfwd.h"
#include "object/objsink.h"
#include "prom.h"

struct metrics_obs {
	struct prom_hist inspect; /* hashing, PDQ and matching of an ended object */
	struct prom_hist verdict; /* last byte seen to verdict (live sources only) */
	struct prom_bylabel types, lists;
};

void metrics_obs_init(struct metrics_obs *o);
void metrics_obs_free(struct metrics_obs *o);

/* From a verdict callback (any worker): the object's type, its matches'
 * first list, inspection time, and with live true the verdict time
 * (wall clock now - the time of its last byte). */
void metrics_obs_verdict(struct metrics_obs *o, const struct obj_verdict *v, bool live);

void metrics_put_obs(struct prom_buf *b, struct metrics_obs *o);
void metrics_put_engine(struct prom_buf *b, const struct engine_stats *st);
/* sf may be NULL (no forwarder). */
void metrics_put_log(struct prom_buf *b, const struct eventlog_stats *ls,
		     const struct syslogfwd_stats *sf);
/* Resident memory of the process (/proc/self/statm). */
void metrics_put_process(struct prom_buf *b);

#endif
