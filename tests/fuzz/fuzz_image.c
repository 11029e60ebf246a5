// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: image_decode on arbitrary bytes (JPEG, PNG, GIF, WebP and BMP,
 * picked by magic as in the pipeline; the seed corpus holds each format and
 * variant: progressive and CMYK JPEG, palette/16-bit/interlaced PNG,
 * interlaced GIF, lossy and lossless WebP, palette and 24-bit BMP), then PDQ
 * with all dihedral hashes on whatever decodes. Limits are kept small so a
 * run explores parsers, not big allocations. */
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "image/pdq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_limits lim = { 1024, 1024, 1u << 20, 2000, NULL };
	struct pdq_hash h[PDQ_DIH_MAX];
	struct image_error err;
	struct image img;
	int q;

	if (image_decode(data, size, &lim, &img, &err))
		return 0;
	pdq_hash_dihedral(&(struct pdq_pixels){ img.pix, img.width, img.height, img.channels,
						(size_t)img.width * img.channels },
			  h, &q);
	image_free(&img);
	return 0;
}
