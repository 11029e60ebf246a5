/* SPDX-License-Identifier: GPL-2.0 */
/* imgsandbox: decodes and PDQ-hashes untrusted images in a worker process
 * under seccomp and rlimits, so a decoder fault or hang costs one image, not
 * the agent. Sits between the object sink (image bodies) and the PDQ
 * matchers; `edgeward hash` uses it too. Design: docs/images.md.
 *
 *   agent ──socketpair── worker (fork, rlimits, seccomp: read/write on
 *          request ──▶        its socket, memory calls, exit)
 *          ◀── result         image_decode ─▶ pdq_hash[_dihedral]
 */
#ifndef EW_IMGSANDBOX_H
#define EW_IMGSANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "pdq.h"

/* Zero fields take the defaults below. */
struct imgsandbox_conf {
	struct image_limits limits;	/* decode limits (clock_ms is ignored) */
	uint32_t timeout_ms;		/* wall clock per image, transfer included */
	uint64_t mem_bytes;		/* worker address space (RLIMIT_AS) */
	uint32_t cpu_seconds;		/* worker CPU over its life (RLIMIT_CPU) */
	uint32_t max_jobs;		/* images before the worker is recycled */
	size_t max_input;		/* largest image accepted, bytes */
};

#define IMGSANDBOX_DEF_TIMEOUT_MS	5000u
#define IMGSANDBOX_DEF_MEM		(1ull << 30)
#define IMGSANDBOX_DEF_CPU_S		60u
#define IMGSANDBOX_DEF_MAX_JOBS		256u
#define IMGSANDBOX_DEF_MAX_INPUT	(64u << 20)

/* imgsandbox_hash flags */
#define IMGSANDBOX_DIHEDRAL	0x1u	/* all eight dihedral hashes */
#ifdef EW_TESTING
#define IMGSANDBOX_T_CRASH	0x100u	/* worker dies of SIGILL */
#define IMGSANDBOX_T_HANG	0x200u	/* worker spins until killed */
#define IMGSANDBOX_T_SYSCALL	0x400u	/* worker calls getpid (not allowed) */
#endif

struct imgsandbox_result {
	enum image_format format;	/* sniffed, even when decoding failed */
	uint32_t width, height;		/* decoded size (0 on failure) */
	int quality;			/* PDQ quality 0..100 */
	struct pdq_hash hash[PDQ_DIH_MAX];	/* [PDQ_ORIG]; all 8 with DIHEDRAL */
	char reason[200];		/* why it failed, "" on success */
};

struct imgsandbox_stats {
	uint64_t jobs, hashed, undecodable, crashes, timeouts, spawns;
};

struct imgsandbox;

/* Creates a sandbox with conf (NULL: defaults). The worker is forked on the
 * first image: call from the thread that will use the sandbox, and note a
 * fork of a multithreaded process (docs/images.md). Returns NULL and sets
 * errno (ENOMEM). The caller owns the result (imgsandbox_free). */
struct imgsandbox *imgsandbox_new(const struct imgsandbox_conf *conf);

/* Decodes buf in the worker and hashes it. Returns 0 with res filled, or a
 * -errno with res->reason saying why:
 *   -ENOTSUP, -EBADMSG, -EFBIG, -ETIMEDOUT, -ENOMEM  from image_decode
 *   -EFBIG      larger than max_input (never sent)
 *   -ECHILD     the worker died (signal, seccomp, rlimit); it is restarted
 *   -ETIME      the worker overran timeout_ms; killed and restarted
 *   -EAGAIN     the worker could not be started (fork/socketpair failed)
 * Never crashes or blocks past timeout_ms on account of the image. */
int imgsandbox_hash(struct imgsandbox *sb, const void *buf, size_t len, unsigned flags,
		    struct imgsandbox_result *res);

/* Counters since imgsandbox_new. */
void imgsandbox_stats(const struct imgsandbox *sb, struct imgsandbox_stats *st);

/* The worker's pid, 0 when none is running (tests use it). */
int imgsandbox_pid(const struct imgsandbox *sb);

/* Stops the worker and frees sb (NULL is allowed). */
void imgsandbox_free(struct imgsandbox *sb);

#endif
