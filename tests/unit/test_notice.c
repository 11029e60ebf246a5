// SPDX-License-Identifier: GPL-2.0
/* notice: templates (parsing, one test per diagnostic with its exact
 * message, the shipped set), rendering with exact output bytes,
 * Accept-Language parsing and the language chosen, the acknowledgement
 * table and its tokens with an injected clock, and the notice server on
 * loopback: disclaimer, acknowledge (POST only, the client's own token),
 * expiry, the block notice in the client's language. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ewtest.h"
#include "notice/notice.h"
#include "notice/server.h"

#define SEC 1000000000ull

static const uint8_t lo4[16] = {[10] = 0xff, [11] = 0xff, 127, 0, 0, 1};
static const uint8_t other4[16] = {[10] = 0xff, [11] = 0xff, 10, 0, 0, 7};

/* A set with tmpl as "block" in every language of langs ("en hi"). */
static struct notice_set *set_of(const char *def, const char *langs, const char *tmpl)
{
	struct notice_set *s = notice_set_new(def);
	char l[64], *save = NULL, *tok;
	struct diag d = {0};

	assert_non_null(s);
	snprintf(l, sizeof(l), "%s", langs);
	for (tok = strtok_r(l, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		assert_int_equal(notice_set_add(s, "t", "block", tok, tmpl, strlen(tmpl), &d), 0);
	return s;
}

/* ---- rendering ---------------------------------------------------------- */

static void render_exact(void **state)
{
	const char *tmpl = "<p lang=\"{{lang}}\">{{rule}}|{{ category }}|{{url}}|{{status}}|"
			   "{{contact}}{{host}}{{law}}{{ack_url}}{{token}}{{ref}}{{time}}</p>\n";
	struct notice_set *s = set_of("en", "en", tmpl);
	struct notice_vars v = {.rule = "r<1>",
				.category = "a&b",
				.url = "http://x/?q=\"'",
				.contact = "c",
				.host = "h",
				.law = "l",
				.ack_url = "/u",
				.token = "t",
				.ref = "9",
				.time = "T"};
	char buf[256];
	int st = 0, n;

	(void)state;
	n = notice_render(s, NOTICE_BLOCK, NULL, &v, buf, sizeof(buf), &st);
	assert_string_equal(buf, "<p lang=\"en\">r&lt;1&gt;|a&amp;b|http://x/?q=&quot;&#39;|451|"
				 "chl/ut9T</p>\n");
	assert_int_equal(n, (int)strlen(buf));
	assert_int_equal(st, 451);
	v.status = 403;
	notice_render(s, NOTICE_BLOCK, NULL, &v, buf, sizeof(buf), &st);
	assert_int_equal(st, 403);
	assert_non_null(strstr(buf, "|403|"));
	/* a missing value is empty; exactly fitting needs room for the NUL */
	memset(&v, 0, sizeof(v));
	n = notice_render(s, NOTICE_BLOCK, NULL, &v, buf, sizeof(buf), &st);
	assert_string_equal(buf, "<p lang=\"en\">|||451|</p>\n");
	assert_int_equal(notice_render(s, NOTICE_BLOCK, NULL, &v, buf, (size_t)n, &st), -ENOSPC);
	assert_int_equal(notice_render(s, NOTICE_BLOCK, NULL, &v, buf, (size_t)n + 1, &st), n);
	assert_int_equal(notice_render(s, NOTICE_BLOCK, NULL, &v, buf, 20, &st), -ENOSPC);
	/* no warn template: nothing to render; 200 would be its status */
	assert_int_equal(notice_render(s, NOTICE_WARN, NULL, &v, buf, sizeof(buf), &st), -ENOENT);
	assert_int_equal(st, 200);
	v.tmpl = "block";
	assert_int_equal(notice_render(s, NOTICE_WARN, NULL, &v, buf, sizeof(buf), &st), n);
	notice_set_free(s);
}

/* ---- diagnostics -------------------------------------------------------- */

static const char *first_error(const char *text, size_t len)
{
	static struct diag d;
	struct notice_set *s = notice_set_new("en");

	memset(&d, 0, sizeof(d));
	assert_int_equal(notice_set_add(s, "x.html", "block", "en", text, len, &d), -EINVAL);
	notice_set_free(s);
	assert_true(d.nmsgs > 0);
	return d.msgs[0].text;
}

static void diagnostics(void **state)
{
	char big[NOTICE_FILE_MAX + 1];
	struct notice_set *s = notice_set_new("en");
	struct diag d = {0};
	const char *two = "{{nope}}\n<b>{{rule</b>\n";

	(void)state;
	assert_string_equal(first_error("<p>\n  {{ rul }}</p>", 19),
			    "x.html:2:3: unknown placeholder '{{rul}}' (expected: rule, category, "
			    "contact, host, url, law, ack_url, token, ref, time, lang, status)");
	assert_string_equal(
		first_error("ab {{rule\n}}", 12),
		"x.html:1:4: '{{' without '}}' (placeholders are {{name}} on one line)");
	assert_string_equal(first_error("\xe0\xa4\x85 \xe0\xa4", 6),
			    "x.html:1:5: invalid UTF-8 (byte 0xe0)");
	assert_string_equal(first_error("\xc0\xaf", 2), "x.html:1:1: invalid UTF-8 (byte 0xc0)");
	assert_string_equal(first_error("a\nb\0c", 5), "x.html:2:2: NUL byte");
	memset(big, 'a', sizeof(big));
	assert_string_equal(first_error(big, sizeof(big)), "x.html: template of 65537 bytes "
							   "(at most 65536)");
	/* every problem is reported, with the line for the caret */
	assert_int_equal(notice_set_add(s, "y.html", "warn", "hi", two, strlen(two), &d), -EINVAL);
	assert_int_equal(d.errors, 2);
	assert_string_equal(d.msgs[1].text, "y.html:2:4: '{{' without '}}' (placeholders are "
					    "{{name}} on one line)");
	assert_string_equal(d.msgs[1].src, "<b>{{rule</b>");
	assert_int_equal(d.msgs[1].col, 4);
	notice_set_free(s);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void load_dir(void **state)
{
	char dir[] = "/tmp/ew_notice_XXXXXX", cmd[600];
	struct notice_set *s = NULL;
	struct diag d = {0};

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "README", "not a template");
	write_file(dir, "warn.hi.html", "w");
	assert_int_equal(notice_set_load(dir, "hi", &s, &d), -EINVAL);
	snprintf(cmd, sizeof(cmd),
		 "%s: no block template in the default language 'hi' "
		 "(expected %s/block.hi.html)",
		 dir, dir);
	assert_string_equal(d.msgs[0].text, cmd);
	write_file(dir, "block.hi.html", "b {{category}}");
	write_file(dir, "Block!.html", "x");
	memset(&d, 0, sizeof(d));
	assert_int_equal(notice_set_load(dir, "hi", &s, &d), -EINVAL);
	snprintf(cmd, sizeof(cmd),
		 "%s/Block!.html: not a template file name (expected "
		 "NAME.LANG.html: block.hi.html, warn.ta.html; NAME of a-z 0-9 _ -, LANG a "
		 "language tag)",
		 dir);
	assert_string_equal(d.msgs[0].text, cmd);
	snprintf(cmd, sizeof(cmd), "%s/Block!.html", dir);
	unlink(cmd);
	memset(&d, 0, sizeof(d));
	assert_int_equal(notice_set_load(dir, "hi", &s, &d), 0);
	assert_string_equal(notice_set_default_lang(s), "hi");
	assert_string_equal(notice_lang_choose(s, "warn", "en", NULL), "hi");
	notice_set_free(s);
	memset(&d, 0, sizeof(d));
	assert_int_equal(notice_set_load("/nonexistent-ew", "en", &s, &d), -ENOENT);
	assert_string_equal(d.msgs[0].text, "/nonexistent-ew: couldn't read the notice "
					    "templates: No such file or directory");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Every shipped template parses; the block notice and the disclaimer say
 * what they must in each language; nothing of the page is left unfilled. */
static void shipped_templates(void **state)
{
	static const struct {
		const char *lang, *block, *law, *button;
	} want[] = {
		{"en", "has been blocked", "POCSO", "I am 18 or older"},
		{"hi", "अवरुद्ध कर दी गई है", "पॉक्सो", "मेरी आयु 18 वर्ष"},
		{"ta", "தடுக்கப்பட்டுள்ளது", "போக்சோ", "எனக்கு 18 வயது"},
		{"bn", "অবরুদ্ধ করা হয়েছে", "পকসো", "আমার বয়স ১৮ বছর"},
	};
	struct notice_vars v = {.rule = "R7",
				.category = "adult",
				.contact = "help@isp.example",
				.url = "http://x.test/p",
				.token = "TOK",
				.ack_url = "/_ew/ack"};
	struct notice_set *s = NULL;
	struct diag d = {0};
	char buf[32768];
	int st;

	(void)state;
	assert_int_equal(notice_set_load(ewtest_repo("policies/notices"), "en", &s, &d), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		assert_true(notice_render(s, NOTICE_BLOCK, want[i].lang, &v, buf, sizeof(buf),
					  &st) > 0);
		assert_int_equal(st, 451);
		assert_non_null(strstr(buf, want[i].block));
		assert_non_null(strstr(buf, "help@isp.example"));
		assert_non_null(strstr(buf, "<dd>R7</dd>"));
		assert_null(strstr(buf, "{{"));
		assert_true(notice_render(s, NOTICE_WARN, want[i].lang, &v, buf, sizeof(buf), &st) >
			    0);
		assert_int_equal(st, 200);
		assert_non_null(strstr(buf, want[i].law));
		assert_non_null(strstr(buf, want[i].button));
		assert_non_null(strstr(buf, "name=\"token\" value=\"TOK\""));
		assert_non_null(strstr(buf, "<form method=\"post\" action=\"/_ew/ack\">"));
		assert_true(notice_render(s, NOTICE_ACKED, want[i].lang, &v, buf, sizeof(buf),
					  &st) > 0);
	}
	notice_set_free(s);
}

/* ---- languages ---------------------------------------------------------- */

static void accept_language(void **state)
{
	struct notice_range r[NOTICE_RANGES_MAX];
	int n;

	(void)state;
	n = notice_lang_parse(" en-US ;q=0.5, hi-IN,ta;Q=0.9 ,,*;q=0.1,bn;q=0.500", r, 16);
	assert_int_equal(n, 5);
	assert_string_equal(r[0].tag, "hi-IN");
	assert_int_equal(r[0].q, 1000);
	assert_string_equal(r[1].tag, "ta");
	assert_int_equal(r[1].q, 900);
	assert_string_equal(r[2].tag, "en-US"); /* equal weights keep their order */
	assert_string_equal(r[3].tag, "bn");
	assert_int_equal(r[3].q, 500);
	assert_string_equal(r[4].tag, "*");
	assert_int_equal(r[4].q, 100);
	/* malformed entries are skipped: q past 1, four decimals, not a
	 * weight, a digit first, an empty subtag, a subtag of nine */
	n = notice_lang_parse("en;q=1.1, fr;q=0.1234, de;level=1, 1a, hi-, ta-abcdefghi, "
			      "bn;q=1.000, x-a1;q=0",
			      r, 16);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].tag, "bn");
	assert_string_equal(r[1].tag, "x-a1");
	assert_int_equal(r[1].q, 0);
	assert_int_equal(notice_lang_parse(NULL, r, 16), 0);
	assert_int_equal(notice_lang_parse("a,b,c", r, 2), 2);
}

static void choose_language(void **state)
{
	struct notice_set *s = set_of("en", "en hi ta-IN bn", "x");

	(void)state;
	assert_string_equal(notice_lang_choose(s, "block", "ta-IN,ta;q=0.9", NULL), "ta-IN");
	assert_string_equal(notice_lang_choose(s, "block", "ta", NULL), "ta-IN");
	assert_string_equal(notice_lang_choose(s, "block", "HI-in, en;q=0.5", NULL), "hi");
	assert_string_equal(notice_lang_choose(s, "block", "fr, de;q=0.8, bn;q=0.2", NULL), "bn");
	/* none of the client's: the rule's, then the default */
	assert_string_equal(notice_lang_choose(s, "block", "fr", "hi"), "hi");
	assert_string_equal(notice_lang_choose(s, "block", "fr", NULL), "en");
	assert_string_equal(notice_lang_choose(s, "block", "", "xx"), "en");
	assert_string_equal(notice_lang_choose(s, "block", "fr, *;q=0.5", "hi"), "en");
	/* refused languages are left out, even the default */
	assert_string_equal(notice_lang_choose(s, "block", "en;q=0, fr", NULL), "hi");
	assert_string_equal(notice_lang_choose(s, "block", "hi;q=0", "hi"), "en");
	assert_string_equal(notice_lang_choose(s, "block", "en;q=0,hi;q=0,ta;q=0,bn;q=0", NULL),
			    "en");
	assert_null(notice_lang_choose(s, "warn", "hi", NULL));
	notice_set_free(s);
}

/* ---- acknowledgements ---------------------------------------------------- */

static void ack_table(void **state)
{
	struct ack_store *a = ack_store_new(8, 10 * SEC);
	struct ack_stats st;
	uint8_t addr[16];
	char big[ACK_CATEGORY_MAX + 1];

	(void)state;
	assert_non_null(a);
	assert_false(ack_check(a, lo4, "adult", 0, 0));
	assert_int_equal(ack_record(a, lo4, "adult", 100 * SEC), 0);
	assert_true(ack_check(a, lo4, "adult", 100 * SEC, 0));
	assert_true(ack_check(a, lo4, "adult", 110 * SEC - 1, 0));
	assert_false(ack_check(a, lo4, "adult", 110 * SEC, 0)); /* expired */
	/* a rule's shorter acknowledge_for: 4 s of the 10 */
	assert_true(ack_check(a, lo4, "adult", 104 * SEC - 1, 4 * SEC));
	assert_false(ack_check(a, lo4, "adult", 104 * SEC, 4 * SEC));
	assert_true(ack_check(a, lo4, "adult", 109 * SEC, 20 * SEC)); /* longer: the store's */
	assert_false(ack_check(a, lo4, "adult", 110 * SEC, 20 * SEC));
	assert_false(ack_check(a, lo4, "gambling", 100 * SEC, 0));
	assert_false(ack_check(a, other4, "adult", 100 * SEC, 0));
	assert_int_equal(ack_record(a, lo4, "adult", 105 * SEC), 0); /* renewed */
	assert_true(ack_check(a, lo4, "adult", 114 * SEC, 0));
	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ack_record(a, lo4, big, 0), -EINVAL);
	assert_int_equal(ack_record(a, lo4, "", 0), -EINVAL);
	assert_false(ack_check(a, lo4, big, 0, 0));
	/* bounded: 8 slots; a ninth subscriber drops the one expiring first */
	memcpy(addr, lo4, 16);
	for (int i = 0; i < 8; i++) {
		addr[15] = (uint8_t)(10 + i);
		assert_int_equal(ack_record(a, addr, "adult", (120 + i) * SEC), 0);
	}
	ack_stats(a, 120 * SEC, &st);
	assert_int_equal(st.slots, 8);
	assert_int_equal(st.live, 8);
	assert_int_equal(st.evicted, 0);
	addr[15] = 99;
	assert_int_equal(ack_record(a, addr, "adult", 128 * SEC), 0);
	ack_stats(a, 128 * SEC, &st);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.recorded, 11);
	addr[15] = 10; /* recorded first, so expiring first: gone */
	assert_false(ack_check(a, addr, "adult", 128 * SEC, 0));
	addr[15] = 11;
	assert_true(ack_check(a, addr, "adult", 128 * SEC, 0));
	addr[15] = 99;
	assert_true(ack_check(a, addr, "adult", 128 * SEC, 0));
	ack_store_free(a);
}

