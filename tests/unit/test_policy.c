// SPDX-License-Identifier: GPL-2.0
/* policy: the parser on a corpus of valid and invalid files with the exact
 * messages (tests/policy/{valid,invalid}: each file's "# expect:" lines
 * are its messages, in order, the file's folder cut off); the example
 * policies under policies/ load with their lists; the version follows
 * the lists; the decision table (group x list x app x time -> rule,
 * action); the tags for the kernel. nDPI's names come from classify/dpi,
 * as in `edgeward policy check`. Run from the repository root. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "classify/dpi.h"
#include "object/objsink.h"
#include "policy/policy.h"

#define CORPUS "tests/policy"

static int app_id(void *ctx, const char *name)
{
	return dpi_app_id(ctx, name);
}

static int category_id(void *ctx, const char *name)
{
	return dpi_category_id(ctx, name);
}

struct fx {
	struct dpi *dpi;
	struct policy_names names;
	struct policy_opts o;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->dpi = dpi_new();
	assert_non_null(f->dpi);
	f->names = (struct policy_names){app_id, category_id, f->dpi};
	f->o = (struct policy_opts){.names = &f->names, .lists = true};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	dpi_free(f->dpi);
	free(f);
	return 0;
}

/* ---- the corpus --------------------------------------------------------------------- */

/* The "# expect: " lines of path, into want[] (at most max). */
static size_t expected(const char *path, char want[][DIAG_MSG_LEN], size_t max)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	size_t n = 0;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, "# expect: ", 10) && n < max) {
			line[strcspn(line, "\n")] = '\0';
			line[10 + DIAG_MSG_LEN - 1] = '\0';
			memcpy(want[n++], line + 10, DIAG_MSG_LEN);
		}
	fclose(fp);
	return n;
}

/* Loads path; its messages (folder cut off) must be exactly its expects. */
static void one_file(const struct fx *f, const char *dir, const char *name, bool valid)
{
	char path[512], want[DIAG_MAX_MSGS][DIAG_MSG_LEN];
	size_t nwant, cut;
	struct policy *p;
	struct diag d;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cut = strlen(dir) + 1;
	nwant = expected(path, want, DIAG_MAX_MSGS);
	p = policy_load(path, &f->o, &d);
	if (valid != (p != NULL))
		fail_msg("%s: %s (%u errors, first: %s)", path, valid ? "refused" : "accepted",
			 d.errors, d.nmsgs ? d.msgs[0].text : "-");
	if (!valid)
		assert_int_equal(errno, EINVAL);
	for (size_t i = 0; i < d.nmsgs || i < nwant; i++) {
		const char *got = i < d.nmsgs ? d.msgs[i].text : "(nothing)";

		if (i >= nwant || strlen(got) < cut || strcmp(got + cut, want[i]))
			fail_msg("%s: message %zu:\n  got:  %s\n  want: %s", path, i + 1, got,
				 i < nwant ? want[i] : "(nothing)");
	}
	policy_free(p);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static size_t corpus_dir(const struct fx *f, const char *sub, bool valid)
{
	char dir[256];
	struct dirent **e;
	int n;
	size_t files = 0;

	snprintf(dir, sizeof(dir), "%s/%s", CORPUS, sub);
	n = scandir(dir, &e, NULL, by_name);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(e[i]->d_name);

		if (l > 5 && !strcmp(e[i]->d_name + l - 5, ".yaml")) {
			one_file(f, dir, e[i]->d_name, valid);
			files++;
		}
		free(e[i]);
	}
	free(e);
	return files;
}

static void corpus(void **state)
{
	struct fx *f = *state;

	assert_true(corpus_dir(f, "valid", true) >= 3);
	assert_true(corpus_dir(f, "invalid", false) >= 12);
}

/* Every shipped example passes, lists loaded into registries. */
static void examples(void **state)
{
	static const char *const files[] = {"policies/isp.yaml", "policies/enterprise.yaml"};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct diag d;
		struct policy *p = policy_load(files[i], &f->o, &d);

		if (!p || d.nmsgs)
			fail_msg("%s: %s", files[i], d.nmsgs ? d.msgs[0].text : "refused");
		assert_true(hashdb_entries(policy_hashdb(p)) > 0);
		assert_true(pdqdb_entries(policy_pdqdb(p)) > 0);
		assert_int_equal(strlen(policy_version(p)), 64);
		policy_free(p);
	}
}

