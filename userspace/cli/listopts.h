/* SPDX-License-Identifier: GPL-2.0 */
/* The list and PDQ options every inspecting command takes (pcap, run, and
 * later icap and lookup): --hashlist, --pdqlist, --hashxml, --pdq,
 * --pdq-min-quality, --pdq-buffer-max, --pdq-buffer-total. */
#ifndef EW_CLI_LISTOPTS_H
#define EW_CLI_LISTOPTS_H

#include <getopt.h>

#include "lists/listset.h"
#include "object/imgmatch.h"

struct listopts {
	struct listset ls;
	struct imgmatch_conf ic; /* log, min_quality, caps; db set by listopts_load */
};

/* getopt_long entries (values 0x100.. clash with no short option). */
#define LISTOPTS_LONGOPTS                                                   \
	{"hashlist", required_argument, NULL, 0x100},                       \
	{"pdqlist", required_argument, NULL, 0x101},                        \
	{"hashxml", required_argument, NULL, 0x102},                        \
	{"pdq", no_argument, NULL, 0x103},                                  \
	{"pdq-min-quality", required_argument, NULL, 0x104},                \
	{"pdq-buffer-max", required_argument, NULL, 0x105},                 \
	{"pdq-buffer-total", required_argument, NULL, 0x106}

#define LISTOPTS_USAGE                                                                      \
	"  --hashlist NAME=PATH[,category=C][,type=md5|sha1|sha256][,format=auto|text|csv]\n"  \
	"                  [,column=COL][,skip-bad]   load an exact hash list (repeatable);\n" \
	"                  type defaults to the file extension (.md5, .sha1, .sha256), else\n" \
	"                  sha256\n"                                                         \
	"  --pdqlist NAME=PATH[,category=C][,threshold=N][,format=auto|text|csv][,column=COL]" \
	"[,skip-bad]\n"                                                                      \
	"                  load a PDQ list (hex per line, or CSV with a pdq column)\n"        \
	"  --hashxml PATH  load a hash-sharing XML file (md5, sha1 and PDQ; repeatable,\n"     \
	"                  read in order so later deletions apply)\n"                         \
	"  --pdq           PDQ-hash image objects even without a PDQ list\n"                   \
	"  --pdq-min-quality N  match only PDQ hashes of quality >= N (default 50)\n"          \
	"  --pdq-buffer-max BYTES, --pdq-buffer-total BYTES  image body buffer caps,\n"        \
	"                  per object (default 32 MiB) and for all objects (256 MiB)\n"

/* Sets the defaults. */
void listopts_init(struct listopts *o);

/* Handles getopt value c with argument arg for command who. Returns 0,
 * -EINVAL (message printed) or 1 when c is not one of ours. */
int listopts_option(struct listopts *o, const char *who, int c, char *arg);

/* Loads the lists (diagnostics to stderr). Returns 0 or -errno. */
int listopts_load(struct listopts *o, const char *who);

void listopts_free(struct listopts *o);

#endif