static void ack_tokens(void **state)
{
	uint8_t key[ACK_KEY_LEN] = {1, 2, 3}, key2[ACK_KEY_LEN] = {9};
	char t[ACK_TOKEN_LEN + 1], bad[ACK_TOKEN_LEN + 1];

	(void)state;
	ack_token(key, lo4, "adult", "http://x.test/", 1000, t);
	assert_int_equal(strlen(t), ACK_TOKEN_LEN);
	assert_memory_equal(t, "00000000000003e8", 16);
	assert_true(ack_token_ok(key, lo4, "adult", "http://x.test/", t, 1000, 60));
	assert_true(ack_token_ok(key, lo4, "adult", "http://x.test/", t, 1060, 60));
	assert_false(ack_token_ok(key, lo4, "adult", "http://x.test/", t, 1061, 60));
	assert_false(ack_token_ok(key, lo4, "adult", "http://x.test/", t, 999, 60));
	assert_false(ack_token_ok(key, other4, "adult", "http://x.test/", t, 1000, 60));
	assert_false(ack_token_ok(key, lo4, "gambling", "http://x.test/", t, 1000, 60));
	assert_false(ack_token_ok(key, lo4, "adult", "http://y.test/", t, 1000, 60));
	assert_false(ack_token_ok(key2, lo4, "adult", "http://x.test/", t, 1000, 60));
	memcpy(bad, t, sizeof(bad));
	bad[40] = bad[40] == '0' ? '1' : '0';
	assert_false(ack_token_ok(key, lo4, "adult", "http://x.test/", bad, 1000, 60));
	assert_false(ack_token_ok(key, lo4, "adult", "http://x.test/", "", 1000, 60));
	assert_false(ack_token_ok(key, lo4, "adult", "http://x.test/", t + 1, 1000, 60));
}

