/* SPDX-License-Identifier: GPL-2.0 */
/* Image decoding for PDQ: JPEG, PNG, GIF (first frame), WebP and BMP from a
 * memory buffer to 8-bit grey or RGB, under limits. Runs inside the
 * imgsandbox worker; the agent never calls it directly on untrusted bytes.
 * Pixels are what ImageMagick hands the reference PDQ tool: alpha dropped
 * (no compositing), EXIF orientation ignored, 16-bit samples cut to their
 * high byte, and an RGB image whose pixels are all grey returned as grey. */
#ifndef EW_IMAGE_H
#define EW_IMAGE_H

#include <stddef.h>
#include <stdint.h>

enum image_format {
	IMAGE_UNKNOWN,
	IMAGE_JPEG,
	IMAGE_PNG,
	IMAGE_GIF,
	IMAGE_WEBP,
	IMAGE_BMP,
	IMAGE_FORMAT_MAX,
};

/* Limits applied before any pixel memory is allocated (dimensions) and
 * while decoding (time). A zero field means the default below. */
struct image_limits {
	uint32_t max_width;		/* pixels */
	uint32_t max_height;
	uint64_t max_pixels;		/* width * height */
	uint32_t max_ms;		/* wall-clock decode time */
	uint64_t (*clock_ms)(void);	/* NULL: CLOCK_MONOTONIC (tests inject one) */
};

#define IMAGE_DEF_MAX_DIM	16384u
#define IMAGE_DEF_MAX_PIXELS	(40u * 1000 * 1000)
#define IMAGE_DEF_MAX_MS	3000u

/* A decoded image: height rows of width * channels bytes, no padding.
 * channels is 1 (grey) or 3 (R, G, B). pix is owned by the image. */
struct image {
	enum image_format format;
	uint32_t width, height;
	unsigned channels;
	uint8_t *pix;
};

/* Why a decode failed, as one line: "PNG: IHDR: CRC error". */
struct image_error {
	char msg[160];
};

/* The format from the first bytes (magic numbers), IMAGE_UNKNOWN if none. */
enum image_format image_sniff(const void *buf, size_t len);

/* "jpeg", "png", "gif", "webp", "bmp", or "unknown". */
const char *image_format_name(enum image_format f);

/* Decodes buf (the whole file) into img. lim may be NULL (defaults).
 * Returns 0, or fills err and returns:
 *   -ENOTSUP    not a recognised image, or an unsupported variant
 *   -EBADMSG    corrupt or truncated data
 *   -EFBIG      over a dimension or pixel limit
 *   -ETIMEDOUT  over the time limit
 *   -ENOMEM     out of memory
 * On success the caller owns img->pix (image_free); on failure img holds
 * nothing. Never prints. */
int image_decode(const void *buf, size_t len, const struct image_limits *lim,
		 struct image *img, struct image_error *err);

/* Releases img->pix (safe on a zeroed or already freed image). */
void image_free(struct image *img);

#endif
