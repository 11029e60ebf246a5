// SPDX-License-Identifier: GPL-2.0
/* `edgeward run`: load (or reuse) the pinned maps and programs, attach them
 * to the interfaces, set up inline steering (cli/inline.c), keep the
 * heartbeat fresh and write the mirror ring buffer to pcapng until
 * SIGINT/SIGTERM or --duration. Programs, maps and steering routes stay
 * afterwards: enforcement outlives the agent. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "kernel/attach.h"
#include "cli/cli.h"
#include "cli/inline.h"
#include "kernel/config.h"
#include "kernel/loader.h"
#include "log/log.h"
#include "kernel/mirror.h"
#include "capture/pcapng.h"
#include "kernel/ports.h"

#define RUN_IFACE_MAX	    16
#define RUN_PCAP_IF_MAX	    64
#define STALE_AFTER_DEFAULT 5	/* s without heartbeat: stop tagging */
#define FLOW_TTL_DEFAULT    120 /* s an inspect tag lives */

struct run_opts {
	const char *ifaces[RUN_IFACE_MAX];
	int n_if;
	enum attach_xdp_mode mode;
	const char *pcap_out;
	struct ports_entry ports[EW_PORT_MAX];
	int n_ports;
	unsigned long stale_after;
	unsigned long mirror_cap;
	unsigned long duration; /* 0: until a signal */
	struct inline_opts inl;
};

/* What this run attached anew, so a failure can take exactly that back. */
struct run_undo {
	bool xdp[RUN_IFACE_MAX];
	bool tc[RUN_IFACE_MAX];
};

struct run_pcap {
	struct pcapng *w;
	FILE *f;
	__u32 ifindex[RUN_PCAP_IF_MAX]; /* pcapng interface id -> ifindex */
	int n_if;
	__u64 written;
};

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: edgeward run --iface IF [--iface IF2 ...] [--xdp-mode "
		"native|generic|auto]\n"
		"                    [--pcap-out FILE] [--ports SPEC] [--stale-after SEC]\n"
		"                    [--mirror-cap N] [--duration SEC]\n"
		"                    [--mode inline|tap] [--inline-ports SPEC]\n"
		"                    [--steer-mark N] [--steer-table N]\n"
		"  --ports SPEC     ports tagged for mirroring (default %s)\n"
		"  --stale-after    heartbeat age that stops tagging and steering (default %d s)\n"
		"  --mirror-cap     bytes copied per mirrored packet (default and max %u)\n",
		PORTS_DEFAULT, STALE_AFTER_DEFAULT, EW_MIRROR_CAP);
	fputs(INLINE_USAGE, out);
}

static int parse_num(const char *opt, const char *s, unsigned long lo, unsigned long hi,
		     unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || *v < lo || *v > hi) {
		ew_err("invalid %s '%s' (expected %lu-%lu)", opt, s, lo, hi);
		return -EINVAL;
	}
	return 0;
}

static int parse_mode(const char *s, enum attach_xdp_mode *mode)
{
	if (!strcmp(s, "auto"))
		*mode = ATTACH_XDP_AUTO;
	else if (!strcmp(s, "native"))
		*mode = ATTACH_XDP_NATIVE;
	else if (!strcmp(s, "generic"))
		*mode = ATTACH_XDP_GENERIC;
	else {
		ew_err("invalid --xdp-mode '%s' (expected native, generic or auto)", s);
		return -EINVAL;
	}
	return 0;
}

static int parse_ports(const char *spec, struct run_opts *o)
{
	char msg[160];

	o->n_ports = ports_parse(spec, o->ports, EW_PORT_MAX, msg, sizeof(msg));
	if (o->n_ports < 0) {
		ew_err("invalid --ports '%s': %s", spec, msg);
		return -EINVAL;
	}
	return 0;
}

static int run_opt(int c, struct run_opts *o)
{
	switch (c) {
	case 'i':
		if (o->n_if == RUN_IFACE_MAX) {
			ew_err("too many --iface (at most %d)", RUN_IFACE_MAX);
			return -EINVAL;
		}
		o->ifaces[o->n_if++] = optarg;
		return 0;
	case 'm':
		return parse_mode(optarg, &o->mode);
	case 'w':
		o->pcap_out = optarg;
		return 0;
	case 'p':
		return parse_ports(optarg, o);
	case 's':
		return parse_num("--stale-after", optarg, 1, 3600, &o->stale_after);
	case 'c':
		return parse_num("--mirror-cap", optarg, 64, EW_MIRROR_CAP, &o->mirror_cap);
	case 'd':
		return parse_num("--duration", optarg, 1, 1ul << 31, &o->duration);
	case 'h':
		return 1;
	case 0x200 ... 0x203:
		return inline_option(&o->inl, c, optarg);
	}
	return -EINVAL;
}

