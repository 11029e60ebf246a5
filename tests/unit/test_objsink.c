// SPDX-License-Identifier: GPL-2.0
/* objsink: drives object_ops by hand and checks the event lines: hashes of
 * decoded and wire bodies, the gap policy (no hash), range pieces stitched
 * into one matched object, and match events from a fake matcher; with the
 * image stage: PDQ members on image objects (complete, gapped, stitched)
 * and PDQ match lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "imgenc.h"
#include "object/objsink.h"
#include "image/pdq.h"

/* SHA-256 of "hello world" and of "" */
#define HELLO_SHA256 "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
#define ABC_SHA256   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

struct fixture {
	char *buf;
	size_t len;
	FILE *f;
	struct ej_writer w;
	struct objsink_matcher m;
	struct objsink *s;
	uint8_t listed[32]; /* the one SHA-256 the fake list holds */
};

static int fake_lookup(void *ctx, enum hash_type t, const uint8_t *d, struct objsink_hit *hits,
		       int max)
{
	struct fixture *fx = ctx;

	if (t != HASH_T_SHA256 || memcmp(d, fx->listed, 32) || max < 1)
		return 0;
	objsink_copy_name(hits[0].list, "test");
	objsink_copy_name(hits[0].category, "cat");
	return 1;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct objsink_conf c = {.log_mask = HASH_SHA256};

	fx->f = open_memstream(&fx->buf, &fx->len);
	ej_init(&fx->w, fx->f);
	fx->m.need = HASH_SHA256;
	fx->m.lookup = fake_lookup;
	fx->m.ctx = fx;
	hash_unhex(HASH_T_SHA256, HELLO_SHA256, fx->listed);
	c.out = &fx->w;
	c.matcher = &fx->m;
	fx->s = objsink_new(&c);
	assert_non_null(fx->s);
	objsink_set_source(fx->s, "t.pcap");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	objsink_free(fx->s);
	ej_free(&fx->w);
	fclose(fx->f);
	free(fx->buf);
	free(fx);
	return 0;
}

static const char *text(struct fixture *fx)
{
	fflush(fx->f);
	return fx->buf ? fx->buf : "";
}

static void meta(struct obj_meta *m, const char *uri, const char *ce)
{
	memset(m, 0, sizeof(*m));
	m->kind = OBJ_RESPONSE_BODY;
	m->ts_ns = 1000000000ull;
	m->method = "GET";
	m->host = "h.example";
	m->uri = uri;
	m->status = 200;
	m->content_type = "text/plain";
	m->content_encoding = ce;
	m->transfer_encoding = "";
	m->filename = "";
	m->etag = "\"e\"";
	m->last_modified = "";
	m->declared_len = -1;
	m->range_first = m->range_last = m->range_total = -1;
}

/* One object: body bytes (wire = decoded unless wire given), flags. */
static void object(struct fixture *fx, struct obj_meta *m, const char *wire, const char *body,
		   unsigned flags)
{
	const struct object_ops *ops = objsink_object_ops();
	struct obj_end e = {.flags = flags, .ts_ns = 2000000000ull, .sniffed = "", .error = ""};
	void *o = ops->begin(fx->s, m);

	assert_non_null(o);
	wire = wire ? wire : body;
	ops->wire(o, (const uint8_t *)wire, strlen(wire));
	ops->data(o, (const uint8_t *)body, strlen(body));
	e.wire_len = strlen(wire);
	e.decoded_len = strlen(body);
	ops->end(o, &e);
}

static void complete_object_matches(void **state)
{
	struct fixture *fx = *state;
	struct obj_meta m;

	meta(&m, "/a?x=\"1\"", "");
	object(fx, &m, NULL, "hello world", OBJ_COMPLETE);
	assert_string_equal(
		text(fx),
		"{\"event\":\"object\",\"id\":1,\"source\":\"t.pcap\","
		"\"ts\":\"1970-01-01T00:00:01.000000Z\",\"kind\":\"response\","
		"\"host\":\"h.example\",\"uri\":\"/a?x=\\\"1\\\"\",\"flow\":null,"
		"\"ts_end\":\"1970-01-01T00:00:02.000000Z\",\"seq\":0,\"method\":\"GET\","
		"\"status\":200,\"content_type\":\"text/plain\",\"content_encoding\":\"\","
		"\"transfer_encoding\":\"\",\"filename\":\"\",\"etag\":\"\\\"e\\\"\","
		"\"last_modified\":\"\",\"declared_length\":null,\"range\":null,"
		"\"sniffed\":\"\",\"size\":11,\"wire_size\":11,\"flags\":[\"complete\"],"
		"\"anomalies\":[],\"sha256\":\"" HELLO_SHA256 "\",\"wire\":null,"
		"\"error\":null,\"stitch\":null}\n"
		"{\"event\":\"match\",\"object\":1,\"source\":\"t.pcap\","
		"\"ts\":\"1970-01-01T00:00:01.000000Z\",\"kind\":\"response\","
		"\"host\":\"h.example\",\"uri\":\"/a?x=\\\"1\\\"\",\"flow\":null,"
		"\"list\":\"test\",\"category\":\"cat\",\"hash_type\":\"sha256\","
		"\"hash\":\"" HELLO_SHA256 "\",\"body\":\"decoded\"}\n");
	assert_int_equal(objsink_stats(fx->s)->matches, 1);
	assert_int_equal(objsink_stats(fx->s)->matched, 1);
}

