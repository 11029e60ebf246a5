// SPDX-License-Identifier: GPL-2.0
/* proxy: the loops of the transparent proxy (proxy.h). N threads, each an
 * epoll loop owning its connections, its HTTP parser context and its
 * engine inspector; loop 0 also accepts.
 *
 *   listening fds ─▶ loop 0: accept ─┬─▶ its own connection
 *                                   └─▶ queue + eventfd ─▶ loop i
 *
 * Why one accepting loop handing connections round robin, rather than
 * every loop accepting (EPOLLEXCLUSIVE) or SO_REUSEPORT: the listening
 * sockets are the caller's (transparent, one per family, possibly shared
 * with the kernel's steering), so the proxy must not need its own per
 * thread; the max_conns check and its callback happen in one place; and
 * connections spread evenly whatever the wake-up order of idle threads
 * (an exclusive wake-up favours the last waiter). The cost, a mutex and
 * an eventfd write per connection, is small next to a TCP handshake. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "proxy_int.h"

#define EVENTS_MAX   64
#define TICK_MS	     1000	 /* the longest a loop sleeps */
#define PAUSE_NS     100000000ull /* accept failing (out of fds): retry after */
#define ALT_TOTAL    (64u << 20) /* the parsers' alternate readings, all loops */

static const char *const media_default[] = {
	/* declared */
	"image/", "video/", "audio/", "application/pdf", "application/zip",
	"application/x-zip-compressed", "application/gzip", "application/x-gzip",
	"application/x-tar", "application/x-7z-compressed", "application/x-rar-compressed",
	"application/vnd.rar", "application/zstd", "application/x-xz",
	/* sniffed (object/sniff.h) */
	"jpeg", "png", "gif", "webp", "bmp", "tiff", "ico", "avif", "heic", "jp2", "jxl",
	"mp4", "mov", "webm", "mkv", "avi", "wav", "ogg", "mp3", "flac",
	"zip", "7z", "rar", "gzip", "zstd", "xz", "pdf", "ps", NULL,
};

const char *const *proxy_media_default(void)
{
	return media_default;
}

void proxy_conf_default(struct proxy_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->source = "proxy";
	c->max_conns = 4096;
	c->hold_max = 8u << 20;
	c->hold_total = 256u << 20;
	c->idle_ns = 60 * 1000000000ull;
	c->learn_ns = 600 * 1000000000ull;
	c->learn_max = 65536;
	c->blocked = PROXY_BLOCKED_NOTICE;
	http_conf_default(&c->http);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- accepting ------------------------------------------------------------ */

static void listeners(struct loop *l, uint32_t ev)
{
	for (int i = 0; i < l->p->conf.nlisten; i++) {
		struct epoll_event e = {.events = ev, .data.ptr = &l->lis[i]};

		epoll_ctl(l->ep, ev ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, l->lis[i].fd, &e);
	}
}

static void refuse_over(struct loop *l, int fd)
{
	struct proxy *p = l->p;
	int zero = 0;

	conn_refuse(fd);
	PCOUNT(l, conns_refused, 1);
	if (__atomic_compare_exchange_n(&p->over, &zero, 1, false, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED) &&
	    p->conf.over_cap)
		p->conf.over_cap(p->conf.cap_ctx, true);
}

static void handoff(struct loop *to, int fd)
{
	uint64_t one = 1;

	pthread_mutex_lock(&to->qlock);
	if (to->nq == to->capq) {
		size_t cap = to->capq ? 2 * to->capq : 64;
		int *q = realloc(to->q, cap * sizeof(*q));

		if (!q) {
			pthread_mutex_unlock(&to->qlock);
			conn_refuse(fd);
			__atomic_sub_fetch(&to->p->open, 1, __ATOMIC_RELAXED);
			return;
		}
		to->q = q;
		to->capq = cap;
	}
	to->q[to->nq++] = fd;
	pthread_mutex_unlock(&to->qlock);
	if (write(to->wake.fd, &one, sizeof(one)) < 0) {
		/* the counter is full: the loop is awake anyway */
	}
}

static void accept_all(struct loop *l, int lfd)
{
	struct proxy *p = l->p;

	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct loop *to;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				/* out of fds or memory: pause, not spin */
				listeners(l, 0);
				l->pause_until = l->now_ns + PAUSE_NS;
			}
			return;
		}
		if (__atomic_load_n(&p->open, __ATOMIC_RELAXED) >= p->conf.max_conns) {
			refuse_over(l, fd);
			continue;
		}
		__atomic_add_fetch(&p->open, 1, __ATOMIC_RELAXED);
		PCOUNT(l, conns_total, 1);
		to = &p->loops[p->rr++ % p->n];
		if (to == l)
			conn_new(l, fd);
		else
			handoff(to, fd);
	}
}

