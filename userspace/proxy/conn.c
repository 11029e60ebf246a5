// SPDX-License-Identifier: GPL-2.0
/* conn: one proxied connection. Its two sockets, the bytes read from each
 * handed to the hold logic (hold.c) and what it lets go written to the
 * other, half-closes passed on, resets, and its end.
 *
 *   client fd ──recv──▶ d[C2S].in ─hold─▶ d[C2S].out ──send──▶ upstream fd
 *   client fd ◀─send─── d[S2C].out ◀─hold─ d[S2C].in ◀──recv── upstream fd
 *
 * A direction's source is read while fewer than PROXY_WINDOW bytes wait
 * to be written, so a slow reader slows its writer (what is held for a
 * verdict is bounded by hold_max instead). */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proxy_int.h"

#define READS_PER_EVENT 4 /* reads of PROXY_CHUNK before other sockets' turn */

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void linger0(int fd)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

void conn_refuse(int fd)
{
	linger0(fd);
	close(fd);
}

/* One connection fewer: below 7/8 of max_conns again, the caller hears
 * that new flows may be steered again (hysteresis: no flapping at the
 * cap). */
static void conn_gone(struct proxy *p)
{
	uint64_t open = __atomic_sub_fetch(&p->open, 1, __ATOMIC_RELAXED);
	uint64_t max = p->conf.max_conns;
	int one = 1;

	if (open <= max - max / 8 &&
	    __atomic_compare_exchange_n(&p->over, &one, 0, false, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED) &&
	    p->conf.over_cap)
		p->conf.over_cap(p->conf.cap_ctx, false);
}

/* ---- addresses ---------------------------------------------------------- */

/* An address as flow_info keeps it: IPv6, or IPv4-mapped IPv6. */
static void addr16(const struct sockaddr_storage *ss, uint8_t a[16], uint16_t *port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		memcpy(a, &s6->sin6_addr, 16);
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
		memcpy(a + 12, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	}
}

/* The canonical key: the lower (address, port) first, as the kernel maps
 * order it. */
static void flow_fill(struct flow_info *fi, const struct sockaddr_storage *cli,
		      const struct sockaddr_storage *srv, uint64_t id)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	struct ew_flow_key *k = &fi->key;
	bool v6;
	int cmp;

	fi->id = id;
	fi->proto = IPPROTO_TCP;
	fi->first_ts_ns = wall_ns();
	addr16(cli, fi->client_addr, &fi->client_port);
	addr16(srv, fi->server_addr, &fi->server_port);
	v6 = memcmp(fi->client_addr, mapped, 12) != 0; /* a dual-stack socket's IPv4 peer */
	fi->flags = v6 ? FLOW_IPV6 : 0;
	cmp = memcmp(fi->client_addr, fi->server_addr, 16);
	if (!cmp)
		cmp = fi->client_port < fi->server_port ? -1 : 1;
	memcpy(k->lo_addr, cmp < 0 ? fi->client_addr : fi->server_addr, 16);
	memcpy(k->hi_addr, cmp < 0 ? fi->server_addr : fi->client_addr, 16);
	k->lo_port = htons(cmp < 0 ? fi->client_port : fi->server_port);
	k->hi_port = htons(cmp < 0 ? fi->server_port : fi->client_port);
	k->proto = IPPROTO_TCP;
	k->family = v6 ? 6 : 4;
}

/* ---- sockets ---------------------------------------------------------- */

/* The upstream socket: the caller's connect (transparent: as the client,
 * to the original server), or a plain connect to the fixed upstream. */
static int upstream_open(const struct proxy_conf *cf, const struct sockaddr_storage *cli,
			 const struct sockaddr_storage *srv)
{
	int fd, err;

	if (cf->connect)
		return cf->connect((const struct sockaddr *)cli, (const struct sockaddr *)srv);
	fd = socket(cf->upstream.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&cf->upstream, cf->upstream_len) &&
	    errno != EINPROGRESS) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Sets what the loop waits for on s; a socket with nothing to wait for
 * leaves the epoll set, so a hung-up peer does not wake the loop in vain. */
static void watch(struct conn *c, struct side *s, uint32_t ev)
{
	struct epoll_event e = {.events = ev, .data.ptr = s};
	int op = !s->ev ? EPOLL_CTL_ADD : !ev ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;

	if (ev == s->ev)
		return;
	if (epoll_ctl(c->l->ep, op, s->fd, &e)) {
		c->reset = true; /* can't wait for it: give up the connection */
		return;
	}
	s->ev = ev;
}

