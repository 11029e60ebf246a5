// SPDX-License-Identifier: GPL-2.0
/* hashxml: the synthetic sample, replacements and deletions across files,
 * installation into both registries, and one test per diagnostic. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "ewtest.h"
#include "lists/hashxml.h"

#define SAMPLE ewtest_repo("policies/lists/sample-hashsharing.xml")
#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	     "<queryResult xmlns=\"https://hashsharing.ncmec.org/hashsharing/v2\">\n"
#define MD5_A "d35c785545392755e7e4164457657269"
#define SHA1_A "ea45d7166b30f98aac6af52f952193ce3083cb4c"
#define PDQ_A "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"

static void unhex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++)
		sscanf(s + 2 * i, "%2hhx", &out[i]);
}

static int parse(struct hashxml *x, const char *doc, bool skip, struct diag *d)
{
	return hashxml_parse(x, "feed.xml", doc, strlen(doc), skip, d);
}

static void sample_file(void **state)
{
	struct hashxml *x = hashxml_new();
	struct hashxml_entry_info e;
	struct hashxml_stats st;
	struct diag d;
	uint8_t md5[16];
	char hex[PDQ_HEX_LEN + 1];

	(void)state;
	assert_int_equal(hashxml_read(x, SAMPLE, false, &d), 0);
	assert_int_equal(d.errors, 0);
	hashxml_stats(x, &st);
	assert_int_equal(st.images, 5);
	assert_int_equal(st.videos, 1);
	assert_int_equal(st.deletions, 1);
	assert_int_equal(st.unknown_deletions, 0);
	assert_int_equal(st.live, 5);
	assert_int_equal(st.md5, 5);
	assert_int_equal(st.sha1, 5);
	assert_int_equal(st.pdq, 4);
	assert_true(hashxml_find(x, "sample-img-1", &e));
	assert_string_equal(e.classification, "A1");
	assert_false(e.video);
	assert_true(e.has_md5 && e.has_sha1 && e.has_pdq);
	unhex(MD5_A, md5);
	assert_memory_equal(e.md5, md5, 16);
	pdq_hash_to_hex(e.pdq, hex);
	assert_string_equal(hex, PDQ_A);
	assert_false(hashxml_find(x, "sample-img-5", &e));	/* deleted */
	assert_true(hashxml_find(x, "sample-vid-1", &e));
	assert_true(e.video);
	assert_false(e.has_pdq);
	assert_string_equal(e.classification, "B2");
	hashxml_free(x);
}

static void replace_and_delete_across_files(void **state)
{
	const char *one = HEAD "<images><image><id>i1</id><classification>A1</classification>"
		"<fingerprints><md5>" MD5_A "</md5></fingerprints></image>"
		"<image><id>i2</id><fingerprints><sha1>" SHA1_A "</sha1></fingerprints></image>"
		"</images></queryResult>\n";
	const char *two = HEAD "<images><image><id>i1</id><classification>B2</classification>"
		"<fingerprints><md5>" MD5_A "</md5></fingerprints></image>"
		"<deletedImage><id>i2</id></deletedImage>"
		"<deletedImage><id>never-seen</id></deletedImage>"
		"</images></queryResult>\n";
	struct hashxml *x = hashxml_new();
	struct hashxml_entry_info e;
	struct hashxml_stats st;
	struct diag d;

	(void)state;
	assert_int_equal(parse(x, one, false, &d), 0);
	assert_true(hashxml_find(x, "i2", &e));
	assert_string_equal(e.classification, HASHXML_UNCLASSIFIED);
	assert_int_equal(parse(x, two, false, &d), 0);
	assert_true(hashxml_find(x, "i1", &e));
	assert_string_equal(e.classification, "B2");
	assert_false(hashxml_find(x, "i2", &e));
	hashxml_stats(x, &st);
	assert_int_equal(st.live, 1);
	assert_int_equal(st.deletions, 2);
	assert_int_equal(st.unknown_deletions, 1);
	hashxml_free(x);
}

