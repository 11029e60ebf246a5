// SPDX-License-Identifier: GPL-2.0
/* The notice server alone, for tests/e2e/notice_browser.py: serves the
 * templates of DIR on ADDR:PORT (port 0: any; the port picked goes to
 * standard output as "port N") with acknowledgements lasting ACK_MS, and
 * answers one question per line of standard input:
 *   acked ADDR CATEGORY  ->  "yes" or "no"
 * It stops at the end of its input.
 *
 *   notice_srv DIR ADDR:PORT ACK_MS [DEFAULT_LANG] */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notice/server.h"

static int listen_addr(const char *s, struct notice_server_conf *c)
{
	struct sockaddr_in *sa = (struct sockaddr_in *)&c->addr;
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	c->addr_len = sizeof(*sa);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static void answer(struct notice_server *srv, const char *line)
{
	char addr[64], cat[64];
	uint8_t a[16] = {[10] = 0xff, [11] = 0xff};

	if (sscanf(line, "acked %63s %63s", addr, cat) != 2 ||
	    inet_pton(AF_INET, addr, a + 12) != 1) {
		printf("error: expected: acked ADDR CATEGORY\n");
		return;
	}
	printf("%s\n", notice_server_acked(srv, a, cat, 0) ? "yes" : "no");
}

int main(int argc, char **argv)
{
	struct notice_server_conf c;
	struct notice_server *srv;
	struct notice_set *set = NULL;
	struct diag d = {0};
	char line[256], msg[256];

	if (argc < 4) {
		fprintf(stderr, "usage: notice_srv DIR ADDR:PORT ACK_MS [DEFAULT_LANG]\n");
		return 2;
	}
	notice_server_conf_default(&c);
	if (listen_addr(argv[2], &c) ||
	    notice_set_load(argv[1], argc > 4 ? argv[4] : "en", &set, &d)) {
		diag_print(&d, stderr);
		fprintf(stderr, "notice_srv: bad address '%s' or templates\n", argv[2]);
		return 2;
	}
	c.set = set;
	c.contact = "abuse@isp.example";
	c.ack_ns = strtoull(argv[3], NULL, 10) * 1000000ull;
	srv = notice_server_start(&c, msg, sizeof(msg));
	if (!srv) {
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	printf("port %u\n", notice_server_port(srv));
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		answer(srv, line);
		fflush(stdout);
	}
	notice_server_stop(srv);
	notice_set_free(set);
	return 0;
}
