// SPDX-License-Identifier: GPL-2.0
/* A minimal transparent relay for tests/e2e/test_steer.sh, built on
 * userspace/kernel/steer.h: registers a listener per family, says
 * "ready", then for each connection TC steers to it learns the original
 * destination (getsockname), connects upstream with the client's own
 * address and port, logs "CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT" to
 * the log file and copies bytes both ways until both sides have closed.
 * No inspection: the proxy proper is the agent's.
 *
 *   usage: steer_relay LOGFILE        (as root, in the edge namespace)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel/steer.h"

#define CONNECT_MS 5000

static int log_fd = -1;

struct pump {
	int from, to;
};

/* Copies from -> to until EOF, then half-closes to; on an error shuts
 * both down so the other direction ends too. */
static void *pump(void *arg)
{
	struct pump *p = arg;
	char buf[65536];
	ssize_t n, w;

	while ((n = read(p->from, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n; off += w) {
			w = write(p->to, buf + off, (size_t)(n - off));
			if (w <= 0)
				goto fail;
		}
	}
	if (n == 0) {
		shutdown(p->to, SHUT_WR);
		return NULL;
	}
fail:
	shutdown(p->from, SHUT_RDWR);
	shutdown(p->to, SHUT_RDWR);
	return NULL;
}

static void addr_text(const struct sockaddr_storage *ss, char *ip, size_t size, unsigned *port)
{
	const struct sockaddr_in *a4 = (const void *)ss;
	const struct sockaddr_in6 *a6 = (const void *)ss;

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &a4->sin_addr, ip, (socklen_t)size);
		*port = ntohs(a4->sin_port);
	} else {
		inet_ntop(AF_INET6, &a6->sin6_addr, ip, (socklen_t)size);
		*port = ntohs(a6->sin6_port);
	}
}

/* One line per connection, written whole (O_APPEND). */
static void log_conn(const struct sockaddr_storage *cli, const struct sockaddr_storage *srv)
{
	char ci[INET6_ADDRSTRLEN], si[INET6_ADDRSTRLEN], line[160];
	unsigned cp, sp;
	int n;

	addr_text(cli, ci, sizeof(ci), &cp);
	addr_text(srv, si, sizeof(si), &sp);
	n = snprintf(line, sizeof(line), "%s %u %s %u\n", ci, cp, si, sp);
	if (write(log_fd, line, (size_t)n) != n)
		fprintf(stderr, "steer_relay: couldn't log a connection: %s\n", strerror(errno));
}

/* Waits for the nonblocking connect of fd; then makes fd blocking.
 * Returns 0 or -errno. */
static int connected(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(int);
	int err = 0;

	if (poll(&p, 1, CONNECT_MS) != 1)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err)
		return -(err ? err : errno);
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) ? -errno : 0;
}

static void *conn(void *arg)
{
	struct sockaddr_storage cli, srv;
	socklen_t cl = sizeof(cli), sl = sizeof(srv);
	int c = (int)(long)arg, up = -1;
	struct pump back;
	pthread_t t;

	if (getpeername(c, (void *)&cli, &cl) || getsockname(c, (void *)&srv, &sl))
		goto out;
	log_conn(&cli, &srv);
	up = steer_upstream((void *)&cli, (void *)&srv, cl);
	if (up < 0 || connected(up) < 0) {
		fprintf(stderr, "steer_relay: couldn't connect upstream: %s\n",
			strerror(up < 0 ? -up : ETIMEDOUT));
		goto out;
	}
	back = (struct pump){.from = up, .to = c};
	if (pthread_create(&t, NULL, pump, &back))
		goto out;
	pump(&(struct pump){.from = c, .to = up});
	pthread_join(t, NULL);
out:
	if (up >= 0)
		close(up);
	close(c);
	return NULL;
}

/* Listens per family, registers both, takes new flows. */
static int start(struct steer *s, int lfd[2])
{
	static const int fams[2] = {AF_INET, AF_INET6};
	int err;

	for (int i = 0; i < 2; i++) {
		lfd[i] = steer_listen(fams[i], NULL, 0, 128);
		if (lfd[i] < 0)
			return lfd[i];
		err = steer_register(s, lfd[i]);
		if (err)
			return err;
	}
	steer_set_accepting(s, true);
	return 0;
}

int main(int argc, char **argv)
{
	struct pollfd p[2];
	struct steer *s;
	int lfd[2], err;
	pthread_t t;

	if (argc != 2) {
		fprintf(stderr, "usage: steer_relay LOGFILE\n");
		return 2;
	}
	log_fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	s = steer_open();
	if (log_fd < 0 || !s) {
		fprintf(stderr, "steer_relay: couldn't open '%s' or the pinned maps: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	err = start(s, lfd);
	if (err) {
		fprintf(stderr, "steer_relay: couldn't listen: %s\n", strerror(-err));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < 2; i++)
		p[i] = (struct pollfd){.fd = lfd[i], .events = POLLIN};
	while (poll(p, 2, -1) > 0) {
		for (int i = 0; i < 2; i++) {
			int c = (p[i].revents & POLLIN) ? accept4(lfd[i], NULL, NULL, SOCK_CLOEXEC)
							: -1;

			if (c >= 0 && pthread_create(&t, NULL, conn, (void *)(long)c) == 0)
				pthread_detach(t);
			else if (c >= 0)
				close(c);
		}
	}
	return 1;
}
