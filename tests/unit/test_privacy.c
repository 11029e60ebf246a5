// SPDX-License-Identifier: GPL-2.0
/* privacy: pseudonyms are stable per key and differ across keys, every
 * "client" address is replaced (v4 and v6, flow and subscriber), strings
 * that only look like the key are left alone, and no-history clients keep
 * nothing but their block events, pseudonymised and marked. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "log/privacy.h"

static const uint8_t k1[] = "pseudonym-key-one-0123", k2[] = "pseudonym-key-two-0123";

static int apply(struct privacy *p, const char *in, char *out)
{
	size_t n = 0;
	int rc = privacy_apply(p, in, strlen(in), out, 4096, &n);

	if (!rc && !n)
		strcpy(out, in);
	else
		out[n] = '\0';
	return rc;
}

static void pseudonyms_stable_per_key(void **state)
{
	struct privacy *a = privacy_new(k1, sizeof(k1) - 1, NULL, 0);
	struct privacy *b = privacy_new(k2, sizeof(k2) - 1, NULL, 0);
	uint8_t addr[16] = {[10] = 0xff, [11] = 0xff, 10, 0, 0, 5};
	char x[32], y[32], z[32];

	(void)state;
	privacy_pseudonym(a, addr, x);
	privacy_pseudonym(a, addr, y);
	privacy_pseudonym(b, addr, z);
	assert_string_equal(x, y);
	assert_string_not_equal(x, z);
	assert_int_equal(strlen(x), PRIVACY_PSEUDO_LEN);
	assert_memory_equal(x, "anon-", 5);
	privacy_free(a);
	privacy_free(b);
}

static void every_client_replaced(void **state)
{
	struct privacy *p = privacy_new(k1, sizeof(k1) - 1, NULL, 0);
	char out[4096], ps[32];
	uint8_t a4[16] = {[10] = 0xff, [11] = 0xff, 10, 0, 0, 5};

	(void)state;
	privacy_pseudonym(p, a4, ps);
	assert_int_equal(apply(p, "{\"event\":\"block\",\"flow\":{\"client\":\"10.0.0.5\","
				  "\"server\":\"192.0.2.1\"},\"subscriber\":{\"client\":\"10.0.0.5\","
				  "\"group\":null},\"uri\":\"/a,\\\"client\\\":\\\"10.0.0.5\"}",
			       out),
			 0);
	assert_null(strstr(out, ":\"10.0.0.5\"")); /* only the escaped one in the URI is left */
	assert_non_null(strstr(out, "\"server\":\"192.0.2.1\"")); /* not a subscriber */
	assert_non_null(strstr(out, ps));
	assert_non_null(strstr(out, "\\\"client\\\":\\\"10.0.0.5\"")); /* inside a string */
	assert_non_null(strstr(out, "\"group\":null"));
	assert_int_equal(apply(p, "{\"flow\":{\"client\":\"2001:db8::7\"}}", out), 0);
	assert_null(strstr(out, "2001:db8::7"));
	assert_int_equal(apply(p, "{\"event\":\"summary\",\"files\":1}", out), 0);
	assert_string_equal(out, "{\"event\":\"summary\",\"files\":1}");
	privacy_free(p);
}

static void no_history_keeps_only_blocks(void **state)
{
	struct privacy_prefix nh = {.addr = {[10] = 0xff, [11] = 0xff, 10, 1}, .bits = 96 + 16};
	struct privacy *p = privacy_new(k1, sizeof(k1) - 1, &nh, 1);
	char out[4096];

	(void)state;
	assert_int_equal(apply(p, "{\"event\":\"object\",\"flow\":{\"client\":\"10.1.9.9\"}}", out),
			 1);
	assert_int_equal(apply(p, "{\"event\":\"match\",\"flow\":{\"client\":\"10.1.0.1\"}}", out), 1);
	assert_int_equal(apply(p, "{\"event\":\"block\",\"flow\":{\"client\":\"10.1.9.9\"},"
				  "\"subscriber\":{\"client\":\"10.1.9.9\",\"group\":null}}",
			       out),
			 0);
	assert_null(strstr(out, "10.1.9.9"));
	assert_non_null(strstr(out, "\"group\":\"no_history\""));
	/* outside the prefix: kept, pseudonymised, no group */
	assert_int_equal(apply(p, "{\"event\":\"object\",\"flow\":{\"client\":\"10.2.0.1\"}}", out),
			 0);
	assert_null(strstr(out, "10.2.0.1"));
	assert_null(privacy_new(NULL, 0, &nh, 1)); /* no history needs a key */
	privacy_free(p);
}

/* The hook's clients (a policy group's) count as no-history ones; a block
 * event that names their group keeps the name. */
static bool in_minors(void *ctx, const uint8_t a[16])
{
	(*(int *)ctx)++;
	return a[12] == 10 && a[13] == 7;
}

static void hook_adds_no_history_clients(void **state)
{
	struct privacy *p = privacy_new(k1, sizeof(k1) - 1, NULL, 0);
	char out[4096];
	int calls = 0;

	(void)state;
	privacy_set_hook(p, in_minors, &calls);
	assert_int_equal(apply(p, "{\"event\":\"object\",\"flow\":{\"client\":\"10.7.0.3\"}}", out),
			 1);
	assert_int_equal(apply(p, "{\"event\":\"block\",\"flow\":{\"client\":\"10.7.0.3\"},"
				  "\"subscriber\":{\"client\":\"10.7.0.3\",\"group\":\"minors\"}}",
			       out),
			 0);
	assert_null(strstr(out, "10.7.0.3"));
	assert_non_null(strstr(out, "\"group\":\"minors\""));
	assert_int_equal(apply(p, "{\"event\":\"object\",\"flow\":{\"client\":\"10.8.0.3\"}}", out),
			 0);
	assert_null(strstr(out, "10.8.0.3"));
	assert_int_equal(calls, 4); /* once per client member */
	privacy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pseudonyms_stable_per_key),
		cmocka_unit_test(every_client_replaced),
		cmocka_unit_test(no_history_keeps_only_blocks),
		cmocka_unit_test(hook_adds_no_history_clients),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
