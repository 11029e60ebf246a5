// SPDX-License-Identifier: GPL-2.0
/* polcheck: what only the rules together say. Where each rule can match
 * (the points where all its conditions are known, within its `at`); rules
 * that can never match (errors); rules an earlier rule shadows, so that
 * they never decide anything (warnings). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy_int.h"

#define AT(x)	   (1u << POLICY_AT_##x)
#define AT_ALL	   ((1u << POLICY_AT_MAX) - 1)
#define AT_NAMES   (AT(DNS) | AT(TLS) | AT(QUIC) | AT(HTTP) | AT(OBJECT))

static const char *const cond_names[] = {
	"group",    "hash_list", "pdq_list",     "ip_list", "domain_list", "url_list",
	"app",	    "app_category", "content_type", "time",    "at",
};

unsigned policy_cond_points(enum pcond c)
{
	switch (c) {
	case C_DOMAIN:
		return AT_NAMES;
	case C_URL:
		return AT(HTTP) | AT(OBJECT);
	case C_HASH:
	case C_PDQ:
	case C_TYPE:
		return AT(OBJECT);
	default:
		return AT_ALL;
	}
}

/* "dns, tls and quic" of a set of points */
static void point_list(unsigned at, char *out, size_t n)
{
	unsigned k = (unsigned)__builtin_popcount(at), i = 0;

	out[0] = '\0';
	for (enum policy_point pt = 0; pt < POLICY_AT_MAX; pt++) {
		if (!(at & 1u << pt))
			continue;
		snprintf(out + strlen(out), n - strlen(out), "%s%s",
			 !i ? "" : i + 1 == k ? " and " : ", ", policy_point_name(pt));
		i++;
	}
}

/* The points r can match at; an error when there are none. */
static int points(struct policy *p, struct prule *r)
{
	unsigned need = AT_ALL, at = r->conds & 1u << C_AT ? r->at : AT_ALL;
	char a[96], b[96];
	enum pcond narrow = C_MAX;

	for (enum pcond c = C_GROUP; c < C_AT; c++)
		if (r->conds & 1u << c && (need & policy_cond_points(c)) != need) {
			need &= policy_cond_points(c);
			narrow = c;
		}
	r->at = at & need;
	if (r->at)
		return 0;
	point_list(need, a, sizeof(a));
	point_list(at, b, sizeof(b));
	ydoc_error(&p->doc, r->cnode[C_AT], p->d,
		   "rule '%s' can never match: %s is known only at %s, and 'at' names %s",
		   r->pub.name, cond_names[narrow], a, b);
	return -EINVAL;
}

/* A list condition whose lists are all empty. */
static int empty_lists(struct policy *p, const struct prule *r)
{
	int err = 0;

	for (enum pcond c = C_HASH; c <= C_URL; c++) {
		bool any = false;

		if (!(r->conds & 1u << c))
			continue;
		for (unsigned i = 0; i < p->nlists && !any; i++)
			any = polbits_test(&r->lists[c], i) && (p->list[i].entries ||
								 p->list[i].failed);
		if (any)
			continue;
		ydoc_error(&p->doc, r->cnode[c], p->d,
			   "rule '%s' can never match: the %s it names %s empty", r->pub.name,
			   cond_names[c], r->cnode[c]->kind == YN_SEQ && r->cnode[c]->n > 1
						  ? "are all" : "is");
		err = -EINVAL;
	}
	return err;
}

/* ---- covering ----------------------------------------------------------------------- */

static bool app_covers(const struct papp *a, const struct papp *b)
{
	if (a->exact)
		return b->exact && a->master == b->master && a->app == b->app;
	return b->exact ? b->master == a->app || b->app == a->app : b->app == a->app;
}

static bool apps_cover(const struct prule *a, const struct prule *b)
{
	for (size_t j = 0; j < b->napps; j++) {
		bool ok = false;

		for (size_t i = 0; i < a->napps && !ok; i++)
			ok = app_covers(&a->apps[i], &b->apps[j]);
		if (!ok)
			return false;
	}
	return true;
}

static bool window_covers(const struct pwindow *a, const struct pwindow *b)
{
	if (a->zone != b->zone || (b->days & ~a->days))
		return false;
	if (a->from == 0 && a->to == 1440)
		return true;
	if (a->from == b->from && a->to == b->to)
		return true;
	return a->from < a->to && b->from < b->to && a->from <= b->from && b->to <= a->to;
}

static bool windows_cover(const struct prule *a, const struct prule *b)
{
	for (size_t j = 0; j < b->nwin; j++) {
		bool ok = false;

		for (size_t i = 0; i < a->nwin && !ok; i++)
			ok = window_covers(&a->win[i], &b->win[j]);
		if (!ok)
			return false;
	}
	return true;
}

/* Condition c of a holds wherever that of b does. */
static bool cond_covers(const struct policy *p, const struct prule *a, const struct prule *b,
			enum pcond c)
{
	uint64_t all = p->ngroups == 64 ? ~0ull : (1ull << p->ngroups) - 1;

	if (c == C_GROUP && a->groups == all)
		return true; /* every client is in one of them */
	if (!(b->conds & 1u << c))
		return false;
	switch (c) {
	case C_GROUP:
		return !(b->groups & ~a->groups);
	case C_APP:
		return apps_cover(a, b);
	case C_CATEGORY:
		return polbits_within(&b->cats, &a->cats);
	case C_TYPE:
		return !(b->types & ~a->types);
	case C_TIME:
		return windows_cover(a, b);
	default:
		return polbits_within(&b->lists[c], &a->lists[c]);
	}
}

bool policy_rule_covers(const struct policy *p, const struct prule *a, const struct prule *b)
{
	if (b->at & ~a->at)
		return false;
	for (enum pcond c = C_GROUP; c < C_AT; c++)
		if (a->conds & 1u << c && !cond_covers(p, a, b, c))
			return false;
	return true;
}

int policy_check_rules(struct policy *p)
{
	int err = 0;

	for (unsigned j = 0; j < p->nrules; j++) {
		struct prule *r = &p->rule[j];

		if (!r->cnode[C_AT])
			r->cnode[C_AT] = r->node;
		err |= points(p, r);
		err |= empty_lists(p, r);
	}
	for (unsigned j = 0; j < p->nrules; j++) {
		const struct prule *b = &p->rule[j];

		for (unsigned i = 0; i < j && b->at; i++) {
			const struct prule *a = &p->rule[i];

			if (!a->at || !policy_rule_covers(p, a, b))
				continue;
			ydoc_warn(&p->doc, b->node, p->d,
				  "rule '%s' is shadowed by rule '%s' (line %u): every input it "
				  "matches, '%s' matches first", b->pub.name, a->pub.name,
				  a->pub.line, a->pub.name);
			break;
		}
	}
	return err ? -EINVAL : 0;
}
