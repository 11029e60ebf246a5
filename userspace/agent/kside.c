// SPDX-License-Identifier: GPL-2.0
/* The agent's kernel side: load, attach, heartbeat, tagged ports, flow
 * verdicts. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "kernel/attach.h"
#include "kernel/loader.h"
#include "kernel/ports.h"
#include "kside.h"
#include "log/log.h"

#define FLOW_TTL_DEFAULT 120 /* s an inspect tag lives */

int kside_beat(struct kside *k, uint64_t now_ns)
{
	__u32 key = 0;

	k->cfg.heartbeat_ns = now_ns;
	if (bpf_map_update_elem(k->cfg_fd, &key, &k->cfg, BPF_ANY)) {
		ew_err("couldn't write the heartbeat to '%s': %s", EW_MAP_CONFIG, strerror(errno));
		return -errno;
	}
	return 0;
}

static int open_maps(struct kside *k)
{
	static const char *const names[] = {EW_MAP_CONFIG, EW_MAP_FLOWS, EW_MAP_PORTS,
					    EW_MAP_MIRROR};
	int *fds[] = {&k->cfg_fd, &k->flows_fd, &k->ports_fd, &k->mirror_fd};

	for (size_t i = 0; i < sizeof(fds) / sizeof(*fds); i++) {
		*fds[i] = loader_map_open(names[i]);
		if (*fds[i] < 0) {
			ew_err("couldn't open pinned map '%s': %s", names[i], strerror(-*fds[i]));
			return *fds[i];
		}
	}
	return 0;
}

static int store_ports(struct kside *k, const char *spec)
{
	struct ports_entry ports[EW_PORT_MAX];
	char msg[160];
	int n = ports_parse(spec, ports, EW_PORT_MAX, msg, sizeof(msg)), err;

	if (n < 0) {
		ew_err("invalid ports '%s': %s", spec, msg);
		return -EINVAL;
	}
	err = ports_store(k->ports_fd, ports, (size_t)n);
	if (err)
		ew_err("couldn't write port tags to '%s': %s", EW_MAP_PORTS, strerror(-err));
	return err;
}

/* Attaches to every interface; on failure takes back what this call
 * attached. */
static int attach_all(int xdp_fd, int tc_fd, const struct runconf *c)
{
	static const enum attach_xdp_mode modes[] = {
		[RUN_XDP_AUTO] = ATTACH_XDP_AUTO,
		[RUN_XDP_NATIVE] = ATTACH_XDP_NATIVE,
		[RUN_XDP_GENERIC] = ATTACH_XDP_GENERIC,
	};
	bool xdp[RUNCONF_IFACE_MAX] = {0}, tc[RUNCONF_IFACE_MAX] = {0};
	int err = 0, i;

	for (i = 0; i < c->n_if && !err; i++) {
		err = attach_xdp(xdp_fd, c->ifaces[i], modes[c->xdp_mode], &xdp[i]);
		if (!err)
			err = attach_tc(tc_fd, c->ifaces[i], &tc[i]);
		if (!err)
			ew_info("attached to %s (XDP %s, TC ingress %s)", c->ifaces[i],
				xdp[i] ? "new" : "updated", tc[i] ? "new" : "replaced");
	}
	if (!err)
		return 0;
	for (i = 0; i < c->n_if; i++) {
		if (tc[i])
			attach_tc_remove(c->ifaces[i]);
		if (xdp[i])
			attach_xdp_remove(c->ifaces[i]);
	}
	ew_err("nothing attached by this run is left attached");
	return err;
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

int kside_up(struct kside *k, const struct runconf *c)
{
	struct loader *l;
	int err;

	memset(k, 0, sizeof(*k));
	k->cfg_fd = k->flows_fd = k->ports_fd = k->mirror_fd = -1;
	k->cfg = (struct ew_config){
		.stale_after_ns = c->stale_after_ns,
		.mirror_cap = c->tap.mirror_cap,
		.flow_ttl_s = FLOW_TTL_DEFAULT,
	};
	l = loader_load();
	if (!l)
		return -errno ? -errno : -EIO;
	err = open_maps(k);
	/* beat before attaching so the TC program tags from the first packet */
	if (!err)
		err = kside_beat(k, mono_ns());
	if (!err)
		err = store_ports(k, c->tap.ports);
	if (!err)
		err = attach_all(loader_xdp_fd(l), loader_tc_fd(l), c);
	loader_free(l);
	return err;
}

int kside_block_flow(struct kside *k, const struct ew_flow_key *key, uint32_t rule)
{
	struct ew_verdict v = {.action = EW_ACT_BLOCK, .rule_id = rule};

	if (bpf_map_update_elem(k->flows_fd, key, &v, BPF_ANY))
		return -errno;
	return 0;
}

void kside_down(struct kside *k)
{
	int *fds[] = {&k->cfg_fd, &k->flows_fd, &k->ports_fd, &k->mirror_fd};

	if (k->cfg_fd >= 0)
		kside_beat(k, 0); /* nobody reads the mirror or steers now */
	for (size_t i = 0; i < sizeof(fds) / sizeof(*fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}
