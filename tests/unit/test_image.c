// SPDX-License-Identifier: GPL-2.0
/* image: sniffing, exact pixels from every decoder, the reference's pixel
 * conventions (alpha dropped, 16-bit high byte, grey collapse, CMYK), limits,
 * time limit with an injected clock, and every truncation of every format. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ewtest.h"
#include "imgenc.h"
#include "image/image.h"

static const uint8_t rgb6[] = {
	/* 3x2 RGB */
	255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90,
};

static void decode_ok(const uint8_t *buf, size_t len, struct image *img)
{
	struct image_error err;
	int ret = image_decode(buf, len, NULL, img, &err);

	if (ret)
		fail_msg("decode failed (%d): %s", ret, err.msg);
	assert_string_equal(err.msg, "");
}

static void expect_err(const uint8_t *buf, size_t len, const struct image_limits *lim, int code,
		       const char *msg)
{
	struct image_error err;
	struct image img;

	assert_int_equal(image_decode(buf, len, lim, &img, &err), code);
	assert_string_equal(err.msg, msg);
	assert_null(img.pix);
}

static void sniff(void **state)
{
	uint8_t bmp[18] = { 'B', 'M', [14] = 40 };

	(void)state;
	assert_int_equal(image_sniff("\xff\xd8\xff\xe0", 4), IMAGE_JPEG);
	assert_int_equal(image_sniff("\x89PNG\r\n\x1a\n", 8), IMAGE_PNG);
	assert_int_equal(image_sniff("GIF89a", 6), IMAGE_GIF);
	assert_int_equal(image_sniff("GIF87a", 6), IMAGE_GIF);
	assert_int_equal(image_sniff("RIFF\0\0\0\0WEBP", 12), IMAGE_WEBP);
	assert_int_equal(image_sniff(bmp, sizeof(bmp)), IMAGE_BMP);
	bmp[14] = 41;
	assert_int_equal(image_sniff(bmp, sizeof(bmp)), IMAGE_UNKNOWN);
	assert_int_equal(image_sniff("\x89PNG", 4), IMAGE_UNKNOWN);
	assert_int_equal(image_sniff("", 0), IMAGE_UNKNOWN);
	assert_string_equal(image_format_name(IMAGE_WEBP), "webp");
	assert_string_equal(image_format_name(IMAGE_FORMAT_MAX), "unknown");
	expect_err((const uint8_t *)"hello", 5, NULL, -ENOTSUP,
		   "unknown: not a recognised image format");
}

static void png_rgb_exact(void **state)
{
	struct image img;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(imgenc_png8(rgb6, 3, 2, 3, &buf, &len), 0);
	decode_ok(buf, len, &img);
	assert_int_equal(img.format, IMAGE_PNG);
	assert_int_equal(img.width, 3);
	assert_int_equal(img.height, 2);
	assert_int_equal(img.channels, 3);
	assert_memory_equal(img.pix, rgb6, sizeof(rgb6));
	image_free(&img);
	image_free(&img);
	free(buf);
}

/* Palette + tRNS, RGBA, 16-bit and interlaced all land on the same 8-bit RGB. */
static void png_variants(void **state)
{
	static const png_color pal[6] = { { 255, 0, 0 },  { 0, 255, 0 },   { 0, 0, 255 },
					  { 10, 20, 30 }, { 40, 50, 60 }, { 70, 80, 90 } };
	static const uint8_t idx[6] = { 0, 1, 2, 3, 4, 5 }, trns[6] = { 0, 128 };
	uint8_t rgba[24], rgb16[36];
	struct image img;
	uint8_t *buf;
	size_t len;

	(void)state;
	for (int i = 0; i < 6; i++) {
		memcpy(rgba + 4 * i, rgb6 + 3 * i, 3);
		rgba[4 * i + 3] = (uint8_t)(i * 40);	/* transparent pixels keep colour */
		for (int c = 0; c < 3; c++) {
			rgb16[6 * i + 2 * c] = rgb6[3 * i + c];	/* high byte */
			rgb16[6 * i + 2 * c + 1] = 0x77;	/* low byte, dropped */
		}
	}
	assert_int_equal(imgenc_png(idx, 3, 3, 2, PNG_COLOR_TYPE_PALETTE, 8, 0, pal, 6, trns, 2,
				    &buf, &len), 0);
	decode_ok(buf, len, &img);
	assert_int_equal(img.channels, 3);
	assert_memory_equal(img.pix, rgb6, sizeof(rgb6));
	image_free(&img);
	free(buf);
	assert_int_equal(imgenc_png(rgba, 12, 3, 2, PNG_COLOR_TYPE_RGBA, 8, 1, NULL, 0, NULL, 0,
				    &buf, &len), 0);
	decode_ok(buf, len, &img);
	assert_memory_equal(img.pix, rgb6, sizeof(rgb6));
	image_free(&img);
	free(buf);
	assert_int_equal(imgenc_png(rgb16, 18, 3, 2, PNG_COLOR_TYPE_RGB, 16, 0, NULL, 0, NULL, 0,
				    &buf, &len), 0);
	decode_ok(buf, len, &img);
	assert_memory_equal(img.pix, rgb6, sizeof(rgb6));
	image_free(&img);
	free(buf);
}

