// SPDX-License-Identifier: GPL-2.0
/* syslogfwd: the exact RFC 5424 frame with its octet count (severity from
 * the event type, MSGID, meta sequenceId), and a queue that drops and
 * counts what does not fit while no collector answers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "log/syslogfwd.h"

static void frames(void **state)
{
	static const char line[] = "{\"event\":\"block\",\"n\":1}\n";
	char out[512], want[512];
	size_t n;
	int hn;

	(void)state;
	/* 2024-01-02T03:04:05.678901Z, local0 (16) warning (4) = 132 */
	n = syslogfwd_frame(out, sizeof(out), 16, 1704164645678901000ull, "edge1", 42, 7, line,
			    sizeof(line) - 1);
	hn = snprintf(want, sizeof(want), "<132>1 2024-01-02T03:04:05.678901Z edge1 edgeward 42 "
			  "block [meta sequenceId=\"7\"] {\"event\":\"block\",\"n\":1}");
	snprintf(want, sizeof(want), "%d <132>1 2024-01-02T03:04:05.678901Z edge1 edgeward 42 "
		 "block [meta sequenceId=\"7\"] {\"event\":\"block\",\"n\":1}", hn);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	n = syslogfwd_frame(out, sizeof(out), 16, 1704164645000000000ull, "", 1, 1,
			    "{\"event\":\"health\"}", 18);
	out[n] = '\0';
	assert_non_null(strstr(out, " <131>1 ")); /* err */
	assert_non_null(strstr(out, " - edgeward 1 health "));
	n = syslogfwd_frame(out, sizeof(out), 16, 1704164645000000000ull, "h", 1, 1, "[1]", 3);
	out[n] = '\0';
	assert_non_null(strstr(out, " <134>1 ")); /* info, MSGID "-" */
	assert_non_null(strstr(out, " edgeward 1 - [meta"));
	assert_int_equal(syslogfwd_frame(out, 40, 16, 0, "h", 1, 1, line, sizeof(line) - 1), 0);
}

static void queue_bound_counts_lost(void **state)
{
	struct syslogfwd_conf c;
	struct syslogfwd_stats st;
	struct syslogfwd *f;
	char msg[256];
	const struct ej_sink *s;

	(void)state;
	syslogfwd_conf_default(&c);
	c.address = "127.0.0.1:1"; /* nobody listens there */
	c.queue_max = 1000;
	c.drain_ns = 1;
	f = syslogfwd_new(&c, msg, sizeof(msg));
	assert_non_null(f);
	s = syslogfwd_sink(f);
	for (int i = 0; i < 50; i++)
		s->line(s->ctx, "{\"event\":\"object\",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n", 52);
	syslogfwd_stats(f, &st);
	assert_true(st.queued > 0 && st.queued < 50);
	assert_int_equal(st.queued + st.lost, 50);
	assert_int_equal(syslogfwd_close(f, &st, msg, sizeof(msg)), -EIO);
	assert_int_equal(st.lost, 50); /* the queued ones never went either */
	assert_non_null(strstr(msg, "50 events not delivered to 127.0.0.1:1"));
	assert_null(syslogfwd_new(&(struct syslogfwd_conf){.address = "nohost"}, msg, sizeof(msg)));
	assert_string_equal(msg, "syslog: couldn't forward to 'nohost': expected host:port");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frames),
		cmocka_unit_test(queue_bound_counts_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
