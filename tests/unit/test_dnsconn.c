// SPDX-License-Identifier: GPL-2.0
/* proxy/dnsconn: DNS over TCP through the proxy on loopback (fixed
 * upstream; the proxy's own port plays the DNS port).
 *
 *   client socket ──▶ proxy (dns hook: names starting "blocked")
 *   (this thread)       └── other queries ──▶ echo server thread (answers
 *                                              each query with QR set, cut
 *                                              in two writes)
 *
 * A query split anywhere (the prefix alone, a cut in the name) is asked
 * of the hook whole and answered or forwarded; pipelined queries each get
 * their answer, whole, ours between the server's; an empty message resets;
 * a query cut off by the client's end goes nowhere. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

#include "engine/engine.h"
#include "proxy/proxy.h"

struct echo {
	int lfd;
	struct sockaddr_in addr;
	pthread_t th;
	int queries; /* atomic: queries the server got */
};

struct fx {
	struct echo srv;
	struct engine *e;
	struct proxy_conf conf;
	struct proxy *p;
	int lfd;
	struct sockaddr_in addr;
	int asked; /* atomic: queries the hook saw */
};

static void pause_ms(int ms)
{
	struct timespec ts = {0, ms * 1000000L};

	nanosleep(&ts, NULL);
}

static int lo_listener(struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	socklen_t len = sizeof(*a);

	assert_true(fd >= 0);
	*a = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)a, sizeof(*a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)a, &len), 0);
	return fd;
}

static bool read_n(int fd, uint8_t *b, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = recv(fd, b + got, n - got, 0);

		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* One connection of the server: each query back with QR set, in two
 * writes. */
static void echo_one(struct echo *s, int fd)
{
	uint8_t m[2 + 65535];
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (read_n(fd, m, 2)) {
		size_t n = (size_t)(m[0] << 8 | m[1]);

		if (n < 3 || !read_n(fd, m + 2, n))
			break;
		__atomic_add_fetch(&s->queries, 1, __ATOMIC_RELAXED);
		m[4] |= 0x80;
		send(fd, m, 5, MSG_NOSIGNAL);
		pause_ms(20);
		send(fd, m + 5, n - 3, MSG_NOSIGNAL);
	}
	close(fd);
}

/* The server: its connections one after the other. */
static void *echo(void *arg)
{
	struct echo *s = arg;
	int fd;

	while ((fd = accept(s->lfd, NULL, NULL)) >= 0)
		echo_one(s, fd);
	return NULL;
}

/* The hook: names starting "blocked" get the query back with QR and AA. */
static size_t hook(void *ctx, const struct proxy_dns_query *q, uint8_t *ans, size_t size)
{
	struct fx *f = ctx;

	__atomic_add_fetch(&f->asked, 1, __ATOMIC_RELAXED);
	if (q->len < 20 || q->len > size || memcmp(q->msg + 13, "blocked", 7))
		return 0;
	memcpy(ans, q->msg, q->len);
	ans[2] |= 0x84;
	return q->len;
}

static struct fx *start(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct engine_conf ec;

	assert_non_null(f);
	f->srv.lfd = lo_listener(&f->srv.addr);
	assert_int_equal(pthread_create(&f->srv.th, NULL, echo, &f->srv), 0);
	engine_conf_default(&ec);
	ec.workers = 1;
	f->e = engine_new(&ec);
	assert_non_null(f->e);
	assert_int_equal(engine_start(f->e), 0);
	f->lfd = lo_listener(&f->addr);
	proxy_conf_default(&f->conf);
	f->conf.threads = 1;
	f->conf.engine = f->e;
	f->conf.listen[0] = f->lfd;
	f->conf.nlisten = 1;
	memcpy(&f->conf.upstream, &f->srv.addr, sizeof(f->srv.addr));
	f->conf.upstream_len = sizeof(f->srv.addr);
	f->conf.dns = hook;
	f->conf.dns_ctx = f;
	f->conf.dns_port = ntohs(f->addr.sin_port);
	f->p = proxy_start(&f->conf);
	assert_non_null(f->p);
	return f;
}

static void stop(struct fx *f, struct proxy_stats *st)
{
	proxy_stop(f->p);
	proxy_stats(f->p, st);
	proxy_free(f->p);
	close(f->lfd);
	shutdown(f->srv.lfd, SHUT_RDWR);
	pthread_join(f->srv.th, NULL);
	close(f->srv.lfd);
	engine_stop(f->e);
	engine_free(f->e);
	free(f);
}

static int client(struct fx *f)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	struct timeval tv = {.tv_sec = 10};

	assert_true(fd >= 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&f->addr, sizeof(f->addr)), 0);
	return fd;
}

