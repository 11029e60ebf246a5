/* SPDX-License-Identifier: GPL-2.0 */
/* runconf: the settings of the live agent (`edgeward run`), from its YAML
 * config file (docs/operations.md has the reference) and then the command
 * line, which wins. Parsing only: every problem goes to a struct diag
 * (file:line:col, caret), nothing is printed, nothing is opened. */
#ifndef EW_RUNCONF_H
#define EW_RUNCONF_H

#include <stdbool.h>
#include <stdint.h>

#include "lists/listset.h"
#include "log/diag.h"
#include "yamltree.h"

#define RUNCONF_IFACE_MAX 16
#define RUNCONF_CONTROL	  "/run/edgeward/agent.sock"

enum runconf_mode { RUN_INLINE, RUN_TAP };
enum runconf_xdp { RUN_XDP_AUTO, RUN_XDP_NATIVE, RUN_XDP_GENERIC };
enum runconf_blocked { RUN_BLOCKED_NOTICE, RUN_BLOCKED_RESET };

/* Inline inspection through the transparent proxy. */
struct runconf_inline {
	const char *ports;	  /* "tcp/80,tcp/8080" (kernel/ports.h syntax) */
	uint64_t hold_max;	  /* media bytes held per object before streaming on */
	uint64_t hold_total;	  /* all held bytes */
	uint64_t max_conns;	  /* proxied connections; past it new flows pass */
	uint64_t idle_ns;	  /* a connection idle this long is closed */
	uint64_t learn_ns;	  /* a matched URL is refused this long (0: never) */
	bool block_server;	  /* also block the server address of a match */
	enum runconf_blocked blocked; /* what a blocked object becomes */
	uint32_t mark, table;	  /* steered packets' mark and local routing table */
};

struct runconf_tap {
	const char *ports;	/* mirrored ports */
	uint32_t mirror_cap;	/* bytes copied per mirrored packet */
	const char *pcap_out;	/* also write the mirror here (NULL: no) */
};

/* The ICAP service inside the agent (edgeward icap's settings). */
struct runconf_icap {
	const char *listen;	/* "ADDR:PORT"; NULL: no ICAP service */
	unsigned threads;	/* server threads (2) */
	bool fail_closed;	/* over a limit: block rather than pass */
	const char *types;	/* sniffed types inspected whole; NULL: the default */
};

/* Strings point into the loaded document or into the argv that set them;
 * both outlive the config. */
struct runconf {
	const char *ifaces[RUNCONF_IFACE_MAX];
	int n_if;
	enum runconf_mode mode;
	enum runconf_xdp xdp_mode;
	unsigned workers;	 /* 0: the online CPUs */
	uint64_t memory;	 /* engine memory budget, bytes (0: the defaults) */
	const char *log;	 /* events file (NULL: standard output) */
	const char *control;	 /* control socket path */
	uint64_t stale_after_ns; /* heartbeat age at which the kernel stops steering */
	unsigned log_mask;	 /* HASH_* written to events */
	struct listset lists;
	int min_quality;	 /* PDQ quality below which hashes are not matched */
	bool pdq_all;		 /* PDQ-hash images even without a PDQ list */
	uint64_t pdq_buffer_max, pdq_buffer_total;
	struct runconf_inline inl;
	struct runconf_tap tap;
	struct runconf_icap icap;
	struct ydoc doc; /* the file the strings come from; owned */
};

/* The defaults (docs/operations.md): inline mode, tcp/80, 8 MiB held per
 * object and 256 MiB in all, 4096 connections, 60 s idle, learned blocks
 * for 10 minutes, the notice page, heartbeat 5 s, all hashes. */
void runconf_default(struct runconf *c);

/* Reads the YAML file at path over the defaults in c. Returns 0, or
 * -EINVAL / -errno with every problem in d. The caller frees c with
 * runconf_free in every case. */
int runconf_load(struct runconf *c, const char *path, struct diag *d);

/* Checks what no single setting can: an interface given, ... Returns 0 or
 * -EINVAL with the problem in d (name: where it came from). */
int runconf_check(const struct runconf *c, const char *name, struct diag *d);

void runconf_free(struct runconf *c);

#endif
