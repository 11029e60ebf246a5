// SPDX-License-Identifier: GPL-2.0
/* decide: the policy's answers for the proxy and the tap (decide.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "decide.h"
#include "events.h"

static void copy_rule(struct proxy_decision *d, const struct apolicy *g,
		      const struct apolicy_out *o)
{
	snprintf(d->version, sizeof(d->version), "%s", g->version);
	if (!o->rule)
		return;
	objsink_copy_name(d->rule, o->rule->name);
	objsink_copy_name(d->category, o->rule->category);
	if (o->rule->notice)
		objsink_copy_name(d->notice, o->rule->notice);
	d->status = o->rule->http_status;
}

/* The flow of an object's event, f (NULL: none, as for a file). */
static void event_flow(struct agent_block *b, const struct objsink_flow *f)
{
	if (!f)
		return;
	b->client = f->client, b->server = f->server;
	b->client_port = f->cport, b->server_port = f->sport;
	b->flow_id = f->id;
}

/* An object (or flow, app: nDPI's name) that passes but is logged: the
 * monitor event (or, in tap mode, a warn that cannot be shown). */
static void logged(struct decider *dc, const struct obj_verdict *v, const struct apolicy *g,
		   const struct apolicy_out *o, const char *action, const char *app)
{
	struct agent_block b = {.v = v, .how = ENF_NONE, .action = action, .app = app,
				.rule = o->rule ? o->rule->name : NULL, .version = g->version};

	event_flow(&b, v->flow);
	agent_event_block(dc->e, &b);
}

void decide_object(void *ctx, const struct obj_verdict *v, struct proxy_decision *d)
{
	struct decider *dc = ctx;
	struct apolicy_out o;
	unsigned tok;
	const struct apolicy *g = rcu_lock(dc->pol, &tok);

	memset(d, 0, sizeof(*d));
	apolicy_object(g, v, dc->hooks, time(NULL), &o);
	copy_rule(d, g, &o);
	if (o.floor)
		d->act = dc->blocked == RUN_BLOCKED_RESET ? PROXY_RESET : PROXY_NOTICE;
	else if (o.action == POLICY_BLOCK)
		d->act = PROXY_RESET;
	else if (o.action == POLICY_NOTICE)
		d->act = PROXY_NOTICE;
	else if (o.action == POLICY_WARN)
		d->act = PROXY_WARN;
	else if (o.action == POLICY_MONITOR)
		logged(dc, v, g, &o, "monitor", NULL);
	rcu_unlock(dc->pol, tok);
}

void decide_request(void *ctx, const struct proxy_request *r, struct proxy_decision *d)
{
	struct decider *dc = ctx;
	struct apolicy_request q = {.client = r->client, .server = r->server,
				    .host = r->host, .uri = r->uri};
	struct apolicy_out o;
	unsigned tok;
	const struct apolicy *g = rcu_lock(dc->pol, &tok);

	memset(d, 0, sizeof(*d));
	apolicy_request(g, &q, dc->hooks, time(NULL), &o);
	copy_rule(d, g, &o);
	d->act = o.action == POLICY_BLOCK    ? PROXY_RESET
		 : o.action == POLICY_NOTICE ? PROXY_NOTICE
		 : o.action == POLICY_WARN   ? PROXY_WARN
					     : PROXY_PASS;
	if (o.action == POLICY_MONITOR) {
		struct obj_verdict v = {.host = r->host, .uri = r->uri, .distance = -1,
					.quality = -1, .sniffed = "", .content_type = ""};
		struct agent_block b = {.v = &v, .client = r->client, .server = r->server,
					.client_port = r->cport, .server_port = r->sport,
					.flow_id = r->flow_id, .how = ENF_NONE, .action = "monitor",
					.rule = o.rule->name, .version = g->version,
					.category = o.rule->category};

		agent_event_block(dc->e, &b);
	}
	rcu_unlock(dc->pol, tok);
}

