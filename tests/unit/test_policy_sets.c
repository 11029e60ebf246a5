// SPDX-License-Identifier: GPL-2.0
/* The policy's tables and clocks: strmap against a brute force, domain
 * names (case, trailing dot, IDN to punycode, wildcards below a suffix
 * only), prefixes (parse, longest match, inherited list bits), URL
 * prefixes, and tzone's local time against the C library's (TZ set in
 * this single-threaded test, which is what tzone exists to avoid) over
 * zones with and without daylight time, both hemispheres, negative DST
 * and odd offsets, from 1970 to 2100, around every transition. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "policy/cidrset.h"
#include "policy/domset.h"
#include "policy/strmap.h"
#include "policy/tzone.h"
#include "policy/urlset.h"

static void strmap_many(void **state)
{
	struct strmap m = {0};
	char k[32];
	uint32_t v;

	(void)state;
	for (uint32_t i = 0; i < 20000; i++) {
		int n = snprintf(k, sizeof(k), "key-%u", i * 7919u);

		assert_int_equal(strmap_put(&m, k, (size_t)n, i, NULL), 0);
	}
	assert_int_equal(strmap_put(&m, "key-0", 5, 99, &v), 1);
	assert_int_equal(v, 0);
	for (uint32_t i = 0; i < 20000; i++) {
		int n = snprintf(k, sizeof(k), "key-%u", i * 7919u);

		assert_true(strmap_get(&m, k, (size_t)n, &v));
		assert_int_equal(v, i ? i : 99);
		k[n - 1] ^= 0x40; /* a near miss */
		assert_false(strmap_get(&m, k, (size_t)n, &v) && v == i && i);
	}
	assert_false(strmap_get(&m, "", 0, &v));
	assert_int_equal(strmap_put(&m, "", 0, 5, NULL), 0); /* the empty key is a key */
	assert_true(strmap_get(&m, "", 0, &v) && v == 5);
	strmap_free(&m);
}

static void norm(const char *in, const char *want, bool wild)
{
	char out[DOMAIN_MAX + 1];
	size_t len;
	const char *why = NULL;
	bool w;

	if (domain_normalize(in, strlen(in), out, &len, &w, &why))
		fail_msg("'%s': %s", in, why);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	assert_int_equal(w, wild);
}

static void bad(const char *in, const char *why_want)
{
	char out[DOMAIN_MAX + 1];
	size_t len;
	const char *why = NULL;
	bool w;

	assert_int_equal(domain_normalize(in, strlen(in), out, &len, &w, &why), -EINVAL);
	assert_string_equal(why, why_want);
}

static void domains(void **state)
{
	char long_label[80], key[DOMAIN_MAX + 1];

	(void)state;
	norm("Example.COM.", "example.com", false);
	norm("*.Sub.Example", "sub.example", true);
	norm("bücher.example", "xn--bcher-kva.example", false);
	norm("*.BÜCHER.example", "xn--bcher-kva.example", true);
	norm("xn--bcher-kva.example", "xn--bcher-kva.example", false);
	norm("_dmarc.example", "_dmarc.example", false);
	bad("", "no name");
	bad("*.", "no name");
	bad("a..b", "an empty label");
	bad("a b.example", "a character other than letters, digits, '-', '_' and '.'");
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	bad(long_label, "a label longer than 63 characters");
	/* lookups: port, case, dot */
	assert_int_equal(domain_key("WWW.Example.com:8080", 20, true, key), 15);
	assert_string_equal(key, "www.example.com");
	assert_int_equal(domain_key("[2001:db8::1]:80", 16, true, key), 16);
	assert_int_equal(domain_key("host:1", 6, false, key), 6); /* not a Host: kept */
	assert_int_equal(domain_key("Bücher.Example.", 16, false, key), 21);
	assert_string_equal(key, "xn--bcher-kva.example");
}

static void lookup(const struct domset *s, const struct bitpool *bp, const char *name,
		   unsigned want)
{
	struct polbits got = {0};
	char key[DOMAIN_MAX + 1];
	size_t n = domain_key(name, strlen(name), false, key);

	domset_lookup(s, bp, key, n, &got);
	assert_int_equal(got.w[0], want);
}

static void domain_lists(void **state)
{
	struct domset s = {0};
	struct bitpool bp = {0};

	(void)state;
	assert_int_equal(domset_add(&s, &bp, "shop.test", 9, true, 0), 0);  /* list 0: *.shop.test */
	assert_int_equal(domset_add(&s, &bp, "shop.test", 9, false, 1), 0); /* list 1: shop.test */
	assert_int_equal(domset_add(&s, &bp, "a.shop.test", 11, false, 2), 0);
	assert_int_equal(domset_add(&s, &bp, "a.shop.test", 11, false, 3), 0);
	lookup(&s, &bp, "shop.test", 1u << 1);		     /* the wildcard is below it */
	lookup(&s, &bp, "x.shop.test", 1u << 0);
	lookup(&s, &bp, "A.Shop.Test.", 1u << 0 | 1u << 2 | 1u << 3);
	lookup(&s, &bp, "b.a.shop.test", 1u << 0);
	lookup(&s, &bp, "shop.test.evil", 0);
	lookup(&s, &bp, "noshop.test", 0);
	lookup(&s, &bp, "", 0);
	assert_int_equal(domset_entries(&s), 3);
	domset_free(&s);
	bitpool_free(&bp);
}

