// SPDX-License-Identifier: GPL-2.0
/* imgsandbox: the agent side and the worker side of image decoding in a
 * separate process (image.c + pdq.c run only in the worker). Between the
 * object sink and the PDQ matchers. See imgsandbox.h and docs/images.md.
 *
 * Wire format on the socketpair (host byte order, both ends are us):
 *   agent -> worker: struct isb_req, then req.len image bytes
 *   worker -> agent: struct isb_resp
 */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "imgsandbox.h"
#include "log/log.h"

#if defined(__SANITIZE_ADDRESS__)
#define ISB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ISB_ASAN 1
#endif
#endif

#define ISB_MAGIC	0x45574953u	/* "EWIS" */
#define ISB_FD		3		/* the worker's socket after setup */

struct isb_req {
	uint32_t magic, flags;
	uint64_t len;
	uint64_t max_pixels;
	uint32_t max_width, max_height, max_ms, pad;
};

struct isb_resp {
	uint32_t magic;
	int32_t status;
	uint32_t format, width, height;
	int32_t quality;
	uint8_t hash[PDQ_DIH_MAX][PDQ_HASH_BYTES];
	char msg[sizeof(((struct image_error *)0)->msg)];
};

struct imgsandbox {
	struct imgsandbox_conf conf;
	int fd;			/* agent end of the socketpair, -1 if none */
	pid_t pid;		/* worker, 0 if none */
	uint32_t worker_jobs;	/* images handled by the current worker */
	struct imgsandbox_stats st;
};

/* ---- worker ------------------------------------------------------------ */

static int full_read(int fd, void *p, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t r = read(fd, (char *)p + off, n - off);

		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

static int full_write(int fd, const void *p, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t r = write(fd, (const char *)p + off, n - off);

		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

#ifdef EW_TESTING
static void test_hooks(unsigned flags)
{
	if (flags & IMGSANDBOX_T_CRASH)
		__builtin_trap();	/* SIGILL, like a decoder gone wild */
	if (flags & IMGSANDBOX_T_SYSCALL)
		syscall(SYS_getpid);
	while (flags & IMGSANDBOX_T_HANG)
		__asm__ volatile("" ::: "memory");
}
#endif

/* Decodes and hashes one image into rs. */
static void worker_job(const struct isb_req *rq, const uint8_t *buf, struct isb_resp *rs)
{
	struct image_limits lim = { rq->max_width, rq->max_height, rq->max_pixels, rq->max_ms,
				    NULL };
	struct image_error err;
	struct image img;
	struct pdq_hash h[PDQ_DIH_MAX];
	struct pdq_pixels px;
	int ret;

#ifdef EW_TESTING
	test_hooks(rq->flags);
#endif
	memset(rs, 0, sizeof(*rs));
	rs->magic = ISB_MAGIC;
	ret = image_decode(buf, rq->len, &lim, &img, &err);
	rs->format = img.format;
	if (ret) {
		rs->status = ret;
		memcpy(rs->msg, err.msg, sizeof(rs->msg));
		return;
	}
	px = (struct pdq_pixels){ img.pix, img.width, img.height, img.channels,
				  (size_t)img.width * img.channels };
	memset(h, 0, sizeof(h));
	if (rq->flags & IMGSANDBOX_DIHEDRAL)
		ret = pdq_hash_dihedral(&px, h, &rs->quality);
	else
		ret = pdq_hash(&px, &h[PDQ_ORIG], &rs->quality);
	rs->status = ret;
	/* No strerror here: a translated message could open a catalogue. */
	if (ret)
		snprintf(rs->msg, sizeof(rs->msg), "pdq: %s",
			 ret == -ENOMEM ? "out of memory" : "invalid pixels");
	rs->width = img.width;
	rs->height = img.height;
	memcpy(rs->hash, h, sizeof(rs->hash));
	image_free(&img);
}

static void __attribute__((noreturn)) worker_loop(size_t max_input)
{
	struct isb_req rq;
	struct isb_resp rs;

	while (!full_read(ISB_FD, &rq, sizeof(rq))) {
		uint8_t *buf;

		if (rq.magic != ISB_MAGIC || rq.len > max_input)
			break;
		buf = malloc(rq.len ? rq.len : 1);
		if (!buf || full_read(ISB_FD, buf, rq.len))
			break;
		worker_job(&rq, buf, &rs);
		free(buf);
		if (full_write(ISB_FD, &rs, sizeof(rs)))
			break;
	}
	_exit(0);	/* not exit(): no atexit handlers (LSan) under seccomp */
}

/* Core dumps off (they would hold untrusted content), CPU and memory capped. */
static int worker_rlimits(const struct imgsandbox_conf *c)
{
	struct rlimit core = { 0, 0 };
	struct rlimit cpu = { c->cpu_seconds, c->cpu_seconds + 1 };
	struct rlimit as = { c->mem_bytes, c->mem_bytes };

	if (setrlimit(RLIMIT_CORE, &core) || setrlimit(RLIMIT_CPU, &cpu))
		return -errno;
#ifndef ISB_ASAN
	/* ASan reserves terabytes of shadow address space; the sanitizer
	 * builds rely on the decoders' pixel limits instead. */
	if (setrlimit(RLIMIT_AS, &as))
		return -errno;
#else
	(void)as;
#endif
	return 0;
}

/* The allowlist: read on the socket, write on the socket and stderr
 * (sanitizer reports), memory management without PROT_EXEC, the clock,
 * exit; opening a file fails with EACCES. Anything else kills the worker
 * with SIGSYS. */
static int worker_seccomp(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int err = 0;

	if (!ctx)
		return -ENOMEM;
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1, SCMP_A0(SCMP_CMP_EQ, ISB_FD));
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, ISB_FD));
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, 2));
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(munmap), 0);
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(brk), 0);
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mremap), 0);
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(madvise), 0);
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clock_gettime), 0);
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigreturn), 0);
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit), 0);
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0);
	/* Refused, not fatal: glibc's malloc reads
	 * /proc/sys/vm/overcommit_memory before it shrinks a thread arena's
	 * heap, which a worker forked from an inspection thread uses; a
	 * failed open only keeps the heap from shrinking. */
	err |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0);
	err |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 0);
