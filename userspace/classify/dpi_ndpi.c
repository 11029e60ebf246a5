// SPDX-License-Identifier: GPL-2.0
/* dpi over nDPI 4.2: the only file that includes <ndpi_api.h>. The packet
 * loop is ndpiReader 4.2's (example/reader_util.c, packet_processing and
 * node_proto_guess_walker), so our results are its results; a flow's
 * packets without payload wait (held.h) until nDPI is given the flow. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ndpi_api.h>

#include "dpi.h"
#include "held.h"
#include "sparse.h"

_Static_assert(NDPI_MAX_RISK <= 64, "risks no longer fit a u64");
_Static_assert(sizeof(((struct ndpi_flow_struct *)0)->host_server_name) <= DPI_NAME_MAX,
	       "server names would be cut");
_Static_assert(NDPI_PROTOCOL_NUM_CATEGORIES <= UINT8_MAX, "categories no longer fit a u8");
_Static_assert(NDPI_CONFIDENCE_MAX < 8, "confidences no longer fit 3 bits");
_Static_assert(SIZEOF_FLOW_STRUCT % 8 == 0 && SIZEOF_FLOW_STRUCT <= SPARSE_LEN_MAX,
	       "nDPI's flow state no longer packs");
_Static_assert(DPI_TCP_PACKETS_MAX < UINT8_MAX && DPI_UDP_PACKETS_MAX < UINT8_MAX,
	       "packet counts no longer fit a u8");

struct dpi {
	struct ndpi_detection_module_struct *m;
	bool plain; /* tests: the reference, nothing held or packed */
};

/* Where a flow's detection is; each state keeps what it needs in u. */
enum flow_state {
	HOLDING, /* nDPI has not been given the flow: u.held, its packets so far */
	RUNNING, /* u.nf, nDPI's state, while it takes a packet */
	PARKED,	 /* u.parked, nDPI's state packed between two packets */
	DONE,	 /* the result below, and u.server_name (NULL: none) */
	FAILED,	 /* no memory for nDPI's state or the name: no result */
};

/* Kept for each flow for its life, so kept small: nDPI's answer as ids,
 * its names looked up when asked for. */
struct dpi_flow {
	union {
		struct held *held;
		struct ndpi_flow_struct *nf;
		struct sparse *parked;
		char *server_name;
	} u;
	uint64_t risks;	      /* DONE */
	uint16_t master, app; /* nDPI's last answer, and category */
	uint8_t category;
	uint8_t packets; /* given to nDPI */
	bool tcp;
	/* enum flow_state; DONE: nDPI's confidence (ndpi_confidence_t) and
	 * how the detection ended */
	uint8_t state : 3, confidence : 3, capped : 1, guessed : 1;
};

/* Sized for malloc's smallest chunk (24 bytes and its 8-byte header). */
_Static_assert(sizeof(struct dpi_flow) <= 24, "a flow's dpi state grew");

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

#ifdef EW_TESTING
void dpi_test_plain(struct dpi *d)
{
	d->plain = true;
}
#endif

struct dpi_flow *dpi_flow_new(struct dpi *d, uint8_t proto)
{
	struct dpi_flow *f = calloc(1, sizeof(*f));

	(void)d;
	if (!f)
		return NULL;
	f->state = HOLDING;
	f->tcp = proto == IPPROTO_TCP;
	return f;
}

/* Between two packets nDPI's state is kept packed (sparse.h): a few dozen
 * of its 86 words are not zero (24 after an HTTP request). It holds no
 * pointer into itself (ndpi_typedefs.h: its pointers are to nDPI's
 * allocations for the flow and to functions), so it works as well at
 * another address. */
static void park(struct dpi_flow *f)
{
	struct sparse *s = sparse_pack(f->u.nf, SIZEOF_FLOW_STRUCT);

	if (!s)
		return; /* no memory: nDPI's state stays unpacked */
	/* the block only: nDPI's allocations for the flow are s's now */
	ndpi_free(f->u.nf);
	f->u.parked = s;
	f->state = PARKED;
}

/* Frees nDPI's allocations for a parked flow, and s. */
static void drop_parked(struct sparse *s)
{
	struct ndpi_flow_struct nf;

	sparse_unpack(s, &nf, sizeof(nf));
	ndpi_free_flow_data(&nf);
	sparse_free(s);
}

/* nDPI's state back for the next packet. Returns false (FAILED) if there
 * was no memory for it. */
static bool unpark(struct dpi_flow *f)
{
	struct sparse *s = f->u.parked;
	struct ndpi_flow_struct *nf = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);

	if (!nf) {
		drop_parked(s);
		f->state = FAILED;
		return false;
	}
	sparse_unpack(s, nf, SIZEOF_FLOW_STRUCT);
	sparse_free(s);
	f->u.nf = nf;
	f->state = RUNNING;
	return true;
}

void dpi_flow_free(struct dpi_flow *f)
{
	if (!f)
		return;
	if (f->state == HOLDING)
		held_free(f->u.held);
	else if (f->state == RUNNING)
		ndpi_free_flow(f->u.nf);
	else if (f->state == PARKED)
		drop_parked(f->u.parked);
	else if (f->state == DONE)
		free(f->u.server_name);
	free(f);
}

static ndpi_protocol answer(const struct dpi_flow *f)
{
	return (ndpi_protocol){.master_protocol = f->master,
			       .app_protocol = f->app,
			       .category = (ndpi_protocol_category_t)f->category};
}

static void keep(struct dpi_flow *f, ndpi_protocol p)
{
	f->master = p.master_protocol;
	f->app = p.app_protocol;
	f->category = (uint8_t)p.category;
}

