// SPDX-License-Identifier: GPL-2.0
/* inline: listeners, the proxy, and what its blocks lead to. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "inline.h"
#include "kernel/blocklist.h"
#include "log/log.h"

#define SERVERS_MAX 256 /* server addresses waiting for the blocklist */
#define BLOCK_RULE  0xe5 /* the rule id of servers blocked after a match */

struct inline_src {
	struct engine *e;
	struct kside *k;
	bool block_server;
	int fd[2]; /* listeners: IPv4, IPv6 */
	struct proxy *proxy;
	struct dnstcp dns;    /* the proxy's DNS hook's context */
	pthread_mutex_t lock; /* the queue below */
	uint8_t servers[SERVERS_MAX][16];
	unsigned nservers, dropped;
};

static const enum agent_enforced how_of[] = {
	[PROXY_ENF_NOTICE] = ENF_NOTICE,
	[PROXY_ENF_RESET] = ENF_RESET,
	[PROXY_ENF_LEARNED] = ENF_LEARNED,
	[PROXY_ENF_PARTIAL] = ENF_RESET_LATE,
	[PROXY_ENF_REQUEST] = ENF_REQUEST,
};

/* The proxy's upstream sockets: the client's address and port, through
 * the kernel's steering (kernel/steer.h). */
static int upstream(const struct sockaddr *client, const struct sockaddr *server)
{
	socklen_t len = client->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						      : sizeof(struct sockaddr_in);

	return steer_upstream(client, server, len);
}

static void queue_server(struct inline_src *s, const uint8_t *server)
{
	pthread_mutex_lock(&s->lock);
	if (s->nservers < SERVERS_MAX)
		memcpy(s->servers[s->nservers++], server, 16);
	else
		s->dropped++;
	pthread_mutex_unlock(&s->lock);
}

/* Every block (loop threads): the event, and the server for the list. */
static void on_block(void *ctx, const struct proxy_block *pb)
{
	struct inline_src *s = ctx;
	bool hit = pb->list && pb->list[0];
	struct obj_verdict v = {.host = pb->host, .uri = pb->uri, .hits = hit,
				.hash_type = pb->hash_type, .hash_len = pb->hash_len,
				.distance = pb->distance, .quality = -1, .sniffed = "",
				.content_type = ""};
	struct agent_block b = {.ts_ns = pb->ts_ns, .v = &v, .client = pb->client,
				.server = pb->server, .client_port = pb->cport,
				.server_port = pb->sport, .flow_id = pb->flow_id,
				.how = how_of[pb->how], .server_blocked = s->block_server && hit,
				.rule = pb->rule && pb->rule[0] ? pb->rule : NULL,
				.action = pb->act == PROXY_WARN ? "warn" : "block",
				.version = pb->version, .category = pb->page_category};

	objsink_copy_name(v.list, pb->list);
	objsink_copy_name(v.category, pb->category);
	memcpy(v.hash, pb->hash, pb->hash_len < sizeof(v.hash) ? pb->hash_len : sizeof(v.hash));
	agent_event_block(s->e, &b);
	if (b.server_blocked)
		queue_server(s, pb->server);
}

/* At the connection cap TC stops steering new flows (they pass
 * uninspected: fail-open), and resumes below it. */
static void on_cap(void *ctx, bool over)
{
	struct inline_src *s = ctx;

	steer_set_accepting(s->k->steer, !over);
	agent_event_health(s->e, over ? "proxy at its connection limit" : "proxy below its limit",
			   1, over ? "new flows pass uninspected" : "new flows are inspected");
}

static int listeners(struct inline_src *s)
{
	static const int fams[2] = {AF_INET, AF_INET6};

	for (int i = 0; i < 2; i++) {
		s->fd[i] = steer_listen(fams[i], NULL, 0, 1024);
		if (s->fd[i] < 0 || steer_register(s->k->steer, s->fd[i])) {
			ew_err("couldn't set up the %s transparent listener: %s",
			       i ? "IPv6" : "IPv4", strerror(s->fd[i] < 0 ? -s->fd[i] : errno));
			return -EIO;
		}
	}
	return 0;
}

