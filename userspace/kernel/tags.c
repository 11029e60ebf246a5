// SPDX-License-Identifier: GPL-2.0
/* tags: the policy's tags built into classes, port masks and prefix
 * masks (tags.h); tags_store.c writes them to the kernel. */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tags_int.h"

#define RANGE_MAX 256 /* a range wider than this becomes the any-port entry */

struct tags *tags_new(void)
{
	return calloc(1, sizeof(struct tags));
}

void tags_free(struct tags *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->ncls; i++) {
		free(t->cls[i].cli);
		free(t->cls[i].srv);
	}
	free(t->ports);
	free(t->cli.v);
	free(t->srv.v);
	free(t);
}

unsigned tags_classes(const struct tags *t)
{
	return t->ncls;
}

size_t tags_ports(const struct tags *t)
{
	return t->nports;
}

/* ---- classes ---------------------------------------------------------------- */

static bool same(const struct tags_prefix *a, size_t na, const struct tags_prefix *b, size_t nb)
{
	return na == nb && (!na || !memcmp(a, b, na * sizeof(*a)));
}

static struct tags_prefix *copy(const struct tags_prefix *p, size_t n)
{
	struct tags_prefix *c = n ? malloc(n * sizeof(*p)) : NULL;

	if (c)
		memcpy(c, p, n * sizeof(*p));
	return c;
}

static int pfx_push(struct pfxlist *l, const struct tags_prefix *p, uint32_t mask)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct tpfx *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct tpfx){*p, mask};
	return 0;
}

/* The prefixes of one side of a class: into the side's list, or (none,
 * or too many for the map) the side's any mask. */
static int side(struct pfxlist *l, uint32_t *any, const struct tags_prefix *p, size_t n,
		uint32_t bit)
{
	int err = 0;

	if (!n || l->n + n > TAGS_PFX_SET) {
		*any |= bit;
		return 0;
	}
	for (size_t i = 0; i < n && !err; i++)
		err = pfx_push(l, &p[i], bit);
	return err;
}

/* The class of r: one with the same clients and servers, a new one, or,
 * past EW_TAG_CLASSES, the last one, made any client and any server (the
 * superset of all that did not fit). */
static int class_of(struct tags *t, const struct tags_rule *r, unsigned *out)
{
	struct tclass *c;
	int err;

	for (unsigned i = 0; i < t->ncls; i++)
		if (same(t->cls[i].cli, t->cls[i].ncli, r->clients, r->nclients) &&
		    same(t->cls[i].srv, t->cls[i].nsrv, r->servers, r->nservers)) {
			*out = i;
			return 0;
		}
	if (t->ncls == EW_TAG_CLASSES) {
		*out = EW_TAG_CLASSES - 1;
		t->any_cli |= 1u << *out;
		t->any_srv |= 1u << *out;
		return 0;
	}
	c = &t->cls[t->ncls];
	c->cli = copy(r->clients, r->nclients), c->ncli = r->nclients;
	c->srv = copy(r->servers, r->nservers), c->nsrv = r->nservers;
	if ((r->nclients && !c->cli) || (r->nservers && !c->srv))
		return -ENOMEM;
	*out = t->ncls++;
	err = side(&t->cli, &t->any_cli, r->clients, r->nclients, 1u << *out);
	return err ? err : side(&t->srv, &t->any_srv, r->servers, r->nservers, 1u << *out);
}

/* ---- ports ------------------------------------------------------------------- */

static struct tport *port_get(struct tags *t, uint8_t proto, uint16_t port)
{
	for (size_t i = 0; i < t->nports; i++)
		if (t->ports[i].proto == proto && t->ports[i].port == port)
			return &t->ports[i];
	if (t->nports == t->capports) {
		size_t cap = t->capports ? 2 * t->capports : 32;
		struct tport *v = realloc(t->ports, cap * sizeof(*v));

		if (!v)
			return NULL;
		t->ports = v;
		t->capports = cap;
	}
	t->ports[t->nports] = (struct tport){.proto = proto, .port = port};
	return &t->ports[t->nports++];
}

/* budget: EW_MIRROR_ALL is the most */
static void port_mark(struct tport *p, const struct tags_rule *r, uint32_t bit)
{
	if (r->steer && p->port) {
		p->v.steer |= bit;
		return;
	}
	p->v.mirror |= bit;
	if (r->budget > p->v.budget)
		p->v.budget = r->budget;
}