static void cidr(const char *s, const char *fmt_want, const char *why_want)
{
	const char *why = NULL;
	char out[64];
	struct cidr c;
	int rc = cidr_parse(s, strlen(s), &c, &why);

	if (why_want) {
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(why, why_want);
		return;
	}
	assert_int_equal(rc, 0);
	cidr_format(&c, out, sizeof(out));
	assert_string_equal(out, fmt_want);
}

static void a16(const char *s, uint8_t *a)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a + 12) == 1)
		a[10] = a[11] = 0xff;
	else
		assert_int_equal(inet_pton(AF_INET6, s, a), 1);
}

static int merge(void *ctx, uint32_t mine, uint32_t shorter, uint32_t *out)
{
	(void)ctx;
	*out = mine | shorter;
	return 0;
}

static void prefixes(void **state)
{
	static const struct {
		const char *p;
		uint32_t bit;
	} add[] = {{"10.0.0.0/8", 1}, {"10.1.0.0/16", 2}, {"10.1.2.0/24", 4}, {"0.0.0.0/0", 8},
		   {"2001:db8::/32", 16}, {"2001:db8:1::/48", 32}, {"::/0", 64}};
	static const struct {
		const char *a;
		uint32_t want;
	} q[] = {{"10.1.2.3", 1 | 2 | 4 | 8}, {"10.1.3.3", 1 | 2 | 8}, {"10.9.9.9", 1 | 8},
		 {"11.0.0.1", 8}, {"2001:db8:1::1", 16 | 32 | 64}, {"2001:db9::1", 64},
		 {"::ffff:10.1.2.3", 1 | 2 | 4 | 8}};
	struct cidrset s = {0};
	const char *why;
	struct cidr c;
	uint8_t a[16];
	uint32_t v;

	(void)state;
	cidr("192.0.2.0/24", "192.0.2.0/24", NULL);
	cidr("192.0.2.7", "192.0.2.7/32", NULL);
	cidr("2001:DB8::/32", "2001:db8::/32", NULL);
	cidr("192.0.2.1/24", NULL, "address bits set past the prefix length");
	cidr("192.0.2.0/33", NULL, "a prefix length over 32");
	cidr("::/129", NULL, "a prefix length over 128");
	cidr("192.0.2.0/", NULL, "a bad prefix length");
	cidr("192.0.2.0/2x", NULL, "a bad prefix length");
	cidr("host.example", NULL, "not an IPv4 or IPv6 address");
	for (size_t i = 0; i < sizeof(add) / sizeof(add[0]); i++) {
		assert_int_equal(cidr_parse(add[i].p, strlen(add[i].p), &c, &why), 0);
		assert_int_equal(cidrset_add(&s, &c, add[i].bit, NULL), 0);
	}
	assert_int_equal(cidrset_add(&s, &c, 1, &v), 1); /* there already, kept */
	assert_int_equal(v, 64);
	assert_int_equal(cidrset_inherit(&s, merge, NULL), 0);
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		a16(q[i].a, a);
		assert_true(cidrset_lookup(&s, a, &v));
		assert_int_equal(v, q[i].want);
	}
	assert_int_equal(cidrset_count(&s), 7);
	cidrset_free(&s);
}

static void url_match(struct urlset *u, struct bitpool *bp, const char *host,
		      const char *target, unsigned want)
{
	struct polbits got = {0};
	char key[DOMAIN_MAX + 1];
	size_t n = domain_key(host, strlen(host), true, key);

	urlset_lookup(u, bp, key, n, target, strlen(target), &got);
	assert_int_equal(got.w[0], want);
}

static void urls(void **state)
{
	static const char *const entries[] = {"files.example/a/", "http://Files.Example:80/a/b",
					      "https://whole.example", "files.example/a/b?x=1"};
	struct urlset u = {0};
	struct bitpool bp = {0};
	char host[DOMAIN_MAX + 1];
	const char *path, *why;
	size_t hl, pl;

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(url_parse(entries[i], strlen(entries[i]), host, &hl, &path, &pl, &why),
				 0);
		assert_int_equal(urlset_add(&u, &bp, host, hl, path, pl, i), 0);
	}
	assert_int_equal(url_parse("*.x.example/", 12, host, &hl, &path, &pl, &why), -EINVAL);
	url_match(&u, &bp, "files.example", "/a/", 1);
	url_match(&u, &bp, "files.example", "/a/bc", 1 | 2);
	url_match(&u, &bp, "FILES.example:8080", "/a/b?x=1&y", 1 | 2 | 8);
	url_match(&u, &bp, "files.example", "/A/", 0); /* paths keep their case */
	url_match(&u, &bp, "files.example", "/", 0);
	url_match(&u, &bp, "files.example", "http://files.example/a/x", 1);
	url_match(&u, &bp, "whole.example", "/anything", 4);
	url_match(&u, &bp, "whole.example", "", 4);
	url_match(&u, &bp, "other.example", "/a/", 0);
	urlset_free(&u);
	bitpool_free(&bp);
}

