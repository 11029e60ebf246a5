// SPDX-License-Identifier: GPL-2.0
/* `edgeward run`'s inline-inspection options (cli/inline.h): parsing them,
 * and at start the steering routes, flags and port tags. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "cli/inline.h"
#include "kernel/steer_route.h"
#include "log/log.h"

int inline_init(struct inline_opts *o)
{
	char msg[160];

	o->on = 1;
	o->mark = STEER_MARK_DEFAULT;
	o->table = STEER_TABLE_DEFAULT;
	o->n_ports = ports_parse(INLINE_PORTS_DEFAULT, o->ports, EW_PORT_MAX, msg, sizeof(msg));
	return o->n_ports < 0 ? o->n_ports : 0;
}

/* A 32-bit number, decimal or 0x hex, in [1, max]. */
static int number(const char *opt, const char *s, unsigned long max, __u32 *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 0);
	if (*s < '0' || *s > '9' || *end || errno || n < 1 || n > max) {
		ew_err("invalid %s '%s' (expected 1-%lu, or hex 0x...)", opt, s, max);
		return -EINVAL;
	}
	*v = (__u32)n;
	return 0;
}

int inline_option(struct inline_opts *o, int c, const char *arg)
{
	char msg[160];

	switch (c) {
	case 0x200:
		if (strcmp(arg, "inline") && strcmp(arg, "tap")) {
			ew_err("invalid --mode '%s' (expected inline or tap)", arg);
			return -EINVAL;
		}
		o->on = !strcmp(arg, "inline");
		return 0;
	case 0x201:
		o->n_ports = ports_parse(arg, o->ports, EW_PORT_MAX, msg, sizeof(msg));
		if (o->n_ports < 0) {
			ew_err("invalid --inline-ports '%s': %s", arg, msg);
			return -EINVAL;
		}
		for (int i = 0; i < o->n_ports; i++) {
			if (o->ports[i].key.proto != IPPROTO_TCP) {
				ew_err("invalid --inline-ports '%s': only TCP ports are steered",
				       arg);
				return -EINVAL;
			}
		}
		return 0;
	case 0x202:
		return number("--steer-mark", arg, 0xffffffffu, &o->mark);
	case 0x203:
		if (number("--steer-table", arg, 0xffffffffu, &o->table))
			return -EINVAL;
		if (o->table >= 253 && o->table <= 255) {
			ew_err("invalid --steer-table '%s' (253-255 are the kernel's default, main "
			       "and local tables)",
			       arg);
			return -EINVAL;
		}
		return 0;
	}
	return 1;
}

int inline_merge_ports(const struct inline_opts *o, struct ports_entry *ports, int *n, int max)
{
	if (!o->on || !ports_mark_inline(ports, n, max, o->ports, o->n_ports))
		return 0;
	ew_err("too many ports with --inline-ports (at most %d in all)", max);
	return -E2BIG;
}

int inline_start(const struct inline_opts *o, struct ew_config *cfg, __u32 *set, __u32 *clear)
{
	int err;

	cfg->steer_mark = o->mark;
	*set = 0;
	*clear = EW_STEER_ON | EW_STEER_ALL;
	if (!o->on)
		return 0;
	err = steer_route_setup(o->mark, o->table);
	if (err)
		return err;
	ew_info("inline mode: packets marked 0x%x are delivered locally (table %u)", o->mark,
		o->table);
	/* No per-destination tags yet: every destination on an inline port. */
	*set = EW_STEER_ON | EW_STEER_ALL;
	*clear = 0;
	return 0;
}
