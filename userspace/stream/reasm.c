// SPDX-License-Identifier: GPL-2.0
/* reasm: decoded packets -> ordered byte streams per flow direction
 * (stream_ops). Second stage after packet/defrag. This file: the flow table
 * side (roles, timeouts, eviction, closing, UDP datagrams, entry points);
 * each TCP direction is handled in reasm_tcp.c. Policies and limits are
 * described in docs/reassembly.md. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "reasm_int.h"

/* Short names for counters and JSON keys; the enum says what they mean. */
static const char *const drop_names[REASM_DROP_MAX] = {
	[REASM_DROP_NOT_L4] = "not_l4", [REASM_DROP_NO_FLOW] = "no_flow",
	[REASM_DROP_CLOSED] = "closed", [REASM_DROP_PAWS] = "paws",
	[REASM_DROP_WINDOW] = "window", [REASM_DROP_RST_WINDOW] = "rst_window",
	[REASM_DROP_OLD] = "old",	[REASM_DROP_HANDSHAKE] = "handshake",
};

const char *reasm_drop_str(enum reasm_drop d)
{
	return (unsigned)d < REASM_DROP_MAX ? drop_names[d] : "unknown";
}

void reasm_conf_default(struct reasm_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->tcp_idle_ns = 300ull * 1000000000ull;
	c->udp_idle_ns = 60ull * 1000000000ull;
	c->hard_ns = 3600ull * 1000000000ull;
	c->closed_ns = 30ull * 1000000000ull;
	c->max_flows = 65536;
	c->flow_buf_max = 4u << 20;
	c->flow_segs_max = 2048;
	c->total_buf_max = 256u << 20;
	c->max_ahead = 16u << 20;
}

struct reasm *reasm_new(const struct reasm_conf *conf, const struct stream_ops *ops, void *ctx)
{
	struct reasm *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (conf)
		r->conf = *conf;
	else
		reasm_conf_default(&r->conf);
	if (!r->conf.max_flows)
		r->conf.max_flows = 1;
	r->ops = ops;
	r->ctx = ctx;
	budget_init(&r->own_flows, r->conf.max_flows);
	budget_init(&r->own_bytes, r->conf.total_buf_max);
	r->flows = r->conf.flow_budget ? r->conf.flow_budget : &r->own_flows;
	r->bytes = r->conf.byte_budget ? r->conf.byte_budget : &r->own_bytes;
	r->t = flow_table_new(r->conf.max_flows);
	if (!r->t) {
		free(r);
		return NULL;
	}
	return r;
}

/* ---- timeouts and caps --------------------------------------------------- */

static uint64_t idle_limit(const struct reasm *r, enum flow_class c)
{
	return c == FLOW_CL_TCP	  ? r->conf.tcp_idle_ns
	       : c == FLOW_CL_UDP ? r->conf.udp_idle_ns
				  : r->conf.closed_ns;
}

void reasm_expire(struct reasm *r, uint64_t now_ns)
{
	struct flow *f;

	for (int c = 0; c < FLOW_CL_MAX; c++) {
		while ((f = flow_table_idlest(r->t, (enum flow_class)c)) && now_ns > f->last_ns &&
		       now_ns - f->last_ns > idle_limit(r, c)) {
			r->st.timeouts += c != FLOW_CL_CLOSED;
			reasm_close_flow(r, f, STREAM_CLOSE_TIMEOUT, now_ns);
		}
	}
	while ((f = flow_table_oldest(r->t)) && now_ns > f->info.first_ts_ns &&
	       now_ns - f->info.first_ts_ns > r->conf.hard_ns) {
		r->st.timeouts += f->cls != FLOW_CL_CLOSED;
		reasm_close_flow(r, f, STREAM_CLOSE_TIMEOUT, now_ns);
	}
}

/* ---- flows ---------------------------------------------------------------- */

/* Decides who is the client: the SYN's sender, the SYN-ACK's receiver, or,
 * without a handshake, the side with the higher port (servers listen on the
 * lower one; equal ports: the receiver is the server). */
static int sender_is_client(const struct pkt *p, int *midstream)
{
	*midstream = 0;
	if (p->proto == IPPROTO_TCP && (p->tcp_flags & PKT_SYN))
		return !(p->tcp_flags & PKT_ACK);
	if (p->proto == IPPROTO_TCP)
		*midstream = 1;
	if (p->proto == IPPROTO_UDP && (p->sport < 1024) == (p->dport < 1024))
		return 1; /* UDP: the first sender asked */
	return p->sport >= p->dport;
}

