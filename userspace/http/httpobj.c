// SPDX-License-Identifier: GPL-2.0
/* Objects of the HTTP parser: builds each object's metadata, runs the
 * content decoders, sniffs the type, splits multipart bodies into part
 * objects, and calls the object consumer (struct object_ops).
 *
 *   http.c framing --wire--> decode --data--> consumer (or multipart parts)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpint.h"

static void sniff_more(struct http_obj *ob, const uint8_t *p, size_t len)
{
	size_t room = SNIFF_LEN - ob->nsniff;

	if (len > room)
		len = room;
	memcpy(ob->sniff + ob->nsniff, p, len);
	ob->nsniff += len;
}

static void emit_end(struct http_obj *ob, unsigned flags, const char *error,
		     uint64_t ts)
{
	struct obj_end e = { 0 };

	e.flags = ob->flags | flags;
	if (ob->anomalies)
		e.flags |= OBJ_ANOMALY;
	if (e.flags & (OBJ_TRUNCATED | OBJ_GAP | OBJ_DECODE_ERR | OBJ_BOMB))
		e.flags &= ~OBJ_COMPLETE;
	e.anomalies = ob->anomalies;
	e.wire_len = ob->wire_len;
	e.decoded_len = ob->decoded_len;
	e.ts_ns = ts;
	e.sniffed = sniff_type(ob->sniff, ob->nsniff);
	e.error = error ? error : "";
	e.end_off = ob->pos ? *ob->pos : 0;
	ob->open = 0;
	if (ob->o)
		ob->ctx->ops->end(ob->o, &e);
	ob->o = NULL;
}

/* A part of a multipart body becomes an object of its own; its bytes are
 * both its wire and its decoded form (parts carry no transfer coding). */
static void part_begin(void *arg, const struct mp_part *pt)
{
	struct http_obj *outer = arg, *ob = outer->part;
	struct obj_meta *m = &ob->meta;

	memset(ob, 0, sizeof(*ob));
	ob->ctx = outer->ctx;
	ob->pos = outer->pos;
	*m = outer->meta;
	m->filename = pt->filename;
	m->content_type = pt->content_type;
	m->content_encoding = "";
	m->transfer_encoding = "";
	m->declared_len = -1;
	m->range_first = m->range_last = m->range_total = -1;
	ob->anomalies = outer->anomalies;
	ob->flags = outer->flags & OBJ_PARTIAL;
	if (m->kind == OBJ_RESPONSE_BODY) {
		m->kind = OBJ_BYTERANGE_PART;
		ob->flags |= OBJ_PARTIAL;
		if (httphdr_content_range(pt->content_range, &m->range_first,
					  &m->range_last, &m->range_total)) {
			ob->anomalies |= ANOM_BAD_RANGE;
			m->range_first = m->range_last = m->range_total = -1;
		}
	} else {
		m->kind = OBJ_FORM_PART;
	}
	ob->open = 1;
	ob->ts = outer->ts;
	ob->ctx->st.objects++;
	ob->o = ob->ctx->ops->begin(ob->ctx->ops_ctx, m);
}

static void part_data(void *arg, const uint8_t *p, size_t len)
{
	struct http_obj *outer = arg, *ob = outer->part;

	if (!ob->open)
		return;
	sniff_more(ob, p, len);
	ob->wire_len += len;
	ob->decoded_len += len;
	if (ob->o) {
		ob->ctx->ops->wire(ob->o, p, len);
		ob->ctx->ops->data(ob->o, p, len);
	}
}

static void part_end(void *arg, int complete)
{
	struct http_obj *outer = arg, *ob = outer->part;

	/* a part cut short carries what cut the outer body (gap, limit) */
	if (ob->open)
		emit_end(ob, complete ? OBJ_COMPLETE : OBJ_TRUNCATED |
			 (outer->flags & (OBJ_GAP | OBJ_DECODE_ERR | OBJ_BOMB)),
			 NULL, outer->ts);
}

static const struct mp_ops part_ops = { part_begin, part_data, part_end };

/* Decoded bytes of the body. */
static void sink(void *arg, const uint8_t *p, size_t len)
{
	struct http_obj *ob = arg;

	ob->decoded_len += len;
	if (ob->mp) {
		multipart_feed(ob->mp, p, len);
		return;
	}
	sniff_more(ob, p, len);
	if (ob->o)
		ob->ctx->ops->data(ob->o, p, len);
}

/* Codings in the order the sender applied them: content codings first,
 * then transfer codings other than chunked. */
static unsigned codings(struct http_obj *ob, const struct http_head *h,
			enum decode_coding *c)
{
	unsigned n, max = ob->ctx->conf.max_layers;
	int chunked, unknown, many, tchunked, tunknown, tmany;

	if (max > DECODE_MAX_LAYERS)
		max = DECODE_MAX_LAYERS;
	n = decode_parse_codings(h->content_encoding, c, max, &chunked,
				 &unknown, &many);
	n += decode_parse_codings(h->transfer_encoding, c + n, max - n,
				  &tchunked, &tunknown, &tmany);
	if (unknown || chunked)
		ob->anomalies |= ANOM_BAD_CE;
	if (tunknown)
		ob->anomalies |= ANOM_BAD_TE;
	if (many || tmany)
		ob->flags |= OBJ_DECODE_ERR;
	return n;
}

