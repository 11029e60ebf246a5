// SPDX-License-Identifier: GPL-2.0
/* server: the notice server over libmicrohttpd (server.h). The daemon
 * parses HTTP, query arguments and form bodies; this file decides which
 * page, checks tokens and records acknowledgements. */
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define PAGE_MAX    (32u << 10)
#define ACK_PATH    NOTICE_ACK_PATH
#define WARN_PATH   "/_ew/warn"
#define SEC	    1000000000ull
#define COUNT(s, f) __atomic_add_fetch(&(s)->st.f, 1, __ATOMIC_RELAXED)

struct notice_server {
	struct notice_server_conf conf;
	struct MHD_Daemon *d;
	struct ack_store *acks;
	uint8_t key[ACK_KEY_LEN]; /* tokens: this process's, never stored */
	struct notice_server_stats st;
};

/* The form of one POST /_ew/ack, filled by the daemon's post processor. */
struct form {
	struct MHD_PostProcessor *pp;
	char token[ACK_TOKEN_LEN + 1];
	char category[ACK_CATEGORY_MAX];
	char url[NOTICE_URL_MAX];
	bool bad; /* a field too long */
};

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * SEC + (uint64_t)t.tv_nsec;
}

void notice_server_conf_default(struct notice_server_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->status = 451;
	c->ack_ns = 3600 * SEC;
	c->ack_max = 65536;
	c->token_ns = 3600 * SEC;
	c->threads = 2;
	c->fd = -1;
}

int notice_server_listen(const struct sockaddr_storage *addr, socklen_t len)
{
	int one = 1, fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)addr, len) || listen(fd, 512)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* The client's address, 16 bytes (IPv4 mapped). */
static void peer(struct MHD_Connection *c, uint8_t *out)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	memset(out, 0, 16);
	if (sa && sa->sa_family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa && sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	}
}

static const char *header(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	return v ? v : "";
}

static const char *arg(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);

	return v ? v : "";
}

/* ---- answers ------------------------------------------------------------- */

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type,
			       const char *body, size_t len, const char *location)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	/* the acknowledge button may not be framed by another page */
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; style-src 'unsafe-inline'; "
				"frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	if (location)
		MHD_add_response_header(r, "Location", location);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "POST");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return respond(c, status, "text/plain; charset=utf-8", msg, strlen(msg), NULL);
}

static enum MHD_Result page(struct notice_server *s, struct MHD_Connection *c, enum notice_kind k,
			    const struct notice_vars *v)
{
	char *buf = malloc(PAGE_MAX);
	int status = 0, n = buf ? notice_render(s->conf.set, k, header(c, "Accept-Language"), v,
						buf, PAGE_MAX, &status)
				: -ENOMEM;
	enum MHD_Result ret;

	if (n < 0)
		ret = text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
			   "edgeward: the notice page could not be made\n");
	else
		ret = respond(c, (unsigned)status, "text/html; charset=utf-8", buf, (size_t)n,
			      NULL);
	free(buf);
	return ret;
}

/* GET /_ew/warn: the disclaimer, its form bound to this client. */
static enum MHD_Result warn(struct notice_server *s, struct MHD_Connection *c)
{
	struct notice_vars v = {.category = arg(c, "category"),
				.url = arg(c, "url"),
				.contact = s->conf.contact,
				.ack_url = ACK_PATH};
	char token[ACK_TOKEN_LEN + 1];
	uint8_t addr[16];

	if (!*v.category || strlen(v.category) >= ACK_CATEGORY_MAX ||
	    strlen(v.url) >= NOTICE_URL_MAX) {
		COUNT(s, bad_requests);
		return text(c, MHD_HTTP_BAD_REQUEST, "edgeward: a disclaimer needs a category\n");
	}
	peer(c, addr);
	ack_token(s->key, addr, v.category, v.url, mono_ns() / SEC, token);
	v.token = token;
	COUNT(s, warns);
	return page(s, c, NOTICE_WARN, &v);
}

static bool http_url(const char *u)
{
	return !strncmp(u, "http://", 7) || !strncmp(u, "https://", 8);
}