void decide_tap(struct decider *dc, const struct obj_verdict *v, struct tap_decision *td)
{
	struct apolicy_out o;
	unsigned tok;
	const struct apolicy *g = rcu_lock(dc->pol, &tok);

	memset(td, 0, sizeof(*td));
	apolicy_object(g, v, dc->hooks, time(NULL), &o);
	snprintf(td->version, sizeof(td->version), "%s", g->version);
	if (o.rule)
		objsink_copy_name(td->rule, o.rule->name);
	td->block = o.floor || o.action == POLICY_BLOCK || o.action == POLICY_NOTICE;
	if (o.action == POLICY_MONITOR || (o.action == POLICY_WARN && !o.floor))
		logged(dc, v, g, &o, policy_action_name(o.action), NULL);
	rcu_unlock(dc->pol, tok);
}

void decide_flow(struct decider *dc, const struct flow_info *fi, const struct dpi_result *r,
		 struct tap_decision *td)
{
	struct objsink_flow f = {.id = fi->id, .cport = fi->client_port, .sport = fi->server_port};
	struct obj_verdict v = {.flow = &f, .host = r->server_name, .uri = "", .distance = -1,
				.quality = -1, .sniffed = "", .content_type = ""};
	struct apolicy_out o;
	unsigned tok;
	const struct apolicy *g = rcu_lock(dc->pol, &tok);

	memset(td, 0, sizeof(*td));
	memcpy(f.client, fi->client_addr, 16);
	memcpy(f.server, fi->server_addr, 16);
	apolicy_flow(g, fi->client_addr, fi->server_addr, r, dc->hooks, time(NULL), &o);
	snprintf(td->version, sizeof(td->version), "%s", g->version);
	if (o.rule) {
		objsink_copy_name(td->rule, o.rule->name);
		objsink_copy_name(td->category, o.rule->category);
	}
	td->block = o.action == POLICY_BLOCK || o.action == POLICY_NOTICE;
	if (o.action == POLICY_MONITOR || o.action == POLICY_WARN)
		logged(dc, &v, g, &o, policy_action_name(o.action), r->protocol);
	rcu_unlock(dc->pol, tok);
}

int decide_name(void *ctx, const struct flow_info *fi, enum policy_point at, const char *name,
		const struct dpi_result *r, struct namewatch_verdict *v)
{
	struct decider *dc = ctx;
	struct apolicy_out o;
	unsigned tok;
	const struct apolicy *g = rcu_lock(dc->pol, &tok);
	int decided = g->p != NULL;

	if (decided) {
		apolicy_name(g, at, fi->client_addr, fi->server_addr, name, r, dc->hooks,
			     time(NULL), &o);
		v->block = o.action == POLICY_BLOCK || o.action == POLICY_NOTICE;
		v->action = o.action == POLICY_ALLOW ? NULL : apolicy_event_action(o.action);
		if (o.rule) {
			v->rule_id = o.rule->index;
			objsink_copy_name(v->rule, o.rule->name);
			objsink_copy_name(v->category, o.rule->category);
		}
	}
	rcu_unlock(dc->pol, tok);
	return decided;
}

bool decide_dns_rule(struct decider *dc, uint32_t rule_id, char *rule, char *category)
{
	unsigned tok;
	const struct apolicy *g = rcu_lock(dc->pol, &tok);
	const struct policy_rule *r = g->p ? policy_rule(g->p, rule_id) : NULL;

	if (r) {
		objsink_copy_name(rule, r->name);
		objsink_copy_name(category, r->category);
	}
	rcu_unlock(dc->pol, tok);
	return r != NULL;
}

/* The event of an ICAP verdict by a rule: block (the notice went in place
 * of the message), or monitor and warn (it passed). */
