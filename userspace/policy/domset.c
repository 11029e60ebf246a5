// SPDX-License-Identifier: GPL-2.0
/* domset: domain names normalised (libidn2 for internationalised names)
 * and the exact and wildcard tables. */
#include <errno.h>
#include <idn2.h>
#include <stdlib.h>
#include <string.h>

#include "domset.h"

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* The ASCII form of a name with non-ASCII bytes, into out. Returns 0 or
 * -EINVAL with *why (libidn2's reason). */
static int to_ascii(const char *name, size_t len, char *out, size_t *outlen, const char **why)
{
	char in[DOMAIN_MAX * 4 + 1], *a = NULL;
	int rc;

	if (len >= sizeof(in)) {
		*why = "longer than 253 characters";
		return -EINVAL;
	}
	memcpy(in, name, len);
	in[len] = '\0';
	rc = idn2_to_ascii_8z(in, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK) {
		*why = idn2_strerror(rc);
		return -EINVAL;
	}
	*outlen = strlen(a);
	if (*outlen > DOMAIN_MAX) {
		idn2_free(a);
		*why = "longer than 253 characters";
		return -EINVAL;
	}
	memcpy(out, a, *outlen + 1);
	idn2_free(a);
	return 0;
}

/* Labels of letters, digits, '-' and '_', 1..63 bytes each. */
static int check_labels(const char *s, size_t len, const char **why)
{
	size_t label = 0;

	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (!label) {
				*why = "an empty label";
				return -EINVAL;
			}
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			   c == '_') {
			if (++label > 63) {
				*why = "a label longer than 63 characters";
				return -EINVAL;
			}
		} else {
			*why = "a character other than letters, digits, '-', '_' and '.'";
			return -EINVAL;
		}
	}
	return 0;
}

int domain_normalize(const char *name, size_t len, char *out, size_t *outlen, bool *wildcard,
		     const char **why)
{
	*wildcard = len >= 2 && name[0] == '*' && name[1] == '.';
	if (*wildcard)
		name += 2, len -= 2;
	if (len && name[len - 1] == '.')
		len--;
	if (!len) {
		*why = "no name";
		return -EINVAL;
	}
	if (!ascii(name, len)) {
		if (to_ascii(name, len, out, outlen, why))
			return -EINVAL;
	} else if (len > DOMAIN_MAX) {
		*why = "longer than 253 characters";
		return -EINVAL;
	} else {
		memcpy(out, name, len);
		out[len] = '\0';
		*outlen = len;
	}
	for (size_t i = 0; i < *outlen; i++)
		out[i] = lower(out[i]);
	return check_labels(out, *outlen, why);
}

size_t domain_key(const char *name, size_t len, bool host, char *out)
{
	const char *why;
	size_t n;

	if (host && len && name[0] != '[') { /* "host:port"; "[v6]:port" matches nothing */
		const char *colon = memchr(name, ':', len);

		if (colon)
			len = (size_t)(colon - name);
	}
	if (len && name[len - 1] == '.')
		len--;
	if (!ascii(name, len) && !to_ascii(name, len, out, &n, &why))
		len = n;
	else if (len > DOMAIN_MAX)
		return 0;
	else
		memcpy(out, name, len);
	for (size_t i = 0; i < len; i++)
		out[i] = lower(out[i]);
	out[len] = '\0';
	return len;
}

int domset_add(struct domset *s, struct bitpool *bp, const char *name, size_t len, bool wildcard,
	       unsigned bit)
{
	struct strmap *m = wildcard ? &s->wild : &s->exact;
	uint32_t id = 0;
	int err;

	strmap_get(m, name, len, &id);
	if ((err = bitpool_add_bit(bp, id, bit, &id)))
		return err;
	err = strmap_put(m, name, len, id, NULL);
	return err < 0 ? err : 0;
}

void domset_lookup(const struct domset *s, const struct bitpool *bp, const char *key, size_t len,
		   struct polbits *out)
{
	uint32_t id;

	if (!len)
		return;
	if (strmap_get(&s->exact, key, len, &id))
		polbits_or(out, bitpool_get(bp, id));
	if (!s->wild.n)
		return;
	for (size_t i = 0; i < len; i++) /* every proper suffix after a dot */
		if (key[i] == '.' && strmap_get(&s->wild, key + i + 1, len - i - 1, &id))
			polbits_or(out, bitpool_get(bp, id));
}

size_t domset_entries(const struct domset *s)
{
	return s->exact.n + s->wild.n;
}

void domset_free(struct domset *s)
{
	strmap_free(&s->exact);
	strmap_free(&s->wild);
}
