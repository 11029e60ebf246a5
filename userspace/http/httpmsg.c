// SPDX-License-Identifier: GPL-2.0
/* Message events of the HTTP parser (http_conf.msg): where each message
 * starts, where its body starts and where it ends in its direction's
 * stream, for sources that act on message boundaries (the transparent
 * proxy). Called by the framing (http.c, httphead.c); calls nothing back. */
#include <string.h>

#include "httpint.h"

/* A request's host as http_req keeps it: the Host field, else an
 * absolute URI's authority. */
static const char *req_host(const struct http_head *h, char *buf, size_t size)
{
	const char *s = strstr(h->uri, "://");
	size_t n;

	if (h->host[0] || !s)
		return h->host;
	s += 3;
	n = strcspn(s, "/?#");
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static void report(struct http_flow *f, enum stream_dir dir, enum http_msg_event ev)
{
	struct http_dir *d = &f->d[dir];
	const struct http_head *h = &d->m->head;
	const struct http_req *rq = f->cur;
	char host[HH_SHORT];
	struct http_msg m = {
		.flow = f->fi, .dir = dir, .ev = ev, .flags = d->msg_flags,
		.head_off = h->head_off, .body_off = h->body_off,
		.end_off = ev == HTTP_MSG_DONE ? d->pos : 0,
	};

	if (dir == STREAM_C2S) {
		m.method = h->method;
		m.uri = h->uri;
		m.host = req_host(h, host, sizeof(host));
		m.accept_language = h->accept_language;
	} else {
		m.accept_language = "";
		/* an interim response comes before its request is taken */
		if (d->msg_flags & HTTP_MSG_INTERIM)
			rq = f->qhead;
		m.method = rq && rq->method ? rq->method : "";
		m.host = rq && rq->host ? rq->host : "";
		m.uri = rq && rq->uri ? rq->uri : "";
		m.status = h->status;
	}
	f->ctx->conf.msg(f->ctx->conf.msg_ctx, &m);
}

void http_msg_head(struct http_flow *f, enum stream_dir dir)
{
	struct http_dir *d = &f->d[dir];
	unsigned fl = 0;

	if (d->st == H_DEAD)
		fl = HTTP_MSG_TUNNEL | HTTP_MSG_BODILESS;
	else if (d->st == H_HEAD)
		fl = HTTP_MSG_BODILESS;
	else if (d->st == H_CLOSE)
		fl = HTTP_MSG_CLOSE;
	if (dir == STREAM_S2C && d->m->head.status / 100 == 1 && !(fl & HTTP_MSG_TUNNEL))
		fl |= HTTP_MSG_INTERIM;
	d->msg_flags = fl;
	if (!f->ctx->conf.msg)
		return;
	report(f, dir, HTTP_MSG_HEAD);
	if (fl & HTTP_MSG_BODILESS)
		report(f, dir, HTTP_MSG_DONE);
}

void http_msg_report_done(struct http_flow *f, enum stream_dir dir)
{
	if (f->ctx->conf.msg && f->d[dir].m)
		report(f, dir, HTTP_MSG_DONE);
}
