// SPDX-License-Identifier: GPL-2.0
/* runconf and yamltree: a full config read into the settings, the defaults
 * of an empty file, and one test per diagnostic with its exact message. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/runconf.h"
#include "object/hash.h"

#define SEC 1000000000ull

struct fx {
	char path[64];
	struct runconf c;
	struct diag d;
};

/* Writes text to a temporary file and loads it; returns the result. */
static int load(struct fx *f, const char *text)
{
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/ew_runconf_XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	memset(&f->d, 0, sizeof(f->d));
	runconf_default(&f->c);
	return runconf_load(&f->c, f->path, &f->d);
}

static void done(struct fx *f)
{
	runconf_free(&f->c);
	unlink(f->path);
}

/* The first message without the file name. */
static const char *msg(const struct fx *f)
{
	const char *t = f->d.msgs[0].text;

	assert_true(f->d.nmsgs > 0);
	assert_memory_equal(t, f->path, strlen(f->path));
	return t + strlen(f->path);
}

static void full_config(void **state)
{
	struct fx f;

	(void)state;
	assert_int_equal(load(&f, "# edge host\n"
				  "interfaces: [ewc, ews]\n"
				  "mode: tap\n"
				  "xdp_mode: generic\n"
				  "workers: 3\n"
				  "memory: 512M\n"
				  "log: /var/log/edgeward/events.jsonl\n"
				  "heartbeat_stale_after: 7s\n"
				  "hash: [sha256]\n"
				  "lists:\n"
				  "  - {name: known, type: sha256, path: /l/k.txt, category: csam}\n"
				  "  - name: near\n"
				  "    type: pdq\n"
				  "    path: /l/n.pdq\n"
				  "    threshold: 20\n"
				  "  - {type: hashxml, path: /l/feed.xml}\n"
				  "pdq: {min_quality: 60, all_images: true, buffer_max: 1M}\n"
				  "inline:\n"
				  "  ports: [tcp/80, tcp/8080]\n"
				  "  hold_max: 4M\n"
				  "  learn_for: 90s\n"
				  "  blocked: reset\n"
				  "  dns_tcp: false\n"
				  "tap: {ports: tcp/81, mirror_cap: 256}\n"
				  "icap: {listen: '[::1]:1344', threads: 4, types: [jpeg, png]}\n"),
			 0);
	assert_int_equal(f.c.n_if, 2);
	assert_string_equal(f.c.ifaces[1], "ews");
	assert_int_equal(f.c.mode, RUN_TAP);
	assert_int_equal(f.c.xdp_mode, RUN_XDP_GENERIC);
	assert_int_equal(f.c.workers, 3);
	assert_int_equal(f.c.memory, 512u << 20);
	assert_string_equal(f.c.log, "/var/log/edgeward/events.jsonl");
	assert_int_equal(f.c.stale_after_ns, 7 * SEC);
	assert_int_equal(f.c.log_mask, HASH_SHA256);
	assert_int_equal(f.c.lists.nhash, 1);
	assert_string_equal(f.c.lists.hash[0].category, "csam");
	assert_int_equal(f.c.lists.hash[0].lo.kind, LIST_SHA256);
	assert_int_equal(f.c.lists.npdq, 1);
	assert_int_equal(f.c.lists.pdq[0].threshold, 20);
	assert_int_equal(f.c.lists.nxml, 1);
	assert_string_equal(f.c.lists.xml[0], "/l/feed.xml");
	assert_int_equal(f.c.min_quality, 60);
	assert_true(f.c.pdq_all);
	assert_int_equal(f.c.pdq_buffer_max, 1u << 20);
	assert_string_equal(f.c.inl.ports, "tcp/80,tcp/8080");
	assert_int_equal(f.c.inl.hold_max, 4u << 20);
	assert_int_equal(f.c.inl.learn_ns, 90 * SEC);
	assert_int_equal(f.c.inl.blocked, RUN_BLOCKED_RESET);
	assert_int_equal(f.c.inl.max_conns, 4096); /* default kept */
	assert_false(f.c.inl.dns_tcp);
	assert_string_equal(f.c.tap.ports, "tcp/81");
	assert_int_equal(f.c.tap.mirror_cap, 256);
	assert_string_equal(f.c.icap.listen, "[::1]:1344");
	assert_int_equal(f.c.icap.threads, 4);
	assert_string_equal(f.c.icap.types, "jpeg,png");
	assert_false(f.c.icap.fail_closed);
	assert_int_equal(f.d.errors, 0);
	assert_int_equal(runconf_check(&f.c, f.path, &f.d), 0);
	done(&f);
}