/* ---- the server ------------------------------------------------------------ */

/* Sends req to 127.0.0.1:port, reads the whole answer into resp. */
static void http(uint16_t port, const char *req, char *resp, size_t size)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t n = 0;
	ssize_t k;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while (n + 1 < size && (k = read(fd, resp + n, size - n - 1)) > 0)
		n += (size_t)k;
	resp[n] = '\0';
	close(fd);
}

/* The token value in a disclaimer page. */
static void token_of(const char *page, char *out)
{
	const char *p = strstr(page, "name=\"token\" value=\"");

	assert_non_null(p);
	memcpy(out, p + 20, ACK_TOKEN_LEN);
	out[ACK_TOKEN_LEN] = '\0';
}

static void post_ack(uint16_t port, const char *token, const char *cat, char *resp, size_t size)
{
	char body[256], req[512];

	snprintf(body, sizeof(body), "token=%s&category=%s&url=http%%3A%%2F%%2Fx.test%%2Fa", token,
		 cat);
	snprintf(req, sizeof(req),
		 "POST /_ew/ack HTTP/1.1\r\nHost: n\r\nConnection: close\r\n"
		 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(body), body);
	http(port, req, resp, size);
}

/* A lookup by host: court.test a rule's 403 notice (a template the set
 * lacks: the kind's), warn.test the disclaimer, acked.test acknowledged,
 * anything else untouched. */
