// SPDX-License-Identifier: GPL-2.0
/* The ICAP server's sockets: one listening socket, N threads each with
 * its own epoll loop, connections (non-blocking, answers buffered and
 * written as the client reads them), idle and read timeouts, and the
 * connection limit. What the bytes mean is icapxact.c's business.
 *
 *   listen ─accept (any thread, EPOLLEXCLUSIVE)─▶ thread i: epoll ─▶ conn ─▶ icapxact
 *                                                          ◀─ out buffer ◀──┘ */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "icapmsg.h"
#include "icapxact.h"
#include "log/log.h"

#define READ_CHUNK  65536
#define OUT_PAUSE   (4u << 20) /* stop reading a client that does not read */
#define SWEEP_MS    500

struct sconn {
	int fd;
	struct icap_conn *c;
	struct icap_out out;
	struct icap_peer peer;
	uint64_t last_ms;
	bool closing, paused, out_armed;
	struct sconn *prev, *next;
};

struct srv_thread {
	struct icap_server *s;
	pthread_t th;
	int ep;
	struct icap_thread *it;
	struct sconn *conns;
	uint64_t swept_ms;
};

struct icap_server {
	struct icap_shared sh;
	int lfd, stopfd, port;
	int nconns; /* atomic */
	unsigned n, started;
	struct srv_thread *th;
};

void icap_conf_default(struct icap_conf *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->istag, "0");
	c->preview = 1024;
	c->max_conns = 256;
	c->options_ttl = 3600;
	c->hold_max = 16u << 20;
	c->hold_total = 256u << 20;
	c->head_max = ICAP_HEAD_MAX;
	c->idle_ms = 60000;
	c->read_ms = 30000;
	strcpy(c->types, ICAP_DEF_TYPES);
	c->multipart = true;
	http_conf_default(&c->http);
}

/* The names sniff_type can return, to check --inspect-types against. */
static const char *const sniff_names[] = {
	"7z", "avi", "avif", "bmp", "elf", "exe", "flac", "gif", "gzip", "heic", "html",
	"ico", "jp2", "jpeg", "jxl", "mkv", "mov", "mp3", "mp4", "ogg", "pdf", "png", "ps",
	"rar", "tiff", "wav", "webm", "webp", "xml", "xz", "zip", "zstd", NULL,
};

int icap_types_check(const char *list, char *bad, size_t badsz)
{
	for (const char *s = list; *s; s += strcspn(s, ","), s += *s == ',') {
		size_t n = strcspn(s, ",");
		int i;

		for (i = 0; sniff_names[i]; i++)
			if (n == strlen(sniff_names[i]) && !strncmp(s, sniff_names[i], n))
				break;
		if (!sniff_names[i]) {
			snprintf(bad, badsz, "%.*s", (int)n, s);
			return -EINVAL;
		}
	}
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* An address as IPv6 or IPv4-mapped IPv6, and its port. */
static void to_v6(const struct sockaddr_storage *ss, uint8_t a[16], uint16_t *port)
{
	memset(a, 0, 16);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		a[10] = a[11] = 0xff;
		memcpy(a + 12, &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
	} else {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		memcpy(a, &in6->sin6_addr, 16);
		*port = ntohs(in6->sin6_port);
	}
}

static void conn_free(struct srv_thread *t, struct sconn *sc)
{
	if (sc->prev)
		sc->prev->next = sc->next;
	else
		t->conns = sc->next;
	if (sc->next)
		sc->next->prev = sc->prev;
	close(sc->fd);
	icap_conn_free(sc->c);
	icap_out_free(&sc->out);
	free(sc);
	__atomic_sub_fetch(&t->s->nconns, 1, __ATOMIC_RELAXED);
}

/* Watches for input unless paused, for output while some is pending. */
static void rearm(struct srv_thread *t, struct sconn *sc)
{
	bool want_out = icap_out_pending(&sc->out) > 0;
	struct epoll_event ev = {.data.ptr = sc};

	sc->paused = sc->closing || icap_out_pending(&sc->out) > OUT_PAUSE;
	ev.events = (sc->paused ? 0 : EPOLLIN) | (want_out ? EPOLLOUT : 0) | EPOLLRDHUP;
	epoll_ctl(t->ep, EPOLL_CTL_MOD, sc->fd, &ev);
	sc->out_armed = want_out;
}

/* Writes what the client will take. Returns -1 when the connection is
 * gone (freed). */
static int flush(struct srv_thread *t, struct sconn *sc)
{
	while (icap_out_pending(&sc->out)) {
		ssize_t k = write(sc->fd, sc->out.buf + sc->out.off, icap_out_pending(&sc->out));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN)
			break;
		if (k <= 0) {
			conn_free(t, sc);
			return -1;
		}
		sc->out.off += (size_t)k;
		sc->last_ms = mono_ms();
	}
	if (sc->closing && !icap_out_pending(&sc->out)) {
		conn_free(t, sc);
		return -1;
	}
	rearm(t, sc);
	return 0;
}

