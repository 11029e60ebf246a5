// SPDX-License-Identifier: GPL-2.0
/* evidence: a matched object's body reaches the sealer and comes back
 * byte for byte with the responders' secret key only; an object that does
 * not match is not kept; one past the per-object cap or the shared budget
 * is not kept and is counted; an altered or foreign sealed file does not
 * open; retention deletes old sealed files but preserved ones. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "evidence/evidence.h"
#include "log/retention.h"
#include "object/objsink.h"

#define HELLO_SHA256 "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"

struct fx {
	char dir[64];
	uint8_t pk[32], sk[32], listed[32];
	struct objsink_matcher m;
	struct evidence *ev;
	struct objsink *s;
	struct ej_writer w;
	FILE *devnull;
	char last[64]; /* evidence name of the last verdict */
};

static int lookup(void *ctx, enum hash_type t, const uint8_t *d, struct objsink_hit *hits, int max)
{
	struct fx *f = ctx;

	if (t != HASH_T_SHA256 || memcmp(d, f->listed, 32) || max < 1)
		return 0;
	objsink_copy_name(hits[0].list, "test");
	objsink_copy_name(hits[0].category, "cat");
	return 1;
}

static void verdict(void *ctx, const struct obj_verdict *v)
{
	snprintf(((struct fx *)ctx)->last, 64, "%s", v->evidence);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct evidence_conf ec = {.max_object = 64, .total_max = 1 << 20};
	char pub[96], sec[96], msg[256];
	struct objsink_conf c = {.log_mask = HASH_SHA256};

	strcpy(f->dir, "/tmp/ew-evidence-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(pub, sizeof(pub), "%s/r.pub", f->dir);
	snprintf(sec, sizeof(sec), "%s/r.sec", f->dir);
	assert_int_equal(evidence_keygen(pub, sec, msg, sizeof(msg)), 0);
	assert_int_equal(evidence_read_key(pub, f->pk, 0, msg, sizeof(msg)), 0);
	assert_int_equal(evidence_read_key(sec, f->sk, 1, msg, sizeof(msg)), 0);
	ec.dir = f->dir;
	memcpy(ec.pk, f->pk, 32);
	f->ev = evidence_new(&ec, msg, sizeof(msg));
	assert_non_null(f->ev);
	assert_int_equal(evidence_start(f->ev), 0);
	hash_unhex(HASH_T_SHA256, HELLO_SHA256, f->listed);
	f->m = (struct objsink_matcher){.need = HASH_SHA256, .lookup = lookup, .ctx = f};
	f->devnull = fopen("/dev/null", "w");
	ej_init(&f->w, f->devnull);
	c.out = &f->w;
	c.matcher = &f->m;
	c.verdict = verdict;
	c.verdict_ctx = f;
	c.evidence = evidence_hook(f->ev);
	f->s = objsink_new(&c);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[96];

	objsink_free(f->s);
	evidence_free(f->ev, NULL);
	ej_free(&f->w);
	fclose(f->devnull);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void object(struct fx *f, const char *body)
{
	const struct object_ops *ops = objsink_object_ops();
	struct obj_meta m = {.kind = OBJ_RESPONSE_BODY, .ts_ns = 1, .method = "GET", .host = "h",
			     .uri = "/", .status = 200, .content_type = "", .content_encoding = "",
			     .transfer_encoding = "", .filename = "", .etag = "", .last_modified = "",
			     .declared_len = -1, .range_first = -1, .range_last = -1,
			     .range_total = -1};
	struct obj_end e = {.flags = OBJ_COMPLETE, .ts_ns = 2, .sniffed = "", .error = "",
			    .wire_len = strlen(body), .decoded_len = strlen(body)};
	void *o = ops->begin(f->s, &m);

	/* in two pieces: the copy grows */
	ops->wire(o, (const uint8_t *)body, strlen(body));
	ops->data(o, (const uint8_t *)body, 5);
	ops->data(o, (const uint8_t *)body + 5, strlen(body) - 5);
	ops->end(o, &e);
}

/* Stops the sealer so everything queued is on disk. */
static void drain(struct fx *f, struct evidence_stats *st)
{
	objsink_free(f->s);
	f->s = NULL;
	evidence_free(f->ev, st);
	f->ev = NULL;
}

static void matched_object_sealed_and_opened(void **state)
{
	struct fx *f = *state;
	struct evidence_stats st;
	uint8_t *out, pk2[32], sk2[32];
	char name[64], path[160], pub[96], sec[96], msg[256];
	size_t len;
	FILE *fp;

	object(f, "hello world");
	snprintf(name, sizeof(name), "%s", f->last);
	assert_int_equal(strlen(name), 47);
	assert_non_null(strstr(name, "-b94d27b9934d3e08.sealed"));
	object(f, "not on any list");
	assert_string_equal(f->last, "");
	drain(f, &st);
	assert_int_equal(st.kept, 1);
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_int_equal(evidence_open(path, f->pk, f->sk, &out, &len), 0);
	assert_int_equal(len, 11);
	assert_memory_equal(out, "hello world", 11);
	free(out);
	/* another key pair can't open it */
	snprintf(pub, sizeof(pub), "%s/o.pub", f->dir);
	snprintf(sec, sizeof(sec), "%s/o.sec", f->dir);
	assert_int_equal(evidence_keygen(pub, sec, msg, sizeof(msg)), 0);
	evidence_read_key(pub, pk2, 0, msg, sizeof(msg));
	evidence_read_key(sec, sk2, 1, msg, sizeof(msg));
	assert_int_equal(evidence_open(path, pk2, sk2, &out, &len), -EBADMSG);
	/* nor once a byte changed */
	fp = fopen(path, "r+");
	fseek(fp, 40, SEEK_SET);
	fputc(0x55, fp);
	fclose(fp);
	assert_int_equal(evidence_open(path, f->pk, f->sk, &out, &len), -EBADMSG);
	chmod(sec, 0644);
	assert_int_equal(evidence_read_key(sec, sk2, 1, msg, sizeof(msg)), -EPERM);
}

static void over_the_cap_not_kept(void **state)
{
	struct fx *f = *state;
	struct evidence_stats st;
	char big[200];

	/* the cap is 64 bytes: list the SHA-256 of a 100-byte body */
	memset(big, 'x', 100);
	big[100] = '\0';
	{
		struct hash_ctx h;
		struct hash_result r;

		hash_init(&h, HASH_SHA256);
		hash_update(&h, big, 100);
		hash_final(&h, &r);
		hash_free(&h);
		memcpy(f->listed, r.d[HASH_T_SHA256], 32);
	}
	object(f, big);
	assert_string_equal(f->last, ""); /* matched, not kept */
	drain(f, &st);
	assert_int_equal(st.kept, 0);
	assert_int_equal(st.too_big, 1);
}

static void retention_keeps_preserved(void **state)
{
	struct fx *f = *state;
	struct retention_stats rs;
	char a[128], b[128], c[128];
	FILE *fp;

	snprintf(a, sizeof(a), "%s/1.sealed", f->dir);
	snprintf(b, sizeof(b), "%s/2.sealed", f->dir);
	snprintf(c, sizeof(c), "%s/access.jsonl", f->dir);
	fclose(fopen(a, "w"));
	fclose(fopen(b, "w"));
	fp = fopen(c, "w");
	fclose(fp);
	assert_int_equal(retention_preserve(b, "tester", "case 12"), 0);
	/* one hour on: everything is older than a minute */
	assert_int_equal(retention_apply_dir(f->dir, ".sealed", 60ull * 1000000000ull,
					     (uint64_t)time(NULL) * 1000000000ull + 3600ull * 1000000000ull,
					     &rs), 0);
	assert_int_equal(rs.deleted, 1);
	assert_int_equal(rs.preserved, 1);
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(access(b, F_OK), 0);
	assert_int_equal(access(c, F_OK), 0); /* not a sealed object */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(matched_object_sealed_and_opened, setup, teardown),
		cmocka_unit_test_setup_teardown(over_the_cap_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(retention_keeps_preserved, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