static void by_host(void *ctx, const uint8_t *client, const char *host, const char *url,
		    struct notice_lookup *out)
{
	(void)ctx, (void)client, (void)url;
	if (!strcmp(host, "court.test")) {
		*out = (struct notice_lookup){.kind = NOTICE_BLOCK, .status = 403,
					      .rule = "court-rule", .category = "court-order",
					      .tmpl = "missing", .contact = "court@isp.example"};
	} else if (!strcmp(host, "warn.test")) {
		*out = (struct notice_lookup){.kind = NOTICE_WARN, .category = "adult"};
	} else if (!strcmp(host, "acked.test")) {
		out->kind = NOTICE_ACKED;
	}
}

/* The shipped templates (into *s) served on loopback with c's settings
 * (the rest: defaults, contact abuse@isp.example); the server. */
static struct notice_server *serve(struct notice_server_conf *c, struct notice_set **s)
{
	struct sockaddr_in *sa = (struct sockaddr_in *)&c->addr;
	struct notice_server *srv;
	struct diag d = {0};
	char msg[256];

	assert_int_equal(notice_set_load(ewtest_repo("policies/notices"), "en", s, &d), 0);
	c->set = *s;
	c->contact = "abuse@isp.example";
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->addr_len = sizeof(*sa);
	srv = notice_server_start(c, msg, sizeof(msg));
	assert_non_null(srv);
	assert_true(notice_server_port(srv) > 0);
	return srv;
}

