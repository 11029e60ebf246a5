// SPDX-License-Identifier: GPL-2.0
/* agent: `edgeward run` from settings to shutdown (agent.h has the picture).
 * This file: start, the main loop, reload, stop (status: status.c). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "agent_int.h"
#include "confine.h"
#include "events.h"
#include "log/log.h"
#include "privs.h"
#include "settings.h"

#define REPLY_MAX 8192

/* ---- lists ----------------------------------------------------------------------- */

/* Puts the lists of c in force: the engine matches against them from the
 * next object on. The old ones are freed at once (no reader can reach them
 * after the swap); c keeps the specs, for status and events. */
static void lists_in_force(struct agent *a, struct runconf *c)
{
	engine_swap_lists(a->e, c->lists.db, c->lists.pdb);
	hashdb_free(c->lists.db);
	pdqdb_free(c->lists.pdb);
	c->lists.db = NULL;
	c->lists.pdb = NULL;
}

/* ---- start ------------------------------------------------------------------------- */

/* The engine's verdicts (worker threads, from engine_start to engine_stop,
 * during which the tap exists). */
static void on_verdict(void *ctx, const struct obj_verdict *v)
{
	struct agent *a = ctx;
	struct tap_decision td;

	agent_metrics_verdict(&a->m, v);
	if (!a->tap || a->conf.mode != RUN_TAP)
		return;
	decide_tap(&a->dc, v, &td);
	if (td.block)
		tap_block(a->tap, v, &td);
}

/* nDPI named a QUIC flow's server name (its Initial, decrypted). */
static bool quic_named(const struct flow_info *fi, const struct dpi_result *r)
{
	return fi->proto == IPPROTO_UDP && r->server_name[0] && !strncmp(r->protocol, "QUIC", 4) &&
	       (r->protocol[4] == '\0' || r->protocol[4] == '.');
}

/* Flows nDPI classified (tap mode, worker threads): the QUIC point by its
 * server name, then the flow point. */
static void on_classified(void *ctx, const struct flow_info *fi, const struct dpi_result *r)
{
	struct agent *a = ctx;
	struct tap_decision td;

	if (!a->tap)
		return;
	if (quic_named(fi, r) && namewatch_seen(a->names, fi, r->server_name, "quic_sni", r) == 1)
		return; /* blocked by name */
	decide_flow(&a->dc, fi, r, &td);
	if (td.block)
		tap_block_flow(a->tap, fi, r, &td);
}

static int start_engine(struct agent *a)
{
	const struct runconf *c = &a->conf;
	struct engine_conf ec;

	a->db = hashdb_new();
	a->pdb = pdqdb_new();
	if (!a->db || !a->pdb)
		return -ENOMEM;
	engine_conf_default(&ec);
	ec.workers = c->workers;
	ec.memory = c->memory;
	ec.log_mask = c->log_mask;
	ec.hashdb = a->db;
	ec.img.db = a->pdb;
	ec.img.log = c->pdq_all;
	ec.img.min_quality = c->min_quality;
	ec.img.obj_cap = c->pdq_buffer_max;
	ec.img.total_cap = c->pdq_buffer_total;
	ec.out = agent_outputs_writer(&a->out);
	ec.evidence = agent_outputs_evidence(&a->out);
	ec.verdict = on_verdict;
	ec.verdict_ctx = a;
	ec.thread_start = confine_worker;
	/* tap mode: nDPI on the mirrored flows (only the tagged ones reach the
	 * engine), for the policy's app and app_category rules at the flow
	 * point; no flow lines in the live log */
	ec.classify = c->mode == RUN_TAP;
	ec.classify_quiet = true;
	ec.classified = on_classified;
	ec.classified_ctx = a;
	a->e = engine_new(&ec);
	if (!a->e)
		return -errno;
	lists_in_force(a, &a->conf);
	return 0;
}

