// SPDX-License-Identifier: GPL-2.0
/* polparse: a policy file -> struct policy. The document and its small
 * sections (defaults, notice server, inspection ports), groups, time zones
 * and the version; lists and rules have their own files. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

#define SEC 1000000000ull

static const char *const top_keys[] = {"version", "defaults", "notice_server", "inspect",
				       "lists",	  "groups",   "default_group", "rules", NULL};

/* ---- sections ------------------------------------------------------------------- */

static int defaults(struct policy *p, const struct ynode *n)
{
	static const char *const keys[] = {"timezone", "notice", "contact", "ede", "http_status",
					   "acknowledge_for", NULL};
	const struct ynode *v;
	const char *zone;
	int err = policy_keys(p, n, "defaults", keys), z;

	if (err < 0)
		return err;
	err |= policy_action_settings(p, n, &p->def);
	if ((v = ymap_get(n, "timezone")) && !yget_str(&p->doc, v, p->d, &zone)) {
		if ((z = policy_zone(p, v, zone)) < 0)
			return -EINVAL;
		p->def_zone = z;
	}
	return err;
}

static int notice_addr(struct policy *p, const struct ynode *v, int af, uint8_t *a, bool *has)
{
	const char *s;

	if (yget_str(&p->doc, v, p->d, &s))
		return -EINVAL;
	memset(a, 0, 16);
	if (af == AF_INET && inet_pton(AF_INET, s, a + 12) == 1) {
		a[10] = a[11] = 0xff;
	} else if (af != AF_INET6 || inet_pton(AF_INET6, s, a) != 1) {
		ydoc_error(&p->doc, v, p->d, "expected an %s address, found '%s'",
			   af == AF_INET ? "IPv4" : "IPv6", s);
		return -EINVAL;
	}
	*has = true;
	return 0;
}

static int notice_server(struct policy *p, const struct ynode *n)
{
	static const char *const keys[] = {"ipv4", "ipv6", NULL};
	const struct ynode *v;
	int err = policy_keys(p, n, "notice_server", keys);

	if (err < 0)
		return err;
	if ((v = ymap_get(n, "ipv4")))
		err |= notice_addr(p, v, AF_INET, p->notice4, &p->has_notice4);
	if ((v = ymap_get(n, "ipv6")))
		err |= notice_addr(p, v, AF_INET6, p->notice6, &p->has_notice6);
	return err ? -EINVAL : 0;
}

/* "80" or "8000-8100" */
static int port_range(const char *s, unsigned *lo, unsigned *hi)
{
	unsigned long a, b;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	a = b = strtoul(s, &end, 10);
	if (*end == '-') {
		s = end + 1;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		b = strtoul(s, &end, 10);
	}
	if (*end || a < 1 || b > 65535 || a > b)
		return -EINVAL;
	*lo = (unsigned)a, *hi = (unsigned)b;
	return 0;
}

/* "tcp/443" or "udp/8000-8100" */
static int one_port(struct policy *p, const struct ynode *v, void *ctx)
{
	enum policy_inspect k = *(enum policy_inspect *)ctx;
	struct policy_port *pp = &p->port[k][p->nports[k]];
	unsigned lo, hi;

	if (p->nports[k] == POLICY_PORTS_MAX) {
		ydoc_error(&p->doc, v, p->d, "more than %d ports", POLICY_PORTS_MAX);
		return -EINVAL;
	}
	pp->proto = !strncmp(v->str, "tcp/", 4)	  ? IPPROTO_TCP
		    : !strncmp(v->str, "udp/", 4) ? IPPROTO_UDP
						  : 0;
	if (!pp->proto || port_range(v->str + 4, &lo, &hi)) {
		ydoc_error(&p->doc, v, p->d,
			   "expected a port such as tcp/443 or udp/8000-8100, found '%s'", v->str);
		return -EINVAL;
	}
	pp->lo = (uint16_t)lo, pp->hi = (uint16_t)hi;
	p->nports[k]++;
	return 0;
}

