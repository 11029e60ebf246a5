/* SPDX-License-Identifier: GPL-2.0 */
/* Blocked-prefix syntax: "10.0.0.0/8", "2001:db8::/32", a bare address is a
 * host (/32, /128). Shared by `edgeward block` and bulk list loading; fills an
 * error struct and never prints, so tests assert exact messages. */
#ifndef EW_PREFIX_H
#define EW_PREFIX_H

#include <stddef.h>
#include <stdint.h>

struct ew_prefix {
	uint8_t family;	  /* 4 or 6 */
	uint8_t len;	  /* 0-32 or 0-128 */
	uint8_t addr[16]; /* network order; IPv4 uses addr[0..3] */
};

/* Where an error is and what it is. file is borrowed (NULL for command-line
 * input); col is 1-based within the line. */
struct prefix_error {
	const char *file;
	unsigned int line;
	unsigned int col;
	char msg[160];
};

#define PREFIX_TEXT_MAX 64 /* longer input cannot be a prefix */

/* Parses exactly the n bytes at text (no surrounding blanks) into *out.
 * Returns 0, or -EINVAL with err->msg and err->col (column within text,
 * offset by col0: the column where text starts) filled; err->file and
 * err->line are left alone. */
int prefix_parse(const char *text, size_t n, unsigned int col0, struct ew_prefix *out,
		 struct prefix_error *err);

/* Copies the first bits / 8 bytes of addr into masked with the bits past
 * len cleared; returns 1 if any of them were set. */
int prefix_mask(const uint8_t *addr, unsigned int len, unsigned int bits, uint8_t *masked);

/* Writes "file:line:col: msg" (or just msg for command-line input, line 0)
 * into buf; returns buf. */
const char *prefix_error_str(const struct prefix_error *err, char *buf, size_t size);

/* Formats p as "a.b.c.d/len" or "v6addr/len" into buf (at least 50 bytes);
 * returns buf. */
const char *prefix_str(const struct ew_prefix *p, char *buf, size_t size);

#endif
