// SPDX-License-Identifier: GPL-2.0
/* edgeward policy: policy files (docs/policy.md).
 *   check FILE     validates a policy and every list it names
 *   apps           the nDPI application and category names rules may use
 *   tags FILE      what the kernel tags for inspection, one JSON line a tag
 *   decide FILE .. the decision for one input, as an enforcement point asks
 * Wires nDPI's names (classify/dpi.h) into the policy parser. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify/dpi.h"
#include "cli/cli.h"
#include "log/eventjson.h"
#include "log/log.h"
#include "policy/policy.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edgeward policy check FILE\n"
		"       edgeward policy apps\n"
		"       edgeward policy tags FILE\n"
		"       edgeward policy decide FILE --at POINT [--client ADDR] [--server ADDR]\n"
		"                [--name NAME] [--url TARGET] [--app NAME] [--type TYPE]\n"
		"                [--hit LIST[:pdq]]... [--time YYYY-MM-DDTHH:MM:SSZ]\n"
		"check: every error with file:line:column and what was expected, warnings\n"
		"for shadowed rules; exit 0 valid, 1 invalid. apps: the nDPI 4.2 names\n"
		"for app: and app_category:. tags: the flows the kernel must send to\n"
		"inspection. decide: the first rule that matches one input (POINT: flow,\n"
		"dns, tls, quic, http, object) and its action.\n");
}

static int app_id(void *ctx, const char *name)
{
	return dpi_app_id(ctx, name);
}

static int category_id(void *ctx, const char *name)
{
	return dpi_category_id(ctx, name);
}

/* Loads path with nDPI's names; prints what the parser found. */
static struct policy *load(const char *path, struct dpi *dpi, bool lists)
{
	struct policy_names names = {app_id, category_id, dpi};
	struct policy_opts o = {.names = &names, .lists = lists};
	struct diag d;
	struct policy *p = policy_load(path, &o, &d);

	diag_print(&d, stderr);
	if (!p && errno == ENOMEM)
		ew_err("policy: couldn't load '%s': %s", path, strerror(ENOMEM));
	return p;
}

static int check(const char *path, struct dpi *dpi)
{
	struct policy *p = load(path, dpi, true);

	if (!p) {
		fprintf(stderr, "%s: invalid policy\n", path);
		return 1;
	}
	printf("%s: valid (rules: %u, groups: %u, version %s)\n", path, policy_rules(p),
	       policy_groups(p), policy_version(p));
	policy_free(p);
	return 0;
}

static int apps(struct dpi *dpi)
{
	printf("# applications (app:), nDPI 4.2; a rule may also name Master.App, such as "
	       "TLS.YouTube\n");
	for (unsigned i = 1; i < dpi_app_count(dpi); i++)
		if (dpi_app_name(dpi, i))
			printf("%s\n", dpi_app_name(dpi, i));
	printf("# categories (app_category:), nDPI 4.2\n");
	for (unsigned i = 0; i < dpi_category_count(dpi); i++)
		if (dpi_category_name(dpi, i))
			printf("%s\n", dpi_category_name(dpi, i));
	return 0;
}

/* ---- tags ------------------------------------------------------------------------ */

static void put_prefixes(struct ej_writer *w, const char *key, const struct policy_prefix *v,
			 size_t n)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN + 8];

	ej_arr(w, key);
	for (size_t i = 0; i < n; i++) {
		bool v4 = v[i].len >= 96 && !memcmp(v[i].addr, mapped, 12);

		inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? v[i].addr + 12 : v[i].addr, a, sizeof(a));
		snprintf(b, sizeof(b), "%s/%u", a, v4 ? v[i].len - 96u : v[i].len);
		ej_str(w, NULL, b);
	}
	ej_arr_end(w);
}

