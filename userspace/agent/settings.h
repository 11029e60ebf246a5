/* SPDX-License-Identifier: GPL-2.0 */
/* settings: what the agent runs with, built off the data path at start
 * and on every reload: the config file and command line (runconf), the
 * lists they name (loaded), and the policy over them (an apolicy
 * generation, its lists joined to the config's). Nothing is put in force
 * here: agent.c swaps it in. */
#ifndef EW_AGENT_SETTINGS_H
#define EW_AGENT_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "agent.h"
#include "apolicy.h"
#include "classify/dpi.h"

/* Builds settings into c (o->settings), loads their lists and the
 * policy (*gen, with nDPI's names from *names, made on first need and
 * kept by the caller). Problems go as diagnostics to err (for the
 * control reply) and to stderr, warnings to stderr; *policy_failed says
 * the policy was the problem. Returns 0 or -errno; c is the caller's to
 * free either way. */
int agent_settings(const struct agent_opts *o, struct dpi **names, struct runconf *c,
		   struct apolicy **gen, bool *policy_failed, char *err, size_t errlen);

/* The policy at path (NULL: none) over the loaded lists ls (its lists
 * join ls's registries), with nDPI's names (*names made on first use),
 * into *gen; its diagnostics (warnings too) to mf (NULL: none). Returns 0
 * or -errno. */
int agent_policy_load(const char *path, struct listset *ls, struct dpi **names,
		      struct apolicy **gen, FILE *mf);

#endif
