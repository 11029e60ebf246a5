// SPDX-License-Identifier: GPL-2.0
/* privacy: pseudonyms and no-history clients in event lines (privacy.h).
 * Works on the line's text: a member "client":"<address>" is found as the
 * bytes `,"client":"` or `{"client":"`, which can only be a key (a quote
 * inside a JSON string is always escaped). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "logmac.h"
#include "privacy.h"

#define KEY "\"client\":\""
#define KEYLEN (sizeof(KEY) - 1)

struct privacy {
	struct logmac *mac; /* NULL: no pseudonyms */
	struct privacy_prefix *nh;
	size_t n;
	bool (*hook)(void *ctx, const uint8_t addr[16]);
	void *hook_ctx;
	struct eventlog_filter f;
};

struct privacy *privacy_new(const uint8_t *key, size_t key_len, const struct privacy_prefix *nh,
			    size_t n)
{
	struct privacy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if ((n && !key) || (key && !(p->mac = logmac_new(key, key_len))) ||
	    (n && !(p->nh = malloc(n * sizeof(*nh))))) {
		int err = n && !key ? EINVAL : ENOMEM;

		privacy_free(p);
		errno = err;
		return NULL;
	}
	if (n)
		memcpy(p->nh, nh, n * sizeof(*nh));
	p->n = n;
	p->f = (struct eventlog_filter){.apply = privacy_apply, .ctx = p};
	return p;
}

void privacy_free(struct privacy *p)
{
	if (!p)
		return;
	logmac_free(p->mac);
	free(p->nh);
	free(p);
}

const struct eventlog_filter *privacy_filter(struct privacy *p)
{
	return &p->f;
}

static bool in_prefix(const struct privacy_prefix *pf, const uint8_t a[16])
{
	unsigned full = pf->bits / 8, rest = pf->bits % 8;

	if (memcmp(pf->addr, a, full))
		return false;
	return !rest || !((pf->addr[full] ^ a[full]) & (uint8_t)(0xff00 >> rest));
}

void privacy_set_hook(struct privacy *p, bool (*fn)(void *ctx, const uint8_t addr[16]),
		      void *ctx)
{
	p->hook = fn;
	p->hook_ctx = ctx;
}

bool privacy_no_history(const struct privacy *p, const uint8_t addr[16])
{
	for (size_t i = 0; i < p->n; i++)
		if (in_prefix(&p->nh[i], addr))
			return true;
	return p->hook && p->hook(p->hook_ctx, addr);
}

void privacy_pseudonym(struct privacy *p, const uint8_t addr[16], char *out)
{
	uint8_t mac[LOGMAC_LEN];

	memcpy(out, "anon-", 5);
	if (logmac_hmac(p->mac, addr, 16, mac))
		memset(mac, 0, sizeof(mac));
	hex_encode(mac, 8, out + 5);
}

/* An address as the log writes it (dotted quad or IPv6 text) -> 16 bytes. */
static bool parse_addr(const char *s, size_t n, uint8_t a[16])
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(a, 0, 16);
	if (inet_pton(AF_INET, buf, a + 12) == 1) {
		a[10] = a[11] = 0xff;
		return true;
	}
	return inet_pton(AF_INET6, buf, a) == 1;
}

struct client {
	size_t at, len; /* the address's text in the line */
	uint8_t a[16];
};

/* The next "client" member from *pos on whose value is an address. */
static bool next_client(const char *line, size_t len, size_t *pos, struct client *c)
{
	const char *p = line + *pos, *end = line + len;

	while ((p = memmem(p, (size_t)(end - p), KEY, KEYLEN))) {
		const char *v = p + KEYLEN, *q = v;

		while (q < end && *q != '"')
			q++;
		if (p > line && (p[-1] == ',' || p[-1] == '{') && q < end &&
		    parse_addr(v, (size_t)(q - v), c->a)) {
			c->at = (size_t)(v - line);
			c->len = (size_t)(q - v);
			*pos = (size_t)(q - line);
			return true;
		}
		p = v;
	}
	return false;
}

static bool put(char *out, size_t cap, size_t *o, const void *p, size_t n)
{
	if (*o + n > cap)
		return false;
	memcpy(out + *o, p, n);
	*o += n;
	return true;
}

/* Does the line name a client of a no-history prefix? Has it any? */
static bool scan(const struct privacy *p, const char *line, size_t len, bool *any)
{
	struct client c;
	size_t pos = 0;
	bool nh = false;

	*any = false;
	while (next_client(line, len, &pos, &c)) {
		*any = true;
		nh |= privacy_no_history(p, c.a);
	}
	return nh;
}

int privacy_apply(void *ctx, const char *line, size_t len, char *out, size_t cap,
		  size_t *outlen)
{
	static const char group[] = "\"group\":null", nogroup[] = "\"group\":\"no_history\"";
	struct privacy *p = ctx;
	struct client c;
	size_t pos = 0, from = 0, o = 0;
	bool any, block = len > 16 && !memcmp(line, "{\"event\":\"block\"", 16);
	bool nh = scan(p, line, len, &any);
	char ps[PRIVACY_PSEUDO_LEN + 1];

	*outlen = 0;
	if (nh && !block)
		return 1; /* no per-subscriber record for this group */
	if (!any || !p->mac)
		return 0;
	while (next_client(line, len, &pos, &c)) {
		privacy_pseudonym(p, c.a, ps);
		if (!put(out, cap, &o, line + from, c.at - from) ||
		    !put(out, cap, &o, ps, PRIVACY_PSEUDO_LEN))
			return 1; /* no room: dropped rather than leaked */
		from = c.at + c.len;
	}
	for (const char *g; nh && (g = memmem(line + from, len - from, group, sizeof(group) - 1));) {
		size_t at = (size_t)(g - line);

		if (!put(out, cap, &o, line + from, at - from) ||
		    !put(out, cap, &o, nogroup, sizeof(nogroup) - 1))
			return 1;
		from = at + sizeof(group) - 1;
	}
	if (!put(out, cap, &o, line + from, len - from))
		return 1;
	*outlen = o;
	return 0;
}
