// SPDX-License-Identifier: GPL-2.0
/* tap: mirror ring buffer -> engine and pcapng; matches -> flow verdict,
 * resets, block event. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/packet.h"
#include "capture/pcapng.h"
#include "dnslog.h"
#include "events.h"
#include "util/clock.h"
#include "kernel/mirror.h"
#include "log/log.h"
#include "rst.h"
#include "tap.h"

#define PCAP_IF_MAX 64

struct tap {
	struct tap_conf conf;
	struct mirror *m;
	FILE *f;
	struct pcapng *w;
	uint32_t ifindex[PCAP_IF_MAX]; /* pcapng interface id -> ifindex */
	int n_if;
	struct rst *rst;
	struct tap_stats st; /* blocked, resets: atomic (worker threads) */
};

/* ---- pcapng -------------------------------------------------------------------- */

static int pcap_iface(struct tap *t, uint32_t ifindex)
{
	char name[IF_NAMESIZE];
	int id;

	for (id = 0; id < t->n_if; id++)
		if (t->ifindex[id] == ifindex)
			return id;
	if (t->n_if == PCAP_IF_MAX)
		return -ENOSPC;
	if (!if_indextoname(ifindex, name))
		snprintf(name, sizeof(name), "if%u", ifindex);
	id = pcapng_add_interface(t->w, name, t->conf.snaplen);
	if (id >= 0)
		t->ifindex[t->n_if++] = ifindex;
	return id;
}

/* Subscriber traffic: 0600, no symlink, never over an existing file. */
static int pcap_open(struct tap *t)
{
	int fd = open(t->conf.pcap_out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0600);

	t->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	t->w = t->f ? pcapng_open(t->f) : NULL;
	if (!t->w) {
		ew_err("couldn't create pcapng file '%s': %s", t->conf.pcap_out, strerror(errno));
		if (t->f)
			fclose(t->f);
		else if (fd >= 0)
			close(fd);
		t->f = NULL;
		return -errno;
	}
	for (int i = 0; i < t->conf.n_if; i++)
		pcap_iface(t, if_nametoindex(t->conf.ifaces[i]));
	return 0;
}

static int on_packet(const struct mirror_pkt *pkt, void *ctx)
{
	struct tap *t = ctx;
	int id;

	t->st.frames++;
	if (pkt->rec->dir == EW_DIR_DNS_ANSWER) { /* not a packet of a flow */
		int rc = t->conf.log ? dnslog_answer(t->conf.log, t->conf.dc, pkt) : 1;

		t->st.bad += rc == -EINVAL;
		t->st.dns_answers += rc == 0;
		return 0;
	}
	if (t->conf.names)
		namewatch_frame(t->conf.names, pkt->data, pkt->cap_len, pkt->ts_ns);
	if (t->conf.engine &&
	    engine_push_frame(t->conf.engine, PKT_LINK_EN10MB, pkt->data, pkt->cap_len,
			      pkt->ts_ns, pkt->ifindex) == -ENOBUFS)
		t->st.queue_full++;
	if (!t->w)
		return 0;
	id = pcap_iface(t, pkt->ifindex);
	if (id >= 0 && !pcapng_write_packet(t->w, (uint32_t)id, pkt->ts_ns, pkt->data,
					    pkt->cap_len, pkt->orig_len))
		t->st.written++;
	return 0; /* write errors surface at pcapng_close */
}

/* ---- life -------------------------------------------------------------------------- */

struct tap *tap_new(const struct tap_conf *c)
{
	struct tap *t = calloc(1, sizeof(*t));
	int err = 0;

	if (!t)
		return NULL;
	t->conf = *c;
	if (c->pcap_out)
		err = pcap_open(t);
	if (!err && c->engine && !(t->rst = rst_new()))
		err = -errno;
	if (!err && !(t->m = mirror_new(c->kside->mirror_fd, on_packet, t))) {
		err = -errno;
		ew_err("couldn't consume the mirror ring buffer '%s': %s", EW_MAP_MIRROR,
		       strerror(errno));
	}
	if (err) {
		tap_free(t);
		errno = -err;
		return NULL;
	}
	return t;
}

