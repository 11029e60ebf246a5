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

/* gcc 12 at -O2 only vectorises trivial loops; the filter's column sweeps
 * are the hot spot and vectorise without changing any float result (each
 * lane is one column's own sequence of operations). */
#if defined(__GNUC__) && !defined(__clang__)
#define PDQ_VECTORIZE __attribute__((optimize("tree-vectorize")))
#else
#define PDQ_VECTORIZE
#endif

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
	size_t n = (size_t)rows * cols, *colmap;

	l->y = malloc(n * sizeof(float));
	colmap = malloc(cols * sizeof(size_t));	/* byte offset of each source column */
	if (!l->y || !colmap) {
		free(colmap);
		free(l->y);
		l->y = NULL;
		return -ENOMEM;
	}
	l->rows = rows;
	l->cols = cols;
	for (uint32_t j = 0; j < cols; j++)
		colmap[j] = (squash ? (uint64_t)j * px->width / PDQ_PRESCALE : j) * px->channels;
	for (uint32_t i = 0; i < rows; i++) {
		uint64_t si = squash ? (uint64_t)i * px->height / PDQ_PRESCALE : i;
		const uint8_t *row = px->pix + si * px->stride;
		float *out = l->y + (size_t)i * cols;

		for (uint32_t j = 0; j < cols; j++)
			out[j] = luma_px(row + colmap[j], px->channels);
	}
	free(colmap);
	return 0;
}

/* Box filter of window w down the n rows of an n x m matrix (every column
 * at once, so the inner loops vectorise): out[k][j] is the mean of
 * in[k-(w-half) .. k+half-1][j], clipped at the edges. Per column this is
 * exactly the reference's float running sum in four phases (add the
 * entering sample, then subtract the leaving one, divide by the count), so
 * the result is bit-identical to filtering one column at a time. */
static PDQ_VECTORIZE void sweep(const float *restrict in, float *restrict out, uint32_t n, uint32_t m,
		  uint32_t w, float *restrict sum)
{
	uint32_t half = (w + 2) / 2;
	const float *add = in, *sub = in;
	int count = 0;

	memset(sum, 0, m * sizeof(float));
	for (uint32_t i = 0; i < half - 1; i++, add += m, count++)
		for (uint32_t j = 0; j < m; j++)
			sum[j] += add[j];
	for (uint32_t i = 0; i < w - half + 1; i++, add += m, out += m) {
		count++;
		for (uint32_t j = 0; j < m; j++) {
			sum[j] += add[j];
			out[j] = sum[j] / count;
		}
	}
	for (uint32_t i = 0; i < n - w; i++, add += m, sub += m, out += m)
		for (uint32_t j = 0; j < m; j++) {
			sum[j] += add[j];
			sum[j] -= sub[j];
			out[j] = sum[j] / count;
		}
	for (uint32_t i = 0; i < half - 1; i++, sub += m, out += m) {
		count--;
		for (uint32_t j = 0; j < m; j++) {
			sum[j] -= sub[j];
			out[j] = sum[j] / count;
		}
	}
}

/* out (cols x rows) = in (rows x cols) transposed, in cache-sized tiles. */
static void transpose(const float *restrict in, float *restrict out, uint32_t rows,
		      uint32_t cols)
{
	enum { T = 32 };

	for (uint32_t i0 = 0; i0 < rows; i0 += T) {
		uint32_t imax = i0 + T < rows ? i0 + T : rows;

		for (uint32_t j0 = 0; j0 < cols; j0 += T) {
			uint32_t jmax = j0 + T < cols ? j0 + T : cols;

			for (uint32_t j = j0; j < jmax; j++)
				for (uint32_t i = i0; i < imax; i++)
					out[(size_t)j * rows + i] = in[(size_t)i * cols + j];
		}
	}
}

/* Jarosz filter: PASSES rounds of a box filter along each row (window
 * ceil(cols/128)) then along each column (ceil(rows/128)). Rows are
 * filtered as columns of the transpose. Filters l->y in place; tmp holds
 * rows*cols floats and sum max(rows, cols). */
static void jarosz(struct luma *l, float *tmp, float *sum)
{
	uint32_t wx = (l->cols + 2 * DIM - 1) / (2 * DIM);
	uint32_t wy = (l->rows + 2 * DIM - 1) / (2 * DIM);

	for (int p = 0; p < PASSES; p++) {
		transpose(l->y, tmp, l->rows, l->cols);
		sweep(tmp, l->y, l->cols, l->rows, wx, sum);
		transpose(l->y, tmp, l->cols, l->rows);
		sweep(tmp, l->y, l->rows, l->cols, wy, sum);
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
		size_t n = (size_t)l.rows * l.cols;

		/* One block: the transpose buffer, then the running sums. */
		tmp = malloc((n + (l.rows > l.cols ? l.rows : l.cols)) * sizeof(float));
		if (!tmp) {
			err = -ENOMEM;
			goto out;
		}
		jarosz(&l, tmp, tmp + n);
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
