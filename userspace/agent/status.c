// SPDX-License-Identifier: GPL-2.0
/* status: the agent's answer to `edgeward status` (the control socket),
 * a line per part of it. */
#include <unistd.h>

#include "agent_int.h"

static void status_inline(struct agent *a, FILE *out)
{
	struct proxy_stats ps;

	inline_stats(a->inl, &ps);
	fprintf(out, "inline: connections %llu open, %llu in all, %llu refused at the cap, "
		     "%llu timed out; objects held %llu, released %llu, blocked %llu, "
		     "streamed past the hold cap %llu, learned blocks %llu; held bytes %llu "
		     "(peak %llu)\n",
		(unsigned long long)ps.conns_open, (unsigned long long)ps.conns_total,
		(unsigned long long)ps.conns_refused, (unsigned long long)ps.conns_timed_out,
		(unsigned long long)ps.held, (unsigned long long)ps.released,
		(unsigned long long)ps.blocked, (unsigned long long)ps.streamed,
		(unsigned long long)ps.learned, (unsigned long long)ps.held_bytes,
		(unsigned long long)ps.held_peak);
	fprintf(out, "dns over tcp: queries %llu, answered by the agent %llu, connections refused "
		     "%llu\n",
		(unsigned long long)ps.dns_queries, (unsigned long long)ps.dns_answered,
		(unsigned long long)ps.dns_refused);
}

static void status_icap(struct agent *a, FILE *out)
{
	struct icap_stats is;

	icap_server_stats(icapsvc_server(a->icap), &is);
	fprintf(out, "icap: port %d, ISTag \"%s\"; requests %llu, inspected %llu, blocked %llu, "
		     "allowed %llu, failed open %llu, failed closed %llu, malformed %llu\n",
		icap_server_port(icapsvc_server(a->icap)), icapsvc_istag_now(a->icap),
		(unsigned long long)is.requests, (unsigned long long)is.inspected,
		(unsigned long long)is.blocked, (unsigned long long)is.allowed,
		(unsigned long long)is.fail_open, (unsigned long long)is.fail_closed,
		(unsigned long long)is.bad_requests);
}

static void status_policy(struct agent *a, FILE *out)
{
	const struct apolicy *g = rcu_writer_get(&a->pol);

	if (!g->p) {
		fprintf(out, "policy: none (every list hit blocks)\n");
		return;
	}
	fprintf(out, "policy: %s, %u rules, version %s; grace periods %llu, failed loads %llu\n",
		a->conf.policy, policy_rules(g->p), g->version,
		(unsigned long long)a->pol.waits, (unsigned long long)a->policy_failures);
	fprintf(out, "dns: the policy's answers written %llu times, failed %llu",
		(unsigned long long)a->dns.commits, (unsigned long long)a->dns.failures);
	if (a->dns.next)
		fprintf(out, "; compiled again at %lld (a time window)", (long long)a->dns.next);
	fprintf(out, "\n");
}

static void status_names(struct namewatch *w, FILE *out)
{
	struct namewatch_stats ns;

	namewatch_stats(w, &ns);
	fprintf(out, "names: TLS flows read %llu, ClientHellos %llu, not TLS %llu; names looked "
		     "up %llu, flows blocked %llu, resets %llu, errors %llu; verdict after the "
		     "hello %llu us on average, %llu at most\n",
		(unsigned long long)ns.flows, (unsigned long long)ns.hellos,
		(unsigned long long)ns.not_tls, (unsigned long long)ns.names,
		(unsigned long long)ns.blocked, (unsigned long long)ns.resets,
		(unsigned long long)ns.errors,
		(unsigned long long)(ns.blocked ? ns.verdict_ns_sum / ns.blocked / 1000 : 0),
		(unsigned long long)(ns.verdict_ns_max / 1000));
}

static void status_notices(struct agent *a, FILE *out)
{
	struct notice_server_stats ns;

	notice_server_stats(a->notices.srv, &ns);
	fprintf(out, "notices: port %u; block pages %llu, disclaimers %llu, acknowledged %llu, "
		     "refused %llu, bad requests %llu; acknowledgements held %llu of %llu, "
		     "dropped when full %llu\n",
		notice_server_port(a->notices.srv), (unsigned long long)ns.blocks,
		(unsigned long long)ns.warns, (unsigned long long)ns.acks,
		(unsigned long long)ns.acks_refused, (unsigned long long)ns.bad_requests,
		(unsigned long long)ns.table.live, (unsigned long long)ns.table.slots,
		(unsigned long long)ns.table.evicted);
}

void agent_status(struct agent *a, FILE *out)
{
	const struct runconf *c = &a->conf;
	struct engine_stats st;
	struct tap_stats ts = {0};

	engine_stats(a->e, &st);
	if (a->tap)
		tap_stats(a->tap, &ts);
	fprintf(out, "ok\nagent: pid %d, up %llu s, %s mode, interfaces", (int)getpid(),
		(unsigned long long)((agent_mono_ns() - a->started_ns) / SEC),
		c->mode == RUN_TAP ? "tap" : "inline");
	for (int i = 0; i < c->n_if; i++)
		fprintf(out, " %s", c->ifaces[i]);
	fprintf(out, "\nconfig: %s\n", a->o->config_path ? a->o->config_path : "(none)");
	fprintf(out, "lists: %d hash, %d PDQ, %d hash-sharing XML; reloads %llu, failed %llu\n",
		c->lists.nhash, c->lists.npdq, c->lists.nxml, (unsigned long long)a->reloads,
		(unsigned long long)a->reload_failures);
	status_policy(a, out);
	if (a->reload_failures)
		fprintf(out, "last reload error: %s\n", a->last_error);
	fprintf(out, "engine: workers %u, packets %llu, objects %llu, matches %llu, dispatch "
		     "drops %llu\n",
		st.workers, (unsigned long long)st.cap.frames, (unsigned long long)st.obj.objects,
		(unsigned long long)st.obj.matches, (unsigned long long)st.dispatch_drops);
	if (a->inl)
		status_inline(a, out);
	if (a->icap)
		status_icap(a, out);
	if (a->notices.srv)
		status_notices(a, out);
	if (a->tap)
		fprintf(out, "tap: mirrored %llu, malformed %llu, queue full %llu, flows blocked "
			     "%llu, resets %llu, dns answers %llu\n",
			(unsigned long long)ts.frames, (unsigned long long)ts.bad,
			(unsigned long long)ts.queue_full, (unsigned long long)ts.blocked,
			(unsigned long long)ts.resets, (unsigned long long)ts.dns_answers);
	if (a->names)
		status_names(a->names, out);
}