static void gap_has_no_hash(void **state)
{
	struct fixture *fx = *state;
	struct obj_meta m;

	meta(&m, "/gap", "");
	object(fx, &m, NULL, "hello world", OBJ_TRUNCATED | OBJ_GAP);
	assert_non_null(strstr(text(fx), "\"flags\":[\"truncated\",\"gap\"]"));
	assert_non_null(strstr(text(fx), "\"sha256\":null"));
	assert_null(strstr(text(fx), "\"match\""));
	assert_int_equal(objsink_stats(fx->s)->unhashed, 1);
	assert_int_equal(objsink_stats(fx->s)->matches, 0);
}

static void bomb_has_no_hash(void **state)
{
	struct fixture *fx = *state;
	struct obj_meta m;

	meta(&m, "/bomb", "gzip");
	object(fx, &m, "xx", "hello world", OBJ_TRUNCATED | OBJ_BOMB);
	/* the decoded output was cut by a limit: no hash; the wire body is whole */
	assert_non_null(strstr(text(fx), "\"flags\":[\"truncated\",\"bomb\"]"));
	assert_non_null(strstr(text(fx), "\"sha256\":null,\"wire\":{\"sha256\":\""));
	assert_int_equal(objsink_stats(fx->s)->unhashed, 1);
	assert_int_equal(objsink_stats(fx->s)->matches, 0);
}

static void cut_short_is_hashed_as_received(void **state)
{
	struct fixture *fx = *state;
	struct obj_meta m;

	/* Content-Length said more, the connection closed after these bytes
	 * and nothing was lost: the client has exactly them */
	meta(&m, "/short", "");
	m.declared_len = 200;
	object(fx, &m, NULL, "hello world", OBJ_TRUNCATED);
	assert_non_null(strstr(text(fx), "\"flags\":[\"truncated\"],\"anomalies\":[],"
					 "\"sha256\":\"" HELLO_SHA256 "\""));
	assert_non_null(strstr(text(fx), "\"body\":\"decoded\"}\n"));
	assert_int_equal(objsink_stats(fx->s)->hashed, 1);
	assert_int_equal(objsink_stats(fx->s)->matches, 1);
}

static void wire_hash_of_coded_body(void **state)
{
	struct fixture *fx = *state;
	struct obj_meta m;

	/* the listed bytes are the wire body: matched as "wire" */
	meta(&m, "/z", "gzip");
	object(fx, &m, "hello world", "abc", OBJ_COMPLETE);
	assert_non_null(strstr(text(fx), "\"sha256\":\"" ABC_SHA256 "\","
					 "\"wire\":{\"sha256\":\"" HELLO_SHA256 "\"}"));
	assert_non_null(strstr(text(fx), "\"body\":\"wire\"}"));
	assert_int_equal(objsink_stats(fx->s)->matches, 1);
}

