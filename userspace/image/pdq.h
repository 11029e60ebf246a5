/* SPDX-License-Identifier: GPL-2.0 */
/* PDQ perceptual hash (Meta ThreatExchange) of decoded pixels. Sits after
 * image decoding (image.c, run inside imgsandbox) and before the PDQ
 * near-match index. Written from PDQ_ALGORITHM_NOTES.md: bit-exact with the
 * reference C++ pdq-photo-hasher when fed the same pixels. */
#ifndef EW_PDQ_H
#define EW_PDQ_H

#include <stddef.h>
#include <stdint.h>

#include "lists/pdqindex.h"	/* struct pdq_hash, its hex form and distance */

#define PDQ_PRESCALE	512	/* the reference squashes larger images to 512x512 */
#define PDQ_MIN_DIM	5	/* smaller images hash to all zeros, quality 0 */

/* The eight dihedral variants, in the order the reference prints them. */
enum pdq_dihedral {
	PDQ_ORIG,
	PDQ_ROT90,	/* 90 degrees counter-clockwise */
	PDQ_ROT180,
	PDQ_ROT270,
	PDQ_FLIPX,	/* upside down */
	PDQ_FLIPY,	/* mirrored left-right */
	PDQ_FLIPPLUS1,	/* transposed about the main diagonal */
	PDQ_FLIPMINUS1,	/* transposed about the anti-diagonal */
	PDQ_DIH_MAX,
};

/* Pixels to hash: height rows of width pixels, channels 1 (grey) or 3
 * (R, G, B), 8 bits each, stride bytes from one row to the next. The
 * caller owns the memory. */
struct pdq_pixels {
	const uint8_t *pix;
	uint32_t width, height;
	unsigned channels;
	size_t stride;
};

/* Hashes px as the reference tool does: squashes it to 512x512 by nearest
 * neighbour when a side exceeds 512, computes luminance, Jarosz filter,
 * 64x64 decimation, DCT and median threshold. Writes the hash and the
 * quality (0..100). Returns 0, -EINVAL (bad geometry or channels) or
 * -ENOMEM. Images under 5 pixels on a side give a zero hash, quality 0. */
int pdq_hash(const struct pdq_pixels *px, struct pdq_hash *hash, int *quality);

/* Like pdq_hash, but writes all eight dihedral hashes (out[PDQ_ORIG] is the
 * image's own hash) from one transform. Same returns. */
int pdq_hash_dihedral(const struct pdq_pixels *px, struct pdq_hash out[PDQ_DIH_MAX],
		      int *quality);

/* "orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipplus1",
 * "flipminus1" (the names used by the reference test data). */
const char *pdq_dihedral_name(enum pdq_dihedral d);

#endif
