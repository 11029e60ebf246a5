/* SPDX-License-Identifier: GPL-2.0 */
/* What the transparent proxy needs of the kernel side for inline
 * inspection (bpf/lib/steer.h): its listening sockets, registered where TC
 * finds them (EW_MAP_PROXY); the steering flags in EW_MAP_CONFIG; and
 * upstream sockets that speak to the server with the client's own address
 * and port, so neither end sees a proxy:
 *
 *   client ─SYN─▶ TC ─sk_assign─▶ listener ─accept─▶ conn (local = server)
 *                                                     │ proxy relays
 *   server ◀──── upstream (bound to client addr:port) ◀┘
 *   server ─▶ TC ─sk_assign (socket lookup)─▶ upstream
 *
 * Local delivery of steered packets is kernel/steer_route.h's. Everything
 * here needs CAP_NET_ADMIN (transparent sockets, BPF maps). */
#ifndef EW_STEER_H
#define EW_STEER_H

#include <stdbool.h>
#include <sys/socket.h>

struct steer;

/* Opens the pinned EW_MAP_PROXY and EW_MAP_CONFIG (`edgeward run` pins
 * them). Returns a handle the caller frees with steer_close, or NULL with
 * errno set (ENOENT: not pinned). */
struct steer *steer_open(void);

/* Closes the handle. Registered listeners stay registered until they
 * close or steer_unregister; the flags stay as set. */
void steer_close(struct steer *s);

/* A transparent (IP_TRANSPARENT / IPV6_TRANSPARENT, IPv6 only for
 * AF_INET6), SO_REUSEADDR, nonblocking, close-on-exec TCP socket of
 * family (AF_INET or AF_INET6) listening with backlog on addr, or on the
 * loopback address when addr is NULL, at port (host order; 0: an
 * ephemeral one, getsockname tells). Loopback keeps direct connections
 * out: TC assigns packets whatever their address. Returns the fd, which
 * the caller owns, or -errno. */
int steer_listen(int family, const struct sockaddr *addr, unsigned short port, int backlog);

/* Registers listening socket fd (of steer_listen) as the listener TC
 * hands its family's new flows to, replacing an earlier one. The map
 * holds a reference: the socket stays registered until it is closed (by
 * every process holding it) or steer_unregister. Returns 0 or -errno
 * (-EOPNOTSUPP: not a listening TCP socket). */
int steer_register(struct steer *s, int fd);

/* Removes family's listener; new flows then pass unsteered. 0 or -errno
 * (-ENOENT: none was registered). */
int steer_unregister(struct steer *s, int family);

/* Whether the proxy takes new flows (EW_STEER_ACCEPT): clear it at the
 * connection limit, and new flows pass unsteered while connections
 * already held keep being steered. */
void steer_set_accepting(struct steer *s, bool on);

/* Inline steering as a whole (EW_STEER_ON): off, TC steers nothing, not
 * even connections the proxy holds. `edgeward run --mode inline` sets it. */
void steer_set_enabled(struct steer *s, bool on);

/* Opens the upstream side of a connection accepted from client (the
 * accepted socket's getpeername) for server (its getsockname, the
 * original destination): a transparent, SO_REUSEADDR, nonblocking,
 * close-on-exec TCP socket bound to the client's address and port and
 * connecting to server. Both of one family; len is their size. Returns
 * the fd (the caller owns it and polls it writable, then reads
 * SO_ERROR, for the connect's outcome) or -errno (-EADDRINUSE: the
 * client's port is taken on the edge, e.g. by an earlier connection's
 * TIME_WAIT to the same server). The server's replies reach it only
 * because TC assigns them to it. */
int steer_upstream(const struct sockaddr *client, const struct sockaddr *server, socklen_t len);

#endif
