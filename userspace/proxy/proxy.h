/* SPDX-License-Identifier: GPL-2.0 */
/* proxy: the transparent proxy of inline inspection, a source of byte
 * streams. The kernel steers each new plain-HTTP flow of an inline port
 * to a transparent listening socket (bpf_sk_assign); the proxy terminates
 * it, connects upstream with the client's own address and port, relays
 * the bytes, and holds every media response until the engine's verdict
 * on its body, so a listed object never reaches the client. docs/proxy.md.
 *
 *   client ══▶ listening fd ─▶ loop i (epoll, one thread each)
 *                               conn: client fd ◀══▶ upstream fd ══▶ server
 *                                │ both directions, as they are read
 *                                ▼
 *                    http (per loop) ─▶ objsink (engine inspector) ─▶ verdict
 *                                ▲                                      │
 *                                └──── release / 451 / reset ◀──────────┘ */
#ifndef EW_PROXY_H
#define EW_PROXY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine/engine.h"
#include "http/http.h"
#include "object/objsink.h"

#define PROXY_THREADS_MAX 64
#define PROXY_LISTEN_MAX  4

/* Opens the upstream socket of one connection: a nonblocking TCP socket,
 * connecting (EINPROGRESS) or connected to server, bound to client's
 * address and port (IP_TRANSPARENT). Returns the fd, owned by the proxy
 * from then on, or -errno. The kernel side's steer_connect has this
 * type; the proxy includes nothing of it. */
typedef int (*proxy_connect_fn)(const struct sockaddr *client, const struct sockaddr *server);

/* What a blocked object becomes (runconf_inline.blocked). */
enum proxy_blocked {
	PROXY_BLOCKED_NOTICE, /* the 451 page in place of the response */
	PROXY_BLOCKED_RESET,  /* a TCP reset to the client */
};

/* What the caller's decision (the policy) makes of a request or an
 * object (proxy_conf.request, proxy_conf.object). */
enum proxy_act {
	PROXY_PASS,	/* it goes on */
	PROXY_NOTICE,	/* blocked: the notice page (proxy_decision.status) in its place */
	PROXY_RESET,	/* blocked: the client's connection is reset */
	PROXY_WARN,	/* the disclaimer page in its place */
};

/* A decision; the strings are the caller's words for its events and the
 * page, copied by the proxy. */
struct proxy_decision {
	enum proxy_act act;
	unsigned status;		 /* the page's status: 451 or 403 (0: 451) */
	char rule[OBJSINK_NAME_MAX];	 /* what decided ("" none) */
	char category[OBJSINK_NAME_MAX]; /* what the page names ("" the list's) */
	char notice[OBJSINK_NAME_MAX];	 /* the page's template ("" the kind's) */
	char version[72];		 /* the decider's version, for the event */
};

/* An HTTP request head as the proxy parsed it; valid during the call. */
struct proxy_request {
	uint64_t flow_id;
	uint8_t client[16], server[16]; /* IPv6 or IPv4-mapped */
	uint16_t cport, sport;
	const char *host, *uri;
};

/* How a block was enforced (proxy_block.how). */
enum proxy_enforced {
	PROXY_ENF_NOTICE,  /* the client got the 451 page, no byte of the object */
	PROXY_ENF_RESET,   /* the client's connection was reset, no byte of it */
	PROXY_ENF_LEARNED, /* a request for a URL that matched before was
			    * refused (451, close), nothing asked of the server */
	PROXY_ENF_PARTIAL, /* reset after part of the response was delivered
			    * (it streamed on: past hold_max, hold_total full,
			    * not media): proxy_block.delivered says how much */
	PROXY_ENF_REQUEST, /* a request refused at request time by the caller's
			    * decision (proxy_conf.request): the page or a
			    * reset, nothing asked of the server */
};

/* One block, reported through proxy_conf.block. Pointers are valid during
 * the call only. */
