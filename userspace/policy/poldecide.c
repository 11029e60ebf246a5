// SPDX-License-Identifier: GPL-2.0
/* poldecide: the decision. What the input says is looked up once (the
 * client's group, the lists its name, URL, destination and object hits
 * are in, the local time per zone); then the rules are tried in order,
 * each condition a bitmap test, until one matches. No allocation, no lock:
 * the compiled policy is only read. */
#include <string.h>

#include "object/objsink.h"
#include "object/sniff.h"
#include "policy_int.h"

/* What the input amounts to, worked out once per decision. */
struct facts {
	unsigned group;
	struct polbits lists; /* domain, URL and IP lists that hold the input */
	struct polbits exact, pdq; /* lists with an object hit */
	int type;	      /* index in sniff_type_names(), -1 */
	bool have_zone[POLICY_ZONES_MAX];
	int wday[POLICY_ZONES_MAX], minute[POLICY_ZONES_MAX];
};

static const char *const action_names[] = {"allow", "monitor", "block", "notice", "warn"};
static const char *const point_names[] = {"flow", "dns", "tls", "quic", "http", "object"};
static const char *const inspect_names[] = {"dns", "tls", "quic", "http", "body", "app"};

const char *policy_action_name(enum policy_action a)
{
	return (unsigned)a < 5 ? action_names[a] : "?";
}

const char *policy_point_name(enum policy_point at)
{
	return (unsigned)at < POLICY_AT_MAX ? point_names[at] : "?";
}

const char *policy_inspect_name(enum policy_inspect i)
{
	return (unsigned)i <= POLICY_INSPECT_APP ? inspect_names[i] : "?";
}

static int type_index(const char *t)
{
	const char *const *names = sniff_type_names();

	for (int i = 0; t && names[i] && i < 64; i++)
		if (!strcmp(names[i], t))
			return i;
	return -1;
}

static void gather(const struct policy *p, const struct policy_input *in, struct facts *f)
{
	char key[DOMAIN_MAX + 1];
	size_t klen = 0;
	uint32_t v;

	memset(f, 0, sizeof(*f));
	f->group = in->client ? policy_group_of(p, in->client) : p->dflt;
	if (in->name && in->name_len) {
		klen = domain_key(in->name, in->name_len, in->at == POLICY_AT_HTTP ||
							  in->at == POLICY_AT_OBJECT, key);
		domset_lookup(&p->dom, &p->bits, key, klen, &f->lists);
	}
	if (klen && in->url && p->url.entries)
		urlset_lookup(&p->url, &p->bits, key, klen, in->url, in->url_len, &f->lists);
	if (in->server && cidrset_lookup(&p->ip, in->server, &v))
		polbits_or(&f->lists, bitpool_get(&p->bits, v));
	for (size_t i = 0; i < in->nhits; i++) {
		int l = in->hits[i].list ? policy_list_find(p, in->hits[i].list) : -1;

		if (l >= 0)
			polbits_set(in->hits[i].pdq ? &f->pdq : &f->exact, (unsigned)l);
	}
	f->type = type_index(in->content_type);
}

static bool window_match(const struct pwindow *w, int wday, int minute)
{
	int prev = (wday + 6) % 7;

	if (w->from < w->to)
		return w->days >> wday & 1 && minute >= w->from && minute < w->to;
	/* past midnight: the evening of a listed day, or the morning after one */
	return (w->days >> wday & 1 && minute >= w->from) || (w->days >> prev & 1 && minute < w->to);
}

static bool time_match(const struct policy *p, const struct prule *r, int64_t t,
		       struct facts *f)
{
	for (size_t i = 0; i < r->nwin; i++) {
		unsigned z = r->win[i].zone;

		if (!f->have_zone[z]) {
			tzone_local(&p->zone[z], t, &f->wday[z], &f->minute[z]);
			f->have_zone[z] = true;
		}
		if (window_match(&r->win[i], f->wday[z], f->minute[z]))
			return true;
	}
	return false;
}

bool policy_time_match(const struct policy *p, const struct prule *r, int64_t t)
{
	struct facts f;

	memset(f.have_zone, 0, sizeof(f.have_zone));
	return time_match(p, r, t, &f);
}