static int inspect(struct policy *p, const struct ynode *n)
{
	static const char *const keys[] = {"dns", "tls", "quic", "http", NULL};
	int err = policy_keys(p, n, "inspect", keys);

	if (err < 0)
		return err;
	for (enum policy_inspect k = POLICY_INSPECT_DNS; k <= POLICY_INSPECT_HTTP; k++) {
		const struct ynode *v = ymap_get(n, keys[k]);

		if (v) {
			p->nports[k] = 0;
			err |= policy_each_name(p, v, "a port such as tcp/443", one_port, &k);
		}
	}
	return err ? -EINVAL : 0;
}

/* The inspection ports unless the file says otherwise. */
static void default_ports(struct policy *p)
{
	static const struct policy_port dns[] = {{IPPROTO_UDP, 53, 53}, {IPPROTO_TCP, 53, 53}};
	static const struct policy_port tls = {IPPROTO_TCP, 443, 443};
	static const struct policy_port quic = {IPPROTO_UDP, 443, 443};
	static const struct policy_port http = {IPPROTO_TCP, 80, 80};

	memcpy(p->port[POLICY_INSPECT_DNS], dns, sizeof(dns));
	p->nports[POLICY_INSPECT_DNS] = 2;
	p->port[POLICY_INSPECT_TLS][0] = tls;
	p->port[POLICY_INSPECT_QUIC][0] = quic;
	p->port[POLICY_INSPECT_HTTP][0] = http;
	p->nports[POLICY_INSPECT_TLS] = p->nports[POLICY_INSPECT_QUIC] = 1;
	p->nports[POLICY_INSPECT_HTTP] = 1;
}

/* ---- groups ---------------------------------------------------------------------- */

struct group_ctx {
	unsigned g;
};

/* Adds prefix c to group g. Returns 0, or the group that has it already
 * + 1 (the caller says so), or -ENOMEM. */
static int client_prefix(struct policy *p, const struct cidr *c, unsigned g)
{
	uint32_t old;
	int rc = cidrset_add(&p->clients, c, g, &old);

	if (rc < 0)
		return rc;
	if (rc == 1 && old != g)
		return (int)old + 1;
	p->group[g].prefixes += rc == 0;
	return 0;
}

static int group_value(struct policy *p, const struct ynode *v, void *ctx)
{
	unsigned g = ((struct group_ctx *)ctx)->g;
	const char *why;
	struct cidr c;
	int rc;

	if (cidr_parse(v->str, v->len, &c, &why)) {
		ydoc_error(&p->doc, v, p->d, "expected an IPv4 or IPv6 prefix such as 10.0.0.0/8, "
					     "found '%s': %s", v->str, why);
		return -EINVAL;
	}
	if ((rc = client_prefix(p, &c, g)) > 0)
		ydoc_error(&p->doc, v, p->d, "prefix '%s' is already in group '%s'", v->str,
			   p->group[rc - 1].name);
	return rc ? -EINVAL : 0;
}

static int group_line(struct policy *p, const char *file, unsigned line, unsigned col,
		      const char *s, size_t len, void *ctx)
{
	unsigned g = ((struct group_ctx *)ctx)->g;
	char q[DIAG_QUOTE_LEN];
	const char *why;
	struct cidr c;
	int rc;

	diag_quote(s, len, q, sizeof(q));
	if (cidr_parse(s, len, &c, &why)) {
		policy_file_error(p, file, line, col, "invalid prefix '%s': %s", q, why);
		return -EINVAL;
	}
	if ((rc = client_prefix(p, &c, g)) > 0)
		policy_file_error(p, file, line, col, "prefix '%s' is already in group '%s'", q,
				  p->group[rc - 1].name);
	return rc ? -EINVAL : 0;
}

