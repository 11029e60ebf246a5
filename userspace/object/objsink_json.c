// SPDX-License-Identifier: GPL-2.0
/* objsink_json: flow, hash and flag members of the object and match event
 * lines (docs/log-schema.md), and the names of the object flag and anomaly
 * bits. objsink.c writes the rest of each line. */
#include <string.h>

#include "objsink.h"
#include "objsink_json.h"

static const char *const flag_names[] = {
	"complete", "partial", "truncated", "decode_error", "anomaly", "gap", "bomb",
};

static const char *const anom_names[] = {
	"dup_cl",    "conflict_cl", "cl_and_te", "obs_fold",	"bare_lf",   "hdr_too_big",
	"bad_chunk", "bad_te",	    "bad_ce",	 "tcp_overlap", "bad_range",
};

const char *objsink_flag_name(unsigned bit)
{
	for (unsigned i = 0; i < sizeof(flag_names) / sizeof(*flag_names); i++)
		if (bit == 1u << i)
			return flag_names[i];
	return NULL;
}

const char *objsink_anom_name(unsigned bit)
{
	for (unsigned i = 0; i < sizeof(anom_names) / sizeof(*anom_names); i++)
		if (bit == 1u << i)
			return anom_names[i];
	return NULL;
}

void objsink_flow_copy(struct objsink_flow *dst, const struct flow_info *f)
{
	dst->id = f->id;
	memcpy(dst->client, f->client_addr, 16);
	memcpy(dst->server, f->server_addr, 16);
	dst->cport = f->client_port;
	dst->sport = f->server_port;
	dst->vlan = f->vlan;
	dst->flags = f->flags;
}

void objsink_put_flow(struct ej_writer *w, const struct objsink_flow *f)
{
	if (!f) {
		ej_null(w, "flow");
		return;
	}
	ej_obj(w, "flow");
	ej_u64(w, "id", f->id);
	ej_addr(w, "client", f->client);
	ej_u64(w, "client_port", f->cport);
	ej_addr(w, "server", f->server);
	ej_u64(w, "server_port", f->sport);
	ej_u64(w, "vlan", f->vlan);
	ej_bool(w, "midstream", f->flags & FLOW_MIDSTREAM);
	ej_obj_end(w);
}

void objsink_put_hashes(struct ej_writer *w, unsigned mask, const struct hash_result *r,
			bool valid)
{
	for (int t = 0; t < HASH_T_MAX; t++) {
		if (!(mask & (1u << t)))
			continue;
		if (valid)
			ej_hex(w, hash_name(t), r->d[t], hash_len(t));
		else
			ej_null(w, hash_name(t));
	}
}

void objsink_put_bits(struct ej_writer *w, const char *key, unsigned bits,
		      const char *(*name)(unsigned), const char *extra)
{
	ej_arr(w, key);
	for (unsigned b = 1; b; b <<= 1)
		if ((bits & b) && name(b))
			ej_str(w, NULL, name(b));
	if (extra)
		ej_str(w, NULL, extra);
	ej_arr_end(w);
}

void objsink_put_match(struct ej_writer *w, const char *list, const char *category,
		       enum hash_type t, const uint8_t *d, const char *body)
{
	ej_str(w, "list", list);
	ej_str(w, "category", category);
	ej_str(w, "hash_type", hash_name(t));
	ej_hex(w, "hash", d, hash_len(t));
	ej_str(w, "body", body);
}

void objsink_put_head(struct ej_writer *w, const char *source, uint64_t ts, const char *kind,
		      const char *host, const char *uri, const struct objsink_flow *f)
{
	ej_str(w, "source", source ? source : "");
	ej_time(w, "ts", ts);
	ej_str(w, "kind", kind);
	ej_str(w, "host", host);
	ej_str(w, "uri", uri);
	objsink_put_flow(w, f);
}
