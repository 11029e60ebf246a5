// SPDX-License-Identifier: GPL-2.0
/* reasm_tcp: one TCP direction of a reassembler flow, called by reasm.c.
 * Places segments by 64-bit stream offset, delivers in-order bytes without
 * copying, holds out-of-order ones (first copy wins), applies PAWS and the
 * SYN-SENT checks, and gives up holes as gaps; delivery, closing and
 * eviction are reasm_out.c's. Policies: docs/reassembly.md. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "reasm_int.h"

/* Enforces the per-direction and global caps on held bytes after an insert
 * into f's direction d: the flow's own holes are given up first. */
static void enforce_caps(struct reasm *r, struct flow *f, int d, uint64_t ts)
{
	struct flow_dir *fd = &f->dir[d];

	while (flow_held(fd) &&
	       (fd->ooo->mem > r->conf.flow_buf_max || fd->ooo->n > r->conf.flow_segs_max)) {
		reasm_gap(r, f, d, flow_held(fd)->off, ts);
		reasm_drain(r, f, d, ts);
	}
	while (budget_over(r->bytes)) {
		if (reasm_evict_one(r, f, 1, ts)) {
			while (flow_held(fd)) {
				reasm_gap(r, f, d, flow_held(fd)->off, ts);
				reasm_drain(r, f, d, ts);
			}
			break;
		}
	}
}

/* Stream offset of sequence number seq in direction fd (init must be set);
 * negative before the start of the stream. */
static int64_t off_of(const struct flow_dir *fd, uint32_t seq)
{
	return (int64_t)fd->next_off + (int32_t)(seq - fd->next_seq);
}

static void dir_init(struct flow *f, int d, uint32_t seq)
{
	struct flow_dir *fd = &f->dir[d];

	fd->init = 1;
	fd->next_seq = seq;
	fd->next_off = 0;
	flow_sync_seq(f, d);
}

/* ---- segments ------------------------------------------------------------------ */

/* PAWS (RFC 7323): a segment whose timestamp is older than the last one
 * accepted in this direction is dropped by the receiver, so by us too.
 * RSTs are exempt, as in Linux. Returns 1 to drop. */
static int paws_drop(struct flow_dir *fd, const struct pkt *p)
{
	if (!(p->flags & PKT_F_TS) || (p->tcp_flags & PKT_RST))
		return 0;
	/* Linux tolerates one tick (TCP_PAWS_WINDOW) of reordering */
	if (fd->ts_ok && (int32_t)(fd->ts_recent - p->tsval) > 1)
		return 1;
	/* Like Linux, only a segment at or before the next expected byte moves
	 * ts_recent: a forged far-ahead segment can't poison it. */
	if (!fd->init || off_of(fd, p->seq) <= (int64_t)fd->next_off) {
		fd->ts_recent = p->tsval;
		fd->ts_ok = 1;
	}
	return 0;
}

/* The peer ACKed bytes of direction d we never saw while later bytes are
 * held: the hole is lost for good. */
static void ack_gap(struct reasm *r, struct flow *f, int d, uint32_t ack, uint64_t ts)
{
	struct flow_dir *fd = &f->dir[d];
	int64_t a;

	if (!fd->init || !flow_held(fd))
		return;
	a = off_of(fd, ack);
	if (fd->fin && a > (int64_t)fd->fin_off)
		a = (int64_t)fd->fin_off; /* the FIN takes a sequence number */
	if (a <= (int64_t)fd->next_off || a - (int64_t)fd->next_off > r->conf.max_ahead)
		return;
	if ((uint64_t)a > flow_held(fd)->off)
		a = (int64_t)flow_held(fd)->off;
	reasm_gap(r, f, d, (uint64_t)a, ts);
	reasm_drain(r, f, d, ts);
}

/* Holds or delivers payload p[0..len) at stream offset off (> next_off or
 * with held bytes). Returns 0, or -ENOMEM. */
static int hold(struct reasm *r, struct flow *f, int d, int64_t off, const uint8_t *p, size_t len,
		uint64_t ts)
{
	struct flow_dir *fd = &f->dir[d];
	struct seglist_ins res;
	size_t before;
	int err;

	if (!fd->ooo && !(fd->ooo = calloc(1, sizeof(*fd->ooo))))
		return -ENOMEM;
	before = fd->ooo->mem;
	err = seglist_insert(fd->ooo, (uint64_t)off, p, len, &res);
	reasm_held(r, (int64_t)(fd->ooo->mem - before));
	if (err) { /* what was inserted is held and counted */
		if (!fd->ooo->head) {
			free(fd->ooo);
			fd->ooo = NULL;
		}
		return -ENOMEM;
	}
	if (res.overlap)
		r->st.overlaps++;
	if (res.conflict)
		reasm_anomaly(r, f, d, ts);
	reasm_drain(r, f, d, ts);
	enforce_caps(r, f, d, ts);
	return 0;
}