/* GET path with Host host, the whole answer in resp. */
static void get(uint16_t port, const char *host, const char *path, char *resp, size_t size)
{
	char req[256];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path,
		 host);
	http(port, req, resp, size);
}

static void server_lookup(void **state)
{
	struct notice_server_conf c;
	struct notice_server *srv;
	struct notice_set *s = NULL;
	static char resp[65536];
	uint16_t port;

	(void)state;
	notice_server_conf_default(&c);
	c.lookup = by_host;
	srv = serve(&c, &s);
	port = notice_server_port(srv);
	get(port, "court.test", "/x", resp, sizeof(resp));
	assert_memory_equal(resp, "HTTP/1.1 403", 12);
	assert_non_null(strstr(resp, "<dd>court-order</dd>"));
	assert_non_null(strstr(resp, "<dd>court-rule</dd>"));
	assert_non_null(strstr(resp, "court@isp.example"));
	assert_null(strstr(resp, "abuse@isp.example"));
	get(port, "warn.test", "/y", resp, sizeof(resp));
	assert_memory_equal(resp, "HTTP/1.1 200", 12);
	assert_non_null(strstr(resp, "name=\"token\" value=\""));
	assert_non_null(strstr(resp, "name=\"url\" value=\"http://warn.test/y\""));
	assert_non_null(strstr(resp, "action=\"/_ew/ack\""));
	get(port, "acked.test", "/", resp, sizeof(resp));
	assert_memory_equal(resp, "HTTP/1.1 200", 12);
	get(port, "other.test", "/", resp, sizeof(resp));
	assert_memory_equal(resp, "HTTP/1.1 451", 12); /* the server's own notice */
	notice_server_stop(srv);
	notice_set_free(s);
}