static void pieces_stitched_and_matched_once(void **state)
{
	struct fixture *fx = *state;
	struct obj_meta m;
	const char *t;

	meta(&m, "/r?token=1", "");
	m.status = 206;
	m.range_first = 6, m.range_last = 10, m.range_total = 11;
	object(fx, &m, NULL, "world", OBJ_COMPLETE | OBJ_PARTIAL);
	assert_non_null(strstr(text(fx), "\"stitch\":\"pending\""));
	m.uri = "/r?token=2";
	m.range_first = 0, m.range_last = 5;
	object(fx, &m, NULL, "hello ", OBJ_COMPLETE | OBJ_PARTIAL);
	t = text(fx);
	assert_non_null(strstr(t, "\"range\":{\"first\":0,\"last\":5,\"total\":11}"));
	assert_non_null(strstr(t, "\"stitch\":\"assembled\""));
	assert_non_null(strstr(
		t, "{\"event\":\"object\",\"id\":3,\"source\":\"t.pcap\","
		   "\"ts\":\"1970-01-01T00:00:01.000000Z\",\"kind\":\"assembled\","
		   "\"host\":\"h.example\",\"uri\":\"/r\",\"flow\":null,"
		   "\"ts_end\":\"1970-01-01T00:00:02.000000Z\",\"validator\":\"\\\"e\\\"\","
		   "\"size\":11,\"covered\":11,\"pieces\":2,"
		   "\"flags\":[\"complete\",\"assembled\"],\"sha256\":\"" HELLO_SHA256 "\"}\n"
		   "{\"event\":\"match\",\"object\":3,"));
	/* one match: the pieces themselves are not matched */
	assert_int_equal(objsink_stats(fx->s)->matches, 1);
	assert_int_equal(objsink_stats(fx->s)->assembled, 1);
	assert_int_equal(objsink_stats(fx->s)->pieces, 2);
}

static void incomplete_range_flushed(void **state)
{
	struct fixture *fx = *state;
	struct obj_meta m;

	meta(&m, "/half", "");
	m.status = 206;
	m.range_first = 0, m.range_last = 4, m.range_total = 11;
	object(fx, &m, NULL, "hello", OBJ_COMPLETE | OBJ_PARTIAL);
	objsink_flush(fx->s);
	assert_non_null(strstr(text(fx), "\"size\":11,\"covered\":5,\"pieces\":1,"
					 "\"flags\":[\"truncated\",\"gap\",\"assembled\"],"
					 "\"sha256\":null}\n"));
	assert_int_equal(objsink_stats(fx->s)->incomplete, 1);
	assert_int_equal(objsink_stats(fx->s)->matches, 0);
}

/* ---- with the image stage ---------------------------------------------- */

struct imgfx {
	struct fixture base;
	struct pdqdb *db;
	struct imgmatch *im;
	uint8_t *png;
	size_t len;
	char hex[PDQ_HEX_LEN + 1];
	int quality;
};

static int img_setup(void **state)
{
	struct imgfx *fx = calloc(1, sizeof(*fx));
	uint8_t *pic = imgenc_picture(64, 48, 3, 3);
	struct pdq_pixels px = {pic, 64, 48, 3, 64 * 3};
	struct pdqlist_info info = {.name = "pl", .category = "B1", .threshold = 31};
	struct pdqindex_builder *b = pdqindex_builder_new();
	struct imgmatch_conf ic = {.min_quality = 0};
	struct objsink_conf c = {.log_mask = HASH_SHA256};
	struct pdq_hash h;

	assert_int_equal(imgenc_png8(pic, 64, 48, 3, &fx->png, &fx->len), 0);
	assert_int_equal(pdq_hash(&px, &h, &fx->quality), 0);
	free(pic);
	pdq_hash_to_hex(&h, fx->hex);
	h.b[0] ^= 0x0f; /* the list entry is 4 bits away */
	assert_int_equal(pdqindex_builder_add(b, &h, 0, PDQ_QUALITY_NONE, "e1"), 0);
	fx->db = pdqdb_new();
	assert_int_equal(pdqdb_replace(fx->db, "pl", pdqindex_build(b), &info, 1), 0);
	ic.db = fx->db;
	fx->im = imgmatch_new(&ic);
	assert_non_null(fx->im);
	fx->base.f = open_memstream(&fx->base.buf, &fx->base.len);
	ej_init(&fx->base.w, fx->base.f);
	c.out = &fx->base.w;
	c.img = fx->im;
	fx->base.s = objsink_new(&c);
	assert_non_null(fx->base.s);
	*state = fx;
	return 0;
}

static int img_teardown(void **state)
{
	struct imgfx *fx = *state;

	objsink_free(fx->base.s);
	imgmatch_free(fx->im);
	pdqdb_free(fx->db);
	ej_free(&fx->base.w);
	fclose(fx->base.f);
	free(fx->base.buf);
	free(fx->png);
	free(fx);
	return 0;
}

/* One object with a binary body [off, off + len) of the PNG. */
static void png_object(struct imgfx *fx, struct obj_meta *m, size_t off, size_t len,
		       unsigned flags)
{
	const struct object_ops *ops = objsink_object_ops();
	struct obj_end e = {.flags = flags, .ts_ns = 2000000000ull, .sniffed = "png", .error = ""};
	void *o = ops->begin(fx->base.s, m);

	assert_non_null(o);
	ops->wire(o, fx->png + off, len);
	ops->data(o, fx->png + off, len);
	e.wire_len = e.decoded_len = len;
	ops->end(o, &e);
}