static void diag(struct sconn *sc)
{
	const struct icap_peer *p = &sc->peer;
	char a[INET6_ADDRSTRLEN];

	if (!memcmp(p->client, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12))
		inet_ntop(AF_INET, p->client + 12, a, sizeof(a));
	else
		inet_ntop(AF_INET6, p->client, a, sizeof(a));
	ew_warn("icap: malformed request from %s:%u answered and closed: %s", a, p->cport,
		icap_conn_error(sc->c));
}

static int conn_read(struct srv_thread *t, struct sconn *sc)
{
	uint8_t buf[READ_CHUNK];
	ssize_t k;

	for (int i = 0; i < 4 && !sc->closing && !sc->paused; i++) {
		k = read(sc->fd, buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN)
			break;
		if (k <= 0) { /* the client went away; a message cut short is dropped */
			conn_free(t, sc);
			return -1;
		}
		sc->last_ms = mono_ms();
		if (icap_conn_input(sc->c, buf, (size_t)k, &sc->out)) {
			sc->closing = true;
			if (icap_conn_error(sc->c)[0])
				diag(sc);
		}
		sc->paused = icap_out_pending(&sc->out) > OUT_PAUSE;
	}
	return flush(t, sc);
}

/* A new connection for thread t; past max_conns it is served in the fail
 * mode only, past twice that it is closed at once. */
static void conn_new(struct srv_thread *t, int fd)
{
	struct icap_shared *sh = &t->s->sh;
	struct sockaddr_storage a = {0}, b = {0};
	socklen_t al = sizeof(a), bl = sizeof(b);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP};
	int n = __atomic_add_fetch(&t->s->nconns, 1, __ATOMIC_RELAXED);
	struct sconn *sc = NULL;

	__atomic_add_fetch(&sh->st.connections, 1, __ATOMIC_RELAXED);
	if ((unsigned)n > sh->conf.max_conns)
		__atomic_add_fetch(&sh->st.conns_over_limit, 1, __ATOMIC_RELAXED);
	if ((unsigned)n > 2 * sh->conf.max_conns + 16 || !(sc = calloc(1, sizeof(*sc))))
		goto drop;
	getpeername(fd, (struct sockaddr *)&a, &al);
	getsockname(fd, (struct sockaddr *)&b, &bl);
	to_v6(&a, sc->peer.client, &sc->peer.cport);
	to_v6(&b, sc->peer.server, &sc->peer.sport);
	sc->fd = fd;
	sc->last_ms = mono_ms();
	sc->c = icap_conn_new(t->it, &sc->peer, (unsigned)n > sh->conf.max_conns);
	ev.data.ptr = sc;
	if (!sc->c || epoll_ctl(t->ep, EPOLL_CTL_ADD, fd, &ev)) {
		icap_conn_free(sc->c);
		goto drop;
	}
	sc->next = t->conns;
	if (t->conns)
		t->conns->prev = sc;
	t->conns = sc;
	return;
drop:
	free(sc);
	close(fd);
	__atomic_sub_fetch(&t->s->nconns, 1, __ATOMIC_RELAXED);
}

static void accept_some(struct srv_thread *t)
{
	for (int i = 0; i < 16; i++) {
		int fd = accept4(t->s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		conn_new(t, fd);
	}
}

/* Closes connections past their timeout: read_ms in a message, idle_ms
 * between messages. */
static void sweep(struct srv_thread *t)
{
	struct icap_shared *sh = &t->s->sh;
	uint64_t now = mono_ms();
	struct sconn *sc, *next;

	if (now - t->swept_ms < SWEEP_MS)
		return;
	t->swept_ms = now;
	for (sc = t->conns; sc; sc = next) {
		bool busy = icap_conn_busy(sc->c) || icap_out_pending(&sc->out);

		next = sc->next;
		if (now - sc->last_ms <= (busy ? sh->conf.read_ms : sh->conf.idle_ms))
			continue;
		__atomic_add_fetch(busy ? &sh->st.timeouts : &sh->st.idle_closed, 1,
				   __ATOMIC_RELAXED);
		conn_free(t, sc);
	}
}

static void *thread_main(void *arg)
{
	struct srv_thread *t = arg;
	struct epoll_event evs[64];

	for (;;) {
		int n = epoll_wait(t->ep, evs, 64, SWEEP_MS);

		for (int i = 0; i < n; i++) {
			struct sconn *sc = evs[i].data.ptr;

			if (sc == (void *)&t->s->lfd) {
				accept_some(t);
			} else if (sc == (void *)&t->s->stopfd) {
				return NULL;
			} else if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
				conn_free(t, sc);
			} else if ((evs[i].events & EPOLLIN) && !sc->paused) {
				conn_read(t, sc);
			} else if (evs[i].events & EPOLLOUT) {
				flush(t, sc);
			} else if (evs[i].events & EPOLLRDHUP) {
				conn_read(t, sc); /* reads the EOF */
			}
		}
		sweep(t);
	}
}

