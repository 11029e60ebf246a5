// SPDX-License-Identifier: GPL-2.0
/* proxy: the transparent proxy on loopback, in its fixed-upstream mode.
 *
 *   client socket ──▶ proxy (listening fd, 2 loops) ──▶ test server thread
 *   (this thread)      engine: hash list of the        (canned responses,
 *                      "listed" images                  byte for byte)
 *
 * Exact bytes and exact verdicts: unlisted media arrive byte-identical in
 * every framing (Content-Length, chunked, gzip, 1xx, HEAD, 304, close,
 * pipelined on one keep-alive connection); a listed image becomes exactly
 * the 451 response and the next response still arrives; blocked = reset
 * resets; a learned URL is refused before the server is asked; a response
 * past hold_max streams and is reset when it matches; idle connections
 * close and give their memory back; max_conns refuses and says so; 50 MB
 * that are not media stream with nothing held. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "util/hex.h"
#include "engine/engine.h"
#include "object/hash.h"
#include "proxy/learn.h"
#include "proxy/proxy.h"

/* ---- test data --------------------------------------------------------- */

struct blob {
	uint8_t *p;
	size_t n;
};

/* A JPEG-looking body (magic, then pseudo-random bytes, then EOI). */
static struct blob fake_jpeg(size_t n, uint32_t seed)
{
	struct blob b = {malloc(n), n};

	assert_non_null(b.p);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b.p[i] = (uint8_t)(seed >> 16);
	}
	memcpy(b.p, "\xff\xd8\xff\xe0\0\x10JFIF\0", 11);
	b.p[n - 2] = 0xff;
	b.p[n - 1] = 0xd9;
	return b;
}

static struct blob gzip_of(const struct blob *in)
{
	z_stream z = {0};
	struct blob b = {malloc(in->n + 1024), 0};

	assert_non_null(b.p);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = in->p;
	z.avail_in = (uInt)in->n;
	z.next_out = b.p;
	z.avail_out = (uInt)(in->n + 1024);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	b.n = z.total_out;
	deflateEnd(&z);
	return b;
}

/* head + body, where body is framed as chunks of at most csize bytes
 * (csize 0: as is). */
static struct blob response(const char *head, const struct blob *body, size_t csize)
{
	size_t hn = strlen(head), cap = hn + (body ? body->n + body->n / 8 + 64 : 0);
	struct blob b = {malloc(cap + 1), 0};

	assert_non_null(b.p);
	memcpy(b.p, head, hn);
	b.n = hn;
	if (!body)
		return b;
	if (!csize) {
		memcpy(b.p + b.n, body->p, body->n);
		b.n += body->n;
		return b;
	}
	for (size_t at = 0; at < body->n; at += csize) {
		size_t k = body->n - at < csize ? body->n - at : csize;

		b.n += (size_t)sprintf((char *)b.p + b.n, "%zx\r\n", k);
		memcpy(b.p + b.n, body->p + at, k);
		b.n += k;
		memcpy(b.p + b.n, "\r\n", 2);
		b.n += 2;
	}
	memcpy(b.p + b.n, "0\r\n\r\n", 5);
	b.n += 5;
	return b;
}

static struct blob cl_response(const char *type, const struct blob *body)
{
	char head[256];

	snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
		 type, body->n);
	return response(head, body, 0);
}

static void sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
	struct hash_ctx h;
	struct hash_result r;

	assert_int_equal(hash_init(&h, HASH_SHA256), 0);
	hash_update(&h, p, n);
	assert_int_equal(hash_final(&h, &r), 0);
	memcpy(out, r.d[HASH_T_SHA256], 32);
	hash_free(&h);
}

/* The 451 response for category "C", exactly. */
static struct blob notice(bool close)
{
	static const char page[] =
		"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		"<title>451 Unavailable For Legal Reasons</title></head>\n"
		"<body><h1>Unavailable For Legal Reasons</h1>\n"
		"<p>This content is blocked: it is listed as C.</p></body></html>\n";
	struct blob b = {malloc(1024), 0};

	b.n = (size_t)snprintf((char *)b.p, 1024,
			       "HTTP/1.1 451 Unavailable For Legal Reasons\r\n"
			       "Content-Type: text/html; charset=utf-8\r\n"
			       "Content-Length: %zu\r\nCache-Control: no-store\r\n%s\r\n%s",
			       sizeof(page) - 1, close ? "Connection: close\r\n" : "", page);
	return b;
}

/* ---- the test server ------------------------------------------------------ */

/* A canned answer to requests starting with req ("GET /a"). */
struct canned {
	const char *req;
	struct blob rsp;
	size_t stall_at; /* send this many bytes, then wait for the peer to go */
	bool close;	 /* close after it */
	size_t piece;	 /* sent in writes of this many bytes, ... */
	unsigned piece_us; /* ... this far apart (0: 200 us) */
};

#define CANNED_MAX 16
#define SRV_CONNS  64

struct server {
	int lfd;
	struct sockaddr_in addr;
	pthread_t th, conn[SRV_CONNS];
	int nconn;
	struct canned c[CANNED_MAX];
	int nc;
	pthread_mutex_t lock;
	int hits[CANNED_MAX], requests, errors;
	uint64_t rx;
};

struct sconn {
	struct server *s;
	int fd;
};

static bool send_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

/* Answers one request head; returns false when the connection is done. */
static bool answer(struct server *s, int fd, const char *head)
{
	const struct canned *c = NULL;
	char dummy;
	int i;

	pthread_mutex_lock(&s->lock);
	s->requests++;
	for (i = 0; i < s->nc; i++) {
		size_t k = strlen(s->c[i].req);

		if (!strncmp(head, s->c[i].req, k) && head[k] == ' ') {
			c = &s->c[i];
			s->hits[i]++;
			break;
		}
	}
	if (!c)
		s->errors++;
	pthread_mutex_unlock(&s->lock);
	if (!c)
		return false;
	if (c->stall_at) {
		send_all(fd, c->rsp.p, c->stall_at);
		while (recv(fd, &dummy, 1, 0) > 0)
			; /* until the proxy goes */
		return false;
	}
	for (size_t at = 0; c->piece && at < c->rsp.n; at += c->piece) {
		if (!send_all(fd, c->rsp.p + at, c->rsp.n - at < c->piece ? c->rsp.n - at : c->piece))
			return false;
		usleep(c->piece_us ? c->piece_us : 200);
	}
	return (c->piece || send_all(fd, c->rsp.p, c->rsp.n)) && !c->close;
}

