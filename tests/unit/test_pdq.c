// SPDX-License-Identifier: GPL-2.0
/* pdq: bit order (shared struct pdq_hash), distance, the reference's values on real
 * pixels (grey and RGB, squashed and not, all eight dihedral hashes), the
 * 512 squash, the minimum size, and argument checks. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ewtest.h"
#include "imgenc.h"
#include "image/image.h"
#include "image/pdq.h"

/* Reference values from <test data>/pdq/expected.json. */
static const char *const sq128[PDQ_DIH_MAX] = {
	"d8f8f1eec0f4a84f0e37022a078f63f0b36e2ed596621e1d33e6239c4e9c9b22",
	"30a11efd51c03d429053d48d0fffbc72e34e0e17ada956a9d69685211aa9e5af",
	"8dad5b64bda102e55b62a88052dacd5ae63b847fc337b4b766b389361bc93188",
	"a5f0b457049995e8cd065e275aaa16d8b61ba4bdb8bcfc0383c32f8b0bfc4f05",
	"d8f80e11c0f457b00e37fdd5078f980fb36ed10a9662e1e233e64c634e9c64dd",
	"0dad249991a1fd1a5362577d42da32a5e63b7b80c3374b4846b346c91bc9ce77",
	"f0a1e10251ccc0b998530a720fff438de34ef1e8eda9a956d6967ade5ea91a50",
	"a5f44ba824996a13ed06a1d85aaae927b61b5b42f8fc03fc83c3d0740bfcb0fa",
};
static const char *const bridge[PDQ_DIH_MAX] = {
	"d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22",
	"f0a10efd51c83d429053d48d0fffbc52e34e0e17ada956a9d29685211ea9e58f",
	"adad5a64b5a102e55b62a88052dacd5ae63b847fc337b4b766b399361bc93188",
	"a5f0b457248995e8c1065c275aaa56d8b61ba4bdf8fcfc0383c32f8b0bfc4f05",
	"d8f80f31e0f457b00637f5d5038f980fb36ed12a9662c1e233e64c634e9c64dd",
	"8dada49991a1bd1a5362577742da32a5e63b7b80c2364b4866b346c91bc9ce77",
	"f0a1e10271ccc0bd90530b720fff038de34ef1e8ada9a956d6967ade5ea91a50",
	"a5f44ba8a4996a17cd06a1d85aaaa927b61b5b42f8fc03fc83c3d0740bfcb0fa",
};

/* Our bits land where pdqindex.h (the shared type) says: bit k = 16i+j. */
static void bit_order(void **state)
{
	uint8_t *pic = imgenc_picture(64, 40, 1, 5);
	struct pdq_pixels px = { pic, 64, 40, 1, 64 };
	struct pdq_hash h;
	char hex[PDQ_HEX_LEN + 1];
	int q, set = 0;

	(void)state;
	assert_int_equal(pdq_hash(&px, &h, &q), 0);
	for (unsigned k = 0; k < 256; k++)
		set += pdq_hash_get_bit(&h, k);
	assert_int_equal(set, 128);
	pdq_hash_to_hex(&h, hex);
	assert_int_equal(strlen(hex), PDQ_HEX_LEN);
	free(pic);
}

static void distance(void **state)
{
	struct pdq_hash a, b;

	(void)state;
	assert_int_equal(pdq_hash_from_hex(bridge[0], PDQ_HEX_LEN, &a), 0);
	/* bridge-mods__sharpen-a-little.jpg: 6 bits from the original. */
	assert_int_equal(pdq_hash_from_hex("d8f8f0cee0f4a84f0e370222038f67f0b36e2ed596231e1d33e6b39c4e9c9b22",
					   PDQ_HEX_LEN, &b), 0);
	assert_int_equal(pdq_hash_distance(&a, &b), 6);
	assert_int_equal(pdq_hash_distance(&a, &a), 0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0xff, sizeof(b));
	assert_int_equal(pdq_hash_distance(&a, &b), 256);
}

static int decode_file(const char *path, struct image *img)
{
	struct image_error err;
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;
	int ret = -1;

	if (!f)
		return -1;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
			ret = image_decode(buf, (size_t)n, NULL, img, &err);
		free(buf);
	}
	fclose(f);
	return ret;
}

static void check_reference(const char *file, unsigned channels, const char *const want[])
{
	struct pdq_hash h[PDQ_DIH_MAX], one;
	struct image img;
	struct pdq_pixels px;
	char hex[PDQ_HEX_LEN + 1];
	int q = -1, q1 = -1;

	if (decode_file(file, &img))
		fail_msg("couldn't decode %s", file);
	assert_int_equal(img.channels, channels);
	px = (struct pdq_pixels){ img.pix, img.width, img.height, img.channels,
				  (size_t)img.width * img.channels };
	assert_int_equal(pdq_hash_dihedral(&px, h, &q), 0);
	assert_int_equal(q, 100);
	for (int v = 0; v < PDQ_DIH_MAX; v++) {
		pdq_hash_to_hex(&h[v], hex);
		assert_string_equal(hex, want[v]);
	}
	assert_int_equal(pdq_hash(&px, &one, &q1), 0);
	assert_int_equal(q1, 100);
	assert_memory_equal(&one, &h[PDQ_ORIG], sizeof(one));
	image_free(&img);
}

static void reference_values(void **state)
{
	(void)state;
	check_reference(ewtest_data("pdq/images/bridge-mods__square-128x128.jpg"), 3, sq128);
	check_reference(ewtest_data("pdq/images/modes__L.png"), 1, bridge);	/* grey, squashed */
	check_reference(ewtest_data("pdq/images/modes__RGB.jpg"), 3, bridge);	/* RGB, squashed */
}

