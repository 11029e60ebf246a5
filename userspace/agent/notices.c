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
#include "util/clock.h"

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

/* Renders kind k for v at ts_ns (the rule's template tmpl when the set
 * has it, else the kind's) in the language accept picks; 0: the caller's
 * built-in page. */
static size_t render(struct agent_notices *n, enum notice_kind k, const char *tmpl,
		     const char *accept, uint64_t ts_ns, struct notice_vars *v, char *buf,
		     size_t size, int *status)
{
	time_t t = (time_t)(ts_ns / 1000000000ull);
	char when[32];
	struct tm tm;
	int len;

	if (tmpl && tmpl[0] && notice_lang_choose(n->set, tmpl, NULL, NULL))
		v->tmpl = tmpl; /* else the kind's */
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
	v->time = when;
	len = notice_render(n->set, k, accept, v, buf, size, status);
	return len >= 0 ? (size_t)len : 0;
}

size_t agent_notices_page(void *ctx, const struct proxy_block *b, char *buf, size_t size,
			  int *status)
{
	struct agent_notices *n = ctx;
	char url[2304], ref[24];
	bool rule = b->rule && b->rule[0]; /* the policy decided */
	struct notice_vars v = {.rule = rule ? b->rule : b->list,
				.category = rule ? b->page_category : b->category,
				.contact = n->contact,
				.host = b->host,
				.url = url,
				.ref = ref,
				.status = rule ? (int)b->status : n->status};
	char token[ACK_TOKEN_LEN + 1];
	enum notice_kind k = NOTICE_BLOCK;

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
	return render(n, k, b->page_template, b->accept_language, b->ts_ns, &v, buf, size,
		      status);
}

size_t agent_notices_icap_page(void *ctx, const struct icap_judgement *j,
			       const struct icap_page_req *r, char *buf, size_t size,
			       unsigned *status)
{
	struct agent_notices *n = ctx;
	char url[2304];
	struct notice_vars v = {.rule = j->name[0] ? j->name : "-",
				.category = j->category,
				.contact = n->contact,
				.host = r->host,
				.url = url,
				.ref = "icap",
				.status = j->rule ? (int)j->status : n->status};
	size_t len;
	int st = 0;

	if (!n->set)
		return 0;
	/* an absolute target (a proxy's request line) is the URL already */
	snprintf(url, sizeof(url), "%s%s%s", strstr(r->uri, "://") ? "" : "http://",
		 strstr(r->uri, "://") ? "" : r->host, r->uri);
	len = render(n, NOTICE_BLOCK, j->notice, r->accept_language, wall_ns(), &v, buf, size,
		     &st);
	*status = (unsigned)st;
	return len;
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
