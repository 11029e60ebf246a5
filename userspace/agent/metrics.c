// SPDX-License-Identifier: GPL-2.0
/* metrics: the agent's metrics endpoint and what only the agent can add to
 * it: the kernel's counters and the tap's (metrics.h). */
#include <errno.h>
#include <string.h>

#include "kernel/counters.h"
#include "log/log.h"
#include "metrics.h"

int agent_metrics_start(struct agent_metrics *m, const char *addr)
{
	char msg[256];

	memset(m, 0, sizeof(*m));
	if (!addr)
		return 0;
	metrics_obs_init(&m->obs);
	m->x = exporter_start(addr, msg, sizeof(msg));
	if (!m->x) {
		ew_err("run: %s", msg);
		metrics_obs_free(&m->obs);
		return -errno;
	}
	return 0;
}

void agent_metrics_verdict(struct agent_metrics *m, const struct obj_verdict *v)
{
	if (m->x)
		metrics_obs_verdict(&m->obs, v, true);
}

/* Packets and bytes per counter of the programs, and the ones that name
 * what an operator watches: flows tagged, ring-buffer overflows. */
static void put_kernel(struct prom_buf *b)
{
	struct ew_counter c[EW_C_MAX];

	if (counters_read(c))
		return; /* nothing pinned: no kernel metrics */
	prom_family(b, "edgeward_kernel_packets_total", "counter",
		    "packets per action and parse error of the XDP and TC programs");
	for (unsigned i = 0; i < EW_C_MAX; i++)
		prom_sample(b, "edgeward_kernel_packets_total", "counter", counters_name(i),
			    c[i].packets);
	prom_family(b, "edgeward_kernel_bytes_total", "counter",
		    "bytes per action and parse error of the XDP and TC programs");
	for (unsigned i = 0; i < EW_C_MAX; i++)
		prom_sample(b, "edgeward_kernel_bytes_total", "counter", counters_name(i),
			    c[i].bytes);
	prom_one(b, "edgeward_flows_tagged_total", "counter", "new flows tagged for inspection",
		 c[EW_C_TC_TAGGED].packets);
	prom_one(b, "edgeward_ringbuf_overflows_total", "counter",
		 "mirrored packets lost: the ring buffer was full", c[EW_C_TC_RB_FULL].packets);
}

static void put_tap(struct prom_buf *b, const struct tap_stats *t)
{
	prom_one(b, "edgeward_tap_frames_total", "counter", "mirrored packets consumed", t->frames);
	prom_one(b, "edgeward_tap_queue_full_total", "counter",
		 "mirrored packets the engine could not queue", t->queue_full);
	prom_one(b, "edgeward_tap_flows_blocked_total", "counter", "flows blocked after a match",
		 t->blocked);
	prom_one(b, "edgeward_tap_resets_total", "counter", "reset segments sent", t->resets);
}

void agent_metrics_publish(struct agent_metrics *m, const struct engine_stats *st,
			   const struct tap_stats *tap, struct eventlog *log,
			   struct syslogfwd *fwd)
{
	struct prom_buf b = {0};
	struct eventlog_stats ls;
	struct syslogfwd_stats fs;

	if (!m->x)
		return;
	put_kernel(&b);
	metrics_put_engine(&b, st);
	if (tap)
		put_tap(&b, tap);
	metrics_put_obs(&b, &m->obs);
	if (log) {
		eventlog_stats(log, &ls);
		if (fwd)
			syslogfwd_stats(fwd, &fs);
		metrics_put_log(&b, &ls, fwd ? &fs : NULL);
	}
	metrics_put_process(&b);
	if (!b.err)
		exporter_publish(m->x, b.s, b.len);
	prom_free(&b);
}

void agent_metrics_stop(struct agent_metrics *m)
{
	if (!m->x)
		return;
	exporter_stop(m->x);
	metrics_obs_free(&m->obs);
	m->x = NULL;
}
