// SPDX-License-Identifier: GPL-2.0
/* pdq: the PDQ perceptual hash of decoded pixels, between image decoding
 * (image.c, inside the imgsandbox worker) and the PDQ near-match index.
 * Every float operation follows the order of the reference C++ code so the
 * result is bit-exact given the same pixels (see PDQ_ALGORITHM_NOTES.md). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pdq.h"

#define DIM	64	/* decimated size */
#define NCOEF	16	/* DCT coefficients kept per axis */
#define PASSES	2	/* Jarosz box-filter passes */

/* Luminance of the (possibly squashed) image, row-major rows x cols. */
struct luma {
	float *y;
	uint32_t rows, cols;
};

static float luma_px(const uint8_t *p, unsigned channels)
{
	if (channels == 1)
		return p[0];
	/* Evaluated as (R + G) + B in float32, like the reference. */
	return 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
}

/* Loads luminance, squashing to 512x512 by nearest neighbour when a side is
 * over 512: destination index d samples floor(d * src / 512), which is what
 * CImg's resize (interpolation 1) does in the reference tool. */
static int luma_load(const struct pdq_pixels *px, struct luma *l)
{
	bool squash = px->width > PDQ_PRESCALE || px->height > PDQ_PRESCALE;
	uint32_t rows = squash ? PDQ_PRESCALE : px->height;
	uint32_t cols = squash ? PDQ_PRESCALE : px->width;
	size_t n = (size_t)rows * cols;

	l->y = malloc(n * sizeof(float));
	if (!l->y)
		return -ENOMEM;
	l->rows = rows;
	l->cols = cols;
	for (uint32_t i = 0; i < rows; i++) {
		uint64_t si = squash ? (uint64_t)i * px->height / PDQ_PRESCALE : i;
		const uint8_t *row = px->pix + si * px->stride;
		float *out = l->y + (size_t)i * cols;

		for (uint32_t j = 0; j < cols; j++) {
			uint64_t sj = squash ? (uint64_t)j * px->width / PDQ_PRESCALE : j;

			out[j] = luma_px(row + sj * px->channels, px->channels);
		}
	}
	return 0;
}

/* One-dimensional box filter of window w over n samples spaced stride
 * apart: out[k] is the mean of in[k-(w-half) .. k+half-1], clipped at the
 * edges. A float running sum in four phases, in the reference's order
 * (add the entering sample, then subtract the leaving one). */
static void box1d(const float *in, float *out, uint32_t n, size_t stride, uint32_t w)
{
	uint32_t half = (w + 2) / 2;
	size_t li = 0, ri = 0, oi = 0;
	float sum = 0.0f;
	int count = 0;

	for (uint32_t i = 0; i < half - 1; i++, ri += stride, count++)
		sum += in[ri];
	for (uint32_t i = 0; i < w - half + 1; i++, ri += stride, oi += stride) {
		sum += in[ri];
		count++;
		out[oi] = sum / count;
	}
	for (uint32_t i = 0; i < n - w; i++, li += stride, ri += stride, oi += stride) {
		sum += in[ri];
		sum -= in[li];
		out[oi] = sum / count;
	}
	for (uint32_t i = 0; i < half - 1; i++, li += stride, oi += stride) {
		sum -= in[li];
		count--;
		out[oi] = sum / count;
	}
}

/* Jarosz filter: PASSES rounds of a row box filter then a column box filter,
 * windows ceil(dim/128) per axis. Filters l->y in place using tmp. */
static void jarosz(struct luma *l, float *tmp)
{
	uint32_t wx = (l->cols + 2 * DIM - 1) / (2 * DIM);
	uint32_t wy = (l->rows + 2 * DIM - 1) / (2 * DIM);

	for (int p = 0; p < PASSES; p++) {
		for (uint32_t i = 0; i < l->rows; i++)
			box1d(l->y + (size_t)i * l->cols, tmp + (size_t)i * l->cols, l->cols, 1,
			      wx);
		for (uint32_t j = 0; j < l->cols; j++)
			box1d(tmp + j, l->y + j, l->rows, l->cols, wy);
	}
}

/* Point samples at the centres of a 64x64 grid (index arithmetic in double). */
static void decimate(const struct luma *l, float a[DIM * DIM])
{
	for (int i = 0; i < DIM; i++) {
		size_t si = (size_t)(((i + 0.5) * l->rows) / DIM);

		for (int j = 0; j < DIM; j++) {
			size_t sj = (size_t)(((j + 0.5) * l->cols) / DIM);

			a[i * DIM + j] = l->y[si * l->cols + sj];
		}
	}
}

/* Sum of truncated scaled neighbour differences, divided by 90, capped at 100. */
static int quality_of(const float a[DIM * DIM])
{
	int sum = 0;

	for (int i = 0; i < DIM - 1; i++)
		for (int j = 0; j < DIM; j++)
			sum += abs((int)(((a[i * DIM + j] - a[(i + 1) * DIM + j]) * 100) / 255));
	for (int i = 0; i < DIM; i++)
		for (int j = 0; j < DIM - 1; j++)
			sum += abs((int)(((a[i * DIM + j] - a[i * DIM + j + 1]) * 100) / 255));
	sum /= 90;
	return sum > 100 ? 100 : sum;
}

/* B = D A D^T with D the 16x64 DCT-II rows for frequencies 1..16, float32
 * accumulation with k ascending. */