/* Payload of direction d starting at sequence number seq. */
static int tcp_data(struct reasm *r, struct flow *f, int d, uint32_t seq, const uint8_t *p,
		    size_t len, uint64_t ts)
{
	struct flow_dir *fd = &f->dir[d];
	int64_t off = off_of(fd, seq), next = (int64_t)fd->next_off;

	if (off + (int64_t)len <= next) {
		r->st.drops[REASM_DROP_OLD]++;
		if (f->user)
			reasm_check_resend(r, f, d, off, p, len, ts);
		return 0;
	}
	if (fd->fin && off + (int64_t)len > (int64_t)fd->fin_off) {
		if (off >= (int64_t)fd->fin_off) { /* data after the FIN */
			r->st.drops[REASM_DROP_WINDOW]++;
			return 0;
		}
		len = (size_t)((int64_t)fd->fin_off - off);
	}
	if (off - next > (int64_t)r->conf.max_ahead) {
		r->st.drops[REASM_DROP_WINDOW]++;
		return 0;
	}
	if (!f->user) { /* nobody listens: follow the edge, hold nothing */
		if (off + (int64_t)len > next) {
			fd->next_seq += (uint32_t)(off + (int64_t)len - next);
			fd->next_off = (uint64_t)(off + (int64_t)len);
		}
		return 0;
	}
	if (off < next) { /* partly delivered already: first copy wins */
		r->st.overlaps++;
		p += next - off;
		len -= (size_t)(next - off);
		off = next;
	}
	if (off == next && !flow_held(fd)) {
		reasm_deliver(r, f, d, p, len, ts); /* in order: no copy */
		return 0;
	}
	return hold(r, f, d, off, p, len, ts);
}

/* RST: accepted in window (or with nothing to check against), closes. */
static int tcp_rst(struct reasm *r, struct flow *f, int d, const struct pkt *p)
{
	struct flow_dir *fd = &f->dir[d];
	int64_t off;

	if (fd->init) {
		off = off_of(fd, p->seq);
		if (off < (int64_t)fd->next_off ||
		    off - (int64_t)fd->next_off > (int64_t)r->conf.max_ahead) {
			r->st.drops[REASM_DROP_RST_WINDOW]++;
			return 0;
		}
	}
	reasm_close_flow(r, f, STREAM_CLOSE_RST, p->ts_ns);
	return 0;
}

/* SYN: sets up the sender's direction (and the receiver's, for a SYN-ACK).
 * Returns 1 when the segment must be ignored (a SYN with another ISN). */
static int tcp_syn(struct reasm *r, struct flow *f, int d, const struct pkt *p)
{
	struct flow_dir *fd = &f->dir[d], *od = &f->dir[!d];

	if (fd->init) {
		if (off_of(fd, p->seq + 1) == 0)
			return 0; /* a retransmitted SYN */
		r->st.drops[REASM_DROP_WINDOW]++;
		return 1;
	}
	dir_init(f, d, p->seq + 1);
	if (p->flags & PKT_F_TS) {
		fd->syn_ts_ok = 1;
		fd->syn_tsval = p->tsval;
	}
	if ((p->tcp_flags & PKT_ACK) && !od->init)
		dir_init(f, !d, p->ack);
	return 0;
}

/* Client in SYN-SENT (its SYN seen, no SYN-ACK yet): like Linux, accept from
 * the server only a SYN or RST that ACKs the SYN and echoes a timestamp no
 * older than the SYN's; the client's own RSTs there change nothing. Returns
 * a drop reason, or -1 to go on. */
static int syn_sent_check(const struct flow *f, int d, const struct pkt *p)
{
	const struct flow_dir *cd = &f->dir[STREAM_C2S];

	if ((f->info.flags & FLOW_MIDSTREAM) || !cd->init || f->dir[STREAM_S2C].init)
		return -1;
	if (d == STREAM_C2S)
		return (p->tcp_flags & PKT_RST) ? REASM_DROP_HANDSHAKE : -1;
	if (!(p->tcp_flags & (PKT_SYN | PKT_RST)) ||
	    ((p->tcp_flags & PKT_ACK) &&
	     (off_of(cd, p->ack) < 0 || off_of(cd, p->ack) > (int64_t)cd->next_off)))
		return REASM_DROP_HANDSHAKE;
	if ((p->flags & PKT_F_TS) && p->tsecr && cd->syn_ts_ok &&
	    (int32_t)(p->tsecr - cd->syn_tsval) < 0)
		return REASM_DROP_PAWS;
	return -1;
}

int reasm_tcp_segment(struct reasm *r, struct flow *f, int d, const struct pkt *p)
{
	int err = 0;
	struct flow_dir *fd = &f->dir[d];
	uint32_t seq = p->seq;
	int why = syn_sent_check(f, d, p);

	if (why >= 0) {
		r->st.drops[why]++;
		return 0;
	}
	if (p->tcp_flags & PKT_RST)
		return tcp_rst(r, f, d, p);
	if (paws_drop(fd, p)) {
		r->st.drops[REASM_DROP_PAWS]++;
		return 0;
	}
	if (p->tcp_flags & PKT_SYN) {
		if (tcp_syn(r, f, d, p))
			return 0;
		seq++; /* data in a SYN (TCP Fast Open) follows the ISN */
	}
	if (!fd->init && (p->len || (p->tcp_flags & PKT_FIN)))
		dir_init(f, d, seq); /* picked up mid-stream */
	if (p->tcp_flags & PKT_ACK)
		ack_gap(r, f, !d, p->ack, p->ts_ns);
	if (p->len && fd->init)
		err = tcp_data(r, f, d, seq, p->payload, p->len, p->ts_ns);
	if ((p->tcp_flags & PKT_FIN) && fd->init && !fd->fin &&
	    off_of(fd, seq) + (int64_t)p->len >= (int64_t)fd->next_off &&
	    off_of(fd, seq) - (int64_t)fd->next_off <= (int64_t)r->conf.max_ahead) {
		fd->fin = 1;
		fd->fin_off = (uint64_t)(off_of(fd, seq) + (int64_t)p->len);
		reasm_drain(r, f, d, p->ts_ns);
	}
	if (f->dir[0].ended && f->dir[1].ended)
		reasm_close_flow(r, f, STREAM_CLOSE_FIN, p->ts_ns);
	return err;
}