int tap_fd(const struct tap *t)
{
	return mirror_fd(t->m);
}

int tap_poll(struct tap *t)
{
	int n = mirror_poll(t->m, 0);

	t->st.bad = mirror_bad(t->m);
	return n;
}

void tap_stats(const struct tap *t, struct tap_stats *st)
{
	*st = t->st;
	st->blocked = __atomic_load_n(&t->st.blocked, __ATOMIC_RELAXED);
	st->resets = __atomic_load_n(&t->st.resets, __ATOMIC_RELAXED);
	st->reset_errors = __atomic_load_n(&t->st.reset_errors, __ATOMIC_RELAXED);
}

int tap_free(struct tap *t)
{
	int err = 0;

	if (!t)
		return 0;
	if (t->m)
		mirror_poll(t->m, 0);
	mirror_free(t->m);
	rst_free(t->rst);
	if (t->w) {
		err = pcapng_close(t->w);
		if (fclose(t->f) && !err)
			err = -errno;
		if (err)
			ew_err("couldn't write pcapng file '%s': %s", t->conf.pcap_out,
			       strerror(-err));
		else
			ew_info("wrote %llu mirrored packets to %s",
				(unsigned long long)t->st.written, t->conf.pcap_out);
	}
	free(t);
	return err;
}

/* ---- enforcement --------------------------------------------------------------------- */

/* Resets both ends of a TCP flow, when the reassembler knows where each
 * direction stands. */
static void reset_both(struct tap *t, const struct flow_info *fi)
{
	int sent;

	if (!fi || fi->proto != IPPROTO_TCP || !(fi->flags & FLOW_SEQ_KNOWN))
		return;
	sent = rst_send_pair(t->rst, fi->client_addr, fi->client_port, fi->server_addr,
			     fi->server_port, fi->seq[STREAM_C2S], fi->seq[STREAM_S2C]);
	if (sent < 0)
		__atomic_add_fetch(&t->st.reset_errors, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&t->st.resets, (uint64_t)sent, __ATOMIC_RELAXED);
}

/* The flow's BLOCK verdict (XDP drops the rest), counted. */
static void block_key(struct tap *t, const struct ew_flow_key *key)
{
	if (kside_reset_flow(t->conf.kside, key, 0))
		ew_warn("couldn't write the BLOCK verdict of a blocked flow: %s",
			strerror(errno));
	else
		__atomic_add_fetch(&t->st.blocked, 1, __ATOMIC_RELAXED);
}

void tap_block(struct tap *t, const struct obj_verdict *v, const struct tap_decision *td)
{
	const struct objsink_flow *f = v->flow;
	struct agent_block b = {.ts_ns = wall_ns(), .v = v, .how = ENF_TAP_RESET,
				.rule = td->rule[0] ? td->rule : NULL, .version = td->version};
	struct ew_flow_key key;

	if (!f)
		return;
	packet_flow_key(f->client, f->cport, f->server, f->sport, IPPROTO_TCP,
			(f->flags & FLOW_IPV6) ? 6 : 4, &key);
	block_key(t, &key);
	reset_both(t, v->live);
	b.client = f->client, b.server = f->server;
	b.client_port = f->cport, b.server_port = f->sport;
	b.flow_id = f->id;
	agent_event_block(t->conf.engine, &b);
}

void tap_block_flow(struct tap *t, const struct flow_info *fi, const struct dpi_result *r,
		    const struct tap_decision *td)
{
	struct obj_verdict v = {.host = r->server_name, .uri = "", .distance = -1, .quality = -1,
				.sniffed = "", .content_type = ""};
	struct agent_block b = {.ts_ns = wall_ns(), .v = &v, .how = ENF_TAP_RESET,
				.client = fi->client_addr, .server = fi->server_addr,
				.client_port = fi->client_port, .server_port = fi->server_port,
				.flow_id = fi->id, .rule = td->rule[0] ? td->rule : NULL,
				.version = td->version, .category = td->category,
				.app = r->protocol, .udp = fi->proto == IPPROTO_UDP};

	block_key(t, &fi->key);
	reset_both(t, fi);
	agent_event_block(t->conf.engine, &b);
}
