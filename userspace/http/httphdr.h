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
	int64_t alt_length;		/* Firefox's reading of an unusable
					 * list ("34 68": 34), else -1 */
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

/* Parses "bytes FIRST-LAST/TOTAL" (TOTAL may be "*": -1). Returns 0 or
 * -EINVAL. */
int httphdr_content_range(const char *v, int64_t *first, int64_t *last,
			  int64_t *total);

/* Finds parameter name (e.g. "boundary", "filename") in a field value
 * like 'multipart/form-data; boundary="x"'. Copies the unquoted value into
 * out (NUL-terminated, truncated to outsz). Returns 0 or -ENOENT. */
int httphdr_param(const char *v, const char *name, char *out, size_t outsz);

#endif
