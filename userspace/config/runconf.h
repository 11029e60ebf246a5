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
#define RUNCONF_CONTROL	  "/run/edgeward/agent.sock" /* unless $EDGEWARD_CONTROL */

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
	bool dns_tcp;		  /* steer tcp/53 to the proxy's DNS relay (default) */
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

/* Notice pages and the notice server (docs/notices.md). */
struct runconf_notices {
	const char *dir;	/* templates (NAME.LANG.html); NULL: the proxy's
				 * built-in page, no server */
	const char *lang;	/* default language ("en") */
	const char *contact;	/* {{contact}} */
	int status;		/* block notices: 451 (legal) or 403 (policy) */
	const char *listen;	/* notice server "ADDR:PORT"; NULL: none */
	const char *url;	/* the server as subscribers reach it
				 * ("http://10.0.0.1:8080"), where the
				 * inline disclaimer's form posts; NULL:
				 * http://listen, when listen names an
				 * address */
	uint64_t ack_ns;	/* an acknowledgement holds this long (1 h) */
	uint64_t ack_max;	/* acknowledgements remembered (65536) */
};

#define RUNCONF_PREFIX_MAX 64

/* The event log (`log:` as a mapping; `log: PATH` sets path alone). */
struct runconf_log {
	const char *key;	  /* HMAC key file (NULL: lines unsigned) */
	uint64_t rotate_size;	  /* bytes (0: never) */
	uint64_t rotate_ns;	  /* age (0: never) */
	uint64_t flush_ns;	  /* write interval */
	uint64_t checkpoint_ns;	  /* signed checkpoint interval */
	int fsync;		  /* enum eventlog_fsync */
	uint64_t queue_max;	  /* bytes held while the file can't be written */
	uint64_t retention_ns;	  /* rotated files older than this are deleted (0: kept) */
	const char *syslog;	  /* collector host:port (NULL: none) */
	int syslog_facility;	  /* 0..23 */
	uint64_t syslog_queue;	  /* bytes held for the collector */
};

/* A client prefix: 16-byte address (IPv4 mapped), bits 0..128. */
struct runconf_prefix {
	uint8_t addr[16];
	unsigned bits;
};

struct runconf_privacy {
	const char *pseudonym_key; /* key file: addresses become keyed hashes */
	struct runconf_prefix no_history[RUNCONF_PREFIX_MAX];
	int n_no_history;
};

struct runconf_evidence {
	const char *public_key;	  /* responders' X25519 public key file (NULL: off) */
	const char *dir;	  /* where sealed objects go */
	uint64_t max_object;	  /* bytes; larger matched objects are not kept */
	uint64_t retention_ns;	  /* sealed objects older than this are deleted (0: kept) */
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
	struct runconf_notices notices;
	struct runconf_log logo;
	struct runconf_privacy privacy;
	struct runconf_evidence evidence;
	const char *metrics;	 /* Prometheus listen address host:port (NULL: none) */
	const char *policy;	 /* policy file (docs/policy.md); NULL: none */
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

/* The `log:`, `privacy:`, `evidence:` and `metrics:` settings (runconf_out.c),
 * called by runconf_load. Each returns 0 or -EINVAL (reported in d). */
int runconf_log_section(struct runconf *c, const struct ynode *n, struct diag *d);
int runconf_privacy_section(struct runconf *c, const struct ynode *n, struct diag *d);
int runconf_evidence_section(struct runconf *c, const struct ynode *n, struct diag *d);
void runconf_out_default(struct runconf *c);

/* Parses "10.1.0.0/16", "2001:db8::/32" or a bare address into p. Returns
 * 0 or -EINVAL (host bits set count as an error: msg says so). */
int runconf_parse_prefix(const char *s, struct runconf_prefix *p, char *msg, size_t msglen);

void runconf_free(struct runconf *c);

/* The agent's control socket: $EDGEWARD_CONTROL if set (so tests can run
 * side by side, as with EDGEWARD_PIN_DIR), else RUNCONF_CONTROL. */
const char *runconf_control_default(void);

#endif