static void empty_is_defaults(void **state)
{
	struct fx f;

	(void)state;
	assert_int_equal(load(&f, "# nothing yet\n"), 0);
	assert_int_equal(f.c.mode, RUN_INLINE);
	assert_string_equal(f.c.inl.ports, "tcp/80");
	assert_string_equal(f.c.control, RUNCONF_CONTROL);
	assert_int_equal(runconf_check(&f.c, "x", &f.d), -EINVAL);
	assert_string_equal(f.d.msgs[0].text,
			    "x: no interface: give interfaces in the config or --iface");
	done(&f);
}

/* Each bad file and the exact first message (after the file name). */
static void diagnostics(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"interface: [eth0]\n",
		 ":1:1: unknown key 'interface' in the agent's config (expected interfaces, mode, "
		 "xdp_mode, workers, memory, log, control_socket, heartbeat_stale_after, hash, "
		 "lists, pdq, inline, tap, icap, notices, privacy, evidence, metrics or policy)"},
		{"policy: [a, b]\n", ":1:9: expected a value, found a list"},
		{"mode: inlin\n", ":1:7: expected inline or tap, found 'inlin'"},
		{"workers: many\n", ":1:10: expected a whole number 0..64, found 'many'"},
		{"workers: 65\n", ":1:10: expected a whole number 0..64, found '65'"},
		{"memory: 2X\n",
		 ":1:9: expected a size in bytes (a number, optionally followed by k, M or G), "
		 "found '2X'"},
		{"heartbeat_stale_after: 5\n",
		 ":1:24: expected a duration (a number followed by ms, s, m, h or d, e.g. 30s), "
		 "found '5'"},
		{"mode: tap\nmode: inline\n", ":2:1: duplicate key 'mode'"},
		{"log: &a /x\ncontrol_socket: *a\n", ":1:6: anchors (&name) are not supported"},
		{"mode: tap\n---\nmode: inline\n",
		 ":2:1: a second document ('---'): one file, one document"},
		{"mode: [tap\n", ":2:1: did not find expected ',' or ']' while parsing a flow "
				 "sequence"},
		{"hash: [md5, sha512]\n", ":1:13: expected md5, sha1 or sha256, found 'sha512'"},
		{"lists:\n  - {name: a, path: /x}\n",
		 ":2:5: list entry without a type (md5, sha1, sha256, pdq or hashxml)"},
		{"lists:\n  - {name: a, type: sha256}\n", ":2:5: list entry without a path"},
		{"lists:\n  - {name: a, type: sha256, path: /x}\n  - {name: a, type: md5, path: /y}\n",
		 ":3:5: hash list name 'a' given twice"},
		{"lists:\n  - {name: a, type: pdq, path: /x, threshold: 300}\n",
		 ":2:47: expected a whole number 0..255, found '300'"},
		{"inline: {blocked: drop}\n", ":1:19: expected notice or reset, found 'drop'"},
		{"inline: [tcp/80]\n",
		 ":1:9: inline: expected a mapping (key: value lines), found a list"},
		{"icap: {threads: 0}\n", ":1:17: expected a whole number 1..64, found '0'"},
		{"notices: {status: 404}\n", ":1:19: expected 451 or 403, found '404'"},
		{"notices: {ack_for: 1y}\n",
		 ":1:20: expected a duration (a number followed by ms, s, m, h or d, e.g. 30s), "
		 "found '1y'"},
		{"notices: {language: hi}\n",
		 ":1:11: unknown key 'language' in notices (expected templates, default_language, "
		 "contact, status, listen, url, ack_for or ack_max)"},
		{"notices: {url: 'https://n.example'}\n",
		 ":1:16: bad notices url 'https://n.example' (expected http://HOST[:PORT], no "
		 "path)"},
		{"notices: {url: 'http://n.example/_ew/ack'}\n",
		 ":1:16: bad notices url 'http://n.example/_ew/ack' (expected http://HOST[:PORT], "
		 "no path)"},
		{"notices: {url: 'http://'}\n",
		 ":1:16: bad notices url 'http://' (expected http://HOST[:PORT], no path)"},
		{"icap: {port: 1344}\n",
		 ":1:8: unknown key 'port' in icap (expected listen, threads, fail_closed or types)"},
		{"log: {path: /x, fsync: always}\n",
		 ":1:24: expected none, rotate or flush, found 'always'"},
		{"log: {syslog: {address: collector}}\n",
		 ":1:25: expected host:port such as 127.0.0.1:514, found 'collector'"},
		{"log: {syslog: {facility: local9}}\n",
		 ":1:26: expected kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, "
		 "authpriv, ftp, ntp, audit, alert, clock, local0, local1, local2, local3, local4, "
		 "local5, local6 or local7, found 'local9'"},
		{"log: {rotation: 1d}\n",
		 ":1:7: unknown key 'rotation' in log (expected path, key, rotate_size, "
		 "rotate_every, flush_every, fsync, checkpoint_every, queue_max, retention or "
		 "syslog)"},
		{"privacy: {no_history: [10.1.2.3/16]}\n",
		 ":1:24: host bits set in '10.1.2.3/16'"},
		{"privacy: {no_history: [10.1.0.0/33]}\n",
		 ":1:24: expected an address or prefix such as 10.1.0.0/16 or 2001:db8::/32, "
		 "found '10.1.0.0/33'"},
		{"privacy: {no_history: 10.1.0.0/16}\n",
		 ":1:23: expected a list of client prefixes such as [10.1.0.0/16, 2001:db8::/32]"},
		{"evidence: {max_object: 2G}\n",
		 ":1:24: expected a size in bytes (a number, optionally followed by k, M or G), "
		 "found '2G'"},
		{"pdq: {quality: 3}\n",
		 ":1:7: unknown key 'quality' in pdq (expected min_quality, all_images, buffer_max "
		 "or buffer_total)"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct fx f;

		assert_int_equal(load(&f, cases[i].text), -EINVAL);
		if (strcmp(msg(&f), cases[i].want))
			fail_msg("case %zu: got '%s'\n want '%s'", i, msg(&f), cases[i].want);
		done(&f);
	}
}

