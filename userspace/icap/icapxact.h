/* SPDX-License-Identifier: GPL-2.0 */
/* ICAP transactions: what one connection says, without the socket. The
 * server (icapsrv.c) hands each connection's bytes to icap_conn_input and
 * writes back what lands in its output buffer; the unit tests and the fuzz
 * target drive the same code with byte strings.
 *
 *   bytes ─▶ icapmsg events ─▶ per message: OPTIONS answer, or
 *            first bytes ─sniff─▶ pass (204 / echo) or inspect:
 *            synthetic flow ─▶ http ─▶ backend ─verdict─▶ 451 / 204 / echo */
#ifndef EW_ICAPXACT_H
#define EW_ICAPXACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "icap.h"
#include "util/budget.h"

/* What a server's threads share: the conf, counters, the held-bytes
 * budget and the flow id counter. */
struct icap_shared {
	struct icap_conf conf;	/* conf.istag_now points into tags[] */
	char tags[2][40];	/* the ISTag in force, and the next one */
	unsigned cur;		/* tags[cur] is in force */
	struct icap_stats st; /* __atomic adds */
	struct budget held;   /* bytes held to echo messages */
	uint64_t next_flow;   /* atomic */
};

/* Initialises sh from conf (copied). */
void icap_shared_init(struct icap_shared *sh, const struct icap_conf *conf);

/* Bytes waiting to be written to the client: buf[off..n). */
struct icap_out {
	uint8_t *buf;
	size_t off, n, cap;
	int err; /* -ENOMEM: an answer was cut, the connection must close */
};

static inline size_t icap_out_pending(const struct icap_out *o)
{
	return o->n - o->off;
}
void icap_out_free(struct icap_out *o);

/* The two ends of a connection, IPv6 or IPv4-mapped, ports host order. */
struct icap_peer {
	uint8_t client[16], server[16];
	uint16_t cport, sport;
};

struct icap_thread;

/* The per-thread state: the backend's consumer and an HTTP parser on it.
 * Returns NULL with errno set. Free after the thread's connections. */
struct icap_thread *icap_thread_new(struct icap_shared *sh);
void icap_thread_free(struct icap_thread *t);

struct icap_conn;

/* A connection served by thread t; over_limit: every message gets the
 * fail mode without inspection. Returns NULL with errno set. */
struct icap_conn *icap_conn_new(struct icap_thread *t, const struct icap_peer *peer,
				bool over_limit);

/* Takes the client's bytes p[0..len) and appends the answers to out.
 * Returns 0 while the connection goes on, 1 when it must be closed once
 * out is written (Connection: close, or a malformed message answered
 * with 400 and described by icap_conn_error). */
int icap_conn_input(struct icap_conn *c, const uint8_t *p, size_t len, struct icap_out *out);

/* The last malformed message's diagnostic, "" if none. */
const char *icap_conn_error(const struct icap_conn *c);

/* True in the middle of a message (the read timeout applies, not the
 * idle one). */
bool icap_conn_busy(const struct icap_conn *c);

/* Ends the connection: a transaction still open is dropped (its flow is
 * closed, so its objects are still logged, truncated). */
void icap_conn_free(struct icap_conn *c);

#endif
