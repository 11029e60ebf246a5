// SPDX-License-Identifier: GPL-2.0
/* Prefix parsing for the blocklist: text in, (family, length, address) out.
 * Used by the CLI and the bulk loader ahead of blocklist.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "prefix.h"

static int fail(struct prefix_error *err, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct prefix_error *err, unsigned int col, const char *fmt, ...)
{
	va_list ap;

	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Length digits: 1-3 decimal digits, no sign, no leading '+'. */
static int parse_len(const char *s, size_t n, unsigned int max)
{
	unsigned int v = 0;

	if (n == 0 || n > 3)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	return v <= max ? (int)v : -1;
}

int prefix_mask(const uint8_t *addr, unsigned int len, unsigned int bits, uint8_t *masked)
{
	int dirty = 0;

	for (unsigned int i = 0; i < bits / 8; i++) {
		unsigned int keep = len > i * 8 ? len - i * 8 : 0;
		uint8_t m = keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);

		masked[i] = addr[i] & m;
		dirty |= masked[i] != addr[i];
	}
	return dirty;
}

static int parse_addr(const char *a, size_t alen, unsigned int col0, struct ew_prefix *out,
		      struct prefix_error *err)
{
	char buf[PREFIX_TEXT_MAX];

	memcpy(buf, a, alen);
	buf[alen] = '\0';
	out->family = strchr(buf, ':') ? 6 : 4;
	if (inet_pton(out->family == 6 ? AF_INET6 : AF_INET, buf, out->addr) == 1)
		return 0;
	return fail(err, col0, "invalid %s address '%s'", out->family == 6 ? "IPv6" : "IPv4", buf);
}

int prefix_parse(const char *text, size_t n, unsigned int col0, struct ew_prefix *out,
		 struct prefix_error *err)
{
	const char *slash = memchr(text, '/', n);
	size_t alen = slash ? (size_t)(slash - text) : n;
	char want[50], got[PREFIX_TEXT_MAX];
	unsigned int bits;
	uint8_t masked[16];
	int len;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return fail(err, col0, "expected a prefix");
	if (n >= PREFIX_TEXT_MAX)
		return fail(err, col0, "prefix too long (%zu characters)", n);
	if (parse_addr(text, alen, col0, out, err))
		return -EINVAL;
	bits = out->family == 6 ? 128 : 32;
	len = slash ? parse_len(slash + 1, n - alen - 1, bits) : (int)bits;
	if (len < 0)
		return fail(err, col0 + (unsigned int)alen + 1,
			    "invalid prefix length '%.*s' (IPv%u allows 0-%u)", (int)(n - alen - 1),
			    slash + 1, out->family, bits);
	out->len = (uint8_t)len;
	if (prefix_mask(out->addr, out->len, bits, masked)) {
		memcpy(out->addr, masked, bits / 8);
		snprintf(got, sizeof(got), "%.*s", (int)n, text);
		return fail(err, col0, "host bits set in '%s' (did you mean %s?)", got,
			    prefix_str(out, want, sizeof(want)));
	}
	return 0;
}

const char *prefix_error_str(const struct prefix_error *err, char *buf, size_t size)
{
	if (err->line)
		snprintf(buf, size, "%s:%u:%u: %s", err->file ? err->file : "-", err->line,
			 err->col, err->msg);
	else
		snprintf(buf, size, "%s", err->msg);
	return buf;
}

const char *prefix_str(const struct ew_prefix *p, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 6 ? AF_INET6 : AF_INET, p->addr, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, p->len);
	return buf;
}