static void outputs(void **state)
{
	struct fx f;

	(void)state;
	assert_int_equal(load(&f, "interfaces: [eth0]\n"
				  "log:\n"
				  "  path: /var/log/edgeward/events.jsonl\n"
				  "  key: /etc/edgeward/log.key\n"
				  "  rotate_size: 100M\n"
				  "  rotate_every: 1d\n"
				  "  flush_every: 500ms\n"
				  "  fsync: flush\n"
				  "  retention: 90d\n"
				  "  syslog: {address: '127.0.0.1:6514', facility: local3}\n"
				  "privacy:\n"
				  "  pseudonym_key: /etc/edgeward/pseudonym.key\n"
				  "  no_history: [10.1.0.0/16, '2001:db8:1::/48', 192.0.2.7]\n"
				  "evidence: {public_key: /etc/edgeward/responders.pub, dir: /var/lib/ev}\n"
				  "metrics: '127.0.0.1:9464'\n"
				  "policy: /etc/edgeward/policy.yaml\n"),
			 0);
	assert_string_equal(f.c.log, "/var/log/edgeward/events.jsonl");
	assert_string_equal(f.c.logo.key, "/etc/edgeward/log.key");
	assert_int_equal(f.c.logo.rotate_size, 100u << 20);
	assert_int_equal(f.c.logo.rotate_ns, 86400 * SEC);
	assert_int_equal(f.c.logo.flush_ns, SEC / 2);
	assert_int_equal(f.c.logo.fsync, 2);
	assert_int_equal(f.c.logo.retention_ns, 90 * 86400 * SEC);
	assert_string_equal(f.c.logo.syslog, "127.0.0.1:6514");
	assert_int_equal(f.c.logo.syslog_facility, 19);
	assert_int_equal(f.c.privacy.n_no_history, 3);
	assert_int_equal(f.c.privacy.no_history[0].bits, 96 + 16);
	assert_int_equal(f.c.privacy.no_history[0].addr[12], 10);
	assert_int_equal(f.c.privacy.no_history[1].bits, 48);
	assert_int_equal(f.c.privacy.no_history[2].bits, 128);
	assert_string_equal(f.c.evidence.dir, "/var/lib/ev");
	assert_int_equal(f.c.evidence.max_object, 16u << 20); /* default */
	assert_string_equal(f.c.metrics, "127.0.0.1:9464");
	assert_string_equal(f.c.policy, "/etc/edgeward/policy.yaml");
	assert_int_equal(runconf_check(&f.c, f.path, &f.d), 0);
	done(&f);
}

