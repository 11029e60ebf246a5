/* SPDX-License-Identifier: GPL-2.0 */
/* agent: `edgeward run`, the live filter. Loads the lists and the policy,
 * attaches the programs, runs the engine on the live sources (tap: the TC
 * mirror; inline: the transparent proxy), keeps the heartbeat, serves the
 * control socket, reloads on SIGHUP or `edgeward reload`, and writes the
 * events.
 *
 *   settings ─▶ lists, policy (settings.c, apolicy.c) ─▶ engine ◀── tap / proxy
 *   policy in force: an rcu (rcu.c), asked by decide.c from the proxy's
 *   loops and the engine's workers; its tags to the kernel (kside.c)
 *   kernel: load, attach, heartbeat, verdicts, tags    events ─▶ stamp ─▶ --log
 *   control socket: status, reload, stop                signals: HUP, INT, TERM */
#ifndef EW_AGENT_H
#define EW_AGENT_H

#include <stdint.h>

#include "config/runconf.h"
#include "log/diag.h"

struct agent_opts {
	const char *config_path; /* NULL: settings from the command line only */
	/* Builds the settings into c (defaults, the file, the command line);
	 * called at start and on every reload. Returns 0 or -errno with the
	 * problems in d. */
	int (*settings)(struct runconf *c, void *ctx, struct diag *d);
	void *ctx;
	uint64_t duration_ns; /* stop after this long (0: when told) */
};

/* Runs the agent until SIGINT, SIGTERM, a stop request or the duration.
 * Returns the process exit status: 0, 1 (could not start or run), 2 (bad
 * settings or lists). */
int agent_run(const struct agent_opts *o);

#endif
