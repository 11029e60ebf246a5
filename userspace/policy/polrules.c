// SPDX-License-Identifier: GPL-2.0
/* polrules: the rules section of a policy file. Each rule is a name, the
 * conditions under `match` (all must hold; within one condition any of its
 * values), an action and the action's settings; compiled into struct prule
 * with the names resolved to list, group, application and category ids. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "object/sniff.h"
#include "policy_int.h"

#define SEC 1000000000ull

static const char *const rule_keys[] = {"name",	   "match",   "action",	     "category",
					"notice",  "contact", "ede",	     "http_status",
					"dns",	   "acknowledge_for", NULL};
/* in enum pcond order */
static const char *const match_keys[] = {"group",   "hash_list",    "pdq_list",	    "ip_list",
					 "domain_list", "url_list", "app", "app_category",
					 "content_type", "time", "at", NULL};
static const char *const actions[] = {"allow", "monitor", "block", "notice", "warn", NULL};
static const char *const points[] = {"flow", "dns", "tls", "quic", "http", "object", NULL};
static const char *const families[] = {"image",	     "video",  "audio", "archive",
				       "document", "executable", "markup", NULL};

/* ---- names of groups and lists ------------------------------------------------------- */

static int group_name(struct policy *p, const struct ynode *v, void *ctx)
{
	struct prule *r = ctx;
	int g = policy_group_find(p, v->str);

	if (g < 0) {
		ydoc_error(&p->doc, v, p->d, "unknown group '%s' (no such name in groups)", v->str);
		return -EINVAL;
	}
	r->groups |= 1ull << g;
	return 0;
}

struct list_ctx {
	struct prule *r;
	enum pcond c;
};

/* The list types condition c takes (1 << enum plist_kind). */
static unsigned takes(enum pcond c)
{
	switch (c) {
	case C_HASH:
		return 1u << PL_MD5 | 1u << PL_SHA1 | 1u << PL_SHA256 | 1u << PL_HASHXML;
	case C_PDQ:
		return 1u << PL_PDQ | 1u << PL_HASHXML;
	case C_IP:
		return 1u << PL_IP;
	case C_DOMAIN:
		return 1u << PL_DOMAIN;
	default:
		return 1u << PL_URL;
	}
}

static int list_name(struct policy *p, const struct ynode *v, void *ctx)
{
	struct list_ctx *lc = ctx;
	int i = policy_list_find(p, v->str);
	static const char *const takes_text[] = {
		[C_HASH] = "md5, sha1, sha256 or hashxml", [C_PDQ] = "pdq or hashxml",
		[C_IP] = "ip", [C_DOMAIN] = "domain", [C_URL] = "url"};

	if (i < 0) {
		ydoc_error(&p->doc, v, p->d, "unknown list '%s' (no such name in lists)", v->str);
		return -EINVAL;
	}
	if (!(takes(lc->c) & 1u << p->list[i].kind)) {
		ydoc_error(&p->doc, v, p->d, "list '%s' is %s %s list; %s takes %s lists", v->str,
			   p->list[i].kind == PL_IP ? "an" : "a",
			   policy_list_kind_name(p->list[i].kind), match_keys[lc->c],
			   takes_text[lc->c]);
		return -EINVAL;
	}
	polbits_set(&lc->r->lists[lc->c], (unsigned)i);
	return 0;
}

/* ---- applications, categories, content types, points ------------------------------------ */

/* An nDPI name: the whole name, else "Master.App". */
static int app_name(struct policy *p, const struct ynode *v, void *ctx)
{
	const struct policy_names *nm = p->opts.names;
	struct prule *r = ctx;
	struct papp a = {0};
	const char *dot = strchr(v->str, '.');
	int id = nm ? nm->app(nm->ctx, v->str) : -1, m = -1;
	struct papp *apps;

	if (id < 0 && nm && dot && dot != v->str && dot[1]) {
		char master[POLICY_NAME_MAX];

		snprintf(master, sizeof(master), "%.*s", (int)(dot - v->str), v->str);
		m = nm->app(nm->ctx, master);
		id = m < 0 ? -1 : nm->app(nm->ctx, dot + 1);
	}
	if (id < 0) {
		ydoc_error(&p->doc, v, p->d, "unknown application '%s' (expected an nDPI name such "
					     "as YouTube or TLS.YouTube: 'edgeward policy apps' lists "
					     "them)", v->str);
		return -EINVAL;
	}
	a = m >= 0 ? (struct papp){(uint16_t)m, (uint16_t)id, true}
		   : (struct papp){(uint16_t)id, (uint16_t)id, false};
	apps = realloc(r->apps, (r->napps + 1) * sizeof(*apps));
	if (!apps)
		return -ENOMEM;
	r->apps = apps;
	r->apps[r->napps++] = a;
	return 0;
}

