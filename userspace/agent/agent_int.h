/* SPDX-License-Identifier: GPL-2.0 */
/* The agent's state, shared by agent.c (start, loop, reload, stop) and
 * status.c (the control socket's status answer). Not an interface. */
#ifndef EW_AGENT_INT_H
#define EW_AGENT_INT_H

#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "agent.h"
#include "apolicy.h"
#include "classify/dpi.h"
#include "control.h"
#include "decide.h"
#include "dnstables.h"
#include "engine/engine.h"
#include "health.h"
#include "icapsvc.h"
#include "inline.h"
#include "kside.h"
#include "metrics.h"
#include "namewatch.h"
#include "notices.h"
#include "outputs.h"
#include "rcu.h"
#include "tap.h"

#define SEC 1000000000ull

struct agent {
	const struct agent_opts *o;
	struct runconf conf;	     /* in force */
	struct hashdb *db;	     /* the engine's registries, for its life */
	struct pdqdb *pdb;
	struct agent_outputs out; /* event log, syslog, privacy */
	struct agent_metrics m;	  /* Prometheus endpoint */
	struct agent_health health; /* counters at the last look */
	struct engine *e;
	struct kside k;
	struct tap *tap;
	struct namewatch *names; /* blocks by server name */
	struct inline_src *inl;
	struct icapsvc *icap; /* NULL: no icap: settings */
	struct rcu pol;	      /* struct apolicy * in force (rcu.h: readers in every thread) */
	struct apolicy_hooks hooks; /* warn acknowledgements: the notice server's */
	struct decider dc;    /* the policy's answers for the proxy and the tap */
	struct dpi *dpi_names; /* nDPI's names for the policy's app conditions */
	struct dnstables dns;  /* the policy's DNS answers in the kernel */
	uint64_t policy_failures;
	struct agent_notices notices; /* templates, notice server */
	struct control *ctl;
	int sig_fd;
	sigset_t old_mask;
	uint64_t started_ns;
	uint64_t reloads, reload_failures;
	char last_error[DIAG_MSG_LEN * 4];
	const char *stop; /* why the loop ends; NULL: running */
};

/* CLOCK_MONOTONIC in nanoseconds (inline: agent.c and status.c both read
 * it, and neither calls into the other for it). */
static inline uint64_t agent_mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * SEC + (uint64_t)t.tv_nsec;
}

/* The answer to `status`: "ok" and a line per part of the agent. */
void agent_status(struct agent *a, FILE *out);

#endif
