// SPDX-License-Identifier: GPL-2.0
/* `edgeward status`: what is attached where, the per-CPU counters summed,
 * per-rule hits, blocklist sizes and the agent heartbeat's age, read from
 * the pinned maps (no agent needed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent/control.h"
#include "config/runconf.h"
#include "kernel/attach.h"
#include "kernel/blocklist.h"
#include "kernel/counters.h"
#include "cli/cli.h"
#include "kernel/loader.h"
#include "kernel/steer_route.h"
#include "log/log.h"

static int show_iface(const char *ifname, void *ctx)
{
	char xdp[96], tc[96];
	int *shown = ctx;

	(*shown)++;
	attach_describe(ifname, xdp, tc, sizeof(xdp));
	printf("  %-16s xdp %-28s tc %s\n", ifname, xdp, tc);
	return 0;
}

static int show_counters(struct ew_counter *buf, int ncpu)
{
	int fd = loader_map_open(EW_MAP_COUNTERS), err = 0;
	struct ew_counter s;

	if (fd < 0)
		return fd;
	printf("counters:%28s %16s\n", "packets", "bytes");
	for (__u32 i = 0; i < EW_C_MAX && !err; i++) {
		err = counters_sum(fd, i, buf, ncpu, &s);
		if (!err)
			printf("  %-24s %12llu %16llu\n", counters_name(i),
			       (unsigned long long)s.packets, (unsigned long long)s.bytes);
	}
	close(fd);
	return err;
}

static int show_rule_hits(struct ew_counter *buf, int ncpu)
{
	int fd = loader_map_open(EW_MAP_RULEHITS), err = 0, shown = 0;
	struct ew_counter s;

	if (fd < 0)
		return fd;
	printf("rule hits:\n");
	for (__u32 i = 0; i < EW_RULE_MAX && !err; i++) {
		err = counters_sum(fd, i, buf, ncpu, &s);
		if (err || !s.packets)
			continue;
		printf("  rule %-19u %12llu %16llu\n", i, (unsigned long long)s.packets,
		       (unsigned long long)s.bytes);
		shown++;
	}
	if (!err && !shown)
		printf("  (none)\n");
	close(fd);
	return err;
}

static int show_blocklist(void)
{
	struct blocklist bl;
	size_t n4, n6;
	int err;

	err = blocklist_open(&bl);
	if (err)
		return err;
	err = blocklist_count(&bl, &n4, &n6);
	if (!err)
		printf("blocklist: %zu IPv4 prefixes, %zu IPv6 prefixes\n", n4, n6);
	blocklist_close(&bl);
	return err;
}

/* "registered" or "none" for the listener of EW_MAP_PROXY slot idx. */
static const char *listener(int fd, __u32 idx)
{
	__u64 cookie;

	return fd >= 0 && !bpf_map_lookup_elem(fd, &idx, &cookie) ? "registered" : "none";
}

/* Inline steering: the flags, the listeners, our routes (in this netns). */
static void show_steer(const struct ew_config *cfg)
{
	int fd = loader_map_open(EW_MAP_PROXY), routes = steer_route_count();

	if (!(cfg->steer_flags & EW_STEER_ON)) {
		printf("steering: off (tap mode)");
	} else {
		printf("steering: on, mark 0x%x, %s, %s", cfg->steer_mark,
		       cfg->steer_flags & EW_STEER_ACCEPT ? "accepting new flows"
							  : "not accepting new flows",
		       cfg->steer_flags & EW_STEER_ALL ? "every destination"
						       : "tagged destinations");
	}
	printf("; listeners: IPv4 %s, IPv6 %s; routing: ", listener(fd, EW_PROXY_IPV4),
	       listener(fd, EW_PROXY_IPV6));
	if (routes < 0)
		printf("unreadable\n");
	else
		printf("%d rules and routes of edgeward\n", routes);
	if (fd >= 0)
		close(fd);
}

static int show_agent(void)
{
	int fd = loader_map_open(EW_MAP_CONFIG);
	struct ew_config cfg;
	struct timespec now;
	__u32 key = 0;
	__u64 now_ns;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, &cfg)) {
		close(fd);
		return -errno;
	}
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &now);
	now_ns = (__u64)now.tv_sec * 1000000000ull + (__u64)now.tv_nsec;
	if (!cfg.heartbeat_ns)
		printf("agent: not running (no heartbeat)");
	else
		printf("agent: heartbeat %.1fs ago (%s)", (double)(now_ns - cfg.heartbeat_ns) / 1e9,
		       now_ns - cfg.heartbeat_ns > cfg.stale_after_ns
			       ? "stale: tagging, mirroring and steering stopped"
			       : "alive");
	printf(", stale after %.1fs, mirror cap %u bytes, flow ttl %us\n",
	       (double)cfg.stale_after_ns / 1e9, cfg.mirror_cap, cfg.flow_ttl_s);
	show_steer(&cfg);
	return 0;
}

static int show_maps(void)
{
	int ncpu = libbpf_num_possible_cpus(), err;
	struct ew_counter *buf;

	if (ncpu < 0)
		return ncpu;
	buf = calloc((size_t)ncpu, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	err = show_agent();
	if (!err)
		err = show_blocklist();
	if (!err)
		err = show_counters(buf, ncpu);
	if (!err)
		err = show_rule_hits(buf, ncpu);
	free(buf);
	return err;
}

/* The running agent's own account, when one answers. */
static void show_running(const char *path)
{
	int rc = control_request(path, "status", stdout, 5000);

	if (rc < 0)
		printf("agent: not running (%s: %s)\n", path, strerror(-rc));
}

int cmd_status(int argc, char **argv)
{
	const char *control = runconf_control_default();
	int err, shown = 0;

	if (argc == 3 && !strcmp(argv[1], "--control")) {
		control = argv[2];
	} else if (argc > 1) {
		if (strcmp(argv[1], "--help") && strcmp(argv[1], "-h")) {
			ew_err("status: unexpected argument '%s'", argv[1]);
			return 2;
		}
		printf("usage: edgeward status [--control PATH]\nShows the running agent, "
		       "attached programs, the agent heartbeat,\nblocklist sizes, counters "
		       "and rule hits.\n");
		return 0;
	}
	show_running(control);
	loader_log_init();
	printf("attached:\n");
	if (attach_foreach_iface(show_iface, &shown) < 0)
		printf("  (unreadable)\n");
	else if (!shown)
		printf("  (none)\n");
	err = show_maps();
	if (err) {
		ew_err("couldn't read the pinned maps under %s: %s%s", loader_pin_dir(),
		       strerror(-err),
		       err == -ENOENT ? " (not loaded: start 'edgeward run' or 'edgeward block')"
				      : "");
		return 1;
	}
	return 0;
}
