// SPDX-License-Identifier: GPL-2.0
/* The kernel side, loaded: bpffs, pinned maps (reused across agent restarts,
 * discarded when their layout changed) and the XDP and TC programs from the
 * generated skeletons. First stage of the agent; attach.c comes next. */
#include <dirent.h>
#include <errno.h>
#include <mntent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "ew_abi.h"
#include "ew_tc.skel.h"
#include "ew_xdp.skel.h"
#include "loader.h"
#include "log/log.h"

#define BPFFS_ROOT "/sys/fs/bpf"

struct loader {
	struct ew_xdp *xdp;
	struct ew_tc *tc;
};

/* libbpf's messages, one level lower than libbpf rates them: its warnings
 * (the verifier log among them) are our info, its debug output is dropped
 * unless -v. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static const enum ew_log_level map[] = {
		[LIBBPF_WARN] = EW_LOG_INFO,
		[LIBBPF_INFO] = EW_LOG_DEBUG,
		[LIBBPF_DEBUG] = EW_LOG_DEBUG,
	};
	char *msg = NULL;
	int n;

	if (level == LIBBPF_DEBUG || map[level] > log_get_level())
		return 0;
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		return 0;
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	/* Netlink's reason for a failed query: the caller reports the errno. */
	if (strstr(msg, "Kernel error message"))
		level = LIBBPF_DEBUG;
	if (map[level] <= log_get_level())
		log_msg(map[level], "%s", msg);
	free(msg);
	return n;
}

const char *loader_pin_dir(void)
{
	const char *dir = getenv("EDGEWARD_PIN_DIR");

	return dir && *dir ? dir : EW_PIN_DIR;
}

/* 1 if /sys looks remounted by `ip netns exec` (it names the sysfs mount
 * after the namespace), which hides the host's bpffs. */
static int sys_remounted(void)
{
	FILE *f = setmntent("/proc/self/mounts", "r");
	struct mntent *m;
	int remounted = 0;

	if (!f)
		return 0;
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_dir, "/sys") && !strcmp(m->mnt_type, "sysfs"))
			remounted = strcmp(m->mnt_fsname, "sysfs") != 0;
	endmntent(f);
	return remounted;
}

int loader_bpffs_mount(void)
{
	struct statfs fs;

	if (statfs(BPFFS_ROOT, &fs) || fs.f_type != BPF_FS_MAGIC) {
		if (sys_remounted())
			ew_warn("no bpffs on %s in this mount namespace: pins made now vanish when "
				"edgeward exits and programs detach with them (under 'ip netns "
				"exec'? use 'nsenter --net=/run/netns/NS' instead)",
				BPFFS_ROOT);
		if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700")) {
			ew_err("couldn't mount bpffs on '%s': %s", BPFFS_ROOT, strerror(errno));
			return -errno;
		}
		ew_info("mounted bpffs on %s", BPFFS_ROOT);
	}
	if (mkdir(loader_pin_dir(), 0700) && errno != EEXIST) {
		ew_err("couldn't create '%s': %s", loader_pin_dir(), strerror(errno));
		return -errno;
	}
	return 0;
}

int loader_map_open(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", loader_pin_dir(), name);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

/* 1 if the pinned map fd has the shape libbpf would create for map. */
static int same_layout(int fd, const struct bpf_map *map)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.type == bpf_map__type(map) && info.key_size == bpf_map__key_size(map) &&
	       info.value_size == bpf_map__value_size(map) &&
	       info.max_entries == bpf_map__max_entries(map) &&
	       info.map_flags == bpf_map__map_flags(map);
}

/* Pins whose layout differs make libbpf fail with "parameter mismatch":
 * discard them, loudly, so an upgrade never wedges. */
static void drop_mismatched(struct bpf_object *obj)
{
	struct bpf_map *map;
	char path[256];
	int fd;

	bpf_object__for_each_map(map, obj)
	{
		if (bpf_map__pin_path(map) == NULL)
			continue;
		snprintf(path, sizeof(path), "%s", bpf_map__pin_path(map));
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!same_layout(fd, map)) {
			ew_warn("discarding pinned map '%s': its layout differs from this "
				"edgeward's (contents lost)",
				path);
			unlink(path);
		}
		close(fd);
	}
}

/* The version this build gives the noun of a pinned map name (its first
 * noun_len bytes, "ew_config" of "ew_config_v1"): the one in the name of
 * its map of that noun (ew_config_v2), else EW_MAP_VERSION. */