static bool app_match(const struct prule *r, const struct policy_input *in)
{
	if (!in->app_known)
		return false;
	for (size_t i = 0; i < r->napps; i++) {
		const struct papp *a = &r->apps[i];

		if (a->exact ? in->app_master == a->master && in->app == a->app
			     : in->app_master == a->app || in->app == a->app)
			return true;
	}
	return false;
}

static bool cond_match(const struct policy *p, const struct prule *r, enum pcond c,
		       const struct policy_input *in, struct facts *f)
{
	switch (c) {
	case C_GROUP:
		return r->groups >> f->group & 1;
	case C_HASH:
		return polbits_meet(&r->lists[c], &f->exact);
	case C_PDQ:
		return polbits_meet(&r->lists[c], &f->pdq);
	case C_APP:
		return app_match(r, in);
	case C_CATEGORY:
		return in->app_known && in->app_category < POLBITS_MAX &&
		       polbits_test(&r->cats, in->app_category);
	case C_TYPE:
		return f->type >= 0 && r->types >> f->type & 1;
	case C_TIME:
		return time_match(p, r, in->now, f);
	case C_AT:
		return true; /* in prule.at */
	default:
		return polbits_meet(&r->lists[c], &f->lists);
	}
}

static bool rule_match(const struct policy *p, const struct prule *r,
		       const struct policy_input *in, struct facts *f)
{
	if (!(r->at & 1u << in->at))
		return false;
	for (enum pcond c = C_GROUP; c < C_MAX; c++)
		if (r->conds & 1u << c && !cond_match(p, r, c, in, f))
			return false;
	return true;
}

void policy_input_object(struct policy_input *in, const struct obj_verdict *v,
			 struct policy_hit *hit)
{
	memset(in, 0, sizeof(*in));
	in->at = POLICY_AT_OBJECT;
	if (v->flow) {
		in->client = v->flow->client;
		in->server = v->flow->server;
	}
	in->name = v->host, in->name_len = v->host ? strlen(v->host) : 0;
	in->url = v->uri, in->url_len = v->uri ? strlen(v->uri) : 0;
	if (v->hits) {
		hit->list = v->list;
		hit->pdq = v->hash_type && !strcmp(v->hash_type, "pdq");
		in->hits = hit, in->nhits = 1;
	}
}

void policy_decide(const struct policy *p, const struct policy_input *in,
		   struct policy_decision *out)
{
	struct facts f;

	gather(p, in, &f);
	memset(out, 0, sizeof(*out));
	out->group = (int)f.group;
	out->action = POLICY_ALLOW;
	for (unsigned i = 0; i < p->nrules; i++) {
		const struct prule *r = &p->rule[i];

		if (!rule_match(p, r, in, &f))
			continue;
		out->rule = &r->pub;
		out->action = r->pub.action;
		if (r->pub.action == POLICY_WARN && in->acked && in->client &&
		    in->acked(in->acked_ctx, in->client, r->pub.category, r->pub.ack_ns)) {
			out->action = POLICY_ALLOW;
			out->acknowledged = true;
		}
		return;
	}
}

/* ---- what the policy holds ------------------------------------------------------------- */

const struct policy_rule *policy_rule(const struct policy *p, unsigned i)
{
	return i < p->nrules ? &p->rule[i].pub : NULL;
}

unsigned policy_rules(const struct policy *p)
{
	return p->nrules;
}

unsigned policy_groups(const struct policy *p)
{
	return p->ngroups;
}

const char *policy_group_name(const struct policy *p, unsigned g)
{
	return g < p->ngroups ? p->group[g].name : NULL;
}

unsigned policy_default_group(const struct policy *p)
{
	return p->dflt;
}

unsigned policy_group_of(const struct policy *p, const uint8_t *client)
{
	uint32_t v;

	return cidrset_lookup(&p->clients, client, &v) ? v : p->dflt;
}

bool policy_group_no_history(const struct policy *p, unsigned g)
{
	return g < p->ngroups && p->group[g].no_history;
}

struct hashdb *policy_hashdb(const struct policy *p)
{
	return p->db;
}

struct pdqdb *policy_pdqdb(const struct policy *p)
{
	return p->pdb;
}

const char *policy_version(const struct policy *p)
{
	return p->version;
}

bool policy_notice_server(const struct policy *p, bool v6, uint8_t *addr)
{
	if (v6 ? !p->has_notice6 : !p->has_notice4)
		return false;
	memcpy(addr, v6 ? p->notice6 : p->notice4, 16);
	return true;
}
