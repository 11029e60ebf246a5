/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of the ICAP message parser shared by icapmsg.c (framing:
 * head, header blocks, chunked body) and icaphead.c (the head's request
 * line and fields, the Encapsulated list). Not an interface. */
#ifndef EW_ICAPINT_H
#define EW_ICAPINT_H

#include "icapmsg.h"

/* Fills e (status 400 unless changed) from a printf format. Returns
 * -EINVAL. */
int icap_fail(struct icap_err *e, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copies up to n bytes of p into out (size outsz) for a message, with
 * bytes outside printable ASCII as \xNN, cut with "..." when long. */
void icap_quote(char *out, size_t outsz, const uint8_t *p, size_t n);

/* Parses the ICAP head p[0..len) (request line, fields, the empty line)
 * into m: method, uri, service, Preview, Allow, Connection, X-Client-IP,
 * Encapsulated. Returns 0 or -EINVAL with e filled. */
int icaphead_parse(const uint8_t *p, size_t len, struct icap_msg *m, struct icap_err *e);

#endif
