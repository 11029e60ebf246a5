// SPDX-License-Identifier: GPL-2.0
/* tlshello: ClientHello server names (tlshello.h). Records are checked
 * and their handshake bytes put together first; the hello is then read
 * through a bounded cursor, every length checked against what is left. */
#include <string.h>

#include "tlshello.h"

#define REC_HDR	      5
#define REC_MAX	      (16384 + 2048) /* TLSCiphertext's bound: plaintext is less */
#define HANDSHAKE     22
#define CLIENT_HELLO  1
#define EXT_SNI	      0
#define SNI_HOST_NAME 0

struct cur {
	const uint8_t *p;
	size_t left;
	int bad;
};

static uint32_t take(struct cur *c, size_t n)
{
	uint32_t v = 0;

	if (c->bad || c->left < n) {
		c->bad = 1;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v = v << 8 | c->p[i];
	c->p += n;
	c->left -= n;
	return v;
}

/* Skips a vector whose length takes lbytes; returns a cursor over it. */
static struct cur vec(struct cur *c, size_t lbytes)
{
	size_t n = take(c, lbytes);
	struct cur v = {c->p, n, c->bad || c->left < n};

	if (v.bad)
		c->bad = 1;
	else
		take(c, n);
	return v;
}

/* The server_name extension's body: the first host_name. */
static enum tlshello_result host_name(struct cur ext, char *name)
{
	struct cur list = vec(&ext, 2);

	while (!list.bad && list.left) {
		uint32_t type = take(&list, 1);
		struct cur n = vec(&list, 2);

		if (n.bad)
			break;
		if (type != SNI_HOST_NAME)
			continue;
		if (n.left == 0 || n.left >= TLSHELLO_NAME)
			return TLSHELLO_NOT;
		for (size_t i = 0; i < n.left; i++)
			if (n.p[i] <= 0x20 || n.p[i] >= 0x7f)
				return TLSHELLO_NOT;
		memcpy(name, n.p, n.left);
		name[n.left] = '\0';
		return TLSHELLO_FOUND;
	}
	return list.bad ? TLSHELLO_NOT : TLSHELLO_NONAME;
}

/* The ClientHello body, whole. */
static enum tlshello_result hello(struct cur c, char *name)
{
	struct cur exts;

	take(&c, 2 + 32); /* legacy_version, random */
	vec(&c, 1);	  /* legacy_session_id */
	vec(&c, 2);	  /* cipher_suites */
	vec(&c, 1);	  /* legacy_compression_methods */
	if (c.bad)
		return TLSHELLO_NOT;
	if (!c.left)
		return TLSHELLO_NONAME; /* no extensions at all */
	exts = vec(&c, 2);
	while (!exts.bad && exts.left) {
		uint32_t type = take(&exts, 2);
		struct cur ext = vec(&exts, 2);

		if (!ext.bad && type == EXT_SNI)
			return host_name(ext, name);
	}
	return exts.bad || c.bad ? TLSHELLO_NOT : TLSHELLO_NONAME;
}

/* Puts the handshake bytes of the records in p[0, len) together in hs
 * (at most TLSHELLO_MAX); returns how many, or -1 when a record is not a
 * handshake record. */
static long gather(const uint8_t *p, size_t len, uint8_t *hs)
{
	size_t pos = 0, n = 0;

	while (pos + REC_HDR <= len && n < TLSHELLO_MAX) {
		size_t rl = (size_t)p[pos + 3] << 8 | p[pos + 4], got;

		if (p[pos] != HANDSHAKE || p[pos + 1] != 3 || p[pos + 2] > 4 || !rl || rl > REC_MAX)
			return -1;
		pos += REC_HDR;
		got = len - pos < rl ? len - pos : rl;
		if (got > TLSHELLO_MAX - n)
			got = TLSHELLO_MAX - n;
		memcpy(hs + n, p + pos, got);
		n += got;
		pos += got;
	}
	if (pos < len && pos + REC_HDR > len && p[pos] != HANDSHAKE)
		return -1;
	return (long)n;
}

enum tlshello_result tlshello_sni(const uint8_t *p, size_t len, char name[TLSHELLO_NAME])
{
	uint8_t hs[TLSHELLO_MAX];
	long n = gather(p, len, hs);
	size_t body;

	if ((len && p[0] != HANDSHAKE) || n < 0)
		return TLSHELLO_NOT;
	if (n < 4)
		return TLSHELLO_MORE;
	if (hs[0] != CLIENT_HELLO)
		return TLSHELLO_NOT;
	body = (size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3];
	if (body + 4 > TLSHELLO_MAX)
		return TLSHELLO_NOT;
	if ((size_t)n < body + 4)
		return TLSHELLO_MORE;
	return hello((struct cur){hs + 4, body, 0}, name);
}

const char *tlshello_result_name(enum tlshello_result r)
{
	static const char *const names[] = {"more", "found", "noname", "not"};

	return r <= TLSHELLO_NOT ? names[r] : "?";
}
