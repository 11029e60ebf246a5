// SPDX-License-Identifier: GPL-2.0
/* image_bmp: uncompressed Windows/OS2 BMP, parsed here with every offset
 * bounds-checked: 1, 4, 8-bit palettes, 16/32-bit (default or BITFIELDS
 * masks) and 24-bit, bottom-up or top-down. RLE and embedded JPEG/PNG are
 * refused. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "image_dec.h"

#define BMP_FILE_HDR	14
#define BI_RGB		0
#define BI_BITFIELDS	3

struct bmp_info {
	uint32_t w, h, bpp, comp, off;
	uint64_t stride;		/* bytes per row, 4-byte aligned */
	bool top_down;
	uint32_t mask[3];		/* R, G, B for 16 and 32 bpp */
	const uint8_t *pal;		/* palette entries */
	uint32_t npal, pal_size;	/* entries, bytes per entry (3 or 4) */
};

static uint32_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads geometry and format from the OS/2 (12-byte) or Windows (40+) header. */
static int parse_dib(struct image_dec *d, const uint8_t *buf, size_t len, struct bmp_info *b)
{
	uint32_t dib = le32(buf + 14);
	int32_t w, h;

	if (BMP_FILE_HDR + (size_t)dib > len || len < 30)
		return image_fail(d, -EBADMSG, "truncated header");
	b->off = le32(buf + 10);
	if (dib == 12) {
		w = (int16_t)le16(buf + 18);
		h = (int16_t)le16(buf + 20);
		b->bpp = le16(buf + 24);
		b->comp = BI_RGB;
		b->pal_size = 3;
	} else {
		w = (int32_t)le32(buf + 18);
		h = (int32_t)le32(buf + 22);
		b->bpp = le16(buf + 28);
		b->comp = le32(buf + 30);
		b->npal = dib >= 40 ? le32(buf + 46) : 0;
		b->pal_size = 4;
	}
	if (w <= 0 || h == 0 || h == INT32_MIN)
		return image_fail(d, -EBADMSG, "bad size %dx%d", w, h);
	b->w = (uint32_t)w;
	b->top_down = h < 0;
	b->h = (uint32_t)(h < 0 ? -h : h);
	b->stride = (((uint64_t)b->w * b->bpp + 31) / 32) * 4;
	return 0;
}

/* Colour masks for 16/32 bpp and the palette for 1/4/8 bpp. */
static int parse_colours(struct image_dec *d, const uint8_t *buf, size_t len, struct bmp_info *b)
{
	size_t pal_off = BMP_FILE_HDR + le32(buf + 14);

	if (b->bpp == 16 || b->bpp == 32) {
		bool bf = b->comp == BI_BITFIELDS;

		if (bf && len < 66)
			return image_fail(d, -EBADMSG, "truncated colour masks");
		b->mask[0] = bf ? le32(buf + 54) : b->bpp == 16 ? 0x7c00 : 0xff0000;
		b->mask[1] = bf ? le32(buf + 58) : b->bpp == 16 ? 0x03e0 : 0x00ff00;
		b->mask[2] = bf ? le32(buf + 62) : b->bpp == 16 ? 0x001f : 0x0000ff;
		return 0;
	}
	if (b->bpp > 8)
		return 0;
	if (!b->npal || b->npal > (1u << b->bpp))
		b->npal = 1u << b->bpp;
	if (pal_off + (size_t)b->npal * b->pal_size > len)
		return image_fail(d, -EBADMSG, "truncated palette (%u entries)", b->npal);
	b->pal = buf + pal_off;
	return 0;
}

/* v masked by m, scaled to 0..255 (m need not be 8 bits wide). */
static uint8_t channel(uint32_t v, uint32_t m)
{
	uint32_t max;
	int shift;

	if (!m)
		return 0;
	shift = __builtin_ctz(m);
	max = m >> shift;
	return (uint8_t)((((uint64_t)(v & m) >> shift) * 255 + max / 2) / max);
}

static void put_pal(const struct bmp_info *b, uint32_t idx, uint8_t *out)
{
	/* An index past the palette takes entry 0, as in ImageMagick
	 * (ConstrainColormapIndex); npal is at least 1. */
	const uint8_t *p = b->pal + (idx < b->npal ? idx : 0) * b->pal_size;

	out[0] = p[2];	/* entries are B, G, R */
	out[1] = p[1];
	out[2] = p[0];
}

static void decode_row(const struct bmp_info *b, const uint8_t *src, uint8_t *out)
{
	for (uint32_t x = 0; x < b->w; x++, out += 3) {
		uint32_t v;

		switch (b->bpp) {
		case 1:
		case 4:
		case 8: {
			uint32_t bit = x * b->bpp, per = 8 / b->bpp;

			v = src[bit / 8] >> ((per - 1 - x % per) * b->bpp);
			put_pal(b, v & ((1u << b->bpp) - 1), out);
			continue;
		}
		case 24:
			out[0] = src[3 * x + 2];
			out[1] = src[3 * x + 1];
			out[2] = src[3 * x];
			continue;
		case 16:
			v = le16(src + 2 * x);
			break;
		default:
			v = le32(src + 4 * x);
			break;
		}
		for (int c = 0; c < 3; c++)
			out[c] = channel(v, b->mask[c]);
	}
}

int image_decode_bmp(struct image_dec *d, const uint8_t *buf, size_t len)
{
	struct bmp_info b = { 0 };
	int ret;

	ret = parse_dib(d, buf, len, &b);
	if (ret)
		return ret;
	if (b.bpp != 1 && b.bpp != 4 && b.bpp != 8 && b.bpp != 16 && b.bpp != 24 && b.bpp != 32)
		return image_fail(d, -ENOTSUP, "%u bits per pixel is not supported", b.bpp);
	if (b.comp != BI_RGB && !(b.comp == BI_BITFIELDS && (b.bpp == 16 || b.bpp == 32)))
		return image_fail(d, -ENOTSUP, "compression %u is not supported", b.comp);
	ret = parse_colours(d, buf, len, &b) ?: image_check(d, b.w, b.h);
	if (ret)
		return ret;
	/* Checked before allocating: a short file claiming a big image costs
	 * nothing. */
	if (b.off > len || b.stride > (len - b.off) / b.h)
		return image_fail(d, -EBADMSG,
				  "truncated pixel data: %u rows of %llu bytes at offset %u, file %zu",
				  b.h, (unsigned long long)b.stride, b.off, len);
	ret = image_start(d, b.w, b.h, 3);
	if (ret)
		return ret;
	for (uint32_t r = 0; r < b.h; r++) {
		decode_row(&b, buf + b.off + (size_t)r * b.stride,
			   image_row(d, b.top_down ? r : b.h - 1 - r));
		ret = image_tick(d);
		if (ret)
			return ret;
	}
	return 0;
}