static int category_name(struct policy *p, const struct ynode *v, void *ctx)
{
	const struct policy_names *nm = p->opts.names;
	struct prule *r = ctx;
	int id = nm ? nm->category(nm->ctx, v->str) : -1;

	if (id < 0 || id >= POLBITS_MAX) {
		ydoc_error(&p->doc, v, p->d, "unknown application category '%s' (expected an nDPI "
					     "category such as Media or SocialNetwork: 'edgeward "
					     "policy apps' lists them)", v->str);
		return -EINVAL;
	}
	polbits_set(&r->cats, (unsigned)id);
	return 0;
}

static int type_name(struct policy *p, const struct ynode *v, void *ctx)
{
	const char *const *names = sniff_type_names();
	struct prule *r = ctx;
	bool family = false;
	uint64_t m = 0;

	for (unsigned f = 0; families[f]; f++)
		family |= !strcmp(v->str, families[f]);
	for (unsigned i = 0; names[i] && i < 64; i++)
		if (!strcmp(names[i], v->str) ||
		    (family && !strcmp(sniff_type_family(names[i]), v->str)))
			m |= 1ull << i;
	r->types |= m;
	if (!m) {
		ydoc_error(&p->doc, v, p->d, "unknown content type '%s' (expected a sniffed type "
					     "such as jpeg, mp4 or zip, or a family: image, video, "
					     "audio, archive, document, executable or markup)",
			   v->str);
		return -EINVAL;
	}
	return 0;
}

static int point_name(struct policy *p, const struct ynode *v, void *ctx)
{
	struct prule *r = ctx;
	int i;

	if (yget_enum(&p->doc, v, points, p->d, &i))
		return -EINVAL;
	r->at |= 1u << i;
	return 0;
}

/* ---- time windows --------------------------------------------------------------------- */

static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static int day_of(const char *s, size_t n)
{
	for (int d = 0; day_names[d]; d++)
		if (n == 3 && !strncmp(s, day_names[d], 3))
			return d;
	return -1;
}

/* "mon" or a range "mon-fri" (it may wrap: "fri-mon") */
static int day_spec(struct policy *p, const struct ynode *v, void *ctx)
{
	uint8_t *mask = ctx;
	const char *dash = strchr(v->str, '-');
	int a = day_of(v->str, dash ? (size_t)(dash - v->str) : v->len);
	int b = dash ? day_of(dash + 1, strlen(dash + 1)) : a;

	if (a < 0 || b < 0) {
		ydoc_error(&p->doc, v, p->d, "expected a day (sun, mon, tue, wed, thu, fri, sat) or "
					     "a range such as mon-fri, found '%s'", v->str);
		return -EINVAL;
	}
	for (int d = a;; d = (d + 1) % 7) {
		*mask |= (uint8_t)(1u << d);
		if (d == b)
			break;
	}
	return 0;
}

/* "HH:MM", 00:00..23:59, and 24:00 for an end */
static int hhmm(struct policy *p, const struct ynode *v, bool end, uint16_t *min)
{
	const char *s = v->str;
	unsigned h, m;

	if (v->kind == YN_SCALAR && v->len == 5 && s[2] == ':' && s[0] >= '0' && s[0] <= '2' &&
	    s[1] >= '0' && s[1] <= '9' && s[3] >= '0' && s[3] <= '5' && s[4] >= '0' &&
	    s[4] <= '9') {
		h = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
		m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
		if (h < 24 || (end && h == 24 && !m)) {
			*min = (uint16_t)(h * 60 + m);
			return 0;
		}
	}
	ydoc_error(&p->doc, v, p->d, "expected a time of day HH:MM (00:00 to %s), found '%s'",
		   end ? "24:00" : "23:59", v->kind == YN_SCALAR ? v->str : "a list or mapping");
	return -EINVAL;
}

