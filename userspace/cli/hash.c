// SPDX-License-Identifier: GPL-2.0
/* `edgeward hash [--dihedral] FILE...`: the digests and PDQ hash of local
 * files, exactly as the pipeline computes them, so admins and responders
 * can build and check lists. Images are decoded in the imgsandbox worker. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/hex.h"
#include "cli/cli.h"
#include "object/hash.h"
#include "image/imgsandbox.h"
#include "log/log.h"

#define CHUNK	(64u << 10)

/* One file: streamed digests, and its bytes if they fit the image limit. */
struct hfile {
	struct hash_result digests;
	uint8_t *buf;		/* NULL when empty or over the limit */
	size_t len, total;
};

static void hash_usage(FILE *out)
{
	fprintf(out,
		"usage: edgeward hash [--dihedral] FILE...\n"
		"Prints md5, sha1 and sha256 of each file, and for images (JPEG, PNG,\n"
		"GIF, WebP, BMP, by content) the PDQ hash and quality. --dihedral adds\n"
		"the hashes of the seven rotations and flips. Exit status 1 if a file\n"
		"could not be read or an image could not be decoded.\n");
}

/* Appends p to f->buf while the total stays within cap. */
static int keep(struct hfile *f, const uint8_t *p, size_t n, size_t cap)
{
	uint8_t *nb;

	if (f->total > cap) {
		free(f->buf);
		f->buf = NULL;
		return 0;
	}
	nb = realloc(f->buf, f->len + n ? f->len + n : 1);
	if (!nb)
		return -ENOMEM;
	f->buf = nb;
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	return 0;
}

static int read_file(int fd, struct hfile *f, size_t cap)
{
	struct hash_ctx h;
	uint8_t *chunk = malloc(CHUNK);
	ssize_t n;
	int err = chunk ? hash_init(&h, HASH_ALL) : -ENOMEM;

	if (err)
		goto out;
	while ((n = read(fd, chunk, CHUNK)) != 0) {
		if (n < 0) {
			err = -errno;
			break;
		}
		hash_update(&h, chunk, (size_t)n);
		f->total += (size_t)n;
		err = keep(f, chunk, (size_t)n, cap);
		if (err)
			break;
	}
	if (!err)
		err = hash_final(&h, &f->digests);
	hash_free(&h);
out:
	free(chunk);
	return err;
}

static void print_digests(const struct hash_result *r)
{
	char hex[HASH_HEX_MAX];

	for (int t = 0; t < HASH_T_MAX; t++) {
		hex_encode(r->d[t], hash_len(t), hex);
		printf("  %-10s %s\n", hash_name(t), hex);
	}
}

/* Prints the PDQ lines. Returns 0, or 1 for an undecodable image. */
static int print_pdq(struct imgsandbox *sb, const char *path, const struct hfile *f,
		     bool dihedral)
{
	struct imgsandbox_result r;
	char hex[PDQ_HEX_LEN + 1];
	int ret;

	if (f->total > IMGSANDBOX_DEF_MAX_INPUT) {
		printf("  %-10s -  not decoded: %zu bytes is over the image size limit\n", "pdq",
		       f->total);
		return 0;
	}
	if (!f->buf || image_sniff(f->buf, f->len) == IMAGE_UNKNOWN) {
		printf("  %-10s -  not an image\n", "pdq");
		return 0;
	}
	ret = imgsandbox_hash(sb, f->buf, f->len, dihedral ? IMGSANDBOX_DIHEDRAL : 0, &r);
	if (ret) {
		printf("  %-10s -  undecodable: %s\n", "pdq", r.reason);
		ew_err("couldn't decode image '%s': %s", path, r.reason);
		return 1;
	}
	pdq_hash_to_hex(&r.hash[PDQ_ORIG], hex);
	printf("  %-10s %s  quality %d  (%s %ux%u)\n", "pdq", hex, r.quality,
	       image_format_name(r.format), r.width, r.height);
	for (int v = PDQ_ORIG + 1; dihedral && v < PDQ_DIH_MAX; v++) {
		pdq_hash_to_hex(&r.hash[v], hex);
		printf("  %-10s %s\n", pdq_dihedral_name(v), hex);
	}
	return 0;
}

static int hash_one(struct imgsandbox *sb, const char *path, bool dihedral)
{
	struct hfile f = { 0 };
	int fd, err, ret = 1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ew_err("couldn't open '%s': %s", path, strerror(errno));
		return 1;
	}
	err = read_file(fd, &f, IMGSANDBOX_DEF_MAX_INPUT);
	close(fd);
	if (err) {
		ew_err("couldn't read '%s': %s", path, strerror(-err));
		goto out;
	}
	printf("%s\n", path);
	print_digests(&f.digests);
	ret = print_pdq(sb, path, &f, dihedral);
out:
	free(f.buf);
	return ret;
}

int cmd_hash(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dihedral", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct imgsandbox *sb;
	bool dihedral = false;
	int c, ret = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "dh", opts, NULL)) != -1) {
		if (c == 'd') {
			dihedral = true;
			continue;
		}
		if (c != 'h')
			ew_err("hash: unknown option '%s'", argv[optind - 1]);
		hash_usage(c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 2;
	}
	if (optind == argc) {
		hash_usage(stderr);
		return 2;
	}
	sb = imgsandbox_new(NULL);
	if (!sb) {
		ew_err("couldn't set up image decoding: %s", strerror(errno));
		return 1;
	}
	for (int i = optind; i < argc; i++)
		ret |= hash_one(sb, argv[i], dihedral);
	imgsandbox_free(sb);
	return ret;
}
