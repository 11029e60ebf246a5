// SPDX-License-Identifier: GPL-2.0
/* `edgeward reload`: asks the running agent to re-read its config and
 * lists (as SIGHUP does) and prints the outcome; a broken file leaves the
 * lists in force, and the reply says why. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "agent/control.h"
#include "cli/cli.h"
#include "config/runconf.h"
#include "log/log.h"

#define RELOAD_TIMEOUT_MS (10 * 60 * 1000) /* loading big lists takes a while */

int cmd_reload(int argc, char **argv)
{
	static const struct option opts[] = {
		{"control", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = runconf_control_default();
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'S') {
			path = optarg;
			continue;
		}
		printf("usage: edgeward reload [--control PATH]\n"
		       "Makes the running agent re-read its config and lists.\n");
		return c == 'h' ? 0 : 2;
	}
	rc = control_request(path, "reload", stdout, RELOAD_TIMEOUT_MS);
	if (rc < 0) {
		ew_err("reload: couldn't reach the agent at '%s': %s%s", path, strerror(-rc),
		       rc == -ENOENT || rc == -ECONNREFUSED ? " (is 'edgeward run' running?)" : "");
		return 1;
	}
	return rc ? 1 : 0;
}
