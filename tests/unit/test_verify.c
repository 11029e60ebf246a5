// SPDX-License-Identifier: GPL-2.0
/* verify: a signed log written by eventlog over three rotated files (one
 * gzip-compressed) verifies, and each way of tampering named in issue 9 is
 * found at the right line with the right name: an edited field, a
 * deleted, inserted or reordered line, a truncated tail (torn line, and
 * lines cut after the last checkpoint), a missing rotated file, a wrong
 * key. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "log/eventlog.h"
#include "report/verify.h"

#define SEC 1000000000ull
#define FILES 3

static const uint8_t key[] = "verify-test-key-0123456789";

struct fx {
	char dir[64];
	char path[FILES][128]; /* oldest first */
	uint64_t now;
};

static uint64_t clock_fn(void *ctx)
{
	return ((struct fx *)ctx)->now;
}

/* Three files: two rotated by time, the live one closed with a shutdown
 * checkpoint. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct eventlog_conf c;
	struct eventlog *l;
	char msg[256], live[96];

	strcpy(f->dir, "/tmp/ew-verify-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(live, sizeof(live), "%s/events.jsonl", f->dir);
	f->now = 1704067200ull * SEC; /* 2024-01-01 */
	eventlog_conf_default(&c);
	c.path = live;
	c.key = key;
	c.key_len = sizeof(key) - 1;
	c.sensor = "s";
	c.flush_ns = 0;
	c.clock = clock_fn;
	c.clock_ctx = f;
	l = eventlog_open(&c, msg, sizeof(msg));
	assert_non_null(l);
	for (int i = 0; i < 30; i++) {
		char line[128];
		const struct ej_sink *s = eventlog_sink(l);

		snprintf(line, sizeof(line), "{\"event\":\"block\",\"n\":%d,\"host\":\"h%d.test\"}\n", i,
			 i % 3);
		assert_int_equal(s->line(s->ctx, line, strlen(line)), 0);
		if (i == 9 || i == 19) {
			f->now += 3600 * SEC;
			assert_int_equal(eventlog_rotate(l), 0);
		}
		f->now += SEC;
	}
	assert_int_equal(eventlog_close(l, NULL, 0), 0);
	/* rotated at 01:00:09 and 02:00:19 */
	snprintf(f->path[0], sizeof(f->path[0]), "%s/events.jsonl.20240101T010009Z", f->dir);
	snprintf(f->path[1], sizeof(f->path[1]), "%s/events.jsonl.20240101T020019Z", f->dir);
	snprintf(f->path[2], sizeof(f->path[2]), "%s", live);
	if (access(f->path[0], R_OK) | access(f->path[1], R_OK))
		fail_msg("rotated files missing: %s", f->path[0]);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *b = calloc(1, 1 << 20);

	*len = fread(b, 1, (1 << 20) - 1, fp);
	fclose(fp);
	return b;
}

static void spill(const char *path, const char *b, size_t len)
{
	FILE *fp = fopen(path, "w");

	fwrite(b, 1, len, fp);
	fclose(fp);
}

/* Line n (1-based) of b: its start and length with the newline. */
static char *line_at(char *b, int n, size_t *len)
{
	char *p = b;

	for (int i = 1; i < n; i++)
		p = strchr(p, '\n') + 1;
	*len = (size_t)(strchr(p, '\n') - p) + 1;
	return p;
}

static int run(struct fx *f, const uint8_t *k, struct verify_result *r, int skip)
{
	const char *paths[FILES];
	int n = 0;

	for (int i = FILES - 1; i >= 0; i--) /* newest first: order must not matter */
		if (i != skip)
			paths[n++] = f->path[i];
	return verify_files(paths, n, k, k ? sizeof(key) - 1 : 0, r);
}

static void expect(struct fx *f, enum verify_problem p, int file, uint64_t line, const char *why)
{
	struct verify_result r;

	assert_int_equal(run(f, key, &r, -1), 1);
	if (r.problem != p || strcmp(r.file, f->path[file]) || r.line != line ||
	    !strstr(r.why, why))
		fail_msg("got %s at %s:%llu (%s), want %s at %s:%llu (%s)",
			 verify_problem_name(r.problem), r.file, (unsigned long long)r.line, r.why,
			 verify_problem_name(p), f->path[file], (unsigned long long)line, why);
}

