/* SPDX-License-Identifier: GPL-2.0 */
/* notices: the agent's `notices:` settings at work. The templates of
 * notice/ render the inline proxy's block notices in the client's
 * language (proxy_conf.notice), and the notice server, when it has a
 * listen address, serves the pages and records acknowledgements.
 *
 *   proxy block ─▶ agent_notices_page ─▶ notice_render (Accept-Language)
 *   browser ─HTTP─▶ notice server ─▶ pages, acknowledgements */
#ifndef EW_AGENT_NOTICES_H
#define EW_AGENT_NOTICES_H

#include <stddef.h>

#include "config/runconf.h"
#include "icap/icap.h"
#include "notice/server.h"
#include "proxy/proxy.h"

/* What the notices need of the settings is copied at the start: they
 * change only on a restart (a reload frees the settings' strings). */
struct agent_notices {
	struct notice_set *set;	      /* NULL: no templates */
	char *contact;		      /* {{contact}} */
	char *ack_url;		      /* the inline disclaimer's form action
				       * (notices url + /_ew/ack); NULL: the
				       * proxy's own disclaimer */
	int status;		      /* 451 or 403 */
	struct notice_server_conf sc; /* the server's, fd open; fd -1: none */
	struct notice_server *srv;    /* NULL: no server */
};

/* Loads the templates of c->notices (their problems printed) and opens
 * the server's socket: before privileges are dropped (port 80). Returns 0
 * or -errno (printed). */
int agent_notices_open(struct agent_notices *n, const struct runconf *c);

/* Starts the notice server on the socket opened, if any (its threads
 * start after the privileges went). Returns 0 or -errno (printed). */
int agent_notices_start(struct agent_notices *n);

/* proxy_conf.notice: the block notice for b in its client's language,
 * 451 or 403 as configured, or for a warn decision the disclaimer (200)
 * whose form posts to the notice server with a token bound to b's client,
 * category and URL (ctx: the agent_notices). Returns the page's length,
 * 0 for the proxy's built-in page (no template; a warn without a notice
 * server or its url). The rule's template (b->page_template) when the set
 * has it, else the kind's ("block", "warn"). */
size_t agent_notices_page(void *ctx, const struct proxy_block *b, char *buf, size_t size,
			  int *status);

/* icap_conf.page: the block notice of an ICAP judgement j for the
 * encapsulated request r, in its client's language (ctx: the
 * agent_notices); 0 without templates (the ICAP server's plain page). */
size_t agent_notices_icap_page(void *ctx, const struct icap_judgement *j,
			       const struct icap_page_req *r, char *buf, size_t size,
			       unsigned *status);

/* Stops the server, frees the templates. Call after the proxy stopped. */
void agent_notices_close(struct agent_notices *n);

#endif
