// SPDX-License-Identifier: GPL-2.0
/* poldns, dnstables: the policy compiled into the kernel's domain tables.
 * A decision table (rules in order x names x groups x time -> the entry
 * the tables hold and its answer), and for every name and group the
 * tables' longest-match lookup (done here over the compiled entries, as
 * the TC program does it: the name, then its parents longest first)
 * against policy_decide at the DNS point. The answers (kind, EDE, text,
 * the notice server's addresses), the groups' numbering, the next
 * recompile of time windows and the warnings of `policy check`. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "agent/dnstables.h"
#include "policy/policy.h"

static const char policy_text[] =
	"notice_server: {ipv4: 192.0.2.80, ipv6: \"2001:db8::80\"}\n"
	"defaults: {contact: \"help@isp.test\"}\n"
	"lists:\n"
	"  - {name: court, type: domain, entries: [court.test, \"*.court.test\", deep.a.court.test]}\n"
	"  - {name: kids, type: domain, entries: [play.adult.test]}\n"
	"  - {name: adult, type: domain, entries: [adult.test, \"*.adult.test\"]}\n"
	"  - {name: broad, type: domain, entries: [\"*.example\"]}\n"
	"  - {name: exc, type: domain, entries: [ok.example, \"*.ok.example\", example]}\n"
	"  - {name: ips, type: ip, entries: [192.0.2.0/24]}\n"
	"  - {name: night, type: domain, entries: [night.test]}\n"
	"groups:\n"
	"  - {name: minors, prefixes: [10.1.0.0/16]}\n"
	"  - {name: staff, prefixes: [10.2.0.0/16, \"fd00:2::/32\"]}\n"
	"  - {name: everyone}\n"
	"default_group: everyone\n"
	"rules:\n"
	"  - {name: court, match: {domain_list: court}, action: notice, ede: 16,\n"
	"     contact: Court order 42}\n"
	"  - {name: kids-ok, match: {group: minors, domain_list: kids}, action: allow}\n"
	"  - {name: minors-adult, match: {group: minors, domain_list: adult}, action: block,\n"
	"     ede: 17}\n"
	"  - {name: staff-all, match: {group: staff}, action: monitor}\n"
	"  - {name: broad, match: {domain_list: broad}, action: block}\n"
	"  - {name: exc, match: {domain_list: exc}, action: allow}\n"
	"  - {name: via-ip, match: {domain_list: adult, ip_list: ips}, action: block}\n"
	"  - {name: night, match: {domain_list: night, time: {from: \"22:00\", to: \"06:00\"}},\n"
	"     action: block}\n"
	"  - {name: adult-warn, match: {domain_list: adult}, action: warn}\n"
	"  - {name: rest, action: allow}\n";

#define NOON	 1714564800 /* 2024-05-01 12:00 UTC, a Wednesday */
#define ELEVENPM (NOON + 11 * 3600)

struct entry {
	unsigned group;
	char name[260];
	const struct policy_rule *rule;
};

struct tables {
	struct entry e[256];
	size_t n;
	unsigned prefixes;
};

static int on_group(void *ctx, const struct policy_prefix *pfx, unsigned g)
{
	struct tables *t = ctx;

	(void)pfx;
	(void)g;
	t->prefixes++;
	return 0;
}

static int on_name(void *ctx, unsigned g, const char *name, const struct policy_rule *r)
{
	struct tables *t = ctx;

	assert_true(t->n < 256);
	for (size_t i = 0; i < t->n; i++) /* no entry is given twice */
		assert_false(t->e[i].group == g && !strcmp(t->e[i].name, name));
	t->e[t->n].group = g;
	snprintf(t->e[t->n].name, sizeof(t->e[t->n].name), "%s", name);
	t->e[t->n++].rule = r;
	return 0;
}

static const struct entry *find(const struct tables *t, unsigned g, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].group == g && !strcmp(t->e[i].name, name))
			return &t->e[i];
	return NULL;
}

