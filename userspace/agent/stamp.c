// SPDX-License-Identifier: GPL-2.0
/* stamp: the policy version on every line (stamp.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stamp.h"

#define MEMBER "\"policy_version\":"

size_t stamp_line(const char *line, size_t len, const char *version, char *out, size_t cap)
{
	char add[96];
	int k;

	if (len < 3 || line[0] != '{' || line[len - 2] != '}' || line[len - 1] != '\n' ||
	    memmem(line, len, MEMBER, sizeof(MEMBER) - 1))
		return 0;
	if (version && version[0])
		k = snprintf(add, sizeof(add), "%s" MEMBER "\"%s\"}\n", len > 3 ? "," : "", version);
	else
		k = snprintf(add, sizeof(add), "%s" MEMBER "null}\n", len > 3 ? "," : "");
	if (k < 0 || (size_t)k >= sizeof(add) || len - 2 + (size_t)k > cap)
		return 0;
	memcpy(out, line, len - 2);
	memcpy(out + len - 2, add, (size_t)k);
	return len - 2 + (size_t)k;
}

static int on_line(void *ctx, const char *line, size_t len)
{
	struct stamp *s = ctx;
	size_t n;
	int err;

	pthread_mutex_lock(&s->lock);
	if (s->cap < len + 96) {
		char *b = realloc(s->buf, len + 96);

		if (b) {
			s->buf = b;
			s->cap = len + 96;
		}
	}
	n = s->buf ? stamp_line(line, len, s->version, s->buf, s->cap) : 0;
	err = s->next->line(s->next->ctx, n ? s->buf : line, n ? n : len);
	pthread_mutex_unlock(&s->lock);
	return err;
}

static int on_flush(void *ctx)
{
	struct stamp *s = ctx;

	return s->next->flush ? s->next->flush(s->next->ctx) : 0;
}

void stamp_init(struct stamp *s, const struct ej_sink *next)
{
	memset(s, 0, sizeof(*s));
	s->next = next;
	s->sink = (struct ej_sink){.line = on_line, .flush = on_flush, .ctx = s};
	pthread_mutex_init(&s->lock, NULL);
}

void stamp_set(struct stamp *s, const char *version)
{
	pthread_mutex_lock(&s->lock);
	snprintf(s->version, sizeof(s->version), "%s", version ? version : "");
	pthread_mutex_unlock(&s->lock);
}

void stamp_free(struct stamp *s)
{
	free(s->buf);
	s->buf = NULL;
	s->next = NULL;
	pthread_mutex_destroy(&s->lock);
}
