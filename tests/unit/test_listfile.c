// SPDX-License-Identifier: GPL-2.0
/* listfile: text and CSV lists, gzip, and one test per diagnostic message
 * (exact text). */
#include <errno.h>
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "lists/listfile.h"

#define EICAR_SHA256 "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"

struct got {
	int n;
	uint8_t first[32];
	int quality[8];
	char label[8][64];
	unsigned line[8];
};

static int collect(void *ctx, const struct listfile_rec *r)
{
	struct got *g = ctx;

	if (!g->n)
		memcpy(g->first, r->digest, 32);
	if (g->n < 8) {
		g->quality[g->n] = r->quality;
		snprintf(g->label[g->n], sizeof(g->label[0]), "%s", r->label);
		g->line[g->n] = r->line;
	}
	g->n++;
	return 0;
}

static int parse(const char *text, enum list_kind kind, struct got *g,
		 struct diag *d)
{
	struct listfile_opts o = { .kind = kind };

	memset(g, 0, sizeof(*g));
	return listfile_parse("lists/x.txt", text, strlen(text), &o, collect, g, d);
}

/* Parses text as SHA-256 and expects exactly one error with this message. */
static void expect_one(const char *text, const char *msg)
{
	struct diag d;
	struct got g;

	assert_int_equal(parse(text, LIST_SHA256, &g, &d), -EINVAL);
	assert_int_equal(d.errors, 1);
	assert_string_equal(d.msgs[0].text, msg);
}

static void text_list(void **state)
{
	struct diag d;
	struct got g;

	(void)state;
	assert_int_equal(parse("# comment\n\n  \t\r\n" EICAR_SHA256 "  eicar.com\r\n"
			       "  " EICAR_SHA256 ",a label \n" EICAR_SHA256, LIST_SHA256, &g, &d), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.lines, 6);
	assert_int_equal(d.values, 3);
	assert_int_equal(g.first[0], 0x27);
	assert_int_equal(g.first[31], 0x0f);
	assert_string_equal(g.label[0], "eicar.com");
	assert_string_equal(g.label[1], "a label");
	assert_string_equal(g.label[2], "");
	assert_int_equal(g.line[0], 4);
	assert_int_equal(g.line[2], 6);
	assert_int_equal(g.quality[0], -1);
}

