/* SPDX-License-Identifier: GPL-2.0 */
/* syslogfwd: the event log forwarded to a collector as RFC 5424 syslog
 * over TCP with octet counting (RFC 6587), from a thread of its own so a
 * slow or absent collector never holds the writer up.
 *
 *   eventlog ─tee─▶ queue ─▶ thread: connect (backoff) ─▶ send ─▶ collector
 *                              └─ in flight until the collector's TCP acks
 *
 * One frame per event line:
 *
 *   LEN SP <PRI>1 TIMESTAMP HOST edgeward PID EVENT [meta sequenceId="N"] LINE
 *
 * PRI is facility*8 + severity (block: warning, health: err, others:
 * info); EVENT is the line's "event" (the MSGID); sequenceId counts frames
 * from 1 (RFC 5424 section 7.3.1), so a collector sees gaps. A frame leaves
 * the queue only once the collector's kernel acknowledged its last byte
 * (SIOCOUTQ); when the connection breaks, frames not acknowledged are sent
 * again on the next one. Frames that do not fit the queue are dropped and
 * counted (lost). What a collector's kernel acknowledged but the collector
 * never read (it was killed with data in its socket buffer) no TCP sender
 * can see: RELP would close that gap. */
#ifndef EW_SYSLOGFWD_H
#define EW_SYSLOGFWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eventjson.h"

struct syslogfwd_conf {
	const char *address;	  /* "host:port", "[v6]:port" */
	int facility;		  /* 0..23 (16: local0) */
	const char *hostname;	  /* HOSTNAME field (the sensor) */
	size_t queue_max;	  /* bytes of frames held */
	uint64_t backoff_min_ns;  /* first retry after a failure (100 ms) */
	uint64_t backoff_max_ns;  /* longest wait between tries (30 s) */
	uint64_t drain_ns;	  /* at close: time to send what is queued (5 s) */
};

struct syslogfwd_stats {
	uint64_t queued;      /* frames accepted */
	uint64_t sent;	      /* frames acknowledged by the collector's TCP */
	uint64_t resent;      /* frames sent again after a broken connection */
	uint64_t lost;	      /* frames dropped: queue full, or left at close */
	uint64_t connects;    /* connections made */
	uint64_t failures;    /* connects refused and connections broken */
	uint64_t queue_bytes; /* frames waiting or in flight */
	bool connected;
};

void syslogfwd_conf_default(struct syslogfwd_conf *c);

struct syslogfwd;

/* A forwarder whose queue takes lines at once; nothing is sent before
 * syslogfwd_start. Returns NULL with errno set and msg filled. */
struct syslogfwd *syslogfwd_new(const struct syslogfwd_conf *c, char *msg, size_t msglen);

/* Starts the thread that connects and sends (the agent: after it dropped
 * its capabilities, which are per thread). Returns 0 or -errno. */
int syslogfwd_start(struct syslogfwd *f);

/* A sink: line() queues one event line (copied), never blocks. */
const struct ej_sink *syslogfwd_sink(struct syslogfwd *f);

void syslogfwd_stats(struct syslogfwd *f, struct syslogfwd_stats *st);

/* Sends what is queued (up to drain_ns), stops, frees; the final counters
 * into *st (optional). Returns 0, or -EIO when frames were lost (msg says
 * how many). */
int syslogfwd_close(struct syslogfwd *f, struct syslogfwd_stats *st, char *msg, size_t msglen);

/* One frame into out (cap bytes): octet count, header, line (its newline
 * dropped). Returns its length, or 0 when it does not fit. */
size_t syslogfwd_frame(char *out, size_t cap, int facility, uint64_t ts_ns, const char *host,
		       int pid, uint32_t seq, const char *line, size_t len);

#endif