/* 1-bit grey becomes 0/255 grey; an RGB file whose pixels are all grey is
 * returned as grey, as ImageMagick hands it to the reference. */
static void png_grey(void **state)
{
	static const uint8_t bits[2] = { 0xa0, 0x40 };	/* 3x2: 1 0 1 / 0 1 0 */
	static const uint8_t want[6] = { 255, 0, 255, 0, 255, 0 };
	uint8_t greyrgb[18];
	struct image img;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(imgenc_png(bits, 1, 3, 2, PNG_COLOR_TYPE_GRAY, 1, 0, NULL, 0, NULL, 0,
				    &buf, &len), 0);
	decode_ok(buf, len, &img);
	assert_int_equal(img.channels, 1);
	assert_memory_equal(img.pix, want, 6);
	image_free(&img);
	free(buf);
	for (int i = 0; i < 18; i++)
		greyrgb[i] = want[i / 3];
	assert_int_equal(imgenc_png8(greyrgb, 3, 2, 3, &buf, &len), 0);
	decode_ok(buf, len, &img);
	assert_int_equal(img.channels, 1);
	assert_memory_equal(img.pix, want, 6);
	image_free(&img);
	free(buf);
}

static void gif_exact(void **state)
{
	static const GifColorType pal[8] = { { 255, 0, 0 },  { 0, 255, 0 },   { 0, 0, 255 },
					     { 10, 20, 30 }, { 40, 50, 60 }, { 70, 80, 90 } };
	uint8_t idx[3 * 11], want[3 * 11 * 3];
	struct image img;
	uint8_t *buf;
	size_t len;

	(void)state;
	for (int i = 0; i < 33; i++) {
		idx[i] = (uint8_t)((i * 7) % 6);
		memcpy(want + 3 * i, &pal[idx[i]], 3);
	}
	for (int interlace = 0; interlace < 2; interlace++) {
		assert_int_equal(imgenc_gif(idx, 3, 11, pal, 8, interlace, &buf, &len), 0);
		decode_ok(buf, len, &img);
		assert_int_equal(img.format, IMAGE_GIF);
		assert_int_equal(img.width, 3);
		assert_int_equal(img.height, 11);
		assert_memory_equal(img.pix, want, sizeof(want));
		image_free(&img);
		free(buf);
	}
}

static void webp_exact(void **state)
{
	struct image img;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(imgenc_webp(rgb6, 3, 2, &buf, &len), 0);
	decode_ok(buf, len, &img);
	assert_int_equal(img.format, IMAGE_WEBP);
	assert_memory_equal(img.pix, rgb6, sizeof(rgb6));
	image_free(&img);
	free(buf);
}

static void bmp_exact(void **state)
{
	struct image img;
	uint8_t *buf;
	size_t len;

	(void)state;
	for (int td = 0; td < 2; td++) {
		assert_int_equal(imgenc_bmp24(rgb6, 3, 2, td, &buf, &len), 0);
		decode_ok(buf, len, &img);
		assert_int_equal(img.format, IMAGE_BMP);
		assert_memory_equal(img.pix, rgb6, sizeof(rgb6));
		image_free(&img);
		free(buf);
	}
}