struct proxy_block {
	uint64_t ts_ns;		 /* wall clock */
	uint64_t flow_id;	 /* flow_info.id of the connection */
	uint8_t client[16], server[16]; /* IPv6 or IPv4-mapped */
	uint16_t cport, sport;	 /* host order */
	const char *host, *uri;	 /* the request */
	const char *accept_language; /* the connection's last request's
				      * Accept-Language ("": none), for the
				      * notice's language */
	const char *list, *category; /* the verdict's first hit */
	const char *hash_type;	 /* "md5", "sha1", "sha256", "pdq" */
	const uint8_t *hash;
	size_t hash_len;
	int distance;		 /* PDQ Hamming distance, -1 for exact hits */
	enum proxy_enforced how;
	uint64_t delivered;	 /* PROXY_ENF_PARTIAL: bytes of the response sent */
	/* the decision (proxy_decision), when the caller made one */
	enum proxy_act act;	 /* PROXY_NOTICE, PROXY_RESET or PROXY_WARN */
	unsigned status;	 /* of the page */
	const char *rule, *version; /* "" when none */
	const char *page_category;  /* what the page names */
	const char *page_template;  /* the decision's template ("" the kind's) */
};

/* DNS over TCP (proxy_conf.dns): the longest answer the caller writes. */
#define PROXY_DNS_ANSWER_MAX 512
#define PROXY_DNS_PORT	     53

/* One whole DNS query a client sent on a connection to port 53, without
 * TCP's length prefix; valid during the call. */
struct proxy_dns_query {
	uint64_t flow_id;
	uint8_t client[16], server[16]; /* IPv6 or IPv4-mapped */
	uint16_t cport, sport;
	const uint8_t *msg;
	size_t len;
};

struct proxy_conf {
	unsigned threads;	 /* event loops; 0: the online CPUs */
	struct engine *engine;	 /* started (engine_start); outlives the proxy */
	const char *source;	 /* names the input in events; kept, not copied */
	int listen[PROXY_LISTEN_MAX]; /* listening sockets (one per family), the
				       * caller's: made nonblocking, never closed */
	int nlisten;
	/* Upstream sockets: connect (transparent mode: the kernel module's
	 * steer helper), or, when NULL, a plain connect to upstream (tests:
	 * every connection goes there, from the proxy's own address). */
	proxy_connect_fn connect;
	struct sockaddr_storage upstream;
	socklen_t upstream_len;
	uint64_t max_conns;	 /* open connections; past it new ones are reset */
	uint64_t hold_max;	 /* bytes of one response held (head included)
				  * before it streams on unjudged */
	uint64_t hold_total;	 /* bytes held by all connections */
	uint64_t idle_ns;	 /* a connection without a byte either way this
				  * long is closed */
	uint64_t learn_ns;	 /* a matched URL is refused this long; 0: never */
	uint32_t learn_max;	 /* URLs remembered; the oldest go first */
	enum proxy_blocked blocked;
	/* Media: response bodies held until their verdict. Entries with a
	 * '/' match the declared Content-Type (a trailing '/' matches the
	 * whole top-level type), the others the type sniffed from the first
	 * decoded bytes (object/sniff.h names). NULL-terminated; NULL: the
	 * default, proxy_media_default(). Not copied. */
	const char *const *media;
	struct http_conf http;	 /* parser settings; msg is the proxy's own */
	/* The notice page for a block: writes at most size bytes of HTML to
	 * buf and returns its length; *status comes in as the decision's
	 * (451, or 403 for a policy block) and may be changed to 403 or 451,
	 * or to 200 for the disclaimer of a warn decision (b->act). Optional
	 * (NULL, or 0 returned: a short built-in page naming the category,
	 * with the decision's status). Called in a loop thread; must not
	 * block. */
	size_t (*notice)(void *ctx, const struct proxy_block *b, char *buf, size_t size,
			 int *status);
	void *notice_ctx;
	/* Request heads, from the loop threads (several at once): PASS lets
	 * the request go; anything else keeps it from the server, and the
	 * client gets the page (then the connection closes) or a reset.
	 * Optional: without it every request goes. */
	void (*request)(void *ctx, const struct proxy_request *r, struct proxy_decision *d);
	/* Every object's verdict, in the loop thread: PASS lets a response
	 * go; the others block it. Optional: without it an object that hit
	 * a list is blocked as `blocked` says. */
	void (*object)(void *ctx, const struct obj_verdict *v, struct proxy_decision *d);
	void *decide_ctx;
	/* Every block, from the loop thread that enforced it (several at
	 * once: the callee locks). Optional. */
	void (*block)(void *ctx, const struct proxy_block *b);
	void *block_ctx;
	/* over: max_conns was reached and a connection refused (the kernel
	 * should stop steering new flows: they pass uninspected); !over: the
	 * open connections fell to 7/8 of it. From any loop thread. Optional. */
	void (*over_cap)(void *ctx, bool over);
	void *cap_ctx;
	/* DNS over TCP (docs/proxy.md): with dns set, a connection whose
	 * original destination port is dns_port (0: 53) is relayed message
	 * by message (proxy/dnsconn.c), not parsed as HTTP. Each whole query
	 * the client sends, however it was cut into segments, is handed to
	 * dns (loop threads, several at once): it writes an answer of at
	 * most size bytes (PROXY_DNS_ANSWER_MAX) to answer and returns its
	 * length, and the client gets that answer (between two whole
	 * answers of the server's) in place of the query, which never
	 * reaches the server; 0: the query goes upstream. Must not block. */
	size_t (*dns)(void *ctx, const struct proxy_dns_query *q, uint8_t *answer, size_t size);
	void *dns_ctx;
	uint16_t dns_port;
};

