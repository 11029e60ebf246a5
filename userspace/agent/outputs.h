/* SPDX-License-Identifier: GPL-2.0 */
/* outputs: what the agent hands out, set up from its settings: the event
 * log (signed, rotated, queued when the disk is full; log/eventlog.h)
 * behind the engine's writer, the privacy filter in front of it, the
 * syslog forwarder behind it, and retention of old log files.
 *
 *   engine merger ─▶ ej_writer ─▶ stamp ─▶ privacy ─▶ eventlog ─▶ --log FILE (rotated)
 *                                               └──────▶ syslog collector */
#ifndef EW_AGENT_OUTPUTS_H
#define EW_AGENT_OUTPUTS_H

#include "config/runconf.h"
#include "evidence/evidence.h"
#include "log/eventjson.h"
#include "log/eventlog.h"
#include "log/privacy.h"
#include "log/syslogfwd.h"
#include "stamp.h"

struct agent_outputs {
	struct eventlog *log;
	struct privacy *priv;
	struct syslogfwd *fwd;
	struct evidence *ev;	  /* sealed matched objects; NULL: off */
	const char *ev_dir;
	uint64_t ev_retention_ns;
	struct ej_writer w;	  /* the engine's writer */
	struct stamp stamp;	  /* its lines get the policy version */
	const char *log_path;	  /* NULL: standard output */
	uint64_t retention_ns;
	uint64_t next_retention;  /* monotonic ns */
};

/* Opens everything c asks for, starting no thread; every problem
 * printed. Returns 0 or -errno (then agent_outputs_close is still to be
 * called). */
int agent_outputs_open(struct agent_outputs *o, const struct runconf *c);

/* Starts the threads (syslog forwarder, evidence writer): after the
 * agent dropped its capabilities, which are per thread. Returns 0 or
 * -errno (printed). */
int agent_outputs_start(struct agent_outputs *o);

/* The evidence hook to give the engine (engine_conf.evidence), or NULL. */
const struct objsink_evidence *agent_outputs_evidence(struct agent_outputs *o);

/* The writer to give the engine (engine_conf.out). */
struct ej_writer *agent_outputs_writer(struct agent_outputs *o);

/* Once a second from the main loop: interval writes, checkpoints, time
 * rotation, retries, and once an hour retention. */
void agent_outputs_tick(struct agent_outputs *o, uint64_t mono_ns);

/* SIGHUP: the log file is opened anew (logrotate moved it). */
void agent_outputs_reopen(struct agent_outputs *o);

/* At stop, after the engine's last line: checkpoint, flush, close, drain
 * the forwarder. Returns 0 or -EIO (printed: events lost). */
int agent_outputs_close(struct agent_outputs *o);

#endif
