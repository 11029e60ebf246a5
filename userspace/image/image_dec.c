// SPDX-License-Identifier: GPL-2.0
/* image_dec: what every per-format decoder (image_*.c) shares with the
 * dispatcher (image.c): format names, the error message, size checks and
 * the output allocation, the time limit. Called by both; calls neither. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "image_dec.h"

static const char *const format_names[IMAGE_FORMAT_MAX] = {
	[IMAGE_UNKNOWN] = "unknown", [IMAGE_JPEG] = "jpeg", [IMAGE_PNG] = "png",
	[IMAGE_GIF] = "gif",	     [IMAGE_WEBP] = "webp", [IMAGE_BMP] = "bmp",
};

const char *image_format_name(enum image_format f)
{
	return (unsigned)f < IMAGE_FORMAT_MAX ? format_names[f] : "unknown";
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

