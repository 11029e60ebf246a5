// SPDX-License-Identifier: GPL-2.0
/* syslogfwd: RFC 5424 over TCP with octet counting, a queue that keeps
 * every frame until the collector's TCP acknowledged it, reconnection with
 * exponential backoff (syslogfwd.h). */
#include <errno.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "syslogfwd.h"

#define MS	   1000000ull
#define SEC	   1000000000ull
#define FRAME_HEAD 512 /* octet count and header, at most */
#define SEQ_MAX	   2147483647u

struct frame {
	struct frame *next;
	uint64_t end;	/* stream offset of its last byte + 1, once sent */
	size_t len;
	char b[];
};

struct syslogfwd {
	struct syslogfwd_conf c;
	char *host, *port, *hostname;
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct frame *head, **tail; /* head..: in flight (end set), then waiting */
	struct frame *next_send;    /* first waiting frame, or NULL */
	size_t sent_off;	    /* bytes of next_send already sent */
	uint64_t stream;	    /* bytes sent on this connection */
	size_t bytes;		    /* of all frames held */
	uint32_t seq;
	int fd, pid;
	bool started, closing, stop;
	struct syslogfwd_stats st;
	struct ej_sink sink;
};

void syslogfwd_conf_default(struct syslogfwd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->facility = 16;
	c->queue_max = 16u << 20;
	c->backoff_min_ns = 100 * MS;
	c->backoff_max_ns = 30 * SEC;
	c->drain_ns = 5 * SEC;
}

static uint64_t now_ns(int clk)
{
	struct timespec t;

	clock_gettime(clk, &t);
	return (uint64_t)t.tv_sec * SEC + (uint64_t)t.tv_nsec;
}

/* ---- frames ---------------------------------------------------------------------- */

/* The line's "event" value when it starts {"event":"NAME", else "-". */
static void msgid(const char *line, size_t len, char *out)
{
	static const char k[] = "{\"event\":\"";
	size_t i = sizeof(k) - 1, n = 0;

	strcpy(out, "-");
	if (len < i || memcmp(line, k, i))
		return;
	for (; i < len && line[i] != '"' && n < 32; i++) /* MSGID: 1*32 PRINTUSASCII */
		if (line[i] > 32 && line[i] < 127)
			out[n++] = line[i];
	if (n)
		out[n] = '\0';
}

static int severity(const char *id)
{
	if (!strcmp(id, "block"))
		return 4;
	return strcmp(id, "health") ? 6 : 3;
}

size_t syslogfwd_frame(char *out, size_t cap, int facility, uint64_t ts_ns, const char *host,
		       int pid, uint32_t seq, const char *line, size_t len)
{
	time_t t = (time_t)(ts_ns / SEC);
	char head[FRAME_HEAD], id[40], stamp[40];
	struct tm tm;
	int hn, cn;

	if (len && line[len - 1] == '\n')
		len--;
	msgid(line, len, id);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	hn = snprintf(head, sizeof(head), "<%d>1 %s.%06uZ %.255s edgeward %d %s [meta sequenceId=\"%u\"] ",
		      facility * 8 + severity(id), stamp, (unsigned)(ts_ns % SEC / 1000),
		      host && *host ? host : "-", pid, id, seq);
	if (hn < 0 || (size_t)hn >= sizeof(head))
		return 0;
	cn = snprintf(out, cap, "%zu ", (size_t)hn + len);
	if (cn < 0 || (size_t)cn + (size_t)hn + len > cap)
		return 0;
	memcpy(out + cn, head, (size_t)hn);
	memcpy(out + cn + hn, line, len);
	return (size_t)cn + (size_t)hn + len;
}

static int sink_line(void *ctx, const char *line, size_t len)
{
	struct syslogfwd *f = ctx;
	struct frame *fr = malloc(sizeof(*fr) + FRAME_HEAD + len);

	if (!fr)
		return -ENOMEM;
	pthread_mutex_lock(&f->lock);
	f->seq = f->seq == SEQ_MAX ? 1 : f->seq + 1;
	fr->len = syslogfwd_frame(fr->b, FRAME_HEAD + len, f->c.facility, now_ns(CLOCK_REALTIME),
				  f->hostname, f->pid, f->seq, line, len);
	if (!fr->len || f->closing || f->bytes + fr->len > f->c.queue_max) {
		f->st.lost++;
		free(fr);
	} else {
		fr->next = NULL;
		fr->end = 0;
		*f->tail = fr;
		f->tail = &fr->next;
		if (!f->next_send)
			f->next_send = fr;
		f->bytes += fr->len;
		f->st.queued++;
		pthread_cond_signal(&f->cond);
	}
	pthread_mutex_unlock(&f->lock);
	return 0;
}

