// SPDX-License-Identifier: GPL-2.0
/* The policy routing that delivers steered packets to the agent's sockets
 * (kernel/steer_route.h), through libnl-route: set up by `edgeward run
 * --mode inline`, removed by `edgeward detach`. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>
#include <netlink/socket.h>

#include "log/log.h"
#include "steer_route.h"

/* libnl's error numbers as -errno, for the few that mean something here. */
static int nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:
		return 0;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_PERM:
	case NLE_NOACCESS:
		return -EPERM;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static struct nl_sock *nl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		ew_err("couldn't open a netlink socket: %s", strerror(ENOMEM));
		return NULL;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err) {
		ew_err("couldn't open a netlink socket: %s", nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

static const char *fam_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* Our rule for family: fwmark mark (whole) -> table, priority, protocol. */
static int rule_add(struct nl_sock *sk, int family, __u32 mark, __u32 table)
{
	struct rtnl_rule *r = rtnl_rule_alloc();
	int err;

	if (!r)
		return -ENOMEM;
	rtnl_rule_set_family(r, family);
	rtnl_rule_set_prio(r, STEER_RULE_PREF);
	rtnl_rule_set_mark(r, mark);
	rtnl_rule_set_mask(r, 0xffffffffu);
	rtnl_rule_set_table(r, table);
	rtnl_rule_set_action(r, FR_ACT_TO_TBL);
	rtnl_rule_set_protocol(r, STEER_RTPROT);
	err = nl_errno(rtnl_rule_add(sk, r, NLM_F_EXCL));
	rtnl_rule_put(r);
	if (err && err != -EEXIST)
		ew_err("couldn't add %s rule 'fwmark 0x%x lookup %u': %s", fam_name(family), mark,
		       table, strerror(-err));
	return err == -EEXIST ? 0 : err;
}

/* Our route for family: local default dev lo in table. */
static int route_add(struct nl_sock *sk, int family, __u32 table)
{
	static const __u8 any[16];
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = nl_addr_build(family, any, family == AF_INET ? 4 : 16);
	int err = -ENOMEM;

	if (rt && nh && dst) {
		nl_addr_set_prefixlen(dst, 0);
		rtnl_route_set_family(rt, (__u8)family);
		rtnl_route_set_table(rt, table);
		rtnl_route_set_type(rt, RTN_LOCAL);
		rtnl_route_set_scope(rt, RT_SCOPE_HOST);
		rtnl_route_set_protocol(rt, STEER_RTPROT);
		rtnl_route_set_dst(rt, dst);
		rtnl_route_nh_set_ifindex(nh, (int)if_nametoindex("lo"));
		rtnl_route_add_nexthop(rt, nh); /* rt owns nh now */
		nh = NULL;
		err = nl_errno(rtnl_route_add(sk, rt, NLM_F_EXCL));
	}
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	rtnl_route_put(rt);
	if (err && err != -EEXIST)
		ew_err("couldn't add %s route 'local default dev lo table %u': %s",
		       fam_name(family), table, strerror(-err));
	return err == -EEXIST ? 0 : err;
}

/* 1 if sysctl net.NAME (dotted) reads as nonzero in this namespace. */
static int sysctl_on(const char *name)
{
	char path[128];
	int v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/%s", name);
	for (char *p = path + strlen("/proc/sys/net/"); *p; p++)
		if (*p == '.')
			*p = '/';
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v != 0;
}

/* Settings under which steered connections break; none is ours to change. */
static void check_sysctls(void)
{
	static const struct {
		const char *name, *why;
	} bad[] = {
		{"ipv4.tcp_fwmark_accept",
		 "accepted connections inherit the steering mark, so their replies are routed "
		 "back to this host"},
		{"ipv4.fwmark_reflect", "resets and ICMP errors for steered packets carry the "
					"mark and are delivered locally"},
		{"ipv6.fwmark_reflect", "resets and ICMPv6 errors for steered packets carry the "
					"mark and are delivered locally"},
		{"ipv4.conf.all.src_valid_mark",
		 "the reverse-path check routes the mark to the local table and drops steered "
		 "IPv4 packets as martians"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sysctl_on(bad[i].name))
			ew_warn("net.%s is on: %s", bad[i].name, bad[i].why);
}

int steer_route_setup(__u32 mark, __u32 table)
{
	static const int fams[] = {AF_INET, AF_INET6};
	struct nl_sock *sk = nl_open();
	int err = 0;

	if (!sk)
		return -EIO;
	for (size_t i = 0; i < 2 && !err; i++) {
		err = route_add(sk, fams[i], table);
		if (!err)
			err = rule_add(sk, fams[i], mark, table);
	}
	nl_socket_free(sk);
	if (!err)
		check_sysctls();
	return err;
}

struct sweep {
	struct nl_sock *sk;
	int remove; /* delete ours, else count them */
	int found;  /* ours seen (and not deleted) */
	int err;
};

static int rule_ours(struct rtnl_rule *r)
{
	__u8 proto;

	return !rtnl_rule_get_protocol(r, &proto) && proto == STEER_RTPROT;
}

static void sweep_rule(struct nl_object *obj, void *ctx)
{
	struct rtnl_rule *r = (struct rtnl_rule *)obj;
	struct sweep *w = ctx;
	int err;

	if (!rule_ours(r))
		return;
	err = w->remove ? nl_errno(rtnl_rule_delete(w->sk, r, 0)) : -EEXIST;
	if (!err || err == -ENOENT)
		return;
	w->found++;
	if (w->remove) {
		ew_err("couldn't remove %s rule 'fwmark 0x%x lookup %u': %s",
		       fam_name(rtnl_rule_get_family(r)), rtnl_rule_get_mark(r),
		       rtnl_rule_get_table(r), strerror(-err));
		w->err = err;
	}
}

static void sweep_route(struct nl_object *obj, void *ctx)
{
	struct rtnl_route *rt = (struct rtnl_route *)obj;
	struct sweep *w = ctx;
	int err;

	if (rtnl_route_get_protocol(rt) != STEER_RTPROT)
		return;
	err = w->remove ? nl_errno(rtnl_route_delete(w->sk, rt, 0)) : -EEXIST;
	if (!err || err == -ENOENT)
		return;
	w->found++;
	if (w->remove) {
		ew_err("couldn't remove %s route 'local default dev lo table %u': %s",
		       fam_name(rtnl_route_get_family(rt)), rtnl_route_get_table(rt),
		       strerror(-err));
		w->err = err;
	}
}

/* Visits our rules, then our routes, of both families. */
static int sweep(struct sweep *w)
{
	struct nl_cache *rules = NULL, *routes = NULL;
	int err;

	err = nl_errno(rtnl_rule_alloc_cache(w->sk, AF_UNSPEC, &rules));
	if (!err)
		err = nl_errno(rtnl_route_alloc_cache(w->sk, AF_UNSPEC, 0, &routes));
	if (err) {
		ew_err("couldn't list the routing rules and routes: %s", strerror(-err));
	} else {
		nl_cache_foreach(rules, sweep_rule, w);
		nl_cache_foreach(routes, sweep_route, w);
	}
	nl_cache_free(routes);
	nl_cache_free(rules);
	return err;
}

static int sweep_run(int remove)
{
	struct sweep w = {.sk = nl_open(), .remove = remove};
	int err;

	if (!w.sk)
		return -EIO;
	err = sweep(&w);
	nl_socket_free(w.sk);
	return err ? err : w.found;
}

int steer_route_remove(void)
{
	int left = sweep_run(1);

	/* Deleted ones are gone; count again what the kernel still has. */
	return left < 0 ? left : steer_route_count();
}

int steer_route_count(void)
{
	return sweep_run(0);
}
