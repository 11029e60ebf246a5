// SPDX-License-Identifier: GPL-2.0
/* The agent's own events as JSON lines, queued on the engine's writer. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "util/clock.h"
#include "names/dnsmsg.h"
#include "object/hash.h"

static const char *const enforced_names[] = {
	[ENF_NOTICE] = "notice",
	[ENF_RESET] = "reset",
	[ENF_LEARNED] = "learned",
	[ENF_RESET_LATE] = "reset_after_partial_delivery",
	[ENF_TAP_RESET] = "tap_reset",
	[ENF_REQUEST] = "request",
	[ENF_NONE] = "none",
	[ENF_NAME_RESET] = "reset",
	[ENF_NAME_DROP] = "flow_drop",
	[ENF_DNS_NOTICE] = "dns_notice",
	[ENF_DNS_NXDOMAIN] = "dns_nxdomain",
	[ENF_DNS_NODATA] = "dns_nodata",
};

/* Starts an event line: event name, time, sensor (host name). */
static void begin(struct ej_writer *w, const char *event, uint64_t ts)
{
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	ej_init(w, NULL);
	ej_begin(w);
	ej_str(w, "event", event);
	ej_time(w, "ts", ts);
	ej_str(w, "sensor", host);
}

/* Finishes the line and queues it. */
static int post(struct engine *e, struct ej_writer *w)
{
	int err = ej_finish(w);

	if (!err)
		err = engine_post_line(e, w->buf, w->len);
	ej_free(w);
	return err;
}

int agent_event_start(struct engine *e, const struct runconf *c, const char *config_path)
{
	struct ej_writer w;

	begin(&w, "agent", wall_ns());
	ej_str(&w, "action", "start");
	ej_i64(&w, "pid", getpid());
	ej_str(&w, "config", config_path);
	ej_str(&w, "mode", c->mode == RUN_TAP ? "tap" : "inline");
	ej_arr(&w, "interfaces");
	for (int i = 0; i < c->n_if; i++)
		ej_str(&w, NULL, c->ifaces[i]);
	ej_arr_end(&w);
	return post(e, &w);
}

int agent_event_stop(struct engine *e, const char *why, const struct engine_stats *st)
{
	struct ej_writer w;

	begin(&w, "agent", wall_ns());
	ej_str(&w, "action", "stop");
	ej_str(&w, "reason", why);
	ej_u64(&w, "objects", st->obj.objects);
	ej_u64(&w, "matches", st->obj.matches);
	ej_u64(&w, "frames", st->cap.frames);
	ej_u64(&w, "dispatch_drops", st->dispatch_drops);
	return post(e, &w);
}

int agent_event_lists(struct engine *e, const char *action, const struct listset *ls,
		      const char *error)
{
	struct ej_writer w;

	begin(&w, "lists", wall_ns());
	ej_str(&w, "action", action);
	ej_bool(&w, "ok", !error);
	ej_str(&w, "error", error);
	ej_arr(&w, "lists");
	listset_put(&w, ls);
	ej_arr_end(&w);
	return post(e, &w);
}

/* The agent's interfaces by index, for "interface": filled once before
 * any source starts, then only read (the workers' seccomp allows no
 * ioctl to ask the kernel for a name). */
static struct {
	unsigned index;
	char name[IF_NAMESIZE];
} ifaces[RUNCONF_IFACE_MAX];

void agent_event_ifaces(const struct runconf *c)
{
	for (int i = 0; i < c->n_if && i < RUNCONF_IFACE_MAX; i++) {
		ifaces[i].index = if_nametoindex(c->ifaces[i]);
		snprintf(ifaces[i].name, sizeof(ifaces[i].name), "%s", c->ifaces[i]);
	}
}

static struct {
	void (*fn)(void *ctx, const uint8_t *client, char *out);
	void *ctx;
} groups;

void agent_event_groups(void (*fn)(void *ctx, const uint8_t *client, char *out), void *ctx)
{
	groups.fn = fn;
	groups.ctx = ctx;
}