/* Drops up to *skip bytes of a request body from the front of buf. */
static void skip_body(char *buf, size_t *n, size_t *skip)
{
	size_t k = *skip < *n ? *skip : *n;

	memmove(buf, buf + k, *n - k + 1);
	*n -= k;
	*skip -= k;
}

static void *serve_conn(void *arg)
{
	struct sconn *sc = arg;
	struct server *s = sc->s;
	char buf[8192];
	size_t n = 0, skip = 0;
	bool more = true;

	while (more && n < sizeof(buf) - 1) {
		ssize_t k = recv(sc->fd, buf + n, sizeof(buf) - 1 - n, 0);
		char *end;

		if (k <= 0)
			break;
		pthread_mutex_lock(&s->lock);
		s->rx += (uint64_t)k;
		pthread_mutex_unlock(&s->lock);
		n += (size_t)k;
		buf[n] = '\0';
		skip_body(buf, &n, &skip);
		while (more && !skip && (end = strstr(buf, "\r\n\r\n"))) {
			size_t hl = (size_t)(end + 4 - buf);
			const char *cl = strstr(buf, "Content-Length: ");

			if (cl && cl < end)
				skip = strtoul(cl + 16, NULL, 10);
			more = answer(s, sc->fd, buf);
			memmove(buf, buf + hl, n - hl + 1);
			n -= hl;
			skip_body(buf, &n, &skip);
		}
	}
	close(sc->fd);
	free(sc);
	return NULL;
}

static void *serve(void *arg)
{
	struct server *s = arg;

	for (;;) {
		int fd = accept(s->lfd, NULL, NULL);
		struct sconn *sc;

		if (fd < 0)
			return NULL;
		sc = malloc(sizeof(*sc));
		sc->s = s;
		sc->fd = fd;
		pthread_mutex_lock(&s->lock);
		if (s->nconn == SRV_CONNS ||
		    pthread_create(&s->conn[s->nconn], NULL, serve_conn, sc)) {
			s->errors++;
			close(fd);
			free(sc);
		} else {
			s->nconn++;
		}
		pthread_mutex_unlock(&s->lock);
	}
}

static int listen_lo(struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	socklen_t len = sizeof(*a);

	assert_true(fd >= 0);
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)a, sizeof(*a)), 0);
	assert_int_equal(listen(fd, 64), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)a, &len), 0);
	return fd;
}

static void server_start(struct server *s)
{
	s->lfd = listen_lo(&s->addr);
	pthread_mutex_init(&s->lock, NULL);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
	shutdown(s->lfd, SHUT_RDWR);
	pthread_join(s->th, NULL);
	close(s->lfd);
	for (int i = 0; i < s->nconn; i++)
		pthread_join(s->conn[i], NULL);
	for (int i = 0; i < s->nc; i++)
		free(s->c[i].rsp.p);
	pthread_mutex_destroy(&s->lock);
}

static void canned(struct server *s, const char *req, struct blob rsp)
{
	assert_true(s->nc < CANNED_MAX);
	s->c[s->nc++] = (struct canned){.req = req, .rsp = rsp};
}

static int hits(struct server *s, const char *req)
{
	int n = -1;

	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < s->nc; i++)
		if (!strcmp(s->c[i].req, req))
			n = s->hits[i];
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* ---- the proxy under test --------------------------------------------------- */

#define BLOCKS_MAX 8

struct rec {
	enum proxy_enforced how;
	char uri[64], list[16], category[16], hash_type[8];
	uint8_t hash[32];
	uint64_t delivered;
	uint16_t sport;
};

struct t {
	struct server srv;
	struct engine *e;
	struct hashdb *db;
	struct ej_writer w;
	FILE *out;
	char *events;
	size_t nevents;
	struct proxy_conf conf;
	struct proxy *p;
	int lfd;
	struct sockaddr_in addr;
	pthread_mutex_t lock;
	struct rec blocks[BLOCKS_MAX];
	int nblocks;
	int over_true, over_false;
};

static void on_block(void *ctx, const struct proxy_block *b)
{
	struct t *t = ctx;
	struct rec *r;

	pthread_mutex_lock(&t->lock);
	if (t->nblocks < BLOCKS_MAX) {
		r = &t->blocks[t->nblocks];
		r->how = b->how;
		snprintf(r->uri, sizeof(r->uri), "%s", b->uri);
		snprintf(r->list, sizeof(r->list), "%s", b->list);
		snprintf(r->category, sizeof(r->category), "%s", b->category);
		snprintf(r->hash_type, sizeof(r->hash_type), "%s", b->hash_type);
		memcpy(r->hash, b->hash, b->hash_len < 32 ? b->hash_len : 32);
		r->delivered = b->delivered;
		r->sport = b->sport;
	}
	t->nblocks++;
	pthread_mutex_unlock(&t->lock);
}

static void on_cap(void *ctx, bool over)
{
	struct t *t = ctx;

	pthread_mutex_lock(&t->lock);
	if (over)
		t->over_true++;
	else
		t->over_false++;
	pthread_mutex_unlock(&t->lock);
}

/* A hash list "L" (category "C") of the SHA-256 of each listed body. */
static struct hashdb *list_of(const struct blob *listed, int n)
{
	char path[] = "/tmp/ew_test_proxy_list_XXXXXX";
	struct listfile_opts lo = {.kind = LIST_SHA256};
	struct hashdb *db = hashdb_new();
	struct diag d;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	for (int i = 0; i < n; i++) {
		uint8_t h[32];
		char hex[65];

