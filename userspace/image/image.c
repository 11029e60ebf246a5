// SPDX-License-Identifier: GPL-2.0
/* image: format sniffing, limits and dispatch to the per-format decoders
 * (image_*.c). Called by the imgsandbox worker, whose output goes to pdq. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image_dec.h"

/* BMP's "BM" is only two bytes, so the DIB header size must be a known one. */
static bool bmp_magic(const uint8_t *p, size_t len)
{
	uint32_t dib;

	if (len < 18 || p[0] != 'B' || p[1] != 'M')
		return false;
	dib = p[14] | p[15] << 8 | p[16] << 16 | (uint32_t)p[17] << 24;
	return dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 ||
	       dib == 124;
}

enum image_format image_sniff(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return IMAGE_JPEG;
	if (len >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return IMAGE_PNG;
	if (len >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6)))
		return IMAGE_GIF;
	if (len >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return IMAGE_WEBP;
	if (bmp_magic(p, len))
		return IMAGE_BMP;
	return IMAGE_UNKNOWN;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ImageMagick writes an RGB image whose pixels are all grey as a PGM, so
 * the reference hashes the grey values themselves (not a luma of R=G=B,
 * which differs in the last float bit). Do the same. */
static void collapse_grey(struct image *img)
{
	size_t n = (size_t)img->width * img->height;

	if (img->channels != 3)
		return;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = img->pix + 3 * i;

		if (p[0] != p[1] || p[1] != p[2])
			return;
	}
	for (size_t i = 0; i < n; i++)
		img->pix[i] = img->pix[3 * i];
	img->channels = 1;
}

static void limits_fill(struct image_limits *l, const struct image_limits *in)
{
	memset(l, 0, sizeof(*l));
	if (in)
		*l = *in;
	l->max_width = l->max_width ? l->max_width : IMAGE_DEF_MAX_DIM;
	l->max_height = l->max_height ? l->max_height : IMAGE_DEF_MAX_DIM;
	l->max_pixels = l->max_pixels ? l->max_pixels : IMAGE_DEF_MAX_PIXELS;
	l->max_ms = l->max_ms ? l->max_ms : IMAGE_DEF_MAX_MS;
	l->clock_ms = l->clock_ms ? l->clock_ms : mono_ms;
}

int image_decode(const void *buf, size_t len, const struct image_limits *lim,
		 struct image *img, struct image_error *err)
{
	static int (*const dec[IMAGE_FORMAT_MAX])(struct image_dec *, const uint8_t *, size_t) = {
		[IMAGE_JPEG] = image_decode_jpeg, [IMAGE_PNG] = image_decode_png,
		[IMAGE_GIF] = image_decode_gif,	  [IMAGE_WEBP] = image_decode_webp,
		[IMAGE_BMP] = image_decode_bmp,
	};
	struct image_dec d = { .img = img, .err = err };
	int ret;

	memset(img, 0, sizeof(*img));
	err->msg[0] = '\0';
	limits_fill(&d.lim, lim);
	d.start_ms = d.lim.clock_ms();
	img->format = image_sniff(buf, len);
	if (img->format == IMAGE_UNKNOWN)
		return image_fail(&d, -ENOTSUP, "not a recognised image format");
	ret = dec[img->format](&d, buf, len);
	if (ret) {
		image_free(img);
		return ret;
	}
	collapse_grey(img);
	return 0;
}

void image_free(struct image *img)
{
	free(img->pix);
	img->pix = NULL;
}