static unsigned int build_version(const struct loader *l, const char *name, size_t noun_len)
{
	struct bpf_object *objs[] = {l->xdp->obj, l->tc->obj};
	const struct bpf_map *map;
	unsigned int v;

	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		bpf_object__for_each_map(map, objs[i])
		{
			const char *n = bpf_map__name(map);

			if (strlen(n) > noun_len && !strncmp(n, name, noun_len) &&
			    sscanf(n + noun_len, "_v%u", &v) == 1)
				return v;
		}
	}
	return EW_MAP_VERSION;
}

/* Pinned maps named ew_<noun>_v<N> where this build's map of that noun has
 * another version (an upgrade, or a downgrade). */
static void drop_old_versions(const struct loader *l)
{
	struct dirent *de;
	unsigned int v, want;
	char path[512];
	DIR *d;
	int pos;

	d = opendir(loader_pin_dir());
	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *tail = strrchr(de->d_name, '_');

		pos = 0;
		if (strncmp(de->d_name, "ew_", 3) || !tail ||
		    sscanf(tail, "_v%u%n", &v, &pos) != 1 || tail[pos])
			continue;
		want = build_version(l, de->d_name, (size_t)(tail - de->d_name));
		if (v == want)
			continue;
		snprintf(path, sizeof(path), "%s/%s", loader_pin_dir(), de->d_name);
		ew_warn("discarding pinned map '%s' of ABI version %u (this edgeward uses v%u)",
			path, v, want);
		unlink(path);
	}
	closedir(d);
}

/* Pins of layouts this edgeward replaced under new names (EW_MAP_RETIRED:
 * the blocked-prefix LPM tries, then the prefix hashes, before the dense
 * prefix tables). Their contents are not migrated: the blocklist is
 * reloaded from its lists. */
static void drop_retired(void)
{
	static const char *const retired[] = EW_MAP_RETIRED;
	char path[512];

	for (size_t i = 0; i < sizeof(retired) / sizeof(retired[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", loader_pin_dir(), retired[i]);
		if (access(path, F_OK))
			continue;
		ew_warn("discarding pinned map '%s' of an earlier layout (replaced by the "
			"prefix tables; its prefixes are not carried over: load the blocklist "
			"again)",
			path);
		unlink(path);
	}
}

static int load_obj(struct bpf_object *obj, const char *what)
{
	int err;

	drop_mismatched(obj);
	err = bpf_object__load(obj);
	if (err)
		ew_err("couldn't load %s: %s%s", what, strerror(-err),
		       err == -EACCES || err == -EINVAL
			       ? " (the verifier rejected it; its log is above)"
			       : "");
	return err;
}

void loader_log_init(void)
{
	libbpf_set_print(libbpf_print);
}

/* Opens both skeletons with maps pinned by name in the pin directory. */
static int open_skels(struct loader *l)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = loader_pin_dir());

	loader_log_init();
	l->xdp = ew_xdp__open_opts(&opts);
	if (!l->xdp) {
		ew_err("couldn't open XDP program 'ew_xdp': %s", strerror(errno));
		return -errno;
	}
	l->tc = ew_tc__open_opts(&opts);
	if (!l->tc) {
		ew_err("couldn't open TC program 'ew_tc': %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int load_skels(struct loader *l, int with_progs)
{
	struct bpf_program *p;
	int err;

	err = open_skels(l);
	if (err)
		return err;
	if (!with_progs) {
		bpf_object__for_each_program(p, l->xdp->obj) bpf_program__set_autoload(p, false);
		bpf_object__for_each_program(p, l->tc->obj) bpf_program__set_autoload(p, false);
	}
	drop_old_versions(l);
	drop_retired();
	err = load_obj(l->xdp->obj, "XDP program 'ew_xdp_ingress'");
	if (!err)
		err = load_obj(l->tc->obj, "TC program 'ew_tc_ingress'");
	return err;
}

struct loader *loader_load(void)
{
	struct loader *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return NULL;
	err = loader_bpffs_mount();
	if (!err)
		err = load_skels(l, 1);
	if (err) {
		loader_free(l);
		errno = -err;
		return NULL;
	}
	return l;
}

int loader_maps_pin(void)
{
	struct loader l = {};
	int err;

	err = loader_bpffs_mount();
	if (!err)
		err = load_skels(&l, 0);
	ew_tc__destroy(l.tc);
	ew_xdp__destroy(l.xdp);
	return err;
}

int loader_xdp_fd(const struct loader *l)
{
	return bpf_program__fd(l->xdp->progs.ew_xdp_ingress);
}

int loader_tc_fd(const struct loader *l)
{
	return bpf_program__fd(l->tc->progs.ew_tc_ingress);
}

void loader_free(struct loader *l)
{
	if (!l)
		return;
	ew_tc__destroy(l->tc);
	ew_xdp__destroy(l->xdp);
	free(l);
}