#ifdef ISB_ASAN
	/* The sanitizer runtime's own bookkeeping (test builds only). */
	err |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sigaltstack), 0);
#endif
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err ? -EPERM : 0;
}

/* In the child after fork: keep only the socket (as fd 3) and stderr, die
 * with the agent, limit, confine, serve. Never returns. */
static void __attribute__((noreturn)) worker_main(int fd, pid_t parent,
						  const struct imgsandbox_conf *c)
{
	sigset_t all;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
	/* The agent's handlers and mask are not the worker's: a fault must
	 * kill it plainly, and SIGXCPU must be deliverable. */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	prctl(PR_SET_DUMPABLE, 0);
	if (fd != ISB_FD && dup2(fd, ISB_FD) != ISB_FD)
		_exit(1);
	close(0);
	close(1);
	if (syscall(SYS_close_range, ISB_FD + 1, ~0u, 0))
		_exit(1);
	if (worker_rlimits(c) || worker_seccomp())
		_exit(1);
	worker_loop(c->max_input);
}

/* ---- agent ------------------------------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int spawn(struct imgsandbox *sb)
{
	pid_t parent = getpid(), pid;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0) {
		close(sv[0]);
		worker_main(sv[1], parent, &sb->conf);
	}
	close(sv[1]);
	sb->fd = sv[0];
	sb->pid = pid;
	sb->worker_jobs = 0;
	sb->st.spawns++;
	return 0;
}

/* Kills and reaps the worker; describes how it ended in why. */
static void reap(struct imgsandbox *sb, char *why, size_t n)
{
	int status = 0;

	if (sb->fd >= 0)
		close(sb->fd);
	sb->fd = -1;
	if (!sb->pid)
		return;
	kill(sb->pid, SIGKILL);
	while (waitpid(sb->pid, &status, 0) < 0 && errno == EINTR)
		;
	sb->pid = 0;
	if (!why)
		return;
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *abbrev = sigabbrev_np(sig);

		snprintf(why, n, "killed by SIG%s%s", abbrev ? abbrev : "?",
			 sig == SIGSYS ? " (seccomp: forbidden system call)" :
			 sig == SIGXCPU ? " (CPU time limit)" : "");
	} else {
		snprintf(why, n, "exited with status %d", WEXITSTATUS(status));
	}
}

/* Moves n bytes to (out=true) or from the worker before deadline. Returns
 * 0, -ETIME, or -EPIPE when the worker has gone. */
