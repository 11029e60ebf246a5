// SPDX-License-Identifier: GPL-2.0
/* pipeline: engine, event log and verdict metrics (pipeline.h). */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "pipeline.h"

void metrics_obs_init(struct metrics_obs *o)
{
	prom_hist_init(&o->inspect);
	prom_hist_init(&o->verdict);
	prom_bylabel_init(&o->types);
	prom_bylabel_init(&o->lists);
}

void metrics_obs_free(struct metrics_obs *o)
{
	prom_bylabel_free(&o->types);
	prom_bylabel_free(&o->lists);
}

void metrics_obs_verdict(struct metrics_obs *o, const struct obj_verdict *v, bool live)
{
	struct timespec t;
	uint64_t now;

	prom_bylabel_add(&o->types, v->sniffed && *v->sniffed ? v->sniffed : "unknown", 1);
	if (v->hits)
		prom_bylabel_add(&o->lists, v->list, v->hits);
	prom_hist_observe(&o->inspect, v->inspect_ns);
	if (!live || !v->ts_end_ns)
		return;
	clock_gettime(CLOCK_REALTIME, &t);
	now = (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
	prom_hist_observe(&o->verdict, now > v->ts_end_ns ? now - v->ts_end_ns : 0);
}

void metrics_put_obs(struct prom_buf *b, struct metrics_obs *o)
{
	prom_bylabel_put(b, &o->types, "edgeward_objects_inspected_total", "type",
			 "objects inspected, by type from their magic bytes");
	prom_bylabel_put(b, &o->lists, "edgeward_matches_total", "list",
			 "list entries matched, by the first list of each object");
	prom_hist_put(b, &o->inspect, "edgeward_inspection_seconds",
		      "hashing, PDQ and matching of an object once its last byte came");
	prom_hist_put(b, &o->verdict, "edgeward_verdict_seconds",
		      "from an object's last byte on the wire to its verdict (live sources)");
}

void metrics_put_engine(struct prom_buf *b, const struct engine_stats *st)
{
	const char *n = "edgeward_decoder_faults_total";

	prom_one(b, "edgeward_frames_total", "counter", "frames the engine took in",
		 st->cap.frames);
	prom_one(b, "edgeward_flows_total", "counter", "TCP flows reassembled", st->tcp.flows);
	prom_one(b, "edgeward_objects_total", "counter", "object events (pieces included)",
		 st->obj.objects);
	prom_one(b, "edgeward_object_bytes_total", "counter", "decoded object bytes",
		 st->obj.bytes);
	prom_one(b, "edgeward_matched_objects_total", "counter", "objects with a match",
		 st->obj.matched);
	prom_one(b, "edgeward_dispatch_drops_total", "counter",
		 "packets dropped before inspection: a worker's queue was full", st->dispatch_drops);
	prom_one(b, "edgeward_tcp_gaps_total", "counter", "gaps in reassembled streams",
		 st->tcp.gaps);
	prom_one(b, "edgeward_memory_evictions_total", "counter",
		 "flows evicted at the reassembly memory cap", st->tcp.evictions);
	prom_family(b, n, "counter", "decoder problems: image workers crashed or stalled, "
				     "undecodable images, decompression bombs");
	prom_sample(b, n, "decoder", "image_worker_crash", st->sandbox.crashes);
	prom_sample(b, n, "decoder", "image_worker_timeout", st->sandbox.timeouts);
	prom_sample(b, n, "decoder", "image_undecodable", st->img.undecodable);
	prom_sample(b, n, "decoder", "http_bomb", st->http.bombs);
	prom_one(b, "edgeward_buffered_bytes_peak", "gauge",
		 "most reassembly bytes held at once", st->held_peak);
}

void metrics_put_log(struct prom_buf *b, const struct eventlog_stats *ls,
		     const struct syslogfwd_stats *sf)
{
	prom_one(b, "edgeward_log_lines_total", "counter", "event lines queued for the log",
		 ls->lines);
	prom_one(b, "edgeward_log_events_lost_total", "counter",
		 "events dropped: the log could not be written and its queue was full", ls->lost);
	prom_one(b, "edgeward_log_write_errors_total", "counter", "failed writes to the log",
		 ls->write_errors);
	prom_one(b, "edgeward_log_queue_bytes", "gauge", "event bytes waiting to be written",
		 ls->queue_bytes);
	prom_one(b, "edgeward_log_unwritable", "gauge", "1 while the log can't be written",
		 ls->unwritable);
	prom_one(b, "edgeward_log_rotations_total", "counter", "log files rotated", ls->rotations);
	if (!sf)
		return;
	prom_one(b, "edgeward_syslog_sent_total", "counter",
		 "events the collector's TCP acknowledged", sf->sent);
	prom_one(b, "edgeward_syslog_lost_total", "counter", "events not forwarded: queue full",
		 sf->lost);
	prom_one(b, "edgeward_syslog_queue_bytes", "gauge", "event bytes waiting for the collector",
		 sf->queue_bytes);
	prom_one(b, "edgeward_syslog_connected", "gauge", "1 while connected to the collector",
		 sf->connected);
}

void metrics_put_process(struct prom_buf *b)
{
	unsigned long size = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	prom_one(b, "edgeward_resident_memory_bytes", "gauge", "memory in use (resident set)",
		 (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE));
}