static void install_feeds_both(void **state)
{
	struct hashxml *x = hashxml_new();
	struct hashdb *h = hashdb_new();
	struct pdqdb *p = pdqdb_new();
	struct diag d;
	struct hashdb_hit hit[4];
	struct pdqdb_hit ph[4];
	struct pdq_hash q;
	uint8_t md5[16], sha1[20];

	(void)state;
	assert_int_equal(hashxml_read(x, SAMPLE, false, &d), 0);
	assert_int_equal(hashxml_install(x, "ncmec-sample", 31, h, p), 0);
	unhex(MD5_A, md5);
	unhex(SHA1_A, sha1);
	assert_int_equal(hashdb_lookup(h, LIST_MD5, md5, hit, 4), 1);
	assert_string_equal(hit[0].list, "ncmec-sample");
	assert_string_equal(hit[0].category, "A1");
	assert_int_equal(hashdb_lookup(h, LIST_SHA1, sha1, hit, 4), 1);
	assert_int_equal(hashdb_kinds(h), (1u << LIST_MD5) | (1u << LIST_SHA1));
	assert_int_equal(hashdb_entries(h), 10);
	assert_int_equal(pdq_hash_from_hex(PDQ_A, 64, &q), 0);
	q.b[0] ^= 0x0f;	/* 4 bits away */
	assert_int_equal(pdqdb_query(p, &q, ph, 4), 1);
	assert_string_equal(ph[0].category, "A1");
	assert_string_equal(ph[0].label, "sample-img-1");
	assert_int_equal(ph[0].distance, 4);
	assert_int_equal(pdqdb_entries(p), 4);
	hashdb_free(h);
	pdqdb_free(p);
	hashxml_free(x);
}

/* A feed of n images with PDQ hashes, each in its own classification,
 * after 10 exact-only images in 10 more classifications. */
static char *many_classes(int n)
{
	size_t cap = (size_t)(n + 10) * 300 + 256, at;
	char *doc = malloc(cap);

	assert_non_null(doc);
	at = (size_t)snprintf(doc, cap, "%s<images>\n", HEAD);
	for (int i = 0; i < 10; i++)
		at += (size_t)snprintf(doc + at, cap - at,
				       "<image><id>m%d</id><classification>M%d</classification>"
				       "<fingerprints><md5>%s</md5></fingerprints></image>\n",
				       i, i, MD5_A);
	for (int i = 0; i < n; i++)
		at += (size_t)snprintf(doc + at, cap - at,
				       "<image><id>i%d</id><classification>C%d</classification>"
				       "<fingerprints><pdq>%s</pdq></fingerprints></image>\n",
				       i, i, PDQ_A);
	snprintf(doc + at, cap - at, "</images></queryResult>\n");
	return doc;
}

/* The PDQ index stores list ids in a byte: PDQ hashes in 256
 * classifications install (classifications without PDQ hashes do not
 * count), in 257 they are refused with -E2BIG and the old group stays. */
static void pdq_classifications_cap(void **state)
{
	struct hashdb *h = hashdb_new();
	struct pdqdb *p = pdqdb_new();
	struct pdqdb_hit ph[4];
	struct diag d;
	struct pdq_hash q;

	(void)state;
	for (int n = 256; n <= 257; n++) {
		struct hashxml *x = hashxml_new();
		char *doc = many_classes(n);

		assert_int_equal(parse(x, doc, false, &d), 0);
		assert_int_equal(hashxml_install(x, "feed", 31, h, p), n == 256 ? 0 : -E2BIG);
		assert_int_equal(pdqdb_entries(p), 256);
		hashxml_free(x);
		free(doc);
	}
	assert_int_equal(pdq_hash_from_hex(PDQ_A, 64, &q), 0);
	assert_int_equal(pdqdb_query(p, &q, ph, 4), 256);
	assert_string_equal(ph[0].category, "C0");
	assert_string_equal(ph[3].category, "C3");
	hashdb_free(h);
	pdqdb_free(p);
}

