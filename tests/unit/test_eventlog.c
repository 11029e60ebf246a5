// SPDX-License-Identifier: GPL-2.0
/* eventlog: the integrity chain and HMAC of every line, checkpoints,
 * rotation by size and time, reopening after logrotate, picking up the
 * chain of an existing file (or moving a foreign one away), the bounded
 * queue when the disk is full, the privacy filter. Time is injected. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/hex.h"
#include "log/eventlog.h"
#include "log/logmac.h"

#define SEC 1000000000ull

static const uint8_t key[] = "0123456789abcdef-test-key";

struct env {
	char dir[64], path[96];
	uint64_t now;
	int fail_writes; /* the next N writes fail with ENOSPC */
	struct eventlog_conf c;
};

static uint64_t clock_fn(void *ctx)
{
	return ((struct env *)ctx)->now;
}

static long write_fn(int fd, const void *p, size_t n);
static struct env *cur;

static long write_fn(int fd, const void *p, size_t n)
{
	if (cur->fail_writes > 0) {
		cur->fail_writes--;
		errno = ENOSPC;
		return -1;
	}
	return write(fd, p, n);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	strcpy(e->dir, "/tmp/ew-evlog-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/events.jsonl", e->dir);
	e->now = 1764650000ull * SEC;
	eventlog_conf_default(&e->c);
	e->c.path = e->path;
	e->c.key = key;
	e->c.key_len = sizeof(key) - 1;
	e->c.sensor = "s1";
	e->c.flush_ns = 0;
	e->c.clock = clock_fn;
	e->c.clock_ctx = e;
	e->c.write = write_fn;
	cur = e;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

static struct eventlog *open_log(struct env *e)
{
	char msg[512] = "";
	struct eventlog *l = eventlog_open(&e->c, msg, sizeof(msg));

	if (!l)
		fail_msg("eventlog_open: %s", msg);
	return l;
}

static void put(struct eventlog *l, const char *line)
{
	const struct ej_sink *s = eventlog_sink(l);

	assert_int_equal(s->line(s->ctx, line, strlen(line)), 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);

	assert_non_null(f);
	fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

/* Checks every line of text: HMAC, seq from first_seq on, and prev
 * chaining from *prev (updated). Returns the number of lines. */
static int check_chain(const char *text, uint64_t first_seq, uint8_t prev[32])
{
	struct logmac *m = logmac_new(key, sizeof(key) - 1);
	const char *p = text;
	int n = 0;

	for (const char *nl; (nl = strchr(p, '\n')); p = nl + 1, n++) {
		size_t len = (size_t)(nl - p);
		uint8_t mac[32], want[32], h[32];
		char hex[65], needle[128];

		assert_true(len > 76);
		assert_memory_equal(p + len - 76, ",\"hmac\":\"", 9);
		assert_int_equal(hex_decode(p + len - 67, 32, want), 0);
		assert_int_equal(logmac_hmac(m, p, len - 76, mac), 0);
		assert_memory_equal(mac, want, 32);
		hex_encode(prev, 32, hex);
		snprintf(needle, sizeof(needle), "\"integrity\":{\"seq\":%llu,\"prev\":\"%s\"",
			 (unsigned long long)(first_seq + (uint64_t)n), hex);
		if (!memmem(p, len, needle, strlen(needle)))
			fail_msg("line %d: no %s in %.*s", n + 1, needle, (int)len, p);
		logmac_sha256(p, len, h);
		memcpy(prev, h, 32);
	}
	logmac_free(m);
	return n;
}

static void chain_and_checkpoint(void **state)
{
	struct env *e = *state;
	struct eventlog *l = open_log(e);
	uint8_t prev[32] = {0};
	char *t;

	put(l, "{\"event\":\"object\",\"id\":1}\n");
	put(l, "{\"event\":\"match\",\"object\":1}\n");
	assert_int_equal(eventlog_close(l, NULL, 0), 0);
	t = slurp(e->path);
	assert_int_equal(check_chain(t, 1, prev), 4);
	assert_non_null(strstr(t, "{\"event\":\"log\",\"ts\":\"2025-12-02T04:33:20.000000Z\","
				  "\"sensor\":\"s1\",\"action\":\"open\",\"schema\":4,"
				  "\"file\":\"events.jsonl\","
				  "\"previous_file\":null,\"chain\":\"new\",\"clean_stop\":null"));
	assert_non_null(strstr(t, "\n{\"event\":\"object\",\"id\":1,\"integrity\":{\"seq\":2,"));
	assert_non_null(strstr(t, "{\"event\":\"checkpoint\",\"ts\":\"2025-12-02T04:33:20.000000Z\","
				  "\"sensor\":\"s1\",\"reason\":\"shutdown\",\"count\":3,"));
	free(t);
}

static void no_key_lines_unchanged(void **state)
{
	struct env *e = *state;
	struct eventlog *l;
	char *t;

	e->c.key = NULL;
	l = open_log(e);
	put(l, "{\"event\":\"object\",\"id\":1}\n");
	assert_int_equal(eventlog_close(l, NULL, 0), 0);
	t = slurp(e->path);
	assert_string_equal(t, "{\"event\":\"object\",\"id\":1}\n");
	free(t);
}

static void flush_interval(void **state)
{
	struct env *e = *state;
	struct eventlog *l;
	const struct ej_sink *s;
	char *t;

	e->c.key = NULL;
	e->c.flush_ns = 2 * SEC;
	l = open_log(e);
	s = eventlog_sink(l);
	put(l, "{\"a\":1}\n");
	s->flush(s->ctx);
	t = slurp(e->path);
	assert_string_equal(t, ""); /* not yet: the interval is not up */
	free(t);
	e->now += 2 * SEC;
	assert_int_equal(eventlog_tick(l), 0);
	t = slurp(e->path);
	assert_string_equal(t, "{\"a\":1}\n");
	free(t);
	eventlog_close(l, NULL, 0);
}

/* The path of the one rotated file in the directory. */
static void rotated(struct env *e, char *out, size_t len)
{
	char cmd[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s/events.jsonl.2* | head -1", e->dir);
	p = popen(cmd, "r");
	assert_non_null(fgets(out, (int)len, p));
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

static void rotate_by_size_chains_files(void **state)
{
	struct env *e = *state;
	struct eventlog *l;
	struct eventlog_stats st;
	uint8_t prev[32] = {0};
	char old[256], *t1, *t2;
	int n1;

	e->c.rotate_bytes = 1200;
	l = open_log(e);
	for (int i = 0; i < 4; i++)
		put(l, "{\"event\":\"object\",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n");
	eventlog_stats(l, &st);
	assert_int_equal(st.rotations, 1);
	assert_int_equal(eventlog_close(l, NULL, 0), 0);
	rotated(e, old, sizeof(old));
	t1 = slurp(old);
	t2 = slurp(e->path);
	n1 = check_chain(t1, 1, prev);
	assert_non_null(strstr(t1, "\"reason\":\"rotate\""));
	check_chain(t2, (uint64_t)n1 + 1, prev); /* the chain runs on */
	assert_non_null(strstr(t2, "\"action\":\"rotate\",\"schema\":4,\"file\":\"events.jsonl\","
				   "\"previous_file\":\"events.jsonl.2025"));
	free(t1);
	free(t2);
}

static void rotate_by_time(void **state)
{
	struct env *e = *state;
	struct eventlog *l;
	struct eventlog_stats st;

	e->c.rotate_ns = 3600 * SEC;
	l = open_log(e);
	put(l, "{\"event\":\"x\"}\n");
	e->now += 3599 * SEC;
	eventlog_tick(l);
	eventlog_stats(l, &st);
	assert_int_equal(st.rotations, 0);
	e->now += SEC;
	eventlog_tick(l);
	eventlog_stats(l, &st);
	assert_int_equal(st.rotations, 1);
	eventlog_close(l, NULL, 0);
}

static void reopen_after_logrotate(void **state)
{
	struct env *e = *state;
	struct eventlog *l = open_log(e);
	uint8_t prev[32] = {0};
	char moved[128], *t1, *t2;
	int n1;

	put(l, "{\"event\":\"x\"}\n");
	snprintf(moved, sizeof(moved), "%s.1", e->path);
	assert_int_equal(rename(e->path, moved), 0);
	put(l, "{\"event\":\"y\"}\n"); /* still into the moved file */
	assert_int_equal(eventlog_reopen(l), 0);
	put(l, "{\"event\":\"z\"}\n");
	eventlog_close(l, NULL, 0);
	t1 = slurp(moved);
	t2 = slurp(e->path);
	n1 = check_chain(t1, 1, prev);
	assert_int_equal(n1, 4); /* open, x, y, checkpoint "reopen" */
	assert_int_equal(check_chain(t2, 5, prev), 3);
	assert_non_null(strstr(t2, "\"action\":\"reopen\""));
	free(t1);
	free(t2);
}

static void append_continues_chain(void **state)
{
	struct env *e = *state;
	struct eventlog *l = open_log(e);
	uint8_t prev[32] = {0};
	char *t;

	put(l, "{\"event\":\"x\"}\n");
	eventlog_close(l, NULL, 0);
	l = open_log(e);
	put(l, "{\"event\":\"y\"}\n");
	eventlog_close(l, NULL, 0);
	t = slurp(e->path);
	assert_int_equal(check_chain(t, 1, prev), 6);
	assert_non_null(strstr(t, "\"chain\":\"continued\",\"clean_stop\":true"));
	free(t);
}

static void foreign_file_moved_away(void **state)
{
	struct env *e = *state;
	FILE *f = fopen(e->path, "w");
	uint8_t prev[32] = {0};
	struct eventlog *l;
	char old[256], *t;

	fputs("{\"event\":\"object\",\"id\":1}\n", f);
	fclose(f);
	l = open_log(e);
	eventlog_close(l, NULL, 0);
	rotated(e, old, sizeof(old));
	t = slurp(old);
	assert_string_equal(t, "{\"event\":\"object\",\"id\":1}\n");
	free(t);
	t = slurp(e->path);
	assert_int_equal(check_chain(t, 1, prev), 2);
	assert_non_null(strstr(t, "\"previous_file\":\"events.jsonl.2025"));
	free(t);
}

/* Disk full: a health event, lines queued up to the cap, the rest lost
 * and counted; once writable, everything queued and a count of the lost. */
static void disk_full_queues_and_counts(void **state)
{
	struct env *e = *state;
	struct eventlog *l;
	struct eventlog_stats st;
	uint8_t prev[32] = {0};
	char msg[256], *t;

	e->c.queue_max = 1200;
	l = open_log(e);
	e->fail_writes = 1000;
	for (int i = 0; i < 20; i++)
		put(l, "{\"event\":\"object\",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n");
	eventlog_stats(l, &st);
	assert_true(st.unwritable);
	assert_true(st.lost > 0 && st.lost < 20);
	assert_true(st.queue_bytes > 0);
	e->fail_writes = 0;
	e->now += 2 * SEC;
	assert_int_equal(eventlog_tick(l), 0);
	eventlog_stats(l, &st);
	assert_false(st.unwritable);
	assert_int_equal(eventlog_close(l, msg, sizeof(msg)), -EIO); /* lost lines */
	t = slurp(e->path);
	check_chain(t, 1, prev); /* lost lines were never signed: no hole */
	assert_non_null(strstr(t, "\"problem\":\"event log unwritable\",\"count\":1"));
	assert_non_null(strstr(t, "\"problem\":\"event log writable again\",\"count\":"));
	assert_non_null(strstr(msg, "events lost"));
	free(t);
}

static int drop_or_tag(void *ctx, const char *line, size_t len, char *out, size_t cap,
		       size_t *outlen)
{
	(void)ctx;
	if (memmem(line, len, "secret", 6))
		return 1;
	*outlen = (size_t)snprintf(out, cap, "%.*s", (int)len, line);
	out[1] = 'X'; /* rewritten */
	return 0;
}

static void filter_drops_and_rewrites(void **state)
{
	struct env *e = *state;
	struct eventlog_filter f = {.apply = drop_or_tag};
	struct eventlog_stats st;
	struct eventlog *l;
	char *t;

	e->c.key = NULL;
	e->c.filter = &f;
	l = open_log(e);
	put(l, "{\"a\":\"secret\"}\n");
	put(l, "{\"b\":1}\n");
	eventlog_stats(l, &st);
	assert_int_equal(st.filtered, 1);
	eventlog_close(l, NULL, 0);
	t = slurp(e->path);
	assert_string_equal(t, "{Xb\":1}\n");
	free(t);
}

static void key_file_checks(void **state)
{
	struct env *e = *state;
	char path[128], msg[256];
	uint8_t k[LOGMAC_KEY_MAX + 1];
	FILE *f;

	snprintf(path, sizeof(path), "%s/key", e->dir);
	f = fopen(path, "w");
	fputs("0123456789abcdef0123\n", f);
	fclose(f);
	chmod(path, 0644);
	assert_int_equal(logmac_read_key(path, k, sizeof(k), msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "is readable by group or others (chmod 600 it)"));
	chmod(path, 0600);
	assert_int_equal(logmac_read_key(path, k, sizeof(k), msg, sizeof(msg)), 20);
	f = fopen(path, "w");
	fputs("short\n", f);
	fclose(f);
	assert_int_equal(logmac_read_key(path, k, sizeof(k), msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "holds 5 bytes (expected 16 to 1024)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(chain_and_checkpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(no_key_lines_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(flush_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(rotate_by_size_chains_files, setup, teardown),
		cmocka_unit_test_setup_teardown(rotate_by_time, setup, teardown),
		cmocka_unit_test_setup_teardown(reopen_after_logrotate, setup, teardown),
		cmocka_unit_test_setup_teardown(append_continues_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(foreign_file_moved_away, setup, teardown),
		cmocka_unit_test_setup_teardown(disk_full_queues_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(filter_drops_and_rewrites, setup, teardown),
		cmocka_unit_test_setup_teardown(key_file_checks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
