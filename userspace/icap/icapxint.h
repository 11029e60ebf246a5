/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of ICAP transactions shared by icapxact.c (the state of a
 * message: sniff, pass, inspect, hold, answer), icapfeed.c (the synthetic
 * flow through the HTTP parser) and icapresp.c (the answers). Not an
 * interface. */
#ifndef EW_ICAPXINT_H
#define EW_ICAPXINT_H

#include "http/decode.h"
#include "icapmsg.h"
#include "icapxact.h"
#include "object/sniff.h"

#define CNT(sh, f) __atomic_add_fetch(&(sh)->st.f, 1, __ATOMIC_RELAXED)

/* The synthetic flow of one inspected message. */
struct icap_feed {
	struct flow_info fi;  /* the synthetic flow: ICAP client, server */
	void *flow;	      /* the HTTP parser's, NULL when not open */
	enum { F_CL, F_CHUNKED, F_CLOSE } framing;
	int dir;	      /* enum stream_dir of the body */
	int64_t cl_left;      /* F_CL: body bytes the head announced, still due */
	uint64_t ts;
};

enum tx_mode {
	TX_NONE,    /* no message */
	TX_SNIFF,   /* keeping the first bytes to decide */
	TX_INSPECT, /* fed to the HTTP parser; held when the echo may be needed */
	TX_PASS,    /* 204 at the end; the body is read and dropped */
	TX_STREAM,  /* 200 sent with the head: the body is echoed as it comes */
	TX_REFUSE,  /* the notice at the end (fail-closed) */
	TX_STATUS,  /* a status-only answer at the end (OPTIONS, 404, 405) */
	TX_DONE,    /* answered at the preview: nothing more comes */
};

struct icap_tx {
	enum tx_mode mode;
	const struct icap_msg *m;
	bool reqmod;
	bool in_preview;	/* the preview has not ended yet */
	bool ended;		/* the whole body is here */
	bool ieof;		/* it ended inside the preview */
	bool answered;		/* an answer has begun (TX_STREAM) */
	int status;		/* TX_STATUS: 200 (OPTIONS), 404, 405 */
	/* TX_SNIFF: the raw first bytes, and their decoded start */
	uint8_t *first;
	size_t nfirst;
	struct decoder *dec;
	uint8_t sniff[SNIFF_LEN];
	size_t nsniff;
	/* TX_INSPECT */
	struct icap_feed feed;
	bool hold;		/* keep the body to echo it */
	uint8_t *held;
	size_t nheld, capheld;
	/* the verdicts */
	unsigned objects, hits;	/* hits: objects judged blocked */
	struct icap_judgement j; /* the first of those */
};

struct icap_thread {
	struct icap_shared *sh;
	void *handle;		/* the backend's */
	struct http_ctx *http;
	struct icap_tx *cur;	/* whose flow is being fed (verdicts) */
};

struct icap_conn {
	struct icap_thread *t;
	struct icap_peer peer;
	bool over_limit;
	struct icap_parser *ps;
	struct icap_tx tx;
	char error[256];
};

/* icapfeed.c */

/* Opens tx's flow and feeds the encapsulated heads (framing fixed so
 * the body as the ICAP client de-chunked it reads right). Returns 0 or
 * -errno (not inspected). */
int feed_open(struct icap_conn *c, struct icap_tx *tx);
/* Feeds body bytes. */
void feed_body(struct icap_conn *c, struct icap_tx *tx, const uint8_t *p, size_t n);
/* Ends and closes the flow; the verdicts land in tx. complete: the whole
 * body came (else the objects end truncated). */
void feed_close(struct icap_conn *c, struct icap_tx *tx, bool complete);

/* icapresp.c: answers, appended to out */

int out_put(struct icap_out *o, const void *p, size_t n);
int out_fmt(struct icap_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A status-only answer (204, 400, 404, 405, 501, 505). */
void resp_status(struct icap_out *o, const struct icap_conf *c, int status, bool close);
void resp_continue(struct icap_out *o);
/* OPTIONS for service svc ("respmod" or "reqmod"). */
void resp_options(struct icap_out *o, const struct icap_conf *c, const char *svc);
/* 200 with the client's encapsulated head; the body follows as chunks
 * (has_body) or none. */
void resp_echo_head(struct icap_out *o, const struct icap_conf *c, const struct icap_msg *m,
		    bool has_body);
void resp_chunk(struct icap_out *o, const uint8_t *p, size_t n);
void resp_last_chunk(struct icap_out *o);
/* 200 with an HTTP notice (j->status: 451 or 403): the page c->page
 * renders for j and m's encapsulated request, else a plain one naming the
 * rule or list and the category ("-" when nothing was judged: a
 * fail-closed limit). */
void resp_block(struct icap_out *o, const struct icap_conf *c, const struct icap_judgement *j,
		const struct icap_msg *m);

#endif