/* The tables' answer: the name itself, then "*.parent", longest first. */
static const struct entry *lookup(const struct tables *t, unsigned g, const char *name)
{
	const struct entry *e = find(t, g, name);
	char wild[260];

	for (const char *s = strchr(name, '.'); !e && s; s = strchr(s + 1, '.')) {
		snprintf(wild, sizeof(wild), "*%s", s);
		e = find(t, g, wild);
	}
	return e;
}

static struct policy *load(struct diag *d)
{
	struct policy_opts o = {0};
	struct policy *p = policy_parse("dns.yaml", policy_text, strlen(policy_text), NULL, &o, d);

	if (!p)
		fail_msg("%s", d->msgs[0].text);
	return p;
}

static void compile(const struct policy *p, int64_t now, struct tables *t)
{
	struct policy_dns_ops ops = {.group = on_group, .name = on_name, .ctx = t};

	memset(t, 0, sizeof(*t));
	assert_int_equal(policy_dns(p, now, &ops), 0);
}

static const char *const groups[] = {"10.1.0.5", "10.2.0.5", "10.9.0.5"}; /* minors, staff, everyone */

static void client(unsigned g, uint8_t a[16])
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	assert_int_equal(inet_pton(AF_INET, groups[g], a + 12), 1);
}

/* ---- the decision table ---------------------------------------------------------------- */

struct row {
	int64_t now;
	unsigned group;
	const char *name;
	const char *entry; /* the entry the tables hold for it; NULL: none */
	const char *rule;  /* its rule */
};

static const struct row rows[] = {
	{NOON, 0, "court.test", "court.test", "court"},
	{NOON, 1, "x.court.test", "*.court.test", "court"}, /* staff too: before staff-all */
	{NOON, 2, "deep.a.court.test", "*.court.test", "court"}, /* covered: left out */
	{NOON, 0, "play.adult.test", "play.adult.test", "kids-ok"},
	{NOON, 0, "www.adult.test", "*.adult.test", "minors-adult"},
	{NOON, 2, "play.adult.test", "*.adult.test", "adult-warn"},
	{NOON, 1, "www.adult.test", NULL, NULL}, /* staff-all ends staff's names */
	{NOON, 2, "www.example", "*.example", "broad"},
	{NOON, 2, "ok.example", "*.example", "broad"},	/* an earlier broad block wins */
	{NOON, 2, "a.ok.example", "*.example", "broad"},
	{NOON, 2, "example", "example", "exc"},		/* not below *.example */
	{NOON, 2, "night.test", NULL, NULL},		/* the window is closed */
	{ELEVENPM, 2, "night.test", "night.test", "night"},
	{ELEVENPM, 0, "night.test", "night.test", "night"},
	{NOON, 0, "court.test.", "court.test", "court"}, /* policy_decide's key drops the dot */
};

static void decision_table(void **state)
{
	struct diag d;
	struct policy *p = load(&d);
	struct tables t;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char name[260];
		const struct entry *e;

		compile(p, r->now, &t);
		snprintf(name, sizeof(name), "%s", r->name);
		if (name[strlen(name) - 1] == '.')
			name[strlen(name) - 1] = '\0';
		e = lookup(&t, r->group, name);
		if (!r->entry ? e != NULL : !e || strcmp(e->name, r->entry) ||
						    strcmp(e->rule->name, r->rule))
			fail_msg("row %zu (%s, group %u): entry %s (%s), want %s (%s)", i, r->name,
				 r->group, e ? e->name : "none", e ? e->rule->name : "-",
				 r->entry ? r->entry : "none", r->rule ? r->rule : "-");
	}
	assert_int_equal(t.prefixes, 3);
	policy_free(p);
}

/* ---- every name, every group: the tables answer as policy_decide does ------------------- */

static const char *const names[] = {
	"court.test", "a.court.test", "deep.a.court.test", "x.deep.a.court.test", "adult.test",
	"www.adult.test", "play.adult.test", "x.play.adult.test", "example", "www.example",
	"ok.example", "a.ok.example", "b.a.ok.example", "night.test", "x.night.test",
	"other.test", "test", "COURT.Test",
};

