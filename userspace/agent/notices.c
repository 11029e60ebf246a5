// SPDX-License-Identifier: GPL-2.0
/* notices: templates and the notice server in the agent (notices.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "icapsvc.h"
#include "log/log.h"
#include "notices.h"

/* Where the inline disclaimer's form posts: notices url, else the listen
 * address when it names one (a wildcard is no address a browser can
 * post to). 0, or -ENOMEM. */
static int form_action(struct agent_notices *n, const struct runconf_notices *rn)
{
	const struct sockaddr_storage *ss = &n->sc.addr;
	bool any = ss->ss_family == AF_INET
			   ? ((const struct sockaddr_in *)ss)->sin_addr.s_addr == htonl(INADDR_ANY)
			   : IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
	size_t len;

	if (!rn->url && any) {
		ew_warn("notices: listen %s names no address and there is no notices url: "
			"warn rules show the proxy's own disclaimer inline",
			rn->listen);
		return 0;
	}
	len = strlen(rn->url ? rn->url : rn->listen) + sizeof("http://" NOTICE_ACK_PATH);
	n->ack_url = malloc(len);
	if (!n->ack_url)
		return -ENOMEM;
	snprintf(n->ack_url, len, "%s%s" NOTICE_ACK_PATH, rn->url ? "" : "http://",
		 rn->url ? rn->url : rn->listen);
	return 0;
}

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
	return form_action(n, rn);
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
	char token[ACK_TOKEN_LEN + 1];
	enum notice_kind k = NOTICE_BLOCK;
	int len;

	if (b->page_template && b->page_template[0] &&
	    notice_lang_choose(n->set, b->page_template, NULL, NULL))
		v.tmpl = b->page_template; /* else the kind's */
	snprintf(url, sizeof(url), "http://%s%s", b->host, b->uri);
	if (b->act == PROXY_WARN) { /* the form posts to the notice server */
		if (!n->srv || !n->ack_url || !v.category || !v.category[0])
			return 0;
		notice_server_token(n->srv, b->client, v.category, url, token);
		v.token = token;
		v.ack_url = n->ack_url;
		k = NOTICE_WARN;
	}
	snprintf(ref, sizeof(ref), "%016" PRIx64, b->flow_id);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
	len = notice_render(n->set, k, b->accept_language, &v, buf, size, status);
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
	free(n->ack_url);
	n->ack_url = NULL;
}
