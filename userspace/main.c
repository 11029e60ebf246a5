// SPDX-License-Identifier: GPL-2.0
/* edgeward: the agent and CLI. Wiring only: pick the subcommand and run it. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "log/log.h"

static const struct cli_cmd commands[] = {
	/* { "name", cmd_name, "one-line summary" }, one line per working command */
	{ "run", cmd_run, "the live filter: attach, inspect, block, log (docs/operations.md)" },
	{ "reload", cmd_reload, "make the running agent re-read its config and lists" },
	{ "block", cmd_block, "block prefixes (or list them) in the pinned blocklist" },
	{ "unblock", cmd_unblock, "remove prefixes from the pinned blocklist" },
	{ "status", cmd_status, "show attachments, counters, rule hits, heartbeat" },
	{ "detach", cmd_detach, "remove edgeward's programs and pinned maps" },
	{ "hash", cmd_hash, "md5, sha1, sha256 and PDQ of local files (for building lists)" },
	{ "pcap", cmd_pcap, "extract, hash and match HTTP objects in capture files" },
	{ "icap", cmd_icap, "ICAP service: hash bodies a TLS-intercepting proxy decrypted" },
	{ "policy", cmd_policy, "check policy files, list nDPI names, show tags and decisions" },
	{ "streams", cmd_streams, "reassembled TCP/UDP flows of capture files: bytes, gaps, SHA-256" },
	{ "log", cmd_log, "verify, query, forward or preserve event log files" },
	{ "evidence", cmd_evidence, "responders' keys; open a sealed object (every opening logged)" },
	{ "lookup", cmd_lookup, "are these hashes or files on the lists? (exact, and PDQ with distance)" },
	{ "notice", cmd_notice, "check notice templates, or render a page of them (docs/notices.md)" },
	{ "report", cmd_report, "cases of a period per category, list, hash, day ... from event logs" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: edgeward [-v|-q] COMMAND [ARGS...]\n\ncommands:\n");
	for (const struct cli_cmd *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'edgeward COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			log_set_level(EW_LOG_DEBUG);
		else if (!strcmp(argv[i], "-q"))
			log_set_level(EW_LOG_WARN);
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			ew_err("unknown option '%s'", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	for (const struct cli_cmd *c = commands; c->name; c++)
		if (!strcmp(argv[i], c->name))
			return c->run(argc - i, argv + i);
	ew_err("unknown command '%s'", argv[i]);
	usage(stderr);
	return 2;
}
