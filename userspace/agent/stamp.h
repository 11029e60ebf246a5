/* SPDX-License-Identifier: GPL-2.0 */
/* stamp: every line the agent writes carries the policy version in force
 * (docs/log-schema.md, "policy_version"). A sink between the engine's
 * writer and the event log: a line that has no "policy_version" member
 * (object, match, agent, lists, health ...) gets one as its last member;
 * lines that name the version that decided them (block, warn, monitor,
 * policy) keep theirs.
 *
 *   ej_writer ─▶ stamp ─▶ event log (privacy filter, signature, file) */
#ifndef EW_AGENT_STAMP_H
#define EW_AGENT_STAMP_H

#include <pthread.h>
#include <stddef.h>

#include "log/eventjson.h"

struct stamp {
	struct ej_sink sink;	   /* this, to give the writer */
	const struct ej_sink *next;
	pthread_mutex_t lock;	   /* version, buf */
	char version[72];	   /* "" : no policy, written as null */
	char *buf;
	size_t cap;
};

/* Lines go on to next (not owned). */
void stamp_init(struct stamp *s, const struct ej_sink *next);

/* The version from now on (NULL or "": no policy). Any thread. */
void stamp_set(struct stamp *s, const char *version);

/* line with ,"policy_version":V inserted before its closing brace, in
 * out (cap bytes); returns the new length, or 0 when line keeps its own
 * (it has the member, or is not one JSON object and a newline) or out is
 * too small. For the sink and its tests. */
size_t stamp_line(const char *line, size_t len, const char *version, char *out, size_t cap);

void stamp_free(struct stamp *s);

#endif
