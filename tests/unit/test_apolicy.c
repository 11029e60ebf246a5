// SPDX-License-Identifier: GPL-2.0
/* apolicy: the agent's policy generation. The config's lists are the
 * floor (a hit blocks whatever the rules say); the policy's lists join
 * the same registry and its rules decide their hits (block, monitor,
 * allow) on every list an object hit; HTTP requests by group and domain
 * list, warn rules through the acknowledgement hook; without a policy
 * every hit blocks and every request passes; a list named in both files
 * is refused with a message. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent/apolicy.h"

#define H64(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	       c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static const char policy_text[] =
	"lists:\n"
	"  - {name: pol-hash, type: sha256, entries: [\"" H64("a") "\"]}\n"
	"  - {name: mon-hash, type: sha256, entries: [\"" H64("b") "\"]}\n"
	"  - {name: sites, type: domain, entries: [blocked.example]}\n"
	"groups:\n"
	"  - {name: minors, prefixes: [10.10.1.0/24]}\n"
	"rules:\n"
	"  - {name: pol-block, match: {hash_list: pol-hash}, action: notice, http_status: 451}\n"
	"  - {name: pol-monitor, match: {hash_list: mon-hash}, action: monitor}\n"
	"  - {name: minors-sites, match: {group: minors, domain_list: sites}, action: notice}\n"
	"  - {name: warn-sites, match: {domain_list: sites, at: http}, action: warn}\n"
	"  - {name: rest, action: allow}\n";

static const uint8_t minor[16] = {[10] = 0xff, [11] = 0xff, 10, 10, 1, 1};
static const uint8_t adult[16] = {[10] = 0xff, [11] = 0xff, 10, 10, 9, 1};
static const uint8_t server[16] = {[10] = 0xff, [11] = 0xff, 10, 10, 2, 1};

struct fx {
	char dir[64], pol[96], list[96];
	struct listset ls;
	char spec[160], msg[160];
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A config list "known" (one digest, all c's) and the policy file. */
static void setup(struct fx *f, const char *config_name)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/ew_apolicy_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->pol, sizeof(f->pol), "%s/policy.yaml", f->dir);
	snprintf(f->list, sizeof(f->list), "%s/known.sha256", f->dir);
	write_file(f->pol, policy_text);
	write_file(f->list, H64("c") "\n");
	snprintf(f->spec, sizeof(f->spec), "%s=%s,category=csam", config_name, f->list);
	assert_int_equal(listset_add(&f->ls, LISTSET_HASH, f->spec, f->msg, sizeof(f->msg)), 0);
	assert_int_equal(listset_load(&f->ls, "test", stderr), 0);
}

static void teardown(struct fx *f)
{
	listset_free(&f->ls);
	unlink(f->pol);
	unlink(f->list);
	rmdir(f->dir);
}

/* A verdict that hit lists[0..n). */
static void verdict(struct obj_verdict *v, struct objsink_flow *fl, const uint8_t *client,
		    const char *const *lists, unsigned n)
{
	memset(v, 0, sizeof(*v));
	memset(fl, 0, sizeof(*fl));
	memcpy(fl->client, client, 16);
	memcpy(fl->server, server, 16);
	v->flow = fl;
	v->host = "img.example";
	v->uri = "/a.jpg";
	v->sniffed = "jpeg";
	v->distance = -1;
	for (unsigned i = 0; i < n; i++)
		objsink_verdict_hit(v, lists[i], "c", "sha256", fl->client, 16, -1);
}

static const char *rule(const struct apolicy_out *o)
{
	return o->rule ? o->rule->name : "(none)";
}

