/* SPDX-License-Identifier: GPL-2.0 */
/* ICAP message parser (RFC 3507), the first step of the ICAP server: turns
 * the bytes of one client connection into messages, one after another
 * (keep-alive, pipelining): the ICAP head, the encapsulated HTTP header
 * blocks found by the Encapsulated offsets, and the de-chunked
 * encapsulated body with its preview end and ieof.
 *
 *   connection bytes ─▶ icapmsg ─▶ HEAD, BODY..., [PREVIEW_END, BODY...], END
 *                                   (icapxact decides, feeds the HTTP parser)
 *
 * Pure: no I/O, no printing; malformed input fills an error (ICAP status
 * and a message quoting the input) and the parser stops. Used by the
 * server, the unit tests and the fuzz target. */
#ifndef EW_ICAPMSG_H
#define EW_ICAPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICAP_HEAD_MAX	 65536 /* ICAP head plus encapsulated headers, default */
#define ICAP_URI_MAX	 1024
#define ICAP_SVC_MAX	 64
#define ICAP_LINE_MAX	 1024 /* chunk size lines and trailer lines */

enum icap_method {
	ICAP_OPTIONS,
	ICAP_REQMOD,
	ICAP_RESPMOD,
};

/* The last Encapsulated entry: what body follows the header blocks. */
enum icap_body {
	ICAP_NULL_BODY,
	ICAP_REQ_BODY,
	ICAP_RES_BODY,
	ICAP_OPT_BODY,
};

/* One ICAP request's head. The header blocks are owned by the parser and
 * valid until the next message begins (the END event's next call). */
struct icap_msg {
	enum icap_method method;
	char uri[ICAP_URI_MAX];	       /* as sent (cut to fit) */
	char service[ICAP_SVC_MAX];    /* last path segment of uri, "" if none */
	int64_t preview;	       /* Preview: bytes, -1 without the header */
	bool allow204;		       /* Allow: 204 */
	bool conn_close;	       /* Connection: close */
	char client_ip[64];	       /* X-Client-IP, "" if absent */
	/* Encapsulated offsets into hdrs, -1 when absent; body_off is the
	 * offset of the body entry (== hdrs_len). */
	int64_t req_hdr, res_hdr, body_off;
	enum icap_body body;
	const uint8_t *hdrs;
	size_t hdrs_len;
};

/* The encapsulated request or response header block of m, or NULL. */
const uint8_t *icap_msg_req_hdr(const struct icap_msg *m, size_t *len);
const uint8_t *icap_msg_res_hdr(const struct icap_msg *m, size_t *len);

struct icap_err {
	int status;	  /* ICAP status to answer: 400, 501 (unknown method), 505 */
	char msg[256];	  /* what was wrong, quoting the input */
};

enum icap_ev {
	ICAP_EV_NEED,	     /* all input consumed, no event: feed more */
	ICAP_EV_HEAD,	     /* icap_parser_msg() is complete */
	ICAP_EV_BODY,	     /* data, len: body bytes (de-chunked) */
	ICAP_EV_PREVIEW_END, /* the preview ended without ieof: the client
			      * waits for 100 Continue (or a final answer) */
	ICAP_EV_END,	     /* the message ended; ieof says it ended inside
			      * the preview; the next bytes are a new message */
	ICAP_EV_ERROR,	     /* icap_parser_err(); nothing more is parsed */
};

struct icap_event {
	enum icap_ev type;
	const uint8_t *data; /* ICAP_EV_BODY: points into the input */
	size_t len;
	bool ieof;	     /* ICAP_EV_END: "0; ieof" ended the body */
};

struct icap_parser;

/* A parser for one connection. head_max caps the ICAP head and the
 * encapsulated headers (0: ICAP_HEAD_MAX). Returns NULL with errno set. */
struct icap_parser *icap_parser_new(size_t head_max);
void icap_parser_free(struct icap_parser *ps);

/* Consumes bytes of p[0..len) up to the next event and describes it in
 * *ev. Returns the bytes consumed (0 is possible: an event that needed no
 * input). Call again with the rest until ICAP_EV_NEED. */
size_t icap_parse(struct icap_parser *ps, const uint8_t *p, size_t len, struct icap_event *ev);

/* After ICAP_EV_PREVIEW_END, when the server answered the preview with a
 * final answer (204, or a block): the message is over, the client sends
 * no more of it, and the next bytes begin a new message. */
void icap_parser_next(struct icap_parser *ps);

/* The current message (after ICAP_EV_HEAD) and the error (after
 * ICAP_EV_ERROR). */
const struct icap_msg *icap_parser_msg(const struct icap_parser *ps);
const struct icap_err *icap_parser_err(const struct icap_parser *ps);

/* True between messages: no byte of the next message consumed yet. */
bool icap_parser_idle(const struct icap_parser *ps);

/* Body bytes and messages parsed so far (for the fuzz target's checks). */
uint64_t icap_parser_body_bytes(const struct icap_parser *ps);

const char *icap_method_name(enum icap_method m);

#endif