		sha256(listed[i].p, listed[i].n, h);
		hex_encode(h, 32, hex);
		hex[64] = '\n';
		assert_int_equal(write(fd, hex, 65), 65);
	}
	close(fd);
	assert_int_equal(hashdb_load(db, "L", path, "C", &lo, &d), 0);
	unlink(path);
	return db;
}

/* Engine, server and proxy defaults; the test adjusts t->conf, adds its
 * canned answers, then calls start(). */
static struct t *setup(const struct blob *listed, int nlisted)
{
	struct t *t = calloc(1, sizeof(*t));
	struct engine_conf ec;

	assert_non_null(t);
	pthread_mutex_init(&t->lock, NULL);
	t->db = list_of(listed, nlisted);
	t->out = open_memstream(&t->events, &t->nevents);
	ej_init(&t->w, t->out);
	engine_conf_default(&ec);
	ec.workers = 1;
	ec.log_mask = HASH_SHA256;
	ec.hashdb = t->db;
	ec.out = &t->w;
	t->e = engine_new(&ec);
	assert_non_null(t->e);
	assert_int_equal(engine_start(t->e), 0);
	proxy_conf_default(&t->conf);
	t->conf.threads = 2;
	t->conf.engine = t->e;
	t->conf.block = on_block;
	t->conf.block_ctx = t;
	t->conf.over_cap = on_cap;
	t->conf.cap_ctx = t;
	return t;
}

static void start(struct t *t)
{
	server_start(&t->srv);
	t->lfd = listen_lo(&t->addr);
	t->conf.listen[0] = t->lfd;
	t->conf.nlisten = 1;
	memcpy(&t->conf.upstream, &t->srv.addr, sizeof(t->srv.addr));
	t->conf.upstream_len = sizeof(t->srv.addr);
	t->p = proxy_start(&t->conf);
	assert_non_null(t->p);
}

/* Stops everything; the counters are kept in *st, the events returned
 * (the caller frees them). */
static char *teardown(struct t *t, struct proxy_stats *st)
{
	char *ev;

	proxy_stop(t->p);
	proxy_stats(t->p, st);
	proxy_free(t->p);
	close(t->lfd);
	server_stop(&t->srv);
	engine_stop(t->e);
	engine_free(t->e);
	ej_free(&t->w);
	fclose(t->out);
	hashdb_free(t->db);
	pthread_mutex_destroy(&t->lock);
	ev = t->events;
	free(t);
	return ev;
}

/* ---- the client -------------------------------------------------------------- */

static int client(struct t *t)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {.tv_sec = 20};

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&t->addr, sizeof(t->addr)), 0);
	return fd;
}

static void say(int fd, const char *req)
{
	assert_true(send_all(fd, (const uint8_t *)req, strlen(req)));
}

/* Reads up to n bytes (all of them unless the connection ends first).
 * *err: 0 (n bytes or end), or the errno that ended the reading. */
static size_t hear(int fd, uint8_t *buf, size_t n, int *err)
{
	size_t got = 0;

	*err = 0;
	while (got < n) {
		ssize_t k = recv(fd, buf + got, n - got, 0);

		if (k == 0)
			break;
		if (k < 0) {
			*err = errno;
			break;
		}
		got += (size_t)k;
	}
	return got;
}

/* Reads exactly want's bytes and checks them. */
static void expect(int fd, const struct blob *want)
{
	uint8_t *buf = malloc(want->n + 1);
	int err;

	assert_int_equal(hear(fd, buf, want->n, &err), want->n);
	assert_memory_equal(buf, want->p, want->n);
	free(buf);
}

static void expect_end(int fd, int err_want)
{
	uint8_t b;
	int err;

	assert_int_equal(hear(fd, &b, 1, &err), 0);
	assert_int_equal(err, err_want);
}

static void wait_open(struct t *t, uint64_t n)
{
	struct proxy_stats st;

	for (int i = 0; i < 2000; i++) {
		proxy_stats(t->p, &st);
		if (st.conns_open == n)
			return;
		usleep(5000);
	}
	fail_msg("open connections never reached %llu", (unsigned long long)n);
}

static void expect_block(const struct rec *r, enum proxy_enforced how, const char *uri,
			 const struct blob *listed)
{
	uint8_t h[32];

	sha256(listed->p, listed->n, h);
	assert_int_equal(r->how, how);
	assert_string_equal(r->uri, uri);
	assert_string_equal(r->list, "L");
	assert_string_equal(r->category, "C");
	assert_string_equal(r->hash_type, "sha256");
	assert_memory_equal(r->hash, h, 32);
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (; s && (s = strstr(s, what)); s++)
		n++;
	return n;
}

static struct blob text(const char *s)
{
	struct blob b = {(uint8_t *)strdup(s), strlen(s)};

	return b;
}

static struct blob cat_blobs(const struct blob *v, int n)
{
	struct blob b = {NULL, 0};

