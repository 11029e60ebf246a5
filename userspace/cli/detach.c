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

#include "agent/control.h"
#include "config/runconf.h"
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
	fprintf(out, "usage: edgeward detach [--iface IF]... [--control PATH]\n"
		     "Stops the running agent, removes edgeward's XDP and TC programs (from\n"
		     "IF only, or from every interface) and, without --iface, the routing\n"
		     "rules and routes of inline steering and all its pinned maps.\n");
}

/* Asks a running agent to stop and waits (up to 30 s) for it to go. */
static int stop_agent(const char *path)
{
	FILE *sink = fopen("/dev/null", "w");
	int rc = control_request(path, "stop", sink ? sink : stderr, 5000);

	if (sink)
		fclose(sink);
	if (rc < 0)
		return 0; /* none running */
	for (int i = 0; i < 300 && !access(path, F_OK); i++)
		usleep(100000);
	if (!access(path, F_OK)) {
		ew_err("detach: the agent at '%s' did not stop", path);
		return -ETIMEDOUT;
	}
	printf("stopped the agent\n");
	return 0;
}

int cmd_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{"iface", required_argument, NULL, 'i'},
		{"control", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *ifs[64], *control = runconf_control_default();
	int c, failed = 0, ifaces = 0;

	loader_log_init();
	optind = 0;
	while ((c = getopt_long(argc, argv, "i:h", opts, NULL)) != -1) {
		if (c == 'i' && ifaces < 64) {
			ifs[ifaces++] = optarg;
		} else if (c == 'S') {
			control = optarg;
		} else {
			detach_usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind < argc) {
		ew_err("detach: unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (stop_agent(control))
		return 1;
	for (int i = 0; i < ifaces; i++)
		detach_iface(ifs[i], &failed);
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