/* "group": the client's subscriber group in the policy in force, null
 * without one (the privacy filter then writes "no_history" for clients
 * of the config's no-history prefixes). */
static void put_group(struct ej_writer *w, const uint8_t *client)
{
	char name[OBJSINK_NAME_MAX] = "";

	if (groups.fn)
		groups.fn(groups.ctx, client, name);
	if (name[0])
		ej_str(w, "group", name);
	else
		ej_null(w, "group");
}

/* "interface": the interface the flow's first packet came in on (tap
 * mode: the mirror says), else null (the inline proxy's sockets don't
 * say, nor do names outside the agent's interfaces). */
static void put_interface(struct ej_writer *w, const struct flow_info *fi)
{
	for (int i = 0; fi && fi->ifindex && i < RUNCONF_IFACE_MAX && ifaces[i].index; i++)
		if (ifaces[i].index == fi->ifindex) {
			ej_str(w, "interface", ifaces[i].name);
			return;
		}
	ej_null(w, "interface");
}

/* The flow and subscriber members of a block event (id 0: null). */
static void put_flow_of(struct ej_writer *w, uint64_t id, const uint8_t *client, uint16_t cport,
			const uint8_t *server, uint16_t sport, const char *proto, const char *dir)
{
	ej_obj(w, "flow");
	if (id)
		ej_u64(w, "id", id);
	else
		ej_null(w, "id");
	ej_addr(w, "client", client);
	ej_u64(w, "client_port", cport);
	ej_addr(w, "server", server);
	ej_u64(w, "server_port", sport);
	ej_str(w, "proto", proto);
	ej_str(w, "direction", dir);
	ej_obj_end(w);
	/* the privacy filter pseudonymises "client" */
	ej_obj(w, "subscriber");
	ej_addr(w, "client", client);
	put_group(w, client);
	ej_obj_end(w);
}

static void put_flow(struct ej_writer *w, const struct agent_block *b)
{
	bool up = b->v->kind == OBJ_REQUEST_BODY || b->v->kind == OBJ_FORM_PART;

	/* the direction is the object's */
	put_flow_of(w, b->flow_id, b->client, b->client_port, b->server, b->server_port,
		    b->udp ? "udp" : "tcp", up ? "to_server" : "to_client");
}

/* 128 random bits as hex: unique across sensors and restarts. */
static void put_event_id(struct ej_writer *w)
{
	uint8_t id[16] = {0};

	if (getrandom(id, sizeof(id), GRND_NONBLOCK) != sizeof(id)) {
		uint64_t t = wall_ns(); /* no entropy yet: time and address */

		memcpy(id, &t, sizeof(t));
		memcpy(id + 8, &w, sizeof(w) < 8 ? sizeof(w) : 8);
	}
	ej_hex(w, "event_id", id, sizeof(id));
}

static const char *reason(const struct obj_verdict *v)
{
	if (!v->hits)
		return "policy"; /* decided by a rule on what else was seen */
	return v->hash_type && !strcmp(v->hash_type, "pdq") ? "pdq_list_match" : "hash_list_match";
}

static void put_match(struct ej_writer *w, const struct agent_block *b)
{
	const struct obj_verdict *v = b->v;

	ej_str(w, "rule", b->rule);
	ej_str(w, "action", b->action ? b->action : "block");
	ej_str(w, "reason", reason(v));
	ej_str(w, "list", v->hits ? v->list : NULL);
	ej_str(w, "category", v->hits || !b->category ? v->category : b->category);
	ej_str(w, "hash_type", v->hits ? v->hash_type : NULL);
	if (v->hash_len)
		ej_hex(w, "hash", v->hash, v->hash_len);
	else
		ej_null(w, "hash");
	if (v->distance >= 0)
		ej_i64(w, "distance", v->distance);
	else
		ej_null(w, "distance");
	if (v->quality >= 0)
		ej_i64(w, "quality", v->quality);
	else
		ej_null(w, "quality");
	ej_u64(w, "size", v->size);
	ej_str(w, "sniffed", v->sniffed ? v->sniffed : "");
	ej_str(w, "content_type", v->content_type ? v->content_type : "");
}

