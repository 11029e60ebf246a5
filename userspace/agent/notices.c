// SPDX-License-Identifier: GPL-2.0
/* notices: templates and the notice server in the agent (notices.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "icapsvc.h"
#include "log/log.h"
#include "notices.h"

/* The server's settings and its socket. */
static int open_socket(struct agent_notices *n, const struct runconf_notices *rn)
{
	struct notice_server_conf *sc = &n->sc;

	if (icapsvc_parse_listen(rn->listen, &sc->addr, &sc->addr_len)) {
		ew_err("run: bad notices listen address '%s' (expected ADDR:PORT or "
		       "[V6ADDR]:PORT)",
		       rn->listen);
		return -EINVAL;
	}
	sc->set = n->set;
	sc->contact = n->contact;
	sc->status = n->status;
	sc->ack_ns = rn->ack_ns;
	sc->ack_max = (uint32_t)rn->ack_max;
	sc->fd = notice_server_listen(&sc->addr, sc->addr_len);
	if (sc->fd < 0) {
		ew_err("run: couldn't listen for notices on '%s': %s", rn->listen,
		       strerror(-sc->fd));
		return sc->fd;
	}
	return 0;
}

int agent_notices_open(struct agent_notices *n, const struct runconf *c)
{
	const struct runconf_notices *rn = &c->notices;
	struct diag d = {0};
	int err;

	memset(n, 0, sizeof(*n));
	notice_server_conf_default(&n->sc);
	n->status = rn->status;
	if (!rn->dir)
		return 0;
	n->contact = strdup(rn->contact ? rn->contact : "");
	if (!n->contact)
		return -ENOMEM;
	err = notice_set_load(rn->dir, rn->lang, &n->set, &d);
	if (err) {
		diag_print(&d, stderr);
		ew_err("run: couldn't load the notice templates from '%s'", rn->dir);
		return err;
	}
	ew_info("notices: templates from %s, default language %s", rn->dir, rn->lang);
	return rn->listen ? open_socket(n, rn) : 0;
}

int agent_notices_start(struct agent_notices *n)
{
	char msg[256];

	if (n->sc.fd < 0)
		return 0;
	n->srv = notice_server_start(&n->sc, msg, sizeof(msg));
	n->sc.fd = -1; /* the server's now, started or not */
	if (!n->srv) {
		ew_err("run: %s", msg);
		return -errno;
	}
	ew_info("notices: serving on port %u", notice_server_port(n->srv));
	return 0;
}

size_t agent_notices_page(void *ctx, const struct proxy_block *b, char *buf, size_t size,
			  int *status)
{
	struct agent_notices *n = ctx;
	char url[2304], ref[24], when[32];
	time_t t = (time_t)(b->ts_ns / 1000000000ull);
	struct tm tm;
	bool rule = b->rule && b->rule[0]; /* the policy decided */
	struct notice_vars v = {.rule = rule ? b->rule : b->list,
				.category = rule ? b->page_category : b->category,
				.contact = n->contact,
				.host = b->host,
				.url = url,
				.ref = ref,
				.time = when,
				.status = rule ? (int)b->status : n->status};
	int len;

	/* a warn rule's disclaimer: the proxy's page (the template's form
	 * needs the notice server's address, which the proxy does not know) */
	if (b->act == PROXY_WARN)
		return 0;

	snprintf(url, sizeof(url), "http://%s%s", b->host, b->uri);
	snprintf(ref, sizeof(ref), "%016" PRIx64, b->flow_id);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
	len = notice_render(n->set, NOTICE_BLOCK, b->accept_language, &v, buf, size, status);
	return len >= 0 ? (size_t)len : 0; /* the proxy's built-in page then */
}

void agent_notices_close(struct agent_notices *n)
{
	notice_server_stop(n->srv);
	n->srv = NULL;
	if (n->set && n->sc.fd >= 0) /* never opened without templates */
		close(n->sc.fd);
	n->sc.fd = -1;
	notice_set_free(n->set);
	n->set = NULL;
	free(n->contact);
	n->contact = NULL;
}