/* 8-bit palette BMP and 16-bit 5-5-5, built by hand. */
static void bmp_palette_and_16(void **state)
{
	uint8_t p[54 + 8 + 4] = { 'B', 'M' }, q[54 + 4] = { 'B', 'M' };
	struct image img;

	(void)state;
	imgenc_le(p + 10, 62, 4);
	imgenc_le(p + 14, 40, 4);
	imgenc_le(p + 18, 2, 4);
	imgenc_le(p + 22, 1, 4);
	imgenc_le(p + 28, 8, 2);
	imgenc_le(p + 46, 2, 4);			/* two palette entries */
	memcpy(p + 54, "\x03\x02\x01\x00\x30\x20\x10\x00", 8);	/* B, G, R, 0 */
	p[62] = 1;
	p[63] = 7;					/* past the palette: entry 0 */
	decode_ok(p, sizeof(p), &img);
	assert_memory_equal(img.pix, "\x10\x20\x30\x01\x02\x03", 6);
	image_free(&img);
	imgenc_le(q + 10, 54, 4);
	imgenc_le(q + 14, 40, 4);
	imgenc_le(q + 18, 1, 4);
	imgenc_le(q + 22, 1, 4);
	imgenc_le(q + 28, 16, 2);
	imgenc_le(q + 54, 0x7c00 | 0x001f, 2);		/* red and blue full */
	decode_ok(q, sizeof(q), &img);
	assert_int_equal(img.channels, 3);
	assert_memory_equal(img.pix, "\xff\x00\xff", 3);
	image_free(&img);
}

static void bmp_errors(void **state)
{
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(imgenc_bmp24(rgb6, 3, 2, 0, &buf, &len), 0);
	expect_err(buf, len - 1, NULL, -EBADMSG,
		   "bmp: truncated pixel data: 2 rows of 12 bytes at offset 54, file 77");
	imgenc_le(buf + 30, 1, 4);			/* BI_RLE8 */
	expect_err(buf, len, NULL, -ENOTSUP, "bmp: compression 1 is not supported");
	imgenc_le(buf + 30, 0, 4);
	imgenc_le(buf + 28, 2, 2);
	expect_err(buf, len, NULL, -ENOTSUP, "bmp: 2 bits per pixel is not supported");
	imgenc_le(buf + 28, 24, 2);
	imgenc_le(buf + 18, 0, 4);
	expect_err(buf, len, NULL, -EBADMSG, "bmp: bad size 0x2");
	/* A short file claiming a big image fails before any allocation. */
	imgenc_le(buf + 18, 5000, 4);
	imgenc_le(buf + 22, 5000, 4);
	expect_err(buf, 66, NULL, -EBADMSG,
		   "bmp: truncated pixel data: 5000 rows of 15000 bytes at offset 54, file 66");
	free(buf);
}

static void jpeg_decodes(void **state)
{
	uint8_t *pic = imgenc_picture(32, 16, 3, 1), *grey = imgenc_picture(32, 16, 1, 2);
	unsigned sad = 0;
	struct image img;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(imgenc_jpeg(pic, 32, 16, 3, 95, &buf, &len), 0);
	decode_ok(buf, len, &img);
	assert_int_equal(img.format, IMAGE_JPEG);
	assert_int_equal(img.width, 32);
	assert_int_equal(img.height, 16);
	assert_int_equal(img.channels, 3);
	/* Lossy: on average within a few levels of the original. */
	for (size_t i = 0; i < 32 * 16 * 3; i++)
		sad += (unsigned)abs(img.pix[i] - pic[i]);
	assert_in_range(sad / (32 * 16 * 3), 0, 6);
	image_free(&img);
	expect_err(buf, 20, NULL, -EBADMSG, "jpeg: truncated before the image data");
	free(buf);
	assert_int_equal(imgenc_jpeg(grey, 32, 16, 1, 90, &buf, &len), 0);
	decode_ok(buf, len, &img);
	assert_int_equal(img.channels, 1);
	image_free(&img);
	free(buf);
	free(pic);
	free(grey);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		p = malloc((size_t)n);
		if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return p;
}

/* The reference set's CMYK JPEG decodes to the same size RGB as its RGB twin,
 * and its grey PNG to one channel. */
static void reference_modes(void **state)
{
	struct image img;
	size_t len;
	uint8_t *buf = slurp(ewtest_data("pdq/images/modes__CMYK.jpg"), &len);

	(void)state;
	assert_non_null(buf);
	decode_ok(buf, len, &img);
	assert_int_equal(img.channels, 3);
	assert_int_equal(img.width, 1600);
	assert_int_equal(img.height, 1004);
	image_free(&img);
	free(buf);
	buf = slurp(ewtest_data("pdq/images/modes__L.png"), &len);
	assert_non_null(buf);
	decode_ok(buf, len, &img);
	assert_int_equal(img.channels, 1);
	image_free(&img);
	free(buf);
}