/* A query for name (one label and "test") with id, prefix included;
 * returns its length. */
static size_t query(uint8_t *m, uint16_t id, const char *name)
{
	size_t l = strlen(name), n = 12;

	memset(m, 0, 64);
	m[2] = id >> 8, m[3] = (uint8_t)id;
	m[4] = 0x01, m[7] = 1;
	m[2 + n++] = (uint8_t)l;
	memcpy(m + 2 + n, name, l);
	n += l;
	memcpy(m + 2 + n, "\4test\0\0\1\0\1", 11);
	n += 11;
	m[0] = (uint8_t)(n >> 8), m[1] = (uint8_t)n;
	return n + 2;
}

/* Reads one answer: its id, and its flags byte through *flags. */
static int answer(int fd, uint8_t *flags)
{
	uint8_t m[2 + 512];
	size_t n;

	if (!read_n(fd, m, 2))
		return -1;
	n = (size_t)(m[0] << 8 | m[1]);
	if (n < 12 || n > 512 || !read_n(fd, m + 2, n))
		return -1;
	*flags = m[4];
	return m[2] << 8 | m[3];
}

/* Sends m[0, n) cut at each of cuts (ascending), pausing between. */
static void send_cut(int fd, const uint8_t *m, size_t n, const size_t *cuts, int ncuts)
{
	size_t at = 0;

	for (int i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : n;

		assert_int_equal(send(fd, m + at, to - at, MSG_NOSIGNAL), (ssize_t)(to - at));
		at = to;
		pause_ms(30);
	}
}

static void split_queries(void **state)
{
	struct fx *f = start();
	uint8_t m[64], fl;
	size_t n = query(m, 0x1234, "blocked"), cuts[] = {2, 2 + 12 + 4};
	struct proxy_stats st;
	int fd = client(f);

	(void)state;
	send_cut(fd, m, n, cuts, 2); /* the prefix alone, then a cut in the name */
	assert_int_equal(answer(fd, &fl), 0x1234);
	assert_int_equal(fl, 0x85); /* the hook's */
	n = query(m, 0x4321, "allowed");
	send_cut(fd, m, n, cuts, 2);
	assert_int_equal(answer(fd, &fl), 0x4321);
	assert_int_equal(fl, 0x81); /* the server's */
	close(fd);
	stop(f, &st);
	assert_int_equal(st.dns_queries, 2);
	assert_int_equal(st.dns_answered, 1);
}

/* Three queries in one write and a fourth cut in two: four whole answers,
 * the server's not cut by ours; the server heard only the allowed ones. */
static void pipelined(void **state)
{
	struct fx *f = start();
	uint8_t m[256], fl;
	size_t n = 0, cut[] = {0};
	int fd = client(f), seen = 0, srv;
	struct proxy_stats st;

	(void)state;
	n += query(m + n, 1, "allowed");
	n += query(m + n, 2, "blocked");
	n += query(m + n, 3, "other");
	cut[0] = n + 7;
	n += query(m + n, 4, "blockedtoo");
	send_cut(fd, m, n, cut, 1);
	for (int i = 0; i < 4; i++) {
		int id = answer(fd, &fl);

		assert_true(id >= 1 && id <= 4);
		assert_int_equal(fl, id == 2 || id == 4 ? 0x85 : 0x81);
		seen |= 1 << id;
	}
	assert_int_equal(seen, 0x1e);
	close(fd);
	srv = __atomic_load_n(&f->srv.queries, __ATOMIC_RELAXED);
	stop(f, &st);
	assert_int_equal(srv, 2);
	assert_int_equal(st.dns_queries, 4);
	assert_int_equal(st.dns_answered, 2);
}

/* An empty message resets; a query cut off by the client's end is neither
 * asked nor forwarded. */
static void bad_and_cut(void **state)
{
	struct fx *f = start();
	uint8_t m[64], b;
	int fd = client(f);
	struct proxy_stats st;
	size_t n = query(m, 9, "allowed");

	(void)state;
	assert_int_equal(send(fd, "\0\0", 2, MSG_NOSIGNAL), 2);
	assert_true(recv(fd, &b, 1, 0) <= 0);
	close(fd);
	fd = client(f);
	assert_int_equal(send(fd, m, n - 3, MSG_NOSIGNAL), (ssize_t)(n - 3));
	shutdown(fd, SHUT_WR);
	assert_int_equal(recv(fd, &b, 1, 0), 0); /* the server's end, passed on */
	close(fd);
	stop(f, &st);
	assert_int_equal(st.dns_refused, 1);
	assert_int_equal(st.dns_queries, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_queries),
		cmocka_unit_test(pipelined),
		cmocka_unit_test(bad_and_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