/* The tables hold no entry for a name only when the policy lets it pass
 * or decides it by a rule without a domain_list (which the tables cannot
 * hold: docs/policy.md, "DNS: the tables"). */
static void agree(const struct policy *p, const struct tables *t, int64_t now, unsigned g,
		  const char *name)
{
	char lower[64];
	uint8_t a[16];
	struct policy_input in = {.at = POLICY_AT_DNS, .client = a, .name = name,
				  .name_len = strlen(name), .now = now};
	struct policy_decision out;
	const struct entry *e;
	size_t i;

	for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	lower[i] = '\0';
	e = lookup(t, g, lower);
	client(g, a);
	policy_decide(p, &in, &out);
	assert_int_equal(out.group, g);
	if (e && e->rule == out.rule)
		return;
	if (!e && (!out.rule || !strcmp(out.rule->name, "staff-all") ||
		   !strcmp(out.rule->name, "rest")))
		return;
	fail_msg("%s for group %u at %lld: tables %s (%s), policy %s", name, g, (long long)now,
		 e ? e->name : "none", e ? e->rule->name : "-", out.rule ? out.rule->name : "none");
}

static void tables_agree(void **state)
{
	static const int64_t times[] = {NOON, ELEVENPM, NOON + 18 * 3600, NOON + 10 * 3600 - 60};
	struct diag d;
	struct policy *p = load(&d);
	struct tables t;

	(void)state;
	for (size_t k = 0; k < sizeof(times) / sizeof(times[0]); k++) {
		compile(p, times[k], &t);
		for (unsigned g = 0; g < 3; g++)
			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				agree(p, &t, times[k], g, names[i]);
	}
	policy_free(p);
}

/* ---- answers ------------------------------------------------------------------------------ */

static const struct policy_rule *rule(const struct policy *p, const char *name)
{
	for (unsigned i = 0; i < policy_rules(p); i++)
		if (!strcmp(policy_rule(p, i)->name, name))
			return policy_rule(p, i);
	fail_msg("no rule %s", name);
	return NULL;
}

static void answers(void **state)
{
	static const uint8_t v4[4] = {192, 0, 2, 80};
	uint8_t v6[16];
	char text[EW_DNS_TEXT_MAX + 1];
	struct diag d;
	struct policy *p = load(&d);
	struct domains_rule r;

	(void)state;
	inet_pton(AF_INET6, "2001:db8::80", v6);
	dnstables_rule(p, rule(p, "court"), &r, text);
	assert_int_equal(r.kind, EW_DNS_NOTICE);
	assert_int_equal(r.other, EW_DNS_NODATA);
	assert_int_equal(r.ede, 16);
	assert_string_equal(r.text, "Court order 42");
	assert_true(r.has_v4 && r.has_v6);
	assert_memory_equal(r.addr4, v4, 4);
	assert_memory_equal(r.addr6, v6, 16);
	assert_int_equal(r.rule_id, 0);
	dnstables_rule(p, rule(p, "minors-adult"), &r, text);
	assert_int_equal(r.kind, EW_DNS_NXDOMAIN);
	assert_int_equal(r.ede, 17);
	assert_string_equal(r.text, "help@isp.test");
	assert_false(r.has_v4 || r.has_v6);
	assert_int_equal(r.rule_id, 2);
	dnstables_rule(p, rule(p, "adult-warn"), &r, text); /* warn: passes, counted */
	assert_int_equal(r.kind, EW_DNS_PASS);
	assert_int_equal(r.rule_id, 8);
	dnstables_rule(p, rule(p, "kids-ok"), &r, text);
	assert_int_equal(r.kind, EW_DNS_PASS);
	assert_null(r.text);
	dnstables_rule(p, rule(p, "staff-all"), &r, text); /* monitor: passes, counted */
	assert_int_equal(r.kind, EW_DNS_PASS);
	assert_int_equal(r.rule_id, 3);
	/* groups: the default is the tables' 0 (a client in no prefix) */
	assert_int_equal(dnstables_group(p, 2), 0);
	assert_int_equal(dnstables_group(p, 0), 1);
	assert_int_equal(dnstables_group(p, 1), 2);
	policy_free(p);
}