/* The caret: a message carries its source line and column. */
static void caret(void **state)
{
	static const char text[] = "rules:\n  - {name: a, action: dorp}\n";
	struct fx *f = *state;
	struct diag d;

	assert_null(policy_parse("t.yaml", text, sizeof(text) - 1, NULL, &f->o, &d));
	assert_int_equal(d.errors, 1);
	assert_string_equal(d.msgs[0].text, "t.yaml:2:23: unknown action 'dorp' (expected allow, "
					    "monitor, block, notice or warn)");
	assert_string_equal(d.msgs[0].src, "  - {name: a, action: dorp}");
	assert_int_equal(d.msgs[0].col, 23);
}

/* The version hashes the text and the list files: a list that changes
 * gives another version, the same files the same one. */
static void version_follows_lists(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/ew_policy_XXXXXX", path[256], list[256], v1[65];
	struct policy *p;
	struct diag d;
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.yaml", dir);
	snprintf(list, sizeof(list), "%s/l.txt", dir);
	fp = fopen(path, "w");
	fputs("lists: [{name: l, type: domain, file: l.txt}]\n"
	      "rules: [{name: r, match: {domain_list: l}, action: block}]\n", fp);
	fclose(fp);
	for (int round = 0; round < 3; round++) {
		fp = fopen(list, "w");
		fputs(round == 2 ? "b.example\n" : "a.example\n", fp);
		fclose(fp);
		p = policy_load(path, &f->o, &d);
		assert_non_null(p);
		if (round == 0)
			snprintf(v1, sizeof(v1), "%s", policy_version(p));
		else if (round == 1)
			assert_string_equal(policy_version(p), v1);
		else
			assert_string_not_equal(policy_version(p), v1);
		policy_free(p);
	}
	unlink(path);
	unlink(list);
	rmdir(dir);
}

/* ---- decisions ---------------------------------------------------------------------- */

#define SHA "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
#define PDQ "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"

static const char table_policy[] =
	"defaults: {timezone: Asia/Kolkata}\n"
	"lists:\n"
	"  - {name: adult, type: domain, entries: ['*.adult.example', adult.example, "
	"bücher.example]}\n"
	"  - {name: courts, type: domain, entries: [court.example]}\n"
	"  - {name: urls, type: url, entries: [files.example/bad/, whole.example]}\n"
	"  - {name: bad-ips, type: ip, entries: [192.0.2.0/24, '2001:db8:bad::/48', "
	"192.0.2.128/25]}\n"
	"  - {name: csam, type: sha256, entries: [" SHA "]}\n"
	"  - {name: csam-pdq, type: pdq, entries: [" PDQ "]}\n"
	"groups:\n"
	"  - {name: minors, prefixes: [10.1.0.0/16, '2001:db8:1::/48'], no_history: true}\n"
	"  - {name: minors-vip, prefixes: [10.1.2.0/24]}\n"
	"  - {name: staff, prefixes: [10.0.0.0/8]}\n"
	"rules:\n"
	"  - {name: csam, match: {hash_list: csam}, action: notice, http_status: 451}\n"
	"  - {name: csam-pdq, match: {pdq_list: csam-pdq}, action: notice}\n"
	"  - {name: court, match: {domain_list: courts, at: dns}, action: block, dns: notice}\n"
	"  - {name: urls, match: {url_list: urls}, action: block}\n"
	"  - {name: bad-ips, match: {ip_list: bad-ips}, action: block}\n"
	"  - {name: minors-adult, match: {group: [minors, minors-vip], domain_list: adult}, "
	"action: notice, ede: 17}\n"
	"  - {name: minors-games-night, match: {group: minors, app_category: Game, "
	"time: {from: '22:00', to: '06:00'}}, action: block}\n"
	"  - {name: minors-youtube-school, match: {group: minors, app: YouTube, "
	"time: {days: mon-fri, from: '09:00', to: '15:00'}}, action: block}\n"
	"  - {name: staff-tls-youtube, match: {group: staff, app: TLS.YouTube}, action: monitor}\n"
	"  - {name: adult-warn, match: {domain_list: adult}, action: warn, category: adult,\n"
	"     acknowledge_for: 30m}\n"
	"  - {name: programs, match: {content_type: executable}, action: monitor}\n"
	"  - {name: staff-rest, match: {group: staff}, action: allow}\n";