/* Connections handed to this loop. */
static void adopt(struct loop *l)
{
	uint64_t n;
	int *q;
	size_t nq;

	if (read(l->wake.fd, &n, sizeof(n)) < 0) {
		/* nothing counted: a spurious wake-up */
	}
	pthread_mutex_lock(&l->qlock);
	q = l->q;
	nq = l->nq;
	l->q = NULL;
	l->nq = l->capq = 0;
	pthread_mutex_unlock(&l->qlock);
	for (size_t i = 0; i < nq; i++)
		conn_new(l, q[i]);
	free(q);
}

/* ---- the loop ---------------------------------------------------------- */

static void expire(struct loop *l)
{
	uint64_t idle = l->p->conf.idle_ns;

	while (l->idle_head && l->idle_head->last_ns + idle <= l->now_ns)
		conn_timeout(l->idle_head);
	if (l->pause_until && l->pause_until <= l->now_ns) {
		l->pause_until = 0;
		listeners(l, EPOLLIN);
	}
}

/* Milliseconds until the first connection could time out. */
static int next_ms(const struct loop *l)
{
	uint64_t due, ms;

	if (!l->idle_head)
		return TICK_MS;
	due = l->idle_head->last_ns + l->p->conf.idle_ns;
	if (due <= l->now_ns)
		return 0;
	ms = (due - l->now_ns) / 1000000 + 1;
	return ms < TICK_MS ? (int)ms : TICK_MS;
}

static void *loop_main(void *arg)
{
	struct loop *l = arg;
	struct epoll_event ev[EVENTS_MAX];

	l->now_ns = mono_ns();
	while (!__atomic_load_n(&l->p->stop, __ATOMIC_ACQUIRE)) {
		int n = epoll_wait(l->ep, ev, EVENTS_MAX, next_ms(l));

		l->now_ns = mono_ns();
		for (int i = 0; i < n; i++) {
			struct side *s = ev[i].data.ptr;

			if (s->kind == SIDE_WAKE)
				adopt(l);
			else if (s->kind == SIDE_LISTEN)
				accept_all(l, s->fd);
			else
				conn_event(s, ev[i].events);
		}
		expire(l);
		conn_reap(l);
	}
	return NULL;
}

static int loop_parts(struct proxy *p, struct loop *l)
{
	struct http_conf hc = p->conf.http;

	hc.msg = hold_msg;
	hc.msg_ctx = l;
	if (!hc.alt_budget)
		hc.alt_budget = &p->alt;
	l->in = engine_inspector_new(p->conf.engine, p->conf.source, hold_verdict, l);
	if (!l->in)
		return -errno;
	l->sink = engine_inspector_sink(l->in);
	l->http = http_ctx_new(&hc, hold_object_ops(), l);
	return l->http ? 0 : -errno;
}

static int loop_init(struct proxy *p, struct loop *l, unsigned idx)
{
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = &l->wake};

	l->p = p;
	l->idx = idx;
	l->wake = (struct side){.kind = SIDE_WAKE, .fd = -1};
	pthread_mutex_init(&l->qlock, NULL);
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0)
		return -errno;
	l->wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->wake.fd < 0 || epoll_ctl(l->ep, EPOLL_CTL_ADD, l->wake.fd, &e))
		return -errno;
	if (!idx) {
		for (int i = 0; i < p->conf.nlisten; i++) {
			int fd = p->conf.listen[i];

			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
			l->lis[i] = (struct side){.kind = SIDE_LISTEN, .fd = fd};
		}
		listeners(l, EPOLLIN);
	}
	return loop_parts(p, l);
}