static void image_object_pdq_and_match(void **state)
{
	struct imgfx *fx = *state;
	struct obj_meta m;
	char want[512];

	meta(&m, "/i.png", "");
	m.content_type = "text/plain"; /* the sniffed type decides */
	png_object(fx, &m, 0, fx->len, OBJ_COMPLETE);
	snprintf(want, sizeof(want),
		 "\"error\":null,\"pdq\":\"%s\",\"pdq_quality\":%d,"
		 "\"pdq_error\":null,\"pdq_matchable\":true,\"stitch\":null}\n",
		 fx->hex, fx->quality);
	assert_non_null(strstr(text(&fx->base), want));
	snprintf(want, sizeof(want),
		 "\"list\":\"pl\",\"category\":\"B1\",\"hash_type\":\"pdq\","
		 "\"hash\":\"%s\",\"label\":\"e1\",\"distance\":4,\"threshold\":31,"
		 "\"quality\":%d,\"body\":\"decoded\"}\n",
		 fx->hex, fx->quality);
	assert_non_null(strstr(text(&fx->base), want));
	assert_int_equal(objsink_stats(fx->base.s)->matches, 1);
	assert_int_equal(objsink_stats(fx->base.s)->matched, 1);
}

static void gapped_image_not_pdq_hashed(void **state)
{
	struct imgfx *fx = *state;
	struct obj_meta m;

	meta(&m, "/g.png", "");
	png_object(fx, &m, 0, fx->len, OBJ_TRUNCATED | OBJ_GAP);
	assert_non_null(strstr(text(&fx->base),
			       "\"pdq\":null,\"pdq_quality\":null,"
			       "\"pdq_error\":\"not hashed: object incomplete (gap)\","
			       "\"pdq_matchable\":false,\"stitch\":null}\n"));
	assert_int_equal(objsink_stats(fx->base.s)->matches, 0);
}

static void stitched_image_pdq_hashed(void **state)
{
	struct imgfx *fx = *state;
	struct obj_meta m;
	char want[256];
	size_t half = fx->len / 2;

	meta(&m, "/r.png", "");
	m.status = 206;
	m.range_first = 0, m.range_last = (int64_t)half - 1, m.range_total = (int64_t)fx->len;
	png_object(fx, &m, 0, half, OBJ_COMPLETE | OBJ_PARTIAL);
	assert_non_null(strstr(text(&fx->base), "\"pdq_error\":\"not hashed: object incomplete "
						"(range piece; its stitched object is hashed)\""));
	m.range_first = (int64_t)half, m.range_last = (int64_t)fx->len - 1;
	png_object(fx, &m, half, fx->len - half, OBJ_COMPLETE | OBJ_PARTIAL);
	snprintf(want, sizeof(want), "\"kind\":\"assembled\"");
	assert_non_null(strstr(text(&fx->base), want));
	snprintf(want, sizeof(want), "\"pdq\":\"%s\",\"pdq_quality\":%d,\"pdq_error\":null",
		 fx->hex, fx->quality);
	assert_non_null(strstr(strstr(text(&fx->base), "\"kind\":\"assembled\""), want));
	assert_non_null(strstr(text(&fx->base), "\"distance\":4,\"threshold\":31"));
	assert_non_null(strstr(text(&fx->base), "\"body\":\"assembled\"}\n"));
	/* exactly one PDQ match: the whole, not the pieces */
	assert_int_equal(objsink_stats(fx->base.s)->matches, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(complete_object_matches, setup, teardown),
		cmocka_unit_test_setup_teardown(gap_has_no_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(bomb_has_no_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(cut_short_is_hashed_as_received, setup, teardown),
		cmocka_unit_test_setup_teardown(wire_hash_of_coded_body, setup, teardown),
		cmocka_unit_test_setup_teardown(pieces_stitched_and_matched_once, setup, teardown),
		cmocka_unit_test_setup_teardown(incomplete_range_flushed, setup, teardown),
		cmocka_unit_test_setup_teardown(image_object_pdq_and_match, img_setup, img_teardown),
		cmocka_unit_test_setup_teardown(gapped_image_not_pdq_hashed, img_setup, img_teardown),
		cmocka_unit_test_setup_teardown(stitched_image_pdq_hashed, img_setup, img_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
