// SPDX-License-Identifier: GPL-2.0
/* logmac: SHA-256 and HMAC-SHA256 of event lines through OpenSSL 3's EVP
 * interfaces; the MAC context is made once and re-armed per line (fetching
 * the algorithm per line would cost more than hashing it). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "util/hex.h"
#include "logmac.h"

/* HMAC-SHA256 by hand over EVP digests: the inner and outer states after
 * the padded key are kept, and each line starts from a copy of them, which
 * costs far less than re-arming an EVP_MAC (measured: bench/eventlog_bench). */
struct logmac {
	EVP_MD *md;			 /* SHA-256, fetched once */
	EVP_MD_CTX *inner, *outer, *work; /* key ^ ipad, key ^ opad absorbed; scratch */
	char id[LOGMAC_ID_HEX + 1];
};

#define BLOCK 64 /* SHA-256 block size */

/* The two keyed states. Returns 0 or -1. */
static int keyed(struct logmac *m, const uint8_t *key, size_t len)
{
	uint8_t k[BLOCK] = {0}, pad[BLOCK];
	unsigned n = 0;
	int ok;

	if (len > BLOCK) {
		if (!EVP_DigestInit_ex(m->work, m->md, NULL) || !EVP_DigestUpdate(m->work, key, len) ||
		    !EVP_DigestFinal_ex(m->work, k, &n))
			return -1;
	} else {
		memcpy(k, key, len);
	}
	for (int i = 0; i < BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	ok = EVP_DigestInit_ex(m->inner, m->md, NULL) && EVP_DigestUpdate(m->inner, pad, BLOCK);
	for (int i = 0; i < BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	ok = ok && EVP_DigestInit_ex(m->outer, m->md, NULL) && EVP_DigestUpdate(m->outer, pad, BLOCK);
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(pad, sizeof(pad));
	return ok ? 0 : -1;
}

struct logmac *logmac_new(const uint8_t *key, size_t len)
{
	struct logmac *m = calloc(1, sizeof(*m));
	static const char tag[] = "edgeward log key\n";
	uint8_t d[LOGMAC_LEN];

	if (!m || !(m->md = EVP_MD_fetch(NULL, "SHA256", NULL)) || !(m->inner = EVP_MD_CTX_new()) ||
	    !(m->outer = EVP_MD_CTX_new()) || !(m->work = EVP_MD_CTX_new()) || keyed(m, key, len))
		goto fail;
	if (!EVP_DigestInit_ex(m->work, m->md, NULL) ||
	    !EVP_DigestUpdate(m->work, tag, sizeof(tag) - 1) || !EVP_DigestUpdate(m->work, key, len) ||
	    !EVP_DigestFinal_ex(m->work, d, NULL))
		goto fail;
	hex_encode(d, LOGMAC_ID_HEX / 2, m->id);
	return m;
fail:
	logmac_free(m);
	errno = ENOMEM;
	return NULL;
}

void logmac_free(struct logmac *m)
{
	if (!m)
		return;
	EVP_MD_CTX_free(m->inner);
	EVP_MD_CTX_free(m->outer);
	EVP_MD_CTX_free(m->work);
	EVP_MD_free(m->md);
	free(m);
}

int logmac_hmac(struct logmac *m, const void *p, size_t n, uint8_t out[LOGMAC_LEN])
{
	uint8_t ih[LOGMAC_LEN];

	if (!EVP_MD_CTX_copy_ex(m->work, m->inner) || !EVP_DigestUpdate(m->work, p, n) ||
	    !EVP_DigestFinal_ex(m->work, ih, NULL) || !EVP_MD_CTX_copy_ex(m->work, m->outer) ||
	    !EVP_DigestUpdate(m->work, ih, LOGMAC_LEN) || !EVP_DigestFinal_ex(m->work, out, NULL))
		return -EIO;
	return 0;
}

void logmac_digest(struct logmac *m, const void *p, size_t n, uint8_t out[LOGMAC_LEN])
{
	if (!EVP_DigestInit_ex(m->work, m->md, NULL) || !EVP_DigestUpdate(m->work, p, n) ||
	    !EVP_DigestFinal_ex(m->work, out, NULL))
		memset(out, 0, LOGMAC_LEN); /* never matches a chain: reported, not hidden */
}

void logmac_key_id(const struct logmac *m, char out[LOGMAC_ID_HEX + 1])
{
	memcpy(out, m->id, LOGMAC_ID_HEX + 1);
}

void logmac_sha256(const void *p, size_t n, uint8_t out[LOGMAC_LEN])
{
	SHA256(p, n, out);
}

int logmac_read_key(const char *path, uint8_t *key, size_t cap, char *msg, size_t msglen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), err = 0;
	struct stat st;
	ssize_t n = 0;

	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		snprintf(msg, msglen, "couldn't read key file '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		err = -EPERM;
		snprintf(msg, msglen, "key file '%s' is %s (chmod 600 it)", path,
			 S_ISREG(st.st_mode) ? "readable by group or others" : "not a regular file");
		goto out;
	}
	n = read(fd, key, cap);
	if (n > 0 && key[n - 1] == '\n')
		n--;
	if (n < LOGMAC_KEY_MIN || (size_t)n >= cap) {
		err = -EINVAL;
		snprintf(msg, msglen, "key file '%s' holds %zd bytes (expected %d to %zu)", path,
			 n < 0 ? (ssize_t)0 : n, LOGMAC_KEY_MIN, cap - 1);
	}
out:
	if (fd >= 0)
		close(fd);
	return err ? err : (int)n;
}
