// SPDX-License-Identifier: GPL-2.0
/* `edgeward detach`: removes every XDP and TC program edgeward attached and,
 * without --iface, the routing rules and routes of inline steering (this
 * network namespace's) and everything in the pin directory. Idempotent. */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel/attach.h"
#include "cli/cli.h"
#include "ew_abi.h"
#include "kernel/loader.h"
#include "kernel/steer_route.h"
#include "log/log.h"

static int detach_iface(const char *ifname, void *ctx)
{
	int *failed = ctx;
	int x = attach_xdp_remove(ifname), t = attach_tc_remove(ifname);

	if (x < 0 || t < 0)
		(*failed)++;
	else if (x || t)
		printf("detached %s\n", ifname);
	else
		printf("nothing attached to %s\n", ifname);
	return 0;
}

static int unpin_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) && errno != ENOENT) {
		ew_err("couldn't unpin '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int unpin_all(void)
{
	if (access(loader_pin_dir(), F_OK))
		return 0;
	return nftw(loader_pin_dir(), unpin_one, 8, FTW_DEPTH | FTW_PHYS) ? 1 : 0;
}

/* The steering rules and routes; what is left of them is a failure. */
static int unroute(void)
{
	int left = steer_route_remove();

	if (left > 0)
		ew_err("couldn't remove the steering routes: %d rules or routes of protocol 0x%x "
		       "are left ('ip rule', 'ip route show table all')",
		       left, STEER_RTPROT);
	return left != 0;
}

static void detach_usage(FILE *out)
{
	fprintf(out, "usage: edgeward detach [--iface IF]...\n"
		     "Removes edgeward's XDP and TC programs (from IF only, or from\n"
		     "every interface) and, without --iface, the routing rules and routes\n"
		     "of inline steering and all its pinned maps.\n");
}

int cmd_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{"iface", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, failed = 0, ifaces = 0;

	loader_log_init();
	optind = 0;
	while ((c = getopt_long(argc, argv, "i:h", opts, NULL)) != -1) {
		if (c == 'i') {
			detach_iface(optarg, &failed);
			ifaces++;
		} else {
			detach_usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind < argc) {
		ew_err("detach: unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (ifaces)
		return failed ? 1 : 0;
	if (attach_foreach_iface(detach_iface, &failed) < 0)
		failed++;
	if (unroute())
		failed++;
	if (!failed && unpin_all())
		failed++;
	return failed ? 1 : 0;
}
