// SPDX-License-Identifier: GPL-2.0
/* `edgeward run`: the live agent (userspace/agent/). Parses the command
 * line, which overrides the config file, into the agent's settings and
 * runs it. Programs and maps stay attached and pinned afterwards:
 * enforcement outlives the agent. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "cli/cli.h"
#include "cli/listopts.h"
#include "ew_abi.h"
#include "log/log.h"
#include "object/hash.h"

#define SEC 1000000000ull

/* What the command line sets; a zero/NULL field leaves the config's. */
struct run_cli {
	const char *config;
	const char *ifaces[RUNCONF_IFACE_MAX];
	int n_if;
	int mode, xdp_mode;	   /* -1: not given */
	const char *log, *log_key, *control, *pcap_out, *ports, *inline_ports, *policy;
	unsigned long stale_s, mirror_cap, workers, duration_s, mark, table;
	bool workers_set, hash_set;
	unsigned hash_mask;
	unsigned pdq_set;	   /* bits of the listopts PDQ options given */
	struct listopts lists;
};

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: edgeward run [--config FILE] [--policy FILE] [--iface IF]...\n"
		"                    [--mode inline|tap]\n"
		"                    [--log FILE [--log-key FILE]] [--workers N] [--hash LIST]\n"
		"                    [list options]\n"
		"                    [--xdp-mode native|generic|auto] [--stale-after SEC]\n"
		"                    [--inline-ports SPEC] [--ports SPEC] [--mirror-cap N]\n"
		"                    [--pcap-out FILE] [--control PATH] [--duration SEC]\n"
		"                    [--steer-mark N] [--steer-table N]\n"
		"Runs the live filter until SIGINT/SIGTERM or `edgeward detach`; SIGHUP\n"
		"or `edgeward reload` re-reads the config and lists. The command line\n"
		"overrides the config file (docs/operations.md).\n"
		"  --policy FILE    the policy (docs/policy.md): groups, rules, lists\n"
		"  --mode           inline (default): HTTP on the inline ports goes through\n"
		"                   the transparent proxy; tap: the mirror is inspected and\n"
		"                   matches are reset\n"
		"  --ports SPEC     ports the TC program mirrors (default tcp/80,tcp/53,udp/53,\n"
		"                   tcp/443:4)\n"
		"  --inline-ports SPEC  ports steered to the proxy in inline mode (tcp/80)\n"
		"  --stale-after    heartbeat age that stops tagging and steering (5 s)\n"
		"  --mirror-cap     bytes copied per mirrored packet (default and max %u)\n"
		"  --pcap-out FILE  also write the mirror to FILE (pcapng, created 0600)\n"
		"  --control PATH   the control socket (%s)\n"
		"  --steer-mark N, --steer-table N  the mark of steered packets and the routing\n"
		"                   table that delivers them locally (0xe57, 17751)\n"
		"  --log-key FILE   sign the event log (SHA-256 chain, HMAC-SHA256 per line,\n"
		"                   checkpoints; `edgeward log verify`); the key file is 0600\n"
		LISTOPTS_USAGE,
		EW_MIRROR_CAP, runconf_control_default());
}

static int parse_num(const char *opt, const char *s, unsigned long lo, unsigned long hi,
		     unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || *v < lo || *v > hi) {
		ew_err("run: invalid %s '%s' (expected %lu-%lu)", opt, s, lo, hi);
		return -EINVAL;
	}
	return 0;
}

static int parse_choice(const char *opt, const char *s, const char *const *names, int *v)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(s, names[i])) {
			*v = i;
			return 0;
		}
	ew_err("run: invalid %s '%s'", opt, s);
	return -EINVAL;
}

static int run_opt(int c, char *arg, struct run_cli *o)
{
	static const char *const modes[] = {"inline", "tap", NULL};
	static const char *const xdp[] = {"auto", "native", "generic", NULL};
	char *end;

	switch (c) {
	case 'i':
		if (o->n_if == RUNCONF_IFACE_MAX) {
			ew_err("run: too many --iface (at most %d)", RUNCONF_IFACE_MAX);
			return -EINVAL;
		}
		o->ifaces[o->n_if++] = arg;
		return 0;
	case 'C': o->config = arg; return 0;
	case 'P': o->policy = arg; return 0;
	case 'M': return parse_choice("--mode", arg, modes, &o->mode);
	case 'm': return parse_choice("--xdp-mode", arg, xdp, &o->xdp_mode);
	case 'L': o->log = arg; return 0;
	case 'K': o->log_key = arg; return 0;
	case 'S': o->control = arg; return 0;
	case 'w': o->pcap_out = arg; return 0;
	case 'p': o->ports = arg; return 0;
	case 'I': o->inline_ports = arg; return 0;
	case 's': return parse_num("--stale-after", arg, 1, 3600, &o->stale_s);
	case 'c': return parse_num("--mirror-cap", arg, 64, EW_MIRROR_CAP, &o->mirror_cap);
	case 'd': return parse_num("--duration", arg, 1, 1ul << 31, &o->duration_s);
	case 'W': o->workers_set = true; return parse_num("--workers", arg, 1, 64, &o->workers);
	case 'H':
		o->hash_set = true;
		if (!hash_parse_mask(arg, &o->hash_mask))
			return 0;
		ew_err("run: bad --hash '%s' (expected a comma-separated list of md5, sha1, "
		       "sha256)", arg);
		return -EINVAL;
	case 'k':
		errno = 0;
		o->mark = strtoul(arg, &end, 0); /* 0x... too */
		if (*arg >= '0' && *arg <= '9' && !*end && !errno && o->mark &&
		    o->mark <= 0xffffffffu)
			return 0;
		ew_err("run: invalid --steer-mark '%s' (expected 1-4294967295 or 0x...)", arg);
		return -EINVAL;
	case 't': return parse_num("--steer-table", arg, 1, 252, &o->table);
	case 'h': return 1;
	}
	if (c >= 0x103 && c <= 0x106)
		o->pdq_set |= 1u << (c - 0x103);
	c = listopts_option(&o->lists, "run", c, arg);
	return c > 0 ? -EINVAL : c;
}

