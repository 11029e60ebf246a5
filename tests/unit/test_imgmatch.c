// SPDX-License-Identifier: GPL-2.0
/* imgmatch: an image body hashed through the worker equals the in-process
 * PDQ; list hits within the threshold carry list, category, label and
 * distance, one past the threshold is not hit; the quality gate; non-images,
 * incomplete, over-cap and undecodable bodies give the documented reasons;
 * buffers are released and counted. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "imgenc.h"
#include "object/imgmatch.h"
#include "image/pdq.h"

#define W 120
#define H 90

struct fixture {
	uint8_t *png;
	size_t len;
	struct pdq_hash want;
	int quality;
	struct pdqdb *db;
};

/* want with the first n hash bits flipped */
static struct pdq_hash flipped(const struct pdq_hash *h, unsigned n)
{
	struct pdq_hash f = *h;

	for (unsigned k = 0; k < n; k++)
		f.b[31 - k / 8] ^= (uint8_t)(1u << (k % 8));
	return f;
}

/* Group name with one list of one entry. */
static void add_list(struct pdqdb *db, const char *name, const char *cat, unsigned threshold,
		     const struct pdq_hash *h, const char *label)
{
	struct pdqlist_info info = {.threshold = threshold};
	struct pdqindex_builder *b = pdqindex_builder_new();

	snprintf(info.name, sizeof(info.name), "%s", name);
	snprintf(info.category, sizeof(info.category), "%s", cat);
	assert_int_equal(pdqindex_builder_add(b, h, 0, PDQ_QUALITY_NONE, label), 0);
	assert_int_equal(pdqdb_replace(db, name, pdqindex_build(b), &info, 1), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	uint8_t *pic = imgenc_picture(W, H, 3, 7);
	struct pdq_pixels px = {pic, W, H, 3, W * 3};
	struct pdq_hash near, far;

	assert_int_equal(imgenc_png8(pic, W, H, 3, &fx->png, &fx->len), 0);
	assert_int_equal(pdq_hash(&px, &fx->want, &fx->quality), 0);
	assert_true(fx->quality >= 50);
	free(pic);
	near = flipped(&fx->want, 7);
	far = flipped(&fx->want, 9);
	fx->db = pdqdb_new();
	add_list(fx->db, "near", "A1", 31, &near, "entry-7");
	add_list(fx->db, "tight", "B2", 8, &far, "entry-9");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	pdqdb_free(fx->db);
	free(fx->png);
	free(fx);
	return 0;
}

static struct imgmatch *stage(struct fixture *fx, int min_quality, size_t obj_cap,
			      size_t total_cap)
{
	struct imgmatch_conf c = {.min_quality = min_quality,
				  .obj_cap = obj_cap,
				  .total_cap = total_cap,
				  .db = fx->db};
	struct imgmatch *im = imgmatch_new(&c);

	assert_non_null(im);
	assert_true(imgmatch_active(im));
	return im;
}

/* Feeds p in pieces of 1000 bytes, as a parser would. */
static void feed(struct imgmatch *im, struct imgmatch_buf *b, const uint8_t *p, size_t len)
{
	for (size_t off = 0; off < len; off += 1000)
		imgmatch_buf_add(im, b, p + off, len - off < 1000 ? len - off : 1000);
}

static void hashed_and_matched(void **state)
{
	struct fixture *fx = *state;
	struct imgmatch *im = stage(fx, 50, 0, 0);
	struct imgmatch_buf b = {0};
	struct imgmatch_result r;

	feed(im, &b, fx->png, fx->len);
	imgmatch_object(im, "png", NULL, &b, &r);
	assert_true(r.image && r.hashed && !r.gated);
	assert_memory_equal(r.hash.b, fx->want.b, PDQ_HASH_BYTES);
	assert_int_equal(r.quality, fx->quality);
	/* "near" (7 bits off, threshold 31) hits; "tight" (9 off, threshold 8) not */
	assert_int_equal(r.nhits, 1);
	assert_string_equal(r.hits[0].list, "near");
	assert_string_equal(r.hits[0].category, "A1");
	assert_string_equal(r.hits[0].label, "entry-7");
	assert_int_equal(r.hits[0].distance, 7);
	assert_int_equal(r.hits[0].threshold, 31);
	imgmatch_buf_free(im, &b);
	assert_int_equal(imgmatch_stats(im)->hashed, 1);
	assert_int_equal(imgmatch_stats(im)->matches, 1);
	assert_int_equal(imgmatch_stats(im)->matched, 1);
	assert_true(imgmatch_stats(im)->buffered_peak >= fx->len);
	imgmatch_free(im);
}

/* A list holding the hash of the picture turned 90 degrees: a plain list
 * does not match the upright picture, the same list marked dihedral does
 * (through the picture's rot270 variant), once. */
static void dihedral_lists(void **state)
{
	struct fixture *fx = *state;
	uint8_t *pic = imgenc_picture(W, H, 3, 7);
	struct pdq_pixels px = {pic, W, H, 3, W * 3};
	struct pdq_hash dih[PDQ_DIH_MAX];
	struct imgmatch_buf b = {0};
	struct imgmatch_result r;
	struct imgmatch *im;
	int q;

	assert_int_equal(pdq_hash_dihedral(&px, dih, &q), 0);
	free(pic);
	assert_true(pdq_hash_distance(&dih[PDQ_ROT90], &fx->want) > 31);
	pdqdb_remove(fx->db, "near");
	pdqdb_remove(fx->db, "tight");
	add_list(fx->db, "turned", "A1", 31, &dih[PDQ_ROT90], "rot90");
	assert_false(pdqdb_dihedral(fx->db));
	for (int pass = 0; pass < 2; pass++) {
		im = stage(fx, 50, 0, 0);
		feed(im, &b, fx->png, fx->len);
		imgmatch_object(im, "png", NULL, &b, &r);
		assert_true(r.hashed);
		assert_memory_equal(r.hash.b, fx->want.b, PDQ_HASH_BYTES); /* still its own */
		assert_int_equal(r.nhits, pass);
		if (pass) {
			assert_string_equal(r.hits[0].label, "rot90");
			assert_true(r.hits[0].dihedral);
		}
		imgmatch_buf_free(im, &b);
		imgmatch_free(im);
		assert_int_equal(pdqdb_set_dihedral(fx->db, "turned", true), 0);
		assert_true(pdqdb_dihedral(fx->db));
	}
}

static void quality_gate(void **state)
{
	struct fixture *fx = *state;
	struct imgmatch *im = stage(fx, fx->quality + 1, 0, 0);
	struct imgmatch_buf b = {0};
	struct imgmatch_result r;

	feed(im, &b, fx->png, fx->len);
	imgmatch_object(im, "png", NULL, &b, &r);
	assert_true(r.hashed && r.gated);
	assert_int_equal(r.nhits, 0);
	assert_int_equal(imgmatch_stats(im)->low_quality, 1);
	assert_int_equal(imgmatch_stats(im)->matches, 0);
	imgmatch_buf_free(im, &b);
	imgmatch_free(im);
}

static void not_an_image_is_not_buffered(void **state)
{
	struct fixture *fx = *state;
	struct imgmatch *im = stage(fx, 50, 0, 0);
	struct imgmatch_buf b = {0};
	struct imgmatch_result r;
	uint8_t html[2000];

	memset(html, 'a', sizeof(html));
	memcpy(html, "<html>", 6);
	feed(im, &b, html, sizeof(html));
	assert_null(b.p);
	assert_int_equal(b.cap, 0);
	imgmatch_object(im, "html", NULL, &b, &r);
	assert_false(r.image);
	assert_int_equal(imgmatch_stats(im)->images, 0);
	imgmatch_free(im);
}

static void incomplete_not_hashed(void **state)
{
	struct fixture *fx = *state;
	struct imgmatch *im = stage(fx, 50, 0, 0);
	struct imgmatch_buf b = {0};
	struct imgmatch_result r;

	feed(im, &b, fx->png, fx->len / 2);
	imgmatch_object(im, "png", "gap", &b, &r);
	assert_true(r.image && !r.hashed);
	assert_string_equal(r.error, "not hashed: object incomplete (gap)");
	assert_int_equal(imgmatch_stats(im)->incomplete, 1);
	imgmatch_buf_free(im, &b);
	imgmatch_whole(im, fx->png, fx->len / 2, "gap", &r);
	assert_string_equal(r.error, "not hashed: object incomplete (gap)");
	imgmatch_free(im);
}

static void caps(void **state)
{
	struct fixture *fx = *state;
	struct imgmatch *im = stage(fx, 50, 3000, 6000);
	struct imgmatch_buf a = {0}, b = {0}, c = {0};
	struct imgmatch_result r;

	assert_true(fx->len > 3000);
	feed(im, &a, fx->png, fx->len);
	assert_null(a.p);
	imgmatch_object(im, "png", NULL, &a, &r);
	assert_string_equal(r.error,
			    "not hashed: body over the per-object buffer cap of 3000 bytes");
	/* two buffers of 3000 fit the 6000 total; a third does not */
	feed(im, &b, fx->png, 2500);
	feed(im, &c, fx->png, 2500);
	assert_non_null(b.p);
	assert_non_null(c.p);
	imgmatch_buf_free(im, &b);
	feed(im, &b, fx->png, 2500);
	assert_non_null(b.p);
	imgmatch_buf_free(im, &a);
	a = (struct imgmatch_buf){0};
	imgmatch_buf_add(im, &a, fx->png, 100);
	assert_null(a.p);
	imgmatch_object(im, "png", NULL, &a, &r);
	assert_string_equal(r.error,
			    "not hashed: body over the global buffer cap of 6000 bytes");
	assert_int_equal(imgmatch_stats(im)->over_cap, 2);
	imgmatch_whole(im, fx->png, fx->len, NULL, &r);
	assert_string_equal(r.error,
			    "not hashed: body over the per-object buffer cap of 3000 bytes");
	imgmatch_buf_free(im, &b);
	imgmatch_buf_free(im, &c);
	imgmatch_free(im);
}

static void undecodable_reported(void **state)
{
	struct fixture *fx = *state;
	struct imgmatch *im = stage(fx, 50, 0, 0);
	struct imgmatch_result r;
	uint8_t bad[600];

	memcpy(bad, fx->png, sizeof(bad));
	memset(bad + 16, 0x5a, 32); /* breaks IHDR */
	imgmatch_whole(im, bad, sizeof(bad), NULL, &r);
	assert_true(r.image && !r.hashed);
	assert_int_equal(strncmp(r.error, "undecodable: png: ", 18), 0);
	assert_int_equal(imgmatch_stats(im)->undecodable, 1);
	/* the stage goes on: the next image is hashed */
	imgmatch_whole(im, fx->png, fx->len, NULL, &r);
	assert_true(r.hashed);
	assert_memory_equal(r.hash.b, fx->want.b, PDQ_HASH_BYTES);
	imgmatch_free(im);
}

static void inactive_without_lists(void **state)
{
	struct imgmatch_conf c = {.min_quality = 50};
	struct imgmatch *im = imgmatch_new(&c);
	struct imgmatch_buf b = {0};
	struct imgmatch_result r;
	struct fixture *fx = *state;

	assert_non_null(im);
	assert_false(imgmatch_active(im));
	feed(im, &b, fx->png, fx->len);
	assert_null(b.p);
	imgmatch_object(im, "png", NULL, &b, &r);
	assert_false(r.image);
	imgmatch_free(im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hashed_and_matched, setup, teardown),
		cmocka_unit_test_setup_teardown(quality_gate, setup, teardown),
		cmocka_unit_test_setup_teardown(dihedral_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(not_an_image_is_not_buffered, setup, teardown),
		cmocka_unit_test_setup_teardown(incomplete_not_hashed, setup, teardown),
		cmocka_unit_test_setup_teardown(caps, setup, teardown),
		cmocka_unit_test_setup_teardown(undecodable_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(inactive_without_lists, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
