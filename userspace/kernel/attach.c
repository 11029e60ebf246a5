// SPDX-License-Identifier: GPL-2.0
/* Attaching the loaded programs (loader.c) to interfaces and removing them.
 * XDP uses a bpf_link pinned in links/, so enforcement outlives the
 * agent and a restart swaps the program in place with bpf_link_update. */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "attach.h"
#include "ew_abi.h"
#include "loader.h"
#include "log/log.h"

static void rec_path(char *buf, size_t size, const char *kind, const char *ifname)
{
	snprintf(buf, size, "%s/links/%s_%s", loader_pin_dir(), kind, ifname);
}

static int iface_index(const char *ifname, const char *what)
{
	unsigned int idx = if_nametoindex(ifname);

	if (!idx) {
		ew_err("couldn't attach %s program to '%s': %s", what, ifname, strerror(errno));
		return -errno;
	}
	return (int)idx;
}

static int pin_fd(int fd, const char *path)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s/links", loader_pin_dir());
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	unlink(path);
	return bpf_obj_pin(fd, path) ? -errno : 0;
}

/* The pinned link, if still alive, gets the new program. Returns 0 when
 * updated, -ENOENT when there is nothing (usable) to update. */
static int xdp_update(int prog_fd, const char *path)
{
	int fd = bpf_obj_get(path), err = 0;

	if (fd < 0)
		return -ENOENT;
	if (bpf_link_update(fd, prog_fd, NULL)) {
		err = -errno;
		/* ENOLINK: the interface went away; start afresh. */
		if (err == -ENOLINK)
			unlink(path);
	}
	close(fd);
	return err == -ENOLINK ? -ENOENT : err;
}

static int xdp_link(int prog_fd, int ifindex, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

static int xdp_new(int prog_fd, int ifindex, const char *ifname, enum attach_xdp_mode mode)
{
	int fd;

	if (mode == ATTACH_XDP_GENERIC)
		return xdp_link(prog_fd, ifindex, XDP_FLAGS_SKB_MODE);
	fd = xdp_link(prog_fd, ifindex, XDP_FLAGS_DRV_MODE);
	if (fd >= 0 || mode == ATTACH_XDP_NATIVE || fd == -EBUSY)
		return fd;
	ew_info("native XDP unavailable on '%s' (%s); using generic mode", ifname, strerror(-fd));
	return xdp_link(prog_fd, ifindex, XDP_FLAGS_SKB_MODE);
}

int attach_xdp(int prog_fd, const char *ifname, enum attach_xdp_mode mode, bool *created)
{
	char path[256];
	int ifindex, fd, err;

	*created = false;
	ifindex = iface_index(ifname, "XDP");
	if (ifindex < 0)
		return ifindex;
	rec_path(path, sizeof(path), "xdp", ifname);
	err = xdp_update(prog_fd, path);
	if (!err && mode != ATTACH_XDP_AUTO)
		ew_info("XDP on '%s' updated in place, in the mode it had (to change it, 'edgeward "
			"detach --iface %s' first)",
			ifname, ifname);
	if (err != -ENOENT)
		goto out;
	fd = xdp_new(prog_fd, ifindex, ifname, mode);
	if (fd < 0) {
		err = fd;
		goto out;
	}
	err = pin_fd(fd, path);
	close(fd); /* unpinned, this detaches again */
	*created = !err;
out:
	if (err)
		ew_err("couldn't attach XDP program to '%s': %s%s", ifname, strerror(-err),
		       err == -EBUSY ? " (another XDP program is attached)" : "");
	return err;
}

static void tc_init(struct bpf_tc_hook *hook, struct bpf_tc_opts *opts, int ifindex)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = BPF_TC_INGRESS;
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->handle = EW_TC_HANDLE;
	opts->priority = EW_TC_PRIO;
}

/* Deleting the clsact qdisc takes ingress and egress hooks together. */
static void tc_qdisc_destroy(struct bpf_tc_hook *hook)
{
	hook->attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	bpf_tc_hook_destroy(hook);
	hook->attach_point = BPF_TC_INGRESS;
}

static int tc_record(int prog_fd, const char *ifname, bool own_qdisc)
{
	char path[256];
	int err;

	rec_path(path, sizeof(path), "tc", ifname);
	err = pin_fd(prog_fd, path);
	if (!err && own_qdisc) {
		rec_path(path, sizeof(path), "clsact", ifname);
		err = pin_fd(prog_fd, path);
	}
	return err;
}

int attach_tc(int prog_fd, const char *ifname, bool *created)
{
	char path[256];
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	bool own_qdisc;
	int ifindex, err;

	*created = false;
	ifindex = iface_index(ifname, "TC");
	if (ifindex < 0)
		return ifindex;
	tc_init(&hook, &opts, ifindex);
	err = bpf_tc_hook_create(&hook);
	own_qdisc = !err;
	if (err && err != -EEXIST)
		goto out;
	rec_path(path, sizeof(path), "tc", ifname);
	*created = access(path, F_OK) != 0;
	opts.prog_fd = prog_fd;
	opts.flags = BPF_TC_F_REPLACE;
	err = bpf_tc_attach(&hook, &opts);
	if (!err)
		err = tc_record(prog_fd, ifname, own_qdisc);
	if (err && own_qdisc)
		tc_qdisc_destroy(&hook);
out:
	if (err) {
		*created = false;
		ew_err("couldn't attach TC program to '%s' ingress: %s", ifname, strerror(-err));
	}
	return err;
}

