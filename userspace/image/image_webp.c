// SPDX-License-Identifier: GPL-2.0
/* image_webp: still WebP (lossy or lossless) through libwebp's incremental
 * decoder, fed in slices so the time limit is checked as it goes. Alpha is
 * dropped; animated WebP is refused. */
#include <errno.h>

#include <webp/decode.h>

#include "image_dec.h"

#define WEBP_SLICE	(64u << 10)

static const char *status_name(VP8StatusCode st)
{
	switch (st) {
	case VP8_STATUS_OUT_OF_MEMORY:
		return "out of memory";
	case VP8_STATUS_INVALID_PARAM:
		return "invalid parameter";
	case VP8_STATUS_BITSTREAM_ERROR:
		return "bitstream error";
	case VP8_STATUS_UNSUPPORTED_FEATURE:
		return "unsupported feature";
	case VP8_STATUS_NOT_ENOUGH_DATA:
		return "truncated file";
	default:
		return "decoder error";
	}
}

static int feed(struct image_dec *d, WebPIDecoder *idec, const uint8_t *buf, size_t len)
{
	VP8StatusCode st = VP8_STATUS_SUSPENDED;
	size_t off = 0;
	int ret;

	while (off < len) {
		off += len - off < WEBP_SLICE ? len - off : WEBP_SLICE;
		st = WebPIUpdate(idec, buf, off);
		if (st == VP8_STATUS_OK)
			return 0;
		if (st != VP8_STATUS_SUSPENDED)
			return image_fail(d, -EBADMSG, "%s", status_name(st));
		ret = image_tick(d);
		if (ret)
			return ret;
	}
	return image_fail(d, -EBADMSG, "truncated file");
}

int image_decode_webp(struct image_dec *d, const uint8_t *buf, size_t len)
{
	WebPBitstreamFeatures f;
	WebPIDecoder *idec;
	VP8StatusCode st;
	size_t stride;
	int ret;

	st = WebPGetFeatures(buf, len, &f);
	if (st != VP8_STATUS_OK)
		return image_fail(d, -EBADMSG, "header: %s", status_name(st));
	if (f.has_animation)
		return image_fail(d, -ENOTSUP, "animated WebP is not supported");
	ret = image_start(d, (uint32_t)f.width, (uint32_t)f.height, 3);
	if (ret)
		return ret;
	stride = (size_t)d->img->width * 3;
	idec = WebPINewRGB(MODE_RGB, d->img->pix, stride * d->img->height, (int)stride);
	if (!idec)
		return image_fail(d, -ENOMEM, "out of memory");
	ret = feed(d, idec, buf, len);
	WebPIDelete(idec);
	return ret;
}
