/* SPDX-License-Identifier: GPL-2.0 */
/* control: the running agent's Unix socket (root only, under /run/edgeward)
 * through which `edgeward status`, `reload` and `detach` talk to it.
 *
 *   client: "status\n" | "reload\n" | "stop\n"
 *   agent:  "ok" or "error: why", then text lines, then it closes
 *
 * The agent serves one request at a time from its main loop; a client that
 * sends nothing within a second is dropped. */
#ifndef EW_AGENT_CONTROL_H
#define EW_AGENT_CONTROL_H

#include <stdio.h>

#define CONTROL_CMD_MAX 64

struct control;

/* Listens on path (its directory created 0700, the socket 0600). A socket
 * file left by a dead agent is replaced; one that answers means another
 * agent runs: -EADDRINUSE. Returns NULL with errno set (printed). */
struct control *control_open(const char *path);

/* An fd that polls readable when a client connects. */
int control_fd(const struct control *c);

/* Accepts a client and reads its command (trimmed) into cmd. Returns the
 * client's fd (answer with control_reply), or -errno: -EPERM for a client
 * that is not root (it was told so), -EAGAIN when nobody was waiting,
 * -EPROTO for a bad request (told so). */
int control_accept(struct control *c, char cmd[CONTROL_CMD_MAX]);

/* Writes text to client fd and closes it. */
void control_reply(int fd, const char *text, size_t len);

/* Closes and removes the socket. */
void control_close(struct control *c);

/* Client side: sends cmd to the agent at path and copies its reply to out
 * (timeout_ms for the whole exchange). Returns 0 when it answered "ok", 1
 * for "error: ...", or -errno: -ENOENT or -ECONNREFUSED when no agent
 * runs. */
int control_request(const char *path, const char *cmd, FILE *out, int timeout_ms);

#endif
