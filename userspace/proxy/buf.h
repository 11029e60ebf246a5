/* SPDX-License-Identifier: GPL-2.0 */
/* pbuf: the proxy's byte queue, one per direction for what was read and
 * one for what is to be written. Bytes leave from the front by moving an
 * index, never by moving memory, so a pointer into the queue stays valid
 * while the HTTP parser reads it and the hold logic releases or drops
 * bytes before it; only pbuf_reserve and pbuf_trim move or free memory,
 * and the proxy calls them only between parser calls. */
#ifndef EW_PROXY_BUF_H
#define EW_PROXY_BUF_H

#include <stddef.h>
#include <stdint.h>

struct pbuf {
	uint8_t *p;
	size_t start, len, cap; /* bytes are p[start .. start+len) */
};

static inline uint8_t *pbuf_data(const struct pbuf *b)
{
	return b->p + b->start;
}

/* The free room after the bytes, at least n bytes of it once
 * pbuf_reserve returned 0. */
static inline uint8_t *pbuf_tail(const struct pbuf *b)
{
	return b->p + b->start + b->len;
}

/* Makes room for n more bytes at the tail (moves the bytes to the front
 * or grows). Returns 0 or -ENOMEM. Invalidates pointers into b. */
int pbuf_reserve(struct pbuf *b, size_t n);

/* Appends n bytes. Returns 0 or -ENOMEM (nothing appended). Invalidates
 * pointers into b. */
int pbuf_append(struct pbuf *b, const void *p, size_t n);

/* Drops n (<= len) bytes from the front; memory stays where it is. */
void pbuf_consume(struct pbuf *b, size_t n);

/* Frees the memory of an empty buffer that grew past keep bytes (a held
 * object's). */
void pbuf_trim(struct pbuf *b, size_t keep);

void pbuf_free(struct pbuf *b);

#endif