const struct ej_sink *syslogfwd_sink(struct syslogfwd *f)
{
	return &f->sink;
}

/* ---- the connection ------------------------------------------------------------------ */

static int dial(struct syslogfwd *f)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
	int fd = -1, err = getaddrinfo(f->host, f->port, &hints, &res);

	if (err)
		return -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		struct timeval tv = {.tv_sec = 5}; /* bounds connect() too */

		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (fd >= 0 && !connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		err = -errno;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd >= 0 ? fd : (err ? err : -ECONNREFUSED);
}

/* Frames whose last byte the peer acknowledged leave the queue. */
static void release_acked(struct syslogfwd *f)
{
	int outq = 0;
	uint64_t acked;

	if (f->fd < 0 || ioctl(f->fd, SIOCOUTQ, &outq))
		return;
	acked = f->stream - (uint64_t)outq;
	while (f->head && f->head != f->next_send && f->head->end <= acked) {
		struct frame *fr = f->head;

		f->head = fr->next;
		if (!f->head)
			f->tail = &f->head;
		f->bytes -= fr->len;
		f->st.sent++;
		free(fr);
	}
}

/* The connection broke: whatever is in flight goes again. */
static void broken(struct syslogfwd *f)
{
	release_acked(f);
	for (struct frame *fr = f->head; fr && fr != f->next_send; fr = fr->next) {
		fr->end = 0;
		f->st.resent++;
	}
	f->next_send = f->head;
	f->sent_off = 0;
	f->stream = 0;
	close(f->fd);
	f->fd = -1;
	f->st.connected = false;
	f->st.failures++;
}

/* Sends waiting frames while the socket takes them. Lock held. */
static int send_some(struct syslogfwd *f)
{
	while (f->next_send) {
		struct frame *fr = f->next_send;
		ssize_t n = send(f->fd, fr->b + f->sent_off, fr->len - f->sent_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		f->sent_off += (size_t)n;
		f->stream += (uint64_t)n;
		if (f->sent_off < fr->len)
			return 0;
		fr->end = f->stream;
		f->next_send = fr->next;
		f->sent_off = 0;
	}
	return 0;
}

/* Has the collector closed (or reset) the connection? */
static bool peer_gone(struct syslogfwd *f)
{
	struct pollfd p = {.fd = f->fd, .events = POLLIN | POLLRDHUP};
	char b[256];

	if (poll(&p, 1, 0) <= 0)
		return false;
	if (p.revents & (POLLERR | POLLHUP | POLLRDHUP))
		return true;
	return recv(f->fd, b, sizeof(b), MSG_DONTWAIT) <= 0; /* collectors send nothing */
}

/* ---- the thread ---------------------------------------------------------------------- */

struct backoff {
	uint64_t wait, at; /* next delay; no try before at (monotonic) */
	bool said;	   /* the current streak of failures was reported */
};

static void failed(struct syslogfwd *f, struct backoff *b, int err, const char *what)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);

	if (!b->said)
		ew_warn("syslog: %s %s:%s: %s; events are queued and sent when it answers "
			"(retrying with backoff)", what, f->host, f->port, strerror(-err));
	b->said = true;
	b->at = now + b->wait;
	b->wait = b->wait * 2 > f->c.backoff_max_ns ? f->c.backoff_max_ns : b->wait * 2;
}

/* Connects when due. Lock held (dropped around connect). */
static void try_connect(struct syslogfwd *f, struct backoff *b)
{
	int fd;

	if (now_ns(CLOCK_MONOTONIC) < b->at)
		return;
	pthread_mutex_unlock(&f->lock);
	fd = dial(f);
	pthread_mutex_lock(&f->lock);
	if (fd < 0) {
		f->st.failures++;
		failed(f, b, fd, "couldn't connect to");
		return;
	}
	f->fd = fd;
	f->st.connects++;
	f->st.connected = true;
	if (b->said)
		ew_info("syslog: connected to %s:%s again", f->host, f->port);
	b->said = false;
	b->wait = f->c.backoff_min_ns;
}

