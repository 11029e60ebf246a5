// SPDX-License-Identifier: GPL-2.0
/* What the event log costs a user: events per second written by one
 * writer (the engine's merger) through the ej_writer of each kind:
 *
 *   baseline  FILE* (what `edgeward pcap --out` wrote before the event log)
 *   eventlog  the event log without a key (queue, write, rotation checks)
 *   signed    the event log with --log-key (SHA-256 chain + HMAC-SHA256)
 *   private   signed, with pseudonymised subscriber addresses
 *
 * Each builds the same object event (about 700 bytes, as objsink writes
 * them) N times, best of 3 runs, into a file in the directory given
 * (default /tmp). Prints events/s and the ratio to the baseline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log/eventjson.h"
#include "log/eventlog.h"
#include "log/privacy.h"

static const uint8_t key[] = "bench-log-key-0123456789abcdef";

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void event(struct ej_writer *w, uint64_t i)
{
	static const uint8_t d[32] = {0xb9, 0x4d, 0x27, 0xb9, 0x93, 0x4d, 0x3e, 0x08};
	uint8_t a[16] = {[10] = 0xff, [11] = 0xff, 10, 1, (uint8_t)(i >> 8), (uint8_t)i};

	ej_begin(w);
	ej_str(w, "event", "object");
	ej_u64(w, "id", i);
	ej_str(w, "source", "eth1");
	ej_time(w, "ts", 1704067200000000000ull + i * 1000);
	ej_str(w, "kind", "response");
	ej_str(w, "host", "images.example.com");
	ej_str(w, "uri", "/photos/2024/01/01/a-rather-long-path/IMG_0001.jpg?size=large");
	ej_obj(w, "flow");
	ej_u64(w, "id", i / 4);
	ej_addr(w, "client", a);
	ej_u64(w, "client_port", 40000 + i % 20000);
	a[12] = 192, a[13] = 0, a[14] = 2, a[15] = 1;
	ej_addr(w, "server", a);
	ej_u64(w, "server_port", 80);
	ej_obj_end(w);
	ej_str(w, "content_type", "image/jpeg");
	ej_str(w, "sniffed", "jpeg");
	ej_u64(w, "size", 123456);
	ej_arr(w, "flags");
	ej_str(w, NULL, "complete");
	ej_arr_end(w);
	ej_hex(w, "md5", d, 16);
	ej_hex(w, "sha1", d, 20);
	ej_hex(w, "sha256", d, 32);
	ej_null(w, "error");
	ej_end(w);
}

enum kind { BASELINE, EVENTLOG, SIGNED, PRIVATE, KINDS };

static double run(enum kind k, const char *dir, uint64_t n)
{
	static const char *const names[] = {"baseline.jsonl", "plain.jsonl", "signed.jsonl",
					    "private.jsonl"};
	struct eventlog_conf c;
	struct eventlog *l = NULL;
	struct privacy *p = NULL;
	struct ej_writer w;
	char path[4096], msg[256];
	FILE *f = NULL;
	double t0, t;

	snprintf(path, sizeof(path), "%s/ew-bench-%d-%s", dir, (int)getpid(), names[k]);
	unlink(path);
	eventlog_conf_default(&c);
	c.path = path;
	c.key = k >= SIGNED ? key : NULL;
	c.key_len = sizeof(key) - 1;
	c.sensor = "bench";
	if (k == PRIVATE) {
		p = privacy_new(key, sizeof(key) - 1, NULL, 0);
		c.filter = privacy_filter(p);
	}
	if (k == BASELINE) {
		f = fopen(path, "w");
		ej_init(&w, f);
	} else {
		l = eventlog_open(&c, msg, sizeof(msg));
		if (!l) {
			fprintf(stderr, "eventlog_bench: %s\n", msg);
			exit(1);
		}
		ej_init_sink(&w, eventlog_sink(l));
	}
	t0 = now();
	for (uint64_t i = 0; i < n; i++)
		event(&w, i);
	if (f)
		fclose(f);
	else
		eventlog_close(l, NULL, 0);
	t = now() - t0;
	ej_free(&w);
	privacy_free(p);
	unlink(path);
	return (double)n / t;
}

int main(int argc, char **argv)
{
	static const char *const label[] = {"baseline (FILE*, no event log)",
					    "eventlog, no key",
					    "eventlog, signed (--log-key)",
					    "eventlog, signed + pseudonyms"};
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	double best[KINDS] = {0};

	for (int round = 0; round < 3; round++)
		for (int k = 0; k < KINDS; k++) {
			double r = run((enum kind)k, dir, n);

			if (r > best[k])
				best[k] = r;
		}
	printf("event log: %llu object events (~700 bytes) per run, one writer, best of 3, "
	       "into %s\n", (unsigned long long)n, dir);
	for (int k = 0; k < KINDS; k++)
		printf("  %-34s %10.0f events/s  %5.2fx baseline  %6.2f us/event\n", label[k],
		       best[k], best[k] / best[0], 1e6 / best[k]);
	return 0;
}