static int run_parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option opts[] = {
		{"iface", required_argument, NULL, 'i'},
		{"xdp-mode", required_argument, NULL, 'm'},
		{"pcap-out", required_argument, NULL, 'w'},
		{"ports", required_argument, NULL, 'p'},
		{"stale-after", required_argument, NULL, 's'},
		{"mirror-cap", required_argument, NULL, 'c'},
		{"duration", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		INLINE_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	int c, err;

	if (parse_ports(PORTS_DEFAULT, o) || inline_init(&o->inl))
		return -EINVAL;
	o->stale_after = STALE_AFTER_DEFAULT;
	o->mirror_cap = EW_MIRROR_CAP;
	optind = 0;
	while ((c = getopt_long(argc, argv, "i:m:w:p:s:c:d:h", opts, NULL)) != -1) {
		err = run_opt(c, o);
		if (err)
			return err;
	}
	if (optind < argc) {
		ew_err("run: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!o->n_if) {
		ew_err("run: give at least one --iface");
		return -EINVAL;
	}
	if (inline_merge_ports(&o->inl, o->ports, &o->n_ports, EW_PORT_MAX))
		return -EINVAL;
	for (int i = 0; i < o->n_if; i++) {
		if (!if_nametoindex(o->ifaces[i])) {
			ew_err("couldn't attach to '%s': %s", o->ifaces[i], strerror(errno));
			return -ENODEV;
		}
	}
	return 0;
}

static __u64 mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (__u64)t.tv_sec * 1000000000ull + (__u64)t.tv_nsec;
}

static int store_ports(const struct run_opts *o)
{
	int fd = loader_map_open(EW_MAP_PORTS), err;

	err = fd < 0 ? fd : ports_store(fd, o->ports, (size_t)o->n_ports);
	if (err)
		ew_err("couldn't write port tags to '%s': %s", EW_MAP_PORTS, strerror(-err));
	if (fd >= 0)
		close(fd);
	return err;
}

static void undo(const struct run_opts *o, const struct run_undo *u)
{
	for (int i = 0; i < o->n_if; i++) {
		if (u->tc[i])
			attach_tc_remove(o->ifaces[i]);
		if (u->xdp[i])
			attach_xdp_remove(o->ifaces[i]);
	}
}

static int attach_all(const struct loader *l, const struct run_opts *o)
{
	struct run_undo u = {};
	int err = 0;

	for (int i = 0; i < o->n_if && !err; i++) {
		err = attach_xdp(loader_xdp_fd(l), o->ifaces[i], o->mode, &u.xdp[i]);
		if (!err)
			err = attach_tc(loader_tc_fd(l), o->ifaces[i], &u.tc[i]);
		if (!err)
			ew_info("attached to %s (XDP %s, TC ingress %s)", o->ifaces[i],
				u.xdp[i] ? "new" : "updated", u.tc[i] ? "new" : "replaced");
	}
	if (err) {
		undo(o, &u);
		ew_err("nothing attached by this run is left attached");
	}
	return err;
}

static int pcap_iface(struct run_pcap *p, __u32 ifindex, __u32 snaplen)
{
	char name[IF_NAMESIZE];
	int id;

	for (id = 0; id < p->n_if; id++)
		if (p->ifindex[id] == ifindex)
			return id;
	if (p->n_if == RUN_PCAP_IF_MAX)
		return -ENOSPC;
	if (!if_indextoname(ifindex, name))
		snprintf(name, sizeof(name), "if%u", ifindex);
	id = pcapng_add_interface(p->w, name, snaplen);
	if (id >= 0)
		p->ifindex[p->n_if++] = ifindex;
	return id;
}

static int on_packet(const struct mirror_pkt *pkt, void *ctx)
{
	struct run_pcap *p = ctx;
	int id;

	if (!p->w)
		return 0;
	id = pcap_iface(p, pkt->ifindex, EW_MIRROR_CAP);
	if (id < 0 || pcapng_write_packet(p->w, (__u32)id, pkt->ts_ns, pkt->data, pkt->cap_len,
					  pkt->orig_len))
		return 0; /* errors surface at pcapng_close */
	p->written++;
	return 0;
}

static int pcap_open(struct run_pcap *p, const struct run_opts *o)
{
	if (!o->pcap_out)
		return 0;
	p->f = fopen(o->pcap_out, "wb");
	p->w = p->f ? pcapng_open(p->f) : NULL;
	if (!p->w) {
		ew_err("couldn't create pcapng file '%s': %s", o->pcap_out, strerror(errno));
		if (p->f)
			fclose(p->f);
		return -errno;
	}
	for (int i = 0; i < o->n_if; i++)
		pcap_iface(p, if_nametoindex(o->ifaces[i]), (__u32)o->mirror_cap);
	return 0;
}

static int pcap_close(struct run_pcap *p, const char *path)
{
	int err;

	if (!p->w)
		return 0;
	err = pcapng_close(p->w);
	if (fclose(p->f) && !err)
		err = -errno;
	if (err)
		ew_err("couldn't write pcapng file '%s': %s", path, strerror(-err));
	else
		ew_info("wrote %llu mirrored packets to %s", (unsigned long long)p->written, path);
	return err;
}

static int signals_fd(sigset_t *old)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, old);
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0) {
		ew_err("couldn't create a signalfd: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, old, NULL);
	}
	return fd;
}

