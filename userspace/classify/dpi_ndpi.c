// SPDX-License-Identifier: GPL-2.0
/* dpi over nDPI 4.2: the only file that includes <ndpi_api.h>. The packet
 * loop is ndpiReader 4.2's (example/reader_util.c, packet_processing and
 * node_proto_guess_walker), so our results are its results. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ndpi_api.h>

#include "dpi.h"

_Static_assert(NDPI_MAX_RISK <= 64, "risks no longer fit a u64");
_Static_assert(sizeof(((struct ndpi_flow_struct *)0)->host_server_name) <= DPI_NAME_MAX,
	       "server names would be cut");

struct dpi {
	struct ndpi_detection_module_struct *m;
};

/* nf lives while the detection runs; r is filled when it ends. */
struct dpi_flow {
	struct ndpi_flow_struct *nf;
	ndpi_protocol p; /* nDPI's last answer */
	uint8_t proto;
	bool done;
	struct dpi_result r;
};

struct dpi *dpi_new(void)
{
	struct dpi *d = calloc(1, sizeof(*d));
	NDPI_PROTOCOL_BITMASK all;

	if (!d)
		return NULL;
	d->m = ndpi_init_detection_module(ndpi_no_prefs);
	if (!d->m) {
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(d->m, &all);
	ndpi_finalize_initialization(d->m);
	return d;
}

void dpi_free(struct dpi *d)
{
	if (!d)
		return;
	ndpi_exit_detection_module(d->m);
	free(d);
}

struct dpi_flow *dpi_flow_new(struct dpi *d, uint8_t proto)
{
	struct dpi_flow *f = calloc(1, sizeof(*f));

	(void)d;
	if (!f)
		return NULL;
	/* nDPI wants its flows zeroed (4.2 does not do it itself) */
	f->nf = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
	if (!f->nf) {
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	memset(f->nf, 0, SIZEOF_FLOW_STRUCT);
	f->proto = proto;
	return f;
}

void dpi_flow_free(struct dpi_flow *f)
{
	if (!f)
		return;
	if (f->nf)
		ndpi_free_flow(f->nf);
	free(f);
}

static bool is_proto(const ndpi_protocol *p, uint16_t id)
{
	return p->master_protocol == id || p->app_protocol == id;
}

/* The detection is over: nDPI's guess if it named nothing (or if it never
 * finished, as ndpiReader does at the end of a capture), then what the
 * reader prints, and nDPI's memory goes. */
static void finish(struct dpi *d, struct dpi_flow *f, bool guess, bool capped)
{
	struct ndpi_flow_struct *nf = f->nf;
	struct dpi_result *r = &f->r;
	uint8_t guessed = 0;

	if (guess)
		f->p = ndpi_detection_giveup(d->m, nf, 1, &guessed);
	r->master = f->p.master_protocol;
	r->app = f->p.app_protocol;
	r->category = (uint16_t)f->p.category;
	ndpi_protocol2name(d->m, f->p, r->protocol, sizeof(r->protocol));
	r->category_name = ndpi_category_get_name(d->m, f->p.category);
	r->confidence = ndpi_confidence_get_name(nf->confidence);
	/* the reader shows the SSH client's banner where others have a name */
	snprintf(r->server_name, sizeof(r->server_name), "%s",
		 is_proto(&f->p, NDPI_PROTOCOL_SSH) ? nf->protos.ssh.client_signature
						    : nf->host_server_name);
	r->risks = nf->risk;
	r->capped = capped;
	r->guessed = guessed;
	ndpi_free_flow(nf);
	f->nf = NULL;
	f->done = true;
}

bool dpi_flow_packet(struct dpi *d, struct dpi_flow *f, const uint8_t *ip, size_t len,
		     uint64_t ts_ns)
{
	unsigned cap = f->proto == IPPROTO_TCP ? DPI_TCP_PACKETS_MAX : DPI_UDP_PACKETS_MAX;
	bool enough;

	if (f->done)
		return false;
	if (len > 0xffff)
		len = 0xffff; /* nDPI takes a u16; an IP datagram fits */
	enough = ++f->r.packets > cap;
	f->p = ndpi_detection_process_packet(d->m, f->nf, ip, (unsigned short)len,
					     ts_ns / 1000000);
	if (!enough && f->p.app_protocol == NDPI_PROTOCOL_UNKNOWN)
		return true;
	if (!enough && ndpi_extra_dissection_possible(d->m, f->nf))
		return true; /* a certificate, a DNS answer still to come */
	finish(d, f, f->p.app_protocol == NDPI_PROTOCOL_UNKNOWN, enough);
	return false;
}

bool dpi_flow_named(const struct dpi_flow *f)
{
	return f->done || f->p.app_protocol != NDPI_PROTOCOL_UNKNOWN;
}

void dpi_flow_result(struct dpi *d, struct dpi_flow *f, struct dpi_result *r)
{
	if (!f->done)
		finish(d, f, true, false);
	*r = f->r;
}

const char *dpi_risk_name(unsigned n)
{
	return n < NDPI_MAX_RISK ? ndpi_risk2str((ndpi_risk_enum)n) : NULL;
}

/* ---- names ------------------------------------------------------------------- */

unsigned dpi_app_count(const struct dpi *d)
{
	return ndpi_get_num_supported_protocols(d->m);
}

const char *dpi_app_name(const struct dpi *d, unsigned id)
{
	const char *s;

	if (id >= dpi_app_count(d))
		return NULL;
	s = ndpi_get_proto_name(d->m, (u_int16_t)id);
	return s && *s ? s : NULL;
}

int dpi_app_id(const struct dpi *d, const char *name)
{
	int id;

	if (!*name)
		return -1;
	id = ndpi_get_protocol_id(d->m, (char *)name);
	return id >= 0 && dpi_app_name(d, (unsigned)id) ? id : -1;
}

unsigned dpi_app_category(const struct dpi *d, unsigned id)
{
	ndpi_protocol p = {.master_protocol = 0, .app_protocol = (u_int16_t)id};

	if (id >= dpi_app_count(d))
		return 0;
	return ndpi_get_proto_category(d->m, p);
}

unsigned dpi_category_count(const struct dpi *d)
{
	(void)d;
	return NDPI_PROTOCOL_NUM_CATEGORIES;
}

/* Categories 20..24 are placeholders for user-defined ones
 * ("User custom category 1" ...), and many ids have no name. */
const char *dpi_category_name(const struct dpi *d, unsigned id)
{
	const char *s;

	if (id >= NDPI_PROTOCOL_NUM_CATEGORIES)
		return NULL;
	if (id >= NDPI_PROTOCOL_CATEGORY_CUSTOM_1 && id <= NDPI_PROTOCOL_CATEGORY_CUSTOM_5)
		return NULL;
	s = ndpi_category_get_name(d->m, (ndpi_protocol_category_t)id);
	return s && *s ? s : NULL;
}

int dpi_category_id(const struct dpi *d, const char *name)
{
	for (unsigned i = 0; i < NDPI_PROTOCOL_NUM_CATEGORIES; i++) {
		const char *s = dpi_category_name(d, i);

		if (s && !strcasecmp(s, name))
			return (int)i;
	}
	return -1;
}
