/* SPDX-License-Identifier: GPL-2.0 */
/* Lower-case hex, both ways: digests in events, keys in files, list
 * entries. */
#ifndef EW_UTIL_HEX_H
#define EW_UTIL_HEX_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/* The value of hex digit c (either case), or -1. */
static inline int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Writes the n bytes of d as 2n lower-case digits and a NUL to out. */
static inline void hex_encode(const uint8_t *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Reads n bytes into d from the 2n digits at s (either case). Returns 0,
 * or -EINVAL at the first character that is not a digit (s may end early:
 * its NUL is not a digit). */
static inline int hex_decode(const char *s, size_t n, uint8_t *d)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit((unsigned char)s[2 * i]);
		int lo = hi < 0 ? -1 : hex_digit((unsigned char)s[2 * i + 1]);

		if (lo < 0)
			return -EINVAL;
		d[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

#endif
