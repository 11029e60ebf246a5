/* SPDX-License-Identifier: GPL-2.0 */
/* Subcommands of the edgeward binary: one file each in userspace/cli/.
 * Each takes argc/argv starting at its own name and returns the process exit
 * status. main.c lists them; add a line there when a command works. */
#ifndef EW_CLI_H
#define EW_CLI_H

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_run(int argc, char **argv);
int cmd_block(int argc, char **argv);
int cmd_unblock(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_pcap(int argc, char **argv);
int cmd_streams(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_icap(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_notice(int argc, char **argv);

#endif
