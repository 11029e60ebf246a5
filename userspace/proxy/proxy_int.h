/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of the proxy shared by its files: proxy.c (loops, accepting,
 * idle timeouts, counters), conn.c (one connection: sockets, relaying,
 * closing), hold.c (what may go on: holding, verdicts, the 451, learned
 * refusals), learn.c, notice.c, buf.c. Not an interface: use proxy.h.
 *
 * Calls go one way: proxy.c -> conn.c -> hold.c -> learn.c, notice.c,
 * buf.c; conn.c -> dnsconn.c -> buf.c for DNS over TCP. hold.c decides
 * and marks the connection (reset, close_after); conn.c acts on the marks
 * once the parser has returned. */
#ifndef EW_PROXY_INT_H
#define EW_PROXY_INT_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "learn.h"
#include "proxy.h"
#include "stream/stream.h"
#include "util/budget.h"

#define PROXY_CHUNK  (64u << 10)  /* bytes read at once */
#define PROXY_WINDOW (256u << 10) /* bytes waiting for a slow reader before
				   * its source is no longer read */
/* Decoded bytes that decide whether a body is media: every media
 * signature object/sniff knows lies in the first 12 bytes (RIFF and ISO
 * BMFF forms, JPEG 2000), so 16 say all sniff_type can say about them. */
#define PROXY_SNIFF 16
/* Body bytes read without PROXY_SNIFF decoded ones (a multipart preamble,
 * compressed data that will not inflate): then the body is held as media. */
#define PROXY_SNIFF_WIRE (64u << 10)

#define PCOUNT(l, field, n) __atomic_add_fetch(&(l)->st.field, (n), __ATOMIC_RELAXED)

enum side_kind { SIDE_CLIENT, SIDE_UPSTREAM, SIDE_LISTEN, SIDE_WAKE };

/* Something a loop polls: a connection's socket, a listening socket, the
 * loop's wake-up eventfd. epoll_event.data.ptr points here. */
struct side {
	enum side_kind kind;
	int fd;
	uint32_t ev;	 /* the epoll interest now */
	struct conn *c;	 /* SIDE_CLIENT, SIDE_UPSTREAM */
};

/* What happens to the bytes of a direction's current message. */
enum pmode {
	M_IDLE,	 /* between messages: a head may be coming, hold it */
	M_SNIFF, /* head parsed (S2C): held until the body shows media or not */
	M_HOLD,	 /* media (S2C): held until its verdict */
	M_PASS,	 /* everything goes as it is read */
	M_DROP,	 /* blocked or refused: read and dropped */
};

/* One direction: bytes read from its source, and what is to be written to
 * the other side. in holds stream offsets [done, fed). */
struct pdir {
	struct pbuf in, out;
	uint64_t done;	   /* stream offset up to which bytes went or were dropped */
	uint64_t fed;	   /* bytes read from the source */
	enum pmode mode;
	uint64_t head_off, body_off; /* S2C: the current response */
	unsigned msg_flags;	     /* S2C: its HTTP_MSG_* */
	uint64_t nmsg;	   /* C2S: requests parsed; S2C: final responses done */
	uint64_t since;	   /* loop clock when bytes began to wait here for a
			    * head or a verdict; 0: none wait */
	bool eof;	   /* the source ended (and the parser knows) */
	bool shut;	   /* ... and the end went on (shutdown) */
	bool tunnel;	   /* past CONNECT or 101: relayed as is */
	bool lost;	   /* counted in unparsed */
};

struct loop;

struct conn {
	struct loop *l;
	struct flow_info fi;	/* what the parser and the objsink see */
	void *hf;		/* the parser's flow; NULL once closed */
	struct side cli, up;
	bool connecting;	/* the upstream connect is in progress */
	struct pdir d[2];	/* STREAM_C2S, STREAM_S2C */
	uint64_t held;		/* bytes taken from the hold budget */
	bool msg_blocked;	/* the current response was blocked */
	bool reset;		/* reset the client now (block, failure) */
	bool close_after;	/* close both once the client has what is queued */
	/* a learned refusal waiting for the responses due before it */
	bool refusing;
	uint64_t refuse_at;	/* S2C final responses before it */
	struct pbuf refusal;	/* its 451 */
	char *lang;		/* the last request's Accept-Language (NULL: none) */
	uint64_t last_ns;	/* last activity, loop clock */
	struct conn *prev, *next; /* the loop's idle list, oldest first; once
				   * dead, next links the loop's dead list */
	bool dead;		/* closed; freed after the loop's wake-up */
	bool dns;		/* DNS over TCP: relayed by dnsconn.c, no parser */
};

struct proxy;
struct pobj;

struct loop {
	struct proxy *p;
	unsigned idx;
	pthread_t th;
	bool started;
	int ep;
	struct side wake;		 /* eventfd: handed connections, stop */
	struct side lis[PROXY_LISTEN_MAX]; /* loop 0 only */
	struct http_ctx *http;
	struct engine_inspector *in;
	struct objsink *sink;
	struct pobj *cur;		 /* the object whose verdict is coming */
	struct conn *idle_head, *idle_tail;
	struct conn *dead;		 /* closed, to free (conn_reap) */
	uint64_t now_ns;		 /* CLOCK_MONOTONIC, once per wake-up */
	uint64_t pause_until;		 /* accepting paused (out of fds) until */
	pthread_mutex_t qlock;		 /* the handed-over fds below */
	int *q;
	size_t nq, capq;
	struct proxy_stats st;		 /* this loop's counts (PCOUNT) */
};

