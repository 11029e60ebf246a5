/* SPDX-License-Identifier: GPL-2.0 */
/* icapsvc: the ICAP server (icap/) wired to an engine, as `edgeward icap`
 * and `edgeward run` (its `icap:` settings) both run it: one engine
 * inspector per server thread, the listen address, and the ISTag as a
 * digest of what decides a verdict (lists, inspected types, PDQ floor), so
 * proxies drop cached verdicts when any of it changes. */
#ifndef EW_AGENT_ICAPSVC_H
#define EW_AGENT_ICAPSVC_H

#include <sys/socket.h>

#include "engine/engine.h"
#include "icap/icap.h"
#include "lists/listset.h"

/* "ADDR:PORT" or "[V6ADDR]:PORT", numeric, into *ss and *len. Returns 0
 * or -EINVAL. */
int icapsvc_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len);

/* The ISTag of lists ls (names, categories, contents), the PDQ quality
 * floor, the multipart setting, the inspected types and the policy's
 * version (NULL or "": none), into c->istag. */
void icapsvc_istag(struct icap_conf *c, const struct listset *ls, int min_quality,
		   const char *policy_version);

struct icapsvc;

/* Serves conf (its backend set here) on listen with `threads` threads,
 * each inspecting through an inspector of e (started). Returns NULL with
 * errno set (printed). */
struct icapsvc *icapsvc_start(struct engine *e, struct icap_conf *conf, const char *listen,
			      unsigned threads);

/* A new ISTag, after a reload. */
void icapsvc_retag(struct icapsvc *s, const struct listset *ls, int min_quality,
		   const char *policy_version);

/* The ISTag sent now. */
const char *icapsvc_istag_now(const struct icapsvc *s);

struct icap_server *icapsvc_server(struct icapsvc *s);

/* Stops the threads (open transactions dropped): before engine_stop.
 * Copies the final counters to *st when st is not NULL. NULL s is a no-op. */
void icapsvc_stop(struct icapsvc *s, struct icap_stats *st);

#endif
