/* SPDX-License-Identifier: GPL-2.0 */
/* The ICAP server (RFC 3507): a source of byte streams like the
 * reassembler, for bodies an intercepting proxy (Squid with ssl-bump,
 * e2guardian) has already decrypted. Each RESPMOD or REQMOD whose first
 * bytes look like media becomes a synthetic flow through the HTTP parser
 * into the object consumer the caller provides (the engine's inspector),
 * whose verdict decides the answer: 204 or the unmodified message when
 * allowed, an HTTP 451 notice when an object matched a list.
 *
 *   proxy ─ICAP─▶ icapsrv (threads, connections, limits)
 *                   └─▶ icapmsg (ICAP framing) ─▶ icapxact (preview, hold,
 *                        answer) ─▶ http ─object_ops─▶ backend (objsink)
 *                                    verdict ◀────────────────┘
 *
 * The stage does not know the engine: cli/icap.c passes a backend that
 * makes one object consumer per server thread. */
#ifndef EW_ICAP_H
#define EW_ICAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "http/http.h"
#include "object/objsink.h"

/* Makes the object consumer of one server thread: *ops and *ops_ctx for
 * the thread's HTTP parser, and verdict(vctx, v) called in the thread for
 * every object it ends. Returns the consumer's handle, or NULL with errno
 * set. thread_free frees it once the thread's flows are closed. */
struct icap_backend {
	void *(*thread_new)(void *ctx, void (*verdict)(void *, const struct obj_verdict *),
			    void *vctx, const struct object_ops **ops, void **ops_ctx);
	void (*thread_free)(void *ctx, void *handle);
	void *ctx;
};

/* What the answer to a message is, from one object's verdict
 * (icap_conf.judge): blocked or not, with the HTTP status of the notice
 * and what to name in it (a policy rule, or a list). */
struct icap_judgement {
	bool block;
	unsigned status;		 /* 451 or 403 */
	bool rule;			 /* name is a rule's (else a list's) */
	char name[OBJSINK_NAME_MAX];
	char category[OBJSINK_NAME_MAX];
	char notice[OBJSINK_NAME_MAX]; /* the rule's page template ("" the kind's) */
};

/* What a block page may say of the request it answers: from the
 * encapsulated request head ("" when there is none). */
struct icap_page_req {
	const char *host, *uri, *accept_language;
};

#define ICAP_DEF_TYPES                                                                  \
	"jpeg,png,gif,webp,bmp,tiff,ico,avif,heic,jxl,jp2,mp4,mov,webm,mkv,avi,zip,7z,rar," \
	"gzip,xz,zstd"

struct icap_conf {
	char istag[40];		  /* ISTag value (no quotes); changes with the lists */
	const char *istag_now;	  /* a server's current ISTag (icap_server_set_istag);
				   * NULL: istag. Set by the server, not by callers */
	unsigned preview;	  /* Preview: bytes asked for in OPTIONS (default 1024) */
	unsigned max_conns;	  /* connections served; more get the fail mode (256) */
	unsigned options_ttl;	  /* Options-TTL seconds (3600) */
	uint64_t hold_max;	  /* bytes held per transaction to echo it (16 MiB) */
	uint64_t hold_total;	  /* bytes held by all transactions (256 MiB) */
	size_t head_max;	  /* ICAP head + encapsulated headers (64 KiB) */
	unsigned idle_ms;	  /* idle keep-alive connection closed after (60 s) */
	unsigned read_ms;	  /* a message stalled this long is dropped (30 s) */
	bool fail_closed;	  /* over a limit: block (true) or 204/pass (false) */
	char types[256];	  /* sniffed types inspected whole (ICAP_DEF_TYPES) */
	bool multipart;		  /* REQMOD multipart/form-data inspected whole (true) */
	struct http_conf http;	  /* the HTTP parser of the synthetic flows */
	struct icap_backend backend;
	/* Judges each object (any server thread), with the message's
	 * X-Client-IP (the subscriber, as the proxy says; "" none); NULL: a
	 * list hit blocks with 451, naming the list (as without a policy). */
	void (*judge)(void *ctx, const struct obj_verdict *v, const char *client_ip,
		      struct icap_judgement *j);
	void *judge_ctx;
	/* The block page of j (HTML, the notice templates) into buf (size
	 * bytes): its length with *status set, or 0 for the built-in plain
	 * page. NULL: always the plain one. Any server thread. */
	size_t (*page)(void *ctx, const struct icap_judgement *j, const struct icap_page_req *r,
		       char *buf, size_t size, unsigned *status);
	void *page_ctx;
};

/* Counters of a server (all threads), approximate while it runs. */
struct icap_stats {
	uint64_t connections;	   /* accepted */
	uint64_t conns_over_limit; /* accepted past max_conns: fail mode only */
	uint64_t requests;	   /* ICAP requests parsed */
	uint64_t options, reqmod, respmod;
	uint64_t bad_requests;	   /* malformed: 400/501/505, connection closed */
	uint64_t not_found;	   /* unknown service or method for it: 404/405 */
	uint64_t preview_pass;	   /* 204 at the end of the preview */
	uint64_t passed;	   /* not media: 204 or echoed without inspection */
	uint64_t inspected;	   /* transactions fed to the HTTP parser */
	uint64_t objects;	   /* objects those produced (verdicts) */
	uint64_t blocked;	   /* answered with the 451 notice */
	uint64_t allowed;	   /* inspected and allowed */
	uint64_t continues;	   /* 100 Continue sent */
	uint64_t fail_open;	   /* limit reached: passed uninspected or unenforced */
	uint64_t fail_closed;	   /* limit reached: blocked */
	uint64_t timeouts;	   /* connections dropped mid-message */
	uint64_t idle_closed;	   /* idle keep-alive connections closed */
	uint64_t held_peak;	   /* most bytes held at once */
};

/* Fills the defaults written above; istag "0", no backend. */
void icap_conf_default(struct icap_conf *c);

/* Checks a comma-separated list of sniffed type names (sniff.h) for
 * icap_conf.types. Returns 0, or -EINVAL with the unknown name in bad. */
int icap_types_check(const char *list, char *bad, size_t badsz);

struct icap_server;

/* Binds and listens on addr (not yet serving); conf is copied, its
 * backend must outlive the server. Returns NULL with errno set. */
struct icap_server *icap_server_new(const struct icap_conf *conf, const struct sockaddr *addr,
				    socklen_t alen);

/* Serves with `threads` threads (each its own backend consumer) until
 * icap_server_stop. Returns 0 or -errno (nothing started). */
int icap_server_start(struct icap_server *s, unsigned threads);

/* Stops the threads: open transactions are dropped, their flows closed.
 * Safe to call twice. */
void icap_server_stop(struct icap_server *s);

void icap_server_stats(struct icap_server *s, struct icap_stats *st);

/* Changes the ISTag the server sends (the lists or the policy changed), so
 * proxies drop their cached verdicts. From one thread at a time, while
 * the server runs. */
void icap_server_set_istag(struct icap_server *s, const char *istag);

/* The bound port (for --listen ...:0). */
int icap_server_port(const struct icap_server *s);

void icap_server_free(struct icap_server *s);

#endif