/* The detection is over: nDPI's guess if it named nothing (or if it never
 * finished, as ndpiReader does at the end of a capture), then what the
 * reader prints is kept, and nDPI's memory goes. */
static void finish(struct dpi *d, struct dpi_flow *f, bool guess, bool capped)
{
	struct ndpi_flow_struct *nf = f->u.nf;
	uint8_t guessed = 0;
	const char *name;

	if (guess)
		keep(f, ndpi_detection_giveup(d->m, nf, 1, &guessed));
	/* the reader shows the SSH client's banner where others have a name */
	name = f->master == NDPI_PROTOCOL_SSH || f->app == NDPI_PROTOCOL_SSH
		       ? nf->protos.ssh.client_signature
		       : nf->host_server_name;
	f->confidence = nf->confidence & 7;
	f->risks = nf->risk;
	f->capped = capped;
	f->guessed = guessed != 0;
	f->state = DONE;
	f->u.server_name = NULL;
	if (*name && !(f->u.server_name = strndup(name, DPI_NAME_MAX - 1)))
		f->state = FAILED;
	ndpi_free_flow(nf);
}

/* One packet into the running detection. Returns false once it is over. */
static bool feed(struct dpi *d, struct dpi_flow *f, const uint8_t *ip, size_t len, uint64_t ts_ns)
{
	unsigned cap = f->tcp ? DPI_TCP_PACKETS_MAX : DPI_UDP_PACKETS_MAX;
	bool enough = ++f->packets > cap;

	if (len > 0xffff)
		len = 0xffff; /* nDPI takes a u16; an IP datagram fits */
	keep(f, ndpi_detection_process_packet(d->m, f->u.nf, ip, (unsigned short)len,
					      ts_ns / 1000000));
	if (!enough && f->app == NDPI_PROTOCOL_UNKNOWN)
		return true;
	if (!enough && ndpi_extra_dissection_possible(d->m, f->u.nf))
		return true; /* a certificate, a DNS answer still to come */
	finish(d, f, f->app == NDPI_PROTOCOL_UNKNOWN, enough);
	return false;
}

struct replay {
	struct dpi *d;
	struct dpi_flow *f;
};

static bool replay_one(void *ctx, const uint8_t *ip, size_t len, uint64_t ts_ns)
{
	struct replay *rp = ctx;

	return feed(rp->d, rp->f, ip, len, ts_ns);
}

/* Gives nDPI the flow: its state, then the packets held, in their order
 * and with their times. Returns true while the detection runs. */
static bool start(struct dpi *d, struct dpi_flow *f)
{
	struct held *h = f->u.held;
	struct replay rp = {d, f};
	struct ndpi_flow_struct *nf = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);

	if (!nf) {
		f->state = FAILED;
		held_free(h);
		return false;
	}
	/* nDPI wants its flows zeroed (4.2 does not do it itself) */
	memset(nf, 0, SIZEOF_FLOW_STRUCT);
	f->u.nf = nf;
	f->state = RUNNING;
	held_replay(h, replay_one, &rp);
	held_free(h);
	return f->state == RUNNING;
}

/* Whether nDPI finds payload in the datagram, by nDPI's own parser; one it
 * cannot parse counts as payload (it is not held). */
static bool has_payload(const uint8_t *ip, size_t len)
{
	const uint8_t *l4;
	uint16_t l4_len;
	uint8_t proto;

	if (len > 0xffff || ndpi_detection_get_l4(ip, (uint16_t)len, &l4, &l4_len, &proto, 0))
		return true;
	if (l4 < ip || (size_t)(l4 - ip) + l4_len > len)
		return true;
	if (proto == IPPROTO_TCP)
		return l4_len < 20 || l4_len != (l4[12] >> 4) * 4;
	if (proto == IPPROTO_UDP)
		return l4_len != 8;
	return true;
}

bool dpi_flow_packet(struct dpi *d, struct dpi_flow *f, const uint8_t *ip, size_t len,
		     uint64_t ts_ns)
{
	if (f->state == HOLDING) {
		/* nDPI's state waits for the first payload; the handshake
		 * before it waits here, byte for byte, for nDPI to see it */
		if (!d->plain && !has_payload(ip, len) && !held_add(&f->u.held, ip, len, ts_ns))
			return true;
		if (!start(d, f))
			return false;
	}
	if (f->state == PARKED && !unpark(f))
		return false;
	if (f->state != RUNNING || !feed(d, f, ip, len, ts_ns))
		return false;
	if (!d->plain)
		park(f);
	return true;
}

bool dpi_flow_named(const struct dpi_flow *f)
{
	return f->state == DONE || f->state == FAILED || f->app != NDPI_PROTOCOL_UNKNOWN;
}

int dpi_flow_result(struct dpi *d, struct dpi_flow *f, struct dpi_result *r)
{
	ndpi_protocol p;

	if (f->state == HOLDING)
		start(d, f);
	if (f->state == PARKED)
		unpark(f);
	if (f->state == RUNNING)
		finish(d, f, true, false);
	if (f->state != DONE)
		return -ENOMEM;
	p = answer(f);
	r->master = f->master;
	r->app = f->app;
	r->category = f->category;
	ndpi_protocol2name(d->m, p, r->protocol, sizeof(r->protocol));
	r->category_name = ndpi_category_get_name(d->m, p.category);
	r->confidence = ndpi_confidence_get_name((ndpi_confidence_t)f->confidence);
	snprintf(r->server_name, sizeof(r->server_name), "%s",
		 f->u.server_name ? f->u.server_name : "");
	r->risks = f->risks;
	r->packets = f->packets;
	r->capped = f->capped;
	r->guessed = f->guessed;
	return 0;
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