int agent_event_block(struct engine *e, const struct agent_block *b)
{
	const struct obj_verdict *v = b->v;
	struct ej_writer w;

	begin(&w, b->action && strcmp(b->action, "block") ? b->action : "block",
	      b->ts_ns ? b->ts_ns : wall_ns());
	put_event_id(&w);
	put_interface(&w, v->live);
	put_flow(&w, b);
	ej_u64(&w, "seq", v->seq);
	ej_str(&w, "host", v->host);
	ej_str(&w, "uri", v->uri);
	ej_str(&w, "app", b->app); /* nDPI's name, for flows it classified */
	put_match(&w, b);
	ej_str(&w, "policy_version", b->version && b->version[0] ? b->version : NULL);
	ej_str(&w, "evidence", v->evidence[0] ? v->evidence : NULL); /* the sealed copy */
	ej_str(&w, "enforced", enforced_names[b->how]);
	ej_bool(&w, "delivered_before_verdict", b->how == ENF_TAP_RESET ||
							 b->how == ENF_RESET_LATE);
	ej_bool(&w, "server_blocked", b->server_blocked);
	return post(e, &w);
}

int agent_event_policy(struct engine *e, const char *action, const char *path,
		       const char *version, unsigned rules, const char *error)
{
	struct ej_writer w;

	begin(&w, "policy", wall_ns());
	ej_str(&w, "action", action);
	ej_bool(&w, "ok", !error);
	ej_str(&w, "error", error);
	ej_str(&w, "policy", path);
	ej_str(&w, "policy_version", version && version[0] ? version : NULL);
	ej_u64(&w, "rules", rules);
	return post(e, &w);
}

/* "dns_type": the query's type by name ("AAAA"), or its number. */
static void put_dns_type(struct ej_writer *w, uint16_t type)
{
	const char *name = dnsmsg_type_name(type);

	if (name)
		ej_str(w, "dns_type", name);
	else
		ej_u64(w, "dns_type", type);
}

/* The block event's members for a block by name; those of objects
 * (hashes, sizes, types) are not there. */
int agent_event_name_block(struct engine *e, const struct agent_name_block *b)
{
	const char *action = b->action ? b->action : "block";
	struct ej_writer w;


	begin(&w, action, b->ts_ns ? b->ts_ns : wall_ns());
	put_event_id(&w);
	put_interface(&w, b->fi);
	put_flow_of(&w, b->fi->id, b->fi->client_addr, b->fi->client_port, b->fi->server_addr,
		    b->fi->server_port, b->fi->proto == IPPROTO_TCP ? "tcp" : "udp", "to_server");
	ej_str(&w, "host", b->name);
	ej_null(&w, "uri");
	ej_null(&w, "app");
	if (b->rule)
		ej_str(&w, "rule", b->rule);
	else
		ej_u64(&w, "rule", b->rule_id);
	if (b->category)
		ej_str(&w, "category", b->category);
	ej_str(&w, "action", action);
	ej_str(&w, "reason", b->via);
	/* policy_version: the version in force, added last (stamp.h) */
	ej_str(&w, "enforced", enforced_names[b->how]);
	ej_bool(&w, "delivered_before_verdict", false);
	ej_bool(&w, "server_blocked", false);
	if (b->dns_type)
		put_dns_type(&w, b->dns_type);
	if (b->answered_by)
		ej_str(&w, "answered_by", b->answered_by);
	return post(e, &w);
}

int agent_event_health(struct engine *e, const char *problem, uint64_t count,
		       const char *detail)
{
	struct ej_writer w;

	begin(&w, "health", wall_ns());
	ej_str(&w, "problem", problem);
	ej_u64(&w, "count", count);
	ej_str(&w, "detail", detail);
	return post(e, &w);
}