static int one_group(struct policy *p, const struct ynode *n)
{
	static const char *const keys[] = {"name", "prefixes", "file", "no_history", NULL};
	struct group_ctx gc = {p->ngroups};
	struct pgroup *g = &p->group[p->ngroups];
	const struct ynode *v;
	const char *file;
	char path[4096];
	int err = policy_keys(p, n, "a group", keys);

	if (err < 0)
		return err;
	if (!(v = ymap_get(n, "name"))) {
		ydoc_error(&p->doc, n, p->d, "group without a name");
		return -EINVAL;
	}
	if (policy_name(p, v, "group", &g->name))
		return -EINVAL;
	if (policy_group_find(p, g->name) >= 0) {
		ydoc_error(&p->doc, v, p->d, "duplicate group name '%s' (first at line %u)", g->name,
			   p->group[policy_group_find(p, g->name)].node->line);
		return -EINVAL;
	}
	g->node = n;
	p->ngroups++;
	if ((v = ymap_get(n, "no_history")) && yget_bool(&p->doc, v, p->d, &g->no_history))
		err = -EINVAL;
	err |= (v = ymap_get(n, "prefixes")) ? policy_each_name(p, v, "a prefix", group_value, &gc)
					     : 0;
	if ((v = ymap_get(n, "file")) && p->opts.no_files) {
		ydoc_error(&p->doc, v, p->d, "list files are not read here");
		err = -EINVAL;
	} else if (v && !yget_str(&p->doc, v, p->d, &file)) {
		policy_path(p, file, path, sizeof(path));
		err |= policy_read_lines(p, v, path, group_line, &gc);
	} else if (v) {
		err = -EINVAL;
	}
	return err ? -EINVAL : 0;
}

static int groups(struct policy *p, const struct ynode *n)
{
	int err = 0;

	if (n->kind != YN_SEQ) {
		ydoc_error(&p->doc, n, p->d, "expected a list of groups (- name: ..., prefixes: "
					     "[...])");
		return -EINVAL;
	}
	for (size_t i = 0; i < n->n; i++) {
		if (p->ngroups == POLICY_GROUPS_MAX - 1) { /* one left for "default" */
			ydoc_error(&p->doc, n->kids[i], p->d, "more than %d groups",
				   POLICY_GROUPS_MAX - 1);
			return -EINVAL;
		}
		err |= one_group(p, n->kids[i]);
	}
	return err ? -EINVAL : 0;
}

/* The default group: named by default_group, else the group called
 * "default", else an implicit one of that name. Groups without prefixes
 * other than it have no members: an error. */
static int default_group(struct policy *p, const struct ynode *n)
{
	const char *name = "default";
	int g, err = 0;

	if (n && policy_name(p, n, "group", &name))
		err = -EINVAL;
	g = err ? -1 : policy_group_find(p, name);
	if (g < 0 && n && !err) {
		ydoc_error(&p->doc, n, p->d, "unknown group '%s' (no such name in groups)", name);
		err = -EINVAL;
	}
	if (g < 0) {
		g = (int)p->ngroups++;
		p->group[g] = (struct pgroup){.name = err ? "?" : "default"};
	}
	p->dflt = (unsigned)g;
	for (unsigned i = 0; i < p->ngroups; i++) {
		const struct ynode *gn = p->group[i].node;

		if (i == p->dflt || !gn || ymap_get(gn, "prefixes") || ymap_get(gn, "file"))
			continue;
		ydoc_error(&p->doc, p->group[i].node, p->d,
			   "group '%s' has no prefixes, so no client is in it (give prefixes or a "
			   "file, or make it the default_group)", p->group[i].name);
		err = -EINVAL;
	}
	return err;
}

/* ---- the document ---------------------------------------------------------------- */

static int version(struct policy *p, const struct ynode *n)
{
	uint64_t v;

	return yget_u64(&p->doc, n, 1, 1, p->d, &v);
}

/* The sections in the order they depend on each other: zones and action
 * defaults, lists and groups, then the rules that name them, then what
 * only all the rules together say. */
