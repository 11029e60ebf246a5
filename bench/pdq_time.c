// SPDX-License-Identifier: GPL-2.0
/* pdq_time: the decode + PDQ time of given image files as the agent pays
 * it (in the sandboxed worker, imgsandbox_hash), median of RUNS each, in
 * microseconds: the part of an inline image's latency that is the image's
 * own, for bench/inline_bench.sh.
 * Usage: pdq_time RUNS FILE...   prints "FILE MEDIAN_US" per file */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "image/imgsandbox.h"

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int time_file(struct imgsandbox *sb, const char *path, int runs)
{
	struct imgsandbox_result res;
	double *t = calloc((size_t)runs, sizeof(*t));
	FILE *f = fopen(path, "rb");
	static char buf[64 << 20];
	size_t n;

	if (!f || !t) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	imgsandbox_hash(sb, buf, n, 0, &res); /* the worker is forked on the first */
	for (int i = 0; i < runs; i++) {
		double t0 = now_us();

		if (imgsandbox_hash(sb, buf, n, 0, &res)) {
			fprintf(stderr, "%s: %s\n", path, res.reason);
			return 1;
		}
		t[i] = now_us() - t0;
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp);
	printf("%s %.0f\n", path, t[runs / 2]);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	struct imgsandbox *sb = imgsandbox_new(NULL);
	int runs = argc > 1 ? atoi(argv[1]) : 0, rc = 0;

	if (argc < 3 || runs < 1 || !sb) {
		fprintf(stderr, "usage: pdq_time RUNS FILE...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		rc |= time_file(sb, argv[i], runs);
	imgsandbox_free(sb);
	return rc;
}
