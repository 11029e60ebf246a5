// SPDX-License-Identifier: GPL-2.0
/* icapsvc: the ICAP server wired to an engine (icapsvc.h). */
#include <errno.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icapsvc.h"
#include "log/log.h"

struct icapsvc {
	struct icap_server *srv;
	struct icap_conf conf;
};

int icapsvc_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				 .ai_socktype = SOCK_STREAM};
	char host[128];
	const char *colon = strrchr(s, ':');
	struct addrinfo *ai;
	size_t n;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		goto bad;
	n = (size_t)(colon - s);
	if (s[0] == '[' && n >= 2 && s[n - 1] == ']')
		memcpy(host, s + 1, n - 2), host[n - 2] = '\0';
	else
		memcpy(host, s, n), host[n] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai))
		goto bad;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
bad:
	return -EINVAL;
}

static void hash_file(EVP_MD_CTX *md, const char *path)
{
	FILE *f = path ? fopen(path, "rb") : NULL;
	char buf[65536];
	size_t n;

	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)))
		EVP_DigestUpdate(md, buf, n);
	fclose(f);
}

static void hash_str(EVP_MD_CTX *md, const char *s)
{
	EVP_DigestUpdate(md, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* The ISTag: a digest of what decides a verdict (the lists' names,
 * categories and contents, the inspected types, the PDQ quality floor),
 * so a proxy drops its cached answers when any of it changes. */
void icapsvc_istag(struct icap_conf *c, const struct listset *ls, int min_quality,
		   const char *policy_version)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[32];
	char q[16];

	if (!md)
		return;
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	for (int i = 0; i < ls->nhash; i++) {
		hash_str(md, ls->hash[i].name);
		hash_str(md, ls->hash[i].category);
		hash_file(md, ls->hash[i].path);
	}
	for (int i = 0; i < ls->npdq; i++) {
		hash_str(md, ls->pdq[i].name);
		hash_str(md, ls->pdq[i].category);
		snprintf(q, sizeof(q), "%u", ls->pdq[i].threshold);
		hash_str(md, q);
		hash_file(md, ls->pdq[i].path);
	}
	for (int i = 0; i < ls->nxml; i++)
		hash_file(md, ls->xml[i]);
	snprintf(q, sizeof(q), "%d/%d", min_quality, c->multipart);
	hash_str(md, q);
	hash_str(md, c->types);
	if (policy_version && *policy_version)
		hash_str(md, policy_version);
	EVP_DigestFinal_ex(md, d, NULL);
	EVP_MD_CTX_free(md);
	strcpy(c->istag, "ew-");
	for (int i = 0; i < 14; i++)
		snprintf(c->istag + 3 + 2 * i, 3, "%02x", d[i]);
}

static void *be_new(void *ctx, void (*verdict)(void *, const struct obj_verdict *), void *vctx,
		    const struct object_ops **ops, void **ops_ctx)
{
	struct engine_inspector *in = engine_inspector_new(ctx, "icap", verdict, vctx);

	if (!in)
		return NULL;
	*ops = objsink_object_ops();
	*ops_ctx = engine_inspector_sink(in);
	return in;
}

static void be_free(void *ctx, void *handle)
{
	(void)ctx;
	engine_inspector_free(handle);
}


struct icapsvc *icapsvc_start(struct engine *e, struct icap_conf *conf, const char *listen,
			      unsigned threads)
{
	struct icapsvc *s = calloc(1, sizeof(*s));
	struct sockaddr_storage ss;
	socklen_t sl;
	int err = -ENOMEM;

	if (!s)
		return NULL;
	if (icapsvc_parse_listen(listen, &ss, &sl)) {
		ew_err("icap: bad listen address '%s' (expected ADDR:PORT or [V6ADDR]:PORT)",
		       listen);
		err = -EINVAL;
		goto fail;
	}
	conf->backend = (struct icap_backend){be_new, be_free, e};
	s->conf = *conf;
	s->srv = icap_server_new(&s->conf, (const struct sockaddr *)&ss, sl);
	err = s->srv ? icap_server_start(s->srv, threads) : -errno;
	if (err) {
		ew_err("icap: couldn't serve on '%s': %s", listen, strerror(-err));
		goto fail;
	}
	ew_info("icap: serving icap://%s/respmod and /reqmod, ISTag \"%s\", %u threads", listen,
		conf->istag, threads);
	return s;
fail:
	icap_server_free(s->srv);
	free(s);
	errno = -err;
	return NULL;
}

void icapsvc_retag(struct icapsvc *s, const struct listset *ls, int min_quality,
		   const char *policy_version)
{
	icapsvc_istag(&s->conf, ls, min_quality, policy_version);
	icap_server_set_istag(s->srv, s->conf.istag);
}

const char *icapsvc_istag_now(const struct icapsvc *s)
{
	return s->conf.istag;
}

struct icap_server *icapsvc_server(struct icapsvc *s)
{
	return s->srv;
}

void icapsvc_stop(struct icapsvc *s, struct icap_stats *st)
{
	if (!s)
		return;
	icap_server_stop(s->srv);
	if (st)
		icap_server_stats(s->srv, st);
	icap_server_free(s->srv);
	free(s);
}