static int run_parse(int argc, char **argv, struct run_cli *o)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'C'},
		{"policy", required_argument, NULL, 'P'},
		{"iface", required_argument, NULL, 'i'},
		{"mode", required_argument, NULL, 'M'},
		{"xdp-mode", required_argument, NULL, 'm'},
		{"log", required_argument, NULL, 'L'},
		{"log-key", required_argument, NULL, 'K'},
		{"control", required_argument, NULL, 'S'},
		{"pcap-out", required_argument, NULL, 'w'},
		{"ports", required_argument, NULL, 'p'},
		{"inline-ports", required_argument, NULL, 'I'},
		{"stale-after", required_argument, NULL, 's'},
		{"mirror-cap", required_argument, NULL, 'c'},
		{"duration", required_argument, NULL, 'd'},
		{"workers", required_argument, NULL, 'W'},
		{"hash", required_argument, NULL, 'H'},
		{"steer-mark", required_argument, NULL, 'k'},
		{"steer-table", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		LISTOPTS_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	int c, err;

	o->mode = o->xdp_mode = -1;
	listopts_init(&o->lists);
	optind = 0;
	while ((c = getopt_long(argc, argv, "i:h", opts, NULL)) != -1)
		if ((err = run_opt(c, optarg, o)))
			return err;
	if (optind < argc) {
		ew_err("run: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	for (int i = 0; i < o->n_if; i++)
		if (!if_nametoindex(o->ifaces[i])) {
			ew_err("couldn't attach to '%s': %s", o->ifaces[i], strerror(errno));
			return -ENODEV;
		}
	return 0;
}

/* ---- the settings: the file, then the command line ------------------------------ */

static void override_values(const struct run_cli *o, struct runconf *c)
{
	if (o->n_if) {
		memcpy(c->ifaces, o->ifaces, sizeof(o->ifaces));
		c->n_if = o->n_if;
	}
	if (o->mode >= 0)
		c->mode = (enum runconf_mode)o->mode;
	if (o->xdp_mode >= 0)
		c->xdp_mode = (enum runconf_xdp)o->xdp_mode;
	c->log = o->log ? o->log : c->log;
	c->policy = o->policy ? o->policy : c->policy;
	c->logo.key = o->log_key ? o->log_key : c->logo.key;
	c->control = o->control ? o->control : c->control;
	c->tap.pcap_out = o->pcap_out ? o->pcap_out : c->tap.pcap_out;
	c->tap.ports = o->ports ? o->ports : c->tap.ports;
	c->inl.ports = o->inline_ports ? o->inline_ports : c->inl.ports;
	c->stale_after_ns = o->stale_s ? o->stale_s * SEC : c->stale_after_ns;
	c->tap.mirror_cap = o->mirror_cap ? (uint32_t)o->mirror_cap : c->tap.mirror_cap;
	c->workers = o->workers_set ? (unsigned)o->workers : c->workers;
	c->log_mask = o->hash_set ? o->hash_mask : c->log_mask;
	c->inl.mark = o->mark ? (uint32_t)o->mark : c->inl.mark;
	c->inl.table = o->table ? (uint32_t)o->table : c->inl.table;
}

static void override_pdq(const struct run_cli *o, struct runconf *c)
{
	const struct imgmatch_conf *ic = &o->lists.ic;

	if (o->pdq_set & 1)
		c->pdq_all = ic->log;
	if (o->pdq_set & 2)
		c->min_quality = ic->min_quality;
	if (o->pdq_set & 4)
		c->pdq_buffer_max = ic->obj_cap;
	if (o->pdq_set & 8)
		c->pdq_buffer_total = ic->total_cap;
}

/* The command line's lists join the config's (their strings live in argv). */
static int override_lists(const struct run_cli *o, struct runconf *c, struct diag *d)
{
	const struct listset *ls = &o->lists.ls;
	char msg[256];
	int err = 0;

	for (int i = 0; i < ls->nhash && !err; i++)
		err = listset_add_list(&c->lists, LISTSET_HASH, &ls->hash[i], msg, sizeof(msg));
	for (int i = 0; i < ls->npdq && !err; i++)
		err = listset_add_list(&c->lists, LISTSET_PDQ, &ls->pdq[i], msg, sizeof(msg));
	for (int i = 0; i < ls->nxml && !err; i++)
		err = listset_add_list(&c->lists, LISTSET_XML,
				       &(struct listset_list){.path = (char *)ls->xml[i]}, msg,
				       sizeof(msg));
	if (err)
		diag_add(d, "command line", 0, 0, "%s", msg);
	return err;
}

static int settings(struct runconf *c, void *ctx, struct diag *d)
{
	const struct run_cli *o = ctx;
	int err = o->config ? runconf_load(c, o->config, d) : 0;

	if (err)
		return err;
	override_values(o, c);
	override_pdq(o, c);
	return override_lists(o, c, d);
}

int cmd_run(int argc, char **argv)
{
	struct run_cli o = {0};
	struct agent_opts ao = {.settings = settings, .ctx = &o};
	int err = run_parse(argc, argv, &o);

	if (err == -ENODEV)
		return 1;
	if (err) {
		run_usage(err > 0 ? stdout : stderr);
		return err > 0 ? 0 : 2;
	}
	ao.config_path = o.config;
	ao.duration_ns = o.duration_s * SEC;
	return agent_run(&ao);
}
