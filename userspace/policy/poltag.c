// SPDX-License-Identifier: GPL-2.0
/* poltag: what the kernel must tag so that only flows that can match a
 * rule with content conditions take the expensive path (the Cleanfeed
 * idea). Rules are walked in order with the set of groups that can still
 * reach them: a rule on groups alone takes those groups whole, a rule
 * with no condition everyone. Each reachable content rule gives a tag per
 * kind of inspection it needs, with its clients (the prefixes of its
 * groups), its destinations (the prefixes of its IP lists) and the server
 * ports of that inspection. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

#define AT(x) (1u << POLICY_AT_##x)
#define CONTENT                                                                          \
	(1u << C_HASH | 1u << C_PDQ | 1u << C_DOMAIN | 1u << C_URL | 1u << C_APP |       \
	 1u << C_CATEGORY | 1u << C_TYPE)

struct prefixes {
	struct policy_prefix *v;
	size_t n, cap;
};

static int push(struct prefixes *ps, const struct cidr *c)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		struct policy_prefix *v = realloc(ps->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ps->v = v;
		ps->cap = cap;
	}
	memcpy(ps->v[ps->n].addr, c->a, 16);
	ps->v[ps->n++].len = c->len;
	return 0;
}

struct collect {
	const struct policy *p;
	uint64_t groups;	  /* clients: these groups' prefixes */
	const struct polbits *ip; /* servers: prefixes in these lists */
	struct prefixes out;
};

static int client_cb(void *ctx, const struct cidr *c, uint32_t g)
{
	struct collect *cl = ctx;

	return cl->groups >> g & 1 ? push(&cl->out, c) : 0;
}

static int server_cb(void *ctx, const struct cidr *c, uint32_t v)
{
	struct collect *cl = ctx;

	return polbits_meet(bitpool_get(&cl->p->bits, v), cl->ip) ? push(&cl->out, c) : 0;
}

/* The inspections rule r needs (1 << POLICY_INSPECT_*). */
static unsigned inspections(const struct prule *r)
{
	unsigned need = 0, c = r->conds;

	if (c & 1u << C_DOMAIN) {
		need |= r->at & AT(DNS) ? 1u << POLICY_INSPECT_DNS : 0;
		need |= r->at & AT(TLS) ? 1u << POLICY_INSPECT_TLS : 0;
		need |= r->at & AT(QUIC) ? 1u << POLICY_INSPECT_QUIC : 0;
	}
	if (c & (1u << C_DOMAIN | 1u << C_URL) && r->at & AT(HTTP))
		need |= 1u << POLICY_INSPECT_HTTP;
	if (c & (1u << C_HASH | 1u << C_PDQ | 1u << C_TYPE) ||
	    (c & (1u << C_DOMAIN | 1u << C_URL) && r->at == AT(OBJECT)))
		need |= 1u << POLICY_INSPECT_BODY;
	if (c & (1u << C_APP | 1u << C_CATEGORY))
		need |= 1u << POLICY_INSPECT_APP;
	return need;
}

static int emit(const struct policy *p, const struct prule *r, enum policy_inspect k,
		struct policy_tag *t, int (*fn)(void *, const struct policy_tag *), void *ctx)
{
	static const struct policy_port any[] = {{IPPROTO_TCP, 1, 65535}, {IPPROTO_UDP, 1, 65535}};

	t->rule = &r->pub;
	t->inspect = k;
	t->steer = k == POLICY_INSPECT_BODY;
	t->mirror_packets = k == POLICY_INSPECT_TLS || k == POLICY_INSPECT_QUIC ? POLICY_MIRROR_TLS
			    : k == POLICY_INSPECT_APP				    ? POLICY_MIRROR_APP
										    : 0;
	if (k == POLICY_INSPECT_APP)
		t->ports = any, t->nports = 2;
	else if (k == POLICY_INSPECT_BODY)
		t->ports = p->port[POLICY_INSPECT_HTTP], t->nports = p->nports[POLICY_INSPECT_HTTP];
	else
		t->ports = p->port[k], t->nports = p->nports[k];
	return fn(ctx, t);
}

/* The tags of rule r for the groups in reach. */
static int rule_tags(const struct policy *p, const struct prule *r, uint64_t reach,
		     int (*fn)(void *, const struct policy_tag *), void *ctx)
{
	struct collect cl = {.p = p, .groups = reach, .ip = &r->lists[C_IP]}, sv = cl;
	struct policy_tag t = {0};
	unsigned need = inspections(r);
	int rc = 0;

	if (!(reach >> p->dflt & 1))
		rc = cidrset_each(&p->clients, client_cb, &cl);
	if (!rc && r->conds & 1u << C_IP)
		rc = cidrset_each(&p->ip, server_cb, &sv);
	t.clients = cl.out.v, t.nclients = cl.out.n;
	t.servers = sv.out.v, t.nservers = sv.out.n;
	for (enum policy_inspect k = 0; !rc && k <= POLICY_INSPECT_APP; k++)
		if (need & 1u << k)
			rc = emit(p, r, k, &t, fn, ctx);
	free(cl.out.v);
	free(sv.out.v);
	return rc;
}

int policy_tags(const struct policy *p, int (*fn)(void *ctx, const struct policy_tag *t),
		void *ctx)
{
	uint64_t reach = p->ngroups == 64 ? ~0ull : (1ull << p->ngroups) - 1;

	for (unsigned i = 0; i < p->nrules && reach; i++) {
		const struct prule *r = &p->rule[i];
		uint64_t mine = r->conds & 1u << C_GROUP ? r->groups & reach : reach;
		int rc;

		if (!mine || !r->at)
			continue;
		if (!(r->conds & ~(1u << C_GROUP)) && r->at == (1u << POLICY_AT_MAX) - 1) {
			reach &= ~mine; /* every flow of these groups stops here */
			continue;
		}
		if (!(r->conds & CONTENT))
			continue; /* decided on addresses and time: no inspection */
		if ((rc = rule_tags(p, r, mine, fn, ctx)))
			return rc;
	}
	return 0;
}