static void limits(void **state)
{
	struct image_limits lim = { .max_width = 64 };
	uint8_t *pic = imgenc_picture(100, 50, 3, 3), *buf;
	size_t len;

	(void)state;
	assert_int_equal(imgenc_png8(pic, 100, 50, 3, &buf, &len), 0);
	expect_err(buf, len, &lim, -EFBIG, "png: 100x50 is over the 64x16384 limit");
	free(buf);
	assert_int_equal(imgenc_bmp24(pic, 100, 50, 0, &buf, &len), 0);
	expect_err(buf, len, &lim, -EFBIG, "bmp: 100x50 is over the 64x16384 limit");
	lim = (struct image_limits){ .max_pixels = 4999 };
	expect_err(buf, len, &lim, -EFBIG, "bmp: 100x50 is over the 4999 pixel limit");
	free(buf);
	assert_int_equal(imgenc_gif(pic, 100, 50, (const GifColorType *)pic, 256, 0, &buf, &len),
			 0);
	expect_err(buf, len, &lim, -EFBIG, "gif: 100x50 is over the 4999 pixel limit");
	free(buf);
	assert_int_equal(imgenc_webp(pic, 100, 50, &buf, &len), 0);
	expect_err(buf, len, &lim, -EFBIG, "webp: 100x50 is over the 4999 pixel limit");
	free(buf);
	assert_int_equal(imgenc_jpeg(pic, 100, 50, 3, 80, &buf, &len), 0);
	expect_err(buf, len, &lim, -EFBIG, "jpeg: 100x50 is over the 4999 pixel limit");
	free(buf);
	free(pic);
}

/* A clock that jumps a second per reading. */
static uint64_t fake_ms;
static uint64_t fake_clock(void)
{
	return fake_ms += 1000;
}

static void time_limit(void **state)
{
	struct image_limits lim = { .max_ms = 1500, .clock_ms = fake_clock };
	uint8_t *pic = imgenc_picture(8, 8, 3, 4), *buf;
	size_t len;

	(void)state;
	assert_int_equal(imgenc_png8(pic, 8, 8, 3, &buf, &len), 0);
	expect_err(buf, len, &lim, -ETIMEDOUT, "png: decode time limit of 1500 ms exceeded");
	free(buf);
	assert_int_equal(imgenc_jpeg(pic, 8, 8, 3, 80, &buf, &len), 0);
	expect_err(buf, len, &lim, -ETIMEDOUT, "jpeg: decode time limit of 1500 ms exceeded");
	free(buf);
	free(pic);
}

static void png_crc(void **state)
{
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(imgenc_png8(rgb6, 3, 2, 3, &buf, &len), 0);
	buf[20] ^= 1;	/* inside IHDR */
	expect_err(buf, len, NULL, -EBADMSG, "png: IHDR: CRC error");
	free(buf);
}

/* Every prefix of every format decodes or fails cleanly (ASan watches). */
static void truncations(void **state)
{
	uint8_t *pic = imgenc_picture(24, 20, 3, 5), *enc[5];
	size_t len[5];
	struct image_error err;
	struct image img;

	(void)state;
	assert_int_equal(imgenc_png(pic, 72, 24, 20, PNG_COLOR_TYPE_RGB, 8, 1, NULL, 0, NULL, 0,
				    &enc[0], &len[0]), 0);
	assert_int_equal(imgenc_jpeg(pic, 24, 20, 3, 75, &enc[1], &len[1]), 0);
	assert_int_equal(imgenc_gif(pic, 24, 20, (const GifColorType *)pic, 128, 1, &enc[2],
				    &len[2]), 0);
	assert_int_equal(imgenc_webp(pic, 24, 20, &enc[3], &len[3]), 0);
	assert_int_equal(imgenc_bmp24(pic, 24, 20, 0, &enc[4], &len[4]), 0);
	for (int f = 0; f < 5; f++) {
		for (size_t n = 0; n < len[f]; n++) {
			int ret = image_decode(enc[f], n, NULL, &img, &err);

			if (ret)
				assert_true(err.msg[0] != '\0');
			image_free(&img);
		}
		free(enc[f]);
	}
	free(pic);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sniff),	  cmocka_unit_test(png_rgb_exact),
		cmocka_unit_test(png_variants),	  cmocka_unit_test(png_grey),
		cmocka_unit_test(gif_exact),	  cmocka_unit_test(webp_exact),
		cmocka_unit_test(bmp_exact),	  cmocka_unit_test(bmp_palette_and_16),
		cmocka_unit_test(bmp_errors),	  cmocka_unit_test(jpeg_decodes),
		cmocka_unit_test(reference_modes), cmocka_unit_test(limits),
		cmocka_unit_test(time_limit),	  cmocka_unit_test(png_crc),
		cmocka_unit_test(truncations),
	};
	return ewtest_run(tests);
}