static void dct16(const float a[DIM * DIM], float b[NCOEF * NCOEF])
{
	float d[NCOEF][DIM], t[NCOEF][DIM];

	for (int i = 0; i < NCOEF; i++)
		for (int j = 0; j < DIM; j++)
			d[i][j] = (float)(sqrt(2.0 / DIM) * cos((M_PI / (2 * DIM)) * (i + 1) *
								 (2 * j + 1)));
	for (int i = 0; i < NCOEF; i++)
		for (int j = 0; j < DIM; j++) {
			float s = 0.0f;

			for (int k = 0; k < DIM; k++)
				s += d[i][k] * a[k * DIM + j];
			t[i][j] = s;
		}
	for (int i = 0; i < NCOEF; i++)
		for (int j = 0; j < NCOEF; j++) {
			float s = 0.0f;

			for (int k = 0; k < DIM; k++)
				s += t[i][k] * d[j][k];
			b[i * NCOEF + j] = s;
		}
}

/* Insertion sort: 256 values, and unlike glibc's qsort it makes no system
 * call (qsort asks sysinfo for memory size), which the worker's seccomp
 * filter would refuse. */
static void sort_floats(float *v, int n)
{
	for (int i = 1; i < n; i++) {
		float x = v[i];
		int j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Sets bit k = 16i+j iff B[i][j] is above the lower median (the 128th
 * smallest of the 256 values). */
static void threshold(const float b[NCOEF * NCOEF], struct pdq_hash *h)
{
	float sorted[NCOEF * NCOEF], m;

	memcpy(sorted, b, sizeof(sorted));
	sort_floats(sorted, NCOEF * NCOEF);
	m = sorted[NCOEF * NCOEF / 2 - 1];
	memset(h, 0, sizeof(*h));
	for (int k = 0; k < NCOEF * NCOEF; k++)
		if (b[k] > m)
			pdq_hash_set_bit(h, (unsigned)k);
}

/* Pixels to the 16x16 DCT block and the quality. Returns 1 for an image too
 * small to hash, 0, or -errno. The 64x64 shortcut (no filtering) is the
 * reference's, on its non-dihedral path only. */
static int pdq_coefs(const struct pdq_pixels *px, bool dihedral, float b[NCOEF * NCOEF],
		     int *quality)
{
	struct luma l = { NULL, 0, 0 };
	float *tmp = NULL, a[DIM * DIM];
	int err;

	if (!px || !px->pix || !px->width || !px->height ||
	    (px->channels != 1 && px->channels != 3) ||
	    px->stride < (size_t)px->width * px->channels)
		return -EINVAL;
	*quality = 0;
	err = luma_load(px, &l);
	if (err)
		return err;
	/* Checked after the squash, as the reference does. */
	if (l.rows < PDQ_MIN_DIM || l.cols < PDQ_MIN_DIM) {
		err = 1;
		goto out;
	}
	if (!dihedral && l.rows == DIM && l.cols == DIM) {
		memcpy(a, l.y, sizeof(a));
	} else {
		tmp = malloc((size_t)l.rows * l.cols * sizeof(float));
		if (!tmp) {
			err = -ENOMEM;
			goto out;
		}
		jarosz(&l, tmp);
		decimate(&l, a);
	}
	*quality = quality_of(a);
	dct16(a, b);
out:
	free(tmp);
	free(l.y);
	return err;
}

int pdq_hash(const struct pdq_pixels *px, struct pdq_hash *hash, int *quality)
{
	float b[NCOEF * NCOEF];
	int err = pdq_coefs(px, false, b, quality);

	if (err < 0)
		return err;
	if (err == 1)
		memset(hash, 0, sizeof(*hash));
	else
		threshold(b, hash);
	return 0;
}

/* B' for one dihedral variant; the signs follow from the DCT basis of
 * frequency i+1 changing sign by (-1)^(i+1) under a mirror. */
static void dihedral_coefs(enum pdq_dihedral v, const float b[NCOEF * NCOEF],
			   float o[NCOEF * NCOEF])
{
	for (int i = 0; i < NCOEF; i++)
		for (int j = 0; j < NCOEF; j++) {
			float x = b[i * NCOEF + j];
			bool io = i & 1, jo = j & 1, sum_odd = (i + j) & 1;

			switch (v) {
			case PDQ_ORIG:
				o[i * NCOEF + j] = x;
				break;
			case PDQ_ROT90:
				o[j * NCOEF + i] = jo ? x : -x;
				break;
			case PDQ_ROT180:
				o[i * NCOEF + j] = sum_odd ? -x : x;
				break;
			case PDQ_ROT270:
				o[j * NCOEF + i] = io ? x : -x;
				break;
			case PDQ_FLIPX:
				o[i * NCOEF + j] = io ? x : -x;
				break;
			case PDQ_FLIPY:
				o[i * NCOEF + j] = jo ? x : -x;
				break;
			case PDQ_FLIPPLUS1:
				o[j * NCOEF + i] = x;
				break;
			default:
				o[j * NCOEF + i] = sum_odd ? -x : x;
				break;
			}
		}
}

int pdq_hash_dihedral(const struct pdq_pixels *px, struct pdq_hash out[PDQ_DIH_MAX],
		      int *quality)
{
	float b[NCOEF * NCOEF], o[NCOEF * NCOEF];
	int err = pdq_coefs(px, true, b, quality);

	if (err < 0)
		return err;
	for (int v = 0; v < PDQ_DIH_MAX; v++) {
		if (err == 1) {
			memset(&out[v], 0, sizeof(out[v]));
			continue;
		}
		dihedral_coefs(v, b, o);
		threshold(o, &out[v]);
	}
	return 0;
}

const char *pdq_dihedral_name(enum pdq_dihedral d)
{
	static const char *const names[PDQ_DIH_MAX] = {
		"orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipplus1", "flipminus1",
	};

	return (unsigned)d < PDQ_DIH_MAX ? names[d] : "?";
}
