// SPDX-License-Identifier: GPL-2.0
/* poldns: the policy as the kernel's domain tables answer it (policy.h,
 * "DNS"). The tables pick the longest entry that holds a name; the
 * policy, the first rule. Walking the rules in order and leaving out
 * every entry an earlier entry of its group already covers makes the two
 * agree: whatever the longest entry holding a name is, no earlier rule's
 * entry covers it, so it is the first rule's. */
#include <errno.h>
#include <string.h>

#include "policy_int.h"

#define AT_DNS	 (1u << POLICY_AT_DNS)
#define UNKNOWN	 (1u << C_IP | 1u << C_APP | 1u << C_CATEGORY) /* not in the tables */
#define NEXT_MAX (8 * 24 * 60)				       /* minutes looked ahead */

static const char *const unknown_names[C_MAX] = {
	[C_IP] = "ip_list", [C_APP] = "app", [C_CATEGORY] = "app_category"};

/* The rules the tables depend on: at DNS, nothing the tables cannot know. */
static bool compiled(const struct prule *r)
{
	return r->at & AT_DNS && !(r->conds & UNKNOWN);
}

struct walk {
	const struct policy *p;
	const struct policy_dns_ops *ops;
	struct strmap seen; /* group, '=' or '*', name: the entries given */
	char key[DOMAIN_MAX + 3];
};

/* The key of an entry in w->key; its length. */
static size_t key(struct walk *w, unsigned g, char kind, const char *name, size_t len)
{
	w->key[0] = (char)g;
	w->key[1] = kind;
	memcpy(w->key + 2, name, len);
	return len + 2;
}

static bool seen(struct walk *w, unsigned g, char kind, const char *name, size_t len)
{
	uint32_t v;

	return strmap_get(&w->seen, w->key, key(w, g, kind, name, len), &v);
}

/* An earlier entry of group g holds every name entry (name, wild) holds. */
static bool covered(struct walk *w, unsigned g, const char *name, size_t len, bool wild)
{
	if (seen(w, g, wild ? '*' : '=', name, len))
		return true;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '.' && seen(w, g, '*', name + i + 1, len - i - 1))
			return true;
	return false;
}

static int give(struct walk *w, unsigned g, const char *name, size_t len, bool wild,
		const struct prule *r)
{
	char text[DOMAIN_MAX + 3];
	int err;

	if (covered(w, g, name, len, wild))
		return 0;
	err = strmap_put(&w->seen, w->key, key(w, g, wild ? '*' : '=', name, len), 0, NULL);
	if (err < 0)
		return err;
	memcpy(text, "*.", 2);
	memcpy(text + 2, name, len);
	text[len + 2] = '\0';
	return w->ops->name(w->ops->ctx, g, wild ? text : text + 2, &r->pub);
}

/* The entries of r's domain lists in map m, for the groups in gs. */
static int entries(struct walk *w, const struct strmap *m, bool wild, const struct prule *r,
		   uint64_t gs)
{
	const struct policy *p = w->p;

	for (size_t i = 0; i < m->cap; i++) {
		const struct strmap_slot *s = &m->slots[i];

		if (!s->hash || !polbits_meet(bitpool_get(&p->bits, s->val), &r->lists[C_DOMAIN]))
			continue;
		for (unsigned g = 0; g < p->ngroups; g++) {
			int err = gs >> g & 1 ? give(w, g, m->pool + s->off, s->len, wild, r) : 0;

			if (err)
				return err;
		}
	}
	return 0;
}

static int group_cb(void *ctx, const struct cidr *c, uint32_t g)
{
	const struct policy_dns_ops *ops = ctx;
	struct policy_prefix pfx = {.len = c->len};

	memcpy(pfx.addr, c->a, 16);
	return ops->group(ops->ctx, &pfx, g);
}

static int rules(struct walk *w, int64_t now)
{
	const struct policy *p = w->p;
	uint64_t live = p->ngroups == 64 ? ~0ull : (1ull << p->ngroups) - 1;
	int err = 0;

	for (unsigned i = 0; i < p->nrules && live && !err; i++) {
		const struct prule *r = &p->rule[i];
		uint64_t gs = r->conds & 1u << C_GROUP ? r->groups & live : live;

		if (!gs || !compiled(r) || (r->conds & 1u << C_TIME && !policy_time_match(p, r, now)))
			continue;
		if (!(r->conds & 1u << C_DOMAIN)) {
			live &= ~gs; /* every name of these groups stops here */
			continue;
		}
		/* wildcards first: the rule's own names below them are left out */
		err = entries(w, &p->dom.wild, true, r, gs);
		if (!err)
			err = entries(w, &p->dom.exact, false, r, gs);
	}
	return err;
}

int policy_dns(const struct policy *p, int64_t now, const struct policy_dns_ops *ops)
{
	struct walk w = {.p = p, .ops = ops};
	int err = cidrset_each(&p->clients, group_cb, (void *)ops);

	if (!err)
		err = rules(&w, now);
	strmap_free(&w.seen);
	return err;
}

/* ---- when the tables change ------------------------------------------------------ */

static bool timed(const struct prule *r)
{
	return compiled(r) && r->conds & 1u << C_TIME;
}

int64_t policy_dns_next(const struct policy *p, int64_t now)
{
	int64_t t = now - (now % 60 + 60) % 60;
	bool any = false;

	for (unsigned i = 0; i < p->nrules && !any; i++)
		any = timed(&p->rule[i]);
	if (!any)
		return 0;
	for (int m = 1; m <= NEXT_MAX; m++)
		for (unsigned i = 0; i < p->nrules; i++) {
			const struct prule *r = &p->rule[i];

			if (timed(r) && policy_time_match(p, r, t + 60 * m) !=
						policy_time_match(p, r, now))
				return t + 60 * m;
		}
	return t + 60 * NEXT_MAX; /* no change this week: look again then */
}

/* ---- what `policy check` says about DNS -------------------------------------------- */

/* A name rule at DNS with a condition the tables cannot know. */
static void warn_unknown(struct policy *p, const struct prule *r)
{
	for (enum pcond c = C_GROUP; c < C_MAX; c++)
		if (r->conds & UNKNOWN & 1u << c) {
			ydoc_warn(&p->doc, r->cnode[c], p->d,
				  "rule '%s' is not enforced at dns: the DNS tables cannot know its "
				  "%s condition, so its names are answered by the rules after it "
				  "(give it 'at' without dns to say so)", r->pub.name,
				  unknown_names[c]);
			return;
		}
}

static void warn_rule(struct policy *p, const struct prule *r)
{
	if (r->at & AT_DNS && r->conds & 1u << C_DOMAIN && r->conds & UNKNOWN)
		warn_unknown(p, r);
}

void policy_check_dns(struct policy *p)
{
	for (unsigned i = 0; i < p->nrules; i++)
		warn_rule(p, &p->rule[i]);
}
