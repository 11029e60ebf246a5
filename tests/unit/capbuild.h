/* SPDX-License-Identifier: GPL-2.0 */
/* Test helper: writes small pcap and pcapng files in memory, field by
 * field, in either byte order, for test_pcapfile. Header-only; needs
 * cmocka's assert_true. */
#ifndef EW_TESTS_CAPBUILD_H
#define EW_TESTS_CAPBUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct buf {
	uint8_t d[4096];
	size_t n;
	bool be;    /* fields big-endian */
	size_t blk; /* the open pcapng block */
};

static inline void put(struct buf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->d));
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static inline void put_uint(struct buf *b, uint64_t v, int bytes)
{
	uint8_t x[8];

	for (int i = 0; i < bytes; i++)
		x[i] = (uint8_t)(v >> 8 * (b->be ? bytes - 1 - i : i));
	put(b, x, (size_t)bytes);
}

#define put8(b, v)  put_uint(b, v, 1)
#define put16(b, v) put_uint(b, v, 2)
#define put32(b, v) put_uint(b, v, 4)
#define put64(b, v) put_uint(b, v, 8)

static inline void blk_begin(struct buf *b, uint32_t type)
{
	b->blk = b->n;
	put32(b, type);
	put32(b, 0);
}

static inline void blk_end(struct buf *b)
{
	size_t at;

	while (b->n % 4)
		put8(b, 0);
	at = b->n;
	b->n = b->blk + 4;
	put32(b, at + 4 - b->blk);
	b->n = at;
	put32(b, at + 4 - b->blk);
}

static inline void ng_shb(struct buf *b, bool be)
{
	b->be = be;
	blk_begin(b, 0x0a0d0d0a);
	put32(b, 0x1a2b3c4d);
	put16(b, 1);
	put16(b, 0);
	put64(b, ~0ull);
	put16(b, 4); /* shb_userappl, to have an option */
	put16(b, 4);
	put(b, "test", 4);
	put32(b, 0);
	blk_end(b);
}

/* An interface; tsresol < 0: none (microseconds); tsoff: if_tsoffset, if
 * not 0. */
static inline void ng_idb(struct buf *b, uint16_t lt, uint32_t snap, int tsresol, int64_t tsoff)
{
	blk_begin(b, 1);
	put16(b, lt);
	put16(b, 0);
	put32(b, snap);
	put16(b, 2); /* if_name */
	put16(b, 3);
	put(b, "lo\0\0", 4);
	if (tsresol >= 0) {
		put16(b, 9);
		put16(b, 1);
		put32(b, (uint32_t)tsresol << (b->be ? 24 : 0));
	}
	if (tsoff) {
		put16(b, 14);
		put16(b, 8);
		put64(b, (uint64_t)tsoff);
	}
	put32(b, 0);
	blk_end(b);
}

static inline void frame_bytes(struct buf *b, uint32_t n, unsigned seed)
{
	for (uint32_t i = 0; i < n; i++)
		put8(b, (seed * 31 + i * 7) & 0xff);
}

/* An EPB (type 6) or an obsolete PB (type 2) of caplen bytes. */
static inline void ng_pkt(struct buf *b, uint32_t type, uint32_t ifid, uint64_t ts, uint32_t caplen,
			  uint32_t len)
{
	blk_begin(b, type);
	if (type == 2) {
		put16(b, ifid);
		put16(b, 0);
	} else {
		put32(b, ifid);
	}
	put32(b, ts >> 32);
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, len);
	frame_bytes(b, caplen, (unsigned)ts);
	blk_end(b);
}

static inline void ng_spb(struct buf *b, uint32_t len, uint32_t stored)
{
	blk_begin(b, 3);
	put32(b, len);
	frame_bytes(b, stored, len);
	blk_end(b);
}

static inline void ng_other(struct buf *b, uint32_t type, uint32_t n)
{
	blk_begin(b, type);
	frame_bytes(b, n, type);
	blk_end(b);
}

static inline void pc_hdr(struct buf *b, bool be, uint32_t magic, uint16_t major, uint16_t minor,
			  uint32_t snap, uint32_t lt)
{
	b->be = be;
	put32(b, magic);
	put16(b, major);
	put16(b, minor);
	put32(b, 0);
	put32(b, 0);
	put32(b, snap);
	put32(b, lt);
}

/* A record with `stored` bytes of frame. */
static inline void pc_rec_n(struct buf *b, uint32_t sec, uint32_t frac, uint32_t caplen,
			    uint32_t len, uint32_t stored, bool kuz)
{
	put32(b, sec);
	put32(b, frac);
	put32(b, caplen);
	put32(b, len);
	if (kuz)
		put64(b, 0x0102030405060708ull);
	frame_bytes(b, stored, sec);
}

static inline void pc_rec(struct buf *b, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len,
			  bool kuz)
{
	pc_rec_n(b, sec, frac, caplen, len, caplen < 600 ? caplen : 0, kuz);
}

#endif