static void objects(void **state)
{
	static const char *const known[] = {"known"}, *const pol[] = {"pol-hash"},
				 *const mon[] = {"mon-hash"}, *const both[] = {"mon-hash", "pol-hash"},
				 *const floor_second[] = {"mon-hash", "known"};
	struct diag d = {0};
	struct fx f;
	struct apolicy *g;
	struct obj_verdict v;
	struct objsink_flow fl;
	struct apolicy_out o;

	(void)state;
	setup(&f, "known");
	g = apolicy_new(f.pol, &f.ls, NULL, &d);
	assert_non_null(g);
	assert_int_equal(strlen(g->version), 64);
	assert_int_equal(hashdb_groups(f.ls.db), 3); /* known, pol-hash, mon-hash */
	verdict(&v, &fl, adult, known, 1);
	apolicy_object(g, &v, NULL, 0, &o);
	assert_int_equal(o.action, POLICY_BLOCK);
	assert_true(o.floor);
	assert_null(o.rule); /* the catch-all allow does not apply to the floor */
	verdict(&v, &fl, adult, floor_second, 2);
	apolicy_object(g, &v, NULL, 0, &o);
	assert_true(o.floor);
	verdict(&v, &fl, adult, pol, 1);
	apolicy_object(g, &v, NULL, 0, &o);
	assert_int_equal(o.action, POLICY_NOTICE);
	assert_string_equal(rule(&o), "pol-block");
	assert_int_equal(o.rule->http_status, 451);
	verdict(&v, &fl, adult, mon, 1);
	apolicy_object(g, &v, NULL, 0, &o);
	assert_int_equal(o.action, POLICY_MONITOR);
	/* every list that hit counts, not only the first */
	verdict(&v, &fl, adult, both, 2);
	apolicy_object(g, &v, NULL, 0, &o);
	assert_string_equal(rule(&o), "pol-block");
	verdict(&v, &fl, adult, NULL, 0);
	apolicy_object(g, &v, NULL, 0, &o);
	assert_int_equal(o.action, POLICY_ALLOW);
	assert_string_equal(rule(&o), "rest");
	apolicy_free(g);
	teardown(&f);
}

static bool always(void *ctx, const uint8_t *client, const char *category, uint64_t ack_ns)
{
	(void)client, (void)ack_ns;
	return !strcmp(category, ctx);
}

static void requests(void **state)
{
	struct apolicy_hooks h = {always, "warn-sites"};
	struct apolicy_request r = {.client = minor, .server = server,
				    .host = "BLOCKED.example:80", .uri = "/"};
	struct diag d = {0};
	struct apolicy_out o;
	struct apolicy *g;
	struct fx f;

	(void)state;
	setup(&f, "known");
	g = apolicy_new(f.pol, &f.ls, NULL, &d);
	assert_non_null(g);
	apolicy_request(g, &r, NULL, 0, &o);
	assert_int_equal(o.action, POLICY_NOTICE);
	assert_string_equal(rule(&o), "minors-sites");
	assert_int_equal(o.rule->http_status, 403);
	r.client = adult;
	apolicy_request(g, &r, NULL, 0, &o);
	assert_int_equal(o.action, POLICY_WARN);
	apolicy_request(g, &r, &h, 0, &o); /* acknowledged */
	assert_int_equal(o.action, POLICY_ALLOW);
	assert_string_equal(rule(&o), "warn-sites");
	r.host = "other.example";
	apolicy_request(g, &r, NULL, 0, &o);
	assert_int_equal(o.action, POLICY_ALLOW);
	assert_string_equal(apolicy_event_action(POLICY_NOTICE), "block");
	assert_string_equal(apolicy_event_action(POLICY_WARN), "warn");
	apolicy_free(g);
	teardown(&f);
}

static void without_policy(void **state)
{
	static const char *const known[] = {"known"};
	struct apolicy_request r = {.client = minor, .server = server, .host = "blocked.example"};
	struct diag d = {0};
	struct obj_verdict v;
	struct objsink_flow fl;
	struct apolicy_out o;
	struct apolicy *g;
	struct fx f;

	(void)state;
	setup(&f, "known");
	g = apolicy_new(NULL, &f.ls, NULL, &d);
	assert_non_null(g);
	assert_string_equal(g->version, "");
	verdict(&v, &fl, adult, known, 1);
	apolicy_object(g, &v, NULL, 0, &o);
	assert_int_equal(o.action, POLICY_BLOCK);
	verdict(&v, &fl, adult, NULL, 0);
	apolicy_object(g, &v, NULL, 0, &o);
	assert_int_equal(o.action, POLICY_ALLOW);
	apolicy_request(g, &r, NULL, 0, &o);
	assert_int_equal(o.action, POLICY_ALLOW);
	apolicy_free(g);
	teardown(&f);
}

static void name_in_both(void **state)
{
	struct diag d = {0};
	struct fx f;

	(void)state;
	setup(&f, "pol-hash");
	assert_null(apolicy_new(f.pol, &f.ls, NULL, &d));
	assert_int_equal(d.errors, 1);
	assert_non_null(strstr(d.msgs[0].text, "list 'pol-hash' is named both in the policy and "
						"in the agent's config (give one of them another "
						"name)"));
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(objects),
		cmocka_unit_test(requests),
		cmocka_unit_test(without_policy),
		cmocka_unit_test(name_in_both),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