/* POST /_ew/ack, its form read whole. */
static enum MHD_Result ack(struct notice_server *s, struct MHD_Connection *c, struct form *f)
{
	struct notice_vars v = {.category = f->category, .url = f->url, .contact = s->conf.contact};
	uint64_t now = mono_ns();
	uint8_t addr[16];

	peer(c, addr);
	if (f->bad || !f->pp ||
	    !ack_token_ok(s->key, addr, f->category, f->url, f->token, now / SEC,
			  s->conf.token_ns / SEC) ||
	    ack_record(s->acks, addr, f->category, now)) {
		COUNT(s, acks_refused);
		return text(c, MHD_HTTP_FORBIDDEN,
			    "edgeward: this acknowledgement could not be checked: it was made "
			    "for another address, or it expired. Open the page again.\n");
	}
	COUNT(s, acks);
	if (http_url(f->url))
		return respond(c, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", "", 0, f->url);
	if (notice_lang_choose(s->conf.set, "acked", NULL, NULL))
		return page(s, c, NOTICE_ACKED, &v);
	return text(c, MHD_HTTP_OK, "edgeward: acknowledged.\n");
}

/* What the lookup said, into v (its strings stay l's); a template the
 * set does not have is the kind's. */
static void looked_up(const struct notice_server *s, const struct notice_lookup *l,
		      struct notice_vars *v)
{
	v->rule = l->rule[0] ? l->rule : NULL;
	v->category = l->category[0] ? l->category : NULL;
	if (l->tmpl[0] && notice_lang_choose(s->conf.set, l->tmpl, NULL, NULL))
		v->tmpl = l->tmpl;
	if (l->contact[0])
		v->contact = l->contact;
	if (l->status)
		v->status = l->status;
}

/* Any other page: the block notice for the host the browser asked, or
 * what conf.lookup says of it. */
static enum MHD_Result other(struct notice_server *s, struct MHD_Connection *c, const char *path)
{
	struct notice_vars v = {.contact = s->conf.contact, .status = s->conf.status};
	struct notice_lookup l = {.kind = NOTICE_BLOCK};
	char url[NOTICE_URL_MAX], token[ACK_TOKEN_LEN + 1];
	enum notice_kind k;
	uint8_t addr[16];

	v.host = header(c, "Host");
	snprintf(url, sizeof(url), "http://%s%s", v.host, path);
	v.url = url;
	peer(c, addr);
	if (s->conf.lookup) {
		s->conf.lookup(s->conf.lookup_ctx, addr, v.host, url, &l);
		looked_up(s, &l, &v);
	}
	k = l.kind;
	if (k == NOTICE_ACKED && !notice_lang_choose(s->conf.set, "acked", NULL, NULL))
		return text(c, MHD_HTTP_OK, "edgeward: acknowledged; the name resolves to the site "
					    "again once your resolver's cache lets go of it.\n");
	if (k == NOTICE_WARN) {
		ack_token(s->key, addr, v.category ? v.category : "", v.url ? v.url : "",
			  mono_ns() / SEC, token);
		v.token = token;
		v.ack_url = ACK_PATH;
		COUNT(s, warns);
	} else {
		COUNT(s, blocks);
	}
	return page(s, c, k, &v);
}

/* ---- the daemon's callbacks ------------------------------------------------ */

static enum MHD_Result field(void *cls, enum MHD_ValueKind kind, const char *key,
			     const char *filename, const char *type, const char *enc,
			     const char *data, uint64_t off, size_t size)
{
	struct form *f = cls;
	char *dst = !strcmp(key, "token")      ? f->token
		    : !strcmp(key, "category") ? f->category
		    : !strcmp(key, "url")      ? f->url
					       : NULL;
	size_t cap = dst == f->token	  ? sizeof(f->token)
		     : dst == f->category ? sizeof(f->category)
					  : sizeof(f->url);

	(void)kind, (void)filename, (void)type, (void)enc;
	if (!dst)
		return MHD_YES; /* other fields are no business of ours */
	if (off + size >= cap) {
		f->bad = true;
		return MHD_YES;
	}
	memcpy(dst + off, data, size);
	dst[off + size] = '\0';
	return MHD_YES;
}

/* The first call of a POST to /_ew/ack: its form, read by the daemon's
 * post processor (urlencoded or multipart). */
static enum MHD_Result begin_form(struct MHD_Connection *c, void **con_cls)
{
	struct form *f = calloc(1, sizeof(*f));