/* Beats every second and drains the ring buffer until a signal arrives or
 * the deadline (0: none) passes. */
static int loop(struct mirror *m, struct config *cfg, int sig_fd, __u64 deadline)
{
	struct pollfd fds[2] = {{.fd = sig_fd, .events = POLLIN},
				{.fd = mirror_fd(m), .events = POLLIN}};
	__u64 now = mono_ns(), next_beat = now;
	int err = 0;

	while (!err && (!deadline || now < deadline)) {
		if (now >= next_beat) {
			/* bpf_ktime_get_ns's clock: CLOCK_MONOTONIC */
			config_beat(cfg, now);
			next_beat = now + 1000000000ull;
		}
		if (poll(fds, 2, (int)((next_beat - now) / 1000000 + 1)) < 0 && errno != EINTR)
			err = -errno;
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			/* Consumed here, so unblocking later does not kill us. */
			if (read(sig_fd, &si, sizeof(si)) == sizeof(si))
				ew_info("stopping on %s", strsignal((int)si.ssi_signo));
			break;
		}
		if (!err && mirror_poll(m, 0) < 0)
			ew_warn("ring buffer poll failed: %s", strerror(errno));
		now = mono_ns();
	}
	mirror_poll(m, 0);
	return err;
}

/* Attached and beating: consume the mirror into the pcap until told to stop. */
static int serve(const struct run_opts *o, struct config *cfg)
{
	struct run_pcap pcap = {};
	struct mirror *m = NULL;
	sigset_t old;
	int rb_fd, sig_fd, err;

	sig_fd = signals_fd(&old);
	if (sig_fd < 0)
		return -errno;
	rb_fd = loader_map_open(EW_MAP_MIRROR);
	err = rb_fd < 0 ? rb_fd : pcap_open(&pcap, o);
	if (!err) {
		m = mirror_new(rb_fd, on_packet, &pcap);
		err = m ? 0 : -errno;
	}
	if (!err)
		err = loop(m, cfg, sig_fd,
			   o->duration ? mono_ns() + o->duration * 1000000000ull : 0);
	else
		ew_err("couldn't consume the mirror ring buffer '%s': %s", EW_MAP_MIRROR,
		       strerror(-err));
	mirror_free(m);
	if (pcap_close(&pcap, o->pcap_out) && !err)
		err = -EIO;
	if (rb_fd >= 0)
		close(rb_fd);
	close(sig_fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return err;
}

static int start(const struct run_opts *o, struct config **cfgp)
{
	struct ew_config cfg = {
		.stale_after_ns = o->stale_after * 1000000000ull,
		.mirror_cap = (__u32)o->mirror_cap,
		.flow_ttl_s = FLOW_TTL_DEFAULT,
	};
	__u32 set, clear;
	int err;

	err = inline_start(&o->inl, &cfg, &set, &clear);
	if (err)
		return err;
	*cfgp = config_open();
	if (!*cfgp) {
		ew_err("couldn't map pinned map '%s': %s", EW_MAP_CONFIG, strerror(errno));
		return -errno;
	}
	/* Beat before attaching so the TC program tags from the first packet. */
	cfg.heartbeat_ns = mono_ns();
	config_store(*cfgp, &cfg);
	config_flags(*cfgp, set, clear);
	return store_ports(o);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {};
	struct config *cfg = NULL;
	struct loader *l;
	int err;

	err = run_parse(argc, argv, &o);
	if (err == -ENODEV)
		return 1;
	if (err) {
		run_usage(err > 0 ? stdout : stderr);
		return err > 0 ? 0 : 2;
	}
	l = loader_load();
	if (!l)
		return 1;
	err = start(&o, &cfg);
	if (!err)
		err = attach_all(l, &o);
	loader_free(l);
	if (!err)
		err = serve(&o, cfg);
	if (cfg) {
		config_beat(cfg, 0); /* nobody reads the mirror or proxies now */
		config_close(cfg);
	}
	return err ? 1 : 0;
}