#define WED_DAY	   "2024-05-01T04:30:00Z" /* Wednesday 10:00 in India */
#define WED_NIGHT  "2024-05-01T17:00:00Z" /* Wednesday 22:30 */
#define THU_DAWN   "2024-05-02T00:29:00Z" /* Thursday 05:59 */
#define THU_MORN   "2024-05-02T00:30:00Z" /* Thursday 06:00 */
#define SAT_DAY	   "2024-05-04T04:30:00Z" /* Saturday 10:00 */

struct row {
	enum policy_point at;
	const char *client, *server, *name, *url, *app, *type, *hit, *when;
	bool acked;
	const char *rule; /* NULL: none */
	enum policy_action action;
};

#define KID  "10.1.9.9"
#define VIP  "10.1.2.3"
#define STAFF "10.9.9.9"
#define ADULT "100.64.1.1"

static const struct row rows[] = {
	/* names: group x list, every name source, case, dot, port, IDN */
	{POLICY_AT_DNS, KID, NULL, "www.adult.example", .rule = "minors-adult", .action = POLICY_NOTICE},
	{POLICY_AT_DNS, VIP, NULL, "ADULT.example.", .rule = "minors-adult", .action = POLICY_NOTICE},
	{POLICY_AT_TLS, ADULT, NULL, "a.b.adult.example", .rule = "adult-warn", .action = POLICY_WARN},
	{POLICY_AT_TLS, ADULT, NULL, "a.b.adult.example", .acked = true, .rule = "adult-warn",
	 .action = POLICY_ALLOW},
	{POLICY_AT_QUIC, STAFF, NULL, "xn--bcher-kva.example", .rule = "adult-warn",
	 .action = POLICY_WARN},
	{POLICY_AT_HTTP, KID, NULL, "bücher.example:8080", .rule = "minors-adult",
	 .action = POLICY_NOTICE},
	{POLICY_AT_DNS, ADULT, NULL, "notadult.example", .rule = NULL, .action = POLICY_ALLOW},
	{POLICY_AT_DNS, ADULT, NULL, "example", .rule = NULL, .action = POLICY_ALLOW},
	/* a rule limited to dns */
	{POLICY_AT_DNS, STAFF, NULL, "court.example", .rule = "court", .action = POLICY_BLOCK},
	{POLICY_AT_TLS, STAFF, NULL, "court.example", .rule = "staff-rest", .action = POLICY_ALLOW},
	/* URLs: prefix, whole host, absolute form, another path */
	{POLICY_AT_HTTP, ADULT, NULL, "files.example", "/bad/1.jpg", .rule = "urls",
	 .action = POLICY_BLOCK},
	{POLICY_AT_HTTP, ADULT, NULL, "FILES.example:80", "http://files.example/bad/", .rule = "urls",
	 .action = POLICY_BLOCK},
	{POLICY_AT_HTTP, ADULT, NULL, "files.example", "/good/1.jpg", .rule = NULL,
	 .action = POLICY_ALLOW},
	{POLICY_AT_OBJECT, ADULT, NULL, "whole.example", "/anything?x=1", .rule = "urls",
	 .action = POLICY_BLOCK},
	{POLICY_AT_DNS, ADULT, NULL, "files.example", "/bad/", .rule = NULL, .action = POLICY_ALLOW},
	/* destinations, IPv4 and IPv6, at every point */
	{POLICY_AT_FLOW, STAFF, "192.0.2.200", .rule = "bad-ips", .action = POLICY_BLOCK},
	{POLICY_AT_TLS, KID, "2001:db8:bad:1::1", "x.example", .rule = "bad-ips",
	 .action = POLICY_BLOCK},
	{POLICY_AT_FLOW, STAFF, "192.0.3.1", .rule = "staff-rest", .action = POLICY_ALLOW},
	/* object hits, exact and PDQ, and the kind must agree */
	{POLICY_AT_OBJECT, STAFF, NULL, "x.example", "/a.jpg", .hit = "csam", .rule = "csam",
	 .action = POLICY_NOTICE},
	{POLICY_AT_OBJECT, STAFF, NULL, NULL, NULL, .hit = "csam-pdq:pdq", .rule = "csam-pdq",
	 .action = POLICY_NOTICE},
	{POLICY_AT_OBJECT, ADULT, NULL, NULL, NULL, .hit = "csam-pdq", .rule = NULL,
	 .action = POLICY_ALLOW},
	{POLICY_AT_OBJECT, ADULT, NULL, NULL, NULL, .hit = "not-ours", .rule = NULL,
	 .action = POLICY_ALLOW},
	{POLICY_AT_HTTP, STAFF, NULL, NULL, NULL, .hit = "csam", .rule = "staff-rest",
	 .action = POLICY_ALLOW},
	/* applications x time x group */
	{POLICY_AT_FLOW, KID, .app = "Steam", .when = WED_NIGHT, .rule = "minors-games-night",
	 .action = POLICY_BLOCK},
	{POLICY_AT_FLOW, KID, .app = "Steam", .when = THU_DAWN, .rule = "minors-games-night",
	 .action = POLICY_BLOCK},
	{POLICY_AT_FLOW, KID, .app = "Steam", .when = THU_MORN, .rule = NULL, .action = POLICY_ALLOW},
	{POLICY_AT_FLOW, KID, .app = "Steam", .when = WED_DAY, .rule = NULL, .action = POLICY_ALLOW},
	{POLICY_AT_FLOW, VIP, .app = "Steam", .when = WED_NIGHT, .rule = NULL, .action = POLICY_ALLOW},
	{POLICY_AT_TLS, KID, .app = "TLS.YouTube", .when = WED_DAY, .rule = "minors-youtube-school",
	 .action = POLICY_BLOCK},
	{POLICY_AT_QUIC, KID, .app = "QUIC.YouTube", .when = WED_DAY,
	 .rule = "minors-youtube-school", .action = POLICY_BLOCK},
	{POLICY_AT_FLOW, KID, .app = "YouTube", .when = SAT_DAY, .rule = NULL, .action = POLICY_ALLOW},
	{POLICY_AT_FLOW, KID, .app = "YouTube", .when = WED_NIGHT, .rule = NULL,
	 .action = POLICY_ALLOW},
	{POLICY_AT_FLOW, STAFF, .app = "TLS.YouTube", .rule = "staff-tls-youtube",
	 .action = POLICY_MONITOR},
	{POLICY_AT_FLOW, STAFF, .app = "QUIC.YouTube", .rule = "staff-rest", .action = POLICY_ALLOW},
	{POLICY_AT_FLOW, STAFF, .rule = "staff-rest", .action = POLICY_ALLOW},
	/* IPv6 clients, clients in no group, no client */
	{POLICY_AT_DNS, "2001:db8:1::5", NULL, "adult.example", .rule = "minors-adult",
	 .action = POLICY_NOTICE},
	{POLICY_AT_DNS, "2001:db8:2::5", NULL, "adult.example", .rule = "adult-warn",
	 .action = POLICY_WARN},
	{POLICY_AT_DNS, NULL, NULL, "adult.example", .rule = "adult-warn", .action = POLICY_WARN},
	/* sniffed types */
	{POLICY_AT_OBJECT, ADULT, .type = "exe", .rule = "programs", .action = POLICY_MONITOR},
	{POLICY_AT_OBJECT, ADULT, .type = "jpeg", .rule = NULL, .action = POLICY_ALLOW},
};

