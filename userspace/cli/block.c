// SPDX-License-Identifier: GPL-2.0
/* `edgeward block` and `edgeward unblock`: the responder's emergency brake.
 * Changes the pinned blocklist at once, agent running or not. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/blocklist.h"
#include "cli/cli.h"
#include "kernel/loader.h"
#include "log/log.h"
#include "kernel/prefix.h"

#define FILE_ERRS_SHOWN 20

struct block_args {
	struct ew_block_rule rule;
	const char *file;
	int list;
};

static void block_usage(FILE *out)
{
	fprintf(out, "usage: edgeward block PREFIX... [--rule ID] [--src|--dst]\n"
		     "       edgeward block --file FILE [--rule ID] [--src|--dst]\n"
		     "       edgeward block --list\n"
		     "       edgeward unblock PREFIX...\n"
		     "PREFIX is 10.0.0.0/8, 2001:db8::/32, or an address (a host).\n"
		     "--rule ID (0-65535, default 0) is counted in 'edgeward status';\n"
		     "--src/--dst match only the source/destination (default both).\n");
}

static int parse_rule(const char *s, __u32 *id)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v >= EW_RULE_MAX || s[0] == '-') {
		ew_err("invalid rule id '%s' (expected 0-%u)", s, EW_RULE_MAX - 1);
		return -EINVAL;
	}
	*id = (__u32)v;
	return 0;
}

static int parse_block_args(int argc, char **argv, struct block_args *a)
{
	static const struct option opts[] = {
		{"rule", required_argument, NULL, 'r'},
		{"src", no_argument, NULL, 's'},
		{"dst", no_argument, NULL, 'd'},
		{"file", required_argument, NULL, 'f'},
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "r:sdf:lh", opts, NULL)) != -1) {
		if (c == 'r' && parse_rule(optarg, &a->rule.rule_id))
			return -EINVAL;
		else if (c == 's')
			a->rule.flags |= EW_MATCH_SRC;
		else if (c == 'd')
			a->rule.flags |= EW_MATCH_DST;
		else if (c == 'f')
			a->file = optarg;
		else if (c == 'l')
			a->list = 1;
		else if (c == 'h')
			return 1;
		else if (c == '?')
			return -EINVAL;
	}
	if (a->rule.flags == (EW_MATCH_SRC | EW_MATCH_DST))
		a->rule.flags = 0; /* both, as 0 means */
	return 0;
}

/* Every argument is parsed before anything changes: a typo in the third
 * prefix must not leave the first two applied. */
static int parse_prefixes(int n, char **args, struct ew_prefix *out)
{
	struct prefix_error e = {};
	int bad = 0;

	for (int i = 0; i < n; i++) {
		if (!prefix_parse(args[i], strlen(args[i]), 1, &out[i], &e))
			continue;
		ew_err("invalid prefix '%s': %s", args[i], e.msg);
		bad++;
	}
	return bad ? -EINVAL : 0;
}

/* Opens the pinned blocklist maps, creating the maps if asked to and no
 * agent ever ran. quiet: a missing pin is no error worth printing
 * (listing). */
static int open_blocklist(struct blocklist *bl, int create, int quiet)
{
	int err = blocklist_open(bl);

	if (err == -ENOENT && create) {
		err = loader_maps_pin();
		if (err)
			return err;
		err = blocklist_open(bl);
	}
	if (err && !(err == -ENOENT && !create && quiet))
		ew_err("couldn't open the pinned blocklist under %s: %s%s", loader_pin_dir(),
		       strerror(-err), err == -ENOENT ? " (nothing blocked yet)" : "");
	return err;
}

static const char *match_name(__u32 flags)
{
	if (flags == EW_MATCH_SRC)
		return "src";
	if (flags == EW_MATCH_DST)
		return "dst";
	return "both";
}

static int print_entry(const struct ew_prefix *p, const struct ew_block_rule *r, void *ctx)
{
	char buf[64];

	(void)ctx;
	printf("%s rule %u match %s\n", prefix_str(p, buf, sizeof(buf)), r->rule_id,
	       match_name(r->flags));
	return 0;
}

static int block_list(void)
{
	struct blocklist bl;
	int err;

	err = open_blocklist(&bl, 0, 1);
	if (err)
		return err == -ENOENT ? 0 : 1; /* nothing pinned: empty list */
	err = blocklist_foreach(&bl, print_entry, NULL);
	if (err)
		ew_err("couldn't list the blocklist: %s", strerror(-err));
	blocklist_close(&bl);
	return err ? 1 : 0;
}