static void server(void **state)
{
	struct notice_server_conf c;
	struct notice_server *srv;
	struct notice_server_stats st;
	struct notice_set *s = NULL;
	static char resp[65536];
	char tok[ACK_TOKEN_LEN + 1];
	uint16_t port;

	(void)state;
	notice_server_conf_default(&c);
	c.ack_ns = SEC / 2;
	srv = serve(&c, &s);
	port = notice_server_port(srv);
	/* the block notice for the host asked, in the client's language */
	http(port,
	     "GET /some/page HTTP/1.1\r\nHost: blocked.test\r\nAccept-Language: hi,en;q=0.5"
	     "\r\nConnection: close\r\n\r\n",
	     resp, sizeof(resp));
	assert_memory_equal(resp, "HTTP/1.1 451", 12);
	assert_non_null(strstr(resp, "अवरुद्ध"));
	assert_non_null(strstr(resp, "http://blocked.test/some/page"));
	assert_non_null(strstr(resp, "frame-ancestors 'none'"));
	/* the disclaimer, and its acknowledgement */
	http(port,
	     "GET /_ew/warn?category=adult&url=http%3A%2F%2Fx.test%2Fa HTTP/1.1\r\n"
	     "Host: n\r\nConnection: close\r\n\r\n",
	     resp, sizeof(resp));
	assert_memory_equal(resp, "HTTP/1.1 200", 12);
	token_of(resp, tok);
	http(port, "GET /_ew/ack?token=x HTTP/1.1\r\nHost: n\r\nConnection: close\r\n\r\n", resp,
	     sizeof(resp));
	assert_memory_equal(resp, "HTTP/1.1 405", 12);
	post_ack(port, tok, "gambling", resp, sizeof(resp)); /* not the token's category */
	assert_memory_equal(resp, "HTTP/1.1 403", 12);
	assert_false(notice_server_acked(srv, lo4, "adult", 0));
	post_ack(port, tok, "adult", resp, sizeof(resp));
	assert_memory_equal(resp, "HTTP/1.1 303", 12);
	assert_non_null(strstr(resp, "Location: http://x.test/a\r\n"));
	assert_true(notice_server_acked(srv, lo4, "adult", 0));
	assert_false(notice_server_acked(srv, lo4, "gambling", 0));
	assert_false(notice_server_acked(srv, other4, "adult", 0));
	usleep(600000); /* past ack_ns */
	assert_false(notice_server_acked(srv, lo4, "adult", 0));
	notice_server_stats(srv, &st);
	assert_int_equal(st.blocks, 1);
	assert_int_equal(st.warns, 1);
	assert_int_equal(st.acks, 1);
	assert_int_equal(st.acks_refused, 1);
	assert_int_equal(st.bad_requests, 1);
	notice_server_stop(srv);
	notice_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(render_exact),	   cmocka_unit_test(diagnostics),
		cmocka_unit_test(load_dir),	   cmocka_unit_test(shipped_templates),
		cmocka_unit_test(accept_language), cmocka_unit_test(choose_language),
		cmocka_unit_test(ack_table),	   cmocka_unit_test(ack_tokens),
		cmocka_unit_test(server),	   cmocka_unit_test(server_lookup),
	};

	return ewtest_run(tests);
}