static int compile(struct policy *p)
{
	const struct ynode *root = p->doc.root, *v;
	int err;

	if (!root) {
		diag_add(p->d, p->doc.name, 0, 0, "empty policy (expected lists, groups and rules)");
		return -EINVAL;
	}
	if ((err = policy_keys(p, root, "the policy", top_keys)) < 0)
		return err;
	err |= (v = ymap_get(root, "version")) ? version(p, v) : 0;
	err |= (v = ymap_get(root, "defaults")) ? defaults(p, v) : 0;
	err |= (v = ymap_get(root, "notice_server")) ? notice_server(p, v) : 0;
	err |= (v = ymap_get(root, "inspect")) ? inspect(p, v) : 0;
	err |= (v = ymap_get(root, "lists")) ? policy_lists(p, v) : 0;
	err |= (v = ymap_get(root, "groups")) ? groups(p, v) : 0;
	err |= default_group(p, ymap_get(root, "default_group"));
	if (!(v = ymap_get(root, "rules"))) {
		ydoc_error(&p->doc, root, p->d, "no rules (expected a rules: list)");
		return -EINVAL;
	}
	err |= policy_rules_parse(p, v);
	if (err == -ENOMEM)
		return err;
	if (!policy_check_rules(p))
		policy_check_dns(p);
	return p->d->errors ? -EINVAL : 0;
}

static struct policy *policy_new(const struct policy_opts *o, struct diag *d)
{
	struct policy *p = calloc(1, sizeof(*p));

	memset(d, 0, sizeof(*d));
	if (!p)
		return NULL;
	if (o)
		p->opts = *o;
	p->d = d;
	p->def_zone = -1;
	p->def = (struct policy_rule){.notice = "default", .contact = "", .ede = 15,
				      .http_status = 403, .ack_ns = 12 * 3600 * SEC};
	default_ports(p);
	if (hash_init(&p->vh, HASH_SHA256)) {
		free(p);
		return NULL;
	}
	return p;
}

/* Compiles the loaded document (err: the load's) and seals the version. */
static struct policy *finish(struct policy *p, int err)
{
	struct hash_result r;

	if (p->doc.text)
		hash_update(&p->vh, p->doc.text, p->doc.len);
	if (!err)
		err = compile(p);
	if (!err && !hash_final(&p->vh, &r))
		for (int i = 0; i < 32; i++)
			snprintf(p->version + 2 * i, 3, "%02x", r.d[HASH_T_SHA256][i]);
	if (err) {
		policy_free(p);
		errno = err == -ENOMEM ? ENOMEM : EINVAL;
		return NULL;
	}
	p->d = NULL;
	return p;
}

struct policy *policy_load(const char *path, const struct policy_opts *o, struct diag *d)
{
	struct policy *p = policy_new(o, d);
	const char *slash = strrchr(path, '/');

	if (!p)
		return NULL;
	if (slash)
		p->base = strndup(path, (size_t)(slash - path) + (slash == path));
	return finish(p, ydoc_load(&p->doc, path, d));
}

struct policy *policy_parse(const char *name, const char *text, size_t len, const char *base,
			    const struct policy_opts *o, struct diag *d)
{
	struct policy *p = policy_new(o, d);

	if (!p)
		return NULL;
	if (base)
		p->base = strdup(base);
	return finish(p, ydoc_parse(&p->doc, name, text, len, d));
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->nrules; i++) {
		free(p->rule[i].apps);
		free(p->rule[i].win);
	}
	free(p->rule);
	for (unsigned i = 0; i < p->nzones; i++)
		tzone_free(&p->zone[i]);
	domset_free(&p->dom);
	urlset_free(&p->url);
	cidrset_free(&p->ip);
	cidrset_free(&p->clients);
	bitpool_free(&p->bits);
	strmap_free(&p->list_ix);
	hashdb_free(p->db);
	pdqdb_free(p->pdb);
	hash_free(&p->vh);
	ydoc_free(&p->doc);
	free(p->base);
	free(p);
}