static bool acked(void *ctx, const uint8_t *client, const char *category, uint64_t ack_ns)
{
	(void)ctx, (void)client;
	return !strcmp(category, "adult") && ack_ns == 1800 * 1000000000ull; /* the rule's */
}

static void addr(const char *s, uint8_t *a)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a + 12) == 1)
		a[10] = a[11] = 0xff;
	else
		assert_int_equal(inet_pton(AF_INET6, s, a), 1);
}

/* The input of row r (app names through nDPI). */
static void input(const struct fx *f, const struct row *r, struct policy_input *in,
		  uint8_t *client, uint8_t *server, struct policy_hit *hit)
{
	struct tm tm = {0};

	memset(in, 0, sizeof(*in));
	in->at = r->at;
	if (r->client)
		addr(r->client, client), in->client = client;
	if (r->server)
		addr(r->server, server), in->server = server;
	in->name = r->name, in->name_len = r->name ? strlen(r->name) : 0;
	in->url = r->url, in->url_len = r->url ? strlen(r->url) : 0;
	in->content_type = r->type;
	if (r->app) {
		const char *dot = strchr(r->app, '.');
		char m[32];

		snprintf(m, sizeof(m), "%.*s", dot ? (int)(dot - r->app) : (int)strlen(r->app),
			 r->app);
		in->app_known = true;
		in->app = (uint16_t)dpi_app_id(f->dpi, dot ? dot + 1 : r->app);
		in->app_master = dot ? (uint16_t)dpi_app_id(f->dpi, m) : in->app;
		in->app_category = (uint16_t)dpi_app_category(f->dpi, in->app);
	}
	if (r->hit) {
		const char *colon = strchr(r->hit, ':');

		hit->list = colon ? strndup(r->hit, (size_t)(colon - r->hit)) : strdup(r->hit);
		hit->pdq = colon != NULL;
		in->hits = hit, in->nhits = 1;
	}
	strptime(r->when ? r->when : WED_DAY, "%Y-%m-%dT%H:%M:%SZ", &tm);
	in->now = (int64_t)timegm(&tm);
	in->acked = r->acked ? acked : NULL;
}

