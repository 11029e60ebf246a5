// SPDX-License-Identifier: GPL-2.0
/* The agent's kernel side: load, attach, heartbeat, tagged ports, flow
 * verdicts. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "kernel/attach.h"
#include "kernel/loader.h"
#include "kernel/ports.h"
#include "kernel/steer_route.h"
#include "kernel/tags.h"
#include "kside.h"
#include "log/log.h"

#define FLOW_TTL_DEFAULT 120 /* s an inspect tag lives */

void kside_beat(struct kside *k, uint64_t now_ns)
{
	config_beat(k->cfg, now_ns);
}

static int open_maps(struct kside *k)
{
	static const char *const names[] = {EW_MAP_FLOWS, EW_MAP_PORTS, EW_MAP_MIRROR};
	int *fds[] = {&k->flows_fd, &k->ports_fd, &k->mirror_fd};

	k->cfg = config_open();
	if (!k->cfg) {
		ew_err("couldn't map pinned map '%s': %s", EW_MAP_CONFIG, strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < sizeof(fds) / sizeof(*fds); i++) {
		*fds[i] = loader_map_open(names[i]);
		if (*fds[i] < 0) {
			ew_err("couldn't open pinned map '%s': %s", names[i], strerror(-*fds[i]));
			return *fds[i];
		}
	}
	return 0;
}

static int parse(const char *what, const char *spec, struct ports_entry *ports, int max)
{
	char msg[160];
	int n = ports_parse(spec, ports, (size_t)max, msg, sizeof(msg));

	if (n < 0)
		ew_err("invalid %s '%s': %s", what, spec, msg);
	return n;
}

/* The config's ports: mirrored, and in inline mode the inline ones
 * flagged, into ports[0..*n). */
static int config_ports(const struct runconf *c, struct ports_entry *ports, int *n)
{
	struct ports_entry inl[EW_PORT_MAX];
	int n_inl = 0;

	*n = parse("mirrored ports", c->tap.ports, ports, EW_PORT_MAX);
	if (*n >= 0 && c->mode == RUN_INLINE)
		n_inl = parse("inline ports", c->inl.ports, inl, EW_PORT_MAX);
	if (*n < 0 || n_inl < 0)
		return -EINVAL;
	for (int i = 0; i < n_inl; i++)
		if (inl[i].key.proto != IPPROTO_TCP) {
			ew_err("invalid inline ports '%s': only TCP ports are steered",
			       c->inl.ports);
			return -EINVAL;
		}
	if (ports_mark_inline(ports, n, EW_PORT_MAX, inl, n_inl)) {
		ew_err("too many ports (at most %d mirrored and inline in all)", EW_PORT_MAX);
		return -E2BIG;
	}
	return 0;
}

struct tag_ctx {
	struct tags *t;
	bool inline_mode;
};

/* One policy_tag as the kernel's tags_rule. Inline, what the proxy
 * inspects (HTTP requests, whole objects), steered, and the TLS
 * ClientHellos namewatch reads from the mirror; DNS is answered in the
 * kernel, and QUIC names and applications are nDPI's, which runs in tap
 * mode only, so their tags would only cost ring-buffer writes there. */
static int add_tag(void *ctx, const struct policy_tag *pt)
{
	struct tag_ctx *tc = ctx;
	bool steer = pt->steer || pt->inspect == POLICY_INSPECT_HTTP;
	struct tags_port *ports;
	struct tags_prefix *pfx;
	struct tags_rule r = {.nports = pt->nports, .nclients = pt->nclients,
			      .nservers = pt->nservers};
	int err = -ENOMEM;

	if (tc->inline_mode && !steer && pt->inspect != POLICY_INSPECT_TLS)
		return 0;
	r.ports = ports = calloc(pt->nports + 1, sizeof(*ports));
	r.clients = pfx = calloc(pt->nclients + pt->nservers + 1, sizeof(*pfx));
	r.servers = pfx ? pfx + pt->nclients : NULL;
	if (ports && pfx) {
		for (size_t i = 0; i < pt->nports; i++)
			ports[i] = (struct tags_port){pt->ports[i].proto, pt->ports[i].lo,
						      pt->ports[i].hi};
		for (size_t i = 0; i < pt->nclients + pt->nservers; i++) {
			const struct policy_prefix *p = i < pt->nclients
								? &pt->clients[i]
								: &pt->servers[i - pt->nclients];

			memcpy(pfx[i].addr, p->addr, 16);
			pfx[i].len = p->len;
		}
		r.steer = tc->inline_mode && steer; /* inline: through the proxy */
		r.budget = pt->mirror_packets ? pt->mirror_packets : EW_MIRROR_ALL;
		err = tags_add(tc->t, &r);
	}
	free(ports);
	free(pfx);
	return err;
}

/* The policy's tags, and their steered ports added to ports. */
static int policy_tags_of(const struct runconf *c, const struct apolicy *g, struct tags *t,
			  struct ports_entry *ports, int *n)
{
	struct tag_ctx tc = {.t = t, .inline_mode = c->mode == RUN_INLINE};
	int err = policy_tags(g->p, add_tag, &tc);

	if (!err && tc.inline_mode && tags_steer_ports(t, ports, n, EW_PORT_MAX)) {
		ew_err("too many ports (at most %d mirrored and inline in all)", EW_PORT_MAX);
		err = -E2BIG;
	}
	return err;
}

/* Inline, with inline.dns_tcp: tcp/53 an inline port (not one limited to
 * the policy's tags), so DNS over TCP goes through the proxy's DNS relay
 * (docs/domains.md): queries TC cannot read whole are answered there. */
static int dns_port(const struct runconf *c, struct ports_entry *ports, int *n)
{
	struct ports_entry dns = {.key = {.port = htons(53), .proto = IPPROTO_TCP}};

	if (c->mode != RUN_INLINE || !c->inl.dns_tcp)
		return 0;
	if (ports_mark_inline(ports, n, EW_PORT_MAX, &dns, 1)) {
		ew_err("too many ports (at most %d mirrored and inline in all)", EW_PORT_MAX);
		return -E2BIG;
	}
	return 0;
}

int kside_policy(struct kside *k, const struct runconf *c, const struct apolicy *g)
{
	struct ports_entry ports[EW_PORT_MAX];
	bool floor = c->lists.nhash + c->lists.npdq + c->lists.nxml > 0;
	struct tags *t = NULL;
	int n = 0, err = 0;

	if (!g->p || floor)
		err = config_ports(c, ports, &n);
	if (!err && g->p && !(t = tags_new()))
		err = -ENOMEM;
	if (!err && t)
		err = policy_tags_of(c, g, t, ports, &n);
	if (!err)
		err = dns_port(c, ports, &n);
	if (!err)
		err = tags_store(t);
	if (!err && (err = ports_store(k->ports_fd, ports, (size_t)n)))
		ew_err("couldn't write port tags to '%s': %s", EW_MAP_PORTS, strerror(-err));
	if (!err && c->mode == RUN_INLINE)
		config_flags(k->cfg, g->p ? 0 : EW_STEER_ALL, g->p ? EW_STEER_ALL : 0);
	if (!err && t)
		ew_info("policy tags: %u classes, %zu ports", tags_classes(t), tags_ports(t));
	tags_free(t);
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

/* Inline mode: local delivery of steered packets, and steering on for
 * every destination (per-destination tags come with the policy). The proxy
 * sets EW_STEER_ACCEPT once its listeners are registered. */
static int steering(struct kside *k, const struct runconf *c)
{
	int err;

	if (c->mode != RUN_INLINE) {
		config_flags(k->cfg, 0, EW_STEER_ON | EW_STEER_ALL | EW_STEER_ACCEPT);
		return 0;
	}
	err = steer_route_setup(c->inl.mark, c->inl.table);
	if (err)
		return err;
	k->steer = steer_open();
	if (!k->steer) {
		ew_err("couldn't open the steering maps: %s", strerror(errno));
		return -errno;
	}
	config_flags(k->cfg, EW_STEER_ON, 0); /* EW_STEER_ALL: kside_policy */
	ew_info("inline mode: packets marked 0x%x are delivered locally (table %u)",
		c->inl.mark, c->inl.table);
	return 0;
}

int kside_up(struct kside *k, const struct runconf *c, const struct apolicy *g)
{
	struct ew_config cfg = {
		.stale_after_ns = c->stale_after_ns,
		.mirror_cap = c->tap.mirror_cap,
		.flow_ttl_s = FLOW_TTL_DEFAULT,
		.steer_mark = c->inl.mark,
	};
	struct loader *l;
	int err;

	memset(k, 0, sizeof(*k));
	k->flows_fd = k->ports_fd = k->mirror_fd = -1;
	l = loader_load();
	if (!l)
		return -errno ? -errno : -EIO;
	err = open_maps(k);
	if (!err) {
		/* beat before attaching so the TC program tags from the first packet */
		cfg.heartbeat_ns = mono_ns();
		config_store(k->cfg, &cfg);
	}
	if (!err)
		err = steering(k, c);
	if (!err)
		err = kside_policy(k, c, g);
	if (!err)
		err = attach_all(loader_xdp_fd(l), loader_tc_fd(l), c);
	loader_free(l);
	return err;
}

int kside_reset_flow(struct kside *k, const struct ew_flow_key *key, uint32_t rule)
{
	struct ew_verdict v = {.action = EW_ACT_RESET, .rule_id = rule};

	if (bpf_map_update_elem(k->flows_fd, key, &v, BPF_ANY))
		return -errno;
	return 0;
}

void kside_down(struct kside *k)
{
	int *fds[] = {&k->flows_fd, &k->ports_fd, &k->mirror_fd};

	if (k->cfg) {
		kside_beat(k, 0); /* nobody reads the mirror or proxies now */
		config_close(k->cfg);
		k->cfg = NULL;
	}
	steer_close(k->steer);
	k->steer = NULL;
	for (size_t i = 0; i < sizeof(fds) / sizeof(*fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}
