// SPDX-License-Identifier: GPL-2.0
/* confine: the inspection workers' seccomp allowlist (libseccomp). */
#include <errno.h>
#include <linux/bpf.h>
#include <seccomp.h>
#include <string.h>

#include "confine.h"
#include "log/log.h"

/* Memory, time, threads, the image sandbox (socketpair, fork, send, poll,
 * recv, reap; the child sets itself up with these too before its own,
 * stricter filter), and in tap mode the resets (sendto on a raw socket
 * opened before). */
static const int allowed[] = {
	SCMP_SYS(read),		 SCMP_SYS(write),	  SCMP_SYS(close),
	SCMP_SYS(mmap),		 SCMP_SYS(munmap),	  SCMP_SYS(mremap),
	SCMP_SYS(mprotect),	 SCMP_SYS(madvise),	  SCMP_SYS(brk),
	SCMP_SYS(futex),	 SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),	 SCMP_SYS(gettid),	  SCMP_SYS(getpid),
	SCMP_SYS(sched_yield),	 SCMP_SYS(rseq),	  SCMP_SYS(set_robust_list),
	SCMP_SYS(restart_syscall), SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigaction),	 SCMP_SYS(exit),	  SCMP_SYS(exit_group),
	SCMP_SYS(socketpair),	 SCMP_SYS(sendto),	  SCMP_SYS(recvfrom),
	SCMP_SYS(sendmsg),	 SCMP_SYS(recvmsg),	  SCMP_SYS(poll),
	SCMP_SYS(ppoll),	 SCMP_SYS(fcntl),	  SCMP_SYS(clone),
	SCMP_SYS(clone3),	 SCMP_SYS(fork),	  SCMP_SYS(wait4),
	SCMP_SYS(kill),		 SCMP_SYS(getppid),	  SCMP_SYS(prctl),
	SCMP_SYS(dup2),		 SCMP_SYS(dup3),	  SCMP_SYS(close_range),
	SCMP_SYS(setrlimit),	 SCMP_SYS(prlimit64),	  SCMP_SYS(seccomp),
	SCMP_SYS(getrandom),	 SCMP_SYS(sigaltstack),	  SCMP_SYS(tgkill),
};

void confine_worker(void *ctx)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int err = f ? 0 : -ENOMEM;

	(void)ctx;
	for (size_t i = 0; !err && i < sizeof(allowed) / sizeof(*allowed); i++)
		err = seccomp_rule_add(f, SCMP_ACT_ALLOW, allowed[i], 0);
	/* tap mode: a match writes the flow's BLOCK verdict from the worker */
	if (!err)
		err = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(bpf), 1,
				       SCMP_A0(SCMP_CMP_EQ, BPF_MAP_UPDATE_ELEM));
	/* ... and, without a policy, a QUIC name nDPI read is looked up in
	 * the domain tables (namewatch_seen) */
	if (!err)
		err = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(bpf), 1,
				       SCMP_A0(SCMP_CMP_EQ, BPF_MAP_LOOKUP_ELEM));
	if (!err)
		err = seccomp_load(f);
	seccomp_release(f);
	if (err)
		ew_warn("couldn't confine an inspection worker with seccomp: %s", strerror(-err));
}
