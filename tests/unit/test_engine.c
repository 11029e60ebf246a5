// SPDX-License-Identifier: GPL-2.0
/* engine: captures through the workers; the same events for any number of
 * workers, events in input order whatever the sharding, a verdict per
 * object back to the source, per-source summaries in their place, and an
 * unreadable source reported while the others run. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture/pcapsrc.h"
#include "engine/engine.h"
#include "unit/capwrite.h"

/* SHA-256 of "listed body!" */
#define LISTED_SHA256 "8d8e5e2a1d538f9e189a2ab5125aa87bbb7e05722ca635af9b6c78daefd15cfe"

struct verdicts {
	pthread_mutex_t lock;
	int n, hits;
	char list[64], category[64], uri[64];
	int at_source[4]; /* output lines when source i was reported */
	int nsrc;
	FILE *out;
	char **buf;
	size_t *len;
};

/* One GET and its response on connection cport; the response ends when
 * the client's next segment arrives (it carries a Content-Length). */
static void exchange(struct cap *c, unsigned cport, const char *uri, const char *body)
{
	char req[128], resp[256];
	uint32_t cs = 1000 * cport, ss = 5000 * cport;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t.example\r\n\r\n", uri);
	snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(body), body);
	cap_tcp(c, CLI_IP, cport, 1, cs, 0, PKT_SYN, "");
	cap_tcp(c, CLI_IP, cport, 0, ss, cs + 1, PKT_SYN | PKT_ACK, "");
	cap_tcp(c, CLI_IP, cport, 1, cs + 1, ss + 1, PKT_ACK, req);
	cap_tcp(c, CLI_IP, cport, 0, ss + 1, cs + 1 + (uint32_t)strlen(req), PKT_ACK, resp);
}

/* Eight connections whose responses finish in an order unlike their
 * opening order, so the sharding shows if the merger does not order. */
static void write_capture(const char *path, unsigned base_port)
{
	static const unsigned order[] = {3, 0, 7, 1, 6, 2, 5, 4};
	struct cap c;

	cap_open(&c, path, DLT_EN10MB);
	for (unsigned i = 0; i < 8; i++) {
		char uri[32];
		unsigned k = order[i];

		snprintf(uri, sizeof(uri), "/obj%u", k);
		exchange(&c, base_port + k, uri, k == 5 ? "listed body!" : "other body");
	}
	cap_close(&c);
}

static int strcmp_p(const char *const *a, const char *const *b)
{
	return strcmp(*a, *b);
}

static void on_verdict(void *ctx, const struct obj_verdict *v)
{
	struct verdicts *vs = ctx;

	pthread_mutex_lock(&vs->lock);
	vs->n++;
	if (v->hits) {
		vs->hits++;
		snprintf(vs->list, sizeof(vs->list), "%s", v->list);
		snprintf(vs->category, sizeof(vs->category), "%s", v->category);
		snprintf(vs->uri, sizeof(vs->uri), "%s", v->uri);
		assert_string_equal(v->hash_type, "sha256");
		assert_int_equal(v->hash_len, 32);
	}
	pthread_mutex_unlock(&vs->lock);
}

static int lines(struct verdicts *vs)
{
	int n = 0;

	fflush(vs->out);
	for (size_t i = 0; i < *vs->len; i++)
		n += (*vs->buf)[i] == '\n';
	return n;
}

static void on_source(void *ctx, const struct engine_source *s)
{
	struct verdicts *vs = ctx;

	assert_int_equal(s->index, vs->nsrc);
	vs->at_source[vs->nsrc++] = lines(vs);
}

static struct hashdb *listed_db(void)
{
	char path[] = "/tmp/ew_test_engine_list_XXXXXX";
	struct listfile_opts lo = {.kind = LIST_SHA256};
	struct diag d;
	struct hashdb *db = hashdb_new();
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_true(write(fd, LISTED_SHA256 "\n", 65) == 65);
	close(fd);
	assert_int_equal(hashdb_load(db, "L", path, "C", &lo, &d), 0);
	unlink(path);
	return db;
}

/* Runs srcs through an engine of n workers; returns the output (malloc'd). */
static char *run(struct engine_source *src, int nsrc, unsigned n, struct hashdb *db,
		 struct verdicts *vs)
{
	struct engine_conf c;
	struct ej_writer w;
	struct engine *e;
	char *buf = NULL;
	size_t len = 0;

	memset(vs, 0, sizeof(*vs));
	pthread_mutex_init(&vs->lock, NULL);
	vs->out = open_memstream(&buf, &len);
	vs->buf = &buf;
	vs->len = &len;
	ej_init(&w, vs->out);
	engine_conf_default(&c);
	c.workers = n;
	c.log_mask = HASH_SHA256;
	c.hashdb = db;
	c.out = &w;
	c.verdict = on_verdict;
	c.verdict_ctx = vs;
	c.source_done = on_source;
	c.source_ctx = vs;
	e = engine_new(&c);
	assert_non_null(e);
	engine_run_files(e, src, nsrc);
	engine_free(e);
	ej_free(&w);
	fclose(vs->out);
	pthread_mutex_destroy(&vs->lock);
	return buf;
}