/* EDE text past EW_DNS_TEXT_MAX bytes is cut on a character boundary. */
static void long_contact(void **state)
{
	char text[EW_DNS_TEXT_MAX + 1], yaml[1024], contact[400] = "";
	struct policy_opts o = {0};
	struct domains_rule r;
	struct diag d;
	struct policy *p;

	(void)state;
	for (int i = 0; i < 50; i++)
		strcat(contact, "\xe0\xa4\xb8"); /* 3 bytes each: 150 */
	snprintf(yaml, sizeof(yaml),
		 "lists: [{name: l, type: domain, entries: [a.test]}]\n"
		 "rules: [{name: r, match: {domain_list: l}, action: block, contact: \"%s\"}]\n",
		 contact);
	p = policy_parse("long.yaml", yaml, strlen(yaml), NULL, &o, &d);
	if (!p)
		fail_msg("%s", d.msgs[0].text);
	dnstables_rule(p, policy_rule(p, 0), &r, text);
	assert_int_equal(strlen(r.text), 126);
	assert_memory_equal(r.text, contact, 126);
	policy_free(p);
}

/* The staged set holds every entry; without a policy, none. */
static void staged(void **state)
{
	char err[320];
	struct diag d;
	struct policy *p = load(&d);
	struct tables t;
	struct domains *dm = dnstables_build(p, NOON, err, sizeof(err));

	(void)state;
	assert_non_null(dm);
	compile(p, NOON, &t);
	assert_int_equal(domains_names(dm), t.n);
	domains_free(dm);
	dm = dnstables_build(NULL, NOON, err, sizeof(err));
	assert_non_null(dm);
	assert_int_equal(domains_names(dm), 0);
	domains_free(dm);
	policy_free(p);
}

/* The next recompile: when night's window opens, then closes; none
 * without a window the tables depend on. */
static void next_change(void **state)
{
	static const char plain[] =
		"lists: [{name: l, type: domain, entries: [a.test]}, {name: i, type: ip, "
		"entries: [192.0.2.0/24]}]\n"
		"rules:\n"
		"  - {name: r, match: {domain_list: l}, action: block}\n"
		"  - {name: t, match: {ip_list: i, time: {from: \"22:00\", to: \"06:00\"}}, "
		"action: block}\n";
	struct policy_opts o = {0};
	struct diag d;
	struct policy *p = load(&d);

	(void)state;
	assert_int_equal(policy_dns_next(p, NOON), NOON + 10 * 3600);
	assert_int_equal(policy_dns_next(p, NOON + 10 * 3600 - 1), NOON + 10 * 3600);
	assert_int_equal(policy_dns_next(p, ELEVENPM), NOON + 18 * 3600);
	policy_free(p);
	p = policy_parse("plain.yaml", plain, strlen(plain), NULL, &o, &d);
	assert_non_null(p);
	assert_int_equal(policy_dns_next(p, NOON), 0);
	policy_free(p);
}

/* `policy check`'s warnings about DNS, exact. */
static void warnings(void **state)
{
	static const char *const want[] = {
		"dns.yaml:25:57: warning: rule 'via-ip' is not enforced at dns: the DNS tables "
		"cannot know its ip_list condition, so its names are answered by the rules after "
		"it (give it 'at' without dns to say so)",
	};
	struct diag d;
	struct policy *p = load(&d);

	(void)state;
	assert_int_equal(d.nmsgs, 1);
	assert_string_equal(d.msgs[0].text, want[0]);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decision_table), cmocka_unit_test(tables_agree),
		cmocka_unit_test(answers),	  cmocka_unit_test(long_contact),
		cmocka_unit_test(staged),	  cmocka_unit_test(next_change),
		cmocka_unit_test(warnings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