static void proxy_settings(struct inline_src *s, const struct runconf *c, struct decider *dc,
			   struct proxy_conf *pc)
{
	proxy_conf_default(pc);
	pc->threads = c->workers;
	pc->engine = s->e;
	pc->source = "inline";
	pc->listen[0] = s->fd[0];
	pc->listen[1] = s->fd[1];
	pc->nlisten = 2;
	pc->connect = upstream;
	pc->max_conns = c->inl.max_conns;
	pc->hold_max = c->inl.hold_max;
	pc->hold_total = c->inl.hold_total;
	pc->idle_ns = c->inl.idle_ns;
	pc->learn_ns = c->inl.learn_ns;
	pc->blocked = c->inl.blocked == RUN_BLOCKED_RESET ? PROXY_BLOCKED_RESET
							   : PROXY_BLOCKED_NOTICE;
	pc->block = on_block;
	pc->block_ctx = s;
	pc->over_cap = on_cap;
	pc->cap_ctx = s;
	pc->request = decide_request;
	pc->object = decide_object;
	pc->decide_ctx = dc;
}

struct inline_src *inline_start(struct engine *e, struct kside *k, const struct runconf *c,
				struct decider *dc, struct agent_notices *n, struct namewatch *names)
{
	struct inline_src *s = calloc(1, sizeof(*s));
	struct proxy_conf pc;

	if (!s)
		return NULL;
	s->e = e, s->k = k, s->block_server = c->inl.block_server;
	s->fd[0] = s->fd[1] = -1;
	pthread_mutex_init(&s->lock, NULL);
	if (listeners(s))
		goto fail;
	proxy_settings(s, c, dc, &pc);
	if (n->set) {
		pc.notice = agent_notices_page;
		pc.notice_ctx = n;
	}
	/* whatever steers tcp/53 here (dns_tcp, or the inline ports), it is
	 * relayed as DNS, never parsed as HTTP */
	s->dns = (struct dnstcp){.e = e, .dc = dc, .names = names};
	pc.dns = dnstcp_answer;
	pc.dns_ctx = &s->dns;
	s->proxy = proxy_start(&pc);
	if (!s->proxy) {
		ew_err("couldn't start the inline proxy: %s", strerror(errno));
		goto fail;
	}
	steer_set_accepting(k->steer, true);
	return s;
fail:
	inline_stop(s);
	errno = EIO;
	return NULL;
}

void inline_tick(struct inline_src *s)
{
	uint8_t servers[SERVERS_MAX][16];
	struct ew_block_rule rule = {.rule_id = BLOCK_RULE, .flags = EW_MATCH_SRC | EW_MATCH_DST};
	struct blocklist bl;
	unsigned n;

	pthread_mutex_lock(&s->lock);
	n = s->nservers;
	memcpy(servers, s->servers, n * 16);
	s->nservers = 0;
	pthread_mutex_unlock(&s->lock);
	if (!n || blocklist_open(&bl))
		return;
	for (unsigned i = 0; i < n; i++) {
		static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
		struct ew_prefix p = {.family = memcmp(servers[i], mapped, 12) ? 6 : 4};

		p.len = p.family == 4 ? 32 : 128;
		memcpy(p.addr, p.family == 4 ? servers[i] + 12 : servers[i], p.family == 4 ? 4 : 16);
		int err = blocklist_add(&bl, &p, &rule);

		if (err)
			ew_warn("couldn't put a matched server on the blocklist: %s",
				strerror(-err));
	}
	blocklist_close(&bl);
}

void inline_stats(struct inline_src *s, struct proxy_stats *st)
{
	proxy_stats(s->proxy, st);
}

void inline_stop(struct inline_src *s)
{
	if (!s)
		return;
	if (s->k->steer)
		steer_set_accepting(s->k->steer, false);
	proxy_free(s->proxy); /* stops it first */
	for (int i = 0; i < 2; i++)
		if (s->fd[i] >= 0) {
			steer_unregister(s->k->steer, i ? AF_INET6 : AF_INET);
			close(s->fd[i]);
		}
	pthread_mutex_destroy(&s->lock);
	free(s);
}