static void icap_event(struct decider *dc, const struct obj_verdict *v, const struct apolicy *g,
		       const struct apolicy_out *o, bool block)
{
	struct agent_block b = {.v = v, .how = ENF_NOTICE, .action = "block",
				.rule = o->rule ? o->rule->name : NULL, .version = g->version,
				.category = o->rule ? o->rule->category : NULL};

	if (!block) {
		logged(dc, v, g, o, policy_action_name(o->action), NULL);
		return;
	}
	event_flow(&b, v->flow);
	agent_event_block(dc->e, &b);
}

/* addr (16 bytes, IPv4-mapped) from an IPv4 or IPv6 address s: true, or
 * false (addr untouched). */
static bool parse_addr(const char *s, uint8_t *addr)
{
	uint8_t a[16] = {[10] = 0xff, [11] = 0xff};

	if (inet_pton(AF_INET, s, a + 12) == 1 || inet_pton(AF_INET6, s, a) == 1) {
		memcpy(addr, a, 16);
		return true;
	}
	return false;
}

void decide_icap(void *ctx, const struct obj_verdict *v, const char *client_ip,
		 struct icap_judgement *j)
{
	struct decider *dc = ctx;
	struct objsink_flow f;
	struct obj_verdict sv;
	struct apolicy_out o;
	unsigned tok;
	const struct apolicy *g;

	if (v->flow && client_ip && client_ip[0]) { /* the subscriber, as the proxy says */
		f = *v->flow;
		sv = *v;
		sv.flow = &f;
		if (parse_addr(client_ip, f.client))
			v = &sv;
	}
	g = rcu_lock(dc->pol, &tok);
	memset(j, 0, sizeof(*j));
	apolicy_object(g, v, dc->hooks, time(NULL), &o);
	j->block = o.floor || o.action == POLICY_BLOCK || o.action == POLICY_NOTICE;
	j->status = o.rule && !o.floor ? o.rule->http_status : 451;
	j->rule = o.rule && !o.floor;
	if (j->rule) {
		objsink_copy_name(j->name, o.rule->name);
		objsink_copy_name(j->category, o.rule->category);
		objsink_copy_name(j->notice, o.rule->notice ? o.rule->notice : "");
	} else if (j->block) {
		objsink_copy_name(j->name, v->list);
		objsink_copy_name(j->category, v->category);
	}
	if (g->p && !o.floor && o.action != POLICY_ALLOW)
		icap_event(dc, v, g, &o, j->block);
	rcu_unlock(dc->pol, tok);
}

/* host without its port ("[v6]" and a bare name stay as they are). */
static void name_of(const char *host, char *name, size_t size)
{
	const char *colon = host[0] == '[' ? NULL : strrchr(host, ':');
	size_t n = colon ? (size_t)(colon - host) : strlen(host);

	snprintf(name, size, "%.*s", (int)(n < size ? n : size - 1), host);
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

void decide_notice(void *ctx, const uint8_t *client, const char *host, const char *url,
		   struct notice_lookup *out)
{
	struct decider *dc = ctx;
	struct apolicy_out o;
	char name[256];
	unsigned tok;
	const struct apolicy *g = rcu_lock(dc->pol, &tok);
	const struct policy_rule *r;

	(void)url;
	name_of(host ? host : "", name, sizeof(name));
	apolicy_name(g, POLICY_AT_DNS, client, NULL, name, NULL, dc->hooks, time(NULL), &o);
	r = o.rule;
	if (r && (o.action == POLICY_BLOCK || o.action == POLICY_NOTICE || r->action == POLICY_WARN)) {
		out->kind = o.action == POLICY_WARN	 ? NOTICE_WARN
			    : o.action == POLICY_ALLOW ? NOTICE_ACKED
						       : NOTICE_BLOCK;
		out->status = (int)r->http_status;
		copy_str(out->rule, sizeof(out->rule), r->name);
		copy_str(out->category, sizeof(out->category), r->category);
		copy_str(out->tmpl, sizeof(out->tmpl), r->notice);
		copy_str(out->contact, sizeof(out->contact), r->contact);
	}
	rcu_unlock(dc->pol, tok);
}