static void notices(void **state)
{
	struct fx f;

	(void)state;
	assert_int_equal(load(&f, "interfaces: [eth0]\n"), 0);
	assert_null(f.c.notices.dir);
	assert_string_equal(f.c.notices.lang, "en");
	assert_int_equal(f.c.notices.status, 451);
	assert_int_equal(f.c.notices.ack_ns, 3600 * SEC);
	done(&f);
	assert_int_equal(load(&f, "interfaces: [eth0]\n"
				  "notices:\n"
				  "  templates: /etc/edgeward/notices\n"
				  "  default_language: hi\n"
				  "  contact: 'grievance@isp.example, 1800-000-000'\n"
				  "  status: 403\n"
				  "  listen: 0.0.0.0:80\n"
				  "  url: http://10.0.0.1\n"
				  "  ack_for: 30m\n"
				  "  ack_max: 1000\n"),
			 0);
	assert_string_equal(f.c.notices.dir, "/etc/edgeward/notices");
	assert_string_equal(f.c.notices.lang, "hi");
	assert_string_equal(f.c.notices.contact, "grievance@isp.example, 1800-000-000");
	assert_int_equal(f.c.notices.status, 403);
	assert_string_equal(f.c.notices.listen, "0.0.0.0:80");
	assert_string_equal(f.c.notices.url, "http://10.0.0.1");
	assert_int_equal(f.c.notices.ack_ns, 1800 * SEC);
	assert_int_equal(f.c.notices.ack_max, 1000);
	assert_int_equal(runconf_check(&f.c, "x", &f.d), 0);
	done(&f);
	assert_int_equal(load(&f, "interfaces: [eth0]\nnotices: {listen: 0.0.0.0:80}\n"), 0);
	assert_int_equal(runconf_check(&f.c, "x", &f.d), -EINVAL);
	assert_string_equal(f.d.msgs[0].text, "x: notices listen needs templates (the pages it "
					      "serves)");
	done(&f);
}

static void no_history_needs_a_key(void **state)
{
	struct fx f;

	(void)state;
	assert_int_equal(load(&f, "interfaces: [eth0]\nprivacy: {no_history: [10.0.0.0/8]}\n"), 0);
	assert_int_equal(runconf_check(&f.c, "x", &f.d), -EINVAL);
	assert_string_equal(f.d.msgs[0].text, "x: privacy no_history needs a pseudonym_key (its "
					      "block events carry only the pseudonym)");
	done(&f);
}

static void caret_and_missing_file(void **state)
{
	struct fx f;
	char *out = NULL;
	size_t len = 0;
	FILE *mf;

	(void)state;
	assert_int_equal(load(&f, "interfaces: [eth0]\nmode: inlin\n"), -EINVAL);
	mf = open_memstream(&out, &len);
	diag_print(&f.d, mf);
	fclose(mf);
	assert_non_null(strstr(out, ":2:7: expected inline or tap, found 'inlin'\n"
				    "  mode: inlin\n"
				    "        ^\n"));
	free(out);
	done(&f);
	memset(&f.d, 0, sizeof(f.d));
	runconf_default(&f.c);
	assert_int_equal(runconf_load(&f.c, "/nonexistent/edgeward.yaml", &f.d), -ENOENT);
	assert_string_equal(f.d.msgs[0].text, "/nonexistent/edgeward.yaml: couldn't read the "
					      "file: No such file or directory");
	runconf_free(&f.c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_config),
		cmocka_unit_test(empty_is_defaults),
		cmocka_unit_test(diagnostics),
		cmocka_unit_test(caret_and_missing_file),
		cmocka_unit_test(outputs),
		cmocka_unit_test(notices),
		cmocka_unit_test(no_history_needs_a_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