static void *fwd_main(void *arg)
{
	struct syslogfwd *f = arg;
	struct backoff b = {.wait = f->c.backoff_min_ns};

	pthread_mutex_lock(&f->lock);
	while (!f->stop) {
		struct timespec until;
		uint64_t t;

		if (f->fd < 0)
			try_connect(f, &b);
		if (f->fd >= 0 && (peer_gone(f) || send_some(f))) {
			broken(f);
			failed(f, &b, -ECONNRESET, "lost the connection to");
			b.at = 0; /* a restarted collector: try again at once */
		} else if (f->fd >= 0) {
			release_acked(f);
		}
		t = now_ns(CLOCK_REALTIME) + 20 * MS;
		until = (struct timespec){.tv_sec = (time_t)(t / SEC), .tv_nsec = (long)(t % SEC)};
		pthread_cond_timedwait(&f->cond, &f->lock, &until);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

/* ---- life -------------------------------------------------------------------------- */

/* "host:port" or "[v6]:port" into f->host, f->port. */
static int split(struct syslogfwd *f, const char *addr)
{
	const char *colon = strrchr(addr, ':');
	size_t hl;

	if (!colon || !colon[1] || colon == addr)
		return -EINVAL;
	hl = (size_t)(colon - addr);
	if (addr[0] == '[' && hl > 2 && addr[hl - 1] == ']')
		f->host = strndup(addr + 1, hl - 2);
	else
		f->host = strndup(addr, hl);
	f->port = strdup(colon + 1);
	return f->host && f->port ? 0 : -ENOMEM;
}

struct syslogfwd *syslogfwd_new(const struct syslogfwd_conf *c, char *msg, size_t msglen)
{
	struct syslogfwd *f = calloc(1, sizeof(*f));
	int err = -ENOMEM;

	if (!f)
		goto fail;
	f->c = *c;
	f->fd = -1;
	f->pid = (int)getpid();
	f->tail = &f->head;
	f->sink = (struct ej_sink){.line = sink_line, .ctx = f};
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	if (!(f->hostname = strdup(c->hostname ? c->hostname : "-")))
		goto fail;
	err = split(f, c->address ? c->address : "");
	if (!err)
		return f;
fail:
	snprintf(msg, msglen, "syslog: couldn't forward to '%s': %s",
		 c->address ? c->address : "", err == -EINVAL ? "expected host:port" : strerror(-err));
	if (f) {
		free(f->host);
		free(f->port);
		free(f->hostname);
		free(f);
	}
	errno = -err;
	return NULL;
}

int syslogfwd_start(struct syslogfwd *f)
{
	int err = pthread_create(&f->th, NULL, fwd_main, f);

	f->started = !err;
	return -err;
}

void syslogfwd_stats(struct syslogfwd *f, struct syslogfwd_stats *st)
{
	pthread_mutex_lock(&f->lock);
	*st = f->st;
	st->queue_bytes = f->bytes;
	pthread_mutex_unlock(&f->lock);
}

int syslogfwd_close(struct syslogfwd *f, struct syslogfwd_stats *st, char *msg, size_t msglen)
{
	uint64_t end = now_ns(CLOCK_MONOTONIC) + f->c.drain_ns, left = 0;

	pthread_mutex_lock(&f->lock);
	f->closing = true;
	while (f->started && f->head && now_ns(CLOCK_MONOTONIC) < end) {
		pthread_mutex_unlock(&f->lock);
		usleep(10000);
		pthread_mutex_lock(&f->lock);
	}
	f->stop = true;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	if (f->started)
		pthread_join(f->th, NULL);
	for (struct frame *fr = f->head, *next; fr; fr = next, left++) {
		next = fr->next;
		free(fr);
	}
	f->st.lost += left;
	if (f->fd >= 0)
		close(f->fd);
	if (f->st.lost && msg)
		snprintf(msg, msglen, "syslog: %llu events not delivered to %s:%s",
			 (unsigned long long)f->st.lost, f->host, f->port);
	left = f->st.lost;
	if (st) {
		*st = f->st;
		st->queue_bytes = 0;
		st->connected = false;
	}
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f->host);
	free(f->port);
	free(f->hostname);
	free(f);
	return left ? -EIO : 0;
}