static void gzip_file(void **state)
{
	char path[] = "/tmp/ew_hashxml_XXXXXX";
	struct hashxml *x = hashxml_new();
	struct hashxml_entry_info e;
	struct diag d;
	FILE *f = fopen(SAMPLE, "rb");
	char buf[8192];
	size_t n;
	gzFile z;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0 && f);
	close(fd);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	z = gzopen(path, "wb");
	gzwrite(z, buf, (unsigned)n);
	gzclose(z);
	assert_int_equal(hashxml_read(x, path, false, &d), 0);
	assert_true(hashxml_find(x, "sample-img-4", &e));
	assert_string_equal(e.classification, "B2");
	unlink(path);
	hashxml_free(x);
}

/* Parses doc and expects -EINVAL with exactly these messages. */
static void expect_msgs(const char *doc, unsigned n, const char *const *msgs)
{
	struct hashxml *x = hashxml_new();
	struct diag d;

	assert_int_equal(parse(x, doc, false, &d), -EINVAL);
	assert_int_equal(d.errors, n);
	for (unsigned i = 0; i < n; i++)
		assert_string_equal(d.msgs[i].text, msgs[i]);
	hashxml_free(x);
}

static void diag_bad_fingerprints(void **state)
{
	static const char *const msgs[] = {
		"feed.xml:4: invalid MD5 digest 'zz' in <image> 'i1' (expected 32 hex digits)",
		"feed.xml:7: invalid SHA-1 digest 'd35c785545392755e7e41644\xe2\x80\xa6' in <video> 'v1' "
		"(expected 40 hex digits)",
		"feed.xml:10: invalid PDQ hash 'd8f8f0cee0f4a84f0637022a\xe2\x80\xa6' in <image> '?' "
		"(expected 64 hex digits)",
	};

	(void)state;
	expect_msgs(HEAD "<images><image><id>i1</id>\n"
		    "<fingerprints><md5>zz</md5></fingerprints></image></images>\n"
		    "<videos><video>\n<id>v1</id>\n"
		    "<fingerprints><sha1>" MD5_A "</sha1></fingerprints></video></videos>\n"
		    "<images><image>\n<fingerprints>\n"
		    "<pdq>" PDQ_A "0</pdq></fingerprints><id>i3</id></image></images>\n"
		    "</queryResult>\n", 3, msgs);
}

static void diag_no_id(void **state)
{
	static const char *const msgs[] = {
		"feed.xml:3: <image> without <id>",
		"feed.xml:4: <deletedVideo> without <id>",
	};

	(void)state;
	expect_msgs(HEAD "<images><image><classification>A1</classification></image></images>\n"
		    "<videos><deletedVideo/></videos>\n</queryResult>\n", 2, msgs);
}

static void diag_classification(void **state)
{
	static const char *const msgs[] = {
		"feed.xml:3: invalid classification 'A 1' in <image> 'i1' "
		"(expected letters, digits, '-' or '_', at most 63)",
	};

	(void)state;
	expect_msgs(HEAD "<images><image><id>i1</id><classification>A 1</classification>"
		    "</image></images>\n</queryResult>\n", 1, msgs);
}

static void diag_root(void **state)
{
	static const char *const msgs[] = {
		"feed.xml:2: root element is <status>, expected <queryResult>",
	};

	(void)state;
	expect_msgs("<?xml version=\"1.0\"?>\n<status><username>x</username></status>\n", 1, msgs);
}

static void diag_doctype(void **state)
{
	/* an entity bomb: refused before any expansion */
	static const char *const msgs[] = {
		"feed.xml: DOCTYPE not allowed in hash-sharing XML",
	};

	(void)state;
	expect_msgs("<?xml version=\"1.0\"?>\n<!DOCTYPE queryResult [\n"
		    "<!ENTITY a \"aaaaaaaaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
		    "]>\n<queryResult><images><image><id>&b;</id></image></images></queryResult>\n",
		    1, msgs);
}

