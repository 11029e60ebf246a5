/* SPDX-License-Identifier: GPL-2.0 */
/* The inline-inspection options of `edgeward run`: --mode inline|tap,
 * --inline-ports, --steer-mark, --steer-table; and what they set up at
 * start: the routing of steered packets, the steering flags, the
 * inline port tags. */
#ifndef EW_CLI_INLINE_H
#define EW_CLI_INLINE_H

#include <getopt.h>

#include "kernel/ports.h"

#define INLINE_PORTS_DEFAULT "tcp/80"

struct inline_opts {
	int on; /* --mode inline (the default); 0: tap */
	struct ports_entry ports[EW_PORT_MAX];
	int n_ports;
	__u32 mark, table;
};

/* getopt_long entries (values 0x200.. clash with no short option). */
#define INLINE_LONGOPTS                                          \
	{"mode", required_argument, NULL, 0x200},                \
	{"inline-ports", required_argument, NULL, 0x201},        \
	{"steer-mark", required_argument, NULL, 0x202},          \
	{"steer-table", required_argument, NULL, 0x203}

#define INLINE_USAGE                                                                          \
	"  --mode inline|tap  inline (default): TCP flows on inline ports are steered to the\n" \
	"                   agent's transparent proxy; tap: mirroring only\n"                    \
	"  --inline-ports SPEC  inline ports, as --ports (default " INLINE_PORTS_DEFAULT ")\n"  \
	"  --steer-mark N, --steer-table N  the mark of steered packets and the routing\n"     \
	"                   table that delivers them locally (default 0xe57, 17751)\n"

/* Sets the defaults. */
int inline_init(struct inline_opts *o);

/* Handles getopt value c with argument arg. Returns 0, -EINVAL (message
 * printed) or 1 when c is not one of ours. */
int inline_option(struct inline_opts *o, int c, const char *arg);

/* In inline mode, flags the inline ports among ports[0..*n) EW_PORT_INLINE,
 * adding those missing untagged (mirror budget 0), up to max entries.
 * Returns 0 or -E2BIG (message printed). */
int inline_merge_ports(const struct inline_opts *o, struct ports_entry *ports, int *n, int max);

/* Sets up the routing of steered packets (inline mode) and fills the
 * steering fields of cfg; *set and *clear get the EW_STEER_* flags to
 * change (the proxy's EW_STEER_ACCEPT is left as it is). Returns 0 or
 * -errno, logged. */
int inline_start(const struct inline_opts *o, struct ew_config *cfg, __u32 *set, __u32 *clear);

#endif
