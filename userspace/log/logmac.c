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

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "logmac.h"

struct logmac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	char id[LOGMAC_ID_HEX + 1];
};

struct logmac *logmac_new(const uint8_t *key, size_t len)
{
	struct logmac *m = calloc(1, sizeof(*m));
	OSSL_PARAM p[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
			   OSSL_PARAM_construct_end()};
	static const char tag[] = "edgeward log key\n";
	uint8_t d[LOGMAC_LEN];
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!m || !md)
		goto fail;
	m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	m->ctx = m->mac ? EVP_MAC_CTX_new(m->mac) : NULL;
	if (!m->ctx || !EVP_MAC_init(m->ctx, key, len, p))
		goto fail;
	if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(md, tag, sizeof(tag) - 1) || !EVP_DigestUpdate(md, key, len) ||
	    !EVP_DigestFinal_ex(md, d, NULL))
		goto fail;
	logmac_hex(d, LOGMAC_ID_HEX / 2, m->id);
	EVP_MD_CTX_free(md);
	return m;
fail:
	EVP_MD_CTX_free(md);
	logmac_free(m);
	errno = ENOMEM;
	return NULL;
}

void logmac_free(struct logmac *m)
{
	if (!m)
		return;
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->mac);
	free(m);
}

int logmac_hmac(struct logmac *m, const void *p, size_t n, uint8_t out[LOGMAC_LEN])
{
	size_t len = 0;

	/* init with no key re-arms the context with the key it has */
	if (!EVP_MAC_init(m->ctx, NULL, 0, NULL) || !EVP_MAC_update(m->ctx, p, n) ||
	    !EVP_MAC_final(m->ctx, out, &len, LOGMAC_LEN) || len != LOGMAC_LEN)
		return -EIO;
	return 0;
}

void logmac_key_id(const struct logmac *m, char out[LOGMAC_ID_HEX + 1])
{
	memcpy(out, m->id, LOGMAC_ID_HEX + 1);
}

void logmac_sha256(const void *p, size_t n, uint8_t out[LOGMAC_LEN])
{
	SHA256(p, n, out);
}

void logmac_hex(const uint8_t *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int logmac_unhex(const char *s, size_t n, uint8_t *d)
{
	for (size_t i = 0; i < n; i++) {
		int hi = nibble(s[2 * i]), lo = hi < 0 ? -1 : nibble(s[2 * i + 1]);

		if (lo < 0)
			return -EINVAL;
		d[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
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
