// SPDX-License-Identifier: GPL-2.0
/* Elias-Fano coded bucket tables of the PDQ index (layout in pdqef.h). */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pdqef.h"

static size_t words(size_t bits)
{
	return bits / 64 + 2;	/* a spare word for the 8-byte reads */
}

/* Total bits for low width l: m values of l + 1 bits, z zeros per bucket. */
static size_t cost(size_t m, unsigned nb, uint32_t universe, unsigned l)
{
	uint32_t z = universe ? (uint32_t)((universe - 1ull) >> l) : 0;

	return m * (l + 1) + (size_t)nb * z;
}

static unsigned best_l(size_t m, unsigned nb, uint32_t universe)
{
	unsigned best = 0;

	for (unsigned l = 1; l < 32; l++)
		if (cost(m, nb, universe, l) < cost(m, nb, universe, best))
			best = l;
	return best;
}

int pdqef_plan(struct pdqef *t, unsigned nb, const uint32_t *len, uint32_t universe)
{
	size_t m = 0;

	memset(t, 0, sizeof(*t));
	t->nb = nb;
	t->dir = malloc((nb + 1ull) * sizeof(*t->dir));
	if (!t->dir)
		return -ENOMEM;
	for (unsigned v = 0; v < nb; v++) {
		t->dir[v] = (uint32_t)m;
		m += len[v];
	}
	t->dir[nb] = (uint32_t)m;
	t->l = best_l(m, nb, universe);
	t->z = universe ? (uint32_t)((universe - 1ull) >> t->l) : 0;
	t->low_words = words(m * t->l);
	t->high_words = words(m + (size_t)nb * t->z);
	return 0;
}

size_t pdqef_words(const struct pdqef *t)
{
	return t->low_words + t->high_words;
}

void pdqef_place(struct pdqef *t, uint64_t *mem)
{
	t->low = mem;
	t->high = mem + t->low_words;
}

void pdqef_put(struct pdqef *t, unsigned v, uint32_t i, uint32_t x)
{
	size_t lo = (size_t)(t->dir[v] + i) * t->l;
	size_t hb = t->dir[v] + (size_t)v * t->z + (x >> t->l) + i;
	uint64_t low = x & (t->l ? ~0u >> (32 - t->l) : 0);

	t->high[hb / 64] |= 1ull << (hb % 64);
	if (!t->l)
		return;
	t->low[lo / 64] |= low << (lo % 64);
	if (lo % 64 + t->l > 64)
		t->low[lo / 64 + 1] |= low >> (64 - lo % 64);
}

void pdqef_seal(struct pdqef *t)
{
	for (size_t i = 0; i < t->low_words; i++)
		t->low[i] = htole64(t->low[i]);
}

size_t pdqef_memory(const struct pdqef *t)
{
	return (t->nb + 1ull) * sizeof(*t->dir) + pdqef_words(t) * sizeof(uint64_t);
}

void pdqef_free(struct pdqef *t)
{
	free(t->dir);
	memset(t, 0, sizeof(*t));
}
