// SPDX-License-Identifier: GPL-2.0
/* `edgeward lookup HASH...|FILE... --hashlist ... --pdqlist ... --hashxml ...`:
 * for a responder, whether given hashes or files are on the lists, asked
 * of the same registries the engine matches against (lists/hashset's
 * hashdb, lists/pdqlist's PDQ index): every exact hit, and every PDQ entry
 * within its list's threshold with the distance. A file is hashed as the
 * pipeline hashes a body (MD5, SHA-1, SHA-256; PDQ for images, decoded in
 * the image sandbox).
 *
 * Exit status: 0 nothing on the lists, 1 something is, 2 error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/listopts.h"
#include "image/image.h"
#include "image/imgsandbox.h"
#include "lists/hashset.h"
#include "lists/pdqlist.h"
#include "log/log.h"
#include "object/hash.h"

#define HITS_MAX 64

static void usage(FILE *f)
{
	fprintf(f, "usage: edgeward lookup HASH|FILE... [list options]\n"
		   "Says for each hash (32, 40 or 64 hex digits: MD5, SHA-1, SHA-256 or PDQ)\n"
		   "or file whether it is on the lists given: exact hits by list and\n"
		   "category, and every PDQ entry within its list's threshold with the\n"
		   "distance. Exit status: 0 on no list, 1 on a list, 2 error.\n" LISTOPTS_USAGE);
}

static int exact(struct hashdb *db, enum list_kind k, const uint8_t *d, const char *what)
{
	struct hashdb_hit hits[HITS_MAX];
	size_t n = hashdb_lookup(db, k, d, hits, HITS_MAX);

	for (size_t i = 0; i < n && i < HITS_MAX; i++)
		printf("  %-8s on list '%s' (category '%s')\n", what, hits[i].list, hits[i].category);
	return n > 0;
}

static int near(struct pdqdb *db, const struct pdq_hash *h)
{
	struct pdqdb_hit hits[HITS_MAX];
	size_t n = pdqdb_query(db, h, hits, HITS_MAX);

	for (size_t i = 0; i < n && i < HITS_MAX; i++)
		printf("  pdq      within %u of entry '%s' on list '%s' (category '%s', distance "
		       "%u)\n", hits[i].threshold, hits[i].label, hits[i].list, hits[i].category,
		       hits[i].distance);
	if (n > HITS_MAX)
		printf("  pdq      ... and %zu more entries\n", n - HITS_MAX);
	return n > 0;
}

/* A hash given in hex: its kind from its length (64: SHA-256 and PDQ). */
static int lookup_hex(const struct listset *ls, const char *s)
{
	static const enum list_kind kinds[] = {LIST_MD5, LIST_SHA1, LIST_SHA256};
	uint8_t d[HASH_MAX_LEN];
	struct pdq_hash p;
	int on = 0, known = 0;

	printf("%s\n", s);
	for (int t = 0; t < HASH_T_MAX; t++)
		if (strlen(s) == 2 * hash_len(t) && !hash_unhex(t, s, d)) {
			on |= exact(ls->db, kinds[t], d, hash_name(t));
			known = 1;
		}
	if (!pdq_hash_from_hex(s, strlen(s), &p)) {
		on |= near(ls->pdb, &p);
		known = 1;
	}
	if (!known) {
		ew_err("lookup: '%s' is neither a file nor a hash (32, 40 or 64 hex digits)", s);
		return -1;
	}
	if (!on)
		printf("  on no list\n");
	return on;
}

static int read_all(const char *path, uint8_t **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n = 0;

	if (fd < 0 || fstat(fd, &st))
		return fd < 0 ? -errno : (close(fd), -errno);
	if ((uint64_t)st.st_size > IMGSANDBOX_DEF_MAX_INPUT * 16ull) {
		close(fd);
		return -EFBIG;
	}
	*len = (size_t)st.st_size;
	*buf = malloc(*len ? *len : 1);
	for (size_t got = 0; *buf && got < *len; got += (size_t)n)
		if ((n = read(fd, *buf + got, *len - got)) <= 0)
			break;
	close(fd);
	return !*buf ? -ENOMEM : n < 0 ? -EIO : 0;
}

static int lookup_file(const struct listset *ls, struct imgsandbox *sb, const char *path)
{
	static const enum list_kind kinds[] = {LIST_MD5, LIST_SHA1, LIST_SHA256};
	struct imgsandbox_result ir;
	struct hash_result r;
	struct hash_ctx h;
	uint8_t *buf = NULL;
	size_t len = 0;
	int on = 0, err = read_all(path, &buf, &len);

	if (!err && !(err = hash_init(&h, HASH_ALL))) {
		hash_update(&h, buf, len);
		err = hash_final(&h, &r);
		hash_free(&h);
	}
	if (err) {
		ew_err("lookup: couldn't read '%s': %s", path, strerror(-err));
		free(buf);
		return -1;
	}
	printf("%s\n", path);
	for (int t = 0; t < HASH_T_MAX; t++)
		on |= exact(ls->db, kinds[t], r.d[t], hash_name(t));
	if (image_sniff(buf, len) != IMAGE_UNKNOWN && len <= IMGSANDBOX_DEF_MAX_INPUT) {
		if (!imgsandbox_hash(sb, buf, len, 0, &ir))
			on |= near(ls->pdb, &ir.hash[PDQ_ORIG]);
		else
			printf("  pdq      not computed: %s\n", ir.reason);
	}
	if (!on)
		printf("  on no list\n");
	free(buf);
	return on;
}

int cmd_lookup(int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, LISTOPTS_LONGOPTS,
					     {NULL, 0, NULL, 0}};
	struct listopts lo;
	struct imgsandbox *sb = NULL;
	struct stat st;
	int c, rc = 0;

	listopts_init(&lo);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return usage(stdout), 0;
		if (listopts_option(&lo, "lookup", c, optarg))
			return usage(stderr), 2;
	}
	if (optind == argc || (!lo.ls.nhash && !lo.ls.npdq && !lo.ls.nxml)) {
		ew_err("lookup: give hashes or files, and the lists (--hashlist, --pdqlist, --hashxml)");
		return 2;
	}
	if (listopts_load(&lo, "lookup") || !(sb = imgsandbox_new(NULL))) {
		listopts_free(&lo);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		int on = stat(argv[i], &st) ? lookup_hex(&lo.ls, argv[i])
					    : lookup_file(&lo.ls, sb, argv[i]);

		rc = on < 0 ? 2 : rc == 2 ? 2 : (rc | on);
	}
	imgsandbox_free(sb);
	listopts_free(&lo);
	return rc;
}
