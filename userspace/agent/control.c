// SPDX-License-Identifier: GPL-2.0
/* control: the agent's Unix control socket, server and client. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "log/log.h"

#define CONTROL_READ_MS 1000

struct control {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static int addr_of(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

/* 0 when a socket at path answers (another agent), else -errno. */
static int probe(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ? -errno : 0;
	close(fd);
	return rc;
}

static int make_dir(const char *path)
{
	char *copy = strdupa(path), *dir = dirname(copy);

	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static int listen_at(struct control *c, const struct sockaddr_un *sa)
{
	struct stat st;
	mode_t old;
	int err = 0;

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -errno;
	if (!probe(sa))
		return -EADDRINUSE;
	if (!lstat(sa->sun_path, &st) && !S_ISSOCK(st.st_mode))
		return -EEXIST; /* not ours to remove */
	unlink(sa->sun_path); /* left by an agent that died */
	old = umask(0177);    /* the socket is born 0600 */
	if (bind(c->fd, (const struct sockaddr *)sa, sizeof(*sa)) || listen(c->fd, 8))
		err = -errno;
	umask(old);
	return err;
}

struct control *control_open(const char *path)
{
	struct control *c = calloc(1, sizeof(*c));
	struct sockaddr_un sa;
	int err;

	if (!c)
		return NULL;
	c->fd = -1;
	err = addr_of(path, &sa);
	if (!err)
		err = make_dir(path);
	if (!err)
		err = listen_at(c, &sa);
	if (err) {
		ew_err("couldn't open the control socket '%s': %s%s", path, strerror(-err),
		       err == -EADDRINUSE ? " (another agent is running)" : "");
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		errno = -err;
		return NULL;
	}
	strcpy(c->path, path);
	return c;
}

int control_fd(const struct control *c)
{
	return c->fd;
}

void control_reply(int fd, const char *text, size_t len)
{
	while (len) {
		ssize_t n = write(fd, text, len);

		if (n <= 0)
			break;
		text += n;
		len -= (size_t)n;
	}
	close(fd);
}

/* Reads one line into cmd within CONTROL_READ_MS. Returns 0 or -errno. */
static int read_cmd(int fd, char cmd[CONTROL_CMD_MAX])
{
	size_t n = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (n < CONTROL_CMD_MAX - 1) {
		ssize_t r;

		if (poll(&p, 1, CONTROL_READ_MS) != 1)
			return -ETIMEDOUT;
		r = read(fd, cmd + n, CONTROL_CMD_MAX - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (memchr(cmd, '\n', n))
			break;
	}
	cmd[n] = '\0';
	cmd[strcspn(cmd, "\r\n")] = '\0';
	return n ? 0 : -EPROTO;
}

int control_accept(struct control *c, char cmd[CONTROL_CMD_MAX])
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC), err;

	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != 0) {
		control_reply(fd, "error: permission denied (root only)\n", 37);
		return -EPERM;
	}
	err = read_cmd(fd, cmd);
	if (err) {
		control_reply(fd, "error: no command\n", 18);
		return -EPROTO;
	}
	return fd;
}

void control_close(struct control *c)
{
	if (!c)
		return;
	close(c->fd);
	unlink(c->path);
	free(c);
}

/* ---- client ----------------------------------------------------------------------- */

/* Copies the reply to out; returns 0 for "ok...", 1 for "error...". */
static int copy_reply(int fd, FILE *out, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[4096];
	int rc = -EPROTO, first = 1;
	ssize_t n;

	while (poll(&p, 1, timeout_ms) == 1 && (n = read(fd, buf, sizeof(buf))) > 0) {
		if (first) {
			rc = !strncmp(buf, "ok", 2) ? 0 : !strncmp(buf, "error", 5) ? 1 : -EPROTO;
			first = 0;
		}
		fwrite(buf, 1, (size_t)n, out);
	}
	return rc;
}

int control_request(const char *path, const char *cmd, FILE *out, int timeout_ms)
{
	struct sockaddr_un sa;
	int fd, rc = addr_of(path, &sa);
	char line[CONTROL_CMD_MAX + 1];

	if (rc)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(line, sizeof(line), "%s\n", cmd);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		rc = -errno;
	else if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		rc = -EIO;
	else
		rc = copy_reply(fd, out, timeout_ms);
	close(fd);
	return rc;
}
