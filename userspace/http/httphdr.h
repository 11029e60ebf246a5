/* SPDX-License-Identifier: GPL-2.0 */
/* HTTP/1.x header blocks: finds where a head ends and parses the start line
 * and the fields the object pipeline needs, with browser tolerance and
 * anomaly flags. Pure functions; used by http.c, the unit tests and the
 * fuzzer. */
#ifndef EW_HTTPHDR_H
#define EW_HTTPHDR_H

#include <stddef.h>
#include <stdint.h>

#define HH_METHOD	32
#define HH_URI		2048
#define HH_SHORT	256
#define HH_LENGTHS	4

/* http_head.doubt: framing other clients read differently */
#define HD_CL_CLOSE	0x1	/* a Content-Length some clients ignore (sign,
				 * junk, inner space, empty, name with spaces,
				 * folded, a list that disagrees): they read
				 * until close */
#define HD_TE_RAW	0x2	/* a chunked Transfer-Encoding some clients
				 * ignore (name with spaces, folded, other
				 * tokens, HTTP/1.0): they read the raw body */

struct http_head {
	int response;		/* 1: status line, 0: request line */
	int http09;		/* response without a status line */
	int major, minor;	/* version, 1.1 if unreadable */
	int status;		/* 200 if the status line has none */
	char method[HH_METHOD];
	char uri[HH_URI];
	char host[HH_SHORT];
	char content_type[HH_SHORT];
	char content_encoding[HH_SHORT];	/* all fields joined with ", " */
	char transfer_encoding[HH_SHORT];	/* all fields joined with ", " */
	char content_range[HH_SHORT];
	char etag[HH_SHORT];
	char last_modified[HH_SHORT];
	char filename[HH_SHORT];	/* Content-Disposition filename */
	char accept_language[HH_SHORT];	/* requests: the first Accept-Language */
	int64_t content_length;		/* -1: absent or unusable */
	/* every distinct Content-Length some client takes (the leading
	 * number of each list member of each field, in order), when more
	 * than one or when one is written so that other clients read the
	 * body until close instead: the readings (docs/http.md) */
	int64_t lengths[HH_LENGTHS];
	unsigned nlengths;
	unsigned doubt;			/* HD_* */
	/* the object's reading (obj_meta.reading): set by the framing when
	 * the message is read more than one way, else NULL */
	const char *reading;
	int alternate;			/* not the reading the parser follows */
	int conn_close;			/* Connection: close */
	int upgrade;			/* Upgrade field present */
	unsigned anomalies;		/* ANOM_* (object.h) */
	/* where the head lies in its stream (obj_meta.head_off, body_off):
	 * set by the framing in http.c, left 0 by httphdr_parse */
	uint64_t head_off, body_off;
};

/* Looks for the end of a header block in p[0..len): the first empty line
 * ("\n\n" or "\n\r\n", as browsers find it). Returns the block length
 * including the terminator, or 0 if the block is not complete yet. */
size_t httphdr_end(const uint8_t *p, size_t len);

/* Does p[0..len) (len >= 1) start like an HTTP response ("HTTP/", any case,
 * possibly still incomplete)? 0 means: HTTP/0.9 body. */
int httphdr_is_status(const uint8_t *p, size_t len);

/* Parses one header block p[0..len) (as delimited by httphdr_end) into *h.
 * response selects the start-line grammar. Lines end at CR, LF or CRLF;
 * lines starting with whitespace or NUL continue the previous field
 * (obs-fold); NUL bytes are dropped; fields without a colon are ignored.
 * Returns 0, or -EINVAL if there is no start line at all. */
int httphdr_parse(const uint8_t *p, size_t len, int response,
		  struct http_head *h);

/* The head p[0..len) as a client that ends lines at LF alone reads it
 * (curl): writes to out (len + 1 bytes) the lines up to the first one
 * after the start line that is empty or starts with CR, each without its
 * CR LF and ended by LF, lone CRs inside a line turned into spaces,
 * continuation lines and fields whose name holds whitespace left out;
 * httphdr_parse reads the result. *end gets the length of the head so
 * read (its body starts there). Returns the bytes written. */
size_t httphdr_lf_view(const uint8_t *p, size_t len, uint8_t *out, size_t *end);

/* Does a Transfer-Encoding value name chunked as Chromium finds it: a
 * comma-separated member that is "chunked" (any case, whitespace around)? */
int httphdr_plain_chunked(const char *v);

/* Parses "bytes FIRST-LAST/TOTAL" (TOTAL may be "*": -1). Returns 0 or
 * -EINVAL. */
int httphdr_content_range(const char *v, int64_t *first, int64_t *last,
			  int64_t *total);

/* Finds parameter name (e.g. "boundary", "filename") in a field value
 * like 'multipart/form-data; boundary="x"'. Copies the unquoted value into
 * out (NUL-terminated, truncated to outsz). Returns 0 or -ENOENT. */
int httphdr_param(const char *v, const char *name, char *out, size_t outsz);

#endif
