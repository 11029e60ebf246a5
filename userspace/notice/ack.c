// SPDX-License-Identifier: GPL-2.0
/* ack: the acknowledgement table and its tokens (ack.h).
 *
 * The table is open addressing over a power-of-two array: an entry sits
 * in one of the ACK_PROBE slots from its hash (keyed per table, so
 * subscribers cannot aim at one neighbourhood). Nothing is ever removed:
 * an expired entry is a free slot, a renewal overwrites in place, and a
 * full neighbourhood gives up the entry that would expire first. So the
 * memory is fixed and every call is O(ACK_PROBE) under one mutex. */
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ack.h"

struct entry {
	uint8_t addr[16];
	char cat[ACK_CATEGORY_MAX];
	uint64_t until; /* 0: never used */
};

struct ack_store {
	pthread_mutex_t lock;
	struct entry *e;
	uint32_t mask;
	uint64_t lifetime;
	uint64_t seed;
	struct ack_stats st;
};

struct ack_store *ack_store_new(uint32_t max, uint64_t lifetime_ns)
{
	struct ack_store *a = calloc(1, sizeof(*a));
	uint32_t n = ACK_PROBE;

	if (!max)
		max = 65536;
	while (n < max && n < (1u << 30))
		n <<= 1;
	if (a)
		a->e = calloc(n, sizeof(*a->e));
	if (!a || !a->e) {
		free(a);
		errno = ENOMEM;
		return NULL;
	}
	if (getrandom(&a->seed, sizeof(a->seed), 0) != sizeof(a->seed))
		a->seed = (uint64_t)(uintptr_t)a; /* spreads, but is guessable */
	a->mask = n - 1;
	a->lifetime = lifetime_ns;
	a->st.slots = n;
	pthread_mutex_init(&a->lock, NULL);
	return a;
}

void ack_store_free(struct ack_store *a)
{
	if (!a)
		return;
	pthread_mutex_destroy(&a->lock);
	free(a->e);
	free(a);
}

/* FNV-1a over the address and category, from the table's seed. */
static uint32_t slot_of(const struct ack_store *a, const uint8_t *addr, const char *cat)
{
	uint64_t h = 0xcbf29ce484222325ull ^ a->seed;

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 0x100000001b3ull;
	for (; *cat; cat++)
		h = (h ^ (uint8_t)*cat) * 0x100000001b3ull;
	return (uint32_t)(h ^ h >> 32) & a->mask;
}

static bool same(const struct entry *e, const uint8_t *addr, const char *cat)
{
	return e->until && !memcmp(e->addr, addr, 16) && !strcmp(e->cat, cat);
}

/* The slot for addr and cat: theirs, else a free or expired one, else the
 * one that expires first (*evict set). */
static struct entry *place(struct ack_store *a, const uint8_t *addr, const char *cat, uint64_t now,
			   bool *evict)
{
	uint32_t h = slot_of(a, addr, cat);
	struct entry *free_e = NULL, *first = NULL;

	for (uint32_t i = 0; i < ACK_PROBE; i++) {
		struct entry *e = &a->e[(h + i) & a->mask];

		if (same(e, addr, cat))
			return e;
		if (!free_e && e->until <= now)
			free_e = e;
		if (!first || e->until < first->until)
			first = e;
	}
	*evict = !free_e;
	return free_e ? free_e : first;
}

int ack_record(struct ack_store *a, const uint8_t *addr, const char *category, uint64_t now_ns)
{
	size_t n = strlen(category);
	bool evict = false;
	struct entry *e;

	if (!n || n >= ACK_CATEGORY_MAX)
		return -EINVAL;
	pthread_mutex_lock(&a->lock);
	e = place(a, addr, category, now_ns, &evict);
	memcpy(e->addr, addr, 16);
	memcpy(e->cat, category, n + 1);
	e->until = now_ns + a->lifetime;
	a->st.recorded++;
	a->st.evicted += evict;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

bool ack_check(struct ack_store *a, const uint8_t *addr, const char *category, uint64_t now_ns,
	       uint64_t max_age_ns)
{
	/* recorded at until - lifetime: it holds until the earlier end */
	uint64_t cut = max_age_ns && max_age_ns < a->lifetime ? a->lifetime - max_age_ns : 0;
	uint32_t h;
	bool yes = false;

	if (strlen(category) >= ACK_CATEGORY_MAX)
		return false;
	pthread_mutex_lock(&a->lock);
	h = slot_of(a, addr, category);
	for (uint32_t i = 0; i < ACK_PROBE && !yes; i++) {
		const struct entry *e = &a->e[(h + i) & a->mask];

		yes = same(e, addr, category) && e->until > now_ns && e->until - cut > now_ns;
	}
	pthread_mutex_unlock(&a->lock);
	return yes;
}

void ack_stats(struct ack_store *a, uint64_t now_ns, struct ack_stats *st)
{
	pthread_mutex_lock(&a->lock);
	a->st.live = 0;
	for (uint32_t i = 0; i <= a->mask; i++)
		a->st.live += a->e[i].until > now_ns;
	*st = a->st;
	pthread_mutex_unlock(&a->lock);
}

/* ---- tokens ---------------------------------------------------------------- */

static void mac(const uint8_t *key, const uint8_t *addr, const char *category, const char *url,
		uint64_t issued, uint8_t out[16])
{
	static const char tag[] = "edgeward-ack-v1";
	uint8_t msg[sizeof(tag) - 1 + 16 + ACK_CATEGORY_MAX + 32 + 8], full[EVP_MAX_MD_SIZE];
	size_t n = sizeof(tag) - 1, cn = strnlen(category, ACK_CATEGORY_MAX - 1) + 1;
	unsigned len = 0;

	memcpy(msg, tag, n);
	memcpy(msg + n, addr, 16);
	n += 16;
	memcpy(msg + n, category, cn - 1);
	msg[n + cn - 1] = '\0';
	n += cn;
	EVP_Digest(url, strlen(url), msg + n, NULL, EVP_sha256(), NULL);
	n += 32;
	for (int i = 0; i < 8; i++)
		msg[n++] = (uint8_t)(issued >> (56 - 8 * i));
	memset(full, 0, sizeof(full));
	HMAC(EVP_sha256(), key, ACK_KEY_LEN, msg, n, full, &len);
	memcpy(out, full, 16); /* zeros if HMAC failed: no token matches them */
}

void ack_token(const uint8_t key[ACK_KEY_LEN], const uint8_t *addr, const char *category,
	       const char *url, uint64_t now_s, char *out)
{
	uint8_t m[16];

	mac(key, addr, category, url, now_s, m);
	snprintf(out, 17, "%016llx", (unsigned long long)now_s);
	for (int i = 0; i < 16; i++)
		snprintf(out + 16 + 2 * i, 3, "%02x", m[i]);
}

bool ack_token_ok(const uint8_t key[ACK_KEY_LEN], const uint8_t *addr, const char *category,
		  const char *url, const char *token, uint64_t now_s, uint64_t ttl_s)
{
	char want[ACK_TOKEN_LEN + 1], hex[17];
	unsigned long long issued;
	char *end;

	if (strlen(token) != ACK_TOKEN_LEN)
		return false;
	memcpy(hex, token, 16);
	hex[16] = '\0';
	issued = strtoull(hex, &end, 16);
	if (*end || issued > now_s || now_s - issued > ttl_s)
		return false;
	ack_token(key, addr, category, url, issued, want);
	return !CRYPTO_memcmp(want, token, ACK_TOKEN_LEN);
}
