// SPDX-License-Identifier: GPL-2.0
/* ew_domains: fills edgeward's domain tables (userspace/kernel/domains.h)
 * from lines on stdin, for the end-to-end tests and benchmarks, until the
 * policy compiler does it. One commit of the whole input:
 *
 *   group PREFIX GROUP                 clients in PREFIX are in GROUP
 *   rule ID KIND [a=ADDR] [aaaa=ADDR] [ede=N] [ttl=S] [other=nxdomain] [text=REST OF LINE]
 *                                      KIND: pass, nxdomain, notice, nodata
 *   name GROUP NAME RULE               NAME (or *.SUFFIX) in GROUP gets rule RULE
 *   names GROUP COUNT PATTERN RULE     COUNT names PATTERN with %d = 0 .. COUNT-1
 *
 * Lines starting with '#' and empty lines are skipped. Exit 0, or 1 with
 * "line N: why" on stderr. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/domains.h"

#define RULES_MAX 64

struct spec {
	struct domains *d;
	struct domains_rule rules[RULES_MAX];
	char text[RULES_MAX][EW_DNS_TEXT_MAX + 1];
	int nrules;
};

static const struct domains_rule *find(const struct spec *s, unsigned id)
{
	for (int i = 0; i < s->nrules; i++)
		if (s->rules[i].rule_id == id)
			return &s->rules[i];
	return NULL;
}

static int kind(const char *w)
{
	static const char *const kinds[] = {"pass", "nxdomain", "notice", "nodata"};

	for (int i = 0; i < 4; i++)
		if (!strcmp(w, kinds[i]))
			return i;
	return -1;
}

/* One "key=value" of a rule line; text takes the rest of the line. */
static int option(struct spec *s, struct domains_rule *r, char *w, char **rest)
{
	char *v = strchr(w, '=');

	if (!v)
		return -1;
	*v++ = '\0';
	if (!strcmp(w, "a"))
		return r->has_v4 = inet_pton(AF_INET, v, r->addr4) == 1, r->has_v4 ? 0 : -1;
	if (!strcmp(w, "aaaa"))
		return r->has_v6 = inet_pton(AF_INET6, v, r->addr6) == 1, r->has_v6 ? 0 : -1;
	if (!strcmp(w, "ede"))
		return r->ede = (uint8_t)atoi(v), 0;
	if (!strcmp(w, "ttl"))
		return r->ttl = (uint32_t)atoi(v), 0;
	if (!strcmp(w, "other"))
		return r->other = EW_DNS_NXDOMAIN, strcmp(v, "nxdomain") ? -1 : 0;
	if (strcmp(w, "text"))
		return -1;
	snprintf(s->text[s->nrules], sizeof(s->text[0]), "%s%s%s", v, *rest ? " " : "",
		 *rest ? *rest : "");
	r->text = s->text[s->nrules];
	*rest = NULL;
	return 0;
}

static int rule(struct spec *s, char *args)
{
	struct domains_rule *r = &s->rules[s->nrules];
	char *id = strtok_r(args, " \t", &args), *k = strtok_r(NULL, " \t", &args), *w;

	if (s->nrules == RULES_MAX || !id || !k || kind(k) < 0)
		return -1;
	memset(r, 0, sizeof(*r));
	r->rule_id = (uint32_t)atoi(id);
	r->kind = (uint8_t)kind(k);
	while (args && (w = strtok_r(NULL, " \t", &args)))
		if (option(s, r, w, &args))
			return -1;
	s->nrules++;
	return 0;
}

static int names(struct spec *s, char *args)
{
	char *g = strtok_r(args, " \t", &args), *n = strtok_r(NULL, " \t", &args);
	char *pat = strtok_r(NULL, " \t", &args), *id = strtok_r(NULL, " \t", &args), name[300];
	const struct domains_rule *r = id ? find(s, (unsigned)atoi(id)) : NULL;

	if (!r || !pat)
		return -1;
	for (int i = 0; i < atoi(n); i++) {
		snprintf(name, sizeof(name), pat, i);
		if (domains_set(s->d, (uint32_t)atoi(g), name, r))
			return -1;
	}
	return 0;
}

static int line(struct spec *s, char *l)
{
	char *rest, *w = strtok_r(l, " \t\n", &rest), *a, *b, *c;

	if (!w || *w == '#')
		return 0;
	rest[strcspn(rest, "\n")] = '\0';
	if (!strcmp(w, "rule"))
		return rule(s, rest);
	if (!strcmp(w, "names"))
		return names(s, rest);
	a = strtok_r(NULL, " \t", &rest);
	b = strtok_r(NULL, " \t", &rest);
	c = strtok_r(NULL, " \t", &rest);
	if (!strcmp(w, "group") && a && b)
		return domains_group_text(s->d, a, (uint32_t)atoi(b));
	if (!strcmp(w, "name") && a && b && c && find(s, (unsigned)atoi(c)))
		return domains_set(s->d, (uint32_t)atoi(a), b, find(s, (unsigned)atoi(c)));
	return -1;
}

int main(void)
{
	static struct spec s;
	char buf[1024];
	int n = 0, rc = 0;

	s.d = domains_new();
	if (!s.d)
		return 1;
	while (!rc && fgets(buf, sizeof(buf), stdin)) {
		n++;
		if (line(&s, buf)) {
			fprintf(stderr, "ew_domains: line %d: %s\n", n,
				*domains_error(s.d) ? domains_error(s.d) : "bad line");
			rc = 1;
		}
	}
	if (!rc && domains_commit(s.d)) {
		fprintf(stderr, "ew_domains: %s\n", domains_error(s.d));
		rc = 1;
	}
	domains_free(s.d);
	return rc;
}