int attach_xdp_remove(const char *ifname)
{
	char path[256];
	int fd, err = 0;

	rec_path(path, sizeof(path), "xdp", ifname);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* Detach even if a running agent still holds the link open. */
	if (bpf_link_detach(fd) && errno != ENOLINK && errno != EINVAL)
		err = -errno;
	close(fd);
	if (!err && unlink(path))
		err = -errno;
	if (err)
		ew_err("couldn't detach XDP program from '%s': %s", ifname, strerror(-err));
	return err ? err : 1;
}

static int unlink_rec(const char *kind, const char *ifname)
{
	char path[256];

	rec_path(path, sizeof(path), kind, ifname);
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

/* Our filter (handle/priority), and the qdisc if we created it. A filter
 * already gone (interface recreated, someone's tc command) is fine. */
static int tc_detach(const char *ifname, int ifindex)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	char path[256];
	int err;

	tc_init(&hook, &opts, ifindex);
	err = bpf_tc_detach(&hook, &opts);
	if (err == -ENOENT || err == -EINVAL)
		err = 0;
	rec_path(path, sizeof(path), "clsact", ifname);
	if (!err && access(path, F_OK) == 0)
		tc_qdisc_destroy(&hook);
	return err;
}

int attach_tc_remove(const char *ifname)
{
	unsigned int ifindex = if_nametoindex(ifname);
	char path[256];
	int err = 0;

	/* No record: not ours to touch (another pin directory's, perhaps). */
	rec_path(path, sizeof(path), "tc", ifname);
	if (access(path, F_OK))
		return 0;
	if (ifindex)
		err = tc_detach(ifname, (int)ifindex);
	if (!err)
		err = unlink_rec("clsact", ifname);
	if (!err)
		err = unlink_rec("tc", ifname);
	if (err)
		ew_err("couldn't detach TC program from '%s': %s", ifname, strerror(-err));
	return err ? err : 1;
}

#define IFACE_MAX 256

/* The interface name from a record name "kind_IF", or NULL. */
static const char *rec_iface(const char *name)
{
	static const char *const kinds[] = {"xdp_", "tc_", "clsact_"};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strncmp(name, kinds[i], strlen(kinds[i])))
			return name + strlen(kinds[i]);
	return NULL;
}

static int collect(char (*names)[IF_NAMESIZE], int max)
{
	struct dirent *de;
	char dir[256];
	int n = 0, i;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/links", loader_pin_dir());
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && n < max) {
		const char *ifname = rec_iface(de->d_name);

		if (!ifname || strlen(ifname) >= IF_NAMESIZE)
			continue;
		for (i = 0; i < n && strcmp(names[i], ifname); i++)
			;
		if (i == n)
			snprintf(names[n++], IF_NAMESIZE, "%s", ifname);
	}
	closedir(d);
	return n;
}

int attach_foreach_iface(int (*cb)(const char *ifname, void *ctx), void *ctx)
{
	char names[IFACE_MAX][IF_NAMESIZE];
	int n = collect(names, IFACE_MAX), err = 0;

	for (int i = 0; i < n && !err; i++)
		err = cb(names[i], ctx);
	return n < 0 ? n : err;
}

static void describe_xdp(int ifindex, char *out, unsigned int size)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	const char *mode = "-";

	if (bpf_xdp_query(ifindex, 0, &q)) {
		snprintf(out, size, "error: %s", strerror(errno));
		return;
	}
	if (q.attach_mode == XDP_ATTACHED_DRV)
		mode = "native";
	else if (q.attach_mode == XDP_ATTACHED_SKB)
		mode = "generic";
	else if (q.attach_mode == XDP_ATTACHED_HW)
		mode = "offload";
	else if (q.attach_mode == XDP_ATTACHED_MULTI)
		mode = "multi";
	if (q.attach_mode == XDP_ATTACHED_NONE)
		snprintf(out, size, "none");
	else
		snprintf(out, size, "%s (prog %u)", mode,
			 q.prog_id	 ? q.prog_id
			 : q.drv_prog_id ? q.drv_prog_id
					 : q.skb_prog_id);
}

static void describe_tc(int ifindex, char *out, unsigned int size)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;

	tc_init(&hook, &opts, ifindex);
	if (bpf_tc_query(&hook, &opts))
		snprintf(out, size, "none");
	else
		snprintf(out, size, "ingress (prog %u)", opts.prog_id);
}

void attach_describe(const char *ifname, char *xdp, char *tc, unsigned int size)
{
	unsigned int ifindex = if_nametoindex(ifname);

	if (!ifindex) {
		snprintf(xdp, size, "interface gone");
		snprintf(tc, size, "interface gone");
		return;
	}
	describe_xdp((int)ifindex, xdp, size);
	describe_tc((int)ifindex, tc, size);
}
