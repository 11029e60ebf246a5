/* SPDX-License-Identifier: GPL-2.0 */
/* server: the embedded notice server (libmicrohttpd). Browsers reach it
 * when a DNS answer points a blocked name at it, or a redirect sends them
 * to its disclaimer; it serves the notice and disclaimer pages of a
 * notice set, records acknowledgements and answers "has this subscriber
 * acknowledged this category now?" for any thread. docs/notices.md.
 *
 *   GET  /_ew/warn?category=C&url=U  the disclaimer, with a token bound to
 *                                    the client's address, C and U
 *   POST /_ew/ack  (token, category, url)  recorded; 303 to U (http, https)
 *                                    or the "acked" page; 403 if the token
 *                                    is not this client's or expired
 *   GET  anything else               the block notice for the Host asked
 *                                    (conf.lookup decides, if set) */
#ifndef EW_NOTICE_SERVER_H
#define EW_NOTICE_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ack.h"
#include "notice.h"

#define NOTICE_URL_MAX 2048 /* bytes of a URL the server takes */
#define NOTICE_ACK_PATH "/_ew/ack" /* where acknowledgements are posted */

/* What conf.lookup decides for a page not under /_ew/, copied into the
 * server's buffer (so it outlives whatever the decider held while it
 * decided). Empty strings: none (the server's contact). */
struct notice_lookup {
	enum notice_kind kind; /* NOTICE_BLOCK (as without a lookup), NOTICE_WARN
				* (the disclaimer), NOTICE_ACKED (acknowledged) */
	int status;	       /* NOTICE_BLOCK: 403 or 451; 0: the server's */
	char rule[64], category[64];
	char tmpl[NOTICE_NAME_MAX]; /* the template; "": the kind's */
	char contact[256];
};

struct notice_server_conf {
	const struct notice_set *set; /* the templates: outlive the server */
	struct sockaddr_storage addr; /* where to listen (port 0: any) */
	socklen_t addr_len;
	int fd;		     /* or a socket listening there already
			      * (notice_server_listen, before dropping
			      * privileges: port 80), the server's from
			      * then on; -1: none */
	const char *contact; /* {{contact}}; kept, not copied */
	int status;	     /* block pages: 451 or 403 */
	uint64_t ack_ns;     /* an acknowledgement holds this long */
	uint32_t ack_max;    /* acknowledgements remembered */
	uint64_t token_ns;   /* a disclaimer may be acknowledged this
			      * long after it was served */
	unsigned threads;    /* server threads */
	/* A page not under /_ew/ (a DNS answer sent the browser here): fills
	 * *out (zeroed: the block notice naming the host) for client, host
	 * (the Host header as sent, port and all) and url. Optional. Called
	 * from server threads. */
	void (*lookup)(void *ctx, const uint8_t *client, const char *host, const char *url,
		       struct notice_lookup *out);
	void *lookup_ctx;
};

struct notice_server_stats {
	uint64_t blocks, warns; /* block notices, disclaimers served */
	uint64_t acks;		/* acknowledgements recorded */
	uint64_t acks_refused;	/* posts with a token not the client's, expired,
				 * malformed */
	uint64_t bad_requests;	/* other methods, missing parameters */
	struct ack_stats table;
};

/* A TCP socket listening on addr, for conf.fd. Returns it or -errno. */
int notice_server_listen(const struct sockaddr_storage *addr, socklen_t len);

/* No address, no fd, 451, acknowledgements for 1 h (65536 of them), tokens for
 * 1 h, 2 threads. */
void notice_server_conf_default(struct notice_server_conf *c);

struct notice_server;

/* Listens and serves; conf is copied. Returns NULL with errno set and
 * the reason in msg (bad settings, the address taken). */
struct notice_server *notice_server_start(const struct notice_server_conf *conf, char *msg,
					  size_t msglen);

/* The port it listens on (the one picked, for port 0). */
uint16_t notice_server_port(const struct notice_server *s);

/* Has client (16 bytes, IPv4 as ::ffff:a.b.c.d) acknowledged category's
 * disclaimer, and does it still hold (for ack_ns, the server's ack_ns at
 * most; 0: the server's)? Any thread. */
bool notice_server_acked(struct notice_server *s, const uint8_t *client, const char *category,
			 uint64_t ack_ns);

/* A token for a disclaimer shown elsewhere (by the proxy) whose form
 * posts here: out holds ACK_TOKEN_LEN + 1 bytes. Any thread. */
void notice_server_token(struct notice_server *s, const uint8_t *client, const char *category,
			 const char *url, char *out);

void notice_server_stats(struct notice_server *s, struct notice_server_stats *st);

/* Stops serving and frees s (NULL: nothing). */
void notice_server_stop(struct notice_server *s);

#endif
