// SPDX-License-Identifier: GPL-2.0
/* image_png: PNG through libpng from memory. Palette and low bit depths are
 * expanded, 16-bit samples cut to their high byte, alpha and transparency
 * dropped without compositing (what the reference PDQ tool sees). Errors
 * longjmp back here; the time limit is checked once per row and pass. */
#include <errno.h>
#include <setjmp.h>
#include <string.h>

#include <png.h>

#include "image_dec.h"

#define PNG_MAX_CHUNK	(8u << 20)	/* ancillary chunk bytes (zTXt, iCCP ...) */

struct png_src {
	struct image_dec *d;
	const uint8_t *buf;
	size_t len, off;
	int code;
};

static void on_error(png_structp png, png_const_charp msg)
{
	struct png_src *s = png_get_error_ptr(png);

	image_fail(s->d, -EBADMSG, "%s", msg);
	if (!s->code)
		s->code = -EBADMSG;
	png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void on_read(png_structp png, png_bytep out, size_t n)
{
	struct png_src *s = png_get_io_ptr(png);

	if (n > s->len - s->off)
		png_error(png, "truncated file");
	memcpy(out, s->buf + s->off, n);
	s->off += n;
}

/* Transformations to 8-bit grey or RGB; returns the channel count. */
static unsigned setup(png_structp png, png_infop info)
{
	int ct = png_get_color_type(png, info);

	if (ct == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (ct == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (png_get_bit_depth(png, info) == 16)
		png_set_strip_16(png);
	/* Unconditional: palette expansion may turn tRNS into alpha. */
	png_set_strip_alpha(png);
	png_read_update_info(png, info);
	return png_get_channels(png, info);
}

static int read_png(struct png_src *s, png_structp png, png_infop info)
{
	struct image_dec *d = s->d;
	int passes, ret;
	unsigned ch;

	png_set_read_fn(png, s, on_read);
	/* Our limits are checked by image_start, with our message; libpng's
	 * own (1,000,000 a side) stay as a first fence. */
	png_set_chunk_malloc_max(png, PNG_MAX_CHUNK);
	png_read_info(png, info);
	passes = png_set_interlace_handling(png);
	ch = setup(png, info);
	if (ch != 1 && ch != 3)
		return image_fail(d, -ENOTSUP, "unexpected %u channels", ch);
	ret = image_start(d, png_get_image_width(png, info), png_get_image_height(png, info), ch);
	if (ret)
		return ret;
	for (int p = 0; p < passes; p++)
		for (uint32_t y = 0; y < d->img->height; y++) {
			png_read_row(png, image_row(d, y), NULL);
			ret = image_tick(d);
			if (ret)
				return ret;
		}
	return 0;
}

int image_decode_png(struct image_dec *d, const uint8_t *buf, size_t len)
{
	struct png_src s = { .d = d, .buf = buf, .len = len };
	png_structp png;
	png_infop info = NULL;
	int ret;

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s, on_error, on_warning);
	if (!png)
		return image_fail(d, -ENOMEM, "out of memory");
	info = png_create_info_struct(png);
	if (!info) {
		ret = image_fail(d, -ENOMEM, "out of memory");
		goto out;
	}
	if (setjmp(png_jmpbuf(png))) {
		ret = s.code ? s.code : -EBADMSG;
		goto out;
	}
	ret = read_png(&s, png, info);
out:
	png_destroy_read_struct(&png, info ? &info : NULL, NULL);
	return ret;
}