	for (int i = 0; i < n; i++)
		b.n += v[i].n;
	b.p = malloc(b.n);
	b.n = 0;
	for (int i = 0; i < n; i++) {
		memcpy(b.p + b.n, v[i].p, v[i].n);
		b.n += v[i].n;
	}
	return b;
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: t.example\r\n\r\n"

/* ---- tests ---------------------------------------------------------------- */

/* Images nobody listed arrive byte for byte, whatever the framing: held
 * (head included) until their verdict, then released as they came. */
static void unlisted_media_arrive_whole(void **state)
{
	struct blob listed = fake_jpeg(5000, 1), img = fake_jpeg(300000, 2), gz = gzip_of(&img);
	struct t *t = setup(&listed, 1);
	struct proxy_stats st;
	uint8_t *buf = malloc(400000), hs[32], hr[32];
	char head[256], *ev;
	int fd, err;

	(void)state;
	canned(&t->srv, "GET /img.jpg", cl_response("image/jpeg", &img));
	/* no Content-Type: the first bytes say JPEG */
	canned(&t->srv, "GET /chunked.jpg",
	       response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", &img, 7000));
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
		 "Content-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n", gz.n);
	canned(&t->srv, "GET /gz.jpg", response(head, &gz, 0));
	start(t);
	fd = client(t);
	say(fd, GET("/img.jpg"));
	assert_int_equal(hear(fd, buf, t->srv.c[0].rsp.n, &err), t->srv.c[0].rsp.n);
	sha256(buf, t->srv.c[0].rsp.n, hr);
	sha256(t->srv.c[0].rsp.p, t->srv.c[0].rsp.n, hs);
	assert_memory_equal(hr, hs, 32);
	say(fd, GET("/chunked.jpg"));
	expect(fd, &t->srv.c[1].rsp);
	say(fd, GET("/gz.jpg"));
	expect(fd, &t->srv.c[2].rsp);
	close(fd);
	wait_open(t, 0);
	ev = teardown(t, &st);
	assert_int_equal(st.held, 3);
	assert_int_equal(st.released, 3);
	assert_int_equal(st.blocked, 0);
	assert_int_equal(st.held_bytes, 0);
	/* held as read; the last read ends the object and is not counted */
	assert_true(st.held_peak >= img.n - 65536 && st.held_peak <= img.n + 100);
	assert_int_equal(st.conns_total, 1);
	assert_int_equal(count(ev, "\"event\":\"object\""), 3);
	assert_int_equal(count(ev, "\"event\":\"match\""), 0);
	free(ev), free(buf), free(listed.p), free(img.p), free(gz.p);
}

/* A listed image becomes exactly the 451 page, none of its bytes, and the
 * connection goes on: the next response arrives. Also when the image
 * comes gzipped and chunked (the decoded body is what is listed). */
static void listed_image_gets_451(void **state)
{
	struct blob listed = fake_jpeg(100000, 7), gz = gzip_of(&listed), want[2];
	struct t *t = setup(&listed, 1);
	struct blob nb = notice(false), next;
	struct proxy_stats st;
	char *ev;
	int fd;

	(void)state;
	canned(&t->srv, "GET /listed.jpg", cl_response("image/jpeg", &listed));
	canned(&t->srv, "GET /listed-gz",
	       response("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
			"Transfer-Encoding: chunked\r\n\r\n", &gz, 4096));
	next = text("the next response");
	canned(&t->srv, "GET /next", cl_response("text/plain", &next));
	start(t);
	fd = client(t);
	say(fd, GET("/listed.jpg"));
	expect(fd, &nb);
	say(fd, GET("/next"));
	expect(fd, &t->srv.c[2].rsp);
	/* pipelined: the blocked response's place, then the next one */
	say(fd, GET("/listed-gz") GET("/next"));
	want[0] = nb;
	want[1] = t->srv.c[2].rsp;
	next.n = 0;
	free(next.p);
	next = cat_blobs(want, 2);
	expect(fd, &next);
	close(fd);
	wait_open(t, 0);
	assert_int_equal(t->nblocks, 2);
	expect_block(&t->blocks[0], PROXY_ENF_NOTICE, "/listed.jpg", &listed);
	expect_block(&t->blocks[1], PROXY_ENF_NOTICE, "/listed-gz", &listed);
	assert_int_equal(t->blocks[0].sport, ntohs(t->srv.addr.sin_port));
	assert_int_equal(hits(&t->srv, "GET /next"), 2);
	ev = teardown(t, &st);
	assert_int_equal(st.held, 2);
	assert_int_equal(st.blocked, 2);
	assert_int_equal(st.released, 0);
	assert_int_equal(st.held_bytes, 0);
	assert_int_equal(count(ev, "\"event\":\"match\""), 2);
	free(ev), free(listed.p), free(gz.p), free(nb.p), free(next.p);
}

/* A response clients frame differently (a Content-Length list that
 * disagrees: Chromium refuses it, the parser reads until close, curl takes
 * 5000): the listed image is only the body of an alternate reading, and
 * that reading blocks the held response. */
static void listed_alternate_reading_blocks(void **state)
{
	struct blob listed = fake_jpeg(5000, 13), v[2] = {listed, text("and junk")};
	struct blob body = cat_blobs(v, 2), nb = notice(true);
	struct t *t = setup(&listed, 1);
	struct proxy_stats st;
	char *ev;
	int fd;

	(void)state;
	canned(&t->srv, "GET /alt.jpg",
	       response("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n"
			"Content-Length: 4000, 5000\r\n\r\n", &body, 0));
	t->srv.c[0].close = true;
	start(t);
	fd = client(t);
	say(fd, GET("/alt.jpg"));
	expect(fd, &nb);
	expect_end(fd, 0);
	close(fd);
	wait_open(t, 0);
	assert_int_equal(t->nblocks, 1);
	expect_block(&t->blocks[0], PROXY_ENF_NOTICE, "/alt.jpg", &listed);
	ev = teardown(t, &st);
	assert_int_equal(st.blocked, 1);
	assert_int_equal(count(ev, "\"reading\":\"length\",\"alternate\":true"), 2);
	assert_int_equal(count(ev, "\"event\":\"match\""), 1);
	free(ev), free(listed.p), free(v[1].p), free(body.p), free(nb.p);
}

/* blocked = reset: the client's connection is reset, no byte of the
 * response reaches it. */
static void blocked_reset_resets(void **state)
{
	struct blob listed = fake_jpeg(20000, 11);
	struct t *t = setup(&listed, 1);
	struct proxy_stats st;
	int fd;

	(void)state;
	t->conf.blocked = PROXY_BLOCKED_RESET;
	canned(&t->srv, "GET /listed.jpg", cl_response("image/jpeg", &listed));
	start(t);
	fd = client(t);
	say(fd, GET("/listed.jpg"));
	expect_end(fd, ECONNRESET);
	close(fd);
	wait_open(t, 0);
	assert_int_equal(t->nblocks, 1);
	expect_block(&t->blocks[0], PROXY_ENF_RESET, "/listed.jpg", &listed);
	free(teardown(t, &st));
	assert_int_equal(st.blocked, 1);
	free(listed.p);
}

/* proxy_conf.notice: the page and the status are the callback's, and it
 * sees the connection's last Accept-Language. */
static size_t page_403(void *ctx, const struct proxy_block *b, char *buf, size_t size,
		       int *status)
{
	(void)ctx;
	assert_int_equal(*status, 451);
	*status = 403;
	return (size_t)snprintf(buf, size, "<p>%s</p>", b->accept_language);
}

static void notice_callback(void **state)
{
	static const char want[] = "HTTP/1.1 403 Forbidden\r\n"
				   "Content-Type: text/html; charset=utf-8\r\n"
				   "Content-Length: 19\r\nCache-Control: no-store\r\n\r\n"
				   "<p>ta, en;q=0.5</p>";
	struct blob listed = fake_jpeg(20000, 12), nb = {(uint8_t *)want, sizeof(want) - 1};
	struct t *t = setup(&listed, 1);
	struct proxy_stats st;
	int fd;

	(void)state;
	t->conf.notice = page_403;
	canned(&t->srv, "GET /listed.jpg", cl_response("image/jpeg", &listed));
	start(t);
	fd = client(t);
	say(fd, "GET /listed.jpg HTTP/1.1\r\nHost: t.example\r\n"
		"Accept-Language: ta, en;q=0.5\r\n\r\n");
	expect(fd, &nb);
	close(fd);
	wait_open(t, 0);
	free(teardown(t, &st));
	assert_int_equal(st.blocked, 1);
	free(listed.p);
}

/* Once /listed.jpg matched, a request for it is refused at its head: the
 * server never sees it; the responses due before it still come. */
static void learned_url_refused_before_the_server(void **state)
{
	struct blob listed = fake_jpeg(30000, 13), a = text("response a");
	struct t *t = setup(&listed, 1);
	struct blob open_nb = notice(false), close_nb = notice(true);
	struct proxy_stats st;
	uint64_t rx;
	int fd;

	(void)state;
	canned(&t->srv, "GET /listed.jpg", cl_response("image/jpeg", &listed));
	canned(&t->srv, "GET /a", cl_response("text/plain", &a));
	start(t);
	fd = client(t);
	say(fd, GET("/listed.jpg"));
	expect(fd, &open_nb);
	close(fd);
	pthread_mutex_lock(&t->srv.lock);
	rx = t->srv.rx;
	pthread_mutex_unlock(&t->srv.lock);
	/* a pipelined request before it is answered first */
	fd = client(t);
	say(fd, GET("/a") GET("/listed.jpg"));
	expect(fd, &t->srv.c[1].rsp);
	expect(fd, &close_nb);
	expect_end(fd, 0);
	close(fd);
	fd = client(t);
	say(fd, GET("/listed.jpg"));
	expect(fd, &close_nb);
	expect_end(fd, 0);
	close(fd);
	wait_open(t, 0);
	assert_int_equal(hits(&t->srv, "GET /listed.jpg"), 1);
	assert_int_equal(hits(&t->srv, "GET /a"), 1);
	pthread_mutex_lock(&t->srv.lock);
	assert_int_equal(t->srv.rx - rx, strlen(GET("/a")));
	pthread_mutex_unlock(&t->srv.lock);
	assert_int_equal(t->nblocks, 3);
	expect_block(&t->blocks[0], PROXY_ENF_NOTICE, "/listed.jpg", &listed);
	expect_block(&t->blocks[1], PROXY_ENF_LEARNED, "/listed.jpg", &listed);
	expect_block(&t->blocks[2], PROXY_ENF_LEARNED, "/listed.jpg", &listed);
	free(teardown(t, &st));
	assert_int_equal(st.learned, 2);
	assert_int_equal(st.blocked, 1);
	assert_int_equal(st.learn_urls, 1);
	free(listed.p), free(a.p), free(open_nb.p), free(close_nb.p);
}

/* The caller's decisions (proxy_conf.request, .object), as a policy
 * would make them: by the request's target here. */
static void decide_req(void *ctx, const struct proxy_request *r, struct proxy_decision *d)
{
	(void)ctx;
	memset(d, 0, sizeof(*d));
	if (strstr(r->uri, "/forbidden")) {
		d->act = PROXY_NOTICE;
		d->status = 403;
		snprintf(d->rule, sizeof(d->rule), "r-forbid");
		snprintf(d->category, sizeof(d->category), "adult-content");
	} else if (strstr(r->uri, "/cut")) {
		d->act = PROXY_RESET;
	}
}

static void decide_obj(void *ctx, const struct obj_verdict *v, struct proxy_decision *d)
{
	(void)ctx;
	memset(d, 0, sizeof(*d)); /* a hit on "L": a monitor rule, it passes */
	if (v->uri && !strcmp(v->uri, "/warn.jpg")) {
		d->act = PROXY_WARN;
		d->status = 403;
		snprintf(d->rule, sizeof(d->rule), "r-warn");
		snprintf(d->category, sizeof(d->category), "adult");
	}
}

/* Reads what comes until the connection ends, into a string. */
static char *hear_all(int fd)
{
	static char buf[16384];
	int err;
	size_t n = hear(fd, (uint8_t *)buf, sizeof(buf) - 1, &err);

	buf[n] = '\0';
	return buf;
}

/* Refused requests never reach the server (the 403 notice, or a reset);
 * a listed picture the caller lets pass arrives whole; an unlisted one it
 * warns about becomes the disclaimer. */
static void caller_decides(void **state)
{
	struct blob listed = fake_jpeg(20000, 17), other = fake_jpeg(9000, 19);
	struct t *t = setup(&listed, 1);
	struct proxy_stats st;
	char *got;
	int fd;

	(void)state;
	t->conf.request = decide_req;
	t->conf.object = decide_obj;
	canned(&t->srv, "GET /listed.jpg", cl_response("image/jpeg", &listed));
	canned(&t->srv, "GET /warn.jpg", cl_response("image/jpeg", &other));
	start(t);
	fd = client(t);
	say(fd, GET("/forbidden"));
	got = hear_all(fd);
	close(fd);
	assert_true(!strncmp(got, "HTTP/1.1 403 Forbidden\r\n", 24));
	assert_non_null(strstr(got, "Connection: close"));
	assert_non_null(strstr(got, "adult-content"));
	fd = client(t);
	say(fd, GET("/cut"));
	expect_end(fd, ECONNRESET);
	close(fd);
	fd = client(t);
	say(fd, GET("/listed.jpg") GET("/warn.jpg"));
	expect(fd, &t->srv.c[0].rsp);
	got = hear_all(fd);
	close(fd);
	assert_true(!strncmp(got, "HTTP/1.1 403 Forbidden\r\n", 24));
	assert_non_null(strstr(got, "Before you continue"));
	wait_open(t, 0);
	/* the server heard the two pictures' requests, nothing else */
	pthread_mutex_lock(&t->srv.lock);
	assert_int_equal(t->srv.rx, strlen(GET("/listed.jpg") GET("/warn.jpg")));
	pthread_mutex_unlock(&t->srv.lock);
	assert_int_equal(t->nblocks, 3);
	assert_int_equal(t->blocks[0].how, PROXY_ENF_REQUEST);
	assert_int_equal(t->blocks[1].how, PROXY_ENF_REQUEST);
	assert_int_equal(t->blocks[2].how, PROXY_ENF_NOTICE);
	free(teardown(t, &st));
	assert_int_equal(st.refused, 2);
	assert_int_equal(st.blocked, 1);
	free(listed.p), free(other.p);
}

/* A response past hold_max streams on unjudged and is still hashed; when
 * it matches, the client, which got part of it, is reset. */
static void past_hold_max_streams_then_resets(void **state)
{
	struct blob big = fake_jpeg(400000, 17);
	struct t *t = setup(&big, 1);
	struct proxy_stats st;
	uint8_t *buf = malloc(500000);
	const struct blob *rsp;
	size_t got;
	int fd, err;

	(void)state;
	t->conf.hold_max = 65536;
	canned(&t->srv, "GET /big.jpg", cl_response("image/jpeg", &big));
	start(t);
	rsp = &t->srv.c[0].rsp;
	fd = client(t);
	say(fd, GET("/big.jpg"));
	got = hear(fd, buf, rsp->n, &err);
	assert_int_equal(err, ECONNRESET);
	assert_true(got < rsp->n);
	assert_memory_equal(buf, rsp->p, got);
	close(fd);
	wait_open(t, 0);
	assert_int_equal(t->nblocks, 1);
	expect_block(&t->blocks[0], PROXY_ENF_PARTIAL, "/big.jpg", &big);
	assert_true(t->blocks[0].delivered >= got && t->blocks[0].delivered > 65536);
	assert_true(t->blocks[0].delivered < rsp->n);
	free(teardown(t, &st));
	assert_int_equal(st.held, 1);
	assert_int_equal(st.streamed, 1);
	assert_int_equal(st.blocked, 1);
	assert_int_equal(st.released, 0);
	assert_int_equal(st.held_bytes, 0);
	assert_true(st.held_peak <= 65536);
	free(buf), free(big.p);
}

/* A server that stops mid-body: after idle_ns the connection is closed
 * (reset: a response was under way), nothing held reached the client,
 * and the held bytes are given back. */
static void idle_timeout_frees(void **state)
{
	struct blob listed = fake_jpeg(1000, 19), img = fake_jpeg(200000, 23);
	struct t *t = setup(&listed, 1);
	struct proxy_stats st;
	char *ev;
	int fd;

	(void)state;
	t->conf.idle_ns = 300000000ull;
	canned(&t->srv, "GET /slow.jpg", cl_response("image/jpeg", &img));
	t->srv.c[0].stall_at = t->srv.c[0].rsp.n / 2;
	start(t);
	fd = client(t);
	say(fd, GET("/slow.jpg"));
	expect_end(fd, ECONNRESET);
	close(fd);
	wait_open(t, 0);
	proxy_stats(t->p, &st);
	assert_int_equal(st.conns_timed_out, 1);
	assert_int_equal(st.held, 1);
	assert_int_equal(st.held_bytes, 0);
	assert_true(st.held_peak >= t->srv.c[0].rsp.n / 2 - 65536);
	assert_int_equal(st.bytes_s2c, t->srv.c[0].rsp.n / 2);
	ev = teardown(t, &st);
	assert_int_equal(count(ev, "\"truncated\""), 1); /* the object, cut */
	assert_int_equal(st.blocked, 0);
	free(ev), free(listed.p), free(img.p);
}

/* max_conns: the next connection is reset, counted, and the caller told;
 * below 7/8 of the cap again, told too. The open ones still work. */
static void max_conns_refuses(void **state)
{
	struct blob listed = fake_jpeg(1000, 29), a = text("response a");
	struct t *t = setup(&listed, 1);
	struct proxy_stats st;
	int c1, c2, c3;

	(void)state;
	t->conf.max_conns = 2;
	canned(&t->srv, "GET /a", cl_response("text/plain", &a));
	start(t);
	c1 = client(t);
	c2 = client(t);
	wait_open(t, 2);
	c3 = client(t);
	expect_end(c3, ECONNRESET);
	close(c3);
	say(c1, GET("/a"));
	expect(c1, &t->srv.c[0].rsp);
	pthread_mutex_lock(&t->lock);
	assert_int_equal(t->over_true, 1);
	assert_int_equal(t->over_false, 0);
	pthread_mutex_unlock(&t->lock);
	close(c1);
	wait_open(t, 1);
	pthread_mutex_lock(&t->lock);
	assert_int_equal(t->over_false, 1);
	pthread_mutex_unlock(&t->lock);
	close(c2);
	wait_open(t, 0);
	free(teardown(t, &st));
	assert_int_equal(st.conns_refused, 1);
	assert_int_equal(st.conns_total, 2);
	free(listed.p), free(a.p);
}

/* 50 MB that are not media stream through: nothing is ever held. */
static void big_non_media_streams(void **state)
{
	struct blob listed = fake_jpeg(1000, 31), body = {malloc(50u << 20), 50u << 20};
	struct t *t = setup(&listed, 1);
	struct proxy_stats st;
	uint8_t *buf, hs[32], hr[32];
	size_t n;
	int fd, err;

	(void)state;
	for (size_t i = 0; i < body.n; i++)
		body.p[i] = (uint8_t)('a' + i % 26);
	canned(&t->srv, "GET /big.bin", cl_response("application/octet-stream", &body));
	start(t);
	n = t->srv.c[0].rsp.n;
	buf = malloc(n);
	fd = client(t);
	say(fd, GET("/big.bin"));
	assert_int_equal(hear(fd, buf, n, &err), n);
	sha256(buf, n, hr);
	sha256(t->srv.c[0].rsp.p, n, hs);
	assert_memory_equal(hr, hs, 32);
	close(fd);
	wait_open(t, 0);
	free(teardown(t, &st));
	assert_int_equal(st.held, 0);
	assert_int_equal(st.held_peak, 0);
	assert_int_equal(st.bytes_s2c, n);
	free(buf), free(body.p), free(listed.p);
}

/* One keep-alive connection, seven pipelined requests: text, an upload,
 * 100 Continue before a chunked PNG, HEAD, 304, a gzipped JPEG, a
 * close-delimited JPEG. The server gets the client's bytes and the client
 * the server's, exactly; the three media responses were held and
 * released. */
static void pipelined_framings_pass_exactly(void **state)
{
	struct blob listed = fake_jpeg(1000, 37), png = fake_jpeg(20000, 41),
		    jpg = fake_jpeg(30000, 43), gz = gzip_of(&jpg), html = text("<html>hi</html>"),
		    up = fake_jpeg(100000, 47), all, v[7], req[3];
	struct t *t = setup(&listed, 1);
	struct proxy_stats st;
	char head[256], post[128];
	int fd;

	(void)state;
	memcpy(png.p, "\x89PNG\r\n\x1a\n", 8);
	canned(&t->srv, "GET /a", cl_response("text/html", &html));
	canned(&t->srv, "POST /up", response("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
					     NULL, 0));
	canned(&t->srv, "GET /cont",
	       response("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
			"Transfer-Encoding: chunked\r\n\r\n", &png, 3000));
	canned(&t->srv, "HEAD /img.jpg",
	       response("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 30000\r\n\r\n",
			NULL, 0));
	canned(&t->srv, "GET /nm", response("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", NULL, 0));
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Encoding: gzip\r\n"
		 "Content-Length: %zu\r\n\r\n", gz.n);
	canned(&t->srv, "GET /gz.jpg", response(head, &gz, 0));
	canned(&t->srv, "GET /close", response("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n",
					       &jpg, 0));
	t->srv.c[6].close = true;
	start(t);
	for (int i = 0; i < 7; i++)
		v[i] = t->srv.c[i].rsp;
	all = cat_blobs(v, 7);
	snprintf(post, sizeof(post),
		 GET("/a") "POST /up HTTP/1.1\r\nHost: t.example\r\nContent-Length: %zu\r\n\r\n",
		 up.n);
	req[0] = text(post);
	req[1] = up;
	req[2] = text(GET("/cont") "HEAD /img.jpg HTTP/1.1\r\nHost: t.example\r\n\r\n"
		      GET("/nm") GET("/gz.jpg") GET("/close"));
	up = cat_blobs(req, 3);
	free(req[1].p);
	fd = client(t);
	assert_true(send_all(fd, up.p, up.n));
	expect(fd, &all);
	expect_end(fd, 0);
	close(fd);
	wait_open(t, 0);
	pthread_mutex_lock(&t->srv.lock);
	assert_int_equal(t->srv.rx, up.n);
	assert_int_equal(t->srv.requests, 7);
	pthread_mutex_unlock(&t->srv.lock);
	free(teardown(t, &st));
	assert_int_equal(st.held, 3);
	assert_int_equal(st.released, 3);
	assert_int_equal(st.blocked, 0);
	assert_int_equal(st.bytes_s2c, all.n);
	assert_int_equal(st.bytes_c2s, up.n);
	assert_int_equal(st.unparsed, 0);
	free(all.p), free(listed.p), free(png.p), free(jpg.p), free(gz.p), free(html.p);
	free(up.p), free(req[0].p), free(req[2].p);
}

