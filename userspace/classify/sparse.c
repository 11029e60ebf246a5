// SPDX-License-Identifier: GPL-2.0
/* sparse: mostly-zero blocks kept as their non-zero words. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sparse.h"

struct sparse {
	uint16_t len;
	uint8_t b[]; /* the map, (words + 7) / 8 bytes, then the words */
};

_Static_assert(SPARSE_LEN_MAX <= UINT16_MAX, "len would overflow");

struct sparse *sparse_pack(const void *p, size_t len)
{
	const uint64_t *w = p;
	size_t words = len / 8, map = (words + 7) / 8, nz = 0;
	uint8_t bits[SPARSE_LEN_MAX / 64] = {0};
	uint64_t kept[SPARSE_LEN_MAX / 8];
	struct sparse *s;

	if (len % 8 || len > SPARSE_LEN_MAX || (uintptr_t)p % 8) {
		errno = EINVAL;
		return NULL;
	}
	/* one pass into the stack, then one exactly sized copy */
	for (size_t i = 0; i < words; i++) {
		if (!w[i])
			continue;
		bits[i / 8] |= (uint8_t)(1u << i % 8);
		kept[nz++] = w[i];
	}
	s = malloc(sizeof(*s) + map + nz * 8);
	if (!s)
		return NULL;
	s->len = (uint16_t)len;
	memcpy(s->b, bits, map);
	memcpy(s->b + map, kept, nz * 8);
	return s;
}

int sparse_unpack(const struct sparse *s, void *p, size_t len)
{
	uint64_t *w = p;
	size_t words = len / 8;
	const uint8_t *in;

	if (len != s->len)
		return -EINVAL;
	in = s->b + (words + 7) / 8;
	for (size_t i = 0; i < words; i++) {
		if (s->b[i / 8] & 1u << i % 8) {
			memcpy(&w[i], in, 8);
			in += 8;
		} else {
			w[i] = 0;
		}
	}
	return 0;
}

void sparse_free(struct sparse *s)
{
	free(s);
}