static struct flow *open_flow(struct reasm *r, const struct pkt *p)
{
	enum flow_class cls = p->proto == IPPROTO_TCP ? FLOW_CL_TCP : FLOW_CL_UDP;
	struct flow_info *fi;
	struct flow *f;
	int mid, cli;

	/* at a shared cap with nothing of its own to evict, a reassembler
	 * still opens the flow: the others hold the flows and evict theirs */
	while (!budget_take(r->flows, 1))
		if (reasm_evict_one(r, NULL, 0, p->ts_ns)) {
			budget_force(r->flows, 1);
			break;
		}
	f = flow_table_add(r->t, &p->key, cls, p->ts_ns);
	if (!f) {
		budget_give(r->flows, 1);
		return NULL;
	}
	cli = sender_is_client(p, &mid);
	fi = &f->info;
	fi->id = p->num;
	memcpy(fi->client_addr, cli ? p->src : p->dst, 16);
	memcpy(fi->server_addr, cli ? p->dst : p->src, 16);
	fi->client_port = cli ? p->sport : p->dport;
	fi->server_port = cli ? p->dport : p->sport;
	fi->proto = p->proto;
	fi->flags = (mid ? FLOW_MIDSTREAM : 0) | (p->family == 6 ? FLOW_IPV6 : 0);
	fi->vlan = p->vlan;
	fi->ifindex = p->ifindex;
	fi->first_ts_ns = p->ts_ns;
	r->st.flows++;
	r->st.flows_active++;
	r->st.midstream += mid;
	f->user = r->ops->flow_open(r->ctx, fi);
	return f;
}

/* Direction of p within f. */
static int dir_of(const struct flow *f, const struct pkt *p)
{
	return memcmp(p->src, f->info.client_addr, 16) || p->sport != f->info.client_port
		       ? STREAM_S2C
		       : STREAM_C2S;
}

/* ---- entry points ----------------------------------------------------------- */

int reasm_push(struct reasm *r, const struct pkt *p)
{
	struct flow *f;

	r->st.packets++;
	if (!(p->flags & PKT_F_L4) || (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP)) {
		r->st.drops[REASM_DROP_NOT_L4]++;
		return 0;
	}
	reasm_expire(r, p->ts_ns);
	f = flow_table_get(r->t, &p->key);
	if (f && f->cls == FLOW_CL_CLOSED) {
		if ((p->tcp_flags & (PKT_SYN | PKT_ACK | PKT_RST)) != PKT_SYN) {
			r->st.drops[REASM_DROP_CLOSED]++;
			return 0;
		}
		reasm_drop_flow(r, f); /* a new connection on the same tuple */
		f = NULL;
	}
	if (!f) {
		if (p->proto == IPPROTO_TCP &&
		    ((p->tcp_flags & PKT_RST) || (!p->len && !(p->tcp_flags & PKT_SYN)))) {
			r->st.drops[REASM_DROP_NO_FLOW]++;
			return 0;
		}
		f = open_flow(r, p);
		if (!f)
			return -ENOMEM;
	}
	flow_table_touch(r->t, f, f->cls, p->ts_ns);
	if (f->user && r->ops->packet) /* before the segment can close the flow */
		r->ops->packet(f->user, (enum stream_dir)dir_of(f, p), p->l3, p->l3_len, p->ts_ns);
	if (p->proto == IPPROTO_TCP)
		return reasm_tcp_segment(r, f, dir_of(f, p), p);
	r->st.bytes += p->len;
	if (f->user && p->len)
		r->ops->data(f->user, (enum stream_dir)dir_of(f, p), p->payload, p->len, p->ts_ns);
	return 0;
}

void reasm_flush(struct reasm *r)
{
	struct flow *f;

	while ((f = flow_table_oldest(r->t)))
		reasm_close_flow(r, f, STREAM_CLOSE_EOF, f->last_ns);
}

void reasm_stats(const struct reasm *r, struct reasm_stats *st)
{
	*st = r->st;
}

void reasm_reset_peak(struct reasm *r)
{
	r->st.buffered_peak = r->st.buffered;
}

void reasm_free(struct reasm *r)
{
	if (!r)
		return;
	reasm_flush(r);
	budget_give(r->flows, flow_table_count(r->t));
	flow_table_free(r->t);
	free(r);
}
