// SPDX-License-Identifier: GPL-2.0
/* apolicy: a generation of the agent's policy (apolicy.h) and the
 * decisions of the object and HTTP request points. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apolicy.h"

static void floor_add(struct apolicy *g, const char *name)
{
	if (name && g->nfloor < APOLICY_FLOOR_MAX)
		objsink_copy_name(g->floor[g->nfloor++], name);
}

/* The policy's registries join the config's: one registry for the
 * engine, in force with one engine_swap_lists. */
static int join_lists(struct apolicy *g, struct listset *ls, const char *path, struct diag *d)
{
	char dup[HASHSET_NAME_MAX] = "";
	int err = 0;

	if (policy_hashdb(g->p) && ls->db)
		err = hashdb_absorb(ls->db, policy_hashdb(g->p), dup, sizeof(dup));
	if (!err && policy_pdqdb(g->p) && ls->pdb)
		err = pdqdb_absorb(ls->pdb, policy_pdqdb(g->p), dup, sizeof(dup));
	if (err == -EEXIST)
		diag_add(d, path, 0, 0, "list '%s' is named both in the policy and in the "
			 "agent's config (give one of them another name)", dup);
	return err;
}

struct apolicy *apolicy_new(const char *path, struct listset *ls,
			    const struct policy_names *names, struct diag *d)
{
	struct policy_opts o = {.names = names, .lists = true};
	struct apolicy *g = calloc(1, sizeof(*g));
	int err = 0;

	if (!g)
		return NULL;
	for (int i = 0; i < ls->nhash; i++)
		floor_add(g, ls->hash[i].name);
	for (int i = 0; i < ls->npdq; i++)
		floor_add(g, ls->pdq[i].name);
	if (ls->nxml)
		floor_add(g, LISTSET_XML_GROUP);
	if (!path)
		return g;
	g->p = policy_load(path, &o, d);
	if (!g->p)
		err = errno ? -errno : -EINVAL;
	if (!err)
		err = join_lists(g, ls, path, d);
	if (err) {
		apolicy_free(g);
		errno = -err;
		return NULL;
	}
	snprintf(g->version, sizeof(g->version), "%s", policy_version(g->p));
	return g;
}

void apolicy_free(struct apolicy *g)
{
	if (!g)
		return;
	policy_free(g->p);
	free(g);
}

/* ---- decisions ------------------------------------------------------------------- */

static bool in_floor(const struct apolicy *g, const char *list)
{
	for (unsigned i = 0; i < g->nfloor; i++)
		if (!strcmp(g->floor[i], list))
			return true;
	return false;
}

/* The first rule that matches in (completed with the hooks and the
 * time) into o; ALLOW without a policy. */
static void decide(const struct apolicy *g, struct policy_input *in,
		   const struct apolicy_hooks *h, int64_t now, struct apolicy_out *o)
{
	struct policy_decision d;

	memset(o, 0, sizeof(*o));
	o->action = POLICY_ALLOW;
	if (!g->p)
		return;
	in->now = now;
	if (h) {
		in->acked = h->acked;
		in->acked_ctx = h->ctx;
	}
	policy_decide(g->p, in, &d);
	o->action = d.action;
	o->rule = d.rule;
}

void apolicy_object(const struct apolicy *g, const struct obj_verdict *v,
		    const struct apolicy_hooks *h, int64_t now, struct apolicy_out *o)
{
	struct policy_hit hits[OBJSINK_VERDICT_LISTS], first;
	struct policy_input in;

	memset(o, 0, sizeof(*o));
	o->action = v->hits ? POLICY_BLOCK : POLICY_ALLOW;
	o->floor = v->hits > 0;
	if (!g->p)
		return;
	for (unsigned i = 0; i < v->nlists; i++)
		if (in_floor(g, v->lists[i]))
			return;
	o->floor = false;
	policy_input_object(&in, v, &first);
	for (unsigned i = 0; i < v->nlists; i++)
		hits[i] = (struct policy_hit){.list = v->lists[i], .pdq = v->list_pdq[i]};
	if (v->nlists) {
		in.hits = hits;
		in.nhits = v->nlists;
	}
	if (v->sniffed && v->sniffed[0])
		in.content_type = v->sniffed;
	decide(g, &in, h, now, o);
}

void apolicy_request(const struct apolicy *g, const struct apolicy_request *r,
		     const struct apolicy_hooks *h, int64_t now, struct apolicy_out *o)
{
	struct policy_input in = {
		.at = POLICY_AT_HTTP,
		.client = r->client,
		.server = r->server,
		.name = r->host,
		.name_len = r->host ? strlen(r->host) : 0,
		.url = r->uri,
		.url_len = r->uri ? strlen(r->uri) : 0,
	};

	decide(g, &in, h, now, o);
}

void apolicy_name(const struct apolicy *g, enum policy_point at, const uint8_t *client,
		  const uint8_t *server, const char *name, const struct dpi_result *r,
		  const struct apolicy_hooks *h, int64_t now, struct apolicy_out *o)
{
	struct policy_input in = {
		.at = at,
		.client = client,
		.server = server,
		.name = name,
		.name_len = name ? strlen(name) : 0,
		.app_known = r != NULL,
		.app_master = r ? r->master : 0,
		.app = r ? r->app : 0,
		.app_category = r ? r->category : 0,
	};

	decide(g, &in, h, now, o);
}

void apolicy_flow(const struct apolicy *g, const uint8_t *client, const uint8_t *server,
		  const struct dpi_result *r, const struct apolicy_hooks *h, int64_t now,
		  struct apolicy_out *o)
{
	apolicy_name(g, POLICY_AT_FLOW, client, server, NULL, r, h, now, o);
}

const char *apolicy_group(const struct apolicy *g, const uint8_t *client, bool *no_history)
{
	unsigned grp;

	*no_history = false;
	if (!g->p)
		return NULL;
	grp = policy_group_of(g->p, client);
	*no_history = policy_group_no_history(g->p, grp);
	return policy_group_name(g->p, grp);
}

const char *apolicy_event_action(enum policy_action a)
{
	return a == POLICY_NOTICE ? "block" : policy_action_name(a);
}
