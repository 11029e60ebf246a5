/* SPDX-License-Identifier: GPL-2.0 */
/* dpi: application classification of flows by nDPI (Debian's libndpi 4.2),
 * behind an interface that names nothing of nDPI's. Sits beside the HTTP
 * parser: flowclass.c feeds it every packet of a flow (from the IP header,
 * as nDPI 4.2 wants) and writes what it found when the flow ends; policy
 * files name its applications and categories (`edgeward policy apps`).
 *
 *   reasm --packet hook--> flowclass --IP packets--> dpi (nDPI) --> result
 *
 * dpi_ndpi.c is the only file that includes <ndpi_api.h> (nDPI's API
 * changed after 4.2: one file absorbs that).
 *
 * Classification follows ndpiReader 4.2 packet for packet, so results equal
 * its output: every packet goes to nDPI until it names an application and
 * needs no more packets (a TLS certificate, a DNS answer), or until the
 * packet cap (80 TCP, 24 UDP packets: nDPI's own advice, ndpiReader's
 * defaults); a flow that ends unclassified, or reaches the cap so, gets
 * nDPI's guess (by port and by address).
 *
 * A flow holds nDPI's state only while the detection runs. Until its first
 * packet with payload it holds its handshake instead (classify/held.h),
 * which nDPI gets then, or at the flow's end, before anything else: nDPI
 * sees the same packets at the same times as ndpiReader's loop. Between
 * two packets nDPI's state is kept packed (its non-zero words,
 * classify/sparse.h). After the detection a flow keeps its result in a few
 * bytes (the ids, the server name exactly sized). */
#ifndef EW_DPI_H
#define EW_DPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DPI_TCP_PACKETS_MAX 80 /* packets per flow given to nDPI, TCP */
#define DPI_UDP_PACKETS_MAX 24 /* ... UDP and others */
#define DPI_NAME_MAX	    80 /* protocol and server names in a result, with the NUL */

/* One nDPI detection module. nDPI's module holds per-packet state, so a
 * module serves one thread: one per engine worker. */
struct dpi;

/* One flow being classified. */
struct dpi_flow;

/* What nDPI found for a flow; ids are nDPI's (0: unknown). Filled on
 * demand (dpi_flow_result), not kept per flow. */
struct dpi_result {
	uint16_t master, app;	       /* e.g. TLS (91) and YouTube (124) */
	uint16_t category;	       /* e.g. Media (1); 0 Unspecified */
	char protocol[DPI_NAME_MAX];   /* "TLS.YouTube", "DNS", "Unknown" */
	const char *category_name;     /* "Media"; static */
	const char *confidence;	       /* "DPI", "Match by port" ...; static */
	char server_name[DPI_NAME_MAX]; /* TLS/QUIC SNI, DNS name, HTTP Host; "" */
	uint64_t risks;		       /* bit n: nDPI risk n (dpi_risk_name) */
	unsigned packets;	       /* packets given to nDPI */
	bool capped;		       /* the packet cap ended the detection */
	bool guessed;		       /* named by port or address, not content */
};

/* Builds a detection module with every protocol enabled. Not to be called
 * from two threads at once (nDPI's rule). Returns NULL with errno set. */
struct dpi *dpi_new(void);
void dpi_free(struct dpi *d);
#ifdef EW_TESTING
/* Every packet goes to nDPI as it comes, none held, and nDPI's state is
 * never packed: the reference the tests compare the held, replayed and
 * packed detection with. */
void dpi_test_plain(struct dpi *d);
#endif

/* A flow of IP protocol proto (IPPROTO_TCP, IPPROTO_UDP ...); nDPI's state
 * for it comes with its first packet with payload. Returns NULL with errno
 * ENOMEM. The caller frees it with dpi_flow_free. */
struct dpi_flow *dpi_flow_new(struct dpi *d, uint8_t proto);
void dpi_flow_free(struct dpi_flow *f);

/* Feeds one packet of f, from its IP header (len bytes, the IP datagram),
 * sent at ts_ns; one without payload may be held for later. Returns true
 * while the flow wants more packets; once it returns false, packets are
 * ignored and nDPI's memory for f is released (false too when there was
 * no memory for it: dpi_flow_result says so). */
bool dpi_flow_packet(struct dpi *d, struct dpi_flow *f, const uint8_t *ip, size_t len,
		     uint64_t ts_ns);

/* True once nDPI has named f's application (or is done with f), though
 * it may still want packets for more (a certificate, a DNS answer). */
bool dpi_flow_named(const struct dpi_flow *f);

/* The classification of f; ends the detection first if it is still going
 * (the flow ended: nDPI's guess), giving nDPI the packets held. Fills r
 * and returns 0, or -ENOMEM if f could not be classified for want of
 * memory. */
int dpi_flow_result(struct dpi *d, struct dpi_flow *f, struct dpi_result *r);

/* nDPI's name of risk bit n ("TLS (probably) Not Carrying HTTPS"), or NULL
 * past the last. */
const char *dpi_risk_name(unsigned n);

/* ---- names, for policy files -------------------------------------------
 * Application (protocol) ids run 0..dpi_app_count()-1, categories
 * 0..dpi_category_count()-1; a name is NULL for an id nDPI leaves unnamed
 * or reserves (user-defined categories). Lookups ignore case, as nDPI's;
 * they return the id or -1. */
unsigned dpi_app_count(const struct dpi *d);
const char *dpi_app_name(const struct dpi *d, unsigned id);
int dpi_app_id(const struct dpi *d, const char *name);
/* nDPI's category of application id (0 Unspecified). */
unsigned dpi_app_category(const struct dpi *d, unsigned id);
unsigned dpi_category_count(const struct dpi *d);
const char *dpi_category_name(const struct dpi *d, unsigned id);
int dpi_category_id(const struct dpi *d, const char *name);

#endif