static void interest(struct conn *c)
{
	struct pdir *q = &c->d[STREAM_C2S], *r = &c->d[STREAM_S2C];
	uint32_t ci = 0, ui = 0;

	/* DNS: the client's queries wait while its answers do (dnsconn.c) */
	if (!q->eof && q->out.len < PROXY_WINDOW && (!c->dns || r->out.len < PROXY_WINDOW))
		ci |= EPOLLIN;
	if (r->out.len)
		ci |= EPOLLOUT;
	if (c->connecting) {
		ui = EPOLLOUT;
	} else {
		if (!r->eof && r->out.len < PROXY_WINDOW)
			ui |= EPOLLIN;
		if (q->out.len)
			ui |= EPOLLOUT;
	}
	watch(c, &c->cli, ci);
	watch(c, &c->up, ui);
}

/* ---- life ---------------------------------------------------------------- */

static struct conn *conn_alloc(struct loop *l, int fd, int up)
{
	struct conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (!c)
		return NULL;
	c->l = l;
	c->cli = (struct side){.kind = SIDE_CLIENT, .fd = fd, .c = c};
	c->up = (struct side){.kind = SIDE_UPSTREAM, .fd = up, .c = c};
	c->connecting = true;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return c;
}

int conn_new(struct loop *l, int fd)
{
	struct proxy *p = l->p;
	struct sockaddr_storage cli, srv;
	socklen_t cl = sizeof(cli), sl = sizeof(srv);
	struct conn *c = NULL;
	int up = -ENOTCONN;
	uint8_t orig[16];
	uint16_t oport;

	/* the accepted socket's local address is the original destination */
	if (getpeername(fd, (struct sockaddr *)&cli, &cl) ||
	    getsockname(fd, (struct sockaddr *)&srv, &sl))
		goto fail;
	up = upstream_open(&p->conf, &cli, p->conf.connect ? &srv : &p->conf.upstream);
	if (up < 0 || !(c = conn_alloc(l, fd, up)))
		goto fail;
	flow_fill(&c->fi, &cli, p->conf.connect ? &srv : &p->conf.upstream,
		  __atomic_add_fetch(&p->flow_ids, 1, __ATOMIC_RELAXED));
	addr16(&srv, orig, &oport); /* the original destination, in any mode */
	c->dns = p->conf.dns && oport == (p->conf.dns_port ? p->conf.dns_port : PROXY_DNS_PORT);
	if (!c->dns)
		c->hf = http_stream_ops()->flow_open(l->http, &c->fi);
	idle_add(l, c);
	interest(c);
	if (c->reset) {
		conn_close(c, STREAM_CLOSE_RST, true);
		return -ENOMEM;
	}
	return 0;
fail:
	PCOUNT(l, upstream_fail, 1);
	if (up >= 0)
		close(up);
	conn_refuse(fd);
	conn_gone(p);
	return up < 0 ? up : -ENOMEM;
}

void conn_close(struct conn *c, enum stream_close why, bool reset)
{
	struct loop *l = c->l;

	if (c->dead)
		return;
	hold_close(c, why); /* the last verdicts may still mark a reset */
	if (reset || c->reset)
		linger0(c->cli.fd);
	watch(c, &c->cli, 0);
	watch(c, &c->up, 0);
	close(c->cli.fd);
	close(c->up.fd);
	for (int i = 0; i < 2; i++) {
		pbuf_free(&c->d[i].in);
		pbuf_free(&c->d[i].out);
	}
	pbuf_free(&c->refusal);
	idle_del(l, c);
	conn_gone(l->p);
	/* other events of this wake-up may still name it: freed after them */
	c->dead = true;
	c->next = l->dead;
	l->dead = c;
}

void conn_reap(struct loop *l)
{
	while (l->dead) {
		struct conn *c = l->dead;

		l->dead = c->next;
		free(c->lang);
		free(c);
	}
}

void conn_timeout(struct conn *c)
{
	const struct pdir *q = &c->d[STREAM_C2S], *r = &c->d[STREAM_S2C];
	/* a message under way (a response held, a server that stopped
	 * mid-body): the client is told by a reset, not an orderly end */
	bool busy = r->mode != M_IDLE || r->in.len || r->out.len || q->in.len || q->out.len;

	PCOUNT(c->l, conns_timed_out, 1);
	conn_close(c, STREAM_CLOSE_TIMEOUT, busy);
}

