// SPDX-License-Identifier: GPL-2.0
/* Policy decision cost, against a baseline in the same run. An ISP-sized
 * policy (N domain entries, a tenth of them wildcards, N/10 IP prefixes,
 * N/10 URLs, three groups, eleven rules with names, URLs, addresses,
 * applications and time windows in a named zone) is written to a
 * temporary folder and compiled; then policy_decide runs on a mix of
 * inputs (DNS, TLS, HTTP with a URL, a new flow with an nDPI app, an
 * object with a hit), half of whose names are listed.
 *   compile: seconds, RSS growth per list entry
 *   decisions: ns each (median of 5 rounds of CPU time), by point
 *   baseline: a linear scan of the domain entries for one name, as a
 *     plain list would do it (suffix compare), ns per name
 * Usage: policy_bench [N]   (default 1000000) */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "policy/policy.h"

#define ROUNDS 5
#define QUERIES 200000

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static size_t rss(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0, res = 0;

	if (f) {
		if (fscanf(f, "%lu %lu", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (size_t)sysconf(_SC_PAGESIZE);
}

static void name_of(uint64_t i, char *out, size_t n)
{
	snprintf(out, n, "site%llu.example%llu.test", (unsigned long long)i,
		 (unsigned long long)(i % 97));
}

/* The lists and the policy in dir. */
static void write_policy(const char *dir, size_t n)
{
	char path[512], name[128];
	FILE *d, *ip, *url, *pol;

	snprintf(path, sizeof(path), "%s/domains.txt", dir);
	d = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/ips.txt", dir);
	ip = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/urls.txt", dir);
	url = fopen(path, "w");
	for (size_t i = 0; i < n; i++) {
		name_of(i, name, sizeof(name));
		fprintf(d, "%s%s\n", i % 10 ? "" : "*.", name);
		if (i % 10 == 1) {
			fprintf(ip, "%u.%u.%u.0/24\n", 11 + (unsigned)(i >> 16 & 63),
				(unsigned)(i >> 8 & 255), (unsigned)(i & 255));
			fprintf(url, "%s/path/%zu/\n", name, i);
		}
	}
	fclose(d), fclose(ip), fclose(url);
	snprintf(path, sizeof(path), "%s/policy.yaml", dir);
	pol = fopen(path, "w");
	fputs("defaults: {timezone: Asia/Kolkata}\n"
	      "lists:\n"
	      "  - {name: doms, type: domain, file: domains.txt}\n"
	      "  - {name: ips, type: ip, file: ips.txt}\n"
	      "  - {name: urls, type: url, file: urls.txt}\n"
	      "  - {name: few, type: domain, entries: ['*.few.example', a.example]}\n"
	      "groups:\n"
	      "  - {name: minors, prefixes: [100.64.10.0/24, '2001:db8:10::/48']}\n"
	      "  - {name: staff, prefixes: [10.0.0.0/8]}\n"
	      "  - {name: subscribers, prefixes: [100.64.0.0/10]}\n"
	      "rules:\n"
	      "  - {name: urls, match: {url_list: urls}, action: notice}\n"
	      "  - {name: few, match: {domain_list: few}, action: block}\n"
	      "  - {name: ips, match: {ip_list: ips}, action: block}\n"
	      "  - {name: minors-doms, match: {group: minors, domain_list: doms}, action: notice}\n"
	      "  - {name: minors-night, match: {group: minors, app_category: Game, time: {from: "
	      "'22:00', to: '06:00'}}, action: block}\n"
	      "  - {name: minors-school, match: {group: minors, app: [YouTube, Steam], time: "
	      "{days: mon-fri, from: '09:00', to: '15:00'}}, action: block}\n"
	      "  - {name: staff-all, match: {group: staff}, action: monitor}\n"
	      "  - {name: doms-warn, match: {domain_list: doms}, action: warn}\n"
	      "  - {name: p2p, match: {app: BitTorrent}, action: monitor}\n"
	      "  - {name: programs, match: {content_type: executable}, action: monitor}\n"
	      "  - {name: rest, action: allow}\n",
	      pol);
	fclose(pol);
}

static int app(void *ctx, const char *name)
{
	static const char *const a[] = {"", "YouTube", "Steam", "BitTorrent", "TLS", NULL};

	(void)ctx;
	for (int i = 1; a[i]; i++)
		if (!strcmp(a[i], name))
			return i;
	return -1;
}

static int category(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "Game") ? -1 : 8;
}

struct input_set {
	struct policy_input in[1024];
	char names[1024][96];
	uint8_t addr[1024][2][16];
};

static void map4(uint8_t *a, uint32_t v4)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	v4 = htonl(v4);
	memcpy(a + 12, &v4, 4);
}

static void make_inputs(struct input_set *s, size_t n, enum policy_point at)
{
	static const struct policy_hit hit = {"not-a-list", false};

	for (int i = 0; i < 1024; i++) {
		struct policy_input *in = &s->in[i];
		uint64_t r = rng();

		memset(in, 0, sizeof(*in));
		in->at = at;
		/* half listed; some one label below a listed name */
		memcpy(s->names[i], "www.", 4);
		name_of(r % (2 * n), s->names[i] + 4, sizeof(s->names[i]) - 4);
		if (r % 10)
			memmove(s->names[i], s->names[i] + 4, strlen(s->names[i] + 4) + 1);
		map4(s->addr[i][0], 0x64400000u | (uint32_t)(r >> 20 & 0x3fffff)); /* 100.64/10 */
		map4(s->addr[i][1], (uint32_t)(r >> 32));
		in->client = s->addr[i][0], in->server = s->addr[i][1];
		in->name = s->names[i], in->name_len = strlen(s->names[i]);
		in->url = "/path/12345/x.jpg", in->url_len = 17;
		in->app_known = at == POLICY_AT_FLOW || at == POLICY_AT_TLS;
		in->app = (uint16_t)(1 + r % 4), in->app_category = 8;
		in->content_type = at == POLICY_AT_OBJECT ? "jpeg" : NULL;
		in->hits = at == POLICY_AT_OBJECT ? &hit : NULL, in->nhits = in->hits != NULL;
		in->now = 1714581000 + (int64_t)(r % 86400);
	}
}

/* ns per decision: median of ROUNDS rounds of QUERIES decisions. */
static double decide_ns(const struct policy *p, const struct input_set *s, unsigned *sink)
{
	double t[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		struct policy_decision out;
		double t0 = cpu();

		for (int i = 0; i < QUERIES; i++) {
			policy_decide(p, &s->in[i & 1023], &out);
			*sink += out.rule ? out.rule->index : 0;
		}
		t[r] = (cpu() - t0) / QUERIES * 1e9;
	}
	for (int i = 0; i < ROUNDS; i++) /* median */
		for (int j = i + 1; j < ROUNDS; j++)
			if (t[j] < t[i]) {
				double x = t[i];

				t[i] = t[j], t[j] = x;
			}
	return t[ROUNDS / 2];
}

/* The baseline: every entry compared with one name (exact, or a suffix
 * after a dot for a wildcard), as a list read into an array would be. */
static double scan_ns(size_t n, unsigned *sink)
{
	char (*e)[64] = malloc(n * sizeof(*e)), q[96];
	int queries = 50;
	double t0;

	for (size_t i = 0; i < n; i++)
		name_of(i, e[i], sizeof(e[i]));
	t0 = cpu();
	for (int k = 0; k < queries; k++) {
		size_t ql;

		name_of(rng() % (2 * n), q, sizeof(q));
		ql = strlen(q);
		for (size_t i = 0; i < n; i++) {
			size_t el = strlen(e[i]);

			*sink += el <= ql && !memcmp(q + ql - el, e[i], el) &&
				 (el == ql || q[ql - el - 1] == '.');
		}
	}
	free(e);
	return (cpu() - t0) / queries * 1e9;
}

int main(int argc, char **argv)
{
	static const enum policy_point pts[] = {POLICY_AT_DNS, POLICY_AT_TLS, POLICY_AT_HTTP,
						POLICY_AT_FLOW, POLICY_AT_OBJECT};
	struct policy_names names = {app, category, NULL};
	struct policy_opts o = {.names = &names};
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	char dir[] = "/tmp/ew_policy_bench_XXXXXX", path[600];
	struct input_set *s = malloc(sizeof(*s));
	unsigned sink = 0;
	struct policy *p;
	size_t before;
	struct diag d;
	double t0, scan;

	if (!mkdtemp(dir) || !s)
		return 1;
	write_policy(dir, n);
	snprintf(path, sizeof(path), "%s/policy.yaml", dir);
	before = rss();
	t0 = cpu();
	p = policy_load(path, &o, &d);
	if (!p) {
		diag_print(&d, stderr);
		return 1;
	}
	printf("policy of %zu domains, %zu prefixes, %zu URLs: compiled in %.2f s CPU, "
	       "%.1f bytes of RSS per entry\n", n, n / 10, n / 10, cpu() - t0,
	       (double)(rss() - before) / (double)(n + n / 5));
	scan = scan_ns(n, &sink);
	printf("baseline: linear scan of the %zu domain entries: %.0f ns per name\n", n, scan);
	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
		double ns;

		make_inputs(s, n, pts[i]);
		ns = decide_ns(p, s, &sink);
		printf("policy_decide at %-6s %6.0f ns  (%.0fx faster than the scan)\n",
		       policy_point_name(pts[i]), ns, scan / ns);
	}
	policy_free(p);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path))
		return 1;
	free(s);
	return sink == 0xdeadbeef; /* keep the work */
}
