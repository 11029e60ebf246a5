// SPDX-License-Identifier: GPL-2.0
/* The agent's end of inline steering: transparent listeners registered in
 * the EW_MAP_PROXY sockmap, the steering flags, transparent upstream
 * sockets. Used by the proxy; the programs it feeds are in bpf/. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "config.h"
#include "ew_abi.h"
#include "loader.h"
#include "steer.h"

struct steer {
	int proxy_fd;
	struct config *cfg;
};

struct steer *steer_open(void)
{
	struct steer *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	s->proxy_fd = loader_map_open(EW_MAP_PROXY);
	if (s->proxy_fd < 0) {
		err = -s->proxy_fd;
		free(s);
		errno = err;
		return NULL;
	}
	s->cfg = config_open();
	if (!s->cfg) {
		err = errno;
		close(s->proxy_fd);
		free(s);
		errno = err;
		return NULL;
	}
	return s;
}

void steer_close(struct steer *s)
{
	if (!s)
		return;
	config_close(s->cfg);
	close(s->proxy_fd);
	free(s);
}

/* A nonblocking TCP socket of family, transparent and SO_REUSEADDR. */
static int transparent_socket(int family)
{
	int one = 1, fd;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (family == AF_INET && setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one))) ||
	    (family == AF_INET6 && setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof(one)))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* addr, or family's loopback address, with port (host order). */
static socklen_t listen_addr(int family, const struct sockaddr *addr, unsigned short port,
			     struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		if (addr)
			memcpy(a4, addr, sizeof(*a4));
		else
			a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		return sizeof(*a4);
	}
	if (addr)
		memcpy(a6, addr, sizeof(*a6));
	else
		a6->sin6_addr = in6addr_loopback;
	a6->sin6_family = AF_INET6;
	a6->sin6_port = htons(port);
	return sizeof(*a6);
}

int steer_listen(int family, const struct sockaddr *addr, unsigned short port, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd, err = 0;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (addr && addr->sa_family != family)
		return -EINVAL;
	fd = transparent_socket(family);
	if (fd < 0)
		return fd;
	len = listen_addr(family, addr, port, &ss);
	if ((family == AF_INET6 && setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, backlog))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* The EW_MAP_PROXY slot of family, or -EAFNOSUPPORT. */
static int slot(int family)
{
	if (family == AF_INET)
		return EW_PROXY_IPV4;
	return family == AF_INET6 ? (int)EW_PROXY_IPV6 : -EAFNOSUPPORT;
}

int steer_register(struct steer *s, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	__u64 value = (__u64)fd;
	__u32 key;
	int idx;

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -errno;
	idx = slot(ss.ss_family);
	if (idx < 0)
		return idx;
	key = (__u32)idx;
	/* The kernel takes a socket that listens (or is established) only. */
	if (bpf_map_update_elem(s->proxy_fd, &key, &value, BPF_ANY))
		return -errno;
	return 0;
}

int steer_unregister(struct steer *s, int family)
{
	int idx = slot(family);
	__u32 key;

	if (idx < 0)
		return idx;
	key = (__u32)idx;
	if (!bpf_map_delete_elem(s->proxy_fd, &key))
		return 0;
	/* A sockmap answers EINVAL for an empty slot (the key is in range). */
	return errno == EINVAL ? -ENOENT : -errno;
}

void steer_set_accepting(struct steer *s, bool on)
{
	config_flags(s->cfg, on ? EW_STEER_ACCEPT : 0, on ? 0 : EW_STEER_ACCEPT);
}

void steer_set_enabled(struct steer *s, bool on)
{
	config_flags(s->cfg, on ? EW_STEER_ON : 0, on ? 0 : EW_STEER_ON);
}

int steer_upstream(const struct sockaddr *client, const struct sockaddr *server, socklen_t len)
{
	int fd, err = 0;

	if (client->sa_family != server->sa_family)
		return -EINVAL;
	fd = transparent_socket(client->sa_family);
	if (fd < 0)
		return fd;
	if (bind(fd, client, len) || (connect(fd, server, len) && errno != EINPROGRESS))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}