	if (!f)
		return MHD_NO;
	f->pp = MHD_create_post_processor(c, 4096, field, f);
	*con_cls = f;
	return MHD_YES;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **con_cls)
{
	struct notice_server *s = cls;
	bool post = !strcmp(method, "POST"),
	     get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	struct form *f = *con_cls;

	(void)version;
	if (post && !strcmp(url, ACK_PATH)) {
		if (!f)
			return begin_form(c, con_cls);
		if (*upload_len) {
			if (f->pp && MHD_post_process(f->pp, upload, *upload_len) != MHD_YES)
				f->bad = true;
			*upload_len = 0;
			return MHD_YES;
		}
		return ack(s, c, f);
	}
	if (!get) {
		COUNT(s, bad_requests);
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "edgeward: an acknowledgement is a POST to " ACK_PATH "\n");
	}
	if (!strcmp(url, ACK_PATH)) {
		COUNT(s, bad_requests);
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "edgeward: an acknowledgement is a POST from the disclaimer's form\n");
	}
	return !strcmp(url, WARN_PATH) ? warn(s, c) : other(s, c, url);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode why)
{
	struct form *f = *con_cls;

	(void)cls, (void)c, (void)why;
	if (!f)
		return;
	if (f->pp)
		MHD_destroy_post_processor(f->pp);
	free(f);
	*con_cls = NULL;
}

/* ---- life -------------------------------------------------------------------- */

static int daemon_up(struct notice_server *s)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opts[] = {
		/* a socket of the caller's, else one on conf.addr */
		s->conf.fd >= 0
			? (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, s->conf.fd, NULL}
			: (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &s->conf.addr},
		{MHD_OPTION_THREAD_POOL_SIZE, s->conf.threads ? s->conf.threads : 1, NULL},
		{MHD_OPTION_CONNECTION_LIMIT, 1024, NULL},
		{MHD_OPTION_CONNECTION_TIMEOUT, 15, NULL},
		{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, s},
		{MHD_OPTION_END, 0, NULL},
	};

	if (s->conf.addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, answer, s, MHD_OPTION_ARRAY, opts,
				MHD_OPTION_END);
	return s->d ? 0 : errno ? -errno : -EADDRINUSE;
}

struct notice_server *notice_server_start(const struct notice_server_conf *conf, char *msg,
					  size_t msglen)
{
	struct notice_server *s = calloc(1, sizeof(*s));
	int err = s ? 0 : -ENOMEM;

	if (s)
		s->conf = *conf;
	if (!err &&
	    (!conf->set || (conf->addr.ss_family != AF_INET && conf->addr.ss_family != AF_INET6)))
		err = -EINVAL;
	if (!err && getrandom(s->key, sizeof(s->key), 0) != sizeof(s->key))
		err = -EIO;
	if (!err && !(s->acks = ack_store_new(conf->ack_max, conf->ack_ns)))
		err = -ENOMEM;
	if (!err)
		err = daemon_up(s);
	if (err) {
		snprintf(msg, msglen, "notice server: couldn't start: %s", strerror(-err));
		if (!s && conf->fd >= 0)
			close(conf->fd);
		notice_server_stop(s);
		errno = -err;
		return NULL;
	}
	return s;
}

uint16_t notice_server_port(const struct notice_server *s)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);

	return i ? i->port : 0;
}

bool notice_server_acked(struct notice_server *s, const uint8_t *client, const char *category,
			 uint64_t ack_ns)
{
	return ack_check(s->acks, client, category, mono_ns(), ack_ns);
}

void notice_server_token(struct notice_server *s, const uint8_t *client, const char *category,
			 const char *url, char *out)
{
	ack_token(s->key, client, category, url, mono_ns() / SEC, out);
}

void notice_server_stats(struct notice_server *s, struct notice_server_stats *st)
{
	*st = s->st;
	ack_stats(s->acks, mono_ns(), &st->table);
}

void notice_server_stop(struct notice_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d); /* closes the listening socket */
	else if (s->conf.fd >= 0)
		close(s->conf.fd);
	ack_store_free(s->acks);
	memset(s->key, 0, sizeof(s->key));
	free(s);
}