/* The ICAP service of the icap: settings, on the running engine. */
static int start_icap(struct agent *a)
{
	const struct runconf_icap *ri = &a->conf.icap;
	struct icap_conf ic;
	char bad[64];

	if (!ri->listen)
		return 0;
	icap_conf_default(&ic);
	ic.fail_closed = ri->fail_closed;
	if (ri->types && (strlen(ri->types) >= sizeof(ic.types) ||
			  icap_types_check(ri->types, bad, sizeof(bad)))) {
		ew_err("run: bad icap types '%s': unknown type '%s' (expected names such as "
		       "jpeg, png, mp4, zip)", ri->types, bad);
		return -EINVAL;
	}
	if (ri->types)
		strcpy(ic.types, ri->types);
	icapsvc_istag(&ic, &a->conf.lists, a->conf.min_quality,
		      ((const struct apolicy *)rcu_writer_get(&a->pol))->version);
	ic.judge = decide_icap;
	ic.judge_ctx = &a->dc;
	ic.page = agent_notices_icap_page; /* the notices' templates, when there are */
	ic.page_ctx = &a->notices;
	a->icap = icapsvc_start(a->e, &ic, ri->listen, ri->threads);
	return a->icap ? 0 : -errno;
}

static int signals(struct agent *a)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &a->old_mask);
	a->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (a->sig_fd < 0) {
		ew_err("couldn't create a signalfd: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int start_sources(struct agent *a)
{
	const struct runconf *c = &a->conf;
	struct tap_conf tc = {
		.engine = c->mode == RUN_TAP ? a->e : NULL,
		.log = a->e,
		.dc = &a->dc,
		.kside = &a->k,
		.pcap_out = c->tap.pcap_out,
		.snaplen = c->tap.mirror_cap,
		.ifaces = c->ifaces,
		.n_if = c->n_if,
	};

	a->names = namewatch_new(&(struct namewatch_conf){
		.kside = &a->k, .engine = a->e, .decide = decide_name, .decide_ctx = &a->dc});
	if (!a->names)
		return -errno;
	tc.names = a->names;
	/* inline: the proxy starts with the engine (inline_start); the mirror
	 * still serves --pcap-out and the server names */
	a->tap = tap_new(&tc);
	return a->tap ? 0 : -errno;
}

/* The warn rules' acknowledgements: the notice server's table. */
static bool acked(void *ctx, const uint8_t *client, const char *category, uint64_t ack_ns)
{
	return notice_server_acked(ctx, client, category, ack_ns);
}

/* The subscriber group of client in the policy in force (block events). */
static void group_name(void *ctx, const uint8_t *client, char *out)
{
	struct agent *a = ctx;
	unsigned tok;
	bool nh;
	const struct apolicy *g = rcu_lock(&a->pol, &tok);
	const char *name = apolicy_group(g, client, &nh);

	objsink_copy_name(out, name ? name : "");
	rcu_unlock(&a->pol, tok);
}

/* Is client in a group of the policy in force that keeps no history? */
static bool no_history(void *ctx, const uint8_t addr[16])
{
	struct agent *a = ctx;
	unsigned tok;
	bool nh;
	const struct apolicy *g = rcu_lock(&a->pol, &tok);

	apolicy_group(g, addr, &nh);
	rcu_unlock(&a->pol, tok);
	return nh;
}

/* The policy event and the version stamped on every line from now on. */
static void policy_said(struct agent *a, const char *action, const char *error)
{
	const struct apolicy *g = rcu_writer_get(&a->pol);

	stamp_set(&a->out.stamp, g->version);
	if (a->conf.policy || g->p || error)
		agent_event_policy(a->e, action, a->conf.policy, g->version,
				   g->p ? policy_rules(g->p) : 0, error);
}

/* The policy's DNS answers into the kernel's tables (pinned by kside_up). */
static int start_dns(struct agent *a)
{
	const struct apolicy *g = rcu_writer_get(&a->pol);
	char err[320];

	if (dnstables_prepare(&a->dns, g->p, time(NULL), err, sizeof(err))) {
		ew_err("run: %s", err);
		return -EINVAL;
	}
	return dnstables_commit(&a->dns);
}

static int start(struct agent *a)
{
	char err[DIAG_MSG_LEN * 4];
	struct apolicy *gen;
	bool pfail;
	int rc;

	if (agent_settings(a->o, &a->dpi_names, &a->conf, &gen, &pfail, err, sizeof(err)))
		return 2;
	rcu_init(&a->pol, gen);
	a->dc = (struct decider){.pol = &a->pol, .hooks = &a->hooks,
				 .blocked = a->conf.inl.blocked};
	if (agent_outputs_open(&a->out, &a->conf))
		return 1;
	if (a->out.priv)
		privacy_set_hook(a->out.priv, no_history, a);
	agent_event_groups(group_name, a);
	rc = signals(a);
	if (!rc && !(a->ctl = control_open(a->conf.control)))
		rc = -errno;
	if (!rc && (rc = start_engine(a)))
		ew_err("run: couldn't build the engine: %s", strerror(-rc));
	a->dc.e = a->e;
	if (!rc)
		rc = kside_up(&a->k, &a->conf, rcu_writer_get(&a->pol));
	if (!rc) {
		agent_event_ifaces(&a->conf);
		rc = start_dns(a);
	}
	if (!rc)
		rc = start_sources(a);
	if (!rc)
		rc = agent_notices_open(&a->notices, &a->conf); /* port 80 wants privileges */
	a->notices.sc.lookup = decide_notice; /* the policy in force, when there is one */
	a->notices.sc.lookup_ctx = &a->dc;
	/* capabilities are per thread: dropped before any thread starts */
	if (!rc)
		rc = privs_drop();
	if (!rc && !(rc = agent_outputs_start(&a->out)))
		rc = agent_metrics_start(&a->m, a->conf.metrics);
	if (!rc && (rc = engine_start(a->e)))
		ew_err("run: couldn't start the engine: %s", strerror(-rc));
	if (!rc)
		rc = agent_notices_start(&a->notices);
	if (!rc && a->notices.srv)
		a->hooks = (struct apolicy_hooks){.acked = acked, .ctx = a->notices.srv};
	if (!rc && a->conf.mode == RUN_INLINE &&
	    !(a->inl = inline_start(a->e, &a->k, &a->conf, &a->dc, &a->notices, a->names)))
		rc = -errno;
	if (!rc)
		rc = start_icap(a);
	if (rc)
		return 1;
	a->started_ns = agent_mono_ns();
	agent_event_start(a->e, &a->conf, a->o->config_path);
	agent_event_lists(a->e, "load", &a->conf.lists, NULL);
	policy_said(a, "load", NULL);
	ew_info("running: %s mode on %d interface(s), %d lists", a->conf.mode == RUN_TAP ? "tap"
							: "inline", a->conf.n_if,
		a->conf.lists.nhash + a->conf.lists.npdq + a->conf.lists.nxml);
	return 0;
}

/* ---- reload ----------------------------------------------------------------------- */

/* Settings that only a restart changes: said, not applied. */
static void restart_only(struct agent *a, const struct runconf *c, FILE *out)
{
	const struct runconf_icap *ni = &c->icap, *oi = &a->conf.icap;
	const struct runconf_notices *nn = &c->notices, *on = &a->conf.notices;

	if (c->mode != a->conf.mode || c->n_if != a->conf.n_if || c->workers != a->conf.workers)
		fprintf(out, "warning: mode, interfaces and workers change only on a restart\n");
	if (!ni->listen != !oi->listen || (ni->listen && strcmp(ni->listen, oi->listen)) ||
	    ni->threads != oi->threads || ni->fail_closed != oi->fail_closed ||
	    !ni->types != !oi->types || (ni->types && strcmp(ni->types, oi->types)))
		fprintf(out, "warning: icap settings change only on a restart\n");
	if (!nn->dir != !on->dir || (nn->dir && strcmp(nn->dir, on->dir)) ||
	    !nn->listen != !on->listen || (nn->listen && strcmp(nn->listen, on->listen)) ||
	    !nn->contact != !on->contact || (nn->contact && strcmp(nn->contact, on->contact)) ||
	    nn->status != on->status || nn->ack_ns != on->ack_ns)
		fprintf(out, "warning: notices settings change only on a restart\n");
}

/* A reload that failed: what is in force stays; said to out and as a
 * lists event (and a policy event when the policy was the problem). */
static void reload_failed(struct agent *a, struct runconf *c, bool pfail, const char *err,
			  FILE *out)
{
	a->reload_failures++;
	a->policy_failures += pfail;
	snprintf(a->last_error, sizeof(a->last_error), "%s", err);
	fprintf(out, "error: reload failed, the %s in force stay:\n%s",
		pfail ? "policy and lists" : "lists", err);
	agent_event_lists(a->e, "reload", &a->conf.lists, err);
	if (pfail)
		policy_said(a, "reload", err);
	runconf_free(c);
	free(c);
}

/* Re-reads the settings, lists and policy off the data path and swaps
 * them in: the policy first (its rules know the lists that are coming;
 * a hit on a list on its way out is judged by the new rules), then the
 * lists, then the kernel's tags. A broken file leaves everything as it
 * was. Writes the outcome to out and as lists and policy events.
 * Returns 0 or -errno. */
static int reload(struct agent *a, FILE *out)
{
	struct runconf *c = calloc(1, sizeof(*c));
	char err[DIAG_MSG_LEN * 4];
	struct apolicy *gen;
	bool pfail;
	int rc;

	a->reloads++;
	if (!c)
		return -ENOMEM;
	rc = agent_settings(a->o, &a->dpi_names, c, &gen, &pfail, err, sizeof(err));
	if (!rc && (rc = dnstables_prepare(&a->dns, gen->p, time(NULL), err, sizeof(err)))) {
		apolicy_free(gen);
		pfail = true;
	}
	if (rc) {
		reload_failed(a, c, pfail, err, out);
		return rc;
	}
	restart_only(a, c, out);
	apolicy_free(rcu_publish(&a->pol, gen)); /* no reader holds the old one now */
	if (dnstables_commit(&a->dns))
		fprintf(out, "warning: the DNS answers were not written (the log says why)\n");
	__atomic_store_n(&a->dc.blocked, c->inl.blocked, __ATOMIC_RELAXED);
	lists_in_force(a, c);
	if (kside_policy(&a->k, c, gen))
		fprintf(out, "warning: the kernel's tags were not all written (the log says why)\n");
	if (a->icap)
		icapsvc_retag(a->icap, &c->lists, c->min_quality, gen->version);
	runconf_free(&a->conf);
	a->conf = *c;
	memset(&c->doc, 0, sizeof(c->doc));
	free(c);
	agent_event_lists(a->e, "reload", &a->conf.lists, NULL);
	policy_said(a, "reload", NULL);
	fprintf(out, "ok: reloaded %d lists", a->conf.lists.nhash + a->conf.lists.npdq +
					     a->conf.lists.nxml);
	if (gen->p)
		fprintf(out, " and the policy (%u rules, version %.12s)", policy_rules(gen->p),
			gen->version);
	fprintf(out, "\n");
	return 0;
}

/* ---- status and control ------------------------------------------------------------ */

/* Serves one control request. */
static void serve_control(struct agent *a)
{
	char cmd[CONTROL_CMD_MAX], *buf = NULL;
	size_t len = 0;
	FILE *out;
	int fd = control_accept(a->ctl, cmd);

	if (fd < 0)
		return;
	out = open_memstream(&buf, &len);
	if (!out) {
		control_reply(fd, "error: out of memory\n", 21);
		return;
	}
	if (!strcmp(cmd, "status"))
		agent_status(a, out);
	else if (!strcmp(cmd, "reload"))
		reload(a, out);
	else if (!strcmp(cmd, "stop")) {
		fprintf(out, "ok: stopping\n");
		a->stop = "stop requested";
	} else
		fprintf(out, "error: unknown command '%.40s' (expected status, reload or stop)\n",
			cmd);
	fclose(out);
	control_reply(fd, buf, len);
	free(buf);
}

static void serve_signal(struct agent *a)
{
	struct signalfd_siginfo si;

	while (read(a->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			ew_info("reopening the event log and reloading on SIGHUP");
			agent_outputs_reopen(&a->out);
			reload(a, stderr);
		} else {
			a->stop = si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM";
		}
	}
}

/* ---- the loop ------------------------------------------------------------------------ */

/* Once a second: the heartbeat, and a health event when the dispatch
 * queues dropped packets since the last look. */
static void tick(struct agent *a)
{
	struct engine_stats st;
	struct tap_stats ts;
	const struct apolicy *g = rcu_writer_get(&a->pol);

	kside_beat(&a->k, agent_mono_ns());
	dnstables_tick(&a->dns, g->p, time(NULL)); /* a time window opened or closed */
	if (a->inl)
		inline_tick(a->inl);
	agent_outputs_tick(&a->out, agent_mono_ns());
	engine_stats(a->e, &st);
	if (a->tap)
		tap_stats(a->tap, &ts);
	agent_metrics_publish(&a->m, &st, a->tap ? &ts : NULL, a->out.log, a->out.fwd);
	agent_health_check(&a->health, a->e, &st, a->tap ? &ts : NULL, a->out.fwd);
}

static void loop(struct agent *a)
{
	struct pollfd fds[3] = {{.fd = a->sig_fd, .events = POLLIN},
				{.fd = control_fd(a->ctl), .events = POLLIN},
				{.fd = a->tap ? tap_fd(a->tap) : -1, .events = POLLIN}};
	uint64_t now = agent_mono_ns(), next = now;
	uint64_t end = a->o->duration_ns ? now + a->o->duration_ns : 0;

	while (!a->stop) {
		if (now >= next) {
			tick(a);
			next = now + SEC;
		}
		if (poll(fds, 3, (int)((next - now) / 1000000 + 1)) < 0 && errno != EINTR)
			a->stop = "poll failed";
		if (fds[0].revents & POLLIN)
			serve_signal(a);
		if (fds[1].revents & POLLIN)
			serve_control(a);
		if (a->tap && tap_poll(a->tap) < 0 && errno != EINTR)
			ew_warn("ring buffer poll failed: %s", strerror(errno));
		now = agent_mono_ns();
		if (end && now >= end)
			a->stop = "duration reached";
	}
}

/* ---- stop ------------------------------------------------------------------------------ */

static int stop(struct agent *a)
{
	struct engine_stats st;
	int rc = 0;

	inline_stop(a->inl); /* before the engine: its inspectors go with it */
	a->inl = NULL;
	icapsvc_stop(a->icap, NULL);
	a->icap = NULL;
	agent_notices_close(&a->notices); /* after the proxy: it renders with them */
	if (a->e)
		engine_stop(a->e); /* the last flows' objects are written */
	if (a->tap && tap_free(a->tap))
		rc = 1;
	a->tap = NULL;
	namewatch_free(a->names);
	a->names = NULL;
	kside_down(&a->k);
	control_close(a->ctl);
	if (a->e) {
		engine_stats(a->e, &st);
		if (a->started_ns)
			agent_event_stop(a->e, a->stop ? a->stop : "start failed", &st);
		engine_free(a->e); /* writes the stop event */
	}
	hashdb_free(a->db);
	pdqdb_free(a->pdb);
	apolicy_free(rcu_writer_get(&a->pol)); /* every reader has stopped */
	dnstables_free(&a->dns);
	dpi_free(a->dpi_names);
	runconf_free(&a->conf);
	agent_metrics_stop(&a->m);
	if (agent_outputs_close(&a->out))
		rc = 1;
	if (a->sig_fd >= 0) {
		close(a->sig_fd);
		sigprocmask(SIG_SETMASK, &a->old_mask, NULL);
	}
	return rc;
}

int agent_run(const struct agent_opts *o)
{
	struct agent a = {.o = o, .sig_fd = -1};
	int rc = start(&a);

	if (!rc) {
		loop(&a);
		ew_info("stopping: %s", a.stop);
	}
	if (stop(&a) && !rc)
		rc = 1;
	return rc;
}
