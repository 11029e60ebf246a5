/* SPDX-License-Identifier: GPL-2.0 */
/* image_dec.c: shared by the dispatcher (image.c) and the per-format
 * decoders (image_jpeg.c, image_png.c,
 * image_gif.c, image_webp.c, image_bmp.c); not for other stages. */
#ifndef EW_IMAGE_DEC_H
#define EW_IMAGE_DEC_H

#include "image.h"

/* One decode in progress: effective limits, start time, output, error. */
struct image_dec {
	struct image_limits lim;
	uint64_t start_ms;
	struct image *img;
	struct image_error *err;
};

/* Writes "FORMAT: message" to the error and returns code (a -errno). */
int image_fail(struct image_dec *d, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Checks w x h against the limits. Returns 0, -EBADMSG (zero size) or
 * -EFBIG, with the error filled. */
int image_check(struct image_dec *d, uint32_t w, uint32_t h);

/* Checks w x h against the limits and allocates img->pix for channels
 * (1 or 3). Returns 0, -EBADMSG (zero size), -EFBIG or -ENOMEM, with the
 * error filled. */
int image_start(struct image_dec *d, uint32_t w, uint32_t h, unsigned channels);

/* Returns 0, or -ETIMEDOUT with the error filled once max_ms has passed.
 * Decoders call it once per row or chunk. */
int image_tick(struct image_dec *d);

/* Row y of the output image. */
static inline uint8_t *image_row(struct image_dec *d, uint32_t y)
{
	return d->img->pix + (size_t)y * d->img->width * d->img->channels;
}

int image_decode_jpeg(struct image_dec *d, const uint8_t *buf, size_t len);
int image_decode_png(struct image_dec *d, const uint8_t *buf, size_t len);
int image_decode_gif(struct image_dec *d, const uint8_t *buf, size_t len);
int image_decode_webp(struct image_dec *d, const uint8_t *buf, size_t len);
int image_decode_bmp(struct image_dec *d, const uint8_t *buf, size_t len);

#endif
