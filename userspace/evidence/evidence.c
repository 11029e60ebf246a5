// SPDX-License-Identifier: GPL-2.0
/* evidence: sealing matched objects and writing them (evidence.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/hex.h"
#include "evidence.h"
#include "log/log.h"
#include "log/logmac.h"

struct sealed {
	struct sealed *next;
	char name[96];
	size_t len;
	uint8_t b[];
};

struct evidence {
	struct evidence_conf c;
	char *dir;
	struct budget held;
	struct objsink_evidence hook;
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sealed *head, **tail;
	uint64_t queued;
	bool started, stop;
	struct evidence_stats st;
};

/* The name: time of sealing and the first 16 hex digits of the SHA-256 of
 * the plaintext (so a responder can match it to the block event's hash). */
static void name_of(char *out, size_t len, const uint8_t *body, size_t n)
{
	uint8_t h[LOGMAC_LEN];
	char hex[17], stamp[24];
	struct timespec ts;
	struct tm tm;

	logmac_sha256(body, n, h);
	hex_encode(h, 8, hex);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	snprintf(out, len, "%s.%06ldZ-%s.sealed", stamp, ts.tv_nsec / 1000, hex);
}

/* Worker thread: seal and queue; never blocks on the disk. */
static void keep(void *ctx, struct obj_verdict *v, const uint8_t *body, size_t n)
{
	struct evidence *e = ctx;
	struct sealed *s;

	if (!body) {
		__atomic_add_fetch(&e->st.too_big, 1, __ATOMIC_RELAXED);
		return;
	}
	s = malloc(sizeof(*s) + n + crypto_box_SEALBYTES);
	if (!s || crypto_box_seal(s->b, body, n, e->c.pk)) {
		free(s);
		__atomic_add_fetch(&e->st.dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	s->len = n + crypto_box_SEALBYTES;
	s->next = NULL;
	name_of(s->name, sizeof(s->name), body, n);
	pthread_mutex_lock(&e->lock);
	if (e->queued + s->len > e->c.queue_max) {
		e->st.dropped++;
		pthread_mutex_unlock(&e->lock);
		free(s);
		return;
	}
	memcpy(v->evidence, s->name, sizeof(v->evidence) - 1); /* names are 47 bytes */
	v->evidence[sizeof(v->evidence) - 1] = '\0';
	*e->tail = s;
	e->tail = &s->next;
	e->queued += s->len;
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

static int write_one(struct evidence *e, const struct sealed *s)
{
	char path[4200];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", e->dir, s->name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, s->b, s->len) != (ssize_t)s->len || fsync(fd))
		err = -errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	if (err)
		unlink(path);
	return err;
}

static void *writer(void *arg)
{
	struct evidence *e = arg;

	pthread_mutex_lock(&e->lock);
	for (;;) {
		struct sealed *s = e->head;
		int err;

		if (!s && e->stop)
			break;
		if (!s) {
			pthread_cond_wait(&e->cond, &e->lock);
			continue;
		}
		e->head = s->next;
		if (!e->head)
			e->tail = &e->head;
		e->queued -= s->len;
		pthread_mutex_unlock(&e->lock);
		err = write_one(e, s);
		if (err)
			ew_warn("evidence: couldn't write '%s/%s': %s", e->dir, s->name, strerror(-err));
		free(s);
		pthread_mutex_lock(&e->lock);
		err ? e->st.dropped++ : e->st.kept++;
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

struct evidence *evidence_new(const struct evidence_conf *c, char *msg, size_t msglen)
{
	struct evidence *e = calloc(1, sizeof(*e));
	int err = -ENOMEM;

	if (!e || sodium_init() < 0 || !(e->dir = strdup(c->dir)))
		goto fail;
	e->c = *c;
	if (!e->c.max_object)
		e->c.max_object = 16u << 20;
	if (!e->c.total_max)
		e->c.total_max = 256u << 20;
	if (!e->c.queue_max)
		e->c.queue_max = 256u << 20;
	budget_init(&e->held, e->c.total_max);
	e->hook = (struct objsink_evidence){
		.cap = e->c.max_object, .held = &e->held, .keep = keep, .ctx = e};
	e->tail = &e->head;
	if (mkdir(e->dir, 0700) && errno != EEXIST) {
		err = -errno;
		snprintf(msg, msglen, "evidence: couldn't create '%s': %s", e->dir, strerror(errno));
		goto fail_msg;
	}
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	return e;
fail:
	snprintf(msg, msglen, "evidence: couldn't start: %s", strerror(-err));
fail_msg:
	if (e)
		free(e->dir);
	free(e);
	errno = -err;
	return NULL;
}

int evidence_start(struct evidence *e)
{
	int err = pthread_create(&e->th, NULL, writer, e);

	e->started = !err;
	return -err;
}

const struct objsink_evidence *evidence_hook(struct evidence *e)
{
	return &e->hook;
}

void evidence_stats(struct evidence *e, struct evidence_stats *st)
{
	pthread_mutex_lock(&e->lock);
	*st = e->st;
	st->too_big = __atomic_load_n(&e->st.too_big, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&e->lock);
}

void evidence_free(struct evidence *e, struct evidence_stats *st)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->stop = true;
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
	if (e->started)
		pthread_join(e->th, NULL);
	else
		writer(e); /* never started: write what was queued here */
	if (st) {
		*st = e->st;
		st->too_big = __atomic_load_n(&e->st.too_big, __ATOMIC_RELAXED);
	}
	pthread_cond_destroy(&e->cond);
	pthread_mutex_destroy(&e->lock);
	free(e->dir);
	free(e);
}

/* ---- keys and opening ---------------------------------------------------------------- */

int evidence_read_key(const char *path, uint8_t key[EVIDENCE_KEY_LEN], int secret, char *msg,
		      size_t msglen)
{
	char hex[2 * EVIDENCE_KEY_LEN + 2] = "";
	struct stat st;
	FILE *f = fopen(path, "re");
	int err = 0;

	if (!f || fstat(fileno(f), &st)) {
		err = -errno;
		snprintf(msg, msglen, "couldn't read key file '%s': %s", path, strerror(errno));
	} else if (secret && (st.st_mode & 077)) {
		err = -EPERM;
		snprintf(msg, msglen, "secret key file '%s' is readable by group or others (chmod "
			 "600 it)", path);
	} else if (!fgets(hex, sizeof(hex), f) || strspn(hex, "0123456789abcdefABCDEF") !=
			   2 * EVIDENCE_KEY_LEN || hex_decode(hex, EVIDENCE_KEY_LEN, key)) {
		err = -EINVAL;
		snprintf(msg, msglen, "key file '%s' does not hold a key (64 hex digits)", path);
	}
	if (f)
		fclose(f);
	return err;
}

static int write_key(const char *path, const uint8_t *k, mode_t mode)
{
	char hex[2 * EVIDENCE_KEY_LEN + 2];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode), err = 0;

	if (fd < 0)
		return -errno;
	hex_encode(k, EVIDENCE_KEY_LEN, hex);
	strcat(hex, "\n");
	if (write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex))
		err = -EIO;
	close(fd);
	return err;
}

int evidence_keygen(const char *pub, const char *sec, char *msg, size_t msglen)
{
	uint8_t pk[EVIDENCE_KEY_LEN], sk[EVIDENCE_KEY_LEN];
	int err = sodium_init() < 0 ? -EIO : 0;

	if (!err)
		crypto_box_keypair(pk, sk);
	if (!err && (err = write_key(sec, sk, 0600)))
		snprintf(msg, msglen, "couldn't write '%s': %s", sec, strerror(-err));
	else if (!err && (err = write_key(pub, pk, 0644)))
		snprintf(msg, msglen, "couldn't write '%s': %s", pub, strerror(-err));
	sodium_memzero(sk, sizeof(sk));
	return err;
}

int evidence_open(const char *path, const uint8_t pk[EVIDENCE_KEY_LEN],
		  const uint8_t sk[EVIDENCE_KEY_LEN], uint8_t **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	uint8_t *c = NULL;
	struct stat st;

	*out = NULL;
	if (fd < 0 || fstat(fd, &st))
		return fd < 0 ? -errno : (close(fd), -EIO);
	if (sodium_init() < 0 || (size_t)st.st_size < crypto_box_SEALBYTES ||
	    !(c = malloc((size_t)st.st_size)) || !(*out = malloc((size_t)st.st_size)))
		err = c ? -ENOMEM : (size_t)st.st_size < crypto_box_SEALBYTES ? -EBADMSG : -ENOMEM;
	if (!err && read(fd, c, (size_t)st.st_size) != st.st_size)
		err = -EIO;
	*len = err ? 0 : (size_t)st.st_size - crypto_box_SEALBYTES;
	if (!err && crypto_box_seal_open(*out, c, (size_t)st.st_size, pk, sk))
		err = -EBADMSG;
	close(fd);
	free(c);
	if (err) {
		free(*out);
		*out = NULL;
	}
	return err;
}