/* proxy_stats sums the loops' counters as an array of uint64_t */
_Static_assert(sizeof(struct proxy_stats) % sizeof(uint64_t) == 0, "proxy_stats: uint64_t only");

struct proxy {
	struct proxy_conf conf;
	const char *const *media;
	struct loop *loops;
	unsigned n;
	unsigned rr;	     /* next loop to get a connection (loop 0's) */
	struct learn *learn;
	struct budget hold;  /* hold_total */
	struct budget alt;   /* the parsers' alternate readings, all loops */
	uint64_t open;	     /* atomic: connections open */
	int over;	     /* atomic: over_cap(true) was said last */
	int stop;	     /* atomic */
	uint64_t flow_ids;   /* atomic: the last flow_info.id given */
	bool stopped;
};

static inline struct conn *conn_of(const struct flow_info *fi)
{
	return (struct conn *)((char *)fi - offsetof(struct conn, fi));
}

/* The idle list: connections in the order of their last activity, so
 * the head is the first to time out (one idle_ns for all). */
static inline void idle_del(struct loop *l, struct conn *c)
{
	*(c->prev ? &c->prev->next : &l->idle_head) = c->next;
	*(c->next ? &c->next->prev : &l->idle_tail) = c->prev;
	c->prev = c->next = NULL;
}

static inline void idle_add(struct loop *l, struct conn *c)
{
	c->last_ns = l->now_ns;
	c->prev = l->idle_tail;
	c->next = NULL;
	*(l->idle_tail ? &l->idle_tail->next : &l->idle_head) = c;
	l->idle_tail = c;
}

/* conn.c */

/* Takes an accepted client socket: opens the upstream connection and
 * starts relaying. On failure the client is reset, fd closed and the
 * failure counted. Returns 0 or -errno. */
int conn_new(struct loop *l, int fd);
/* Events of a connection's socket. May free the connection. */
void conn_event(struct side *s, uint32_t events);
/* idle_ns passed without a byte: closes it (reset if a message was under
 * way). Frees it. */
void conn_timeout(struct conn *c);
/* Closes a connection (the parser's objects end with why), resetting the
 * client if asked or marked. Frees it. */
void conn_close(struct conn *c, enum stream_close why, bool reset);
/* Resets and closes a socket just accepted (refused at the cap). */
void conn_refuse(int fd);
/* Frees the connections closed during this wake-up of the loop (an event
 * later in the same batch may name one: conn_event skips it as dead). */
void conn_reap(struct loop *l);

/* hold.c */

/* The object consumer the loop's parser feeds (ctx: the loop): the
 * objsink's, watched. */
const struct object_ops *hold_object_ops(void);
/* The parser's message callback (http_conf.msg; ctx: the loop). */
void hold_msg(void *ctx, const struct http_msg *m);
/* The inspector's verdict callback (ctx: the loop). */
void hold_verdict(void *ctx, const struct obj_verdict *v);
/* p[0..len), just appended to c->d[dir].in, to the parser; then settles
 * what of dir goes, waits or is dropped. */
void hold_feed(struct conn *c, enum stream_dir dir, const uint8_t *p, size_t len);
/* The source of dir ended: the parser is told, what is left goes. */
void hold_end(struct conn *c, enum stream_dir dir);
/* The connection closes: the parser's flow ends (objects end, verdicts
 * come, blocks are reported), holds are given back. */
void hold_close(struct conn *c, enum stream_close why);
/* Bytes that waited idle_ns for a head to complete (a slowloris client,
 * a server trickling its head) or for a verdict (a server trickling a
 * held body): a held response streams on; true if a head is overdue and
 * the connection must close. */
bool hold_overdue(struct conn *c);

/* dnsconn.c: DNS over TCP, in place of hold.c for connections to the
 * DNS port (proxy_conf.dns) */

/* Bytes just appended to c->d[dir].in: whole client queries go to the
 * caller's hook and then upstream or answered, whole server answers to
 * the client. Called again with nothing new once the client has read
 * (queries wait while PROXY_WINDOW bytes of answers do). */
void dnsconn_feed(struct conn *c, enum stream_dir dir);
/* The source of dir ended: a message cut off there is dropped. */
void dnsconn_end(struct conn *c, enum stream_dir dir);
/* A message begun idle_ns ago and still not whole: the connection must
 * close (counted in dns_refused). */
bool dnsconn_overdue(struct conn *c);

/* notice.c */

/* Appends the blocked response for b to out: 451, Content-Length, and
 * Connection: close when close. Returns 0 or -ENOMEM. */
int notice_append(struct pbuf *out, const struct proxy_conf *conf, const struct proxy_block *b,
		  bool close);

#endif
