// SPDX-License-Identifier: GPL-2.0
/* Images per second through decode alone (the baseline), decode + PDQ, and
 * decode + PDQ in the imgsandbox worker (what the agent runs), for a
 * 1024x768 JPEG and a 300x300 PNG generated here (gradients and noise).
 * Prints medians over runs and the ratios to the baseline.
 * Usage: pdq_bench [RUNS] [SECONDS_PER_RUN] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "imgenc.h"
#include "image/image.h"
#include "image/imgsandbox.h"
#include "image/pdq.h"

enum mode { DECODE, DECODE_PDQ, SANDBOX, MODES };

static const char *const mode_names[MODES] = { "decode", "decode+pdq", "sandbox decode+pdq" };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int one(enum mode m, struct imgsandbox *sb, const uint8_t *buf, size_t len)
{
	struct imgsandbox_result r;
	struct image_error err;
	struct pdq_hash h;
	struct image img;
	int q, ret;

	if (m == SANDBOX)
		return imgsandbox_hash(sb, buf, len, 0, &r);
	ret = image_decode(buf, len, NULL, &img, &err);
	if (ret)
		return ret;
	if (m == DECODE_PDQ)
		ret = pdq_hash(&(struct pdq_pixels){ img.pix, img.width, img.height, img.channels,
						     (size_t)img.width * img.channels },
			       &h, &q);
	image_free(&img);
	return ret;
}

/* Images per second over about secs seconds. */
static double rate(enum mode m, struct imgsandbox *sb, const uint8_t *buf, size_t len,
		   double secs)
{
	double t0 = now_s(), t;
	long n = 0;

	do {
		if (one(m, sb, buf, len)) {
			fprintf(stderr, "pdq_bench: %s failed\n", mode_names[m]);
			exit(1);
		}
		n++;
		t = now_s() - t0;
	} while (t < secs);
	return n / t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bench_image(const char *name, const uint8_t *buf, size_t len, int runs, double secs,
			struct imgsandbox *sb)
{
	double med[MODES], r[64];

	for (int m = 0; m < MODES; m++) {
		for (int i = 0; i < runs; i++)
			r[i] = rate(m, sb, buf, len, secs);
		qsort(r, runs, sizeof(double), cmp_double);
		med[m] = r[runs / 2];
	}
	printf("%-22s %8zu bytes\n", name, len);
	for (int m = 0; m < MODES; m++)
		printf("  %-20s %9.1f images/s  %7.3f ms/image  time x%.2f of decode\n",
		       mode_names[m], med[m], 1000 / med[m], med[DECODE] / med[m]);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	double secs = argc > 2 ? atof(argv[2]) : 0.4;
	uint8_t *big = imgenc_picture(1024, 768, 3, 1), *small = imgenc_picture(300, 300, 3, 2);
	struct imgsandbox *sb = imgsandbox_new(NULL);
	uint8_t *jpg, *png;
	size_t jlen, plen;

	if (runs < 1 || runs > 64 || secs <= 0 || !big || !small || !sb ||
	    imgenc_jpeg(big, 1024, 768, 3, 85, &jpg, &jlen) ||
	    imgenc_png8(small, 300, 300, 3, &png, &plen)) {
		fprintf(stderr, "usage: pdq_bench [RUNS 1-64] [SECONDS_PER_RUN]\n");
		return 2;
	}
	printf("pdq_bench: medians of %d runs of %.1f s; baseline = decode alone\n", runs, secs);
	bench_image("JPEG 1024x768 q85", jpg, jlen, runs, secs, sb);
	bench_image("PNG 300x300 RGB", png, plen, runs, secs, sb);
	imgsandbox_free(sb);
	free(jpg);
	free(png);
	free(big);
	free(small);
	return 0;
}
