// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the JSON reader of the log tools (report/jsonval), with its
 * invariants checked: a parse either fails with an offset inside the input
 * or gives a tree whose every node is of a known type, whose strings are
 * NUL-terminated at their length and no longer than the input, and whose
 * depth stays under JV_DEPTH_MAX; a string written by eventjson and read
 * back is stable from its second trip on. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log/eventjson.h"
#include "report/jsonval.h"

static size_t input;

static void walk(const struct jv *v, int depth, struct ej_writer *w)
{
	assert(depth <= JV_DEPTH_MAX);
	switch (v->t) {
	case JV_STR:
		assert(v->s && v->s[v->len] == '\0' && v->len <= input);
		ej_strn(w, "s", v->s, v->len);
		break;
	case JV_ARR:
		for (size_t i = 0; i < v->len; i++)
			walk(v->items[i], depth + 1, w);
		break;
	case JV_OBJ:
		for (size_t i = 0; i < v->len; i++) {
			assert(v->members[i].key[v->members[i].keylen] == '\0');
			walk(v->members[i].val, depth + 1, w);
		}
		break;
	case JV_NULL:
	case JV_BOOL:
	case JV_NUM:
		break;
	default:
		assert(!"unknown node type");
	}
}

/* A string through eventjson and back: bytes that are not UTF-8 come back
 * as the code points U+0080..U+00FF (the log's documented escape), so the
 * first trip may change it; from then on it is stable. Returns the parsed
 * document (caller frees) and its string in *out. */
static void trip(const char *s, size_t n, struct jdoc *d, const struct jv **out)
{
	struct ej_writer w;
	struct jerr e;

	*out = NULL;
	ej_init(&w, NULL);
	ej_begin(&w);
	ej_strn(&w, "s", s, n);
	if (!ej_finish(&w)) {
		assert(jdoc_parse(d, w.buf, w.len, &e) == 0);
		*out = jv_get(d->root, "s");
		assert(*out && (*out)->t == JV_STR);
	}
	ej_free(&w);
}

static void round_trip(const struct jv *root)
{
	struct jdoc d1 = {0}, d2 = {0};
	const struct jv *a, *b;

	if (root->t != JV_STR)
		return;
	trip(root->s, root->len, &d1, &a);
	if (a) {
		trip(a->s, a->len, &d2, &b);
		assert(b && b->len == a->len && !memcmp(a->s, b->s, a->len));
	}
	jdoc_free(&d1);
	jdoc_free(&d2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jdoc d = {0};
	struct jerr e = {0};
	struct ej_writer w;
	int rc = jdoc_parse(&d, (const char *)data, size, &e);

	input = size;
	if (rc) {
		assert(rc == -EINVAL || rc == -ENOMEM);
		assert(d.root == NULL && e.offset <= size);
	} else {
		ej_init(&w, NULL);
		ej_begin(&w);
		walk(d.root, 0, &w);
		ej_free(&w);
		round_trip(d.root);
	}
	jdoc_free(&d);
	return 0;
}