struct icap_server *icap_server_new(const struct icap_conf *conf, const struct sockaddr *addr,
				    socklen_t alen)
{
	struct icap_server *s = calloc(1, sizeof(*s));
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int one = 1, err;

	if (!s)
		return NULL;
	icap_shared_init(&s->sh, conf);
	s->stopfd = -1;
	s->lfd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s->lfd, addr, alen) || listen(s->lfd, 512) ||
	    getsockname(s->lfd, (struct sockaddr *)&ss, &sl) ||
	    (s->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		err = errno;
		icap_server_free(s);
		errno = err;
		return NULL;
	}
	s->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return s;
}

int icap_server_port(const struct icap_server *s)
{
	return s->port;
}

/* Thread i's epoll (listener, stop) and backend consumer. */
static int thread_setup(struct icap_server *s, struct srv_thread *t)
{
	struct epoll_event l = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &s->lfd};
	struct epoll_event st = {.events = EPOLLIN, .data.ptr = &s->stopfd};

	t->s = s;
	t->ep = epoll_create1(EPOLL_CLOEXEC);
	if (t->ep < 0)
		return -errno;
	if (epoll_ctl(t->ep, EPOLL_CTL_ADD, s->lfd, &l) ||
	    epoll_ctl(t->ep, EPOLL_CTL_ADD, s->stopfd, &st))
		return -errno;
	t->it = icap_thread_new(&s->sh);
	return t->it ? 0 : -(errno ? errno : ENOMEM);
}

int icap_server_start(struct icap_server *s, unsigned threads)
{
	int err = 0;

	if (s->th)
		return -EBUSY;
	s->th = calloc(threads ? threads : 1, sizeof(*s->th));
	if (!s->th)
		return -ENOMEM;
	s->n = threads ? threads : 1;
	for (unsigned i = 0; i < s->n; i++) {
		s->th[i].ep = -1;
		if (!err)
			err = thread_setup(s, &s->th[i]);
	}
	for (; !err && s->started < s->n; s->started++)
		if (pthread_create(&s->th[s->started].th, NULL, thread_main, &s->th[s->started]))
			err = -EAGAIN;
	if (err)
		icap_server_stop(s);
	return err;
}

void icap_server_stop(struct icap_server *s)
{
	uint64_t one = 1;

	if (!s->th)
		return;
	if (write(s->stopfd, &one, sizeof(one)) < 0)
		ew_warn("icap: couldn't wake the server threads: %s", strerror(errno));
	for (unsigned i = 0; i < s->started; i++)
		pthread_join(s->th[i].th, NULL);
	for (unsigned i = 0; i < s->n; i++) {
		struct srv_thread *t = &s->th[i];

		while (t->conns)
			conn_free(t, t->conns);
		icap_thread_free(t->it);
		if (t->ep >= 0)
			close(t->ep);
	}
	free(s->th);
	s->th = NULL;
	s->n = s->started = 0;
}

void icap_server_stats(struct icap_server *s, struct icap_stats *st)
{
	const uint64_t *from = (const uint64_t *)&s->sh.st;
	uint64_t *to = (uint64_t *)st;

	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		to[i] = __atomic_load_n(&from[i], __ATOMIC_RELAXED);
	st->held_peak = __atomic_load_n(&s->sh.held.peak, __ATOMIC_RELAXED);
}

void icap_server_set_istag(struct icap_server *s, const char *istag)
{
	struct icap_shared *sh = &s->sh;
	unsigned next = !sh->cur;

	/* the slot not in force: a reader that took the old pointer keeps a
	 * whole tag until the next change */
	snprintf(sh->tags[next], sizeof(sh->tags[next]), "%s", istag);
	__atomic_store_n(&sh->conf.istag_now, sh->tags[next], __ATOMIC_RELEASE);
	sh->cur = next;
}

void icap_server_free(struct icap_server *s)
{
	if (!s)
		return;
	icap_server_stop(s);
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->stopfd >= 0)
		close(s->stopfd);
	free(s);
}
