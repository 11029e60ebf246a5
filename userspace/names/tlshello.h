/* SPDX-License-Identifier: GPL-2.0 */
/* tlshello: the server name (SNI) of a TLS ClientHello, read from the
 * first bytes a client sent on a TCP stream. The hello may come in any
 * number of segments (the caller hands the stream so far) and TLS records
 * (its handshake message is put back together), up to TLSHELLO_MAX bytes:
 *
 *   record 22 | ver | len | handshake 1 | len24 | version random session_id
 *   cipher_suites compression extensions: ... 0 server_name: list: 0 host_name
 *
 * Never prints, never allocates: the same code serves the agent and a
 * fuzz target. */
#ifndef EW_TLSHELLO_H
#define EW_TLSHELLO_H

#include <stddef.h>
#include <stdint.h>

#define TLSHELLO_MAX  16384 /* handshake bytes put together at most */
#define TLSHELLO_NAME 256   /* a name's bytes with the NUL */

enum tlshello_result {
	TLSHELLO_MORE,	 /* a ClientHello so far: more bytes are needed */
	TLSHELLO_FOUND,	 /* the server name is in name */
	TLSHELLO_NONAME, /* a whole ClientHello without a server name */
	TLSHELLO_NOT,	 /* not a ClientHello, malformed, or longer than the cap */
};

/* Reads p[0, len), the first bytes of a client's stream. On
 * TLSHELLO_FOUND name holds the first host_name (1 to 255 bytes, visible
 * ASCII, NUL-terminated; case as sent). */
enum tlshello_result tlshello_sni(const uint8_t *p, size_t len, char name[TLSHELLO_NAME]);

/* "more", "found", "noname", "not". */
const char *tlshello_result_name(enum tlshello_result r);

#endif
