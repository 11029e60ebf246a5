// SPDX-License-Identifier: GPL-2.0
/* pbuf: the proxy's byte queues (buf.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int pbuf_reserve(struct pbuf *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->cap - b->start - b->len >= n)
		return 0;
	if (b->start) {
		memmove(b->p, b->p + b->start, b->len);
		b->start = 0;
		if (b->cap - b->len >= n)
			return 0;
	}
	cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int pbuf_append(struct pbuf *b, const void *p, size_t n)
{
	if (!n)
		return 0;
	if (pbuf_reserve(b, n))
		return -ENOMEM;
	memcpy(pbuf_tail(b), p, n);
	b->len += n;
	return 0;
}

void pbuf_consume(struct pbuf *b, size_t n)
{
	if (n > b->len)
		n = b->len;
	b->start += n;
	b->len -= n;
	if (!b->len)
		b->start = 0;
}

void pbuf_trim(struct pbuf *b, size_t keep)
{
	if (b->len || b->cap <= keep)
		return;
	free(b->p);
	b->p = NULL;
	b->cap = 0;
	b->start = 0;
}

void pbuf_free(struct pbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