static void intact_in_any_order_with_gzip(void **state)
{
	struct fx *f = *state;
	struct verify_result r;
	size_t len;
	char *b = slurp(f->path[0], &len), gz[160];
	gzFile z;

	snprintf(gz, sizeof(gz), "%s.gz", f->path[0]);
	z = gzopen(gz, "wb");
	gzwrite(z, b, (unsigned)len);
	gzclose(z);
	unlink(f->path[0]);
	strcpy(f->path[0], gz);
	free(b);
	assert_int_equal(run(f, key, &r, -1), 0);
	assert_int_equal(r.files, 3);
	assert_int_equal(r.first_seq, 1);
	assert_int_equal(r.last_seq, r.lines);
	assert_int_equal(r.checkpoints, 3);
	assert_int_equal(run(f, NULL, &r, -1), 0); /* chain only */
	assert_non_null(strstr(r.why, "no key given"));
}

static void edited_field(void **state)
{
	struct fx *f = *state;
	size_t len, ll;
	char *b = slurp(f->path[1], &len), *l = line_at(b, 4, &ll), *h = strstr(l, "\"n\":");

	h[4]++; /* "n":12 -> "n":22 */
	spill(f->path[1], b, len);
	free(b);
	expect(f, VERIFY_EDITED, 1, 4, "edited line: its HMAC does not verify");
}

static void deleted_line(void **state)
{
	struct fx *f = *state;
	size_t len, ll;
	char *b = slurp(f->path[1], &len), *l = line_at(b, 5, &ll);

	memmove(l, l + ll, len - (size_t)(l - b) - ll);
	spill(f->path[1], b, len - ll);
	free(b);
	expect(f, VERIFY_DELETED, 1, 5, "deleted lines: seq jumps from");
}

static void inserted_line(void **state)
{
	struct fx *f = *state;
	static const char forged[] = "{\"event\":\"block\",\"n\":99,\"host\":\"forged.test\"}\n";
	size_t len, ll, fl = sizeof(forged) - 1;
	char *b = slurp(f->path[1], &len), *l = line_at(b, 5, &ll);

	memmove(l + fl, l, len - (size_t)(l - b));
	memcpy(l, forged, fl);
	spill(f->path[1], b, len + fl);
	free(b);
	expect(f, VERIFY_INSERTED, 1, 5, "inserted line");
}

static void reordered_lines(void **state)
{
	struct fx *f = *state;
	size_t len, l1, l2;
	char *b = slurp(f->path[1], &len), *a = line_at(b, 5, &l1), *c = line_at(b, 6, &l2);
	char *tmp = malloc(l1 + l2);

	memcpy(tmp, c, l2);
	memcpy(tmp + l2, a, l1);
	memcpy(a, tmp, l1 + l2);
	spill(f->path[1], b, len);
	free(tmp);
	free(b);
	expect(f, VERIFY_REORDERED, 1, 5, "reordered lines");
}

static void truncated_tail(void **state)
{
	struct fx *f = *state;
	size_t len, ll;
	char *b = slurp(f->path[2], &len), *l = line_at(b, 6, &ll);

	spill(f->path[2], b, len - 10); /* a torn last line */
	expect(f, VERIFY_TRUNCATED, 2, 12, "the last line is cut short");
	spill(f->path[2], b, (size_t)(l - b)); /* whole lines gone, checkpoint too */
	expect(f, VERIFY_TRUNCATED, 2, 5, "no checkpoint after the last events");
	free(b);
}

static void missing_rotated_file(void **state)
{
	struct fx *f = *state;
	struct verify_result r;

	assert_int_equal(run(f, key, &r, 1), 1);
	assert_int_equal(r.problem, VERIFY_MISSING_FILE);
	assert_string_equal(r.file, f->path[2]);
	assert_int_equal(r.line, 1);
	assert_non_null(strstr(r.why, "missing file: this file starts at seq"));
	assert_int_equal(run(f, key, &r, 2), 1); /* the newest one */
	assert_int_equal(r.problem, VERIFY_MISSING_FILE);
	assert_string_equal(r.file, f->path[1]);
	assert_non_null(strstr(r.why, "the chain goes on in a file after this one"));
}

static void wrong_key(void **state)
{
	struct fx *f = *state;
	static const uint8_t other[] = "some-other-key-0123456789";
	struct verify_result r;
	const char *one[1] = {f->path[1]};

	assert_int_equal(verify_files(one, 1, other, sizeof(other) - 1, &r), 1);
	assert_int_equal(r.problem, VERIFY_WRONG_KEY);
	assert_int_equal(r.line, 1);
	assert_non_null(strstr(r.why, "not with the key given"));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(intact_in_any_order_with_gzip), T(edited_field), T(deleted_line),
		T(inserted_line), T(reordered_lines), T(truncated_tail), T(missing_rotated_file),
		T(wrong_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
