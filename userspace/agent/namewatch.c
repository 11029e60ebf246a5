// SPDX-License-Identifier: GPL-2.0
/* namewatch: server names from ClientHellos of mirrored flows, and the
 * verdicts, resets and events of blocked names (namewatch.h). */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/ingest.h"
#include "events.h"
#include "util/clock.h"
#include "kernel/domains.h"
#include "log/log.h"
#include "names/tlshello.h"
#include "namewatch.h"
#include "rst.h"
#include "stream/reasm.h"

#define HELLO_BUF (TLSHELLO_MAX + 4096) /* the hello and its record headers */
#define IDLE_NS	  (30 * 1000000000ull)	/* a hello comes early: forget the flow after */

static const uint16_t tls_ports[] = {443, 853, 8443};

struct namewatch {
	struct namewatch_conf conf;
	struct domains_view *view;
	struct rst *rst;
	struct defrag *defrag;
	struct reasm *reasm;
	uint64_t num;		/* frames decoded */
	struct capture_stats cap;
	pthread_mutex_t lock;	/* the view and the counters */
	struct namewatch_stats st;
};

/* One flow whose client bytes are read until its hello is whole. */
struct hello_flow {
	struct namewatch *w;
	const struct flow_info *fi;
	uint8_t *buf;
	size_t len;
	int done;
};

static void bump(struct namewatch *w, uint64_t *counter, uint64_t n)
{
	pthread_mutex_lock(&w->lock);
	*counter += n;
	pthread_mutex_unlock(&w->lock);
}

/* How long a verdict took after the packet that completed the hello. */
static void took(struct namewatch *w, uint64_t ns)
{
	if (ns > 60 * 1000000000ull) /* clocks apart: not a measure */
		return;
	pthread_mutex_lock(&w->lock);
	w->st.verdict_ns_sum += ns;
	if (ns > w->st.verdict_ns_max)
		w->st.verdict_ns_max = ns;
	pthread_mutex_unlock(&w->lock);
}

/* ---- the hook ------------------------------------------------------------------- */

/* The verdict (RESET: XDP drops a UDP flow, and answers each packet of a
 * TCP one with a reset to its sender), and resets to both ends of a TCP
 * flow now when its sequence numbers are known. */
static int enforce(struct namewatch *w, const struct flow_info *fi, uint32_t rule)
{
	int tcp = fi->proto == IPPROTO_TCP, sent = 0;
	int err = kside_reset_flow(w->conf.kside, &fi->key, rule);

	if (err) {
		ew_warn("couldn't write the verdict of a flow blocked by name: %s", strerror(-err));
		return err;
	}
	if (tcp && w->rst && (fi->flags & FLOW_SEQ_KNOWN))
		sent = rst_send_pair(w->rst, fi->client_addr, fi->client_port, fi->server_addr,
				     fi->server_port, fi->seq[STREAM_C2S], fi->seq[STREAM_S2C]);
	bump(w, sent < 0 ? &w->st.errors : &w->st.resets, sent < 0 ? 1 : (uint64_t)sent);
	return 0;
}

/* The domain tables' answer for name asked by client (under the lock):
 * 1 with *a, 0 when not there, -errno. */
static int lookup(struct namewatch *w, const uint8_t client[16], const char *name,
		  struct ew_dns_answer *a)
{
	int found;

	pthread_mutex_lock(&w->lock);
	found = domains_lookup(w->view, client, name, strlen(name), a);
	pthread_mutex_unlock(&w->lock);
	return found;
}

int namewatch_lookup(struct namewatch *w, const uint8_t client[16], const char *name,
		     struct ew_dns_answer *a)
{
	int found;

	bump(w, &w->st.names, 1);
	found = lookup(w, client, name, a);
	if (found < 0)
		bump(w, &w->st.errors, 1);
	return found;
}

/* Without a policy: the domain tables for the client's group. 1 and the
 * rule in *v when blocked, 0 when not, -errno. */
static int tables(struct namewatch *w, const struct flow_info *fi, const char *name,
		  struct namewatch_verdict *v)
{
	struct ew_dns_answer a;
	int found = lookup(w, fi->client_addr, name, &a);

	if (found <= 0 || a.kind == EW_DNS_PASS)
		return found < 0 ? found : 0;
	v->block = true;
	v->action = "block";
	v->rule_id = a.rule_id;
	return 1;
}

/* The verdict on name: the policy's, else the tables'. */
static int verdict(struct namewatch *w, const struct flow_info *fi, const char *name,
		   const char *via, const struct dpi_result *r, struct namewatch_verdict *v)
{
	enum policy_point at = strcmp(via, "quic_sni") ? POLICY_AT_TLS : POLICY_AT_QUIC;

	memset(v, 0, sizeof(*v));
	bump(w, &w->st.names, 1);
	if (w->conf.decide && w->conf.decide(w->conf.decide_ctx, fi, at, name, r, v))
		return v->block;
	return w->view ? tables(w, fi, name, v) : 0;
}

