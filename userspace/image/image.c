// SPDX-License-Identifier: GPL-2.0
/* image: format sniffing, limits and dispatch to the per-format decoders
 * (image_*.c). Called by the imgsandbox worker, whose output goes to pdq. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image_dec.h"

static const char *const format_names[IMAGE_FORMAT_MAX] = {
	[IMAGE_UNKNOWN] = "unknown", [IMAGE_JPEG] = "jpeg", [IMAGE_PNG] = "png",
	[IMAGE_GIF] = "gif",	     [IMAGE_WEBP] = "webp", [IMAGE_BMP] = "bmp",
};

const char *image_format_name(enum image_format f)
{
	return (unsigned)f < IMAGE_FORMAT_MAX ? format_names[f] : "unknown";
}

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

int image_fail(struct image_dec *d, int code, const char *fmt, ...)
{
	const char *name = image_format_name(d->img->format);
	size_t n;
	va_list ap;

	/* Keep the first reason: later ones are usually consequences. */
	if (d->err->msg[0])
		return code;
	n = (size_t)snprintf(d->err->msg, sizeof(d->err->msg), "%s: ", name);
	va_start(ap, fmt);
	vsnprintf(d->err->msg + n, sizeof(d->err->msg) - n, fmt, ap);
	va_end(ap);
	return code;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int image_tick(struct image_dec *d)
{
	uint64_t now = d->lim.clock_ms();

	if (now - d->start_ms > d->lim.max_ms)
		return image_fail(d, -ETIMEDOUT, "decode time limit of %u ms exceeded",
				  d->lim.max_ms);
	return 0;
}

int image_check(struct image_dec *d, uint32_t w, uint32_t h)
{
	if (!w || !h)
		return image_fail(d, -EBADMSG, "zero image size %ux%u", w, h);
	if (w > d->lim.max_width || h > d->lim.max_height)
		return image_fail(d, -EFBIG, "%ux%u is over the %ux%u limit", w, h,
				  d->lim.max_width, d->lim.max_height);
	if ((uint64_t)w * h > d->lim.max_pixels)
		return image_fail(d, -EFBIG, "%ux%u is over the %llu pixel limit", w, h,
				  (unsigned long long)d->lim.max_pixels);
	return 0;
}

int image_start(struct image_dec *d, uint32_t w, uint32_t h, unsigned channels)
{
	struct image *img = d->img;
	int ret = image_check(d, w, h);

	if (ret)
		return ret;
	img->pix = malloc((size_t)w * h * channels);
	if (!img->pix)
		return image_fail(d, -ENOMEM, "out of memory for %ux%u pixels", w, h);
	img->width = w;
	img->height = h;
	img->channels = channels;
	return 0;
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