static int put_tag(void *ctx, const struct policy_tag *t)
{
	struct ej_writer *w = ctx;
	char port[32];

	ej_begin(w);
	ej_str(w, "rule", t->rule->name);
	ej_u64(w, "rule_id", t->rule->index);
	ej_str(w, "inspect", policy_inspect_name(t->inspect));
	ej_arr(w, "ports");
	for (size_t i = 0; i < t->nports; i++) {
		const struct policy_port *pp = &t->ports[i];

		snprintf(port, sizeof(port), pp->lo == pp->hi ? "%s/%u" : "%s/%u-%u",
			 pp->proto == 6 ? "tcp" : "udp", pp->lo, pp->hi);
		ej_str(w, NULL, port);
	}
	ej_arr_end(w);
	ej_u64(w, "mirror_packets", t->mirror_packets);
	ej_bool(w, "steer", t->steer);
	put_prefixes(w, "clients", t->clients, t->nclients);
	put_prefixes(w, "servers", t->servers, t->nservers);
	return ej_end(w);
}

static int tags(const char *path, struct dpi *dpi)
{
	struct policy *p = load(path, dpi, false);
	struct ej_writer w;
	int rc;

	if (!p)
		return 1;
	ej_init(&w, stdout);
	rc = policy_tags(p, put_tag, &w);
	ej_free(&w);
	policy_free(p);
	if (rc)
		ew_err("policy: couldn't list the tags: %s", strerror(rc < 0 ? -rc : EIO));
	return rc ? 1 : 0;
}

/* ---- decide ---------------------------------------------------------------------- */

struct decide_args {
	struct policy_input in;
	uint8_t client[16], server[16];
	struct policy_hit hits[16];
	const char *app, *category;
	bool acked;
};

static int addr(const char *s, uint8_t *a)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a + 12) == 1) {
		a[10] = a[11] = 0xff;
		return 0;
	}
	return inet_pton(AF_INET6, s, a) == 1 ? 0 : -EINVAL;
}

static int point(const char *s, enum policy_point *at)
{
	for (enum policy_point p = 0; p < POLICY_AT_MAX; p++)
		if (!strcmp(s, policy_point_name(p))) {
			*at = p;
			return 0;
		}
	return -EINVAL;
}

static bool always(void *ctx, const uint8_t *client, const char *category, uint64_t ack_ns)
{
	(void)ctx, (void)client, (void)category, (void)ack_ns;
	return true;
}

static int decide_opt(struct decide_args *a, int c, const char *v)
{
	struct policy_input *in = &a->in;
	struct tm tm = {0};
	char *end;

	switch (c) {
	case 'a':
		return point(v, &in->at);
	case 'c':
		in->client = a->client;
		return addr(v, a->client);
	case 's':
		in->server = a->server;
		return addr(v, a->server);
	case 'n':
		in->name = v, in->name_len = strlen(v);
		return 0;
	case 'u':
		in->url = v, in->url_len = strlen(v);
		return 0;
	case 'p':
		a->app = v;
		return 0;
	case 'g':
		a->category = v;
		return 0;
	case 'y':
		in->content_type = v;
		return 0;
	case 'k':
		a->acked = true;
		return 0;
	case 'H':
		if (in->nhits == 16)
			return -E2BIG;
		end = strchr(v, ':');
		a->hits[in->nhits].pdq = end && !strcmp(end, ":pdq");
		a->hits[in->nhits++].list = end ? strndup(v, (size_t)(end - v)) : strdup(v);
		return 0;
	case 't':
		end = strptime(v, "%Y-%m-%dT%H:%M:%SZ", &tm);
		in->now = (int64_t)timegm(&tm);
		return end && !*end ? 0 : -EINVAL;
	}
	return -EINVAL;
}

