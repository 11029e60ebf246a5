// SPDX-License-Identifier: GPL-2.0
/* exporter: the metrics endpoint over libmicrohttpd (exporter.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter.h"

struct exporter {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	char *text;
	size_t len;
	uint64_t scrapes;
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **con_cls)
{
	static const char nf[] = "not found: the metrics are at /metrics\n";
	struct exporter *x = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	bool ok = !strcmp(url, "/metrics") && !strcmp(method, "GET");

	(void)version, (void)upload, (void)upload_len, (void)con_cls;
	pthread_mutex_lock(&x->lock);
	if (ok) {
		r = MHD_create_response_from_buffer(x->len, x->text ? x->text : (char *)"",
						    MHD_RESPMEM_MUST_COPY);
		x->scrapes++;
	} else {
		r = MHD_create_response_from_buffer(sizeof(nf) - 1, (void *)nf,
						    MHD_RESPMEM_PERSISTENT);
	}
	pthread_mutex_unlock(&x->lock);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", ok ? "text/plain; version=0.0.4" : "text/plain");
	ret = MHD_queue_response(c, ok ? MHD_HTTP_OK : MHD_HTTP_NOT_FOUND, r);
	MHD_destroy_response(r);
	return ret;
}

/* "a.b.c.d:port" or "[v6]:port" into a socket address. */
static int parse(const char *addr, struct sockaddr_storage *ss)
{
	const char *colon = strrchr(addr, ':');
	char host[64];
	long port;
	size_t hl;

	if (!colon || (port = strtol(colon + 1, NULL, 10)) <= 0 || port > 65535)
		return -EINVAL;
	hl = (size_t)(colon - addr);
	if (addr[0] == '[' && hl > 2 && addr[hl - 1] == ']')
		addr++, hl -= 2;
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, addr, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
		return AF_INET6;
	}
	return -EINVAL;
}

struct exporter *exporter_start(const char *addr, char *msg, size_t msglen)
{
	struct exporter *x = calloc(1, sizeof(*x));
	struct sockaddr_storage ss;
	int fam = parse(addr, &ss);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	if (!x || fam < 0) {
		snprintf(msg, msglen, "metrics: bad listen address '%s' (expected "
			 "127.0.0.1:9464 or [::1]:9464)", addr);
		free(x);
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_init(&x->lock, NULL);
	if (fam == AF_INET6)
		flags |= MHD_USE_IPv6;
	x->d = MHD_start_daemon(flags, 0, NULL, NULL, answer, x, MHD_OPTION_SOCK_ADDR, &ss,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
	if (!x->d) {
		int err = errno ? errno : EADDRINUSE;

		snprintf(msg, msglen, "metrics: couldn't listen on '%s': %s", addr, strerror(err));
		pthread_mutex_destroy(&x->lock);
		free(x);
		errno = err;
		return NULL;
	}
	return x;
}

void exporter_publish(struct exporter *x, const char *text, size_t len)
{
	char *t = malloc(len + 1);

	if (!t)
		return; /* the last text stays */
	memcpy(t, text, len);
	pthread_mutex_lock(&x->lock);
	free(x->text);
	x->text = t;
	x->len = len;
	pthread_mutex_unlock(&x->lock);
}

uint64_t exporter_scrapes(struct exporter *x)
{
	uint64_t n;

	pthread_mutex_lock(&x->lock);
	n = x->scrapes;
	pthread_mutex_unlock(&x->lock);
	return n;
}

void exporter_stop(struct exporter *x)
{
	if (!x)
		return;
	MHD_stop_daemon(x->d);
	pthread_mutex_destroy(&x->lock);
	free(x->text);
	free(x);
}
