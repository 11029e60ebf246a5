/* SPDX-License-Identifier: GPL-2.0 */
/* confine: a seccomp filter for the agent's inspection workers (the engine
 * threads that parse subscriber traffic). They only compute: memory, the
 * clock, futexes, the image sandbox's socket and process (fork, reap), and
 * what tap-mode enforcement does from a worker: map updates (the flow's
 * verdict) and sends on the raw socket. Anything else fails with EPERM: a parser bug cannot open a file,
 * a socket or a program, and the agent keeps running. Per thread (no
 * TSYNC): the agent's main thread keeps what it needs. docs/operations.md. */
#ifndef EW_AGENT_CONFINE_H
#define EW_AGENT_CONFINE_H

/* Installs the filter on the calling thread. The engine's thread_start
 * hook (ctx unused). Failure is printed and leaves the thread as it was. */
void confine_worker(void *ctx);

#endif