/* Is this body split into parts? Then the parts are the objects. */
static int want_parts(struct http_obj *ob, const struct http_head *h)
{
	const char *want = h->response ? "multipart/byteranges" :
					 "multipart/form-data";
	char b[MP_BOUNDARY];

	if (strncasecmp(h->content_type, want, strlen(want)) ||
	    multipart_boundary(h->content_type, b))
		return 0;
	ob->part = calloc(1, sizeof(*ob->part));
	if (!ob->part)
		return -ENOMEM;
	ob->mp = multipart_new(b, &part_ops, ob);
	return ob->mp ? 1 : -ENOMEM;
}

static void meta(struct http_obj *ob, const struct flow_info *fi,
		 enum obj_kind kind, const struct http_head *h,
		 const struct http_req *rq, uint32_t seq, uint64_t ts)
{
	struct obj_meta *m = &ob->meta;

	memset(m, 0, sizeof(*m));
	m->flow = fi;
	m->kind = kind;
	m->ts_ns = ts;
	m->seq = seq;
	if (!h->response) {	/* a request body: its own head says */
		m->method = h->method;
		m->host = h->host;
		m->uri = h->uri;
	} else {
		m->method = rq && rq->method ? rq->method : "";
		m->host = rq && rq->host ? rq->host : "";
		m->uri = rq && rq->uri ? rq->uri : "";
	}
	m->status = h->response ? h->status : 0;
	m->content_type = h->content_type;
	m->content_encoding = h->content_encoding;
	m->transfer_encoding = h->transfer_encoding;
	m->filename = h->filename;
	m->etag = h->etag;
	m->last_modified = h->last_modified;
	m->declared_len = h->content_length;
	m->range_first = m->range_last = m->range_total = -1;
	m->head_off = h->head_off;
	m->body_off = h->body_off;
	m->reading = h->reading;
	m->alternate = h->alternate;
	if (fi && (fi->flags & FLOW_MIDSTREAM))
		ob->flags |= OBJ_PARTIAL;
	/* a 206 is a piece even when its Content-Range is missing or bad
	 * (multipart/byteranges carry theirs in the parts) */
	if (h->response && h->status == 206) {
		ob->flags |= OBJ_PARTIAL;
		if ((h->content_range[0] || strncasecmp(h->content_type,
				"multipart/byteranges", 20)) &&
		    httphdr_content_range(h->content_range, &m->range_first,
					  &m->range_last, &m->range_total)) {
			ob->anomalies |= ANOM_BAD_RANGE;
			m->range_first = m->range_last = m->range_total = -1;
		}
	}
}

int httpobj_begin(struct http_ctx *ctx, struct http_obj *ob,
		  const struct flow_info *fi, enum obj_kind kind,
		  const struct http_head *h, const struct http_req *rq,
		  uint32_t seq, uint64_t ts)
{
	enum decode_coding c[DECODE_MAX_LAYERS];
	struct decode_limits lim;
	unsigned n;
	int parts, err = -ENOMEM;

	memset(ob, 0, sizeof(*ob));
	ob->ctx = ctx;
	ob->ts = ts;
	ob->anomalies = h->anomalies;
	meta(ob, fi, kind, h, rq, seq, ts);
	n = codings(ob, h, c);
	lim.max_decoded = ctx->conf.max_decoded;
	lim.max_ratio = ctx->conf.max_ratio;
	lim.ratio_floor = 1 << 20;
	ob->dec = decode_new(c, n, &lim, sink, ob);
	if (!ob->dec)
		goto err;
	parts = want_parts(ob, h);
	if (parts < 0)
		goto err;
	ob->open = 1;
	if (!parts) {
		ctx->st.objects++;
		ob->o = ctx->ops->begin(ctx->ops_ctx, &ob->meta);
	}
	return 0;
err:
	decode_free(ob->dec);
	multipart_free(ob->mp);
	free(ob->part);
	memset(ob, 0, sizeof(*ob));
	return err;
}

void httpobj_wire(struct http_obj *ob, const uint8_t *p, size_t len)
{
	if (!ob->open || !len)
		return;
	ob->wire_len += len;
	if (ob->o)
		ob->ctx->ops->wire(ob->o, p, len);
	decode_feed(ob->dec, p, len);
}

void httpobj_end(struct http_obj *ob, int complete, unsigned flags, uint64_t ts)
{
	const char *msg = NULL;
	unsigned st;

	if (!ob->open)
		return;
	if (complete && !(flags & (OBJ_TRUNCATED | OBJ_GAP)))
		decode_finish(ob->dec);
	st = decode_status(ob->dec, &msg);
	if (st & DECODE_ERR_DATA)
		flags |= OBJ_DECODE_ERR;
	if (st & DECODE_ERR_BOMB) {
		flags |= OBJ_BOMB | OBJ_TRUNCATED;
		ob->ctx->st.bombs++;
	}
	if (complete)
		flags |= OBJ_COMPLETE;
	if (ob->mp) {
		ob->flags |= flags & ~OBJ_COMPLETE;
		multipart_finish(ob->mp);
		ob->open = 0;
	} else {
		emit_end(ob, flags, msg, ts);
	}
	decode_free(ob->dec);
	multipart_free(ob->mp);
	free(ob->part);
	ob->dec = NULL;
	ob->mp = NULL;
	ob->part = NULL;
}