static int window_zone(struct policy *p, const struct ynode *n, unsigned *zone)
{
	const struct ynode *v = ymap_get(n, "zone");
	const char *name = "UTC";
	int z;

	if (v && yget_str(&p->doc, v, p->d, &name))
		return -EINVAL;
	if (!v && p->def_zone >= 0) {
		*zone = (unsigned)p->def_zone;
		return 0;
	}
	z = policy_zone(p, v ? v : n, name);
	if (z < 0)
		return -EINVAL;
	*zone = (unsigned)z;
	return 0;
}

static int window(struct policy *p, struct prule *r, const struct ynode *n)
{
	static const char *const keys[] = {"days", "from", "to", "zone", NULL};
	struct pwindow w = {.days = 0x7f, .from = 0, .to = 1440}, *ws;
	const struct ynode *v;
	int err = policy_keys(p, n, "a time window", keys);

	if (err < 0)
		return err;
	if ((v = ymap_get(n, "days"))) {
		w.days = 0;
		err |= policy_each_name(p, v, "a day", day_spec, &w.days);
	}
	if ((v = ymap_get(n, "from")))
		err |= hhmm(p, v, false, &w.from);
	if ((v = ymap_get(n, "to")))
		err |= hhmm(p, v, true, &w.to);
	err |= window_zone(p, n, &w.zone);
	if (!err && w.from == w.to) {
		ydoc_error(&p->doc, n, p->d, "empty time window: from equals to (for a whole day "
					     "leave both out)");
		return -EINVAL;
	}
	if (err)
		return -EINVAL;
	ws = realloc(r->win, (r->nwin + 1) * sizeof(*ws));
	if (!ws)
		return -ENOMEM;
	r->win = ws;
	r->win[r->nwin++] = w;
	return 0;
}

static int time_cond(struct policy *p, struct prule *r, const struct ynode *n)
{
	int err = 0;

	if (n->kind == YN_MAP)
		return window(p, r, n);
	if (n->kind != YN_SEQ || !n->n) {
		ydoc_error(&p->doc, n, p->d, "expected a time window (days, from, to, zone) or a "
					     "list of them");
		return -EINVAL;
	}
	for (size_t i = 0; i < n->n; i++)
		err |= window(p, r, n->kids[i]);
	return err ? -EINVAL : 0;
}

/* ---- rules ------------------------------------------------------------------------------ */

static int condition(struct policy *p, struct prule *r, enum pcond c, const struct ynode *v)
{
	struct list_ctx lc = {r, c};

	switch (c) {
	case C_GROUP:
		return policy_each_name(p, v, "a group name", group_name, r);
	case C_APP:
		return policy_each_name(p, v, "an application", app_name, r);
	case C_CATEGORY:
		return policy_each_name(p, v, "an application category", category_name, r);
	case C_TYPE:
		return policy_each_name(p, v, "a content type", type_name, r);
	case C_TIME:
		return time_cond(p, r, v);
	case C_AT:
		return policy_each_name(p, v, "a point (flow, dns, tls, quic, http, object)",
					point_name, r);
	default:
		return policy_each_name(p, v, "a list name", list_name, &lc);
	}
}

static int conditions(struct policy *p, struct prule *r, const struct ynode *m)
{
	int err = policy_keys(p, m, "match", match_keys), rc;

	if (err < 0)
		return err;
	for (enum pcond c = C_GROUP; c < C_MAX; c++) {
		const struct ynode *v = ymap_get(m, match_keys[c]);

		if (!v)
			continue;
		r->conds |= 1u << c;
		r->cnode[c] = v;
		rc = condition(p, r, c, v);
		if (rc == -ENOMEM)
			return rc;
		if (rc)
			err = -EINVAL;
	}
	return err;
}

/* A setting key given to an action it does not apply to. */
static int applies(struct policy *p, const struct ynode *n, const char *key, unsigned ok,
		   enum policy_action a, const char *which)
{
	const struct ynode *v = ymap_get(n, key);

	if (!v || ok & 1u << a)
		return 0;
	ydoc_error(&p->doc, v, p->d, "'%s' does not apply to %s %s rule (only to %s)", key,
		   a == POLICY_ALLOW ? "an" : "a", actions[a], which);
	return -EINVAL;
}