/* Counters, all connections and loops. */
struct proxy_stats {
	uint64_t conns_open, conns_total;
	uint64_t conns_refused;	  /* reset at the max_conns cap */
	uint64_t conns_timed_out; /* closed after idle_ns */
	uint64_t upstream_fail;	  /* upstream connections that failed */
	uint64_t bytes_c2s, bytes_s2c; /* read from clients, from servers */
	uint64_t held;		  /* responses held as media */
	uint64_t released;	  /* held responses released whole, allowed */
	uint64_t blocked;	  /* objects blocked (all enforcements) */
	uint64_t streamed;	  /* media responses streamed past hold_max */
	uint64_t hold_full;	  /* media responses streamed: hold_total full */
	uint64_t learned;	  /* requests refused by a learned block */
	uint64_t refused;	  /* requests refused by the caller's decision */
	uint64_t unparsed;	  /* directions relayed uninspected: the parser
				   * lost them (not HTTP, resynchronising) */
	uint64_t held_bytes, held_peak; /* bytes held now, at most */
	uint64_t learn_urls;	  /* URLs in the learned-block table */
	uint64_t dns_queries;	  /* DNS over TCP: whole queries read from clients */
	uint64_t dns_answered;	  /* ... answered by proxy_conf.dns, not forwarded */
	uint64_t dns_refused;	  /* connections reset: an empty message, or a
				   * message cut off for idle_ns */
};

/* The defaults: threads 0, 4096 connections, 8 MiB per response and
 * 256 MiB in all, 60 s idle, learned blocks for 10 minutes (65536 URLs),
 * the notice page, the default media types, http_conf_default. */
void proxy_conf_default(struct proxy_conf *c);

/* The default media list (NULL-terminated, static): the image/, video/
 * and audio/ Content-Types, PDF and archive ones; the sniffed image,
 * video, audio, archive and PDF types. docs/proxy.md lists them. */
const char *const *proxy_media_default(void);

struct proxy;

/* Starts the loops: they accept on conf.listen and relay until
 * proxy_stop. conf is copied; its pointers must outlive the proxy.
 * Returns NULL with errno set (EINVAL: no engine, no listening socket,
 * neither connect nor upstream). */
struct proxy *proxy_start(const struct proxy_conf *conf);

/* Stops accepting, closes every connection (their last objects reach the
 * engine), joins the loops and frees their inspectors: call it before
 * engine_stop. The counters stay readable. */
void proxy_stop(struct proxy *p);

/* The counters, summed over the loops (approximate while running). */
void proxy_stats(struct proxy *p, struct proxy_stats *st);

/* Stops the proxy if it runs, and frees it. */
void proxy_free(struct proxy *p);

#endif
