/* SPDX-License-Identifier: GPL-2.0 */
/* The image half of `edgeward pcap`: the PDQ options (--pdqlist, --hashxml,
 * --pdq, --pdq-min-quality, buffer caps), loading the PDQ lists and the
 * hash-sharing XML, and their part of the summary. cli/pcap.c owns the
 * pipeline and calls these. */
#ifndef EW_CLI_PCAP_IMG_H
#define EW_CLI_PCAP_IMG_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "log/eventjson.h"
#include "lists/hashset.h"
#include "lists/hashxml.h"
#include "object/imgmatch.h"
#include "lists/pdqlist.h"

#define PCAP_PDQ_MAX	64
#define PCAP_XML_MAX	16
#define PCAP_XML_GROUP	"hashxml"	/* list name of the --hashxml entries */

/* One --pdqlist NAME=PATH[,category=C][,threshold=N][,format=F][,column=X]
 * [,skip-bad]; strings point into argv. */
struct pdq_spec {
	char *name, *path, *category;
	unsigned threshold;
	struct listfile_opts lo;
	size_t entries;
};

struct pcap_img_opts {
	struct pdq_spec pdq[PCAP_PDQ_MAX];
	int npdq;
	const char *xml[PCAP_XML_MAX];
	int nxml;
	struct hashxml_stats xs;	/* after loading */
	struct imgmatch_conf ic;	/* log, min_quality, caps; db set by load */
};

/* getopt_long entries (values 0x100.. so they clash with no short option),
 * to copy into the command's table. */
#define PCAP_IMG_LONGOPTS                                                   \
	{"pdqlist", required_argument, NULL, 0x100},                        \
	{"hashxml", required_argument, NULL, 0x101},                        \
	{"pdq", no_argument, NULL, 0x102},                                  \
	{"pdq-min-quality", required_argument, NULL, 0x103},                \
	{"pdq-buffer-max", required_argument, NULL, 0x104},                 \
	{"pdq-buffer-total", required_argument, NULL, 0x105}

#define PCAP_IMG_USAGE                                                                    \
	"  --pdqlist NAME=PATH[,category=C][,threshold=N][,format=auto|text|csv][,column=COL]" \
	"[,skip-bad]\n"                                                                    \
	"                  load a PDQ list (hex per line, or CSV with a pdq column)\n"      \
	"  --hashxml PATH  load a hash-sharing XML file (md5, sha1 and PDQ; repeatable,\n"   \
	"                  read in order so later deletions apply)\n"                       \
	"  --pdq           PDQ-hash image objects even without a PDQ list\n"                 \
	"  --pdq-min-quality N  match only PDQ hashes of quality >= N (default 50)\n"        \
	"  --pdq-buffer-max BYTES, --pdq-buffer-total BYTES  image body buffer caps,\n"      \
	"                  per object (default 32 MiB) and for all objects (256 MiB)\n"

/* Sets the defaults. */
void pcap_img_init(struct pcap_img_opts *o);

/* Handles getopt value c with argument arg. Returns 0, -EINVAL (message
 * printed) or 1 when c is not one of ours. */
int pcap_img_option(struct pcap_img_opts *o, int c, char *arg);

/* Loads the PDQ lists into *pdb (created here; caller frees it with
 * pdqdb_free) and the XML files into hdb and *pdb. Any error is printed
 * and fails the run: returns 0 or -errno. */
int pcap_img_load(struct pcap_img_opts *o, struct hashdb *hdb, struct pdqdb **pdb);

/* The PDQ lists and the XML feed as members of the summary's "lists". */
void pcap_img_put_lists(struct ej_writer *w, const struct pcap_img_opts *o);

/* The summary's "pdq" member (nothing when im is inactive). */
void pcap_img_put_stats(struct ej_writer *w, const struct imgmatch *im);

#endif