static int ports_of(struct tags *t, const struct tags_rule *r, uint32_t bit)
{
	for (size_t i = 0; i < r->nports; i++) {
		const struct tags_port *pr = &r->ports[i];
		unsigned span = (unsigned)pr->hi - pr->lo + 1;
		bool any = span > RANGE_MAX || t->nports + span > TAGS_PORT_SET;
		struct tport *p;

		for (unsigned port = any ? 0 : pr->lo; port <= (any ? 0u : pr->hi); port++) {
			if (!(p = port_get(t, pr->proto, (uint16_t)port)))
				return -ENOMEM;
			port_mark(p, r, bit);
		}
	}
	return 0;
}

int tags_add(struct tags *t, const struct tags_rule *r)
{
	unsigned c;
	int err = class_of(t, r, &c);

	return err ? err : ports_of(t, r, 1u << c);
}

void tags_port_value(const struct tags *t, const struct tport *p, struct ew_tagport *out)
{
	*out = p->v;
	if (!p->port)
		return;
	/* the kernel finds an exact port first: it carries the any-port
	 * classes of its protocol too */
	for (size_t i = 0; i < t->nports; i++) {
		const struct tport *any = &t->ports[i];

		if (any->port || any->proto != p->proto)
			continue;
		out->mirror |= any->v.mirror;
		if (any->v.mirror && any->v.budget > out->budget)
			out->budget = any->v.budget;
	}
}

bool tags_port(const struct tags *t, uint8_t proto, uint16_t port, struct ew_tagport *out)
{
	for (size_t i = 0; i < t->nports; i++)
		if (t->ports[i].proto == proto && t->ports[i].port == port) {
			tags_port_value(t, &t->ports[i], out);
			return true;
		}
	return false;
}

int tags_steer_ports(const struct tags *t, struct ports_entry *ports, int *n, int max)
{
	for (size_t i = 0; i < t->nports; i++) {
		const struct tport *p = &t->ports[i];
		struct ew_port_key k = {.port = htons(p->port), .proto = p->proto};
		int j;

		if (!p->v.steer || p->proto != IPPROTO_TCP)
			continue;
		for (j = 0; j < *n && memcmp(&ports[j].key, &k, sizeof(k)); j++)
			;
		if (j < *n && (ports[j].tag.flags & EW_PORT_INLINE))
			continue; /* the config's inline port: every flow */
		if (j == *n && *n == max)
			return -E2BIG;
		if (j == *n)
			ports[(*n)++] = (struct ports_entry){.key = k};
		ports[j].tag.flags |= EW_PORT_INLINE | EW_PORT_LIMITED;
	}
	return 0;
}

/* ---- prefix masks ------------------------------------------------------------------ */

bool tags_holds(const struct tags_prefix *p, const uint8_t addr[16])
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (memcmp(p->addr, addr, full))
		return false;
	return !rest || !((p->addr[full] ^ addr[full]) & (uint8_t)(0xff00 >> rest));
}

uint32_t tags_mask(const struct tags *t, bool servers, const uint8_t addr[16])
{
	const struct pfxlist *l = servers ? &t->srv : &t->cli;
	uint32_t m = servers ? t->any_srv : t->any_cli;

	for (size_t i = 0; i < l->n; i++)
		if (tags_holds(&l->v[i].p, addr))
			m |= l->v[i].mask;
	return m;
}

static int cmp_pfx(const void *a, const void *b)
{
	const struct tpfx *x = a, *y = b;

	if (x->p.len != y->p.len)
		return x->p.len < y->p.len ? -1 : 1;
	return memcmp(x->p.addr, y->p.addr, 16);
}

/* p cut to len bits (host bits cleared). */
static void cut(struct tags_prefix *p, unsigned len)
{
	unsigned full = len / 8, rest = len % 8;

	if (full < 16)
		p->addr[full] &= (uint8_t)(0xff00 >> rest);
	for (unsigned i = full + 1; i < 16; i++)
		p->addr[i] = 0;
	p->len = (uint8_t)len;
}

void tags_union_masks(struct pfxlist *l, uint32_t *out)
{
	bool lens[129] = {0};

	qsort(l->v, l->n, sizeof(*l->v), cmp_pfx);
	for (size_t i = 0; i < l->n; i++)
		lens[l->v[i].p.len] = true;
	for (size_t i = 0; i < l->n; i++) {
		uint32_t m = 0;

		for (unsigned len = 0; len <= l->v[i].p.len; len++) {
			struct tpfx key = {l->v[i].p, 0}, *q;

			if (!lens[len])
				continue;
			cut(&key.p, len);
			/* duplicates sit side by side: take them all */
			q = bsearch(&key, l->v, l->n, sizeof(*l->v), cmp_pfx);
			for (; q && q > l->v && !cmp_pfx(q - 1, &key); q--)
				;
			for (; q && q < l->v + l->n && !cmp_pfx(q, &key); q++)
				m |= q->mask;
		}
		out[i] = m;
	}
}
