/* SPDX-License-Identifier: GPL-2.0 */
/* The agent's settings the programs read (EW_MAP_CONFIG), mapped into
 * memory: each writer stores only its own fields, atomically, so the
 * heartbeat of `edgeward run` and the steering flags of the proxy (maybe
 * another process) never overwrite each other. */
#ifndef EW_CONFIG_H
#define EW_CONFIG_H

#include "ew_abi.h"

struct config;

/* Maps the pinned EW_MAP_CONFIG read-write. Returns a handle the caller
 * frees with config_close, or NULL with errno set (ENOENT: not pinned). */
struct config *config_open(void);

/* Unmaps. The settings stay in the map. */
void config_close(struct config *c);

/* Stores every field of v but the steering flags, which keep their value
 * (change them with config_flags). For the agent's start. */
void config_store(struct config *c, const struct ew_config *v);

/* Stores the heartbeat alone (0: stale at once, for a clean stop). */
void config_beat(struct config *c, __u64 now_ns);

/* Sets the EW_STEER_* bits in set, then clears those in clear, in one
 * atomic step. Returns the flags as they were before. */
__u32 config_flags(struct config *c, __u32 set, __u32 clear);

/* A copy of the current settings. */
void config_read(const struct config *c, struct ew_config *out);

#endif