static int xfer(struct imgsandbox *sb, void *p, size_t n, bool out, uint64_t deadline)
{
	for (size_t off = 0; off < n;) {
		struct pollfd pfd = { sb->fd, out ? POLLOUT : POLLIN, 0 };
		uint64_t now = now_ms();
		ssize_t r;

		if (now >= deadline)
			return -ETIME;
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno != EINTR)
			return -EPIPE;
		if (r <= 0)
			continue;
		if (out)
			r = send(sb->fd, (char *)p + off, n - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		else
			r = recv(sb->fd, (char *)p + off, n - off, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			return -EPIPE;
		if (r > 0)
			off += (size_t)r;
	}
	return 0;
}

static void conf_fill(struct imgsandbox_conf *c, const struct imgsandbox_conf *in)
{
	memset(c, 0, sizeof(*c));
	if (in)
		*c = *in;
	c->limits.clock_ms = NULL;
	c->timeout_ms = c->timeout_ms ? c->timeout_ms : IMGSANDBOX_DEF_TIMEOUT_MS;
	c->mem_bytes = c->mem_bytes ? c->mem_bytes : IMGSANDBOX_DEF_MEM;
	c->cpu_seconds = c->cpu_seconds ? c->cpu_seconds : IMGSANDBOX_DEF_CPU_S;
	c->max_jobs = c->max_jobs ? c->max_jobs : IMGSANDBOX_DEF_MAX_JOBS;
	c->max_input = c->max_input ? c->max_input : IMGSANDBOX_DEF_MAX_INPUT;
}

struct imgsandbox *imgsandbox_new(const struct imgsandbox_conf *conf)
{
	struct imgsandbox *sb = calloc(1, sizeof(*sb));

	if (!sb)
		return NULL;
	conf_fill(&sb->conf, conf);
	sb->fd = -1;
	return sb;
}

/* One request/response exchange with a running worker. */
static int exchange(struct imgsandbox *sb, const void *buf, size_t len, unsigned flags,
		    struct isb_resp *rs)
{
	const struct image_limits *l = &sb->conf.limits;
	struct isb_req rq = { ISB_MAGIC, flags, len, l->max_pixels, l->max_width, l->max_height,
			      l->max_ms, 0 };
	uint64_t deadline = now_ms() + sb->conf.timeout_ms;

	return xfer(sb, &rq, sizeof(rq), true, deadline) ?:
	       xfer(sb, (void *)buf, len, true, deadline) ?:
	       xfer(sb, rs, sizeof(*rs), false, deadline);
}

/* The worker died or overran: reap it, say why, start a fresh one. */
static int worker_failed(struct imgsandbox *sb, int ret, struct imgsandbox_result *res)
{
	char why[128];
	pid_t old = sb->pid;
	int err;

	reap(sb, why, sizeof(why));
	if (ret == -EPROTO) {
		sb->st.crashes++;
		snprintf(res->reason, sizeof(res->reason),
			 "image worker sent a malformed response");
		ret = -ECHILD;
	} else if (ret == -ETIME) {
		sb->st.timeouts++;
		snprintf(res->reason, sizeof(res->reason),
			 "image worker timed out after %u ms and was killed", sb->conf.timeout_ms);
	} else {
		sb->st.crashes++;
		snprintf(res->reason, sizeof(res->reason), "image worker died: %s", why);
		ret = -ECHILD;
	}
	ew_warn("image worker %d: %s; restarting", (int)old, res->reason);
	err = spawn(sb);
	if (err)
		ew_warn("couldn't restart the image worker: %s", strerror(-err));
	return ret;
}

static int take_response(struct imgsandbox *sb, const struct isb_resp *rs,
			 struct imgsandbox_result *res)
{
	if (rs->magic != ISB_MAGIC || rs->status > 0 || rs->status < -4095 ||
	    rs->format >= IMAGE_FORMAT_MAX)
		return worker_failed(sb, -EPROTO, res);
	res->format = rs->format;
	if (rs->status) {
		sb->st.undecodable++;
		snprintf(res->reason, sizeof(res->reason), "%.*s", (int)sizeof(rs->msg) - 1,
			 rs->msg);
		return rs->status;
	}
	sb->st.hashed++;
	res->width = rs->width;
	res->height = rs->height;
	res->quality = rs->quality;
	memcpy(res->hash, rs->hash, sizeof(res->hash));
	return 0;
}

int imgsandbox_hash(struct imgsandbox *sb, const void *buf, size_t len, unsigned flags,
		    struct imgsandbox_result *res)
{
	struct isb_resp rs;
	int ret;

	memset(res, 0, sizeof(*res));
	res->format = image_sniff(buf, len);
	sb->st.jobs++;
	if (len > sb->conf.max_input) {
		sb->st.undecodable++;
		snprintf(res->reason, sizeof(res->reason), "%zu bytes is over the %zu byte limit",
			 len, sb->conf.max_input);
		return -EFBIG;
	}
	ret = sb->pid ? 0 : spawn(sb);
	if (ret) {
		snprintf(res->reason, sizeof(res->reason), "couldn't start the image worker: %s",
			 strerror(-ret));
		return -EAGAIN;
	}
	ret = exchange(sb, buf, len, flags, &rs);
	if (ret)
		return worker_failed(sb, ret, res);
	ret = take_response(sb, &rs, res);
	/* Recycle a worker that has served its quota (bounds RLIMIT_CPU use
	 * and whatever a decoder may have leaked). */
	if (sb->pid && ++sb->worker_jobs >= sb->conf.max_jobs)
		reap(sb, NULL, 0);
	return ret;
}

void imgsandbox_stats(const struct imgsandbox *sb, struct imgsandbox_stats *st)
{
	*st = sb->st;
}

int imgsandbox_pid(const struct imgsandbox *sb)
{
	return (int)sb->pid;
}

void imgsandbox_free(struct imgsandbox *sb)
{
	if (!sb)
		return;
	reap(sb, NULL, 0);
	free(sb);
}