static void report_parse(const struct blocklist_errors *errs)
{
	char buf[256];

	for (size_t i = 0; i < errs->n && i < errs->max; i++)
		fprintf(stderr, "%s\n", prefix_error_str(&errs->errs[i], buf, sizeof(buf)));
	if (errs->n > errs->max)
		fprintf(stderr, "... and %zu more errors\n", errs->n - errs->max);
}

static int read_list(const char *file, const struct ew_block_rule *rule, struct blocklist_batch *b)
{
	struct prefix_error shown[FILE_ERRS_SHOWN];
	struct blocklist_errors errs = {.errs = shown, .max = FILE_ERRS_SHOWN};
	FILE *f = fopen(file, "r");
	int err;

	if (!f) {
		ew_err("couldn't open blocklist file '%s': %s", file, strerror(errno));
		return -errno;
	}
	err = blocklist_parse(f, file, rule, b, &errs);
	fclose(f);
	if (err == -EINVAL) {
		report_parse(&errs);
		ew_err("couldn't load '%s': %zu invalid line%s, nothing loaded", file, errs.n,
		       errs.n == 1 ? "" : "s");
	} else if (err) {
		ew_err("couldn't read blocklist file '%s': %s", file, strerror(-err));
	}
	return err;
}

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int block_file(const char *file, const struct ew_block_rule *rule)
{
	struct blocklist_batch b = {};
	struct blocklist bl;
	double t0;
	int err;

	err = read_list(file, rule, &b);
	if (!err)
		err = open_blocklist(&bl, 1, 0);
	if (err)
		goto out;
	t0 = mono_s();
	err = blocklist_load(&bl, &b);
	if (err)
		ew_err("couldn't load '%s' into the blocklist: %s", file, strerror(-err));
	else
		printf("blocked %zu prefixes (%zu IPv4, %zu IPv6) from %s in %.2fs\n",
		       b.v4.n + b.v6.n, b.v4.n, b.v6.n, file, mono_s() - t0);
	blocklist_close(&bl);
out:
	blocklist_batch_free(&b);
	return err ? 1 : 0;
}

static int block_prefixes(int n, char **args, const struct ew_block_rule *rule)
{
	struct ew_prefix *p = calloc((size_t)n, sizeof(*p));
	struct blocklist bl;
	char buf[64];
	int err, rc = 0;

	err = p ? parse_prefixes(n, args, p) : -ENOMEM;
	if (!err)
		err = open_blocklist(&bl, 1, 0);
	if (err)
		goto out;
	for (int i = 0; i < n; i++) {
		prefix_str(&p[i], buf, sizeof(buf));
		err = blocklist_add(&bl, &p[i], rule);
		if (err) {
			ew_err("couldn't block '%s': %s", buf, strerror(-err));
			rc = 1;
		} else {
			printf("blocked %s rule %u match %s\n", buf, rule->rule_id,
			       match_name(rule->flags));
		}
	}
	blocklist_close(&bl);
out:
	free(p);
	return err && !rc ? 1 : rc;
}

int cmd_block(int argc, char **argv)
{
	struct block_args a = {};
	int rc = parse_block_args(argc, argv, &a), n = argc - optind;

	if (rc) {
		block_usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	if (a.list + !!a.file + (n > 0) != 1) {
		ew_err("block: give prefixes, --file FILE or --list (one of them)");
		block_usage(stderr);
		return 2;
	}
	if (a.list)
		return block_list();
	if (a.file)
		return block_file(a.file, &a.rule);
	return block_prefixes(n, argv + optind, &a.rule);
}

static int unblock_all(int n, const struct ew_prefix *p)
{
	struct blocklist bl;
	char buf[64];
	int err, rc = 0;

	if (open_blocklist(&bl, 0, 0))
		return 1;
	for (int i = 0; i < n; i++) {
		prefix_str(&p[i], buf, sizeof(buf));
		err = blocklist_remove(&bl, &p[i]);
		if (err) {
			ew_err("couldn't unblock '%s': %s", buf,
			       err == -ENOENT ? "not in the blocklist" : strerror(-err));
			rc = 1;
		} else {
			printf("unblocked %s\n", buf);
		}
	}
	blocklist_close(&bl);
	return rc;
}

int cmd_unblock(int argc, char **argv)
{
	struct ew_prefix *p;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		block_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	p = calloc((size_t)argc - 1, sizeof(*p));
	if (!p)
		return 1;
	rc = parse_prefixes(argc - 1, argv + 1, p) ? 2 : unblock_all(argc - 1, p);
	free(p);
	return rc;
}