/* ---- relaying --------------------------------------------------------- */

/* Reads what the source of dir has, through the hold logic. Returns -1
 * if the connection was closed. */
static int pull(struct conn *c, enum stream_dir dir, int fd)
{
	struct pdir *d = &c->d[dir];

	for (int i = 0; i < READS_PER_EVENT && !d->eof && !c->reset && d->out.len < PROXY_WINDOW;
	     i++) {
		uint8_t *tail;
		ssize_t n;

		if (pbuf_reserve(&d->in, PROXY_CHUNK)) {
			c->reset = true;
			break;
		}
		tail = pbuf_tail(&d->in);
		n = recv(fd, tail, PROXY_CHUNK, 0);
		if (n > 0) {
			d->in.len += (size_t)n;
			if (dir == STREAM_C2S)
				PCOUNT(c->l, bytes_c2s, (uint64_t)n);
			else
				PCOUNT(c->l, bytes_s2c, (uint64_t)n);
			if (c->dns)
				dnsconn_feed(c, dir);
			else
				hold_feed(c, dir, tail, (size_t)n);
		} else if (n == 0) {
			if (c->dns)
				dnsconn_end(c, dir);
			else
				hold_end(c, dir);
		} else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			break;
		} else {
			conn_close(c, STREAM_CLOSE_RST, true);
			return -1;
		}
	}
	pbuf_trim(&d->in, 2 * PROXY_CHUNK);
	return 0;
}

/* Writes what waits for the other side of dir; passes the source's end
 * on once everything went. Returns -1 if the connection was closed. */
static int push(struct conn *c, enum stream_dir dir)
{
	struct pdir *d = &c->d[dir];
	int fd = dir == STREAM_C2S ? c->up.fd : c->cli.fd;

	if (dir == STREAM_C2S && c->connecting)
		return 0;
	while (d->out.len) {
		ssize_t n = send(fd, pbuf_data(&d->out), d->out.len, MSG_NOSIGNAL);

		if (n > 0) {
			pbuf_consume(&d->out, (size_t)n);
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			break;
		} else {
			conn_close(c, STREAM_CLOSE_RST, true);
			return -1;
		}
	}
	pbuf_trim(&d->out, PROXY_WINDOW);
	if (d->eof && !d->shut && !d->out.len && !d->in.len) {
		shutdown(fd, SHUT_WR);
		d->shut = true;
	}
	return 0;
}

/* After the hold logic had its say: act on its marks, write, wait. */
static void after(struct conn *c)
{
	if (c->dns)
		dnsconn_feed(c, STREAM_C2S); /* queries that waited for the client to read */
	if (c->reset) {
		conn_close(c, STREAM_CLOSE_RST, true);
		return;
	}
	if (c->dns ? dnsconn_overdue(c) : hold_overdue(c)) {
		PCOUNT(c->l, conns_timed_out, 1);
		conn_close(c, STREAM_CLOSE_TIMEOUT, true);
		return;
	}
	if (push(c, STREAM_C2S) || push(c, STREAM_S2C))
		return;
	if ((c->close_after && !c->d[STREAM_S2C].out.len) ||
	    (c->d[STREAM_C2S].shut && c->d[STREAM_S2C].shut)) {
		conn_close(c, STREAM_CLOSE_FIN, false);
		return;
	}
	interest(c);
	if (c->reset)
		conn_close(c, STREAM_CLOSE_RST, true);
}

/* The upstream connect finished (EPOLLOUT) or failed. Returns false if
 * the connection was closed. */
static bool connected(struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->up.fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		PCOUNT(c->l, upstream_fail, 1);
		conn_close(c, STREAM_CLOSE_RST, true);
		return false;
	}
	c->connecting = false;
	return true;
}

void conn_event(struct side *s, uint32_t ev)
{
	struct conn *c = s->c;
	struct loop *l = c->l;
	bool up = s->kind == SIDE_UPSTREAM;

	if (c->dead)
		return;
	idle_del(l, c);
	idle_add(l, c);
	if (up && c->connecting) {
		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (!connected(c))
			return;
	}
	if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
	    pull(c, up ? STREAM_S2C : STREAM_C2S, s->fd))
		return;
	after(c);
}