static void decision_table(void **state)
{
	struct fx *f = *state;
	struct diag d;
	struct policy *p = policy_parse("table.yaml", table_policy, strlen(table_policy), NULL,
					&f->o, &d);

	if (!p)
		fail_msg("%s", d.msgs[0].text);
	assert_int_equal(d.nmsgs, 0);
	assert_int_equal(dpi_app_category(f->dpi, (unsigned)dpi_app_id(f->dpi, "Steam")),
			 (unsigned)dpi_category_id(f->dpi, "Game"));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		uint8_t client[16], server[16];
		struct policy_hit hit = {0};
		struct policy_input in;
		struct policy_decision out;

		input(f, r, &in, client, server, &hit);
		policy_decide(p, &in, &out);
		if ((out.rule ? out.rule->name : NULL) != r->rule &&
		    (!out.rule || !r->rule || strcmp(out.rule->name, r->rule)))
			fail_msg("row %zu (%s %s): rule %s, want %s", i, policy_point_name(r->at),
				 r->name ? r->name : r->app ? r->app : "-",
				 out.rule ? out.rule->name : "none", r->rule ? r->rule : "none");
		if (out.action != r->action)
			fail_msg("row %zu: action %s, want %s", i, policy_action_name(out.action),
				 policy_action_name(r->action));
		assert_int_equal(out.acknowledged, r->acked);
		free((char *)hit.list);
	}
	policy_free(p);
}

/* An object's verdict, as objsink hands it over, decides through
 * policy_input_object: the PDQ hit on csam-pdq, the exact one on csam. */
static void from_verdict(void **state)
{
	struct fx *f = *state;
	struct objsink_flow fl = {.id = 7};
	struct obj_verdict v = {.flow = &fl, .host = "Files.Example", .uri = "/ok.jpg", .hits = 1,
				.hash_type = "pdq"};
	struct policy_decision out;
	struct policy_input in;
	struct policy_hit hit;
	struct diag d;
	struct policy *p = policy_parse("table.yaml", table_policy, strlen(table_policy), NULL,
					&f->o, &d);

	assert_non_null(p);
	addr(STAFF, fl.client);
	addr("192.0.3.9", fl.server);
	snprintf(v.list, sizeof(v.list), "csam-pdq");
	policy_input_object(&in, &v, &hit);
	policy_decide(p, &in, &out);
	assert_string_equal(out.rule->name, "csam-pdq");
	v.hash_type = "sha256";
	snprintf(v.list, sizeof(v.list), "csam");
	policy_input_object(&in, &v, &hit);
	policy_decide(p, &in, &out);
	assert_string_equal(out.rule->name, "csam");
	v.hits = 0, v.uri = "/bad/x";
	policy_input_object(&in, &v, &hit);
	policy_decide(p, &in, &out);
	assert_string_equal(out.rule->name, "urls");
	assert_int_equal(out.group, 2); /* staff */
	policy_free(p);
}

/* Clients' groups (the most specific prefix, else the default) and which
 * keep no history. */
