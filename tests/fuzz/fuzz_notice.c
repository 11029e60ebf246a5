// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: what notice/ reads from outside, with its invariants
 * checked. The first byte chooses:
 *   even: the rest is an Accept-Language field: at most the entries asked
 *         for, heaviest first, tags short and well-formed, weights 0..1000;
 *         a language is always chosen when the set has the template;
 *   odd:  the rest is a template: parsed, and when valid rendered with
 *         values full of markup: no value's markup reaches the page (as
 *         many '<' as the template's runs hold), no "{{" is left. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notice/notice.h"

static size_t count(const char *s, size_t n, char c)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

static void accept_language(const char *s)
{
	static struct notice_set *set;
	struct notice_range r[4];
	struct diag d = {0};
	int n = notice_lang_parse(s, r, 4);

	if (!set) {
		set = notice_set_new("en");
		notice_set_add(set, "f", "block", "en", "e", 1, &d);
		notice_set_add(set, "f", "block", "hi-IN", "h", 1, &d);
	}
	assert(n >= 0 && n <= 4);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(r[i].tag);

		assert(len > 0 && len < NOTICE_LANG_MAX && r[i].q <= 1000);
		assert(strspn(r[i].tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					"0123456789-*") == len);
		assert(!i || r[i - 1].q >= r[i].q);
	}
	assert(notice_lang_choose(set, "block", s, s));
	assert(!notice_lang_choose(set, "warn", s, NULL));
}

static void template(const char *s, size_t n)
{
	struct notice_set *set = notice_set_new("en");
	struct notice_vars v = {.rule = "<r>",
				.category = "\"c'",
				.contact = "<&>",
				.host = "<h",
				.url = "u>",
				.law = "&",
				.ack_url = "<",
				.token = "'",
				.ref = ">",
				.time = "\""};
	static char out[4 * NOTICE_FILE_MAX];
	struct diag d = {0};
	int len, st;

	if (!notice_set_add(set, "f", "block", "en", s, n, &d)) {
		assert(!d.errors);
		len = notice_render(set, NOTICE_BLOCK, "", &v, out, sizeof(out), &st);
		assert(len >= 0 && st == 451 && !out[len]);
		assert(count(out, (size_t)len, '<') == count(s, n, '<'));
		assert(!memmem(out, (size_t)len, "{{", 2));
	} else {
		assert(d.errors > 0);
	}
	notice_set_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (!size || size > 8192)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] & 1)
		template(s, size - 1);
	else
		accept_language(s);
	free(s);
	return 0;
}