int namewatch_seen(struct namewatch *w, const struct flow_info *fi, const char *name,
		   const char *via, const struct dpi_result *r)
{
	struct agent_name_block b = {.ts_ns = wall_ns(), .fi = fi, .name = name, .via = via,
				     .how = ENF_NONE};
	struct namewatch_verdict v;
	int err, blocked = verdict(w, fi, name, via, r, &v);

	if (blocked < 0)
		bump(w, &w->st.errors, 1);
	if (blocked > 0 && (err = enforce(w, fi, v.rule_id))) {
		bump(w, &w->st.errors, 1);
		return err;
	}
	if (blocked > 0) {
		bump(w, &w->st.blocked, 1);
		b.how = fi->proto == IPPROTO_TCP ? ENF_NAME_RESET : ENF_NAME_DROP;
	}
	b.rule_id = v.rule_id;
	b.rule = v.rule[0] ? v.rule : NULL;
	b.category = v.category[0] ? v.category : NULL;
	b.action = v.action;
	if (v.action && w->conf.engine)
		agent_event_name_block(w->conf.engine, &b);
	return blocked;
}

/* ---- ClientHellos of mirrored flows ---------------------------------------------- */

static void *flow_open(void *ctx, const struct flow_info *fi)
{
	struct namewatch *w = ctx;
	struct hello_flow *f;

	if (fi->proto != IPPROTO_TCP)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (f) {
		f->w = w;
		f->fi = fi;
		bump(w, &w->st.flows, 1);
	}
	return f;
}

static void hello_done(struct hello_flow *f)
{
	free(f->buf);
	f->buf = NULL;
	f->done = 1;
}

/* The client's bytes so far, read again as a whole each time: a hello is
 * a segment or two, and the cap bounds it. */
static void data(void *flow, enum stream_dir dir, const uint8_t *p, size_t len, uint64_t ts_ns)
{
	struct hello_flow *f = flow;
	char name[TLSHELLO_NAME];
	enum tlshello_result r;

	if (f->done || dir != STREAM_C2S)
		return;
	if (!f->buf && !(f->buf = malloc(HELLO_BUF)))
		return hello_done(f);
	if (len > HELLO_BUF - f->len)
		len = HELLO_BUF - f->len;
	memcpy(f->buf + f->len, p, len);
	f->len += len;
	r = tlshello_sni(f->buf, f->len, name);
	if (r == TLSHELLO_MORE && f->len < HELLO_BUF)
		return;
	if (r == TLSHELLO_FOUND || r == TLSHELLO_NONAME)
		bump(f->w, &f->w->st.hellos, 1);
	else
		bump(f->w, &f->w->st.not_tls, 1);
	hello_done(f);
	if (r == TLSHELLO_FOUND && namewatch_seen(f->w, f->fi, name, "tls_sni", NULL) == 1)
		took(f->w, wall_ns() - ts_ns);
}

/* A hole before the hello is whole: the rest is not read. */
static void gap(void *flow, enum stream_dir dir, uint64_t len, uint64_t ts_ns)
{
	struct hello_flow *f = flow;

	(void)len;
	(void)ts_ns;
	if (dir == STREAM_C2S && !f->done)
		hello_done(f);
}

static void end(void *flow, enum stream_dir dir, uint64_t ts_ns)
{
	gap(flow, dir, 0, ts_ns);
}

static void flow_close(void *flow, enum stream_close why, uint64_t ts_ns)
{
	struct hello_flow *f = flow;

	(void)why;
	(void)ts_ns;
	free(f->buf);
	free(f);
}

static const struct stream_ops hello_ops = {
	.flow_open = flow_open, .data = data, .gap = gap, .end = end, .flow_close = flow_close};

static int tls_port(uint16_t port)
{
	for (size_t i = 0; i < sizeof(tls_ports) / sizeof(tls_ports[0]); i++)
		if (port == tls_ports[i])
			return 1;
	return 0;
}

void namewatch_frame(struct namewatch *w, const uint8_t *frame, size_t len, uint64_t ts_ns)
{
	struct pkt p;

	if (!ingest_frame(w->defrag, PKT_LINK_EN10MB, frame, len, ++w->num, ts_ns, &p,
			  &w->cap))
		return;
	if (p.proto == IPPROTO_TCP && (tls_port(p.dport) || tls_port(p.sport)))
		reasm_push(w->reasm, &p);
}

/* ---- life --------------------------------------------------------------------------- */

struct namewatch *namewatch_new(const struct namewatch_conf *c)
{
	struct namewatch *w = calloc(1, sizeof(*w));
	struct reasm_conf rc;

	if (!w)
		return NULL;
	w->conf = *c;
	pthread_mutex_init(&w->lock, NULL);
	reasm_conf_default(&rc);
	rc.tcp_idle_ns = IDLE_NS;
	rc.max_flows = 16384;
	rc.total_buf_max = 16u << 20;
	w->view = domains_view_open();
	if (!w->view)
		ew_err("couldn't open the domain tables '%s': %s", EW_MAP_DNSGEN, strerror(errno));
	else if (!(w->rst = rst_new()))
		; /* printed */
	else if (!(w->defrag = defrag_new(NULL)) || !(w->reasm = reasm_new(&rc, &hello_ops, w)))
		ew_err("couldn't set up the reading of ClientHellos: %s", strerror(errno));
	if (!w->reasm) {
		int err = errno;

		namewatch_free(w);
		errno = err ? err : ENOMEM;
		return NULL;
	}
	return w;
}

void namewatch_stats(struct namewatch *w, struct namewatch_stats *st)
{
	pthread_mutex_lock(&w->lock);
	*st = w->st;
	pthread_mutex_unlock(&w->lock);
}

void namewatch_free(struct namewatch *w)
{
	if (!w)
		return;
	reasm_free(w->reasm);
	defrag_free(w->defrag);
	rst_free(w->rst);
	domains_view_close(w->view);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