/* nDPI ids of --app and --category (the app's own category unless given). */
static int app_ids(struct decide_args *a, struct dpi *dpi)
{
	const char *dot = a->app ? strchr(a->app, '.') : NULL;
	char master[64];
	int m, id, cat;

	if (!a->app && !a->category)
		return 0;
	m = id = a->app ? dpi_app_id(dpi, a->app) : 0;
	if (id < 0 && dot) {
		snprintf(master, sizeof(master), "%.*s", (int)(dot - a->app), a->app);
		m = dpi_app_id(dpi, master);
		id = dpi_app_id(dpi, dot + 1);
	}
	if (a->category)
		cat = dpi_category_id(dpi, a->category);
	else
		cat = id > 0 ? (int)dpi_app_category(dpi, (unsigned)id) : 0;
	if (m < 0 || id < 0 || cat < 0) {
		ew_err("policy: unknown application or category '%s'", a->app ? a->app : a->category);
		return -EINVAL;
	}
	a->in.app_known = true;
	a->in.app_master = (uint16_t)m, a->in.app = (uint16_t)id, a->in.app_category = (uint16_t)cat;
	return 0;
}

static void print_decision(const struct policy *p, const struct policy_decision *d)
{
	const struct policy_rule *r = d->rule;

	printf("group: %s\n", policy_group_name(p, (unsigned)d->group));
	if (!r) {
		printf("rule: none\naction: allow\n");
		return;
	}
	printf("rule: %s (line %u)\naction: %s%s\ncategory: %s\n", r->name, r->line,
	       policy_action_name(d->action), d->acknowledged ? " (warn acknowledged)" : "",
	       r->category);
	if (r->action >= POLICY_BLOCK)
		printf("dns: %s, ede %u\nnotice: %s, http %u\ncontact: %s\n",
		       r->dns == POLICY_DNS_NXDOMAIN ? "nxdomain" : "notice", r->ede, r->notice,
		       r->http_status, r->contact);
}

static int decide(int argc, char **argv, struct dpi *dpi)
{
	static const struct option lopts[] = {
		{"at", required_argument, NULL, 'a'},	  {"client", required_argument, NULL, 'c'},
		{"server", required_argument, NULL, 's'}, {"name", required_argument, NULL, 'n'},
		{"url", required_argument, NULL, 'u'},	  {"app", required_argument, NULL, 'p'},
		{"category", required_argument, NULL, 'g'}, {"type", required_argument, NULL, 'y'},
		{"hit", required_argument, NULL, 'H'},	  {"time", required_argument, NULL, 't'},
		{"acked", no_argument, NULL, 'k'},	  {NULL, 0, NULL, 0},
	};
	struct decide_args a = {.in.now = (int64_t)time(NULL), .in.at = POLICY_AT_MAX};
	struct policy_decision d;
	struct policy *p = NULL;
	int c, rc = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1)
		if (decide_opt(&a, c, optarg)) {
			ew_err("policy decide: bad option '%s'", argv[optind - 1]);
			goto out;
		}
	if (optind + 1 != argc || a.in.at == POLICY_AT_MAX) {
		usage(stderr);
		goto out;
	}
	if (app_ids(&a, dpi) || !(p = load(argv[optind], dpi, false)))
		goto out;
	a.in.hits = a.hits;
	a.in.acked = a.acked ? always : NULL;
	policy_decide(p, &a.in, &d);
	print_decision(p, &d);
	rc = 0;
out:
	for (size_t i = 0; i < a.in.nhits; i++)
		free((char *)a.hits[i].list);
	policy_free(p);
	return rc;
}

int cmd_policy(int argc, char **argv)
{
	struct dpi *dpi;
	int rc = 2;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	dpi = dpi_new();
	if (!dpi) {
		ew_err("policy: couldn't set up nDPI: %s", strerror(errno));
		return 2;
	}
	if (!strcmp(argv[1], "check") && argc == 3)
		rc = check(argv[2], dpi);
	else if (!strcmp(argv[1], "apps") && argc == 2)
		rc = apps(dpi);
	else if (!strcmp(argv[1], "tags") && argc == 3)
		rc = tags(argv[2], dpi);
	else if (!strcmp(argv[1], "decide"))
		rc = decide(argc - 1, argv + 1, dpi);
	else
		usage(stderr);
	dpi_free(dpi);
	return rc;
}
