// SPDX-License-Identifier: GPL-2.0
/* edgeward notice: check a directory of notice templates, or render one
 * page of it to standard output (to review a translation in a browser). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "notice/notice.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: edgeward notice check DIR [--default-language L]\n"
		"       edgeward notice render DIR block|warn|acked [--default-language L]\n"
		"              [--accept-language V] [--status 451|403] [--rule R] [--category C]\n"
		"              [--contact C] [--url U]\n"
		"\n"
		"check: reads every NAME.LANG.html of DIR as `edgeward run` would and reports\n"
		"every problem as file:line:col; exit 0 valid, 1 invalid.\n"
		"render: writes the page a client with that Accept-Language would get.\n"
		"Templates, placeholders and languages: docs/notices.md.\n");
}

struct nopts {
	const char *lang, *accept;
	struct notice_vars v;
};

static int options(int argc, char **argv, struct nopts *o)
{
	static const struct option longs[] = {
		{"default-language", required_argument, NULL, 'l'},
		{"accept-language", required_argument, NULL, 'a'},
		{"status", required_argument, NULL, 's'},
		{"rule", required_argument, NULL, 'r'},
		{"category", required_argument, NULL, 'c'},
		{"contact", required_argument, NULL, 'C'},
		{"url", required_argument, NULL, 'u'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (c) {
		case 'l': o->lang = optarg; break;
		case 'a': o->accept = optarg; break;
		case 's': o->v.status = atoi(optarg); break;
		case 'r': o->v.rule = optarg; break;
		case 'c': o->v.category = optarg; break;
		case 'C': o->v.contact = optarg; break;
		case 'u': o->v.url = optarg; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return 2;
		}
	}
	return 0;
}

static int render(const struct notice_set *s, const char *kind, struct nopts *o)
{
	static const char *const kinds[] = {"block", "warn", "acked"};
	char *buf = malloc(4 * NOTICE_FILE_MAX);
	int k = 0, n, status;

	while (k < 3 && strcmp(kinds[k], kind))
		k++;
	if (k == 3 || !buf) {
		fprintf(stderr, "edgeward: notice: unknown page '%s' (expected block, warn or "
				"acked)\n", kind);
		free(buf);
		return 2;
	}
	o->v.ack_url = "/_ew/ack";
	o->v.token = "(token)";
	n = notice_render(s, (enum notice_kind)k, o->accept, &o->v, buf, 4 * NOTICE_FILE_MAX,
			  &status);
	if (n < 0)
		fprintf(stderr, "edgeward: notice: no %s template in %s\n", kind,
			n == -ENOENT ? "any language" : "a page that fits");
	else
		fwrite(buf, 1, (size_t)n, stdout);
	free(buf);
	return n < 0 ? 1 : 0;
}

int cmd_notice(int argc, char **argv)
{
	struct nopts o = {.lang = "en"};
	struct notice_set *s = NULL;
	struct diag d = {0};
	const char *verb, *dir;
	int rc = options(argc, argv, &o);

	if (rc)
		return rc == 1 ? 0 : rc;
	/* getopt_long moved the operands after the options */
	verb = optind < argc ? argv[optind] : "";
	if (!((!strcmp(verb, "check") && argc - optind == 2) ||
	      (!strcmp(verb, "render") && argc - optind == 3))) {
		usage(stderr);
		return 2;
	}
	dir = argv[optind + 1];
	rc = notice_set_load(dir, o.lang, &s, &d);
	diag_print(&d, stderr);
	if (rc)
		return 1;
	if (!strcmp(verb, "check"))
		printf("%s: templates valid\n", dir);
	else
		rc = render(s, argv[optind + 2], &o);
	notice_set_free(s);
	return rc;
}