/* Over 512 on a side: the same hash as the image squashed by hand with
 * source index floor(d * size / 512). */
static void squash(void **state)
{
	const uint32_t w = 1030, h = 300;
	uint8_t *pic = imgenc_picture(w, h, 3, 7), *sq = malloc(512 * 512 * 3);
	struct pdq_pixels big = { pic, w, h, 3, (size_t)w * 3 }, small = { sq, 512, 512, 3, 1536 };
	struct pdq_hash a, b;
	int qa, qb;

	(void)state;
	for (uint32_t y = 0; y < 512; y++)
		for (uint32_t x = 0; x < 512; x++)
			memcpy(sq + (y * 512 + x) * 3, pic + ((size_t)(y * h / 512) * w + x * w / 512) * 3,
			       3);
	assert_int_equal(pdq_hash(&big, &a, &qa), 0);
	assert_int_equal(pdq_hash(&small, &b, &qb), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(qa, qb);
	/* Row stride larger than the row is honoured. */
	big.width = 1000;
	assert_int_equal(pdq_hash(&big, &a, &qa), 0);
	free(pic);
	free(sq);
}

/* Under 5 pixels a side: zero hash, quality 0; 4x600 is squashed first. */
static void tiny(void **state)
{
	uint8_t *pic = imgenc_picture(600, 600, 1, 9);
	struct pdq_pixels px = { pic, 4, 4, 1, 4 };
	struct pdq_hash h[PDQ_DIH_MAX], zero = { { 0 } };
	int q = -1;

	(void)state;
	assert_int_equal(pdq_hash(&px, &h[0], &q), 0);
	assert_int_equal(q, 0);
	assert_memory_equal(&h[0], &zero, sizeof(zero));
	assert_int_equal(pdq_hash_dihedral(&px, h, &q), 0);
	for (int v = 0; v < PDQ_DIH_MAX; v++)
		assert_memory_equal(&h[v], &zero, sizeof(zero));
	px = (struct pdq_pixels){ pic, 4, 600, 1, 600 };
	assert_int_equal(pdq_hash(&px, &h[0], &q), 0);
	assert_int_equal(pdq_hash_distance(&h[0], &zero), 128);
	px = (struct pdq_pixels){ pic, 5, 5, 1, 600 };
	assert_int_equal(pdq_hash(&px, &h[0], &q), 0);
	assert_int_equal(pdq_hash_distance(&h[0], &zero), 128);
	free(pic);
}

/* Rotating the pixels of a smooth picture lands near the predicted rot90
 * hash and far from the other seven (the prediction is not exact: the
 * filter window and the sampling grid are not symmetric). */
static void dihedral_predicts_rotation(void **state)
{
	const uint32_t n = 200;
	uint8_t *pic = malloc(n * n), *rot = malloc(n * n);
	struct pdq_pixels px = { pic, n, n, 1, n }, pr = { rot, n, n, 1, n };
	struct pdq_hash h[PDQ_DIH_MAX], r;
	int q;

	(void)state;
	for (uint32_t y = 0; y < n; y++)
		for (uint32_t x = 0; x < n; x++)
			pic[y * n + x] = (uint8_t)(128 + 60 * sin(x / 23.0) * cos(y / 37.0) +
						   40 * sin((x + 2.0 * y) / 50.0));
	/* 90 degrees counter-clockwise: the old right column becomes the top row. */
	for (uint32_t y = 0; y < n; y++)
		for (uint32_t x = 0; x < n; x++)
			rot[y * n + x] = pic[x * n + (n - 1 - y)];
	assert_int_equal(pdq_hash_dihedral(&px, h, &q), 0);
	assert_int_equal(pdq_hash(&pr, &r, &q), 0);
	assert_in_range(pdq_hash_distance(&r, &h[PDQ_ROT90]), 0, 24);
	for (int v = 0; v < PDQ_DIH_MAX; v++)
		if (v != PDQ_ROT90)
			assert_in_range(pdq_hash_distance(&r, &h[v]), 40, 256);
	free(pic);
	free(rot);
}

static void flat_is_low_quality(void **state)
{
	uint8_t *flat = calloc(100 * 80, 3);
	struct pdq_pixels px = { flat, 100, 80, 3, 300 };
	struct pdq_hash h;
	int q = -1;

	(void)state;
	memset(flat, 128, 100 * 80 * 3);
	assert_int_equal(pdq_hash(&px, &h, &q), 0);
	assert_int_equal(q, 0);
	free(flat);
}

static void bad_args(void **state)
{
	uint8_t pix[64] = { 0 };
	struct pdq_pixels px = { pix, 4, 4, 2, 8 };
	struct pdq_hash h;
	int q;

	(void)state;
	assert_int_equal(pdq_hash(&px, &h, &q), -EINVAL);
	px = (struct pdq_pixels){ pix, 4, 4, 3, 11 };
	assert_int_equal(pdq_hash(&px, &h, &q), -EINVAL);
	px = (struct pdq_pixels){ pix, 0, 4, 1, 4 };
	assert_int_equal(pdq_hash(&px, &h, &q), -EINVAL);
	assert_int_equal(pdq_hash(NULL, &h, &q), -EINVAL);
	assert_string_equal(pdq_dihedral_name(PDQ_FLIPMINUS1), "flipminus1");
	assert_string_equal(pdq_dihedral_name(PDQ_DIH_MAX), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bit_order),
		cmocka_unit_test(distance),
		cmocka_unit_test(reference_values),
		cmocka_unit_test(squash),
		cmocka_unit_test(tiny),
		cmocka_unit_test(dihedral_predicts_rotation),
		cmocka_unit_test(flat_is_low_quality),
		cmocka_unit_test(bad_args),
	};
	return ewtest_run(tests);
}
