// SPDX-License-Identifier: GPL-2.0
/* confine: a confined thread computes (memory, clock, a socketpair, fork
 * and reap) but cannot open a file or a network socket; the thread that
 * did not confine itself still can. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent/confine.h"

struct outcome {
	int open_errno, socket_errno, fork_ok, pair_ok;
	void *mem;
};

static void *confined(void *arg)
{
	struct outcome *o = arg;
	struct timespec ts;
	int sv[2], fd, st;
	pid_t pid;

	confine_worker(NULL);
	o->mem = malloc(1 << 20); /* big enough for mmap */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fd = open("/etc/hostname", O_RDONLY);
	o->open_errno = fd < 0 ? errno : 0;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	o->socket_errno = fd < 0 ? errno : 0;
	o->pair_ok = socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0;
	pid = fork();
	if (pid == 0)
		_exit(7);
	o->fork_ok = pid > 0 && waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 7;
	return NULL;
}

static void worker_is_confined(void **state)
{
	struct outcome o = {0};
	pthread_t t;
	int fd;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, confined, &o), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_non_null(o.mem);
	free(o.mem);
	assert_int_equal(o.open_errno, EPERM);
	assert_int_equal(o.socket_errno, EPERM);
	assert_true(o.pair_ok);
	assert_true(o.fork_ok);
	fd = open("/etc/hostname", O_RDONLY); /* this thread was never confined */
	assert_true(fd >= 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worker_is_confined),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