/* ---- time zones -------------------------------------------------------------------- */

/* The C library's offset of zone at t. */
static long libc_offset(const char *zone, time_t t)
{
	struct tm tm;
	char tz[80];

	snprintf(tz, sizeof(tz), ":%s", zone);
	setenv("TZ", tz, 1);
	tzset();
	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

static void zone_against_libc(const char *name)
{
	struct tzone z;
	const char *why;
	uint64_t x = 88172645463325252ull;
	long want;

	if (tzone_load(&z, NULL, name, &why))
		fail_msg("%s: %s", name, why);
	for (int i = 0; i < 20000; i++) { /* 1970..2100 at random */
		time_t t;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		t = (time_t)(x % (130ull * 365 * 86400));
		want = libc_offset(name, t);
		if (tzone_offset(&z, t) != want)
			fail_msg("%s at %lld: %d, libc %ld", name, (long long)t, tzone_offset(&z, t),
				 want);
	}
	for (size_t i = 0; i < z.n; i++) /* each side of every transition */
		for (int d = -1; d <= 0; d++) {
			time_t t = (time_t)(z.trans[i] + d);

			if (tzone_offset(&z, t) != libc_offset(name, t))
				fail_msg("%s at transition %lld%+d", name, (long long)z.trans[i], d);
		}
	tzone_free(&z);
}

static void zones(void **state)
{
	static const char *const names[] = {
		"UTC",		  "Asia/Kolkata",   "Europe/Berlin",  "America/New_York",
		"Australia/Sydney", "America/Sao_Paulo", "Pacific/Chatham", "America/St_Johns",
		"Asia/Tehran",	  "Europe/Dublin",  "Africa/Casablanca", "Asia/Kathmandu",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		zone_against_libc(names[i]);
	unsetenv("TZ");
}

static void local_time(void **state)
{
	struct tzone z;
	const char *why;
	int wday, minute;

	(void)state;
	assert_int_equal(tzone_load(&z, NULL, "Asia/Kolkata", &why), 0);
	tzone_local(&z, 1714581000, &wday, &minute); /* 2024-05-01 16:30Z: Wed 22:00 IST */
	assert_int_equal(wday, 3);
	assert_int_equal(minute, 22 * 60);
	tzone_local(&z, -1, &wday, &minute); /* 1969-12-31 23:59:59Z: Thu 05:29 IST */
	assert_int_equal(wday, 4);
	assert_int_equal(minute, 5 * 60 + 29);
	tzone_free(&z);
	assert_int_equal(tzone_load(&z, NULL, "../etc/passwd", &why), -EINVAL);
	assert_int_equal(tzone_load(&z, NULL, "No/Such_Zone", &why), -ENOENT);
	assert_int_equal(tzone_load(&z, "/etc", "passwd", &why), -EINVAL); /* not TZif */
	tzone_free(&z);
}

static void posix_rules(void **state)
{
	struct tz_posix p;

	(void)state;
	assert_int_equal(tz_posix_parse("IST-5:30", &p), 0);
	assert_int_equal(tz_posix_offset(&p, 0), 19800);
	assert_int_equal(tz_posix_parse("<+0545>-5:45", &p), 0);
	assert_int_equal(tz_posix_offset(&p, 0), 20700);
	assert_int_equal(tz_posix_parse("CET-1CEST,M3.5.0,M10.5.0/3", &p), 0);
	assert_int_equal(tz_posix_offset(&p, 4102444800), 3600);	 /* 2100-01-01 */
	assert_int_equal(tz_posix_offset(&p, 4118083200), 7200);	 /* 2100-07-01 */
	assert_int_equal(tz_posix_parse("AEST-10AEDT,M10.1.0,M4.1.0/3", &p), 0);
	assert_int_equal(tz_posix_offset(&p, 4102444800), 39600); /* southern summer */
	assert_int_equal(tz_posix_parse("<-03>3<-02>,J60/-1,300/25", &p), 0);
	assert_int_equal(tz_posix_parse("EST5EDT", &p), 0); /* US rules by default */
	assert_int_equal(tz_posix_offset(&p, 4118083200), -4 * 3600);
	assert_int_equal(tz_posix_parse("X1", &p), -EINVAL);
	assert_int_equal(tz_posix_parse("CET-1CEST,M13.5.0,M10.5.0", &p), -EINVAL);
	assert_int_equal(tz_posix_parse("CET-1CEST,M3.5.0", &p), -EINVAL);
	assert_int_equal(tz_posix_parse("CET-1CEST,M3.5.0,M10.5.0/3x", &p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strmap_many), cmocka_unit_test(domains),
		cmocka_unit_test(domain_lists), cmocka_unit_test(prefixes),
		cmocka_unit_test(urls),	       cmocka_unit_test(zones),
		cmocka_unit_test(local_time),  cmocka_unit_test(posix_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
