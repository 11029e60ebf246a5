/* SPDX-License-Identifier: GPL-2.0 */
/* Test helper: small benign images encoded in memory with the same
 * libraries edgeward decodes with (libpng, libjpeg-turbo, giflib, libwebp;
 * BMP by hand), for unit tests, fuzz seeds and benchmarks. Header-only.
 * Every function returns 0 and a malloc'd buffer (*out, caller frees), or
 * -1. */
#ifndef EW_TESTS_IMGENC_H
#define EW_TESTS_IMGENC_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gif_lib.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/encode.h>

struct imgenc_buf {
	uint8_t *p;
	size_t len, cap;
};

static inline int imgenc_put(struct imgenc_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
		uint8_t *np = realloc(b->p, cap);

		if (!np)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static inline void imgenc_png_write(png_structp png, png_bytep p, size_t n)
{
	if (imgenc_put(png_get_io_ptr(png), p, n))
		png_error(png, "out of memory");
}

static inline void imgenc_png_flush(png_structp png)
{
	(void)png;
}

/* PNG of h rows of rowbytes packed bytes each (any colour type and depth;
 * 16-bit samples big-endian, as PNG stores them). pal/trns may be NULL. */
static inline int imgenc_png(const uint8_t *rows, size_t rowbytes, uint32_t w, uint32_t h,
			     int color_type, int depth, int interlace, const png_color *pal,
			     int npal, const uint8_t *trns, int ntrns, uint8_t **out, size_t *len)
{
	struct imgenc_buf b = { 0 };
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;

	if (!info || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(b.p);
		return -1;
	}
	png_set_write_fn(png, &b, imgenc_png_write, imgenc_png_flush);
	png_set_IHDR(png, info, w, h, depth, color_type,
		     interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (pal)
		png_set_PLTE(png, info, pal, npal);
	if (trns)
		png_set_tRNS(png, info, trns, ntrns, NULL);
	png_write_info(png, info);
	for (int pass = png_set_interlace_handling(png); pass > 0; pass--)
		for (uint32_t y = 0; y < h; y++)
			png_write_row(png, rows + (size_t)y * rowbytes);
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	*out = b.p;
	*len = b.len;
	return 0;
}

/* 8-bit grey (channels 1) or RGB (channels 3) PNG, not interlaced. */
static inline int imgenc_png8(const uint8_t *pix, uint32_t w, uint32_t h, int channels,
			      uint8_t **out, size_t *len)
{
	return imgenc_png(pix, (size_t)w * channels, w, h,
			  channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, 8, 0, NULL, 0,
			  NULL, 0, out, len);
}

/* Baseline JPEG, grey (channels 1) or RGB (3), at quality q. */
static inline int imgenc_jpeg(const uint8_t *pix, uint32_t w, uint32_t h, int channels, int q,
			      uint8_t **out, size_t *len)
{
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr jerr;
	unsigned char *mem = NULL;
	unsigned long n = 0;

	ci.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&ci);
	jpeg_mem_dest(&ci, &mem, &n);
	ci.image_width = w;
	ci.image_height = h;
	ci.input_components = channels;
	ci.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, q, TRUE);
	jpeg_start_compress(&ci, TRUE);
	while (ci.next_scanline < h) {
		JSAMPROW row = (JSAMPROW)(pix + (size_t)ci.next_scanline * w * channels);

		jpeg_write_scanlines(&ci, &row, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	*out = malloc(n);
	if (!*out) {
		free(mem);
		return -1;
	}
	memcpy(*out, mem, n);
	free(mem);
	*len = n;
	return 0;
}

static inline int imgenc_gif_write(GifFileType *g, const GifByteType *p, int n)
{
	return imgenc_put(g->UserData, p, (size_t)n) ? 0 : n;
}

/* GIF of palette indices (ncolors a power of two, 2..256), one frame. */
static inline int imgenc_gif(const uint8_t *idx, uint32_t w, uint32_t h, const GifColorType *pal,
			     int ncolors, int interlace, uint8_t **out, size_t *len)
{
	static const int start[4] = { 0, 4, 2, 1 }, step[4] = { 8, 8, 4, 2 };
	struct imgenc_buf b = { 0 };
	ColorMapObject *map = GifMakeMapObject(ncolors, pal);
	GifPixelType *line = malloc(w);	/* giflib masks the line in place */
	GifFileType *g;
	int err = 0, ok = map && line;

	g = ok ? EGifOpen(&b, imgenc_gif_write, &err) : NULL;
	ok = g && EGifPutScreenDesc(g, (int)w, (int)h, 8, 0, map) == GIF_OK &&
	     EGifPutImageDesc(g, 0, 0, (int)w, (int)h, interlace, NULL) == GIF_OK;
	for (int p = 0; ok && p < (interlace ? 4 : 1); p++)
		for (uint32_t y = interlace ? start[p] : 0; ok && y < h; y += interlace ? step[p] : 1)
			ok = EGifPutLine(g, memcpy(line, idx + (size_t)y * w, w), (int)w) == GIF_OK;
	if (g)
		ok &= EGifCloseFile(g, &err) == GIF_OK;
	GifFreeMapObject(map);
	free(line);
	if (!ok) {
		free(b.p);
		return -1;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

/* Lossless WebP of RGB pixels. */
static inline int imgenc_webp(const uint8_t *rgb, uint32_t w, uint32_t h, uint8_t **out,
			      size_t *len)
{
	uint8_t *enc = NULL;
	size_t n = WebPEncodeLosslessRGB(rgb, (int)w, (int)h, (int)w * 3, &enc);

	if (!n)
		return -1;
	*out = malloc(n);
	if (*out)
		memcpy(*out, enc, n);
	WebPFree(enc);
	*len = n;
	return *out ? 0 : -1;
}

static inline void imgenc_le(uint8_t *p, uint32_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* 24-bit BI_RGB BMP (BITMAPINFOHEADER), bottom-up unless top_down. */
static inline int imgenc_bmp24(const uint8_t *rgb, uint32_t w, uint32_t h, int top_down,
			       uint8_t **out, size_t *len)
{
	uint32_t stride = (w * 3 + 3) & ~3u, size = 54 + stride * h;
	uint8_t *p = calloc(1, size);

	if (!p)
		return -1;
	p[0] = 'B';
	p[1] = 'M';
	imgenc_le(p + 2, size, 4);
	imgenc_le(p + 10, 54, 4);
	imgenc_le(p + 14, 40, 4);
	imgenc_le(p + 18, w, 4);
	imgenc_le(p + 22, top_down ? (uint32_t)-(int32_t)h : h, 4);
	imgenc_le(p + 26, 1, 2);
	imgenc_le(p + 28, 24, 2);
	imgenc_le(p + 34, stride * h, 4);
	for (uint32_t y = 0; y < h; y++) {
		uint8_t *row = p + 54 + (size_t)(top_down ? y : h - 1 - y) * stride;

		for (uint32_t x = 0; x < w; x++) {
			const uint8_t *s = rgb + ((size_t)y * w + x) * 3;

			row[3 * x] = s[2];
			row[3 * x + 1] = s[1];
			row[3 * x + 2] = s[0];
		}
	}
	*out = p;
	*len = size;
	return 0;
}

/* A deterministic benign test picture: gradients plus a little xorshift
 * noise. channels 1 or 3. The caller frees. */
static inline uint8_t *imgenc_picture(uint32_t w, uint32_t h, int channels, uint32_t seed)
{
	uint8_t *p = malloc((size_t)w * h * channels);
	uint32_t s = seed | 1;

	if (!p)
		return NULL;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			for (int c = 0; c < channels; c++) {
				uint32_t base = c == 0 ? x * 200 / w :
						c == 1 ? y * 200 / h : (x + y) * 200 / (w + h);

				s ^= s << 13;
				s ^= s >> 17;
				s ^= s << 5;
				p[((size_t)y * w + x) * channels + c] = (uint8_t)(base + (s & 31));
			}
	return p;
}

#endif
