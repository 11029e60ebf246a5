// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the policy parser over arbitrary text (YAML or not). List
 * files are not read (policy_opts.no_files); nDPI's names are a small
 * table. Invariants:
 *  - the policy is made exactly when no error is counted;
 *  - every message is NUL-terminated, kept ones at most DIAG_MAX_MSGS,
 *    and every position it names lies in the text (lines as libyaml
 *    counts them; column <= that line's length + 1; or the end of text);
 *  - a text that compiles compiles again the same: same messages, same
 *    version, same rules, same decisions on a set of inputs;
 *  - decisions name one of its rules, tags one of its rules. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

static const char *const apps[] = {"Unknown", "HTTP", "TLS", "DNS", "YouTube", "Steam", NULL};
static const char *const cats[] = {"Unspecified", "Media", "Web", "Game", NULL};

static int lookup(const char *const *t, const char *name)
{
	for (int i = 1; t[i]; i++)
		if (!strcmp(t[i], name))
			return i;
	return -1;
}

static int app_id(void *ctx, const char *n)
{
	(void)ctx;
	return lookup(apps, n);
}

static int cat_id(void *ctx, const char *n)
{
	(void)ctx;
	return lookup(cats, n);
}

/* Bytes of a line break at t[i..n) as libyaml counts them (CR LF, CR,
 * LF, and in UTF-8 NEL, LS, PS), 0 if none. */
static size_t line_break(const char *t, size_t i, size_t n)
{
	const unsigned char *u = (const unsigned char *)t + i;

	if (u[0] == '\r')
		return i + 1 < n && u[1] == '\n' ? 2 : 1;
	if (u[0] == '\n')
		return 1;
	if (i + 1 < n && u[0] == 0xc2 && u[1] == 0x85)
		return 2;
	if (i + 2 < n && u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9))
		return 3;
	return 0;
}

/* Bytes in line `line` (1-based) of text, or -1 past the end. libyaml
 * counts columns in characters, which are never more than the bytes. */
static long line_len(const char *t, size_t n, unsigned long line)
{
	unsigned long l = 1;
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		size_t br = i < n ? line_break(t, i, n) : 1;

		if (!br)
			continue;
		if (l == line)
			return (long)(i - start);
		l++;
		i += br - 1;
		start = i + 1;
	}
	return -1;
}

static void check_msgs(const struct diag *d, const char *text, size_t n)
{
	if (d->nmsgs > DIAG_MAX_MSGS || d->nmsgs > d->errors + d->warnings)
		abort();
	for (unsigned i = 0; i < d->nmsgs; i++) {
		const char *m = d->msgs[i].text;
		unsigned long line, col;
		long len;

		if (!memchr(m, 0, DIAG_MSG_LEN) || !memchr(d->msgs[i].src, 0, sizeof(d->msgs[i].src)))
			abort();
		if (strncmp(m, "fuzz.yaml:", 10) || sscanf(m + 10, "%lu:%lu:", &line, &col) != 2)
			continue; /* no position */
		len = line_len(text, n, line);
		/* libyaml puts the end of a text without a final line break at
		 * the start of one more line */
		if (len < 0 && col == 1 && line > 1 && line_len(text, n, line - 1) >= 0)
			len = 0;
		if (!line || len < 0 || !col || col > (unsigned long)len + 1)
			abort();
	}
}

static void decide_some(const struct policy *p, int64_t *sum)
{
	static const uint8_t client[16] = {[10] = 0xff, [11] = 0xff, 10, 1, 2, 3};
	static const struct policy_hit hit = {"l", false};
	struct policy_input in = {.client = client, .server = client, .name = "a.example",
				  .name_len = 9, .url = "/x", .url_len = 2, .app_known = true,
				  .app = 4, .app_master = 2, .app_category = 1,
				  .content_type = "jpeg", .hits = &hit, .nhits = 1,
				  .now = 1714581000};
	struct policy_decision out;

	for (int at = 0; at < POLICY_AT_MAX; at++) {
		in.at = (enum policy_point)at;
		policy_decide(p, &in, &out);
		if (out.rule && (out.rule->index >= policy_rules(p) ||
				 policy_rule(p, out.rule->index) != out.rule))
			abort();
		*sum = *sum * 31 + (out.rule ? (int64_t)out.rule->index : -1) * 8 + out.action;
	}
}

static int tag_ok(void *ctx, const struct policy_tag *t)
{
	const struct policy *p = ctx;

	if (t->rule->index >= policy_rules(p) || !t->nports)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_names names = {app_id, cat_id, NULL};
	struct policy_opts o = {.names = &names, .no_files = true};
	const char *text = (const char *)data;
	struct policy *p, *q;
	struct diag d, d2;
	int64_t s1 = 0, s2 = 0;

	p = policy_parse("fuzz.yaml", text, size, NULL, &o, &d);
	check_msgs(&d, text, size);
	if (!p != (d.errors != 0))
		abort();
	if (!p)
		return 0;
	q = policy_parse("fuzz.yaml", text, size, NULL, &o, &d2);
	if (!q || d2.errors || d2.warnings != d.warnings || d2.nmsgs != d.nmsgs ||
	    memcmp(d.msgs, d2.msgs, sizeof(d.msgs[0]) * d.nmsgs) ||
	    strcmp(policy_version(p), policy_version(q)) || policy_rules(p) != policy_rules(q))
		abort();
	decide_some(p, &s1);
	decide_some(q, &s2);
	if (s1 != s2 || policy_tags(p, tag_ok, p))
		abort();
	policy_free(q);
	policy_free(p);
	return 0;
}