static void groups_of_clients(void **state)
{
	static const struct {
		const char *client, *group;
		bool no_history;
	} clients[] = {
		{"10.1.9.9", "minors", true},	  {"2001:db8:1::5", "minors", true},
		{"10.1.2.3", "minors-vip", false}, {"10.200.0.1", "staff", false},
		{"192.0.2.1", "default", false},
	};
	struct fx *f = *state;
	struct diag d;
	struct policy *p = policy_parse("table.yaml", table_policy, strlen(table_policy), NULL,
					&f->o, &d);
	uint8_t a[16];

	assert_non_null(p);
	for (size_t i = 0; i < sizeof(clients) / sizeof(clients[0]); i++) {
		unsigned g;

		addr(clients[i].client, a);
		g = policy_group_of(p, a);
		assert_string_equal(policy_group_name(p, g), clients[i].group);
		assert_int_equal(policy_group_no_history(p, g), clients[i].no_history);
	}
	assert_int_equal(policy_group_of(p, a), policy_default_group(p));
	policy_free(p);
}

/* ---- tags ------------------------------------------------------------------------- */

struct tag_log {
	char text[1024];
	size_t clients_of_minors_adult;
};

static int log_tag(void *ctx, const struct policy_tag *t)
{
	struct tag_log *l = ctx;

	snprintf(l->text + strlen(l->text), sizeof(l->text) - strlen(l->text), "%s/%s%s ",
		 t->rule->name, policy_inspect_name(t->inspect), t->steer ? "+steer" : "");
	if (!strcmp(t->rule->name, "minors-adult"))
		l->clients_of_minors_adult = t->nclients;
	if (t->inspect == POLICY_INSPECT_TLS)
		assert_int_equal(t->mirror_packets, POLICY_MIRROR_TLS);
	if (t->inspect == POLICY_INSPECT_APP)
		assert_int_equal(t->nports, 2);
	return 0;
}

/* Content rules give tags in order, with their groups' prefixes; rules on
 * addresses alone give none; a rule on a group alone takes that group
 * whole, and one with no condition everyone: nothing after is tagged. */
static void tags(void **state)
{
	static const char two[] =
		"groups: [{name: staff, prefixes: [10.0.0.0/8]}, {name: kids, prefixes: "
		"[10.1.0.0/16, 10.2.0.0/16]}]\n"
		"lists: [{name: d, type: domain, entries: [x.example]}]\n"
		"rules:\n"
		"  - {name: staff, match: {group: staff}, action: allow}\n"
		"  - {name: both, match: {group: [staff, kids], domain_list: d, at: tls}, action: block}\n"
		"  - {name: all, action: allow}\n"
		"  - {name: never, match: {domain_list: d}, action: block}\n";
	struct fx *f = *state;
	struct tag_log l = {0};
	struct diag d;
	struct policy *p = policy_parse("table.yaml", table_policy, strlen(table_policy), NULL,
					&f->o, &d);

	assert_non_null(p);
	assert_int_equal(policy_tags(p, log_tag, &l), 0);
	assert_string_equal(l.text,
			    "csam/body+steer csam-pdq/body+steer court/dns urls/http "
			    "minors-adult/dns minors-adult/tls minors-adult/quic minors-adult/http "
			    "minors-games-night/app minors-youtube-school/app staff-tls-youtube/app "
			    "adult-warn/dns adult-warn/tls adult-warn/quic adult-warn/http "
			    "programs/body+steer ");
	assert_int_equal(l.clients_of_minors_adult, 3); /* minors' two, minors-vip's one */
	policy_free(p);
	memset(&l, 0, sizeof(l));
	p = policy_parse("two.yaml", two, strlen(two), NULL, &f->o, &d);
	assert_non_null(p);
	assert_int_equal(d.warnings, 1); /* "never" is shadowed */
	assert_int_equal(policy_tags(p, log_tag, &l), 0);
	assert_string_equal(l.text, "both/tls ");
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(corpus),
		cmocka_unit_test(examples),
		cmocka_unit_test(caret),
		cmocka_unit_test(version_follows_lists),
		cmocka_unit_test(decision_table),
		cmocka_unit_test(from_verdict),
		cmocka_unit_test(groups_of_clients),
		cmocka_unit_test(tags),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