static void diag_malformed(void **state)
{
	static const char *const msgs[] = {
		"feed.xml:6:18: malformed XML: Opening and ending tag mismatch: videos line 6 and images",
	};
	int saved = dup(2), fd = open("/dev/null", O_WRONLY);
	char path[] = "/tmp/ew_hashxml_err_XXXXXX";
	struct stat st;
	int tmp = mkstemp(path);

	(void)state;
	(void)fd;
	/* libxml2 must not print anything itself: catch stderr in a file */
	assert_true(tmp >= 0 && saved >= 0);
	dup2(tmp, 2);
	expect_msgs(HEAD "<images>\n<image><id>i1</id>\n"
		    "<fingerprints><md5>" MD5_A "</md5></fingerprints></image>\n"
		    "<videos></images>\n</queryResult>\n", 1, msgs);
	dup2(saved, 2);
	assert_int_equal(fstat(tmp, &st), 0);
	assert_int_equal(st.st_size, 0);
	close(tmp);
	close(saved);
	if (fd >= 0)
		close(fd);
	unlink(path);
}

/* An encoding libxml2 can't handle: it reports that through its global
 * handlers, which must not reach stderr either. */
static void diag_encoding(void **state)
{
	static const char doc[] = "\x00<\x00\x00q/>";	/* UCS-4, order 3412 */
	char path[] = "/tmp/ew_hashxml_err_XXXXXX";
	struct hashxml *x = hashxml_new();
	int saved = dup(2), tmp = mkstemp(path);
	struct diag d;
	struct stat st;
	int rc;

	(void)state;
	assert_true(tmp >= 0 && saved >= 0);
	dup2(tmp, 2);
	rc = hashxml_parse(x, "feed.xml", doc, sizeof(doc) - 1, false, &d);
	dup2(saved, 2);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(d.errors, 1);
	assert_string_equal(d.msgs[0].text,
			    "feed.xml:1:1: malformed XML: encoding not supported UCS4 3412");
	assert_int_equal(fstat(tmp, &st), 0);
	assert_int_equal(st.st_size, 0);
	close(tmp);
	close(saved);
	unlink(path);
	hashxml_free(x);
}

static void diag_open(void **state)
{
	struct hashxml *x = hashxml_new();
	struct diag d;

	(void)state;
	assert_int_equal(hashxml_read(x, "/nonexistent/feed.xml", false, &d), -EIO);
	assert_string_equal(d.msgs[0].text,
			    "/nonexistent/feed.xml: couldn't open hash-sharing XML");
	hashxml_free(x);
}

static void skip_bad_keeps_good(void **state)
{
	struct hashxml *x = hashxml_new();
	struct hashxml_entry_info e;
	struct diag d;

	(void)state;
	assert_int_equal(parse(x, HEAD "<images><image><id>bad</id><fingerprints><md5>00</md5>"
			       "</fingerprints></image><image><id>good</id><fingerprints><md5>"
			       MD5_A "</md5></fingerprints></image></images></queryResult>",
			       true, &d), 0);
	assert_int_equal(d.errors, 1);
	assert_false(hashxml_find(x, "bad", &e));
	assert_true(hashxml_find(x, "good", &e));
	hashxml_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sample_file),
		cmocka_unit_test(replace_and_delete_across_files),
		cmocka_unit_test(install_feeds_both),
		cmocka_unit_test(pdq_classifications_cap),
		cmocka_unit_test(gzip_file),
		cmocka_unit_test(diag_bad_fingerprints),
		cmocka_unit_test(diag_no_id),
		cmocka_unit_test(diag_classification),
		cmocka_unit_test(diag_root),
		cmocka_unit_test(diag_doctype),
		cmocka_unit_test(diag_malformed),
		cmocka_unit_test(diag_encoding),
		cmocka_unit_test(diag_open),
		cmocka_unit_test(skip_bad_keeps_good),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