/* A UTF-8 byte order mark before a header or a first value. */
static void byte_order_mark(void **state)
{
	struct diag d;
	struct got g;

	(void)state;
	assert_int_equal(parse("\xef\xbb\xbf" EICAR_SHA256 "\n", LIST_SHA256, &g, &d), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(parse("\xef\xbb\xbfSHA256,label\n" EICAR_SHA256 ",x\n", LIST_SHA256, &g, &d), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.label[0], "x");
}

static void kinds(void **state)
{
	struct diag d;
	struct got g;
	enum list_kind k;

	(void)state;
	assert_int_equal(parse("44D88612FEA8A8F36DE82E1278ABB02F\n", LIST_MD5, &g, &d), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.first[0], 0x44);
	assert_int_equal(parse("3395856ce81f2b7382dee72602f798b642f14140\n", LIST_SHA1, &g, &d), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(list_kind_parse("SHA-256", &k), 0);
	assert_int_equal(k, LIST_SHA256);
	assert_int_equal(list_kind_parse("sha_1", &k), 0);
	assert_int_equal(k, LIST_SHA1);
	assert_int_equal(list_kind_parse("crc32", &k), -EINVAL);
	assert_int_equal(list_kind_len(LIST_PDQ), 32);
}

static void csv_by_name(void **state)
{
	struct diag d;
	struct got g;

	(void)state;
	assert_int_equal(parse("# a clearinghouse export\nid,MD5,\"SHA-256\",quality\n"
			       "7,00,\"" EICAR_SHA256 "\",90\n"
			       "\"8,9\",11, " EICAR_SHA256 " ,\n", LIST_SHA256, &g, &d), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.first[0], 0x27);
	assert_string_equal(g.label[0], "7");
	assert_string_equal(g.label[1], "8,9");
	assert_int_equal(g.quality[0], 90);
	assert_int_equal(g.quality[1], -1);
	assert_int_equal(g.line[0], 3);
}

static void csv_column_option(void **state)
{
	struct listfile_opts o = { .kind = LIST_SHA256, .column = "file_hash" };
	const char *t = "name,file_hash\nx," EICAR_SHA256 "\n";
	struct diag d;
	struct got g = { 0 };

	(void)state;
	assert_int_equal(listfile_parse("c.csv", t, strlen(t), &o, collect, &g, &d), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.label[0], "x");
}

static void skip_bad_lines(void **state)
{
	struct listfile_opts o = { .kind = LIST_SHA256, .skip_bad_lines = true };
	const char *t = EICAR_SHA256 "\nbad\n" EICAR_SHA256 "\n";
	struct diag d;
	struct got g = { 0 };

	(void)state;
	assert_int_equal(listfile_parse("s.txt", t, strlen(t), &o, collect, &g, &d), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.skipped, 1);
	assert_string_equal(d.msgs[0].text,
			    "s.txt:2:1: invalid SHA-256 digest 'bad' (expected 64 hex digits)");
}

static int stop_at_two(void *ctx, const struct listfile_rec *r)
{
	(void)r;
	return ++*(int *)ctx == 2 ? 42 : 0;
}

static void callback_stops(void **state)
{
	struct listfile_opts o = { .kind = LIST_SHA256 };
	const char *t = EICAR_SHA256 "\n" EICAR_SHA256 "\n" EICAR_SHA256 "\n";
	struct diag d;
	int n = 0;

	(void)state;
	assert_int_equal(listfile_parse("s.txt", t, strlen(t), &o, stop_at_two, &n, &d), 42);
	assert_int_equal(n, 2);
}

static int copy16(void *ctx, const struct listfile_rec *r)
{
	memcpy(ctx, r->digest, 16);
	return 0;
}

/* Every byte value at every position of an MD5 line: accepted iff it is a
 * hex digit, and then decoded to the right nibble (the decoder works on
 * eight digits at once, so each lane is checked). */
static void hex_every_byte(void **state)
{
	static const char base[] = "0123456789abcdefABCDEF0123456789";
	struct listfile_opts o = { .kind = LIST_MD5 };
	struct diag d;

	(void)state;
	for (int pos = 0; pos < 32; pos++) {
		for (int c = 1; c < 256; c++) {
			char line[33];
			uint8_t out[16], want[16];
			int hex = isxdigit(c), rc;

			if (strchr("\n\r\t ,#", c))
				continue;	/* separators: a different line */
			memcpy(line, base, 32);
			line[pos] = (char)c;
			rc = listfile_parse("h", line, 32, &o, copy16, out, &d);
			assert_int_equal(rc, hex ? 0 : -EINVAL);
			if (!hex)
				continue;
			for (int i = 0; i < 16; i++)
				sscanf(line + 2 * i, "%2hhx", &want[i]);
			assert_memory_equal(out, want, 16);
		}
	}
}

static void diag_invalid_digest(void **state)
{
	(void)state;
	expect_one(EICAR_SHA256 "\n  zz12\n",
		   "lists/x.txt:2:3: invalid SHA-256 digest 'zz12' (expected 64 hex digits)");
}

static void diag_invalid_digest_long(void **state)
{
	(void)state;
	/* one hex digit short: quoted up to 24 bytes, then an ellipsis */
	expect_one("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0\n",
		   "lists/x.txt:1:1: invalid SHA-256 digest "
		   "'275a021bbfb6489e54d47189\xe2\x80\xa6' (expected 64 hex digits)");
}

static void diag_invalid_digest_binary(void **state)
{
	(void)state;
	expect_one("\x01\xff'\n", "lists/x.txt:1:1: invalid SHA-256 digest "
		   "'\\x01\\xff\\x27' (expected 64 hex digits)");
}

static void diag_invalid_md5(void **state)
{
	struct diag d;
	struct got g;

	(void)state;
	assert_int_equal(parse(EICAR_SHA256 "\n", LIST_MD5, &g, &d), -EINVAL);
	assert_string_equal(d.msgs[0].text, "lists/x.txt:1:1: invalid MD5 digest "
			    "'275a021bbfb6489e54d47189\xe2\x80\xa6' (expected 32 hex digits)");
}

static void diag_no_column(void **state)
{
	(void)state;
	expect_one("md5,label\n44d88612fea8a8f36de82e1278abb02f,x\n",
		   "lists/x.txt:1:1: no 'sha256' column in CSV header 'md5,label'");
}

static void diag_field_count(void **state)
{
	(void)state;
	expect_one("label,sha256\nonly\n",
		   "lists/x.txt:2:5: expected 2 fields as in the header, found 1");
}

static void diag_unterminated_quote(void **state)
{
	(void)state;
	expect_one("sha256,label\n" EICAR_SHA256 ",\"open\n",
		   "lists/x.txt:2:66: unterminated quoted field");
}

static void diag_quality(void **state)
{
	(void)state;
	expect_one("sha256,quality\n" EICAR_SHA256 ",101\n",
		   "lists/x.txt:2:66: invalid quality '101' (expected an integer 0-100)");
}

static void diag_long_line(void **state)
{
	char *t = malloc(5000);

	(void)state;
	memset(t, 'a', 4999);
	t[4999] = '\0';
	expect_one(t, "lists/x.txt:1:1: line longer than 4096 bytes");
	free(t);
}

static void diag_cap_and_print(void **state)
{
	char text[25 * 3 + 1] = "", *out = NULL;
	struct diag d;
	struct got g;
	size_t len;
	FILE *f;

	(void)state;
	for (int i = 0; i < 25; i++)
		strcat(text, "xx\n");
	assert_int_equal(parse(text, LIST_SHA256, &g, &d), -EINVAL);
	assert_int_equal(d.errors, 25);
	assert_int_equal(d.nmsgs, DIAG_MAX_MSGS);
	f = open_memstream(&out, &len);
	d.nmsgs = 1;	/* print one message, the rest counted */
	diag_print(&d, f);
	fclose(f);
	assert_string_equal(out,
		"lists/x.txt:1:1: invalid SHA-256 digest 'xx' (expected 64 hex digits)\n"
		"  xx\n"
		"  ^\n"
		"24 more errors not shown\n");
	free(out);
}

static void diag_open(void **state)
{
	struct listfile_opts o = { .kind = LIST_SHA256 };
	struct diag d;

	(void)state;
	assert_int_equal(listfile_read("/nonexistent/l.txt", &o, collect, NULL, &d), -ENOENT);
	assert_string_equal(d.msgs[0].text,
			    "/nonexistent/l.txt: couldn't open list: No such file or directory");
}

/* Writes text gzip-compressed to a temporary file, truncated to keep bytes
 * of the compressed stream (0: all). */
static void write_gz(const char *path, const char *text, long keep)
{
	gzFile z = gzopen(path, "wb");

	assert_non_null(z);
	gzwrite(z, text, (unsigned)strlen(text));
	gzclose(z);
	if (keep)
		assert_int_equal(truncate(path, keep), 0);
}

static void gzip_list(void **state)
{
	struct listfile_opts o = { .kind = LIST_SHA256 };
	char path[] = "/tmp/ew_listfile_XXXXXX";
	struct diag d;
	struct got g = { 0 };
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_gz(path, "sha256\n" EICAR_SHA256 "\n" EICAR_SHA256 "\n", 0);
	assert_int_equal(listfile_read(path, &o, collect, &g, &d), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.first[0], 0x27);
	unlink(path);
}

static void diag_truncated_gzip(void **state)
{
	struct listfile_opts o = { .kind = LIST_SHA256 };
	char path[] = "/tmp/ew_listfile_XXXXXX", want[128];
	struct diag d;
	struct got g = { 0 };
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_gz(path, EICAR_SHA256 "\n" EICAR_SHA256 "\n", 30);
	assert_int_equal(listfile_read(path, &o, collect, &g, &d), -EIO);
	snprintf(want, sizeof(want), "%s:1:1: couldn't read list: unexpected end of file", path);
	assert_string_equal(d.msgs[d.nmsgs - 1].text, want);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_list),
		cmocka_unit_test(byte_order_mark),
		cmocka_unit_test(kinds),
		cmocka_unit_test(csv_by_name),
		cmocka_unit_test(csv_column_option),
		cmocka_unit_test(skip_bad_lines),
		cmocka_unit_test(callback_stops),
		cmocka_unit_test(hex_every_byte),
		cmocka_unit_test(diag_invalid_digest),
		cmocka_unit_test(diag_invalid_digest_long),
		cmocka_unit_test(diag_invalid_digest_binary),
		cmocka_unit_test(diag_invalid_md5),
		cmocka_unit_test(diag_no_column),
		cmocka_unit_test(diag_field_count),
		cmocka_unit_test(diag_unterminated_quote),
		cmocka_unit_test(diag_quality),
		cmocka_unit_test(diag_long_line),
		cmocka_unit_test(diag_cap_and_print),
		cmocka_unit_test(diag_open),
		cmocka_unit_test(gzip_list),
		cmocka_unit_test(diag_truncated_gzip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