static void same_events_any_workers(void **state)
{
	char a[] = "/tmp/ew_test_engine_a_XXXXXX", b[] = "/tmp/ew_test_engine_b_XXXXXX";
	struct engine_source src[2] = {{.path = a}, {.path = b}};
	struct hashdb *db = listed_db();
	struct verdicts vs;
	char *one, *many;
	int at0;

	(void)state;
	close(mkstemp(a));
	close(mkstemp(b));
	write_capture(a, 40000);
	write_capture(b, 41000);
	one = run(src, 2, 1, db, &vs);
	at0 = vs.at_source[0];
	assert_int_equal(vs.n, 16);
	assert_int_equal(vs.hits, 2);
	assert_string_equal(vs.list, "L");
	assert_string_equal(vs.category, "C");
	assert_string_equal(vs.uri, "/obj5");
	/* 8 objects and 1 match per file, each file's before its summary */
	assert_int_equal(vs.nsrc, 2);
	assert_int_equal(at0, 9);
	assert_int_equal(vs.at_source[1], 18);
	for (unsigned n = 2; n <= 5; n++) {
		memset(src, 0, sizeof(src));
		src[0].path = a, src[1].path = b;
		many = run(src, 2, n, db, &vs);
		assert_string_equal(many, one);
		assert_int_equal(vs.hits, 2);
		assert_int_equal(vs.at_source[0], at0);
		free(many);
	}
	/* in input order: the responses end as /obj3, /obj0, /obj7 ... */
	assert_non_null(strstr(one, "\"id\":1,\"source\":\""));
	assert_true(strstr(one, "\"uri\":\"/obj3\"") < strstr(one, "\"uri\":\"/obj0\""));
	assert_true(strstr(one, "\"uri\":\"/obj0\"") < strstr(one, "\"uri\":\"/obj7\""));
	free(one);
	hashdb_free(db);
	unlink(a);
	unlink(b);
}

static void unreadable_source_reported(void **state)
{
	char b[] = "/tmp/ew_test_engine_b_XXXXXX";
	struct engine_source src[2] = {{.path = "/nonexistent/x.pcap"}, {.path = b}};
	struct verdicts vs;
	char *out;

	(void)state;
	close(mkstemp(b));
	write_capture(b, 42000);
	out = run(src, 2, 3, NULL, &vs);
	assert_int_equal(src[0].err < 0, 1);
	assert_true(strncmp(src[0].msg, "couldn't open '/nonexistent/x.pcap': ", 37) == 0);
	assert_int_equal(src[1].err, 0);
	assert_int_equal(src[1].cap.frames, 32);
	assert_int_equal(src[1].tcp.flows, 8);
	assert_int_equal(vs.n, 8);
	assert_int_equal(vs.hits, 0);
	assert_int_equal(vs.nsrc, 2);
	assert_int_equal(vs.at_source[0], 0);
	assert_int_equal(vs.at_source[1], 8);
	free(out);
	unlink(b);
}

/* The lines of out from their "ts" member on (event, id and source cut
 * off), sorted. */
static char *strip_ids(char *out, size_t *n)
{
	char **lines = calloc(64, sizeof(*lines)), *save = NULL, *l, *res;
	size_t total = 0;

	*n = 0;
	for (l = strtok_r(out, "\n", &save); l && *n < 64; l = strtok_r(NULL, "\n", &save)) {
		char *ts = strstr(l, "\"ts\":"); /* after event, id and source */

		lines[(*n)++] = ts ? ts : l;
		total += strlen(lines[*n - 1]) + 1;
	}
	qsort(lines, *n, sizeof(*lines), (int (*)(const void *, const void *))strcmp_p);
	res = calloc(1, total + 1);
	for (size_t i = 0; i < *n; i++)
		strcat(strcat(res, lines[i]), "\n");
	free(lines);
	return res;
}

/* Live: the frames of a capture pushed one by one give the objects and
 * matches a capture run gives (in arrival order, so compared sorted), and
 * the verdicts. */
static void live_frames_same_objects(void **state)
{
	char a[] = "/tmp/ew_test_engine_a_XXXXXX";
	struct engine_source src[1] = {{.path = a}};
	struct hashdb *db = listed_db();
	struct pcapsrc_err err;
	struct pcapsrc_frame fr;
	struct verdicts vs;
	struct engine_conf c;
	struct ej_writer w;
	struct pcapsrc *ps;
	struct engine *e;
	char *want, *got = NULL, *ws, *gs;
	size_t len = 0, nw, ng;

	(void)state;
	close(mkstemp(a));
	write_capture(a, 43000);
	want = run(src, 1, 2, db, &vs);
	memset(&vs, 0, sizeof(vs));
	pthread_mutex_init(&vs.lock, NULL);
	vs.out = open_memstream(&got, &len);
	ej_init(&w, vs.out);
	engine_conf_default(&c);
	c.workers = 3;
	c.log_mask = HASH_SHA256;
	c.hashdb = db;
	c.out = &w;
	c.verdict = on_verdict;
	c.verdict_ctx = &vs;
	e = engine_new(&c);
	assert_non_null(e);
	assert_int_equal(engine_start(e), 0);
	assert_int_equal(engine_start(e), -EBUSY);
	ps = pcapsrc_open(a, &err);
	assert_non_null(ps);
	while (pcapsrc_next(ps, &fr, &err) == 1)
		assert_int_equal(engine_push_frame(e, fr.linktype, fr.data, fr.caplen, fr.ts_ns, 0), 0);
	pcapsrc_close(ps);
	engine_stop(e);
	engine_free(e);
	ej_free(&w);
	fclose(vs.out);
	assert_int_equal(vs.n, 8);
	assert_int_equal(vs.hits, 1);
	ws = strip_ids(want, &nw);
	gs = strip_ids(got, &ng);
	assert_int_equal(nw, 9);
	assert_int_equal(ng, 9);
	assert_non_null(strstr(ws, "/obj5"));
	assert_string_equal(gs, ws);
	free(ws), free(gs), free(want), free(got);
	pthread_mutex_destroy(&vs.lock);
	hashdb_free(db);
	unlink(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_events_any_workers),
		cmocka_unit_test(unreadable_source_reported),
		cmocka_unit_test(live_frames_same_objects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
