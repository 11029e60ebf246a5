/* SPDX-License-Identifier: GPL-2.0 */
/* Loading the kernel side: bpffs, the pinned maps under loader_pin_dir() and the
 * two programs (XDP ingress, TC ingress). The only stage that includes the
 * libbpf skeletons; attach.c hooks the loaded programs to interfaces. */
#ifndef EW_LOADER_H
#define EW_LOADER_H

struct loader;

/* Routes libbpf's messages through log.h, one level lower than libbpf rates
 * them (its warnings, the verifier log among them, become info). Call once
 * before any other libbpf use; loader_load does. */
void loader_log_init(void);

/* The pin directory: $EDGEWARD_PIN_DIR if set (so tests can run side by
 * side; it must lie in bpffs), else EW_PIN_DIR. */
const char *loader_pin_dir(void);

/* Mounts bpffs on /sys/fs/bpf if something else (or nothing) is mounted
 * there, and creates loader_pin_dir(). Returns 0 or -errno. */
int loader_bpffs_mount(void);

/* Makes sure every map edgeward uses is pinned under loader_pin_dir(), creating
 * missing ones (without loading programs) and discarding pins of another
 * layout or ABI version with a log line. Returns 0 or -errno. */
int loader_maps_pin(void);

/* Opens the pinned map called name (EW_MAP_*). Returns an fd the caller
 * closes, or -errno (-ENOENT: not pinned). */
int loader_map_open(const char *name);

/* Opens and loads both programs, reusing pinned maps whose layout matches and
 * discarding the others (logged). A verifier rejection prints the verifier
 * log (through log.h) and a one-line reason. Returns a loader the caller
 * frees with loader_free, or NULL with errno set. */
struct loader *loader_load(void);

/* Program fds, owned by the loader (valid until loader_free). */
int loader_xdp_fd(const struct loader *l);
int loader_tc_fd(const struct loader *l);

/* Closes the loader's fds. Pinned maps and attached programs stay. */
void loader_free(struct loader *l);

#endif