/* Responses that trickle in 13-byte writes (heads and bodies split
 * anywhere): the listed one still becomes the 451, the others pass
 * exactly, pipelined on one connection. */
static void trickled_responses(void **state)
{
	struct blob listed = fake_jpeg(2000, 61), img = fake_jpeg(3000, 67), txt = text("plain text"),
		    want[3], all;
	struct t *t = setup(&listed, 1);
	struct blob nb = notice(false);
	struct proxy_stats st;
	int fd, one = 1;

	(void)state;
	canned(&t->srv, "GET /listed.jpg", cl_response("image/jpeg", &listed));
	canned(&t->srv, "GET /img",
	       response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", &img, 1000));
	canned(&t->srv, "GET /txt", cl_response("text/plain", &txt));
	for (int i = 0; i < 3; i++)
		t->srv.c[i].piece = 13;
	start(t);
	want[0] = nb;
	want[1] = t->srv.c[1].rsp;
	want[2] = t->srv.c[2].rsp;
	all = cat_blobs(want, 3);
	fd = client(t);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	say(fd, GET("/listed.jpg") GET("/img") GET("/txt"));
	expect(fd, &all);
	close(fd);
	wait_open(t, 0);
	assert_int_equal(t->nblocks, 1);
	expect_block(&t->blocks[0], PROXY_ENF_NOTICE, "/listed.jpg", &listed);
	free(teardown(t, &st));
	assert_int_equal(st.held, 2);
	assert_int_equal(st.released, 1);
	assert_int_equal(st.blocked, 1);
	free(all.p), free(listed.p), free(img.p), free(txt.p), free(nb.p);
}

/* A held response still incomplete idle_ns after it began (a server
 * trickling, each write within idle_ns of the last) streams on. */
static void slow_held_response_streams_on(void **state)
{
	struct blob listed = fake_jpeg(1000, 71), img = fake_jpeg(2000, 73);
	struct t *t = setup(&listed, 1);
	struct proxy_stats st;
	int fd;

	(void)state;
	t->conf.idle_ns = 300000000ull;
	canned(&t->srv, "GET /slow.jpg", cl_response("image/jpeg", &img));
	t->srv.c[0].piece = 200;
	t->srv.c[0].piece_us = 100000;
	start(t);
	fd = client(t);
	say(fd, GET("/slow.jpg"));
	expect(fd, &t->srv.c[0].rsp);
	close(fd);
	wait_open(t, 0);
	free(teardown(t, &st));
	assert_int_equal(st.held, 1);
	assert_int_equal(st.streamed, 1);
	assert_int_equal(st.released, 0);
	assert_int_equal(st.conns_timed_out, 0);
	free(listed.p), free(img.p);
}

/* A client that sends its head a byte at a time, each within idle_ns of
 * the last, is closed once the head has waited idle_ns; the server never
 * heard of it. */
static void slowloris_head_times_out(void **state)
{
	struct blob listed = fake_jpeg(1000, 53), a = text("response a");
	struct t *t = setup(&listed, 1);
	struct proxy_stats st;
	struct timespec t0, t1;
	int fd, i;

	(void)state;
	t->conf.idle_ns = 400000000ull;
	canned(&t->srv, "GET /a", cl_response("text/plain", &a));
	start(t);
	fd = client(t);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	say(fd, "GET /a HTTP/1.1\r\n");
	for (i = 0; i < 40; i++) {
		usleep(100000);
		if (send(fd, "X", 1, MSG_NOSIGNAL) != 1)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(i < 40); /* closed well before the 4 s it tried */
	assert_true(t1.tv_sec - t0.tv_sec < 3);
	close(fd);
	wait_open(t, 0);
	pthread_mutex_lock(&t->srv.lock);
	assert_int_equal(t->srv.rx, 0);
	pthread_mutex_unlock(&t->srv.lock);
	free(teardown(t, &st));
	assert_int_equal(st.conns_timed_out, 1);
	free(listed.p), free(a.p);
}

/* The server can't be reached: the client is reset, the failure counted. */
static void upstream_failure_resets(void **state)
{
	struct blob listed = fake_jpeg(1000, 59);
	struct t *t = setup(&listed, 1);
	struct sockaddr_in dead;
	struct proxy_stats st;
	ssize_t sent;
	uint8_t b;
	int fd, err, serr;

	(void)state;
	start(t);
	/* a port nobody listens on: a proxy of its own pointed there */
	fd = listen_lo(&dead);
	close(fd);
	proxy_free(t->p);
	memcpy(&t->conf.upstream, &dead, sizeof(dead));
	t->p = proxy_start(&t->conf);
	assert_non_null(t->p);
	fd = client(t);
	/* the reset may come before the request is out */
	sent = send(fd, GET("/a"), strlen(GET("/a")), MSG_NOSIGNAL);
	serr = sent < 0 ? errno : 0;
	assert_int_equal(hear(fd, &b, 1, &err), 0);
	assert_true(err == ECONNRESET || serr == ECONNRESET || serr == EPIPE);
	close(fd);
	wait_open(t, 0);
	free(teardown(t, &st));
	assert_int_equal(st.upstream_fail, 1);
	assert_int_equal(st.conns_total, 1);
	free(listed.p);
}

/* learn: keys and expiry. */
static void learn_keys(void **state)
{
	struct learn *l = learn_new(2);
	struct pverdict v = {.hits = 1, .list = "L"}, got;
	char k[64];

	(void)state;
	assert_int_equal(learn_key("Example.COM:80", "/a?b=1#frag", k, sizeof(k)), 17);
	assert_string_equal(k, "example.com/a?b=1");
	assert_true(learn_key("", "http://h.example./p", k, sizeof(k)) > 0);
	assert_string_equal(k, "h.example/p");
	assert_int_equal(learn_key("h", "x", k, 3), 0);
	assert_int_equal(learn_add(l, "h", "/1", &v, 100), 0);
	assert_true(learn_find(l, "H:80", "http://h/1", 99, &got));
	assert_string_equal(got.list, "L");
	assert_false(learn_find(l, "h", "/1", 100, &got)); /* expired: dropped */
	assert_int_equal(learn_count(l), 0);
	learn_add(l, "h", "/1", &v, 200);
	learn_add(l, "h", "/2", &v, 200);
	learn_add(l, "h", "/3", &v, 200); /* the oldest goes */
	assert_false(learn_find(l, "h", "/1", 0, &got));
	assert_true(learn_find(l, "h", "/3", 0, &got));
	assert_int_equal(learn_count(l), 2);
	learn_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(learn_keys),
		cmocka_unit_test(unlisted_media_arrive_whole),
		cmocka_unit_test(listed_image_gets_451),
		cmocka_unit_test(listed_alternate_reading_blocks),
		cmocka_unit_test(blocked_reset_resets),
		cmocka_unit_test(notice_callback),
		cmocka_unit_test(learned_url_refused_before_the_server),
		cmocka_unit_test(caller_decides),
		cmocka_unit_test(past_hold_max_streams_then_resets),
		cmocka_unit_test(idle_timeout_frees),
		cmocka_unit_test(max_conns_refuses),
		cmocka_unit_test(big_non_media_streams),
		cmocka_unit_test(pipelined_framings_pass_exactly),
		cmocka_unit_test(trickled_responses),
		cmocka_unit_test(slow_held_response_streams_on),
		cmocka_unit_test(slowloris_head_times_out),
		cmocka_unit_test(upstream_failure_resets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