/* After the thread ended (or never ran): closes what the loop owns. */
static void loop_fini(struct loop *l)
{
	if (!l->p)
		return;
	while (l->idle_head)
		conn_close(l->idle_head, STREAM_CLOSE_EOF, false);
	conn_reap(l);
	for (size_t i = 0; i < l->nq; i++) {
		conn_refuse(l->q[i]);
		__atomic_sub_fetch(&l->p->open, 1, __ATOMIC_RELAXED);
	}
	free(l->q);
	l->q = NULL;
	l->nq = 0;
	http_ctx_free(l->http);
	engine_inspector_free(l->in);
	l->http = NULL;
	l->in = NULL;
	if (l->wake.fd >= 0)
		close(l->wake.fd);
	if (l->ep >= 0)
		close(l->ep);
	pthread_mutex_destroy(&l->qlock);
	l->p = NULL;
}

/* ---- the API ------------------------------------------------------------ */

static unsigned nthreads(unsigned want)
{
	long n = want ? (long)want : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > PROXY_THREADS_MAX ? PROXY_THREADS_MAX : (unsigned)n;
}

static bool conf_ok(const struct proxy_conf *c)
{
	return c->engine && c->nlisten > 0 && c->nlisten <= PROXY_LISTEN_MAX &&
	       (c->connect || c->upstream_len) && c->max_conns && c->idle_ns;
}

struct proxy *proxy_start(const struct proxy_conf *conf)
{
	struct proxy *p;
	int err = -ENOMEM;

	if (!conf_ok(conf)) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->conf = *conf;
	p->media = conf->media ? conf->media : media_default;
	p->n = nthreads(conf->threads);
	budget_init(&p->hold, conf->hold_total);
	budget_init(&p->alt, ALT_TOTAL);
	p->learn = learn_new(conf->learn_max);
	p->loops = calloc(p->n, sizeof(*p->loops));
	if (!p->learn || !p->loops)
		goto fail;
	for (unsigned i = 0; i < p->n; i++)
		if ((err = loop_init(p, &p->loops[i], i)))
			goto fail;
	for (unsigned i = 0; i < p->n; i++) {
		if ((err = -pthread_create(&p->loops[i].th, NULL, loop_main, &p->loops[i])))
			goto fail;
		p->loops[i].started = true;
	}
	return p;
fail:
	proxy_free(p);
	errno = -err;
	return NULL;
}

void proxy_stop(struct proxy *p)
{
	uint64_t one = 1;

	if (!p || p->stopped)
		return;
	p->stopped = true;
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < p->n && p->loops; i++) {
		struct loop *l = &p->loops[i];

		if (!l->started)
			continue;
		if (write(l->wake.fd, &one, sizeof(one)) < 0) {
			/* the counter is full: the loop is awake anyway */
		}
		pthread_join(l->th, NULL);
	}
	for (unsigned i = 0; i < p->n && p->loops; i++)
		loop_fini(&p->loops[i]);
}

void proxy_stats(struct proxy *p, struct proxy_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < p->n; i++) {
		const uint64_t *s = (const uint64_t *)&p->loops[i].st;
		uint64_t *d = (uint64_t *)st;

		for (size_t k = 0; k < sizeof(*st) / sizeof(uint64_t); k++)
			d[k] += __atomic_load_n(&s[k], __ATOMIC_RELAXED);
	}
	st->conns_open = __atomic_load_n(&p->open, __ATOMIC_RELAXED);
	st->held_bytes = budget_used(&p->hold);
	st->held_peak = __atomic_load_n(&p->hold.peak, __ATOMIC_RELAXED);
	st->learn_urls = learn_count(p->learn);
}

void proxy_free(struct proxy *p)
{
	if (!p)
		return;
	proxy_stop(p);
	free(p->loops);
	learn_free(p->learn);
	free(p);
}
