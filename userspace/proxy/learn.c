// SPDX-License-Identifier: GPL-2.0
/* learn: the learned-block table (learn.h). Open hashing on the URL key;
 * entries also sit on one list in the order they were added or renewed,
 * which, all of them living equally long, is the order they expire in:
 * the list head is both the next to expire and the oldest to evict. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "learn.h"

#define KEY_MAX 2560 /* host (256) and target (2048) as the parser keeps them */

struct lentry {
	struct lentry *hnext;	    /* bucket chain */
	struct lentry *prev, *next; /* age list */
	uint64_t hash, until;
	struct pverdict v;
	char key[];
};

struct learn {
	pthread_mutex_t lock;
	struct lentry **b;
	size_t nb; /* power of two */
	struct lentry *head, *tail;
	uint32_t n, max;
};

void pverdict_copy(struct pverdict *pv, const struct obj_verdict *v)
{
	size_t n = 0;

	memset(pv, 0, sizeof(*pv));
	pv->hits = v->hits;
	pv->distance = v->distance;
	if (!v->hits)
		return;
	objsink_copy_name(pv->list, v->list);
	objsink_copy_name(pv->category, v->category);
	for (; v->hash_type && v->hash_type[n] && n < sizeof(pv->hash_type) - 1; n++)
		pv->hash_type[n] = v->hash_type[n];
	pv->hash_len = v->hash_len < sizeof(pv->hash) ? v->hash_len : sizeof(pv->hash);
	memcpy(pv->hash, v->hash, pv->hash_len);
}

struct learn *learn_new(uint32_t max)
{
	struct learn *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max = max ? max : 1;
	t->nb = 16;
	while (t->nb < t->max && t->nb < (1u << 24))
		t->nb *= 2;
	t->b = calloc(t->nb, sizeof(*t->b));
	if (!t->b) {
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void learn_free(struct learn *t)
{
	if (!t)
		return;
	for (struct lentry *e = t->head, *next; e; e = next) {
		next = e->next;
		free(e);
	}
	pthread_mutex_destroy(&t->lock);
	free(t->b);
	free(t);
}

/* The path and query of an absolute-form target ("http://h/p?q"), and its
 * authority. */
static const char *split_uri(const char *uri, const char **auth, size_t *nauth)
{
	const char *s = strstr(uri, "://");

	*auth = "";
	*nauth = 0;
	if (!s || uri[0] == '/')
		return uri;
	*auth = s + 3;
	*nauth = strcspn(*auth, "/?#");
	return *auth + *nauth;
}

size_t learn_key(const char *host, const char *uri, char *buf, size_t size)
{
	const char *auth, *path;
	size_t nh, np, nauth;

	path = split_uri(uri, &auth, &nauth);
	if (!host[0]) {
		host = auth;
		nh = nauth;
	} else {
		nh = strlen(host);
	}
	if (nh > 3 && !memcmp(host + nh - 3, ":80", 3))
		nh -= 3;
	if (nh && host[nh - 1] == '.')
		nh--;
	np = strcspn(path, "#");
	if (nh + np + 2 > size)
		return 0;
	for (size_t i = 0; i < nh; i++)
		buf[i] = (char)tolower((unsigned char)host[i]);
	if (!np || path[0] != '/')
		buf[nh++] = '/'; /* "", "?q", "*" */
	memcpy(buf + nh, path, np);
	buf[nh + np] = '\0';
	return nh + np;
}

static uint64_t fnv(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

static struct lentry **slot(struct learn *t, const char *key, uint64_t h)
{
	struct lentry **e = &t->b[h & (t->nb - 1)];

	while (*e && ((*e)->hash != h || strcmp((*e)->key, key)))
		e = &(*e)->hnext;
	return e;
}

static void list_del(struct learn *t, struct lentry *e)
{
	*(e->prev ? &e->prev->next : &t->head) = e->next;
	*(e->next ? &e->next->prev : &t->tail) = e->prev;
	e->prev = e->next = NULL;
}

static void list_add(struct learn *t, struct lentry *e)
{
	e->prev = t->tail;
	e->next = NULL;
	*(t->tail ? &t->tail->next : &t->head) = e;
	t->tail = e;
}

/* Drops the oldest entry. */
static void evict(struct learn *t)
{
	struct lentry *e = t->head;

	*slot(t, e->key, e->hash) = e->hnext;
	list_del(t, e);
	t->n--;
	free(e);
}

int learn_add(struct learn *t, const char *host, const char *uri, const struct pverdict *pv,
	      uint64_t until_ns)
{
	char key[KEY_MAX];
	size_t n = learn_key(host, uri, key, sizeof(key));
	uint64_t h = fnv(key);
	struct lentry **s, *e;

	if (!n)
		return -ENAMETOOLONG;
	pthread_mutex_lock(&t->lock);
	s = slot(t, key, h);
	if ((e = *s)) {
		list_del(t, e);
	} else {
		if (t->n == t->max)
			evict(t);
		s = slot(t, key, h); /* the eviction may have changed the chain */
		e = malloc(sizeof(*e) + n + 1);
		if (!e) {
			pthread_mutex_unlock(&t->lock);
			return -ENOMEM;
		}
		memcpy(e->key, key, n + 1);
		e->hash = h;
		e->hnext = NULL;
		*s = e;
		t->n++;
	}
	e->v = *pv;
	e->until = until_ns;
	list_add(t, e);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

bool learn_find(struct learn *t, const char *host, const char *uri, uint64_t now_ns,
		struct pverdict *pv)
{
	char key[KEY_MAX];
	struct lentry *e;
	bool hit = false;
	uint64_t h;

	if (!learn_key(host, uri, key, sizeof(key)))
		return false;
	h = fnv(key);
	pthread_mutex_lock(&t->lock);
	while (t->head && t->head->until <= now_ns)
		evict(t);
	e = *slot(t, key, h);
	if (e) {
		*pv = e->v;
		hit = true;
	}
	pthread_mutex_unlock(&t->lock);
	return hit;
}

uint64_t learn_count(struct learn *t)
{
	uint64_t n;

	pthread_mutex_lock(&t->lock);
	n = t->n;
	pthread_mutex_unlock(&t->lock);
	return n;
}