static int settings(struct policy *p, struct prule *r, const struct ynode *n)
{
	static const char *const dns[] = {"nxdomain", "notice", "pass", NULL};
	const unsigned blocking = 1u << POLICY_BLOCK | 1u << POLICY_NOTICE | 1u << POLICY_WARN;
	const struct ynode *v = ymap_get(n, "action");
	int a, err = 0;

	if (!v) {
		ydoc_error(&p->doc, n, p->d, "rule '%s' without an action (allow, monitor, block, "
					     "notice or warn)", r->pub.name);
		return -EINVAL;
	}
	for (a = 0; actions[a] && (v->kind != YN_SCALAR || strcmp(v->str, actions[a])); a++)
		;
	if (!actions[a]) {
		ydoc_error(&p->doc, v, p->d, "unknown action '%s' (expected allow, monitor, block, "
					     "notice or warn)", v->kind == YN_SCALAR ? v->str : "?");
		return -EINVAL;
	}
	r->pub.action = (enum policy_action)a;
	r->pub.dns = a == POLICY_BLOCK	  ? POLICY_DNS_NXDOMAIN
		     : a == POLICY_WARN ? POLICY_DNS_PASS
					: POLICY_DNS_NOTICE;
	for (unsigned i = 4; i < 10; i++)
		err |= applies(p, n, rule_keys[i], i == 9 ? 1u << POLICY_WARN : blocking,
			       r->pub.action, i == 9 ? "warn" : "block, notice and warn");
	err |= policy_action_settings(p, n, &r->pub);
	if ((v = ymap_get(n, "dns")) && !yget_enum(&p->doc, v, dns, p->d, &a))
		r->pub.dns = (enum policy_dns)a;
	else if (v)
		err = -EINVAL;
	if ((v = ymap_get(n, "category")))
		err |= policy_name(p, v, "category", &r->pub.category);
	return err ? -EINVAL : 0;
}

static int one_rule(struct policy *p, const struct ynode *n, struct prule *r)
{
	const struct ynode *v;
	int err, bad;

	memset(r, 0, sizeof(*r));
	r->pub = p->def;
	r->node = n;
	r->pub.line = n->line;
	if ((bad = policy_keys(p, n, "a rule", rule_keys)) < 0)
		return bad;
	if (!(v = ymap_get(n, "name"))) {
		ydoc_error(&p->doc, n, p->d, "rule without a name");
		return -EINVAL;
	}
	if (policy_name(p, v, "rule", &r->pub.name))
		return -EINVAL;
	for (unsigned i = 0; i < p->nrules; i++)
		if (!strcmp(p->rule[i].pub.name, r->pub.name)) {
			ydoc_error(&p->doc, v, p->d, "duplicate rule name '%s' (first at line %u)",
				   r->pub.name, p->rule[i].pub.line);
			return -EINVAL;
		}
	r->pub.category = r->pub.name;
	err = settings(p, r, n);
	if ((v = ymap_get(n, "match")) && v->kind == YN_MAP && !v->n)
		v = NULL; /* "match: {}": every input */
	if (v && (err |= conditions(p, r, v)) == -ENOMEM)
		return -ENOMEM;
	return err || bad ? -EINVAL : 0;
}

static void rule_free(struct prule *r)
{
	free(r->apps);
	free(r->win);
}

int policy_rules_parse(struct policy *p, const struct ynode *n)
{
	int err = 0, rc;

	if (n->kind != YN_SEQ || !n->n) {
		ydoc_error(&p->doc, n, p->d, "expected a list of rules (- name: ..., match: ..., "
					     "action: ...)");
		return -EINVAL;
	}
	if (n->n > POLICY_RULES_MAX) {
		ydoc_error(&p->doc, n->kids[POLICY_RULES_MAX], p->d, "more than %d rules",
			   POLICY_RULES_MAX);
		return -EINVAL;
	}
	p->rule = calloc(n->n, sizeof(*p->rule));
	if (!p->rule)
		return -ENOMEM;
	for (size_t i = 0; i < n->n; i++) {
		struct prule *r = &p->rule[p->nrules];

		rc = one_rule(p, n->kids[i], r);
		if (rc == -ENOMEM) {
			rule_free(r);
			return rc;
		}
		if (rc) {
			rule_free(r);
			err = -EINVAL;
			continue;
		}
		r->pub.index = p->nrules++;
	}
	return err;
}
